//! Properties of the model crate's loader, validator and expansion:
//!
//! - random corruptions of the valid example systems (`modes/tutorial`,
//!   `modes/iss`) give `Ok` or `Err(diagnostics)`, never a panic, and every
//!   diagnostic renders with a `--> file:line:col`;
//! - the job and instance counts and the major frame of every mode equal what
//!   is computed here independently (from the raw files for the examples, from
//!   the generator's own parameters for random valid systems);
//! - a program's job windows tile its frame in order;
//! - `checked_lcm` is a common multiple, the least one, and `None` exactly
//!   when the lcm does not fit in 63 bits.

use proptest::prelude::*;
use seamless_model::diag::render;
use seamless_model::expand::expand;
use seamless_model::load::{load, order_files};
use seamless_model::raw::{ModeFile, SystemFile, ron_options};
use seamless_model::units::Tick;
use seamless_model::validate::{Limits, checked_lcm};
use seamless_model::{Diagnostic, SourceFile, System, Timing};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

// ---------------------------------------------------------------- sources

/// Reads a system folder (relative to the repository root) in loader order.
fn read_folder(folder: &str) -> Vec<SourceFile> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("dir entry").path();
        if path.extension().is_some_and(|x| x == "ron") {
            let name = format!("{folder}/{}", path.file_name().unwrap().to_str().unwrap());
            let text = std::fs::read_to_string(&path).expect("readable");
            files.push(SourceFile { name, text });
        }
    }
    order_files(files).expect("a system.ron")
}

fn examples() -> &'static [Vec<SourceFile>; 2] {
    static EX: OnceLock<[Vec<SourceFile>; 2]> = OnceLock::new();
    EX.get_or_init(|| [read_folder("modes/tutorial"), read_folder("modes/iss")])
}

// ---------------------------------------------------------------- rendering

/// Every diagnostic, rendered alone, has a `--> file:line:col` line naming one
/// of the sources, with a line inside that file. Returns the problem, if any.
fn check_rendering(diags: &[Diagnostic], files: &[SourceFile]) -> Result<(), String> {
    if diags.is_empty() {
        return Err("Err with no diagnostic".into());
    }
    let all = render(diags, files);
    let headers = all
        .lines()
        .filter(|l| l.starts_with("error[") || l.starts_with("warning["))
        .count();
    // render shows a bounded number per code and counts the rest in a note
    let hidden: usize = all
        .lines()
        .filter_map(|l| l.strip_prefix("note: "))
        .filter(|l| l.ends_with(" not shown"))
        .filter_map(|l| l.split_whitespace().next()?.parse::<usize>().ok())
        .sum();
    if headers + hidden != diags.len() {
        return Err(format!(
            "{} diagnostics but {headers} headers:\n{all}",
            diags.len()
        ));
    }
    for d in diags {
        let text = render(std::slice::from_ref(d), files);
        let mut located = false;
        for line in text.lines() {
            let Some(at) = line.trim_start().strip_prefix("--> ") else {
                continue;
            };
            let mut parts = at.rsplitn(3, ':');
            let col = parts.next().and_then(|c| c.parse::<usize>().ok());
            let ln = parts.next().and_then(|l| l.parse::<usize>().ok());
            let name = parts.next();
            let (Some(col), Some(ln), Some(name)) = (col, ln, name) else {
                return Err(format!("`-->` without line:col in\n{text}"));
            };
            let Some(src) = files.iter().find(|f| f.name == name) else {
                return Err(format!("`-->` names an unknown file in\n{text}"));
            };
            if ln == 0 || col == 0 || ln > src.text.lines().count() + 1 {
                return Err(format!("`-->` at {ln}:{col}, outside the file, in\n{text}"));
            }
            located = true;
        }
        if !located {
            return Err(format!("no `--> file:line:col` in\n{text}"));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- corruptions

#[derive(Debug, Clone)]
enum Corruption {
    /// Delete `len` bytes at a position.
    Delete { file: usize, at: usize, len: usize },
    /// Insert characters at a position.
    Insert {
        file: usize,
        at: usize,
        text: String,
    },
    /// Swap two tokens.
    Swap { file: usize, a: usize, b: usize },
    /// Replace one quantity string's contents by junk.
    Quantity {
        file: usize,
        which: usize,
        junk: String,
    },
    /// Duplicate a line.
    DupLine { file: usize, line: usize },
}

fn corruption() -> impl Strategy<Value = Corruption> {
    let file = any::<usize>();
    prop_oneof![
        (file, any::<usize>(), 1usize..60).prop_map(|(file, at, len)| Corruption::Delete {
            file,
            at,
            len
        }),
        (
            file,
            any::<usize>(),
            "[(){}\\[\\]:,\"/*a-z0-9._ \n-]{1,6}|\\PC{1,4}"
        )
            .prop_map(|(file, at, text)| Corruption::Insert { file, at, text }),
        (file, any::<usize>(), any::<usize>()).prop_map(|(file, a, b)| Corruption::Swap {
            file,
            a,
            b
        }),
        (file, any::<usize>(), "[0-9a-zA-Z./ -]{0,12}|\\PC{0,6}")
            .prop_map(|(file, which, junk)| Corruption::Quantity { file, which, junk }),
        (file, any::<usize>()).prop_map(|(file, line)| Corruption::DupLine { file, line }),
    ]
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Byte ranges of rough tokens: string literals, words, single punctuation.
fn tokens(s: &str) -> Vec<std::ops::Range<usize>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'/' && b.get(i + 1) == Some(&b'/') {
            // a comment: not a token
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'"' {
            let start = i;
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += 1;
            }
            i = (i + 1).min(b.len());
            out.push(start..i);
        } else if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.') {
                i += 1;
            }
            out.push(start..i);
        } else {
            let start = i;
            i += 1;
            while i < b.len() && !s.is_char_boundary(i) {
                i += 1;
            }
            out.push(start..i);
        }
    }
    out
}

