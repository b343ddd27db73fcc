//! The timeline of a transition plan: cores and links around the switch,
//! A's jobs before `S`, B's jobs from `b_start` (skipped ones hatched,
//! extended ones with their extension), migration chunks coloured by program
//! and shaded by phase, `S` and `b_start` marked, and each shared program's
//! longest unavailability drawn as a bar of its own.

use crate::svg::{Chart, text_width};
use crate::{RIGHT, RowKey, Scale, Svg, axis, program_colour, row_name};
use seamless_model::System;
use seamless_model::plan::Plan;
use seamless_model::schedule::Schedule;
use std::collections::{BTreeMap, BTreeSet};

struct Bar {
    start: u64,
    end: u64,
    label: String,
    colour: String,
    kind: Kind,
}

#[derive(PartialEq, Eq)]
enum Kind {
    Job,
    Skipped,
    Chunk,
}

/// Executed completions of `program` on the merged timeline (chart only).
fn completions(
    plan: &Plan,
    program: &str,
    skipped: &BTreeSet<(String, u64)>,
    extra: &BTreeMap<(String, u64), u64>,
) -> Vec<u64> {
    let a = &plan.from_schedule;
    let b = &plan.to_schedule;
    let ha = a.major_frame.max(1);
    let hb = b.major_frame.max(1);
    let mut out = Vec::new();
    let first_frame = plan.request.saturating_sub(ha) / ha;
    let mut f = first_frame;
    while f * ha < plan.switch {
        for j in a.jobs.iter().filter(|j| j.program == program) {
            let end = f * ha + j.end;
            if end + ha >= plan.request && end <= plan.switch {
                out.push(end);
            }
        }
        f += 1;
    }
    let per_frame = b.jobs.iter().filter(|j| j.program == program).count() as u64;
    let mut first_b: Option<u64> = None;
    let mut f = 0u64;
    'frames: loop {
        let mut sorted: Vec<_> = b.jobs.iter().filter(|j| j.program == program).collect();
        sorted.sort_by_key(|j| j.index);
        for j in sorted {
            let index = f * per_frame + j.index;
            let key = (program.to_string(), index);
            if skipped.contains(&key) {
                continue;
            }
            let end = plan.b_start + f * hb + j.end + extra.get(&key).copied().unwrap_or(0);
            if let Some(fb) = first_b
                && end > fb + hb
            {
                break 'frames;
            }
            first_b.get_or_insert(end);
            out.push(end);
        }
        f += 1;
        if per_frame == 0 || f > 64 {
            break;
        }
    }
    out.sort_unstable();
    out
}

/// The SVG timeline of a plan, as SVG text.
pub fn plan_timeline(system: &System, plan: &Plan) -> String {
    plan_chart(system, plan).svg
}

