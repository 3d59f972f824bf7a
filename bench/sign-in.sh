#!/usr/bin/env bash
# The sign-in throttle's target, measured: 60 parallel wrong sign-ins for one account must
# get at most the limit (5) password checks, the server must stay under 150 MB resident, and
# a correct sign-in for another account during the burst must answer in under 1 s.
# A missed target is reported in bench/SIGN_IN_RESULTS.md, not an error: this exits non-zero
# only when the harness itself fails (no build, no server).
# Usage: bench/sign-in.sh [label]   (the label names the run in the results, e.g. "before")
set -euo pipefail
cd "$(dirname "$0")/.."
label="${1:-}"
command -v curl >/dev/null || { echo "bench/sign-in.sh needs curl (apt-get install curl)" >&2; exit 1; }
cargo build --release --locked --bin sendplan
target_dir="$(cargo metadata --format-version 1 --no-deps --locked | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
sendplan="$target_dir/release/sendplan"
work="$(mktemp -d)"
server=""
trap '[ -z "$server" ] || kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
export SENDPLAN_DATABASE_URL="sqlite://$work/bench.db" SENDPLAN_LOG=warn
"$sendplan" migrate >/dev/null
# Two accounts. Passwords that any password rules should accept: long, not common, not the
# account's name or address.
email_a="target.account@bench.invalid"
email_b="colleague.account@bench.invalid"
password_b="marmalade tractor whistle lantern"
echo "heron quietly folding maps" | "$sendplan" user add "$email_a" --admin --name "Bench Target" >/dev/null
echo "$password_b" | "$sendplan" user add "$email_b" --admin --name "Bench Colleague" >/dev/null
port=18093
"$sendplan" serve --bind "127.0.0.1:$port" > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
if ! curl -sf "http://127.0.0.1:$port/health" >/dev/null; then
  cat "$work/server.log" >&2
  echo "bench/sign-in.sh: the server did not answer /health within 10 s" >&2
  exit 1
fi
model="$(lscpu 2>/dev/null | awk -F: '/^Model name/ {gsub(/^ +/, "", $2); print $2; exit}')"
[ -n "$model" ] || model="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
machine="$(nproc) cores ($model), $(free -g | awk '/Mem:/ {print $2}') GB memory, $(uname -sr); SQLite; release build"
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
timeout 150 python3 bench/sign_in.py \
  --port "$port" --server-pid "$server" \
  --email-a "$email_a" --email-b "$email_b" --password-b "$password_b" \
  --clients 60 --limit 5 \
  --results bench/SIGN_IN_RESULTS.md --label "$label" --commit "$commit" --machine "$machine"
if ! kill -0 "$server" 2>/dev/null; then
  cat "$work/server.log" >&2
  echo "bench/sign-in.sh: the server stopped during the run (see its log above)" >&2
fi
echo
echo "Written to bench/SIGN_IN_RESULTS.md"
