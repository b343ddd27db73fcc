//! What the XML exports show of a module: per mode, the programs that run
//! on it and their windows; the schedule-change action of each.

use std::collections::{BTreeMap, BTreeSet};

use seamless_model::plan::{Action, Plan};
use seamless_model::schedule::Schedule;
use seamless_model::{ModeId, ModuleId, ProgramId, System};

use crate::CompileError;
use crate::resolve::{Names, RMode, resolve_all};

/// What happens to a partition when its module switches to a schedule
/// (ARINC 653 Part 2 `ScheduleChangeAction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeAction {
    /// The partition keeps running as it is (it continues across the switch).
    Ignore,
    /// The partition is started afresh (it starts with the new mode).
    ColdStart,
    /// The partition is restarted keeping its memory (it was migrated here:
    /// its state arrived by the live migration).
    WarmStart,
}

impl ChangeAction {
    /// The ARINC 653 name.
    pub fn name(self) -> &'static str {
        match self {
            ChangeAction::Ignore => "IGNORE",
            ChangeAction::ColdStart => "COLD_START",
            ChangeAction::WarmStart => "WARM_START",
        }
    }

    fn of(action: Action) -> Option<ChangeAction> {
        match action {
            Action::Continue => Some(ChangeAction::Ignore),
            Action::Migrate => Some(ChangeAction::WarmStart),
            Action::Start => Some(ChangeAction::ColdStart),
            Action::Stop => None,
        }
    }
}

/// One program's part of a mode on one module.
#[derive(Debug, Clone)]
pub(crate) struct PartView {
    pub program: ProgramId,
    /// Period in ticks (the major frame for a once-per-frame program).
    pub period: u64,
    pub wcet: u64,
    /// (core, start, end), by start.
    pub jobs: Vec<(u32, u64, u64)>,
    /// The schedule-change action, and per incoming transition (old mode
    /// name, action) when they differ.
    pub action: ChangeAction,
    pub reasons: Vec<(String, ChangeAction)>,
}

#[derive(Debug, Clone)]
pub(crate) struct ModeView {
    pub mode: ModeId,
    pub major_frame: u64,
    pub parts: Vec<PartView>,
}

#[derive(Debug, Clone)]
pub(crate) struct ModuleView {
    pub module: ModuleId,
    pub modes: Vec<ModeView>,
    /// Programs on this module in any mode, ascending.
    pub programs: Vec<ProgramId>,
}

/// The views of every module, and the problems met (rendered as notes).
pub(crate) struct Views {
    pub modules: Vec<ModuleView>,
    pub notes: Vec<String>,
}

/// The action for `program` on `module` when entering mode `b` from `a`.
fn incoming(
    names: &Names<'_>,
    modes: &[Option<RMode<'_>>],
    plans: &BTreeMap<(ModeId, ModeId), &Plan>,
    a: ModeId,
    b: ModeId,
    program: ProgramId,
    module: ModuleId,
) -> Option<ChangeAction> {
    if let Some(plan) = plans.get(&(a, b)) {
        let name = names.system.programs.get(program)?.name.as_str();
        if let Some(o) = plan.programs.iter().find(|o| o.program == name) {
            return ChangeAction::of(o.action);
        }
    }
    let ra = modes.get(a)?.as_ref()?;
    Some(match ra.placement.get(&program) {
        None => ChangeAction::ColdStart,
        Some(&(m, _)) if m == module => ChangeAction::Ignore,
        Some(_) => ChangeAction::WarmStart,
    })
}

pub(crate) fn build(system: &System, schedules: &[Schedule], plans: &[Plan]) -> Views {
    let names = Names::new(system);
    let mut issues: Vec<CompileError> = Vec::new();
    let modes = resolve_all(&names, schedules, &mut issues);
    let mut by_pair: BTreeMap<(ModeId, ModeId), &Plan> = BTreeMap::new();
    for p in plans {
        let ctx = format!("plan `{}` -> `{}`", p.from, p.to);
        match (names.mode(&p.from, &ctx), names.mode(&p.to, &ctx)) {
            (Ok(a), Ok(b)) => {
                by_pair.entry((a, b)).or_insert(p);
            }
            (Err(e), _) | (_, Err(e)) => issues.push(e),
        }
    }
    let mut out = Vec::with_capacity(system.modules.len());
    for module in 0..system.modules.len() {
        let mut programs = BTreeSet::new();
        let mut mode_views = Vec::new();
        for rm in modes.iter().flatten() {
            let mode = &system.modes[rm.mode];
            let h = rm.schedule.major_frame;
            let mut per: BTreeMap<ProgramId, Vec<(u32, u64, u64)>> = BTreeMap::new();
            for j in rm.jobs.iter().filter(|j| j.module == module) {
                per.entry(j.program)
                    .or_default()
                    .push((j.core, j.start, j.end));
            }
            let mut parts = Vec::with_capacity(per.len());
            for (program, mut jobs) in per {
                programs.insert(program);
                jobs.sort_by_key(|&(c, s, _)| (s, c));
                let (period, wcet) = match mode.slot(program).and_then(|s| mode.programs.get(s)) {
                    Some(mp) => (
                        mp.requirement.timing.period().unwrap_or(h),
                        mp.requirement.wcet,
                    ),
                    None => (h, jobs.iter().map(|&(_, s, e)| e - s).max().unwrap_or(0)),
                };
                let mut reasons = Vec::new();
                for &(a, b) in &system.transitions {
                    if b != rm.mode || a == b {
                        continue;
                    }
                    if let Some(act) = incoming(&names, &modes, &by_pair, a, b, program, module) {
                        reasons.push((system.modes[a].name.clone(), act));
                    }
                }
                let action = reasons
                    .iter()
                    .map(|r| r.1)
                    .max()
                    .unwrap_or(ChangeAction::ColdStart);
                if reasons.iter().all(|r| r.1 == action) {
                    reasons.clear();
                }
                parts.push(PartView {
                    program,
                    period,
                    wcet,
                    jobs,
                    action,
                    reasons,
                });
            }
            mode_views.push(ModeView {
                mode: rm.mode,
                major_frame: h,
                parts,
            });
        }
        out.push(ModuleView {
            module,
            modes: mode_views,
            programs: programs.into_iter().collect(),
        });
    }
    Views {
        modules: out,
        notes: issues.iter().map(|e| format!("left out: {e}")).collect(),
    }
}
