//! Placement: every program on a module and a core, before any start time.
//!
//! A packing problem: memory per module and processor time per core are
//! the bins, allowed modules and core pins restrict each program. The cost
//! of a packing has a hard part — memory overflow, processor load above a
//! cap, pairs of programs that cannot share a core (strictly periodic
//! programs whose wcets exceed the gcd of their periods; a window with a
//! mandatory part that leaves the other program no room), and
//! fragmentation (a job longer than the time programs of a shorter period
//! leave free in one of their periods, plus a margin) — and a soft part:
//! programs off their hinted module (the modes already scheduled) or off the
//! previous round's core, then bytes per frame sent between modules.
//!
//! A greedy start (most constrained first, best fit on memory within a load
//! band) is followed by a tabu search on moves and swaps around violated
//! resources until the hard cost is zero, then a polish of the soft cost
//! (moves and swaps towards hinted modules that keep it zero). Attempts go
//! from strict (hinted programs held on their hinted module, a moderate load
//! cap, a fragmentation margin) to bare limits. Deterministic: the search
//! uses a seeded generator and a step budget.

use crate::PlacementHint;
use crate::infeasible::UnplacedProgram;
use crate::problem::{Problem, gcd};
use seamless_model::ModuleId;
use std::cmp::Reverse;

/// Module and core per program slot.
#[derive(Debug, Clone)]
pub(crate) struct Placed {
    pub module: Vec<ModuleId>,
    pub core: Vec<u32>,
    /// The processor load per core the packing kept to (busy ticks per
    /// frame); repair moves keep to it too.
    pub cap: u64,
    /// The hinted module per slot (repair moves prefer it).
    pub hint: Vec<Option<ModuleId>>,
}

/// Load band of a core loaded with `load` busy ticks in a frame of `h`.
pub(crate) fn band(load: u64, h: u64) -> u8 {
    let pm = u128::from(load) * 100 / u128::from(h.max(1));
    match pm {
        0..=55 => 0,
        56..=72 => 1,
        73..=85 => 2,
        86..=92 => 3,
        _ => 4,
    }
}

/// Bytes per frame exchanged between program slots, as adjacency lists
/// `(other slot, weight)`; precedence messages count double (a shared module
/// also removes their network delay).
pub(crate) fn affinity(p: &Problem) -> Vec<Vec<(u32, u64)>> {
    let mut adj: Vec<Vec<(u32, u64)>> = vec![Vec::new(); p.progs.len()];
    for m in &p.msgs {
        let w = m
            .size
            .saturating_mul(u64::from(m.n))
            .saturating_mul(if m.precedence { 2 } else { 1 });
        for &q in &m.receivers {
            adj[m.sender as usize].push((q, w));
            adj[q as usize].push((m.sender, w));
        }
    }
    for a in &mut adj {
        a.sort_unstable();
        // merge duplicates
        let mut out: Vec<(u32, u64)> = Vec::with_capacity(a.len());
        for &(q, w) in a.iter() {
            match out.last_mut() {
                Some(last) if last.0 == q => last.1 = last.1.saturating_add(w),
                _ => out.push((q, w)),
            }
        }
        *a = out;
    }
    adj
}

/// The part of every window that any job of the program must cover
/// (relative start and length), when its window is less than twice its wcet.
pub(crate) fn mandatory(p: &Problem, s: u32) -> Option<(u64, u64)> {
    let q = &p.progs[s as usize];
    let w = q.timing.window();
    let (a, b) = (w.end - q.wcet, w.start + q.wcet);
    (a < b).then(|| (a, b - a))
}

/// Whether a program needs pairwise checks on its core: strictly periodic,
/// with a mandatory part, or in a pair that [`too_long`] rules out (its
/// jobs leave a gap shorter than some job of the mode, or its job is longer
/// than some program's gap).
pub(crate) fn special(p: &Problem, s: u32) -> bool {
    let q = &p.progs[s as usize];
    q.strict() || mandatory(p, s).is_some() || q.gap < p.max_wcet || q.wcet > p.min_gap
}

/// Whether a job of one of the two programs is longer than the longest
/// stretch the other's jobs can leave free on a core ([`Prog::gap`]): jobs
/// are non-preemptive, so then no schedule puts them on one core.
///
/// [`Prog::gap`]: crate::problem::Prog::gap
pub(crate) fn too_long(p: &Problem, a: u32, b: u32) -> bool {
    longer_than_gap(p, a, b) || longer_than_gap(p, b, a)
}

/// Whether a job of `a` is longer than the longest stretch `b`'s jobs can
/// leave free on a core (one direction of [`too_long`]).
pub(crate) fn longer_than_gap(p: &Problem, a: u32, b: u32) -> bool {
    p.progs[a as usize].wcet > p.progs[b as usize].gap
}

/// Whether a job of length `c` fits in the window `[s, e)` between the
/// occurrences `[x + i·g, x + i·g + l)` (all integers `i`) of another
/// program's mandatory part.
fn fits_around(s: u64, e: u64, c: u64, x: u64, l: u64, g: u64) -> bool {
    if l >= g {
        return false;
    }
    if e - s >= 2 * g {
        return c <= g - l;
    }
    let (s, e, x, l, g) = (s as i128, e as i128, (x % g) as i128, l as i128, g as i128);
    // the first occurrence ending after s
    let mut y = x + ((s - l - x).div_euclid(g) + 1) * g;
    if y + l <= s {
        y += g;
    }
    let mut cursor = s;
    while y < e {
        if y - cursor >= c as i128 {
            return true;
        }
        cursor = cursor.max(y + l);
        y += g;
    }
    e - cursor >= c as i128
}

// ---- issue 10: proven pair limits vs the gcd preference -----------------
//
// `compatible` may only say `false` when no schedule can put the two
// programs on one core (it is used as a hard limit by the bare placement
// attempts); `comfortable` adds the older gcd heuristic, used as a
// preference by the first attempts and by repair moves.

/// Most distinct job phases checked per pair before `compatible` gives up
/// proving anything (and allows the pair).
const PHASES_CHECKED: u64 = 256;

