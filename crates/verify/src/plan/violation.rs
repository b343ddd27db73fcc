//! Violations of the transition-plan rules (docs/format.md §10), as data, and their
//! rendering for an integrator. Times are absolute ticks from the plan's
//! origin (the start of the old mode's frame in which the request arrives);
//! some are signed, since a suspension may lie before the origin.

use seamless_model::plan::{Action, Scheme};
use std::fmt;

/// The rule a plan violation breaks: one per kind of [`PlanViolation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PlanRule {
    UnknownMode,
    ScheduleModeMismatch,
    TransitionNotAllowed,
    TickMismatch,
    RequestOutsideFrame,
    SwitchNotFrameBoundary,
    SwitchBeforeRequest,
    BStartBeforeSwitch,
    UnknownProgram,
    NotInEitherMode,
    DuplicateEntry,
    MissingOutcome,
    WrongAction,
    NotMigrated,
    MissingMigration,
    WrongSlot,
    Via,
    ChunkSize,
    BadPhase,
    NotALink,
    WrongRoute,
    HopDuration,
    HopBeforePrevious,
    BeforeRequest,
    OverlapsTable,
    ChunkOverlap,
    MissingPhase,
    TooManyRounds,
    RoundsOutOfOrder,
    BeforeSuspension,
    RoundAfterSuspension,
    PhaseBytes,
    StopBelow,
    CpuNotFirst,
    GatherTooEarly,
    MissingSkip,
    WrongSkip,
    MissingExtended,
    UnexpectedExtended,
    WrongExtra,
    ExtendedOutsideWindow,
    ExtendedOverlap,
    ExtendedPrecedence,
    MemoryExceeded,
    UnavailabilityExceeded,
    Misreported,
    HorizonTooFar,
}

impl PlanRule {
    /// A stable kebab-case code.
    pub fn code(self) -> &'static str {
        use PlanRule as R;
        match self {
            R::UnknownMode => "plan-unknown-mode",
            R::ScheduleModeMismatch => "schedule-mode-mismatch",
            R::TransitionNotAllowed => "transition-not-allowed",
            R::TickMismatch => "plan-tick-mismatch",
            R::RequestOutsideFrame => "request-outside-frame",
            R::SwitchNotFrameBoundary => "switch-not-frame-boundary",
            R::SwitchBeforeRequest => "switch-before-request",
            R::BStartBeforeSwitch => "b-start-before-switch",
            R::UnknownProgram => "plan-unknown-program",
            R::NotInEitherMode => "not-in-either-mode",
            R::DuplicateEntry => "duplicate-entry",
            R::MissingOutcome => "missing-outcome",
            R::WrongAction => "wrong-action",
            R::NotMigrated => "not-migrated",
            R::MissingMigration => "missing-migration",
            R::WrongSlot => "wrong-slot",
            R::Via => "via",
            R::ChunkSize => "chunk-size",
            R::BadPhase => "bad-phase",
            R::NotALink => "chunk-not-a-link",
            R::WrongRoute => "wrong-route",
            R::HopDuration => "chunk-hop-duration",
            R::HopBeforePrevious => "chunk-hop-before-previous",
            R::BeforeRequest => "before-request",
            R::OverlapsTable => "overlaps-table",
            R::ChunkOverlap => "chunk-overlap",
            R::MissingPhase => "missing-phase",
            R::TooManyRounds => "too-many-rounds",
            R::RoundsOutOfOrder => "rounds-out-of-order",
            R::BeforeSuspension => "before-suspension",
            R::RoundAfterSuspension => "round-after-suspension",
            R::PhaseBytes => "phase-bytes",
            R::StopBelow => "stop-below",
            R::CpuNotFirst => "cpu-not-first",
            R::GatherTooEarly => "gather-too-early",
            R::MissingSkip => "missing-skip",
            R::WrongSkip => "wrong-skip",
            R::MissingExtended => "missing-extended",
            R::UnexpectedExtended => "unexpected-extended",
            R::WrongExtra => "wrong-extra",
            R::ExtendedOutsideWindow => "extended-outside-window",
            R::ExtendedOverlap => "extended-overlap",
            R::ExtendedPrecedence => "extended-precedence",
            R::MemoryExceeded => "transition-memory-exceeded",
            R::UnavailabilityExceeded => "unavailability-exceeded",
            R::Misreported => "misreported",
            R::HorizonTooFar => "horizon-too-far",
        }
    }
}

