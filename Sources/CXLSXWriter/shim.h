#ifndef LKQ_CXLSXWRITER_SHIM_H
#define LKQ_CXLSXWRITER_SHIM_H
/* libxlsxwriter (Debian libxlsxwriter-dev): writes results as .xlsx workbooks. */
#include <xlsxwriter.h>
#endif
