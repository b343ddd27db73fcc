//! A complete schedule search for one mode (docs/format.md §9): it either
//! finds a schedule, proves that none exists, or says that its step budget
//! ran out. It is the second engine of a portfolio: `seamless-synth` runs
//! its fast heuristic first and calls [`solve`] when that gives up.
//!
//! - Placement is a depth-first search over programs (most constrained
//!   first) and their allowed modules and cores, pruned by memory, processor
//!   load per frame, the exact strictly periodic pair condition, and a
//!   memoised timing check of each core on its own (a relaxation: the jobs
//!   of one core without messages). Empty cores nobody is pinned to are
//!   interchangeable: only the first is tried.
//! - Start times for a complete placement are a simple temporal network
//!   (windows, precedence through the message hops, jitter as bounds on
//!   offsets, steady-state unavailability, the frame boundary) with one
//!   disjunction per pair of intervals on a core or link direction, solved
//!   by branching on pair orders (`stn.rs`).
//! - [`unsat_core`] shrinks a proven-infeasible mode to a set of programs and
//!   messages that still cannot be scheduled together, by deletion.
//!
//! Deterministic: the same input and budget give the same result; the
//! budget counts steps (bound updates, search nodes, checks), and
//! [`Options::deadline`] is only a safety cap. See README.md for why this is
//! a dedicated search rather than a general CP solver.

#![deny(missing_docs)]

mod model;
mod stn;
mod unsat;

pub use unsat::{Core, unsat_core};

use seamless_model::schedule::Schedule;
use seamless_model::{ModeId, System};
use std::time::Instant;

/// Search options.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Work budget in steps (bound updates, nodes, energetic checks).
    pub budget: u64,
    /// Safety cap: stop (with [`Outcome::Unknown`]) after this instant. A
    /// result obtained by hitting it depends on the machine's speed.
    pub deadline: Option<Instant>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            budget: 20_000_000,
            deadline: None,
        }
    }
}

/// What the search concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A schedule (canonical; still to be checked by the verifier).
    Scheduled(Schedule),
    /// Proven: no schedule exists (for the subset searched).
    Infeasible,
    /// The budget (or the safety cap) ran out, or the mode is beyond the
    /// engine's size limits ([`MAX_PROGRAMS`], [`MAX_ITEMS`]).
    Unknown,
}

/// A result with the work it took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Solved {
    /// What the search concluded: a schedule, a proof that none exists, or
    /// "unknown" when the step budget ran out.
    pub outcome: Outcome,
    /// Steps spent.
    pub steps: u64,
}

/// The programs and messages of a mode taken into account (by mode slot:
/// indices into `Mode::programs` and `Mode::messages`). A message is
/// dropped with its sender; a receiver left out is ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subset {
    /// One flag per entry of `Mode::programs` (same length and order):
    /// `true` to schedule that program's jobs.
    pub programs: Vec<bool>,
    /// One flag per entry of `Mode::messages` (same length and order):
    /// `true` to route and schedule that message; ignored (treated as
    /// `false`) when its sender is left out.
    pub messages: Vec<bool>,
}

impl Subset {
    /// Everything of the mode.
    pub fn all(sys: &System, mode: ModeId) -> Subset {
        let m = &sys.modes[mode];
        Subset {
            programs: vec![true; m.programs.len()],
            messages: vec![true; m.messages.len()],
        }
    }
}

/// Most programs in a mode the engine takes on.
pub const MAX_PROGRAMS: usize = 64;
/// Most intervals (jobs plus hop instances) in a mode the engine takes on.
pub const MAX_ITEMS: usize = 4_000;

/// Searches the whole mode.
pub fn solve(sys: &System, mode: ModeId, opts: &Options) -> Solved {
    if mode >= sys.modes.len() {
        return Solved {
            outcome: Outcome::Unknown,
            steps: 0,
        };
    }
    solve_subset(sys, mode, &Subset::all(sys, mode), opts)
}

/// Searches the programs and messages of `subset` only (in the mode's major
/// frame).
pub fn solve_subset(sys: &System, mode: ModeId, subset: &Subset, opts: &Options) -> Solved {
    let mut steps = stn::Steps {
        used: 0,
        limit: opts.budget,
        deadline: opts.deadline,
        out: false,
    };
    let outcome = match model::Search::new(sys, mode, subset) {
        Some(mut s) => s.run(&mut steps),
        None => Outcome::Unknown,
    };
    Solved {
        outcome,
        steps: steps.used,
    }
}
