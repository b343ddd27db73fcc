//! `seamless plan` and `seamless check`.

use super::schedule::{encode, summary_text, synthesize_verified, with_progress};
use super::{Failure, load_system, mode_index};
use crate::io::write_atomic;
use crate::progress::Bar;
use crate::{EXIT_FINDING, EXIT_OK, Format, OutFormat};
use seamless_model::plan::{Action, Plan};
use seamless_model::schedule::Schedule;
use seamless_model::units::format_size_short;
use seamless_model::validate::Limits;
use seamless_model::{ModeId, System};
use seamless_plan::{PlanOptions, WorstCase, plan_transition, worst_case_with};

use crate::api::FEEDBACK_ROUNDS;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// Parses `--request-at`: a duration with a unit (`5ms`) or a plain number of ticks.
pub fn parse_request(system: &System, text: &str) -> Result<u64, Failure> {
    if let Ok(t) = text.parse::<u64>() {
        return Ok(t);
    }
    system.tick.duration(text).map_err(|e| {
        Failure::Input(format!(
            "error: --request-at `{text}`: {e} (give ticks, or a duration such as `5ms`)\n"
        ))
    })
}

/// The modes of a switch named on the command line (it must be allowed) and
/// its request instant (default 0, inside the old mode's frame).
fn switch_args(
    system: &System,
    dir: &Path,
    from: &str,
    to: &str,
    request_at: Option<&str>,
) -> Result<(ModeId, ModeId, u64), Failure> {
    let f = mode_index(system, dir, from)?;
    let t = mode_index(system, dir, to)?;
    if !system.transitions.contains(&(f, t)) {
        return Err(Failure::Input(format!(
            "error: the switch {from} → {to} is not among the system's `transitions`\n"
        )));
    }
    let request = match request_at {
        Some(text) => parse_request(system, text)?,
        None => 0,
    };
    let ha = system.modes[f].major_frame;
    if request >= ha {
        return Err(Failure::Input(format!(
            "error: --request-at must lie in the old mode's frame, [0, {ha}) ticks\n"
        )));
    }
    Ok((f, t, request))
}

/// The table of one plan: a line per program (columns as wide as their
/// widest value, whatever its unit), then the totals, and what `complete`
/// and the totals mean where they could be misread.
pub fn plan_text(system: &System, plan: &Plan) -> String {
    let t = |x: u64| system.tick.format(x);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} → {}: request at {}, switch point {}, new table from {}, complete at {} (transition latency {}) — verified",
        plan.from,
        plan.to,
        t(plan.request),
        t(plan.switch),
        t(plan.b_start),
        t(plan.complete),
        t(plan.metrics.transition_latency)
    );
    let _ = writeln!(
        s,
        "  (complete: the new table runs, every byte has arrived and every program of {} has completed a job in it; \
         a program's unavailability is measured between its completions and can reach past it)",
        plan.to
    );
    // program, action, scheme, downtime, unavailability, bound, bytes
    let mut rows: Vec<[String; 7]> = vec![[
        "program".into(),
        "action".into(),
        "scheme".into(),
        "downtime".into(),
        "unavailability".into(),
        "bound".into(),
        "bytes".into(),
    ]];
    let mut programs: Vec<_> = plan.programs.iter().collect();
    programs.sort_by(|a, b| (a.action, &a.program).cmp(&(b.action, &b.program)));
    for p in programs {
        let mig = plan.migrations.iter().find(|m| m.program == p.program);
        let action = match p.action {
            Action::Continue => "continue",
            Action::Migrate => "migrate",
            Action::Stop => "stop",
            Action::Start => "start",
        };
        let scheme = mig.map_or("-".to_string(), |m| match &m.via {
            Some(v) => format!("{} via {v}", m.scheme.name()),
            None => m.scheme.name().to_string(),
        });
        let downtime = mig.map_or("-".to_string(), |m| t(m.downtime));
        let unav = p.unavailability.map_or("-".to_string(), t);
        let bound = match (p.unavailability, p.bound) {
            (Some(u), Some(b)) if u > b => format!("{} !", t(b)),
            (_, Some(b)) => t(b),
            _ => "-".to_string(),
        };
        let bytes = mig.map_or("-".to_string(), |m| format_size_short(m.bytes));
        rows.push([
            p.program.clone(),
            action.to_string(),
            scheme,
            downtime,
            unav,
            bound,
            bytes,
        ]);
    }
    let mut width = [0usize; 7];
    for r in &rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    for r in &rows {
        let line = format!(
            "  {:<w0$} {:<w1$} {:<w2$} {:>w3$} {:>w4$} {:<w5$} {:>w6$}",
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            r[6],
            w0 = width[0],
            w1 = width[1],
            w2 = width[2],
            w3 = width[3],
            w4 = width[4],
            w5 = width[5],
            w6 = width[6],
        );
        let _ = writeln!(s, "{}", line.trim_end());
    }
    let m = &plan.metrics;
    let _ = writeln!(
        s,
        "  totals: transition latency {}, eviction time {}, total migration time {}, largest downtime {}, bytes {}, degradation {}",
        t(m.transition_latency),
        t(m.eviction_time),
        t(m.total_migration_time),
        t(m.max_downtime),
        format_size_short(m.bytes),
        t(m.degradation)
    );
    if m.total_migration_time < m.eviction_time {
        let first = plan
            .transfers
            .iter()
            .flat_map(|x| x.hops.iter().map(|h| h.start))
            .min();
        let _ = writeln!(
            s,
            "  (the eviction time counts from the request to the last source freed; the total migration time from the first chunk's departure{} to the last byte's arrival)",
            first.map_or(String::new(), |f| format!(
                ", {} after the request,",
                t(f.saturating_sub(plan.request))
            ))
        );
    }
    s
}

