"""Adversarial tests of plan import (issue 18): hostile files, who may import and confirm, concurrency and
redelivery, crash safety, revisions and hand-edited drafts.

Every test asserts the behaviour the README and the code's own docstrings promise. Where the code does
otherwise the test is marked `xfail(strict=True, reason="DEFECT: …")`, so the suite stays green while the
defect is written down; a fix turns the xfail into an XPASS, which fails until the mark is removed.

Tests that take a database run on SQLite and PostgreSQL (the `db` / `db_url` fixtures). Time is controlled
through the Inbound timestamps; a test that must finish within a budget is stopped by SIGALRM instead.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import shutil
import threading
import traceback
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from docx import Document
from sqlalchemy import text

from bot.cli.main import main
from bot.conversation import texts
from bot.conversation.core import Core
from bot.conversation.knowledge import Knowledge
from bot.conversation.messages import LOCAL_TZ, Attachment, Inbound, Outbound
from seeds.apply import apply_seeds
from store.catalog_queries import live_task_numbers
from store.db import Database
from store.evidence_files import EvidenceFiles
from store.members import add_member, remove_member
from store.overdue import overdue_counts

FIXTURE = Path(__file__).parent / "importer" / "fixtures" / "fuzhou_brand_tasks_2025.txt"
TITLE = "福州市2025年商标品牌建设重点任务分解表"
SEED_PLANS = ("fuzhou-protection", "gulou-strong-county")
JOINED = datetime(2025, 1, 1, tzinfo=LOCAL_TZ)
PEOPLE = {
    "a1": ("陈督办", "市监局", "admin"),
    "a2": ("王督办", "市监局", "admin"),
    "st": ("林科长", "市商务局", "staff"),
    "vw": ("周查询", "市商务局", "viewer"),
    "ld": ("郑副市长", "市监局", "leader"),
    "gone": ("吴离职", "市监局", "admin"),  # removed before the tests begin
}
CATALOG_TABLES = ("unit", "plan", "indicator", "task", "task_unit", "catalog_event")
DB_FILES = (".sqlite3", ".sqlite3-wal", ".sqlite3-shm", ".sqlite3-journal")


# ---------------------------------------------------------------------------------------------- harness


class Office:
    """The bot's core over one database, with admins, staff, a viewer, a leader and a removed admin."""

    def __init__(self, db: Database, root: Path) -> None:
        self.db, self.root, self.data = db, root, root / "data"
        for user, (name, unit, role) in PEOPLE.items():
            add_member(db, platform="test", user_id=user, display_name=name, unit=unit, role=role, at=JOINED)
        remove_member(db, platform="test", user_id="gone", at=JOINED, actor="test")
        self.core = self.new_core()
        self.clock = datetime(2025, 8, 11, 9, tzinfo=LOCAL_TZ)
        self.step = timedelta(minutes=1)  # between two messages
        self.count = 0

    def new_core(self) -> Core:
        files = EvidenceFiles(self.data / "evidence", self.data / "inbox")
        return Core(Knowledge(self.db, evidence=files, imports=self.data / "imports"))

    def inbound(
        self, user: str, words: str = "", *, file: Attachment | None = None, mid: str | None = None
    ) -> Inbound:
        self.clock += self.step
        self.count += 1
        return Inbound("test", user, user, words, self.clock, mid or f"m{self.count}", attachment=file)

    def send(
        self, user: str, words: str = "", *, file: Attachment | None = None, mid: str | None = None
    ) -> Outbound:
        [reply] = self.core.handle(self.inbound(user, words, file=file, mid=mid))
        return reply

    def preview(self, user: str, content: bytes, name: str = "方案.txt") -> tuple[Outbound, int]:
        reply = self.send(user, "导入", file=document(content, name))
        assert reply.intent == "preview", reply.text
        return reply, int(reply.buttons[0].data.split(":")[1])


@pytest.fixture
def office(db: Database, tmp_path: Path) -> Office:
    return Office(db, tmp_path)


def backend(db: Database) -> str:
    return db.engine.dialect.name


def document(content: bytes, name: str = "方案.txt") -> Attachment:
    return Attachment(name, size=len(content), content=content)


def rows(db: Database, *tables: str) -> dict[str, int]:
    with db.engine.connect() as connection:
        return {t: int(connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in tables}


def catalog(db: Database) -> dict[str, int]:
    return rows(db, *CATALOG_TABLES)


def events(db: Database) -> list[tuple[str, str, str | None, str | None, str]]:
    with db.engine.connect() as connection:
        found = connection.execute(
            text("SELECT item, field, old, new, actor FROM catalog_event ORDER BY id")
        ).all()
    return [(r[0], r[1], r[2], r[3], r[4]) for r in found]


def outcomes(db: Database) -> list[tuple[int, str]]:
    with db.engine.connect() as connection:
        found = connection.execute(text("SELECT pending_id, outcome FROM pending_outcome ORDER BY id")).all()
    return [(int(r[0]), str(r[1])) for r in found]


def imported_plans(db: Database) -> list[tuple[str, str]]:
    with db.engine.connect() as connection:
        found = connection.execute(text("SELECT code, title FROM plan ORDER BY id")).all()
    return [(str(r[0]), str(r[1])) for r in found if r[0] not in SEED_PLANS]


def task_terms(db: Database, number: int) -> tuple[str | None, str | None, str]:
    """An imported task's deadline, deadline words and content."""
    with db.engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT task.deadline, task.deadline_text, task.content FROM task JOIN plan"
                " ON plan.id = task.plan_id WHERE task.number = :n AND plan.code NOT IN (:a, :b)"
            ),
            {"n": number, "a": SEED_PLANS[0], "b": SEED_PLANS[1]},
        ).one()
    return (str(found[0]) if found[0] is not None else None, found[1], str(found[2]))


def files_outside_imports(root: Path) -> set[str]:
    """Every file under root except the database and `<data>/imports/**`."""
    imports = root / "data" / "imports"
    return {
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and imports not in p.parents and not p.name.endswith(DB_FILES)
    }


