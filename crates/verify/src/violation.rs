//! Violations as data, and their rendering for an integrator.

use seamless_model::units::format_size;
use std::fmt;

/// The rule a violation breaks: one per kind of [`Violation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    UnknownMode,
    TickMismatch,
    MajorFrameMismatch,
    UnknownProgram,
    ProgramNotInMode,
    DuplicatePlacement,
    MissingPlacement,
    UnknownModule,
    CoreOutOfRange,
    ModuleNotAllowed,
    PinViolated,
    MemoryExceeded,
    JobIndexOutOfRange,
    DuplicateJob,
    MissingJob,
    JobNotOnPlacement,
    WrongDuration,
    OutsideWindow,
    OutsideFrame,
    Overlap,
    Jitter,
    Unavailability,
    UnknownMessage,
    MessageNotInMode,
    InstanceOutOfRange,
    DuplicateTransmission,
    MissingTransmission,
    UnexpectedTransmission,
    NotALink,
    HopNotInRoute,
    DuplicateHop,
    MissingHop,
    HopDuration,
    HopBeforeParent,
    DepartureBeforeWindow,
    DepartureBeforeSender,
    ArrivalAfterWindow,
    ArrivalAfterReceiver,
    LocalPrecedence,
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
    Placement,
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
    pub program: String,
    pub index: u64,
    pub start: u64,
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
    pub message: String,
    pub index: u64,
    pub from: String,
    pub to: String,
    pub start: u64,
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
    UnknownMode { mode: String, known: Vec<String> },
    /// The schedule's tick is not the system's.
    TickMismatch { found: String, expected: String },
    /// `major_frame` is not the mode's `H`.
    MajorFrameMismatch {
        mode: String,
        found: u64,
        expected: u64,
    },
    /// A placement or job names a program the system does not have.
    UnknownProgram { entry: Entry, program: String },
    /// A placement or job names a program that does not run in this mode.
    ProgramNotInMode {
        entry: Entry,
        program: String,
        mode: String,
    },
    /// A program is placed twice.
    DuplicatePlacement { program: String },
    /// A program of the mode is not placed.
    MissingPlacement { program: String },
    /// A placement names a module the system does not have.
    UnknownModule { program: String, module: String },
    /// A placement names a core the module does not have.
    CoreOutOfRange {
        program: String,
        module: String,
        core: u32,
        cores: u32,
    },
    /// A program is placed on a module outside its `modules`.
    ModuleNotAllowed {
        program: String,
        module: String,
        allowed: Vec<String>,
    },
    /// A program is placed off its pin.
    PinViolated {
        program: String,
        module: String,
        core: u32,
        pin_module: String,
        pin_core: Option<u32>,
    },
    /// The programs on a module need more memory than it has.
    MemoryExceeded {
        module: String,
        used: u64,
        capacity: u64,
        programs: Vec<String>,
    },
    /// A job index at or past the program's jobs per frame.
    JobIndexOutOfRange { job: JobRef, jobs: u64 },
    /// The same job twice.
    DuplicateJob { job: JobRef },
    /// An expected job is absent.
    MissingJob { program: String, index: u64 },
    /// A job runs elsewhere than its program's placement.
    JobNotOnPlacement {
        job: JobRef,
        module: String,
        core: u32,
        placed_module: String,
        placed_core: u32,
    },
    /// A job does not last exactly its wcet.
    WrongDuration { job: JobRef, wcet: u64 },
    /// A job leaves its window.
    OutsideWindow {
        job: JobRef,
        window_start: u64,
        window_end: u64,
    },
    /// A job or hop ends after the major frame.
    OutsideFrame { what: String, end: u64, frame: u64 },
    /// Two jobs share a core at once.
    Overlap {
        module: String,
        core: u32,
        first: JobRef,
        second: JobRef,
    },
    /// A program's offsets spread more than `max_jitter`.
    Jitter {
        program: String,
        max_jitter: u64,
        earliest: (u64, i128),
        latest: (u64, i128),
    },
    /// Two consecutive completions too far apart.
    Unavailability {
        program: String,
        bound: u64,
        gap: u64,
        /// Job index and end of the earlier completion.
        from: (u64, u64),
        /// Job index and end of the later one (in the next frame if `wraps`).
        to: (u64, u64),
        wraps: bool,
    },
    /// A transmission names a message the system does not have.
    UnknownMessage { message: String },
    /// A transmission names a message that is not in this mode.
    MessageNotInMode { message: String, mode: String },
    /// An instance index at or past the message's instances per frame.
    InstanceOutOfRange {
        message: String,
        index: u64,
        instances: u64,
    },
    /// The same instance transmitted twice.
    DuplicateTransmission { message: String, index: u64 },
    /// An instance with remote receivers has no transmission.
    MissingTransmission {
        message: String,
        index: u64,
        modules: Vec<String>,
    },
    /// An instance whose receivers all share the sender's module has a transmission.
    UnexpectedTransmission { message: String, index: u64 },
    /// A hop between two nodes that no link joins (or an unknown node).
    NotALink { hop: HopRef },
    /// A hop on a link direction outside the §3 route (tree).
    HopNotInRoute { hop: HopRef },
    /// The same link direction twice in one transmission.
    DuplicateHop { hop: HopRef },
    /// A link direction of the route with no hop.
    MissingHop {
        message: String,
        index: u64,
        from: String,
        to: String,
    },
    /// A hop does not last exactly the transmission time.
    HopDuration { hop: HopRef, tx_time: u64 },
    /// A hop starts before its parent hop's end plus that link's latency.
    HopBeforeParent {
        hop: HopRef,
        parent: HopRef,
        latency: u64,
    },
    /// A first hop starts before the instance's window.
    DepartureBeforeWindow { hop: HopRef, window_start: u64 },
    /// A first hop starts before the sender's job ends (precedence).
    DepartureBeforeSender { hop: HopRef, sender: JobRef },
    /// The instance reaches a receiver's module after its window.
    ArrivalAfterWindow {
        message: String,
        index: u64,
        module: String,
        arrival: u64,
        window_end: u64,
    },
    /// The instance reaches a receiver after its job starts (precedence).
    ArrivalAfterReceiver {
        message: String,
        index: u64,
        arrival: u64,
        receiver: JobRef,
    },
    /// A receiver on the sender's module starts before the sender ends (precedence).
    LocalPrecedence {
        message: String,
        index: u64,
        sender: JobRef,
        receiver: JobRef,
    },
    /// Two transmissions share a link direction at once.
    LinkOverlap { first: HopRef, second: HopRef },
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
