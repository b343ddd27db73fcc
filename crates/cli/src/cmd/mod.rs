//! One function per subcommand: load, call the library, render.

pub mod export;
pub mod plan;
pub mod schedule;
pub mod tables;

use crate::io::{IoError, read_system, write_atomic};
use crate::report;
use crate::{EXIT_OK, Format, GenerateArgs, MigrateArgs};
use seamless_model::diag::render;
use seamless_model::load::load;
use seamless_model::validate::Limits;
use seamless_model::{SourceFile, System};
use std::io::Write;
use std::path::Path;

/// Why a command could not run: its text goes to stderr, exit code 2.
#[derive(Debug)]
pub enum Failure {
    /// Bad input or command line: the text, for stderr (exit code 2).
    Input(String),
    /// The reader of stdout went away (`seamless ... | head`): stop quietly.
    Closed,
}

impl From<IoError> for Failure {
    fn from(e: IoError) -> Self {
        Failure::Input(format!("error: {e}\n"))
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Failure::Closed;
        }
        Failure::Input(format!("error: cannot write output: {e}\n"))
    }
}

/// Reads and validates a system folder; renders every diagnostic on failure.
pub fn load_system(dir: &Path, limits: Limits) -> Result<(System, Vec<SourceFile>), Failure> {
    let files = read_system(dir)?;
    match load(&files, limits) {
        Ok(s) => Ok((s, files)),
        Err(diags) => {
            let mut text = render(&diags, &files);
            let n = diags.len();
            text.push_str(&format!(
                "\nerror: `{}` is not a valid system: {n} error{}\n",
                dir.display(),
                if n == 1 { "" } else { "s" }
            ));
            Err(Failure::Input(text))
        }
    }
}

/// A document as JSON (pretty) or RON (pretty), with a final newline; text
/// is not a document format (callers render text themselves).
pub fn encode_doc<T: serde::Serialize>(value: &T, format: Format) -> Result<String, Failure> {
    let mut s = match format {
        Format::Json | Format::Text => {
            serde_json::to_string_pretty(value).map_err(|e| Failure::Input(e.to_string()))?
        }
        Format::Ron => ron::ser::to_string_pretty(value, ron::ser::PrettyConfig::default())
            .map_err(|e| Failure::Input(e.to_string()))?,
    };
    s.push('\n');
    Ok(s)
}

pub fn validate(
    out: &mut dyn Write,
    dir: &Path,
    format: Format,
    limits: Limits,
) -> Result<i32, Failure> {
    let (system, files) = load_system(dir, limits)?;
    let (text, failed) = report::validation(&system, &files);
    match format {
        Format::Text => out.write_all(text.as_bytes())?,
        f => out.write_all(encode_doc(&report::validation_doc(&system), f)?.as_bytes())?,
    }
    Ok(if failed { crate::EXIT_FINDING } else { EXIT_OK })
}

pub fn expand(
    out: &mut dyn Write,
    dir: &Path,
    mode: Option<&str>,
    format: Format,
    limits: Limits,
) -> Result<i32, Failure> {
    let (system, _) = load_system(dir, limits)?;
    let modes: Vec<usize> = match mode {
        Some(name) => vec![mode_index(&system, dir, name)?],
        None => (0..system.modes.len()).collect(),
    };
    let text = match format {
        Format::Text => report::expansion_text(&system, &modes),
        Format::Json => {
            let doc = report::expansion_doc(&system, &modes);
            let mut s =
                serde_json::to_string_pretty(&doc).map_err(|e| Failure::Input(e.to_string()))?;
            s.push('\n');
            s
        }
        Format::Ron => {
            let doc = report::expansion_doc(&system, &modes);
            let mut s = ron::ser::to_string_pretty(&doc, ron::ser::PrettyConfig::default())
                .map_err(|e| Failure::Input(e.to_string()))?;
            s.push('\n');
            s
        }
    };
    out.write_all(text.as_bytes())?;
    Ok(EXIT_OK)
}

