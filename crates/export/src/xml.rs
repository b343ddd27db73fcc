//! A minimal XML reader and writer: enough for the configuration files this
//! crate writes (elements, attributes, text, comments, processing
//! instructions, CDATA, the five predefined entities and character
//! references). No DTDs, no namespaces processing (a prefixed name is just a
//! name). The reader rejects malformed input with an error that says where,
//! and never panics.

use std::fmt;

/// An element: its name, attributes in document order, child elements and
/// the concatenated text directly inside it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// The element's name as written, prefix included (`xm:Partition`).
    pub name: String,
    /// Attributes in document order, as `(name, value)` with entities and
    /// character references already decoded.
    pub attrs: Vec<(String, String)>,
    /// Child elements in document order.
    pub children: Vec<Element>,
    /// The text directly inside the element (not inside its children), its
    /// pieces concatenated in order, entities decoded.
    pub text: String,
}

impl Element {
    /// The value of attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of attribute `name`, or an error naming the element.
    pub fn req(&self, name: &str) -> Result<&str, String> {
        self.attr(name)
            .ok_or_else(|| format!("<{}> has no `{name}` attribute", self.name))
    }

    /// The child elements called `name`.
    pub fn children_named<'a, 'n>(
        &'a self,
        name: &'n str,
    ) -> impl Iterator<Item = &'a Element> + use<'a, 'n> {
        self.children.iter().filter(move |c| c.name == name)
    }
}

/// Why a document was rejected, and where (1-based line and column, in
/// characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    /// Line of the error, counting from 1.
    pub line: usize,
    /// Column of the error, counting characters (not bytes) from 1.
    pub column: usize,
    /// What is wrong, as one sentence.
    pub message: String,
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for XmlError {}

/// Deepest element nesting accepted (the tree is dropped recursively).
pub const MAX_DEPTH: usize = 256;

struct Parser<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
}

fn is_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b':' || c >= 0x80
}

fn is_name_char(c: u8) -> bool {
    is_name_start(c) || c.is_ascii_digit() || c == b'-' || c == b'.'
}

impl<'a> Parser<'a> {
    fn err<T>(&self, message: impl Into<String>) -> Result<T, XmlError> {
        self.err_at(self.pos, message)
    }

    fn err_at<T>(&self, at: usize, message: impl Into<String>) -> Result<T, XmlError> {
        let before = self.src.get(..at).unwrap_or(self.src);
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Err(XmlError {
            line,
            column,
            message: message.into(),
        })
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn starts_with(&self, s: &str) -> bool {
        self.b
            .get(self.pos..)
            .is_some_and(|r| r.starts_with(s.as_bytes()))
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    /// Position of `pat` at or after the cursor.
    fn find(&self, pat: &str) -> Option<usize> {
        self.src
            .get(self.pos..)
            .and_then(|r| r.find(pat))
            .map(|i| self.pos + i)
    }

    fn slice(&self, from: usize, to: usize) -> Result<&'a str, XmlError> {
        match self.src.get(from..to) {
            Some(s) => Ok(s),
            None => self.err_at(from, "invalid text boundary"),
        }
    }

    fn name(&mut self) -> Result<&'a str, XmlError> {
        let start = self.pos;
        if !self.peek().is_some_and(is_name_start) {
            return self.err("expected a name");
        }
        while self.peek().is_some_and(is_name_char) {
            self.pos += 1;
        }
        self.slice(start, self.pos)
    }

    /// Skips `<!--...-->`, `<?...?>`; the cursor is on `<`.
    fn skip_misc(&mut self) -> Result<bool, XmlError> {
        if self.starts_with("<!--") {
            let start = self.pos;
            self.pos += 4;
            match self.find("-->") {
                Some(e) => {
                    if self.slice(self.pos, e)?.contains("--") {
                        return self.err_at(start, "`--` inside a comment");
                    }
                    self.pos = e + 3;
                    Ok(true)
                }
                None => self.err_at(start, "unterminated comment"),
            }
        } else if self.starts_with("<?") {
            let start = self.pos;
            self.pos += 2;
            self.name()?;
            match self.find("?>") {
                Some(e) => {
                    self.pos = e + 2;
                    Ok(true)
                }
                None => self.err_at(start, "unterminated processing instruction"),
            }
        } else if self.starts_with("<!") {
            self.err("DOCTYPE and other declarations are not supported")
        } else {
            Ok(false)
        }
    }

