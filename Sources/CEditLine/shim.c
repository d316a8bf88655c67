#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE
#include "CEditLine.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

/* ---- SIGINT ------------------------------------------------------------------------ */

/* Set by the SIGINT handler; the shell reads and clears it. The one copy in the process. */
static volatile sig_atomic_t lkq_interrupted = 0;

static void lkq_on_sigint(int signo) {
    (void)signo;
    lkq_interrupted = 1;
}

int lkq_install_sigint(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = lkq_on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    return sigaction(SIGINT, &sa, NULL);
}

int lkq_take_interrupt(void) {
    int was = lkq_interrupted;
    lkq_interrupted = 0;
    return was;
}

int lkq_interrupt_pending(void) { return lkq_interrupted; }

/* ---- Terminal ---------------------------------------------------------------------- */

int lkq_terminal_width(int fd) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 0;
}

int lkq_wcwidth(unsigned int c) { return wcwidth((wchar_t)c); }

void lkq_bracketed_paste(int on) {
    const char *s = on ? "\033[?2004h" : "\033[?2004l";
    ssize_t n = write(STDOUT_FILENO, s, strlen(s));
    (void)n;
}

/* ---- Reading bytes ----------------------------------------------------------------- */

static int lkq_input_fd = 0;

/* Bytes read from the terminal and not yet handed to the editor. Reading whatever has arrived
   at once (rather than a byte at a time) is what lets the shell look ahead at pasted lines. */
static unsigned char inbuf[8192];
static size_t in_start = 0, in_end = 0;

static lkq_idle_function idle_function = NULL;

void lkq_set_idle_function(lkq_idle_function fn) { idle_function = fn; }

enum { FILL_ADDED = 1, FILL_NOTHING = 0, FILL_STOP = -1, FILL_EOF = -2 };

/* Reads what has arrived into inbuf, waiting at most timeout_ms (-1: until a byte comes). */
static int fill(int timeout_ms) {
    if (in_start == in_end) in_start = in_end = 0;
    if (in_end == sizeof inbuf) {
        if (in_start == 0) return FILL_ADDED;
        memmove(inbuf, inbuf + in_start, in_end - in_start);
        in_end -= in_start;
        in_start = 0;
    }
    for (;;) {
        if (lkq_interrupted) return FILL_STOP;
        if (timeout_ms >= 0) {
            struct pollfd p = { .fd = lkq_input_fd, .events = POLLIN, .revents = 0 };
            int r = poll(&p, 1, timeout_ms);
            if (r < 0 && errno == EINTR) continue;
            if (r == 0) return FILL_NOTHING;
        }
        ssize_t n = read(lkq_input_fd, inbuf + in_end, sizeof inbuf - in_end);
        if (n > 0) { in_end += (size_t)n; return FILL_ADDED; }
        if (n == 0) return FILL_EOF;
        if (errno == EINTR && !lkq_interrupted) continue;
        return FILL_STOP;
    }
}

/* A paste of part of a line, handed to the editor as if typed. */
static unsigned char *feed = NULL;
static size_t feed_at = 0, feed_length = 0;
/* Whether the byte next_byte returned last came from feed (else from inbuf). */
static int last_from_feed = 0;

/* The next input byte: 1 with *out set, 0 at end of input, -1 on Ctrl-C or a read error. When
   nothing has arrived, the idle function runs (with `el`) before waiting. */
static int next_byte(EditLine *el, int *out) {
    for (;;) {
        if (lkq_interrupted) return -1;
        if (feed_at < feed_length) { *out = feed[feed_at++]; last_from_feed = 1; return 1; }
        if (in_start < in_end) { *out = inbuf[in_start++]; last_from_feed = 0; return 1; }
        int r = fill(0);
        if (r == FILL_NOTHING) {
            if (el != NULL && idle_function != NULL) idle_function(el);
            r = fill(-1);
        }
        if (r == FILL_EOF) return 0;
        if (r < 0) return -1;
    }
}

/* Puts back the byte next_byte just returned (it is still in feed or inbuf). */
static void unread_byte(void) {
    if (last_from_feed) { if (feed_at > 0) feed_at--; }
    else if (in_start > 0) in_start--;
}

