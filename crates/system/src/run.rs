//! System-level synthesis: the joint placement handed to the per-mode
//! synthesizer, and the deviations fed back.

use crate::bound::{Bounds, bounds_of, per_program};
use crate::joint::{JointPlacement, place_all, within_capacity};
use crate::view::{ProgView, disjoint, views};
use seamless_model::schedule::Schedule;
use seamless_model::{ModeId, ModuleId, ProgramId, System};
use seamless_synth::{
    GaveUp, Infeasible, Options, PlacementHint, Stop, Synthesis, TransitionMoves, synthesize_mode,
};
use std::collections::BTreeMap;

/// A program the schedule of a mode put elsewhere than the joint placement
/// asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deviation {
    pub mode: ModeId,
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
}

/// Rounds of re-placement after the schedules deviate.
const ROUNDS: u32 = 3;

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
    let own: Vec<u32> = per_program(&vs).iter().map(|o| o.0).collect();
    let mut fixed = fixed.clone();
    let (mut placement, _) = place_all(system, &vs, &own, &fixed);
    let n = system.modes.len();
    let mut results: Vec<Option<Result<Schedule, Infeasible>>> = (0..n).map(|_| None).collect();
    let mut todo: Vec<ModeId> = (0..n).collect();
    let mut rounds = 0;
    let mut deviations = Vec::new();
    while !todo.is_empty() && rounds < ROUNDS {
        rounds += 1;
        for &mode in &todo {
            let hint = PlacementHint {
                preferred: placement.modes[mode]
                    .iter()
                    .map(|(&p, &m)| (p, (m, None)))
                    .collect(),
            };
            results[mode] = Some(synthesize_mode(system, mode, &hint, opts));
        }
        deviations = deviations_of(system, &placement, &results);
        if deviations.is_empty() || rounds == ROUNDS {
            break;
        }
        for d in &deviations {
            fixed.insert((d.program, d.mode), d.got);
        }
        let (next, _) = place_all(system, &vs, &own, &fixed);
        todo = (0..n)
            .filter(|&m| next.modes[m] != placement.modes[m])
            .filter(|&m| {
                // only modes whose wish changed beyond what they already did
                let got = placed_modules(system, &results[m]);
                next.modes[m].iter().any(|(p, x)| got.get(p) != Some(x))
            })
            .collect();
        placement = next;
        if todo.is_empty() {
            deviations = deviations_of(system, &placement, &results);
        }
    }
    // a mode the joint placement's hints left without a schedule: let the
    // synthesizer choose
    let mut relaxed = Vec::new();
    for mode in 0..n {
        if matches!(results[mode], Some(Ok(_))) {
            continue;
        }
        relaxed.push(mode);
        results[mode] = Some(synthesize_mode(
            system,
            mode,
            &PlacementHint::default(),
            opts,
        ));
    }
    if !relaxed.is_empty() {
        deviations = deviations_of(system, &placement, &results);
    }
    let modes: Vec<Result<Schedule, Infeasible>> = results
        .into_iter()
        .enumerate()
        .map(|(m, r)| {
            r.unwrap_or_else(|| {
                Err(Infeasible::GaveUp(Box::new(GaveUp {
                    mode: m,
                    stop: Stop::Exhausted,
                    programs: Vec::new(),
                    jobs: Vec::new(),
                    messages: Vec::new(),
                    resources: Vec::new(),
                })))
            })
        })
        .collect();
    let moves = moves_of(system, &modes);
    // the upper bound for the exact search: the joint placement, when it
    // keeps capacity
    let labels = labels_of(&vs, &placement);
    let upper = within_capacity(system, &vs, &labels).then(|| {
        placement
            .moves(system)
            .iter()
            .map(|v| v.len() as u32)
            .sum::<u32>()
    });
    let bounds = bounds_of(system, &vs, upper);
    SystemSynthesis {
        synthesis: Synthesis { modes, moves },
        placement,
        bounds,
        deviations,
        relaxed,
        rounds,
    }
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
