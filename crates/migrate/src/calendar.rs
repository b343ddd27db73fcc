//! Link calendars: for every link direction (dense id [`Hop::dir_id`]), the
//! time it is busy, as sorted, disjoint, half-open intervals.
//!
//! A direction's busy time has two parts:
//! - explicit intervals (a table's transmissions over a bounded span, and the
//!   chunks reserved so far), kept sorted and merged (touching intervals are
//!   joined, so back-to-back chunks cost one entry);
//! - optionally a periodic pattern: intervals inside `[0, period]` repeated
//!   every `period` from `origin` on, forever (the new mode's table from
//!   `b_start`).
//!
//! [`Slots::earliest_fit`] finds the earliest start `≥ from` of a free
//! stretch of a given length, by binary search in the explicit list and
//! arithmetic in the pattern; it returns `None` when no stretch will ever fit
//! (the pattern leaves no gap that long).
//!
//! [`Hop::dir_id`]: seamless_model::network::Hop::dir_id

use std::sync::Arc;

/// A half-open interval `[start, end)` in ticks.
pub type Interval = (u64, u64);

/// Busy time that repeats every `period` from `origin` on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Periodic {
    origin: u64,
    period: u64,
    /// Sorted, disjoint, non-empty intervals inside `[0, period]`.
    busy: Arc<[Interval]>,
    /// The longest free stretch between two busy intervals, around the
    /// frame's end included; `u64::MAX` when the pattern is empty.
    max_gap: u64,
}

impl Periodic {
    /// A pattern from relative intervals (any order; empty ones dropped;
    /// overlapping or touching ones merged; clipped to `[0, period]`).
    /// Returns `None` for a zero period.
    pub fn new(origin: u64, period: u64, intervals: &[Interval]) -> Option<Periodic> {
        if period == 0 {
            return None;
        }
        let mut v: Vec<Interval> = intervals
            .iter()
            .map(|&(s, e)| (s.min(period), e.min(period)))
            .filter(|&(s, e)| e > s)
            .collect();
        v.sort_unstable();
        let merged = merge_sorted(v);
        let max_gap = if merged.is_empty() {
            u64::MAX
        } else {
            let mut g = merged[0].0 + (period - merged[merged.len() - 1].1);
            for w in merged.windows(2) {
                g = g.max(w[1].0 - w[0].1);
            }
            g
        };
        Some(Periodic {
            origin,
            period,
            busy: merged.into(),
            max_gap,
        })
    }

    /// The same pattern with another origin (shares the interval list).
    pub fn with_origin(&self, origin: u64) -> Periodic {
        Periodic {
            origin,
            ..self.clone()
        }
    }

    /// The absolute instant, in ticks, at which the first repetition starts.
    pub fn origin(&self) -> u64 {
        self.origin
    }
    /// The length of one repetition, in ticks (never 0).
    pub fn period(&self) -> u64 {
        self.period
    }
    /// The busy intervals of one repetition, relative to its start: sorted,
    /// disjoint, non-empty, inside `[0, period]`.
    pub fn intervals(&self) -> &[Interval] {
        &self.busy
    }

    /// Whether `[t, t+len)` is free of the pattern: `Ok(())`, or `Err(Some(x))`
    /// with the end `x > t` of the first busy interval it overlaps, or
    /// `Err(None)` when nothing at or after `t` can ever fit.
    fn conflict(&self, t: u64, len: u64) -> Result<(), Option<u64>> {
        if self.busy.is_empty() || len == 0 {
            return Ok(());
        }
        let end = t.saturating_add(len);
        let first_abs = self.origin.saturating_add(self.busy[0].0);
        if end <= first_abs {
            return Ok(());
        }
        if len > self.max_gap {
            return Err(None);
        }
        let (mut frame, rel) = if t >= self.origin {
            let d = t - self.origin;
            (d / self.period, d % self.period)
        } else {
            (0, 0)
        };
        let mut i = self.busy.partition_point(|iv| iv.1 <= rel);
        if i == self.busy.len() {
            frame += 1;
            i = 0;
        }
        let base = frame
            .checked_mul(self.period)
            .and_then(|b| b.checked_add(self.origin));
        let Some(base) = base else {
            return Err(None);
        };
        let (s, e) = self.busy[i];
        let (s, e) = (base.saturating_add(s), base.saturating_add(e));
        if s < end {
            Err(Some(e.max(t + 1)))
        } else {
            Ok(())
        }
    }
}

