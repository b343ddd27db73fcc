//! Failure as data: why a mode has no schedule, rendered in words an
//! integrator can act on by [`Infeasible::explain`] and [`Finding::explain`].

use seamless_model::units::format_size;
use seamless_model::{MessageId, ModeId, ModuleId, ProgramId, System, Ticks, Window};
use std::fmt::{self, Write as _};

/// Why a mode has no schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Infeasible {
    /// Necessary conditions fail: no schedule exists for this mode, whatever
    /// the search does. Every finding is a proof on its own.
    Proven {
        /// The mode (index into `System::modes`).
        mode: ModeId,
        /// The failed necessary conditions, each a proof on its own (at least one).
        findings: Vec<Finding>,
    },
    /// The search stopped without a schedule. One may still exist; the
    /// report says what could not be placed and where it contended.
    GaveUp(Box<GaveUp>),
}

impl Infeasible {
    /// The mode this is about.
    pub fn mode(&self) -> ModeId {
        match self {
            Infeasible::Proven { mode, .. } => *mode,
            Infeasible::GaveUp(g) => g.mode,
        }
    }

    /// Whether no schedule can exist (as opposed to: none was found).
    pub fn is_proven(&self) -> bool {
        matches!(self, Infeasible::Proven { .. })
    }

    /// A multi-line explanation naming programs, messages, modules, cores
    /// and links as written in the input, with times in the system's units.
    pub fn explain(&self, sys: &System) -> String {
        let mut out = String::new();
        match self {
            Infeasible::Proven { mode, findings } => {
                if findings
                    .iter()
                    .all(|f| matches!(f, Finding::Exhaustive { .. }))
                {
                    let _ = writeln!(
                        out,
                        "mode `{}` cannot be scheduled: proven by exhaustive search",
                        mode_name(sys, *mode),
                    );
                } else {
                    let _ = writeln!(
                        out,
                        "mode `{}` cannot be scheduled: {} necessary condition{} fail{}",
                        mode_name(sys, *mode),
                        findings.len(),
                        if findings.len() == 1 { "" } else { "s" },
                        if findings.len() == 1 { "s" } else { "" },
                    );
                }
                for f in findings {
                    let _ = writeln!(out, "  - {}", f.explain(sys));
                }
            }
            Infeasible::GaveUp(g) => out.push_str(&g.explain(sys)),
        }
        out
    }

    /// A [`fmt::Display`] adapter over [`Infeasible::explain`].
    pub fn display<'a>(&'a self, sys: &'a System) -> Explained<'a> {
        Explained { what: self, sys }
    }
}

/// Renders an [`Infeasible`] with the names of a system.
pub struct Explained<'a> {
    what: &'a Infeasible,
    sys: &'a System,
}

impl fmt::Display for Explained<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.what.explain(self.sys).trim_end())
    }
}

/// A resource whose capacity a demand exceeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Capacity {
    /// One core (its programs are pinned to it).
    Core {
        /// The module.
        module: ModuleId,
        /// The core number on the module (0-based).
        core: u32,
    },
    /// All cores of these modules together (the programs may only use them).
    Modules(Vec<ModuleId>),
}

