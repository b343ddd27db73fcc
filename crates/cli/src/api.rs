//! The library API behind the command line, for tests and tools: load a
//! system folder (or get its diagnostics rendered as `seamless` prints
//! them), run what `seamless check` runs and get the results as data, and
//! digest a plan for snapshot tests (named fields, milliseconds, MiB).
//!
//! The root package `seamless` re-exports this module, so a user's
//! `Cargo.toml` needs only `seamless = { path = ... }`; see
//! `tests/plan_snapshots.rs`, the snapshot recipe.
//!
//! ```no_run
//! let system = seamless_cli::api::load("modes/tutorial").unwrap_or_else(|e| panic!("{e}"));
//! let checked = seamless_cli::api::check(&system, &seamless_cli::api::CheckOptions::default());
//! for t in &checked.transitions {
//!     match &t.plan {
//!         Ok(plan) => println!("{}", seamless_cli::api::PlanDigest::of(&system, plan).complete),
//!         Err(why) => println!("{why}"),
//!     }
//! }
//! assert!(checked.ok(), "{}", checked.findings().join("\n"));
//! ```

use crate::cmd::schedule::schedule_defects;
use seamless_model::plan::{Action, Plan};
use seamless_model::schedule::Schedule;
use seamless_model::validate::Limits;
use seamless_model::{ModeId, SourceFile, System};
use seamless_plan::{PlanOptions, plan_transition};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// Rounds of placement feedback `check` runs after failed transitions.
pub const FEEDBACK_ROUNDS: u32 = 2;

/// A system folder that could not be read or is not a valid system: the
/// text `seamless` prints on stderr for it (every diagnostic rendered with
/// its file, line, column and source excerpt, then a summary line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The rendered text, ending in a newline.
    pub text: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for LoadError {}

/// Reads and validates the system folder `dir` (`system.ron` and one `.ron`
/// file per mode) with the default limits. File names in diagnostics are
/// shown as `dir/<file>`, as the command line shows them.
pub fn load(dir: impl AsRef<Path>) -> Result<System, LoadError> {
    load_with(dir.as_ref(), Limits::default()).map(|(s, _)| s)
}

/// [`load`] with explicit limits; also returns the source files read (in
/// the order the loader took them), for rendering diagnostics later.
pub fn load_with(dir: &Path, limits: Limits) -> Result<(System, Vec<SourceFile>), LoadError> {
    crate::cmd::load_system(dir, limits).map_err(|f| LoadError {
        text: match f {
            crate::cmd::Failure::Input(text) => text,
            crate::cmd::Failure::Closed => String::new(),
        },
    })
}

/// What [`check`] runs with; the defaults are `seamless check`'s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOptions {
    /// When each switch is requested, in ticks from the start of the old
    /// mode's frame (clamped into it); `seamless check --request-at`.
    pub request: u64,
    /// Safety cap on the schedule search time; the search itself is bounded
    /// by a step budget, so results do not depend on the machine's speed
    /// unless this cap is reached. `seamless check --time-limit`.
    pub time_limit: Duration,
    /// Rounds of placement feedback after failed transitions.
    pub feedback_rounds: u32,
    /// Planning steps per plan (schemes tried plus chunks placed) before a
    /// plan search gives up with "no plan found within the budget";
    /// `seamless check --plan-budget`.
    pub plan_budget: u64,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            request: 0,
            time_limit: Duration::from_secs(10),
            feedback_rounds: FEEDBACK_ROUNDS,
            plan_budget: PlanOptions::default().budget,
        }
    }
}

/// One allowed transition's result.
#[derive(Debug, Clone)]
pub struct Transition {
    /// The old mode's index in `System::modes`.
    pub from: ModeId,
    /// The new mode's index.
    pub to: ModeId,
    /// The old mode's name.
    pub from_name: String,
    /// The new mode's name.
    pub to_name: String,
    /// The plan, accepted by the independent verifier; or why there is
    /// none, in the words of `seamless check`'s report.
    pub plan: Result<Plan, String>,
}

