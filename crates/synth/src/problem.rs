//! One mode as a scheduling problem: its programs, messages, jobs and message
//! instances with their windows, the precedence relation, and the multicast
//! trees of messages for a given placement.

use seamless_model::expand::{Expansion, expand, longest_gap};
use seamless_model::{Mode, ModeId, ModuleId, System, Ticks, Timing};

/// `u64::MAX` marks "not placed".
pub(crate) const NONE: u64 = u64::MAX;

/// A program of the mode.
#[derive(Debug, Clone)]
pub(crate) struct Prog {
    pub id: usize,
    pub wcet: Ticks,
    pub timing: Timing,
    pub jitter: Option<Ticks>,
    pub unavail: Option<Ticks>,
    /// Jobs per frame.
    pub n: u32,
    /// Index of job 0 in the mode's job list.
    pub first: u32,
    pub allowed: Vec<ModuleId>,
    pub pin_core: Option<u32>,
    pub memory: u64,
    /// Busy ticks per frame (`wcet · n`).
    pub load: u64,
    /// Mode message slots with precedence in which this program receives.
    pub prec_in: Vec<u32>,
    /// Mode message slots with precedence which this program sends.
    pub prec_out: Vec<u32>,
    /// Every message slot this program sends or receives.
    pub msgs: Vec<u32>,
    /// The longest stretch of one core its jobs can leave free between two
    /// consecutive ones (cyclic over the frame): no job of another program
    /// longer than this can share its core, jobs being non-preemptive
    /// ([`Problem::set_gaps`]).
    pub gap: Ticks,
}

impl Prog {
    /// Strictly periodic: one offset for every job.
    pub fn strict(&self) -> bool {
        self.jitter == Some(0) && self.n > 1
    }
    pub fn base(&self, k: u32) -> u64 {
        self.timing.instance_base(u64::from(k))
    }
}

/// A message of the mode.
#[derive(Debug, Clone)]
pub(crate) struct Msg {
    pub id: usize,
    pub sender: u32,
    pub receivers: Vec<u32>,
    pub size: u64,
    pub timing: Timing,
    pub precedence: bool,
    pub n: u32,
    pub first: u32,
}

/// A job: program slot, index, window.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JobInfo {
    pub slot: u32,
    pub k: u32,
    pub release: Ticks,
    pub deadline: Ticks,
}

/// A message instance.
#[derive(Debug, Clone, Copy)]
pub(crate) struct InstInfo {
    pub slot: u32,
    pub k: u32,
    pub release: Ticks,
    pub deadline: Ticks,
}

/// A hop of a message's multicast tree for the current placement.
#[derive(Debug, Clone, Copy)]
pub(crate) struct THop {
    pub dir: u32,
    pub tx: Ticks,
    pub lat: Ticks,
    /// Index of the hop feeding this one, `u32::MAX` at a root.
    pub parent: u32,
    /// The module this hop enters, if it enters one (a leaf).
    pub into_module: Option<ModuleId>,
    pub from_node: u32,
    pub to_node: u32,
}

/// A message's multicast tree for the current placement.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tree {
    pub hops: Vec<THop>,
    /// Per receiver (in `Msg::receivers` order): the hop into its module, or
    /// `None` when it sits on the sender's module.
    pub recv_leaf: Vec<Option<u32>>,
    /// Per receiver: idle-network time from the first hop's start to the
    /// arrival at its module (0 when local).
    pub recv_path: Vec<Ticks>,
}

/// The static description of one mode.
pub(crate) struct Problem<'a> {
    pub sys: &'a System,
    pub mode_id: ModeId,
    pub mode: &'a Mode,
    pub h: Ticks,
    pub progs: Vec<Prog>,
    pub msgs: Vec<Msg>,
    pub jobs: Vec<JobInfo>,
    pub insts: Vec<InstInfo>,
    /// Global core index of core 0 of each module.
    pub core_base: Vec<usize>,
    pub n_cores: usize,
    pub n_dirs: usize,
    /// Program slots in a topological order of the precedence relation
    /// (`None` if it has a cycle).
    pub topo: Option<Vec<u32>>,
    /// The longest wcet of the mode's programs.
    pub max_wcet: Ticks,
    /// The shortest [`Prog::gap`] of the mode's programs.
    pub min_gap: Ticks,
}

