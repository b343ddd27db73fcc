//! The entry point and the checks of the plan's frame: modes, tick, timeline,
//! program classification, the `programs` and `migrations` lists.

use super::table::{T, TJob, Table, cdiv};
use super::violation::{List, PlanViolation as V, Side, ViaProblem};
use super::{PlanReport, PlanSink};
use crate::verify_schedule;
use seamless_model::plan::{Action, Plan, Scheme};
use seamless_model::units::Tick;
use seamless_model::{Mode, ModuleId, ProgramId, System};
use std::collections::BTreeMap;

/// Checks `plan` against both tables' §9 rules and every rule of §10.
pub fn verify_plan(system: &System, plan: &Plan) -> PlanReport {
    let from_schedule = verify_schedule(system, &plan.from_schedule);
    let to_schedule = verify_schedule(system, &plan.to_schedule);
    let mut sink = PlanSink::default();
    check(system, plan, &mut sink);
    PlanReport {
        from_schedule,
        to_schedule,
        violations: sink.violations,
        suppressed: sink.suppressed,
    }
}

/// What happens to a program at the switch, as the placements say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
    Neither,
    Stop,
    Start,
    Continue,
    Migrate,
    /// In both modes, but a placement is missing from a table.
    Undetermined,
}

impl Class {
    pub(super) fn action(self) -> Option<Action> {
        match self {
            Class::Stop => Some(Action::Stop),
            Class::Start => Some(Action::Start),
            Class::Continue => Some(Action::Continue),
            Class::Migrate => Some(Action::Migrate),
            Class::Neither | Class::Undetermined => None,
        }
    }
}

/// A chunk as resolved by the generic chunk checks.
#[derive(Debug, Clone, Default)]
pub(super) struct Chunk {
    /// The migration it belongs to (index into `Ctx::migs`).
    pub mig: Option<usize>,
    /// First hop's start and end (departure from its first node).
    pub dep: Option<(T, T)>,
    /// Last hop's start (the first instant it enters its last node).
    pub last_start: Option<T>,
    /// Arrival at the last node: last hop's end plus its link's latency.
    pub arr: Option<T>,
}

/// A destination job that runs longer.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ext {
    pub f: T,
    pub k: u64,
    pub start: T,
    /// The extended end.
    pub end: T,
    pub extra: u128,
}

/// One migrated program and everything recomputed about it.
#[derive(Debug, Clone)]
pub(super) struct Mig {
    pub pid: ProgramId,
    pub a_slot: usize,
    pub b_slot: usize,
    pub src: ModuleId,
    pub src_core: u32,
    pub dst: ModuleId,
    pub dst_core: u32,
    /// Its first `migrations` entry.
    pub entry: Option<usize>,
    pub scheme: Option<Scheme>,
    /// The intermediary (scatter-gather, when valid).
    pub via: Option<ModuleId>,
    /// Its transfers (indices into `plan.transfers`).
    pub chunks: Vec<usize>,
    pub suspension: Option<T>,
    pub may_run: Option<T>,
    pub first_departure: Option<T>,
    pub last_arrival: Option<T>,
    pub source_free: Option<T>,
    pub first_in_dst: Option<T>,
    pub via_in: Option<T>,
    pub via_out: Option<T>,
    pub bytes: u128,
    /// Post-copy part: `(arrival, bytes)` sorted, with running sums.
    pub arrivals: Vec<(T, u128)>,
    /// Missing working set when the program resumes (post-copy, hybrid).
    pub ws0: Option<u128>,
    /// Per B job index in the frame: frames of it that are skipped.
    pub f_skip: Vec<Option<T>>,
    pub resume: Option<T>,
    /// Extended jobs by global index; valid when `ext_ok`.
    pub extras: BTreeMap<u64, Ext>,
    pub ext_ok: bool,
}

pub(super) struct Ctx<'a> {
    pub sys: &'a System,
    pub plan: &'a Plan,
    pub sink: &'a mut PlanSink,
    pub a: &'a Mode,
    pub b: &'a Mode,
    pub ta: Table<'a>,
    pub tb: Table<'a>,
    pub r: T,
    pub s: T,
    pub bs: T,
    /// `S / H_A`: frames of A that run from the origin.
    pub k: T,
    pub class: Vec<Class>,
    pub mig_of: Vec<Option<usize>>,
    pub migs: Vec<Mig>,
    pub chunks: Vec<Chunk>,
}

