//! Hand-written systems, one per scheme, each built so that the planner must
//! pick that scheme for a stated reason; an infeasible transition; sanity
//! checks of every plan (written apart from the planner's code: hops,
//! overlaps with both tables, memory, bounds); determinism; snapshots.

use super::*;
use seamless_model::diag::SourceFile;
use seamless_model::load::load;
use seamless_model::plan::Scheme;
use seamless_model::schedule::{JobEntry, Placement, Transmission};
use seamless_model::validate::Limits;
use std::collections::BTreeMap;

pub(crate) fn load_sys(system: &str, modes: &[(&str, &str)]) -> System {
    let mut files = vec![SourceFile {
        name: "system.ron".into(),
        text: system.into(),
    }];
    for (n, t) in modes {
        files.push(SourceFile {
            name: format!("{n}.ron"),
            text: (*t).into(),
        });
    }
    match load(&files, Limits::default()) {
        Ok(s) => s,
        Err(d) => panic!("{d:#?}"),
    }
}

type Hops<'a> = &'a [(&'a str, &'a str, u64, u64)];

/// A schedule from placements, job times per program (index order) and
/// transmissions.
pub(crate) fn sched(
    mode: &str,
    frame: u64,
    place: &[(&str, &str, u32)],
    jobs: &[(&str, &[(u64, u64)])],
    tx: &[(&str, u64, Hops)],
) -> Schedule {
    let slot: BTreeMap<&str, (&str, u32)> = place.iter().map(|&(p, m, c)| (p, (m, c))).collect();
    let mut s = Schedule {
        mode: mode.into(),
        tick: "1us".into(),
        major_frame: frame,
        placement: place
            .iter()
            .map(|&(p, m, c)| Placement {
                program: p.into(),
                module: m.into(),
                core: c,
            })
            .collect(),
        jobs: jobs
            .iter()
            .flat_map(|&(p, js)| {
                let (m, c) = slot[p];
                js.iter().enumerate().map(move |(k, &(a, b))| JobEntry {
                    program: p.into(),
                    index: k as u64,
                    module: m.into(),
                    core: c,
                    start: a,
                    end: b,
                })
            })
            .collect(),
        transmissions: tx
            .iter()
            .map(|&(m, k, hops)| Transmission {
                message: m.into(),
                index: k,
                hops: hops
                    .iter()
                    .map(|&(a, b, s, e)| HopEntry {
                        from: a.into(),
                        to: b.into(),
                        start: s,
                        end: e,
                    })
                    .collect(),
            })
            .collect(),
    };
    s.canonicalize();
    s
}

/// Every `period` ticks over `frame`, the job `[off, off + len)`.
pub(crate) fn every(frame: u64, period: u64, off: u64, len: u64) -> Vec<(u64, u64)> {
    (0..frame / period)
        .map(|k| (k * period + off, k * period + off + len))
        .collect()
}

fn dir_of(sys: &System, from: &str, to: &str) -> (usize, usize) {
    let n = |x: &str| sys.network.nodes.iter().position(|y| y.name == x).unwrap();
    let (a, b) = (n(from), n(to));
    let link = sys.network.link_between(a, b).unwrap();
    let hop = seamless_model::network::Hop {
        link,
        from: a,
        to: b,
    };
    (hop.dir_id(&sys.network.links), link)
}

