//! A tiny two-mode system and one hand-computed valid transition plan per
//! scheme, shared by the plan rule tests and the plan properties.
//!
//! Links are 80 Mbit/s with a 1 µs tick, so `n` bytes take `ceil(n / 10)`
//! ticks per hop; every link has a latency of 5. Program `p` (M = 4000 B,
//! W = 1000 B, D = 1000 B, wcet 1000, period 10000) moves from cm1 to cm2;
//! `q` and `r` continue, `s` stops, `t` starts. Message `m` (q → r, 100 B)
//! crosses cm1→sw1 [2000, 2010) and sw1→cm2 [2015, 2025) in every frame of
//! both tables. Migration parameters: page 500 B, C = 500 B, chunk 2000 B,
//! max_rounds 3, stop_below 1000 B, fault_handling 10, so one page fault
//! costs 2·(5 + 5) + 50 + 50 + 10 = 130.

#![allow(dead_code)]

use seamless_model::plan::{
    Action, Extended, JobRef, Metrics, Migration, Plan, ProgramOutcome, Scheme, Slot, Transfer,
};
use seamless_model::schedule::{HopEntry, JobEntry, Placement, Schedule, Transmission};
use seamless_model::validate::Limits;
use seamless_model::{SourceFile, System};

/// The system's knobs that the tests vary.
#[derive(Debug, Clone)]
pub struct Knobs {
    pub cm2_memory: &'static str,
    pub p_bound: &'static str,
    pub stop_below: &'static str,
    /// The text of mode `b`.
    pub b_mode: String,
}

pub const B_MODE: &str = r#"
Mode(
    name: "b",
    programs: ["p", "q", "r", "t"],
    messages: ["m"],
    pins: [Pin(program: "p", module: "cm2", core: 1), Pin(program: "q", module: "cm1", core: 0),
           Pin(program: "r", module: "cm2", core: 0), Pin(program: "t", module: "cm1", core: 1)],
)
"#;

const A_MODE: &str = r#"
Mode(
    name: "a",
    programs: ["p", "q", "r", "s"],
    messages: ["m"],
    pins: [Pin(program: "p", module: "cm1", core: 0), Pin(program: "q", module: "cm1", core: 1),
           Pin(program: "r", module: "cm2", core: 0), Pin(program: "s", module: "cm2", core: 1)],
)
"#;

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            cm2_memory: "10000B",
            p_bound: "30ms",
            stop_below: "1000B",
            b_mode: B_MODE.to_string(),
        }
    }
}

pub fn system_with(k: &Knobs) -> System {
    let sys = format!(
        r#"
System(
    name: "mig",
    modules: [
        Module(name: "cm1", cores: 2, memory: "10000B"),
        Module(name: "cm2", cores: 2, memory: "{cm2}"),
        Module(name: "cm3", cores: 1, memory: "10000B"),
    ],
    switches: ["sw1"],
    links: [
        Link(from: "cm1", to: "sw1", bandwidth: "80Mbit/s", latency: "5us"),
        Link(from: "cm2", to: "sw1", bandwidth: "80Mbit/s", latency: "5us"),
        Link(from: "cm3", to: "sw1", bandwidth: "80Mbit/s", latency: "5us"),
    ],
    migration: Migration(page_size: "500B", cpu_state: "500B", chunk: "2000B",
                         max_rounds: 3, stop_below: "{stop_below}", fault_handling: "10us"),
    programs: [
        Program(name: "p", memory: "4000B", working_set: "1000B", dirty_per_job: "1000B",
                wcet: "1ms", period: "10ms", max_unavailability: "{p_bound}"),
        Program(name: "q", memory: "2000B", wcet: "1ms", period: "10ms"),
        Program(name: "r", memory: "2000B", wcet: "1ms", period: "10ms", max_unavailability: "10ms"),
        Program(name: "s", memory: "3000B", wcet: "1ms", period: "10ms"),
        Program(name: "t", memory: "1000B", wcet: "1ms", period: "10ms"),
    ],
    messages: [
        Message(name: "m", from: "q", to: ["r"], size: "100B"),
        Message(name: "pn", from: "p", to: ["t"], size: "100B"),
    ],
    transitions: [("a", "b")],
)
"#,
        cm2 = k.cm2_memory,
        stop_below = k.stop_below,
        p_bound = k.p_bound,
    );
    let files = [
        SourceFile {
            name: "system.ron".into(),
            text: sys,
        },
        SourceFile {
            name: "a.ron".into(),
            text: A_MODE.into(),
        },
        SourceFile {
            name: "b.ron".into(),
            text: k.b_mode.clone(),
        },
    ];
    match seamless_model::load::load(&files, Limits::default()) {
        Ok(s) => s,
        Err(d) => panic!("the fixture system loads: {d:?}"),
    }
}

