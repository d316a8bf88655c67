/*
 * The C API from several threads at once: THREADS threads, each with sessions of its own,
 * run CYCLES open/run/free cycles between them (the README's first query, a failing query, a
 * `let`, typed cells, JSON), every answer checked. Then one result read by several threads at
 * once, a cancel from another thread, a budget, a warning and a CSV file. Built with -fsanitize=address by `make lkqc-asan`, so a leak or a bad access
 * in any cycle fails the run.
 *
 * Usage: lkqc_test [CYCLES] (default 1000). Exit status 0 when every check passed.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lkqc.h"

#define THREADS 4

static int failures;
static pthread_mutex_t failure_lock = PTHREAD_MUTEX_INITIALIZER;

#define CHECK(cond, ...) do { if (!(cond)) { \
    pthread_mutex_lock(&failure_lock); failures++; \
    fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); \
    pthread_mutex_unlock(&failure_lock); } } while (0)

static const char *FIRST_QUERY = "capaian where sasaran=2 and < 75 | select no, indikator, capaian";
static const char *EXPECTED_JSON =
    "[\n"
    "{\"no\":\"2\",\"indikator\":\"Prosentase perubahan status desa minimal berkembang\",\"capaian\":51.09},\n"
    "{\"no\":\"3\",\"indikator\":\"Prosentase perjanjian kerjasama desa dengan non pemerintah (BUMDes, BKAD, BPMD, Posyandu)\",\"capaian\":37.74}\n"
    "]\n";
static const char *EXPECTED_ERROR =
    "-e:1:15: error: unknown column 'sasran' in capaian; did you mean 'sasaran'?\n"
    "    capaian where sasran = 2\n"
    "                  ^^^^^^";

struct worker { lkq_engine *engine; int cycles; };

/* One cycle: a session of its own, three statements, every answer checked, everything freed. */
static void cycle(lkq_engine *engine, int n) {
    lkq_session *session = lkq_session_open(engine);
    lkq_run *run = lkq_session_run(session, FIRST_QUERY, "-e", LKQ_RUN_ALL);
    CHECK(lkq_run_statement_count(run) == 1, "cycle %d", n);
    const lkq_result *result = lkq_run_last_result(run);
    CHECK(result && lkq_result_row_count(result) == 2 && lkq_result_column_count(result) == 3, "cycle %d", n);
    CHECK(strcmp(lkq_result_column_name(result, 1), "indikator") == 0, "cycle %d", n);
    CHECK(lkq_result_column_type(result, 0) == LKQ_TYPE_TEXT && lkq_result_column_type(result, 2) == LKQ_TYPE_DOUBLE,
          "cycle %d", n);
    CHECK(strcmp(lkq_result_text(result, 0, 0), "2") == 0 && lkq_result_double(result, 1, 2) == 37.74, "cycle %d", n);
    char *json = lkq_result_render(result, LKQ_FORMAT_JSON);
    CHECK(strcmp(json, EXPECTED_JSON) == 0, "cycle %d: %s", n, json);
    lkq_string_free(json);
    lkq_run_free(run);

    run = lkq_session_run(session, "let lemah = capaian where < 80\nlemah | count\ncapaian where sasran = 2", "-e",
                          LKQ_RUN_ALL);
    CHECK(lkq_run_statement_count(run) == 3, "cycle %d", n);
    CHECK(lkq_run_status(run, 0) == LKQ_STATEMENT_BOUND && strcmp(lkq_run_bound_name(run, 0), "lemah") == 0,
          "cycle %d", n);
    CHECK(lkq_result_int(lkq_run_result(run, 1), 0, 0) == 3, "cycle %d", n);
    const lkq_error *error = lkq_run_error(run, 2);
    CHECK(error == lkq_run_first_error(run), "cycle %d", n);
    CHECK(lkq_error_kind(error) == LKQ_ERROR_NAME && lkq_error_line(error) == 3 && lkq_error_column(error) == 15,
          "cycle %d", n);
    lkq_run_free(run);

    run = lkq_session_run(session, "capaian where sasran = 2", "-e", LKQ_RUN_BAIL);
    CHECK(strcmp(lkq_error_rendered(lkq_run_first_error(run)), EXPECTED_ERROR) == 0, "cycle %d: %s", n,
          lkq_error_rendered(lkq_run_first_error(run)));
    lkq_run_free(run);
    lkq_session_free(session);
}