/// One proven reason why a mode has no schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The jobs that must run entirely inside `[from, to)` on `on` need more
    /// processor time than it has there (`capacity` = cores × length).
    Overload {
        /// The core, or the set of modules, that is overloaded.
        on: Capacity,
        /// The programs with jobs inside the interval.
        programs: Vec<ProgramId>,
        /// Start of the interval, in ticks from the start of the major frame.
        from: Ticks,
        /// End of the interval (exclusive), in ticks from the start of the major frame.
        to: Ticks,
        /// Processor time the jobs need inside the interval, in ticks.
        demand: Ticks,
        /// Processor time available there: cores × (`to` − `from`), in ticks.
        capacity: Ticks,
    },
    /// Programs that may only run on `modules` need more memory than those
    /// modules have together.
    Memory {
        /// The modules the programs are confined to (by allowed modules or pins).
        modules: Vec<ModuleId>,
        /// The programs confined to them.
        programs: Vec<ProgramId>,
        /// Bytes the programs need together.
        needed: u64,
        /// Bytes of memory the modules have together.
        available: u64,
    },
    /// A message cannot reach `receiver` in time even on an idle network,
    /// wherever the two programs are placed among their allowed modules.
    MessageTooSlow {
        /// The message that arrives too late.
        message: MessageId,
        /// The receiver it cannot reach in time.
        receiver: ProgramId,
        /// Whether the bound comes from precedence (sender's earliest end to
        /// receiver's latest start) rather than the message's window alone.
        precedence: bool,
        /// The shortest time it needs (0 if the two may share a module but
        /// precedence still fails).
        needed: Ticks,
        /// The time it has (negative when the sender's earliest end is after
        /// the receiver's latest start).
        available: i64,
        /// The module pair giving `needed`, if a transmission is needed.
        route: Option<(ModuleId, ModuleId)>,
    },
    /// Two strictly periodic programs forced onto one core cannot share it:
    /// `wcet_a + wcet_b > gcd(period_a, period_b)`.
    StrictlyPeriodicClash {
        /// The first program of the pair.
        a: ProgramId,
        /// The second program of the pair.
        b: ProgramId,
        /// The module both are forced onto.
        module: ModuleId,
        /// The core (0-based) both are forced onto.
        core: u32,
        /// `gcd(period_a, period_b)`, in ticks.
        gcd: Ticks,
        /// `wcet_a + wcet_b`, in ticks (greater than `gcd`).
        wcets: Ticks,
    },
    /// Two programs forced onto one core cannot share it: a job of `a` is
    /// longer than any stretch `b`'s jobs can leave free between two of
    /// them (jobs are non-preemptive; the gap from `b`'s windows and jitter
    /// bound, `seamless_model::expand::longest_gap`).
    GapClash {
        /// The program whose job does not fit.
        a: ProgramId,
        /// The program whose jobs leave too little room.
        b: ProgramId,
        /// The module both are forced onto.
        module: ModuleId,
        /// The core (0-based) both are forced onto.
        core: u32,
        /// `a`'s wcet, in ticks.
        wcet: Ticks,
        /// The longest gap `b`'s jobs can leave, in ticks (less than `wcet`).
        gap: Ticks,
    },
    /// Precedence is cyclic: each job `k` would have to end before itself.
    PrecedenceCycle {
        /// The programs on the cycle.
        programs: Vec<ProgramId>,
        /// The messages with precedence that close the cycle.
        messages: Vec<MessageId>,
    },
    /// The complete search (`seamless-exact`) explored every placement and
    /// every order of jobs and transmissions: these programs and messages
    /// cannot be scheduled together in the mode (on their allowed modules
    /// and pins, with their windows, jitter bounds and memory).
    Exhaustive {
        /// The mode searched (whose requirements and allowed modules apply).
        mode: ModeId,
        /// Program ids (ascending).
        programs: Vec<ProgramId>,
        /// Message ids (ascending).
        messages: Vec<MessageId>,
        /// Whether leaving out any one of them is known to make the rest
        /// schedulable (every shrinking step was decided in its budget).
        minimal: bool,
    },
}

