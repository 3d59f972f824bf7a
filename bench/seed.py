#!/usr/bin/env python3
"""Fills a migrated sendplan SQLite database with the benchmark plan from issue 2:
400 actions, 1,200 milestones and 5,000 progress updates, plus a signed-in session whose
cookie value is printed, so the benchmark needs no password. Writes rows directly (no
audit entries): this builds a fixture, it is not how sendplan changes data."""
import hashlib, random, sqlite3, sys, datetime

db = sqlite3.connect(sys.argv[1])
token = "bench-session-token"
random.seed(42)
today = datetime.date.today()
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
day = lambda offset: (today + datetime.timedelta(days=offset)).isoformat()
c = db.cursor()
c.execute("INSERT INTO partnerships (name, la_code, created_at) VALUES ('Benchmark area', 'E99999999', ?)", (now,))
pid = c.lastrowid
c.execute("INSERT INTO users (email, display_name, password_hash, deployment_admin, created_at) VALUES ('bench@sendplan.invalid', 'Bench', 'x', 0, ?)", (now,))
uid = c.lastrowid
c.execute("INSERT INTO organisations (partnership_id, name, kind) VALUES (?, 'Council', 'local_authority')", (pid,))
org = c.lastrowid
people = []
for i in range(40):
    c.execute("INSERT INTO people (partnership_id, name, job_title, organisation_id, short_code, email) VALUES (?, ?, ?, ?, ?, '')",
              (pid, f"Person {i}", f"Head of Service {i}", org, f"P{i}"))
    people.append(c.lastrowid)
c.execute("INSERT INTO memberships (user_id, partnership_id, role, person_id) VALUES (?, ?, 'admin', ?)", (uid, pid, people[0]))
# last_seen_at far ahead, so the benchmark's session never times out for idleness.
c.execute("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, handle, user_agent, last_seen_at) VALUES (?, ?, 'csrf', ?, '2999-01-01T00:00:00Z', 'bench', 'bench', '2999-01-01T00:00:00Z')",
          (hashlib.sha256(token.encode()).hexdigest(), uid, now))
c.execute("INSERT INTO plans (partnership_id, kind, title, period_start, period_end, inspection_id, status, stale_after_days, created_at) VALUES (?, 'wsoa', 'Benchmark WSOA', ?, ?, NULL, 'active', 42, ?)",
          (pid, day(-400), day(200), now))
plan = c.lastrowid
ratings = []
for pos, (label, colour, cls) in enumerate([("RED", "red", "off_track"), ("AMBER", "orange", "some_concerns"), ("GREEN", "green", "on_track"), ("BLUE", "blue", "complete"), ("PINK", "pink", "waiting")]):
    c.execute("INSERT INTO ratings (partnership_id, plan_id, position, label, colour, meaning, class) VALUES (?, ?, ?, ?, ?, ?, ?)", (pid, plan, pos + 1, label, colour, f"{label} meaning", cls))
    ratings.append(c.lastrowid)
actions = []
for a in range(1, 9):
    c.execute("INSERT INTO areas (partnership_id, plan_id, number, sort_key, title, sro_person_id, outcomes) VALUES (?, ?, ?, ?, ?, ?, ?)",
              (pid, plan, str(a), f"{a:04}", f"Area {a}: a significant weakness the plan answers", people[a], "Outcome one\nOutcome two"))
    area = c.lastrowid
    for n in range(1, 51):
        number = f"{a}.{n}"
        c.execute("""INSERT INTO actions (partnership_id, plan_id, area_id, objective_id, number, sort_key, description, evidence_of_success,
                     impact_measures, start_date, completion_date, created_on) VALUES (?, ?, ?, NULL, ?, ?, ?, 'Evidence', 'Measures', ?, ?, ?)""",
                  (pid, plan, area, number, f"{a:04}.{n:04}", f"Action {number}: develop and implement an improvement across the partnership so that families get support sooner",
                   day(-300), day(random.randint(-200, 200)), day(-400)))
        action = c.lastrowid
        actions.append(action)
        for person in random.sample(people, 2):
            c.execute("INSERT INTO action_leads (action_id, person_id) VALUES (?, ?)", (action, person))
        for m in range(3):
            done = day(random.randint(-100, -1)) if random.random() < 0.5 else None
            c.execute("INSERT INTO milestones (partnership_id, plan_id, action_id, title, due_date, success_criteria, done_date) VALUES (?, ?, ?, ?, ?, '', ?)",
                      (pid, plan, action, f"Milestone {m + 1} of {number}", day(random.randint(-200, 200)), done))
for u in range(5000):
    action = actions[u % len(actions)]
    c.execute("""INSERT INTO updates (partnership_id, plan_id, action_id, update_date, author_user_id, rating_id, narrative, evidence_links, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, '', ?)""",
              (pid, plan, action, day(-random.randint(0, 365)), uid, random.choice(ratings), "Progress narrative " * 20, now))
db.commit()
print(f"{pid} {plan} {token}")
