//! A small reason for infeasibility: the programs and messages of a mode
//! shrunk by deletion while the complete search still proves them
//! infeasible (a minimal unsatisfiable core, as far as the budget allows).

use crate::{Options, Outcome, Subset, solve_subset};
use seamless_model::{MessageId, ModeId, ProgramId, System};

/// Programs and messages that cannot be scheduled together in a mode (on
/// their allowed modules, pins, windows and jitter bounds, in the mode's
/// major frame).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Core {
    /// Program ids (ascending).
    pub programs: Vec<ProgramId>,
    /// Message ids (ascending).
    pub messages: Vec<MessageId>,
    /// `true` when every deletion attempt was decided within its budget:
    /// then leaving out any one element makes the rest schedulable.
    pub minimal: bool,
    /// Steps spent shrinking.
    pub steps: u64,
}

/// Shrinks the whole mode, which must be proven infeasible first, to a
/// core: each program (then each message) in turn is left out, and stays
/// out when the rest is still proven infeasible. Each attempt gets an equal
/// share of `opts.budget`. `None` when the whole mode is not proven
/// infeasible within one share.
pub fn unsat_core(sys: &System, mode: ModeId, opts: &Options) -> Option<Core> {
    let m = sys.modes.get(mode)?;
    let mut keep = Subset::all(sys, mode);
    let attempts = (m.programs.len() + m.messages.len() + 1) as u64;
    let share = Options {
        budget: (opts.budget / attempts).max(1),
        ..*opts
    };
    let first = solve_subset(sys, mode, &keep, &share);
    if first.outcome != Outcome::Infeasible {
        return None;
    }
    let mut steps = first.steps;
    let mut minimal = true;
    for s in 0..m.programs.len() {
        keep.programs[s] = false;
        let r = solve_subset(sys, mode, &keep, &share);
        steps += r.steps;
        match r.outcome {
            Outcome::Infeasible => {}
            Outcome::Unknown => {
                minimal = false;
                keep.programs[s] = true;
            }
            Outcome::Scheduled(_) => keep.programs[s] = true,
        }
    }
    // messages whose ends are both kept
    for ms in 0..m.messages.len() {
        let msg = &sys.messages[m.messages[ms].message];
        let ends_kept = std::iter::once(msg.from)
            .chain(msg.to.iter().copied())
            .filter_map(|p| m.slot(p))
            .filter(|&s| keep.programs[s])
            .count();
        if ends_kept < 2 {
            keep.messages[ms] = false;
            continue;
        }
        keep.messages[ms] = false;
        let r = solve_subset(sys, mode, &keep, &share);
        steps += r.steps;
        match r.outcome {
            Outcome::Infeasible => {}
            Outcome::Unknown => {
                minimal = false;
                keep.messages[ms] = true;
            }
            Outcome::Scheduled(_) => keep.messages[ms] = true,
        }
    }
    let mut programs: Vec<ProgramId> = (0..m.programs.len())
        .filter(|&s| keep.programs[s])
        .map(|s| m.programs[s].program)
        .collect();
    programs.sort_unstable();
    let mut messages: Vec<MessageId> = (0..m.messages.len())
        .filter(|&s| keep.messages[s])
        .map(|s| m.messages[s].message)
        .collect();
    messages.sort_unstable();
    Some(Core {
        programs,
        messages,
        minimal,
        steps,
    })
}
