//! Development aid: synthesizes feasible-by-construction systems and prints
//! what was found. `cargo run --release -p seamless-synth --example gen_stats -- SEEDS PROGRAMS MODULES CORES MESSAGES MODES UTIL`
use seamless_gen::{GenParams, feasible};
use seamless_synth::{Options, synthesize};
use std::time::Instant;

#[path = "../tests/support/scale.rs"]
mod scale;

fn main() {
    let a: Vec<u64> = std::env::args()
        .skip(1)
        .map(|x| x.parse().expect("number"))
        .collect();
    let get = |i: usize, d: u64| a.get(i).copied().unwrap_or(d);
    let seeds = get(0, 10);
    let params = GenParams {
        programs: get(1, 100) as usize,
        modules: get(2, 8) as usize,
        cores: get(3, 2) as u32,
        messages: get(4, 80) as usize,
        modes: get(5, 1) as usize,
        utilisation_percent: get(6, 70) as u32,
        ..GenParams::default()
    };
    let params = match std::env::var("PERIODS") {
        Ok(v) => GenParams {
            periods_us: v.split(',').map(|x| x.parse().expect("period")).collect(),
            ..params
        },
        Err(_) => params,
    };
    let mut ok = 0;
    let mut total = 0;
    for seed in 0..seeds {
        let p = GenParams {
            seed,
            ..params.clone()
        };
        let (sys, witness) = if std::env::var("SCALE").is_ok() {
            (
                scale::scale_system_with(seed, std::env::var("DEEP").is_ok()),
                Vec::new(),
            )
        } else {
            let (g, witness) = feasible(&p);
            (g.load().expect("loads"), witness)
        };
        if std::env::var("PERIOD_HIST").is_ok() {
            let mut hist = std::collections::BTreeMap::new();
            for mp in &sys.modes[0].programs {
                *hist.entry(mp.requirement.timing.period()).or_insert(0) += 1;
            }
            eprintln!("periods {hist:?} frame {}", sys.modes[0].major_frame);
        }
        let t = Instant::now();
        let r = synthesize(&sys, &Options::default());
        let el = t.elapsed();
        let jobs: u64 = sys.modes.iter().map(|m| m.job_count).sum();
        let insts: u64 = sys.modes.iter().map(|m| m.instance_count).sum();
        let mut line = format!(
            "seed {seed}: {} progs {jobs} jobs {insts} insts {:.3}s",
            sys.modes.iter().map(|m| m.programs.len()).sum::<usize>(),
            el.as_secs_f64()
        );
        for (mi, m) in r.modes.iter().enumerate() {
            total += 1;
            match m {
                Ok(s) => {
                    let rep = seamless_verify::verify_schedule(&sys, s);
                    if rep.is_valid() {
                        ok += 1;
                        line.push_str(" ok");
                    } else {
                        line.push_str(&format!(" INVALID({})", rep.total()));
                        eprintln!("{rep}");
                    }
                }
                Err(e) => {
                    line.push_str(" FAIL");
                    if let Ok(v) = std::env::var("DESCRIBE") {
                        describe(&sys, &v.split(",").collect::<Vec<_>>());
                    }
                    if std::env::var("EXPLAIN").is_ok() {
                        eprintln!("{}", e.explain(&sys));
                    }
                    let _ = mi;
                }
            }
        }
        let moved: usize = r.moves.iter().map(|m| m.programs.len()).sum();
        let mut wmoved = 0;
        for &(a, b) in &sys.transitions {
            for pa in &witness[a].placement {
                if witness[b]
                    .placement
                    .iter()
                    .any(|pb| pb.program == pa.program && pb.module != pa.module)
                {
                    wmoved += 1;
                }
            }
        }
        println!("{line} moves {moved} (witness {wmoved})");
    }
    println!("{ok}/{total} modes scheduled");
}

#[allow(dead_code)]
fn describe(sys: &seamless_model::System, names: &[&str]) {
    for n in names {
        let p = sys.program_by_name(n).unwrap();
        let pr = &sys.programs[p];
        eprintln!(
            "{n}: {:?} unavail {:?} modules {:?}",
            pr.requirement, pr.max_unavailability, pr.modules
        );
    }
}