int lkq_typeahead_starts_with_pipe(void) {
    while (in_end - in_start < sizeof inbuf && fill(0) == FILL_ADDED) {}
    for (size_t i = in_start; i < in_end; i++) {
        if (inbuf[i] == ' ' || inbuf[i] == '\t') continue;
        return inbuf[i] == '|';
    }
    return 0;
}

/* ---- Bracketed paste --------------------------------------------------------------- */

static const char paste_start[] = "\033[200~";
static const char paste_end[] = "\033[201~";
static char *paste_text = NULL;
static size_t paste_length = 0;
static int paste_ready = 0;

/* After an ESC: whether `[200~` follows. The terminal sends the marker in one write, so a short
   wait is enough for its bytes to arrive. */
static int paste_starts(void) {
    size_t need = sizeof paste_start - 2;
    while (in_end - in_start < need) {
        size_t have = in_end - in_start;
        if (memcmp(inbuf + in_start, paste_start + 1, have) != 0) return 0;
        if (fill(50) != FILL_ADDED) return 0;
    }
    if (memcmp(inbuf + in_start, paste_start + 1, need) != 0) return 0;
    in_start += need;
    return 1;
}

/* Reads the pasted text up to the end marker. Line breaks come as CR from a terminal; they
   are kept as LF. Returns 0 when Ctrl-C or the end of input cut the paste short. */
static int read_paste(void) {
    size_t capacity = 4096, length = 0, marker = sizeof paste_end - 1;
    char *text = malloc(capacity);
    if (text == NULL) return 0;
    for (;;) {
        int b;
        if (next_byte(NULL, &b) != 1) { free(text); return 0; }
        if (length + 1 >= capacity) {
            char *bigger = realloc(text, capacity * 2);
            if (bigger == NULL) { free(text); return 0; }
            text = bigger;
            capacity *= 2;
        }
        text[length++] = (char)b;
        if (length >= marker && memcmp(text + length - marker, paste_end, marker) == 0) {
            length -= marker;
            break;
        }
    }
    size_t j = 0;
    for (size_t i = 0; i < length; i++) {
        if (text[i] == '\r') {
            text[j++] = '\n';
            if (i + 1 < length && text[i + 1] == '\n') i++;
        } else {
            text[j++] = text[i];
        }
    }
    text[j] = '\0';
    free(paste_text);
    paste_text = text;
    paste_length = j;
    paste_ready = 1;
    return 1;
}

char *lkq_take_paste(void) {
    if (!paste_ready) return NULL;
    char *text = paste_text;
    paste_text = NULL;
    paste_ready = 0;
    paste_length = 0;
    return text;
}

/* ---- Reading characters ------------------------------------------------------------ */

/*
 * libedit's own reader retries a read() interrupted by a signal once, so the first Ctrl-C
 * would be swallowed. This one gives up at once when SIGINT arrived, which makes el_gets
 * return NULL; it decodes UTF-8 itself so it does not depend on the C library's locale.
 * Bytes that are not UTF-8 (a terminal set to Latin-1, say) become U+FFFD, which the REPL
 * reports as an error at its place; overlong forms, surrogates and values past U+10FFFF
 * count as not UTF-8 too, so libedit never holds a character it cannot print.
 * A bracketed paste becomes a line break, ending the line; its text waits in lkq_take_paste.
 */
/* Whether libedit is in its incremental history search (Ctrl-R): each character typed there
   searches the history and redraws the pattern, so a long paste into it costs time in the
   square of its length (60,000 characters: 14 s). Set when Ctrl-R is read; a control
   character other than Ctrl-R, Ctrl-H or Delete ends the search. */
static int searching = 0;
/* The longest paste that goes into a search pattern; the rest of it is dropped, as a pattern
   longer than any statement in the history can only fail to match. */
#define SEARCH_PASTE_LIMIT 256

static int read_char(EditLine *el, wchar_t *out);

static int lkq_read_char(EditLine *el, wchar_t *out) {
    int r = read_char(el, out);
    if (r == 1) {
        wchar_t c = *out;
        if (c == 0x12) searching = 1;
        else if (c < 0x20 && c != 0x08) searching = 0;
    }
    return r;
}