pub fn system() -> System {
    system_with(&Knobs::default())
}

pub fn hop(from: &str, to: &str, start: u64, end: u64) -> HopEntry {
    HopEntry {
        from: from.into(),
        to: to.into(),
        start,
        end,
    }
}

fn job(program: &str, module: &str, core: u32, start: u64) -> JobEntry {
    JobEntry {
        program: program.into(),
        index: 0,
        module: module.into(),
        core,
        start,
        end: start + 1_000,
    }
}

fn place(program: &str, module: &str, core: u32) -> Placement {
    Placement {
        program: program.into(),
        module: module.into(),
        core,
    }
}

fn m_transmission() -> Transmission {
    Transmission {
        message: "m".into(),
        index: 0,
        hops: vec![
            hop("cm1", "sw1", 2_000, 2_010),
            hop("sw1", "cm2", 2_015, 2_025),
        ],
    }
}

/// A's table: p cm1/0 [0, 1000), q cm1/1 [1000, 2000), r cm2/0 [3000, 4000),
/// s cm2/1 [0, 1000); m after q.
pub fn from_schedule() -> Schedule {
    Schedule {
        mode: "a".into(),
        tick: "1us".into(),
        major_frame: 10_000,
        placement: vec![
            place("p", "cm1", 0),
            place("q", "cm1", 1),
            place("r", "cm2", 0),
            place("s", "cm2", 1),
        ],
        jobs: vec![
            job("p", "cm1", 0, 0),
            job("q", "cm1", 1, 1_000),
            job("r", "cm2", 0, 3_000),
            job("s", "cm2", 1, 0),
        ],
        transmissions: vec![m_transmission()],
    }
}

/// B's table with p on cm2/1 starting at `p_start` in the frame: q cm1/0
/// [1000, 2000), r cm2/0 [3000, 4000), t cm1/1 [0, 1000); m after q.
pub fn to_schedule_at(p_start: u64) -> Schedule {
    Schedule {
        mode: "b".into(),
        tick: "1us".into(),
        major_frame: 10_000,
        placement: vec![
            place("p", "cm2", 1),
            place("q", "cm1", 0),
            place("r", "cm2", 0),
            place("t", "cm1", 1),
        ],
        jobs: vec![
            job("p", "cm2", 1, p_start),
            job("q", "cm1", 0, 1_000),
            job("r", "cm2", 0, 3_000),
            job("t", "cm1", 1, 0),
        ],
        transmissions: vec![m_transmission()],
    }
}

pub fn to_schedule() -> Schedule {
    to_schedule_at(5_000)
}

/// A chunk whose hops start at the given instants; each lasts
/// `ceil(bytes / 10)`.
pub fn ch(program: &str, phase: &str, bytes: u64, hops: &[(&str, &str, u64)]) -> Transfer {
    Transfer {
        program: program.into(),
        phase: phase.into(),
        bytes,
        hops: hops
            .iter()
            .map(|&(a, b, s)| hop(a, b, s, s + bytes.div_ceil(10)))
            .collect(),
    }
}

fn outcomes(p_unavailability: u64) -> Vec<ProgramOutcome> {
    let o = |program: &str, action, unavailability, bound| ProgramOutcome {
        program: program.into(),
        action,
        unavailability,
        bound,
    };
    vec![
        o("p", Action::Migrate, Some(p_unavailability), Some(30_000)),
        o("q", Action::Continue, Some(10_000), None),
        o("r", Action::Continue, Some(10_000), Some(10_000)),
        o("s", Action::Stop, None, None),
        o("t", Action::Start, None, None),
    ]
}

/// Values of one migration of `p` (the rest of its entry is fixed).
pub struct Values {
    pub scheme: Scheme,
    pub via: Option<&'static str>,
    pub resume: u64,
    pub eviction: u64,
    pub total_time: u64,
    pub downtime: u64,
    pub bytes: u64,
    pub degradation: u64,
}

