//! The seamless compiled-table format: one module's schedules and transition
//! plans, as a stable, versioned, little-endian byte string.
//!
//! A table describes **one module**: its id, name and number of cores; a
//! program-name, message-name and link list (ids → names, for diagnostics);
//! per mode (id, name, major frame `H` in ticks, tick length in ns) the job
//! windows of each core and the message slots of each outgoing link
//! direction, all within `[0, H)` and sorted; and per allowed transition
//! `from → to` its plan: `φ` (from the switch point `S`, a frame boundary of
//! the old mode, to the new mode's start `b_start = S + φ`), the lead time
//! (how long before `S` its first action may be due), the completion time,
//! and the actions with times relative to `S` (stop, suspend, send chunk,
//! resume), the skipped jobs and the extended jobs of the new mode. The byte
//! layout and the versioning rule are in `FORMAT.md` beside this crate.
//!
//! - [`Tables::parse`] reads a table without allocating or copying, and
//!   validates everything up front (bounds, sortedness, no overlap on a core
//!   or link, ids in range, version), so no accessor can fail afterwards. It
//!   never panics, whatever the input.
//! - With the `std` feature, `encode` writes a table from plain Rust data
//!   (`ModuleTablesSpec`), and `ModuleTablesSpec::from_tables` reads one
//!   back.
//!
//! ```
//! # #[cfg(feature = "std")] {
//! use seamless_tables::{encode, ModeSpec, ModuleTablesSpec, Tables, WindowSpec};
//! let spec = ModuleTablesSpec {
//!     module_id: 1,
//!     module_name: "cm1".into(),
//!     cores: 1,
//!     programs: vec!["gnc".into()],
//!     modes: vec![ModeSpec {
//!         id: 0,
//!         name: "standard".into(),
//!         major_frame: 20,
//!         tick_ns: 1_000,
//!         cores: vec![vec![WindowSpec { start: 0, end: 2, program: 0 }]],
//!         links: vec![],
//!     }],
//!     ..Default::default()
//! };
//! let bytes = encode(&spec).unwrap();
//! let tables = Tables::parse(&bytes).unwrap();
//! let mode = tables.mode(0).unwrap();
//! assert_eq!(mode.windows(0).get(0).unwrap().end, 2);
//! assert_eq!(tables.program_name(0), Some("gnc"));
//! # }
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "std")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod bytes;
#[cfg(feature = "std")]
mod encode;
mod error;
mod reader;
mod records;

#[cfg(feature = "std")]
pub use encode::{
    EncodeError, ExtendSpec, JobSpec, LinkSlotsSpec, LinkSpec, ModeSpec, ModuleTablesSpec,
    SlotSpec, TransitionSpec, WindowSpec, encode,
};
pub use error::FormatError;
pub use reader::{Link, Mode, Tables, Transition};
pub use records::{
    Action, ActionKind, Extend, JobRef, LinkId, List, ListIter, MessageId, ModeId, NO_LINK,
    ProgramId, Record, Skip, Slot, Window,
};

/// The eight bytes every table starts with.
pub const MAGIC: [u8; 8] = *b"SEAMTBL\0";

/// The format version this crate reads and writes. A reader accepts exactly
/// the versions it knows; see `FORMAT.md` for when the version changes.
pub const FORMAT_VERSION: u16 = 1;
