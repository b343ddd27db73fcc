//! The two schedules resolved against the system: ids instead of names,
//! jobs per program and per core, busy time per link direction, and the
//! latest end of every B job (for post-copy extensions).

use seamless_migrate::calendar::{Interval, Periodic};
use seamless_model::plan::Action;
use seamless_model::schedule::Schedule;
use seamless_model::{ModeId, ModuleId, ProgramId, System};
use std::collections::BTreeMap;

/// One job of a frame, relative to the frame's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelJob {
    pub start: u64,
    pub end: u64,
}

/// A program's B jobs in one frame, with the latest end each may reach
/// when extended.
#[derive(Debug, Clone, Default)]
pub struct BJobs {
    pub jobs: Vec<RelJob>,
    /// Per job: the smallest of its window end, the next job's start on its
    /// core (the next frame's, wrapping), and under precedence the first hop
    /// of each message instance it sends and each local receiver's start.
    /// Relative to the frame (may exceed `H_B` when the limit is in the next
    /// frame).
    pub limit: Vec<u64>,
}

/// A program as the transition sees it.
#[derive(Debug, Clone)]
pub struct Prog {
    pub id: ProgramId,
    pub name: String,
    pub action: Action,
    pub a_slot: Option<(ModuleId, u32)>,
    pub b_slot: Option<(ModuleId, u32)>,
    /// A jobs in one A frame, in time order.
    pub a_jobs: Vec<RelJob>,
    pub b: BJobs,
    pub memory: u64,
    pub bound: Option<u64>,
}

/// Everything the planner needs, resolved once per transition.
#[derive(Debug, Clone)]
pub struct Ctx<'s> {
    pub sys: &'s System,
    pub from: ModeId,
    pub to: ModeId,
    pub ha: u64,
    pub hb: u64,
    /// Programs of either mode, by name.
    pub progs: Vec<Prog>,
    /// Per link direction: A's busy intervals in one frame.
    pub a_busy: Vec<Vec<Interval>>,
    /// Per link direction: B's pattern (origin 0).
    pub b_busy: Vec<Option<Periodic>>,
    /// The latest first-job end of programs that B starts or continues,
    /// relative to `b_start` (0 if none).
    pub b_first_end: u64,
    /// The instants of A's frame at which migrations may begin (ascending,
    /// in `[0, H_A)`): the frame's start and every end of an A job of a
    /// program in both modes. See [`Ctx::start_instant`].
    pub starts: Vec<u64>,
}

/// A schedule that does not fit the system or mode.
pub fn input_err(msg: impl Into<String>) -> String {
    msg.into()
}

fn resolve_hops(
    sys: &System,
    hops: &[seamless_model::schedule::HopEntry],
    what: &str,
) -> Result<Vec<(usize, u64, u64)>, String> {
    let node = |n: &str| sys.network.nodes.iter().position(|x| x.name == n);
    let mut out = Vec::with_capacity(hops.len());
    for h in hops {
        let (Some(a), Some(b)) = (node(&h.from), node(&h.to)) else {
            return Err(format!("{what}: unknown node in hop {} → {}", h.from, h.to));
        };
        let Some(link) = sys.network.link_between(a, b) else {
            return Err(format!("{what}: no link joins {} and {}", h.from, h.to));
        };
        let hop = seamless_model::network::Hop {
            link,
            from: a,
            to: b,
        };
        if h.end < h.start {
            return Err(format!(
                "{what}: hop {} → {} ends before it starts",
                h.from, h.to
            ));
        }
        out.push((hop.dir_id(&sys.network.links), h.start, h.end));
    }
    Ok(out)
}

