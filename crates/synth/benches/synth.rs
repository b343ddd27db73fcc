//! Synthesis of a large feasible-by-construction system: 1,000 programs on
//! 64 modules × 4 cores, up to 2,000 messages.
//!
//! `cargo bench -p seamless-synth --bench synth`

use seamless_gen::{GenParams, feasible};
use seamless_model::System;
use seamless_synth::{Options, synthesize};

fn main() {
    divan::main();
}

fn large() -> System {
    let p = GenParams {
        programs: 1000,
        modules: 64,
        cores: 4,
        messages: 2000,
        modes: 1,
        utilisation_percent: 70,
        seed: 7,
        periods_us: vec![1_000, 2_000, 4_000, 8_000, 16_000, 80_000],
        ..GenParams::default()
    };
    feasible(&p).0.load().expect("the generated system loads")
}

#[divan::bench(sample_count = 5)]
fn thousand_programs(bencher: divan::Bencher) {
    let sys = large();
    bencher.bench(|| synthesize(divan::black_box(&sys), &Options::default()));
}
