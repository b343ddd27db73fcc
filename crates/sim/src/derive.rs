//! The trace → a plan built from what ran, and the direct comparison of the
//! trace with the plan.

use std::collections::{BTreeMap, BTreeSet};

use seamless_model::System;
use seamless_model::plan::{
    Action, Extended, JobRef, Metrics, Migration, Plan, ProgramOutcome, Scheme, Slot, Transfer,
};
use seamless_model::schedule::{HopEntry, Schedule};

use crate::{Mismatch, Side, Trace, What};

/// A schedule's jobs of one program, by index within the frame.
fn jobs_of<'s>(s: &'s Schedule, program: &str) -> Vec<&'s seamless_model::schedule::JobEntry> {
    let mut v: Vec<_> = s.jobs.iter().filter(|j| j.program == program).collect();
    v.sort_by_key(|j| j.index);
    v
}

fn placement<'s>(
    s: &'s Schedule,
    program: &str,
) -> Option<&'s seamless_model::schedule::Placement> {
    s.placement.iter().find(|p| p.program == program)
}

/// The trace's switch point and new-table start (the earliest any module
/// reported; the comparison flags modules that disagree).
fn instants(trace: &Trace, plan: &Plan) -> (u64, u64) {
    let s = trace.modules.iter().filter_map(|m| m.switch).min();
    let bs = trace.modules.iter().filter_map(|m| m.b_start).min();
    (s.unwrap_or(plan.switch), bs.unwrap_or(plan.b_start))
}

/// Extensions the trace shows: new-table jobs that ran longer than their
/// window in `b`.
fn extensions(trace: &Trace, b: &Schedule) -> Vec<Extended> {
    let mut out = Vec::new();
    for j in trace.jobs.iter().filter(|j| j.side == Side::New) {
        let jobs = jobs_of(b, &j.program);
        let n = jobs.len() as u64;
        if n == 0 {
            continue;
        }
        let Some(w) = jobs.get((j.index % n) as usize) else {
            continue;
        };
        let wcet = w.end.saturating_sub(w.start);
        let ran = j.end.saturating_sub(j.start);
        if ran > wcet {
            out.push(Extended {
                program: j.program.clone(),
                index: j.index,
                extra: ran - wcet,
            });
        }
    }
    out.sort_by(|x, y| (&x.program, x.index).cmp(&(&y.program, y.index)));
    out
}

