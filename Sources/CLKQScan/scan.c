// The plain-row splitter behind the CSV reader: bytes are classified 64 at a time into bit masks
// (separators, line feeds, quotes, and bytes that need a second look), then rows are checked in
// whole words and fields cut at the set bits, one step per field instead of one per byte.
// Swift's SIMD types do not compile to a byte mask (no pmovmskb), hence C. Also `mremap`, which
// Swift cannot call.
#define _GNU_SOURCE
#include "lkq_scan.h"
#if defined(__linux__)
#include <sys/mman.h>
#endif
#include <stdlib.h>
#include <string.h>


typedef struct {
    uint64_t sep, lf, cr, quote, bad;
} masks;

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

static inline uint64_t mask16(__m128i eq, int shift) {
    return (uint64_t)(uint16_t)_mm_movemask_epi8(eq) << shift;
}

static inline void classify16(const uint8_t *p, __m128i sep, masks *m, int shift) {
    const __m128i x = _mm_loadu_si128((const __m128i *)p);
    m->sep |= mask16(_mm_cmpeq_epi8(x, sep), shift);
    m->lf |= mask16(_mm_cmpeq_epi8(x, _mm_set1_epi8('\n')), shift);
    m->cr |= mask16(_mm_cmpeq_epi8(x, _mm_set1_epi8('\r')), shift);
    m->quote |= mask16(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')), shift);
    // A byte's high bit is its own mask bit: a byte above 0x7F starts or continues UTF-8.
    m->bad |= mask16(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_setzero_si128()), x), shift);
}

static masks classify_sse2(const uint8_t *p, uint8_t separator) {
    masks m = {0, 0, 0, 0, 0};
    const __m128i sep = _mm_set1_epi8((char)separator);
    classify16(p, sep, &m, 0);
    classify16(p + 16, sep, &m, 16);
    classify16(p + 32, sep, &m, 32);
    classify16(p + 48, sep, &m, 48);
    return m;
}

__attribute__((target("avx2"))) static inline uint64_t mask32(__m256i eq, int shift) {
    return (uint64_t)(uint32_t)_mm256_movemask_epi8(eq) << shift;
}

/// The window's masks; CR, NUL and bytes above 0x7F are one.
__attribute__((target("avx2"))) static void classify_window_avx2(const uint8_t *p, uint8_t separator, uint64_t *sep,
                                                                 uint64_t *lf, uint64_t *quote, uint64_t *other) {
    const __m256i s = _mm256_set1_epi8((char)separator), n = _mm256_set1_epi8('\n');
    const __m256i q = _mm256_set1_epi8('"'), r = _mm256_set1_epi8('\r'), z = _mm256_setzero_si256();
    uint64_t ms = 0, ml = 0, mq = 0, mo = 0;
    for (int h = 0; h < 2; h++) {
        const __m256i x = _mm256_loadu_si256((const __m256i *)(p + 32 * h));
        ms |= mask32(_mm256_cmpeq_epi8(x, s), 32 * h);
        ml |= mask32(_mm256_cmpeq_epi8(x, n), 32 * h);
        mq |= mask32(_mm256_cmpeq_epi8(x, q), 32 * h);
        const __m256i odd = _mm256_or_si256(_mm256_cmpeq_epi8(x, r), _mm256_or_si256(_mm256_cmpeq_epi8(x, z), x));
        mo |= mask32(odd, 32 * h);
    }
    *sep = ms;
    *lf = ml;
    *quote = mq;
    *other = mo;
}

/// Whether the processor and the system both allow AVX2 (the OS saves the YMM registers).
static int avx2_usable(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE) || !(c & bit_AVX)) return 0;
    unsigned lo, hi;
    __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 6) != 6) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b & bit_AVX2) != 0;
}
#endif

/// Masks of the 64 bytes at `p`.
static inline masks classify(const uint8_t *p, uint8_t separator) {
#if defined(__x86_64__)
    return classify_sse2(p, separator);
#else
    masks m = {0, 0, 0, 0, 0};
    for (int i = 0; i < 64; i++) {
        const uint8_t c = p[i];
        const uint64_t bit = (uint64_t)1 << i;
        if (c == separator) m.sep |= bit;
        if (c == '\n') m.lf |= bit;
        if (c == '\r') m.cr |= bit;
        if (c == '"') m.quote |= bit;
        if (c == 0 || c >= 0x80) m.bad |= bit;
    }
    return m;
#endif
}

