"""`lkq lsp` in scripted JSON-RPC sessions (pytest-lsp): diagnostics as you type, completion,
hover, go to definition and formatting, as an editor would ask for them."""
import os
import sys

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LKQ = os.environ.get("LKQ_BIN", os.path.join(ROOT, ".build", "debug", "lkq"))


# One server for the whole module, as an editor keeps one: each test opens documents of its own.
@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=[LKQ, "lsp"]))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=client_capabilities("visual-studio-code")))
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(
    server_command=[LKQ, "lsp", "--data", os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")]))
async def client_with_data(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=client_capabilities("visual-studio-code")))
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def doc_uri(request):
    """A document of the test's own, so tests sharing the server never see each other's text."""
    return f"file:///tmp/lkq-lsp-test/{request.node.name}.lkq"


async def open_document(client, text, uri):
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="lkq", version=1, text=text)))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return list(client.diagnostics[uri])


async def change_document(client, text, uri, version=2):
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return list(client.diagnostics[uri])


def at(line, character):
    return types.Position(line=line, character=character)


async def test_syntax_error_and_its_fix_clears_the_diagnostic(client, doc_uri):
    diagnostics = await open_document(client, "capaian | count\ndesa where (jumlah > 100\n", doc_uri)
    assert len(diagnostics) == 1
    error = diagnostics[0]
    assert error.message == "expected ')' to close '(' at 2:12"
    assert error.severity == types.DiagnosticSeverity.Error
    assert error.range.start == at(1, 24)
    assert await change_document(client, "capaian | count\ndesa where (jumlah > 100)\n", doc_uri) == []


async def test_positions_are_utf16(client, doc_uri):
    # "é" is one UTF-16 unit but two UTF-8 bytes, "𝕏" two units and four bytes: the error after
    # them must be at the UTF-16 column an editor counts.
    diagnostics = await open_document(client, 'capaian where indikator = "é𝕏" and (sasaran = 2\n', doc_uri)
    assert diagnostics[0].range.start == at(0, 48)


async def test_unknown_table_is_reported_with_a_suggestion(client, doc_uri):
    diagnostics = await open_document(client, "capain | count\n", doc_uri)
    assert [d.message for d in diagnostics] == ["unknown table 'capain'; did you mean 'capaian'?"]
    assert diagnostics[0].range.start == at(0, 0) and diagnostics[0].range.end == at(0, 6)


async def test_name_and_type_errors_come_from_the_resolver_without_running(client, doc_uri):
    diagnostics = await open_document(client, "let lemah = capaian where < 80\nlemah where sasran = 2\nanggaran | sum uraian\n", doc_uri)
    assert [(d.message, d.range.start, d.range.end) for d in diagnostics][0] == (
        "unknown column 'sasran' in lemah; did you mean 'sasaran'?", at(1, 12), at(1, 18))
    assert len(diagnostics) == 2 and diagnostics[1].range.start.line == 2 and diagnostics[1].code == "type"


async def test_completion_after_a_let_offers_the_columns_its_query_gives(client, doc_uri):
    await open_document(client, "let x = capaian | select no, capaian - target as selisih\nx where \n", doc_uri)
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=doc_uri), position=at(1, 8)))
    labels = {item.label for item in result.items if item.kind == types.CompletionItemKind.Field}
    assert labels == {"no", "selisih"}


async def test_values_named_by_let_and_param_are_offered_in_conditions(client, doc_uri):
    await open_document(client, "let batas = 75\nparam tahun = 2023\ncapaian where capaian < \n", doc_uri)
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=doc_uri), position=at(2, 24)))
    variables = {item.label for item in result.items if item.kind == types.CompletionItemKind.Variable}
    assert variables == {"batas", "tahun"}
    assert "batas" not in {item.label for item in result.items if item.kind == types.CompletionItemKind.Class}


async def test_dot_commands_and_lets_are_not_errors(client, doc_uri):
    assert await open_document(client, ".mode json\nlet lemah = capaian where < 80\nlemah | count\n", doc_uri) == []


async def test_column_completion_after_where(client, doc_uri):
    await open_document(client, "capaian where \n", doc_uri)
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=doc_uri), position=at(0, 14)))
    labels = [item.label for item in result.items]
    for column in ("sasaran", "indikator", "target", "realisasi", "capaian_2022"):
        assert column in labels
    sasaran = next(item for item in result.items if item.label == "sasaran")
    assert sasaran.kind == types.CompletionItemKind.Field
    assert "kategori" in labels and "and" in labels
    assert "pagu" not in labels  # a column of anggaran, not of capaian


