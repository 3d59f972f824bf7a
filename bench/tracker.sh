#!/usr/bin/env bash
# Issue 14's performance targets, measured end to end with the release binary (process
# start, reading, layout, mapping, every check; and for the import, the database writes):
# a 2,000-action workbook of 6 sheets with 12 dated rating columns (24,000 updates) checked
# in under 2 s and imported in under 3 s, and a 60-page Word WSOA checked in under 2 s.
# Usage: bench/tracker.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
python3 -c "import openpyxl, docx" 2>/dev/null || pip install -q openpyxl python-docx
cargo build --release --locked --bin sendplan
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
bin=./target/release/sendplan
python3 bench/make_tracker.py "$work"
export SENDPLAN_DATABASE_URL="sqlite://$work/bench.db" SENDPLAN_LOG=warn
$bin migrate >/dev/null 2>&1 || true
$bin partnerships add "Benchmark area" --la-code E99999998 >/dev/null
pages=$(cd "$work" && libreoffice --headless --convert-to pdf wsoa.docx >/dev/null 2>&1 && pdfinfo wsoa.pdf | awk '/^Pages:/ {print $2}' || echo "?")
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
check_times=(); import_times=(); word_times=()
for run in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  $bin import "$work/tracker.xlsx" --partnership 1 --title "Check run $run" --dry-run >/dev/null
  check_times+=("$(ms "$start")")
  start=$(date +%s%N)
  $bin import "$work/tracker.xlsx" --partnership 1 --title "Import run $run" >/dev/null
  import_times+=("$(ms "$start")")
  start=$(date +%s%N)
  $bin import "$work/wsoa.docx" --partnership 1 --title "Word run $run" --dry-run >/dev/null
  word_times+=("$(ms "$start")")
done
updates=$($bin import "$work/tracker.xlsx" --partnership 1 --title "Count" --dry-run | grep -c "Rating at" || true)
stats() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%d ms (median), %d ms (slowest)", a[int((NR+1)/2)], a[NR]}'; }
results="bench/TRACKER_RESULTS.md"
{
  echo "# Tracker and Word import benchmark (issue 14)"
  echo
  echo "Run by \`bench/tracker.sh $runs\` on $(date -u +%Y-%m-%d): $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GB, $(uname -sr); SQLite; release build."
  echo
  echo "The files (bench/make_tracker.py): a workbook of 2,000 actions on 6 sheets, each with a title row, a two-row header (RAG and Commentary merged over 12 months), a banner row per objective, leads naming two people, 12 dated RAG columns as letters with fills ($updates dated columns printed by the mapping; 24,000 updates) and a Risk column kept as an extra field ($(du -h "$work/tracker.xlsx" | cut -f1)); and a Word WSOA of 6 area headings and 9-column tables of multi-paragraph cells, $pages pages landscape ($(du -h "$work/wsoa.docx" | cut -f1)). Times are whole commands, process start to exit, over $runs runs. 'Check' is \`sendplan import --dry-run\`: read, layout, mapping and every check of every row, as the check page does, without writing."
  echo
  echo "| what | time | target |"
  echo "|---|---|---|"
  echo "| check the 2,000-action workbook | $(stats "${check_times[@]}") | under 2 s |"
  echo "| import it (2,000 actions, 24,000 dated updates, 2,000 extra fields, in one transaction) | $(stats "${import_times[@]}") | under 3 s |"
  echo "| check the $pages-page Word WSOA | $(stats "${word_times[@]}") | under 2 s |"
} > "$results"
cat "$results"
