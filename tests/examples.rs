//! The library examples under examples/, run as tests on the tutorial.

use std::path::{Path, PathBuf};

#[path = "../examples/schedule_a_mode.rs"]
mod schedule_example;

#[path = "../examples/plan_one_switch.rs"]
mod plan_example;

#[path = "../examples/verify_foreign_plan.rs"]
mod verify_example;

fn tutorial() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("modes/tutorial")
}

#[test]
fn schedule_a_mode_prints_a_verified_schedule() {
    let json = schedule_example::schedule_a_mode(&tutorial(), "cruise").expect("a schedule");
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["mode"], "cruise");
    // 40 ms frame: flight control twice, three programs once
    assert_eq!(doc["jobs"].as_array().unwrap().len(), 5);
    let err = schedule_example::schedule_a_mode(&tutorial(), "nope").unwrap_err();
    assert_eq!(err, "no mode `nope`");
}

#[test]
fn plan_one_switch_then_verify_it_as_a_foreign_file() {
    let plan = plan_example::plan_one_switch(&tutorial(), "cruise", "landing").expect("a plan");
    assert_eq!(
        (plan.from.as_str(), plan.to.as_str()),
        ("cruise", "landing")
    );
    // navigation moves from m1 to m2
    assert!(plan.migrations.iter().any(|m| m.program == "navigation"));
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("plan.json");
    let mut doc = serde_json::to_value(&plan).unwrap();
    std::fs::write(&file, serde_json::to_string(&doc).unwrap()).unwrap();
    let ok = verify_example::verify_plan_file(&tutorial(), &file).expect("valid");
    assert!(ok.starts_with("valid plan cruise → landing"), "{ok}");
    // another tool's plan whose switch point is not a frame boundary of A
    let s = doc["switch"].as_u64().unwrap();
    doc["switch"] = serde_json::json!(s + 1);
    std::fs::write(&file, serde_json::to_string(&doc).unwrap()).unwrap();
    let err = verify_example::verify_plan_file(&tutorial(), &file).unwrap_err();
    assert!(err.contains("invalid"), "{err}");
}
