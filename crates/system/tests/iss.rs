//! The ISS example: the bounds the issue names, and fewer migrations than
//! mode-by-mode synthesis.

use seamless_model::System;
use seamless_model::diag::SourceFile;
use seamless_model::load::load;
use seamless_model::validate::Limits;
use seamless_system::{Optimum, migration_report, synthesize};
use std::path::Path;

fn iss() -> System {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../modes/iss");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("modes/iss")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".ron") && n != "system.ron")
        .collect();
    names.sort();
    names.insert(0, "system.ron".into());
    let files: Vec<SourceFile> = names
        .iter()
        .map(|n| SourceFile {
            name: n.clone(),
            text: std::fs::read_to_string(dir.join(n)).expect("readable"),
        })
        .collect();
    load(&files, Limits::default()).expect("the ISS loads")
}

#[test]
fn iss_bounds_and_migrations() {
    let sys = iss();
    let opts = seamless_synth::Options::default();
    let ss = synthesize(&sys, &opts);
    for r in &ss.synthesis.modes {
        let s = r.as_ref().expect("every ISS mode has a schedule");
        assert!(seamless_verify::verify_schedule(&sys, s).is_valid());
    }
    // the issue: "the 16 switches need at least 19"; 13 of them are forced
    // pairwise by allowed modules and pins, 6 more by cycles of modes
    assert_eq!(ss.bounds.pairwise, 13);
    assert_eq!(ss.bounds.per_program, 19);
    assert_eq!(ss.bounds.optimum, Optimum::Exact(19));
    // the joint placement itself reaches the optimum
    let joint: usize = ss.placement.moves(&sys).iter().map(Vec::len).sum();
    let report = migration_report(&sys, &ss);
    assert_eq!(report.least(), 19);
    assert!(joint >= 19);
    // mode-by-mode synthesis with hints from the modes before (the old
    // path) moves more
    let old = seamless_synth::synthesize(&sys, &opts);
    let old_moves: usize = old.moves.iter().map(|t| t.programs.len()).sum();
    assert!(
        (report.planned as usize) < old_moves,
        "{} planned vs {old_moves} mode by mode",
        report.planned
    );
    // the joint placement held as hard: at most the least possible + 10 %,
    // rounded up (19 → 21)
    assert!(
        report.planned <= report.least() + report.least().div_ceil(10),
        "{} planned, least {}",
        report.planned,
        report.least()
    );
    // every planned move that was not forced carries a reason
    for t in &report.transitions {
        let unforced = t
            .planned
            .iter()
            .filter(|p| t.forced.binary_search(p).is_err())
            .count();
        assert_eq!(unforced, t.reasons.len());
    }
}
