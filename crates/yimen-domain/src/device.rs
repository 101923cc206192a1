//! The hall's public devices: a self-service kiosk (取号机) and a rating pad (评价器) per window.
//! A device is paired, not trusted: an admin makes a one-time code (`yimen device pair`), the
//! page on the device trades it for a token once, and from then on the device may do only its
//! one thing — a kiosk takes numbers, a pad rates the visits its window has just completed.
//! The display board (叫号屏) needs no pairing: it shows numbers and windows only.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::lang::Lang;

/// What a paired device may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    /// 取号机: takes numbers for citizens, nothing else.
    Kiosk,
    /// 评价器: rates the visits completed at its window in the last minutes.
    Pad,
}

impl DeviceKind {
    pub fn code(self) -> &'static str {
        match self {
            DeviceKind::Kiosk => "kiosk",
            DeviceKind::Pad => "pad",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            DeviceKind::Kiosk => lang.pick("取号机", "kiosk"),
            DeviceKind::Pad => lang.pick("评价器", "rating pad"),
        }
    }
}

/// A paired (or pairing) device as the hall keeps it. Neither the pairing code nor the token
/// is stored, only their SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    /// 1, 2, …: the number `yimen device revoke` takes.
    pub id: u32,
    pub kind: DeviceKind,
    /// The window a pad faces (its citizens' visits are the ones it rates); `None` for a kiosk.
    #[serde(default)]
    pub window: Option<String>,
    /// What the hall calls it ("东门取号机"); shown in the audit chain as who took a number.
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The pairing code's hash while it is unused; `None` once paired.
    #[serde(default)]
    pub code_hash: Option<String>,
    /// Until when the pairing code may be used.
    #[serde(with = "time::serde::rfc3339")]
    pub code_expires: OffsetDateTime,
    /// The device token's hash once paired.
    #[serde(default)]
    pub token_hash: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub paired_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

impl Device {
    /// Who the device acts as in the audit chain: "取号机·东门取号机" (the kind, then its name).
    pub fn actor(&self) -> String {
        format!("{}·{}", self.kind.label(Lang::Zh), self.name)
    }

    /// Where it stands: 待配对, 已配对, 已停用 (or the English).
    pub fn state(&self, now: OffsetDateTime, lang: Lang) -> &'static str {
        if self.revoked_at.is_some() {
            lang.pick("已停用", "revoked")
        } else if self.token_hash.is_some() {
            lang.pick("已配对", "paired")
        } else if now > self.code_expires {
            lang.pick("配对码已过期", "code expired")
        } else {
            lang.pick("待配对", "awaiting pairing")
        }
    }
}

/// How long a pairing code may be used, in minutes.
pub const PAIRING_MINUTES: i64 = 30;

/// The letters a pairing code is made of: no 0/O, 1/I/L, so it can be read off a screen and
/// typed on a touch keyboard without doubt.
pub const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A pairing code's letters (10 of [`CODE_ALPHABET`]) as typed: case, spaces and dashes
/// ignored. `None` when it cannot be a code at all.
pub fn normalize_code(typed: &str) -> Option<String> {
    let s: String = typed.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
    (s.len() == 10 && s.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(s)
}

/// A code's letters shown in two groups of five: `ABCDE-FGHJK`.
pub fn show_code(code: &str) -> String {
    if code.len() == 10 && code.is_ascii() { format!("{}-{}", &code[..5], &code[5..]) } else { code.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_as_typed() {
        assert_eq!(normalize_code(" abcde-fghjk ").as_deref(), Some("ABCDEFGHJK"));
        assert_eq!(show_code("ABCDEFGHJK"), "ABCDE-FGHJK");
        for bad in ["", "ABCDE", "ABCDE-FGHJ0", "ABCDE-FGHJKL", "ABCDE-FGHJ1", "甲BCDE-FGHJK"] {
            assert_eq!(normalize_code(bad), None, "{bad}");
        }
    }
}