/// The timeline of a plan: the involved cores and the links around the
/// switch, A's jobs before `S` and B's from `b_start` (skipped ones hatched),
/// migration chunks (thin bars, labelled where they fit), the longest
/// unavailability of each shared program, `S` and `b_start` marked below the
/// rows without overlapping, and a legend of programs and bar kinds.
pub fn plan_chart(system: &System, plan: &Plan) -> Chart {
    let a: &Schedule = &plan.from_schedule;
    let b: &Schedule = &plan.to_schedule;
    let ha = a.major_frame.max(1);
    let hb = b.major_frame.max(1);
    let skipped: BTreeSet<(String, u64)> = plan
        .skipped
        .iter()
        .map(|s| (s.program.clone(), s.index))
        .collect();
    let extra: BTreeMap<(String, u64), u64> = plan
        .extended
        .iter()
        .map(|e| ((e.program.clone(), e.index), e.extra))
        .collect();
    let from = plan.switch.saturating_sub(ha).min(plan.request);
    let to = plan.complete.max(plan.b_start + hb) + hb / 4;
    let mut rows: BTreeMap<RowKey, Vec<Bar>> = BTreeMap::new();
    let module_of = |name: &str| system.module_by_name(name);
    // A's jobs before S
    let mut f = from / ha;
    while f * ha < plan.switch {
        for j in &a.jobs {
            let (s, e) = (f * ha + j.start, f * ha + j.end);
            if e <= from || s >= plan.switch {
                continue;
            }
            if let Some(m) = module_of(&j.module) {
                rows.entry(RowKey::Core(m, j.core)).or_default().push(Bar {
                    start: s,
                    end: e,
                    label: format!("{}#{}", j.program, j.index),
                    colour: program_colour(system, &j.program),
                    kind: Kind::Job,
                });
            }
        }
        f += 1;
    }
    // B's jobs from b_start
    let mut f = 0u64;
    while plan.b_start + f * hb < to {
        for j in &b.jobs {
            let per_frame = b.jobs.iter().filter(|x| x.program == j.program).count() as u64;
            let index = f * per_frame + j.index;
            let key = (j.program.clone(), index);
            let s = plan.b_start + f * hb + j.start;
            let e = plan.b_start + f * hb + j.end + extra.get(&key).copied().unwrap_or(0);
            if s >= to {
                continue;
            }
            if let Some(m) = module_of(&j.module) {
                let kind = if skipped.contains(&key) {
                    Kind::Skipped
                } else {
                    Kind::Job
                };
                rows.entry(RowKey::Core(m, j.core)).or_default().push(Bar {
                    start: s,
                    end: e,
                    label: format!(
                        "{}#{}{}",
                        j.program,
                        index,
                        if kind == Kind::Skipped {
                            " (skipped)"
                        } else {
                            ""
                        }
                    ),
                    colour: program_colour(system, &j.program),
                    kind,
                });
            }
        }
        f += 1;
    }
    // chunks
    for t in &plan.transfers {
        for h in &t.hops {
            rows.entry(RowKey::Link(h.from.clone(), h.to.clone()))
                .or_default()
                .push(Bar {
                    start: h.start,
                    end: h.end,
                    label: format!("{} {} ({} B)", t.program, t.phase, t.bytes),
                    colour: program_colour(system, &t.program),
                    kind: Kind::Chunk,
                });
        }
    }
    // keep only modules touched by the transition: sources, destinations, intermediaries
    let mut involved: BTreeSet<usize> = BTreeSet::new();
    for m in &plan.migrations {
        for name in [Some(&m.from.module), Some(&m.to.module), m.via.as_ref()]
            .into_iter()
            .flatten()
        {
            if let Some(x) = module_of(name) {
                involved.insert(x);
            }
        }
    }
    if involved.is_empty() {
        involved = (0..system.modules.len()).collect();
    }
    rows.retain(|k, _| match k {
        RowKey::Core(m, _) => involved.contains(m),
        RowKey::Link(..) => true,
    });
    let span = to - from;
    let scale = Scale::new(span, span / 400);
    let row_h = 22u64;
    let top = 50u64;
    let shared: Vec<_> = plan
        .programs
        .iter()
        .filter(|p| p.unavailability.is_some())
        .collect();
    let n_rows = rows.len() as u64 + shared.len() as u64;
    let width = scale.x0 + scale.width_px + RIGHT;
    let mut legend: Vec<(String, String, bool)> = Vec::new();
    let mut names: Vec<&str> = plan.programs.iter().map(|p| p.program.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    for n in names {
        legend.push((n.to_string(), program_colour(system, n), false));
    }
    legend.push(("skipped job (outline)".into(), "#555555".into(), true));
    legend.push(("longest unavailability".into(), "#555555".into(), false));
    legend.push(("above its bound".into(), "#d62728".into(), false));
    let rows_bottom = top + n_rows * row_h;
    // three lines for the S / B starts marks, then the legend
    let legend_top = rows_bottom + 50;
    let height = legend_top + Svg::legend_rows(width, 10, &legend) * 16 + 10;
    let mut svg = Svg::new();
    svg.open(width, height);
    svg.text(
        10,
        20,
        12,
        "start",
        &format!(
            "{} → {}: request {}, switch point S = {}, B starts {}, complete {} (from the start of A's frame of the request)",
            plan.from,
            plan.to,
            system.tick.format(plan.request),
            system.tick.format(plan.switch),
            system.tick.format(plan.b_start),
            system.tick.format(plan.complete)
        ),
    );
    let rel = |t: u64| t - from;
    axis(&mut svg, system, &scale, from, to, top, n_rows * row_h);
    let mut y = top;
    for key in rows.keys() {
        let label = match key {
            RowKey::Core(m, c) => format!("{} / core {c}", system.modules[*m].name),
            RowKey::Link(x, z) => format!("{x} → {z}"),
        };
        svg.text(6, y + 15, 11, "start", &row_name(&label));
        y += row_h;
    }
    for p in &shared {
        svg.text(
            6,
            y + 15,
            11,
            "start",
            &row_name(&format!("{} gap", p.program)),
        );
        y += row_h;
    }
    // S and B starts first: they must be placed, below the rows, each on the
    // first of three lines where it overlaps nothing
    let marks: Vec<(u64, &str)> = if plan.switch == plan.b_start {
        vec![(plan.switch, "S = B starts")]
    } else {
        vec![(plan.switch, "S"), (plan.b_start, "B starts")]
    };
    for (t, name) in &marks {
        if *t >= from && *t <= to {
            let x = scale.x(t - from);
            svg.line_tenths(x, (top - 6) * 10, x, (y + 4) * 10, "#000", 20);
            svg.text_at_first_free(x / 10 + 3, &[y + 16, y + 30, y + 44], 11, "start", name);
        }
    }
    let mut y = top;
    for bars in rows.values() {
        for bar in bars {
            let x1 = scale.x(rel(bar.start.max(from)));
            let x2 = scale.x(rel(bar.end.min(to))).max(x1 + 10);
            match bar.kind {
                Kind::Skipped => svg.hatched_tenths(
                    x1,
                    (y + 3) * 10,
                    x2 - x1,
                    (row_h - 6) * 10,
                    &bar.colour,
                    &bar.label,
                ),
                Kind::Job | Kind::Chunk => svg.rect_tenths(
                    x1,
                    (y + if bar.kind == Kind::Chunk { 6 } else { 3 }) * 10,
                    x2 - x1,
                    (row_h - if bar.kind == Kind::Chunk { 12 } else { 6 }) * 10,
                    &bar.colour,
                    &bar.label,
                    system.tick.format(bar.start),
                    system.tick.format(bar.end),
                ),
            }
        }
        for bar in bars {
            let x1 = scale.x(rel(bar.start.max(from)));
            let x2 = scale.x(rel(bar.end.min(to))).max(x1 + 10);
            let w_px = ((x2 - x1) / 10) as i64;
            let short = bar.label.split(['#', ' ']).next().unwrap_or(&bar.label);
            for label in [bar.label.as_str(), short] {
                if w_px >= text_width(label, 10) + 4
                    && svg.try_text(x1 / 10 + 2, y + 15, 10, "start", label)
                {
                    break;
                }
            }
        }
        y += row_h;
    }
    // longest unavailability per shared program
    for p in &shared {
        let ends = completions(plan, &p.program, &skipped, &extra);
        let gap = ends
            .windows(2)
            .map(|w| (w[1] - w[0], w[0], w[1]))
            .max_by_key(|g| (g.0, std::cmp::Reverse(g.1)));
        let bound = p
            .bound
            .map(|b| system.tick.format(b))
            .unwrap_or_else(|| "none".into());
        if let Some((len, s, e)) = gap
            && e > from
        {
            let x1 = scale.x(rel(s.max(from)));
            let x2 = scale.x(rel(e.min(to))).max(x1 + 10);
            svg.rect_tenths(
                x1,
                (y + 8) * 10,
                x2 - x1,
                60,
                if p.bound.is_some_and(|b| len > b) {
                    "#d62728"
                } else {
                    "#555555"
                },
                &format!(
                    "{}: longest unavailability {} (bound {bound})",
                    p.program,
                    system.tick.format(len)
                ),
                system.tick.format(s),
                system.tick.format(e),
            );
            let text = format!("{} (bound {bound})", system.tick.format(len));
            // after the bar, or before it when it would leave the picture
            if !svg.try_text(x2 / 10 + 4, y + 15, 10, "start", &text) {
                svg.try_text((x1 / 10).saturating_sub(4), y + 15, 10, "end", &text);
            }
        }
        y += row_h;
    }
    svg.legend(10, legend_top, &legend);
    svg.finish()
}