impl Finding {
    /// One paragraph in words.
    pub fn explain(&self, sys: &System) -> String {
        let t = |x: Ticks| sys.tick.format(x);
        match self {
            Finding::Overload {
                on,
                programs,
                from,
                to,
                demand,
                capacity,
            } => {
                let what = match on {
                    Capacity::Core { module, core } => format!(
                        "core {core} of module `{}` (the programs are pinned to it)",
                        module_name(sys, *module)
                    ),
                    Capacity::Modules(ms) if ms.len() == 1 => format!(
                        "module `{}` ({} core{}; the programs may run only there)",
                        module_name(sys, ms[0]),
                        sys.modules.get(ms[0]).map_or(0, |m| m.cores),
                        if sys.modules.get(ms[0]).is_some_and(|m| m.cores == 1) {
                            ""
                        } else {
                            "s"
                        }
                    ),
                    Capacity::Modules(ms) => format!(
                        "modules {} together (the programs may run only there)",
                        list_modules(sys, ms)
                    ),
                };
                format!(
                    "processor overload on {what}: between {} and {} the jobs of {} need {} of processor time, but only {} is available ({} per mille); move some of them to other modules (widen their `modules`), lower their wcet or rate, or widen their windows",
                    t(*from),
                    t(*to),
                    list_programs(sys, programs),
                    t(*demand),
                    t(*capacity),
                    per_mille(*demand, *capacity)
                )
            }
            Finding::Memory {
                modules,
                programs,
                needed,
                available,
            } => format!(
                "memory: {} may only run on {}, and need {} together, but {} ha{} only {}; allow them more modules or give the modules more memory",
                list_programs(sys, programs),
                list_modules(sys, modules),
                format_size(*needed),
                if modules.len() == 1 { "it" } else { "these" },
                if modules.len() == 1 { "s" } else { "ve" },
                format_size(*available)
            ),
            Finding::MessageTooSlow {
                message,
                receiver,
                precedence,
                needed,
                available,
                route,
            } => {
                let msg = sys.messages.get(*message).map_or("?", |m| m.name.as_str());
                let avail = if *available < 0 {
                    format!("-{}", t(available.unsigned_abs()))
                } else {
                    t(*available as u64)
                };
                let bound = if *precedence {
                    "between the sender's earliest end and the receiver's latest start (precedence)"
                } else {
                    "in its window"
                };
                match route {
                    Some((a, b)) => format!(
                        "message `{msg}` cannot reach `{}` in time: even on an idle network the fastest route ({} to {}) takes {} (transmission plus latency on every hop), but there are only {avail} {bound}; allow the two programs a common module, shorten the message, or widen the window",
                        program_name(sys, *receiver),
                        module_name(sys, *a),
                        module_name(sys, *b),
                        t(*needed)
                    ),
                    None => format!(
                        "message `{msg}`: its sender's earliest end comes {} after the latest start of receiver `{}`, so precedence cannot hold even on one module; widen the windows or write `precedence: false`",
                        t(available.unsigned_abs()),
                        program_name(sys, *receiver)
                    ),
                }
            }
            Finding::StrictlyPeriodicClash {
                a,
                b,
                module,
                core,
                gcd,
                wcets,
            } => format!(
                "strictly periodic programs `{}` and `{}` are forced onto core {core} of module `{}`, but their wcets add up to {}, more than {}, the greatest common divisor of their periods, so their jobs must collide; pin one elsewhere or allow it some jitter",
                program_name(sys, *a),
                program_name(sys, *b),
                module_name(sys, *module),
                t(*wcets),
                t(*gcd)
            ),
            Finding::GapClash {
                a,
                b,
                module,
                core,
                wcet,
                gap,
            } => format!(
                "programs `{}` and `{}` are forced onto core {core} of module `{}`, but a job of `{}` takes {} and the jobs of `{}` never leave more than {} free between two of them, so (jobs running without preemption) they must collide; pin one elsewhere, or widen `{}`'s windows or jitter",
                program_name(sys, *a),
                program_name(sys, *b),
                module_name(sys, *module),
                program_name(sys, *a),
                t(*wcet),
                program_name(sys, *b),
                t(*gap),
                program_name(sys, *b)
            ),
            Finding::Exhaustive {
                mode,
                programs,
                messages,
                minimal,
            } => explain_exhaustive(sys, *mode, programs, messages, *minimal),
            Finding::PrecedenceCycle { programs, messages } => format!(
                "precedence is cyclic through {} (messages {}): each job would have to end before it starts; write `precedence: false` on one of these messages",
                list_programs(sys, programs),
                messages
                    .iter()
                    .map(|&m| format!("`{}`", sys.messages.get(m).map_or("?", |x| x.name.as_str())))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// The programs this finding names.
    pub fn programs(&self) -> Vec<ProgramId> {
        match self {
            Finding::Overload { programs, .. }
            | Finding::Memory { programs, .. }
            | Finding::PrecedenceCycle { programs, .. }
            | Finding::Exhaustive { programs, .. } => programs.clone(),
            Finding::MessageTooSlow { receiver, .. } => vec![*receiver],
            Finding::StrictlyPeriodicClash { a, b, .. } | Finding::GapClash { a, b, .. } => {
                vec![*a, *b]
            }
        }
    }
}

/// Why the search stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Every repair move was tried without success.
    Exhausted,
    /// The work budget (`Options::budget`) ran out.
    Budget,
    /// The safety time limit (`Options::time_limit`) was hit: this result
    /// depends on the machine's speed.
    TimeLimit,
}

/// A program no module could take (memory, processor capacity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnplacedProgram {
    /// The program (index into `System::programs`).
    pub program: ProgramId,
    /// Bytes of memory it needs.
    pub memory: u64,
    /// Processor time per frame it needs.
    pub load: Ticks,
    /// Per allowed module: free memory and the least loaded core's free
    /// processor time per frame, when the program was to be placed.
    pub modules: Vec<(ModuleId, u64, Ticks)>,
}

/// A job the search could not place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobMiss {
    /// The program (index into `System::programs`).
    pub program: ProgramId,
    /// Which of the program's jobs in the major frame (0-based).
    pub index: u64,
    /// The job's window in the major frame, in ticks.
    pub window: Window,
    /// The module the program was placed on.
    pub module: ModuleId,
    /// The core (0-based) the program was placed on.
    pub core: u32,
}