/// One direction's calendar.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirCalendar {
    busy: Vec<Interval>,
    periodic: Option<Periodic>,
}

impl DirCalendar {
    /// The explicit busy intervals, sorted and merged.
    pub fn explicit(&self) -> &[Interval] {
        &self.busy
    }
    /// The repeating busy pattern, if the direction has one (the new mode's
    /// table from `b_start`).
    pub fn periodic(&self) -> Option<&Periodic> {
        self.periodic.as_ref()
    }

    fn earliest_fit(&self, from: u64, len: u64) -> Option<u64> {
        let mut t = from;
        loop {
            let mut moved = false;
            let end = t.checked_add(len)?;
            let i = self.busy.partition_point(|iv| iv.1 <= t);
            if let Some(&(s, e)) = self.busy.get(i)
                && s < end
                && len > 0
            {
                t = e;
                moved = true;
            }
            if let Some(p) = &self.periodic {
                match p.conflict(t, len) {
                    Ok(()) => {}
                    Err(Some(x)) => {
                        t = x;
                        moved = true;
                    }
                    Err(None) => return None,
                }
            }
            if !moved {
                return Some(t);
            }
        }
    }

    fn reserve(&mut self, start: u64, end: u64) {
        if end <= start {
            return;
        }
        // first interval that ends at or after `start` (touching merges)
        let i = self.busy.partition_point(|iv| iv.1 < start);
        // first interval that starts after `end`
        let j = self.busy.partition_point(|iv| iv.0 <= end);
        if i >= j {
            self.busy.insert(i, (start, end));
        } else {
            let s = start.min(self.busy[i].0);
            let e = end.max(self.busy[j - 1].1);
            self.busy.splice(i..j, std::iter::once((s, e)));
        }
    }

    /// The start of the first busy interval at or after `t` (`t` free).
    fn free_until(&self, t: u64) -> u64 {
        let i = self.busy.partition_point(|iv| iv.1 <= t);
        let mut next = self.busy.get(i).map_or(u64::MAX, |iv| iv.0.max(t));
        if let Some(p) = &self.periodic
            && !p.busy.is_empty()
        {
            let (frame, rel) = if t >= p.origin {
                ((t - p.origin) / p.period, (t - p.origin) % p.period)
            } else {
                (0, 0)
            };
            let mut k = p.busy.partition_point(|iv| iv.1 <= rel);
            let mut f = frame;
            if k == p.busy.len() {
                f += 1;
                k = 0;
            }
            if let Some(base) = f
                .checked_mul(p.period)
                .and_then(|b| b.checked_add(p.origin))
            {
                next = next.min(base.saturating_add(p.busy[k].0).max(t));
            }
        }
        next
    }

    fn is_free(&self, start: u64, end: u64) -> bool {
        if end <= start {
            return true;
        }
        let i = self.busy.partition_point(|iv| iv.1 <= start);
        if let Some(&(s, _)) = self.busy.get(i)
            && s < end
        {
            return false;
        }
        match &self.periodic {
            Some(p) => p.conflict(start, end - start).is_ok(),
            None => true,
        }
    }

