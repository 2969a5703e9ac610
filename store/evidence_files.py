"""The bytes of 佐证材料: what a file is (from its bytes alone), whether it may be kept, and where it is kept.

Files are content-addressed under `<data dir>/evidence/<sha[:2]>/<sha>`: the same content is stored once,
written to a temporary file, flushed to disk and renamed into place, so a crash leaves no half file under a
real name. Nothing here ever runs or interprets a file: stored files carry no execute bits (0640) and no
name a program would act on, and the type is decided by the first bytes, never by a name or a declared
type — an .exe renamed .jpg is an executable, refused. Office documents are zip archives: only their
directory is read (never a member's content), so an archive bomb costs nothing.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

MAX_BYTES = 20 * 1024 * 1024  # what a Telegram bot may download: the same limit on every platform
FILE_MODE, DIR_MODE = 0o640, 0o750
Refusal = Literal["empty", "too_large", "type", "not_found", "outside_inbox", "not_a_file", "unavailable"]


class EvidenceRefused(Exception):
    """A file that is not kept, and why (the conversation words the reason)."""

    def __init__(self, reason: Refusal, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class FileType:
    mime: str
    extension: str  # what a fetched copy is named with, whatever the sender called it


JPEG = FileType("image/jpeg", ".jpg")
PNG = FileType("image/png", ".png")
PDF = FileType("application/pdf", ".pdf")
DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx")
XLSX = FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx")
OFD = FileType("application/ofd", ".ofd")
ALLOWED = (JPEG, PNG, PDF, DOCX, XLSX, OFD)
BY_MIME = {t.mime: t for t in ALLOWED}

# What the parts of an OOXML package say they hold; a macro-enabled one (.docm, .xlsm) carries code.
_OOXML_MAIN = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX}
_MACROS = (b"macroEnabled", b"vbaProject")


def detect_type(content: bytes) -> FileType | None:
    """The allowed type these bytes are, or None (executables, scripts, HTML, other archives, unknown)."""
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"PK\x03\x04"):
        return _zip_type(content)
    return None


def _zip_type(content: bytes) -> FileType | None:
    """A Word or Excel package (with [Content_Types].xml, no macros) or an OFD document (OFD.xml)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())  # the central directory only: nothing is decompressed
            if "OFD.xml" in names:
                return OFD
            if "[Content_Types].xml" not in names or any(n.endswith("vbaProject.bin") for n in names):
                return None
            declared = archive.read("[Content_Types].xml")[:65536] if _small(archive) else b""
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        return None
    if not declared or any(mark in declared for mark in _MACROS):
        return None
    found = [kind for name, kind in _OOXML_MAIN.items() if name in names]
    return found[0] if len(found) == 1 else None


def _small(archive: zipfile.ZipFile) -> bool:
    """[Content_Types].xml is a few KB; a huge one (a bomb in disguise) is not read."""
    return archive.getinfo("[Content_Types].xml").file_size <= 1024 * 1024


def check(content: bytes) -> FileType:
    """The type of content that may be kept; EvidenceRefused (empty, too large, a type not allowed)."""
    if not content:
        raise EvidenceRefused("empty")
    if len(content) > MAX_BYTES:
        raise EvidenceRefused("too_large")
    found = detect_type(content)
    if found is None:
        raise EvidenceRefused("type")
    return found


class EvidenceFiles:
    """Where evidence bytes live (`root`), and the one folder the console may attach files from (`inbox`)."""

    def __init__(self, root: Path, inbox: Path) -> None:
        self.root = root
        self.inbox = inbox

    def path_of(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a sha256: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def put(self, content: bytes) -> tuple[str, bool]:
        """Store content (checked already) under its sha256; returns it and whether the file is new."""
        sha = hashlib.sha256(content).hexdigest()
        target = self.path_of(sha)
        if target.is_file() and _sha_of(target) == sha:
            return sha, False  # the same content, stored once
        self.root.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        target.parent.mkdir(mode=DIR_MODE, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, FILE_MODE)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _sync_directory(target.parent)
        return sha, True

    def read(self, sha256: str) -> bytes:
        """The stored bytes, checked against their name: a damaged file is never handed out."""
        content = self.path_of(sha256).read_bytes()
        if hashlib.sha256(content).hexdigest() != sha256:
            raise OSError(f"evidence file {sha256} does not match its hash")
        return content

    def from_inbox(self, typed: str) -> tuple[str, bytes]:
        """The name and bytes of a file the console names: inside the inbox after every symlink is
        followed, a regular file, not over the limit. Relative names are inside the inbox."""
        try:
            inbox = self.inbox.resolve(strict=True)
            wanted = Path(typed).expanduser()
            real = (wanted if wanted.is_absolute() else inbox / wanted).resolve(strict=True)
        except (OSError, RuntimeError) as exc:  # missing, a symlink loop, unreadable
            raise EvidenceRefused("not_found", typed) from exc
        if not real.is_relative_to(inbox):
            raise EvidenceRefused("outside_inbox", typed)
        return real.name, _read_regular(real, inbox)


def _read_regular(path: Path, inbox: Path) -> bytes:
    """A regular file's bytes, at most one past the limit; opened without following a last-moment symlink,
    and where the system says what was opened (Linux: /proc/self/fd), checked to lie in the inbox still — a
    folder on the way swapped for a symlink between the check and the open is refused."""
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise EvidenceRefused("not_found", str(path)) from exc
    try:
        opened = Path(f"/proc/self/fd/{handle}")
        if opened.exists() and not Path(os.readlink(opened)).is_relative_to(inbox):
            raise EvidenceRefused("outside_inbox", str(path))
        status = os.fstat(handle)
        if not stat.S_ISREG(status.st_mode):  # a directory, a device, a FIFO that would block
            raise EvidenceRefused("not_a_file", str(path))
        if status.st_size > MAX_BYTES:
            raise EvidenceRefused("too_large", str(path))
    except BaseException:
        os.close(handle)
        raise
    with os.fdopen(handle, "rb") as source:
        return source.read(MAX_BYTES + 1)


def _sha_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sync_directory(directory: Path) -> None:
    """The rename is durable once its directory is flushed (where the platform allows it)."""
    try:
        handle = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