def revised(content: bytes, *pairs: tuple[str, str]) -> bytes:
    out = content.decode("utf-8")
    for old, new in pairs:
        assert old in out, old
        out = out.replace(old, new, 1)
    return out.encode("utf-8")


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def seeded_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One seeded SQLite database for `duban plans import`, which only reads the units."""
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'seeded.sqlite3'}"
    database = Database(url)
    apply_seeds(database)
    database.dispose()
    yield url


@pytest.fixture(scope="module")
def fixture_drafts(seeded_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`duban plans import` of the fixture, once: the draft and its docs/ (the seed units are the same in
    every fresh database, so the draft is too)."""
    drafts = tmp_path_factory.mktemp("drafts")
    assert cli("plans", "import", str(FIXTURE), "--out", str(drafts), "--db", seeded_url)[0] == 0
    return drafts


def seeded(url: str) -> None:
    """`duban init` without the name index (the first load builds it anyway)."""
    database = Database(url)
    apply_seeds(database)
    database.dispose()


def copied_draft(drafts: Path, tmp_path: Path) -> Path:
    """A private copy of the fixture's draft (and its document) for one test to edit and apply."""
    target = tmp_path / "drafts"
    shutil.copytree(drafts, target)
    [path] = target.glob("*.yaml")
    return path


# ---------------------------------------------------------------------------------------------- builders


def _base_docx() -> tuple[dict[str, bytes], str, str]:
    """python-docx's empty document: its parts, and document.xml cut around the body's content."""
    buffer = io.BytesIO()
    Document().save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["word/document.xml"].decode("utf-8")
    head, _, _ = xml.partition("<w:body>")
    return parts, head + "<w:body>", "</w:body></w:document>"


def _zip(parts: dict[str, bytes], document_xml: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, document_xml if name == "word/document.xml" else data)
    return out.getvalue()


def para(words: str, *, raw: bool = False) -> str:
    return f"<w:p><w:r><w:t>{words if raw else escape(words)}</w:t></w:r></w:p>"


def table(cells: list[list[str]], *, raw: bool = False) -> str:
    def cell(words: str) -> str:
        return f"<w:tc>{para(words, raw=raw)}</w:tc>"

    return "<w:tbl>" + "".join("<w:tr>" + "".join(cell(c) for c in r) + "</w:tr>" for r in cells) + "</w:tbl>"


def docx(body: str, *, doctype: str = "") -> bytes:
    parts, head, tail = _base_docx()
    declaration, _, rest = head.partition("?>")
    return _zip(parts, (declaration + "?>" + doctype + rest + body + tail).encode("utf-8"))


HEADER = ["序号", "工作任务", "牵头单位", "配合单位", "完成时限"]
ROW_UNITS = ("市发改委", "市财政局", "市商务局", "市工信局")


def task_docx(count: int, title: str = "福州市2025年压力测试重点任务分解表") -> bytes:
    """A plan whose task table has `count` rows, every unit known."""
    cells = [HEADER] + [
        [str(i), f"推进第{i}项重点工作落实。", ROW_UNITS[i % 4], ROW_UNITS[(i + 1) % 4], "2025年12月底前"]
        for i in range(1, count + 1)
    ]
    return docx(para(title) + para("二、重点任务") + table(cells))


def bomb_over_cap() -> bytes:
    """About 230 KB on disk; document.xml inflates to 210 MB (past the reader's 200 MB cap)."""
    parts, head, tail = _base_docx()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            if name != "word/document.xml":
                archive.writestr(name, data)
                continue
            with archive.open(name, "w", force_zip64=True) as stream:
                stream.write(head.encode())
                chunk = b" " * (1 << 20)
                for _ in range(210):
                    stream.write(chunk)
                stream.write(tail.encode())
    return out.getvalue()


