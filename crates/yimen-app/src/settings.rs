//! The hall's settings, kept in the database's meta table so every window agrees.

use time::UtcOffset;

use super::DeskError;
use yimen_domain::clock::{DEFAULT_OFFSET, format_offset, parse_offset};
use yimen_domain::text::Field;
use yimen_store::{ReadTx, StoreError, WriteTx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The hall's name, printed on slips and reports.
    pub hall: String,
    /// The hall's UTC offset; local dates and day boundaries follow it.
    pub utc_offset: UtcOffset,
    /// Working days a supervisor has to follow up a bad rating (差评).
    pub follow_up_days: u32,
    /// The phone number printed on receipts.
    pub hall_phone: Option<String>,
    /// True in a database built by `yimen demo`.
    pub demo: bool,
    /// How many automatic daily backups to keep.
    pub backup_keep: u32,
    /// The printer A4 papers (reports, notices) go to, as the operating system names it
    /// (`lpstat -p` on Linux; the printer's name in Windows). `None`: papers are saved only.
    pub printer: Option<String>,
    /// The receipt-roll printer (80 or 58 mm) the queue ticket and roll slips go to; `None`:
    /// the A4 printer.
    pub receipt_printer: Option<String>,
    /// The hall's 12-digit statistical division code (统计用区划代码, of the town or village it
    /// serves): its name in the town's records. Fixed once the hall has synced.
    pub hall_code: Option<String>,
    /// What of the citizens' personal data the hall sends to the town: masked (the default)
    /// or whole, where the hall's rules allow the town to hold it (`town_personal_data`:
    /// `masked` | `full`; docs/security.md). Only records sent after a change carry it.
    pub town_full_data: bool,
    /// What the board says for a call (`board_call_text`): `{number}`, `{window}` ("3号窗口")
    /// and `{name}` (masked, only with `board_call_name = masked`) are filled in.
    pub call_text: String,
    /// How many times the board speaks each call and recall (`board_call_repeat`, 1–3).
    pub call_repeat: u32,
    /// Hours the board stays silent, in the hall's time (`board_quiet_hours`, e.g.
    /// `12:00-14:00`): it shows calls but does not speak.
    pub quiet_hours: Option<QuietHours>,
    /// Whether the board shows and says the applicant's masked name (张*英) with the number
    /// (`board_call_name`: `none` | `masked`); never the whole name.
    pub call_by_masked_name: bool,
    /// Where a kiosk's queue ticket is printed (`kiosk_print`): `browser`, the default, on the
    /// kiosk's own roll printer through its browser; `server`, by the hall server on the hall's
    /// receipt printer (`receipt_printer`), for a kiosk beside the server PC.
    pub kiosk_prints_at_server: bool,
}

/// Quiet hours of the board: from `from` (included) to `to` (excluded), in the hall's time;
/// `from > to` spans midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct QuietHours {
    #[serde(serialize_with = "hhmm")]
    pub from: time::Time,
    #[serde(serialize_with = "hhmm")]
    pub to: time::Time,
}

fn hhmm<S: serde::Serializer>(t: &time::Time, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{:02}:{:02}", t.hour(), t.minute()))
}

impl QuietHours {
    /// `12:00-14:00` (also with `–`, `~` or `至`). `None` when it is not that.
    pub fn parse(s: &str) -> Option<QuietHours> {
        let (a, b) = s.trim().split_once(['-', '–', '~', '至'])?;
        let t = |x: &str| {
            let (h, m) = x.trim().split_once([':', '：'])?;
            time::Time::from_hms(h.trim().parse().ok()?, m.trim().parse().ok()?, 0).ok()
        };
        let (from, to) = (t(a)?, t(b)?);
        (from != to).then_some(QuietHours { from, to })
    }

    /// Whether `at` (the hall's time of day) falls in them.
    pub fn contains(&self, at: time::Time) -> bool {
        if self.from < self.to { (self.from..self.to).contains(&at) } else { at >= self.from || at < self.to }
    }

    pub fn text(&self) -> String {
        format!("{:02}:{:02}-{:02}:{:02}", self.from.hour(), self.from.minute(), self.to.hour(), self.to.minute())
    }
}

/// The board's call text unless the hall sets its own: "请A012号到3号窗口办理".
pub const DEFAULT_CALL_TEXT: &str = "请{number}号到{window}办理";

/// The values of `board_call_name`.
const BOARD_CALL_NAME: [&str; 2] = ["none", "masked"];

