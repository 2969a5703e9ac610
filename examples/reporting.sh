#!/usr/bin/env bash
# The staff-reporting walkthrough: two staff of different units and an admin, through `duban ask --jsonl`.
# Usage: bash examples/reporting.sh [DB_URL]   (default: a fresh SQLite file in a temporary directory)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
duban="${DUBAN:-$here/../.venv/bin/duban}"
db="${1:-sqlite:///$(mktemp -d)/duban-demo.db}"
"$duban" init --db "$db" >/dev/null
"$duban" users add fayuan --name 李法官 --unit 中院 --role staff --db "$db"
"$duban" users add gulou --name 王五 --unit 鼓楼区人民政府 --role staff --db "$db"
"$duban" users add duban --name 陈督办 --unit 市监局 --role admin --db "$db"
"$duban" ask --jsonl --db "$db" < "$here/reporting.jsonl"
