//! Start times for a placement, with repair that may change it.
//!
//! 1. Static bounds: every job's earliest and latest start are tightened by
//!    propagation that holds for any schedule of the current placement
//!    (precedence over idle-network paths, jitter, steady-state gaps), so
//!    they never exclude a valid choice.
//! 2. Group pass (`run(true)`): every program gets one offset for all its
//!    jobs (which satisfies any jitter and gap bound), programs in order of
//!    tightness and period, senders before receivers, each sender followed by
//!    its precedence message instances. When a program does not fit, its
//!    core is laid out again by a bounded depth-first search over the offsets
//!    of all its programs (a few candidate offsets each, forward-checked),
//!    in several orders; then the program is moved to another core or
//!    module.
//! 3. Job pass: what is left (every job and instance in `run(false)`), in
//!    order of latest start (which orders every precedence chain sender →
//!    message → receiver), goes to the earliest free slot of its core (a
//!    message: hop by hop along its multicast tree, each hop on the earliest
//!    free slot of its link direction) that respects its window and the
//!    placed neighbours it depends on (precedence, jitter band, gaps).
//! 4. Repair when an insertion fails: rip up what occupies the window on the
//!    contended resource and re-insert in three orders; then also the
//!    entity's constraint neighbours; then move the program.
//!
//! Every change is journaled and rolled back when a step does not succeed.
//! Resources are sorted interval maps (`Timeline`), so a placement costs a
//! logarithmic search plus the gaps visited, never a scan of the frame. The
//! effort is bounded by a work budget counted in elementary steps, not by
//! the clock; the optional time limit is a safety cap.

use crate::infeasible::{GaveUp, JobMiss, MessageMiss, Resource, ResourceLoad, Stop};
use crate::placement::{Placed, affinity, band, comfortable, special};
use crate::problem::{NONE, Problem, Tree};
use crate::timeline::Timeline;
use crate::{Options, Phase, Progress};
use seamless_model::schedule::{HopEntry, JobEntry, Placement, Schedule, Transmission};
use seamless_model::{ModuleId, Window};
use std::collections::BTreeMap;
use std::time::Instant;

/// Most entities ripped up in one repair step.
const MAX_VICTIMS: usize = 160;
/// Most (module, core) candidates tried when moving a program.
const MAX_MOVES: usize = 8;

/// Something to place: a job or a message instance (by global index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Ent {
    Job(u32),
    Inst(u32),
}

/// A resource: global core index or link direction id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Res {
    Core(usize),
    Dir(usize),
}

/// Where and in which range an insertion failed.
#[derive(Debug, Clone, Copy)]
struct Fail {
    res: Res,
    lo: u64,
    hi: u64,
}

#[derive(Debug, Clone, Copy)]
enum Op {
    /// `placed`: the job was placed at `start` (undo removes it), or
    /// removed from `start` (undo puts it back).
    Job { j: u32, start: u64, placed: bool },
    /// Instance placed (undo removes), or removed with its hop starts saved
    /// at `saved` (undo restores).
    Inst { i: u32, placed: bool, saved: u32 },
    /// Program moved away from `module`/`core` (undo moves it back).
    Move { s: u32, module: ModuleId, core: u32 },
}

#[derive(Debug, Clone, Copy)]
enum Order {
    FirstThenKey,
    AllByKey,
    AllByRelease,
}

pub(crate) struct Engine<'p, 'a> {
    p: &'p Problem<'a>,
    module: Vec<ModuleId>,
    core: Vec<u32>,
    trees: Vec<Tree>,
    job_start: Vec<u64>,
    hop_start: Vec<Vec<u64>>,
    inst_done: Vec<bool>,
    cores: Vec<Timeline>,
    dirs: Vec<Timeline>,
    /// Offsets of placed jobs, for programs with a jitter bound.
    offsets: Vec<BTreeMap<u64, u32>>,
    /// Static earliest start and latest start per job.
    rel: Vec<u64>,
    lst: Vec<u64>,
    mem_free: Vec<u64>,
    core_load: Vec<u64>,
    /// Precedence-connected component of each program slot, and the slots
    /// of each component in topological order.
    comp: Vec<u32>,
    comp_slots: Vec<Vec<u32>>,
    aff: Vec<Vec<(u32, u64)>>,
    journal: Vec<Op>,
    saved: Vec<u64>,
    scratch_l: Vec<u64>,
    scratch_s: Vec<u64>,
    last_fail: BTreeMap<Ent, Res>,
    work: u64,
    budget: u64,
    started: Instant,
    opts: &'p Options<'p>,
    stop: Option<Stop>,
    /// Whether programs are placed as one offset group where possible.
    grouped: bool,
    /// Most processor time per frame a move may load a core with.
    cap: u64,
    /// The hinted module per slot.
    hint: Vec<Option<ModuleId>>,
}

impl<'p, 'a> Engine<'p, 'a> {
    pub(crate) fn new(
        p: &'p Problem<'a>,
        placed: Placed,
        opts: &'p Options<'p>,
        started: Instant,
    ) -> Self {
        let sys = p.sys;
        let mut mem_free: Vec<u64> = sys.modules.iter().map(|m| m.memory).collect();
        let mut core_load = vec![0u64; p.n_cores];
        for (s, q) in p.progs.iter().enumerate() {
            mem_free[placed.module[s]] -= q.memory;
            core_load[p.core_base[placed.module[s]] + placed.core[s] as usize] += q.load;
        }
        let (comp, comp_slots) = components(p);
        let cap = placed.cap;
        let hint = placed.hint;
        let mut e = Engine {
            p,
            module: placed.module,
            core: placed.core,
            trees: Vec::new(),
            job_start: vec![NONE; p.jobs.len()],
            hop_start: vec![Vec::new(); p.msgs.len()],
            inst_done: vec![false; p.insts.len()],
            cores: vec![Timeline::default(); p.n_cores],
            dirs: vec![Timeline::default(); p.n_dirs],
            offsets: vec![BTreeMap::new(); p.progs.len()],
            rel: p.jobs.iter().map(|j| j.release).collect(),
            lst: vec![0; p.jobs.len()],
            mem_free,
            core_load,
            comp,
            comp_slots,
            aff: affinity(p),
            journal: Vec::new(),
            saved: Vec::new(),
            scratch_l: Vec::new(),
            scratch_s: Vec::new(),
            last_fail: BTreeMap::new(),
            work: 0,
            budget: opts.budget,
            started,
            opts,
            stop: None,
            grouped: false,
            cap,
            hint,
        };
        e.trees = (0..p.msgs.len() as u32)
            .map(|m| p.tree(m, &e.module))
            .collect();
        for m in 0..p.msgs.len() {
            e.reset_instances(m);
        }
        for c in 0..e.comp_slots.len() {
            e.compute_bounds(c);
        }
        e
    }

    // ----- static bounds -------------------------------------------------

    fn reset_instances(&mut self, m: usize) {
        let msg = &self.p.msgs[m];
        let len = self.trees[m].hops.len();
        self.hop_start[m] = vec![NONE; len * msg.n as usize];
        let empty = len == 0;
        for k in 0..msg.n {
            self.inst_done[(msg.first + k) as usize] = empty;
        }
    }

