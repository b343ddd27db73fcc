//! Shared fixtures: the `mini` system (tests/data/mini) with hand-built
//! schedules for both modes and a plan for each transition.
#![allow(dead_code)]

use std::path::Path;

use seamless_model::System;
use seamless_model::diag::SourceFile;
use seamless_model::load::load;
use seamless_model::plan::{
    Action, Extended, JobRef, Metrics, Migration, Plan, ProgramOutcome, Scheme, Slot, Transfer,
};
use seamless_model::schedule::{HopEntry, JobEntry, Placement, Schedule, Transmission};
use seamless_model::validate::Limits;
use seamless_tables::Tables;

/// The files of a system folder: system.ron first, then the other .ron
/// files by name.
pub fn dir_files(dir: &Path) -> Vec<SourceFile> {
    let mut files = vec![SourceFile {
        name: "system.ron".into(),
        text: std::fs::read_to_string(dir.join("system.ron")).unwrap(),
    }];
    let mut modes: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron") && !p.ends_with("system.ron"))
        .collect();
    modes.sort();
    for p in modes {
        files.push(SourceFile {
            name: p.file_name().unwrap().to_string_lossy().into(),
            text: std::fs::read_to_string(&p).unwrap(),
        });
    }
    files
}

pub fn load_files(files: &[SourceFile]) -> System {
    match load(files, Limits::default()) {
        Ok(s) => s,
        Err(d) => panic!("{d:?}"),
    }
}

/// Loads a system folder.
pub fn load_dir(dir: &Path) -> System {
    load_files(&dir_files(dir))
}

pub fn mini_system() -> System {
    load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/mini"))
}

fn job(program: &str, index: u64, module: &str, core: u32, start: u64, end: u64) -> JobEntry {
    JobEntry {
        program: program.into(),
        index,
        module: module.into(),
        core,
        start,
        end,
    }
}

fn hop(from: &str, to: &str, start: u64, end: u64) -> HopEntry {
    HopEntry {
        from: from.into(),
        to: to.into(),
        start,
        end,
    }
}

fn place(program: &str, module: &str, core: u32) -> Placement {
    Placement {
        program: program.into(),
        module: module.into(),
        core,
    }
}

/// cruise: fc on m1/0, nav on m2/0, log on m1/1; `pos` from m2 to m1.
pub fn cruise() -> Schedule {
    Schedule {
        mode: "cruise".into(),
        tick: "1us".into(),
        major_frame: 20_000,
        placement: vec![
            place("fc", "m1", 0),
            place("nav", "m2", 0),
            place("log", "m1", 1),
        ],
        jobs: vec![
            job("fc", 0, "m1", 0, 0, 2000),
            job("fc", 1, "m1", 0, 10_000, 12_000),
            job("nav", 0, "m2", 0, 0, 1000),
            job("log", 0, "m1", 1, 5000, 8000),
        ],
        transmissions: vec![Transmission {
            message: "pos".into(),
            index: 0,
            hops: vec![hop("m2", "sw", 1000, 1082), hop("sw", "m1", 1087, 1169)],
        }],
    }
}

/// landing: fc on m1/0, nav on m1/1, gear on m2/0; `gs` from m2 to m1.
pub fn landing() -> Schedule {
    Schedule {
        mode: "landing".into(),
        tick: "1us".into(),
        major_frame: 20_000,
        placement: vec![
            place("fc", "m1", 0),
            place("nav", "m1", 1),
            place("gear", "m2", 0),
        ],
        jobs: vec![
            job("fc", 0, "m1", 0, 0, 2000),
            job("fc", 1, "m1", 0, 10_000, 12_000),
            job("nav", 0, "m1", 1, 3000, 4000),
            job("gear", 0, "m2", 0, 0, 1000),
        ],
        transmissions: vec![Transmission {
            message: "gs".into(),
            index: 0,
            hops: vec![hop("m2", "sw", 1000, 1082), hop("sw", "m1", 1087, 1169)],
        }],
    }
}

fn outcome(program: &str, action: Action) -> ProgramOutcome {
    ProgramOutcome {
        program: program.into(),
        action,
        unavailability: None,
        bound: None,
    }
}

fn chunk(phase: &str, bytes: u64, hops: Vec<HopEntry>) -> Transfer {
    Transfer {
        program: "nav".into(),
        phase: phase.into(),
        bytes,
        hops,
    }
}

