//! Why no plan exists, as data, and what would make one feasible.

use crate::build::Fail;
use crate::proof::{Lower, MigrationLower, Why};
use crate::{PlanOptions, Planner};
use seamless_model::plan::{Action, Scheme};
use seamless_model::units::{format_bandwidth, format_ns, format_size_short};
use seamless_model::{ModeId, System};
use serde::Serialize;
use std::fmt;

/// No valid plan was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoPlan {
    /// Name of the mode being left (A).
    pub from: String,
    /// Name of the mode being entered (B).
    pub to: String,
    /// The request instant in ticks from the start of the old mode's frame,
    /// when one was given.
    pub request: Option<u64>,
    /// What went wrong (the first problem the planner could not get around).
    pub problem: Box<Problem>,
    /// What would make the transition feasible, most direct first.
    pub remedies: Vec<Remedy>,
    /// The [`Remedy::Bandwidth`] changes applied all at once and planned
    /// again: whether they work together, and which of them would alone.
    pub together: Option<Box<Together>>,
    /// Nanoseconds per tick (for the text).
    pub tick_ns: u64,
}

/// The bandwidth remedies of a [`NoPlan`], planned again all applied at
/// once (the transition planned anew, not only the problem's program).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Together {
    /// The link directions raised, `(from, to)`, as in the remedies.
    pub links: Vec<(String, String)>,
    /// Bits per second they are raised to.
    pub at_least: u64,
    /// Per link, in the order of `links`: whether raising it alone (the
    /// others as they are) removes the problem.
    pub alone: Vec<bool>,
    /// With all of them raised: `None` when the transition is planned;
    /// otherwise the first line of the next problem met.
    pub then: Option<String>,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Problem {
    /// The inputs do not fit together (a schedule of another mode, unknown
    /// names, a request outside the frame).
    Input {
        /// The reason, as one sentence.
        message: String,
    },
    /// A program would be unavailable longer than its bound, with the best
    /// plan found.
    Unavailability {
        /// Name of the program concerned.
        program: String,
        /// What the plan does with it: `continue` on the same module, or
        /// `migrate`.
        action: Action,
        /// Its module in the old mode.
        from_module: String,
        /// Its module in the new mode (the same as `from_module` for
        /// `continue`).
        to_module: String,
        /// The scheme of the best attempt, for a migration.
        scheme: Option<Scheme>,
        /// How long it would be unavailable in the best plan found, in ticks
        /// (the unavailability of docs/format.md §10).
        unavailability: u64,
        /// Its bound `max_unavailability`, in ticks.
        bound: u64,
        /// `unavailability − bound`.
        shortfall: u64,
    },
    /// A module's memory would be exceeded.
    Memory {
        /// Name of the module whose memory would be exceeded.
        module: String,
        /// Absolute instant, in ticks from the start of the old frame in
        /// which the request arrives.
        at: u64,
        /// Bytes the programs resident on the module would need at `at`.
        needed: u64,
        /// The module's memory, in bytes.
        capacity: u64,
        /// The programs holding memory there then.
        programs: Vec<String>,
    },
    /// A migration chunk never fits on a link direction: the tables leave no
    /// free stretch long enough.
    Saturated {
        /// Name of the program whose migration chunk does not fit.
        program: String,
        /// Node the saturated link direction leaves.
        from: String,
        /// Node the saturated link direction enters.
        to: String,
    },
    /// Proven: no plan exists. A lower bound on a program's unavailability,
    /// valid for every request instant, switch point, phase, migration
    /// order and scheme, exceeds its bound (DESIGN.md, "Proofs of
    /// infeasibility"). Found without searching.
    Proven(Box<Proven>),
    /// The search ran out of its work budget (or hit the time limit)
    /// before it found a plan: one may still exist. Not a proof of
    /// impossibility, unlike the other problems.
    GaveUp {
        /// Steps spent (see `PlanOptions::budget`).
        steps: u64,
        /// The budget, in steps.
        budget: u64,
        /// Whether the time limit, not the budget, stopped it.
        time_limit: bool,
        /// The closest attempt before: why the best candidate tried
        /// failed, in words (not a proof that every candidate would).
        closest: Option<String>,
    },
}

