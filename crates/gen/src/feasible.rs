//! [`feasible`]: a system that is feasible by construction, with a witness.
//!
//! Per mode, programs are taken in increasing period order from a
//! divisibility chain of periods, so each core's busy time is periodic with
//! the current period: one job's free slot in the first period is free in
//! every period. Each program gets one offset (strictly periodic jobs).
//! A program of several modes keeps its module (and its core and offset
//! when free) unless the processor forces a move. Messages are then routed
//! hop by hop on the §3 routes, on free link time. Last, every window,
//! bound, module list, pin and memory size is drawn around that schedule,
//! so the schedule is a valid witness — and so are its mode switches:
//! `max_unavailability` is at least a staying program's gap across a switch
//! (or a moving one's transfer, with margins), and module memory holds the
//! new mode's residents with the programs still moving away. Tight memory
//! stays tight: it is what the witness needs, plus at most 1 MiB.

use crate::desc::{
    MessageDesc, ModeDesc, PinDesc, ProgramDesc, SystemDesc, TICK_NS, TICK_TEXT, TimingDesc, name,
    render,
};
use crate::generate::{memory_profile, periods};
use crate::platform::platform;
use crate::rng::Rng;
use crate::{Feasible, GenParams, Generated};
use seamless_model::network::Network;
use seamless_model::schedule::{HopEntry, JobEntry, Placement, Schedule, Transmission};
use std::collections::BTreeMap;

const MIB: u64 = 1 << 20;
/// The CPU state every migration moves: the default `cpu_state` (generated
/// systems do not set `migration`).
const CPU_STATE: u64 = 16 << 10;

/// The longest divisibility chain from the smallest period.
fn chain(periods: &[u64]) -> Vec<u64> {
    let mut out: Vec<u64> = Vec::new();
    for &t in periods {
        if out.last().is_none_or(|&l| t.is_multiple_of(l)) {
            out.push(t);
        }
    }
    out
}

/// Free time of one core over one period of the current pattern.
struct CoreLine {
    /// Length of the repeating pattern.
    period: u64,
    /// Free gaps `[a, b)` in `[0, period)`, ascending, disjoint, non-adjacent.
    gaps: Vec<(u64, u64)>,
    /// Busy ticks per `frame` (the chain's largest period).
    load: u64,
}

impl CoreLine {
    fn new(period: u64) -> CoreLine {
        CoreLine {
            period,
            gaps: vec![(0, period)],
            load: 0,
        }
    }

    /// Repeats the pattern up to `t`, a multiple of the current period.
    fn lift(&mut self, t: u64) {
        if t <= self.period {
            return;
        }
        let reps = t / self.period;
        let mut gaps: Vec<(u64, u64)> = Vec::with_capacity(self.gaps.len() * reps as usize);
        for r in 0..reps {
            let base = r * self.period;
            for &(a, b) in &self.gaps {
                let (a, b) = (a + base, b + base);
                match gaps.last_mut() {
                    Some(last) if last.1 == a => last.1 = b,
                    _ => gaps.push((a, b)),
                }
            }
        }
        self.gaps = gaps;
        self.period = t;
    }

    /// Takes `[o, o + c)` when it is free.
    fn place_at(&mut self, o: u64, c: u64) -> bool {
        let Some(i) = self.gaps.iter().position(|&(a, b)| a <= o && o + c <= b) else {
            return false;
        };
        self.take(i, o, c);
        true
    }

    /// Takes `[o, o + c)` out of gap `i` (which holds it).
    fn take(&mut self, i: usize, o: u64, c: u64) {
        let (a, b) = self.gaps[i];
        let mut repl: Vec<(u64, u64)> = Vec::with_capacity(2);
        if o > a {
            repl.push((a, o));
        }
        if o + c < b {
            repl.push((o + c, b));
        }
        self.gaps.splice(i..=i, repl);
    }

    /// Takes `[o, o + c)` for some free `o`, chosen from a random fitting gap.
    fn place(&mut self, rng: &mut Rng, c: u64) -> Option<u64> {
        let n = self.gaps.len();
        if n == 0 {
            return None;
        }
        let first = rng.index(n);
        let i = (0..n)
            .map(|k| (first + k) % n)
            .find(|&i| self.gaps[i].1 - self.gaps[i].0 >= c)?;
        let (a, b) = self.gaps[i];
        let o = if rng.chance(25) {
            rng.range(a, b - c)
        } else {
            a
        };
        self.take(i, o, c);
        Some(o)
    }
}

