//! Feasible-by-construction systems from seamless-gen, with their witness
//! schedules: compiled tables and both XML exports reproduce every job.

mod common;

use common::*;
use proptest::prelude::*;
use seamless_export::{arinc653, compile, expected_windows, read_arinc653, read_xtratum, xtratum};
use seamless_gen::{GenParams, feasible};
use seamless_model::plan::Plan;
use seamless_model::schedule::Schedule;
use seamless_runtime::{Dispatcher, Event, SwitchOutcome};
use seamless_tables::Tables;

/// Dispatches one module's table through the switch `plan` (requested at
/// `r`) and checks every job start against the two schedules: the old
/// table until `S`, the new one from `b_start`. Returns `S`.
fn dispatch(
    bytes: &[u8],
    module: &str,
    a: &Schedule,
    b: &Schedule,
    ids: (u16, u16),
    r: u64,
) -> u64 {
    let t = Tables::parse(bytes).unwrap();
    let mut d: Dispatcher<'_, 4> = Dispatcher::new(t, ids.0).unwrap();
    let p = match d.request_switch(ids.1, r).unwrap() {
        SwitchOutcome::Planned(p) => p,
        o => panic!("{o:?}"),
    };
    let until = p.b_start + 2 * b.major_frame;
    let mut got = Vec::new();
    let mut now = 0;
    while now < until {
        d.tick_with(now, |e| {
            if let Event::JobStart { core, program, .. } = e {
                got.push((
                    now,
                    core as u32,
                    t.program_name(program).unwrap().to_string(),
                ));
            }
        })
        .unwrap();
        now = d.next_boundary(now).unwrap();
    }
    let mut want = Vec::new();
    for (sched, origin, end) in [(a, 0, p.switch_point), (b, p.b_start, until)] {
        let mut base = origin;
        while base < end {
            for j in sched.jobs.iter().filter(|j| j.module == module) {
                if base + j.start < end {
                    want.push((base + j.start, j.core, j.program.clone()));
                }
            }
            base += sched.major_frame;
        }
    }
    want.sort();
    got.sort();
    assert_eq!(got, want, "module {module}");
    p.switch_point
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn generated_systems_round_trip(
        seed in any::<u64>(),
        modules in 1usize..5,
        cores in 1u32..4,
        programs in 3usize..25,
        messages in 0usize..12,
        modes in 1usize..4,
    ) {
        let params = GenParams {
            seed,
            modules,
            cores,
            programs,
            messages,
            modes,
            ..GenParams::default()
        };
        let (generated, schedules) = feasible(&params);
        let system = generated.load().unwrap();
        for s in &schedules {
            prop_assert!(seamless_verify::verify_schedule(&system, s).is_valid());
        }
        let by_mode = |name: &str| schedules.iter().find(|s| s.mode == name).unwrap();
        let plans: Vec<Plan> = system
            .transitions
            .iter()
            .filter_map(|&(a, b)| {
                plan_without_migration(by_mode(&system.modes[a].name), by_mode(&system.modes[b].name))
            })
            .collect();
        let compiled = compile(&system, &schedules, &plans).unwrap();
        check_tables(&system, &schedules, &plans, &compiled);
        let want = expected_windows(&schedules);
        prop_assert_eq!(read_arinc653(&arinc653(&system, &schedules, &plans)).unwrap(), want.clone());
        prop_assert_eq!(read_xtratum(&xtratum(&system, &schedules)).unwrap(), want);

        // every module's dispatcher takes the first plan at the same S and
        // runs exactly the two tables around it
        if let Some(plan) = plans.first() {
            let a = by_mode(&plan.from);
            let b = by_mode(&plan.to);
            let ids = (
                system.mode_by_name(&plan.from).unwrap() as u16,
                system.mode_by_name(&plan.to).unwrap() as u16,
            );
            let r = seed % a.major_frame;
            let points: Vec<u64> = compiled
                .iter()
                .map(|(name, bytes)| dispatch(bytes, name, a, b, ids, r))
                .collect();
            prop_assert!(points.iter().all(|&s| s == points[0] && s >= r && s % a.major_frame == 0));
        }
    }
}
