//! A minimal SVG writer with coordinates in tenths of a pixel (integers).

use std::fmt::Write as _;

pub struct Svg {
    out: String,
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
    pub fn new() -> Svg {
        Svg { out: String::new() }
    }

    pub fn open(&mut self, width: u64, height: u64) {
        let _ = writeln!(
            self.out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif">"#
        );
        let _ = writeln!(
            self.out,
            r#"<rect x="0" y="0" width="{width}" height="{height}" fill="white"/>"#
        );
    }

    pub fn close(mut self) -> String {
        self.out.push_str("</svg>\n");
        self.out
    }

    pub fn text(&mut self, x: u64, y: u64, size: u32, anchor: &str, text: &str) {
        let _ = writeln!(
            self.out,
            r#"<text x="{x}" y="{y}" font-size="{size}" text-anchor="{anchor}">{}</text>"#,
            esc(text)
        );
    }

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
