#!/usr/bin/env bash
# Issue 16's Local Offer targets, measured with 10,000 services:
# - directory search with filters: p99 under 20 ms with 50 concurrent clients;
# - /api/oruk/.../services?page=N: at least half the requests per second of nginx
#   serving the same bytes from a file (the reference; the ratio is reported);
# - an 800-service ORUK 3.0 feed imported in under 3 s;
# - the server's memory under 150 MB.
# Usage: bench/local-offer.sh [seconds]   (needs wrk and nginx: apt-get install wrk nginx-light)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-15}"
command -v wrk >/dev/null || { echo "bench/local-offer.sh needs wrk (apt-get install wrk)" >&2; exit 1; }
command -v nginx >/dev/null || { echo "bench/local-offer.sh needs nginx (apt-get install nginx-light)" >&2; exit 1; }
cargo build --release --locked --bin sendplan
bin=./target/release/sendplan
work="$(mktemp -d)"
server=""
trap 'kill "$server" 2>/dev/null || true; nginx -c "$work/nginx.conf" -s stop 2>/dev/null || true; rm -rf "$work"' EXIT
export SENDPLAN_DATABASE_URL="sqlite://$work/bench.db" SENDPLAN_LOG=warn
"$bin" partnerships add Wolverhampton --la-code E08000031 >/dev/null
"$bin" partnerships add Walsall --la-code E08000030 >/dev/null
python3 bench/make_local_offer.py 800 "$work/feed-800.json"
python3 bench/make_local_offer.py 10000 "$work/feed-10000.json"
# The 800-service import, timed whole (reading, checking every record against the
# schema, and writing), with its peak memory.
/usr/bin/time -f '%e %M' -o "$work/import-time" "$bin" local-offer import "$work/feed-800.json" --partnership 2 > "$work/import.log"
read -r import_seconds import_kb < "$work/import-time"
grep -q "800 services were added" "$work/import.log" || { cat "$work/import.log" >&2; exit 1; }
"$bin" local-offer import "$work/feed-10000.json" --partnership 1 > "$work/import-10000.log"
grep -q "10000 services were added" "$work/import-10000.log" || { cat "$work/import-10000.log" >&2; exit 1; }
# A postcode table for distances: one postcode per outward code of the area's places.
python3 - "$work/postcodes.csv" <<'PY'
import random, sys
rng = random.Random(16)
with open(sys.argv[1], "w") as f:
    f.write("pcds,lat,long\n")
    for district in range(1, 15):
        for sector in range(0, 10):
            for unit in ("AA", "AB", "BA", "BB", "ZZ"):
                f.write(f"WV{district} {sector}{unit},{52.586 + rng.uniform(-0.06, 0.06):.6f},{-2.129 + rng.uniform(-0.09, 0.09):.6f}\n")
PY
"$bin" local-offer postcodes "$work/postcodes.csv" --partnership 1 >/dev/null
port=18116
"$bin" serve --bind "127.0.0.1:$port" > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
base="http://127.0.0.1:$port"
# Searches as families make them, with filters, taken in turn by every connection.
cat > "$work/searches.lua" <<'LUA'
local paths = {
  "/local-offer/wolverhampton/search?q=short+breaks&age=9&need=ASD",
  "/local-offer/wolverhampton/search?q=cant+sleep&free=yes",
  "/local-offer/wolverhampton/search?q=speech+therapy&age=4",
  "/local-offer/wolverhampton/search?q=school+refusal&need=SEMH&day=MO",
  "/local-offer/wolverhampton/search?q=autisim+support+group",
  "/local-offer/wolverhampton/search?q=swimming&age=12&postcode=WV3+0AA&within=5",
  "/local-offer/wolverhampton/search?postcode=WV1+1AB&within=2&age=7",
  "/local-offer/wolverhampton/search?q=preparing+for+adulthood&age=17",
}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA
run() { # run URL [script]: requests/s and p99
  local script=()
  [ -n "${2:-}" ] && script=(-s "$2")
  wrk -t2 -c50 -d5s "${script[@]}" "$1" >/dev/null
  wrk -t2 -c50 -d"${seconds}s" --latency "${script[@]}" "$1" > "$work/run.txt"
  if grep -qE 'Non-2xx|Socket errors' "$work/run.txt"; then cat "$work/run.txt" >&2; echo "errors during the run of $1" >&2; exit 1; fi
  awk '/Requests\/sec/ {print $2}' "$work/run.txt"
  awk '$1=="99%" {print $2}' "$work/run.txt"
}
for p in "/local-offer/wolverhampton/search?q=short+breaks&age=9&need=ASD" "/local-offer/wolverhampton/search?postcode=WV1+1AB&within=2&age=7"; do
  page="$(curl -sf "$base$p")" || { echo "the search $p did not answer" >&2; exit 1; }
  grep -q "services" <<<"$page" || { echo "the search $p found nothing" >&2; exit 1; }
done
mapfile -t search < <(run "$base/" "$work/searches.lua")
api_path="/api/oruk/wolverhampton/services?page=37"
mkdir -p "$work/www"
curl -sf "$base$api_path" > "$work/www/page.json" || { echo "the API did not answer" >&2; exit 1; }
bytes=$(wc -c < "$work/www/page.json")
mapfile -t api < <(run "$base$api_path")
memory_kb=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
kill "$server"; wait "$server" 2>/dev/null || true
chmod 755 "$work" "$work/www"; chmod 644 "$work/www/page.json"
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  server {
    listen 127.0.0.1:18115;
    root $work/www;
    location / { default_type application/json; }
  }
}
CONF
nginx -c "$work/nginx.conf"
mapfile -t reference < <(run "http://127.0.0.1:18115/page.json")
ratio=$(python3 -c "print(f'{float(\"${api[0]}\") / float(\"${reference[0]}\"):.2f}')")
results="bench/LOCAL_OFFER_RESULTS.md"
{
  echo "# Local Offer benchmark"
  echo
  echo "Run by \`bench/local-offer.sh $seconds\` on $(date -u +%Y-%m-%d): $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GB, $(uname -sr); SQLite; release build; $(nginx -v 2>&1)."
  echo
  echo "A Local Offer of 10,000 services (\`bench/make_local_offer.py\`: the 48 demonstration services repeated with their own ids, names, places and checked dates), a postcode table of 700 postcodes, one server process. wrk, 2 threads, 50 connections, ${seconds}s after a 5 s warm-up, sharing the 2 cores with the server."
  echo
  echo "| measure | result | target |"
  echo "|---|---|---|"
  echo "| search with filters (8 searches in families' words with age, need, cost, day and distance, in turn) | ${search[0]} requests/s, p99 ${search[1]} | p99 under 20 ms |"
  echo "| \`$api_path\` ($bytes bytes) | ${api[0]} requests/s, p99 ${api[1]} | at least half of nginx's requests/s |"
  echo "| nginx serving the same bytes from a file (reference; one worker, no access log) | ${reference[0]} requests/s, p99 ${reference[1]} | |"
  echo "| an 800-service ORUK 3.0 feed imported by \`sendplan local-offer import\` | ${import_seconds} s, peak memory $((import_kb / 1024)) MB | under 3 s |"
  echo "| the server's peak memory (VmHWM) after both runs | $((memory_kb / 1024)) MB | under 150 MB |"
  echo
  echo "The API serves $ratio times as many requests per second as nginx serving the same page from a file."
} > "$results"
cat "$results"
