//! The encoder (feature `std`): plain Rust data → table bytes, and back.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use crate::error::FormatError;
use crate::reader::{DIR_ENTRY_LEN, HEADER_LEN, Tables, kind};
use crate::records::{Action, ActionKind, LinkId, MessageId, ModeId, NO_LINK, ProgramId};
use crate::{FORMAT_VERSION, MAGIC};

/// One module's tables as plain data: what [`encode`] writes and
/// [`ModuleTablesSpec::from_tables`] reads back.
///
/// Program and message ids are indices into `programs` and `messages`. Lists
/// may be given in any order: [`encode`] writes them in canonical order (see
/// [`ModuleTablesSpec::canonicalize`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModuleTablesSpec {
    /// The module's id.
    pub module_id: u16,
    /// The module's name.
    pub module_name: String,
    /// Number of cores (≥ 1); every mode has one window list per core.
    pub cores: u16,
    /// Program names; a program's id is its index.
    pub programs: Vec<String>,
    /// Message names; a message's id is its index.
    pub messages: Vec<String>,
    /// The module's outgoing link directions.
    pub links: Vec<LinkSpec>,
    /// The modes (at least one).
    pub modes: Vec<ModeSpec>,
    /// The allowed transitions and their plans.
    pub transitions: Vec<TransitionSpec>,
}

/// An outgoing link direction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkSpec {
    /// System-wide id (not 0xFFFF).
    pub id: LinkId,
    /// Name, for diagnostics (e.g. `"cm1->sw1"`).
    pub name: String,
}

/// One mode's tables on this module.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModeSpec {
    /// System-wide id.
    pub id: ModeId,
    /// Name.
    pub name: String,
    /// Major frame `H` in ticks.
    pub major_frame: u64,
    /// Tick length in nanoseconds.
    pub tick_ns: u64,
    /// Per core (exactly `cores` entries), its job windows.
    pub cores: Vec<Vec<WindowSpec>>,
    /// Per outgoing link direction with traffic, its message slots.
    pub links: Vec<LinkSlotsSpec>,
}

/// A job window `[start, end)` of `program` within the major frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WindowSpec {
    /// First tick.
    pub start: u64,
    /// First tick after.
    pub end: u64,
    /// The program.
    pub program: ProgramId,
}

/// The message slots of one link direction in one mode.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkSlotsSpec {
    /// The link direction's id.
    pub link: LinkId,
    /// Its slots.
    pub slots: Vec<SlotSpec>,
}

/// A message slot `[start, end)` within the major frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SlotSpec {
    /// First tick.
    pub start: u64,
    /// First tick after.
    pub end: u64,
    /// The message.
    pub message: MessageId,
    /// The instance within the frame.
    pub instance: u32,
}

/// An allowed transition and its plan; times are relative to the switch
/// point `S`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TransitionSpec {
    /// Old mode.
    pub from: ModeId,
    /// New mode.
    pub to: ModeId,
    /// `b_start − S`.
    pub phi: u64,
    /// How long before `S` the first action may be due (`≥ −min(at)`).
    pub lead: u64,
    /// `complete − S` (`≥ φ`, and no earlier than every action's end and
    /// every skipped or extended job's end).
    pub complete: u64,
    /// Timed actions.
    pub actions: Vec<Action>,
    /// Jobs of the new mode not dispatched.
    pub skips: Vec<JobSpec>,
    /// Jobs of the new mode dispatched longer.
    pub extends: Vec<ExtendSpec>,
}

/// A job of the new mode: `job` counts the program's jobs from `b_start`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JobSpec {
    /// The program.
    pub program: ProgramId,
    /// Index from `b_start` (`f·n + k`).
    pub job: u64,
}

/// An extended job of the new mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExtendSpec {
    /// The program.
    pub program: ProgramId,
    /// Index from `b_start`.
    pub job: u64,
    /// Extra ticks.
    pub extra: u64,
}