/// Everything `seamless check` computes (its default run, without
/// `--worst-case`), as data.
#[derive(Debug, Clone)]
pub struct Checked {
    /// Per mode (in `System::modes` order) its schedule or why there is
    /// none, from system-level synthesis (the placements of all modes
    /// chosen together, then fed back from failed transitions).
    pub synthesis: seamless_synth::Synthesis,
    /// Schedules the verifier rejected (internal errors; empty normally).
    pub schedule_defects: Vec<String>,
    /// Every allowed transition, in `System::transitions` order.
    pub transitions: Vec<Transition>,
    /// Migrations planned against the least any placement needs.
    pub migrations: seamless_system::MigrationReport,
    /// The placement feedback rounds run after failed transitions.
    pub feedback: Vec<seamless_system::FeedbackRound>,
    /// Necessary conditions that fail (`mode `m`: necessary condition
    /// fails: ...`): demand above capacity, found before any search.
    pub necessary_conditions: Vec<String>,
    /// Per mode: why it has no schedule, as the report explains it.
    why_not: Vec<Option<String>>,
}

impl Checked {
    /// Every mode scheduled, every schedule and plan verified.
    pub fn ok(&self) -> bool {
        self.schedule_defects.is_empty()
            && self.necessary_conditions.is_empty()
            && self.synthesis.modes.iter().all(|r| r.is_ok())
            && self.transitions.iter().all(|t| t.plan.is_ok())
    }

    /// The verified schedule of every mode, if every mode has one.
    pub fn schedules(&self) -> Option<Vec<&Schedule>> {
        if !self.schedule_defects.is_empty() {
            return None;
        }
        self.synthesis
            .modes
            .iter()
            .map(|r| r.as_ref().ok())
            .collect()
    }

    /// The verified plan of the transition `from` → `to` (mode names).
    pub fn plan(&self, from: &str, to: &str) -> Option<&Plan> {
        self.transitions
            .iter()
            .find(|t| t.from_name == from && t.to_name == to)
            .and_then(|t| t.plan.as_ref().ok())
    }

    /// Why something failed, one text per failure, as `seamless check
    /// --format json` lists them under `findings` (empty when [`Checked::ok`]).
    pub fn findings(&self) -> Vec<String> {
        let mut out = self.necessary_conditions.clone();
        out.extend(self.schedule_defects.iter().cloned());
        out.extend(self.why_not.iter().flatten().cloned());
        for t in &self.transitions {
            if let Err(why) = &t.plan {
                out.push(why.trim_end().to_string());
            }
        }
        out
    }
}

/// Runs what `seamless check` runs: system-level synthesis of every mode
/// (`seamless-system`), a plan for every allowed transition with failed
/// transitions fed back into the placement, and the independent verifier
/// over every schedule and plan.
pub fn check(system: &System, options: &CheckOptions) -> Checked {
    let opts = seamless_synth::Options {
        time_limit: options.time_limit,
        ..seamless_synth::Options::default()
    };
    let plan = PlanOptions {
        budget: options.plan_budget,
        time_limit: Some(options.time_limit),
        ..PlanOptions::default()
    };
    check_with(
        system,
        &opts,
        &plan,
        options.request,
        options.feedback_rounds,
    )
}

