//! System-level synthesis: the placements of all modes chosen together over
//! the graph of allowed transitions, so that a mode switch migrates only the
//! programs that must move (see ARCHITECTURE.md: this stage sits between
//! per-mode synthesis and transition planning).
//!
//! - [`bounds`]: how few migrations any placement could need — the pairwise
//!   bound (allowed modules and pins that share no module), the
//!   per-program optimum over its modes, and the exact optimum with memory
//!   and processor capacity where the system is small enough ([`Bounds`]).
//! - [`synthesize`]: the joint placement ([`JointPlacement`]) handed to the
//!   per-mode synthesizer as placement hints; deviations of the schedules
//!   are fed back (bounded rounds). The placement keeps module memory in
//!   every mode and at every switch (the new mode's residents plus the
//!   programs still moving away), by a complete search within a step
//!   budget when the greedy placement cannot.
//! - [`stay_gaps`]: programs that keep their module across a switch but
//!   whose last job in the old table and first in the new one leave a gap
//!   above their bound; [`synthesize`] builds such tables again with the
//!   placement held and those jobs' ends bounded.
//! - [`migration_report`]: migrations planned against the least possible,
//!   per transition and in total, with the reason for every move that was
//!   not forced.
//! - [`plan_all`]: every allowed transition planned, with failures fed back
//!   into the placement (bounded, counted rounds).
//!
//! Deterministic: no hash-map order, no clock; every search has a step
//! budget.

#![deny(missing_docs)]

mod bound;
mod feedback;
mod gap;
mod joint;
mod pack;
mod par;
mod report;
mod run;
mod trace;
mod view;

pub use bound::{Bounds, Optimum, TransitionBound, bounds};
pub use feedback::{FeedbackRound, PlanAll, PlanFn, TransitionPlan, plan_all};
pub use gap::{StayGap, stay_gaps};
pub use joint::JointPlacement;
pub use report::{MigrationReport, TransitionMigrations, migration_report};
pub use run::{
    Deviation, SystemSynthesis, forced, moves_of, schedule_modules, synthesize, synthesize_with,
};

#[cfg(test)]
mod tests;