/// The explanation of a failed plan; when its bandwidth remedies, applied
/// together, are said to make the switch plannable, that plan is built and
/// verified here, and the text says whether the verifier accepts it.
fn remedies_checked(
    system: &System,
    from: ModeId,
    to: ModeId,
    request: u64,
    e: &seamless_plan::NoPlan,
    opts: &PlanOptions,
) -> String {
    let mut text = e.to_string();
    let Some(t) = e.together.as_ref().filter(|t| t.then.is_none()) else {
        return text;
    };
    let mut sys2 = system.clone();
    let node = |n: &str| sys2.network.nodes.iter().position(|x| x.name == n);
    let links: Vec<usize> = t
        .links
        .iter()
        .filter_map(|(x, y)| {
            let (x, y) = (node(x)?, node(y)?);
            sys2.network.link_between(x, y)
        })
        .collect();
    for l in links {
        let bw = &mut sys2.network.links[l].bandwidth;
        *bw = (*bw).max(t.at_least);
    }
    // faster links carry messages in less time: schedule both modes again
    let syn = seamless_synth::synthesize(&sys2, &seamless_synth::Options::default());
    let verdict = match (&syn.modes[from], &syn.modes[to]) {
        (Ok(sa), Ok(sb))
            if seamless_verify::verify_schedule(&sys2, sa).is_valid()
                && seamless_verify::verify_schedule(&sys2, sb).is_valid() =>
        {
            match plan_transition(&sys2, from, to, sa, sb, request, opts) {
                Ok(p) if seamless_verify::verify_plan(&sys2, &p).is_valid() => {
                    "\n  (checked: with those links raised together, both modes scheduled again and the switch planned again pass the verifier)".to_string()
                }
                Ok(_) => "\n  (warning: with those links raised together, the plan found fails the verifier)".to_string(),
                Err(e) => format!(
                    "\n  (warning: with those links raised together and both modes scheduled again, still no plan: {})",
                    e.to_string().lines().next().unwrap_or_default()
                ),
            }
        }
        _ => "\n  (warning: with those links raised together, a mode could not be scheduled again)"
            .to_string(),
    };
    text.push_str(&verdict);
    text
}

