"""The plan's own particulars: title, 文号, issuer and date, validity, and its 进度安排 schedule.

Pure. A notice that issues a plan names it (关于印发《X》的通知): X is the plan's title. The 文号 stands on a
line of its own (榕政综〔2024〕130号), not inside a sentence citing another document. The issuer is the 落款:
the organisation on the line above the issue date. Validity is read from 有效期至…; a plan that states none
is taken to run to the end of its schedule, and the draft says so.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from seeds.importer.blocks import Block, Paragraph
from seeds.importer.deadlines import parse_period
from seeds.importer.draft import Milestone, Problem
from seeds.importer.text import CHAPTER, PART, is_truncation_mark, tidy

_ISSUING = re.compile(r"关于印发\s*《?(?P<title>.+?)》?\s*的通知")
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,10}\s*[〔\[【(（]\s*\d{4}\s*[〕\]】)）]\s*\d{1,4}\s*号")
_DATE_LINE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
# A PDF's text may join the 落款 into one line: 福州市长乐区人民政府办公室2025年4月18日（此件主动公开）
_JOINED_SIGNATURE = re.compile(
    r"^(.{4,30}?(?:政府|局|委员会|委|办公室|办公厅|厅|部|会|院|办))\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
    r"(?:\s*[（(][^（）()]*[）)])?$"
)
_ISO_DATE = re.compile(r"(?:发文日期|成文日期|生成日期)\s*[:：]?\s*(\d{4})-(\d{2})-(\d{2})")
_ISSUER_LABEL = re.compile(r"(?:发文机关|发布机构|发文单位)\s*[:：]?\s*([^\s:：]+)")
_ORGANISATION = re.compile(r"(?:政府|局|委员会|委|办公室|办公厅|厅|部|会|院|办)$")
_VALID_UNTIL = re.compile(r"有效期至\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_TITLE_WORDS = re.compile(r"(?:方案|计划|清单|分解表|责任表|要点|规划|安排|分工方案|任务书)$")
_DRAFT_MARK = re.compile(r"[（(]\s*征求意见稿\s*[）)]")
_SCHEDULE_HEADING = re.compile(r"进度安排|时间安排|实施步骤|工作步骤|时间进度")
_NOT_TITLE = re.compile(
    r"[:：。；]|^当前位置|文件$|^\d{1,3}\s*[.．、]|^附件|^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$"
)
_TITLE_MAX = 60


@dataclass
class Header:
    title: str | None = None
    doc_number: str | None = None
    issuer: str | None = None
    issued: dt.date | None = None
    valid_until: dt.date | None = None
    valid_until_text: str | None = None  # the words the validity was read from
    valid_until_where: str = ""
    schedule: list[Milestone] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def year(self) -> int | None:
        """The plan's year, for deadlines written without one (8月底前): its title's, else its issue year."""
        found = re.search(r"(20\d{2})\s*年", self.title or "")
        if found:
            return int(found.group(1))
        return self.issued.year if self.issued else None


def read_header(blocks: Sequence[Block]) -> Header:
    paragraphs = _paragraphs(blocks)
    header = Header()
    header.title = _title(paragraphs)
    header.doc_number = _doc_number(paragraphs)
    header.issuer, header.issued = _signature(paragraphs)
    header.schedule = _schedule(paragraphs, header)
    _validity(paragraphs, header)
    return header


def _paragraphs(blocks: Sequence[Block]) -> list[Paragraph]:
    found: list[Paragraph] = []
    for block in blocks:
        if is_truncation_mark(block):
            break
        if isinstance(block, Paragraph) and block.text.strip():
            found.append(Paragraph(tidy(block.text), block.where, block.heading_level))
    return found


def _title(paragraphs: list[Paragraph]) -> str | None:
    for paragraph in paragraphs:
        issuing = _ISSUING.search(paragraph.text)
        if issuing:
            return issuing.group("title").strip("《》 ")
    short = [p.text for p in paragraphs if len(p.text) <= _TITLE_MAX and not _NOT_TITLE.search(p.text)]
    named = [t for t in short if _TITLE_WORDS.search(_DRAFT_MARK.sub("", t))]
    chosen = named[0] if named else (short[0] if short else None)
    return _DRAFT_MARK.sub("", chosen).strip() if chosen else None


def _doc_number(paragraphs: list[Paragraph]) -> str | None:
    """A 文号 on its own line or after the word 文号; one cited inside a sentence is another document's."""
    for paragraph in paragraphs:
        found = _DOC_NUMBER.search(paragraph.text)
        if found is None:
            continue
        written = found.group(0)
        labelled = "文号" in paragraph.text[: found.start()] or written.startswith("文号")
        alone = paragraph.text.strip().startswith(written) and len(paragraph.text) <= len(written) + 40
        if alone or labelled:
            return "".join(written.removeprefix("文号").split())
    return None


def _signature(paragraphs: list[Paragraph]) -> tuple[str | None, dt.date | None]:
    """The 落款: an organisation's name on the line above a date standing alone."""
    for index, paragraph in enumerate(paragraphs):
        joined = _JOINED_SIGNATURE.match(paragraph.text.strip())
        if joined is not None:
            return joined.group(1), _date(*joined.groups()[1:])
        date_line = _DATE_LINE.match(paragraph.text)
        if date_line is None:
            continue
        issued = _date(*date_line.groups())
        above = [p.text for p in paragraphs[max(0, index - 3) : index] if not p.text.startswith(("(", "（"))]
        issuer = above[-1] if above and _ORGANISATION.search(above[-1]) and len(above[-1]) <= 30 else None
        return issuer or _labelled_issuer(paragraphs), issued
    return _labelled_issuer(paragraphs), _labelled_date(paragraphs)


def _labelled_issuer(paragraphs: list[Paragraph]) -> str | None:
    for paragraph in paragraphs:
        found = _ISSUER_LABEL.search(paragraph.text)
        if found:
            return found.group(1)
    return None


def _labelled_date(paragraphs: list[Paragraph]) -> dt.date | None:
    for paragraph in paragraphs:
        found = _ISO_DATE.search(paragraph.text)
        if found:
            return _date(*found.groups())
    return None


def _date(year: str, month: str, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _schedule(paragraphs: list[Paragraph], header: Header) -> list[Milestone]:
    """（一）2024年3~7月，完善…； under a 进度安排 heading: one milestone per stage."""
    milestones: list[Milestone] = []
    inside = False
    for paragraph in paragraphs:
        part = PART.match(paragraph.text)
        if part:
            inside = bool(_SCHEDULE_HEADING.search(part.group(2))) and len(paragraph.text) <= 30
            continue
        stage = CHAPTER.match(paragraph.text) if inside else None
        if stage is None:
            continue
        period, _, work = stage.group(2).partition("，")
        span = parse_period(period, plan_year=header.year)
        if span is None:
            header.problems.append(Problem(paragraph.where, f"进度安排的时间段无法识别：{period}"))
            continue
        milestones.append(Milestone(period.strip(), span[0], span[1], work.strip("；;。 ")))
    return milestones


def _validity(paragraphs: list[Paragraph], header: Header) -> None:
    for paragraph in paragraphs:
        found = _VALID_UNTIL.search(paragraph.text)
        if found:
            header.valid_until = _date(*found.groups())
            header.valid_until_text = "".join(found.group(0).split())
            header.valid_until_where = paragraph.where
            return
    if header.schedule:
        last = header.schedule[-1]
        header.valid_until = last.end
        header.problems.append(
            Problem(
                "进度安排",
                f"方案未载明有效期，按进度安排的最后阶段（{last.period}）计至{last.end.isoformat()}，请确认",
            )
        )
