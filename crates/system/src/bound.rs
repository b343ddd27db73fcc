//! How few migrations any placement could need.
//!
//! Three figures, each at least the one before:
//! - the **pairwise bound**: on an allowed transition, a program present in
//!   both modes must move when its allowed modules (its pin, if pinned) in
//!   the two modes share no module; capacity ignored;
//! - the **per-program optimum**: per program, the fewest moves over all its
//!   transitions of any choice of one allowed module per mode (capacity
//!   ignored; exact, found by branch and bound);
//! - the **exact optimum**: the fewest moves of any placement of all
//!   programs in all modes that respects every module's memory, processor
//!   time (cores × frame) and cores (no more programs that pairwise cannot
//!   share a core than it has cores: `view::Capacity::crowded`) in every
//!   mode — necessary conditions for a schedule, so no schedule can do
//!   better. Computed by branch and
//!   bound where the system is small enough; otherwise unknown.

use crate::view::{Capacity, ProgView, Usage, disjoint, labellings};
use seamless_model::{ModeId, ModuleId, ProgramId, System};

/// The least migrations on one allowed transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionBound {
    /// The mode the transition leaves.
    pub from: ModeId,
    /// The mode the transition enters.
    pub to: ModeId,
    /// Programs in both modes whose allowed modules there share no module:
    /// every placement migrates them (ascending).
    pub forced: Vec<ProgramId>,
}

/// The exact optimum over placements that respect capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Optimum {
    /// The fewest migrations of any placement within memory, processor
    /// time and cores.
    Exact(u32),
    /// No placement respects memory, processor time and cores in every
    /// mode.
    NoFit,
    /// The system is too large for the exhaustive search (or its step
    /// budget ran out).
    Unknown,
}

/// Lower bounds on the migrations of a whole system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounds {
    /// Per allowed transition, in `System::transitions` order.
    pub transitions: Vec<TransitionBound>,
    /// Sum of the forced moves over every transition.
    pub pairwise: u32,
    /// Sum over programs of their own optimum (capacity ignored).
    pub per_program: u32,
    /// Whether every program's own optimum was proven (the search has a
    /// step budget per program); if not, `per_program` is the pairwise
    /// count for those programs.
    pub per_program_exact: bool,
    /// The exact optimum with capacity, where computed.
    pub optimum: Optimum,
}

impl Bounds {
    /// The least number of migrations proven: the exact optimum when known,
    /// else the per-program bound.
    pub fn least(&self) -> u32 {
        match self.optimum {
            Optimum::Exact(n) => n,
            _ => self.per_program,
        }
    }
}

/// Step budget of the per-program search.
pub(crate) const PROGRAM_NODES: u64 = 200_000;
/// Step budget of the exact optimum's search.
const OPTIMUM_NODES: u64 = 2_000_000;
/// Most labellings per program the exact optimum enumerates.
pub(crate) const LABELLINGS: usize = 4_096;

/// The result of a search over one program's labellings.
#[derive(Debug, Clone)]
pub(crate) struct Best {
    pub moves: u32,
    /// The secondary cost of the moves (transfer time against the bound).
    #[allow(dead_code)]
    pub secondary: u64,
    pub labels: Vec<ModuleId>,
    /// Whether the search ran to the end (the result is optimal).
    pub exact: bool,
}