/// Length of the valid UTF-8 sequence at `p` (2 to 4), or 0 when it is not valid or not whole
/// before `end` (the tokenizer then says which).
static inline ptrdiff_t utf8_length(const uint8_t *b, ptrdiff_t p, ptrdiff_t end) {
    const uint8_t c0 = b[p];
    ptrdiff_t len;
    if (c0 < 0xC2) return 0;
    else if (c0 < 0xE0) len = 2;
    else if (c0 < 0xF0) len = 3;
    else if (c0 < 0xF5) len = 4;
    else return 0;
    if (p + len > end) return 0;
    const uint8_t c1 = b[p + 1];
    switch (c0) {
    case 0xE0: if (c1 < 0xA0 || c1 > 0xBF) return 0; break;
    case 0xED: if (c1 < 0x80 || c1 > 0x9F) return 0; break;
    case 0xF0: if (c1 < 0x90 || c1 > 0xBF) return 0; break;
    case 0xF4: if (c1 < 0x80 || c1 > 0x8F) return 0; break;
    default: if ((c1 & 0xC0) != 0x80) return 0;
    }
    if (len >= 3 && (b[p + 2] & 0xC0) != 0x80) return 0;
    if (len == 4 && (b[p + 3] & 0xC0) != 0x80) return 0;
    return len;
}

/// Splits rows one event (separator, line end, quote, byte above 0x7F) at a time: quoted
/// fields, CRLF and UTF-8 are read here, anything rarer is left to the tokenizer.
static ptrdiff_t event_rows(const lkqscan_rows *r, ptrdiff_t pos, ptrdiff_t first, ptrdiff_t max_rows,
                            ptrdiff_t lines, ptrdiff_t *next) {
    const uint8_t *b = r->bytes;
    const ptrdiff_t end = r->end, columns = r->columns, wanted = r->wanted;
    const uint8_t separator = r->separator;
    const int32_t *slot = r->slot;
    ptrdiff_t rows = 0, row_start = pos, field_start = pos, f = 0;
    ptrdiff_t entry = first * wanted;
    // The field being read: inside quotes; where its closing quote was (-1: none yet); bit 0:
    // quoted, bit 1: holds doubled quotes (the tokenizer's flags).
    int quoted = 0;
    ptrdiff_t closed = -1;
    uint8_t flags = 0;
    // Bytes before `skip` that are events were already dealt with (a doubled quote's second,
    // the LF of a CRLF, UTF-8 continuation bytes).
    ptrdiff_t skip = pos;
    *next = pos;
    if (max_rows <= 0 || pos >= r->stop_at || pos >= end) return 0;
    uint8_t tail[64];
    for (ptrdiff_t block = pos; block < end; block += 64) {
        masks m;
        uint64_t valid = ~(uint64_t)0;
        if (end - block >= 64) {
            m = classify(b + block, separator);
        } else {
            // The last bytes are copied, so nothing past `end` is read.
            memset(tail, 0, sizeof tail);
            memcpy(tail, b + block, (size_t)(end - block));
            m = classify(tail, separator);
            valid = ((uint64_t)1 << (end - block)) - 1;
        }
        uint64_t events = (m.sep | m.lf | m.cr | m.quote | m.bad) & valid;
        while (events) {
            const int i = __builtin_ctzll(events);
            events &= events - 1;
            const ptrdiff_t at = block + i;
            if (at < skip) continue;
            const uint64_t bit = (uint64_t)1 << i;
            if (m.bad & bit) {
                if (b[at] == 0) return rows;
                const ptrdiff_t len = utf8_length(b, at, end);
                if (len == 0) return rows;
                skip = at + len;
                continue;
            }
            if (m.quote & bit) {
                if (quoted) {
                    if (at + 1 >= end) return rows;
                    if (b[at + 1] == '"') { flags |= 2; skip = at + 2; continue; }
                    // A closing quote must be followed by a separator or a line end.
                    const uint8_t after = b[at + 1];
                    if (after != separator && after != '\n' && after != '\r') return rows;
                    quoted = 0;
                    closed = at;
                    continue;
                }
                // A quote that opens the field; one inside an unquoted field is the tokenizer's.
                if (at != field_start || closed >= 0) return rows;
                quoted = 1;
                flags = 1;
                continue;
            }
            if (quoted) {
                // A separator inside quotes is text; a line end inside them is the tokenizer's.
                if (m.sep & bit) continue;
                return rows;
            }
            int row_ends = 0;
            ptrdiff_t after_row = at + 1;
            if (m.cr & bit) {
                // CRLF ends the row; a CR alone is the tokenizer's.
                if (at + 1 >= end || b[at + 1] != '\n') return rows;
                row_ends = 1;
                after_row = at + 2;
                skip = at + 2;
            } else if (m.lf & bit) {
                row_ends = 1;
            }
            if (f < columns) {
                const int32_t s = slot[f];
                if (s >= 0) {
                    if (closed >= 0) {
                        r->starts[entry + s] = field_start + 1;
                        r->ends[entry + s] = closed;
                        r->flags[entry + s] = flags;
                    } else {
                        r->starts[entry + s] = field_start;
                        r->ends[entry + s] = at;
                        r->flags[entry + s] = 0;
                    }
                }
            }
            f++;
            closed = -1;
            flags = 0;
            if (row_ends) {
                if (f != columns) return rows;
                r->row_start[first + rows] = row_start;
                r->lines_before[first + rows] = lines + rows;
                rows++;
                entry += wanted;
                row_start = field_start = after_row;
                f = 0;
                *next = row_start;
                if (rows == max_rows || row_start >= r->stop_at) return rows;
            } else {
                if (f >= columns) return rows;
                field_start = at + 1;
            }
        }
    }
    return rows;
}