/// Whether program slots `a` and `b` may share a core, as far as can be
/// proven from the two alone: two strictly periodic programs need
/// `c_a + c_b ≤ gcd(T_a, T_b)` (exact: the table repeats); neither job may be
/// longer than the gaps the other's jobs leave ([`too_long`]); a program whose
/// window forces a mandatory part, which recurs every one of *its* periods,
/// must leave each job of the other room in its window (one common offset
/// for a strictly periodic other, hence the gcd there; job by job
/// otherwise).
pub(crate) fn compatible(p: &Problem, a: u32, b: u32) -> bool {
    let (pa, pb) = (&p.progs[a as usize], &p.progs[b as usize]);
    let ta = pa.timing.period().unwrap_or(p.h);
    let tb = pb.timing.period().unwrap_or(p.h);
    let g = gcd(ta, tb).max(1);
    if pa.strict() && pb.strict() && pa.wcet.saturating_add(pb.wcet) > g {
        return false;
    }
    if too_long(p, a, b) {
        return false;
    }
    for (x, y) in [(a, b), (b, a)] {
        let Some((xm, lm)) = mandatory(p, x) else {
            continue;
        };
        let tx = p.progs[x as usize].timing.period().unwrap_or(p.h).max(1);
        let py = &p.progs[y as usize];
        let ty = py.timing.period().unwrap_or(p.h);
        let w = py.timing.window();
        if py.strict() {
            if !fits_around(w.start, w.end, py.wcet, xm, lm, g) {
                return false;
            }
            continue;
        }
        // job k of y sees x's mandatory part shifted by k·T_y (mod T_x)
        let phases = u64::from(py.n).min(tx / g);
        if phases > PHASES_CHECKED {
            continue;
        }
        for k in 0..phases {
            let shift = ((u128::from(k) * u128::from(ty)) % u128::from(tx)) as u64;
            let x_rel = (xm % tx + tx - shift) % tx;
            if !fits_around(w.start, w.end, py.wcet, x_rel, lm, tx) {
                return false;
            }
        }
    }
    true
}

/// [`compatible`], and the older, stronger preference: a mandatory part
/// taken to recur every gcd of the two periods (it does for a strictly
/// periodic other; for one with jitter this is a heuristic, never a proof).
pub(crate) fn comfortable(p: &Problem, a: u32, b: u32) -> bool {
    if !compatible(p, a, b) {
        return false;
    }
    let (pa, pb) = (&p.progs[a as usize], &p.progs[b as usize]);
    let ta = pa.timing.period().unwrap_or(p.h);
    let tb = pb.timing.period().unwrap_or(p.h);
    let g = gcd(ta, tb).max(1);
    for (x, y) in [(a, b), (b, a)] {
        if let Some((xm, lm)) = mandatory(p, x) {
            let py = &p.progs[y as usize];
            let w = py.timing.window();
            if !fits_around(w.start, w.end, py.wcet, xm, lm, g) {
                return false;
            }
        }
    }
    true
}
// ---- end issue 10 ------------------------------------------------------

/// A small deterministic generator (splitmix64) for tie-breaking and
/// diversification in the search.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Weight of one hint miss in the soft cost (dominates communication).
const HINT_W: u64 = 1 << 40;
/// Weight of leaving the previous round's core (below a hint miss).
const PREV_W: u64 = 1 << 32;
/// Scale of the hard cost terms (overflow in millionths of a capacity).
const SCALE: u128 = 1_000_000;

/// The packing search state: program slot → global core.
struct Pack<'p, 'a> {
    p: &'p Problem<'a>,
    /// Per slot: allowed global cores (ascending).
    options: Vec<Vec<u32>>,
    /// Per slot: allowed global cores as a bitmap.
    allowed: Vec<Vec<u64>>,
    /// Module of each global core.
    module_of: Vec<ModuleId>,
    pos: Vec<u32>,
    mem_used: Vec<u64>,
    load: Vec<u64>,
    /// Strictly periodic slots per global core.
    strict_on: Vec<Vec<u32>>,
    /// Items per global core.
    on_core: Vec<Vec<u32>>,
    cap: u64,
    hint: Vec<Option<(ModuleId, Option<u32>)>>,
    aff: Vec<Vec<(u32, u64)>>,
    /// The fragmentation term: off, or on with a margin (per mille of the
    /// shorter period kept free beyond the job).
    frag: Option<u64>,
    /// Fragmentation cost per core (cached).
    core_frag: Vec<u128>,
    /// Per core, the fragmentation of the programs that can only run on it
    /// ([`Problem::fixed_core`]): no packing avoids it, so it is not
    /// counted (the term is monotone in the programs on a core, so what is
    /// counted stays non-negative and zero remains reachable).
    frag_base: Vec<u128>,
    /// The previous round's placement (global core per slot), if any.
    prev: Vec<u32>,
}

/// Fragmentation of one core holding `items` (period, wcet): a job must
/// fit in the time that programs of every shorter period leave free in one
/// of their periods (`T_j − Σ_{T_k ≤ T_j} c_k·⌈T_j/T_k⌉`), or a one-offset
/// layout cannot exist. Cost: the excess, in millionths of the period.
pub(crate) fn frag_of(items: &mut [(u64, u64)], margin_pm: u64) -> u128 {
    if items.len() < 2 {
        return 0;
    }
    items.sort_unstable();
    let mut cost = 0u128;
    let mut min_gap = u64::MAX; // over levels strictly below the current period
    let mut i = 0;
    while i < items.len() {
        let t = items[i].0;
        let mut j = i;
        while j < items.len() && items[j].0 == t {
            let c = items[j].1;
            if c > min_gap {
                cost += (u128::from(c - min_gap) * SCALE).div_ceil(u128::from(t.max(1)));
            }
            j += 1;
        }
        // the load of every period ≤ t within one t
        let load: u64 = items[..j]
            .iter()
            .map(|&(tk, ck)| ck.saturating_mul(t.div_ceil(tk.max(1))))
            .fold(0, u64::saturating_add);
        let margin = (u128::from(t) * u128::from(margin_pm) / 1000) as u64;
        min_gap = min_gap.min(t.saturating_sub(load).saturating_sub(margin));
        i = j;
    }
    cost
}

