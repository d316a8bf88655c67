<?php
/**
 * Writes the C declarations of liblkqc.so for PHP's ffi.preload: include/lkqc.h without what
 * FFI cannot read, headed by FFI_SCOPE "LKQ" and FFI_LIB (the library's absolute path).
 *
 *     php bindings/php/preload-header.php [/path/to/liblkqc.so] > /etc/php/lkq-ffi.h
 *     ; php.ini of the web server (PHP-FPM, Apache mod_php):
 *     ffi.enable=preload
 *     ffi.preload=/etc/php/lkq-ffi.h
 *
 * LKQ\Library then finds the declarations as FFI::scope("LKQ"), with no FFI::cdef per request
 * (which ffi.enable=preload forbids outside the CLI).
 */
require __DIR__ . '/LKQ.php';

$library = realpath($argv[1] ?? LKQ\Library::path());
if ($library === false) {
    fwrite(STDERR, "preload-header.php: no library at {$argv[1]}\n");
    exit(2);
}
echo "#define FFI_SCOPE \"LKQ\"\n";
echo "#define FFI_LIB \"$library\"\n";
echo LKQ\Library::declarations(LKQ\Library::header());
