//! The plan verifier on hand-computed plans: one valid plan per scheme, and
//! a family of mutations, each caught with the specific violation.

mod plan_fixture;

use plan_fixture::*;
use seamless_model::System;
use seamless_model::plan::{Action, JobRef, Plan, Scheme};
use seamless_verify::{
    PlanReport, PlanRule, PlanViolation, ViaProblem, parse_plan_json, parse_plan_ron, verify_plan,
};

fn verify(p: &Plan) -> PlanReport {
    verify_plan(&system(), p)
}

#[track_caller]
fn assert_valid(sys: &System, p: &Plan) {
    let r = verify_plan(sys, p);
    assert!(r.is_valid(), "\n{r}");
}

/// Asserts that the plan breaks `rule` (and maybe others that follow).
#[track_caller]
fn breaks(p: &Plan, rule: PlanRule) -> PlanReport {
    breaks_on(&system(), p, rule)
}

#[track_caller]
fn breaks_on(sys: &System, p: &Plan, rule: PlanRule) -> PlanReport {
    let r = verify_plan(sys, p);
    assert!(r.has(rule), "expected [{rule}]:\n{r}");
    r
}

/// Asserts that the plan breaks exactly these rules, both tables being valid.
#[track_caller]
fn exactly(p: &Plan, rules: &[PlanRule]) -> PlanReport {
    let r = verify(p);
    let mut e = rules.to_vec();
    e.sort_unstable();
    assert!(
        r.from_schedule.is_valid() && r.to_schedule.is_valid(),
        "\n{r}"
    );
    assert_eq!(r.rules(), e, "\n{r}");
    r
}

fn misreported(r: &PlanReport) -> Vec<(String, &'static str)> {
    r.violations
        .iter()
        .filter_map(|v| match v {
            PlanViolation::Misreported { subject, field, .. } => Some((subject.clone(), *field)),
            _ => None,
        })
        .collect()
}

#[test]
fn every_scheme_has_a_valid_plan() {
    let sys = system();
    for (name, p) in all() {
        let r = verify_plan(&sys, &p);
        assert!(r.is_valid(), "{name}:\n{r}");
        assert_eq!(r.to_string(), "the plan is valid\n");
    }
    // the post-copy plan with p's destination job later in its frame
    assert_valid(&sys, &post_copy_at(7_000));
}

#[test]
fn plans_round_trip_through_json_and_ron() {
    for (name, p) in all() {
        let json = serde_json::to_string_pretty(&p).unwrap();
        let back = parse_plan_json(&json).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(back, p);
        let ron = ron::ser::to_string_pretty(&p, ron::ser::PrettyConfig::default()).unwrap();
        assert_eq!(parse_plan_ron(&ron).unwrap(), p);
        assert!(verify(&back).is_valid());
    }
}

// ---- the mutation family of the brief --------------------------------------

#[test]
fn chunk_on_a_message_slot_of_a() {
    // pre-copy round 1 leaves at 2000, when m#0 holds cm1→sw1
    let mut p = pre_copy();
    p.transfers[0] = ch(
        "p",
        "round-1",
        2_000,
        &[("cm1", "sw1", 2_000), ("sw1", "cm2", 2_215)],
    );
    let r = breaks(&p, PlanRule::OverlapsTable);
    let v = r
        .violations
        .iter()
        .find(|v| v.rule() == PlanRule::OverlapsTable)
        .unwrap();
    assert_eq!(
        v.to_string(),
        "hop cm1→sw1 [2000, 2200) of chunk #0 (`p` round-1, 2000 B) overlaps the transmission of m#0 in frame 0 of the `from` table (`a`), [2000, 2010) on that link direction"
    );
}

#[test]
fn chunk_on_a_message_slot_of_b() {
    // post-copy pages on cm1→sw1 at 22000: m#0 of B's second frame
    let mut p = post_copy();
    p.transfers[2] = ch(
        "p",
        "pages",
        2_000,
        &[("cm1", "sw1", 21_995), ("sw1", "cm2", 22_200)],
    );
    let r = breaks(&p, PlanRule::OverlapsTable);
    assert!(r.violations.iter().any(|v| matches!(
        v,
        PlanViolation::OverlapsTable {
            frame: 1,
            start: 22_000,
            end: 22_010,
            ..
        }
    )));
    // the message of B's first frame too, on the second hop
    let mut p = stop_and_copy();
    p.transfers[0] = ch(
        "p",
        "copy",
        2_000,
        &[("cm1", "sw1", 11_800), ("sw1", "cm2", 12_005)],
    );
    breaks(&p, PlanRule::OverlapsTable);
}