/// Builds a [`Plan`] from what the trace shows: the switch point and the new
/// table's start the modules reported, the chunks as the network delivered
/// them, the skipped and extended jobs as dispatched, each migration's
/// suspension (end of its last old job), resume (start of its first new
/// job), eviction (end of the last hop leaving the source), bytes, times and
/// degradation, every program's unavailability over the executed jobs, and
/// the metrics computed from those. Taken from the plan because the tables
/// do not carry them: the request instant (the simulation issues it), each
/// migration's scheme and intermediary, and the chunks' phase labels (from
/// the plan's chunk each delivered chunk matched; `unmatched` otherwise).
/// `from_schedule` and `to_schedule` are `a` and `b` (the comparison checks
/// that every job ran as they say).
pub fn derive_plan(
    system: &System,
    trace: &Trace,
    a: &Schedule,
    b: &Schedule,
    plan: &Plan,
) -> Plan {
    let (s, bs) = instants(trace, plan);
    let r = trace.request;
    let ha = a.major_frame.max(1);
    let hb = b.major_frame.max(1);

    let transfers: Vec<Transfer> = trace
        .chunks
        .iter()
        .map(|c| Transfer {
            program: c.program.clone(),
            phase: c.phase.clone().unwrap_or_else(|| "unmatched".into()),
            bytes: c.bytes,
            hops: c.hops.clone(),
        })
        .collect();
    let mut skipped: Vec<JobRef> = trace
        .skipped
        .iter()
        .map(|k| JobRef {
            program: k.program.clone(),
            index: k.index,
        })
        .collect();
    skipped.sort();
    skipped.dedup();
    let extended = extensions(trace, b);

    // First completion of each new-table program.
    let mut first_b: BTreeMap<&str, u64> = BTreeMap::new();
    for j in trace.jobs.iter().filter(|j| j.side == Side::New) {
        let e = first_b.entry(j.program.as_str()).or_insert(j.end);
        *e = (*e).min(j.end);
    }

    let mut migrations = Vec::new();
    let mut complete = bs;
    for pa in &a.placement {
        let Some(pb) = placement(b, &pa.program) else {
            continue;
        };
        if pa.module == pb.module {
            continue;
        }
        let p = pa.program.as_str();
        let pm = plan.migrations.iter().find(|m| m.program == p);
        // The last old job before `S`: one the trace ran, or (when `S` is
        // 0) the last of the frame before the simulation, from the table.
        let suspension: i128 = trace
            .jobs
            .iter()
            .filter(|j| j.side == Side::Old && j.program == p && j.end <= s)
            .map(|j| i128::from(j.end))
            .chain(
                jobs_of(a, p)
                    .iter()
                    .map(|j| i128::from(j.end) - i128::from(ha)),
            )
            .max()
            .unwrap_or(i128::from(s));
        let resume = trace
            .jobs
            .iter()
            .filter(|j| j.side == Side::New && j.program == p && j.module == pb.module)
            .map(|j| j.start)
            .min()
            .unwrap_or(trace.horizon);
        let legs: Vec<_> = trace.chunks.iter().filter(|c| c.program == p).collect();
        let from_source: Vec<_> = legs.iter().filter(|c| c.sender == pa.module).collect();
        let eviction = from_source
            .iter()
            .filter_map(|c| {
                c.hops
                    .iter()
                    .filter(|h| h.from == pa.module)
                    .map(|h| h.end)
                    .max()
            })
            .max()
            .unwrap_or_else(|| u64::try_from(suspension).unwrap_or(0));
        let bytes: u64 = from_source.iter().map(|c| c.bytes).sum();
        let first_dep = legs
            .iter()
            .filter_map(|c| c.hops.first())
            .map(|h| h.start)
            .min();
        let last_arr = legs
            .iter()
            .filter(|c| c.target == pb.module)
            .filter_map(|c| c.arrival)
            .max();
        let via = from_source
            .iter()
            .map(|c| c.target.clone())
            .find(|t| *t != pb.module);
        let degradation: u64 = extended
            .iter()
            .filter(|e| e.program == p)
            .map(|e| e.extra)
            .sum();
        if let Some(x) = last_arr {
            complete = complete.max(x);
        }
        migrations.push(Migration {
            program: p.to_string(),
            from: Slot {
                module: pa.module.clone(),
                core: pa.core,
            },
            to: Slot {
                module: pb.module.clone(),
                core: pb.core,
            },
            scheme: pm.map_or(
                if via.is_some() {
                    Scheme::ScatterGather
                } else {
                    Scheme::StopAndCopy
                },
                |m| m.scheme,
            ),
            via,
            resume,
            eviction,
            total_time: match (first_dep, last_arr) {
                (Some(d), Some(x)) => x.saturating_sub(d),
                _ => 0,
            },
            downtime: u64::try_from(i128::from(resume) - suspension).unwrap_or(0),
            bytes,
            degradation,
        });
    }
    for e in &extended {
        if let Some(j) = trace
            .jobs
            .iter()
            .find(|j| j.side == Side::New && j.program == e.program && j.index == e.index)
        {
            complete = complete.max(j.end);
        }
    }
    for pb in &b.placement {
        if let Some(&e) = first_b.get(pb.program.as_str()) {
            complete = complete.max(e);
        }
    }

    // Programs of either mode.
    let mut names: BTreeSet<&str> = a.placement.iter().map(|p| p.program.as_str()).collect();
    names.extend(b.placement.iter().map(|p| p.program.as_str()));
    let mut programs = Vec::new();
    for p in names {
        let pa = placement(a, p);
        let pb = placement(b, p);
        let action = match (pa, pb) {
            (Some(x), Some(y)) if x.module == y.module => Action::Continue,
            (Some(_), Some(_)) => Action::Migrate,
            (Some(_), None) => Action::Stop,
            _ => Action::Start,
        };
        let (unavailability, bound) = if pa.is_some() && pb.is_some() {
            let bound = system
                .program_by_name(p)
                .and_then(|id| system.programs[id].max_unavailability);
            (unavailability(trace, a, p, r, s, ha, hb), bound)
        } else {
            (None, None)
        };
        programs.push(ProgramOutcome {
            program: p.to_string(),
            action,
            unavailability,
            bound,
        });
    }

    let metrics = Metrics {
        transition_latency: complete.saturating_sub(r),
        eviction_time: migrations
            .iter()
            .map(|m| m.eviction)
            .max()
            .map_or(0, |e| e.saturating_sub(r)),
        total_migration_time: {
            let dep = trace
                .chunks
                .iter()
                .filter_map(|c| c.hops.first())
                .map(|h| h.start)
                .min();
            let arr = migrations
                .iter()
                .filter_map(|m| {
                    trace
                        .chunks
                        .iter()
                        .filter(|c| c.program == m.program && c.target == m.to.module)
                        .filter_map(|c| c.arrival)
                        .max()
                })
                .max();
            match (dep, arr) {
                (Some(d), Some(x)) => x.saturating_sub(d),
                _ => 0,
            }
        },
        max_downtime: migrations.iter().map(|m| m.downtime).max().unwrap_or(0),
        bytes: migrations.iter().map(|m| m.bytes).sum(),
        degradation: migrations.iter().map(|m| m.degradation).sum(),
    };

    Plan {
        from: trace.from.clone(),
        to: trace.to.clone(),
        tick: trace.tick.clone(),
        request: r,
        switch: s,
        b_start: bs,
        complete,
        migrations,
        transfers,
        skipped,
        extended,
        programs,
        metrics,
        from_schedule: a.clone(),
        to_schedule: b.clone(),
    }
}

