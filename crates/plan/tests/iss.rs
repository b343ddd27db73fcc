//! The ISS example: every allowed transition plans within its bounds, with
//! schedules from the synthesizer.

use seamless_model::System;
use seamless_model::diag::SourceFile;
use seamless_model::load::{load, order_files};
use seamless_model::plan::{Action, Plan};
use seamless_model::schedule::Schedule;
use seamless_model::validate::Limits;
use seamless_plan::{PlanOptions, plan_transition};

pub fn load_dir(dir: &str) -> System {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(dir);
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
    let files = order_files(files).unwrap();
    load(&files, Limits::default()).unwrap_or_else(|d| panic!("{d:#?}"))
}

fn schedules(sys: &System) -> Vec<Schedule> {
    let s = seamless_synth::synthesize(sys, &seamless_synth::Options::default());
    s.modes
        .into_iter()
        .enumerate()
        .map(|(m, r)| {
            r.unwrap_or_else(|e| {
                panic!(
                    "mode {} does not synthesize: {}",
                    sys.modes[m].name,
                    e.explain(sys)
                )
            })
        })
        .collect()
}

fn check(plan: &Plan) {
    for o in &plan.programs {
        if let (Some(u), Some(b)) = (o.unavailability, o.bound) {
            assert!(
                u <= b,
                "{} → {}: {} unavailable {u} > {b}",
                plan.from,
                plan.to,
                o.program
            );
        }
        if matches!(o.action, Action::Continue | Action::Migrate) {
            assert!(o.unavailability.is_some());
        }
    }
    assert!(
        plan.complete >= plan.b_start && plan.b_start >= plan.switch && plan.switch >= plan.request
    );
    // chunks never share a direction
    let mut busy: std::collections::BTreeMap<(String, String), Vec<(u64, u64)>> =
        Default::default();
    for t in &plan.transfers {
        for h in &t.hops {
            busy.entry((h.from.clone(), h.to.clone()))
                .or_default()
                .push((h.start, h.end));
        }
    }
    for v in busy.values_mut() {
        v.sort();
        for w in v.windows(2) {
            assert!(w[0].1 <= w[1].0);
        }
    }
}

/// Every allowed transition plans at four request instants, except that the
/// switches between `standard` and `spacewalk` may fail, and then only for
/// the reason the synthesized tables give: `quest` (the airlock module,
/// 100 Mbit/s) is full in `standard`, so the two programs moving to or from
/// it in `spacewalk` cannot be copied in time (the explanation names
/// `quest`).
#[test]
fn iss_every_transition_plans() {
    let sys = load_dir("modes/iss");
    let scheds = schedules(&sys);
    let opts = PlanOptions::default();
    let mut migrations = 0;
    let mut planned = 0;
    let mut failures = Vec::new();
    for &(a, b) in &sys.transitions {
        let ha = scheds[a].major_frame;
        for r in [0, 1, ha / 3, ha - 1] {
            match plan_transition(&sys, a, b, &scheds[a], &scheds[b], r, &opts) {
                Ok(plan) => {
                    check(&plan);
                    migrations += plan.migrations.len();
                    planned += 1;
                }
                Err(e) => {
                    let pair = (sys.modes[a].name.as_str(), sys.modes[b].name.as_str());
                    let quest =
                        matches!(pair, ("standard", "spacewalk") | ("spacewalk", "standard"))
                            && e.to_string().contains("quest")
                            && !e.remedies.is_empty();
                    if !quest {
                        failures.push(e.to_string());
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(
        planned >= 4 * (sys.transitions.len() - 2),
        "{planned} plans"
    );
    assert!(
        migrations > 0,
        "the ISS modes move programs between modules"
    );
}
