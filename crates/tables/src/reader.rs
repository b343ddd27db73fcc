//! The zero-copy reader: [`Tables::parse`] and the views it hands out.

use crate::bytes::{u8_at, u16_at, u32_at, u64_at};
use crate::error::FormatError;
use crate::records::{
    Action, Extend, JobRef, LinkId, LinkRec, List, ModeId, ModeRec, NO_LINK, ProgramId, RangeRec,
    Record, Skip, Slot, StrRec, TransitionRec, Window,
};
use crate::{FORMAT_VERSION, MAGIC};

/// Length of the fixed header in bytes.
pub(crate) const HEADER_LEN: usize = 20;
/// Length of one section-directory entry in bytes.
pub(crate) const DIR_ENTRY_LEN: usize = 12;
/// Length of the module record.
pub(crate) const MODULE_LEN: usize = 16;

/// Section kinds of format version 1.
pub(crate) mod kind {
    pub const STRINGS: u16 = 1;
    pub const MODULE: u16 = 2;
    pub const PROGRAMS: u16 = 3;
    pub const MESSAGES: u16 = 4;
    pub const LINKS: u16 = 5;
    pub const MODES: u16 = 6;
    pub const CORE_LISTS: u16 = 7;
    pub const WINDOWS: u16 = 8;
    pub const LINK_LISTS: u16 = 9;
    pub const SLOTS: u16 = 10;
    pub const JOB_INDEX: u16 = 11;
    pub const JOBS: u16 = 12;
    pub const TRANSITIONS: u16 = 13;
    pub const ACTIONS: u16 = 14;
    pub const SKIPS: u16 = 15;
    pub const EXTENDS: u16 = 16;
    /// Number of required section kinds (1 ..= COUNT).
    pub const COUNT: usize = 16;
    /// Kinds at or above this value are optional: readers skip them.
    pub const OPTIONAL_FROM: u16 = 0x8000;
}

/// Record size of each required section kind (index `kind - 1`; 1 for the
/// string blob, which has no records).
const RECORD_SIZE: [usize; kind::COUNT] = [
    1,
    MODULE_LEN,
    StrRec::SIZE,
    StrRec::SIZE,
    LinkRec::SIZE,
    ModeRec::SIZE,
    RangeRec::SIZE,
    Window::SIZE,
    RangeRec::SIZE,
    Slot::SIZE,
    RangeRec::SIZE,
    JobRef::SIZE,
    TransitionRec::SIZE,
    Action::SIZE,
    Skip::SIZE,
    Extend::SIZE,
];

/// Largest count of programs, messages, links or modes (ids are `u16`).
const MAX_IDS: usize = 0xFFFF;

fn inv(what: &'static str, index: usize) -> FormatError {
    FormatError::Invalid {
        what,
        index: u32::try_from(index).unwrap_or(u32::MAX),
    }
}

fn zero(b: &[u8], from: usize, to: usize) -> bool {
    b.get(from..to).is_some_and(|s| s.iter().all(|&x| x == 0))
}

/// One module's compiled tables, borrowed from a validated byte string.
///
/// Obtained from [`Tables::parse`], which checks everything up front; no
/// accessor can fail afterwards (out-of-range *arguments* give `None` or an
/// empty list) and none panics. `Tables` is `Copy`: it is a set of slices.
#[derive(Clone, Copy, Debug)]
pub struct Tables<'a> {
    strings: &'a [u8],
    module_id: u16,
    cores: u16,
    module_name: StrRec,
    programs: List<'a, StrRec>,
    messages: List<'a, StrRec>,
    links: List<'a, LinkRec>,
    modes: List<'a, ModeRec>,
    core_lists: List<'a, RangeRec>,
    windows: List<'a, Window>,
    link_lists: List<'a, RangeRec>,
    slots: List<'a, Slot>,
    job_index: List<'a, RangeRec>,
    jobs: List<'a, JobRef>,
    transitions: List<'a, TransitionRec>,
    actions: List<'a, Action>,
    skips: List<'a, Skip>,
    extends: List<'a, Extend>,
}

/// A link direction leaving this module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Link<'a> {
    /// Position in the table's link list (the index [`Mode::slots`] takes).
    pub index: usize,
    /// The link direction's id.
    pub id: LinkId,
    /// Its name, for diagnostics.
    pub name: &'a str,
}

