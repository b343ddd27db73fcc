//! The validated system: every name resolved to an index, every quantity in
//! integer ticks, bytes or bits per second, every mode's effective
//! requirements computed. Produced only by [`crate::validate`], so code that
//! holds a [`System`] may rely on the invariants documented on each type.

use crate::network::Network;
use crate::units::Tick;

/// A time or duration in ticks.
pub type Ticks = u64;
/// Index into [`System::modules`].
pub type ModuleId = usize;
/// Index into [`System::programs`].
pub type ProgramId = usize;
/// Index into [`System::messages`].
pub type MessageId = usize;
/// Index into [`System::modes`].
pub type ModeId = usize;

/// A whole system: platform, catalogue and modes.
#[derive(Debug, Clone)]
pub struct System {
    /// The system's `name`.
    pub name: String,
    /// The time base: every time of the model is a whole number of ticks.
    pub tick: Tick,
    /// The computing modules, in input order.
    pub modules: Vec<Module>,
    /// The switch names, in input order (switches only forward).
    pub switches: Vec<String>,
    /// Nodes (modules, then switches), links and routes.
    pub network: Network,
    /// How live migration moves memory (§2 defaults applied).
    pub migration: MigrationParams,
    /// The program catalogue, in input order.
    pub programs: Vec<Program>,
    /// The message catalogue, in input order.
    pub messages: Vec<Message>,
    /// The modes, in file-name order.
    pub modes: Vec<Mode>,
    /// Allowed ordered mode pairs `(from, to)`, distinct, `from != to`.
    pub transitions: Vec<(ModeId, ModeId)>,
    /// Name → index of programs, modules and messages, built on first use
    /// (a name lookup is then one hash instead of a scan over the
    /// catalogue).
    pub(crate) names: NameIndex,
}

/// Name → index of the programs, the modules and the messages of a
/// [`System`], built on first use (a hash map: lookups only, never
/// iterated, so its order cannot reach an output). Every hit is checked
/// against the catalogue (code may edit the public fields after
/// validation), and a miss falls back to a scan, so the answer is the
/// scan's for unique names.
#[derive(Clone, Default)]
pub(crate) struct NameIndex {
    programs: std::sync::OnceLock<std::collections::HashMap<String, usize>>,
    modules: std::sync::OnceLock<std::collections::HashMap<String, usize>>,
    messages: std::sync::OnceLock<std::collections::HashMap<String, usize>>,
}

impl std::fmt::Debug for NameIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NameIndex")
    }
}

/// The index of `name` among the `len` names `name_at` gives (names are
/// unique in a validated system).
fn lookup<'a>(
    cache: &std::sync::OnceLock<std::collections::HashMap<String, usize>>,
    len: usize,
    name_at: impl Fn(usize) -> &'a str,
    name: &str,
) -> Option<usize> {
    let index = cache.get_or_init(|| {
        let mut m = std::collections::HashMap::with_capacity(len);
        for i in 0..len {
            m.entry(name_at(i).to_string()).or_insert(i);
        }
        m
    });
    if let Some(&i) = index.get(name)
        && i < len
        && name_at(i) == name
    {
        return Some(i);
    }
    (0..len).find(|&i| name_at(i) == name)
}

impl System {
    /// The module of this name.
    pub fn module_by_name(&self, name: &str) -> Option<ModuleId> {
        lookup(
            &self.names.modules,
            self.modules.len(),
            |i| self.modules[i].name.as_str(),
            name,
        )
    }
    /// The program of this name.
    pub fn program_by_name(&self, name: &str) -> Option<ProgramId> {
        lookup(
            &self.names.programs,
            self.programs.len(),
            |i| self.programs[i].name.as_str(),
            name,
        )
    }
    /// The message of this name.
    pub fn message_by_name(&self, name: &str) -> Option<MessageId> {
        lookup(
            &self.names.messages,
            self.messages.len(),
            |i| self.messages[i].name.as_str(),
            name,
        )
    }
    /// The mode of this name.
    pub fn mode_by_name(&self, name: &str) -> Option<ModeId> {
        self.modes.iter().position(|m| m.name == name)
    }
    /// Transmission time of `bytes` on a link, in ticks (§1).
    pub fn tx_time(&self, link: usize, bytes: u64) -> Ticks {
        self.network.tx_time(link, bytes, self.tick.ns)
    }
}

/// A computing module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    /// Its unique name.
    pub name: String,
    /// ≥ 1.
    pub cores: u32,
    /// Bytes, ≥ 1.
    pub memory: u64,
}

