//! ARINC 653 exports as AIR loads them: every module file of the mini
//! system, the tutorial and the ISS passes the module schema (with
//! `xmllint --schema`, see tests/data/schemas/README.md) and the rules of
//! AIR's configurator ([`seamless_export::air::check_air_module`]), and every
//! window reads back on the core and at the time the schedule chose.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use seamless_export::air::{IDLE_PARTITION, check_air_module, configurator_ns};
use seamless_export::xml::parse;
use seamless_export::{
    ReadWindow, arinc653_modules, expected_windows, quantise, quantised_system,
    read_arinc653_with_tick,
};
use seamless_model::System;
use seamless_model::plan::Plan;
use seamless_model::schedule::Schedule;

fn schema() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/schemas/air/a653_module.xsd")
}

/// Validates every document with `xmllint --schema`. Without xmllint the
/// schema check is skipped with a warning, except in CI (`CI` set), where it
/// fails: .ci/run installs it (Debian's libxml2-utils).
fn validate_with_xmllint(tag: &str, docs: &[(String, String)]) {
    if let Some(Err(e)) = xmllint(tag, docs) {
        panic!("{tag}: the schema rejects the export:\n{e}");
    }
}

/// `None` when xmllint is not installed (outside CI).
fn xmllint(tag: &str, docs: &[(String, String)]) -> Option<Result<(), String>> {
    xmllint_with(&schema(), tag, docs)
}

/// [`xmllint`] against any schema.
fn xmllint_with(schema: &Path, tag: &str, docs: &[(String, String)]) -> Option<Result<(), String>> {
    if Command::new("xmllint").arg("--version").output().is_err() {
        if std::env::var_os("CI").is_some() {
            panic!("xmllint is missing: install libxml2-utils (apt-get install -y libxml2-utils)");
        }
        eprintln!("warning: xmllint not found, the schema check of `{tag}` is skipped");
        return None;
    }
    let dir = std::env::temp_dir().join(format!("seamless-air-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut paths = Vec::new();
    for (module, doc) in docs {
        let p = dir.join(format!("{module}.xml"));
        std::fs::write(&p, doc).unwrap();
        paths.push(p);
    }
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schema)
        .args(&paths)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    Some(if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    })
}

/// Every check of an AIR export: schema, configurator rules, windows back
/// on their cores and times, and every Module_Schedule present on every
/// module.
fn check_export(tag: &str, system: &System, schedules: &[Schedule], plans: &[Plan]) {
    let docs = arinc653_modules(system, schedules, plans).unwrap_or_else(|e| panic!("{tag}: {e}"));
    assert_eq!(docs.len(), system.modules.len());
    validate_with_xmllint(tag, &docs);
    let mut all: Vec<ReadWindow> = Vec::new();
    for (module, doc) in &docs {
        let problems = check_air_module(doc);
        assert!(problems.is_empty(), "{tag}, module {module}: {problems:#?}");
        let root = parse(doc).unwrap();
        // one Module_Schedule per mode, each non-empty
        assert_eq!(
            root.children_named("Module_Schedule").count(),
            schedules.len(),
            "{tag}, {module}"
        );
        // every time as AIR reads it is the exact time
        for w in read_arinc653_with_tick(doc, system.tick.ns).unwrap() {
            let _ = w;
        }
        for s in root.children_named("Module_Schedule") {
            for p in s.children_named("Partition_Schedule") {
                for x in p.children_named("Window_Schedule") {
                    for a in ["WindowStartSeconds", "WindowDurationSeconds"] {
                        let text = x.attr(a).unwrap();
                        let exact = seamless_export::decimal::parse_seconds(text).unwrap();
                        assert_eq!(
                            configurator_ns(text).map(u128::from),
                            Some(exact),
                            "{tag}: AIR reads {a}={text} differently"
                        );
                    }
                }
            }
        }
        all.extend(read_arinc653_with_tick(doc, system.tick.ns).unwrap());
    }
    all.sort();
    // every window on the core (and at the time) the schedule chose
    assert_eq!(all, expected_windows(schedules), "{tag}");
}

#[test]
fn mini_loads_in_air() {
    let (system, schedules, plans) = mini();
    check_export("mini", &system, &schedules, &plans);
    // a window on core 1 says so, by its identifier, as a child of its
    // Partition_Schedule
    let docs = arinc653_modules(&system, &schedules, &plans).unwrap();
    let m1 = &docs.iter().find(|(m, _)| m == "m1").unwrap().1;
    assert!(
        m1.contains("<WindowConfiguration xmlns=\"Window_Sched_Ext\" WindowIdentifier="),
        "{m1}"
    );
    assert!(m1.contains("Cores=\"1\""));
}