impl Pack<'_, '_> {
    /// Pair limit of this attempt: the gcd preference while the
    /// fragmentation term is on (the stricter attempts), proven limits only
    /// in the bare attempts (issue 10).
    /// Two programs that can only run on one core ([`Problem::fixed_core`])
    /// are not counted: no packing separates them (what provably cannot
    /// share the core is reported by the necessary conditions; the rest is
    /// left to the schedule search and its report).
    fn pair_ok(&self, a: u32, b: u32) -> bool {
        if self.p.fixed_core(a) && self.p.fixed_core(b) {
            true
        } else if self.frag.is_some() {
            comfortable(self.p, a, b)
        } else {
            compatible(self.p, a, b)
        }
    }

    /// Fragmentation of core `gc` with `out_` taken off it and `in_` put
    /// on it, beyond what the programs that can only run there cause by
    /// themselves ([`Pack::frag_base`]).
    fn frag_items(&self, gc: usize, out_: &[u32], in_: &[u32]) -> u128 {
        let Some(margin) = self.frag else { return 0 };
        let mut items: Vec<(u64, u64)> = self.on_core[gc]
            .iter()
            .chain(in_)
            .filter(|s| !out_.contains(s) || in_.contains(s))
            .map(|&s| {
                let q = &self.p.progs[s as usize];
                (q.timing.period().unwrap_or(self.p.h), q.wcet)
            })
            .collect();
        frag_of(&mut items, margin).saturating_sub(self.frag_base[gc])
    }

    fn mem_cost(&self, m: ModuleId, used: u64) -> u128 {
        let cap = self.p.sys.modules[m].memory;
        if used <= cap {
            0
        } else {
            (u128::from(used - cap) * SCALE).div_ceil(u128::from(cap.max(1)))
        }
    }
    fn cpu_cost(&self, load: u64) -> u128 {
        if load <= self.cap {
            0
        } else {
            (u128::from(load - self.cap) * SCALE).div_ceil(u128::from(self.p.h.max(1)))
        }
    }
    fn clashes(&self, s: u32, gc: usize, except: &[u32]) -> u128 {
        let others = if special(self.p, s) {
            &self.on_core[gc]
        } else {
            &self.strict_on[gc]
        };
        others
            .iter()
            .filter(|&&o| o != s && !except.contains(&o) && !self.pair_ok(s, o))
            .count() as u128
            * SCALE
    }

    /// Incompatible pairs on a core (at least one of each pair special).
    fn core_clashes(&self, gc: usize) -> u128 {
        let mut n = 0u128;
        for &a in &self.strict_on[gc] {
            for &b in &self.on_core[gc] {
                if a != b && !(special(self.p, b) && b < a) && !self.pair_ok(a, b) {
                    n += 1;
                }
            }
        }
        n * SCALE
    }
    fn hint_miss(&self, s: u32, gc: u32) -> u64 {
        let moved = match self.prev.get(s as usize) {
            Some(&pc) if pc != gc => PREV_W,
            _ => 0,
        };
        moved
            + match self.hint[s as usize] {
                None => 0,
                Some((m, c)) => {
                    let gm = self.module_of[gc as usize];
                    if gm != m {
                        HINT_W
                    } else if c.is_some_and(|c| self.p.core_base[m] + c as usize != gc as usize) {
                        1 << 20
                    } else {
                        0
                    }
                }
            }
    }
    /// Communication cost of the edges of `s` given a position function.
    fn comm(&self, s: u32, at: &dyn Fn(u32) -> u32) -> u64 {
        let ms = self.module_of[at(s) as usize];
        self.aff[s as usize]
            .iter()
            .filter(|&&(o, _)| self.module_of[at(o) as usize] != ms)
            .map(|&(_, w)| w)
            .fold(0, u64::saturating_add)
    }

    /// (hard, soft) cost change of moving each `(slot, to)`, all at once.
    fn delta(&self, moves: &[(u32, u32)]) -> (i128, i128) {
        let p = self.p;
        let new_pos = |s: u32| -> u32 {
            for &(x, to) in moves {
                if x == s {
                    return to;
                }
            }
            self.pos[s as usize]
        };
        // modules and cores touched
        let mut mods: Vec<ModuleId> = Vec::with_capacity(4);
        let mut cores: Vec<usize> = Vec::with_capacity(4);
        for &(s, to) in moves {
            let from = self.pos[s as usize];
            for gc in [from as usize, to as usize] {
                if !cores.contains(&gc) {
                    cores.push(gc);
                }
                let m = self.module_of[gc];
                if !mods.contains(&m) {
                    mods.push(m);
                }
            }
        }
        let mut hard: i128 = 0;
        for &m in &mods {
            let mut used = self.mem_used[m];
            for &(s, to) in moves {
                let q = &p.progs[s as usize];
                if self.module_of[self.pos[s as usize] as usize] == m {
                    used -= q.memory;
                }
                if self.module_of[to as usize] == m {
                    used += q.memory;
                }
            }
            hard += self.mem_cost(m, used) as i128 - self.mem_cost(m, self.mem_used[m]) as i128;
        }
        for &gc in &cores {
            let mut load = self.load[gc];
            for &(s, to) in moves {
                let q = &p.progs[s as usize];
                if self.pos[s as usize] as usize == gc {
                    load -= q.load;
                }
                if to as usize == gc {
                    load += q.load;
                }
            }
            hard += self.cpu_cost(load) as i128 - self.cpu_cost(self.load[gc]) as i128;
            if self.frag.is_some() {
                let outs: Vec<u32> = moves
                    .iter()
                    .filter(|&&(s, _)| self.pos[s as usize] as usize == gc)
                    .map(|&(s, _)| s)
                    .collect();
                let ins: Vec<u32> = moves
                    .iter()
                    .filter(|&&(_, to)| to as usize == gc)
                    .map(|&(s, _)| s)
                    .collect();
                let after = self.frag_items(gc, &outs, &ins);
                hard += after as i128 - self.core_frag[gc] as i128;
            }
        }
        let movers: Vec<u32> = moves.iter().map(|&(s, _)| s).collect();
        for &(s, to) in moves {
            // clashes counted per mover against non-movers, before and after
            hard -= self.clashes(s, self.pos[s as usize] as usize, &movers) as i128;
            hard += self.clashes(s, to as usize, &movers) as i128;
        }
        if movers.len() == 2 && (special(p, movers[0]) || special(p, movers[1])) {
            let (a, b) = (movers[0], movers[1]);
            let incompatible = !self.pair_ok(a, b);
            let before = self.pos[a as usize] == self.pos[b as usize];
            let after = new_pos(a) == new_pos(b);
            if incompatible {
                hard += (i128::from(after) - i128::from(before)) * SCALE as i128;
            }
        }
        let mut soft: i128 = 0;
        let cur = |s: u32| self.pos[s as usize];
        for &(s, to) in moves {
            soft += i128::from(self.hint_miss(s, to))
                - i128::from(self.hint_miss(s, self.pos[s as usize]));
            let mut before = self.comm(s, &cur);
            let mut after = self.comm(s, &new_pos);
            // an edge between two movers is seen twice: halve its share
            for &(o, w) in &self.aff[s as usize] {
                if o != s && movers.contains(&o) {
                    if self.module_of[cur(o) as usize] != self.module_of[cur(s) as usize] {
                        before -= w / 2;
                    }
                    if self.module_of[new_pos(o) as usize] != self.module_of[new_pos(s) as usize] {
                        after -= w / 2;
                    }
                }
            }
            soft += i128::from(after) - i128::from(before);
        }
        (hard, soft)
    }

