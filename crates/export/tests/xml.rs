mod common;

use common::*;
use proptest::prelude::*;
use seamless_export::xml::{Element, parse};
use seamless_export::{
    ReadWindow, arinc653, arinc653_modules, expected_windows, read_arinc653,
    read_arinc653_with_tick, read_xtratum, read_xtratum_with_tick, xtratum, xtratum_modules,
};
use seamless_model::units::Tick;

fn find<'a>(e: &'a Element, path: &[(&str, &str, &str)]) -> &'a Element {
    let mut cur = e;
    for &(name, attr, value) in path {
        cur = cur
            .children_named(name)
            .find(|c| c.attr(attr) == Some(value))
            .unwrap_or_else(|| panic!("no <{name} {attr}=\"{value}\"> in <{}>", cur.name));
    }
    cur
}

#[test]
fn arinc_round_trip_and_actions() {
    let (system, schedules, plans) = mini();
    let doc = arinc653(&system, &schedules, &plans);
    let want = expected_windows(&schedules);
    assert_eq!(want.len(), 8);
    assert_eq!(read_arinc653(&doc).unwrap(), want);
    // per-module documents, with the tick given
    let mut all: Vec<ReadWindow> = Vec::new();
    for (name, d) in arinc653_modules(&system, &schedules, &plans).unwrap() {
        let w = read_arinc653_with_tick(&d, system.tick.ns).unwrap();
        assert!(w.iter().all(|x| x.module == name));
        all.extend(w);
        assert!(read_arinc653(&d).is_err(), "a bare module carries no tick");
    }
    all.sort();
    assert_eq!(all, want);

    let root = parse(&doc).unwrap();
    let action = |module: &str, mode: &str, program: &str| {
        find(
            &root,
            &[
                ("ARINC_653_Module", "ModuleName", module),
                ("Module_Schedule", "ScheduleName", mode),
                ("Partition_Schedule", "PartitionName", program),
            ],
        )
        .attr("ScheduleChangeAction")
        .unwrap()
        .to_string()
    };
    assert_eq!(action("m1", "landing", "fc"), "IGNORE");
    assert_eq!(action("m1", "landing", "nav"), "WARM_START");
    assert_eq!(action("m2", "landing", "gear"), "COLD_START");
    assert_eq!(action("m1", "cruise", "fc"), "IGNORE");
    assert_eq!(action("m1", "cruise", "log"), "COLD_START");
    assert_eq!(action("m2", "cruise", "nav"), "WARM_START");

    let sched = |module: &str, mode: &str| {
        find(
            &root,
            &[
                ("ARINC_653_Module", "ModuleName", module),
                ("Module_Schedule", "ScheduleName", mode),
            ],
        )
        .clone()
    };
    let cruise = sched("m1", "cruise");
    assert_eq!(cruise.attr("InitialModuleSchedule"), Some("true"));
    assert_eq!(cruise.attr("ScheduleIdentifier"), Some("0"));
    assert_eq!(cruise.attr("MajorFrameSeconds"), Some("0.02"));
    assert_eq!(
        sched("m1", "landing").attr("InitialModuleSchedule"),
        Some("false")
    );
    let fc = find(&cruise, &[("Partition_Schedule", "PartitionName", "fc")]);
    assert_eq!(fc.attr("PeriodSeconds"), Some("0.01"));
    assert_eq!(fc.attr("PeriodDurationSeconds"), Some("0.002"));
    assert_eq!(fc.attr("PartitionIdentifier"), Some("1"));
    let ids: Vec<&str> = fc
        .children_named("Window_Schedule")
        .map(|w| w.attr("WindowIdentifier").unwrap())
        .collect();
    assert_eq!(
        ids,
        ["1", "3"],
        "window ids in time order over the schedule"
    );
    assert!(
        fc.children_named("Window_Schedule")
            .all(|w| w.attr("PartitionPeriodStart") == Some("true"))
    );
    let air = root.children[0]
        .children_named("AIR_Configuration")
        .next()
        .unwrap();
    assert_eq!(air.attr("TicksPerSecond"), Some("1000"));
    assert_eq!(air.attr("RequiredCores"), Some("2"));
    insta::assert_snapshot!("mini_arinc653", doc);
}