    /// Decodes entity and character references in `raw` (starting at `at`).
    fn decode(&self, raw: &str, at: usize) -> Result<String, XmlError> {
        let mut out = String::with_capacity(raw.len());
        let mut rest = raw;
        let mut off = at;
        while let Some(i) = rest.find('&') {
            out.push_str(rest.get(..i).unwrap_or(""));
            let after = rest.get(i + 1..).unwrap_or("");
            let Some(semi) = after.find(';') else {
                return self.err_at(off + i, "`&` without `;`");
            };
            let ent = after.get(..semi).unwrap_or("");
            let c = match ent {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                _ => {
                    let code = if let Some(h) = ent.strip_prefix("#x") {
                        u32::from_str_radix(h, 16).ok()
                    } else if let Some(d) = ent.strip_prefix('#') {
                        d.parse::<u32>().ok()
                    } else {
                        None
                    };
                    let digits_ok = ent.len() > 1
                        && ent
                            .trim_start_matches("#x")
                            .trim_start_matches('#')
                            .bytes()
                            .all(|b| b.is_ascii_hexdigit());
                    match code
                        .filter(|&c| c != 0 && digits_ok)
                        .and_then(char::from_u32)
                    {
                        Some(c) => c,
                        None => {
                            return self.err_at(off + i, format!("unknown reference `&{ent};`"));
                        }
                    }
                }
            };
            out.push(c);
            let consumed = i + 1 + semi + 1;
            rest = rest.get(consumed..).unwrap_or("");
            off += consumed;
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Parses a start tag; the cursor is just after `<`. Returns the element
    /// and whether it was self-closing.
    fn start_tag(&mut self) -> Result<(Element, bool), XmlError> {
        let name = self.name()?.to_string();
        let mut el = Element {
            name,
            ..Element::default()
        };
        loop {
            let had_ws = self.peek().is_some_and(|c| c.is_ascii_whitespace());
            self.skip_ws();
            match self.peek() {
                Some(b'/') => {
                    self.pos += 1;
                    if self.peek() != Some(b'>') {
                        return self.err("expected `>` after `/`");
                    }
                    self.pos += 1;
                    return Ok((el, true));
                }
                Some(b'>') => {
                    self.pos += 1;
                    return Ok((el, false));
                }
                Some(_) => {
                    if !had_ws {
                        return self.err("expected whitespace before an attribute");
                    }
                    let at = self.pos;
                    let key = self.name()?.to_string();
                    self.skip_ws();
                    if self.peek() != Some(b'=') {
                        return self.err(format!("expected `=` after attribute `{key}`"));
                    }
                    self.pos += 1;
                    self.skip_ws();
                    let q = match self.peek() {
                        Some(q @ (b'"' | b'\'')) => q,
                        _ => return self.err("expected a quoted attribute value"),
                    };
                    self.pos += 1;
                    let vstart = self.pos;
                    while self.peek().is_some_and(|c| c != q) {
                        if self.peek() == Some(b'<') {
                            return self.err("`<` inside an attribute value");
                        }
                        self.pos += 1;
                    }
                    if self.peek().is_none() {
                        return self.err_at(vstart, "unterminated attribute value");
                    }
                    let raw = self.slice(vstart, self.pos)?;
                    self.pos += 1;
                    let value = self.decode(raw, vstart)?;
                    if el.attr(&key).is_some() {
                        return self.err_at(at, format!("duplicate attribute `{key}`"));
                    }
                    el.attrs.push((key, value));
                }
                None => return self.err("unterminated start tag"),
            }
        }
    }
}

/// Parses a document: an optional prolog (XML declaration, comments,
/// processing instructions), one root element, then only comments,
/// processing instructions and whitespace.
pub fn parse(src: &str) -> Result<Element, XmlError> {
    let mut p = Parser {
        src,
        b: src.as_bytes(),
        pos: 0,
    };
    if p.starts_with("\u{feff}") {
        p.pos += 3;
    }
    // prolog
    loop {
        p.skip_ws();
        if p.peek().is_none() {
            return p.err("no root element");
        }
        if p.peek() != Some(b'<') {
            return p.err("text before the root element");
        }
        if !p.skip_misc()? {
            break;
        }
    }
    let mut stack: Vec<Element> = Vec::new();
    let root: Element;
    loop {
        match p.peek() {
            None => {
                return p.err(format!(
                    "unclosed element <{}>",
                    stack.last().map_or("", |e| e.name.as_str())
                ));
            }
            Some(b'<') => {
                if p.starts_with("<![CDATA[") {
                    let start = p.pos;
                    p.pos += 9;
                    let Some(e) = p.find("]]>") else {
                        return p.err_at(start, "unterminated CDATA section");
                    };
                    let text = p.slice(p.pos, e)?;
                    if let Some(top) = stack.last_mut() {
                        top.text.push_str(text);
                    }
                    p.pos = e + 3;
                    continue;
                }
                if p.skip_misc()? {
                    continue;
                }
                if p.starts_with("</") {
                    let at = p.pos;
                    p.pos += 2;
                    let name = p.name()?;
                    p.skip_ws();
                    if p.peek() != Some(b'>') {
                        return p.err("expected `>` in end tag");
                    }
                    p.pos += 1;
                    let Some(el) = stack.pop() else {
                        return p.err_at(at, format!("unexpected end tag </{name}>"));
                    };
                    if el.name != name {
                        return p.err_at(
                            at,
                            format!("end tag </{name}> does not match <{}>", el.name),
                        );
                    }
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(el),
                        None => {
                            root = el;
                            break;
                        }
                    }
                    continue;
                }
                p.pos += 1;
                let (el, empty) = p.start_tag()?;
                if empty {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(el),
                        None => {
                            root = el;
                            break;
                        }
                    }
                } else {
                    if stack.len() >= MAX_DEPTH {
                        return p.err(format!("elements nested deeper than {MAX_DEPTH}"));
                    }
                    stack.push(el);
                }
            }
            Some(_) => {
                let start = p.pos;
                let end = p.find("<").unwrap_or(p.b.len());
                let raw = p.slice(start, end)?;
                if raw.contains("]]>") {
                    return p.err_at(start, "`]]>` in text");
                }
                let text = p.decode(raw, start)?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&text);
                }
                p.pos = end;
            }
        }
    }
    // epilogue
    loop {
        p.skip_ws();
        match p.peek() {
            None => return Ok(root),
            Some(b'<') if p.skip_misc()? => {}
            Some(_) => return p.err("content after the root element"),
        }
    }
}

