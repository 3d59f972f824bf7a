#!/usr/bin/env python3
"""Writes a plan document with 2,000 actions (10 areas x 200), each with two milestones,
a lead written as plans write them and a completion date in one of the council forms,
for bench/import.sh."""
import json, random, sys

random.seed(7)
dates = ["Feb 2022", "Autumn Term 2022", "By Jan 2023", "Nov/Dec 2022", "Q3 2022/23", "Ongoing", "Sept. 2022", "Between October and December 2022"]
people = [{"key": f"p{i}", "name": f"Person {i}", "job_title": f"Head of Service {i}", "organisation": None, "short_code": f"Pe{i:02d}", "email": None, "to_review": False} for i in range(40)]
areas, actions = [], []
for a in range(1, 11):
    areas.append({"number": str(a), "title": f"Area {a}: a significant weakness", "findings": [], "senior_responsible_officer": None, "outcomes": None, "objectives": []})
    for n in range(1, 201):
        lead = random.choice(people)
        actions.append({
            "number": f"{a}.{n}", "area": str(a), "objective": None,
            "description": f"Action {a}.{n}: develop and implement an improvement across the partnership so that families get support sooner",
            "leads": [lead["key"]], "lead_text": f"{lead['short_code']} SEND GM", "partner_people": [], "partner_organisations": [], "partners_text": None,
            "resources": [{"kind": "existing", "description": "Current officer capacity (E)", "amount_pence": None}],
            "evidence_of_success": "Evidence", "accountability_measures": None, "intended_outcome": "Improved outcomes", "impact_measures": "KPI 40% -> 20%",
            "start": None, "completion": random.choice(dates),
            "milestones": [{"title": f"Milestone {m} of {a}.{n} (Nov. 22)", "due": "Nov. 22", "success_criteria": None, "done": None} for m in (1, 2)],
            "depends_on": [], "updates": [{"date": "2022-10-01", "rating": "GREEN", "narrative": "Progress narrative", "author": None, "evidence_links": []}],
        })
doc = {"format": "sendplan-plan", "version": 1, "source": "bench/make_plan.py", "partnership": {"name": "Benchmark area", "la_code": "E99999998"},
       "organisations": [], "people": people, "inspections": [], "plans": [{"key": "plan", "kind": "wsoa", "title": "Benchmark plan", "period_start": None,
       "period_end": None, "inspection": None, "status": "active", "stale_after_days": 42,
       "ratings": [{"label": l, "colour": c, "meaning": l, "class": k} for l, c, k in [("RED", "red", "off_track"), ("AMBER", "orange", "some_concerns"), ("GREEN", "green", "on_track"), ("BLUE", "blue", "complete")]],
       "areas": areas, "actions": actions}]}
json.dump(doc, open(sys.argv[1], "w"))
