//! Start times for a fixed placement: a simple temporal network (difference
//! constraints `x_v ≥ x_u + w` and bounds per variable) plus disjunctive
//! resources (cores, link directions) whose intervals must not overlap.
//!
//! The search branches on the order of two intervals of one resource that
//! overlap at the earliest-start assignment (the first such pair in time):
//! either `a` ends before `b` starts or the other way round. Every schedule
//! orders each pair one way, so the search is complete; when no pair
//! overlaps at the earliest starts, those starts are a schedule (they
//! satisfy every difference constraint and bound). Bounds are propagated
//! with a queue-based Bellman-Ford in both directions; a variable updated
//! more often than there are variables means a positive cycle (no
//! solution). An energetic check per resource (the intervals that must lie
//! inside `[t1, t2)` need at most `t2 − t1`) prunes early.

/// The outcome of a bounded search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Res {
    Sat,
    Unsat,
    Unknown,
}

/// Step counter shared by a whole solve; the search stops at `limit`.
#[derive(Debug)]
pub(crate) struct Steps {
    pub used: u64,
    pub limit: u64,
    pub deadline: Option<std::time::Instant>,
    /// Set when the budget or the deadline stopped a search.
    pub out: bool,
}

impl Steps {
    /// Counts `n` steps; false when the budget (or the safety cap) is spent.
    pub(crate) fn take(&mut self, n: u64) -> bool {
        let before = self.used;
        self.used = self.used.saturating_add(n);
        let late = || {
            before >> 14 != self.used >> 14
                && self.deadline.is_some_and(|d| std::time::Instant::now() > d)
        };
        if self.used >= self.limit || late() {
            self.out = true;
        }
        !self.out
    }
}

/// An interval on a resource: its start variable and length.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Item {
    pub var: u32,
    pub len: i64,
}

/// The network and the resources.
#[derive(Debug, Clone, Default)]
pub(crate) struct Net {
    pub lb: Vec<i64>,
    pub ub: Vec<i64>,
    out: Vec<Vec<(u32, i64)>>,
    inn: Vec<Vec<(u32, i64)>>,
    pub resources: Vec<Vec<Item>>,
    trail: Vec<(u32, bool, i64)>,
    edges: Vec<(u32, u32)>,
    count: Vec<u32>,
    queued: Vec<bool>,
}

impl Net {
    /// A new variable with bounds `[lb, ub]`.
    pub(crate) fn var(&mut self, lb: i64, ub: i64) -> u32 {
        self.lb.push(lb);
        self.ub.push(ub);
        self.out.push(Vec::new());
        self.inn.push(Vec::new());
        self.count.push(0);
        self.queued.push(false);
        (self.lb.len() - 1) as u32
    }

    /// `x_v ≥ x_u + w`, propagated; false when no solution remains.
    pub(crate) fn edge(&mut self, u: u32, v: u32, w: i64, steps: &mut Steps) -> bool {
        self.out[u as usize].push((v, w));
        self.inn[v as usize].push((u, w));
        self.edges.push((u, v));
        self.propagate(&[u], &[v], steps)
    }

    fn set_lb(&mut self, v: u32, x: i64) {
        self.trail.push((v, true, self.lb[v as usize]));
        self.lb[v as usize] = x;
    }
    fn set_ub(&mut self, v: u32, x: i64) {
        self.trail.push((v, false, self.ub[v as usize]));
        self.ub[v as usize] = x;
    }