    fn apply(&mut self, s: u32, to: u32) {
        let q = &self.p.progs[s as usize];
        let from = self.pos[s as usize] as usize;
        let to = to as usize;
        self.mem_used[self.module_of[from]] -= q.memory;
        self.mem_used[self.module_of[to]] += q.memory;
        self.load[from] -= q.load;
        self.load[to] += q.load;
        self.on_core[from].retain(|&x| x != s);
        self.on_core[to].push(s);
        if special(self.p, s) {
            self.strict_on[from].retain(|&x| x != s);
            self.strict_on[to].push(s);
        }
        self.pos[s as usize] = to as u32;
        if self.frag.is_some() {
            self.core_frag[from] = self.frag_items(from, &[], &[]);
            self.core_frag[to] = self.frag_items(to, &[], &[]);
        }
    }

    fn total(&self) -> (u128, u128) {
        let mut hard = 0u128;
        for m in 0..self.mem_used.len() {
            hard += self.mem_cost(m, self.mem_used[m]);
        }
        for gc in 0..self.load.len() {
            hard += self.cpu_cost(self.load[gc]);
            hard += self.core_frag[gc];
            hard += self.core_clashes(gc);
        }
        let mut soft = 0u128;
        let cur = |s: u32| self.pos[s as usize];
        for s in 0..self.pos.len() as u32 {
            soft += u128::from(self.hint_miss(s, self.pos[s as usize]));
            soft += u128::from(self.comm(s, &cur)) / 2;
        }
        (hard, soft)
    }

    /// Resources with a hard violation: ("module", m) or ("core", gc).
    fn violated(&self) -> Vec<(bool, usize)> {
        let mut v = Vec::new();
        for m in 0..self.mem_used.len() {
            if self.mem_cost(m, self.mem_used[m]) > 0 {
                v.push((true, m));
            }
        }
        for gc in 0..self.load.len() {
            let clash = self.core_clashes(gc) > 0;
            if self.cpu_cost(self.load[gc]) > 0 || clash || self.core_frag[gc] > 0 {
                v.push((false, gc));
            }
        }
        v
    }
}

/// Search effort of the packing, in candidate moves evaluated.
pub(crate) const PACK_BUDGET: u64 = 4_000_000;
/// Candidate moves the final polish of one packing may evaluate.
const POLISH_BUDGET: u64 = 1_000_000;

/// Restrictions from earlier rounds: (slot, global core) pairs to avoid, and
/// the previous placement to stay close to.
#[derive(Debug, Clone)]
pub(crate) struct Round {
    pub index: u64,
    pub forbid: std::collections::BTreeSet<(u32, u32)>,
    pub prev: Option<Vec<u32>>,
    /// Candidate moves the packing may still evaluate in this mode (shared
    /// by all rounds and attempts).
    pub budget: u64,
    /// Safety cap: stop searching after this instant.
    pub deadline: Option<std::time::Instant>,
}

impl Default for Round {
    fn default() -> Self {
        Round {
            index: 0,
            forbid: Default::default(),
            prev: None,
            budget: PACK_BUDGET,
            deadline: None,
        }
    }
}

