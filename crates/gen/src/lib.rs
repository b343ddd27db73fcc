//! Synthetic seamless systems, deterministic for a seed.
//!
//! - [`generate`]: a valid system folder (`system.ron` and one file per
//!   mode) in the exact syntax of docs/format.md §2–4, with harmonic periods,
//!   a switched network, modes that are subsets of the catalogue, messages,
//!   overrides, pins and migration parameters. Valid means it loads without
//!   diagnostics; it is not promised to be schedulable.
//! - [`feasible`]: a system that is feasible by construction, with one
//!   witness [`Schedule`] per mode: the schedule is laid first, then every
//!   window, bound and memory size is drawn around it, its mode switches
//!   included (the witness tables admit a plan for every transition on the
//!   families measured in docs/benchmarks.md).
//!
//! No I/O: the caller writes the files.

#![deny(missing_docs)]

mod desc;
mod feasible;
mod generate;
mod platform;
mod rng;

pub use feasible::feasible;
pub use generate::generate;
pub use rng::Rng;

use seamless_model::schedule::Schedule;
use seamless_model::validate::Limits;
use seamless_model::{SourceFile, System};

/// What to generate. Times are in microseconds (generated systems use
/// `tick: "1us"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenParams {
    /// The system's name.
    pub name: String,
    /// Programs in the catalogue.
    pub programs: usize,
    /// Computing modules (at least 1 is generated).
    pub modules: usize,
    /// Cores per module (at least 1).
    pub cores: u32,
    /// Messages in the catalogue ([`feasible`] keeps only those its witness
    /// can carry, so it may have fewer).
    pub messages: usize,
    /// Modes (at least 1).
    pub modes: usize,
    /// Target processor demand of a mode, Σ wcet/period, as a percentage of
    /// all its cores.
    pub utilisation_percent: u32,
    /// The seed: the same seed gives the same output.
    pub seed: u64,
    /// Candidate periods in µs. [`generate`] draws from all of them (keep
    /// their least common multiple small: it bounds every major frame);
    /// [`feasible`] keeps the longest divisibility chain starting at the
    /// smallest.
    pub periods_us: Vec<u64>,
    /// Percentage of the programs that run in each mode (when there are
    /// several modes).
    pub mode_share_percent: u32,
    /// Percentage of once-per-frame programs ([`generate`] only). Modes
    /// holding one state `major_frame` (the lcm of `periods_us`).
    pub once_percent: u32,
    /// Percentage of programs restricted to a list of modules.
    pub restrict_percent: u32,
    /// Percentage of programs with an explicit window.
    pub window_percent: u32,
    /// Percentage of programs with a `max_jitter`.
    pub jitter_percent: u32,
    /// Percentage of programs with a `max_unavailability`.
    pub unavailability_percent: u32,
    /// Percentage of a mode's programs pinned.
    pub pin_percent: u32,
    /// Percentage of a mode's programs whose rate is overridden
    /// ([`generate`] only).
    pub override_percent: u32,
    /// Modules (or switches) per switch.
    pub switch_ports: usize,
}

impl Default for GenParams {
    fn default() -> Self {
        GenParams {
            name: "synthetic".to_string(),
            programs: 20,
            modules: 4,
            cores: 2,
            messages: 15,
            modes: 2,
            utilisation_percent: 60,
            seed: 1,
            periods_us: vec![5_000, 10_000, 20_000, 40_000, 50_000, 100_000, 200_000],
            mode_share_percent: 75,
            once_percent: 0,
            restrict_percent: 10,
            window_percent: 30,
            jitter_percent: 20,
            unavailability_percent: 30,
            pin_percent: 5,
            override_percent: 10,
            switch_ports: 8,
        }
    }
}

/// A generated system folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// `(file name, RON text)`: `system.ron` first, then one file per mode.
    pub files: Vec<(String, String)>,
}

impl Generated {
    /// The files as the loader takes them (`system.ron` first).
    pub fn sources(&self) -> Vec<SourceFile> {
        self.files
            .iter()
            .map(|(name, text)| SourceFile {
                name: name.clone(),
                text: text.clone(),
            })
            .collect()
    }

    /// Loads the generated system with the default limits.
    pub fn load(&self) -> Result<System, Vec<seamless_model::Diagnostic>> {
        seamless_model::load::load(&self.sources(), Limits::default())
    }
}

/// A feasible system with its witness, one schedule per mode in mode order.
pub type Feasible = (Generated, Vec<Schedule>);

#[cfg(test)]
mod tests;