#[test]
fn dropped_chunk() {
    for (name, p) in all() {
        let mut q = p.clone();
        q.transfers.remove(q.transfers.len() - 1);
        let r = verify(&q);
        assert!(r.has(PlanRule::PhaseBytes), "{name}:\n{r}");
    }
}

#[test]
fn migrated_program_started_before_its_last_byte() {
    // un-skip p#0, which starts at 15000 before the last byte at 15560
    let mut p = stop_and_copy();
    p.skipped.clear();
    let r = exactly(&p, &[PlanRule::MissingSkip]);
    assert_eq!(
        r.violations[0].to_string(),
        "destination job p#0 starts at 15000, before the program may run at 15560, but is not skipped"
    );
    // skip a job that may run
    let mut p = stop_and_copy();
    p.skipped.push(JobRef {
        program: "p".into(),
        index: 1,
    });
    exactly(&p, &[PlanRule::WrongSkip]);
    // skipped twice
    let mut p = stop_and_copy();
    p.skipped.push(p.skipped[0].clone());
    exactly(&p, &[PlanRule::DuplicateEntry]);
    // a skip for a program that continues
    let mut p = stop_and_copy();
    p.skipped.push(JobRef {
        program: "q".into(),
        index: 0,
    });
    let r = exactly(&p, &[PlanRule::NotMigrated]);
    assert!(
        r.violations[0]
            .to_string()
            .contains("its action is `continue`")
    );
}

#[test]
fn undercounted_dirty_round() {
    // round 2 carries 800 of the 1000 dirtied by one source job
    let mut p = pre_copy();
    p.transfers[2] = ch(
        "p",
        "round-2",
        800,
        &[("cm1", "sw1", 10_500), ("sw1", "cm2", 10_585)],
    );
    let r = breaks(&p, PlanRule::PhaseBytes);
    let v = r
        .violations
        .iter()
        .find(|v| v.rule() == PlanRule::PhaseBytes)
        .unwrap();
    assert_eq!(
        v.to_string(),
        "migration `p`: `round-2` carries 800 B, but must carry 1000 B (min(W, D·n) = min(1000, 1000·1), n = 1 source job(s) ending after round 1 began at 2010 and starting before round 2 began at 10500)"
    );
    // the final set undercounted
    let mut p = pre_copy();
    p.transfers[3] = ch(
        "p",
        "final",
        1_000,
        &[("cm1", "sw1", 11_000), ("sw1", "cm2", 11_105)],
    );
    let r = breaks(&p, PlanRule::PhaseBytes);
    assert!(r.violations.iter().any(|v| matches!(
        v,
        PlanViolation::PhaseBytes { phase, found: 1_000, expected: 1_500, .. } if phase == "final"
    )));
    // a round 2 that begins after the job [10000, 11000) started counts it
    // and the job before: begin round 2 at 9000 → n = 0, nothing to send
    let mut p = pre_copy();
    p.transfers[2] = ch(
        "p",
        "round-2",
        1_000,
        &[("cm1", "sw1", 9_000), ("sw1", "cm2", 9_105)],
    );
    let r = breaks(&p, PlanRule::PhaseBytes);
    assert!(
        r.violations
            .iter()
            .any(|v| matches!(v, PlanViolation::PhaseBytes { expected: 0, .. }))
    );
}

#[test]
fn overfilled_module() {
    // cm2 holds r, s and p's incoming copy (9000 B) from 2215 to S
    let sys = system_with(&Knobs {
        cm2_memory: "8500B",
        ..Knobs::default()
    });
    let r = breaks_on(&sys, &pre_copy(), PlanRule::MemoryExceeded);
    assert!(r.from_schedule.is_valid() && r.to_schedule.is_valid());
    assert_eq!(r.rules(), vec![PlanRule::MemoryExceeded]);
    assert_eq!(
        r.violations[0].to_string(),
        "from 2215, `cm2` holds 9000 B, more than its 8500 B: `p (destination)`, `r`, `s`"
    );
    // stop-and-copy arrives after S, when s has stopped: 6000 B fit
    assert_valid(&sys, &stop_and_copy());
    // scatter-gather fills cm2 from 2625, before S
    breaks_on(&sys, &scatter_gather(), PlanRule::MemoryExceeded);
}

