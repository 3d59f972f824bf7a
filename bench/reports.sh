#!/usr/bin/env bash
# Issue 5's report targets, measured end to end with the release binary (process start,
# reading the plan, building the report and writing the file): the full progress report of
# the largest seed plan (Worcestershire, 125 activities) as a Word document in under 1 s
# and as a PDF in under 2 s (printed by headless Chromium, which is started for each PDF).
# Also timed: the same report as HTML and Excel.
# Usage: bench/reports.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
cargo build --release --locked --bin sendplan
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
bin=./target/release/sendplan
export SENDPLAN_DATABASE_URL="sqlite://$work/bench.db" SENDPLAN_LOG=warn
$bin import fixtures/plans/worcestershire.json >/dev/null
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
stats() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%d ms (median), %d ms (slowest)", a[int((NR+1)/2)], a[NR]}'; }
results="bench/REPORT_RESULTS.md"
{
  echo "# Report benchmark"
  echo
  echo "Run by \`bench/reports.sh $runs\` on $(date -u +%Y-%m-%d): $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GB, $(uname -sr); SQLite; release build."
  echo
  echo "The full progress report of the Worcestershire plan (6 areas, 125 activities, as imported from \`fixtures/plans/\`), written by \`sendplan report 1 --kind progress --format F -o FILE\`. Times are whole commands, from process start to exit, over $runs runs."
  echo
  echo "| format | time | size | target |"
  echo "|---|---|---|---|"
} > "$results"
for format in docx pdf html xlsx; do
  times=()
  for _ in $(seq 1 "$runs"); do
    start=$(date +%s%N)
    $bin report 1 --kind progress --format "$format" -o "$work/report.$format" 2>/dev/null
    times+=("$(ms "$start")")
  done
  target="(none set)"; [ "$format" = docx ] && target="under 1 s"; [ "$format" = pdf ] && target="under 2 s"
  echo "| $format | $(stats "${times[@]}") | $(du -h "$work/report.$format" | cut -f1) | $target |" >> "$results"
done
echo >> "$results"
echo "PDF: $(pdfinfo "$work/report.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}') pages, printed by $(${CHROMIUM:-chromium} --version 2>/dev/null || echo Chromium)." >> "$results"
cat "$results"
