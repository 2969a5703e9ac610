"""佐证材料 in chat: a photo or file sent with a report, or within 10 minutes after one, is attached to it;
查看佐证 N sends one back to whoever may see it.

Where a file goes: a caption that is itself a report (任务18已完成 under a photo) makes the report's preview,
as the same words typed would, and the file waits on that preview; otherwise the sender's newest preview
still open, else the sender's newest report recorded in the last 10 minutes (by the message's own time,
never the wall clock); else it is refused. A refused file (empty, over 20 MB, a type not allowed, on the
console a path outside the allowed folder) leaves nothing behind: no file, no row. Who may fetch: admins,
and members of the unit that sent it or that the report speaks for; anyone else gets the same answer as for
a number that does not exist. Files are sent only in private chats, never into a group.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import PurePath

from bot.conversation import texts
from bot.conversation.answer_base import AnswerBase
from bot.conversation.messages import LOCAL_PLATFORM, Inbound, OutboundFile
from bot.conversation.plan_import import author_of, looks_like_plan_document, preview_import, wants_import
from bot.conversation.replies import Reply
from bot.conversation.reporting import Reporter
from bot.conversation.turn import Turn
from nlu.commands import Command
from nlu.normalize import normalize
from store.evidence import (
    DuplicateEvidence,
    EvidenceView,
    Received,
    Sender,
    Target,
    evidence_by_message,
    find_evidence,
    recent_report,
    record_evidence,
)
from store.evidence_files import BY_MIME, MAX_BYTES, EvidenceFiles, EvidenceRefused, FileType, check
from store.members import READ_ONLY_ROLES, MemberView
from store.reporting import find_pending, latest_pending

ATTACH_WINDOW = timedelta(minutes=10)
_REPORTS = frozenset({"report_done", "report_progress", "report_value", "request_delay"})
_FETCH = re.compile(r"(?:查看|调取|下载|获取|发送|发我)?佐证(?:材料)?(?:编号|第|#|no\.?)?\s*(\d{1,18})号?")
_CONSOLE_FILE = re.compile(r"(?:佐证|附件)(?:材料)?[ \t:：]+(.+)", re.DOTALL)


def requested_number(text: str) -> int | None:
    """查看佐证 12 · 佐证12 · 佐证材料 第12号: the evidence asked for."""
    if "佐" not in text or len(text) > 60:  # 佐证 / 佐證: every message is asked, most leave here
        return None
    found = _FETCH.fullmatch(normalize(text).replace(" ", ""))
    return int(found.group(1)) if found is not None else None


def console_path(inbound: Inbound) -> str | None:
    """佐证 /path/to/file.pdf on the console (which has no upload): the file named; elsewhere such text is
    just text."""
    if inbound.platform != LOCAL_PLATFORM or inbound.attachment is not None:
        return None
    found = _CONSOLE_FILE.fullmatch(inbound.text.strip())
    if found is None or requested_number(inbound.text) is not None:
        return None
    path = found.group(1).strip()
    if len(path) >= 2 and path[0] == path[-1] and path[0] in "'\"":
        path = path[1:-1]
    return path or None


class EvidenceAttachment:
    """A photo or file, or on the console 佐证 PATH: attached to the sender's report."""

    remembers = True  # a caption that needs a numbered choice keeps the choice

    def matches(self, turn: Turn) -> bool:
        return turn.inbound.attachment is not None or console_path(turn.inbound) is not None

    def reply(self, turn: Turn) -> Reply:
        return _Attaching(turn).reply()


class EvidenceRequest:
    """查看佐证 N: the file, to an admin or a member of the unit it came from or is about."""

    remembers = False

    def matches(self, turn: Turn) -> bool:
        return requested_number(turn.text) is not None

    def reply(self, turn: Turn) -> Reply:
        number = requested_number(turn.text) or 0
        if turn.inbound.group:
            return Reply("refused", texts.EVIDENCE_PRIVATE_ONLY)
        view = find_evidence(turn.knowledge.db, number)
        files = turn.knowledge.evidence
        if view is None or not may_see(turn.member, view) or files is None:
            return Reply("evidence_refused", texts.evidence_not_found(number))
        try:
            content = files.read(view.sha256)
        except (OSError, ValueError):
            return Reply("evidence_refused", texts.evidence_damaged(number))
        text = texts.evidence_sent(
            view.id, view.name, view.size, view.content_type, _who(view), view.received_at,
            Describer(turn).attached_to(view),
        )  # fmt: skip
        if turn.inbound.platform == LOCAL_PLATFORM:  # the console shows where the file is instead
            text += "\n" + texts.evidence_path(str(files.path_of(view.sha256)))
        return Reply("evidence", text, file=OutboundFile(download_name(view), view.content_type, content))


def may_see(member: MemberView | None, view: EvidenceView) -> bool:
    if member is None:
        return False
    if member.role == "admin":
        return True
    return member.unit is not None and member.unit in (view.sender_unit, view.report_unit)