#[test]
fn smaller_downtime_claimed() {
    for (name, p) in all() {
        let mut q = p.clone();
        q.migrations[0].downtime -= 1;
        q.metrics.max_downtime -= 1;
        let r = verify(&q);
        assert_eq!(r.rules(), vec![PlanRule::Misreported], "{name}:\n{r}");
        assert_eq!(
            misreported(&r),
            vec![
                ("migration `p`".to_string(), "downtime"),
                ("metrics".to_string(), "max_downtime")
            ]
        );
    }
}

#[test]
fn hop_before_the_previous_one_plus_latency() {
    // the first gather chunk's second hop 3 ticks too early
    let mut p = scatter_gather();
    p.transfers[3] = ch(
        "p",
        "gather",
        2_000,
        &[("cm3", "sw1", 2_420), ("sw1", "cm2", 2_622)],
    );
    let r = breaks(&p, PlanRule::HopBeforePrevious);
    assert_eq!(
        r.violations
            .iter()
            .find(|v| v.rule() == PlanRule::HopBeforePrevious)
            .unwrap()
            .to_string(),
        "hop sw1→cm2 [2622, 2822) of chunk #3 (`p` gather, 2000 B) starts before 2625, the end of the previous hop cm3→sw1 plus its latency of 5"
    );
}

#[test]
fn misreported_complete_and_metrics() {
    let mut p = post_copy();
    p.complete += 1;
    let r = exactly(&p, &[PlanRule::Misreported]);
    assert_eq!(
        r.violations[0].to_string(),
        "the plan: `complete` is 16261, but the rules give 16260"
    );
    for field in 0..6 {
        let mut p = hybrid();
        let m = &mut p.metrics;
        let (x, name) = match field {
            0 => (&mut m.transition_latency, "transition_latency"),
            1 => (&mut m.eviction_time, "eviction_time"),
            2 => (&mut m.total_migration_time, "total_migration_time"),
            3 => (&mut m.max_downtime, "max_downtime"),
            4 => (&mut m.bytes, "bytes"),
            _ => (&mut m.degradation, "degradation"),
        };
        *x += 7;
        let r = exactly(&p, &[PlanRule::Misreported]);
        assert_eq!(misreported(&r), vec![("metrics".to_string(), name)]);
    }
    for field in 0..6 {
        let mut p = scatter_gather();
        let m = &mut p.migrations[0];
        let (x, name) = match field {
            0 => (&mut m.resume, "resume"),
            1 => (&mut m.eviction, "eviction"),
            2 => (&mut m.total_time, "total_time"),
            3 => (&mut m.downtime, "downtime"),
            4 => (&mut m.bytes, "bytes"),
            _ => (&mut m.degradation, "degradation"),
        };
        *x += 1;
        let r = exactly(&p, &[PlanRule::Misreported]);
        assert_eq!(misreported(&r), vec![("migration `p`".to_string(), name)]);
    }
}

// ---- more rules --------------------------------------------------------

#[test]
fn extended_jobs() {
    // wrong extra
    let mut p = post_copy();
    p.extended[0].extra = 130;
    let r = exactly(&p, &[PlanRule::WrongExtra]);
    assert_eq!(
        r.violations[0].to_string(),
        "destination job p#0 is extended by 130, but its page faults give 260"
    );
    // not listed (the degradation still counts it)
    let mut p = hybrid();
    p.extended.clear();
    let r = exactly(&p, &[PlanRule::MissingExtended]);
    assert_eq!(
        r.violations[0].to_string(),
        "destination job p#0 starting at 25000 runs 260 longer (page faults) but is not listed as extended"
    );
    // a job that does not run longer
    let mut p = post_copy();
    p.extended.push(seamless_model::plan::Extended {
        program: "p".into(),
        index: 1,
        extra: 260,
    });
    exactly(&p, &[PlanRule::UnexpectedExtended]);
    // extended jobs under stop-and-copy
    let mut p = stop_and_copy();
    p.extended.push(seamless_model::plan::Extended {
        program: "p".into(),
        index: 1,
        extra: 1,
    });
    exactly(&p, &[PlanRule::UnexpectedExtended]);
    // pages that arrive before the job begins: no fault
    let mut p = post_copy();
    p.transfers[1] = ch(
        "p",
        "pages",
        2_000,
        &[("cm1", "sw1", 2_060), ("sw1", "cm2", 2_265)],
    );
    let r = breaks(&p, PlanRule::UnexpectedExtended);
    assert!(r.has(PlanRule::Misreported));
}

