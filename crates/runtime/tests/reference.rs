//! Property tests: for random valid tables and random switch requests, the
//! dispatcher agrees tick by tick with a brute-force model (linear scans of
//! the plain-data spec), never panics, switches exactly on frame
//! boundaries, and its `next_boundary` never skips a change.

#[path = "../../tables/tests/support/gen.rs"]
mod generator;

use proptest::prelude::*;
use seamless_runtime::{Dispatch, Dispatcher, Event, SwitchError, SwitchOutcome};
use seamless_tables::{ActionKind, ModeSpec, ModuleTablesSpec, Tables, TransitionSpec, encode};

const CORES: usize = 3;
const HORIZON: u64 = 260;

/// A running job: (program, job, start, end).
type Job = (u16, u64, u64, u64);
/// The model's answer at one tick: per core the running job, the jobs
/// skipped at that tick (core, program, job), and how many extended jobs
/// start then.
type Answer = ([Option<Job>; CORES], Vec<(u16, u16, u64)>, usize);

/// The model's plan.
#[derive(Clone, Copy, Debug)]
struct RPlan<'s> {
    from: u16,
    to: u16,
    tr: &'s TransitionSpec,
    commit: u64,
    s: u64,
    b: u64,
    c: u64,
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Outcome {
    Planned,
    Replaced,
    Cancelled,
    Queued,
    Unknown,
    NotAllowed,
    QueueFull,
}

struct Model<'s> {
    spec: &'s ModuleTablesSpec,
    mode: u16,
    origin: u64,
    entry: Option<RPlan<'s>>,
    active: Option<RPlan<'s>>,
    queued: Option<RPlan<'s>>,
}

impl<'s> Model<'s> {
    fn mode_spec(&self, id: u16) -> &'s ModeSpec {
        self.spec.modes.iter().find(|m| m.id == id).unwrap()
    }

    fn plan(&self, from: u16, origin: u64, r: u64, to: u16) -> Option<RPlan<'s>> {
        let tr = self
            .spec
            .transitions
            .iter()
            .find(|t| t.from == from && t.to == to)?;
        let h = self.mode_spec(from).major_frame;
        let mut s = origin;
        while s < r + tr.lead {
            s += h;
        }
        Some(RPlan {
            from,
            to,
            tr,
            commit: s - tr.lead,
            s,
            b: s + tr.phi,
            c: s + tr.complete,
        })
    }

    /// Retire the transitions complete at `t`.
    fn advance(&mut self, t: u64) {
        while let Some(a) = self.active.filter(|a| a.c <= t) {
            self.mode = a.to;
            self.origin = a.b;
            self.entry = Some(a);
            self.active = self.queued.take();
        }
    }

    fn request(&mut self, to: u16, t: u64) -> Outcome {
        self.advance(t);
        if !self.spec.modes.iter().any(|m| m.id == to) {
            return Outcome::Unknown;
        }
        match self.active {
            None => match self.plan(self.mode, self.origin, t, to) {
                Some(p) => {
                    self.active = Some(p);
                    Outcome::Planned
                }
                None => Outcome::NotAllowed,
            },
            Some(a) if t < a.commit => {
                if to == self.mode {
                    self.active = None;
                    Outcome::Cancelled
                } else if to == a.to {
                    Outcome::Planned
                } else {
                    match self.plan(self.mode, self.origin, t, to) {
                        Some(p) => {
                            self.active = Some(p);
                            Outcome::Replaced
                        }
                        None => Outcome::NotAllowed,
                    }
                }
            }
            Some(a) => {
                if self.queued.is_some() {
                    return Outcome::QueueFull;
                }
                match self.plan(a.to, a.b, a.c, to) {
                    Some(p) => {
                        self.queued = Some(p);
                        Outcome::Queued
                    }
                    None => Outcome::NotAllowed,
                }
            }
        }
    }

    /// (mode, origin, plan whose skips/extends apply), or None in a gap.
    fn regime(&self, t: u64) -> Option<(u16, u64, Option<RPlan<'s>>)> {
        match self.active {
            Some(a) if t >= a.s && t < a.b => None,
            Some(a) if t >= a.s => Some((a.to, a.b, Some(a))),
            _ => Some((self.mode, self.origin, self.entry)),
        }
    }

    /// Per core: (program, job, start, end) running at `t`, by linear scan;
    /// plus the jobs skipped at `t`.
    fn answer(&self, t: u64) -> Answer {
        let mut out = [None; CORES];
        let mut skipped_now = Vec::new();
        let mut extended_now = 0;
        let Some((mode, origin, entry)) = self.regime(t) else {
            return (out, skipped_now, extended_now);
        };
        let m = self.mode_spec(mode);
        let h = m.major_frame;
        let f = (t - origin) / h;
        for (c, list) in m.cores.iter().enumerate() {
            for w in list {
                let all: Vec<u64> = {
                    let mut v: Vec<u64> = m
                        .cores
                        .iter()
                        .flatten()
                        .filter(|x| x.program == w.program)
                        .map(|x| x.start)
                        .collect();
                    v.sort();
                    v
                };
                let n = all.len() as u64;
                let k = all.iter().position(|&s| s == w.start).unwrap() as u64;
                let job = f * n + k;
                let start = origin + f * h + w.start;
                let mut end = origin + f * h + w.end;
                let mut skipped = false;
                if let Some(p) = entry.filter(|p| start < p.c && p.to == mode) {
                    skipped =
                        p.tr.skips
                            .iter()
                            .any(|s| s.program == w.program && s.job == job);
                    if let Some(e) =
                        p.tr.extends
                            .iter()
                            .find(|e| e.program == w.program && e.job == job)
                    {
                        end += e.extra;
                        extended_now += usize::from(start == t);
                    }
                }
                if skipped {
                    if start == t {
                        skipped_now.push((c as u16, w.program, job));
                    }
                    continue;
                }
                if start <= t && t < end {
                    assert!(out[c].is_none(), "model: two jobs on core {c} at {t}");
                    out[c] = Some((w.program, job, start, end));
                }
            }
        }
        (out, skipped_now, extended_now)
    }
}

