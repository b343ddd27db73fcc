#!/bin/bash
# Compares two builds of `seamless` on generated systems that are not
# feasible by construction (docs/benchmarks.md, "Releasing the mode's own
# programs first"): for each seed, the migrations `check` plans (and the
# least possible) and how many schedules and transition plans it builds.
#
#   dev/compare/generated.sh OLD_BINARY NEW_BINARY [FIRST_SEED LAST_SEED]
#
# Systems: `seamless generate --programs 30 --modules 5 --messages 20
# --modes 3 --seed S` (written once under $TMPDIR/seamless-compare).
# `check` keeps its default 10 s time limit per plan: run it on an
# otherwise idle machine. Not part of the product or of CI.
set -euo pipefail
old=$1 new=$2 first=${3:-1} last=${4:-40}
dir=${TMPDIR:-/tmp}/seamless-compare
mkdir -p "$dir"
summary() {
  python3 -c '
import re, sys
t = sys.stdin.read()
mig = sum(int(x) for x in re.findall(r"migrations: (\d+) planned over", t))
plans = sum(int(x) for x in re.findall(r"(\d+) of \d+ transition plans", t))
ok = len(re.findall(r"^ok: ", t, re.M))
print(f"migrations {mig}, transition plans {plans}, systems with every transition planned {ok}")'
}
for bin in "$old" "$new"; do
  out=""
  for seed in $(seq "$first" "$last"); do
    d=$dir/g$seed
    [ -d "$d" ] || "$old" generate --programs 30 --modules 5 --messages 20 --modes 3 --seed "$seed" --out "$d" >/dev/null
    r=$("$bin" check "$d" 2>&1 || true)
    out+="$r"$'\n'
    echo "$bin seed $seed: $(echo "$r" | grep -o 'migrations: [0-9]* planned over.*least possible [0-9]*' | head -1) | $(echo "$r" | grep -E '^(ok|FAILED):' | tail -1)"
  done
  echo "$bin: $(echo "$out" | summary)"
done
