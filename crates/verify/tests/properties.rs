//! Properties: the witnesses of `seamless_gen::feasible` verify clean; every
//! mutation of the mutation family is caught; and the overlap and window
//! checks agree with a naive O(n²) checker on random schedules.

use proptest::prelude::*;
use seamless_gen::{GenParams, Rng, feasible};
use seamless_model::System;
use seamless_model::schedule::Schedule;
use seamless_verify::{Rule, Violation, verify_schedule};
use std::collections::HashSet;

fn params(seed: u64, programs: usize, modules: usize, cores: u32, modes: usize) -> GenParams {
    GenParams {
        programs,
        modules,
        cores,
        modes,
        messages: programs,
        seed,
        jitter_percent: 40,
        ..GenParams::default()
    }
}

fn build(p: &GenParams) -> (System, Vec<Schedule>) {
    let (g, scheds) = feasible(p);
    (g.load().expect("feasible systems load"), scheds)
}

/// The mutation family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mutation {
    PastWindowEdge,
    IntoOverlap,
    OtherCore,
    DropJob,
    DropHop,
    SwapHops,
    ShortenHop,
    OntoFullModule,
    BreakJitter,
}

const ALL: [Mutation; 9] = [
    Mutation::PastWindowEdge,
    Mutation::IntoOverlap,
    Mutation::OtherCore,
    Mutation::DropJob,
    Mutation::DropHop,
    Mutation::SwapHops,
    Mutation::ShortenHop,
    Mutation::OntoFullModule,
    Mutation::BreakJitter,
];

impl Mutation {
    /// The rule the mutated schedule must break.
    fn rule(self) -> Rule {
        match self {
            Mutation::PastWindowEdge => Rule::OutsideWindow,
            Mutation::IntoOverlap => Rule::Overlap,
            Mutation::OtherCore => Rule::JobNotOnPlacement,
            Mutation::DropJob => Rule::MissingJob,
            Mutation::DropHop => Rule::MissingHop,
            Mutation::SwapHops => Rule::HopBeforeParent,
            Mutation::ShortenHop => Rule::HopDuration,
            Mutation::OntoFullModule => Rule::MemoryExceeded,
            Mutation::BreakJitter => Rule::Jitter,
        }
    }

