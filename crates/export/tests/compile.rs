mod common;

use std::collections::BTreeMap;

use common::*;
use seamless_export::{CompileError, compile, compile_specs};
use seamless_model::plan::Plan;
use seamless_model::schedule::Schedule;
use seamless_runtime::{Dispatcher, Event};
use seamless_tables::{Action, ActionKind, Tables};

type Act = (
    String,
    i64,
    &'static str,
    String,
    Option<(String, u64, i64)>,
);

/// The actions of one transition of one module, as (module, at, kind,
/// program, chunk (link, bytes, end)).
fn actions(bytes: &[u8], from: u16, to: u16) -> Vec<Act> {
    let t = Tables::parse(bytes).unwrap();
    let tr = t.transition(from, to).unwrap();
    let link_name = |id: u16| t.link(t.link_index(id).unwrap()).unwrap().name.to_string();
    tr.actions()
        .iter()
        .map(|Action { at, kind }| {
            let p = |x: u16| t.program_name(x).unwrap().to_string();
            match kind {
                ActionKind::Stop { program } => {
                    (t.module_name().into(), at, "stop", p(program), None)
                }
                ActionKind::Suspend { program } => {
                    (t.module_name().into(), at, "suspend", p(program), None)
                }
                ActionKind::Resume { program } => {
                    (t.module_name().into(), at, "resume", p(program), None)
                }
                ActionKind::SendChunk {
                    program,
                    link,
                    bytes,
                    end,
                } => (
                    t.module_name().into(),
                    at,
                    "chunk",
                    p(program),
                    Some((link_name(link), bytes, end)),
                ),
            }
        })
        .collect()
}

fn s(x: &str) -> String {
    x.to_string()
}

#[test]
fn mini_schedules_are_valid() {
    let (system, schedules, _) = mini();
    for sc in &schedules {
        let r = seamless_verify::verify_schedule(&system, sc);
        assert!(r.is_valid(), "{}: {:?}", sc.mode, r.violations);
    }
}

#[test]
fn mini_round_trip() {
    let (system, schedules, plans) = mini();
    let compiled = compile(&system, &schedules, &plans).unwrap();
    check_tables(&system, &schedules, &plans, &compiled);
    let m1 = &compiled[0].1;
    let m2 = &compiled[1].1;

    // cruise (0) → landing (1): request 15 ms, S = 20 ms
    let mut a = actions(m1, 0, 1);
    a.extend(actions(m2, 0, 1));
    assert_eq!(
        a,
        vec![
            (s("m1"), 0, "stop", s("log"), None),
            (s("m1"), 7728, "resume", s("nav"), None),
            (s("m2"), -5000, "suspend", s("nav"), None),
            (
                s("m2"),
                -5000,
                "chunk",
                s("nav"),
                Some((s("m2->sw"), 65_536, 243))
            ),
            (
                s("m2"),
                1082,
                "chunk",
                s("nav"),
                Some((s("m2->sw"), 16_384, 2393))
            ),
        ]
    );
    for m in [m1, m2] {
        let t = Tables::parse(m).unwrap();
        let tr = t.transition(0, 1).unwrap();
        assert_eq!((tr.phi(), tr.lead(), tr.complete()), (0, 5000, 24_000));
    }
    let t1 = Tables::parse(m1).unwrap();
    let tr = t1.transition(0, 1).unwrap();
    let skips: Vec<_> = tr
        .skips()
        .iter()
        .map(|x| (t1.program_name(x.program).unwrap(), x.job, x.at))
        .collect();
    assert_eq!(skips, vec![("nav", 0, 3000)]);
    assert!(tr.extends().is_empty());
    assert!(
        Tables::parse(m2)
            .unwrap()
            .transition(0, 1)
            .unwrap()
            .skips()
            .is_empty()
    );

    // landing (1) → cruise (0): request 0, S = 20 ms
    let mut a = actions(m1, 1, 0);
    a.extend(actions(m2, 1, 0));
    assert_eq!(
        a,
        vec![
            (s("m1"), -16_000, "suspend", s("nav"), None),
            (
                s("m1"),
                -16_000,
                "chunk",
                s("nav"),
                Some((s("m1->sw"), 16_384, -14_689))
            ),
            (
                s("m1"),
                2000,
                "chunk",
                s("nav"),
                Some((s("m1->sw"), 65_536, 7243))
            ),
            (s("m2"), -13_368, "resume", s("nav"), None),
            (s("m2"), 0, "stop", s("gear"), None),
        ]
    );
    for m in [m1, m2] {
        let t = Tables::parse(m).unwrap();
        let tr = t.transition(1, 0).unwrap();
        assert_eq!((tr.phi(), tr.lead(), tr.complete()), (0, 16_000, 12_496));
    }
    let t2 = Tables::parse(m2).unwrap();
    let tr = t2.transition(1, 0).unwrap();
    let ext: Vec<_> = tr
        .extends()
        .iter()
        .map(|x| (t2.program_name(x.program).unwrap(), x.job, x.at, x.extra))
        .collect();
    assert_eq!(ext, vec![("nav", 0, 0, 11_136)]);
    assert!(tr.skips().is_empty());
}

