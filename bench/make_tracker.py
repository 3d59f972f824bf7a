#!/usr/bin/env python3
"""Writes the workbooks and Word document issue 14's benchmark reads (bench/tracker.sh):

- tracker.xlsx: 2,000 actions on 6 sheets (one per area), each sheet with a title row, a
  two-row header ("RAG" merged over 12 month columns, each with a commentary column),
  a banner row per objective, leads naming two people, and 12 dated RAG ratings per
  action as letters with fills: 24,000 dated updates.
- wsoa.docx: a Written Statement of Action of about 60 landscape pages: 6 area headings,
  each with a 9-column action table (header row repeated on every page) of multi-paragraph
  cells, as the councils publish them.

Needs openpyxl and python-docx (pip install openpyxl python-docx)."""
import random, sys
from openpyxl import Workbook
from openpyxl.styles import PatternFill

random.seed(14)
out = sys.argv[1] if len(sys.argv) > 1 else "."
fills = {"R": "FFFF0000", "A": "FFFFC000", "G": "FF00B050", "B": "FF0070C0"}
months = ["Jan 22", "Feb 22", "Mar 22", "Apr 22", "May 22", "Jun 22", "Jul 22", "Aug 22", "Sep 22", "Oct 22", "Nov 22", "Dec 22"]
names = ["Jane Smith", "Amir Khan", "Sarah Jones", "Helen Stephenson", "Ali Cole", "Jo Rolls", "Sam Craven", "Linda Saw"]

book = Workbook()
book.remove(book.active)
per_sheet = [334, 334, 333, 333, 333, 333]
for area, count in enumerate(per_sheet, start=1):
    sheet = book.create_sheet(f"Area {area}")
    sheet.append([f"SEND improvement tracker – area {area}"])
    sheet.append([])
    head = ["Ref", "Action", "Lead Officer", "End date"]
    sub = ["", "", "", ""]
    for month in months:
        head += ["RAG", "Commentary"]
        sub += [month, month]
    head += ["Risk"]
    sub += [""]
    sheet.append(head)
    sheet.append(sub)
    # "RAG" and "Commentary" over their month, as a group heading.
    for c in range(len(head)):
        if not sub[c]:
            sheet.merge_cells(start_row=3, start_column=c + 1, end_row=4, end_column=c + 1)
    objectives = 10
    for n in range(1, count + 1):
        objective = (n - 1) // (count // objectives + 1) + 1
        if (n - 1) % (count // objectives + 1) == 0:
            sheet.append([f"Objective {area}.{objective} Improve the offer for families"] * len(head))
            r = sheet.max_row
            sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(head))
        row = [f"{area}.{objective}.{n}", f"Develop and implement improvement {area}.{n} across the partnership so that families get support sooner",
               " and ".join(random.sample(names, 2)), "31/12/2022"]
        ratings = []
        for _ in months:
            rating = random.choice("RAGB")
            ratings.append(rating)
            row += [rating, random.choice(["", "On plan; partners engaged", "Delayed by recruitment"])]
        row += [random.choice(["Low", "Medium", "High"])]
        sheet.append(row)
        r = sheet.max_row
        for i, rating in enumerate(ratings):
            sheet.cell(row=r, column=5 + 2 * i).fill = PatternFill("solid", fgColor=fills[rating])
book.save(f"{out}/tracker.xlsx")

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Mm
from docx.oxml.ns import qn
from docx.oxml import OxmlElement

doc = Document()
section = doc.sections[0]
section.orientation = WD_ORIENT.LANDSCAPE
section.page_width, section.page_height = Mm(297), Mm(210)
doc.add_heading("Written Statement of Action", 0)
headers = ["Actions for implementation", "Lead Officer", "Evidence", "Accountability measures", "Intended outcome/Impact",
           "Resources (Additional – A) (Existing – E)", "Key Milestones", "Completion date", "Progress"]
for area in range(1, 7):
    doc.add_heading(f"Area for development {area}: Improve how the partnership identifies and meets need", 2)
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for c, text in enumerate(headers):
        table.rows[0].cells[c].text = text
    trPr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trPr.append(header)
    for n in range(1, 26):
        cells = table.add_row().cells
        cells[0].text = f"{area}.{n} Develop and implement an improvement across the partnership so that families get support sooner"
        cells[1].text = "Head of Service – Inclusion and Empowerment"
        cells[1].add_paragraph("Service Manager – SEND")
        cells[2].text = "Evidence of the change, gathered each quarter from families and settings"
        cells[3].text = "Improved outcomes for children at SEN Support"
        cells[4].text = "Families have improved confidence in the support available"
        cells[4].add_paragraph("Appropriate and timely referrals for EHC needs assessments")
        cells[5].text = "Current officer capacity (E)"
        for m in range(1, 5):
            cells[6].add_paragraph(f"Milestone {m} of {area}.{n} (Nov. 2022)")
        cells[7].text = "Feb 2023"
doc.save(f"{out}/wsoa.docx")
