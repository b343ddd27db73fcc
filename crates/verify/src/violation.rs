//! Violations as data, and their rendering for an integrator.

use seamless_model::units::format_size;
use std::fmt;

/// The rule a violation breaks: one per kind of [`Violation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// `unknown-mode`: the schedule's `mode` is not a mode of the system ([`Violation::UnknownMode`]).
    UnknownMode,
    /// `tick-mismatch`: the schedule's `tick` differs from the system's ([`Violation::TickMismatch`]).
    TickMismatch,
    /// `major-frame-mismatch`: `major_frame` is not the mode's `H` ([`Violation::MajorFrameMismatch`]).
    MajorFrameMismatch,
    /// `unknown-program`: a placement or job names a program the system lacks ([`Violation::UnknownProgram`]).
    UnknownProgram,
    /// `program-not-in-mode`: a placement or job names a program that does not run in the mode ([`Violation::ProgramNotInMode`]).
    ProgramNotInMode,
    /// `duplicate-placement`: a program is placed more than once ([`Violation::DuplicatePlacement`]).
    DuplicatePlacement,
    /// `missing-placement`: a program of the mode has no placement ([`Violation::MissingPlacement`]).
    MissingPlacement,
    /// `unknown-module`: a placement names a module the system lacks ([`Violation::UnknownModule`]).
    UnknownModule,
    /// `core-out-of-range`: a placement names a core past the module's `cores` ([`Violation::CoreOutOfRange`]).
    CoreOutOfRange,
    /// `module-not-allowed`: a program is placed outside its `modules` ([`Violation::ModuleNotAllowed`]).
    ModuleNotAllowed,
    /// `pin-violated`: a program is placed off the module (and core) the mode pins it to ([`Violation::PinViolated`]).
    PinViolated,
    /// `memory-exceeded`: the programs placed on a module need more memory than it has ([`Violation::MemoryExceeded`]).
    MemoryExceeded,
    /// `job-index-out-of-range`: a job index is at or past the program's jobs per frame ([`Violation::JobIndexOutOfRange`]).
    JobIndexOutOfRange,
    /// `duplicate-job`: the same job (program and index) is listed twice ([`Violation::DuplicateJob`]).
    DuplicateJob,
    /// `missing-job`: a job the mode expects in the frame is absent ([`Violation::MissingJob`]).
    MissingJob,
    /// `job-not-on-placement`: a job runs elsewhere than its program's placement ([`Violation::JobNotOnPlacement`]).
    JobNotOnPlacement,
    /// `wrong-duration`: a job does not last exactly its program's wcet ([`Violation::WrongDuration`]).
    WrongDuration,
    /// `outside-window`: a job starts before or ends after its window ([`Violation::OutsideWindow`]).
    OutsideWindow,
    /// `outside-frame`: a job or hop ends after the major frame ([`Violation::OutsideFrame`]).
    OutsideFrame,
    /// `overlap`: two jobs run on one core at once ([`Violation::Overlap`]).
    Overlap,
    /// `jitter`: a program's start offsets spread more than its `max_jitter` ([`Violation::Jitter`]).
    Jitter,
    /// `unavailability`: two consecutive completions of a program lie more than its `max_unavailability` apart ([`Violation::Unavailability`]).
    Unavailability,
    /// `unknown-message`: a transmission names a message the system lacks ([`Violation::UnknownMessage`]).
    UnknownMessage,
    /// `message-not-in-mode`: a transmission names a message that is not in the mode ([`Violation::MessageNotInMode`]).
    MessageNotInMode,
    /// `instance-out-of-range`: a transmission's instance index is at or past the message's instances per frame ([`Violation::InstanceOutOfRange`]).
    InstanceOutOfRange,
    /// `duplicate-transmission`: one message instance has two transmission entries ([`Violation::DuplicateTransmission`]).
    DuplicateTransmission,
    /// `missing-transmission`: an instance with receivers on other modules has no transmission ([`Violation::MissingTransmission`]).
    MissingTransmission,
    /// `unexpected-transmission`: an instance whose receivers all share the sender's module has a transmission ([`Violation::UnexpectedTransmission`]).
    UnexpectedTransmission,
    /// `not-a-link`: a hop joins two nodes that no link joins ([`Violation::NotALink`]).
    NotALink,
    /// `hop-not-in-route`: a hop uses a link direction outside the §6 route tree ([`Violation::HopNotInRoute`]).
    HopNotInRoute,
    /// `duplicate-hop`: one transmission uses a link direction twice ([`Violation::DuplicateHop`]).
    DuplicateHop,
    /// `missing-hop`: a link direction of the route has no hop ([`Violation::MissingHop`]).
    MissingHop,
    /// `hop-duration`: a hop does not last exactly the message's transmission time on that link ([`Violation::HopDuration`]).
    HopDuration,
    /// `hop-before-parent`: a hop starts before its parent hop's end plus the parent link's latency ([`Violation::HopBeforeParent`]).
    HopBeforeParent,
    /// `departure-before-window`: a first hop starts before the instance's window opens ([`Violation::DepartureBeforeWindow`]).
    DepartureBeforeWindow,
    /// `departure-before-sender`: under precedence, a first hop starts before the sender's job ends ([`Violation::DepartureBeforeSender`]).
    DepartureBeforeSender,
    /// `arrival-after-window`: the instance reaches a receiver's module after its window closes ([`Violation::ArrivalAfterWindow`]).
    ArrivalAfterWindow,
    /// `arrival-after-receiver`: under precedence, the instance arrives after a receiver's job starts ([`Violation::ArrivalAfterReceiver`]).
    ArrivalAfterReceiver,
    /// `local-precedence`: under precedence, a receiver on the sender's module starts before the sender ends ([`Violation::LocalPrecedence`]).
    LocalPrecedence,
    /// `link-overlap`: two transmissions use one link direction at once ([`Violation::LinkOverlap`]).
    LinkOverlap,
}

