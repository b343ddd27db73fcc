//! SVG charts: a Gantt chart per mode schedule (a row per core, grouped by
//! module, and a row per used link direction) and a timeline per transition
//! plan. Pure functions from model types to SVG text; deterministic.

#![deny(missing_docs)]

pub mod svg;
mod timeline;
pub use svg::{Chart, LabelBox, Svg, text_width};
pub use timeline::{plan_chart, plan_timeline};

use seamless_model::System;
use seamless_model::schedule::Schedule;
use std::collections::BTreeMap;

/// The colour of a program: hues spread by the golden angle over the
/// catalogue index (by name hash if unknown), alternating lightness, so that
/// neighbours in the catalogue differ. Rendering only: floating point here
/// never feeds a check.
pub fn program_colour(system: &System, name: &str) -> String {
    let i = system.program_by_name(name).unwrap_or_else(|| {
        name.bytes()
            .fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize))
    });
    let hue = (i as f64 * 137.508) % 360.0;
    let (s, l) = match i % 3 {
        0 => (0.55, 0.62),
        1 => (0.65, 0.48),
        _ => (0.45, 0.74),
    };
    hsl_hex(hue, s, l)
}

fn hsl_hex(h: f64, s: f64, l: f64) -> String {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let hp = h / 60.0;
    let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    let to = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    format!("#{:02x}{:02x}{:02x}", to(r), to(g), to(b))
}

/// A row of a chart.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum RowKey {
    Core(usize, u32),
    Link(String, String),
}

/// The horizontal scale: pixels per tick as a fraction, chosen so the
/// shortest job is at least 2 px wide where that fits, within a readable
/// [`MIN_WIDTH`, `MAX_WIDTH`] px (narrower bars are drawn 1 px wide; every
/// bar has a tooltip, and the `viewBox` lets a viewer zoom).
pub(crate) struct Scale {
    pub x0: u64,
    pub width_px: u64,
    pub span: u64,
}

/// The narrowest time axis, in pixels.
pub const MIN_WIDTH: u64 = 1000;
/// The widest time axis, in pixels: a chart fits a screen.
pub const MAX_WIDTH: u64 = 1800;
/// Right margin, in pixels, so that end-anchored labels are never clipped.
pub(crate) const RIGHT: u64 = 40;

impl Scale {
    pub fn new(span: u64, shortest: u64) -> Scale {
        let span = span.max(1);
        let shortest = shortest.max(1);
        // width such that shortest * width / span >= 2
        let want = (2 * u128::from(span)).div_ceil(u128::from(shortest));
        let width_px = want.clamp(u128::from(MIN_WIDTH), u128::from(MAX_WIDTH)) as u64;
        Scale {
            x0: 170,
            width_px,
            span,
        }
    }
    /// x in tenths of a pixel for tick t (relative to the chart origin).
    pub fn x(&self, t: u64) -> u64 {
        self.x0 * 10
            + (u128::from(t) * u128::from(self.width_px) * 10 / u128::from(self.span)) as u64
    }
}

/// A row name cut to fit the 170 px left margin (22 characters).
pub(crate) fn row_name(name: &str) -> String {
    const MAX: usize = 22;
    if name.chars().count() <= MAX {
        name.to_string()
    } else {
        let cut: String = name.chars().take(MAX - 1).collect();
        format!("{cut}…")
    }
}

/// The Gantt chart of one mode's schedule, as SVG text.
pub fn gantt(system: &System, schedule: &Schedule) -> String {
    gantt_chart(system, schedule).svg
}

