//! Cheap necessary conditions, checked before any search: when one fails,
//! no schedule exists, and the finding says why.
//!
//! - precedence cycles;
//! - memory: programs confined to a set of modules need more than it has
//!   (for every distinct allowed set);
//! - processor demand: over the whole frame, and over window intervals
//!   (demand-bound: jobs whose windows lie inside `[t1, t2)` need more than
//!   `cores × (t2 − t1)`), per allowed-module set and per pinned core; the
//!   interval scan is bounded by a work budget (a necessary test may skip
//!   intervals, never invent a failure);
//! - messages that cannot arrive in time even on an idle network, wherever
//!   their programs are placed;
//! - strictly periodic programs forced onto one core whose wcets add up to
//!   more than the gcd of their periods.

use crate::infeasible::{Capacity, Finding};
use crate::placement::longer_than_gap;
use crate::problem::{Problem, gcd};
use seamless_model::network::Hop;
use seamless_model::{ModeId, ModuleId, ProgramId, System, Ticks};
use std::collections::BTreeMap;

/// Steps of the demand-bound interval scan per mode.
const DBF_BUDGET: u64 = 4_000_000;

/// The necessary conditions that fail for `mode` (empty if none fails, which
/// does not prove a schedule exists). Deterministic.
pub fn necessary_conditions(system: &System, mode: ModeId) -> Vec<Finding> {
    if mode >= system.modes.len() {
        return Vec::new();
    }
    let p = Problem::new(system, mode);
    check(&p)
}

pub(crate) fn check(p: &Problem) -> Vec<Finding> {
    let mut out = Vec::new();
    cycles(p, &mut out);
    let sets = allowed_sets(p);
    memory(p, &sets, &mut out);
    strict_pairs(p, &mut out);
    gap_pairs(p, &mut out);
    demand(p, &sets, &mut out);
    messages(p, &mut out);
    out
}

/// Distinct allowed-module sets, each with the program slots confined to it
/// (allowed ⊆ set), in a deterministic order (by set).
fn allowed_sets(p: &Problem) -> Vec<(Vec<ModuleId>, Vec<u32>)> {
    let mut sets: Vec<Vec<ModuleId>> = p.progs.iter().map(|q| q.allowed.clone()).collect();
    sets.sort();
    sets.dedup();
    let words = p.sys.modules.len().div_ceil(64).max(1);
    let bits = |ms: &[ModuleId]| {
        let mut b = vec![0u64; words];
        for &m in ms {
            b[m / 64] |= 1 << (m % 64);
        }
        b
    };
    let prog_bits: Vec<Vec<u64>> = p.progs.iter().map(|q| bits(&q.allowed)).collect();
    sets.into_iter()
        .map(|set| {
            let sb = bits(&set);
            let members = (0..p.progs.len() as u32)
                .filter(|&s| {
                    prog_bits[s as usize]
                        .iter()
                        .zip(&sb)
                        .all(|(a, b)| a & !b == 0)
                })
                .collect();
            (set, members)
        })
        .collect()
}

fn cycles(p: &Problem, out: &mut Vec<Finding>) {
    if p.topo.is_some() {
        return;
    }
    // Kahn again to find the nodes left over, then walk predecessors inside
    // that set until a node repeats.
    let n = p.progs.len();
    let mut indeg = vec![0u32; n];
    let mut preds: Vec<Vec<(u32, u32)>> = vec![Vec::new(); n];
    let mut succ: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (ms, m) in p.msgs.iter().enumerate().filter(|(_, m)| m.precedence) {
        for &q in &m.receivers {
            succ[m.sender as usize].push(q);
            preds[q as usize].push((m.sender, ms as u32));
            indeg[q as usize] += 1;
        }
    }
    let mut stack: Vec<u32> = (0..n as u32).filter(|&s| indeg[s as usize] == 0).collect();
    let mut done = vec![false; n];
    while let Some(s) = stack.pop() {
        done[s as usize] = true;
        for &q in &succ[s as usize] {
            indeg[q as usize] -= 1;
            if indeg[q as usize] == 0 {
                stack.push(q);
            }
        }
    }
    let Some(start) = (0..n).find(|&s| !done[s]) else {
        return;
    };
    let mut seen = vec![usize::MAX; n];
    let mut path: Vec<(u32, u32)> = Vec::new(); // (node, message into the previous node)
    let mut cur = start as u32;
    loop {
        if seen[cur as usize] != usize::MAX {
            let from = seen[cur as usize];
            let cyc = &path[from..];
            let mut programs: Vec<usize> =
                cyc.iter().map(|&(s, _)| p.progs[s as usize].id).collect();
            programs.reverse();
            let mut messages: Vec<usize> =
                cyc.iter().map(|&(_, m)| p.msgs[m as usize].id).collect();
            messages.reverse();
            out.push(Finding::PrecedenceCycle { programs, messages });
            return;
        }
        let Some(&(prev, m)) = preds[cur as usize]
            .iter()
            .filter(|(s, _)| !done[*s as usize])
            .min()
        else {
            return;
        };
        seen[cur as usize] = path.len();
        path.push((cur, m));
        cur = prev;
    }
}

