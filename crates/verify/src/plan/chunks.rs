//! Chunks: the rules every chunk obeys (size, links, hop times, latency
//! order, nothing before the request, no shared link time with the active
//! table or another chunk), then each migration's scheme (phases, routes,
//! suspension, bytes per phase, rounds, the gather order) and the values
//! its chunks determine (departure, arrival, source free, may run).

use super::check::{Chunk, Ctx};
use super::table::T;
use super::violation::{ChunkHop, ChunkRef, List, PlanViolation as V, Side};
use seamless_model::network::Hop;
use seamless_model::plan::Scheme;
use seamless_model::{ModuleId, ProgramId};
use std::collections::{BTreeMap, HashMap};

/// A phase label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Phase {
    Copy,
    Round(u64),
    Final,
    Cpu,
    Pages,
    Scatter,
    Gather,
}

/// Parses a phase label (`round-N`: N ≥ 1 without leading zeros).
pub(super) fn phase_of(s: &str) -> Option<Phase> {
    Some(match s {
        "copy" => Phase::Copy,
        "final" => Phase::Final,
        "cpu" => Phase::Cpu,
        "pages" => Phase::Pages,
        "scatter" => Phase::Scatter,
        "gather" => Phase::Gather,
        _ => {
            let n = s.strip_prefix("round-")?;
            if n.is_empty() || n.starts_with('0') || !n.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Phase::Round(n.parse().ok()?)
        }
    })
}

fn allowed(scheme: Scheme, ph: Phase) -> bool {
    matches!(
        (scheme, ph),
        (Scheme::StopAndCopy, Phase::Copy)
            | (Scheme::PreCopy, Phase::Round(_) | Phase::Final)
            | (Scheme::PostCopy, Phase::Cpu | Phase::Pages)
            | (Scheme::Hybrid, Phase::Round(_) | Phase::Cpu | Phase::Pages)
            | (Scheme::ScatterGather, Phase::Scatter | Phase::Gather)
    )
}

