//! The joint placement: a module for every program in every mode, chosen
//! over the graph of allowed transitions at once.
//!
//! Programs are taken most constrained first (fewest allowed modules, then
//! the most modes, then the most memory). Each gets the labelling with the
//! fewest moves over its transitions among the modules where it still fits
//! (memory, processor time kept to a share of the module's cores × frame,
//! and no more programs that pairwise cannot share a core than it has
//! cores); among those, the cheapest moves (its memory's transfer time over
//! the route, against its unavailability bound), then the least loaded
//! modules. A second pass re-places every program that moves more than its
//! own optimum, with everything else in place. Near-linear: each program's
//! search is bounded by a step budget.

use crate::bound::{Best, best_labelling};
use crate::view::{Capacity, ProgView, Usage};
use seamless_model::{ModeId, ModuleId, ProgramId, System};
use std::collections::BTreeMap;

/// Processor time per mille of a module's capacity the joint placement
/// fills before it falls back to the full capacity.
pub(crate) const TIME_SHARE_PM: u64 = 550;
/// Step budget of one program's search in the joint placement.
const JOINT_NODES: u64 = 20_000;

/// The chosen module of every program in every mode.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JointPlacement {
    /// Per mode (indexed like `System::modes`): program → module.
    pub modes: Vec<BTreeMap<ProgramId, ModuleId>>,
}

impl JointPlacement {
    /// The module of `program` in `mode`, if it runs there.
    pub fn module(&self, mode: ModeId, program: ProgramId) -> Option<ModuleId> {
        self.modes.get(mode)?.get(&program).copied()
    }

    /// Migrations on every allowed transition, in `System::transitions`
    /// order: programs in both modes on different modules (ascending).
    pub fn moves(&self, system: &System) -> Vec<Vec<ProgramId>> {
        system
            .transitions
            .iter()
            .map(|&(a, b)| {
                let (Some(pa), Some(pb)) = (self.modes.get(a), self.modes.get(b)) else {
                    return Vec::new();
                };
                pa.iter()
                    .filter(|(p, m)| pb.get(p).is_some_and(|mb| mb != *m))
                    .map(|(&p, _)| p)
                    .collect()
            })
            .collect()
    }
}

/// The cost of moving `v` from `x` to `y`: the transfer time of its memory
/// over the route (ticks, summed over the hops), per mille of its
/// unavailability bound when it has one.
pub(crate) fn move_cost(system: &System, v: &ProgView, x: ModuleId, y: ModuleId) -> u64 {
    let hops = system.network.route(x, y);
    let t: u64 = hops
        .iter()
        .map(|h| system.tx_time(h.link, v.memory))
        .fold(0, u64::saturating_add);
    match system.programs[v.id].max_unavailability {
        Some(b) if b > 0 => {
            (u128::from(t) * 1000 / u128::from(b)).min(u128::from(u64::MAX / 4)) as u64
        }
        _ => t,
    }
}

/// The allowed modules of `v` in its `i`-th mode where it fits, least
/// loaded first (processor share, then memory share, then index). If it
/// fits nowhere within the share, within the full capacity; if nowhere at
/// all, every allowed module.
#[allow(clippy::too_many_arguments)]
fn domain(
    system: &System,
    usage: &Usage,
    cap: &Capacity,
    v: &ProgView,
    i: usize,
    fixed: Option<ModuleId>,
    share_pm: u64,
    tight: bool,
) -> Vec<ModuleId> {
    if let Some(m) = fixed {
        return vec![m];
    }
    let mode = v.modes[i];
    // tight: memory at every switch into this mode kept too (the mode's
    // residents and the programs still moving away)
    let at_switch = |m: ModuleId| {
        system
            .transitions
            .iter()
            .enumerate()
            .filter(|&(_, &(_, b))| b == mode)
            .all(|(t, _)| usage.switch_excess(cap, t, mode, m, v.memory) == 0)
    };
    let mut d: Vec<ModuleId> = Vec::new();
    if tight {
        for pm in [share_pm, 1000] {
            d = v.allowed[i]
                .iter()
                .copied()
                .filter(|&m| usage.fits(system, cap, v, i, m, pm) && at_switch(m))
                .collect();
            if !d.is_empty() {
                break;
            }
        }
    }
    if d.is_empty() {
        d = v.allowed[i]
            .iter()
            .copied()
            .filter(|&m| usage.fits(system, cap, v, i, m, share_pm))
            .collect();
    }
    if d.is_empty() {
        d = v.allowed[i]
            .iter()
            .copied()
            .filter(|&m| usage.fits(system, cap, v, i, m, 1000))
            .collect();
    }
    if d.is_empty() {
        d = v.allowed[i].clone();
    }
    let share = |used: u64, c: u64| u128::from(used) * 1_000_000 / u128::from(c.max(1));
    if tight {
        // best fit on memory: the module the program leaves least room on
        d.sort_by_key(|&m| {
            (
                cap.memory[mode][m].saturating_sub(usage.memory[mode][m].saturating_add(v.memory)),
                share(
                    usage.time[mode][m].saturating_add(v.load[i]),
                    cap.time[mode][m],
                ),
                m,
            )
        });
        return d;
    }
    d.sort_by_key(|&m| {
        (
            share(
                usage.time[mode][m].saturating_add(v.load[i]),
                cap.time[mode][m],
            ),
            share(
                usage.memory[mode][m].saturating_add(v.memory),
                cap.memory[mode][m],
            ),
            m,
        )
    });
    d
}

