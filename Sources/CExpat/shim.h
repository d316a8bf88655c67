#ifndef LKQ_CEXPAT_SHIM_H
#define LKQ_CEXPAT_SHIM_H
/* expat (Debian libexpat1-dev): parses the XML parts of an .xlsx workbook as a stream. */
#include <expat.h>
#endif
