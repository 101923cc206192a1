//! Pinyin of Chinese text, for searching 青龙村 by `qlc` or `qinglongcun` and 张三 by `zs` or
//! `zhangsan`. Polyphonic characters give several spellings; every combination is kept, up to
//! `MAX_SPELLINGS` per text (a name of four characters with three readings each has 81).

use std::sync::OnceLock;

use ib_pinyin::pinyin::{PinyinData, PinyinNotation};

/// The most spellings kept for one text: enough for every reading of a real name or village
/// (单乐乐 has 12 initials spellings), bounded for a long text of polyphonic characters.
pub const MAX_SPELLINGS: usize = 128;

fn data() -> &'static PinyinData {
    static DATA: OnceLock<PinyinData> = OnceLock::new();
    DATA.get_or_init(|| PinyinData::new(PinyinNotation::Ascii))
}

/// Every spelling of `text` where each Chinese character is written by `part` of its
/// readings; ASCII letters and digits are kept, other characters without a reading skipped.
/// Empty when the text has no Chinese character.
fn spellings(text: &str, part: impl Fn(&str) -> String) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut any_han = false;
    for c in text.chars() {
        let mut readings: Vec<String> = Vec::new();
        data().get_pinyins_and_for_each(c, |p| {
            if let Some(r) = p.notation(PinyinNotation::Ascii).map(&part).filter(|r| !r.is_empty())
                && !readings.contains(&r)
            {
                readings.push(r);
            }
        });
        if readings.is_empty() {
            if c.is_ascii_alphanumeric() {
                readings.push(c.to_ascii_lowercase().to_string());
            } else {
                continue;
            }
        } else {
            any_han = true;
        }
        let mut next = Vec::with_capacity((out.len() * readings.len()).min(MAX_SPELLINGS));
        'all: for s in &out {
            for r in &readings {
                if next.len() == MAX_SPELLINGS {
                    break 'all;
                }
                next.push(format!("{s}{r}"));
            }
        }
        out = next;
    }
    if any_han { out } else { Vec::new() }
}

/// Every spelling of the text's initials, lower-case ASCII (`长安村` → `cac`, `zac`).
pub fn initials(text: &str) -> Vec<String> {
    spellings(text, |r| r.chars().next().map(|c| c.to_ascii_lowercase().to_string()).unwrap_or_default())
}

/// Every spelling of the text in full pinyin without tones, lower-case ASCII (`张桂英` →
/// `zhangguiying`).
pub fn full(text: &str) -> Vec<String> {
    spellings(text, |r| r.chars().filter(char::is_ascii_alphabetic).map(|c| c.to_ascii_lowercase()).collect())
}

/// Whether `query` (lower-case ASCII) is the start of any spelling of `text`, in initials or
/// in full pinyin: what a list's filter matches a typed `zs` or `zhangs` against.
pub fn matches(text: &str, query: &str) -> bool {
    !query.is_empty() && initials(text).iter().chain(full(text).iter()).any(|s| s.starts_with(query))
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

    #[test]
    fn every_reading_is_kept_and_full_pinyin_too() {
        // 单 reads dan/shan/chan, 乐 le/yue: 单乐乐 must be found as sll as well as dll.
        let i = initials("单乐乐");
        for want in ["dll", "sll", "syy", "cyl"] {
            assert!(i.contains(&want.to_string()), "{want} in {i:?}");
        }
        assert!(full("张桂英").contains(&"zhangguiying".to_string()), "{:?}", full("张桂英"));
        assert!(matches("张桂英", "zhanggui") && matches("张桂英", "zgy") && !matches("张桂英", "ly"));
        // A long text of polyphonic characters stays bounded.
        assert!(initials(&"乐".repeat(40)).len() <= MAX_SPELLINGS);
    }
}
