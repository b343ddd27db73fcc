//! The system seen program by program: in which modes each program runs,
//! where it may run there, and which allowed transitions join those modes.

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

/// Resources per mode and module: memory, and processor time per frame
/// (cores × the mode's major frame).
#[derive(Debug, Clone)]
pub(crate) struct Capacity {
    /// `[mode][module]` bytes.
    pub memory: Vec<Vec<u64>>,
    /// `[mode][module]` busy ticks per frame.
    pub time: Vec<Vec<u64>>,
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
        Capacity { memory, time }
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
}

impl Usage {
    pub fn empty(system: &System) -> Usage {
        let z = vec![vec![0u64; system.modules.len()]; system.modes.len()];
        Usage {
            memory: z.clone(),
            time: z,
            leaving: vec![vec![0u64; system.modules.len()]; system.transitions.len()],
        }
    }
    pub fn add(&mut self, v: &ProgView, labels: &[ModuleId]) {
        for (i, &m) in labels.iter().enumerate() {
            let mode = v.modes[i];
            self.memory[mode][m] = self.memory[mode][m].saturating_add(v.memory);
            self.time[mode][m] = self.time[mode][m].saturating_add(v.load[i]);
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
    /// Overflows of module memory (in a mode or at a switch) and of
    /// processor time, counted per (mode or transition, module).
    pub fn overflows(&self, system: &System, cap: &Capacity) -> usize {
        let mut n = 0;
        for mo in 0..system.modes.len() {
            for m in 0..system.modules.len() {
                n += usize::from(self.memory[mo][m] > cap.memory[mo][m]);
                n += usize::from(self.time[mo][m] > cap.time[mo][m]);
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
    /// time kept to `time_pm` per mille of the module's capacity.
    pub fn fits(&self, cap: &Capacity, v: &ProgView, i: usize, m: ModuleId, time_pm: u64) -> bool {
        let mode = v.modes[i];
        let mem_ok = self.memory[mode][m].saturating_add(v.memory) <= cap.memory[mode][m];
        let limit = (u128::from(cap.time[mode][m]) * u128::from(time_pm) / 1000) as u64;
        mem_ok && self.time[mode][m].saturating_add(v.load[i]) <= limit
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