/// The longest gap between consecutive completions of `p` on the merged
/// timeline (§7): the old table's completions from `r − H_A` (those before
/// 0 from the table, the frame before the simulation), the ones the trace
/// ran before `S`, then its new jobs as run up to its first new completion
/// plus `H_B`.
fn unavailability(
    trace: &Trace,
    a: &Schedule,
    p: &str,
    r: u64,
    s: u64,
    ha: u64,
    hb: u64,
) -> Option<u64> {
    let lo = i128::from(r) - i128::from(ha);
    let mut ends: Vec<i128> = jobs_of(a, p)
        .iter()
        .map(|j| i128::from(j.end) - i128::from(ha))
        .filter(|&e| e >= lo)
        .collect();
    ends.extend(
        trace
            .jobs
            .iter()
            .filter(|j| j.side == Side::Old && j.program == p && j.end <= s)
            .map(|j| i128::from(j.end)),
    );
    let new: Vec<u64> = trace
        .jobs
        .iter()
        .filter(|j| j.side == Side::New && j.program == p)
        .map(|j| j.end)
        .collect();
    if let Some(&first) = new.iter().min() {
        let limit = first.saturating_add(hb);
        ends.extend(new.iter().filter(|&&e| e <= limit).map(|&e| i128::from(e)));
    }
    ends.sort_unstable();
    ends.windows(2)
        .map(|w| w[1] - w[0])
        .max()
        .and_then(|g| u64::try_from(g).ok())
}

type JobAt = (String, u16, u64, u64);

