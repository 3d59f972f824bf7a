#!/usr/bin/env bash
# Issue 5's public page target, measured: a published plan's public progress page must
# serve at least 2,000 requests per second on this 2-core machine. The reference is nginx
# serving a saved copy of the same page; the ratio to it is reported.
# Usage: bench/public.sh [seconds]   (needs wrk and nginx: apt-get install wrk nginx-light)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-15}"
command -v wrk >/dev/null || { echo "bench/public.sh needs wrk (apt-get install wrk)" >&2; exit 1; }
command -v nginx >/dev/null || { echo "bench/public.sh needs nginx (apt-get install nginx-light)" >&2; exit 1; }
cargo build --release --locked --bin sendplan
work="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; nginx -c "$work/nginx.conf" -s stop 2>/dev/null || true; rm -rf "$work"' EXIT
db="$work/bench.db"
export SENDPLAN_DATABASE_URL="sqlite://$db" SENDPLAN_LOG=warn
./target/release/sendplan import fixtures/plans/worcestershire.json >/dev/null
# Publish it with everything a public page can show (a fixture, written directly).
python3 - "$db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
plan, pid = db.execute("SELECT id, partnership_id FROM plans ORDER BY id").fetchone()
db.execute("INSERT INTO plan_publications (plan_id, partnership_id, published, summary, show_ratings, show_measures, updated_at) VALUES (?, ?, 1, 'How the partnership is improving support for children and young people with SEND.', 1, 1, '2026-01-01T00:00:00Z')", (plan, pid))
for (area,) in db.execute("SELECT id FROM areas WHERE plan_id = ?", (plan,)).fetchall():
    db.execute("INSERT INTO area_summaries (area_id, partnership_id, summary, easy_read) VALUES (?, ?, 'What this area is about, in plain language.', 'We want to help you sooner. We will listen to you.')", (area, pid))
# A quarterly paper issued to the board and published beside the plan.
report = db.execute("INSERT INTO issued_reports (partnership_id, plan_id, kind, as_at, since, board, title, html, issued_by, issued_at) VALUES (?, ?, 'progress', '2019-03-31', NULL, 'SEND Improvement Board', 'Full progress report', '<p>As issued</p>', NULL, '2019-04-01T00:00:00Z') RETURNING id", (pid, plan)).fetchone()[0]
db.execute("INSERT INTO published_reports (report_id, partnership_id, plan_id, published_at) VALUES (?, ?, ?, '2019-04-02T00:00:00Z')", (report, pid, plan))
db.commit()
PY
port=18096
./target/release/sendplan serve --bind "127.0.0.1:$port" > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
# The numeric address moves to the readable one (/public/<name>/plans/1): measure that.
numeric="http://127.0.0.1:$port/public/1/plans/1"
url=$(curl -s -o /dev/null -w '%{redirect_url}' "$numeric")
[ -n "$url" ] || url="$numeric"
path="${url#http://127.0.0.1:$port}"
mkdir -p "$work/www"
curl -sf "$url" > "$work/www/index.html" || { echo "the public page did not render" >&2; exit 1; }
bytes=$(wc -c < "$work/www/index.html")
# nginx's workers run as an unprivileged user: they must be able to read the copy.
chmod 755 "$work" "$work/www"; chmod 644 "$work/www/index.html"
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  server {
    listen 127.0.0.1:18095;
    root $work/www;
    location / { default_type text/html; }
  }
}
CONF
nginx -c "$work/nginx.conf"
run() {
  wrk -t2 -c50 -d5s "$1" >/dev/null
  wrk -t2 -c50 -d"${seconds}s" --latency "$1" > "$work/run.txt"
  if grep -qE 'Non-2xx|Socket errors' "$work/run.txt"; then cat "$work/run.txt" >&2; echo "errors during the run of $1" >&2; exit 1; fi
  awk '/Requests\/sec/ {print $2}' "$work/run.txt"
  awk '$1=="99%" {print $2}' "$work/run.txt"
}
mapfile -t ours < <(run "$url")
kill "$server"; wait "$server" 2>/dev/null || true
mapfile -t theirs < <(run "http://127.0.0.1:18095/index.html")
ratio=$(python3 -c "print(f'{float(\"${ours[0]}\") / float(\"${theirs[0]}\"):.2f}')")
results="bench/PUBLIC_RESULTS.md"
{
  echo "# Public progress page benchmark"
  echo
  echo "Run by \`bench/public.sh $seconds\` on $(date -u +%Y-%m-%d): $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GB, $(uname -sr); SQLite; release build; $(nginx -v 2>&1)."
  echo
  echo "The Worcestershire plan published with a summary, a summary and easy-read text for each of its 6 areas, the counts of its 125 activities by rating and a published board paper (the plan document has no measures): $bytes bytes of HTML. wrk, 2 threads, 50 connections, ${seconds}s after a 5 s warm-up, sharing the 2 cores with the server. The reference is nginx (one worker, no access log) serving a saved copy of the same page; each ran alone."
  echo
  echo "| server | requests/s | p99 | target |"
  echo "|---|---|---|---|"
  echo "| sendplan \`$path\` | ${ours[0]} | ${ours[1]} | at least 2,000 requests/s |"
  echo "| nginx, a saved copy | ${theirs[0]} | ${theirs[1]} | (reference) |"
  echo
  echo "sendplan serves $ratio times as many requests per second as nginx serving the file."
} > "$results"
cat "$results"