/// Plans one transition and verifies the plan. `Err` holds the text of why
/// there is no (valid) plan.
pub fn plan_verified(
    system: &System,
    from: ModeId,
    to: ModeId,
    a: &Schedule,
    b: &Schedule,
    request: u64,
) -> Result<Plan, String> {
    plan_verified_with(system, from, to, a, b, request, &PlanOptions::default())
}

/// [`plan_verified`] with planner options (budget, time limit).
pub fn plan_verified_with(
    system: &System,
    from: ModeId,
    to: ModeId,
    a: &Schedule,
    b: &Schedule,
    request: u64,
    opts: &PlanOptions,
) -> Result<Plan, String> {
    let plan = plan_transition(system, from, to, a, b, request, opts)
        .map_err(|e| remedies_checked(system, from, to, request, &e, opts))?;
    let report = seamless_verify::verify_plan(system, &plan);
    if !report.is_valid() {
        return Err(format!(
            "internal error: the plan for {} → {} failed verification (please report this):\n{report}",
            plan.from, plan.to
        ));
    }
    Ok(plan)
}

fn ext(format: OutFormat) -> &'static str {
    match format {
        OutFormat::Json => "json",
        OutFormat::Ron => "ron",
    }
}

/// Writes a plan file and, if asked, its timeline chart.
fn write_plan(
    system: &System,
    plan: &Plan,
    dir: &Path,
    format: OutFormat,
    svg: bool,
    log: &mut String,
) -> Result<(), Failure> {
    let base = format!("{}-to-{}", plan.from, plan.to);
    let path = dir.join(format!("{base}.plan.{}", ext(format)));
    write_atomic(&path, encode(plan, format)?.as_bytes())?;
    let _ = writeln!(log, "  wrote {}", path.display());
    if svg {
        let p = dir.join(format!("{base}.svg"));
        write_atomic(&p, seamless_chart::plan_timeline(system, plan).as_bytes())?;
        let _ = writeln!(log, "  wrote {}", p.display());
    }
    Ok(())
}

pub struct PlanArgs<'a> {
    pub dir: &'a Path,
    pub from: &'a str,
    pub to: &'a str,
    pub request_at: Option<&'a str>,
    pub worst_case: bool,
    pub out: Option<&'a Path>,
    /// `Some` when `--format` was given: without `--out`, the plan document
    /// goes to stdout and the table to stderr.
    pub format: Option<OutFormat>,
    pub svg: bool,
    /// The planner's work budget per request instant, in steps.
    pub plan_budget: u64,
    pub time_limit: Duration,
    pub limits: Limits,
}

/// The planner's options for a budget and a time limit.
fn plan_options(budget: u64, time_limit: Duration) -> PlanOptions {
    PlanOptions {
        budget,
        time_limit: Some(time_limit),
        ..PlanOptions::default()
    }
}

/// The worst case over every request instant, with a progress bar on the
/// terminal when it runs over a second.
fn worst_verified(
    system: &System,
    from: ModeId,
    to: ModeId,
    a: &Schedule,
    b: &Schedule,
    opts: &PlanOptions,
) -> Result<WorstCase, String> {
    let bar = Bar::new();
    let label = format!(
        "worst case {} → {}",
        system.modes[from].name, system.modes[to].name
    );
    let progress = |done: u64, total: u64| bar.update(&label, done, total);
    let w = worst_case_with(system, from, to, a, b, opts, Some(&progress));
    bar.finish();
    w.map_err(|e| e.to_string())
}

/// The worst case as text.
fn worst_text(system: &System, from: &str, w: &WorstCase, indent: &str) -> String {
    let t = |x: u64| system.tick.format(x);
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{indent}worst case over every request instant of {from}'s frame (exact; {} instants planned):",
        w.requests.len()
    );
    let _ = writeln!(
        text,
        "{indent}  transition latency {} (request at {})",
        t(w.latency),
        t(w.latency_request)
    );
    for p in &w.programs {
        let _ = writeln!(
            text,
            "{indent}  {:<28} unavailability {} / {} (request at {})",
            p.program,
            t(p.unavailability),
            p.bound.map_or("-".into(), t),
            t(p.request)
        );
    }
    text
}

