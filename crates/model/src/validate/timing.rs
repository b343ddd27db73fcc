//! Timing requirements (period or frequency, window, wcet, jitter) of a
//! program, in the catalogue or as overridden in a mode, and the
//! `max_unavailability` bound against them.

use super::quantity::{Q, V};
use crate::diag::Diagnostic;
use crate::raw::WindowDef;
use crate::system::{Requirement, Ticks, Timing, Window};
use crate::units::Tick;

/// The parsed parts of a requirement with where each came from.
#[derive(Clone, Copy, Default)]
pub(super) struct ReqSrc<'a> {
    pub(super) period: Option<Q<'a>>,
    pub(super) frequency: Option<Q<'a>>,
    pub(super) window: Option<(Q<'a>, Q<'a>, usize, &'a str)>,
    pub(super) wcet: Option<Q<'a>>,
    pub(super) jitter: Option<Q<'a>>,
}

pub(super) fn window_src<'a>(
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

pub(super) struct WindowPaths {
    pub(super) window: String,
    pub(super) start: String,
    pub(super) end: String,
}

impl WindowPaths {
    pub(super) fn new(owner: &str) -> Self {
        WindowPaths {
            window: format!("{owner}.window"),
            start: format!("{owner}.window.start"),
            end: format!("{owner}.window.end"),
        }
    }
}

pub(super) struct FieldPaths {
    pub(super) owner: String,
    pub(super) period: String,
    pub(super) frequency: String,
    pub(super) wcet: String,
    pub(super) jitter: String,
    pub(super) window: WindowPaths,
}

impl FieldPaths {
    pub(super) fn new(owner: String) -> Self {
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
pub(super) fn resolve_req(
    v: &mut V,
    what: &str,
    owner: (usize, &str),
    r: &ReqSrc,
) -> Option<Requirement> {
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

pub(super) fn unavail_below(
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
