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
/// core: chunks of programs and messages (halving down to single
/// elements) are left out, and stay out when the rest is still proven
/// infeasible. Each attempt gets an equal
/// share of `opts.budget`. `None` when the whole mode is not proven
/// infeasible within one share.
pub fn unsat_core(sys: &System, mode: ModeId, opts: &Options) -> Option<Core> {
    let m = sys.modes.get(mode)?;
    let mut keep = Subset::all(sys, mode);
    let attempts = 2 * (m.programs.len() + m.messages.len() + 1) as u64;
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
    // Candidates: programs, then messages (a message whose ends are gone is
    // dropped with them). Deletion in chunks, halving down to single
    // elements, so that a small core in a large mode costs few solves; the
    // last pass (chunks of one) decides every remaining element.
    #[derive(Clone, Copy)]
    enum El {
        P(usize),
        M(usize),
    }
    let mut cand: Vec<El> = (0..m.programs.len())
        .map(El::P)
        .chain((0..m.messages.len()).map(El::M))
        .collect();
    let set = |keep: &mut Subset, els: &[El], on: bool| {
        for &e in els {
            match e {
                El::P(s) => keep.programs[s] = on,
                El::M(s) => keep.messages[s] = on,
            }
        }
    };
    let mut chunk = (cand.len() / 2).max(1);
    loop {
        let mut i = 0;
        while i < cand.len() {
            let end = (i + chunk).min(cand.len());
            let part: Vec<El> = cand[i..end].to_vec();
            set(&mut keep, &part, false);
            let r = solve_subset(sys, mode, &keep, &share);
            steps += r.steps;
            match r.outcome {
                Outcome::Infeasible => {
                    cand.drain(i..end);
                }
                other => {
                    if chunk == 1 && other == Outcome::Unknown {
                        minimal = false;
                    }
                    set(&mut keep, &part, true);
                    i = end;
                }
            }
        }
        if chunk == 1 {
            break;
        }
        chunk /= 2;
    }
    // messages whose ends are not both kept play no part
    for ms in 0..m.messages.len() {
        let msg = &sys.messages[m.messages[ms].message];
        let ends_kept = std::iter::once(msg.from)
            .chain(msg.to.iter().copied())
            .filter_map(|p| m.slot(p))
            .filter(|&s| keep.programs[s])
            .count();
        if ends_kept < 2 {
            keep.messages[ms] = false;
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
