//! Violations of the transition-plan rules (docs/format.md §10), as data, and their
//! rendering for an integrator. Times are absolute ticks from the plan's
//! origin (the start of the old mode's frame in which the request arrives);
//! some are signed, since a suspension may lie before the origin.

use seamless_model::plan::{Action, Scheme};
use std::fmt;

/// The rule a plan violation breaks: one per kind of [`PlanViolation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PlanRule {
    /// `plan-unknown-mode`: `from` or `to` is not a mode of the system ([`PlanViolation::UnknownMode`]).
    UnknownMode,
    /// `schedule-mode-mismatch`: `from_schedule`/`to_schedule` is for another mode than `from`/`to` ([`PlanViolation::ScheduleModeMismatch`]).
    ScheduleModeMismatch,
    /// `transition-not-allowed`: `(from, to)` is not among the system's transitions ([`PlanViolation::TransitionNotAllowed`]).
    TransitionNotAllowed,
    /// `plan-tick-mismatch`: the plan's tick differs from the system's ([`PlanViolation::TickMismatch`]).
    TickMismatch,
    /// `request-outside-frame`: `request` is not inside A's first frame `[0, H_A)` ([`PlanViolation::RequestOutsideFrame`]).
    RequestOutsideFrame,
    /// `switch-not-frame-boundary`: `switch` is not a multiple of `H_A` ([`PlanViolation::SwitchNotFrameBoundary`]).
    SwitchNotFrameBoundary,
    /// `switch-before-request`: `switch < request` ([`PlanViolation::SwitchBeforeRequest`]).
    SwitchBeforeRequest,
    /// `b-start-before-switch`: `b_start < switch` ([`PlanViolation::BStartBeforeSwitch`]).
    BStartBeforeSwitch,
    /// `plan-unknown-program`: a plan entry names a program the system lacks ([`PlanViolation::UnknownProgram`]).
    UnknownProgram,
    /// `not-in-either-mode`: a `programs` entry names a program of neither mode ([`PlanViolation::NotInEitherMode`]).
    NotInEitherMode,
    /// `duplicate-entry`: a list holds the same program (and index) twice ([`PlanViolation::DuplicateEntry`]).
    DuplicateEntry,
    /// `missing-outcome`: a program of either mode has no `programs` entry ([`PlanViolation::MissingOutcome`]).
    MissingOutcome,
    /// `wrong-action`: a `programs` entry's action is not the one the placements give ([`PlanViolation::WrongAction`]).
    WrongAction,
    /// `not-migrated`: a migration, transfer, skipped or extended entry for a program that is not migrated ([`PlanViolation::NotMigrated`]).
    NotMigrated,
    /// `missing-migration`: a migrated program has no `migrations` entry ([`PlanViolation::MissingMigration`]).
    MissingMigration,
    /// `wrong-slot`: a migration's `from`/`to` is not the program's placement in A/B ([`PlanViolation::WrongSlot`]).
    WrongSlot,
    /// `via`: a migration's `via` is missing, unexpected, unknown or an endpoint ([`PlanViolation::Via`]).
    Via,
    /// `chunk-size`: a chunk carries 0 bytes or more than `migration.chunk` ([`PlanViolation::ChunkSize`]).
    ChunkSize,
    /// `bad-phase`: a chunk's phase label is not one of its migration's scheme's labels ([`PlanViolation::BadPhase`]).
    BadPhase,
    /// `chunk-not-a-link`: a chunk hop joins two nodes no link joins ([`PlanViolation::NotALink`]).
    NotALink,
    /// `wrong-route`: a chunk's hops are not the §6 route of its leg ([`PlanViolation::WrongRoute`]).
    WrongRoute,
    /// `chunk-hop-duration`: a chunk hop does not last `tx_time(link, bytes)` ([`PlanViolation::HopDuration`]).
    HopDuration,
    /// `chunk-hop-before-previous`: a chunk hop starts before the previous hop's end plus that link's latency ([`PlanViolation::HopBeforePrevious`]).
    HopBeforePrevious,
    /// `before-request`: a chunk hop starts before `request` ([`PlanViolation::BeforeRequest`]).
    BeforeRequest,
    /// `overlaps-table`: a chunk hop shares link time with a message hop of A's or B's table ([`PlanViolation::OverlapsTable`]).
    OverlapsTable,
    /// `chunk-overlap`: two chunk hops use one link direction at once ([`PlanViolation::ChunkOverlap`]).
    ChunkOverlap,
    /// `missing-phase`: a phase the scheme needs is absent ([`PlanViolation::MissingPhase`]).
    MissingPhase,
    /// `too-many-rounds`: more pre-copy rounds than `max_rounds` ([`PlanViolation::TooManyRounds`]).
    TooManyRounds,
    /// `rounds-out-of-order`: a round begins before the previous one ([`PlanViolation::RoundsOutOfOrder`]).
    RoundsOutOfOrder,
    /// `before-suspension`: a chunk leaves before the suspension where its phase may not ([`PlanViolation::BeforeSuspension`]).
    BeforeSuspension,
    /// `round-after-suspension`: a pre-copy round begins at or after the suspension ([`PlanViolation::RoundAfterSuspension`]).
    RoundAfterSuspension,
    /// `phase-bytes`: a phase carries another number of bytes than the scheme gives ([`PlanViolation::PhaseBytes`]).
    PhaseBytes,
    /// `stop-below`: a pre-copy round after the first carries less than `stop_below` ([`PlanViolation::StopBelow`]).
    StopBelow,
    /// `cpu-not-first`: a `pages` chunk leaves before the last `cpu` chunk ([`PlanViolation::CpuNotFirst`]).
    CpuNotFirst,
    /// `gather-too-early`: gather chunks leave the intermediary before their bytes arrived there ([`PlanViolation::GatherTooEarly`]).
    GatherTooEarly,
    /// `missing-skip`: a destination job starting before the may-run instant is not in `skipped` ([`PlanViolation::MissingSkip`]).
    MissingSkip,
    /// `wrong-skip`: a `skipped` job starts at or after the may-run instant ([`PlanViolation::WrongSkip`]).
    WrongSkip,
    /// `missing-extended`: a running job with `extra > 0` is not in `extended` ([`PlanViolation::MissingExtended`]).
    MissingExtended,
    /// `unexpected-extended`: an `extended` entry for a job with no extra time, or that does not run ([`PlanViolation::UnexpectedExtended`]).
    UnexpectedExtended,
    /// `wrong-extra`: an extended job's `extra` is not the recomputed one ([`PlanViolation::WrongExtra`]).
    WrongExtra,
    /// `extended-outside-window`: an extended job ends after its window ([`PlanViolation::ExtendedOutsideWindow`]).
    ExtendedOutsideWindow,
    /// `extended-overlap`: an extended job overlaps another running job on its core ([`PlanViolation::ExtendedOverlap`]).
    ExtendedOverlap,
    /// `extended-precedence`: under precedence, an extended job's message leaves, or its local receiver starts, before the extended end ([`PlanViolation::ExtendedPrecedence`]).
    ExtendedPrecedence,
    /// `transition-memory-exceeded`: a module holds more than its memory at some instant of the transition ([`PlanViolation::MemoryExceeded`]).
    MemoryExceeded,
    /// `unavailability-exceeded`: a program's longest gap between completions across the transition exceeds its `max_unavailability` ([`PlanViolation::UnavailabilityExceeded`]).
    UnavailabilityExceeded,
    /// `misreported`: a reported value (`unavailability`, `resume`, `downtime`, a metric, ...) is not the recomputed one ([`PlanViolation::Misreported`]).
    Misreported,
    /// `horizon-too-far`: a check would examine more jobs than the verifier allows, so it was not made ([`PlanViolation::HorizonTooFar`]).
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
    /// The old mode A (`from`, `from_schedule`).
    From,
    /// The new mode B (`to`, `to_schedule`).
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
    /// The plan's `programs` list (one outcome per program).
    Programs,
    /// The plan's `migrations` list (one entry per migrated program).
    Migrations,
    /// The plan's `transfers` list (the chunks).
    Transfers,
    /// The plan's `skipped` list (destination jobs that do not run).
    Skipped,
    /// The plan's `extended` list (destination jobs that run longer).
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
    /// The chunk's position in the plan's `transfers` (shown as `#index`).
    pub index: usize,
    /// The migrated program the chunk belongs to.
    pub program: String,
    /// The chunk's phase label as written (`copy`, `round-N`, `final`, `cpu`, `pages`, `scatter`, `gather`, or anything else).
    pub phase: String,
    /// The bytes the chunk carries.
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
    /// The chunk the hop belongs to.
    pub chunk: ChunkRef,
    /// The hop's position in the chunk's `hops`.
    pub hop: usize,
    /// The node (module or switch) the hop leaves.
    pub from: String,
    /// The node (module or switch) the hop reaches.
    pub to: String,
    /// The absolute tick at which the hop starts.
    pub start: u64,
    /// The absolute tick at which the hop ends (exclusive).
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
    UnknownMode {
        /// Whether `from` or `to` names the mode.
        side: Side,
        /// The unknown mode name.
        mode: String,
    },
    /// `from_schedule`/`to_schedule` is for another mode than `from`/`to`.
    ScheduleModeMismatch {
        /// Which schedule (`from_schedule` or `to_schedule`) is wrong.
        side: Side,
        /// The mode the plan names on that side.
        plan_mode: String,
        /// The mode that schedule is for.
        schedule_mode: String,
    },
    /// `(from, to)` is not among the system's transitions.
    TransitionNotAllowed {
        /// The plan's old mode.
        from: String,
        /// The plan's new mode.
        to: String,
    },
    /// The plan's tick is not the system's.
    TickMismatch {
        /// The plan's tick, as written.
        found: String,
        /// The system's tick, as written.
        expected: String,
    },
    /// `request` is not inside the first frame of A.
    RequestOutsideFrame {
        /// The plan's `request`.
        request: u64,
        /// A's major frame `H_A`.
        frame: u64,
    },
    /// `switch` is not a multiple of A's major frame.
    SwitchNotFrameBoundary {
        /// The plan's `switch`.
        switch: u64,
        /// A's major frame `H_A`.
        frame: u64,
    },
    /// `switch` is before `request`.
    SwitchBeforeRequest {
        /// The plan's `switch`.
        switch: u64,
        /// The plan's `request`.
        request: u64,
    },
    /// `b_start` is before `switch`.
    BStartBeforeSwitch {
        /// The plan's `b_start`, where B's first frame begins.
        b_start: u64,
        /// The plan's `switch`, where A's table stops.
        switch: u64,
    },
    /// An entry names a program the system does not have.
    UnknownProgram {
        /// The list holding the entry.
        list: List,
        /// The unknown program name.
        program: String,
    },
    /// A `programs` entry names a program in neither mode.
    NotInEitherMode {
        /// The program, which the system has but neither mode runs.
        program: String,
        /// The old mode.
        from: String,
        /// The new mode.
        to: String,
    },
    /// The same program (and index) twice in a list.
    DuplicateEntry {
        /// The list holding the duplicate.
        list: List,
        /// The program named twice (its first entry is the one used).
        program: String,
        /// The job index, for `skipped` and `extended` entries.
        index: Option<u64>,
    },
    /// A program of either mode has no `programs` entry (`expected`: its
    /// action, if the placements determine it).
    MissingOutcome {
        /// The program with no outcome.
        program: String,
        /// Its action, if the placements determine it (`None` for a program of both
        /// modes that a table leaves unplaced).
        expected: Option<Action>,
    },
    /// A `programs` entry with the wrong action.
    WrongAction {
        /// The program.
        program: String,
        /// The action the plan gives.
        found: Action,
        /// The action the placements give (`stop`, `start`, `continue` or `migrate`).
        expected: Action,
    },
    /// A migration, transfer, skipped or extended entry for a program that is
    /// not migrated (`action` is what happens to it, if it is in a mode).
    NotMigrated {
        /// The list holding the entry.
        list: List,
        /// The program, which is not migrated.
        program: String,
        /// What happens to it instead, when the placements determine it.
        action: Option<Action>,
    },
    /// A migrated program has no `migrations` entry.
    MissingMigration {
        /// The migrated program.
        program: String,
        /// Its module in A's table.
        from_module: String,
        /// Its module in B's table.
        to_module: String,
    },
    /// A migration's `from`/`to` is not the program's placement in A/B.
    WrongSlot {
        /// The migrated program.
        program: String,
        /// `From` for the migration's `from`, `To` for its `to`.
        side: Side,
        /// The module the migration gives.
        found_module: String,
        /// The core the migration gives.
        found_core: u32,
        /// The module of the program's placement in that side's table.
        module: String,
        /// The core of that placement.
        core: u32,
    },
    /// A migration's `via` is missing, unexpected, unknown or an endpoint.
    Via {
        /// The migrated program.
        program: String,
        /// The migration's scheme.
        scheme: Scheme,
        /// The migration's `via`, if any.
        via: Option<String>,
        /// What is wrong with it.
        problem: ViaProblem,
    },
    /// A chunk of no bytes, or of more than `migration.chunk`.
    ChunkSize {
        /// The chunk of the wrong size.
        chunk: ChunkRef,
        /// The system's `migration.chunk`, the most bytes a chunk may carry.
        limit: u64,
    },
    /// A phase label the migration's scheme does not have.
    BadPhase {
        /// The chunk with the unknown label.
        chunk: ChunkRef,
        /// Its migration's scheme.
        scheme: Scheme,
    },
    /// A hop between two nodes that no link joins (or an unknown node).
    NotALink {
        /// The chunk of the hop.
        chunk: ChunkRef,
        /// The hop's position in the chunk.
        hop: usize,
        /// The node the hop leaves.
        from: String,
        /// The node the hop reaches.
        to: String,
    },
    /// A chunk's hops are not the §6 route of its leg.
    WrongRoute {
        /// The chunk off its route.
        chunk: ChunkRef,
        /// Its hops, each as `from→to`.
        found: Vec<String>,
        /// The §6 route of its leg, each hop as `from→to`.
        expected: Vec<String>,
    },
    /// A hop does not last the chunk's transmission time on its link.
    HopDuration {
        /// The hop of the wrong length.
        hop: ChunkHop,
        /// `tx_time(link, bytes)` for the chunk's bytes on the hop's link.
        tx_time: u64,
    },
    /// A hop starts before the previous hop's end plus its link's latency.
    HopBeforePrevious {
        /// The hop that starts too early.
        hop: ChunkHop,
        /// The chunk's previous hop.
        previous: ChunkHop,
        /// The latency of the previous hop's link.
        latency: u64,
    },
    /// A hop starts before the request.
    BeforeRequest {
        /// The hop that starts too early.
        hop: ChunkHop,
        /// The plan's `request`.
        request: u64,
    },
    /// A hop shares link time with a transmission of the active table.
    OverlapsTable {
        /// The chunk hop.
        hop: ChunkHop,
        /// Whose table holds the transmission (A before `switch`, B from `b_start`).
        side: Side,
        /// That table's mode.
        mode: String,
        /// The message of the overlapped transmission.
        message: String,
        /// The instance in its frame, and the frame counted from the
        /// table's start (A: the origin; B: `b_start`).
        index: u64,
        /// The frame of the overlapped transmission, counted from the table's start (may be negative for A).
        frame: i128,
        /// The absolute start of the overlapped message hop.
        start: i128,
        /// The absolute end of the overlapped message hop (exclusive).
        end: i128,
    },
    /// Two chunk hops share a link direction at once.
    ChunkOverlap {
        /// The hop that starts first.
        first: ChunkHop,
        /// The hop that starts while `first` still occupies the link direction.
        second: ChunkHop,
    },
    /// A phase the scheme needs is absent (a round before a later one, or
    /// the final set).
    MissingPhase {
        /// The migrated program.
        program: String,
        /// The absent phase (`round-N`, `final`, ...).
        phase: String,
    },
    /// More rounds than `max_rounds`.
    TooManyRounds {
        /// The migrated program.
        program: String,
        /// The number of rounds the plan has.
        rounds: u64,
        /// The system's `migration.max_rounds`.
        max_rounds: u32,
    },
    /// A round begins before the previous one.
    RoundsOutOfOrder {
        /// The migrated program.
        program: String,
        /// The round that begins too early.
        round: u64,
        /// Its begin (earliest departure of its chunks).
        begin: i128,
        /// The previous round's begin.
        previous_begin: i128,
    },
    /// A chunk leaves before the program's suspension where its phase may not.
    BeforeSuspension {
        /// The chunk that leaves too early.
        chunk: ChunkRef,
        /// Its departure (its first hop's start).
        departure: u64,
        /// The program's suspension: the end of its last A job before `switch`.
        suspension: i128,
    },
    /// A pre-copy round begins at or after the suspension.
    RoundAfterSuspension {
        /// The migrated program.
        program: String,
        /// The round that begins too late.
        round: u64,
        /// Its begin (earliest departure of its chunks).
        begin: i128,
        /// The program's suspension.
        suspension: i128,
    },
    /// A phase carries another number of bytes than §10 gives.
    PhaseBytes {
        /// The migrated program.
        program: String,
        /// The phase (or set of phases) whose bytes are wrong.
        phase: String,
        /// The bytes its chunks carry.
        found: u128,
        /// The bytes the scheme gives.
        expected: u128,
        /// How `expected` is computed (e.g. `M + C`, `min(W, D·n)` with its values).
        why: String,
    },
    /// A pre-copy round after the first carries less than `stop_below`.
    StopBelow {
        /// The migrated program.
        program: String,
        /// The round that carries too little.
        round: u64,
        /// The bytes it carries.
        bytes: u128,
        /// The system's `migration.stop_below`.
        stop_below: u64,
    },
    /// A page chunk leaves before a CPU-state chunk.
    CpuNotFirst {
        /// The migrated program.
        program: String,
        /// The last `cpu` chunk to leave.
        cpu: ChunkRef,
        /// Its departure.
        cpu_departure: u64,
        /// A `pages` chunk that leaves before it.
        pages: ChunkRef,
        /// That chunk's departure.
        pages_departure: u64,
    },
    /// A gather chunk leaves the intermediary before its bytes arrived there.
    GatherTooEarly {
        /// The gather chunk that leaves too early.
        chunk: ChunkRef,
        /// Its departure from the intermediary.
        departure: u64,
        /// The bytes gathered so far, this chunk included.
        needed: u128,
        /// The scatter bytes arrived at the intermediary at or before this departure.
        arrived: u128,
    },
    /// A destination job that starts before the program may run is not skipped.
    MissingSkip {
        /// The migrated program.
        program: String,
        /// The B job's index (`f·n + k`).
        index: u64,
        /// The job's absolute start.
        start: i128,
        /// The instant from which the program may run at its destination.
        may_run: i128,
    },
    /// A skipped job starts at or after the instant the program may run.
    WrongSkip {
        /// The migrated program.
        program: String,
        /// The skipped job's index (`f·n + k`).
        index: u64,
        /// The job's absolute start.
        start: i128,
        /// The instant from which the program may run at its destination.
        may_run: i128,
    },
    /// A destination job that runs longer is not listed as extended.
    MissingExtended {
        /// The migrated program.
        program: String,
        /// The running job's index (`f·n + k`).
        index: u64,
        /// The job's absolute start.
        start: i128,
        /// The extra time it takes: `ceil(x / page_size) · fault_cost`.
        extra: u128,
    },
    /// An extended entry for a job that does not run longer (or does not run).
    UnexpectedExtended {
        /// The program of the entry.
        program: String,
        /// The job index of the entry.
        index: u64,
        /// The `extra` the entry gives.
        extra: u64,
    },
    /// An extended job's `extra` is not the one §10 gives.
    WrongExtra {
        /// The migrated program.
        program: String,
        /// The extended job's index.
        index: u64,
        /// The `extra` the plan gives.
        found: u64,
        /// The recomputed extra: `ceil(x / page_size) · fault_cost`.
        expected: u128,
    },
    /// An extended job ends after its window.
    ExtendedOutsideWindow {
        /// The migrated program.
        program: String,
        /// The extended job's index.
        index: u64,
        /// The job's absolute start.
        start: i128,
        /// Its extended end: `start + wcet + extra`.
        end: i128,
        /// The absolute end of its window.
        window_end: i128,
    },
    /// An extended job overlaps another executed job on its core.
    ExtendedOverlap {
        /// The migrated program.
        program: String,
        /// The extended job's index.
        index: u64,
        /// The extended job's absolute start.
        start: i128,
        /// Its extended end.
        end: i128,
        /// The module of the shared core.
        module: String,
        /// The shared core.
        core: u32,
        /// The program of the other job.
        other: String,
        /// The other job's index.
        other_index: u64,
        /// The other job's absolute start.
        other_start: i128,
        /// The other job's absolute end (with its own extension).
        other_end: i128,
    },
    /// Under precedence, an extended job's message leaves (or its local
    /// receiver starts) before the job's extended end.
    ExtendedPrecedence {
        /// The migrated program, sender of the message.
        program: String,
        /// The extended job's index.
        index: u64,
        /// Its extended end.
        end: i128,
        /// The B message under precedence that the job sends.
        message: String,
        /// `Some(receiver)` for a receiver on the sender's module.
        receiver: Option<String>,
        /// The departure of the instance's first hop, or the local receiver's start.
        at: i128,
    },
    /// A module holds more than its memory at some instant.
    MemoryExceeded {
        /// The module whose memory is exceeded.
        module: String,
        /// The first instant of the overflow episode.
        at: i128,
        /// The bytes held on the module at that instant.
        used: u128,
        /// The module's memory, in bytes.
        capacity: u64,
        /// Who holds memory on the module at that instant: program names, marked
        /// `(source)`, `(destination)` or `(intermediary)` for a migration's terms.
        holders: Vec<String>,
    },
    /// The longest gap between completions exceeds `max_unavailability`.
    UnavailabilityExceeded {
        /// The program.
        program: String,
        /// The longest gap between consecutive completions.
        gap: i128,
        /// The program's `max_unavailability`.
        bound: u64,
        /// The completion that opens the gap.
        from: i128,
        /// The completion that closes the gap.
        to: i128,
    },
    /// A reported value is not the one the rules give (`None` = null).
    Misreported {
        /// What the value belongs to: ``program `p` ``, ``migration `p` `` or the plan's metrics.
        subject: String,
        /// The field's name (e.g. `downtime`, `resume`, `unavailability`).
        field: &'static str,
        /// The value the plan gives (`None` = null).
        found: Option<u64>,
        /// The value the rules give (`None` = null).
        expected: Option<i128>,
    },
    /// A check would need to look at more jobs than the verifier allows.
    HorizonTooFar {
        /// The program whose check was skipped.
        program: String,
        /// Which check (e.g. `page faults`).
        what: &'static str,
        /// How many jobs it would examine.
        jobs: u128,
        /// The most jobs the verifier examines for one check (100,000).
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
