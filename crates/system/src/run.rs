//! System-level synthesis: the joint placement handed to the per-mode
//! synthesizer, and the deviations fed back.

use crate::bound::{Bounds, bounds_of, per_program};
use crate::joint::{JointPlacement, place_all, place_one, within_capacity};
use crate::view::{Capacity, ProgView, Usage, disjoint, views};
use seamless_model::schedule::Schedule;
use seamless_model::{ModeId, ModuleId, ProgramId, System};
use seamless_synth::{
    Finding, GaveUp, Infeasible, Options, PlacementHint, Synthesis, TransitionMoves,
    synthesize_mode, synthesize_mode_held,
};
use std::collections::BTreeMap;

/// Times a mode's synthesis is run again with fewer soft hints after it
/// fails.
const RELAX_STEPS: u32 = 3;
/// Times a mode's synthesis is run again with fewer programs held on their
/// module (hard placement) after it fails.
const HOLD_STEPS: u32 = 4;

/// A program the schedule of a mode put elsewhere than the joint placement
/// asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deviation {
    /// The mode whose schedule deviates.
    pub mode: ModeId,
    /// The program placed elsewhere than asked.
    pub program: ProgramId,
    /// The module the joint placement chose.
    pub wanted: ModuleId,
    /// The module the schedule uses.
    pub got: ModuleId,
}

/// Every mode's schedule built from one joint placement.
#[derive(Debug, Clone)]
pub struct SystemSynthesis {
    /// The schedules and the moves per transition, as the per-mode
    /// synthesizer reports them.
    pub synthesis: Synthesis,
    /// The joint placement the last round asked for.
    pub placement: JointPlacement,
    /// Lower bounds on the migrations.
    pub bounds: Bounds,
    /// Where the schedules left the joint placement (after the last round).
    pub deviations: Vec<Deviation>,
    /// Modes the joint placement's hints left without a schedule,
    /// synthesized again without them.
    pub relaxed: Vec<ModeId>,
    /// Synthesis rounds run (1 + re-syntheses after deviations).
    pub rounds: u32,
    /// Modes synthesized again to keep the stay gaps of programs that keep
    /// their module across a switch.
    pub gap_syntheses: u32,
    /// Stay gaps still above their bound in the final tables.
    pub stay_gaps: Vec<crate::gap::StayGap>,
}

/// Rounds of stay-gap repair (see `gap::repair`).
const GAP_ROUNDS: u32 = 2;

/// Rounds of re-placement after the schedules deviate.
const ROUNDS: u32 = 6;

/// Builds the joint placement of all modes and synthesizes every mode with
/// it as a placement hint (the synthesizer holds hinted programs on their
/// module first and leaves them only when no schedule is found so). When a
/// schedule puts a program elsewhere, that module is fixed for that mode,
/// the program's other modes are re-placed around it, and the modes whose
/// placement changed are synthesized again (at most 3 rounds).
/// Deterministic.
pub fn synthesize(system: &System, opts: &Options) -> SystemSynthesis {
    synthesize_with(system, opts, &BTreeMap::new())
}