    /// Recomputes `rel`/`lst` for the jobs of one precedence component.
    fn compute_bounds(&mut self, c: usize) {
        let p = self.p;
        let h = p.h;
        let slots = std::mem::take(&mut self.comp_slots[c]);
        for &s in &slots {
            let q = &p.progs[s as usize];
            self.work += u64::from(q.n) * (1 + q.prec_out.len() as u64);
        }
        for &s in &slots {
            let q = &p.progs[s as usize];
            let first = q.first as usize;
            let n = q.n as usize;
            for j in first..first + n {
                self.rel[j] = p.jobs[j].release;
                self.lst[j] = p.jobs[j].deadline - q.wcet;
            }
            if n > 1 {
                if let Some(u) = q.unavail {
                    for k in (0..n - 1).rev() {
                        let v = self.rel[first + k + 1].saturating_sub(u);
                        self.rel[first + k] = self.rel[first + k].max(v);
                    }
                    let v = (h + self.rel[first]).saturating_sub(u);
                    self.rel[first + n - 1] = self.rel[first + n - 1].max(v);
                    for k in 1..n {
                        let v = self.lst[first + k - 1].saturating_add(u);
                        self.lst[first + k] = self.lst[first + k].min(v);
                    }
                    let v = self.lst[first + n - 1].saturating_add(u).saturating_sub(h);
                    self.lst[first] = self.lst[first].min(v);
                }
                if let Some(jit) = q.jitter {
                    let omax = (0..n)
                        .map(|k| self.rel[first + k] - q.base(k as u32))
                        .max()
                        .unwrap_or(0);
                    let omin = (0..n)
                        .map(|k| self.lst[first + k].saturating_sub(q.base(k as u32)))
                        .min()
                        .unwrap_or(0);
                    for k in 0..n {
                        let b = q.base(k as u32);
                        self.rel[first + k] = self.rel[first + k].max(b + omax.saturating_sub(jit));
                        self.lst[first + k] = self.lst[first + k].min(b + omin.saturating_add(jit));
                    }
                }
            }
        }
        // precedence: slots are in topological order
        for &s in &slots {
            let q = &p.progs[s as usize];
            for &m in &q.prec_out {
                let msg = &p.msgs[m as usize];
                let tree = &self.trees[m as usize];
                for (qi, &r) in msg.receivers.iter().enumerate() {
                    let local = tree.recv_leaf[qi].is_none();
                    let path = tree.recv_path[qi];
                    for k in 0..msg.n.min(q.n).min(p.progs[r as usize].n) {
                        let sj = p.job(s, k);
                        let rj = p.job(r, k);
                        let end = self.rel[sj].saturating_add(q.wcet);
                        let v = if local {
                            end
                        } else {
                            end.max(p.insts[p.inst(m, k)].release).saturating_add(path)
                        };
                        self.rel[rj] = self.rel[rj].max(v);
                    }
                }
            }
        }
        for &s in slots.iter().rev() {
            let q = &p.progs[s as usize];
            for &m in &q.prec_out {
                let msg = &p.msgs[m as usize];
                let tree = &self.trees[m as usize];
                for (qi, &r) in msg.receivers.iter().enumerate() {
                    let local = tree.recv_leaf[qi].is_none();
                    let path = tree.recv_path[qi];
                    for k in 0..msg.n.min(q.n).min(p.progs[r as usize].n) {
                        let sj = p.job(s, k);
                        let rj = p.job(r, k);
                        let latest_end = if local {
                            self.lst[rj]
                        } else {
                            self.lst[rj]
                                .min(p.insts[p.inst(m, k)].deadline)
                                .saturating_sub(path)
                        };
                        let v = latest_end.saturating_sub(q.wcet);
                        self.lst[sj] = self.lst[sj].min(v);
                    }
                }
            }
        }
        self.comp_slots[c] = slots;
    }

    // ----- raw state changes ---------------------------------------------

    fn gcore(&self, s: usize) -> usize {
        self.p.core_base[self.module[s]] + self.core[s] as usize
    }

    fn raw_place_job(&mut self, j: usize, t: u64) {
        self.work += 1;
        let info = self.p.jobs[j];
        let s = info.slot as usize;
        let q = &self.p.progs[s];
        let gc = self.gcore(s);
        self.cores[gc].insert(t, t + q.wcet, j as u32);
        self.job_start[j] = t;
        if q.jitter.is_some() {
            *self.offsets[s].entry(t - q.base(info.k)).or_insert(0) += 1;
        }
    }

    fn raw_remove_job(&mut self, j: usize) -> u64 {
        self.work += 1;
        let info = self.p.jobs[j];
        let s = info.slot as usize;
        let q = &self.p.progs[s];
        let t = self.job_start[j];
        let gc = self.gcore(s);
        self.cores[gc].remove(t);
        self.job_start[j] = NONE;
        if q.jitter.is_some() {
            let o = t - q.base(info.k);
            if let Some(c) = self.offsets[s].get_mut(&o) {
                *c -= 1;
                if *c == 0 {
                    self.offsets[s].remove(&o);
                }
            }
        }
        t
    }

    fn raw_place_inst(&mut self, i: usize, starts: &[u64]) {
        self.work += starts.len() as u64;
        let info = self.p.insts[i];
        let m = info.slot as usize;
        let len = self.trees[m].hops.len();
        let base = info.k as usize * len;
        for (h, &t) in starts.iter().enumerate() {
            let hop = self.trees[m].hops[h];
            self.dirs[hop.dir as usize].insert(t, t + hop.tx, i as u32);
            self.hop_start[m][base + h] = t;
        }
        self.inst_done[i] = true;
    }

    fn raw_remove_inst(&mut self, i: usize, keep: bool) {
        let info = self.p.insts[i];
        self.work += self.trees[info.slot as usize].hops.len() as u64;
        let m = info.slot as usize;
        let len = self.trees[m].hops.len();
        let base = info.k as usize * len;
        for h in 0..len {
            let t = self.hop_start[m][base + h];
            let dir = self.trees[m].hops[h].dir as usize;
            self.dirs[dir].remove(t);
            if keep {
                self.saved.push(t);
            }
            self.hop_start[m][base + h] = NONE;
        }
        self.inst_done[i] = false;
    }

    /// Moves a program (nothing of it or of its messages may be placed).
    fn raw_move(&mut self, s: usize, module: ModuleId, core: u32) {
        let q = &self.p.progs[s];
        let old_gc = self.gcore(s);
        let old_m = self.module[s];
        self.core_load[old_gc] -= q.load;
        self.mem_free[old_m] += q.memory;
        self.module[s] = module;
        self.core[s] = core;
        let gc = self.gcore(s);
        self.core_load[gc] += q.load;
        self.mem_free[module] -= q.memory;
        if old_m != module {
            for &m in &q.msgs {
                self.trees[m as usize] = self.p.tree(m, &self.module);
                self.reset_instances(m as usize);
            }
            let c = self.comp[s] as usize;
            if !self.comp_slots[c].is_empty() && (!q.prec_in.is_empty() || !q.prec_out.is_empty()) {
                self.compute_bounds(c);
            }
        }
    }

    // ----- journaled changes ---------------------------------------------

    fn place_job(&mut self, j: usize, t: u64) {
        self.raw_place_job(j, t);
        self.journal.push(Op::Job {
            j: j as u32,
            start: t,
            placed: true,
        });
    }

    fn unplace_job(&mut self, j: usize) {
        let t = self.raw_remove_job(j);
        self.journal.push(Op::Job {
            j: j as u32,
            start: t,
            placed: false,
        });
    }

    fn place_inst(&mut self, i: usize, starts: &[u64]) {
        self.raw_place_inst(i, starts);
        self.journal.push(Op::Inst {
            i: i as u32,
            placed: true,
            saved: 0,
        });
    }

    fn unplace_inst(&mut self, i: usize) {
        let saved = self.saved.len() as u32;
        self.raw_remove_inst(i, true);
        self.journal.push(Op::Inst {
            i: i as u32,
            placed: false,
            saved,
        });
    }

