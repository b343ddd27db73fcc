//! Planning time against the size of the switch, and what the budget does:
//! `cargo run --release -p seamless-plan --example scale [SEED]`.
//!
//! 1. Generated feasible two-mode systems of 25 to 400 programs (modules:
//!    a twelfth of the programs, messages as many as programs, memory
//!    raised by half so that a program fits on two modules at once, no
//!    unavailability bounds), the witness tables of the generator, one plan
//!    at request 0: migrations, chunks, time.
//! 2. The 200-program system with the generator's unavailability bounds:
//!    planned with the default options (the proof of infeasibility first),
//!    then by the search alone with budgets from 100 to 10⁷ steps: the plan
//!    found (its latency) or "no plan found within the budget".
//!
//! Times are wall clock (the only thing here that depends on the machine);
//! the outcomes do not.

use seamless_model::System;
use seamless_model::plan::Action;
use seamless_model::schedule::Schedule;
use seamless_plan::{PlanOptions, Problem, plan_transition};
use std::time::Instant;

fn system(programs: usize, seed: u64, bounds: bool) -> Option<(System, Vec<Schedule>)> {
    let mut params = seamless_gen::GenParams {
        programs,
        modules: (programs / 12).max(2),
        cores: 2,
        messages: programs,
        modes: 2,
        seed,
        ..Default::default()
    };
    if !bounds {
        params.unavailability_percent = 0;
    }
    let (g, witness) = seamless_gen::feasible(&params);
    let mut sys = g.load().ok()?;
    for m in sys.modules.iter_mut() {
        m.memory = m.memory / 2 * 3;
    }
    Some((sys, witness))
}

fn main() {
    let seed: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(11);
    println!("programs | in both modes | migrations | chunks | plan time | latency (ticks)");
    for n in [25usize, 50, 100, 200, 400] {
        let Some((sys, w)) = system(n, seed, false) else {
            println!("{n} | the generated system does not load");
            continue;
        };
        let t = Instant::now();
        let r = plan_transition(&sys, 0, 1, &w[0], &w[1], 0, &PlanOptions::default());
        let el = t.elapsed();
        match r {
            Ok(p) => {
                let both = p
                    .programs
                    .iter()
                    .filter(|o| matches!(o.action, Action::Migrate | Action::Continue))
                    .count();
                println!(
                    "{n} | {both} | {} | {} | {el:.2?} | {}",
                    p.migrations.len(),
                    p.transfers.len(),
                    p.metrics.transition_latency
                );
            }
            Err(e) => println!(
                "{n} | | | | {el:.2?} | no plan: {}",
                e.to_string().lines().next().unwrap_or_default()
            ),
        }
    }
    let Some((sys, w)) = system(200, seed, true) else {
        return;
    };
    println!("\n200 programs with the generator's unavailability bounds");
    let t = Instant::now();
    let r = plan_transition(&sys, 0, 1, &w[0], &w[1], 0, &PlanOptions::default());
    let el = t.elapsed();
    match r {
        Ok(p) => println!(
            "default options: plan, latency {} ticks, {el:.2?}",
            p.metrics.transition_latency
        ),
        Err(e) => println!(
            "default options: {el:.2?}: {}",
            e.to_string().lines().next().unwrap_or_default()
        ),
    }
    println!("the search alone (no proof first), budget sweep");
    println!("budget (steps) | outcome | time");
    for budget in [100u64, 1_000, 10_000, 100_000, 1_000_000, 10_000_000] {
        let opts = PlanOptions {
            budget,
            prove: false,
            ..PlanOptions::default()
        };
        let t = Instant::now();
        let r = plan_transition(&sys, 0, 1, &w[0], &w[1], 0, &opts);
        let el = t.elapsed();
        let what = match r {
            Ok(p) => format!("plan, latency {} ticks", p.metrics.transition_latency),
            Err(e) => match &*e.problem {
                Problem::GaveUp { steps, .. } => {
                    format!("no plan found within the budget ({steps} steps spent)")
                }
                _ => format!(
                    "no plan: {}",
                    e.to_string().lines().next().unwrap_or_default()
                ),
            },
        };
        println!("{budget} | {what} | {el:.2?}");
    }
}
