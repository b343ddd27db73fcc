//! A minimal SVG writer with coordinates in tenths of a pixel (integers),
//! which keeps the box of every text label so that labels never overlap.

use std::fmt::Write as _;

/// An SVG document being written, with the box of every text label placed
/// so far (so that later labels can avoid them).
pub struct Svg {
    out: String,
    labels: Vec<LabelBox>,
    width: u64,
    height: u64,
}

/// Where a text label sits, in pixels: its text and the box it covers,
/// estimated from the font size (see [`text_width`]; ascent 0.8 em,
/// descent 0.25 em).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelBox {
    /// The text shown.
    pub text: String,
    /// Left edge.
    pub x0: i64,
    /// Top edge.
    pub y0: i64,
    /// Right edge.
    pub x1: i64,
    /// Bottom edge.
    pub y1: i64,
}

impl LabelBox {
    fn new(x: u64, y: u64, size: u32, anchor: &str, text: &str) -> LabelBox {
        let w = text_width(text, size);
        let x = x as i64;
        let (x0, x1) = match anchor {
            "middle" => (x - w / 2, x + w - w / 2),
            "end" => (x - w, x),
            _ => (x, x + w),
        };
        let size = i64::from(size);
        LabelBox {
            text: text.to_string(),
            x0,
            y0: y as i64 - size * 8 / 10,
            x1,
            y1: y as i64 + size / 4,
        }
    }

    /// Whether two boxes come closer than [`LABEL_GAP`] pixels side by
    /// side, or share any height while doing so.
    pub fn overlaps(&self, o: &LabelBox) -> bool {
        self.x0 < o.x1 + LABEL_GAP && o.x0 < self.x1 + LABEL_GAP && self.y0 < o.y1 && o.y0 < self.y1
    }
}

/// The least horizontal gap, in pixels, between two labels on one line.
pub const LABEL_GAP: i64 = 3;

/// The estimated width in pixels of `text` at `size`: 0.66 em a character,
/// a little more than DejaVu Sans' widest lowercase runs (`m`, `w`, `_`).
pub fn text_width(text: &str, size: u32) -> i64 {
    (text.chars().count() as i64 * i64::from(size) * 66 + 99) / 100
}

