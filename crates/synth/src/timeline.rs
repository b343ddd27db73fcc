//! A resource's timeline: the busy intervals of one core or one link
//! direction, sorted by start, never overlapping (half-open `[start, end)`).
//!
//! Every query is a `BTreeMap` range walk, so a placement costs
//! `O(log n + gaps visited)`, never a scan of the whole frame.

use std::collections::BTreeMap;

/// Busy intervals of one resource, keyed by start: `start -> (end, owner)`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Timeline {
    map: BTreeMap<u64, (u64, u32)>,
    busy: u64,
}

impl Timeline {
    /// The earliest `t ≥ lo` with `[t, t + len)` free and `t + len ≤ hi_end`.
    pub(crate) fn earliest(&self, lo: u64, len: u64, hi_end: u64) -> Option<u64> {
        let mut t = lo;
        if t.checked_add(len)? > hi_end {
            return None;
        }
        if let Some((_, &(e, _))) = self.map.range(..=t).next_back()
            && e > t
        {
            t = e;
        }
        for (&s, &(e, _)) in self.map.range(t..) {
            if t.checked_add(len)? > hi_end {
                return None;
            }
            if s >= t + len {
                return Some(t);
            }
            if e > t {
                t = e;
            }
        }
        (t.checked_add(len)? <= hi_end).then_some(t)
    }

    /// The end of an interval overlapping `[s, e)`, if any (the last one).
    pub(crate) fn conflict(&self, s: u64, e: u64) -> Option<u64> {
        match self.map.range(..e).next_back() {
            Some((_, &(end, _))) if end > s => Some(end),
            _ => None,
        }
    }

    /// The start of the first interval overlapping `[s, e)`, if any.
    pub(crate) fn conflict_start(&self, s: u64, e: u64) -> Option<u64> {
        if let Some((&st, &(end, _))) = self.map.range(..s).next_back()
            && end > s
        {
            return Some(st);
        }
        self.map.range(s..e).next().map(|(&st, _)| st)
    }

    /// The end of the first interval starting at or after `t`.
    pub(crate) fn next_busy_end(&self, t: u64) -> Option<u64> {
        self.map.range(t..).next().map(|(_, &(e, _))| e)
    }

    pub(crate) fn insert(&mut self, s: u64, e: u64, owner: u32) {
        debug_assert!(s < e);
        debug_assert!(self.conflict(s, e).is_none(), "overlap at {s}..{e}");
        self.map.insert(s, (e, owner));
        self.busy += e - s;
    }

    pub(crate) fn remove(&mut self, s: u64) {
        if let Some((e, _)) = self.map.remove(&s) {
            self.busy -= e - s;
        }
    }

    /// Owners of intervals overlapping `[lo, hi)`, in time order.
    pub(crate) fn owners_in(&self, lo: u64, hi: u64) -> Vec<u32> {
        let mut out = Vec::new();
        if let Some((_, &(e, o))) = self.map.range(..lo).next_back()
            && e > lo
        {
            out.push(o);
        }
        for (_, &(_, o)) in self.map.range(lo..hi) {
            out.push(o);
        }
        out
    }

    /// Total busy ticks.
    pub(crate) fn busy(&self) -> u64 {
        self.busy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_and_latest_gaps() {
        let mut t = Timeline::default();
        t.insert(10, 20, 0);
        t.insert(25, 30, 1);
        assert_eq!(t.earliest(0, 10, 100), Some(0));
        assert_eq!(t.earliest(0, 11, 100), Some(30));
        assert_eq!(t.earliest(12, 5, 100), Some(20));
        assert_eq!(t.earliest(12, 6, 100), Some(30));
        assert_eq!(t.earliest(12, 6, 35), None);
        assert_eq!(t.earliest(12, 6, 36), Some(30));
        assert_eq!(t.conflict(20, 25), None);
        assert_eq!(t.conflict(19, 25), Some(20));
        assert_eq!(t.conflict(0, 26), Some(30));
        assert_eq!(t.owners_in(15, 26), vec![0, 1]);
        assert_eq!(t.busy(), 15);
        assert_eq!(t.conflict_start(19, 26), Some(10));
        assert_eq!(t.conflict_start(20, 26), Some(25));
        assert_eq!(t.conflict_start(20, 25), None);
        assert_eq!(t.next_busy_end(11), Some(30));
        t.remove(10);
        assert_eq!(t.busy(), 5);
        assert_eq!(t.earliest(0, 25, 100), Some(0));
    }
}