/// Migration parameters (§2 defaults applied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationParams {
    /// Bytes of one memory page (the unit of dirtying and of faults).
    pub page_size: u64,
    /// Bytes of CPU state `C` moved while the program is suspended.
    pub cpu_state: u64,
    /// The largest chunk, in bytes, one transmission carries.
    pub chunk: u64,
    /// The most pre-copy rounds.
    pub max_rounds: u32,
    /// Pre-copy stops when a round would carry fewer bytes than this.
    pub stop_below: u64,
    /// Ticks to handle one remote page fault (post-copy).
    pub fault_handling: Ticks,
}

/// A window `[start, end]` in ticks (relative to a period, or absolute in the
/// frame for once-per-frame entities).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    /// The earliest start.
    pub start: Ticks,
    /// The latest end.
    pub end: Ticks,
}

/// When an entity runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timing {
    /// `(F, t)`: every `period`, inside `window` relative to the period's start.
    Periodic {
        /// The period, ≥ 1.
        period: Ticks,
        /// The window inside each period.
        window: Window,
    },
    /// `(s, f, t)`: once per major frame, inside the absolute `window`.
    Once {
        /// The window inside the major frame.
        window: Window,
    },
}

impl Timing {
    /// The period, or `None` for once-per-frame.
    pub fn period(&self) -> Option<Ticks> {
        match self {
            Timing::Periodic { period, .. } => Some(*period),
            Timing::Once { .. } => None,
        }
    }
    /// The window (relative to the period, or absolute for once-per-frame).
    pub fn window(&self) -> Window {
        match self {
            Timing::Periodic { window, .. } | Timing::Once { window } => *window,
        }
    }
    /// Instances per major frame `h` (which the period divides).
    pub fn count(&self, h: Ticks) -> u64 {
        match self {
            Timing::Periodic { period, .. } => h / period,
            Timing::Once { .. } => 1,
        }
    }
    /// The absolute window of instance `k`.
    pub fn instance_window(&self, k: u64) -> Window {
        match *self {
            Timing::Periodic { period, window } => Window {
                start: k * period + window.start,
                end: k * period + window.end,
            },
            Timing::Once { window } => window,
        }
    }
    /// The span over which instance `k`'s offset is measured (`k·T`), 0 for once.
    pub fn instance_base(&self, k: u64) -> Ticks {
        match *self {
            Timing::Periodic { period, .. } => k * period,
            Timing::Once { .. } => 0,
        }
    }
}

/// A program's real-time requirement (catalogue or effective in a mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Requirement {
    /// When its jobs run.
    pub timing: Timing,
    /// ≥ 1, ≤ window length.
    pub wcet: Ticks,
    /// The most a job's start may vary from one period to the next, if bounded.
    pub max_jitter: Option<Ticks>,
}

/// A program of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    /// Its unique name.
    pub name: String,
    /// Bytes of state (≥ 1).
    pub memory: u64,
    /// Bytes one job touches (≤ memory; default memory).
    pub working_set: u64,
    /// Bytes of distinct pages one job writes (≤ memory; default working set).
    pub dirty_per_job: u64,
    /// The longest gap allowed between two completed jobs across a mode
    /// switch, if bounded.
    pub max_unavailability: Option<Ticks>,
    /// Modules it may run on, ascending; every module if the input gave none.
    pub modules: Vec<ModuleId>,
    /// Whether `modules` was given explicitly.
    pub modules_explicit: bool,
    /// The catalogue requirement (before a mode's overrides).
    pub requirement: Requirement,
}

/// A message of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Its unique name.
    pub name: String,
    /// The sending program.
    pub from: ProgramId,
    /// Distinct receivers, never the sender, in input order.
    pub to: Vec<ProgramId>,
    /// Bytes, ≥ 1.
    pub size: u64,
    /// Explicit period, if given (else the sender's in each mode).
    pub period: Option<Ticks>,
    /// Explicit window, if given.
    pub window: Option<Window>,
    /// `precedence:` as written.
    pub precedence: Option<bool>,
}

/// A program as it runs in one mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeProgram {
    /// The catalogue program.
    pub program: ProgramId,
    /// Effective requirement after the mode's override.
    pub requirement: Requirement,
    /// The module a pin fixes, if any.
    pub pin_module: Option<ModuleId>,
    /// The core a pin fixes, if any.
    pub pin_core: Option<u32>,
    /// Modules it may use in this mode, ascending (the pin, or the allowed list).
    pub allowed: Vec<ModuleId>,
}

/// A message as it runs in one mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeMessage {
    /// The catalogue message.
    pub message: MessageId,
    /// Its effective timing in this mode.
    pub timing: Timing,
    /// Whether precedence holds in this mode (§4).
    pub precedence: bool,
}