/// [`check`] with explicit synthesis and planning options (the command
/// line's drive a progress bar).
pub fn check_with(
    system: &System,
    opts: &seamless_synth::Options,
    plan: &PlanOptions,
    request: u64,
    feedback_rounds: u32,
) -> Checked {
    let req_of = |from: ModeId| request.min(system.modes[from].major_frame - 1);
    let all = seamless_system::plan_all(
        system,
        opts,
        &|f, t, sa, sb| plan_transition(system, f, t, sa, sb, req_of(f), plan),
        feedback_rounds,
    );
    let schedule_defects = schedule_defects(system, &all.system.synthesis);
    let why_not = (all.system.synthesis.modes.iter().enumerate())
        .map(|(mi, r)| {
            r.as_ref().err().map(|why| {
                format!(
                    "mode `{}`: no schedule: {}",
                    system.modes[mi].name,
                    why.explain(system).trim_end()
                )
            })
        })
        .collect();
    let migrations = seamless_system::migration_report(system, &all.system);
    let transitions = all
        .plans
        .into_iter()
        .map(|(from, to, r)| {
            let plan = match r {
                Ok(p) => {
                    let report = seamless_verify::verify_plan(system, &p);
                    if report.is_valid() {
                        Ok(p)
                    } else {
                        Err(format!(
                            "internal error: the plan for {} → {} failed verification (please report this):\n{report}",
                            p.from, p.to
                        ))
                    }
                }
                Err(Some(np)) => Err(np.to_string()),
                Err(None) => Err(format!(
                    "{} → {}: not planned, a table is missing",
                    system.modes[from].name, system.modes[to].name
                )),
            };
            Transition {
                from,
                to,
                from_name: system.modes[from].name.clone(),
                to_name: system.modes[to].name.clone(),
                plan,
            }
        })
        .collect();
    Checked {
        synthesis: all.system.synthesis,
        schedule_defects,
        transitions,
        migrations,
        feedback: all.rounds,
        necessary_conditions: crate::report::validation_doc(system)
            .modes
            .into_iter()
            .flat_map(|m| {
                let mode = m.mode;
                (m.necessary_conditions_failed.into_iter())
                    .map(move |f| format!("mode `{mode}`: necessary condition fails: {f}"))
            })
            .collect(),
        why_not,
    }
}

/// `ns` nanoseconds as exact decimal milliseconds: `"607 ms"`, `"0.5 ms"`,
/// `"1227.25 ms"`.
pub fn millis(ns: u128) -> String {
    let whole = ns / 1_000_000;
    let rem = ns % 1_000_000;
    if rem == 0 {
        return format!("{whole} ms");
    }
    let frac = format!("{rem:06}");
    format!("{whole}.{} ms", frac.trim_end_matches('0'))
}

/// `bytes` in MiB: `"8 MiB"` when whole, else two decimals (rounded down)
/// and the exact count: `"1.39 MiB (1468006 B)"`.
pub fn mebibytes(bytes: u64) -> String {
    const MIB: u128 = 1 << 20;
    let b = u128::from(bytes);
    if b.is_multiple_of(MIB) {
        return format!("{} MiB", b / MIB);
    }
    let hundredths = b * 100 / MIB;
    format!(
        "{}.{:02} MiB ({bytes} B)",
        hundredths / 100,
        hundredths % 100
    )
}

/// A plan as a reviewer reads it in a snapshot: every decision and figure
/// with a name, instants and durations in milliseconds, sizes in MiB, the
/// chunks summed per program and phase (not listed one by one). Instants
/// count from the start of the old mode's frame.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlanDigest {
    /// The old mode.
    pub from: String,
    /// The new mode.
    pub to: String,
    /// When the switch was requested.
    pub request: String,
    /// The switch point: the old table's frame boundary where it stops.
    pub switch: String,
    /// When the new table starts.
    pub new_table_from: String,
    /// When the transition is complete: the new table started, every byte
    /// arrived, every extended job over, and every program of the new mode
    /// has completed a job in it.
    pub complete: String,
    /// From the request to `complete`.
    pub transition_latency: String,
    /// From the request to the last source module freed.
    pub eviction_time: String,
    /// From the first chunk's departure to the last byte's arrival; shorter
    /// than the eviction time when the first chunk leaves after the request.
    pub total_migration_time: String,
    /// The largest downtime of a migrated program.
    pub largest_downtime: String,
    /// Bytes sent, in total.
    pub bytes: String,
    /// Extra run time of the new mode's jobs for page faults, in total.
    pub degradation: String,
    /// Every program that moves, in the plan's order.
    pub migrations: Vec<MigrationDigest>,
    /// Every program of either mode: what happens to it.
    pub programs: BTreeMap<String, ProgramDigest>,
    /// Jobs of the new table that do not run (their program is not there yet).
    pub skipped_jobs: usize,
    /// Jobs of the new table that run longer (post-copy page faults).
    pub extended_jobs: usize,
}