fn memory(p: &Problem, sets: &[(Vec<ModuleId>, Vec<u32>)], out: &mut Vec<Finding>) {
    for (set, members) in sets {
        let needed: u64 = members
            .iter()
            .map(|&s| p.progs[s as usize].memory)
            .fold(0, u64::saturating_add);
        let available: u64 = set
            .iter()
            .map(|&m| p.sys.modules[m].memory)
            .fold(0, u64::saturating_add);
        if needed > available {
            out.push(Finding::Memory {
                modules: set.clone(),
                programs: members.iter().map(|&s| p.progs[s as usize].id).collect(),
                needed,
                available,
            });
        }
    }
}

/// Program slots forced onto one core, by (module, core).
fn forced_cores(p: &Problem) -> BTreeMap<(ModuleId, u32), Vec<u32>> {
    let mut map: BTreeMap<(ModuleId, u32), Vec<u32>> = BTreeMap::new();
    for (s, q) in p.progs.iter().enumerate() {
        if q.allowed.len() != 1 {
            continue;
        }
        let m = q.allowed[0];
        let core = match q.pin_core {
            Some(c) => c,
            None if p.sys.modules[m].cores == 1 => 0,
            None => continue,
        };
        map.entry((m, core)).or_default().push(s as u32);
    }
    map
}

fn strict_pairs(p: &Problem, out: &mut Vec<Finding>) {
    for ((module, core), slots) in forced_cores(p) {
        let strict: Vec<u32> = slots
            .iter()
            .copied()
            .filter(|&s| {
                let q = &p.progs[s as usize];
                q.jitter == Some(0) && q.timing.period().is_some()
            })
            .collect();
        for (i, &a) in strict.iter().enumerate() {
            for &b in &strict[i + 1..] {
                let (pa, pb) = (&p.progs[a as usize], &p.progs[b as usize]);
                let (Some(ta), Some(tb)) = (pa.timing.period(), pb.timing.period()) else {
                    continue;
                };
                let g = gcd(ta, tb);
                let w = pa.wcet.saturating_add(pb.wcet);
                if w > g {
                    out.push(Finding::StrictlyPeriodicClash {
                        a: pa.id,
                        b: pb.id,
                        module,
                        core,
                        gcd: g,
                        wcets: w,
                    });
                }
            }
        }
    }
}

/// Pairs forced onto one core where a job of one is longer than every gap
/// the other's jobs can leave ([`Prog::gap`](crate::problem::Prog::gap)).
/// A strictly periodic pair already reported by [`strict_pairs`] is not
/// reported again.
fn gap_pairs(p: &Problem, out: &mut Vec<Finding>) {
    let reported: Vec<(ProgramId, ProgramId)> = out
        .iter()
        .filter_map(|f| match f {
            Finding::StrictlyPeriodicClash { a, b, .. } => Some((*a, *b)),
            _ => None,
        })
        .collect();
    for ((module, core), slots) in forced_cores(p) {
        for (i, &x) in slots.iter().enumerate() {
            for &y in &slots[i + 1..] {
                let (px, py) = (&p.progs[x as usize], &p.progs[y as usize]);
                if reported.contains(&(px.id, py.id)) || reported.contains(&(py.id, px.id)) {
                    continue;
                }
                let clash = if longer_than_gap(p, x, y) {
                    Some((px, py))
                } else if longer_than_gap(p, y, x) {
                    Some((py, px))
                } else {
                    None
                };
                if let Some((a, b)) = clash {
                    out.push(Finding::GapClash {
                        a: a.id,
                        b: b.id,
                        module,
                        core,
                        wcet: a.wcet,
                        gap: b.gap,
                    });
                }
            }
        }
    }
}