fn check(sys: &System, plan: &Plan, sink: &mut PlanSink) {
    let a_id = sys.mode_by_name(&plan.from);
    let b_id = sys.mode_by_name(&plan.to);
    if a_id.is_none() {
        sink.push(V::UnknownMode {
            side: Side::From,
            mode: plan.from.clone(),
        });
    }
    if b_id.is_none() {
        sink.push(V::UnknownMode {
            side: Side::To,
            mode: plan.to.clone(),
        });
    }
    let mut joined = true;
    for (side, name, sched) in [
        (Side::From, &plan.from, &plan.from_schedule),
        (Side::To, &plan.to, &plan.to_schedule),
    ] {
        if &sched.mode != name {
            joined = false;
            sink.push(V::ScheduleModeMismatch {
                side,
                plan_mode: name.clone(),
                schedule_mode: sched.mode.clone(),
            });
        }
    }
    if plan.tick != sys.tick.text && Tick::parse(&plan.tick).map(|t| t.ns) != Ok(sys.tick.ns) {
        sink.push(V::TickMismatch {
            found: plan.tick.clone(),
            expected: sys.tick.text.clone(),
        });
    }
    let (Some(a_id), Some(b_id)) = (a_id, b_id) else {
        return;
    };
    if !sys.transitions.contains(&(a_id, b_id)) {
        sink.push(V::TransitionNotAllowed {
            from: plan.from.clone(),
            to: plan.to.clone(),
        });
    }
    if !joined {
        return;
    }
    let (a, b) = (&sys.modes[a_id], &sys.modes[b_id]);
    let ha = a.major_frame;
    if plan.request >= ha {
        sink.push(V::RequestOutsideFrame {
            request: plan.request,
            frame: ha,
        });
    }
    if plan.switch < plan.request {
        sink.push(V::SwitchBeforeRequest {
            switch: plan.switch,
            request: plan.request,
        });
    }
    let mut timeline = true;
    if !plan.switch.is_multiple_of(ha) {
        timeline = false;
        sink.push(V::SwitchNotFrameBoundary {
            switch: plan.switch,
            frame: ha,
        });
    }
    if plan.b_start < plan.switch {
        timeline = false;
        sink.push(V::BStartBeforeSwitch {
            b_start: plan.b_start,
            switch: plan.switch,
        });
    }
    if !timeline {
        // every other rule is measured from S and b_start
        return;
    }
    let ta = Table::new(sys, a, &plan.from_schedule);
    let tb = Table::new(sys, b, &plan.to_schedule);
    let mut c = Ctx {
        sys,
        plan,
        sink,
        a,
        b,
        ta,
        tb,
        r: T::from(plan.request),
        s: T::from(plan.switch),
        bs: T::from(plan.b_start),
        k: T::from(plan.switch / ha),
        class: Vec::new(),
        mig_of: vec![None; sys.programs.len()],
        migs: Vec::new(),
        chunks: Vec::new(),
    };
    c.classify();
    c.migration_entries();
    c.chunks_generic();
    c.schemes();
    c.destination();
    c.claimed_skips();
    c.claimed_extended();
    c.extended_constraints();
    c.memory();
    c.outcomes_and_totals();
}

