//! Print-ready PDF of a [`Doc`]: A4 pages with a running head and "第 N 页 共 M 页", or one
//! receipt-roll page as long as its content. Written in-process by krilla with the embedded
//! Noto Sans CJK SC (SIL OFL 1.1, `fonts/`), subset into each file: the text stays text, so
//! `pdftotext` and a screen reader give the Chinese back, on a PC with no Chinese font.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};

use crate::paper::{Block, Doc, Paper, Rule, is_numeric, wrap_by};
use yimen_domain::Lang;
use yimen_domain::text::escape_for_output;

/// Noto Sans CJK SC Regular, cut to a hall's characters (see `fonts/README.md`).
static FONT: &[u8] = include_bytes!("../fonts/NotoSansCJKsc-Regular-subset.otf");

/// Points per millimetre (1 pt = 1/72 inch).
const PT_PER_MM: f32 = 72.0 / 25.4;

/// Glyph advances of the embedded font, for laying text out as krilla will draw it.
struct Measure<'a> {
    charmap: skrifa::charmap::Charmap<'a>,
    glyphs: skrifa::metrics::GlyphMetrics<'a>,
    /// Ascent as a share of the em (the baseline's distance below a line's top).
    ascent: f32,
}

impl Measure<'_> {
    /// The width of `c` at `size` points.
    fn char(&self, c: char, size: f32) -> f32 {
        let gid = self.charmap.map(c).unwrap_or_default();
        self.glyphs.advance_width(gid).unwrap_or(1.0) * size
    }

    fn text(&self, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.char(c, size)).sum()
    }

    /// `s` as it can be printed: hidden characters made visible (`<U+202E>`), and a character
    /// the font cannot draw written as its code point (`〔U+2A6D6〕`), so nothing on the paper
    /// is silently dropped.
    fn printable(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for c in escape_for_output(s, false).chars() {
            if self.charmap.map(c).is_some() {
                out.push(c);
            } else {
                out.push_str(&format!("〔U+{:04X}〕", u32::from(c)));
            }
        }
        out
    }

    fn wrap(&self, s: &str, size: f32, limit: f32) -> Vec<String> {
        wrap_by(s, limit, |c| self.char(c, size))
    }

    /// The glyphs of `s`, one per character with the font's own advance (in ems): what the
    /// layout measured is what is drawn. No shaping is needed for Chinese and Latin set
    /// horizontally without ligatures, and none is done.
    fn glyphs(&self, s: &str) -> Vec<KrillaGlyph> {
        s.char_indices()
            .map(|(i, c)| {
                let gid = self.charmap.map(c).unwrap_or_default();
                KrillaGlyph {
                    glyph_id: GlyphId::new(gid.to_u32()),
                    text_range: i..i + c.len_utf8(),
                    x_advance: self.glyphs.advance_width(gid).unwrap_or(1.0),
                    x_offset: 0.0,
                    y_offset: 0.0,
                    y_advance: 0.0,
                    location: None,
                }
            })
            .collect()
    }
}

/// Sizes and margins in points.
struct Style {
    page_w: f32,
    /// A4's height; a roll's is set by its content.
    page_h: f32,
    margin_x: f32,
    margin_top: f32,
    margin_bottom: f32,
    body: f32,
    table: f32,
    title: f32,
    heading: f32,
    big: f32,
}

impl Style {
    fn of(paper: Paper) -> Style {
        let w = paper.width_mm() * PT_PER_MM;
        match paper {
            Paper::A4 => Style {
                page_w: w,
                page_h: 297.0 * PT_PER_MM,
                margin_x: 20.0 * PT_PER_MM,
                margin_top: 20.0 * PT_PER_MM,
                margin_bottom: 20.0 * PT_PER_MM,
                // 五号 (10.5 pt), the size of Chinese official papers' body text.
                body: 10.5,
                table: 9.5,
                title: 16.0,
                heading: 12.0,
                big: 48.0,
            },
            // The printable 72 mm of an 80 mm roll.
            Paper::Roll80 => Style {
                page_w: w,
                page_h: 0.0,
                margin_x: 4.0 * PT_PER_MM,
                margin_top: 3.0 * PT_PER_MM,
                margin_bottom: 6.0 * PT_PER_MM,
                body: 9.0,
                table: 8.0,
                title: 12.0,
                heading: 10.0,
                big: 40.0,
            },
            // The printable 48 mm of a 58 mm roll.
            Paper::Roll58 => Style {
                page_w: w,
                page_h: 0.0,
                margin_x: 5.0 * PT_PER_MM,
                margin_top: 3.0 * PT_PER_MM,
                margin_bottom: 6.0 * PT_PER_MM,
                body: 7.5,
                table: 7.0,
                title: 10.5,
                heading: 8.5,
                big: 30.0,
            },
        }
    }

