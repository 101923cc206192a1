//! The resident identity number (居民身份证号码, GB 11643-1999) and what it tells: birth date,
//! age and sex. 15-digit legacy numbers are upgraded to 18 digits; Hong Kong, Macao and Taiwan
//! residence permits (region 81/82/83) are accepted.

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use super::lang::{Lang, Localized};

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// Province-level region codes (the first two digits).
const PROVINCES: &[u8] = &[
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63,
    64, 65, 71, 81, 82, 83,
];

/// A validated 18-character identity number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IdNumber(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Sex::Male => lang.pick("男", "male"),
            Sex::Female => lang.pick("女", "female"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("an ID number has 18 characters (or 15 digits for an old one), this one has {0}")]
    Length(usize),
    #[error("an ID number has only digits, with X allowed last; found '{0}'")]
    Character(char),
    #[error("{0} is not a region code of a Chinese ID number")]
    Region(String),
    #[error("the birth date {0} in the ID number is not a real date")]
    BirthDate(String),
    #[error("the birth date {0} in the ID number is in the future")]
    FutureBirth(String),
    /// The check character (GB 11643) does not match. The message never names the right
    /// one: that would invite a valid number with a wrong digit elsewhere.
    #[error("the number does not check (GB 11643): a digit is mistyped; compare it with the ID card")]
    Check { expected: char, found: char },
}

impl Localized for IdError {
    fn localized(&self, lang: Lang) -> String {
        match lang {
            Lang::En => format!("ID number: {self}"),
            Lang::Zh => match self {
                IdError::Length(n) => format!("身份证号码应为 18 位（旧证 15 位），现在是 {n} 位"),
                IdError::Character(c) => {
                    format!("身份证号码只能是数字，最后一位可以是 X，不能有「{c}」")
                }
                IdError::Region(r) => format!("身份证号码前两位 {r} 不是有效的地区代码"),
                IdError::BirthDate(d) => format!("身份证号码中的出生日期 {d} 不存在"),
                IdError::FutureBirth(d) => format!("身份证号码中的出生日期 {d} 晚于今天"),
                IdError::Check { .. } => "身份证号码校验不通过：有数字输错了，请对照身份证逐位核对".into(),
            },
        }
    }
}

/// The check character for 17 leading digits (GB 11643).
pub fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d.saturating_sub(b'0').min(9)) * w).sum();
    CHECK_CHARS[(sum % 11) as usize] as char
}

impl IdNumber {
    /// Parses and validates an ID number as typed (spaces ignored, lower-case x accepted).
    /// `today` is the hall's local date, so that a birth date in the future is refused.
    pub fn parse(input: &str, today: Date) -> Result<IdNumber, IdError> {
        let s: String = input.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        for (i, c) in s.chars().enumerate() {
            let last = i + 1 == s.chars().count();
            if !(c.is_ascii_digit() || (c == 'X' && last)) {
                return Err(IdError::Character(c));
            }
        }
        let full = match s.len() {
            18 => s,
            15 => {
                if s.contains('X') {
                    return Err(IdError::Character('X'));
                }
                let first17 = format!("{}19{}", &s[..6], &s[6..]);
                let c = check_char(first17.as_bytes());
                format!("{first17}{c}")
            }
            n => return Err(IdError::Length(n)),
        };
        let bytes = full.as_bytes();
        let province: u8 = full[..2].parse().map_err(|_| IdError::Region(full[..2].to_string()))?;
        if !PROVINCES.contains(&province) {
            return Err(IdError::Region(full[..2].to_string()));
        }
        let birth = birth_date_of(&full[6..14]).ok_or_else(|| IdError::BirthDate(full[6..14].to_string()))?;
        if birth > today {
            return Err(IdError::FutureBirth(full[6..14].to_string()));
        }
        let expected = check_char(&bytes[..17]);
        let found = bytes[17] as char;
        if expected != found {
            return Err(IdError::Check { expected, found });
        }
        Ok(IdNumber(full))
    }

    /// Wraps a number already validated and stored; used when reading records back.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The birth date in the number (digits 7–14, GB 11643-1999); `None` for a masked number.
    pub fn birth_date(&self) -> Option<Date> {
        birth_date_of(self.0.get(6..14)?)
    }

    /// The sex in the number (digit 17: odd male, even female); `None` for a masked number.
    pub fn sex(&self) -> Option<Sex> {
        if self.is_masked() {
            return None;
        }
        let d = self.0.as_bytes().get(16).filter(|b| b.is_ascii_digit())? - b'0';
        Some(if d % 2 == 1 { Sex::Male } else { Sex::Female })
    }

    /// Age in whole years on `on`; `None` for a masked number.
    pub fn age_on(&self, on: Date) -> Option<u32> {
        let b = self.birth_date()?;
        let mut age = on.year() - b.year();
        if (on.month() as u8, on.day()) < (b.month() as u8, b.day()) {
            age -= 1;
        }
        Some(age.max(0) as u32)
    }

