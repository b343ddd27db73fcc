//! Where each value of a RON file sits in its text.
//!
//! `ron` tells us where a syntax error is, but not where a well-formed value
//! came from. This scanner walks a file that `ron` already accepted and
//! records the byte span of every value under a path such as
//! `programs[3].window.end` or `transitions[1].0`, so that semantic errors can
//! point at the text. It is lenient: on text it does not understand it stops,
//! and lookups fall back to the nearest enclosing value.

use std::collections::HashMap;
use std::ops::Range;

/// Paths to byte spans for one file.
#[derive(Debug, Default, Clone)]
pub struct SpanIndex {
    spans: HashMap<String, Range<usize>>,
}

impl SpanIndex {
    /// Scans `text`.
    pub fn build(text: &str) -> SpanIndex {
        let mut s = Scanner {
            b: text.as_bytes(),
            i: 0,
            spans: HashMap::new(),
        };
        let mut path = String::new();
        s.value(&mut path, 0);
        SpanIndex { spans: s.spans }
    }

    /// The span of the value at `path`, or of the nearest enclosing value
    /// that exists (a defaulted field points at its struct).
    pub fn find(&self, path: &str) -> Option<Range<usize>> {
        let mut p = path;
        loop {
            if let Some(r) = self.spans.get(p) {
                return Some(r.clone());
            }
            if p.is_empty() {
                return None;
            }
            let cut = p.rfind(['.', '[']).unwrap_or(0);
            p = &p[..cut];
        }
    }

    /// The span of the field name for `path` (`programs[3].wcet` → `wcet`).
    pub fn key(&self, path: &str) -> Option<Range<usize>> {
        self.spans.get(&format!("{path}#key")).cloned()
    }
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
    spans: HashMap<String, Range<usize>>,
}

