//! Simulates one mode switch on every module at once and checks it against
//! its transition plan.
//!
//! [`simulate`] parses each module's compiled table (from
//! `seamless_export::compile`), runs one `seamless_runtime::Dispatcher` per
//! module on **one** simulated clock (stepping to the earliest
//! `next_boundary` of all dispatchers, plus the request instant), requests
//! the switch on every module at the plan's `request`, and records every
//! event in a [`Trace`]. A simulated network carries what the modules send:
//!
//! - **Messages**: a module's slot start is the first hop of a message
//!   instance on the link leaving it; the switches forward it along the
//!   instance's transmission tree in the table in force.
//! - **Chunks**: a module's *send chunk* action is the first hop of one leg
//!   of a migration chunk; the switches forward it along the §3 route to its
//!   target (the program's module in the new mode, or for scatter-gather
//!   the intermediary named by the plan when the source sends it).
//!
//! **Forwarding rule** (store-and-forward, time-triggered switches): a hop
//! out of a switch starts at `max(previous hop's end + previous link's
//! latency, the hop's scheduled start)`, where the scheduled start is the
//! table's (messages) or the plan's (chunks; the plan's hop for the same
//! chunk, matched by program, link and first-hop times) and lasts exactly the
//! chunk's or message's `tx_time` on that link. A chunk the plan does not
//! know is forwarded as early as the rule allows. So a switch never sends
//! early; a late arrival shows as a later hop, which the comparison reports.
//!
//! The trace is then turned into a [`Plan`] built only from what the
//! dispatchers and the network did (see [`derive_plan`]), checked with
//! `seamless_verify::verify_plan`, and compared with the plan directly
//! (see [`Mismatch`]).

#![deny(missing_docs)]

mod derive;
mod render;
mod run;

use std::fmt;

use seamless_model::System;
use seamless_model::plan::{Plan, Transfer};
use seamless_model::schedule::{HopEntry, Schedule};

pub use derive::{derive_plan, shift_plan};
pub use render::render_trace;

/// Most cores per module the simulation's dispatchers hold.
pub const MAX_CORES: usize = 16;

/// Everything that happened in one simulated switch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    /// Old mode.
    pub from: String,
    /// New mode.
    pub to: String,
    /// The system's tick as written.
    pub tick: String,
    /// Nanoseconds per tick.
    pub tick_ns: u64,
    /// The instant the switch was requested on every module.
    pub request: u64,
    /// The last simulated instant (the plan's `complete` plus one frame of
    /// the new mode, or the runtime's completion if later).
    pub horizon: u64,
    /// Every event in time order; at one instant, the dispatchers' events
    /// (modules in table order, each in the runtime's event order) before
    /// the network's (forwarding, arrivals).
    pub events: Vec<TraceEvent>,
    /// Every job dispatched (old and new mode).
    pub jobs: Vec<JobRun>,
    /// Every job the new mode's table skipped.
    pub skipped: Vec<SkippedJob>,
    /// Every message instance as the network delivered it.
    pub messages: Vec<MessageRun>,
    /// Every chunk leg as the network delivered it.
    pub chunks: Vec<ChunkRun>,
    /// Per module: the switch point, the new mode's start and the
    /// transition's completion the module reported (`None`: not seen).
    pub modules: Vec<ModuleSwitch>,
}

/// What one module reported about the switch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleSwitch {
    /// The module.
    pub module: String,
    /// The switch point `S`.
    pub switch: Option<u64>,
    /// The new table's start.
    pub b_start: Option<u64>,
    /// The transition's completion.
    pub complete: Option<u64>,
}

/// Which table a job or message belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// The old mode's table (before `S`).
    Old,
    /// The new mode's table (from `b_start`).
    New,
}

/// One dispatched job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRun {
    /// Old or new table.
    pub side: Side,
    /// The module.
    pub module: String,
    /// The core.
    pub core: u16,
    /// The program.
    pub program: String,
    /// Index counted from the mode's start (`f·n + k`).
    pub index: u64,
    /// When it starts, in ticks.
    pub start: u64,
    /// End as dispatched (extension included).
    pub end: u64,
}

/// One job the new mode's table skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedJob {
    /// The module.
    pub module: String,
    /// The core.
    pub core: u16,
    /// The program.
    pub program: String,
    /// The index counted from the mode's start.
    pub index: u64,
    /// Its window's start.
    pub at: u64,
}

/// One message instance as delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRun {
    /// Old or new table.
    pub side: Side,
    /// The message.
    pub message: String,
    /// Frame repetition from the mode's start.
    pub frame: u64,
    /// Instance within the frame.
    pub instance: u64,
    /// Hops as sent (by the modules) and forwarded (by the switches).
    pub hops: Vec<HopEntry>,
}

