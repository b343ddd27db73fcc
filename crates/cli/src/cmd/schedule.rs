//! `seamless schedule` and `seamless verify`.

use super::{Failure, load_system};
use crate::io::write_atomic;
use crate::progress::Bar;
use crate::report::count;
use crate::{EXIT_FINDING, EXIT_OK, OutFormat};
use seamless_model::System;
use seamless_model::schedule::Schedule;
use seamless_model::validate::Limits;
use seamless_synth::{Options, Summary, Synthesis, summarize};
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Synthesizes every mode with a progress bar, and verifies every schedule
/// found. A schedule that fails verification is a defect of synthesis: it is
/// reported and treated as not found.
pub fn synthesize_verified(system: &System, time_limit: Duration) -> (Synthesis, Vec<String>) {
    let (ss, defects) = synthesize_system_verified(system, time_limit);
    (ss.synthesis, defects)
}

/// Runs `f` with synthesis options that drive a progress bar.
pub fn with_progress<T>(system: &System, time_limit: Duration, f: impl FnOnce(&Options) -> T) -> T {
    for line in size_warnings(system) {
        eprintln!("{line}");
    }
    let bar = Bar::new();
    let names: Vec<&str> = system.modes.iter().map(|m| m.name.as_str()).collect();
    let progress = |p: seamless_synth::Progress| {
        bar.update(
            &format!("mode {} ({:?})", names.get(p.mode).unwrap_or(&"?"), p.phase),
            p.done,
            p.total,
        );
    };
    let opts = Options {
        time_limit,
        progress: Some(&progress),
        ..Options::default()
    };
    let r = f(&opts);
    bar.finish();
    r
}

/// Schedule defects: schedules the verifier rejects.
pub fn schedule_defects(system: &System, synthesis: &Synthesis) -> Vec<String> {
    let mut defects = Vec::new();
    for s in synthesis.modes.iter().flatten() {
        let report = seamless_verify::verify_schedule(system, s);
        if !report.is_valid() {
            defects.push(format!(
                "internal error: the schedule synthesized for mode `{}` failed verification (please report this):\n{report}",
                s.mode
            ));
        }
    }
    defects
}

/// System-level synthesis (the placements of all modes chosen together,
/// `seamless-system`) with a progress bar, every schedule verified.
pub fn synthesize_system_verified(
    system: &System,
    time_limit: Duration,
) -> (seamless_system::SystemSynthesis, Vec<String>) {
    let ss = with_progress(system, time_limit, |opts| {
        seamless_system::synthesize(system, opts)
    });
    let defects = schedule_defects(system, &ss.synthesis);
    (ss, defects)
}

/// Modes whose major frame holds more than this many jobs and message
/// instances get their expected size said before the search starts.
pub const LARGE_MODE: u64 = 100_000;

/// Rough bytes of memory one job or message instance costs through
/// expansion, search and the written schedule (an estimate for the warning,
/// not a bound).
const BYTES_PER_ITEM: u64 = 400;

/// One line per large mode, said up front: its jobs, message instances and
/// roughly how much memory scheduling it takes.
pub fn size_warnings(system: &System) -> Vec<String> {
    system
        .modes
        .iter()
        .filter(|m| m.job_count + m.instance_count > LARGE_MODE)
        .map(|m| {
            let items = m.job_count + m.instance_count;
            let mib = items.saturating_mul(BYTES_PER_ITEM) >> 20;
            format!(
                "note: mode `{}` holds {} job{} and {} message instance{} in its major frame of {}: scheduling it needs roughly {} MiB of memory and may take minutes",
                m.name,
                m.job_count,
                if m.job_count == 1 { "" } else { "s" },
                m.instance_count,
                if m.instance_count == 1 { "" } else { "s" },
                system.tick.format(m.major_frame),
                mib.max(1)
            )
        })
        .collect()
}

/// The per-mode summary printed after scheduling.
pub fn summary_text(system: &System, schedule: &Schedule, s: &Summary) -> String {
    let mut out = String::new();
    let t = |x: u64| system.tick.format(x);
    let _ = writeln!(
        out,
        "mode `{}`: {}, {}, major frame {} — verified",
        schedule.mode,
        count(schedule.jobs.len(), "job", "jobs"),
        count(
            schedule.transmissions.len(),
            "transmission",
            "transmissions"
        ),
        t(schedule.major_frame)
    );
    let mut line = String::from("  cores:");
    for c in &s.cores {
        let _ = write!(
            line,
            " {}/{} {}",
            c.module,
            c.core,
            Summary::percent(c.per_mille)
        );
    }
    let _ = writeln!(out, "{line}");
    let used: Vec<_> = s.links.iter().filter(|l| l.busy > 0).collect();
    if used.is_empty() {
        let _ = writeln!(out, "  links: none used");
    } else {
        let mut line = String::from("  links:");
        for l in used {
            let _ = write!(
                line,
                " {}→{} {}",
                l.from,
                l.to,
                Summary::percent(l.per_mille)
            );
        }
        let _ = writeln!(out, "{line}");
    }
    let slack = |v: i64| {
        if v < 0 {
            format!("-{}", t(v.unsigned_abs()))
        } else {
            t(v as u64)
        }
    };
    if let Some(j) = &s.min_job_slack {
        let _ = writeln!(
            out,
            "  smallest job slack: {} (job {}#{})",
            slack(j.slack),
            j.program,
            j.index
        );
    }
    if let Some(m) = &s.min_message_slack {
        let _ = writeln!(
            out,
            "  smallest message slack: {} (message {}#{} at {})",
            slack(m.slack),
            m.message,
            m.index,
            m.module
        );
    }
    out
}