    /// Raises lower bounds from `fwd` along edges and lowers upper bounds
    /// from `bwd` against them.
    pub(crate) fn propagate(&mut self, fwd: &[u32], bwd: &[u32], steps: &mut Steps) -> bool {
        let n = self.lb.len() as u32;
        for pass in 0..2 {
            let seeds = if pass == 0 { fwd } else { bwd };
            let mut queue: std::collections::VecDeque<u32> = seeds.iter().copied().collect();
            for &s in seeds {
                self.queued[s as usize] = true;
                self.count[s as usize] = 0;
            }
            let mut touched: Vec<u32> = seeds.to_vec();
            let mut ok = true;
            while let Some(u) = queue.pop_front() {
                self.queued[u as usize] = false;
                let edges = if pass == 0 {
                    std::mem::take(&mut self.out[u as usize])
                } else {
                    std::mem::take(&mut self.inn[u as usize])
                };
                if !steps.take(1 + edges.len() as u64) {
                    ok = false;
                }
                for &(v, w) in &edges {
                    if !ok {
                        break;
                    }
                    let changed = if pass == 0 {
                        let x = self.lb[u as usize] + w;
                        if x > self.lb[v as usize] {
                            self.set_lb(v, x);
                            x > self.ub[v as usize]
                        } else {
                            continue;
                        }
                    } else {
                        let x = self.ub[u as usize] - w;
                        if x < self.ub[v as usize] {
                            self.set_ub(v, x);
                            x < self.lb[v as usize]
                        } else {
                            continue;
                        }
                    };
                    if changed {
                        ok = false; // empty domain
                        break;
                    }
                    let c = &mut self.count[v as usize];
                    if *c == 0 {
                        touched.push(v);
                    }
                    *c += 1;
                    if *c > n {
                        ok = false; // positive cycle
                        break;
                    }
                    if !self.queued[v as usize] {
                        self.queued[v as usize] = true;
                        queue.push_back(v);
                    }
                }
                if pass == 0 {
                    self.out[u as usize] = edges;
                } else {
                    self.inn[u as usize] = edges;
                }
                if !ok {
                    break;
                }
            }
            for v in queue {
                self.queued[v as usize] = false;
            }
            for v in touched {
                self.count[v as usize] = 0;
            }
            if !ok {
                return false;
            }
        }
        true
    }

    /// Propagates every variable (after building).
    pub(crate) fn propagate_all(&mut self, steps: &mut Steps) -> bool {
        if self.lb.iter().zip(&self.ub).any(|(l, u)| l > u) {
            return false;
        }
        let all: Vec<u32> = (0..self.lb.len() as u32).collect();
        self.propagate(&all, &all, steps)
    }

    /// Adds an edge without propagating (while building).
    pub(crate) fn raw_edge(&mut self, u: u32, v: u32, w: i64) {
        self.out[u as usize].push((v, w));
        self.inn[v as usize].push((u, w));
    }

    fn mark(&self) -> (usize, usize) {
        (self.trail.len(), self.edges.len())
    }

    fn undo(&mut self, (t, e): (usize, usize)) {
        while self.trail.len() > t {
            let (v, is_lb, x) = self.trail.pop().expect("trail");
            if is_lb {
                self.lb[v as usize] = x;
            } else {
                self.ub[v as usize] = x;
            }
        }
        while self.edges.len() > e {
            let (u, v) = self.edges.pop().expect("edges");
            self.out[u as usize].pop();
            self.inn[v as usize].pop();
        }
    }

    /// The first pair (in time) of one resource overlapping at the earliest
    /// starts; `None` when the earliest starts are a schedule.
    fn conflict(&self, steps: &mut Steps) -> Option<(Item, Item)> {
        let mut best: Option<(i64, usize, Item, Item)> = None;
        for (r, items) in self.resources.iter().enumerate() {
            if items.len() < 2 {
                continue;
            }
            steps.take(items.len() as u64);
            let mut sorted: Vec<Item> = items.clone();
            sorted.sort_by_key(|it| (self.lb[it.var as usize], it.var));
            let mut run: Option<Item> = None; // the interval ending last so far
            for &it in &sorted {
                let s = self.lb[it.var as usize];
                if let Some(prev) = run {
                    let pe = self.lb[prev.var as usize] + prev.len;
                    if pe > s {
                        let t = s;
                        if best.as_ref().is_none_or(|b| (t, r) < (b.0, b.1)) {
                            best = Some((t, r, prev, it));
                        }
                        break;
                    }
                    if s + it.len > pe {
                        run = Some(it);
                    }
                } else {
                    run = Some(it);
                }
            }
        }
        best.map(|b| (b.2, b.3))
    }

