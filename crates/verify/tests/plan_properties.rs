//! Properties of the plan verifier over random mutations of the hand-made
//! valid plans: every mutation of the family is caught with its rule; a
//! single misreported value is exactly one violation; the order of list
//! entries carries no meaning; arbitrary numbers never panic or hang, and
//! the report is deterministic.

mod plan_fixture;

use plan_fixture::*;
use proptest::prelude::*;
use seamless_model::plan::{JobRef, Plan};
use seamless_verify::{PlanRule, verify_plan};

fn plans() -> Vec<Plan> {
    all().into_iter().map(|(_, p)| p).collect()
}

/// Shifts a whole chunk by `d` ticks (every hop).
fn shift(p: &mut Plan, ci: usize, d: i128) {
    for h in &mut p.transfers[ci].hops {
        h.start = (i128::from(h.start) + d) as u64;
        h.end = (i128::from(h.end) + d) as u64;
    }
}

#[derive(Debug, Clone, Copy)]
enum Mutation {
    DropChunk,
    ResizeChunk,
    HopTooEarly,
    StretchHop,
    Misreport,
    SkipRunningJob,
    Unskip,
    WrongExtra,
    LateLastArrival,
    OntoMessage,
}

const ALL: [Mutation; 10] = [
    Mutation::DropChunk,
    Mutation::ResizeChunk,
    Mutation::HopTooEarly,
    Mutation::StretchHop,
    Mutation::Misreport,
    Mutation::SkipRunningJob,
    Mutation::Unskip,
    Mutation::WrongExtra,
    Mutation::LateLastArrival,
    Mutation::OntoMessage,
];

/// Applies a mutation chosen by `a` and `b`; returns the rule it must break
/// (`None`: any rule), or `None` overall if it does not apply to this plan.
fn apply(m: Mutation, p: &mut Plan, a: u64, b: u64) -> Option<Option<PlanRule>> {
    let nc = p.transfers.len();
    let ci = (a % nc as u64) as usize;
    match m {
        Mutation::DropChunk => {
            p.transfers.remove(ci);
            Some(None)
        }
        Mutation::ResizeChunk => {
            let t = &mut p.transfers[ci];
            let d = 1 + b % 500;
            let bytes = if a.is_multiple_of(2) || t.bytes <= d {
                t.bytes + d
            } else {
                t.bytes - d
            };
            let hops: Vec<(String, String, u64)> = t
                .hops
                .iter()
                .map(|h| (h.from.clone(), h.to.clone(), h.start))
                .collect();
            let hops: Vec<(&str, &str, u64)> = hops
                .iter()
                .map(|(x, y, s)| (x.as_str(), y.as_str(), *s))
                .collect();
            let (program, phase) = (t.program.clone(), t.phase.clone());
            *t = ch(&program, &phase, bytes, &hops);
            Some(Some(PlanRule::PhaseBytes))
        }
        Mutation::HopTooEarly => {
            let hops = &mut p.transfers[ci].hops;
            let j = 1 + (b as usize) % (hops.len() - 1);
            let d = hops[j].end - hops[j].start;
            let start = hops[j - 1].end + 5 - (1 + (a / 7) % 300).min(hops[j - 1].end + 5);
            hops[j].start = start;
            hops[j].end = start + d;
            Some(Some(PlanRule::HopBeforePrevious))
        }
        Mutation::StretchHop => {
            let hops = &mut p.transfers[ci].hops;
            let j = (b as usize) % hops.len();
            let d = 1 + (a / 7) % 100;
            if b.is_multiple_of(2) {
                hops[j].end += d;
            } else {
                hops[j].end -= d.min(hops[j].end - hops[j].start);
            }
            Some(Some(PlanRule::HopDuration))
        }
        Mutation::Misreport => {
            let d = 1 + b % 1_000;
            let mg = &mut p.migrations[0];
            let mt = &mut p.metrics;
            let field: &mut u64 = match a % 16 {
                0 => &mut p.complete,
                1 => &mut mg.resume,
                2 => &mut mg.eviction,
                3 => &mut mg.total_time,
                4 => &mut mg.downtime,
                5 => &mut mg.bytes,
                6 => &mut mg.degradation,
                7 => &mut mt.transition_latency,
                8 => &mut mt.eviction_time,
                9 => &mut mt.total_migration_time,
                10 => &mut mt.max_downtime,
                11 => &mut mt.bytes,
                12 => &mut mt.degradation,
                13 => p.programs[0].unavailability.as_mut()?,
                14 => p.programs[1].unavailability.as_mut()?,
                _ => p.programs[2].bound.as_mut()?,
            };
            *field += d;
            Some(Some(PlanRule::Misreported))
        }
        Mutation::SkipRunningJob => {
            let index = 1 + b % 5;
            p.skipped.push(JobRef {
                program: "p".into(),
                index,
            });
            Some(Some(PlanRule::WrongSkip))
        }
        Mutation::Unskip => {
            if p.skipped.is_empty() {
                return None;
            }
            p.skipped.clear();
            Some(Some(PlanRule::MissingSkip))
        }
        Mutation::WrongExtra => {
            let e = p.extended.first_mut()?;
            let d = 1 + b % 200;
            e.extra = if a.is_multiple_of(2) {
                e.extra + d
            } else {
                e.extra - d.min(e.extra)
            };
            if e.extra == 0 {
                return Some(Some(PlanRule::UnexpectedExtended));
            }
            Some(Some(PlanRule::WrongExtra))
        }
        Mutation::LateLastArrival => {
            let last = (0..nc)
                .filter(|&i| p.transfers[i].phase != "scatter")
                .max_by_key(|&i| p.transfers[i].hops.last().map(|h| h.end))?;
            let h = p.transfers[last].hops.last_mut()?;
            let d = 1 + b % 1_000;
            h.start += d;
            h.end += d;
            Some(None)
        }
        Mutation::OntoMessage => {
            // a hop on a direction m uses, moved onto m's slot in A's
            // frame 0 ([2000, 2010) on cm1→sw1, [2015, 2025) on sw1→cm2)
            let t = &p.transfers[ci];
            let (j, slot) = t.hops.iter().enumerate().find_map(|(j, h)| {
                match (h.from.as_str(), h.to.as_str()) {
                    ("cm1", "sw1") => Some((j, 2_000u64)),
                    ("sw1", "cm2") => Some((j, 2_015u64)),
                    _ => None,
                }
            })?;
            let h = &t.hops[j];
            let dur = h.end - h.start;
            // starts in (slot − dur, slot + 10)
            let start = slot + 1 + b % (dur + 9) - dur;
            let d = i128::from(start) - i128::from(h.start);
            if t.hops.iter().any(|h| i128::from(h.start) + d < 0) {
                return None;
            }
            shift(p, ci, d);
            Some(Some(PlanRule::OverlapsTable))
        }
    }
}

