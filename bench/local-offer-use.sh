#!/usr/bin/env bash
# Issue 17's targets for counting the Local Offer's use:
# - counting adds under 0.5 ms at p99 to a Local Offer page with 50 concurrent clients
#   (the same page, the same browsers, with and without `DNT: 1`, which turns counting
#   off; rounds alternate so both see the same machine);
# - the website performance page over a year of 1,000,000 page views renders in under
#   500 ms (daily roll-ups kept as it goes).
# Usage: bench/local-offer-use.sh [seconds]   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
rounds=3
command -v wrk >/dev/null || { echo "bench/local-offer-use.sh needs wrk (apt-get install wrk)" >&2; exit 1; }
cargo build --release --locked --bin sendplan
bin=./target/release/sendplan
work="$(mktemp -d)"
server=""
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
export SENDPLAN_DATABASE_URL="sqlite://$work/bench.db" SENDPLAN_LOG=warn
port=18117
base="http://127.0.0.1:$port"
wait_up() {
  for _ in $(seq 1 100); do curl -sf "$base/health" >/dev/null && return 0; sleep 0.2; done
  echo "sendplan did not start" >&2; cat "$work/server.log" >&2; exit 1
}
# The demonstration partnerships: Wolverhampton's plan and its 48-service Local Offer.
"$bin" serve --demo --bind "127.0.0.1:$port" > "$work/server.log" 2>&1 &
server=$!
wait_up
kill "$server"; wait "$server" 2>/dev/null || true
# A year of made-up use, rolled up day by day as real use is.
/usr/bin/time -f '%e %M' -o "$work/made-time" "$bin" local-offer synthetic-use --partnership 1 --views 1000000 --days 365 > "$work/made.log"
read -r made_seconds made_kb < "$work/made-time"
cat "$work/made.log"
read -r pid _plan token < <(python3 bench/session.py "$work/bench.db" E08000031)
"$bin" serve --bind "127.0.0.1:$port" > "$work/server.log" 2>&1 &
server=$!
wait_up
cookie="sendplan_session=$token"
# The performance page over the whole year, and over the last month, timed as the browser
# would wait for it (20 times each; the median and the slowest).
today=$(date -u +%F)
year_from=$(date -u -d "$today -365 days" +%F)
yesterday=$(date -u -d "$today -1 day" +%F)
last_month=$(date -u -d "$(date -u +%Y-%m-01) -1 day" +%Y-%m)
time_page() { # time_page PATH: median and slowest, in ms
  local times=()
  curl -sf -H "Cookie: $cookie" "$base$1" | grep -q "Key figures" || { echo "$1 did not show the figures" >&2; exit 1; }
  for _ in $(seq 1 20); do
    times+=("$(curl -sf -o /dev/null -w '%{time_total}' -H "Cookie: $cookie" "$base$1")")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1*1000} END {printf "%.0f %.0f\n", a[int((NR+1)/2)], a[NR]}'
}
read -r year_median year_slowest < <(time_page "/p/$pid/local-offer/performance?from=$year_from&to=$yesterday")
read -r month_median month_slowest < <(time_page "/p/$pid/local-offer/performance?month=$last_month")
year_page="$(curl -sf -H "Cookie: $cookie" "$base/p/$pid/local-offer/performance?from=$year_from&to=$yesterday")"
year_views=$(python3 -c "import re,sys; print(re.search(r'Pages viewed</th>\s*<td[^>]*>([0-9,]+)', sys.stdin.read()).group(1))" <<<"$year_page")
# Counting's cost: a service page, in turn from 1,000 browsers, counted or not.
service=$(curl -sf "$base/local-offer/wolverhampton/search" | grep -o '/local-offer/wolverhampton/services/[^"]*' | head -1)
[ -n "$service" ] || { echo "no service page found" >&2; exit 1; }
cat > "$work/visitors.lua" <<LUA
local i = 0
local dnt = os.getenv("NOT_COUNTED") == "1"
request = function()
  i = i % 1000 + 1
  local headers = { ["User-Agent"] = "Mozilla/5.0 (Linux; Android 14; Pixel " .. i .. ") AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36" }
  if dnt then headers["DNT"] = "1" end
  return wrk.format("GET", "$service", headers)
