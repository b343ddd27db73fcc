//! A mode's schedule as written and read (§8): names as in the input, times
//! as integer ticks from the start of the major frame. Shared by synthesis
//! (which writes it) and verification (which reads it, from any tool).

use serde::{Deserialize, Serialize};

/// One major frame of one mode, repeated forever.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// The mode's name.
    pub mode: String,
    /// The system's tick as written (`"1us"`).
    pub tick: String,
    /// The major frame `H`, in ticks.
    pub major_frame: u64,
    /// Where each program of the mode runs.
    pub placement: Vec<Placement>,
    /// Every job of one frame.
    pub jobs: Vec<JobEntry>,
    /// Every message instance of one frame that crosses a link.
    pub transmissions: Vec<Transmission>,
}

/// Where a program runs for the whole mode.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Placement {
    /// The program.
    pub program: String,
    /// Its module.
    pub module: String,
    /// Its core on that module, from 0.
    pub core: u32,
}

/// One executed job: `[start, end)` on `module`/`core`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobEntry {
    /// The program.
    pub program: String,
    /// The job's index in the frame, from 0.
    pub index: u64,
    /// The module it runs on.
    pub module: String,
    /// The core it runs on.
    pub core: u32,
    /// Start, in ticks from the frame's start.
    pub start: u64,
    /// End (exclusive): `start + wcet`.
    pub end: u64,
}

/// One message instance's transmission: one entry per link direction used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transmission {
    /// The message.
    pub message: String,
    /// The instance's index in the frame, from 0.
    pub index: u64,
    /// One entry per link direction of its route (or multicast tree).
    pub hops: Vec<HopEntry>,
}

/// A link direction busy for `[start, end)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HopEntry {
    /// The node the direction leaves.
    pub from: String,
    /// The node it reaches.
    pub to: String,
    /// Start, in ticks.
    pub start: u64,
    /// End (exclusive), latency included.
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