    fn text_width(&self) -> f32 {
        self.page_w - 2.0 * self.margin_x
    }
}

/// What is drawn on a page: text at a baseline, or a horizontal line.
enum Op {
    Text { x: f32, y: f32, size: f32, text: String },
    HLine { x1: f32, x2: f32, y: f32, weight: f32 },
}

enum Align {
    Left(f32),
    Center,
    Right(f32),
}

/// Lays blocks out top to bottom, breaking A4 into pages (a table's header repeats on each).
struct Layout<'m> {
    m: &'m Measure<'m>,
    st: Style,
    roll: bool,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl<'m> Layout<'m> {
    fn new(m: &'m Measure<'m>, paper: Paper) -> Layout<'m> {
        let st = Style::of(paper);
        let y = st.margin_top;
        Layout { m, st, roll: paper.is_roll(), pages: vec![Vec::new()], y }
    }

    fn bottom(&self) -> f32 {
        if self.roll { f32::INFINITY } else { self.st.page_h - self.st.margin_bottom }
    }

    fn line_height(size: f32) -> f32 {
        size * 1.5
    }

    /// Starts a new page when `h` points do not fit on this one; true if it did.
    fn room(&mut self, h: f32) -> bool {
        if self.y + h > self.bottom() && self.y > self.st.margin_top + 0.5 {
            self.pages.push(Vec::new());
            self.y = self.st.margin_top;
            return true;
        }
        false
    }

    fn op(&mut self, op: Op) {
        if let Some(p) = self.pages.last_mut() {
            p.push(op);
        }
    }

    /// One line of text (already fitting) at the cursor, then the cursor moves down a line.
    fn line(&mut self, s: &str, size: f32, align: Align) {
        let lh = Self::line_height(size);
        self.room(lh);
        let w = self.m.text(s, size);
        let x = match align {
            Align::Left(indent) => self.st.margin_x + indent,
            Align::Center => (self.st.page_w - w) / 2.0,
            Align::Right(right) => right - w,
        };
        let baseline = self.y + (lh - size) / 2.0 + self.m.ascent * size;
        if !s.is_empty() {
            self.op(Op::Text { x, y: baseline, size, text: s.to_string() });
        }
        self.y += lh;
    }

    /// Text wrapped to the text width, each line placed by `align`; a left-aligned numbered
    /// line's continuation hangs under its text.
    fn paragraph(&mut self, s: &str, size: f32, centered: bool) {
        let s = self.m.printable(s);
        let width = self.st.text_width();
        let hang = if centered { 0.0 } else { self.m.text(crate::paper::hanging_prefix(&s), size).min(width / 2.0) };
        let lines = crate::paper::wrap_hanging_by(&s, width, width - hang, |c| self.m.char(c, size));
        for (i, l) in lines.iter().enumerate() {
            let align = if centered { Align::Center } else { Align::Left(if i > 0 { hang } else { 0.0 }) };
            self.line(l, size, align);
        }
    }

    fn rule(&mut self, r: Rule) {
        let lh = Self::line_height(self.st.body) * 0.6;
        self.room(lh);
        let y = self.y + lh / 2.0;
        let (x1, x2) = (self.st.margin_x, self.st.page_w - self.st.margin_x);
        self.op(Op::HLine { x1, x2, y, weight: if r == Rule::Heavy { 1.2 } else { 0.5 } });
        self.y += lh;
    }

    fn block(&mut self, b: &Block) {
        let st = &self.st;
        let (body, title, heading, big, table) = (st.body, st.title, st.heading, st.big, st.table);
        match b {
            Block::Title(s) => {
                self.paragraph(s, title, true);
                self.y += body * 0.3;
            }
            Block::Center(s) => self.paragraph(s, body, true),
            Block::Big(s) => self.paragraph(s, big, true),
            Block::Line(s) => self.paragraph(s, body, false),
            Block::Heading(s) => {
                self.y += body * 0.6;
                // A heading never ends a page alone: keep room for it and two lines more.
                self.room(Self::line_height(heading) + 2.0 * Self::line_height(table));
                self.paragraph(s, heading, false);
            }
            Block::Table { head, rows, empty } => {
                if rows.is_empty() {
                    let s = self.m.printable(empty);
                    self.line(&s, body, Align::Left(body));
                } else {
                    self.table(head, rows, table);
                }
            }
            Block::Rule(r) => self.rule(*r),
            Block::Gap => self.y += Self::line_height(body) * 0.6,
            Block::Signature(s) => {
                // Room to sign above the line.
                self.room(Self::line_height(body) * 3.0);
                self.y += Self::line_height(body) * 1.5;
                self.paragraph(s, body, false);
            }
        }
    }

    /// Column widths for a table: each column's widest cell, the widest columns giving way
    /// (their cells wrap) until the table fits the text width.
    fn columns(&self, cells: &[Vec<String>], cols: usize, size: f32, gap: f32, avail: f32) -> Vec<f32> {
        let mut w: Vec<f32> = (0..cols)
            .map(|i| cells.iter().filter_map(|r| r.get(i)).map(|c| self.m.text(c, size)).fold(0.0f32, f32::max) + gap)
            .collect();
        for _ in 0..64 {
            let sum: f32 = w.iter().sum();
            if sum <= avail {
                break;
            }
            let mut order: Vec<usize> = (0..cols).collect();
            order.sort_by(|a, b| w[*b].total_cmp(&w[*a]));
            let widest = order[0];
            let second = order.get(1).map(|i| w[*i]).unwrap_or(0.0);
            let floor = second.max(size * 3.0 + gap);
            let shrunk = (w[widest] - (sum - avail)).max(floor);
            if shrunk >= w[widest] - 0.01 {
                // Every column as wide as the next: shrink all in proportion.
                let k = avail / sum;
                w.iter_mut().for_each(|x| *x *= k);
                break;
            }
            w[widest] = shrunk;
        }
        w
    }

    fn table(&mut self, head: &[String], rows: &[Vec<String>], size: f32) {
        let clean = |r: &[String]| r.iter().map(|c| self.m.printable(c)).collect::<Vec<_>>();
        let head = clean(head);
        let rows: Vec<Vec<String>> = rows.iter().map(|r| clean(r)).collect();
        let cols = head.len();
        let gap = size * 1.2;
        let indent = size;
        let avail = self.st.text_width() - indent;
        let mut all = vec![head.clone()];
        all.extend(rows.iter().cloned());
        let widths = self.columns(&all, cols, size, gap, avail);
        let lh = Self::line_height(size);
        let x0 = self.st.margin_x + indent;
        let total: f32 = widths.iter().sum::<f32>() - gap;
        let draw_row = |me: &mut Layout<'_>, row: &[String], header: bool| {
            let wrapped: Vec<Vec<String>> = (0..cols)
                .map(|i| {
                    let c = row.get(i).map(String::as_str).unwrap_or("");
                    me.m.wrap(c, size, (widths[i] - gap).max(size))
                })
                .collect();
            let n = wrapped.iter().map(Vec::len).max().unwrap_or(1);
            let top = me.y;
            let mut x = x0;
            for (i, lines) in wrapped.iter().enumerate() {
                let cell = row.get(i).map(String::as_str).unwrap_or("");
                let right = !header && i > 0 && is_numeric(cell);
                for (k, l) in lines.iter().enumerate() {
                    me.y = top + k as f32 * lh;
                    let align = if right { Align::Right(x + widths[i] - gap) } else { Align::Left(x - me.st.margin_x) };
                    me.line(l, size, align);
                }
                x += widths[i];
            }
            me.y = top + n as f32 * lh;
            if header {
                me.op(Op::HLine { x1: x0, x2: x0 + total, y: me.y, weight: 0.5 });
                me.y += size * 0.3;
            }
            n as f32 * lh
        };
        let header_h = lh * 1.2;
        self.room(header_h + lh);
        draw_row(self, &head, true);
        for r in &rows {
            let n = (0..cols)
                .map(|i| {
                    self.m.wrap(r.get(i).map(String::as_str).unwrap_or(""), size, (widths[i] - gap).max(size)).len()
                })
                .max()
                .unwrap_or(1);
            if self.room(n as f32 * lh) {
                draw_row(self, &head, true);
            }
            draw_row(self, r, false);
        }
    }
}