impl Rule {
    /// A stable kebab-case code.
    pub fn code(self) -> &'static str {
        match self {
            Rule::UnknownMode => "unknown-mode",
            Rule::TickMismatch => "tick-mismatch",
            Rule::MajorFrameMismatch => "major-frame-mismatch",
            Rule::UnknownProgram => "unknown-program",
            Rule::ProgramNotInMode => "program-not-in-mode",
            Rule::DuplicatePlacement => "duplicate-placement",
            Rule::MissingPlacement => "missing-placement",
            Rule::UnknownModule => "unknown-module",
            Rule::CoreOutOfRange => "core-out-of-range",
            Rule::ModuleNotAllowed => "module-not-allowed",
            Rule::PinViolated => "pin-violated",
            Rule::MemoryExceeded => "memory-exceeded",
            Rule::JobIndexOutOfRange => "job-index-out-of-range",
            Rule::DuplicateJob => "duplicate-job",
            Rule::MissingJob => "missing-job",
            Rule::JobNotOnPlacement => "job-not-on-placement",
            Rule::WrongDuration => "wrong-duration",
            Rule::OutsideWindow => "outside-window",
            Rule::OutsideFrame => "outside-frame",
            Rule::Overlap => "overlap",
            Rule::Jitter => "jitter",
            Rule::Unavailability => "unavailability",
            Rule::UnknownMessage => "unknown-message",
            Rule::MessageNotInMode => "message-not-in-mode",
            Rule::InstanceOutOfRange => "instance-out-of-range",
            Rule::DuplicateTransmission => "duplicate-transmission",
            Rule::MissingTransmission => "missing-transmission",
            Rule::UnexpectedTransmission => "unexpected-transmission",
            Rule::NotALink => "not-a-link",
            Rule::HopNotInRoute => "hop-not-in-route",
            Rule::DuplicateHop => "duplicate-hop",
            Rule::MissingHop => "missing-hop",
            Rule::HopDuration => "hop-duration",
            Rule::HopBeforeParent => "hop-before-parent",
            Rule::DepartureBeforeWindow => "departure-before-window",
            Rule::DepartureBeforeSender => "departure-before-sender",
            Rule::ArrivalAfterWindow => "arrival-after-window",
            Rule::ArrivalAfterReceiver => "arrival-after-receiver",
            Rule::LocalPrecedence => "local-precedence",
            Rule::LinkOverlap => "link-overlap",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Which list of the schedule an entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// An entry of the schedule's `placement` list.
    Placement,
    /// An entry of the schedule's `jobs` list.
    Job,
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Entry::Placement => "placement",
            Entry::Job => "job",
        })
    }
}

