#!/usr/bin/env python3
"""Joins small_sweep's output with reference.py's and prints the issue 10
figures: scheduled / proven vs CP-SAT, and median times.

    python3 dev/cpsat/compare.py SWEEP_OUTPUT CPSAT_OUTPUT
"""
import re, statistics, sys

ours = {}
for line in open(sys.argv[1]):
    m = re.match(r"seed (\d+): .*: (scheduled|proven|gave-up) in ([\d.]+) ms", line)
    if m:
        ours[int(m[1])] = (m[2], float(m[3]) / 1000)
ref = {}
for line in open(sys.argv[2]):
    p = line.split()
    if len(p) == 3 and p[0].isdigit():
        ref[int(p[0])] = (p[1], float(p[2]))
both = sorted(set(ours) & set(ref))
feas = [s for s in both if ref[s][0] == "feasible"]
inf = [s for s in both if ref[s][0] == "infeasible"]
unk = [s for s in both if ref[s][0] == "unknown"]
sched = [s for s in feas if ours[s][0] == "scheduled"]
prov = [s for s in inf if ours[s][0] == "proven"]
wrong = [s for s in both if (ours[s][0] == "scheduled" and ref[s][0] == "infeasible")
         or (ours[s][0] == "proven" and ref[s][0] == "feasible")]
print(f"systems: {len(both)}; CP-SAT feasible {len(feas)}, infeasible {len(inf)}, undecided {len(unk)}")
print(f"scheduled {len(sched)}/{len(feas)} = {100 * len(sched) / max(1, len(feas)):.1f} %")
print(f"proven    {len(prov)}/{len(inf)} = {100 * len(prov) / max(1, len(inf)):.1f} %")
print(f"contradictions: {wrong}")
print(f"missed feasible: {[s for s in feas if s not in sched]}")
print(f"missed infeasible: {[s for s in inf if s not in prov]}")
mo = statistics.median(ours[s][1] for s in both)
mr = statistics.median(ref[s][1] for s in both)
print(f"median time: seamless {mo * 1000:.1f} ms, CP-SAT {mr * 1000:.1f} ms (ratio {mo / mr:.3f})")
for s in unk:
    print(f"CP-SAT undecided on {s}: seamless {ours[s][0]}")
for verdict in ("feasible", "infeasible"):
    ss = [s for s in both if ref[s][0] == verdict]
    if ss:
        mo = statistics.median(ours[s][1] for s in ss)
        mr = statistics.median(ref[s][1] for s in ss)
        print(f"median time on CP-SAT-{verdict} ({len(ss)}): seamless {mo * 1000:.1f} ms, "
              f"CP-SAT {mr * 1000:.1f} ms (ratio {mo / mr:.3f})")