impl fmt::Display for PlanRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The old (`From`, A) or the new (`To`, B) mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    From,
    To,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::From => "from",
            Side::To => "to",
        })
    }
}

/// Which list of the plan an entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Programs,
    Migrations,
    Transfers,
    Skipped,
    Extended,
}

impl fmt::Display for List {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            List::Programs => "programs",
            List::Migrations => "migrations",
            List::Transfers => "transfers",
            List::Skipped => "skipped",
            List::Extended => "extended",
        })
    }
}

/// A chunk as the plan gives it (`index` = its position in `transfers`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkRef {
    pub index: usize,
    pub program: String,
    pub phase: String,
    pub bytes: u64,
}

impl fmt::Display for ChunkRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "chunk #{} (`{}` {}, {} B)",
            self.index, self.program, self.phase, self.bytes
        )
    }
}

/// One hop of a chunk as the plan gives it (`hop` = its position).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkHop {
    pub chunk: ChunkRef,
    pub hop: usize,
    pub from: String,
    pub to: String,
    pub start: u64,
    pub end: u64,
}

impl fmt::Display for ChunkHop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "hop {}→{} [{}, {}) of {}",
            self.from, self.to, self.start, self.end, self.chunk
        )
    }
}

/// What is wrong with a migration's `via`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViaProblem {
    /// Scatter-gather without an intermediary.
    Missing,
    /// An intermediary for another scheme.
    Unexpected,
    /// Not a module of the system.
    UnknownModule,
    /// The source or destination module itself.
    Endpoint,
}