/// One program's best labelling given what is already placed; modes in
/// `fixed` keep the module given there; processor time filled up to
/// `share_pm` per mille where possible.
pub(crate) fn place_one(
    system: &System,
    usage: &Usage,
    cap: &Capacity,
    v: &ProgView,
    fixed: &BTreeMap<ModeId, ModuleId>,
    share_pm: u64,
    tight: bool,
) -> Option<Best> {
    let domains: Vec<Vec<ModuleId>> = (0..v.modes.len())
        .map(|i| {
            let fx = fixed.get(&v.modes[i]).copied();
            domain(system, usage, cap, v, i, fx, share_pm, tight)
        })
        .collect();
    let cost = |e: usize, x: ModuleId, y: ModuleId| {
        let c = move_cost(system, v, x, y);
        if !tight {
            return c;
        }
        // tight: a move whose source overflows at the switch (the new
        // mode's residents arrive while it is still there) comes last
        let (_, j, t) = v.edges[e];
        if usage.switch_excess(cap, t, v.modes[j], x, v.memory) > 0 {
            c.saturating_add(SWITCH_OVERFLOW)
        } else {
            c
        }
    };
    best_labelling(v, &domains, &cost, JOINT_NODES)
}

/// The secondary cost of a move that overflows its source's memory at the
/// switch: above any transfer cost.
const SWITCH_OVERFLOW: u64 = 1 << 50;

/// [`place_one`] within [`TIME_SHARE_PM`] of processor time; when that
/// moves the program more than `own` (its optimum over its modes), within
/// the full capacity if that moves it less.
fn place_within(
    system: &System,
    usage: &Usage,
    cap: &Capacity,
    v: &ProgView,
    fixed: &BTreeMap<ModeId, ModuleId>,
    own: u32,
    tight: bool,
) -> Option<Best> {
    let b = place_one(system, usage, cap, v, fixed, TIME_SHARE_PM, tight);
    if b.as_ref().is_some_and(|b| b.moves <= own) {
        return b;
    }
    match (b, place_one(system, usage, cap, v, fixed, 1000, tight)) {
        (Some(b), Some(f)) if f.moves < b.moves => Some(f),
        (Some(b), _) => Some(b),
        (None, f) => f,
    }
}

/// The joint placement of every program, with per-program fixed modules
/// (`fixed[(program, mode)]`, e.g. where a mode's schedule put it).
///
/// First as described in the module docs; when that overflows a module's
/// memory or processor time in a mode, or its memory at a switch (the new
/// mode's residents plus the programs still moving away), again *tight*:
/// largest memory first, best fit on memory, memory at every switch kept
/// where possible and moves that overflow their source at the switch last;
/// the tight placement is taken when it overflows less. Whether it was.
pub(crate) fn place_all(
    system: &System,
    views: &[ProgView],
    cap: &Capacity,
    own: &[u32],
    fixed: &BTreeMap<(ProgramId, ModeId), ModuleId>,
) -> (JointPlacement, Vec<Vec<ModuleId>>, bool) {
    let (jp, labels, usage) = place_all_with(system, views, cap, own, fixed, false);
    let over = usage.overflows(system, cap);
    if over == 0 {
        return (jp, labels, false);
    }
    let (tjp, tlabels, tusage) = place_all_with(system, views, cap, own, fixed, true);
    let tover = tusage.overflows(system, cap);
    if tover == 0 {
        return (tjp, tlabels, true);
    }
    // still overflowing: a complete search within a step budget
    if let Some(l) = crate::pack::pack(system, views, cap, fixed, PACK_STEPS) {
        return (of_labels(system, views, &l), l, true);
    }
    if tover < over {
        (tjp, tlabels, true)
    } else {
        (jp, labels, false)
    }
}

