//! The worst case over request instants against brute force (a plan at
//! every instant of the old mode's frame), on the tutorial (with a coarse
//! tick, so that its frame has few instants) and on small generated
//! systems; and the tutorial's worst case at its real tick.

use seamless_model::System;
use seamless_model::diag::SourceFile;
use seamless_model::load::{load, order_files};
use seamless_model::schedule::Schedule;
use seamless_model::validate::Limits;
use seamless_plan::{PlanOptions, WorstCase, plan_transition, worst_case, worst_case_brute};

/// The tutorial's files, each edited by `edit`.
fn tutorial(edit: &dyn Fn(&str) -> String) -> System {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../modes/tutorial");
    let mut files = Vec::new();
    for e in std::fs::read_dir(&root).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "ron") {
            files.push(SourceFile {
                name: p.file_name().unwrap().to_string_lossy().into_owned(),
                text: edit(&std::fs::read_to_string(&p).unwrap()),
            });
        }
    }
    load(&order_files(files).unwrap(), Limits::default()).unwrap_or_else(|d| panic!("{d:#?}"))
}

fn schedules(sys: &System) -> Vec<Schedule> {
    seamless_synth::synthesize(sys, &seamless_synth::Options::default())
        .modes
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("{}", e.explain(sys))))
        .collect()
}

fn mode(sys: &System, name: &str) -> usize {
    sys.modes.iter().position(|m| m.name == name).unwrap()
}

/// The worst case equals brute force, figures and instants.
fn same(sys: &System, s: &[Schedule], from: usize, to: usize) -> WorstCase {
    let o = PlanOptions::default();
    let fast = worst_case(sys, from, to, &s[from], &s[to], &o);
    let brute = worst_case_brute(sys, from, to, &s[from], &s[to], &o);
    match (fast, brute) {
        (Ok(mut f), Ok(b)) => {
            assert!(f.requests.len() <= b.requests.len());
            f.requests.clone_from(&b.requests);
            assert_eq!(f, b, "{} → {}", sys.modes[from].name, sys.modes[to].name);
            f
        }
        (Err(f), Err(b)) => {
            assert_eq!(f.to_string(), b.to_string());
            panic!("no plan: {f}");
        }
        (f, b) => panic!("worst case {f:?}\nbrute force {b:?}"),
    }
}

/// The tutorial with a 10 µs tick (every time in it is a multiple but the
/// links' 5 µs latency, made 10 µs): 4 000 instants in cruise's frame.
/// About a minute in release: run with `--ignored`.
#[test]
#[ignore]
fn tutorial_coarse_tick_equals_brute_force() {
    let sys = tutorial(&|t: &str| {
        t.replace("tick: \"1us\"", "tick: \"10us\"")
            .replace("latency: \"5us\"", "latency: \"10us\"")
    });
    let s = schedules(&sys);
    let (c, l) = (mode(&sys, "cruise"), mode(&sys, "landing"));
    same(&sys, &s, c, l);
    same(&sys, &s, l, c);
}

/// Planning again at the instant given attains the figure given.
fn attained(sys: &System, s: &[Schedule], from: usize, to: usize, w: &WorstCase) {
    let o = PlanOptions::default();
    let p = plan_transition(sys, from, to, &s[from], &s[to], w.latency_request, &o).unwrap();
    assert_eq!(p.metrics.transition_latency, w.latency);
    for wp in &w.programs {
        let p = plan_transition(sys, from, to, &s[from], &s[to], wp.request, &o).unwrap();
        let u = p.programs.iter().find(|x| x.program == wp.program).unwrap();
        assert_eq!(u.unavailability, Some(wp.unavailability), "{}", wp.program);
    }
}

/// No sampled request instant does worse than the worst case: a plan every
/// `step` ticks of the old frame (a sample of brute force, affordable in a
/// debug build), latency and every program's unavailability.
fn dominates(sys: &System, s: &[Schedule], from: usize, to: usize, w: &WorstCase, step: u64) {
    let o = PlanOptions::default();
    let mut r = 0;
    while r < sys.modes[from].major_frame {
        let p = plan_transition(sys, from, to, &s[from], &s[to], r, &o).unwrap();
        assert!(
            p.metrics.transition_latency <= w.latency,
            "latency at r = {r}"
        );
        for wp in &w.programs {
            let u = p.programs.iter().find(|x| x.program == wp.program).unwrap();
            assert!(
                u.unavailability.unwrap_or(0) <= wp.unavailability,
                "{} at r = {r}",
                wp.program
            );
        }
        r += step;
    }
}