/// How many ticks earlier than the plan's `S` every module switched, when
/// they agree on it and it is a whole number of old frames.
pub(crate) fn shift_of(trace: &Trace, a: &Schedule, plan: &Plan) -> Option<u64> {
    let s = trace.modules.first()?.switch?;
    if trace.modules.iter().any(|m| m.switch != Some(s)) || s > plan.switch {
        return None;
    }
    let d = plan.switch - s;
    (a.major_frame > 0 && d.is_multiple_of(a.major_frame)).then_some(d)
}

/// `plan` with every instant from `S` on moved `d` ticks earlier (the
/// request stays).
pub fn shift_plan(plan: &Plan, d: u64) -> Plan {
    let mut p = plan.clone();
    p.switch -= d.min(p.switch);
    p.b_start -= d.min(p.b_start);
    p.complete -= d.min(p.complete);
    for m in &mut p.migrations {
        m.resume = m.resume.saturating_sub(d);
        m.eviction = m.eviction.saturating_sub(d);
    }
    for t in &mut p.transfers {
        for h in &mut t.hops {
            h.start = h.start.saturating_sub(d);
            h.end = h.end.saturating_sub(d);
        }
    }
    p.metrics.transition_latency = p.metrics.transition_latency.saturating_sub(d);
    if !p.migrations.is_empty() {
        p.metrics.eviction_time = p.metrics.eviction_time.saturating_sub(d);
    }
    p
}

