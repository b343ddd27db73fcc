//! `seamless tables FILE`: a compiled `.tables` file as text.

use super::Failure;
use crate::EXIT_OK;
use seamless_tables::{ActionKind, Tables};
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

/// Reads a `.tables` file written by `seamless compile`, validates it with
/// the runtime's own reader, and prints it.
pub fn tables(out: &mut dyn Write, path: &Path) -> Result<i32, Failure> {
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::Input(format!("error: cannot read `{}`: {e}\n", path.display())))?;
    let t = Tables::parse(&bytes).map_err(|e| {
        Failure::Input(format!(
            "error: `{}` is not a compiled table: {e}\n",
            path.display()
        ))
    })?;
    out.write_all(dump(&t).as_bytes())?;
    Ok(EXIT_OK)
}

/// The text of a parsed table: header, every mode's windows and slots, every
/// transition's actions. Times are in ticks (a transition's relative to its
/// switch point `S`).
pub fn dump(t: &Tables<'_>) -> String {
    let mut s = String::new();
    let prog = |p: u16| t.program_name(p).unwrap_or("?").to_string();
    let msg = |m: u16| t.message_name(m).unwrap_or("?").to_string();
    let link = |l| {
        t.link_index(l)
            .and_then(|i| t.link(i))
            .map_or("?", |l| l.name)
            .to_string()
    };
    let mode = |id| t.mode(id).map_or("?", |m| m.name()).to_string();
    let _ = writeln!(
        s,
        "module `{}` (id {}), {} {}, format version {}",
        t.module_name(),
        t.module_id(),
        t.cores(),
        if t.cores() == 1 { "core" } else { "cores" },
        t.version()
    );
    let _ = writeln!(
        s,
        "{} programs, {} messages, {} outgoing link directions, {} modes, {} transitions",
        t.program_count(),
        t.message_count(),
        t.link_count(),
        t.mode_count(),
        t.transition_count()
    );
    for m in t.modes() {
        let _ = writeln!(
            s,
            "\nmode `{}` (id {}): major frame {} ticks of {} ns",
            m.name(),
            m.id(),
            m.major_frame(),
            m.tick_ns()
        );
        for c in 0..m.cores() {
            let _ = writeln!(s, "  core {c}:");
            for w in m.windows(c).iter() {
                let _ = writeln!(
                    s,
                    "    [{}, {}) {} #{}",
                    w.start,
                    w.end,
                    prog(w.program),
                    w.job
                );
            }
        }
        for l in t.links() {
            let slots = m.slots(l.index);
            if slots.is_empty() {
                continue;
            }
            let _ = writeln!(s, "  link {}:", l.name);
            for x in slots.iter() {
                let _ = writeln!(
                    s,
                    "    [{}, {}) {} #{}",
                    x.start,
                    x.end,
                    msg(x.message),
                    x.instance
                );
            }
        }
    }
    for tr in t.transitions() {
        let _ = writeln!(
            s,
            "\ntransition {} → {}: phi {}, lead {}, complete {} (ticks after S)",
            mode(tr.from()),
            mode(tr.to()),
            tr.phi(),
            tr.lead(),
            tr.complete()
        );
        for a in tr.actions().iter() {
            let what = match a.kind {
                ActionKind::Stop { program } => format!("stop {}", prog(program)),
                ActionKind::Suspend { program } => format!("suspend {}", prog(program)),
                ActionKind::Resume { program } => format!("resume {}", prog(program)),
                ActionKind::SendChunk {
                    program,
                    link: l,
                    bytes,
                    end,
                } => format!(
                    "send a chunk of {} on {}, {bytes} B, until {end}",
                    prog(program),
                    link(l)
                ),
            };
            let _ = writeln!(s, "  at {}: {what}", a.at);
        }
        for k in tr.skips().iter() {
            let _ = writeln!(s, "  skip {} job {} at {}", prog(k.program), k.job, k.at);
        }
        for e in tr.extends().iter() {
            let _ = writeln!(
                s,
                "  extend {} job {} at {} by {}",
                prog(e.program),
                e.job,
                e.at,
                e.extra
            );
        }
    }
    s
}
