//! One layout per document. Every paper yimen gives out — the daily and range reports, the
//! slips handed to the citizen, the queue ticket — is built once as a [`Doc`]: a list of
//! [`Block`]s in reading order. The plain-text rendering ([`text`], for a receipt printer or a
//! file) and the PDF rendering ([`crate::pdf`]) both walk the same blocks, so the two can never
//! say different things.

use crate::{fit, pad, width};
use yimen_domain::text::escape_for_output;

/// The paper a document is laid out for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    /// ISO 216 A4, 210 × 297 mm: reports and the notices a hall signs and stamps.
    A4,
    /// An 80 mm receipt roll (72 mm printable), cut to the content's length.
    Roll80,
    /// A 58 mm receipt roll (48 mm printable), cut to the content's length.
    Roll58,
}

impl Paper {
    /// The name used on the command line (`--paper`): `a4`, `80mm`, `58mm`.
    pub fn code(self) -> &'static str {
        match self {
            Paper::A4 => "a4",
            Paper::Roll80 => "80mm",
            Paper::Roll58 => "58mm",
        }
    }

    /// The paper's width in millimetres.
    pub fn width_mm(self) -> f32 {
        match self {
            Paper::A4 => 210.0,
            Paper::Roll80 => 80.0,
            Paper::Roll58 => 58.0,
        }
    }

    /// A roll is one page as long as its content; A4 breaks into pages.
    pub fn is_roll(self) -> bool {
        self != Paper::A4
    }

    /// Terminal cells per line in the plain-text rendering (a Chinese character counts two):
    /// 80 for A4 (the report page), 40 for the 80 mm roll (its 12×24 font fits 48; 40 leaves a
    /// margin), 32 for the 58 mm roll.
    pub fn text_cells(self) -> usize {
        match self {
            Paper::A4 => 80,
            Paper::Roll80 => 40,
            Paper::Roll58 => 32,
        }
    }
}

/// How heavy a horizontal rule is: `-` or `=` in text, a thin or a thicker line in PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Light,
    Heavy,
}

/// One piece of a document, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The document's title: centred; large in PDF.
    Title(String),
    /// A centred line (the hall's name above a title).
    Center(String),
    /// Very large centred text: the queue number on a ticket.
    Big(String),
    /// A line of text; wrapped where the paper is too narrow, never cut.
    Line(String),
    /// A section's heading, after a blank line.
    Heading(String),
    /// A table with a header row; `empty` is shown instead when it has no rows. Numeric
    /// cells (digits, `.`, `-`, `%`) after the first column are right-aligned.
    Table { head: Vec<String>, rows: Vec<Vec<String>>, empty: String },
    /// A horizontal rule across the text width.
    Rule(Rule),
    /// An empty line.
    Gap,
    /// A line to sign on (`大厅负责人（签字）：____`); in PDF given room to write above it.
    Signature(String),
}

/// A document: its paper, the blocks of its body, and the closing blocks (the signature block
/// and the audit anchor of a report) that a PDF keeps together on the last page.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub paper: Paper,
    /// The PDF's title (document properties) and the file's subject.
    pub title: String,
    /// Printed at the top of every PDF page but the first, with "第 N 页 共 M 页" at the
    /// bottom of every page; `None` for a one-page slip.
    pub running_head: Option<String>,
    pub body: Vec<Block>,
    pub closing: Vec<Block>,
    /// The language of the text: the PDF's `/Lang` and its page numbers' wording.
    pub lang: yimen_domain::Lang,
}

impl Doc {
    /// Every block, the body then the closing.
    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.body.iter().chain(self.closing.iter())
    }
}

/// Whether a table cell is a figure (right-aligned): digits with `.`, `-` or `%`.
pub fn is_numeric(cell: &str) -> bool {
    !cell.is_empty() && cell.chars().all(|c| c.is_ascii_digit() || ".-%".contains(c))
}

