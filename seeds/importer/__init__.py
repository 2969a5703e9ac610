"""Plan import: a plan document (.txt, .docx, a text-layer .pdf) read into blocks, then into a draft in the
seed format. Pure except for reading the file; nothing here touches the store."""
