//! The transition planner: from the old mode's table to the new one's, with
//! live migration of the programs that change module (docs/format.md §10), written
//! as a §8 [`Plan`].
//!
//! - [`plan_transition`]: the plan for one request instant.
//! - [`worst_case`]: the worst transition latency and unavailability over
//!   every request instant of the old mode's frame.
//! - [`avoidable_migrations`]: the migrations the new table could have
//!   avoided (the program was allowed to stay where it was).
//! - [`NoPlan`]: why no plan exists, as data, with what would make one
//!   feasible.
//!
//! See `DESIGN.md` beside this crate for the choices §7 leaves open.

#![deny(missing_docs)]

mod build;
mod ctx;
mod explain;
mod proof;
mod worst;

pub use explain::{NoPlan, Problem, Proven, ProvenOther, Remedy, Together};
pub use proof::{MigrationLower, SchemeLower};
pub use worst::{WorstCase, WorstProgram, worst_case, worst_case_brute, worst_case_with};

use build::{Build, Built, Fail};
use ctx::Ctx;
use seamless_model::plan::{
    Action, Extended, JobRef, Metrics, Migration, Plan, ProgramOutcome, Slot, Transfer,
};
use seamless_model::schedule::{HopEntry, Schedule};
use seamless_model::{ModeId, ProgramId, System};
use std::cell::Cell;
use std::collections::{BTreeSet, VecDeque};
use std::time::{Duration, Instant};

/// The default [`PlanOptions::budget`]: steps per plan.
pub const DEFAULT_BUDGET: u64 = 20_000_000;

/// The default [`PlanOptions::remedy_budget`]: steps per plan tried while
/// looking for a remedy (a tenth of [`DEFAULT_BUDGET`]).
pub const DEFAULT_REMEDY_BUDGET: u64 = 2_000_000;

/// Search options. The defaults suit systems of a few hundred programs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOptions {
    /// How many frame boundaries of the old mode (from the first at or after
    /// the request) are tried as the switch point.
    pub switch_candidates: u32,
    /// The largest phase `φ` (delay of the new table after the switch
    /// point) tried; `None`: no limit. A phase above 0 is tried only when
    /// memory needs it (a source must be free before the new table starts)
    /// or when it lets a migrated program run its first new job.
    pub max_phase: Option<u64>,
    /// Whether scatter-gather through intermediaries is tried.
    pub intermediaries: bool,
    /// Round-1 instants tried per pre-copy migration.
    pub precopy_tries: u32,
    /// Catch-up round instants tried per pre-copy migration (the ends of
    /// the 1st, 2nd, 3rd, 4th, 6th, 8th, 11th, 16th last source jobs before
    /// the suspension; at most 8).
    pub late_rounds: u32,
    /// Most pre-copy rounds tried before a hybrid's post-copy (also capped by
    /// the system's `max_rounds`).
    pub hybrid_rounds: u32,
    /// How many phases `φ` are tried per switch point.
    pub phase_tries: u32,
    /// How many times post-copy and hybrid hold the CPU state back past a
    /// destination job whose extension would break a rule.
    pub post_copy_retries: u32,
    /// How many other migration orders are tried when one breaks a bound.
    pub reorders: u32,
    /// On failure, replan with more bandwidth to name a figure that would do.
    pub explain: bool,
    /// Work budget per plan (per request instant), in steps: a scheme
    /// variant tried counts one step plus one per chunk it placed. When it
    /// runs out the best plan found so far is returned, or, if none was
    /// found, [`Problem::GaveUp`]: no plan found within the budget, which
    /// is not a proof that none exists. Deterministic.
    pub budget: u64,
    /// Work budget, in steps, of each plan the explanation of a failure
    /// tries while looking for a remedy (a bandwidth with which the switch
    /// plans: powers of two, then a bisection; capped by `budget`). A
    /// smaller budget finds a remedy sooner but may name a higher figure
    /// than the least that works; the figure named, and each of its links
    /// raised alone, is planned again with the full `budget` before it is
    /// printed. Deterministic.
    pub remedy_budget: u64,
    /// Check the necessary conditions first (lower bounds on every
    /// program's unavailability from the tables, its sizes and the
    /// network, DESIGN.md "Proofs of infeasibility"): when one fails, no
    /// plan exists and the search is skipped ([`Problem::Proven`]). Off:
    /// the search runs regardless (for tests that compare the two).
    pub prove: bool,
    /// Safety cap on the wall-clock time of one [`plan_transition`] (of a
    /// whole [`worst_case`]), explanation included; `None`: no cap. Unlike
    /// the budget it makes the outcome depend on the machine: meant as a
    /// guard, not as the way to bound the work.
    pub time_limit: Option<Duration>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            switch_candidates: 3,
            max_phase: None,
            intermediaries: true,
            precopy_tries: 4,
            late_rounds: 8,
            hybrid_rounds: 5,
            phase_tries: 8,
            post_copy_retries: 3,
            reorders: 4,
            explain: true,
            budget: DEFAULT_BUDGET,
            remedy_budget: DEFAULT_REMEDY_BUDGET,
            prove: true,
            time_limit: None,
        }
    }
}