    fn unplace(&mut self, e: Ent) {
        match e {
            Ent::Job(j) if self.job_start[j as usize] != NONE => self.unplace_job(j as usize),
            Ent::Inst(i) if self.inst_done[i as usize] && !self.inst_trivial(i as usize) => {
                self.unplace_inst(i as usize)
            }
            _ => {}
        }
    }

    fn move_to(&mut self, s: usize, module: ModuleId, core: u32) {
        let (om, oc) = (self.module[s], self.core[s]);
        self.raw_move(s, module, core);
        self.journal.push(Op::Move {
            s: s as u32,
            module: om,
            core: oc,
        });
    }

    fn rollback(&mut self, mark: usize) {
        while self.journal.len() > mark {
            let Some(op) = self.journal.pop() else { break };
            match op {
                Op::Job {
                    j, placed: true, ..
                } => {
                    self.raw_remove_job(j as usize);
                }
                Op::Job {
                    j,
                    start,
                    placed: false,
                } => self.raw_place_job(j as usize, start),
                Op::Inst {
                    i, placed: true, ..
                } => self.raw_remove_inst(i as usize, false),
                Op::Inst {
                    i,
                    placed: false,
                    saved,
                } => {
                    let len = self.trees[self.p.insts[i as usize].slot as usize]
                        .hops
                        .len();
                    let from = saved as usize;
                    let starts: Vec<u64> = self.saved[from..from + len].to_vec();
                    self.saved.truncate(from);
                    self.raw_place_inst(i as usize, &starts);
                }
                Op::Move { s, module, core } => self.raw_move(s as usize, module, core),
            }
        }
    }

    /// Forgets the journal (at top level, when nothing can be rolled back).
    fn commit(&mut self) {
        self.journal.clear();
        self.saved.clear();
    }

    // ----- queries -------------------------------------------------------

    fn inst_trivial(&self, i: usize) -> bool {
        self.trees[self.p.insts[i].slot as usize].hops.is_empty()
    }

    fn placed(&self, e: Ent) -> bool {
        match e {
            Ent::Job(j) => self.job_start[j as usize] != NONE,
            Ent::Inst(i) => self.inst_done[i as usize],
        }
    }

    fn job_end(&self, j: usize) -> u64 {
        self.job_start[j] + self.p.progs[self.p.jobs[j].slot as usize].wcet
    }

    /// Arrival of instance `i` at the module of receiver number `qi`, if placed
    /// and remote.
    fn arrival(&self, i: usize, qi: usize) -> Option<u64> {
        let info = self.p.insts[i];
        let m = info.slot as usize;
        let tree = &self.trees[m];
        let leaf = tree.recv_leaf[qi]? as usize;
        let t = self.hop_start[m][info.k as usize * tree.hops.len() + leaf];
        (t != NONE).then(|| t + tree.hops[leaf].tx + tree.hops[leaf].lat)
    }

    /// The priority key: latest start (static).
    fn key(&self, e: Ent) -> u64 {
        match e {
            Ent::Job(j) => self.lst[j as usize],
            Ent::Inst(i) => {
                let p = self.p;
                let info = p.insts[i as usize];
                let msg = &p.msgs[info.slot as usize];
                let tree = &self.trees[info.slot as usize];
                let mut key = u64::MAX;
                for (qi, &q) in msg.receivers.iter().enumerate() {
                    if tree.recv_leaf[qi].is_none() {
                        continue;
                    }
                    let mut d = info.deadline;
                    if msg.precedence {
                        d = d.min(self.lst[p.job(q, info.k)]);
                    }
                    key = key.min(d.saturating_sub(tree.recv_path[qi]));
                }
                key
            }
        }
    }

    /// Earliest start (static), for ordering.
    fn release(&self, e: Ent) -> u64 {
        match e {
            Ent::Job(j) => self.rel[j as usize],
            Ent::Inst(i) => {
                let p = self.p;
                let info = p.insts[i as usize];
                let msg = &p.msgs[info.slot as usize];
                if msg.precedence {
                    let sj = p.job(msg.sender, info.k);
                    info.release
                        .max(self.rel[sj] + p.progs[msg.sender as usize].wcet)
                } else {
                    info.release
                }
            }
        }
    }

    /// The range `[lo, hi_end]` a job's start and end must lie in, given
    /// its static bounds and its placed neighbours.
    fn job_bounds(&self, j: usize) -> (u64, u64) {
        let p = self.p;
        let info = p.jobs[j];
        let s = info.slot;
        let q = &p.progs[s as usize];
        let k = info.k;
        let c = q.wcet;
        let mut lo = self.rel[j];
        let mut hi = self.lst[j].saturating_add(c);
        if q.n > 1 {
            if let Some(jit) = q.jitter
                && let (Some((&omin, _)), Some((&omax, _))) = (
                    self.offsets[s as usize].first_key_value(),
                    self.offsets[s as usize].last_key_value(),
                )
            {
                let b = q.base(k);
                lo = lo.max((b + omax).saturating_sub(jit));
                hi = hi.min(b + omin + jit + c);
            }
            if let Some(u) = q.unavail {
                let n = q.n;
                if k > 0 {
                    let pj = p.job(s, k - 1);
                    if self.job_start[pj] != NONE {
                        hi = hi.min(self.job_end(pj).saturating_add(u));
                    }
                }
                if k + 1 < n {
                    let nj = p.job(s, k + 1);
                    if self.job_start[nj] != NONE {
                        lo = lo.max(self.job_end(nj).saturating_sub(u.saturating_add(c)));
                    }
                }
                if k == n - 1 {
                    let fj = p.job(s, 0);
                    if self.job_start[fj] != NONE {
                        lo = lo.max((p.h + self.job_end(fj)).saturating_sub(u.saturating_add(c)));
                    }
                }
                if k == 0 {
                    let lj = p.job(s, n - 1);
                    if self.job_start[lj] != NONE {
                        hi = hi.min(self.job_end(lj).saturating_add(u).saturating_sub(p.h));
                    }
                }
            }
        }
        for &m in &q.prec_in {
            let msg = &p.msgs[m as usize];
            if k >= msg.n {
                continue;
            }
            let Some(qi) = msg.receivers.iter().position(|&r| r == s) else {
                continue;
            };
            if self.trees[m as usize].recv_leaf[qi].is_none() {
                let sj = p.job(msg.sender, k);
                if self.job_start[sj] != NONE {
                    lo = lo.max(self.job_end(sj));
                }
            } else if let Some(a) = self.arrival(p.inst(m, k), qi) {
                lo = lo.max(a);
            } else {
                // not sent yet: at best it leaves when the sender ends and
                // crosses an idle network
                let sj = p.job(msg.sender, k);
                if self.job_start[sj] != NONE {
                    let dep = self.job_end(sj).max(p.insts[p.inst(m, k)].release);
                    lo = lo.max(dep.saturating_add(self.trees[m as usize].recv_path[qi]));
                }
            }
        }
        for &m in &q.prec_out {
            let msg = &p.msgs[m as usize];
            if k >= msg.n {
                continue;
            }
            let tree = &self.trees[m as usize];
            let i = p.inst(m, k);
            let sent = !tree.hops.is_empty() && self.inst_done[i];
            if sent {
                let base = k as usize * tree.hops.len();
                for (h, hop) in tree.hops.iter().enumerate() {
                    if hop.parent == u32::MAX {
                        hi = hi.min(self.hop_start[m as usize][base + h]);
                    }
                }
            }
            for (qi, &r) in msg.receivers.iter().enumerate() {
                let rj = p.job(r, k);
                if self.job_start[rj] == NONE {
                    continue;
                }
                if tree.recv_leaf[qi].is_none() {
                    hi = hi.min(self.job_start[rj]);
                } else if !sent {
                    // the receiver waits: the message must cross an idle
                    // network before it starts
                    let latest = self.job_start[rj].min(p.insts[i].deadline);
                    hi = hi.min(latest.saturating_sub(tree.recv_path[qi]));
                }
            }
        }
        (lo, hi)
    }

