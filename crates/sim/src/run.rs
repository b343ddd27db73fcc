//! The simulation proper: one dispatcher per module on one clock, then the
//! network forwarding what the modules sent.

use std::collections::{BTreeMap, BTreeSet};

use seamless_model::System;
use seamless_model::plan::Plan;
use seamless_model::schedule::{HopEntry, Schedule};
use seamless_runtime::{Dispatcher, Event, NewError};
use seamless_tables::Tables;

use crate::{
    ChunkRun, JobRun, MAX_CORES, MessageRun, Mismatch, ModuleSwitch, Side, SimError, SkippedJob,
    Trace, TraceEvent, What,
};

/// A message hop a module sent.
struct SentSlot {
    side: Side,
    message: String,
    frame: u64,
    instance: u64,
    dir: usize,
    start: u64,
    end: u64,
}

/// A chunk leg a module sent.
struct SentChunk {
    module: usize,
    program: String,
    dir: usize,
    start: u64,
    end: u64,
    bytes: u64,
}

/// Name lookups on the network.
pub(crate) struct Net<'s> {
    pub system: &'s System,
    pub node_of: BTreeMap<&'s str, usize>,
}

impl<'s> Net<'s> {
    pub fn new(system: &'s System) -> Self {
        let node_of = system
            .network
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.name.as_str(), i))
            .collect();
        Net { system, node_of }
    }
    pub fn name(&self, node: usize) -> &'s str {
        self.system
            .network
            .nodes
            .get(node)
            .map_or("?", |n| n.name.as_str())
    }
    pub fn dir_name(&self, dir: usize) -> String {
        if dir >= self.system.network.directions() {
            return format!("link#{dir}");
        }
        let h = self.system.network.direction(dir);
        format!("{}→{}", self.name(h.from), self.name(h.to))
    }
    /// The link joining two named nodes.
    pub fn link(&self, from: &str, to: &str) -> Option<usize> {
        let (x, y) = (*self.node_of.get(from)?, *self.node_of.get(to)?);
        self.system.network.link_between(x, y)
    }
    pub fn latency(&self, from: &str, to: &str) -> u64 {
        self.link(from, to)
            .map_or(0, |l| self.system.network.links[l].latency)
    }
    pub fn tx(&self, from: &str, to: &str, bytes: u64) -> u64 {
        self.link(from, to)
            .map_or(0, |l| self.system.tx_time(l, bytes))
    }
    pub fn is_module(&self, name: &str) -> bool {
        self.node_of
            .get(name)
            .is_some_and(|&n| self.system.network.nodes[n].module.is_some())
    }
}

fn input(s: impl Into<String>) -> SimError {
    SimError::Input(s.into())
}

