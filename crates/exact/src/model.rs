//! The mode as a search: placement by depth-first search, start times per
//! placement through `stn.rs`, and the schedule built from the solution.

use crate::stn::{Item, Net, Res, Steps};
use crate::{MAX_ITEMS, MAX_PROGRAMS, Outcome, Subset};
use seamless_model::schedule::{HopEntry, JobEntry, Placement, Schedule, Transmission};
use seamless_model::{Mode, ModeId, ModuleId, System, Ticks, Timing};
use std::collections::BTreeMap;

/// Steps one memoised single-core check may spend.
const CORE_CHECK: u64 = 200_000;

/// A program of the subset.
struct P {
    id: usize,
    wcet: Ticks,
    timing: Timing,
    jitter: Option<Ticks>,
    unavail: Option<Ticks>,
    /// Job windows `(release, deadline)`.
    jobs: Vec<(Ticks, Ticks)>,
    /// Candidate (module, core) pairs.
    options: Vec<(ModuleId, u32)>,
    pinned: bool,
    memory: u64,
    load: u64,
    /// Indices into `Search::msgs` it sends or receives.
    msgs: Vec<usize>,
}

/// A message of the subset.
struct M {
    id: usize,
    sender: usize,
    receivers: Vec<usize>,
    size: u64,
    precedence: bool,
    insts: Vec<(Ticks, Ticks)>,
}

/// Where a hop instance's variable is, to write the schedule.
struct HopVar {
    msg: usize,
    k: usize,
    from: usize,
    to: usize,
    tx: Ticks,
    var: u32,
}

/// A built timing problem.
struct Built {
    net: Net,
    /// Per program (index into `Search::progs`): its job variables, if built.
    job_vars: Vec<Vec<u32>>,
    hops: Vec<HopVar>,
}

pub(crate) struct Search<'a> {
    sys: &'a System,
    mode: &'a Mode,
    h: Ticks,
    progs: Vec<P>,
    msgs: Vec<M>,
    order: Vec<usize>,
    core_base: Vec<usize>,
    /// Per global core: some program of the subset is pinned to it.
    pinned_core: Vec<bool>,
    // the current partial placement
    at: Vec<Option<(ModuleId, u32)>>,
    mem: Vec<u64>,
    load: Vec<u64>,
    on: Vec<u64>,
    memo: BTreeMap<u64, Res>,
    incomplete: bool,
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

