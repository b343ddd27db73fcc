//! Every planned transition of the shipped systems, compiled, simulated on
//! every module at once, and compared with its plan.

use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use seamless_model::load::load;
use seamless_model::plan::Plan;
use seamless_model::schedule::Schedule;
use seamless_model::validate::Limits;
use seamless_model::{SourceFile, System};
use seamless_plan::{PlanOptions, plan_transition};
use seamless_sim::{SimError, render_trace, simulate_full};

struct Loaded {
    system: System,
    schedules: Vec<Schedule>,
}

fn load_folder(name: &str) -> Loaded {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../modes")
        .join(name);
    let mut others: Vec<_> = std::fs::read_dir(&dir)
        .expect("system folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .filter(|p| p.file_name().is_some_and(|n| n != "system.ron"))
        .collect();
    others.sort();
    let mut files = vec![dir.join("system.ron")];
    files.extend(others);
    let sources: Vec<SourceFile> = files
        .iter()
        .map(|p| SourceFile {
            name: p.file_name().unwrap().to_string_lossy().into_owned(),
            text: std::fs::read_to_string(p).expect("read"),
        })
        .collect();
    let system = load(&sources, Limits::default()).expect("the shipped system loads");
    let synth = seamless_synth::synthesize(&system, &seamless_synth::Options::default());
    let schedules = synth
        .modes
        .into_iter()
        .enumerate()
        .map(|(m, r)| r.unwrap_or_else(|_| panic!("mode {} is schedulable", system.modes[m].name)))
        .collect();
    Loaded { system, schedules }
}

fn tutorial() -> &'static Loaded {
    static L: OnceLock<Loaded> = OnceLock::new();
    L.get_or_init(|| load_folder("tutorial"))
}

fn iss() -> &'static Loaded {
    static L: OnceLock<Loaded> = OnceLock::new();
    L.get_or_init(|| load_folder("iss"))
}

fn plan(l: &Loaded, from: usize, to: usize, r: u64) -> Option<Plan> {
    match plan_transition(
        &l.system,
        from,
        to,
        &l.schedules[from],
        &l.schedules[to],
        r,
        &PlanOptions::default(),
    ) {
        Ok(p) => Some(p),
        Err(e) => {
            println!(
                "skipped {} -> {} at {r}: the planner has no plan ({e:?})",
                l.system.modes[from].name, l.system.modes[to].name
            );
            None
        }
    }
}

/// How a plan ran.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// Exactly as planned.
    Exact,
    /// As planned, but whole old frames earlier (the runtime's `S` is the
    /// first boundary at or after `r + lead`); the verifier accepts what ran.
    Shifted,
}

/// Compiles, simulates and checks one plan; the error text on failure.
fn check(l: &Loaded, from: usize, to: usize, plan: &Plan) -> Result<Outcome, String> {
    let tables = seamless_export::compile(&l.system, &l.schedules, std::slice::from_ref(plan))
        .map_err(|e| format!("compile: {e}"))?;
    match simulate_full(
        &l.system,
        &tables,
        &l.schedules[from],
        &l.schedules[to],
        plan,
    ) {
        Ok(sim) => {
            // The derived plan is the plan, value for value.
            let report = seamless_verify::verify_plan(&l.system, &sim.derived);
            if !report.is_valid() {
                return Err("the verifier rejects the derived plan".into());
            }
            if sim.derived.switch != plan.switch
                || sim.derived.b_start != plan.b_start
                || sim.derived.complete != plan.complete
                || sim.derived.metrics != plan.metrics
            {
                return Err(format!(
                    "derived instants or metrics differ: {:?}",
                    sim.derived.metrics
                ));
            }
            assert!(!sim.trace.events.is_empty(), "a simulation with no event");
            Ok(Outcome::Exact)
        }
        Err(SimError::Mismatch {
            mismatches,
            derived,
            ..
        }) if mismatches.iter().all(|m| m.is_switch_shift()) => {
            assert!(derived.switch < plan.switch);
            println!(
                "{} -> {} at r = {}: runtime S = {}, b_start = {}; plan S = {}, b_start = {}",
                plan.from,
                plan.to,
                plan.request,
                derived.switch,
                derived.b_start,
                plan.switch,
                plan.b_start
            );
            assert_eq!(
                (plan.switch - derived.switch) % l.schedules[from].major_frame,
                0
            );
            let report = seamless_verify::verify_plan(&l.system, &derived);
            assert!(report.is_valid(), "the verifier rejects the shifted run");
            Ok(Outcome::Shifted)
        }
        Err(e @ SimError::Input(_)) => Err(e.to_string()),
        Err(e) => Err(format!(
            "{} -> {} at r = {}: {}",
            plan.from,
            plan.to,
            plan.request,
            e.to_string()
                .lines()
                .take(40)
                .collect::<Vec<_>>()
                .join("\n")
        )),
    }
}