/// A message instance the search could not place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageMiss {
    /// The message (index into `System::messages`).
    pub message: MessageId,
    /// Which instance of the message in the major frame (0-based).
    pub index: u64,
    /// The instance's window in the major frame, in ticks.
    pub window: Window,
    /// The link direction (network nodes `from`, `to`) it found busy, if the
    /// failure was on the network.
    pub link: Option<(usize, usize)>,
}

/// A core or link direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Resource {
    /// One core of one module.
    Core {
        /// The module.
        module: ModuleId,
        /// The core number on the module (0-based).
        core: u32,
    },
    /// Network nodes of one link direction.
    Link {
        /// Network node (index into `Network::nodes`) the direction leaves.
        from: usize,
        /// Network node (index into `Network::nodes`) the direction enters.
        to: usize,
    },
}

/// How busy a contended resource is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceLoad {
    /// The core or link direction.
    pub resource: Resource,
    /// Busy ticks per frame in the partial schedule (placed work only).
    pub busy: Ticks,
    /// Busy ticks per frame the placement asks of it (placed or not).
    pub demand: Ticks,
    /// The mode's major frame, in ticks (what `busy` and `demand` are out of).
    pub frame: Ticks,
    /// Unplaced jobs or instances that failed on it.
    pub misses: u32,
}

/// The search's report when it gave up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GaveUp {
    /// The mode searched (index into `System::modes`).
    pub mode: ModeId,
    /// Why the search stopped.
    pub stop: Stop,
    /// Programs no allowed module could take.
    pub programs: Vec<UnplacedProgram>,
    /// Jobs that could not be placed in time.
    pub jobs: Vec<JobMiss>,
    /// Message instances that could not be placed in time.
    pub messages: Vec<MessageMiss>,
    /// The resources the misses contended for, most missed first.
    pub resources: Vec<ResourceLoad>,
}

impl GaveUp {
    /// The report of a mode whose search ran out before it named anything:
    /// the budget was spent, nothing is listed.
    pub fn exhausted(mode: ModeId) -> Self {
        GaveUp {
            mode,
            stop: Stop::Exhausted,
            programs: Vec::new(),
            jobs: Vec::new(),
            messages: Vec::new(),
            resources: Vec::new(),
        }
    }

