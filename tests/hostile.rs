//! Hostile input: every case of issue 13, generated in a temporary folder at
//! test time. Each test checks the exit code and that the output stays
//! bounded (a few kilobytes), never how long anything took.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn seamless(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_seamless"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited")
}

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

/// A copy of the tutorial system in a fresh temporary folder.
fn tutorial() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sys");
    fs::create_dir(&dir).unwrap();
    for f in ["system.ron", "cruise.ron", "landing.ron"] {
        fs::copy(repo("modes/tutorial").join(f), dir.join(f)).unwrap();
    }
    (tmp, dir)
}

fn validate(dir: &Path) -> Output {
    seamless(&["validate", dir.to_str().unwrap()])
}

/// The cruise mode of the tutorial on one line, with `extra` spliced in
/// after its message list.
fn cruise_with(extra: &str) -> String {
    format!(
        "Mode(name: \"cruise\", programs: [\"flight_control\", \"navigation\", \"display\", \"route_planner\"], messages: [\"attitude\", \"position\", \"route\"], {extra})\n"
    )
}

const LIMIT: usize = 20_000;

fn assert_bounded(o: &Output, code_wanted: i32, needle: &str) {
    let err = text(&o.stderr);
    assert_eq!(code(o), code_wanted, "{}", &err[..err.len().min(4000)]);
    assert!(
        o.stderr.len() + o.stdout.len() < LIMIT,
        "{} bytes of output:\n{}",
        o.stderr.len() + o.stdout.len(),
        &err[..err.len().min(4000)]
    );
    assert!(err.contains(needle), "no `{needle}` in:\n{err}");
}

#[test]
fn ten_thousand_duplicate_pins_on_one_line() {
    let (_t, dir) = tutorial();
    let pins = vec!["Pin(program: \"flight_control\", module: \"m1\", core: 0)"; 10_000].join(", ");
    fs::write(
        dir.join("cruise.ron"),
        cruise_with(&format!("pins: [{pins}]")),
    )
    .unwrap();
    let o = validate(&dir);
    assert_bounded(&o, 2, "more `duplicate-pin` diagnostics not shown");
    let err = text(&o.stderr);
    // the count of every error is still said, and the excerpts are cut
    assert!(err.contains("9999 errors"), "{err}");
    assert!(err.lines().all(|l| l.chars().count() < 260), "{err}");
}

#[test]
fn duplicated_programs_messages_modules_links_and_names() {
    // mode lists: programs and messages
    let (_t, dir) = tutorial();
    let progs = vec!["\"flight_control\""; 5_000].join(", ");
    fs::write(
        dir.join("cruise.ron"),
        format!("Mode(name: \"cruise\", programs: [{progs}], messages: [])\n"),
    )
    .unwrap();
    assert_bounded(&validate(&dir), 2, "more `duplicate-in-mode` diagnostics");
    let msgs = vec!["\"attitude\""; 5_000].join(", ");
    fs::write(
        dir.join("cruise.ron"),
        format!("Mode(name: \"cruise\", programs: [\"flight_control\", \"navigation\", \"display\"], messages: [{msgs}])\n"),
    )
    .unwrap();
    assert_bounded(&validate(&dir), 2, "more `duplicate-in-mode` diagnostics");

    // system lists: modules, links, programs, switch names
    let system = fs::read_to_string(repo("modes/tutorial/system.ron")).unwrap();
    let cases = [
        (
            "Module(name: \"m1\", cores: 2, memory: \"256MiB\"),",
            "more `duplicate-name` diagnostics",
        ),
        (
            "Link(from: \"m1\", to: \"sw\", bandwidth: \"100Mbit/s\", latency: \"5us\"),",
            "more `duplicate-link` diagnostics",
        ),
        (
            "Program(name: \"landing_gear\", memory: \"2MiB\", wcet: \"5ms\", period: \"20ms\"),",
            "more `duplicate-name` diagnostics",
        ),
    ];
    for (line, needle) in cases {
        assert!(system.contains(line), "{line}");
        let many = format!("{line} ").repeat(5_000);
        let (_t, dir) = tutorial();
        fs::write(dir.join("system.ron"), system.replacen(line, &many, 1)).unwrap();
        assert_bounded(&validate(&dir), 2, needle);
    }
    let (_t, dir) = tutorial();
    let sws = vec!["\"sw\""; 5_000].join(", ");
    fs::write(
        dir.join("system.ron"),
        system.replacen("switches: [\"sw\"]", &format!("switches: [{sws}]"), 1),
    )
    .unwrap();
    assert_bounded(&validate(&dir), 2, "more `duplicate-name` diagnostics");
}

