<?php
/**
 * LKQ from PHP through FFI: the same liblkqc.so (include/lkqc.h) the Python binding uses.
 *
 *     require 'bindings/php/LKQ.php';
 *     $db = LKQ\Connection::open();                        // built-in LKIP 2023 data
 *     foreach ($db->run('capaian where sasaran=2 and < 75 | select no, indikator, capaian') as $row) {
 *         echo $row['indikator'], ': ', $row['capaian'], "\n";
 *     }
 *
 * A failed statement throws LKQ\Error with its kind, line, column and the text lkq prints.
 *
 * The C declarations are read from include/lkqc.h itself (its #define constants too), so they
 * cannot drift from the library. In a web app, FFI is off outside preloading
 * (ffi.enable=preload, the default); preload the declarations once per server with
 * ffi.preload pointing at the file `php bindings/php/preload-header.php` writes (see README,
 * "From Python and PHP"), and this class finds them as FFI::scope("LKQ").
 */
namespace LKQ;

/** A failed LKQ statement or data file: what went wrong and where. */
final class Error extends \RuntimeException
{
    /**
     * @param string   $kind      lexical, syntax, name, type, data, cancelled or limit
     * @param int|null $lkqLine   one-based line in the script (null when there is no place)
     * @param int|null $lkqColumn one-based column, in characters
     * @param string   $detail    the message alone, without place or caret
     * @param string   $rendered  SOURCE:LINE:COL: error: MESSAGE, the line and a caret (also getMessage())
     */
    public function __construct(
        public readonly string $kind,
        public readonly ?int $lkqLine,
        public readonly ?int $lkqColumn,
        public readonly string $detail,
        public readonly string $rendered,
    ) {
        parent::__construct($rendered);
    }
}

/** The C library, declared once per process from include/lkqc.h. */
final class Library
{
    private static ?\FFI $ffi = null;
    /** @var array<string,int> the header's LKQ_* constants */
    private static array $constants = [];

    /** Where liblkqc.so is: $LKQ_LIBRARY, else the repository's .build/release or .build/debug. */
    public static function path(): string
    {
        $explicit = getenv('LKQ_LIBRARY');
        if ($explicit) {
            return $explicit;
        }
        $root = dirname(__DIR__, 2);
        foreach (['release', 'debug'] as $config) {
            $candidate = "$root/.build/$config/liblkqc.so";
            if (is_file($candidate)) {
                return $candidate;
            }
        }
        throw new \RuntimeException('liblkqc.so not found: run `swift build --product lkqc` in the LKQ '
            . 'repository, or set LKQ_LIBRARY to its path');
    }

    /** The header's path. */
    public static function header(): string
    {
        return getenv('LKQ_HEADER') ?: dirname(__DIR__, 2) . '/include/lkqc.h';
    }

    /** The declarations of lkqc.h as FFI can read them: no comments, preprocessor lines or extern "C". */
    public static function declarations(string $header): string
    {
        $text = preg_replace('#/\*.*?\*/#s', '', file_get_contents($header));
        $text = preg_replace('/^\s*#.*$/m', '', $text);
        return preg_replace('/^\s*(extern "C" \{|\})\s*$/m', '', $text);
    }

    /** The LKQ_* constants of the header: LKQ_RUN_BAIL => 1, and so on. */
    public static function constant(string $name): int
    {
        if (!self::$constants) {
            preg_match_all('/^#define (LKQ_\w+)\s+(-?\d+)/m', file_get_contents(self::header()), $m);
            self::$constants = array_map('intval', array_combine($m[1], $m[2]));
        }
        return self::$constants[$name] ?? throw new \LogicException("$name is not in lkqc.h");
    }

    public static function ffi(): \FFI
    {
        if (self::$ffi === null) {
            // Preloaded by ffi.preload (a web server); otherwise declared now (the CLI).
            try {
                self::$ffi = \FFI::scope('LKQ');
            } catch (\FFI\Exception) {
                self::$ffi = \FFI::cdef(self::declarations(self::header()), self::path());
            }
        }
        return self::$ffi;
    }
}

/** An engine and a session of its own: `let` names persist between run() calls. */
final class Connection
{
    private \FFI $ffi;
    private $engine;
    private $session;

