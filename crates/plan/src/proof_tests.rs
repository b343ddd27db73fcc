//! The lower bounds of `proof.rs`: each one computed by hand on a small
//! system, and never above what the planner's own plans give (the search
//! run without the proof), on hand systems and on generated ones.

use crate::ctx::Ctx;
use crate::proof::{Why, lower_bounds, migration_lower};
use crate::tests::{load_sys, mode, outcome, platform, sched};
use crate::{PlanOptions, Problem, plan_transition};
use seamless_model::System;
use seamless_model::plan::Scheme;
use seamless_model::schedule::Schedule;
use seamless_model::units::tx_ticks;

const C: u64 = 16 << 10;
const MIB: u64 = 1 << 20;

/// Ticks (µs) to send `bytes` at 1 Gbit/s.
fn gbit(bytes: u64) -> u64 {
    tx_ticks(bytes, 1_000_000_000, 1000).unwrap()
}

fn no_proof() -> PlanOptions {
    PlanOptions {
        prove: false,
        ..PlanOptions::default()
    }
}

/// Every lower bound is at most the unavailability of the plan found
/// without the proof (when one is found).
fn below_plan(sys: &System, a: &Schedule, b: &Schedule, request: u64, opts: &PlanOptions) -> bool {
    let ctx = Ctx::new(sys, 0, 1, a, b).unwrap();
    let Ok(plan) = plan_transition(sys, 0, 1, a, b, request, opts) else {
        return false;
    };
    for l in lower_bounds(&ctx) {
        let name = &ctx.progs[l.pi].name;
        let u = outcome(&plan, name).unavailability.unwrap();
        assert!(
            l.at_least <= u,
            "{name}: lower bound {} above the plan's {u} ({:?})",
            l.at_least,
            l.why
        );
    }
    true
}

