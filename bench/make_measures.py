#!/usr/bin/env python3
"""Writes a plan document for bench/dashboard.sh: 6 areas of 10 actions, each with a
recent progress update, and 60 impact measures, each with a baseline, two targets, 60
monthly values (January 2021 to December 2025) and 60 England comparator figures."""
import json, random, sys

random.seed(11)
months = [f"{y}-{m:02d}" for y in range(2021, 2026) for m in range(1, 13)]
month_end = lambda label: {  # the last day of a month, for comparator periods
    2: "28"}.get(int(label[5:]), "30" if int(label[5:]) in (4, 6, 9, 11) else "31")
areas, actions, measures = [], [], []
for a in range(1, 7):
    areas.append({"number": str(a), "title": f"Area {a}: a significant weakness", "findings": [], "senior_responsible_officer": None, "outcomes": None, "objectives": []})
    for n in range(1, 11):
        actions.append({
            "number": f"{a}.{n}", "area": str(a), "objective": None, "description": f"Action {a}.{n}: improve a service",
            "leads": [], "lead_text": None, "partner_people": [], "partner_organisations": [], "partners_text": None, "resources": [],
            "evidence_of_success": None, "accountability_measures": None, "intended_outcome": None, "impact_measures": None,
            "start": None, "completion": "December 2025", "milestones": [], "depends_on": [],
            "updates": [{"date": "2025-11-01", "rating": random.choice(["RED", "AMBER", "GREEN"]), "narrative": "Progress", "author": None, "evidence_links": []}],
        })
for i in range(60):
    start = random.uniform(30, 60)
    values, level = [], start
    for month in months:
        level = min(100, max(0, level + random.uniform(-2, 2.6)))
        values.append({"period": month, "value": round(level, 1), "status": "final", "note": None, "recorded_at": None})
    measures.append({
        "name": f"Measure {i + 1:02d}: % of families who say things got better",
        "definition": "Benchmark measure", "unit": "percentage", "polarity": "higher", "frequency": "monthly",
        "baseline": {"date": "2021-01-01", "value": round(start, 1)},
        "targets": [{"date": "2023-06-30", "value": round(start + 10, 1)}, {"date": "2025-12-31", "value": round(min(100, start + 25), 1)}],
        "tolerance": 2, "owner": None, "source": "entered", "areas": [str(i % 6 + 1)], "actions": [f"{i % 6 + 1}.{i % 10 + 1}"],
        "values": values,
        "comparators": [{"series": "England", "period": m, "period_end": f"{m}-{month_end(m)}", "value": 50.0, "source": "bench"} for m in months],
    })
doc = {"format": "sendplan-plan", "version": 1, "source": "bench/make_measures.py", "partnership": {"name": "Dashboard benchmark area", "la_code": "E99999997"},
       "organisations": [], "people": [], "inspections": [], "plans": [{"key": "plan", "kind": "wsoa", "title": "Dashboard benchmark plan", "period_start": "January 2021",
       "period_end": "December 2025", "inspection": None, "status": "active", "stale_after_days": 42,
       "ratings": [{"label": l, "colour": c, "meaning": l, "class": k} for l, c, k in [("RED", "red", "off_track"), ("AMBER", "orange", "some_concerns"), ("GREEN", "green", "on_track"), ("BLUE", "blue", "complete")]],
       "areas": areas, "actions": actions, "measures": measures}]}
json.dump(doc, open(sys.argv[1], "w"))
