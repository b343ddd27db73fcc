//! A mode's table as the plan joins it: the schedule's choices read
//! leniently (first entry wins; unknown or out-of-range entries ignored,
//! since the schedule verifier reports them), indexed for the plan checks,
//! and the arithmetic of a table repeated every major frame.

use seamless_model::network::Hop;
use seamless_model::schedule::Schedule;
use seamless_model::{Mode, ModuleId, System};
use std::collections::{BTreeMap, HashMap};

/// Times inside the plan checker: signed (a suspension may precede the
/// origin) and wide (no overflow from any u64 input).
pub(crate) type T = i128;

/// `floor(a / b)` for `b > 0`.
pub(crate) fn fdiv(a: T, b: T) -> T {
    a.div_euclid(b)
}

/// `ceil(a / b)` for `b > 0`.
pub(crate) fn cdiv(a: T, b: T) -> T {
    -((-a).div_euclid(b))
}

/// One busy interval of a link direction in one frame of a table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BusyIv {
    pub start: T,
    pub end: T,
    /// Mode message slot (`usize::MAX` if unknown) and instance index.
    pub message: usize,
    pub index: u64,
}

/// The busy intervals of one link direction in one frame, sorted by start,
/// with the running maximum of their ends (and where it was reached).
#[derive(Debug, Clone, Default)]
pub(crate) struct Busy {
    pub iv: Vec<BusyIv>,
    pref: Vec<(T, usize)>,
}

impl Busy {
    fn finish(&mut self) {
        self.iv.sort_by_key(|b| (b.start, b.end));
        self.pref.clear();
        let mut best: Option<(T, usize)> = None;
        for (i, b) in self.iv.iter().enumerate() {
            if best.is_none_or(|(e, _)| b.end > e) {
                best = Some((b.end, i));
            }
            self.pref.push(best.unwrap_or((b.end, i)));
        }
    }

    /// An interval of this frame pattern, repeated at `origin + f·h` for
    /// frames `f_lo ..= f_hi` (`None`: unbounded), that overlaps `[a, b)`:
    /// `(frame, index into iv)`. Intervals lie inside `[0, h]`.
    pub fn overlap(
        &self,
        h: T,
        origin: T,
        f_lo: T,
        f_hi: Option<T>,
        a: T,
        b: T,
    ) -> Option<(T, usize)> {
        if self.iv.is_empty() || b <= a {
            return None;
        }
        let lo = fdiv(a - origin, h).max(f_lo);
        let mut hi = fdiv(b - origin - 1, h);
        if let Some(fh) = f_hi {
            hi = hi.min(fh);
        }
        if lo > hi {
            return None;
        }
        if hi - lo >= 2 {
            // frame lo + 1 lies wholly inside [a, b)
            return Some((lo + 1, 0));
        }
        for f in lo..=hi {
            let base = origin + f * h;
            let (la, lb) = (a - base, b - base);
            let idx = self.iv.partition_point(|x| x.start < lb);
            if idx > 0 {
                let (e, i) = self.pref[idx - 1];
                if e > la {
                    return Some((f, i));
                }
            }
        }
        None
    }
}

/// A job of the table (one frame).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TJob {
    pub start: T,
    pub end: T,
}

/// A mode's table as read from its schedule.
pub(crate) struct Table<'a> {
    pub mode: &'a Mode,
    pub h: T,
    /// Per mode program slot: (module, core).
    pub place: Vec<Option<(ModuleId, u32)>>,
    /// Per mode program slot, per job index in the frame.
    pub jobs: Vec<Vec<Option<TJob>>>,
    /// Per link direction.
    pub busy: Vec<Busy>,
    /// Per mode message slot, per instance: the departure of its first hop
    /// (the earliest hop leaving the sender's module).
    pub departure: Vec<Vec<Option<T>>>,
    /// Per (module, core): the jobs on it, `(slot, k)`.
    pub by_core: BTreeMap<(ModuleId, u32), Vec<(usize, u64)>>,
}