/// Why [`encode`] refused a spec.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodeError {
    /// More programs, messages, links or modes than ids can name, or
    /// more records than a section can address.
    TooMany {
        /// What.
        what: &'static str,
        /// How many.
        count: usize,
    },
    /// A name longer than 65535 bytes.
    NameTooLong(String),
    /// A mode whose `cores` does not have one list per core.
    CoreCountMismatch {
        /// The mode.
        mode: ModeId,
        /// The module's cores.
        expected: u16,
        /// Lists given.
        found: usize,
    },
    /// A mode's slots name a link the module does not have, or name it twice.
    UnknownLink {
        /// The mode.
        mode: ModeId,
        /// The link id.
        link: LinkId,
    },
    /// A transition names a mode that is not in the spec.
    UnknownMode(ModeId),
    /// A skipped or extended job that the new mode does not have.
    UnknownJob {
        /// Transition's old mode.
        from: ModeId,
        /// Transition's new mode.
        to: ModeId,
        /// Program.
        program: ProgramId,
        /// Job index.
        job: u64,
    },
    /// The table would exceed 4 GiB.
    TooLarge,
    /// The bytes written fail the reader's validation (the spec breaks a rule
    /// of the format: overlapping windows, a job outside the frame, …).
    Invalid(FormatError),
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::TooMany { what, count } => write!(f, "too many {what}: {count}"),
            EncodeError::NameTooLong(n) => write!(f, "name longer than 65535 bytes: {n:.40}…"),
            EncodeError::CoreCountMismatch {
                mode,
                expected,
                found,
            } => {
                write!(
                    f,
                    "mode {mode} has {found} core lists, the module has {expected} cores"
                )
            }
            EncodeError::UnknownLink { mode, link } => {
                write!(
                    f,
                    "mode {mode} has slots on link {link}, which is unknown or listed twice"
                )
            }
            EncodeError::UnknownMode(m) => write!(f, "transition names unknown mode {m}"),
            EncodeError::UnknownJob {
                from,
                to,
                program,
                job,
            } => {
                write!(
                    f,
                    "transition {from} -> {to}: program {program} has no job {job} in the new mode"
                )
            }
            EncodeError::TooLarge => write!(f, "table larger than 4 GiB"),
            EncodeError::Invalid(e) => write!(f, "spec breaks the format: {e}"),
        }
    }
}

impl std::error::Error for EncodeError {}

impl From<FormatError> for EncodeError {
    fn from(e: FormatError) -> Self {
        EncodeError::Invalid(e)
    }
}

fn action_key(a: &Action) -> (i64, u8, ProgramId, LinkId, i64, u64) {
    match a.kind {
        ActionKind::SendChunk {
            program,
            link,
            bytes,
            end,
        } => (a.at, 2, program, link, end, bytes),
        k => (a.at, k.code(), k.program(), NO_LINK, a.at, 0),
    }
}

/// Per program, its windows `(core, index)` in job order (by start).
fn job_order(mode: &ModeSpec, programs: usize) -> Vec<Vec<(u16, u32, u64)>> {
    let mut per: Vec<Vec<(u16, u32, u64)>> = vec![Vec::new(); programs];
    for (c, list) in mode.cores.iter().enumerate() {
        for (i, w) in list.iter().enumerate() {
            if let Some(v) = per.get_mut(usize::from(w.program)) {
                v.push((c as u16, i as u32, w.start));
            }
        }
    }
    for v in &mut per {
        v.sort_by_key(|&(c, i, s)| (s, c, i));
    }
    per
}

/// Start of `program`'s job `job` (from `b_start`) relative to `S`.
fn job_at(
    mode: &ModeSpec,
    order: &[Vec<(u16, u32, u64)>],
    phi: u64,
    program: ProgramId,
    job: u64,
) -> Option<u64> {
    let jobs = order.get(usize::from(program))?;
    let n = jobs.len() as u64;
    if n == 0 {
        return None;
    }
    let f = job / n;
    let &(_, _, start) = jobs.get(usize::try_from(job % n).ok()?)?;
    phi.checked_add(f.checked_mul(mode.major_frame)?)?
        .checked_add(start)
}

impl ModuleTablesSpec {
    /// Puts every list in the order [`encode`] writes it: links, modes and
    /// transitions by id; windows and slots by start; a mode's link lists by
    /// link id, empty ones dropped; actions by time (then kind, program, …);
    /// skipped and extended jobs by start, then program.
    pub fn canonicalize(&mut self) {
        self.links.sort_by_key(|l| l.id);
        self.modes.sort_by_key(|m| m.id);
        for m in &mut self.modes {
            for list in &mut m.cores {
                list.sort();
            }
            m.links.retain(|l| !l.slots.is_empty());
            m.links.sort_by_key(|l| l.link);
            for l in &mut m.links {
                l.slots.sort();
            }
        }
        self.transitions.sort_by_key(|t| (t.from, t.to));
        let programs = self.programs.len();
        for t in &mut self.transitions {
            t.actions.sort_by_key(action_key);
            let to = self.modes.iter().find(|m| m.id == t.to);
            let order = to.map(|m| job_order(m, programs));
            let at = |program: ProgramId, job: u64| -> u64 {
                match (to, &order) {
                    (Some(m), Some(o)) => job_at(m, o, t.phi, program, job).unwrap_or(u64::MAX),
                    _ => u64::MAX,
                }
            };
            t.skips
                .sort_by_key(|s| (at(s.program, s.job), s.program, s.job));
            t.extends
                .sort_by_key(|e| (at(e.program, e.job), e.program, e.job, e.extra));
        }
    }

