//! A mode's schedule as written and read (§8): names as in the input, times
//! as integer ticks from the start of the major frame. Shared by synthesis
//! (which writes it) and verification (which reads it, from any tool).

use serde::{Deserialize, Serialize};

/// One major frame of one mode, repeated forever.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub mode: String,
    /// The system's tick as written (`"1us"`).
    pub tick: String,
    pub major_frame: u64,
    pub placement: Vec<Placement>,
    pub jobs: Vec<JobEntry>,
    pub transmissions: Vec<Transmission>,
}

/// Where a program runs for the whole mode.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Placement {
    pub program: String,
    pub module: String,
    pub core: u32,
}

/// One executed job: `[start, end)` on `module`/`core`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobEntry {
    pub program: String,
    pub index: u64,
    pub module: String,
    pub core: u32,
    pub start: u64,
    pub end: u64,
}

/// One message instance's transmission: one entry per link direction used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transmission {
    pub message: String,
    pub index: u64,
    pub hops: Vec<HopEntry>,
}

/// A link direction busy for `[start, end)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HopEntry {
    pub from: String,
    pub to: String,
    pub start: u64,
    pub end: u64,
}

impl Schedule {
    /// Sorts every list into the canonical order (placement by program;
    /// jobs by program then index; transmissions by message then index), so
    /// that equal schedules serialize to equal bytes.
    pub fn canonicalize(&mut self) {
        self.placement.sort();
        self.jobs
            .sort_by(|a, b| (&a.program, a.index).cmp(&(&b.program, b.index)));
        self.transmissions
            .sort_by(|a, b| (&a.message, a.index).cmp(&(&b.message, b.index)));
    }
}
