//! The seamless system model: pure types, validation and expansion; no I/O.
//!
//! - [`units`]: exact parsing of durations, frequencies, sizes, bandwidths.
//! - [`raw`]: the input files as `ron` reads them.
//! - [`validate`]: raw files to a [`System`], collecting every error as a
//!   [`Diagnostic`] that points into the files.
//! - [`load`]: the loader over in-memory sources (the CLI reads the files).
//! - [`network`]: nodes, links and the §3 routes.
//! - [`expand`]: jobs and message instances over a mode's major frame.
//! - [`schedule`], [`plan`]: the machine-readable outputs of §8.

#![deny(missing_docs)]

pub mod diag;
pub mod expand;
pub mod load;
pub mod network;
pub mod plan;
pub mod raw;
pub mod schedule;
pub mod spans;
pub mod system;
pub mod units;
pub mod validate;

pub use diag::{Diagnostic, SourceFile};
pub use system::*;
