//! Loading a generated 5,000-program system (parse + validate + routes).

use seamless_gen::{GenParams, generate};

fn main() {
    divan::main();
}

fn big() -> seamless_gen::Generated {
    generate(&GenParams {
        programs: 5_000,
        modules: 32,
        cores: 4,
        messages: 5_000,
        modes: 4,
        ..GenParams::default()
    })
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn load_5000_programs(bencher: divan::Bencher) {
    let g = big();
    let sources = g.sources();
    let sys = g.load().expect("the generated system loads");
    assert_eq!(sys.programs.len(), 5_000);
    bencher.bench(|| {
        seamless_model::load::load(
            divan::black_box(&sources),
            seamless_model::validate::Limits::default(),
        )
        .is_ok()
    });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn generate_5000_programs() -> usize {
    big().files.len()
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn feasible_5000_programs() -> usize {
    let (_, scheds) = seamless_gen::feasible(&GenParams {
        programs: 5_000,
        modules: 32,
        cores: 4,
        messages: 2_000,
        modes: 4,
        ..GenParams::default()
    });
    scheds.iter().map(|s| s.jobs.len()).sum()
}
