//! One candidate plan for a given switch point `S` and phase `φ`: the
//! migrations placed one after another on the free link time, each with the
//! best of its scheme variants, memory tracked at every instant.
//!
//! Internal times are absolute ticks plus `H_A` (so the frame before the
//! request's, which unavailability looks back into, starts at 0).

use crate::ctx::{Ctx, Prog};
use crate::{Meter, PlanOptions};
use seamless_migrate::calendar::{Layered, LinkCalendar, Periodic};
use seamless_migrate::route::{LinkModel, Route};
use seamless_migrate::scheme::{
    self, MigrationInput, SourceJobs, Timeline, TimelineError, Transfer,
};
use seamless_model::ModuleId;
use seamless_model::plan::{Action, Scheme};
use std::collections::BTreeSet;

/// A migrated program.
#[derive(Debug, Clone)]
pub struct Mig {
    /// Index into `Ctx::progs`.
    pub pi: usize,
    pub src: ModuleId,
    pub dst: ModuleId,
    pub input: MigrationInput,
    pub route: Route,
    /// End of the last A job before `S`.
    pub susp: u64,
    /// A jobs before `S`, internal times.
    pub src_jobs: Vec<(u64, u64)>,
}

/// What a migration's destination sees.
#[derive(Debug, Clone, Default)]
pub struct Dest {
    /// Index (from `b_start`) of the first executed B job.
    pub first_job: u64,
    pub resume: u64,
    pub first_completion: u64,
    /// `(index, extra)` of extended jobs.
    pub extended: Vec<(u64, u64)>,
    /// The latest extended end (0 if none).
    pub ext_end: u64,
    pub degradation: u64,
    pub unavailability: u64,
    /// Start of the first job whose extension breaks a rule, if any.
    pub bad_job: Option<u64>,
}

/// The chosen transfer of a migration.
#[derive(Debug, Clone)]
pub struct Choice {
    pub tl: Timeline,
    pub via: Option<ModuleId>,
    pub dest: Dest,
}

impl Choice {
    /// Latest of last arrival, first completion, extended ends.
    pub fn complete(&self) -> u64 {
        self.tl
            .last_arrival
            .max(self.dest.first_completion)
            .max(self.dest.ext_end)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Resident,
    Source,
    Dest,
    Via,
}

/// A program holding memory on a module over `[from, to)`.
#[derive(Debug, Clone, Copy)]
struct Hold {
    module: ModuleId,
    from: u64,
    to: u64,
    bytes: u64,
    owner: usize,
    role: Role,
}

/// Why a candidate failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fail {
    /// A program's unavailability exceeds its bound.
    Bound {
        pi: usize,
        unavailability: u64,
        bound: u64,
        scheme: Option<Scheme>,
        /// The route's bottleneck direction, for a migration.
        bottleneck: Option<usize>,
        /// A later `b_start` (internal) with which the migration's last
        /// skipped job would start when it may run.
        later_b_start: Option<u64>,
        /// The migration's destination had no room for it until this
        /// (internal) instant, after the request: no early transfer.
        dest_full_until: Option<(ModuleId, u64)>,
    },
    /// A module's memory is exceeded at `at` (internal time).
    Memory {
        module: ModuleId,
        at: u64,
        used: u64,
        /// Programs holding memory there then.
        holders: Vec<usize>,
        /// A later `b_start` (internal) that would let a source be free first.
        later_b_start: Option<u64>,
    },
    /// A chunk never fits on a direction.
    Saturated { pi: usize, dir: usize },
    /// Necessary conditions fail: no plan exists (the programs concerned,
    /// the largest excess first).
    Proven(Vec<crate::proof::Lower>),
    /// The work budget (or the time limit) ran out before a plan was found.
    GaveUp {
        steps: u64,
        budget: u64,
        time_limit: bool,
        /// The most telling failure of the candidates tried before.
        closest: Option<Box<Fail>>,
    },
}

/// A finished candidate.
#[derive(Debug, Clone)]
pub struct Built {
    pub s: u64,
    pub bs: u64,
    pub migs: Vec<Mig>,
    pub choices: Vec<Choice>,
    /// Per program (Ctx order): unavailability where it applies.
    pub unavailability: Vec<Option<u64>>,
    pub complete: u64,
    pub bytes: u64,
}

/// Scheme variants tried for one migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    StopAndCopy,
    PreCopy { t1: u64, late: Option<u64> },
    PostCopy { min_run: u64 },
    Hybrid { t1: u64, rounds: u32, min_run: u64 },
    ScatterGather { via: ModuleId },
}

type Key = (u64, u64, u64, u64, u64, u8, u64, usize);

/// What the variant search reads of a variant it tried.
#[derive(Debug, Clone, Copy)]
struct Seen {
    /// The destination job whose extension breaks a rule, if any.
    bad_job: Option<u64>,
    key: Key,
    rounds: u32,
    /// From the first pre-copy round's begin to the last's.
    span: Option<u64>,
}