pub(crate) fn place(
    p: &Problem,
    hint: &PlacementHint,
    round: &mut Round,
) -> Result<Placed, Vec<UnplacedProgram>> {
    let sys = p.sys;
    let h = p.h;
    let n = p.progs.len();
    let mut module_of = Vec::with_capacity(p.n_cores);
    for (m, md) in sys.modules.iter().enumerate() {
        for _ in 0..md.cores {
            module_of.push(m);
        }
    }
    let words = p.n_cores.div_ceil(64).max(1);
    let mut options = Vec::with_capacity(n);
    for q in &p.progs {
        let mut o: Vec<u32> = Vec::new();
        for &m in &q.allowed {
            match q.pin_core {
                Some(c) if c < sys.modules[m].cores => o.push((p.core_base[m] + c as usize) as u32),
                Some(_) => {}
                None => o.extend(
                    (0..sys.modules[m].cores).map(|c| (p.core_base[m] + c as usize) as u32),
                ),
            }
        }
        let s = options.len() as u32;
        if o.iter().any(|&gc| !round.forbid.contains(&(s, gc))) {
            o.retain(|&gc| !round.forbid.contains(&(s, gc)));
        }
        options.push(o);
    }
    let hint_v: Vec<Option<(ModuleId, Option<u32>)>> = p
        .progs
        .iter()
        .map(|q| {
            hint.preferred
                .get(&q.id)
                .copied()
                .filter(|(m, _)| q.allowed.binary_search(m).is_ok())
        })
        .collect();
    let total_load: u128 = p.progs.iter().map(|q| u128::from(q.load)).sum();
    let avg = total_load * 1000 / (u128::from(h.max(1)) * p.n_cores.max(1) as u128);
    let first_cap = (avg as u64 + 50).clamp(600, 1000);
    let mid_cap = (first_cap + 1000) / 2;
    // First (in the first round, when there are hints) with every hinted
    // program held on its hinted module, so that a mode switch migrates as
    // little as possible; then free. Within each, from a moderate processor
    // load and a fragmentation margin towards the bare limits.
    let forced = round.index == 0 && hint_v.iter().any(Option::is_some);
    let mut attempts: Vec<(u64, Option<u64>, bool)> = Vec::new();
    if forced {
        attempts.extend([
            (first_cap, Some(150), true),
            (mid_cap, Some(0), true),
            (1000, Some(0), true),
            (1000, None, true),
        ]);
    }
    attempts.extend([
        (first_cap, Some(150), false),
        (first_cap, Some(0), false),
        (mid_cap, Some(0), false),
        (1000, Some(0), false),
        (first_cap, None, false),
        (mid_cap, None, false),
        (1000, None, false),
    ]);
    let mut rng = Rng::new(p.mode_id as u64 ^ ((n as u64) << 32) ^ (round.index << 56));
    let mut last: Option<Pack> = None;
    for (ai, &(cap_pm, frag, force)) in attempts.iter().enumerate() {
        if ai > 0 && attempts[..ai].contains(&(cap_pm, frag, force)) {
            continue;
        }
        // each attempt may spend a third of what is left
        let mut budget = round.budget / 3;
        let given = budget;
        let mut options = options.clone();
        if force {
            for (s, o) in options.iter_mut().enumerate() {
                if let Some((hm, _)) = hint_v[s]
                    && o.iter().any(|&gc| module_of[gc as usize] == hm)
                {
                    o.retain(|&gc| module_of[gc as usize] == hm);
                }
            }
        }
        let allowed: Vec<Vec<u64>> = options
            .iter()
            .map(|o| {
                let mut bits = vec![0u64; words];
                for &gc in o {
                    bits[gc as usize / 64] |= 1 << (gc % 64);
                }
                bits
            })
            .collect();
        let cap = (u128::from(h) * u128::from(cap_pm) / 1000) as u64;
        let mut pack = Pack {
            p,
            options,
            allowed,
            module_of: module_of.clone(),
            pos: vec![u32::MAX; n],
            mem_used: vec![0; sys.modules.len()],
            load: vec![0; p.n_cores],
            strict_on: vec![Vec::new(); p.n_cores],
            on_core: vec![Vec::new(); p.n_cores],
            cap,
            hint: hint_v.clone(),
            aff: affinity(p),
            frag,
            core_frag: vec![0; p.n_cores],
            frag_base: vec![0; p.n_cores],
            prev: round.prev.clone().unwrap_or_default(),
        };
        if let Some(margin) = frag {
            let mut fixed: Vec<Vec<(u64, u64)>> = vec![Vec::new(); p.n_cores];
            for (s, q) in p.progs.iter().enumerate() {
                if p.fixed_core(s as u32)
                    && let [gc] = pack.options[s][..]
                {
                    fixed[gc as usize].push((q.timing.period().unwrap_or(h), q.wcet));
                }
            }
            for (base, items) in pack.frag_base.iter_mut().zip(&mut fixed) {
                *base = frag_of(items, margin);
            }
        }
        if pack.options.iter().any(|o| o.is_empty()) {
            break;
        }
        greedy(&mut pack);
        tabu(&mut pack, &mut rng, &mut budget, round.deadline);
        round.budget -= given - budget;
        if pack.total().0 == 0 {
            let mut allowance = POLISH_BUDGET;
            if round.deadline.is_none_or(|d| std::time::Instant::now() < d) {
                polish(&mut pack, &mut allowance);
            }
            let module = pack.pos.iter().map(|&gc| module_of[gc as usize]).collect();
            let core = pack
                .pos
                .iter()
                .map(|&gc| (gc as usize - p.core_base[module_of[gc as usize]]) as u32)
                .collect();
            let hint = hint_v.iter().map(|h| h.map(|(m, _)| m)).collect();
            return Ok(Placed {
                module,
                core,
                cap,
                hint,
            });
        }
        last = Some(pack);
    }
    // report what does not fit in the best packing found
    let mut failed = Vec::new();
    if let Some(pack) = last {
        let mut over_mem = vec![false; sys.modules.len()];
        for (m, flag) in over_mem.iter_mut().enumerate() {
            *flag = pack.mem_cost(m, pack.mem_used[m]) > 0;
        }
        let over_core: Vec<bool> = (0..p.n_cores).map(|gc| pack.load[gc] > h).collect();
        for (s, q) in p.progs.iter().enumerate() {
            let gc = pack.pos[s] as usize;
            let m = module_of[gc];
            if !(over_mem[m] || over_core[gc]) {
                continue;
            }
            // the largest program on an overfull resource stands for it
            let biggest = pack.on_core[gc]
                .iter()
                .copied()
                .chain(
                    (0..n as u32)
                        .filter(|&o| over_mem[m] && module_of[pack.pos[o as usize] as usize] == m),
                )
                .max_by_key(|&o| (p.progs[o as usize].memory, std::cmp::Reverse(o)));
            if biggest != Some(s as u32) {
                continue;
            }
            failed.push(UnplacedProgram {
                program: q.id,
                memory: q.memory,
                load: q.load,
                modules: q
                    .allowed
                    .iter()
                    .map(|&am| {
                        let free_mem = sys.modules[am].memory.saturating_sub(pack.mem_used[am]);
                        let free_cpu = (0..sys.modules[am].cores)
                            .map(|c| h.saturating_sub(pack.load[p.core_base[am] + c as usize]))
                            .max()
                            .unwrap_or(0);
                        (am, free_mem, free_cpu)
                    })
                    .collect(),
            });
        }
    } else {
        for q in &p.progs {
            failed.push(UnplacedProgram {
                program: q.id,
                memory: q.memory,
                load: q.load,
                modules: Vec::new(),
            });
        }
    }
    failed.sort_by_key(|u| u.program);
    failed.dedup_by_key(|u| u.program);
    if failed.is_empty() {
        // strict clashes only: name the strict programs
        failed = p
            .progs
            .iter()
            .filter(|q| q.strict())
            .map(|q| UnplacedProgram {
                program: q.id,
                memory: q.memory,
                load: q.load,
                modules: Vec::new(),
            })
            .collect();
    }
    Err(failed)
}