enum { WINDOW_WORDS = 64 };

/// The masks of up to 4 KB of bytes from `base`: separators, LFs, quotes, and the bytes that
/// need a second look (CR, NUL, above 0x7F).
struct lkqscan_window {
    uint64_t sep[WINDOW_WORDS], lf[WINDOW_WORDS], quote[WINDOW_WORDS], other[WINDOW_WORDS];
    ptrdiff_t base, length, words;
    int avx2;
};

lkqscan_window *lkqscan_window_new(void) {
    lkqscan_window *w = calloc(1, sizeof *w);
    if (!w) return NULL;
#if defined(__x86_64__)
    w->avx2 = avx2_usable();
#endif
    return w;
}

void lkqscan_window_free(lkqscan_window *w) { free(w); }

static void fill(lkqscan_window *w, const lkqscan_rows *r, ptrdiff_t base) {
    const ptrdiff_t left = r->end - base;
    w->base = base;
    w->length = left < WINDOW_WORDS * 64 ? left : WINDOW_WORDS * 64;
    w->words = (w->length + 63) / 64;
    uint8_t tail[64];
    for (ptrdiff_t k = 0; k < w->words; k++) {
        const ptrdiff_t off = base + k * 64;
        const uint8_t *p = r->bytes + off;
        uint64_t valid = ~(uint64_t)0;
        if (r->end - off < 64) {
            // The last bytes are copied, so nothing past `end` is read.
            memset(tail, 0, sizeof tail);
            memcpy(tail, p, (size_t)(r->end - off));
            p = tail;
            valid = ((uint64_t)1 << (r->end - off)) - 1;
        }
#if defined(__x86_64__)
        if (w->avx2) {
            classify_window_avx2(p, r->separator, &w->sep[k], &w->lf[k], &w->quote[k], &w->other[k]);
            w->sep[k] &= valid;
            w->lf[k] &= valid;
            w->quote[k] &= valid;
            w->other[k] &= valid;
            continue;
        }
#endif
        const masks m = classify(p, r->separator);
        w->sep[k] = m.sep & valid;
        w->lf[k] = m.lf & valid;
        w->quote[k] = m.quote & valid;
        w->other[k] = (m.cr | m.bad) & valid;
    }
}

/// The bits of word `k` for window positions `from..<to`.
static inline uint64_t range_bits(ptrdiff_t k, ptrdiff_t from, ptrdiff_t to) {
    const ptrdiff_t lo = from - k * 64, hi = to - k * 64;
    uint64_t m = ~(uint64_t)0;
    if (lo > 0) m &= ~(uint64_t)0 << lo;
    if (hi < 64) m &= hi <= 0 ? 0 : ~(uint64_t)0 >> (64 - hi);
    return m;
}