/// One mode of the module: per core its job windows, per outgoing link
/// direction its message slots, and the per-program job index.
#[derive(Clone, Copy, Debug)]
pub struct Mode<'a> {
    index: usize,
    rec: ModeRec,
    name: &'a str,
    cores: u16,
    core_lists: List<'a, RangeRec>,
    windows: List<'a, Window>,
    link_lists: List<'a, RangeRec>,
    slots: List<'a, Slot>,
    job_index: List<'a, RangeRec>,
    jobs: List<'a, JobRef>,
}

/// An allowed transition `from → to` and its plan.
#[derive(Clone, Copy, Debug)]
pub struct Transition<'a> {
    index: usize,
    rec: TransitionRec,
    actions: List<'a, Action>,
    skips: List<'a, Skip>,
    extends: List<'a, Extend>,
}

impl<'a> Tables<'a> {
    /// Parses and validates a compiled table. Never panics, never allocates.
    ///
    /// Checks, in order: the header (magic, version, length), the section
    /// directory (bounds, no overlap, every required section once, no unknown
    /// required section), record lengths, names (bounds, UTF-8), id ranges
    /// and sortedness, every window list (sorted, non-overlapping, inside the
    /// major frame), the job index (a bijection between each program's jobs
    /// and its windows, in start order), every slot list, and every
    /// transition (modes exist, actions sorted and in range, skipped and
    /// extended jobs exist and start where recorded, extended jobs overlap no
    /// executed job, everything ends by `complete`). See `FORMAT.md`.
    pub fn parse(bytes: &'a [u8]) -> Result<Tables<'a>, FormatError> {
        let len = bytes.len();
        if len < HEADER_LEN {
            return Err(FormatError::Truncated);
        }
        if bytes.get(0..8) != Some(&MAGIC[..]) {
            return Err(FormatError::BadMagic);
        }
        let version = u16_at(bytes, 8);
        if version != FORMAT_VERSION {
            return Err(FormatError::UnsupportedVersion(version));
        }
        if u16_at(bytes, 10) != 0 || u16_at(bytes, 18) != 0 {
            return Err(FormatError::BadHeader);
        }
        let declared = u32_at(bytes, 12);
        if usize::try_from(declared).ok() != Some(len) {
            return Err(FormatError::LengthMismatch {
                declared,
                actual: len,
            });
        }
        let count = usize::from(u16_at(bytes, 16));
        let dir_end = HEADER_LEN + count * DIR_ENTRY_LEN;
        if dir_end > len {
            return Err(FormatError::Truncated);
        }

        let mut secs: [Option<(usize, usize)>; kind::COUNT] = [None; kind::COUNT];
        let mut prev_kind: Option<u16> = None;
        for i in 0..count {
            let e = HEADER_LEN + i * DIR_ENTRY_LEN;
            let k = u16_at(bytes, e);
            if u16_at(bytes, e + 2) != 0 || prev_kind.is_some_and(|p| p >= k) {
                return Err(FormatError::BadHeader);
            }
            prev_kind = Some(k);
            let off = u32_at(bytes, e + 4) as usize;
            let slen = u32_at(bytes, e + 8) as usize;
            let end = off
                .checked_add(slen)
                .ok_or(FormatError::SectionOutOfBounds(k))?;
            if off < dir_end || end > len {
                return Err(FormatError::SectionOutOfBounds(k));
            }
            if k >= 1 && usize::from(k) <= kind::COUNT {
                if let Some(slot) = secs.get_mut(usize::from(k) - 1) {
                    *slot = Some((off, slen));
                }
            } else if k < kind::OPTIONAL_FROM {
                return Err(FormatError::UnknownSection(k));
            }
        }

        let mut found = [(0usize, 0usize); kind::COUNT];
        for (i, s) in secs.iter().enumerate() {
            let k = (i + 1) as u16;
            let (off, slen) = s.ok_or(FormatError::MissingSection(k))?;
            let size = RECORD_SIZE.get(i).copied().unwrap_or(1);
            if slen % size != 0 {
                return Err(FormatError::BadSectionLength(k));
            }
            if let Some(f) = found.get_mut(i) {
                *f = (off, slen);
            }
        }
        for (i, &(ao, al)) in found.iter().enumerate() {
            for (j, &(bo, bl)) in found.iter().enumerate().skip(i + 1) {
                if al > 0 && bl > 0 && ao < bo + bl && bo < ao + al {
                    return Err(FormatError::SectionsOverlap((i + 1) as u16, (j + 1) as u16));
                }
            }
        }
        let sec = |k: u16| -> &'a [u8] {
            let (off, slen) = found.get(usize::from(k) - 1).copied().unwrap_or((0, 0));
            bytes.get(off..off + slen).unwrap_or(&[])
        };

        let module = sec(kind::MODULE);
        if module.len() != MODULE_LEN {
            return Err(FormatError::BadSectionLength(kind::MODULE));
        }
        let tables = Tables {
            strings: sec(kind::STRINGS),
            module_id: u16_at(module, 0),
            cores: u16_at(module, 2),
            module_name: StrRec::decode(module.get(8..).unwrap_or(&[])),
            programs: List::new(sec(kind::PROGRAMS)),
            messages: List::new(sec(kind::MESSAGES)),
            links: List::new(sec(kind::LINKS)),
            modes: List::new(sec(kind::MODES)),
            core_lists: List::new(sec(kind::CORE_LISTS)),
            windows: List::new(sec(kind::WINDOWS)),
            link_lists: List::new(sec(kind::LINK_LISTS)),
            slots: List::new(sec(kind::SLOTS)),
            job_index: List::new(sec(kind::JOB_INDEX)),
            jobs: List::new(sec(kind::JOBS)),
            transitions: List::new(sec(kind::TRANSITIONS)),
            actions: List::new(sec(kind::ACTIONS)),
            skips: List::new(sec(kind::SKIPS)),
            extends: List::new(sec(kind::EXTENDS)),
        };
        if tables.cores == 0 {
            return Err(inv("module: zero cores", 0));
        }
        if !zero(module, 4, 8) {
            return Err(inv("module: reserved field not zero", 0));
        }
        tables.check_str(module.get(8..16).unwrap_or(&[]))?;
        tables.validate()?;
        Ok(tables)
    }

