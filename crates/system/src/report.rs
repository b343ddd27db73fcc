//! Migrations planned against the least possible, per transition and in
//! total, with the reason for every move that was not forced.

use crate::bound::Optimum;
use crate::run::{SystemSynthesis, schedule_modules};
use crate::view::disjoint;
use seamless_model::units::format_size_short;
use seamless_model::{ModeId, ModuleId, ProgramId, System};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One transition's migrations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionMigrations {
    /// The mode the transition leaves.
    pub from: ModeId,
    /// The mode the transition enters.
    pub to: ModeId,
    /// Programs the tables move (ascending).
    pub planned: Vec<ProgramId>,
    /// Programs every placement moves (ascending).
    pub forced: Vec<ProgramId>,
    /// Why each planned move that was not forced could not be avoided.
    pub reasons: Vec<(ProgramId, String)>,
}

/// Migrations planned against the least possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    /// Per allowed transition with both tables, in `System::transitions`
    /// order.
    pub transitions: Vec<TransitionMigrations>,
    /// Migrations the tables need over every transition.
    pub planned: u32,
    /// The pairwise bound (forced moves).
    pub pairwise: u32,
    /// The per-program bound (capacity ignored).
    pub per_program: u32,
    /// The exact optimum with capacity, if computed.
    pub optimum: Optimum,
}

impl MigrationReport {
    /// The least number of migrations proven possible.
    pub fn least(&self) -> u32 {
        match self.optimum {
            Optimum::Exact(n) => n,
            _ => self.per_program,
        }
    }

    /// The total line of the text report.
    pub fn total_text(&self) -> String {
        let least = match self.optimum {
            Optimum::Exact(n) => {
                format!(
                    "{n} (exact optimum over placements within memory, processor time and cores)"
                )
            }
            Optimum::NoFit => format!(
                "at least {} (no placement fits memory, processor time and cores in every mode)",
                self.per_program
            ),
            Optimum::Unknown => format!(
                "at least {} (bound per program over its modes; the system is too large for the exact optimum)",
                self.per_program
            ),
        };
        format!(
            "migrations: {} planned over {} transitions; least possible {least}; {} forced by allowed modules and pins",
            self.planned,
            self.transitions.len(),
            self.pairwise
        )
    }
}

/// The migration report of a system-level synthesis.
pub fn migration_report(system: &System, ss: &SystemSynthesis) -> MigrationReport {
    let placed: Vec<Option<BTreeMap<ProgramId, ModuleId>>> = ss
        .synthesis
        .modes
        .iter()
        .map(|r| r.as_ref().ok().map(|s| schedule_modules(system, s)))
        .collect();
    let mut transitions = Vec::new();
    let mut planned_total = 0;
    for (t, &(a, b)) in system.transitions.iter().enumerate() {
        let (Some(Some(pa)), Some(Some(pb))) = (placed.get(a), placed.get(b)) else {
            continue;
        };
        let planned: Vec<ProgramId> = pa
            .iter()
            .filter(|(p, m)| pb.get(p).is_some_and(|mb| mb != *m))
            .map(|(&p, _)| p)
            .collect();
        planned_total += planned.len() as u32;
        let forced = ss
            .bounds
            .transitions
            .get(t)
            .map(|tb| tb.forced.clone())
            .unwrap_or_default();
        let reasons = planned
            .iter()
            .filter(|p| forced.binary_search(p).is_err())
            .map(|&p| (p, reason(system, ss, &placed, a, b, p)))
            .collect();
        transitions.push(TransitionMigrations {
            from: a,
            to: b,
            planned,
            forced,
            reasons,
        });
    }
    MigrationReport {
        transitions,
        planned: planned_total,
        pairwise: ss.bounds.pairwise,
        per_program: ss.bounds.per_program,
        optimum: ss.bounds.optimum,
    }
}

fn allowed(system: &System, mode: ModeId, p: ProgramId) -> Vec<ModuleId> {
    let md = &system.modes[mode];
    let mut a = md
        .slot(p)
        .map(|s| md.programs[s].allowed.clone())
        .unwrap_or_default();
    a.sort_unstable();
    a
}