    /// Applies the mutation, choosing with `rng`; `None` if the schedule has
    /// nothing it applies to.
    fn apply(self, sys: &System, s: &Schedule, rng: &mut Rng) -> Option<Schedule> {
        let mode = &sys.modes[sys.mode_by_name(&s.mode)?];
        let slot_of = |program: &str| mode.slot(sys.program_by_name(program)?);
        let mut m = s.clone();
        match self {
            Mutation::PastWindowEdge => {
                let i = rng.index(m.jobs.len());
                let j = &mut m.jobs[i];
                let req = mode.programs[slot_of(&j.program)?].requirement;
                let w = req.timing.instance_window(j.index);
                if rng.chance(50) || w.start == 0 {
                    j.end = w.end + 1;
                    j.start = j.end - req.wcet;
                } else {
                    j.start = w.start - 1;
                    j.end = j.start + req.wcet;
                }
            }
            Mutation::IntoOverlap => {
                let mut pairs = Vec::new();
                for a in 0..m.jobs.len() {
                    for b in 0..m.jobs.len() {
                        if a != b
                            && m.jobs[a].module == m.jobs[b].module
                            && m.jobs[a].core == m.jobs[b].core
                        {
                            pairs.push((a, b));
                        }
                    }
                }
                let &(a, b) = rng.pick(&pairs)?;
                let len = m.jobs[a].end - m.jobs[a].start;
                m.jobs[a].start = m.jobs[b].start + rng.below(m.jobs[b].end - m.jobs[b].start);
                m.jobs[a].end = m.jobs[a].start + len;
            }
            Mutation::OtherCore => {
                let i = rng.index(m.jobs.len());
                let j = &mut m.jobs[i];
                let module = sys.module_by_name(&j.module)?;
                if sys.modules[module].cores > 1 {
                    j.core = (j.core + 1) % sys.modules[module].cores;
                } else if sys.modules.len() > 1 {
                    j.module = sys.modules[(module + 1) % sys.modules.len()].name.clone();
                    j.core = 0;
                } else {
                    return None;
                }
            }
            Mutation::DropJob => {
                let i = rng.index(m.jobs.len());
                m.jobs.remove(i);
            }
            Mutation::DropHop | Mutation::ShortenHop | Mutation::SwapHops => {
                let with_hops: Vec<usize> = (0..m.transmissions.len())
                    .filter(|&t| !m.transmissions[t].hops.is_empty())
                    .collect();
                let &t = rng.pick(&with_hops)?;
                let hops = &mut m.transmissions[t].hops;
                match self {
                    Mutation::DropHop => {
                        let i = rng.index(hops.len());
                        hops.remove(i);
                    }
                    Mutation::ShortenHop => {
                        let i = rng.index(hops.len());
                        hops[i].end -= 1;
                    }
                    _ => {
                        // a hop and one of its children
                        let mut pc = Vec::new();
                        for a in 0..hops.len() {
                            for b in 0..hops.len() {
                                if hops[b].from == hops[a].to {
                                    pc.push((a, b));
                                }
                            }
                        }
                        let &(a, b) = rng.pick(&pc)?;
                        let (sa, ea) = (hops[a].start, hops[a].end);
                        hops[a].start = hops[b].start;
                        hops[a].end = hops[b].end;
                        hops[b].start = sa;
                        hops[b].end = ea;
                    }
                }
            }
            Mutation::OntoFullModule => {
                let mut used = vec![0u64; sys.modules.len()];
                for p in &m.placement {
                    used[sys.module_by_name(&p.module)?] +=
                        sys.programs[sys.program_by_name(&p.program)?].memory;
                }
                let mut options = Vec::new();
                for (pi, p) in m.placement.iter().enumerate() {
                    let mem = sys.programs[sys.program_by_name(&p.program)?].memory;
                    let here = sys.module_by_name(&p.module)?;
                    for (x, module) in sys.modules.iter().enumerate() {
                        if x != here && used[x] + mem > module.memory {
                            options.push((pi, x));
                        }
                    }
                }
                let &(pi, x) = rng.pick(&options)?;
                let name = sys.modules[x].name.clone();
                m.placement[pi].module = name.clone();
                m.placement[pi].core = 0;
                let program = m.placement[pi].program.clone();
                for j in m.jobs.iter_mut().filter(|j| j.program == program) {
                    j.module = name.clone();
                    j.core = 0;
                }
            }
            Mutation::BreakJitter => {
                let mut options = Vec::new();
                for mp in &mode.programs {
                    if let Some(jit) = mp.requirement.max_jitter
                        && mp.requirement.timing.count(mode.major_frame) >= 2
                    {
                        options.push((sys.programs[mp.program].name.clone(), jit));
                    }
                }
                let (program, jit) = rng.pick(&options)?.clone();
                let j = m
                    .jobs
                    .iter_mut()
                    .find(|j| j.program == program && j.index == 1)?;
                j.start += jit + 1;
                j.end += jit + 1;
            }
        }
        Some(m)
    }
}

fn check_family(
    sys: &System,
    scheds: &[Schedule],
    rng: &mut Rng,
    applied: &mut [u32; 9],
) -> Result<(), String> {
    for s in scheds {
        let r = verify_schedule(sys, s);
        if !r.is_valid() {
            return Err(format!("witness of mode {} is invalid:\n{r}", s.mode));
        }
        for (mi, mutation) in ALL.iter().enumerate() {
            if let Some(m) = mutation.apply(sys, s, rng) {
                applied[mi] += 1;
                let r = verify_schedule(sys, &m);
                if !r.has(mutation.rule()) {
                    return Err(format!(
                        "{mutation:?} of mode {} not caught as {}:\n{r}",
                        s.mode,
                        mutation.rule()
                    ));
                }
            }
        }
    }
    Ok(())
}