/// The document as PDF bytes.
///
/// # Errors
/// The PDF writer's, as one line (it has none for what yimen draws; kept as an error rather
/// than a panic).
pub fn pdf(doc: &Doc) -> Result<Vec<u8>, String> {
    let font_ref = skrifa::FontRef::new(FONT).map_err(|e| format!("font: {e}"))?;
    let metrics = font_ref.metrics(Size::unscaled(), LocationRef::default());
    let upem = f32::from(metrics.units_per_em.max(1));
    let m = Measure {
        charmap: font_ref.charmap(),
        glyphs: font_ref.glyph_metrics(Size::new(1.0), LocationRef::default()),
        ascent: metrics.ascent / upem,
    };
    let mut lay = Layout::new(&m, doc.paper);
    for b in &doc.body {
        lay.block(b);
    }
    // The closing (signature, audit anchor) stays together: measure it on an endless page.
    let mut probe = Layout::new(&m, doc.paper);
    probe.roll = true;
    for b in &doc.closing {
        probe.block(b);
    }
    let closing_h = probe.y - probe.st.margin_top;
    if !doc.closing.is_empty() {
        lay.room(closing_h);
    }
    for b in &doc.closing {
        lay.block(b);
    }
    let page_h = if doc.paper.is_roll() { lay.y + lay.st.margin_bottom } else { lay.st.page_h };
    let font = Font::new(krilla::Data::from(FONT), 0).ok_or("the embedded font could not be read")?;
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new().title(doc.title.clone()).creator("yimen".into()).language(doc.lang.pick("zh-CN", "en").into()),
    );
    let count = lay.pages.len();
    let running = doc.running_head.as_deref().map(|h| m.printable(h));
    for (n, ops) in lay.pages.iter().enumerate() {
        let settings = PageSettings::from_wh(lay.st.page_w, page_h).ok_or("bad page size")?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        let draw = |surface: &mut krilla::surface::Surface<'_>, x: f32, y: f32, size: f32, s: &str| {
            surface.draw_glyphs(Point::from_xy(x, y), &m.glyphs(s), font.clone(), s, size, false);
        };
        for op in ops {
            match op {
                Op::Text { x, y, size, text } => draw(&mut surface, *x, *y, *size, text),
                Op::HLine { x1, x2, y, weight } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(*x1, *y);
                    pb.line_to(*x2, *y);
                    if let Some(path) = pb.finish() {
                        surface.set_stroke(Some(Stroke {
                            paint: rgb::Color::black().into(),
                            width: *weight,
                            ..Default::default()
                        }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                    }
                }
            }
        }
        if let Some(head) = &running {
            let small = lay.st.table;
            let x = lay.st.margin_x;
            if n > 0 {
                let y = lay.st.margin_top - small * 1.2;
                let head = m.wrap(head, small, lay.st.text_width()).into_iter().next().unwrap_or_default();
                draw(&mut surface, x, y, small, &head);
            }
            let label = match doc.lang {
                Lang::Zh => format!("第 {} 页 共 {count} 页", n + 1),
                Lang::En => format!("Page {} of {count}", n + 1),
            };
            let w = m.text(&label, small);
            draw(&mut surface, (lay.st.page_w - w) / 2.0, page_h - lay.st.margin_bottom / 2.0, small, &label);
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| format!("PDF: {e:?}"))
}