/// Why no plan exists, for one program (the one with the largest excess),
/// and the other programs for which the same holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proven {
    /// Name of the program concerned.
    pub program: String,
    /// `migrate` or `continue`.
    pub action: Action,
    /// Its module in the old mode.
    pub from_module: String,
    /// Its module in the new mode.
    pub to_module: String,
    /// The least unavailability any plan gives it, in ticks.
    pub at_least: u64,
    /// Its bound `max_unavailability`, in ticks.
    pub bound: u64,
    /// What the lower bound rests on: `migration` (then `migration` is
    /// given), `stay` (a continuing program's last old job and first new
    /// job, the new table starting at the switch point), `old_table` or
    /// `new_table` (two consecutive completions of one table).
    pub reason: String,
    /// For a migration: the bound scheme by scheme.
    pub migration: Option<MigrationLower>,
    /// The other programs proven unable to meet their bounds, the largest
    /// excess first.
    pub others: Vec<ProvenOther>,
}

/// Another program of a [`Proven`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProvenOther {
    /// Name of the program.
    pub program: String,
    /// The least unavailability any plan gives it, in ticks.
    pub at_least: u64,
    /// Its bound, in ticks.
    pub bound: u64,
}

/// A change that would make the transition feasible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Remedy {
    /// Raise the bandwidth of the link whose direction `from → to` carries
    /// the migration (found by planning again with it).
    Bandwidth {
        /// Node the link direction to raise leaves.
        from: String,
        /// Node the link direction to raise enters.
        to: String,
        /// Bits per second now.
        current: u64,
        /// Bits per second with which a plan was found.
        at_least: u64,
    },
    /// Loosen the program's `max_unavailability`.
    LooserBound {
        /// Name of the program whose bound is too tight.
        program: String,
        /// Ticks the bound must at least allow.
        at_least: u64,
    },
    /// Keep the program on its module in the new mode (it is allowed there),
    /// so it continues instead of migrating.
    KeepOnModule {
        /// Name of the program to keep in place.
        program: String,
        /// The module it would keep (its module in the old mode).
        module: String,
        /// Name of the new mode, in which it would stay on `module`.
        mode: String,
    },
    /// Tables that leave the program a shorter gap: its last job of the old
    /// table later in the frame, or its first job of the new one earlier.
    Tables {
        /// Name of the program whose gap is too long.
        program: String,
    },
    /// More memory on a module.
    MoreMemory {
        /// Name of the module that lacks memory.
        module: String,
        /// Bytes of memory with which the switch fits.
        at_least: u64,
    },
    /// The destination is full of the old mode's programs until `until`
    /// (absolute): with this much memory (or a table that leaves this much
    /// room there), the migration could start before the switch (pre-copy).
    RoomBeforeSwitch {
        /// Name of the destination module that is full.
        module: String,
        /// Absolute instant, in ticks (from the start of the old frame in which
        /// the request arrives), until which the module is full.
        until: u64,
        /// Bytes of memory on the module with which the copy could start early.
        at_least: u64,
    },
    /// Smaller migration chunks (the `chunk` parameter).
    SmallerChunks,
}

impl NoPlan {
    pub(crate) fn input(
        sys: &System,
        from: ModeId,
        to: ModeId,
        request: Option<u64>,
        message: String,
    ) -> NoPlan {
        let name = |m: ModeId| {
            sys.modes
                .get(m)
                .map_or_else(|| format!("#{m}"), |x| x.name.clone())
        };
        NoPlan {
            from: name(from),
            to: name(to),
            request,
            problem: Box::new(Problem::Input { message }),
            remedies: Vec::new(),
            together: None,
            tick_ns: sys.tick.ns,
        }
    }

    /// The program the explanation names, if any.
    pub fn program(&self) -> Option<&str> {
        match &*self.problem {
            Problem::Unavailability { program, .. } | Problem::Saturated { program, .. } => {
                Some(program)
            }
            Problem::Proven(p) => Some(&p.program),
            _ => None,
        }
    }
}

