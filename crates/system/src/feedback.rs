//! Planning every allowed transition, with failures fed back into the
//! placement.

use crate::run::{SystemSynthesis, synthesize_with};
use seamless_model::plan::Plan;
use seamless_model::schedule::Schedule;
use seamless_model::{ModeId, ModuleId, ProgramId, System};
use seamless_plan::NoPlan;
use seamless_synth::Options;
use std::collections::BTreeMap;

/// One allowed transition's plan, or why there is none (`None` inside: a
/// table is missing).
pub type TransitionPlan = (ModeId, ModeId, Result<Plan, Option<NoPlan>>);

/// Plans one transition between two tables (deterministic).
/// Called from several threads at once (one transition each).
pub type PlanFn<'a> =
    dyn Fn(ModeId, ModeId, &Schedule, &Schedule) -> Result<Plan, NoPlan> + Sync + 'a;

/// What one feedback round changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackRound {
    /// Transitions that failed before the change (from, to).
    pub failed: Vec<(ModeId, ModeId)>,
    /// The placement changes tried: (program, mode, module).
    pub changes: Vec<(ProgramId, ModeId, ModuleId)>,
}

/// Every mode's schedule and every allowed transition's plan.
#[derive(Debug, Clone)]
pub struct PlanAll {
    /// The schedules of every mode after the last kept feedback round, with
    /// the joint placement they were built from and its migration bounds.
    pub system: SystemSynthesis,
    /// Per allowed transition in `System::transitions` order: the plan, or
    /// why there is none (`None` inside: a table is missing).
    pub plans: Vec<TransitionPlan>,
    /// The feedback rounds run, in order.
    pub rounds: Vec<FeedbackRound>,
}

/// Plans every transition of `ss` with `plan`. A transition whose two
/// tables are those of `prev` keeps its plan from there (`plan` is
/// deterministic: the same tables, the same answer).
fn plan_each(
    system: &System,
    ss: &SystemSynthesis,
    plan: &PlanFn,
    prev: Option<(&SystemSynthesis, &[TransitionPlan])>,
) -> Vec<TransitionPlan> {
    // the transitions are independent: planned on every core, kept in order
    let indexed: Vec<(usize, (ModeId, ModeId))> =
        system.transitions.iter().copied().enumerate().collect();
    crate::par::map(&indexed, |&(i, (a, b))| {
        let r = match (&ss.synthesis.modes[a], &ss.synthesis.modes[b]) {
            (Ok(sa), Ok(sb)) => {
                let kept = prev.and_then(|(p, plans)| {
                    let unchanged = matches!(&p.synthesis.modes[a], Ok(x) if x == sa)
                        && matches!(&p.synthesis.modes[b], Ok(x) if x == sb);
                    let t = plans.get(i).filter(|t| unchanged && (t.0, t.1) == (a, b))?;
                    Some(t.2.clone())
                });
                match kept {
                    Some(r) => r,
                    None => crate::trace::span(
                        |r| format!("plan {a} -> {b}: {}", crate::trace::verdict(r)),
                        || plan(a, b, sa, sb),
                    )
                    .map_err(Some),
                }
            }
            _ => Err(None),
        };
        (a, b, r)
    })
}

/// Synthesizes every mode jointly and plans every allowed transition with
/// `plan` (which must be deterministic). When a transition fails, the reason
/// is fed back into the placement, and the affected modes are synthesized
/// again — at most `max_rounds` times:
/// - a program that would be unavailable too long while it migrates, or
///   whose migration finds no link time: kept on its old module in the new
///   mode when allowed there, else on the new module in the old mode;
/// - memory exceeded on a module at the switch: the largest program that
///   moves onto that module is kept on its old module (or the module's
///   largest arriving program is sent elsewhere, or the largest program
///   moving away from it is kept).
///
/// A round is kept only when it plans more transitions than before.
pub fn plan_all(system: &System, opts: &Options, plan: &PlanFn, max_rounds: u32) -> PlanAll {
    let mut fixed: BTreeMap<(ProgramId, ModeId), ModuleId> = BTreeMap::new();
    let mut ss = crate::trace::span(
        |_| "system synthesis".to_string(),
        || synthesize_with(system, opts, &fixed),
    );
    let mut plans = plan_each(system, &ss, plan, None);
    let mut rounds = Vec::new();
    for _ in 0..max_rounds {
        let failed: Vec<(ModeId, ModeId)> = plans
            .iter()
            .filter(|(_, _, r)| matches!(r, Err(Some(_))))
            .map(|&(a, b, _)| (a, b))
            .collect();
        if failed.is_empty() {
            break;
        }
        let mut changes = Vec::new();
        for (a, b, r) in &plans {
            if let Err(Some(np)) = r {
                changes.extend(remedy(system, &ss, *a, *b, np));
            }
        }
        changes.sort_unstable();
        changes.dedup();
        changes.retain(|&(p, m, x)| fixed.get(&(p, m)) != Some(&x));
        if changes.is_empty() {
            rounds.push(FeedbackRound { failed, changes });
            break;
        }
        let mut next_fixed = fixed.clone();
        for &(p, m, x) in &changes {
            next_fixed.insert((p, m), x);
        }
        rounds.push(FeedbackRound {
            failed: failed.clone(),
            changes,
        });
        let next = synthesize_with(system, opts, &next_fixed);
        let next_plans = plan_each(system, &next, plan, Some((&ss, &plans)));
        let ok = |ps: &[TransitionPlan]| ps.iter().filter(|(_, _, r)| r.is_ok()).count();
        let schedules =
            |s: &SystemSynthesis| s.synthesis.modes.iter().filter(|r| r.is_ok()).count();
        if (schedules(&next), ok(&next_plans)) > (schedules(&ss), ok(&plans)) {
            ss = next;
            plans = next_plans;
            fixed = next_fixed;
        } else {
            // keep what worked; remember the changes as tried
            fixed = next_fixed;
        }
    }
    PlanAll {
        system: ss,
        plans,
        rounds,
    }
}

