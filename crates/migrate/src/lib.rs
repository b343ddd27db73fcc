//! Live-migration models (docs/format.md §10), as pure functions over the model.
//!
//! - [`calendar`]: per link direction, the busy time (half-open intervals,
//!   explicit and periodic), with [`calendar::Slots::earliest_fit`] and
//!   [`calendar::Slots::reserve`].
//! - [`route`]: a §3 route with its transmission times, and the placement of
//!   one chunk over it ([`route::place_chunk`]).
//! - [`scheme`]: the five schemes as transfer timelines over free link time:
//!   stop-and-copy, pre-copy, post-copy, hybrid, scatter-gather.
//! - [`whatif`]: the five schemes on an otherwise idle link, in closed form
//!   and by discrete chunk simulation, with a plain-text table.
//! - [`hypervisor`]: pre-copy as a real hypervisor (QEMU) runs it, for the
//!   what-if: zero pages, rate-limiter windows, the downtime-limit stop rule
//!   and its leftover, an unthrottled final copy, the expectation over the
//!   guest writer's unknown phase; checked against measured QEMU migrations
//!   (`tests/calibration.rs`).
//! - [`calibration`]: scores [`hypervisor`] against measured migrations (a
//!   CSV of QEMU's counters), prints the error table by regime, and fits
//!   the final bandwidth, a fixed stop cost and the first-touch cost.
//!
//! Everything is exact integer arithmetic in ticks and bytes; no floats,
//! except in [`calibration`]'s error statistics and its fitting grid.

#![deny(missing_docs)]

pub mod calendar;
pub mod calibration;
pub mod hypervisor;
pub mod route;
pub mod scheme;
pub mod whatif;

pub use calendar::{Interval, Layered, LinkCalendar, Periodic, Slots};
pub use route::{
    Bounds, HopTime, LinkModel, Placement, Route, fit_chunk, place_chunk, reserve_chunk,
};
pub use scheme::{
    Chunk, Criteria, FaultModel, MigrationInput, Phase, Rounds, SourceJobs, Timeline,
    TimelineError, Transfer,
};
pub use whatif::{Dirty, Hypervisor, WhatIf, WhatIfInput, WhatIfRow, render_what_if, what_if};
