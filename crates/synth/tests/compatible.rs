//! Issue 10's example: a windowed program's unavoidable busy stretch recurs
//! every period of that program, not every gcd of the two periods; only a
//! proven condition may keep two programs off one core.
//!
//! One core; `long` runs 18.72 ms every 100 ms (jitter unbounded), `short`
//! 11.91 ms every 40 ms inside [0, 20.41 ms] of its period, so every
//! `short` job covers [8.5 ms, 11.91 ms) of its period. The gcd heuristic
//! (a 3.41 ms busy stretch every 20 ms leaves 16.59 ms) wrongly forbade
//! anything longer than 16.59 ms; a schedule exists (`long` in
//! [11.91, 30.63) and [131.91, 150.63)).

use seamless_model::validate::Limits;
use seamless_model::{SourceFile, System};
use seamless_synth::{Infeasible, Options, PlacementHint, synthesize_mode};

fn load(long_wcet: &str, long_jitter: Option<&str>) -> System {
    let jitter = long_jitter.map_or(String::new(), |j| format!(", max_jitter: \"{j}\""));
    let system = format!(
        r#"System(name: "t", tick: "10us",
        modules: [Module(name: "m", cores: 1, memory: "64MiB")],
        switches: [], links: [],
        programs: [
            Program(name: "long", memory: "1MiB", wcet: "{long_wcet}", period: "100ms"{jitter}),
            Program(name: "short", memory: "1MiB", wcet: "11.91ms", period: "40ms",
                    window: Window(start: "0ms", end: "20.41ms")),
        ],
        messages: [])"#
    );
    let mode = r#"Mode(name: "only", programs: ["long", "short"], messages: [])"#;
    let files = vec![
        SourceFile {
            name: "system.ron".into(),
            text: system,
        },
        SourceFile {
            name: "m.ron".into(),
            text: mode.into(),
        },
    ];
    match seamless_model::load::load(&files, Limits::default()) {
        Ok(s) => s,
        Err(d) => panic!("{}", seamless_model::diag::render(&d, &files)),
    }
}

fn run(sys: &System) -> Result<seamless_model::schedule::Schedule, Infeasible> {
    synthesize_mode(sys, 0, &PlacementHint::default(), &Options::default())
}

#[test]
fn windowed_busy_stretch_is_not_a_limit() {
    for wcet in ["16.59ms", "16.6ms", "18.72ms", "25ms", "36.59ms"] {
        let sys = load(wcet, None);
        match run(&sys) {
            Ok(s) => {
                let report = seamless_verify::verify_schedule(&sys, &s);
                assert!(report.is_valid(), "{wcet}: {report:?}");
            }
            Err(e) => panic!("{wcet}: {}", e.explain(&sys)),
        }
    }
}
#[test]
fn strictly_periodic_long_job_does_not_fit() {
    // With jitter 0 both jobs of `long` sit at offsets o and o + 100 ms ≡
    // o + 20 ms (mod 40 ms): the gcd condition is exact there. 16.59 ms fits
    // (o = 11.91 ms), 16.6 ms does not.
    let sys = load("16.59ms", Some("0us"));
    let s = run(&sys).unwrap_or_else(|e| panic!("{}", e.explain(&sys)));
    assert!(seamless_verify::verify_schedule(&sys, &s).is_valid());
    let sys = load("16.6ms", Some("0us"));
    let e = run(&sys).expect_err("no schedule exists");
    assert!(e.is_proven(), "{}", e.explain(&sys));
    let text = e.explain(&sys);
    assert!(
        text.starts_with("mode `only` cannot be scheduled: proven by exhaustive search"),
        "{text}"
    );
    assert!(
        text.contains("`long`") && text.contains("`short`"),
        "{text}"
    );
    assert!(!text.contains("named above"), "{text}");
}
