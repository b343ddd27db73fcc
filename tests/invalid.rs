//! The invalid example systems under `modes/invalid/`: each folder is a small
//! system with one class of error (or, `many-errors`, several). For every
//! folder, found by listing the directory, `seamless validate` must exit with
//! code 2 and render every expected diagnostic: its code, and a `-->` pointing
//! at the right file and line. The full stderr is snapshotted.
//!
//! The expected line of a diagnostic is the line of its file that carries the
//! marker comment `// <- error[code]`. The table below says which diagnostics
//! each folder must produce; a folder that is not in the table is still
//! checked, against its markers alone.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Folder → the diagnostics it must produce, as (code, file). Each must be
/// marked on its line with `// <- error[code]`.
const EXPECTED: &[(&str, &[(&str, &str)])] = &[
    ("bandwidth-overflow", &[("quantity-overflow", "system.ron")]),
    (
        "dirty-above-working-set",
        &[
            ("dirty-above-working-set", "system.ron"),
            ("dirty-above-working-set", "system.ron"),
        ],
    ),
    ("disconnected", &[("disconnected", "system.ron")]),
    ("duplicate-message", &[("duplicate-name", "system.ron")]),
    ("duplicate-mode", &[("duplicate-name", "second-normal.ron")]),
    ("duplicate-module", &[("duplicate-name", "system.ron")]),
    ("duplicate-program", &[("duplicate-name", "system.ron")]),
    ("duplicate-switch", &[("duplicate-name", "system.ron")]),
    ("duration-negative", &[("negative-quantity", "system.ron")]),
    ("duration-no-unit", &[("missing-unit", "system.ron")]),
    (
        "duration-not-whole-ticks",
        &[("not-whole-ticks", "system.ron")],
    ),
    ("duration-unknown-unit", &[("unknown-unit", "system.ron")]),
    ("duration-zero-wcet", &[("zero-quantity", "system.ron")]),
    ("empty-mode", &[("empty-mode", "safe.ron")]),
    (
        "frequency-not-whole-ticks",
        &[("not-whole-ticks", "system.ron")],
    ),
    ("lcm-overflow", &[("lcm-overflow", "safe.ron")]),
    (
        "major-frame-not-multiple",
        &[("major-frame-not-multiple", "normal.ron")],
    ),
    ("malformed-ron", &[("malformed-ron", "system.ron")]),
    ("malformed-ron-in-mode", &[("malformed-ron", "normal.ron")]),
    (
        "many-errors",
        &[
            ("zero-cores", "system.ron"),
            ("unknown-unit", "system.ron"),
            ("undefined-reference", "system.ron"),
            ("undefined-reference", "normal.ron"),
            ("undefined-reference", "normal.ron"),
            ("zero-quantity", "safe.ron"),
        ],
    ),
    ("message-to-sender", &[("message-to-sender", "system.ron")]),
    (
        "message-without-receiver",
        &[("message-endpoint-missing", "safe.ron")],
    ),
    (
        "message-without-sender",
        &[("message-endpoint-missing", "safe.ron")],
    ),
    ("missing-field", &[("missing-field", "system.ron")]),
    ("no-timing", &[("no-timing", "system.ron")]),
    (
        "period-and-frequency",
        &[("period-and-frequency", "system.ron")],
    ),
    (
        "precedence-period-mismatch",
        &[("precedence-period-mismatch", "system.ron")],
    ),
    ("program-too-large", &[("program-too-large", "system.ron")]),
    ("self-link", &[("self-link", "system.ron")]),
    ("size-overflow", &[("quantity-overflow", "system.ron")]),
    ("too-many-jobs", &[("too-many-jobs", "safe.ron")]),
    ("transition-same-mode", &[("self-transition", "system.ron")]),
    (
        "transition-unknown-mode",
        &[("undefined-reference", "system.ron")],
    ),
    (
        "unavailability-below-period",
        &[("unavailability-below-period", "system.ron")],
    ),
    (
        "undefined-allowed-module",
        &[("undefined-reference", "system.ron")],
    ),
    (
        "undefined-link-node",
        &[("undefined-reference", "system.ron")],
    ),
    (
        "undefined-message-program",
        &[("undefined-reference", "system.ron")],
    ),
    (
        "undefined-mode-message",
        &[("undefined-reference", "normal.ron")],
    ),
    (
        "undefined-mode-program",
        &[
            ("undefined-reference", "normal.ron"),
            // follows from the first: the receiver of `status` is not in the mode
            ("message-endpoint-missing", "normal.ron"),
        ],
    ),
    (
        "undefined-override-program",
        &[("undefined-reference", "safe.ron")],
    ),
    (
        "undefined-pin-module",
        &[("undefined-reference", "normal.ron")],
    ),
    (
        "undefined-pin-program",
        &[("undefined-reference", "normal.ron")],
    ),
    (
        "undefined-transition-mode",
        &[("undefined-reference", "system.ron")],
    ),
    ("unknown-field", &[("unknown-field", "system.ron")]),
    (
        "wcet-exceeds-window",
        &[("wcet-exceeds-window", "system.ron")],
    ),
    (
        "window-outside-frame",
        &[("window-outside-frame", "system.ron")],
    ),
    (
        "window-outside-period",
        &[("window-outside-period", "system.ron")],
    ),
    (
        "working-set-above-memory",
        &[("working-set-above-memory", "system.ron")],
    ),
    ("wrong-struct-name", &[("wrong-struct-name", "system.ron")]),
    ("zero-cores", &[("zero-cores", "system.ron")]),
    ("zero-memory", &[("zero-memory", "system.ron")]),
];

