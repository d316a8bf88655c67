#ifndef LKQ_CEDITLINE_SHIM_H
#define LKQ_CEDITLINE_SHIM_H

/*
 * Fixed-argument wrappers around libedit's variadic el_set/el_get/history calls, which
 * Swift cannot call, plus the little signal and terminal plumbing the REPL needs.
 *
 * Everything here is static, so every Swift object file that calls into it gets its own
 * copy of the state (the SIGINT flag, the prompt, the input fd): call the stateful parts
 * from LineEditor.swift only.
 */

#include <errno.h>
#include <histedit.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

/* ---- SIGINT ------------------------------------------------------------------------ */

/* Set by the SIGINT handler; the REPL reads and clears it. */
static volatile sig_atomic_t lkq_interrupted = 0;

static void lkq_on_sigint(int signo) {
    (void)signo;
    lkq_interrupted = 1;
}

/*
 * Installs the handler without SA_RESTART, so a blocked read() returns EINTR. SIGINT is
 * also unblocked: a parent that started us from a thread with signals blocked (as thread
 * pools do) would otherwise leave Ctrl-C dead.
 */
static inline int lkq_install_sigint(void) {
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

/* Returns whether SIGINT arrived since the last call, and clears the flag. */
static inline int lkq_take_interrupt(void) {
    int was = lkq_interrupted;
    lkq_interrupted = 0;
    return was;
}

/* ---- Terminal ---------------------------------------------------------------------- */

/* Columns of the terminal on fd, or 0 when fd is not a terminal. */
static inline int lkq_terminal_width(int fd) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 0;
}

/* ---- Reading characters ------------------------------------------------------------ */

static int lkq_input_fd = 0;

/* A byte read while decoding a character that turned out not to belong to it; it starts the
   next character instead of being lost. -1 when there is none. */
static int lkq_pending_byte = -1;

/*
 * libedit's own reader retries a read() interrupted by a signal once, so the first Ctrl-C
 * would be swallowed. This one gives up at once when SIGINT arrived, which makes el_gets
 * return NULL; it decodes UTF-8 itself so it does not depend on the C library's locale.
 * Bytes that are not UTF-8 (a terminal set to Latin-1, say) become U+FFFD, which the REPL
 * reports as an error at its place; overlong forms, surrogates and values past U+10FFFF
 * count as not UTF-8 too, so libedit never holds a character it cannot print.
 */
static int lkq_read_char(EditLine *el, wchar_t *out) {
    (void)el;
    unsigned char bytes[4];
    int have = 0, need = 1;
    for (;;) {
        /* A Ctrl-C that came before this read (while the terminal was still cooked) counts too. */
        if (lkq_interrupted) return -1;
        if (lkq_pending_byte >= 0) {
            bytes[have] = (unsigned char)lkq_pending_byte;
            lkq_pending_byte = -1;
        } else {
            ssize_t n = read(lkq_input_fd, bytes + have, 1);
            if (n == 0) {
                if (have > 0) { *out = (wchar_t)0xFFFD; return 1; }
                return 0;
            }
            if (n < 0) {
                if (errno == EINTR && !lkq_interrupted) continue;
                return -1;
            }
        }
        if (have == 0) {
            unsigned char b = bytes[0];
            if (b < 0x80) { *out = (wchar_t)b; return 1; }
            else if (b >= 0xC2 && b <= 0xDF) need = 2;
            else if ((b & 0xF0) == 0xE0) need = 3;
            else if (b >= 0xF0 && b <= 0xF4) need = 4;
            else { *out = (wchar_t)0xFFFD; return 1; }
        } else if ((bytes[have] & 0xC0) != 0x80) {
            /* A broken sequence: a replacement character, and the byte that broke it is read
               again as the start of the next character. */
            lkq_pending_byte = bytes[have];
            *out = (wchar_t)0xFFFD;
            return 1;
        }
        have++;
        if (have == need) {
            unsigned long c;
            if (need == 2) c = ((bytes[0] & 0x1Ful) << 6) | (bytes[1] & 0x3Ful);
            else if (need == 3) c = ((bytes[0] & 0x0Ful) << 12) | ((bytes[1] & 0x3Ful) << 6) | (bytes[2] & 0x3Ful);
            else c = ((bytes[0] & 0x07ul) << 18) | ((bytes[1] & 0x3Ful) << 12) | ((bytes[2] & 0x3Ful) << 6) | (bytes[3] & 0x3Ful);
            if ((need == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) || (need == 4 && (c < 0x10000 || c > 0x10FFFF)))
                c = 0xFFFD;
            *out = (wchar_t)c;
            return 1;
        }
    }
}

/* ---- EditLine ---------------------------------------------------------------------- */

/* Starts libedit on stdin/stdout/stderr with LKQ's character reader. */
static inline EditLine *lkq_el_init(const char *program) {
    EditLine *el = el_init(program, stdin, stdout, stderr);
    if (el == NULL) return NULL;
    lkq_input_fd = fileno(stdin);
    el_set(el, EL_GETCFN, lkq_read_char);
    return el;
}

/* The prompt comes from a function of the caller's, which keeps the text with the editor
   (through EL_CLIENTDATA) rather than in static storage here, which each importing object
   file would have its own copy of. */
static inline int lkq_el_set_prompt_function(EditLine *el, char *(*fn)(EditLine *)) {
    return el_set(el, EL_PROMPT, fn);
}

static inline int lkq_el_set_editor(EditLine *el, const char *mode) {
    return el_set(el, EL_EDITOR, mode);
}

static inline int lkq_el_bind(EditLine *el, const char *key, const char *command) {
    return el_set(el, EL_BIND, key, command, NULL);
}

typedef unsigned char (*lkq_el_function)(EditLine *, int);

/* Registers `fn` as an editor command called `name` and binds it to `key`. */
static inline int lkq_el_bind_function(EditLine *el, const char *name, const char *help,
                                       lkq_el_function fn, const char *key) {
    if (el_set(el, EL_ADDFN, name, help, fn) != 0) return -1;
    return el_set(el, EL_BIND, key, name, NULL);
}

static inline int lkq_el_set_history(EditLine *el, History *h) {
    return el_set(el, EL_HIST, history, h);
}

static inline int lkq_el_set_clientdata(EditLine *el, void *data) {
    return el_set(el, EL_CLIENTDATA, data);
}

static inline void *lkq_el_get_clientdata(EditLine *el) {
    void *data = NULL;
    if (el_get(el, EL_CLIENTDATA, &data) != 0) return NULL;
    return data;
}

/* ---- History ----------------------------------------------------------------------- */

static inline int lkq_history_setsize(History *h, int size) {
    HistEvent ev;
    return history(h, &ev, H_SETSIZE, size);
}

static inline int lkq_history_setunique(History *h, int unique) {
    HistEvent ev;
    return history(h, &ev, H_SETUNIQUE, unique);
}

static inline int lkq_history_enter(History *h, const char *line) {
    HistEvent ev;
    return history(h, &ev, H_ENTER, line);
}

static inline int lkq_history_load(History *h, const char *path) {
    HistEvent ev;
    return history(h, &ev, H_LOAD, path);
}

static inline int lkq_history_save(History *h, const char *path) {
    HistEvent ev;
    return history(h, &ev, H_SAVE, path);
}

#endif