fn outcome(r: &Result<SwitchOutcome, SwitchError>) -> Outcome {
    match r {
        Ok(SwitchOutcome::Planned(_)) => Outcome::Planned,
        Ok(SwitchOutcome::Replaced { .. }) => Outcome::Replaced,
        Ok(SwitchOutcome::Cancelled(_)) => Outcome::Cancelled,
        Ok(SwitchOutcome::Queued(_)) => Outcome::Queued,
        Err(SwitchError::UnknownMode(_)) => Outcome::Unknown,
        Err(SwitchError::NotAllowed { .. }) => Outcome::NotAllowed,
        Err(SwitchError::QueueFull(_)) => Outcome::QueueFull,
        Err(SwitchError::Overflow) => panic!("overflow"),
    }
}

fn flat(r: &Dispatch<CORES>) -> [Option<Job>; CORES] {
    r.running
        .map(|x| x.map(|r| (r.program, r.job, r.start, r.end)))
}

/// Requests: (time, index into the mode list; past the end = unknown id).
fn requests(spec: &ModuleTablesSpec, raw: &[(u64, usize)]) -> Vec<(u64, u16)> {
    let mut v: Vec<(u64, u16)> = raw
        .iter()
        .map(|&(t, i)| {
            (
                t,
                spec.modes
                    .get(i % (spec.modes.len() + 1))
                    .map_or(999, |m| m.id),
            )
        })
        .collect();
    v.sort();
    v
}

/// What one run went through.
#[derive(Default, Debug)]
struct Stats {
    switches: usize,
    skips: usize,
    extended: usize,
    actions: usize,
    queued: usize,
    gaps: usize,
}