#[test]
fn extended_job_leaves_its_window() {
    // p's B job at [18800, 19800) runs to 20060, past its window end 20000
    let p = post_copy_at(8_800);
    let r = exactly(&p, &[PlanRule::ExtendedOutsideWindow]);
    assert_eq!(
        r.violations[0].to_string(),
        "extended job p#0 [18800, 20060) ends after its window closes at 20000"
    );
}

#[test]
fn extended_job_overlaps_the_next_job_on_its_core() {
    let b_mode = B_MODE.replace(
        "Pin(program: \"t\", module: \"cm1\", core: 1)",
        "Pin(program: \"t\", module: \"cm2\", core: 1)",
    );
    let sys = system_with(&Knobs {
        b_mode,
        ..Knobs::default()
    });
    let mut p = post_copy();
    for pl in &mut p.to_schedule.placement {
        if pl.program == "t" {
            pl.module = "cm2".into();
        }
    }
    for j in &mut p.to_schedule.jobs {
        if j.program == "t" {
            (j.module, j.start, j.end) = ("cm2".into(), 6_100, 7_100);
        }
    }
    let r = breaks_on(&sys, &p, PlanRule::ExtendedOverlap);
    assert!(r.to_schedule.is_valid(), "{r}");
    assert!(
        r.to_string().contains(
            "extended job p#0 [15000, 16260) on cm2/core 1 overlaps job t#0 [16100, 17100)"
        )
    );
}

#[test]
fn extended_sender_under_precedence() {
    // B sends pn (p → t, precedence) right after p's job: [16000, 16010)
    let b_mode = B_MODE.replace("messages: [\"m\"]", "messages: [\"m\", \"pn\"]");
    let sys = system_with(&Knobs {
        b_mode,
        ..Knobs::default()
    });
    let mut p = post_copy();
    for j in &mut p.to_schedule.jobs {
        if j.program == "t" {
            (j.start, j.end) = (7_000, 8_000);
        }
    }
    p.to_schedule
        .transmissions
        .push(seamless_model::schedule::Transmission {
            message: "pn".into(),
            index: 0,
            hops: vec![
                hop("cm2", "sw1", 6_000, 6_010),
                hop("sw1", "cm1", 6_015, 6_025),
            ],
        });
    let r = breaks_on(&sys, &p, PlanRule::ExtendedPrecedence);
    assert!(r.to_schedule.is_valid(), "{r}");
    assert!(r.to_string().contains(
        "extended job p#0 ends at 16260, after its message `pn` leaves at 16000 (precedence)"
    ));
    // the receiver on p's module (cm2/0, after r), which starts when p's
    // job ends without the extension
    let b_mode = B_MODE
        .replace("messages: [\"m\"]", "messages: [\"m\", \"pn\"]")
        .replace(
            "Pin(program: \"t\", module: \"cm1\", core: 1)",
            "Pin(program: \"t\", module: \"cm2\", core: 0)",
        );
    let sys = system_with(&Knobs {
        b_mode,
        ..Knobs::default()
    });
    let mut p = post_copy();
    for pl in &mut p.to_schedule.placement {
        if pl.program == "t" {
            (pl.module, pl.core) = ("cm2".into(), 0);
        }
    }
    for j in &mut p.to_schedule.jobs {
        if j.program == "t" {
            (j.module, j.core, j.start, j.end) = ("cm2".into(), 0, 6_000, 7_000);
        }
    }
    let r = breaks_on(&sys, &p, PlanRule::ExtendedPrecedence);
    assert!(r.to_schedule.is_valid(), "{r}");
    assert!(r.to_string().contains(
        "extended job p#0 ends at 16260, after its local receiver `t` of `pn` starts at 16000 (precedence)"
    ));
}

