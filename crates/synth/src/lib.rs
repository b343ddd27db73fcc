//! Time-triggered schedule synthesis for every mode of a system: programs
//! placed on modules and cores, job start times, and message transmissions
//! hop by hop over the switched network (docs/format.md §9, output as §8).
//!
//! - [`synthesize`] schedules every mode, in a fixed order, passing each
//!   mode a [`PlacementHint`] from the modes already placed so that programs
//!   shared across an allowed transition stay on their module (every change
//!   of module is a live migration at the mode switch), and reports per
//!   transition the programs that still move ([`TransitionMoves`]).
//! - [`synthesize_mode`] schedules one mode: necessary conditions first
//!   ([`necessary_conditions`]; when one fails the mode is proven
//!   infeasible), then placement, then start times with repair.
//! - [`summarize`] measures a schedule: utilisation per core and link
//!   direction, smallest slack.
//!
//! Deterministic: the same input gives the same output, byte for byte. The
//! search effort is bounded by [`Options::budget`] (elementary placement
//! steps) and fixed step budgets inside the placement search, never by the
//! clock; [`Options::time_limit`] is only a safety cap: a result obtained by
//! hitting it ([`Stop::TimeLimit`], or a round skipped for lack of time)
//! depends on the speed of the machine.
//!
//! The algorithm per mode, in short:
//! 1. necessary conditions (`necessary.rs`): proven impossibility ends here;
//! 2. placement (`placement.rs`): a packing of programs onto cores (memory,
//!    processor load, pairwise compatibility, fragmentation; hints, then
//!    communication as soft costs), greedy then tabu search;
//! 3. start times (`engine.rs`): one offset per program where possible, by
//!    depth-first search per core when needed, then job-by-job list
//!    scheduling by latest start over sorted free-interval timelines, with
//!    journaled rip-up-and-reinsert repair and program moves;
//! 4. up to eight rounds: programs that still fail are kept off their cores
//!    in the next placement; last, job by job on the final placement.

#![deny(missing_docs)]

mod engine;
mod infeasible;
mod necessary;
mod placement;
mod portfolio;
mod problem;
mod summary;
mod timeline;

pub use infeasible::{
    Capacity, Explained, Finding, GaveUp, Infeasible, JobMiss, MessageMiss, Resource, ResourceLoad,
    Stop, UnplacedProgram, per_mille, resource_name,
};
pub use necessary::necessary_conditions;
pub use summary::{CoreUse, JobSlack, LinkUse, MessageSlack, Summary, summarize};

use seamless_model::schedule::Schedule;
use seamless_model::{ModeId, ModuleId, ProgramId, System, Ticks};
use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, Instant};

/// What the search is doing, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Necessary conditions.
    Checking,
    /// Programs onto modules and cores.
    Placing,
    /// Jobs and message instances in time (`done` of `total` entities).
    Scheduling,
    /// Second attempts at what is still unplaced.
    Repairing,
    /// The complete search: a short one after the heuristic's first round
    /// failed, the rest of the budget after its last.
    Exact,
    /// The mode is finished (scheduled or not).
    Done,
}

/// A progress report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// The mode being scheduled.
    pub mode: ModeId,
    /// What the search is doing.
    pub phase: Phase,
    /// Units of work done in this phase (programs placed, entities scheduled;
    /// 0 or 1 for the other phases).
    pub done: u64,
    /// Units of work of this phase in all (`done` ≤ `total`).
    pub total: u64,
}

/// Search options.
#[derive(Clone, Copy)]
pub struct Options<'a> {
    /// Safety cap per mode (default 10 s). Hitting it stops the placement
    /// and repair searches and skips the remaining rounds, which makes the
    /// result depend on the speed (and load) of the machine; the budgets
    /// are what normally bound the search.
    pub time_limit: Duration,
    /// Work budget per mode, in elementary placement steps (default
    /// 100,000,000; a few seconds on one core for the largest systems).
    /// The first pass over every job and message instance counts too.
    pub budget: u64,
    /// Called now and then with what the search is doing.
    pub progress: Option<&'a (dyn Fn(Progress) + Sync)>,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            time_limit: Duration::from_secs(10),
            budget: 100_000_000,
            progress: None,
        }
    }
}