/// `p`: 8 MiB, working set 4 MiB, 1 MiB dirtied per job, moving cm1 → cm2
/// over two 1 Gbit/s hops; `q` (10 MiB, only in the old mode) on cm2.
fn mig_system(memory: &str) -> (System, Schedule, Schedule) {
    let sys = load_sys(
        &platform(
            memory,
            r#"Program(name: "p", memory: "8MiB", working_set: "4MiB", dirty_per_job: "1MiB",
                       wcet: "1ms", period: "10ms", modules: ["cm1", "cm2"]),
               Program(name: "q", memory: "10MiB", wcet: "1ms", period: "10ms", modules: ["cm2"])"#,
            "",
        ),
        &[
            (
                "a",
                &mode(
                    "a",
                    r#""p", "q""#,
                    r#"Pin(program: "p", module: "cm1")"#,
                    None,
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
        10_000,
        &[("p", "cm1", 0), ("q", "cm2", 0)],
        &[("p", &[(0, 1000)]), ("q", &[(0, 1000)])],
        &[],
    );
    let b = sched(
        "b",
        10_000,
        &[("p", "cm2", 0)],
        &[("p", &[(2000, 3000)])],
        &[],
    );
    (sys, a, b)
}

fn per_scheme(sys: &System, a: &Schedule, b: &Schedule) -> (Vec<(Scheme, u64)>, bool) {
    let ctx = Ctx::new(sys, 0, 1, a, b).unwrap();
    let pi = ctx.progs.iter().position(|p| p.name == "p").unwrap();
    let ml = migration_lower(&ctx, pi).unwrap();
    assert_eq!((ml.job, ml.route_bandwidth), (1000, 1_000_000_000));
    (
        ml.schemes.iter().map(|s| (s.scheme, s.at_least)).collect(),
        ml.full_until_switch,
    )
}

/// Room on the destination: what each scheme must send after the
/// suspension, at 1 Gbit/s, plus the 1 ms job.
#[test]
fn each_scheme_with_room() {
    let (sys, a, b) = mig_system("64MiB");
    let (v, full) = per_scheme(&sys, &a, &b);
    assert!(!full);
    assert_eq!(
        v,
        vec![
            (Scheme::StopAndCopy, gbit(8 * MIB + C) + 1000),
            (Scheme::PreCopy, gbit(MIB + C) + 1000),
            (Scheme::PostCopy, gbit(4 * MIB + C) + 1000),
            (Scheme::Hybrid, gbit(MIB + C) + 1000),
            (Scheme::ScatterGather, gbit(8 * MIB + C) + 1000),
        ]
    );
    assert!(below_plan(&sys, &a, &b, 0, &PlanOptions::default()));
    assert!(below_plan(&sys, &a, &b, 4000, &PlanOptions::default()));
}

/// cm2 holds `q` (10 MiB) until the switch and has 16 MiB: nothing of `p`
/// enters it before; `p`'s last old job ends 9 ms before the switch point.
/// Post-copy sends the least after it (CPU state and working set).
#[test]
fn each_scheme_destination_full_until_the_switch() {
    let (sys, a, b) = mig_system("16MiB");
    let (v, full) = per_scheme(&sys, &a, &b);
    assert!(full);
    let all = 9000 + gbit(8 * MIB + C) + 1000;
    assert_eq!(
        v,
        vec![
            (Scheme::StopAndCopy, all),
            (Scheme::PreCopy, all),
            (Scheme::PostCopy, 9000 + gbit(4 * MIB + C) + 1000),
            (Scheme::Hybrid, all),
            (Scheme::ScatterGather, all),
        ]
    );
    assert!(below_plan(&sys, &a, &b, 0, &PlanOptions::default()));
}

/// A continuing program: its old table's gap (6 ms), the stay gap (7 ms),
/// and the new table's gap (8 ms, from 6 ms to the next frame's 4 ms): the
/// largest is the bound, and the plan attains it.
#[test]
fn stay_and_table_gaps() {
    let sys = load_sys(
        &platform(
            "64MiB",
            r#"Program(name: "c", memory: "1MiB", wcet: "1ms", period: "5ms", max_unavailability: "7500us")"#,
            "",
        ),
        &[
            (
                "a",
                &mode(
                    "a",
                    r#""c""#,
                    r#"Pin(program: "c", module: "cm1")"#,
                    Some("10ms"),
                ),
            ),
            (
                "b",
                &mode(
                    "b",
                    r#""c""#,
                    r#"Pin(program: "c", module: "cm1")"#,
                    Some("10ms"),
                ),
            ),
        ],
    );
    let a = sched(
        "a",
        10_000,
        &[("c", "cm1", 0)],
        &[("c", &[(0, 1000), (6000, 7000)])],
        &[],
    );
    let b = sched(
        "b",
        10_000,
        &[("c", "cm1", 0)],
        &[("c", &[(3000, 4000), (5000, 6000)])],
        &[],
    );
    let ctx = Ctx::new(&sys, 0, 1, &a, &b).unwrap();
    let l = lower_bounds(&ctx);
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].at_least, 8000);
    assert_eq!(
        l[0].why,
        Why::Table {
            new: true,
            gap: 8000
        }
    );
    // 8 ms against a 7.5 ms bound: proven at once; the search agrees
    let e = plan_transition(&sys, 0, 1, &a, &b, 0, &PlanOptions::default()).unwrap_err();
    assert!(
        matches!(&*e.problem, Problem::Proven(p) if p.reason == "new_table" && p.at_least == 8000),
        "{e}"
    );
    let e = plan_transition(&sys, 0, 1, &a, &b, 0, &no_proof()).unwrap_err();
    assert!(
        matches!(
            &*e.problem,
            Problem::Unavailability {
                unavailability: 8000,
                ..
            }
        ),
        "{e}"
    );
    // the stay gap alone
    let b2 = sched(
        "b",
        10_000,
        &[("c", "cm1", 0)],
        &[("c", &[(3000, 4000), (8000, 9000)])],
        &[],
    );
    let ctx = Ctx::new(&sys, 0, 1, &a, &b2).unwrap();
    let l = lower_bounds(&ctx);
    assert_eq!(l[0].why, Why::Stay { gap: 7000 });
    let plan = plan_transition(&sys, 0, 1, &a, &b2, 0, &PlanOptions::default()).unwrap();
    assert_eq!(outcome(&plan, "c").unavailability, Some(7000));
}

mod props {
    use super::*;
    use proptest::prelude::*;