/// cruise → landing, requested at 15 ms: S = 20 ms, φ = 0. nav migrates
/// m2 → m1 by stop-and-copy (its last cruise job ended at 1 ms, before the
/// request): 64 KiB from 15 ms, 16 KiB after B's `gs` on m2→sw; last byte
/// at 27.728 ms, so nav's landing job 0 (23 ms) is skipped and job 1
/// (43 ms) resumes it. log stops, gear starts, fc continues.
pub fn plan_cruise_landing() -> Plan {
    Plan {
        from: "cruise".into(),
        to: "landing".into(),
        tick: "1us".into(),
        request: 15_000,
        switch: 20_000,
        b_start: 20_000,
        complete: 44_000,
        migrations: vec![Migration {
            program: "nav".into(),
            from: Slot {
                module: "m2".into(),
                core: 0,
            },
            to: Slot {
                module: "m1".into(),
                core: 1,
            },
            scheme: Scheme::StopAndCopy,
            via: None,
            resume: 43_000,
            eviction: 22_393,
            total_time: 27_728 - 15_000,
            downtime: 43_000 - 1000,
            bytes: 81_920,
            degradation: 0,
        }],
        transfers: vec![
            chunk(
                "copy",
                65_536,
                vec![
                    hop("m2", "sw", 15_000, 20_243),
                    hop("sw", "m1", 21_169, 26_412),
                ],
            ),
            chunk(
                "copy",
                16_384,
                vec![
                    hop("m2", "sw", 21_082, 22_393),
                    hop("sw", "m1", 26_412, 27_723),
                ],
            ),
        ],
        skipped: vec![JobRef {
            program: "nav".into(),
            index: 0,
        }],
        extended: vec![],
        programs: vec![
            outcome("fc", Action::Continue),
            outcome("gear", Action::Start),
            outcome("log", Action::Stop),
            outcome("nav", Action::Migrate),
        ],
        metrics: Metrics::default(),
        from_schedule: cruise(),
        to_schedule: landing(),
    }
}

/// landing → cruise, requested at 0: S = 20 ms, φ = 0. nav migrates m1 → m2
/// by post-copy after its last landing job (ends at 4 ms): CPU state
/// arrives at 6.632 ms, pages from 22 ms; its cruise job 0 (20 ms) runs
/// with 16 missing pages × 696 ticks = 11.136 ms extra.
pub fn plan_landing_cruise() -> Plan {
    Plan {
        from: "landing".into(),
        to: "cruise".into(),
        tick: "1us".into(),
        request: 0,
        switch: 20_000,
        b_start: 20_000,
        complete: 32_496,
        migrations: vec![Migration {
            program: "nav".into(),
            from: Slot {
                module: "m1".into(),
                core: 1,
            },
            to: Slot {
                module: "m2".into(),
                core: 0,
            },
            scheme: Scheme::PostCopy,
            via: None,
            resume: 20_000,
            eviction: 27_243,
            total_time: 32_496 - 4000,
            downtime: 16_000,
            bytes: 81_920,
            degradation: 11_136,
        }],
        transfers: vec![
            chunk(
                "cpu",
                16_384,
                vec![hop("m1", "sw", 4000, 5311), hop("sw", "m2", 5316, 6627)],
            ),
            chunk(
                "pages",
                65_536,
                vec![
                    hop("m1", "sw", 22_000, 27_243),
                    hop("sw", "m2", 27_248, 32_491),
                ],
            ),
        ],
        skipped: vec![],
        extended: vec![Extended {
            program: "nav".into(),
            index: 0,
            extra: 11_136,
        }],
        programs: vec![
            outcome("fc", Action::Continue),
            outcome("gear", Action::Stop),
            outcome("log", Action::Start),
            outcome("nav", Action::Migrate),
        ],
        metrics: Metrics::default(),
        from_schedule: landing(),
        to_schedule: cruise(),
    }
}

pub fn mini() -> (System, Vec<Schedule>, Vec<Plan>) {
    (
        mini_system(),
        vec![cruise(), landing()],
        vec![plan_cruise_landing(), plan_landing_cruise()],
    )
}