fn all_transitions(l: &Loaded) {
    let mut checked = 0;
    let mut shifted = 0;
    let mut failures = Vec::new();
    for &(from, to) in &l.system.transitions {
        let ha = l.schedules[from].major_frame;
        for r in [0, ha / 2, ha - 1] {
            let Some(p) = plan(l, from, to, r) else {
                continue;
            };
            match check(l, from, to, &p) {
                Ok(o) => {
                    checked += 1;
                    let mut schemes: Vec<&str> =
                        p.migrations.iter().map(|m| m.scheme.name()).collect();
                    schemes.sort_unstable();
                    println!(
                        "{} -> {} at r = {r}: {:?}, {} chunks, {} skipped, {} extended, schemes {schemes:?}",
                        p.from,
                        p.to,
                        o,
                        p.transfers.len(),
                        p.skipped.len(),
                        p.extended.len()
                    );
                    if o == Outcome::Shifted {
                        shifted += 1;
                        println!(
                            "{} -> {} at r = {r}: the runtime switched whole frames before the plan's S = {}",
                            p.from, p.to, p.switch
                        );
                    }
                }
                Err(e) => failures.push(e),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(checked > 0, "no transition could be planned");
    println!(
        "{}: {checked} plans simulated, {shifted} ran whole frames before the plan's S",
        l.system.name
    );
}

#[test]
fn tutorial_every_transition_runs_as_planned() {
    all_transitions(tutorial());
}

#[test]
fn iss_every_transition_runs_as_planned() {
    all_transitions(iss());
}

/// The first transition of the system the planner plans (request at 0 or
/// mid-frame), with a migration if any has one.
fn first_plan(l: &Loaded) -> (usize, usize, Plan) {
    let mut found = None;
    for &(from, to) in &l.system.transitions {
        for r in [0, l.schedules[from].major_frame / 2] {
            if let Some(p) = plan(l, from, to, r) {
                let migrates = !p.transfers.is_empty();
                if found.is_none() || migrates {
                    found = Some((from, to, p));
                }
                if migrates {
                    return found.expect("set");
                }
            }
        }
    }
    found.expect("some transition plans")
}

#[test]
fn render_names_every_event() {
    let l = tutorial();
    let (from, to, p) = first_plan(l);
    let tables = seamless_export::compile(&l.system, &l.schedules, std::slice::from_ref(&p))
        .expect("compiles");
    let trace = match simulate_full(&l.system, &tables, &l.schedules[from], &l.schedules[to], &p) {
        Ok(sim) => sim.trace,
        Err(SimError::Mismatch {
            trace, mismatches, ..
        }) if mismatches.iter().all(|m| m.is_switch_shift()) => *trace,
        Err(e) => panic!("{e}"),
    };
    let text = render_trace(&l.system, &trace);
    if std::env::var_os("SIM_PRINT").is_some() {
        println!("{text}");
    }
    assert_eq!(text.lines().count(), trace.events.len() + 1);
    assert!(text.contains("send chunk") || p.transfers.is_empty());
    assert!(text.contains("switch point"));
    assert!(text.contains("mode `"));
    assert!(text.contains("ms"));
}

#[test]
fn a_tampered_plan_is_caught() {
    let l = tutorial();
    let (from, to, p) = first_plan(l);
    let tables = seamless_export::compile(&l.system, &l.schedules, std::slice::from_ref(&p))
        .expect("compiles");
    // Claim a later completion than what runs: the simulation must disagree.
    let mut q = p.clone();
    q.complete += 1;
    q.metrics.transition_latency += 1;
    let err = simulate_full(&l.system, &tables, &l.schedules[from], &l.schedules[to], &q)
        .expect_err("a wrong plan must not match");
    let SimError::Mismatch { mismatches, .. } = &err else {
        panic!("expected mismatches, got {err}")
    };
    assert!(
        mismatches
            .iter()
            .any(|m| m.to_string().contains("complete"))
    );
    // Tables of another plan (the same switch shifted) differ from this plan.
    if !p.transfers.is_empty() {
        let mut q = p.clone();
        for t in &mut q.transfers {
            for h in &mut t.hops {
                h.start += 1;
                h.end += 1;
            }
        }
        let err = simulate_full(&l.system, &tables, &l.schedules[from], &l.schedules[to], &q)
            .expect_err("moved chunks must not match");
        assert!(err.to_string().contains("chunk"));
    }
}

#[test]
fn bad_tables_are_an_input_error() {
    let l = tutorial();
    let (from, to, p) = first_plan(l);
    let mut tables = seamless_export::compile(&l.system, &l.schedules, std::slice::from_ref(&p))
        .expect("compiles");
    tables[0].1.truncate(10);
    let err = simulate_full(&l.system, &tables, &l.schedules[from], &l.schedules[to], &p)
        .expect_err("a truncated table");
    assert!(matches!(err, SimError::Input(_)), "{err}");
    tables[0].0 = "no-such-module".into();
    let err = simulate_full(&l.system, &tables, &l.schedules[from], &l.schedules[to], &p)
        .expect_err("an unknown module");
    assert!(err.to_string().contains("no-such-module"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]

    #[test]
    fn tutorial_any_request_instant(which in 0usize..64, frac in 0u64..1000) {
        let l = tutorial();
        let &(from, to) = &l.system.transitions[which % l.system.transitions.len()];
        let r = l.schedules[from].major_frame * frac / 1000;
        if let Some(p) = plan(l, from, to, r) {
            let res = check(l, from, to, &p);
            prop_assert!(res.is_ok(), "{}", res.unwrap_err());
        }
    }

    #[test]
    fn iss_any_request_instant(which in 0usize..2, frac in 0u64..1000) {
        let l = iss();
        let &(from, to) = &l.system.transitions[which % l.system.transitions.len()];
        let r = l.schedules[from].major_frame * frac / 1000;
        if let Some(p) = plan(l, from, to, r) {
            let res = check(l, from, to, &p);
            prop_assert!(res.is_ok(), "{}", res.unwrap_err());
        }
    }
}

/// The forwarding rule: a switch sends a chunk's next hop at the later of
/// its arrival (end + latency) and the plan's start for that hop; never
/// earlier than the arrival.
#[test]
fn switches_forward_at_the_later_of_arrival_and_the_planned_hop() {
    let l = tutorial();
    let (from, to, p) = first_plan(l);
    let Some(i) = p.transfers.iter().rposition(|t| t.hops.len() >= 2) else {
        println!("skipped: no multi-hop chunk in the tutorial's plan");
        return;
    };
    let tables = seamless_export::compile(&l.system, &l.schedules, std::slice::from_ref(&p))
        .expect("compiles");
    let run = |q: &Plan| -> Plan {
        match simulate_full(&l.system, &tables, &l.schedules[from], &l.schedules[to], q) {
            Ok(sim) => sim.derived,
            Err(SimError::Mismatch { derived, .. }) => *derived,
            Err(e) => panic!("{e}"),
        }
    };
    // Shift the switch hops with the runtime, as `simulate` compares.
    let base = run(&p);
    let d = p.switch - base.switch;
    let hop_of = |plan: &Plan| {
        let t = &p.transfers[i];
        let first = {
            let mut h = t.hops[0].clone();
            h.start -= d;
            h.end -= d;
            h
        };
        plan.transfers
            .iter()
            .find(|x| x.program == t.program && x.hops.first() == Some(&first))
            .map(|x| x.hops[1].clone())
            .expect("the chunk was delivered")
    };
    let planned = hop_of(&base);
    assert_eq!(planned.start + d, p.transfers[i].hops[1].start);
    // A later planned hop: the switch waits for it.
    let mut later = p.clone();
    later.transfers[i].hops[1].start += 3;
    later.transfers[i].hops[1].end += 3;
    let got = hop_of(&run(&later));
    assert_eq!(got.start, planned.start + 3);
    assert_eq!(got.end, planned.end + 3);
    // An earlier planned hop than the chunk's arrival: sent on arrival, and
    // the difference is reported.
    let mut earlier = p.clone();
    let t = &mut earlier.transfers[i];
    let arrival = t.hops[0].end
        + l.system.network.links[l
            .system
            .network
            .link_between(
                l.system
                    .network
                    .nodes
                    .iter()
                    .position(|n| n.name == t.hops[0].from)
                    .unwrap(),
                l.system
                    .network
                    .nodes
                    .iter()
                    .position(|n| n.name == t.hops[0].to)
                    .unwrap(),
            )
            .unwrap()]
        .latency;
    let len = t.hops[1].end - t.hops[1].start;
    t.hops[1].start = arrival - 1;
    t.hops[1].end = arrival - 1 + len;
    let got = hop_of(&run(&earlier));
    assert_eq!(got.start, arrival - d);
    let err = simulate_full(
        &l.system,
        &tables,
        &l.schedules[from],
        &l.schedules[to],
        &earlier,
    )
    .expect_err("an impossible hop time");
    assert!(err.to_string().contains("chunk of"), "{err}");
}
