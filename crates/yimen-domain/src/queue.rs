//! Queue numbers (A012) and the reasons a citizen is called first.

use serde::{Deserialize, Serialize};

use super::lang::Lang;

/// A category letter and a daily sequence, shown with at least three digits: A001.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct QueueNumber {
    pub letter: char,
    pub seq: u32,
}

/// The sequence is shown with three digits; a very busy day may go past 999 and gets four.
pub const MAX_SEQ: u32 = 9999;

impl QueueNumber {
    /// Parses `A012` or `a12`; `None` if it is not a letter followed by 1–4 digits.
    pub fn parse(s: &str) -> Option<QueueNumber> {
        let s = s.trim();
        let mut chars = s.chars();
        let letter = chars.next()?.to_ascii_uppercase();
        if !letter.is_ascii_uppercase() {
            return None;
        }
        let digits = chars.as_str();
        if digits.is_empty() || digits.len() > 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let seq: u32 = digits.parse().ok()?;
        (seq >= 1).then_some(QueueNumber { letter, seq })
    }
}

impl std::fmt::Display for QueueNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{:03}", self.letter, self.seq)
    }
}

/// Why a ticket is called before others of its category (优先).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Aged 80 or more (set automatically from the ID number).
    Elderly,
    Disability,
    Pregnant,
    /// Active-duty soldiers and veterans with a 优待证.
    Military,
}

impl Priority {
    pub const ALL: [Priority; 4] = [Priority::Elderly, Priority::Disability, Priority::Pregnant, Priority::Military];

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Priority::Elderly => lang.pick("80岁以上老人", "aged 80+"),
            Priority::Disability => lang.pick("残疾人", "disability"),
            Priority::Pregnant => lang.pick("孕妇", "pregnant"),
            Priority::Military => lang.pick("军人优先", "military"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_show() {
        let n = QueueNumber::parse("a12").unwrap();
        assert_eq!(n.to_string(), "A012");
        assert_eq!(QueueNumber::parse("B1000").unwrap().to_string(), "B1000");
        for bad in ["", "A", "12", "AA1", "A0", "A12345", "张1"] {
            assert!(QueueNumber::parse(bad).is_none(), "{bad}");
        }
    }
}