    fn tick_work(&mut self) {
        self.work += 1;
        if self.work.is_multiple_of(1024)
            && self.stop.is_none()
            && self.started.elapsed() > self.opts.time_limit
        {
            self.stop = Some(Stop::TimeLimit);
        }
    }

    /// Work spent so far (in budget steps).
    pub(crate) fn work(&self) -> u64 {
        self.work
    }

    fn exhausted(&mut self) -> bool {
        if self.stop.is_none() && self.work >= self.budget {
            self.stop = Some(Stop::Budget);
        }
        self.stop.is_some()
    }

    // ----- insertion -----------------------------------------------------

    fn insert_job(&mut self, j: usize) -> Result<(), Fail> {
        self.tick_work();
        let s = self.p.jobs[j].slot as usize;
        let c = self.p.progs[s].wcet;
        let gc = self.gcore(s);
        let (lo, hi) = self.job_bounds(j);
        match self.cores[gc].earliest(lo, c, hi) {
            Some(t) => {
                self.place_job(j, t);
                Ok(())
            }
            None => Err(Fail {
                res: Res::Core(gc),
                lo,
                hi,
            }),
        }
    }

    fn insert_inst(&mut self, i: usize) -> Result<(), Fail> {
        self.tick_work();
        let p = self.p;
        let info = p.insts[i];
        let m = info.slot as usize;
        let msg = &p.msgs[m];
        let tree = &self.trees[m];
        let len = tree.hops.len();
        if len == 0 {
            self.inst_done[i] = true;
            return Ok(());
        }
        let k = info.k;
        let mut e0 = info.release;
        if msg.precedence {
            let sj = p.job(msg.sender, k);
            let end = if self.job_start[sj] != NONE {
                self.job_end(sj)
            } else {
                self.rel[sj] + p.progs[msg.sender as usize].wcet
            };
            e0 = e0.max(end);
        }
        let mut l = std::mem::take(&mut self.scratch_l);
        let mut st = std::mem::take(&mut self.scratch_s);
        l.clear();
        l.resize(len, u64::MAX);
        st.clear();
        for (qi, &q) in msg.receivers.iter().enumerate() {
            if let Some(leaf) = tree.recv_leaf[qi] {
                let mut d = info.deadline;
                if msg.precedence {
                    let qj = p.job(q, k);
                    d = d.min(if self.job_start[qj] != NONE {
                        self.job_start[qj]
                    } else {
                        self.lst[qj]
                    });
                }
                let leaf = leaf as usize;
                l[leaf] = l[leaf].min(d.saturating_sub(tree.hops[leaf].lat));
            }
        }
        for h in (0..len).rev() {
            let hop = tree.hops[h];
            if hop.parent != u32::MAX {
                let par = hop.parent as usize;
                let v = l[h]
                    .saturating_sub(hop.tx)
                    .saturating_sub(tree.hops[par].lat);
                l[par] = l[par].min(v);
            }
        }
        let mut result = Ok(());
        for (h, &hop) in tree.hops.iter().enumerate() {
            let earliest = if hop.parent == u32::MAX {
                e0
            } else {
                let par = hop.parent as usize;
                st[par] + tree.hops[par].tx + tree.hops[par].lat
            };
            match self.dirs[hop.dir as usize].earliest(earliest, hop.tx, l[h]) {
                Some(t) => st.push(t),
                None => {
                    result = Err(Fail {
                        res: Res::Dir(hop.dir as usize),
                        lo: earliest,
                        hi: l[h],
                    });
                    break;
                }
            }
        }
        if result.is_ok() {
            self.place_inst(i, &st);
        }
        self.scratch_l = l;
        self.scratch_s = st;
        result
    }

    fn insert(&mut self, e: Ent) -> Result<(), Fail> {
        match e {
            Ent::Job(j) => self.insert_job(j as usize),
            Ent::Inst(i) => self.insert_inst(i as usize),
        }
    }

    /// The range of offsets (relative to each job's period start) that
    /// every unplaced job of program `s` allows, given its bounds.
    fn group_range(&self, s: usize) -> Option<(u64, u64)> {
        let p = self.p;
        let q = &p.progs[s];
        let c = q.wcet;
        let mut lo_o = 0u64;
        let mut hi_o = u64::MAX;
        for k in 0..q.n {
            let j = p.job(s as u32, k);
            if self.job_start[j] != NONE {
                continue;
            }
            let (lo, hi) = self.job_bounds(j);
            let b = q.base(k);
            lo_o = lo_o.max(lo.saturating_sub(b));
            if hi < b + c {
                return None;
            }
            hi_o = hi_o.min(hi - b - c);
        }
        (lo_o <= hi_o).then_some((lo_o, hi_o))
    }

    /// The earliest offset `≥ from` (and `≤ hi_o`) free for every job.
    fn group_earliest(&mut self, s: usize, from: u64, hi_o: u64) -> Option<u64> {
        let p = self.p;
        let q = &p.progs[s];
        let (c, n, gc) = (q.wcet, q.n, self.gcore(s));
        let mut o = from;
        if o > hi_o {
            return None;
        }
        let mut k = 0u32;
        let mut ok = 0u32;
        while ok < n {
            let b = q.base(k);
            let t = b + o;
            if let Some(end) = self.cores[gc].conflict(t, t + c) {
                self.tick_work();
                o = (o + 1).max(end - b);
                ok = 0;
                if o > hi_o {
                    return None;
                }
            } else {
                ok += 1;
                k = (k + 1) % n;
            }
        }
        Some(o)
    }

    /// The latest offset `≤ to` (and `≥ lo_o`) free for every job.
    fn group_latest(&mut self, s: usize, lo_o: u64, to: u64) -> Option<u64> {
        let p = self.p;
        let q = &p.progs[s];
        let (c, n, gc) = (q.wcet, q.n, self.gcore(s));
        let mut o = to;
        if o < lo_o {
            return None;
        }
        let mut k = 0u32;
        let mut ok = 0u32;
        while ok < n {
            let b = q.base(k);
            let t = b + o;
            if let Some(start) = self.cores[gc].conflict_start(t, t + c) {
                self.tick_work();
                if start < b + c || start - b - c < lo_o {
                    return None;
                }
                o = (o - 1).min(start - b - c);
                ok = 0;
            } else {
                ok += 1;
                k = (k + 1) % n;
            }
        }
        Some(o)
    }

    fn place_group(&mut self, s: usize, o: u64) {
        let p = self.p;
        let q = &p.progs[s];
        for k in 0..q.n {
            let j = p.job(s as u32, k);
            if self.job_start[j] == NONE {
                self.place_job(j, q.base(k) + o);
            }
        }
    }

    /// One offset for every job of a program: the earliest that fits.
    fn insert_group(&mut self, s: usize) -> Result<(), Fail> {
        let gc = self.gcore(s);
        let fail = |lo: u64, hi: u64| Fail {
            res: Res::Core(gc),
            lo,
            hi,
        };
        let Some((lo_o, hi_o)) = self.group_range(s) else {
            return Err(fail(0, 0));
        };
        match self.group_earliest(s, lo_o, hi_o) {
            Some(o) => {
                self.place_group(s, o);
                Ok(())
            }
            None => Err(fail(lo_o, hi_o.saturating_add(self.p.progs[s].wcet))),
        }
    }

