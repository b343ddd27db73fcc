//! One infeasible system per kind of proven impossibility: the finding is
//! reported before any search, and its explanation names the programs and
//! resources to blame. Plus a system the necessary conditions miss, where the
//! search gives up and says where it contended.

use seamless_model::validate::Limits;
use seamless_model::{SourceFile, System};
use seamless_synth::{
    Capacity, Finding, Infeasible, Options, PlacementHint, Resource, necessary_conditions,
    synthesize_mode,
};

fn load(system: &str, mode: &str) -> System {
    let files = vec![
        SourceFile {
            name: "system.ron".into(),
            text: system.into(),
        },
        SourceFile {
            name: "m.ron".into(),
            text: mode.into(),
        },
    ];
    match seamless_model::load::load(&files, Limits::default()) {
        Ok(s) => s,
        Err(d) => panic!(
            "test system does not load:\n{}",
            seamless_model::diag::render(&d, &files)
        ),
    }
}

const PLATFORM: &str = r#"
    modules: [
        Module(name: "m1", cores: 2, memory: "256MiB"),
        Module(name: "m2", cores: 1, memory: "256MiB"),
    ],
    switches: ["sw"],
    links: [
        Link(from: "m1", to: "sw", bandwidth: "100Mbit/s", latency: "5us"),
        Link(from: "m2", to: "sw", bandwidth: "100Mbit/s", latency: "5us"),
    ],
"#;

fn system(programs: &str, messages: &str) -> String {
    format!("System(name: \"t\", {PLATFORM} programs: [{programs}], messages: [{messages}])")
}

