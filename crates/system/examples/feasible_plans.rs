//! How often every allowed transition plans, on generated 2–3-mode systems
//! with tight module memory (feasible by construction: the generator's
//! witness tables exist and module memory is the heaviest mode's residents
//! plus a little room).
//!
//! The witness tables are planned too (how many admit a plan for every
//! transition). For each system, the mode-by-mode synthesis (`seamless_synth::synthesize`,
//! the path before system-level synthesis) and the system-level one with
//! plan feedback (`seamless_system::plan_all`) are planned at request 0.
//!
//! `cargo run --release -p seamless-system --example feasible_plans [systems]`

use seamless_model::System;
use seamless_plan::{PlanOptions, plan_transition};
use seamless_synth::Options;

fn all_plan(sys: &System, schedules: &[Option<&seamless_model::schedule::Schedule>]) -> bool {
    sys.transitions
        .iter()
        .all(|&(a, b)| match (schedules[a], schedules[b]) {
            (Some(sa), Some(sb)) => plan_transition(sys, a, b, sa, sb, 0, &quick())
                .is_ok_and(|p| seamless_verify::verify_plan(sys, &p).is_valid()),
            _ => false,
        })
}

/// The planner's defaults without the failure explanation (a replan with
/// more bandwidth), which only changes the text.
fn quick() -> PlanOptions {
    PlanOptions {
        explain: false,
        ..PlanOptions::default()
    }
}

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(40);
    let opts = Options::default();
    let (mut eligible, mut total, mut old_ok, mut new_ok, mut rounds) = (0, 0, 0, 0, 0);
    let mut new_on_eligible = 0;
    for seed in 0..n {
        let params = seamless_gen::GenParams {
            programs: 12 + (seed % 3) as usize * 4,
            modules: 4,
            cores: 2,
            messages: 10,
            modes: 2 + (seed % 2) as usize,
            seed,
            unavailability_percent: 60,
            ..seamless_gen::GenParams::default()
        };
        let (generated, witness) = seamless_gen::feasible(&params);
        let Ok(sys) = generated.load() else {
            continue;
        };
        let m = sys.modes.len();
        let w: Vec<_> = witness.iter().map(Some).collect();
        let witness_ok = w.len() == m && all_plan(&sys, &w);
        eligible += usize::from(witness_ok);
        total += 1;
        let old = seamless_synth::synthesize(&sys, &opts);
        let o: Vec<_> = old.modes.iter().map(|r| r.as_ref().ok()).collect();
        let old_all = all_plan(&sys, &o);
        let all = seamless_system::plan_all(
            &sys,
            &opts,
            &|a, b, sa, sb| plan_transition(&sys, a, b, sa, sb, 0, &quick()),
            2,
        );
        let new_all = all.plans.iter().all(|(_, _, r)| {
            r.as_ref()
                .is_ok_and(|p| seamless_verify::verify_plan(&sys, p).is_valid())
        });
        rounds += all.rounds.len();
        old_ok += usize::from(old_all);
        new_ok += usize::from(new_all);
        new_on_eligible += usize::from(new_all && witness_ok);
        println!(
            "seed {seed}: {} modes, {} programs: witness tables {}, mode by mode {}, system-level {} ({} feedback rounds)",
            m,
            sys.programs.len(),
            if witness_ok { "all planned" } else { "FAIL" },
            if old_all { "all planned" } else { "FAILS" },
            if new_all { "all planned" } else { "FAILS" },
            all.rounds.len()
        );
    }
    println!(
        "{total} systems ({eligible} whose witness tables plan every transition): every transition planned on {old_ok} mode by mode, {new_ok} system-level ({rounds} feedback rounds in all)"
    );
    println!(
        "of the {eligible} whose witness tables plan every transition: every transition planned system-level on {new_on_eligible}"
    );
}