/// One operating mode.
#[derive(Debug, Clone)]
pub struct Mode {
    /// Its unique name.
    pub name: String,
    /// Index of the source file the mode came from.
    pub file: usize,
    /// In input order; each program once.
    pub programs: Vec<ModeProgram>,
    /// In input order; each message once.
    pub messages: Vec<ModeMessage>,
    /// The major frame `H` in ticks.
    pub major_frame: Ticks,
    /// Jobs in one major frame.
    pub job_count: u64,
    /// Message instances in one major frame.
    pub instance_count: u64,
    /// Global program id → index in `programs`.
    pub(crate) program_slot: Vec<Option<u32>>,
    /// Global message id → index in `messages`.
    pub(crate) message_slot: Vec<Option<u32>>,
}

impl Mode {
    /// The mode-local index of a program, if it runs in this mode.
    pub fn slot(&self, program: ProgramId) -> Option<usize> {
        self.program_slot
            .get(program)
            .copied()
            .flatten()
            .map(|s| s as usize)
    }
    /// The mode-local index of a message, if it runs in this mode.
    pub fn message_slot(&self, message: MessageId) -> Option<usize> {
        self.message_slot
            .get(message)
            .copied()
            .flatten()
            .map(|s| s as usize)
    }
    /// Whether the program runs in this mode.
    pub fn has_program(&self, program: ProgramId) -> bool {
        self.slot(program).is_some()
    }
    /// Jobs of a mode program in one frame.
    pub fn jobs_of(&self, slot: usize) -> u64 {
        self.programs[slot]
            .requirement
            .timing
            .count(self.major_frame)
    }
}

#[cfg(test)]
mod name_tests {
    use crate::SourceFile;
    use crate::validate::Limits;

    fn load() -> super::System {
        let files = vec![
            SourceFile {
                name: "system.ron".into(),
                text: r#"System(
    name: "names",
    modules: [
        Module(name: "a", cores: 1, memory: "64MiB"),
        Module(name: "b", cores: 1, memory: "64MiB"),
    ],
    switches: ["sw"],
    links: [
        Link(from: "a", to: "sw", bandwidth: "100Mbit/s", latency: "5us"),
        Link(from: "b", to: "sw", bandwidth: "100Mbit/s", latency: "5us"),
    ],
    programs: [
        Program(name: "x", memory: "8MiB", wcet: "1ms", period: "10ms"),
        Program(name: "y", memory: "8MiB", wcet: "1ms", period: "10ms"),
        Program(name: "z", memory: "8MiB", wcet: "1ms", period: "10ms"),
    ],
    messages: [
        Message(name: "xy", from: "x", to: ["y"], size: "64B", period: "10ms"),
        Message(name: "yz", from: "y", to: ["z"], size: "64B", period: "10ms"),
    ],
    transitions: [],
)"#
                .into(),
            },
            SourceFile {
                name: "m.ron".into(),
                text: r#"Mode(name: "m", programs: ["x", "y", "z"], messages: [])"#.into(),
            },
        ];
        match crate::load::load(&files, Limits::default()) {
            Ok(s) => s,
            Err(d) => panic!("{}", crate::diag::render(&d, &files)),
        }
    }

    #[test]
    fn look_ups_agree_with_a_scan_even_after_edits() {
        let mut sys = load();
        for (i, p) in sys.programs.iter().enumerate() {
            assert_eq!(sys.program_by_name(&p.name), Some(i));
        }
        assert_eq!(sys.module_by_name("b"), Some(1));
        assert_eq!(sys.module_by_name("sw"), None);
        assert_eq!(sys.program_by_name("w"), None);
        // the index was built; names edited afterwards are still found
        sys.programs.swap(0, 2);
        sys.programs[1].name = "w".into();
        assert_eq!(sys.program_by_name("x"), Some(2));
        assert_eq!(sys.program_by_name("z"), Some(0));
        assert_eq!(sys.program_by_name("w"), Some(1));
        assert_eq!(sys.program_by_name("y"), None);
        // a clone carries the index along and answers the same
        let c = sys.clone();
        assert_eq!(c.program_by_name("x"), Some(2));
        sys.modules.truncate(1);
        assert_eq!(sys.module_by_name("b"), None);
        assert_eq!(sys.module_by_name("a"), Some(0));
        assert_eq!(sys.message_by_name("yz"), Some(1));
        assert_eq!(sys.message_by_name("zz"), None);
        sys.messages.swap(0, 1);
        assert_eq!(sys.message_by_name("yz"), Some(0));
        assert_eq!(sys.message_by_name("xy"), Some(1));
    }
}