fn run(seed: u64, raw: &[(u64, usize)]) -> Result<Stats, TestCaseError> {
    let mut stats = Stats::default();
    let spec = generator::spec(seed);
    let bytes = encode(&spec).unwrap();
    let tables = Tables::parse(&bytes).unwrap();
    let initial = spec.modes[(seed % spec.modes.len() as u64) as usize].id;
    let mut d = Dispatcher::<CORES>::new(tables, initial).unwrap();
    let mut model = Model {
        spec: &spec,
        mode: initial,
        origin: 0,
        entry: None,
        active: None,
        queued: None,
    };
    let reqs = requests(&spec, raw);
    let mut prev_model = [None; CORES];
    // The old mode's origin, to check that switch points are its frame boundaries.
    let mut origin_of_current = (initial, 0u64);
    for t in 0..HORIZON {
        for &(rt, to) in reqs.iter().filter(|r| r.0 == t) {
            let got = d.request_switch(to, rt);
            let want = model.request(to, rt);
            prop_assert_eq!(outcome(&got), want, "request {} at {}", to, rt);
            stats.queued += usize::from(want == Outcome::Queued);
        }
        model.advance(t);
        let mut ev = heapless::Vec::<Event, 32>::new();
        let r = d.tick(t, &mut ev).unwrap();
        prop_assert_eq!(r.events_lost, 0);
        let (want, skipped, extended) = model.answer(t);
        stats.extended += extended;
        stats.skips += skipped.len();
        stats.gaps += usize::from(r.mode.is_none());
        prop_assert_eq!(flat(&r), want, "tick {}", t);
        prop_assert_eq!(r.mode, model.regime(t).map(|x| x.0), "mode at {}", t);
        // Job starts, ends and skips agree with the model's answers.
        let mut starts: Vec<(u16, u16, u64, u64)> = ev
            .iter()
            .filter_map(|e| match *e {
                Event::JobStart {
                    core,
                    program,
                    job,
                    end,
                } => Some((core, program, job, end)),
                _ => None,
            })
            .collect();
        starts.sort();
        let want_starts: Vec<(u16, u16, u64, u64)> = want
            .iter()
            .enumerate()
            .filter_map(|(c, x)| x.filter(|x| x.2 == t).map(|x| (c as u16, x.0, x.1, x.3)))
            .collect();
        prop_assert_eq!(starts, want_starts, "starts at {}", t);
        let ends: Vec<(u16, u16, u64)> = ev
            .iter()
            .filter_map(|e| match *e {
                Event::JobEnd { core, program, job } => Some((core, program, job)),
                _ => None,
            })
            .collect();
        let want_ends: Vec<(u16, u16, u64)> = prev_model
            .iter()
            .enumerate()
            .filter_map(|(c, x): (usize, &Option<Job>)| {
                x.filter(|x| x.3 == t).map(|x| (c as u16, x.0, x.1))
            })
            .collect();
        prop_assert_eq!(ends, want_ends, "ends at {}", t);
        let skips: Vec<(u16, u16, u64)> = ev
            .iter()
            .filter_map(|e| match *e {
                Event::JobSkipped { core, program, job } => Some((core, program, job)),
                _ => None,
            })
            .collect();
        prop_assert_eq!(skips, skipped, "skips at {}", t);
        // Switch points, mode starts, actions.
        // The plan that just completed (its last actions may fall on its
        // completion instant) and the one in progress or pending.
        let plans: Vec<RPlan<'_>> = model
            .entry
            .filter(|e| e.c == t)
            .into_iter()
            .chain(model.active)
            .collect();
        for e in &ev {
            match *e {
                Event::SwitchPoint { from, to } => {
                    prop_assert!(plans.iter().any(|p| (p.from, p.to, p.s) == (from, to, t)));
                    let (m, origin) = origin_of_current;
                    prop_assert_eq!(m, from);
                    let h = model.mode_spec(from).major_frame;
                    prop_assert_eq!(
                        (t - origin) % h,
                        0,
                        "switch point {} not a frame boundary",
                        t
                    );
                    stats.switches += 1;
                }
                Event::ModeStart { mode } => {
                    prop_assert!(plans.iter().any(|p| (p.to, p.b) == (mode, t)));
                    origin_of_current = (mode, t);
                }
                _ => {}
            }
        }
        let n_actions = ev
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    Event::Stop { .. }
                        | Event::Suspend { .. }
                        | Event::SendChunk { .. }
                        | Event::Resume { .. }
                )
            })
            .count();
        let want_actions: usize = plans
            .iter()
            .map(|p| {
                p.tr.actions
                    .iter()
                    .filter(|a| p.s as i64 + a.at == t as i64)
                    .count()
            })
            .sum();
        prop_assert_eq!(n_actions, want_actions, "actions at {}", t);
        stats.actions += n_actions;
        for e in &ev {
            if let Event::SendChunk { end, .. } = *e {
                let want = plans.iter().any(|p| {
                    p.tr.actions.iter().any(|a| {
                        matches!(a.kind, ActionKind::SendChunk { end: e2, .. }
                            if p.s as i64 + a.at == t as i64 && p.s as i64 + e2 == end as i64)
                    })
                });
                prop_assert!(want);
            }
        }
        prev_model = want;
    }
    Ok(stats)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn dispatcher_matches_brute_force(
        seed in any::<u64>(),
        raw in proptest::collection::vec((0..HORIZON, 0usize..4), 0..6),
    ) {
        run(seed, &raw)?;
    }

    /// Jumping from boundary to boundary gives the same answers and the
    /// same events as ticking every instant, and nothing happens in between.
    #[test]
    fn next_boundary_never_skips_a_change(
        seed in any::<u64>(),
        raw in proptest::collection::vec((0..HORIZON, 0usize..4), 0..4),
    ) {
        let spec = generator::spec(seed);
        let bytes = encode(&spec).unwrap();
        let tables = Tables::parse(&bytes).unwrap();
        let initial = spec.modes[0].id;
        let reqs = requests(&spec, &raw);
        let mut every = Dispatcher::<CORES>::new(tables, initial).unwrap();
        let mut jumpy = Dispatcher::<CORES>::new(tables, initial).unwrap();
        let mut next = 0u64;
        let mut last_answer = None;
        for t in 0..HORIZON {
            for &(rt, to) in reqs.iter().filter(|r| r.0 == t) {
                let a = every.request_switch(to, rt);
                let b = jumpy.request_switch(to, rt);
                prop_assert_eq!(a, b);
                // A request may create boundaries: re-plan the jump.
                next = next.min(t);
            }
            let mut ev = heapless::Vec::<Event, 32>::new();
            let r = every.tick(t, &mut ev).unwrap();
            if t == next {
                let mut ev2 = heapless::Vec::<Event, 32>::new();
                let r2 = jumpy.tick(t, &mut ev2).unwrap();
                prop_assert_eq!(r, r2);
                prop_assert_eq!(&ev, &ev2);
                next = jumpy.next_boundary(t).unwrap();
                prop_assert!(next > t);
                last_answer = Some(r);
            } else {
                prop_assert!(ev.is_empty(), "events at {} between boundaries: {:?}", t, ev);
                let prev = last_answer.unwrap();
                prop_assert_eq!((r.mode, r.running), (prev.mode, prev.running), "answer changed at {}", t);
            }
        }
    }

    #[test]
    fn arbitrary_calls_never_panic(
        seed in any::<u64>(),
        calls in proptest::collection::vec((any::<u64>(), any::<u16>(), any::<bool>()), 0..40),
    ) {
        let spec = generator::spec(seed);
        let bytes = encode(&spec).unwrap();
        let tables = Tables::parse(&bytes).unwrap();
        let origin = seed % 3 * (u64::MAX / 2);
        let mut d = Dispatcher::<CORES>::with_origin(tables, spec.modes[0].id, origin).unwrap();
        let mut ev = heapless::Vec::<Event, 4>::new();
        for (t, m, req) in calls {
            let m = if m % 2 == 0 { spec.modes[usize::from(m / 2) % spec.modes.len()].id } else { m };
            if req {
                let _ = d.request_switch(m, t);
            } else {
                ev.clear();
                let _ = d.tick(t, &mut ev);
                let _ = d.next_boundary(t);
            }
            let _ = d.phase();
            let _ = d.queued();
        }
    }
}

/// The random cases do exercise switches, gaps, skipped and extended jobs,
/// queued requests and migration actions (guards against a vacuous model).
#[test]
fn random_cases_exercise_the_interesting_paths() {
    let mut total = Stats::default();
    for seed in 0..300u64 {
        let raw = [(seed % 50, 1usize), (seed % 50 + 7, 2), (120, 0), (121, 2)];
        let s = run(seed, &raw).unwrap();
        total.switches += s.switches;
        total.skips += s.skips;
        total.extended += s.extended;
        total.actions += s.actions;
        total.queued += s.queued;
        total.gaps += s.gaps;
    }
    let Stats {
        switches,
        skips,
        extended,
        actions,
        queued,
        gaps,
    } = total;
    assert!(
        switches > 200
            && skips > 100
            && extended > 50
            && actions > 100
            && queued > 20
            && gaps > 200,
        "{total:?}"
    );
}