impl Ctx<'_> {
    pub(super) fn name(&self, pid: ProgramId) -> &str {
        &self.sys.programs[pid].name
    }

    pub(super) fn module_name(&self, m: ModuleId) -> &str {
        &self.sys.modules[m].name
    }

    /// The suspension of a program of A: the end of its last job before S.
    pub(super) fn suspension(&self, a_slot: usize) -> Option<T> {
        let last = self.ta.present(a_slot).map(|(_, j)| j.end).max()?;
        Some((self.k - 1) * self.ta.h + last)
    }

    /// The program's A jobs (before S) that end after `from` and start
    /// before `to` (strictly), counted over every repetition of A's frame.
    pub(super) fn source_jobs_between(&self, a_slot: usize, from: T, to: T) -> u128 {
        let h = self.ta.h;
        let mut n: T = 0;
        for (_, TJob { start, end }) in self.ta.present(a_slot) {
            // f·h + end > from  and  f·h + start < to  and  f ≤ k − 1
            let lo = (from - end).div_euclid(h) + 1;
            let hi = (cdiv(to - start, h) - 1).min(self.k - 1);
            n += (hi - lo + 1).max(0);
        }
        n.max(0) as u128
    }

    fn classify(&mut self) {
        let sys = self.sys;
        self.class = (0..sys.programs.len())
            .map(|pid| match (self.a.slot(pid), self.b.slot(pid)) {
                (None, None) => Class::Neither,
                (Some(_), None) => Class::Stop,
                (None, Some(_)) => Class::Start,
                (Some(sa), Some(sb)) => match (self.ta.place[sa], self.tb.place[sb]) {
                    (Some((ma, _)), Some((mb, _))) if ma == mb => Class::Continue,
                    (Some(_), Some(_)) => Class::Migrate,
                    _ => Class::Undetermined,
                },
            })
            .collect();
        for pid in 0..sys.programs.len() {
            if self.class[pid] != Class::Migrate {
                continue;
            }
            let (Some(a_slot), Some(b_slot)) = (self.a.slot(pid), self.b.slot(pid)) else {
                continue;
            };
            let (Some((src, src_core)), Some((dst, dst_core))) =
                (self.ta.place[a_slot], self.tb.place[b_slot])
            else {
                continue;
            };
            self.mig_of[pid] = Some(self.migs.len());
            let suspension = self.suspension(a_slot);
            self.migs.push(Mig {
                pid,
                a_slot,
                b_slot,
                src,
                src_core,
                dst,
                dst_core,
                entry: None,
                scheme: None,
                via: None,
                chunks: Vec::new(),
                suspension,
                may_run: None,
                first_departure: None,
                last_arrival: None,
                source_free: None,
                first_in_dst: None,
                via_in: None,
                via_out: None,
                bytes: 0,
                arrivals: Vec::new(),
                ws0: None,
                f_skip: Vec::new(),
                resume: None,
                extras: BTreeMap::new(),
                ext_ok: false,
            });
        }
    }

    /// The migration of a program named in a list entry, reporting unknown
    /// and non-migrated programs.
    pub(super) fn mig_named(&mut self, list: List, program: &str) -> Option<usize> {
        let Some(pid) = self.sys.program_by_name(program) else {
            self.sink.push(V::UnknownProgram {
                list,
                program: program.to_string(),
            });
            return None;
        };
        match self.class[pid] {
            Class::Migrate => self.mig_of[pid],
            Class::Undetermined => None,
            c => {
                self.sink.push(V::NotMigrated {
                    list,
                    program: program.to_string(),
                    action: c.action(),
                });
                None
            }
        }
    }

    fn migration_entries(&mut self) {
        let plan = self.plan;
        for (i, e) in plan.migrations.iter().enumerate() {
            let Some(mi) = self.mig_named(List::Migrations, &e.program) else {
                continue;
            };
            if self.migs[mi].entry.is_some() {
                self.sink.push(V::DuplicateEntry {
                    list: List::Migrations,
                    program: e.program.clone(),
                    index: None,
                });
                continue;
            }
            let m = &self.migs[mi];
            let (src, src_core, dst, dst_core) = (m.src, m.src_core, m.dst, m.dst_core);
            for (side, slot, module, core) in [
                (Side::From, &e.from, src, src_core),
                (Side::To, &e.to, dst, dst_core),
            ] {
                if slot.module != self.sys.modules[module].name || slot.core != core {
                    self.sink.push(V::WrongSlot {
                        program: e.program.clone(),
                        side,
                        found_module: slot.module.clone(),
                        found_core: slot.core,
                        module: self.sys.modules[module].name.clone(),
                        core,
                    });
                }
            }
            let mut via = None;
            let problem = match (e.scheme, &e.via) {
                (Scheme::ScatterGather, None) => Some(ViaProblem::Missing),
                (Scheme::ScatterGather, Some(v)) => match self.sys.module_by_name(v) {
                    None => Some(ViaProblem::UnknownModule),
                    Some(m) if m == src || m == dst => Some(ViaProblem::Endpoint),
                    Some(m) => {
                        via = Some(m);
                        None
                    }
                },
                (_, Some(_)) => Some(ViaProblem::Unexpected),
                (_, None) => None,
            };
            if let Some(problem) = problem {
                self.sink.push(V::Via {
                    program: e.program.clone(),
                    scheme: e.scheme,
                    via: e.via.clone(),
                    problem,
                });
            }
            let m = &mut self.migs[mi];
            m.entry = Some(i);
            m.scheme = Some(e.scheme);
            m.via = via;
        }
        for mi in 0..self.migs.len() {
            let m = &self.migs[mi];
            if m.entry.is_none() {
                self.sink.push(V::MissingMigration {
                    program: self.name(m.pid).to_string(),
                    from_module: self.module_name(m.src).to_string(),
                    to_module: self.module_name(m.dst).to_string(),
                });
            }
        }
    }
}
