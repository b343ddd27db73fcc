//! The portfolio's second engine: when the heuristic gives up, the complete
//! search of `seamless-exact` gets the remaining budget. It finds a
//! schedule, proves that none exists (then a core of programs and messages
//! is shrunk by deletion and reported as a [`Finding::Exhaustive`]), or
//! runs out of budget too.

use crate::Options;
use crate::infeasible::{Finding, Stop};
use seamless_model::schedule::Schedule;
use seamless_model::{ModeId, System};
use std::time::Instant;

/// What the complete search concluded.
pub(crate) enum Complete {
    Scheduled(Box<Schedule>),
    Proven(Finding),
    /// Why it stopped without an answer.
    Unknown(Stop),
}

/// Modes with at most this many jobs get a short complete search before
/// the heuristic (`seamless-exact` takes up to 4,000 intervals; beyond a
/// few hundred jobs the heuristic is the faster engine).
pub(crate) const UPFRONT_JOBS: u64 = 600;
/// Steps of that first complete search: on the random small systems of
/// docs/benchmarks.md it decides 95 % of them within 130,000 steps
/// (about 2 ms), where the heuristic's packing attempts take 20–300 ms to
/// give up on a mode whose memory cannot hold its programs.
pub(crate) const UPFRONT_STEPS: u64 = 250_000;

/// Runs the complete search on `mode` with `budget` steps (and the safety
/// cap of `opts`), then shrinks a proof to a core with what is left of
/// `core_budget` after the proof.
pub(crate) fn complete(
    sys: &System,
    mode: ModeId,
    budget: u64,
    core_budget: u64,
    started: Instant,
    opts: &Options,
) -> Complete {
    let deadline = started.checked_add(opts.time_limit);
    let eo = seamless_exact::Options { budget, deadline };
    let r = seamless_exact::solve(sys, mode, &eo);
    let timed_out = || deadline.is_some_and(|d| Instant::now() > d);
    match r.outcome {
        seamless_exact::Outcome::Scheduled(s) => Complete::Scheduled(Box::new(s)),
        seamless_exact::Outcome::Infeasible => {
            let m = &sys.modes[mode];
            let attempts = 2 * (m.programs.len() + m.messages.len() + 1) as u64;
            // each deletion may spend a few times what the whole proof took
            let per = r.steps.saturating_mul(4).saturating_add(100_000);
            let core_budget = core_budget
                .saturating_sub(r.steps)
                .min(per.saturating_mul(attempts));
            let core = seamless_exact::unsat_core(
                sys,
                mode,
                &seamless_exact::Options {
                    budget: core_budget,
                    deadline,
                },
            );
            Complete::Proven(match core {
                Some(c) => Finding::Exhaustive {
                    mode,
                    programs: c.programs,
                    messages: c.messages,
                    minimal: c.minimal,
                },
                None => {
                    let mut programs: Vec<_> = m.programs.iter().map(|p| p.program).collect();
                    programs.sort_unstable();
                    let mut messages: Vec<_> = m.messages.iter().map(|x| x.message).collect();
                    messages.sort_unstable();
                    Finding::Exhaustive {
                        mode,
                        programs,
                        messages,
                        minimal: false,
                    }
                }
            })
        }
        seamless_exact::Outcome::Unknown if timed_out() => Complete::Unknown(Stop::TimeLimit),
        seamless_exact::Outcome::Unknown if r.steps == 0 => Complete::Unknown(Stop::Exhausted),
        seamless_exact::Outcome::Unknown => Complete::Unknown(Stop::Budget),
    }
}
