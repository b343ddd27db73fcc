//! The seamless runtime: a `no_std`, allocation-free dispatcher that runs one
//! module's compiled tables (see `seamless-tables`) and switches modes at the
//! planned switch points.
//!
//! # The model
//!
//! Time is an integer count of **ticks** (`u64`) from an origin the caller
//! chooses. A **mode**'s table covers one major frame of `H` ticks and
//! repeats forever from the instant the mode starts (its *origin*): on each
//! core, a sorted list of non-overlapping job windows `[start, end)` (the
//! core runs the window's program, non-preemptively; outside every window
//! the core is idle), and on each outgoing link direction a sorted list of
//! message slots. Job `k` of a program in frame repetition `f` (counted from
//! the mode's origin) has the absolute index `f·n + k` (`n` jobs per frame),
//! as in the model's plans.
//!
//! A **mode switch** `A → B` follows the transition plan compiled for it:
//!
//! - A request arriving at `r` is served at the **switch point** `S`, the
//!   first frame boundary of `A` (`S = origin_A + k·H_A`) with
//!   `S ≥ r + lead`. `lead` is the plan's lead time, how long before `S`
//!   its first action may be due (0 for plans that do nothing before `S`,
//!   in which case `S` is simply the first boundary at or after `r`).
//! - `A`'s table runs, every job of it, until `S`. In `[S, S + φ)` no table
//!   runs: every core is idle, no slot is used. `B`'s table starts at
//!   `b_start = S + φ` and repeats from there.
//! - The plan's actions (stop, suspend, send chunk, resume) are reported as
//!   events at `S + at`; `at` may be negative (down to `−lead`).
//! - Jobs of `B` listed as **skipped** are not dispatched (the core stays
//!   idle; a [`Event::JobSkipped`] is reported instead of a start). Jobs
//!   listed as **extended** are dispatched for their window plus the extra
//!   ticks (the extension may cover skipped jobs, never an executed one).
//! - The transition is **complete** at `S + complete`; from then on `B` is
//!   the current mode, in steady state.
//!
//! # Requests during a switch (the second-request rule)
//!
//! A plan is **pending** from its request until its commit instant
//! `S − lead` (`= S` when the plan has no lead), then **in progress** until
//! it completes. [`Dispatcher::request_switch`]`(to, now)`:
//!
//! 1. No plan: plans `current → to` as above; `NotAllowed` if the table has
//!    no such transition (including `to == current`).
//! 2. A plan is pending: the new request **replaces** it if `current → to`
//!    is allowed (the new `S` is computed from the new request time); a
//!    request for the current mode itself **cancels** the pending plan; any
//!    other request is refused (`NotAllowed`) and the pending plan stays.
//! 3. A plan is in progress (past `S − lead`): the request is **queued**
//!    (a queue of capacity 1) if `B → to` is allowed, and is taken at the
//!    first switch point of `B` at or after the transition completes
//!    (`S₂ ≥ complete + lead₂`); once that transition completes it is an
//!    ordinary plan again, pending until its own commit instant (so a later
//!    request can still replace it). If a request is already queued, the
//!    new one is refused with [`SwitchError::QueueFull`], which hands the
//!    refused mode back; [`Dispatcher::cancel_queued`] removes the queued
//!    one.
//!
//! A request counts from `max(now, t)` where `t` is the first tick not yet
//! dispatched: it never changes what was already dispatched.
//!
//! # Driving it
//!
//! Call [`Dispatcher::tick`] (or [`Dispatcher::tick_with`] /
//! [`Dispatcher::poll`]) with strictly increasing `now`. The answer says what
//! runs on each core at `now`; the events are the ones that happen exactly
//! at `now`, in this order: job ends, slot ends, then for each transition
//! its begin, switch point, due actions and mode start, then job starts (or
//! skips), slot starts, and transition completions. A caller that skips
//! instants misses the events of those instants (the answer is always
//! right): [`Dispatcher::next_boundary`] tells the next instant at which
//! anything may happen, to program a timer with.
//!
//! Each call costs `O(cores · log W + links · log L + log A)` (binary search
//! on the sorted windows, slots and actions), plus the number of consecutive
//! skipped jobs an extended job covers. Nothing allocates; nothing panics:
//! errors are returned, and arithmetic near `u64::MAX` saturates.
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(test)]
extern crate std;