/// One broken rule of a transition plan, with every name and time involved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanViolation {
    /// `from` or `to` names a mode the system does not have.
    UnknownMode { side: Side, mode: String },
    /// `from_schedule`/`to_schedule` is for another mode than `from`/`to`.
    ScheduleModeMismatch {
        side: Side,
        plan_mode: String,
        schedule_mode: String,
    },
    /// `(from, to)` is not among the system's transitions.
    TransitionNotAllowed { from: String, to: String },
    /// The plan's tick is not the system's.
    TickMismatch { found: String, expected: String },
    /// `request` is not inside the first frame of A.
    RequestOutsideFrame { request: u64, frame: u64 },
    /// `switch` is not a multiple of A's major frame.
    SwitchNotFrameBoundary { switch: u64, frame: u64 },
    /// `switch` is before `request`.
    SwitchBeforeRequest { switch: u64, request: u64 },
    /// `b_start` is before `switch`.
    BStartBeforeSwitch { b_start: u64, switch: u64 },
    /// An entry names a program the system does not have.
    UnknownProgram { list: List, program: String },
    /// A `programs` entry names a program in neither mode.
    NotInEitherMode {
        program: String,
        from: String,
        to: String,
    },
    /// The same program (and index) twice in a list.
    DuplicateEntry {
        list: List,
        program: String,
        index: Option<u64>,
    },
    /// A program of either mode has no `programs` entry (`expected`: its
    /// action, if the placements determine it).
    MissingOutcome {
        program: String,
        expected: Option<Action>,
    },
    /// A `programs` entry with the wrong action.
    WrongAction {
        program: String,
        found: Action,
        expected: Action,
    },
    /// A migration, transfer, skipped or extended entry for a program that is
    /// not migrated (`action` is what happens to it, if it is in a mode).
    NotMigrated {
        list: List,
        program: String,
        action: Option<Action>,
    },
    /// A migrated program has no `migrations` entry.
    MissingMigration {
        program: String,
        from_module: String,
        to_module: String,
    },
    /// A migration's `from`/`to` is not the program's placement in A/B.
    WrongSlot {
        program: String,
        side: Side,
        found_module: String,
        found_core: u32,
        module: String,
        core: u32,
    },
    /// A migration's `via` is missing, unexpected, unknown or an endpoint.
    Via {
        program: String,
        scheme: Scheme,
        via: Option<String>,
        problem: ViaProblem,
    },
    /// A chunk of no bytes, or of more than `migration.chunk`.
    ChunkSize { chunk: ChunkRef, limit: u64 },
    /// A phase label the migration's scheme does not have.
    BadPhase { chunk: ChunkRef, scheme: Scheme },
    /// A hop between two nodes that no link joins (or an unknown node).
    NotALink {
        chunk: ChunkRef,
        hop: usize,
        from: String,
        to: String,
    },
    /// A chunk's hops are not the §3 route of its leg.
    WrongRoute {
        chunk: ChunkRef,
        found: Vec<String>,
        expected: Vec<String>,
    },
    /// A hop does not last the chunk's transmission time on its link.
    HopDuration { hop: ChunkHop, tx_time: u64 },
    /// A hop starts before the previous hop's end plus its link's latency.
    HopBeforePrevious {
        hop: ChunkHop,
        previous: ChunkHop,
        latency: u64,
    },
    /// A hop starts before the request.
    BeforeRequest { hop: ChunkHop, request: u64 },
    /// A hop shares link time with a transmission of the active table.
    OverlapsTable {
        hop: ChunkHop,
        side: Side,
        mode: String,
        message: String,
        /// The instance in its frame, and the frame counted from the
        /// table's start (A: the origin; B: `b_start`).
        index: u64,
        frame: i128,
        start: i128,
        end: i128,
    },
    /// Two chunk hops share a link direction at once.
    ChunkOverlap { first: ChunkHop, second: ChunkHop },
    /// A phase the scheme needs is absent (a round before a later one, or
    /// the final set).
    MissingPhase { program: String, phase: String },
    /// More rounds than `max_rounds`.
    TooManyRounds {
        program: String,
        rounds: u64,
        max_rounds: u32,
    },
    /// A round begins before the previous one.
    RoundsOutOfOrder {
        program: String,
        round: u64,
        begin: i128,
        previous_begin: i128,
    },
    /// A chunk leaves before the program's suspension where its phase may not.
    BeforeSuspension {
        chunk: ChunkRef,
        departure: u64,
        suspension: i128,
    },
    /// A pre-copy round begins at or after the suspension.
    RoundAfterSuspension {
        program: String,
        round: u64,
        begin: i128,
        suspension: i128,
    },
    /// A phase carries another number of bytes than §7 gives.
    PhaseBytes {
        program: String,
        phase: String,
        found: u128,
        expected: u128,
        why: String,
    },
    /// A pre-copy round after the first carries less than `stop_below`.
    StopBelow {
        program: String,
        round: u64,
        bytes: u128,
        stop_below: u64,
    },
    /// A page chunk leaves before a CPU-state chunk.
    CpuNotFirst {
        program: String,
        cpu: ChunkRef,
        cpu_departure: u64,
        pages: ChunkRef,
        pages_departure: u64,
    },
    /// A gather chunk leaves the intermediary before its bytes arrived there.
    GatherTooEarly {
        chunk: ChunkRef,
        departure: u64,
        needed: u128,
        arrived: u128,
    },
    /// A destination job that starts before the program may run is not skipped.
    MissingSkip {
        program: String,
        index: u64,
        start: i128,
        may_run: i128,
    },
    /// A skipped job starts at or after the instant the program may run.
    WrongSkip {
        program: String,
        index: u64,
        start: i128,
        may_run: i128,
    },
    /// A destination job that runs longer is not listed as extended.
    MissingExtended {
        program: String,
        index: u64,
        start: i128,
        extra: u128,
    },
    /// An extended entry for a job that does not run longer (or does not run).
    UnexpectedExtended {
        program: String,
        index: u64,
        extra: u64,
    },
    /// An extended job's `extra` is not the one §7 gives.
    WrongExtra {
        program: String,
        index: u64,
        found: u64,
        expected: u128,
    },
    /// An extended job ends after its window.
    ExtendedOutsideWindow {
        program: String,
        index: u64,
        start: i128,
        end: i128,
        window_end: i128,
    },
    /// An extended job overlaps another executed job on its core.
    ExtendedOverlap {
        program: String,
        index: u64,
        start: i128,
        end: i128,
        module: String,
        core: u32,
        other: String,
        other_index: u64,
        other_start: i128,
        other_end: i128,
    },
    /// Under precedence, an extended job's message leaves (or its local
    /// receiver starts) before the job's extended end.
    ExtendedPrecedence {
        program: String,
        index: u64,
        end: i128,
        message: String,
        /// `Some(receiver)` for a receiver on the sender's module.
        receiver: Option<String>,
        /// The departure of the instance's first hop, or the local receiver's start.
        at: i128,
    },
    /// A module holds more than its memory at some instant.
    MemoryExceeded {
        module: String,
        at: i128,
        used: u128,
        capacity: u64,
        holders: Vec<String>,
    },
    /// The longest gap between completions exceeds `max_unavailability`.
    UnavailabilityExceeded {
        program: String,
        gap: i128,
        bound: u64,
        from: i128,
        to: i128,
    },
    /// A reported value is not the one the rules give (`None` = null).
    Misreported {
        subject: String,
        field: &'static str,
        found: Option<u64>,
        expected: Option<i128>,
    },
    /// A check would need to look at more jobs than the verifier allows.
    HorizonTooFar {
        program: String,
        what: &'static str,
        jobs: u128,
        limit: u128,
    },
}

