//! A transition plan as written and read (§8): absolute ticks from the start
//! of the old mode's frame in which the request arrives.

use crate::schedule::{HopEntry, Schedule};
use serde::{Deserialize, Serialize};

/// The plan of one mode switch A → B.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The old mode A.
    pub from: String,
    /// The new mode B.
    pub to: String,
    /// The system's tick as written (`"1us"`).
    pub tick: String,
    /// `r`: the request instant.
    pub request: u64,
    /// `S`: the switch point, a frame boundary of A at or after `r`.
    pub switch: u64,
    /// `S + φ`: the instant B's table starts.
    pub b_start: u64,
    /// The instant the transition is complete.
    pub complete: u64,
    /// Every program that moves to another module or core.
    pub migrations: Vec<Migration>,
    /// Every chunk of every migration, with its link directions.
    pub transfers: Vec<Transfer>,
    /// B's jobs that do not run (their program is not there yet).
    pub skipped: Vec<JobRef>,
    /// B's jobs that run longer (post-copy page faults).
    pub extended: Vec<Extended>,
    /// What happens to every program of A or B.
    pub programs: Vec<ProgramOutcome>,
    /// The plan's criteria.
    pub metrics: Metrics,
    /// A's table, as the plan uses it.
    pub from_schedule: Schedule,
    /// B's table, as the plan uses it.
    pub to_schedule: Schedule,
}

/// A program's module and core.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    /// The module.
    pub module: String,
    /// The core, from 0.
    pub core: u32,
}

/// A live-migration scheme (§7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scheme {
    /// Suspend, copy everything, resume.
    StopAndCopy,
    /// Copy while running, then the pages dirtied since, then suspend.
    PreCopy,
    /// Move the CPU state, resume, fetch pages on demand.
    PostCopy,
    /// Pre-copy rounds, then post-copy.
    Hybrid,
    /// Evict fast to an intermediary module, which forwards to the destination.
    ScatterGather,
}

impl Scheme {
    /// Every scheme, in the order reports list them.
    pub const ALL: [Scheme; 5] = [
        Scheme::StopAndCopy,
        Scheme::PreCopy,
        Scheme::PostCopy,
        Scheme::Hybrid,
        Scheme::ScatterGather,
    ];
    /// The name used in files and reports.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::StopAndCopy => "stop-and-copy",
            Scheme::PreCopy => "pre-copy",
            Scheme::PostCopy => "post-copy",
            Scheme::Hybrid => "hybrid",
            Scheme::ScatterGather => "scatter-gather",
        }
    }
}

/// One migrated program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Migration {
    /// The program.
    pub program: String,
    /// Where it runs in A.
    pub from: Slot,
    /// Where it runs in B.
    pub to: Slot,
    /// How its memory moves.
    pub scheme: Scheme,
    /// The intermediary module, for scatter-gather only.
    pub via: Option<String>,
    /// Instant of the first executed destination job's start.
    pub resume: u64,
    /// Instant the source is free.
    pub eviction: u64,
    /// First chunk's departure to last byte's arrival.
    pub total_time: u64,
    /// Suspension to resume.
    pub downtime: u64,
    /// Bytes sent by the source.
    pub bytes: u64,
    /// Sum of the extra run time of extended jobs.
    pub degradation: u64,
}

/// One chunk (one leg of it, for scatter-gather).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// The migrating program.
    pub program: String,
    /// `copy`, `round-N`, `final`, `cpu`, `pages`, `scatter`, `gather`.
    pub phase: String,
    /// Bytes carried.
    pub bytes: u64,
    /// The link directions, in route order.
    pub hops: Vec<HopEntry>,
}

/// A B job, counted from `b_start`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct JobRef {
    /// The program.
    pub program: String,
    /// The job's index counted from `b_start` (across frames).
    pub index: u64,
}

/// A B job that runs longer by `extra` ticks (post-copy page faults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extended {
    /// The program.
    pub program: String,
    /// The job's index counted from `b_start`.
    pub index: u64,
    /// Extra ticks of run time.
    pub extra: u64,
}

/// What happens to a program at the switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// In both modes, on the same module and core.
    Continue,
    /// In both modes, moved to another module or core.
    Migrate,
    /// In A only.
    Stop,
    /// In B only.
    Start,
}

/// Every program of either mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramOutcome {
    /// The program.
    pub program: String,
    /// What happens to it.
    pub action: Action,
    /// For a program of both modes: the longest gap between two completed
    /// jobs across the switch.
    pub unavailability: Option<u64>,
    /// Its `max_unavailability`, if any.
    pub bound: Option<u64>,
}

/// The seed's criteria, in total.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metrics {
    /// From the request to the completion.
    pub transition_latency: u64,
    /// From the switch point to the last source freed.
    pub eviction_time: u64,
    /// Sum of the migrations' total times.
    pub total_migration_time: u64,
    /// The largest downtime.
    pub max_downtime: u64,
    /// Bytes sent, in total.
    pub bytes: u64,
    /// Sum of the extended jobs' extra run time.
    pub degradation: u64,
}
