//! Plan one mode switch (live migrations included), check the plan with the
//! independent verifier, and print its summary and JSON (§8 of
//! docs/format.md).
//!
//! `cargo run --example plan_one_switch -- modes/tutorial cruise landing`
//!
//! tests/examples.rs runs [`plan_one_switch`] (`#[path]` includes this file).

use seamless_model::load::load;
use seamless_model::plan::Plan;
use seamless_model::validate::Limits;
use std::path::Path;

/// Plans the switch `from → to` of the system in `dir`, requested at the
/// start of `from`'s frame; returns the verified plan.
pub fn plan_one_switch(dir: &Path, from: &str, to: &str) -> Result<Plan, String> {
    let files = seamless_cli::io::read_system(dir).map_err(|e| e.to_string())?;
    let system = load(&files, Limits::default())
        .map_err(|diags| seamless_model::diag::render(&diags, &files))?;
    let mode = |name: &str| {
        system
            .mode_by_name(name)
            .ok_or_else(|| format!("no mode `{name}`"))
    };
    let (a, b) = (mode(from)?, mode(to)?);
    // Both tables first: a plan joins two verified schedules.
    let synthesis = seamless_synth::synthesize(&system, &seamless_synth::Options::default());
    let table = |m: usize| {
        synthesis.modes[m]
            .as_ref()
            .map_err(|why| format!("no schedule: {}", why.explain(&system)))
    };
    let (sa, sb) = (table(a)?, table(b)?);
    let plan = seamless_plan::plan_transition(
        &system,
        a,
        b,
        sa,
        sb,
        0,
        &seamless_plan::PlanOptions::default(),
    )
    .map_err(|why| why.to_string())?;
    let report = seamless_verify::verify_plan(&system, &plan);
    if !report.is_valid() {
        return Err(report.to_string());
    }
    Ok(plan)
}

#[allow(dead_code)]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, d: &'static str| args.get(i).map_or(d, String::as_str).to_string();
    let (dir, from, to) = (
        arg(0, "modes/tutorial"),
        arg(1, "cruise"),
        arg(2, "landing"),
    );
    match plan_one_switch(Path::new(&dir), &from, &to) {
        Ok(plan) => {
            println!(
                "{} → {}: switch point {}, complete at {}, {} migration(s)",
                plan.from,
                plan.to,
                plan.switch,
                plan.complete,
                plan.migrations.len()
            );
            for m in &plan.migrations {
                println!(
                    "  {} moves {} → {} by {} ({} bytes)",
                    m.program,
                    m.from.module,
                    m.to.module,
                    m.scheme.name(),
                    m.bytes
                );
            }
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
