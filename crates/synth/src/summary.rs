//! Measures of a schedule: utilisation per core and link direction, and the
//! smallest slack, all in integers.

use crate::infeasible::per_mille;
use seamless_model::schedule::Schedule;
use seamless_model::{System, Ticks};
use std::collections::BTreeMap;

/// One core's use over the frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreUse {
    /// Name of the module.
    pub module: String,
    /// Core number on the module (0-based).
    pub core: u32,
    /// Busy ticks per frame.
    pub busy: Ticks,
    /// `busy / frame` in per mille, rounded down.
    pub per_mille: u64,
}

/// One link direction's use over the frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkUse {
    /// Network node the direction leaves.
    pub from: String,
    /// Network node the direction enters.
    pub to: String,
    /// Ticks per frame the direction is busy transmitting.
    pub busy: Ticks,
    /// `busy / frame` in per mille, rounded down.
    pub per_mille: u64,
}

/// The job with the smallest slack (window end − job end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSlack {
    /// Name of the program.
    pub program: String,
    /// Which of the program's jobs in the major frame (0-based).
    pub index: u64,
    /// Window end minus job end, in ticks (negative: the job ends late).
    pub slack: i64,
}

/// The message instance with the smallest slack: its deadline at a
/// receiver's module (window end, and under precedence that receiver's job
/// start) minus its arrival there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageSlack {
    /// Name of the message.
    pub message: String,
    /// Which instance of the message in the major frame (0-based).
    pub index: u64,
    /// The module it arrives at with that slack.
    pub module: String,
    /// Deadline minus arrival, in ticks (negative: it arrives late).
    pub slack: i64,
}

/// Utilisation and slack of one schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Name of the mode.
    pub mode: String,
    /// The mode's major frame, in ticks.
    pub major_frame: Ticks,
    /// Every core of every module, in module then core order.
    pub cores: Vec<CoreUse>,
    /// Every link direction (a→b, then b→a per link, in link order).
    pub links: Vec<LinkUse>,
    /// The job with the least slack, if the schedule has jobs.
    pub min_job_slack: Option<JobSlack>,
    /// The message instance with the least slack, if the schedule transmits
    /// any over the network to a receiver's module.
    pub min_message_slack: Option<MessageSlack>,
}

impl Summary {
    /// `per_mille` as a percentage with one decimal (`"72.5%"`).
    pub fn percent(per_mille: u64) -> String {
        format!("{}.{}%", per_mille / 10, per_mille % 10)
    }
}

/// Measures `schedule` against `system`. Entries naming unknown programs,
/// modules, nodes or a mode that does not exist are left out of the slack
/// (verification is another crate's job); utilisation counts what is there.
pub fn summarize(system: &System, schedule: &Schedule) -> Summary {
    let h = schedule.major_frame;
    let module_ix: BTreeMap<&str, usize> = system
        .modules
        .iter()
        .enumerate()
        .map(|(i, m)| (m.name.as_str(), i))
        .collect();
    let node_ix: BTreeMap<&str, usize> = system
        .network
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.name.as_str(), i))
        .collect();
    let mut core_busy: BTreeMap<(usize, u32), u64> = BTreeMap::new();
    for j in &schedule.jobs {
        if let Some(&m) = module_ix.get(j.module.as_str()) {
            *core_busy.entry((m, j.core)).or_insert(0) += j.end.saturating_sub(j.start);
        }
    }
    let cores = system
        .modules
        .iter()
        .enumerate()
        .flat_map(|(mi, m)| {
            let core_busy = &core_busy;
            (0..m.cores).map(move |c| {
                let busy = core_busy.get(&(mi, c)).copied().unwrap_or(0);
                CoreUse {
                    module: m.name.clone(),
                    core: c,
                    busy,
                    per_mille: per_mille(busy, h),
                }
            })
        })
        .collect();
    let net = &system.network;
    let mut dir_busy = vec![0u64; net.directions()];
    for t in &schedule.transmissions {
        for hop in &t.hops {
            let (Some(&a), Some(&b)) =
                (node_ix.get(hop.from.as_str()), node_ix.get(hop.to.as_str()))
            else {
                continue;
            };
            if let Some(l) = net.link_between(a, b) {
                let d = 2 * l + usize::from(net.links[l].a != a);
                dir_busy[d] += hop.end.saturating_sub(hop.start);
            }
        }
    }
    let links = dir_busy
        .iter()
        .enumerate()
        .map(|(d, &busy)| {
            let hop = net.direction(d);
            LinkUse {
                from: net.nodes[hop.from].name.clone(),
                to: net.nodes[hop.to].name.clone(),
                busy,
                per_mille: per_mille(busy, h),
            }
        })
        .collect();
    let (min_job_slack, min_message_slack) = slack(system, schedule, &module_ix, &node_ix);
    Summary {
        mode: schedule.mode.clone(),
        major_frame: h,
        cores,
        links,
        min_job_slack,
        min_message_slack,
    }
}