impl fmt::Debug for Options<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("time_limit", &self.time_limit)
            .field("budget", &self.budget)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// Preferred placement per program, from modes already placed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlacementHint {
    /// Program → (module, core if it should be kept too). A hint outside the
    /// program's allowed modules in the mode is ignored; a pin wins.
    pub preferred: BTreeMap<ProgramId, (ModuleId, Option<u32>)>,
}

impl PlacementHint {
    /// The placement of a schedule as a hint (names resolved in `system`;
    /// unknown names are skipped).
    pub fn from_schedule(system: &System, schedule: &Schedule) -> PlacementHint {
        let programs = name_index(system.programs.iter().map(|p| p.name.as_str()));
        let modules = name_index(system.modules.iter().map(|m| m.name.as_str()));
        let mut preferred = BTreeMap::new();
        for pl in &schedule.placement {
            if let (Some(&p), Some(&m)) = (
                programs.get(pl.program.as_str()),
                modules.get(pl.module.as_str()),
            ) {
                preferred.insert(p, (m, Some(pl.core)));
            }
        }
        PlacementHint { preferred }
    }
}

/// Shared programs that change module on one allowed transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionMoves {
    /// The mode the transition leaves.
    pub from: ModeId,
    /// The mode the transition enters.
    pub to: ModeId,
    /// Programs in both modes placed on different modules (ascending).
    pub programs: Vec<ProgramId>,
}

/// Schedules of every mode (indexed like `System::modes`) and the moves per
/// allowed transition between two scheduled modes (in `System::transitions`
/// order).
#[derive(Debug, Clone)]
pub struct Synthesis {
    /// Per mode, in `System::modes` order: its schedule, or why it has none.
    pub modes: Vec<Result<Schedule, Infeasible>>,
    /// Per allowed transition whose two modes were both scheduled, in
    /// `System::transitions` order.
    pub moves: Vec<TransitionMoves>,
}

fn name_index<'a>(names: impl Iterator<Item = &'a str>) -> BTreeMap<&'a str, usize> {
    names.enumerate().map(|(i, n)| (n, i)).collect()
}

/// The order modes are scheduled in: breadth-first over the transition
/// graph (both directions), from the mode with the most programs (lowest
/// index on ties), neighbours by index; other components likewise.
pub fn mode_order(system: &System) -> Vec<ModeId> {
    let n = system.modes.len();
    let mut adj: Vec<Vec<ModeId>> = vec![Vec::new(); n];
    for &(a, b) in &system.transitions {
        if a < n && b < n {
            adj[a].push(b);
            adj[b].push(a);
        }
    }
    for a in &mut adj {
        a.sort_unstable();
        a.dedup();
    }
    let mut roots: Vec<ModeId> = (0..n).collect();
    roots.sort_by_key(|&m| (std::cmp::Reverse(system.modes[m].programs.len()), m));
    let mut seen = vec![false; n];
    let mut out = Vec::with_capacity(n);
    for r in roots {
        if seen[r] {
            continue;
        }
        seen[r] = true;
        let mut queue = std::collections::VecDeque::from([r]);
        while let Some(m) = queue.pop_front() {
            out.push(m);
            for &x in &adj[m] {
                if !seen[x] {
                    seen[x] = true;
                    queue.push_back(x);
                }
            }
        }
    }
    out
}

