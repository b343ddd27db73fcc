//! The public API on small inline systems: hints keep programs on their
//! module, moves are reported per transition, progress is reported, and the
//! summary measures what the schedule holds.

use seamless_model::validate::Limits;
use seamless_model::{SourceFile, System};
use seamless_synth::{EndBounds, Held, synthesize_mode_holding};
use seamless_synth::{
    Options, Phase, PlacementHint, Progress, Summary, mode_order, summarize, synthesize,
    synthesize_mode, synthesize_mode_held,
};
use std::sync::Mutex;

const SYSTEM: &str = r#"System(
    name: "api",
    modules: [
        Module(name: "a", cores: 2, memory: "64MiB"),
        Module(name: "b", cores: 2, memory: "64MiB"),
    ],
    switches: ["sw"],
    links: [
        Link(from: "a", to: "sw", bandwidth: "100Mbit/s", latency: "5us"),
        Link(from: "b", to: "sw", bandwidth: "100Mbit/s", latency: "5us"),
    ],
    programs: [
        Program(name: "ctl", memory: "8MiB", wcet: "2ms", period: "10ms", max_jitter: "0us"),
        Program(name: "nav", memory: "8MiB", wcet: "3ms", period: "20ms"),
        Program(name: "log", memory: "8MiB", wcet: "5ms", period: "40ms", modules: ["b"]),
        Program(name: "aux", memory: "8MiB", wcet: "1ms", period: "20ms"),
    ],
    messages: [
        Message(name: "pos", from: "nav", to: ["ctl", "log"], size: "1KiB"),
        Message(name: "rec", from: "ctl", to: ["log"], size: "4KiB", period: "40ms"),
    ],
    transitions: [("one", "two"), ("two", "one")],
)"#;

const ONE: &str = r#"Mode(name: "one", programs: ["ctl", "nav", "log"], messages: ["pos", "rec"],
    pins: [Pin(program: "ctl", module: "a", core: 0)])"#;
const TWO: &str = r#"Mode(name: "two", programs: ["ctl", "nav", "aux"], messages: [],
    pins: [Pin(program: "ctl", module: "b")])"#;

fn load() -> System {
    let files = vec![
        SourceFile {
            name: "system.ron".into(),
            text: SYSTEM.into(),
        },
        SourceFile {
            name: "one.ron".into(),
            text: ONE.into(),
        },
        SourceFile {
            name: "two.ron".into(),
            text: TWO.into(),
        },
    ];
    match seamless_model::load::load(&files, Limits::default()) {
        Ok(s) => s,
        Err(d) => panic!("{}", seamless_model::diag::render(&d, &files)),
    }
}

#[test]
fn moves_are_reported_per_transition() {
    let sys = load();
    let syn = synthesize(&sys, &Options::default());
    let one = syn.modes[0].as_ref().expect("one");
    let two = syn.modes[1].as_ref().expect("two");
    for s in [one, two] {
        assert!(seamless_verify::verify_schedule(&sys, s).is_valid());
    }
    // ctl is pinned to a, then b: it moves both ways; nav stays put
    let ctl = sys.program_by_name("ctl").unwrap();
    assert_eq!(syn.moves.len(), 2);
    for mv in &syn.moves {
        assert_eq!(mv.programs, vec![ctl], "{mv:?}");
    }
    let module_of = |s: &seamless_model::schedule::Schedule, p: &str| {
        s.placement
            .iter()
            .find(|x| x.program == p)
            .map(|x| x.module.clone())
    };
    assert_eq!(module_of(one, "nav"), module_of(two, "nav"));
    // every job lasts exactly its wcet; transmissions only for remote receivers
    for j in &one.jobs {
        let p = &sys.programs[sys.program_by_name(&j.program).unwrap()];
        assert_eq!(j.end - j.start, p.requirement.wcet);
    }
    assert!(one.transmissions.iter().all(|t| !t.hops.is_empty()));
}

#[test]
fn a_hint_is_followed_when_it_can_be() {
    let sys = load();
    let nav = sys.program_by_name("nav").unwrap();
    let aux = sys.program_by_name("aux").unwrap();
    for target in [0usize, 1] {
        let mut hint = PlacementHint::default();
        hint.preferred.insert(nav, (target, None));
        hint.preferred.insert(aux, (target, Some(1)));
        let s = synthesize_mode(&sys, 1, &hint, &Options::default()).expect("schedulable");
        let at = |p: &str| {
            s.placement
                .iter()
                .find(|x| x.program == p)
                .expect("placed")
                .clone()
        };
        assert_eq!(at("nav").module, sys.modules[target].name);
        assert_eq!(at("aux").module, sys.modules[target].name);
        // and the hint read back from the schedule says the same
        let back = PlacementHint::from_schedule(&sys, &s);
        assert_eq!(back.preferred[&nav].0, target);
    }
}

