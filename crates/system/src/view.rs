//! The system seen program by program: in which modes each program runs,
//! where it may run there, and which allowed transitions join those modes.

use seamless_model::expand::{Expansion, expand, longest_gap};
use seamless_model::{ModeId, ModuleId, ProgramId, System};

/// One program across the modes it runs in.
#[derive(Debug, Clone)]
pub(crate) struct ProgView {
    pub id: ProgramId,
    /// Modes the program runs in (ascending).
    pub modes: Vec<ModeId>,
    /// Allowed modules per entry of `modes` (ascending; the pin when pinned).
    pub allowed: Vec<Vec<ModuleId>>,
    /// Busy ticks per frame per entry of `modes`.
    pub load: Vec<u64>,
    /// Allowed transitions between two of its modes, as local indices
    /// `(i, j)` into `modes` with `i ≠ j`, each transition once, in
    /// `System::transitions` order, with the transition's index.
    pub edges: Vec<(usize, usize, usize)>,
    pub memory: u64,
}

/// Whether two ascending module lists share no module.
pub(crate) fn disjoint(a: &[ModuleId], b: &[ModuleId]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return false,
        }
    }
    true
}

/// Every program that runs in at least one mode, by ascending id.
pub(crate) fn views(system: &System) -> Vec<ProgView> {
    let mut out = Vec::new();
    for (pid, prog) in system.programs.iter().enumerate() {
        let mut modes = Vec::new();
        let mut allowed = Vec::new();
        let mut load = Vec::new();
        for (mi, mode) in system.modes.iter().enumerate() {
            if let Some(slot) = mode.slot(pid) {
                let mp = &mode.programs[slot];
                modes.push(mi);
                let mut a = mp.allowed.clone();
                a.sort_unstable();
                a.dedup();
                allowed.push(a);
                load.push(mp.requirement.wcet.saturating_mul(mode.jobs_of(slot)));
            }
        }
        if modes.is_empty() {
            continue;
        }
        let mut edges = Vec::new();
        for (t, &(a, b)) in system.transitions.iter().enumerate() {
            if a == b {
                continue;
            }
            if let (Ok(i), Ok(j)) = (modes.binary_search(&a), modes.binary_search(&b)) {
                edges.push((i, j, t));
            }
        }
        out.push(ProgView {
            id: pid,
            modes,
            allowed,
            load,
            edges,
            memory: prog.memory,
        });
    }
    out
}

/// Resources per mode and module: memory, processor time per frame
/// (cores × the mode's major frame), and the cores themselves (programs
/// that cannot share a core, [`Capacity::conflict`]).
#[derive(Debug, Clone)]
pub(crate) struct Capacity {
    /// `[mode][module]` bytes.
    pub memory: Vec<Vec<u64>>,
    /// `[mode][module]` busy ticks per frame.
    pub time: Vec<Vec<u64>>,
    /// `[module]` cores.
    cores: Vec<u32>,
    /// `[mode]` every job's window.
    jobs: Vec<Expansion>,
    /// `[mode][slot]`: the program's longest gap between two of its jobs
    /// ([`longest_gap`]) and its shortest window, for [`Capacity::conflict`].
    shape: Vec<Vec<(u64, u64)>>,
}

impl Capacity {
    pub fn new(system: &System) -> Capacity {
        let memory = system
            .modes
            .iter()
            .map(|_| system.modules.iter().map(|m| m.memory).collect())
            .collect();
        let time = system
            .modes
            .iter()
            .map(|md| {
                system
                    .modules
                    .iter()
                    .map(|m| u64::from(m.cores).saturating_mul(md.major_frame))
                    .collect()
            })
            .collect();
        let jobs: Vec<Expansion> = system.modes.iter().map(expand).collect();
        let shape = system
            .modes
            .iter()
            .zip(&jobs)
            .map(|(md, x)| {
                (0..md.programs.len())
                    .map(|s| {
                        let js = x.jobs_of(s);
                        let r = &md.programs[s].requirement;
                        let windows: Vec<(u64, u64)> =
                            js.iter().map(|j| (j.release, j.deadline)).collect();
                        let jitter = r.timing.period().zip(r.max_jitter);
                        let gap = longest_gap(&windows, r.wcet, md.major_frame, jitter);
                        let shortest = js.iter().map(|j| j.deadline - j.release).min();
                        (gap, shortest.unwrap_or(u64::MAX))
                    })
                    .collect()
            })
            .collect();
        Capacity {
            memory,
            time,
            cores: system.modules.iter().map(|m| m.cores).collect(),
            jobs,
            shape,
        }
    }