use core::fmt;

use heapless::Deque;
use seamless_tables::{ActionKind, LinkId, MessageId, Mode, ModeId, ProgramId, Tables};

/// A job running on a core.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Running {
    /// The program.
    pub program: ProgramId,
    /// The job's index counted from the mode's start (`f·n + k`).
    pub job: u64,
    /// Absolute tick the job started.
    pub start: u64,
    /// Absolute tick the job ends (extension included).
    pub end: u64,
}

/// The dispatcher's answer for one tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dispatch<const CORES: usize> {
    /// The tick.
    pub now: u64,
    /// The mode whose table is in force (`None` in `[S, b_start)` of a
    /// switch, and before the initial mode's origin).
    pub mode: Option<ModeId>,
    /// What runs on each core (`None`: idle). Entries past the module's
    /// number of cores are always `None`.
    pub running: [Option<Running>; CORES],
    /// Events that did not fit in the caller's buffer (0 with
    /// [`Dispatcher::tick_with`]).
    pub events_lost: usize,
}

/// Something that happens exactly at one tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Event {
    /// A job ended (it ran on `core` until this tick).
    JobEnd {
        /// Core.
        core: u16,
        /// Program.
        program: ProgramId,
        /// Job index from the mode's start.
        job: u64,
    },
    /// A message slot ended.
    SlotEnd {
        /// Link direction.
        link: LinkId,
        /// Message.
        message: MessageId,
        /// Frame repetition from the mode's start.
        frame: u64,
        /// Instance within the frame.
        instance: u32,
    },
    /// A transition's plan is committed (at `S − lead`): it can no longer be
    /// replaced or cancelled.
    TransitionBegin {
        /// Old mode.
        from: ModeId,
        /// New mode.
        to: ModeId,
        /// `S`.
        switch_point: u64,
        /// `S + φ`.
        b_start: u64,
    },
    /// The old mode's table stops (at `S`).
    SwitchPoint {
        /// Old mode.
        from: ModeId,
        /// New mode.
        to: ModeId,
    },
    /// A program of the old mode only stops for good.
    Stop {
        /// Program.
        program: ProgramId,
    },
    /// A migrating program is suspended on this module.
    Suspend {
        /// Program.
        program: ProgramId,
    },
    /// Start sending a migration chunk on an outgoing link direction.
    SendChunk {
        /// Migrating program.
        program: ProgramId,
        /// Link direction.
        link: LinkId,
        /// Bytes.
        bytes: u64,
        /// Absolute tick the transmission ends.
        end: u64,
    },
    /// A migrated program may run on this module from now on.
    Resume {
        /// Program.
        program: ProgramId,
    },
    /// The new mode's table starts (at `b_start`).
    ModeStart {
        /// New mode.
        mode: ModeId,
    },
    /// A job starts.
    JobStart {
        /// Core.
        core: u16,
        /// Program.
        program: ProgramId,
        /// Job index from the mode's start.
        job: u64,
        /// Absolute tick it ends (extension included).
        end: u64,
    },
    /// A job's window starts, but the plan skips the job: the core stays idle.
    JobSkipped {
        /// Core.
        core: u16,
        /// Program.
        program: ProgramId,
        /// Job index from the mode's start.
        job: u64,
    },
    /// A message slot starts.
    SlotStart {
        /// Link direction.
        link: LinkId,
        /// Message.
        message: MessageId,
        /// Frame repetition from the mode's start.
        frame: u64,
        /// Instance within the frame.
        instance: u32,
        /// Absolute tick the slot ends.
        end: u64,
    },
    /// A transition is complete: the new mode is the current mode.
    TransitionComplete {
        /// Old mode.
        from: ModeId,
        /// New mode.
        to: ModeId,
    },
}