pub fn generate(out: &mut dyn Write, args: &GenerateArgs) -> Result<i32, Failure> {
    let name = args
        .out
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| !n.is_empty())
        .unwrap_or("synthetic")
        .to_string();
    let params = seamless_gen::GenParams {
        name,
        programs: args.programs,
        modules: args.modules,
        cores: args.cores,
        messages: args.messages,
        modes: args.modes,
        utilisation_percent: args.utilisation,
        seed: args.seed,
        ..seamless_gen::GenParams::default()
    };
    if args.programs == 0 || args.modules == 0 || args.cores == 0 || args.modes == 0 {
        return Err(Failure::Input(
            "error: --programs, --modules, --cores and --modes must be at least 1\n".into(),
        ));
    }
    if args.utilisation == 0 || args.utilisation > 100 {
        return Err(Failure::Input(
            "error: --utilisation must be between 1 and 100\n".into(),
        ));
    }
    let (generated, witness) = if args.feasible {
        let (g, w) = seamless_gen::feasible(&params);
        (g, Some(w))
    } else {
        (seamless_gen::generate(&params), None)
    };
    for (file, text) in &generated.files {
        write_atomic(&args.out.join(file), text.as_bytes())?;
    }
    let mut written = generated.files.len();
    if let Some(schedules) = witness {
        for s in &schedules {
            let mut text =
                serde_json::to_string_pretty(s).map_err(|e| Failure::Input(e.to_string()))?;
            text.push('\n');
            write_atomic(
                &args
                    .out
                    .join("witness")
                    .join(format!("{}.schedule.json", s.mode)),
                text.as_bytes(),
            )?;
            written += 1;
        }
    }
    writeln!(out, "wrote {written} files to {}", args.out.display())?;
    Ok(EXIT_OK)
}

/// The index of a mode named on the command line.
pub fn mode_index(system: &System, dir: &Path, name: &str) -> Result<usize, Failure> {
    system.mode_by_name(name).ok_or_else(|| {
        let names: Vec<&str> = system.modes.iter().map(|m| m.name.as_str()).collect();
        Failure::Input(format!(
            "error: no mode `{name}` in `{}` (modes: {})\n",
            dir.display(),
            names.join(", ")
        ))
    })
}

/// `seamless migrate --calibrate FILE.csv`: the error tables of the
/// hypervisor model, fixed settings, fitted, then fitted on the other
/// bandwidths (held out).
fn calibrate(out: &mut dyn Write, path: &Path) -> Result<i32, Failure> {
    use seamless_migrate::calibration::{
        Settings, cross_table, fit_and_hold_out, parse_runs, score, table,
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Input(format!("error: cannot read `{}`: {e}\n", path.display())))?;
    let bad = |e: String| Failure::Input(format!("error: `{}`: {e}\n", path.display()));
    let runs = parse_runs(&text).map_err(bad)?;
    let fixed = Settings::default();
    let (fitted, folds) = fit_and_hold_out(&runs).map_err(bad)?;
    let mut s = format!(
        "{} runs from `{}`\n\nfixed settings:\n",
        runs.len(),
        path.display()
    );
    s.push_str(&table(&score(&runs, &fixed).map_err(bad)?, &fixed));
    s.push_str("\nfitted final bandwidth, stop cost and first-touch cost:\n");
    s.push_str(&table(&score(&runs, &fitted).map_err(bad)?, &fitted));
    if folds.is_empty() {
        s.push_str("\nheld out: one bandwidth only, nothing to hold out\n");
    } else {
        s.push_str(
            "\nheld out: each bandwidth's runs scored with what the fit chose on the other bandwidths:\n",
        );
        s.push_str(&cross_table(&folds));
    }
    out.write_all(s.as_bytes())?;
    Ok(EXIT_OK)
}

