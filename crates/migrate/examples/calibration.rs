//! Prints the hypervisor model's error table against the measured QEMU
//! pre-copy migrations (docs/benchmarks.md):
//!
//! ```text
//! cargo run --release -p seamless-migrate --example calibration [FILE.csv]
//! ```
//!
//! First with the fixed settings of the goal (final copy at 1 GiB/s, a 1 ms
//! switchover, 9 µs a first-touched page, 100 ms limiter windows, a writer
//! 1.5 s into its cycles), then with the final bandwidth, stop cost and
//! first-touch cost fitted to the file, then the runs whose prediction
//! depends most on where the guest's writer is when the migration starts:
//! their rounds and total time for writer leads 1.30 s to 1.80 s.

use seamless_migrate::calibration::{Run, Settings, fit, parse_runs, score, table};

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
        print!("{}", table(&score(&runs, &s)?, &s));
        let f = fit(&runs)?;
        println!("\nfitted final bandwidth, stop cost and first-touch cost:");
        print!("{}", table(&score(&runs, &f)?, &f));
        println!("\nwriter lead (ms) → predicted rounds / total time (s), measured in brackets:");
        let leads: Vec<u64> = (0..=10).map(|k| 1300 + 50 * k).collect();
        for r in &runs {
            let at = |lead: u64| -> Result<(u32, f64), String> {
                let s = Settings {
                    writer_lead_ns: lead * 1_000_000,
                    ..Settings::default()
                };
                let x = score(std::slice::from_ref(r), &s)?.remove(0);
                Ok((x.predicted.rounds, x.predicted.total_ns as f64 / 1e9))
            };
            let row: Vec<(u32, f64)> = leads.iter().map(|&l| at(l)).collect::<Result<_, _>>()?;
            let (lo, hi) = row
                .iter()
                .fold((f64::MAX, 0f64), |(a, b), x| (a.min(x.1), b.max(x.1)));
            if hi > lo * 1.05 {
                print_lead_row(r, &leads, &row);
            }
        }
        Ok(())
    };
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
}

fn print_lead_row(r: &Run, leads: &[u64], row: &[(u32, f64)]) {
    println!(
        "{} [{} / {:.2}]",
        r.id,
        r.rounds,
        r.total_ms as f64 / 1000.0
    );
    let cells: Vec<String> = leads
        .iter()
        .zip(row)
        .map(|(l, (n, t))| format!("{l}: {n} / {t:.2}"))
        .collect();
    println!("  {}", cells.join(", "));
}