/// The `worst_case` field of a plan document (docs/format.md §11.2).
#[derive(serde::Serialize)]
struct WorstDoc {
    transition_latency: WorstValue,
    unavailability: Vec<WorstUnav>,
}

#[derive(serde::Serialize)]
struct WorstValue {
    value: u64,
    request: u64,
}

#[derive(serde::Serialize)]
struct WorstUnav {
    program: String,
    value: u64,
    request: u64,
}

impl WorstDoc {
    fn of(w: &WorstCase) -> WorstDoc {
        WorstDoc {
            transition_latency: WorstValue {
                value: w.latency,
                request: w.latency_request,
            },
            unavailability: w
                .programs
                .iter()
                .map(|p| WorstUnav {
                    program: p.program.clone(),
                    value: p.unavailability,
                    request: p.request,
                })
                .collect(),
        }
    }
}

/// A plan document, with the worst case when it was evaluated.
fn plan_document(
    plan: &Plan,
    worst: Option<&WorstCase>,
    format: OutFormat,
) -> Result<String, Failure> {
    let Some(w) = worst else {
        return encode(plan, format);
    };
    let doc = WorstDoc::of(w);
    match format {
        OutFormat::Json => {
            let mut v = serde_json::to_value(plan).map_err(|e| Failure::Input(e.to_string()))?;
            if let serde_json::Value::Object(m) = &mut v {
                m.insert(
                    "worst_case".into(),
                    serde_json::to_value(&doc).map_err(|e| Failure::Input(e.to_string()))?,
                );
            }
            encode(&v, format)
        }
        OutFormat::Ron => {
            // the plan's struct with one more field, before its closing `)`
            let text = encode(plan, format)?;
            let body = text.trim_end();
            let Some(body) = body.strip_suffix(')') else {
                return Ok(text);
            };
            let wc = ron::ser::to_string_pretty(&doc, ron::ser::PrettyConfig::default())
                .map_err(|e| Failure::Input(e.to_string()))?;
            let wc = wc.replace('\n', "\n    ");
            Ok(format!("{}\n    worst_case: {wc},\n)\n", body.trim_end()))
        }
    }
}

pub fn plan(out: &mut dyn Write, a: &PlanArgs) -> Result<i32, Failure> {
    plan_to(out, &mut std::io::stderr().lock(), a)
}

