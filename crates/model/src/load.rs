//! The loader over in-memory sources: `ron` parsing of `system.ron` and every
//! mode file, then [`crate::validate::validate`]. Reading the folder is the
//! caller's job (this crate does no I/O).

use crate::diag::{Anchor, Diagnostic, Label, SourceFile, offset_of};
use crate::raw::{ModeFile, SystemFile, ron_options};
use crate::system::System;
use crate::validate::{Limits, validate};
use serde::de::DeserializeOwned;

/// Parses and validates a system. `files[0]` is `system.ron`; every other
/// file is a mode. On failure, every error found in every file is returned,
/// in file order.
pub fn load(files: &[SourceFile], limits: Limits) -> Result<System, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let Some(first) = files.first() else {
        return Err(vec![Diagnostic::error(
            "no-system-file",
            "the system folder has no `system.ron`",
        )]);
    };
    let sys: Option<SystemFile> = parse(0, first, &mut diags);
    let mut modes = Vec::new();
    for (i, f) in files.iter().enumerate().skip(1) {
        if let Some(m) = parse::<ModeFile>(i, f, &mut diags) {
            modes.push((i, m));
        }
    }
    let Some(sys) = sys else {
        return Err(diags);
    };
    match validate(&sys, 0, &modes, limits) {
        Ok(s) if diags.is_empty() => Ok(s),
        Ok(_) => Err(diags),
        Err(mut more) => {
            diags.append(&mut more);
            // file order, then position in the order found
            diags.sort_by_key(|d| d.labels.iter().find(|l| l.primary).map_or(usize::MAX, |l| l.file));
            Err(diags)
        }
    }
}

/// Parses one file as `T`, turning a `ron` error into a diagnostic.
pub fn parse<T: DeserializeOwned>(file: usize, src: &SourceFile, diags: &mut Vec<Diagnostic>) -> Option<T> {
    match ron_options().from_str::<T>(&src.text) {
        Ok(v) => Some(v),
        Err(e) => {
            diags.push(ron_error(file, src, &e));
            None
        }
    }
}

fn ron_error(file: usize, src: &SourceFile, e: &ron::error::SpannedError) -> Diagnostic {
    use ron::Error as E;
    let (code, help): (&'static str, Option<String>) = match &e.code {
        E::NoSuchStructField { expected, .. } => (
            "unknown-field",
            Some(format!("the fields here are: {}", expected.join(", "))),
        ),
        E::ExpectedDifferentStructName { expected, .. } => (
            "wrong-struct-name",
            Some(format!("write `{expected}(...)`, or leave the name out: `(...)`")),
        ),
        E::MissingStructField { field, .. } => (
            "missing-field",
            Some(format!("add `{field}: ...`; it is required")),
        ),
        E::DuplicateStructField { .. } => ("duplicate-field", None),
        E::NoSuchEnumVariant { .. } => ("unknown-variant", None),
        E::ExpectedString => (
            "malformed-ron",
            Some("quantities and names are strings: write them in double quotes, e.g. \"20ms\"".into()),
        ),
        _ => ("malformed-ron", None),
    };
    let start = offset_of(&src.text, e.span.start.line, e.span.start.col);
    let end = offset_of(&src.text, e.span.end.line, e.span.end.col);
    let anchor = if end > start {
        Anchor::Span(start..end)
    } else {
        Anchor::Position {
            line: e.span.start.line,
            col: e.span.start.col,
        }
    };
    let mut d = Diagnostic::error(code, format!("{}: {}", src.name, e.code)).label(Label {
        file,
        anchor,
        text: String::new(),
        primary: true,
    });
    if let Some(h) = help {
        d = d.help(h);
    }
    d
}

/// Orders the files of a system folder: `system.ron` first, then the mode
/// files by name. Returns `None` if there is no `system.ron`.
pub fn order_files(mut files: Vec<SourceFile>) -> Option<Vec<SourceFile>> {
    let pos = files.iter().position(|f| {
        std::path::Path::new(&f.name).file_name().and_then(|n| n.to_str()) == Some("system.ron")
    })?;
    let sys = files.remove(pos);
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files.insert(0, sys);
    Some(files)
}