/// What a replan with more bandwidth must achieve.
#[derive(Debug, Clone, Copy)]
enum Goal {
    /// This program's bound holds.
    Bound(usize),
    /// This module's memory holds.
    Memory(usize),
}

impl Planner<'_, '_> {
    /// The route links of the migrations holding `module`'s memory, raised
    /// together: the bandwidth with which they leave in time.
    fn memory_bandwidth(
        &self,
        request: u64,
        module: usize,
        holders: &[usize],
    ) -> (Vec<Remedy>, Option<Together>) {
        let mut links: Vec<(usize, usize)> = Vec::new();
        for &h in holders {
            let p = &self.ctx.progs[h];
            if p.action == Action::Migrate
                && let Some(v) = self.route_links(h)
            {
                links.extend(v);
            }
        }
        links.sort_unstable();
        links.dedup();
        self.bandwidth_remedy(request, Goal::Memory(module), &links)
    }

    /// The slowest of `links`, raised together to the least bandwidth found
    /// with which `goal` holds (planned again): a remedy per link, and the
    /// change planned again all at once and one by one. Empty when no
    /// bandwidth up to 64 times the current one is shown to work.
    fn bandwidth_remedy(
        &self,
        request: u64,
        goal: Goal,
        links: &[(usize, usize)],
    ) -> (Vec<Remedy>, Option<Together>) {
        let sys = self.ctx.sys;
        let Some(current) = links
            .iter()
            .map(|&(l, _)| sys.network.links[l].bandwidth)
            .min()
        else {
            return (Vec::new(), None);
        };
        let slow: Vec<(usize, usize)> = links
            .iter()
            .copied()
            .filter(|&(l, _)| sys.network.links[l].bandwidth == current)
            .collect();
        let Some(bw) = self.bandwidth_that_works(request, goal, &slow, current) else {
            return (Vec::new(), None);
        };
        let remedies = slow
            .iter()
            .map(|&(_, d)| {
                let h = sys.network.direction(d);
                Remedy::Bandwidth {
                    from: sys.network.nodes[h.from].name.clone(),
                    to: sys.network.nodes[h.to].name.clone(),
                    current,
                    at_least: bw,
                }
            })
            .collect();
        (remedies, Some(self.together(request, goal, &slow, bw)))
    }

    /// The bandwidth changes `links` at `bw`, planned again all at once and
    /// one by one.
    fn together(&self, request: u64, goal: Goal, links: &[(usize, usize)], bw: u64) -> Together {
        let net = &self.ctx.sys.network;
        let names = |d: usize| {
            let h = net.direction(d);
            (net.nodes[h.from].name.clone(), net.nodes[h.to].name.clone())
        };
        let alone = if links.len() > 1 {
            links
                .iter()
                .map(|&l| self.works_with(request, goal, &[l], bw, self.opts.budget))
                .collect()
        } else {
            vec![true; links.len()]
        };
        Together {
            links: links.iter().map(|&(_, d)| names(d)).collect(),
            at_least: bw,
            alone,
            then: self.replan(request, links, bw),
        }
    }

    /// Plans the transition again with the `links` at `bw` bits/s (at
    /// least): `None` when a plan is found, else the first line of why not.
    fn replan(&self, request: u64, links: &[(usize, usize)], bw: u64) -> Option<String> {
        self.with_links(links, bw, self.opts.budget, |p2| match p2.search(request) {
            Ok(_) => None,
            Err(f) => Some(
                p2.no_plan(request, f)
                    .to_string()
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            ),
        })
    }

    /// Runs `f` with a planner over the system with the `links` at `bw`
    /// bits/s (at least), explanations off, `budget` steps per plan.
    fn with_links<R>(
        &self,
        links: &[(usize, usize)],
        bw: u64,
        budget: u64,
        f: impl FnOnce(&Planner) -> R,
    ) -> R {
        let mut sys2 = self.ctx.sys.clone();
        for &(l, _) in links {
            let b = &mut sys2.network.links[l].bandwidth;
            *b = (*b).max(bw);
        }
        let mut ctx2 = self.ctx.clone();
        ctx2.sys = &sys2;
        let opts = PlanOptions {
            explain: false,
            budget,
            ..self.opts.clone()
        };
        f(&Planner {
            ctx: &ctx2,
            opts: &opts,
            deadline: self.deadline,
        })
    }