def bomb_under_cap(megabytes: int = 10) -> bytes:
    """About 65 KB on disk; document.xml inflates to `megabytes` MB of paragraphs (well under the cap)."""
    unit = para("推进重点项目建设")
    return docx(unit * (megabytes * 1024 * 1024 // len(unit.encode())))


def _cid_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def pdf_pages(pages: int, lines: int) -> bytes:
    """A PDF with a real text layer: `lines` Chinese lines on each of `pages` pages."""
    from reportlab.pdfgen import canvas

    font = _cid_font()
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    for page in range(1, pages + 1):
        pdf.setFont(font, 10)
        for line in range(lines):
            pdf.drawString(50, 800 - 14 * line, f"第{page}页第{line + 1}行：推进重点项目建设，扩大有效投资。")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def garbage_pdf() -> bytes:
    """A PDF whose text layer is glyph ids with no Unicode map (Identity-H, no ToUnicode): '(cid:256)…'."""
    lines = []
    for j in range(30):
        glyphs = "".join(f"{0x100 + (j * 7 + k) % 300:04X}" for k in range(20))
        lines.append(f"BT /F1 10 Tf 50 {800 - 14 * j} Td <{glyphs}> Tj ET")
    stream = "\n".join(lines).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >>"
        b" /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /Garbage /Encoding /Identity-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Garbage /CIDSystemInfo << /Registry (Adobe)"
        b" /Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


@pytest.fixture(scope="module")
def hostile() -> dict[str, tuple[str, bytes, str | None]]:
    """name → (file name as sent, bytes, words the refusal must contain; None: any Chinese refusal)."""
    plan = FIXTURE.read_text(encoding="utf-8")
    good = task_docx(3)
    return {
        "zip bomb past the cap": ("方案.docx", bomb_over_cap(), "解压后过大"),
        "600-page PDF": ("方案.pdf", pdf_pages(600, 1), "超过 100 页"),
        "garbage text layer": ("方案.pdf", garbage_pdf(), None),
        "UTF-16 without BOM": ("方案.txt", plan.encode("utf-16-le"), "文字编码"),
        "UTF-32": ("方案.txt", plan.encode("utf-32"), "文字编码"),
        "EBCDIC": ("方案.txt", plan.encode("cp037", errors="replace"), "文字编码"),
        "Big5": ("方案.txt", plan.encode("big5hkscs", errors="replace"), None),
        "truncated docx": ("方案.docx", good[: len(good) // 2], "损坏"),
        "docx renamed from a zip of images": ("方案.docx", _zip({"a.png": b"\x89PNG"}, b""), "不是计划文件"),
    }


# ---------------------------------------------------------------------------------------------- 1. hostile files


def test_hostile_files_sent_in_chat_are_refused_in_chinese_and_leave_nothing(
    office: Office, hostile: dict[str, tuple[str, bytes, str | None]]
) -> None:
    before, outside = catalog(office.db), files_outside_imports(office.root)
    wrong: list[str] = []
    for label, (name, content, words) in hostile.items():
        reply = office.send("a1", "导入", file=document(content, name))
        if reply.intent != "import_refused" or (words is not None and words not in reply.text):
            wrong.append(f"{label}: {reply.intent} {reply.text[:120]}")
        if "Traceback" in reply.text or not any("\u4e00" <= ch <= "\u9fff" for ch in reply.text):
            wrong.append(f"{label}: not a Chinese message: {reply.text[:120]}")
    assert wrong == []
    assert catalog(office.db) == before
    assert rows(office.db, "pending_write") == {"pending_write": 0}
    assert not list((office.data / "imports").glob("*.yaml"))
    assert files_outside_imports(office.root) == outside


def test_hostile_files_through_the_command_line_exit_2_with_a_message(
    seeded_url: str, tmp_path: Path, hostile: dict[str, tuple[str, bytes, str | None]]
) -> None:
    wrong: list[str] = []
    for index, (label, (name, content, words)) in enumerate(hostile.items()):
        path = tmp_path / f"{index}" / name
        path.parent.mkdir()
        path.write_bytes(content)
        drafts = tmp_path / f"drafts{index}"
        code, _, err = cli("plans", "import", str(path), "--out", str(drafts), "--db", seeded_url)
        if code != 2 or "Traceback" in err or (words is not None and words not in err) or drafts.exists():
            wrong.append(f"{label}: exit {code}, {err[:160]!r}, draft written: {drafts.exists()}")
    assert wrong == []


def test_an_external_entity_in_a_docx_never_reads_a_local_file(office: Office, tmp_path: Path) -> None:
    """XXE, a parameter entity and a billion-laughs chain in document.xml's DOCTYPE: the secret file is
    never read into the preview, the draft, the document text or the catalog."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-4242", encoding="utf-8")
    uri = secret.as_uri()
    lol = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 8))
    doctype = (
        f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{uri}"><!ENTITY % remote SYSTEM "{uri}"> %remote;'
        f'<!ENTITY lol0 "lol">{lol}]>'
    )
    cells = [
        HEADER,
        ["1", "推进&xxe;建设&lol7;", "市商务局", "市财政局", "2025年6月底前"],
        ["2", "扩大有效投资", "市财政局", "市商务局", "2025年12月底前"],
    ]
    body = para("福州市2025年&xxe;重点任务分解表", raw=True) + para("二、重点任务") + table(cells, raw=True)
    outside = files_outside_imports(office.root)
    reply = office.send("a1", "导入", file=document(docx(body, doctype=doctype), "方案.docx"))
    assert reply.intent in ("preview", "import_refused") and "Traceback" not in reply.text
    if reply.intent == "preview":
        loaded = office.send("a1", "确认")
        assert "TOPSECRET" not in loaded.text
        with office.db.engine.connect() as connection:
            stored = connection.execute(text("SELECT content FROM task")).scalars().all()
            stored += connection.execute(text("SELECT text FROM plan_passage")).scalars().all()
        assert not any("TOPSECRET" in str(s) or "lollol" in str(s) for s in stored)
    assert "TOPSECRET" not in reply.text and "lollollol" not in reply.text
    written = [p for p in (office.data / "imports").rglob("*") if p.is_file() and "incoming" not in p.parts]
    assert not any("TOPSECRET" in p.read_text(encoding="utf-8", errors="replace") for p in written)
    assert files_outside_imports(office.root) == outside


def test_a_small_docx_inflating_to_10mb_of_paragraphs_is_refused_before_it_is_parsed(
    seeded_url: str, tmp_path: Path
) -> None:
    """Found by this run: a 65 KB .docx whose body inflated to 10 MB kept the reader busy for ~15 s (the
    200 MB a zip-bomb cap allowed: minutes). Now a body over 8 MB is refused before parsing. (A time
    budget is measured in benchmarks, never asserted in a test.)"""
    path = tmp_path / "bomb.docx"
    path.write_bytes(bomb_under_cap(10))
    assert path.stat().st_size < 200_000
    code, _, err = cli("plans", "import", str(path), "--json", "--db", seeded_url)
    assert code != 0 and "正文过大（超过 8 MB）" in err and "Traceback" not in err


def test_a_pdf_over_the_page_limit_is_refused_before_its_pages_are_read(
    seeded_url: str, tmp_path: Path
) -> None:
    """Found by this run: each page costs ~0.3 s, so 500 pages took ~150 s. Now more than 100 pages is
    refused at once, naming the limit."""
    path = tmp_path / "dense.pdf"
    path.write_bytes(pdf_pages(120, 50))
    code, _, err = cli("plans", "import", str(path), "--json", "--db", seeded_url)
    assert code != 0 and "超过 100 页的上限" in err and "Traceback" not in err


def test_a_10000_row_table_in_chat_is_refused_before_it_is_read(office: Office) -> None:
    """Found by this run: a 100 KB .docx with a 10,000-row table was previewed and loaded row by row on the
    bot's worker (~45 s SQLite, ~120 s PostgreSQL). Now more than 3,000 table rows is refused at once."""
    content = task_docx(10_000)
    assert len(content) < 200_000
    reply = office.send("a1", "导入", file=document(content, "大表.docx"))
    assert reply.intent == "import_refused" and "超过 3000 行的上限" in reply.text
    assert not [p for p in (office.data / "imports").glob("*.yaml")]


def test_a_table_under_the_row_limit_is_read_in_full(tmp_path: Path) -> None:
    """The reading and recognising alone (no draft, no database) of a table at the limit: every task."""
    from seeds.importer.pipeline import import_file
    from seeds.importer.units import KnownUnit

    path = tmp_path / "big.docx"
    path.write_bytes(task_docx(2_900))
    known = [KnownUnit(u, (), "福州市", "department", False) for u in ROW_UNITS]
    imported = import_file(path, region=None, known=known)
    assert imported.counts[0] == 2_900


def test_file_names_sent_in_chat_cannot_leave_the_incoming_folder(office: Office) -> None:
    """../, an absolute path, NUL, 300 characters, only dots, backslashes, a newline, RTL override."""
    content = FIXTURE.read_bytes()
    escape_to = office.root / "escaped.txt"
    names = [
        "../../../../../../escaped.txt", str(escape_to), "a\x00b.txt", "x" * 300 + ".txt", "..", ".",
        "...", "", "/", "..\\..\\..\\escaped.txt", "名\n字.txt", "\u202etxt.exe", "C:\\Windows\\x.txt",
    ]  # fmt: skip
    outside = files_outside_imports(office.root)
    for name in names:
        reply = office.send("a1", "导入", file=document(content, name))
        assert reply.intent == "preview", (name, reply.text)
        assert office.send("a1", "取消").intent == "cancelled"
    incoming = (office.data / "imports" / "incoming").resolve()
    kept = list(incoming.iterdir())
    assert kept and all(p.resolve().parent == incoming for p in kept)
    assert all(len(p.name.encode()) <= 255 for p in kept)
    assert not escape_to.exists() and files_outside_imports(office.root) == outside
    assert imported_plans(office.db) == []


def test_a_long_chinese_file_name_without_extension_is_previewed(office: Office) -> None:
    """80+ CJK characters are more than 255 bytes: the incoming copy's name must be cut by bytes."""
    reply = office.send("a1", "导入", file=document(FIXTURE.read_bytes(), "福州市商标品牌建设方案" * 9))
    assert reply.intent == "preview"


def test_two_plans_with_long_titles_differing_at_the_end_stay_two_plans(office: Office) -> None:
    """A code cut to 48 characters must not make two plans one (the second silently revising the first)."""
    long = "福州市2025年推进知识产权强市建设和商标品牌培育发展及地理标志保护运用重点工作任务分解表"
    plan = FIXTURE.read_text(encoding="utf-8").replace(TITLE, long + "（第一批）")
    first = plan.encode()
    second = plan.replace("（第一批）", "（第二批）").replace("2025年10月", "2026年3月").encode()
    office.preview("a1", first)
    assert office.send("a1", "确认").intent == "recorded"
    office.preview("a1", second)
    assert office.send("a1", "确认").intent == "recorded"
    titles = [title for _, title in imported_plans(office.db)]
    assert titles == [long + "（第一批）", long + "（第二批）"]


@pytest.mark.parametrize("title", ["", "！！！", "2025"])
def test_a_title_without_a_place_is_flagged_at_preview_not_failed_at_confirm(
    office: Office, title: str
) -> None:
    """Found by this run: a title naming no place gave region '' and every 确认 failed in pydantic's English;
    now the preview says first that the region must be given (and a draft's errors are in Chinese)."""
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    tasks = lines[lines.index("二、重点任务") :]
    content = "\n".join(([title] if title else []) + tasks).encode()
    reply = office.send("a1", "导入", file=document(content))
    if reply.intent == "import_refused":
        return
    assert reply.intent == "preview"
    flagged = "region" in reply.text or "地区" in reply.text
    loaded = office.send("a1", "确认")
    assert flagged or loaded.intent == "recorded", loaded.text


# ---------------------------------------------------------------------------------------------- 2. authorisation


def test_only_an_admin_may_import_anyone_else_is_refused_and_nothing_is_written(office: Office) -> None:
    content = FIXTURE.read_bytes()
    before = catalog(office.db)
    expected = {"st": "refused", "vw": "refused", "ld": "refused", "nobody": "not_bound", "gone": "not_bound"}
    for user, intent in expected.items():
        reply = office.send(user, "导入", file=document(content))
        assert reply.intent == intent, (user, reply.text)
        assert "识别出" not in reply.text and not reply.buttons
    assert office.send("st", "导入", file=document(content)).text == texts.ONLY_ADMIN_IMPORTS
    assert catalog(office.db) == before and rows(office.db, "pending_write")["pending_write"] == 0
    assert not (office.data / "imports").exists()


@pytest.mark.parametrize("user", ["vw", "ld"])
def test_a_viewer_or_leader_asking_to_import_is_told_only_admins_import(office: Office, user: str) -> None:
    """A read-only member's 导入 is refused as an import, and a leader is never called a 查询员."""
    reply = office.send(user, "导入", file=document(FIXTURE.read_bytes()))
    assert reply.text == texts.ONLY_ADMIN_IMPORTS
    plain = office.send(user, file=document(FIXTURE.read_bytes()))
    assert plain.intent == "refused" and (user == "vw" or "查询员" not in plain.text), plain.text


def test_nobody_but_the_admin_who_previewed_can_press_its_buttons(office: Office) -> None:
    office.step = timedelta(seconds=5)  # all within the preview's 30 minutes
    _, pending = office.preview("a1", FIXTURE.read_bytes())
    for user in ("st", "vw", "ld", "nobody", "gone", "a2"):
        for guess in (pending, pending + 1, pending - 1, 0, 2**31, 10**18 - 1):
            for action in ("confirm", "cancel"):
                reply = office.send(user, f"{action}:{guess}")
                assert reply.intent in ("refused", "nothing_pending", "not_bound"), (user, guess, reply.text)
        assert office.send(user, "确认").intent in ("refused", "nothing_pending", "not_bound")
    assert imported_plans(office.db) == [] and outcomes(office.db) == []
    assert office.send("a1", f"confirm:{pending}").intent == "recorded"  # still the admin's to confirm


def test_an_admin_demoted_between_preview_and_confirm_is_refused_and_nothing_loads(office: Office) -> None:
    _, pending = office.preview("a1", FIXTURE.read_bytes())
    add_member(office.db, platform="test", user_id="a1", display_name="陈督办", unit="市监局", role="staff",
               at=office.clock)  # fmt: skip
    reply = office.send("a1", f"confirm:{pending}")
    assert reply.intent == "refused" and "已失效" in reply.text
    assert office.send("a1", f"confirm:{pending}").intent == "already"  # closed for good
    add_member(office.db, platform="test", user_id="a1", display_name="陈督办", unit="市监局", role="admin",
               at=office.clock)  # fmt: skip
    assert office.send("a1", f"confirm:{pending}").intent == "already"  # promoted again: still closed
    assert imported_plans(office.db) == [] and outcomes(office.db) == [(pending, "refused")]


def test_an_admin_removed_between_preview_and_confirm_cannot_load_it(office: Office) -> None:
    _, pending = office.preview("a2", FIXTURE.read_bytes())
    remove_member(office.db, platform="test", user_id="a2", at=office.clock, actor="test")
    assert office.send("a2", f"confirm:{pending}").intent == "not_bound"
    assert office.send("a2", "确认").intent == "not_bound"
    assert imported_plans(office.db) == []


# ---------------------------------------------------------------------------------------------- 3. concurrency


def test_the_same_document_message_redelivered_20_times_makes_one_preview(office: Office) -> None:
    content = FIXTURE.read_bytes()
    replies = [office.send("a1", file=document(content), mid="plan-file") for _ in range(20)]
    assert {r.text for r in replies} == {replies[0].text} and replies[0].intent == "preview"
    assert {r.buttons for r in replies} == {replies[0].buttons}
    assert rows(office.db, "pending_write") == {"pending_write": 1}
    loaded = office.send("a1", "确认")
    assert loaded.intent == "recorded"
    after = catalog(office.db)
    for _ in range(20):  # redelivered after 确认: nothing new, nothing loaded again
        office.send("a1", file=document(content), mid="plan-file")
    assert rows(office.db, "pending_write", "pending_outcome") == {"pending_write": 1, "pending_outcome": 1}
    assert catalog(office.db) == after and len(imported_plans(office.db)) == 1


def test_confirm_pressed_twice_loads_once(office: Office) -> None:
    _, pending = office.preview("a1", FIXTURE.read_bytes())
    first = office.send("a1", f"confirm:{pending}")
    assert first.intent == "recorded"
    loaded = catalog(office.db)
    assert office.send("a1", f"confirm:{pending}").intent == "already"
    assert office.send("a1", "确认").intent == "nothing_pending"
    assert catalog(office.db) == loaded and outcomes(office.db) == [(pending, "confirmed")]


def test_confirm_from_two_threads_at_once_loads_once_and_answers_both(office: Office) -> None:
    _, pending = office.preview("a1", FIXTURE.read_bytes())
    cores = [office.core, office.new_core()]
    at = office.clock + timedelta(minutes=1)
    barrier = threading.Barrier(2)
    replies: list[str] = []

    def press(core: Core, mid: str) -> None:
        barrier.wait(timeout=30)
        try:
            [reply] = core.handle(Inbound("test", "a1", "a1", f"confirm:{pending}", at, mid))
            replies.append(reply.intent)
        except Exception as exc:  # what the transport would turn into 出错了
            replies.append(f"crash: {type(exc).__name__}: {exc}"[:200])

    threads = [threading.Thread(target=press, args=(c, f"press-{i}")) for i, c in enumerate(cores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(imported_plans(office.db)) == 1 and outcomes(office.db) == [(pending, "confirmed")]
    assert events(office.db) == []
    # the second press may say 已载入 too (the load is idempotent) or 'already'; never crash
    assert set(replies) <= {"recorded", "already"} and "recorded" in replies, replies


def load_together(barrier: Any) -> None:
    """Hold this process just before sync_catalog (seeds/apply.py apply_plan_file) until every process is
    there: they all load at once, as two presses or two `plans apply` arriving within one load's duration
    do. Nothing else about the code path changes."""
    import seeds.apply as apply_module

    real = apply_module.sync_catalog

    def synced_together(*args: Any, **kwargs: Any) -> Any:
        barrier.wait(timeout=30)
        return real(*args, **kwargs)

    apply_module.sync_catalog = synced_together  # type: ignore[assignment]


def _press_in_another_process(
    url: str, imports: str, user: str, data: str, at: datetime, barrier: Any, results: Any
) -> None:
    """One bot process: its own Core over the same database, pressing one button when all are ready."""
    db = Database(url)
    try:
        core = Core(Knowledge(db, imports=Path(imports)))
        load_together(barrier)
        barrier.wait(timeout=60)
        try:
            [reply] = core.handle(Inbound("test", user, user, data, at, f"{data}-{os.getpid()}"))
            results.put((user, reply.intent, reply.text))
        except BaseException as exc:
            results.put((user, "crash", f"{type(exc).__name__}: {exc}"[:300]))
    finally:
        db.dispose()


def _apply_in_another_process(url: str, draft: str, barrier: Any, results: Any) -> None:
    """`duban plans apply DRAFT` in a process of its own, started with the others."""
    out, err = io.StringIO(), io.StringIO()
    load_together(barrier)
    barrier.wait(timeout=60)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["plans", "apply", draft, "--db", url])
        results.put((code, out.getvalue(), err.getvalue()))
    except BaseException as exc:  # what the shell would show: a traceback
        results.put(("traceback", out.getvalue(), "".join(traceback.format_exception(exc))[-400:]))


def in_processes(target: Callable[..., None], argsets: list[tuple[Any, ...]]) -> list[Any]:
    """Run target(*args, barrier, results) in one spawned process per argset, all released at once."""
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(len(argsets)), context.Queue()
    processes = [context.Process(target=target, args=(*args, barrier, results)) for args in argsets]
    for process in processes:
        process.start()
    try:
        return [results.get(timeout=90) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()


def test_confirm_from_three_bot_processes_at_once_loads_once(office: Office) -> None:
    _, pending = office.preview("a1", FIXTURE.read_bytes())
    at = office.clock + timedelta(minutes=1)
    args = [(office.db.url, str(office.data / "imports"), "a1", f"confirm:{pending}", at)] * 3
    results = in_processes(_press_in_another_process, args)
    assert len(imported_plans(office.db)) == 1 and outcomes(office.db) == [(pending, "confirmed")]
    assert rows(office.db, "plan", "unit")["plan"] == 3 and events(office.db) == []
    intents = [r[1] for r in results]
    assert set(intents) <= {"recorded", "already"} and "recorded" in intents, results


def test_two_admins_previewing_two_revisions_each_load_what_they_previewed(office: Office) -> None:
    """Each preview loads the document it showed, whatever was previewed after it."""
    content = FIXTURE.read_bytes()
    office.preview("a1", content)
    assert office.send("a1", "确认").intent == "recorded"
    _, pending_a = office.preview("a1", revised(content, ("2025年10月", "2025年11月")), "修订A.txt")
    _, pending_b = office.preview("a2", revised(content, ("2025年10月", "2025年12月")), "修订B.txt")
    reply_a = office.send("a1", f"confirm:{pending_a}")
    assert "2025-10-31 → 2025-11-30" in reply_a.text, reply_a.text
    assert task_terms(office.db, 3)[0] == "2025-11-30"
    reply_b = office.send("a2", f"confirm:{pending_b}")
    assert "2025-11-30 → 2025-12-31" in reply_b.text, reply_b.text
    deadline_changes = [(e[2], e[3], e[4]) for e in events(office.db) if e[:2] == ("任务3", "deadline")]
    assert deadline_changes == [
        ("2025-10-31", "2025-11-30", "test:a1"),
        ("2025-11-30", "2025-12-31", "test:a2"),
    ]


def test_two_admins_confirming_two_revisions_at_once_record_each_change_once(
    office: Office, request: pytest.FixtureRequest
) -> None:
    content = FIXTURE.read_bytes()
    office.preview("a1", content)
    assert office.send("a1", "确认").intent == "recorded"
    _, pending_a = office.preview("a1", revised(content, ("2025年10月", "2025年11月")), "修订A.txt")
    _, pending_b = office.preview("a2", revised(content, ("2025年10月", "2025年12月")), "修订B.txt")
    at = office.clock + timedelta(minutes=1)
    imports = str(office.data / "imports")
    results = in_processes(
        _press_in_another_process,
        [(office.db.url, imports, "a1", f"confirm:{pending_a}", at),
         (office.db.url, imports, "a2", f"confirm:{pending_b}", at)],
    )  # fmt: skip
    assert sorted(r[1] for r in results) == ["recorded", "recorded"], results
    assert sorted(p for p, o in outcomes(office.db) if o == "confirmed")[-2:] == [pending_a, pending_b]
    changes = [(e[2], e[3]) for e in events(office.db) if e[:2] == ("任务3", "deadline")]
    # either order, each revision once, a chain: 10-31 → X → Y
    assert changes in (
        [("2025-10-31", "2025-11-30"), ("2025-11-30", "2025-12-31")],
        [("2025-10-31", "2025-12-31"), ("2025-12-31", "2025-11-30")],
    ), changes
    assert task_terms(office.db, 3)[0] == changes[-1][1]


def test_plans_apply_of_one_new_draft_from_three_processes(
    db_url: str, tmp_path: Path, fixture_drafts: Path
) -> None:
    seeded(db_url)
    draft = copied_draft(fixture_drafts, tmp_path)
    results = in_processes(_apply_in_another_process, [(db_url, str(draft))] * 3)
    database = Database(db_url)
    try:
        assert len(imported_plans(database)) == 1 and events(database) == []
        assert rows(database, "plan", "task")["task"] == 65  # 53 seed tasks + 12
    finally:
        database.dispose()
    assert [r[0] for r in results] == [0, 0, 0], [r[2][-200:] for r in results]


def test_plans_apply_of_one_revised_draft_from_three_processes(
    db_url: str, tmp_path: Path, fixture_drafts: Path
) -> None:
    seeded(db_url)
    draft = copied_draft(fixture_drafts, tmp_path)
    assert cli("plans", "apply", str(draft), "--db", db_url)[0] == 0
    draft.write_text(
        draft.read_text(encoding="utf-8").replace("deadline: '2025.8'", "deadline: '2025.9'", 1),
        encoding="utf-8",
    )
    results = in_processes(_apply_in_another_process, [(db_url, str(draft))] * 3)
    database = Database(db_url)
    try:
        assert [(e[0], e[1], e[2], e[3]) for e in events(database)] == [
            ("任务12", "deadline", "2025-08-31", "2025-09-30")
        ]
    finally:
        database.dispose()
    assert [r[0] for r in results] == [0, 0, 0], [r[2][-200:] for r in results]
    assert sum("2025-08-31 → 2025-09-30" in r[1] for r in results) == 1, [r[1] for r in results]


# ---------------------------------------------------------------------------------------------- 4. crash safety


def test_a_crash_after_loading_before_the_outcome_is_recorded_loses_and_duplicates_nothing(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.conversation.reporting as reporting  # Reporter calls its own imported name

    content = FIXTURE.read_bytes()
    real = reporting.decide
    calls = {"n": 0}

    def decide_crashing_once(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("power cut after the catalog commit")
        return real(*args, **kwargs)

    monkeypatch.setattr(reporting, "decide", decide_crashing_once)
    _, pending = office.preview("a1", content)
    with pytest.raises(RuntimeError):
        office.send("a1", "确认")
    loaded = catalog(office.db)
    assert len(imported_plans(office.db)) == 1 and outcomes(office.db) == []
    again = office.send("a1", "确认")  # the preview is still open: 确认 again
    assert again.intent == "recorded"
    assert catalog(office.db) == loaded and outcomes(office.db) == [(pending, "confirmed")]

    # the same with a revision: its changes are recorded by the first attempt, once
    calls["n"] = 0
    _, pending = office.preview("a1", revised(content, ("2025年10月", "2025年11月")), "修订.txt")
    with pytest.raises(RuntimeError):
        office.send("a1", "确认")
    assert office.send("a1", "确认").intent == "recorded"
    assert [(e[0], e[1]) for e in events(office.db)] == [("任务3", "deadline"), ("任务3", "deadline_text")]
    assert outcomes(office.db)[-1] == (pending, "confirmed") and catalog(office.db)["task"] == loaded["task"]


def test_a_failure_in_the_middle_of_sync_catalog_rolls_everything_back(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    import store.catalog as store_catalog

    content = FIXTURE.read_bytes()
    office.preview("a1", content)
    assert office.send("a1", "确认").intent == "recorded"
    before, terms = catalog(office.db), (task_terms(office.db, 3), task_terms(office.db, 12))

    real = store_catalog._record_changes
    seen = {"n": 0}

    def failing_at_the_fifth_task(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)  # task 3's changes are already flushed when task 5 fails
        if any(a == "任务5" or getattr(a, "number", None) == 5 for a in args):
            seen["n"] += 1
            raise RuntimeError("disk full in the middle of the load")

    monkeypatch.setattr(store_catalog, "_record_changes", failing_at_the_fifth_task)
    revision = revised(
        content, ("2025年10月", "2025年11月"), ("2025年8月", "2025年9月"), ("吸纳服务机构", "吸纳机构")
    )
    _, pending = office.preview("a1", revision, "修订.txt")
    with pytest.raises(RuntimeError):
        office.send("a1", "确认")
    assert catalog(office.db) == before and events(office.db) == []  # nothing half-loaded
    assert (task_terms(office.db, 3), task_terms(office.db, 12)) == terms

    monkeypatch.setattr(store_catalog, "_record_changes", real)
    assert office.send("a1", "确认").intent == "recorded"
    assert seen["n"] == 1
    assert task_terms(office.db, 3)[0] == "2025-11-30" and task_terms(office.db, 12)[0] == "2025-09-30"
    recorded = [(e[0], e[1]) for e in events(office.db)]
    assert len(recorded) == len(set(recorded))  # each change once
    assert {("任务3", "deadline"), ("任务3", "deadline_text"), ("任务12", "deadline")} <= set(recorded)
    assert outcomes(office.db)[-1] == (pending, "confirmed")


# ---------------------------------------------------------------------------------------------- 5. revisions


def _loaded(office: Office) -> bytes:
    content = FIXTURE.read_bytes()
    office.preview("a1", content)
    assert office.send("a1", "确认").intent == "recorded"
    return content


def test_a_task_removed_in_a_revision_is_recorded_and_no_longer_chased(office: Office) -> None:
    content = _loaded(office)
    lines = content.decode("utf-8").splitlines()
    revision = "\n".join(line for line in lines if not line.startswith("10\t")).encode()
    forum = "海峡两岸商标品牌论坛"  # task 10, 上半年: overdue on the office's day
    assert forum in office.send("a1", "市台办有哪些任务").text
    late_before = overdue_counts(office.db, office.clock.date(), top=5).total
    preview, _ = office.preview("a1", revision, "修订.txt")
    assert "修订稿不再包含：任务10" in preview.text  # said before 确认
    reply = office.send("a1", "确认")
    assert reply.intent == "recorded"
    assert "任务10：修订稿已删除此项" in reply.text
    assert [e[:4] for e in events(office.db) if e[0] == "任务10"] == [
        ("任务10", "withdrawn", None, "修订稿已删除此项")
    ]
    # no longer listed, counted or chased; its row (and anything reported on it) stays
    assert forum not in office.send("a1", "市台办有哪些任务").text
    assert overdue_counts(office.db, office.clock.date(), top=5).total == late_before - 1
    assert 10 not in live_task_numbers(office.db, imported_plans(office.db)[0][0])
    assert task_terms(office.db, 10)[2] == "举办海峡两岸商标品牌论坛。"
    asked = office.send("a1", "商标品牌方案任务10").text  # asked by its number: said withdrawn, not late
    assert "海峡两岸商标品牌论坛" in asked and "已撤销" in asked and "已逾期" not in asked, asked
    # a later revision that holds it again brings it back, recorded too
    office.preview("a1", content, "再修订.txt")
    assert "任务10：修订稿恢复此项" in office.send("a1", "确认").text
    assert forum in office.send("a1", "市台办有哪些任务").text
    assert [e[:4] for e in events(office.db) if e[0] == "任务10"][-1] == (
        "任务10",
        "withdrawn",
        "修订稿已删除此项",
        None,
    )


def test_another_bot_process_answers_a_plan_loaded_elsewhere_without_a_restart(office: Office) -> None:
    """Two bot processes over one database (Telegram and Slack, say): a plan confirmed in one, or a revision
    of it, is answered by the other at its next message."""
    other = office.new_core()  # started before the plan existed
    ask = "市台办有哪些任务"

    def other_says(words: str) -> str:
        [reply] = other.handle(office.inbound("a2", words))
        return reply.text

    assert "海峡两岸商标品牌论坛" not in other_says(ask)
    content = _loaded(office)
    assert "海峡两岸商标品牌论坛" in other_says(ask)
    lines = content.decode("utf-8").splitlines()
    office.preview(
        "a1", "\n".join(line for line in lines if not line.startswith("10\t")).encode(), "修订.txt"
    )
    assert office.send("a1", "确认").intent == "recorded"
    assert "海峡两岸商标品牌论坛" not in other_says(ask)


def test_a_unit_renamed_in_a_revision_is_recorded_old_and_new(office: Office) -> None:
    content = _loaded(office)
    lines = content.decode("utf-8").splitlines()
    revision = "\n".join(
        line.replace("市数据管理局", "市大数据中心") if line.startswith("8\t") else line for line in lines
    ).encode()
    preview, _ = office.preview("a1", revision, "修订.txt")
    assert "市大数据中心" in preview.text  # the new unit is named before 确认
    reply = office.send("a1", "确认")
    assert "任务8 责任单位：市数据管理局" in reply.text
    [change] = [e for e in events(office.db) if e[:2] == ("任务8", "units")]
    assert change[2] is not None and change[3] is not None
    assert change[2].startswith("市数据管理局") and change[3].startswith("福州市大数据中心")


def test_a_deadline_changed_to_unreadable_words_is_flagged_and_recorded(office: Office) -> None:
    content = _loaded(office)
    preview, _ = office.preview("a1", revised(content, ("2025年10月", "另行通知")), "修订.txt")
    assert "时限无法识别：另行通知" in preview.text  # flagged before 确认
    reply = office.send("a1", "确认")
    assert "任务3 时限：2025-10-31 → （无）" in reply.text
    recorded = {e[1]: (e[2], e[3]) for e in events(office.db) if e[0] == "任务3"}
    assert recorded["deadline"] == ("2025-10-31", None)
    assert recorded["deadline_text"] == ("2025年10月", "另行通知")
    # Observed: an unreadable deadline turns the task into 长期推进 (ongoing), chased monthly instead.
    assert recorded["ongoing"] == ("False", "True")
    assert task_terms(office.db, 3)[:2] == (None, "另行通知")  # no invented date


def test_a_changed_task_content_or_indicator_target_is_recorded(office: Office) -> None:
    """A revision that rewrites a task's content or an indicator's target is recorded, old → new."""
    content = _loaded(office)
    revision = revised(
        content, ("年内新认定老字号20个", "年内新认定老字号5个"), ("亿元\t12.5\t15", "亿元\t12.5\t10")
    )
    office.preview("a1", revision, "修订.txt")
    reply = office.send("a1", "确认")
    assert reply.intent == "recorded" and "更新 3 条" in reply.text
    items = {e[0] for e in events(office.db)}
    assert "任务3" in items and any(item.startswith("指标") for item in items), events(office.db)


# ---------------------------------------------------------------------------------------------- 6. the draft


@pytest.fixture
def draft(tmp_path: Path, fixture_drafts: Path) -> tuple[str, Path]:
    url = f"sqlite:///{tmp_path / 'drafts.sqlite3'}"
    assert cli("init", "--db", url)[0] == 0
    return url, copied_draft(fixture_drafts, tmp_path)


def _edited(path: Path, name: str, old: str, new: str) -> Path:
    body = path.read_text(encoding="utf-8")
    assert old in body, old
    edited = path.with_name(name)
    edited.write_text(body.replace(old, new, 1), encoding="utf-8")
    return edited


def _line_of(path: Path, needle: str) -> int:
    return next(
        i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line
    )


def test_a_draft_naming_an_unknown_unit_is_refused_with_file_line_and_field(draft: tuple[str, Path]) -> None:
    url, path = draft
    edited = _edited(path, "unknown.yaml", "- 市商务局\n", "- 不存在的协调办\n")
    code, _, err = cli("plans", "apply", str(edited), "--db", url)
    assert code == 2 and "Traceback" not in err and "不存在的协调办" in err and "字段 units" in err
    assert f"{edited}:{_line_of(edited, '不存在的协调办')}" in err
    assert imported_plans(Database(url)) == []


def test_a_draft_with_a_duplicate_task_number_is_refused_with_file_line_and_field(
    draft: tuple[str, Path],
) -> None:
    url, path = draft
    edited = _edited(path, "dup.yaml", "- number: 3\n", "- number: 2\n")
    code, _, err = cli("plans", "apply", str(edited), "--db", url)
    second = [i for i, line in enumerate(edited.read_text(encoding="utf-8").splitlines(), 1)
              if line == "- number: 2"][1]  # fmt: skip
    assert code == 2 and "Traceback" not in err
    assert f"{edited}:{second}" in err and "字段 number" in err and "与前面的记录重复" in err
    assert imported_plans(Database(url)) == []


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:subprocess.check_call [['touch', '{marker}']]",
        "!!python/name:os.system",
    ],
)
def test_a_draft_with_python_tags_is_refused_and_nothing_runs(
    draft: tuple[str, Path], tmp_path: Path, tag: str
) -> None:
    url, path = draft
    marker = tmp_path / "PWNED"
    edited = _edited(path, "tag.yaml", "featured: true", f"featured: {tag.format(marker=marker)}")
    code, _, err = cli("plans", "apply", str(edited), "--db", url)
    assert code == 2 and "Traceback" not in err and not marker.exists()
    assert f"{edited}:{_line_of(edited, 'python/')}" in err  # file and line
    assert imported_plans(Database(url)) == []


def test_a_draft_whose_document_points_outside_docs_is_refused(draft: tuple[str, Path]) -> None:
    url, path = draft
    body = path.read_text(encoding="utf-8")
    document_line = next(line for line in body.splitlines() if line.startswith("  document: "))
    edited = _edited(path, "escape.yaml", document_line, "  document: ../../../../etc/passwd")
    code, _, err = cli("plans", "apply", str(edited), "--db", url)
    assert code == 2 and "Traceback" not in err and "字段 document" in err
    assert imported_plans(Database(url)) == []
