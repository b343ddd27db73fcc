//! Utilisation sweep in the manner of Minaeva et al. (IEEE TC 2018): for
//! each generated family, the highest processor utilisation, in 1 % steps,
//! at which the portfolio (heuristic, then the complete search) still
//! schedules it.
//!
//! ```text
//! cargo run --release -p seamless-exact --example util_sweep -- [FAMILIES] [BUDGET]
//! ```
//!
//! A family is one generated system (seed 0..FAMILIES): 3 single-core
//! modules behind one switch, 6–14 programs with periods 5, 10, 20 and
//! 40 ms and no explicit windows, up to 8 messages, ample memory. Each
//! family is run in three variants: every program strictly periodic
//! (jitter 0), jitter bounded by 10 % of the period, and jitter free. For a
//! target utilisation `u` every wcet is scaled by the same factor so that
//! Σ wcet/period over the three cores is `u` % (integer ticks, rounded
//! down). The scan goes down from 100 % and stops at the first `u` that
//! schedules (each schedule checked by the verifier); the result is
//! *exact* when every higher step was proven infeasible, a lower bound
//! when some higher step gave up within BUDGET steps (default 10,000,000).

use seamless_gen::{GenParams, generate};
use seamless_model::System;
use seamless_synth::{Infeasible, Options, PlacementHint, synthesize_mode};
use std::time::{Duration, Instant};

/// The jitter rule of a variant.
#[derive(Clone, Copy)]
enum Jitter {
    Zero,
    Tenth,
    Free,
}

impl Jitter {
    fn name(self) -> &'static str {
        match self {
            Jitter::Zero => "jitter 0",
            Jitter::Tenth => "jitter <= T/10",
            Jitter::Free => "jitter free",
        }
    }
}

/// The family of `seed` with the jitter rule applied.
fn family(seed: u64, jitter: Jitter) -> Option<System> {
    let mut r = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xF00D;
    let mut draw = |lo: u64, hi: u64| {
        r ^= r << 13;
        r ^= r >> 7;
        r ^= r << 17;
        lo + r % (hi - lo + 1)
    };
    let p = GenParams {
        name: format!("f{seed}"),
        programs: draw(6, 14) as usize,
        modules: 3,
        cores: 1,
        messages: draw(0, 8) as usize,
        modes: 1,
        utilisation_percent: 50,
        seed,
        periods_us: vec![5_000, 10_000, 20_000, 40_000],
        jitter_percent: 0,
        pin_percent: 0,
        restrict_percent: 20,
        window_percent: 0,
        unavailability_percent: 0,
        override_percent: 0,
        once_percent: 0,
        switch_ports: 8,
        ..GenParams::default()
    };
    let mut sys = generate(&p).load().ok()?;
    for md in &mut sys.modules {
        md.memory = 1 << 40;
    }
    for mp in &mut sys.modes[0].programs {
        let t = mp.requirement.timing.period()?;
        mp.requirement.max_jitter = match jitter {
            Jitter::Zero => Some(0),
            Jitter::Tenth => Some(t / 10),
            Jitter::Free => None,
        };
    }
    Some(sys)
}

/// Busy ticks per major frame and the frame's capacity over all cores.
fn demand(sys: &System) -> (u128, u128) {
    let m = &sys.modes[0];
    let h = u128::from(m.major_frame);
    let busy = m
        .programs
        .iter()
        .map(|mp| {
            let r = mp.requirement;
            u128::from(r.wcet) * u128::from(r.timing.count(m.major_frame))
        })
        .sum();
    let cores: u128 = sys.modules.iter().map(|md| u128::from(md.cores)).sum();
    (busy, h * cores)
}

/// `base` with every wcet scaled to `u` % utilisation; `None` when a job
/// would then be longer than its period (infeasible on its face).
fn scaled(base: &System, u: u32) -> Option<System> {
    let (busy, cap) = demand(base);
    let mut sys = base.clone();
    for mp in &mut sys.modes[0].programs {
        let w = u128::from(mp.requirement.wcet) * cap * u128::from(u) / (100 * busy);
        let t = mp.requirement.timing.period()?;
        if w > u128::from(t) {
            return None;
        }
        mp.requirement.wcet = (w as u64).max(1);
    }
    Some(sys)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let families: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(20);
    let budget: u64 = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000_000);
    let opts = Options {
        budget,
        time_limit: Duration::from_secs(600),
        ..Options::default()
    };
    let started = Instant::now();
    for jitter in [Jitter::Zero, Jitter::Tenth, Jitter::Free] {
        let mut highest = Vec::new();
        let mut exact = 0;
        for seed in 0..families {
            let Some(base) = family(seed, jitter) else {
                println!("{}: family {seed} did not load", jitter.name());
                continue;
            };
            let mut gave_up = Vec::new();
            let mut found = None;
            for u in (1..=100).rev() {
                let Some(sys) = scaled(&base, u) else {
                    continue;
                };
                match synthesize_mode(&sys, 0, &PlacementHint::default(), &opts) {
                    Ok(s) => {
                        let v = seamless_verify::verify_schedule(&sys, &s);
                        assert!(v.is_valid(), "family {seed} at {u} %: {v:?}");
                        found = Some(u);
                        break;
                    }
                    Err(Infeasible::Proven { .. }) => {}
                    Err(Infeasible::GaveUp(_)) => gave_up.push(u),
                }
            }
            let m = &base.modes[0];
            let u = found.unwrap_or(0);
            if gave_up.is_empty() {
                exact += 1;
            }
            println!(
                "{}: family {seed} ({} programs, {} messages, {} jobs at most): highest {u} %{}",
                jitter.name(),
                m.programs.len(),
                m.messages.len(),
                m.job_count,
                if gave_up.is_empty() {
                    " (exact: every higher step proven infeasible)".to_string()
                } else {
                    format!(" (at least: gave up at {gave_up:?})")
                }
            );
            highest.push(u);
        }
        highest.sort_unstable();
        let n = highest.len().max(1);
        let mean = highest.iter().map(|&u| f64::from(u)).sum::<f64>() / n as f64;
        println!(
            "{}: {} families, highest utilisation median {} %, mean {mean:.1} %, min {} %, max {} %; exact in {exact}",
            jitter.name(),
            highest.len(),
            highest.get(highest.len() / 2).copied().unwrap_or(0),
            highest.first().copied().unwrap_or(0),
            highest.last().copied().unwrap_or(0),
        );
    }
    println!("total {:.1} s", started.elapsed().as_secs_f64());
}
