#!/usr/bin/env python3
"""Writes an ORUK 3.0 feed of N services shaped like a council's Local Offer, for the
Local Offer benchmark (bench/local-offer.sh): the 48 demonstration services
(fixtures/local_offer/wolverhampton-demo.json), each repeated with its own id, a
numbered name, a place moved within a few miles of Wolverhampton and its checked date
spread over the last year. Seeded, so every run writes the same feed.

Usage: bench/make_local_offer.py N OUT.json
"""
import copy, json, random, sys, uuid

n, out = int(sys.argv[1]), sys.argv[2]
demo = json.load(open("fixtures/local_offer/wolverhampton-demo.json"))["contents"]
rng = random.Random(16)
namespace = uuid.UUID("6f1c2d7e-4b1a-4c3e-9a55-0b0e5e1d1616")
services = []
for i in range(n):
    base = demo[i % len(demo)]
    s = copy.deepcopy(base)
    copy_no = i // len(demo)
    def new_id(old):
        return str(uuid.uuid5(namespace, f"{old}/{copy_no}"))
    s["id"] = new_id(base["id"])
    if copy_no:
        s["name"] = f"{base['name']} ({copy_no + 1})"
    s["assured_date"] = f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}"
    for sal in s.get("service_at_locations", []):
        sal["id"] = new_id(sal["id"])
        loc = sal["location"]
        loc["id"] = new_id(loc["id"])
        sal["location_id"] = loc["id"]
        if loc.get("latitude") is not None:
            loc["latitude"] = round(52.586 + rng.uniform(-0.06, 0.06), 5)
            loc["longitude"] = round(-2.129 + rng.uniform(-0.09, 0.09), 5)
        for part in loc.get("addresses", []) + loc.get("accessibility", []):
            part["id"] = new_id(part["id"])
    for key in ("schedules", "service_areas", "cost_options", "contacts", "languages"):
        for part in s.get(key, []):
            if "id" in part:
                part["id"] = new_id(part["id"])
    services.append(s)
page = {"total_items": n, "total_pages": 1, "page_number": 1, "size": n,
        "first_page": True, "last_page": True, "empty": n == 0, "contents": services}
json.dump(page, open(out, "w"))