#[test]
fn the_schema_refuses_what_air_would_misplace() {
    let (system, schedules, plans) = mini();
    let docs = arinc653_modules(&system, &schedules, &plans).unwrap();
    // the old shape: the core inside the window, without its identifier
    let (m, doc) = &docs[0];
    let old = doc.replacen(
        "PartitionPeriodStart=\"true\"/>",
        "PartitionPeriodStart=\"true\"><WindowConfiguration Cores=\"1\"/></Window_Schedule>",
        1,
    );
    assert_ne!(&old, doc);
    if let Some(r) = xmllint("old-shape", &[(m.clone(), old)]) {
        assert!(
            r.is_err(),
            "the schema accepts a WindowConfiguration inside a window"
        );
    }
    // no Connection_Table
    let bare = doc.replace("<Connection_Table/>", "");
    if let Some(r) = xmllint("no-connection-table", &[(m.clone(), bare)]) {
        assert!(r.is_err());
    }
}

#[test]
fn a_module_without_programs_in_a_mode_gets_the_idle_partition() {
    let (system, schedules, plans) = mini();
    // m2 hosts nothing in landing once gear is gone
    let mut landing = schedules[1].clone();
    landing.jobs.retain(|j| j.module != "m2");
    landing.placement.retain(|p| p.module != "m2");
    landing.transmissions.clear();
    let mut cruise = schedules[0].clone();
    cruise.transmissions.clear();
    let scheds = vec![cruise, landing];
    let docs = arinc653_modules(&system, &scheds, &plans).unwrap();
    let m2 = &docs.iter().find(|(m, _)| m == "m2").unwrap().1;
    assert!(m2.contains(IDLE_PARTITION), "{m2}");
    assert!(
        check_air_module(m2).is_empty(),
        "{:?}",
        check_air_module(m2)
    );
    validate_with_xmllint("idle", &docs);
}

#[test]
fn a_time_air_would_misread_is_refused() {
    let (system, mut schedules, plans) = mini();
    // 2.5 ms: AIR keeps three decimals of seconds and would read 2 ms
    schedules[0].jobs[0].end = 2500;
    let err = arinc653_modules(&system, &schedules, &plans).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("0.0025"), "{text}");
    assert!(text.contains("three decimals"), "{text}");
    // 1 us resolution needs 1,000,000 ticks per second
    schedules[0].jobs[0].end = 2001;
    let text = arinc653_modules(&system, &schedules, &plans)
        .unwrap_err()
        .to_string();
    assert!(text.contains("at most 50000"), "{text}");
}

/// Synthesises and verifies every mode; quantises to 1 ms (AIR's
/// configurator keeps three decimals of every time) and verifies again,
/// against the system with every wcet rounded up to 1 ms (the budgets AIR
/// gives), which it returns with the schedules.
fn air_schedules(system: &System) -> (System, Vec<Schedule>) {
    let syn = seamless_synth::synthesize(system, &seamless_synth::Options::default());
    let grid = 1_000_000 / system.tick.ns;
    let budgets = quantised_system(system, grid);
    let schedules = syn
        .modes
        .into_iter()
        .map(|r| {
            let s = r.expect("every mode schedules");
            assert!(seamless_verify::verify_schedule(system, &s).is_valid());
            let q = quantise(system, &s, grid);
            let report = seamless_verify::verify_schedule(&budgets, &q);
            assert!(
                report.is_valid(),
                "mode {} quantised to 1 ms: {report}",
                s.mode
            );
            q
        })
        .collect();
    (budgets, schedules)
}

fn example(name: &str) -> System {
    load_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../modes")
            .join(name),
    )
}

#[test]
fn tutorial_loads_in_air() {
    let (system, schedules) = air_schedules(&example("tutorial"));
    check_export("tutorial", &system, &schedules, &[]);
}

#[test]
fn iss_loads_in_air() {
    let (system, schedules) = air_schedules(&example("iss"));
    check_export("iss", &system, &schedules, &[]);
}

/// The XtratuM XM_CF schema: seamless's statement of XtratuM 3.x's
/// structure (tests/data/schemas/xtratum/README.md), or XtratuM's own
/// preprocessed `xmc.xsd` when `XTRATUM_XSD` names it.
fn xtratum_schemas() -> Vec<PathBuf> {
    let mut v =
        vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/schemas/xtratum/xm_cf.xsd")];
    if let Some(p) = std::env::var_os("XTRATUM_XSD") {
        v.push(PathBuf::from(p));
    }
    v
}

