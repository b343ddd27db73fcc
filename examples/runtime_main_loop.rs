//! A module's main loop driving the seamless dispatcher with a simulated
//! timer.
//!
//! It builds a small two-core table with the encoder, parses it (as the
//! module would, from flash), then runs the loop: sleep until the next
//! boundary, dispatch, print what runs on each core and what happened. A
//! mode switch `standard → docking` is requested at tick 26; it waits for
//! the next frame boundary of `standard` far enough ahead for the plan's
//! lead (a migration chunk leaves 3 ticks before the switch point), leaves
//! a gap of φ = 2 ticks, skips the migrated program's first job and
//! stretches another job by its page-fault extension.
//!
//! Run with `cargo run --example runtime_main_loop`. The output is
//! deterministic; [`run_main_loop`] returns it line by line so tests can
//! call it (`#[path = "../examples/runtime_main_loop.rs"] mod example;`).

use seamless_runtime::{Dispatcher, Event, SwitchOutcome};
use seamless_tables::{
    Action, ActionKind, ExtendSpec, JobSpec, LinkSlotsSpec, LinkSpec, ModeSpec, ModuleTablesSpec,
    SlotSpec, Tables, TransitionSpec, WindowSpec, encode,
};

const STANDARD: u16 = 1;
const DOCKING: u16 = 2;
const GNC: u16 = 0;
const DISPLAY: u16 = 1;
const LOADER: u16 = 2;

fn w(start: u64, end: u64, program: u16) -> WindowSpec {
    WindowSpec {
        start,
        end,
        program,
    }
}

/// The module's tables as the build tool would produce them (1 tick = 1 ms).
pub fn example_spec() -> ModuleTablesSpec {
    ModuleTablesSpec {
        module_id: 1,
        module_name: "cm1".into(),
        cores: 2,
        programs: vec!["gnc".into(), "display".into(), "loader".into()],
        messages: vec!["nav".into()],
        links: vec![LinkSpec {
            id: 0,
            name: "cm1->sw1".into(),
        }],
        modes: vec![
            ModeSpec {
                id: STANDARD,
                name: "standard".into(),
                major_frame: 20,
                tick_ns: 1_000_000,
                cores: vec![
                    vec![w(0, 4, GNC), w(10, 14, GNC)],
                    vec![w(5, 8, DISPLAY), w(12, 18, LOADER)],
                ],
                links: vec![LinkSlotsSpec {
                    link: 0,
                    slots: vec![SlotSpec {
                        start: 4,
                        end: 5,
                        message: 0,
                        instance: 0,
                    }],
                }],
            },
            ModeSpec {
                id: DOCKING,
                name: "docking".into(),
                major_frame: 10,
                tick_ns: 1_000_000,
                cores: vec![vec![w(0, 3, GNC)], vec![w(4, 6, DISPLAY)]],
                links: vec![],
            },
        ],
        transitions: vec![
            TransitionSpec {
                from: STANDARD,
                to: DOCKING,
                phi: 2,
                lead: 3,
                complete: 16,
                actions: vec![
                    Action {
                        at: -3,
                        kind: ActionKind::SendChunk {
                            program: GNC,
                            link: 0,
                            bytes: 65_536,
                            end: -1,
                        },
                    },
                    Action {
                        at: 0,
                        kind: ActionKind::Stop { program: LOADER },
                    },
                    Action {
                        at: 0,
                        kind: ActionKind::Suspend { program: GNC },
                    },
                    Action {
                        at: 4,
                        kind: ActionKind::Resume { program: GNC },
                    },
                ],
                skips: vec![JobSpec {
                    program: GNC,
                    job: 0,
                }],
                extends: vec![ExtendSpec {
                    program: DISPLAY,
                    job: 0,
                    extra: 1,
                }],
            },
            TransitionSpec {
                from: DOCKING,
                to: STANDARD,
                ..Default::default()
            },
        ],
    }
}

