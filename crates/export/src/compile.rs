//! Schedules and plans → one compiled table per module (`seamless-tables`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use seamless_model::plan::{Plan, Scheme, Transfer};
use seamless_model::schedule::Schedule;
use seamless_model::{ModeId, ModuleId, ProgramId, System};
use seamless_tables::{
    Action, ActionKind, EncodeError, ExtendSpec, JobSpec, LinkSlotsSpec, LinkSpec, ModeSpec,
    ModuleTablesSpec, NO_LINK, SlotSpec, TransitionSpec, WindowSpec, encode,
};

use crate::resolve::{Names, RMode, resolve_all};

/// Why the inputs could not be compiled (or exported).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CompileError {
    /// A schedule or plan names a module, program, message, mode, network
    /// node or link the system does not have.
    Unknown {
        /// What kind of thing the name should denote ("module", "program",
        /// "message", "mode", "network node", "link").
        what: &'static str,
        /// The name as written in the schedule or plan.
        name: String,
        /// Where the name was found.
        context: String,
    },
    /// No schedule was given for a mode of the system.
    MissingSchedule {
        /// Name of the mode without a schedule.
        mode: String,
    },
    /// Two schedules for one mode.
    DuplicateSchedule {
        /// Name of the mode scheduled twice.
        mode: String,
    },
    /// A schedule disagrees with the system (tick, major frame, a core
    /// number, a job outside the frame).
    ScheduleMismatch {
        /// Name of the mode whose schedule disagrees.
        mode: String,
        /// The disagreement, as one sentence.
        reason: String,
    },
    /// A plan for a transition the system does not allow.
    NotAllowed {
        /// Name of the mode the plan leaves.
        from: String,
        /// Name of the mode the plan enters.
        to: String,
    },
    /// Two plans for one transition.
    DuplicatePlan {
        /// Name of the mode both plans leave.
        from: String,
        /// Name of the mode both plans enter.
        to: String,
    },
    /// A plan that contradicts its schedules or the format's rules.
    InvalidPlan {
        /// Name of the mode the plan leaves.
        from: String,
        /// Name of the mode the plan enters.
        to: String,
        /// The rule broken, as one sentence.
        reason: String,
    },
    /// More of something than the table format can number.
    TooMany {
        /// What there are too many of ("modes", "cores", "programs on one
        /// module", "messages on one module", "message instances", "link
        /// directions").
        what: &'static str,
        /// How many the inputs hold.
        count: u64,
    },
    /// The encoder refused the module's table (it breaks a rule of the
    /// format, e.g. overlapping windows in an invalid schedule).
    Encode {
        /// Name of the module whose table was refused.
        module: String,
        /// The rule of the table format it breaks.
        error: EncodeError,
    },
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompileError::Unknown {
                what,
                name,
                context,
            } => write!(f, "{context}: unknown {what} `{name}`"),
            CompileError::MissingSchedule { mode } => write!(f, "no schedule for mode `{mode}`"),
            CompileError::DuplicateSchedule { mode } => {
                write!(f, "two schedules for mode `{mode}`")
            }
            CompileError::ScheduleMismatch { mode, reason } => {
                write!(f, "schedule of mode `{mode}`: {reason}")
            }
            CompileError::NotAllowed { from, to } => {
                write!(
                    f,
                    "plan for `{from}` -> `{to}`, a transition the system does not allow"
                )
            }
            CompileError::DuplicatePlan { from, to } => {
                write!(f, "two plans for `{from}` -> `{to}`")
            }
            CompileError::InvalidPlan { from, to, reason } => {
                write!(f, "plan `{from}` -> `{to}`: {reason}")
            }
            CompileError::TooMany { what, count } => {
                write!(f, "too many {what} for the table format: {count}")
            }
            CompileError::Encode { module, error } => {
                write!(f, "table of module `{module}`: {error}")
            }
        }
    }
}

impl std::error::Error for CompileError {}