/// [`synthesize`] with modules fixed per (program, mode) from the start.
pub fn synthesize_with(
    system: &System,
    opts: &Options,
    fixed: &BTreeMap<(ProgramId, ModeId), ModuleId>,
) -> SystemSynthesis {
    let vs = views(system);
    // every mode's jobs, expanded once for the joint placement, the
    // feedback rounds and the exact optimum
    let cap = Capacity::new(system);
    let own: Vec<u32> = per_program(&vs).iter().map(|o| o.0).collect();
    let mut fixed = fixed.clone();
    let (mut placement, mut labels, tight) = crate::trace::span(
        |_| "joint placement".to_string(),
        || place_all(system, &vs, &cap, &own, &fixed),
    );
    let n = system.modes.len();
    let mut results: Vec<Option<Result<Schedule, Infeasible>>> = (0..n).map(|_| None).collect();
    let hint_of = |jp: &JointPlacement, mode: ModeId| PlacementHint {
        preferred: jp.modes[mode]
            .iter()
            .map(|(&p, &m)| (p, (m, None)))
            .collect(),
    };
    let mut relaxed = Vec::new();
    // the modes are independent here (each follows the joint placement):
    // synthesized on every core, kept in mode order
    let all_modes: Vec<ModeId> = (0..n).collect();
    let first = crate::par::map(&all_modes, |&mode| {
        synthesize_relaxing(system, mode, hint_of(&placement, mode), opts)
    });
    // modes no attempt scheduled, even with every hint dropped: another
    // placement wish will not help them (they are not synthesized again
    // by the rounds below, nor by the no-hint fallback)
    let mut hopeless = vec![false; n];
    for (mode, (x, relax, bare)) in first.into_iter().enumerate() {
        if relax {
            relaxed.push(mode);
        }
        hopeless[mode] = bare;
        results[mode] = Some(x);
    }
    let mut rounds = 1;
    let mut deviations = deviations_of(system, &placement, &results);
    let mut score = score_of(system, &results);
    // feedback: where a schedule left the joint placement, fix that module
    // for that mode, place the program's other modes around it (everything
    // else stays), synthesize the modes whose wish changed; keep the round
    // only if it leaves fewer failed modes or fewer migrations
    while !deviations.is_empty() && rounds < ROUNDS {
        rounds += 1;
        for d in &deviations {
            fixed.insert((d.program, d.mode), d.got);
        }
        let mut next = placement.clone();
        let mut next_labels = labels.clone();
        let mut usage = Usage::empty(system);
        for (v, l) in vs.iter().zip(&next_labels) {
            usage.add(v, l);
        }
        for d in &deviations {
            let Some(i) = vs.iter().position(|v| v.id == d.program) else {
                continue;
            };
            let v = &vs[i];
            usage.remove(v, &next_labels[i]);
            let fx: BTreeMap<ModeId, ModuleId> = v
                .modes
                .iter()
                .filter_map(|&m| fixed.get(&(v.id, m)).map(|&x| (m, x)))
                .collect();
            if let Some(b) = place_one(system, &usage, &cap, v, &fx, 1000, tight) {
                next_labels[i] = b.labels;
            }
            usage.add(v, &next_labels[i]);
            for (k, &m) in v.modes.iter().enumerate() {
                next.modes[m].insert(v.id, next_labels[i][k]);
            }
        }
        // the re-placed programs overflow memory (in a mode or at a
        // switch): everything placed again around the fixed modules
        let mut after = Usage::empty(system);
        for (v, l) in vs.iter().zip(&next_labels) {
            after.add(v, l);
        }
        if after.overflows(system, &cap) > 0
            && let Some(l) = crate::pack::pack(system, &vs, &cap, &fixed, crate::joint::PACK_STEPS)
        {
            next = crate::joint::of_labels(system, &vs, &l);
            next_labels = l;
        }
        let todo: Vec<ModeId> = (0..n)
            .filter(|&m| !hopeless[m])
            .filter(|&m| {
                let got = match &results[m] {
                    Some(Ok(s)) => schedule_modules(system, s),
                    _ => BTreeMap::new(),
                };
                next.modes[m].iter().any(|(p, x)| got.get(p) != Some(x))
                    && next.modes[m] != placement.modes[m]
            })
            .collect();
        if todo.is_empty() {
            break;
        }
        let mut cand = results.clone();
        let again = crate::par::map(&todo, |&mode| {
            synthesize_relaxing(system, mode, hint_of(&next, mode), opts)
        });
        for (&mode, (x, _, bare)) in todo.iter().zip(again) {
            hopeless[mode] |= bare;
            cand[mode] = Some(x);
        }
        let cs = score_of(system, &cand);
        if cs < score {
            score = cs;
            results = cand;
        } else {
            // mode by mode, each kept if it alone does better
            let mut better = false;
            for &mode in &todo {
                let mut trial = results.clone();
                trial[mode] = cand[mode].clone();
                let ts = score_of(system, &trial);
                if ts < score {
                    score = ts;
                    results = trial;
                    better = true;
                }
            }
            if !better {
                break;
            }
        }
        placement = next;
        labels = next_labels;
        deviations = deviations_of(system, &placement, &results);
    }
    // a mode the joint placement's hints left without a schedule: let the
    // synthesizer choose
    for (mode, r) in results.iter_mut().enumerate() {
        if matches!(r, Some(Ok(_))) {
            continue;
        }
        if !relaxed.contains(&mode) {
            relaxed.push(mode);
        }
        if hopeless[mode] {
            // already tried without any hint: the same call, the same answer
            continue;
        }
        *r = Some(crate::trace::span(
            |r| format!("mode {mode}: no hint -> {}", crate::trace::verdict(r)),
            || synthesize_mode(system, mode, &PlacementHint::default(), opts),
        ));
    }
    if !relaxed.is_empty() {
        deviations = deviations_of(system, &placement, &results);
    }
    let mut modes: Vec<Result<Schedule, Infeasible>> = results
        .into_iter()
        .enumerate()
        .map(|(m, r)| r.unwrap_or_else(|| Err(Infeasible::GaveUp(Box::new(GaveUp::exhausted(m))))))
        .collect();
    // tables whose stay gaps exceed a bound: built again with the placement
    // held and the first and last jobs of the staying programs bounded
    let gap_syntheses = crate::trace::span(
        |_| "gap repair".to_string(),
        || crate::gap::repair(system, &mut modes, opts, GAP_ROUNDS),
    );
    let stay_gaps = crate::gap::stay_gaps(system, &modes);
    let moves = moves_of(system, &modes);
    // the upper bound for the exact search: the joint placement, when it
    // keeps capacity
    let labels = labels_of(&vs, &placement);
    let upper = within_capacity(system, &vs, &cap, &labels).then(|| {
        placement
            .moves(system)
            .iter()
            .map(|v| v.len() as u32)
            .sum::<u32>()
    });
    let bounds = crate::trace::span(
        |_| "bounds".to_string(),
        || bounds_of(system, &vs, &cap, upper),
    );
    SystemSynthesis {
        synthesis: Synthesis { modes, moves },
        placement,
        bounds,
        deviations,
        relaxed,
        rounds,
        gap_syntheses,
        stay_gaps,
    }
}

