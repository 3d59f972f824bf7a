#!/usr/bin/env python3
"""Gives a benchmark account a signed-in session in the partnership with local authority
code argv[2] of the SQLite database argv[1], and prints the partnership id, its first
plan's id (0 when it has no plan) and the session cookie value. With a third argument
`--casework`, the account is also granted casework in that partnership (the EHC casework
pages of issue 18). Writes rows directly: a fixture, not how sendplan changes data."""
import datetime, hashlib, sqlite3, sys

if len(sys.argv) not in (3, 4) or sys.argv[3:] not in ([], ["--casework"]):
    sys.exit("usage: session.py DB LA_CODE [--casework]")
casework = sys.argv[3:] == ["--casework"]
db = sqlite3.connect(sys.argv[1])
token = "bench-session-token"
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
c = db.cursor()
pid = c.execute("SELECT id FROM partnerships WHERE la_code = ?", (sys.argv[2],)).fetchone()[0]
plan = c.execute("SELECT id FROM plans WHERE partnership_id = ? ORDER BY id", (pid,)).fetchone()
plan = plan[0] if plan else 0
c.execute("INSERT INTO users (email, display_name, password_hash, deployment_admin, created_at) VALUES ('bench@sendplan.invalid', 'Bench', 'x', 0, ?)", (now,))
uid = c.lastrowid
c.execute("INSERT INTO memberships (user_id, partnership_id, role, person_id) VALUES (?, ?, 'admin', NULL)", (uid, pid))
if casework:
    # Casework is granted apart from the role: no role, not even an administrator's, brings it.
    c.execute("UPDATE memberships SET casework = 1 WHERE user_id = ? AND partnership_id = ?", (uid, pid))
# last_seen_at far ahead, so the benchmark's session never times out for idleness.
c.execute("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, handle, user_agent, last_seen_at) VALUES (?, ?, 'csrf', ?, '2999-01-01T00:00:00Z', 'bench', 'bench', '2999-01-01T00:00:00Z')",
          (hashlib.sha256(token.encode()).hexdigest(), uid, now))
db.commit()
print(f"{pid} {plan} {token}")