static void *work(void *arg) {
    struct worker *w = arg;
    for (int i = 0; i < w->cycles; i++) cycle(w->engine, i);
    return NULL;
}

/* Several threads read the text cells of one result at once: the library makes each text
 * column's C strings on first use, so this is where readers could race. */
static void *read_texts(void *arg) {
    const lkq_result *result = arg;
    for (size_t r = 0; r < lkq_result_row_count(result); r++)
        CHECK(lkq_result_text(result, r, 1) != NULL && lkq_result_text(result, r, 2) != NULL, "row %zu", r);
    return NULL;
}

static void shared_result(lkq_engine *engine) {
    lkq_session *session = lkq_session_open(engine);
    lkq_run *run = lkq_session_run(session, "anggaran | select kode, uraian, level", NULL, LKQ_RUN_ALL);
    pthread_t readers[THREADS];
    for (int t = 0; t < THREADS; t++) pthread_create(&readers[t], NULL, read_texts, (void *)lkq_run_last_result(run));
    for (int t = 0; t < THREADS; t++) pthread_join(readers[t], NULL);
    CHECK(strcmp(lkq_result_text(lkq_run_last_result(run), 0, 2), "urusan") == 0, "%s",
          lkq_result_text(lkq_run_last_result(run), 0, 2));
    lkq_run_free(run);
    lkq_session_free(session);
}

/* Runs `tren | spark` until a run is cancelled; the cancel is kept for the next run when it
 * arrives between runs, so this ends whatever the timing, with no sleep. */
static void *run_until_cancelled(void *arg) {
    lkq_session *session = arg;
    for (;;) {
        lkq_run *run = lkq_session_run(session, "tren | spark\ncapaian | count", NULL, LKQ_RUN_ALL);
        const lkq_error *error = lkq_run_first_error(run);
        int cancelled = error && lkq_error_kind(error) == LKQ_ERROR_CANCELLED;
        if (cancelled)  /* the statements after the cancelled one are cancelled too */
            CHECK(lkq_run_status(run, lkq_run_statement_count(run) - 1) == LKQ_STATEMENT_FAILED, "cancel");
        lkq_run_free(run);
        if (cancelled) return NULL;
    }
}

static void cancel_from_another_thread(lkq_engine *engine) {
    lkq_session *session = lkq_session_open(engine);
    pthread_t runner;
    pthread_create(&runner, NULL, run_until_cancelled, session);
    lkq_session_cancel(session);
    pthread_join(runner, NULL);
    /* The cancel is spent: the next run is not cancelled. */
    lkq_run *run = lkq_session_run(session, "capaian | count", NULL, LKQ_RUN_ALL);
    CHECK(lkq_run_first_error(run) == NULL && lkq_result_int(lkq_run_last_result(run), 0, 0) == 9, "after cancel");
    lkq_run_free(run);
    lkq_session_free(session);
}

static void budget(lkq_engine *engine) {
    lkq_session *session = lkq_session_open(engine);
    lkq_session_set_budget(session, 0, 5, 0);
    lkq_run *run = lkq_session_run(session, "anggaran | select kode", NULL, LKQ_RUN_ALL);
    CHECK(lkq_error_kind(lkq_run_first_error(run)) == LKQ_ERROR_LIMIT, "budget: %s",
          lkq_error_kind_name(lkq_run_first_error(run)));
    lkq_run_free(run);
    lkq_session_set_budget(session, 0, 0, 0);
    run = lkq_session_run(session, "anggaran | count", NULL, LKQ_RUN_ALL);
    CHECK(lkq_result_int(lkq_run_last_result(run), 0, 0) == 48, "budget lifted");
    lkq_run_free(run);
    lkq_session_free(session);
}

static void warnings(lkq_engine *engine) {
    lkq_session *session = lkq_session_open(engine);
    lkq_run *run = lkq_session_run(session, "capaian | limit 3 | sort capaian | select no", "-e", LKQ_RUN_ALL);
    const lkq_result *result = lkq_run_last_result(run);
    CHECK(lkq_run_first_error(run) == NULL && lkq_result_row_count(result) == 3, "a warning is no failure");
    CHECK(lkq_result_warning_count(result) == 1 && lkq_result_warning(result, 1) == NULL, "one warning");
    const lkq_error *warning = lkq_result_warning(result, 0);
    CHECK(lkq_error_is_warning(warning) == 1 && lkq_error_line(warning) == 1 && lkq_error_column(warning) == 11,
          "%s", lkq_error_rendered(warning));
    CHECK(strncmp(lkq_error_rendered(warning), "-e:1:11: warning: limit before sort", 35) == 0, "%s",
          lkq_error_rendered(warning));
    lkq_run_free(run);
    lkq_session_free(session);
}