/// One chunk leg as delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkRun {
    /// The program.
    pub program: String,
    /// The module that sent it.
    pub sender: String,
    /// The module it was addressed to.
    pub target: String,
    /// Bytes carried.
    pub bytes: u64,
    /// The phase of the plan's chunk it matched (`None`: the plan has no
    /// such chunk).
    pub phase: Option<String>,
    /// Its hops, as delivered.
    pub hops: Vec<HopEntry>,
    /// End of the last hop plus its link's latency (`None` if it never
    /// reached its target).
    pub arrival: Option<u64>,
}

/// One trace line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceEvent {
    /// The instant, in ticks.
    pub at: u64,
    /// The module (or, for forwarding, the switch) it happened on.
    pub node: String,
    /// What happened.
    pub what: What,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    /// A job starts on a core; it runs until `end`.
    JobStart {
        /// The core.
        core: u16,
        /// The program.
        program: String,
        /// The job's index counted from the mode's start.
        job: u64,
        /// When it ends (exclusive), in ticks.
        end: u64,
    },
    /// A job ends.
    JobEnd {
        /// The core.
        core: u16,
        /// The program.
        program: String,
        /// The job's index counted from the mode's start.
        job: u64,
    },
    /// The new table skips a job (its program has not arrived).
    JobSkipped {
        /// The core.
        core: u16,
        /// The program.
        program: String,
        /// The job's index counted from the mode's start.
        job: u64,
    },
    /// A module starts sending a message instance on a link.
    SlotStart {
        /// The link direction, `from→to`.
        link: String,
        /// The message.
        message: String,
        /// The frame repetition counted from the mode's start.
        frame: u64,
        /// The instance within the frame.
        instance: u32,
        /// When it ends (exclusive), in ticks.
        end: u64,
    },
    /// A message slot ends.
    SlotEnd {
        /// The link direction, `from→to`.
        link: String,
        /// The message.
        message: String,
        /// The frame repetition counted from the mode's start.
        frame: u64,
        /// The instance within the frame.
        instance: u32,
    },
    /// The switch to mode `to` is requested.
    Request {
        /// The new mode.
        to: String,
    },
    /// The module accepts the request: it will switch at `switch` and start the new table at `b_start`.
    TransitionBegin {
        /// The switch point `S`.
        switch: u64,
        /// The new table's start.
        b_start: u64,
    },
    /// The switch point `S`: the old table stops.
    SwitchPoint,
    /// A program of the old mode only stops.
    Stop {
        /// The program.
        program: String,
    },
    /// A migrating program is suspended on its source module.
    Suspend {
        /// The program.
        program: String,
    },
    /// The module sends a chunk of a migrating program.
    SendChunk {
        /// The program.
        program: String,
        /// The link direction, `from→to`.
        link: String,
        /// Bytes carried.
        bytes: u64,
        /// When it ends (exclusive), in ticks.
        end: u64,
    },
    /// A migrated program may run on this module from now on.
    Resume {
        /// The program.
        program: String,
    },
    /// The new mode's table starts.
    ModeStart {
        /// The mode.
        mode: String,
    },
    /// The module has done every action of the transition.
    TransitionComplete,
    /// A switch forwards a message hop.
    ForwardMessage {
        /// The message.
        message: String,
        /// The link direction, `from→to`.
        link: String,
        /// When it ends (exclusive), in ticks.
        end: u64,
    },
    /// A switch forwards a chunk hop.
    ForwardChunk {
        /// The program.
        program: String,
        /// The link direction, `from→to`.
        link: String,
        /// Bytes carried.
        bytes: u64,
        /// When it ends (exclusive), in ticks.
        end: u64,
    },
    /// A chunk leg reached its target module (end of last hop + latency).
    ChunkArrived {
        /// The program.
        program: String,
        /// Bytes carried.
        bytes: u64,
    },
}