fn describe(t: &Tables<'_>, e: &Event) -> String {
    let p = |id: u16| t.program_name(id).unwrap_or("?");
    let m = |id: u16| t.mode(id).map_or("?", |m| m.name());
    match *e {
        Event::JobEnd { core, program, job } => format!("end {}#{job}@core{core}", p(program)),
        Event::JobStart {
            core,
            program,
            job,
            end,
        } => {
            format!("start {}#{job}@core{core} until {end}", p(program))
        }
        Event::JobSkipped { core, program, job } => {
            format!("skip {}#{job}@core{core}", p(program))
        }
        Event::SlotStart {
            message, instance, ..
        } => {
            format!(
                "send {}[{instance}]",
                t.message_name(message).unwrap_or("?")
            )
        }
        Event::SlotEnd { .. } => "slot end".into(),
        Event::TransitionBegin {
            from,
            to,
            switch_point,
            b_start,
        } => {
            format!(
                "begin {}->{} (S={switch_point}, b_start={b_start})",
                m(from),
                m(to)
            )
        }
        Event::SwitchPoint { from, to } => format!("switch point {}->{}", m(from), m(to)),
        Event::Stop { program } => format!("stop {}", p(program)),
        Event::Suspend { program } => format!("suspend {}", p(program)),
        Event::SendChunk {
            program,
            bytes,
            end,
            ..
        } => {
            format!("chunk {} {bytes}B until {end}", p(program))
        }
        Event::Resume { program } => format!("resume {}", p(program)),
        Event::ModeStart { mode } => format!("mode start {}", m(mode)),
        Event::TransitionComplete { from, to } => format!("complete {}->{}", m(from), m(to)),
    }
}

/// Runs the main loop until tick `horizon` and returns what it printed.
pub fn run_main_loop(horizon: u64) -> Result<Vec<String>, String> {
    // The build tool's output, as it would be stored in the module's flash.
    let image = encode(&example_spec()).map_err(|e| e.to_string())?;
    // On the module: parse once (zero-copy, validated), then dispatch.
    let tables = Tables::parse(&image).map_err(|e| e.to_string())?;
    let mut dispatcher = Dispatcher::<'_, 2>::new(tables, STANDARD).map_err(|e| e.to_string())?;
    let mut out = vec![format!(
        "module {} ({} cores): {} bytes of tables, {} modes, {} transitions",
        tables.module_name(),
        tables.cores(),
        image.len(),
        tables.mode_count(),
        tables.transition_count()
    )];
    let switch_request_at = 26;
    let mut requested = false;
    // The simulated timer: the loop sleeps until the next boundary; a
    // request arriving while it sleeps wakes it up.
    let mut now = 0u64;
    while now < horizon {
        if !requested && now >= switch_request_at {
            requested = true;
            match dispatcher.request_switch(DOCKING, now) {
                Ok(SwitchOutcome::Planned(p)) => out.push(format!(
                    "t={now:>3} request docking: switch point {}, docking from {}, complete at {}",
                    p.switch_point, p.b_start, p.complete
                )),
                other => return Err(format!("unexpected answer to the request: {other:?}")),
            }
        }
        let mut events = Vec::new();
        let d = dispatcher
            .tick_with(now, |e| events.push(e))
            .map_err(|e| e.to_string())?;
        let mode = d
            .mode
            .and_then(|m| tables.mode(m))
            .map_or("(none)", |m| m.name());
        let cores: Vec<String> = d
            .running
            .iter()
            .enumerate()
            .map(|(c, r)| match r {
                Some(r) => format!(
                    "core{c}={}#{}",
                    tables.program_name(r.program).unwrap_or("?"),
                    r.job
                ),
                None => format!("core{c}=idle"),
            })
            .collect();
        let events: Vec<String> = events.iter().map(|e| describe(&tables, e)).collect();
        let line = format!(
            "t={now:>3} {mode:<8} {:<27} {}",
            cores.join(" "),
            events.join(", ")
        );
        out.push(line.trim_end().to_string());
        let next = dispatcher.next_boundary(now).ok_or("no next boundary")?;
        // Wake up early for the pending request, as an interrupt would.
        now = if !requested && switch_request_at > now && switch_request_at < next {
            switch_request_at
        } else {
            next
        };
    }
    Ok(out)
}

#[allow(dead_code)] // unused when the file is included by a test
fn main() {
    match run_main_loop(80) {
        Ok(lines) => {
            for l in lines {
                println!("{l}");
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