    pub(crate) fn no_plan(&self, request: u64, f: Fail) -> NoPlan {
        let ctx = self.ctx;
        let sys = ctx.sys;
        let o = ctx.ha;
        let mut np = NoPlan::input(sys, ctx.from, ctx.to, Some(request), String::new());
        let dir_names = |d: usize| {
            let h = sys.network.direction(d);
            (
                sys.network.nodes[h.from].name.clone(),
                sys.network.nodes[h.to].name.clone(),
            )
        };
        match f {
            Fail::Bound { pi, .. } if pi >= ctx.progs.len() => {
                np.problem = Box::new(Problem::Input {
                    message: format!(
                        "the request instant {request} is outside the old mode's frame [0, {})",
                        ctx.ha
                    ),
                });
            }
            Fail::Bound {
                pi,
                unavailability,
                bound,
                scheme,
                bottleneck,
                dest_full_until,
                ..
            } => {
                let p = &ctx.progs[pi];
                let m = |s: Option<(usize, u32)>| {
                    s.map_or(String::new(), |s| ctx.module_name(s.0).to_string())
                };
                np.problem = Box::new(Problem::Unavailability {
                    program: p.name.clone(),
                    action: p.action,
                    from_module: m(p.a_slot),
                    to_module: m(p.b_slot),
                    scheme,
                    unavailability,
                    bound,
                    shortfall: unavailability.saturating_sub(bound),
                });
                if let (Some(_), true, Some(mi)) =
                    (bottleneck, self.opts.explain, self.route_links(pi))
                {
                    // every slowest link of the route, raised together
                    let (remedies, together) = self.bandwidth_remedy(request, Goal::Bound(pi), &mi);
                    np.together = together.map(Box::new);
                    np.remedies.extend(remedies);
                }
                if let Some((module, until)) = dest_full_until {
                    np.remedies.push(Remedy::RoomBeforeSwitch {
                        module: ctx.module_name(module).to_string(),
                        until: until.saturating_sub(o),
                        at_least: sys.modules[module].memory.saturating_add(p.memory),
                    });
                }
                np.remedies.push(Remedy::LooserBound {
                    program: p.name.clone(),
                    at_least: unavailability,
                });
                if p.action == Action::Migrate {
                    np.remedies.extend(keep_on_module(ctx, p));
                } else {
                    np.remedies.push(Remedy::Tables {
                        program: p.name.clone(),
                    });
                }
            }
            Fail::Memory {
                module,
                at,
                used,
                holders,
                ..
            } => {
                let capacity = sys.modules[module].memory;
                np.problem = Box::new(Problem::Memory {
                    module: ctx.module_name(module).to_string(),
                    at: at.saturating_sub(o),
                    needed: used,
                    capacity,
                    programs: holders.iter().map(|&h| ctx.progs[h].name.clone()).collect(),
                });
                np.remedies.push(Remedy::MoreMemory {
                    module: ctx.module_name(module).to_string(),
                    at_least: used,
                });
                if self.opts.explain {
                    let (more, together) = self.memory_bandwidth(request, module, &holders);
                    np.remedies.extend(more);
                    np.together = together.map(Box::new);
                }
            }
            Fail::Proven(lows) => self.explain_proven(request, &lows, &mut np),
            Fail::GaveUp {
                steps,
                budget,
                time_limit,
                closest,
            } => {
                // the closest attempt, in words, without replanning
                let closest = closest.map(|c| {
                    let quiet = PlanOptions {
                        explain: false,
                        ..self.opts.clone()
                    };
                    let p = Planner {
                        ctx: self.ctx,
                        opts: &quiet,
                        deadline: self.deadline,
                    };
                    let np = p.no_plan(request, *c);
                    let text = np.to_string();
                    let first = text.lines().next().unwrap_or_default();
                    first.split_once(": ").map_or(first, |x| x.1).to_string()
                });
                np.problem = Box::new(Problem::GaveUp {
                    steps,
                    budget,
                    time_limit,
                    closest,
                });
            }
            Fail::Saturated { pi, dir } => {
                let (from, to) = dir_names(dir);
                np.problem = Box::new(Problem::Saturated {
                    program: ctx.progs[pi].name.clone(),
                    from,
                    to,
                });
                np.remedies.push(Remedy::SmallerChunks);
            }
        }
        np
    }