pub struct Build<'c, 's> {
    ctx: &'c Ctx<'s>,
    opts: &'c PlanOptions,
    meter: &'c Meter,
    model: LinkModel<'s>,
    r: u64,
    s: u64,
    bs: u64,
    baseline: u64,
    cal: LinkCalendar,
    holds: Vec<Hold>,
    pub migs: Vec<Mig>,
    choices: Vec<Option<Choice>>,
    /// Migrations in the order they were placed.
    placed_order: Vec<usize>,
    /// Per migration: the instant from which its destination had room.
    dest_from: Vec<u64>,
    /// Whether sources still to place count as gone at `b_start` (after a
    /// deadlock no intermediary could break).
    optimistic: bool,
    /// Per program: (largest gap among A completions in the history, last A
    /// completion before `S`), internal.
    a_hist: Vec<(u64, u64)>,
}

fn scheme_rank(s: Scheme) -> u8 {
    match s {
        Scheme::StopAndCopy => 0,
        Scheme::PreCopy => 1,
        Scheme::PostCopy => 2,
        Scheme::Hybrid => 3,
        Scheme::ScatterGather => 4,
    }
}

impl<'c, 's> Build<'c, 's> {
    /// `r` (the start instant: migrations begin no earlier), `s`, `bs`
    /// internal.
    pub fn new(
        ctx: &'c Ctx<'s>,
        opts: &'c PlanOptions,
        meter: &'c Meter,
        r: u64,
        s: u64,
        bs: u64,
    ) -> Build<'c, 's> {
        let sys = ctx.sys;
        let model = LinkModel::of(sys);
        let dirs = sys.network.directions();
        let mut cal = LinkCalendar::new(dirs);
        // A's transmissions in the frames from the request's (internally
        // always the second) to S
        let first_frame = 1;
        let frames = s / ctx.ha;
        for d in 0..dirs {
            if ctx.a_busy[d].is_empty() {
                continue;
            }
            let mut v = Vec::with_capacity(ctx.a_busy[d].len() * (frames - first_frame) as usize);
            for f in first_frame..frames {
                let base = f * ctx.ha;
                v.extend(ctx.a_busy[d].iter().map(|&(a, b)| (base + a, base + b)));
            }
            cal.add_busy(d, v);
            let _ = ();
        }
        for d in 0..dirs {
            cal.set_periodic(
                d,
                ctx.b_busy[d].as_ref().map(|p: &Periodic| p.with_origin(bs)),
            );
        }
        let mut holds = Vec::new();
        let mut migs = Vec::new();
        let mut a_hist = vec![(0, 0); ctx.progs.len()];
        for (pi, p) in ctx.progs.iter().enumerate() {
            let mem = p.memory;
            match p.action {
                Action::Stop => holds.push(Hold {
                    module: p.a_slot.map_or(0, |x| x.0),
                    from: 0,
                    to: s,
                    bytes: mem,
                    owner: pi,
                    role: Role::Resident,
                }),
                Action::Start => holds.push(Hold {
                    module: p.b_slot.map_or(0, |x| x.0),
                    from: bs,
                    to: u64::MAX,
                    bytes: mem,
                    owner: pi,
                    role: Role::Resident,
                }),
                Action::Continue => holds.push(Hold {
                    module: p.a_slot.map_or(0, |x| x.0),
                    from: 0,
                    to: u64::MAX,
                    bytes: mem,
                    owner: pi,
                    role: Role::Resident,
                }),
                Action::Migrate => {
                    let (src, dst) = (p.a_slot.map_or(0, |x| x.0), p.b_slot.map_or(0, |x| x.0));
                    holds.push(Hold {
                        module: src,
                        from: 0,
                        to: u64::MAX,
                        bytes: mem,
                        owner: pi,
                        role: Role::Source,
                    });
                    holds.push(Hold {
                        module: dst,
                        from: bs,
                        to: u64::MAX,
                        bytes: mem,
                        owner: pi,
                        role: Role::Dest,
                    });
                    let input = MigrationInput::new(&sys.programs[p.id], &sys.migration);
                    let Some(route) = Route::between(&model, src, dst, input.chunk) else {
                        continue;
                    };
                    let mut src_jobs = Vec::new();
                    for g in 0..frames {
                        let base = g * ctx.ha;
                        src_jobs.extend(p.a_jobs.iter().map(|j| (base + j.start, base + j.end)));
                    }
                    let susp = src_jobs.last().map_or(s, |j| j.1);
                    migs.push(Mig {
                        pi,
                        src,
                        dst,
                        input,
                        route,
                        susp,
                        src_jobs,
                    });
                }
            }
            if p.bound.is_some() || (p.a_slot.is_some() && p.b_slot.is_some()) {
                a_hist[pi] = history(p, ctx.ha, r, s);
            }
        }
        let n = migs.len();
        Build {
            ctx,
            opts,
            meter,
            model,
            r,
            s,
            bs,
            baseline: bs + ctx.b_first_end,
            cal,
            holds,
            migs,
            choices: vec![None; n],
            placed_order: Vec::new(),
            dest_from: vec![0; n],
            optimistic: false,
            a_hist,
        }
    }

