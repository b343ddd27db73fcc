#!/usr/bin/env python3
"""Exact reference for the small sweep (issue 10): a CP-SAT model of one
mode's schedule rules (docs/format.md §9), read from the JSON that
`cargo run --release -p seamless-exact --example small_sweep -- N --dump DIR`
writes. Development only: the product never depends on it.

    pip install ortools
    python3 dev/cpsat/reference.py DIR [TIME_LIMIT_S]

Model: placement booleans per (program, core option); a start per job with
an optional interval per option and NoOverlap per core; memory per module;
jitter as offset bounds (omin <= s_k - kT <= omax, omax - omin <= J);
message hops per instance and link direction as optional intervals with
NoOverlap per direction, present when the route from the sender's module
to some receiver's module uses that direction; hop chaining with latency,
window, and precedence (sender's end -> first hop; arrival -> receiver's
start; same module: sender's end -> receiver's start). One worker.
Prints one line per system: seed, status, seconds.
"""
import json, os, sys, time
from ortools.sat.python import cp_model


def solve(d, limit):
    H = d["H"]
    mods = d["modules"]
    progs = d["programs"]
    msgs = d["messages"]
    m = cp_model.CpModel()
    core_iv = {}
    mem_terms = {i: [] for i in range(len(mods))}
    on_mod = []  # per program: module -> bool var
    starts = []
    for pi, p in enumerate(progs):
        xs = {}
        for (md, c) in p["options"]:
            xs[(md, c)] = m.NewBoolVar("")
        m.AddExactlyOne(xs.values())
        om = {}
        for md in range(len(mods)):
            lits = [v for (mm, c), v in xs.items() if mm == md]
            b = m.NewBoolVar("")
            if lits:
                m.Add(sum(lits) == b)
            else:
                m.Add(b == 0)
            om[md] = b
            mem_terms[md].append(p["memory"] * b)
        on_mod.append(om)
        c = p["wcet"]
        ss = []
        for (r, dl) in p["jobs"]:
            s = m.NewIntVar(r, dl - c, "")
            ss.append(s)
            for (md, cc), x in xs.items():
                iv = m.NewOptionalFixedSizeIntervalVar(s, c, x, "")
                core_iv.setdefault((md, cc), []).append(iv)
        starts.append(ss)
        J = p["jitter"]
        T = p["period"]
        if J is not None and len(ss) > 1:
            lo = min(r for r, _ in p["jobs"]) - 0
            omin = m.NewIntVar(-H, H, "")
            omax = m.NewIntVar(-H, H, "")
            for k, s in enumerate(ss):
                m.Add(s - k * T >= omin)
                m.Add(s - k * T <= omax)
            m.Add(omax - omin <= J)
    for ivs in core_iv.values():
        m.AddNoOverlap(ivs)
    for md, terms in mem_terms.items():
        m.Add(sum(terms) <= mods[md]["memory"])
    dir_iv = {}
    nm = len(mods)
    for mi, g in enumerate(msgs):
        snd = g["sender"]
        rcv = g["receivers"]
        routes = {tuple(map(int, k.split(","))): v for k, v in g["routes"].items()}
        cs = progs[snd]["wcet"]
        # pair[a][b] = sender on a and some receiver on b (a != b)
        pair = {}
        for a in range(nm):
            for b in range(nm):
                if a == b:
                    continue
                any_r = m.NewBoolVar("")
                m.AddMaxEquality(any_r, [on_mod[q][b] for q in rcv])
                z = m.NewBoolVar("")
                m.AddMultiplicationEquality(z, [on_mod[snd][a], any_r])
                pair[(a, b)] = z
        for k, (r, dl) in enumerate(g["insts"]):
            prec = g["precedence"] and k < len(starts[snd])
            hop = {}  # dir -> (start var, presence, tx)
            users = {}
            for (a, b), z in pair.items():
                for (dd, tx, lat) in routes[(a, b)]:
                    users.setdefault(dd, []).append(z)
            for dd, zs in users.items():
                tx = None
                for (a, b) in pair:
                    for (d2, t2, _) in routes[(a, b)]:
                        if d2 == dd:
                            tx = t2
                pres = m.NewBoolVar("")
                m.AddMaxEquality(pres, zs)
                t = m.NewIntVar(0, H - tx, "")
                iv = m.NewOptionalFixedSizeIntervalVar(t, tx, pres, "")
                dir_iv.setdefault(dd, []).append(iv)
                hop[dd] = t
            for (a, b), z in pair.items():
                rt = routes[(a, b)]
                d0 = rt[0][0]
                m.Add(hop[d0] >= r).OnlyEnforceIf(z)
                if prec:
                    m.Add(hop[d0] >= starts[snd][k] + cs).OnlyEnforceIf(z)
                for (h1, h2) in zip(rt, rt[1:]):
                    m.Add(hop[h2[0]] >= hop[h1[0]] + h1[1] + h1[2]).OnlyEnforceIf(z)
                dl_, tl, ll = rt[-1]
                m.Add(hop[dl_] + tl + ll <= dl).OnlyEnforceIf(z)
                if prec:
                    for q in rcv:
                        if k < len(starts[q]):
                            both = m.NewBoolVar("")
                            m.AddMultiplicationEquality(both, [on_mod[snd][a], on_mod[q][b]])
                            m.Add(starts[q][k] >= hop[dl_] + tl + ll).OnlyEnforceIf(both)
            if prec:
                for q in rcv:
                    if k < len(starts[q]):
                        for a in range(nm):
                            same = m.NewBoolVar("")
                            m.AddMultiplicationEquality(same, [on_mod[snd][a], on_mod[q][a]])
                            m.Add(starts[q][k] >= starts[snd][k] + cs).OnlyEnforceIf(same)
    for ivs in dir_iv.values():
        m.AddNoOverlap(ivs)
    s = cp_model.CpSolver()
    s.parameters.num_workers = 1
    s.parameters.max_time_in_seconds = limit
    t = time.perf_counter()
    st = s.Solve(m)
    el = time.perf_counter() - t
    name = {cp_model.OPTIMAL: "feasible", cp_model.FEASIBLE: "feasible",
            cp_model.INFEASIBLE: "infeasible"}.get(st, "unknown")
    return name, el


def main():
    d = sys.argv[1]
    limit = float(sys.argv[2]) if len(sys.argv) > 2 else 30.0
    files = sorted((f for f in os.listdir(d) if f.endswith(".json")), key=lambda f: int(f[:-5]))
    for f in files:
        with open(os.path.join(d, f)) as fh:
            data = json.load(fh)
        st, el = solve(data, limit)
        print(f"{f[:-5]} {st} {el:.3f}", flush=True)


if __name__ == "__main__":
    main()