impl PlanViolation {
    /// The rule broken.
    pub fn rule(&self) -> PlanRule {
        use PlanRule as R;
        use PlanViolation as V;
        match self {
            V::UnknownMode { .. } => R::UnknownMode,
            V::ScheduleModeMismatch { .. } => R::ScheduleModeMismatch,
            V::TransitionNotAllowed { .. } => R::TransitionNotAllowed,
            V::TickMismatch { .. } => R::TickMismatch,
            V::RequestOutsideFrame { .. } => R::RequestOutsideFrame,
            V::SwitchNotFrameBoundary { .. } => R::SwitchNotFrameBoundary,
            V::SwitchBeforeRequest { .. } => R::SwitchBeforeRequest,
            V::BStartBeforeSwitch { .. } => R::BStartBeforeSwitch,
            V::UnknownProgram { .. } => R::UnknownProgram,
            V::NotInEitherMode { .. } => R::NotInEitherMode,
            V::DuplicateEntry { .. } => R::DuplicateEntry,
            V::MissingOutcome { .. } => R::MissingOutcome,
            V::WrongAction { .. } => R::WrongAction,
            V::NotMigrated { .. } => R::NotMigrated,
            V::MissingMigration { .. } => R::MissingMigration,
            V::WrongSlot { .. } => R::WrongSlot,
            V::Via { .. } => R::Via,
            V::ChunkSize { .. } => R::ChunkSize,
            V::BadPhase { .. } => R::BadPhase,
            V::NotALink { .. } => R::NotALink,
            V::WrongRoute { .. } => R::WrongRoute,
            V::HopDuration { .. } => R::HopDuration,
            V::HopBeforePrevious { .. } => R::HopBeforePrevious,
            V::BeforeRequest { .. } => R::BeforeRequest,
            V::OverlapsTable { .. } => R::OverlapsTable,
            V::ChunkOverlap { .. } => R::ChunkOverlap,
            V::MissingPhase { .. } => R::MissingPhase,
            V::TooManyRounds { .. } => R::TooManyRounds,
            V::RoundsOutOfOrder { .. } => R::RoundsOutOfOrder,
            V::BeforeSuspension { .. } => R::BeforeSuspension,
            V::RoundAfterSuspension { .. } => R::RoundAfterSuspension,
            V::PhaseBytes { .. } => R::PhaseBytes,
            V::StopBelow { .. } => R::StopBelow,
            V::CpuNotFirst { .. } => R::CpuNotFirst,
            V::GatherTooEarly { .. } => R::GatherTooEarly,
            V::MissingSkip { .. } => R::MissingSkip,
            V::WrongSkip { .. } => R::WrongSkip,
            V::MissingExtended { .. } => R::MissingExtended,
            V::UnexpectedExtended { .. } => R::UnexpectedExtended,
            V::WrongExtra { .. } => R::WrongExtra,
            V::ExtendedOutsideWindow { .. } => R::ExtendedOutsideWindow,
            V::ExtendedOverlap { .. } => R::ExtendedOverlap,
            V::ExtendedPrecedence { .. } => R::ExtendedPrecedence,
            V::MemoryExceeded { .. } => R::MemoryExceeded,
            V::UnavailabilityExceeded { .. } => R::UnavailabilityExceeded,
            V::Misreported { .. } => R::Misreported,
            V::HorizonTooFar { .. } => R::HorizonTooFar,
        }
    }
}