/// A transition action with system-wide ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Stop,
    Suspend,
    Chunk { dir: usize, bytes: u64, end: i64 },
    Resume,
}

#[derive(Debug, Clone, Copy)]
struct GAction {
    module: ModuleId,
    program: ProgramId,
    at: i64,
    kind: Kind,
}

/// A plan resolved: times relative to `S`, actions per module.
#[derive(Debug, Clone)]
struct RPlan {
    from: ModeId,
    to: ModeId,
    phi: u64,
    lead: u64,
    complete: u64,
    actions: Vec<GAction>,
    /// (destination module, program, job from `b_start`).
    skips: Vec<(ModuleId, ProgramId, u64)>,
    /// (destination module, program, job, extra).
    extends: Vec<(ModuleId, ProgramId, u64, u64)>,
}

fn canon(s: &Schedule) -> Schedule {
    let mut s = s.clone();
    s.canonicalize();
    s
}

/// The instant a migrated program may run on its destination (docs/format.md §10):
/// the last arrival of the transfers its scheme waits for, or `None` when
/// the plan lists none.
fn may_run(names: &Names<'_>, scheme: Scheme, transfers: &[&Transfer]) -> Option<u64> {
    let waits_for = |phase: &str| match scheme {
        Scheme::PostCopy => phase == "cpu",
        Scheme::Hybrid => phase == "cpu" || phase.starts_with("round-"),
        Scheme::ScatterGather => phase == "gather",
        Scheme::StopAndCopy | Scheme::PreCopy => true,
    };
    transfers
        .iter()
        .filter(|t| waits_for(&t.phase))
        .filter_map(|t| {
            let h = t.hops.last()?;
            h.end.checked_add(names.hop_latency(h))
        })
        .max()
}

