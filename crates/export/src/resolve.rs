//! Schedules resolved against the system: names to ids, hops to link
//! directions. Shared by the table compiler and the XML exports.

use std::collections::BTreeMap;

use seamless_model::network::Hop;
use seamless_model::schedule::{HopEntry, Schedule};
use seamless_model::units::Tick;
use seamless_model::{MessageId, ModeId, ModuleId, ProgramId, System};

use crate::CompileError;

/// Name lookups of one system.
pub(crate) struct Names<'a> {
    pub system: &'a System,
    modules: BTreeMap<&'a str, ModuleId>,
    programs: BTreeMap<&'a str, ProgramId>,
    messages: BTreeMap<&'a str, MessageId>,
    modes: BTreeMap<&'a str, ModeId>,
    nodes: BTreeMap<&'a str, usize>,
}

fn index<'a>(names: impl Iterator<Item = &'a str>) -> BTreeMap<&'a str, usize> {
    let mut m = BTreeMap::new();
    for (i, n) in names.enumerate() {
        m.entry(n).or_insert(i);
    }
    m
}

fn unknown(what: &'static str, name: &str, context: impl Into<String>) -> CompileError {
    CompileError::Unknown {
        what,
        name: name.to_string(),
        context: context.into(),
    }
}

impl<'a> Names<'a> {
    pub fn new(system: &'a System) -> Names<'a> {
        Names {
            system,
            modules: index(system.modules.iter().map(|m| m.name.as_str())),
            programs: index(system.programs.iter().map(|p| p.name.as_str())),
            messages: index(system.messages.iter().map(|m| m.name.as_str())),
            modes: index(system.modes.iter().map(|m| m.name.as_str())),
            nodes: index(system.network.nodes.iter().map(|n| n.name.as_str())),
        }
    }

    pub fn module(&self, name: &str, ctx: &str) -> Result<ModuleId, CompileError> {
        self.modules
            .get(name)
            .copied()
            .ok_or_else(|| unknown("module", name, ctx))
    }
    pub fn program(&self, name: &str, ctx: &str) -> Result<ProgramId, CompileError> {
        self.programs
            .get(name)
            .copied()
            .ok_or_else(|| unknown("program", name, ctx))
    }
    pub fn message(&self, name: &str, ctx: &str) -> Result<MessageId, CompileError> {
        self.messages
            .get(name)
            .copied()
            .ok_or_else(|| unknown("message", name, ctx))
    }
    pub fn mode(&self, name: &str, ctx: &str) -> Result<ModeId, CompileError> {
        self.modes
            .get(name)
            .copied()
            .ok_or_else(|| unknown("mode", name, ctx))
    }

    /// The link direction of a hop entry, and the module it leaves (if it
    /// leaves a module rather than a switch).
    pub fn hop(&self, h: &HopEntry, ctx: &str) -> Result<(usize, Option<ModuleId>), CompileError> {
        let from = *self
            .nodes
            .get(h.from.as_str())
            .ok_or_else(|| unknown("network node", &h.from, ctx))?;
        let to = *self
            .nodes
            .get(h.to.as_str())
            .ok_or_else(|| unknown("network node", &h.to, ctx))?;
        let net = &self.system.network;
        let link = net
            .link_between(from, to)
            .ok_or_else(|| unknown("link", &format!("{} -> {}", h.from, h.to), ctx))?;
        let dir = Hop { link, from, to }.dir_id(&net.links);
        let module = net.nodes.get(from).and_then(|n| n.module);
        Ok((dir, module))
    }

    /// The latency of the link a hop crosses (0 if unknown).
    pub fn hop_latency(&self, h: &HopEntry) -> u64 {
        let net = &self.system.network;
        let (Some(&a), Some(&b)) = (
            self.nodes.get(h.from.as_str()),
            self.nodes.get(h.to.as_str()),
        ) else {
            return 0;
        };
        net.link_between(a, b)
            .and_then(|l| net.links.get(l))
            .map_or(0, |l| l.latency)
    }
}

/// One job of a schedule, resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct RJob {
    pub program: ProgramId,
    pub index: u64,
    pub module: ModuleId,
    pub core: u32,
    pub start: u64,
    pub end: u64,
}

/// One hop of a transmission that leaves a module: a message slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct RSlot {
    pub module: ModuleId,
    pub dir: usize,
    pub message: MessageId,
    pub instance: u64,
    pub start: u64,
    pub end: u64,
}

/// A mode's schedule, resolved.
#[derive(Debug, Clone)]
pub(crate) struct RMode<'a> {
    pub mode: ModeId,
    pub schedule: &'a Schedule,
    pub jobs: Vec<RJob>,
    pub slots: Vec<RSlot>,
    /// Program → (module, core).
    pub placement: BTreeMap<ProgramId, (ModuleId, u32)>,
}

impl RMode<'_> {
    /// The jobs of `program`, by index.
    pub fn jobs_of(&self, program: ProgramId) -> Vec<RJob> {
        let mut v: Vec<RJob> = self
            .jobs
            .iter()
            .filter(|j| j.program == program)
            .copied()
            .collect();
        v.sort_by_key(|j| j.index);
        v
    }
}

