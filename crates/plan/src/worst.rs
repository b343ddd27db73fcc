//! The worst case over every request instant of the old mode's frame.
//!
//! [`worst_case`] is exact with a plan per *start instant* rather than per
//! request instant. Migrations begin at the request's start instant (the
//! first end of an old-mode job of a program in both modes at or after the
//! request, [`Ctx::start_instant`]), and everything else the planner reads
//! of the request (the unavailability's look-back window, which counts
//! completions at or after it) changes only at those same job ends. So
//! every request instant of a stretch `(g, g']` between two consecutive
//! start instants gets the same plan but for its `request`: the same
//! unavailability for every program, and a transition latency
//! (`complete − r`) that is largest at the stretch's first instant `g + 1`.
//! Planning at `0` and at every `g + 1` therefore gives every maximum, and
//! the first instant attaining it. DESIGN.md gives the argument;
//! [`worst_case_brute`] plans at every instant (the test oracle).

use crate::build::Fail;
use crate::ctx::Ctx;
use crate::explain::NoPlan;
use crate::{PlanOptions, Planner};
use seamless_model::schedule::Schedule;
use seamless_model::{ModeId, System};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

/// The worst transition latency and unavailability over `r ∈ [0, H_A)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorstCase {
    /// The largest transition latency.
    pub latency: u64,
    /// The first request instant giving it.
    pub latency_request: u64,
    /// Per program in both modes (by name): its largest unavailability.
    pub programs: Vec<WorstProgram>,
    /// The request instants planned at, ascending.
    pub requests: Vec<u64>,
}

/// One program's worst unavailability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorstProgram {
    /// The program's name.
    pub program: String,
    /// Its largest unavailability, in ticks.
    pub unavailability: u64,
    /// The first request instant giving it.
    pub request: u64,
    /// Its `max_unavailability`, if any.
    pub bound: Option<u64>,
}

/// The first instant of every stretch of request instants that share a
/// start instant ([`Ctx::start_instant`]): `0` (alone: its switch point is
/// the frame's start), then the instant after every start instant, inside
/// the frame. Ascending.
pub(crate) fn request_instants(ctx: &Ctx) -> Vec<u64> {
    let mut v = vec![0u64];
    v.extend(ctx.starts.iter().map(|&g| g + 1).filter(|&r| r < ctx.ha));
    v.dedup();
    v
}

/// The figures of the plan at one request instant.
#[derive(Debug, Clone)]
struct Figures {
    latency: u64,
    unavailability: Vec<Option<u64>>,
}

/// The outcome of planning at one instant.
type Outcome = Result<Figures, Fail>;

fn evaluate(planner: &Planner, r: u64) -> Outcome {
    let built = planner.search(r)?;
    Ok(Figures {
        latency: built.complete - (r + planner.ctx.ha),
        unavailability: built.unavailability,
    })
}

/// Folds the evaluations, in ascending request order, into the worst case
/// (the first instant attaining each maximum).
struct Fold {
    latency: Option<(u64, u64)>,
    worst: Vec<Option<(u64, u64)>>,
    requests: Vec<u64>,
}

impl Fold {
    fn new(n: usize) -> Fold {
        Fold {
            latency: None,
            worst: vec![None; n],
            requests: Vec::new(),
        }
    }

    fn add(&mut self, r: u64, f: &Figures) {
        self.requests.push(r);
        if self.latency.is_none_or(|l| f.latency > l.0) {
            self.latency = Some((f.latency, r));
        }
        for (pi, u) in f.unavailability.iter().enumerate() {
            if let Some(u) = *u
                && self.worst[pi].is_none_or(|w| u > w.0)
            {
                self.worst[pi] = Some((u, r));
            }
        }
    }

    fn finish(self, ctx: &Ctx) -> WorstCase {
        let programs = ctx
            .progs
            .iter()
            .zip(&self.worst)
            .filter_map(|(p, w)| {
                w.map(|(u, r)| WorstProgram {
                    program: p.name.clone(),
                    unavailability: u,
                    request: r,
                    bound: p.bound,
                })
            })
            .collect();
        let (latency, latency_request) = self.latency.unwrap_or((0, 0));
        WorstCase {
            latency,
            latency_request,
            programs,
            requests: self.requests,
        }
    }
}