    /// Checks a name reference (8 raw bytes).
    fn check_str(&self, raw: &[u8]) -> Result<(), FormatError> {
        if !zero(raw, 6, 8) {
            return Err(FormatError::BadString);
        }
        let r = StrRec::decode(raw);
        self.str_of(r).map(|_| ()).ok_or(FormatError::BadString)
    }

    fn str_of(&self, r: StrRec) -> Option<&'a str> {
        let off = r.offset as usize;
        let b = self
            .strings
            .get(off..off.checked_add(usize::from(r.len))?)?;
        core::str::from_utf8(b).ok()
    }

    fn validate(&self) -> Result<(), FormatError> {
        let n_programs = self.programs.len();
        let n_messages = self.messages.len();
        let n_links = self.links.len();
        let n_modes = self.modes.len();
        let cores = usize::from(self.cores);
        if n_programs > MAX_IDS {
            return Err(inv("programs: more than 65535", n_programs));
        }
        if n_messages > MAX_IDS {
            return Err(inv("messages: more than 65535", n_messages));
        }
        if n_links > MAX_IDS {
            return Err(inv("links: more than 65535", n_links));
        }
        if n_modes == 0 {
            return Err(inv("modes: none", 0));
        }
        if n_modes > MAX_IDS {
            return Err(inv("modes: more than 65535", n_modes));
        }
        for i in 0..n_programs {
            self.check_str(self.programs.raw_at(i))?;
        }
        for i in 0..n_messages {
            self.check_str(self.messages.raw_at(i))?;
        }
        let mut prev: Option<u16> = None;
        for (i, l) in self.links.iter().enumerate() {
            let raw = self.links.raw_at(i);
            if !zero(raw, 2, 4) {
                return Err(inv("link: reserved field not zero", i));
            }
            if l.id == NO_LINK {
                return Err(inv("link: id 0xFFFF is reserved", i));
            }
            if prev.is_some_and(|p| p >= l.id) {
                return Err(inv("links: ids not strictly increasing", i));
            }
            prev = Some(l.id);
            self.check_str(raw.get(4..12).unwrap_or(&[]))?;
        }
        let mut prev: Option<u16> = None;
        for (i, m) in self.modes.iter().enumerate() {
            let raw = self.modes.raw_at(i);
            if !zero(raw, 2, 4) || !zero(raw, 12, 16) {
                return Err(inv("mode: reserved field not zero", i));
            }
            if prev.is_some_and(|p| p >= m.id) {
                return Err(inv("modes: ids not strictly increasing", i));
            }
            prev = Some(m.id);
            if m.major_frame == 0 || m.major_frame > i64::MAX as u64 {
                return Err(inv("mode: major frame not in 1 ..= 2^63-1", i));
            }
            if m.tick_ns == 0 {
                return Err(inv("mode: zero tick length", i));
            }
            self.check_str(raw.get(4..12).unwrap_or(&[]))?;
        }
        if Some(self.core_lists.len()) != n_modes.checked_mul(cores) {
            return Err(inv(
                "core lists: count is not modes × cores",
                self.core_lists.len(),
            ));
        }
        if Some(self.link_lists.len()) != n_modes.checked_mul(n_links) {
            return Err(inv(
                "link lists: count is not modes × links",
                self.link_lists.len(),
            ));
        }
        if Some(self.job_index.len()) != n_modes.checked_mul(n_programs) {
            return Err(inv(
                "job index: count is not modes × programs",
                self.job_index.len(),
            ));
        }
        for mi in 0..n_modes {
            self.validate_mode(mi)?;
        }
        let mut prev: Option<(u16, u16)> = None;
        for ti in 0..self.transitions.len() {
            let Some(t) = self.transitions.get(ti) else {
                break;
            };
            if prev.is_some_and(|p| p >= (t.from, t.to)) {
                return Err(inv(
                    "transitions: not strictly increasing by (from, to)",
                    ti,
                ));
            }
            prev = Some((t.from, t.to));
            self.validate_transition(ti, t)?;
        }
        Ok(())
    }

    fn validate_mode(&self, mi: usize) -> Result<(), FormatError> {
        let mode = self.mode_at(mi).ok_or(inv("mode: missing", mi))?;
        let h = mode.major_frame();
        let n_programs = self.programs.len();
        for c in 0..usize::from(self.cores) {
            let at = mi * usize::from(self.cores) + c;
            let r = self
                .core_lists
                .get(at)
                .ok_or(inv("core list: missing", at))?;
            if self
                .windows
                .sub(r.first as usize, r.count as usize)
                .is_none()
            {
                return Err(inv("core list: range outside the windows section", at));
            }
        }
        let mut total_windows: usize = 0;
        // The job index: each program's jobs, in start order.
        for p in 0..n_programs {
            let at = mi * n_programs + p;
            let seg = self
                .job_index
                .get(at)
                .ok_or(inv("job index: missing", at))?;
            let list = self
                .jobs
                .sub(seg.first as usize, seg.count as usize)
                .ok_or(inv("job index: range outside the jobs section", at))?;
            let mut prev_start: Option<u64> = None;
            for (k, jr) in list.iter().enumerate() {
                let ji = seg.first as usize + k;
                if !zero(self.jobs.raw_at(ji), 2, 4) {
                    return Err(inv("job: reserved field not zero", ji));
                }
                if jr.core >= self.cores {
                    return Err(inv("job: core out of range", ji));
                }
                let w = mode
                    .windows(jr.core)
                    .get(jr.window as usize)
                    .ok_or(inv("job: window index out of range", ji))?;
                if usize::from(w.program) != p || w.job as usize != k {
                    return Err(inv("job: window belongs to another job", ji));
                }
                if prev_start.is_some_and(|s| s >= w.start) {
                    return Err(inv("job: jobs of a program not in strict start order", ji));
                }
                prev_start = Some(w.start);
            }
            total_windows = total_windows.saturating_add(list.len());
        }
        let mut counted: usize = 0;
        for c in 0..self.cores {
            let at = mi * usize::from(self.cores) + usize::from(c);
            let r = self
                .core_lists
                .get(at)
                .ok_or(inv("core list: missing", at))?;
            let list = self
                .windows
                .sub(r.first as usize, r.count as usize)
                .ok_or(inv("core list: range outside the windows section", at))?;
            let mut prev_end: Option<u64> = None;
            for (i, w) in list.iter().enumerate() {
                let wi = r.first as usize + i;
                if !zero(self.windows.raw_at(wi), 18, 20) {
                    return Err(inv("window: reserved field not zero", wi));
                }
                if w.start >= w.end {
                    return Err(inv("window: start >= end", wi));
                }
                if w.end > h {
                    return Err(inv("window: ends after the major frame", wi));
                }
                if prev_end.is_some_and(|e| e > w.start) {
                    return Err(inv(
                        "window: not sorted or overlaps the previous window",
                        wi,
                    ));
                }
                prev_end = Some(w.end);
                if usize::from(w.program) >= n_programs {
                    return Err(inv("window: program id out of range", wi));
                }
                match mode.job_ref(w.program, w.job) {
                    Some(jr) if jr.core == c && jr.window as usize == i => {}
                    _ => return Err(inv("window: job index does not point back to it", wi)),
                }
            }
            counted = counted.saturating_add(list.len());
        }
        if counted != total_windows {
            return Err(inv(
                "job index: does not cover the mode's windows exactly",
                mi,
            ));
        }
        let n_links = self.links.len();
        for l in 0..n_links {
            let at = mi * n_links + l;
            let r = self
                .link_lists
                .get(at)
                .ok_or(inv("link list: missing", at))?;
            let list = self
                .slots
                .sub(r.first as usize, r.count as usize)
                .ok_or(inv("link list: range outside the slots section", at))?;
            let mut prev_end: Option<u64> = None;
            for (i, s) in list.iter().enumerate() {
                let si = r.first as usize + i;
                if !zero(self.slots.raw_at(si), 18, 20) {
                    return Err(inv("slot: reserved field not zero", si));
                }
                if s.start >= s.end {
                    return Err(inv("slot: start >= end", si));
                }
                if s.end > h {
                    return Err(inv("slot: ends after the major frame", si));
                }
                if prev_end.is_some_and(|e| e > s.start) {
                    return Err(inv("slot: not sorted or overlaps the previous slot", si));
                }
                prev_end = Some(s.end);
                if usize::from(s.message) >= self.messages.len() {
                    return Err(inv("slot: message id out of range", si));
                }
            }
        }
        Ok(())
    }

    fn validate_transition(&self, ti: usize, t: TransitionRec) -> Result<(), FormatError> {
        let raw = self.transitions.raw_at(ti);
        if !zero(raw, 4, 8) {
            return Err(inv("transition: reserved field not zero", ti));
        }
        if t.from == t.to {
            return Err(inv("transition: from == to", ti));
        }
        if self.mode_index(t.from).is_none() || self.mode_index(t.to).is_none() {
            return Err(inv("transition: unknown mode", ti));
        }
        let max = i64::MAX as u64;
        if t.phi > max || t.lead > max || t.complete > max {
            return Err(inv("transition: phi, lead or complete above 2^63-1", ti));
        }
        if t.complete < t.phi {
            return Err(inv("transition: complete before b_start", ti));
        }
        let tr = self
            .transition_at(ti)
            .ok_or(inv("transition: missing", ti))?;
        if self
            .actions
            .sub(t.actions.first as usize, t.actions.count as usize)
            .is_none()
        {
            return Err(inv("transition: actions outside the actions section", ti));
        }
        if self
            .skips
            .sub(t.skips.first as usize, t.skips.count as usize)
            .is_none()
        {
            return Err(inv("transition: skips outside the skips section", ti));
        }
        if self
            .extends
            .sub(t.extends.first as usize, t.extends.count as usize)
            .is_none()
        {
            return Err(inv("transition: extends outside the extends section", ti));
        }
        let complete = t.complete as i64;
        let lead = -(t.lead as i64);
        let mut prev_at: Option<i64> = None;
        for j in 0..t.actions.count as usize {
            let ai = t.actions.first as usize + j;
            let raw = self.actions.raw_at(ai);
            let code = u8_at(raw, 0);
            if code > 3 {
                return Err(inv("action: unknown kind", ai));
            }
            if u8_at(raw, 1) != 0 || u16_at(raw, 6) != 0 {
                return Err(inv("action: reserved field not zero", ai));
            }
            if usize::from(u16_at(raw, 2)) >= self.programs.len() {
                return Err(inv("action: program id out of range", ai));
            }
            let at = crate::bytes::i64_at(raw, 8);
            let end = crate::bytes::i64_at(raw, 16);
            let link = u16_at(raw, 4);
            let bytes = u64_at(raw, 24);
            if at < lead || at > complete {
                return Err(inv("action: time outside [-lead, complete]", ai));
            }
            if prev_at.is_some_and(|p| p > at) {
                return Err(inv("action: not sorted by time", ai));
            }
            prev_at = Some(at);
            if code == 2 {
                if self.link_index(link).is_none() {
                    return Err(inv("action: chunk on a link not leaving this module", ai));
                }
                if end <= at || end > complete {
                    return Err(inv("action: chunk end not in (start, complete]", ai));
                }
                if bytes == 0 {
                    return Err(inv("action: empty chunk", ai));
                }
            } else if link != NO_LINK || end != at || bytes != 0 {
                return Err(inv("action: chunk fields set on a non-chunk action", ai));
            }
        }
        let to = self.mode(t.to).ok_or(inv("transition: unknown mode", ti))?;
        let h = to.major_frame();
        let mut prev: Option<(u64, u16)> = None;
        for (j, s) in tr.skips().iter().enumerate() {
            let si = t.skips.first as usize + j;
            if !zero(self.skips.raw_at(si), 2, 8) {
                return Err(inv("skip: reserved field not zero", si));
            }
            let (_, _, w, at) = resolve(&to, t.phi, s.program, s.job)
                .ok_or(inv("skip: no such job of the new mode", si))?;
            if at != s.at {
                return Err(inv("skip: recorded start does not match the job", si));
            }
            if prev.is_some_and(|p| p >= (s.at, s.program)) {
                return Err(inv("skips: not strictly increasing by (at, program)", si));
            }
            prev = Some((s.at, s.program));
            if at
                .checked_add(w.end - w.start)
                .is_none_or(|e| e > t.complete)
            {
                return Err(inv("skip: job ends after complete", si));
            }
        }
        let mut prev: Option<(u64, u16)> = None;
        for (j, e) in tr.extends().iter().enumerate() {
            let ei = t.extends.first as usize + j;
            if !zero(self.extends.raw_at(ei), 2, 8) {
                return Err(inv("extend: reserved field not zero", ei));
            }
            let (f, jr, w, at) = resolve(&to, t.phi, e.program, e.job)
                .ok_or(inv("extend: no such job of the new mode", ei))?;
            if at != e.at {
                return Err(inv("extend: recorded start does not match the job", ei));
            }
            if prev.is_some_and(|p| p >= (e.at, e.program)) {
                return Err(inv("extends: not strictly increasing by (at, program)", ei));
            }
            prev = Some((e.at, e.program));
            if e.extra == 0 {
                return Err(inv("extend: zero extra ticks", ei));
            }
            if tr.skip(e.at, e.program).is_some() {
                return Err(inv("extend: job is also skipped", ei));
            }
            let ext_end = w
                .end
                .checked_add(e.extra)
                .ok_or(inv("extend: overflow", ei))?;
            if ext_end > h {
                return Err(inv("extend: extended job ends after the major frame", ei));
            }
            let frame_rel = t
                .phi
                .checked_add(f.checked_mul(h).ok_or(inv("extend: overflow", ei))?);
            let frame_rel = frame_rel.ok_or(inv("extend: overflow", ei))?;
            let list = to.windows(jr.core);
            for next in list.iter().skip(jr.window as usize + 1) {
                if next.start >= ext_end {
                    break;
                }
                let nat = frame_rel
                    .checked_add(next.start)
                    .ok_or(inv("extend: overflow", ei))?;
                if tr.skip(nat, next.program).is_none() {
                    return Err(inv(
                        "extend: extended job overlaps the next executed job",
                        ei,
                    ));
                }
            }
            if at
                .checked_add(ext_end - w.start)
                .is_none_or(|x| x > t.complete)
            {
                return Err(inv("extend: extended job ends after complete", ei));
            }
        }
        Ok(())
    }

    /// The format version of the table (always [`FORMAT_VERSION`]).
    pub fn version(&self) -> u16 {
        FORMAT_VERSION
    }

    /// The module's id.
    pub fn module_id(&self) -> u16 {
        self.module_id
    }

    /// The module's name.
    pub fn module_name(&self) -> &'a str {
        self.str_of(self.module_name).unwrap_or("")
    }

    /// The module's number of cores (at least 1).
    pub fn cores(&self) -> u16 {
        self.cores
    }

    /// Number of entries in the program-name list (program ids are
    /// `0 .. program_count()`).
    pub fn program_count(&self) -> usize {
        self.programs.len()
    }

    /// A program's name, for diagnostics.
    pub fn program_name(&self, program: ProgramId) -> Option<&'a str> {
        self.programs
            .get(usize::from(program))
            .and_then(|r| self.str_of(r))
    }

    /// Number of entries in the message-name list.
    pub fn message_count(&self) -> usize {
        self.messages.len()
    }

    /// A message's name, for diagnostics.
    pub fn message_name(&self, message: u16) -> Option<&'a str> {
        self.messages
            .get(usize::from(message))
            .and_then(|r| self.str_of(r))
    }

    /// Number of outgoing link directions.
    pub fn link_count(&self) -> usize {
        self.links.len()
    }

    /// The link direction at position `index` (sorted by id).
    pub fn link(&self, index: usize) -> Option<Link<'a>> {
        let r = self.links.get(index)?;
        Some(Link {
            index,
            id: r.id,
            name: self.str_of(r.name).unwrap_or(""),
        })
    }

    /// The position of the link direction with this id. `O(log n)`.
    pub fn link_index(&self, id: LinkId) -> Option<usize> {
        let i = self.links.partition_point(|l| l.id < id);
        (self.links.get(i)?.id == id).then_some(i)
    }

    /// All outgoing link directions, sorted by id.
    pub fn links(&self) -> impl Iterator<Item = Link<'a>> + use<'a> {
        let t = *self;
        (0..t.link_count()).filter_map(move |i| t.link(i))
    }

    /// Number of modes.
    pub fn mode_count(&self) -> usize {
        self.modes.len()
    }

    /// The mode at position `index` (modes are sorted by id).
    pub fn mode_at(&self, index: usize) -> Option<Mode<'a>> {
        let rec = self.modes.get(index)?;
        let cores = usize::from(self.cores);
        let links = self.links.len();
        let programs = self.programs.len();
        Some(Mode {
            index,
            rec,
            name: self.str_of(rec.name).unwrap_or(""),
            cores: self.cores,
            core_lists: self
                .core_lists
                .sub(index.checked_mul(cores)?, cores)
                .unwrap_or(List::empty()),
            windows: self.windows,
            link_lists: self
                .link_lists
                .sub(index.checked_mul(links)?, links)
                .unwrap_or(List::empty()),
            slots: self.slots,
            job_index: self
                .job_index
                .sub(index.checked_mul(programs)?, programs)
                .unwrap_or(List::empty()),
            jobs: self.jobs,
        })
    }

    /// The position of the mode with this id. `O(log n)`.
    pub fn mode_index(&self, id: ModeId) -> Option<usize> {
        let i = self.modes.partition_point(|m| m.id < id);
        (self.modes.get(i)?.id == id).then_some(i)
    }

    /// The mode with this id.
    pub fn mode(&self, id: ModeId) -> Option<Mode<'a>> {
        self.mode_at(self.mode_index(id)?)
    }

    /// All modes, sorted by id.
    pub fn modes(&self) -> impl Iterator<Item = Mode<'a>> + use<'a> {
        let t = *self;
        (0..t.mode_count()).filter_map(move |i| t.mode_at(i))
    }

    /// Number of allowed transitions.
    pub fn transition_count(&self) -> usize {
        self.transitions.len()
    }

    /// The transition at position `index` (sorted by `(from, to)`).
    pub fn transition_at(&self, index: usize) -> Option<Transition<'a>> {
        let rec = self.transitions.get(index)?;
        let sub = |r: RangeRec| (r.first as usize, r.count as usize);
        let (af, ac) = sub(rec.actions);
        let (sf, sc) = sub(rec.skips);
        let (ef, ec) = sub(rec.extends);
        Some(Transition {
            index,
            rec,
            actions: self.actions.sub(af, ac).unwrap_or(List::empty()),
            skips: self.skips.sub(sf, sc).unwrap_or(List::empty()),
            extends: self.extends.sub(ef, ec).unwrap_or(List::empty()),
        })
    }

    /// The position of the transition `from → to`, if it is allowed. `O(log n)`.
    pub fn transition_index(&self, from: ModeId, to: ModeId) -> Option<usize> {
        let i = self
            .transitions
            .partition_point(|t| (t.from, t.to) < (from, to));
        let t = self.transitions.get(i)?;
        (t.from == from && t.to == to).then_some(i)
    }

    /// The transition `from → to`, if it is allowed.
    pub fn transition(&self, from: ModeId, to: ModeId) -> Option<Transition<'a>> {
        self.transition_at(self.transition_index(from, to)?)
    }

    /// All allowed transitions, sorted by `(from, to)`.
    pub fn transitions(&self) -> impl Iterator<Item = Transition<'a>> + use<'a> {
        let t = *self;
        (0..t.transition_count()).filter_map(move |i| t.transition_at(i))
    }
}

