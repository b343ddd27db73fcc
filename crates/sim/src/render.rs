//! A readable event list.

use std::fmt::Write as _;

use seamless_model::System;

use crate::{Trace, What};

/// `ticks` as milliseconds, exactly (`12.345678ms`, trailing zeros cut).
fn ms(ticks: u64, tick_ns: u64) -> String {
    let ns = u128::from(ticks) * u128::from(tick_ns);
    let whole = ns / 1_000_000;
    let frac = ns % 1_000_000;
    if frac == 0 {
        return format!("{whole}ms");
    }
    let f = format!("{frac:06}");
    format!("{whole}.{}ms", f.trim_end_matches('0'))
}

/// One line per event, in time order: the instant in ticks and in ms, the
/// module or switch, and what happened. A header names the switch; the
/// system is used for the tick length.
pub fn render_trace(system: &System, trace: &Trace) -> String {
    let ns = system.tick.ns;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "simulated switch {} → {} (tick {}), requested at {} ({}), until {} ({})",
        trace.from,
        trace.to,
        trace.tick,
        trace.request,
        ms(trace.request, ns),
        trace.horizon,
        ms(trace.horizon, ns)
    );
    let width = trace.events.iter().map(|e| e.node.len()).max().unwrap_or(0);
    for e in &trace.events {
        let what = match &e.what {
            What::JobStart {
                core,
                program,
                job,
                end,
            } => format!("core {core}: start `{program}` #{job} until {end}"),
            What::JobEnd { core, program, job } => format!("core {core}: end `{program}` #{job}"),
            What::JobSkipped { core, program, job } => {
                format!("core {core}: skip `{program}` #{job}")
            }
            What::SlotStart {
                link,
                message,
                frame,
                instance,
                end,
            } => format!("{link}: send `{message}` frame {frame} #{instance} until {end}"),
            What::SlotEnd {
                link,
                message,
                frame,
                instance,
            } => format!("{link}: sent `{message}` frame {frame} #{instance}"),
            What::Request { to } => format!("request switch to `{to}`"),
            What::TransitionBegin { switch, b_start } => {
                format!("transition committed: switch point {switch}, new table at {b_start}")
            }
            What::SwitchPoint => "switch point: the old table stops".to_string(),
            What::Stop { program } => format!("stop `{program}`"),
            What::Suspend { program } => format!("suspend `{program}`"),
            What::SendChunk {
                program,
                link,
                bytes,
                end,
            } => format!("{link}: send chunk of `{program}`, {bytes} B, until {end}"),
            What::Resume { program } => format!("resume `{program}`"),
            What::ModeStart { mode } => format!("mode `{mode}` starts"),
            What::TransitionComplete => "transition complete".to_string(),
            What::ForwardMessage { message, link, end } => {
                format!("{link}: forward `{message}` until {end}")
            }
            What::ForwardChunk {
                program,
                link,
                bytes,
                end,
            } => format!("{link}: forward chunk of `{program}`, {bytes} B, until {end}"),
            What::ChunkArrived { program, bytes } => {
                format!("chunk of `{program}` arrived, {bytes} B")
            }
        };
        let _ = writeln!(
            out,
            "{:>12} {:>16}  {:<width$}  {what}",
            e.at,
            ms(e.at, ns),
            e.node
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::ms;

    #[test]
    fn ms_is_exact() {
        assert_eq!(ms(0, 1000), "0ms");
        assert_eq!(ms(20_000, 1000), "20ms");
        assert_eq!(ms(12_345, 1000), "12.345ms");
        assert_eq!(ms(1, 1), "0.000001ms");
        assert_eq!(ms(3, 10_000), "0.03ms");
    }
}