def download_name(view: EvidenceView) -> str:
    """The name a copy is sent under: the sender's, with the extension of what the file really is."""
    kind = BY_MIME.get(view.content_type)
    stem = PurePath(view.name).stem if PurePath(view.name).suffix else view.name
    return f"{stem or f'佐证{view.id}'}{kind.extension if kind else ''}"


class Describer:
    """What a piece of evidence is attached to, as the conversation names reports."""

    def __init__(self, turn: Turn) -> None:
        self.turn = turn
        self.view = AnswerBase(turn.knowledge, turn.today, turn.ledger)

    def attached_to(self, view: EvidenceView) -> str:
        if view.report is not None:
            return texts.evidence_on_report(self.subject(view), view.report.kind, view.report.recorded_at)
        pending = find_pending(self.turn.knowledge.db, view.target.id)
        title = _title(pending.preview) if pending is not None else self.subject(view)
        return texts.evidence_on_preview(title, view.pending_outcome)

    def subject(self, view: EvidenceView) -> str:
        catalog = self.view.catalog
        if view.plan is not None and view.task is not None:
            task = catalog.tasks.get((view.plan, view.task))
            return self.view._label(task) if task is not None else f"{view.plan}任务{view.task}"
        indicator = catalog.indicators.get(f"{view.plan}:{view.indicator}") if view.plan else None
        return f"【{indicator.region}】{indicator.name}" if indicator is not None else ""