impl Default for Settings {
    fn default() -> Self {
        Settings {
            hall: "便民服务大厅".into(),
            utc_offset: DEFAULT_OFFSET,
            follow_up_days: 5,
            hall_phone: None,
            demo: false,
            backup_keep: 7,
            printer: None,
            receipt_printer: None,
            hall_code: None,
            town_full_data: false,
            call_text: DEFAULT_CALL_TEXT.into(),
            call_repeat: 2,
            quiet_hours: None,
            call_by_masked_name: false,
            kiosk_prints_at_server: false,
        }
    }
}

pub const KEYS: [&str; 14] = [
    "hall",
    "utc_offset",
    "follow_up_days",
    "hall_phone",
    "backup_keep",
    "printer",
    "receipt_printer",
    "hall_code",
    "town_personal_data",
    "board_call_text",
    "board_call_repeat",
    "board_quiet_hours",
    "board_call_name",
    "kiosk_print",
];

/// The values of `kiosk_print`.
const KIOSK_PRINT: [&str; 2] = ["browser", "server"];

/// The values of `town_personal_data`.
const TOWN_PERSONAL_DATA: [&str; 2] = ["masked", "full"];

impl Settings {
    fn from_lookup(get: impl Fn(&str) -> Result<Option<Vec<u8>>, StoreError>) -> Result<Settings, StoreError> {
        let mut s = Settings::default();
        let text = |k: &str| -> Result<Option<String>, StoreError> {
            Ok(get(k)?.map(|b| String::from_utf8_lossy(&b).into_owned()))
        };
        if let Some(h) = text("hall")? {
            s.hall = h;
        }
        if let Some(o) = text("utc_offset")? {
            s.utc_offset = parse_offset(&o).ok_or_else(|| StoreError::Corrupt(format!("utc_offset '{o}'")))?;
        }
        if let Some(d) = text("follow_up_days")? {
            s.follow_up_days = d.parse().map_err(|_| StoreError::Corrupt(format!("follow_up_days '{d}'")))?;
        }
        s.hall_phone = text("hall_phone")?.filter(|p| !p.is_empty());
        s.demo = text("demo")?.as_deref() == Some("1");
        if let Some(k) = text("backup_keep")? {
            s.backup_keep = k.parse().map_err(|_| StoreError::Corrupt(format!("backup_keep '{k}'")))?;
        }
        s.printer = text("printer")?.filter(|p| !p.is_empty());
        s.receipt_printer = text("receipt_printer")?.filter(|p| !p.is_empty());
        s.hall_code = text("hall_code")?.filter(|p| !p.is_empty());
        s.town_full_data = text("town_personal_data")?.as_deref() == Some("full");
        if let Some(t) = text("board_call_text")?.filter(|t| !t.is_empty()) {
            s.call_text = t;
        }
        if let Some(r) = text("board_call_repeat")?.filter(|t| !t.is_empty()) {
            s.call_repeat = r.parse().map_err(|_| StoreError::Corrupt(format!("board_call_repeat '{r}'")))?;
        }
        s.quiet_hours = text("board_quiet_hours")?.as_deref().and_then(QuietHours::parse);
        s.call_by_masked_name = text("board_call_name")?.as_deref() == Some("masked");
        s.kiosk_prints_at_server = text("kiosk_print")?.as_deref() == Some("server");
        Ok(s)
    }

    pub fn load_r(rx: &ReadTx) -> Result<Settings, StoreError> {
        Settings::from_lookup(|k| rx.meta(k))
    }

    pub fn load_w(tx: &WriteTx<'_>) -> Result<Settings, StoreError> {
        Settings::from_lookup(|k| tx.meta(k))
    }

    pub fn save(&self, tx: &mut WriteTx<'_>) -> Result<(), StoreError> {
        tx.set_meta("hall", self.hall.as_bytes())?;
        tx.set_meta("utc_offset", format_offset(self.utc_offset).as_bytes())?;
        tx.set_meta("follow_up_days", self.follow_up_days.to_string().as_bytes())?;
        tx.set_meta("hall_phone", self.hall_phone.as_deref().unwrap_or("").as_bytes())?;
        tx.set_meta("demo", if self.demo { b"1" } else { b"0" })?;
        tx.set_meta("backup_keep", self.backup_keep.to_string().as_bytes())?;
        tx.set_meta("printer", self.printer.as_deref().unwrap_or("").as_bytes())?;
        tx.set_meta("receipt_printer", self.receipt_printer.as_deref().unwrap_or("").as_bytes())?;
        tx.set_meta("hall_code", self.hall_code.as_deref().unwrap_or("").as_bytes())?;
        tx.set_meta("town_personal_data", TOWN_PERSONAL_DATA[usize::from(self.town_full_data)].as_bytes())?;
        tx.set_meta("board_call_text", self.call_text.as_bytes())?;
        tx.set_meta("board_call_repeat", self.call_repeat.to_string().as_bytes())?;
        tx.set_meta("board_quiet_hours", self.quiet_hours.map(|q| q.text()).unwrap_or_default().as_bytes())?;
        tx.set_meta("board_call_name", BOARD_CALL_NAME[usize::from(self.call_by_masked_name)].as_bytes())?;
        tx.set_meta("kiosk_print", KIOSK_PRINT[usize::from(self.kiosk_prints_at_server)].as_bytes())?;
        tx.bump_configuration()
    }

