#!/usr/bin/env bash
# Issue 18's targets for EHC casework at England's scale: synthetic SEN2 returns for every
# authority and every calendar year from 2019 to 2024 (about 640,000 plans in place and
# 160,000 requests a year), shaped to the DfE's published figures in fixtures/dfe/:
# - importing them all (one `casework import` of every file) in under 60 s, the importing
#   process's peak memory under 500 MB;
# - every authority's DfE measures for 2024 (`casework measures --all --year 2024 --json`,
#   the whole command) in under 2 s;
# - one authority's casework pages (the largest by plans in place) in under 50 ms;
# - and, for comparison, DuckDB working out the 20-week measure over the same rows as CSV
#   and as Parquet, its counts checked against sendplan's authority by authority (the
#   script fails if any differ).
# Usage: bench/casework.sh [N]   (N: only the first N authorities, for a quick try; installs
# DuckDB from PyPI into a virtualenv in its work dir)
set -euo pipefail
cd "$(dirname "$0")/.."
only="${1:-}"
started_at=$(date +%s)
runs=5
loads=20
year=2024
cargo build --release --locked --bin sendplan
bin=./target/release/sendplan
work="$(mktemp -d)"
server=""
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
export SENDPLAN_DATABASE_URL="sqlite://$work/bench.db" SENDPLAN_LOG=warn
port=18118
base="http://127.0.0.1:$port"
now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
slowest() { printf '%s\n' "$@" | sort -n | tail -1; }
wait_up() {
  for _ in $(seq 1 100); do curl -sf "$base/health" >/dev/null && return 0; sleep 0.2; done
  echo "sendplan did not start" >&2; cat "$work/server.log" >&2; exit 1
}

# DuckDB, for the comparison.
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q duckdb
duckdb_version=$("$work/venv/bin/python" -c 'import duckdb; print(duckdb.__version__)')
duck() { "$work/venv/bin/python" bench/casework_duckdb.py "$@"; }
sql() { # sql QUERY: the rows of a query on the benchmark's database, fields space-separated
  python3 -c 'import sqlite3, sys
for row in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]): print(*row)' "$work/bench.db" "$1"
}

# A partnership for every authority in the DfE's 20-week figures (its latest name; a name
# two codes have had, such as Buckinghamshire's before and after 2020, is given its code).
"$bin" migrate > /dev/null
python3 - fixtures/dfe/ehcp_2025release_timeliness_20_week_all_plans_by_la_2019-2024.csv > "$work/authorities.tsv" <<'PY'
import collections, csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["geographic_level"] == "Local authority"]
names, years = {}, collections.defaultdict(list)
for r in sorted(rows, key=lambda r: r["time_period"]):
    names[r["new_la_code"]] = r["la_name"]
    years[r["new_la_code"]].append(r["time_period"])
uses = collections.Counter(names.values())
for code, name in sorted(names.items()):
    print(f"{code}\t{name if uses[name] == 1 else f'{name} ({code})'}\t{' '.join(years[code])}")
PY
if [ -n "$only" ]; then head -n "$only" "$work/authorities.tsv" > "$work/some.tsv"; mv "$work/some.tsv" "$work/authorities.tsv"; fi
authorities=$(wc -l < "$work/authorities.tsv")
listed=$(awk -F'\t' '{n += split($3, y, " ")} END {print n}' "$work/authorities.tsv")
while IFS=$'\t' read -r code name _; do
  "$bin" partnerships add "$name" --la-code "$code" > /dev/null < /dev/null
done < "$work/authorities.tsv"

# The returns, before the timed part: one for each authority-year the DfE lists; the
# generator refuses those without published 20-week counts, which are skipped.
mkdir "$work/returns"
skipped=()
started=$(now_ms)
while IFS=$'\t' read -r code _ years; do
  for y in $years; do
    "$bin" casework synthetic --la "$code" --year "$y" --out "$work/returns/$code-$y.xml" < /dev/null > /dev/null 2>> "$work/synthetic.err" \
      || skipped+=("$code $y")
  done
done < "$work/authorities.tsv"
made_seconds=$(awk -v ms=$(($(now_ms) - started)) 'BEGIN {printf "%.1f", ms / 1000}')
returns=$(ls "$work/returns" | wc -l)
returns_mb=$(du -sm "$work/returns" | cut -f1)
echo "made $returns returns ($returns_mb MB) in $made_seconds s; skipped ${#skipped[@]}: ${skipped[*]:-none}"

