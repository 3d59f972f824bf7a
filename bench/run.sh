#!/usr/bin/env bash
# Issue 2's performance target, measured: with a plan of 400 actions, 1,200 milestones and
# 5,000 updates, the plan page and the partnership home must answer at p99 < 25 ms with
# 50 concurrent clients on this machine, and the server must stay under 100 MB resident.
# Usage: bench/run.sh [seconds per page]   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
command -v wrk >/dev/null || { echo "bench/run.sh needs wrk (apt-get install wrk)" >&2; exit 1; }
cargo build --release --locked --bin sendplan
work="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
db="$work/bench.db"
./target/release/sendplan --database-url "sqlite://$db" migrate >/dev/null
read -r pid plan token < <(python3 bench/seed.py "$db")
port=18099
SENDPLAN_LOG=warn ./target/release/sendplan --database-url "sqlite://$db" serve --bind "127.0.0.1:$port" > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
cookie="Cookie: sendplan_session=$token"
plan_url="http://127.0.0.1:$port/p/$pid/plans/$plan"
home_url="http://127.0.0.1:$port/p/$pid"
bytes=$(curl -sf -H "$cookie" "$plan_url" | wc -c)
[ "$bytes" -gt 100000 ] || { echo "the plan page did not render ($bytes bytes)" >&2; exit 1; }
results="bench/RESULTS.md"
{
  echo "# Benchmark results"
  echo
  echo "Run by \`bench/run.sh $seconds\` on $(date -u +%Y-%m-%d)."
  echo
  echo "- Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GB memory, $(uname -sr)"
  echo "- Data: 400 actions, 1,200 milestones, 5,000 updates in one plan (bench/seed.py); SQLite; release build"
  echo "- Load: wrk, 2 threads, 50 connections, ${seconds}s per page, after a 5 s warm-up; wrk shares the 2 cores with the server"
  echo "- Plan page size: $bytes bytes of HTML"
  echo
  echo "| page | requests/s | p50 | p90 | p99 | target p99 |"
  echo "|---|---|---|---|---|---|"
} > "$results"
for page in plan home; do
  url="$plan_url"; [ "$page" = home ] && url="$home_url"
  wrk -t2 -c50 -d5s -H "$cookie" "$url" >/dev/null
  wrk -t2 -c50 -d"${seconds}s" --latency -H "$cookie" "$url" > "$work/$page.txt"
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/$page.txt")
  p50=$(awk '$1=="50%" {print $2}' "$work/$page.txt")
  p90=$(awk '$1=="90%" {print $2}' "$work/$page.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/$page.txt")
  errors=$(grep -E 'Non-2xx|Socket errors' "$work/$page.txt" || true)
  [ -z "$errors" ] || { cat "$work/$page.txt"; echo "errors during the run" >&2; exit 1; }
  echo "| $page | $rps | $p50 | $p90 | $p99 | 25 ms |" >> "$results"
done
peak_kb=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$server/status")
{
  echo
  echo "Server memory: peak resident $((peak_kb / 1024)) MB, resident after the runs $((rss_kb / 1024)) MB (target: under 100 MB)."
} >> "$results"
cat "$results"