#[test]
fn xtratum_round_trip() {
    let (system, schedules, _) = mini();
    let doc = xtratum(&system, &schedules);
    let want = expected_windows(&schedules);
    assert_eq!(read_xtratum(&doc).unwrap(), want);
    let mut all: Vec<ReadWindow> = Vec::new();
    for (_, d) in xtratum_modules(&system, &schedules) {
        let mut w = read_xtratum_with_tick(&d, system.tick.ns).unwrap();
        for x in &mut w {
            // a bare SystemDescription names plans by number
            x.mode = system.modes[x.mode.parse::<usize>().unwrap()].name.clone();
        }
        all.extend(w);
    }
    all.sort();
    assert_eq!(all, want);
    let root = parse(&doc).unwrap();
    let m1 = find(&root, &[("SystemDescription", "name", "m1")]);
    assert_eq!(m1.attr("xmlns"), Some(seamless_export::XM_NAMESPACE));
    let child = |e: &Element, name: &str| e.children_named(name).next().unwrap().clone();
    let table = child(&child(m1, "HwDescription"), "ProcessorTable");
    let proc1 = find(&table, &[("Processor", "id", "1")]).clone();
    let plans_el = child(&proc1, "CyclicPlanTable");
    let plan = find(&plans_el, &[("Plan", "id", "1")]);
    assert_eq!(plan.attr("majorFrame"), Some("20ms"));
    assert_eq!(plan.children[0].attr("start"), Some("3ms"));
    assert_eq!(plan.children[0].attr("duration"), Some("1ms"));
    insta::assert_snapshot!("mini_xtratum", doc);
}

/// The same schedules under other ticks: every time is scaled, and reads
/// back to the same tick counts.
#[test]
fn other_ticks() {
    for (tick, sample) in [
        ("3us", "0.009"),
        ("100ns", "0.0003"),
        ("7ns", "0.000021"),
        ("1s", "3000.0"),
    ] {
        let (mut system, mut schedules, plans) = mini();
        system.tick = Tick::parse(tick).unwrap();
        for s in &mut schedules {
            s.tick = tick.into();
        }
        let mut plans = plans;
        for p in &mut plans {
            p.tick = tick.into();
            p.from_schedule.tick = tick.into();
            p.to_schedule.tick = tick.into();
        }
        let want = expected_windows(&schedules);
        let doc = arinc653(&system, &schedules, &plans);
        assert_eq!(read_arinc653(&doc).unwrap(), want, "{tick}");
        // nav's landing window starts at tick 3000
        assert!(
            doc.contains(&format!("WindowStartSeconds=\"{sample}\"")),
            "{tick}: {doc}"
        );
        assert_eq!(
            read_xtratum(&xtratum(&system, &schedules)).unwrap(),
            want,
            "{tick}"
        );
        // and the compiled tables carry the tick length
        let compiled = seamless_export::compile(&system, &schedules, &plans).unwrap();
        check_tables(&system, &schedules, &plans, &compiled);
    }
}

#[test]
fn deterministic() {
    let (system, schedules, plans) = mini();
    let mut rev = schedules.clone();
    rev.reverse();
    for s in &mut rev {
        s.jobs.reverse();
    }
    assert_eq!(
        arinc653(&system, &schedules, &plans),
        arinc653(&system, &rev, &plans)
    );
    assert_eq!(xtratum(&system, &schedules), xtratum(&system, &rev));
}

#[test]
fn lenient_on_unknown_names() {
    let (system, mut schedules, plans) = mini();
    schedules[0].jobs[0].program = "ghost".into();
    schedules[1].mode = "takeoff".into();
    let doc = arinc653(&system, &schedules, &plans);
    assert!(doc.contains("left out"));
    assert!(doc.contains("ghost"));
    let got = read_arinc653(&doc).unwrap();
    let want: Vec<ReadWindow> = expected_windows(&schedules[..1])
        .into_iter()
        .filter(|w| w.partition != "ghost")
        .collect();
    assert_eq!(got, want);
    let x = xtratum(&system, &schedules);
    assert_eq!(read_xtratum(&x).unwrap(), want);
}