#[allow(clippy::too_many_arguments)]
fn plan(
    switch: u64,
    v: Values,
    transfers: Vec<Transfer>,
    skipped: Vec<JobRef>,
    extended: Vec<Extended>,
    p_unavailability: u64,
    complete: u64,
    to_schedule: Schedule,
) -> Plan {
    let request = 2_000;
    Plan {
        from: "a".into(),
        to: "b".into(),
        tick: "1us".into(),
        request,
        switch,
        b_start: switch,
        complete,
        migrations: vec![Migration {
            program: "p".into(),
            from: Slot {
                module: "cm1".into(),
                core: 0,
            },
            to: Slot {
                module: "cm2".into(),
                core: 1,
            },
            scheme: v.scheme,
            via: v.via.map(String::from),
            resume: v.resume,
            eviction: v.eviction,
            total_time: v.total_time,
            downtime: v.downtime,
            bytes: v.bytes,
            degradation: v.degradation,
        }],
        transfers,
        skipped,
        extended,
        programs: outcomes(p_unavailability),
        metrics: Metrics {
            transition_latency: complete - request,
            eviction_time: v.eviction - request,
            total_migration_time: v.total_time,
            max_downtime: v.downtime,
            bytes: v.bytes,
            degradation: v.degradation,
        },
        from_schedule: from_schedule(),
        to_schedule,
    }
}

/// Stop-and-copy, S = b_start = 10000, suspension 1000 (p's job of frame 0).
/// Chunks 2000 + 2000 + 500 from 14900 (inside B's first frame, clear of m
/// at 12000): the last byte arrives at 15555 + 5 = 15560, so p's B job #0
/// at 15000 is skipped and p resumes at 25000. Completions of p: 1000, then
/// 26000, 36000: unavailability 25000. complete = p's first completion
/// 26000.
pub fn stop_and_copy() -> Plan {
    plan(
        10_000,
        Values {
            scheme: Scheme::StopAndCopy,
            via: None,
            resume: 25_000,
            eviction: 15_350,
            total_time: 15_560 - 14_900,
            downtime: 25_000 - 1_000,
            bytes: 4_500,
            degradation: 0,
        },
        vec![
            ch(
                "p",
                "copy",
                2_000,
                &[("cm1", "sw1", 14_900), ("sw1", "cm2", 15_105)],
            ),
            ch(
                "p",
                "copy",
                2_000,
                &[("cm1", "sw1", 15_100), ("sw1", "cm2", 15_305)],
            ),
            ch(
                "p",
                "copy",
                500,
                &[("cm1", "sw1", 15_300), ("sw1", "cm2", 15_505)],
            ),
        ],
        vec![JobRef {
            program: "p".into(),
            index: 0,
        }],
        vec![],
        25_000,
        26_000,
        to_schedule(),
    )
}

/// Pre-copy with 2 rounds, S = b_start = 20000, suspension 11000.
/// Round 1 (M = 4000) from 2010 (just after m). Round 2 begins at 10500:
/// one source job ([10000, 11000)) ends after 2010 and starts before 10500,
/// so it carries min(W, D·1) = 1000 ≥ stop_below. The final set begins
/// at the suspension, n = 1 ([10000, 11000) ends after 10500): 1000 + 500.
/// Last byte 11305 + 5 = 11310; p resumes at 25000 (downtime 14000).
/// Completions of p: 1000, 11000, 26000, 36000: unavailability 15000.
pub fn pre_copy() -> Plan {
    plan(
        20_000,
        Values {
            scheme: Scheme::PreCopy,
            via: None,
            resume: 25_000,
            eviction: 11_150,
            total_time: 11_310 - 2_010,
            downtime: 14_000,
            bytes: 4_000 + 1_000 + 1_500,
            degradation: 0,
        },
        vec![
            ch(
                "p",
                "round-1",
                2_000,
                &[("cm1", "sw1", 2_010), ("sw1", "cm2", 2_215)],
            ),
            ch(
                "p",
                "round-1",
                2_000,
                &[("cm1", "sw1", 2_210), ("sw1", "cm2", 2_415)],
            ),
            ch(
                "p",
                "round-2",
                1_000,
                &[("cm1", "sw1", 10_500), ("sw1", "cm2", 10_605)],
            ),
            ch(
                "p",
                "final",
                1_500,
                &[("cm1", "sw1", 11_000), ("sw1", "cm2", 11_155)],
            ),
        ],
        vec![],
        vec![],
        15_000,
        26_000,
        to_schedule(),
    )
}