#[test]
fn unavailability_bound() {
    // the stop-and-copy gap is 25000 (1000 → 26000)
    let sys = system_with(&Knobs {
        p_bound: "20ms",
        ..Knobs::default()
    });
    let mut p = stop_and_copy();
    p.programs[0].bound = Some(20_000);
    let r = verify_plan(&sys, &p);
    assert_eq!(r.rules(), vec![PlanRule::UnavailabilityExceeded], "{r}");
    assert_eq!(
        r.violations[0].to_string(),
        "program `p` completes at 1000 and next at 26000, 25000 apart, more than its max_unavailability of 20000"
    );
    // the other schemes keep p within 20 ms
    for (name, mut p) in all().into_iter().skip(1) {
        p.programs[0].bound = Some(20_000);
        let r = verify_plan(&sys, &p);
        assert!(r.is_valid(), "{name}: {r}");
    }
    // r's bound of 10 ms breaks when B starts later
    let mut p = scatter_gather();
    p.b_start += 1;
    let r = breaks(&p, PlanRule::UnavailabilityExceeded);
    assert!(
        r.to_string()
            .contains("program `r` completes at 4000 and next at 14001")
    );
}

#[test]
fn programs_list() {
    let mut p = pre_copy();
    p.programs[1].action = Action::Migrate;
    let r = exactly(&p, &[PlanRule::WrongAction]);
    assert_eq!(
        r.violations[0].to_string(),
        "program `q`: action `migrate`, but the placements make it `continue`"
    );
    let mut p = pre_copy();
    p.programs[3].unavailability = Some(1);
    p.programs[1].bound = Some(10_000);
    p.programs[0].unavailability = None;
    let r = exactly(&p, &[PlanRule::Misreported]);
    assert_eq!(
        misreported(&r),
        vec![
            ("program `p`".to_string(), "unavailability"),
            ("program `q`".to_string(), "bound"),
            ("program `s`".to_string(), "unavailability"),
        ]
    );
    let mut p = pre_copy();
    p.programs.remove(4);
    p.programs.push(p.programs[0].clone());
    p.programs.push(seamless_model::plan::ProgramOutcome {
        program: "zz".into(),
        action: Action::Stop,
        unavailability: None,
        bound: None,
    });
    exactly(
        &p,
        &[
            PlanRule::MissingOutcome,
            PlanRule::DuplicateEntry,
            PlanRule::UnknownProgram,
        ],
    );
}

#[test]
fn migrations_list() {
    let mut p = hybrid();
    p.migrations[0].to.core = 0;
    let r = exactly(&p, &[PlanRule::WrongSlot]);
    assert_eq!(
        r.violations[0].to_string(),
        "migration `p`: `to` is cm2/core 0, but the program is placed on cm2/core 1 in the `to` table"
    );
    let mut p = hybrid();
    p.migrations.push(p.migrations[0].clone());
    p.migrations[1].program = "q".into();
    exactly(&p, &[PlanRule::NotMigrated]);
    let mut p = hybrid();
    p.migrations.clear();
    let r = breaks(&p, PlanRule::MissingMigration);
    assert!(
        r.to_string()
            .contains("program `p` moves from `cm1` to `cm2`")
    );
    let mut p = scatter_gather();
    p.migrations[0].via = None;
    let r = breaks(&p, PlanRule::Via);
    assert!(r.violations.iter().any(|v| matches!(
        v,
        PlanViolation::Via {
            problem: ViaProblem::Missing,
            ..
        }
    )));
    let mut p = scatter_gather();
    p.migrations[0].via = Some("cm2".into());
    breaks(&p, PlanRule::Via);
    let mut p = stop_and_copy();
    p.migrations[0].via = Some("cm3".into());
    exactly(&p, &[PlanRule::Via]);
}