/// Splits `s` into lines of at most `w` terminal cells, breaking between any two Chinese
/// characters and at spaces between Latin words (a word longer than a line is split).
pub fn wrap_cells(s: &str, w: usize) -> Vec<String> {
    wrap_by(s, w as f32, |c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) as f32)
}

/// Splits `s` into lines no wider than `limit`, measuring each character with `measure`: the
/// one line-breaking rule behind the text and the PDF renderings.
pub fn wrap_by(s: &str, limit: f32, measure: impl Fn(char) -> f32) -> Vec<String> {
    wrap_hanging_by(s, limit, limit, measure)
}

/// The prefix continuation lines hang under: the leading spaces and a list number (`  2. `).
pub fn hanging_prefix(s: &str) -> &str {
    let spaces = s.len() - s.trim_start_matches(' ').len();
    let rest = &s[spaces..];
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits > 0 && rest[digits..].starts_with(". ") { &s[..spaces + digits + 2] } else { &s[..spaces] }
}

/// Like [`wrap_by`], the first line at most `first` wide and the others at most `rest` (a
/// hanging indent takes the difference).
pub fn wrap_hanging_by(s: &str, first: f32, rest: f32, measure: impl Fn(char) -> f32) -> Vec<String> {
    let mut limit = first;
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0.0f32;
    for c in s.chars() {
        let cw = measure(c);
        // Closing punctuation never starts a line (the Chinese line-breaking rule, GB/T
        // 15834): it hangs at the end of the line instead.
        if used + cw > limit + 0.01 && !line.is_empty() && !NO_LINE_START.contains(c) {
            // A code point written for a character the font lacks (`〔U+2A6A5〕`) is never cut.
            let open_code = line.rfind('〔').filter(|i| !line[*i..].contains('〕') && *i > 0);
            // Break at the last space when the character continues a Latin word.
            let carry = match line.rfind(' ') {
                _ if open_code.is_some() => {
                    let i = open_code.unwrap_or_default();
                    let rest = line[i..].to_string();
                    line.truncate(i);
                    rest
                }
                Some(i) if !is_wide(c) && c != ' ' && !line.ends_with(' ') && i > 0 => {
                    let rest = line[i + 1..].to_string();
                    line.truncate(i);
                    rest
                }
                _ => String::new(),
            };
            lines.push(line.trim_end().to_string());
            limit = rest;
            line = carry;
            used = line.chars().map(&measure).sum();
            if c == ' ' && line.is_empty() {
                continue;
            }
        }
        line.push(c);
        used += cw;
    }
    lines.push(line.trim_end().to_string());
    lines
}

/// Punctuation that may not begin a line.
const NO_LINE_START: &str = "，。、；：？！）》」』】〕…—,.;:?!)]%";

fn is_wide(c: char) -> bool {
    unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) > 1
}

/// Every cell once more, whatever it quotes: a stored control character never reaches paper.
fn clean(s: &str) -> String {
    escape_for_output(s, false)
}