#[test]
fn a_held_placement_is_kept_without_a_hint() {
    let sys = load();
    let nav = sys.program_by_name("nav").unwrap();
    let aux = sys.program_by_name("aux").unwrap();
    let log = sys.program_by_name("log").unwrap();
    for target in [0usize, 1] {
        let held = std::collections::BTreeMap::from([(nav, target), (aux, target), (log, 0)]);
        let s = synthesize_mode_held(
            &sys,
            0,
            &PlacementHint::default(),
            &held,
            &Options::default(),
        )
        .expect("schedulable");
        assert!(seamless_verify::verify_schedule(&sys, &s).is_valid());
        let at = |p: &str| {
            s.placement
                .iter()
                .find(|x| x.program == p)
                .map(|x| x.module.clone())
        };
        assert_eq!(at("nav"), Some(sys.modules[target].name.clone()));
        // aux is not in mode one; log may only run on b: holding it on a
        // is ignored
        assert_eq!(at("aux"), None);
        assert_eq!(at("log"), Some("b".to_string()));
    }
}

#[test]
fn bounded_ends_are_kept() {
    let sys = load();
    let ctl = sys.program_by_name("ctl").unwrap();
    let nav = sys.program_by_name("nav").unwrap();
    let mut held = Held::default();
    // ctl's last job (window 30..40 ms) ends at the frame's end; nav's first
    // job (3 ms) ends by 3 ms
    held.ends.insert(
        ctl,
        EndBounds {
            first_by: None,
            last_from: Some(40_000),
        },
    );
    held.ends.insert(
        nav,
        EndBounds {
            first_by: Some(3_000),
            last_from: None,
        },
    );
    let s = synthesize_mode_holding(
        &sys,
        0,
        &PlacementHint::default(),
        &held,
        &Options::default(),
    )
    .expect("schedulable");
    assert!(seamless_verify::verify_schedule(&sys, &s).is_valid());
    let end = |p: &str, k: u64| {
        s.jobs
            .iter()
            .find(|j| j.program == p && j.index == k)
            .expect("job")
            .end
    };
    assert_eq!(sys.tick.format(1000), "1ms");
    assert_eq!(end("ctl", 3), 40_000);
    assert!(end("nav", 0) <= 3_000);
}

#[test]
fn progress_is_reported() {
    let sys = load();
    let seen: Mutex<Vec<Progress>> = Mutex::new(Vec::new());
    let cb = |p: Progress| seen.lock().unwrap().push(p);
    let opts = Options {
        progress: Some(&cb),
        ..Options::default()
    };
    let syn = synthesize(&sys, &opts);
    assert!(syn.modes.iter().all(Result::is_ok));
    assert!(format!("{opts:?}").contains("progress: true"));
    let seen = seen.lock().unwrap().clone();
    for m in 0..2 {
        assert!(
            seen.iter()
                .any(|p| p.mode == m && p.phase == Phase::Checking)
        );
        assert!(seen.iter().any(|p| p.mode == m && p.phase == Phase::Done));
    }
    assert!(seen.iter().all(|p| p.done <= p.total));
    // the first mode scheduled is the one with the most programs (ties: index)
    assert_eq!(mode_order(&sys), vec![0, 1]);
}

#[test]
fn summary_measures_the_schedule() {
    let sys = load();
    let s = synthesize_mode(&sys, 0, &PlacementHint::default(), &Options::default()).expect("one");
    let sum = summarize(&sys, &s);
    assert_eq!(sum.mode, "one");
    assert_eq!(sum.major_frame, 40_000);
    // every core of every module, idle ones too
    assert_eq!(sum.cores.len(), 4);
    let busy: u64 = sum.cores.iter().map(|c| c.busy).sum();
    let expected: u64 = s.jobs.iter().map(|j| j.end - j.start).sum();
    assert_eq!(busy, expected);
    for c in &sum.cores {
        assert_eq!(c.per_mille, c.busy * 1000 / 40_000);
    }
    // every link direction; busy time = sum of hop lengths
    assert_eq!(sum.links.len(), 4);
    let link_busy: u64 = sum.links.iter().map(|l| l.busy).sum();
    let hops: u64 = s
        .transmissions
        .iter()
        .flat_map(|t| &t.hops)
        .map(|h| h.end - h.start)
        .sum();
    assert_eq!(link_busy, hops);
    // the smallest job slack is the minimum over jobs
    let js = sum.min_job_slack.as_ref().expect("jobs");
    let min = s
        .jobs
        .iter()
        .map(|j| {
            let slot = sys.modes[0]
                .slot(sys.program_by_name(&j.program).unwrap())
                .unwrap();
            let w = sys.modes[0].programs[slot]
                .requirement
                .timing
                .instance_window(j.index);
            w.end as i64 - j.end as i64
        })
        .min()
        .unwrap();
    assert_eq!(js.slack, min);
    assert!(js.slack >= 0);
    if let Some(ms) = &sum.min_message_slack {
        assert!(ms.slack >= 0);
    }
    assert_eq!(Summary::percent(725), "72.5%");
    assert_eq!(Summary::percent(0), "0.0%");
}
