"""The Python binding against the lkq command: same rows, same located errors."""
import json
import os
import subprocess
import threading

import pytest

import lkq

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
LKQ = os.environ.get("LKQ_BIN", os.path.join(ROOT, ".build", "debug", "lkq"))
FIRST_QUERY = "capaian where sasaran=2 and < 75 | select no, indikator, capaian"


def command(*args):
    return subprocess.run([LKQ, *args], capture_output=True, text=True)


@pytest.fixture
def db():
    with lkq.connect() as connection:
        yield connection


def test_first_query_gives_the_commands_rows(db):
    result = db.run(FIRST_QUERY)
    expected = json.loads(command("-f", "json", "-e", FIRST_QUERY).stdout)
    assert result.rows == expected
    assert [row["no"] for row in result] == ["2", "3"]
    assert result.columns == ["no", "indikator", "capaian"]
    assert result.types == ["text", "text", "double"]
    assert result.to_columns()["capaian"] == [51.09, 37.74]
    assert result.json() == command("-f", "json", "-e", FIRST_QUERY).stdout


def test_failing_query_raises_the_commands_located_error(db):
    with pytest.raises(lkq.Error) as caught:
        db.run("capaian where sasran = 2", source_name="-e")
    error = caught.value
    assert (error.kind, error.line, error.column) == ("name", 1, 15)
    assert error.message == "unknown column 'sasran' in capaian; did you mean 'sasaran'?"
    cli = command("-e", "capaian where sasran = 2")
    assert cli.returncode == 1
    assert error.rendered + "\n" == cli.stderr
    assert str(error) == error.rendered


def test_error_on_a_later_line_has_that_line(db):
    with pytest.raises(lkq.Error) as caught:
        db.run("capaian | count\ndesa where (jumlah > 100")
    assert (caught.value.kind, caught.value.line, caught.value.column) == ("syntax", 2, 25)


def test_warnings_come_with_the_rows(db):
    result = db.run("capaian | limit 3 | sort capaian | select no", source_name="-e")
    assert len(result) == 3
    [warning] = result.warnings
    assert (warning.line, warning.column) == (1, 11)
    cli = command("-e", "capaian | limit 3 | sort capaian | select no")
    assert warning.rendered + "\n" == cli.stderr


def test_let_names_persist_and_execute_reports_every_statement(db):
    assert db.run("let lemah = capaian where < 80") is None
    assert db.run("lemah | count").rows == [{"count": 3}]
    outcomes = db.execute("let x = capaian\nnope\nx | count")
    assert outcomes[0] == "x"
    assert isinstance(outcomes[1], lkq.Error) and outcomes[1].kind == "name"
    assert outcomes[2].rows == [{"count": 9}]


def test_integers_stay_exact_and_nulls_are_none(db):
    result = db.run('anggaran where level = "program" | select kode, pagu | sort kode | limit 1')
    assert result.rows == [{"kode": "2.13.01", "pagu": 7430570290}]
    assert result.types == ["text", "int"]
    nulls = db.run("tren | where capaian is null | limit 1 | select capaian")
    assert all(row["capaian"] is None for row in nulls)


def test_csv_files_load_beside_the_builtin_data(tmp_path):
    (tmp_path / "iku.csv").write_text("indikator,polaritas,target,realisasi\n"
                                      "BUMDes aktif,positif,100,90\nAngka kemiskinan,negatif,20,18\n")
    with lkq.connect(data=tmp_path / "iku.csv", builtin=False) as mine:
        assert mine.tables == ["iku"]
        assert mine.run("iku | select indikator, capaian").column("capaian") == [90.0, 110.0]
    with lkq.connect(data=[tmp_path]) as both:
        assert "capaian" in both.tables and "iku" in both.tables


def test_a_bad_csv_file_is_an_error_at_its_place(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3\n")
    with pytest.raises(lkq.Error) as caught:
        lkq.connect(data=bad).run("bad | count")
    assert caught.value.kind == "data" and caught.value.line == 3


def test_budget_stops_a_statement(db):
    db.set_budget(max_rows_produced=5)
    with pytest.raises(lkq.Error) as caught:
        db.run("anggaran | select kode")
    assert caught.value.kind == "limit"
    db.set_budget()
    assert len(db.run("anggaran | select kode")) == 48


def test_cancel_from_another_thread(db):
    # A cancel that arrives between runs is kept for the next run, so this loop ends whatever
    # the timing: no sleep needed.
    canceller = threading.Thread(target=db.cancel)
    canceller.start()
    canceller.join()
    with pytest.raises(lkq.Error) as caught:
        while True:
            db.run("tren | spark")
    assert caught.value.kind == "cancelled" and caught.value.line is None
    assert db.run("capaian | count").rows == [{"count": 9}]


def test_separate_connections_in_threads():
    answers = []

    def work():
        with lkq.connect() as mine:
            for _ in range(20):
                answers.append(mine.run(FIRST_QUERY).column("capaian"))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [[51.09, 37.74]] * 80


def test_to_pandas_only_when_pandas_is_present(db):
    result = db.run(FIRST_QUERY)
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install pandas"):
            result.to_pandas()
    else:
        frame = result.to_pandas()
        assert list(frame.columns) == ["no", "indikator", "capaian"]
        assert frame["capaian"].tolist() == [51.09, 37.74]


def test_closed_connection_says_so():
    db = lkq.connect()
    db.close()
    with pytest.raises(ValueError, match="closed"):
        db.run("capaian")