/// Step budget of the complete placement search ([`crate::pack::pack`]).
pub(crate) const PACK_STEPS: u64 = 200_000;

fn place_all_with(
    system: &System,
    views: &[ProgView],
    cap: &Capacity,
    own: &[u32],
    fixed: &BTreeMap<(ProgramId, ModeId), ModuleId>,
    tight: bool,
) -> (JointPlacement, Vec<Vec<ModuleId>>, Usage) {
    let mut usage = Usage::empty(system);
    let mut order: Vec<usize> = (0..views.len()).collect();
    order.sort_by_key(|&i| {
        let v = &views[i];
        let choice: usize = v.allowed.iter().map(Vec::len).min().unwrap_or(0);
        if tight {
            (
                choice,
                std::cmp::Reverse(v.memory),
                std::cmp::Reverse(v.modes.len() as u64),
                v.id,
            )
        } else {
            (
                choice,
                std::cmp::Reverse(v.modes.len() as u64),
                std::cmp::Reverse(v.memory),
                v.id,
            )
        }
    });
    let fixed_of = |v: &ProgView| -> BTreeMap<ModeId, ModuleId> {
        v.modes
            .iter()
            .filter_map(|&m| fixed.get(&(v.id, m)).map(|&x| (m, x)))
            .collect()
    };
    let mut labels: Vec<Vec<ModuleId>> = vec![Vec::new(); views.len()];
    let mut cost: Vec<u32> = vec![0; views.len()];
    for &i in &order {
        let v = &views[i];
        let b = place_within(system, &usage, cap, v, &fixed_of(v), own[i], tight);
        let l = b
            .map(|b| {
                cost[i] = b.moves;
                b.labels
            })
            .unwrap_or_else(|| v.allowed.iter().map(|a| a[0]).collect());
        usage.add(v, &l);
        labels[i] = l;
    }
    // second pass: those above their own optimum, with the rest in place
    for &i in &order {
        if cost[i] <= own[i] {
            continue;
        }
        let v = &views[i];
        usage.remove(v, &labels[i]);
        if let Some(b) = place_within(system, &usage, cap, v, &fixed_of(v), own[i], tight)
            && b.moves < cost[i]
        {
            cost[i] = b.moves;
            labels[i] = b.labels;
        }
        usage.add(v, &labels[i]);
    }
    let mut jp = JointPlacement {
        modes: vec![BTreeMap::new(); system.modes.len()],
    };
    for (v, l) in views.iter().zip(&labels) {
        for (k, &mode) in v.modes.iter().enumerate() {
            jp.modes[mode].insert(v.id, l[k]);
        }
    }
    (jp, labels, usage)
}

/// The joint placement of labels per program view.
pub(crate) fn of_labels(
    system: &System,
    views: &[ProgView],
    labels: &[Vec<ModuleId>],
) -> JointPlacement {
    let mut jp = JointPlacement {
        modes: vec![BTreeMap::new(); system.modes.len()],
    };
    for (v, l) in views.iter().zip(labels) {
        for (k, &mode) in v.modes.iter().enumerate() {
            jp.modes[mode].insert(v.id, l[k]);
        }
    }
    jp
}

/// Whether a placement keeps every module's memory, processor time and cores in
/// every mode.
pub(crate) fn within_capacity(
    system: &System,
    views: &[ProgView],
    cap: &Capacity,
    labels: &[Vec<ModuleId>],
) -> bool {
    let mut usage = Usage::empty(system);
    for (v, l) in views.iter().zip(labels) {
        usage.add(v, l);
    }
    (0..system.modes.len()).all(|mo| {
        (0..system.modules.len()).all(|m| {
            usage.memory[mo][m] <= cap.memory[mo][m]
                && usage.time[mo][m] <= cap.time[mo][m]
                && !usage.residents[mo][m]
                    .iter()
                    .any(|&p| cap.crowded(system, &usage, mo, m, p))
        })
    })
}
