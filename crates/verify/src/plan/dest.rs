//! Destination jobs: which B jobs of a migrated program are skipped, which
//! run longer (post-copy, hybrid) and by how much; the `skipped` and
//! `extended` lists against them; the rules an extended job still obeys.

use super::PlanRule;
use super::check::{Ctx, Ext};
use super::table::{T, cdiv, fdiv};
use super::violation::{List, PlanViolation as V};
use seamless_model::plan::Scheme;
use std::collections::{BTreeMap, BTreeSet};

/// The most destination jobs examined for page faults per migration.
pub(super) const JOB_LIMIT: u128 = 100_000;

impl Ctx<'_> {
    /// Per migration: the skipped frames of each B job, the resume instant,
    /// and (post-copy, hybrid) the extended jobs.
    pub(super) fn destination(&mut self) {
        let sys = self.sys;
        let (hb, bs) = (self.tb.h, self.bs);
        for mi in 0..self.migs.len() {
            let Some(may_run) = self.migs[mi].may_run else {
                continue;
            };
            let b_slot = self.migs[mi].b_slot;
            let mut f_skip = vec![None; self.tb.jobs[b_slot].len()];
            let mut resume: Option<T> = None;
            for (k, j) in self.tb.present(b_slot) {
                let f = cdiv(may_run - bs - j.start, hb).max(0);
                f_skip[k as usize] = Some(f);
                let start = bs + f * hb + j.start;
                resume = Some(resume.map_or(start, |r| r.min(start)));
            }
            let m = &mut self.migs[mi];
            m.f_skip = f_skip;
            m.resume = resume;
            match m.scheme {
                Some(Scheme::PostCopy | Scheme::Hybrid) => {}
                Some(_) => {
                    m.ext_ok = true;
                    continue;
                }
                None => continue,
            }
            let Some(ws0) = m.ws0 else { continue };
            if ws0 == 0 {
                m.ext_ok = true;
                continue;
            }
            // after the last arrival x(t) no longer changes; if the working
            // set is then still missing the bytes are wrong (reported).
            let Some(&(horizon, _)) = m.arrivals.last() else {
                continue;
            };
            let mut count: u128 = 0;
            for (k, j) in self.tb.present(b_slot) {
                let Some(fs) = m.f_skip[k as usize] else {
                    continue;
                };
                let last = fdiv(horizon - bs - j.start, hb);
                count = count.saturating_add((last - fs + 1).max(0) as u128);
            }
            if count > JOB_LIMIT {
                self.sink.push(V::HorizonTooFar {
                    program: sys.programs[m.pid].name.clone(),
                    what: "page faults",
                    jobs: count,
                    limit: JOB_LIMIT,
                });
                continue;
            }
            let net = &sys.network;
            let route = net.route(m.src, m.dst);
            let page = u128::from(sys.migration.page_size).max(1);
            let latency: u128 = route
                .iter()
                .map(|h| u128::from(net.links[h.link].latency))
                .sum();
            let fault_cost: u128 = 2 * latency
                + route
                    .iter()
                    .map(|h| u128::from(sys.tx_time(h.link, sys.migration.page_size)))
                    .sum::<u128>()
                + u128::from(sys.migration.fault_handling);
            let cpu = u128::from(sys.migration.cpu_state);
            let n = self.tb.jobs[b_slot].len() as u64;
            let mut extras = BTreeMap::new();
            for (k, j) in self.tb.present(b_slot) {
                let Some(fs) = m.f_skip[k as usize] else {
                    continue;
                };
                let last = fdiv(horizon - bs - j.start, hb);
                let mut f = fs;
                while f <= last {
                    let t = bs + f * hb + j.start;
                    let i = m.arrivals.partition_point(|a| a.0 <= t);
                    let arrived = if i == 0 { 0 } else { m.arrivals[i - 1].1 };
                    let x = ws0 - ws0.min(arrived.saturating_sub(cpu));
                    let extra = x.div_ceil(page).saturating_mul(fault_cost);
                    if extra > 0 {
                        extras.insert(
                            (f as u64).saturating_mul(n).saturating_add(k),
                            Ext {
                                f,
                                k,
                                start: t,
                                end: t
                                    + (j.end - j.start)
                                    + T::try_from(extra).unwrap_or(T::MAX >> 8),
                                extra,
                            },
                        );
                    }
                    f += 1;
                }
            }
            m.extras = extras;
            m.ext_ok = true;
        }
    }

    /// The `skipped` list against the recomputed skipped jobs.
    pub(super) fn claimed_skips(&mut self) {
        let plan = self.plan;
        let (hb, bs) = (self.tb.h, self.bs);
        let mut claimed: BTreeSet<(usize, u64)> = BTreeSet::new();
        let mut matched = vec![0u128; self.migs.len()];
        for e in &plan.skipped {
            let Some(mi) = self.mig_named(List::Skipped, &e.program) else {
                continue;
            };
            if !claimed.insert((mi, e.index)) {
                self.sink.push(V::DuplicateEntry {
                    list: List::Skipped,
                    program: e.program.clone(),
                    index: Some(e.index),
                });
                continue;
            }
            let m = &self.migs[mi];
            let Some(may_run) = m.may_run else { continue };
            let n = m.f_skip.len() as u64;
            if n == 0 {
                continue;
            }
            let (f, k) = (e.index / n, e.index % n);
            let (Some(fs), Some(j)) = (m.f_skip[k as usize], self.tb.jobs[m.b_slot][k as usize])
            else {
                continue;
            };
            if T::from(f) < fs {
                matched[mi] += 1;
            } else {
                self.sink.push(V::WrongSkip {
                    program: e.program.clone(),
                    index: e.index,
                    start: bs + T::from(f) * hb + j.start,
                    may_run,
                });
            }
        }
        for (mi, &matched) in matched.iter().enumerate() {
            let m = &self.migs[mi];
            let Some(may_run) = m.may_run else { continue };
            let total: u128 = m.f_skip.iter().flatten().map(|&f| f as u128).sum();
            let missing = total - matched.min(total);
            if missing == 0 {
                continue;
            }
            let n = m.f_skip.len() as u64;
            let mut ks: Vec<(T, u64, T)> = self
                .tb
                .present(m.b_slot)
                .filter_map(|(k, j)| m.f_skip[k as usize].map(|fs| (j.start, k, fs)))
                .collect();
            ks.sort_unstable();
            let max_f = ks.iter().map(|x| x.2).max().unwrap_or(0);
            let name = self.sys.programs[m.pid].name.clone();
            let b_slot = m.b_slot;
            let mut shown: u128 = 0;
            let mut f: T = 0;
            'frames: while f < max_f {
                for &(_, k, fs) in &ks {
                    if f >= fs {
                        continue;
                    }
                    let idx = (f as u64).saturating_mul(n).saturating_add(k);
                    if claimed.contains(&(mi, idx)) {
                        continue;
                    }
                    if !self.sink.keeps(PlanRule::MissingSkip) || shown == missing {
                        break 'frames;
                    }
                    let Some(j) = self.tb.jobs[b_slot][k as usize] else {
                        continue;
                    };
                    self.sink.push(V::MissingSkip {
                        program: name.clone(),
                        index: idx,
                        start: bs + f * hb + j.start,
                        may_run,
                    });
                    shown += 1;
                }
                f += 1;
            }
            self.sink.count_many(
                PlanRule::MissingSkip,
                u64::try_from(missing - shown).unwrap_or(u64::MAX),
            );
        }
    }

    /// The `extended` list against the recomputed extended jobs.
    pub(super) fn claimed_extended(&mut self) {
        let plan = self.plan;
        let mut claimed: BTreeSet<(usize, u64)> = BTreeSet::new();
        for e in &plan.extended {
            let Some(mi) = self.mig_named(List::Extended, &e.program) else {
                continue;
            };
            if !claimed.insert((mi, e.index)) {
                self.sink.push(V::DuplicateEntry {
                    list: List::Extended,
                    program: e.program.clone(),
                    index: Some(e.index),
                });
                continue;
            }
            let m = &self.migs[mi];
            let unexpected = V::UnexpectedExtended {
                program: e.program.clone(),
                index: e.index,
                extra: e.extra,
            };
            match m.scheme {
                Some(Scheme::PostCopy | Scheme::Hybrid) => {}
                Some(_) => {
                    self.sink.push(unexpected);
                    continue;
                }
                None => continue,
            }
            if !m.ext_ok {
                continue;
            }
            match m.extras.get(&e.index) {
                None => self.sink.push(unexpected),
                Some(x) if x.extra != u128::from(e.extra) => self.sink.push(V::WrongExtra {
                    program: e.program.clone(),
                    index: e.index,
                    found: e.extra,
                    expected: x.extra,
                }),
                Some(_) => {}
            }
        }
        for mi in 0..self.migs.len() {
            let m = &self.migs[mi];
            if !m.ext_ok {
                continue;
            }
            let name = self.sys.programs[m.pid].name.clone();
            let (mut shown, mut more) = (Vec::new(), 0u64);
            for (&idx, x) in &m.extras {
                if claimed.contains(&(mi, idx)) {
                    continue;
                }
                if shown.len() < crate::MAX_PER_RULE {
                    shown.push(V::MissingExtended {
                        program: name.clone(),
                        index: idx,
                        start: x.start,
                        extra: x.extra,
                    });
                } else {
                    more += 1;
                }
            }
            for v in shown {
                self.sink.push(v);
            }
            self.sink.count_many(PlanRule::MissingExtended, more);
        }
    }

    /// Whether the B job `k` of frame `f` of mode slot `slot` runs, and its
    /// (extended) end; `None` if skipped or absent.
    pub(super) fn b_job(&self, slot: usize, k: u64, f: T) -> Option<(T, T)> {
        let j = (*self.tb.jobs[slot].get(k as usize)?)?;
        let base = self.bs + f * self.tb.h;
        let pid = self.b.programs[slot].program;
        let mut end = base + j.end;
        if let Some(mi) = self.mig_of[pid] {
            let m = &self.migs[mi];
            if let Some(Some(fs)) = m.f_skip.get(k as usize)
                && f < *fs
            {
                return None;
            }
            let n = self.tb.jobs[slot].len() as u64;
            if let Some(x) = m
                .extras
                .get(&(f as u64).saturating_mul(n).saturating_add(k))
            {
                end = x.end;
            }
        }
        Some((base + j.start, end))
    }

    /// An extended job ends inside its window, overlaps no executed job on
    /// its core, and (precedence) ends before its messages leave and before
    /// its local receivers start.
    pub(super) fn extended_constraints(&mut self) {
        let sys = self.sys;
        let (hb, bs) = (self.tb.h, self.bs);
        let mut out = Vec::new();
        for m in &self.migs {
            let name = &sys.programs[m.pid].name;
            for (&idx, x) in &m.extras {
                let base = bs + x.f * hb;
                let w = self.b.programs[m.b_slot]
                    .requirement
                    .timing
                    .instance_window(x.k);
                if x.end > base + T::from(w.end) {
                    out.push(V::ExtendedOutsideWindow {
                        program: name.clone(),
                        index: idx,
                        start: x.start,
                        end: x.end,
                        window_end: base + T::from(w.end),
                    });
                }
                if let Some(others) = self.tb.by_core.get(&(m.dst, m.dst_core)) {
                    for &(slot, k) in others {
                        for f in (x.f - 1).max(0)..=x.f + 1 {
                            if slot == m.b_slot && k == x.k && f == x.f {
                                continue;
                            }
                            let Some((os, oe)) = self.b_job(slot, k, f) else {
                                continue;
                            };
                            if os < x.end && x.start < oe {
                                let other_pid = self.b.programs[slot].program;
                                let on = self.tb.jobs[slot].len() as u64;
                                out.push(V::ExtendedOverlap {
                                    program: name.clone(),
                                    index: idx,
                                    start: x.start,
                                    end: x.end,
                                    module: sys.modules[m.dst].name.clone(),
                                    core: m.dst_core,
                                    other: sys.programs[other_pid].name.clone(),
                                    other_index: (f as u64).saturating_mul(on).saturating_add(k),
                                    other_start: os,
                                    other_end: oe,
                                });
                            }
                        }
                    }
                }
                for (ms, mm) in self.b.messages.iter().enumerate() {
                    let msg = &sys.messages[mm.message];
                    if !mm.precedence || msg.from != m.pid {
                        continue;
                    }
                    if let Some(Some(d)) = self.tb.departure[ms].get(x.k as usize)
                        && base + d < x.end
                    {
                        out.push(V::ExtendedPrecedence {
                            program: name.clone(),
                            index: idx,
                            end: x.end,
                            message: msg.name.clone(),
                            receiver: None,
                            at: base + d,
                        });
                    }
                    for &rp in &msg.to {
                        let Some(r_slot) = self.b.slot(rp) else {
                            continue;
                        };
                        if self.tb.place[r_slot].map(|p| p.0) != Some(m.dst) {
                            continue;
                        }
                        if let Some((rs, _)) = self.b_job(r_slot, x.k, x.f)
                            && rs < x.end
                        {
                            out.push(V::ExtendedPrecedence {
                                program: name.clone(),
                                index: idx,
                                end: x.end,
                                message: msg.name.clone(),
                                receiver: Some(sys.programs[rp].name.clone()),
                                at: rs,
                            });
                        }
                    }
                }
            }
        }
        for v in out {
            self.sink.push(v);
        }
    }
}