/// Synthesizes a mode with the joint placement `hint` held as hard (every
/// hinted program on its module, as if pinned, for this attempt). When that
/// fails, only the programs the failure names — or, when none of them is held,
/// those held on the modules it names — are released (kept as soft hints),
/// those that share no allowed transition with the mode first (releasing
/// them cannot make anything migrate),
/// at most [`HOLD_STEPS`] times; then every hint is soft, dropping those the
/// failure names ([`RELAX_STEPS`] times); the caller falls back to no hint.
/// Whether it relaxed, and whether an attempt without any hint failed.
fn synthesize_relaxing(
    system: &System,
    mode: ModeId,
    hint: PlacementHint,
    opts: &Options,
) -> (Result<Schedule, Infeasible>, bool, bool) {
    let mut held: BTreeMap<ProgramId, ModuleId> =
        hint.preferred.iter().map(|(&p, &(m, _))| (p, m)).collect();
    let mut r = crate::trace::span(
        |r| {
            format!(
                "mode {mode}: held {} -> {}",
                held.len(),
                crate::trace::verdict(r)
            )
        },
        || synthesize_mode_held(system, mode, &hint, &held, opts),
    );
    let mut relaxed = false;
    for _ in 0..HOLD_STEPS {
        let Err(why) = &r else {
            return (r, relaxed, false);
        };
        let (programs, modules) = named(system, why);
        let before = held.len();
        // the named programs if any is held, else those held on the named
        // modules; of these, first what cannot cause a migration (programs
        // that share no allowed transition with this mode), then the rest
        let by_program = held.keys().any(|p| programs.contains(p));
        let candidate = |p: &ProgramId, m: &ModuleId| {
            if by_program {
                programs.contains(p)
            } else {
                modules.contains(m)
            }
        };
        for tied in [false, true] {
            held.retain(|p, m| !(candidate(p, m) && (tied || !in_transition(system, mode, *p))));
            if held.len() < before {
                break;
            }
        }
        if held.len() == before || held.is_empty() {
            break;
        }
        relaxed = true;
        r = crate::trace::span(
            |r| {
                format!(
                    "mode {mode}: held {} (released) -> {}",
                    held.len(),
                    crate::trace::verdict(r)
                )
            },
            || synthesize_mode_held(system, mode, &hint, &held, opts),
        );
    }
    if r.is_ok() {
        return (r, relaxed, false);
    }
    let (r, _, bare) = synthesize_soft(system, mode, hint, opts);
    (r, true, bare)
}