/// `plan`, with stderr given (the table goes there when the document goes
/// to stdout).
pub fn plan_to(out: &mut dyn Write, err: &mut dyn Write, a: &PlanArgs) -> Result<i32, Failure> {
    if a.svg && a.out.is_none() {
        return Err(Failure::Input("error: `--svg` needs `--out DIR`\n".into()));
    }
    let (system, _) = load_system(a.dir, a.limits)?;
    let (from, to, request) = switch_args(&system, a.dir, a.from, a.to, a.request_at)?;
    let (ss, defects) = super::schedule::synthesize_system_verified(&system, a.time_limit);
    let synthesis = &ss.synthesis;
    // the document goes to stdout when a format is given without `--out`
    let doc_format = if a.out.is_none() { a.format } else { None };
    let mut text = String::new();
    for d in &defects {
        let _ = writeln!(text, "{d}");
    }
    let (sa, sb) = match (&synthesis.modes[from], &synthesis.modes[to]) {
        (Ok(x), Ok(y)) if defects.is_empty() => (x, y),
        (ra, rb) => {
            for r in [ra, rb] {
                if let Err(why) = r {
                    let _ = writeln!(text, "{}", why.explain(&system).trim_end());
                }
            }
            let sink: &mut dyn Write = if doc_format.is_some() { err } else { out };
            sink.write_all(text.as_bytes())?;
            return Ok(EXIT_FINDING);
        }
    };
    let mut code = EXIT_OK;
    let opts = plan_options(a.plan_budget, a.time_limit);
    let plan = match plan_verified_with(&system, from, to, sa, sb, request, &opts) {
        Ok(p) => {
            text.push_str(&plan_text(&system, &p));
            // a move that was not forced, with the reason the tool could
            // not avoid it (seamless-system's migration report)
            let report = seamless_system::migration_report(&system, &ss);
            if let Some(tm) = report
                .transitions
                .iter()
                .find(|t| t.from == from && t.to == to)
            {
                for (pid, why) in &tm.reasons {
                    let _ = writeln!(
                        text,
                        "  note: `{}` moves although it may stay on a module of both modes: {why}",
                        system.programs[*pid].name
                    );
                }
            }
            Some(p)
        }
        Err(why) => {
            code = EXIT_FINDING;
            let _ = writeln!(text, "{why}");
            None
        }
    };
    let mut worst = None;
    if a.worst_case {
        match worst_verified(&system, from, to, sa, sb, &opts) {
            Ok(w) => {
                text.push_str(&worst_text(&system, a.from, &w, ""));
                worst = Some(w);
            }
            Err(e) => {
                code = EXIT_FINDING;
                let _ = writeln!(text, "worst case: {e}");
            }
        }
    }
    if let Some(p) = &plan
        && let Some(dir) = a.out
    {
        let format = a.format.unwrap_or(OutFormat::Json);
        let base = format!("{}-to-{}", p.from, p.to);
        let path = dir.join(format!("{base}.plan.{}", ext(format)));
        write_atomic(&path, plan_document(p, worst.as_ref(), format)?.as_bytes())?;
        let _ = writeln!(text, "  wrote {}", path.display());
        if a.svg {
            let svg = dir.join(format!("{base}.svg"));
            write_atomic(&svg, seamless_chart::plan_timeline(&system, p).as_bytes())?;
            let _ = writeln!(text, "  wrote {}", svg.display());
        }
    }
    match (doc_format, &plan) {
        (Some(f), Some(p)) => {
            out.write_all(plan_document(p, worst.as_ref(), f)?.as_bytes())?;
            err.write_all(text.as_bytes())?;
        }
        (Some(_), None) => err.write_all(text.as_bytes())?,
        (None, _) => out.write_all(text.as_bytes())?,
    }
    Ok(code)
}

pub struct CheckArgs<'a> {
    pub dir: &'a Path,
    pub request_at: Option<&'a str>,
    /// Also the worst case of every allowed transition.
    pub worst_case: bool,
    pub out: Option<&'a Path>,
    pub format: Format,
    pub svg: bool,
    /// The planner's work budget per plan, in steps.
    pub plan_budget: u64,
    pub time_limit: Duration,
    pub limits: Limits,
}

/// What `seamless check --format json|ron` prints: every verified
/// schedule and plan, and every finding (why something failed), in the
/// words of the text report.
#[derive(serde::Serialize)]
struct CheckDoc<'a> {
    system: &'a str,
    tick: &'a str,
    /// Every mode scheduled and every transition planned, all verified.
    ok: bool,
    schedules: Vec<&'a Schedule>,
    plans: Vec<Plan>,
    findings: Vec<String>,
}