    /// The problem and remedies of a proof: the program with the largest
    /// excess, the others named; more bandwidth on its route found by
    /// planning again (a migration), a looser bound, keeping it in place,
    /// other tables.
    fn explain_proven(&self, request: u64, lows: &[Lower], np: &mut NoPlan) {
        let ctx = self.ctx;
        let Some(first) = lows.first() else {
            return;
        };
        let p = &ctx.progs[first.pi];
        let m =
            |s: Option<(usize, u32)>| s.map_or(String::new(), |s| ctx.module_name(s.0).to_string());
        let (reason, migration) = match &first.why {
            Why::Migration(ml) => ("migration", Some(ml.clone())),
            Why::Stay { .. } => ("stay", None),
            Why::Table { new: false, .. } => ("old_table", None),
            Why::Table { new: true, .. } => ("new_table", None),
        };
        *np.problem = Problem::Proven(Box::new(Proven {
            program: p.name.clone(),
            action: p.action,
            from_module: m(p.a_slot),
            to_module: m(p.b_slot),
            at_least: first.at_least,
            bound: first.bound,
            reason: reason.to_string(),
            migration,
            others: lows[1..]
                .iter()
                .map(|l| ProvenOther {
                    program: ctx.progs[l.pi].name.clone(),
                    at_least: l.at_least,
                    bound: l.bound,
                })
                .collect(),
        }));
        if let (Why::Migration(_), true, Some(links)) =
            (&first.why, self.opts.explain, self.route_links(first.pi))
        {
            let (remedies, together) =
                self.bandwidth_remedy(request, Goal::Bound(first.pi), &links);
            np.together = together.map(Box::new);
            np.remedies.extend(remedies);
        }
        np.remedies.push(Remedy::LooserBound {
            program: p.name.clone(),
            at_least: first.at_least,
        });
        match &first.why {
            Why::Migration(_) => np.remedies.extend(keep_on_module(ctx, p)),
            Why::Stay { .. } | Why::Table { .. } => np.remedies.push(Remedy::Tables {
                program: p.name.clone(),
            }),
        }
    }

    /// `(link, direction)` of each hop of a migrated program's route.
    fn route_links(&self, pi: usize) -> Option<Vec<(usize, usize)>> {
        let p = &self.ctx.progs[pi];
        let (src, dst) = (p.a_slot?.0, p.b_slot?.0);
        let net = &self.ctx.sys.network;
        let hops = net.route(src, dst);
        if hops.is_empty() {
            return None;
        }
        Some(
            hops.iter()
                .map(|h| (h.link, h.dir_id(&net.links)))
                .collect(),
        )
    }

    /// Whether planning again with the `links` at `bw` bits/s (at least)
    /// meets program `pi`'s bound (the whole plan, or at least that program),
    /// within `budget` steps.
    fn works_with(
        &self,
        request: u64,
        goal: Goal,
        links: &[(usize, usize)],
        bw: u64,
        budget: u64,
    ) -> bool {
        self.with_links(links, bw, budget, |p2| match (p2.search(request), goal) {
            (Ok(_), _) => true,
            // (not shown to work)
            (Err(Fail::GaveUp { .. }), _) => false,
            (Err(Fail::Proven(l)), Goal::Bound(pi)) => l.iter().all(|x| x.pi != pi),
            (Err(Fail::Proven(_)), Goal::Memory(_)) => true,
            (Err(Fail::Bound { pi: q, .. }), Goal::Bound(pi)) => q != pi,
            (Err(Fail::Memory { module: m, .. }), Goal::Memory(module)) => m != module,
            (Err(Fail::Bound { .. }), Goal::Memory(_)) => true,
            (Err(Fail::Memory { .. }), Goal::Bound(_)) => true,
            (Err(_), _) => true,
        })
    }

