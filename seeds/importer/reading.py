"""`read_document`: one plan file, whatever it is, into a `DocumentText` or an `ImportRefused` in Chinese.

The type is decided by the file's bytes, not by its name: people rename files, and chat clients rename them
again. The name only sharpens a refusal ("this .docx is not a Word file"). Every check that needs nothing but
the size runs before a byte is read, so a 50 MB upload costs a stat, not 50 MB of memory.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from seeds.importer.blocks import DocumentText, ImportRefused
from seeds.importer.read_docx import read_docx
from seeds.importer.read_pdf import read_pdf
from seeds.importer.read_txt import decode_text, read_txt

MAX_BYTES = 20 * 1024 * 1024
ACCEPTED = ".docx、.pdf、.txt"

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
# Formats people send by mistake, named so the refusal can say what the file is rather than "unknown".
KNOWN_BINARIES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "图片"),
    (b"\xff\xd8\xff", "图片"),
    (b"GIF87a", "图片"),
    (b"GIF89a", "图片"),
    (b"BM", "图片"),
    (b"II*\x00", "图片"),
    (b"MM\x00*", "图片"),
    (b"MZ", "可执行程序"),
    (b"\x7fELF", "可执行程序"),
    (b"Rar!", "压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "压缩包"),
    (b"\x1f\x8b", "压缩包"),
    (b"{\\rtf", "RTF 文档"),
)


def read_document(path: Path) -> DocumentText:
    """Read a plan document (.docx, .pdf with a text layer, .txt) into paragraphs and tables, in order."""
    name = path.name
    data = _read_bytes(path, name)
    kind = _sniff(data, name)
    if kind == "txt":
        return read_txt(data, name)
    try:
        return read_docx(path, name) if kind == "docx" else read_pdf(path, name)
    except ImportRefused:
        raise
    except Exception as exc:  # hostile input: whatever python-docx/pdfplumber raise becomes a refusal
        raise ImportRefused(f"「{name}」已损坏或结构异常，无法读取，请重新保存后再发送。") from exc


def _read_bytes(path: Path, name: str) -> bytes:
    try:
        stat = path.stat()
    except OSError as exc:
        raise ImportRefused(f"找不到或无法打开文件「{name}」。") from exc
    if not path.is_file():
        raise ImportRefused(f"「{name}」不是一个文件。")
    if stat.st_size == 0:
        raise ImportRefused(f"文件为空：「{name}」里没有任何内容。")
    if stat.st_size > MAX_BYTES:
        mb = stat.st_size / (1024 * 1024)
        raise ImportRefused(f"文件「{name}」有 {mb:.1f} MB，超过 20 MB 的上限，请压缩图片或拆分后再发送。")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ImportRefused(f"无法读取文件「{name}」。") from exc


def _sniff(data: bytes, name: str) -> str:
    """ "docx" | "pdf" | "txt", from the bytes; anything else is refused here."""
    if data.startswith(OLE2_MAGIC):
        _refuse_ole2(data, name)
    if data.startswith(ZIP_MAGICS):
        return _sniff_zip(data, name)
    if b"%PDF-" in data[:1024]:  # the header may follow a little junk; readers accept that
        return "pdf"
    if not data.strip():
        raise ImportRefused(f"文件为空：「{name}」里只有空白。")
    for magic, what in KNOWN_BINARIES:
        if data.startswith(magic):
            raise ImportRefused(f"「{name}」是{what}，不是计划文件。可以导入的文件类型：{ACCEPTED}。")
    if decode_text(data) is not None or name.lower().endswith(".txt"):
        return "txt"  # a .txt that decodes in none of the encodings is refused by read_txt, naming them
    raise _unknown(name)


def _refuse_ole2(data: bytes, name: str) -> None:
    # Office keeps a password-protected .docx inside an OLE2 container whose stream is "EncryptedPackage";
    # a Word 97-2003 file is OLE2 with a "WordDocument" stream. Directory names are UTF-16LE.
    if "EncryptedPackage".encode("utf-16-le") in data:
        raise ImportRefused(f"「{name}」设置了打开密码，无法读取。请取消密码后另存为 .docx 再发送。")
    is_word = "WordDocument".encode("utf-16-le") in data or name.lower().endswith((".doc", ".dot", ".wps"))
    if is_word:
        raise ImportRefused(f"「{name}」：暂不支持 .doc 格式，请另存为 .docx 后再发送。")
    raise ImportRefused(f"「{name}」是旧版 Office 文件，无法识别。可以导入的文件类型：{ACCEPTED}。")


def _sniff_zip(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ImportRefused(f"「{name}」已损坏（压缩结构无法打开），请重新保存后再发送。") from exc
    if "word/document.xml" in names:
        return "docx"
    if any(n.startswith("xl/") for n in names):
        what = "Excel 表格"
    elif any(n.startswith("ppt/") for n in names):
        what = "PowerPoint 演示文稿"
    else:
        what = "压缩包"
    raise ImportRefused(f"「{name}」是{what}，不是计划文件。可以导入的文件类型：{ACCEPTED}。")


def _unknown(name: str) -> ImportRefused:
    suffix = Path(name).suffix.lower()
    if suffix in (".docx", ".pdf", ".txt"):
        what = f"「{name}」的内容不是有效的 {suffix} 文件（可能已损坏或扩展名不符）"
        return ImportRefused(f"{what}。可以导入的文件类型：{ACCEPTED}。")
    return ImportRefused(f"无法识别「{name}」的文件类型。可以导入的文件类型：{ACCEPTED}。")