/// Resolves job `job` (counted from `b_start`) of `program` in mode `to`:
/// `(frame, where, window, start relative to S)`.
pub(crate) fn resolve(
    to: &Mode<'_>,
    phi: u64,
    program: ProgramId,
    job: u64,
) -> Option<(u64, JobRef, Window, u64)> {
    let n = u64::from(to.jobs_per_frame(program));
    if n == 0 {
        return None;
    }
    let f = job / n;
    let k = u32::try_from(job % n).ok()?;
    let jr = to.job_ref(program, k)?;
    let w = to.windows(jr.core).get(jr.window as usize)?;
    let at = phi
        .checked_add(f.checked_mul(to.major_frame())?)?
        .checked_add(w.start)?;
    Some((f, jr, w, at))
}

impl<'a> Mode<'a> {
    /// Position of the mode in the table's mode list.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The mode's id.
    pub fn id(&self) -> ModeId {
        self.rec.id
    }

    /// The mode's name.
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// The major frame `H` in ticks (`1 ..= 2^63-1`).
    pub fn major_frame(&self) -> u64 {
        self.rec.major_frame
    }

    /// Length of one tick in nanoseconds.
    pub fn tick_ns(&self) -> u64 {
        self.rec.tick_ns
    }

    /// Number of cores (the module's).
    pub fn cores(&self) -> u16 {
        self.cores
    }