/// Serializes a schedule in the chosen format.
pub fn encode<T: serde::Serialize>(value: &T, format: OutFormat) -> Result<String, Failure> {
    let mut s = match format {
        OutFormat::Json => {
            serde_json::to_string_pretty(value).map_err(|e| Failure::Input(e.to_string()))?
        }
        OutFormat::Ron => ron::ser::to_string_pretty(value, ron::ser::PrettyConfig::default())
            .map_err(|e| Failure::Input(e.to_string()))?,
    };
    s.push('\n');
    Ok(s)
}

pub struct ScheduleArgs<'a> {
    pub dir: &'a Path,
    pub mode: Option<&'a str>,
    pub out: Option<&'a Path>,
    pub format: OutFormat,
    pub svg: bool,
    pub time_limit: Duration,
    pub limits: Limits,
}

pub fn schedule(
    out: &mut dyn Write,
    err: &mut dyn Write,
    a: &ScheduleArgs,
) -> Result<i32, Failure> {
    let (system, _) = load_system(a.dir, a.limits)?;
    let selected: Vec<usize> = match a.mode {
        Some(name) => vec![super::mode_index(&system, a.dir, name)?],
        None => (0..system.modes.len()).collect(),
    };
    if a.svg && a.out.is_none() {
        return Err(Failure::Input("error: `--svg` needs `--out DIR`\n".into()));
    }
    let (synthesis, defects) = synthesize_verified(&system, a.time_limit);
    // The summary goes to stdout, unless the schedule itself does.
    let mut report = String::new();
    let mut code = EXIT_OK;
    // several modes and no --out: one document holding every schedule
    let mut several: Vec<&Schedule> = Vec::new();
    for &mi in &selected {
        match &synthesis.modes[mi] {
            Ok(schedule) if defects.is_empty() => {
                let summary = summarize(&system, schedule);
                report.push_str(&summary_text(&system, schedule, &summary));
                let text = encode(schedule, a.format)?;
                match a.out {
                    None if selected.len() > 1 => several.push(schedule),
                    None => out.write_all(text.as_bytes())?,
                    Some(dir) => {
                        let ext = match a.format {
                            OutFormat::Json => "json",
                            OutFormat::Ron => "ron",
                        };
                        let path: PathBuf = dir.join(format!("{}.schedule.{ext}", schedule.mode));
                        write_atomic(&path, text.as_bytes())?;
                        let _ = writeln!(report, "  wrote {}", path.display());
                        if a.svg {
                            let svg_path = dir.join(format!("{}.svg", schedule.mode));
                            write_atomic(
                                &svg_path,
                                seamless_chart::gantt(&system, schedule).as_bytes(),
                            )?;
                            let _ = writeln!(report, "  wrote {}", svg_path.display());
                        }
                    }
                }
            }
            Ok(_) => code = EXIT_FINDING,
            Err(why) => {
                code = EXIT_FINDING;
                let _ = writeln!(report, "mode `{}`: no schedule", system.modes[mi].name);
                for line in why.explain(&system).lines() {
                    let _ = writeln!(report, "  {line}");
                }
            }
        }
    }
    for d in &defects {
        let _ = writeln!(report, "{d}");
    }
    if selected.len() > 1 {
        for m in &synthesis.moves {
            let names: Vec<&str> = m
                .programs
                .iter()
                .map(|&p| system.programs[p].name.as_str())
                .collect();
            let _ = writeln!(
                report,
                "placement: {} → {}: {} shared program{} change module{}{}",
                system.modes[m.from].name,
                system.modes[m.to].name,
                names.len(),
                if names.len() == 1 { "" } else { "s" },
                if names.is_empty() { "" } else { ": " },
                names.join(", ")
            );
        }
    }
    if a.out.is_none() && selected.len() > 1 {
        #[derive(serde::Serialize)]
        struct Schedules<'a> {
            system: &'a str,
            schedules: Vec<&'a Schedule>,
        }
        let doc = Schedules {
            system: &system.name,
            schedules: several,
        };
        out.write_all(encode(&doc, a.format)?.as_bytes())?;
    }
    if a.out.is_none() {
        err.write_all(report.as_bytes())?;
    } else {
        out.write_all(report.as_bytes())?;
    }
    Ok(code)
}