/// One migration of a [`PlanDigest`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MigrationDigest {
    /// The program.
    pub program: String,
    /// Where it runs in the old mode: `module/core`.
    pub from: String,
    /// Where it runs in the new mode: `module/core`.
    pub to: String,
    /// The scheme (`pre-copy`, `post-copy`, `hybrid`, `stop-and-copy`, `scatter-gather`).
    pub scheme: String,
    /// The intermediary module (scatter-gather only).
    pub via: Option<String>,
    /// When its first job on the destination starts.
    pub resume: String,
    /// From its suspension to `resume`.
    pub downtime: String,
    /// Bytes its source sends.
    pub bytes: String,
    /// Extra run time of its extended jobs.
    pub degradation: String,
    /// Per phase (`copy`, `round-N`, `final`, `cpu`, `pages`, ...): chunks and bytes.
    pub phases: BTreeMap<String, PhaseDigest>,
}

/// The chunks of one migration phase.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PhaseDigest {
    /// How many chunks.
    pub chunks: usize,
    /// Their bytes.
    pub bytes: String,
}

/// What happens to one program across a switch.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProgramDigest {
    /// `continue`, `migrate`, `stop` or `start`.
    pub action: String,
    /// The longest interval between two of its completions across the
    /// switch (programs of both modes only).
    pub unavailability: Option<String>,
    /// Its `max_unavailability` bound, if any.
    pub bound: Option<String>,
}

impl PlanDigest {
    /// The digest of `plan`, a plan of `system`.
    pub fn of(system: &System, plan: &Plan) -> PlanDigest {
        let ms = |t: u64| millis(u128::from(t) * u128::from(system.tick.ns));
        let m = &plan.metrics;
        PlanDigest {
            from: plan.from.clone(),
            to: plan.to.clone(),
            request: ms(plan.request),
            switch: ms(plan.switch),
            new_table_from: ms(plan.b_start),
            complete: ms(plan.complete),
            transition_latency: ms(m.transition_latency),
            eviction_time: ms(m.eviction_time),
            total_migration_time: ms(m.total_migration_time),
            largest_downtime: ms(m.max_downtime),
            bytes: mebibytes(m.bytes),
            degradation: ms(m.degradation),
            migrations: plan
                .migrations
                .iter()
                .map(|g| {
                    let mut sums: BTreeMap<String, (usize, u64)> = BTreeMap::new();
                    for t in plan.transfers.iter().filter(|t| t.program == g.program) {
                        let e = sums.entry(t.phase.clone()).or_default();
                        e.0 += 1;
                        e.1 += t.bytes;
                    }
                    MigrationDigest {
                        program: g.program.clone(),
                        from: format!("{}/{}", g.from.module, g.from.core),
                        to: format!("{}/{}", g.to.module, g.to.core),
                        scheme: g.scheme.name().to_string(),
                        via: g.via.clone(),
                        resume: ms(g.resume),
                        downtime: ms(g.downtime),
                        bytes: mebibytes(g.bytes),
                        degradation: ms(g.degradation),
                        phases: sums
                            .into_iter()
                            .map(|(k, (chunks, bytes))| {
                                let bytes = mebibytes(bytes);
                                (k, PhaseDigest { chunks, bytes })
                            })
                            .collect(),
                    }
                })
                .collect(),
            programs: plan
                .programs
                .iter()
                .map(|p| {
                    let action = match p.action {
                        Action::Continue => "continue",
                        Action::Migrate => "migrate",
                        Action::Stop => "stop",
                        Action::Start => "start",
                    };
                    let d = ProgramDigest {
                        action: action.to_string(),
                        unavailability: p.unavailability.map(ms),
                        bound: p.bound.map(ms),
                    };
                    (p.program.clone(), d)
                })
                .collect(),
            skipped_jobs: plan.skipped.len(),
            extended_jobs: plan.extended.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{mebibytes, millis};

    #[test]
    fn user_units() {
        assert_eq!(millis(0), "0 ms");
        assert_eq!(millis(607_000_000), "607 ms");
        assert_eq!(millis(500_000), "0.5 ms");
        assert_eq!(millis(1_227_250_000), "1227.25 ms");
        assert_eq!(millis(1), "0.000001 ms");
        assert_eq!(mebibytes(8 << 20), "8 MiB");
        assert_eq!(mebibytes(0), "0 MiB");
        assert_eq!(mebibytes(1_468_006), "1.39 MiB (1468006 B)");
        assert_eq!(mebibytes(1), "0.00 MiB (1 B)");
    }
}