    /// The number as a clerk sees it outside a revealed case: 430822********3325.
    pub fn masked(&self) -> IdNumber {
        IdNumber(super::mask::id_number(&self.0))
    }

    /// Whether this is a masked number (as the server sends it to a clerk).
    pub fn is_masked(&self) -> bool {
        self.0.contains('*')
    }
}

impl std::fmt::Display for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn birth_date_of(yyyymmdd: &str) -> Option<Date> {
    let y: i32 = yyyymmdd.get(0..4)?.parse().ok()?;
    let m: u8 = yyyymmdd.get(4..6)?.parse().ok()?;
    let d: u8 = yyyymmdd.get(6..8)?.parse().ok()?;
    if y < 1800 {
        return None;
    }
    Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 29);

    #[test]
    fn valid_vectors_from_the_standard() {
        for s in ["11010519491231002X", "440524188001010014", "430822194503153325", "430822195602294056"] {
            assert_eq!(IdNumber::parse(s, TODAY).unwrap().as_str(), s);
        }
        assert_eq!(IdNumber::parse("11010519491231002x", TODAY).unwrap().as_str(), "11010519491231002X");
    }

    #[test]
    fn any_changed_digit_breaks_the_check() {
        let good = "430822194503153325";
        for i in 0..18 {
            for d in b'0'..=b'9' {
                let mut b = good.as_bytes().to_vec();
                if b[i] == d {
                    continue;
                }
                b[i] = d;
                let s = String::from_utf8(b).unwrap();
                assert!(IdNumber::parse(&s, TODAY).is_err(), "{s} should be invalid");
            }
        }
    }

    #[test]
    fn derived_facts() {
        let id = IdNumber::parse("430822194503153325", TODAY).unwrap();
        assert_eq!(id.birth_date(), Some(date!(1945 - 03 - 15)));
        assert_eq!(id.sex(), Some(Sex::Female));
        assert_eq!(id.age_on(TODAY), Some(81));
        assert_eq!(id.age_on(date!(2026 - 03 - 14)), Some(80));
        assert_eq!(id.age_on(date!(2026 - 03 - 15)), Some(81));
        let id = IdNumber::parse("430822195602294056", TODAY).unwrap();
        assert_eq!(id.sex(), Some(Sex::Male));
        assert_eq!(id.birth_date(), Some(date!(1956 - 02 - 29)));
    }

    #[test]
    fn a_masked_number_says_nothing_and_never_panics() {
        let id = IdNumber::parse("430822195602294056", TODAY).unwrap().masked();
        assert_eq!(id.as_str(), "430822********4056");
        assert!(id.is_masked());
        assert_eq!((id.sex(), id.birth_date(), id.age_on(TODAY)), (None, None, None));
    }

    #[test]
    fn impossible_and_future_birth_dates() {
        // 19570229 does not exist; the check digit is made right so only the date is wrong.
        let first17 = "43082219570229405";
        let s = format!("{first17}{}", check_char(first17.as_bytes()));
        assert!(matches!(IdNumber::parse(&s, TODAY), Err(IdError::BirthDate(_))));
        let first17 = "43082220270101001";
        let s = format!("{first17}{}", check_char(first17.as_bytes()));
        assert!(matches!(IdNumber::parse(&s, TODAY), Err(IdError::FutureBirth(_))));
        let first17 = "43082220261130001";
        let s = format!("{first17}{}", check_char(first17.as_bytes()));
        assert!(matches!(IdNumber::parse(&s, TODAY), Err(IdError::FutureBirth(_))));
    }

    #[test]
    fn fifteen_digits_upgrade() {
        // 430822 450315 332 → 430822 19450315 332 + check
        let id = IdNumber::parse("430822450315332", TODAY).unwrap();
        assert_eq!(id.as_str(), "430822194503153325");
        assert!(IdNumber::parse("43082245031533X", TODAY).is_err());
    }

    #[test]
    fn permits_and_bad_shapes() {
        let first17 = "81000019900101001";
        let s = format!("{first17}{}", check_char(first17.as_bytes()));
        assert!(IdNumber::parse(&s, TODAY).is_ok());
        let first17 = "99000019900101001";
        let s = format!("{first17}{}", check_char(first17.as_bytes()));
        assert!(matches!(IdNumber::parse(&s, TODAY), Err(IdError::Region(_))));
        assert!(matches!(IdNumber::parse("4308221945", TODAY), Err(IdError::Length(10))));
        assert!(matches!(IdNumber::parse("43082219450315332X5", TODAY), Err(IdError::Character('X'))));
        assert!(matches!(IdNumber::parse("4308221945031533２5", TODAY), Err(IdError::Character('２'))));
    }
}
