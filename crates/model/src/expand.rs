//! Expansion of a mode over its major frame (§5): every job and every message
//! instance with its absolute window.

use crate::system::{Mode, Ticks};

/// One job of a program in the major frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    /// Mode-local program index (into [`Mode::programs`]).
    pub slot: u32,
    /// `k`, counted from 0 within the frame.
    pub index: u32,
    /// Earliest start.
    pub release: Ticks,
    /// Latest end.
    pub deadline: Ticks,
}

/// One instance of a message in the major frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instance {
    /// Mode-local message index (into [`Mode::messages`]).
    pub slot: u32,
    /// `k`, counted from 0 within the frame.
    pub index: u32,
    /// Earliest departure of the first hop.
    pub release: Ticks,
    /// Latest arrival at every receiver's module.
    pub deadline: Ticks,
}

/// All jobs and instances of one mode, grouped by program and by message in
/// mode order, each group in index order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expansion {
    /// Every job, grouped by program slot.
    pub jobs: Vec<Job>,
    /// `jobs[job_start[s]..job_start[s + 1]]` are program slot `s`'s jobs.
    pub job_start: Vec<usize>,
    /// Every message instance, grouped by message slot.
    pub instances: Vec<Instance>,
    /// `instances[inst_start[s]..inst_start[s + 1]]` are message slot `s`'s.
    pub inst_start: Vec<usize>,
}

impl Expansion {
    /// The jobs of program slot `s`.
    pub fn jobs_of(&self, s: usize) -> &[Job] {
        &self.jobs[self.job_start[s]..self.job_start[s + 1]]
    }
    /// The instances of message slot `s`.
    pub fn instances_of(&self, s: usize) -> &[Instance] {
        &self.instances[self.inst_start[s]..self.inst_start[s + 1]]
    }
}

/// Expands a validated mode. Memory and time are linear in the number of jobs
/// and instances (which validation bounds).
pub fn expand(mode: &Mode) -> Expansion {
    let h = mode.major_frame;
    let mut e = Expansion {
        jobs: Vec::with_capacity(mode.job_count as usize),
        job_start: Vec::with_capacity(mode.programs.len() + 1),
        instances: Vec::with_capacity(mode.instance_count as usize),
        inst_start: Vec::with_capacity(mode.messages.len() + 1),
    };
    for (s, p) in mode.programs.iter().enumerate() {
        e.job_start.push(e.jobs.len());
        let t = p.requirement.timing;
        for k in 0..t.count(h) {
            let w = t.instance_window(k);
            e.jobs.push(Job {
                slot: s as u32,
                index: k as u32,
                release: w.start,
                deadline: w.end,
            });
        }
    }
    e.job_start.push(e.jobs.len());
    for (s, m) in mode.messages.iter().enumerate() {
        e.inst_start.push(e.instances.len());
        let t = m.timing;
        for k in 0..t.count(h) {
            let w = t.instance_window(k);
            e.instances.push(Instance {
                slot: s as u32,
                index: k as u32,
                release: w.start,
                deadline: w.end,
            });
        }
    }
    e.inst_start.push(e.instances.len());
    e
}
