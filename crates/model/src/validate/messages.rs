//! The message catalogue: sender, receivers, size and the message's own
//! period and window.

use super::names::{index_names, undefined};
use super::quantity::{Q, V};
use super::timing::FieldPaths;
use crate::diag::Diagnostic;
use crate::raw::SystemFile;
use crate::system::{Message, Window};
use std::collections::HashMap;

/// Checks every message of `sys` (file `f`): the name index and each message
/// (`None` when it had an error).
pub(super) fn messages<'a>(
    v: &mut V,
    sys: &'a SystemFile,
    f: usize,
    program_ix: &HashMap<&str, usize>,
    taken: &mut HashMap<&'a str, (String, usize, String)>,
) -> (HashMap<&'a str, usize>, Vec<Option<Message>>) {
    let msg_paths: Vec<String> = (0..sys.messages.len())
        .map(|i| format!("messages[{i}]"))
        .collect();
    let message_ix = index_names(
        v,
        "message",
        sys.messages
            .iter()
            .zip(&msg_paths)
            .map(|(m, p)| (m.name.as_str(), f, p.clone())),
        taken,
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
    (message_ix, messages)
}
