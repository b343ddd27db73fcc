//! The loader over in-memory sources: `ron` parsing of `system.ron` and every
//! mode file, then [`crate::validate::validate`]. Reading the folder is the
//! caller's job (this crate does no I/O).

use crate::diag::{Anchor, Diagnostic, Label, SourceFile, line_col, offset_of};
use crate::raw::{ModeFile, SystemFile, ron_options};
use crate::spans::SpanIndex;
use crate::system::System;
use crate::validate::{Limits, validate_partial};
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
    let mut broken = Vec::new();
    for (i, f) in files.iter().enumerate().skip(1) {
        match parse::<ModeFile>(i, f, &mut diags) {
            Some(m) => modes.push((i, m)),
            None => broken.push(mode_name_of_broken(&f.text)),
        }
    }
    let Some(sys) = sys else {
        return Err(diags);
    };
    match validate_partial(&sys, 0, &modes, &broken, limits) {
        Ok(s) if diags.is_empty() => Ok(s),
        Ok(_) => Err(diags),
        Err(mut more) => {
            diags.append(&mut more);
            // file order, then position in the order found
            diags.sort_by_key(|d| {
                d.labels
                    .iter()
                    .find(|l| l.primary)
                    .map_or(usize::MAX, |l| l.file)
            });
            Err(diags)
        }
    }
}

/// The `name` of a mode file that `ron` rejected, if the lenient span
/// scanner can still read it as a plain string.
fn mode_name_of_broken(text: &str) -> Option<String> {
    let idx = SpanIndex::build(text);
    idx.key("name")?;
    let span = idx.find("name")?;
    let lit = text.get(span)?;
    let inner = lit.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.contains(['\\', '"'])).then(|| inner.to_string())
}

/// Parses one file as `T`, turning a `ron` error into a diagnostic.
pub fn parse<T: DeserializeOwned>(
    file: usize,
    src: &SourceFile,
    diags: &mut Vec<Diagnostic>,
) -> Option<T> {
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
    let inside = |o: &Option<String>| o.as_deref().map_or(String::new(), |o| format!(" in `{o}`"));
    let (code, message, label, help): (&'static str, String, &str, Option<String>) = match &e.code {
        E::NoSuchStructField {
            expected,
            found,
            outer,
        } => {
            let names: Vec<String> = expected.iter().map(|f| f.to_string()).collect();
            let list = names
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let fields = format!("the fields{} are: {list}", inside(outer));
            let help = match crate::validate::closest(found, &names) {
                Some(c) => format!("did you mean `{c}`? {fields}"),
                None => fields,
            };
            (
                "unknown-field",
                format!("unknown field `{found}`{}", inside(outer)),
                "unknown field",
                Some(help),
            )
        }
        E::ExpectedDifferentStructName { expected, found } => (
            "wrong-struct-name",
            format!("expected `{expected}(...)` here, found `{found}(...)`"),
            "wrong struct name",
            Some(format!(
                "write `{expected}(...)`, or leave the name out: `(...)`"
            )),
        ),
        E::MissingStructField { field, outer } => (
            "missing-field",
            format!("the required field `{field}` is missing{}", inside(outer)),
            "the struct ends here",
            Some(format!("add `{field}: ...`; it is required")),
        ),
        E::DuplicateStructField { field, outer } => (
            "duplicate-field",
            format!("the field `{field}` is given twice{}", inside(outer)),
            "given again",
            Some("give each field once".into()),
        ),
        E::NoSuchEnumVariant { .. } => (
            "unknown-variant",
            lower_first(&e.code.to_string()),
            "",
            None,
        ),
        E::ExpectedComma => (
            "malformed-ron",
            "invalid RON: expected a comma".into(),
            "expected a comma before this",
            Some("separate fields and list items with commas".into()),
        ),
        E::ExpectedInteger => (
            "malformed-ron",
            "invalid RON: expected a whole number".into(),
            "not a whole number",
            Some("counts (`cores`, `max_rounds`, a pin's `core`) are plain numbers, without quotes: `cores: 2`".into()),
        ),
        E::ExpectedString => (
            "malformed-ron",
            "invalid RON: expected a string".into(),
            "not a string",
            Some(
                "quantities and names are strings: write them in double quotes, e.g. \"20ms\""
                    .into(),
            ),
        ),
        other => (
            "malformed-ron",
            format!("invalid RON: {}", lower_first(&other.to_string())),
            "",
            None,
        ),
    };
    let mut start = offset_of(&src.text, e.span.start.line, e.span.start.col);
    let end = offset_of(&src.text, e.span.end.line, e.span.end.col);
    // `ron` may start the span at the blank before the offending value: point
    // at the value itself
    start += src.text[start..].len() - src.text[start..].trim_start().len();
    let anchor = if end > start {
        Anchor::Span(start..end)
    } else {
        let (line, col) = line_col(&src.text, start);
        Anchor::Position { line, col }
    };
    let mut d = Diagnostic::error(code, message).label(Label {
        file,
        anchor,
        text: label.to_string(),
        primary: true,
    });
    if let Some(h) = help {
        d = d.help(h);
    }
    d
}

/// `ron`'s messages start with a capital; ours do not.
fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if !c.as_str().starts_with(|x: char| x.is_uppercase()) => {
            f.to_lowercase().chain(c).collect()
        }
        _ => s.to_string(),
    }
}

/// Orders the files of a system folder: `system.ron` first, then the mode
/// files by name. Returns `None` if there is no `system.ron`.
pub fn order_files(mut files: Vec<SourceFile>) -> Option<Vec<SourceFile>> {
    let pos = files.iter().position(|f| {
        std::path::Path::new(&f.name)
            .file_name()
            .and_then(|n| n.to_str())
            == Some("system.ron")
    })?;
    let sys = files.remove(pos);
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files.insert(0, sys);
    Some(files)
}