fn slack(
    system: &System,
    schedule: &Schedule,
    module_ix: &BTreeMap<&str, usize>,
    node_ix: &BTreeMap<&str, usize>,
) -> (Option<JobSlack>, Option<MessageSlack>) {
    let Some(mode_id) = system.mode_by_name(&schedule.mode) else {
        return (None, None);
    };
    let mode = &system.modes[mode_id];
    let prog_ix: BTreeMap<&str, usize> = system
        .programs
        .iter()
        .enumerate()
        .map(|(i, p)| (p.name.as_str(), i))
        .collect();
    let msg_ix: BTreeMap<&str, usize> = system
        .messages
        .iter()
        .enumerate()
        .map(|(i, m)| (m.name.as_str(), i))
        .collect();
    // job starts and modules by (program, index)
    let mut start: BTreeMap<(usize, u64), u64> = BTreeMap::new();
    let mut best_job: Option<JobSlack> = None;
    for j in &schedule.jobs {
        let Some(&p) = prog_ix.get(j.program.as_str()) else {
            continue;
        };
        let Some(slot) = mode.slot(p) else { continue };
        if j.index >= mode.jobs_of(slot) {
            continue;
        }
        start.insert((p, j.index), j.start);
        let w = mode.programs[slot]
            .requirement
            .timing
            .instance_window(j.index);
        let s = w.end as i64 - j.end as i64;
        if best_job.as_ref().is_none_or(|b| s < b.slack) {
            best_job = Some(JobSlack {
                program: j.program.clone(),
                index: j.index,
                slack: s,
            });
        }
    }
    let mut module_of: BTreeMap<usize, usize> = BTreeMap::new();
    for pl in &schedule.placement {
        if let (Some(&p), Some(&m)) = (
            prog_ix.get(pl.program.as_str()),
            module_ix.get(pl.module.as_str()),
        ) {
            module_of.insert(p, m);
        }
    }
    let net = &system.network;
    let mut best_msg: Option<MessageSlack> = None;
    for t in &schedule.transmissions {
        let Some(&mid) = msg_ix.get(t.message.as_str()) else {
            continue;
        };
        let Some(ms) = mode.message_slot(mid) else {
            continue;
        };
        let mm = &mode.messages[ms];
        let msg = &system.messages[mid];
        if t.index >= mm.timing.count(mode.major_frame) {
            continue;
        }
        let w = mm.timing.instance_window(t.index);
        for hop in &t.hops {
            let (Some(&a), Some(&b)) =
                (node_ix.get(hop.from.as_str()), node_ix.get(hop.to.as_str()))
            else {
                continue;
            };
            let Some(target) = net.nodes[b].module else {
                continue;
            };
            let Some(l) = net.link_between(a, b) else {
                continue;
            };
            let arrival = hop.end.saturating_add(net.links[l].latency);
            let mut deadline = w.end;
            let mut any = false;
            for &q in &msg.to {
                if module_of.get(&q) == Some(&target) {
                    any = true;
                    if mm.precedence
                        && let Some(&s) = start.get(&(q, t.index))
                    {
                        deadline = deadline.min(s);
                    }
                }
            }
            if !any {
                continue;
            }
            let s = deadline as i64 - arrival as i64;
            if best_msg.as_ref().is_none_or(|b| s < b.slack) {
                best_msg = Some(MessageSlack {
                    message: t.message.clone(),
                    index: t.index,
                    module: system.modules[target].name.clone(),
                    slack: s,
                });
            }
        }
    }
    (best_job, best_msg)
}