    /// The windows of `core`, sorted by start, non-overlapping (empty for a
    /// core out of range).
    pub fn windows(&self, core: u16) -> List<'a, Window> {
        self.core_lists
            .get(usize::from(core))
            .and_then(|r| self.windows.sub(r.first as usize, r.count as usize))
            .unwrap_or(List::empty())
    }

    /// Number of outgoing link directions (the module's).
    pub fn link_count(&self) -> usize {
        self.link_lists.len()
    }

    /// The message slots on the link direction at position `link_index`,
    /// sorted by start, non-overlapping.
    pub fn slots(&self, link_index: usize) -> List<'a, Slot> {
        self.link_lists
            .get(link_index)
            .and_then(|r| self.slots.sub(r.first as usize, r.count as usize))
            .unwrap_or(List::empty())
    }

    /// Number of jobs of `program` in one major frame (0 if it does not run
    /// in this mode on this module).
    pub fn jobs_per_frame(&self, program: ProgramId) -> u32 {
        self.job_index
            .get(usize::from(program))
            .map_or(0, |r| r.count)
    }

    /// Where job `k` (of one frame, in start order) of `program` lives.
    pub fn job_ref(&self, program: ProgramId, k: u32) -> Option<JobRef> {
        let r = self.job_index.get(usize::from(program))?;
        if k >= r.count {
            return None;
        }
        self.jobs.get((r.first as usize).checked_add(k as usize)?)
    }

    /// Job `k` of `program`: its core and window.
    pub fn job(&self, program: ProgramId, k: u32) -> Option<(u16, Window)> {
        let jr = self.job_ref(program, k)?;
        Some((jr.core, self.windows(jr.core).get(jr.window as usize)?))
    }
}

