//! Fixed-size records and zero-copy lists of them.

use core::fmt;
use core::marker::PhantomData;

use crate::bytes::{i64_at, u8_at, u16_at, u32_at, u64_at};

/// A mode's identifier (system-wide, chosen by the encoder's user).
pub type ModeId = u16;
/// A program's identifier: its index in the table's program-name list.
pub type ProgramId = u16;
/// A message's identifier: its index in the table's message-name list.
pub type MessageId = u16;
/// A link direction's identifier (system-wide, chosen by the encoder's user).
pub type LinkId = u16;

/// The value of a link field that names no link (in actions other than
/// [`ActionKind::SendChunk`]).
pub const NO_LINK: LinkId = 0xFFFF;

mod sealed {
    pub trait Sealed {}
}

/// A fixed-size little-endian record of the format.
///
/// Implemented only by this crate's record types.
pub trait Record: Copy + sealed::Sealed {
    /// Size of one record in bytes.
    const SIZE: usize;
    /// Decodes one record from the first `SIZE` bytes of `b` (missing bytes
    /// read as 0; never panics).
    fn decode(b: &[u8]) -> Self;
}

/// A job window of one core in a mode's major frame: the core runs `program`
/// during `[start, end)` (ticks from the frame's start).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    /// First tick of the window.
    pub start: u64,
    /// First tick after the window (`start < end <= major_frame`).
    pub end: u64,
    /// The program that runs.
    pub program: ProgramId,
    /// Index of this job among the program's jobs of one frame, in start order.
    pub job: u32,
}

impl sealed::Sealed for Window {}
impl Record for Window {
    const SIZE: usize = 24;
    fn decode(b: &[u8]) -> Self {
        Window {
            start: u64_at(b, 0),
            end: u64_at(b, 8),
            program: u16_at(b, 16),
            job: u32_at(b, 20),
        }
    }
}

/// A message slot on one outgoing link direction in a mode's major frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Slot {
    /// First tick of the slot.
    pub start: u64,
    /// First tick after the slot (`start < end <= major_frame`).
    pub end: u64,
    /// The message sent.
    pub message: MessageId,
    /// The message instance (index within one frame).
    pub instance: u32,
}

impl sealed::Sealed for Slot {}
impl Record for Slot {
    const SIZE: usize = 24;
    fn decode(b: &[u8]) -> Self {
        Slot {
            start: u64_at(b, 0),
            end: u64_at(b, 8),
            message: u16_at(b, 16),
            instance: u32_at(b, 20),
        }
    }
}

/// Where a job lives: a core and an index into that core's window list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct JobRef {
    /// The core.
    pub core: u16,
    /// Index into the core's window list of the mode.
    pub window: u32,
}

impl sealed::Sealed for JobRef {}
impl Record for JobRef {
    const SIZE: usize = 8;
    fn decode(b: &[u8]) -> Self {
        JobRef {
            core: u16_at(b, 0),
            window: u32_at(b, 4),
        }
    }
}

/// What a transition action does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ActionKind {
    /// A program of the old mode only stops for good.
    Stop {
        /// The program.
        program: ProgramId,
    },
    /// A migrating program is suspended on this (source) module.
    Suspend {
        /// The program.
        program: ProgramId,
    },
    /// This module sends one chunk of a migrating program on one of its
    /// outgoing link directions during `[at, end)`.
    SendChunk {
        /// The migrating program.
        program: ProgramId,
        /// The outgoing link direction.
        link: LinkId,
        /// Bytes in the chunk.
        bytes: u64,
        /// End of the transmission, relative to the switch point.
        end: i64,
    },
    /// A migrated program may run on this (destination) module from now on.
    Resume {
        /// The program.
        program: ProgramId,
    },
}

impl ActionKind {
    /// The program the action is about.
    pub fn program(&self) -> ProgramId {
        match *self {
            ActionKind::Stop { program }
            | ActionKind::Suspend { program }
            | ActionKind::SendChunk { program, .. }
            | ActionKind::Resume { program } => program,
        }
    }

    /// The kind's code in the format (0 stop, 1 suspend, 2 send chunk, 3 resume).
    pub fn code(&self) -> u8 {
        match self {
            ActionKind::Stop { .. } => 0,
            ActionKind::Suspend { .. } => 1,
            ActionKind::SendChunk { .. } => 2,
            ActionKind::Resume { .. } => 3,
        }
    }
}