/// Independent checks of a plan against §7 (not a verifier: no table checks).
pub(crate) fn sanity(sys: &System, plan: &Plan) {
    let ha = plan.from_schedule.major_frame;
    let hb = plan.to_schedule.major_frame;
    let r = plan.request;
    assert!(
        plan.switch >= r && plan.switch.is_multiple_of(ha),
        "switch point"
    );
    assert!(plan.b_start >= plan.switch);
    // chunk hops: exact tx time, latency order, after r
    let mut busy: BTreeMap<usize, Vec<(u64, u64, String)>> = BTreeMap::new();
    let mut last_end = 0;
    for t in &plan.transfers {
        assert!(!t.hops.is_empty());
        assert!(
            t.hops[0].start >= r,
            "{} leaves before the request",
            t.program
        );
        for (k, h) in t.hops.iter().enumerate() {
            let (d, link) = dir_of(sys, &h.from, &h.to);
            assert_eq!(
                h.end - h.start,
                sys.tx_time(link, t.bytes),
                "tx time of a {} chunk",
                t.program
            );
            if k > 0 {
                let (_, pl) = dir_of(sys, &t.hops[k - 1].from, &t.hops[k - 1].to);
                assert!(
                    h.start >= t.hops[k - 1].end + sys.network.links[pl].latency,
                    "latency order"
                );
                assert_eq!(h.from, t.hops[k - 1].to);
            }
            busy.entry(d)
                .or_default()
                .push((h.start, h.end, format!("chunk of {}", t.program)));
            last_end = last_end.max(h.end);
        }
    }
    // A's transmissions from the request's frame to S, B's from b_start on
    for f in r / ha..plan.switch / ha {
        for t in &plan.from_schedule.transmissions {
            for h in &t.hops {
                let (d, _) = dir_of(sys, &h.from, &h.to);
                busy.entry(d).or_default().push((
                    f * ha + h.start,
                    f * ha + h.end,
                    format!("A {}", t.message),
                ));
            }
        }
    }
    let mut f = 0;
    while plan.b_start + f * hb <= last_end {
        for t in &plan.to_schedule.transmissions {
            for h in &t.hops {
                let (d, _) = dir_of(sys, &h.from, &h.to);
                let base = plan.b_start + f * hb;
                busy.entry(d).or_default().push((
                    base + h.start,
                    base + h.end,
                    format!("B {}", t.message),
                ));
            }
        }
        f += 1;
    }
    for (d, v) in busy.iter_mut() {
        v.sort();
        for w in v.windows(2) {
            assert!(
                w[0].1 <= w[1].0,
                "direction {d}: {:?} overlaps {:?}",
                w[0],
                w[1]
            );
        }
    }
    // phases and bytes per migration
    for m in &plan.migrations {
        let ts: Vec<&Transfer> = plan
            .transfers
            .iter()
            .filter(|t| t.program == m.program)
            .collect();
        let src_bytes: u64 = ts
            .iter()
            .filter(|t| t.phase != "gather")
            .map(|t| t.bytes)
            .sum();
        assert_eq!(
            src_bytes, m.bytes,
            "{}: bytes sent by the source",
            m.program
        );
        let phases: Vec<&str> = ts.iter().map(|t| t.phase.as_str()).collect();
        let ok = match m.scheme {
            Scheme::StopAndCopy => phases.iter().all(|p| *p == "copy"),
            Scheme::PreCopy => phases
                .iter()
                .all(|p| p.starts_with("round-") || *p == "final"),
            Scheme::PostCopy => phases.iter().all(|p| *p == "cpu" || *p == "pages"),
            Scheme::Hybrid => phases
                .iter()
                .all(|p| p.starts_with("round-") || *p == "cpu" || *p == "pages"),
            Scheme::ScatterGather => phases.iter().all(|p| *p == "scatter" || *p == "gather"),
        };
        assert!(ok, "{}: phases {phases:?} for {:?}", m.program, m.scheme);
        assert_eq!(m.via.is_some(), m.scheme == Scheme::ScatterGather);
        assert!(m.resume >= plan.b_start);
        assert!(plan.complete >= m.resume);
    }
    // memory per §7, checked at every event instant
    let p = |name: &str| sys.program_by_name(name).unwrap();
    let md = |name: &str| sys.module_by_name(name).unwrap();
    let a_of: BTreeMap<&str, &str> = plan
        .from_schedule
        .placement
        .iter()
        .map(|x| (x.program.as_str(), x.module.as_str()))
        .collect();
    let b_of: BTreeMap<&str, &str> = plan
        .to_schedule
        .placement
        .iter()
        .map(|x| (x.program.as_str(), x.module.as_str()))
        .collect();
    let mut holds: Vec<(usize, u64, u64, u64)> = Vec::new(); // module, from, to, bytes
    for (&name, &m) in &a_of {
        let bytes = sys.programs[p(name)].memory;
        match b_of.get(name) {
            None => holds.push((md(m), 0, plan.switch, bytes)),
            Some(&mb) if mb == m => holds.push((md(m), 0, u64::MAX, bytes)),
            Some(_) => {}
        }
    }
    for (&name, &m) in &b_of {
        if !a_of.contains_key(name) {
            holds.push((md(m), plan.b_start, u64::MAX, sys.programs[p(name)].memory));
        }
    }
    for m in &plan.migrations {
        let bytes = sys.programs[p(&m.program)].memory;
        holds.push((md(&m.from.module), 0, plan.switch.max(m.eviction), bytes));
        let ts: Vec<&Transfer> = plan
            .transfers
            .iter()
            .filter(|t| t.program == m.program)
            .collect();
        let first_in = ts
            .iter()
            .flat_map(|t| t.hops.iter())
            .filter(|h| h.to == m.to.module)
            .map(|h| h.start)
            .min()
            .unwrap_or(u64::MAX);
        holds.push((
            md(&m.to.module),
            first_in.min(plan.b_start),
            u64::MAX,
            bytes,
        ));
        if let Some(v) = &m.via {
            let vin = ts
                .iter()
                .flat_map(|t| t.hops.iter())
                .filter(|h| &h.to == v)
                .map(|h| h.start)
                .min()
                .unwrap();
            let vout = ts
                .iter()
                .flat_map(|t| t.hops.iter())
                .filter(|h| &h.from == v)
                .map(|h| h.end)
                .max()
                .unwrap();
            holds.push((md(v), vin, vout, bytes));
        }
        // eviction: the end of the last hop leaving the source
        let ev = ts
            .iter()
            .flat_map(|t| t.hops.iter())
            .filter(|h| h.from == m.from.module)
            .map(|h| h.end)
            .max()
            .unwrap();
        assert_eq!(ev, m.eviction, "{}: eviction", m.program);
    }
    for (mi, module) in sys.modules.iter().enumerate() {
        let mut instants: Vec<u64> = holds
            .iter()
            .filter(|h| h.0 == mi)
            .flat_map(|h| [h.1, h.2])
            .collect();
        instants.sort();
        instants.dedup();
        for &t in &instants {
            let used: u64 = holds
                .iter()
                .filter(|h| h.0 == mi && h.1 <= t && t < h.2)
                .map(|h| h.3)
                .sum();
            assert!(
                used <= module.memory,
                "{} over its memory at {t}: {used}",
                module.name
            );
        }
    }
    // bounds and metrics
    for o in &plan.programs {
        if let (Some(u), Some(b)) = (o.unavailability, o.bound) {
            assert!(u <= b, "{}: unavailability {u} > bound {b}", o.program);
        }
    }
    assert_eq!(
        plan.metrics.transition_latency,
        plan.complete - plan.request
    );
    assert_eq!(
        plan.metrics.bytes,
        plan.migrations.iter().map(|m| m.bytes).sum::<u64>()
    );
    assert_eq!(
        plan.metrics.max_downtime,
        plan.migrations
            .iter()
            .map(|m| m.downtime)
            .max()
            .unwrap_or(0)
    );
}

