//! Validation of free text typed by a clerk: names, villages, notes, reasons.
//!
//! Every text field refuses control characters, bidirectional overrides and zero-width
//! characters, because they can hide or reorder what a supervisor later reads and signs.

use super::lang::{Lang, Localized};

/// Longest note or reason, in characters.
pub const NOTE_MAX_CHARS: usize = 2000;
/// Longest name, in characters.
pub const NAME_MAX_CHARS: usize = 30;
/// Longest short field (village, department, window, material), in characters.
pub const SHORT_MAX_CHARS: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("{field} is empty")]
    Empty { field: Field },
    #[error("{field} is too long: {len} characters, at most {max}")]
    TooLong { field: Field, len: usize, max: usize },
    #[error("{field} contains a hidden or control character ({code}) at position {pos}")]
    Forbidden { field: Field, code: String, pos: usize },
    #[error("{field} may contain only letters, spaces and the middle dot ·, not '{ch}'")]
    NotAName { field: Field, ch: char },
    /// The middle dot at the start or the end of a name, or two in a row: it separates parts
    /// of a name (阿依古丽·买买提).
    #[error("in {field}, the middle dot · goes only between two parts of the name")]
    DotPlacement { field: Field },
}

/// The text fields of the product, named so an error can say which one is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    ProxyName,
    Village,
    Note,
    Reason,
    Department,
    Window,
    Material,
    Clerk,
    Comment,
    Hall,
    /// The name of a category or an item in the catalog.
    CatalogName,
    Relation,
    /// The name of a kiosk or a pad (`yimen device pair --name`).
    Device,
}

impl Field {
    pub fn label(self, lang: Lang) -> &'static str {
        use Field::*;
        match (self, lang) {
            (Name, Lang::Zh) => "姓名",
            (Name, Lang::En) => "name",
            (ProxyName, Lang::Zh) => "代办人姓名",
            (ProxyName, Lang::En) => "proxy name",
            (Village, Lang::Zh) => "村（社区）",
            (Village, Lang::En) => "village",
            (Note, Lang::Zh) => "备注",
            (Note, Lang::En) => "note",
            (Reason, Lang::Zh) => "原因",
            (Reason, Lang::En) => "reason",
            (Department, Lang::Zh) => "转办部门",
            (Department, Lang::En) => "department",
            (Window, Lang::Zh) => "窗口",
            (Window, Lang::En) => "window",
            (Material, Lang::Zh) => "材料名称",
            (Material, Lang::En) => "material",
            (Clerk, Lang::Zh) => "工作人员",
            (Clerk, Lang::En) => "clerk",
            (Comment, Lang::Zh) => "评价意见",
            (Comment, Lang::En) => "comment",
            (Hall, Lang::Zh) => "大厅名称",
            (Hall, Lang::En) => "hall name",
            (CatalogName, Lang::Zh) => "事项或类别名称",
            (CatalogName, Lang::En) => "item or category name",
            (Relation, Lang::Zh) => "与申请人关系",
            (Relation, Lang::En) => "relation",
            (Device, Lang::Zh) => "设备名称",
            (Device, Lang::En) => "device name",
        }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label(Lang::En))
    }
}

impl Localized for TextError {
    fn localized(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => {
                let s = self.to_string();
                let mut c = s.chars();
                c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or(s)
            }
            (TextError::Empty { field }, Lang::Zh) => format!("{}不能为空", field.label(lang)),
            (TextError::DotPlacement { field }, Lang::Zh) => {
                format!("{}中的间隔号「·」只能用在两段名字之间（如 阿依古丽·买买提）", field.label(lang))
            }
            (TextError::TooLong { field, len, max }, Lang::Zh) => {
                format!("{}太长：{len} 个字，最多 {max} 个字", field.label(lang))
            }
            (TextError::Forbidden { field, code, pos }, Lang::Zh) => {
                format!("{}第 {pos} 个字符是不可见字符或控制字符（{code}），请删除后重新输入", field.label(lang))
            }
            (TextError::NotAName { field, ch }, Lang::Zh) => {
                format!("{}只能包含文字、空格和间隔号「·」，不能包含「{ch}」", field.label(lang))
            }
        }
    }
}

/// True for characters that must never be stored, decided by Unicode properties (UAX #44,
/// through ICU4X's tables) rather than a hand list: controls (Cc, except a newline where
/// allowed), format characters (Cf: bidi overrides, zero-width joiners, soft hyphen, tags),
/// line and paragraph separators (Zl, Zp), surrogates, private-use and unassigned code points,
/// every Default_Ignorable_Code_Point (Hangul fillers U+3164/U+115F, variation selectors …),
/// and spaces other than the plain and the ideographic space (U+00A0 and its kin look like a
/// space but compare differently). They can hide or reorder what a supervisor later reads
/// and signs (Unicode Technical Standard #39, section 3.1).
pub fn is_forbidden(c: char, allow_newline: bool) -> bool {
    use icu_properties::props::{DefaultIgnorableCodePoint, GeneralCategory};
    use icu_properties::{CodePointMapData, CodePointSetData};
    if c == '\n' {
        return !allow_newline;
    }
    if c == ' ' || c == '\u{3000}' {
        return false;
    }
    let category = CodePointMapData::<GeneralCategory>::new().get(c);
    matches!(
        category,
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
            | GeneralCategory::SpaceSeparator
            | GeneralCategory::Surrogate
            | GeneralCategory::PrivateUse
            | GeneralCategory::Unassigned
    ) || CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
        // The one blank glyph no property marks (So): BRAILLE PATTERN BLANK renders as nothing.
        || c == '\u{2800}'
}

