//! One mode: its programs, overrides and pins, messages, the major frame
//! and the job limits.

use super::names::undefined;
use super::quantity::{Q, V};
use super::timing::{FieldPaths, ReqSrc, resolve_req, unavail_below, window_src};
use super::{Limits, MAX_FRAME, checked_lcm};
use crate::diag::Diagnostic;
use crate::raw::{ModeFile, SystemFile};
use crate::system::*;
use crate::units::{self, UnitError};
use std::collections::HashMap;

/// Checks one mode (file `mf`) against the catalogue: `None` when it has an
/// error, reported into `v`.
#[allow(clippy::too_many_arguments)]
pub(super) fn mode(
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