/// Plans the switch from mode `from` (running table `a`) to mode `to`
/// (table `b`) requested at `request_at` (`0 ≤ r < H_A`, ticks from the
/// start of the old mode's frame). Deterministic.
pub fn plan_transition(
    system: &System,
    from: ModeId,
    to: ModeId,
    a: &Schedule,
    b: &Schedule,
    request_at: u64,
    opts: &PlanOptions,
) -> Result<Plan, NoPlan> {
    let ctx = Ctx::new(system, from, to, a, b)
        .map_err(|m| NoPlan::input(system, from, to, Some(request_at), m))?;
    let planner = Planner::new(&ctx, opts);
    let built = planner
        .search(request_at)
        .map_err(|f| planner.no_plan(request_at, f))?;
    Ok(planner.to_plan(request_at, &built, a, b))
}

/// The migrations between two tables that the new table could have avoided:
/// the program was allowed to stay on its module in the new mode. The text
/// says why it moved anyway, as far as memory tells.
pub fn avoidable_migrations(
    system: &System,
    from: ModeId,
    to: ModeId,
    a: &Schedule,
    b: &Schedule,
) -> Vec<(ProgramId, String)> {
    let Ok(ctx) = Ctx::new(system, from, to, a, b) else {
        return Vec::new();
    };
    let mb = &system.modes[to];
    let mut out = Vec::new();
    for p in &ctx.progs {
        if p.action != Action::Migrate {
            continue;
        }
        let (Some((src, _)), Some((dst, _))) = (p.a_slot, p.b_slot) else {
            continue;
        };
        let Some(slot) = mb.slot(p.id) else {
            continue;
        };
        let mp = &mb.programs[slot];
        if !mp.allowed.contains(&src) {
            continue;
        }
        // B's memory use on the old module, with the program kept there
        let used: u64 = ctx
            .progs
            .iter()
            .filter(|q| q.b_slot.map(|s| s.0) == Some(src))
            .map(|q| q.memory)
            .sum();
        let cap = system.modules[src].memory;
        let with = used.saturating_add(p.memory);
        let why = if with > cap {
            format!(
                "{} may run on {} in {}, but the new table moves it to {}: keeping it would need {} on {}, which has {} ({} already used by the new table)",
                p.name,
                ctx.module_name(src),
                mb.name,
                ctx.module_name(dst),
                seamless_model::units::format_size_short(with),
                ctx.module_name(src),
                seamless_model::units::format_size_short(cap),
                seamless_model::units::format_size_short(used),
            )
        } else {
            format!(
                "{} may run on {} in {} and would fit there ({} of {} used with it), but the new table moves it to {}: pin it to {} in {} to avoid the migration, if the cores there leave room",
                p.name,
                ctx.module_name(src),
                mb.name,
                seamless_model::units::format_size_short(with),
                seamless_model::units::format_size_short(cap),
                ctx.module_name(dst),
                ctx.module_name(src),
                mb.name,
            )
        };
        out.push((p.id, why));
    }
    out
}

pub(crate) struct Planner<'c, 's> {
    pub ctx: &'c Ctx<'s>,
    pub opts: &'c PlanOptions,
    /// When the time limit runs out.
    pub deadline: Option<Instant>,
}

/// The work spent on one plan, against the budget and the deadline.
pub(crate) struct Meter {
    used: Cell<u64>,
    budget: u64,
    deadline: Option<Instant>,
    /// Set once out of budget (`false`) or time (`true`).
    out: Cell<Option<bool>>,
}

impl Meter {
    pub fn new(budget: u64, deadline: Option<Instant>) -> Meter {
        Meter {
            used: Cell::new(0),
            budget,
            deadline,
            out: Cell::new(None),
        }
    }