/// A timed action of a transition plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Action {
    /// When the action is due, in ticks relative to the switch point `S`
    /// (negative: before `S`).
    pub at: i64,
    /// What to do.
    pub kind: ActionKind,
}

impl sealed::Sealed for Action {}
impl Record for Action {
    const SIZE: usize = 32;
    fn decode(b: &[u8]) -> Self {
        let program = u16_at(b, 2);
        let at = i64_at(b, 8);
        let kind = match u8_at(b, 0) {
            1 => ActionKind::Suspend { program },
            2 => ActionKind::SendChunk {
                program,
                link: u16_at(b, 4),
                bytes: u64_at(b, 24),
                end: i64_at(b, 16),
            },
            3 => ActionKind::Resume { program },
            _ => ActionKind::Stop { program },
        };
        Action { at, kind }
    }
}

/// A job of the new mode that is not dispatched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Skip {
    /// The program.
    pub program: ProgramId,
    /// The job's index among the program's jobs counted from `b_start`
    /// (job `k` of frame `f` is `f·n + k`, `n` jobs per frame).
    pub job: u64,
    /// The job's start relative to the switch point (`φ + f·H + start`).
    pub at: u64,
}

impl sealed::Sealed for Skip {}
impl Record for Skip {
    const SIZE: usize = 24;
    fn decode(b: &[u8]) -> Self {
        Skip {
            program: u16_at(b, 0),
            job: u64_at(b, 8),
            at: u64_at(b, 16),
        }
    }
}

/// A job of the new mode that runs longer than its window (post-copy page
/// faults).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Extend {
    /// The program.
    pub program: ProgramId,
    /// The job's index among the program's jobs counted from `b_start`.
    pub job: u64,
    /// The job's start relative to the switch point.
    pub at: u64,
    /// Extra ticks added to the job's end.
    pub extra: u64,
}

impl sealed::Sealed for Extend {}
impl Record for Extend {
    const SIZE: usize = 32;
    fn decode(b: &[u8]) -> Self {
        Extend {
            program: u16_at(b, 0),
            job: u64_at(b, 8),
            at: u64_at(b, 16),
            extra: u64_at(b, 24),
        }
    }
}

/// `(first, count)` into another section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RangeRec {
    pub first: u32,
    pub count: u32,
}

impl sealed::Sealed for RangeRec {}
impl Record for RangeRec {
    const SIZE: usize = 8;
    fn decode(b: &[u8]) -> Self {
        RangeRec {
            first: u32_at(b, 0),
            count: u32_at(b, 4),
        }
    }
}

/// A reference to a name in the string section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StrRec {
    pub offset: u32,
    pub len: u16,
}

impl sealed::Sealed for StrRec {}
impl Record for StrRec {
    const SIZE: usize = 8;
    fn decode(b: &[u8]) -> Self {
        StrRec {
            offset: u32_at(b, 0),
            len: u16_at(b, 4),
        }
    }
}

/// A link record: id and name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LinkRec {
    pub id: LinkId,
    pub name: StrRec,
}

impl sealed::Sealed for LinkRec {}
impl Record for LinkRec {
    const SIZE: usize = 12;
    fn decode(b: &[u8]) -> Self {
        LinkRec {
            id: u16_at(b, 0),
            name: StrRec::decode(b.get(4..).unwrap_or(&[])),
        }
    }
}

/// A mode record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ModeRec {
    pub id: ModeId,
    pub name: StrRec,
    pub major_frame: u64,
    pub tick_ns: u64,
}

impl sealed::Sealed for ModeRec {}
impl Record for ModeRec {
    const SIZE: usize = 32;
    fn decode(b: &[u8]) -> Self {
        ModeRec {
            id: u16_at(b, 0),
            name: StrRec::decode(b.get(4..).unwrap_or(&[])),
            major_frame: u64_at(b, 16),
            tick_ns: u64_at(b, 24),
        }
    }
}

/// A transition record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TransitionRec {
    pub from: ModeId,
    pub to: ModeId,
    pub phi: u64,
    pub lead: u64,
    pub complete: u64,
    pub actions: RangeRec,
    pub skips: RangeRec,
    pub extends: RangeRec,
}

