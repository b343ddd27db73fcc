//! The checks of docs/format.md §9, in the order placement, jobs, transmissions.

use crate::violation::{Entry, HopRef, JobRef, Rule, Violation as V};
use crate::{Report, Sink};
use seamless_model::network::{Hop, TreeHop};
use seamless_model::schedule::{JobEntry, Schedule, Transmission};
use seamless_model::units::Tick;
use seamless_model::{Mode, ModuleId, System};
use std::collections::HashMap;

const NONE: usize = usize::MAX;

/// Checks `schedule` against every rule of docs/format.md §9 for the mode it names.
pub fn verify_schedule(system: &System, schedule: &Schedule) -> Report {
    let mut sink = Sink::default();
    let Some(mode_id) = system.mode_by_name(&schedule.mode) else {
        sink.push(V::UnknownMode {
            mode: schedule.mode.clone(),
            known: system.modes.iter().map(|m| m.name.clone()).collect(),
        });
        return sink.finish();
    };
    let mode = &system.modes[mode_id];
    if schedule.tick != system.tick.text
        && Tick::parse(&schedule.tick).map(|t| t.ns) != Ok(system.tick.ns)
    {
        sink.push(V::TickMismatch {
            found: schedule.tick.clone(),
            expected: system.tick.text.clone(),
        });
    }
    if schedule.major_frame != mode.major_frame {
        sink.push(V::MajorFrameMismatch {
            mode: mode.name.clone(),
            found: schedule.major_frame,
            expected: mode.major_frame,
        });
    }
    let mut c = Checker::new(system, mode, schedule, sink);
    c.placement();
    c.jobs();
    c.transmissions();
    c.sink.finish()
}

struct Checker<'a> {
    sys: &'a System,
    mode: &'a Mode,
    sched: &'a Schedule,
    sink: Sink,
    h: u64,
    programs: HashMap<&'a str, usize>,
    modules: HashMap<&'a str, ModuleId>,
    /// First core id of each module (cores numbered densely).
    core_base: Vec<usize>,
    /// Per program slot: the counted placement (module name, core) and the
    /// module id if it exists.
    placed: Vec<Option<(&'a str, u32, Option<ModuleId>)>>,
    /// First job id of each program slot; `job_base[n]` = total.
    job_base: Vec<usize>,
    /// Per expected job: the index of its (first) entry in `sched.jobs`.
    job_entry: Vec<usize>,
}

impl<'a> Checker<'a> {
    fn new(sys: &'a System, mode: &'a Mode, sched: &'a Schedule, sink: Sink) -> Self {
        let programs = sys
            .programs
            .iter()
            .enumerate()
            .map(|(i, p)| (p.name.as_str(), i))
            .collect();
        let modules = sys
            .modules
            .iter()
            .enumerate()
            .map(|(i, m)| (m.name.as_str(), i))
            .collect();
        let mut core_base = Vec::with_capacity(sys.modules.len() + 1);
        let mut n = 0usize;
        for m in &sys.modules {
            core_base.push(n);
            n += m.cores as usize;
        }
        core_base.push(n);
        let h = mode.major_frame;
        let mut job_base = Vec::with_capacity(mode.programs.len() + 1);
        let mut total = 0usize;
        for mp in &mode.programs {
            job_base.push(total);
            total += mp.requirement.timing.count(h) as usize;
        }
        job_base.push(total);
        Checker {
            sys,
            mode,
            sched,
            sink,
            h,
            programs,
            modules,
            core_base,
            placed: vec![None; mode.programs.len()],
            job_base,
            job_entry: vec![NONE; total],
        }
    }