fn demand(p: &Problem, sets: &[(Vec<ModuleId>, Vec<u32>)], out: &mut Vec<Finding>) {
    let h = p.h;
    // groups: (capacity in cores, what, member slots)
    let mut groups: Vec<(u64, Capacity, Vec<u32>)> = Vec::new();
    for ((module, core), slots) in forced_cores(p) {
        groups.push((1, Capacity::Core { module, core }, slots));
    }
    for (set, members) in sets {
        let cores: u64 = set.iter().map(|&m| u64::from(p.sys.modules[m].cores)).sum();
        groups.push((cores, Capacity::Modules(set.clone()), members.clone()));
    }
    let mut failed = vec![false; groups.len()];
    // whole frame
    for (gi, (cap, on, members)) in groups.iter().enumerate() {
        let demand: u128 = members
            .iter()
            .map(|&s| u128::from(p.progs[s as usize].load))
            .sum();
        let capacity = u128::from(*cap) * u128::from(h);
        if demand > capacity {
            failed[gi] = true;
            out.push(Finding::Overload {
                on: on.clone(),
                programs: members.iter().map(|&s| p.progs[s as usize].id).collect(),
                from: 0,
                to: h,
                demand: u64::try_from(demand).unwrap_or(u64::MAX),
                capacity: u64::try_from(capacity).unwrap_or(u64::MAX),
            });
        }
    }
    // window intervals, smallest groups first, under one budget
    let mut order: Vec<usize> = (0..groups.len()).filter(|&g| !failed[g]).collect();
    let jobs_of = |members: &[u32]| -> u64 {
        members
            .iter()
            .map(|&s| u64::from(p.progs[s as usize].n))
            .sum()
    };
    order.sort_by_key(|&g| (jobs_of(&groups[g].2), g));
    let mut budget = DBF_BUDGET;
    for g in order {
        let (cap, on, members) = &groups[g];
        let n = jobs_of(members);
        if n > budget {
            break;
        }
        budget -= n;
        let mut jobs: Vec<(u64, u64, u64, u32)> = Vec::with_capacity(n as usize);
        let mut span = 0u64;
        for &s in members {
            let q = &p.progs[s as usize];
            span = span.max(q.timing.period().unwrap_or(h));
            for k in 0..q.n {
                let j = &p.jobs[p.job(s, k)];
                jobs.push((j.release, j.deadline, q.wcet, s));
            }
        }
        if let Some((t1, t2, dem)) = dbf(&mut jobs, *cap, span, &mut budget) {
            let mut programs: Vec<usize> = jobs
                .iter()
                .filter(|j| j.0 >= t1 && j.1 <= t2)
                .map(|j| p.progs[j.3 as usize].id)
                .collect();
            programs.sort_unstable();
            programs.dedup();
            out.push(Finding::Overload {
                on: on.clone(),
                programs,
                from: t1,
                to: t2,
                demand: dem,
                capacity: cap.saturating_mul(t2 - t1),
            });
        }
        if budget == 0 {
            break;
        }
    }
}

/// Finds `t1 < t2` (a release and a deadline, `t2 − t1 ≤ span`) where the
/// jobs inside `[t1, t2]` need more than `cap · (t2 − t1)`.
fn dbf(
    jobs: &mut [(u64, u64, u64, u32)],
    cap: u64,
    span: u64,
    budget: &mut u64,
) -> Option<(u64, u64, u64)> {
    jobs.sort_unstable_by_key(|j| (j.1, j.0));
    let mut releases: Vec<u64> = jobs.iter().map(|j| j.0).collect();
    releases.sort_unstable();
    releases.dedup();
    for &t1 in &releases {
        let from = jobs.partition_point(|j| j.1 <= t1);
        let mut dem: u64 = 0;
        for j in &jobs[from..] {
            if j.1 - t1 > span {
                break;
            }
            if *budget == 0 {
                return None;
            }
            *budget -= 1;
            if j.0 >= t1 {
                dem = dem.saturating_add(j.2);
                if u128::from(dem) > u128::from(cap) * u128::from(j.1 - t1) {
                    // include every job with the same deadline
                    let t2 = j.1;
                    let total: u64 = jobs
                        .iter()
                        .filter(|x| x.0 >= t1 && x.1 <= t2)
                        .map(|x| x.2)
                        .sum();
                    return Some((t1, t2, total));
                }
            }
        }
    }
    None
}

