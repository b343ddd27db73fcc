//! The top-level example `runtime_main_loop`, run as a test: the switch
//! lands on the planned frame boundary, nothing runs in the gap, and the
//! skipped and extended jobs show up.

#[path = "../../../examples/runtime_main_loop.rs"]
mod example;

#[test]
fn example_main_loop_switches_at_the_planned_boundary() {
    let lines = example::run_main_loop(80).unwrap();
    let at = |t: u64| -> Vec<&String> {
        let p = format!("t={t:>3} ");
        lines.iter().filter(|l| l.starts_with(&p)).collect()
    };
    assert!(lines[0].starts_with("module cm1 (2 cores)"));
    assert_eq!(
        at(26)[0],
        "t= 26 request docking: switch point 40, docking from 42, complete at 56"
    );
    assert!(at(37)[0].contains("begin standard->docking (S=40, b_start=42)"));
    assert!(at(40)[0].contains("(none)   core0=idle core1=idle"));
    assert!(at(40)[0].contains("switch point standard->docking"));
    assert!(at(42)[0].contains("skip gnc#0@core0"));
    assert!(at(46)[0].contains("start display#0@core1 until 49"));
    assert!(at(56)[0].contains("complete standard->docking"));
    assert!(at(41).is_empty(), "no boundary inside the gap");
    // Deterministic: a second run prints the same.
    assert_eq!(example::run_main_loop(80).unwrap(), lines);
}