/// Branch and bound over one program's labellings: a module from
/// `domains[i]` for each of its modes, fewest moves first, then the least
/// `secondary` cost of the moves (`cost(edge, from module, to module)`);
/// ties go to the first labelling in domain order. `None` if a domain is
/// empty.
pub(crate) fn best_labelling(
    v: &ProgView,
    domains: &[Vec<ModuleId>],
    cost: &dyn Fn(usize, ModuleId, ModuleId) -> u64,
    node_budget: u64,
) -> Option<Best> {
    let k = v.modes.len();
    if domains.iter().any(Vec::is_empty) {
        return None;
    }
    // edges by their later endpoint; forced weight from there on
    let mut back: Vec<Vec<(usize, bool, usize)>> = vec![Vec::new(); k];
    let mut forced_at = vec![0u32; k + 1];
    for (e, &(i, j, _)) in v.edges.iter().enumerate() {
        let hi = i.max(j);
        back[hi].push((i.min(j), i < j, e));
        if disjoint(&domains[i], &domains[j]) {
            forced_at[hi] += 1;
        }
    }
    let mut suffix = vec![0u32; k + 1];
    for d in (0..k).rev() {
        suffix[d] = suffix[d + 1] + forced_at[d];
    }
    struct St<'a> {
        domains: &'a [Vec<ModuleId>],
        back: &'a [Vec<(usize, bool, usize)>],
        suffix: &'a [u32],
        cost: &'a dyn Fn(usize, ModuleId, ModuleId) -> u64,
        labels: Vec<ModuleId>,
        best: Option<(u32, u64, Vec<ModuleId>)>,
        nodes: u64,
        budget: u64,
        cut: bool,
    }
    fn go(st: &mut St, d: usize, mv: u32, sec: u64) {
        if d == st.labels.len() {
            if st.best.as_ref().is_none_or(|b| (mv, sec) < (b.0, b.1)) {
                st.best = Some((mv, sec, st.labels.clone()));
            }
            return;
        }
        for li in 0..st.domains[d].len() {
            if st.nodes >= st.budget {
                st.cut = true;
                return;
            }
            st.nodes += 1;
            let m = st.domains[d][li];
            let (mut mv2, mut sec2) = (mv, sec);
            for &(lo, forward, e) in &st.back[d] {
                let o = st.labels[lo];
                if o != m {
                    mv2 += 1;
                    let (x, y) = if forward { (o, m) } else { (m, o) };
                    sec2 = sec2.saturating_add((st.cost)(e, x, y));
                }
            }
            if let Some(b) = &st.best {
                let lb = mv2 + st.suffix[d + 1];
                if lb > b.0 || (lb == b.0 && sec2 >= b.1) {
                    continue;
                }
            }
            st.labels[d] = m;
            go(st, d + 1, mv2, sec2);
            if let Some(b) = &st.best
                && b.0 == suffix_total(st.suffix)
                && b.1 == 0
            {
                return;
            }
        }
    }
    fn suffix_total(s: &[u32]) -> u32 {
        s[0]
    }
    let mut st = St {
        domains,
        back: &back,
        suffix: &suffix,
        cost,
        labels: vec![0; k],
        best: None,
        nodes: 0,
        budget: node_budget.max(1),
        cut: false,
    };
    go(&mut st, 0, 0, 0);
    let exact = !st.cut;
    st.best.map(|(moves, secondary, labels)| Best {
        moves,
        secondary,
        labels,
        exact,
    })
}

/// The pairwise forced moves per transition.
pub(crate) fn pairwise(system: &System, views: &[ProgView]) -> Vec<TransitionBound> {
    let mut out: Vec<TransitionBound> = system
        .transitions
        .iter()
        .map(|&(from, to)| TransitionBound {
            from,
            to,
            forced: Vec::new(),
        })
        .collect();
    for v in views {
        for &(i, j, t) in &v.edges {
            if disjoint(&v.allowed[i], &v.allowed[j]) {
                out[t].forced.push(v.id);
            }
        }
    }
    out
}

/// Every program's own optimum (capacity ignored), and whether each is
/// proven.
pub(crate) fn per_program(views: &[ProgView]) -> Vec<(u32, bool)> {
    views
        .iter()
        .map(|v| {
            let forced = v
                .edges
                .iter()
                .filter(|&&(i, j, _)| disjoint(&v.allowed[i], &v.allowed[j]))
                .count() as u32;
            match best_labelling(v, &v.allowed, &|_, _, _| 0, PROGRAM_NODES) {
                Some(b) if b.exact => (b.moves, true),
                _ => (forced, false),
            }
        })
        .collect()
}