/// Most constrained first; each to the position with the least hard cost,
/// then the soft cost, then best fit on memory (least memory left), then the
/// least loaded core.
fn greedy(pack: &mut Pack) {
    let p = pack.p;
    let n = p.progs.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&s| {
        let q = &p.progs[s];
        (
            pack.options[s].len() > 1,
            pack.hint[s].is_none(),
            !q.strict(),
            Reverse(q.memory),
            Reverse(q.load),
            s,
        )
    });
    for s in order {
        let q = &p.progs[s];
        type Key = (u128, u64, u8, u64, u64, u32);
        let mut best: Option<(Key, u32)> = None;
        for &gc in &pack.options[s] {
            let m = pack.module_of[gc as usize];
            let used = pack.mem_used[m] + q.memory;
            let load = pack.load[gc as usize] + q.load;
            let hard = pack.mem_cost(m, used)
                + pack.cpu_cost(load)
                + pack.clashes(s as u32, gc as usize, &[])
                + pack
                    .frag_items(gc as usize, &[], &[s as u32])
                    .saturating_sub(pack.core_frag[gc as usize]);
            let soft_hint = pack.hint_miss(s as u32, gc);
            let affinity: u64 = pack.aff[s]
                .iter()
                .filter(|&&(o, _)| {
                    pack.pos[o as usize] != u32::MAX
                        && pack.module_of[pack.pos[o as usize] as usize] == m
                })
                .map(|&(_, w)| w)
                .fold(0, u64::saturating_add);
            let left = p.sys.modules[m].memory.saturating_sub(used);
            let key = (
                hard,
                soft_hint,
                band(load, p.h),
                left,
                u64::MAX - affinity.min(u64::MAX - 1),
                gc,
            );
            if best.as_ref().is_none_or(|(k, _)| key < *k) {
                best = Some((key, gc));
            }
        }
        let Some((_, gc)) = best else { continue };
        // place
        let gcu = gc as usize;
        let m = pack.module_of[gcu];
        pack.mem_used[m] += q.memory;
        pack.load[gcu] += q.load;
        pack.on_core[gcu].push(s as u32);
        if special(p, s as u32) {
            pack.strict_on[gcu].push(s as u32);
        }
        pack.pos[s] = gc;
        if pack.frag.is_some() {
            pack.core_frag[gcu] = pack.frag_items(gcu, &[], &[]);
        }
    }
}

/// Tabu search on the hard cost (soft as tie-break) until it is zero or the
/// budget is spent; keeps the best packing found.
fn tabu(pack: &mut Pack, rng: &mut Rng, budget: &mut u64, deadline: Option<std::time::Instant>) {
    let n = pack.pos.len();
    let (mut hard, mut soft) = pack.total();
    if hard == 0 {
        return;
    }
    let mut best = (hard, soft, pack.pos.clone());
    let mut by_mem: Vec<u32> = (0..n as u32).collect();
    by_mem.sort_by_key(|&s| (pack.p.progs[s as usize].memory, s));
    let mut tabu_until: Vec<Vec<(u32, u64)>> = vec![Vec::new(); n];
    let tenure_base = 7 + (n as u64).min(40) / 4;
    let mut iter: u64 = 0;
    let max_iter = 50_000 + 20 * n as u64;
    let mut since_best = 0u64;
    while hard > 0 && iter < max_iter && *budget > 0 {
        iter += 1;
        if iter.is_multiple_of(64) && deadline.is_some_and(|d| std::time::Instant::now() > d) {
            break;
        }
        let violated = pack.violated();
        if violated.is_empty() {
            break;
        }
        let (is_mod, r) = violated[rng.below(violated.len())];
        let items: Vec<u32> = if is_mod {
            (0..n as u32)
                .filter(|&s| {
                    pack.module_of[pack.pos[s as usize] as usize] == r
                        && pack.options[s as usize].len() > 1
                })
                .collect()
        } else {
            pack.on_core[r]
                .iter()
                .copied()
                .filter(|&s| pack.options[s as usize].len() > 1)
                .collect()
        };
        if items.is_empty() {
            // nothing movable here: perturb elsewhere
            since_best += 1;
            if since_best > 1000 {
                break;
            }
            continue;
        }
        type Move = ((i128, i128, u64), Vec<(u32, u32)>);
        let mut best_mv: Option<Move> = None;
        let is_tabu = |s: u32, to: u32, tabu_until: &Vec<Vec<(u32, u64)>>| {
            tabu_until[s as usize]
                .iter()
                .any(|&(pos, until)| pos == to && until > iter)
        };
        for &s in &items {
            let from = pack.pos[s as usize];
            for &to in &pack.options[s as usize] {
                if to == from {
                    continue;
                }
                *budget = budget.saturating_sub(1);
                let mv = [(s, to)];
                let (dh, ds) = pack.delta(&mv);
                let aspiration = (hard as i128 + dh) < best.0 as i128;
                if is_tabu(s, to, &tabu_until) && !aspiration {
                    continue;
                }
                let key = (dh, ds, rng.next());
                if best_mv.as_ref().is_none_or(|(k, _)| key < *k) {
                    best_mv = Some((key, mv.to_vec()));
                }
            }
            // swaps with items elsewhere: those that would cancel a memory
            // overflow, those on the same module, and a random few
            let mut partners: Vec<u32> = Vec::with_capacity(96);
            let sm = pack.p.progs[s as usize].memory;
            if is_mod {
                let ov = pack.mem_used[r].saturating_sub(pack.p.sys.modules[r].memory);
                let target = sm.saturating_sub(ov);
                let at = by_mem.partition_point(|&o| pack.p.progs[o as usize].memory < target);
                let lo = at.saturating_sub(24);
                let hi = (at + 24).min(by_mem.len());
                partners.extend_from_slice(&by_mem[lo..hi]);
            } else {
                let m = pack.module_of[r];
                let base = pack.p.core_base[m];
                for gc in base..base + pack.p.sys.modules[m].cores as usize {
                    partners.extend(pack.on_core[gc].iter().copied());
                }
            }
            for _ in 0..24 {
                partners.push(rng.below(n) as u32);
            }
            partners.sort_unstable();
            partners.dedup();
            for o in partners {
                let to = pack.pos[o as usize];
                if to == from || pack.options[o as usize].len() <= 1 {
                    continue;
                }
                if !bit(&pack.allowed[s as usize], to) || !bit(&pack.allowed[o as usize], from) {
                    continue;
                }
                // only swaps that change the resource's load
                *budget = budget.saturating_sub(1);
                let mv = [(s, to), (o, from)];
                let (dh, ds) = pack.delta(&mv);
                let aspiration = (hard as i128 + dh) < best.0 as i128;
                if (is_tabu(s, to, &tabu_until) || is_tabu(o, from, &tabu_until)) && !aspiration {
                    continue;
                }
                let key = (dh, ds, rng.next());
                if best_mv.as_ref().is_none_or(|(k, _)| key < *k) {
                    best_mv = Some((key, mv.to_vec()));
                }
            }
        }
        let Some(((dh, ds, _), mv)) = best_mv else {
            since_best += 1;
            if since_best > 1000 {
                break;
            }
            continue;
        };
        for &(s, to) in &mv {
            let from = pack.pos[s as usize];
            pack.apply(s, to);
            let tenure = tenure_base + rng.below(10) as u64;
            let t = &mut tabu_until[s as usize];
            t.retain(|&(_, until)| until > iter);
            t.push((from, iter + tenure));
        }
        hard = (hard as i128 + dh) as u128;
        soft = (soft as i128 + ds) as u128;
        if (hard, soft) < (best.0, best.1) {
            best = (hard, soft, pack.pos.clone());
            since_best = 0;
        } else {
            since_best += 1;
            if since_best > 400 + n as u64 {
                break;
            }
        }
    }
    if (best.0, best.1) < (hard, soft) {
        let target = best.2;
        for s in 0..n as u32 {
            let to = target[s as usize];
            if pack.pos[s as usize] != to {
                pack.apply(s, to);
            }
        }
    }
}