    /// Reads a parsed table back into plain data (in canonical order).
    pub fn from_tables(t: &Tables<'_>) -> ModuleTablesSpec {
        let links: Vec<LinkSpec> = t
            .links()
            .map(|l| LinkSpec {
                id: l.id,
                name: l.name.into(),
            })
            .collect();
        let modes = t
            .modes()
            .map(|m| ModeSpec {
                id: m.id(),
                name: m.name().into(),
                major_frame: m.major_frame(),
                tick_ns: m.tick_ns(),
                cores: (0..t.cores())
                    .map(|c| {
                        m.windows(c)
                            .iter()
                            .map(|w| WindowSpec {
                                start: w.start,
                                end: w.end,
                                program: w.program,
                            })
                            .collect()
                    })
                    .collect(),
                links: links
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !m.slots(*i).is_empty())
                    .map(|(i, l)| LinkSlotsSpec {
                        link: l.id,
                        slots: m
                            .slots(i)
                            .iter()
                            .map(|s| SlotSpec {
                                start: s.start,
                                end: s.end,
                                message: s.message,
                                instance: s.instance,
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        let transitions = t
            .transitions()
            .map(|tr| TransitionSpec {
                from: tr.from(),
                to: tr.to(),
                phi: tr.phi(),
                lead: tr.lead(),
                complete: tr.complete(),
                actions: tr.actions().iter().collect(),
                skips: tr
                    .skips()
                    .iter()
                    .map(|s| JobSpec {
                        program: s.program,
                        job: s.job,
                    })
                    .collect(),
                extends: tr
                    .extends()
                    .iter()
                    .map(|e| ExtendSpec {
                        program: e.program,
                        job: e.job,
                        extra: e.extra,
                    })
                    .collect(),
            })
            .collect();
        ModuleTablesSpec {
            module_id: t.module_id(),
            module_name: t.module_name().into(),
            cores: t.cores(),
            programs: (0..t.program_count())
                .map(|i| t.program_name(i as u16).unwrap_or("").into())
                .collect(),
            messages: (0..t.message_count())
                .map(|i| t.message_name(i as u16).unwrap_or("").into())
                .collect(),
            links,
            modes,
            transitions,
        }
    }
}

struct Strings(Vec<u8>);

impl Strings {
    fn add(&mut self, s: &str, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let len = u16::try_from(s.len()).map_err(|_| EncodeError::NameTooLong(s.into()))?;
        let off = u32::try_from(self.0.len()).map_err(|_| EncodeError::TooLarge)?;
        self.0.extend_from_slice(s.as_bytes());
        out.extend_from_slice(&off.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        Ok(())
    }
}

fn count32(what: &'static str, n: usize) -> Result<u32, EncodeError> {
    u32::try_from(n).map_err(|_| EncodeError::TooMany { what, count: n })
}

fn ids(what: &'static str, n: usize) -> Result<(), EncodeError> {
    if n > 0xFFFF {
        Err(EncodeError::TooMany { what, count: n })
    } else {
        Ok(())
    }
}

fn range(out: &mut Vec<u8>, first: usize, count: usize) -> Result<(), EncodeError> {
    out.extend_from_slice(&count32("records", first)?.to_le_bytes());
    out.extend_from_slice(&count32("records", count)?.to_le_bytes());
    Ok(())
}

/// Encodes one module's tables. The spec is canonicalized first (so list
/// order in the spec does not matter), and the bytes are checked with
/// [`Tables::parse`] before they are returned: `encode` never returns a table
/// the reader rejects.
pub fn encode(spec: &ModuleTablesSpec) -> Result<Vec<u8>, EncodeError> {
    let mut spec = spec.clone();
    spec.canonicalize();
    let spec = spec;
    ids("programs", spec.programs.len())?;
    ids("messages", spec.messages.len())?;
    ids("links", spec.links.len())?;
    ids("modes", spec.modes.len())?;

    let mut strings = Strings(Vec::new());
    let mut module = Vec::new();
    module.extend_from_slice(&spec.module_id.to_le_bytes());
    module.extend_from_slice(&spec.cores.to_le_bytes());
    module.extend_from_slice(&[0; 4]);
    strings.add(&spec.module_name, &mut module)?;

    let mut programs = Vec::new();
    for p in &spec.programs {
        strings.add(p, &mut programs)?;
    }
    let mut messages = Vec::new();
    for m in &spec.messages {
        strings.add(m, &mut messages)?;
    }
    let mut links = Vec::new();
    for l in &spec.links {
        links.extend_from_slice(&l.id.to_le_bytes());
        links.extend_from_slice(&[0, 0]);
        strings.add(&l.name, &mut links)?;
    }

    let n_programs = spec.programs.len();
    let mut modes = Vec::new();
    let (mut core_lists, mut windows, mut link_lists, mut slots) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut job_index, mut jobs) = (Vec::new(), Vec::new());
    let mut orders = Vec::with_capacity(spec.modes.len());
    for m in &spec.modes {
        modes.extend_from_slice(&m.id.to_le_bytes());
        modes.extend_from_slice(&[0, 0]);
        strings.add(&m.name, &mut modes)?;
        modes.extend_from_slice(&[0; 4]);
        modes.extend_from_slice(&m.major_frame.to_le_bytes());
        modes.extend_from_slice(&m.tick_ns.to_le_bytes());
        if m.cores.len() != usize::from(spec.cores) {
            return Err(EncodeError::CoreCountMismatch {
                mode: m.id,
                expected: spec.cores,
                found: m.cores.len(),
            });
        }
        let order = job_order(m, n_programs);
        // Job number of each window, per core.
        let mut job_of: Vec<Vec<u32>> = m.cores.iter().map(|l| vec![0; l.len()]).collect();
        for per in &order {
            for (k, &(c, i, _)) in per.iter().enumerate() {
                if let Some(slot) = job_of
                    .get_mut(usize::from(c))
                    .and_then(|v| v.get_mut(i as usize))
                {
                    *slot = count32("jobs", k)?;
                }
            }
        }
        for (c, list) in m.cores.iter().enumerate() {
            range(&mut core_lists, windows.len() / 24, list.len())?;
            for (i, w) in list.iter().enumerate() {
                windows.extend_from_slice(&w.start.to_le_bytes());
                windows.extend_from_slice(&w.end.to_le_bytes());
                windows.extend_from_slice(&w.program.to_le_bytes());
                windows.extend_from_slice(&[0, 0]);
                let job = job_of.get(c).and_then(|v| v.get(i)).copied().unwrap_or(0);
                windows.extend_from_slice(&job.to_le_bytes());
            }
        }
        for per in &order {
            range(&mut job_index, jobs.len() / 8, per.len())?;
            for &(c, i, _) in per {
                jobs.extend_from_slice(&c.to_le_bytes());
                jobs.extend_from_slice(&[0, 0]);
                jobs.extend_from_slice(&i.to_le_bytes());
            }
        }
        for l in &m.links {
            if spec.links.iter().all(|x| x.id != l.link)
                || m.links.iter().filter(|x| x.link == l.link).count() > 1
            {
                return Err(EncodeError::UnknownLink {
                    mode: m.id,
                    link: l.link,
                });
            }
        }
        for l in &spec.links {
            let list = m
                .links
                .iter()
                .find(|x| x.link == l.id)
                .map_or(&[][..], |x| &x.slots[..]);
            range(&mut link_lists, slots.len() / 24, list.len())?;
            for s in list {
                slots.extend_from_slice(&s.start.to_le_bytes());
                slots.extend_from_slice(&s.end.to_le_bytes());
                slots.extend_from_slice(&s.message.to_le_bytes());
                slots.extend_from_slice(&[0, 0]);
                slots.extend_from_slice(&s.instance.to_le_bytes());
            }
        }
        orders.push(order);
    }

    let (mut transitions, mut actions, mut skips, mut extends) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for t in &spec.transitions {
        let to = spec
            .modes
            .iter()
            .position(|m| m.id == t.to)
            .ok_or(EncodeError::UnknownMode(t.to))?;
        if !spec.modes.iter().any(|m| m.id == t.from) {
            return Err(EncodeError::UnknownMode(t.from));
        }
        let (Some(to_mode), Some(order)) = (spec.modes.get(to), orders.get(to)) else {
            return Err(EncodeError::UnknownMode(t.to));
        };
        transitions.extend_from_slice(&t.from.to_le_bytes());
        transitions.extend_from_slice(&t.to.to_le_bytes());
        transitions.extend_from_slice(&[0; 4]);
        transitions.extend_from_slice(&t.phi.to_le_bytes());
        transitions.extend_from_slice(&t.lead.to_le_bytes());
        transitions.extend_from_slice(&t.complete.to_le_bytes());
        range(&mut transitions, actions.len() / 32, t.actions.len())?;
        range(&mut transitions, skips.len() / 24, t.skips.len())?;
        range(&mut transitions, extends.len() / 32, t.extends.len())?;
        for a in &t.actions {
            let (at, code, program, link, end, bytes) = action_key(a);
            actions.push(code);
            actions.push(0);
            actions.extend_from_slice(&program.to_le_bytes());
            actions.extend_from_slice(&link.to_le_bytes());
            actions.extend_from_slice(&[0, 0]);
            actions.extend_from_slice(&at.to_le_bytes());
            actions.extend_from_slice(&end.to_le_bytes());
            actions.extend_from_slice(&bytes.to_le_bytes());
        }
        let unknown = |program, job| EncodeError::UnknownJob {
            from: t.from,
            to: t.to,
            program,
            job,
        };
        for s in &t.skips {
            let at = job_at(to_mode, order, t.phi, s.program, s.job)
                .ok_or_else(|| unknown(s.program, s.job))?;
            skips.extend_from_slice(&s.program.to_le_bytes());
            skips.extend_from_slice(&[0; 6]);
            skips.extend_from_slice(&s.job.to_le_bytes());
            skips.extend_from_slice(&at.to_le_bytes());
        }
        for e in &t.extends {
            let at = job_at(to_mode, order, t.phi, e.program, e.job)
                .ok_or_else(|| unknown(e.program, e.job))?;
            extends.extend_from_slice(&e.program.to_le_bytes());
            extends.extend_from_slice(&[0; 6]);
            extends.extend_from_slice(&e.job.to_le_bytes());
            extends.extend_from_slice(&at.to_le_bytes());
            extends.extend_from_slice(&e.extra.to_le_bytes());
        }
    }

    let sections: [(u16, &[u8]); kind::COUNT] = [
        (kind::STRINGS, &strings.0),
        (kind::MODULE, &module),
        (kind::PROGRAMS, &programs),
        (kind::MESSAGES, &messages),
        (kind::LINKS, &links),
        (kind::MODES, &modes),
        (kind::CORE_LISTS, &core_lists),
        (kind::WINDOWS, &windows),
        (kind::LINK_LISTS, &link_lists),
        (kind::SLOTS, &slots),
        (kind::JOB_INDEX, &job_index),
        (kind::JOBS, &jobs),
        (kind::TRANSITIONS, &transitions),
        (kind::ACTIONS, &actions),
        (kind::SKIPS, &skips),
        (kind::EXTENDS, &extends),
    ];
    let dir_end = HEADER_LEN + DIR_ENTRY_LEN * sections.len();
    let mut out = Vec::new();
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes()); // total length, patched below
    out.extend_from_slice(&(sections.len() as u16).to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    let mut body = Vec::new();
    let align = |n: usize| n.div_ceil(8) * 8;
    let mut pos = align(dir_end);
    for (k, data) in sections {
        let off = u32::try_from(pos).map_err(|_| EncodeError::TooLarge)?;
        let len = u32::try_from(data.len()).map_err(|_| EncodeError::TooLarge)?;
        out.extend_from_slice(&k.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&off.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        body.resize(pos - align(dir_end), 0);
        body.extend_from_slice(data);
        pos = align(pos + data.len());
    }
    out.resize(align(dir_end), 0);
    out.extend_from_slice(&body);
    let total = u32::try_from(out.len()).map_err(|_| EncodeError::TooLarge)?;
    if let Some(slot) = out.get_mut(12..16) {
        slot.copy_from_slice(&total.to_le_bytes());
    }
    Tables::parse(&out)?;
    Ok(out)
}
