//! Unit tests and properties of the generators.

use super::*;
use proptest::prelude::*;
use seamless_model::Timing;
use std::collections::BTreeMap;

fn small(seed: u64, programs: usize, modules: usize, modes: usize) -> GenParams {
    GenParams {
        programs,
        modules,
        cores: 2,
        messages: programs,
        modes,
        seed,
        ..GenParams::default()
    }
}

fn assert_loads(g: &Generated) -> System {
    match g.load() {
        Ok(s) => s,
        Err(diags) => {
            let files = g.sources();
            let text = seamless_model::diag::render(&diags, &files);
            panic!("generated system does not load:\n{text}\n{}", g.files[0].1);
        }
    }
}

#[test]
fn default_generates_a_valid_system() {
    let g = generate(&GenParams::default());
    let s = assert_loads(&g);
    assert_eq!(s.programs.len(), 20);
    assert_eq!(s.modules.len(), 4);
    assert_eq!(s.modes.len(), 2);
    assert_eq!(g.files[0].0, "system.ron");
    assert!(g.files[0].1.contains("tick: \"1us\""));
    for m in &s.modes {
        assert!(m.major_frame <= 200_000, "frame {}", m.major_frame);
    }
}

#[test]
fn same_seed_same_text_other_seed_other_text() {
    let p = GenParams::default();
    assert_eq!(generate(&p), generate(&p));
    assert_eq!(feasible(&p), feasible(&p));
    let q = GenParams {
        seed: 2,
        ..p.clone()
    };
    assert_ne!(generate(&p), generate(&q));
    assert_ne!(feasible(&p).0, feasible(&q).0);
}

#[test]
fn utilisation_is_about_the_target() {
    let p = GenParams {
        programs: 200,
        modules: 4,
        cores: 2,
        modes: 1,
        utilisation_percent: 50,
        once_percent: 0,
        override_percent: 0,
        ..GenParams::default()
    };
    let s = assert_loads(&generate(&p));
    let m = &s.modes[0];
    // Σ wcet/period in permille of the 8 cores
    let demand: u64 = m
        .programs
        .iter()
        .map(|mp| mp.requirement.wcet * 1000 * 200_000 / mp.requirement.timing.period().unwrap())
        .sum::<u64>()
        / 200_000
        / 8;
    assert!((400..=520).contains(&demand), "demand {demand}‰");
}

#[test]
fn once_programs_and_many_modes_load() {
    let p = GenParams {
        programs: 60,
        modules: 20,
        modes: 6,
        once_percent: 20,
        override_percent: 30,
        pin_percent: 20,
        restrict_percent: 30,
        ..GenParams::default()
    };
    let s = assert_loads(&generate(&p));
    assert!(
        s.programs
            .iter()
            .any(|x| matches!(x.requirement.timing, Timing::Once { .. }))
    );
    assert_eq!(s.modes.len(), 6);
    // a ring of transitions both ways
    assert_eq!(s.transitions.len(), 12);
}

#[test]
fn feasible_witness_uses_the_cores() {
    let p = GenParams {
        programs: 100,
        modules: 4,
        cores: 2,
        modes: 1,
        utilisation_percent: 70,
        ..GenParams::default()
    };
    let (g, scheds) = feasible(&p);
    let s = assert_loads(&g);
    assert_eq!(scheds.len(), 1);
    let h = scheds[0].major_frame;
    assert_eq!(h, s.modes[0].major_frame);
    let busy: u64 = scheds[0].jobs.iter().map(|j| j.end - j.start).sum();
    let pct = busy * 100 / (h * 8);
    assert!((45..=70).contains(&pct), "core time used {pct}%");
    assert_eq!(scheds[0].jobs.len() as u64, s.modes[0].job_count);
}

#[test]
fn feasible_has_messages_and_transmissions() {
    let mut with_tx = 0;
    for seed in 0..10 {
        let (g, scheds) = feasible(&small(seed, 30, 4, 2));
        let s = assert_loads(&g);
        assert!(!s.messages.is_empty(), "seed {seed}");
        with_tx += scheds
            .iter()
            .filter(|x| !x.transmissions.is_empty())
            .count();
    }
    assert!(with_tx >= 10, "{with_tx} schedules with transmissions");
}