#[test]
fn deterministic_whatever_the_input_order() {
    let (system, schedules, plans) = mini();
    let a = compile(&system, &schedules, &plans).unwrap();
    let mut schedules2: Vec<Schedule> = schedules.iter().rev().cloned().collect();
    for sc in &mut schedules2 {
        sc.jobs.reverse();
        sc.placement.reverse();
        sc.transmissions.reverse();
    }
    let mut plans2: Vec<Plan> = plans.iter().rev().cloned().collect();
    for p in &mut plans2 {
        p.transfers.reverse();
        p.programs.reverse();
        p.from_schedule.jobs.reverse();
    }
    let b = compile(&system, &schedules2, &plans2).unwrap();
    assert_eq!(a, b);
    assert_eq!(compile_specs(&system, &schedules, &plans).unwrap().len(), 2);
}

#[test]
fn schedules_only() {
    let (system, schedules, _) = mini();
    let compiled = compile(&system, &schedules, &[]).unwrap();
    check_tables(&system, &schedules, &[], &compiled);
}

#[test]
fn rejects_inconsistent_inputs() {
    let (system, schedules, plans) = mini();
    let err = |s: &[Schedule], p: &[Plan]| compile(&system, s, p).unwrap_err();

    assert!(
        matches!(err(&schedules[..1], &[]), CompileError::MissingSchedule { mode } if mode == "landing")
    );
    let dup = vec![cruise(), cruise(), landing()];
    assert!(matches!(
        err(&dup, &[]),
        CompileError::DuplicateSchedule { .. }
    ));

    let mut bad = schedules.clone();
    bad[0].jobs[0].module = "m9".into();
    assert!(matches!(
        err(&bad, &[]),
        CompileError::Unknown { what: "module", .. }
    ));
    let mut bad = schedules.clone();
    bad[0].jobs[0].core = 2;
    assert!(matches!(
        err(&bad, &[]),
        CompileError::ScheduleMismatch { .. }
    ));
    let mut bad = schedules.clone();
    bad[0].major_frame = 40_000;
    assert!(matches!(
        err(&bad, &[]),
        CompileError::ScheduleMismatch { .. }
    ));
    let mut bad = schedules.clone();
    bad[0].tick = "1ms".into();
    assert!(matches!(
        err(&bad, &[]),
        CompileError::ScheduleMismatch { .. }
    ));
    let mut bad = schedules.clone();
    bad[0].transmissions[0].hops[0].to = "m1".into(); // m2 and m1 are not linked
    assert!(matches!(
        err(&bad, &[]),
        CompileError::Unknown { what: "link", .. }
    ));
    let mut bad = schedules.clone();
    bad[0].jobs[1].start = 1000; // overlaps job 0 on m1/0
    bad[0].jobs[1].end = 3000;
    bad[0].jobs[1].index = 1;
    assert!(matches!(err(&bad, &[]), CompileError::Encode { .. }));

    let dup_plans = vec![plans[0].clone(), plans[0].clone()];
    assert!(matches!(
        err(&schedules, &dup_plans),
        CompileError::DuplicatePlan { .. }
    ));
    let mut p = plans[0].clone();
    p.from_schedule.jobs[0].start = 1;
    assert!(matches!(
        err(&schedules, &[p]),
        CompileError::InvalidPlan { .. }
    ));
    let mut p = plans[0].clone();
    p.switch = 25_000;
    assert!(matches!(
        err(&schedules, &[p]),
        CompileError::InvalidPlan { .. }
    ));
    let mut p = plans[0].clone();
    p.migrations.clear();
    assert!(matches!(
        err(&schedules, &[p]),
        CompileError::InvalidPlan { .. }
    ));
    let mut p = plans[0].clone();
    p.migrations[0].to.module = "m2".into();
    assert!(matches!(
        err(&schedules, &[p]),
        CompileError::InvalidPlan { .. }
    ));
    let mut p = plans[0].clone();
    p.skipped[0].program = "log".into();
    assert!(matches!(
        err(&schedules, &[p]),
        CompileError::InvalidPlan { .. }
    ));
    let mut p = plans[0].clone();
    p.transfers[0].hops[0].from = "nowhere".into();
    assert!(matches!(
        err(&schedules, &[p]),
        CompileError::Unknown { .. }
    ));
    let mut p = plans[0].clone();
    p.to = "takeoff".into();
    assert!(matches!(
        err(&schedules, &[p]),
        CompileError::Unknown { what: "mode", .. }
    ));

    let mut restricted = system.clone();
    restricted.transitions = vec![(0, 1)];
    let e = compile(&restricted, &schedules, &plans).unwrap_err();
    assert!(matches!(e, CompileError::NotAllowed { .. }), "{e}");
    assert!(e.to_string().contains("landing"));
}

