//! One hand-written valid schedule of a tiny system, and one broken copy per
//! rule of docs/format.md §9, each asserting the specific violation.

use seamless_model::SourceFile;
use seamless_model::System;
use seamless_model::schedule::{HopEntry, JobEntry, Placement, Schedule, Transmission};
use seamless_model::validate::Limits;
use seamless_verify::{Rule, Violation, parse_schedule_json, parse_schedule_ron, verify_schedule};

const SYSTEM: &str = r#"
System(
    name: "tiny",
    modules: [
        Module(name: "cm1", cores: 2, memory: "15MiB"),
        Module(name: "cm2", cores: 1, memory: "16MiB"),
        Module(name: "cm3", cores: 1, memory: "8MiB"),
    ],
    switches: ["sw1"],
    links: [
        Link(from: "cm1", to: "sw1", bandwidth: "8Mbit/s", latency: "5us"),
        Link(from: "cm2", to: "sw1", bandwidth: "8Mbit/s", latency: "5us"),
        Link(from: "cm3", to: "sw1", bandwidth: "8Mbit/s", latency: "5us"),
    ],
    programs: [
        Program(name: "gnc", memory: "8MiB", wcet: "1ms", period: "10ms", max_jitter: "0us", max_unavailability: "12ms"),
        Program(name: "ctl", memory: "4MiB", wcet: "1ms", period: "10ms"),
        Program(name: "disp", memory: "12MiB", wcet: "2ms", period: "10ms", window: Window(start: "2ms", end: "10ms")),
        Program(name: "mon", memory: "2MiB", wcet: "500us", period: "10ms", max_unavailability: "11ms"),
        Program(name: "log", memory: "4MiB", wcet: "1ms", period: "20ms", modules: ["cm1", "cm3"]),
        Program(name: "idle", memory: "1MiB", wcet: "1ms", period: "10ms"),
    ],
    messages: [
        Message(name: "nav", from: "gnc", to: ["disp", "mon"], size: "100B"),
        Message(name: "loc", from: "gnc", to: ["ctl"], size: "100B"),
        Message(name: "stat", from: "log", to: ["gnc"], size: "100B", window: Window(start: "1ms", end: "20ms")),
        Message(name: "tel", from: "mon", to: ["disp"], size: "100B", precedence: false),
        Message(name: "spare", from: "ctl", to: ["mon"], size: "100B"),
    ],
)
"#;

const MODE: &str = r#"
Mode(
    name: "m",
    programs: ["gnc", "ctl", "disp", "mon", "log"],
    messages: ["nav", "loc", "stat", "tel"],
    pins: [Pin(program: "ctl", module: "cm1", core: 1)],
)
"#;

fn system() -> System {
    let files = [
        SourceFile {
            name: "system.ron".into(),
            text: SYSTEM.into(),
        },
        SourceFile {
            name: "m.ron".into(),
            text: MODE.into(),
        },
    ];
    seamless_model::load::load(&files, Limits::default()).expect("the tiny system loads")
}

fn place(program: &str, module: &str, core: u32) -> Placement {
    Placement {
        program: program.into(),
        module: module.into(),
        core,
    }
}

fn job(program: &str, index: u64, module: &str, core: u32, start: u64, end: u64) -> JobEntry {
    JobEntry {
        program: program.into(),
        index,
        module: module.into(),
        core,
        start,
        end,
    }
}

fn hop(from: &str, to: &str, start: u64, end: u64) -> HopEntry {
    HopEntry {
        from: from.into(),
        to: to.into(),
        start,
        end,
    }
}

fn tx(message: &str, index: u64, hops: Vec<HopEntry>) -> Transmission {
    Transmission {
        message: message.into(),
        index,
        hops,
    }
}