    /// Whether programs `a` and `b` can never share a core in `mode`: jobs
    /// run without preemption, so on one core every job of one lies in a
    /// gap between two consecutive jobs of the other (no gap is long
    /// enough), or two jobs whose windows overlap need more than the span
    /// of the two windows. Sound (true only when no single-core schedule
    /// of the two exists), not complete.
    pub fn conflict(&self, system: &System, mode: ModeId, a: ProgramId, b: ProgramId) -> bool {
        let md = &system.modes[mode];
        let (Some(sa), Some(sb)) = (md.slot(a), md.slot(b)) else {
            return false;
        };
        let (ca, cb) = (
            md.programs[sa].requirement.wcet,
            md.programs[sb].requirement.wcet,
        );
        let ((gap_a, short_a), (gap_b, short_b)) = (self.shape[mode][sa], self.shape[mode][sb]);
        if ca > gap_b || cb > gap_a {
            return true;
        }
        // two overlapping windows span at least the longer of them, so
        // at least the shortest window of either program: when both jobs
        // fit in that, no overlapping pair can be too tight
        if ca.saturating_add(cb) <= short_a.max(short_b) {
            return false;
        }
        let x = &self.jobs[mode];
        let (ja, jb) = (x.jobs_of(sa), x.jobs_of(sb));
        // windows of one program are disjoint and in order: every
        // overlapping pair, by two pointers
        let (mut i, mut j) = (0, 0);
        while i < ja.len() && j < jb.len() {
            let (p, q) = (&ja[i], &jb[j]);
            if p.release < q.deadline && q.release < p.deadline {
                let span = p.deadline.max(q.deadline) - p.release.min(q.release);
                if ca.saturating_add(cb) > span {
                    return true;
                }
            }
            if p.deadline <= q.deadline {
                i += 1;
            } else {
                j += 1;
            }
        }
        false
    }

    /// Whether `v` would make module `m` need more cores than it has in
    /// `mode`: `v` conflicts with as many programs already there as the
    /// module has cores, all pairwise in conflict (found greedily).
    pub fn crowded(
        &self,
        system: &System,
        usage: &Usage,
        mode: ModeId,
        m: ModuleId,
        v: ProgramId,
    ) -> bool {
        let c = self.cores.get(m).copied().unwrap_or(1).max(1) as usize;
        let near: Vec<ProgramId> = usage.residents[mode][m]
            .iter()
            .copied()
            .filter(|&u| u != v && self.conflict(system, mode, u, v))
            .collect();
        if near.len() < c {
            return false;
        }
        let mut clique: Vec<ProgramId> = Vec::new();
        for &u in &near {
            if clique.iter().all(|&w| self.conflict(system, mode, u, w)) {
                clique.push(u);
                if clique.len() >= c {
                    return true;
                }
            }
        }
        false
    }
}

/// What is in use per mode and module.
#[derive(Debug, Clone)]
pub(crate) struct Usage {
    pub memory: Vec<Vec<u64>>,
    pub time: Vec<Vec<u64>>,
    /// `[transition][module]`: memory of the programs that move away from
    /// the module on that transition (still held there while the new
    /// mode's residents arrive).
    pub leaving: Vec<Vec<u64>>,
    /// `[mode][module]`: the programs placed there.
    pub residents: Vec<Vec<Vec<ProgramId>>>,
}

