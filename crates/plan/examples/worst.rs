//! The worst case of one transition over every request instant, timed:
//! `cargo run --release -p seamless-plan --example worst -- modes/tutorial cruise landing [brute]`
//! (`brute` also plans at every instant and compares).

mod common;

use seamless_plan::{PlanOptions, worst_case_brute, worst_case_with};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, from, to, rest @ ..] = args.as_slice() else {
        eprintln!("usage: worst DIR FROM TO [brute]");
        std::process::exit(2);
    };
    let sys = common::load_dir(std::path::Path::new(dir));
    let syn = seamless_synth::synthesize(&sys, &seamless_synth::Options::default());
    let (a, b) = (
        sys.mode_by_name(from).expect("mode"),
        sys.mode_by_name(to).expect("mode"),
    );
    let (sa, sb) = (
        syn.modes[a].as_ref().expect("schedulable"),
        syn.modes[b].as_ref().expect("schedulable"),
    );
    let opts = PlanOptions::default();
    if let Some(r) = rest.iter().find_map(|x| x.strip_prefix("plan=")) {
        let r: u64 = r.parse().expect("a request instant in ticks");
        let t = Instant::now();
        let n = 10;
        for _ in 0..n {
            let _ = seamless_plan::plan_transition(&sys, a, b, sa, sb, r, &opts);
        }
        println!("one plan at {r}: {:.2?}", t.elapsed() / n);
        return;
    }
    let t = Instant::now();
    let calls = std::cell::Cell::new(0u64);
    let last = std::cell::Cell::new(Instant::now());
    let progress = |done: u64, total: u64| {
        calls.set(calls.get() + 1);
        if last.get().elapsed().as_secs_f64() > 2.0 {
            last.set(Instant::now());
            eprintln!(
                "  {:.1?}: {} plans, {done} of {total} ticks settled",
                t.elapsed(),
                calls.get()
            );
        }
    };
    let w = worst_case_with(&sys, a, b, sa, sb, &opts, Some(&progress));
    let el = t.elapsed();
    match &w {
        Ok(w) => println!(
            "worst case: latency {} at {}, {} plans, {:.2?}; {:?}",
            w.latency,
            w.latency_request,
            w.requests.len(),
            el,
            w.programs
        ),
        Err(e) => println!("no plan ({el:.2?}): {e}"),
    }
    if rest.iter().any(|x| x == "brute") {
        let t = Instant::now();
        let v = worst_case_brute(&sys, a, b, sa, sb, &opts);
        let el = t.elapsed();
        match (&w, &v) {
            (Ok(x), Ok(y)) => {
                let same = x.latency == y.latency
                    && x.latency_request == y.latency_request
                    && x.programs == y.programs;
                println!(
                    "brute force: latency {} at {}, {:.2?}: {}",
                    y.latency,
                    y.latency_request,
                    el,
                    if same { "the same" } else { "DIFFERENT" }
                );
                if !same {
                    println!("{:?}", y.programs);
                }
            }
            _ => println!(
                "brute force ({el:.2?}): {:?}",
                v.as_ref().map(|x| x.latency)
            ),
        }
    }
}
