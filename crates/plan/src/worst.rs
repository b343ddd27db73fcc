//! The worst case over every request instant of the old mode's frame.

use crate::ctx::Ctx;
use crate::explain::NoPlan;
use crate::{PlanOptions, Planner};
use seamless_model::plan::Action;
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
    /// The request instants evaluated, ascending.
    pub requests: Vec<u64>,
}

/// One program's worst unavailability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorstProgram {
    pub program: String,
    pub unavailability: u64,
    /// The first request instant giving it.
    pub request: u64,
    pub bound: Option<u64>,
}

/// The request instants where the plan can change: the frame's start, and
/// every start and end of an old-mode job of a program in both modes (the
/// instants at which the unavailability's look-back window, the counting of
/// dirtied jobs, and the suspension relative to the request change), each
/// with the instant after it (the rules say "at or after" in one place and
/// "after" in another) and the instant before it (the other end of the
/// previous interval); and the frame's last instant.
pub fn request_instants(ctx: &Ctx) -> Vec<u64> {
    let ha = ctx.ha;
    let mut v = vec![0u64];
    // (the frame's start is an event)
    for p in &ctx.progs {
        if !matches!(p.action, Action::Continue | Action::Migrate) {
            continue;
        }
        for j in &p.a_jobs {
            v.push(j.start % ha);
            v.push(j.end % ha);
        }
    }
    // each instant, the one after it (where "at or after" and "after"
    // differ) and the one before it (the previous interval's other end)
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

/// Plans the transition at every instant of `request_instants` and
/// returns the worst values; the first failure as a [`NoPlan`] naming its
/// request instant.
pub fn worst_case(
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
    let requests = request_instants(&ctx);
    let mut latency = 0u64;
    let mut latency_request = 0u64;
    let mut worst: Vec<Option<(u64, u64)>> = vec![None; ctx.progs.len()];
    for &r in &requests {
        let built = planner.search(r).map_err(|f| planner.no_plan(r, f))?;
        let lat = built.complete - (r + ctx.ha);
        if lat > latency || r == 0 {
            if lat > latency {
                latency_request = r;
            }
            latency = latency.max(lat);
        }
        for (pi, u) in built.unavailability.iter().enumerate() {
            if let Some(u) = *u
                && worst[pi].is_none_or(|w| u > w.0)
            {
                worst[pi] = Some((u, r));
            }
        }
    }
    let programs = ctx
        .progs
        .iter()
        .zip(&worst)
        .filter_map(|(p, w)| {
            w.map(|(u, r)| WorstProgram {
                program: p.name.clone(),
                unavailability: u,
                request: r,
                bound: p.bound,
            })
        })
        .collect();
    Ok(WorstCase {
        latency,
        latency_request,
        programs,
        requests,
    })
}
