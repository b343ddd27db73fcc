//! Prints the hypervisor model's error table against the measured QEMU
//! pre-copy migrations (docs/benchmarks.md):
//!
//! ```text
//! cargo run --release -p seamless-migrate --example calibration [FILE.csv]
//! ```
//!
//! First with the fixed settings of the goal (final copy at 1 GiB/s, a 1 ms
//! switchover, 9 µs a first-touched page, 100 ms limiter windows, the
//! writer's phase unknown: the expectation over 16 phases of its cycle),
//! then with the final bandwidth, stop cost and first-touch cost fitted to
//! the file, then each bandwidth's runs with those three fitted on the other
//! bandwidths' runs (held out), then with the writer at one known lead (1.5 s, the harness's
//! nominal one) instead of the expectation, then the runs whose prediction
//! depends on the writer's phase: their rounds and total time at each of
//! the 16 phases.

use seamless_migrate::calibration::{
    Run, Settings, WRITER_LEAD_NS, cross_table, fit_and_hold_out, parse_runs, score, summarize,
    table,
};
use seamless_migrate::hypervisor::WriterPhase;

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/qemu-precopy.csv").to_string()
    });
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read `{path}`: {e}");
            std::process::exit(2);
        }
    };
    let run = || -> Result<(), String> {
        let runs = parse_runs(&text)?;
        let s = Settings::default();
        println!("fixed settings:");
        let scored = score(&runs, &s)?;
        print!("{}", table(&scored, &s));
        let calm: Vec<_> = scored
            .iter()
            .filter(|x| {
                !(x.run.bandwidth == 128 << 20
                    && x.run.dirty_percent == 90
                    && x.run.working_set == 64 << 20
                    && x.run.downtime_limit_ms == 300)
            })
            .cloned()
            .collect();
        let m = summarize(&calm);
        let independent = scored
            .iter()
            .filter(|x| {
                let ph = &x.predicted.phases;
                ph.iter().all(|q| {
                    (q.rounds, q.total_ns, q.bytes) == (ph[0].rounds, ph[0].total_ns, ph[0].bytes)
                })
            })
            .count();
        println!(
            "without the hovering point ({} runs): time max {:.1} %, bytes max {:.1} %; runs whose outcome is the same at every writer phase: {independent}",
            m.runs,
            100.0 * m.total_worst,
            100.0 * m.bytes_worst
        );
        let (f, folds) = fit_and_hold_out(&runs)?;
        println!("\nfitted final bandwidth, stop cost and first-touch cost:");
        print!("{}", table(&score(&runs, &f)?, &f));
        println!(
            "\nheld out: each bandwidth's runs with the three fitted on the other bandwidths:"
        );
        print!("{}", cross_table(&folds));
        let lead = Settings {
            writer_phase: WriterPhase::Lead(WRITER_LEAD_NS),
            ..Settings::default()
        };
        println!("\nfixed settings, but the writer at one known lead (not the expectation):");
        print!("{}", table(&score(&runs, &lead)?, &lead));
        println!(
            "\nruns whose total time depends on the writer's phase (more than 5 % between phases):"
        );
        println!("phase k: lead ms → rounds / total time s; expectation; measured");
        for x in &scored {
            let ph = &x.predicted.phases;
            let lo = ph.iter().map(|p| p.total_ns).min().unwrap_or(0);
            let hi = ph.iter().map(|p| p.total_ns).max().unwrap_or(0);
            if hi * 100 > lo * 105 {
                print_phases(&x.run, x);
            }
        }
        Ok(())
    };
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
}

fn print_phases(r: &Run, x: &seamless_migrate::calibration::Scored) {
    let s = |ns: u64| ns as f64 / 1e9;
    println!(
        "{}: expectation {} rounds / {:.2} s ({:+.1} %), measured {} / {:.2}",
        r.id,
        x.predicted.rounds,
        s(x.predicted.total_ns),
        100.0 * x.total,
        r.rounds,
        r.total_ms as f64 / 1000.0
    );
    let cells: Vec<String> = x
        .predicted
        .phases
        .iter()
        .enumerate()
        .map(|(k, p)| {
            format!(
                "{k}: {} → {} / {:.2}",
                p.lead_ns / 1_000_000,
                p.rounds,
                s(p.total_ns)
            )
        })
        .collect();
    for c in cells.chunks(8) {
        println!("  {}", c.join(", "));
    }
}