/// The main job: validate, schedule every mode, plan every allowed
/// transition, verify everything, print one report (or, with `--format
/// json|ron` and no `--out`, one document).
pub fn check(out: &mut dyn Write, a: &CheckArgs) -> Result<i32, Failure> {
    if a.svg && a.out.is_none() {
        return Err(Failure::Input("error: `--svg` needs `--out DIR`\n".into()));
    }
    let file_format = if a.format == Format::Ron {
        OutFormat::Ron
    } else {
        OutFormat::Json
    };
    let (system, files) = load_system(a.dir, a.limits)?;
    let mut text = String::new();
    let mut findings: Vec<String> = Vec::new();
    let mut plans_ok: Vec<Plan> = Vec::new();
    let mut ok = true;
    let (validation, failed) = crate::report::validation(&system, &files);
    let request = match a.request_at {
        Some(t) => Some(parse_request(&system, t)?),
        None => None,
    };
    let plan_opts = plan_options(a.plan_budget, a.time_limit);
    // the placements of all modes chosen together; failed transitions fed
    // back into the placement (bounded rounds); everything verified
    let all = with_progress(&system, a.time_limit, |opts| {
        crate::api::check_with(
            &system,
            opts,
            &plan_opts,
            request.unwrap_or(0),
            FEEDBACK_ROUNDS,
        )
    });
    if failed {
        // the necessary conditions explain what cannot work; show them all
        text.push_str(&validation);
        findings.extend(all.necessary_conditions.iter().cloned());
        ok = false;
    } else {
        let _ = writeln!(text, "{}", validation.lines().next().unwrap_or_default());
    }
    let synthesis = &all.synthesis;
    let defects = &all.schedule_defects;
    let _ = writeln!(text, "\nschedules");
    for d in defects {
        ok = false;
        let _ = writeln!(text, "{d}");
        findings.push(d.clone());
    }
    let mut written = String::new();
    for (mi, r) in synthesis.modes.iter().enumerate() {
        match r {
            Ok(s) => {
                let summary = seamless_synth::summarize(&system, s);
                for line in summary_text(&system, s, &summary).lines() {
                    let _ = writeln!(text, "  {line}");
                }
                if let Some(dir) = a.out {
                    let path = dir.join(format!("{}.schedule.{}", s.mode, ext(file_format)));
                    write_atomic(&path, encode(s, file_format)?.as_bytes())?;
                    let _ = writeln!(written, "  wrote {}", path.display());
                    if a.svg {
                        let svg = dir.join(format!("{}.svg", s.mode));
                        write_atomic(&svg, seamless_chart::gantt(&system, s).as_bytes())?;
                        let _ = writeln!(written, "  wrote {}", svg.display());
                    }
                }
            }
            Err(why) => {
                ok = false;
                findings.push(format!(
                    "mode `{}`: no schedule: {}",
                    system.modes[mi].name,
                    why.explain(&system).trim_end()
                ));
                let _ = writeln!(text, "  mode `{}`: no schedule", system.modes[mi].name);
                for line in why.explain(&system).lines() {
                    let _ = writeln!(text, "    {line}");
                }
            }
        }
    }
    let migrations = &all.migrations;
    let _ = writeln!(
        text,
        "\ntransitions ({}, request {})",
        system.transitions.len(),
        match request {
            Some(r) => format!("at {}", system.tick.format(r)),
            None => "at the start of the old mode's frame".to_string(),
        }
    );
    let mut planned = 0;
    for tr in &all.transitions {
        let (from, to) = (tr.from, tr.to);
        let plan = tr.plan.as_ref();
        match plan {
            Ok(p) => {
                planned += 1;
                for line in plan_text(&system, p).lines() {
                    let _ = writeln!(text, "  {line}");
                }
                if let Some(tm) = migrations
                    .transitions
                    .iter()
                    .find(|t| t.from == from && t.to == to)
                {
                    let _ = writeln!(
                        text,
                        "    migrations: {} planned, {} forced by allowed modules and pins",
                        tm.planned.len(),
                        tm.forced.len()
                    );
                    for (pid, why) in &tm.reasons {
                        let _ = writeln!(
                            text,
                            "    note: `{}` moves although it may stay on a module of both modes: {why}",
                            system.programs[*pid].name
                        );
                    }
                }
                if let Some(dir) = a.out {
                    write_plan(&system, p, dir, file_format, a.svg, &mut written)?;
                }
                plans_ok.push(p.clone());
            }
            Err(why) => {
                ok = false;
                for line in why.lines() {
                    let _ = writeln!(text, "  {line}");
                }
                findings.push(why.trim_end().to_string());
            }
        }
        if a.worst_case
            && let (Ok(sa), Ok(sb)) = (&synthesis.modes[from], &synthesis.modes[to])
        {
            match worst_verified(&system, from, to, sa, sb, &plan_opts) {
                Ok(w) => {
                    let name = &system.modes[from].name;
                    text.push_str(&worst_text(&system, name, &w, "  "));
                }
                Err(why) => {
                    ok = false;
                    let _ = writeln!(text, "  worst case: {why}");
                    findings.push(format!("worst case: {}", why.trim_end()));
                }
            }
        }
    }
    if !all.feedback.is_empty() {
        let changes: usize = all.feedback.iter().map(|r| r.changes.len()).sum();
        let _ = writeln!(
            text,
            "  placement feedback: {} round(s), {changes} placement change(s) tried after failed transitions",
            all.feedback.len()
        );
    }
    let _ = writeln!(text, "  {}", migrations.total_text());
    text.push_str(&written);
    let schedules = synthesis.modes.iter().filter(|r| r.is_ok()).count();
    let _ = writeln!(
        text,
        "\n{}: {schedules} of {} schedules and {planned} of {} transition plans built and verified",
        if ok && defects.is_empty() {
            "ok"
        } else {
            "FAILED"
        },
        system.modes.len(),
        system.transitions.len()
    );
    if a.format == Format::Text || a.out.is_some() {
        out.write_all(text.as_bytes())?;
    } else {
        let doc = CheckDoc {
            system: &system.name,
            tick: &system.tick.text,
            ok: ok && defects.is_empty(),
            schedules: synthesis
                .modes
                .iter()
                .filter_map(|r| r.as_ref().ok())
                .collect(),
            plans: plans_ok,
            findings,
        };
        out.write_all(super::encode_doc(&doc, a.format)?.as_bytes())?;
    }
    Ok(if ok && defects.is_empty() {
        EXIT_OK
    } else {
        EXIT_FINDING
    })
}

