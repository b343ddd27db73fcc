//! The complete search against an independent brute force on tiny systems
//! (1 ms ticks, frames of at most 8 ticks, no messages): every verdict
//! agrees, and every unsatisfiable core the search reports is re-proved
//! infeasible by the brute force, and, when reported minimal, shown
//! feasible once any one of its programs is left out. This is how a proof
//! is checked: the core is the certificate, small enough to be re-decided
//! by a method that shares nothing with the search (plain enumeration of
//! placements and integer start times, docs/format.md §9).

use proptest::prelude::*;
use seamless_exact::{Options, Outcome, solve, unsat_core};
use seamless_model::validate::Limits;
use seamless_model::{SourceFile, System};

/// One generated program: wcet (ticks), period (4 or 8), window inside the
/// period, jitter bound, allowed modules (bit 0 = `a`, bit 1 = `b`).
#[derive(Debug, Clone)]
struct Prog {
    wcet: u64,
    period: u64,
    window: Option<(u64, u64)>,
    jitter: Option<u64>,
    modules: u8,
}

fn prog() -> impl Strategy<Value = Prog> {
    (
        prop::sample::select(vec![4u64, 8]),
        1u64..=3,
        any::<bool>(),
        0u64..8,
        0u64..8,
        prop::sample::select(vec![None, Some(0u64), Some(1), Some(2)]),
        1u8..=3,
    )
        .prop_map(|(period, wcet, windowed, a, b, jitter, modules)| {
            let wcet = wcet.min(period);
            let window = windowed.then(|| {
                let s = a % (period - wcet + 1);
                let e = (s + wcet + b % (period - s - wcet + 1)).min(period);
                (s, e)
            });
            Prog {
                wcet,
                period,
                window,
                jitter,
                modules,
            }
        })
}

fn load(progs: &[Prog], memory_mib: u64) -> System {
    let mut text = String::new();
    let mut names = Vec::new();
    for (i, p) in progs.iter().enumerate() {
        let mods: Vec<&str> = [("a", 1u8), ("b", 2)]
            .iter()
            .filter(|(_, bit)| p.modules & bit != 0)
            .map(|(n, _)| *n)
            .collect();
        let mods: Vec<String> = mods.iter().map(|m| format!("\"{m}\"")).collect();
        text.push_str(&format!(
            "Program(name: \"p{i}\", memory: \"1MiB\", wcet: \"{}ms\", period: \"{}ms\"{}{}, modules: [{}]),\n",
            p.wcet,
            p.period,
            p.window.map_or(String::new(), |(s, e)| format!(
                ", window: Window(start: \"{s}ms\", end: \"{e}ms\")"
            )),
            p.jitter
                .map_or(String::new(), |j| format!(", max_jitter: \"{j}ms\"")),
            mods.join(", ")
        ));
        names.push(format!("\"p{i}\""));
    }
    let system = format!(
        r#"System(name: "t", tick: "1ms",
        modules: [
            Module(name: "a", cores: 1, memory: "{memory_mib}MiB"),
            Module(name: "b", cores: 1, memory: "{memory_mib}MiB"),
        ],
        switches: ["sw"],
        links: [
            Link(from: "a", to: "sw", bandwidth: "100Mbit/s", latency: "1ms"),
            Link(from: "b", to: "sw", bandwidth: "100Mbit/s", latency: "1ms"),
        ],
        programs: [{text}],
        messages: [])"#
    );
    let files = vec![
        SourceFile {
            name: "system.ron".into(),
            text: system,
        },
        SourceFile {
            name: "m.ron".into(),
            text: format!(
                "Mode(name: \"only\", programs: [{}], messages: [])",
                names.join(", ")
            ),
        },
    ];
    match seamless_model::load::load(&files, Limits::default()) {
        Ok(s) => s,
        Err(d) => panic!("{}", seamless_model::diag::render(&d, &files)),
    }
}