/// Every window and slot of every module's table is exactly the schedule's
/// jobs and leaving hops on that module, and every transition is there.
pub fn check_tables(
    system: &System,
    schedules: &[Schedule],
    plans: &[Plan],
    compiled: &[(String, Vec<u8>)],
) {
    assert_eq!(compiled.len(), system.modules.len());
    for ((name, bytes), module) in compiled.iter().zip(&system.modules) {
        assert_eq!(name, &module.name);
        let t = Tables::parse(bytes).unwrap();
        assert_eq!(t.module_name(), module.name);
        assert_eq!(u32::from(t.cores()), module.cores);
        assert_eq!(t.mode_count(), system.modes.len());
        for s in schedules {
            let id = system.mode_by_name(&s.mode).unwrap() as u16;
            let mode = t.mode(id).unwrap();
            assert_eq!(mode.name(), s.mode);
            assert_eq!(mode.major_frame(), s.major_frame);
            assert_eq!(mode.tick_ns(), system.tick.ns);
            for core in 0..t.cores() {
                let got: Vec<(u64, u64, String, u32)> = mode
                    .windows(core)
                    .iter()
                    .map(|w| {
                        (
                            w.start,
                            w.end,
                            t.program_name(w.program).unwrap().to_string(),
                            w.job,
                        )
                    })
                    .collect();
                let mut want: Vec<(u64, u64, String, u32)> = s
                    .jobs
                    .iter()
                    .filter(|j| j.module == module.name && j.core == u32::from(core))
                    .map(|j| (j.start, j.end, j.program.clone(), j.index as u32))
                    .collect();
                want.sort();
                assert_eq!(
                    got, want,
                    "module {} mode {} core {core}",
                    module.name, s.mode
                );
            }
            for link in t.links() {
                let (from, to) = link.name.split_once("->").unwrap();
                assert_eq!(from, module.name);
                let got: Vec<(u64, u64, String, u32)> = mode
                    .slots(link.index)
                    .iter()
                    .map(|x| {
                        (
                            x.start,
                            x.end,
                            t.message_name(x.message).unwrap().to_string(),
                            x.instance,
                        )
                    })
                    .collect();
                let mut want: Vec<(u64, u64, String, u32)> = s
                    .transmissions
                    .iter()
                    .flat_map(|tr| {
                        tr.hops
                            .iter()
                            .filter(|h| h.from == from && h.to == to)
                            .map(|h| (h.start, h.end, tr.message.clone(), tr.index as u32))
                    })
                    .collect();
                want.sort();
                assert_eq!(
                    got, want,
                    "module {} mode {} link {}",
                    module.name, s.mode, link.name
                );
            }
        }
        // every hop leaving this module is on one of its links
        let names: Vec<&str> = t.links().map(|l| l.name).collect();
        for s in schedules {
            for tr in &s.transmissions {
                for h in tr.hops.iter().filter(|h| h.from == module.name) {
                    assert!(names.contains(&format!("{}->{}", h.from, h.to).as_str()));
                }
            }
        }
        assert_eq!(t.transition_count(), plans.len());
        for p in plans {
            let from = system.mode_by_name(&p.from).unwrap() as u16;
            let to = system.mode_by_name(&p.to).unwrap() as u16;
            let tr = t.transition(from, to).unwrap();
            assert_eq!(tr.phi(), p.b_start - p.switch);
            assert!(tr.complete() >= p.complete - p.switch);
            assert!(
                tr.lead() <= p.switch - p.request,
                "no action before the request"
            );
        }
    }
}

/// A plan for a transition where no program changes module: switch at the
/// end of the old frame, the new table right away.
pub fn plan_without_migration(a: &Schedule, b: &Schedule) -> Option<Plan> {
    let module_of = |s: &Schedule, p: &str| {
        s.placement
            .iter()
            .find(|x| x.program == p)
            .map(|x| x.module.clone())
    };
    let mut programs = Vec::new();
    for pl in &a.placement {
        let action = match module_of(b, &pl.program) {
            None => Action::Stop,
            Some(m) if m == pl.module => Action::Continue,
            Some(_) => return None,
        };
        programs.push(ProgramOutcome {
            program: pl.program.clone(),
            action,
            unavailability: None,
            bound: None,
        });
    }
    for pl in &b.placement {
        if module_of(a, &pl.program).is_none() {
            programs.push(ProgramOutcome {
                program: pl.program.clone(),
                action: Action::Start,
                unavailability: None,
                bound: None,
            });
        }
    }
    Some(Plan {
        from: a.mode.clone(),
        to: b.mode.clone(),
        tick: a.tick.clone(),
        request: 0,
        switch: a.major_frame,
        b_start: a.major_frame,
        complete: a.major_frame + b.major_frame,
        migrations: vec![],
        transfers: vec![],
        skipped: vec![],
        extended: vec![],
        programs,
        metrics: Metrics::default(),
        from_schedule: a.clone(),
        to_schedule: b.clone(),
    })
}