/// Every mode's verified schedule and every allowed transition's verified
/// plan (or why there is none).
pub struct Everything {
    pub synthesis: seamless_synth::Synthesis,
    pub defects: Vec<String>,
    pub plans: Vec<(ModeId, ModeId, Result<Plan, String>)>,
}

impl Everything {
    /// The schedules, if every mode has one.
    pub fn schedules(&self) -> Option<Vec<Schedule>> {
        if !self.defects.is_empty() {
            return None;
        }
        self.synthesis
            .modes
            .iter()
            .map(|r| r.as_ref().ok().cloned())
            .collect()
    }
    /// The plans found.
    pub fn found_plans(&self) -> Vec<Plan> {
        self.plans
            .iter()
            .filter_map(|(_, _, r)| r.as_ref().ok().cloned())
            .collect()
    }
}

/// Schedules every mode and plans every allowed transition at `request`
/// (clamped into each old mode's frame).
pub fn build_everything(system: &System, time_limit: Duration, request: u64) -> Everything {
    let (synthesis, defects) = synthesize_verified(system, time_limit);
    let mut plans = Vec::new();
    for &(from, to) in &system.transitions {
        let r = match (&synthesis.modes[from], &synthesis.modes[to]) {
            (Ok(sa), Ok(sb)) if defects.is_empty() => {
                let req = request.min(system.modes[from].major_frame - 1);
                plan_verified(system, from, to, sa, sb, req)
            }
            _ => Err(format!(
                "{} → {}: not planned, a table is missing",
                system.modes[from].name, system.modes[to].name
            )),
        };
        plans.push((from, to, r));
    }
    Everything {
        synthesis,
        defects,
        plans,
    }
}

