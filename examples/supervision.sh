#!/usr/bin/env bash
# The 督办 walkthrough of issue 17: 鼓楼第3项 reported with a photo → 待审核 → 退回 with a reason → the unit
# sees it → reported again → 通过 → 已办结; 仓山 and 鼓楼 report their 先行所 parts and the city's figure is
# their sum with the breakdown; a retraction's history names who withdrew it and for which unit.
# Usage: bash examples/supervision.sh [DB_URL]   (default: a fresh SQLite file in a temporary directory)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
duban="${DUBAN:-$here/../.venv/bin/duban}"
work="$(mktemp -d)"
db="${1:-sqlite:///$work/duban-demo.db}"
export DUBAN_HOME="$work/home"                # 佐证材料 are kept under $DUBAN_HOME/evidence
export DUBAN_EVIDENCE_INBOX="$work/inbox"     # the console attaches files from this folder only
mkdir -p "$DUBAN_EVIDENCE_INBOX"
# a small JPEG, as a phone would send (the console has no upload: a file in the inbox stands for it)
printf '\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9' \
    > "$DUBAN_EVIDENCE_INBOX/联盟成立现场.jpg"
"$duban" init --db "$db" >/dev/null
"$duban" users add ip --name 张三 --unit 鼓楼区市场监督管理局 --role staff --db "$db"
"$duban" users add gulou --name 王五 --unit 鼓楼区人民政府 --role staff --db "$db"
"$duban" users add cangshan --name 赵六 --unit 仓山区人民政府 --role staff --db "$db"
"$duban" users add duban --name 陈督办 --unit 市监局 --role admin --db "$db"
sed "s|@INBOX@|$DUBAN_EVIDENCE_INBOX|g" "$here/supervision.jsonl" | "$duban" ask --jsonl --db "$db"