pub(crate) fn run(
    system: &System,
    tables: &[(String, Vec<u8>)],
    a: &Schedule,
    b: &Schedule,
    plan: &Plan,
) -> Result<(Trace, Vec<Mismatch>), SimError> {
    let from = system
        .mode_by_name(&plan.from)
        .ok_or_else(|| input(format!("unknown mode `{}`", plan.from)))?;
    let to = system
        .mode_by_name(&plan.to)
        .ok_or_else(|| input(format!("unknown mode `{}`", plan.to)))?;
    let (from_id, to_id) = match (u16::try_from(from), u16::try_from(to)) {
        (Ok(x), Ok(y)) => (x, y),
        _ => return Err(input("mode id beyond the table format's range")),
    };
    if a.major_frame == 0 || b.major_frame == 0 {
        return Err(input("a schedule with a zero major frame"));
    }
    let net = Net::new(system);
    let mut parsed: Vec<(usize, Tables<'_>)> = Vec::with_capacity(tables.len());
    for (name, bytes) in tables {
        let module = system
            .module_by_name(name)
            .ok_or_else(|| input(format!("a table for unknown module `{name}`")))?;
        let t =
            Tables::parse(bytes).map_err(|e| input(format!("table of module `{name}`: {e:?}")))?;
        parsed.push((module, t));
    }
    let mut disps: Vec<Dispatcher<'_, MAX_CORES>> = Vec::with_capacity(parsed.len());
    for (module, t) in &parsed {
        let name = &system.modules[*module].name;
        let d = Dispatcher::new(*t, from_id).map_err(|e| match e {
            NewError::TooManyCores {
                table: cores,
                capacity,
            } => input(format!(
                "module `{name}` has {cores} cores, the simulation at most {capacity}"
            )),
            other => input(format!("module `{name}`: {other:?}")),
        })?;
        disps.push(d);
    }

    let mut mismatches = Vec::new();
    let mut events: Vec<TraceEvent> = Vec::new();
    let mut jobs = Vec::new();
    let mut skipped = Vec::new();
    let mut slots: Vec<SentSlot> = Vec::new();
    let mut sent: Vec<SentChunk> = Vec::new();
    let mut switches: Vec<ModuleSwitch> = parsed
        .iter()
        .map(|(m, _)| ModuleSwitch {
            module: system.modules[*m].name.clone(),
            switch: None,
            b_start: None,
            complete: None,
        })
        .collect();
    let hb = b.major_frame;
    let mut horizon = plan.complete.saturating_add(hb);
    let mut requested = false;
    let mut t: u64 = 0;
    loop {
        if !requested && t == plan.request {
            requested = true;
            for (i, d) in disps.iter_mut().enumerate() {
                let module = &switches[i].module;
                events.push(TraceEvent {
                    at: t,
                    node: module.clone(),
                    what: What::Request {
                        to: plan.to.clone(),
                    },
                });
                match d.request_switch(to_id, t) {
                    Ok(seamless_runtime::SwitchOutcome::Planned(p)) => {
                        horizon = horizon.max(p.complete.saturating_add(hb));
                    }
                    Ok(other) => mismatches.push(Mismatch::Runtime {
                        module: module.clone(),
                        detail: format!("unexpected answer to the request: {other:?}"),
                    }),
                    Err(e) => mismatches.push(Mismatch::Runtime {
                        module: module.clone(),
                        detail: format!("request refused: {e:?}"),
                    }),
                }
            }
        }
        for (i, d) in disps.iter_mut().enumerate() {
            let (module, tb) = (parsed[i].0, &parsed[i].1);
            let mname = system.modules[module].name.as_str();
            let mut evs: Vec<Event> = Vec::new();
            let dispatch = d
                .tick_with(t, |e| evs.push(e))
                .map_err(|e| input(format!("module `{mname}`: {e:?}")))?;
            let side = match dispatch.mode {
                Some(m) if m == from_id => Some(Side::Old),
                Some(m) if m == to_id => Some(Side::New),
                _ => None,
            };
            let pname = |p: u16| tb.program_name(p).unwrap_or("?").to_string();
            for e in evs {
                let what = match e {
                    Event::JobEnd { core, program, job } => What::JobEnd {
                        core,
                        program: pname(program),
                        job,
                    },
                    Event::JobStart {
                        core,
                        program,
                        job,
                        end,
                    } => {
                        match side {
                            Some(side) => jobs.push(JobRun {
                                side,
                                module: mname.to_string(),
                                core,
                                program: pname(program),
                                index: job,
                                start: t,
                                end,
                            }),
                            None => mismatches.push(Mismatch::Runtime {
                                module: mname.to_string(),
                                detail: format!("a job started at {t} outside both tables"),
                            }),
                        }
                        What::JobStart {
                            core,
                            program: pname(program),
                            job,
                            end,
                        }
                    }
                    Event::JobSkipped { core, program, job } => {
                        skipped.push(SkippedJob {
                            module: mname.to_string(),
                            core,
                            program: pname(program),
                            index: job,
                            at: t,
                        });
                        What::JobSkipped {
                            core,
                            program: pname(program),
                            job,
                        }
                    }
                    Event::SlotStart {
                        link,
                        message,
                        frame,
                        instance,
                        end,
                    } => {
                        let mname_s = tb.message_name(message).unwrap_or("?").to_string();
                        match side {
                            Some(side) => slots.push(SentSlot {
                                side,
                                message: mname_s.clone(),
                                frame,
                                instance: u64::from(instance),
                                dir: usize::from(link),
                                start: t,
                                end,
                            }),
                            None => mismatches.push(Mismatch::Runtime {
                                module: mname.to_string(),
                                detail: format!("a slot started at {t} outside both tables"),
                            }),
                        }
                        What::SlotStart {
                            link: net.dir_name(usize::from(link)),
                            message: mname_s,
                            frame,
                            instance,
                            end,
                        }
                    }
                    Event::SlotEnd {
                        link,
                        message,
                        frame,
                        instance,
                    } => What::SlotEnd {
                        link: net.dir_name(usize::from(link)),
                        message: tb.message_name(message).unwrap_or("?").to_string(),
                        frame,
                        instance,
                    },
                    Event::TransitionBegin {
                        switch_point,
                        b_start,
                        ..
                    } => What::TransitionBegin {
                        switch: switch_point,
                        b_start,
                    },
                    Event::SwitchPoint { .. } => {
                        switches[i].switch.get_or_insert(t);
                        What::SwitchPoint
                    }
                    Event::Stop { program } => What::Stop {
                        program: pname(program),
                    },
                    Event::Suspend { program } => What::Suspend {
                        program: pname(program),
                    },
                    Event::SendChunk {
                        program,
                        link,
                        bytes,
                        end,
                    } => {
                        sent.push(SentChunk {
                            module,
                            program: pname(program),
                            dir: usize::from(link),
                            start: t,
                            end,
                            bytes,
                        });
                        What::SendChunk {
                            program: pname(program),
                            link: net.dir_name(usize::from(link)),
                            bytes,
                            end,
                        }
                    }
                    Event::Resume { program } => What::Resume {
                        program: pname(program),
                    },
                    Event::ModeStart { mode } => {
                        switches[i].b_start.get_or_insert(t);
                        What::ModeStart {
                            mode: system
                                .modes
                                .get(usize::from(mode))
                                .map_or("?".into(), |m| m.name.clone()),
                        }
                    }
                    Event::TransitionComplete { .. } => {
                        switches[i].complete.get_or_insert(t);
                        What::TransitionComplete
                    }
                };
                events.push(TraceEvent {
                    at: t,
                    node: mname.to_string(),
                    what,
                });
            }
        }
        let mut next = disps
            .iter()
            .filter_map(|d| d.next_boundary(t))
            .min()
            .unwrap_or(u64::MAX);
        if !requested && plan.request > t {
            next = next.min(plan.request);
        }
        if next > horizon || next <= t {
            break;
        }
        t = next;
    }

    // The network: messages.
    let mut messages = forward_messages(&net, system, a, b, plan, &switches, slots, &mut events);
    messages.sort_by(|x, y| {
        (x.side, &x.message, x.frame, x.instance).cmp(&(y.side, &y.message, y.frame, y.instance))
    });
    // Chunks are matched with the plan moved to the runtime's switch point
    // (see `derive::compare`).
    let shifted = match switches.first().and_then(|m| m.switch) {
        Some(s0)
            if s0 < plan.switch
                && switches.iter().all(|m| m.switch == Some(s0))
                && (plan.switch - s0).is_multiple_of(a.major_frame) =>
        {
            crate::shift_plan(plan, plan.switch - s0)
        }
        _ => plan.clone(),
    };
    let chunks = forward_chunks(&net, b, &shifted, sent, &mut events);
    mismatches.extend(link_overlaps(&messages, &chunks));
    events.sort_by_key(|e| e.at);
    Ok((
        Trace {
            from: plan.from.clone(),
            to: plan.to.clone(),
            tick: system.tick.text.clone(),
            tick_ns: system.tick.ns,
            request: plan.request,
            horizon,
            events,
            jobs,
            skipped,
            messages,
            chunks,
            modules: switches,
        },
        mismatches,
    ))
}

fn hop(net: &Net<'_>, dir: usize, start: u64, end: u64) -> HopEntry {
    let (from, to) = if dir < net.system.network.directions() {
        let h = net.system.network.direction(dir);
        (net.name(h.from).to_string(), net.name(h.to).to_string())
    } else {
        ("?".into(), "?".into())
    };
    HopEntry {
        from,
        to,
        start,
        end,
    }
}

#[allow(clippy::too_many_arguments)]
fn forward_messages(
    net: &Net<'_>,
    system: &System,
    a: &Schedule,
    b: &Schedule,
    plan: &Plan,
    switches: &[ModuleSwitch],
    slots: Vec<SentSlot>,
    events: &mut Vec<TraceEvent>,
) -> Vec<MessageRun> {
    let b_start = switches
        .iter()
        .find_map(|m| m.b_start)
        .unwrap_or(plan.b_start);
    let mut groups: BTreeMap<(Side, String, u64, u64), Vec<HopEntry>> = BTreeMap::new();
    for s in slots {
        let h = hop(net, s.dir, s.start, s.end);
        groups
            .entry((s.side, s.message, s.frame, s.instance))
            .or_default()
            .push(h);
    }
    let mut out = Vec::new();
    for ((side, message, frame, instance), mut hops) in groups {
        let (sched, origin) = match side {
            Side::Old => (a, 0u64),
            Side::New => (b, b_start),
        };
        let base = origin.saturating_add(frame.saturating_mul(sched.major_frame));
        let size = system
            .message_by_name(&message)
            .map_or(0, |m| system.messages[m].size);
        if let Some(tr) = sched
            .transmissions
            .iter()
            .find(|t| t.message == message && t.index == instance)
        {
            // Switch hops, parents first: repeat until nothing more forwards.
            let mut pending: Vec<&HopEntry> =
                tr.hops.iter().filter(|h| !net.is_module(&h.from)).collect();
            loop {
                let mut progressed = false;
                pending.retain(|ph| {
                    let Some(parent) = hops.iter().find(|x| x.to == ph.from).cloned() else {
                        return true;
                    };
                    let earliest = parent.end + net.latency(&parent.from, &parent.to);
                    let start = earliest.max(base.saturating_add(ph.start));
                    let end = start + net.tx(&ph.from, &ph.to, size);
                    events.push(TraceEvent {
                        at: start,
                        node: ph.from.clone(),
                        what: What::ForwardMessage {
                            message: message.clone(),
                            link: format!("{}→{}", ph.from, ph.to),
                            end,
                        },
                    });
                    hops.push(HopEntry {
                        from: ph.from.clone(),
                        to: ph.to.clone(),
                        start,
                        end,
                    });
                    progressed = true;
                    false
                });
                if !progressed || pending.is_empty() {
                    break;
                }
            }
        }
        hops.sort_by(|x, y| (x.start, &x.from, &x.to).cmp(&(y.start, &y.from, &y.to)));
        out.push(MessageRun {
            side,
            message,
            frame,
            instance,
            hops,
        });
    }
    out
}

fn forward_chunks(
    net: &Net<'_>,
    b: &Schedule,
    plan: &Plan,
    sent: Vec<SentChunk>,
    events: &mut Vec<TraceEvent>,
) -> Vec<ChunkRun> {
    let system = net.system;
    let mut used: BTreeSet<usize> = BTreeSet::new();
    let mut out = Vec::new();
    for s in sent {
        let sender = system.modules[s.module].name.clone();
        let mig = plan.migrations.iter().find(|m| m.program == s.program);
        let dest = b
            .placement
            .iter()
            .find(|p| p.program == s.program)
            .map(|p| p.module.clone())
            .or_else(|| mig.map(|m| m.to.module.clone()))
            .unwrap_or_default();
        // Addressing: a scatter-gather source sends to the intermediary.
        let target = match mig {
            Some(m) if m.from.module == sender && m.via.is_some() => {
                m.via.clone().unwrap_or_default()
            }
            _ => dest,
        };
        let first = hop(net, s.dir, s.start, s.end);
        let planned = plan.transfers.iter().enumerate().find(|(i, t)| {
            !used.contains(i)
                && t.program == s.program
                && t.bytes == s.bytes
                && t.hops.first() == Some(&first)
        });
        let (phase, planned_hops) = match planned {
            Some((i, t)) => {
                used.insert(i);
                (Some(t.phase.clone()), t.hops.as_slice())
            }
            None => (None, &[][..]),
        };
        let route = match system.module_by_name(&target) {
            Some(tm) => system.network.route(s.module, tm),
            None => Vec::new(),
        };
        let mut hops = vec![first.clone()];
        let mut arrival = None;
        let route_ok = route
            .first()
            .is_some_and(|h| h.dir_id(&system.network.links) == s.dir);
        if route_ok {
            for (i, rh) in route.iter().enumerate().skip(1) {
                let Some(prev) = hops.last().cloned() else {
                    break;
                };
                let (from, to) = (net.name(rh.from).to_string(), net.name(rh.to).to_string());
                let earliest = prev.end + net.latency(&prev.from, &prev.to);
                let scheduled = planned_hops
                    .get(i)
                    .filter(|p| p.from == from && p.to == to)
                    .map_or(earliest, |p| p.start);
                let start = earliest.max(scheduled);
                let end = start + system.tx_time(rh.link, s.bytes);
                events.push(TraceEvent {
                    at: start,
                    node: from.clone(),
                    what: What::ForwardChunk {
                        program: s.program.clone(),
                        link: format!("{from}→{to}"),
                        bytes: s.bytes,
                        end,
                    },
                });
                hops.push(HopEntry {
                    from,
                    to,
                    start,
                    end,
                });
            }
            if let Some(last) = hops.last() {
                let at = last.end + net.latency(&last.from, &last.to);
                arrival = Some(at);
                events.push(TraceEvent {
                    at,
                    node: target.clone(),
                    what: What::ChunkArrived {
                        program: s.program.clone(),
                        bytes: s.bytes,
                    },
                });
            }
        }
        out.push(ChunkRun {
            program: s.program,
            sender,
            target,
            bytes: s.bytes,
            phase,
            hops,
            arrival,
        });
    }
    out
}

/// A link direction busy over `[start, end)` with what.
type Busy = (u64, u64, String);

/// Overlapping transmissions on one link direction in the network.
fn link_overlaps(messages: &[MessageRun], chunks: &[ChunkRun]) -> Vec<Mismatch> {
    let mut busy: BTreeMap<(String, String), Vec<Busy>> = BTreeMap::new();
    for m in messages {
        for h in &m.hops {
            busy.entry((h.from.clone(), h.to.clone()))
                .or_default()
                .push((
                    h.start,
                    h.end,
                    format!(
                        "{} message `{}` frame {} instance {}",
                        m.side, m.message, m.frame, m.instance
                    ),
                ));
        }
    }
    for c in chunks {
        for h in &c.hops {
            busy.entry((h.from.clone(), h.to.clone()))
                .or_default()
                .push((
                    h.start,
                    h.end,
                    format!("a chunk of `{}` ({} B)", c.program, c.bytes),
                ));
        }
    }
    let mut out = Vec::new();
    for ((from, to), mut list) in busy {
        list.sort();
        for w in list.windows(2) {
            if w[0].1 > w[1].0 {
                out.push(Mismatch::LinkOverlap {
                    link: format!("{from}→{to}"),
                    first: w[0].2.clone(),
                    second: w[1].2.clone(),
                    at: w[1].0,
                });
            }
        }
    }
    out
}
