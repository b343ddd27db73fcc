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

/// The longest stretch of one core a program's jobs can leave free between
/// two consecutive ones, over the cyclic frame `frame`: no non-preemptive
/// job of another program longer than this can share its core.
///
/// `windows` are its jobs' `(release, deadline)` in frame order, each job
/// `wcet` long. Consecutive jobs `k`, `k + 1` (the last one followed by the
/// first of the next frame) leave at most `d_{k+1} − wcet − (r_k + wcet)`
/// between them; with a jitter bound `J` (`jitter = Some((period, J))`)
/// their starts are at most `period + J` apart, so at most
/// `period + J − wcet`. One job a frame leaves `frame − wcet` (it runs at
/// the same instant every frame); no job leaves the whole core
/// (`Ticks::MAX`).
pub fn longest_gap(
    windows: &[(Ticks, Ticks)],
    wcet: Ticks,
    frame: Ticks,
    jitter: Option<(Ticks, Ticks)>,
) -> Ticks {
    let n = windows.len();
    let by_windows = match n {
        0 => return Ticks::MAX,
        1 => return frame.saturating_sub(wcet),
        _ => (0..n)
            .map(|k| {
                let next_deadline = if k + 1 == n {
                    windows[0].1.saturating_add(frame)
                } else {
                    windows[k + 1].1
                };
                next_deadline
                    .saturating_sub(wcet)
                    .saturating_sub(windows[k].0.saturating_add(wcet))
            })
            .max()
            .unwrap_or(Ticks::MAX),
    };
    match jitter {
        Some((period, j)) => by_windows.min(period.saturating_add(j).saturating_sub(wcet)),
        None => by_windows,
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

#[cfg(test)]
mod gap_tests {
    use super::longest_gap;

    #[test]
    fn the_longest_gap_from_windows_jitter_and_the_frame() {
        // jobs of 1 every 5 in windows [5k, 5k + 5) of a 20 frame: one job
        // early, the next late: 2·5 − 2·1
        let w: Vec<(u64, u64)> = (0..4).map(|k| (5 * k, 5 * k + 5)).collect();
        assert_eq!(longest_gap(&w, 1, 20, None), 8);
        // a jitter bound of 2: starts at most 7 apart
        assert_eq!(longest_gap(&w, 1, 20, Some((5, 2))), 6);
        // strictly periodic: T − c
        assert_eq!(longest_gap(&w, 1, 20, Some((5, 0))), 4);
        // the wrap: windows [1, 3) every 5: from 2 to 5 + 2 (the last job
        // of the frame to the first of the next as well)
        let w: Vec<(u64, u64)> = (0..4).map(|k| (5 * k + 1, 5 * k + 3)).collect();
        assert_eq!(longest_gap(&w, 1, 20, None), 5);
        let w = [(1, 3), (6, 8), (11, 13), (16, 18)];
        assert_eq!(longest_gap(&w[..3], 1, 15, None), 5);
        // one job a frame, none
        assert_eq!(longest_gap(&[(0, 200)], 8, 200, None), 192);
        assert_eq!(longest_gap(&[], 8, 200, None), u64::MAX);
    }
}