impl<'a> Table<'a> {
    pub fn new(sys: &'a System, mode: &'a Mode, sched: &Schedule) -> Table<'a> {
        let net = &sys.network;
        let h = T::from(mode.major_frame);
        let n_slots = mode.programs.len();
        let mut place: Vec<Option<(ModuleId, u32)>> = vec![None; n_slots];
        let modules: HashMap<&str, ModuleId> = sys
            .modules
            .iter()
            .enumerate()
            .map(|(i, m)| (m.name.as_str(), i))
            .collect();
        for pl in &sched.placement {
            let Some(slot) = sys.program_by_name(&pl.program).and_then(|p| mode.slot(p)) else {
                continue;
            };
            if place[slot].is_some() {
                continue;
            }
            if let Some(&m) = modules.get(pl.module.as_str()) {
                place[slot] = Some((m, pl.core));
            }
        }
        let mut jobs: Vec<Vec<Option<TJob>>> = (0..n_slots)
            .map(|s| vec![None; mode.jobs_of(s) as usize])
            .collect();
        for j in &sched.jobs {
            let Some(slot) = sys.program_by_name(&j.program).and_then(|p| mode.slot(p)) else {
                continue;
            };
            let Ok(k) = usize::try_from(j.index) else {
                continue;
            };
            if let Some(e) = jobs[slot].get_mut(k)
                && e.is_none()
            {
                *e = Some(TJob {
                    start: T::from(j.start),
                    end: T::from(j.end),
                });
            }
        }
        let mut by_core: BTreeMap<(ModuleId, u32), Vec<(usize, u64)>> = BTreeMap::new();
        for (slot, js) in jobs.iter().enumerate() {
            let Some(p) = place[slot] else { continue };
            for (k, j) in js.iter().enumerate() {
                if j.is_some() {
                    by_core.entry(p).or_default().push((slot, k as u64));
                }
            }
        }
        let nodes: HashMap<&str, usize> = net
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.name.as_str(), i))
            .collect();
        let mut busy: Vec<Busy> = vec![Busy::default(); net.directions()];
        let mut departure: Vec<Vec<Option<T>>> = mode
            .messages
            .iter()
            .map(|mm| vec![None; mm.timing.count(mode.major_frame) as usize])
            .collect();
        for t in &sched.transmissions {
            let ms = sys
                .message_by_name(&t.message)
                .and_then(|m| mode.message_slot(m));
            let sender_node = ms.and_then(|s| {
                let msg = &sys.messages[mode.messages[s].message];
                let slot = mode.slot(msg.from)?;
                place[slot].map(|(m, _)| net.module_node[m])
            });
            let mut first: Option<T> = None;
            for hop in &t.hops {
                let (Some(&a), Some(&b)) =
                    (nodes.get(hop.from.as_str()), nodes.get(hop.to.as_str()))
                else {
                    continue;
                };
                let Some(link) = net.link_between(a, b) else {
                    continue;
                };
                let dir = Hop {
                    link,
                    from: a,
                    to: b,
                }
                .dir_id(&net.links);
                if hop.end > hop.start {
                    busy[dir].iv.push(BusyIv {
                        start: T::from(hop.start),
                        end: T::from(hop.end),
                        message: ms.unwrap_or(usize::MAX),
                        index: t.index,
                    });
                }
                if sender_node.is_none_or(|s| s == a) {
                    let st = T::from(hop.start);
                    first = Some(first.map_or(st, |x: T| x.min(st)));
                }
            }
            if let Some(ms) = ms
                && let Ok(k) = usize::try_from(t.index)
                && let Some(d) = departure[ms].get_mut(k)
                && d.is_none()
            {
                *d = first;
            }
        }
        for b in &mut busy {
            b.finish();
        }
        Table {
            mode,
            h,
            place,
            jobs,
            busy,
            departure,
            by_core,
        }
    }

    /// The jobs of a program slot that the schedule gives, `(k, job)`.
    pub fn present(&self, slot: usize) -> impl Iterator<Item = (u64, TJob)> + '_ {
        self.jobs[slot]
            .iter()
            .enumerate()
            .filter_map(|(k, j)| j.map(|j| (k as u64, j)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn busy(ivs: &[(T, T)]) -> Busy {
        let mut b = Busy {
            iv: ivs
                .iter()
                .map(|&(s, e)| BusyIv {
                    start: s,
                    end: e,
                    message: 0,
                    index: 0,
                })
                .collect(),
            pref: Vec::new(),
        };
        b.finish();
        b
    }

    #[test]
    fn floor_and_ceil() {
        assert_eq!(fdiv(-1, 10), -1);
        assert_eq!(fdiv(10, 10), 1);
        assert_eq!(cdiv(-1, 10), 0);
        assert_eq!(cdiv(11, 10), 2);
        assert_eq!(cdiv(10, 10), 1);
    }

    #[test]
    fn periodic_overlap() {
        let b = busy(&[(10, 20), (50, 60)]);
        // frame 0 at origin 100: [110,120) and [150,160)
        assert_eq!(b.overlap(100, 100, 0, None, 119, 121), Some((0, 0)));
        assert_eq!(b.overlap(100, 100, 0, None, 120, 150), None);
        assert_eq!(b.overlap(100, 100, 0, None, 159, 160), Some((0, 1)));
        // before the origin nothing runs
        assert_eq!(b.overlap(100, 100, 0, None, 0, 100), None);
        // frame 3: [410, 420)
        assert_eq!(b.overlap(100, 100, 0, None, 405, 415), Some((3, 0)));
        // bounded frames
        assert_eq!(b.overlap(100, 0, 0, Some(2), 305, 315), None);
        assert_eq!(b.overlap(100, 0, 0, Some(2), 205, 215), Some((2, 0)));
        // a long query covers a whole frame
        assert_eq!(b.overlap(100, 0, 0, None, 61, 400), Some((1, 0)));
        // nested intervals: the long one is found through the running max
        let n = busy(&[(0, 90), (10, 20)]);
        assert_eq!(n.overlap(100, 0, 0, Some(0), 50, 55), Some((0, 0)));
    }
}
