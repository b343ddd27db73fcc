//! Feasible-by-construction systems from seamless-gen, with their witness
//! schedules: compiled tables and both XML exports reproduce every job.

mod common;

use common::*;
use proptest::prelude::*;
use seamless_export::{arinc653, compile, expected_windows, read_arinc653, read_xtratum, xtratum};
use seamless_gen::{GenParams, feasible};
use seamless_model::plan::Plan;

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
    }
}