    /// Each module's memory: the most either table places on it, plus
    /// `slack` (0 makes destinations full until the switch point).
    fn tight_memory(sys: &mut System, s: &[Schedule], slack: u64) {
        let mut need = vec![0u64; sys.modules.len()];
        for t in s {
            let mut used = vec![0u64; sys.modules.len()];
            for p in &t.placement {
                let (Some(m), Some(id)) = (
                    sys.module_by_name(&p.module),
                    sys.program_by_name(&p.program),
                ) else {
                    continue;
                };
                used[m] += sys.programs[id].memory;
            }
            for (n, u) in need.iter_mut().zip(used) {
                *n = (*n).max(u);
            }
        }
        for (m, n) in sys.modules.iter_mut().zip(need) {
            m.memory = n + slack;
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]

        /// Soundness: on small generated systems, whenever the search
        /// (without the proof) finds a plan, no lower bound exceeds the
        /// unavailability it gives (so "proven: no plan exists" is never
        /// said of a switch that has a plan), and with the proof on the
        /// verdict is a plan too.
        #[test]
        fn lower_bounds_never_exceed_a_plan(
            seed in 0u64..1_000_000,
            programs in 3usize..8,
            modules in 2usize..4,
            slack in prop_oneof![Just(0u64), Just(1u64 << 20), Just(1u64 << 30)],
            request in 0u64..500,
        ) {
            let params = seamless_gen::GenParams {
                programs,
                modules,
                messages: 2,
                modes: 2,
                seed,
                periods_us: vec![250, 500],
                unavailability_percent: 50,
                ..seamless_gen::GenParams::default()
            };
            let (g, s) = seamless_gen::feasible(&params);
            let mut sys = g.load().unwrap();
            tight_memory(&mut sys, &s, slack);
            let budget = PlanOptions { budget: 20_000, prove: false, ..PlanOptions::default() };
            let ha = s[0].major_frame;
            let r = request % ha;
            let ctx = Ctx::new(&sys, 0, 1, &s[0], &s[1]).unwrap();
            match plan_transition(&sys, 0, 1, &s[0], &s[1], r, &budget) {
                Ok(plan) => {
                    for l in lower_bounds(&ctx) {
                        let name = &ctx.progs[l.pi].name;
                        let u = outcome(&plan, name).unavailability.unwrap();
                        prop_assert!(l.at_least <= u, "{}: {} > {} ({:?})", name, l.at_least, u, l.why);
                    }
                    let with = PlanOptions { prove: true, ..budget.clone() };
                    prop_assert!(plan_transition(&sys, 0, 1, &s[0], &s[1], r, &with).is_ok());
                }
                Err(_) => {
                    // without the bounds, the search may still plan: the
                    // lower bounds hold for that plan too
                    let mut free = sys.clone();
                    for p in free.programs.iter_mut() {
                        p.max_unavailability = None;
                    }
                    let ctx = Ctx::new(&free, 0, 1, &s[0], &s[1]).unwrap();
                    if let Ok(plan) = plan_transition(&free, 0, 1, &s[0], &s[1], r, &budget) {
                        for l in lower_bounds(&ctx) {
                            let name = &ctx.progs[l.pi].name;
                            let u = outcome(&plan, name).unavailability.unwrap();
                            prop_assert!(l.at_least <= u, "{}: {} > {} ({:?})", name, l.at_least, u, l.why);
                        }
                    }
                }
            }
        }
    }

    /// A drawn program: memory (KiB), working set (KiB), dirty per job
    /// (KiB), wcet, old and new job offsets, old and new module.
    type Drawn = (u64, u64, u64, u64, u64, u64, usize, usize);

    /// The drawn tuples with the working set and the dirty set turned from
    /// percentages (of the memory, of the working set) into KiB.
    fn drawn(progs: Vec<Drawn>) -> Vec<Drawn> {
        progs
            .into_iter()
            .map(|(m, w, d, wcet, oa, ob, ma, mb)| {
                let w = m * w / 100;
                (m, w, w * d / 100, wcet, oa, ob, ma, mb)
            })
            .collect()
    }

