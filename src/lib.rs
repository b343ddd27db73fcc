//! seamless as a library: what a test or a tool needs from one dependency.
//!
//! - [`load`]: a system folder into a validated [`System`], or a
//!   [`LoadError`] whose text is the diagnostics as `seamless` prints them;
//! - [`check`]: what `seamless check` runs (system-level synthesis of every
//!   mode, a plan per allowed transition, the independent verifier over
//!   all of it), the results as data ([`Checked`]);
//! - [`PlanDigest`]: a plan with named fields in milliseconds and MiB, for
//!   snapshot tests.
//!
//! The snapshot recipe that uses them is `tests/plan_snapshots.rs`; README
//! ("Snapshot tests of your own system") says how to copy it. The library
//! crates are re-exported below for anything further.

pub use seamless_cli::api::FEEDBACK_ROUNDS;
pub use seamless_cli::api::{
    CheckOptions, Checked, LoadError, MigrationDigest, PhaseDigest, PlanDigest, ProgramDigest,
    Transition, check, load, load_with, mebibytes, millis,
};
/// The model: the validated [`System`], schedules, plans, units.
pub use seamless_model as model;
pub use seamless_model::System;