/// The valid schedule (tx time of 100 B at 8 Mbit/s = 100 ticks; latency 5).
fn valid() -> Schedule {
    let mut jobs = Vec::new();
    for k in 0..2u64 {
        let b = k * 10_000;
        jobs.push(job("gnc", k, "cm1", 0, b, b + 1_000));
        jobs.push(job("ctl", k, "cm1", 1, b + 2_000, b + 3_000));
        jobs.push(job("disp", k, "cm2", 0, b + 3_000, b + 5_000));
        jobs.push(job("mon", k, "cm3", 0, b + 4_000, b + 4_500));
    }
    jobs.push(job("log", 0, "cm3", 0, 6_000, 7_000));
    let mut transmissions = Vec::new();
    for k in 0..2u64 {
        let b = k * 10_000;
        transmissions.push(tx(
            "nav",
            k,
            vec![
                hop("cm1", "sw1", b + 1_000, b + 1_100),
                hop("sw1", "cm2", b + 1_105, b + 1_205),
                hop("sw1", "cm3", b + 1_105, b + 1_205),
            ],
        ));
        transmissions.push(tx(
            "tel",
            k,
            vec![
                hop("cm3", "sw1", b + 4_500, b + 4_600),
                hop("sw1", "cm2", b + 4_605, b + 4_705),
            ],
        ));
    }
    transmissions.push(tx(
        "stat",
        0,
        vec![
            hop("cm3", "sw1", 7_000, 7_100),
            hop("sw1", "cm1", 7_105, 7_205),
        ],
    ));
    Schedule {
        mode: "m".into(),
        tick: "1us".into(),
        major_frame: 20_000,
        placement: vec![
            place("gnc", "cm1", 0),
            place("ctl", "cm1", 1),
            place("disp", "cm2", 0),
            place("mon", "cm3", 0),
            place("log", "cm3", 0),
        ],
        jobs,
        transmissions,
    }
}

fn job_mut<'a>(s: &'a mut Schedule, program: &str, index: u64) -> &'a mut JobEntry {
    s.jobs
        .iter_mut()
        .find(|j| j.program == program && j.index == index)
        .expect("job exists")
}

fn tx_mut<'a>(s: &'a mut Schedule, message: &str, index: u64) -> &'a mut Transmission {
    s.transmissions
        .iter_mut()
        .find(|t| t.message == message && t.index == index)
        .expect("transmission exists")
}

fn hop_mut<'a>(
    s: &'a mut Schedule,
    message: &str,
    index: u64,
    from: &str,
    to: &str,
) -> &'a mut HopEntry {
    tx_mut(s, message, index)
        .hops
        .iter_mut()
        .find(|h| h.from == from && h.to == to)
        .expect("hop exists")
}

/// The rules a schedule breaks, each once.
fn rules(s: &Schedule) -> Vec<Rule> {
    verify_schedule(&system(), s).rules()
}

/// Asserts that `s` breaks exactly `expected`.
#[track_caller]
fn exactly(s: &Schedule, expected: &[Rule]) {
    let report = verify_schedule(&system(), s);
    let mut e = expected.to_vec();
    e.sort_unstable();
    assert_eq!(report.rules(), e, "\n{report}");
}

/// Asserts that `s` breaks `rule` (and maybe others that follow from it).
#[track_caller]
fn breaks(s: &Schedule, rule: Rule) {
    let report = verify_schedule(&system(), s);
    assert!(report.has(rule), "expected {rule}, got:\n{report}");
    assert!(!report.is_valid());
}

fn first_of(s: &Schedule, rule: Rule) -> Violation {
    verify_schedule(&system(), s)
        .violations
        .into_iter()
        .find(|v| v.rule() == rule)
        .expect("violation present")
}

#[test]
fn the_hand_written_schedule_is_valid() {
    let report = verify_schedule(&system(), &valid());
    assert!(report.is_valid(), "{report}");
    assert_eq!(report.to_string(), "the schedule is valid\n");
    // list order carries no meaning
    let mut s = valid();
    s.jobs.reverse();
    s.transmissions.reverse();
    s.placement.reverse();
    for t in &mut s.transmissions {
        t.hops.reverse();
    }
    exactly(&s, &[]);
}

