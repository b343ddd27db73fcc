//! Errors of the reader.

use core::fmt;

/// Why a byte string is not a valid compiled table.
///
/// Every check of [`Tables::parse`](crate::Tables::parse) maps to one of
/// these; `Invalid` names the rule that failed and the index of the offending
/// record inside its section (or inside its list, where noted by `what`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FormatError {
    /// The input is shorter than the header, or the section directory runs
    /// past its end.
    Truncated,
    /// The first eight bytes are not [`MAGIC`](crate::MAGIC).
    BadMagic,
    /// The format version is not one this reader understands
    /// ([`FORMAT_VERSION`](crate::FORMAT_VERSION)).
    UnsupportedVersion(u16),
    /// The header's total length does not match the input's length.
    LengthMismatch {
        /// Length written in the header.
        declared: u32,
        /// Length of the input.
        actual: usize,
    },
    /// A reserved header or directory field is not zero, or the directory is
    /// not sorted strictly by section kind.
    BadHeader,
    /// A section lies (partly) outside the input or inside the header.
    SectionOutOfBounds(u16),
    /// Two sections share bytes.
    SectionsOverlap(u16, u16),
    /// A required section is absent.
    MissingSection(u16),
    /// A section kind below 0x8000 that this version does not define.
    UnknownSection(u16),
    /// A section's length is not a whole number of its records.
    BadSectionLength(u16),
    /// A name points outside the string section or is not UTF-8.
    BadString,
    /// A record breaks a rule of the format.
    Invalid {
        /// The rule, e.g. `"window: start >= end"`.
        what: &'static str,
        /// Index of the record in its section.
        index: u32,
    },
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::Truncated => write!(f, "table is truncated"),
            FormatError::BadMagic => write!(f, "not a seamless table (bad magic bytes)"),
            FormatError::UnsupportedVersion(v) => {
                write!(
                    f,
                    "unsupported table format version {v} (this reader knows {})",
                    crate::FORMAT_VERSION
                )
            }
            FormatError::LengthMismatch { declared, actual } => {
                write!(f, "header says {declared} bytes but the table has {actual}")
            }
            FormatError::BadHeader => write!(f, "malformed header or section directory"),
            FormatError::SectionOutOfBounds(k) => write!(f, "section {k} lies outside the table"),
            FormatError::SectionsOverlap(a, b) => write!(f, "sections {a} and {b} overlap"),
            FormatError::MissingSection(k) => write!(f, "required section {k} is missing"),
            FormatError::UnknownSection(k) => write!(f, "unknown required section kind {k}"),
            FormatError::BadSectionLength(k) => {
                write!(f, "section {k} is not a whole number of records")
            }
            FormatError::BadString => write!(f, "a name is out of bounds or not UTF-8"),
            FormatError::Invalid { what, index } => write!(f, "invalid record {index}: {what}"),
        }
    }
}

impl core::error::Error for FormatError {}