    // ---- memory ----

    /// `(start, usage)` segments of a module's memory, the last one lasting
    /// forever; holds of `exclude` left out. With `optimistic`, the source of
    /// a migration not placed yet counts as leaving at `b_start` (it must be
    /// gone by then unless B starts later, which the final check asks for).
    fn segments_opt(
        &self,
        module: ModuleId,
        exclude: Option<usize>,
        optimistic: bool,
    ) -> Vec<(u64, u64)> {
        let mut ev: Vec<(u64, bool, u64)> = Vec::new();
        for h in &self.holds {
            let to = if optimistic && h.role == Role::Source && h.to == u64::MAX {
                self.bs.max(self.s)
            } else {
                h.to
            };
            if h.module != module || Some(h.owner) == exclude || to <= h.from {
                continue;
            }
            ev.push((h.from, true, h.bytes));
            if to != u64::MAX {
                ev.push((to, false, h.bytes));
            }
        }
        // removals before additions at the same instant (half-open)
        ev.sort_unstable_by_key(|e| (e.0, e.1, e.2));
        let mut segs: Vec<(u64, u64)> = vec![(0, 0)];
        let mut used: u64 = 0;
        for (t, add, b) in ev {
            used = if add {
                used.saturating_add(b)
            } else {
                used.saturating_sub(b)
            };
            match segs.last_mut() {
                Some(last) if last.0 == t => last.1 = used,
                _ => segs.push((t, used)),
            }
        }
        segs
    }

    fn segments(&self, module: ModuleId, exclude: Option<usize>) -> Vec<(u64, u64)> {
        self.segments_opt(module, exclude, false)
    }

    /// The earliest instant from which `bytes` more fit on `module` forever
    /// (once the placement has deadlocked, sources still to place count as
    /// gone at `b_start`).
    fn room_from(&self, module: ModuleId, bytes: u64, exclude: Option<usize>) -> Option<u64> {
        let cap = self.ctx.sys.modules[module].memory;
        let segs = self.segments_opt(module, exclude, self.optimistic);
        match segs.iter().rposition(|s| s.1.saturating_add(bytes) > cap) {
            None => Some(0),
            Some(i) if i + 1 == segs.len() => None,
            Some(i) => Some(segs[i + 1].0),
        }
    }

    /// The most memory used on `module` over `[from, to)`.
    fn peak(&self, module: ModuleId, from: u64, to: u64) -> u64 {
        let segs = self.segments(module, None);
        let mut best = 0;
        for (i, s) in segs.iter().enumerate() {
            let end = segs.get(i + 1).map_or(u64::MAX, |n| n.0);
            if end > from && s.0 < to {
                best = best.max(s.1);
            }
        }
        best
    }

    fn set_hold(&mut self, owner: usize, role: Role, from: u64, to: u64) {
        for h in self.holds.iter_mut() {
            if h.owner == owner && h.role == role {
                h.from = from;
                h.to = to;
            }
        }
    }

    fn commit(&mut self, mi: usize, ch: Choice, top: &LinkCalendar) {
        self.cal.absorb(top);
        let pi = self.migs[mi].pi;
        let free = ch.tl.source_free;
        self.set_hold(pi, Role::Source, 0, self.s.max(free));
        if ch.tl.first_into_dest != u64::MAX {
            self.set_hold(pi, Role::Dest, ch.tl.first_into_dest.min(self.bs), u64::MAX);
        }
        if let (Some(via), Some((a, b))) = (ch.via, ch.tl.via_span) {
            self.holds
                .retain(|h| !(h.owner == pi && h.role == Role::Via));
            self.holds.push(Hold {
                module: via,
                from: a,
                to: b,
                bytes: self.ctx.progs[pi].memory,
                owner: pi,
                role: Role::Via,
            });
        }
        self.choices[mi] = Some(ch);
        if !self.placed_order.contains(&mi) {
            self.placed_order.push(mi);
        }
    }

    // ---- destination ----

    /// Absolute (internal) start, end and latest end of B job `j` of `p`.
    fn b_job(&self, p: &Prog, j: u64) -> (u64, u64, u64) {
        let n = p.b.jobs.len() as u64;
        let (f, k) = (j / n, (j % n) as usize);
        let base = self.bs + f * self.ctx.hb;
        let jb = p.b.jobs[k];
        (base + jb.start, base + jb.end, base + p.b.limit[k])
    }