    pub fn set(&mut self, key: &str, value: &str) -> Result<(), DeskError> {
        use super::error::SettingWhy;
        let bad = |why: SettingWhy| DeskError::Setting(key.to_string(), why);
        let range = |min, max, unit| SettingWhy::OutOfRange { value: value.to_string(), min, max, unit };
        match key {
            "hall" => self.hall = super::input::short(Field::Hall, value)?,
            "utc_offset" => {
                self.utc_offset = parse_offset(value).ok_or_else(|| bad(SettingWhy::NotAnOffset(value.to_string())))?
            }
            "follow_up_days" => {
                self.follow_up_days =
                    number_in(value, 1..=60).ok_or_else(|| bad(range(1, 60, ("个工作日", "working days"))))?
            }
            "hall_phone" => {
                self.hall_phone = if value.trim().is_empty() {
                    None
                } else {
                    Some(yimen_domain::phone::Phone::parse(value)?.to_string())
                }
            }
            "backup_keep" => {
                self.backup_keep = number_in(value, 1..=365).ok_or_else(|| bad(range(1, 365, ("份备份", "backups"))))?
            }
            "printer" => self.printer = printer_name(value).map_err(bad)?,
            "receipt_printer" => self.receipt_printer = printer_name(value).map_err(bad)?,
            "hall_code" => {
                self.hall_code = if value.trim().is_empty() { None } else { Some(hall_code(value).map_err(bad)?) }
            }
            "town_personal_data" => self.town_full_data = two_way(value, &TOWN_PERSONAL_DATA).map_err(bad)?,
            "board_call_text" => {
                let v = value.trim();
                self.call_text = if v.is_empty() {
                    DEFAULT_CALL_TEXT.to_string()
                } else if v.contains("{number}") && v.chars().count() <= 60 && !v.chars().any(char::is_control) {
                    v.to_string()
                } else {
                    let shown: String = v.chars().take(60).collect();
                    return Err(bad(SettingWhy::NotACallText(yimen_domain::text::escape_for_output(&shown, false))));
                }
            }
            "board_call_repeat" => {
                self.call_repeat = if value.trim().is_empty() {
                    2
                } else {
                    number_in(value, 1..=3).ok_or_else(|| bad(range(1, 3, ("遍", "times"))))?
                }
            }
            "board_quiet_hours" => {
                self.quiet_hours = if value.trim().is_empty() {
                    None
                } else {
                    let shown: String = value.trim().chars().take(24).collect();
                    Some(QuietHours::parse(value).ok_or_else(|| {
                        bad(SettingWhy::NotQuietHours(yimen_domain::text::escape_for_output(&shown, false)))
                    })?)
                }
            }
            "board_call_name" => self.call_by_masked_name = two_way(value, &BOARD_CALL_NAME).map_err(bad)?,
            "kiosk_print" => self.kiosk_prints_at_server = two_way(value, &KIOSK_PRINT).map_err(bad)?,
            _ => return Err(bad(SettingWhy::Unknown(KEYS.to_vec()))),
        }
        Ok(())
    }

    /// (key, value) pairs for display.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("hall", self.hall.clone()),
            ("utc_offset", format_offset(self.utc_offset)),
            ("follow_up_days", self.follow_up_days.to_string()),
            ("hall_phone", self.hall_phone.clone().unwrap_or_default()),
            ("backup_keep", self.backup_keep.to_string()),
            ("printer", self.printer.clone().unwrap_or_default()),
            ("receipt_printer", self.receipt_printer.clone().unwrap_or_default()),
            ("hall_code", self.hall_code.clone().unwrap_or_default()),
            ("town_personal_data", TOWN_PERSONAL_DATA[usize::from(self.town_full_data)].to_string()),
            ("board_call_text", self.call_text.clone()),
            ("board_call_repeat", self.call_repeat.to_string()),
            ("board_quiet_hours", self.quiet_hours.map(|q| q.text()).unwrap_or_default()),
            ("board_call_name", BOARD_CALL_NAME[usize::from(self.call_by_masked_name)].to_string()),
            ("kiosk_print", KIOSK_PRINT[usize::from(self.kiosk_prints_at_server)].to_string()),
        ]
    }
}

