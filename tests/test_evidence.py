"""佐证材料: files attached to reports, kept by their hash, refused when they are not what may be kept, fetched
only by those allowed. Every test with a database runs on SQLite and on PostgreSQL, through the
platform-neutral core, at a controlled time (nothing sleeps)."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from bot.cli.main import main
from bot.conversation import texts
from bot.conversation.core import Core
from bot.conversation.evidence import requested_number
from bot.conversation.knowledge import Knowledge
from bot.conversation.messages import LOCAL_ADMIN, LOCAL_PLATFORM, LOCAL_TZ, Attachment, Inbound, Outbound
from store.db import Database
from store.evidence_files import MAX_BYTES, EvidenceFiles, detect_type
from store.members import add_member
from store.models import Evidence, PendingWrite, TaskEvent

DAY = date(2025, 9, 22)
JOINED = datetime(2025, 1, 1, tzinfo=UTC)
PEOPLE = {  # user id: (name, unit, role)
    "fayuan": ("李法官", "中院", "staff"),
    "fayuan2": ("周书记员", "中院", "viewer"),
    "gulou": ("王五", "鼓楼区人民政府", "staff"),
    "guest": ("钱七", "市检察院", "viewer"),
    "duban": ("陈督办", "市监局", "admin"),
}
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LIMIT = f"每个不超过 {MAX_BYTES // (1024 * 1024)} MB"


def package(names: dict[str, bytes]) -> bytes:
    """A zip archive holding these members (OOXML and OFD documents are zips)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in names.items():
            archive.writestr(name, content)
    return buffer.getvalue()


CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)
DOCX = package({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w:document/>"})
XLSX = package({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": b"<workbook/>"})
OFD = package({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<ofd:Document/>"})
VBA_XLSX = package({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": b"x", "xl/vbaProject.bin": b"x"})


class Office:
    """The people above (platform "test") and the local operator, talking to one core at a controlled time;
    evidence kept under `data`."""

    def __init__(self, db: Database, data: Path) -> None:
        self.db = db
        self.data = data
        self.files = EvidenceFiles(data / "evidence", data / "inbox")
        self.core = Core(Knowledge(db, evidence=self.files))
        self.clock = datetime.combine(DAY, time(9), LOCAL_TZ)
        self.count = 0
        for user, (name, unit, role) in PEOPLE.items():
            add_member(db, platform="test", user_id=user, display_name=name, unit=unit, role=role, at=JOINED)

    def send(
        self,
        user: str,
        words: str = "",
        *,
        file: Attachment | None = None,
        after: timedelta = timedelta(minutes=1),
        mid: str | None = None,
        platform: str = "test",
        group: bool = False,
    ) -> Outbound:
        self.clock += after
        self.count += 1
        inbound = Inbound(
            platform, user, user, words, self.clock, mid or f"m{self.count}", attachment=file, group=group
        )
        [reply] = self.core.handle(inbound)
        return reply

    def stored(self) -> list[Path]:
        """Every file under the data directory's evidence folder."""
        root = self.data / "evidence"
        return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def office(db: Database, tmp_path: Path) -> Office:
    return Office(db, tmp_path / "data")


def rows(db: Database) -> list[Evidence]:
    with Session(db.engine) as session:
        return list(session.exec(select(Evidence).order_by(Evidence.id)).all())  # type: ignore[arg-type]


def events(db: Database) -> list[TaskEvent]:
    with Session(db.engine) as session:
        return list(session.exec(select(TaskEvent).order_by(TaskEvent.id)).all())  # type: ignore[arg-type]


def photo(content: bytes = JPEG, name: str = "photo-1.jpg") -> Attachment:
    return Attachment(name, size=len(content), content=content, declared_type="image/jpeg")


# ---- attaching ------------------------------------------------------------------------------------------


def test_a_photo_with_a_report_caption_follows_the_report_into_its_history(office: Office) -> None:
    preview = office.send("fayuan", "任务18已完成", file=photo(name="验收照片.jpg"))
    assert preview.intent == "preview" and [b.label for b in preview.buttons] == ["确认", "取消"]
    assert "请确认以下上报：" in preview.text
    assert "已收到佐证材料「验收照片.jpg」" in preview.text and "待确认的上报“任务18”" in preview.text
    assert events(office.db) == []  # nothing recorded before 确认, the file waits on the preview
    [row] = rows(office.db)
    assert row.pending_id is not None and row.task_event_id is None
    assert (row.sha256, row.size, row.content_type) == (
        hashlib.sha256(JPEG).hexdigest(),
        len(JPEG),
        "image/jpeg",
    )
    assert (row.platform, row.chat_id, row.platform_user_id, row.original_name) == (
        "test",
        "fayuan",
        "fayuan",
        "验收照片.jpg",
    )

    assert office.send("fayuan", "确认").intent == "recorded"
    history = office.send("fayuan", "任务18的办理记录").text
    report_line, evidence_line = history.splitlines()[1:3]
    assert "李法官·市中级人民法院 报告完成" in report_line
    assert evidence_line == f"  📎 佐证 {row.id}「验收照片.jpg」{texts.file_size(len(JPEG))} JPEG 图片"
    [event] = events(office.db)
    assert event.message_id == rows(office.db)[0].message_id  # the row the preview became


def test_a_file_sent_after_a_typed_report_waits_on_its_open_preview(office: Office) -> None:
    office.send("gulou", "任务41进展：已完成选址")
    reply = office.send("gulou", file=Attachment("选址.pdf", content=PDF))
    assert reply.intent == "evidence" and "待确认的上报“任务41”" in reply.text
    office.send("gulou", "确认")
    assert "📎 佐证 1「选址.pdf」" in office.send("gulou", "任务41的办理记录").text


def test_a_file_nine_minutes_after_a_confirmed_report_is_attached_eleven_minutes_is_refused(
    office: Office,
) -> None:
    office.send("gulou", "任务41进展：已完成选址")
    office.send("gulou", "确认")
    [event] = events(office.db)
    nine = office.send("gulou", file=photo(), after=timedelta(minutes=9))
    assert nine.intent == "evidence" and "任务41 报告进展" in nine.text and "编号 1" in nine.text
    [row] = rows(office.db)
    assert row.task_event_id == event.id
    files_before = office.stored()

    late = office.send("gulou", file=photo(PNG, "later.png"), after=timedelta(minutes=2))  # 11 minutes
    assert (late.text, late.intent) == (texts.EVIDENCE_NO_REPORT, "evidence_refused")
    assert len(rows(office.db)) == 1 and office.stored() == files_before
    assert "📎 佐证 1" in office.send("gulou", "任务41的办理记录").text


def test_without_a_report_a_file_is_refused(office: Office) -> None:
    reply = office.send("fayuan", file=photo())
    assert (reply.text, reply.intent) == (texts.EVIDENCE_NO_REPORT, "evidence_refused")
    assert rows(office.db) == [] and office.stored() == []


def test_a_retracted_or_another_members_report_takes_no_file(office: Office) -> None:
    office.send("gulou", "任务41进展：已完成选址")
    office.send("gulou", "确认")
    assert office.send("duban", file=photo()).text == texts.EVIDENCE_NO_REPORT  # not the admin's report
    office.send("gulou", "撤销")
    assert office.send("gulou", file=photo()).text == texts.EVIDENCE_NO_REPORT  # withdrawn
    assert rows(office.db) == []


def test_viewers_and_strangers_attach_nothing(office: Office) -> None:
    assert office.send("guest", file=photo()).text == texts.EVIDENCE_VIEWER
    assert office.send("nobody", file=photo()).text == texts.NOT_BOUND
    assert rows(office.db) == [] and office.stored() == []


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.jpg", b"", "empty"),
        ("huge.jpg", b"\xff\xd8\xff" + bytes(21 * 1024 * 1024), "too_large"),
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(200), "type"),
        ("scan.jpg", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(200), "type"),  # an .exe renamed .jpg
        ("page.html", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "type"),
        ("run.sh", b"#!/bin/sh\nrm -rf /\n", "type"),
        ("all.zip", package({"a.txt": b"x"}), "type"),
        ("macro.docx", package({"[Content_Types].xml": b"macroEnabled", "word/document.xml": b"x"}), "type"),
        ("vba.xlsx", VBA_XLSX, "type"),
    ],
)
def test_bad_files_get_a_clear_refusal_and_nothing_is_stored(
    office: Office, name: str, content: bytes, reason: str
) -> None:
    office.send("fayuan", "任务18进展：已上线")  # an open preview the file would go to
    reply = office.send("fayuan", file=Attachment(name, size=len(content), content=content))
    assert reply.intent == "evidence_refused"
    assert reply.text == texts.evidence_refused(reason, MAX_BYTES, "", str(office.files.inbox))
    assert reply.text.startswith("佐证材料未保存：")
    if reason != "empty":
        assert LIMIT in reply.text and "PDF" in reply.text  # names the limit and what is accepted
    assert rows(office.db) == [] and office.stored() == []


def test_a_file_too_large_by_the_platforms_word_is_refused_undownloaded(office: Office) -> None:
    office.send("fayuan", "任务18进展：已上线")
    reply = office.send("fayuan", file=Attachment("big.pdf", size=MAX_BYTES + 1, content=None))
    assert reply.text == texts.evidence_refused("too_large", MAX_BYTES)
    failed = office.send("fayuan", file=Attachment("lost.pdf", size=100, content=None))
    assert failed.text == texts.evidence_refused("unavailable", MAX_BYTES)
    assert rows(office.db) == []


def test_a_refused_file_with_a_report_caption_leaves_the_report_unhandled(office: Office) -> None:
    reply = office.send("fayuan", "任务18已完成", file=Attachment("x.exe", content=b"MZ\x90\x00"))
    assert reply.text.startswith("佐证材料未保存：") and texts.EVIDENCE_REPORT_NOT_HANDLED in reply.text
    with Session(office.db.engine) as session:
        assert session.exec(select(PendingWrite)).all() == []
    assert rows(office.db) == []


def test_the_same_content_twice_is_one_file_and_two_rows(office: Office) -> None:
    office.send("fayuan", "任务18进展：已上线")
    first = office.send("fayuan", file=photo(name="a.jpg"))
    second = office.send("fayuan", file=photo(name="b.jpg"))
    assert "编号 1" in first.text and "编号 2" in second.text
    assert [r.original_name for r in rows(office.db)] == ["a.jpg", "b.jpg"]
    [stored] = office.stored()
    sha = hashlib.sha256(JPEG).hexdigest()
    assert stored == office.data / "evidence" / sha[:2] / sha and stored.read_bytes() == JPEG
    assert stored.stat().st_mode & 0o777 == 0o640  # never executable


def test_a_redelivered_message_is_kept_once_and_answered_the_same(office: Office) -> None:
    office.send("fayuan", "任务18进展：已上线")
    first = office.send("fayuan", file=photo(), mid="tg-77")
    office.send("fayuan", "确认")  # the preview is decided meanwhile; the answer does not change
    again = office.send("fayuan", file=photo(), mid="tg-77")
    assert again.text == first.text and len(rows(office.db)) == 1

    captioned = office.send("gulou", "任务41已完成", file=photo(PNG, "p.png"), mid="tg-78")
    repeated = office.send("gulou", "任务41已完成", file=photo(PNG, "p.png"), mid="tg-78")
    assert repeated.text == captioned.text and len(rows(office.db)) == 2


def test_names_are_cleaned_and_capped(office: Office) -> None:
    office.send("fayuan", "任务18进展：已上线")
    sly = "../../etc/\u202egpj.exe" + "长" * 300 + ".jpg"
    office.send("fayuan", file=photo(name=sly))
    [row] = rows(office.db)
    assert "/" not in row.original_name and "\u202e" not in row.original_name
    assert row.original_name.startswith("gpj.exe") and len(row.original_name) == 120


def test_allowed_types_are_read_from_the_bytes() -> None:
    found = {name: detect_type(content) for name, content in (
        ("jpeg", JPEG), ("png", PNG), ("pdf", PDF), ("docx", DOCX), ("xlsx", XLSX), ("ofd", OFD),
    )}  # fmt: skip
    assert {name: kind.extension if kind else None for name, kind in found.items()} == {
        "jpeg": ".jpg", "png": ".png", "pdf": ".pdf", "docx": ".docx", "xlsx": ".xlsx", "ofd": ".ofd",
    }  # fmt: skip
    for content in (b"GIF89a", b"PK\x03\x04broken", b"\x7fELF", b"<svg/>", b" %PDF-1.4"):
        assert detect_type(content) is None


# ---- the console: files from the inbox only ---------------------------------------------------------------


def local(office: Office, words: str) -> Outbound:
    return office.send(LOCAL_ADMIN, words, platform=LOCAL_PLATFORM)


def test_the_console_attaches_files_from_the_inbox_only(office: Office) -> None:
    inbox = office.files.inbox
    inbox.mkdir(parents=True)
    (inbox / "scan.pdf").write_bytes(PDF)
    outside = office.data / "outside.pdf"  # beside the inbox, in the data directory
    outside.write_bytes(PDF)
    (inbox / "link.pdf").symlink_to(outside)
    (inbox / "sub").mkdir()
    local(office, "任务18已完成")
    local(office, "确认")
    for typed in (str(outside), "../outside.pdf", f"{inbox}/../outside.pdf", "link.pdf", "/etc/passwd"):
        reply = local(office, f"佐证 {typed}")
        assert reply.text == texts.evidence_refused("outside_inbox", MAX_BYTES, typed, str(inbox)), typed
    assert local(office, "佐证 missing.pdf").text == texts.evidence_refused(
        "not_found", MAX_BYTES, "missing.pdf", str(inbox)
    )
    assert "不是普通文件" in local(office, "附件 sub").text
    assert rows(office.db) == [] and office.stored() == []

    kept = local(office, f"佐证 {inbox / 'scan.pdf'}")
    assert kept.intent == "evidence" and "「scan.pdf」" in kept.text and "任务18 标记整项完成" in kept.text
    assert [r.original_name for r in rows(office.db)] == ["scan.pdf"]


def test_a_path_is_only_a_path_on_the_console(office: Office) -> None:
    office.send("fayuan", "任务18进展：已上线")
    reply = office.send("fayuan", "佐证 /etc/passwd")
    assert reply.intent not in ("evidence", "evidence_refused")
    assert rows(office.db) == []


# ---- fetching ------------------------------------------------------------------------------------------


def test_fetching_in_chat_is_for_admins_and_the_reporting_unit(office: Office) -> None:
    office.send("fayuan", "任务18已完成", file=photo(name="验收.jpg"))
    office.send("fayuan", "确认")
    admin = office.send("duban", "查看佐证 1")
    assert admin.intent == "evidence" and admin.file is not None
    assert admin.file.content == JPEG and admin.file.name == "验收.jpg"
    assert "李法官·市中级人民法院" in admin.text and "任务18 报告完成" in admin.text
    same_unit = office.send("fayuan2", "佐证1")  # a viewer of the unit that reported it
    assert same_unit.file is not None and same_unit.file.content == JPEG

    refused = office.send("gulou", "查看佐证 1")
    unknown = office.send("gulou", "查看佐证 2")
    assert refused.text == texts.evidence_not_found(1) and unknown.text == texts.evidence_not_found(2)
    assert refused.file is None and "验收" not in refused.text
    assert office.send("guest", "查看佐证材料 1").file is None
    in_group = office.send("duban", "查看佐证 1", group=True)
    assert (in_group.text, in_group.file) == (texts.EVIDENCE_PRIVATE_ONLY, None)


def test_the_console_fetch_shows_where_the_file_is(office: Office) -> None:
    office.send("fayuan", "任务18进展：已上线", file=photo())
    reply = local(office, "查看佐证 1")
    sha = hashlib.sha256(JPEG).hexdigest()
    assert texts.evidence_path(str(office.data / "evidence" / sha[:2] / sha)) in reply.text
    assert "待确认的上报“任务18”" in reply.text


def test_a_downloaded_name_carries_the_detected_types_extension(office: Office) -> None:
    office.send("fayuan", "任务18进展：已上线", file=Attachment("report.exe", content=PDF))
    reply = office.send("duban", "查看佐证 1")
    assert reply.file is not None and reply.file.name == "report.pdf"


@pytest.mark.parametrize(
    ("words", "number"),
    [("查看佐证 3", 3), ("佐证3", 3), ("佐证材料 12", 12), ("查看佐证第5号", 5), ("查看佐證 ３", 3),
     ("佐证材料有哪些要求", None), ("任务3", None), ("佐证 /tmp/a.pdf", None)],
)  # fmt: skip
def test_requests_for_evidence_are_recognised(words: str, number: int | None) -> None:
    assert requested_number(words) == number


# ---- the command line ------------------------------------------------------------------------------------


def test_an_admin_exports_the_very_bytes_from_the_command_line(
    office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DUBAN_HOME", str(office.data))
    office.send("fayuan", "任务18已完成", file=Attachment("验收.pdf", content=PDF))
    office.send("fayuan", "确认")
    out = tmp_path / "out"
    out.mkdir()
    assert main(["evidence", "get", "1", "--db", office.db.url, "--out", str(out)]) == 0
    exported = out / "验收.pdf"
    assert hashlib.sha256(exported.read_bytes()).hexdigest() == hashlib.sha256(PDF).hexdigest()
    assert os.stat(exported).st_mode & 0o111 == 0
    assert "已导出佐证 1「验收.pdf」" in capsys.readouterr().out

    assert main(["evidence", "get", "1", "--db", office.db.url, "--out", str(out)]) == 2  # never overwrites
    assert texts.evidence_exists(str(exported)) in capsys.readouterr().err
    assert main(["evidence", "get", "99", "--db", office.db.url]) == 2
    assert texts.evidence_unknown(99) in capsys.readouterr().err

    assert main(["evidence", "list", "--db", office.db.url, "--plan", "福州", "--task", "18"]) == 0
    listed = capsys.readouterr().out
    assert "1「验收.pdf」" in listed and "李法官·市中级人民法院" in listed
    assert main(["evidence", "list", "--db", office.db.url, "--task", "41"]) == 0
    assert capsys.readouterr().out.strip() == texts.EVIDENCE_LIST_EMPTY


# ---- the ledger itself ---------------------------------------------------------------------------------


def test_evidence_rows_cannot_be_rewritten(office: Office) -> None:
    office.send("fayuan", "任务18进展：已上线", file=photo())
    for statement in ("UPDATE evidence SET original_name = 'x'", "DELETE FROM evidence"):
        with pytest.raises(DBAPIError, match="append-only"), office.db.engine.begin() as connection:
            connection.execute(text(statement))
    if office.db.engine.dialect.name == "sqlite":
        with pytest.raises(DBAPIError, match="append-only"), office.db.engine.begin() as connection:
            connection.execute(text("INSERT OR REPLACE INTO evidence SELECT * FROM evidence"))
    [row] = rows(office.db)
    assert row.original_name == "photo-1.jpg"
