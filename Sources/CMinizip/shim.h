#ifndef LKQ_CMINIZIP_SHIM_H
#define LKQ_CMINIZIP_SHIM_H
/* minizip (Debian libminizip-dev): reads the zip container of an .xlsx workbook. */
#include <minizip/unzip.h>
#endif
