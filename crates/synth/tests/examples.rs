//! Every mode of the example systems schedules, and the independent
//! verifier accepts every schedule. The tutorial's schedules are a snapshot.

use seamless_model::validate::Limits;
use seamless_model::{SourceFile, System};
use seamless_synth::{Options, Synthesis, summarize, synthesize};
use std::path::{Path, PathBuf};

fn folder(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../modes")
        .join(name)
}

/// Reads a system folder: `system.ron` first, then the other `*.ron` files
/// sorted by name. `None` (with a note) if the folder does not exist.
fn load(name: &str) -> Option<System> {
    let dir = folder(name);
    if !dir.is_dir() {
        eprintln!("skipped: {} does not exist yet", dir.display());
        return None;
    }
    let mut files: Vec<SourceFile> = std::fs::read_dir(&dir)
        .expect("readable folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .map(|p| SourceFile {
            name: p.file_name().expect("name").to_string_lossy().into_owned(),
            text: std::fs::read_to_string(&p).expect("readable file"),
        })
        .collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    let sys = files
        .iter()
        .position(|f| f.name == "system.ron")
        .expect("system.ron");
    let s = files.remove(sys);
    files.insert(0, s);
    match seamless_model::load::load(&files, Limits::default()) {
        Ok(s) => Some(s),
        Err(d) => panic!(
            "{name} does not load:\n{}",
            seamless_model::diag::render(&d, &files)
        ),
    }
}

fn check_all(sys: &System) -> Synthesis {
    let syn = synthesize(sys, &Options::default());
    assert_eq!(syn.modes.len(), sys.modes.len());
    for (m, r) in syn.modes.iter().enumerate() {
        match r {
            Ok(s) => {
                let report = seamless_verify::verify_schedule(sys, s);
                assert!(report.is_valid(), "mode {}: {report}", sys.modes[m].name);
                assert_eq!(s.mode, sys.modes[m].name);
                let sum = summarize(sys, s);
                assert!(sum.min_job_slack.as_ref().is_some_and(|j| j.slack >= 0));
                if let Some(ms) = &sum.min_message_slack {
                    assert!(ms.slack >= 0);
                }
            }
            Err(e) => panic!(
                "mode {} not scheduled:\n{}",
                sys.modes[m].name,
                e.explain(sys)
            ),
        }
    }
    syn
}

#[test]
fn tutorial_schedules_and_verifies() {
    let Some(sys) = load("tutorial") else { return };
    let syn = check_all(&sys);
    // navigation is pinned to m1 in cruise and to m2 in landing: it must
    // move; nothing else has to
    for mv in &syn.moves {
        let names: Vec<&str> = mv
            .programs
            .iter()
            .map(|&p| sys.programs[p].name.as_str())
            .collect();
        assert_eq!(names, vec!["navigation"], "{mv:?}");
    }
    let schedules: Vec<_> = syn
        .modes
        .iter()
        .map(|r| r.as_ref().expect("scheduled"))
        .collect();
    insta::assert_ron_snapshot!("tutorial", schedules);
}

#[test]
fn iss_schedules_and_verifies() {
    let Some(sys) = load("iss") else { return };
    let syn = check_all(&sys);
    for mv in &syn.moves {
        let names: Vec<&str> = mv
            .programs
            .iter()
            .map(|&p| sys.programs[p].name.as_str())
            .collect();
        eprintln!(
            "{} -> {}: {names:?}",
            sys.modes[mv.from].name, sys.modes[mv.to].name
        );
    }
    // every move is a program shared by the two modes of an allowed transition
    for mv in &syn.moves {
        assert!(sys.transitions.contains(&(mv.from, mv.to)));
        for &p in &mv.programs {
            assert!(sys.modes[mv.from].has_program(p) && sys.modes[mv.to].has_program(p));
        }
    }
}

#[test]
fn example_synthesis_is_deterministic() {
    for name in ["tutorial", "iss"] {
        let Some(sys) = load(name) else { continue };
        let a = synthesize(&sys, &Options::default());
        let b = synthesize(&sys, &Options::default());
        for (x, y) in a.modes.iter().zip(&b.modes) {
            assert_eq!(x.as_ref().ok(), y.as_ref().ok());
        }
        assert_eq!(a.moves, b.moves);
    }
}