/// One difference between the simulation and the plan (or a rule the
/// trace-derived plan breaks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// A module switched at another instant than the plan's `S`.
    SwitchPoint {
        /// The module.
        module: String,
        /// The plan's value.
        planned: u64,
        /// The simulation's value (`None`: not seen).
        simulated: Option<u64>,
    },
    /// A module started the new table at another instant than `b_start`.
    BStart {
        /// The module.
        module: String,
        /// The plan's value.
        planned: u64,
        /// The simulation's value (`None`: not seen).
        simulated: Option<u64>,
    },
    /// A job ran other than its table (plus the plan's skips and
    /// extensions) says: `(module, core, start, end)` planned and run.
    Job {
        /// Old or new table.
        side: Side,
        /// The program.
        program: String,
        /// The index counted from the mode's start.
        index: u64,
        /// The plan's value.
        planned: Option<(String, u16, u64, u64)>,
        /// The simulation's value (`None`: not seen).
        simulated: Option<(String, u16, u64, u64)>,
    },
    /// A job skipped by one and not by the other.
    Skipped {
        /// The program.
        program: String,
        /// The index counted from the mode's start.
        index: u64,
        /// The plan's value.
        planned: bool,
        /// The simulation's value (`None`: not seen).
        simulated: bool,
    },
    /// A job extended differently.
    Extended {
        /// The program.
        program: String,
        /// The index counted from the mode's start.
        index: u64,
        /// The plan's value.
        planned: Option<u64>,
        /// The simulation's value (`None`: not seen).
        simulated: Option<u64>,
    },
    /// A message instance's hops differ from its table's.
    Message {
        /// Old or new table.
        side: Side,
        /// The message.
        message: String,
        /// The frame repetition counted from the mode's start.
        frame: u64,
        /// The instance within the frame.
        instance: u64,
        /// The plan's value.
        planned: Vec<HopEntry>,
        /// The simulation's value (`None`: not seen).
        simulated: Vec<HopEntry>,
    },
    /// A chunk leg of the plan not delivered as planned (`simulated`
    /// `None`: never sent), or one the plan does not have (`planned` `None`).
    Chunk {
        /// The program.
        program: String,
        /// The plan's value.
        planned: Option<Transfer>,
        /// The simulation's value (`None`: not seen).
        simulated: Option<Transfer>,
    },
    /// Two transmissions overlap on one link direction in the network.
    LinkOverlap {
        /// The link direction, `from→to`.
        link: String,
        /// The first transmission, as text.
        first: String,
        /// The transmission that overlaps it.
        second: String,
        /// The instant, in ticks.
        at: u64,
    },
    /// A destination job ran before its module reported the program's
    /// resume.
    RanBeforeResume {
        /// The program.
        program: String,
        /// The module.
        module: String,
        /// The job's start.
        job_start: u64,
        /// When the module reported the resume (`None`: never).
        resume: Option<u64>,
    },
    /// A value of the trace-derived plan differs from the plan's.
    Value {
        /// The plan's field (`metrics.transition_latency`).
        field: String,
        /// The plan's value, as text.
        planned: String,
        /// The trace-derived plan's value, as text.
        simulated: String,
    },
    /// The runtime refused something or lost events.
    Runtime {
        /// The module.
        module: String,
        /// What the runtime reported.
        detail: String,
    },
    /// The plan verifier rejects the trace-derived plan.
    Verifier(String),
}

impl Mismatch {
    /// Whether this difference follows from the runtime switching whole
    /// old frames before the plan's `S` (the switch point and new-table
    /// start themselves, and the values measured from the request:
    /// `complete` and the metrics). Everything else is compared with the
    /// plan moved to the runtime's `S`.
    pub fn is_switch_shift(&self) -> bool {
        match self {
            Mismatch::SwitchPoint { .. } | Mismatch::BStart { .. } => true,
            Mismatch::Value { field, .. } => field == "complete" || field == "metrics",
            _ => false,
        }
    }
}

fn hops_text(h: &[HopEntry]) -> String {
    if h.is_empty() {
        return "none".into();
    }
    h.iter()
        .map(|h| format!("{}→{} [{}, {})", h.from, h.to, h.start, h.end))
        .collect::<Vec<_>>()
        .join(", ")
}

fn transfer_text(t: &Option<Transfer>) -> String {
    match t {
        None => "none".into(),
        Some(t) => format!("{} B ({}) {}", t.bytes, t.phase, hops_text(&t.hops)),
    }
}