/// The tutorial at its real tick (1 µs: 40 000 instants in cruise's frame,
/// 20 000 in landing's). The issue sampled every 10 µs and found, on the
/// tables of that day, navigation at exactly its 200 ms bound between the
/// job boundaries the old `--worst-case` evaluated. Here: navigation's
/// worst stays within its bound (migrations now begin at the request's
/// start instant, which changed that plan), every figure is attained at
/// the instant given, and a sample of request instants (every 197 ticks, a
/// stride prime to every period) never does worse. The full 1 µs
/// comparison with brute force is `tutorial_equals_brute_force` (ignored:
/// minutes in a debug build).
#[test]
fn tutorial_worst_case() {
    let sys = tutorial(&|t: &str| t.to_string());
    let s = schedules(&sys);
    let (c, l) = (mode(&sys, "cruise"), mode(&sys, "landing"));
    let o = PlanOptions::default();
    let w = worst_case(&sys, c, l, &s[c], &s[l], &o).unwrap();
    let nav = w
        .programs
        .iter()
        .find(|p| p.program == "navigation")
        .unwrap();
    assert_eq!(nav.bound, Some(200_000));
    assert!(nav.unavailability <= 200_000, "{nav:?}");
    // one plan per start instant (and the frame's start), not per tick
    assert!(w.requests.len() < 1_000, "{}", w.requests.len());
    attained(&sys, &s, c, l, &w);
    dominates(&sys, &s, c, l, &w, 197);
    let w = worst_case(&sys, l, c, &s[l], &s[c], &o).unwrap();
    attained(&sys, &s, l, c, &w);
    dominates(&sys, &s, l, c, &w, 197);
}

/// The same at 1 µs against brute force (minutes in a debug build).
#[test]
#[ignore]
fn tutorial_equals_brute_force() {
    let sys = tutorial(&|t: &str| t.to_string());
    let s = schedules(&sys);
    let (c, l) = (mode(&sys, "cruise"), mode(&sys, "landing"));
    let w = same(&sys, &s, c, l);
    eprintln!("{w:?}");
    let w = same(&sys, &s, l, c);
    eprintln!("{w:?}");
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1))]
        /// Small generated 2-mode systems with a 500 µs frame: every
        /// transition's worst case equals brute force. One case per run,
        /// each plan on a budget of 20,000 steps (the same planner on both
        /// sides, so they must still agree; it caps the rare seed whose
        /// plans are expensive: brute force plans at every tick, and two
        /// cases once took five minutes in a debug build); raise the count
        /// locally for a longer search.
        #[test]
        fn generated_equals_brute_force(seed in 0u64..1_000) {
            let params = seamless_gen::GenParams {
                programs: 6,
                modules: 3,
                messages: 3,
                modes: 2,
                seed,
                periods_us: vec![250, 500],
                unavailability_percent: 50,
                ..seamless_gen::GenParams::default()
            };
            let (g, s) = seamless_gen::feasible(&params);
            let sys = g.load().unwrap();
            for &(from, to) in &sys.transitions {
                let o = PlanOptions { budget: 20_000, ..PlanOptions::default() };
                let fast = worst_case(&sys, from, to, &s[from], &s[to], &o);
                let brute = worst_case_brute(&sys, from, to, &s[from], &s[to], &o);
                match (fast, brute) {
                    (Ok(mut f), Ok(b)) => {
                        f.requests.clone_from(&b.requests);
                        prop_assert_eq!(f, b);
                    }
                    (Err(f), Err(b)) => prop_assert_eq!(f.to_string(), b.to_string()),
                    (f, b) => prop_assert!(false, "{:?}\n{:?}", f, b),
                }
            }
        }
    }
}