    /// The smallest bandwidth found (powers of two, then a short bisection,
    /// rounded up to two significant digits) with which the program's bound
    /// holds; `None` beyond 64×.
    fn bandwidth_that_works(
        &self,
        request: u64,
        goal: Goal,
        links: &[(usize, usize)],
        cur: u64,
    ) -> Option<u64> {
        // a candidate bandwidth gets the smaller remedy budget: the search
        // tries a dozen of them; the one named is planned again in full
        let budget = self.opts.remedy_budget.min(self.opts.budget);
        let mut hi = None;
        for f in [2u64, 4, 8, 16, 32, 64] {
            let bw = cur.checked_mul(f)?;
            if self.works_with(request, goal, links, bw, budget) {
                hi = Some(bw);
                break;
            }
        }
        let mut hi = hi?;
        let mut lo = hi / 2;
        for _ in 0..4 {
            let mid = lo + (hi - lo) / 2;
            if mid <= lo {
                break;
            }
            if self.works_with(request, goal, links, mid, budget) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        let mut unit = 1u64;
        while hi / unit >= 100 {
            unit *= 10;
        }
        let up = hi.div_ceil(unit) * unit;
        Some(if self.works_with(request, goal, links, up, budget) {
            up
        } else {
            hi
        })
    }
}

impl fmt::Display for NoPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ns = self.tick_ns;
        let t = |x: u64| format_ns(u128::from(x) * u128::from(ns));
        write!(f, "no plan for the switch {} → {}", self.from, self.to)?;
        if let Some(r) = self.request {
            write!(f, " requested at {}", t(r))?;
        }
        write!(f, ": ")?;
        match &*self.problem {
            Problem::Input { message } => write!(f, "{message}")?,
            Problem::Unavailability {
                program,
                action,
                from_module,
                to_module,
                scheme,
                unavailability,
                bound,
                shortfall,
            } => {
                match action {
                    Action::Migrate => write!(
                        f,
                        "program `{program}` (migrated {from_module} → {to_module}{}) would be unavailable for {}",
                        scheme.map_or(String::new(), |s| format!(
                            ", best scheme found: {}",
                            s.name()
                        )),
                        t(*unavailability)
                    )?,
                    _ => write!(
                        f,
                        "program `{program}` (continuing on {from_module}) would be unavailable for {} between its last job of the old table and its first job of the new one",
                        t(*unavailability)
                    )?,
                }
                write!(
                    f,
                    ", above its bound max_unavailability = {} by {}",
                    t(*bound),
                    t(*shortfall)
                )?;
            }
            Problem::Memory {
                module,
                at,
                needed,
                capacity,
                programs,
            } => write!(
                f,
                "module `{module}` would need {} at {} but has {} (held by {})",
                format_size_short(*needed),
                t(*at),
                format_size_short(*capacity),
                programs.join(", ")
            )?,
            Problem::GaveUp {
                steps,
                budget,
                time_limit,
                closest,
            } => {
                if *time_limit {
                    write!(
                        f,
                        "no plan found within the time limit ({steps} steps spent); one may still exist: raise --time-limit"
                    )?;
                } else {
                    write!(
                        f,
                        "no plan found within the budget ({steps} of {budget} steps spent); one may still exist: raise --plan-budget"
                    )?;
                }
                if let Some(c) = closest {
                    write!(
                        f,
                        "
  closest attempt: {c}"
                    )?;
                }
            }
            Problem::Proven(pr) => write_proven(f, pr, &self.to, ns)?,
            Problem::Saturated { program, from, to } => write!(
                f,
                "no chunk of `{program}` fits on the link direction {from} → {to}: the tables leave no free stretch as long as one chunk's transmission"
            )?,
        }
        if !self.remedies.is_empty() {
            write!(f, "\nwhat would make it feasible:")?;
            let mut grouped = false;
            for r in &self.remedies {
                if let (Remedy::Bandwidth { current, .. }, Some(t)) = (r, &self.together)
                    && t.links.len() > 1
                {
                    if grouped {
                        continue;
                    }
                    grouped = true;
                    write!(f, "\n  - ")?;
                    write_together(f, t, *current)?;
                    continue;
                }
                write!(f, "\n  - ")?;
                match r {
                    Remedy::Bandwidth {
                        from,
                        to,
                        current,
                        at_least,
                    } if self.together.as_ref().is_some_and(|t| t.then.is_some()) => write!(
                        f,
                        "raise the bandwidth of the link {from}–{to} (its direction {from} → {to} carries the migration) from {} to {}: this problem is gone, but planned again the switch still fails: {}",
                        format_bandwidth(*current),
                        format_bandwidth(*at_least),
                        self.together
                            .as_ref()
                            .and_then(|t| t.then.as_deref())
                            .unwrap_or_default()
                    )?,
                    Remedy::Bandwidth {
                        from,
                        to,
                        current,
                        at_least,
                    } => write!(
                        f,
                        "raise the bandwidth of the link {from}–{to} (its direction {from} → {to} carries the migration) from {} to {} (planned again with that bandwidth, the switch is planned)",
                        format_bandwidth(*current),
                        format_bandwidth(*at_least)
                    )?,
                    Remedy::LooserBound { program, at_least } => write!(
                        f,
                        "loosen {program}'s max_unavailability to at least {}",
                        t(*at_least)
                    )?,
                    Remedy::KeepOnModule {
                        program,
                        module,
                        mode,
                    } => write!(
                        f,
                        "keep {program} on {module} in {mode} (it is allowed there), so it continues instead of migrating"
                    )?,
                    Remedy::Tables { program } => write!(
                        f,
                        "tables that place {program}'s last job of the old mode later in its frame, or its first job of the new mode earlier"
                    )?,
                    Remedy::MoreMemory { module, at_least } => write!(
                        f,
                        "give {module} at least {} of memory",
                        format_size_short(*at_least)
                    )?,
                    Remedy::RoomBeforeSwitch {
                        module,
                        until,
                        at_least,
                    } => write!(
                        f,
                        "room on {module} before the switch: it is full with the old mode's programs until {}, so no copy can start early; with {} there (or an old table that leaves room), pre-copy could",
                        t(*until),
                        format_size_short(*at_least)
                    )?,
                    Remedy::SmallerChunks => {
                        write!(f, "use smaller migration chunks (the `chunk` parameter)")?
                    }
                }
            }
        }
        Ok(())
    }
}