fn numeric_fields(p: &mut Plan) -> Vec<&mut u64> {
    let mut v: Vec<&mut u64> = vec![
        &mut p.request,
        &mut p.switch,
        &mut p.b_start,
        &mut p.complete,
    ];
    for m in &mut p.migrations {
        v.extend([
            &mut m.resume,
            &mut m.eviction,
            &mut m.total_time,
            &mut m.downtime,
            &mut m.bytes,
            &mut m.degradation,
        ]);
    }
    for t in &mut p.transfers {
        v.push(&mut t.bytes);
        for h in &mut t.hops {
            v.push(&mut h.start);
            v.push(&mut h.end);
        }
    }
    for s in &mut p.skipped {
        v.push(&mut s.index);
    }
    for e in &mut p.extended {
        v.push(&mut e.index);
        v.push(&mut e.extra);
    }
    for s in [&mut p.from_schedule, &mut p.to_schedule] {
        v.push(&mut s.major_frame);
        for j in &mut s.jobs {
            v.push(&mut j.start);
            v.push(&mut j.end);
            v.push(&mut j.index);
        }
        for t in &mut s.transmissions {
            for h in &mut t.hops {
                v.push(&mut h.start);
                v.push(&mut h.end);
            }
        }
    }
    v
}

fn extreme() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        Just(1u64),
        Just(u64::MAX),
        Just(u64::MAX / 2),
        Just(1u64 << 40),
        0u64..100_000,
        any::<u64>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_mutation_is_caught(plan in 0usize..5, kind in 0usize..ALL.len(), a in any::<u64>(), b in any::<u64>()) {
        let sys = system();
        let mut p = plans().swap_remove(plan);
        let m = ALL[kind];
        let Some(rule) = apply(m, &mut p, a, b) else {
            return Ok(());
        };
        let r = verify_plan(&sys, &p);
        prop_assert!(!r.is_valid(), "{m:?} not caught");
        if let Some(rule) = rule {
            prop_assert!(r.has(rule), "{m:?}: expected [{rule}]:\n{r}");
        }
        if matches!(m, Mutation::Misreport) {
            // one wrong number, one violation
            prop_assert_eq!(r.total(), 1, "{}", r);
        }
    }

    #[test]
    fn order_carries_no_meaning(plan in 0usize..5, seed in any::<u64>()) {
        let mut p = plans().swap_remove(plan);
        let mut x = seed | 1;
        let mut next = move |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n.max(1) as u64) as usize
        };
        fn shuffle<T>(v: &mut [T], next: &mut impl FnMut(usize) -> usize) {
            for i in (1..v.len()).rev() {
                v.swap(i, next(i + 1));
            }
        }
        shuffle(&mut p.transfers, &mut next);
        shuffle(&mut p.programs, &mut next);
        shuffle(&mut p.from_schedule.jobs, &mut next);
        shuffle(&mut p.to_schedule.jobs, &mut next);
        shuffle(&mut p.from_schedule.placement, &mut next);
        shuffle(&mut p.to_schedule.placement, &mut next);
        let r = verify_plan(&system(), &p);
        prop_assert!(r.is_valid(), "{}", r);
    }

    #[test]
    fn arbitrary_numbers_never_panic(plan in 0usize..5, picks in proptest::collection::vec((any::<u64>(), extreme()), 1..4)) {
        let sys = system();
        let mut p = plans().swap_remove(plan);
        for (i, value) in picks {
            let mut fields = numeric_fields(&mut p);
            let n = fields.len() as u64;
            *fields[(i % n) as usize] = value;
        }
        let r1 = verify_plan(&sys, &p);
        let r2 = verify_plan(&sys, &p);
        prop_assert_eq!(&r1, &r2);
        // the plan's own violations render (the tables' are rendered by the
        // schedule verifier's Display, whose HopBeforeParent text adds
        // `parent.end + latency` in u64 and overflows on u64::MAX)
        let text = |r: &seamless_verify::PlanReport| -> Vec<String> {
            r.violations.iter().map(ToString::to_string).collect()
        };
        prop_assert_eq!(text(&r1), text(&r2));
    }
}