impl Usage {
    pub fn empty(system: &System) -> Usage {
        let z = vec![vec![0u64; system.modules.len()]; system.modes.len()];
        Usage {
            memory: z.clone(),
            time: z,
            leaving: vec![vec![0u64; system.modules.len()]; system.transitions.len()],
            residents: vec![vec![Vec::new(); system.modules.len()]; system.modes.len()],
        }
    }
    pub fn add(&mut self, v: &ProgView, labels: &[ModuleId]) {
        for (i, &m) in labels.iter().enumerate() {
            let mode = v.modes[i];
            self.memory[mode][m] = self.memory[mode][m].saturating_add(v.memory);
            self.time[mode][m] = self.time[mode][m].saturating_add(v.load[i]);
            self.residents[mode][m].push(v.id);
        }
        for &(i, j, t) in &v.edges {
            if labels[i] != labels[j] {
                let x = &mut self.leaving[t][labels[i]];
                *x = x.saturating_add(v.memory);
            }
        }
    }
    pub fn remove(&mut self, v: &ProgView, labels: &[ModuleId]) {
        for (i, &m) in labels.iter().enumerate() {
            let mode = v.modes[i];
            self.memory[mode][m] = self.memory[mode][m].saturating_sub(v.memory);
            self.time[mode][m] = self.time[mode][m].saturating_sub(v.load[i]);
            let r = &mut self.residents[mode][m];
            if let Some(k) = r.iter().rposition(|&p| p == v.id) {
                r.remove(k);
            }
        }
        for &(i, j, t) in &v.edges {
            if labels[i] != labels[j] {
                let x = &mut self.leaving[t][labels[i]];
                *x = x.saturating_sub(v.memory);
            }
        }
    }
    /// Bytes by which module `m` would overflow at the switch of transition
    /// `t` (into mode `to`) with `extra` more bytes there: the new mode's
    /// residents and the programs still moving away.
    pub fn switch_excess(
        &self,
        cap: &Capacity,
        t: usize,
        to: ModeId,
        m: ModuleId,
        extra: u64,
    ) -> u64 {
        self.memory[to][m]
            .saturating_add(self.leaving[t][m])
            .saturating_add(extra)
            .saturating_sub(cap.memory[to][m])
    }
    /// Overflows of module memory (in a mode or at a switch), of processor
    /// time and of cores, counted per (mode or transition, module).
    pub fn overflows(&self, system: &System, cap: &Capacity) -> usize {
        let mut n = 0;
        for mo in 0..system.modes.len() {
            for m in 0..system.modules.len() {
                n += usize::from(self.memory[mo][m] > cap.memory[mo][m]);
                n += usize::from(self.time[mo][m] > cap.time[mo][m]);
                n += usize::from(
                    self.residents[mo][m]
                        .iter()
                        .any(|&p| cap.crowded(system, self, mo, m, p)),
                );
            }
        }
        for (t, &(_, b)) in system.transitions.iter().enumerate() {
            for m in 0..system.modules.len() {
                n += usize::from(self.switch_excess(cap, t, b, m, 0) > 0);
            }
        }
        n
    }
    /// Whether the program fits on `m` in its `i`-th mode with the processor
    /// time kept to `time_pm` per mille of the module's capacity, and
    /// without needing more cores than the module has
    /// ([`Capacity::crowded`]).
    pub fn fits(
        &self,
        system: &System,
        cap: &Capacity,
        v: &ProgView,
        i: usize,
        m: ModuleId,
        time_pm: u64,
    ) -> bool {
        let mode = v.modes[i];
        let mem_ok = self.memory[mode][m].saturating_add(v.memory) <= cap.memory[mode][m];
        let limit = (u128::from(cap.time[mode][m]) * u128::from(time_pm) / 1000) as u64;
        mem_ok
            && self.time[mode][m].saturating_add(v.load[i]) <= limit
            && !cap.crowded(system, self, mode, m, v.id)
    }
}

/// Every labelling of `v` (a module per mode among its allowed ones) with
/// its moves, fewest moves first, then by labelling; `None` when there are
/// more than `limit`.
pub(crate) fn labellings(v: &ProgView, limit: usize) -> Option<Vec<(u32, Vec<ModuleId>)>> {
    let size = v
        .allowed
        .iter()
        .try_fold(1usize, |acc, a| acc.checked_mul(a.len()))?;
    if size > limit {
        return None;
    }
    let mut all = Vec::with_capacity(size);
    let mut idx = vec![0usize; v.modes.len()];
    loop {
        let l: Vec<ModuleId> = idx
            .iter()
            .enumerate()
            .map(|(i, &x)| v.allowed[i][x])
            .collect();
        all.push((moves(v, &l), l));
        // next in mixed radix
        let mut d = 0;
        while d < idx.len() {
            idx[d] += 1;
            if idx[d] < v.allowed[d].len() {
                break;
            }
            idx[d] = 0;
            d += 1;
        }
        if d == idx.len() {
            break;
        }
    }
    all.sort();
    Some(all)
}

/// Migrations of a labelling (module per entry of `v.modes`).
pub(crate) fn moves(v: &ProgView, labels: &[ModuleId]) -> u32 {
    v.edges
        .iter()
        .filter(|&&(i, j, _)| labels[i] != labels[j])
        .count() as u32
}