end
LUA
run() { # run COUNTED(0/1): requests/s and p99 in ms
  NOT_COUNTED=$((1 - $1)) wrk -t2 -c50 -d"${seconds}s" --latency -s "$work/visitors.lua" "$base" > "$work/run.txt"
  if grep -qE 'Non-2xx|Socket errors' "$work/run.txt"; then cat "$work/run.txt" >&2; echo "errors during the run" >&2; exit 1; fi
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/run.txt")
  p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' "$work/run.txt")
  echo "$rps $p99"
}
NOT_COUNTED=0 wrk -t2 -c50 -d5s -s "$work/visitors.lua" "$base" >/dev/null
counted=(); uncounted=()
for r in $(seq 1 $rounds); do
  uncounted+=("$(run 0)")
  counted+=("$(run 1)")
done
memory_kb=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
sleep 2
views_written=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT COUNT(*) FROM local_offer_page_views WHERE viewed_at >= ?\", (sys.argv[2],)).fetchone()[0])" "$work/bench.db" "$today")
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
c_p99=$(median $(printf '%s\n' "${counted[@]}" | awk '{print $2}'))
u_p99=$(median $(printf '%s\n' "${uncounted[@]}" | awk '{print $2}'))
c_rps=$(median $(printf '%s\n' "${counted[@]}" | awk '{print $1}'))
u_rps=$(median $(printf '%s\n' "${uncounted[@]}" | awk '{print $1}'))
added=$(python3 -c "print(f'{float(\"$c_p99\") - float(\"$u_p99\"):.2f}')")
results="bench/LOCAL_OFFER_USE_RESULTS.md"
{
  echo "# Local Offer use benchmark"
  echo
  echo "Run by \`bench/local-offer-use.sh $seconds\` on $(date -u +%Y-%m-%d): $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GB, $(uname -sr); SQLite; release build."
  echo
  echo "The demonstration Local Offer (48 services) with a year of made-up use (\`sendplan local-offer synthetic-use --views 1000000 --days 365\`, seeded: $(sed 's/.*: made up //; s/ (synthetic)\.$//' "$work/made.log"); made in ${made_seconds} s). One server process."
  echo
  echo "| measure | result | target |"
  echo "|---|---|---|"
  echo "| the website performance page for the whole year ($year_from to $yesterday, ${year_views:-?} page views), 20 loads | median ${year_median} ms, slowest ${year_slowest} ms | under 500 ms |"
  echo "| the same page for the last whole month ($last_month), 20 loads | median ${month_median} ms, slowest ${month_slowest} ms | |"
  echo "| a service page, 50 connections, counted (1,000 browsers in turn) | p99 ${c_p99} ms, ${c_rps} requests/s | |"
  echo "| the same, not counted (\`DNT: 1\`) | p99 ${u_p99} ms, ${u_rps} requests/s | |"
  echo "| what counting adds at p99 | **${added} ms** | under 0.5 ms |"
  echo "| the server's peak memory (VmHWM) | $((memory_kb / 1024)) MB | |"
  echo
  echo "wrk: 2 threads, 50 connections, ${seconds} s a run after a 5 s warm-up, sharing the 2 cores with the server; $rounds rounds, not counted then counted, medians shown. Every round:"
  echo
  echo "| round | not counted: requests/s, p99 ms | counted: requests/s, p99 ms |"
  echo "|---|---|---|"
  for r in $(seq 0 $((rounds - 1))); do echo "| $((r + 1)) | ${uncounted[$r]} | ${counted[$r]} |"; done
  echo
  echo "Page views written by the counted runs: ${views_written} (every counted request is written, in batches, once a second)."
} > "$results"
cat "$results"
