//! Verification of a 1,000,000-job schedule (plus 10,000 transmissions).
//!
//! `cargo bench -p seamless-verify --bench verify`

use seamless_model::schedule::{HopEntry, JobEntry, Placement, Schedule, Transmission};
use seamless_model::validate::Limits;
use seamless_model::{SourceFile, System};
use seamless_verify::verify_schedule;
use std::fmt::Write as _;

fn main() {
    divan::main();
}

const MODULES: usize = 10;
const CORES: usize = 4;
const PROGRAMS: usize = 100;
const MESSAGES: usize = 50;
/// Period 200 µs in a 2 s frame: 10,000 jobs per program.
const PERIOD: u64 = 200;
const WCET: u64 = 20;
const FRAME: u64 = 2_000_000;
const MSG_PERIOD: u64 = 10_000;

/// A system of 100 programs (every 200 µs) and 50 messages (every 10 ms)
/// on 10 modules × 4 cores, and a valid schedule of its 2 s frame.
fn build() -> (System, Schedule) {
    let mut sys = String::from("System(name: \"bench\", modules: [");
    for m in 0..MODULES {
        let _ = write!(
            sys,
            "Module(name: \"cm{m}\", cores: {CORES}, memory: \"1GiB\"),"
        );
    }
    sys.push_str("], switches: [\"sw\"], links: [");
    for m in 0..MODULES {
        let _ = write!(
            sys,
            "Link(from: \"cm{m}\", to: \"sw\", bandwidth: \"1Gbit/s\", latency: \"1us\"),"
        );
    }
    sys.push_str("], programs: [");
    for p in 0..PROGRAMS {
        let _ = write!(
            sys,
            "Program(name: \"p{p}\", memory: \"8MiB\", wcet: \"{WCET}us\", period: \"{PERIOD}us\", max_jitter: \"0us\", max_unavailability: \"{PERIOD}us\"),"
        );
    }
    sys.push_str("], messages: [");
    for m in 0..MESSAGES {
        let _ = write!(
            sys,
            "Message(name: \"x{m}\", from: \"p{}\", to: [\"p{}\"], size: \"100B\", period: \"{MSG_PERIOD}us\", precedence: false),",
            2 * m,
            2 * m + 1
        );
    }
    sys.push_str("])");
    let programs: Vec<String> = (0..PROGRAMS).map(|p| format!("\"p{p}\"")).collect();
    let messages: Vec<String> = (0..MESSAGES).map(|m| format!("\"x{m}\"")).collect();
    let mode = format!(
        "Mode(name: \"big\", programs: [{}], messages: [{}], major_frame: \"2s\")",
        programs.join(","),
        messages.join(",")
    );
    let files = [
        SourceFile {
            name: "system.ron".into(),
            text: sys,
        },
        SourceFile {
            name: "big.ron".into(),
            text: mode,
        },
    ];
    let system = seamless_model::load::load(&files, Limits::default()).expect("bench system loads");

    // program p on module p % 10, core (p / 10) % 4, offset 20 µs × (p / 40)
    let cores_total = MODULES * CORES;
    let at = |p: usize| {
        (
            p % MODULES,
            (p / MODULES) % CORES,
            (p / cores_total) as u64 * WCET,
        )
    };
    let mut placement = Vec::with_capacity(PROGRAMS);
    let mut jobs = Vec::with_capacity(PROGRAMS * (FRAME / PERIOD) as usize);
    for p in 0..PROGRAMS {
        let (m, c, off) = at(p);
        placement.push(Placement {
            program: format!("p{p}"),
            module: format!("cm{m}"),
            core: c as u32,
        });
        for k in 0..FRAME / PERIOD {
            let start = k * PERIOD + off;
            jobs.push(JobEntry {
                program: format!("p{p}"),
                index: k,
                module: format!("cm{m}"),
                core: c as u32,
                start,
                end: start + WCET,
            });
        }
    }
    // 100 B at 1 Gbit/s: 1 tick per hop; message m departs at 4m + 100
    let mut transmissions = Vec::new();
    for x in 0..MESSAGES {
        let (a, _, _) = at(2 * x);
        let (b, _, _) = at(2 * x + 1);
        for k in 0..FRAME / MSG_PERIOD {
            let t = k * MSG_PERIOD + 100 + 4 * x as u64;
            transmissions.push(Transmission {
                message: format!("x{x}"),
                index: k,
                hops: vec![
                    HopEntry {
                        from: format!("cm{a}"),
                        to: "sw".into(),
                        start: t,
                        end: t + 1,
                    },
                    HopEntry {
                        from: "sw".into(),
                        to: format!("cm{b}"),
                        start: t + 2,
                        end: t + 3,
                    },
                ],
            });
        }
    }
    let schedule = Schedule {
        mode: "big".into(),
        tick: "1us".into(),
        major_frame: FRAME,
        placement,
        jobs,
        transmissions,
    };
    (system, schedule)
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn verify_1m_jobs(bencher: divan::Bencher) {
    let (system, schedule) = build();
    assert_eq!(schedule.jobs.len(), 1_000_000);
    let r = verify_schedule(&system, &schedule);
    assert!(r.is_valid(), "{r}");
    bencher.bench(|| {
        verify_schedule(divan::black_box(&system), divan::black_box(&schedule)).is_valid()
    });
}
