//! Diagnostics: failures as data, rendered to text by [`render`].
//!
//! A [`Diagnostic`] names a stable `code`, says what is wrong, and points at
//! one or more places in the input files. Places are given as a path into a
//! RON value (`programs[3].wcet`), resolved to line and column only when the
//! diagnostic is rendered, so validation stays cheap when nothing is wrong.

use crate::spans::SpanIndex;
use std::fmt::Write as _;
use std::ops::Range;

/// One input file: the name shown to the user and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The name shown in diagnostics (`sys/cruise.ron`).
    pub name: String,
    /// The whole text of the file.
    pub text: String,
}

/// Where a label points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    /// A path into the file's RON value (`modules[1].cores`).
    Path(String),
    /// A byte range.
    Span(Range<usize>),
    /// A 1-based line and column (as `ron` reports syntax errors).
    Position {
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        col: usize,
    },
    /// The file as a whole.
    File,
}

/// A place in a file, with a short text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Index into the list of source files.
    pub file: usize,
    /// Where in the file.
    pub anchor: Anchor,
    /// The short text printed beside the caret line.
    pub text: String,
    /// The primary label (`^^^`) says where the problem is; secondary
    /// labels (`---`) point at related places.
    pub primary: bool,
}

/// How bad it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The input is wrong: nothing is built from it.
    Error,
    /// Suspicious but usable.
    Warning,
}

/// One finding about the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable, kebab-case identifier (`wcet-exceeds-window`).
    pub code: &'static str,
    /// What is wrong, in one sentence.
    pub message: String,
    /// The places it points at.
    pub labels: Vec<Label>,
    /// Extra facts (`= note: ...`).
    pub notes: Vec<String>,
    /// How to fix it (`= help: ...`).
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error with no label yet.
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            labels: Vec::new(),
            notes: Vec::new(),
            help: None,
        }
    }

    /// Adds the primary label at a RON path.
    pub fn at(mut self, file: usize, path: impl Into<String>, text: impl Into<String>) -> Self {
        self.labels.push(Label {
            file,
            anchor: Anchor::Path(path.into()),
            text: text.into(),
            primary: true,
        });
        self
    }

    /// Adds a secondary label at a RON path.
    pub fn also(mut self, file: usize, path: impl Into<String>, text: impl Into<String>) -> Self {
        self.labels.push(Label {
            file,
            anchor: Anchor::Path(path.into()),
            text: text.into(),
            primary: false,
        });
        self
    }

    /// Adds a label with an explicit anchor.
    pub fn label(mut self, label: Label) -> Self {
        self.labels.push(label);
        self
    }

    /// Adds a note.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Sets the help text.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// A resolved place: file name, 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The file's name.
    pub file: String,
    /// 1-based line of the span's start.
    pub line: usize,
    /// 1-based column (in characters) of the span's start.
    pub col: usize,
    /// The byte span.
    pub span: Range<usize>,
}

/// Resolves anchors to byte spans, building each file's span index at most
/// once.
pub struct Resolver<'a> {
    sources: &'a [SourceFile],
    indexes: Vec<Option<SpanIndex>>,
}

impl<'a> Resolver<'a> {
    /// A resolver over these files.
    pub fn new(sources: &'a [SourceFile]) -> Self {
        Resolver {
            sources,
            indexes: vec![None; sources.len()],
        }
    }

    /// The byte span of a label, if its file is known.
    pub fn span(&mut self, label: &Label) -> Option<Range<usize>> {
        let src = self.sources.get(label.file)?;
        let len = src.text.len();
        let r = match &label.anchor {
            Anchor::Span(r) => r.start.min(len)..r.end.min(len),
            Anchor::File => 0..0,
            Anchor::Position { line, col } => {
                let off = offset_of(&src.text, *line, *col);
                // underline the token at the position
                let end = src.text[off..]
                    .find(|c: char| c.is_whitespace() || ",()[]{}:".contains(c))
                    .map_or(len, |e| off + e.max(1).min(len - off));
                off..end.max(off)
            }
            Anchor::Path(p) => {
                let idx =
                    self.indexes[label.file].get_or_insert_with(|| SpanIndex::build(&src.text));
                if let Some(key) = p.strip_suffix("#key") {
                    idx.key(key).or_else(|| idx.find(key))?
                } else {
                    idx.find(p)?
                }
            }
        };
        Some(r)
    }

