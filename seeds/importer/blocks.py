"""What every reader produces and every shape recogniser consumes: a document as paragraphs and tables.

The readers (.txt, .docx, .pdf) differ in how a table reaches them; past this module they do not. A table's
merged cells are already spread over every row and column they span, so a recogniser never sees a hole where
the document shows one cell across three rows.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Paragraph:
    text: str  # one paragraph, whitespace inside kept as written, stripped at both ends
    where: str  # for problems and provenance: "第12行" (.txt), "第3段" (.docx), "第2页第5行" (.pdf)
    heading_level: int | None = None  # from the document's own styles (Heading 1 → 1) where it has them


@dataclass(frozen=True)
class Cell:
    text: str  # lines inside a cell joined with "\n" as the document broke them
    spanned: bool = False  # a copy of a merged cell above or to the left, not text written here


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[Cell, ...], ...]  # every row as wide as the widest; missing cells are empty
    where: str  # "第33行起的表格" / "第2个表格" / "第3页的表格"
    truncated: bool = False  # the reader saw the table end mid-row (a document cut short)


Block = Paragraph | Table


@dataclass(frozen=True)
class DocumentText:
    name: str  # the file's name as given, for messages
    kind: str  # "txt" | "docx" | "pdf"
    blocks: tuple[Block, ...]


class ImportRefused(Exception):
    """The file cannot be read as a plan; the message is Chinese and says what to send instead."""