static int read_char(EditLine *el, wchar_t *out) {
    int b;
    int r = next_byte(el, &b);
    if (r <= 0) return r;
    if (b == 0x1B && paste_starts()) {
        if (!read_paste()) return lkq_interrupted ? -1 : 0;
        if (memchr(paste_text, '\n', paste_length) != NULL) {
            *out = L'\n';
            return 1;
        }
        /* Part of a line: it joins the line being edited, as typed text, to be changed before
           Enter. Control characters (a Tab would complete) become spaces. */
        free(feed);
        feed = (unsigned char *)lkq_take_paste();
        feed_length = strlen((char *)feed);
        feed_at = 0;
        if (searching && feed_length > SEARCH_PASTE_LIMIT) {
            /* Cut at a character boundary: never in the middle of a UTF-8 sequence. */
            feed_length = SEARCH_PASTE_LIMIT;
            while (feed_length > 0 && (feed[feed_length] & 0xC0) == 0x80) feed_length--;
        }
        for (size_t i = 0; i < feed_length; i++) if (feed[i] < 0x20 || feed[i] == 0x7F) feed[i] = ' ';
        return read_char(el, out);
    }
    if (b < 0x80) { *out = (wchar_t)b; return 1; }
    int need;
    if (b >= 0xC2 && b <= 0xDF) need = 2;
    else if ((b & 0xF0) == 0xE0) need = 3;
    else if (b >= 0xF0 && b <= 0xF4) need = 4;
    else { *out = (wchar_t)0xFFFD; return 1; }
    unsigned long c = (unsigned long)b & (need == 2 ? 0x1F : need == 3 ? 0x0F : 0x07);
    for (int i = 1; i < need; i++) {
        int next;
        r = next_byte(NULL, &next);
        if (r < 0) return r;
        if (r == 0) { *out = (wchar_t)0xFFFD; return 1; }
        if ((next & 0xC0) != 0x80) {
            /* A broken sequence: a replacement character, and the byte that broke it is read
               again as the start of the next character. */
            unread_byte();
            *out = (wchar_t)0xFFFD;
            return 1;
        }
        c = (c << 6) | ((unsigned long)next & 0x3F);
    }
    if ((need == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) || (need == 4 && (c < 0x10000 || c > 0x10FFFF)))
        c = 0xFFFD;
    *out = (wchar_t)c;
    return 1;
}

/* ---- EditLine ---------------------------------------------------------------------- */

EditLine *lkq_el_init(const char *program) {
    EditLine *el = el_init(program, stdin, stdout, stderr);
    if (el == NULL) return NULL;
    lkq_input_fd = fileno(stdin);
    el_set(el, EL_GETCFN, lkq_read_char);
    return el;
}

int lkq_el_set_prompt_function(EditLine *el, char *(*fn)(EditLine *)) {
    return el_set(el, EL_PROMPT, fn);
}

int lkq_el_set_editor(EditLine *el, const char *mode) {
    return el_set(el, EL_EDITOR, mode);
}

int lkq_el_bind(EditLine *el, const char *key, const char *command) {
    return el_set(el, EL_BIND, key, command, NULL);
}

int lkq_el_bind_function(EditLine *el, const char *name, const char *help, lkq_el_function fn,
                         const char *key) {
    if (el_set(el, EL_ADDFN, name, help, fn) != 0) return -1;
    return el_set(el, EL_BIND, key, name, NULL);
}

int lkq_el_set_history(EditLine *el, History *h) {
    return el_set(el, EL_HIST, history, h);
}

int lkq_el_set_clientdata(EditLine *el, void *data) {
    return el_set(el, EL_CLIENTDATA, data);
}

void *lkq_el_get_clientdata(EditLine *el) {
    void *data = NULL;
    if (el_get(el, EL_CLIENTDATA, &data) != 0) return NULL;
    return data;
}

/* ---- History ----------------------------------------------------------------------- */

int lkq_history_setsize(History *h, int size) {
    HistEvent ev;
    return history(h, &ev, H_SETSIZE, size);
}

int lkq_history_setunique(History *h, int unique) {
    HistEvent ev;
    return history(h, &ev, H_SETUNIQUE, unique);
}

int lkq_history_enter(History *h, const char *line) {
    HistEvent ev;
    return history(h, &ev, H_ENTER, line);
}

int lkq_history_load(History *h, const char *path) {
    HistEvent ev;
    return history(h, &ev, H_LOAD, path);
}

int lkq_history_save(History *h, const char *path) {
    HistEvent ev;
    return history(h, &ev, H_SAVE, path);
}