    /// File, line and column of a label.
    pub fn resolve(&mut self, label: &Label) -> Option<Resolved> {
        let span = self.span(label)?;
        let src = &self.sources[label.file];
        let (line, col) = line_col(&src.text, span.start);
        Some(Resolved {
            file: src.name.clone(),
            line,
            col,
            span,
        })
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = text[line_start..offset].chars().count() + 1;
    (line, col)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Byte offset of a 1-based line and column (in characters); clamped.
pub fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let mut off = 0;
    for _ in 1..line.max(1) {
        match text[off..].find('\n') {
            Some(i) => off += i + 1,
            None => return text.len(),
        }
    }
    let line_end = text[off..].find('\n').map_or(text.len(), |i| off + i);
    text[off..line_end]
        .char_indices()
        .nth(col.saturating_sub(1))
        .map_or(line_end, |(i, _)| off + i)
}

/// Renders diagnostics as text, in the order given, with a source excerpt and
/// a caret line under every label. Deterministic; no colours.
///
/// Bounded: at most [`MAX_PER_CODE`] diagnostics of one code are shown (a
/// closing note counts the rest), and a source line longer than
/// [`MAX_EXCERPT`] characters is cut to a window around the caret, so hostile
/// input (10,000 duplicates on one 400 KB line) cannot blow up the output.
pub fn render(diags: &[Diagnostic], sources: &[SourceFile]) -> String {
    let mut out = String::new();
    let mut resolver = Resolver::new(sources);
    // per code: how many were shown, how many were left out (first-seen order)
    let mut counts: Vec<(&'static str, usize, usize)> = Vec::new();
    let mut first = true;
    for d in diags {
        let pos = match counts.iter().position(|(c, _, _)| *c == d.code) {
            Some(p) => p,
            None => {
                counts.push((d.code, 0, 0));
                counts.len() - 1
            }
        };
        if counts[pos].1 >= MAX_PER_CODE {
            counts[pos].2 += 1;
            continue;
        }
        counts[pos].1 += 1;
        if !first {
            out.push('\n');
        }
        first = false;
        render_one(&mut out, d, sources, &mut resolver);
    }
    for (code, _, hidden) in counts {
        if hidden > 0 {
            let _ = writeln!(
                out,
                "\nnote: {hidden} more `{code}` {} not shown",
                if hidden == 1 {
                    "diagnostic"
                } else {
                    "diagnostics"
                }
            );
        }
    }
    out
}

/// The longest message, label, note or help text, in characters, that
/// [`render`] shows whole (a name a million characters long is cut).
pub const MAX_TEXT: usize = 1000;

/// `text` cut to [`MAX_TEXT`] characters, with `...` where it was cut.
fn clip(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(MAX_TEXT) {
        None => std::borrow::Cow::Borrowed(text),
        Some((i, _)) => std::borrow::Cow::Owned(format!(
            "{}... ({} characters)",
            &text[..i],
            text.chars().count()
        )),
    }
}

/// The most diagnostics of one code that [`render`] shows.
pub const MAX_PER_CODE: usize = 10;

/// The longest source line, in characters, that [`render`] shows whole;
/// a longer line is cut to a window of this width around the caret.
pub const MAX_EXCERPT: usize = 200;

/// Cuts `line` (whose underline starts at character `start` and spans `len`
/// characters) to at most [`MAX_EXCERPT`] characters around the underline.
/// Returns the shown text and the underline's new start and length.
fn excerpt_window(line: &str, start: usize, len: usize) -> (String, usize, usize) {
    let total = line.chars().count();
    if total <= MAX_EXCERPT {
        return (line.replace('\t', " "), start, len);
    }
    let from = start
        .saturating_sub(MAX_EXCERPT / 3)
        .min(total.saturating_sub(MAX_EXCERPT));
    let to = (from + MAX_EXCERPT).min(total);
    let mut shown = String::new();
    let mut shift = 0;
    if from > 0 {
        shown.push_str("...");
        shift = 3;
    }
    shown.extend(
        line.chars()
            .skip(from)
            .take(to - from)
            .map(|c| if c == '\t' { ' ' } else { c }),
    );
    if to < total {
        shown.push_str("...");
    }
    let new_start = start.saturating_sub(from).min(to - from) + shift;
    let new_len = len
        .min((to - from + shift).saturating_sub(new_start))
        .max(1);
    (shown, new_start, new_len)
}

fn render_one(out: &mut String, d: &Diagnostic, sources: &[SourceFile], resolver: &mut Resolver) {
    let sev = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let _ = writeln!(out, "{sev}[{}]: {}", d.code, clip(&d.message));
    let resolved: Vec<(usize, Option<Resolved>)> = d
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| (i, resolver.resolve(l)))
        .collect();
    let width = resolved
        .iter()
        .filter_map(|(_, r)| r.as_ref().map(|r| r.line.to_string().len()))
        .max()
        .unwrap_or(1);
    let pad = " ".repeat(width);
    let mut last_file: Option<String> = None;
    for (i, r) in resolved {
        let label = &d.labels[i];
        let Some(r) = r else {
            if let Some(src) = sources.get(label.file) {
                let _ = writeln!(out, "{pad}--> {}", src.name);
            }
            if !label.text.is_empty() {
                let _ = writeln!(out, "{pad} = {}", clip(&label.text));
            }
            continue;
        };
        if matches!(label.anchor, Anchor::File) {
            let _ = writeln!(out, "{pad}--> {}", r.file);
            if !label.text.is_empty() {
                let _ = writeln!(out, "{pad} = {}", clip(&label.text));
            }
            last_file = None;
            continue;
        }
        if last_file.as_deref() != Some(&r.file) || label.primary {
            let _ = writeln!(out, "{pad}--> {}:{}:{}", r.file, r.line, r.col);
            last_file = Some(r.file.clone());
        }
        let text = &sources[label.file].text;
        let line_start = text[..r.span.start.min(text.len())]
            .rfind('\n')
            .map_or(0, |p| p + 1);
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |p| line_start + p);
        let line_text = text[line_start..line_end].trim_end_matches('\r');
        let under_start = text[line_start..r.span.start.max(line_start)]
            .chars()
            .count();
        let under_len = text
            [r.span.start.min(line_end)..r.span.end.min(line_end).max(r.span.start.min(line_end))]
            .chars()
            .count()
            .max(1);
        let (shown, under_start, under_len) = excerpt_window(line_text, under_start, under_len);
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{:>width$} | {}", r.line, shown);
        let mark = if label.primary { "^" } else { "-" };
        let _ = writeln!(
            out,
            "{pad} | {}{} {}",
            " ".repeat(under_start),
            mark.repeat(under_len),
            clip(&label.text)
        )
        .map(|_| ());
        // trim the trailing space when the label has no text
        if label.text.is_empty() && out.ends_with(" \n") {
            out.truncate(out.len() - 2);
            out.push('\n');
        }
    }
    for n in &d.notes {
        let _ = writeln!(out, "{pad} = note: {}", clip(n));
    }
    if let Some(h) = &d.help {
        let _ = writeln!(out, "{pad} = help: {}", clip(h));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_caret_under_value() {
        let src = vec![SourceFile {
            name: "sys/system.ron".into(),
            text: "System(\n    name: \"x\",\n    tick: \"3furlongs\",\n)\n".into(),
        }];
        let d = Diagnostic::error("unknown-unit", "`tick`: unknown unit `furlongs`")
            .at(0, "tick", "expected ns, us, ms or s")
            .help("write the tick as e.g. \"1us\"");
        let text = render(&[d], &src);
        assert_eq!(
            text,
            "error[unknown-unit]: `tick`: unknown unit `furlongs`\n --> sys/system.ron:3:11\n  |\n3 |     tick: \"3furlongs\",\n  |           ^^^^^^^^^^^ expected ns, us, ms or s\n  = help: write the tick as e.g. \"1us\"\n"
        );
    }

    #[test]
    fn line_col_round_trip() {
        let t = "ab\ncdé\nf";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 4), (2, 2));
        assert_eq!(offset_of(t, 2, 2), 4);
        assert_eq!(offset_of(t, 3, 1), t.len() - 1);
        assert_eq!(offset_of(t, 9, 9), t.len());
    }
}
