//! The charts as pictures: the Gantt chart of every ISS and tutorial mode
//! and the timeline of the tutorial's switch are rendered to PNG with resvg;
//! their size is readable, they carry a legend and a name on every row, and
//! no two text labels overlap (boxes computed by the chart code, and the
//! PNG is checked to be a real picture).
//!
//! `SEAMLESS_WRITE_DOCS=1 cargo test --test charts` also writes the PNGs
//! shown in the README to `docs/`.

use seamless_chart::{Chart, gantt_chart, plan_chart};
use seamless_model::System;
use std::path::Path;

fn load(dir: &str) -> System {
    seamless::load(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Rasterizes an SVG; returns the PNG bytes and the count of non-white pixels.
fn png(svg: &str) -> (Vec<u8>, usize, u32, u32) {
    let mut opt = resvg::usvg::Options::default();
    opt.fontdb_mut().load_system_fonts();
    let tree = resvg::usvg::Tree::from_str(svg, &opt).expect("the SVG parses");
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).expect("a pixmap");
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    let inked = pixmap
        .pixels()
        .iter()
        .filter(|p| (p.red(), p.green(), p.blue()) != (255, 255, 255))
        .count();
    (
        pixmap.encode_png().expect("PNG"),
        inked,
        size.width(),
        size.height(),
    )
}

fn check(chart: &Chart, what: &str, row_names: &[String], legend: &[String]) -> Vec<u8> {
    assert!(
        (800..=2100).contains(&chart.width),
        "{what}: {} px wide",
        chart.width
    );
    assert!(chart.svg.contains("viewBox="), "{what}: no viewBox");
    for (i, a) in chart.labels.iter().enumerate() {
        assert!(
            a.x0 >= 0 && a.x1 <= chart.width as i64 && a.y0 >= 0 && a.y1 <= chart.height as i64,
            "{what}: label {a:?} is clipped"
        );
        for b in &chart.labels[i + 1..] {
            assert!(!a.overlaps(b), "{what}: labels overlap: {a:?} and {b:?}");
        }
    }
    let texts: Vec<&str> = chart.labels.iter().map(|l| l.text.as_str()).collect();
    assert!(texts.contains(&"legend:"), "{what}: no legend");
    for n in row_names.iter().chain(legend) {
        assert!(texts.contains(&n.as_str()), "{what}: no label `{n}`");
    }
    let (bytes, inked, w, h) = png(&chart.svg);
    assert_eq!((u64::from(w), u64::from(h)), (chart.width, chart.height));
    // bars, lines and (with a font on the machine) text: a real picture
    assert!(
        inked > (w * h / 50) as usize,
        "{what}: {inked} inked pixels"
    );
    assert_eq!(&bytes[1..4], b"PNG");
    bytes
}

fn write_doc(name: &str, bytes: &[u8]) {
    if std::env::var_os("SEAMLESS_WRITE_DOCS").is_some() {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("docs")
            .join(name);
        std::fs::write(p, bytes).unwrap();
    }
}

fn core_rows(system: &System) -> Vec<String> {
    system
        .modules
        .iter()
        .flat_map(|m| (0..m.cores).map(move |c| format!("{} / core {c}", m.name)))
        .collect()
}

#[test]
fn gantt_charts_of_every_example_mode() {
    for dir in ["modes/tutorial", "modes/iss"] {
        let system = load(dir);
        let synthesis = seamless_synth::synthesize(&system, &seamless_synth::Options::default());
        for s in synthesis.modes.iter().flatten() {
            let chart = gantt_chart(&system, s);
            let mut legend: Vec<String> = s.placement.iter().map(|p| p.program.clone()).collect();
            legend.sort();
            legend.dedup();
            let rows: Vec<String> = core_rows(&system)
                .into_iter()
                .filter(|r| r.chars().count() <= 22)
                .collect();
            let bytes = check(&chart, &format!("{dir} {}", s.mode), &rows, &legend);
            if dir == "modes/iss" && s.mode == "standard" {
                write_doc("gantt-iss-standard.png", &bytes);
            }
        }
    }
}

#[test]
fn plan_timeline_of_the_tutorial_switch() {
    let system = load("modes/tutorial");
    let synthesis = seamless_synth::synthesize(&system, &seamless_synth::Options::default());
    let (from, to) = (
        system.mode_by_name("cruise").unwrap(),
        system.mode_by_name("landing").unwrap(),
    );
    let a = synthesis.modes[from].as_ref().unwrap();
    let b = synthesis.modes[to].as_ref().unwrap();
    for request in [0, 10_000, 39_000] {
        let plan = seamless_plan::plan_transition(
            &system,
            from,
            to,
            a,
            b,
            request,
            &seamless_plan::PlanOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let chart = plan_chart(&system, &plan);
        let legend: Vec<String> = plan.programs.iter().map(|p| p.program.clone()).collect();
        let marks: Vec<String> = if plan.switch == plan.b_start {
            vec!["S = B starts".into()]
        } else {
            vec!["S".into(), "B starts".into()]
        };
        let bytes = check(
            &chart,
            &format!("cruise → landing at {request}"),
            &marks,
            &legend,
        );
        if request == 0 {
            write_doc("plan-tutorial-cruise-to-landing.png", &bytes);
        }
    }
}
