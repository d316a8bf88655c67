#ifndef LKQ_CEDITLINE_H
#define LKQ_CEDITLINE_H

/*
 * Fixed-argument wrappers around libedit's variadic el_set/el_get/history calls, which Swift
 * cannot call, plus the signal, terminal and input plumbing the shell needs.
 *
 * Every function is defined in shim.c, and all state (the SIGINT flag above all) lives there,
 * in one translation unit. When the flag was a `static` in this header, every Swift file that
 * imported it got its own copy, and in a release build cross-file inlining left the query loop
 * watching a copy the signal handler never set: Ctrl-C did nothing.
 */

#include <histedit.h>
#include <stddef.h>

/* ---- SIGINT ------------------------------------------------------------------------ */

/* Installs the SIGINT handler (without SA_RESTART, so a blocked read() returns EINTR) and
   unblocks SIGINT, which a parent's thread pool may have left blocked. */
int lkq_install_sigint(void);

/* Whether SIGINT arrived since the last call; clears the flag. */
int lkq_take_interrupt(void);

/* Whether SIGINT arrived since the flag was last cleared; leaves it set. */
int lkq_interrupt_pending(void);

/* ---- Terminal ---------------------------------------------------------------------- */

/* Columns of the terminal on fd, or 0 when fd is not a terminal. */
int lkq_terminal_width(int fd);

/* Columns the character takes on a terminal (wcwidth), -1 for one that cannot be shown. */
int lkq_wcwidth(unsigned int c);

/* ---- Input ------------------------------------------------------------------------- */

/* Whether input already typed or pasted, and not yet read by the editor, starts (after blanks)
   with `|`: the line just read is then continued by the next, as in a script. Waits for no
   key: only bytes that have arrived count. */
int lkq_typeahead_starts_with_pipe(void);

/* Text of several lines pasted with bracketed paste since the last call, or NULL. The caller
   frees it. The editor saw the paste as a line break, so el_gets returned what was typed
   before it. A paste within one line never comes here: it joins the line as typed text. */
char *lkq_take_paste(void);

/* Terminal switches for bracketed paste (ESC [ ? 2004 h / l), written to standard output. */
void lkq_bracketed_paste(int on);

/* Called before the reader waits for a key, once the editor has drawn the line: the place to
   redraw it with colours. NULL for none. */
typedef void (*lkq_idle_function)(EditLine *);
void lkq_set_idle_function(lkq_idle_function fn);

/* ---- EditLine ---------------------------------------------------------------------- */

/* Starts libedit on stdin/stdout/stderr with LKQ's character reader. */
EditLine *lkq_el_init(const char *program);

/* The prompt comes from a function of the caller's, which keeps the text with the editor
   (through EL_CLIENTDATA). */
int lkq_el_set_prompt_function(EditLine *el, char *(*fn)(EditLine *));
int lkq_el_set_editor(EditLine *el, const char *mode);
int lkq_el_bind(EditLine *el, const char *key, const char *command);

typedef unsigned char (*lkq_el_function)(EditLine *, int);

/* Registers `fn` as an editor command called `name` and binds it to `key`. */
int lkq_el_bind_function(EditLine *el, const char *name, const char *help, lkq_el_function fn,
                         const char *key);
int lkq_el_set_history(EditLine *el, History *h);
int lkq_el_set_clientdata(EditLine *el, void *data);
void *lkq_el_get_clientdata(EditLine *el);

/* ---- History ----------------------------------------------------------------------- */

int lkq_history_setsize(History *h, int size);
int lkq_history_setunique(History *h, int unique);
int lkq_history_enter(History *h, const char *line);
int lkq_history_load(History *h, const char *path);
int lkq_history_save(History *h, const char *path);

#endif