class _Attaching:
    """One message carrying a file, from the file's checks to the row that records it."""

    def __init__(self, turn: Turn) -> None:
        self.turn = turn
        self.inbound = turn.inbound
        self.db = turn.knowledge.db

    def reply(self) -> Reply:
        member, files = self.turn.member, self.turn.knowledge.evidence
        if member is None:
            return Reply("not_bound", texts.NOT_BOUND)
        if member.role in READ_ONLY_ROLES:
            asked_import = wants_import(self.turn.text or "")
            return Reply(
                "refused", texts.ONLY_ADMIN_IMPORTS if asked_import else texts.evidence_viewer(member.role)
            )
        report = self._caption_report()
        if report is None:
            imported = self._plan_document(member, files)
            if imported is not None:
                return imported
        if files is None:
            return Reply("refused", texts.EVIDENCE_NOT_ACCEPTED)
        try:
            name, content = self._content(files)
            kind = check(content)
        except EvidenceRefused as exc:
            refusal = texts.evidence_refused(exc.reason, MAX_BYTES, exc.detail, str(files.inbox))
            more = "\n" + texts.EVIDENCE_REPORT_NOT_HANDLED if report is not None else ""
            return Reply("evidence_refused", refusal + more)
        if report is not None:
            return self._with_report(report, files, member, name, content, kind)
        stored = evidence_by_message(self.db, self.inbound.platform, self.inbound.message_id)
        if stored is not None:  # a redelivery: the same answer, nothing new
            return Reply("evidence", self._received(stored))
        target = self._target(member)
        if target is None:
            return Reply("evidence_refused", texts.EVIDENCE_NO_REPORT)
        return Reply("evidence", self._store(files, member, target, name, content, kind))

    def _plan_document(self, member: MemberView, files: EvidenceFiles | None) -> Reply | None:
        """A plan document for import: said so in the caption (导入), or an admin's Word/PDF/text file that
        belongs to no report of theirs (no open preview, none in the last 10 minutes). None: evidence."""
        asked = wants_import(self.turn.text or "")
        if not asked and member.role != "admin":
            return None
        attachment = self.inbound.attachment
        if attachment is None or attachment.content is None:  # the console's path, or not fetched
            if not asked:
                return None
            too_large = attachment is not None and (attachment.size or 0) > MAX_BYTES
            return Reply("import_refused", texts.IMPORT_TOO_LARGE if too_large else texts.IMPORT_NEEDS_UPLOAD)
        name, content = attachment.name, attachment.content
        if not asked and (not looks_like_plan_document(name, content) or self._reported(member)):
            return None
        if member.role != "admin":
            return Reply("refused", texts.ONLY_ADMIN_IMPORTS)
        folder = self.turn.knowledge.imports
        if folder is None:
            return Reply("refused", texts.IMPORTS_NOT_ACCEPTED)
        author = author_of(self.inbound, member.id or None)
        return preview_import(self.db, folder, name, content, author)

    def _reported(self, member: MemberView) -> bool:
        """The sender has a report the file may belong to: an open preview (an import's aside) or a report
        in the last 10 minutes."""
        target = self._target(member)
        if target is None:
            return False
        if target.kind != "pending":
            return True
        pending = find_pending(self.db, target.id)
        return pending is None or pending.request.kind != "plan_import"

    def _caption_report(self) -> Command | None:
        """The caption, when it is a report of its own (任务18已完成 under a photo)."""
        if console_path(self.inbound) is not None or not self.turn.text:
            return None
        command = self.turn.command
        return command if command is not None and command.name in _REPORTS else None

    def _content(self, files: EvidenceFiles) -> tuple[str, bytes]:
        attachment = self.inbound.attachment
        if attachment is None or attachment.path is not None:
            typed = attachment.path if attachment is not None else console_path(self.inbound)
            if self.inbound.platform != LOCAL_PLATFORM or not typed:
                raise EvidenceRefused("unavailable")  # only the console names files on this machine
            return files.from_inbox(typed)
        if attachment.content is None:  # not fetched: too large by the platform's word, or it failed
            too_large = attachment.size is not None and attachment.size > MAX_BYTES
            raise EvidenceRefused("too_large" if too_large else "unavailable")
        return attachment.name, attachment.content

    def _with_report(
        self, command: Command, files: EvidenceFiles, member: MemberView, name: str, content: bytes,
        kind: FileType,
    ) -> Reply:  # fmt: skip
        """The caption's report previewed as if typed; the file waits on that preview."""
        turn = self.turn
        reply = Reporter(turn.knowledge, self.inbound, member, turn.ledger).handle(command)
        stored = evidence_by_message(self.db, self.inbound.platform, self.inbound.message_id)
        if stored is not None:
            return replace(reply, text=f"{reply.text}\n\n{self._received(stored)}")
        pending = latest_pending(self.db, self.inbound.platform, self.inbound.user_id)
        if pending is None or not self._made_by_this_message(pending.author.message_id, pending.author.at):
            note = texts.EVIDENCE_AFTER_CHOICE if reply.intent == "choose" else texts.EVIDENCE_NOT_WITH_REPORT
            return replace(reply, text=f"{reply.text}\n\n{note}")
        received = self._store(files, member, Target("pending", pending.id), name, content, kind)
        return replace(reply, text=f"{reply.text}\n\n{received}")

    def _made_by_this_message(self, message_id: str | None, at: datetime) -> bool:
        if self.inbound.message_id is not None:
            return message_id == self.inbound.message_id
        return at == self.inbound.at

    def _target(self, member: MemberView) -> Target | None:
        """The sender's open preview, else their report recorded in the last 10 minutes."""
        inbound = self.inbound
        pending = latest_pending(self.db, inbound.platform, inbound.user_id)
        if pending is not None and pending.outcome is None and inbound.at <= pending.expires_at:
            return Target("pending", pending.id)
        found = recent_report(
            self.db,
            platform=inbound.platform,
            member_id=member.id or None,
            since=inbound.at - ATTACH_WINDOW,
            until=inbound.at,
        )
        return Target(found.ledger, found.id) if found is not None else None

    def _store(
        self, files: EvidenceFiles, member: MemberView, target: Target, name: str, content: bytes,
        kind: FileType,
    ) -> str:  # fmt: skip
        """Keep the bytes, then the row. A row that cannot be written leaves its file: another sender of the
        same bytes may be about to name it (deleting it here lost their evidence in an adversarial run), and
        an unnamed content-addressed file harms nothing — a redelivery names it."""
        inbound = self.inbound
        sha, _ = files.put(content)
        sender = Sender(
            inbound.platform, inbound.user_id, member.id or None, member.unit, inbound.chat_id,
            inbound.message_id, inbound.at,
        )  # fmt: skip
        try:
            number = record_evidence(self.db, Received(sha, len(content), kind.mime, name), sender, target)
        except Exception as exc:
            stored = evidence_by_message(self.db, inbound.platform, inbound.message_id)
            if isinstance(exc, DuplicateEvidence) and stored is not None:
                return self._received(stored)  # the same message, delivered twice at once
            raise
        view = find_evidence(self.db, number)
        assert view is not None  # just written
        return self._received(view)

    def _received(self, view: EvidenceView) -> str:
        what = Describer(self.turn).attached_to(_as_sent(view))
        return texts.evidence_received(view.name, view.size, view.content_type, what, view.id)


def _as_sent(view: EvidenceView) -> EvidenceView:
    """The evidence as it was attached (a preview confirmed since is still named as the preview), so a
    redelivered message gets the very answer the first delivery got."""
    if view.target.kind != "pending":
        return view
    return replace(view, report=None, pending_outcome=None)


def _who(view: EvidenceView) -> str:
    name = view.sender or (texts.LOCAL_ADMIN_NAME if view.platform == LOCAL_PLATFORM else None)
    return texts.reporter(name, view.sender_unit)


def _title(preview: str) -> str:
    """What a preview is about: the name before the content on its first line after 请确认以下上报：
    (任务18, 【鼓楼区】专利授权量)."""
    lines = preview.splitlines()
    return (lines[1] if len(lines) > 1 else preview).split("：")[0].rstrip("。.")