fn mode(programs: &[&str], messages: &[&str], pins: &str) -> String {
    let q = |v: &[&str]| {
        v.iter()
            .map(|p| format!("\"{p}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "Mode(name: \"only\", programs: [{}], messages: [{}], pins: [{pins}])",
        q(programs),
        q(messages)
    )
}

/// Runs both the standalone check and the synthesis, which must agree.
fn proven(sys: &System) -> (Vec<Finding>, String) {
    let findings = necessary_conditions(sys, 0);
    assert!(!findings.is_empty(), "no finding");
    match synthesize_mode(sys, 0, &PlacementHint::default(), &Options::default()) {
        Err(e @ Infeasible::Proven { .. }) => {
            assert!(e.is_proven());
            assert_eq!(e.mode(), 0);
            let Infeasible::Proven { findings: f2, .. } = &e else {
                unreachable!()
            };
            assert_eq!(&findings, f2);
            let text = e.explain(sys);
            assert_eq!(e.display(sys).to_string(), text.trim_end());
            (findings, text)
        }
        other => panic!("expected a proof, got {other:?}"),
    }
}

fn id(sys: &System, name: &str) -> usize {
    sys.program_by_name(name).expect("program")
}

#[test]
fn pinned_core_overload() {
    let sys = load(
        &system(
            r#"Program(name: "a", memory: "1MiB", wcet: "6ms", period: "10ms"),
               Program(name: "b", memory: "1MiB", wcet: "6ms", period: "10ms"),
               Program(name: "c", memory: "1MiB", wcet: "1ms", period: "10ms")"#,
            "",
        ),
        &mode(
            &["a", "b", "c"],
            &[],
            r#"Pin(program: "a", module: "m1", core: 1), Pin(program: "b", module: "m1", core: 1)"#,
        ),
    );
    let (f, text) = proven(&sys);
    let m1 = sys.module_by_name("m1").unwrap();
    assert!(f.iter().any(|x| matches!(x,
        Finding::Overload { on: Capacity::Core { module, core: 1 }, programs, demand, capacity, .. }
            if *module == m1 && programs.contains(&id(&sys, "a")) && programs.contains(&id(&sys, "b"))
               && !programs.contains(&id(&sys, "c")) && demand > capacity)), "{f:?}");
    assert!(
        text.contains("core 1 of module `m1`") && text.contains("`a`") && text.contains("`b`"),
        "{text}"
    );
}

#[test]
fn allowed_modules_overload() {
    // three programs that may only use m1 (2 cores) need 2.4 cores
    let sys = load(
        &system(
            r#"Program(name: "a", memory: "1MiB", wcet: "8ms", period: "10ms", modules: ["m1"]),
               Program(name: "b", memory: "1MiB", wcet: "8ms", period: "10ms", modules: ["m1"]),
               Program(name: "c", memory: "1MiB", wcet: "8ms", period: "10ms", modules: ["m1"]),
               Program(name: "d", memory: "1MiB", wcet: "8ms", period: "10ms")"#,
            "",
        ),
        &mode(&["a", "b", "c", "d"], &[], ""),
    );
    let (f, text) = proven(&sys);
    assert!(
        f.iter().any(|x| matches!(x,
        Finding::Overload { on: Capacity::Modules(ms), programs, .. }
            if ms.len() == 1 && programs.len() == 3 && !programs.contains(&id(&sys, "d")))),
        "{f:?}"
    );
    assert!(
        text.contains("module `m1`") && text.contains("`c`"),
        "{text}"
    );
}

#[test]
fn window_demand_overload() {
    // the whole frame has room, but both must run inside [0, 3ms] on one core
    let sys = load(
        &system(
            r#"Program(name: "a", memory: "1MiB", wcet: "2ms", period: "10ms",
                       window: Window(start: "0ms", end: "3ms")),
               Program(name: "b", memory: "1MiB", wcet: "2ms", period: "10ms",
                       window: Window(start: "0ms", end: "3ms"))"#,
            "",
        ),
        &mode(
            &["a", "b"],
            &[],
            r#"Pin(program: "a", module: "m2"), Pin(program: "b", module: "m2")"#,
        ),
    );
    let (f, text) = proven(&sys);
    assert!(f.iter().any(|x| matches!(x,
        Finding::Overload { on: Capacity::Core { core: 0, .. }, from: 0, to: 3000, demand: 4000, capacity: 3000, programs }
            if programs.len() == 2)), "{f:?}");
    assert!(text.contains("between 0s and 3ms"), "{text}");
}

#[test]
fn memory_of_allowed_modules() {
    let sys = load(
        &system(
            r#"Program(name: "big", memory: "200MiB", wcet: "1ms", period: "10ms", modules: ["m2"]),
               Program(name: "bigger", memory: "100MiB", wcet: "1ms", period: "10ms", modules: ["m2"])"#,
            "",
        ),
        &mode(&["big", "bigger"], &[], ""),
    );
    let (f, text) = proven(&sys);
    let m2 = sys.module_by_name("m2").unwrap();
    assert!(f.iter().any(|x| matches!(x,
        Finding::Memory { modules, programs, needed, available }
            if modules == &vec![m2] && programs.len() == 2 && *needed == 300 << 20 && *available == 256 << 20)), "{f:?}");
    assert!(
        text.contains("300MiB") && text.contains("256MiB") && text.contains("`big`"),
        "{text}"
    );
}

#[test]
fn message_too_slow_on_an_idle_network() {
    // 64 KiB at 100 Mbit/s: 5.243 ms per hop, two hops; precedence leaves 2 ms
    let sys = load(
        &system(
            r#"Program(name: "src", memory: "1MiB", wcet: "4ms", period: "10ms", modules: ["m1"]),
               Program(name: "dst", memory: "1MiB", wcet: "4ms", period: "10ms", modules: ["m2"])"#,
            r#"Message(name: "bulk", from: "src", to: ["dst"], size: "64KiB")"#,
        ),
        &mode(&["src", "dst"], &["bulk"], ""),
    );
    let (f, text) = proven(&sys);
    assert!(f.iter().any(|x| matches!(x,
        Finding::MessageTooSlow { message: 0, receiver, precedence: true, needed, available: 2000, route: Some(_) }
            if *receiver == id(&sys, "dst") && *needed == 2 * 5243 + 10)), "{f:?}");
    assert!(text.contains("`bulk`") && text.contains("`dst`"), "{text}");
}

#[test]
fn precedence_impossible_even_on_one_module() {
    let sys = load(
        &system(
            r#"Program(name: "src", memory: "1MiB", wcet: "4ms", period: "10ms",
                       window: Window(start: "5ms", end: "10ms")),
               Program(name: "dst", memory: "1MiB", wcet: "4ms", period: "10ms",
                       window: Window(start: "0ms", end: "5ms"))"#,
            r#"Message(name: "late", from: "src", to: ["dst"], size: "64B")"#,
        ),
        &mode(&["src", "dst"], &["late"], ""),
    );
    let (f, text) = proven(&sys);
    assert!(
        f.iter().any(|x| matches!(
            x,
            Finding::MessageTooSlow {
                route: None,
                available: -8000,
                precedence: true,
                ..
            }
        )),
        "{f:?}"
    );
    assert!(
        text.contains("`late`") && text.contains("precedence"),
        "{text}"
    );
}

#[test]
fn strictly_periodic_programs_cannot_share_their_core() {
    // gcd(10ms, 15ms) = 5ms < 3ms + 3ms, although the core is half idle
    let (f, text) = pinned_pair(
        r#"Program(name: "p10", memory: "1MiB", wcet: "3ms", period: "10ms", max_jitter: "0us"),
           Program(name: "p15", memory: "1MiB", wcet: "3ms", period: "15ms", max_jitter: "0us")"#,
        ["p10", "p15"],
    );
    assert!(
        matches!(
            f,
            Finding::StrictlyPeriodicClash {
                gcd: 5000,
                wcets: 6000,
                core: 0,
                ..
            }
        ),
        "{f:?}"
    );
    assert!(
        text.contains("`p10`") && text.contains("`p15`") && text.contains("module `m2`"),
        "{text}"
    );
}

/// The two programs (catalogue entries `programs`, named `names`), both
/// pinned to core 0 of `m2`: the mode's one proven finding, naming both,
/// and the explanation.
fn pinned_pair(programs: &str, names: [&str; 2]) -> (Finding, String) {
    let pins = names
        .map(|n| format!(r#"Pin(program: "{n}", module: "m2", core: 0)"#))
        .join(", ");
    let sys = load(&system(programs, ""), &mode(&names, &[], &pins));
    let (f, text) = proven(&sys);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].programs().len(), 2);
    (f[0].clone(), text)
}

#[test]
fn a_job_longer_than_every_gap_of_its_core_mate() {
    // `tick`'s jobs (1 ms somewhere in every 5 ms) never leave more than
    // 2·5 − 2·1 = 8 ms free, and `slow` needs 9 ms without preemption; both
    // pinned to core 0 of `m2`, which is 21 % busy
    let (f, text) = pinned_pair(
        r#"Program(name: "tick", memory: "1MiB", wcet: "1ms", period: "5ms"),
           Program(name: "slow", memory: "1MiB", wcet: "9ms", period: "40ms")"#,
        ["tick", "slow"],
    );
    assert!(
        matches!(
            f,
            Finding::GapClash {
                wcet: 9000,
                gap: 8000,
                core: 0,
                ..
            }
        ),
        "{f:?}"
    );
    assert!(
        text.contains("a job of `slow` takes 9ms") && text.contains("`tick`"),
        "{text}"
    );
}

#[test]
fn precedence_cycle() {
    let sys = load(
        &system(
            r#"Program(name: "x", memory: "1MiB", wcet: "1ms", period: "10ms"),
               Program(name: "y", memory: "1MiB", wcet: "1ms", period: "10ms")"#,
            r#"Message(name: "xy", from: "x", to: ["y"], size: "64B"),
               Message(name: "yx", from: "y", to: ["x"], size: "64B")"#,
        ),
        &mode(&["x", "y"], &["xy", "yx"], ""),
    );
    let (f, text) = proven(&sys);
    assert!(f.iter().any(|x| matches!(x,
        Finding::PrecedenceCycle { programs, messages } if programs.len() == 2 && messages.len() == 2)), "{f:?}");
    assert!(text.contains("`xy`") && text.contains("`yx`"), "{text}");
}

fn strict_and_long() -> System {
    // `strict` and `strict2` each leave free runs of 8 ms, but together
    // (4 ms of every 10 ms, at fixed offsets) never more than 6 ms; `long`
    // needs 7 ms in one piece. No necessary condition sees it (each pair
    // alone could share the core).
    load(
        &system(
            r#"Program(name: "strict", memory: "1MiB", wcet: "2ms", period: "10ms", max_jitter: "0us"),
               Program(name: "strict2", memory: "1MiB", wcet: "2ms", period: "10ms", max_jitter: "0us"),
               Program(name: "long", memory: "1MiB", wcet: "7ms", period: "20ms"),
               Program(name: "free", memory: "1MiB", wcet: "1ms", period: "20ms")"#,
            "",
        ),
        &mode(
            &["strict", "strict2", "long", "free"],
            &[],
            r#"Pin(program: "strict", module: "m2"), Pin(program: "strict2", module: "m2"), Pin(program: "long", module: "m2")"#,
        ),
    )
}

#[test]
fn complete_search_proves_what_the_heuristic_cannot_and_names_a_core() {
    let sys = strict_and_long();
    assert!(necessary_conditions(&sys, 0).is_empty());
    match synthesize_mode(&sys, 0, &PlacementHint::default(), &Options::default()) {
        Err(e @ Infeasible::Proven { .. }) => {
            let text = e.explain(&sys);
            assert!(
                text.starts_with("mode `only` cannot be scheduled: proven by exhaustive search"),
                "{text}"
            );
            let Infeasible::Proven { findings, .. } = &e else {
                unreachable!()
            };
            // the core: the two pinned programs, not the free one
            assert_eq!(
                findings,
                &[Finding::Exhaustive {
                    mode: 0,
                    programs: vec![id(&sys, "strict"), id(&sys, "strict2"), id(&sys, "long")],
                    messages: vec![],
                    minimal: true,
                }]
            );
            assert!(text.contains("leave out any one of them"), "{text}");
            assert!(
                text.contains("`strict`: 2 ms every 10 ms")
                    || text.contains("`strict`: 2ms every 10ms"),
                "{text}"
            );
            assert!(!text.contains("`free`"), "{text}");
        }
        other => panic!("expected a proof, got {other:?}"),
    }
}

#[test]
fn search_gives_up_within_its_budget_and_names_the_contended_core() {
    let sys = strict_and_long();
    let opts = Options {
        budget: 1,
        ..Options::default()
    };
    match synthesize_mode(&sys, 0, &PlacementHint::default(), &opts) {
        Err(Infeasible::GaveUp(g)) => {
            assert_eq!(g.stop, seamless_synth::Stop::Budget);
            let m2 = sys.module_by_name("m2").unwrap();
            assert!(g.resources.iter().any(|r| r.resource
                == Resource::Core {
                    module: m2,
                    core: 0
                }
                && r.misses > 0));
            let text = Infeasible::GaveUp(g.clone()).explain(&sys);
            assert!(
                text.starts_with("no schedule found for mode `only` within the budget"),
                "{text}"
            );
            assert!(
                text.contains("core 0 of `m2`") && text.contains("may still exist"),
                "{text}"
            );
            assert!(!text.contains("cannot be scheduled"), "{text}");
        }
        other => panic!("expected the search to give up, got {other:?}"),
    }
}

#[test]
fn nothing_named_means_no_named_above() {
    let g = seamless_synth::GaveUp {
        mode: 0,
        stop: seamless_synth::Stop::Budget,
        programs: vec![],
        jobs: vec![],
        messages: vec![],
        resources: vec![],
    };
    let sys = strict_and_long();
    let text = Infeasible::GaveUp(Box::new(g)).explain(&sys);
    assert!(!text.contains("named above"), "{text}");
    assert!(
        text.starts_with("no schedule found for mode `only` within the budget"),
        "{text}"
    );
}
