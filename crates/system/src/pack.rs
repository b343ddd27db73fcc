//! A complete search for a placement that keeps every module's memory in
//! every mode and at every switch, for when the greedy joint placement
//! cannot (memory packed nearly full leaves the greedy stuck).
//!
//! Depth first over programs, largest memory first; each program's
//! labellings fewest moves first, then the tightest fit on memory. A
//! labelling is pruned as soon as it overflows: usage only grows as
//! programs are added, so an overflow never goes away deeper down. Branch
//! and bound on the moves; a step budget. Deterministic.

use crate::bound::LABELLINGS;
use crate::view::{Capacity, ProgView, Usage, labellings};
use seamless_model::{ModeId, ModuleId, ProgramId, System};
use std::collections::BTreeMap;

/// Processor time per mille of a module's capacity the search fills.
const TIME_PM: u64 = 800;

/// A placement of every program (labels per entry of its view's modes)
/// within memory (in every mode and at every switch), processor time and cores,
/// with the fewest moves found within `budget` steps, every module in
/// `fixed` kept (a fixed module outside the allowed ones leaves nothing to
/// find); `None` when none was found.
pub(crate) fn pack(
    system: &System,
    views: &[ProgView],
    cap: &Capacity,
    fixed: &BTreeMap<(ProgramId, ModeId), ModuleId>,
    budget: u64,
) -> Option<Vec<Vec<ModuleId>>> {
    let mut lists: Vec<Vec<(u32, Vec<ModuleId>)>> = Vec::with_capacity(views.len());
    for v in views {
        let mut all = labellings(v, LABELLINGS)?;
        all.retain(|(_, l)| {
            l.iter()
                .zip(&v.modes)
                .all(|(&m, &mode)| fixed.get(&(v.id, mode)).is_none_or(|&f| f == m))
        });
        lists.push(all);
    }
    let mut order: Vec<usize> = (0..views.len()).collect();
    order.sort_by_key(|&i| {
        (
            std::cmp::Reverse(views[i].memory.saturating_mul(views[i].modes.len() as u64)),
            lists[i].len(),
            views[i].id,
        )
    });
    let mut rest = vec![0u32; order.len() + 1];
    for k in (0..order.len()).rev() {
        rest[k] = rest[k + 1] + lists[order[k]].first().map_or(0, |x| x.0);
    }
    let mut st = St {
        system,
        views,
        lists: &lists,
        order: &order,
        rest: &rest,
        cap,
        usage: Usage::empty(system),
        labels: vec![Vec::new(); views.len()],
        best: None,
        steps: 0,
        budget,
    };
    go(&mut st, 0, 0);
    st.best.map(|(_, l)| l)
}

struct St<'a> {
    system: &'a System,
    views: &'a [ProgView],
    lists: &'a [Vec<(u32, Vec<ModuleId>)>],
    order: &'a [usize],
    rest: &'a [u32],
    cap: &'a Capacity,
    usage: Usage,
    labels: Vec<Vec<ModuleId>>,
    best: Option<(u32, Vec<Vec<ModuleId>>)>,
    steps: u64,
    budget: u64,
}

/// Whether adding `v` with `labels` keeps memory (every mode, every
/// switch), processor time and cores ([`Capacity::crowded`]); the memory left over on its modules (the
/// smaller, the tighter the fit).
fn fit(st: &St, v: &ProgView, labels: &[ModuleId]) -> Option<u64> {
    let (u, cap) = (&st.usage, st.cap);
    let mut room = 0u64;
    for (i, &m) in labels.iter().enumerate() {
        let mode = v.modes[i];
        let mem = u.memory[mode][m].saturating_add(v.memory);
        if mem > cap.memory[mode][m] {
            return None;
        }
        let limit = (u128::from(cap.time[mode][m]) * u128::from(TIME_PM) / 1000) as u64;
        if u.time[mode][m].saturating_add(v.load[i]) > limit
            || cap.crowded(st.system, u, mode, m, v.id)
        {
            return None;
        }
        room = room.saturating_add(cap.memory[mode][m] - mem);
        // at every switch into this mode, the module also holds what moves
        // away from it
        for (t, &(_, b)) in st.system.transitions.iter().enumerate() {
            if b == mode && u.switch_excess(cap, t, mode, m, v.memory) > 0 {
                return None;
            }
        }
    }
    // and its own move away: held on its source with the new mode's
    // residents there
    for &(i, j, t) in &v.edges {
        let (x, y) = (labels[i], labels[j]);
        if x != y && u.switch_excess(cap, t, v.modes[j], x, v.memory) > 0 {
            return None;
        }
    }
    Some(room)
}