impl<'a> Problem<'a> {
    pub fn new(sys: &'a System, mode_id: ModeId) -> Problem<'a> {
        let mode = &sys.modes[mode_id];
        let e: Expansion = expand(mode);
        let h = mode.major_frame;
        let mut progs: Vec<Prog> = mode
            .programs
            .iter()
            .enumerate()
            .map(|(s, mp)| {
                let p = &sys.programs[mp.program];
                let n = (e.job_start[s + 1] - e.job_start[s]) as u32;
                Prog {
                    id: mp.program,
                    wcet: mp.requirement.wcet,
                    timing: mp.requirement.timing,
                    jitter: mp.requirement.max_jitter,
                    unavail: p.max_unavailability,
                    n,
                    first: e.job_start[s] as u32,
                    allowed: mp.allowed.clone(),
                    pin_core: mp.pin_core,
                    memory: p.memory,
                    load: mp.requirement.wcet.saturating_mul(u64::from(n)),
                    prec_in: Vec::new(),
                    prec_out: Vec::new(),
                    msgs: Vec::new(),
                    gap: h,
                }
            })
            .collect();
        let mut msgs = Vec::with_capacity(mode.messages.len());
        for (ms, mm) in mode.messages.iter().enumerate() {
            let m = &sys.messages[mm.message];
            let Some(sender) = mode.slot(m.from) else {
                continue;
            };
            let receivers: Vec<u32> =
                m.to.iter()
                    .filter_map(|&q| mode.slot(q))
                    .map(|q| q as u32)
                    .collect();
            let n = (e.inst_start[ms + 1] - e.inst_start[ms]) as u32;
            let ms32 = ms as u32;
            progs[sender].msgs.push(ms32);
            if mm.precedence {
                progs[sender].prec_out.push(ms32);
            }
            for &q in &receivers {
                progs[q as usize].msgs.push(ms32);
                if mm.precedence {
                    progs[q as usize].prec_in.push(ms32);
                }
            }
            msgs.push(Msg {
                id: mm.message,
                sender: sender as u32,
                receivers,
                size: m.size,
                timing: mm.timing,
                precedence: mm.precedence,
                n,
                first: e.inst_start[ms] as u32,
            });
        }
        for p in &mut progs {
            p.msgs.sort_unstable();
            p.msgs.dedup();
        }
        let jobs = e
            .jobs
            .iter()
            .map(|j| JobInfo {
                slot: j.slot,
                k: j.index,
                release: j.release,
                deadline: j.deadline,
            })
            .collect();
        let insts = e
            .instances
            .iter()
            .map(|i| InstInfo {
                slot: i.slot,
                k: i.index,
                release: i.release,
                deadline: i.deadline,
            })
            .collect();
        let mut core_base = Vec::with_capacity(sys.modules.len());
        let mut n_cores = 0usize;
        for m in &sys.modules {
            core_base.push(n_cores);
            n_cores += m.cores as usize;
        }
        let topo = topo_order(&progs, &msgs);
        let mut p = Problem {
            sys,
            mode_id,
            mode,
            h,
            progs,
            msgs,
            jobs,
            insts,
            core_base,
            n_cores,
            n_dirs: sys.network.directions(),
            topo,
            max_wcet: 0,
            min_gap: h,
        };
        p.set_gaps();
        p
    }

    /// Sets every program's [`Prog::gap`] from its jobs' windows and its
    /// jitter bound ([`longest_gap`]).
    fn set_gaps(&mut self) {
        let h = self.h;
        for q in &mut self.progs {
            let jobs = &self.jobs[q.first as usize..q.first as usize + q.n as usize];
            let windows: Vec<(Ticks, Ticks)> =
                jobs.iter().map(|j| (j.release, j.deadline)).collect();
            q.gap = longest_gap(&windows, q.wcet, h, q.timing.period().zip(q.jitter));
        }
        self.max_wcet = self.progs.iter().map(|q| q.wcet).max().unwrap_or(0);
        self.min_gap = self.progs.iter().map(|q| q.gap).min().unwrap_or(h);
    }

    /// Tightens the windows of the first and last jobs of the programs in
    /// `ends` (each bound clamped to what the job's window allows).
    pub fn bound_ends(&mut self, ends: &std::collections::BTreeMap<usize, crate::EndBounds>) {
        for q in &self.progs {
            let Some(b) = ends.get(&q.id) else {
                continue;
            };
            if q.n == 0 {
                continue;
            }
            if let Some(by) = b.first_by {
                let j = &mut self.jobs[q.first as usize];
                j.deadline = j.deadline.min(by).max(j.release + q.wcet);
            }
            if let Some(from) = b.last_from {
                let j = &mut self.jobs[(q.first + q.n - 1) as usize];
                j.release = j
                    .release
                    .max(from.saturating_sub(q.wcet))
                    .min(j.deadline - q.wcet);
            }
        }
        self.set_gaps();
    }

    /// Whether program slot `s` can run on one core only (pinned to it).
    pub fn fixed_core(&self, s: u32) -> bool {
        let q = &self.progs[s as usize];
        q.allowed.len() == 1 && (q.pin_core.is_some() || self.sys.modules[q.allowed[0]].cores == 1)
    }

    /// The job index of program slot `s`'s job `k`.
    pub fn job(&self, s: u32, k: u32) -> usize {
        (self.progs[s as usize].first + k) as usize
    }

    /// The instance index of message slot `m`'s instance `k`.
    pub fn inst(&self, m: u32, k: u32) -> usize {
        (self.msgs[m as usize].first + k) as usize
    }

    /// The multicast tree of message slot `m` when its sender sits on
    /// `modules[sender]` and its receivers on theirs.
    pub fn tree(&self, m: u32, module_of: &[ModuleId]) -> Tree {
        let msg = &self.msgs[m as usize];
        let net = &self.sys.network;
        let a = module_of[msg.sender as usize];
        let mut targets: Vec<ModuleId> = msg
            .receivers
            .iter()
            .map(|&q| module_of[q as usize])
            .filter(|&r| r != a)
            .collect();
        targets.sort_unstable();
        targets.dedup();
        let mc = net.multicast(a, &targets);
        let hops: Vec<THop> = mc
            .iter()
            .map(|th| THop {
                dir: th.hop.dir_id(&net.links) as u32,
                tx: self.sys.tx_time(th.hop.link, msg.size),
                lat: net.links[th.hop.link].latency,
                parent: th.parent.map_or(u32::MAX, |p| p as u32),
                into_module: net.nodes[th.hop.to].module,
                from_node: th.hop.from as u32,
                to_node: th.hop.to as u32,
            })
            .collect();
        let mut recv_leaf = Vec::with_capacity(msg.receivers.len());
        let mut recv_path = Vec::with_capacity(msg.receivers.len());
        for &q in &msg.receivers {
            let r = module_of[q as usize];
            if r == a {
                recv_leaf.push(None);
                recv_path.push(0);
                continue;
            }
            let leaf = hops
                .iter()
                .position(|h| h.into_module == Some(r))
                .map(|i| i as u32);
            let mut path: Ticks = 0;
            let mut cur = leaf;
            while let Some(i) = cur {
                let hop = &hops[i as usize];
                path = path.saturating_add(hop.tx).saturating_add(hop.lat);
                cur = (hop.parent != u32::MAX).then_some(hop.parent);
            }
            recv_leaf.push(leaf);
            recv_path.push(if leaf.is_some() { path } else { NONE });
        }
        Tree {
            hops,
            recv_leaf,
            recv_path,
        }
    }
}

/// Kahn's algorithm over the precedence edges sender → receiver, smallest
/// slot first; `None` when the relation has a cycle.
pub(crate) fn topo_order(progs: &[Prog], msgs: &[Msg]) -> Option<Vec<u32>> {
    let n = progs.len();
    let mut indeg = vec![0u32; n];
    let mut succ: Vec<Vec<u32>> = vec![Vec::new(); n];
    for m in msgs.iter().filter(|m| m.precedence) {
        for &q in &m.receivers {
            succ[m.sender as usize].push(q);
            indeg[q as usize] += 1;
        }
    }
    let mut ready: std::collections::BTreeSet<u32> =
        (0..n as u32).filter(|&s| indeg[s as usize] == 0).collect();
    let mut out = Vec::with_capacity(n);
    while let Some(s) = ready.pop_first() {
        out.push(s);
        for &q in &succ[s as usize] {
            indeg[q as usize] -= 1;
            if indeg[q as usize] == 0 {
                ready.insert(q);
            }
        }
    }
    (out.len() == n).then_some(out)
}

/// Greatest common divisor.
pub(crate) fn gcd(a: u64, b: u64) -> u64 {
    num_integer::gcd(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use seamless_model::Window;

    fn prog() -> Prog {
        Prog {
            id: 0,
            wcet: 1,
            timing: Timing::Periodic {
                period: 10,
                window: Window { start: 0, end: 10 },
            },
            jitter: None,
            unavail: None,
            n: 1,
            first: 0,
            allowed: vec![0],
            pin_core: None,
            memory: 1,
            load: 1,
            prec_in: Vec::new(),
            prec_out: Vec::new(),
            msgs: Vec::new(),
            gap: 9,
        }
    }

    fn msg(from: u32, to: &[u32], precedence: bool) -> Msg {
        Msg {
            id: 0,
            sender: from,
            receivers: to.to_vec(),
            size: 1,
            timing: Timing::Once {
                window: Window { start: 0, end: 10 },
            },
            precedence,
            n: 1,
            first: 0,
        }
    }

    #[test]
    fn topological_order_and_cycles() {
        let progs = vec![prog(), prog(), prog()];
        let order = topo_order(&progs, &[msg(2, &[0], true), msg(0, &[1], true)]);
        assert_eq!(order, Some(vec![2, 0, 1]));
        // without precedence, no edge
        assert_eq!(
            topo_order(&progs, &[msg(1, &[0], false)]),
            Some(vec![0, 1, 2])
        );
        assert_eq!(
            topo_order(&progs, &[msg(0, &[1], true), msg(1, &[0], true)]),
            None
        );
    }

    #[test]
    fn strictness_and_bases() {
        let mut p = prog();
        assert!(!p.strict());
        p.jitter = Some(0);
        assert!(!p.strict(), "a single job is not a periodic constraint");
        p.n = 3;
        assert!(p.strict());
        assert_eq!(p.base(2), 20);
        assert_eq!(gcd(10, 15), 5);
    }
}
