#!/usr/bin/env python3
"""Markdown summary of `lsrlc noise ... --json` (read from stdin): one row per
form, one column per sigma, each cell the median over the trials with the
range [min, max] beside it. A null value (a NaN or infinite error) is shown
as "inf" and sorts above every number."""
import json
import math
import statistics
import sys

data = json.load(sys.stdin)
forms, sigmas, cells = [], [], {}
for row in data["rows"]:
    form = row["form"] or "-"
    if form not in forms:
        forms.append(form)
    if row["sigma"] not in sigmas:
        sigmas.append(row["sigma"])
    value = math.inf if row["value"] is None else row["value"]
    cells.setdefault((form, row["sigma"]), []).append(value)


def fmt(v):
    if math.isinf(v):
        return "inf"
    if data["measure"] == "wrong_tokens":
        return f"{v:g}"
    return "0" if v == 0 else f"{v:.1e}"


unit = f"wrong tokens of {data['out_of']}" if data["measure"] == "wrong_tokens" else "max error"
print(f"| form \\ sigma ({unit}) | " + " | ".join(f"{s:g}" for s in sigmas) + " |")
print("|---" * (len(sigmas) + 1) + "|")
for form in forms:
    out = []
    for s in sigmas:
        values = sorted(cells[(form, s)])
        median = statistics.median(values)
        out.append(f"{fmt(median)} [{fmt(values[0])}, {fmt(values[-1])}]")
    print(f"| {form} | " + " | ".join(out) + " |")