fn check_xtratum(tag: &str, system: &System, schedules: &[Schedule]) {
    let docs = seamless_export::xtratum_modules(system, schedules);
    assert_eq!(docs.len(), system.modules.len());
    for schema in xtratum_schemas() {
        if let Some(Err(e)) = xmllint_with(&schema, &format!("xm-{tag}"), &docs) {
            panic!(
                "{tag}: {} rejects the XtratuM skeleton:\n{e}",
                schema.display()
            );
        }
    }
    for (module, doc) in &docs {
        let root = parse(doc).unwrap();
        assert_eq!(root.name, "SystemDescription");
        assert!(
            doc.contains("PLACEHOLDER"),
            "{module}: placeholders are marked"
        );
        // the plans read back exactly
        let mut got = seamless_export::read_xtratum_with_tick(doc, system.tick.ns).unwrap();
        for w in &mut got {
            w.mode = system.modes[w.mode.parse::<usize>().unwrap()].name.clone();
        }
        let mut want: Vec<ReadWindow> = expected_windows(schedules)
            .into_iter()
            .filter(|w| &w.module == module)
            .collect();
        want.sort();
        got.sort();
        assert_eq!(got, want, "{tag}: windows of {module}");
        // partition areas lie in the one region, after the hypervisor's, and do not overlap
        let hw = root.children_named("HwDescription").next().unwrap();
        let region = hw
            .children_named("MemoryLayout")
            .next()
            .unwrap()
            .children_named("Region")
            .next()
            .unwrap();
        let num = |s: &str| u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap();
        let size = |s: &str| -> u64 {
            if let Some(x) = s.strip_suffix("MB") {
                x.parse::<u64>().unwrap() << 20
            } else if let Some(x) = s.strip_suffix("KB") {
                x.parse::<u64>().unwrap() << 10
            } else {
                s.strip_suffix('B').unwrap().parse().unwrap()
            }
        };
        let (r0, r1) = (
            num(region.req("start").unwrap()),
            size(region.req("size").unwrap()),
        );
        let mut at = r0 + seamless_export::XM_HYPERVISOR_BYTES;
        let table = root.children_named("PartitionTable").next().unwrap();
        for (i, p) in table.children_named("Partition").enumerate() {
            assert_eq!(p.req("id").unwrap(), i.to_string(), "partition ids from 0");
            let name = p.req("name").unwrap();
            let area = p
                .children_named("PhysicalMemoryAreas")
                .next()
                .unwrap()
                .children_named("Area")
                .next()
                .unwrap();
            let (a0, a1) = (
                num(area.req("start").unwrap()),
                size(area.req("size").unwrap()),
            );
            assert!(
                a0 >= at && a0 + a1 <= r0 + r1,
                "{module}/{name}: area inside the region, no overlap"
            );
            if let Some(prog) = system.programs.iter().find(|x| x.name == name) {
                assert_eq!(a1, prog.memory, "{module}/{name}: the program's memory");
            } else {
                assert_eq!(name, IDLE_PARTITION);
            }
            at = a0 + a1;
        }
    }
}

#[test]
fn xtratum_skeletons_are_schema_valid() {
    let (system, schedules, _) = mini();
    check_xtratum("mini", &system, &schedules);
    for name in ["tutorial", "iss"] {
        let system = example(name);
        let syn = seamless_synth::synthesize(&system, &seamless_synth::Options::default());
        let schedules: Vec<Schedule> = syn.modes.into_iter().map(|r| r.unwrap()).collect();
        check_xtratum(name, &system, &schedules);
    }
}

#[test]
fn the_xtratum_schema_refuses_a_skeleton_without_hypervisor() {
    let (system, schedules, _) = mini();
    let docs = seamless_export::xtratum_modules(&system, &schedules);
    let (m, d) = &docs[0];
    let a = d.find("<XMHypervisor>").unwrap();
    let b = d.find("</XMHypervisor>").unwrap() + "</XMHypervisor>".len();
    let broken = format!("{}{}", &d[..a], &d[b..]);
    let bad_time = d.replacen("majorFrame=\"", "majorFrame=\"x", 1);
    for (what, doc) in [("no hypervisor", broken), ("a bad time", bad_time)] {
        let schema = &xtratum_schemas()[0];
        if let Some(r) = xmllint_with(schema, "xm-neg", &[(m.clone(), doc)]) {
            assert!(r.is_err(), "{what}: the schema must refuse it");
        }
    }
}