/// A scheduled mode switch: all instants absolute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Plan {
    /// Old mode.
    pub from: ModeId,
    /// New mode.
    pub to: ModeId,
    /// The (effective) request instant `r`.
    pub requested: u64,
    /// `S − lead`: from here on the plan is committed.
    pub commit: u64,
    /// `S`, a frame boundary of the old mode.
    pub switch_point: u64,
    /// `S + φ`, the new mode's origin.
    pub b_start: u64,
    /// `S + complete`.
    pub complete: u64,
    transition: usize,
    to_index: usize,
}

/// Where the dispatcher stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// No switch planned.
    Steady {
        /// The current mode.
        mode: ModeId,
    },
    /// A switch is planned and can still be replaced or cancelled.
    Pending(Plan),
    /// A switch is in progress.
    Switching(Plan),
}

/// What [`Dispatcher::request_switch`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SwitchOutcome {
    /// A new switch is planned.
    Planned(Plan),
    /// The pending switch was replaced by this one.
    Replaced {
        /// The plan that was dropped.
        old: Plan,
        /// The plan now pending.
        new: Plan,
    },
    /// The request named the current mode: the pending switch was cancelled.
    Cancelled(Plan),
    /// A switch is in progress; this one is queued behind it.
    Queued(Plan),
}

/// Why a switch request was refused. Nothing changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SwitchError {
    /// The table has no mode with this id.
    UnknownMode(ModeId),
    /// The table allows no transition `from → to`.
    NotAllowed {
        /// The mode the switch would leave.
        from: ModeId,
        /// The requested mode.
        to: ModeId,
    },
    /// A request is already queued behind the switch in progress; the
    /// refused request (its target mode) is handed back.
    QueueFull(ModeId),
    /// The switch point would lie beyond `u64::MAX` ticks.
    Overflow,
}

/// Why a dispatcher could not be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewError {
    /// The table has no mode with this id.
    UnknownMode(ModeId),
    /// The module has more cores than the dispatcher's `CORES` capacity.
    TooManyCores {
        /// Cores in the table.
        table: u16,
        /// The dispatcher's capacity.
        capacity: usize,
    },
}

/// Why a tick was refused. Nothing changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TickError {
    /// `now` is before the first instant not yet dispatched (ticks must
    /// strictly increase, and cannot precede an accepted request).
    TimeWentBackwards {
        /// The refused instant.
        now: u64,
        /// The earliest instant accepted.
        earliest: u64,
    },
}

impl fmt::Display for SwitchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SwitchError::UnknownMode(m) => write!(f, "unknown mode {m}"),
            SwitchError::NotAllowed { from, to } => {
                write!(f, "no transition from mode {from} to mode {to}")
            }
            SwitchError::QueueFull(m) => write!(
                f,
                "a switch is already queued; request for mode {m} refused"
            ),
            SwitchError::Overflow => write!(f, "switch point beyond the end of time"),
        }
    }
}

impl fmt::Display for NewError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NewError::UnknownMode(m) => write!(f, "unknown mode {m}"),
            NewError::TooManyCores { table, capacity } => {
                write!(
                    f,
                    "the table has {table} cores, the dispatcher holds {capacity}"
                )
            }
        }
    }
}

impl fmt::Display for TickError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TickError::TimeWentBackwards { now, earliest } => {
                write!(
                    f,
                    "tick {now} refused: the earliest instant accepted is {earliest}"
                )
            }
        }
    }
}

impl core::error::Error for SwitchError {}
impl core::error::Error for NewError {}
impl core::error::Error for TickError {}

/// The table in force outside any transition: a mode from its origin, and
/// the transition that started it (for its skipped and extended jobs).
#[derive(Clone, Copy, Debug)]
struct Base {
    mode: usize,
    origin: u64,
    entry: Option<Plan>,
}

