//! Snapshot tests of transition plans: the plan of every allowed ISS
//! transition, and the explanation of a switch that cannot be planned.
//!
//! This file is also the example for users who want to snapshot-test the
//! plans of their own system in CI: copy it, point `SYSTEM` at your folder,
//! run `cargo test` once with `INSTA_UPDATE=always` to record the snapshots,
//! review and commit them. From then on, any change to a rate, a size, a
//! bound or a placement that changes a plan makes the test fail and shows
//! the difference.

use seamless_model::plan::{Action, Plan};
use seamless_model::validate::Limits;
use seamless_model::{SourceFile, System};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

const SYSTEM: &str = "modes/iss";

fn load(dir: &str) -> System {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut paths: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    paths.sort();
    let files: Vec<SourceFile> = paths
        .iter()
        .map(|p| SourceFile {
            name: p.file_name().unwrap().to_string_lossy().into_owned(),
            text: std::fs::read_to_string(p).unwrap(),
        })
        .collect();
    let files = seamless_model::load::order_files(files).expect("system.ron");
    seamless_model::load::load(&files, Limits::default()).expect("a valid system")
}

/// What a reviewer wants to see of a plan: the decisions and the figures,
/// with the chunks summed per program and phase (not listed one by one).
#[derive(Serialize)]
struct Digest {
    switch: u64,
    b_start: u64,
    complete: u64,
    metrics: seamless_model::plan::Metrics,
    migrations: Vec<MigrationDigest>,
    programs: BTreeMap<String, (Action, Option<u64>, Option<u64>)>,
    skipped: usize,
    extended: usize,
}

#[derive(Serialize)]
struct MigrationDigest {
    program: String,
    from: String,
    to: String,
    scheme: String,
    via: Option<String>,
    resume: u64,
    downtime: u64,
    bytes: u64,
    degradation: u64,
    /// phase → (chunks, bytes)
    phases: BTreeMap<String, (usize, u64)>,
}

fn digest(plan: &Plan) -> Digest {
    Digest {
        switch: plan.switch,
        b_start: plan.b_start,
        complete: plan.complete,
        metrics: plan.metrics.clone(),
        migrations: plan
            .migrations
            .iter()
            .map(|m| {
                let mut phases = BTreeMap::new();
                for t in plan.transfers.iter().filter(|t| t.program == m.program) {
                    let e: &mut (usize, u64) = phases.entry(t.phase.clone()).or_default();
                    e.0 += 1;
                    e.1 += t.bytes;
                }
                MigrationDigest {
                    program: m.program.clone(),
                    from: format!("{}/{}", m.from.module, m.from.core),
                    to: format!("{}/{}", m.to.module, m.to.core),
                    scheme: m.scheme.name().to_string(),
                    via: m.via.clone(),
                    resume: m.resume,
                    downtime: m.downtime,
                    bytes: m.bytes,
                    degradation: m.degradation,
                    phases,
                }
            })
            .collect(),
        programs: plan
            .programs
            .iter()
            .map(|p| (p.program.clone(), (p.action, p.unavailability, p.bound)))
            .collect(),
        skipped: plan.skipped.len(),
        extended: plan.extended.len(),
    }
}

#[test]
fn every_iss_transition_plan() {
    let system = load(SYSTEM);
    let synthesis = seamless_synth::synthesize(&system, &seamless_synth::Options::default());
    let schedules: Vec<_> = synthesis
        .modes
        .into_iter()
        .map(|r| r.expect("every ISS mode schedules"))
        .collect();
    let mut schemes = BTreeMap::new();
    for &(from, to) in &system.transitions {
        let plan = seamless_plan::plan_transition(
            &system,
            from,
            to,
            &schedules[from],
            &schedules[to],
            0,
            &seamless_plan::PlanOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let report = seamless_verify::verify_plan(&system, &plan);
        assert!(report.is_valid(), "{report}");
        for m in &plan.migrations {
            *schemes.entry(m.scheme.name()).or_insert(0) += 1;
        }
        insta::assert_ron_snapshot!(format!("iss_{}_to_{}", plan.from, plan.to), digest(&plan));
    }
    // the ISS exercises both families of live migration
    assert!(schemes.contains_key("pre-copy"), "{schemes:?}");
    assert!(
        schemes.contains_key("post-copy") || schemes.contains_key("hybrid"),
        "{schemes:?}"
    );
}

#[test]
fn an_infeasible_switch_is_explained() {
    // The tutorial on 5 Mbit/s links: no scheme can move navigation's 8 MiB
    // from m1 to m2 and keep it within its 200 ms bound.
    let mut system = load("modes/tutorial");
    for l in &mut system.network.links {
        l.bandwidth = 5_000_000;
    }
    let from = system.mode_by_name("cruise").unwrap();
    let to = system.mode_by_name("landing").unwrap();
    let synthesis = seamless_synth::synthesize(&system, &seamless_synth::Options::default());
    let a = synthesis.modes[from].as_ref().unwrap();
    let b = synthesis.modes[to].as_ref().unwrap();
    let err = seamless_plan::plan_transition(
        &system,
        from,
        to,
        a,
        b,
        0,
        &seamless_plan::PlanOptions::default(),
    )
    .map(|p| p.metrics)
    .expect_err("no plan can keep navigation within its bound");
    let text = err.to_string();
    assert!(text.contains("navigation"), "{text}");
    insta::assert_snapshot!("tutorial_links_too_slow", text);
}