    /// The first B job of `p` starting at or after `t`.
    fn first_job_from(&self, p: &Prog, t: u64) -> u64 {
        let n = p.b.jobs.len() as u64;
        if t <= self.bs {
            return 0;
        }
        let d = t - self.bs;
        let (f, rel) = (d / self.ctx.hb, d % self.ctx.hb);
        let k = p.b.jobs.partition_point(|x| x.start < rel) as u64;
        f * n + k
    }

    fn dest_outcome(&self, pi: usize, tl: &Timeline) -> Dest {
        let p = &self.ctx.progs[pi];
        let j0 = self.first_job_from(p, tl.may_run);
        let (resume, _, _) = self.b_job(p, j0);
        let mut d = Dest {
            first_job: j0,
            resume,
            ..Dest::default()
        };
        let mut first_end = None;
        for j in j0..j0.saturating_add(10_000_000) {
            let (st, en, lim) = self.b_job(p, j);
            let extra = tl.faults.as_ref().map_or(0, |f| f.extra(st));
            if extra == 0 {
                first_end.get_or_insert(en);
                break;
            }
            let e2 = en.saturating_add(extra);
            if e2 > lim {
                d.bad_job = Some(st);
                first_end.get_or_insert(e2);
                break;
            }
            d.extended.push((j, extra));
            d.degradation = d.degradation.saturating_add(extra);
            d.ext_end = e2;
            first_end.get_or_insert(e2);
        }
        d.first_completion = first_end.unwrap_or(resume);
        d.unavailability = self.unavailability(pi, j0, &d.extended);
        d
    }

    /// §7 unavailability of `pi` whose first executed B job is `j0`.
    fn unavailability(&self, pi: usize, j0: u64, extended: &[(u64, u64)]) -> u64 {
        let p = &self.ctx.progs[pi];
        let (mut gap, last_a) = self.a_hist[pi];
        if p.b.jobs.is_empty() {
            return gap;
        }
        let mut prev = last_a;
        let mut j = j0;
        let mut first: Option<u64> = None;
        let mut ei = 0;
        loop {
            let (_, en, _) = self.b_job(p, j);
            let mut end = en;
            while ei < extended.len() && extended[ei].0 < j {
                ei += 1;
            }
            if ei < extended.len() && extended[ei].0 == j {
                end = end.saturating_add(extended[ei].1);
            }
            if let Some(f) = first
                && end > f.saturating_add(self.ctx.hb)
            {
                break;
            }
            first.get_or_insert(end);
            gap = gap.max(end.saturating_sub(prev));
            prev = end;
            j += 1;
        }
        gap
    }

    // ---- variants ----

    fn transfer<'a>(&'a self, m: &'a Mig, dest_from: u64) -> Transfer<'a> {
        Transfer {
            model: self.model,
            route: &m.route,
            input: &m.input,
            jobs: SourceJobs { jobs: &m.src_jobs },
            request: self.r,
            suspension: Some(m.susp),
            dest_from,
        }
    }

    fn run(
        &self,
        mi: usize,
        v: Variant,
        dest_from: u64,
    ) -> Result<(Choice, LinkCalendar), TimelineError> {
        // (out of budget: every variant fails, and `choose` says why)
        if self.meter.exhausted() {
            return Err(TimelineError::NoRoundBeforeSuspension);
        }
        self.meter.add(1);
        let m = &self.migs[mi];
        let t = self.transfer(m, dest_from);
        let mut lay = Layered::new(&self.cal);
        let mut via = None;
        let tl = match v {
            Variant::StopAndCopy => scheme::stop_and_copy(&mut lay, &t, 0)?,
            Variant::PreCopy { t1, late } => scheme::pre_copy_late(&mut lay, &t, t1, late)?,
            Variant::PostCopy { min_run } => scheme::post_copy(&mut lay, &t, 0, min_run, true)?,
            Variant::Hybrid {
                t1,
                rounds,
                min_run,
            } => scheme::hybrid(&mut lay, &t, t1, rounds, min_run, true)?,
            Variant::ScatterGather { via: v } => {
                let c = m.input.chunk;
                let (Some(to), Some(from)) = (
                    Route::between(&self.model, m.src, v, c),
                    Route::between(&self.model, v, m.dst, c),
                ) else {
                    return Err(TimelineError::NoRoundBeforeSuspension);
                };
                let via_from = self.room_from(v, m.input.memory, None).unwrap_or(u64::MAX);
                if via_from == u64::MAX {
                    return Err(TimelineError::NoRoundBeforeSuspension);
                }
                via = Some(v);
                scheme::scatter_gather(&mut lay, &t, &to, &from, via_from)?
            }
        };
        if let (Some(v), Some((a, b))) = (via, tl.via_span) {
            let cap = self.ctx.sys.modules[v].memory;
            if self.peak(v, a, b).saturating_add(m.input.memory) > cap {
                return Err(TimelineError::NoRoundBeforeSuspension);
            }
        }
        self.meter.add(tl.chunks.len() as u64);
        let dest = self.dest_outcome(m.pi, &tl);
        Ok((Choice { tl, via, dest }, lay.top))
    }