/// Runs one module's dispatcher through the cruise → landing switch
/// requested at 15 ms and returns (instant, event) pairs.
fn run(
    bytes: &[u8],
    request: (u16, u64),
    until: u64,
) -> (Vec<(u64, Event)>, seamless_runtime::Plan) {
    let t = Tables::parse(bytes).unwrap();
    let mut d: Dispatcher<'_, 2> = Dispatcher::new(t, 0).unwrap();
    let outcome = d.request_switch(request.0, request.1).unwrap();
    let plan = match outcome {
        seamless_runtime::SwitchOutcome::Planned(p) => p,
        o => panic!("{o:?}"),
    };
    let mut out = Vec::new();
    let mut now = 0;
    while now <= until {
        d.tick_with(now, |e| out.push((now, e))).unwrap();
        match d.next_boundary(now) {
            Some(n) => now = n,
            None => break,
        }
    }
    (out, plan)
}

#[test]
fn runtime_follows_the_compiled_plan() {
    let (system, schedules, plans) = mini();
    let compiled = compile(&system, &schedules, &plans).unwrap();
    let ids: BTreeMap<&str, Tables<'_>> = compiled
        .iter()
        .map(|(n, b)| (n.as_str(), Tables::parse(b).unwrap()))
        .collect();
    let pid = |m: &str, name: &str| {
        let t = ids[m];
        (0..t.program_count() as u16)
            .find(|&i| t.program_name(i) == Some(name))
            .unwrap()
    };

    // Both modules pick the plan's S for the plan's request.
    let (ev1, p1) = run(&compiled[0].1, (1, 15_000), 49_999);
    let (ev2, p2) = run(&compiled[1].1, (1, 15_000), 49_999);
    for p in [p1, p2] {
        assert_eq!(
            (p.switch_point, p.b_start, p.complete),
            (20_000, 20_000, 44_000)
        );
        assert_eq!(p.commit, 15_000);
    }
    let nav1 = pid("m1", "nav");
    let nav2 = pid("m2", "nav");
    // m2: nav suspended and the first chunk leaves at the request
    assert!(ev2.contains(&(15_000, Event::Suspend { program: nav2 })));
    assert!(ev2.contains(&(
        15_000,
        Event::SendChunk {
            program: nav2,
            link: 2,
            bytes: 65_536,
            end: 20_243
        }
    )));
    assert!(ev2.contains(&(
        21_082,
        Event::SendChunk {
            program: nav2,
            link: 2,
            bytes: 16_384,
            end: 22_393
        }
    )));
    // m1: log stops at S, nav's first landing job is skipped, it resumes
    // when the last byte is in, and runs its job 1 at 43 ms
    let log1 = pid("m1", "log");
    assert!(ev1.contains(&(20_000, Event::Stop { program: log1 })));
    assert!(ev1.contains(&(
        23_000,
        Event::JobSkipped {
            core: 1,
            program: nav1,
            job: 0
        }
    )));
    assert!(ev1.contains(&(27_728, Event::Resume { program: nav1 })));
    assert!(ev1.contains(&(
        43_000,
        Event::JobStart {
            core: 1,
            program: nav1,
            job: 1,
            end: 44_000
        }
    )));
    // before S the cruise table ran: log's job at 5 ms, fc at 0 and 10 ms
    let starts: Vec<(u64, u16, u16)> = ev1
        .iter()
        .filter_map(|&(t, e)| match e {
            Event::JobStart { core, program, .. } => Some((t, core, program)),
            _ => None,
        })
        .collect();
    let fc = pid("m1", "fc");
    assert_eq!(
        starts,
        vec![
            (0, 0, fc),
            (5000, 1, log1),
            (10_000, 0, fc),
            (20_000, 0, fc),
            (30_000, 0, fc),
            (40_000, 0, fc),
            (43_000, 1, nav1),
        ]
    );

    // landing → cruise: a request at 0 in landing switches at 20 ms on both
    // modules, nav's job 0 on m2 runs 11.136 ms longer.
    let land = |bytes: &[u8]| {
        let t = Tables::parse(bytes).unwrap();
        let mut d: Dispatcher<'_, 2> = Dispatcher::new(t, 1).unwrap();
        let p = match d.request_switch(0, 0).unwrap() {
            seamless_runtime::SwitchOutcome::Planned(p) => p,
            o => panic!("{o:?}"),
        };
        let mut out = Vec::new();
        let mut now = 0;
        while now <= 40_000 {
            d.tick_with(now, |e| out.push((now, e))).unwrap();
            now = d.next_boundary(now).unwrap();
        }
        (out, p)
    };
    let (ev1, p1) = land(&compiled[0].1);
    let (ev2, p2) = land(&compiled[1].1);
    assert_eq!((p1.switch_point, p2.switch_point), (20_000, 20_000));
    assert!(ev1.contains(&(4000, Event::Suspend { program: nav1 })));
    assert!(ev2.contains(&(6632, Event::Resume { program: nav2 })));
    assert!(ev2.contains(&(
        20_000,
        Event::JobStart {
            core: 0,
            program: nav2,
            job: 0,
            end: 32_136
        }
    )));
    assert!(ev2.contains(&(32_496, Event::TransitionComplete { from: 1, to: 0 })));
}