/// The repository root: the binary runs there, so paths in its output are
/// relative and stable.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn validate(folder: &str) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_seamless"))
        .current_dir(root())
        .args(["validate", folder])
        .output()
        .expect("the seamless binary runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// The case folders under `modes/invalid/`, sorted.
fn cases() -> Vec<String> {
    let dir = root().join("modes/invalid");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().into_string().expect("UTF-8 folder name"))
        .collect();
    names.sort();
    names
}

/// A diagnostic location as a set element: (code, file name, line).
type Loc = (String, String, usize);

/// Every `// <- error[code]` marker of a case folder.
fn markers(case: &str) -> BTreeSet<Loc> {
    let dir = root().join("modes/invalid").join(case);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("case folder lists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    files.sort();
    let mut out = BTreeSet::new();
    for path in files {
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(&path).expect("case file reads");
        for (i, line) in text.lines().enumerate() {
            let Some(pos) = line.find("// <- ") else {
                continue;
            };
            let mut rest = &line[pos..];
            while let Some(start) = rest.find("error[") {
                let after = &rest[start + "error[".len()..];
                let end = after.find(']').expect("marker `error[code]` is closed");
                out.insert((after[..end].to_string(), name.clone(), i + 1));
                rest = &after[end..];
            }
        }
    }
    out
}

/// One rendered diagnostic: its code and the `file:line:col` of its first
/// (primary) `-->` line.
#[derive(Debug)]
struct Rendered {
    code: String,
    file: String,
    line: usize,
    col: usize,
}

/// A diagnostic being read: its code and, once seen, its first location.
type Pending = (String, Option<(String, usize, usize)>);

/// Splits rendered stderr into diagnostics, checking that each has a
/// `--> file:line:col` line. Returns them and the error count of the summary.
fn parse_stderr(stderr: &str) -> (Vec<Rendered>, usize) {
    let mut out = Vec::new();
    let mut summary = None;
    let mut current: Option<Pending> = None;
    let finish = |cur: Option<Pending>, out: &mut Vec<Rendered>| {
        if let Some((code, at)) = cur {
            let (file, line, col) =
                at.unwrap_or_else(|| panic!("diagnostic [{code}] has no `--> file:line:col`"));
            out.push(Rendered {
                code,
                file,
                line,
                col,
            });
        }
    };
    for line in stderr.lines() {
        if let Some(rest) = line.strip_prefix("error[") {
            finish(current.take(), &mut out);
            let end = rest.find("]: ").expect("`error[code]: message`");
            assert!(!rest[end + 3..].trim().is_empty(), "empty message: {line}");
            current = Some((rest[..end].to_string(), None));
        } else if let Some(rest) = line.strip_prefix("error: ") {
            finish(current.take(), &mut out);
            // error: `modes/invalid/x` is not a valid system: N error(s)
            let n = rest
                .rsplit(": ")
                .next()
                .and_then(|t| t.split(' ').next())
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or_else(|| panic!("unexpected summary line: {line}"));
            summary = Some(n);
        } else if let Some(at) = line.trim_start().strip_prefix("--> ") {
            let cur = current.as_mut().expect("`-->` inside a diagnostic");
            if cur.1.is_none() {
                let mut parts = at.rsplitn(3, ':');
                let col = parts.next().and_then(|c| c.parse().ok());
                let ln = parts.next().and_then(|l| l.parse().ok());
                let file = parts.next();
                match (file, ln, col) {
                    (Some(f), Some(l), Some(c)) => cur.1 = Some((f.to_string(), l, c)),
                    _ => panic!("`-->` without line:col: {line}"),
                }
            }
        }
    }
    finish(current.take(), &mut out);
    (
        out,
        summary.expect("stderr ends with the `error: ... is not a valid system` summary"),
    )
}

fn check_case(case: &str) -> Result<(), String> {
    let folder = format!("modes/invalid/{case}");
    let marked = markers(case);
    if marked.is_empty() {
        return Err(format!("{case}: no `// <- error[code]` marker in any file"));
    }
    if let Some((_, table)) = EXPECTED.iter().find(|(c, _)| *c == case) {
        let from_table: BTreeSet<(String, String)> = table
            .iter()
            .map(|(c, f)| (c.to_string(), f.to_string()))
            .collect();
        let from_markers: BTreeSet<(String, String)> = marked
            .iter()
            .map(|(c, f, _)| (c.clone(), f.clone()))
            .collect();
        if from_table != from_markers || table.len() != marked.len() {
            return Err(format!(
                "{case}: the table says {table:?} but the markers are {marked:?}"
            ));
        }
    }
    let run = validate(&folder);
    if run.code != Some(2) {
        return Err(format!(
            "{case}: exit code {:?}, expected 2\nstderr:\n{}",
            run.code, run.stderr
        ));
    }
    if !run.stdout.is_empty() {
        return Err(format!("{case}: unexpected stdout:\n{}", run.stdout));
    }
    for bad in ["panicked", "RUST_BACKTRACE", "stack backtrace"] {
        if run.stderr.contains(bad) {
            return Err(format!("{case}: stderr contains `{bad}`:\n{}", run.stderr));
        }
    }
    let (rendered, summary) = parse_stderr(&run.stderr);
    if rendered.len() != summary {
        return Err(format!(
            "{case}: {} diagnostics rendered, the summary says {summary}",
            rendered.len()
        ));
    }
    let mut found: BTreeSet<Loc> = BTreeSet::new();
    for r in &rendered {
        let Some(name) = r.file.strip_prefix(&format!("{folder}/")) else {
            return Err(format!(
                "{case}: [{}] points into {}, outside the case folder",
                r.code, r.file
            ));
        };
        if r.line == 0 || r.col == 0 {
            return Err(format!(
                "{case}: [{}] at line {} col {}",
                r.code, r.line, r.col
            ));
        }
        found.insert((r.code.clone(), name.to_string(), r.line));
    }
    if found != marked {
        return Err(format!(
            "{case}: diagnostics at (code, file, line)\n  {found:?}\nbut the markers say\n  {marked:?}\nstderr:\n{}",
            run.stderr
        ));
    }
    insta::assert_snapshot!(case, run.stderr);
    Ok(())
}

#[test]
fn every_invalid_system_is_rejected_with_its_diagnostics() {
    let cases = cases();
    assert!(
        cases.len() >= EXPECTED.len(),
        "modes/invalid/ holds {} cases",
        cases.len()
    );
    let mut failures = Vec::new();
    for (name, _) in EXPECTED {
        if !cases.iter().any(|c| c == name) {
            failures.push(format!(
                "{name}: in the table but there is no modes/invalid/{name}/"
            ));
        }
    }
    for case in &cases {
        if let Err(e) = check_case(case) {
            failures.push(e);
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing case(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn many_errors_reports_every_error_in_every_file() {
    let run = validate("modes/invalid/many-errors");
    assert_eq!(run.code, Some(2));
    let (rendered, summary) = parse_stderr(&run.stderr);
    assert!(
        summary >= 6,
        "only {summary} errors reported:\n{}",
        run.stderr
    );
    let files: BTreeSet<&str> = rendered
        .iter()
        .map(|r| r.file.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(
        files,
        BTreeSet::from(["normal.ron", "safe.ron", "system.ron"])
    );
    // in file order: system.ron first, then the modes by name
    let order: Vec<&str> = rendered
        .iter()
        .map(|r| r.file.rsplit('/').next().unwrap())
        .collect();
    let mut sorted = order.clone();
    sorted.sort_by_key(|f| (*f != "system.ron", *f));
    assert_eq!(order, sorted);
}

#[test]
fn the_example_systems_are_valid() {
    for folder in ["modes/tutorial", "modes/iss"] {
        let run = validate(folder);
        assert_eq!(run.code, Some(0), "{folder}: stderr:\n{}", run.stderr);
        assert!(run.stderr.is_empty(), "{folder}: stderr:\n{}", run.stderr);
        assert!(
            run.stdout.contains("mode `"),
            "{folder}: stdout:\n{}",
            run.stdout
        );
    }
}

#[test]
fn a_missing_folder_is_an_input_error() {
    let run = validate("modes/invalid/no-such-case");
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    assert!(
        run.stderr.contains("modes/invalid/no-such-case"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}