/// Whether `program` also runs in a mode joined to `mode` by an allowed
/// transition (either way): moving it in `mode` could make it migrate.
fn in_transition(system: &System, mode: ModeId, program: ProgramId) -> bool {
    system.transitions.iter().any(|&(a, b)| {
        let other = if a == mode {
            b
        } else if b == mode {
            a
        } else {
            return false;
        };
        other != mode && system.modes[other].slot(program).is_some()
    })
}

/// The programs and modules a failure names.
pub(crate) fn named(system: &System, why: &Infeasible) -> (Vec<ProgramId>, Vec<ModuleId>) {
    let mut programs = Vec::new();
    let mut modules = Vec::new();
    match why {
        Infeasible::GaveUp(g) => {
            for j in &g.jobs {
                programs.push(j.program);
                modules.push(j.module);
            }
            for u in &g.programs {
                programs.push(u.program);
                modules.extend(u.modules.iter().map(|x| x.0));
            }
            for m in &g.messages {
                if let Some(msg) = system.messages.get(m.message) {
                    programs.push(msg.from);
                    programs.extend(&msg.to);
                }
            }
        }
        Infeasible::Proven { findings, .. } => {
            for f in findings {
                match f {
                    Finding::Overload {
                        on, programs: ps, ..
                    } => {
                        programs.extend(ps);
                        match on {
                            seamless_synth::Capacity::Core { module, .. } => modules.push(*module),
                            seamless_synth::Capacity::Modules(ms) => modules.extend(ms),
                        }
                    }
                    Finding::Memory {
                        modules: ms,
                        programs: ps,
                        ..
                    } => {
                        programs.extend(ps);
                        modules.extend(ms);
                    }
                    Finding::MessageTooSlow {
                        message,
                        receiver,
                        route,
                        ..
                    } => {
                        programs.push(*receiver);
                        if let Some(msg) = system.messages.get(*message) {
                            programs.push(msg.from);
                        }
                        if let Some((x, y)) = route {
                            modules.extend([*x, *y]);
                        }
                    }
                    Finding::StrictlyPeriodicClash { a, b, module, .. }
                    | Finding::GapClash { a, b, module, .. } => {
                        programs.extend([*a, *b]);
                        modules.push(*module);
                    }
                    Finding::PrecedenceCycle { programs: ps, .. }
                    | Finding::Exhaustive { programs: ps, .. } => programs.extend(ps),
                }
            }
        }
    }
    programs.sort_unstable();
    programs.dedup();
    modules.sort_unstable();
    modules.dedup();
    (programs, modules)
}

/// Synthesizes a mode with `hint` as soft hints; when that fails, again with
/// the hints of the programs the failure names, and of those hinted onto the
/// modules where it failed, left out (at most [`RELAX_STEPS`] times).
/// Whether it relaxed, and whether it failed with no hint left.
fn synthesize_soft(
    system: &System,
    mode: ModeId,
    mut hint: PlacementHint,
    opts: &Options,
) -> (Result<Schedule, Infeasible>, bool, bool) {
    let mut r = crate::trace::span(
        |r| {
            format!(
                "mode {mode}: soft {} -> {}",
                hint.preferred.len(),
                crate::trace::verdict(r)
            )
        },
        || synthesize_mode(system, mode, &hint, opts),
    );
    let mut relaxed = false;
    for _ in 0..RELAX_STEPS {
        let Err(why) = &r else {
            break;
        };
        let (free, modules) = named(system, why);
        let before = hint.preferred.len();
        hint.preferred
            .retain(|p, (m, _)| !free.contains(p) && !modules.contains(m));
        if hint.preferred.len() == before {
            break;
        }
        relaxed = true;
        r = crate::trace::span(
            |r| {
                format!(
                    "mode {mode}: soft {} (relaxed) -> {}",
                    hint.preferred.len(),
                    crate::trace::verdict(r)
                )
            },
            || synthesize_mode(system, mode, &hint, opts),
        );
    }
    let bare = r.is_err() && hint.preferred.is_empty();
    (r, relaxed, bare)
}