/// A letter by General_Category (Lu, Ll, Lt, Lm, Lo): what a name may start with. Not Rust's
/// `is_alphabetic`, which also counts many combining marks (Other_Alphabetic: U+0E31, U+0345 …).
pub fn is_letter(c: char) -> bool {
    use icu_properties::CodePointMapData;
    use icu_properties::props::{GeneralCategory, GeneralCategoryGroup};
    GeneralCategoryGroup::Letter.contains(CodePointMapData::<GeneralCategory>::new().get(c))
}

/// A combining mark (Mn, Mc, Me): allowed in names after a letter (e.g. é written as e + ◌́).
fn is_combining_mark(c: char) -> bool {
    use icu_properties::CodePointMapData;
    use icu_properties::props::GeneralCategory;
    matches!(
        CodePointMapData::<GeneralCategory>::new().get(c),
        GeneralCategory::NonspacingMark | GeneralCategory::SpacingMark | GeneralCategory::EnclosingMark
    )
}

/// Describes a character for an error message, e.g. `U+202E`.
fn code_of(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

fn check_chars(field: Field, s: &str, allow_newline: bool) -> Result<(), TextError> {
    for (i, c) in s.chars().enumerate() {
        if is_forbidden(c, allow_newline) {
            return Err(TextError::Forbidden { field, code: code_of(c), pos: i + 1 });
        }
    }
    Ok(())
}

fn check_len(field: Field, s: &str, max: usize) -> Result<(), TextError> {
    let len = s.chars().count();
    if len == 0 {
        return Err(TextError::Empty { field });
    }
    if len > max {
        return Err(TextError::TooLong { field, len, max });
    }
    Ok(())
}

/// A one-line field: trimmed, no hidden characters, 1..=max characters.
pub fn short_text(field: Field, s: &str, max: usize) -> Result<String, TextError> {
    check_chars(field, s, false)?;
    let t = s.trim();
    check_len(field, t, max)?;
    Ok(t.to_string())
}

/// A multi-line note: CRLF normalised to LF, trimmed, no hidden characters, capped.
pub fn note(field: Field, s: &str) -> Result<String, TextError> {
    let s = s.replace("\r\n", "\n");
    check_chars(field, &s, true)?;
    let t = s.trim();
    check_len(field, t, NOTE_MAX_CHARS)?;
    Ok(t.to_string())
}

/// A person's name: letters (any script, including characters outside the BMP such as 𠈌),
/// combining marks, single spaces and the middle dot. Look-alike dots are normalised to U+00B7.
pub fn person_name(field: Field, s: &str) -> Result<String, TextError> {
    check_chars(field, s, false)?;
    let normalised: String = s
        .trim()
        .chars()
        .map(|c| match c {
            '\u{2022}' | '\u{30FB}' | '\u{FF65}' | '\u{2027}' | '\u{2219}' | '\u{22C5}' => '·',
            c => c,
        })
        .collect();
    let collapsed = normalised.split_whitespace().collect::<Vec<_>>().join(" ");
    check_len(field, &collapsed, NAME_MAX_CHARS)?;
    // The dot separates parts: never first, last, or doubled (a dangling dot would also
    // leave a whole part unmasked wherever the name is masked).
    let parts: Vec<&str> = collapsed.split('·').collect();
    if parts.len() > 1 && parts.iter().any(|p| p.trim().is_empty()) {
        return Err(TextError::DotPlacement { field });
    }
    // A name starts with a letter: a lone combining mark or a dot would look blank or odd.
    if let Some(first) = collapsed.chars().next().filter(|c| !is_letter(*c)) {
        return Err(TextError::NotAName { field, ch: first });
    }
    for c in collapsed.chars() {
        let ok = c.is_alphabetic() || c == '·' || c == ' ' || is_combining_mark(c);
        if !ok {
            return Err(TextError::NotAName { field, ch: c });
        }
    }
    Ok(collapsed)
}

/// What a citizen typed on a touch keyboard (the pad's comment), made storable as the house
/// rules store text: every kind of space and line break becomes a plain space or a newline,
/// and invisible characters (emoji variation selectors and joiners, soft hyphens, bidi
/// controls) are dropped instead of refusing the whole comment. What is left is checked by
/// [`note`].
pub fn tidy_typed(s: &str) -> String {
    s.replace("\r\n", "\n")
        .chars()
        .filter_map(|c| match c {
            '\n' => Some('\n'),
            c if c.is_whitespace() => Some(' '),
            c if is_forbidden(c, true) => None,
            c => Some(c),
        })
        .collect()
}

/// Replaces hidden and control characters in already-stored text before it is written anywhere
/// that does not filter them (stdout, files): `\u{202E}` becomes the visible `<U+202E>`.
pub fn escape_for_output(s: &str, allow_newline: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_forbidden(c, allow_newline) {
            out.push_str(&format!("<{}>", code_of(c)));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_every_script() {
        assert_eq!(person_name(Field::Name, " 张三 ").unwrap(), "张三");
        assert_eq!(person_name(Field::Name, "阿依古丽•买买提").unwrap(), "阿依古丽·买买提");
        assert_eq!(person_name(Field::Name, "𠈌").unwrap(), "𠈌");
        for dangling in ["张三丰·", "张三丰・", "阿依古丽··买买提", "阿依古丽· ·买买提"] {
            assert_eq!(person_name(Field::Name, dangling), Err(TextError::DotPlacement { field: Field::Name }));
        }
        assert_eq!(
            person_name(Field::Name, "·张三").map_err(|e| e.localized(Lang::Zh)),
            Err("姓名中的间隔号「·」只能用在两段名字之间（如 阿依古丽·买买提）".into())
        );
        assert_eq!(tidy_typed("太慢了❤\u{FE0F}\u{00A0}👨\u{200D}👩\t好\u{202E}"), "太慢了❤ 👨👩 好");
        assert_eq!(person_name(Field::Name, "John  Smith").unwrap(), "John Smith");
        assert!(matches!(person_name(Field::Name, ""), Err(TextError::Empty { .. })));
        assert!(matches!(person_name(Field::Name, "张3"), Err(TextError::NotAName { ch: '3', .. })));
        let long = "张".repeat(31);
        assert!(matches!(person_name(Field::Name, &long), Err(TextError::TooLong { len: 31, .. })));
        assert!(person_name(Field::Name, &"张".repeat(30)).is_ok());
    }

    #[test]
    fn hidden_characters_are_refused_everywhere() {
        for bad in ["张\u{202E}三", "张\u{200B}三", "张\u{0007}三", "张\u{2066}三", "\u{FEFF}张三"] {
            assert!(matches!(person_name(Field::Name, bad), Err(TextError::Forbidden { .. })), "{bad:?}");
            assert!(matches!(note(Field::Note, bad), Err(TextError::Forbidden { .. })), "{bad:?}");
            assert!(matches!(short_text(Field::Village, bad, 40), Err(TextError::Forbidden { .. })));
        }
        assert_eq!(note(Field::Note, "第一行\r\n第二行").unwrap(), "第一行\n第二行");
        assert!(short_text(Field::Village, "一\n二", 40).is_err());
        assert!(note(Field::Note, &"字".repeat(NOTE_MAX_CHARS)).is_ok());
        assert!(note(Field::Note, &"字".repeat(NOTE_MAX_CHARS + 1)).is_err());
    }

    #[test]
    fn invisible_characters_found_by_a_hostile_user_are_refused_in_every_field() {
        // Separators, fillers, no-break spaces, tags and the soft hyphen (issue findings).
        let bad = [
            '\u{2028}',
            '\u{2029}',
            '\u{3164}',
            '\u{00A0}',
            '\u{E0041}',
            '\u{00AD}',
            '\u{115F}',
            '\u{FE0F}',
            '\u{2800}',
        ];
        for c in bad {
            let s = format!("张{c}三");
            assert!(matches!(person_name(Field::Name, &s), Err(TextError::Forbidden { .. })), "{c:?} in a name");
            assert!(matches!(note(Field::Note, &s), Err(TextError::Forbidden { .. })), "{c:?} in a note");
            assert!(matches!(short_text(Field::Hall, &s, 40), Err(TextError::Forbidden { .. })), "{c:?}");
            assert!(escape_for_output(&s, false).contains("<U+"), "{c:?} is made visible on output");
        }
        // What a hall really writes passes: CJK (also outside the BMP), the ideographic space,
        // full-width punctuation, accents, emoji without selectors.
        for good in ["阿依古丽·买买提", "𠈌", "José", "材料：身份证（复印件）、户口本", "张三\u{3000}李四", "好评👍"]
        {
            assert!(note(Field::Note, good).is_ok(), "{good}");
        }
        assert!(person_name(Field::Name, "Jose\u{301}").is_ok(), "a combining accent in a name");
        for mark in ["\u{301}", "\u{E31}", "\u{345}", "\u{5B0}", "\u{93F}", "\u{F71}"] {
            assert!(matches!(person_name(Field::Name, mark), Err(TextError::NotAName { .. })), "a lone mark {mark:?}");
        }
        assert!(matches!(
            person_name(Field::Clerk, "·"),
            Err(TextError::NotAName { .. } | TextError::DotPlacement { .. })
        ));
    }

    #[test]
    fn output_escaping_makes_hidden_characters_visible() {
        assert_eq!(escape_for_output("a\u{202E}b\u{1b}c", false), "a<U+202E>b<U+001B>c");
        assert_eq!(escape_for_output("a\nb", true), "a\nb");
    }
}