impl sealed::Sealed for TransitionRec {}
impl Record for TransitionRec {
    const SIZE: usize = 56;
    fn decode(b: &[u8]) -> Self {
        let range = |off: usize| RangeRec::decode(b.get(off..).unwrap_or(&[]));
        TransitionRec {
            from: u16_at(b, 0),
            to: u16_at(b, 2),
            phi: u64_at(b, 8),
            lead: u64_at(b, 16),
            complete: u64_at(b, 24),
            actions: range(32),
            skips: range(40),
            extends: range(48),
        }
    }
}

/// A zero-copy list of records of one kind, borrowed from the table bytes.
#[derive(Clone, Copy)]
pub struct List<'a, R> {
    bytes: &'a [u8],
    len: usize,
    _r: PhantomData<R>,
}

impl<R: Record + fmt::Debug> fmt::Debug for List<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a, R: Record> List<'a, R> {
    /// A list over `bytes` (whose length the reader has checked to be a
    /// multiple of `R::SIZE`).
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        List {
            bytes,
            len: bytes.len() / R::SIZE,
            _r: PhantomData,
        }
    }

    /// The bytes of record `i` (empty past the end).
    pub(crate) fn raw_at(&self, i: usize) -> &'a [u8] {
        let start = i.saturating_mul(R::SIZE);
        self.bytes
            .get(start..start.saturating_add(R::SIZE))
            .unwrap_or(&[])
    }

    /// The empty list.
    pub fn empty() -> Self {
        List {
            bytes: &[],
            len: 0,
            _r: PhantomData,
        }
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the list has no record.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Record `i`, or `None` past the end.
    pub fn get(&self, i: usize) -> Option<R> {
        if i >= self.len {
            return None;
        }
        let off = i.checked_mul(R::SIZE)?;
        Some(R::decode(self.bytes.get(off..).unwrap_or(&[])))
    }

    /// The first record.
    pub fn first(&self) -> Option<R> {
        self.get(0)
    }

    /// The last record.
    pub fn last(&self) -> Option<R> {
        self.len.checked_sub(1).and_then(|i| self.get(i))
    }

    /// Iterates over the records.
    pub fn iter(&self) -> ListIter<'a, R> {
        ListIter {
            list: *self,
            front: 0,
            back: self.len,
        }
    }

    /// The index of the first record for which `pred` is false, assuming the
    /// list is partitioned (all `true` records before all `false` ones), as
    /// `slice::partition_point`. `O(log n)`.
    pub fn partition_point(&self, mut pred: impl FnMut(&R) -> bool) -> usize {
        let (mut lo, mut hi) = (0usize, self.len);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.get(mid) {
                Some(r) if pred(&r) => lo = mid + 1,
                _ => hi = mid,
            }
        }
        lo
    }

    /// Records `first .. first + count`, or `None` if out of range.
    pub fn sub(&self, first: usize, count: usize) -> Option<Self> {
        let end = first.checked_add(count)?;
        if end > self.len {
            return None;
        }
        let bytes = self
            .bytes
            .get(first.checked_mul(R::SIZE)?..end.checked_mul(R::SIZE)?)?;
        Some(List {
            bytes,
            len: count,
            _r: PhantomData,
        })
    }
}

impl<'a, R: Record> IntoIterator for List<'a, R> {
    type Item = R;
    type IntoIter = ListIter<'a, R>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Iterator over a [`List`].
#[derive(Clone)]
pub struct ListIter<'a, R> {
    list: List<'a, R>,
    front: usize,
    back: usize,
}

impl<R: Record> Iterator for ListIter<'_, R> {
    type Item = R;
    fn next(&mut self) -> Option<R> {
        if self.front >= self.back {
            return None;
        }
        let r = self.list.get(self.front);
        self.front += 1;
        r
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back.saturating_sub(self.front);
        (n, Some(n))
    }
}

impl<R: Record> DoubleEndedIterator for ListIter<'_, R> {
    fn next_back(&mut self) -> Option<R> {
        if self.front >= self.back {
            return None;
        }
        self.back -= 1;
        self.list.get(self.back)
    }
}

impl<R: Record> ExactSizeIterator for ListIter<'_, R> {}