static void csv(void) {
    char dir[] = "/tmp/lkqc-test-XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    char path[256];
    snprintf(path, sizeof path, "%s/iku.csv", dir);
    FILE *f = fopen(path, "w");
    fputs("indikator,polaritas,target,realisasi\nBUMDes aktif,positif,100,90\nAngka kemiskinan,negatif,20,18\n", f);
    fclose(f);

    lkq_engine *engine = lkq_engine_open(LKQ_ENGINE_EMPTY);
    lkq_error *error = NULL;
    CHECK(lkq_engine_load_csv(engine, path, NULL, LKQ_CSV_DEFAULT, &error) == 0 && error == NULL, "load");
    CHECK(lkq_engine_table_count(engine) == 1, "one table");
    char *name = lkq_engine_table_name(engine, 0);
    CHECK(strcmp(name, "iku") == 0, "table name %s", name);
    lkq_string_free(name);
    lkq_session *session = lkq_session_open(engine);
    lkq_run *run = lkq_session_run(session, "iku | sort capaian | select indikator, capaian", NULL, LKQ_RUN_ALL);
    const lkq_result *result = lkq_run_last_result(run);
    CHECK(result && lkq_result_double(result, 0, 1) == 90 && lkq_result_double(result, 1, 1) == 110, "capaian");
    CHECK(strcmp(lkq_result_text(result, 1, 0), "Angka kemiskinan") == 0, "text");
    CHECK(lkq_result_text(result, 1, 1) == NULL && lkq_result_text(result, 5, 0) == NULL, "no text");
    lkq_run_free(run);
    lkq_session_free(session);

    CHECK(lkq_engine_load_csv(engine, "/nonexistent/x.csv", NULL, LKQ_CSV_DEFAULT, &error) == -1 && error, "bad path");
    CHECK(lkq_error_kind(error) == LKQ_ERROR_DATA && strstr(lkq_error_message(error), "/nonexistent/x.csv"), "%s",
          lkq_error_message(error));
    lkq_error_free(error);
    lkq_engine_free(engine);
    unlink(path);
    rmdir(dir);
}

int main(int argc, char **argv) {
    int cycles = argc > 1 ? atoi(argv[1]) : 1000;
    CHECK(lkq_api_version() == 1, "api version");
    lkq_engine *engine = lkq_engine_open(LKQ_ENGINE_BUILTIN);
    pthread_t threads[THREADS];
    struct worker workers[THREADS];
    for (int t = 0; t < THREADS; t++) {
        /* Half the threads share one engine, the others open their own. */
        workers[t].engine = t % 2 ? engine : lkq_engine_open(LKQ_ENGINE_BUILTIN);
        workers[t].cycles = cycles / THREADS + (t < cycles % THREADS);
        pthread_create(&threads[t], NULL, work, &workers[t]);
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(threads[t], NULL);
        if (workers[t].engine != engine) lkq_engine_free(workers[t].engine);
    }
    shared_result(engine);
    cancel_from_another_thread(engine);
    budget(engine);
    warnings(engine);
    lkq_engine_free(engine);
    csv();
    /* Not-UTF-8 text and NULL handles are answered, not crashed on. */
    lkq_engine *e = lkq_engine_open(LKQ_ENGINE_BUILTIN);
    lkq_session *s = lkq_session_open(e);
    lkq_run *run = lkq_session_run(s, "capaian where indikator = \"\xff\"", "bad", LKQ_RUN_ALL);
    CHECK(lkq_error_kind(lkq_run_first_error(run)) == LKQ_ERROR_LEXICAL && lkq_error_column(lkq_run_first_error(run)) == 28,
          "%s", lkq_error_rendered(lkq_run_first_error(run)));
    lkq_run_free(run);
    CHECK(lkq_session_run(NULL, "x", NULL, 0) == NULL && lkq_result_row_count(NULL) == 0, "NULL handles");
    lkq_session_free(s);
    lkq_engine_free(e);

    if (failures) {
        fprintf(stderr, "lkqc_test: %d checks failed\n", failures);
        return 1;
    }
    printf("lkqc_test: %d open/run/free cycles on %d threads, cancel, budget, warning, CSV: all checks passed\n", cycles, THREADS);
    return 0;
}