impl Ctx<'_> {
    pub(super) fn chunk_ref(&self, ci: usize) -> ChunkRef {
        let t = &self.plan.transfers[ci];
        ChunkRef {
            index: ci,
            program: t.program.clone(),
            phase: t.phase.clone(),
            bytes: t.bytes,
        }
    }

    pub(super) fn chunk_hop(&self, ci: usize, hi: usize) -> ChunkHop {
        let h = &self.plan.transfers[ci].hops[hi];
        ChunkHop {
            chunk: self.chunk_ref(ci),
            hop: hi,
            from: h.from.clone(),
            to: h.to.clone(),
            start: h.start,
            end: h.end,
        }
    }

    /// The generic rules of every chunk, and the chunk's resolved times.
    pub(super) fn chunks_generic(&mut self) {
        let sys = self.sys;
        let plan = self.plan;
        let net = &sys.network;
        let nodes: HashMap<&str, usize> = net
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.name.as_str(), i))
            .collect();
        let limit = sys.migration.chunk;
        // (direction, start, end, chunk, hop)
        let mut busy: Vec<(usize, T, T, usize, usize)> = Vec::new();
        let mut out = Vec::with_capacity(plan.transfers.len());
        for (ci, t) in plan.transfers.iter().enumerate() {
            let mut ch = Chunk {
                mig: self.mig_named(List::Transfers, &t.program),
                ..Chunk::default()
            };
            if let Some(mi) = ch.mig {
                self.migs[mi].chunks.push(ci);
            }
            if t.bytes == 0 || t.bytes > limit {
                self.sink.push(V::ChunkSize {
                    chunk: self.chunk_ref(ci),
                    limit,
                });
            }
            let hops: Vec<Option<Hop>> = t
                .hops
                .iter()
                .map(|h| {
                    let a = *nodes.get(h.from.as_str())?;
                    let b = *nodes.get(h.to.as_str())?;
                    let link = net.link_between(a, b)?;
                    Some(Hop {
                        link,
                        from: a,
                        to: b,
                    })
                })
                .collect();
            let mut before_request = false;
            for (hi, (h, resolved)) in t.hops.iter().zip(&hops).enumerate() {
                let (start, end) = (T::from(h.start), T::from(h.end));
                if !before_request && start < self.r {
                    before_request = true;
                    self.sink.push(V::BeforeRequest {
                        hop: self.chunk_hop(ci, hi),
                        request: plan.request,
                    });
                }
                if hi > 0
                    && let Some(prev) = hops[hi - 1]
                {
                    let latency = net.links[prev.link].latency;
                    let ready = T::from(t.hops[hi - 1].end) + T::from(latency);
                    if start < ready {
                        self.sink.push(V::HopBeforePrevious {
                            hop: self.chunk_hop(ci, hi),
                            previous: self.chunk_hop(ci, hi - 1),
                            latency,
                        });
                    }
                }
                let Some(hop) = resolved else {
                    self.sink.push(V::NotALink {
                        chunk: self.chunk_ref(ci),
                        hop: hi,
                        from: h.from.clone(),
                        to: h.to.clone(),
                    });
                    continue;
                };
                let tx = sys.tx_time(hop.link, t.bytes);
                if h.end.checked_sub(h.start) != Some(tx) {
                    self.sink.push(V::HopDuration {
                        hop: self.chunk_hop(ci, hi),
                        tx_time: tx,
                    });
                }
                if end > start {
                    let dir = hop.dir_id(&net.links);
                    busy.push((dir, start, end, ci, hi));
                    self.against_tables(dir, ci, hi, start, end);
                }
            }
            if let (Some(first), Some(last)) = (t.hops.first(), t.hops.last()) {
                ch.dep = Some((T::from(first.start), T::from(first.end)));
                ch.last_start = Some(T::from(last.start));
                let latency = hops
                    .last()
                    .copied()
                    .flatten()
                    .map_or(0, |h| net.links[h.link].latency);
                ch.arr = Some(T::from(last.end) + T::from(latency));
            }
            out.push(ch);
        }
        self.chunks = out;
        // no two chunks on one link direction at once
        busy.sort_unstable();
        let mut i = 0;
        while i < busy.len() {
            let dir = busy[i].0;
            let (mut reach, mut holder) = (busy[i].2, (busy[i].3, busy[i].4));
            i += 1;
            while i < busy.len() && busy[i].0 == dir {
                let (_, start, end, ci, hi) = busy[i];
                if start < reach {
                    if self.sink.keeps(super::PlanRule::ChunkOverlap) {
                        self.sink.push(V::ChunkOverlap {
                            first: self.chunk_hop(holder.0, holder.1),
                            second: self.chunk_hop(ci, hi),
                        });
                    } else {
                        self.sink.count_many(super::PlanRule::ChunkOverlap, 1);
                    }
                }
                if end > reach {
                    reach = end;
                    holder = (ci, hi);
                }
                i += 1;
            }
        }
    }

    /// A chunk hop against A's transmissions (repeated every `H_A` from the
    /// origin, frames before `S`) and B's (every `H_B` from `b_start`, all of
    /// them, whether or not their sender job is skipped).
    fn against_tables(&mut self, dir: usize, ci: usize, hi: usize, start: T, end: T) {
        let found_a = self.ta.busy[dir]
            .overlap(self.ta.h, 0, T::MIN / 4, Some(self.k - 1), start, end)
            .map(|(f, i)| (Side::From, f, self.ta.busy[dir].iv[i], 0));
        let found_b = self.tb.busy[dir]
            .overlap(self.tb.h, self.bs, 0, None, start, end)
            .map(|(f, i)| (Side::To, f, self.tb.busy[dir].iv[i], self.bs));
        for (side, f, iv, origin) in [found_a, found_b].into_iter().flatten() {
            let (mode, h) = match side {
                Side::From => (self.ta.mode, self.ta.h),
                Side::To => (self.tb.mode, self.tb.h),
            };
            let message = mode.messages.get(iv.message).map_or_else(
                || "?".to_string(),
                |mm| self.sys.messages[mm.message].name.clone(),
            );
            let base = origin + f * h;
            self.sink.push(V::OverlapsTable {
                hop: self.chunk_hop(ci, hi),
                side,
                mode: mode.name.clone(),
                message,
                index: iv.index,
                frame: f,
                start: base + iv.start,
                end: base + iv.end,
            });
        }
    }

    /// The §6 route of a leg, as `from→to` strings.
    fn route_names(&self, a: ModuleId, b: ModuleId) -> Vec<String> {
        let net = &self.sys.network;
        net.route(a, b)
            .iter()
            .map(|h| format!("{}→{}", net.nodes[h.from].name, net.nodes[h.to].name))
            .collect()
    }

    pub(super) fn schemes(&mut self) {
        for mi in 0..self.migs.len() {
            self.scheme_of(mi);
        }
    }

    fn sum(&self, chunks: &[usize]) -> u128 {
        chunks
            .iter()
            .map(|&ci| u128::from(self.plan.transfers[ci].bytes))
            .sum()
    }

    fn begin(&self, chunks: &[usize]) -> Option<T> {
        chunks
            .iter()
            .filter_map(|&ci| self.chunks[ci].dep.map(|d| d.0))
            .min()
    }

    fn max_arrival(&self, chunks: &[usize]) -> Option<T> {
        chunks.iter().filter_map(|&ci| self.chunks[ci].arr).max()
    }

    fn not_before(&mut self, chunks: &[usize], susp: T) {
        for &ci in chunks {
            if let Some((dep, _)) = self.chunks[ci].dep
                && dep < susp
            {
                self.sink.push(V::BeforeSuspension {
                    chunk: self.chunk_ref(ci),
                    departure: self.plan.transfers[ci].hops[0].start,
                    suspension: susp,
                });
            }
        }
    }

    fn phase_bytes(
        &mut self,
        pid: ProgramId,
        phase: &str,
        chunks: &[usize],
        expected: u128,
        why: String,
    ) {
        let found = self.sum(chunks);
        if found != expected {
            self.sink.push(V::PhaseBytes {
                program: self.name(pid).to_string(),
                phase: phase.to_string(),
                found,
                expected,
                why,
            });
        }
    }

    fn scheme_of(&mut self, mi: usize) {
        let sys = self.sys;
        let plan = self.plan;
        let (pid, src, dst, via, susp) = {
            let m = &self.migs[mi];
            (m.pid, m.src, m.dst, m.via, m.suspension)
        };
        let Some(scheme) = self.migs[mi].scheme else {
            return;
        };
        let prog = &sys.programs[pid];
        let (mem, ws, dirty) = (
            u128::from(prog.memory),
            u128::from(prog.working_set),
            u128::from(prog.dirty_per_job),
        );
        let cpu = u128::from(sys.migration.cpu_state);
        let direct = self.route_names(src, dst);
        let mut phases: BTreeMap<Phase, Vec<usize>> = BTreeMap::new();
        let chunk_ids = self.migs[mi].chunks.clone();
        for ci in chunk_ids {
            let t = &plan.transfers[ci];
            let ph = match phase_of(&t.phase) {
                Some(ph) if allowed(scheme, ph) => ph,
                _ => {
                    self.sink.push(V::BadPhase {
                        chunk: self.chunk_ref(ci),
                        scheme,
                    });
                    continue;
                }
            };
            phases.entry(ph).or_default().push(ci);
            let expected = match ph {
                Phase::Scatter => via.map(|v| self.route_names(src, v)),
                Phase::Gather => via.map(|v| self.route_names(v, dst)),
                _ => Some(direct.clone()),
            };
            if let Some(expected) = expected {
                let found: Vec<String> = t
                    .hops
                    .iter()
                    .map(|h| format!("{}→{}", h.from, h.to))
                    .collect();
                if found != expected {
                    self.sink.push(V::WrongRoute {
                        chunk: self.chunk_ref(ci),
                        found,
                        expected,
                    });
                }
            }
        }
        let all: Vec<usize> = phases.values().flatten().copied().collect();
        let get = |ph: Phase| phases.get(&ph).cloned().unwrap_or_default();
        let (src_chunks, dst_chunks) = if scheme == Scheme::ScatterGather {
            (get(Phase::Scatter), get(Phase::Gather))
        } else {
            (all.clone(), all.clone())
        };
        {
            let first_departure = self.begin(&src_chunks);
            let source_free = src_chunks
                .iter()
                .filter_map(|&ci| self.chunks[ci].dep.map(|d| d.1))
                .max();
            let last_arrival = self.max_arrival(&dst_chunks);
            let first_in_dst = dst_chunks
                .iter()
                .filter_map(|&ci| self.chunks[ci].last_start)
                .min();
            let bytes = self.sum(&src_chunks);
            let (via_in, via_out) = if scheme == Scheme::ScatterGather {
                (
                    get(Phase::Scatter)
                        .iter()
                        .filter_map(|&ci| self.chunks[ci].last_start)
                        .min(),
                    get(Phase::Gather)
                        .iter()
                        .filter_map(|&ci| self.chunks[ci].dep.map(|d| d.1))
                        .max(),
                )
            } else {
                (None, None)
            };
            let m = &mut self.migs[mi];
            m.first_departure = first_departure;
            m.source_free = source_free;
            m.last_arrival = last_arrival;
            m.first_in_dst = first_in_dst;
            m.bytes = bytes;
            m.via_in = via_in;
            m.via_out = via_out;
        }
        let Some(susp) = susp else {
            return;
        };
        let rounds: BTreeMap<u64, Vec<usize>> = phases
            .iter()
            .filter_map(|(ph, v)| match ph {
                Phase::Round(i) => Some((*i, v.clone())),
                _ => None,
            })
            .collect();
        let mut may_run = None;
        let mut post: Option<(Vec<usize>, u128)> = None; // (post-copy chunks, ws0)
        match scheme {
            Scheme::StopAndCopy => {
                self.not_before(&all, susp);
                self.phase_bytes(
                    pid,
                    "copy",
                    &all,
                    mem + cpu,
                    format!("M + C = {mem} + {cpu}"),
                );
                may_run = self.max_arrival(&all);
            }
            Scheme::PreCopy => {
                let last = self.rounds(mi, &rounds, susp, true);
                let fin = get(Phase::Final);
                if fin.is_empty() {
                    self.sink.push(V::MissingPhase {
                        program: self.name(pid).to_string(),
                        phase: "final".to_string(),
                    });
                }
                self.not_before(&fin, susp);
                if let Some(lb) = last {
                    let n = self.source_jobs_between(self.migs[mi].a_slot, lb, susp);
                    let dirty_n = ws.min(mem).min(dirty.saturating_mul(n));
                    self.phase_bytes(
                        pid,
                        "final",
                        &fin,
                        dirty_n + cpu,
                        format!(
                            "min(W, D·n) + C = min({ws}, {dirty}·{n}) + {cpu}, n = {n} source job(s) ending after the last round began at {lb} and starting before the suspension at {susp}"
                        ),
                    );
                }
                may_run = self.max_arrival(&all);
            }
            Scheme::PostCopy => {
                let (c, p) = (get(Phase::Cpu), get(Phase::Pages));
                self.not_before(&all, susp);
                self.phase_bytes(pid, "cpu", &c, cpu, format!("the CPU state C = {cpu}"));
                self.phase_bytes(pid, "pages", &p, mem, format!("the whole memory M = {mem}"));
                self.cpu_first(pid, &c, &p);
                may_run = self.max_arrival(&c);
                post = Some((all.clone(), ws.min(mem)));
            }
            Scheme::Hybrid => {
                let last = self.rounds(mi, &rounds, susp, false);
                let (c, p) = (get(Phase::Cpu), get(Phase::Pages));
                let mut tail = c.clone();
                tail.extend(&p);
                self.not_before(&tail, susp);
                self.phase_bytes(pid, "cpu", &c, cpu, format!("the CPU state C = {cpu}"));
                self.cpu_first(pid, &c, &p);
                if let Some(lb) = last {
                    let n = self.source_jobs_between(self.migs[mi].a_slot, lb, susp);
                    let dirty_n = dirty.saturating_mul(n);
                    self.phase_bytes(
                        pid,
                        "pages",
                        &p,
                        ws.min(mem).min(dirty_n),
                        format!(
                            "min(W, D·n) = min({ws}, {dirty}·{n}), n = {n} source job(s) ending after the last round began at {lb} and starting before the suspension at {susp}"
                        ),
                    );
                    post = Some((tail, ws.min(dirty_n)));
                    let round_chunks: Vec<usize> = rounds.values().flatten().copied().collect();
                    may_run = match (self.max_arrival(&round_chunks), self.max_arrival(&c)) {
                        (Some(x), Some(y)) => Some(x.max(y)),
                        _ => None,
                    };
                }
            }
            Scheme::ScatterGather => {
                let (sc, ga) = (get(Phase::Scatter), get(Phase::Gather));
                self.not_before(&sc, susp);
                let why = format!("M + C = {mem} + {cpu}, through the intermediary");
                self.phase_bytes(pid, "scatter", &sc, mem + cpu, why.clone());
                self.phase_bytes(pid, "gather", &ga, mem + cpu, why);
                self.gather_order(&sc, &ga);
                may_run = self.max_arrival(&ga);
            }
        }
        let m = &mut self.migs[mi];
        m.may_run = may_run;
        if let Some((chunks, ws0)) = post {
            let mut arr: Vec<(T, u128)> = chunks
                .iter()
                .filter_map(|&ci| {
                    self.chunks[ci]
                        .arr
                        .map(|a| (a, u128::from(plan.transfers[ci].bytes)))
                })
                .collect();
            arr.sort_unstable();
            let mut run = 0u128;
            for x in &mut arr {
                run += x.1;
                x.1 = run;
            }
            m.arrivals = arr;
            m.ws0 = Some(ws0);
        }
    }

    /// Pre-copy and hybrid rounds: numbering, count, order, beginnings
    /// before the suspension, bytes, and (pre-copy) `stop_below`. Returns
    /// the beginning of the last round, when the rounds allow counting.
    fn rounds(
        &mut self,
        mi: usize,
        rounds: &BTreeMap<u64, Vec<usize>>,
        susp: T,
        pre_copy: bool,
    ) -> Option<T> {
        let sys = self.sys;
        let (pid, a_slot) = (self.migs[mi].pid, self.migs[mi].a_slot);
        let name = self.name(pid).to_string();
        let mem = u128::from(sys.programs[pid].memory);
        let ws = u128::from(sys.programs[pid].working_set);
        let dirty = u128::from(sys.programs[pid].dirty_per_job);
        let mp = &sys.migration;
        let Some(&k) = rounds.keys().next_back() else {
            self.sink.push(V::MissingPhase {
                program: name,
                phase: "round-1".to_string(),
            });
            return None;
        };
        if k > u64::from(mp.max_rounds) {
            self.sink.push(V::TooManyRounds {
                program: name.clone(),
                rounds: k,
                max_rounds: mp.max_rounds,
            });
        }
        // missing round numbers, in the gaps between present ones
        let mut prev = 0u64;
        let mut complete = true;
        for &i in rounds.keys() {
            if i > prev + 1 {
                complete = false;
                let missing = i - prev - 1;
                let mut shown = 0u64;
                for j in prev + 1..i {
                    if !self.sink.keeps(super::PlanRule::MissingPhase) {
                        break;
                    }
                    self.sink.push(V::MissingPhase {
                        program: name.clone(),
                        phase: format!("round-{j}"),
                    });
                    shown += 1;
                }
                self.sink
                    .count_many(super::PlanRule::MissingPhase, missing - shown);
            }
            prev = i;
        }
        let begins: BTreeMap<u64, T> = rounds
            .iter()
            .filter_map(|(&i, v)| self.begin(v).map(|b| (i, b)))
            .collect();
        let mut ordered = true;
        for (&i, &b) in &begins {
            if b >= susp {
                self.sink.push(V::RoundAfterSuspension {
                    program: name.clone(),
                    round: i,
                    begin: b,
                    suspension: susp,
                });
            }
            if i > 1
                && let Some(&pb) = begins.get(&(i - 1))
                && b < pb
            {
                ordered = false;
                self.sink.push(V::RoundsOutOfOrder {
                    program: name.clone(),
                    round: i,
                    begin: b,
                    previous_begin: pb,
                });
            }
        }
        for (&i, v) in rounds {
            let phase = format!("round-{i}");
            if i == 1 {
                self.phase_bytes(
                    pid,
                    &phase,
                    v,
                    mem,
                    format!("round 1 sends the whole memory M = {mem}"),
                );
            } else if let (Some(&pb), Some(&b)) = (begins.get(&(i - 1)), begins.get(&i))
                && pb <= b
            {
                let n = self.source_jobs_between(a_slot, pb, b);
                self.phase_bytes(
                    pid,
                    &phase,
                    v,
                    ws.min(mem).min(dirty.saturating_mul(n)),
                    format!(
                        "min(W, D·n) = min({ws}, {dirty}·{n}), n = {n} source job(s) ending after round {} began at {pb} and starting before round {i} began at {b}",
                        i - 1
                    ),
                );
            }
            if pre_copy && i >= 2 {
                let found = self.sum(v);
                if found < u128::from(mp.stop_below) {
                    self.sink.push(V::StopBelow {
                        program: name.clone(),
                        round: i,
                        bytes: found,
                        stop_below: mp.stop_below,
                    });
                }
            }
        }
        if !(complete && ordered) {
            return None;
        }
        begins.get(&k).copied()
    }

    /// Post-copy and hybrid: every page chunk leaves after every CPU chunk.
    fn cpu_first(&mut self, pid: ProgramId, cpu: &[usize], pages: &[usize]) {
        let last_cpu = cpu
            .iter()
            .filter_map(|&ci| self.chunks[ci].dep.map(|d| (d.0, ci)))
            .max();
        let first_page = pages
            .iter()
            .filter_map(|&ci| self.chunks[ci].dep.map(|d| (d.0, ci)))
            .min();
        if let (Some((c, cc)), Some((p, pc))) = (last_cpu, first_page)
            && p < c
        {
            self.sink.push(V::CpuNotFirst {
                program: self.name(pid).to_string(),
                cpu: self.chunk_ref(cc),
                cpu_departure: self.plan.transfers[cc].hops[0].start,
                pages: self.chunk_ref(pc),
                pages_departure: self.plan.transfers[pc].hops[0].start,
            });
        }
    }

    /// Scatter-gather: taking the gather chunks in order of departure from
    /// the intermediary, the bytes gathered so far (this chunk included)
    /// never exceed the scatter bytes arrived there by that departure.
    fn gather_order(&mut self, scatter: &[usize], gather: &[usize]) {
        let mut arrived: Vec<(T, u128)> = scatter
            .iter()
            .filter_map(|&ci| {
                self.chunks[ci]
                    .arr
                    .map(|a| (a, u128::from(self.plan.transfers[ci].bytes)))
            })
            .collect();
        arrived.sort_unstable();
        let mut leaving: Vec<(T, usize)> = gather
            .iter()
            .filter_map(|&ci| self.chunks[ci].dep.map(|d| (d.0, ci)))
            .collect();
        leaving.sort_unstable();
        let (mut sent, mut got, mut j) = (0u128, 0u128, 0usize);
        for (dep, ci) in leaving {
            sent += u128::from(self.plan.transfers[ci].bytes);
            while j < arrived.len() && arrived[j].0 <= dep {
                got += arrived[j].1;
                j += 1;
            }
            if sent > got {
                self.sink.push(V::GatherTooEarly {
                    chunk: self.chunk_ref(ci),
                    departure: self.plan.transfers[ci].hops[0].start,
                    needed: sent,
                    arrived: got,
                });
            }
        }
    }
}