/// (modes without a schedule, migrations over every transition).
fn score_of(system: &System, results: &[Option<Result<Schedule, Infeasible>>]) -> (usize, usize) {
    let failed = results.iter().filter(|r| !matches!(r, Some(Ok(_)))).count();
    let placed: Vec<Option<BTreeMap<ProgramId, ModuleId>>> = results
        .iter()
        .map(|r| match r {
            Some(Ok(s)) => Some(schedule_modules(system, s)),
            _ => None,
        })
        .collect();
    let mut moves = 0;
    for &(a, b) in &system.transitions {
        if let (Some(Some(pa)), Some(Some(pb))) = (placed.get(a), placed.get(b)) {
            moves += pa
                .iter()
                .filter(|(p, m)| pb.get(p).is_some_and(|x| x != *m))
                .count();
        }
    }
    (failed, moves)
}

fn labels_of(vs: &[ProgView], jp: &JointPlacement) -> Vec<Vec<ModuleId>> {
    vs.iter()
        .map(|v| {
            v.modes
                .iter()
                .map(|&m| jp.module(m, v.id).unwrap_or(v.allowed[0][0]))
                .collect()
        })
        .collect()
}

/// Program → module in a mode's schedule.
pub(crate) fn placed_modules(
    system: &System,
    r: &Option<Result<Schedule, Infeasible>>,
) -> BTreeMap<ProgramId, ModuleId> {
    let Some(Ok(s)) = r else {
        return BTreeMap::new();
    };
    schedule_modules(system, s)
}

/// Program → module in a schedule (names resolved in `system`).
pub fn schedule_modules(system: &System, s: &Schedule) -> BTreeMap<ProgramId, ModuleId> {
    s.placement
        .iter()
        .filter_map(|pl| {
            Some((
                system.program_by_name(&pl.program)?,
                system.module_by_name(&pl.module)?,
            ))
        })
        .collect()
}

fn deviations_of(
    system: &System,
    jp: &JointPlacement,
    results: &[Option<Result<Schedule, Infeasible>>],
) -> Vec<Deviation> {
    let mut out = Vec::new();
    for (mode, r) in results.iter().enumerate() {
        let got = placed_modules(system, r);
        for (&p, &wanted) in &jp.modes[mode] {
            if let Some(&g) = got.get(&p)
                && g != wanted
            {
                out.push(Deviation {
                    mode,
                    program: p,
                    wanted,
                    got: g,
                });
            }
        }
    }
    out
}

/// The moves per allowed transition between two scheduled modes.
pub fn moves_of(system: &System, modes: &[Result<Schedule, Infeasible>]) -> Vec<TransitionMoves> {
    let placed: Vec<Option<BTreeMap<ProgramId, ModuleId>>> = modes
        .iter()
        .map(|r| r.as_ref().ok().map(|s| schedule_modules(system, s)))
        .collect();
    let mut out = Vec::new();
    for &(a, b) in &system.transitions {
        let (Some(Some(pa)), Some(Some(pb))) = (placed.get(a), placed.get(b)) else {
            continue;
        };
        let programs = pa
            .iter()
            .filter(|(p, m)| pb.get(p).is_some_and(|mb| mb != *m))
            .map(|(&p, _)| p)
            .collect();
        out.push(TransitionMoves {
            from: a,
            to: b,
            programs,
        });
    }
    out
}

/// Whether the move of `program` on the transition `from → to` is forced by
/// its allowed modules (and pins): they share no module in the two modes.
pub fn forced(system: &System, from: ModeId, to: ModeId, program: ProgramId) -> bool {
    let get = |mode: ModeId| -> Option<Vec<ModuleId>> {
        let md = system.modes.get(mode)?;
        let mut a = md.programs[md.slot(program)?].allowed.clone();
        a.sort_unstable();
        Some(a)
    };
    match (get(from), get(to)) {
        (Some(a), Some(b)) => disjoint(&a, &b),
        _ => false,
    }
}