    fn program_name(&self, slot: usize) -> &'a str {
        &self.sys.programs[self.mode.programs[slot].program].name
    }

    /// The mode slot of a program named in an entry, reporting unknown ones.
    fn slot_of(&mut self, entry: Entry, name: &str) -> Option<usize> {
        let Some(&pid) = self.programs.get(name) else {
            self.sink.push(V::UnknownProgram {
                entry,
                program: name.to_string(),
            });
            return None;
        };
        let slot = self.mode.slot(pid);
        if slot.is_none() {
            self.sink.push(V::ProgramNotInMode {
                entry,
                program: name.to_string(),
                mode: self.mode.name.clone(),
            });
        }
        slot
    }

    // ---- placement -------------------------------------------------------

    fn placement(&mut self) {
        let sched = self.sched;
        for pl in &sched.placement {
            let Some(slot) = self.slot_of(Entry::Placement, &pl.program) else {
                continue;
            };
            if self.placed[slot].is_some() {
                self.sink.push(V::DuplicatePlacement {
                    program: pl.program.clone(),
                });
                continue;
            }
            let module = self.modules.get(pl.module.as_str()).copied();
            self.placed[slot] = Some((pl.module.as_str(), pl.core, module));
            let Some(m) = module else {
                self.sink.push(V::UnknownModule {
                    program: pl.program.clone(),
                    module: pl.module.clone(),
                });
                continue;
            };
            let cores = self.sys.modules[m].cores;
            if pl.core >= cores {
                self.sink.push(V::CoreOutOfRange {
                    program: pl.program.clone(),
                    module: pl.module.clone(),
                    core: pl.core,
                    cores,
                });
            }
            let mp = &self.mode.programs[slot];
            if let Some(pin) = mp.pin_module {
                if pin != m || mp.pin_core.is_some_and(|c| c != pl.core) {
                    self.sink.push(V::PinViolated {
                        program: pl.program.clone(),
                        module: pl.module.clone(),
                        core: pl.core,
                        pin_module: self.sys.modules[pin].name.clone(),
                        pin_core: mp.pin_core,
                    });
                }
            } else if !mp.allowed.contains(&m) {
                self.sink.push(V::ModuleNotAllowed {
                    program: pl.program.clone(),
                    module: pl.module.clone(),
                    allowed: mp
                        .allowed
                        .iter()
                        .map(|&a| self.sys.modules[a].name.clone())
                        .collect(),
                });
            }
        }
        let mut used = vec![0u64; self.sys.modules.len()];
        let mut residents: Vec<Vec<usize>> = vec![Vec::new(); self.sys.modules.len()];
        for slot in 0..self.mode.programs.len() {
            match self.placed[slot] {
                None => self.sink.push(V::MissingPlacement {
                    program: self.program_name(slot).to_string(),
                }),
                Some((_, _, Some(m))) => {
                    used[m] = used[m]
                        .saturating_add(self.sys.programs[self.mode.programs[slot].program].memory);
                    residents[m].push(slot);
                }
                Some(_) => {}
            }
        }
        for (m, module) in self.sys.modules.iter().enumerate() {
            if used[m] > module.memory {
                let mut programs: Vec<String> = residents[m]
                    .iter()
                    .map(|&s| self.program_name(s).to_string())
                    .collect();
                programs.sort();
                self.sink.push(V::MemoryExceeded {
                    module: module.name.clone(),
                    used: used[m],
                    capacity: module.memory,
                    programs,
                });
            }
        }
    }

    // ---- jobs ------------------------------------------------------------

    fn job_ref(j: &JobEntry) -> JobRef {
        JobRef {
            program: j.program.clone(),
            index: j.index,
            start: j.start,
            end: j.end,
        }
    }

    /// The counted entry of job `k` of a program slot.
    fn job(&self, slot: usize, k: u64) -> Option<&'a JobEntry> {
        let n = (self.job_base[slot + 1] - self.job_base[slot]) as u64;
        if k >= n {
            return None;
        }
        let e = self.job_entry[self.job_base[slot] + k as usize];
        (e != NONE).then(|| &self.sched.jobs[e])
    }

    fn jobs(&mut self) {
        let sched = self.sched;
        let h = self.h;
        // (core id, start, end, entry) of every job on an existing core
        let mut busy: Vec<(usize, u64, u64, usize)> = Vec::with_capacity(sched.jobs.len());
        for (i, j) in sched.jobs.iter().enumerate() {
            if let Some(&m) = self.modules.get(j.module.as_str())
                && j.core < self.sys.modules[m].cores
                && j.end > j.start
            {
                busy.push((self.core_base[m] + j.core as usize, j.start, j.end, i));
            }
            let Some(slot) = self.slot_of(Entry::Job, &j.program) else {
                continue;
            };
            let n = (self.job_base[slot + 1] - self.job_base[slot]) as u64;
            if j.index >= n {
                self.sink.push(V::JobIndexOutOfRange {
                    job: Self::job_ref(j),
                    jobs: n,
                });
                continue;
            }
            let id = self.job_base[slot] + j.index as usize;
            if self.job_entry[id] != NONE {
                self.sink.push(V::DuplicateJob {
                    job: Self::job_ref(j),
                });
                continue;
            }
            self.job_entry[id] = i;
            if let Some((pm, pc, _)) = self.placed[slot]
                && (pm != j.module || pc != j.core)
            {
                self.sink.push(V::JobNotOnPlacement {
                    job: Self::job_ref(j),
                    module: j.module.clone(),
                    core: j.core,
                    placed_module: pm.to_string(),
                    placed_core: pc,
                });
            }
            let req = &self.mode.programs[slot].requirement;
            if j.end.checked_sub(j.start) != Some(req.wcet) {
                self.sink.push(V::WrongDuration {
                    job: Self::job_ref(j),
                    wcet: req.wcet,
                });
            }
            let w = req.timing.instance_window(j.index);
            if j.start < w.start || j.end > w.end {
                self.sink.push(V::OutsideWindow {
                    job: Self::job_ref(j),
                    window_start: w.start,
                    window_end: w.end,
                });
            }
            if j.end > h || j.start > h {
                self.sink.push(V::OutsideFrame {
                    what: Self::job_ref(j).to_string(),
                    end: j.end,
                    frame: h,
                });
            }
        }
        // missing jobs
        for slot in 0..self.mode.programs.len() {
            for id in self.job_base[slot]..self.job_base[slot + 1] {
                if self.job_entry[id] == NONE {
                    if self.sink.keeps(Rule::MissingJob) {
                        self.sink.push(V::MissingJob {
                            program: self.program_name(slot).to_string(),
                            index: (id - self.job_base[slot]) as u64,
                        });
                    } else {
                        self.sink.count_only(Rule::MissingJob);
                    }
                }
            }
        }
        // overlaps: sort by core then start; each job is checked against the
        // furthest-reaching earlier job on its core
        busy.sort_unstable();
        let mut k = 0;
        while k < busy.len() {
            let core = busy[k].0;
            let (mut reach, mut holder) = (busy[k].2, busy[k].3);
            k += 1;
            while k < busy.len() && busy[k].0 == core {
                let (_, start, end, i) = busy[k];
                if start < reach {
                    if self.sink.keeps(Rule::Overlap) {
                        let m = self.core_module(core);
                        self.sink.push(V::Overlap {
                            module: self.sys.modules[m].name.clone(),
                            core: (core - self.core_base[m]) as u32,
                            first: Self::job_ref(&sched.jobs[holder]),
                            second: Self::job_ref(&sched.jobs[i]),
                        });
                    } else {
                        self.sink.count_only(Rule::Overlap);
                    }
                }
                if end > reach {
                    reach = end;
                    holder = i;
                }
                k += 1;
            }
        }
        self.jitter_and_gaps();
    }

    fn core_module(&self, core: usize) -> ModuleId {
        self.core_base.partition_point(|&b| b <= core) - 1
    }

    fn jitter_and_gaps(&mut self) {
        let h = self.h;
        for slot in 0..self.mode.programs.len() {
            let mp = &self.mode.programs[slot];
            let prog = &self.sys.programs[mp.program];
            let n = (self.job_base[slot + 1] - self.job_base[slot]) as u64;
            let timing = mp.requirement.timing;
            if let Some(jmax) = mp.requirement.max_jitter {
                let mut lo: Option<(u64, i128)> = None;
                let mut hi: Option<(u64, i128)> = None;
                for k in 0..n {
                    let Some(j) = self.job(slot, k) else { continue };
                    let off = i128::from(j.start) - i128::from(timing.instance_base(k));
                    if lo.is_none_or(|x| off < x.1) {
                        lo = Some((k, off));
                    }
                    if hi.is_none_or(|x| off > x.1) {
                        hi = Some((k, off));
                    }
                }
                if let (Some(lo), Some(hi)) = (lo, hi)
                    && hi.1 - lo.1 > i128::from(jmax)
                {
                    self.sink.push(V::Jitter {
                        program: prog.name.clone(),
                        max_jitter: jmax,
                        earliest: lo,
                        latest: hi,
                    });
                }
            }
            if let Some(u) = prog.max_unavailability {
                let mut ends: Vec<(u64, u64)> = (0..n)
                    .filter_map(|k| self.job(slot, k).map(|j| (j.end, k)))
                    .collect();
                if ends.is_empty() {
                    continue;
                }
                ends.sort_unstable();
                for w in ends.windows(2) {
                    let gap = w[1].0 - w[0].0;
                    if gap > u {
                        self.sink.push(V::Unavailability {
                            program: prog.name.clone(),
                            bound: u,
                            gap,
                            from: (w[0].1, w[0].0),
                            to: (w[1].1, w[1].0),
                            wraps: false,
                        });
                    }
                }
                let (first, last) = (ends[0], ends[ends.len() - 1]);
                let gap = (u128::from(h) + u128::from(first.0)).saturating_sub(u128::from(last.0));
                if gap > u128::from(u) {
                    self.sink.push(V::Unavailability {
                        program: prog.name.clone(),
                        bound: u,
                        gap: gap.min(u128::from(u64::MAX)) as u64,
                        from: (last.1, last.0),
                        to: (first.1, first.0),
                        wraps: true,
                    });
                }
            }
        }
    }

    // ---- transmissions ---------------------------------------------------

    fn transmissions(&mut self) {
        let sys = self.sys;
        let net = &sys.network;
        let sched = self.sched;
        let h = self.h;
        let messages: HashMap<&str, usize> = sys
            .messages
            .iter()
            .enumerate()
            .map(|(i, m)| (m.name.as_str(), i))
            .collect();
        let nodes: HashMap<&str, usize> = net
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.name.as_str(), i))
            .collect();
        let mut link_of: HashMap<(usize, usize), usize> =
            HashMap::with_capacity(2 * net.links.len());
        for (i, l) in net.links.iter().enumerate() {
            link_of.insert((l.a, l.b), i);
            link_of.insert((l.b, l.a), i);
        }
        let mut inst_base = Vec::with_capacity(self.mode.messages.len() + 1);
        let mut total = 0usize;
        for mm in &self.mode.messages {
            inst_base.push(total);
            total += mm.timing.count(h) as usize;
        }
        inst_base.push(total);
        let mut tx_entry = vec![NONE; total];
        // resolved direction of each hop entry (None: not a link)
        let mut hop_dir: Vec<Vec<Option<Hop>>> = Vec::with_capacity(sched.transmissions.len());
        // (direction, start, end, transmission, hop)
        let mut busy: Vec<(usize, u64, u64, usize, usize)> = Vec::new();
        for (ti, t) in sched.transmissions.iter().enumerate() {
            let mut dirs = Vec::with_capacity(t.hops.len());
            for (hi, hop) in t.hops.iter().enumerate() {
                let resolved = match (nodes.get(hop.from.as_str()), nodes.get(hop.to.as_str())) {
                    (Some(&a), Some(&b)) => link_of.get(&(a, b)).map(|&link| Hop {
                        link,
                        from: a,
                        to: b,
                    }),
                    _ => None,
                };
                match resolved {
                    Some(d) => {
                        if hop.end > hop.start {
                            busy.push((d.dir_id(&net.links), hop.start, hop.end, ti, hi));
                        }
                    }
                    None => self.sink.push(V::NotALink {
                        hop: hop_ref(t, hi),
                    }),
                }
                if hop.end > h || hop.start > h {
                    self.sink.push(V::OutsideFrame {
                        what: hop_ref(t, hi).to_string(),
                        end: hop.end,
                        frame: h,
                    });
                }
                dirs.push(resolved);
            }
            hop_dir.push(dirs);
            let Some(&mid) = messages.get(t.message.as_str()) else {
                self.sink.push(V::UnknownMessage {
                    message: t.message.clone(),
                });
                continue;
            };
            // every hop on a real link lasts the message's transmission time
            // there (checked even when the route cannot be derived)
            for (hi, d) in hop_dir[ti].iter().enumerate() {
                if let Some(d) = d {
                    let tx_time = sys.tx_time(d.link, sys.messages[mid].size);
                    let hop = &t.hops[hi];
                    if hop.end.checked_sub(hop.start) != Some(tx_time) {
                        self.sink.push(V::HopDuration {
                            hop: hop_ref(t, hi),
                            tx_time,
                        });
                    }
                }
            }
            let Some(ms) = self.mode.message_slot(mid) else {
                self.sink.push(V::MessageNotInMode {
                    message: t.message.clone(),
                    mode: self.mode.name.clone(),
                });
                continue;
            };
            let n = (inst_base[ms + 1] - inst_base[ms]) as u64;
            if t.index >= n {
                self.sink.push(V::InstanceOutOfRange {
                    message: t.message.clone(),
                    index: t.index,
                    instances: n,
                });
                continue;
            }
            let id = inst_base[ms] + t.index as usize;
            if tx_entry[id] != NONE {
                self.sink.push(V::DuplicateTransmission {
                    message: t.message.clone(),
                    index: t.index,
                });
                continue;
            }
            tx_entry[id] = ti;
        }

        for (ms, mm) in self.mode.messages.iter().enumerate() {
            let msg = &sys.messages[mm.message];
            let Some(s_slot) = self.mode.slot(msg.from) else {
                continue;
            };
            let Some((_, _, Some(s_mod))) = self.placed[s_slot] else {
                continue;
            };
            // receivers: (slot, module); skip the message if one is unplaced
            let mut receivers: Vec<(usize, ModuleId)> = Vec::with_capacity(msg.to.len());
            for &r in &msg.to {
                let Some(r_slot) = self.mode.slot(r) else {
                    break;
                };
                let Some((_, _, Some(r_mod))) = self.placed[r_slot] else {
                    break;
                };
                receivers.push((r_slot, r_mod));
            }
            if receivers.len() != msg.to.len() {
                continue;
            }
            let mut targets: Vec<ModuleId> = Vec::new();
            for &(_, m) in &receivers {
                if m != s_mod && !targets.contains(&m) {
                    targets.push(m);
                }
            }
            let tree: Vec<TreeHop> = net.multicast(s_mod, &targets);
            let tree_dirs: Vec<usize> = tree.iter().map(|th| th.hop.dir_id(&net.links)).collect();
            // index of the tree hop into each target module
            let into: Vec<Option<usize>> = targets
                .iter()
                .map(|&m| tree.iter().position(|th| th.hop.to == net.module_node[m]))
                .collect();
            let n = (inst_base[ms + 1] - inst_base[ms]) as u64;
            for k in 0..n {
                let w = mm.timing.instance_window(k);
                let sender_job = if mm.precedence {
                    self.job(s_slot, k)
                } else {
                    None
                };
                if mm.precedence {
                    for &(r_slot, r_mod) in &receivers {
                        if r_mod == s_mod
                            && let (Some(sj), Some(rj)) = (sender_job, self.job(r_slot, k))
                            && sj.end > rj.start
                        {
                            self.sink.push(V::LocalPrecedence {
                                message: msg.name.clone(),
                                index: k,
                                sender: Self::job_ref(sj),
                                receiver: Self::job_ref(rj),
                            });
                        }
                    }
                }
                let e = tx_entry[inst_base[ms] + k as usize];
                if targets.is_empty() {
                    if e != NONE {
                        self.sink.push(V::UnexpectedTransmission {
                            message: msg.name.clone(),
                            index: k,
                        });
                    }
                    continue;
                }
                if e == NONE {
                    if self.sink.keeps(Rule::MissingTransmission) {
                        self.sink.push(V::MissingTransmission {
                            message: msg.name.clone(),
                            index: k,
                            modules: targets
                                .iter()
                                .map(|&m| sys.modules[m].name.clone())
                                .collect(),
                        });
                    } else {
                        self.sink.count_only(Rule::MissingTransmission);
                    }
                    continue;
                }
                let t = &sched.transmissions[e];
                // match hops to the tree's directions
                let mut matched: Vec<usize> = vec![NONE; tree.len()];
                for (hi, d) in hop_dir[e].iter().enumerate() {
                    let Some(d) = d else { continue };
                    let dir = d.dir_id(&net.links);
                    match tree_dirs.iter().position(|&x| x == dir) {
                        None => self.sink.push(V::HopNotInRoute {
                            hop: hop_ref(t, hi),
                        }),
                        Some(ti) if matched[ti] != NONE => self.sink.push(V::DuplicateHop {
                            hop: hop_ref(t, hi),
                        }),
                        Some(ti) => matched[ti] = hi,
                    }
                }
                for (ti, th) in tree.iter().enumerate() {
                    let hi = matched[ti];
                    if hi == NONE {
                        self.sink.push(V::MissingHop {
                            message: msg.name.clone(),
                            index: k,
                            from: net.nodes[th.hop.from].name.clone(),
                            to: net.nodes[th.hop.to].name.clone(),
                        });
                        continue;
                    }
                    let hop = &t.hops[hi];
                    let parent = th.parent.filter(|&p| matched[p] != NONE);
                    match parent {
                        Some(p) => {
                            let ph = &t.hops[matched[p]];
                            let latency = net.links[tree[p].hop.link].latency;
                            if u128::from(hop.start) < u128::from(ph.end) + u128::from(latency) {
                                self.sink.push(V::HopBeforeParent {
                                    hop: hop_ref(t, hi),
                                    parent: hop_ref(t, matched[p]),
                                    latency,
                                });
                            }
                        }
                        None => {
                            // a first hop (or the first one present)
                            if hop.start < w.start {
                                self.sink.push(V::DepartureBeforeWindow {
                                    hop: hop_ref(t, hi),
                                    window_start: w.start,
                                });
                            }
                            if let Some(sj) = sender_job
                                && hop.start < sj.end
                            {
                                self.sink.push(V::DepartureBeforeSender {
                                    hop: hop_ref(t, hi),
                                    sender: Self::job_ref(sj),
                                });
                            }
                        }
                    }
                }
                // arrivals
                let mut arrival_at: Vec<Option<u64>> = vec![None; targets.len()];
                for (x, &m) in targets.iter().enumerate() {
                    let Some(ti) = into[x] else { continue };
                    if matched[ti] == NONE {
                        continue;
                    }
                    let a = t.hops[matched[ti]]
                        .end
                        .saturating_add(net.links[tree[ti].hop.link].latency);
                    arrival_at[x] = Some(a);
                    if a > w.end {
                        self.sink.push(V::ArrivalAfterWindow {
                            message: msg.name.clone(),
                            index: k,
                            module: sys.modules[m].name.clone(),
                            arrival: a,
                            window_end: w.end,
                        });
                    }
                }
                if mm.precedence {
                    for &(r_slot, r_mod) in &receivers {
                        let Some(x) = targets.iter().position(|&m| m == r_mod) else {
                            continue;
                        };
                        if let (Some(a), Some(rj)) = (arrival_at[x], self.job(r_slot, k))
                            && a > rj.start
                        {
                            self.sink.push(V::ArrivalAfterReceiver {
                                message: msg.name.clone(),
                                index: k,
                                arrival: a,
                                receiver: Self::job_ref(rj),
                            });
                        }
                    }
                }
            }
        }

        // link directions never carry two transmissions at once
        busy.sort_unstable();
        let mut k = 0;
        while k < busy.len() {
            let dir = busy[k].0;
            let (mut reach, mut holder) = (busy[k].2, (busy[k].3, busy[k].4));
            k += 1;
            while k < busy.len() && busy[k].0 == dir {
                let (_, start, end, ti, hi) = busy[k];
                if start < reach {
                    if self.sink.keeps(Rule::LinkOverlap) {
                        self.sink.push(V::LinkOverlap {
                            first: hop_ref(&sched.transmissions[holder.0], holder.1),
                            second: hop_ref(&sched.transmissions[ti], hi),
                        });
                    } else {
                        self.sink.count_only(Rule::LinkOverlap);
                    }
                }
                if end > reach {
                    reach = end;
                    holder = (ti, hi);
                }
                k += 1;
            }
        }
    }
}

fn hop_ref(t: &Transmission, hi: usize) -> HopRef {
    let h = &t.hops[hi];
    HopRef {
        message: t.message.clone(),
        index: t.index,
        from: h.from.clone(),
        to: h.to.clone(),
        start: h.start,
        end: h.end,
    }
}