    /// Every busy interval (explicit and periodic, the latter expanded)
    /// meeting `[from, to)`, merged, sorted.
    fn busy_in(&self, from: u64, to: u64) -> Vec<Interval> {
        let mut v: Vec<Interval> = self
            .busy
            .iter()
            .copied()
            .filter(|&(s, e)| e > from && s < to)
            .collect();
        if let Some(p) = &self.periodic
            && !p.busy.is_empty()
            && to > p.origin
        {
            let mut f = from.saturating_sub(p.origin) / p.period;
            while let Some(base) = f
                .checked_mul(p.period)
                .and_then(|b| b.checked_add(p.origin))
            {
                if base >= to {
                    break;
                }
                for &(s, e) in p.busy.iter() {
                    let (s, e) = (base + s, base + e);
                    if e > from && s < to {
                        v.push((s, e));
                    }
                }
                f += 1;
            }
        }
        v.sort_unstable();
        merge_sorted(v)
    }
}

fn merge_sorted(v: Vec<Interval>) -> Vec<Interval> {
    let mut out: Vec<Interval> = Vec::with_capacity(v.len());
    for (s, e) in v {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// Free-time queries and reservations on link directions.
pub trait Slots {
    /// The earliest `t ≥ from` with `[t, t + len)` free on direction `dir`;
    /// `None` if none will ever be.
    fn earliest_fit(&self, dir: usize, from: u64, len: u64) -> Option<u64>;
    /// Marks `[start, end)` busy on `dir`. The caller has checked it is free.
    fn reserve(&mut self, dir: usize, start: u64, end: u64);
    /// Whether `[start, end)` is free on `dir`.
    fn is_free(&self, dir: usize, start: u64, end: u64) -> bool;
    /// For a free instant `t`: where the free stretch starting there ends
    /// (`u64::MAX` if never); `t` itself if `t` is busy.
    fn free_until(&self, dir: usize, t: u64) -> u64;
}

/// The calendar of every link direction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkCalendar {
    dirs: Vec<DirCalendar>,
}

impl LinkCalendar {
    /// An idle calendar for `directions` link directions.
    pub fn new(directions: usize) -> LinkCalendar {
        LinkCalendar {
            dirs: vec![DirCalendar::default(); directions],
        }
    }

    /// The number of link directions (dense ids `0..directions()`).
    pub fn directions(&self) -> usize {
        self.dirs.len()
    }

    /// The calendar of direction `dir`. Panics if `dir >= self.directions()`.
    pub fn dir(&self, dir: usize) -> &DirCalendar {
        &self.dirs[dir]
    }

    /// Sets (or clears) the periodic part of a direction.
    pub fn set_periodic(&mut self, dir: usize, p: Option<Periodic>) {
        self.dirs[dir].periodic = p.filter(|p| !p.busy.is_empty());
    }

    /// Adds busy intervals (any order; overlapping ones merge).
    pub fn add_busy(&mut self, dir: usize, intervals: impl IntoIterator<Item = Interval>) {
        let d = &mut self.dirs[dir];
        let mut v: Vec<Interval> = intervals.into_iter().filter(|&(s, e)| e > s).collect();
        v.extend_from_slice(&d.busy);
        v.sort_unstable();
        d.busy = merge_sorted(v);
    }

    /// Every busy interval of `dir` meeting `[from, to)`, merged and sorted.
    pub fn busy_in(&self, dir: usize, from: u64, to: u64) -> Vec<Interval> {
        self.dirs[dir].busy_in(from, to)
    }

    /// Adds every explicit reservation of `other` (its periodic parts are
    /// ignored).
    pub fn absorb(&mut self, other: &LinkCalendar) {
        for (d, oc) in other.dirs.iter().enumerate() {
            if d < self.dirs.len() && !oc.busy.is_empty() {
                self.add_busy(d, oc.busy.iter().copied());
            }
        }
    }
}

impl Slots for LinkCalendar {
    fn earliest_fit(&self, dir: usize, from: u64, len: u64) -> Option<u64> {
        self.dirs.get(dir)?.earliest_fit(from, len)
    }
    fn reserve(&mut self, dir: usize, start: u64, end: u64) {
        if let Some(d) = self.dirs.get_mut(dir) {
            d.reserve(start, end);
        }
    }
    fn is_free(&self, dir: usize, start: u64, end: u64) -> bool {
        self.dirs.get(dir).is_none_or(|d| d.is_free(start, end))
    }
    fn free_until(&self, dir: usize, t: u64) -> u64 {
        match self.dirs.get(dir) {
            Some(d) if d.is_free(t, t + 1) => d.free_until(t),
            Some(_) => t,
            None => u64::MAX,
        }
    }
}

/// A calendar over a fixed base: queries see both, reservations go to the
/// top layer only. Lets a planner try a migration without copying the base.
#[derive(Debug, Clone)]
pub struct Layered<'a> {
    /// The calendar queried but never changed.
    pub base: &'a LinkCalendar,
    /// The reservations made through this layer (as many directions as `base`).
    pub top: LinkCalendar,
}

