//! Stay gaps: a program that keeps its module across a mode switch is
//! unavailable from its last completion in the old table to its first in
//! the new one. The planner switches at a frame boundary `S` of the old mode
//! and starts the new table at `S + φ`, `φ ≥ 0` (docs/format.md §10), so
//! the gap is at least `(H_A − last end in A) + first end in B`, reached
//! with `φ = 0`. Tables whose gap exceeds the program's
//! `max_unavailability` make the transition unplannable although the
//! program does not move; this module finds those gaps and asks the
//! synthesizer for tables that keep them, with the placement held.

use crate::run::schedule_modules;
use seamless_model::schedule::Schedule;
use seamless_model::{ModeId, ProgramId, System, Ticks};
use seamless_synth::synthesize_mode_holding;
use seamless_synth::{EndBounds, Held, Infeasible, Options, PlacementHint};
use std::collections::BTreeMap;

/// A program that stays on its module across `from → to` with a gap above
/// its bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StayGap {
    /// The old mode.
    pub from: ModeId,
    /// The new mode.
    pub to: ModeId,
    /// The program.
    pub program: ProgramId,
    /// The least gap the two tables allow (ticks).
    pub gap: Ticks,
    /// Its `max_unavailability`.
    pub bound: Ticks,
}

/// Per program: (first job's end, last job's end) in a table.
fn ends(system: &System, s: &Schedule) -> BTreeMap<ProgramId, (Ticks, Ticks)> {
    let mut out: BTreeMap<ProgramId, (Ticks, Ticks)> = BTreeMap::new();
    // a program's jobs are usually consecutive: its name resolved once
    let mut last: Option<(&str, Option<ProgramId>)> = None;
    for j in &s.jobs {
        let id = match last {
            Some((name, id)) if name == j.program => id,
            _ => system.program_by_name(&j.program),
        };
        last = Some((&j.program, id));
        let Some(p) = id else {
            continue;
        };
        let e = out.entry(p).or_insert((j.end, j.end));
        e.0 = e.0.min(j.end);
        e.1 = e.1.max(j.end);
    }
    out
}

/// Every stay gap above its bound over the allowed transitions between two
/// scheduled modes, in `System::transitions` order then by program.
pub fn stay_gaps(system: &System, modes: &[Result<Schedule, Infeasible>]) -> Vec<StayGap> {
    let mut out = Vec::new();
    for &(a, b) in &system.transitions {
        let (Some(Ok(sa)), Some(Ok(sb))) = (modes.get(a), modes.get(b)) else {
            continue;
        };
        let (ma, mb) = (schedule_modules(system, sa), schedule_modules(system, sb));
        let (ea, eb) = (ends(system, sa), ends(system, sb));
        for (&p, &x) in &ma {
            let Some(bound) = system.programs[p].max_unavailability else {
                continue;
            };
            if mb.get(&p) != Some(&x) {
                continue;
            }
            let (Some(&(_, last_a)), Some(&(first_b, _))) = (ea.get(&p), eb.get(&p)) else {
                continue;
            };
            let gap = sa
                .major_frame
                .saturating_sub(last_a)
                .saturating_add(first_b);
            if gap > bound {
                out.push(StayGap {
                    from: a,
                    to: b,
                    program: p,
                    gap,
                    bound,
                });
            }
        }
    }
    out
}

/// Bounds on the ends of the staying programs' first and last jobs in
/// `mode` that keep every stay gap with its neighbours' current tables
/// within the bound (programs on the same module in both tables).
fn end_bounds(
    system: &System,
    mode: ModeId,
    modes: &[Result<Schedule, Infeasible>],
) -> BTreeMap<ProgramId, EndBounds> {
    let mut out: BTreeMap<ProgramId, EndBounds> = BTreeMap::new();
    let Some(Ok(me)) = modes.get(mode) else {
        return out;
    };
    let here = schedule_modules(system, me);
    let h = me.major_frame;
    for &(a, b) in &system.transitions {
        let other = if b == mode {
            a
        } else if a == mode {
            b
        } else {
            continue;
        };
        if other == mode {
            continue;
        }
        let Some(Ok(so)) = modes.get(other) else {
            continue;
        };
        let there = schedule_modules(system, so);
        let eo = ends(system, so);
        for (&p, &x) in &here {
            let Some(u) = system.programs[p].max_unavailability else {
                continue;
            };
            if there.get(&p) != Some(&x) {
                continue;
            }
            let Some(&(first_o, last_o)) = eo.get(&p) else {
                continue;
            };
            let e = out.entry(p).or_default();
            if b == mode {
                // other → mode: (H_other − last_other) + first_here ≤ u
                let by = u.saturating_sub(so.major_frame.saturating_sub(last_o));
                e.first_by = Some(e.first_by.map_or(by, |v| v.min(by)));
            } else {
                // mode → other: (h − last_here) + first_other ≤ u
                let from = h.saturating_sub(u.saturating_sub(first_o));
                e.last_from = Some(e.last_from.map_or(from, |v| v.max(from)));
            }
        }
    }
    out
}