/// Program name → (module, first job's end, last job's end) in a witness.
fn witness_of(s: &seamless_model::schedule::Schedule) -> BTreeMap<String, (String, u64, u64)> {
    let mut out: BTreeMap<String, (String, u64, u64)> = BTreeMap::new();
    for j in &s.jobs {
        let e = out
            .entry(j.program.clone())
            .or_insert((j.module.clone(), j.end, j.end));
        e.1 = e.1.min(j.end);
        e.2 = e.2.max(j.end);
    }
    out
}

#[test]
fn feasible_witness_leaves_room_at_every_switch() {
    // the module memory holds the new mode's residents and the programs
    // moving away; a program that keeps its module has a bound at least its
    // gap across the switch (last job in the old table to first in the new)
    let mut moves = 0;
    let mut stays = 0;
    for seed in 0..12 {
        let p = GenParams {
            unavailability_percent: 100,
            ..small(seed, 20, 4, 3)
        };
        let (g, scheds) = feasible(&p);
        let s = assert_loads(&g);
        let w: Vec<_> = scheds.iter().map(witness_of).collect();
        for &(a, b) in &s.transitions {
            let mut held: BTreeMap<&str, u64> = BTreeMap::new();
            for (prog, (m, _, _)) in &w[b] {
                let pi = s.program_by_name(prog).expect("program");
                *held.entry(m).or_default() += s.programs[pi].memory;
            }
            for (prog, (m, _, last)) in &w[a] {
                let pi = s.program_by_name(prog).expect("program");
                let Some((mb, first, _)) = w[b].get(prog) else {
                    continue;
                };
                if mb != m {
                    moves += 1;
                    *held.entry(m).or_default() += s.programs[pi].memory;
                } else {
                    stays += 1;
                    let gap = scheds[a].major_frame - last + first;
                    let bound = s.programs[pi].max_unavailability.expect("bound");
                    assert!(gap <= bound, "seed {seed}: {prog} gap {gap} > {bound}");
                }
            }
            for (m, bytes) in held {
                let mi = s.module_by_name(m).expect("module");
                assert!(bytes <= s.modules[mi].memory, "seed {seed}: {m}");
            }
        }
    }
    // most programs of two modes keep their module
    assert!(stays > 4 * moves, "{stays} stay, {moves} move");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn generate_always_loads(seed in any::<u64>(), programs in 1usize..40, modules in 1usize..12,
                             cores in 1u32..4, modes in 1usize..5, util in 10u32..95, once in 0u32..30) {
        let p = GenParams { cores, utilisation_percent: util, once_percent: once, ..small(seed, programs, modules, modes) };
        let g = generate(&p);
        let s = assert_loads(&g);
        prop_assert_eq!(s.programs.len(), programs);
        prop_assert_eq!(s.modes.len(), modes);
        prop_assert_eq!(&g, &generate(&p));
    }

    #[test]
    fn feasible_always_loads(seed in any::<u64>(), programs in 1usize..40, modules in 1usize..12,
                             cores in 1u32..4, modes in 1usize..5, util in 10u32..95) {
        let p = GenParams { cores, utilisation_percent: util, ..small(seed, programs, modules, modes) };
        let (g, scheds) = feasible(&p);
        let s = assert_loads(&g);
        prop_assert_eq!(scheds.len(), s.modes.len());
        for (m, sc) in s.modes.iter().zip(&scheds) {
            prop_assert_eq!(&m.name, &sc.mode);
            prop_assert_eq!(m.major_frame, sc.major_frame);
            prop_assert_eq!(m.programs.len(), sc.placement.len());
            prop_assert_eq!(m.job_count, sc.jobs.len() as u64);
        }
        prop_assert_eq!((g.clone(), scheds), feasible(&p));
    }
}
