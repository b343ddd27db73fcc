//! Synthesis benchmarks (release):
//!
//! `cargo bench -p seamless-synth --bench synth`
//!
//! - `gen_1000_programs`: `seamless_gen::feasible` with 1,000 programs on
//!   64 modules × 4 cores and 2,000 messages (the generator keeps the
//!   programs and messages its witness can carry);
//! - `gen_20000_jobs`: `seamless_gen::feasible`, 1,500 programs on 32 × 4
//!   cores at 70 % utilisation, about 22,000 jobs, memory within 1 MiB;
//! - `scale_100000_jobs`: 1,000 programs on 64 × 4 cores, 2,000 messages,
//!   96,773 jobs and about 200,000 message instances per frame.

use seamless_gen::{GenParams, feasible};
use seamless_model::System;
use seamless_synth::{Options, synthesize};

#[path = "../tests/support/scale.rs"]
mod scale;

fn main() {
    divan::main();
}

fn generated(programs: usize, modules: usize, messages: usize) -> System {
    let p = GenParams {
        programs,
        modules,
        cores: 4,
        messages,
        modes: 1,
        utilisation_percent: 70,
        seed: 7,
        ..GenParams::default()
    };
    feasible(&p).0.load().expect("the generated system loads")
}

fn run(bencher: divan::Bencher, sys: System) {
    bencher.bench(|| {
        let syn = synthesize(divan::black_box(&sys), &Options::default());
        assert!(syn.modes.iter().all(Result::is_ok));
        syn
    });
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn gen_1000_programs(bencher: divan::Bencher) {
    run(bencher, generated(1000, 64, 2000));
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn gen_20000_jobs(bencher: divan::Bencher) {
    run(bencher, generated(1500, 32, 1500));
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn scale_100000_jobs(bencher: divan::Bencher) {
    run(bencher, scale::scale_system(0));
}