    /// Counts `steps` of work.
    pub fn add(&self, steps: u64) {
        self.used.set(self.used.get().saturating_add(steps));
    }

    /// Whether the budget or the time is spent (then it stays so).
    pub fn exhausted(&self) -> bool {
        if self.out.get().is_none() {
            if self.used.get() >= self.budget {
                self.out.set(Some(false));
            } else if self.deadline.is_some_and(|d| Instant::now() >= d) {
                self.out.set(Some(true));
            }
        }
        self.out.get().is_some()
    }

    /// The failure to report once exhausted.
    pub fn fail(&self) -> Fail {
        Fail::GaveUp {
            steps: self.used.get(),
            budget: self.budget,
            time_limit: self.out.get() == Some(true),
            closest: None,
        }
    }
}

impl<'c, 's> Planner<'c, 's> {
    /// A planner with the options' time limit starting now.
    pub fn new(ctx: &'c Ctx<'s>, opts: &'c PlanOptions) -> Planner<'c, 's> {
        Planner {
            ctx,
            opts,
            deadline: opts.time_limit.map(|d| Instant::now() + d),
        }
    }
}

impl Planner<'_, '_> {
    /// Searches switch points, phases and migration orders; the best plan by
    /// (latency, bytes), or the most telling failure.
    pub fn search(&self, request: u64) -> Result<Built, Fail> {
        let ctx = self.ctx;
        let ha = ctx.ha;
        if request >= ha {
            return Err(Fail::Bound {
                pi: usize::MAX,
                unavailability: 0,
                bound: 0,
                scheme: None,
                bottleneck: None,
                later_b_start: None,
                dest_full_until: None,
            });
        }
        if self.opts.prove {
            let proven = proof::infeasible(ctx);
            if !proven.is_empty() {
                return Err(Fail::Proven(proven));
            }
        }
        let r = request + ha;
        let first_s = r.div_ceil(ha) * ha;
        // migrations begin at the start instant (internal)
        let start = ctx.start_instant(request) + ha;
        let max_phase = self.opts.max_phase.unwrap_or(u64::MAX);
        let mut best: Option<Built> = None;
        let mut failure: Option<(Fail, (bool, u8, u64))> = None;
        let meter = Meter::new(self.opts.budget, self.deadline);
        // the failure to explain: one at φ = 0 before one a delayed B caused,
        // then a broken bound before other kinds, then the smallest excess
        let rank = |f: &Fail, phi: u64| -> (bool, u8, u64) {
            match f {
                Fail::Bound {
                    unavailability,
                    bound,
                    ..
                } => (phi > 0, 0, unavailability - bound),
                Fail::Memory { .. } => (phi > 0, 1, 0),
                Fail::Saturated { .. } => (phi > 0, 2, 0),
                Fail::GaveUp { .. } | Fail::Proven(_) => (true, 3, 0),
            }
        };
        let note = |failure: &mut Option<(Fail, (bool, u8, u64))>, f: Fail, phi: u64| {
            let r = rank(&f, phi);
            if failure.as_ref().is_none_or(|x| r < x.1) {
                *failure = Some((f, r));
            }
        };
        // Up to enough frame boundaries to copy the largest migrated
        // program's memory twice over the slowest link before the switch
        // point (pre-copy runs while the old table runs), however short A's
        // frame is; the boundaries past `switch_candidates` are tried only
        // while no plan has been found.
        let slowest = ctx
            .sys
            .network
            .links
            .iter()
            .map(|l| l.bandwidth)
            .min()
            .unwrap_or(1)
            .max(1);
        let bytes: u128 = ctx
            .progs
            .iter()
            .filter(|p| p.action == Action::Migrate)
            .map(|p| u128::from(p.memory) + u128::from(ctx.sys.migration.cpu_state))
            .max()
            .unwrap_or(0);
        let copy_ticks = (bytes * 8 * 1_000_000_000)
            .div_ceil(u128::from(slowest) * u128::from(ctx.sys.tick.ns.max(1)));
        let needed = (2 * copy_ticks).div_ceil(u128::from(ha.max(1))) + 2;
        let candidates = u64::from(self.opts.switch_candidates.max(1)).max(needed.min(256) as u64);
        for k in 0..candidates {
            let s = first_s + k * ha;
            // past the configured candidates, look further only while no
            // plan has been found
            if best.as_ref().is_some_and(|b| {
                s + ctx.b_first_end >= b.complete || k >= u64::from(self.opts.switch_candidates)
            }) {
                break;
            }
            let mut phis: VecDeque<u64> = VecDeque::from([0]);
            let mut tried_phi = BTreeSet::new();
            while let Some(phi) = phis.pop_front() {
                if phi > max_phase
                    || tried_phi.len() >= self.opts.phase_tries.max(1) as usize
                    || !tried_phi.insert(phi)
                {
                    continue;
                }
                let bs = s + phi;
                if best
                    .as_ref()
                    .is_some_and(|b| bs + ctx.b_first_end >= b.complete)
                {
                    continue;
                }
                let mut order: Option<Vec<usize>> = None;
                let mut seen_orders = BTreeSet::new();
                for _ in 0..=self.opts.reorders {
                    if meter.exhausted() {
                        return best.ok_or_else(|| gave_up(meter.fail(), failure));
                    }
                    let build = Build::new(ctx, self.opts, &meter, start, s, bs);
                    let ord = order
                        .clone()
                        .unwrap_or_else(|| initial_order(ctx, &build.migs));
                    if !seen_orders.insert(ord.clone()) {
                        break;
                    }
                    let migs_pi: Vec<usize> = build.migs.iter().map(|m| m.pi).collect();
                    let front = |pi: usize| migs_pi.iter().position(|&x| x == pi);
                    match build.run_all(&ord) {
                        Ok(b) => {
                            let better = best
                                .as_ref()
                                .is_none_or(|x| (b.complete, b.bytes) < (x.complete, x.bytes));
                            if better {
                                best = Some(b);
                            }
                            break;
                        }
                        Err(f @ Fail::GaveUp { .. }) => {
                            return best.ok_or_else(|| gave_up(f, failure));
                        }
                        Err(f) => {
                            if std::env::var_os("PLAN_DEBUG").is_some() {
                                eprintln!(
                                    "S={} phi={} order={:?}: {:?}",
                                    s - ha,
                                    phi,
                                    &ord[..ord.len().min(6)],
                                    f
                                );
                            }
                            let next = match &f {
                                Fail::Bound {
                                    pi, later_b_start, ..
                                } => {
                                    if let Some(t) = later_b_start
                                        && *t > s
                                    {
                                        phis.push_back(t - s);
                                    }
                                    front(*pi).map(|mi| {
                                        let mut o: Vec<usize> = vec![mi];
                                        o.extend(ord.iter().copied().filter(|&x| x != mi));
                                        o
                                    })
                                }
                                Fail::Memory {
                                    later_b_start: Some(t),
                                    ..
                                } if *t > s => {
                                    phis.push_back(t - s);
                                    None
                                }
                                _ => None,
                            };
                            note(&mut failure, f, phi);
                            match next {
                                Some(o) => order = Some(o),
                                None => break,
                            }
                        }
                    }
                }
            }
        }
        if std::env::var_os("PLAN_DEBUG").is_some() {
            eprintln!("r={request}: {} steps", meter.used.get());
        }
        best.ok_or_else(|| {
            failure.map(|x| x.0).unwrap_or(Fail::Bound {
                pi: usize::MAX,
                unavailability: 0,
                bound: 0,
                scheme: None,
                bottleneck: None,
                later_b_start: None,
                dest_full_until: None,
            })
        })
    }