    /// The selection key of a variant: source memory in time, bound met,
    /// early completion, then fewest bytes.
    fn key(&self, mi: usize, c: &Choice, src_deadline: u64) -> Key {
        let p = &self.ctx.progs[self.migs[mi].pi];
        let excess = p
            .bound
            .map_or(0, |b| c.dest.unavailability.saturating_sub(b));
        let late = self.s.max(c.tl.source_free).saturating_sub(src_deadline);
        (
            late,
            excess,
            c.complete().max(self.baseline),
            c.tl.source_bytes,
            c.dest.degradation,
            scheme_rank(c.tl.scheme),
            c.dest.unavailability,
            c.via.unwrap_or(0),
        )
    }

    /// The latest instant the source of migration `mi` may hold its memory:
    /// the first instant at or after `S` at which the source module would
    /// overflow with it (other migrations still to place assumed gone at
    /// `S`); `u64::MAX` if never.
    fn source_deadline(&self, mi: usize) -> u64 {
        let m = &self.migs[mi];
        let cap = self.ctx.sys.modules[m.src].memory;
        let mut ev: Vec<(u64, bool, u64)> = Vec::new();
        for h in &self.holds {
            if h.module != m.src || h.owner == m.pi || h.to <= h.from {
                continue;
            }
            let pending_src = h.role == Role::Source && h.to == u64::MAX;
            let to = if pending_src { self.s } else { h.to };
            if to <= h.from {
                continue;
            }
            ev.push((h.from, true, h.bytes));
            if to != u64::MAX {
                ev.push((to, false, h.bytes));
            }
        }
        ev.sort_unstable_by_key(|e| (e.0, e.1, e.2));
        let mut used = 0u64;
        let mut i = 0;
        while i < ev.len() {
            let t = ev[i].0;
            while i < ev.len() && ev[i].0 == t {
                let (_, add, b) = ev[i];
                used = if add {
                    used.saturating_add(b)
                } else {
                    used.saturating_sub(b)
                };
                i += 1;
            }
            if t >= self.s && used.saturating_add(m.input.memory) > cap {
                return t;
            }
        }
        u64::MAX
    }