#[test]
fn a_16_mib_line_gives_bounded_output() {
    let (_t, dir) = tutorial();
    let mut t = String::from("Mode(name: \"cruise\", programs: [");
    t.push_str(&" ".repeat(16 << 20));
    t.push_str("@])");
    fs::write(dir.join("cruise.ron"), t).unwrap();
    assert_bounded(&validate(&dir), 2, "cruise.ron:1:16777249");
}

#[test]
fn a_million_character_unknown_name() {
    let (_t, dir) = tutorial();
    let name = "q".repeat(1_000_000);
    fs::write(
        dir.join("cruise.ron"),
        format!("Mode(name: \"cruise\", programs: [\"{name}\"])"),
    )
    .unwrap();
    let o = validate(&dir);
    assert_bounded(&o, 2, "undefined-reference");
    // the message naming it is cut, with its length said
    assert!(
        text(&o.stderr).contains("qqq... (10000"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn non_utf8_files_are_located() {
    let (_t, dir) = tutorial();
    fs::write(dir.join("cruise.ron"), b"Mode(\n  name: \"cr\xffuise\")").unwrap();
    assert_bounded(
        &validate(&dir),
        2,
        "cruise.ron`:2:12: not UTF-8 text (byte 0xFF",
    );
}

#[test]
fn a_mode_entry_that_is_a_folder_is_an_error() {
    let (_t, dir) = tutorial();
    fs::create_dir(dir.join("extra.ron")).unwrap();
    assert_bounded(&validate(&dir), 2, "extra.ron` is a folder, not a file");
}

#[test]
fn a_system_ron_that_is_a_folder_is_an_error() {
    let (_t, dir) = tutorial();
    fs::remove_file(dir.join("system.ron")).unwrap();
    fs::create_dir(dir.join("system.ron")).unwrap();
    assert_bounded(&validate(&dir), 2, "system.ron` is a folder, not a file");
}

#[cfg(unix)]
#[test]
fn dangling_and_looping_symlinks_are_errors() {
    let (_t, dir) = tutorial();
    std::os::unix::fs::symlink("nowhere.ron", dir.join("dangling.ron")).unwrap();
    let o = validate(&dir);
    assert_bounded(
        &o,
        2,
        "dangling.ron`: it is a symbolic link that cannot be followed",
    );
    fs::remove_file(dir.join("dangling.ron")).unwrap();
    std::os::unix::fs::symlink("loop.ron", dir.join("loop.ron")).unwrap();
    assert_bounded(
        &validate(&dir),
        2,
        "loop.ron`: it is a symbolic link that cannot be followed",
    );
    // a symlink to a real mode file is fine
    fs::remove_file(dir.join("loop.ron")).unwrap();
    fs::rename(dir.join("landing.ron"), dir.join("landing.txt")).unwrap();
    std::os::unix::fs::symlink("landing.txt", dir.join("landing.ron")).unwrap();
    let o = validate(&dir);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
}

#[test]
fn major_frames_of_2_64_minus_1_and_2_64_ns_read_the_same() {
    let mut messages = Vec::new();
    for v in ["18446744073709551615", "18446744073709551616"] {
        let (_t, dir) = tutorial();
        let sys = fs::read_to_string(dir.join("system.ron"))
            .unwrap()
            .replace("tick: \"1us\"", "tick: \"1ns\"");
        fs::write(dir.join("system.ron"), sys).unwrap();
        let cruise = fs::read_to_string(dir.join("cruise.ron")).unwrap();
        let cruise = cruise.replace("Mode(\n", &format!("Mode(\n    major_frame: \"{v}ns\",\n"));
        fs::write(dir.join("cruise.ron"), cruise).unwrap();
        let o = validate(&dir);
        assert_bounded(&o, 2, "is too long: it must fit in 63 bits of ticks");
        let err = text(&o.stderr).replace(v, "N");
        let err = err.replace(dir.to_str().unwrap(), "DIR");
        messages.push(err);
    }
    assert_eq!(messages[0], messages[1]);
}

#[test]
fn a_plan_without_its_schedules_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("plans");
    let o = seamless(&[
        "plan",
        "modes/tutorial",
        "--from",
        "cruise",
        "--to",
        "landing",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let path = out.join("cruise-to-landing.plan.json");
    let mut plan: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    let obj = plan.as_object_mut().unwrap();
    obj.remove("from_schedule");
    obj.remove("to_schedule");
    let broken = tmp.path().join("broken.plan.json");
    fs::write(&broken, serde_json::to_string_pretty(&plan).unwrap()).unwrap();
    let o = seamless(&["verify", "modes/tutorial", broken.to_str().unwrap()]);
    assert_bounded(&o, 2, "missing field `from_schedule`");
    assert!(text(&o.stderr).contains("lacks `from_schedule` and `to_schedule`"));
}

#[test]
fn stale_temporary_files_are_removed_and_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    fs::create_dir(&out).unwrap();
    // no process ever has this id (Linux caps ids at 2^22)
    let stale = out.join(".cruise.schedule.json.999999999.tmp");
    let keep = [
        out.join("cruise.123.tmp"),
        out.join(".notes.tmp"),
        out.join(".cruise.schedule.json.12x.tmp"),
    ];
    fs::write(&stale, "half written").unwrap();
    for k in &keep {
        fs::write(k, "mine").unwrap();
    }
    let o = seamless(&["schedule", "modes/tutorial", "--out", out.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    if Path::new("/proc/self").exists() {
        assert!(!stale.exists(), "the stale temporary file is still there");
    }
    for k in &keep {
        assert!(k.exists(), "{} was removed", k.display());
    }
    assert!(out.join("cruise.schedule.json").exists());
}

#[test]
fn piping_into_head_ends_quietly() {
    // about 1.5 MB of output, far more than a pipe holds: the reader stops
    // after one line and the writer meets a broken pipe
    let mut child = Command::new(env!("CARGO_BIN_EXE_seamless"))
        .args(["expand", "modes/iss", "--format", "json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    use std::io::Read as _;
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // the read end is dropped here
    let o = child.wait_with_output().unwrap();
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert_eq!(text(&o.stderr), "");
}

#[test]
fn plurals_and_arrows() {
    let o = seamless(&["validate", "modes/tutorial"]);
    let out = text(&o.stdout);
    assert!(out.contains(", 1 switch, 2 links,"), "{out}");
    assert!(!out.contains("(es)") && !out.contains("(s)"), "{out}");
    let o = seamless(&[
        "simulate",
        "modes/tutorial",
        "--from",
        "cruise",
        "--to",
        "landing",
        "--trace",
    ]);
    let out = text(&o.stdout);
    assert_eq!(code(&o), 0, "{out}{}", text(&o.stderr));
    assert!(!out.contains("->"), "{out}");
    assert!(out.contains('→'), "{out}");
}

#[test]
fn one_transmission_and_one_migration_are_singular() {
    // a mode with exactly one message instance crossing the network
    let (tmp, dir) = tutorial();
    fs::write(
        dir.join("solo.ron"),
        r#"Mode(
    name: "solo",
    programs: ["navigation", "route_planner"],
    messages: ["route"],
    pins: [
        Pin(program: "navigation", module: "m1"),
        Pin(program: "route_planner", module: "m2"),
    ],
)
"#,
    )
    .unwrap();
    let out = tmp.path().join("out");
    let (d, o) = (dir.to_str().unwrap(), out.to_str().unwrap());
    let s = seamless(&["schedule", d, "--mode", "solo", "--out", o]);
    assert_eq!(code(&s), 0, "{}", text(&s.stderr));
    let summary = text(&s.stdout) + &text(&s.stderr);
    assert!(summary.contains("2 jobs, 1 transmission,"), "{summary}");
    let file = out.join("solo.schedule.json");
    let v = seamless(&["verify", d, file.to_str().unwrap()]);
    assert_eq!(code(&v), 0, "{}", text(&v.stderr));
    assert!(
        text(&v.stdout).contains("(2 jobs, 1 transmission)"),
        "{}",
        text(&v.stdout)
    );
    // the tutorial's switch migrates one program
    let p = seamless(&["plan", d, "--from", "cruise", "--to", "landing", "--out", o]);
    assert_eq!(code(&p), 0, "{}", text(&p.stderr));
    let plan = out.join("cruise-to-landing.plan.json");
    let v = seamless(&["verify", d, plan.to_str().unwrap()]);
    assert_eq!(code(&v), 0, "{}", text(&v.stderr));
    let line = text(&v.stdout);
    assert!(line.contains("(1 migration, "), "{line}");
    assert!(!line.contains("1 migrations"), "{line}");
}

#[test]
fn tables_dumps_a_compiled_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("tables");
    let o = seamless(&["compile", "modes/tutorial", "--out", out.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let o = seamless(&["tables", out.join("m1.tables").to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let dump = text(&o.stdout);
    assert!(dump.starts_with("module `m1`"), "{dump}");
    assert!(
        dump.contains("mode `cruise`") && dump.contains("mode `landing`"),
        "{dump}"
    );
    assert!(dump.contains("transition cruise → landing"), "{dump}");
    assert!(dump.contains("flight_control #0"), "{dump}");
    // a file that is not a table is bad input
    let junk = tmp.path().join("junk.tables");
    fs::write(&junk, b"not a table at all").unwrap();
    let o = seamless(&["tables", junk.to_str().unwrap()]);
    assert_bounded(&o, 2, "is not a compiled table");
}