/// Escapes text for an attribute value in double quotes (also `<`, `>`,
/// and control characters as character references, so values survive
/// attribute-value normalisation).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 => out.push_str(&format!("&#{};", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// An indenting writer of elements with attributes (no mixed content).
#[derive(Debug, Default)]
pub struct Writer {
    out: String,
    depth: usize,
}

impl Writer {
    /// A writer that starts with the XML declaration.
    pub fn new() -> Writer {
        Writer {
            out: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".into(),
            depth: 0,
        }
    }

    /// A writer for a fragment (no declaration), indented `depth` levels.
    pub fn fragment(depth: usize) -> Writer {
        Writer {
            out: String::new(),
            depth,
        }
    }

    fn tag(&mut self, name: &str, attrs: &[(&str, String)], close: &str) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attrs {
            self.out.push(' ');
            self.out.push_str(k);
            self.out.push_str("=\"");
            self.out.push_str(&escape(v));
            self.out.push('"');
        }
        self.out.push_str(close);
        self.out.push('\n');
    }

    /// `<name attrs>`; children follow until [`Writer::close`].
    pub fn open(&mut self, name: &str, attrs: &[(&str, String)]) {
        self.tag(name, attrs, ">");
        self.depth += 1;
    }

    /// `<name attrs/>`.
    pub fn empty(&mut self, name: &str, attrs: &[(&str, String)]) {
        self.tag(name, attrs, "/>");
    }

    /// `</name>`.
    pub fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// `<!-- text -->` (a `--` in the text is broken up, so the comment stays
    /// well-formed).
    pub fn comment(&mut self, text: &str) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        let mut t = text.replace("--", "- -");
        if t.ends_with('-') {
            t.push(' ');
        }
        self.out.push_str("<!-- ");
        self.out.push_str(&t);
        self.out.push_str(" -->\n");
    }

    /// Appends pre-rendered lines (a fragment written by another writer).
    pub fn raw(&mut self, text: &str) {
        self.out.push_str(text);
    }

    /// The document.
    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_what_it_writes() {
        let mut w = Writer::new();
        w.comment("a -- b -");
        w.open("Root", &[("name", "a&b<c>\"d'\n\t".into())]);
        w.empty("Leaf", &[("x", "1".into()), ("y", "é ☃".into())]);
        w.open("Inner", &[]);
        w.empty("Leaf", &[("x", "2".into())]);
        w.close("Inner");
        w.close("Root");
        let doc = w.finish();
        let root = parse(&doc).unwrap();
        assert_eq!(root.name, "Root");
        assert_eq!(root.attr("name"), Some("a&b<c>\"d'\n\t"));
        assert_eq!(root.children.len(), 2);
        assert_eq!(root.children[0].attr("y"), Some("é ☃"));
        assert_eq!(
            root.children_named("Inner").next().unwrap().children[0].attr("x"),
            Some("2")
        );
        assert!(root.req("nope").is_err());
    }

    #[test]
    fn text_cdata_references() {
        let root = parse("<?xml version=\"1.0\"?>\n<!-- c --><a>x &lt;&#65;&#x42;<![CDATA[<y>]]><b/>z</a>\n<!-- end -->\n").unwrap();
        assert_eq!(root.text, "x <AB<y>z");
        assert_eq!(root.children[0].name, "b");
        let root = parse("<a k='v\"'/>").unwrap();
        assert_eq!(root.attr("k"), Some("v\""));
    }

    #[test]
    fn rejects_malformed() {
        let bad = [
            "",
            "   ",
            "text",
            "<a>",
            "<a></b>",
            "</a>",
            "<a/><b/>",
            "<a/>text",
            "<a x=1/>",
            "<a x=\"1\" x=\"2\"/>",
            "<a x=\"1\"y=\"2\"/>",
            "<a x=\"1/>",
            "<a x=\"<\"/>",
            "<a>&unknown;</a>",
            "<a>&#0;</a>",
            "<a>&#xD800;</a>",
            "<a>& b</a>",
            "<a>&#;</a>",
            "<a><!-- x</a>",
            "<a><!-- a -- b --></a>",
            "<!DOCTYPE a><a/>",
            "<a><![CDATA[x</a>",
            "<a><?pi</a>",
            "<1a/>",
            "<a / >",
            "<a>]]></a>",
            "<a",
            "<a x",
            "<a x=",
        ];
        for b in bad {
            assert!(parse(b).is_err(), "accepted {b:?}");
        }
        let deep = "<a>".repeat(MAX_DEPTH + 1) + &"</a>".repeat(MAX_DEPTH + 1);
        assert!(parse(&deep).is_err());
        let ok = "<a>".repeat(MAX_DEPTH) + &"</a>".repeat(MAX_DEPTH);
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn error_position() {
        let e = parse("<a>\n  <b></c>\n</a>").unwrap_err();
        assert_eq!((e.line, e.column), (2, 6));
        assert!(e.to_string().starts_with("2:6:"));
    }

    proptest! {
        #[test]
        fn never_panics(s in "[<>/a-c=\"' &;#x0-9!?\\[\\]\\-é\n]{0,60}") {
            let _ = parse(&s);
        }

        #[test]
        fn attribute_values_round_trip(v in any::<String>()) {
            // XML cannot carry NUL; everything else must survive
            prop_assume!(!v.contains('\0'));
            let mut w = Writer::new();
            w.empty("e", &[("v", v.clone())]);
            let root = parse(&w.finish()).unwrap();
            prop_assert_eq!(root.attr("v"), Some(v.as_str()));
        }

        #[test]
        fn mutated_documents_never_panic(cut in 0usize..200, byte in any::<u8>()) {
            let mut w = Writer::new();
            w.open("Root", &[("a", "x".into())]);
            w.empty("Leaf", &[("b", "y&z".into())]);
            w.close("Root");
            let mut doc = w.finish().into_bytes();
            let i = cut % doc.len();
            doc[i] = byte;
            if let Ok(s) = String::from_utf8(doc) {
                let _ = parse(&s);
            }
        }
    }
}