fn job_text(j: &Option<(String, u16, u64, u64)>) -> String {
    match j {
        None => "not run".into(),
        Some((m, c, s, e)) => format!("{m}/core {c} [{s}, {e})"),
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Old => "old",
            Side::New => "new",
        })
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let opt = |x: &Option<u64>| x.map_or("none".to_string(), |v| v.to_string());
        match self {
            Mismatch::SwitchPoint {
                module,
                planned,
                simulated,
            } => write!(
                f,
                "module `{module}` switched at {}, the plan at {planned}",
                opt(simulated)
            ),
            Mismatch::BStart {
                module,
                planned,
                simulated,
            } => write!(
                f,
                "module `{module}` started the new table at {}, the plan at {planned}",
                opt(simulated)
            ),
            Mismatch::Job {
                side,
                program,
                index,
                planned,
                simulated,
            } => write!(
                f,
                "{side} job `{program}` #{index}: planned {}, ran {}",
                job_text(planned),
                job_text(simulated)
            ),
            Mismatch::Skipped {
                program,
                index,
                planned,
                simulated,
            } => write!(
                f,
                "job `{program}` #{index}: skipped by the plan: {planned}, by the runtime: {simulated}"
            ),
            Mismatch::Extended {
                program,
                index,
                planned,
                simulated,
            } => write!(
                f,
                "job `{program}` #{index}: planned extension {}, ran {}",
                opt(planned),
                opt(simulated)
            ),
            Mismatch::Message {
                side,
                message,
                frame,
                instance,
                planned,
                simulated,
            } => write!(
                f,
                "{side} message `{message}` frame {frame} instance {instance}: planned {}, delivered {}",
                hops_text(planned),
                hops_text(simulated)
            ),
            Mismatch::Chunk {
                program,
                planned,
                simulated,
            } => write!(
                f,
                "chunk of `{program}`: planned {}, delivered {}",
                transfer_text(planned),
                transfer_text(simulated)
            ),
            Mismatch::LinkOverlap {
                link,
                first,
                second,
                at,
            } => write!(f, "link {link}: {first} and {second} overlap at {at}"),
            Mismatch::RanBeforeResume {
                program,
                module,
                job_start,
                resume,
            } => write!(
                f,
                "`{program}` ran on `{module}` at {job_start}, resumed at {}",
                opt(resume)
            ),
            Mismatch::Value {
                field,
                planned,
                simulated,
            } => write!(f, "{field}: planned {planned}, simulated {simulated}"),
            Mismatch::Runtime { module, detail } => write!(f, "runtime of `{module}`: {detail}"),
            Mismatch::Verifier(s) => write!(f, "verifier, on the trace-derived plan: {s}"),
        }
    }
}

/// Why a simulation failed.
#[derive(Debug, Clone)]
pub enum SimError {
    /// The inputs cannot be simulated (a table that does not parse, a
    /// module with more than [`MAX_CORES`] cores, names that do not resolve).
    Input(String),
    /// The simulation ran but differs from the plan: the trace, the plan
    /// derived from it, and every difference.
    Mismatch {
        /// Every event of the run.
        trace: Box<Trace>,
        /// The plan derived from the trace.
        derived: Box<Plan>,
        /// Every difference from the plan.
        mismatches: Vec<Mismatch>,
    },
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::Input(s) => write!(f, "cannot simulate: {s}"),
            SimError::Mismatch { mismatches, .. } => {
                write!(
                    f,
                    "the simulation differs from the plan ({} difference{}):",
                    mismatches.len(),
                    if mismatches.len() == 1 { "" } else { "s" }
                )?;
                for m in mismatches {
                    write!(f, "\n  {m}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for SimError {}

/// The outcome of a successful simulation.
#[derive(Debug, Clone)]
pub struct Simulation {
    /// Every event of the run.
    pub trace: Trace,
    /// The plan built from the trace (accepted by the verifier, equal in
    /// every compared value to the input plan).
    pub derived: Plan,
}

/// Simulates `plan` (compiled into `tables`, one per module, as
/// `seamless_export::compile` returns them) on every module at once and
/// returns the trace, or every difference from the plan (see the crate
/// docs).
pub fn simulate(
    system: &System,
    tables: &[(String, Vec<u8>)],
    a: &Schedule,
    b: &Schedule,
    plan: &Plan,
) -> Result<Trace, SimError> {
    simulate_full(system, tables, a, b, plan).map(|s| s.trace)
}

/// [`simulate`], also returning the trace-derived plan.
pub fn simulate_full(
    system: &System,
    tables: &[(String, Vec<u8>)],
    a: &Schedule,
    b: &Schedule,
    plan: &Plan,
) -> Result<Simulation, SimError> {
    let (trace, mut mismatches) = run::run(system, tables, a, b, plan)?;
    let derived = derive_plan(system, &trace, a, b, plan);
    mismatches.extend(derive::compare(system, &trace, a, b, plan, &derived));
    let report = seamless_verify::verify_plan(system, &derived);
    if !report.is_valid() {
        for v in &report.violations {
            mismatches.push(Mismatch::Verifier(v.to_string()));
        }
        for (rule, n) in &report.suppressed {
            mismatches.push(Mismatch::Verifier(format!("{n} more of {rule:?}")));
        }
        for v in report
            .from_schedule
            .violations
            .iter()
            .chain(&report.to_schedule.violations)
        {
            mismatches.push(Mismatch::Verifier(format!("{v:?}")));
        }
    }
    if mismatches.is_empty() {
        Ok(Simulation { trace, derived })
    } else {
        Err(SimError::Mismatch {
            trace: Box::new(trace),
            derived: Box::new(derived),
            mismatches,
        })
    }
}
