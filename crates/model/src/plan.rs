//! A transition plan as written and read (§8): absolute ticks from the start
//! of the old mode's frame in which the request arrives.

use crate::schedule::{HopEntry, Schedule};
use serde::{Deserialize, Serialize};

/// The plan of one mode switch A → B.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub from: String,
    pub to: String,
    pub tick: String,
    /// `r`: the request instant.
    pub request: u64,
    /// `S`: the switch point, a frame boundary of A at or after `r`.
    pub switch: u64,
    /// `S + φ`: the instant B's table starts.
    pub b_start: u64,
    /// The instant the transition is complete.
    pub complete: u64,
    pub migrations: Vec<Migration>,
    pub transfers: Vec<Transfer>,
    pub skipped: Vec<JobRef>,
    pub extended: Vec<Extended>,
    pub programs: Vec<ProgramOutcome>,
    pub metrics: Metrics,
    pub from_schedule: Schedule,
    pub to_schedule: Schedule,
}

/// A program's module and core.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub module: String,
    pub core: u32,
}

/// A live-migration scheme (§7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scheme {
    StopAndCopy,
    PreCopy,
    PostCopy,
    Hybrid,
    ScatterGather,
}

impl Scheme {
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
    pub program: String,
    pub from: Slot,
    pub to: Slot,
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
    pub program: String,
    /// `copy`, `round-N`, `final`, `cpu`, `pages`, `scatter`, `gather`.
    pub phase: String,
    pub bytes: u64,
    pub hops: Vec<HopEntry>,
}

/// A B job, counted from `b_start`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct JobRef {
    pub program: String,
    pub index: u64,
}

/// A B job that runs longer by `extra` ticks (post-copy page faults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extended {
    pub program: String,
    pub index: u64,
    pub extra: u64,
}

/// What happens to a program at the switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Continue,
    Migrate,
    Stop,
    Start,
}

/// Every program of either mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramOutcome {
    pub program: String,
    pub action: Action,
    pub unavailability: Option<u64>,
    pub bound: Option<u64>,
}

/// The seed's criteria, in total.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metrics {
    pub transition_latency: u64,
    pub eviction_time: u64,
    pub total_migration_time: u64,
    pub max_downtime: u64,
    pub bytes: u64,
    pub degradation: u64,
}
