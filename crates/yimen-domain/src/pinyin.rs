//! Pinyin initials of Chinese text, for searching 青龙村 by `qlc` and 张三 by `zs`.
//! Polyphonic characters give several spellings; all are kept (up to a small limit).

use std::sync::OnceLock;

use ib_pinyin::pinyin::{PinyinData, PinyinNotation};

const MAX_SPELLINGS: usize = 8;

fn data() -> &'static PinyinData {
    static DATA: OnceLock<PinyinData> = OnceLock::new();
    DATA.get_or_init(|| PinyinData::new(PinyinNotation::Ascii))
}

/// Every spelling of the text's initials, lower-case ASCII; characters that are already ASCII
/// letters or digits are kept as they are, others without a reading are skipped.
/// Returns an empty list for text with no Chinese characters.
pub fn initials(text: &str) -> Vec<String> {
    let mut spellings = vec![String::new()];
    let mut any_han = false;
    for c in text.chars() {
        let mut firsts: Vec<char> = Vec::new();
        data().get_pinyins_and_for_each(c, |p| {
            if let Some(f) = p.notation(PinyinNotation::AsciiFirstLetter).and_then(|s| s.chars().next())
                && !firsts.contains(&f)
            {
                firsts.push(f);
            }
        });
        if firsts.is_empty() {
            if c.is_ascii_alphanumeric() {
                firsts.push(c.to_ascii_lowercase());
            } else {
                continue;
            }
        } else {
            any_han = true;
        }
        let mut next = Vec::with_capacity(spellings.len() * firsts.len());
        for s in &spellings {
            for f in &firsts {
                if next.len() < MAX_SPELLINGS {
                    next.push(format!("{s}{f}"));
                }
            }
        }
        spellings = next;
    }
    if !any_han {
        return Vec::new();
    }
    spellings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn villages_and_names() {
        assert!(initials("青龙村").contains(&"qlc".to_string()));
        assert!(initials("张三").contains(&"zs".to_string()));
        let cac = initials("长安村");
        assert!(cac.contains(&"cac".to_string()) && cac.contains(&"zac".to_string()), "{cac:?}");
        assert!(initials("abc").is_empty());
    }
}
