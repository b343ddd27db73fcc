#![allow(dead_code)]
//! A large system for scale tests and benchmarks: 1,000 programs on 64
//! modules × 4 cores, 2,000 messages, about 100,000 jobs per frame (mostly
//! 1 ms programs in a 100 ms frame), written as RON text and loaded.

use seamless_model::validate::Limits;
use seamless_model::{SourceFile, System};

/// A deterministic xorshift for the builder.
struct Xs(u64);
impl Xs {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

pub fn scale_sources(seed: u64) -> Vec<SourceFile> {
    scale_sources_with(seed, false)
}

/// `deep`: precedence between any two programs of equal period (long
/// chains: most likely infeasible, a stress test for the search).
pub fn scale_sources_with(seed: u64, deep: bool) -> Vec<SourceFile> {
    let mut r = Xs(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let modules = 64;
    let mut sys = String::from("System(name: \"scale\", tick: \"1us\",\n modules: [\n");
    for m in 0..modules {
        sys.push_str(&format!(
            "  Module(name: \"cm{m:02}\", cores: 4, memory: \"1GiB\"),\n"
        ));
    }
    sys.push_str(" ],\n switches: [\"core\", \"sw0\", \"sw1\", \"sw2\", \"sw3\"],\n links: [\n");
    for m in 0..modules {
        sys.push_str(&format!(
            "  Link(from: \"cm{m:02}\", to: \"sw{}\", bandwidth: \"1Gbit/s\", latency: \"2us\"),\n",
            m / 16
        ));
    }
    for s in 0..4 {
        sys.push_str(&format!(
            "  Link(from: \"sw{s}\", to: \"core\", bandwidth: \"10Gbit/s\", latency: \"1us\"),\n"
        ));
    }
    sys.push_str(" ],\n programs: [\n");
    let programs = 1000;
    let mut period = Vec::with_capacity(programs);
    for i in 0..programs {
        // 950 programs at 1 ms, the rest slower
        let (t, wcet) = match i {
            0..950 => (1_000, 80 + r.below(60)),
            950..980 => (2_000, 100 + r.below(100)),
            980..990 => (5_000, 100 + r.below(150)),
            990..997 => (10_000, 100 + r.below(150)),
            _ => (100_000, 100 + r.below(150)),
        };
        period.push(t);
        let jitter = if i % 10 == 0 {
            ", max_jitter: \"0us\""
        } else {
            ""
        };
        sys.push_str(&format!(
            "  Program(name: \"p{i:04}\", memory: \"{}MiB\", wcet: \"{wcet}us\", period: \"{t}us\"{jitter}),\n",
            4 + r.below(28)
        ));
    }
    sys.push_str(" ],\n messages: [\n");
    let messages = 2000;
    for i in 0..messages {
        let from = r.below(programs as u64) as usize;
        // receivers with the sender's period where possible (precedence by default)
        let to = r.below(programs as u64) as usize;
        let to = if to == from { (to + 1) % programs } else { to };
        // precedence only forward (index order), so it has no cycle
        let (from, to) = (from.min(to), from.max(to));
        let size = 64 * (1 + r.below(8));
        // precedence (the default for equal periods) only from the first half
        // to the second, so chains are one message long
        let prec =
            if period[from] != period[to] || ((deep || (from < 500 && to >= 500)) && i % 3 != 0) {
                ""
            } else {
                ", precedence: false"
            };
        sys.push_str(&format!(
            "  Message(name: \"m{i:04}\", from: \"p{from:04}\", to: [\"p{to:04}\"], size: \"{size}B\"{prec}),\n"
        ));
    }
    sys.push_str(" ],\n)\n");
    let mut mode = String::from("Mode(name: \"all\", programs: [");
    for i in 0..programs {
        mode.push_str(&format!("\"p{i:04}\", "));
    }
    mode.push_str("], messages: [");
    for i in 0..messages {
        mode.push_str(&format!("\"m{i:04}\", "));
    }
    mode.push_str("])\n");
    vec![
        SourceFile {
            name: "system.ron".into(),
            text: sys,
        },
        SourceFile {
            name: "all.ron".into(),
            text: mode,
        },
    ]
}

pub fn scale_system(seed: u64) -> System {
    scale_system_with(seed, false)
}

pub fn scale_system_with(seed: u64, deep: bool) -> System {
    let files = scale_sources_with(seed, deep);
    match seamless_model::load::load(&files, Limits::default()) {
        Ok(s) => s,
        Err(d) => panic!("{}", seamless_model::diag::render(&d, &files)),
    }
}