#[test]
fn mode_tick_and_frame() {
    let mut s = valid();
    s.mode = "x".into();
    exactly(&s, &[Rule::UnknownMode]);
    assert!(first_of(&s, Rule::UnknownMode).to_string().contains("`m`"));

    let mut s = valid();
    s.tick = "1ms".into();
    exactly(&s, &[Rule::TickMismatch]);
    s.tick = "1000ns".into(); // the same tick, spelt otherwise
    exactly(&s, &[]);

    let mut s = valid();
    s.major_frame = 10_000;
    exactly(&s, &[Rule::MajorFrameMismatch]);
}

#[test]
fn placement_rules() {
    let mut s = valid();
    s.placement.push(place("ghost", "cm1", 0));
    exactly(&s, &[Rule::UnknownProgram]);

    let mut s = valid();
    s.placement.push(place("idle", "cm1", 0));
    exactly(&s, &[Rule::ProgramNotInMode]);

    let mut s = valid();
    s.placement.push(place("gnc", "cm2", 0));
    exactly(&s, &[Rule::DuplicatePlacement]);

    let mut s = valid();
    s.placement.retain(|p| p.program != "mon");
    exactly(&s, &[Rule::MissingPlacement]);

    let mut s = valid();
    s.placement
        .iter_mut()
        .find(|p| p.program == "mon")
        .unwrap()
        .module = "cm9".into();
    breaks(&s, Rule::UnknownModule);

    let mut s = valid();
    s.placement
        .iter_mut()
        .find(|p| p.program == "disp")
        .unwrap()
        .core = 1;
    for k in 0..2 {
        job_mut(&mut s, "disp", k).core = 1;
    }
    exactly(&s, &[Rule::CoreOutOfRange]);

    // log may use cm1 and cm3 only
    let mut s = valid();
    s.placement
        .iter_mut()
        .find(|p| p.program == "log")
        .unwrap()
        .module = "cm2".into();
    job_mut(&mut s, "log", 0).module = "cm2".into();
    breaks(&s, Rule::ModuleNotAllowed);

    // ctl is pinned to cm1/core 1
    let mut s = valid();
    s.placement
        .iter_mut()
        .find(|p| p.program == "ctl")
        .unwrap()
        .core = 0;
    for k in 0..2 {
        job_mut(&mut s, "ctl", k).core = 0;
    }
    exactly(&s, &[Rule::PinViolated]);
    assert_eq!(
        first_of(&s, Rule::PinViolated).to_string(),
        "program `ctl` is placed on cm1/core 0, but the mode pins it to cm1/core 1"
    );
}

#[test]
fn memory_of_a_module() {
    // log (4 MiB) onto cm1 (15 MiB, holding gnc 8 + ctl 4)
    let mut s = valid();
    s.placement
        .iter_mut()
        .find(|p| p.program == "log")
        .unwrap()
        .module = "cm1".into();
    s.placement
        .iter_mut()
        .find(|p| p.program == "log")
        .unwrap()
        .core = 1;
    let j = job_mut(&mut s, "log", 0);
    j.module = "cm1".into();
    j.core = 1;
    s.transmissions.retain(|t| t.message != "stat"); // now local to gnc
    exactly(&s, &[Rule::MemoryExceeded]);
    assert_eq!(
        first_of(&s, Rule::MemoryExceeded).to_string(),
        "the programs on `cm1` need 16MiB but it has 15MiB (over by 1MiB): `ctl`, `gnc`, `log`"
    );
}

#[test]
fn job_set_rules() {
    let mut s = valid();
    s.jobs.push(job("gnc", 2, "cm1", 0, 19_000, 20_000));
    exactly(&s, &[Rule::JobIndexOutOfRange]);

    let mut s = valid();
    s.jobs.push(job("idle", 0, "cm2", 0, 8_000, 9_000));
    exactly(&s, &[Rule::ProgramNotInMode]);

    let mut s = valid();
    s.jobs.push(job("ghost", 0, "cm2", 0, 8_000, 9_000));
    exactly(&s, &[Rule::UnknownProgram]);

    let mut s = valid();
    let dup = s.jobs[0].clone();
    s.jobs.push(dup);
    breaks(&s, Rule::DuplicateJob);

    let mut s = valid();
    s.jobs.retain(|j| !(j.program == "disp" && j.index == 1));
    exactly(&s, &[Rule::MissingJob]);
    assert_eq!(
        first_of(&s, Rule::MissingJob).to_string(),
        "job disp#1 is missing"
    );
}