/// A row of the window from `rel`, its content ending at `ce` (before its LF or CRLF), with quotes in
/// it and no other byte that needs a second look: checks that every quote opens a field,
/// closes one (followed by a separator or the row's end) or is doubled inside one, that no line
/// end is inside quotes, and that the separators outside quotes make `columns` fields; then
/// writes the wanted fields (inside the quotes, flagged as the tokenizer flags them). Returns 1,
/// or 0 when the row is not like that and the event loop must read it.
static inline __attribute__((always_inline)) ptrdiff_t quoted_row(lkqscan_rows *r, const lkqscan_window *w,
                                                                  ptrdiff_t rel, ptrdiff_t ce,
                                                                  ptrdiff_t seps, ptrdiff_t row, ptrdiff_t last_wanted) {
    enum { MAX_QUOTED = 32 };
    // The quoted fields: where each opens and closes (window positions), and its flags.
    ptrdiff_t open_at[MAX_QUOTED], close_at[MAX_QUOTED];
    uint8_t field_flags[MAX_QUOTED];
    int nq = 0;
    const uint8_t *b = r->bytes + w->base;
    const uint8_t separator = r->separator;
    int inside = 0;
    ptrdiff_t skip = -1;
    for (ptrdiff_t j = rel >> 6; j <= (ce - 1) >> 6; j++) {
        uint64_t bits = w->quote[j] & range_bits(j, rel, ce);
        while (bits) {
            const ptrdiff_t at = j * 64 + __builtin_ctzll(bits);
            bits &= bits - 1;
            if (at == skip) continue;
            if (!inside) {
                // A quote opens a field only at its start; one inside an unquoted field is kept
                // as text, which the event loop handles.
                if (at != rel && b[at - 1] != separator) return 0;
                if (nq == MAX_QUOTED) return 0;
                open_at[nq] = at;
                field_flags[nq] = 1;
                inside = 1;
            } else if (at + 1 < ce && b[at + 1] == '"') {
                field_flags[nq] |= 2;
                skip = at + 1;
            } else {
                if (at + 1 != ce && b[at + 1] != separator) return 0;
                close_at[nq++] = at;
                inside = 0;
            }
        }
    }
    // Still inside quotes at the LF: the field goes on over the line end.
    if (inside) return 0;
    for (int i = 0; i < nq; i++) {
        for (ptrdiff_t j = open_at[i] >> 6; j <= (close_at[i] - 1) >> 6; j++)
            seps -= __builtin_popcountll(w->sep[j] & range_bits(j, open_at[i] + 1, close_at[i]));
    }
    const ptrdiff_t columns = r->columns, wanted = r->wanted;
    if (seps != columns - 1) return 0;
    if (last_wanted < 0) return 1;
    const int32_t *slot = r->slot;
    ptrdiff_t *starts = r->starts + row * wanted;
    ptrdiff_t *ends = r->ends + row * wanted;
    uint8_t *flags = r->flags + row * wanted;
    const ptrdiff_t base = w->base;
    ptrdiff_t f = 0, fs = rel;
    int qi = 0;
    // Separators are taken in order, those inside the current quoted field passed over.
    for (ptrdiff_t j = rel >> 6; f <= last_wanted && j <= (ce - 1) >> 6; j++) {
        uint64_t bits = w->sep[j] & range_bits(j, rel, ce);
        while (bits && f <= last_wanted) {
            const ptrdiff_t at = j * 64 + __builtin_ctzll(bits);
            bits &= bits - 1;
            while (qi < nq && close_at[qi] < fs) qi++;
            if (qi < nq && open_at[qi] == fs && at < close_at[qi]) continue;
            const int32_t s = slot[f];
            if (s >= 0) {
                if (qi < nq && open_at[qi] == fs) {
                    starts[s] = base + fs + 1; ends[s] = base + close_at[qi]; flags[s] = field_flags[qi];
                } else {
                    starts[s] = base + fs; ends[s] = base + at; flags[s] = 0;
                }
            }
            f++;
            fs = at + 1;
        }
    }
    if (f == columns - 1 && slot[f] >= 0) {
        while (qi < nq && close_at[qi] < fs) qi++;
        const int32_t s = slot[f];
        if (qi < nq && open_at[qi] == fs) {
            starts[s] = base + fs + 1; ends[s] = base + close_at[qi]; flags[s] = field_flags[qi];
        } else {
            starts[s] = base + fs; ends[s] = base + ce; flags[s] = 0;
        }
    }
    return 1;
}