/// Apply a corruption to copies of the files.
fn corrupt(files: &[SourceFile], c: &Corruption) -> Vec<SourceFile> {
    let mut out = files.to_vec();
    let pick = |f: usize| f % files.len();
    match c {
        Corruption::Delete { file, at, len } => {
            let t = &mut out[pick(*file)].text;
            let a = floor_boundary(t, at % (t.len() + 1));
            let e = floor_boundary(t, a + len);
            t.replace_range(a..e, "");
        }
        Corruption::Insert { file, at, text } => {
            let t = &mut out[pick(*file)].text;
            let a = floor_boundary(t, at % (t.len() + 1));
            t.insert_str(a, text);
        }
        Corruption::Swap { file, a, b } => {
            let t = &mut out[pick(*file)].text;
            let toks = tokens(t);
            if toks.len() >= 2 {
                let (x, y) = (toks[a % toks.len()].clone(), toks[b % toks.len()].clone());
                let (x, y) = if x.start <= y.start { (x, y) } else { (y, x) };
                if x.end <= y.start {
                    let s = format!(
                        "{}{}{}{}{}",
                        &t[..x.start],
                        &t[y.clone()],
                        &t[x.end..y.start],
                        &t[x.clone()],
                        &t[y.end..]
                    );
                    *t = s;
                }
            }
        }
        Corruption::Quantity { file, which, junk } => {
            let t = &mut out[pick(*file)].text;
            let quantities: Vec<_> = tokens(t)
                .into_iter()
                .filter(|r| t[r.clone()].len() > 2 && t.as_bytes()[r.start + 1].is_ascii_digit())
                .collect();
            if !quantities.is_empty() {
                let r = quantities[which % quantities.len()].clone();
                t.replace_range(r.start + 1..r.end - 1, junk);
            }
        }
        Corruption::DupLine { file, line } => {
            let t = &mut out[pick(*file)].text;
            let lines: Vec<&str> = t.split_inclusive('\n').collect();
            let k = line % lines.len().max(1);
            let mut s = String::with_capacity(t.len() + 80);
            for (i, l) in lines.iter().enumerate() {
                s.push_str(l);
                if i == k {
                    if !l.ends_with('\n') {
                        s.push('\n');
                    }
                    s.push_str(l);
                }
            }
            *t = s;
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn corrupted_examples_never_panic(which in 0usize..2, cs in prop::collection::vec(corruption(), 1..3)) {
        let mut files = examples()[which].clone();
        for c in &cs {
            files = corrupt(&files, c);
        }
        match load(&files, Limits::default()) {
            Ok(system) => {
                // still valid: the invariants expansion relies on hold
                for mode in &system.modes {
                    prop_assert_eq!(expand(mode).jobs.len() as u64, mode.job_count);
                }
            }
            Err(diags) => {
                if let Err(e) = check_rendering(&diags, &files) {
                    prop_assert!(false, "{}", e);
                }
            }
        }
    }
}

#[test]
fn the_examples_load() {
    for files in examples() {
        if let Err(d) = load(files, Limits::default()) {
            panic!("{}", render(&d, files));
        }
    }
}

#[test]
fn corruption_helpers_change_the_text() {
    let files = &examples()[0];
    let sys = 0;
    let swapped = corrupt(
        files,
        &Corruption::Swap {
            file: sys,
            a: 3,
            b: 40,
        },
    );
    assert_ne!(swapped[sys].text, files[sys].text);
    let q = corrupt(
        files,
        &Corruption::Quantity {
            file: sys,
            which: 0,
            junk: "zz".into(),
        },
    );
    assert!(q[sys].text.contains("\"zz\""));
    assert!(load(&q, Limits::default()).is_err());
    let dup = corrupt(files, &Corruption::DupLine { file: sys, line: 3 });
    assert_eq!(
        dup[sys].text.lines().count(),
        files[sys].text.lines().count() + 1
    );
}

// ---------------------------------------------------------------- counts from the raw files

fn gcd(a: u128, b: u128) -> u128 {
    if b == 0 { a } else { gcd(b, a % b) }
}

fn lcm(a: u128, b: u128) -> u128 {
    a / gcd(a, b) * b
}

/// Per mode: (major frame, jobs, instances), computed from the raw files with
/// only the unit parser of the model crate.
fn counts_from_raw(files: &[SourceFile]) -> BTreeMap<String, (u128, u128, u128)> {
    let sys: SystemFile = ron_options()
        .from_str(&files[0].text)
        .expect("system parses");
    let tick = Tick::parse(sys.tick.as_deref().unwrap_or("1us")).expect("tick");
    let rate = |period: &Option<String>, freq: &Option<String>| -> Option<u128> {
        match (period, freq) {
            (Some(p), _) => Some(u128::from(tick.duration(p).expect("period"))),
            (None, Some(f)) => Some(u128::from(tick.frequency_period(f).expect("frequency"))),
            (None, None) => None,
        }
    };
    let mut out = BTreeMap::new();
    for f in &files[1..] {
        let mode: ModeFile = ron_options().from_str(&f.text).expect("mode parses");
        let mut period_of: BTreeMap<&str, Option<u128>> = BTreeMap::new();
        for name in &mode.programs {
            let p = sys
                .programs
                .iter()
                .find(|p| &p.name == name)
                .expect("program");
            let mut t = rate(&p.period, &p.frequency);
            if let Some(o) = mode.overrides.iter().find(|o| &o.program == name)
                && (o.period.is_some() || o.frequency.is_some())
            {
                t = rate(&o.period, &o.frequency);
            }
            period_of.insert(name, t);
        }
        let msg_periods: Vec<Option<u128>> = mode
            .messages
            .iter()
            .map(|name| {
                let m = sys
                    .messages
                    .iter()
                    .find(|m| &m.name == name)
                    .expect("message");
                rate(&m.period, &m.frequency).or(period_of[m.from.as_str()])
            })
            .collect();
        let h = match &mode.major_frame {
            Some(t) => u128::from(tick.duration(t).expect("major_frame")),
            None => period_of
                .values()
                .chain(&msg_periods)
                .flatten()
                .fold(1, |a, &t| lcm(a, t)),
        };
        let count = |t: &Option<u128>| t.map_or(1, |t| h / t);
        let jobs = period_of.values().map(count).sum();
        let insts = msg_periods.iter().map(count).sum();
        out.insert(mode.name.clone(), (h, jobs, insts));
    }
    out
}

fn counts_of(system: &System) -> BTreeMap<String, (u128, u128, u128)> {
    system
        .modes
        .iter()
        .map(|m| {
            (
                m.name.clone(),
                (
                    u128::from(m.major_frame),
                    u128::from(m.job_count),
                    u128::from(m.instance_count),
                ),
            )
        })
        .collect()
}

/// Every program's jobs: indices 0..n in order, window k at k·T + (s, e),
/// n·T = H; a once-per-frame program has one job at its window.
fn check_tiling(system: &System) -> Result<(), String> {
    for mode in &system.modes {
        let e = expand(mode);
        if e.jobs.len() as u64 != mode.job_count {
            return Err(format!(
                "{}: {} jobs expanded, job_count {}",
                mode.name,
                e.jobs.len(),
                mode.job_count
            ));
        }
        for (s, mp) in mode.programs.iter().enumerate() {
            let jobs = e.jobs_of(s);
            let name = &system.programs[mp.program].name;
            match mp.requirement.timing {
                Timing::Periodic { period, window } => {
                    if jobs.len() as u64 * period != mode.major_frame {
                        return Err(format!(
                            "{}/{name}: {} jobs of {period} in {}",
                            mode.name,
                            jobs.len(),
                            mode.major_frame
                        ));
                    }
                    for (k, j) in jobs.iter().enumerate() {
                        let base = k as u64 * period;
                        if j.index as usize != k
                            || j.release != base + window.start
                            || j.deadline != base + window.end
                        {
                            return Err(format!("{}/{name}: job {k} is {j:?}", mode.name));
                        }
                    }
                }
                Timing::Once { window } => {
                    if jobs.len() != 1
                        || jobs[0].release != window.start
                        || jobs[0].deadline != window.end
                    {
                        return Err(format!(
                            "{}/{name}: once-per-frame jobs {jobs:?}",
                            mode.name
                        ));
                    }
                }
            }
        }
        for (s, _) in mode.messages.iter().enumerate() {
            let n = e.instances_of(s).len() as u64;
            if n != mode.messages[s].timing.count(mode.major_frame) {
                return Err(format!("{}: message slot {s} has {n} instances", mode.name));
            }
        }
    }
    Ok(())
}

#[test]
fn example_counts_match_an_independent_computation() {
    for files in examples() {
        let system =
            load(files, Limits::default()).unwrap_or_else(|d| panic!("{}", render(&d, files)));
        let expected = counts_from_raw(files);
        assert_eq!(expected.len(), system.modes.len());
        assert_eq!(counts_of(&system), expected, "{}", files[0].name);
        check_tiling(&system).unwrap();
    }
}

// ---------------------------------------------------------------- random valid systems

/// Periods (ms) that are each a whole number of Hz, so either form can be
/// written.
const PERIODS_MS: [u64; 10] = [1, 2, 4, 5, 10, 20, 25, 40, 50, 100];

#[derive(Debug, Clone)]
struct GenProgram {
    /// Period in us, or `None` for once per frame.
    period: Option<u64>,
    as_frequency: bool,
    wcet: u64,
    /// Explicit window (us), if written.
    window: Option<(u64, u64)>,
}

#[derive(Debug, Clone)]
struct GenMessage {
    from: usize,
    to: usize,
    period: Option<u64>,
}

#[derive(Debug, Clone)]
struct GenMode {
    programs: Vec<usize>,
    messages: Vec<usize>,
    /// program → overriding period (us)
    overrides: Vec<(usize, u64)>,
    frame_factor: Option<u64>,
}

#[derive(Debug, Clone)]
struct GenSystem {
    modules: usize,
    programs: Vec<GenProgram>,
    messages: Vec<GenMessage>,
    modes: Vec<GenMode>,
}

fn gen_program() -> impl Strategy<Value = GenProgram> {
    (
        any::<bool>(),
        0usize..PERIODS_MS.len(),
        any::<bool>(),
        any::<u64>(),
        any::<u64>(),
        any::<u64>(),
        0u8..4,
    )
        .prop_map(|(periodic, pi, as_frequency, w, s, e, shape)| {
            if periodic || shape == 0 {
                let p = PERIODS_MS[pi] * 1000;
                let wcet = 1 + w % (p / 10);
                let window = (shape >= 2).then(|| {
                    let start = s % (p - wcet + 1);
                    let end = start + wcet + e % (p - start - wcet + 1);
                    (start, end)
                });
                GenProgram {
                    period: Some(p),
                    as_frequency,
                    wcet,
                    window,
                }
            } else {
                // once per frame, inside the first millisecond (≤ every frame)
                let wcet = 1 + w % 100;
                let start = s % 500;
                let end = start + wcet + e % (1000 - start - wcet + 1);
                GenProgram {
                    period: None,
                    as_frequency: false,
                    wcet,
                    window: Some((start, end)),
                }
            }
        })
}

fn gen_system() -> impl Strategy<Value = GenSystem> {
    (1usize..=3, prop::collection::vec(gen_program(), 1..=6)).prop_flat_map(
        |(modules, programs)| {
            let n = programs.len();
            // a message needs two distinct programs: none when there is one program
            let messages = prop::collection::vec(
                (
                    0..n,
                    any::<usize>(),
                    prop::option::of(0usize..PERIODS_MS.len()),
                ),
                0..=3,
            )
            .prop_map(move |raw| {
                raw.into_iter()
                    .filter(|_| n >= 2)
                    .map(|(from, d, p)| GenMessage {
                        from,
                        to: (from + 1 + d % (n - 1)) % n,
                        period: p.map(|i| PERIODS_MS[i] * 1000),
                    })
                    .collect::<Vec<_>>()
            });
            let modes = prop::collection::vec(
                (
                    1u64..(1 << n),
                    any::<u64>(),
                    prop::collection::vec((0..n, 0usize..PERIODS_MS.len()), 0..3),
                    prop::option::of(1u64..=3),
                ),
                1..=3,
            );
            (Just(modules), Just(programs), messages, modes).prop_map(
                |(modules, programs, messages, raw_modes)| {
                    let modes = raw_modes
                        .into_iter()
                        .map(|(mask, msg_mask, ovs, frame_factor)| {
                            let members: Vec<usize> =
                                (0..programs.len()).filter(|i| mask >> i & 1 == 1).collect();
                            let msgs: Vec<usize> = (0..messages.len())
                                .filter(|&i| msg_mask >> i & 1 == 1)
                                .filter(|&i| {
                                    members.contains(&messages[i].from)
                                        && members.contains(&messages[i].to)
                                })
                                .collect();
                            let mut overrides: Vec<(usize, u64)> = Vec::new();
                            for (p, pi) in ovs {
                                let t = PERIODS_MS[pi] * 1000;
                                let prog = &programs[p];
                                if members.contains(&p)
                                    && prog.period.is_some()
                                    && prog.window.is_none()
                                    && prog.wcet <= t
                                    && !overrides.iter().any(|(q, _)| *q == p)
                                {
                                    overrides.push((p, t));
                                }
                            }
                            GenMode {
                                programs: members,
                                messages: msgs,
                                overrides,
                                frame_factor,
                            }
                        })
                        .collect();
                    GenSystem {
                        modules,
                        programs,
                        messages,
                        modes,
                    }
                },
            )
        },
    )
}

fn dur(us: u64) -> String {
    format!("{us}us")
}

/// The system's files.
fn write_system(g: &GenSystem) -> Vec<SourceFile> {
    let mut s = String::from("System(\n    name: \"gen\",\n    modules: [\n");
    for m in 0..g.modules {
        s += &format!("        Module(name: \"m{m}\", cores: 2, memory: \"64MiB\"),\n");
    }
    s += "    ],\n    switches: [\"sw\"],\n    links: [\n";
    for m in 0..g.modules {
        s += &format!("        Link(from: \"m{m}\", to: \"sw\", bandwidth: \"100Mbit/s\"),\n");
    }
    s += "    ],\n    programs: [\n";
    for (i, p) in g.programs.iter().enumerate() {
        s += &format!(
            "        Program(name: \"p{i}\", memory: \"1MiB\", wcet: \"{}\"",
            dur(p.wcet)
        );
        if let Some(t) = p.period {
            if p.as_frequency {
                s += &format!(", frequency: \"{}Hz\"", 1_000_000 / t);
            } else {
                s += &format!(", period: \"{}\"", dur(t));
            }
        }
        if let Some((a, b)) = p.window {
            s += &format!(
                ", window: Window(start: \"{}\", end: \"{}\")",
                dur(a),
                dur(b)
            );
        }
        s += "),\n";
    }
    s += "    ],\n    messages: [\n";
    for (i, m) in g.messages.iter().enumerate() {
        s += &format!(
            "        Message(name: \"x{i}\", from: \"p{}\", to: [\"p{}\"], size: \"64B\"",
            m.from, m.to
        );
        if let Some(t) = m.period {
            s += &format!(", period: \"{}\"", dur(t));
        }
        // precedence left to its default: it never asks for what cannot hold
        s += "),\n";
    }
    s += "    ],\n)\n";
    let mut files = vec![SourceFile {
        name: "gen/system.ron".into(),
        text: s,
    }];
    for (k, mode) in g.modes.iter().enumerate() {
        let progs: Vec<String> = mode.programs.iter().map(|p| format!("\"p{p}\"")).collect();
        let msgs: Vec<String> = mode.messages.iter().map(|m| format!("\"x{m}\"")).collect();
        let mut t = format!(
            "Mode(\n    name: \"mode{k}\",\n    programs: [{}],\n    messages: [{}],\n",
            progs.join(", "),
            msgs.join(", ")
        );
        if !mode.overrides.is_empty() {
            t += "    overrides: [\n";
            for (p, per) in &mode.overrides {
                t += &format!(
                    "        Override(program: \"p{p}\", period: \"{}\"),\n",
                    dur(*per)
                );
            }
            t += "    ],\n";
        }
        if let Some(h) = expected_frame(g, mode).1 {
            t += &format!("    major_frame: \"{}\",\n", dur(h));
        }
        t += ")\n";
        files.push(SourceFile {
            name: format!("gen/mode{k}.ron"),
            text: t,
        });
    }
    files
}

fn effective_period(g: &GenSystem, mode: &GenMode, p: usize) -> Option<u64> {
    mode.overrides
        .iter()
        .find(|(q, _)| *q == p)
        .map(|(_, t)| *t)
        .or(g.programs[p].period)
}

/// (H, the `major_frame` to write, if any).
fn expected_frame(g: &GenSystem, mode: &GenMode) -> (u64, Option<u64>) {
    let mut l: Option<u64> = None;
    let periods = mode
        .programs
        .iter()
        .map(|&p| effective_period(g, mode, p))
        .chain(mode.messages.iter().map(|&m| {
            g.messages[m]
                .period
                .or(effective_period(g, mode, g.messages[m].from))
        }));
    for t in periods.flatten() {
        l = Some(l.map_or(t, |l| (lcm(u128::from(l), u128::from(t))) as u64));
    }
    match (l, mode.frame_factor) {
        (Some(l), Some(k)) => (l * k, Some(l * k)),
        (Some(l), None) => (l, None),
        // no periodic entity: a frame must be stated (every once window is in the first ms)
        (None, k) => {
            let h = 1000 * k.unwrap_or(1);
            (h, Some(h))
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn generated_systems_validate_with_the_expected_counts(g in gen_system()) {
        let files = write_system(&g);
        let system = match load(&files, Limits::default()) {
            Ok(s) => s,
            Err(d) => {
                let text: String = files.iter().map(|f| format!("{}:\n{}\n", f.name, f.text)).collect();
                return Err(TestCaseError::fail(format!("{}\n{text}", render(&d, &files))));
            }
        };
        prop_assert_eq!(system.modes.len(), g.modes.len());
        for (mode, gm) in system.modes.iter().zip(&g.modes) {
            let (h, _) = expected_frame(&g, gm);
            prop_assert_eq!(mode.major_frame, h);
            let jobs: u64 = gm.programs.iter().map(|&p| effective_period(&g, gm, p).map_or(1, |t| h / t)).sum();
            let insts: u64 = gm
                .messages
                .iter()
                .map(|&m| g.messages[m].period.or(effective_period(&g, gm, g.messages[m].from)).map_or(1, |t| h / t))
                .sum();
            prop_assert_eq!(mode.job_count, jobs);
            prop_assert_eq!(mode.instance_count, insts);
            // the effective requirement is the generated one
            for mp in &mode.programs {
                let p: usize = system.programs[mp.program].name[1..].parse().unwrap();
                let gp = &g.programs[p];
                prop_assert_eq!(mp.requirement.timing.period(), effective_period(&g, gm, p));
                prop_assert_eq!(mp.requirement.wcet, gp.wcet);
                let w = mp.requirement.timing.window();
                let expected_window = gp.window.unwrap_or((0, effective_period(&g, gm, p).unwrap_or(0)));
                prop_assert_eq!((w.start, w.end), expected_window);
            }
        }
        if let Err(e) = check_tiling(&system) {
            prop_assert!(false, "{}", e);
        }
    }
}

// ---------------------------------------------------------------- lcm

proptest! {
    #[test]
    fn lcm_is_the_least_common_multiple_on_small_inputs(a in 1u64..300, b in 1u64..300) {
        let l = checked_lcm(a, b).expect("small inputs fit");
        prop_assert_eq!(l % a, 0);
        prop_assert_eq!(l % b, 0);
        let least = (1..=a * b).find(|m| m % a == 0 && m % b == 0).unwrap();
        prop_assert_eq!(l, least);
        prop_assert_eq!(checked_lcm(b, a), Some(l));
    }

    #[test]
    fn lcm_is_none_exactly_past_63_bits(a in 1u64..=u64::MAX, b in 1u64..=u64::MAX) {
        let exact = lcm(u128::from(a), u128::from(b));
        match checked_lcm(a, b) {
            Some(l) => {
                prop_assert_eq!(u128::from(l), exact);
                prop_assert!(l <= i64::MAX as u64);
            }
            None => prop_assert!(exact > i64::MAX as u128),
        }
    }

    #[test]
    fn lcm_of_multiples(a in 1u64..1_000_000, k in 1u64..1_000_000) {
        prop_assert_eq!(checked_lcm(a, a * k), Some(a * k));
        prop_assert_eq!(checked_lcm(a, a), Some(a));
        prop_assert_eq!(checked_lcm(1, a), Some(a));
    }
}

#[test]
fn lcm_edges() {
    let max = i64::MAX as u64;
    assert_eq!(checked_lcm(max, 1), Some(max));
    assert_eq!(checked_lcm(max, max), Some(max));
    assert_eq!(checked_lcm(max, 2), None);
    assert_eq!(checked_lcm(u64::MAX, 1), None);
    // three primes near 10^7: the lcm-overflow example of modes/invalid
    let two = checked_lcm(9_999_991, 9_999_973).unwrap();
    assert_eq!(checked_lcm(two, 9_999_971), None);
}

// ---------------------------------------------------------------- seamless-gen systems

fn gen_params() -> impl Strategy<Value = seamless_gen::GenParams> {
    (
        (
            any::<u64>(),
            1usize..25,
            1usize..6,
            1u32..4,
            0usize..20,
            1usize..4,
        ),
        (0u32..=100, 0u32..=100, 0u32..=100, 0u32..=100, 0u32..=100),
        (0u32..=100, 0u32..=100, 0u32..=100, 2usize..8, 10u32..=90),
    )
        .prop_map(
            |(
                (seed, programs, modules, cores, messages, modes),
                (mode_share, once, restrict, window, jitter),
                (unavailability, pin, override_percent, switch_ports, utilisation),
            )| seamless_gen::GenParams {
                name: "prop".into(),
                programs,
                modules,
                cores,
                messages,
                modes,
                utilisation_percent: utilisation,
                seed,
                mode_share_percent: mode_share.max(1),
                once_percent: once,
                restrict_percent: restrict,
                window_percent: window,
                jitter_percent: jitter,
                unavailability_percent: unavailability,
                pin_percent: pin,
                override_percent,
                switch_ports,
                ..seamless_gen::GenParams::default()
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 100, ..ProptestConfig::default() })]

    #[test]
    fn seamless_gen_systems_validate(p in gen_params()) {
        let files = seamless_gen::generate(&p).sources();
        let system = match load(&files, Limits::default()) {
            Ok(s) => s,
            Err(d) => return Err(TestCaseError::fail(format!("{p:?}\n{}", render(&d, &files)))),
        };
        prop_assert_eq!(counts_of(&system), counts_from_raw(&files));
        if let Err(e) = check_tiling(&system) {
            prop_assert!(false, "{}", e);
        }
    }

    #[test]
    fn corrupted_gen_systems_never_panic(p in gen_params(), cs in prop::collection::vec(corruption(), 1..3)) {
        let mut files = seamless_gen::generate(&p).sources();
        for c in &cs {
            files = corrupt(&files, c);
        }
        if let Err(diags) = load(&files, Limits::default())
            && let Err(e) = check_rendering(&diags, &files)
        {
            prop_assert!(false, "{}", e);
        }
    }
}