/// What a file given to `seamless verify` holds.
pub enum Document {
    Schedule(Schedule),
    Plan(Box<seamless_model::plan::Plan>),
}

/// Reads a schedule (or, later, plan) file in JSON or RON, by extension or,
/// failing that, by content.
pub fn read_document(path: &Path) -> Result<Document, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let is_json = match path.extension().and_then(|e| e.to_str()) {
        Some("json") => true,
        Some("ron") => false,
        _ => text.trim_start().starts_with('{'),
    };
    // A plan carries the two tables it joins and its switch instants; a
    // schedule has none of these fields.
    let plan_keys = ["from_schedule", "to_schedule", "b_start", "migrations"];
    if plan_keys.iter().any(|k| text.contains(k)) {
        let parsed = if is_json {
            seamless_verify::parse_plan_json(&text)
        } else {
            seamless_verify::parse_plan_ron(&text)
        };
        return parsed.map(|p| Document::Plan(Box::new(p))).map_err(|e| {
            let missing: Vec<&str> = ["from_schedule", "to_schedule"]
                .into_iter()
                .filter(|k| !text.contains(k))
                .collect();
            let hint = if missing.is_empty() {
                String::new()
            } else {
                format!(
                    " (a plan embeds the two schedules it joins, as `from_schedule` and `to_schedule`; this one lacks {})",
                    missing
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(" and ")
                )
            };
            format!("`{}` is not a plan: {e}{hint}", path.display())
        });
    }
    let parsed = if is_json {
        seamless_verify::parse_schedule_json(&text)
    } else {
        seamless_verify::parse_schedule_ron(&text)
    };
    parsed
        .map(Document::Schedule)
        .map_err(|e| format!("`{}` is not a schedule: {e}", path.display()))
}

pub fn verify(
    out: &mut dyn Write,
    dir: &Path,
    files: &[PathBuf],
    limits: Limits,
) -> Result<i32, Failure> {
    let (system, _) = load_system(dir, limits)?;
    let mut code = EXIT_OK;
    let mut input_errors = String::new();
    for f in files {
        match read_document(f) {
            Err(e) => {
                let _ = writeln!(input_errors, "error: {e}");
            }
            Ok(Document::Schedule(s)) => {
                let report = seamless_verify::verify_schedule(&system, &s);
                if report.is_valid() {
                    writeln!(
                        out,
                        "{}: valid schedule of mode `{}` ({}, {})",
                        f.display(),
                        s.mode,
                        count(s.jobs.len(), "job", "jobs"),
                        count(s.transmissions.len(), "transmission", "transmissions")
                    )?;
                } else {
                    code = EXIT_FINDING;
                    writeln!(
                        out,
                        "{}: INVALID schedule of mode `{}`: {}",
                        f.display(),
                        s.mode,
                        count(report.total() as usize, "violation", "violations")
                    )?;
                    for line in report.to_string().lines() {
                        writeln!(out, "  {line}")?;
                    }
                }
            }
            Ok(Document::Plan(p)) => {
                let report = seamless_verify::verify_plan(&system, &p);
                if report.is_valid() {
                    writeln!(
                        out,
                        "{}: valid plan {} → {} ({}, {}, transition latency {})",
                        f.display(),
                        p.from,
                        p.to,
                        count(p.migrations.len(), "migration", "migrations"),
                        count(p.transfers.len(), "chunk", "chunks"),
                        system.tick.format(p.metrics.transition_latency)
                    )?;
                } else {
                    code = EXIT_FINDING;
                    writeln!(
                        out,
                        "{}: INVALID plan {} → {}: {}",
                        f.display(),
                        p.from,
                        p.to,
                        count(report.total() as usize, "violation", "violations")
                    )?;
                    for line in report.to_string().lines() {
                        writeln!(out, "  {line}")?;
                    }
                }
            }
        }
    }
    if !input_errors.is_empty() {
        return Err(Failure::Input(input_errors));
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::size_warnings;
    use seamless_model::load::load;
    use seamless_model::validate::Limits;

    #[test]
    fn large_modes_are_announced_with_their_size() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../modes/tutorial");
        let mut files = crate::io::read_system(&dir).unwrap();
        let system = load(&files, Limits::default()).unwrap();
        assert!(size_warnings(&system).is_empty());
        // 1000 s of cruise: 50,000 + 3 × 25,000 jobs
        let cruise = files
            .iter_mut()
            .find(|f| f.name.ends_with("cruise.ron"))
            .unwrap();
        cruise.text = cruise
            .text
            .replace("Mode(\n", "Mode(\n    major_frame: \"1000s\",\n");
        let system = load(&files, Limits::default()).unwrap();
        let lines = size_warnings(&system);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].starts_with("note: mode `cruise` holds 125000 jobs and "),
            "{}",
            lines[0]
        );
        assert!(lines[0].contains("MiB of memory"), "{}", lines[0]);
    }
}