    /// One program on hand-made tables: sizes, job instants, memory (tight
    /// or not), request instant, and whether it migrates, all drawn.
    fn hand_case(progs: &[Drawn], bounds: &[u64], tight: bool) -> (System, Schedule, Schedule) {
        let decl: Vec<String> = progs
            .iter()
            .enumerate()
            .map(|(i, &(m, w, d, wcet, _, _, _, _))| {
                let bound = match bounds.get(i) {
                    Some(&b) if b > 0 => format!(r#", max_unavailability: "{}us""#, 10_000 + b * 500),
                    _ => String::new(),
                };
                format!(
                    r#"Program(name: "p{i}", memory: "{m}KiB", working_set: "{w}KiB", dirty_per_job: "{d}KiB", wcet: "{wcet}us", period: "10ms"{bound})"#
                )
            })
            .collect();
        let names: Vec<String> = (0..progs.len()).map(|i| format!("\"p{i}\"")).collect();
        let pins = |b: bool| -> String {
            progs
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    format!(
                        r#"Pin(program: "p{i}", module: "cm{}")"#,
                        1 + if b { x.7 } else { x.6 }
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        // memory: the most either table places on a module, or plenty
        let mut need = [0u64; 3];
        for b in [false, true] {
            let mut used = [0u64; 3];
            for x in progs {
                used[if b { x.7 } else { x.6 }] += x.0;
            }
            for k in 0..3 {
                need[k] = need[k].max(used[k]);
            }
        }
        let mem = if tight {
            need.iter().max().copied().unwrap_or(0).max(1)
        } else {
            1 << 20
        };
        let sys = load_sys(
            &platform(&format!("{mem}KiB"), &decl.join(", "), ""),
            &[
                ("a", &mode("a", &names.join(", "), &pins(false), None)),
                ("b", &mode("b", &names.join(", "), &pins(true), None)),
            ],
        );
        let table = |name: &str, b: bool| {
            let place: Vec<(String, String, u32)> = progs
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    (
                        format!("p{i}"),
                        format!("cm{}", 1 + if b { x.7 } else { x.6 }),
                        0,
                    )
                })
                .collect();
            let jobs: Vec<(String, Vec<(u64, u64)>)> = progs
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    let off = i as u64 * 3000 + if b { x.5 } else { x.4 };
                    (format!("p{i}"), vec![(off, off + x.3)])
                })
                .collect();
            let place_ref: Vec<(&str, &str, u32)> = place
                .iter()
                .map(|(p, m, c)| (p.as_str(), m.as_str(), *c))
                .collect();
            let jobs_ref: Vec<(&str, &[(u64, u64)])> = jobs
                .iter()
                .map(|(p, j)| (p.as_str(), j.as_slice()))
                .collect();
            sched(name, 10_000, &place_ref, &jobs_ref, &[])
        };
        let (a, b) = (table("a", false), table("b", true));
        (sys, a, b)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(150))]

        /// Soundness on hand-made tables where programs migrate: every
        /// lower bound is at most the unavailability of the plan found
        /// without the proof.
        #[test]
        fn lower_bounds_never_exceed_a_migration_plan(
            progs in proptest::collection::vec(
                (64u64..8192, 0u64..=100, 0u64..=100, 200u64..2000, 0u64..1000, 0u64..1000, 0usize..3, 0usize..3),
                1..4,
            ),
            bounds in proptest::collection::vec(0u64..60, 3),
            tight in any::<bool>(),
            request in 0u64..10_000,
        ) {
            // (memory KiB, working set %, dirty % of it, wcet, old offset,
            // new offset, old module, new module)
            let progs = drawn(progs);
            let (sys, a, b) = hand_case(&progs, &bounds, tight);
            let opts = PlanOptions { budget: 200_000, prove: false, ..PlanOptions::default() };
            let ctx = Ctx::new(&sys, 0, 1, &a, &b).unwrap();
            if below_plan(&sys, &a, &b, request, &opts) {
                prop_assert!(crate::proof::infeasible(&ctx).is_empty());
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100))]

        /// Soundness where the simple case does not reach: links of
        /// different speeds (the slowest hop, the fastest links of an
        /// intermediary and the link into the destination differ) and every
        /// bound just above the program's own lower bound, so that plans
        /// found meet the bounds with little or no slack (a review's
        /// suggestion, session 16).
        #[test]
        fn lower_bounds_hold_on_mixed_links_near_the_bound(
            progs in proptest::collection::vec(
                (64u64..8192, 0u64..=100, 0u64..=100, 200u64..2000, 0u64..1000, 0u64..1000, 0usize..3, 0usize..3),
                1..4,
            ),
            bws in proptest::collection::vec(
                proptest::sample::select(vec![10_000_000u64, 100_000_000, 1_000_000_000, 5_000_000_000]),
                3,
            ),
            slack in proptest::sample::select(vec![0u64, 500, 3_000, 20_000]),
            tight in any::<bool>(),
            request in 0u64..10_000,
        ) {
            let progs = drawn(progs);
            let (mut sys, a, b) = hand_case(&progs, &[], tight);
            for (l, bw) in sys.network.links.iter_mut().zip(&bws) {
                l.bandwidth = *bw;
            }
            let lows: Vec<(String, u64)> = {
                let ctx = Ctx::new(&sys, 0, 1, &a, &b).unwrap();
                lower_bounds(&ctx)
                    .into_iter()
                    .map(|l| (ctx.progs[l.pi].name.clone(), l.at_least))
                    .collect()
            };
            for (name, low) in &lows {
                if let Some(p) = sys.programs.iter_mut().find(|p| &p.name == name) {
                    p.max_unavailability = Some(low.saturating_add(slack));
                }
            }
            let opts = PlanOptions { budget: 200_000, prove: false, ..PlanOptions::default() };
            let ctx = Ctx::new(&sys, 0, 1, &a, &b).unwrap();
            prop_assert!(crate::proof::infeasible(&ctx).is_empty());
            below_plan(&sys, &a, &b, request, &opts);
        }
    }
}
