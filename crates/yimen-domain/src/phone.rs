//! Phone numbers: an 11-digit mobile (13–19) or a landline with its area code (0744-6221234).

use serde::{Deserialize, Serialize};

use super::lang::{Lang, Localized};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Phone(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{0}' is not a phone number: give an 11-digit mobile (13x–19x) or a landline with its area code, like 0744-6221234"
)]
pub struct PhoneError(pub String);

impl Localized for PhoneError {
    fn localized(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Zh => format!(
                "「{}」不是有效的电话号码：请填 11 位手机号（13–19 开头）或带区号的固定电话，如 0744-6221234",
                self.0
            ),
        }
    }
}

impl Phone {
    pub fn parse(input: &str) -> Result<Phone, PhoneError> {
        let err = || PhoneError(input.trim().chars().take(40).collect());
        let compact: String = input.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let compact = compact.strip_prefix("+86").unwrap_or(&compact);
        if !compact.chars().all(|c| c.is_ascii_digit()) {
            return Err(err());
        }
        let b = compact.as_bytes();
        if b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
            return Ok(Phone(compact.to_string()));
        }
        if b.first() == Some(&b'0') && b.get(1).is_some_and(|&c| c != b'0') {
            // Area codes: 010, 02x (3 digits) or 0xxx (4 digits); local numbers 7 or 8 digits.
            let area_len = if b[1] == b'1' || b[1] == b'2' { 3 } else { 4 };
            let local = &compact[area_len.min(compact.len())..];
            if (7..=8).contains(&local.len()) && !local.starts_with('0') && !local.starts_with('1') {
                return Ok(Phone(format!("{}-{}", &compact[..area_len], local)));
            }
        }
        Err(err())
    }

    /// The number as a clerk sees it outside a revealed case: 138****1234.
    pub fn masked(&self) -> Phone {
        Phone(super::mask::phone(&self.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digits only, for search.
    pub fn digits(&self) -> String {
        self.0.chars().filter(|c| c.is_ascii_digit()).collect()
    }
}

impl std::fmt::Display for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles_and_landlines() {
        assert_eq!(Phone::parse("138 0000 1234").unwrap().as_str(), "13800001234");
        assert_eq!(Phone::parse("+8619912345678").unwrap().as_str(), "19912345678");
        assert_eq!(Phone::parse("0744-6221234").unwrap().as_str(), "0744-6221234");
        assert_eq!(Phone::parse("07446221234").unwrap().as_str(), "0744-6221234");
        assert_eq!(Phone::parse("010-62345678").unwrap().as_str(), "010-62345678");
        for bad in ["12800001234", "1380000123", "138000012345", "abc", "", "0744-123", "0000-1234567", "1３800001234"]
        {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }
}
