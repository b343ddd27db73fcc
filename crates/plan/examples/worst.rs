//! The worst case of one transition over every request instant, timed:
//! `cargo run --release -p seamless-plan --example worst -- modes/tutorial cruise landing [brute]`
//! (`brute` also plans at every instant and compares).

use seamless_model::diag::SourceFile;
use seamless_model::load::{load, order_files};
use seamless_model::validate::Limits;
use seamless_plan::{PlanOptions, worst_case, worst_case_brute};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, from, to, rest @ ..] = args.as_slice() else {
        eprintln!("usage: worst DIR FROM TO [brute]");
        std::process::exit(2);
    };
    let mut files = Vec::new();
    for e in std::fs::read_dir(dir).expect("a system folder") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "ron") {
            files.push(SourceFile {
                name: p
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                text: std::fs::read_to_string(&p).expect("readable"),
            });
        }
    }
    let sys = load(&order_files(files).expect("system.ron"), Limits::default()).expect("valid");
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
    let t = Instant::now();
    let w = worst_case(&sys, a, b, sa, sb, &opts);
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