#[test]
fn every_mutation_is_exercised_and_caught() {
    let mut applied = [0u32; 9];
    for seed in 0..25 {
        let (sys, scheds) = build(&params(seed, 12, 3, 2, 2));
        let mut rng = Rng::new(seed);
        check_family(&sys, &scheds, &mut rng, &mut applied).unwrap();
    }
    for (m, n) in ALL.iter().zip(applied) {
        assert!(n >= 5, "{m:?} applied only {n} times");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn witnesses_verify_and_mutations_are_caught(seed in any::<u64>(), programs in 1usize..25,
            modules in 1usize..6, cores in 1u32..4, modes in 1usize..4, util in 20u32..90) {
        let p = GenParams { utilisation_percent: util, ..params(seed, programs, modules, cores, modes) };
        let (sys, scheds) = build(&p);
        let mut applied = [0u32; 9];
        let mut rng = Rng::new(seed ^ 1);
        if let Err(e) = check_family(&sys, &scheds, &mut rng, &mut applied) {
            return Err(TestCaseError::fail(e));
        }
    }

    /// Random schedules (witnesses with jobs moved anywhere, onto any core,
    /// with any length) checked by verify and by a naive O(n²) checker.
    #[test]
    fn overlap_and_window_match_a_naive_checker(seed in any::<u64>(), moves in 0usize..30) {
        let (sys, scheds) = build(&params(seed, 8, 2, 2, 1));
        let mut rng = Rng::new(seed);
        let mut s = scheds[0].clone();
        let h = s.major_frame;
        for _ in 0..moves {
            let i = rng.index(s.jobs.len());
            let j = &mut s.jobs[i];
            let len = if rng.chance(80) { j.end - j.start } else { rng.below(h / 4) };
            j.start = rng.below(h);
            j.end = j.start + len;
            if rng.chance(30) {
                j.core = rng.below(3) as u32; // core 2 does not exist
            }
            if rng.chance(10) {
                let dup = s.jobs[i].clone();
                s.jobs.push(dup);
            }
        }
        let report = verify_schedule(&sys, &s);

        // naive overlap: a job overlaps an earlier one in (start, end, entry) order
        let mode = &sys.modes[0];
        let on_core = |j: &seamless_model::schedule::JobEntry| {
            sys.module_by_name(&j.module).is_some_and(|m| j.core < sys.modules[m].cores) && j.end > j.start
        };
        let mut naive_second: Vec<(String, u64, u64, u64)> = Vec::new();
        for (b, jb) in s.jobs.iter().enumerate() {
            if !on_core(jb) {
                continue;
            }
            let earlier_overlap = s.jobs.iter().enumerate().any(|(a, ja)| {
                a != b && on_core(ja) && ja.module == jb.module && ja.core == jb.core
                    && (ja.start, ja.end, a) < (jb.start, jb.end, b)
                    && ja.start < jb.end && jb.start < ja.end
            });
            if earlier_overlap {
                naive_second.push((jb.program.clone(), jb.index, jb.start, jb.end));
            }
        }
        let mut got_second = Vec::new();
        for v in &report.violations {
            if let Violation::Overlap { module, core, first, second } = v {
                // the pair named really overlaps, on the core named
                prop_assert!(first.start < second.end && second.start < first.end, "{v}");
                prop_assert!(s.jobs.iter().any(|j| j.program == first.program && j.index == first.index
                    && &j.module == module && j.core == *core));
                got_second.push((second.program.clone(), second.index, second.start, second.end));
            }
        }
        naive_second.sort();
        got_second.sort();
        prop_assert_eq!(naive_second, got_second);

        // naive window: the first entry of each expected job
        let mut seen = HashSet::new();
        let mut naive_window = Vec::new();
        for j in &s.jobs {
            let slot = mode.slot(sys.program_by_name(&j.program).unwrap()).unwrap();
            let t = mode.programs[slot].requirement.timing;
            if j.index >= t.count(mode.major_frame) || !seen.insert((j.program.clone(), j.index)) {
                continue;
            }
            let w = t.instance_window(j.index);
            if j.start < w.start || j.end > w.end {
                naive_window.push((j.program.clone(), j.index));
            }
        }
        let mut got_window: Vec<(String, u64)> = report.violations.iter().filter_map(|v| match v {
            Violation::OutsideWindow { job, .. } => Some((job.program.clone(), job.index)),
            _ => None,
        }).collect();
        naive_window.sort();
        got_window.sort();
        prop_assert_eq!(&naive_window, &got_window);
        if moves == 0 {
            prop_assert!(report.is_valid(), "{}", report);
        }
    }
}
