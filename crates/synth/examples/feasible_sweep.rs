//! Synthesizes feasible-by-construction systems over a range of seeds and
//! checks every schedule with the independent verifier.
//!
//! ```text
//! cargo run --release -p seamless-synth --example feasible_sweep -- \
//!     SEEDS PROGRAMS MODULES CORES MESSAGES MODES UTIL_PERCENT [--from SEED] [--tight] [--explain]
//! cargo run --release -p seamless-synth --example feasible_sweep -- --scale
//! ```
//!
//! Prints one line per seed (size, time, per mode `ok`/`FAIL`/`INVALID`,
//! migrations against the witness's) and the count of modes scheduled.

use seamless_gen::{GenParams, feasible};
use seamless_model::System;
use seamless_synth::{Options, synthesize};
use std::time::Instant;

#[path = "../tests/support/scale.rs"]
mod scale;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let explain = args.iter().any(|a| a == "--explain");
    if args.iter().any(|a| a == "--scale") {
        let sys = scale::scale_system(0);
        report(0, &sys, None, explain, &mut 0, &mut 0);
        return;
    }
    let nums: Vec<u64> = args
        .iter()
        .enumerate()
        .filter(|(i, _)| *i == 0 || args[i - 1] != "--from")
        .filter_map(|(_, a)| a.parse().ok())
        .collect();
    let get = |i: usize, d: u64| nums.get(i).copied().unwrap_or(d);
    let base = GenParams {
        programs: get(1, 100) as usize,
        modules: get(2, 8) as usize,
        cores: get(3, 2) as u32,
        messages: get(4, 80) as usize,
        modes: get(5, 1) as usize,
        utilisation_percent: get(6, 70) as u32,
        ..GenParams::default()
    };
    // `--tight`: more windows, jitter bounds, pins and module lists
    let base = if args.iter().any(|a| a == "--tight") {
        GenParams {
            window_percent: 70,
            jitter_percent: 50,
            unavailability_percent: 60,
            pin_percent: 20,
            restrict_percent: 40,
            ..base
        }
    } else {
        base
    };
    let (mut ok, mut total) = (0, 0);
    let first = args
        .iter()
        .position(|a| a == "--from")
        .and_then(|i| args.get(i + 1))
        .and_then(|x| x.parse().ok())
        .unwrap_or(0);
    for seed in first..first + get(0, 10) {
        let (generated, witness) = feasible(&GenParams {
            seed,
            ..base.clone()
        });
        let sys = generated.load().expect("generated systems load");
        report(seed, &sys, Some(&witness), explain, &mut ok, &mut total);
    }
    println!("{ok}/{total} modes scheduled and verified");
}

fn report(
    seed: u64,
    sys: &System,
    witness: Option<&[seamless_model::schedule::Schedule]>,
    explain: bool,
    ok: &mut u32,
    total: &mut u32,
) {
    let t = Instant::now();
    let syn = synthesize(sys, &Options::default());
    let elapsed = t.elapsed();
    let jobs: u64 = sys.modes.iter().map(|m| m.job_count).sum();
    let insts: u64 = sys.modes.iter().map(|m| m.instance_count).sum();
    let programs: usize = sys.modes.iter().map(|m| m.programs.len()).sum();
    let mut line = format!(
        "seed {seed}: {programs} programs, {jobs} jobs, {insts} instances, {:.3}s:",
        elapsed.as_secs_f64()
    );
    for r in &syn.modes {
        *total += 1;
        match r {
            Ok(s) => {
                let v = seamless_verify::verify_schedule(sys, s);
                if v.is_valid() {
                    *ok += 1;
                    line.push_str(" ok");
                } else {
                    line.push_str(" INVALID");
                    eprintln!("{v}");
                }
            }
            Err(e) => {
                line.push_str(" FAIL");
                if explain {
                    eprintln!("{}", e.explain(sys));
                }
            }
        }
    }
    let moved: usize = syn.moves.iter().map(|m| m.programs.len()).sum();
    line.push_str(&format!(", {moved} migrations"));
    if let Some(w) = witness {
        let mut wmoved = 0;
        for &(a, b) in &sys.transitions {
            for pa in &w[a].placement {
                if w[b]
                    .placement
                    .iter()
                    .any(|pb| pb.program == pa.program && pb.module != pa.module)
                {
                    wmoved += 1;
                }
            }
        }
        line.push_str(&format!(" (witness {wmoved})"));
    }
    println!("{line}");
}