pub fn compile(
    out: &mut dyn Write,
    dir: &Path,
    to_dir: &Path,
    request_at: Option<&str>,
    time_limit: Duration,
    limits: Limits,
) -> Result<i32, Failure> {
    let (system, _) = load_system(dir, limits)?;
    let request = match request_at {
        Some(t) => parse_request(&system, t)?,
        None => 0,
    };
    let all = build_everything(&system, time_limit, request);
    let mut text = String::new();
    let Some(schedules) = all.schedules() else {
        for d in &all.defects {
            let _ = writeln!(text, "{d}");
        }
        for r in &all.synthesis.modes {
            if let Err(why) = r {
                let _ = writeln!(text, "{}", why.explain(&system).trim_end());
            }
        }
        let _ = writeln!(text, "nothing compiled: every mode needs a schedule");
        out.write_all(text.as_bytes())?;
        return Ok(EXIT_FINDING);
    };
    let plans = all.found_plans();
    let mut code = EXIT_OK;
    for (_, _, r) in &all.plans {
        if let Err(why) = r {
            code = EXIT_FINDING;
            let _ = writeln!(
                text,
                "not compiled (the runtime will refuse this switch): {}",
                why.lines().next().unwrap_or_default()
            );
        }
    }
    match seamless_export::compile(&system, &schedules, &plans) {
        Ok(tables) => {
            for (module, bytes) in &tables {
                let path = to_dir.join(format!("{module}.tables"));
                write_atomic(&path, bytes)?;
                let _ = writeln!(text, "wrote {} ({} bytes)", path.display(), bytes.len());
            }
            let _ = writeln!(
                text,
                "{}, {}, {} of {} transitions compiled",
                crate::report::count(tables.len(), "module", "modules"),
                crate::report::count(schedules.len(), "mode", "modes"),
                plans.len(),
                system.transitions.len()
            );
        }
        Err(e) => {
            code = EXIT_FINDING;
            let _ = writeln!(
                text,
                "internal error: compiling the verified tables failed: {e:?}"
            );
        }
    }
    out.write_all(text.as_bytes())?;
    Ok(code)
}

pub struct SimulateArgs<'a> {
    pub dir: &'a Path,
    pub from: &'a str,
    pub to: &'a str,
    pub request_at: Option<&'a str>,
    pub trace: bool,
    pub time_limit: Duration,
    pub limits: Limits,
}

/// Plans the switch, compiles every module's tables with that plan, runs
/// every module's runtime dispatcher on one simulated clock, and checks the
/// trace against the plan and with the plan verifier.
pub fn simulate(out: &mut dyn Write, a: &SimulateArgs) -> Result<i32, Failure> {
    let (system, _) = load_system(a.dir, a.limits)?;
    let (from, to, request) = switch_args(&system, a.dir, a.from, a.to, a.request_at)?;
    let (synthesis, defects) = synthesize_verified(&system, a.time_limit);
    let mut text = String::new();
    let schedules: Option<Vec<Schedule>> = if defects.is_empty() {
        synthesis
            .modes
            .iter()
            .map(|r| r.as_ref().ok().cloned())
            .collect()
    } else {
        None
    };
    let Some(schedules) = schedules else {
        let _ = writeln!(
            text,
            "cannot simulate: every mode needs a schedule (run `seamless schedule` to see why)"
        );
        out.write_all(text.as_bytes())?;
        return Ok(EXIT_FINDING);
    };
    let plan = match plan_verified(&system, from, to, &schedules[from], &schedules[to], request) {
        Ok(p) => p,
        Err(why) => {
            let _ = writeln!(text, "{why}");
            out.write_all(text.as_bytes())?;
            return Ok(EXIT_FINDING);
        }
    };
    let tables = match seamless_export::compile(&system, &schedules, std::slice::from_ref(&plan)) {
        Ok(t) => t,
        Err(e) => {
            let _ = writeln!(text, "internal error: compiling the tables failed: {e:?}");
            out.write_all(text.as_bytes())?;
            return Ok(EXIT_FINDING);
        }
    };
    match seamless_sim::simulate_full(&system, &tables, &schedules[from], &schedules[to], &plan) {
        Ok(sim) => {
            if a.trace {
                text.push_str(&seamless_sim::render_trace(&system, &sim.trace));
            }
            let _ = writeln!(
                text,
                "simulated {} → {} requested at {} on {} modules: {} events; every job, message and chunk ran as planned (switch point {}, new table from {}), and the plan verifier accepts the trace",
                a.from,
                a.to,
                system.tick.format(request),
                tables.len(),
                sim.trace.events.len(),
                system.tick.format(plan.switch),
                system.tick.format(plan.b_start)
            );
            out.write_all(text.as_bytes())?;
            Ok(EXIT_OK)
        }
        Err(seamless_sim::SimError::Input(e)) => Err(Failure::Input(format!("error: {e}\n"))),
        Err(e) => {
            let _ = writeln!(text, "{e}");
            out.write_all(text.as_bytes())?;
            Ok(EXIT_FINDING)
        }
    }
}
