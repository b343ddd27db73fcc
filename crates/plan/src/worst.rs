//! The worst case over every request instant of the old mode's frame.
//!
//! [`worst_case`] is exact without planning at every instant: it plans at
//! the instants where the plan's inputs change (the old mode's job
//! boundaries), compares the *shape* of the plans at the two ends of every
//! interval between evaluated instants, and halves an interval whose ends
//! have different shapes until the ends agree or are adjacent ticks. Inside
//! an interval whose ends have the same shape, every instant of the plan is
//! `c` or `r + c`, so every figure (a latest instant minus `r`, a largest gap
//! between completions) is a maximum of affine functions of `r`: convex, so
//! its maximum over the interval is at an end, and the first instant
//! attaining it too. DESIGN.md gives the argument and its assumption.
//! [`worst_case_brute`] plans at every instant (the test oracle).

use crate::build::{Built, Fail};
use crate::ctx::Ctx;
use crate::explain::NoPlan;
use crate::{PlanOptions, Planner};
use seamless_model::plan::{Action, Scheme};
use seamless_model::schedule::Schedule;
use seamless_model::{ModeId, System};
use serde::Serialize;

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

/// The request instants where the plan's inputs change: the frame's start,
/// and every start and end of an old-mode job of a program in both modes
/// (the instants at which the unavailability's look-back window, the
/// counting of dirtied jobs, and the suspension relative to the request
/// change), each with the instant after it (the rules say "at or after" in
/// one place and "after" in another) and the instant before it (the other
/// end of the previous interval); and the frame's last instant. These seed
/// the search; [`worst_case`] adds the instants where the plan's shape
/// changes.
pub(crate) fn request_instants(ctx: &Ctx) -> Vec<u64> {
    let ha = ctx.ha;
    let mut v = vec![0u64];
    for p in &ctx.progs {
        if !matches!(p.action, Action::Continue | Action::Migrate) {
            continue;
        }
        for j in &p.a_jobs {
            v.push(j.start % ha);
            v.push(j.end % ha);
        }
    }
    let events = std::mem::take(&mut v);
    for e in events {
        v.extend(
            [e.saturating_sub(1), e, e + 1]
                .into_iter()
                .filter(|&x| x < ha),
        );
    }
    v.push(ha - 1);
    v.sort_unstable();
    v.dedup();
    v
}

/// How an entry of a shape may differ between two request instants `δ`
/// apart when the plan is the same plan shifted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A decision (a count, a size, a choice): equal.
    Fixed,
    /// An instant: `c` or `r + c` (differs by 0 or `δ`).
    Instant,
    /// A difference of two instants (a gap): differs by `−δ`, 0 or `δ`.
    Gap,
    /// A size that follows from the instants (a chunk cut to fit a free
    /// stretch): anything.
    Free,
}

/// The figures of the plan at one request instant, and its shape.
#[derive(Debug, Clone)]
struct Figures {
    latency: u64,
    unavailability: Vec<Option<u64>>,
    shape: Vec<(Kind, u64)>,
}

fn scheme_code(s: Scheme) -> u64 {
    match s {
        Scheme::StopAndCopy => 0,
        Scheme::PreCopy => 1,
        Scheme::PostCopy => 2,
        Scheme::Hybrid => 3,
        Scheme::ScatterGather => 4,
    }
}