/// Resolves one schedule. Problems are pushed to `issues`; what resolves is
/// kept (so a lenient caller can still use the rest).
pub(crate) fn resolve_schedule<'a>(
    names: &Names<'_>,
    mode: ModeId,
    schedule: &'a Schedule,
    issues: &mut Vec<CompileError>,
) -> RMode<'a> {
    let system = names.system;
    let mode_name = schedule.mode.as_str();
    let mismatch = |reason: String| CompileError::ScheduleMismatch {
        mode: mode_name.to_string(),
        reason,
    };
    match Tick::parse(&schedule.tick) {
        Ok(t) if t.ns == system.tick.ns => {}
        _ => issues.push(mismatch(format!(
            "tick `{}`, the system's is `{}`",
            schedule.tick, system.tick.text
        ))),
    }
    if let Some(m) = system.modes.get(mode)
        && m.major_frame != schedule.major_frame
    {
        issues.push(mismatch(format!(
            "major frame {}, the mode's is {}",
            schedule.major_frame, m.major_frame
        )));
    }
    let ctx = format!("schedule of mode `{mode_name}`");
    let mut placement = BTreeMap::new();
    for p in &schedule.placement {
        match (
            names.program(&p.program, &ctx),
            names.module(&p.module, &ctx),
        ) {
            (Ok(pr), Ok(mo)) => {
                let cores = system.modules.get(mo).map_or(0, |m| m.cores);
                if p.core >= cores {
                    issues.push(mismatch(format!(
                        "program `{}` placed on core {} of `{}`, which has {cores}",
                        p.program, p.core, p.module
                    )));
                } else {
                    placement.insert(pr, (mo, p.core));
                }
            }
            (Err(e), _) | (_, Err(e)) => issues.push(e),
        }
    }
    let mut jobs = Vec::with_capacity(schedule.jobs.len());
    for j in &schedule.jobs {
        match (
            names.program(&j.program, &ctx),
            names.module(&j.module, &ctx),
        ) {
            (Ok(program), Ok(module)) => {
                let cores = system.modules.get(module).map_or(0, |m| m.cores);
                if j.core >= cores {
                    issues.push(mismatch(format!(
                        "job {} of `{}` on core {} of `{}`, which has {cores}",
                        j.index, j.program, j.core, j.module
                    )));
                } else if j.end <= j.start || j.end > schedule.major_frame {
                    issues.push(mismatch(format!(
                        "job {} of `{}` is [{}, {}), outside (0, {}]",
                        j.index, j.program, j.start, j.end, schedule.major_frame
                    )));
                } else {
                    jobs.push(RJob {
                        program,
                        index: j.index,
                        module,
                        core: j.core,
                        start: j.start,
                        end: j.end,
                    });
                }
            }
            (Err(e), _) | (_, Err(e)) => issues.push(e),
        }
    }
    jobs.sort();
    let mut slots = Vec::new();
    for t in &schedule.transmissions {
        let message = match names.message(&t.message, &ctx) {
            Ok(m) => m,
            Err(e) => {
                issues.push(e);
                continue;
            }
        };
        for h in &t.hops {
            match names.hop(h, &ctx) {
                Ok((dir, Some(module))) => slots.push(RSlot {
                    module,
                    dir,
                    message,
                    instance: t.index,
                    start: h.start,
                    end: h.end,
                }),
                Ok((_, None)) => {}
                Err(e) => issues.push(e),
            }
        }
    }
    slots.sort();
    RMode {
        mode,
        schedule,
        jobs,
        slots,
        placement,
    }
}

/// Resolves one schedule per mode of the system (matched by name). In
/// lenient mode problems are returned beside the result; schedules of
/// unknown modes are left out, and so are modes without a schedule.
pub(crate) fn resolve_all<'a>(
    names: &Names<'_>,
    schedules: &'a [Schedule],
    issues: &mut Vec<CompileError>,
) -> Vec<Option<RMode<'a>>> {
    let system = names.system;
    let mut out: Vec<Option<RMode<'a>>> = (0..system.modes.len()).map(|_| None).collect();
    for s in schedules {
        let mode = match names.mode(&s.mode, "schedules") {
            Ok(m) => m,
            Err(e) => {
                issues.push(e);
                continue;
            }
        };
        if out.get(mode).is_some_and(Option::is_some) {
            issues.push(CompileError::DuplicateSchedule {
                mode: s.mode.clone(),
            });
            continue;
        }
        let r = resolve_schedule(names, mode, s, issues);
        if let Some(slot) = out.get_mut(mode) {
            *slot = Some(r);
        }
    }
    for (m, r) in out.iter().enumerate() {
        if r.is_none()
            && let Some(mode) = system.modes.get(m)
        {
            issues.push(CompileError::MissingSchedule {
                mode: mode.name.clone(),
            });
        }
    }
    out
}
