//! Measures the planner: every allowed ISS transition (tables from the
//! synthesizer), the ISS worst case of one transition, and a generated
//! system of 200 programs. Run with
//! `cargo run --release -p seamless-plan --example timing`.

mod common;

use seamless_model::System;
use seamless_model::plan::Action;
use seamless_plan::{PlanOptions, plan_transition, worst_case};
use std::time::Instant;

fn load_dir(dir: &str) -> System {
    common::load_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(dir),
    )
}

fn main() {
    let opts = PlanOptions::default();
    // ---- ISS
    let sys = load_dir("modes/iss");
    let t = Instant::now();
    let syn = seamless_synth::synthesize(&sys, &seamless_synth::Options::default());
    println!("ISS: synthesis {:.2?}", t.elapsed());
    let scheds: Vec<_> = syn
        .modes
        .into_iter()
        .map(|r| r.expect("schedulable"))
        .collect();
    let t = Instant::now();
    let (mut ok, mut failed, mut migs) = (0, 0, 0);
    for &(a, b) in &sys.transitions {
        match plan_transition(&sys, a, b, &scheds[a], &scheds[b], 1, &opts) {
            Ok(p) => {
                ok += 1;
                migs += p.migrations.len();
            }
            Err(_) => failed += 1,
        }
    }
    println!(
        "ISS: {} transitions planned at r = 1 tick in {:.2?} ({ok} plans, {failed} without a plan, {migs} migrations)",
        sys.transitions.len(),
        t.elapsed()
    );
    let (a, b) = (
        sys.mode_by_name("standard").unwrap_or(0),
        sys.mode_by_name("survival").unwrap_or(1),
    );
    let t = Instant::now();
    match worst_case(&sys, a, b, &scheds[a], &scheds[b], &opts) {
        Ok(w) => println!(
            "ISS standard → survival worst case: latency {} ticks at r = {}, {} request instants, {:.2?}",
            w.latency,
            w.latency_request,
            w.requests.len(),
            t.elapsed()
        ),
        Err(e) => println!("ISS worst case: {e} ({:.2?})", t.elapsed()),
    }
    // ---- a generated system with 200 programs (module memory raised by half:
    // the generator sizes it to each mode's witness, leaving no room for
    // a program to be on two modules at once)
    for seed in [3u64, 4] {
        let params = seamless_gen::GenParams {
            programs: 200,
            modules: 16,
            cores: 4,
            messages: 120,
            modes: 2,
            seed,
            mode_share_percent: 95,
            unavailability_percent: 0,
            pin_percent: 0,
            ..Default::default()
        };
        let (g, witness) = seamless_gen::feasible(&params);
        let mut gsys = match g.load() {
            Ok(s) => s,
            Err(d) => {
                println!("generated system {seed} does not load: {d:?}");
                continue;
            }
        };
        for m in gsys.modules.iter_mut() {
            m.memory = m.memory / 2 * 3;
        }
        let t = Instant::now();
        match plan_transition(&gsys, 0, 1, &witness[0], &witness[1], 1, &opts) {
            Ok(p) => {
                let moved = p
                    .programs
                    .iter()
                    .filter(|o| o.action == Action::Migrate)
                    .count();
                println!(
                    "generated (seed {seed}, memory ×1.5): {} programs, {moved} migrations, {} chunks, planned in {:.2?} (latency {} ticks)",
                    p.programs.len(),
                    p.transfers.len(),
                    t.elapsed(),
                    p.metrics.transition_latency
                );
            }
            Err(e) => println!(
                "generated (seed {seed}): no plan in {:.2?}: {e}",
                t.elapsed()
            ),
        }
    }
}
