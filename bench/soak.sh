#!/usr/bin/env bash
# Issue 12's soak, measured: 200 concurrent clients for 10 minutes (80% reads of plan and
# public pages, 20% progress updates) against one server on SQLite, then against two
# servers sharing one PostgreSQL database (the clients split between them). Target: 0
# errors, 0 lost writes, p99 reported. Writes bench/SOAK_RESULTS.md with the machine.
# A missed target is written in the results and exits 3; a harness failure exits 1.
#
# Usage: bench/soak.sh
#   SOAK_SECONDS=30 SOAK_CLIENTS=50 bench/soak.sh   # a short trial
#   SOAK_CONFIGS=sqlite bench/soak.sh               # one configuration (sqlite, postgres)
#   SOAK_THINK_MS=500 bench/soak.sh                 # clients pause about 0.5 s between requests
# Needs Node.js 20 (no npm packages), and for PostgreSQL a server where the user may create
# databases: SENDPLAN_TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres
# (psql is used to create and drop a database for the run).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v node >/dev/null || { echo "bench/soak.sh needs Node.js 20 or later" >&2; exit 1; }
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
  || { echo "bench/soak.sh needs Node.js 20 or later (found $(node --version))" >&2; exit 1; }
configs="${SOAK_CONFIGS:-sqlite,postgres}"
if [[ ",$configs," == *",postgres,"* ]]; then
  command -v psql >/dev/null || { echo "bench/soak.sh needs psql for the PostgreSQL run (apt-get install postgresql-client)" >&2; exit 1; }
  url="${SENDPLAN_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
  pg_isready -q -d "$url" 2>/dev/null || psql -X -q -d "$url" -c 'SELECT 1' >/dev/null \
    || { echo "PostgreSQL is not reachable at $url: start it, set SENDPLAN_TEST_POSTGRES_URL, or SOAK_CONFIGS=sqlite" >&2; exit 1; }
fi
cargo build --release --locked -p sendplan
target_dir="$(cargo metadata --format-version 1 --no-deps --locked | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
# 200 clients keep up to 200 connections open to each server.
ulimit -n 65536 2>/dev/null || ulimit -n 4096 2>/dev/null || true
SOAK_BIN="${SOAK_BIN:-$target_dir/release/sendplan}" exec node bench/soak.mjs
