//! Check a plan file written by another tool against a system: parse the
//! JSON (or RON) file with the verifier's reader and run every check of the
//! independent verifier on it. The verifier shares only the model types with
//! the builders of this project, so it judges any tool's plan the same way.
//!
//! `cargo run --example verify_foreign_plan -- modes/tutorial PLAN.json`
//!
//! tests/examples.rs runs [`verify_plan_file`] on a plan written by the
//! planner and on a tampered copy (`#[path]` includes this file).

use seamless_model::load::load;
use seamless_model::validate::Limits;
use std::path::Path;

/// Verifies the plan in `file` against the system in `dir`: `Ok(summary)`
/// if the plan is valid, `Err(every violation)` otherwise (or why the file
/// could not be read).
pub fn verify_plan_file(dir: &Path, file: &Path) -> Result<String, String> {
    let files = seamless_cli::io::read_system(dir).map_err(|e| e.to_string())?;
    let system = load(&files, Limits::default())
        .map_err(|diags| seamless_model::diag::render(&diags, &files))?;
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let plan = if file.extension().is_some_and(|x| x == "ron") {
        seamless_verify::parse_plan_ron(&text)
    } else {
        seamless_verify::parse_plan_json(&text)
    }
    .map_err(|e| format!("{}: {e}", file.display()))?;
    let report = seamless_verify::verify_plan(&system, &plan);
    if report.is_valid() {
        Ok(format!(
            "valid plan {} → {}: transition latency {} ticks",
            plan.from, plan.to, plan.metrics.transition_latency
        ))
    } else {
        Err(report.to_string())
    }
}

#[allow(dead_code)]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(file)) = (args.first(), args.get(1)) else {
        eprintln!("usage: verify_foreign_plan SYSTEM_DIR PLAN_FILE");
        std::process::exit(2);
    };
    match verify_plan_file(Path::new(dir), Path::new(file)) {
        Ok(s) => println!("{s}"),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
