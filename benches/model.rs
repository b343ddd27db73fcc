//! Benchmarks of the model stage: expansion of a large mode and loading of a
//! large generated system.
//!
//! Run with `cargo bench --bench model`. Numbers are in docs/benchmarks.md.

use divan::Bencher;
use seamless_model::SourceFile;
use seamless_model::expand::expand;
use seamless_model::load::load;
use seamless_model::validate::Limits;

fn main() {
    divan::main();
}

/// A system with `programs` programs of period 1 ms on one module, in one
/// mode with a 1 s major frame: `programs × 1000` jobs.
fn wide_system(programs: usize) -> Vec<SourceFile> {
    let mut sys = String::from(
        "System(name: \"wide\", modules: [Module(name: \"m\", cores: 4, memory: \"1GiB\")], programs: [\n",
    );
    let mut mode = String::from("Mode(name: \"all\", major_frame: \"1s\", programs: [");
    for i in 0..programs {
        sys.push_str(&format!(
            "Program(name: \"p{i}\", memory: \"4KiB\", wcet: \"1us\", period: \"1ms\"),\n"
        ));
        mode.push_str(&format!("\"p{i}\","));
    }
    sys.push_str("])\n");
    mode.push_str("])\n");
    vec![
        SourceFile {
            name: "wide/system.ron".into(),
            text: sys,
        },
        SourceFile {
            name: "wide/all.ron".into(),
            text: mode,
        },
    ]
}

#[divan::bench(args = [100_000, 1_000_000])]
fn expand_jobs(bencher: Bencher, jobs: usize) {
    let system = load(&wide_system(jobs / 1000), Limits::default()).expect("valid");
    bencher.bench(|| expand(divan::black_box(&system.modes[0])).jobs.len());
}

/// Loading and validating a generated 5,000-program system (parse every
/// file, resolve, check, compute every mode's frame) from in-memory text.
#[divan::bench(sample_count = 20)]
fn load_5000_programs(bencher: Bencher) {
    let generated = seamless_gen::generate(&seamless_gen::GenParams {
        programs: 5000,
        modules: 64,
        cores: 4,
        messages: 5000,
        modes: 3,
        seed: 1,
        ..seamless_gen::GenParams::default()
    });
    let sources = generated.sources();
    bencher.bench(|| load(divan::black_box(&sources), Limits::default()).map(|s| s.programs.len()));
}
