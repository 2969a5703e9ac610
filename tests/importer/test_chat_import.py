"""A plan document sent in chat: an admin's file is read at once and previewed (识别出 N 项任务…) with 确认 /
取消, like a report; nothing changes before 确认; staff files stay 佐证材料."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from bot.conversation import texts
from bot.conversation.core import Core
from bot.conversation.knowledge import Knowledge
from bot.conversation.messages import LOCAL_TZ, Attachment, Inbound, Outbound
from store.catalog_queries import list_plans
from store.db import Database
from store.evidence_files import EvidenceFiles
from store.members import add_member

FIXTURE = Path(__file__).parent / "fixtures" / "fuzhou_brand_tasks_2025.txt"
JOINED = datetime(2025, 1, 1, tzinfo=LOCAL_TZ)


class Office:
    def __init__(self, db: Database, data: Path) -> None:
        self.db, self.data = db, data
        files = EvidenceFiles(data / "evidence", data / "inbox")
        self.core = Core(Knowledge(db, evidence=files, imports=data / "imports"))
        self.clock = datetime.combine(datetime(2025, 8, 11).date(), time(9), LOCAL_TZ)
        self.count = 0
        people = {"duban": ("陈督办", "市监局", "admin"), "ip": ("林科长", "市商务局", "staff")}
        for user, (name, unit, role) in people.items():
            add_member(db, platform="test", user_id=user, display_name=name, unit=unit, role=role, at=JOINED)

    def send(
        self, user: str, words: str = "", *, file: Attachment | None = None, mid: str | None = None
    ) -> Outbound:
        self.clock += timedelta(minutes=1)
        self.count += 1
        inbound = Inbound("test", user, user, words, self.clock, mid or f"m{self.count}", attachment=file)
        [reply] = self.core.handle(inbound)
        return reply


def document(content: bytes, name: str = "商标品牌任务分解表.txt") -> Attachment:
    return Attachment(name, size=len(content), content=content, declared_type="text/plain")


@pytest.fixture
def office(db: Database, tmp_path: Path) -> Office:
    return Office(db, tmp_path / "data")


def test_an_admins_document_is_previewed_then_loaded_on_confirm(office: Office) -> None:
    content = FIXTURE.read_bytes()
    preview = office.send("duban", file=document(content), mid="file-1")
    assert preview.intent == "preview" and "识别出 12 项任务、3 项指标、1 个新单位" in preview.text
    assert "《福州市2025年商标品牌建设重点任务分解表》" in preview.text and "市品牌发展促进会" in preview.text
    assert [b.label for b in preview.buttons] == [texts.CONFIRM_LABEL, texts.CANCEL_LABEL]
    assert len(list_plans(office.db)) == 2  # nothing changes before 确认
    again = office.send("duban", file=document(content), mid="file-1")  # redelivered: the same preview
    assert again.text == preview.text
    loaded = office.send("duban", "确认")
    assert loaded.intent == "recorded" and "已载入《福州市2025年商标品牌建设重点任务分解表》" in loaded.text
    assert len(list_plans(office.db)) == 3
    answer = office.send("duban", "商标品牌方案第3项")
    assert "市商务局（牵头）" in answer.text and "责任领导：陈副市长" in answer.text

    revised = content.replace("2025年10月".encode(), "2025年11月".encode(), 1)
    office.send("duban", file=document(revised, "商标品牌任务分解表（修订）.txt"))
    changed = office.send("duban", "确认")
    assert "以下改动已记入台账" in changed.text and "时限：2025-10-31 → 2025-11-30" in changed.text


def test_cancel_loads_nothing_and_staff_files_stay_evidence(office: Office) -> None:
    content = FIXTURE.read_bytes()
    assert office.send("duban", file=document(content)).intent == "preview"
    assert office.send("duban", "取消").intent == "cancelled"
    assert len(list_plans(office.db)) == 2
    staff = office.send("ip", file=document(content))
    assert staff.intent == "evidence_refused" and "识别出" not in staff.text  # a staff file is evidence
    asked = office.send("ip", "导入", file=document(content))
    assert asked.intent == "refused" and asked.text == texts.ONLY_ADMIN_IMPORTS


def test_bad_files_are_refused_clearly_and_nothing_is_kept(office: Office) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(64)
    refused = office.send("duban", "导入方案", file=Attachment("plan.png", size=len(png), content=png))
    assert refused.intent == "import_refused" and "图片" in refused.text
    notes = "会议纪要\n今天天气很好。\n".encode()
    refused = office.send("duban", "导入", file=document(notes, "纪要.txt"))
    assert refused.intent == "import_refused" and "未识别出任务或指标" in refused.text
    big = Attachment("plan.docx", size=60 * 1024 * 1024, content=None)
    assert office.send("duban", "导入", file=big).text == texts.IMPORT_TOO_LARGE
    assert len(list_plans(office.db)) == 2
    assert not list((office.data / "imports").glob("*.yaml")) if (office.data / "imports").exists() else True


def test_an_admins_file_after_their_own_report_is_evidence_not_a_plan(office: Office) -> None:
    office.send("duban", "任务3已完成")
    office.send("duban", "确认")
    pdf = b"%PDF-1.4\n" + bytes(200)
    reply = office.send("duban", file=Attachment("批复.pdf", size=len(pdf), content=pdf))
    assert reply.intent != "preview" and "识别出" not in reply.text


def test_the_bots_postgresql_role_confirms_but_leaves_the_catalog_to_its_owner(
    db: Database, tmp_path: Path
) -> None:
    """The bot's own role may not change the catalog (store/grants.py): 确认 records the decision and says
    who must load the draft, with the command; nothing half-loaded."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("roles are PostgreSQL's")
    import uuid

    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from store.grants import grant_bot_role

    role = f"duban_bot_{uuid.uuid4().hex[:8]}"
    with db.engine.begin() as connection:
        connection.execute(text(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"))
    try:
        Office(db, tmp_path / "owner")  # the members, added by the owner
        grant_bot_role(db, role)
        as_bot = Database(
            make_url(db.url).set(username=role, password=None).render_as_string(hide_password=False)
        )
        office = Office.__new__(Office)
        office.db, office.data = as_bot, tmp_path / "data"
        files = EvidenceFiles(office.data / "evidence", office.data / "inbox")
        office.core = Core(Knowledge(as_bot, evidence=files, imports=office.data / "imports"))
        office.clock, office.count = datetime(2025, 8, 11, 9, tzinfo=LOCAL_TZ), 0
        assert office.send("duban", file=document(FIXTURE.read_bytes())).intent == "preview"
        reply = office.send("duban", "确认")
        assert "请由数据库管理员在服务器上运行：duban plans apply" in reply.text
        assert len(list_plans(db)) == 2
        as_bot.dispose()
    finally:
        with db.engine.begin() as connection:
            connection.execute(text(f"DROP OWNED BY {role}"))
            connection.execute(text(f"DROP ROLE {role}"))


def test_a_unit_reports_on_an_imported_plan_and_the_office_approves(office: Office) -> None:
    """After import the plan is reported on as the seed plans are: the lead unit's completion of 第3项 is
    待审核, the office's 通过 makes it 已办结, and the plan's overview counts it."""
    office.send("duban", file=document(FIXTURE.read_bytes()))
    office.send("duban", "确认")
    preview = office.send("ip", "商标品牌方案第3项已完成")
    assert preview.intent == "preview" and "商标品牌" in preview.text and "任务3" in preview.text
    submitted = office.send("ip", "确认")
    assert submitted.intent == "recorded" and "待审核" in submitted.text
    number = int(submitted.text.split("审核号 ")[1].split("）")[0])
    assert office.send("duban", f"通过 {number}").intent == "reviewed"
    detail = office.send("ip", "商标品牌方案第3项").text
    assert "已办结" in detail or "已完成" in detail, detail