/// (gaps above their bound, their total excess): what the repair lowers.
fn score(system: &System, modes: &[Result<Schedule, Infeasible>]) -> (usize, u64) {
    let g = stay_gaps(system, modes);
    let excess = g
        .iter()
        .map(|x| x.gap - x.bound)
        .fold(0u64, u64::saturating_add);
    (g.len(), excess)
}

/// Attempts per mode in one repair round (bounds of the programs a failure
/// names let go after each, programs whose gap a new table breaks added).
const LET_GO: u32 = 4;

/// Re-synthesizes modes so that programs that stay on their module keep
/// their stay gaps: each mode named by a gap above its bound (the new mode
/// of the transition first, then the old one) is synthesized again with its
/// placement held and the ends of its staying programs' first and last jobs
/// bounded by its neighbours' tables; a new table is kept only when it
/// leaves fewer gaps above their bounds, or as many with less excess in
/// total. At most `rounds` rounds; returns the syntheses run.
/// Deterministic.
pub(crate) fn repair(
    system: &System,
    modes: &mut [Result<Schedule, Infeasible>],
    opts: &Options,
    rounds: u32,
) -> u32 {
    let mut tried = 0;
    for _ in 0..rounds {
        let gaps = stay_gaps(system, modes);
        if gaps.is_empty() {
            break;
        }
        let mut order: Vec<ModeId> = gaps.iter().map(|g| g.to).collect();
        order.extend(gaps.iter().map(|g| g.from));
        let mut seen = Vec::new();
        order.retain(|m| {
            let new = !seen.contains(m);
            seen.push(*m);
            new
        });
        let mut better = false;
        for mode in order {
            let before = score(system, modes);
            if before.0 == 0 {
                break;
            }
            let Ok(current) = &modes[mode] else {
                continue;
            };
            // only the programs whose gap is too long on a switch of this
            // mode are bounded; those a failure names are let go
            let mut wanted: Vec<ProgramId> = stay_gaps(system, modes)
                .iter()
                .filter(|g| g.from == mode || g.to == mode)
                .map(|g| g.program)
                .collect();
            wanted.sort_unstable();
            wanted.dedup();
            let all = end_bounds(system, mode, modes);
            let modules = schedule_modules(system, current);
            let hint = PlacementHint::from_schedule(system, current);
            // bounded: the programs with a gap too long; a failure's named
            // programs are let go, programs whose gap a new table breaks
            // join
            for _ in 0..LET_GO {
                let held = Held {
                    modules: modules.clone(),
                    ends: all
                        .iter()
                        .filter(|(p, _)| wanted.binary_search(p).is_ok())
                        .map(|(&p, &e)| (p, e))
                        .collect(),
                };
                if held.ends.is_empty() {
                    break;
                }
                tried += 1;
                match crate::trace::span(
                    |r| {
                        format!(
                            "mode {mode}: gap repair, {} ends -> {}",
                            held.ends.len(),
                            crate::trace::verdict(r)
                        )
                    },
                    || synthesize_mode_holding(system, mode, &hint, &held, opts),
                ) {
                    Err(why) => {
                        let (named, _) = crate::run::named(system, &why);
                        let n = wanted.len();
                        wanted.retain(|p| named.binary_search(p).is_err());
                        if wanted.len() == n {
                            break;
                        }
                    }
                    Ok(s) => {
                        let old = std::mem::replace(&mut modes[mode], Ok(s));
                        if score(system, modes) < before {
                            better = true;
                            break;
                        }
                        let n = wanted.len();
                        wanted.extend(
                            stay_gaps(system, modes)
                                .iter()
                                .filter(|g| g.from == mode || g.to == mode)
                                .map(|g| g.program),
                        );
                        wanted.sort_unstable();
                        wanted.dedup();
                        modes[mode] = old;
                        if wanted.len() == n {
                            break;
                        }
                    }
                }
            }
        }
        if !better {
            break;
        }
    }
    tried
}