    fn to_plan(&self, request: u64, b: &Built, a: &Schedule, bsched: &Schedule) -> Plan {
        let ctx = self.ctx;
        let sys = ctx.sys;
        let o = ctx.ha;
        let abs = |t: u64| t.saturating_sub(o);
        let r = request + o;
        let dir_names = |d: usize| {
            let h = sys.network.direction(d);
            (
                sys.network.nodes[h.from].name.clone(),
                sys.network.nodes[h.to].name.clone(),
            )
        };
        let mut migrations = Vec::new();
        let mut transfers = Vec::new();
        let mut skipped = Vec::new();
        let mut extended = Vec::new();
        let mut metrics = Metrics {
            transition_latency: b.complete - r,
            ..Metrics::default()
        };
        let mut first_dep = u64::MAX;
        let mut last_arr = 0u64;
        let mut latest_free = None::<u64>;
        for (m, c) in b.migs.iter().zip(&b.choices) {
            let p = &ctx.progs[m.pi];
            let slot = |s: Option<(usize, u32)>| {
                let (md, core) = s.unwrap_or((0, 0));
                Slot {
                    module: ctx.module_name(md).to_string(),
                    core,
                }
            };
            let tl = &c.tl;
            let downtime = c.dest.resume.saturating_sub(tl.suspension);
            migrations.push(Migration {
                program: p.name.clone(),
                from: slot(p.a_slot),
                to: slot(p.b_slot),
                scheme: tl.scheme,
                via: c.via.map(|v| ctx.module_name(v).to_string()),
                resume: abs(c.dest.resume),
                eviction: abs(tl.source_free),
                total_time: tl.last_arrival - tl.first_departure,
                downtime,
                bytes: tl.source_bytes,
                degradation: c.dest.degradation,
            });
            first_dep = first_dep.min(tl.first_departure);
            last_arr = last_arr.max(tl.last_arrival);
            latest_free = Some(latest_free.map_or(tl.source_free, |x| x.max(tl.source_free)));
            metrics.max_downtime = metrics.max_downtime.max(downtime);
            metrics.bytes = metrics.bytes.saturating_add(tl.source_bytes);
            metrics.degradation = metrics.degradation.saturating_add(c.dest.degradation);
            let mut ts: Vec<(u64, Transfer)> = tl
                .chunks
                .iter()
                .map(|ch| {
                    (
                        ch.depart(),
                        Transfer {
                            program: p.name.clone(),
                            phase: ch.phase.label(),
                            bytes: ch.bytes,
                            hops: ch
                                .hops
                                .iter()
                                .map(|h| {
                                    let (from, to) = dir_names(h.dir);
                                    HopEntry {
                                        from,
                                        to,
                                        start: abs(h.start),
                                        end: abs(h.end),
                                    }
                                })
                                .collect(),
                        },
                    )
                })
                .collect();
            ts.sort_by(|x, y| (x.0, &x.1.phase).cmp(&(y.0, &y.1.phase)));
            transfers.extend(ts.into_iter().map(|x| x.1));
            skipped.extend((0..c.dest.first_job).map(|index| JobRef {
                program: p.name.clone(),
                index,
            }));
            extended.extend(c.dest.extended.iter().map(|&(index, extra)| Extended {
                program: p.name.clone(),
                index,
                extra,
            }));
        }
        if let Some(f) = latest_free {
            metrics.eviction_time = f.saturating_sub(r);
            metrics.total_migration_time = last_arr.saturating_sub(first_dep);
        }
        let programs = ctx
            .progs
            .iter()
            .enumerate()
            .map(|(pi, p)| ProgramOutcome {
                program: p.name.clone(),
                action: p.action,
                unavailability: b.unavailability[pi],
                bound: p.bound,
            })
            .collect();
        Plan {
            from: sys.modes[ctx.from].name.clone(),
            to: sys.modes[ctx.to].name.clone(),
            tick: sys.tick.text.clone(),
            request,
            switch: abs(b.s),
            b_start: abs(b.bs),
            complete: abs(b.complete),
            migrations,
            transfers,
            skipped,
            extended,
            programs,
            metrics,
            from_schedule: a.clone(),
            to_schedule: bsched.clone(),
        }
    }
}

/// An out-of-budget failure, with the most telling failure met before.
fn gave_up(f: Fail, failure: Option<(Fail, (bool, u8, u64))>) -> Fail {
    match f {
        Fail::GaveUp {
            steps,
            budget,
            time_limit,
            ..
        } => Fail::GaveUp {
            steps,
            budget,
            time_limit,
            closest: failure.map(|x| Box::new(x.0)),
        },
        f => f,
    }
}

/// Tightest bound first, then the largest memory, then by name.
fn initial_order(ctx: &Ctx, migs: &[build::Mig]) -> Vec<usize> {
    let mut v: Vec<usize> = (0..migs.len()).collect();
    v.sort_by(|&x, &y| {
        let (p, q) = (&ctx.progs[migs[x].pi], &ctx.progs[migs[y].pi]);
        let kb = |b: Option<u64>| b.unwrap_or(u64::MAX);
        (kb(p.bound), std::cmp::Reverse(p.memory), &p.name).cmp(&(
            kb(q.bound),
            std::cmp::Reverse(q.memory),
            &q.name,
        ))
    });
    v
}

#[cfg(test)]
mod proof_tests;
#[cfg(test)]
mod tests;
