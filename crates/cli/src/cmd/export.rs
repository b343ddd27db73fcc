//! `seamless export`: ARINC 653 (AIR) module files and XtratuM cyclic plans.

use super::plan::build_everything;
use super::{Failure, load_system};
use crate::io::write_atomic;
use crate::{EXIT_FINDING, EXIT_OK, Format};
use seamless_model::System;
use seamless_model::schedule::Schedule;
use seamless_model::validate::Limits;
use serde::Serialize;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// What `seamless export` was asked for.
pub struct ExportArgs<'a> {
    pub dir: &'a Path,
    pub arinc653: Option<&'a Path>,
    pub xtratum: Option<&'a Path>,
    pub ticks_per_second: Option<u64>,
    pub format: Format,
    pub time_limit: Duration,
    pub limits: Limits,
}

/// The report of `seamless export --format json|ron`.
#[derive(Debug, Serialize)]
struct ExportReport {
    system: String,
    /// The clock the schedules were moved onto, if asked.
    ticks_per_second: Option<u64>,
    /// Every file written.
    written: Vec<Written>,
    /// Why something was not written (empty when everything was).
    findings: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Written {
    path: String,
    kind: &'static str,
    module: Option<String>,
}

/// The schedules on a clock of `tps` ticks per second, each verified
/// against the system with its wcets rounded up to that clock.
fn on_clock(
    system: &System,
    schedules: &[Schedule],
    tps: u64,
) -> Result<Result<(System, Vec<Schedule>), String>, Failure> {
    let tick = system.tick.ns;
    if tps == 0
        || !1_000_000_000u64.is_multiple_of(tps)
        || !(1_000_000_000 / tps).is_multiple_of(tick)
    {
        return Err(Failure::Input(format!(
            "error: --ticks-per-second {tps}: one tick of that clock must be a whole number of the model's ticks ({})\n",
            system.tick.text
        )));
    }
    let grid = 1_000_000_000 / tps / tick;
    let budgets = seamless_export::quantised_system(system, grid);
    let mut out = Vec::new();
    for s in schedules {
        let q = seamless_export::quantise(system, s, grid);
        let report = seamless_verify::verify_schedule(&budgets, &q);
        if !report.is_valid() {
            return Ok(Err(format!(
                "mode `{}` does not fit a clock of {tps} ticks per second (windows moved to the next tick, budgets rounded up): {} violation(s)\n{report}",
                s.mode,
                report.total()
            )));
        }
        out.push(q);
    }
    Ok(Ok((budgets, out)))
}

/// Writes the exports asked for; see [`ExportArgs`].
pub fn export(out: &mut dyn Write, a: &ExportArgs) -> Result<i32, Failure> {
    if a.arinc653.is_none() && a.xtratum.is_none() {
        return Err(Failure::Input(
            "error: give `--arinc653 DIR`, `--xtratum FILE`, or both\n".into(),
        ));
    }
    if let Some(d) = a.arinc653
        && d.is_file()
    {
        return Err(Failure::Input(format!(
            "error: --arinc653 `{}` is a file: give a folder (one file per computing module is written there)\n",
            d.display()
        )));
    }
    let (system, _) = load_system(a.dir, a.limits)?;
    let all = build_everything(&system, a.time_limit, 0);
    let mut report = ExportReport {
        system: system.name.clone(),
        ticks_per_second: a.ticks_per_second,
        written: Vec::new(),
        findings: Vec::new(),
    };
    let mut text = String::new();
    let emit = |out: &mut dyn Write, text: &str, report: &ExportReport| -> Result<(), Failure> {
        match a.format {
            Format::Text => out.write_all(text.as_bytes())?,
            f => out.write_all(super::encode_doc(report, f)?.as_bytes())?,
        }
        Ok(())
    };
    let Some(schedules) = all.schedules() else {
        let why =
            "nothing exported: every mode needs a schedule (run `seamless schedule` to see why)";
        report.findings.push(why.into());
        let _ = writeln!(text, "{why}");
        emit(out, &text, &report)?;
        return Ok(EXIT_FINDING);
    };
    let plans = all.found_plans();
    let (system, schedules) = match a.ticks_per_second {
        None => (system, schedules),
        Some(tps) => match on_clock(&system, &schedules, tps)? {
            Ok(x) => {
                let _ = writeln!(
                    text,
                    "schedules moved onto {tps} ticks per second (windows to the next tick, budgets rounded up) and verified again"
                );
                x
            }
            Err(why) => {
                let _ = writeln!(text, "{why}");
                report.findings.push(why);
                emit(out, &text, &report)?;
                return Ok(EXIT_FINDING);
            }
        },
    };
    let mut code = EXIT_OK;
    if let Some(dir) = a.arinc653 {
        match seamless_export::arinc653_modules(&system, &schedules, &plans) {
            Ok(docs) => {
                for (module, doc) in docs {
                    let path = dir.join(format!("{module}.xml"));
                    write_atomic(&path, doc.as_bytes())?;
                    let _ = writeln!(
                        text,
                        "wrote {} (ARINC 653 module `{module}` for AIR)",
                        path.display()
                    );
                    report.written.push(Written {
                        path: path.display().to_string(),
                        kind: "arinc653",
                        module: Some(module),
                    });
                }
            }
            Err(e) => {
                code = EXIT_FINDING;
                let mut why = e.to_string();
                if a.ticks_per_second.is_none() {
                    why.push_str(
                        "AIR's configurator keeps whole milliseconds: give `--ticks-per-second 1000` to move the schedules onto that clock (they are verified again), or fix the system's times\n",
                    );
                }
                text.push_str(&why);
                report.findings.push(why);
            }
        }
    }
    if let Some(path) = a.xtratum {
        write_atomic(
            path,
            seamless_export::xtratum(&system, &schedules).as_bytes(),
        )?;
        let _ = writeln!(
            text,
            "wrote {} (XtratuM: a cyclic plan per mode, per computing module)",
            path.display()
        );
        report.written.push(Written {
            path: path.display().to_string(),
            kind: "xtratum",
            module: None,
        });
    }
    emit(out, &text, &report)?;
    Ok(code)
}