/// What is in force at one instant.
#[derive(Clone, Copy, Debug)]
enum Regime {
    /// Before the initial mode's origin.
    Idle,
    /// Between a switch point and the new mode's start.
    Gap,
    /// A mode's table (by index) from `origin`; `entry` is the transition
    /// that started it.
    Table {
        mode: usize,
        origin: u64,
        entry: Option<Plan>,
    },
}

/// Most plans that can be outstanding at once: one in progress, one queued,
/// and up to two that complete exactly at the instant of a request but are
/// not yet retired.
const MAX_PLANS: usize = 4;

/// Dispatches one module's tables: see the [crate docs](crate).
///
/// `CORES` is the capacity of [`Dispatch::running`]; it must be at least the
/// module's number of cores.
#[derive(Clone, Debug)]
pub struct Dispatcher<'a, const CORES: usize> {
    tables: Tables<'a>,
    base: Base,
    /// Outstanding plans in time order; each one's `S` is at or after the
    /// previous one's completion.
    plans: Deque<Plan, MAX_PLANS>,
    /// The first instant not yet dispatched.
    clock: u64,
}

impl<'a, const CORES: usize> Dispatcher<'a, CORES> {
    /// A dispatcher running `initial_mode` from tick 0.
    pub fn new(tables: Tables<'a>, initial_mode: ModeId) -> Result<Self, NewError> {
        Self::with_origin(tables, initial_mode, 0)
    }

    /// A dispatcher running `initial_mode` from tick `origin` (cores are idle
    /// before it).
    pub fn with_origin(
        tables: Tables<'a>,
        initial_mode: ModeId,
        origin: u64,
    ) -> Result<Self, NewError> {
        if usize::from(tables.cores()) > CORES {
            return Err(NewError::TooManyCores {
                table: tables.cores(),
                capacity: CORES,
            });
        }
        let mode = tables
            .mode_index(initial_mode)
            .ok_or(NewError::UnknownMode(initial_mode))?;
        Ok(Dispatcher {
            tables,
            base: Base {
                mode,
                origin,
                entry: None,
            },
            plans: Deque::new(),
            clock: 0,
        })
    }