/// Busy time of one link direction.
#[derive(Default)]
struct LinkLine {
    busy: BTreeMap<u64, u64>,
}

impl LinkLine {
    /// The earliest `t ≥ from` with `[t, t + len)` free.
    fn earliest(&self, from: u64, len: u64) -> u64 {
        let mut t = from;
        if let Some((_, &e)) = self.busy.range(..=t).next_back()
            && e > t
        {
            t = e;
        }
        for (&s, &e) in self.busy.range(t..) {
            if s >= t + len {
                break;
            }
            t = t.max(e);
        }
        t
    }
}

/// Where a program runs in one mode and its one offset.
#[derive(Clone, Copy)]
struct Slot {
    module: usize,
    core: u32,
    offset: u64,
}

/// A feasible system for `p` and its witness: one schedule per mode, in the
/// order of the mode files. Deterministic for `p.seed`.
pub fn feasible(p: &GenParams) -> Feasible {
    let mut rng = Rng::new(p.seed ^ 0xFEA5_1B1E);
    let plat = platform(p.modules, p.cores, p.switch_ports);
    let net = plat.network();
    let nm = plat.modules.len();
    let cores = plat.modules[0].cores;
    let chain = chain(&periods(p));
    let frame = *chain.last().expect("a chain is never empty");
    let np = p.programs.max(1);
    let nmodes = p.modes.max(1);
    let share = if nmodes == 1 {
        100
    } else {
        u64::from(p.mode_share_percent.clamp(1, 100))
    };
    let util = u64::from(p.utilisation_percent.clamp(1, 100));
    let capacity = (nm as u64) * u64::from(cores);

    // catalogue: periods, wcets, memory
    let weights: Vec<u64> = (0..np).map(|_| rng.range(500, 1500)).collect();
    let sum_w: u64 = weights.iter().sum();
    let mut programs: Vec<ProgramDesc> = Vec::with_capacity(np);
    for (i, &w) in weights.iter().enumerate() {
        let period = *rng.pick(&chain).expect("chain");
        let demand = u128::from(period) * u128::from(util) * u128::from(capacity) * u128::from(w)
            / (u128::from(share) * u128::from(sum_w));
        let cap = (period * util / 100 * 2 / 3).max(1);
        let wcet = (demand.min(u128::from(u64::MAX)) as u64).clamp(1, cap);
        let (memory, working_set, dirty_per_job) = memory_profile(&mut rng);
        programs.push(ProgramDesc {
            name: name("p", i, np),
            memory,
            working_set,
            dirty_per_job,
            wcet,
            timing: TimingDesc::Periodic {
                period,
                window: None,
                as_frequency: rng.chance(30),
            },
            max_jitter: None,
            modules: None,
            max_unavailability: None,
        });
    }
    let period_of = |pi: usize| programs[pi].timing.period().expect("periodic");

    // per mode: place and lay jobs. A program that ran in an earlier mode
    // keeps its module, and its core and offset when they are free, so
    // that the witness moves only what the processor forces to move and a
    // staying program's gap across a switch stays near one period.
    let mut slots: Vec<Vec<Option<Slot>>> = Vec::with_capacity(nmodes);
    let mut prev: Vec<Option<Slot>> = vec![None; np];
    for _ in 0..nmodes {
        let mut members: Vec<usize> = if nmodes == 1 {
            (0..np).collect()
        } else {
            (0..np).filter(|_| rng.chance(share as u32)).collect()
        };
        if members.is_empty() {
            members.push(rng.index(np));
        }
        rng.shuffle(&mut members);
        members.sort_by_key(|&pi| period_of(pi)); // stable: random within a period
        let mut lines: Vec<CoreLine> = (0..nm * cores as usize)
            .map(|_| CoreLine::new(chain[0]))
            .collect();
        let mut slot = vec![None; np];
        let per = cores as usize;
        for pi in members {
            let t = period_of(pi);
            let c = programs[pi].wcet;
            let extra = c * (frame / t);
            let fits = |line: &CoreLine| (line.load + extra) * 100 <= util * frame;
            let mut order: Vec<usize> = (0..lines.len()).collect();
            rng.shuffle(&mut order);
            let mut taken = None;
            if let Some(was) = prev[pi] {
                // the same core at the same offset, then the same module
                let l = was.module * per + was.core as usize;
                if fits(&lines[l]) {
                    lines[l].lift(t);
                    if lines[l].place_at(was.offset, c) {
                        taken = Some((l, was.offset));
                    }
                }
                order.sort_by_key(|&l| l / per != was.module);
            }
            if taken.is_none() {
                for l in order {
                    let line = &mut lines[l];
                    if !fits(line) {
                        continue;
                    }
                    line.lift(t);
                    if let Some(o) = line.place(&mut rng, c) {
                        taken = Some((l, o));
                        break;
                    }
                }
            }
            if let Some((l, offset)) = taken {
                lines[l].load += extra;
                let s = Slot {
                    module: l / per,
                    core: (l % per) as u32,
                    offset,
                };
                slot[pi] = Some(s);
                prev[pi] = Some(s);
            }
        }
        slots.push(slot);
    }
    let frames: Vec<u64> = slots
        .iter()
        .map(|s| {
            (0..np)
                .filter(|&pi| s[pi].is_some())
                .map(period_of)
                .max()
                .unwrap_or(frame)
        })
        .collect();

    // messages, routed on each mode's links
    let mut links: Vec<Vec<LinkLine>> = (0..nmodes)
        .map(|_| (0..net.directions()).map(|_| LinkLine::default()).collect())
        .collect();
    let mut tx: Vec<Vec<Transmission>> = vec![Vec::new(); nmodes];
    let mut listed: Vec<Vec<usize>> = vec![Vec::new(); nmodes];
    let mut messages: Vec<MessageDesc> = Vec::new();
    for _ in 0..p.messages {
        if np < 2 {
            break;
        }
        let from = rng.index(np);
        let with_sender: Vec<usize> = (0..nmodes).filter(|&j| slots[j][from].is_some()).collect();
        let Some(&j0) = rng.pick(&with_sender) else {
            continue;
        };
        let candidates: Vec<usize> = (0..np)
            .filter(|&x| x != from && slots[j0][x].is_some())
            .collect();
        if candidates.is_empty() {
            continue;
        }
        let k = rng.range(1, 3.min(candidates.len() as u64)) as usize;
        let to: Vec<usize> = rng
            .sample(candidates.len(), k)
            .into_iter()
            .map(|c| candidates[c])
            .collect();
        let modes_ok: Vec<usize> = (0..nmodes)
            .filter(|&j| slots[j][from].is_some() && to.iter().all(|&r| slots[j][r].is_some()))
            .collect();
        let size = rng.range(1, 128) * 64;
        let same = to.iter().all(|&r| period_of(r) == period_of(from));
        let idx = messages.len();
        let msg_name = name("msg", idx, p.messages);
        let route = |prec: bool,
                     links: &mut Vec<Vec<LinkLine>>,
                     tx: &mut Vec<Vec<Transmission>>| {
            let mut ok_modes = Vec::new();
            let mut offsets: Option<(u64, u64)> = None; // min departure, max arrival (relative)
            let job = MessageJob {
                from,
                to: &to,
                size,
                precedence: prec,
                name: &msg_name,
            };
            for &j in &modes_ok {
                let placed = try_route(&net, &programs, &slots[j], frames[j], &job, &mut links[j]);
                if let Some(r) = placed {
                    if let Some((d, a)) = r.span {
                        offsets = Some(match offsets {
                            None => (d, a),
                            Some((d0, a0)) => (d0.min(d), a0.max(a)),
                        });
                    }
                    tx[j].extend(r.transmissions);
                    ok_modes.push(j);
                }
            }
            (ok_modes, offsets)
        };
        let (mut ok_modes, mut span) = if same {
            route(true, &mut links, &mut tx)
        } else {
            (Vec::new(), None)
        };
        let precedence = if !ok_modes.is_empty() {
            None // the default: same period, so precedence holds
        } else {
            (ok_modes, span) = route(false, &mut links, &mut tx);
            if same || rng.chance(50) {
                Some(false)
            } else {
                None
            }
        };
        if ok_modes.is_empty() {
            continue;
        }
        let t = period_of(from);
        let window = match span {
            Some((d, a)) if rng.chance(50) => Some((rng.range(0, d), rng.range(a, t))),
            _ => None,
        };
        for &j in &ok_modes {
            listed[j].push(idx);
        }
        messages.push(MessageDesc {
            name: msg_name,
            from,
            to,
            size,
            period: None,
            window,
            precedence,
        });
    }

    // what the witness's switches ask of each program's bound: a program
    // that stays on its module is unavailable from its last job in the old
    // table to its first in the new one; one that moves, at most its state
    // sent over every hop of its route one after another (no pipelining: a
    // margin for busy links), plus up to a period waiting for room at the
    // switch and a period and a job for its first job in the new table
    let mut need = vec![0u64; np];
    for (a, sa) in slots.iter().enumerate() {
        for (b, sb) in slots.iter().enumerate() {
            if a == b {
                continue;
            }
            for pi in 0..np {
                let (Some(x), Some(y)) = (sa[pi], sb[pi]) else {
                    continue;
                };
                let t = period_of(pi);
                let c = programs[pi].wcet;
                let gap = if x.module == y.module {
                    t - x.offset + y.offset
                } else {
                    let bytes = programs[pi].memory + CPU_STATE;
                    let hops = net.route(x.module, y.module);
                    let send: u64 = hops
                        .iter()
                        .map(|h| net.tx_time(h.link, bytes, TICK_NS))
                        .fold(0, u64::saturating_add);
                    send.saturating_add(net.route_latency(&hops))
                        .saturating_add(2 * t + c)
                };
                need[pi] = need[pi].max(gap);
            }
        }
    }

    // draw every requirement around the witness
    for (pi, prog) in programs.iter_mut().enumerate() {
        let t = prog.timing.period().expect("periodic");
        let placed: Vec<Slot> = slots.iter().filter_map(|s| s[pi]).collect();
        if let (Some(lo), Some(hi)) = (
            placed.iter().map(|s| s.offset).min(),
            placed.iter().map(|s| s.offset + prog.wcet).max(),
        ) && rng.chance(p.window_percent)
        {
            let w = Some((rng.range(0, lo), rng.range(hi, t)));
            if let TimingDesc::Periodic { window, .. } = &mut prog.timing {
                *window = w;
            }
        }
        if rng.chance(p.jitter_percent) {
            prog.max_jitter = Some(if rng.chance(50) {
                0
            } else {
                rng.range(0, t / 10)
            });
        }
        if rng.chance(p.unavailability_percent) {
            prog.max_unavailability = Some((t + rng.range(0, t)).max(need[pi]));
        }
        if nm > 1 && rng.chance(p.restrict_percent) {
            let mut ms: Vec<usize> = placed.iter().map(|s| s.module).collect();
            if rng.chance(50) {
                ms.push(rng.index(nm));
            }
            if ms.is_empty() {
                ms.push(rng.index(nm));
            }
            ms.sort_unstable();
            ms.dedup();
            prog.modules = Some(ms);
        }
    }

    // module memory: the heaviest mode's residents, with a little room
    let mut usage = vec![0u64; nm];
    for s in &slots {
        let mut u = vec![0u64; nm];
        for (pi, x) in s.iter().enumerate() {
            if let Some(x) = x {
                u[x.module] += programs[pi].memory;
            }
        }
        for m in 0..nm {
            usage[m] = usage[m].max(u[m]);
        }
    }
    // and at the witness's switches: a program that moves away still holds
    // its old module while the new mode's residents arrive there (the
    // programs that stop leave at the switch; a staying program's bound
    // keeps the new mode from starting much later)
    for (a, sa) in slots.iter().enumerate() {
        for (b, sb) in slots.iter().enumerate() {
            if a == b {
                continue;
            }
            let mut u = vec![0u64; nm];
            for pi in 0..np {
                if let Some(y) = sb[pi] {
                    u[y.module] += programs[pi].memory;
                }
                if let (Some(x), Some(y)) = (sa[pi], sb[pi])
                    && x.module != y.module
                {
                    u[x.module] += programs[pi].memory;
                }
            }
            for m in 0..nm {
                usage[m] = usage[m].max(u[m]);
            }
        }
    }
    let mut modules = plat.modules.clone();
    for (m, md) in modules.iter_mut().enumerate() {
        md.memory = (usage[m] + rng.range(0, 2) * MIB).max(MIB);
    }
    let largest = modules.iter().map(|m| m.memory).max().unwrap_or(MIB);
    for (pi, prog) in programs.iter_mut().enumerate() {
        let fits = match &prog.modules {
            Some(ms) => ms.iter().any(|&m| modules[m].memory >= prog.memory),
            None => prog.memory <= largest,
        };
        if !fits {
            // never placed (else its module would hold it): shrink it
            debug_assert!(slots.iter().all(|s| s[pi].is_none()));
            prog.modules = None;
            prog.memory = largest;
            prog.working_set = prog.working_set.map(|w| w.min(largest));
            prog.dirty_per_job = prog
                .dirty_per_job
                .map(|d| d.min(prog.working_set.unwrap_or(largest)));
        }
    }

    // modes and witness schedules
    let mut modes = Vec::with_capacity(nmodes);
    let mut schedules = Vec::with_capacity(nmodes);
    for (j, slot) in slots.iter().enumerate() {
        let mode_name = name("mode", j, nmodes);
        let members: Vec<usize> = (0..np).filter(|&pi| slot[pi].is_some()).collect();
        let h = frames[j];
        let mut pins = Vec::new();
        let mut placement = Vec::with_capacity(members.len());
        let mut jobs = Vec::new();
        for &pi in &members {
            let s = slot[pi].expect("member");
            if rng.chance(p.pin_percent) {
                pins.push(PinDesc {
                    program: pi,
                    module: s.module,
                    core: rng.chance(50).then_some(s.core),
                });
            }
            let prog = &programs[pi];
            let module = plat.modules[s.module].name.clone();
            placement.push(Placement {
                program: prog.name.clone(),
                module: module.clone(),
                core: s.core,
            });
            let t = prog.timing.period().expect("periodic");
            for k in 0..h / t {
                let start = k * t + s.offset;
                jobs.push(JobEntry {
                    program: prog.name.clone(),
                    index: k,
                    module: module.clone(),
                    core: s.core,
                    start,
                    end: start + prog.wcet,
                });
            }
        }
        modes.push(ModeDesc {
            name: mode_name.clone(),
            programs: members,
            messages: listed[j].clone(),
            overrides: Vec::new(),
            pins,
            major_frame: None,
        });
        let mut sched = Schedule {
            mode: mode_name,
            tick: TICK_TEXT.to_string(),
            major_frame: h,
            placement,
            jobs,
            transmissions: std::mem::take(&mut tx[j]),
        };
        sched.canonicalize();
        schedules.push(sched);
    }

    let transitions = (nmodes > 1).then(|| {
        (0..nmodes)
            .flat_map(|a| (0..nmodes).filter(move |&b| b != a).map(move |b| (a, b)))
            .collect()
    });
    let desc = SystemDesc {
        name: p.name.clone(),
        modules,
        switches: plat.switches,
        links: plat.links,
        programs,
        messages,
        modes,
        transitions,
    };
    (
        Generated {
            files: render(&desc),
        },
        schedules,
    )
}