#[test]
fn job_rules() {
    let mut s = valid();
    job_mut(&mut s, "gnc", 1).core = 1;
    exactly(&s, &[Rule::JobNotOnPlacement]);

    let mut s = valid();
    job_mut(&mut s, "mon", 0).end = 4_400;
    exactly(&s, &[Rule::WrongDuration]);

    let mut s = valid();
    let j = job_mut(&mut s, "disp", 0);
    (j.start, j.end) = (1_500, 3_500);
    exactly(&s, &[Rule::OutsideWindow]);
    assert_eq!(
        first_of(&s, Rule::OutsideWindow).to_string(),
        "job disp#0 [1500, 3500) is outside its window [2000, 10000]"
    );

    let mut s = valid();
    let j = job_mut(&mut s, "log", 0);
    (j.start, j.end) = (19_500, 20_500);
    breaks(&s, Rule::OutsideFrame);
    breaks(&s, Rule::OutsideWindow);

    let mut s = valid();
    let j = job_mut(&mut s, "log", 0);
    (j.start, j.end) = (4_200, 5_200);
    exactly(&s, &[Rule::Overlap]);
    assert_eq!(
        first_of(&s, Rule::Overlap).to_string(),
        "job log#0 [4200, 5200) on cm3/core 0 overlaps job mon#0 [4000, 4500)"
    );
    // touching is not overlapping (half-open intervals)
    let mut s = valid();
    let j = job_mut(&mut s, "log", 0);
    (j.start, j.end) = (4_500, 5_500);
    exactly(&s, &[]);
}

#[test]
fn jitter_and_unavailability() {
    // gnc: max_jitter 0
    let mut s = valid();
    let j = job_mut(&mut s, "gnc", 1);
    (j.start, j.end) = (10_001, 11_001);
    for h in &mut tx_mut(&mut s, "nav", 1).hops {
        h.start += 1;
        h.end += 1;
    }
    exactly(&s, &[Rule::Jitter]);

    // mon: max_unavailability 11 ms
    let mut s = valid();
    let j = job_mut(&mut s, "mon", 1);
    (j.start, j.end) = (15_600, 16_100);
    exactly(&s, &[Rule::Unavailability]);
    assert_eq!(
        first_of(&s, Rule::Unavailability).to_string(),
        "program `mon`: 11600 between the completions of job #0 at 4500 and job #1 at 16100, more than its max_unavailability of 11000"
    );
    // across the frame boundary: 20000 + 4500 - 12700 = 11800
    let mut s = valid();
    let j = job_mut(&mut s, "mon", 1);
    (j.start, j.end) = (12_200, 12_700);
    exactly(&s, &[Rule::Unavailability]);
    match first_of(&s, Rule::Unavailability) {
        Violation::Unavailability { gap, wraps, .. } => {
            assert_eq!(gap, 11_800);
            assert!(wraps);
        }
        v => panic!("{v:?}"),
    }
}

#[test]
fn transmission_set_rules() {
    let mut s = valid();
    s.transmissions.push(tx("ghost", 0, vec![]));
    exactly(&s, &[Rule::UnknownMessage]);

    let mut s = valid();
    s.transmissions.push(tx("spare", 0, vec![]));
    exactly(&s, &[Rule::MessageNotInMode]);

    let mut s = valid();
    s.transmissions.push(tx("stat", 1, vec![]));
    exactly(&s, &[Rule::InstanceOutOfRange]);

    let mut s = valid();
    let dup = tx_mut(&mut s, "stat", 0).clone();
    s.transmissions.push(dup);
    breaks(&s, Rule::DuplicateTransmission);
    breaks(&s, Rule::LinkOverlap);

    let mut s = valid();
    s.transmissions
        .retain(|t| !(t.message == "nav" && t.index == 1));
    exactly(&s, &[Rule::MissingTransmission]);

    // loc: gnc → ctl, both on cm1
    let mut s = valid();
    s.transmissions.push(tx("loc", 0, vec![]));
    exactly(&s, &[Rule::UnexpectedTransmission]);
}

