//! Prints the hypervisor model's error table against the measured QEMU
//! pre-copy migrations (docs/benchmarks.md):
//!
//! ```text
//! cargo run --release -p seamless-migrate --example calibration [FILE.csv]
//! ```
//!
//! First with the fixed settings of the goal (final copy at 1 GiB/s, a 1 ms
//! switchover, 9 µs a first-touched page, 100 ms limiter windows), then
//! with the final bandwidth, stop cost and first-touch cost fitted to the
//! file.

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
        println!("\nfitted final bandwidth, stop cost and first-touch cost:");
        print!("{}", table(&score(&runs, &f)?, &f));
        Ok(())
    };
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
}
