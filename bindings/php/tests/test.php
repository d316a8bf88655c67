<?php
/**
 * The PHP binding against the lkq command: the README's first query gives the same rows, a
 * failing query the same located error. Run by `make test-php`; exits 1 on any failure.
 * With LKQ_EXPECT_PRELOAD=1 it also checks that the declarations came from ffi.preload.
 */
require dirname(__DIR__) . '/LKQ.php';

$failures = 0;
function check(bool $ok, string $what): void
{
    global $failures;
    if (!$ok) {
        $failures++;
        fwrite(STDERR, "FAIL: $what\n");
    }
}

/** Runs the lkq command: [exit status, stdout, stderr]. */
function lkq(string ...$args): array
{
    $binary = getenv('LKQ_BIN') ?: dirname(__DIR__, 3) . '/.build/debug/lkq';
    $process = proc_open([$binary, ...$args], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    $out = stream_get_contents($pipes[1]);
    $err = stream_get_contents($pipes[2]);
    return [proc_close($process), $out, $err];
}

if (getenv('LKQ_EXPECT_PRELOAD')) {
    $scoped = true;
    try {
        FFI::scope('LKQ');
    } catch (FFI\Exception) {
        $scoped = false;
    }
    check($scoped, 'ffi.preload declared the LKQ scope');
}

$first = 'capaian where sasaran=2 and < 75 | select no, indikator, capaian';
$db = LKQ\Connection::open();

// The README's first query: the rows the command prints as JSON.
$rows = $db->run($first);
[$status, $json] = lkq('-f', 'json', '-e', $first);
check($status === 0, 'lkq ran the first query');
check($rows === json_decode($json, true), 'first query: same rows as `lkq -f json`: ' . json_encode($rows));
check(array_column($rows, 'no') === ['2', '3'], 'the indicators are 2 and 3');
check($rows[1]['capaian'] === 37.74, 'capaian is a float');

// A failing query: the same located error, kind and place.
$bad = 'capaian where sasran = 2';
[$status, , $stderr] = lkq('-e', $bad);
try {
    $db->run($bad, '-e');
    check(false, 'the failing query threw');
} catch (LKQ\Error $e) {
    check($status === 1, 'lkq failed too');
    check($e->getMessage() . "\n" === $stderr, "same error as lkq: {$e->getMessage()}");
    check([$e->kind, $e->lkqLine, $e->lkqColumn] === ['name', 1, 15], 'kind name at 1:15');
    check($e->detail === "unknown column 'sasran' in capaian; did you mean 'sasaran'?", 'message alone');
}

// `let` names persist in the connection; integers stay exact; nulls are null.
check($db->run('let lemah = capaian where < 80') === [], 'a let gives no rows');
check($db->run('lemah | count') === [['count' => 3]], 'the let name is remembered');
check($db->run('anggaran where level = "program" | sort kode | limit 1 | select pagu') === [['pagu' => 7430570290]],
    'rupiah stay exact integers');

// A budget stops a statement with kind limit.
$db->setBudget(maxRowsProduced: 5);
try {
    $db->run('anggaran | select kode');
    check(false, 'the budget stopped the statement');
} catch (LKQ\Error $e) {
    check($e->kind === 'limit' && $e->lkqLine === 1, "budget: {$e->kind}");
}
$db->setBudget();
check(count($db->run('anggaran | select kode')) === 48, 'budget lifted');
$db->close();

// A CSV file of one's own, and a broken one reported at file:line:col.
$dir = sys_get_temp_dir() . '/lkq-php-' . getmypid();
@mkdir($dir);
file_put_contents("$dir/iku.csv", "indikator,polaritas,target,realisasi\nBUMDes aktif,positif,100,90\nAngka kemiskinan,negatif,20,18\n");
$mine = LKQ\Connection::open(["$dir/iku.csv"], builtin: false);
check(array_column($mine->run('iku | select indikator, capaian'), 'capaian') === [90.0, 110.0], 'capaian computed from a CSV');
file_put_contents("$dir/bad.csv", "a,b\n1,2\n3\n");
try {
    LKQ\Connection::open(["$dir/bad.csv"])->run('bad | count');
    check(false, 'a malformed CSV fails');
} catch (LKQ\Error $e) {
    check($e->kind === 'data' && $e->lkqLine === 3, "bad CSV at line 3: {$e->getMessage()}");
}
array_map('unlink', glob("$dir/*.csv"));
rmdir($dir);

if ($failures > 0) {
    fwrite(STDERR, "php binding: $failures checks failed\n");
    exit(1);
}
echo 'php binding: all checks passed' . (getenv('LKQ_EXPECT_PRELOAD') ? ' (declarations from ffi.preload)' : '') . "\n";