pub fn migrate(out: &mut dyn Write, a: &MigrateArgs) -> Result<i32, Failure> {
    use seamless_migrate::{Dirty, Hypervisor, WhatIfInput, render_what_if, what_if};
    use seamless_model::plan::Scheme;
    use seamless_model::units::{Tick, parse_bandwidth, parse_size};
    if let Some(path) = &a.calibrate {
        return calibrate(out, path);
    }
    let mut errors = String::new();
    let mut bad = |flag: &str, value: &str, e: String| {
        errors.push_str(&format!("error: --{flag} `{value}`: {e}\n"));
    };
    let tick = Tick::micro();
    let mut size = |flag: &str, v: &str| match parse_size(v) {
        Ok(b) => b,
        Err(e) => {
            bad(flag, v, e.to_string());
            0
        }
    };
    let memory = size("memory", a.memory.as_deref().unwrap_or_default());
    let zero = a.zero.as_deref().map(|z| size("zero", z));
    let working_set = a.working_set.as_deref().map(|w| size("working-set", w));
    let page_size = size("page-size", &a.page_size);
    let cpu_state = size("cpu-state", &a.cpu_state);
    let chunk = size("chunk", &a.chunk);
    let stop_below = size("stop-below", &a.stop_below);
    let dirty_job = a.dirty_per_job.as_deref().map(|d| size("dirty-per-job", d));
    let mut dur = |flag: &str, v: &str| match tick.duration(v) {
        Ok(t) => t,
        Err(e) => {
            bad(flag, v, e.to_string());
            0
        }
    };
    let latency = dur("latency", &a.latency);
    let fault_handling = dur("fault-handling", &a.fault_handling);
    let period = a.period.as_deref().map(|p| dur("period", p));
    let downtime_limit = a
        .downtime_limit
        .as_deref()
        .map(|d| dur("downtime-limit", d));
    let rate_window = a.rate_window.as_deref().map(|d| dur("rate-window", d));
    let stop_cost = a.stop_cost.as_deref().map(|d| dur("stop-cost", d));
    let first_touch = a.first_touch.as_deref().map(|d| dur("first-touch", d));
    // `spread`: the phase is not known (None inside)
    let writer_phase = a
        .writer_phase
        .as_deref()
        .map(|d| (!d.trim().eq_ignore_ascii_case("spread")).then(|| dur("writer-phase", d)));
    let mut rate = |flag: &str, v: &str| match parse_bandwidth(v) {
        Ok(b) => b,
        Err(e) => {
            bad(flag, v, e.to_string());
            0
        }
    };
    let bandwidth = rate("bandwidth", a.bandwidth.as_deref().unwrap_or_default());
    let final_bandwidth = a
        .final_bandwidth
        .as_deref()
        .map(|b| rate("final-bandwidth", b));
    let dirty_bps = a.dirty_rate.as_deref().map(|d| rate("dirty-rate", d));
    if a.dirty_rate.is_none() && a.dirty_per_job.is_none() {
        errors.push_str(
            "error: give --dirty-rate (bytes per second) or --dirty-per-job with --period\n",
        );
    }
    if !errors.is_empty() {
        return Err(Failure::Input(errors));
    }
    let dirty = match (dirty_bps, dirty_job, period) {
        (Some(bps), _, _) => Dirty::Rate {
            bytes_per_s: bps / 8,
        },
        (None, Some(bytes), Some(p)) => Dirty::PerJob { bytes, period: p },
        _ => {
            return Err(Failure::Input(
                "error: --dirty-per-job needs --period\n".into(),
            ));
        }
    };
    let mut input = WhatIfInput::new(memory, dirty, bandwidth);
    input.working_set = working_set;
    input.latency = latency;
    input.period = period;
    input.params.page_size = page_size;
    input.params.cpu_state = cpu_state;
    input.params.chunk = chunk;
    input.params.max_rounds = a.max_rounds;
    input.params.stop_below = stop_below;
    input.params.fault_handling = fault_handling;
    input.hybrid_rounds = a.hybrid_rounds.max(1);
    if zero.is_some()
        || final_bandwidth.is_some()
        || downtime_limit.is_some()
        || rate_window.is_some()
        || stop_cost.is_some()
        || first_touch.is_some()
        || writer_phase.is_some()
    {
        input.hypervisor = Some(Hypervisor {
            zero: zero.unwrap_or(0),
            final_bandwidth,
            downtime_limit,
            rate_window,
            stop_cost: stop_cost.unwrap_or(0),
            first_touch: first_touch.unwrap_or(0),
            writer_lead: writer_phase.flatten(),
        });
    }
    let w = what_if(&input).map_err(|e| Failure::Input(format!("error: {e}\n")))?;
    let text = match a.format {
        crate::MigrateFormat::Text => render_what_if(&w),
        crate::MigrateFormat::Json => {
            // the hypervisor model's outcome at each writer phase (ns → ticks, as the rows)
            let ns = tick.ns.max(1);
            let phases: Vec<serde_json::Value> = w
                .pre_copy_phases
                .iter()
                .map(|p| {
                    serde_json::json!({
                        "writer_lead": p.lead_ns.div_ceil(ns),
                        "total_time": p.total_ns.div_ceil(ns),
                        "downtime": p.downtime_ns.div_ceil(ns),
                        "bytes": p.bytes,
                        "final_bytes": p.final_bytes,
                        "rounds": p.rounds,
                    })
                })
                .collect();
            let schemes: Vec<serde_json::Value> = w
                .rows
                .iter()
                .map(|r| {
                    let mut v = serde_json::json!({
                        "scheme": r.scheme.name(),
                        "total_time": r.simulated.total_time,
                        "downtime": r.simulated.downtime,
                        "eviction_time": r.simulated.eviction_time,
                        "bytes": r.simulated.bytes,
                        "final_bytes": r.final_bytes,
                        "rounds": r.rounds.len(),
                        "degradation": r.simulated.degradation,
                    });
                    if r.scheme == Scheme::PreCopy && !phases.is_empty() {
                        v["phases"] = serde_json::Value::Array(phases.clone());
                    }
                    v
                })
                .collect();
            let doc = serde_json::json!({ "tick": tick.text, "schemes": schemes });
            let mut s =
                serde_json::to_string_pretty(&doc).map_err(|e| Failure::Input(e.to_string()))?;
            s.push('\n');
            s
        }
    };
    out.write_all(text.as_bytes())?;
    Ok(EXIT_OK)
}