#[test]
fn readers_reject_bad_documents() {
    let (system, schedules, plans) = mini();
    let doc = arinc653(&system, &schedules, &plans);
    assert!(read_arinc653_with_tick(&doc, 7).is_err(), "not whole ticks");
    assert!(read_arinc653_with_tick(&doc, 0).is_err());
    assert!(read_arinc653(&doc.replace("Tick=\"1us\"", "")).is_err());
    assert!(
        read_arinc653(&doc.replace(
            "WindowStartSeconds=\"0.003\"",
            "WindowStartSeconds=\"0.0195\""
        ))
        .is_err()
    );
    assert!(
        read_arinc653(&doc.replace(
            "WindowDurationSeconds=\"0.001\"",
            "WindowDurationSeconds=\"1e-3\""
        ))
        .is_err()
    );
    assert!(read_arinc653(&doc.replace("Cores=\"1\"", "Cores=\"one\"")).is_err());
    assert!(read_arinc653(&doc[..doc.len() / 2]).is_err());
    assert!(read_arinc653("<Other/>").is_err());
    let x = xtratum(&system, &schedules);
    assert!(read_xtratum(&x.replace("partitionId=\"2\"", "partitionId=\"9\"")).is_err());
    assert!(read_xtratum(&x.replace("duration=\"3ms\"", "duration=\"30ms\"")).is_err());
    assert!(read_xtratum(&x.replace("start=\"5ms\"", "start=\"5\"")).is_err());
    assert!(read_xtratum(&x.replace("<Processor id=\"1\">", "<Processor id=\"x\">")).is_err());
    assert!(read_xtratum(&x[..x.len() - 3]).is_err());
    assert!(read_xtratum(&doc).is_err());
    assert!(read_xtratum_with_tick(&x, 0).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn mutated_exports_never_panic(at in 0usize..10_000, byte in 32u8..127, cut in 0usize..10_000) {
        let (system, schedules, plans) = mini();
        for doc in [arinc653(&system, &schedules, &plans), xtratum(&system, &schedules)] {
            let mut b = doc.into_bytes();
            let i = at % b.len();
            b[i] = byte;
            let d = String::from_utf8(b).unwrap();
            let _ = read_arinc653(&d);
            let _ = read_xtratum(&d);
            let c = cut % d.len();
            let _ = read_arinc653(&d[..c]);
            let _ = read_xtratum(&d[..c]);
        }
    }
}

/// A third mode, taxi (fc and nav on m1, like landing): entering landing,
/// nav arrives from m2 out of cruise but continues out of taxi.
#[test]
fn disagreeing_transitions_take_the_strongest_action() {
    let mut files =
        dir_files(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/mini"));
    files.push(seamless_model::diag::SourceFile {
        name: "taxi.ron".into(),
        text: r#"Mode(name: "taxi", programs: ["fc", "nav"],
                 pins: [Pin(program: "fc", module: "m1", core: 0), Pin(program: "nav", module: "m1", core: 1)])"#
            .into(),
    });
    let system = load_files(&files);
    let mut taxi = landing();
    taxi.mode = "taxi".into();
    taxi.placement.retain(|p| p.program != "gear");
    taxi.jobs.retain(|j| j.program != "gear");
    taxi.transmissions.clear();
    let schedules = vec![cruise(), landing(), taxi];
    for s in &schedules {
        assert!(
            seamless_verify::verify_schedule(&system, s).is_valid(),
            "{}",
            s.mode
        );
    }
    let doc = arinc653(&system, &schedules, &[]);
    assert_eq!(read_arinc653(&doc).unwrap(), expected_windows(&schedules));
    let root = parse(&doc).unwrap();
    let action = |module: &str, mode: &str, program: &str| {
        find(
            &root,
            &[
                ("ARINC_653_Module", "ModuleName", module),
                ("Module_Schedule", "ScheduleName", mode),
                ("Partition_Schedule", "PartitionName", program),
            ],
        )
        .attr("ScheduleChangeAction")
        .unwrap()
        .to_string()
    };
    assert_eq!(action("m1", "landing", "nav"), "WARM_START");
    assert_eq!(action("m1", "taxi", "nav"), "WARM_START");
    assert_eq!(action("m1", "landing", "fc"), "IGNORE");
    assert_eq!(action("m2", "landing", "gear"), "COLD_START");
    assert_eq!(action("m1", "cruise", "log"), "COLD_START");
    assert!(
        doc.contains("WARM_START from `cruise`, IGNORE from `taxi`"),
        "{doc}"
    );
    assert!(
        !doc.contains("COLD_START from"),
        "no note where transitions agree"
    );
    // a plan overrides the placement-derived action: the taxi → landing plan
    // (nothing moves) says nav continues
    let mut p = plan_without_migration(&schedules[2], &schedules[1]).unwrap();
    p.programs.retain(|o| o.program != "nav");
    p.programs.push(seamless_model::plan::ProgramOutcome {
        program: "nav".into(),
        action: seamless_model::plan::Action::Start,
        unavailability: None,
        bound: None,
    });
    let doc = arinc653(&system, &schedules, &[p]);
    assert!(
        doc.contains("WARM_START from `cruise`, COLD_START from `taxi`"),
        "{doc}"
    );
}
