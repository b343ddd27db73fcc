//! Prints the hypervisor model's error table against the measured QEMU
//! pre-copy migrations (docs/benchmarks.md):
//!
//! ```text
//! cargo run --release -p seamless-migrate --example calibration [FILE.csv]
//! ```
//!
//! First with the fixed settings the goal names (final copy at 1 GiB/s, no
//! fixed stop cost, 100 ms limiter windows), then with the final bandwidth
//! and stop cost fitted to the file.

use seamless_migrate::calibration::{Settings, fit, parse_runs, score, table};

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
        println!("\nfitted final bandwidth and stop cost:");
        print!("{}", table(&score(&runs, &f)?, &f));
        Ok(())
    };
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
}