/// A proof in an integrator's words: the program, the least unavailability
/// and why, scheme by scheme for a migration, then the other programs.
fn write_proven(f: &mut fmt::Formatter<'_>, pr: &Proven, to: &str, ns: u64) -> fmt::Result {
    let t = |x: u64| format_ns(u128::from(x) * u128::from(ns));
    let Proven {
        program,
        action,
        from_module,
        to_module,
        at_least,
        bound,
        reason,
        migration,
        others,
    } = pr;
    let what = match action {
        Action::Migrate => format!("migrated {from_module} → {to_module}"),
        _ => format!("continuing on {from_module}"),
    };
    write!(
        f,
        "proven: no plan exists with these two tables (at any request instant, switch point, phase or \
         migration order): \
         program `{program}` ({what}) would be unavailable for at least {}, above its bound \
         max_unavailability = {} by at least {}",
        t(*at_least),
        t(*bound),
        t(at_least.saturating_sub(*bound))
    )?;
    match (reason.as_str(), migration) {
        ("migration", Some(ml)) => {
            write!(
                f,
                "\n  why: from its last old job on, even alone on its route (no other traffic; slowest link {}) \
                 and at the most favourable switch point, these bytes must arrive before its first job in {to} \
                 (at least {} long) can complete:",
                format_bandwidth(ml.route_bandwidth),
                t(ml.job)
            )?;
            for sl in &ml.schemes {
                let what = match sl.scheme {
                    Scheme::StopAndCopy => "its memory and CPU state",
                    Scheme::PreCopy => "at least the pages its last job dirtied, and the CPU state",
                    Scheme::PostCopy => {
                        "the CPU state and its working set (faults fetch no faster than the stream)"
                    }
                    Scheme::Hybrid => {
                        "the CPU state and the pages its last job dirtied (fetched or streamed)"
                    }
                    Scheme::ScatterGather => {
                        "its memory and CPU state, over the fastest links of both modules"
                    }
                };
                write!(
                    f,
                    "\n    {:<15} {:>10}  {:<80} at least {}",
                    sl.scheme.name(),
                    format_size_short(sl.bytes),
                    what,
                    t(sl.at_least)
                )?;
            }
            if ml.full_until_switch {
                write!(
                    f,
                    "\n  ({to_module} is full with the old mode's programs until the switch point: nothing of `{program}` can enter it before)"
                )?;
            }
        }
        ("stay", _) => write!(
            f,
            "\n  why: the tables leave it that long between its last job of the old table and its first job of the new one, even with the new table starting at the switch point"
        )?,
        ("old_table", _) => write!(
            f,
            "\n  why: two consecutive jobs of the old table complete that far apart"
        )?,
        _ => write!(
            f,
            "\n  why: two consecutive jobs of the new table complete that far apart"
        )?,
    }
    if !others.is_empty() {
        let list: Vec<String> = others
            .iter()
            .take(12)
            .map(|o| {
                format!(
                    "`{}` (at least {}, bound {})",
                    o.program,
                    t(o.at_least),
                    t(o.bound)
                )
            })
            .collect();
        write!(
            f,
            "\n  proven likewise for {} other program(s): {}{}",
            others.len(),
            list.join(", "),
            if others.len() > 12 { ", …" } else { "" }
        )?;
    }
    Ok(())
}