    /// Tries the variants of migration `mi` and returns the best valid one.
    fn choose(&self, mi: usize, dest_from: u64) -> Result<(Choice, LinkCalendar), Fail> {
        let m = &self.migs[mi];
        let deadline = self.source_deadline(mi);
        let mut best: Option<(Key, Choice, LinkCalendar)> = None;
        let mut saturated = None;
        let mut consider = |this: &Self,
                            v: Variant,
                            best: &mut Option<(Key, Choice, LinkCalendar)>|
         -> Option<Seen> {
            let res = this.run(mi, v, dest_from);
            match res {
                Ok((c, top)) => {
                    let key = this.key(mi, &c, deadline);
                    let out = Seen {
                        bad_job: c.dest.bad_job,
                        key,
                        rounds: c.tl.rounds.len() as u32,
                        span: match (c.tl.rounds.first(), c.tl.rounds.last()) {
                            (Some(f), Some(l)) => Some(l.begin - f.begin),
                            _ => None,
                        },
                    };
                    if c.dest.bad_job.is_none() && best.as_ref().is_none_or(|b| key < b.0) {
                        *best = Some((key, c, top));
                    }
                    Some(out)
                }
                Err(TimelineError::Saturated { dir }) => {
                    saturated.get_or_insert(dir);
                    None
                }
                Err(_) => None,
            }
        };
        // stop-and-copy: taken at once when it meets the bound and ends by
        // the time B's other programs first complete
        consider(self, Variant::StopAndCopy, &mut best);
        // (or when it runs the first B job and the last byte is in by then: no
        // scheme can complete earlier, none sends fewer bytes)
        if let Some((k, c, _)) = &best
            && k.0 == 0
            && k.1 == 0
            && (k.2 == self.baseline
                || (c.dest.first_job == 0 && c.tl.last_arrival <= c.dest.first_completion))
        {
            let (_, c, top) = best.take().unwrap_or_else(|| unreachable!());
            return Ok((c, top));
        }
        let retries = self.opts.post_copy_retries;
        // post-copy, holding the CPU state back past jobs whose extension
        // would break a rule
        let mut min_run = 0;
        for _ in 0..=retries {
            match consider(self, Variant::PostCopy { min_run }, &mut best) {
                Some(c) if c.bad_job.is_some() => min_run = c.bad_job.unwrap_or(0) + 1,
                _ => break,
            }
        }
        let settled = |b: &Option<(Key, Choice, LinkCalendar)>| {
            b.as_ref().is_some_and(|x| x.0.0 == 0 && x.0.1 == 0)
        };
        // pre-copy: round 1 timed so that the rounds converge just before the
        // suspension
        let mut pre_best: Option<(Key, u64)> = None;
        // pre-copies compete among themselves first
        let mut pre: Option<(Key, Choice, LinkCalendar)> = None;
        if m.susp > self.r {
            let pen_end = m
                .src_jobs
                .iter()
                .rev()
                .map(|j| j.1)
                .find(|&e| e < m.susp)
                .unwrap_or(self.r);
            let mut tried = BTreeSet::new();
            let mut t1 = self.r;
            // the last instant that worked, to bisect back to when a later
            // one cannot begin before the suspension (the link is taken)
            let mut last_ok: Option<u64> = None;
            for _ in 0..self.opts.precopy_tries.max(1) {
                if !tried.insert(t1) {
                    break;
                }
                let Some(c) = consider(self, Variant::PreCopy { t1, late: None }, &mut pre) else {
                    match last_ok {
                        Some(ok) if t1 > ok + 1 => {
                            t1 = ok + (t1 - ok) / 2;
                            continue;
                        }
                        _ => break,
                    }
                };
                last_ok = Some(t1);
                if c.bad_job.is_none() {
                    let k = c.key;
                    if pre_best.is_none_or(|b| k < b.0) {
                        pre_best = Some((k, t1));
                    }
                }
                let Some(span) = c.span else {
                    break;
                };
                t1 = pen_end.saturating_sub(span).max(self.r);
            }
            // round 1 as soon as possible, and when the rounds converge early a
            // catch-up round right after one of the last source jobs before
            // the suspension
            let ends: Vec<u64> = m
                .src_jobs
                .iter()
                .rev()
                .map(|j| j.1)
                .filter(|&e| e < m.susp && e > self.r)
                .collect();
            // (only when nothing so far meets the bound and memory)
            let late_n = if settled(&best) || settled(&pre) {
                0
            } else {
                self.opts.late_rounds as usize
            };
            for &back in [1usize, 2, 3, 4, 6, 8, 11, 16].iter().take(late_n) {
                let Some(&l) = ends.get(back - 1) else {
                    break;
                };
                consider(
                    self,
                    Variant::PreCopy {
                        t1: self.r,
                        late: Some(l),
                    },
                    &mut pre,
                );
            }
            if let Some((_, c, top)) = pre.take() {
                let k = self.key(mi, &c, deadline);
                if best.as_ref().is_none_or(|b| k < b.0) {
                    best = Some((k, c, top));
                }
            }
            // hybrid: from the best round-1 instant found, 1..max_rounds rounds
            let t1 = pre_best.map_or(self.r, |b| b.1);
            let mut got_rounds = 0;
            // (only when nothing so far meets the bound and memory)
            let hyb = if settled(&best) {
                0
            } else {
                m.input.max_rounds.min(self.opts.hybrid_rounds)
            };
            for k in 1..=hyb {
                if k > got_rounds + 1 {
                    break;
                }
                let mut min_run = 0;
                for _ in 0..=retries {
                    match consider(
                        self,
                        Variant::Hybrid {
                            t1,
                            rounds: k,
                            min_run,
                        },
                        &mut best,
                    ) {
                        Some(c) => {
                            got_rounds = got_rounds.max(c.rounds);
                            match c.bad_job {
                                Some(b) => min_run = b + 1,
                                None => break,
                            }
                        }
                        None => break,
                    }
                }
            }
        }
        // scatter-gather frees the source no earlier than a direct copy unless
        // the destination has room only after the suspension
        if self.opts.intermediaries && (dest_from > m.susp.max(self.r) || !settled(&best)) {
            for via in 0..self.ctx.sys.modules.len() {
                if via != m.src && via != m.dst {
                    consider(self, Variant::ScatterGather { via }, &mut best);
                }
            }
        }
        if self.meter.exhausted() {
            return Err(self.meter.fail());
        }
        match best {
            Some((_, c, top)) => Ok((c, top)),
            None => Err(Fail::Saturated {
                pi: m.pi,
                dir: saturated.unwrap_or(m.route.dirs[0]),
            }),
        }
    }

    // ---- the whole build ----