    /// A few distinct offsets for a program's group: the earliest, the
    /// earliest after each busy stretch of its first window, the latest.
    fn group_candidates(&mut self, s: usize, max: usize) -> Vec<u64> {
        let mut out = Vec::new();
        let Some((lo_o, hi_o)) = self.group_range(s) else {
            return out;
        };
        let q = &self.p.progs[s];
        let (c, b0, gc) = (q.wcet, q.base(0), self.gcore(s));
        let mut from = lo_o;
        while out.len() + 1 < max {
            let Some(o) = self.group_earliest(s, from, hi_o) else {
                break;
            };
            out.push(o);
            // skip past the next busy interval after this placement
            let t = b0 + o + c;
            let next = self.cores[gc].next_busy_end(t);
            match next {
                Some(e) if e > b0 && e - b0 > o => from = e - b0,
                _ => break,
            }
        }
        if let Some(o) = self.group_latest(s, lo_o, hi_o)
            && !out.contains(&o)
        {
            out.push(o);
        }
        out
    }

    /// Depth-first search over group offsets for `order`, bounded by
    /// `nodes`; leaves the groups placed on success.
    fn group_dfs(&mut self, order: &[usize], nodes: &mut u64) -> bool {
        let Some((&s, rest)) = order.split_first() else {
            return true;
        };
        let cands = self.group_candidates(s, 5);
        for o in cands {
            if *nodes == 0 || self.exhausted() {
                return false;
            }
            *nodes -= 1;
            let mark = self.journal.len();
            self.place_group(s, o);
            self.work += u64::from(self.p.progs[s].n);
            // forward check: every program still to come must keep a place
            let mut alive = true;
            for &t in rest {
                let fits = match self.group_range(t) {
                    Some((lo, hi)) => self.group_earliest(t, lo, hi).is_some(),
                    None => false,
                };
                if !fits {
                    alive = false;
                    break;
                }
            }
            if alive && self.group_dfs(rest, nodes) {
                return true;
            }
            self.rollback(mark);
        }
        false
    }

    // ----- repair --------------------------------------------------------

    fn movable(&self, e: Ent) -> bool {
        match e {
            Ent::Job(j) => !self.p.progs[self.p.jobs[j as usize].slot as usize].strict(),
            Ent::Inst(_) => true,
        }
    }

    /// Rips up `victims`, inserts `first` and the victims in `order`; rolls
    /// everything back if any insertion fails.
    fn reinsert(&mut self, first: &[Ent], victims: &[Ent], order: Order) -> bool {
        let mark = self.journal.len();
        for &v in victims {
            self.unplace(v);
        }
        let mut seq: Vec<Ent> = Vec::with_capacity(first.len() + victims.len());
        match order {
            Order::FirstThenKey => {
                seq.extend_from_slice(first);
                let mut rest = victims.to_vec();
                rest.sort_by_key(|&e| (self.key(e), e));
                seq.extend(rest);
            }
            Order::AllByKey => {
                seq.extend_from_slice(first);
                seq.extend_from_slice(victims);
                seq.sort_by_key(|&e| (self.key(e), e));
            }
            Order::AllByRelease => {
                seq.extend_from_slice(first);
                seq.extend_from_slice(victims);
                seq.sort_by_key(|&e| (self.release(e), self.key(e), e));
            }
        }
        for e in seq {
            if self.placed(e) {
                continue;
            }
            if self.insert(e).is_err() {
                self.rollback(mark);
                return false;
            }
        }
        true
    }

    fn try_orders(&mut self, first: &[Ent], victims: &[Ent]) -> bool {
        for order in [Order::FirstThenKey, Order::AllByKey, Order::AllByRelease] {
            if self.exhausted() {
                return false;
            }
            if self.reinsert(first, victims, order) {
                return true;
            }
        }
        false
    }

    /// The placed, movable entities occupying `[lo, hi)` on a resource.
    fn occupants(&self, res: Res, lo: u64, hi: u64) -> Vec<Ent> {
        let mut v: Vec<Ent> = match res {
            Res::Core(gc) => self.cores[gc]
                .owners_in(lo, hi)
                .into_iter()
                .map(Ent::Job)
                .collect(),
            Res::Dir(d) => self.dirs[d]
                .owners_in(lo, hi)
                .into_iter()
                .map(Ent::Inst)
                .collect(),
        };
        v.retain(|&e| self.movable(e));
        v.sort_unstable();
        v.dedup();
        if v.len() > MAX_VICTIMS {
            // keep those nearest to the start of the range (owners_in is in
            // time order before the sort, so re-take in time order)
            let mut timed: Vec<Ent> = match res {
                Res::Core(gc) => self.cores[gc]
                    .owners_in(lo, hi)
                    .into_iter()
                    .map(Ent::Job)
                    .collect(),
                Res::Dir(d) => self.dirs[d]
                    .owners_in(lo, hi)
                    .into_iter()
                    .map(Ent::Inst)
                    .collect(),
            };
            timed.retain(|&e| self.movable(e));
            let mut seen = std::collections::BTreeSet::new();
            timed.retain(|e| seen.insert(*e));
            timed.truncate(MAX_VICTIMS);
            v = timed;
        }
        v
    }