fn bit(bits: &[u64], gc: u32) -> bool {
    bits[gc as usize / 64] & (1 << (gc % 64)) != 0
}

/// Improving moves on the soft cost (hints, communication) that keep the
/// hard cost at zero; a few passes over the programs.
fn polish(pack: &mut Pack, budget: &mut u64) {
    let n = pack.pos.len() as u32;
    for _ in 0..3 {
        let mut improved = false;
        for s in 0..n {
            if pack.options[s as usize].len() <= 1
                || (pack.aff[s as usize].is_empty()
                    && pack.hint[s as usize].is_none()
                    && pack.prev.is_empty())
            {
                continue;
            }
            let from = pack.pos[s as usize];
            let mut best: Option<(i128, u32)> = None;
            for &to in &pack.options[s as usize] {
                if to == from || pack.module_of[to as usize] == pack.module_of[from as usize] {
                    continue;
                }
                if *budget == 0 {
                    return;
                }
                *budget -= 1;
                let (dh, ds) = pack.delta(&[(s, to)]);
                if dh <= 0 && ds < 0 && best.is_none_or(|(b, _)| ds < b) {
                    // keep the core load moderate: no band above the cap
                    best = Some((ds, to));
                }
            }
            if let Some((_, to)) = best {
                pack.apply(s, to);
                improved = true;
                continue;
            }
            // off its hinted module: swap with a program there
            let Some((hm, _)) = pack.hint[s as usize] else {
                continue;
            };
            if pack.module_of[from as usize] == hm {
                continue;
            }
            let base = pack.p.core_base[hm];
            let mut best: Option<(i128, u32)> = None;
            for gc in base..base + pack.p.sys.modules[hm].cores as usize {
                if !bit(&pack.allowed[s as usize], gc as u32) {
                    continue;
                }
                for &o in &pack.on_core[gc] {
                    if !bit(&pack.allowed[o as usize], from) {
                        continue;
                    }
                    if *budget == 0 {
                        return;
                    }
                    *budget -= 1;
                    let (dh, ds) = pack.delta(&[(s, gc as u32), (o, from)]);
                    if dh <= 0 && ds < 0 && best.is_none_or(|(b, _)| ds < b) {
                        best = Some((ds, o));
                    }
                }
            }
            if let Some((_, o)) = best {
                let to = pack.pos[o as usize];
                pack.apply(o, from);
                pack.apply(s, to);
                improved = true;
            }
        }
        if !improved {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use seamless_model::{SourceFile, System};

    /// A one-mode system: modules `a` (1 core) and `b` (2 cores), the given
    /// programs, all in the mode, with the given pins.
    fn system(programs: &str, pins: &str) -> System {
        let names: Vec<String> = programs
            .split("Program(name: \"")
            .skip(1)
            .map(|x| format!("\"{}\"", &x[..x.find('"').unwrap()]))
            .collect();
        let files = [
            SourceFile {
                name: "system.ron".into(),
                text: format!(
                    r#"System(name: "t", tick: "1us",
                    modules: [Module(name: "a", cores: 1, memory: "64MiB"),
                              Module(name: "b", cores: 2, memory: "64MiB")],
                    switches: ["s"],
                    links: [Link(from: "a", to: "s", bandwidth: "1Gbit/s", latency: "1us"),
                            Link(from: "b", to: "s", bandwidth: "1Gbit/s", latency: "1us")],
                    programs: [{programs}], messages: [])"#
                ),
            },
            SourceFile {
                name: "m.ron".into(),
                text: format!(
                    "Mode(name: \"m\", programs: [{}], messages: [], pins: [{pins}])",
                    names.join(", ")
                ),
            },
        ];
        seamless_model::load::load(&files, seamless_model::validate::Limits::default())
            .unwrap_or_else(|d| panic!("{}", seamless_model::diag::render(&d, &files)))
    }

    fn slot(p: &Problem, name: &str) -> u32 {
        let id = p.sys.program_by_name(name).unwrap();
        p.progs.iter().position(|q| q.id == id).unwrap() as u32
    }

    #[test]
    fn gaps_between_jobs_bound_what_shares_a_core() {
        let sys = system(
            r#"Program(name: "strict", memory: "1MiB", wcet: "1ms", period: "5ms", max_jitter: "0us"),
               Program(name: "free", memory: "1MiB", wcet: "1ms", period: "5ms"),
               Program(name: "jittery", memory: "1MiB", wcet: "1ms", period: "5ms", max_jitter: "2ms"),
               Program(name: "windowed", memory: "1MiB", wcet: "1ms", period: "5ms",
                       window: Window(start: "1ms", end: "3ms")),
               Program(name: "fits", memory: "1MiB", wcet: "8ms", period: "200ms"),
               Program(name: "long", memory: "1MiB", wcet: "8.001ms", period: "200ms")"#,
            "",
        );
        let p = Problem::new(&sys, 0);
        let gap = |n: &str| p.progs[slot(&p, n) as usize].gap;
        // T − c; 2T − 2c (one job early, the next late); T + J − c; a window
        // [1, 3) ms: from 2 ms to 5 + 2 ms; one job a frame: H − c
        assert_eq!(gap("strict"), 4_000);
        assert_eq!(gap("free"), 8_000);
        assert_eq!(gap("jittery"), 6_000);
        assert_eq!(gap("windowed"), 5_000);
        assert_eq!(gap("long"), 200_000 - 8_001);
        let (free, fits, long) = (slot(&p, "free"), slot(&p, "fits"), slot(&p, "long"));
        assert!(compatible(&p, free, fits));
        assert!(!compatible(&p, free, long));
        assert!(special(&p, free) && special(&p, long));
        assert!(!compatible(&p, slot(&p, "strict"), fits));
        assert!(!compatible(&p, slot(&p, "windowed"), fits));
    }

    #[test]
    fn unavoidable_fragmentation_does_not_disable_the_term() {
        // `tick` and `slow` can only run on `a`, where they fragment by the
        // one-offset measure (8 ms between 0.5 ms jobs every 5 ms) although
        // a schedule exists (two ticks 9 ms apart). That must not turn the
        // fragmentation term off for the rest: `long` (12 ms) fits between
        // `fast`'s jobs only when they move, so they go on two cores of `b`.
        let sys = system(
            r#"Program(name: "tick", memory: "1MiB", wcet: "500us", period: "5ms"),
               Program(name: "slow", memory: "1MiB", wcet: "8ms", period: "100ms"),
               Program(name: "long", memory: "8MiB", wcet: "12ms", period: "200ms", modules: ["b"]),
               Program(name: "fast", memory: "1MiB", wcet: "3ms", period: "10ms", modules: ["b"])"#,
            r#"Pin(program: "tick", module: "a"), Pin(program: "slow", module: "a")"#,
        );
        let p = Problem::new(&sys, 0);
        let (long, fast) = (slot(&p, "long"), slot(&p, "fast"));
        assert!(compatible(&p, long, fast), "a schedule of the two exists");
        let placed = place(&p, &PlacementHint::default(), &mut Round::default()).unwrap();
        let at = |s: u32| (placed.module[s as usize], placed.core[s as usize]);
        assert_ne!(at(long), at(fast));
    }

    #[test]
    fn programs_fixed_to_one_core_are_placed_even_when_they_clash() {
        // `tick` leaves at most 2·5 − 2·1 = 8 ms between its jobs and
        // `slow` needs 9 ms: they can never share a core, but both are
        // pinned to the one core of `a`. No packing separates them, so the
        // placement places them (the schedule search then reports the
        // clash) instead of failing the whole mode; the others still go
        // where they fit.
        let sys = system(
            r#"Program(name: "tick", memory: "1MiB", wcet: "1ms", period: "5ms"),
               Program(name: "slow", memory: "1MiB", wcet: "9ms", period: "200ms"),
               Program(name: "other", memory: "1MiB", wcet: "1ms", period: "10ms", modules: ["b"])"#,
            r#"Pin(program: "tick", module: "a"), Pin(program: "slow", module: "a")"#,
        );
        let p = Problem::new(&sys, 0);
        let (tick, slow) = (slot(&p, "tick"), slot(&p, "slow"));
        assert!(!compatible(&p, tick, slow));
        let placed =
            place(&p, &PlacementHint::default(), &mut Round::default()).expect("a placement");
        let a = sys.module_by_name("a").unwrap();
        assert_eq!(placed.module[tick as usize], a);
        assert_eq!(placed.module[slow as usize], a);
    }

    #[test]
    fn fits_around_mandatory_parts() {
        // window [496, 1701) of a 414 job; the other program always covers
        // [793, 1641) of every 5 ms: 297 before, 60 after: no room
        assert!(!fits_around(496, 1701, 414, 793, 848, 5000));
        assert!(fits_around(496, 1701, 297, 793, 848, 5000));
        // the occurrence one period earlier or later is seen too
        assert!(!fits_around(4900, 5500, 300, 0, 400, 5000));
        assert!(fits_around(4900, 5800, 300, 0, 400, 5000));
        // long windows: the free run between occurrences bounds it
        assert!(fits_around(0, 40_000, 4_000, 100, 1_000, 5_000));
        assert!(!fits_around(0, 40_000, 4_001, 100, 1_000, 5_000));
        assert!(!fits_around(0, 40_000, 1, 0, 5_000, 5_000));
    }

    #[test]
    fn fragmentation_of_a_core() {
        // 10 ms programs leave 6 ms per period: a 7 ms job cannot fit
        let mut items = vec![(10_000, 4_000), (20_000, 7_000)];
        assert!(frag_of(&mut items, 0) > 0);
        let mut items = vec![(10_000, 4_000), (20_000, 6_000)];
        assert_eq!(frag_of(&mut items, 0), 0);
        // with a 10 % margin, 6 ms no longer fits in 6 ms
        let mut items = vec![(10_000, 4_000), (20_000, 6_000)];
        assert!(frag_of(&mut items, 100) > 0);
        // equal periods never fragment each other
        let mut items = vec![(10_000, 6_000), (10_000, 4_000)];
        assert_eq!(frag_of(&mut items, 0), 0);
        assert_eq!(frag_of(&mut [(5, 5)], 0), 0);
    }

    #[test]
    fn load_bands() {
        assert_eq!(band(0, 100), 0);
        assert_eq!(band(55, 100), 0);
        assert_eq!(band(60, 100), 1);
        assert_eq!(band(80, 100), 2);
        assert_eq!(band(90, 100), 3);
        assert_eq!(band(100, 100), 4);
        assert_eq!(band(5, 0), 4);
    }

    #[test]
    fn rng_is_deterministic() {
        let mut a = Rng::new(3);
        let mut b = Rng::new(3);
        let xs: Vec<u64> = (0..5).map(|_| a.next()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next()).collect();
        assert_eq!(xs, ys);
        assert!(xs.windows(2).all(|w| w[0] != w[1]));
        assert!((0..100).all(|_| a.below(7) < 7));
        assert_eq!(a.below(0), 0);
    }
}