/// The exact optimum with capacity: branch and bound over every program's
/// labellings (those with the fewest moves first), keeping every module's
/// memory, processor time and cores in every mode; `upper` is a known feasible
/// count (a placement already found), if any.
pub(crate) fn optimum(
    system: &System,
    views: &[ProgView],
    cap: &Capacity,
    own: &[u32],
    upper: Option<u32>,
) -> Optimum {
    // every labelling of every program, fewest moves first
    let mut lists: Vec<Vec<(u32, Vec<ModuleId>)>> = Vec::with_capacity(views.len());
    for v in views {
        let Some(all) = labellings(v, LABELLINGS) else {
            return Optimum::Unknown;
        };
        lists.push(all);
    }
    // most constrained (fewest labellings), then largest, first
    let mut order: Vec<usize> = (0..views.len()).collect();
    order.sort_by_key(|&i| {
        (
            lists[i].len(),
            std::cmp::Reverse(views[i].memory),
            views[i].id,
        )
    });
    let mut rest = vec![0u32; order.len() + 1];
    for k in (0..order.len()).rev() {
        rest[k] = rest[k + 1] + own[order[k]];
    }
    struct St<'a> {
        system: &'a System,
        views: &'a [ProgView],
        lists: &'a [Vec<(u32, Vec<ModuleId>)>],
        order: &'a [usize],
        rest: &'a [u32],
        cap: &'a Capacity,
        usage: Usage,
        best: Option<u32>,
        nodes: u64,
        cut: bool,
    }
    fn go(st: &mut St, k: usize, cost: u32) {
        if k == st.order.len() {
            if st.best.is_none_or(|b| cost < b) {
                st.best = Some(cost);
            }
            return;
        }
        let p = st.order[k];
        let v = &st.views[p];
        for li in 0..st.lists[p].len() {
            if st.nodes >= OPTIMUM_NODES {
                st.cut = true;
                return;
            }
            st.nodes += 1;
            let (mv, ref labels) = st.lists[p][li];
            if st.best.is_some_and(|b| cost + mv + st.rest[k + 1] >= b) {
                // sorted by moves: the rest cannot do better
                return;
            }
            let fits =
                (0..labels.len()).all(|i| st.usage.fits(st.system, st.cap, v, i, labels[i], 1000));
            if !fits {
                continue;
            }
            let labels = labels.clone();
            st.usage.add(v, &labels);
            go(st, k + 1, cost + mv);
            st.usage.remove(v, &labels);
            if st.best == Some(st.rest[0]) || st.cut {
                return;
            }
        }
    }
    let mut st = St {
        system,
        views,
        lists: &lists,
        order: &order,
        rest: &rest,
        cap,
        usage: Usage::empty(system),
        best: upper.map(|u| u + 1),
        nodes: 0,
        cut: false,
    };
    if upper == Some(rest[0]) {
        return Optimum::Exact(rest[0]);
    }
    go(&mut st, 0, 0);
    if st.cut {
        return Optimum::Unknown;
    }
    match (st.best, upper) {
        (Some(b), Some(u)) if b > u => Optimum::Exact(u),
        (Some(b), _) => Optimum::Exact(b),
        (None, Some(u)) => Optimum::Exact(u),
        (None, None) => Optimum::NoFit,
    }
}

/// Every bound of a system; `upper` is the migrations of a placement known
/// to respect capacity, if any (it lets the exact search stop early).
pub fn bounds(system: &System, upper: Option<u32>) -> Bounds {
    let views = crate::view::views(system);
    bounds_of(system, &views, &Capacity::new(system), upper)
}

pub(crate) fn bounds_of(
    system: &System,
    views: &[ProgView],
    cap: &Capacity,
    upper: Option<u32>,
) -> Bounds {
    let transitions = pairwise(system, views);
    let pairwise_total = transitions.iter().map(|t| t.forced.len() as u32).sum();
    let own = per_program(views);
    let per_program_total = own.iter().map(|o| o.0).sum();
    let per_program_exact = own.iter().all(|o| o.1);
    let own_moves: Vec<u32> = own.iter().map(|o| o.0).collect();
    let optimum = if per_program_exact {
        optimum(system, views, cap, &own_moves, upper)
    } else {
        Optimum::Unknown
    };
    Bounds {
        transitions,
        pairwise: pairwise_total,
        per_program: per_program_total,
        per_program_exact,
        optimum,
    }
}