fn resolve_plan(
    names: &Names<'_>,
    modes: &[Option<RMode<'_>>],
    plan: &Plan,
) -> Result<RPlan, CompileError> {
    let system = names.system;
    let invalid = |reason: String| CompileError::InvalidPlan {
        from: plan.from.clone(),
        to: plan.to.clone(),
        reason,
    };
    let ctx = format!("plan `{}` -> `{}`", plan.from, plan.to);
    let from = names.mode(&plan.from, &ctx)?;
    let to = names.mode(&plan.to, &ctx)?;
    if !system.transitions.contains(&(from, to)) {
        return Err(CompileError::NotAllowed {
            from: plan.from.clone(),
            to: plan.to.clone(),
        });
    }
    let (Some(Some(a)), Some(Some(b))) = (modes.get(from), modes.get(to)) else {
        return Err(invalid("a mode it joins has no schedule".into()));
    };
    if canon(&plan.from_schedule) != canon(a.schedule) {
        return Err(invalid(format!(
            "its from_schedule differs from the schedule given for `{}`",
            plan.from
        )));
    }
    if canon(&plan.to_schedule) != canon(b.schedule) {
        return Err(invalid(format!(
            "its to_schedule differs from the schedule given for `{}`",
            plan.to
        )));
    }
    let ha = a.schedule.major_frame;
    let hb = b.schedule.major_frame;
    let s = plan.switch;
    if ha == 0 || hb == 0 || !s.is_multiple_of(ha) {
        return Err(invalid(format!(
            "switch point {s} is not a frame boundary of `{}` (H = {ha})",
            plan.from
        )));
    }
    if plan.request > s || plan.b_start < s || plan.complete < plan.b_start {
        return Err(invalid(format!(
            "instants out of order: request {}, switch {s}, b_start {}, complete {}",
            plan.request, plan.b_start, plan.complete
        )));
    }
    let rel = |t: i128| -> Result<i64, CompileError> {
        i64::try_from(t - i128::from(s)).map_err(|_| invalid(format!("instant {t} out of range")))
    };
    let phi = plan.b_start - s;
    let mut actions = Vec::new();

    // Programs only in A stop at S.
    for (&p, &(m, _)) in &a.placement {
        if !b.placement.contains_key(&p) {
            actions.push(GAction {
                module: m,
                program: p,
                at: 0,
                kind: Kind::Stop,
            });
        }
    }

    // Transfers: one chunk action per hop that leaves a module.
    let mut by_program: BTreeMap<ProgramId, Vec<&Transfer>> = BTreeMap::new();
    for t in &plan.transfers {
        let p = names.program(&t.program, &ctx)?;
        by_program.entry(p).or_default().push(t);
        if t.bytes == 0 {
            return Err(invalid(format!("an empty chunk of `{}`", t.program)));
        }
        for h in &t.hops {
            let (dir, module) = names.hop(h, &ctx)?;
            if h.end <= h.start {
                return Err(invalid(format!(
                    "a chunk of `{}` on {} -> {} is [{}, {})",
                    t.program, h.from, h.to, h.start, h.end
                )));
            }
            if let Some(module) = module {
                actions.push(GAction {
                    module,
                    program: p,
                    at: rel(i128::from(h.start))?,
                    kind: Kind::Chunk {
                        dir,
                        bytes: t.bytes,
                        end: rel(i128::from(h.end))?,
                    },
                });
            }
        }
    }

    // Migrations: suspend on the source, resume on the destination.
    let mut migrated = BTreeSet::new();
    for mg in &plan.migrations {
        let p = names.program(&mg.program, &ctx)?;
        let src = names.module(&mg.from.module, &ctx)?;
        let dst = names.module(&mg.to.module, &ctx)?;
        if !migrated.insert(p) {
            return Err(invalid(format!("`{}` migrates twice", mg.program)));
        }
        if a.placement.get(&p).map(|x| x.0) != Some(src)
            || b.placement.get(&p).map(|x| x.0) != Some(dst)
        {
            return Err(invalid(format!(
                "migration of `{}` from `{}` to `{}` does not match the placements",
                mg.program, mg.from.module, mg.to.module
            )));
        }
        let Some(last) = a.jobs_of(p).into_iter().max_by_key(|j| j.end) else {
            return Err(invalid(format!(
                "`{}` has no job in `{}`",
                mg.program, plan.from
            )));
        };
        // The suspension is the end of the last source job before S; it is
        // reported no earlier than the request (the program does not run
        // in between anyway), so the plan needs no lead before r.
        let suspension = rel(i128::from(s) - i128::from(ha) + i128::from(last.end))?;
        let at = suspension.max(rel(i128::from(plan.request))?);
        actions.push(GAction {
            module: src,
            program: p,
            at,
            kind: Kind::Suspend,
        });
        let transfers = by_program.get(&p).map_or(&[][..], |v| &v[..]);
        let resume = may_run(names, mg.scheme, transfers).map_or(mg.resume, |t| t.min(mg.resume));
        actions.push(GAction {
            module: dst,
            program: p,
            at: rel(i128::from(resume))?,
            kind: Kind::Resume,
        });
    }
    for (&p, &(ma, _)) in &a.placement {
        if let Some(&(mb, _)) = b.placement.get(&p)
            && ma != mb
            && !migrated.contains(&p)
        {
            let name = system.programs.get(p).map_or("", |x| x.name.as_str());
            return Err(invalid(format!(
                "`{name}` changes module but the plan has no migration for it"
            )));
        }
    }

    // Skipped and extended jobs of B, and when they end (relative to S).
    let mut latest: i128 = i128::from(phi);
    let mut job_end =
        |program: &str, index: u64, extra: u64| -> Result<(ModuleId, ProgramId), CompileError> {
            let p = names.program(program, &ctx)?;
            let Some(&(m, _)) = b.placement.get(&p) else {
                return Err(invalid(format!(
                    "`{program}` does not run in `{}`",
                    plan.to
                )));
            };
            let jobs = b.jobs_of(p);
            let n = (jobs.len() as u64).max(1);
            let Some(job) = jobs.get((index % n) as usize) else {
                return Err(invalid(format!("`{program}` has no job in `{}`", plan.to)));
            };
            let f = index / n;
            let end = i128::from(phi)
                + i128::from(f) * i128::from(hb)
                + i128::from(job.end)
                + i128::from(extra);
            latest = latest.max(end);
            Ok((m, p))
        };
    let mut skips = Vec::new();
    for sk in &plan.skipped {
        let (m, p) = job_end(&sk.program, sk.index, 0)?;
        skips.push((m, p, sk.index));
    }
    let mut extends = Vec::new();
    for ex in &plan.extended {
        let (m, p) = job_end(&ex.program, ex.index, ex.extra)?;
        extends.push((m, p, ex.index, ex.extra));
    }

    let mut lead: i128 = 0;
    latest = latest.max(i128::from(rel(i128::from(plan.complete))?));
    for ac in &actions {
        lead = lead.max(-i128::from(ac.at));
        latest = latest.max(i128::from(ac.at));
        if let Kind::Chunk { end, .. } = ac.kind {
            latest = latest.max(i128::from(end));
        }
    }
    // The runtime switches at the first frame boundary of A at or after
    // `r + lead`; make that the plan's own switch point even when the planner
    // chose a later boundary than the first one after the request.
    let ha = i128::from(plan.from_schedule.major_frame.max(1));
    let ahead = i128::from(plan.switch) - i128::from(plan.request) - (ha - 1);
    lead = lead.max(ahead);
    let max = i128::from(i64::MAX);
    if lead > max || latest > max {
        return Err(invalid("times out of range".into()));
    }
    Ok(RPlan {
        from,
        to,
        phi,
        lead: lead as u64,
        complete: latest as u64,
        actions,
        skips,
        extends,
    })
}

fn too_many(what: &'static str, count: usize) -> CompileError {
    CompileError::TooMany {
        what,
        count: count as u64,
    }
}

fn u16_id(what: &'static str, v: usize) -> Result<u16, CompileError> {
    u16::try_from(v).map_err(|_| too_many(what, v))
}

/// The link direction ids leaving module `m`, with their names.
fn outgoing(system: &System, m: ModuleId) -> Result<Vec<LinkSpec>, CompileError> {
    let net = &system.network;
    let Some(&node) = net.module_node.get(m) else {
        return Ok(Vec::new());
    };
    let name = |n: usize| net.nodes.get(n).map_or("", |x| x.name.as_str());
    let mut out = Vec::new();
    for (l, link) in net.links.iter().enumerate() {
        let (dir, peer) = if link.a == node {
            (2 * l, link.b)
        } else if link.b == node {
            (2 * l + 1, link.a)
        } else {
            continue;
        };
        let id = u16::try_from(dir)
            .ok()
            .filter(|&d| d != NO_LINK)
            .ok_or_else(|| too_many("link directions", net.directions()))?;
        out.push(LinkSpec {
            id,
            name: format!("{}->{}", name(node), name(peer)),
        });
    }
    out.sort_by_key(|l| l.id);
    Ok(out)
}

fn module_spec(
    names: &Names<'_>,
    modes: &[&RMode<'_>],
    plans: &[RPlan],
    m: ModuleId,
) -> Result<ModuleTablesSpec, CompileError> {
    let system = names.system;
    let module = &system.modules[m];
    let cores =
        u16::try_from(module.cores).map_err(|_| too_many("cores", module.cores as usize))?;
    let mut programs = BTreeSet::new();
    let mut messages = BTreeSet::new();
    for rm in modes {
        programs.extend(rm.jobs.iter().filter(|j| j.module == m).map(|j| j.program));
        messages.extend(rm.slots.iter().filter(|s| s.module == m).map(|s| s.message));
    }
    for pl in plans {
        programs.extend(
            pl.actions
                .iter()
                .filter(|a| a.module == m)
                .map(|a| a.program),
        );
        programs.extend(pl.skips.iter().filter(|s| s.0 == m).map(|s| s.1));
        programs.extend(pl.extends.iter().filter(|e| e.0 == m).map(|e| e.1));
    }
    let programs: Vec<ProgramId> = programs.into_iter().collect();
    let messages: Vec<usize> = messages.into_iter().collect();
    if programs.len() > 0xFFFF {
        return Err(too_many("programs on one module", programs.len()));
    }
    if messages.len() > 0xFFFF {
        return Err(too_many("messages on one module", messages.len()));
    }
    let local_p: BTreeMap<ProgramId, u16> = programs
        .iter()
        .enumerate()
        .map(|(i, &p)| (p, i as u16))
        .collect();
    let local_m: BTreeMap<usize, u16> = messages
        .iter()
        .enumerate()
        .map(|(i, &x)| (x, i as u16))
        .collect();
    let lp = |p: ProgramId| local_p.get(&p).copied().unwrap_or(0);

    let mut mode_specs = Vec::with_capacity(modes.len());
    for rm in modes {
        let mut core_lists: Vec<Vec<WindowSpec>> = vec![Vec::new(); usize::from(cores)];
        for j in rm.jobs.iter().filter(|j| j.module == m) {
            if let Some(list) = core_lists.get_mut(j.core as usize) {
                list.push(WindowSpec {
                    start: j.start,
                    end: j.end,
                    program: lp(j.program),
                });
            }
        }
        let mut links: BTreeMap<u16, Vec<SlotSpec>> = BTreeMap::new();
        for s in rm.slots.iter().filter(|s| s.module == m) {
            let dir = u16_id("link directions", s.dir)?;
            let instance = u32::try_from(s.instance)
                .map_err(|_| too_many("message instances", s.instance as usize))?;
            links.entry(dir).or_default().push(SlotSpec {
                start: s.start,
                end: s.end,
                message: local_m.get(&s.message).copied().unwrap_or(0),
                instance,
            });
        }
        let mode = &system.modes[rm.mode];
        mode_specs.push(ModeSpec {
            id: u16_id("modes", rm.mode)?,
            name: mode.name.clone(),
            major_frame: rm.schedule.major_frame,
            tick_ns: system.tick.ns,
            cores: core_lists,
            links: links
                .into_iter()
                .map(|(link, slots)| LinkSlotsSpec { link, slots })
                .collect(),
        });
    }

    let mut transitions = Vec::with_capacity(plans.len());
    for pl in plans {
        let mut actions = Vec::new();
        for ac in pl.actions.iter().filter(|a| a.module == m) {
            let program = lp(ac.program);
            let kind = match ac.kind {
                Kind::Stop => ActionKind::Stop { program },
                Kind::Suspend => ActionKind::Suspend { program },
                Kind::Resume => ActionKind::Resume { program },
                Kind::Chunk { dir, bytes, end } => ActionKind::SendChunk {
                    program,
                    link: u16_id("link directions", dir)?,
                    bytes,
                    end,
                },
            };
            actions.push(Action { at: ac.at, kind });
        }
        transitions.push(TransitionSpec {
            from: u16_id("modes", pl.from)?,
            to: u16_id("modes", pl.to)?,
            phi: pl.phi,
            lead: pl.lead,
            complete: pl.complete,
            actions,
            skips: pl
                .skips
                .iter()
                .filter(|s| s.0 == m)
                .map(|s| JobSpec {
                    program: lp(s.1),
                    job: s.2,
                })
                .collect(),
            extends: pl
                .extends
                .iter()
                .filter(|e| e.0 == m)
                .map(|e| ExtendSpec {
                    program: lp(e.1),
                    job: e.2,
                    extra: e.3,
                })
                .collect(),
        });
    }

    let mut spec = ModuleTablesSpec {
        module_id: u16_id("modules", m)?,
        module_name: module.name.clone(),
        cores,
        programs: programs
            .iter()
            .map(|&p| system.programs[p].name.clone())
            .collect(),
        messages: messages
            .iter()
            .map(|&x| system.messages[x].name.clone())
            .collect(),
        links: outgoing(system, m)?,
        modes: mode_specs,
        transitions,
    };
    spec.canonicalize();
    Ok(spec)
}

/// Builds every module's table spec (in `System::modules` order, each in
/// canonical order) without encoding it. See [`compile`].
pub fn compile_specs(
    system: &System,
    schedules: &[Schedule],
    plans: &[Plan],
) -> Result<Vec<ModuleTablesSpec>, CompileError> {
    let names = Names::new(system);
    let mut issues = Vec::new();
    let resolved = resolve_all(&names, schedules, &mut issues);
    if let Some(e) = issues.into_iter().next() {
        return Err(e);
    }
    let modes: Vec<&RMode<'_>> = resolved.iter().flatten().collect();
    if modes.len() > 0xFFFF {
        return Err(too_many("modes", modes.len()));
    }
    let mut rplans: Vec<RPlan> = Vec::with_capacity(plans.len());
    for p in plans {
        let r = resolve_plan(&names, &resolved, p)?;
        if rplans.iter().any(|x| (x.from, x.to) == (r.from, r.to)) {
            return Err(CompileError::DuplicatePlan {
                from: p.from.clone(),
                to: p.to.clone(),
            });
        }
        rplans.push(r);
    }
    rplans.sort_by_key(|r| (r.from, r.to));
    (0..system.modules.len())
        .map(|m| module_spec(&names, &modes, &rplans, m))
        .collect()
}

/// Compiles the schedules (one per mode of the system, matched by name) and
/// the transition plans (at most one per allowed transition; a transition
/// without a plan is left out of the tables, so the runtime refuses it)
/// into one encoded table per computing module, in `System::modules`
/// order: `(module name, bytes)`. Deterministic, byte for byte.
///
/// What each table holds:
///
/// - every mode of the system (mode id = index in `System::modes`), with the
///   module's job windows per core (the jobs of the schedule on this module)
///   and message slots per outgoing link direction (link id = the model's
///   direction id, [`seamless_model::network::Hop::dir_id`]: one slot per
///   transmission hop leaving this module), even where the module runs
///   nothing in a mode, so every module follows every switch;
/// - program and message ids local to the module (those it runs, sends,
///   or forwards chunks of, in catalogue order);
/// - per plan, with times relative to the switch point `S`: `φ = b_start −
///   S`; `complete` = the plan's `complete − S` (at least every action's,
///   skipped and extended job's end); the actions of this module: *stop* at
///   0 for each program of the old mode only that ran here; *suspend* on
///   the source of a migration at the end of the program's last job before
///   `S` (the suspension), or at the request if that job ended before it;
///   *send chunk* for every hop of a transfer that leaves this module (the
///   source, or a scatter-gather intermediary), over `[hop start, hop
///   end)`; *resume* on the destination at the instant the scheme lets the
///   program run (the last arrival of what it waits for: every chunk for
///   stop-and-copy and pre-copy, the `cpu` chunks for post-copy, the rounds
///   and `cpu` for hybrid, the `gather` legs for scatter-gather; never later
///   than the plan's `resume`); the skipped and extended jobs of the new mode
///   that run here.
/// - `lead` = how far before `S` the plan's earliest action (over **all**
///   modules) lies, the same on every module: the runtime switches at the
///   first frame boundary `S ≥ r + lead`, so every module picks the same
///   `S` for a request, no action is due before the request, and for the
///   plan's own request `r` the runtime's `S` is the plan's or a whole
///   number of old frames earlier (the plan shifted by whole frames of the
///   old mode, which changes nothing relative to `S`).
pub fn compile(
    system: &System,
    schedules: &[Schedule],
    plans: &[Plan],
) -> Result<Vec<(String, Vec<u8>)>, CompileError> {
    compile_specs(system, schedules, plans)?
        .into_iter()
        .map(|spec| {
            let bytes = encode(&spec).map_err(|error| CompileError::Encode {
                module: spec.module_name.clone(),
                error,
            })?;
            Ok((spec.module_name, bytes))
        })
        .collect()
}
