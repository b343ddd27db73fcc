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
//! `cargo run --release -p seamless-system --example feasible_plans [systems] [-v]`
//! (seeds `0..systems`; `-v` prints every failing transition's reason in
//! short; the environment variable `FROM=k` starts at seed `k`, `FULL=1`
//! prints the planner's full text for every failure of the witness or
//! mode-by-mode tables). Issue 8's figure is "of the N whose witness tables
//! plan every transition: every transition planned system-level on M".

#[path = "../tests/common/family.rs"]
mod family;

use seamless_model::System;
use seamless_plan::{PlanOptions, Problem, plan_transition};
use seamless_synth::Options;

/// Whether every transition plans (and the plan verifies); the reasons of
/// those that do not, in short.
fn all_plan(
    sys: &System,
    schedules: &[Option<&seamless_model::schedule::Schedule>],
) -> (bool, Vec<String>) {
    let mut why = Vec::new();
    for &(a, b) in &sys.transitions {
        match (schedules[a], schedules[b]) {
            (Some(sa), Some(sb)) => match plan_transition(sys, a, b, sa, sb, 0, &quick()) {
                Ok(p) if seamless_verify::verify_plan(sys, &p).is_valid() => {}
                Ok(_) => why.push(format!("{a}→{b}: plan rejected by the verifier")),
                Err(np) => {
                    if std::env::var_os("FULL").is_some() {
                        println!("{np}");
                    }
                    why.push(format!("{a}→{b}: {}", short(&np.problem)))
                }
            },
            _ => why.push(format!("{a}→{b}: a table is missing")),
        }
    }
    (why.is_empty(), why)
}

/// One failure reason in a few words.
fn short(p: &Problem) -> String {
    match p {
        Problem::Unavailability {
            program,
            action,
            unavailability,
            bound,
            ..
        } => format!("{program} {action:?} unavailable {unavailability} > {bound}"),
        Problem::Memory {
            module,
            needed,
            capacity,
            ..
        } => format!("memory {module} {} > {} MiB", needed >> 20, capacity >> 20),
        Problem::Saturated { program, .. } => format!("{program} link saturated"),
        Problem::Proven(p) => format!(
            "{} proven unavailable at least {} > {} ({})",
            p.program, p.at_least, p.bound, p.reason
        ),
        Problem::GaveUp { .. } => "gave up".to_string(),
        Problem::Input { message } => format!("input: {message}"),
    }
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
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "-v");
    let n: u64 = args.iter().find_map(|a| a.parse().ok()).unwrap_or(40);
    let opts = Options::default();
    let (mut eligible, mut total, mut old_ok, mut new_ok, mut rounds) = (0, 0, 0, 0, 0);
    let mut new_on_eligible = 0;
    let from: u64 = std::env::var("FROM")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    for seed in from..n {
        let (generated, witness) = seamless_gen::feasible(&family::family(seed));
        let Ok(sys) = generated.load() else {
            continue;
        };
        let m = sys.modes.len();
        let w: Vec<_> = witness.iter().map(Some).collect();
        let (witness_ok, witness_why) = if w.len() == m {
            all_plan(&sys, &w)
        } else {
            (false, vec!["witness tables missing".to_string()])
        };
        eligible += usize::from(witness_ok);
        total += 1;
        let old = seamless_synth::synthesize(&sys, &opts);
        let o: Vec<_> = old.modes.iter().map(|r| r.as_ref().ok()).collect();
        let (old_all, _) = all_plan(&sys, &o);
        let all = seamless_system::plan_all(
            &sys,
            &opts,
            &|a, b, sa, sb| plan_transition(&sys, a, b, sa, sb, 0, &quick()),
            2,
        );
        let mut new_why = Vec::new();
        for (a, b, r) in &all.plans {
            match r {
                Ok(p) if seamless_verify::verify_plan(&sys, p).is_valid() => {}
                Ok(_) => new_why.push(format!("{a}→{b}: plan rejected by the verifier")),
                Err(Some(np)) => new_why.push(format!("{a}→{b}: {}", short(&np.problem))),
                Err(None) => new_why.push(format!("{a}→{b}: a table is missing")),
            }
        }
        let new_all = new_why.is_empty();
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
        if verbose {
            for w in &witness_why {
                println!("    witness {w}");
            }
            for w in &new_why {
                println!("    system-level {w}");
            }
        }
    }
    println!(
        "{total} systems ({eligible} whose witness tables plan every transition): every transition planned on {old_ok} mode by mode, {new_ok} system-level ({rounds} feedback rounds in all)"
    );
    println!(
        "of the {eligible} whose witness tables plan every transition: every transition planned system-level on {new_on_eligible}"
    );
}