/// A rendered chart: the SVG text, its size in pixels, and the box of every
/// text label in it (for tests: no two overlap).
#[derive(Debug, Clone)]
pub struct Chart {
    /// The SVG document.
    pub svg: String,
    /// Width in pixels.
    pub width: u64,
    /// Height in pixels.
    pub height: u64,
    /// Every text label, in drawing order.
    pub labels: Vec<LabelBox>,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn px(tenths: u64) -> String {
    if tenths.is_multiple_of(10) {
        format!("{}", tenths / 10)
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

impl Default for Svg {
    fn default() -> Self {
        Self::new()
    }
}

impl Svg {
    /// An empty document.
    pub fn new() -> Svg {
        Svg {
            out: String::new(),
            labels: Vec::new(),
            width: 0,
            height: 0,
        }
    }

    /// Starts the document: a `viewBox` of the given size (so a viewer can
    /// zoom it without loss) on a white background.
    pub fn open(&mut self, width: u64, height: u64) {
        self.width = width;
        self.height = height;
        let _ = writeln!(
            self.out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif">"#
        );
        let _ = writeln!(
            self.out,
            r#"<rect x="0" y="0" width="{width}" height="{height}" fill="white"/>"#
        );
    }

    /// Ends the document.
    pub fn close(self) -> String {
        self.finish().svg
    }

    /// Ends the document, keeping the label boxes.
    pub fn finish(mut self) -> Chart {
        self.out.push_str("</svg>\n");
        Chart {
            svg: self.out,
            width: self.width,
            height: self.height,
            labels: self.labels,
        }
    }

    /// Places a label only if it overlaps no label placed so far and lies
    /// inside the picture; returns whether it was placed.
    pub fn try_text(&mut self, x: u64, y: u64, size: u32, anchor: &str, text: &str) -> bool {
        let b = LabelBox::new(x, y, size, anchor, text);
        if b.x0 < 0
            || b.x1 > self.width as i64
            || b.y0 < 0
            || b.y1 > self.height as i64
            || self.labels.iter().any(|l| l.overlaps(&b))
        {
            return false;
        }
        self.text(x, y, size, anchor, text);
        true
    }

    /// Places a label at the first of `ys` where it fits (else at the last).
    pub fn text_at_first_free(&mut self, x: u64, ys: &[u64], size: u32, anchor: &str, text: &str) {
        for &y in ys {
            if self.try_text(x, y, size, anchor, text) {
                return;
            }
        }
        if let Some(&y) = ys.last() {
            self.text(x, y, size, anchor, text);
        }
    }

    /// Places a label unconditionally.
    pub fn text(&mut self, x: u64, y: u64, size: u32, anchor: &str, text: &str) {
        self.labels.push(LabelBox::new(x, y, size, anchor, text));
        let _ = writeln!(
            self.out,
            r#"<text x="{x}" y="{y}" font-size="{size}" text-anchor="{anchor}">{}</text>"#,
            esc(text)
        );
    }

    /// A line, coordinates in tenths of a pixel.
    pub fn line_tenths(
        &mut self,
        x1: u64,
        y1: u64,
        x2: u64,
        y2: u64,
        colour: &str,
        width_tenths: u64,
    ) {
        let _ = writeln!(
            self.out,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{colour}" stroke-width="{}"/>"#,
            px(x1),
            px(y1),
            px(x2),
            px(y2),
            px(width_tenths.max(1))
        );
    }

    /// A filled bar with a tooltip (`<title>`) naming it and its interval.
    #[allow(clippy::too_many_arguments)]
    pub fn rect_tenths(
        &mut self,
        x: u64,
        y: u64,
        w: u64,
        h: u64,
        fill: &str,
        title: &str,
        from: String,
        to: String,
    ) {
        let _ = writeln!(
            self.out,
            r##"<rect x="{}" y="{}" width="{}" height="{}" fill="{fill}" stroke="#333" stroke-width="0.3"><title>{} [{from}, {to})</title></rect>"##,
            px(x),
            px(y),
            px(w),
            px(h),
            esc(title)
        );
    }

    /// A rectangle with a pattern of diagonal stripes (used for skipped jobs).
    pub fn hatched_tenths(&mut self, x: u64, y: u64, w: u64, h: u64, colour: &str, title: &str) {
        let _ = writeln!(
            self.out,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="white" stroke="{colour}" stroke-width="1" stroke-dasharray="3,2"><title>{}</title></rect>"#,
            px(x),
            px(y),
            px(w),
            px(h),
            esc(title)
        );
    }
}

impl Svg {
    /// A legend: a coloured square and a name per entry (`hatched` entries
    /// are drawn as a dashed outline), left to right from `(x, y)`, wrapping
    /// at the picture's width. Returns the y below the legend.
    pub fn legend(&mut self, x: u64, y: u64, entries: &[(String, String, bool)]) -> u64 {
        let mut cx = x;
        let mut cy = y;
        self.text(x, cy + 10, 11, "start", "legend:");
        cx += 56;
        for (name, colour, hatched) in entries {
            let w = 16 + text_width(name, 10) as u64 + 14;
            if cx + w > self.width.saturating_sub(10) && cx > x + 56 {
                cx = x + 56;
                cy += 16;
            }
            if *hatched {
                self.hatched_tenths(cx * 10, (cy + 1) * 10, 110, 110, colour, name);
            } else {
                let _ = writeln!(
                    self.out,
                    r##"<rect x="{cx}" y="{}" width="11" height="11" fill="{colour}" stroke="#333" stroke-width="0.3"/>"##,
                    cy + 1
                );
            }
            self.text(cx + 15, cy + 10, 10, "start", name);
            cx += w;
        }
        cy + 16
    }

    /// How many rows [`Svg::legend`] takes for these entries at this width.
    pub fn legend_rows(width: u64, x: u64, entries: &[(String, String, bool)]) -> u64 {
        let mut cx = x + 56;
        let mut rows = 1;
        for (name, _, _) in entries {
            let w = 16 + text_width(name, 10) as u64 + 14;
            if cx + w > width.saturating_sub(10) && cx > x + 56 {
                cx = x + 56;
                rows += 1;
            }
            cx += w;
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_that_would_overlap_are_not_placed() {
        let mut s = Svg::new();
        s.open(200, 100);
        assert!(s.try_text(10, 20, 10, "start", "hello"));
        assert!(!s.try_text(20, 22, 10, "start", "world"));
        assert!(s.try_text(20, 40, 10, "start", "world"));
        // clipped at the right edge
        assert!(!s.try_text(195, 60, 10, "start", "long label"));
        assert!(s.try_text(195, 60, 10, "end", "long label"));
        let c = s.finish();
        assert_eq!(c.labels.len(), 3);
        for (i, a) in c.labels.iter().enumerate() {
            for b in &c.labels[i + 1..] {
                assert!(!a.overlaps(b), "{a:?} {b:?}");
            }
        }
    }
}