/// Post-copy with p's B job at `p_start` in the frame (J = 10000 + p_start),
/// S = b_start = 10000, suspension 1000. C (500) from 2010 arrives at 2120:
/// p may run from there. Pages (2000 + 2000) leave at J + 500, after job J
/// began with the whole working set missing: x = 1000 → 2 pages → extra
/// 2·130 = 260, so the job ends at J + 1260. Completions of p: 1000,
/// J + 1260, J + 11000: unavailability J + 260.
pub fn post_copy_at(p_start: u64) -> Plan {
    let j = 10_000 + p_start;
    plan(
        10_000,
        Values {
            scheme: Scheme::PostCopy,
            via: None,
            resume: j,
            eviction: j + 900,
            total_time: j + 1_110 - 2_010,
            downtime: j - 1_000,
            bytes: 4_500,
            degradation: 260,
        },
        vec![
            ch(
                "p",
                "cpu",
                500,
                &[("cm1", "sw1", 2_010), ("sw1", "cm2", 2_065)],
            ),
            ch(
                "p",
                "pages",
                2_000,
                &[("cm1", "sw1", j + 500), ("sw1", "cm2", j + 705)],
            ),
            ch(
                "p",
                "pages",
                2_000,
                &[("cm1", "sw1", j + 700), ("sw1", "cm2", j + 905)],
            ),
        ],
        vec![],
        vec![Extended {
            program: "p".into(),
            index: 0,
            extra: 260,
        }],
        j + 260,
        j + 1_260,
        to_schedule_at(p_start),
    )
}

pub fn post_copy() -> Plan {
    post_copy_at(5_000)
}

/// Hybrid with one round, S = b_start = 20000, suspension 11000. Round 1
/// (4000) from 2010; n = 1 source job after it ([10000, 11000)), so the
/// post-copy part is C = 500 at the suspension (arrives 11110: p may run)
/// then min(W, D·1) = 1000 of pages at 25500, after p's job at 25000
/// began missing them (1000 bytes): extra 260. Completions of p:
/// 1000, 11000, 26260, 36000: unavailability 15260.
pub fn hybrid() -> Plan {
    plan(
        20_000,
        Values {
            scheme: Scheme::Hybrid,
            via: None,
            resume: 25_000,
            eviction: 25_600,
            total_time: 25_710 - 2_010,
            downtime: 14_000,
            bytes: 4_000 + 500 + 1_000,
            degradation: 260,
        },
        vec![
            ch(
                "p",
                "round-1",
                2_000,
                &[("cm1", "sw1", 2_010), ("sw1", "cm2", 2_215)],
            ),
            ch(
                "p",
                "round-1",
                2_000,
                &[("cm1", "sw1", 2_210), ("sw1", "cm2", 2_415)],
            ),
            ch(
                "p",
                "cpu",
                500,
                &[("cm1", "sw1", 11_000), ("sw1", "cm2", 11_055)],
            ),
            ch(
                "p",
                "pages",
                1_000,
                &[("cm1", "sw1", 25_500), ("sw1", "cm2", 25_605)],
            ),
        ],
        vec![],
        vec![Extended {
            program: "p".into(),
            index: 0,
            extra: 260,
        }],
        15_260,
        26_260,
        to_schedule(),
    )
}

/// Scatter-gather through cm3, S = b_start = 10000, suspension 1000.
/// Scatter 2000 + 2000 + 500 from 2010 arrives at cm3 at 2420, 2620, 2670;
/// each gather chunk leaves cm3 when its bytes are there (2420, 2620, 2820)
/// and the last arrives at cm2 at 3080. The source is free at 2460.
pub fn scatter_gather() -> Plan {
    plan(
        10_000,
        Values {
            scheme: Scheme::ScatterGather,
            via: Some("cm3"),
            resume: 15_000,
            eviction: 2_460,
            total_time: 3_080 - 2_010,
            downtime: 14_000,
            bytes: 4_500,
            degradation: 0,
        },
        vec![
            ch(
                "p",
                "scatter",
                2_000,
                &[("cm1", "sw1", 2_010), ("sw1", "cm3", 2_215)],
            ),
            ch(
                "p",
                "scatter",
                2_000,
                &[("cm1", "sw1", 2_210), ("sw1", "cm3", 2_415)],
            ),
            ch(
                "p",
                "scatter",
                500,
                &[("cm1", "sw1", 2_410), ("sw1", "cm3", 2_615)],
            ),
            ch(
                "p",
                "gather",
                2_000,
                &[("cm3", "sw1", 2_420), ("sw1", "cm2", 2_625)],
            ),
            ch(
                "p",
                "gather",
                2_000,
                &[("cm3", "sw1", 2_620), ("sw1", "cm2", 2_825)],
            ),
            ch(
                "p",
                "gather",
                500,
                &[("cm3", "sw1", 2_820), ("sw1", "cm2", 3_025)],
            ),
        ],
        vec![],
        vec![],
        15_000,
        16_000,
        to_schedule(),
    )
}

/// Every valid plan, by scheme.
pub fn all() -> Vec<(&'static str, Plan)> {
    vec![
        ("stop-and-copy", stop_and_copy()),
        ("pre-copy", pre_copy()),
        ("post-copy", post_copy()),
        ("hybrid", hybrid()),
        ("scatter-gather", scatter_gather()),
    ]
}
