//! A mutation fuzzer over the example systems, run by `cargo test` for a
//! bounded number of cases with a fixed seed (so every run tries the same
//! mutants): random byte-level mutations of the real files under `modes/`
//! (deleting, duplicating, splicing, inserting junk or invalid UTF-8,
//! multiplying a line), written to a temporary folder and run through the
//! command line *library* (`seamless_cli::run_with`, no process spawned).
//!
//! Asserted: no panic, the exit code is 0, 1 or 2, and the output stays
//! bounded. More cases: `SEAMLESS_FUZZ_CASES=5000 cargo test --test fuzz`;
//! another seed: `SEAMLESS_FUZZ_SEED=7`.

use clap::Parser as _;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use seamless_cli::{Cli, run_with};
use std::path::{Path, PathBuf};

/// A system folder: (file name, bytes).
type Folder = Vec<(String, Vec<u8>)>;

fn read_folder(rel: &str) -> Folder {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let mut files: Folder = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .map(|p| {
            let name = p.file_name().unwrap().to_str().unwrap().to_string();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// Every example system: the tutorial, the ISS, and every invalid folder.
fn corpus() -> Vec<Folder> {
    let mut out = vec![read_folder("modes/tutorial"), read_folder("modes/iss")];
    let invalid = Path::new(env!("CARGO_MANIFEST_DIR")).join("modes/invalid");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(invalid)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    for d in dirs {
        out.push(read_folder(
            d.strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap()
                .to_str()
                .unwrap(),
        ));
    }
    out
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Remove `len` bytes at `at`.
    Delete { at: usize, len: usize },
    /// Insert bytes (junk, punctuation, invalid UTF-8, huge numbers).
    Insert { at: usize, bytes: Vec<u8> },
    /// Copy `len` bytes from `from` to `at`.
    Splice { from: usize, len: usize, at: usize },
    /// Repeat the line holding `at` `times` times.
    Repeat { at: usize, times: usize },
    /// Replace the byte at `at`.
    Byte { at: usize, byte: u8 },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let junk = prop_oneof![
        proptest::collection::vec(any::<u8>(), 1..8),
        "[(){}\\[\\]:,\"a-z0-9._ \n-]{1,8}".prop_map(String::into_bytes),
        Just(b"18446744073709551616".to_vec()),
        Just(b"\"9223372036854775807ns\"".to_vec()),
        Just(b"\"0ms\"".to_vec()),
        Just(vec![0xff, 0xfe]),
        Just(b"Pin(program: \"x\", module: \"y\"),".to_vec()),
    ];
    prop_oneof![
        (any::<usize>(), 1usize..80).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), junk).prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        (any::<usize>(), 1usize..200, any::<usize>())
            .prop_map(|(from, len, at)| Mutation::Splice { from, len, at }),
        (any::<usize>(), 2usize..300).prop_map(|(at, times)| Mutation::Repeat { at, times }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Byte { at, byte }),
    ]
}

fn apply(b: &mut Vec<u8>, m: &Mutation) {
    let n = b.len();
    if n == 0 {
        return;
    }
    match m {
        Mutation::Delete { at, len } => {
            let a = at % n;
            b.drain(a..(a + len).min(n));
        }
        Mutation::Insert { at, bytes } => {
            let a = at % (n + 1);
            b.splice(a..a, bytes.iter().copied());
        }
        Mutation::Splice { from, len, at } => {
            let f = from % n;
            let piece: Vec<u8> = b[f..(f + len).min(n)].to_vec();
            let a = at % (n + 1);
            b.splice(a..a, piece);
        }
        Mutation::Repeat { at, times } => {
            let a = at % n;
            let start = b[..a]
                .iter()
                .rposition(|&c| c == b'\n')
                .map_or(0, |i| i + 1);
            let end = b[a..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(n, |i| a + i + 1);
            let line = b[start..end].to_vec();
            let more: Vec<u8> = line.repeat(*times);
            b.splice(end..end, more);
        }
        Mutation::Byte { at, byte } => {
            let a = at % n;
            b[a] = *byte;
        }
    }
}

/// Runs `seamless ARGS` in-process; returns the exit code and stdout.
fn run(args: &[&str]) -> (i32, Vec<u8>) {
    let cli = match Cli::try_parse_from(std::iter::once("seamless").chain(args.iter().copied())) {
        Ok(c) => c,
        Err(e) => panic!("bad test command line {args:?}: {e}"),
    };
    let mut out = Vec::new();
    let code = run_with(cli, &mut out);
    (code, out)
}

fn cases() -> u32 {
    std::env::var("SEAMLESS_FUZZ_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(1500)
}

fn seed() -> u64 {
    std::env::var("SEAMLESS_FUZZ_SEED")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(13)
}

#[test]
fn mutated_example_systems_never_panic() {
    let corpus = corpus();
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed().to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: cases(),
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let strategy = (
        0..corpus.len(),
        proptest::collection::vec((any::<usize>(), mutation()), 1..4),
        any::<bool>(),
    );
    let tmp = tempfile::tempdir().unwrap();
    let counter = std::cell::Cell::new(0u32);
    let result = runner.run(&strategy, |(which, mutations, expand)| {
        // a fresh folder per case
        counter.set(counter.get() + 1);
        let dir = tmp.path().join(format!("case{}", counter.get()));
        std::fs::create_dir(&dir).unwrap();
        let mut folder = corpus[which].clone();
        for (f, m) in &mutations {
            let k = f % folder.len();
            apply(&mut folder[k].1, m);
        }
        for (name, bytes) in &folder {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
        let d = dir.to_str().unwrap();
        let (code, out) = run(&["validate", d, "--max-jobs", "100000"]);
        prop_assert!(matches!(code, 0..=2), "validate exit code {code}");
        prop_assert!(out.len() < 1 << 20, "validate wrote {} bytes", out.len());
        if expand && code != 2 {
            let (code, _) = run(&["expand", d, "--format", "json", "--max-jobs", "100000"]);
            prop_assert!(matches!(code, 0..=2), "expand exit code {code}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