    /// A multi-line explanation naming programs, messages, modules, cores and
    /// links as written in the input, with times in the system's units.
    pub fn explain(&self, sys: &System) -> String {
        let t = |x: Ticks| sys.tick.format(x);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "no schedule found for mode `{}` within the budget ({}); one may still exist",
            mode_name(sys, self.mode),
            match self.stop {
                Stop::Exhausted =>
                    "every repair was tried; the mode is too large for the complete search",
                Stop::Budget => "the complete search ran out of steps before deciding",
                Stop::TimeLimit => "the time limit was hit",
            }
        );
        for p in &self.programs {
            let _ = writeln!(
                out,
                "  - program `{}` ({} of memory, {} of processor time per frame) fits on none of its modules: {}",
                program_name(sys, p.program),
                format_size(p.memory),
                t(p.load),
                p.modules
                    .iter()
                    .map(|(m, mem, cpu)| format!(
                        "`{}` has {} free and at most {} of processor time free on one core",
                        module_name(sys, *m),
                        format_size(*mem),
                        t(*cpu)
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
        const SHOW: usize = 12;
        if !self.jobs.is_empty() {
            let _ = writeln!(
                out,
                "  {} job{} could not be placed:",
                self.jobs.len(),
                plural(self.jobs.len())
            );
            for j in self.jobs.iter().take(SHOW) {
                let _ = writeln!(
                    out,
                    "    - `{}` job {} (window {}..{}) on core {} of `{}`",
                    program_name(sys, j.program),
                    j.index,
                    t(j.window.start),
                    t(j.window.end),
                    j.core,
                    module_name(sys, j.module)
                );
            }
            if self.jobs.len() > SHOW {
                let _ = writeln!(out, "    - ... and {} more", self.jobs.len() - SHOW);
            }
        }
        if !self.messages.is_empty() {
            let _ = writeln!(
                out,
                "  {} message instance{} could not be placed:",
                self.messages.len(),
                plural(self.messages.len())
            );
            for m in self.messages.iter().take(SHOW) {
                let on = m.link.map_or(String::new(), |(a, b)| {
                    format!(" on link {} -> {}", node_name(sys, a), node_name(sys, b))
                });
                let _ = writeln!(
                    out,
                    "    - `{}` instance {} (window {}..{}){on}",
                    sys.messages.get(m.message).map_or("?", |x| x.name.as_str()),
                    m.index,
                    t(m.window.start),
                    t(m.window.end)
                );
            }
            if self.messages.len() > SHOW {
                let _ = writeln!(out, "    - ... and {} more", self.messages.len() - SHOW);
            }
        }
        if !self.resources.is_empty() {
            let _ = writeln!(
                out,
                "  contended resources (busy / asked of it, per frame):"
            );
            for r in self.resources.iter().take(SHOW) {
                let _ = writeln!(
                    out,
                    "    - {}: {} / {} of {} ({} / {} per mille), {} miss{}",
                    resource_name(sys, r.resource),
                    t(r.busy),
                    t(r.demand),
                    t(r.frame),
                    per_mille(r.busy, r.frame),
                    per_mille(r.demand, r.frame),
                    r.misses,
                    if r.misses == 1 { "" } else { "es" }
                );
            }
        }
        let named = !(self.programs.is_empty() && self.jobs.is_empty() && self.messages.is_empty());
        let _ = match (named, self.resources.is_empty()) {
            (true, false) => writeln!(
                out,
                "  try: allow the programs named above more modules, widen their windows or jitter, or lower the load of the resources listed"
            ),
            (true, true) => writeln!(
                out,
                "  try: allow the programs named above more modules, or widen their windows or jitter"
            ),
            (false, false) => writeln!(
                out,
                "  try: lower the load of the resources listed, or give the search more time"
            ),
            (false, true) => writeln!(
                out,
                "  try: give the search more time (`--time-limit`), or relax windows, jitter or placement limits"
            ),
        };
        out
    }
}

/// A [`Finding::Exhaustive`] in words: the set, then each element's terms.
fn explain_exhaustive(
    sys: &System,
    mode: ModeId,
    programs: &[ProgramId],
    messages: &[MessageId],
    minimal: bool,
) -> String {
    let t = |x: Ticks| sys.tick.format(x);
    let mut out = format!(
        "no schedule exists for {} program{}{} together: an exhaustive search over their placements (allowed modules, pins, memory) and over the order of their jobs{} found none",
        programs.len(),
        plural(programs.len()),
        if messages.is_empty() {
            String::new()
        } else {
            format!(" and {} message{}", messages.len(), plural(messages.len()))
        },
        if messages.is_empty() {
            ""
        } else {
            " and transmissions"
        },
    );
    out.push_str(if minimal {
        "; leave out any one of them and the rest can be scheduled:"
    } else {
        " (this set may not be minimal):"
    });
    for &p in programs {
        let Some(q) = sys.programs.get(p) else {
            continue;
        };
        let mp = sys
            .modes
            .get(mode)
            .and_then(|m| m.slot(p).map(|s| &m.programs[s]));
        let r = mp.map_or(q.requirement, |mp| mp.requirement);
        let place = match mp {
            Some(mp) if mp.pin_core.is_some() && mp.allowed.len() == 1 => format!(
                ", pinned to core {} of `{}`",
                mp.pin_core.unwrap_or(0),
                module_name(sys, mp.allowed[0])
            ),
            Some(mp) if mp.allowed.len() < sys.modules.len() => {
                format!(", only on {}", list_modules(sys, &mp.allowed))
            }
            _ => String::new(),
        };
        let w = r.timing.window();
        let rate = match r.timing.period() {
            Some(period) => format!(
                "every {}, window {}..{} of its period",
                t(period),
                t(w.start),
                t(w.end)
            ),
            None => format!("once per frame, window {}..{}", t(w.start), t(w.end)),
        };
        let jitter = match r.max_jitter {
            Some(0) => ", strictly periodic".to_string(),
            Some(j) => format!(", jitter at most {}", t(j)),
            None => String::new(),
        };
        let _ = write!(
            out,
            "\n      `{}`: {} {rate}{jitter}, {} of memory{place}",
            q.name,
            t(r.wcet),
            format_size(q.memory)
        );
    }
    for &m in messages {
        if let Some(x) = sys.messages.get(m) {
            let _ = write!(
                out,
                "\n      message `{}`: {} from `{}`",
                x.name,
                format_size(x.size),
                program_name(sys, x.from)
            );
        }
    }
    out.push_str(
        "\n    give one of them another module, a wider window or more jitter, or lower a wcet or a message size",
    );
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `num / den` in per mille, rounded down (0 when `den` is 0).
pub fn per_mille(num: u64, den: u64) -> u64 {
    if den == 0 {
        return 0;
    }
    (u128::from(num) * 1000 / u128::from(den)) as u64
}

pub(crate) fn mode_name(sys: &System, m: ModeId) -> &str {
    sys.modes.get(m).map_or("?", |x| x.name.as_str())
}
pub(crate) fn module_name(sys: &System, m: ModuleId) -> &str {
    sys.modules.get(m).map_or("?", |x| x.name.as_str())
}
pub(crate) fn program_name(sys: &System, p: ProgramId) -> &str {
    sys.programs.get(p).map_or("?", |x| x.name.as_str())
}
pub(crate) fn node_name(sys: &System, n: usize) -> &str {
    sys.network.nodes.get(n).map_or("?", |x| x.name.as_str())
}

/// A resource in words.
pub fn resource_name(sys: &System, r: Resource) -> String {
    match r {
        Resource::Core { module, core } => format!("core {core} of `{}`", module_name(sys, module)),
        Resource::Link { from, to } => {
            format!("link {} -> {}", node_name(sys, from), node_name(sys, to))
        }
    }
}

fn list_programs(sys: &System, ps: &[ProgramId]) -> String {
    const SHOW: usize = 10;
    let mut names: Vec<String> = ps
        .iter()
        .take(SHOW)
        .map(|&p| format!("`{}`", program_name(sys, p)))
        .collect();
    if ps.len() > SHOW {
        names.push(format!("{} more", ps.len() - SHOW));
    }
    names.join(", ")
}

fn list_modules(sys: &System, ms: &[ModuleId]) -> String {
    ms.iter()
        .map(|&m| format!("`{}`", module_name(sys, m)))
        .collect::<Vec<_>>()
        .join(", ")
}
