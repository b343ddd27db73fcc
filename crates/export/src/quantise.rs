//! Moving schedules onto a coarser clock, for targets that count time in
//! fewer ticks per second than the model (AIR: at most 50,000, and whole
//! milliseconds in practice).

use std::collections::BTreeMap;

use seamless_model::System;
use seamless_model::schedule::Schedule;

fn ceil_to(t: u64, grid: u64) -> u64 {
    t.div_ceil(grid).saturating_mul(grid)
}

/// The schedule with every job on a grid of `grid` ticks, for a target
/// whose clock counts `grid` model ticks: jobs and hops are replayed in the
/// order of their original starts, each as early as it can be but never
/// earlier than before. A job starts at the first grid instant at or after
/// its original start, its core's previous job's end and the arrival of
/// every message instance that fed it in the original, and lasts its
/// duration rounded up to the grid (the budget the target gives: see
/// [`quantised_system`]). A hop keeps its duration and starts at the
/// latest of its original start, its sender job's new end (first hop) or
/// its parent hop's new end plus the link latency, and its link direction's
/// previous hop's end. Order on every core and link is kept, so nothing
/// overlaps; a deadline may be missed: the result is a candidate, to be
/// checked with the verifier against [`quantised_system`] before use.
/// `grid` 0 or 1 returns the schedule unchanged.
pub fn quantise(system: &System, schedule: &Schedule, grid: u64) -> Schedule {
    let mut s = schedule.clone();
    if grid <= 1 {
        return s;
    }
    let node = |name: &str| system.network.nodes.iter().position(|n| n.name == name);
    let latency = |from: &str, to: &str| {
        node(from)
            .zip(node(to))
            .and_then(|(a, b)| system.network.link_between(a, b))
            .map_or(0, |l| system.network.links[l].latency)
    };
    let jobs = &schedule.jobs;
    // per transmission: the sender job, and per hop the receiver jobs it feeds
    let mut sender: Vec<Option<usize>> = Vec::new();
    let mut feeds: Vec<Vec<Vec<usize>>> = Vec::new();
    for t in &schedule.transmissions {
        let msg = system.messages.iter().find(|m| m.name == t.message);
        let from_prog = msg.map(|m| system.programs[m.from].name.as_str());
        let receivers: Vec<&str> = msg
            .map(|m| {
                m.to.iter()
                    .map(|&p| system.programs[p].name.as_str())
                    .collect()
            })
            .unwrap_or_default();
        let first = t.hops.first();
        sender.push(first.and_then(|h| {
            jobs.iter()
                .enumerate()
                .filter(|(_, j)| {
                    Some(j.program.as_str()) == from_prog && j.module == h.from && j.end <= h.start
                })
                .max_by_key(|(_, j)| j.end)
                .map(|(i, _)| i)
        }));
        feeds.push(
            t.hops
                .iter()
                .map(|h| {
                    let arrival = h.end + latency(&h.from, &h.to);
                    receivers
                        .iter()
                        .filter_map(|r| {
                            jobs.iter()
                                .enumerate()
                                .filter(|(_, j)| {
                                    j.program == *r && j.module == h.to && j.start >= arrival
                                })
                                .min_by_key(|(_, j)| j.start)
                                .map(|(i, _)| i)
                        })
                        .collect()
                })
                .collect(),
        );
    }
    // events in original start order; jobs before hops on ties
    let mut events: Vec<(u64, u8, usize, usize)> = Vec::new();
    for (i, j) in jobs.iter().enumerate() {
        events.push((j.start, 0, i, 0));
    }
    for (ti, t) in schedule.transmissions.iter().enumerate() {
        for (hi, h) in t.hops.iter().enumerate() {
            events.push((h.start, 1, ti, hi));
        }
    }
    events.sort_unstable();
    let mut need = vec![0u64; jobs.len()];
    let mut core_free: BTreeMap<(&str, u32), u64> = BTreeMap::new();
    let mut link_free: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    for (orig, kind, a, b) in events {
        if kind == 0 {
            let j = &jobs[a];
            let key = (j.module.as_str(), j.core);
            let free = core_free.get(&key).copied().unwrap_or(0);
            let start = ceil_to(orig.max(free).max(need[a]), grid);
            let end = start.saturating_add(ceil_to(j.end.saturating_sub(j.start), grid));
            core_free.insert(key, end);
            s.jobs[a].start = start;
            s.jobs[a].end = end;
        } else {
            let t = &schedule.transmissions[a];
            let h = &t.hops[b];
            let ready = match t.hops.iter().position(|p| p.to == h.from) {
                Some(pi) => {
                    let p = &s.transmissions[a].hops[pi];
                    p.end + latency(&p.from, &p.to)
                }
                None => sender[a].map_or(0, |j| s.jobs[j].end),
            };
            let key = (h.from.as_str(), h.to.as_str());
            let free = link_free.get(&key).copied().unwrap_or(0);
            let start = orig.max(ready).max(free);
            let end = start.saturating_add(h.end.saturating_sub(h.start));
            link_free.insert(key, end);
            s.transmissions[a].hops[b].start = start;
            s.transmissions[a].hops[b].end = end;
            let arrival = end + latency(&h.from, &h.to);
            for &r in &feeds[a][b] {
                need[r] = need[r].max(arrival);
            }
        }
    }
    s
}

/// The system as a target with a clock of `grid` ticks runs it: every
/// wcet (catalogue and per mode) rounded up to the grid, since the target
/// can only give whole ticks of budget. A [`quantise`]d schedule is
/// verified against this system: its windows are the budgets the target
/// gives, each at least the real wcet.
pub fn quantised_system(system: &System, grid: u64) -> System {
    let mut s = system.clone();
    if grid <= 1 {
        return s;
    }
    for p in &mut s.programs {
        p.requirement.wcet = ceil_to(p.requirement.wcet, grid);
    }
    for m in &mut s.modes {
        for p in &mut m.programs {
            p.requirement.wcet = ceil_to(p.requirement.wcet, grid);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use seamless_model::schedule::JobEntry;

    #[test]
    fn jobs_move_up_onto_the_grid() {
        let s = Schedule {
            mode: "m".into(),
            tick: "1us".into(),
            major_frame: 20_000,
            placement: vec![],
            jobs: vec![JobEntry {
                program: "a".into(),
                index: 0,
                module: "x".into(),
                core: 0,
                start: 1_500,
                end: 1_700,
            }],
            transmissions: vec![],
        };
        let files = [seamless_model::SourceFile {
            name: "system.ron".into(),
            text: r#"System(name: "q", modules: [Module(name: "x", cores: 1, memory: "1MiB")],
                programs: [Program(name: "a", memory: "4KiB", wcet: "200us", period: "20ms")])"#
                .into(),
        }];
        let system = match seamless_model::load::load(&files, Default::default()) {
            Ok(s) => s,
            Err(d) => panic!("{d:?}"),
        };
        let q = quantise(&system, &s, 1000);
        assert_eq!((q.jobs[0].start, q.jobs[0].end), (2000, 3000));
        assert_eq!(quantise(&system, &s, 1), s);
    }
}
