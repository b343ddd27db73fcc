//! Random small systems through the portfolio (heuristic, then the complete
//! search), with an optional export of each system for an exact reference
//! (`dev/cpsat/reference.py`).
//!
//! ```text
//! cargo run --release -p seamless-exact --example small_sweep -- [SEEDS] [--dump DIR] [--breakdown]
//! ```
//!
//! `--breakdown` adds per seed where the time went (necessary checks,
//! heuristic rounds, complete search with its core) and, measured apart,
//! the complete search and the core shrinking alone from scratch.
//!
//! Per seed: 2–4 single-core modules behind one switch, 4–12 programs, up
//! to 12 messages, half the jitter bounds 0, pins and module lists, memory
//! within 5–30 % of the programs' total, utilisation 50–95 %. Prints one
//! line per seed (`scheduled`, `proven`, `gave-up`, time in ms) and a
//! summary with the median time.

use seamless_gen::{GenParams, generate};
use seamless_model::validate::Limits;
use seamless_model::{SourceFile, System};
use seamless_synth::{Infeasible, Options, Phase, PlacementHint, Progress, synthesize_mode};
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Instant;

/// The three parts of a run: checks, heuristic, complete search (+ core).
fn bucket(p: Phase) -> usize {
    match p {
        Phase::Checking => 0,
        Phase::Exact => 2,
        _ => 1,
    }
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

/// A small system for `seed`, memory tightened.
fn system(seed: u64) -> Option<(System, Vec<SourceFile>)> {
    let mut r = Rng(seed.wrapping_mul(7919) ^ 0x5EED);
    let modules = r.range(2, 4) as usize;
    let p = GenParams {
        name: format!("s{seed}"),
        programs: r.range(4, 12) as usize,
        modules,
        cores: 1,
        messages: r.range(0, 12) as usize,
        modes: 1,
        utilisation_percent: r.range(50, 95) as u32,
        seed,
        periods_us: vec![5_000, 10_000, 20_000, 40_000],
        jitter_percent: 70,
        pin_percent: 20,
        restrict_percent: 40,
        window_percent: 40,
        unavailability_percent: 0,
        override_percent: 0,
        once_percent: 0,
        switch_ports: 8,
        ..GenParams::default()
    };
    let g = generate(&p);
    let sys = g.load().ok()?;
    let total: u64 = sys.programs.iter().map(|q| q.memory).sum();
    let biggest: u64 = sys.programs.iter().map(|q| q.memory).max().unwrap_or(1);
    let slack = r.range(105, 130);
    let mib = 1u64 << 20;
    let per = (total * slack / 100 / modules as u64)
        .max(biggest)
        .div_ceil(mib);
    let mut files = g.sources();
    let mut text = String::new();
    for line in files[0].text.lines() {
        if line.trim_start().starts_with("Module(") {
            let cut = line.find("memory:").unwrap_or(line.len());
            let _ = writeln!(text, "{}memory: \"{per}MiB\"),", &line[..cut]);
        } else {
            let _ = writeln!(text, "{line}");
        }
    }
    files[0].text = text;
    let sys = seamless_model::load::load(&files, Limits::default()).ok()?;
    Some((sys, files))
}

/// The mode as JSON for the exact reference (`dev/cpsat/reference.py`):
/// frame, modules, programs with their job windows and core options,
/// messages with instance windows and the route (direction, transmission
/// time, latency per hop) between every pair of modules.
fn to_json(sys: &System) -> String {
    let m = &sys.modes[0];
    let net = &sys.network;
    let mut o = String::new();
    let _ = write!(
        o,
        "{{\"H\": {}, \"dirs\": {}, \"modules\": [",
        m.major_frame,
        net.directions()
    );
    for (i, md) in sys.modules.iter().enumerate() {
        let _ = write!(
            o,
            "{}{{\"memory\": {}, \"cores\": {}}}",
            if i > 0 { ", " } else { "" },
            md.memory,
            md.cores
        );
    }
    o.push_str("], \"programs\": [");
    for (i, mp) in m.programs.iter().enumerate() {
        let r = mp.requirement;
        let t = r.timing;
        let jobs: Vec<String> = (0..t.count(m.major_frame))
            .map(|k| {
                let w = t.instance_window(k);
                format!("[{}, {}]", w.start, w.end)
            })
            .collect();
        let mut opts = Vec::new();
        for &md in &mp.allowed {
            match mp.pin_core {
                Some(c) => opts.push(format!("[{md}, {c}]")),
                None => {
                    for c in 0..sys.modules[md].cores {
                        opts.push(format!("[{md}, {c}]"));
                    }
                }
            }
        }
        let _ = write!(
            o,
            "{}{{\"memory\": {}, \"wcet\": {}, \"period\": {}, \"jitter\": {}, \"options\": [{}], \"jobs\": [{}]}}",
            if i > 0 { ", " } else { "" },
            sys.programs[mp.program].memory,
            r.wcet,
            t.period().unwrap_or(m.major_frame),
            r.max_jitter.map_or("null".to_string(), |j| j.to_string()),
            opts.join(", "),
            jobs.join(", ")
        );
    }
    o.push_str("], \"messages\": [");
    let mut first = true;
    for mm in &m.messages {
        let msg = &sys.messages[mm.message];
        let Some(sender) = m.slot(msg.from) else {
            continue;
        };
        let recv: Vec<String> = msg
            .to
            .iter()
            .filter_map(|&q| m.slot(q))
            .map(|q| q.to_string())
            .collect();
        if recv.is_empty() {
            continue;
        }
        let insts: Vec<String> = (0..mm.timing.count(m.major_frame))
            .map(|k| {
                let w = mm.timing.instance_window(k);
                format!("[{}, {}]", w.start, w.end)
            })
            .collect();
        let mut routes = Vec::new();
        for a in 0..sys.modules.len() {
            for b in 0..sys.modules.len() {
                if a == b {
                    continue;
                }
                let hops: Vec<String> = net
                    .route(a, b)
                    .iter()
                    .map(|h| {
                        format!(
                            "[{}, {}, {}]",
                            h.dir_id(&net.links),
                            sys.tx_time(h.link, msg.size),
                            net.links[h.link].latency
                        )
                    })
                    .collect();
                routes.push(format!("\"{a},{b}\": [{}]", hops.join(", ")));
            }
        }
        let _ = write!(
            o,
            "{}{{\"sender\": {sender}, \"receivers\": [{}], \"precedence\": {}, \"insts\": [{}], \"routes\": {{{}}}}}",
            if first { "" } else { ", " },
            recv.join(", "),
            mm.precedence,
            insts.join(", "),
            routes.join(", ")
        );
        first = false;
    }
    o.push_str("]}\n");
    o
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seeds: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(100);
    let dump = args
        .iter()
        .position(|a| a == "--dump")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let breakdown = args.iter().any(|a| a == "--breakdown");
    let mut split_all: [Vec<f64>; 5] = Default::default();
    let (mut ok, mut proven, mut gave_up) = (0, 0, 0);
    let mut times = Vec::new();
    for seed in 0..seeds {
        let Some((sys, files)) = system(seed) else {
            println!("seed {seed}: did not load");
            continue;
        };
        if let Some(dir) = &dump {
            let d = format!("{dir}/{seed}");
            std::fs::create_dir_all(&d).expect("dump dir");
            std::fs::write(format!("{dir}/{seed}.json"), to_json(&sys)).expect("write");
            for f in &files {
                let name = std::path::Path::new(&f.name)
                    .file_name()
                    .map_or(f.name.clone(), |n| n.to_string_lossy().into_owned());
                std::fs::write(format!("{d}/{name}"), &f.text).expect("write");
            }
        }
        let t = Instant::now();
        // time per phase: what passed since the last report goes to the
        // phase reported last
        let phases = Mutex::new((t, Phase::Checking, [0f64; 3]));
        let on_progress = |pr: Progress| {
            let mut g = phases.lock().expect("phases");
            let now = Instant::now();
            let ms = (now - g.0).as_secs_f64() * 1000.0;
            let b = bucket(g.1);
            g.2[b] += ms;
            *g = (now, pr.phase, g.2);
        };
        let opts = Options {
            progress: breakdown.then_some(&on_progress as &(dyn Fn(Progress) + Sync)),
            ..Options::default()
        };
        let r = synthesize_mode(&sys, 0, &PlacementHint::default(), &opts);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        times.push(ms);
        let split = phases.into_inner().expect("phases").2;
        let what = match &r {
            Ok(s) => {
                let v = seamless_verify::verify_schedule(&sys, s);
                assert!(v.is_valid(), "seed {seed}: invalid schedule {v:?}");
                ok += 1;
                "scheduled"
            }
            Err(Infeasible::Proven { .. }) => {
                proven += 1;
                "proven"
            }
            Err(Infeasible::GaveUp(_)) => {
                gave_up += 1;
                "gave-up"
            }
        };
        let m = &sys.modes[0];
        let mut extra = String::new();
        if breakdown {
            // the complete search alone, and the core alone, from scratch
            let t = Instant::now();
            let eo = seamless_exact::Options::default();
            let alone = seamless_exact::solve(&sys, 0, &eo);
            let solve_ms = t.elapsed().as_secs_f64() * 1000.0;
            let t = Instant::now();
            if alone.outcome == seamless_exact::Outcome::Infeasible {
                let _ = seamless_exact::unsat_core(&sys, 0, &eo);
            }
            let core_ms = t.elapsed().as_secs_f64() * 1000.0;
            for (i, v) in split.iter().enumerate() {
                split_all[i].push(*v);
            }
            split_all[3].push(solve_ms);
            split_all[4].push(core_ms);
            let _ = write!(
                extra,
                " [check {:.1}, heuristic {:.1}, complete {:.1}; complete alone {solve_ms:.1} ({} steps), core alone {core_ms:.1}]",
                split[0], split[1], split[2], alone.steps
            );
        }
        println!(
            "seed {seed}: {} modules, {} programs, {} messages, {} jobs: {what} in {ms:.1} ms{extra}",
            sys.modules.len(),
            m.programs.len(),
            m.messages.len(),
            m.job_count
        );
    }
    if breakdown {
        let names = [
            "check",
            "heuristic",
            "complete+core",
            "complete alone",
            "core alone",
        ];
        for (n, v) in names.iter().zip(split_all.iter_mut()) {
            v.sort_by(f64::total_cmp);
            let sum: f64 = v.iter().sum();
            println!(
                "{n}: median {:.1} ms, total {sum:.0} ms",
                v.get(v.len() / 2).copied().unwrap_or(0.0)
            );
        }
    }
    times.sort_by(f64::total_cmp);
    let median = times.get(times.len() / 2).copied().unwrap_or(0.0);
    println!(
        "{} systems: {ok} scheduled, {proven} proven infeasible, {gave_up} gave up; median {median:.1} ms, max {:.1} ms",
        times.len(),
        times.last().copied().unwrap_or(0.0)
    );
}