impl<'s> Ctx<'s> {
    pub fn new(
        sys: &'s System,
        from: ModeId,
        to: ModeId,
        a: &Schedule,
        b: &Schedule,
    ) -> Result<Ctx<'s>, String> {
        let (Some(ma), Some(mb)) = (sys.modes.get(from), sys.modes.get(to)) else {
            return Err(input_err("unknown mode id"));
        };
        if from == to {
            return Err(input_err(format!(
                "a transition needs two modes; both are `{}`",
                ma.name
            )));
        }
        if a.mode != ma.name || b.mode != mb.name {
            return Err(input_err(format!(
                "the schedules are for `{}` and `{}`, the transition is `{}` → `{}`",
                a.mode, b.mode, ma.name, mb.name
            )));
        }
        let (ha, hb) = (ma.major_frame, mb.major_frame);
        if a.major_frame != ha || b.major_frame != hb {
            return Err(input_err(
                "a schedule's major frame differs from its mode's",
            ));
        }
        let dirs = sys.network.directions();
        let placement =
            |s: &Schedule, which: &str| -> Result<BTreeMap<ProgramId, (ModuleId, u32)>, String> {
                let mut m = BTreeMap::new();
                for p in &s.placement {
                    let Some(id) = sys.program_by_name(&p.program) else {
                        return Err(format!("{which} schedule: unknown program `{}`", p.program));
                    };
                    let Some(md) = sys.module_by_name(&p.module) else {
                        return Err(format!("{which} schedule: unknown module `{}`", p.module));
                    };
                    if p.core >= sys.modules[md].cores {
                        return Err(format!(
                            "{which} schedule: `{}` has no core {}",
                            p.module, p.core
                        ));
                    }
                    if m.insert(id, (md, p.core)).is_some() {
                        return Err(format!("{which} schedule: `{}` placed twice", p.program));
                    }
                }
                Ok(m)
            };
        let pa = placement(a, "the old mode's")?;
        let pb = placement(b, "the new mode's")?;
        let jobs_of = |s: &Schedule, which: &str, count: &dyn Fn(ProgramId) -> Option<u64>| {
            let mut m: BTreeMap<ProgramId, Vec<(u64, RelJob)>> = BTreeMap::new();
            for j in &s.jobs {
                let Some(id) = sys.program_by_name(&j.program) else {
                    return Err(format!(
                        "{which} schedule: unknown program `{}` in a job",
                        j.program
                    ));
                };
                if count(id).is_none_or(|n| j.index >= n) || j.end <= j.start {
                    return Err(format!(
                        "{which} schedule: job {} of `{}` does not exist or is empty",
                        j.index, j.program
                    ));
                }
                m.entry(id).or_default().push((
                    j.index,
                    RelJob {
                        start: j.start,
                        end: j.end,
                    },
                ));
            }
            let mut out: BTreeMap<ProgramId, Vec<RelJob>> = BTreeMap::new();
            for (id, mut v) in m {
                v.sort_by_key(|x| x.0);
                if v.iter().enumerate().any(|(i, x)| x.0 != i as u64)
                    || Some(v.len() as u64) != count(id)
                {
                    return Err(format!(
                        "{which} schedule: `{}` lacks jobs",
                        sys.programs[id].name
                    ));
                }
                let jobs: Vec<RelJob> = v.into_iter().map(|x| x.1).collect();
                if jobs.windows(2).any(|w| w[1].start < w[0].end) {
                    return Err(format!(
                        "{which} schedule: jobs of `{}` overlap",
                        sys.programs[id].name
                    ));
                }
                out.insert(id, jobs);
            }
            Ok(out)
        };
        let count_a = |p: ProgramId| ma.slot(p).map(|s| ma.jobs_of(s));
        let count_b = |p: ProgramId| mb.slot(p).map(|s| mb.jobs_of(s));
        let ja = jobs_of(a, "the old mode's", &count_a)?;
        let jb = jobs_of(b, "the new mode's", &count_b)?;
        // link busy time
        let mut a_busy = vec![Vec::new(); dirs];
        for t in &a.transmissions {
            for (d, s, e) in resolve_hops(sys, &t.hops, "the old mode's schedule")? {
                if e > ha {
                    return Err(input_err(
                        "the old mode's schedule: a transmission leaves the frame",
                    ));
                }
                a_busy[d].push((s, e));
            }
        }
        let mut b_rel = vec![Vec::new(); dirs];
        // first hop start per (message, index) in B
        let mut b_first_hop: BTreeMap<(usize, u64), u64> = BTreeMap::new();
        for t in &b.transmissions {
            let hops = resolve_hops(sys, &t.hops, "the new mode's schedule")?;
            let Some(mid) = sys.message_by_name(&t.message) else {
                return Err(format!(
                    "the new mode's schedule: unknown message `{}`",
                    t.message
                ));
            };
            for &(d, s, e) in &hops {
                if e > hb {
                    return Err(input_err(
                        "the new mode's schedule: a transmission leaves the frame",
                    ));
                }
                b_rel[d].push((s, e));
            }
            if let Some(first) = hops.iter().map(|h| h.1).min() {
                b_first_hop.insert((mid, t.index), first);
            }
        }
        for v in a_busy.iter_mut() {
            v.sort_unstable();
        }
        let b_busy: Vec<Option<Periodic>> = b_rel
            .iter()
            .map(|v| {
                if v.is_empty() {
                    None
                } else {
                    Periodic::new(0, hb, v)
                }
            })
            .collect();
        // B jobs per core, for the next-job limit
        let mut per_core: BTreeMap<(ModuleId, u32), Vec<(u64, u64)>> = BTreeMap::new();
        for (&p, jobs) in &jb {
            let Some(&slot) = pb.get(&p) else {
                return Err(format!(
                    "the new mode's schedule: `{}` has jobs but no placement",
                    sys.programs[p].name
                ));
            };
            for j in jobs {
                per_core.entry(slot).or_default().push((j.start, j.end));
            }
        }
        for v in per_core.values_mut() {
            v.sort_unstable();
        }
        // programs of either mode
        let mut ids: Vec<ProgramId> = ma
            .programs
            .iter()
            .chain(&mb.programs)
            .map(|mp| mp.program)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut progs = Vec::with_capacity(ids.len());
        let mut b_first_end = 0u64;
        for id in ids {
            let p = &sys.programs[id];
            let in_a = ma.has_program(id);
            let in_b = mb.has_program(id);
            let a_slot = pa.get(&id).copied();
            let b_slot = pb.get(&id).copied();
            if in_a && a_slot.is_none() {
                return Err(format!(
                    "the old mode's schedule does not place `{}`",
                    p.name
                ));
            }
            if in_b && b_slot.is_none() {
                return Err(format!(
                    "the new mode's schedule does not place `{}`",
                    p.name
                ));
            }
            let action = match (in_a, in_b) {
                (true, true) if a_slot.map(|s| s.0) == b_slot.map(|s| s.0) => Action::Continue,
                (true, true) => Action::Migrate,
                (true, false) => Action::Stop,
                _ => Action::Start,
            };
            let a_jobs = if in_a {
                ja.get(&id).cloned().unwrap_or_default()
            } else {
                Vec::new()
            };
            if in_a && Some(a_jobs.len() as u64) != count_a(id) {
                return Err(format!(
                    "the old mode's schedule lacks jobs of `{}`",
                    p.name
                ));
            }
            if in_b && jb.get(&id).map(|v| v.len() as u64) != count_b(id) {
                return Err(format!(
                    "the new mode's schedule lacks jobs of `{}`",
                    p.name
                ));
            }
            let mut bj = BJobs::default();
            if in_b {
                let slot = mb.slot(id).unwrap_or(0);
                let req = mb.programs[slot].requirement;
                let jobs = jb.get(&id).cloned().unwrap_or_default();
                let core_jobs = b_slot
                    .and_then(|s| per_core.get(&s))
                    .cloned()
                    .unwrap_or_default();
                // precedence messages this program sends in B
                let sends: Vec<(usize, Vec<ProgramId>)> = mb
                    .messages
                    .iter()
                    .filter(|mm| mm.precedence && sys.messages[mm.message].from == id)
                    .map(|mm| (mm.message, sys.messages[mm.message].to.clone()))
                    .collect();
                for (k, j) in jobs.iter().enumerate() {
                    let mut lim = req.timing.instance_window(k as u64).end;
                    // next job on the core (cyclic)
                    let i = core_jobs.partition_point(|c| c.0 <= j.start);
                    let next = match core_jobs.get(i) {
                        Some(c) => c.0,
                        None => core_jobs
                            .first()
                            .map_or(u64::MAX, |c| c.0.saturating_add(hb)),
                    };
                    lim = lim.min(next);
                    for (m, to) in &sends {
                        if let Some(&f) = b_first_hop.get(&(*m, k as u64)) {
                            lim = lim.min(f);
                        }
                        for &rcv in to {
                            if pb.get(&rcv).map(|s| s.0) == b_slot.map(|s| s.0)
                                && let Some(rj) = jb.get(&rcv).and_then(|v| v.get(k))
                            {
                                lim = lim.min(rj.start);
                            }
                        }
                    }
                    bj.limit.push(lim.max(j.end));
                }
                bj.jobs = jobs;
                if action != Action::Migrate
                    && let Some(f) = bj.jobs.first()
                {
                    b_first_end = b_first_end.max(f.end);
                }
            }
            progs.push(Prog {
                id,
                name: p.name.clone(),
                action,
                a_slot,
                b_slot,
                a_jobs,
                b: bj,
                memory: p.memory,
                bound: if in_a && in_b {
                    p.max_unavailability
                } else {
                    None
                },
            });
        }
        progs.sort_by(|x, y| x.name.cmp(&y.name));
        let mut starts = vec![0u64];
        for p in &progs {
            if matches!(p.action, Action::Continue | Action::Migrate) {
                starts.extend(p.a_jobs.iter().map(|j| j.end % ha));
            }
        }
        starts.sort_unstable();
        starts.dedup();
        Ok(Ctx {
            sys,
            from,
            to,
            ha,
            hb,
            progs,
            a_busy,
            b_busy,
            b_first_end,
            starts,
        })
    }

    /// The *start instant* of a request at `request` (absolute ticks of A's
    /// frame, `< H_A`): the first of [`Ctx::starts`] at or after it, or
    /// `H_A` (the next frame's start). Migrations begin no earlier: every
    /// request instant between two consecutive start instants gets the same
    /// plan (but for its `request`), which makes the worst case over request
    /// instants a plan per start instant (DESIGN.md).
    pub fn start_instant(&self, request: u64) -> u64 {
        let i = self.starts.partition_point(|&g| g < request);
        self.starts.get(i).copied().unwrap_or(self.ha)
    }

    pub fn module_name(&self, m: ModuleId) -> &str {
        &self.sys.modules[m].name
    }
}