/// The row walk, compiled twice: for any x86-64 (or other processor), and for those with AVX2,
/// where popcount and tzcnt are single instructions instead of a dozen.
static inline __attribute__((always_inline)) ptrdiff_t plain_rows(lkqscan_rows *r, ptrdiff_t pos, ptrdiff_t first,
                                                                  ptrdiff_t max_rows, ptrdiff_t lines, ptrdiff_t *next) {
    const ptrdiff_t columns = r->columns, wanted = r->wanted, last_wanted = r->last_wanted;
    const int32_t *slot = r->slot;
    lkqscan_window *w = r->window;
    ptrdiff_t rows = 0, p = pos;
    *next = pos;
    if (!w) return 0;
    while (rows < max_rows && p < r->stop_at && p < r->end) {
        if (r->changed || p < w->base || p >= w->base + w->length) { fill(w, r, p); r->changed = 0; }
        // Most rows: find the LF, then check the row in whole words: no byte that needs a second
        // look, and columns - 1 separators.
        const ptrdiff_t rel = p - w->base;
        ptrdiff_t k = rel >> 6;
        uint64_t lf = w->lf[k] & (~(uint64_t)0 << (rel & 63));
        while (!lf && ++k < w->words) lf = w->lf[k];
        if (!lf) {
            // The row runs past the window: start one at the row, unless it already does.
            if (w->base != p) { fill(w, r, p); continue; }
            if (w->length < WINDOW_WORDS * 64) return rows;  // not whole before `end`
        } else {
            const ptrdiff_t e = k * 64 + __builtin_ctzll(lf);
            // A CRLF's CR ends the last field.
            const ptrdiff_t ce = e > rel && r->bytes[w->base + e - 1] == '\r' ? e - 1 : e;
            uint64_t odd = 0, quotes = 0;
            ptrdiff_t seps = 0;
            if (ce > rel) {
                for (ptrdiff_t j = rel >> 6; j <= (ce - 1) >> 6; j++) {
                    const uint64_t in = range_bits(j, rel, ce);
                    odd |= w->other[j] & in;
                    quotes |= w->quote[j] & in;
                    seps += __builtin_popcountll(w->sep[j] & in);
                }
            }
            if (!odd && quotes) {
                const ptrdiff_t got = quoted_row(r, w, rel, ce, seps, first + rows, last_wanted);
                if (got > 0) {
                    r->row_start[first + rows] = p;
                    r->lines_before[first + rows] = lines + rows;
                    rows++;
                    p = w->base + e + 1;
                    *next = p;
                    continue;
                }
            } else if (!odd && seps == columns - 1) {
                ptrdiff_t f = 0, fs = rel;
                ptrdiff_t *starts = r->starts + (first + rows) * wanted;
                ptrdiff_t *ends = r->ends + (first + rows) * wanted;
                uint8_t *flags = r->flags + (first + rows) * wanted;
                const ptrdiff_t base = w->base;
                for (ptrdiff_t j = rel >> 6; f <= last_wanted && f < columns - 1; j++) {
                    uint64_t bits = w->sep[j] & range_bits(j, rel, ce);
                    while (bits && f <= last_wanted) {
                        const ptrdiff_t at = j * 64 + __builtin_ctzll(bits);
                        bits &= bits - 1;
                        const int32_t s = slot[f];
                        if (s >= 0) { starts[s] = base + fs; ends[s] = base + at; flags[s] = 0; }
                        f++;
                        fs = at + 1;
                    }
                }
                if (f == columns - 1 && slot[f] >= 0) {
                    const int32_t s = slot[f];
                    starts[s] = base + fs; ends[s] = base + ce; flags[s] = 0;
                }
                r->row_start[first + rows] = p;
                r->lines_before[first + rows] = lines + rows;
                rows++;
                p = base + e + 1;
                *next = p;
                continue;
            }
        }
        // Quotes, UTF-8, a long row or a wrong field count: one row by events.
        ptrdiff_t after = p;
        if (event_rows(r, p, first + rows, 1, lines + rows, &after) != 1) return rows;
        rows++;
        p = after;
        *next = p;
    }
    return rows;
}

#if defined(__x86_64__)
__attribute__((target("avx2,popcnt,bmi"))) static ptrdiff_t plain_rows_avx2(lkqscan_rows *r, ptrdiff_t pos,
                                                                           ptrdiff_t first, ptrdiff_t max_rows,
                                                                           ptrdiff_t lines, ptrdiff_t *next) {
    return plain_rows(r, pos, first, max_rows, lines, next);
}
#endif

ptrdiff_t lkqscan_plain_rows(lkqscan_rows *r, ptrdiff_t pos, ptrdiff_t first, ptrdiff_t max_rows,
                             ptrdiff_t lines, ptrdiff_t *next) {
#if defined(__x86_64__)
    if (r->window && r->window->avx2) return plain_rows_avx2(r, pos, first, max_rows, lines, next);
#endif
    return plain_rows(r, pos, first, max_rows, lines, next);
}

void *lkqscan_remap(void *mapping, size_t bytes, size_t new_bytes) {
#if defined(__linux__)
    void *p = mremap(mapping, bytes, new_bytes, MREMAP_MAYMOVE);
    return p == MAP_FAILED ? NULL : p;
#else
    (void)mapping; (void)bytes; (void)new_bytes;
    return NULL;
#endif
}
