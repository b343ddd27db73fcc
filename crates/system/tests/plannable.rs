//! Issue 8's plannability goal on a small fixed seed set: on generated
//! 2–3-mode systems with tight module memory whose witness tables admit a
//! plan for every allowed transition, system-level synthesis with plan
//! feedback plans (and the verifier accepts) every allowed transition on
//! every one of them (the goal is 95 %). The full measurement is the example
//! `feasible_plans` (docs/benchmarks.md). Counts, never the clock.

use seamless_model::System;
use seamless_model::schedule::Schedule;
use seamless_plan::{PlanOptions, plan_transition};

#[path = "common/family.rs"]
mod family;
use family::family;

fn quick() -> PlanOptions {
    PlanOptions {
        explain: false,
        ..PlanOptions::default()
    }
}

fn all_plan(sys: &System, tables: &[Schedule]) -> bool {
    sys.transitions.iter().all(|&(a, b)| {
        plan_transition(sys, a, b, &tables[a], &tables[b], 0, &quick())
            .is_ok_and(|p| seamless_verify::verify_plan(sys, &p).is_valid())
    })
}

#[test]
fn every_transition_plans_on_the_eligible_systems() {
    // seeds 0–23 (of these, 2, 3, 4, 6, 9 and 23 failed before the joint
    // placement kept memory at the switch: tight placement, complete
    // search) and 28 (failed until the joint placement counted cores:
    // three programs that pairwise cannot share a core were put on one
    // 2-core module); none may fail
    let seeds: Vec<u64> = (0..24).chain([28]).collect();
    let (mut eligible, mut planned) = (0, 0);
    let mut failed = Vec::new();
    for &seed in &seeds {
        let (generated, witness) = seamless_gen::feasible(&family(seed));
        let sys = generated.load().expect("the generated system loads");
        // the witness tables are only the eligibility test: never fed in
        if !all_plan(&sys, &witness) {
            continue;
        }
        eligible += 1;
        let all = seamless_system::plan_all(
            &sys,
            &seamless_synth::Options::default(),
            &|a, b, sa, sb| plan_transition(&sys, a, b, sa, sb, 0, &quick()),
            2,
        );
        let ok = all.plans.iter().all(|(_, _, r)| {
            r.as_ref()
                .is_ok_and(|p| seamless_verify::verify_plan(&sys, p).is_valid())
        });
        if ok {
            planned += 1;
        } else {
            failed.push(seed);
        }
    }
    assert!(eligible >= 20, "{eligible} eligible of {}", seeds.len());
    assert_eq!(
        planned, eligible,
        "every transition planned on {planned} of {eligible}; failed seeds {failed:?}"
    );
}

/// When the joint placement does not synthesize as held, the programs the
/// failure names are released, those that share no allowed transition with
/// the mode first (releasing them cannot make anything migrate). On the
/// generated system below (`seamless generate --programs 30 --modules 5
/// --messages 20 --modes 3 --seed 12`, not feasible by construction) the
/// release order decides: releasing every named program at once moves 24
/// programs over its six transitions and plans two of them; releasing the
/// mode's own programs first keeps the others home (2 migrations), and
/// every transition plans.
#[test]
fn releasing_the_modes_own_programs_first_keeps_the_others_home() {
    let params = seamless_gen::GenParams {
        programs: 30,
        modules: 5,
        messages: 20,
        modes: 3,
        seed: 12,
        ..seamless_gen::GenParams::default()
    };
    let sys = seamless_gen::generate(&params)
        .load()
        .expect("the generated system loads");
    let all = seamless_system::plan_all(
        &sys,
        &seamless_synth::Options::default(),
        &|a, b, sa, sb| plan_transition(&sys, a, b, sa, sb, 0, &quick()),
        2,
    );
    assert_eq!(all.plans.len(), 6);
    let mut moved = 0;
    for (a, b, r) in &all.plans {
        let p = r
            .as_ref()
            .unwrap_or_else(|e| panic!("{a} → {b} not planned: {e:?}"));
        assert!(seamless_verify::verify_plan(&sys, p).is_valid());
        moved += p.migrations.len();
    }
    assert!(moved <= 4, "{moved} migrations");
}