/// Lays a table out in at most `page` cells: every cell measured in display width; the widest
/// column gives way (its cells cut with "..") when the page is too narrow.
fn text_table(head: &[String], rows: &[Vec<String>], page: usize) -> String {
    let mut cells: Vec<Vec<String>> = vec![head.iter().map(|c| clean(c)).collect()];
    cells.extend(rows.iter().map(|r| r.iter().map(|c| clean(c)).collect()));
    let cols = head.len();
    let mut widths: Vec<usize> =
        (0..cols).map(|i| cells.iter().filter_map(|r| r.get(i)).map(|c| width(c)).max().unwrap_or(0)).collect();
    let total = |w: &[usize]| w.iter().sum::<usize>() + 2 * w.len().saturating_sub(1) + 2;
    while total(&widths) > page {
        let Some((i, _)) = widths.iter().enumerate().max_by_key(|(_, w)| **w) else { break };
        if widths[i] <= 6 {
            break;
        }
        widths[i] -= 1;
    }
    let mut out = String::new();
    for (n, r) in cells.iter().enumerate() {
        let mut line = String::from("  ");
        for (i, w) in widths.iter().enumerate() {
            let cell = r.get(i).map(String::as_str).unwrap_or("");
            let shown = fit(cell, *w);
            if n > 0 && i > 0 && is_numeric(cell) {
                line.push_str(&format!("{}{shown}", " ".repeat(w - width(&shown))));
            } else {
                line.push_str(&pad(&shown, *w));
            }
            if i + 1 < widths.len() {
                line.push_str("  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
        if n == 0 {
            out.push_str(&format!("  {}\n", "-".repeat(total(&widths) - 2)));
        }
    }
    out
}

/// The document as plain text, `cells` terminal cells wide (see [`Paper::text_cells`]), each
/// line ending in a newline. Long lines wrap; only table cells are cut (with "..").
pub fn text(doc: &Doc, cells: usize) -> String {
    let mut out = String::new();
    let center = |s: &str, out: &mut String| {
        for l in wrap_cells(&clean(s), cells) {
            out.push_str(&format!("{}{l}\n", " ".repeat(cells.saturating_sub(width(&l)) / 2)));
        }
    };
    for b in doc.blocks() {
        match b {
            Block::Title(s) | Block::Center(s) | Block::Big(s) => center(s, &mut out),
            Block::Line(s) | Block::Signature(s) => {
                let s = clean(s);
                let hang = width(hanging_prefix(&s)).min(cells / 2);
                let cell = |c: char| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) as f32;
                for (i, l) in wrap_hanging_by(&s, cells as f32, (cells - hang) as f32, cell).iter().enumerate() {
                    if i > 0 {
                        out.push_str(&" ".repeat(hang));
                    }
                    out.push_str(l);
                    out.push('\n');
                }
            }
            Block::Heading(s) => {
                out.push('\n');
                out.push_str(&clean(s));
                out.push('\n');
            }
            Block::Table { head, rows, empty } => {
                if rows.is_empty() {
                    out.push_str(&format!("  {}\n", clean(empty)));
                } else {
                    out.push_str(&text_table(head, rows, cells));
                }
            }
            Block::Rule(r) => {
                out.push_str(&(if *r == Rule::Heavy { "=" } else { "-" }).repeat(cells));
                out.push('\n');
            }
            Block::Gap => out.push('\n'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_breaks_between_chinese_characters_and_at_latin_spaces() {
        assert_eq!(
            wrap_cells("容缺材料：户口簿，请于 2026-12-03 前补交", 20),
            ["容缺材料：户口簿，请", "于 2026-12-03 前补交"]
        );
        assert_eq!(
            wrap_cells("the case ends if it is not brought", 12),
            ["the case", "ends if it", "is not", "brought"]
        );
        assert_eq!(wrap_cells("430822194706061658", 10), ["4308221947", "06061658"]);
        assert_eq!(wrap_cells("", 10), [""]);
        assert_eq!(
            wrap_cells("过号请到窗口咨询。", 16),
            ["过号请到窗口咨询。"],
            "a full stop hangs, never starts a line"
        );
        assert_eq!(
            wrap_cells("申请人：王〔U+2A6A5〕龘", 16),
            ["申请人：王", "〔U+2A6A5〕龘"],
            "a code point stays whole"
        );
        assert_eq!(hanging_prefix("  12. 户口簿"), "  12. ");
        assert_eq!(hanging_prefix("  2026 年"), "  ");
        assert_eq!(hanging_prefix("号码：A012"), "");
    }

    #[test]
    fn a_numbered_line_wraps_under_its_text() {
        let doc = Doc {
            paper: Paper::Roll58,
            title: String::new(),
            running_head: None,
            body: vec![Block::Line("  1. 家庭收入及财产状况声明和授权核查书".into())],
            closing: vec![],
            lang: yimen_domain::Lang::Zh,
        };
        assert_eq!(text(&doc, 20), "  1. 家庭收入及财产\n     状况声明和授权\n     核查书\n");
    }
}