/// Why `p` moves on `a → b` although both modes allow a common module.
fn reason(
    system: &System,
    ss: &SystemSynthesis,
    placed: &[Option<BTreeMap<ProgramId, ModuleId>>],
    a: ModeId,
    b: ModeId,
    p: ProgramId,
) -> String {
    let name = |m: ModuleId| system.modules[m].name.as_str();
    let mode = |m: ModeId| system.modes[m].name.as_str();
    let prog = &system.programs[p];
    let (aa, ab) = (allowed(system, a, p), allowed(system, b, p));
    let shared: Vec<ModuleId> = aa.iter().copied().filter(|m| ab.contains(m)).collect();
    debug_assert!(!disjoint(&aa, &ab));
    // the schedule of a mode did not follow the joint placement
    for d in &ss.deviations {
        if d.program == p && (d.mode == a || d.mode == b) {
            return format!(
                "the joint placement keeps it on {} in {}, but no schedule of {} was found with it there ({}); the schedule puts it on {}",
                name(d.wanted),
                mode(d.mode),
                mode(d.mode),
                room(system, placed, d.mode, d.wanted, p),
                name(d.got)
            );
        }
    }
    // capacity of the shared modules
    let mut full = Vec::new();
    for &s in &shared {
        for m in [a, b] {
            if let Some(r) = no_room(system, placed, m, s, p) {
                full.push(format!("{} in {}: {r}", name(s), mode(m)));
                break;
            }
        }
    }
    if full.len() == shared.len() && !full.is_empty() {
        return format!(
            "it may stay only on {}, which has no room: {}",
            shared
                .iter()
                .map(|&s| name(s))
                .collect::<Vec<_>>()
                .join(" or "),
            full.join("; ")
        );
    }
    let _ = prog;
    format!(
        "staying on {} here would move it on another switch (its allowed modules across its modes leave no single module for every switch), and the joint placement moves each program as little as its modes allow",
        shared
            .iter()
            .map(|&s| name(s))
            .collect::<Vec<_>>()
            .join(" or ")
    )
}

/// Memory and processor time on `m` in `mode` with `p` added, as text.
fn room(
    system: &System,
    placed: &[Option<BTreeMap<ProgramId, ModuleId>>],
    mode: ModeId,
    m: ModuleId,
    p: ProgramId,
) -> String {
    no_room(system, placed, mode, m, p).unwrap_or_else(|| {
        "memory and processor time would allow it; the cores' timing did not".to_string()
    })
}

/// Why `p` does not fit on `m` in `mode` next to the programs the schedule
/// of `mode` puts there, if it does not.
fn no_room(
    system: &System,
    placed: &[Option<BTreeMap<ProgramId, ModuleId>>],
    mode: ModeId,
    m: ModuleId,
    p: ProgramId,
) -> Option<String> {
    let on = placed.get(mode)?.as_ref()?;
    let md = &system.modes[mode];
    let mut mem = 0u64;
    let mut time = 0u64;
    for (&q, &qm) in on {
        if qm != m || q == p {
            continue;
        }
        mem = mem.saturating_add(system.programs[q].memory);
        if let Some(s) = md.slot(q) {
            time = time.saturating_add(
                md.programs[s]
                    .requirement
                    .wcet
                    .saturating_mul(md.jobs_of(s)),
            );
        }
    }
    let need = system.programs[p].memory;
    let cap = system.modules[m].memory;
    if mem.saturating_add(need) > cap {
        let mut s = String::new();
        let _ = write!(
            s,
            "memory: {} used of {}, it needs {}",
            format_size_short(mem),
            format_size_short(cap),
            format_size_short(need)
        );
        return Some(s);
    }
    let slot = md.slot(p)?;
    let load = md.programs[slot]
        .requirement
        .wcet
        .saturating_mul(md.jobs_of(slot));
    let tcap = u64::from(system.modules[m].cores).saturating_mul(md.major_frame);
    if time.saturating_add(load) > tcap {
        return Some(format!(
            "processor time: {} per mille of its cores busy, it needs {} more",
            u128::from(time) * 1000 / u128::from(tcap.max(1)),
            u128::from(load) * 1000 / u128::from(tcap.max(1))
        ));
    }
    None
}
