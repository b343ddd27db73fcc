//! Snapshot tests of a system's mode switches: a recipe to copy.
//!
//! This file runs what `seamless check` runs on the folder `SYSTEM` and
//! records, per allowed transition, the plan (named fields, milliseconds,
//! MiB) or why there is none, and the findings. Once the snapshots are
//! reviewed and committed, any change to a rate, a size, a bound or a
//! placement that changes a plan fails `cargo test` and shows the
//! difference.
//!
//! To use it in your own crate (README, "Snapshot tests of your system"):
//!
//! 1. copy this file, unchanged but for `SYSTEM`, to `tests/plan_snapshots.rs`;
//! 2. in your `Cargo.toml`:
//!
//!    ```toml
//!    [dev-dependencies]
//!    seamless = { path = "../seamless" }   # or a git dependency
//!    insta = { version = "1", features = ["ron"] }
//!
//!    # seamless's searches run optimised under `cargo test` (seconds, not minutes)
//!    [profile.dev.package."*"]
//!    opt-level = 2
//!    ```
//!
//! 3. `INSTA_UPDATE=always cargo test --test plan_snapshots` once, read the
//!    files under `tests/snapshots/`, commit them.
//!
//! `dev/recipe-user/` is such a crate, outside this workspace, run in CI.

/// The system folder, relative to the crate's `Cargo.toml`.
const SYSTEM: &str = "modes/iss";

#[test]
fn every_transition_is_planned_as_recorded() {
    // a folder that does not load fails with the diagnostics as `seamless` prints them
    let system = seamless::load(SYSTEM).unwrap_or_else(|e| panic!("\n{e}"));
    let checked = seamless::check(&system, &seamless::CheckOptions::default());
    for t in &checked.transitions {
        let name = format!("{}_to_{}", t.from_name, t.to_name);
        match &t.plan {
            Ok(plan) => insta::assert_ron_snapshot!(name, seamless::PlanDigest::of(&system, plan)),
            Err(why) => insta::assert_snapshot!(name, why),
        }
    }
    // every mode without a schedule, every transition without a plan: empty
    // when `seamless check` says ok
    insta::assert_snapshot!("findings", checked.findings().join("\n\n"));
}
