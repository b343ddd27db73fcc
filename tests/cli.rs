//! End-to-end tests of the `seamless` binary: exit codes, files written,
//! and the main flows of the README.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

#[test]
fn validate_iss_prints_six_modes() {
    let o = seamless(&["validate", "modes/iss"]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let out = text(&o.stdout);
    for m in [
        "standard",
        "microgravity",
        "rendezvous_docking",
        "spacewalk",
        "survival",
        "evacuation",
    ] {
        assert!(
            out.contains(&format!("mode `{m}`")),
            "missing mode {m} in:\n{out}"
        );
    }
    assert!(out.contains("processor demand"));
}

#[test]
fn command_line_errors_exit_2() {
    assert_eq!(code(&seamless(&["validate"])), 2);
    assert_eq!(code(&seamless(&["frobnicate"])), 2);
    assert_eq!(code(&seamless(&["validate", "modes/does-not-exist"])), 2);
    let o = seamless(&["expand", "modes/tutorial", "--mode", "nope"]);
    assert_eq!(code(&o), 2);
    assert!(text(&o.stderr).contains("cruise, landing"));
    assert_eq!(code(&seamless(&["--version"])), 0);
}

#[test]
fn expand_json_has_every_job() {
    let o = seamless(&["expand", "modes/tutorial", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let modes = doc["modes"].as_array().expect("modes");
    assert_eq!(modes.len(), 2);
    // cruise: lcm 40 ms; flight_control every 20 ms → 2 jobs, three programs every 40 ms → 1 each
    assert_eq!(modes[0]["mode"], "cruise");
    assert_eq!(modes[0]["major_frame"], 40_000);
    assert_eq!(modes[0]["jobs"].as_array().unwrap().len(), 5);
    let ron = seamless(&[
        "expand",
        "modes/tutorial",
        "--mode",
        "landing",
        "--format",
        "ron",
    ]);
    assert_eq!(code(&ron), 0);
    assert!(text(&ron.stdout).contains("landing_gear"));
}

#[test]
fn generate_is_deterministic_and_valid() {
    let dir = tempfile::tempdir().unwrap();
    // the system is named after its folder: same folder name, two parents
    let a = dir.path().join("x").join("sys");
    let b = dir.path().join("y").join("sys");
    for d in [&a, &b] {
        let o = seamless(&[
            "generate",
            "--programs",
            "30",
            "--modules",
            "5",
            "--seed",
            "7",
            "--out",
            d.to_str().unwrap(),
        ]);
        assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    }
    for f in ["system.ron", "mode0.ron", "mode1.ron"] {
        let (x, y) = (
            std::fs::read_to_string(a.join(f)).unwrap(),
            std::fs::read_to_string(b.join(f)).unwrap(),
        );
        assert!(x == y, "{f} differs between two runs with the same seed");
    }
    let o = seamless(&["validate", a.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    v.sort();
    v
}

#[test]
fn schedule_then_verify_the_iss() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = seamless(&[
        "schedule",
        "modes/iss",
        "--out",
        out.to_str().unwrap(),
        "--svg",
    ]);
    assert_eq!(code(&o), 0, "{}\n{}", text(&o.stdout), text(&o.stderr));
    let files = json_files(&out);
    assert_eq!(files.len(), 6, "{files:?}");
    for f in &files {
        let svg = f.with_file_name(
            f.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .replace(".schedule.json", ".svg"),
        );
        assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg"));
    }
    let mut args = vec!["verify", "modes/iss"];
    let names: Vec<String> = files
        .iter()
        .map(|f| f.to_str().unwrap().to_string())
        .collect();
    args.extend(names.iter().map(String::as_str));
    let o = seamless(&args);
    assert_eq!(code(&o), 0, "{}", text(&o.stdout));

    // A hand-broken copy: move one job of the standard mode by one tick.
    let std_file = out.join("standard.schedule.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&std_file).unwrap()).unwrap();
    let job = &mut doc["jobs"][0];
    let end = job["end"].as_u64().unwrap();
    job["end"] = serde_json::json!(end + 1);
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, serde_json::to_string(&doc).unwrap()).unwrap();
    let o = seamless(&["verify", "modes/iss", broken.to_str().unwrap()]);
    assert_eq!(code(&o), 1, "{}", text(&o.stdout));
    assert!(text(&o.stdout).contains("INVALID"), "{}", text(&o.stdout));

    // Not a schedule at all: an input error.
    let junk = dir.path().join("junk.json");
    std::fs::write(&junk, "{\"hello\": 1}").unwrap();
    assert_eq!(
        code(&seamless(&["verify", "modes/iss", junk.to_str().unwrap()])),
        2
    );
}

#[test]
fn schedule_one_mode_to_stdout() {
    let o = seamless(&["schedule", "modes/tutorial", "--mode", "cruise"]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("a schedule on stdout");
    assert_eq!(doc["mode"], "cruise");
    assert_eq!(doc["jobs"].as_array().unwrap().len(), 5);
    assert!(text(&o.stderr).contains("verified"));
    // Several modes and no --out: one document holding them all.
    let o = seamless(&["schedule", "modes/tutorial"]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one document");
    assert_eq!(doc["schedules"].as_array().unwrap().len(), 2);
}

#[test]
fn validate_reports_failing_necessary_conditions_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("system.ron"),
        r#"System(name: "over", modules: [Module(name: "m", cores: 1, memory: "64MiB")],
           programs: [
             Program(name: "a", memory: "1MiB", wcet: "15ms", period: "20ms"),
             Program(name: "b", memory: "1MiB", wcet: "15ms", period: "20ms"),
           ])"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("only.ron"),
        r#"Mode(name: "only", programs: ["a", "b"])"#,
    )
    .unwrap();
    let o = seamless(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(code(&o), 1, "{}{}", text(&o.stdout), text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("necessary conditions that fail"), "{out}");
    assert!(out.contains('a') && out.contains('b'));
    // scheduling it is a finding too, with the same explanation
    let o = seamless(&["schedule", dir.path().to_str().unwrap(), "--mode", "only"]);
    assert_eq!(code(&o), 1);
    assert!(
        text(&o.stderr).contains("no schedule"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn migrate_what_if_prints_every_scheme() {
    let o = seamless(&[
        "migrate",
        "--memory",
        "64MiB",
        "--dirty-rate",
        "8MiB/s",
        "--bandwidth",
        "1Gbit/s",
        "--working-set",
        "16MiB",
    ]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let out = text(&o.stdout);
    for s in [
        "stop-and-copy",
        "pre-copy",
        "post-copy",
        "hybrid",
        "scatter-gather",
        "closed form",
    ] {
        assert!(out.contains(s), "missing {s}:\n{out}");
    }
    // a bad quantity is an input error naming the flag
    let o = seamless(&[
        "migrate",
        "--memory",
        "64",
        "--dirty-rate",
        "8MiB/s",
        "--bandwidth",
        "1Gbit/s",
    ]);
    assert_eq!(code(&o), 2);
    assert!(text(&o.stderr).contains("--memory"), "{}", text(&o.stderr));
}

#[test]
fn migrate_hypervisor_knobs_and_json() {
    // an idle QEMU-like guest at 64 MiB/s, downtime limit 300 ms: the
    // first pass's leftover (about 16.6 MiB) rides into the stop-and-copy
    let idle = [
        "migrate",
        "--memory",
        "268967936B",
        "--zero",
        "17088512B",
        "--working-set",
        "16MiB",
        "--dirty-rate",
        "0B/s",
        "--bandwidth",
        "64MiB/s",
        "--final-bandwidth",
        "1GiB/s",
        "--downtime-limit",
        "300ms",
        "--rate-window",
        "100ms",
        "--max-rounds",
        "1000",
        "--cpu-state",
        "0B",
        "--format",
        "json",
    ];
    let o = seamless(&idle);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    assert_eq!(v["tick"], "1us");
    let schemes = v["schemes"].as_array().unwrap();
    assert_eq!(schemes.len(), 5);
    let pre = schemes.iter().find(|s| s["scheme"] == "pre-copy").unwrap();
    for k in [
        "total_time",
        "downtime",
        "eviction_time",
        "bytes",
        "final_bytes",
        "rounds",
        "degradation",
    ] {
        assert!(pre[k].is_u64(), "{k}: {pre}");
    }
    assert_eq!(pre["rounds"], 1);
    let fin = pre["final_bytes"].as_u64().unwrap();
    assert!((16 << 20..18 << 20).contains(&fin), "{pre}");
    // QEMU measured 3.55–3.57 s in total
    let total = pre["total_time"].as_u64().unwrap();
    assert!((3_400_000..3_700_000).contains(&total), "{pre}");
    // --first-touch: the leftover's ~4 250 never-sent pages cost 9 us each
    let mut touched = idle.to_vec();
    touched.extend(["--first-touch", "9us"]);
    let o = seamless(&touched);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let w: serde_json::Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    let pre2 = w["schemes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["scheme"] == "pre-copy")
        .unwrap();
    let extra = pre2["downtime"].as_u64().unwrap() - pre["downtime"].as_u64().unwrap();
    assert_eq!(extra % 9, 0, "{pre2}");
    assert!((4000 * 9..4400 * 9).contains(&extra), "{pre2}");
    assert_eq!(pre2["bytes"], pre["bytes"]);
    // a writing guest, phase unknown: the pre-copy entry lists the outcome
    // at each of the 16 writer phases, and its figures are their means
    let mut writing = idle.to_vec();
    writing[6] = "64MiB";
    writing[8] = "40MiB/s";
    let pre_of = |args: &[&str]| {
        let o = seamless(args);
        assert_eq!(code(&o), 0, "{}", text(&o.stderr));
        let v: serde_json::Value = serde_json::from_str(&text(&o.stdout)).unwrap();
        v["schemes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["scheme"] == "pre-copy")
            .unwrap()
            .clone()
    };
    let spread = pre_of(&writing);
    let phases = spread["phases"].as_array().unwrap();
    assert_eq!(phases.len(), 16, "{spread}");
    let sum = |k: &str| phases.iter().map(|p| p[k].as_u64().unwrap()).sum::<u64>();
    assert_eq!((sum("bytes") + 8) / 16, spread["bytes"].as_u64().unwrap());
    let t = spread["total_time"].as_u64().unwrap();
    assert!(sum("total_time").abs_diff(16 * t) <= 16, "{spread}");
    let leads: Vec<u64> = phases
        .iter()
        .map(|p| p["writer_lead"].as_u64().unwrap())
        .collect();
    assert!(leads.windows(2).all(|w| w[0] < w[1]), "{leads:?}");
    assert!(
        phases.iter().any(|p| p["rounds"] != phases[0]["rounds"]),
        "{spread}"
    );
    // a known phase: one entry, the row itself
    let mut known = writing.clone();
    known.extend(["--writer-phase", "0s"]);
    let one = pre_of(&known);
    let p = one["phases"].as_array().unwrap();
    assert_eq!(p.len(), 1, "{one}");
    assert_eq!(
        (p[0]["total_time"].clone(), p[0]["bytes"].clone()),
        (one["total_time"].clone(), one["bytes"].clone())
    );
    // the knobs are explained in --help
    let o = seamless(&["migrate", "--help"]);
    let help = text(&o.stdout);
    for k in [
        "--downtime-limit",
        "--rate-window",
        "--zero",
        "--first-touch",
        "--stop-cost",
        "--writer-phase",
        "degradation",
        "final_bytes",
        "eviction_time",
    ] {
        assert!(help.contains(k), "{k} missing from --help");
    }
    // --writer-phase: the hovering point of the calibration set (a writer
    // at 90 % of 128 MiB/s over 64 MiB, DL 300 ms) depends on where the
    // writer is; by default the answer is the expectation over 16 phases,
    // between the outcomes of single phases, and the text shows their range
    let hover = |phase: Option<&str>, json: bool| {
        let mut args = vec![
            "migrate",
            "--memory",
            "268967936B",
            "--zero",
            "17088512B",
            "--working-set",
            "64MiB",
            "--dirty-rate",
            "120795136B/s",
            "--bandwidth",
            "128MiB/s",
            "--final-bandwidth",
            "1GiB/s",
            "--downtime-limit",
            "300ms",
            "--rate-window",
            "100ms",
            "--max-rounds",
            "1000",
        ];
        if let Some(p) = phase {
            args.extend(["--writer-phase", p]);
        }
        if json {
            args.extend(["--format", "json"]);
        }
        let o = seamless(&args);
        assert_eq!(code(&o), 0, "{}", text(&o.stderr));
        text(&o.stdout)
    };
    let pre_total = |out: &str| {
        let v: serde_json::Value = serde_json::from_str(out).unwrap();
        let s = v["schemes"].as_array().unwrap();
        let p = s.iter().find(|s| s["scheme"] == "pre-copy").unwrap();
        (
            p["total_time"].as_u64().unwrap(),
            p["rounds"].as_u64().unwrap(),
        )
    };
    let spread = pre_total(&hover(None, true));
    assert_eq!(spread, pre_total(&hover(Some("spread"), true)));
    // 1.5 s in: the long hover (17 rounds, 4.24 s); 1.6 s: 5 rounds
    let long = pre_total(&hover(Some("1.5s"), true));
    let short = pre_total(&hover(Some("1600ms"), true));
    assert_eq!((long.1, short.1), (17, 5));
    assert!(
        short.0 < spread.0 && spread.0 < long.0,
        "{short:?} {spread:?} {long:?}"
    );
    let t = hover(None, false);
    assert!(t.contains("16 phases") && t.contains("rounds 3–17"), "{t}");
    let t = hover(Some("1.5s"), false);
    assert!(!t.contains("16 phases"), "{t}");
    // a bad knob is an input error naming it
    for (flag, value) in [("--writer-phase", "sometimes"), ("--rate-window", "soon")] {
        let o = seamless(&[
            "migrate",
            "--memory",
            "1MiB",
            "--dirty-rate",
            "1MiB/s",
            "--bandwidth",
            "1Gbit/s",
            flag,
            value,
        ]);
        assert_eq!(code(&o), 2);
        assert!(text(&o.stderr).contains(flag), "{}", text(&o.stderr));
    }
}

#[test]
fn migrate_calibrate_prints_the_error_table() {
    // a few runs of the calibration set (the whole set's fit takes too
    // long in a debug build; tests/calibration.rs covers it)
    let all = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/crates/migrate/tests/data/qemu-precopy.csv"
    ))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("runs.csv");
    let head: Vec<&str> = all.lines().take(7).collect();
    std::fs::write(&csv, head.join("\n")).unwrap();
    let o = seamless(&["migrate", "--calibrate", csv.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let out = text(&o.stdout);
    for k in [
        "6 runs",
        "fixed settings",
        "fitted",
        "downtime ok",
        "in range",
        "writer phase unknown",
        "bandwidth 32 MiB/s",
        // the six runs are all at 32 MiB/s
        "held out: one bandwidth only",
    ] {
        assert!(out.contains(k), "{k} missing:\n{out}");
    }
    let o = seamless(&["migrate", "--calibrate", "no/such/file.csv"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn plan_the_tutorial_switch_and_verify_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plans");
    let o = seamless(&[
        "plan",
        "modes/tutorial",
        "--from",
        "cruise",
        "--to",
        "landing",
        "--out",
        out.to_str().unwrap(),
        "--svg",
    ]);
    assert_eq!(code(&o), 0, "{}{}", text(&o.stdout), text(&o.stderr));
    let stdout = text(&o.stdout);
    // navigation moves from m1 to m2: a migration with a scheme and its bound
    assert!(
        stdout.contains("navigation") && stdout.contains("migrate"),
        "{stdout}"
    );
    assert!(stdout.contains("totals:"), "{stdout}");
    let plan = out.join("cruise-to-landing.plan.json");
    assert!(out.join("cruise-to-landing.svg").exists());
    let o = seamless(&["verify", "modes/tutorial", plan.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", text(&o.stdout));
    // a switch that is not allowed is an input error
    let o = seamless(&[
        "plan",
        "modes/tutorial",
        "--from",
        "cruise",
        "--to",
        "cruise",
    ]);
    assert_eq!(code(&o), 2);
}

/// `--format json` without `--out`: the plan document on stdout, with the
/// worst case when asked; the verifier reads it back.
#[test]
fn plan_document_on_stdout_with_worst_case() {
    let o = seamless(&[
        "plan",
        "modes/tutorial",
        "--from",
        "landing",
        "--to",
        "cruise",
        "--worst-case",
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let doc: serde_json::Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    let wc = &doc["worst_case"];
    assert!(
        wc["transition_latency"]["value"].as_u64().unwrap() >= 736_397,
        "{wc}"
    );
    assert!(wc["transition_latency"]["request"].as_u64().is_some());
    let names: Vec<&str> = wc["unavailability"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["program"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["display", "flight_control", "navigation"]);
    assert!(text(&o.stderr).contains("totals:"));
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("p.plan.json");
    std::fs::write(&f, text(&o.stdout)).unwrap();
    let v = seamless(&["verify", "modes/tutorial", f.to_str().unwrap()]);
    assert_eq!(code(&v), 0, "{}", text(&v.stdout));
}

#[test]
fn plan_worst_case_over_request_instants() {
    let o = seamless(&[
        "plan",
        "modes/tutorial",
        "--from",
        "landing",
        "--to",
        "cruise",
        "--worst-case",
    ]);
    assert_eq!(code(&o), 0, "{}{}", text(&o.stdout), text(&o.stderr));
    assert!(
        text(&o.stdout).contains("worst case"),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn check_the_tutorial() {
    let o = seamless(&["check", "modes/tutorial"]);
    assert_eq!(code(&o), 0, "{}{}", text(&o.stdout), text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.contains("ok: 2 of 2 schedules and 2 of 2 transition plans built and verified"),
        "{out}"
    );
}

#[test]
fn compile_writes_tables_the_runtime_reads() {
    let dir = tempfile::tempdir().unwrap();
    let o = seamless(&[
        "compile",
        "modes/iss",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    let stdout = text(&o.stdout);
    assert!(
        code(&o) == 0 || code(&o) == 1,
        "{stdout}{}",
        text(&o.stderr)
    );
    // every computing module gets its tables, which the runtime's reader accepts
    for m in [
        "lab_a",
        "lab_b",
        "tranquility",
        "harmony",
        "quest",
        "kibo",
        "columbus",
    ] {
        let bytes = std::fs::read(dir.path().join(format!("{m}.tables"))).unwrap();
        let t = seamless_tables::Tables::parse(&bytes).expect("valid tables");
        assert_eq!(t.mode_count(), 6, "{m}");
    }
    // a switch without a plan is said, and only then is the exit code 1
    assert_eq!(code(&o) == 1, stdout.contains("not compiled"), "{stdout}");
}

#[test]
fn export_arinc653_and_xtratum_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("air");
    let x = dir.path().join("iss.xm.xml");
    let args = |extra: &[&str]| {
        let mut v = vec![
            "export",
            "modes/iss",
            "--arinc653",
            a.to_str().unwrap(),
            "--xtratum",
            x.to_str().unwrap(),
        ];
        v.extend_from_slice(extra);
        seamless(&v)
    };
    // at the model's 1 us the windows need 1,000,000 ticks per second: refused, with the remedy
    let o = args(&[]);
    assert_eq!(code(&o), 1, "{}{}", text(&o.stdout), text(&o.stderr));
    assert!(
        text(&o.stdout).contains("--ticks-per-second 1000"),
        "{}",
        text(&o.stdout)
    );
    assert!(!a.exists(), "nothing AIR would misread is written");
    // on AIR's millisecond clock, re-verified: one loadable file per module
    let o = args(&["--ticks-per-second", "1000"]);
    assert_eq!(code(&o), 0, "{}{}", text(&o.stdout), text(&o.stderr));
    let xm = std::fs::read_to_string(&x).unwrap();
    assert!(xm.contains("CyclicPlanTable") && xm.contains("majorFrame="));
    let from_xm = seamless_export::read_xtratum(&xm).expect("readable XtratuM");
    let mut from_arinc = Vec::new();
    for m in [
        "lab_a",
        "lab_b",
        "tranquility",
        "harmony",
        "quest",
        "kibo",
        "columbus",
    ] {
        let doc = std::fs::read_to_string(a.join(format!("{m}.xml"))).unwrap();
        let problems = seamless_export::air::check_air_module(&doc);
        assert!(problems.is_empty(), "{m}: {problems:#?}");
        from_arinc.extend(seamless_export::read_arinc653_with_tick(&doc, 1000).unwrap());
    }
    from_arinc.sort();
    // the same windows in both exports, every one on its core
    assert_eq!(from_arinc, from_xm);
    assert!(from_arinc.len() > 4000, "{}", from_arinc.len());
    assert_eq!(code(&seamless(&["export", "modes/iss"])), 2);
    // a clock that is not whole model ticks is an input error
    assert_eq!(code(&args(&["--ticks-per-second", "3"])), 2);
}

/// The output rule, command by command: with no `--out`, what a command
/// has to give goes to stdout in the asked `--format`; `--svg` needs
/// `--out` everywhere, and charts are written only with it.
#[test]
fn output_rule_for_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let d = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let json = |o: &Output| -> serde_json::Value {
        serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}{}", text(&o.stdout), text(&o.stderr)))
    };
    let ron_doc = |o: &Output| {
        let t = text(&o.stdout);
        assert!(t.trim_start().starts_with('('), "not RON:\n{t}");
    };
    type Check = Box<dyn Fn(&Output)>;
    let out_a = d("a");
    let out_b = d("b");
    let air = d("air");
    let cases: Vec<(Vec<&str>, i32, Check)> = vec![
        (
            vec!["validate", "modes/tutorial"],
            0,
            Box::new(|o| assert!(text(&o.stdout).contains("mode `cruise`"))),
        ),
        (
            vec!["validate", "modes/tutorial", "--format", "json"],
            0,
            Box::new(move |o| {
                let v = json(o);
                assert_eq!(v["modes"].as_array().unwrap().len(), 2);
                assert_eq!(v["ok"], true);
            }),
        ),
        (
            vec!["validate", "modes/tutorial", "--format", "ron"],
            0,
            Box::new(ron_doc),
        ),
        (
            vec!["expand", "modes/tutorial", "--format", "json"],
            0,
            Box::new(move |o| assert_eq!(json(o)["modes"].as_array().unwrap().len(), 2)),
        ),
        (
            vec!["schedule", "modes/tutorial", "--mode", "cruise"],
            0,
            Box::new(move |o| assert_eq!(json(o)["mode"], "cruise")),
        ),
        (
            vec!["schedule", "modes/tutorial"],
            0,
            Box::new(move |o| assert_eq!(json(o)["schedules"].as_array().unwrap().len(), 2)),
        ),
        (
            vec!["schedule", "modes/tutorial", "--format", "ron"],
            0,
            Box::new(ron_doc),
        ),
        (
            vec!["check", "modes/tutorial"],
            0,
            Box::new(|o| assert!(text(&o.stdout).contains("ok: 2 of 2 schedules"))),
        ),
        (
            vec!["check", "modes/tutorial", "--format", "json"],
            0,
            Box::new(move |o| {
                let v = json(o);
                assert_eq!(v["schedules"].as_array().unwrap().len(), 2);
                assert_eq!(v["plans"].as_array().unwrap().len(), 2);
                assert_eq!(v["findings"].as_array().unwrap().len(), 0);
                assert_eq!(v["ok"], true);
            }),
        ),
        (
            vec!["check", "modes/tutorial", "--format", "ron"],
            0,
            Box::new(ron_doc),
        ),
        (
            vec!["check", "modes/tutorial", "--out", &out_a],
            0,
            Box::new({
                let dir = out_a.clone();
                move |_| {
                    let files: Vec<String> = std::fs::read_dir(&dir)
                        .unwrap()
                        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                        .collect();
                    assert_eq!(files.iter().filter(|f| f.ends_with(".json")).count(), 4);
                    assert!(!files.iter().any(|f| f.ends_with(".svg")), "{files:?}");
                }
            }),
        ),
        (
            vec![
                "check",
                "modes/tutorial",
                "--out",
                &out_b,
                "--svg",
                "--format",
                "ron",
            ],
            0,
            Box::new({
                let dir = out_b.clone();
                move |_| {
                    let files: Vec<String> = std::fs::read_dir(&dir)
                        .unwrap()
                        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                        .collect();
                    assert_eq!(files.iter().filter(|f| f.ends_with(".ron")).count(), 4);
                    assert_eq!(files.iter().filter(|f| f.ends_with(".svg")).count(), 4);
                }
            }),
        ),
        (
            vec![
                "export",
                "modes/tutorial",
                "--arinc653",
                &air,
                "--ticks-per-second",
                "1000",
                "--format",
                "json",
            ],
            0,
            Box::new(move |o| assert_eq!(json(o)["written"].as_array().unwrap().len(), 2)),
        ),
        (
            vec!["check", "modes/tutorial", "--svg"],
            2,
            Box::new(|_| {}),
        ),
        (
            vec!["schedule", "modes/tutorial", "--svg"],
            2,
            Box::new(|_| {}),
        ),
        (
            vec![
                "plan",
                "modes/tutorial",
                "--from",
                "cruise",
                "--to",
                "landing",
                "--svg",
            ],
            2,
            Box::new(|_| {}),
        ),
    ];
    for (args, want, check) in cases {
        let o = seamless(&args);
        assert_eq!(
            code(&o),
            want,
            "{args:?}:\n{}{}",
            text(&o.stdout),
            text(&o.stderr)
        );
        check(&o);
    }
}

#[test]
fn simulate_runs_the_planned_switch_on_every_module() {
    let o = seamless(&[
        "simulate",
        "modes/tutorial",
        "--from",
        "landing",
        "--to",
        "cruise",
        "--request-at",
        "10ms",
    ]);
    assert_eq!(code(&o), 0, "{}{}", text(&o.stdout), text(&o.stderr));
    assert!(
        text(&o.stdout).contains("ran as planned"),
        "{}",
        text(&o.stdout)
    );
    let o = seamless(&[
        "simulate",
        "modes/tutorial",
        "--from",
        "landing",
        "--to",
        "cruise",
        "--request-at",
        "1s",
    ]);
    assert_eq!(
        code(&o),
        2,
        "a request outside the old frame is an input error"
    );
}

#[test]
fn an_infeasible_switch_is_explained() {
    // The tutorial on 5 Mbit/s links: no scheme can move navigation's 8 MiB
    // from m1 to m2 and keep it within its 200 ms bound.
    let mut system = seamless::load("modes/tutorial").unwrap_or_else(|e| panic!("{e}"));
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
    // a smaller remedy budget names a higher bandwidth, never one that
    // fails: the figure named is planned again with the full budget
    let named = |remedy_budget: u64| {
        let opts = seamless_plan::PlanOptions {
            remedy_budget,
            ..seamless_plan::PlanOptions::default()
        };
        let np = seamless_plan::plan_transition(&system, from, to, a, b, 0, &opts)
            .map(|p| p.metrics)
            .expect_err("still infeasible");
        let t = np.together.as_ref().expect("a bandwidth remedy");
        assert_eq!(t.then, None, "{np}");
        t.at_least
    };
    let (small, full) = (named(200_000), named(u64::MAX));
    assert!(small > full, "{small} vs {full}");
    assert_eq!(full, 30_000_000);
}

#[test]
fn the_library_renders_diagnostics_as_the_cli_does() {
    let dir = "modes/invalid/many-errors";
    let e = seamless::load(dir).expect_err("an invalid system");
    let o = seamless(&["validate", dir]);
    assert_eq!(code(&o), 2);
    assert_eq!(e.to_string(), text(&o.stderr));
    assert!(e.to_string().contains("error"), "{e}");
    // a folder that does not exist: the CLI's words too
    let e = seamless::load("no/such/folder").expect_err("no folder");
    let o = seamless(&["validate", "no/such/folder"]);
    assert_eq!(e.to_string(), text(&o.stderr));
}

#[test]
fn the_outside_crate_runs_the_recipe_verbatim() {
    // dev/recipe-user is a crate outside the workspace that depends on
    // seamless by path; .ci/run runs its copy of the recipe
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let ours = std::fs::read_to_string(root.join("tests/plan_snapshots.rs")).unwrap();
    let theirs =
        std::fs::read_to_string(root.join("dev/recipe-user/tests/plan_snapshots.rs")).unwrap();
    assert!(
        ours == theirs,
        "dev/recipe-user/tests/plan_snapshots.rs must be a verbatim copy of tests/plan_snapshots.rs"
    );
}

#[test]
fn a_proven_infeasible_switch_says_so_and_exits_1() {
    // The tutorial on 5 Mbit/s links, through the CLI: navigation cannot
    // meet its 200 ms bound under any scheme; said at once as a proof, not
    // as an exhausted search.
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir("modes/tutorial").unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "ron") {
            let t = std::fs::read_to_string(&p).unwrap();
            std::fs::write(
                dir.path().join(p.file_name().unwrap()),
                t.replace("\"100Mbit/s\"", "\"5Mbit/s\""),
            )
            .unwrap();
        }
    }
    let d = dir.path().to_str().unwrap();
    let o = seamless(&["plan", d, "--from", "cruise", "--to", "landing"]);
    let out = text(&o.stdout);
    assert_eq!(code(&o), 1, "{out}{}", text(&o.stderr));
    // (the bandwidth remedy is searched by planning again under the time
    // limit: not asserted in a debug build)
    for w in [
        "proven: no plan exists",
        "`navigation`",
        "pre-copy",
        "loosen navigation's max_unavailability to at least 243.93ms",
    ] {
        assert!(out.contains(w), "{w:?} not in:\n{out}");
    }
    assert!(!out.contains("one may still exist"), "{out}");
}