/// A job as the schedule gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRef {
    /// The program the job belongs to, as the schedule names it.
    pub program: String,
    /// The job's index in the frame (`0..` the program's jobs per frame).
    pub index: u64,
    /// The tick at which the job starts, from the start of the major frame.
    pub start: u64,
    /// The tick at which the job ends (exclusive: the job occupies `[start, end)`).
    pub end: u64,
}

impl fmt::Display for JobRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "job {}#{} [{}, {})",
            self.program, self.index, self.start, self.end
        )
    }
}

/// A hop of a message instance as the schedule gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HopRef {
    /// The message the transmission carries, as the schedule names it.
    pub message: String,
    /// The message instance's index in the frame.
    pub index: u64,
    /// The node (module or switch) the hop leaves.
    pub from: String,
    /// The node (module or switch) the hop reaches.
    pub to: String,
    /// The tick at which the hop starts occupying the link direction `from`→`to`.
    pub start: u64,
    /// The tick at which the hop ends (exclusive: it occupies `[start, end)`).
    pub end: u64,
}

impl fmt::Display for HopRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "hop {}→{} of {}#{} [{}, {})",
            self.from, self.to, self.message, self.index, self.start, self.end
        )
    }
}

/// One broken rule, with every name and time involved. Times are ticks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// The schedule names a mode the system does not have.
    UnknownMode {
        /// The mode the schedule names.
        mode: String,
        /// Every mode of the system, in system order.
        known: Vec<String>,
    },
    /// The schedule's tick is not the system's.
    TickMismatch {
        /// The schedule's tick, as written (e.g. `"1us"`).
        found: String,
        /// The system's tick, as written.
        expected: String,
    },
    /// `major_frame` is not the mode's `H`.
    MajorFrameMismatch {
        /// The mode of the schedule.
        mode: String,
        /// The schedule's `major_frame`, in ticks.
        found: u64,
        /// The mode's major frame `H`: the least common multiple of its periods, or its explicit `major_frame`.
        expected: u64,
    },
    /// A placement or job names a program the system does not have.
    UnknownProgram {
        /// Whether a placement or a job names the program.
        entry: Entry,
        /// The unknown program name.
        program: String,
    },
    /// A placement or job names a program that does not run in this mode.
    ProgramNotInMode {
        /// Whether a placement or a job names the program.
        entry: Entry,
        /// The program, which the system has but this mode does not run.
        program: String,
        /// The schedule's mode.
        mode: String,
    },
    /// A program is placed twice.
    DuplicatePlacement {
        /// The program placed twice (its first placement is the one used).
        program: String,
    },
    /// A program of the mode is not placed.
    MissingPlacement {
        /// The program of the mode with no placement.
        program: String,
    },
    /// A placement names a module the system does not have.
    UnknownModule {
        /// The program whose placement names the module.
        program: String,
        /// The unknown module name.
        module: String,
    },
    /// A placement names a core the module does not have.
    CoreOutOfRange {
        /// The program placed on the core.
        program: String,
        /// The module of the placement.
        module: String,
        /// The core the placement names.
        core: u32,
        /// How many cores the module has (valid cores are `0..cores`).
        cores: u32,
    },
    /// A program is placed on a module outside its `modules`.
    ModuleNotAllowed {
        /// The program placed outside its `modules`.
        program: String,
        /// The module it is placed on.
        module: String,
        /// The modules the program may use.
        allowed: Vec<String>,
    },
    /// A program is placed off its pin.
    PinViolated {
        /// The pinned program.
        program: String,
        /// The module it is placed on.
        module: String,
        /// The core it is placed on.
        core: u32,
        /// The module the mode pins it to.
        pin_module: String,
        /// The core the mode pins it to, if the pin names one.
        pin_core: Option<u32>,
    },
    /// The programs on a module need more memory than it has.
    MemoryExceeded {
        /// The module whose memory is exceeded.
        module: String,
        /// The summed memory of the programs placed on it, in bytes.
        used: u64,
        /// The module's memory, in bytes.
        capacity: u64,
        /// The programs placed on the module.
        programs: Vec<String>,
    },
    /// A job index at or past the program's jobs per frame.
    JobIndexOutOfRange {
        /// The job with the out-of-range index.
        job: JobRef,
        /// The program's jobs per frame (`H` / period).
        jobs: u64,
    },
    /// The same job twice.
    DuplicateJob {
        /// The second (ignored) entry of the job.
        job: JobRef,
    },
    /// An expected job is absent.
    MissingJob {
        /// The program whose job is missing.
        program: String,
        /// The missing job's index in the frame.
        index: u64,
    },
    /// A job runs elsewhere than its program's placement.
    JobNotOnPlacement {
        /// The misplaced job.
        job: JobRef,
        /// The module the job runs on.
        module: String,
        /// The core the job runs on.
        core: u32,
        /// The module of the program's placement.
        placed_module: String,
        /// The core of the program's placement.
        placed_core: u32,
    },
    /// A job does not last exactly its wcet.
    WrongDuration {
        /// The job whose `end - start` is not its wcet.
        job: JobRef,
        /// The program's worst-case execution time in this mode, in ticks.
        wcet: u64,
    },
    /// A job leaves its window.
    OutsideWindow {
        /// The job that leaves its window.
        job: JobRef,
        /// The start of the job's window: the earliest tick it may start.
        window_start: u64,
        /// The end of the job's window: the latest tick it may end.
        window_end: u64,
    },
    /// A job or hop ends after the major frame.
    OutsideFrame {
        /// The job or hop, rendered as in other messages.
        what: String,
        /// Its end tick.
        end: u64,
        /// The major frame `H`, in ticks.
        frame: u64,
    },
    /// Two jobs share a core at once.
    Overlap {
        /// The module of the shared core.
        module: String,
        /// The shared core.
        core: u32,
        /// The job that starts first.
        first: JobRef,
        /// The job that starts while `first` still runs.
        second: JobRef,
    },
    /// A program's offsets spread more than `max_jitter`.
    Jitter {
        /// The program whose start offsets spread too far.
        program: String,
        /// The program's `max_jitter`, in ticks.
        max_jitter: u64,
        /// Job index and start offset (start − `index·period`, the start of its period)
        /// of the job starting earliest in its period.
        earliest: (u64, i128),
        /// Job index and start offset of the job starting latest in its period.
        latest: (u64, i128),
    },
    /// Two consecutive completions too far apart.
    Unavailability {
        /// The program left without a completion for too long.
        program: String,
        /// The program's `max_unavailability`, in ticks.
        bound: u64,
        /// The gap between the two completions, in ticks.
        gap: u64,
        /// Job index and end of the earlier completion.
        from: (u64, u64),
        /// Job index and end of the later one (in the next frame if `wraps`).
        to: (u64, u64),
        /// Whether the later completion is the first job of the next frame.
        wraps: bool,
    },
    /// A transmission names a message the system does not have.
    UnknownMessage {
        /// The unknown message name.
        message: String,
    },
    /// A transmission names a message that is not in this mode.
    MessageNotInMode {
        /// The message, which the system has but this mode does not.
        message: String,
        /// The schedule's mode.
        mode: String,
    },
    /// An instance index at or past the message's instances per frame.
    InstanceOutOfRange {
        /// The transmitted message.
        message: String,
        /// The out-of-range instance index.
        index: u64,
        /// The message's instances per frame.
        instances: u64,
    },
    /// The same instance transmitted twice.
    DuplicateTransmission {
        /// The message of the instance.
        message: String,
        /// The instance index (its first entry is the one used).
        index: u64,
    },
    /// An instance with remote receivers has no transmission.
    MissingTransmission {
        /// The message of the instance.
        message: String,
        /// The instance index.
        index: u64,
        /// The receivers' modules other than the sender's, which the instance must reach.
        modules: Vec<String>,
    },
    /// An instance whose receivers all share the sender's module has a transmission.
    UnexpectedTransmission {
        /// The message of the instance.
        message: String,
        /// The instance index.
        index: u64,
    },
    /// A hop between two nodes that no link joins (or an unknown node).
    NotALink {
        /// The hop between unlinked (or unknown) nodes.
        hop: HopRef,
    },
    /// A hop on a link direction outside the §6 route (tree).
    HopNotInRoute {
        /// The hop off the route.
        hop: HopRef,
    },
    /// The same link direction twice in one transmission.
    DuplicateHop {
        /// The second hop on the same link direction.
        hop: HopRef,
    },
    /// A link direction of the route with no hop.
    MissingHop {
        /// The message of the instance.
        message: String,
        /// The instance index.
        index: u64,
        /// The node the missing hop would leave.
        from: String,
        /// The node the missing hop would reach.
        to: String,
    },
    /// A hop does not last exactly the transmission time.
    HopDuration {
        /// The hop whose `end - start` is wrong.
        hop: HopRef,
        /// The message's transmission time on the hop's link, in ticks.
        tx_time: u64,
    },
    /// A hop starts before its parent hop's end plus that link's latency.
    HopBeforeParent {
        /// The hop that starts too early.
        hop: HopRef,
        /// The hop into the node this hop leaves.
        parent: HopRef,
        /// The latency of the parent hop's link, in ticks.
        latency: u64,
    },
    /// A first hop starts before the instance's window.
    DepartureBeforeWindow {
        /// The first hop, which starts too early.
        hop: HopRef,
        /// The tick at which the instance's window opens.
        window_start: u64,
    },
    /// A first hop starts before the sender's job ends (precedence).
    DepartureBeforeSender {
        /// The first hop, which starts too early.
        hop: HopRef,
        /// The sender's job producing this instance.
        sender: JobRef,
    },
    /// The instance reaches a receiver's module after its window.
    ArrivalAfterWindow {
        /// The message of the instance.
        message: String,
        /// The instance index.
        index: u64,
        /// The receiver's module reached too late.
        module: String,
        /// The arrival: the last hop's end plus its link's latency.
        arrival: u64,
        /// The tick at which the instance's window closes.
        window_end: u64,
    },
    /// The instance reaches a receiver after its job starts (precedence).
    ArrivalAfterReceiver {
        /// The message of the instance.
        message: String,
        /// The instance index.
        index: u64,
        /// The arrival at the receiver's module: the last hop's end plus its link's latency.
        arrival: u64,
        /// The receiver's job that consumes this instance.
        receiver: JobRef,
    },
    /// A receiver on the sender's module starts before the sender ends (precedence).
    LocalPrecedence {
        /// The message of the instance.
        message: String,
        /// The instance index.
        index: u64,
        /// The sender's job producing the instance.
        sender: JobRef,
        /// The receiver's job that starts too early.
        receiver: JobRef,
    },
    /// Two transmissions share a link direction at once.
    LinkOverlap {
        /// The hop that starts first.
        first: HopRef,
        /// The hop that starts while `first` still occupies the link direction.
        second: HopRef,
    },
}