#[test]
fn hop_rules() {
    let mut s = valid();
    tx_mut(&mut s, "nav", 0)
        .hops
        .push(hop("cm1", "cm2", 1_000, 1_100));
    exactly(&s, &[Rule::NotALink]);
    let mut s = valid();
    tx_mut(&mut s, "nav", 0)
        .hops
        .push(hop("cm1", "sw9", 1_000, 1_100));
    exactly(&s, &[Rule::NotALink]);

    let mut s = valid();
    tx_mut(&mut s, "stat", 0)
        .hops
        .push(hop("sw1", "cm2", 7_105, 7_205));
    exactly(&s, &[Rule::HopNotInRoute]);

    let mut s = valid();
    tx_mut(&mut s, "nav", 0)
        .hops
        .push(hop("sw1", "cm2", 1_300, 1_400));
    exactly(&s, &[Rule::DuplicateHop]);

    let mut s = valid();
    tx_mut(&mut s, "nav", 0).hops.retain(|h| h.to != "cm3");
    exactly(&s, &[Rule::MissingHop]);
    assert_eq!(
        first_of(&s, Rule::MissingHop).to_string(),
        "instance nav#0 has no hop sw1→cm3, which its route needs"
    );

    let mut s = valid();
    hop_mut(&mut s, "nav", 0, "cm1", "sw1").end = 1_099;
    exactly(&s, &[Rule::HopDuration]);

    let mut s = valid();
    let h = hop_mut(&mut s, "nav", 0, "sw1", "cm2");
    (h.start, h.end) = (1_104, 1_204);
    exactly(&s, &[Rule::HopBeforeParent]);
    assert_eq!(
        first_of(&s, Rule::HopBeforeParent).to_string(),
        "hop sw1→cm2 of nav#0 [1104, 1204) starts before 1105, the end of the previous hop cm1→sw1 plus its latency of 5"
    );
}

#[test]
fn timing_of_transmissions() {
    // stat's window opens at 1 ms
    let mut s = valid();
    tx_mut(&mut s, "stat", 0).hops = vec![
        hop("cm3", "sw1", 900, 1_000),
        hop("sw1", "cm1", 1_005, 1_105),
    ];
    exactly(&s, &[Rule::DepartureBeforeWindow]);

    // nav under precedence leaves after gnc#0 ends at 1000
    let mut s = valid();
    for h in &mut tx_mut(&mut s, "nav", 0).hops {
        h.start -= 1;
        h.end -= 1;
    }
    exactly(&s, &[Rule::DepartureBeforeSender]);

    // stat must arrive by 20000: 19900 + 100 + 5
    let mut s = valid();
    tx_mut(&mut s, "stat", 0).hops = vec![
        hop("cm3", "sw1", 19_795, 19_895),
        hop("sw1", "cm1", 19_900, 20_000),
    ];
    exactly(&s, &[Rule::ArrivalAfterWindow]);

    // nav#0 reaches cm3 at 4095, after mon#0 starts at 4000
    let mut s = valid();
    let h = hop_mut(&mut s, "nav", 0, "sw1", "cm3");
    (h.start, h.end) = (3_990, 4_090);
    exactly(&s, &[Rule::ArrivalAfterReceiver]);

    // loc: ctl on gnc's module must start after gnc ends
    let mut s = valid();
    let j = job_mut(&mut s, "ctl", 0);
    (j.start, j.end) = (500, 1_500);
    exactly(&s, &[Rule::LocalPrecedence]);

    // tel#0 on sw1→cm2 at the same time as nav#0
    let mut s = valid();
    tx_mut(&mut s, "tel", 0).hops = vec![
        hop("cm3", "sw1", 1_000, 1_100),
        hop("sw1", "cm2", 1_105, 1_205),
    ];
    exactly(&s, &[Rule::LinkOverlap]);

    // a hop past the frame
    let mut s = valid();
    tx_mut(&mut s, "stat", 0).hops = vec![
        hop("cm3", "sw1", 19_950, 20_050),
        hop("sw1", "cm1", 20_055, 20_155),
    ];
    breaks(&s, Rule::OutsideFrame);
}

