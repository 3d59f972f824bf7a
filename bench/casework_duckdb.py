#!/usr/bin/env python3
"""DuckDB beside sendplan for bench/casework.sh (issue 18): the 20-week measure (plans
issued in a calendar year within 20 weeks of the request, excluding exceptions, per
authority) over the same casework rows, exported from sendplan's SQLite database.

  casework_duckdb.py export SQLITE_DB DIR
      every request row, with its partnership and collection year, to DIR/requests.csv
      (Python's sqlite3 and csv) and DIR/requests.parquet (DuckDB's COPY of the CSV);
      prints: rows, CSV MB, Parquet MB, seconds for the CSV, seconds for the Parquet
  casework_duckdb.py time DIR YEAR RUNS
      the measure over each file RUNS times in one process, the files on disk and read
      each time; prints a line per format: the format and each run's milliseconds; writes
      the counts to DIR/duckdb-FORMAT.json
  casework_duckdb.py query DIR YEAR FORMAT
      the measure once (a whole process, as one would run it from a shell)
  casework_duckdb.py compare MEASURES_JSON DIR
      fails unless DuckDB's counts over both files equal `sendplan casework measures --all
      --json`'s plans_within_20_weeks_excluding_exceptions, authority by authority

The rule is sendplan's with its default clock settings (crates/domain/src/casework/
clock.rs and measures.rs): a plan is issued when the assessment outcome is Y, on the
outcome's date (the plan's start date when there is none); it counts in the year it was
issued; it is within 20 weeks when issued at most 140 days after the request; "excluding
exceptions" leaves out requests with an exception (the SEN2 Week20 flag, or dated periods
from a case-system extract) from both counts. Each partnership's year is read from the
import for the next January's collection year (2024 from collection 2025)."""
import csv, json, os, sqlite3, statistics, sys, time

COLUMNS = [
    ("partnership", "VARCHAR"),
    ("la_code", "VARCHAR"),
    ("collection_year", "INTEGER"),
    ("import_id", "BIGINT"),
    ("request_id", "BIGINT"),
    ("received", "DATE"),
    ("outcome", "VARCHAR"),
    ("decided", "DATE"),
    ("assessment_outcome", "VARCHAR"),
    ("assessment_date", "DATE"),
    ("plan_start", "DATE"),
    ("exception", "INTEGER"),
    ("exceptions", "VARCHAR"),
]


def source(directory, fmt):
    path = os.path.join(directory, f"requests.{fmt}")
    if fmt == "csv":
        types = ", ".join(f"'{name}': '{kind}'" for name, kind in COLUMNS)
        return f"read_csv('{path}', header = true, columns = {{{types}}})"
    return f"read_parquet('{path}')"


def measure_sql(directory, fmt, year):
    return f"""
        WITH issued AS (
            SELECT partnership, received, coalesce(assessment_date, plan_start) AS issued
            FROM {source(directory, fmt)}
            WHERE collection_year = {year + 1}
              AND assessment_outcome = 'Y'
              AND exception = 0 AND coalesce(exceptions, '') = ''
        )
        SELECT partnership,
               count(*) FILTER (WHERE date_diff('day', received, issued) <= 140) AS within,
               count(*) AS total
        FROM issued
        WHERE issued >= make_date({year}, 1, 1) AND issued < make_date({year + 1}, 1, 1)
        GROUP BY partnership
        ORDER BY partnership"""


def export(db_path, directory):
    import duckdb

    db = sqlite3.connect(db_path)
    # One import per partnership and collection year, so "the year's newest import", as
    # sendplan reads it, is the only one.
    doubled = db.execute(
        "SELECT COUNT(*) FROM (SELECT 1 FROM casework_imports GROUP BY partnership_id, collection_year HAVING COUNT(*) > 1)"
    ).fetchone()[0]
    if doubled:
        sys.exit(f"{doubled} partnership-years have more than one import; the comparison assumes one")
    started = time.perf_counter()
    csv_path = os.path.join(directory, "requests.csv")
    rows = 0
    with open(csv_path, "w", newline="") as out:
        w = csv.writer(out)
        w.writerow([name for name, _ in COLUMNS])
        cursor = db.execute(
            "SELECT pa.name, pa.la_code, i.collection_year, i.id, r.id, r.received, r.outcome, r.decided, "
            "r.assessment_outcome, r.assessment_date, r.plan_start, r.exception, r.exceptions "
            "FROM casework_requests r JOIN casework_people p ON p.id = r.person_id "
            "JOIN casework_imports i ON i.id = p.import_id JOIN partnerships pa ON pa.id = i.partnership_id "
            "ORDER BY r.id"
        )
        while True:
            batch = cursor.fetchmany(50_000)
            if not batch:
                break
            w.writerows(batch)
            rows += len(batch)
    csv_seconds = time.perf_counter() - started
    started = time.perf_counter()
    parquet_path = os.path.join(directory, "requests.parquet")
    duckdb.connect().execute(
        f"COPY (SELECT * FROM {source(directory, 'csv')}) TO '{parquet_path}' (FORMAT parquet)"
    )
    parquet_seconds = time.perf_counter() - started
    mb = lambda p: os.path.getsize(p) / 1_048_576
    print(f"{rows} {mb(csv_path):.1f} {mb(parquet_path):.1f} {csv_seconds:.1f} {parquet_seconds:.1f}")


def run_query(directory, fmt, year):
    import duckdb

    return duckdb.connect().execute(measure_sql(directory, fmt, year)).fetchall()


def time_formats(directory, year, runs):
    for fmt in ("csv", "parquet"):
        times, result = [], None
        for _ in range(runs):
            started = time.perf_counter()
            result = run_query(directory, fmt, year)
            times.append((time.perf_counter() - started) * 1000)
        with open(os.path.join(directory, f"duckdb-{fmt}.json"), "w") as out:
            json.dump({name: [within, total] for name, within, total in result}, out)
        print(fmt, " ".join(f"{t:.1f}" for t in times))


def compare(measures_json, directory):
    with open(measures_json) as f:
        sendplan = {
            m["partnership"]: (
                m["plans_within_20_weeks_excluding_exceptions"]["within"],
                m["plans_within_20_weeks_excluding_exceptions"]["of"],
            )
            for m in json.load(f)
        }
    failed = False
    for fmt in ("csv", "parquet"):
        with open(os.path.join(directory, f"duckdb-{fmt}.json")) as f:
            duck = {name: tuple(counts) for name, counts in json.load(f).items()}
        # An authority with requests but no plan issued in the year is {0, 0} in
        # sendplan's output and no row in DuckDB's.
        differ = [
            (name, sendplan.get(name, (0, 0)), duck.get(name, (0, 0)))
            for name in sorted(set(sendplan) | set(duck))
            if sendplan.get(name, (0, 0)) != duck.get(name, (0, 0))
        ]
        for name, s, d in differ[:20]:
            print(f"{fmt}: {name}: sendplan {s[0]} of {s[1]}, DuckDB {d[0]} of {d[1]}", file=sys.stderr)
        failed |= bool(differ)
        if not differ:
            within = sum(c[0] for c in duck.values())
            total = sum(c[1] for c in duck.values())
            print(f"{fmt} {len(sendplan)} {len(duck)} {within} {total}")
    if failed:
        sys.exit("DuckDB's counts differ from sendplan's")


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "export":
        export(*args)
    elif command == "time":
        time_formats(args[0], int(args[1]), int(args[2]))
    elif command == "query":
        run_query(args[0], args[2], int(args[1]))
    elif command == "compare":
        compare(*args)
    else:
        sys.exit(__doc__)
