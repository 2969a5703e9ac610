"""Plan import end to end, without a database: a file read into blocks, recognised into a draft, written in
the seed format with the document's text beside it (so answers can quote it, as for the seed plans).

The caller supplies the units the store knows; `duban plans import` and the chat preview both come here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from seeds.importer.blocks import DocumentText, ImportRefused, Paragraph
from seeds.importer.draft import Draft
from seeds.importer.reading import read_document
from seeds.importer.seed_yaml import PROPOSED, draft_to_seed
from seeds.importer.shapes import recognise
from seeds.importer.units import KnownUnit

DOCS_FOLDER = "docs"
NOT_A_PLAN = "《{name}》中未识别出任务或指标，可能不是工作方案；请发送含任务清单的方案原文。"
DRAFT_HEADER = "# 导入草稿：{title}\n# 请核对 review 中列出的各处，再运行 duban plans apply {path}\n"


@dataclass(frozen=True)
class Imported:
    draft: Draft
    seed: dict[str, Any]  # the draft in the seed format, ready to write
    text: str  # the document as text, one paragraph or table row per line

    @property
    def counts(self) -> tuple[int, int, int, int]:
        """Tasks, indicators, new units and problems: what the preview says."""
        review = len(self.seed.get("review", ())) - len(PROPOSED)  # the proposals are listed, not counted
        return len(self.seed["tasks"]), len(self.seed["indicators"]), len(self.draft.new_units), review


def import_file(
    path: Path, *, region: str | None, known: Sequence[KnownUnit], other_plans: Sequence[str] = ()
) -> Imported:
    """Read and recognise; ImportRefused (Chinese) when the file is unreadable or holds no plan."""
    document = read_document(path)
    draft = recognise(document, region=region, known=known)
    if not draft.tasks and not draft.indicators:
        raise ImportRefused(
            f"《{path.name}》中未识别出任务或指标，可能不是工作方案；请发送含任务清单的方案原文。"
        )
    text = document_text(document)
    seed = draft_to_seed(draft, source_doc=_doc_name(draft), other_plans=other_plans)
    return Imported(draft, seed, text)


def document_text(document: DocumentText) -> str:
    """Paragraphs as lines, table rows as tab-separated lines (merged cells written once)."""
    lines: list[str] = []
    for block in document.blocks:
        if isinstance(block, Paragraph):
            lines.append(block.text)
            continue
        for row in block.rows:
            cells = [" ".join(c.text.split()) if not c.spanned else "" for c in row]
            lines.append("\t".join(cells).rstrip("\t"))
    return "\n".join(line for line in lines if line.strip()) + "\n"


def write_draft(imported: Imported, folder: Path, *, stem: str | None = None) -> Path:
    """The draft as `<stem>.yaml` in folder (the plan's code by default), its document text as
    folder/docs/<stem>.txt; the YAML's path. A preview in chat names its own stem, so a later preview of the
    same plan never changes what an earlier one will load."""
    name = stem or imported.seed["plan"]["code"]
    seed = {**imported.seed, "plan": {**imported.seed["plan"], "document": f"{name}.txt"}}
    seed["plan"]["source"] = {**seed["plan"]["source"], "doc": f"{name}.txt"}
    (folder / DOCS_FOLDER).mkdir(parents=True, exist_ok=True)
    (folder / DOCS_FOLDER / f"{name}.txt").write_text(imported.text, encoding="utf-8")
    target = folder / f"{name}.yaml"
    header = DRAFT_HEADER.format(title=imported.draft.plan.name, path=target)
    body = yaml.safe_dump(seed, allow_unicode=True, sort_keys=False, width=1000)
    target.write_text(header + body, encoding="utf-8")
    return target


def _doc_name(draft: Draft) -> str:
    return f"{draft.plan.code}.txt"