#[test]
fn every_violation_is_reported() {
    let mut s = valid();
    s.placement.retain(|p| p.program != "mon");
    job_mut(&mut s, "gnc", 1).end += 1;
    let j = job_mut(&mut s, "log", 0);
    (j.start, j.end) = (4_200, 5_200);
    s.jobs.retain(|j| !(j.program == "disp" && j.index == 1));
    hop_mut(&mut s, "nav", 0, "cm1", "sw1").end = 1_099;
    s.transmissions.push(tx("ghost", 3, vec![]));
    let r = verify_schedule(&system(), &s);
    for rule in [
        Rule::MissingPlacement,
        Rule::WrongDuration,
        Rule::Overlap,
        Rule::MissingJob,
        Rule::HopDuration,
        Rule::UnknownMessage,
    ] {
        assert!(r.has(rule), "{rule} missing from\n{r}");
    }
    insta::assert_snapshot!(r.to_string());
}

#[test]
fn many_violations_are_capped() {
    let mut s = valid();
    for k in 0..5_000 {
        s.jobs.push(job("gnc", 100 + k, "cm1", 0, 0, 1));
    }
    let r = verify_schedule(&system(), &s);
    assert_eq!(r.count(Rule::JobIndexOutOfRange), 5_000);
    assert_eq!(
        r.violations.len(),
        seamless_verify::MAX_PER_RULE + r.count(Rule::Overlap).min(1_000) as usize
    );
    assert!(
        r.to_string()
            .contains("... and 4000 more [job-index-out-of-range] violation(s) not shown")
    );
}

#[test]
fn schedules_from_json_and_ron() {
    let s = valid();
    let json = serde_json_text(&s);
    assert_eq!(parse_schedule_json(&json).unwrap(), s);
    let ron_text = ron::ser::to_string(&s).unwrap();
    assert_eq!(parse_schedule_ron(&ron_text).unwrap(), s);
    assert!(rules(&parse_schedule_json(&json).unwrap()).is_empty());
}

fn serde_json_text(s: &Schedule) -> String {
    // no serde_json dev-dependency needed: build the JSON by hand
    let jobs: Vec<String> = s
        .jobs
        .iter()
        .map(|j| {
            format!(
                r#"{{"program":"{}","index":{},"module":"{}","core":{},"start":{},"end":{}}}"#,
                j.program, j.index, j.module, j.core, j.start, j.end
            )
        })
        .collect();
    let placement: Vec<String> = s
        .placement
        .iter()
        .map(|p| {
            format!(
                r#"{{"program":"{}","module":"{}","core":{}}}"#,
                p.program, p.module, p.core
            )
        })
        .collect();
    let tx: Vec<String> = s
        .transmissions
        .iter()
        .map(|t| {
            let hops: Vec<String> = t
                .hops
                .iter()
                .map(|h| {
                    format!(
                        r#"{{"from":"{}","to":"{}","start":{},"end":{}}}"#,
                        h.from, h.to, h.start, h.end
                    )
                })
                .collect();
            format!(
                r#"{{"message":"{}","index":{},"hops":[{}]}}"#,
                t.message,
                t.index,
                hops.join(",")
            )
        })
        .collect();
    format!(
        r#"{{"mode":"{}","tick":"{}","major_frame":{},"placement":[{}],"jobs":[{}],"transmissions":[{}]}}"#,
        s.mode,
        s.tick,
        s.major_frame,
        placement.join(","),
        jobs.join(","),
        tx.join(",")
    )
}