    /**
     * @param list<string> $data    CSV files or folders of them, each a table named after its file
     * @param bool         $builtin include the built-in LKIP 2023 tables
     */
    public static function open(array $data = [], bool $builtin = true): self
    {
        return new self($data, $builtin);
    }

    private function __construct(array $data, bool $builtin)
    {
        $this->ffi = Library::ffi();
        $this->engine = $this->ffi->lkq_engine_open(Library::constant($builtin ? 'LKQ_ENGINE_BUILTIN' : 'LKQ_ENGINE_EMPTY'));
        foreach ($data as $path) {
            $error = $this->ffi->new('lkq_error *');
            $status = is_dir($path)
                ? $this->ffi->lkq_engine_load_directory($this->engine, $path, 0, \FFI::addr($error))
                : $this->ffi->lkq_engine_load_csv($this->engine, $path, null, 0, \FFI::addr($error));
            if ($status !== 0) {
                $exception = $this->error($error);
                $this->ffi->lkq_error_free($error);
                $this->close();
                throw $exception;
            }
        }
        $this->session = $this->ffi->lkq_session_open($this->engine);
    }

    /**
     * Runs the statements of $script and returns the rows of the last query as a list of
     * associative arrays (int, float, string or null values), [] when no statement was a query.
     * Stops at the first failed statement and throws it as LKQ\Error; $sourceName is the name
     * errors are reported under (the lkq command says "-e" for -e text).
     *
     * @return list<array<string,int|float|string|null>>
     */
    public function run(string $script, string $sourceName = '<input>'): array
    {
        $ffi = $this->ffi;
        $run = $ffi->lkq_session_run($this->session, $script, $sourceName, Library::constant('LKQ_RUN_BAIL'));
        try {
            $error = $ffi->lkq_run_first_error($run);
            if ($error !== null) {
                throw $this->error($error);
            }
            $result = $ffi->lkq_run_last_result($run);
            return $result === null ? [] : $this->rows($result);
        } finally {
            $ffi->lkq_run_free($run);
        }
    }

    /** Limits every later statement (rows read, rows produced, seconds); null leaves one off. */
    public function setBudget(?int $maxRowsScanned = null, ?int $maxRowsProduced = null, ?float $seconds = null): void
    {
        $this->ffi->lkq_session_set_budget($this->session, $maxRowsScanned ?? 0, $maxRowsProduced ?? 0,
            $seconds === null ? 0 : (int) round($seconds * 1000));
    }

    /** Frees the session and the engine. */
    public function close(): void
    {
        if ($this->session !== null) {
            $this->ffi->lkq_session_free($this->session);
            $this->session = null;
        }
        if ($this->engine !== null) {
            $this->ffi->lkq_engine_free($this->engine);
            $this->engine = null;
        }
    }

    public function __destruct()
    {
        $this->close();
    }

    private function rows($result): array
    {
        $ffi = $this->ffi;
        $columns = $ffi->lkq_result_column_count($result);
        $names = [];
        $types = [];
        for ($c = 0; $c < $columns; $c++) {
            $names[] = $ffi->lkq_result_column_name($result, $c);
            $types[] = $ffi->lkq_result_column_type($result, $c);
        }
        $int = Library::constant('LKQ_TYPE_INT');
        $double = Library::constant('LKQ_TYPE_DOUBLE');
        $rows = [];
        $count = $ffi->lkq_result_row_count($result);
        for ($r = 0; $r < $count; $r++) {
            $row = [];
            foreach ($names as $c => $name) {
                $row[$name] = match (true) {
                    $ffi->lkq_result_is_null($result, $r, $c) === 1 => null,
                    $types[$c] === $int => $ffi->lkq_result_int($result, $r, $c),
                    $types[$c] === $double => $ffi->lkq_result_double($result, $r, $c),
                    default => $ffi->lkq_result_text($result, $r, $c),
                };
            }
            $rows[] = $row;
        }
        return $rows;
    }

    private function error($error): Error
    {
        $ffi = $this->ffi;
        $line = $ffi->lkq_error_line($error);
        $column = $ffi->lkq_error_column($error);
        return new Error($ffi->lkq_error_kind_name($error), $line ?: null, $column ?: null,
            $ffi->lkq_error_message($error), $ffi->lkq_error_rendered($error));
    }
}