/// A printer's name as typed (empty: none), checked against CUPS's rules (RFC 8011's
/// printer-name: at most 127 characters) and ours: no control character, and no leading `-`,
/// which `lp` would read as an option.
///
/// # Errors
/// `NotAPrinterName` for a name that breaks one of those rules.
pub fn printer_name(value: &str) -> Result<Option<String>, super::error::SettingWhy> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > 127 || v.starts_with('-') || v.chars().any(char::is_control) {
        return Err(super::error::SettingWhy::NotAPrinterName(yimen_domain::text::escape_for_output(v, false)));
    }
    Ok(Some(v.to_string()))
}

/// The province-level prefixes of GB/T 2260 administrative division codes, which the first two
/// digits of a statistical division code (统计用区划代码, National Bureau of Statistics) are.
const PROVINCES: [&str; 34] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44",
    "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
];

/// A hall's code as typed: 12 digits (统计用区划代码: province, city, county, township, village),
/// the first two a province's (GB/T 2260), the county's six digits not all zero.
///
/// # Errors
/// `NotAHallCode` for anything else.
pub fn hall_code(value: &str) -> Result<String, super::error::SettingWhy> {
    let v = value.trim();
    let ok = v.len() == 12
        && v.bytes().all(|b| b.is_ascii_digit())
        && PROVINCES.contains(&&v[..2])
        && &v[2..6] != "0000"
        && &v[6..9] != "000";
    if ok {
        Ok(v.to_string())
    } else {
        // Shown back in one line, however much was typed.
        let shown: String = v.chars().take(24).collect();
        let more = if v.chars().count() > 24 { "…" } else { "" };
        Err(super::error::SettingWhy::NotAHallCode(format!(
            "{}{more}",
            yimen_domain::text::escape_for_output(&shown, false)
        )))
    }
}

/// A setting of two values, as typed: `false` for the first (the default, also when empty: a
/// server's setup sends every key), `true` for the second.
///
/// # Errors
/// `NotOneOf` for anything else.
fn two_way(value: &str, values: &'static [&'static str; 2]) -> Result<bool, super::error::SettingWhy> {
    match value.trim() {
        "" => Ok(false),
        v if v == values[0] => Ok(false),
        v if v == values[1] => Ok(true),
        other => Err(super::error::SettingWhy::NotOneOf(yimen_domain::text::escape_for_output(other, false), values)),
    }
}

/// A whole number within `range`, as typed.
fn number_in(value: &str, range: std::ops::RangeInclusive<u32>) -> Option<u32> {
    value.trim().parse().ok().filter(|n| range.contains(n))
}

#[cfg(test)]
mod hall_code_tests {
    use super::*;

    #[test]
    fn a_hall_code_is_a_townships_or_villages_twelve_digit_division_code() {
        assert_eq!(hall_code(" 430822101000 ").ok().as_deref(), Some("430822101000"));
        assert_eq!(hall_code("110101001001").ok().as_deref(), Some("110101001001"));
        for bad in ["12345", "4308221010000", "43082210100X", "990822101000", "430000101000", "430822000000", ""] {
            assert!(hall_code(bad).is_err(), "{bad}");
        }
        let mut s = Settings::default();
        assert!(s.set("hall_code", "430822101000").is_ok());
        assert!(s.set("hall_code", "").is_ok(), "an empty value clears it (a server's setup sends every key)");
        assert_eq!(s.hall_code, None);
    }

    #[test]
    fn a_two_way_setting_takes_its_two_values_or_empty_and_names_them_otherwise() {
        let mut s = Settings::default();
        for (key, second) in [("town_personal_data", "full"), ("board_call_name", "masked"), ("kiosk_print", "server")]
        {
            assert!(s.set(key, second).is_ok(), "{key}");
            assert_eq!(s.pairs().into_iter().find(|(k, _)| *k == key).map(|(_, v)| v).as_deref(), Some(second));
            assert!(s.set(key, " ").is_ok(), "{key}: empty is the default");
            let e = s.set(key, "FULL").map(|_| ()).unwrap_err();
            assert!(e.to_string().contains(second), "{key}: {e}");
        }
        assert!(!s.town_full_data && !s.call_by_masked_name && !s.kiosk_prints_at_server);
    }
}