/// Schedules every mode. Deterministic (see the crate documentation).
pub fn synthesize(system: &System, opts: &Options) -> Synthesis {
    let n = system.modes.len();
    let mut results: Vec<Option<Result<Schedule, Infeasible>>> = (0..n).map(|_| None).collect();
    // per mode: program → (module, core), for the modes scheduled
    let mut placed: Vec<Option<BTreeMap<ProgramId, (ModuleId, u32)>>> = vec![None; n];
    let mut adjacent = vec![vec![false; n]; n];
    for &(a, b) in &system.transitions {
        if a < n && b < n {
            adjacent[a][b] = true;
            adjacent[b][a] = true;
        }
    }
    let order = mode_order(system);
    let mut done: Vec<ModeId> = Vec::new();
    for &mode in &order {
        let mut hint = PlacementHint::default();
        // neighbours first, then any earlier mode, each in scheduling order
        for pass in 0..2 {
            for &d in &done {
                if (pass == 0) != adjacent[mode][d] {
                    continue;
                }
                if let Some(pl) = &placed[d] {
                    for mp in &system.modes[mode].programs {
                        if let Some(&(m, c)) = pl.get(&mp.program) {
                            hint.preferred.entry(mp.program).or_insert((m, Some(c)));
                        }
                    }
                }
            }
        }
        let r = synthesize_mode(system, mode, &hint, opts);
        if let Ok(s) = &r {
            let h = PlacementHint::from_schedule(system, s);
            placed[mode] = Some(
                h.preferred
                    .into_iter()
                    .map(|(p, (m, c))| (p, (m, c.unwrap_or(0))))
                    .collect(),
            );
        }
        results[mode] = Some(r);
        done.push(mode);
    }
    let mut moves = Vec::new();
    for &(a, b) in &system.transitions {
        let (Some(Some(pa)), Some(Some(pb))) = (placed.get(a), placed.get(b)) else {
            continue;
        };
        let programs = pa
            .iter()
            .filter(|(p, (m, _))| pb.get(p).is_some_and(|(mb, _)| mb != m))
            .map(|(&p, _)| p)
            .collect();
        moves.push(TransitionMoves {
            from: a,
            to: b,
            programs,
        });
    }
    Synthesis {
        modes: results
            .into_iter()
            .enumerate()
            .map(|(m, r)| {
                r.unwrap_or_else(|| Err(Infeasible::GaveUp(Box::new(GaveUp::exhausted(m)))))
            })
            .collect(),
        moves,
    }
}

/// Schedules one mode, preferring the hinted modules. Deterministic.
pub fn synthesize_mode(
    system: &System,
    mode: ModeId,
    hint: &PlacementHint,
    opts: &Options,
) -> Result<Schedule, Infeasible> {
    synthesize_mode_ends(system, mode, hint, &BTreeMap::new(), opts)
}