#[test]
fn timeline() {
    let mut p = stop_and_copy();
    p.switch = 15_000;
    p.b_start = 15_000;
    exactly(&p, &[PlanRule::SwitchNotFrameBoundary]);
    let mut p = stop_and_copy();
    p.b_start = 9_000;
    exactly(&p, &[PlanRule::BStartBeforeSwitch]);
    let mut p = stop_and_copy();
    p.request = 10_000;
    breaks(&p, PlanRule::RequestOutsideFrame);
    let mut p = scatter_gather();
    p.request = 12_000;
    let r = breaks(&p, PlanRule::SwitchBeforeRequest);
    assert!(r.has(PlanRule::BeforeRequest));
    let mut p = stop_and_copy();
    p.tick = "1ms".into();
    exactly(&p, &[PlanRule::TickMismatch]);
    let mut p = stop_and_copy();
    p.from_schedule.mode = "b".into();
    breaks(&p, PlanRule::ScheduleModeMismatch);
    let mut p = stop_and_copy();
    std::mem::swap(&mut p.from, &mut p.to);
    std::mem::swap(&mut p.from_schedule, &mut p.to_schedule);
    breaks(&p, PlanRule::TransitionNotAllowed);
    let mut p = stop_and_copy();
    p.to = "c".into();
    breaks(&p, PlanRule::UnknownMode);
}

#[test]
fn chunk_rules() {
    // too large
    let mut p = stop_and_copy();
    p.transfers[0] = ch(
        "p",
        "copy",
        2_500,
        &[("cm1", "sw1", 14_650), ("sw1", "cm2", 14_905)],
    );
    p.transfers[1] = ch(
        "p",
        "copy",
        1_500,
        &[("cm1", "sw1", 14_900), ("sw1", "cm2", 15_155)],
    );
    breaks(&p, PlanRule::ChunkSize);
    // wrong duration
    let mut p = stop_and_copy();
    p.transfers[1].hops[0].end += 1;
    let r = breaks(&p, PlanRule::HopDuration);
    assert!(r.to_string().contains(
        "hop cm1→sw1 [15100, 15301) of chunk #1 (`p` copy, 2000 B) lasts 201, not the transmission time of 200"
    ));
    // another route
    let mut p = stop_and_copy();
    p.transfers[2] = ch(
        "p",
        "copy",
        500,
        &[
            ("cm1", "sw1", 15_300),
            ("sw1", "cm3", 15_505),
            ("cm3", "sw1", 15_560),
            ("sw1", "cm2", 15_615),
        ],
    );
    let r = breaks(&p, PlanRule::WrongRoute);
    assert!(r.to_string().contains("not the route cm1→sw1, sw1→cm2"));
    // not a link
    let mut p = stop_and_copy();
    p.transfers[2].hops[0].to = "cm2".into();
    breaks(&p, PlanRule::NotALink);
    // two chunks at once on one link direction
    let mut p = scatter_gather();
    p.transfers[1] = ch(
        "p",
        "scatter",
        2_000,
        &[("cm1", "sw1", 2_200), ("sw1", "cm3", 2_415)],
    );
    let r = breaks(&p, PlanRule::ChunkOverlap);
    assert!(r.to_string().contains(
        "hop cm1→sw1 [2200, 2400) of chunk #1 (`p` scatter, 2000 B) overlaps hop cm1→sw1 [2010, 2210) of chunk #0"
    ));
    // phases of another scheme
    let mut p = post_copy();
    p.transfers[0].phase = "copy".into();
    breaks(&p, PlanRule::BadPhase);
    let mut p = pre_copy();
    p.transfers[2].phase = "round-02".into();
    breaks(&p, PlanRule::BadPhase);
    // a chunk for a program that is not migrated
    let mut p = pre_copy();
    p.transfers
        .push(ch("t", "copy", 10, &[("cm1", "sw1", 3_000)]));
    breaks(&p, PlanRule::NotMigrated);
}

