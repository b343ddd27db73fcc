//! Quantities as written (durations, sizes, bandwidths, frequencies) parsed
//! in the system's tick, with the error each bad one gives; and the
//! collector [`V`] every check reports into.

use crate::diag::Diagnostic;
use crate::system::{ProgramId, Ticks};
use crate::units::{self, Tick, UnitError};

fn unit_code(e: &UnitError) -> &'static str {
    match e {
        UnitError::Malformed { .. } => "malformed-quantity",
        UnitError::Negative => "negative-quantity",
        UnitError::MissingUnit { .. } => "missing-unit",
        UnitError::UnknownUnit { .. } => "unknown-unit",
        UnitError::Overflow => "quantity-overflow",
        UnitError::NotWholeTicks { .. } => "not-whole-ticks",
        UnitError::NotWholeBytes => "not-whole-bytes",
        UnitError::NotWholeBits => "not-whole-bits",
        UnitError::Zero => "zero-quantity",
    }
}

/// A quantity as written, with where it was written.
#[derive(Clone, Copy)]
pub(super) struct Q<'a> {
    pub(super) file: usize,
    pub(super) path: &'a str,
    pub(super) text: &'a str,
}

pub(super) struct V {
    pub(super) diags: Vec<Diagnostic>,
    pub(super) tick: Tick,
    /// Programs whose `max_unavailability` was already reported below a
    /// period, so that one bad bound gives one error, not one per mode.
    pub(super) unavail_reported: std::collections::BTreeSet<ProgramId>,
}

impl V {
    pub(super) fn err(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    pub(super) fn unit_err(&mut self, owner: &str, field: &str, q: Q, e: UnitError) {
        let label = match &e {
            UnitError::NotWholeTicks { .. } => format!("{e} of {}", self.tick.text),
            _ => e.to_string(),
        };
        let mut d = Diagnostic::error(
            unit_code(&e),
            format!("{owner}: `{field}` \"{}\": {e}", q.text),
        )
        .at(q.file, q.path, label);
        d = match e {
            UnitError::NotWholeTicks { .. } => d.help(format!(
                "the system's tick is {}; every duration and period must be a whole number of ticks (set a finer `tick` in system.ron, or round the value)",
                self.tick.text
            )),
            UnitError::MissingUnit { .. } => d.help(format!(
                "write the unit right after the number, e.g. \"{}{}\"",
                q.text,
                example_unit(field)
            )),
            UnitError::Overflow => d.help(match example_unit(field) {
                "MiB" => "a size must be less than 2^64 bytes (16EiB)".to_string(),
                "Mbit/s" => "a bandwidth must be less than 2^64 bit/s".to_string(),
                "Hz" => "the frequency is too high to compute its period".to_string(),
                _ => format!("a duration must be less than 2^64 ticks of {}", self.tick.text),
            }),
            _ => d,
        };
        self.err(d);
    }

    /// A duration ≥ 0.
    pub(super) fn dur(&mut self, owner: &str, field: &str, q: Q) -> Option<Ticks> {
        match self.tick.duration(q.text) {
            Ok(t) => Some(t),
            Err(e) => {
                self.unit_err(owner, field, q, e);
                None
            }
        }
    }

    /// A duration > 0.
    pub(super) fn pos_dur(&mut self, owner: &str, field: &str, q: Q) -> Option<Ticks> {
        let t = self.dur(owner, field, q)?;
        if t == 0 {
            self.unit_err(owner, field, q, UnitError::Zero);
            return None;
        }
        Some(t)
    }

    pub(super) fn period_of_freq(&mut self, owner: &str, q: Q) -> Option<Ticks> {
        match self.tick.frequency_period(q.text) {
            Ok(t) => Some(t),
            Err(e) => {
                self.unit_err(owner, "frequency", q, e);
                None
            }
        }
    }

    /// A size > 0 (or ≥ 0 when `zero_ok`).
    pub(super) fn size(&mut self, owner: &str, field: &str, q: Q, zero_ok: bool) -> Option<u64> {
        match units::parse_size(q.text) {
            Ok(0) if !zero_ok => {
                self.unit_err(owner, field, q, UnitError::Zero);
                None
            }
            Ok(b) => Some(b),
            Err(e) => {
                self.unit_err(owner, field, q, e);
                None
            }
        }
    }

    pub(super) fn bandwidth(&mut self, owner: &str, q: Q) -> Option<u64> {
        match units::parse_bandwidth(q.text) {
            Ok(0) => {
                self.unit_err(owner, "bandwidth", q, UnitError::Zero);
                None
            }
            Ok(b) => Some(b),
            Err(e) => {
                self.unit_err(owner, "bandwidth", q, e);
                None
            }
        }
    }
}

fn example_unit(field: &str) -> &'static str {
    match field {
        "memory" | "size" | "working_set" | "dirty_per_job" | "page_size" | "cpu_state"
        | "chunk" | "stop_below" => "MiB",
        "bandwidth" => "Mbit/s",
        "frequency" => "Hz",
        _ => "ms",
    }
}
