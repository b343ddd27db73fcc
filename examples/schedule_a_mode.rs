//! Load a system folder, schedule one mode, check the schedule with the
//! independent verifier, and print it as JSON (§8 of docs/format.md).
//!
//! `cargo run --example schedule_a_mode -- modes/tutorial cruise`
//!
//! tests/examples.rs runs [`schedule_a_mode`] (`#[path]` includes this file).

use seamless_model::load::load;
use seamless_model::validate::Limits;
use std::path::Path;

/// Schedules `mode` of the system in `dir`; returns the verified schedule as
/// JSON, or why there is none.
pub fn schedule_a_mode(dir: &Path, mode: &str) -> Result<String, String> {
    // 1. Read the folder (system.ron first, then one file per mode) and
    //    validate it; on failure, render every diagnostic as the CLI does.
    let files = seamless_cli::io::read_system(dir).map_err(|e| e.to_string())?;
    let system = load(&files, Limits::default())
        .map_err(|diags| seamless_model::diag::render(&diags, &files))?;
    let m = system
        .mode_by_name(mode)
        .ok_or_else(|| format!("no mode `{mode}`"))?;
    // 2. Synthesize the tables (every mode, so that shared programs keep
    //    their modules where they can); the options bound the search.
    let synthesis = seamless_synth::synthesize(&system, &seamless_synth::Options::default());
    let schedule = synthesis.modes[m]
        .as_ref()
        .map_err(|why| format!("no schedule: {}", why.explain(&system)))?;
    // 3. Never trust a builder: check the table with the independent verifier.
    let report = seamless_verify::verify_schedule(&system, schedule);
    if !report.is_valid() {
        return Err(report.to_string());
    }
    serde_json::to_string_pretty(schedule).map_err(|e| e.to_string())
}

#[allow(dead_code)]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args.first().map_or("modes/tutorial", String::as_str);
    let mode = args.get(1).map_or("cruise", String::as_str);
    match schedule_a_mode(Path::new(dir), mode) {
        Ok(json) => println!("{json}"),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
