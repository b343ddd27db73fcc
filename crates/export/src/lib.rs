//! Exports of seamless schedules and transition plans.
//!
//! - [`compile`]: one compiled table per computing module, in the
//!   `seamless-tables` format that the `seamless-runtime` dispatcher runs.
//! - [`arinc653`] / [`arinc653_modules`]: ARINC 653 module schedules (the
//!   XML shape of AIR's `air_module_a653.xsd`), one `ARINC_653_Module` per
//!   computing module; [`read_arinc653`] reads them back.
//! - [`air`]: the rules of AIR's configurator, as checks.
//! - [`quantise`]: schedules moved onto a coarser clock (to be verified).
//! - [`xtratum`] / [`xtratum_modules`]: XtratuM `SystemDescription` (XM_CF skeletons with the cyclic
//!   plans), one per computing module; [`read_xtratum`] reads them back.
//!
//! Every time is converted from integer ticks to exact decimal strings
//! ([`decimal`]), never through floating point, and read back exactly.
//! Same input, same output, byte for byte.

#![deny(missing_docs)]

pub mod air;
mod arinc;
mod compile;
pub mod decimal;
mod quantise;
mod resolve;
mod view;
pub mod xml;
mod xtratum;

use seamless_model::schedule::Schedule;

pub use arinc::{
    AirError, PLACEHOLDER_PERSONALITY, arinc653, arinc653_modules, expected_windows, read_arinc653,
    read_arinc653_with_tick,
};
pub use compile::{CompileError, compile, compile_specs};
pub use quantise::{quantise, quantised_system};
pub use view::ChangeAction;
pub use xtratum::{
    XM_HYPERVISOR_BYTES, XM_NAMESPACE, XM_RAM_START, read_xtratum, read_xtratum_with_tick, xtratum,
    xtratum_modules,
};

/// One partition window as an exported configuration shows it: on `core`
/// of `module`, in the schedule of `mode`, `partition` runs for
/// `[start_ticks, start_ticks + duration_ticks)` of the major frame.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReadWindow {
    /// Name of the computing module whose configuration holds the window.
    pub module: String,
    /// Name of the mode whose schedule the window belongs to.
    pub mode: String,
    /// Core number on the module (0-based).
    pub core: u32,
    /// Name of the partition (the program) that runs in the window.
    pub partition: String,
    /// Start of the window, in ticks from the start of the major frame.
    pub start_ticks: u64,
    /// Length of the window, in ticks.
    pub duration_ticks: u64,
}

/// One window per job of the schedules, straight from them, sorted.
fn windows_of(schedules: &[Schedule]) -> Vec<ReadWindow> {
    let mut out: Vec<ReadWindow> = schedules
        .iter()
        .flat_map(|s| {
            s.jobs.iter().map(|j| ReadWindow {
                module: j.module.clone(),
                mode: s.mode.clone(),
                core: j.core,
                partition: j.program.clone(),
                start_ticks: j.start,
                duration_ticks: j.end.saturating_sub(j.start),
            })
        })
        .collect();
    out.sort();
    out
}