impl Violation {
    /// The rule broken.
    pub fn rule(&self) -> Rule {
        use Violation as V;
        match self {
            V::UnknownMode { .. } => Rule::UnknownMode,
            V::TickMismatch { .. } => Rule::TickMismatch,
            V::MajorFrameMismatch { .. } => Rule::MajorFrameMismatch,
            V::UnknownProgram { .. } => Rule::UnknownProgram,
            V::ProgramNotInMode { .. } => Rule::ProgramNotInMode,
            V::DuplicatePlacement { .. } => Rule::DuplicatePlacement,
            V::MissingPlacement { .. } => Rule::MissingPlacement,
            V::UnknownModule { .. } => Rule::UnknownModule,
            V::CoreOutOfRange { .. } => Rule::CoreOutOfRange,
            V::ModuleNotAllowed { .. } => Rule::ModuleNotAllowed,
            V::PinViolated { .. } => Rule::PinViolated,
            V::MemoryExceeded { .. } => Rule::MemoryExceeded,
            V::JobIndexOutOfRange { .. } => Rule::JobIndexOutOfRange,
            V::DuplicateJob { .. } => Rule::DuplicateJob,
            V::MissingJob { .. } => Rule::MissingJob,
            V::JobNotOnPlacement { .. } => Rule::JobNotOnPlacement,
            V::WrongDuration { .. } => Rule::WrongDuration,
            V::OutsideWindow { .. } => Rule::OutsideWindow,
            V::OutsideFrame { .. } => Rule::OutsideFrame,
            V::Overlap { .. } => Rule::Overlap,
            V::Jitter { .. } => Rule::Jitter,
            V::Unavailability { .. } => Rule::Unavailability,
            V::UnknownMessage { .. } => Rule::UnknownMessage,
            V::MessageNotInMode { .. } => Rule::MessageNotInMode,
            V::InstanceOutOfRange { .. } => Rule::InstanceOutOfRange,
            V::DuplicateTransmission { .. } => Rule::DuplicateTransmission,
            V::MissingTransmission { .. } => Rule::MissingTransmission,
            V::UnexpectedTransmission { .. } => Rule::UnexpectedTransmission,
            V::NotALink { .. } => Rule::NotALink,
            V::HopNotInRoute { .. } => Rule::HopNotInRoute,
            V::DuplicateHop { .. } => Rule::DuplicateHop,
            V::MissingHop { .. } => Rule::MissingHop,
            V::HopDuration { .. } => Rule::HopDuration,
            V::HopBeforeParent { .. } => Rule::HopBeforeParent,
            V::DepartureBeforeWindow { .. } => Rule::DepartureBeforeWindow,
            V::DepartureBeforeSender { .. } => Rule::DepartureBeforeSender,
            V::ArrivalAfterWindow { .. } => Rule::ArrivalAfterWindow,
            V::ArrivalAfterReceiver { .. } => Rule::ArrivalAfterReceiver,
            V::LocalPrecedence { .. } => Rule::LocalPrecedence,
            V::LinkOverlap { .. } => Rule::LinkOverlap,
        }
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

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Violation as V;
        match self {
            V::UnknownMode { mode, known } => write!(
                f,
                "the schedule is for mode `{mode}`, which the system does not have (its modes: {})",
                names(known)
            ),
            V::TickMismatch { found, expected } => write!(
                f,
                "the schedule counts in ticks of \"{found}\", but the system's tick is \"{expected}\""
            ),
            V::MajorFrameMismatch {
                mode,
                found,
                expected,
            } => write!(
                f,
                "the schedule's major frame is {found}, but mode `{mode}`'s is {expected} (the least common multiple of its periods, or its `major_frame`)"
            ),
            V::UnknownProgram { entry, program } => {
                write!(
                    f,
                    "a {entry} names program `{program}`, which the system does not have"
                )
            }
            V::ProgramNotInMode {
                entry,
                program,
                mode,
            } => {
                write!(
                    f,
                    "a {entry} names program `{program}`, which does not run in mode `{mode}`"
                )
            }
            V::DuplicatePlacement { program } => {
                write!(
                    f,
                    "program `{program}` is placed more than once (the first placement counts)"
                )
            }
            V::MissingPlacement { program } => {
                write!(f, "program `{program}` runs in the mode but is not placed")
            }
            V::UnknownModule { program, module } => {
                write!(
                    f,
                    "program `{program}` is placed on module `{module}`, which the system does not have"
                )
            }
            V::CoreOutOfRange {
                program,
                module,
                core,
                cores,
            } => write!(
                f,
                "program `{program}` is placed on {module}/core {core}, but `{module}` has {cores} core(s) (0..{})",
                cores.saturating_sub(1)
            ),
            V::ModuleNotAllowed {
                program,
                module,
                allowed,
            } => write!(
                f,
                "program `{program}` is placed on `{module}`, outside the modules it may use ({})",
                names(allowed)
            ),
            V::PinViolated {
                program,
                module,
                core,
                pin_module,
                pin_core,
            } => match pin_core {
                Some(c) => write!(
                    f,
                    "program `{program}` is placed on {module}/core {core}, but the mode pins it to {pin_module}/core {c}"
                ),
                None => write!(
                    f,
                    "program `{program}` is placed on {module}/core {core}, but the mode pins it to `{pin_module}`"
                ),
            },
            V::MemoryExceeded {
                module,
                used,
                capacity,
                programs,
            } => write!(
                f,
                "the programs on `{module}` need {} but it has {} (over by {}): {}",
                format_size(*used),
                format_size(*capacity),
                format_size(used - capacity),
                names(programs)
            ),
            V::JobIndexOutOfRange { job, jobs } => write!(
                f,
                "{job}: program `{}` has only {jobs} job(s) per frame (indices 0..{})",
                job.program,
                jobs.saturating_sub(1)
            ),
            V::DuplicateJob { job } => {
                write!(f, "{job} is listed more than once (the first entry counts)")
            }
            V::MissingJob { program, index } => write!(f, "job {program}#{index} is missing"),
            V::JobNotOnPlacement {
                job,
                module,
                core,
                placed_module,
                placed_core,
            } => write!(
                f,
                "{job} runs on {module}/core {core}, but its program is placed on {placed_module}/core {placed_core}"
            ),
            V::WrongDuration { job, wcet } => write!(
                f,
                "{job} lasts {}, not its wcet of {wcet}",
                job.end as i128 - job.start as i128
            ),
            V::OutsideWindow {
                job,
                window_start,
                window_end,
            } => {
                write!(
                    f,
                    "{job} is outside its window [{window_start}, {window_end}]"
                )
            }
            V::OutsideFrame { what, end, frame } => {
                write!(f, "{what} ends at {end}, after the major frame of {frame}")
            }
            V::Overlap {
                module,
                core,
                first,
                second,
            } => {
                write!(f, "{second} on {module}/core {core} overlaps {first}")
            }
            V::Jitter {
                program,
                max_jitter,
                earliest,
                latest,
            } => write!(
                f,
                "program `{program}`: its start offsets range from {} (job #{}) to {} (job #{}), a jitter of {}, more than its max_jitter of {max_jitter}",
                earliest.1,
                earliest.0,
                latest.1,
                latest.0,
                latest.1 - earliest.1
            ),
            V::Unavailability {
                program,
                bound,
                gap,
                from,
                to,
                wraps,
            } => {
                if *wraps {
                    write!(
                        f,
                        "program `{program}`: {gap} between the completion of job #{} at {} and that of job #{} at {} in the next frame, more than its max_unavailability of {bound}",
                        from.0, from.1, to.0, to.1
                    )
                } else {
                    write!(
                        f,
                        "program `{program}`: {gap} between the completions of job #{} at {} and job #{} at {}, more than its max_unavailability of {bound}",
                        from.0, from.1, to.0, to.1
                    )
                }
            }
            V::UnknownMessage { message } => {
                write!(
                    f,
                    "a transmission names message `{message}`, which the system does not have"
                )
            }
            V::MessageNotInMode { message, mode } => {
                write!(
                    f,
                    "a transmission names message `{message}`, which is not in mode `{mode}`"
                )
            }
            V::InstanceOutOfRange {
                message,
                index,
                instances,
            } => write!(
                f,
                "transmission {message}#{index}: message `{message}` has only {instances} instance(s) per frame"
            ),
            V::DuplicateTransmission { message, index } => write!(
                f,
                "instance {message}#{index} has more than one transmission entry (the first counts)"
            ),
            V::MissingTransmission {
                message,
                index,
                modules,
            } => write!(
                f,
                "instance {message}#{index} has receivers on {} but no transmission",
                names(modules)
            ),
            V::UnexpectedTransmission { message, index } => write!(
                f,
                "instance {message}#{index} has a transmission, but all its receivers share the sender's module"
            ),
            V::NotALink { hop } => {
                write!(f, "{hop}: no link joins `{}` and `{}`", hop.from, hop.to)
            }
            V::HopNotInRoute { hop } => write!(f, "{hop} is not on the route to the receivers"),
            V::DuplicateHop { hop } => write!(f, "{hop} uses a link direction a second time"),
            V::MissingHop {
                message,
                index,
                from,
                to,
            } => write!(
                f,
                "instance {message}#{index} has no hop {from}→{to}, which its route needs"
            ),
            V::HopDuration { hop, tx_time } => write!(
                f,
                "{hop} lasts {}, not the transmission time of {tx_time}",
                hop.end as i128 - hop.start as i128
            ),
            V::HopBeforeParent {
                hop,
                parent,
                latency,
            } => write!(
                f,
                "{hop} starts before {}, the end of the previous hop {}→{} plus its latency of {latency}",
                u128::from(parent.end) + u128::from(*latency),
                parent.from,
                parent.to
            ),
            V::DepartureBeforeWindow { hop, window_start } => {
                write!(
                    f,
                    "{hop} leaves before the instance's window opens at {window_start}"
                )
            }
            V::DepartureBeforeSender { hop, sender } => {
                write!(
                    f,
                    "{hop} leaves before the sender's {sender} ends (precedence)"
                )
            }
            V::ArrivalAfterWindow {
                message,
                index,
                module,
                arrival,
                window_end,
            } => write!(
                f,
                "instance {message}#{index} reaches `{module}` at {arrival}, after its window closes at {window_end}"
            ),
            V::ArrivalAfterReceiver {
                message,
                index,
                arrival,
                receiver,
            } => write!(
                f,
                "instance {message}#{index} arrives at {arrival}, after the receiver's {receiver} starts (precedence)"
            ),
            V::LocalPrecedence {
                message,
                index,
                sender,
                receiver,
            } => write!(
                f,
                "instance {message}#{index}: the receiver's {receiver} starts before the sender's {sender} ends (precedence)"
            ),
            V::LinkOverlap { first, second } => {
                write!(f, "{second} overlaps {first} on that link direction")
            }
        }
    }
}
