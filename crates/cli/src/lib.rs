//! The `seamless` command line: parse arguments, call the library crates,
//! render. No scheduling, planning or checking logic lives here.

#![deny(missing_docs)]

pub mod api;
mod cmd;
pub mod io;
mod progress;
pub mod report;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

/// Exit code: success.
pub const EXIT_OK: i32 = 0;
/// Exit code: a finding — the system is infeasible or a check failed.
pub const EXIT_FINDING: i32 = 1;
/// Exit code: the input or the command line is wrong.
pub const EXIT_INPUT: i32 = 2;

/// The parsed command line of `seamless`: build it with `clap::Parser`
/// (`Cli::try_parse_from(["seamless", "validate", "modes/tutorial"])`) and
/// run it with [`run_with`].
#[derive(Debug, Parser)]
#[command(
    name = "seamless",
    version,
    about = "Build, verify and switch the static schedules of an integrated modular avionics system",
    long_about = "Build, verify and switch the static schedules of an integrated modular avionics system.\n\n\
A system is a folder: `system.ron` (modules, switches, links, programs, messages, transitions)\n\
and one `.ron` file per operating mode.\n\n\
Exit codes: 0 success; 1 the system is infeasible or a check failed; 2 the input or the command line is wrong."
)]
pub struct Cli {
    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands of `seamless`, one variant per command, with its
/// arguments as parsed (the `--help` of each says what it does).
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load and check a system, then print each mode's demand summary.
    Validate {
        /// The system folder.
        system: PathBuf,
        /// Output format of the summary on stdout.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// The job-count safety limit (`--max-jobs`).
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Print the expanded jobs and message instances of a mode (times in ticks).
    Expand {
        /// The system folder.
        system: PathBuf,
        /// Only this mode (default: every mode).
        #[arg(long)]
        mode: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// The job-count safety limit (`--max-jobs`).
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Build each mode's time-triggered schedule, verify it, and write it.
    Schedule {
        /// The system folder.
        system: PathBuf,
        /// Only this mode (default: every mode).
        #[arg(long)]
        mode: Option<String>,
        /// Write `<mode>.schedule.<format>` (and `<mode>.svg` with `--svg`) files here;
        /// without it the schedule (one mode) or `{"schedules": [...]}` goes to stdout.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Format of the schedule documents.
        #[arg(long, value_enum, default_value_t = OutFormat::Json)]
        format: OutFormat,
        /// Also write a Gantt chart per mode (needs `--out`).
        #[arg(long)]
        svg: bool,
        /// Safety cap on the search time per run (e.g. `10s`, `500ms`).
        #[arg(long, default_value = "10s", value_parser = parse_time_limit)]
        time_limit: Duration,
        /// The job-count safety limit (`--max-jobs`).
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Check schedule and plan files (JSON or RON, from this tool or any other) against a system.
    Verify {
        /// The system folder.
        system: PathBuf,
        /// Schedule or plan files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The job-count safety limit (`--max-jobs`).
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Plan one mode switch (live migrations included), verify the plan, and print it.
    Plan {
        /// The system folder.
        system: PathBuf,
        /// The old mode.
        #[arg(long)]
        from: String,
        /// The new mode.
        #[arg(long)]
        to: String,
        /// When the switch is requested, in the old mode's frame: ticks, or a duration (`5ms`). Default 0.
        #[arg(long)]
        request_at: Option<String>,
        /// Also evaluate the worst transition latency and unavailability over every request instant.
        #[arg(long)]
        worst_case: bool,
        /// Write `<from>-to-<to>.plan.<format>` (and a timeline `.svg` with `--svg`) here.
        #[arg(long)]
        out: Option<PathBuf>,
        /// The plan document's format (default json). Without `--out`, the
        /// document goes to stdout and the table to stderr.
        #[arg(long, value_enum)]
        format: Option<OutFormat>,
        /// Also write the plan's timeline chart (needs `--out`).
        #[arg(long)]
        svg: bool,
        /// Work budget of the planner per request instant, in steps (a
        /// migration scheme tried: one step, plus one per chunk placed).
        /// Deterministic; when spent without a plan: "no plan found within
        /// the budget", exit 1.
        #[arg(long, default_value_t = seamless_plan::DEFAULT_BUDGET)]
        plan_budget: u64,
        /// Safety cap on the schedule search time, and on the planning time
        /// (the plan, and the worst case).
        #[arg(long, default_value = "10s", value_parser = parse_time_limit)]
        time_limit: Duration,
        /// The job-count safety limit (`--max-jobs`).
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// The main job: validate, schedule every mode, plan every allowed switch, verify everything.
    Check {
        /// The system folder.
        system: PathBuf,
        /// When each switch is requested in the old mode's frame (default 0).
        #[arg(long)]
        request_at: Option<String>,
        /// Also evaluate every allowed transition's worst case over every request instant.
        #[arg(long)]
        worst_case: bool,
        /// Write every schedule and plan here (`.json`, or `.ron` with `--format ron`),
        /// and print the report.
        #[arg(long)]
        out: Option<PathBuf>,
        /// text: the report; json/ron: one document (schedules, plans, findings) on
        /// stdout, or the file format with `--out`.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Also write a Gantt chart per mode and a timeline per plan (needs `--out`).
        #[arg(long)]
        svg: bool,
        /// Work budget of the planner per plan (per request instant), in
        /// steps; see `seamless plan --help`.
        #[arg(long, default_value_t = seamless_plan::DEFAULT_BUDGET)]
        plan_budget: u64,
        /// Safety cap on the schedule search time, and on each plan's (each
        /// worst case's) planning time.
        #[arg(long, default_value = "10s", value_parser = parse_time_limit)]
        time_limit: Duration,
        /// The job-count safety limit (`--max-jobs`).
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Compile every module's tables (schedules and switch actions) for the no_std runtime.
    Compile {
        /// The system folder.
        system: PathBuf,
        /// Write `<module>.tables` here.
        #[arg(long)]
        out: PathBuf,
        /// The request instant the switch plans are made for (default 0).
        #[arg(long)]
        request_at: Option<String>,
        /// Safety cap on the schedule search time.
        #[arg(long, default_value = "10s", value_parser = parse_time_limit)]
        time_limit: Duration,
        /// The job-count safety limit (`--max-jobs`).
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Export the schedules as ARINC 653 (AIR) and/or XtratuM configuration XML.
    Export {
        /// The system folder.
        system: PathBuf,
        /// Write one ARINC 653 module file per computing module (`<module>.xml`, as AIR
        /// loads it) into this folder.
        #[arg(long)]
        arinc653: Option<PathBuf>,
        /// Write XtratuM cyclic plans (every module) to this file.
        #[arg(long)]
        xtratum: Option<PathBuf>,
        /// First move the schedules onto a clock of N ticks per second (windows to the next
        /// tick, budgets rounded up) and verify them again. AIR accepts at most 50000 and its
        /// configurator keeps whole milliseconds: 1000.
        #[arg(long)]
        ticks_per_second: Option<u64>,
        /// Format of the report on stdout (what was written, and why not).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Safety cap on the schedule search time.
        #[arg(long, default_value = "10s", value_parser = parse_time_limit)]
        time_limit: Duration,
        /// The job-count safety limit (`--max-jobs`).
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Run every module's runtime dispatcher through one planned switch on a simulated clock and check the trace.
    Simulate {
        /// The system folder.
        system: PathBuf,
        /// The old mode.
        #[arg(long)]
        from: String,
        /// The new mode.
        #[arg(long)]
        to: String,
        /// When the switch is requested in the old mode's frame (default 0).
        #[arg(long)]
        request_at: Option<String>,
        /// Print every event of the trace.
        #[arg(long)]
        trace: bool,
        /// Safety cap on the schedule search time.
        #[arg(long, default_value = "10s", value_parser = parse_time_limit)]
        time_limit: Duration,
        /// The job-count safety limit (`--max-jobs`).
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Print a compiled `.tables` file (from `seamless compile`) as text, after checking it with the runtime's reader.
    Tables {
        /// The `.tables` file.
        file: PathBuf,
    },
    /// What-if: every migration scheme's criteria for one program on an otherwise idle link.
    #[command(after_long_help = MIGRATE_HELP)]
    Migrate(Box<MigrateArgs>),
    /// Write a synthetic valid system folder of a requested size.
    Generate(GenerateArgs),
}

/// The arguments of `seamless generate`: the size of the synthetic system
/// and where to write it.
#[derive(Debug, Clone, clap::Args)]
pub struct GenerateArgs {
    /// Programs in the catalogue.
    #[arg(long, default_value_t = 20)]
    pub programs: usize,
    /// Computing modules.
    #[arg(long, default_value_t = 4)]
    pub modules: usize,
    /// Cores per module.
    #[arg(long, default_value_t = 2)]
    pub cores: u32,
    /// Messages in the catalogue.
    #[arg(long, default_value_t = 15)]
    pub messages: usize,
    /// Modes.
    #[arg(long, default_value_t = 2)]
    pub modes: usize,
    /// Target processor demand of each mode, in percent of its cores.
    #[arg(long, default_value_t = 60)]
    pub utilisation: u32,
    /// Seed of the generator: the same seed writes the same files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Build a system that is feasible by construction, and write the
    /// witness schedules to `<OUT>/witness/<mode>.schedule.json`.
    #[arg(long)]
    pub feasible: bool,
    /// The folder to write (created if needed).
    #[arg(long)]
    pub out: PathBuf,
}

/// The criteria and knobs of `seamless migrate`, for `--help`.
const MIGRATE_HELP: &str = "\
Criteria (per scheme; times in ticks of 1 us in --format json, sizes in bytes):
  total_time     from the first byte sent to the last byte arrived at the destination
  downtime       from the program's suspension to its resumption on the destination
  eviction_time  from the start to the instant the source has sent its last byte
  bytes          every byte the source sends (re-sent pages and page headers included)
  final_bytes    bytes sent while the program is stopped (pre-copy's final set,
                 hybrid's post-copy part, everything for the other schemes)
  rounds         live pre-copy rounds, the first full pass included (0 when none); with
                 the writer's phase unknown (below), those of the median phase
  degradation    extra run time of the destination's jobs for page faults of the pages
                 still missing (post-copy, hybrid): per job ceil(missing/page) x fault cost

Hypervisor knobs (any of --zero, --final-bandwidth, --downtime-limit, --rate-window,
--stop-cost, --first-touch, --writer-phase switches the pre-copy and stop-and-copy rows to
the model of a real hypervisor, QEMU's; post-copy and scatter-gather then run at
--final-bandwidth, hybrid stays the section 10 model at --bandwidth):
  --zero           memory that is zero pages: sent as a 9-byte header each in the first pass
                   (other pages carry an 8-byte header); default 0
  --bandwidth      the live rounds' rate limit (QEMU max-bandwidth)
  --final-bandwidth the stop-and-copy's rate: QEMU lifts the limit there (default --bandwidth)
  --downtime-limit stop when the pending bytes at --bandwidth fit in it, i.e. fewer than
                   bandwidth x limit remain (instead of --stop-below); the dirty bitmap is
                   re-read only then, so a leftover of the pass rides into the final copy
  --rate-window    the limiter's window (QEMU: 100ms): each window's bytes go in a burst
                   at the final bandwidth, then the sender sleeps; the stop rule is checked
                   at each window's start (default: a continuous stream, checked per chunk)
  --stop-cost      fixed part of the downtime (stopping the guest, last sync, device
                   state); default 0
  --first-touch    extra downtime per page the final copy sends for the first time (the
                   first pass left it unsent): the destination faults in fresh memory for
                   it, a re-sent page lands in mapped memory; default 0
  --writer-phase   DURATION|spread: where the guest's writer is in its cycle over the
                   working set (a cycle lasts W / dirty rate) when the migration starts,
                   as how long it has been going from the working set's first page; or
                   `spread` (default): not known, so the pre-copy figures are the mean over
                   16 phases evenly spaced across one cycle (an expectation: the phase is
                   not known to a user, nor pinned by a measured run's timing), the rounds
                   those of the median phase (by total time); the text output shows the
                   range over the phases. `0s` gives the answers from before 2026-12-04
The model keeps the dirty bitmap page by page: the sender goes round the memory in address
order (zero pages, then the working set, then the rest), the writer goes round the working
set one page after the other, so between two bitmap reads it dirties min(W, rate x elapsed)
distinct pages and a page already pending counts once. Where the writer is against the
sender decides how much of a new dirty set overlaps pages still pending: with a dirty rate
close to --bandwidth that can change the rounds a lot, hence the expectation over phases.
See docs/format.md (seamless migrate) and docs/benchmarks.md.";

/// The output format of `seamless migrate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MigrateFormat {
    // `#[doc = concat!(..)]`, not `///`: clap turns a `///` on a value into
    // help text in `--help`; these are for rustdoc only.
    #[doc = concat!("One aligned table per criterion, for reading.")]
    Text,
    #[doc = concat!("One JSON document: the input and every scheme's criteria, times in ticks.")]
    Json,
}

/// The arguments of `seamless migrate`: one program's memory and dirtying,
/// the link, and the migration parameters, each as text with its unit
/// (parsed when the command runs, so a bad value is a located exit-2
/// error), or a calibration CSV.
#[derive(Debug, Clone, clap::Args)]
pub struct MigrateArgs {
    /// The program's memory `M` (e.g. `256MiB`).
    #[arg(long, required_unless_present = "calibrate")]
    pub memory: Option<String>,
    /// How fast it dirties memory, in bytes per second (e.g. `20MiB/s`).
    #[arg(long, conflicts_with = "dirty_per_job")]
    pub dirty_rate: Option<String>,
    /// Or: bytes of distinct pages one job writes (with `--period`).
    #[arg(long, requires = "period")]
    pub dirty_per_job: Option<String>,
    /// The program's period (e.g. `20ms`); jobs end every period.
    #[arg(long)]
    pub period: Option<String>,
    /// The link's bandwidth, and the live rounds' rate limit (e.g. `1Gbit/s`).
    #[arg(long, required_unless_present = "calibrate")]
    pub bandwidth: Option<String>,
    /// The stop-and-copy's rate (default: `--bandwidth`): the hypervisor
    /// lifts its rate limit once the program is stopped.
    #[arg(long)]
    pub final_bandwidth: Option<String>,
    /// Bytes of the memory that are zero pages (a header each on the wire).
    #[arg(long)]
    pub zero: Option<String>,
    /// QEMU's stop rule: stop when the pending bytes at `--bandwidth` fit
    /// in this (an alternative to `--stop-below`).
    #[arg(long)]
    pub downtime_limit: Option<String>,
    /// The rate limiter's window (QEMU: `100ms`; default: none).
    #[arg(long)]
    pub rate_window: Option<String>,
    /// Fixed part of the downtime (default 0).
    #[arg(long)]
    pub stop_cost: Option<String>,
    /// Extra downtime per page the stop-and-copy sends for the first time
    /// (the destination faults in fresh memory; default 0).
    #[arg(long, value_name = "DURATION")]
    pub first_touch: Option<String>,
    /// Where the guest's writer is in its cycle over the working set when
    /// the migration starts: how long it has been going (from the first
    /// page of the working set), or `spread` (the default): not known, the
    /// expectation over 16 phases of its cycle.
    #[arg(long, value_name = "DURATION|spread")]
    pub writer_phase: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: MigrateFormat,
    /// Score the hypervisor model against measured migrations (a CSV of
    /// QEMU counters, columns as in crates/migrate/tests/data), fit the
    /// final bandwidth, a fixed stop cost and the first-touch cost of a
    /// never-sent page, and print the error tables: with the defaults,
    /// fitted, and held out (each bandwidth's runs with the values fitted on
    /// the other bandwidths' runs).
    #[arg(long, value_name = "FILE.csv")]
    pub calibrate: Option<PathBuf>,
    /// The working set `W` (default: the memory).
    #[arg(long)]
    pub working_set: Option<String>,
    /// The link's latency (default 0).
    #[arg(long, default_value = "0us")]
    pub latency: String,
    /// Page size.
    #[arg(long, default_value = "4KiB")]
    pub page_size: String,
    /// CPU state `C`.
    #[arg(long, default_value = "16KiB")]
    pub cpu_state: String,
    /// Largest chunk.
    #[arg(long, default_value = "64KiB")]
    pub chunk: String,
    /// Most pre-copy rounds.
    #[arg(long, default_value_t = 5)]
    pub max_rounds: u32,
    /// Pre-copy stops when a round would carry less than this.
    #[arg(long, default_value = "256KiB")]
    pub stop_below: String,
    /// Handling time of one remote page fault (post-copy).
    #[arg(long, default_value = "20us")]
    pub fault_handling: String,
    /// Pre-copy rounds before the hybrid scheme switches to post-copy.
    #[arg(long, default_value_t = 1)]
    pub hybrid_rounds: u32,
}

/// Safety limits shared by the commands that load a system.
#[derive(Debug, Clone, clap::Args)]
pub struct LimitArgs {
    /// Most jobs (and message instances) one mode's major frame may hold.
    #[arg(long, default_value_t = 10_000_000)]
    pub max_jobs: u64,
}

/// The format of the schedule and plan documents written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutFormat {
    // `#[doc = concat!(..)]`, not `///`: clap turns a `///` on a value into
    // help text in `--help`; these are for rustdoc only.
    #[doc = concat!("JSON (`.json`).")]
    Json,
    #[doc = concat!("RON (`.ron`), the format of the system's own files.")]
    Ron,
}

/// Parses `--time-limit`: a duration with a unit (`10s`, `500ms`).
fn parse_time_limit(text: &str) -> Result<Duration, String> {
    let ns = seamless_model::units::Tick::parse("1ns")
        .map_err(|e| e.to_string())?
        .duration(text)
        .map_err(|e| format!("`{text}`: {e}"))?;
    Ok(Duration::from_nanos(ns))
}

/// How a command prints its result on stdout: `text` for reading, `json`
/// or `ron` for one machine-readable document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    // `#[doc = concat!(..)]`, not `///`: clap turns a `///` on a value into
    // help text in `--help`; these are for rustdoc only.
    #[doc = concat!("Text for reading (the default).")]
    Text,
    #[doc = concat!("One JSON document.")]
    Json,
    #[doc = concat!("One RON document.")]
    Ron,
}

/// The former name of [`Format`].
pub type ExpandFormat = Format;

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_INPUT } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    run(cli)
}

/// Runs a parsed command.
pub fn run(cli: Cli) -> i32 {
    run_with(cli, &mut std::io::stdout().lock())
}

/// Runs a parsed command with its standard output going to `out` (errors
/// still go to stderr); returns the exit code. For tests and embedding.
pub fn run_with(cli: Cli, out: &mut dyn std::io::Write) -> i32 {
    let result = match cli.command {
        Command::Validate {
            system,
            format,
            limits,
        } => cmd::validate(out, &system, format, limits.into()),
        Command::Expand {
            system,
            mode,
            format,
            limits,
        } => cmd::expand(out, &system, mode.as_deref(), format, limits.into()),
        Command::Generate(args) => cmd::generate(out, &args),
        Command::Migrate(args) => cmd::migrate(out, &args),
        Command::Tables { file } => cmd::tables::tables(out, &file),
        Command::Simulate {
            system,
            from,
            to,
            request_at,
            trace,
            time_limit,
            limits,
        } => cmd::plan::simulate(
            out,
            &cmd::plan::SimulateArgs {
                dir: &system,
                from: &from,
                to: &to,
                request_at: request_at.as_deref(),
                trace,
                time_limit,
                limits: limits.into(),
            },
        ),
        Command::Compile {
            system,
            out: dir,
            request_at,
            time_limit,
            limits,
        } => cmd::plan::compile(
            out,
            &system,
            &dir,
            request_at.as_deref(),
            time_limit,
            limits.into(),
        ),
        Command::Export {
            system,
            arinc653,
            xtratum,
            ticks_per_second,
            format,
            time_limit,
            limits,
        } => cmd::export::export(
            out,
            &cmd::export::ExportArgs {
                dir: &system,
                arinc653: arinc653.as_deref(),
                xtratum: xtratum.as_deref(),
                ticks_per_second,
                format,
                time_limit,
                limits: limits.into(),
            },
        ),
        Command::Plan {
            system,
            from,
            to,
            request_at,
            worst_case,
            out: dir,
            format,
            svg,
            plan_budget,
            time_limit,
            limits,
        } => cmd::plan::plan(
            out,
            &cmd::plan::PlanArgs {
                dir: &system,
                from: &from,
                to: &to,
                request_at: request_at.as_deref(),
                worst_case,
                out: dir.as_deref(),
                format,
                svg,
                plan_budget,
                time_limit,
                limits: limits.into(),
            },
        ),
        Command::Check {
            system,
            request_at,
            worst_case,
            out: dir,
            format,
            svg,
            plan_budget,
            time_limit,
            limits,
        } => cmd::plan::check(
            out,
            &cmd::plan::CheckArgs {
                dir: &system,
                request_at: request_at.as_deref(),
                worst_case,
                out: dir.as_deref(),
                format,
                svg,
                plan_budget,
                time_limit,
                limits: limits.into(),
            },
        ),
        Command::Schedule {
            system,
            mode,
            out: dir,
            format,
            svg,
            time_limit,
            limits,
        } => cmd::schedule::schedule(
            out,
            &mut std::io::stderr().lock(),
            &cmd::schedule::ScheduleArgs {
                dir: &system,
                mode: mode.as_deref(),
                out: dir.as_deref(),
                format,
                svg,
                time_limit,
                limits: limits.into(),
            },
        ),
        Command::Verify {
            system,
            files,
            limits,
        } => cmd::schedule::verify(out, &system, &files, limits.into()),
    };
    match result {
        Ok(code) => code,
        Err(cmd::Failure::Input(text)) => {
            eprint!("{text}");
            if !text.ends_with('\n') {
                eprintln!();
            }
            EXIT_INPUT
        }
        // `seamless ... | head`: the reader has all it wanted
        Err(cmd::Failure::Closed) => EXIT_OK,
    }
}

impl From<LimitArgs> for seamless_model::validate::Limits {
    fn from(a: LimitArgs) -> Self {
        seamless_model::validate::Limits {
            max_jobs: a.max_jobs,
        }
    }
}