/// The transmissions of one message in one mode.
struct Routed {
    transmissions: Vec<Transmission>,
    /// Earliest departure and latest arrival, relative to each instance's period.
    span: Option<(u64, u64)>,
}

/// One message to route in one mode.
struct MessageJob<'a> {
    from: usize,
    to: &'a [usize],
    size: u64,
    precedence: bool,
    name: &'a str,
}

/// Routes every instance of a message in one mode hop by hop on free link
/// time, or none: link time taken by a failed attempt is given back.
fn try_route(
    net: &Network,
    programs: &[ProgramDesc],
    slot: &[Option<Slot>],
    h: u64,
    m: &MessageJob<'_>,
    links: &mut [LinkLine],
) -> Option<Routed> {
    let s = slot[m.from]?;
    let t = programs[m.from].timing.period()?;
    let wcet_s = programs[m.from].wcet;
    let receivers: Vec<Slot> = m.to.iter().map(|&r| slot[r]).collect::<Option<_>>()?;
    let mut targets: Vec<usize> = Vec::new();
    for r in &receivers {
        if r.module != s.module && !targets.contains(&r.module) {
            targets.push(r.module);
        }
    }
    let tree = net.multicast(s.module, &targets);
    // the hop into each remote receiver's module
    let mut into: Vec<Option<usize>> = Vec::with_capacity(receivers.len());
    for r in &receivers {
        if r.module == s.module {
            into.push(None);
        } else {
            let node = net.module_node[r.module];
            into.push(Some(tree.iter().position(|th| th.hop.to == node)?));
        }
    }
    let mut taken: Vec<(usize, u64)> = Vec::new(); // (direction, start) to undo
    let mut out = Vec::new();
    let mut span: Option<(u64, u64)> = None;
    let mut ok = true;
    'inst: for k in 0..h / t {
        let base = k * t;
        let send_end = base + s.offset + wcet_s;
        if m.precedence {
            for r in &receivers {
                if r.module == s.module && send_end > base + r.offset {
                    ok = false;
                    break 'inst;
                }
            }
        }
        if tree.is_empty() {
            continue;
        }
        let mut times: Vec<(u64, u64)> = Vec::with_capacity(tree.len());
        for th in &tree {
            let ready = match th.parent {
                None => send_end,
                Some(pi) => times[pi].1 + net.links[tree[pi].hop.link].latency,
            };
            let len = net.tx_time(th.hop.link, m.size, TICK_NS);
            let d = th.hop.dir_id(&net.links);
            let st = links[d].earliest(ready, len);
            links[d].busy.insert(st, st + len);
            taken.push((d, st));
            times.push((st, st + len));
        }
        let mut latest = 0;
        for (r, hop) in receivers.iter().zip(&into) {
            let Some(i) = *hop else { continue };
            let arrival = times[i].1 + net.links[tree[i].hop.link].latency;
            let deadline = if m.precedence {
                base + r.offset
            } else {
                base + t
            };
            if arrival > deadline {
                ok = false;
                break 'inst;
            }
            latest = latest.max(arrival);
        }
        let dep = times
            .iter()
            .zip(&tree)
            .filter(|(_, th)| th.parent.is_none())
            .map(|(x, _)| x.0)
            .min()
            .unwrap_or(send_end);
        let rel = (dep - base, latest - base);
        span = Some(match span {
            None => rel,
            Some((a, b)) => (a.min(rel.0), b.max(rel.1)),
        });
        out.push(Transmission {
            message: m.name.to_string(),
            index: k,
            hops: tree
                .iter()
                .zip(&times)
                .map(|(th, &(a, b))| HopEntry {
                    from: net.nodes[th.hop.from].name.clone(),
                    to: net.nodes[th.hop.to].name.clone(),
                    start: a,
                    end: b,
                })
                .collect(),
        });
    }
    if !ok {
        for (d, st) in taken {
            links[d].busy.remove(&st);
        }
        return None;
    }
    Some(Routed {
        transmissions: out,
        span,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_keeps_divisors() {
        assert_eq!(
            chain(&[5, 10, 20, 40, 50, 100, 200]),
            vec![5, 10, 20, 40, 200]
        );
        assert_eq!(chain(&[3]), vec![3]);
    }

    #[test]
    fn core_line_lifts_and_places() {
        let mut rng = Rng::new(1);
        let mut l = CoreLine::new(10);
        let o = l.place(&mut rng, 4).expect("fits");
        assert!(o + 4 <= 10);
        l.lift(20);
        let free: u64 = l.gaps.iter().map(|g| g.1 - g.0).sum();
        assert_eq!(free, 12);
        // gaps never overlap the two copies of the first job
        for &(a, b) in &l.gaps {
            for base in [0, 10] {
                assert!(b <= base + o || a >= base + o + 4);
            }
        }
        assert!(l.place(&mut rng, 7).is_none() || l.gaps.iter().all(|g| g.1 <= 20));
    }

    #[test]
    fn link_line_finds_gaps() {
        let mut l = LinkLine::default();
        l.busy.insert(10, 20);
        l.busy.insert(25, 30);
        assert_eq!(l.earliest(0, 5), 0);
        assert_eq!(l.earliest(0, 11), 30);
        assert_eq!(l.earliest(12, 5), 20);
        assert_eq!(l.earliest(12, 6), 30);
        assert_eq!(l.earliest(30, 1), 30);
    }
}