/// [`synthesize_mode`] with the ends of some programs' first and last jobs
/// bounded (see [`EndBounds`]).
fn synthesize_mode_ends(
    system: &System,
    mode: ModeId,
    hint: &PlacementHint,
    ends: &BTreeMap<ProgramId, EndBounds>,
    opts: &Options,
) -> Result<Schedule, Infeasible> {
    let started = Instant::now();
    let report = |phase: Phase, done: u64, total: u64| {
        if let Some(cb) = opts.progress {
            cb(Progress {
                mode,
                phase,
                done,
                total,
            });
        }
    };
    let empty = |stop| {
        Infeasible::GaveUp(Box::new(GaveUp {
            mode,
            stop,
            programs: Vec::new(),
            jobs: Vec::new(),
            messages: Vec::new(),
            resources: Vec::new(),
        }))
    };
    if mode >= system.modes.len() {
        return Err(empty(Stop::Exhausted));
    }
    report(Phase::Checking, 0, 1);
    let mut p = problem::Problem::new(system, mode);
    p.bound_ends(ends);
    let findings = necessary::check(&p);
    if !findings.is_empty() {
        report(Phase::Done, 1, 1);
        return Err(Infeasible::Proven { mode, findings });
    }
    report(Phase::Placing, 0, p.progs.len() as u64);
    // Rounds: place, then lay every program out as one offset group where it
    // can (robust against fragmentation by long jobs); programs that still
    // fail are kept off their cores in the next round's placement. Last, job
    // by job on the final placement (more freedom per job). The budget is
    // shared among them.
    const ROUNDS: u64 = 8;
    let share = Options {
        budget: opts.budget / (ROUNDS + 1),
        ..*opts
    };
    let mut round = placement::Round {
        deadline: started.checked_add(opts.time_limit),
        ..placement::Round::default()
    };
    let mut best: Option<(usize, GaveUp)> = None;
    let mut last_placed = None;
    let mut spent: u64 = 0;
    // Small modes: a short complete search first. A proof ends the mode at
    // once (the heuristic's packing and repair rounds would only fail,
    // slowly); a schedule it finds is kept for when the heuristic's first
    // round fails (the heuristic's own schedule is preferred: it follows the
    // placement hint and spreads the load).
    let mut fallback = None;
    if system.modes[mode].job_count <= portfolio::UPFRONT_JOBS {
        let upfront = portfolio::UPFRONT_STEPS.min(opts.budget / 4);
        report(Phase::Exact, 0, 1);
        match portfolio::complete(system, mode, upfront, opts.budget / 20, started, opts) {
            portfolio::Complete::Scheduled(s) => fallback = Some(s),
            portfolio::Complete::Proven(f) => {
                report(Phase::Done, 1, 1);
                return Err(Infeasible::Proven {
                    mode,
                    findings: vec![f],
                });
            }
            portfolio::Complete::Unknown(_) => {}
        }
        spent = spent.saturating_add(upfront);
        report(Phase::Placing, 0, p.progs.len() as u64);
    }
    for r in 0..ROUNDS {
        round.index = r;
        let placed = match placement::place(&p, hint, &mut round) {
            Ok(pl) => pl,
            Err(programs) if last_placed.is_none() => {
                best = Some((
                    usize::MAX,
                    GaveUp {
                        mode,
                        stop: Stop::Exhausted,
                        programs,
                        jobs: Vec::new(),
                        messages: Vec::new(),
                        resources: Vec::new(),
                    },
                ));
                break;
            }
            Err(_) => break,
        };
        let mut eng = engine::Engine::new(&p, placed.clone(), &share, started);
        let misses = eng.run(true);
        spent = spent.saturating_add(eng.work());
        if misses.is_empty() {
            report(Phase::Done, 1, 1);
            return Ok(eng.schedule());
        }
        if best.as_ref().is_none_or(|(n, _)| misses.len() < *n) {
            best = Some((misses.len(), eng.report(&misses)));
        }
        let cores = eng.global_cores();
        for s in eng.missed_programs(&misses) {
            let gc = cores[s as usize];
            if p.fixed_core(s) {
                // it cannot leave: the others on its core must
                for (o, &oc) in cores.iter().enumerate() {
                    if oc == gc && o as u32 != s && !p.fixed_core(o as u32) {
                        round.forbid.insert((o as u32, gc));
                    }
                }
            } else {
                round.forbid.insert((s, gc));
            }
        }
        round.prev = Some(cores);
        last_placed = Some(placed);
        if let Some(s) = fallback.take() {
            report(Phase::Done, 1, 1);
            return Ok(*s);
        }
        if started.elapsed() > opts.time_limit {
            break;
        }
        // After the first round fails, a short complete search: on small
        // modes it usually decides at once, sparing the later rounds.
        if r == 0 {
            let quick = (opts.budget / 20).min(opts.budget.saturating_sub(spent));
            report(Phase::Exact, 0, 1);
            match portfolio::complete(system, mode, quick, quick, started, opts) {
                portfolio::Complete::Scheduled(s) => {
                    report(Phase::Done, 1, 1);
                    return Ok(*s);
                }
                portfolio::Complete::Proven(f) => {
                    report(Phase::Done, 1, 1);
                    return Err(Infeasible::Proven {
                        mode,
                        findings: vec![f],
                    });
                }
                portfolio::Complete::Unknown(_) => spent = spent.saturating_add(quick),
            }
        }
    }
    if let Some(s) = fallback {
        // the first round did not place the programs at all
        report(Phase::Done, 1, 1);
        return Ok(*s);
    }
    if let Some(placed) = last_placed.filter(|_| started.elapsed() <= opts.time_limit) {
        let mut eng = engine::Engine::new(&p, placed, &share, started);
        let misses = eng.run(false);
        spent = spent.saturating_add(eng.work());
        if misses.is_empty() {
            report(Phase::Done, 1, 1);
            return Ok(eng.schedule());
        }
        if best.as_ref().is_none_or(|(n, _)| misses.len() < *n) {
            best = Some((misses.len(), eng.report(&misses)));
        }
    }
    // The heuristic gave up: the complete search gets the remaining budget.
    spent = spent.saturating_add(placement::PACK_BUDGET - round.budget);
    let mut gave_up = best.map(|b| b.1).unwrap_or_else(|| GaveUp {
        mode,
        stop: Stop::Exhausted,
        programs: Vec::new(),
        jobs: Vec::new(),
        messages: Vec::new(),
        resources: Vec::new(),
    });
    if started.elapsed() <= opts.time_limit {
        report(Phase::Exact, 0, 1);
        let rest = opts.budget.saturating_sub(spent);
        match portfolio::complete(system, mode, rest, rest, started, opts) {
            portfolio::Complete::Scheduled(s) => {
                report(Phase::Done, 1, 1);
                return Ok(*s);
            }
            portfolio::Complete::Proven(f) => {
                report(Phase::Done, 1, 1);
                return Err(Infeasible::Proven {
                    mode,
                    findings: vec![f],
                });
            }
            portfolio::Complete::Unknown(stop) => gave_up.stop = stop,
        }
    }
    report(Phase::Done, 1, 1);
    if started.elapsed() > opts.time_limit {
        gave_up.stop = Stop::TimeLimit;
    }
    Err(Infeasible::GaveUp(Box::new(gave_up)))
}