    /// The tables.
    pub fn tables(&self) -> &Tables<'a> {
        &self.tables
    }

    /// The first instant not yet dispatched (the earliest `now` that
    /// [`tick`](Self::tick) accepts).
    pub fn earliest_tick(&self) -> u64 {
        self.clock
    }

    /// Where the dispatcher stands at the first instant not yet dispatched.
    pub fn phase(&self) -> Phase {
        self.phase_at(self.clock)
    }

    fn phase_at(&self, t: u64) -> Phase {
        let mut mode = self.mode_id(self.base.mode);
        for p in self.plans.iter() {
            if t >= p.complete {
                mode = p.to;
            } else if t >= p.commit {
                return Phase::Switching(*p);
            } else {
                return Phase::Pending(*p);
            }
        }
        Phase::Steady { mode }
    }

    /// The request queued behind the switch in progress, if any.
    pub fn queued(&self) -> Option<Plan> {
        let mut it = self.plans.iter().filter(|p| p.complete > self.clock);
        let first = it.next()?;
        if self.clock >= first.commit {
            it.next().copied()
        } else {
            None
        }
    }

    /// Removes the request queued behind the switch in progress and returns it.
    pub fn cancel_queued(&mut self) -> Option<Plan> {
        let q = self.queued()?;
        self.plans.pop_back_if(|p| *p == q)
    }

    fn mode_id(&self, index: usize) -> ModeId {
        self.tables.mode_at(index).map_or(0, |m| m.id())
    }

    /// Plans a switch from mode `from` (running from `origin`) to `to`,
    /// requested at `r`.
    fn plan(&self, from: usize, origin: u64, r: u64, to: ModeId) -> Result<Plan, SwitchError> {
        let to_index = self
            .tables
            .mode_index(to)
            .ok_or(SwitchError::UnknownMode(to))?;
        let from_mode = self
            .tables
            .mode_at(from)
            .ok_or(SwitchError::UnknownMode(to))?;
        let not_allowed = SwitchError::NotAllowed {
            from: from_mode.id(),
            to,
        };
        let transition = self
            .tables
            .transition_index(from_mode.id(), to)
            .ok_or(not_allowed)?;
        let tr = self.tables.transition_at(transition).ok_or(not_allowed)?;
        let h = from_mode.major_frame().max(1);
        let target = r
            .checked_add(tr.lead())
            .ok_or(SwitchError::Overflow)?
            .max(origin);
        let k = (target - origin).div_ceil(h);
        let s = k
            .checked_mul(h)
            .and_then(|x| x.checked_add(origin))
            .ok_or(SwitchError::Overflow)?;
        Ok(Plan {
            from: from_mode.id(),
            to,
            requested: r,
            commit: s - tr.lead().min(s),
            switch_point: s,
            b_start: s.checked_add(tr.phi()).ok_or(SwitchError::Overflow)?,
            complete: s.checked_add(tr.complete()).ok_or(SwitchError::Overflow)?,
            transition,
            to_index,
        })
    }

    /// Requests a switch to mode `to` at `now`, following the rule in the
    /// [crate docs](crate#requests-during-a-switch-the-second-request-rule).
    /// On error nothing changes.
    ///
    /// `now` may lie ahead of the dispatch clock (a request scheduled in
    /// advance); the ticks before it are unaffected. At most four plans can
    /// be outstanding at once (in practice one in progress and one queued);
    /// a request beyond that is refused with [`SwitchError::QueueFull`].
    pub fn request_switch(&mut self, to: ModeId, now: u64) -> Result<SwitchOutcome, SwitchError> {
        let r = now.max(self.clock);
        if self.tables.mode_index(to).is_none() {
            return Err(SwitchError::UnknownMode(to));
        }
        self.retire(r.saturating_sub(1));
        // The state at `r`: plans complete by `r` count as done.
        let (mut mode, mut origin) = (self.base.mode, self.base.origin);
        let mut live: [Option<Plan>; 2] = [None, None];
        let mut n_live = 0usize;
        for p in self.plans.iter() {
            if p.complete <= r && n_live == 0 {
                mode = p.to_index;
                origin = p.b_start;
            } else if let Some(slot) = live.get_mut(n_live) {
                *slot = Some(*p);
                n_live += 1;
            } else {
                return Err(SwitchError::QueueFull(to));
            }
        }
        match live {
            [None, _] => {
                let plan = self.plan(mode, origin, r, to)?;
                self.push(plan, to)?;
                Ok(SwitchOutcome::Planned(plan))
            }
            [Some(p), None] if r < p.commit => {
                if to == self.mode_id(mode) {
                    let old = self.plans.pop_back().unwrap_or(p);
                    return Ok(SwitchOutcome::Cancelled(old));
                }
                if to == p.to {
                    return Ok(SwitchOutcome::Planned(p));
                }
                let plan = self.plan(mode, origin, r, to)?;
                let old = self.plans.pop_back().unwrap_or(p);
                self.push(plan, to)?;
                Ok(SwitchOutcome::Replaced { old, new: plan })
            }
            [Some(p), None] => {
                let plan = self.plan(p.to_index, p.b_start, r.max(p.complete), to)?;
                self.push(plan, to)?;
                Ok(SwitchOutcome::Queued(plan))
            }
            [Some(_), Some(_)] => Err(SwitchError::QueueFull(to)),
        }
    }

    fn push(&mut self, plan: Plan, to: ModeId) -> Result<(), SwitchError> {
        self.plans
            .push_back(plan)
            .map_err(|_| SwitchError::QueueFull(to))
    }

    /// Retires the plans complete at or before `t`: their new mode becomes
    /// the base. Afterwards the state answers correctly for every instant
    /// at or after `t`.
    fn retire(&mut self, t: u64) {
        while let Some(p) = self.plans.pop_front_if(|p| p.complete <= t) {
            self.base = Base {
                mode: p.to_index,
                origin: p.b_start,
                entry: Some(p),
            };
        }
    }

    fn regime(&self, t: u64) -> Regime {
        let mut last = None;
        for p in self.plans.iter() {
            if p.switch_point <= t {
                last = Some(*p);
            } else {
                break;
            }
        }
        match last {
            Some(p) if t < p.b_start => Regime::Gap,
            Some(p) => Regime::Table {
                mode: p.to_index,
                origin: p.b_start,
                entry: Some(p),
            },
            None if t < self.base.origin => Regime::Idle,
            None => Regime::Table {
                mode: self.base.mode,
                origin: self.base.origin,
                entry: self.base.entry,
            },
        }
    }

    /// Whether the job of `program` starting at absolute `start` is skipped,
    /// and its extra ticks.
    fn job_mods(&self, entry: Option<Plan>, start: u64, program: ProgramId) -> (bool, u64) {
        let Some(p) = entry else { return (false, 0) };
        if start >= p.complete || start < p.b_start {
            return (false, 0);
        }
        let Some(tr) = self.tables.transition_at(p.transition) else {
            return (false, 0);
        };
        let rel = start - p.switch_point;
        (
            tr.skip(rel, program).is_some(),
            tr.extend(rel, program).map_or(0, |e| e.extra),
        )
    }

    /// What runs on `core` at `t` under a table regime.
    fn running_on(
        &self,
        m: &Mode<'_>,
        origin: u64,
        entry: Option<Plan>,
        t: u64,
        core: u16,
    ) -> Option<Running> {
        let h = m.major_frame().max(1);
        let rel = t.checked_sub(origin)?;
        let (f, tt) = (rel / h, rel % h);
        let frame_start = t - tt;
        let list = m.windows(core);
        let mut j = list.partition_point(|w| w.start <= tt);
        while j > 0 {
            j -= 1;
            let w = list.get(j)?;
            let start = frame_start.saturating_add(w.start);
            let (skipped, extra) = self.job_mods(entry, start, w.program);
            if skipped {
                continue;
            }
            let end = frame_start.saturating_add(w.end).saturating_add(extra);
            if t >= end {
                return None;
            }
            let job = f
                .saturating_mul(u64::from(m.jobs_per_frame(w.program)))
                .saturating_add(u64::from(w.job));
            return Some(Running {
                program: w.program,
                job,
                start,
                end,
            });
        }
        None
    }

    /// The answer at `t` (valid for `t` at or after the last retirement).
    fn answer(&self, t: u64) -> (Option<ModeId>, [Option<Running>; CORES]) {
        let mut running = [None; CORES];
        let Regime::Table {
            mode,
            origin,
            entry,
        } = self.regime(t)
        else {
            return (None, running);
        };
        let Some(m) = self.tables.mode_at(mode) else {
            return (None, running);
        };
        for (core, slot) in running
            .iter_mut()
            .enumerate()
            .take(usize::from(self.tables.cores()))
        {
            *slot = self.running_on(&m, origin, entry, t, core as u16);
        }
        (Some(m.id()), running)
    }

    /// Dispatches tick `now`: returns what runs on each core and appends the
    /// events of this instant to `events` (those that do not fit are
    /// counted in [`Dispatch::events_lost`]).
    pub fn tick<const E: usize>(
        &mut self,
        now: u64,
        events: &mut heapless::Vec<Event, E>,
    ) -> Result<Dispatch<CORES>, TickError> {
        let mut lost = 0usize;
        let mut d = self.tick_with(now, |e| {
            if events.push(e).is_err() {
                lost += 1;
            }
        })?;
        d.events_lost = lost;
        Ok(d)
    }

    /// Dispatches tick `now` without reporting events.
    pub fn poll(&mut self, now: u64) -> Result<Dispatch<CORES>, TickError> {
        self.tick_with(now, |_| {})
    }

    /// Dispatches tick `now`, handing each event of this instant to `sink`
    /// (in the order given in the [crate docs](crate#driving-it)).
    pub fn tick_with(
        &mut self,
        now: u64,
        mut sink: impl FnMut(Event),
    ) -> Result<Dispatch<CORES>, TickError> {
        if now < self.clock {
            return Err(TickError::TimeWentBackwards {
                now,
                earliest: self.clock,
            });
        }
        self.retire(now.saturating_sub(1));
        // Ends: what ran at now − 1 and ends now.
        if let Some(prev) = now.checked_sub(1) {
            let (_, before) = self.answer(prev);
            for (core, r) in before.iter().enumerate() {
                if let Some(r) = r.filter(|r| r.end == now) {
                    sink(Event::JobEnd {
                        core: core as u16,
                        program: r.program,
                        job: r.job,
                    });
                }
            }
            if let Regime::Table { mode, origin, .. } = self.regime(prev) {
                self.slot_events(mode, origin, prev, &mut sink, false);
            }
        }
        // Transitions: commit, switch point, actions, mode start.
        for p in self.plans.iter() {
            if now == p.commit {
                sink(Event::TransitionBegin {
                    from: p.from,
                    to: p.to,
                    switch_point: p.switch_point,
                    b_start: p.b_start,
                });
            }
            if now == p.switch_point {
                sink(Event::SwitchPoint {
                    from: p.from,
                    to: p.to,
                });
            }
            self.action_events(p, now, &mut sink);
            if now == p.b_start {
                sink(Event::ModeStart { mode: p.to });
            }
        }
        // Starts.
        let (mode_id, running) = self.answer(now);
        if let Regime::Table {
            mode,
            origin,
            entry,
        } = self.regime(now)
            && let Some(m) = self.tables.mode_at(mode)
        {
            let h = m.major_frame().max(1);
            let rel = now - origin;
            let (f, tt) = (rel / h, rel % h);
            for core in 0..self.tables.cores() {
                let list = m.windows(core);
                let i = list.partition_point(|w| w.start < tt);
                let Some(w) = list.get(i).filter(|w| w.start == tt) else {
                    continue;
                };
                let job = f
                    .saturating_mul(u64::from(m.jobs_per_frame(w.program)))
                    .saturating_add(u64::from(w.job));
                let (skipped, extra) = self.job_mods(entry, now, w.program);
                if skipped {
                    sink(Event::JobSkipped {
                        core,
                        program: w.program,
                        job,
                    });
                } else {
                    let end = now.saturating_add(w.end - w.start).saturating_add(extra);
                    sink(Event::JobStart {
                        core,
                        program: w.program,
                        job,
                        end,
                    });
                }
            }
            self.slot_events(mode, origin, now, &mut sink, true);
        }
        for p in self.plans.iter() {
            if now == p.complete {
                sink(Event::TransitionComplete {
                    from: p.from,
                    to: p.to,
                });
            }
        }
        self.clock = now.saturating_add(1);
        Ok(Dispatch {
            now,
            mode: mode_id,
            running,
            events_lost: 0,
        })
    }

    /// Slot events of a table regime: with `starts`, the slots starting at
    /// `t`; without, the slots running at `t` that end at `t + 1`.
    fn slot_events(
        &self,
        mode: usize,
        origin: u64,
        t: u64,
        sink: &mut impl FnMut(Event),
        starts: bool,
    ) {
        let Some(m) = self.tables.mode_at(mode) else {
            return;
        };
        let h = m.major_frame().max(1);
        let Some(rel) = t.checked_sub(origin) else {
            return;
        };
        let (f, tt) = (rel / h, rel % h);
        for (l, link) in self.tables.links().enumerate() {
            let list = m.slots(l);
            if starts {
                let i = list.partition_point(|s| s.start < tt);
                if let Some(s) = list.get(i).filter(|s| s.start == tt) {
                    let end = t.saturating_add(s.end - s.start);
                    sink(Event::SlotStart {
                        link: link.id,
                        message: s.message,
                        frame: f,
                        instance: s.instance,
                        end,
                    });
                }
            } else {
                let i = list.partition_point(|s| s.start <= tt);
                if let Some(s) = i
                    .checked_sub(1)
                    .and_then(|i| list.get(i))
                    .filter(|s| s.end == tt + 1)
                {
                    sink(Event::SlotEnd {
                        link: link.id,
                        message: s.message,
                        frame: f,
                        instance: s.instance,
                    });
                }
            }
        }
    }

    fn action_events(&self, p: &Plan, now: u64, sink: &mut impl FnMut(Event)) {
        let Some(tr) = self.tables.transition_at(p.transition) else {
            return;
        };
        let rel = i128::from(now) - i128::from(p.switch_point);
        let Ok(rel) = i64::try_from(rel) else { return };
        for a in tr.actions_at(rel) {
            sink(match a.kind {
                ActionKind::Stop { program } => Event::Stop { program },
                ActionKind::Suspend { program } => Event::Suspend { program },
                ActionKind::Resume { program } => Event::Resume { program },
                ActionKind::SendChunk {
                    program,
                    link,
                    bytes,
                    end,
                } => {
                    let end = p.switch_point.saturating_add_signed(end);
                    Event::SendChunk {
                        program,
                        link,
                        bytes,
                        end,
                    }
                }
            });
        }
    }

    /// The first instant after `now` at which the answer may change or an
    /// event may happen (it may name an instant where nothing changes, never
    /// skips one). Meant to be called after [`tick`](Self::tick)`(now)`, to
    /// program a timer. `None` only at the end of time.
    pub fn next_boundary(&self, now: u64) -> Option<u64> {
        let t1 = now.checked_add(1)?;
        let mut best = u64::MAX;
        let mut offer = |t: u64| {
            if t > now && t < best {
                best = t;
            }
        };
        for p in self.plans.iter() {
            for t in [p.commit, p.switch_point, p.b_start, p.complete] {
                offer(t);
            }
            if let Some(tr) = self.tables.transition_at(p.transition) {
                let rel = i128::from(now) - i128::from(p.switch_point);
                let rel = i64::try_from(rel).unwrap_or(if rel < 0 { i64::MIN } else { i64::MAX });
                if let Some(at) = tr.next_action_after(rel) {
                    offer(p.switch_point.saturating_add_signed(at));
                }
            }
        }
        for t in [now, t1] {
            let (_, running) = self.answer(t);
            for r in running.iter().flatten() {
                offer(r.end);
            }
        }
        match self.regime(t1) {
            Regime::Idle => offer(self.base.origin),
            Regime::Gap => {}
            Regime::Table { mode, origin, .. } => {
                if let Some(m) = self.tables.mode_at(mode) {
                    let h = m.major_frame().max(1);
                    let rel = t1 - origin;
                    let tt = rel % h;
                    let frame_start = t1 - tt;
                    offer(frame_start.saturating_add(h));
                    for core in 0..self.tables.cores() {
                        let list = m.windows(core);
                        let i = list.partition_point(|w| w.start < tt);
                        if let Some(w) = list.get(i) {
                            offer(frame_start.saturating_add(w.start));
                        }
                    }
                    for l in 0..m.link_count() {
                        let list = m.slots(l);
                        let i = list.partition_point(|s| s.start < tt);
                        if let Some(s) = list.get(i) {
                            offer(frame_start.saturating_add(s.start));
                        }
                        for t in [now, t1] {
                            if let Some(end) = self.slot_running(l, t) {
                                offer(end);
                            }
                        }
                    }
                }
            }
        }
        (best != u64::MAX).then_some(best)
    }

    /// The absolute end of the slot running at `t` on link position `l`.
    fn slot_running(&self, l: usize, t: u64) -> Option<u64> {
        let Regime::Table { mode, origin, .. } = self.regime(t) else {
            return None;
        };
        let m = self.tables.mode_at(mode)?;
        let h = m.major_frame().max(1);
        let tt = t.checked_sub(origin)? % h;
        let list = m.slots(l);
        let i = list.partition_point(|s| s.start <= tt);
        let s = list.get(i.checked_sub(1)?)?;
        (tt < s.end).then(|| (t - tt).saturating_add(s.end))
    }
}