impl<'a> Search<'a> {
    /// `None` when the mode is beyond the engine's size limits.
    pub(crate) fn new(sys: &'a System, mode_id: ModeId, subset: &Subset) -> Option<Search<'a>> {
        let mode = sys.modes.get(mode_id)?;
        if mode.programs.len() > 4 * MAX_PROGRAMS || mode.job_count > MAX_ITEMS as u64 {
            return None;
        }
        let h = mode.major_frame;
        let mut slot_to = vec![usize::MAX; mode.programs.len()];
        let mut progs = Vec::new();
        let mut core_base = Vec::with_capacity(sys.modules.len());
        let mut n_cores = 0usize;
        for m in &sys.modules {
            core_base.push(n_cores);
            n_cores += m.cores as usize;
        }
        let mut pinned_core = vec![false; n_cores];
        for (s, mp) in mode.programs.iter().enumerate() {
            if !subset.programs.get(s).copied().unwrap_or(false) {
                continue;
            }
            let r = mp.requirement;
            let t = r.timing;
            let jobs: Vec<(Ticks, Ticks)> = (0..t.count(h))
                .map(|k| {
                    let w = t.instance_window(k);
                    (w.start, w.end)
                })
                .collect();
            let mut options = Vec::new();
            for &m in &mp.allowed {
                match mp.pin_core {
                    Some(c) if c < sys.modules[m].cores => {
                        options.push((m, c));
                        pinned_core[core_base[m] + c as usize] = true;
                    }
                    Some(_) => {}
                    None => options.extend((0..sys.modules[m].cores).map(|c| (m, c))),
                }
            }
            slot_to[s] = progs.len();
            let n = jobs.len() as u64;
            progs.push(P {
                id: mp.program,
                wcet: r.wcet,
                timing: t,
                jitter: r.max_jitter,
                unavail: sys.programs[mp.program].max_unavailability,
                jobs,
                pinned: mp.pin_core.is_some(),
                options,
                memory: sys.programs[mp.program].memory,
                load: r.wcet.saturating_mul(n),
                msgs: Vec::new(),
            });
        }
        if progs.len() > MAX_PROGRAMS {
            return None;
        }
        let mut msgs = Vec::new();
        for (ms, mm) in mode.messages.iter().enumerate() {
            if !subset.messages.get(ms).copied().unwrap_or(false) {
                continue;
            }
            let m = &sys.messages[mm.message];
            let Some(sender) = mode.slot(m.from).map(|s| slot_to[s]) else {
                continue;
            };
            if sender == usize::MAX {
                continue;
            }
            let receivers: Vec<usize> =
                m.to.iter()
                    .filter_map(|&q| mode.slot(q))
                    .map(|q| slot_to[q])
                    .filter(|&q| q != usize::MAX)
                    .collect();
            if receivers.is_empty() {
                continue;
            }
            let t = mm.timing;
            let insts = (0..t.count(h))
                .map(|k| {
                    let w = t.instance_window(k);
                    (w.start, w.end)
                })
                .collect();
            let i = msgs.len();
            progs[sender].msgs.push(i);
            for &q in &receivers {
                progs[q].msgs.push(i);
            }
            msgs.push(M {
                id: mm.message,
                sender,
                receivers,
                size: m.size,
                precedence: mm.precedence,
                insts,
            });
        }
        let items: usize = progs.iter().map(|p| p.jobs.len()).sum::<usize>()
            + msgs.iter().map(|m| m.insts.len() * 4).sum::<usize>();
        if items > MAX_ITEMS {
            return None;
        }
        let mut order: Vec<usize> = (0..progs.len()).collect();
        order.sort_by_key(|&i| {
            let p = &progs[i];
            (
                p.options.len() > 1,
                std::cmp::Reverse(p.load.saturating_mul(1000) / h.max(1)),
                std::cmp::Reverse(p.memory),
                i,
            )
        });
        let n = progs.len();
        Some(Search {
            sys,
            mode,
            h,
            progs,
            msgs,
            order,
            core_base,
            pinned_core,
            at: vec![None; n],
            mem: vec![0; sys.modules.len()],
            load: vec![0; n_cores],
            on: vec![0; n_cores],
            memo: BTreeMap::new(),
            incomplete: false,
        })
    }

    pub(crate) fn run(&mut self, steps: &mut Steps) -> Outcome {
        match self.place(0, steps) {
            Some(s) => Outcome::Scheduled(s),
            None if self.incomplete || steps.out => Outcome::Unknown,
            None => Outcome::Infeasible,
        }
    }

    /// The timing problem of `members` (indices into `progs`) on their
    /// current cores (`one_core`: all on one core, no messages).
    fn build(&self, members: u64, one_core: bool, with_msgs: bool) -> Built {
        let h = self.h as i64;
        let mut net = Net::default();
        let n_cores = self.load.len();
        let mut resources: Vec<Vec<Item>> =
            vec![Vec::new(); n_cores + self.sys.network.directions()];
        let mut job_vars = vec![Vec::new(); self.progs.len()];
        for (i, p) in self.progs.iter().enumerate() {
            if members & (1 << i) == 0 {
                continue;
            }
            let c = p.wcet as i64;
            let vars: Vec<u32> = p
                .jobs
                .iter()
                .map(|&(r, d)| net.var(r as i64, d as i64 - c))
                .collect();
            let res = if one_core {
                0
            } else {
                let (m, core) = self.at[i].expect("placed");
                self.core_base[m] + core as usize
            };
            resources[res].extend(vars.iter().map(|&var| Item { var, len: c }));
            let n = vars.len();
            let period = p.timing.period().unwrap_or(self.h) as i64;
            if n > 1 {
                match p.jitter {
                    Some(0) => {
                        for (k, &v) in vars.iter().enumerate().skip(1) {
                            let kt = k as i64 * period;
                            net.raw_edge(vars[0], v, kt);
                            net.raw_edge(v, vars[0], -kt);
                        }
                    }
                    Some(j) => {
                        let w = p.timing.window();
                        let lo = w.start as i64;
                        let hi = w.end as i64 - c;
                        let omin = net.var(lo, hi);
                        let omax = net.var(lo, hi);
                        for (k, &v) in vars.iter().enumerate() {
                            let kt = k as i64 * period;
                            net.raw_edge(omin, v, kt);
                            net.raw_edge(v, omax, -kt);
                        }
                        net.raw_edge(omax, omin, -(j.min(h as u64) as i64));
                    }
                    None => {}
                }
                if let Some(u) = p.unavail {
                    let u = u.min(2 * self.h) as i64;
                    for k in 0..n - 1 {
                        net.raw_edge(vars[k + 1], vars[k], -u);
                    }
                    net.raw_edge(vars[0], vars[n - 1], h - u);
                }
            }
            job_vars[i] = vars;
        }
        let mut hops = Vec::new();
        if with_msgs && !one_core {
            let net_sys = &self.sys.network;
            for (mi, m) in self.msgs.iter().enumerate() {
                if members & (1 << m.sender) == 0 {
                    continue;
                }
                let recv: Vec<usize> = m
                    .receivers
                    .iter()
                    .copied()
                    .filter(|&q| members & (1 << q) != 0)
                    .collect();
                if recv.is_empty() {
                    continue;
                }
                let a = self.at[m.sender].expect("placed").0;
                let mut targets: Vec<ModuleId> = recv
                    .iter()
                    .map(|&q| self.at[q].expect("placed").0)
                    .filter(|&r| r != a)
                    .collect();
                targets.sort_unstable();
                targets.dedup();
                let tree = if targets.is_empty() {
                    Vec::new()
                } else {
                    net_sys.multicast(a, &targets)
                };
                let cs = self.progs[m.sender].wcet as i64;
                for (k, &(rel, dl)) in m.insts.iter().enumerate() {
                    let prec = m.precedence && k < job_vars[m.sender].len();
                    let mut tv: Vec<u32> = Vec::with_capacity(tree.len());
                    for th in &tree {
                        let tx = self.sys.tx_time(th.hop.link, m.size) as i64;
                        let lo = if th.parent.is_none() { rel as i64 } else { 0 };
                        let v = net.var(lo, h - tx);
                        resources[n_cores + th.hop.dir_id(&net_sys.links)]
                            .push(Item { var: v, len: tx });
                        hops.push(HopVar {
                            msg: mi,
                            k,
                            from: th.hop.from,
                            to: th.hop.to,
                            tx: tx as Ticks,
                            var: v,
                        });
                        match th.parent {
                            None => {
                                if prec {
                                    net.raw_edge(job_vars[m.sender][k], v, cs);
                                }
                            }
                            Some(pi) => {
                                let ph = &tree[pi];
                                let ptx = self.sys.tx_time(ph.hop.link, m.size) as i64;
                                let lat = net_sys.links[ph.hop.link].latency as i64;
                                net.raw_edge(tv[pi], v, ptx + lat);
                            }
                        }
                        if let Some(r) = net_sys.nodes[th.hop.to].module {
                            // a leaf into module r: arrival by the deadline
                            let lat = net_sys.links[th.hop.link].latency as i64;
                            let ub = dl as i64 - tx - lat;
                            if ub < net.ub[v as usize] {
                                net.ub[v as usize] = ub;
                            }
                            if prec {
                                for &q in &recv {
                                    if self.at[q].expect("placed").0 == r && k < job_vars[q].len() {
                                        net.raw_edge(v, job_vars[q][k], tx + lat);
                                    }
                                }
                            }
                        }
                        tv.push(v);
                    }
                    if prec {
                        for &q in &recv {
                            if self.at[q].expect("placed").0 == a && k < job_vars[q].len() {
                                net.raw_edge(job_vars[m.sender][k], job_vars[q][k], cs);
                            }
                        }
                    }
                }
            }
        }
        net.resources = resources.into_iter().filter(|r| r.len() > 1).collect();
        Built {
            net,
            job_vars,
            hops,
        }
    }

    /// Whether the programs of `mask` may share one core, as far as the
    /// single-core relaxation can tell (memoised; `Unknown` allows it).
    fn core_ok(&mut self, mask: u64, steps: &mut Steps) -> bool {
        if mask.count_ones() <= 1 && self.progs.len() > 1 {
            // a lone program's own constraints are checked at the leaf
            return true;
        }
        if let Some(&r) = self.memo.get(&mask) {
            return r != Res::Unsat;
        }
        let mut b = self.build(mask, true, false);
        let mut sub = Steps {
            used: steps.used,
            limit: steps.limit.min(steps.used.saturating_add(CORE_CHECK)),
            deadline: steps.deadline,
            out: false,
        };
        let r = if !b.net.propagate_all(&mut sub) {
            if sub.out { Res::Unknown } else { Res::Unsat }
        } else {
            b.net.solve(&mut sub)
        };
        steps.used = sub.used;
        steps.take(0);
        self.memo.insert(mask, r);
        r != Res::Unsat
    }

    /// Propagation only (no branching) over the placed programs and the
    /// messages among them: a cheap prune.
    fn partial_ok(&mut self, steps: &mut Steps) -> bool {
        let mask: u64 = (0..self.progs.len())
            .filter(|&i| self.at[i].is_some())
            .fold(0, |m, i| m | (1 << i));
        let mut b = self.build(mask, false, true);
        let ok = b.net.propagate_all(steps);
        ok || steps.out
    }

    fn place(&mut self, i: usize, steps: &mut Steps) -> Option<Schedule> {
        if !steps.take(1) {
            self.incomplete = true;
            return None;
        }
        if i == self.order.len() {
            let all = if self.progs.len() == 64 {
                u64::MAX
            } else {
                (1u64 << self.progs.len()) - 1
            };
            let mut b = self.build(all, false, true);
            let r = if b.net.propagate_all(steps) {
                b.net.solve(steps)
            } else if steps.out {
                Res::Unknown
            } else {
                Res::Unsat
            };
            return match r {
                Res::Sat => Some(self.schedule(&b)),
                Res::Unknown => {
                    self.incomplete = true;
                    None
                }
                Res::Unsat => None,
            };
        }
        let s = self.order[i];
        let mut cands = self.progs[s].options.clone();
        // modules holding partners first, then the least loaded core
        let partner = |m: ModuleId, me: &Search| -> u64 {
            me.progs[s]
                .msgs
                .iter()
                .map(|&mi| {
                    let msg = &me.msgs[mi];
                    std::iter::once(msg.sender)
                        .chain(msg.receivers.iter().copied())
                        .filter(|&q| q != s && me.at[q].is_some_and(|(qm, _)| qm == m))
                        .count() as u64
                })
                .sum()
        };
        let keys: Vec<(std::cmp::Reverse<u64>, u64, ModuleId, u32)> = cands
            .iter()
            .map(|&(m, c)| {
                let gc = self.core_base[m] + c as usize;
                (std::cmp::Reverse(partner(m, self)), self.load[gc], m, c)
            })
            .collect();
        let mut idx: Vec<usize> = (0..cands.len()).collect();
        idx.sort_by_key(|&x| keys[x]);
        cands = idx.into_iter().map(|x| cands[x]).collect();
        let mut tried_empty: Vec<ModuleId> = Vec::new();
        let p_mem = self.progs[s].memory;
        let p_load = self.progs[s].load;
        for (m, c) in cands {
            let gc = self.core_base[m] + c as usize;
            if self.mem[m] + p_mem > self.sys.modules[m].memory {
                continue;
            }
            if self.load[gc] + p_load > self.h {
                continue;
            }
            if !self.progs[s].pinned && self.on[gc] == 0 && !self.pinned_core[gc] {
                if tried_empty.contains(&m) {
                    continue;
                }
                tried_empty.push(m);
            }
            if !self.strict_pairs_ok(s, gc) {
                continue;
            }
            self.at[s] = Some((m, c));
            self.mem[m] += p_mem;
            self.load[gc] += p_load;
            self.on[gc] |= 1 << s;
            let mask = self.on[gc];
            let ok = self.core_ok(mask, steps) && self.partial_ok(steps);
            if ok && let Some(sched) = self.place(i + 1, steps) {
                return Some(sched);
            }
            self.at[s] = None;
            self.mem[m] -= p_mem;
            self.load[gc] -= p_load;
            self.on[gc] &= !(1 << s);
            if steps.out {
                self.incomplete = true;
                return None;
            }
        }
        None
    }

    /// Two strictly periodic programs on one core need `c_a + c_b ≤ gcd`.
    fn strict_pairs_ok(&self, s: usize, gc: usize) -> bool {
        let p = &self.progs[s];
        let strict = |q: &P| q.jitter == Some(0) && q.jobs.len() > 1;
        if !strict(p) {
            return true;
        }
        let tp = p.timing.period().unwrap_or(self.h);
        (0..self.progs.len())
            .filter(|&o| self.on[gc] & (1 << o) != 0)
            .all(|o| {
                let q = &self.progs[o];
                !strict(q) || p.wcet + q.wcet <= gcd(tp, q.timing.period().unwrap_or(self.h)).max(1)
            })
    }

    fn schedule(&self, b: &Built) -> Schedule {
        let sys = self.sys;
        let mut placement = Vec::new();
        let mut jobs = Vec::new();
        for (i, p) in self.progs.iter().enumerate() {
            let (m, c) = self.at[i].expect("placed");
            placement.push(Placement {
                program: sys.programs[p.id].name.clone(),
                module: sys.modules[m].name.clone(),
                core: c,
            });
            for (k, &v) in b.job_vars[i].iter().enumerate() {
                let start = b.net.lb[v as usize] as u64;
                jobs.push(JobEntry {
                    program: sys.programs[p.id].name.clone(),
                    index: k as u64,
                    module: sys.modules[m].name.clone(),
                    core: c,
                    start,
                    end: start + p.wcet,
                });
            }
        }
        let mut by_inst: BTreeMap<(usize, usize), Vec<HopEntry>> = BTreeMap::new();
        let nodes = &sys.network.nodes;
        for hv in &b.hops {
            let start = b.net.lb[hv.var as usize] as u64;
            by_inst.entry((hv.msg, hv.k)).or_default().push(HopEntry {
                from: nodes[hv.from].name.clone(),
                to: nodes[hv.to].name.clone(),
                start,
                end: start + hv.tx,
            });
        }
        let transmissions = by_inst
            .into_iter()
            .map(|((mi, k), hops)| Transmission {
                message: sys.messages[self.msgs[mi].id].name.clone(),
                index: k as u64,
                hops,
            })
            .collect();
        let mut s = Schedule {
            mode: self.mode.name.clone(),
            tick: sys.tick.text.clone(),
            major_frame: self.h,
            placement,
            jobs,
            transmissions,
        };
        s.canonicalize();
        s
    }
}