    /// The placed neighbours whose position constrains `e`.
    fn neighbours(&self, e: Ent) -> Vec<Ent> {
        let p = self.p;
        let mut out = Vec::new();
        match e {
            Ent::Job(j) => {
                let info = p.jobs[j as usize];
                let s = info.slot;
                let q = &p.progs[s as usize];
                let k = info.k;
                if q.unavail.is_some() && q.n > 1 {
                    for kk in [k.wrapping_sub(1), k + 1, 0, q.n - 1] {
                        if kk < q.n && kk != k {
                            out.push(Ent::Job(p.job(s, kk) as u32));
                        }
                    }
                }
                if q.jitter.is_some() && q.n > 1 && q.n <= 64 {
                    for kk in 0..q.n {
                        if kk != k {
                            out.push(Ent::Job(p.job(s, kk) as u32));
                        }
                    }
                }
                for &m in q.prec_in.iter().chain(&q.prec_out) {
                    let msg = &p.msgs[m as usize];
                    if k >= msg.n {
                        continue;
                    }
                    out.push(Ent::Inst(p.inst(m, k) as u32));
                    for &r in std::iter::once(&msg.sender).chain(&msg.receivers) {
                        if r != s {
                            out.push(Ent::Job(p.job(r, k) as u32));
                        }
                    }
                }
            }
            Ent::Inst(i) => {
                let info = p.insts[i as usize];
                let msg = &p.msgs[info.slot as usize];
                if msg.precedence {
                    for &r in std::iter::once(&msg.sender).chain(&msg.receivers) {
                        out.push(Ent::Job(p.job(r, info.k) as u32));
                    }
                }
            }
        }
        out.retain(|&x| x != e && self.placed(x) && self.movable(x));
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Tries to place `e` after its insertion failed with `fail`.
    /// `deep` allows moving programs.
    fn repair(&mut self, e: Ent, fail: Fail, deep: bool) -> bool {
        if self.exhausted() {
            return false;
        }
        // level 1: what occupies the range on the contended resource
        let (lo, hi) = match (e, fail.res) {
            (Ent::Job(j), _) => {
                let c = self.p.progs[self.p.jobs[j as usize].slot as usize].wcet;
                let (a, b) = (self.rel[j as usize], self.lst[j as usize].saturating_add(c));
                if a.saturating_add(c) <= b {
                    (a, b)
                } else {
                    (fail.lo, fail.hi)
                }
            }
            (Ent::Inst(_), _) => (fail.lo, fail.hi),
        };
        let v1 = if lo < hi {
            self.occupants(fail.res, lo, hi)
        } else {
            Vec::new()
        };
        if !v1.is_empty() && self.try_orders(&[e], &v1) {
            return true;
        }
        // level 2: also the neighbours that constrain it
        let nb = self.neighbours(e);
        if !nb.is_empty() {
            let mut v2 = v1.clone();
            v2.extend(nb);
            v2.sort_unstable();
            v2.dedup();
            if self.try_orders(&[e], &v2) {
                return true;
            }
        }
        if !deep {
            return false;
        }
        // level 3: move a program
        match e {
            Ent::Job(j) => {
                let s = self.p.jobs[j as usize].slot as usize;
                self.move_program(s, false)
            }
            Ent::Inst(i) => {
                let info = self.p.insts[i as usize];
                let msg = &self.p.msgs[info.slot as usize];
                // bring a remote receiver to the sender's module, or the
                // sender to a receiver's
                let sm = self.module[msg.sender as usize];
                let mut cands: Vec<usize> = Vec::new();
                for &r in &msg.receivers {
                    if self.module[r as usize] != sm {
                        cands.push(r as usize);
                    }
                }
                cands.push(msg.sender as usize);
                for s in cands {
                    if self.exhausted() {
                        return false;
                    }
                    if self.move_program(s, true) && self.placed(e) {
                        return true;
                    }
                }
                false
            }
        }
    }

    /// Candidate (module, core) pairs for program `s` other than its own.
    fn move_candidates(&self, s: usize, other_module: bool) -> Vec<(ModuleId, u32)> {
        let p = self.p;
        let q = &p.progs[s];
        let h = p.h;
        let cur_m = self.module[s];
        let mut on_core: BTreeMap<usize, Vec<u32>> = BTreeMap::new();
        for o in 0..p.progs.len() {
            if o != s {
                on_core.entry(self.gcore(o)).or_default().push(o as u32);
            }
        }
        type Key = (
            bool,
            bool,
            u8,
            bool,
            std::cmp::Reverse<u64>,
            u64,
            ModuleId,
            u32,
        );
        let mut out: Vec<(Key, ModuleId, u32)> = Vec::new();
        for &m in &q.allowed {
            if (m != cur_m && self.mem_free[m] < q.memory) || (other_module && m == cur_m) {
                continue;
            }
            let affinity: u64 = self.aff[s]
                .iter()
                .filter(|&&(o, _)| self.module[o as usize] == m)
                .map(|&(_, w)| w)
                .fold(0, u64::saturating_add);
            let cores: Vec<u32> = match q.pin_core {
                Some(c) => vec![c],
                None => (0..p.sys.modules[m].cores).collect(),
            };
            for c in cores {
                if m == cur_m && c == self.core[s] {
                    continue;
                }
                let gc = p.core_base[m] + c as usize;
                let after = self.core_load[gc].saturating_add(q.load);
                if after > h || after > self.cap.max(self.core_load[self.gcore(s)]) {
                    continue;
                }
                let others = on_core.get(&gc).map(Vec::as_slice).unwrap_or(&[]);
                let s_special = special(p, s as u32);
                if others
                    .iter()
                    .any(|&o| (s_special || special(p, o)) && !comfortable(p, s as u32, o))
                {
                    continue;
                }
                let mut items: Vec<(u64, u64)> = others
                    .iter()
                    .chain(std::iter::once(&(s as u32)))
                    .map(|&o| {
                        let po = &p.progs[o as usize];
                        (po.timing.period().unwrap_or(h), po.wcet)
                    })
                    .collect();
                let fragmented = crate::placement::frag_of(&mut items, 0) > 0;
                let key = (
                    fragmented,
                    self.hint[s].is_some_and(|hm| hm != m),
                    band(after, h),
                    m != cur_m,
                    std::cmp::Reverse(affinity),
                    after,
                    m,
                    c,
                );
                out.push((key, m, c));
            }
        }
        out.sort();
        out.truncate(MAX_MOVES);
        out.into_iter().map(|(_, m, c)| (m, c)).collect()
    }

    /// Moves program `s` to another core or module, re-timing its jobs and
    /// (if the module changes) its messages.
    fn move_program(&mut self, s: usize, other_module: bool) -> bool {
        let p = self.p;
        let q = &p.progs[s];
        for (m, c) in self.move_candidates(s, other_module) {
            if self.exhausted() {
                return false;
            }
            let mark = self.journal.len();
            for k in 0..q.n {
                let j = p.job(s as u32, k);
                if self.job_start[j] != NONE {
                    self.unplace_job(j);
                }
            }
            let changes_module = m != self.module[s];
            if changes_module {
                for &ms in &q.msgs {
                    let msg = &p.msgs[ms as usize];
                    for k in 0..msg.n {
                        let i = p.inst(ms, k);
                        if self.inst_done[i] && !self.inst_trivial(i) {
                            self.unplace_inst(i);
                        }
                    }
                }
            }
            self.move_to(s, m, c);
            let mut ok = true;
            if q.strict() {
                if self.insert_group(s).is_err() && !self.relayout_core(self.gcore(s), s) {
                    ok = false;
                }
            } else if self.grouped
                && (self.insert_group(s).is_ok() || self.relayout_core(self.gcore(s), s))
            {
                // one offset for all its jobs
            } else {
                for k in 0..q.n {
                    let j = p.job(s as u32, k);
                    if let Err(f) = self.insert_job(j)
                        && !self.repair(Ent::Job(j as u32), f, false)
                    {
                        ok = false;
                        break;
                    }
                }
            }
            if ok {
                let mut insts: Vec<Ent> = Vec::new();
                for &ms in &q.msgs {
                    let msg = &p.msgs[ms as usize];
                    for k in 0..msg.n {
                        let i = p.inst(ms, k);
                        if !self.inst_done[i] {
                            insts.push(Ent::Inst(i as u32));
                        }
                    }
                }
                insts.sort_by_key(|&e| (self.key(e), e));
                for e in insts {
                    if let Err(f) = self.insert(e)
                        && !self.repair(e, f, false)
                    {
                        ok = false;
                        break;
                    }
                }
            }
            if ok {
                return true;
            }
            self.rollback(mark);
        }
        false
    }

    // ----- the whole pass ------------------------------------------------

    fn progress(&self, phase: Phase, done: u64, total: u64) {
        if let Some(cb) = self.opts.progress {
            cb(Progress {
                mode: self.p.mode_id,
                phase,
                done,
                total,
            });
        }
    }

    /// Places everything it can; returns the entities left unplaced.
    /// Priority of a program in the group pass: programs whose window
    /// forces a mandatory part first (least slack first), then by period,
    /// longest wcet first.
    fn group_key(&self, s: usize) -> (bool, u64, u64, u64) {
        let q = &self.p.progs[s];
        let w = q.timing.window();
        let slack = w.end - w.start - q.wcet;
        let tight = slack < q.wcet;
        (
            !tight,
            q.timing.period().unwrap_or(self.p.h),
            slack,
            u64::MAX - q.wcet,
        )
    }

    /// Re-lays the programs of core `gc` (and `first`, which failed there)
    /// as offset groups, in several orders; rolls back if none works.
    fn relayout_core(&mut self, gc: usize, first: usize) -> bool {
        let p = self.p;
        let mut on: Vec<usize> = (0..p.progs.len())
            .filter(|&s| s != first && self.gcore(s) == gc)
            .filter(|&s| (0..p.progs[s].n).any(|k| self.job_start[p.job(s as u32, k)] != NONE))
            .collect();
        if on.is_empty() || on.len() > 64 {
            return false;
        }
        on.sort_by_key(|&s| (self.group_key(s), s));
        let mut rng = crate::placement::Rng::new((gc as u64) << 20 ^ first as u64 ^ self.work);
        const VARIANTS: usize = 8;
        for v in 0..VARIANTS {
            if self.exhausted() {
                return false;
            }
            let mut order: Vec<usize> = on.clone();
            match v {
                0 => {}
                1 => order.sort_by_key(|&s| (u64::MAX - p.progs[s].wcet, s)),
                3 => order.sort_by_key(|&s| (self.group_key(s).0, u64::MAX - p.progs[s].wcet, s)),
                2 => order.sort_by_key(|&s| {
                    let q = &p.progs[s];
                    let w = q.timing.window();
                    (w.end - w.start - q.wcet, s)
                }),
                _ => {
                    for i in (1..order.len()).rev() {
                        let j = rng.below(i + 1);
                        order.swap(i, j);
                    }
                }
            }
            if v == 0 {
                order.push(first);
                order.sort_by_key(|&s| (self.group_key(s), s));
            } else {
                order.insert(0, first);
            }
            let mark = self.journal.len();
            let mut insts: Vec<Ent> = Vec::new();
            for &s in &on {
                for k in 0..p.progs[s].n {
                    let j = p.job(s as u32, k);
                    if self.job_start[j] != NONE {
                        self.unplace_job(j);
                    }
                }
                for &m in &p.progs[s].msgs {
                    for k in 0..p.msgs[m as usize].n {
                        let i = p.inst(m, k);
                        if self.inst_done[i] && !self.inst_trivial(i) {
                            self.unplace_inst(i);
                            insts.push(Ent::Inst(i as u32));
                        }
                    }
                }
            }
            let mut nodes = 128 + 16 * order.len() as u64;
            let mut ok = self.group_dfs(&order, &mut nodes);
            if ok {
                insts.sort_by_key(|&e| (self.key(e), e));
                for e in insts {
                    if self.insert(e).is_err() {
                        ok = false;
                        break;
                    }
                }
            }
            if ok {
                return true;
            }
            self.rollback(mark);
        }
        false
    }

    /// Every program as one offset group, in order of period (senders
    /// before receivers), each followed by its outgoing precedence message
    /// instances. What does not fit is left to the job-level pass.
    fn group_pass(&mut self, misses: &mut Vec<Ent>) {
        let p = self.p;
        let n = p.progs.len();
        let mut indeg = vec![0u32; n];
        let mut succ: Vec<Vec<u32>> = vec![Vec::new(); n];
        for m in p.msgs.iter().filter(|m| m.precedence) {
            for &q in &m.receivers {
                succ[m.sender as usize].push(q);
                indeg[q as usize] += 1;
            }
        }
        let prio = |s: usize| (self.group_key(s), s);
        let mut ready: std::collections::BTreeSet<((bool, u64, u64, u64), usize)> =
            (0..n).filter(|&s| indeg[s] == 0).map(prio).collect();
        let mut order = Vec::with_capacity(n);
        while let Some((_, s)) = ready.pop_first() {
            order.push(s);
            for &q in &succ[s] {
                indeg[q as usize] -= 1;
                if indeg[q as usize] == 0 {
                    ready.insert(prio(q as usize));
                }
            }
        }
        // a cycle (proven infeasible before) leaves slots out: add them
        if order.len() < n {
            let mut seen = vec![false; n];
            for &s in &order {
                seen[s] = true;
            }
            order.extend((0..n).filter(|&s| !seen[s]));
        }
        let total = n as u64;
        for (done, s) in order.into_iter().enumerate() {
            if done % 256 == 0 {
                self.progress(Phase::Placing, done as u64, total);
            }
            let q = &p.progs[s];
            let placed = match self.insert_group(s) {
                Ok(()) => Ok(()),
                Err(f) => {
                    let gc = self.gcore(s);
                    if !self.exhausted()
                        && (self.relayout_core(gc, s) || self.move_program(s, false))
                    {
                        Ok(())
                    } else {
                        Err(f)
                    }
                }
            };
            match placed {
                Ok(()) => {
                    for &m in &q.prec_out {
                        for k in 0..p.msgs[m as usize].n {
                            let i = p.inst(m, k);
                            if !self.inst_done[i] {
                                let _ = self.insert_inst(i);
                            }
                        }
                    }
                }
                Err(f) if q.strict() => {
                    self.last_fail
                        .insert(Ent::Job(p.job(s as u32, 0) as u32), f.res);
                    for k in 0..q.n {
                        misses.push(Ent::Job(p.job(s as u32, k) as u32));
                    }
                }
                Err(_) => {}
            }
            self.commit();
        }
    }

    /// Places everything it can; returns the entities left unplaced.
    /// `grouped`: first try one offset per program (see [`Self::group_pass`]).
    pub(crate) fn run(&mut self, grouped: bool) -> Vec<Ent> {
        let p = self.p;
        let mut misses: Vec<Ent> = Vec::new();
        self.grouped = grouped;
        if grouped {
            self.group_pass(&mut misses);
        }
        // strictly periodic programs first
        let mut strict: Vec<usize> = (0..p.progs.len())
            .filter(|&s| p.progs[s].strict() && self.job_start[p.job(s as u32, 0)] == NONE)
            .filter(|&s| !misses.contains(&Ent::Job(p.job(s as u32, 0) as u32)))
            .collect();
        strict.sort_by_key(|&s| {
            let q = &p.progs[s];
            (
                q.pin_core.is_none(),
                q.timing.period(),
                std::cmp::Reverse(q.wcet),
                s,
            )
        });
        for s in strict {
            if let Err(f) = self.insert_group(s) {
                let ok = !self.exhausted() && self.move_program(s, false);
                if !ok {
                    let j0 = p.job(s as u32, 0);
                    self.last_fail.insert(Ent::Job(j0 as u32), f.res);
                    for k in 0..p.progs[s].n {
                        misses.push(Ent::Job(p.job(s as u32, k) as u32));
                    }
                }
            }
            self.commit();
        }
        let mut ents: Vec<Ent> = Vec::with_capacity(p.jobs.len() + p.insts.len());
        for (j, info) in p.jobs.iter().enumerate() {
            if !p.progs[info.slot as usize].strict() && self.job_start[j] == NONE {
                ents.push(Ent::Job(j as u32));
            }
        }
        for i in 0..p.insts.len() {
            if !self.inst_done[i] {
                ents.push(Ent::Inst(i as u32));
            }
        }
        let mut keyed: Vec<(u64, Ent)> = ents.iter().map(|&e| (self.key(e), e)).collect();
        keyed.sort_unstable();
        let total = keyed.len() as u64;
        self.progress(Phase::Scheduling, 0, total);
        for (n, &(_, e)) in keyed.iter().enumerate() {
            if n % 4096 == 0 && n > 0 {
                self.progress(Phase::Scheduling, n as u64, total);
            }
            if self.placed(e) {
                continue;
            }
            if let Err(f) = self.insert(e)
                && !self.repair(e, f, true)
            {
                self.last_fail.insert(e, f.res);
                misses.push(e);
            }
            self.commit();
        }
        self.progress(Phase::Scheduling, total, total);
        // second chance for what is still missing: things have moved since
        misses.retain(|&e| !self.placed(e));
        if !misses.is_empty() {
            let again = misses.clone();
            let total = again.len() as u64;
            for (n, &e) in again.iter().enumerate() {
                self.progress(Phase::Repairing, n as u64, total);
                if self.placed(e) || self.exhausted() {
                    continue;
                }
                if let Ent::Job(j) = e {
                    let s = p.jobs[j as usize].slot as usize;
                    if p.progs[s].strict() {
                        if self.insert_group(s).is_err() {
                            self.move_program(s, false);
                        }
                        self.commit();
                        continue;
                    }
                }
                match self.insert(e) {
                    Ok(()) => {}
                    Err(f) => {
                        self.last_fail.insert(e, f.res);
                        self.repair(e, f, true);
                    }
                }
                self.commit();
            }
            misses.retain(|&e| !self.placed(e));
        }
        misses.sort_unstable();
        misses.dedup();
        misses
    }

    // ----- results -------------------------------------------------------

    /// The global core of every program slot.
    pub(crate) fn global_cores(&self) -> Vec<u32> {
        (0..self.p.progs.len())
            .map(|s| self.gcore(s) as u32)
            .collect()
    }

    /// The program slots with a job among `misses`, or sending or receiving
    /// a message instance among them.
    pub(crate) fn missed_programs(&self, misses: &[Ent]) -> Vec<u32> {
        let p = self.p;
        let mut out: Vec<u32> = Vec::new();
        for &e in misses {
            match e {
                Ent::Job(j) => out.push(p.jobs[j as usize].slot),
                Ent::Inst(i) => {
                    let m = &p.msgs[p.insts[i as usize].slot as usize];
                    out.push(m.sender);
                    out.extend(m.receivers.iter().copied());
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    pub(crate) fn schedule(&self) -> Schedule {
        let p = self.p;
        let sys = p.sys;
        let nodes = &sys.network.nodes;
        let placement = p
            .progs
            .iter()
            .enumerate()
            .map(|(s, q)| Placement {
                program: sys.programs[q.id].name.clone(),
                module: sys.modules[self.module[s]].name.clone(),
                core: self.core[s],
            })
            .collect();
        let jobs = p
            .jobs
            .iter()
            .enumerate()
            .map(|(j, info)| {
                let s = info.slot as usize;
                let q = &p.progs[s];
                JobEntry {
                    program: sys.programs[q.id].name.clone(),
                    index: u64::from(info.k),
                    module: sys.modules[self.module[s]].name.clone(),
                    core: self.core[s],
                    start: self.job_start[j],
                    end: self.job_start[j] + q.wcet,
                }
            })
            .collect();
        let mut transmissions = Vec::new();
        for (i, info) in p.insts.iter().enumerate() {
            let m = info.slot as usize;
            let tree = &self.trees[m];
            if tree.hops.is_empty() {
                continue;
            }
            let base = info.k as usize * tree.hops.len();
            let _ = i;
            transmissions.push(Transmission {
                message: sys.messages[p.msgs[m].id].name.clone(),
                index: u64::from(info.k),
                hops: tree
                    .hops
                    .iter()
                    .enumerate()
                    .map(|(h, hop)| {
                        let t = self.hop_start[m][base + h];
                        HopEntry {
                            from: nodes[hop.from_node as usize].name.clone(),
                            to: nodes[hop.to_node as usize].name.clone(),
                            start: t,
                            end: t + hop.tx,
                        }
                    })
                    .collect(),
            });
        }
        let mut s = Schedule {
            mode: p.mode.name.clone(),
            tick: sys.tick.text.clone(),
            major_frame: p.h,
            placement,
            jobs,
            transmissions,
        };
        s.canonicalize();
        s
    }

    pub(crate) fn report(&self, misses: &[Ent]) -> GaveUp {
        let p = self.p;
        let net = &p.sys.network;
        let mut jobs = Vec::new();
        let mut messages = Vec::new();
        let mut count: BTreeMap<Res, u32> = BTreeMap::new();
        for &e in misses {
            let res = self.last_fail.get(&e).copied();
            match e {
                Ent::Job(j) => {
                    let info = p.jobs[j as usize];
                    let s = info.slot as usize;
                    jobs.push(JobMiss {
                        program: p.progs[s].id,
                        index: u64::from(info.k),
                        window: Window {
                            start: info.release,
                            end: info.deadline,
                        },
                        module: self.module[s],
                        core: self.core[s],
                    });
                    *count
                        .entry(res.unwrap_or(Res::Core(self.gcore(s))))
                        .or_insert(0) += 1;
                }
                Ent::Inst(i) => {
                    let info = p.insts[i as usize];
                    let link = match res {
                        Some(Res::Dir(d)) => {
                            let hop = net.direction(d);
                            Some((hop.from, hop.to))
                        }
                        _ => None,
                    };
                    messages.push(MessageMiss {
                        message: p.msgs[info.slot as usize].id,
                        index: u64::from(info.k),
                        window: Window {
                            start: info.release,
                            end: info.deadline,
                        },
                        link,
                    });
                    if let Some(r) = res {
                        *count.entry(r).or_insert(0) += 1;
                    }
                }
            }
        }
        // demand per link direction from the trees
        let mut dir_demand = vec![0u64; p.n_dirs];
        for (m, tree) in self.trees.iter().enumerate() {
            let n = u64::from(p.msgs[m].n);
            for hop in &tree.hops {
                dir_demand[hop.dir as usize] =
                    dir_demand[hop.dir as usize].saturating_add(hop.tx.saturating_mul(n));
            }
        }
        let mut resources: Vec<ResourceLoad> = count
            .iter()
            .map(|(&res, &misses)| match res {
                Res::Core(gc) => {
                    let module = p.core_base.partition_point(|&b| b <= gc) - 1;
                    ResourceLoad {
                        resource: Resource::Core {
                            module,
                            core: (gc - p.core_base[module]) as u32,
                        },
                        busy: self.cores[gc].busy(),
                        demand: self.core_load[gc],
                        frame: p.h,
                        misses,
                    }
                }
                Res::Dir(d) => {
                    let hop = net.direction(d);
                    ResourceLoad {
                        resource: Resource::Link {
                            from: hop.from,
                            to: hop.to,
                        },
                        busy: self.dirs[d].busy(),
                        demand: dir_demand[d],
                        frame: p.h,
                        misses,
                    }
                }
            })
            .collect();
        resources.sort_by(|a, b| b.misses.cmp(&a.misses).then(a.resource.cmp(&b.resource)));
        GaveUp {
            mode: p.mode_id,
            stop: self.stop.unwrap_or(Stop::Exhausted),
            programs: Vec::new(),
            jobs,
            messages,
            resources,
        }
    }
}

/// Connected components of the precedence relation (undirected), each with
/// its slots in topological order (by the problem's order, or slot order if
/// there is a cycle).
fn components(p: &Problem) -> (Vec<u32>, Vec<Vec<u32>>) {
    let n = p.progs.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for m in p.msgs.iter().filter(|m| m.precedence) {
        for &q in &m.receivers {
            let a = find(&mut parent, m.sender as usize);
            let b = find(&mut parent, q as usize);
            if a != b {
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    let order: Vec<u32> = p.topo.clone().unwrap_or_else(|| (0..n as u32).collect());
    let mut id = vec![u32::MAX; n];
    let mut comps: Vec<Vec<u32>> = Vec::new();
    let mut comp = vec![0u32; n];
    for &s in &order {
        let r = find(&mut parent, s as usize);
        if id[r] == u32::MAX {
            id[r] = comps.len() as u32;
            comps.push(Vec::new());
        }
        comp[s as usize] = id[r];
        comps[id[r] as usize].push(s);
    }
    (comp, comps)
}
