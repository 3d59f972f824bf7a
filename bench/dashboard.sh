#!/usr/bin/env bash
# Issue 4's performance targets, measured: a plan dashboard with 60 measures of 60 periods
# each must answer at p99 < 25 ms under 50 concurrent clients, and one chart must render
# in under 1 ms. Also measured: a measure page (its chart, values and 60 comparators).
# Usage: bench/dashboard.sh [seconds per page]   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
command -v wrk >/dev/null || { echo "bench/dashboard.sh needs wrk (apt-get install wrk)" >&2; exit 1; }
cargo build --release --locked --bin sendplan
cargo build --release --locked -p sendplan-web --example chart_timing
work="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
db="$work/bench.db"
export SENDPLAN_DATABASE_URL="sqlite://$db" SENDPLAN_LOG=warn
python3 bench/make_measures.py "$work/plan.json"
./target/release/sendplan import "$work/plan.json" >/dev/null
read -r pid plan token < <(python3 bench/session.py "$db" E99999997)
port=18098
./target/release/sendplan serve --bind "127.0.0.1:$port" > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
cookie="Cookie: sendplan_session=$token"
dashboard_url="http://127.0.0.1:$port/p/$pid/plans/$plan/dashboard"
measure_id=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT MIN(id) FROM measures WHERE partnership_id = ?', (sys.argv[2],)).fetchone()[0])" "$db" "$pid")
measure_url="http://127.0.0.1:$port/p/$pid/measures/$measure_id"
curl -sf -H "$cookie" "$dashboard_url" | grep -q "Measures off their trajectory" || { echo "the dashboard did not render" >&2; exit 1; }
curl -sf -H "$cookie" "$measure_url" | grep -q "<svg" || { echo "the measure page did not render" >&2; exit 1; }
results="bench/DASHBOARD_RESULTS.md"
{
  echo "# Dashboard and chart benchmark"
  echo
  echo "Run by \`bench/dashboard.sh $seconds\` on $(date -u +%Y-%m-%d)."
  echo
  echo "- Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GB memory, $(uname -sr)"
  echo "- Data: one plan of 60 actions and 60 measures, each with 60 monthly values and 60 comparator figures (bench/make_measures.py, imported with \`sendplan import\`); SQLite; release build"
  echo "- Load: wrk, 2 threads, 50 connections, ${seconds}s per page, after a 5 s warm-up; wrk shares the 2 cores with the server"
  echo
  echo "History: the first run (2026-11-23) measured the dashboard at p99 1.1 s, 60 requests/s: every"
  echo "request read each measure's targets, links and values separately (about 180 queries, 3,600"
  echo "rows). Measures now load in three queries and their current values in one, behind the read"
  echo "cache validated by the partnership's latest audit id, and the dashboard body is cached per plan"
  echo "and day like the plan page's."
  echo
  echo "| page | requests/s | p50 | p90 | p99 | target p99 |"
  echo "|---|---|---|---|---|---|"
} > "$results"
for page in dashboard measure; do
  url="$dashboard_url"; target="25 ms"
  [ "$page" = measure ] && { url="$measure_url"; target="(none set)"; }
  wrk -t2 -c50 -d5s -H "$cookie" "$url" >/dev/null
  wrk -t2 -c50 -d"${seconds}s" --latency -H "$cookie" "$url" > "$work/$page.txt"
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/$page.txt")
  p50=$(awk '$1=="50%" {print $2}' "$work/$page.txt")
  p90=$(awk '$1=="90%" {print $2}' "$work/$page.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/$page.txt")
  errors=$(grep -E 'Non-2xx|Socket errors' "$work/$page.txt" || true)
  [ -z "$errors" ] || { cat "$work/$page.txt"; echo "errors during the run" >&2; exit 1; }
  echo "| $page | $rps | $p50 | $p90 | $p99 | $target |" >> "$results"
done
kill "$server"
{
  echo
  echo "One chart (60 values, a trajectory of 3 points and 60 comparator figures), drawn"
  echo "10,000 times in one process by \`cargo run --release -p sendplan-web --example chart_timing\`:"
  echo
  ./target/release/examples/chart_timing
} >> "$results"
cat "$results"
