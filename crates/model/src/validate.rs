//! From the files as written ([`crate::raw`]) to a [`System`]: every rule of
//! §1–§5 of the model checked, every error collected (not only the first),
//! each pointing at the field it is about.

use crate::diag::Diagnostic;
use crate::network::{Link, Network, Node};
use crate::raw::{ModeFile, ProgramDef, SystemFile, WindowDef};
use crate::system::*;
use crate::units::{self, Tick, UnitError};
use std::collections::HashMap;

/// Limits the user can set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most jobs (and, separately, message instances) one mode's major frame
    /// may hold.
    pub max_jobs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_jobs: 10_000_000,
        }
    }
}

/// The largest major frame: it must fit in 63 bits.
pub const MAX_FRAME: u64 = i64::MAX as u64;

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
struct Q<'a> {
    file: usize,
    path: &'a str,
    text: &'a str,
}

struct V {
    diags: Vec<Diagnostic>,
    tick: Tick,
    /// Programs whose `max_unavailability` was already reported below a
    /// period, so that one bad bound gives one error, not one per mode.
    unavail_reported: std::collections::BTreeSet<ProgramId>,
}

impl V {
    fn err(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn unit_err(&mut self, owner: &str, field: &str, q: Q, e: UnitError) {
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
    fn dur(&mut self, owner: &str, field: &str, q: Q) -> Option<Ticks> {
        match self.tick.duration(q.text) {
            Ok(t) => Some(t),
            Err(e) => {
                self.unit_err(owner, field, q, e);
                None
            }
        }
    }

    /// A duration > 0.
    fn pos_dur(&mut self, owner: &str, field: &str, q: Q) -> Option<Ticks> {
        let t = self.dur(owner, field, q)?;
        if t == 0 {
            self.unit_err(owner, field, q, UnitError::Zero);
            return None;
        }
        Some(t)
    }

    fn period_of_freq(&mut self, owner: &str, q: Q) -> Option<Ticks> {
        match self.tick.frequency_period(q.text) {
            Ok(t) => Some(t),
            Err(e) => {
                self.unit_err(owner, "frequency", q, e);
                None
            }
        }
    }

    /// A size > 0 (or ≥ 0 when `zero_ok`).
    fn size(&mut self, owner: &str, field: &str, q: Q, zero_ok: bool) -> Option<u64> {
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

    fn bandwidth(&mut self, owner: &str, q: Q) -> Option<u64> {
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

/// The path of the `name` field of the value at `path` (the file's root
/// value when `path` is empty).
fn name_path(path: &str) -> String {
    if path.is_empty() {
        "name".to_string()
    } else {
        format!("{path}.name")
    }
}

/// Names → first index, reporting duplicates.
fn index_names<'a>(
    v: &mut V,
    kind: &str,
    items: impl Iterator<Item = (&'a str, usize, String)>,
    taken: &mut HashMap<&'a str, (String, usize, String)>,
) -> HashMap<&'a str, usize> {
    let mut map = HashMap::new();
    for (i, (name, file, path)) in items.enumerate() {
        if let Some((other_kind, ofile, opath)) = taken.get(name) {
            v.err(
                Diagnostic::error(
                    "duplicate-name",
                    format!("{kind} `{name}` is defined more than once"),
                )
                .at(file, name_path(&path), "defined again here")
                .also(
                    *ofile,
                    name_path(opath),
                    format!("first defined here (as a {other_kind})"),
                )
                .help("names must be unique; rename one of them"),
            );
            continue;
        }
        taken.insert(name, (kind.to_string(), file, path));
        map.insert(name, i);
    }
    map
}

/// The parsed parts of a requirement with where each came from.
#[derive(Clone, Copy, Default)]
struct ReqSrc<'a> {
    period: Option<Q<'a>>,
    frequency: Option<Q<'a>>,
    window: Option<(Q<'a>, Q<'a>, usize, &'a str)>,
    wcet: Option<Q<'a>>,
    jitter: Option<Q<'a>>,
}

fn window_src<'a>(
    file: usize,
    paths: &'a WindowPaths,
    w: &'a Option<WindowDef>,
) -> Option<(Q<'a>, Q<'a>, usize, &'a str)> {
    w.as_ref().map(|w| {
        (
            Q {
                file,
                path: &paths.start,
                text: &w.start,
            },
            Q {
                file,
                path: &paths.end,
                text: &w.end,
            },
            file,
            paths.window.as_str(),
        )
    })
}

struct WindowPaths {
    window: String,
    start: String,
    end: String,
}

impl WindowPaths {
    fn new(owner: &str) -> Self {
        WindowPaths {
            window: format!("{owner}.window"),
            start: format!("{owner}.window.start"),
            end: format!("{owner}.window.end"),
        }
    }
}

struct FieldPaths {
    owner: String,
    period: String,
    frequency: String,
    wcet: String,
    jitter: String,
    window: WindowPaths,
}

impl FieldPaths {
    fn new(owner: String) -> Self {
        FieldPaths {
            period: format!("{owner}.period"),
            frequency: format!("{owner}.frequency"),
            wcet: format!("{owner}.wcet"),
            jitter: format!("{owner}.max_jitter"),
            window: WindowPaths::new(&owner),
            owner,
        }
    }
}

/// Resolves a program requirement. `what` names the owner in messages.
fn resolve_req(v: &mut V, what: &str, owner: (usize, &str), r: &ReqSrc) -> Option<Requirement> {
    let mut ok = true;
    if let (Some(p), Some(f)) = (r.period, r.frequency) {
        v.err(
            Diagnostic::error(
                "period-and-frequency",
                format!("{what} gives both `period` and `frequency`"),
            )
            .at(f.file, f.path, "frequency given here")
            .also(p.file, p.path, "period given here")
            .help("keep one of them: a frequency F means a period of 1/F"),
        );
        ok = false;
    }
    let period = match (r.period, r.frequency) {
        (Some(p), _) => v.pos_dur(what, "period", p).map(Some),
        (None, Some(f)) => v.period_of_freq(what, f).map(Some),
        (None, None) => Some(None),
    };
    let wcet = r.wcet.and_then(|w| v.pos_dur(what, "wcet", w));
    let jitter = match r.jitter {
        Some(j) => v.dur(what, "max_jitter", j).map(Some),
        None => Some(None),
    };
    let window = match r.window {
        Some((s, e, wf, wp)) => {
            let s2 = v.dur(what, "window.start", s);
            let e2 = v.dur(what, "window.end", e);
            match (s2, e2) {
                (Some(a), Some(b)) => Some(Some((a, b, s, e, wf, wp))),
                _ => None,
            }
        }
        None => Some(None),
    };
    let (Some(period), Some(wcet), Some(jitter), Some(window)) = (period, wcet, jitter, window)
    else {
        return None;
    };
    if !ok {
        return None;
    }
    let wq = r.wcet.expect("wcet parsed");
    let timing = match (period, window) {
        (None, None) => {
            v.err(
                Diagnostic::error(
                    "no-timing",
                    format!("{what} has neither a `period`/`frequency` nor a `window`"),
                )
                .at(owner.0, owner.1, "no timing requirement")
                .help("give `period: \"20ms\"` (runs every period) or `window: Window(start: .., end: ..)` (runs once per major frame)"),
            );
            return None;
        }
        (Some(t), None) => Timing::Periodic {
            period: t,
            window: Window { start: 0, end: t },
        },
        (Some(t), Some((s, e, _, eq, _, _))) => {
            if e > t {
                v.err(
                    Diagnostic::error(
                        "window-outside-period",
                        format!(
                            "{what}: the window ends at {} but the period is only {}",
                            v.tick.format(e),
                            v.tick.format(t)
                        ),
                    )
                    .at(eq.file, eq.path, format!("past the period of {}", v.tick.format(t)))
                    .help("a window is relative to each period's start and must end within the period"),
                );
                return None;
            }
            Timing::Periodic {
                period: t,
                window: Window { start: s, end: e },
            }
        }
        (None, Some((s, e, _, _, _, _))) => Timing::Once {
            window: Window { start: s, end: e },
        },
    };
    let w = timing.window();
    if w.start > w.end {
        let (_, _, sq, eq, _, _) = window.expect("window given");
        v.err(
            Diagnostic::error(
                "window-inverted",
                format!(
                    "{what}: the window starts at {} after it ends at {}",
                    v.tick.format(w.start),
                    v.tick.format(w.end)
                ),
            )
            .at(sq.file, sq.path, "start")
            .also(eq.file, eq.path, "end"),
        );
        return None;
    }
    if wcet > w.end - w.start {
        let mut d = Diagnostic::error(
            "wcet-exceeds-window",
            format!(
                "{what}: wcet {} is longer than its window of {}",
                v.tick.format(wcet),
                v.tick.format(w.end - w.start)
            ),
        )
        .at(
            wq.file,
            wq.path,
            format!("{} does not fit", v.tick.format(wcet)),
        );
        if let Some((_, _, _, _, wf, wp)) = window {
            d = d.also(
                wf,
                wp,
                format!("window of {}", v.tick.format(w.end - w.start)),
            );
        } else if let Some(p) = r.period.or(r.frequency) {
            d = d.also(p.file, p.path, "the window is the whole period");
        }
        v.err(d.help("shorten the wcet or widen the window"));
        return None;
    }
    Some(Requirement {
        timing,
        wcet,
        max_jitter: jitter,
    })
}

/// Checked least common multiple within 63 bits.
pub fn checked_lcm(a: u64, b: u64) -> Option<u64> {
    if a == 0 || b == 0 {
        return None;
    }
    let g = num_integer::gcd(a, b);
    let l = (a / g).checked_mul(b)?;
    (l <= MAX_FRAME).then_some(l)
}

/// Validates the parsed files. `sys_file` and each mode's file index refer
/// to the caller's list of sources, for diagnostics.
pub fn validate(
    sys: &SystemFile,
    sys_file: usize,
    modes: &[(usize, ModeFile)],
    limits: Limits,
) -> Result<System, Vec<Diagnostic>> {
    validate_partial(sys, sys_file, modes, &[], limits)
}

/// [`validate`], knowing that some mode files could not be parsed: `broken`
/// holds the name each of them seems to have (`None` if it could not be
/// read). A transition naming such a mode is not reported again: the error is
/// in that file, which the caller reports.
pub fn validate_partial(
    sys: &SystemFile,
    sys_file: usize,
    modes: &[(usize, ModeFile)],
    broken: &[Option<String>],
    limits: Limits,
) -> Result<System, Vec<Diagnostic>> {
    let excused = |name: &str| {
        broken
            .iter()
            .any(|b| b.as_deref().is_none_or(|b| b == name))
    };
    let f = sys_file;
    // Job and instance indices are 32-bit.
    let limits = Limits {
        max_jobs: limits.max_jobs.min(u64::from(u32::MAX)),
    };
    let mut v = V {
        diags: Vec::new(),
        tick: Tick::micro(),
        unavail_reported: Default::default(),
    };
    if let Some(t) = &sys.tick {
        match Tick::parse(t) {
            Ok(t) => v.tick = t,
            Err(e) => {
                let q = Q {
                    file: f,
                    path: "tick",
                    text: t,
                };
                v.unit_err("the system", "tick", q, e);
            }
        }
    }

    // ---- nodes
    let mut taken: HashMap<&str, (String, usize, String)> = HashMap::new();
    let module_paths: Vec<String> = (0..sys.modules.len())
        .map(|i| format!("modules[{i}]"))
        .collect();
    let module_ix = index_names(
        &mut v,
        "module",
        sys.modules
            .iter()
            .zip(&module_paths)
            .map(|(m, p)| (m.name.as_str(), f, p.clone())),
        &mut taken,
    );
    let switch_paths: Vec<String> = (0..sys.switches.len())
        .map(|i| format!("switches[{i}]"))
        .collect();
    // switches are plain strings: the "name" path suffix falls back to the string itself
    let switch_ix = index_names(
        &mut v,
        "switch",
        sys.switches
            .iter()
            .zip(&switch_paths)
            .map(|(s, p)| (s.as_str(), f, p.clone())),
        &mut taken,
    );
    let mut modules = Vec::new();
    for (i, m) in sys.modules.iter().enumerate() {
        let owner = format!("module `{}`", m.name);
        let p = &module_paths[i];
        let cores =
            if m.cores == 0 {
                v.err(
                    Diagnostic::error("zero-cores", format!("{owner} has zero cores")).at(
                        f,
                        format!("{p}.cores"),
                        "must be at least 1",
                    ),
                );
                0
            } else if m.cores > u64::from(u16::MAX) {
                v.err(
                    Diagnostic::error("too-many-cores", format!("{owner} has {} cores", m.cores))
                        .at(f, format!("{p}.cores"), "at most 65535 cores per module"),
                );
                0
            } else {
                m.cores as u32
            };
        let mp = format!("{p}.memory");
        let memory = match units::parse_size(&m.memory) {
            Ok(0) => {
                v.err(
                    Diagnostic::error("zero-memory", format!("{owner} has zero memory"))
                        .at(f, &mp, "must be positive")
                        .help("give the module's memory, e.g. \"256MiB\""),
                );
                0
            }
            Ok(b) => b,
            Err(e) => {
                v.unit_err(
                    &owner,
                    "memory",
                    Q {
                        file: f,
                        path: &mp,
                        text: &m.memory,
                    },
                    e,
                );
                0
            }
        };
        modules.push(Module {
            name: m.name.clone(),
            cores,
            memory,
        });
    }
    let mut nodes: Vec<Node> = sys
        .modules
        .iter()
        .enumerate()
        .map(|(i, m)| Node {
            name: m.name.clone(),
            module: Some(i),
        })
        .collect();
    nodes.extend(sys.switches.iter().map(|s| Node {
        name: s.clone(),
        module: None,
    }));
    let node_of = |name: &str| -> Option<usize> {
        module_ix
            .get(name)
            .copied()
            .or_else(|| switch_ix.get(name).map(|s| sys.modules.len() + s))
    };

    // ---- links
    let mut links = Vec::new();
    let mut link_ok = true;
    let mut pairs: HashMap<(usize, usize), usize> = HashMap::new();
    for (i, l) in sys.links.iter().enumerate() {
        let p = format!("links[{i}]");
        let owner = format!("link {} from `{}` to `{}`", i + 1, l.from, l.to);
        let a = node_of(&l.from);
        let b = node_of(&l.to);
        for (end, name, node) in [("from", &l.from, a), ("to", &l.to, b)] {
            if node.is_none() {
                v.err(undefined(
                    f,
                    format!("{p}.{end}"),
                    "module or switch",
                    name,
                    &owner,
                    all_names(&nodes),
                ));
                link_ok = false;
            }
        }
        let bw = v.bandwidth(
            &owner,
            Q {
                file: f,
                path: &format!("{p}.bandwidth"),
                text: &l.bandwidth,
            },
        );
        let lat = match &l.latency {
            Some(t) => v.dur(
                &owner,
                "latency",
                Q {
                    file: f,
                    path: &format!("{p}.latency"),
                    text: t,
                },
            ),
            None => Some(0),
        };
        let (Some(a), Some(b)) = (a, b) else { continue };
        if a == b {
            v.err(
                Diagnostic::error("self-link", format!("{owner} joins `{}` to itself", l.from))
                    .at(f, format!("{p}.to"), "same node as `from`")
                    .help("a link joins two distinct nodes"),
            );
            link_ok = false;
            continue;
        }
        let key = (a.min(b), a.max(b));
        if let Some(&first) = pairs.get(&key) {
            v.err(
                Diagnostic::error(
                    "duplicate-link",
                    format!(
                        "`{}` and `{}` are joined by more than one link",
                        l.from, l.to
                    ),
                )
                .at(f, &p, "second link")
                .also(f, format!("links[{first}]"), "first link")
                .help("at most one link joins two nodes; give one link the combined bandwidth"),
            );
            link_ok = false;
            continue;
        }
        pairs.insert(key, i);
        if let (Some(bw), Some(lat)) = (bw, lat) {
            links.push(Link {
                a,
                b,
                bandwidth: bw,
                latency: lat,
            });
        } else {
            link_ok = false;
        }
    }
    let network = Network::new(nodes, links);
    if link_ok && v.diags.iter().all(|d| d.code != "duplicate-name") {
        let pairs = network.unreachable_pairs();
        if !pairs.is_empty() {
            let shown: Vec<String> = pairs
                .iter()
                .take(5)
                .map(|&(a, b)| format!("`{}`–`{}`", modules[a].name, modules[b].name))
                .collect();
            let (a, b) = pairs[0];
            v.err(
                Diagnostic::error(
                    "disconnected",
                    format!(
                        "the network does not connect every two modules: no route for {}{}",
                        shown.join(", "),
                        if pairs.len() > 5 {
                            format!(" and {} more pairs", pairs.len() - 5)
                        } else {
                            String::new()
                        }
                    ),
                )
                .at(f, format!("modules[{a}].name"), "cannot reach ...")
                .also(f, format!("modules[{b}].name"), "... this module")
                .note("routes pass through switches only; a module does not forward traffic")
                .help("add links so that every module reaches every other through switches"),
            );
        }
    }

    // ---- migration parameters
    let mig = sys.migration.clone().unwrap_or_default();
    let size_or =
        |v: &mut V, field: &str, text: &Option<String>, default: u64, zero_ok: bool| -> u64 {
            match text {
                Some(t) => v
                    .size(
                        "`migration`",
                        field,
                        Q {
                            file: f,
                            path: &format!("migration.{field}"),
                            text: t,
                        },
                        zero_ok,
                    )
                    .unwrap_or(default),
                None => default,
            }
        };
    let page_size = size_or(&mut v, "page_size", &mig.page_size, 4096, false);
    let cpu_state = size_or(&mut v, "cpu_state", &mig.cpu_state, 16 << 10, false);
    let chunk = size_or(&mut v, "chunk", &mig.chunk, 64 << 10, false);
    let stop_below = size_or(&mut v, "stop_below", &mig.stop_below, 256 << 10, true);
    let max_rounds = match mig.max_rounds {
        Some(0) => {
            v.err(
                Diagnostic::error(
                    "zero-quantity",
                    "`migration`: `max_rounds` must be at least 1",
                )
                .at(f, "migration.max_rounds", "must be at least 1"),
            );
            1
        }
        Some(r) if r > 1000 => {
            v.err(
                Diagnostic::error(
                    "quantity-overflow",
                    "`migration`: `max_rounds` is too large",
                )
                .at(f, "migration.max_rounds", "at most 1000"),
            );
            1000
        }
        Some(r) => r as u32,
        None => 5,
    };
    let fault_handling = match &mig.fault_handling {
        Some(t) => v
            .dur(
                "`migration`",
                "fault_handling",
                Q {
                    file: f,
                    path: "migration.fault_handling",
                    text: t,
                },
            )
            .unwrap_or(0),
        // 20 µs, rounded up to whole ticks
        None => 20_000u64.div_ceil(v.tick.ns),
    };
    let migration = MigrationParams {
        page_size,
        cpu_state,
        chunk,
        max_rounds,
        stop_below,
        fault_handling,
    };

    // ---- programs
    let prog_paths: Vec<FieldPaths> = (0..sys.programs.len())
        .map(|i| FieldPaths::new(format!("programs[{i}]")))
        .collect();
    let program_ix = index_names(
        &mut v,
        "program",
        sys.programs
            .iter()
            .zip(&prog_paths)
            .map(|(p, fp)| (p.name.as_str(), f, fp.owner.clone())),
        &mut taken,
    );
    let mut programs: Vec<Option<Program>> = Vec::new();
    for (i, p) in sys.programs.iter().enumerate() {
        programs.push(program(
            &mut v,
            f,
            p,
            &prog_paths[i],
            &module_ix,
            &modules,
            &sys.modules,
        ));
    }

    // ---- messages
    let msg_paths: Vec<String> = (0..sys.messages.len())
        .map(|i| format!("messages[{i}]"))
        .collect();
    let message_ix = index_names(
        &mut v,
        "message",
        sys.messages
            .iter()
            .zip(&msg_paths)
            .map(|(m, p)| (m.name.as_str(), f, p.clone())),
        &mut taken,
    );
    let mut messages: Vec<Option<Message>> = Vec::new();
    for (i, m) in sys.messages.iter().enumerate() {
        let p = &msg_paths[i];
        let owner = format!("message `{}`", m.name);
        let mut ok = true;
        let from = program_ix.get(m.from.as_str()).copied();
        if from.is_none() {
            v.err(undefined(
                f,
                format!("{p}.from"),
                "program",
                &m.from,
                &owner,
                sys.programs.iter().map(|p| p.name.clone()).collect(),
            ));
            ok = false;
        }
        let mut to = Vec::new();
        if m.to.is_empty() {
            v.err(
                Diagnostic::error("no-receivers", format!("{owner} has no receivers"))
                    .at(f, format!("{p}.to"), "empty list")
                    .help("name at least one receiving program"),
            );
            ok = false;
        }
        for (j, r) in m.to.iter().enumerate() {
            let rp = format!("{p}.to[{j}]");
            match program_ix.get(r.as_str()) {
                None => {
                    v.err(undefined(
                        f,
                        rp,
                        "program",
                        r,
                        &owner,
                        sys.programs.iter().map(|p| p.name.clone()).collect(),
                    ));
                    ok = false;
                }
                Some(&rid) if Some(rid) == from => {
                    v.err(
                        Diagnostic::error("message-to-sender", format!("{owner} is sent by `{r}` to itself"))
                            .at(f, rp, "the sender")
                            .also(f, format!("{p}.from"), "sent by")
                            .help("a message goes to other programs; a program needs no message to itself"),
                    );
                    ok = false;
                }
                Some(&rid) if to.contains(&rid) => {
                    v.err(
                        Diagnostic::error(
                            "duplicate-receiver",
                            format!("{owner} names receiver `{r}` twice"),
                        )
                        .at(f, rp, "named again"),
                    );
                    ok = false;
                }
                Some(&rid) => to.push(rid),
            }
        }
        let size = v.size(
            &owner,
            "size",
            Q {
                file: f,
                path: &format!("{p}.size"),
                text: &m.size,
            },
            false,
        );
        let fp = FieldPaths::new(p.clone());
        if m.period.is_some() && m.frequency.is_some() {
            v.err(
                Diagnostic::error(
                    "period-and-frequency",
                    format!("{owner} gives both `period` and `frequency`"),
                )
                .at(f, &fp.frequency, "frequency given here")
                .also(f, &fp.period, "period given here")
                .help("keep one of them: a frequency F means a period of 1/F"),
            );
            ok = false;
        }
        let period = match (&m.period, &m.frequency) {
            (Some(t), _) => v
                .pos_dur(
                    &owner,
                    "period",
                    Q {
                        file: f,
                        path: &fp.period,
                        text: t,
                    },
                )
                .map(Some),
            (None, Some(t)) => v
                .period_of_freq(
                    &owner,
                    Q {
                        file: f,
                        path: &fp.frequency,
                        text: t,
                    },
                )
                .map(Some),
            _ => Some(None),
        };
        let window = match &m.window {
            Some(w) => {
                let s = v.dur(
                    &owner,
                    "window.start",
                    Q {
                        file: f,
                        path: &fp.window.start,
                        text: &w.start,
                    },
                );
                let e = v.dur(
                    &owner,
                    "window.end",
                    Q {
                        file: f,
                        path: &fp.window.end,
                        text: &w.end,
                    },
                );
                match (s, e) {
                    (Some(s), Some(e)) if s > e => {
                        v.err(
                            Diagnostic::error(
                                "window-inverted",
                                format!("{owner}: the window starts after it ends"),
                            )
                            .at(f, &fp.window.start, "start")
                            .also(f, &fp.window.end, "end"),
                        );
                        None
                    }
                    (Some(s), Some(e)) => Some(Some(Window { start: s, end: e })),
                    _ => None,
                }
            }
            None => Some(None),
        };
        if let (Some(Some(t)), Some(Some(w))) = (period, window)
            && w.end > t
        {
            v.err(
                Diagnostic::error(
                    "window-outside-period",
                    format!(
                        "{owner}: the window ends at {} but the period is only {}",
                        v.tick.format(w.end),
                        v.tick.format(t)
                    ),
                )
                .at(f, &fp.window.end, "past the period"),
            );
            ok = false;
        }
        match (ok, from, size, period, window) {
            (true, Some(from), Some(size), Some(period), Some(window)) => {
                messages.push(Some(Message {
                    name: m.name.clone(),
                    from,
                    to,
                    size,
                    period,
                    window,
                    precedence: m.precedence,
                }))
            }
            _ => messages.push(None),
        }
    }

    // ---- modes
    let mut mode_taken: HashMap<&str, (String, usize, String)> = HashMap::new();
    let mode_ix = index_names(
        &mut v,
        "mode",
        modes
            .iter()
            .map(|(mf, m)| (m.name.as_str(), *mf, String::new())),
        &mut mode_taken,
    );
    let mut out_modes = Vec::new();
    for (mf, m) in modes {
        if let Some(mode) = mode(
            &mut v,
            *mf,
            m,
            sys,
            f,
            &program_ix,
            &message_ix,
            &module_ix,
            &programs,
            &messages,
            &modules,
            &prog_paths,
            limits,
        ) {
            out_modes.push(mode);
        }
    }

    // ---- transitions
    let mut transitions = Vec::new();
    let mut transition_src: Vec<usize> = Vec::new();
    match &sys.transitions {
        Some(list) => {
            for (i, (a, b)) in list.iter().enumerate() {
                let p = format!("transitions[{i}]");
                let owner = format!("transition ({a:?}, {b:?})");
                let mode_names: Vec<String> = modes.iter().map(|(_, m)| m.name.clone()).collect();
                let ia = mode_ix.get(a.as_str()).copied();
                let ib = mode_ix.get(b.as_str()).copied();
                if ia.is_none() && !excused(a) {
                    v.err(undefined(
                        f,
                        format!("{p}.0"),
                        "mode",
                        a,
                        &owner,
                        mode_names.clone(),
                    ));
                }
                if ib.is_none() && !excused(b) {
                    v.err(undefined(
                        f,
                        format!("{p}.1"),
                        "mode",
                        b,
                        &owner,
                        mode_names,
                    ));
                }
                if a == b {
                    v.err(
                        Diagnostic::error(
                            "self-transition",
                            format!("{owner} names the same mode twice"),
                        )
                        .at(f, &p, "from and to are the same mode")
                        .help("a transition joins two different modes"),
                    );
                    continue;
                }
                if let (Some(x), Some(y)) = (ia, ib) {
                    if let Some(j) = transitions.iter().position(|&t| t == (x, y)) {
                        v.err(
                            Diagnostic::error(
                                "duplicate-transition",
                                format!("{owner} is listed twice"),
                            )
                            .at(f, &p, "listed again")
                            .also(
                                f,
                                format!("transitions[{}]", transition_src[j]),
                                "first listed here",
                            ),
                        );
                    } else {
                        transitions.push((x, y));
                        transition_src.push(i);
                    }
                }
            }
        }
        None => {
            for a in 0..modes.len() {
                for b in 0..modes.len() {
                    if a != b {
                        transitions.push((a, b));
                    }
                }
            }
        }
    }

    if !v.diags.is_empty() {
        return Err(v.diags);
    }
    // Modes are indexed in file order; every mode validated, so indices agree.
    Ok(System {
        name: sys.name.clone(),
        tick: v.tick,
        modules,
        switches: sys.switches.clone(),
        network,
        migration,
        programs: programs
            .into_iter()
            .map(|p| p.expect("no errors"))
            .collect(),
        messages: messages
            .into_iter()
            .map(|m| m.expect("no errors"))
            .collect(),
        modes: out_modes,
        transitions,
    })
}

fn all_names(nodes: &[Node]) -> Vec<String> {
    nodes.iter().map(|n| n.name.clone()).collect()
}

/// "did you mean" by edit distance, for undefined names.
pub(crate) fn closest<'a>(name: &str, candidates: &'a [String]) -> Option<&'a str> {
    fn dist(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for i in 1..=a.len() {
            let mut cur = vec![i; b.len() + 1];
            for j in 1..=b.len() {
                let c = usize::from(a[i - 1] != b[j - 1]);
                cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + c);
            }
            prev = cur;
        }
        prev[b.len()]
    }
    // Bounded work: the edit distance is at least the difference in length,
    // so a candidate whose length is too far off is skipped without the
    // quadratic search, and names longer than `LONGEST` get no suggestion.
    const LONGEST: usize = 256;
    let len = name.chars().count();
    if len > LONGEST {
        return None;
    }
    candidates
        .iter()
        .filter(|c| {
            let cl = c.chars().count();
            cl <= LONGEST && len.abs_diff(cl) <= 2.max(c.len() / 3)
        })
        .map(|c| (dist(name, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .fold(
            None,
            |best: Option<(usize, Option<&str>)>, (d, c)| match best {
                Some((b, _)) if d > b => best,
                // a tie: no single suggestion
                Some((b, _)) if d == b => Some((b, None)),
                _ => Some((d, Some(c.as_str()))),
            },
        )
        .and_then(|(_, c)| c)
}

fn undefined(
    file: usize,
    path: String,
    kind: &str,
    name: &str,
    owner: &str,
    mut candidates: Vec<String>,
) -> Diagnostic {
    candidates.sort();
    candidates.dedup();
    let d = Diagnostic::error(
        "undefined-reference",
        format!("{owner} refers to {kind} `{name}`, which is not defined"),
    )
    .at(file, path, format!("no {kind} of this name"));
    match closest(name, &candidates) {
        Some(c) => d.help(format!("did you mean `{c}`?")),
        None if candidates.is_empty() => d.help(format!("no {kind} is defined")),
        None => {
            let list: Vec<&String> = candidates.iter().collect();
            let shown: Vec<String> = list.iter().take(8).map(|s| format!("`{s}`")).collect();
            d.help(format!(
                "defined: {}{}",
                shown.join(", "),
                if list.len() > 8 { ", …" } else { "" }
            ))
        }
    }
}

fn program(
    v: &mut V,
    f: usize,
    p: &ProgramDef,
    fp: &FieldPaths,
    module_ix: &HashMap<&str, usize>,
    modules: &[Module],
    raw_modules: &[crate::raw::ModuleDef],
) -> Option<Program> {
    let owner = format!("program `{}`", p.name);
    let o = &fp.owner;
    let memory = v.size(
        &owner,
        "memory",
        Q {
            file: f,
            path: &format!("{o}.memory"),
            text: &p.memory,
        },
        false,
    );
    let src = ReqSrc {
        period: p.period.as_deref().map(|t| Q {
            file: f,
            path: &fp.period,
            text: t,
        }),
        frequency: p.frequency.as_deref().map(|t| Q {
            file: f,
            path: &fp.frequency,
            text: t,
        }),
        window: window_src(f, &fp.window, &p.window),
        wcet: Some(Q {
            file: f,
            path: &fp.wcet,
            text: &p.wcet,
        }),
        jitter: p.max_jitter.as_deref().map(|t| Q {
            file: f,
            path: &fp.jitter,
            text: t,
        }),
    };
    let req = resolve_req(v, &owner, (f, o), &src);
    let mut ok = true;
    let (allowed, explicit) = match &p.modules {
        None => ((0..raw_modules.len()).collect::<Vec<_>>(), false),
        Some(list) => {
            if list.is_empty() {
                v.err(
                    Diagnostic::error(
                        "no-allowed-modules",
                        format!("{owner} may run on no module"),
                    )
                    .at(f, format!("{o}.modules"), "empty list")
                    .help("leave `modules` out to allow every module, or name at least one"),
                );
                ok = false;
            }
            let mut out = Vec::new();
            for (j, name) in list.iter().enumerate() {
                match module_ix.get(name.as_str()) {
                    Some(&m) => {
                        if !out.contains(&m) {
                            out.push(m);
                        }
                    }
                    None => {
                        v.err(undefined(
                            f,
                            format!("{o}.modules[{j}]"),
                            "module",
                            name,
                            &owner,
                            raw_modules.iter().map(|m| m.name.clone()).collect(),
                        ));
                        ok = false;
                    }
                }
            }
            out.sort_unstable();
            (out, true)
        }
    };
    let ws = match &p.working_set {
        Some(t) => v.size(
            &owner,
            "working_set",
            Q {
                file: f,
                path: &format!("{o}.working_set"),
                text: t,
            },
            true,
        ),
        None => memory,
    };
    let dirty = match &p.dirty_per_job {
        Some(t) => v.size(
            &owner,
            "dirty_per_job",
            Q {
                file: f,
                path: &format!("{o}.dirty_per_job"),
                text: t,
            },
            true,
        ),
        None => ws,
    };
    let unavail = match &p.max_unavailability {
        Some(t) => v
            .pos_dur(
                &owner,
                "max_unavailability",
                Q {
                    file: f,
                    path: &format!("{o}.max_unavailability"),
                    text: t,
                },
            )
            .map(Some),
        None => Some(None),
    };
    if let Some(mem) = memory {
        if let Some(w) = ws
            && p.working_set.is_some()
            && w > mem
        {
            v.err(
                Diagnostic::error(
                    "working-set-above-memory",
                    format!(
                        "{owner}: `working_set` {} is larger than its memory {}",
                        units::format_size(w),
                        units::format_size(mem)
                    ),
                )
                .at(f, format!("{o}.working_set"), "larger than `memory`")
                .also(f, format!("{o}.memory"), "the program's memory"),
            );
            ok = false;
        }
        // `dirty_per_job` lies inside the working set (§4, "Changes"
        // 2026-12): the dirty set is capped by `W`, so a larger `D` is
        // an input error, not silently capped. A working set that is
        // itself above memory is reported above; do not pile on.
        if let (Some(d), Some(w)) = (dirty, ws)
            && p.dirty_per_job.is_some()
            && d > w
            && w <= mem
        {
            let given = p.working_set.is_some();
            let d = Diagnostic::error(
                "dirty-above-working-set",
                format!(
                    "{owner}: `dirty_per_job` {} is larger than its working set {}{}",
                    units::format_size(d),
                    units::format_size(w),
                    if given {
                        ""
                    } else {
                        " (`working_set` defaults to `memory`)"
                    }
                ),
            )
            .at(f, format!("{o}.dirty_per_job"), "larger than `working_set`");
            let d = if given {
                d.also(f, format!("{o}.working_set"), "the program's working set")
            } else {
                d.also(
                    f,
                    format!("{o}.memory"),
                    "the working set defaults to this memory",
                )
            };
            v.err(d.help(
                "a job's writes lie in its working set: lower `dirty_per_job`, or raise `working_set`",
            ));
            ok = false;
        }
        let biggest = allowed
            .iter()
            .filter_map(|&m| modules.get(m))
            .map(|m| m.memory)
            .max();
        if let Some(big) = biggest
            && big > 0
            && mem > big
        {
            let d = Diagnostic::error(
                "program-too-large",
                format!(
                    "{owner} needs {} of memory, more than any module it may use has (largest: {})",
                    units::format_size(mem),
                    units::format_size(big)
                ),
            )
            .at(
                f,
                format!("{o}.memory"),
                "does not fit in any allowed module",
            );
            let d = if explicit {
                d.also(f, format!("{o}.modules"), "allowed modules")
                    .help("allow a larger module, or reduce the program's memory")
            } else {
                d.help("add a module with more memory, or reduce the program's memory")
            };
            v.err(d);
            ok = false;
        }
    }
    // `max_unavailability` is checked against the effective period in
    // every mode the program runs in (an override may change the period).
    if !ok {
        return None;
    }
    Some(Program {
        name: p.name.clone(),
        memory: memory?,
        working_set: ws?,
        dirty_per_job: dirty?,
        max_unavailability: unavail?,
        modules: allowed,
        modules_explicit: explicit,
        requirement: req?,
    })
}

fn unavail_below(
    tick: Tick,
    owner: &str,
    u: Ticks,
    t: Ticks,
    what: &str,
    at: (usize, String),
    also: Option<(usize, String)>,
) -> Diagnostic {
    let mut d = Diagnostic::error(
        "unavailability-below-period",
        format!(
            "{owner}: `max_unavailability` {} is below its {what} {}: no table can meet it",
            tick.format(u),
            tick.format(t)
        ),
    )
    .at(
        at.0,
        at.1,
        format!("below the {what} of {}", tick.format(t)),
    );
    if let Some((f, p)) = also {
        d = d.also(f, p, format!("{what} set here"));
    }
    d.note("in a repeated table, consecutive completions of a program can be a whole period apart")
        .help(format!(
            "raise `max_unavailability` to at least {}",
            tick.format(t)
        ))
}

#[allow(clippy::too_many_arguments)]
fn mode(
    v: &mut V,
    mf: usize,
    m: &ModeFile,
    sys: &SystemFile,
    f: usize,
    program_ix: &HashMap<&str, usize>,
    message_ix: &HashMap<&str, usize>,
    module_ix: &HashMap<&str, usize>,
    programs: &[Option<Program>],
    messages: &[Option<Message>],
    modules: &[Module],
    prog_paths: &[FieldPaths],
    limits: Limits,
) -> Option<Mode> {
    let owner = format!("mode `{}`", m.name);
    let errors_before = v.diags.len();
    let mut ok = true;
    // `major_frame` is parsed first, so that its own errors are reported even
    // when other errors of the mode stop the checks before the frame.
    let stated_frame = match &m.major_frame {
        Some(t) => {
            let q = Q {
                file: mf,
                path: "major_frame",
                text: t,
            };
            // Too long for 63 bits and too long for 64 bits read the same.
            let too_long = matches!(v.tick.duration(t), Err(UnitError::Overflow));
            match if too_long {
                Some(u64::MAX)
            } else {
                v.pos_dur(&owner, "major_frame", q)
            } {
                Some(hf) if hf > MAX_FRAME => {
                    v.err(
                        Diagnostic::error(
                            "quantity-overflow",
                            format!("{owner}: `major_frame` \"{t}\" is too long: it must fit in 63 bits of ticks"),
                        )
                        .at(mf, "major_frame", "too long")
                        .help(format!(
                            "a major frame must be at most {} ticks of {} (2^63 - 1)",
                            MAX_FRAME, v.tick.text
                        )),
                    );
                    ok = false;
                    None
                }
                Some(hf) => Some(hf),
                None => {
                    ok = false;
                    None
                }
            }
        }
        None => None,
    };
    if m.programs.is_empty() {
        v.err(
            Diagnostic::error("empty-mode", format!("{owner} runs no program"))
                .at(mf, "programs", "empty list")
                .help("name the programs that run in this mode"),
        );
        return None;
    }
    let prog_names: Vec<String> = sys.programs.iter().map(|p| p.name.clone()).collect();
    let mut slot: Vec<Option<u32>> = vec![None; sys.programs.len()];
    let mut members: Vec<ProgramId> = Vec::new();
    let mut first_path: HashMap<ProgramId, usize> = HashMap::new();
    for (i, name) in m.programs.iter().enumerate() {
        let p = format!("programs[{i}]");
        match program_ix.get(name.as_str()) {
            None => {
                v.err(undefined(
                    mf,
                    p,
                    "program",
                    name,
                    &owner,
                    prog_names.clone(),
                ));
                ok = false;
            }
            Some(&pid) => {
                if let Some(&j) = first_path.get(&pid) {
                    v.err(
                        Diagnostic::error(
                            "duplicate-in-mode",
                            format!("{owner} lists program `{name}` twice"),
                        )
                        .at(mf, p, "listed again")
                        .also(
                            mf,
                            format!("programs[{j}]"),
                            "first listed here",
                        ),
                    );
                    ok = false;
                    continue;
                }
                first_path.insert(pid, i);
                if programs[pid].is_none() {
                    ok = false; // already reported in the catalogue
                    continue;
                }
                slot[pid] = Some(members.len() as u32);
                members.push(pid);
            }
        }
    }
    // overrides and pins
    let mut override_of: HashMap<ProgramId, usize> = HashMap::new();
    for (i, o) in m.overrides.iter().enumerate() {
        let p = format!("overrides[{i}].program");
        match program_ix.get(o.program.as_str()) {
            None => {
                v.err(undefined(
                    mf,
                    p,
                    "program",
                    &o.program,
                    &format!("an override in {owner}"),
                    prog_names.clone(),
                ));
                ok = false;
            }
            Some(&pid) if !first_path.contains_key(&pid) => {
                v.err(
                    Diagnostic::error(
                        "not-in-mode",
                        format!(
                            "{owner} overrides program `{}`, which does not run in it",
                            o.program
                        ),
                    )
                    .at(mf, p, "not in this mode's `programs`")
                    .help(format!(
                        "add `{}` to the mode's programs, or remove the override",
                        o.program
                    )),
                );
                ok = false;
            }
            Some(&pid) => {
                if let Some(&j) = override_of.get(&pid) {
                    v.err(
                        Diagnostic::error(
                            "duplicate-override",
                            format!("{owner} overrides program `{}` twice", o.program),
                        )
                        .at(mf, p, "second override")
                        .also(mf, format!("overrides[{j}]"), "first override")
                        .help("merge the two overrides into one"),
                    );
                    ok = false;
                } else {
                    override_of.insert(pid, i);
                }
            }
        }
    }
    let mut pin_of: HashMap<ProgramId, (ModuleId, Option<u32>)> = HashMap::new();
    let mut pin_src: HashMap<ProgramId, usize> = HashMap::new();
    for (i, pin) in m.pins.iter().enumerate() {
        let p = format!("pins[{i}]");
        let pid = match program_ix.get(pin.program.as_str()) {
            None => {
                v.err(undefined(
                    mf,
                    format!("{p}.program"),
                    "program",
                    &pin.program,
                    &format!("a pin in {owner}"),
                    prog_names.clone(),
                ));
                ok = false;
                None
            }
            Some(&pid) if !first_path.contains_key(&pid) => {
                v.err(
                    Diagnostic::error(
                        "not-in-mode",
                        format!(
                            "{owner} pins program `{}`, which does not run in it",
                            pin.program
                        ),
                    )
                    .at(
                        mf,
                        format!("{p}.program"),
                        "not in this mode's `programs`",
                    ),
                );
                ok = false;
                None
            }
            Some(&pid) => Some(pid),
        };
        let module = match module_ix.get(pin.module.as_str()) {
            None => {
                v.err(undefined(
                    mf,
                    format!("{p}.module"),
                    "module",
                    &pin.module,
                    &format!("a pin in {owner}"),
                    sys.modules.iter().map(|m| m.name.clone()).collect(),
                ));
                ok = false;
                None
            }
            Some(&mid) => Some(mid),
        };
        let (Some(pid), Some(mid)) = (pid, module) else {
            continue;
        };
        if let Some(&j) = pin_src.get(&pid) {
            v.err(
                Diagnostic::error(
                    "duplicate-pin",
                    format!("{owner} pins program `{}` twice", pin.program),
                )
                .at(mf, &p, "second pin")
                .also(mf, format!("pins[{j}]"), "first pin"),
            );
            ok = false;
            continue;
        }
        pin_src.insert(pid, i);
        if let Some(prog) = &programs[pid]
            && !prog.modules.contains(&mid)
        {
            v.err(
                Diagnostic::error(
                    "pin-not-allowed",
                    format!("{owner} pins `{}` to module `{}`, which is not among the modules it may use", pin.program, pin.module),
                )
                .at(mf, format!("{p}.module"), "not allowed for this program")
                .also(f, format!("{}.modules", prog_paths[pid].owner), "the program's allowed modules")
                .help(format!("pin it to one of its modules, or add `{}` to the program's `modules`", pin.module)),
            );
            ok = false;
            continue;
        }
        if let Some(c) = pin.core
            && c >= u64::from(modules[mid].cores)
        {
            v.err(
                Diagnostic::error(
                    "pin-core-out-of-range",
                    format!(
                        "{owner} pins `{}` to core {c} of module `{}`, which has {} cores (0..{})",
                        pin.program,
                        pin.module,
                        modules[mid].cores,
                        modules[mid].cores.saturating_sub(1)
                    ),
                )
                .at(mf, format!("{p}.core"), "no such core"),
            );
            ok = false;
            continue;
        }
        if let Some(prog) = &programs[pid]
            && prog.memory > modules[mid].memory
        {
            v.err(
                Diagnostic::error(
                    "program-too-large",
                    format!(
                        "{owner} pins `{}` to module `{}`, which has {} of memory; the program needs {}",
                        pin.program,
                        pin.module,
                        units::format_size(modules[mid].memory),
                        units::format_size(prog.memory)
                    ),
                )
                .at(mf, format!("{p}.module"), "too small for this program")
                .help("pin it to a module with enough memory, or reduce the program's memory"),
            );
            ok = false;
            continue;
        }
        pin_of.insert(pid, (mid, pin.core.map(|c| c as u32)));
    }

    // effective requirements
    let mut mode_programs = Vec::new();
    // window end path, period source
    type ReqPath = (usize, String, Option<(usize, String)>);
    let mut req_paths: Vec<ReqPath> = Vec::new();
    for &pid in &members {
        let prog = programs[pid].as_ref().expect("member programs are valid");
        let cp = &prog_paths[pid];
        let (req, window_end, period_at) = match override_of.get(&pid) {
            None => (
                Some(prog.requirement),
                (f, cp.window.end.clone()),
                Some((
                    f,
                    if sys.programs[pid].period.is_some() {
                        cp.period.clone()
                    } else {
                        cp.frequency.clone()
                    },
                )),
            ),
            Some(&oi) => {
                let o = &m.overrides[oi];
                let c = &sys.programs[pid];
                let op = FieldPaths::new(format!("overrides[{oi}]"));
                let rate_from_override = o.period.is_some() || o.frequency.is_some();
                let src = ReqSrc {
                    period: if rate_from_override {
                        o.period.as_deref().map(|t| Q {
                            file: mf,
                            path: &op.period,
                            text: t,
                        })
                    } else {
                        c.period.as_deref().map(|t| Q {
                            file: f,
                            path: &cp.period,
                            text: t,
                        })
                    },
                    frequency: if rate_from_override {
                        o.frequency.as_deref().map(|t| Q {
                            file: mf,
                            path: &op.frequency,
                            text: t,
                        })
                    } else {
                        c.frequency.as_deref().map(|t| Q {
                            file: f,
                            path: &cp.frequency,
                            text: t,
                        })
                    },
                    window: match &o.window {
                        Some(_) => window_src(mf, &op.window, &o.window),
                        None => window_src(f, &cp.window, &c.window),
                    },
                    wcet: Some(match &o.wcet {
                        Some(t) => Q {
                            file: mf,
                            path: &op.wcet,
                            text: t,
                        },
                        None => Q {
                            file: f,
                            path: &cp.wcet,
                            text: &c.wcet,
                        },
                    }),
                    jitter: match &o.max_jitter {
                        Some(t) => Some(Q {
                            file: mf,
                            path: &op.jitter,
                            text: t,
                        }),
                        None => c.max_jitter.as_deref().map(|t| Q {
                            file: f,
                            path: &cp.jitter,
                            text: t,
                        }),
                    },
                };
                let what = format!("program `{}` in {owner}", prog.name);
                let req = resolve_req(v, &what, (mf, &op.owner), &src);
                let end = if o.window.is_some() {
                    (mf, op.window.end.clone())
                } else {
                    (f, cp.window.end.clone())
                };
                let period_at = if rate_from_override {
                    Some((
                        mf,
                        if o.period.is_some() {
                            op.period.clone()
                        } else {
                            op.frequency.clone()
                        },
                    ))
                } else {
                    Some((
                        f,
                        if c.period.is_some() {
                            cp.period.clone()
                        } else {
                            cp.frequency.clone()
                        },
                    ))
                };
                (req, end, period_at)
            }
        };
        let Some(req) = req else {
            ok = false;
            continue;
        };
        if let (Some(u), Some(t)) = (prog.max_unavailability, req.timing.period())
            && u < t
            && v.unavail_reported.insert(pid)
        {
            v.err(unavail_below(
                v.tick.clone(),
                &format!("program `{}` in {owner}", prog.name),
                u,
                t,
                "period",
                (f, format!("{}.max_unavailability", cp.owner)),
                period_at.clone(),
            ));
            ok = false;
        }
        let (pin_module, pin_core) = match pin_of.get(&pid) {
            Some(&(mid, c)) => (Some(mid), c),
            None => (None, None),
        };
        let allowed = match pin_module {
            Some(mid) => vec![mid],
            None => prog.modules.clone(),
        };
        mode_programs.push(ModeProgram {
            program: pid,
            requirement: req,
            pin_module,
            pin_core,
            allowed,
        });
        req_paths.push((window_end.0, window_end.1, period_at));
    }
    if !ok {
        // Keep checking messages for reference errors, but the frame needs
        // every requirement.
    }

    // messages
    let msg_names: Vec<String> = sys.messages.iter().map(|m| m.name.clone()).collect();
    let mut mslot: Vec<Option<u32>> = vec![None; sys.messages.len()];
    let mut mode_msgs: Vec<(MessageId, usize)> = Vec::new();
    for (i, name) in m.messages.iter().enumerate() {
        let p = format!("messages[{i}]");
        let Some(&mid) = message_ix.get(name.as_str()) else {
            v.err(undefined(mf, p, "message", name, &owner, msg_names.clone()));
            ok = false;
            continue;
        };
        if mslot[mid].is_some() || mode_msgs.iter().any(|&(x, _)| x == mid) {
            v.err(
                Diagnostic::error(
                    "duplicate-in-mode",
                    format!("{owner} lists message `{name}` twice"),
                )
                .at(mf, p, "listed again"),
            );
            ok = false;
            continue;
        }
        let Some(msg) = &messages[mid] else {
            ok = false;
            continue;
        };
        let mut missing = Vec::new();
        if !first_path.contains_key(&msg.from) {
            missing.push(format!("its sender `{}`", sys.programs[msg.from].name));
        }
        for &r in &msg.to {
            if !first_path.contains_key(&r) {
                missing.push(format!("its receiver `{}`", sys.programs[r].name));
            }
        }
        if !missing.is_empty() {
            v.err(
                Diagnostic::error(
                    "message-endpoint-missing",
                    format!(
                        "message `{name}` is in {owner} without {}",
                        missing.join(" and ")
                    ),
                )
                .at(mf, p, "its programs do not all run in this mode")
                .help("add the missing programs to the mode, or remove the message from it"),
            );
            ok = false;
            continue;
        }
        mode_msgs.push((mid, i));
    }
    if !ok {
        return None;
    }

    // major frame
    let mut periods: Vec<(Ticks, String)> = Vec::new();
    for mp in &mode_programs {
        if let Some(t) = mp.requirement.timing.period() {
            periods.push((t, format!("program `{}`", sys.programs[mp.program].name)));
        }
    }
    // message timings (before H is known: periodic ones only)
    let sender_timing = |pid: ProgramId| {
        mode_programs[slot[pid].expect("member") as usize]
            .requirement
            .timing
    };
    for &(mid, _) in &mode_msgs {
        let msg = messages[mid].as_ref().expect("valid");
        let period = msg.period.or(sender_timing(msg.from).period());
        if let Some(t) = period {
            periods.push((t, format!("message `{}`", msg.name)));
        }
    }
    let mut lcm: Option<Ticks> = None;
    for (t, who) in &periods {
        lcm = match lcm {
            None => Some(*t),
            Some(l) => match checked_lcm(l, *t) {
                Some(x) => Some(x),
                None => {
                    let mut distinct: Vec<(Ticks, &String)> = Vec::new();
                    for (t, w) in &periods {
                        if !distinct.iter().any(|(x, _)| x == t) {
                            distinct.push((*t, w));
                        }
                    }
                    distinct.sort();
                    let shown: Vec<String> = distinct
                        .iter()
                        .take(10)
                        .map(|(t, w)| format!("{} ({w})", v.tick.format(*t)))
                        .collect();
                    v.err(
                        Diagnostic::error(
                            "lcm-overflow",
                            format!(
                                "{owner}: the least common multiple of its periods does not fit in 63 bits of {} ticks; it overflows when {who} is added",
                                v.tick.text
                            ),
                        )
                        .at(mf, "name", "major frame too long")
                        .note(format!("periods: {}", shown.join(", ")))
                        .help("choose periods that are multiples of each other (harmonic periods)"),
                    );
                    return None;
                }
            },
        };
    }
    let h = match (&m.major_frame, lcm) {
        (Some(_), l) => {
            let hf = stated_frame?;
            if let Some(l) = l
                && hf % l != 0
            {
                v.err(
                    Diagnostic::error(
                        "major-frame-not-multiple",
                        format!(
                            "{owner}: `major_frame` {} is not a multiple of {}, the least common multiple of its periods",
                            v.tick.format(hf),
                            v.tick.format(l)
                        ),
                    )
                    .at(mf, "major_frame", format!("not a multiple of {}", v.tick.format(l)))
                    .help(format!("use a multiple of {}, or leave `major_frame` out", v.tick.format(l))),
                );
                return None;
            }
            hf
        }
        (None, Some(l)) => l,
        (None, None) => {
            v.err(
                Diagnostic::error(
                    "no-major-frame",
                    format!(
                        "{owner} has no periodic program or message, so it must state `major_frame`"
                    ),
                )
                .at(mf, "name", "no major frame")
                .help("add `major_frame: \"100ms\"` (long enough for every window)"),
            );
            return None;
        }
    };
    // once-per-frame windows inside the frame; unavailability of once programs
    for (k, mp) in mode_programs.iter().enumerate() {
        let name = &sys.programs[mp.program].name;
        if let Timing::Once { window } = mp.requirement.timing {
            if window.end > h {
                let (wf, wp, _) = &req_paths[k];
                v.err(
                    Diagnostic::error(
                        "window-outside-frame",
                        format!(
                            "program `{name}` in {owner}: its window ends at {}, after the major frame of {}",
                            v.tick.format(window.end),
                            v.tick.format(h)
                        ),
                    )
                    .at(*wf, wp.clone(), format!("past the frame of {}", v.tick.format(h)))
                    .also(
                        mf,
                        format!("programs[{}]", first_path.get(&mp.program).copied().unwrap_or(0)),
                        format!("runs in this mode, whose major frame is {}", v.tick.format(h)),
                    )
                    .help("end the window within the major frame, or set a longer `major_frame`"),
                );
                ok = false;
            }
            if let Some(u) = programs[mp.program]
                .as_ref()
                .and_then(|p| p.max_unavailability)
                && u < h
            {
                v.err(unavail_below(
                    v.tick.clone(),
                    &format!("program `{name}` in {owner}"),
                    u,
                    h,
                    "major frame (it runs once per frame)",
                    (
                        f,
                        format!("{}.max_unavailability", prog_paths[mp.program].owner),
                    ),
                    None,
                ));
                ok = false;
            }
        }
    }
    let mut mode_messages = Vec::new();
    for &(mid, i) in &mode_msgs {
        let msg = messages[mid].as_ref().expect("valid");
        let st = sender_timing(msg.from);
        let period = msg.period.or(st.period());
        let timing = match period {
            Some(t) => {
                let w = msg.window.unwrap_or(Window { start: 0, end: t });
                if w.end > t {
                    let mp = format!("messages[{mid}].window.end");
                    v.err(
                        Diagnostic::error(
                            "window-outside-period",
                            format!(
                                "message `{}` in {owner}: its window ends at {} but its period (the sender's) is {}",
                                msg.name,
                                v.tick.format(w.end),
                                v.tick.format(t)
                            ),
                        )
                        .at(f, mp, "past the period")
                        .also(mf, format!("messages[{i}]"), "in this mode"),
                    );
                    ok = false;
                    continue;
                }
                Timing::Periodic {
                    period: t,
                    window: w,
                }
            }
            None => {
                let w = msg.window.unwrap_or(Window { start: 0, end: h });
                if w.end > h {
                    v.err(
                        Diagnostic::error(
                            "window-outside-frame",
                            format!(
                                "message `{}` in {owner}: its window ends at {}, after the major frame of {}",
                                msg.name,
                                v.tick.format(w.end),
                                v.tick.format(h)
                            ),
                        )
                        .at(f, format!("messages[{mid}].window.end"), "past the frame")
                        .also(mf, format!("messages[{i}]"), "in this mode"),
                    );
                    ok = false;
                    continue;
                }
                Timing::Once { window: w }
            }
        };
        let same = std::iter::once(msg.from)
            .chain(msg.to.iter().copied())
            .all(|p| sender_timing(p).period() == timing.period());
        let precedence = match msg.precedence {
            Some(true) if !same => {
                let mut parts = vec![format!(
                    "message {}",
                    timing
                        .period()
                        .map_or("once per frame".to_string(), |t| v.tick.format(t))
                )];
                for p in std::iter::once(msg.from).chain(msg.to.iter().copied()) {
                    parts.push(format!(
                        "`{}` {}",
                        sys.programs[p].name,
                        sender_timing(p)
                            .period()
                            .map_or("once per frame".to_string(), |t| v.tick.format(t))
                    ));
                }
                v.err(
                    Diagnostic::error(
                        "precedence-period-mismatch",
                        format!(
                            "message `{}` asks for precedence in {owner}, but its sender, receivers and itself do not share one period ({})",
                            msg.name,
                            parts.join(", ")
                        ),
                    )
                    .at(f, format!("messages[{mid}].precedence"), "precedence asked for here")
                    .also(mf, format!("messages[{i}]"), "in this mode")
                    .help("give them the same period in this mode, or write `precedence: false`"),
                );
                ok = false;
                continue;
            }
            Some(b) => b,
            None => same,
        };
        mslot[mid] = Some(mode_messages.len() as u32);
        mode_messages.push(ModeMessage {
            message: mid,
            timing,
            precedence,
        });
    }
    // job limits
    let jobs: u128 = mode_programs
        .iter()
        .map(|mp| u128::from(mp.requirement.timing.count(h)))
        .sum();
    let insts: u128 = mode_messages
        .iter()
        .map(|mm| u128::from(mm.timing.count(h)))
        .sum();
    for (what, count, entities) in [
        (
            "jobs",
            jobs,
            mode_programs
                .iter()
                .map(|mp| {
                    (
                        mp.requirement.timing,
                        format!("program `{}`", sys.programs[mp.program].name),
                    )
                })
                .collect::<Vec<_>>(),
        ),
        (
            "message instances",
            insts,
            mode_messages
                .iter()
                .map(|mm| {
                    (
                        mm.timing,
                        format!("message `{}`", sys.messages[mm.message].name),
                    )
                })
                .collect::<Vec<_>>(),
        ),
    ] {
        if count > u128::from(limits.max_jobs) {
            let mut blame: Vec<(u64, &String, Timing)> =
                entities.iter().map(|(t, w)| (t.count(h), w, *t)).collect();
            blame.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
            let shown: Vec<String> = blame
                .iter()
                .take(5)
                .map(|(c, w, t)| {
                    format!(
                        "{w} with period {}: {c}",
                        t.period().map_or("-".into(), |p| v.tick.format(p))
                    )
                })
                .collect();
            v.err(
                Diagnostic::error(
                    "too-many-jobs",
                    format!(
                        "{owner} has {count} {what} in its major frame of {}, more than the limit of {}",
                        v.tick.format(h),
                        limits.max_jobs
                    ),
                )
                .at(mf, if m.major_frame.is_some() { "major_frame" } else { "name" }, "major frame")
                .note(format!("most {what}: {}", shown.join("; ")))
                .help("use harmonic periods so the major frame stays short, or raise the limit with `--max-jobs`"),
            );
            ok = false;
        }
    }
    if !ok || v.diags.len() > errors_before {
        return None;
    }
    Some(Mode {
        name: m.name.clone(),
        file: mf,
        programs: mode_programs,
        messages: mode_messages,
        major_frame: h,
        job_count: jobs as u64,
        instance_count: insts as u64,
        program_slot: slot,
        message_slot: mslot,
    })
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn closest_suggests_one_name_or_none() {
        let names: Vec<String> = ["m1", "m2", "sensor", "logger"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(closest("sensr", &names), Some("sensor"));
        assert_eq!(closest("loger", &names), Some("logger"));
        // `m3` is as close to `m1` as to `m2`: no single suggestion
        assert_eq!(closest("m3", &names), None);
        assert_eq!(closest("display", &names), None);
    }
}