/// The worst transition latency and unavailability over every request
/// instant `r ∈ [0, H_A)` of the old mode's frame, exactly (see the module
/// documentation), with the first instant attaining each; or, when some
/// instant has no plan, the first such instant's [`NoPlan`].
pub fn worst_case(
    system: &System,
    from: ModeId,
    to: ModeId,
    a: &Schedule,
    b: &Schedule,
    opts: &PlanOptions,
) -> Result<WorstCase, NoPlan> {
    worst_case_with(system, from, to, a, b, opts, None)
}

/// [`worst_case`], reporting progress as `(ticks of the frame settled,
/// H_A)` after every plan.
pub fn worst_case_with(
    system: &System,
    from: ModeId,
    to: ModeId,
    a: &Schedule,
    b: &Schedule,
    opts: &PlanOptions,
    progress: Option<&dyn Fn(u64, u64)>,
) -> Result<WorstCase, NoPlan> {
    let ctx =
        Ctx::new(system, from, to, a, b).map_err(|m| NoPlan::input(system, from, to, None, m))?;
    let planner = Planner::new(&ctx, opts);
    let ha = ctx.ha;
    let mut fold = Fold::new(ctx.progs.len());
    // every instant of a stretch gets the plan of its first instant but for
    // the request: the same unavailability, a latency smaller by the ticks
    // since the first instant, and no plan if the first has none
    let instants = request_instants(&ctx);
    // the plans are independent: workers take instants in ascending order,
    // the fold reads their outcomes in that order (deterministic)
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(instants.len())
        .max(1);
    let next = AtomicUsize::new(0);
    // the first instant (index) known to have no plan: later ones are skipped
    let failed = AtomicUsize::new(usize::MAX);
    let (tx, rx) = mpsc::channel::<(usize, Outcome)>();
    std::thread::scope(|scope| -> Result<WorstCase, NoPlan> {
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, failed, planner, instants) = (&next, &failed, &planner, &instants);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= instants.len() || i > failed.load(Ordering::Relaxed) {
                        break;
                    }
                    let o = evaluate(planner, instants[i]);
                    if o.is_err() {
                        failed.fetch_min(i, Ordering::Relaxed);
                    }
                    if tx.send((i, o)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut pending: BTreeMap<usize, Outcome> = BTreeMap::new();
        let mut at = 0;
        for (i, o) in rx {
            pending.insert(i, o);
            while let Some(o) = pending.remove(&at) {
                let r = instants[at];
                match o {
                    Ok(f) => fold.add(r, &f),
                    Err(e) => {
                        // (the workers stop at their next instant)
                        failed.fetch_min(at, Ordering::Relaxed);
                        return Err(planner.no_plan(r, e));
                    }
                }
                if let Some(p) = progress {
                    p(ctx.start_instant(r).min(ha), ha);
                }
                at += 1;
            }
        }
        Ok(std::mem::replace(&mut fold, Fold::new(0)).finish(&ctx))
    })
}

/// The worst case by planning at every request instant of the old mode's
/// frame: `H_A` plans. The oracle [`worst_case`] is tested against, for
/// small frames.
pub fn worst_case_brute(
    system: &System,
    from: ModeId,
    to: ModeId,
    a: &Schedule,
    b: &Schedule,
    opts: &PlanOptions,
) -> Result<WorstCase, NoPlan> {
    let ctx =
        Ctx::new(system, from, to, a, b).map_err(|m| NoPlan::input(system, from, to, None, m))?;
    let planner = Planner::new(&ctx, opts);
    let mut fold = Fold::new(ctx.progs.len());
    for r in 0..ctx.ha {
        match evaluate(&planner, r) {
            Ok(f) => fold.add(r, &f),
            Err(e) => return Err(planner.no_plan(r, e)),
        }
    }
    Ok(fold.finish(&ctx))
}