fn messages(p: &Problem, out: &mut Vec<Finding>) {
    let net = &p.sys.network;
    let mut routes: BTreeMap<(ModuleId, ModuleId), Vec<Hop>> = BTreeMap::new();
    for m in &p.msgs {
        let s = &p.progs[m.sender as usize];
        let sj = &p.jobs[p.job(m.sender, 0)];
        let w = m.timing.instance_window(0);
        let s_end_min = sj.release.saturating_add(s.wcet);
        for &q in &m.receivers {
            let r = &p.progs[q as usize];
            if m.n == 0 || s.n == 0 || r.n == 0 {
                continue;
            }
            let rj = &p.jobs[p.job(q, 0)];
            let r_start_max = rj.deadline - r.wcet;
            let (dep, arr) = if m.precedence {
                (w.start.max(s_end_min), w.end.min(r_start_max))
            } else {
                (w.start, w.end)
            };
            let available = arr as i64 - dep as i64;
            let local_ok = !m.precedence || s_end_min <= r_start_max;
            let common = s.allowed.iter().any(|a| r.allowed.binary_search(a).is_ok());
            if common && local_ok {
                continue;
            }
            if !local_ok {
                out.push(Finding::MessageTooSlow {
                    message: m.id,
                    receiver: r.id,
                    precedence: true,
                    needed: 0,
                    available: r_start_max as i64 - s_end_min as i64,
                    route: None,
                });
                continue;
            }
            let mut best: Option<(Ticks, ModuleId, ModuleId)> = None;
            for &a in &s.allowed {
                for &b in &r.allowed {
                    if a == b || !net.connected(a, b) {
                        continue;
                    }
                    let hops = routes.entry((a, b)).or_insert_with(|| net.route(a, b));
                    let path = hops.iter().fold(0u64, |acc, h| {
                        acc.saturating_add(p.sys.tx_time(h.link, m.size))
                            .saturating_add(net.links[h.link].latency)
                    });
                    if best.is_none_or(|(bp, _, _)| path < bp) {
                        best = Some((path, a, b));
                    }
                }
            }
            if let Some((path, a, b)) = best
                && (available < 0 || path > available as u64)
            {
                out.push(Finding::MessageTooSlow {
                    message: m.id,
                    receiver: r.id,
                    precedence: m.precedence,
                    needed: path,
                    available,
                    route: Some((a, b)),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demand_bound_intervals() {
        let mut budget = 1_000;
        // two 2-tick jobs inside [0, 3] on one core: 4 > 3
        let mut jobs = vec![(0, 3, 2, 0), (0, 3, 2, 1), (5, 20, 3, 2)];
        assert_eq!(dbf(&mut jobs, 1, 100, &mut budget), Some((0, 3, 4)));
        // two cores: 4 ≤ 6
        let mut jobs = vec![(0, 3, 2, 0), (0, 3, 2, 1)];
        assert_eq!(dbf(&mut jobs, 2, 100, &mut budget), None);
        // an interval not starting at 0: [10, 14] holds 5
        let mut jobs = vec![(0, 100, 1, 0), (10, 14, 3, 1), (11, 14, 2, 2)];
        assert_eq!(dbf(&mut jobs, 1, 100, &mut budget), Some((10, 14, 5)));
        // the budget bounds the scan: nothing is claimed once it is spent
        let mut none = 0;
        let mut jobs = vec![(0, 3, 2, 0), (0, 3, 2, 1)];
        assert_eq!(dbf(&mut jobs, 1, 100, &mut none), None);
    }
}