/// The Gantt chart of one mode's schedule: a row per core (grouped by
/// module) and per used link direction, each named; a bar per job and per
/// message hop, coloured by program (a message takes its sender's colour),
/// labelled where the label fits and never over another label, with a
/// tooltip each; a time axis, the end of the major frame, and a legend of
/// the programs.
pub fn gantt_chart(system: &System, schedule: &Schedule) -> Chart {
    let h = schedule.major_frame.max(1);
    let mut rows: BTreeMap<RowKey, Vec<(u64, u64, String, String)>> = BTreeMap::new();
    for m in 0..system.modules.len() {
        for c in 0..system.modules[m].cores {
            rows.insert(RowKey::Core(m, c), Vec::new());
        }
    }
    let mut shortest = u64::MAX;
    for j in &schedule.jobs {
        let Some(m) = system.module_by_name(&j.module) else {
            continue;
        };
        shortest = shortest.min(j.end.saturating_sub(j.start));
        rows.entry(RowKey::Core(m, j.core)).or_default().push((
            j.start,
            j.end,
            format!("{}#{}", j.program, j.index),
            program_colour(system, &j.program),
        ));
    }
    for t in &schedule.transmissions {
        let sender = system
            .message_by_name(&t.message)
            .map(|m| system.programs[system.messages[m].from].name.clone())
            .unwrap_or_default();
        for hop in &t.hops {
            rows.entry(RowKey::Link(hop.from.clone(), hop.to.clone()))
                .or_default()
                .push((
                    hop.start,
                    hop.end,
                    format!("{}#{}", t.message, t.index),
                    program_colour(system, &sender),
                ));
        }
    }
    let scale = Scale::new(h, if shortest == u64::MAX { h } else { shortest });
    let mut svg = Svg::new();
    let row_h = 22u64;
    let top = 50u64;
    let n_rows = rows.len() as u64;
    let mut programs: Vec<&str> = schedule
        .placement
        .iter()
        .map(|p| p.program.as_str())
        .collect();
    programs.sort_unstable();
    programs.dedup();
    let legend: Vec<(String, String, bool)> = programs
        .iter()
        .map(|p| (p.to_string(), program_colour(system, p), false))
        .collect();
    let width = scale.x0 + scale.width_px + RIGHT;
    let rows_bottom = top + n_rows * row_h;
    let legend_top = rows_bottom + 28;
    let height = legend_top + Svg::legend_rows(width, 10, &legend) * 16 + 10;
    svg.open(width, height);
    svg.text(10, 20, 14, "start", &format!(
        "mode {} — major frame {} ({} ticks of {}); rows: cores by module, then link directions",
        schedule.mode,
        system.tick.format(h),
        h,
        system.tick.text
    ));
    // the end of the major frame, below the rows (the axis labels are above)
    svg.text(
        scale.x(h) / 10,
        rows_bottom + 16,
        11,
        "end",
        &format!("end of major frame ({})", system.tick.format(h)),
    );
    axis(&mut svg, system, &scale, 0, h, top, n_rows * row_h);
    let mut y = top;
    let mut last_module = None;
    for key in rows.keys() {
        let label = match key {
            RowKey::Core(m, c) => format!("{} / core {c}", system.modules[*m].name),
            RowKey::Link(a, b) => format!("{a} → {b}"),
        };
        svg.text(6, y + 15, 11, "start", &row_name(&label));
        y += row_h;
    }
    let mut y = top;
    for (key, bars) in &rows {
        match key {
            RowKey::Core(m, _) => {
                if last_module != Some(*m) {
                    svg.line_tenths(0, y * 10, width * 10, y * 10, "#888", 10);
                    last_module = Some(*m);
                }
            }
            RowKey::Link(..) => {
                if last_module.is_some() {
                    svg.line_tenths(0, y * 10, width * 10, y * 10, "#888", 20);
                    last_module = None;
                }
            }
        }
        for (s, e, name, colour) in bars {
            let x1 = scale.x(*s);
            let x2 = scale.x(*e).max(x1 + 10);
            svg.rect_tenths(
                x1,
                (y + 3) * 10,
                x2 - x1,
                (row_h - 6) * 10,
                colour,
                name,
                system.tick.format(*s),
                system.tick.format(*e),
            );
        }
        // labels after the bars of the row, each inside its bar
        for (s, e, name, _) in bars {
            let x1 = scale.x(*s);
            let x2 = scale.x(*e).max(x1 + 10);
            let w_px = ((x2 - x1) / 10) as i64;
            let short = name.split('#').next().unwrap_or(name);
            for label in [name.as_str(), short] {
                if w_px >= svg::text_width(label, 10) + 4
                    && svg.try_text(x1 / 10 + 2, y + 15, 10, "start", label)
                {
                    break;
                }
            }
        }
        y += row_h;
    }
    // the major frame: its two boundaries
    for t in [0, h] {
        svg.line_tenths(
            scale.x(t),
            (top - 6) * 10,
            scale.x(t),
            (y + 4) * 10,
            "#000",
            3,
        );
    }
    svg.legend(10, legend_top, &legend);
    svg.finish()
}

/// Draws a time axis in milliseconds over [from, to] (ticks, absolute), with
/// `origin` the tick shown at the chart's left edge.
pub(crate) fn axis(
    svg: &mut Svg,
    system: &System,
    scale: &Scale,
    origin: u64,
    to: u64,
    top: u64,
    height: u64,
) {
    let (num, den) = system.tick.ticks_per_ms(); // ticks per ms = num/den
    let span = to - origin;
    // a step of 1, 2 or 5 times a power of ten milliseconds, at most ~20 marks
    let total_ms = (u128::from(span) * u128::from(den) / u128::from(num.max(1))) as u64;
    let step_ms = (0..18u32)
        .flat_map(|e| [1u64, 2, 5].map(|m| m * 10u64.pow(e)))
        .find(|s| total_ms / s <= 20)
        .unwrap_or(1);
    // marks at absolute whole multiples of the step, from the first at or
    // after `origin`
    let ticks_of = |ms: u64| (u128::from(ms) * u128::from(num) / u128::from(den.max(1))) as u64;
    let mut ms = origin_ms(origin, num, den).div_ceil(step_ms) * step_ms;
    while ticks_of(ms) < origin {
        ms += step_ms;
    }
    loop {
        let abs = ticks_of(ms);
        if abs > to {
            break;
        }
        let x = scale.x(abs - origin);
        svg.line_tenths(x, (top - 4) * 10, x, (top + height) * 10, "#ddd", 10);
        svg.try_text(x / 10, top - 10, 10, "middle", &format!("{ms}ms"));
        ms += step_ms;
    }
}

fn origin_ms(origin: u64, num: u64, den: u64) -> u64 {
    (u128::from(origin) * u128::from(den) / u128::from(num.max(1))) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_keeps_short_bars_visible() {
        let s = Scale::new(1_000_000, 1_000);
        assert_eq!(s.width_px, MAX_WIDTH);
        assert_eq!(Scale::new(1_000_000, 2_000).width_px, 1_000);
        assert!(s.x(1_000) - s.x(0) >= 10);
        assert_eq!(Scale::new(40_000, 8_000).width_px, MIN_WIDTH);
        assert_eq!(Scale::new(1_000_000, 1).width_px, MAX_WIDTH);
    }
}