fn action_name(a: Action) -> &'static str {
    match a {
        Action::Continue => "continue",
        Action::Migrate => "migrate",
        Action::Stop => "stop",
        Action::Start => "start",
    }
}

fn opt<T: fmt::Display>(v: &Option<T>) -> String {
    match v {
        Some(x) => x.to_string(),
        None => "null".to_string(),
    }
}

fn path(v: &[String]) -> String {
    if v.is_empty() {
        "(no hops)".to_string()
    } else {
        v.join(", ")
    }
}

fn names(v: &[String]) -> String {
    const SHOWN: usize = 8;
    let mut s: Vec<String> = v.iter().take(SHOWN).map(|x| format!("`{x}`")).collect();
    if v.len() > SHOWN {
        s.push(format!("and {} more", v.len() - SHOWN));
    }
    s.join(", ")
}

impl fmt::Display for PlanViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use PlanViolation as V;
        match self {
            V::UnknownMode { side, mode } => write!(
                f,
                "the plan's `{side}` mode `{mode}` is not a mode of the system"
            ),
            V::ScheduleModeMismatch {
                side,
                plan_mode,
                schedule_mode,
            } => write!(
                f,
                "`{side}_schedule` is a schedule of mode `{schedule_mode}`, but the plan's `{side}` is `{plan_mode}`"
            ),
            V::TransitionNotAllowed { from, to } => write!(
                f,
                "the switch from `{from}` to `{to}` is not among the system's transitions"
            ),
            V::TickMismatch { found, expected } => write!(
                f,
                "the plan counts in ticks of \"{found}\", but the system's tick is \"{expected}\""
            ),
            V::RequestOutsideFrame { request, frame } => write!(
                f,
                "the request at {request} is not inside the first frame of the old mode [0, {frame})"
            ),
            V::SwitchNotFrameBoundary { switch, frame } => write!(
                f,
                "the switch point {switch} is not a frame boundary of the old mode (a multiple of {frame})"
            ),
            V::SwitchBeforeRequest { switch, request } => write!(
                f,
                "the switch point {switch} is before the request at {request}"
            ),
            V::BStartBeforeSwitch { b_start, switch } => write!(
                f,
                "the new table starts at {b_start}, before the switch point {switch}"
            ),
            V::UnknownProgram { list, program } => write!(
                f,
                "a `{list}` entry names program `{program}`, which the system does not have"
            ),
            V::NotInEitherMode { program, from, to } => write!(
                f,
                "a `programs` entry names `{program}`, which runs in neither `{from}` nor `{to}`"
            ),
            V::DuplicateEntry {
                list,
                program,
                index,
            } => match index {
                Some(i) => write!(
                    f,
                    "`{list}` lists {program}#{i} more than once (the first entry counts)"
                ),
                None => write!(
                    f,
                    "`{list}` lists `{program}` more than once (the first entry counts)"
                ),
            },
            V::MissingOutcome { program, expected } => match expected {
                Some(a) => write!(
                    f,
                    "program `{program}` (action `{}`) has no `programs` entry",
                    action_name(*a)
                ),
                None => write!(f, "program `{program}` has no `programs` entry"),
            },
            V::WrongAction {
                program,
                found,
                expected,
            } => write!(
                f,
                "program `{program}`: action `{}`, but the placements make it `{}`",
                action_name(*found),
                action_name(*expected)
            ),
            V::NotMigrated {
                list,
                program,
                action,
            } => match action {
                Some(a) => write!(
                    f,
                    "a `{list}` entry names `{program}`, which is not migrated (its action is `{}`)",
                    action_name(*a)
                ),
                None => write!(
                    f,
                    "a `{list}` entry names `{program}`, which is not migrated (it runs in neither mode)"
                ),
            },
            V::MissingMigration {
                program,
                from_module,
                to_module,
            } => write!(
                f,
                "program `{program}` moves from `{from_module}` to `{to_module}` but has no `migrations` entry"
            ),
            V::WrongSlot {
                program,
                side,
                found_module,
                found_core,
                module,
                core,
            } => write!(
                f,
                "migration `{program}`: `{side}` is {found_module}/core {found_core}, but the program is placed on {module}/core {core} in the `{side}` table"
            ),
            V::Via {
                program,
                scheme,
                via,
                problem,
            } => match problem {
                ViaProblem::Missing => write!(
                    f,
                    "migration `{program}` is {} but names no intermediary (`via`)",
                    scheme.name()
                ),
                ViaProblem::Unexpected => write!(
                    f,
                    "migration `{program}` is {} but names an intermediary `{}` (only scatter-gather has one)",
                    scheme.name(),
                    opt(via)
                ),
                ViaProblem::UnknownModule => write!(
                    f,
                    "migration `{program}`: the intermediary `{}` is not a module of the system",
                    opt(via)
                ),
                ViaProblem::Endpoint => write!(
                    f,
                    "migration `{program}`: the intermediary `{}` is its source or destination module",
                    opt(via)
                ),
            },
            V::ChunkSize { chunk, limit } => {
                if chunk.bytes == 0 {
                    write!(f, "{chunk} carries no bytes")
                } else {
                    write!(
                        f,
                        "{chunk} is larger than the migration chunk size of {limit} B"
                    )
                }
            }
            V::BadPhase { chunk, scheme } => write!(
                f,
                "{chunk}: `{}` is not a phase of {} (its phases: {})",
                chunk.phase,
                scheme.name(),
                match scheme {
                    Scheme::StopAndCopy => "copy",
                    Scheme::PreCopy => "round-1 … round-k, final",
                    Scheme::PostCopy => "cpu, pages",
                    Scheme::Hybrid => "round-1 … round-k, cpu, pages",
                    Scheme::ScatterGather => "scatter, gather",
                }
            ),
            V::NotALink {
                chunk,
                hop,
                from,
                to,
            } => write!(
                f,
                "{chunk}: hop {hop} {from}→{to}: no link joins `{from}` and `{to}`"
            ),
            V::WrongRoute {
                chunk,
                found,
                expected,
            } => write!(
                f,
                "{chunk} travels {}, not the route {}",
                path(found),
                path(expected)
            ),
            V::HopDuration { hop, tx_time } => write!(
                f,
                "{hop} lasts {}, not the transmission time of {tx_time}",
                i128::from(hop.end) - i128::from(hop.start)
            ),
            V::HopBeforePrevious {
                hop,
                previous,
                latency,
            } => write!(
                f,
                "{hop} starts before {}, the end of the previous hop {}→{} plus its latency of {latency}",
                u128::from(previous.end) + u128::from(*latency),
                previous.from,
                previous.to
            ),
            V::BeforeRequest { hop, request } => {
                write!(f, "{hop} starts before the request at {request}")
            }
            V::OverlapsTable {
                hop,
                side,
                mode,
                message,
                index,
                frame,
                start,
                end,
            } => write!(
                f,
                "{hop} overlaps the transmission of {message}#{index} in frame {frame} of the `{side}` table (`{mode}`), [{start}, {end}) on that link direction"
            ),
            V::ChunkOverlap { first, second } => {
                write!(f, "{second} overlaps {first} on that link direction")
            }
            V::MissingPhase { program, phase } => {
                write!(f, "migration `{program}` has no `{phase}` chunks")
            }
            V::TooManyRounds {
                program,
                rounds,
                max_rounds,
            } => write!(
                f,
                "migration `{program}` has {rounds} rounds, more than max_rounds = {max_rounds}"
            ),
            V::RoundsOutOfOrder {
                program,
                round,
                begin,
                previous_begin,
            } => write!(
                f,
                "migration `{program}`: round {round} begins at {begin}, before round {} began at {previous_begin}",
                round - 1
            ),
            V::BeforeSuspension {
                chunk,
                departure,
                suspension,
            } => write!(
                f,
                "{chunk} leaves at {departure}, before the program's suspension at {suspension}"
            ),
            V::RoundAfterSuspension {
                program,
                round,
                begin,
                suspension,
            } => write!(
                f,
                "migration `{program}`: round {round} begins at {begin}, not before the suspension at {suspension}"
            ),
            V::PhaseBytes {
                program,
                phase,
                found,
                expected,
                why,
            } => write!(
                f,
                "migration `{program}`: `{phase}` carries {found} B, but must carry {expected} B ({why})"
            ),
            V::StopBelow {
                program,
                round,
                bytes,
                stop_below,
            } => write!(
                f,
                "migration `{program}`: round {round} carries {bytes} B, less than stop_below = {stop_below} B"
            ),
            V::CpuNotFirst {
                program,
                cpu,
                cpu_departure,
                pages,
                pages_departure,
            } => write!(
                f,
                "migration `{program}`: {pages} leaves at {pages_departure}, before {cpu} at {cpu_departure} (the CPU state goes first)"
            ),
            V::GatherTooEarly {
                chunk,
                departure,
                needed,
                arrived,
            } => write!(
                f,
                "{chunk} leaves the intermediary at {departure}, when the gather has sent {needed} B but only {arrived} B have arrived there"
            ),
            V::MissingSkip {
                program,
                index,
                start,
                may_run,
            } => write!(
                f,
                "destination job {program}#{index} starts at {start}, before the program may run at {may_run}, but is not skipped"
            ),
            V::WrongSkip {
                program,
                index,
                start,
                may_run,
            } => write!(
                f,
                "destination job {program}#{index} is skipped, but it starts at {start}, when the program may run (from {may_run})"
            ),
            V::MissingExtended {
                program,
                index,
                start,
                extra,
            } => write!(
                f,
                "destination job {program}#{index} starting at {start} runs {extra} longer (page faults) but is not listed as extended"
            ),
            V::UnexpectedExtended {
                program,
                index,
                extra,
            } => write!(
                f,
                "destination job {program}#{index} is listed as extended by {extra}, but it does not run longer (or does not run)"
            ),
            V::WrongExtra {
                program,
                index,
                found,
                expected,
            } => write!(
                f,
                "destination job {program}#{index} is extended by {found}, but its page faults give {expected}"
            ),
            V::ExtendedOutsideWindow {
                program,
                index,
                start,
                end,
                window_end,
            } => write!(
                f,
                "extended job {program}#{index} [{start}, {end}) ends after its window closes at {window_end}"
            ),
            V::ExtendedOverlap {
                program,
                index,
                start,
                end,
                module,
                core,
                other,
                other_index,
                other_start,
                other_end,
            } => write!(
                f,
                "extended job {program}#{index} [{start}, {end}) on {module}/core {core} overlaps job {other}#{other_index} [{other_start}, {other_end})"
            ),
            V::ExtendedPrecedence {
                program,
                index,
                end,
                message,
                receiver,
                at,
            } => match receiver {
                Some(r) => write!(
                    f,
                    "extended job {program}#{index} ends at {end}, after its local receiver `{r}` of `{message}` starts at {at} (precedence)"
                ),
                None => write!(
                    f,
                    "extended job {program}#{index} ends at {end}, after its message `{message}` leaves at {at} (precedence)"
                ),
            },
            V::MemoryExceeded {
                module,
                at,
                used,
                capacity,
                holders,
            } => {
                if *at == i128::MIN {
                    write!(f, "before the switch")?;
                } else {
                    write!(f, "from {at}")?;
                }
                write!(
                    f,
                    ", `{module}` holds {used} B, more than its {capacity} B: {}",
                    names(holders)
                )
            }
            V::UnavailabilityExceeded {
                program,
                gap,
                bound,
                from,
                to,
            } => write!(
                f,
                "program `{program}` completes at {from} and next at {to}, {gap} apart, more than its max_unavailability of {bound}"
            ),
            V::Misreported {
                subject,
                field,
                found,
                expected,
            } => write!(
                f,
                "{subject}: `{field}` is {}, but the rules give {}",
                opt(found),
                opt(expected)
            ),
            V::HorizonTooFar {
                program,
                what,
                jobs,
                limit,
            } => write!(
                f,
                "program `{program}`: checking {what} would take {jobs} destination jobs, more than the verifier's limit of {limit}; not checked"
            ),
        }
    }
}