impl<'a> Layered<'a> {
    /// An empty top layer over `base`.
    pub fn new(base: &'a LinkCalendar) -> Layered<'a> {
        Layered {
            base,
            top: LinkCalendar::new(base.directions()),
        }
    }
}

impl Slots for Layered<'_> {
    fn earliest_fit(&self, dir: usize, from: u64, len: u64) -> Option<u64> {
        let mut t = from;
        loop {
            let a = self.base.earliest_fit(dir, t, len)?;
            let b = self.top.earliest_fit(dir, a, len)?;
            if b == a {
                return Some(a);
            }
            t = b;
        }
    }
    fn reserve(&mut self, dir: usize, start: u64, end: u64) {
        self.top.reserve(dir, start, end);
    }
    fn is_free(&self, dir: usize, start: u64, end: u64) -> bool {
        self.base.is_free(dir, start, end) && self.top.is_free(dir, start, end)
    }
    fn free_until(&self, dir: usize, t: u64) -> u64 {
        self.base
            .free_until(dir, t)
            .min(self.top.free_until(dir, t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn explicit_fit_and_merge() {
        let mut c = LinkCalendar::new(2);
        c.add_busy(0, [(10, 20), (30, 40)]);
        assert_eq!(c.earliest_fit(0, 0, 10), Some(0));
        assert_eq!(c.earliest_fit(0, 0, 11), Some(40));
        assert_eq!(c.earliest_fit(0, 15, 10), Some(20));
        assert_eq!(c.earliest_fit(0, 15, 11), Some(40));
        c.reserve(0, 20, 30);
        assert_eq!(c.dir(0).explicit(), &[(10, 40)]);
        c.reserve(0, 40, 45);
        c.reserve(0, 0, 5);
        assert_eq!(c.dir(0).explicit(), &[(0, 5), (10, 45)]);
        assert!(c.is_free(0, 5, 10));
        assert!(!c.is_free(0, 4, 6));
        // direction 1 untouched
        assert_eq!(c.earliest_fit(1, 3, 100), Some(3));
    }

    #[test]
    fn periodic_fit() {
        let mut c = LinkCalendar::new(1);
        // from 100, every 50: busy [0,10) and [20,45)
        c.set_periodic(0, Periodic::new(100, 50, &[(20, 45), (0, 10)]));
        assert_eq!(c.earliest_fit(0, 0, 100), Some(0)); // ends exactly at origin
        assert_eq!(c.earliest_fit(0, 0, 101), None); // after the origin, gaps of 10 at most
        assert_eq!(c.earliest_fit(0, 0, 15), Some(0));
        assert_eq!(c.earliest_fit(0, 85, 15), Some(85)); // ends at the origin
        assert_eq!(c.earliest_fit(0, 86, 15), None); // longest gap: [110,120)
        assert_eq!(c.earliest_fit(0, 95, 10), Some(110)); // [95,105) hits [100,110)
        assert_eq!(c.earliest_fit(0, 101, 5), Some(110));
        assert_eq!(c.earliest_fit(0, 111, 5), Some(111));
        assert_eq!(c.earliest_fit(0, 116, 5), Some(145)); // wrap gap [145,150)
        assert_eq!(c.earliest_fit(0, 116, 6), Some(160));
        assert_eq!(c.earliest_fit(0, 1_000_000, 11), None);
        assert!(!c.is_free(0, 1_000_020, 1_000_021));
        assert!(c.is_free(0, 1_000_010, 1_000_020));
        assert_eq!(
            c.busy_in(0, 90, 160),
            vec![(100, 110), (120, 145), (150, 160)]
        );
    }

    #[test]
    fn layered_sees_both() {
        let mut base = LinkCalendar::new(1);
        base.add_busy(0, [(10, 20)]);
        let mut l = Layered::new(&base);
        l.reserve(0, 20, 30);
        assert_eq!(l.earliest_fit(0, 5, 6), Some(30));
        assert_eq!(l.earliest_fit(0, 0, 10), Some(0));
        assert!(base.is_free(0, 20, 30));
        assert!(!l.is_free(0, 25, 26));
    }

    fn brute_fit(
        busy: &[Interval],
        p: Option<&Periodic>,
        from: u64,
        len: u64,
        horizon: u64,
    ) -> Option<u64> {
        let busy_at = |x: u64| {
            busy.iter().any(|&(s, e)| s <= x && x < e)
                || p.is_some_and(|p| {
                    x >= p.origin && {
                        let r = (x - p.origin) % p.period;
                        p.busy.iter().any(|&(s, e)| s <= r && r < e)
                    }
                })
        };
        (from..horizon).find(|&t| (t..t + len).all(|x| !busy_at(x)))
    }

    proptest! {
        #[test]
        fn fit_matches_brute_force(
            ivs in proptest::collection::vec((0u64..200, 1u64..20), 0..12),
            pat in proptest::collection::vec((0u64..40, 1u64..10), 0..4),
            origin in 0u64..150,
            period in 20u64..60,
            from in 0u64..250,
            len in 1u64..25,
        ) {
            let mut c = LinkCalendar::new(1);
            c.add_busy(0, ivs.iter().map(|&(s, l)| (s, s + l)));
            let p = Periodic::new(origin, period, &pat.iter().map(|&(s, l)| (s, s + l)).collect::<Vec<_>>());
            c.set_periodic(0, p);
            let got = c.earliest_fit(0, from, len);
            let explicit: Vec<Interval> = c.dir(0).explicit().to_vec();
            let want = brute_fit(&explicit, c.dir(0).periodic(), from, len, 2000);
            match got {
                Some(t) if t + len <= 2000 => prop_assert_eq!(Some(t), want),
                Some(_) => prop_assert!(want.is_none()),
                None => prop_assert!(want.is_none()),
            }
            if let Some(t) = got {
                prop_assert!(c.is_free(0, t, t + len));
            }
        }

        #[test]
        fn reservations_never_overlap(reqs in proptest::collection::vec((0u64..500, 1u64..30), 1..40)) {
            let mut c = LinkCalendar::new(1);
            c.add_busy(0, [(100, 150)]);
            let mut placed: Vec<Interval> = vec![(100, 150)];
            for (from, len) in reqs {
                let t = c.earliest_fit(0, from, len).unwrap();
                prop_assert!(t >= from);
                for &(s, e) in &placed {
                    prop_assert!(t + len <= s || e <= t, "[{t},{}) overlaps [{s},{e})", t + len);
                }
                c.reserve(0, t, t + len);
                placed.push((t, t + len));
            }
            let ex = c.dir(0).explicit();
            for w in ex.windows(2) {
                prop_assert!(w[0].1 < w[1].0);
            }
        }
    }
}