/// Platform: cm1, cm2, cm3 on switch sw, 1 Gbit/s, 5 µs per link.
pub(crate) fn platform(memory: &str, programs: &str, messages: &str) -> String {
    format!(
        r#"System(name: "t", tick: "1us",
  modules: [Module(name: "cm1", cores: 2, memory: "{memory}"), Module(name: "cm2", cores: 2, memory: "{memory}"),
            Module(name: "cm3", cores: 2, memory: "{memory}")],
  switches: ["sw"],
  links: [Link(from: "cm1", to: "sw", bandwidth: "1Gbit/s", latency: "5us"),
          Link(from: "cm2", to: "sw", bandwidth: "1Gbit/s", latency: "5us"),
          Link(from: "cm3", to: "sw", bandwidth: "1Gbit/s", latency: "5us")],
  programs: [{programs}],
  messages: [{messages}],
)"#
    )
}

pub(crate) fn mode(name: &str, programs: &str, pins: &str, frame: Option<&str>) -> String {
    let f = frame.map_or(String::new(), |f| format!(", major_frame: \"{f}\""));
    format!(r#"Mode(name: "{name}", programs: [{programs}], messages: [], pins: [{pins}]{f})"#)
}

fn mig<'a>(plan: &'a Plan, p: &str) -> &'a seamless_model::plan::Migration {
    plan.migrations.iter().find(|m| m.program == p).unwrap()
}

pub(crate) fn outcome<'a>(plan: &'a Plan, p: &str) -> &'a ProgramOutcome {
    plan.programs.iter().find(|m| m.program == p).unwrap()
}

/// A plan without the two tables, for snapshots.
fn summary(plan: &Plan) -> Plan {
    let mut p = plan.clone();
    p.from_schedule.jobs.clear();
    p.from_schedule.transmissions.clear();
    p.to_schedule.jobs.clear();
    p.to_schedule.transmissions.clear();
    p
}

// ---------------------------------------------------------------- stop-and-copy