/// Placement changes that address a failed plan.
fn remedy(
    system: &System,
    ss: &SystemSynthesis,
    a: ModeId,
    b: ModeId,
    np: &NoPlan,
) -> Vec<(ProgramId, ModeId, ModuleId)> {
    use seamless_plan::Problem;
    let (Ok(sa), Ok(sb)) = (&ss.synthesis.modes[a], &ss.synthesis.modes[b]) else {
        return Vec::new();
    };
    let pa = crate::run::schedule_modules(system, sa);
    let pb = crate::run::schedule_modules(system, sb);
    let allowed = |mode: ModeId, p: ProgramId, m: ModuleId| {
        let md = &system.modes[mode];
        md.slot(p)
            .is_some_and(|s| md.programs[s].allowed.contains(&m))
    };
    // keep `p` where it was: on its old module in b, else its new module in a
    let keep = |p: ProgramId| -> Option<(ProgramId, ModeId, ModuleId)> {
        let (&x, &y) = (pa.get(&p)?, pb.get(&p)?);
        if x == y {
            return None;
        }
        if allowed(b, p, x) {
            Some((p, b, x))
        } else if allowed(a, p, y) {
            Some((p, a, y))
        } else {
            None
        }
    };
    match &*np.problem {
        Problem::Unavailability { program, .. } | Problem::Saturated { program, .. } => system
            .program_by_name(program)
            .and_then(keep)
            .into_iter()
            .collect(),
        // proven: every program named cannot meet its bound as placed;
        // keep each in place where its modes allow it
        Problem::Proven(pr) => std::iter::once(&pr.program)
            .chain(pr.others.iter().map(|o| &o.program))
            .filter_map(|n| system.program_by_name(n).and_then(keep))
            .collect(),
        Problem::Memory { module, .. } => {
            let Some(m) = system.module_by_name(module) else {
                return Vec::new();
            };
            // programs arriving on m, largest first
            let mut arriving: Vec<ProgramId> = pb
                .iter()
                .filter(|&(p, &y)| y == m && pa.get(p).is_some_and(|&x| x != m))
                .map(|(&p, _)| p)
                .collect();
            arriving.sort_by_key(|&p| (std::cmp::Reverse(system.programs[p].memory), p));
            if let Some(c) = arriving.iter().find_map(|&p| keep(p)) {
                return vec![c];
            }
            // else send the largest arrival elsewhere in b
            for &p in &arriving {
                let md = &system.modes[b];
                let Some(s) = md.slot(p) else { continue };
                if let Some(&other) = md.programs[s].allowed.iter().find(|&&o| o != m) {
                    return vec![(p, b, other)];
                }
            }
            // else keep the largest program leaving m (still held there
            // while B's residents arrive)
            let mut leaving: Vec<ProgramId> = pa
                .iter()
                .filter(|&(p, &x)| x == m && pb.get(p).is_some_and(|&y| y != m))
                .map(|(&p, _)| p)
                .collect();
            leaving.sort_by_key(|&p| (std::cmp::Reverse(system.programs[p].memory), p));
            leaving.iter().find_map(|&p| keep(p)).into_iter().collect()
        }
        Problem::Input { .. } | Problem::GaveUp { .. } => Vec::new(),
    }
}