async def test_completion_of_stages_and_tables(client, doc_uri):
    await open_document(client, "let x = \nanggaran | ", doc_uri)
    stages = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=doc_uri), position=at(1, 11)))
    assert {"where", "select", "group", "join", "bar", "spark"} <= {item.label for item in stages.items}
    tables = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=doc_uri), position=at(0, 8)))
    assert {"capaian", "anggaran", "efisiensi"} <= {item.label for item in tables.items}


async def test_completion_of_loaded_files_columns(client, tmp_path):
    (tmp_path / "iku.csv").write_text("indikator,target,realisasi\nBUMDes aktif,100,90\n")
    uri = (tmp_path / "script.lkq").as_uri()
    diagnostics = await open_document(client, ".load iku.csv as kinerja\nkinerja where \n", uri=uri)
    # The statement is unfinished, but the table the .load names is known.
    assert [d.message for d in diagnostics] == ["expected a value, a column name or '(', found end of input"]
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=at(1, 14)))
    # capaian is computed on loading from target and realisasi.
    assert {"indikator", "target", "realisasi", "capaian"} <= {item.label for item in result.items}


async def test_data_given_to_the_server_is_in_reach(client_with_data, doc_uri):
    client = client_with_data
    assert await open_document(client, "realisasi | count\n", doc_uri) == []
    await open_document(client, "realisasi where \n", doc_uri)
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=doc_uri), position=at(0, 16)))
    assert {"pemda", "opd", "pagu", "realisasi"} <= {item.label for item in result.items}
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=doc_uri), position=at(0, 2)))
    assert "pemda text" in hover.contents.value and "realisasi.csv" in hover.contents.value


async def test_go_to_the_load_a_table_comes_from(client, tmp_path):
    (tmp_path / "iku.csv").write_text("indikator,target,realisasi\nBUMDes aktif,100,90\n")
    uri = (tmp_path / "script.lkq").as_uri()
    await open_document(client, "# kinerja\n.load iku.csv as kinerja\nkinerja | count\n", uri)
    location = await client.text_document_definition_async(types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=at(2, 3)))
    assert location.uri == uri
    assert location.range.start == at(1, 0) and location.range.end == at(1, 24)


async def test_hover_on_a_function(client, doc_uri):
    await open_document(client, "capaian | select indikator, kategori(capaian)\n", doc_uri)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=doc_uri), position=at(0, 30)))
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert "kategori(capaian)" in hover.contents.value
    assert "Permendagri 86/2017" in hover.contents.value
    assert hover.range.start == at(0, 28) and hover.range.end == at(0, 36)


async def test_hover_on_a_column(client, doc_uri):
    await open_document(client, "anggaran where pagu > 100jt\n", doc_uri)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=doc_uri), position=at(0, 16)))
    assert "pagu: int, rupiah" in hover.contents.value
    assert "Column of `anggaran`" in hover.contents.value


async def test_go_to_the_let_a_name_refers_to(client, doc_uri):
    await open_document(client, "capaian | count\nlet lemah = capaian where < 80\nlemah | count\n", doc_uri)
    location = await client.text_document_definition_async(types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(uri=doc_uri), position=at(2, 2)))
    assert location.uri == doc_uri
    assert location.range.start == at(1, 4) and location.range.end == at(1, 9)


async def test_formatting_a_messy_script(client, doc_uri):
    messy = ("# serapan rendah\n"
             "ANGGARAN   where LEVEL='subkegiatan' AND (realisasi*2<pagu)\n"
             "   |select kode,uraian ,  pagu\n"
             ".mode json\n"
             "capaian where (sasaran=2) and <75; capaian|COUNT\n")
    await open_document(client, messy, doc_uri)
    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=types.TextDocumentIdentifier(uri=doc_uri),
        options=types.FormattingOptions(tab_size=4, insert_spaces=True)))
    assert apply(messy, edits) == (
        "# serapan rendah\n"
        'anggaran where level = "subkegiatan" and realisasi * 2 < pagu | select kode, uraian, pagu\n'
        ".mode json\n"
        "capaian where sasaran = 2 and < 75; capaian | count\n")


def apply(text, edits):
    """The text with the edits applied (ranges in UTF-16 units, which equal characters here)."""
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start = starts[edit.range.start.line] + edit.range.start.character
        end = starts[edit.range.end.line] + edit.range.end.character
        text = text[:start] + edit.new_text + text[end:]
    return text
