#!/usr/bin/env bash
# Issue 3's performance targets, measured end to end with the release binary (process
# start, file reading, checks and the database writes included): importing a 2,000-action
# spreadsheet in under 2 seconds, and exporting it to .xlsx in under 1 second.
# Usage: bench/import.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
cargo build --release --locked --bin sendplan
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
bin=./target/release/sendplan
python3 bench/make_plan.py "$work/plan.json"
export SENDPLAN_DATABASE_URL="sqlite://$work/bench.db" SENDPLAN_LOG=warn
$bin import "$work/plan.json" >/dev/null
$bin export 1 --format xlsx -o "$work/plan.xlsx" 2>/dev/null
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
export_times=()
for _ in $(seq 1 "$runs"); do
  start=$(date +%s%N); $bin export 1 --format xlsx -o "$work/out.xlsx" 2>/dev/null; export_times+=("$(ms "$start")")
done
import_times=()
for run in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  $bin import "$work/plan.xlsx" --partnership 1 --title "Imported run $run" --ratings rag >/dev/null
  import_times+=("$(ms "$start")")
done
actions=$($bin plans --json | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")
stats() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%d ms (median), %d ms (slowest)", a[int((NR+1)/2)], a[NR]}'; }
results="bench/IMPORT_RESULTS.md"
{
  echo "# Import and export benchmark"
  echo
  echo "Run by \`bench/import.sh $runs\` on $(date -u +%Y-%m-%d): $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GB, $(uname -sr); SQLite; release build."
  echo
  echo "The plan: 2,000 actions in 10 areas, each with a lead written as initials, two milestones, a completion date in council wording and a progress rating ($(du -h "$work/plan.xlsx" | cut -f1) as .xlsx). Times are whole commands, from process start to exit, over $runs runs; $actions plans were in the database at the end."
  echo
  echo "| what | time | target |"
  echo "|---|---|---|"
  echo "| \`sendplan import plan.xlsx\` (read, map, check, write 2,000 actions, 4,000 milestones, 2,000 updates) | $(stats "${import_times[@]}") | under 2 s |"
  echo "| \`sendplan export PLAN --format xlsx\` | $(stats "${export_times[@]}") | under 1 s |"
} > "$results"
cat "$results"