# Target 1: every return in one import.
load_before=$(cut -d' ' -f1 /proc/loadavg)
/usr/bin/time -f '%e %M' -o "$work/import-time" "$bin" casework import "$work"/returns/*.xml > "$work/import.log"
read -r import_seconds import_kb < "$work/import-time"
imported=$(grep -c "SEN2 return for" "$work/import.log")
[ "$imported" -eq "$returns" ] || { echo "imported $imported of $returns returns" >&2; exit 1; }
read -r people requests plans2025 requests2024 < <(sql "SELECT (SELECT COUNT(*) FROM casework_people), (SELECT COUNT(*) FROM casework_requests), (SELECT SUM(p.needs <> '') FROM casework_people p JOIN casework_imports i ON i.id = p.import_id WHERE i.collection_year = $((year + 1))), (SELECT COUNT(*) FROM casework_requests r JOIN casework_people p ON p.id = r.person_id JOIN casework_imports i ON i.id = p.import_id WHERE i.collection_year = $((year + 1)) AND r.received BETWEEN '$year-01-01' AND '$year-12-31')")
rows_per_second=$(awk -v n=$((people + requests)) -v s="$import_seconds" 'BEGIN {printf "%.0f", n / s}')
db_mb=$(du -sm "$work/bench.db" | cut -f1)
# Each return went to the partnership of the authority its header names (by the DfE's code).
unimported=$(sql "SELECT name FROM partnerships WHERE id NOT IN (SELECT partnership_id FROM casework_imports) ORDER BY name" | paste -sd ';' | sed 's/;/; /g')
echo "imported $people people and $requests requests in $import_seconds s, peak RSS $((import_kb / 1024)) MB"

# The authority with the most plans in place in January $((year + 1)), whose pages are timed.
read -r largest largest_plans largest_name < <(sql "SELECT pa.la_code, SUM(p.needs <> '') AS n, pa.name FROM casework_people p JOIN casework_imports i ON i.id = p.import_id JOIN partnerships pa ON pa.id = i.partnership_id WHERE i.collection_year = $((year + 1)) GROUP BY pa.id ORDER BY n DESC LIMIT 1")
read -r largest_people largest_requests < <(sql "SELECT COUNT(DISTINCT p.id), COUNT(r.id) FROM casework_people p JOIN casework_imports i ON i.id = p.import_id JOIN partnerships pa ON pa.id = i.partnership_id LEFT JOIN casework_requests r ON r.person_id = p.id WHERE pa.la_code = '$largest' AND i.collection_year IN ($year, $((year + 1)))")

# Where the import's time goes: the largest authority's returns again, one import each, into
# an empty database (not part of the targets).
one="sqlite://$work/one.db"
"$bin" migrate --database-url "$one" > /dev/null
"$bin" partnerships add "$largest_name" --la-code "$largest" --database-url "$one" > /dev/null
per_file=()
for f in "$work/returns/$largest"-*.xml; do
  /usr/bin/time -f '%e %M' -o "$work/one-time" "$bin" casework import "$f" --database-url "$one" > "$work/one.log"
  read -r s kb < "$work/one-time"
  read -r p r < <(sed -n 's/.*: \([0-9]*\) children and young people, \([0-9]*\) requests imported\./\1 \2/p' "$work/one.log")
  per_file+=("$(basename "$f" .xml) $p $r $s $((kb / 1024))")
done

# Target 2: every authority's measures for the year, the whole command, $runs times.
measure_ms=(); measure_kb=0
for _ in $(seq 1 $runs); do
  started=$(now_ms)
  /usr/bin/time -f '%M' -o "$work/measures-rss" "$bin" casework measures --all --year "$year" --json > "$work/measures.json"
  measure_ms+=($(($(now_ms) - started)))
  measure_kb=$(cat "$work/measures-rss")
done
measure_median=$(median "${measure_ms[@]}")
measured=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$work/measures.json")
echo "measures --all: ${measure_ms[*]} ms"

# Target 4: DuckDB over the same rows, exported, then timed with the files on disk.
read -r exported csv_mb parquet_mb csv_export_s parquet_export_s < <(duck export "$work/bench.db" "$work")
duck time "$work" "$year" "$runs" > "$work/duckdb-times"
read -r -a csv_ms <<< "$(awk '$1=="csv" {$1=""; print}' "$work/duckdb-times")"
read -r -a parquet_ms <<< "$(awk '$1=="parquet" {$1=""; print}' "$work/duckdb-times")"
csv_median=$(median "${csv_ms[@]}"); parquet_median=$(median "${parquet_ms[@]}")
duck_process() { # duck_process FORMAT: whole processes (Python, import duckdb, the query), ms
  local times=()
  for _ in $(seq 1 $runs); do
    local s; s=$(now_ms); duck query "$work" "$year" "$1"; times+=($(($(now_ms) - s)))
  done
  median "${times[@]}"
}
csv_process=$(duck_process csv); parquet_process=$(duck_process parquet)
duck compare "$work/measures.json" "$work" > "$work/compare"
read -r _ compared _ duck_within duck_of < <(grep '^parquet' "$work/compare")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {r = a / b; printf (r >= 10 ? "%.0f" : "%.1f"), r}'; }
echo "DuckDB: csv ${csv_ms[*]} ms, parquet ${parquet_ms[*]} ms; counts match for $compared authorities"

# Target 3: the largest authority's casework pages.
read -r pid _plan token < <(python3 bench/session.py "$work/bench.db" "$largest" --casework)
"$bin" serve --bind "127.0.0.1:$port" > "$work/server.log" 2>&1 &
server=$!
wait_up
cookie="sendplan_session=$token"
time_page() { # time_page PATH TEXT: the first load, then the median and slowest of $loads more, in ms
  local times=() first
  # Whole, then searched: grep -q stopping early would cut curl off, failing the pipeline.
  first=$(curl -sf -o "$work/page.html" -w '%{time_total}' -H "Cookie: $cookie" "$base$1") || { echo "$1 failed" >&2; tail -20 "$work/server.log" >&2; exit 1; }
  grep -q "$2" "$work/page.html" || { echo "$1 did not show \"$2\"" >&2; exit 1; }
  for _ in $(seq 1 $loads); do
    times+=("$(curl -sf -o /dev/null -w '%{time_total}' -H "Cookie: $cookie" "$base$1")")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v first="$first" '{a[NR]=$1*1000} END {printf "%.0f %.0f %.0f\n", first * 1000, a[int((NR+1)/2)], a[NR]}'
}
read -r page_first page_median page_slowest < <(time_page "/p/$pid/casework?year=$year" "within 20 weeks")
read -r overdue_first overdue_median overdue_slowest < <(time_page "/p/$pid/casework/overdue?year=$year" "Overdue")
overdue_listed=$(grep -o '[0-9,]* overdue<' "$work/page.html" | head -1 | tr -dc '0-9')
server_kb=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
load_after=$(cut -d' ' -f1 /proc/loadavg)

n() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; } # 1234567 -> 1,234,567
# The DfE's published national figure for the year, to set England's total beside.
read -r published_within published_of < <(python3 -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if r["geographic_level"] == "National" and r["time_period"] == sys.argv[2]: print(r["plans_issued_20_weeks_ex"], r["plans_issued_den_ex"])' fixtures/dfe/ehcp_2025release_timeliness_20_week_all_plans_by_la_2019-2024.csv "$year")
if [ "$duck_within $duck_of" = "$published_within $published_of" ]; then
  published="the DfE's published figure for England"
else
  published="the DfE published $(n "$published_within") of $(n "$published_of") for England (some authority-years are not in the data)"
fi
minutes=$(awk -v s=$(($(date +%s) - started_at)) 'BEGIN {printf "%.1f", s / 60}')
verdict() { awk -v v="$1" -v t="$2" 'BEGIN {print (v < t) ? "met" : "**not met**"}'; }
results="bench/CASEWORK_RESULTS.md"
{
  echo "# EHC casework benchmark"
  echo
  echo "Run by \`bench/casework.sh${only:+ $only}\` on $(date -u +%Y-%m-%d): $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GB, $(uname -sr); SQLite; release build; DuckDB $duckdb_version (Python)."
  echo
  if [ -n "$only" ]; then echo "**A quick try on the first $only authorities only, not England's scale.**"; echo; fi
  echo "England-scale synthetic casework: a partnership for each of the $authorities authorities in the DfE's 20-week figures, and a synthetic SEN2 return (\`sendplan casework synthetic\`, the default seed) for each of the $listed authority-years 2019 to 2024 they list, shaped to the published plans issued, timeliness, requests and plans in place. $returns returns were written ($returns_mb MB of XML, in $made_seconds s, before the timed part); ${#skipped[@]} were refused because the DfE published no 20-week counts for them (suppressed): ${skipped[*]:-none}. Authority-years the figures do not list at all (authorities made or ended by reorganisation) have no return. Each return was imported into the partnership of the authority its header names (by the DfE's three-digit code); partnerships that received none: ${unimported:-none}."
  echo
  echo "In all, the $returns returns hold $(n "$people") children and young people and $(n "$requests") requests; those made in January $((year + 1)) hold $(n "$plans2025") plans in place and $(n "$requests2024") requests received in $year. The database is $db_mb MB after the import. The whole script took $minutes minutes; the machine's load average (1 minute) was $load_before as the import began and $load_after after the pages (the import keeps about one core busy, and DuckDB's runs just before the pages two)."
  echo
  echo "| target | result | goal | |"
  echo "|---|---|---|---|"
  echo "| 1. importing every return (one \`sendplan casework import\` of the $returns files, each in its own transaction) | **${import_seconds} s** ($(n "$rows_per_second") rows/s) | under 60 s | $(verdict "$import_seconds" 60) |"
  echo "| 1. the importing process's peak memory (RSS) | **$((import_kb / 1024)) MB** | under 500 MB | $(verdict $((import_kb / 1024)) 500) |"
  echo "| 2. every authority's DfE measures for $year (\`casework measures --all --year $year --json\`, $measured authorities, the whole command), median of $runs | **${measure_median} ms** (runs: ${measure_ms[*]} ms; peak RSS $((measure_kb / 1024)) MB) | under 2 s | $(verdict "$measure_median" 2000) |"
  echo "| 3. $largest_name's casework page for $year (\`/p/$pid/casework?year=$year\`), $loads loads after the first | **median ${page_median} ms**, slowest ${page_slowest} ms | under 50 ms | $(verdict "$page_slowest" 50) |"
  echo "| 3. its overdue list (\`/p/$pid/casework/overdue?year=$year\`, $overdue_listed cases), $loads loads after the first | **median ${overdue_median} ms**, slowest ${overdue_slowest} ms | under 50 ms | $(verdict "$overdue_slowest" 50) |"
  echo "| 3. the first load of each, the server just started (the casework page reads the records from the database) | casework page **${page_first} ms**, overdue list ${overdue_first} ms | (under 50 ms) | casework page $(verdict "$page_first" 50), overdue list $(verdict "$overdue_first" 50) |"
  echo
  echo "$largest_name ($largest) is the authority with the most plans in place: $(n "$largest_plans") in January $((year + 1)); the page reads its $year and $((year - 1)) returns ($(n "$largest_people") children and young people, $(n "$largest_requests") requests). One server process, curl timing the whole response (\`%{time_total}\`) one load after another. The pages keep a year's records once read, until the partnership's data changes, so the first load after the server starts (or after an import) reads them and the $loads after it do not; the first load of the casework page reads both years, and the overdue list then finds them kept. The server's peak memory (VmHWM) was $((server_kb / 1024)) MB."
  echo
  echo "## The import, return by return"
  echo
  echo "$largest_name's $(echo "${#per_file[@]}") returns imported again one by one, each by its own \`sendplan casework import\` into an empty database (not part of the targets):"
  echo
  echo "| return (authority-calendar year) | children and young people | requests | seconds | rows/s | peak RSS |"
  echo "|---|---|---|---|---|---|"
  for line in "${per_file[@]}"; do
    read -r f p r s mb <<< "$line"
    echo "| $f | $(n "$p") | $(n "$r") | $s | $(n "$(awk -v n=$((p + r)) -v s="$s" 'BEGIN {printf "%.0f", n / s}')") | $mb MB |"
  done
  echo
  echo "## 4. DuckDB beside sendplan"
  echo
  echo "The 20-week measure (plans issued in $year within 20 weeks of the request, excluding exceptions, per authority) by DuckDB, over every request row of the database ($(n "$exported") rows, with each one's partnership and collection year) exported with Python's sqlite3 to CSV ($csv_mb MB, ${csv_export_s} s) and copied by DuckDB to Parquet ($parquet_mb MB, ${parquet_export_s} s). The query is sendplan's rule with its default settings (bench/casework_duckdb.py): assessment outcome Y, issued on the outcome's date, counted in the year issued, within 20 weeks up to and including day 140, requests with an exception left out, each authority's January $((year + 1)) return. The files are read from disk by every run; DuckDB uses both cores."
  echo
  echo "| | median of $runs | runs | sendplan's time (target 2) ÷ this |"
  echo "|---|---|---|---|"
  echo "| DuckDB, CSV, the query in an open process | **${csv_median} ms** | ${csv_ms[*]} ms | $(ratio "$measure_median" "$csv_median")× |"
  echo "| DuckDB, Parquet, the query in an open process | **${parquet_median} ms** | ${parquet_ms[*]} ms | $(ratio "$measure_median" "$parquet_median")× |"
  echo "| DuckDB, CSV, a whole process (Python, \`import duckdb\`, the query) | ${csv_process} ms | | $(ratio "$measure_median" "$csv_process")× |"
  echo "| DuckDB, Parquet, a whole process | ${parquet_process} ms | | $(ratio "$measure_median" "$parquet_process")× |"
  echo "| sendplan, \`casework measures --all\` (all of the DfE's measures, not only this one, as JSON) | ${measure_median} ms | ${measure_ms[*]} ms | 1× |"
  echo
  echo "The counts agree: for each of the $compared authorities with a $year return, DuckDB's plans within 20 weeks and plans issued (excluding exceptions), over the CSV and over the Parquet, equal sendplan's \`plans_within_20_weeks_excluding_exceptions\`. In all, $(n "$duck_within") of $(n "$duck_of") plans were issued within 20 weeks: $published. The script fails if any authority's counts differ."
} > "$results"
cat "$results"
