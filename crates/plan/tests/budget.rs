//! The planner's work budget: counted steps, so the outcome does not depend
//! on the machine; an honest "no plan found within the budget" when it runs
//! out, distinct from a proven impossibility.

use seamless_model::System;
use seamless_model::diag::SourceFile;
use seamless_model::load::{load, order_files};
use seamless_model::schedule::Schedule;
use seamless_model::validate::Limits;
use seamless_plan::{PlanOptions, Problem, plan_transition, worst_case};

fn tutorial() -> (System, Vec<Schedule>) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../modes/tutorial");
    let mut files = Vec::new();
    for e in std::fs::read_dir(&root).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "ron") {
            files.push(SourceFile {
                name: p.file_name().unwrap().to_string_lossy().into_owned(),
                text: std::fs::read_to_string(&p).unwrap(),
            });
        }
    }
    let sys = load(&order_files(files).unwrap(), Limits::default()).unwrap();
    let s = seamless_synth::synthesize(&sys, &seamless_synth::Options::default())
        .modes
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("{}", e.explain(&sys))))
        .collect();
    (sys, s)
}

fn budget(steps: u64) -> PlanOptions {
    PlanOptions {
        budget: steps,
        ..PlanOptions::default()
    }
}

/// Too small a budget: no plan, said as such (not as an impossibility),
/// the same every run; the default budget plans the same switch.
#[test]
fn out_of_budget_is_not_impossible() {
    let (sys, s) = tutorial();
    let (c, l) = (0, 1);
    assert_eq!(sys.modes[c].name, "cruise");
    let e = plan_transition(&sys, c, l, &s[c], &s[l], 0, &budget(1)).unwrap_err();
    match &*e.problem {
        Problem::GaveUp {
            steps,
            budget,
            time_limit,
            ..
        } => {
            assert!(*steps >= 1, "{e}");
            assert_eq!(*budget, 1);
            assert!(!time_limit);
        }
        p => panic!("{p:?}"),
    }
    let text = e.to_string();
    assert!(text.contains("no plan found within the budget"), "{text}");
    assert!(text.contains("one may still exist"), "{text}");
    assert!(e.remedies.is_empty(), "{text}");
    // deterministic: the same failure, steps included
    let again = plan_transition(&sys, c, l, &s[c], &s[l], 0, &budget(1)).unwrap_err();
    assert_eq!(e, again);
    // the default budget plans it; so does any budget once a plan was found
    // (the best plan found so far is returned when the budget runs out)
    let p = plan_transition(&sys, c, l, &s[c], &s[l], 0, &PlanOptions::default()).unwrap();
    assert!(seamless_verify::verify_plan(&sys, &p).is_valid());
    // the worst case stops at the first instant without a plan
    let w = worst_case(&sys, c, l, &s[c], &s[l], &budget(1)).unwrap_err();
    assert!(matches!(*w.problem, Problem::GaveUp { .. }), "{w}");
    assert_eq!(w.request, Some(0));
}

/// A budget between "nothing" and "everything": whatever it returns is a
/// verified plan or an out-of-budget, never another failure, and a larger
/// budget never does worse.
#[test]
fn growing_budgets_only_improve() {
    let (sys, s) = tutorial();
    let (l, c) = (1, 0);
    let mut last: Option<u64> = None;
    for steps in [10, 100, 1_000, 10_000, 100_000] {
        match plan_transition(&sys, l, c, &s[l], &s[c], 5_000, &budget(steps)) {
            Ok(p) => {
                assert!(seamless_verify::verify_plan(&sys, &p).is_valid());
                let lat = p.metrics.transition_latency;
                assert!(last.is_none_or(|x| lat <= x), "{steps}: {lat} > {last:?}");
                last = Some(lat);
            }
            Err(e) => {
                assert!(last.is_none(), "{steps}: {e}");
                assert!(matches!(*e.problem, Problem::GaveUp { .. }), "{e}");
            }
        }
    }
    assert!(last.is_some());
}