/// The bandwidth remedies as one change: which links, together, and what
/// planning again with all of them gave.
fn write_together(f: &mut fmt::Formatter<'_>, t: &Together, current: u64) -> fmt::Result {
    let links: Vec<String> = t.links.iter().map(|(a, b)| format!("{a}–{b}")).collect();
    let dirs: Vec<String> = t.links.iter().map(|(a, b)| format!("{a} → {b}")).collect();
    write!(
        f,
        "raise the bandwidth of the links {} together (their directions {} carry the migration) from {} to {}",
        links.join(" and "),
        dirs.join(", "),
        format_bandwidth(current),
        format_bandwidth(t.at_least)
    )?;
    let alone: Vec<&str> = t
        .links
        .iter()
        .zip(&t.alone)
        .filter(|(_, a)| **a)
        .map(|((a, _), _)| a.as_str())
        .collect();
    if alone.is_empty() {
        write!(f, "; raising only one of them is not enough")?;
    } else if alone.len() < t.links.len() {
        write!(
            f,
            "; raising only the link(s) from {} would do",
            alone.join(", ")
        )?;
    }
    match &t.then {
        None => write!(
            f,
            " (planned again with all of them raised: the switch is planned)"
        ),
        Some(next) => write!(
            f,
            " (planned again with all of them raised, this problem is gone but the switch still fails: {next})"
        ),
    }
}

impl std::error::Error for NoPlan {}

/// Keeping a migrated program on its old module, when the new mode allows
/// it there.
fn keep_on_module(ctx: &crate::ctx::Ctx, p: &crate::ctx::Prog) -> Option<Remedy> {
    let mb = &ctx.sys.modes[ctx.to];
    let (slot, (src, _)) = (mb.slot(p.id)?, p.a_slot?);
    mb.programs[slot]
        .allowed
        .contains(&src)
        .then(|| Remedy::KeepOnModule {
            program: p.name.clone(),
            module: ctx.module_name(src).to_string(),
            mode: mb.name.clone(),
        })
}