const MAX_DEPTH: usize = 64;

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn skip_trivia(&mut self) {
        loop {
            match self.peek() {
                Some(c) if c.is_ascii_whitespace() => self.i += 1,
                Some(b'/') if self.b.get(self.i + 1) == Some(&b'/') => {
                    while let Some(c) = self.peek() {
                        if c == b'\n' {
                            break;
                        }
                        self.i += 1;
                    }
                }
                Some(b'/') if self.b.get(self.i + 1) == Some(&b'*') => {
                    self.i += 2;
                    let mut depth = 1;
                    while self.i < self.b.len() && depth > 0 {
                        if self.b[self.i..].starts_with(b"*/") {
                            depth -= 1;
                            self.i += 2;
                        } else if self.b[self.i..].starts_with(b"/*") {
                            depth += 1;
                            self.i += 2;
                        } else {
                            self.i += 1;
                        }
                    }
                }
                _ => return,
            }
        }
    }

    fn ident(&mut self) -> Range<usize> {
        let start = self.i;
        if self.b[self.i..].starts_with(b"r#") {
            self.i += 2;
        }
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || c == b'_' {
                self.i += 1;
            } else {
                break;
            }
        }
        start..self.i
    }

    fn string(&mut self) {
        // at '"'
        self.i += 1;
        while let Some(c) = self.peek() {
            self.i += 1;
            match c {
                b'\\' => self.i += 1,
                b'"' => return,
                _ => {}
            }
        }
    }

    fn raw_string(&mut self) {
        // at 'r', then hashes, then '"'
        self.i += 1;
        let mut hashes = 0;
        while self.peek() == Some(b'#') {
            hashes += 1;
            self.i += 1;
        }
        self.i += 1; // '"'
        while self.i < self.b.len() {
            if self.b[self.i] == b'"'
                && self.b[self.i + 1..]
                    .iter()
                    .take(hashes)
                    .filter(|&&c| c == b'#')
                    .count()
                    == hashes
            {
                self.i += 1 + hashes;
                return;
            }
            self.i += 1;
        }
    }

    fn record(&mut self, path: &str, span: Range<usize>) {
        self.spans.entry(path.to_string()).or_insert(span);
    }

    fn value(&mut self, path: &mut String, depth: usize) {
        if depth > MAX_DEPTH {
            self.i = self.b.len();
            return;
        }
        self.skip_trivia();
        let start = self.i;
        match self.peek() {
            None => return,
            Some(b'"') => self.string(),
            Some(b'r') if matches!(self.b.get(self.i + 1), Some(b'#') | Some(b'"')) => {
                if self.b.get(self.i + 1) == Some(&b'#')
                    && self
                        .b
                        .get(self.i + 2)
                        .is_some_and(|c| c.is_ascii_alphabetic())
                {
                    self.ident();
                } else {
                    self.raw_string();
                }
            }
            Some(b'[') => {
                self.i += 1;
                self.seq(path, b']', depth, |idx| format!("[{idx}]"));
            }
            Some(b'{') => {
                self.i += 1;
                self.seq(path, b'}', depth, |idx| format!("[{idx}]"));
            }
            Some(b'(') => {
                self.i += 1;
                self.parens(path, depth);
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                let id = self.ident();
                self.skip_trivia();
                if self.peek() == Some(b'(') {
                    self.i += 1;
                    if &self.b[id.clone()] == b"Some" {
                        // transparent: the inner value has the same path
                        self.value(path, depth + 1);
                        self.skip_trivia();
                        if self.peek() == Some(b',') {
                            self.i += 1;
                            self.skip_trivia();
                        }
                        if self.peek() == Some(b')') {
                            self.i += 1;
                        }
                    } else {
                        let name_path = format!("{path}#struct");
                        self.record(&name_path, id);
                        self.parens(path, depth);
                    }
                }
            }
            Some(_) => {
                while let Some(c) = self.peek() {
                    if matches!(c, b',' | b')' | b']' | b'}' | b':') || c.is_ascii_whitespace() {
                        break;
                    }
                    self.i += 1;
                }
            }
        }
        let end = self.i;
        if end > start {
            self.record(path, start..end);
        }
    }

    /// After `(`: struct fields `name: value` or tuple elements.
    fn parens(&mut self, path: &mut String, depth: usize) {
        self.skip_trivia();
        // Is it `ident :` ?
        let save = self.i;
        let is_struct = if self
            .peek()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        {
            self.ident();
            self.skip_trivia();
            let r = self.peek() == Some(b':') && self.b.get(self.i + 1) != Some(&b':');
            self.i = save;
            r
        } else {
            false
        };
        if !is_struct {
            self.seq(path, b')', depth, |idx| format!(".{idx}"));
            return;
        }
        loop {
            self.skip_trivia();
            match self.peek() {
                None => return,
                Some(b')') => {
                    self.i += 1;
                    return;
                }
                _ => {}
            }
            let before = self.i;
            let key = self.ident();
            if key.is_empty() {
                // not understood: give up on this struct
                self.i = before + 1;
                continue;
            }
            let name = String::from_utf8_lossy(&self.b[key.clone()]).into_owned();
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(name.trim_start_matches("r#"));
            let key_path = format!("{path}#key");
            self.record(&key_path, key);
            self.skip_trivia();
            if self.peek() == Some(b':') {
                self.i += 1;
            }
            self.value(path, depth + 1);
            path.truncate(len);
            self.skip_trivia();
            if self.peek() == Some(b',') {
                self.i += 1;
            }
        }
    }

    fn seq(&mut self, path: &mut String, close: u8, depth: usize, seg: impl Fn(usize) -> String) {
        let mut idx = 0;
        loop {
            self.skip_trivia();
            match self.peek() {
                None => return,
                Some(c) if c == close => {
                    self.i += 1;
                    return;
                }
                _ => {}
            }
            let before = self.i;
            let len = path.len();
            path.push_str(&seg(idx));
            self.value(path, depth + 1);
            path.truncate(len);
            self.skip_trivia();
            if close == b'}' && self.peek() == Some(b':') {
                // map: key then value; record the value under the same index
                self.i += 1;
                path.push_str(&seg(idx));
                self.value(path, depth + 1);
                path.truncate(len);
                self.skip_trivia();
            }
            if self.peek() == Some(b',') {
                self.i += 1;
            }
            if self.i == before {
                self.i += 1; // guarantee progress
            }
            idx += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_values() {
        let text = r#"// c
System(
    name: "x",
    modules: [
        Module(name: "cm1", cores: 2, memory: "256MiB"),
        (name: "cm2", cores: 0, memory: /* hm */ "1MiB"),
    ],
    transitions: [("a", "b")],
    programs: [Program(name: "p", window: Some(Window(start: "1ms", end: "2ms")))],
)"#;
        let idx = SpanIndex::build(text);
        let at = |p: &str| &text[idx.find(p).unwrap()];
        assert_eq!(at("name"), "\"x\"");
        assert_eq!(at("modules[1].cores"), "0");
        assert_eq!(at("modules[1].memory"), "\"1MiB\"");
        assert_eq!(at("modules[0].name"), "\"cm1\"");
        assert_eq!(at("transitions[0].1"), "\"b\"");
        assert_eq!(at("programs[0].window.end"), "\"2ms\"");
        // fallback to the enclosing struct
        assert!(at("programs[0].period").starts_with("Program("));
        assert_eq!(&text[idx.key("modules[0].cores").unwrap()], "cores");
    }

    #[test]
    fn never_panics_on_garbage() {
        for text in ["(", "[", "r#", "\"abc", "Foo(a:", "(a: [1, (b: {", "/* x"] {
            let _ = SpanIndex::build(text);
        }
    }
}