#[test]
fn scheme_rules() {
    // stop-and-copy before the suspension (and before the request)
    let mut p = pre_copy();
    p.transfers[3] = ch(
        "p",
        "final",
        1_500,
        &[("cm1", "sw1", 10_800), ("sw1", "cm2", 10_955)],
    );
    let r = breaks(&p, PlanRule::BeforeSuspension);
    assert!(r.to_string().contains(
        "chunk #3 (`p` final, 1500 B) leaves at 10800, before the program's suspension at 11000"
    ));
    // a round after the suspension
    let mut p = pre_copy();
    p.transfers[2] = ch(
        "p",
        "round-2",
        1_000,
        &[("cm1", "sw1", 11_000), ("sw1", "cm2", 11_105)],
    );
    p.transfers[3] = ch(
        "p",
        "final",
        1_500,
        &[("cm1", "sw1", 11_100), ("sw1", "cm2", 11_255)],
    );
    breaks(&p, PlanRule::RoundAfterSuspension);
    // rounds numbered past max_rounds, with gaps
    let mut p = pre_copy();
    p.transfers[2].phase = "round-4".into();
    let r = breaks(&p, PlanRule::TooManyRounds);
    assert_eq!(r.count(PlanRule::MissingPhase), 2);
    // no final set
    let mut p = pre_copy();
    p.transfers.pop();
    breaks(&p, PlanRule::MissingPhase);
    // stop_below
    let sys = system_with(&Knobs {
        stop_below: "2000B",
        ..Knobs::default()
    });
    let r = breaks_on(&sys, &pre_copy(), PlanRule::StopBelow);
    assert_eq!(r.rules(), vec![PlanRule::StopBelow]);
    // hybrid has no stop_below: one round of 1000 would be fine, its round
    // count is bounded still
    assert_valid(&sys, &hybrid());
    // rounds out of order
    let mut p = hybrid();
    p.transfers.push(ch(
        "p",
        "round-2",
        1_500,
        &[("cm1", "sw1", 2_700), ("sw1", "cm2", 2_855)],
    ));
    p.transfers[0] = ch(
        "p",
        "round-1",
        2_000,
        &[("cm1", "sw1", 3_010), ("sw1", "cm2", 3_215)],
    );
    p.transfers[1] = ch(
        "p",
        "round-1",
        2_000,
        &[("cm1", "sw1", 3_210), ("sw1", "cm2", 3_415)],
    );
    breaks(&p, PlanRule::RoundsOutOfOrder);
    // pages before the CPU state
    let mut p = post_copy();
    p.transfers[0] = ch(
        "p",
        "cpu",
        500,
        &[("cm1", "sw1", 16_200), ("sw1", "cm2", 16_255)],
    );
    let r = breaks(&p, PlanRule::CpuNotFirst);
    assert!(r.has(PlanRule::MissingSkip));
    // gather before the scatter arrived
    let mut p = scatter_gather();
    p.transfers[3] = ch(
        "p",
        "gather",
        2_000,
        &[("cm3", "sw1", 2_300), ("sw1", "cm2", 2_505)],
    );
    let r = breaks(&p, PlanRule::GatherTooEarly);
    assert!(r.to_string().contains(
        "chunk #3 (`p` gather, 2000 B) leaves the intermediary at 2300, when the gather has sent 2000 B but only 0 B have arrived there"
    ));
    // scatter and gather are not phases of stop-and-copy
    let mut p = scatter_gather();
    p.migrations[0].scheme = Scheme::StopAndCopy;
    p.migrations[0].via = None;
    breaks(&p, PlanRule::BadPhase);
}

#[test]
fn report_counts_and_caps() {
    let mut p = stop_and_copy();
    p.skipped.clear();
    p.migrations[0].downtime = 0;
    let r = verify(&p);
    assert_eq!(r.count(PlanRule::MissingSkip), 1);
    assert_eq!(r.count(PlanRule::Misreported), 1);
    assert_eq!(r.total(), 2);
    // past the cap, violations are counted, not kept
    let mut p = stop_and_copy();
    for i in 0..1_500 {
        p.skipped.push(JobRef {
            program: format!("ghost{i}"),
            index: 0,
        });
    }
    let r = verify(&p);
    assert_eq!(r.count(PlanRule::UnknownProgram), 1_500);
    assert_eq!(r.violations.len(), seamless_verify::MAX_PER_RULE);
    assert_eq!(r.suppressed.get(&PlanRule::UnknownProgram), Some(&500));
    assert!(
        r.to_string()
            .contains("... and 500 more [plan-unknown-program] violation(s) not shown")
    );
}

#[test]
fn rendered_violations_of_a_broken_plan() {
    let mut p = stop_and_copy();
    p.skipped.clear();
    p.transfers[1].hops[1].start -= 3;
    p.transfers[1].hops[1].end -= 3;
    p.transfers[2].hops[0].end += 10;
    p.migrations[0].downtime = 100;
    p.migrations[0].via = Some("cm3".into());
    p.programs[2].action = Action::Migrate;
    p.complete = 1;
    insta::assert_snapshot!(verify(&p).to_string());
}