    /// Places every migration in `order` (indices into `migs`), then checks
    /// memory and bounds.
    pub fn run_all(mut self, order: &[usize]) -> Result<Built, Fail> {
        let mut pending: Vec<usize> = order.to_vec();
        // scatter done, gather to place once the destination has room
        let mut gathers: Vec<(usize, Timeline, ModuleId)> = Vec::new();
        // a destination with room only after b_start: B must start later
        let mut need_bs = self.bs;
        while !pending.is_empty() {
            let mut placed = None;
            let mut late: Option<(usize, u64)> = None;
            for (pos, &mi) in pending.iter().enumerate() {
                let m = &self.migs[mi];
                match self.room_from(m.dst, m.input.memory, Some(m.pi)) {
                    Some(t) if t <= self.bs => {
                        let (c, top) = self.choose(mi, t)?;
                        self.dest_from[mi] = t;
                        placed = Some((pos, c, top));
                        break;
                    }
                    Some(t) if late.is_none() => late = Some((pos, t)),
                    _ => {}
                }
            }
            if placed.is_none()
                && let Some((pos, t)) = late
            {
                need_bs = need_bs.max(t);
                let (c, top) = self.choose(pending[pos], t)?;
                self.dest_from[pending[pos]] = t;
                placed = Some((pos, c, top));
            }
            if let Some((pos, c, top)) = placed {
                let mi = pending.remove(pos);
                self.commit(mi, c, &top);
                continue;
            }
            // every destination is full until another migration's source is
            // free: scatter one program to an intermediary to break the cycle
            let mut broke = false;
            'cycle: for pos in 0..pending.len() {
                let mi = pending[pos];
                let m = &self.migs[mi];
                for via in 0..self.ctx.sys.modules.len() {
                    if via == m.src || via == m.dst {
                        continue;
                    }
                    let Some(via_from) = self.room_from(via, m.input.memory, None) else {
                        continue;
                    };
                    let Some(to) = Route::between(&self.model, m.src, via, m.input.chunk) else {
                        continue;
                    };
                    let t = self.transfer(m, 0);
                    let mut lay = Layered::new(&self.cal);
                    let Ok(tl) = scheme::scatter(&mut lay, &t, &to, via_from) else {
                        continue;
                    };
                    let top = lay.top;
                    let (pi, bytes) = (m.pi, m.input.memory);
                    self.cal.absorb(&top);
                    let free = tl.source_free;
                    self.set_hold(pi, Role::Source, 0, self.s.max(free));
                    self.holds.push(Hold {
                        module: via,
                        from: tl.via_span.map_or(0, |v| v.0),
                        to: u64::MAX,
                        bytes,
                        owner: pi,
                        role: Role::Via,
                    });
                    gathers.push((mi, tl, via));
                    pending.remove(pos);
                    broke = true;
                    break 'cycle;
                }
            }
            if !broke {
                if !self.optimistic {
                    // every source still to place counts as gone at b_start;
                    // the final check asks for a later b_start if needed
                    self.optimistic = true;
                    continue;
                }
                return Err(self.memory_fail_for(pending[0]));
            }
        }
        for (mi, tl, via) in gathers {
            let m = &self.migs[mi];
            let Some(dest_from) = self.room_from(m.dst, m.input.memory, Some(m.pi)) else {
                return Err(self.memory_fail_for(mi));
            };
            need_bs = need_bs.max(dest_from);
            let Some(from) = Route::between(&self.model, via, m.dst, m.input.chunk) else {
                return Err(self.memory_fail_for(mi));
            };
            let t = self.transfer(m, dest_from);
            let mut lay = Layered::new(&self.cal);
            let tl = scheme::gather(&mut lay, &t, &from, tl).map_err(|e| match e {
                TimelineError::Saturated { dir } => Fail::Saturated { pi: m.pi, dir },
                _ => Fail::Saturated {
                    pi: m.pi,
                    dir: from.dirs[0],
                },
            })?;
            let top = lay.top;
            let dest = self.dest_outcome(m.pi, &tl);
            self.commit(
                mi,
                Choice {
                    tl,
                    via: Some(via),
                    dest,
                },
                &top,
            );
        }
        // the pages beyond the working sets, once every migration's urgent
        // part is placed, in the order the migrations were placed
        for &mi in &self.placed_order.clone() {
            let Some(mut c) = self.choices[mi].take() else {
                continue;
            };
            if c.tl.tail > 0 {
                let m = &self.migs[mi];
                let t = Transfer {
                    model: self.model,
                    route: &m.route,
                    input: &m.input,
                    jobs: SourceJobs { jobs: &m.src_jobs },
                    request: self.r,
                    suspension: Some(m.susp),
                    dest_from: 0,
                };
                let pi = m.pi;
                if let Err(TimelineError::Saturated { dir }) =
                    scheme::send_tail(&mut self.cal, &t, &mut c.tl, 0)
                {
                    return Err(Fail::Saturated { pi, dir });
                }
                let until = self.s.max(c.tl.source_free);
                self.set_hold(pi, Role::Source, 0, until);
            }
            self.choices[mi] = Some(c);
        }
        if need_bs > self.bs {
            let mut f = self
                .check_memory()
                .err()
                .unwrap_or_else(|| self.memory_fail_for(order[0]));
            if let Fail::Memory { later_b_start, .. } = &mut f {
                *later_b_start = Some(later_b_start.map_or(need_bs, |x| x.max(need_bs)));
            }
            return Err(f);
        }
        self.check_memory()?;
        self.finish()
    }

    fn memory_fail_for(&self, mi: usize) -> Fail {
        let m = &self.migs[mi];
        let segs = self.segments(m.dst, Some(m.pi));
        let cap = self.ctx.sys.modules[m.dst].memory;
        let (at, used) = segs
            .iter()
            .rev()
            .find(|s| s.1.saturating_add(m.input.memory) > cap)
            .copied()
            .unwrap_or((self.bs, 0));
        let mut holders: Vec<usize> = self
            .holds
            .iter()
            .filter(|h| h.module == m.dst && h.from <= at && at < h.to && h.owner != m.pi)
            .map(|h| h.owner)
            .collect();
        holders.push(m.pi);
        holders.sort_unstable();
        holders.dedup();
        Fail::Memory {
            module: m.dst,
            at,
            used: used.saturating_add(m.input.memory),
            holders,
            later_b_start: None,
        }
    }

    fn check_memory(&self) -> Result<(), Fail> {
        for module in 0..self.ctx.sys.modules.len() {
            let cap = self.ctx.sys.modules[module].memory;
            let segs = self.segments(module, None);
            if let Some(&(at, used)) = segs.iter().find(|s| s.1 > cap) {
                let active: Vec<&Hold> = self
                    .holds
                    .iter()
                    .filter(|h| h.module == module && h.from <= at && at < h.to)
                    .collect();
                let mut holders: Vec<usize> = active.iter().map(|h| h.owner).collect();
                holders.sort_unstable();
                holders.dedup();
                // a source still held after b_start: B could start later
                let later = if at >= self.bs {
                    active
                        .iter()
                        .filter(|h| h.role == Role::Source && h.to != u64::MAX)
                        .map(|h| h.to)
                        .max()
                } else {
                    None
                };
                return Err(Fail::Memory {
                    module,
                    at,
                    used,
                    holders,
                    later_b_start: later,
                });
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<Built, Fail> {
        let ctx = self.ctx;
        let mut unav = vec![None; ctx.progs.len()];
        let mut complete = self.baseline;
        let mut bytes = 0u64;
        let mut choices = Vec::with_capacity(self.migs.len());
        for (mi, c) in self.choices.iter().enumerate() {
            let Some(c) = c else {
                continue;
            };
            let pi = self.migs[mi].pi;
            unav[pi] = Some(c.dest.unavailability);
            complete = complete.max(c.complete());
            bytes = bytes.saturating_add(c.tl.source_bytes);
            choices.push(c.clone());
        }
        let mut fail: Option<Fail> = None;
        for (pi, p) in ctx.progs.iter().enumerate() {
            if p.action == Action::Continue {
                unav[pi] = Some(self.unavailability(pi, 0, &[]));
            }
            if let (Some(u), Some(b)) = (unav[pi], p.bound)
                && u > b
            {
                let mig = self.migs.iter().position(|m| m.pi == pi);
                let f = Fail::Bound {
                    pi,
                    unavailability: u,
                    bound: b,
                    scheme: mig
                        .and_then(|mi| self.choices[mi].as_ref())
                        .map(|c| c.tl.scheme),
                    bottleneck: mig.map(|mi| {
                        let m = &self.migs[mi];
                        m.route.dirs[m.route.bottleneck(&self.model, m.input.chunk)]
                    }),
                    dest_full_until: mig.and_then(|mi| {
                        let m = &self.migs[mi];
                        let t = self.dest_from[mi];
                        (t > self.r).then_some((m.dst, t))
                    }),
                    later_b_start: mig.and_then(|mi| {
                        let c = self.choices[mi].as_ref()?;
                        let j = c.dest.first_job.checked_sub(1)?;
                        let (start, _, _) = self.b_job(p, j);
                        Some(self.bs + c.tl.may_run.saturating_sub(start))
                    }),
                };
                // report the largest excess
                let worse = match &fail {
                    Some(Fail::Bound {
                        unavailability: u0,
                        bound: b0,
                        ..
                    }) => u - b > u0 - b0,
                    _ => true,
                };
                if worse {
                    fail = Some(f);
                }
            }
        }
        if let Some(f) = fail {
            return Err(f);
        }
        Ok(Built {
            s: self.s,
            bs: self.bs,
            migs: self.migs,
            choices,
            unavailability: unav,
            complete,
            bytes,
        })
    }
}

/// (largest gap among A completions from `r − H_A` to `S`, last A
/// completion before `S`), internal times.
fn history(p: &Prog, ha: u64, r: u64, s: u64) -> (u64, u64) {
    let mut gap = 0u64;
    let mut prev: Option<u64> = None;
    let from = r.saturating_sub(ha);
    for g in 0..s / ha {
        let base = g * ha;
        for j in &p.a_jobs {
            let c = base + j.end;
            if c < from {
                continue;
            }
            if let Some(pv) = prev {
                gap = gap.max(c - pv);
            }
            prev = Some(c);
        }
    }
    (gap, prev.unwrap_or(s))
}