    /// Energetic check: on each resource, the intervals whose whole range
    /// lies in `[t1, t2)` fit there.
    fn energy_ok(&self, steps: &mut Steps) -> bool {
        for items in &self.resources {
            if items.len() < 2 {
                continue;
            }
            let n = items.len() as u64;
            if !steps.take(n * n / 4 + n) {
                return true; // no conclusion; the caller sees the budget
            }
            let mut by_lct: Vec<(i64, i64, i64)> = items
                .iter()
                .map(|it| {
                    let v = it.var as usize;
                    (self.ub[v] + it.len, self.lb[v], it.len)
                })
                .collect();
            by_lct.sort_unstable();
            let mut starts: Vec<i64> = by_lct.iter().map(|x| x.1).collect();
            starts.sort_unstable();
            starts.dedup();
            for &t1 in &starts {
                let mut sum = 0i64;
                for &(lct, est, len) in &by_lct {
                    if est >= t1 {
                        sum += len;
                        if sum > lct - t1 {
                            return false;
                        }
                    }
                }
            }
        }
        true
    }

    /// Depth-first search over pair orders. On `Sat`, `lb` holds the
    /// schedule.
    pub(crate) fn solve(&mut self, steps: &mut Steps) -> Res {
        if steps.out {
            return Res::Unknown;
        }
        if !steps.take(1) {
            return Res::Unknown;
        }
        if !self.energy_ok(steps) {
            return Res::Unsat;
        }
        let Some((a, b)) = self.conflict(steps) else {
            return if steps.out { Res::Unknown } else { Res::Sat };
        };
        // earlier deadline first
        let key = |it: &Item| (self.ub[it.var as usize] + it.len, it.var);
        let (first, second) = if key(&a) <= key(&b) { (a, b) } else { (b, a) };
        let mut unknown = false;
        for (x, y) in [(first, second), (second, first)] {
            let m = self.mark();
            if self.edge(x.var, y.var, x.len, steps) {
                match self.solve(steps) {
                    Res::Sat => return Res::Sat,
                    Res::Unknown => unknown = true,
                    Res::Unsat => {}
                }
            } else if steps.out {
                unknown = true;
            }
            self.undo(m);
            if unknown {
                return Res::Unknown;
            }
        }
        Res::Unsat
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps() -> Steps {
        Steps {
            used: 0,
            limit: 1_000_000,
            deadline: None,
            out: false,
        }
    }

    #[test]
    fn two_jobs_one_order() {
        // a in [0, 10] len 5, b in [3, 4] len 5: a must follow b
        let mut n = Net::default();
        let a = n.var(0, 10);
        let b = n.var(3, 4);
        n.resources
            .push(vec![Item { var: a, len: 5 }, Item { var: b, len: 5 }]);
        let mut s = steps();
        assert!(n.propagate_all(&mut s));
        assert_eq!(n.solve(&mut s), Res::Sat);
        let (la, lb) = (n.lb[a as usize], n.lb[b as usize]);
        assert!(la >= lb + 5);
    }

    #[test]
    fn overload_is_proven() {
        let mut n = Net::default();
        let xs: Vec<u32> = (0..3).map(|_| n.var(0, 7)).collect();
        n.resources
            .push(xs.iter().map(|&var| Item { var, len: 5 }).collect());
        let mut s = steps();
        assert!(n.propagate_all(&mut s));
        assert_eq!(n.solve(&mut s), Res::Unsat);
    }

    #[test]
    fn positive_cycle_fails() {
        let mut n = Net::default();
        let a = n.var(0, 1000);
        let b = n.var(0, 1000);
        n.raw_edge(a, b, 1);
        n.raw_edge(b, a, 0);
        let mut s = steps();
        assert!(!n.propagate_all(&mut s));
    }

    #[test]
    fn budget_gives_unknown() {
        let mut n = Net::default();
        let xs: Vec<u32> = (0..8).map(|_| n.var(0, 100)).collect();
        n.resources
            .push(xs.iter().map(|&var| Item { var, len: 12 }).collect());
        let mut s = Steps {
            limit: 50,
            ..steps()
        };
        assert!(n.propagate_all(&mut s));
        assert_eq!(n.solve(&mut s), Res::Unknown);
    }
}