/// Every difference between the trace (and the plan derived from it) and
/// the plan.
pub(crate) fn compare(
    system: &System,
    trace: &Trace,
    a: &Schedule,
    b: &Schedule,
    original: &Plan,
    derived: &Plan,
) -> Vec<Mismatch> {
    let mut out = Vec::new();
    for m in &trace.modules {
        if m.switch != Some(original.switch) {
            out.push(Mismatch::SwitchPoint {
                module: m.module.clone(),
                planned: original.switch,
                simulated: m.switch,
            });
        }
        if m.b_start != Some(original.b_start) {
            out.push(Mismatch::BStart {
                module: m.module.clone(),
                planned: original.b_start,
                simulated: m.b_start,
            });
        }
    }
    // The runtime switches at the first boundary `S ≥ r + lead`, which may
    // be whole old frames before the plan's `S`: compare the rest with the
    // plan moved there, so one shift reads as one difference per module.
    let shifted;
    let plan = match shift_of(trace, a, original) {
        Some(d) if d > 0 => {
            shifted = shift_plan(original, d);
            &shifted
        }
        _ => original,
    };
    let ha = a.major_frame.max(1);
    let hb = b.major_frame.max(1);
    let h = trace.horizon;

    // Jobs.
    let skips: BTreeSet<(&str, u64)> = plan
        .skipped
        .iter()
        .map(|k| (k.program.as_str(), k.index))
        .collect();
    let extras: BTreeMap<(&str, u64), u64> = plan
        .extended
        .iter()
        .map(|e| ((e.program.as_str(), e.index), e.extra))
        .collect();
    let mut expected: BTreeMap<(Side, String, u64), JobAt> = BTreeMap::new();
    let per_frame = |s: &Schedule| {
        let mut n: BTreeMap<String, u64> = BTreeMap::new();
        for j in &s.jobs {
            *n.entry(j.program.clone()).or_default() += 1;
        }
        n
    };
    let (na, nb) = (per_frame(a), per_frame(b));
    for f in 0..plan.switch / ha {
        for j in &a.jobs {
            let n = na.get(&j.program).copied().unwrap_or(0);
            let base = f * ha;
            expected.insert(
                (Side::Old, j.program.clone(), f * n + j.index),
                (
                    j.module.clone(),
                    j.core as u16,
                    base + j.start,
                    base + j.end,
                ),
            );
        }
    }
    let mut f = 0u64;
    while plan.b_start.saturating_add(f.saturating_mul(hb)) <= h {
        let base = plan.b_start + f * hb;
        for j in &b.jobs {
            let start = base + j.start;
            if start > h {
                continue;
            }
            let n = nb.get(&j.program).copied().unwrap_or(0);
            let index = f * n + j.index;
            if skips.contains(&(j.program.as_str(), index)) {
                continue;
            }
            let extra = extras
                .get(&(j.program.as_str(), index))
                .copied()
                .unwrap_or(0);
            expected.insert(
                (Side::New, j.program.clone(), index),
                (j.module.clone(), j.core as u16, start, base + j.end + extra),
            );
        }
        f += 1;
    }
    let mut actual: BTreeMap<(Side, String, u64), JobAt> = BTreeMap::new();
    for j in &trace.jobs {
        actual.insert(
            (j.side, j.program.clone(), j.index),
            (j.module.clone(), j.core, j.start, j.end),
        );
    }
    let keys: BTreeSet<_> = expected.keys().chain(actual.keys()).cloned().collect();
    for k in keys {
        let (e, x) = (expected.get(&k), actual.get(&k));
        if e != x {
            out.push(Mismatch::Job {
                side: k.0,
                program: k.1.clone(),
                index: k.2,
                planned: e.cloned(),
                simulated: x.cloned(),
            });
        }
    }

    // Skipped and extended jobs.
    let sim_skips: BTreeSet<(&str, u64)> = derived
        .skipped
        .iter()
        .map(|k| (k.program.as_str(), k.index))
        .collect();
    for &(p, i) in skips.symmetric_difference(&sim_skips) {
        out.push(Mismatch::Skipped {
            program: p.to_string(),
            index: i,
            planned: skips.contains(&(p, i)),
            simulated: sim_skips.contains(&(p, i)),
        });
    }
    let sim_extras: BTreeMap<(&str, u64), u64> = derived
        .extended
        .iter()
        .map(|e| ((e.program.as_str(), e.index), e.extra))
        .collect();
    let ext_keys: BTreeSet<_> = extras.keys().chain(sim_extras.keys()).copied().collect();
    for k in ext_keys {
        let (e, x) = (extras.get(&k).copied(), sim_extras.get(&k).copied());
        if e != x {
            out.push(Mismatch::Extended {
                program: k.0.to_string(),
                index: k.1,
                planned: e,
                simulated: x,
            });
        }
    }

    // Messages.
    let net = crate::run::Net::new(system);
    let mut exp_msgs: BTreeMap<(Side, String, u64, u64), Vec<HopEntry>> = BTreeMap::new();
    let mut add_frames = |side: Side, s: &Schedule, origin: u64, frames: u64, limit: bool| {
        for f in 0..frames {
            let base = origin + f * s.major_frame;
            for t in &s.transmissions {
                let mut hops: Vec<HopEntry> = t
                    .hops
                    .iter()
                    .map(|x| HopEntry {
                        from: x.from.clone(),
                        to: x.to.clone(),
                        start: base + x.start,
                        end: base + x.end,
                    })
                    .collect();
                if limit && hops.iter().any(|x| net.is_module(&x.from) && x.start > h) {
                    continue;
                }
                hops.sort_by(|x, y| (x.start, &x.from, &x.to).cmp(&(y.start, &y.from, &y.to)));
                exp_msgs.insert((side, t.message.clone(), f, t.index), hops);
            }
        }
    };
    add_frames(Side::Old, a, 0, plan.switch / ha, false);
    let b_frames = h.saturating_sub(plan.b_start) / hb + 1;
    add_frames(Side::New, b, plan.b_start, b_frames, true);
    let mut seen = BTreeSet::new();
    for m in &trace.messages {
        let k = (m.side, m.message.clone(), m.frame, m.instance);
        let planned = exp_msgs.get(&k);
        if planned != Some(&m.hops) {
            out.push(Mismatch::Message {
                side: m.side,
                message: m.message.clone(),
                frame: m.frame,
                instance: m.instance,
                planned: planned.cloned().unwrap_or_default(),
                simulated: m.hops.clone(),
            });
        }
        seen.insert(k);
    }
    for (k, hops) in &exp_msgs {
        if !seen.contains(k) {
            out.push(Mismatch::Message {
                side: k.0,
                message: k.1.clone(),
                frame: k.2,
                instance: k.3,
                planned: hops.clone(),
                simulated: Vec::new(),
            });
        }
    }

    // Chunks: a multiset match of (program, bytes, hops).
    let same = |p: &Transfer, t: &Transfer| {
        p.program == t.program && p.bytes == t.bytes && p.hops == t.hops
    };
    let mut left: Vec<Option<&Transfer>> = plan.transfers.iter().map(Some).collect();
    let mut extra_sim = Vec::new();
    for t in &derived.transfers {
        match left.iter_mut().find(|x| x.is_some_and(|p| same(p, t))) {
            Some(slot) => *slot = None,
            None => extra_sim.push(t),
        }
    }
    let mut missing: Vec<&Transfer> = left.into_iter().flatten().collect();
    for t in extra_sim {
        let pair = missing
            .iter()
            .position(|p| p.program == t.program && p.hops.first() == t.hops.first());
        let planned = pair.map(|i| missing.remove(i).clone());
        out.push(Mismatch::Chunk {
            program: t.program.clone(),
            planned,
            simulated: Some(t.clone()),
        });
    }
    for p in missing {
        out.push(Mismatch::Chunk {
            program: p.program.clone(),
            planned: Some(p.clone()),
            simulated: None,
        });
    }

    // Destination jobs never before the module's resume.
    for m in &derived.migrations {
        let resume = trace
            .events
            .iter()
            .find(|e| {
                e.node == m.to.module
                    && matches!(&e.what, What::Resume { program } if *program == m.program)
            })
            .map(|e| e.at);
        for j in trace
            .jobs
            .iter()
            .filter(|j| j.side == Side::New && j.program == m.program && j.module == m.to.module)
        {
            if resume.is_none_or(|r| j.start < r) {
                out.push(Mismatch::RanBeforeResume {
                    program: m.program.clone(),
                    module: m.to.module.clone(),
                    job_start: j.start,
                    resume,
                });
            }
        }
    }

    // Reported values.
    let mut value = |field: String, planned: String, simulated: String| {
        if planned != simulated {
            out.push(Mismatch::Value {
                field,
                planned,
                simulated,
            });
        }
    };
    value(
        "complete".into(),
        plan.complete.to_string(),
        derived.complete.to_string(),
    );
    for dm in &derived.migrations {
        let pm = plan.migrations.iter().find(|m| m.program == dm.program);
        let f = |m: &Migration| {
            format!(
                "resume {}, eviction {}, total_time {}, downtime {}, bytes {}, degradation {}, via {:?}",
                m.resume, m.eviction, m.total_time, m.downtime, m.bytes, m.degradation, m.via
            )
        };
        value(
            format!("migration `{}`", dm.program),
            pm.map_or("none".into(), f),
            f(dm),
        );
    }
    for pm in &plan.migrations {
        if !derived.migrations.iter().any(|m| m.program == pm.program) {
            value(
                format!("migration `{}`", pm.program),
                "present".into(),
                "none".into(),
            );
        }
    }
    for dp in &derived.programs {
        let pp = plan.programs.iter().find(|p| p.program == dp.program);
        value(
            format!("program `{}`", dp.program),
            pp.map_or("none".into(), |p| {
                format!("{:?} {:?}", p.action, p.unavailability)
            }),
            format!("{:?} {:?}", dp.action, dp.unavailability),
        );
    }
    value(
        "metrics".into(),
        format!("{:?}", plan.metrics),
        format!("{:?}", derived.metrics),
    );
    out
}