/// `p` is small (64 KiB: half a millisecond on the link) and its bound loose:
/// the copy is over long before its first new-mode job, so the scheme with
/// the fewest bytes and no degradation wins. `s` sends `log` to `d` over the
/// same uplink in both modes: the chunks must avoid those transmissions.
fn sc_system() -> (System, Schedule, Schedule) {
    let sys = load_sys(
        &platform(
            "64MiB",
            r#"Program(name: "p", memory: "64KiB", wcet: "1ms", period: "10ms", max_unavailability: "50ms"),
               Program(name: "s", memory: "1MiB", wcet: "1ms", period: "10ms", max_unavailability: "20ms"),
               Program(name: "d", memory: "1MiB", wcet: "1ms", period: "10ms")"#,
            r#"Message(name: "log", from: "s", to: ["d"], size: "60KiB")"#,
        ),
        &[
            (
                "a",
                &mode(
                    "a",
                    r#""p", "s", "d""#,
                    r#"Pin(program: "p", module: "cm1")"#,
                    None,
                )
                .replace("messages: []", r#"messages: ["log"]"#),
            ),
            (
                "b",
                &mode(
                    "b",
                    r#""p", "s", "d""#,
                    r#"Pin(program: "p", module: "cm2")"#,
                    None,
                )
                .replace("messages: []", r#"messages: ["log"]"#),
            ),
        ],
    );
    // log: 60 KiB = 492 µs per hop; s ends at 2000, hops [2000,2492) and [2497,2989)
    let tx: &[(&str, u64, Hops)] = &[(
        "log",
        0,
        &[("cm1", "sw", 5000, 5492), ("sw", "cm3", 5497, 5989)],
    )];
    let a = sched(
        "a",
        10_000,
        &[("p", "cm1", 0), ("s", "cm1", 1), ("d", "cm3", 0)],
        &[
            ("p", &[(0, 1000)]),
            ("s", &[(4000, 5000)]),
            ("d", &[(7000, 8000)]),
        ],
        tx,
    );
    let b = sched(
        "b",
        10_000,
        &[("p", "cm2", 0), ("s", "cm1", 1), ("d", "cm3", 0)],
        &[
            ("p", &[(0, 1000)]),
            ("s", &[(4000, 5000)]),
            ("d", &[(7000, 8000)]),
        ],
        tx,
    );
    (sys, a, b)
}

#[test]
fn stop_and_copy_for_a_small_program() {
    let (sys, a, b) = sc_system();
    // the request at 4.9 ms: the copy must wait for `log` on cm1 → sw
    let plan = plan_transition(&sys, 0, 1, &a, &b, 4900, &PlanOptions::default()).unwrap();
    sanity(&sys, &plan);
    let m = mig(&plan, "p");
    assert_eq!(m.scheme, Scheme::StopAndCopy);
    assert_eq!(plan.switch, 10_000);
    assert_eq!(plan.b_start, 10_000);
    assert_eq!(m.resume, 10_000);
    assert_eq!(m.downtime, 9000); // suspension at 1 ms, first B job at 10 ms
    assert_eq!(m.bytes, (64 + 16) << 10);
    // the copy begins at the request's start instant, the first old-mode
    // job end at or after it (`s` ends at 5 ms), and waits for `log` to
    // leave cm1 → sw (5.492 ms): a whole 64 KiB chunk then
    let mut firsts: Vec<(u64, u64, u64)> = plan
        .transfers
        .iter()
        .map(|t| (t.hops[0].start, t.hops[0].end, t.bytes))
        .collect();
    firsts.sort();
    assert_eq!(firsts[0], (5492, 6017, 65_536));
    assert!(plan.skipped.is_empty() && plan.extended.is_empty());
    assert_eq!(outcome(&plan, "p").unavailability, Some(10_000));
    assert_eq!(outcome(&plan, "s").action, Action::Continue);
    assert_eq!(outcome(&plan, "s").unavailability, Some(10_000));
    assert_eq!(outcome(&plan, "d").bound, None);
    assert_eq!(outcome(&plan, "d").unavailability, Some(10_000));
    // complete: d's first B job ends at 18 ms
    assert_eq!(plan.complete, 18_000);
    insta::assert_ron_snapshot!("stop_and_copy", summary(&plan));
}

#[test]
fn deterministic() {
    let (sys, a, b) = sc_system();
    let o = PlanOptions::default();
    let x = plan_transition(&sys, 0, 1, &a, &b, 4900, &o).unwrap();
    let y = plan_transition(&sys, 0, 1, &a, &b, 4900, &o).unwrap();
    assert_eq!(x, y);
    let rx = ron::ser::to_string(&x).unwrap();
    let ry = ron::ser::to_string(&y).unwrap();
    assert_eq!(rx, ry);
}

#[test]
fn request_at_zero_switches_at_once() {
    let (sys, a, b) = sc_system();
    let plan = plan_transition(&sys, 0, 1, &a, &b, 0, &PlanOptions::default()).unwrap();
    sanity(&sys, &plan);
    assert_eq!(plan.switch, 0);
    let m = mig(&plan, "p");
    // suspension: the end of p's job in the frame before (−9 ms)
    assert_eq!(m.downtime, m.resume + 9000);
}

#[test]
fn bad_inputs_are_data() {
    let (sys, a, b) = sc_system();
    let e = plan_transition(&sys, 0, 1, &b, &a, 0, &PlanOptions::default()).unwrap_err();
    assert!(matches!(*e.problem, Problem::Input { .. }), "{e}");
    let e = plan_transition(&sys, 0, 1, &a, &b, 10_000, &PlanOptions::default()).unwrap_err();
    assert!(
        e.to_string().contains("outside the old mode's frame"),
        "{e}"
    );
    let mut a2 = a.clone();
    a2.jobs.retain(|j| j.program != "p");
    let e = plan_transition(&sys, 0, 1, &a2, &b, 0, &PlanOptions::default()).unwrap_err();
    assert!(e.to_string().contains("`p`"), "{e}");
}

// ---------------------------------------------------------------- pre-copy

/// `p`: 32 MiB (268 ms on the link), dirtying 64 KiB per 10 ms job, bound
/// 25 ms. Stop-and-copy and scatter-gather leave it out for a quarter of a
/// second; post-copy would fault in a 4 MiB working set (over 100 ms of
/// extra run time in a 10 ms window). Pre-copy copies while it runs and
/// sends only the last job's dirty pages after the suspension.
fn pre_system(bound: &str, dirty: &str) -> (System, Schedule, Schedule) {
    let sys = load_sys(
        &platform(
            "256MiB",
            &format!(
                r#"Program(name: "p", memory: "32MiB", working_set: "4MiB", dirty_per_job: "{dirty}",
                           wcet: "1ms", period: "10ms", max_unavailability: "{bound}")"#
            ),
            "",
        ),
        &[
            (
                "a",
                &mode(
                    "a",
                    r#""p""#,
                    r#"Pin(program: "p", module: "cm1")"#,
                    Some("500ms"),
                ),
            ),
            (
                "b",
                &mode("b", r#""p""#, r#"Pin(program: "p", module: "cm2")"#, None),
            ),
        ],
    );
    let a = sched(
        "a",
        500_000,
        &[("p", "cm1", 0)],
        &[("p", &every(500_000, 10_000, 0, 1000))],
        &[],
    );
    let b = sched("b", 10_000, &[("p", "cm2", 0)], &[("p", &[(0, 1000)])], &[]);
    (sys, a, b)
}

#[test]
fn pre_copy_for_large_memory_low_dirty_rate_tight_bound() {
    let (sys, a, b) = pre_system("25ms", "64KiB");
    let plan = plan_transition(&sys, 0, 1, &a, &b, 100_000, &PlanOptions::default()).unwrap();
    sanity(&sys, &plan);
    let m = mig(&plan, "p");
    assert_eq!(m.scheme, Scheme::PreCopy, "{m:?}");
    assert_eq!(plan.switch, 500_000);
    // the final set: one job's 64 KiB and the CPU state, after the last job
    let fin: u64 = plan
        .transfers
        .iter()
        .filter(|t| t.phase == "final")
        .map(|t| t.bytes)
        .sum();
    assert_eq!(fin, (64 + 16) << 10);
    // resumes at the first B job: down from 491 ms to 500 ms
    assert_eq!(m.resume, 500_000);
    assert_eq!(m.downtime, 9000);
    assert_eq!(outcome(&plan, "p").unavailability, Some(10_000));
    // rounds 2.. carry at least stop_below and all begin before the suspension
    let mut begins: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for t in &plan.transfers {
        let e = begins.entry(t.phase.clone()).or_insert((u64::MAX, 0));
        e.0 = e.0.min(t.hops[0].start);
        e.1 += t.bytes;
    }
    for (ph, (begin, bytes)) in &begins {
        if ph.starts_with("round-") {
            assert!(*begin < 491_000, "{ph} begins at {begin}");
            if ph != "round-1" {
                assert!(*bytes >= 256 << 10, "{ph}: {bytes}");
            }
        }
    }
    assert_eq!(begins["round-1"].1, 32 << 20);
    assert!(begins["round-1"].0 >= 100_000);
    insta::assert_ron_snapshot!("pre_copy", {
        let mut s = summary(&plan);
        s.transfers.clear();
        s
    });
}

// ---------------------------------------------------------------- post-copy

/// `p` (8 MiB) rewrites its whole 256 KiB working set in every job
/// (`dirty_per_job` = `working_set`). The request comes at 9.5 ms, after
/// the last old-mode job of the frame ended: pre-copy cannot begin a round
/// before that suspension, so it must wait a whole round (67 ms) for a
/// later switch point, and stop-and-copy takes 67 ms after the suspension
/// (bound 30 ms). Post-copy resumes `p` at its first new-mode job, which
/// runs a few milliseconds longer while its working set faults in.
fn post_system() -> (System, Schedule, Schedule) {
    let sys = load_sys(
        &platform(
            "256MiB",
            r#"Program(name: "p", memory: "8MiB", working_set: "256KiB", dirty_per_job: "256KiB",
                       wcet: "1ms", period: "10ms", max_unavailability: "30ms")"#,
            "",
        ),
        &[
            (
                "a",
                &mode("a", r#""p""#, r#"Pin(program: "p", module: "cm1")"#, None),
            ),
            (
                "b",
                &mode("b", r#""p""#, r#"Pin(program: "p", module: "cm2")"#, None),
            ),
        ],
    );
    let a = sched("a", 10_000, &[("p", "cm1", 0)], &[("p", &[(0, 1000)])], &[]);
    let b = sched("b", 10_000, &[("p", "cm2", 0)], &[("p", &[(0, 1000)])], &[]);
    (sys, a, b)
}

#[test]
fn post_copy_for_a_high_dirty_rate() {
    let (sys, a, b) = post_system();
    // requested at 9.5 ms: the start instant is the next frame's start (no
    // old-mode job ends later in the frame), where the new table begins
    // too; the CPU state cannot be in by then, so job 0 is skipped and p
    // resumes at 20 ms, its pages faulted in before that job ends
    let plan = plan_transition(&sys, 0, 1, &a, &b, 9500, &PlanOptions::default()).unwrap();
    sanity(&sys, &plan);
    let m = mig(&plan, "p");
    assert_eq!(m.scheme, Scheme::PostCopy, "{m:?}");
    assert_eq!(m.resume, 20_000);
    assert_eq!(m.downtime, 19_000);
    assert_eq!(plan.skipped.len(), 1);
    assert_eq!(plan.skipped[0].index, 0);
    assert!(plan.extended.is_empty());
    assert_eq!(m.degradation, 0);
    assert_eq!(m.bytes, (8 << 20) + (16 << 10));
    // unavailability: from the suspension's completion (1 ms) to the end of
    // the first job run (21 ms), within the 30 ms bound
    assert_eq!(outcome(&plan, "p").unavailability, Some(20_000));
    // the transition completes when the last page arrives
    assert_eq!(
        plan.complete,
        plan.transfers
            .iter()
            .map(|t| t.hops[1].end + 5)
            .max()
            .unwrap()
    );
    insta::assert_ron_snapshot!("post_copy", {
        let mut s = summary(&plan);
        s.transfers.clear();
        s
    });
}

// ---------------------------------------------------------------- hybrid

/// `p` (8 MiB, 4 MiB working set, 256 KiB dirtied per job) ends its old jobs
/// at 9 ms of each 10 ms period and starts its new ones at 0, bound 11 ms.
/// Pre-copy's final set (272 KiB: 2.2 ms) cannot arrive in the 1 ms before
/// the first new job, which is then skipped (12 ms). Post-copy would fault
/// in the whole 4 MiB working set (over 100 ms in a 10 ms window). Hybrid
/// copies in rounds, then resumes right after the CPU state with only the
/// last job's 256 KiB missing: about 7 ms of faults, inside the window.
#[test]
fn hybrid_when_neither_pre_nor_post_copy_meets_the_bound() {
    let sys = load_sys(
        &platform(
            "256MiB",
            r#"Program(name: "p", memory: "8MiB", working_set: "4MiB", dirty_per_job: "256KiB",
                       wcet: "1ms", period: "10ms", max_unavailability: "11ms")"#,
            "",
        ),
        &[
            (
                "a",
                &mode(
                    "a",
                    r#""p""#,
                    r#"Pin(program: "p", module: "cm1")"#,
                    Some("200ms"),
                ),
            ),
            (
                "b",
                &mode("b", r#""p""#, r#"Pin(program: "p", module: "cm2")"#, None),
            ),
        ],
    );
    let a = sched(
        "a",
        200_000,
        &[("p", "cm1", 0)],
        &[("p", &every(200_000, 10_000, 8000, 1000))],
        &[],
    );
    let b = sched("b", 10_000, &[("p", "cm2", 0)], &[("p", &[(0, 1000)])], &[]);
    let plan = plan_transition(&sys, 0, 1, &a, &b, 10_000, &PlanOptions::default()).unwrap();
    sanity(&sys, &plan);
    let m = mig(&plan, "p");
    assert_eq!(m.scheme, Scheme::Hybrid, "{m:?}");
    assert_eq!(plan.switch, 200_000);
    assert_eq!(m.resume, 200_000);
    let pages: u64 = plan
        .transfers
        .iter()
        .filter(|t| t.phase == "pages")
        .map(|t| t.bytes)
        .sum();
    assert_eq!(pages, 256 << 10);
    assert_eq!(plan.extended.len(), 1);
    let u = outcome(&plan, "p").unavailability.unwrap();
    assert!(u <= 11_000, "{u}");
    assert!(plan.transfers.iter().any(|t| t.phase == "round-1"));
    insta::assert_ron_snapshot!("hybrid", {
        let mut s = summary(&plan);
        s.transfers.clear();
        s
    });
}

// ---------------------------------------------------------------- scatter-gather

/// `x` and `y` swap modules; each module has room for one of them only.
/// Neither destination has room until the other program has left it, and
/// neither can leave first: the planner breaks the cycle by scattering one
/// of them to the free module cm3 and gathering it once its destination is
/// free.
#[test]
fn scatter_gather_breaks_a_memory_cycle() {
    let sys = load_sys(
        &platform(
            "6MiB",
            r#"Program(name: "x", memory: "4MiB", wcet: "1ms", period: "10ms"),
               Program(name: "y", memory: "4MiB", wcet: "1ms", period: "10ms")"#,
            "",
        ),
        &[
            (
                "a",
                &mode(
                    "a",
                    r#""x", "y""#,
                    r#"Pin(program: "x", module: "cm1"), Pin(program: "y", module: "cm2")"#,
                    None,
                ),
            ),
            (
                "b",
                &mode(
                    "b",
                    r#""x", "y""#,
                    r#"Pin(program: "x", module: "cm2"), Pin(program: "y", module: "cm1")"#,
                    None,
                ),
            ),
        ],
    );
    let a = sched(
        "a",
        10_000,
        &[("x", "cm1", 0), ("y", "cm2", 0)],
        &[("x", &[(0, 1000)]), ("y", &[(0, 1000)])],
        &[],
    );
    let b = sched(
        "b",
        10_000,
        &[("x", "cm2", 0), ("y", "cm1", 0)],
        &[("x", &[(0, 1000)]), ("y", &[(0, 1000)])],
        &[],
    );
    let plan = plan_transition(&sys, 0, 1, &a, &b, 2000, &PlanOptions::default()).unwrap();
    sanity(&sys, &plan);
    let x = mig(&plan, "x");
    assert_eq!(x.scheme, Scheme::ScatterGather, "{x:?}");
    assert_eq!(x.via.as_deref(), Some("cm3"));
    let y = mig(&plan, "y");
    // y enters cm1 only after x has left it, and x enters cm2 after y left it
    let first_in = |p: &str, m: &str| {
        plan.transfers
            .iter()
            .filter(|t| t.program == p)
            .flat_map(|t| t.hops.iter())
            .filter(|h| h.to == m)
            .map(|h| h.start)
            .min()
            .unwrap()
    };
    assert!(first_in("y", "cm1") >= x.eviction);
    assert!(first_in("x", "cm2") >= y.eviction);
    // the source is free long before x arrives: eviction < total time
    assert!(x.eviction - plan.request < x.total_time);
    // B waits until both sources are free
    assert!(plan.b_start >= x.eviction.max(y.eviction));
    insta::assert_ron_snapshot!("scatter_gather", {
        let mut s = summary(&plan);
        s.transfers.clear();
        s
    });
}

// ---------------------------------------------------------------- infeasible

/// `p` dirties all of its 8 MiB every job and its working set is all of it:
/// no scheme can bring it back within 10 ms. The explanation names the
/// program, the bound and the shortfall, and what would help.
#[test]
fn infeasible_names_program_bound_and_shortfall() {
    let sys = load_sys(
        &platform(
            "256MiB",
            r#"Program(name: "p", memory: "8MiB", dirty_per_job: "8MiB", wcet: "1ms", period: "10ms",
                       max_unavailability: "10ms", modules: ["cm1", "cm2"])"#,
            "",
        ),
        &[
            (
                "a",
                &mode("a", r#""p""#, r#"Pin(program: "p", module: "cm1")"#, None),
            ),
            ("b", &mode("b", r#""p""#, "", None)),
        ],
    );
    let a = sched("a", 10_000, &[("p", "cm1", 0)], &[("p", &[(0, 1000)])], &[]);
    let b = sched("b", 10_000, &[("p", "cm2", 0)], &[("p", &[(0, 1000)])], &[]);
    // proven at once: every scheme sends all 8 MiB (its dirty set is all
    // of it) and the CPU state after the suspension over 1 Gbit/s, then
    // its 1 ms job runs
    let proof = plan_transition(&sys, 0, 1, &a, &b, 5000, &PlanOptions::default()).unwrap_err();
    let Problem::Proven(pr) = &*proof.problem else {
        panic!("{proof}");
    };
    let c = sys.migration.cpu_state;
    let least = seamless_model::units::tx_ticks((8 << 20) + c, 1_000_000_000, 1000).unwrap() + 1000;
    assert_eq!(
        (pr.program.as_str(), pr.at_least, pr.bound),
        ("p", least, 10_000)
    );
    let text = proof.to_string();
    for w in [
        "proven: no plan exists",
        "`p` (migrated cm1 → cm2)",
        "at least 68.24ms",
        "pre-copy",
        "post-copy",
        "keep p on cm1",
        "raise the bandwidth",
    ] {
        assert!(text.contains(w), "{w:?} not in:\n{text}");
    }
    // the search alone (no proof) fails too, never below the bound proven
    let no_proof = PlanOptions {
        prove: false,
        ..PlanOptions::default()
    };
    let e = plan_transition(&sys, 0, 1, &a, &b, 5000, &no_proof).unwrap_err();
    let Problem::Unavailability {
        program,
        bound,
        shortfall,
        unavailability,
        ..
    } = &*e.problem
    else {
        panic!("{e}");
    };
    assert_eq!(program, "p");
    assert_eq!(*bound, 10_000);
    assert!(*unavailability >= least, "{e}");
    assert_eq!(*shortfall, unavailability - bound);
    assert!(*shortfall > 0);
    assert!(
        e.remedies.iter().any(
            |r| matches!(r, Remedy::LooserBound { at_least, .. } if at_least == unavailability)
        )
    );
    assert!(
        e.remedies
            .iter()
            .any(|r| matches!(r, Remedy::KeepOnModule { module, .. } if module == "cm1"))
    );
    // both hops of the route are equally slow: both are named
    let bw: Vec<(String, String, u64, u64)> = e
        .remedies
        .iter()
        .filter_map(|r| match r {
            Remedy::Bandwidth {
                from,
                to,
                at_least,
                current,
            } => Some((from.clone(), to.clone(), *at_least, *current)),
            _ => None,
        })
        .collect();
    assert_eq!(bw.len(), 2, "{e}");
    // with that bandwidth on those links, the transition plans
    let mut sys2 = sys.clone();
    for (from, to, at_least, current) in &bw {
        assert!(at_least > current);
        let (_, link) = dir_of(&sys, from, to);
        sys2.network.links[link].bandwidth = *at_least;
    }
    let plan = plan_transition(&sys2, 0, 1, &a, &b, 5000, &PlanOptions::default()).unwrap();
    sanity(&sys2, &plan);
    // the proof's bandwidth remedy, found by planning again, works as well
    let Some(t) = &proof.together else {
        panic!("{proof}");
    };
    assert!(t.then.is_none(), "{proof}");
    let mut sys3 = sys.clone();
    for (from, to) in &t.links {
        let (_, link) = dir_of(&sys, from, to);
        sys3.network.links[link].bandwidth = t.at_least;
    }
    let plan = plan_transition(&sys3, 0, 1, &a, &b, 5000, &PlanOptions::default()).unwrap();
    sanity(&sys3, &plan);
    assert!(outcome(&plan, "p").unavailability.unwrap() <= 10_000);
    let text = e.to_string();
    for w in [
        "`p`",
        "max_unavailability = 10ms",
        "by ",
        "raise the bandwidth",
        "keep p on cm1",
    ] {
        assert!(text.contains(w), "{w:?} not in:\n{text}");
    }
}

/// A continuing program whose last old job and first new job are too far
/// apart: no migration is involved, the tables are to blame.
#[test]
fn continuing_program_gap_too_long() {
    let sys = load_sys(
        &platform(
            "256MiB",
            r#"Program(name: "c", memory: "1MiB", wcet: "1ms", period: "10ms", max_unavailability: "12ms")"#,
            "",
        ),
        &[
            (
                "a",
                &mode("a", r#""c""#, r#"Pin(program: "c", module: "cm1")"#, None),
            ),
            (
                "b",
                &mode("b", r#""c""#, r#"Pin(program: "c", module: "cm1")"#, None),
            ),
        ],
    );
    let a = sched("a", 10_000, &[("c", "cm1", 0)], &[("c", &[(0, 1000)])], &[]);
    let b = sched(
        "b",
        10_000,
        &[("c", "cm1", 1)],
        &[("c", &[(8000, 9000)])],
        &[],
    );
    // proven at once, exactly: 9 ms after its last old job to the frame's
    // end, then 9 ms to its first new job's end
    let proof = plan_transition(&sys, 0, 1, &a, &b, 0, &PlanOptions::default()).unwrap_err();
    let Problem::Proven(pr) = &*proof.problem else {
        panic!("{proof}");
    };
    assert_eq!(
        (
            pr.program.as_str(),
            pr.at_least,
            pr.bound,
            pr.reason.as_str()
        ),
        ("c", 18_000, 12_000, "stay")
    );
    assert!(
        proof
            .remedies
            .iter()
            .any(|r| matches!(r, Remedy::Tables { .. }))
    );
    let no_proof = PlanOptions {
        prove: false,
        ..PlanOptions::default()
    };
    let e = plan_transition(&sys, 0, 1, &a, &b, 0, &no_proof).unwrap_err();
    assert!(
        matches!(
            &*e.problem,
            Problem::Unavailability {
                action: Action::Continue,
                unavailability: 18_000,
                bound: 12_000,
                ..
            }
        ),
        "{e}"
    );
    assert!(
        e.remedies
            .iter()
            .any(|r| matches!(r, Remedy::Tables { .. }))
    );
    // with a looser bound it plans, and the gap is 18 ms
    let b2 = sched(
        "b",
        10_000,
        &[("c", "cm1", 1)],
        &[("c", &[(2000, 3000)])],
        &[],
    );
    let plan = plan_transition(&sys, 0, 1, &a, &b2, 0, &PlanOptions::default()).unwrap();
    assert_eq!(outcome(&plan, "c").unavailability, Some(12_000));
    assert!(plan.migrations.is_empty());
}

#[test]
fn worst_case_over_requests() {
    let (sys, a, b) = sc_system();
    let w = worst_case(&sys, 0, 1, &a, &b, &PlanOptions::default()).unwrap();
    // one plan per stretch between start instants (the old jobs end at 1,
    // 5 and 8 ms): at 0, and just after 0, 1, 5 and 8 ms
    assert_eq!(w.requests, [0, 1, 1001, 5001, 8001]);
    // the worst latency: a request just after the frame's start waits for
    // the next boundary (10 ms) and d's first B job (8 ms)
    assert_eq!(w.latency_request, 1);
    assert_eq!(w.latency, 18_000 - 1);
    for r in &w.requests {
        let p = plan_transition(&sys, 0, 1, &a, &b, *r, &PlanOptions::default()).unwrap();
        assert!(p.metrics.transition_latency <= w.latency);
    }
    let wp = w.programs.iter().find(|p| p.program == "p").unwrap();
    assert_eq!(wp.bound, Some(50_000));
}

#[test]
fn avoidable_migration_is_reported() {
    let sys = load_sys(
        &platform(
            "256MiB",
            r#"Program(name: "f", memory: "1MiB", wcet: "1ms", period: "10ms"),
               Program(name: "g", memory: "1MiB", wcet: "1ms", period: "10ms", modules: ["cm1", "cm2"])"#,
            "",
        ),
        &[
            (
                "a",
                &mode(
                    "a",
                    r#""f", "g""#,
                    r#"Pin(program: "g", module: "cm1")"#,
                    None,
                ),
            ),
            (
                "b",
                &mode(
                    "b",
                    r#""f", "g""#,
                    r#"Pin(program: "g", module: "cm2")"#,
                    None,
                ),
            ),
        ],
    );
    let a = sched(
        "a",
        10_000,
        &[("f", "cm1", 1), ("g", "cm1", 0)],
        &[("f", &[(0, 1000)]), ("g", &[(0, 1000)])],
        &[],
    );
    let b = sched(
        "b",
        10_000,
        &[("f", "cm3", 0), ("g", "cm2", 0)],
        &[("f", &[(0, 1000)]), ("g", &[(0, 1000)])],
        &[],
    );
    let v = avoidable_migrations(&sys, 0, 1, &a, &b);
    // f could have stayed on cm1; g is pinned to cm2 in b
    assert_eq!(v.len(), 1);
    assert_eq!(sys.programs[v[0].0].name, "f");
    assert!(
        v[0].1.contains("cm1") && v[0].1.contains("cm3"),
        "{}",
        v[0].1
    );
}

#[test]
fn worst_case_is_deterministic() {
    let (sys, a, b) = post_system();
    let o = PlanOptions::default();
    let x = worst_case(&sys, 0, 1, &a, &b, &o).unwrap();
    let y = worst_case(&sys, 0, 1, &a, &b, &o).unwrap();
    assert_eq!(x, y);
    let wp = &x.programs[0];
    assert_eq!(wp.program, "p");
    assert!(wp.unavailability <= 30_000);
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        /// Every request instant plans, and every plan passes the checks.
        #[test]
        fn any_request_instant(r in 0u64..10_000, which in 0usize..2) {
            let (sys, a, b) = if which == 0 { sc_system() } else { post_system() };
            let plan = plan_transition(&sys, 0, 1, &a, &b, r, &PlanOptions::default()).unwrap();
            sanity(&sys, &plan);
            prop_assert_eq!(plan.request, r);
            prop_assert!(plan.switch >= r);
        }
    }
}