/// Every decision and instant of a plan, in a fixed order.
fn shape_of(b: &Built) -> Vec<(Kind, u64)> {
    use Kind::{Fixed, Free, Gap, Instant};
    let mut v = vec![
        (Instant, b.s),
        (Instant, b.bs),
        (Instant, b.complete),
        (Fixed, b.choices.len() as u64),
        (Fixed, b.bytes),
    ];
    for (m, c) in b.migs.iter().zip(&b.choices) {
        let tl = &c.tl;
        v.extend([
            (Fixed, m.pi as u64),
            (Fixed, scheme_code(tl.scheme)),
            (Fixed, c.via.map_or(0, |x| x as u64 + 1)),
            (Fixed, tl.chunks.len() as u64),
            (Fixed, tl.rounds.len() as u64),
            (Fixed, tl.source_bytes),
            (Fixed, c.dest.first_job),
            (Fixed, c.dest.extended.len() as u64),
            (Fixed, c.dest.degradation),
            (Instant, tl.suspension),
            (Instant, tl.may_run),
            (Instant, tl.source_free),
            (Instant, tl.first_departure),
            (Instant, tl.last_arrival),
            (Instant, tl.first_into_dest),
            (Instant, c.dest.resume),
            (Instant, c.dest.first_completion),
            (Instant, c.dest.ext_end),
        ]);
        if let Some((x, y)) = tl.via_span {
            v.extend([(Instant, x), (Instant, y)]);
        }
        for &(j, extra) in &c.dest.extended {
            v.extend([(Fixed, j), (Fixed, extra)]);
        }
        for rd in &tl.rounds {
            v.extend([
                (Fixed, rd.bytes),
                (Instant, rd.begin),
                (Instant, rd.source_free),
                (Instant, rd.last_arrival),
            ]);
        }
        for ch in &tl.chunks {
            v.extend([
                (Free, ch.bytes),
                (Fixed, ch.hops.len() as u64),
                (Instant, ch.arrival),
            ]);
            for h in &ch.hops {
                v.extend([(Fixed, h.dir as u64), (Instant, h.start), (Instant, h.end)]);
            }
        }
    }
    for u in &b.unavailability {
        v.push(match u {
            Some(u) => (Gap, *u),
            None => (Fixed, u64::MAX),
        });
    }
    v
}

/// Whether the plans at two instants `delta` apart are the same plan, its
/// instants either fixed or moving with the request.
fn same_shape(x: &[(Kind, u64)], y: &[(Kind, u64)], delta: u64) -> bool {
    x.len() == y.len()
        && x.iter().zip(y).all(|(&(k, a), &(l, b))| {
            k == l
                && match k {
                    Kind::Fixed => a == b,
                    Kind::Instant => b == a || b.checked_sub(a) == Some(delta),
                    Kind::Gap => b == a || a.abs_diff(b) == delta,
                    Kind::Free => true,
                }
        })
}

/// The outcome of planning at one instant.
type Outcome = Result<Figures, Fail>;

fn evaluate(planner: &Planner, r: u64) -> Outcome {
    let built = planner.search(r)?;
    Ok(Figures {
        latency: built.complete - (r + planner.ctx.ha),
        unavailability: built.unavailability.clone(),
        shape: shape_of(&built),
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
    let planner = Planner { ctx: &ctx, opts };
    let ha = ctx.ha;
    let seeds = request_instants(&ctx);
    let mut fold = Fold::new(ctx.progs.len());
    let fail = |r: u64, f: Fail| planner.no_plan(r, f);
    // intervals are settled left to right: `left` is the last settled
    // instant with its outcome; `stack` holds evaluated instants to its
    // right, the nearest on top
    let mut left_r = seeds[0];
    let mut left = evaluate(&planner, left_r);
    match &left {
        Ok(f) => fold.add(left_r, f),
        Err(e) => return Err(fail(left_r, e.clone())),
    }
    // seeds are planned lazily, when they reach the top (`None`)
    let mut stack: Vec<(u64, Option<Outcome>)> =
        seeds[1..].iter().rev().map(|&r| (r, None)).collect();
    let report = |settled: u64| {
        if let Some(p) = progress {
            p(settled, ha);
        }
    };
    while let Some((right_r, slot)) = stack.last_mut() {
        let right_r = *right_r;
        let right = slot.get_or_insert_with(|| evaluate(&planner, right_r));
        let settle = match (&left, &*right) {
            (Ok(x), Ok(y)) => {
                right_r - left_r <= 1 || same_shape(&x.shape, &y.shape, right_r - left_r)
            }
            (Ok(_), Err(_)) => right_r - left_r <= 1,
            // (the search stops at the first instant without a plan)
            (Err(_), _) => true,
        };
        if settle {
            let Some((r, Some(o))) = stack.pop() else {
                unreachable!()
            };
            match &o {
                Ok(f) => fold.add(r, f),
                Err(e) => return Err(fail(r, e.clone())),
            }
            left_r = r;
            left = o;
            report(left_r + 1);
        } else {
            let mid = left_r + (right_r - left_r) / 2;
            stack.push((mid, Some(evaluate(&planner, mid))));
        }
    }
    report(ha);
    Ok(fold.finish(&ctx))
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
    let planner = Planner { ctx: &ctx, opts };
    let mut fold = Fold::new(ctx.progs.len());
    for r in 0..ctx.ha {
        match evaluate(&planner, r) {
            Ok(f) => fold.add(r, &f),
            Err(e) => return Err(planner.no_plan(r, e)),
        }
    }
    Ok(fold.finish(&ctx))
}