fn go(st: &mut St, k: usize, cost: u32) {
    if k == st.order.len() {
        if st.best.as_ref().is_none_or(|b| cost < b.0) {
            st.best = Some((cost, st.labels.clone()));
        }
        return;
    }
    let p = st.order[k];
    let v = &st.views[p];
    // the labellings that fit, fewest moves then tightest fit first
    let mut cands: Vec<(u32, u64, usize)> = Vec::new();
    for (li, (mv, l)) in st.lists[p].iter().enumerate() {
        if st
            .best
            .as_ref()
            .is_some_and(|b| cost + mv + st.rest[k + 1] >= b.0)
        {
            break;
        }
        if let Some(room) = fit(st, v, l) {
            cands.push((*mv, room, li));
        }
    }
    cands.sort_unstable();
    for (mv, _, li) in cands {
        if st.steps >= st.budget {
            return;
        }
        st.steps += 1;
        if st
            .best
            .as_ref()
            .is_some_and(|b| cost + mv + st.rest[k + 1] >= b.0)
        {
            return;
        }
        let l = st.lists[p][li].1.clone();
        st.usage.add(v, &l);
        st.labels[p] = l;
        go(st, k + 1, cost + mv);
        let l = std::mem::take(&mut st.labels[p]);
        st.usage.remove(v, &l);
        if st.best.as_ref().is_some_and(|b| b.0 == st.rest[0]) {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::views;

    fn tight(seed: u64) -> System {
        // the example's family: module memory packed nearly full
        let p = seamless_gen::GenParams {
            programs: 12,
            modules: 4,
            cores: 2,
            messages: 10,
            modes: 2,
            seed,
            unavailability_percent: 60,
            ..seamless_gen::GenParams::default()
        };
        seamless_gen::feasible(&p).0.load().expect("loads")
    }

    fn overflows(system: &System, vs: &[ProgView], labels: &[Vec<ModuleId>]) -> usize {
        let mut u = Usage::empty(system);
        for (v, l) in vs.iter().zip(labels) {
            u.add(v, l);
        }
        u.overflows(system, &Capacity::new(system))
    }

    #[test]
    fn finds_a_placement_within_memory_at_every_switch() {
        // seed 24: the witness leaves 4 MiB of 328 MiB free in a mode
        let sys = tight(24);
        let vs = views(&sys);
        let l =
            pack(&sys, &vs, &Capacity::new(&sys), &BTreeMap::new(), 200_000).expect("a placement");
        assert_eq!(overflows(&sys, &vs, &l), 0);
        assert_eq!(
            l,
            pack(&sys, &vs, &Capacity::new(&sys), &BTreeMap::new(), 200_000).expect("same")
        );
    }

    #[test]
    fn keeps_the_fixed_modules() {
        let sys = tight(24);
        let vs = views(&sys);
        let free =
            pack(&sys, &vs, &Capacity::new(&sys), &BTreeMap::new(), 200_000).expect("a placement");
        // fix the first program of two modes elsewhere in its first mode
        let (i, v) = vs
            .iter()
            .enumerate()
            .find(|(_, v)| v.modes.len() == 2 && v.allowed[0].len() > 1)
            .expect("a program of two modes");
        let other = *v.allowed[0]
            .iter()
            .find(|&&m| m != free[i][0])
            .expect("other");
        let fixed = BTreeMap::from([((v.id, v.modes[0]), other)]);
        if let Some(l) = pack(&sys, &vs, &Capacity::new(&sys), &fixed, 200_000) {
            assert_eq!(l[i][0], other);
            assert_eq!(overflows(&sys, &vs, &l), 0);
        }
        // a module outside the allowed ones leaves nothing to find
        let fixed = BTreeMap::from([((v.id, v.modes[0]), sys.modules.len())]);
        assert!(pack(&sys, &vs, &Capacity::new(&sys), &fixed, 200_000).is_none());
    }
}