/// Whether the programs of `keep` (mode slots) can be scheduled: every
/// placement on their allowed modules within memory, then every integer
/// start time of every job, depth first.
fn brute_force(sys: &System, keep: &[usize]) -> bool {
    let m = &sys.modes[0];
    let h = m.major_frame;
    // jobs per kept program: (release, latest start, wcet), with the period
    let jobs: Vec<ProgJobs> = keep
        .iter()
        .map(|&s| {
            let r = m.programs[s].requirement;
            let t = r.timing.period().expect("periodic");
            let js = (0..r.timing.count(h))
                .map(|k| {
                    let w = r.timing.instance_window(k);
                    (w.start, w.end.saturating_sub(r.wcet), r.wcet)
                })
                .collect();
            (js, t, r.max_jitter)
        })
        .collect();
    let mut module = vec![0usize; keep.len()];
    place(sys, keep, &jobs, &mut module, 0)
}

/// One program's jobs `(release, latest start, wcet)`, its period and jitter bound.
type ProgJobs = (Vec<(u64, u64, u64)>, u64, Option<u64>);
type Jobs = [ProgJobs];

fn place(sys: &System, keep: &[usize], jobs: &Jobs, module: &mut Vec<usize>, i: usize) -> bool {
    let m = &sys.modes[0];
    if i == keep.len() {
        for (md, d) in sys.modules.iter().enumerate() {
            let used: u64 = keep
                .iter()
                .zip(module.iter())
                .filter(|&(_, &x)| x == md)
                .map(|(&s, _)| sys.programs[m.programs[s].program].memory)
                .sum();
            if used > d.memory {
                return false;
            }
        }
        let mut busy: Vec<Vec<(u64, u64)>> = vec![Vec::new(); sys.modules.len()];
        return times(jobs, module, &mut busy, 0, 0, None);
    }
    let allowed = m.programs[keep[i]].allowed.clone();
    for md in allowed {
        module[i] = md;
        if place(sys, keep, jobs, module, i + 1) {
            return true;
        }
    }
    false
}

/// Job `k` of program `i`, with the offsets of its earlier jobs as
/// `(min, max)`.
fn times(
    jobs: &Jobs,
    module: &[usize],
    busy: &mut Vec<Vec<(u64, u64)>>,
    i: usize,
    k: usize,
    offsets: Option<(u64, u64)>,
) -> bool {
    if i == jobs.len() {
        return true;
    }
    let (js, t, jitter) = &jobs[i];
    if k == js.len() {
        return times(jobs, module, busy, i + 1, 0, None);
    }
    let (rel, latest, c) = js[k];
    let md = module[i];
    for s in rel..=latest {
        if busy[md].iter().any(|&(a, b)| s < b && a < s + c) {
            continue;
        }
        // offsets are start − k·period; start ≥ k·period in a periodic window
        let off = s - k as u64 * t;
        let o = offsets.map_or((off, off), |(lo, hi)| (lo.min(off), hi.max(off)));
        if jitter.is_some_and(|j| o.1 - o.0 > j) {
            continue;
        }
        busy[md].push((s, s + c));
        let ok = times(jobs, module, busy, i, k + 1, Some(o));
        busy[md].pop();
        if ok {
            return true;
        }
    }
    false
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn verdicts_and_cores_agree_with_brute_force(
        progs in prop::collection::vec(prog(), 2..=5),
        memory in 2u64..=4,
    ) {
        let sys = load(&progs, memory);
        let all: Vec<usize> = (0..progs.len()).collect();
        let truth = brute_force(&sys, &all);
        let r = solve(&sys, 0, &Options::default());
        match r.outcome {
            Outcome::Scheduled(s) => {
                let v = seamless_verify::verify_schedule(&sys, &s);
                prop_assert!(v.is_valid(), "{v:?}");
                prop_assert!(truth, "scheduled what the brute force calls infeasible");
            }
            Outcome::Infeasible => {
                prop_assert!(!truth, "proved infeasible what the brute force schedules");
                let core = unsat_core(&sys, 0, &Options::default()).expect("a core");
                let m = &sys.modes[0];
                let keep: Vec<usize> = core
                    .programs
                    .iter()
                    .map(|&p| m.slot(p).expect("in the mode"))
                    .collect();
                prop_assert!(!brute_force(&sys, &keep), "core {keep:?} is schedulable");
                if core.minimal {
                    for drop in 0..keep.len() {
                        let mut less = keep.clone();
                        less.remove(drop);
                        prop_assert!(
                            brute_force(&sys, &less),
                            "core {keep:?} is not minimal: {less:?} is infeasible too"
                        );
                    }
                }
            }
            Outcome::Unknown => prop_assert!(false, "undecided on a tiny system"),
        }
    }
}
