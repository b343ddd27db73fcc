//! Memory at every instant, unavailability, the `programs` list, and every
//! reported value: per migration, `complete` and `metrics`.

use super::check::{Class, Ctx};
use super::table::T;
use super::violation::{List, PlanViolation as V};
use seamless_model::ProgramId;

/// One claim on a module's memory over `[start, end)` (`end` `None`: for ever).
struct Held {
    start: T,
    end: Option<T>,
    bytes: u128,
    label: String,
}

impl Ctx<'_> {
    /// Every module's memory, swept over the instants where it changes.
    pub(super) fn memory(&mut self) {
        let sys = self.sys;
        let (s, bs) = (self.s, self.bs);
        let mut held: Vec<Vec<Held>> = (0..sys.modules.len()).map(|_| Vec::new()).collect();
        for pid in 0..sys.programs.len() {
            let bytes = u128::from(sys.programs[pid].memory);
            let name = &sys.programs[pid].name;
            let pa = self.a.slot(pid).and_then(|x| self.ta.place[x]).map(|p| p.0);
            let pb = self.b.slot(pid).and_then(|x| self.tb.place[x]).map(|p| p.0);
            let mut hold = |m: usize, start: T, end: Option<T>, label: String| {
                held[m].push(Held {
                    start,
                    end,
                    bytes,
                    label,
                });
            };
            match self.class[pid] {
                Class::Neither => {}
                Class::Stop | Class::Start | Class::Undetermined => {
                    if let Some(m) = pa {
                        hold(m, T::MIN, Some(s), name.clone());
                    }
                    if let Some(m) = pb {
                        hold(m, bs, None, name.clone());
                    }
                }
                Class::Continue => {
                    if let Some(m) = pa {
                        hold(m, T::MIN, None, name.clone());
                    }
                }
                Class::Migrate => {
                    let Some(mi) = self.mig_of[pid] else { continue };
                    let m = &self.migs[mi];
                    let free = m.source_free.unwrap_or(s).max(s);
                    hold(m.src, T::MIN, Some(free), format!("{name} (source)"));
                    let from = m.first_in_dst.unwrap_or(bs).min(bs);
                    hold(m.dst, from, None, format!("{name} (destination)"));
                    if let (Some(v), Some(i), Some(o)) = (m.via, m.via_in, m.via_out) {
                        hold(v, i, Some(o), format!("{name} (intermediary)"));
                    }
                }
            }
        }
        for (mi, list) in held.iter().enumerate() {
            let cap = sys.modules[mi].memory;
            // (instant, 0 = release / 1 = claim, bytes)
            let mut ev: Vec<(T, u8, u128)> = Vec::new();
            for h in list {
                if h.end.is_some_and(|e| e <= h.start) {
                    continue;
                }
                ev.push((h.start, 1, h.bytes));
                if let Some(e) = h.end {
                    ev.push((e, 0, h.bytes));
                }
            }
            ev.sort_unstable();
            let (mut used, mut over, mut i) = (0u128, false, 0usize);
            while i < ev.len() {
                let t = ev[i].0;
                while i < ev.len() && ev[i].0 == t {
                    if ev[i].1 == 0 {
                        used = used.saturating_sub(ev[i].2);
                    } else {
                        used += ev[i].2;
                    }
                    i += 1;
                }
                if used > u128::from(cap) {
                    if !over {
                        let holders = list
                            .iter()
                            .filter(|h| h.start <= t && h.end.is_none_or(|e| t < e))
                            .map(|h| h.label.clone())
                            .collect();
                        self.sink.push(V::MemoryExceeded {
                            module: sys.modules[mi].name.clone(),
                            at: t,
                            used,
                            capacity: cap,
                            holders,
                        });
                    }
                    over = true;
                } else {
                    over = false;
                }
            }
        }
    }

    /// The first completion of a B program: the earliest (extended) end of
    /// its executed jobs. `None` when it cannot be derived.
    fn first_completion(&self, pid: ProgramId) -> Option<T> {
        let slot = self.b.slot(pid)?;
        let mig = self.mig_of[pid].map(|mi| &self.migs[mi]);
        if mig.is_some_and(|m| m.may_run.is_none() || !m.ext_ok) {
            return None;
        }
        let mut best: Option<T> = None;
        for (k, _) in self.tb.present(slot) {
            let fs = match mig {
                Some(m) => (*m.f_skip.get(k as usize)?)?,
                None => 0,
            };
            for f in [fs, fs + 1] {
                if let Some((_, e)) = self.b_job(slot, k, f) {
                    best = Some(best.map_or(e, |b| b.min(e)));
                }
            }
        }
        best
    }

    /// The longest gap between consecutive completions of a program in both
    /// modes on the merged timeline: `(gap, from, to)`.
    fn unavailability(&self, pid: ProgramId) -> Option<(T, T, T)> {
        let a_slot = self.a.slot(pid)?;
        let b_slot = self.b.slot(pid)?;
        let (ha, hb) = (self.ta.h, self.tb.h);
        let mut ends_a: Vec<T> = self.ta.present(a_slot).map(|(_, j)| j.end).collect();
        ends_a.sort_unstable();
        if ends_a.is_empty() {
            return None;
        }
        let mut best: Option<(T, T, T)> = None;
        let mut note = |from: T, to: T| {
            if best.is_none_or(|b| to - from > b.0) {
                best = Some((to - from, from, to));
            }
        };
        // A's frames from the one holding r − H_A to the last before S;
        // interior frames repeat the gaps of frames 0 and 1, so only the
        // first and last few are walked (gaps only between adjacent frames).
        let lo = self.r - ha;
        let mut frames: Vec<T> = [-2, -1, 0, 1, self.k - 2, self.k - 1]
            .into_iter()
            .filter(|&f| f >= -2 && f < self.k)
            .collect();
        frames.sort_unstable();
        frames.dedup();
        let mut prev: Option<(T, T)> = None;
        for f in frames {
            for &e in &ends_a {
                let t = f * ha + e;
                if t < lo {
                    continue;
                }
                if let Some((pt, pf)) = prev
                    && f <= pf + 1
                {
                    note(pt, t);
                }
                prev = Some((t, f));
            }
        }
        let first = self.first_completion(pid)?;
        let limit = first + hb;
        let mig = self.mig_of[pid].map(|mi| &self.migs[mi]);
        let mut ends_b: Vec<T> = Vec::new();
        for (k, _) in self.tb.present(b_slot) {
            let fs = match mig {
                Some(m) => (*m.f_skip.get(k as usize)?)?,
                None => 0,
            };
            // a valid table's completions up to first + H_B lie in the
            // first three frames that run; the bound keeps a broken table
            // (a job longer than its frame) from walking for ever
            for f in fs..fs + 4 {
                let Some((s, e)) = self.b_job(b_slot, k, f) else {
                    break;
                };
                if s > limit {
                    break;
                }
                if e <= limit {
                    ends_b.push(e);
                }
            }
        }
        ends_b.sort_unstable();
        let mut prev_t = prev.map(|p| p.0);
        for t in ends_b {
            if let Some(pt) = prev_t {
                note(pt, t);
            }
            prev_t = Some(t);
        }
        best
    }

    fn misreported(
        &mut self,
        subject: &str,
        field: &'static str,
        found: Option<u64>,
        expected: Option<T>,
    ) {
        if found.map(T::from) != expected {
            self.sink.push(V::Misreported {
                subject: subject.to_string(),
                field,
                found,
                expected,
            });
        }
    }

    /// The `programs` list (actions, unavailability, bounds), the bound
    /// itself, each migration's values, `complete` and `metrics`.
    pub(super) fn outcomes_and_totals(&mut self) {
        let sys = self.sys;
        let plan = self.plan;
        let n = sys.programs.len();
        let both = |c: Class| matches!(c, Class::Continue | Class::Migrate | Class::Undetermined);
        let unav: Vec<Option<(T, T, T)>> = (0..n)
            .map(|pid| {
                if both(self.class[pid]) {
                    self.unavailability(pid)
                } else {
                    None
                }
            })
            .collect();
        for (pid, &u) in unav.iter().enumerate() {
            if let (Some((gap, from, to)), Some(bound)) = (u, sys.programs[pid].max_unavailability)
                && gap > T::from(bound)
            {
                self.sink.push(V::UnavailabilityExceeded {
                    program: sys.programs[pid].name.clone(),
                    gap,
                    bound,
                    from,
                    to,
                });
            }
        }
        let mut seen = vec![false; n];
        for e in &plan.programs {
            let Some(pid) = sys.program_by_name(&e.program) else {
                self.sink.push(V::UnknownProgram {
                    list: List::Programs,
                    program: e.program.clone(),
                });
                continue;
            };
            let class = self.class[pid];
            if class == Class::Neither {
                self.sink.push(V::NotInEitherMode {
                    program: e.program.clone(),
                    from: plan.from.clone(),
                    to: plan.to.clone(),
                });
                continue;
            }
            if seen[pid] {
                self.sink.push(V::DuplicateEntry {
                    list: List::Programs,
                    program: e.program.clone(),
                    index: None,
                });
                continue;
            }
            seen[pid] = true;
            if let Some(a) = class.action()
                && a != e.action
            {
                self.sink.push(V::WrongAction {
                    program: e.program.clone(),
                    found: e.action,
                    expected: a,
                });
            }
            let subject = format!("program `{}`", e.program);
            if both(class) {
                if let Some((gap, _, _)) = unav[pid] {
                    self.misreported(&subject, "unavailability", e.unavailability, Some(gap));
                }
                let bound = sys.programs[pid].max_unavailability.map(T::from);
                self.misreported(&subject, "bound", e.bound, bound);
            } else {
                self.misreported(&subject, "unavailability", e.unavailability, None);
                self.misreported(&subject, "bound", e.bound, None);
            }
        }
        for (pid, &seen) in seen.iter().enumerate() {
            let class = self.class[pid];
            if class != Class::Neither && !seen {
                self.sink.push(V::MissingOutcome {
                    program: sys.programs[pid].name.clone(),
                    expected: class.action(),
                });
            }
        }
        // per migration
        let mut downtimes: Vec<Option<T>> = Vec::new();
        let mut degradations: Vec<Option<u128>> = Vec::new();
        for mi in 0..self.migs.len() {
            let m = &self.migs[mi];
            let downtime = match (m.resume, m.suspension) {
                (Some(r), Some(s)) => Some(r - s),
                _ => None,
            };
            let total = match (m.first_departure, m.last_arrival) {
                (Some(a), Some(b)) => Some(b - a),
                _ => None,
            };
            let degradation = m
                .ext_ok
                .then(|| m.extras.values().map(|x| x.extra).sum::<u128>());
            downtimes.push(downtime);
            degradations.push(degradation);
            let Some(entry) = m.entry else { continue };
            let e = &plan.migrations[entry];
            let subject = format!("migration `{}`", e.program);
            let (resume, eviction, bytes) = (m.resume, m.source_free, m.bytes);
            // values the rules cannot give are left out (the cause is reported)
            for (field, found, expected) in [
                ("resume", e.resume, resume),
                ("eviction", e.eviction, eviction),
                ("total_time", e.total_time, total),
                ("downtime", e.downtime, downtime),
                ("bytes", e.bytes, Some(bytes as T)),
                ("degradation", e.degradation, degradation.map(|d| d as T)),
            ] {
                if expected.is_some() {
                    self.misreported(&subject, field, Some(found), expected);
                }
            }
        }
        // complete: the latest of b_start, every last-byte arrival, every
        // extended job's end and every B program's first completion
        let mut complete: Option<T> = Some(self.bs);
        let mut join = |x: Option<T>| {
            complete = match (complete, x) {
                (Some(c), Some(x)) => Some(c.max(x)),
                _ => None,
            };
        };
        for m in &self.migs {
            join(m.last_arrival);
            if !m.ext_ok {
                join(None);
            }
            for x in m.extras.values() {
                join(Some(x.end));
            }
        }
        for mp in &self.b.programs {
            join(self.first_completion(mp.program));
        }
        if let Some(c) = complete {
            self.misreported("the plan", "complete", Some(plan.complete), Some(c));
        }
        // metrics
        let migs = &self.migs;
        let all = |f: &dyn Fn(&super::check::Mig) -> Option<T>| -> Option<Vec<T>> {
            migs.iter().map(f).collect()
        };
        let r = self.r;
        let latency = complete.map(|c| c - r);
        let eviction = all(&|m| m.source_free).map(|v| v.into_iter().max().map_or(0, |x| x - r));
        let total = match (all(&|m| m.last_arrival), all(&|m| m.first_departure)) {
            (Some(a), Some(d)) => Some(match (a.into_iter().max(), d.into_iter().min()) {
                (Some(a), Some(d)) => a - d,
                _ => 0,
            }),
            _ => None,
        };
        let max_down: Option<T> = downtimes
            .iter()
            .copied()
            .collect::<Option<Vec<T>>>()
            .map(|v| v.into_iter().max().unwrap_or(0));
        let bytes: u128 = migs.iter().map(|m| m.bytes).sum();
        let degradation: Option<u128> = degradations
            .iter()
            .copied()
            .collect::<Option<Vec<u128>>>()
            .map(|v| v.into_iter().sum());
        let mt = &plan.metrics;
        for (field, found, expected) in [
            ("transition_latency", mt.transition_latency, latency),
            ("eviction_time", mt.eviction_time, eviction),
            ("total_migration_time", mt.total_migration_time, total),
            ("max_downtime", mt.max_downtime, max_down),
            ("bytes", mt.bytes, Some(bytes as T)),
            ("degradation", mt.degradation, degradation.map(|d| d as T)),
        ] {
            if expected.is_some() {
                self.misreported("metrics", field, Some(found), expected);
            }
        }
    }
}