/// Bounds on when a program's first and last jobs of the frame end in one
/// mode's table (ticks from the frame's start), e.g. so that a program that
/// stays on its module across a mode switch is not unavailable longer than
/// its bound. A bound its job's window cannot meet is moved to the nearest
/// end the window allows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EndBounds {
    /// Latest end of the program's first job in the frame.
    pub first_by: Option<Ticks>,
    /// Earliest end of the program's last job in the frame.
    pub last_from: Option<Ticks>,
}

/// What one attempt at a mode must keep, beyond the system's own rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Held {
    /// Program → the module it is held on, as if pinned there (a module
    /// outside the program's allowed modules in the mode, or a program not
    /// in the mode, is ignored; a pin to a core is kept).
    pub modules: BTreeMap<ProgramId, ModuleId>,
    /// Program → bounds on the ends of its first and last jobs.
    pub ends: BTreeMap<ProgramId, EndBounds>,
}

/// Schedules one mode with every program in `held` held on the module given
/// there, as if pinned to it for this attempt (a module outside the
/// program's allowed modules in the mode, or a program not in the mode, is
/// ignored; a pin to a core is kept). Programs not in `held` are placed as
/// [`synthesize_mode`] places them, preferring `hint`. An [`Infeasible`]
/// result is about the held placement: its findings may name a held module
/// as the only one allowed. Deterministic.
pub fn synthesize_mode_held(
    system: &System,
    mode: ModeId,
    hint: &PlacementHint,
    held: &BTreeMap<ProgramId, ModuleId>,
    opts: &Options,
) -> Result<Schedule, Infeasible> {
    let h = Held {
        modules: held.clone(),
        ends: BTreeMap::new(),
    };
    synthesize_mode_holding(system, mode, hint, &h, opts)
}

/// [`synthesize_mode_held`] with [`Held::modules`], and the ends of the
/// first and last jobs bounded as [`Held::ends`] says. The bounds on ends
/// are kept by the heuristic search; the complete search (portfolio) does
/// not know them, so a table it finds may miss them. Deterministic.
pub fn synthesize_mode_holding(
    system: &System,
    mode: ModeId,
    hint: &PlacementHint,
    held: &Held,
    opts: &Options,
) -> Result<Schedule, Infeasible> {
    if held.modules.is_empty() || mode >= system.modes.len() {
        return synthesize_mode_ends(system, mode, hint, &held.ends, opts);
    }
    let mut restricted = system.clone();
    for mp in &mut restricted.modes[mode].programs {
        if let Some(&m) = held.modules.get(&mp.program)
            && mp.allowed.binary_search(&m).is_ok()
        {
            mp.allowed = vec![m];
        }
    }
    synthesize_mode_ends(&restricted, mode, hint, &held.ends, opts)
}
