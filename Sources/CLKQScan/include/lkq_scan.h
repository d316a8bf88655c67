#ifndef LKQ_SCAN_H
#define LKQ_SCAN_H

#include <stddef.h>
#include <stdint.h>

/// Masks of the bytes being split, kept between calls (opaque).
typedef struct lkqscan_window lkqscan_window;

lkqscan_window *lkqscan_window_new(void);
void lkqscan_window_free(lkqscan_window *window);

/// Where `lkqscan_plain_rows` writes the rows it splits: per row, one entry per wanted
/// column (start, end, flags), the row's start offset and the lines before it.
typedef struct {
    /// The bytes; offsets below are from here.
    const uint8_t *bytes;
    /// No byte at or after this offset is read.
    ptrdiff_t end;
    /// No row that starts at or after this offset is split.
    ptrdiff_t stop_at;
    uint8_t separator;
    /// Fields every row must have.
    ptrdiff_t columns;
    /// Per field of a row: its entry among the wanted columns, or -1 when it is not wanted.
    const int32_t *slot;
    /// Entries per row.
    ptrdiff_t wanted;
    ptrdiff_t *starts;
    ptrdiff_t *ends;
    uint8_t *flags;
    ptrdiff_t *row_start;
    ptrdiff_t *lines_before;
    /// The last field with an entry (-1: none); fields after it are only counted.
    ptrdiff_t last_wanted;
    /// Set whenever `bytes`, `end` or the bytes themselves change: the masks are then made again.
    int changed;
    lkqscan_window *window;
} lkqscan_rows;

/// Splits the rows that start at `pos` while each is plain: exactly `columns` fields, each
/// unquoted or quoted (doubled quotes allowed) and followed by a separator, an LF or a CRLF; valid
/// UTF-8 with no NUL; no line end inside quotes, no CR alone, no quote inside an unquoted field.
/// Writes row `first` onwards, at most `max_rows` of them, and stops before the first row that
/// is not plain or not whole before `end`: the caller's full tokenizer reads that one, with all
/// its rules and errors. Returns the rows split; `*next` is the offset of the row after them.
ptrdiff_t lkqscan_plain_rows(lkqscan_rows *r, ptrdiff_t pos, ptrdiff_t first, ptrdiff_t max_rows,
                             ptrdiff_t lines, ptrdiff_t *next);

/// Grows an anonymous mapping of `bytes` to `new_bytes`, moving it if it must, without copying
/// its pages (Linux `mremap`, which Swift cannot call: it is variadic). NULL when that cannot
/// be done here; the caller then maps anew and copies.
void *lkqscan_remap(void *mapping, size_t bytes, size_t new_bytes);

#endif