impl<'a> Transition<'a> {
    /// Position of the transition in the table's transition list.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The old mode.
    pub fn from(&self) -> ModeId {
        self.rec.from
    }

    /// The new mode.
    pub fn to(&self) -> ModeId {
        self.rec.to
    }

    /// `φ`: ticks from the switch point `S` to the new mode's start.
    pub fn phi(&self) -> u64 {
        self.rec.phi
    }

    /// Lead time: ticks before `S` at which the plan's first action may be
    /// due. A request at `r` switches at the first frame boundary
    /// `S ≥ r + lead` of the old mode. 0 when no action precedes `S`.
    pub fn lead(&self) -> u64 {
        self.rec.lead
    }

    /// Ticks from `S` to the transition's completion (`≥ φ`; every action,
    /// skipped job and extended job is over by then).
    pub fn complete(&self) -> u64 {
        self.rec.complete
    }

    /// The timed actions, sorted by `at`.
    pub fn actions(&self) -> List<'a, Action> {
        self.actions
    }

    /// The skipped jobs, sorted by `(at, program)`.
    pub fn skips(&self) -> List<'a, Skip> {
        self.skips
    }

    /// The extended jobs, sorted by `(at, program)`.
    pub fn extends(&self) -> List<'a, Extend> {
        self.extends
    }

    /// The actions due exactly at `at` (relative to `S`). `O(log n)`.
    pub fn actions_at(&self, at: i64) -> List<'a, Action> {
        let lo = self.actions.partition_point(|a| a.at < at);
        let hi = self.actions.partition_point(|a| a.at <= at);
        self.actions
            .sub(lo, hi.saturating_sub(lo))
            .unwrap_or(List::empty())
    }

    /// The time of the first action strictly after `at`. `O(log n)`.
    pub fn next_action_after(&self, at: i64) -> Option<i64> {
        let i = self.actions.partition_point(|a| a.at <= at);
        self.actions.get(i).map(|a| a.at)
    }

    /// The skip of `program`'s job starting at `at` (relative to `S`), if
    /// that job is skipped. `O(log n)`.
    pub fn skip(&self, at: u64, program: ProgramId) -> Option<Skip> {
        let i = self
            .skips
            .partition_point(|s| (s.at, s.program) < (at, program));
        self.skips
            .get(i)
            .filter(|s| s.at == at && s.program == program)
    }

    /// The extension of `program`'s job starting at `at` (relative to `S`),
    /// if that job is extended. `O(log n)`.
    pub fn extend(&self, at: u64, program: ProgramId) -> Option<Extend> {
        let i = self
            .extends
            .partition_point(|e| (e.at, e.program) < (at, program));
        self.extends
            .get(i)
            .filter(|e| e.at == at && e.program == program)
    }
}
