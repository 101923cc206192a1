#!/usr/bin/env bash
# Draws the pictures of the papers in the user guides (docs/images/paper-*.png) from the PDFs
# yimen writes, on a fresh demo history: `tools/paper-pictures.sh [path/to/yimen]`.
# Needs poppler-utils (pdftoppm).
set -euo pipefail
cd "$(dirname "$0")/.."
yimen=${1:-target/debug/yimen}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export YIMEN_NOW=2026-11-30T10:15:00+08:00 YIMEN_DB="$work/guide.redb" HOME="$work"
"$yimen" demo --days 20 --per-day 60 --seed 2026 --no-tui >/dev/null
boss() { YIMEN_PIN=boss-demo-26 "$yimen" --clerk 王主任 "$@"; }
clerk() { YIMEN_PIN=111111 "$yimen" --clerk 李娟 "$@"; }
id() { python3 -c 'import sys,json; print(json.load(sys.stdin)["id"])'; }
boss report daily --format pdf --out "$work/daily.pdf" 2>/dev/null
# A social-security card with the photo to follow (容缺受理), a number waiting, a notice.
t=$(clerk take SB04 --name 张桂英 --id-number 430822194706061658 --phone 13800138000 --json | id)
clerk call --window 1 --categories B >/dev/null
while [ "$(clerk show "$t" --json | python3 -c 'import sys,json; print(json.load(sys.stdin)["status"])')" != called ]; do
  clerk complete "$(clerk list --status called --json | python3 -c 'import sys,json; print(json.load(sys.stdin)[0]["id"])')" >/dev/null 2>&1 || true
  clerk call --window 1 --categories B >/dev/null
done
clerk accept "$t" --defer 照片 >/dev/null
clerk slip "$t" --kind receipt --format pdf --out "$work/receipt.pdf" 2>/dev/null
clerk slip "$t" --kind deferral-notice --format pdf --out "$work/deferral.pdf" 2>/dev/null
w=$(clerk take YB01 --json | id)
clerk slip "$w" --kind queue-ticket --format pdf --out "$work/ticket80.pdf" 2>/dev/null
clerk slip "$w" --kind queue-ticket --paper 58mm --format pdf --out "$work/ticket58.pdf" 2>/dev/null
n=$(clerk take MZ01 --name 刘秀兰 --json | id)
clerk call --window 2 --categories A >/dev/null
while [ "$(clerk show "$n" --json | python3 -c 'import sys,json; print(json.load(sys.stdin)["status"])')" != called ]; do
  clerk notice "$(clerk list --status called --json | python3 -c 'import sys,json; print([t for t in json.load(sys.stdin) if t["window"]=="2"][0]["id"])')" --missing 申请书 >/dev/null
  clerk call --window 2 --categories A >/dev/null
done
clerk notice "$n" --missing 户口簿 --missing 申请书 --format pdf --out "$work/notice.pdf" >/dev/null 2>&1
for f in daily receipt deferral notice; do
  pdftoppm -png -r 60 -f 1 -l 1 -singlefile "$work/$f.pdf" "docs/images/paper-$f"
done
for f in ticket80 ticket58; do
  pdftoppm -png -r 110 -singlefile "$work/$f.pdf" "docs/images/paper-$f"
done
ls -la docs/images/paper-*.png
