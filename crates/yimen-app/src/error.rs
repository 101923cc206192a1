//! Every reason an action is refused, in one type the front ends print in the user's language.

use yimen_domain::id_number::IdError;
use yimen_domain::lang::{Lang, Localized};
use yimen_domain::phone::PhoneError;
use yimen_domain::text::TextError;
use yimen_domain::ticket::TransitionError;
use yimen_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error(transparent)]
    Text(#[from] TextError),
    #[error(transparent)]
    Account(#[from] yimen_domain::account::AccountError),
    #[error("ID number: {0}")]
    Id(#[from] IdError),
    #[error("proxy's ID number: {0}")]
    ProxyId(IdError),
    #[error(transparent)]
    Phone(#[from] PhoneError),
    #[error("there is no service item '{0}'; see `yimen catalog list`")]
    UnknownItem(String),
    #[error("item {0} of this ticket is no longer in the catalog")]
    ItemGone(String),
    #[error("there is no category '{0}'; use a letter such as A or a name such as 民政")]
    UnknownCategory(String),
    #[error("no ticket {0}")]
    NotFound(String),
    #[error("'{0}' is not a ticket: give the id printed by `take`, a number such as A012 (today), or 2026-11-29/A012")]
    BadRef(String),
    #[error("no one is waiting{0}")]
    NoOneWaiting(String),
    #[error("name the clerk who does this with --clerk NAME or YIMEN_CLERK")]
    NoClerk,
    #[error("{}", .0.text(false))]
    Clock(yimen_domain::clock::NowError),
    #[error("the catalog file is not valid: {0}")]
    Catalog(yimen_domain::catalog::CatalogError),
    #[error("{0} is a hall's own database ({1} tickets); the demo builds only into its own file (give another --db)")]
    DemoRefused(String, u64),
    /// A slip asked for a ticket that has none: never accepted, not closed with a notice, not
    /// suspended for materials.
    #[error("{0} has no slip to print: it was never accepted (a receipt needs an acceptance)")]
    NoSlip(String),
    /// The ticket has no such paper (its number, and the paper's name in Chinese and English):
    /// a one-time notice for a visit that got none, a 补正告知书 for a case not suspended for
    /// materials, a 容缺受理通知书 for a case without deferred materials.
    #[error("{0} has no {2} to print")]
    NoSuchPaper(String, &'static str, &'static str),
    /// A holidays file that does not read or fails a check.
    #[error("the holidays file is not valid: {0}")]
    Calendar(yimen_domain::calendar::CalendarError),
    #[error("setting {0}: {why}", why = .1.text(Lang::En))]
    Setting(String, SettingWhy),
    #[error("{0}")]
    Io(String),
    /// A report or export period that ends before it starts (`false`) or is longer than three
    /// years (`true`).
    #[error("{}", period_en(*.0, *.1, *.2))]
    Period(time::Date, time::Date, bool),
    #[error("{} already exists; add --force to replace it (it is kept beside it as {}.replaced-…)", .0.display(), .0.display())]
    ExistsNeedsForce(std::path::PathBuf),
    #[error("this Idempotency-Key was used for another request; send a new key for a new request")]
    KeyReused,
    /// The hall server's refusal: its kind (the `code` of the answer) and its message,
    /// already in the language the request asked for.
    #[error("{message}")]
    Remote { code: ErrorCode, message: String },
    /// The hall server did not answer (its address, and why).
    #[error("cannot reach the hall server {0} ({1}); is it running?")]
    Unreachable(String, String),
    /// A kiosk's or a pad's request refused (docs/api.md, "The public side").
    #[error("{}", .0.text(Lang::En))]
    Device(DeviceWhy),
}

/// Why a device (kiosk, pad) or its pairing is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceWhy {
    /// The pairing code is not one the hall issued, was used already, or has expired.
    BadCode,
    /// The device is not paired (no token, or one the hall does not know).
    NotPaired,
    /// The device was revoked (its name).
    Revoked(String),
    /// The device is of another kind than the request needs (what it is).
    WrongKind(yimen_domain::device::DeviceKind),
    /// A pad needs its window (`--window`).
    PadNeedsWindow,
    /// A kiosk belongs to no window.
    KioskHasNoWindow,
    /// No device with this number.
    NoSuchDevice(u32),
    /// The visit is not one this pad may rate: not completed at its window in the last minutes,
    /// or rated already.
    NotRateable,
    /// More numbers from this kiosk than the hall allows a minute.
    TooFast,
    /// A 差评 (1–2) on the pad names at least one reason.
    NeedsReason,
}

impl DeviceWhy {
    /// The refusal in `lang`, one line.
    pub fn text(&self, lang: Lang) -> String {
        match (self, lang) {
            (DeviceWhy::BadCode, Lang::Zh) => {
                "配对码无效、已用过或已过期；请管理员用 yimen device pair 重新生成".into()
            }
            (DeviceWhy::BadCode, Lang::En) => {
                "the pairing code is wrong, used or expired; an admin makes a new one with yimen device pair".into()
            }
            (DeviceWhy::NotPaired, Lang::Zh) => "此设备未配对；请输入管理员给出的配对码".into(),
            (DeviceWhy::NotPaired, Lang::En) => "this device is not paired; enter the code an admin gives you".into(),
            (DeviceWhy::Revoked(n), Lang::Zh) => format!("设备「{n}」已停用；请管理员重新配对"),
            (DeviceWhy::Revoked(n), Lang::En) => format!("device '{n}' was revoked; an admin must pair it again"),
            (DeviceWhy::WrongKind(kind), lang) => match lang {
                Lang::Zh => format!("此设备是{}，不能做这件事", kind.label(lang)),
                Lang::En => format!("this device is a {} and may not do this", kind.label(lang)),
            },
            (DeviceWhy::NeedsReason, Lang::Zh) => "请至少选择一个不满意的原因".into(),
            (DeviceWhy::NeedsReason, Lang::En) => "choose at least one reason for the rating".into(),
            (DeviceWhy::PadNeedsWindow, Lang::Zh) => "评价器须指定它面对的窗口（--window）".into(),
            (DeviceWhy::PadNeedsWindow, Lang::En) => "a rating pad needs the window it faces (--window)".into(),
            (DeviceWhy::KioskHasNoWindow, Lang::Zh) => "取号机不属于某个窗口（去掉 --window）".into(),
            (DeviceWhy::KioskHasNoWindow, Lang::En) => "a kiosk belongs to no window (leave out --window)".into(),
            (DeviceWhy::NoSuchDevice(n), Lang::Zh) => format!("没有编号为 {n} 的设备（yimen device list 可查看）"),
            (DeviceWhy::NoSuchDevice(n), Lang::En) => format!("no device number {n} (see yimen device list)"),
            (DeviceWhy::NotRateable, Lang::Zh) => "这次办理不能在此评价器上评价（不是本窗口刚办结的，或已评价）".into(),
            (DeviceWhy::NotRateable, Lang::En) => {
                "this visit cannot be rated on this pad (not just completed at its window, or rated already)".into()
            }
            (DeviceWhy::TooFast, Lang::Zh) => "取号太频繁，请稍候再取".into(),
            (DeviceWhy::TooFast, Lang::En) => "numbers are taken too fast here; wait a moment".into(),
        }
    }
}

impl DeskError {
    /// Whether the hall server could not be reached (the request may be tried again).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, DeskError::Unreachable(..))
    }

    /// A refusal said by the hall server's client itself (a malformed address, an answer
    /// that is not a yimen server's): the request was not understood.
    pub fn remote(message: impl Into<String>) -> DeskError {
        DeskError::Remote { code: ErrorCode::BadRequest, message: message.into() }
    }

    /// The kind of this refusal, as the hall server names it on the wire (docs/api.md): the
    /// same kind whether the desk refused here or a server refused it for a window.
    pub fn code(&self) -> ErrorCode {
        use yimen_domain::account::AccountError as A;
        match self {
            DeskError::Account(A::NeedsRole(..)) => ErrorCode::Forbidden,
            DeskError::Account(A::BadCredentials | A::NotSignedIn | A::SessionEnded(..)) => ErrorCode::Unauthorized,
            DeskError::Account(A::Throttled(..)) => ErrorCode::Throttled,
            DeskError::Account(A::Locked(..) | A::Disabled(..)) => ErrorCode::Locked,
            DeskError::KeyReused => ErrorCode::Conflict,
            DeskError::NotFound(_) => ErrorCode::NotFound,
            DeskError::Store(
                StoreError::Io(_) | StoreError::Corrupt(_) | StoreError::Locked { .. } | StoreError::Damaged { .. },
            ) => ErrorCode::Storage,
            DeskError::Remote { code, .. } => *code,
            DeskError::Unreachable(..) => ErrorCode::Unreachable,
            DeskError::Device(DeviceWhy::BadCode | DeviceWhy::NotPaired | DeviceWhy::Revoked(_)) => {
                ErrorCode::Unauthorized
            }
            DeskError::Device(DeviceWhy::WrongKind(..)) => ErrorCode::Forbidden,
            DeskError::Device(DeviceWhy::TooFast) => ErrorCode::Throttled,
            DeskError::Device(DeviceWhy::NoSuchDevice(_)) => ErrorCode::NotFound,
            // The visit was rated (here or at the keyboard), or its minutes are over: the pad
            // tells the citizen so, unlike a refusal of what was typed.
            DeskError::Device(DeviceWhy::NotRateable) => ErrorCode::Conflict,
            _ => ErrorCode::Refused,
        }
    }
}

/// The kind of a refusal: a stable code on the wire (`{"code": …, "error": message}`), so a
/// window working through the hall server, or a browser page, can act on the kind (sign in
/// again, wait, say "not found") without reading the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// Not signed in, a wrong PIN, or a sign-in that has ended (HTTP 401).
    Unauthorized,
    /// The account's role may not do this (403).
    Forbidden,
    /// The account is disabled or locked (403).
    Locked,
    /// Too many wrong PINs: wait (429).
    Throttled,
    /// An idempotency key reused for another request (409).
    Conflict,
    /// No such ticket (404).
    NotFound,
    /// The database could not be read or written (503).
    Storage,
    /// The hall's rules refuse it: a wrong state, a bad ID number, an unknown item … (422).
    Refused,
    /// The request was not understood (400).
    BadRequest,
    /// A fault in the server (500).
    Internal,
    /// The server did not answer (never sent by a server; the client's own).
    Unreachable,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 11] = [
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::Locked,
        ErrorCode::Throttled,
        ErrorCode::Conflict,
        ErrorCode::NotFound,
        ErrorCode::Storage,
        ErrorCode::Refused,
        ErrorCode::BadRequest,
        ErrorCode::Internal,
        ErrorCode::Unreachable,
    ];

    /// The code as the wire writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::Locked => "locked",
            ErrorCode::Throttled => "throttled",
            ErrorCode::Conflict => "conflict",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Storage => "storage",
            ErrorCode::Refused => "refused",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Internal => "internal",
            ErrorCode::Unreachable => "unreachable",
        }
    }

    /// The code a wire answer names; an unknown one (a newer server) reads as `Refused`.
    pub fn parse(s: &str) -> ErrorCode {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == s).unwrap_or(ErrorCode::Refused)
    }

    /// The HTTP status the hall server answers with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::Unauthorized => 401,
            ErrorCode::Forbidden | ErrorCode::Locked => 403,
            ErrorCode::Throttled => 429,
            ErrorCode::Conflict => 409,
            ErrorCode::NotFound => 404,
            ErrorCode::Storage | ErrorCode::Unreachable => 503,
            ErrorCode::Refused => 422,
            ErrorCode::BadRequest => 400,
            ErrorCode::Internal => 500,
        }
    }
}

/// Why a setting (or a value typed for one) is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingWhy {
    /// Not a UTC offset such as +08:00.
    NotAnOffset(String),
    /// Not a whole number in `min..=max`; `unit` says of what (zh, en).
    OutOfRange { value: String, min: u32, max: u32, unit: (&'static str, &'static str) },
    /// No such setting; the known ones.
    Unknown(Vec<&'static str>),
    /// Not a date such as 2026-11-30.
    NotADate(String),
    /// Not a printer's name: empty of meaning, longer than 127 characters, with a control
    /// character, or starting with `-` (CUPS's limit and rules, RFC 8011 printer-name).
    NotAPrinterName(String),
    /// Not a 12-digit statistical division code of a township or village.
    NotAHallCode(String),
    /// The hall has sent records to the town under its code: changing it would split its
    /// history in two.
    HallCodeSynced(String),
    /// Not one of the setting's values (the value typed, the values allowed).
    NotOneOf(String, &'static [&'static str]),
    /// Not a call text: it must say `{number}`, in at most 60 characters.
    NotACallText(String),
    /// Not quiet hours such as 12:00-14:00.
    NotQuietHours(String),
}

impl SettingWhy {
    pub fn text(&self, lang: Lang) -> String {
        match (self, lang) {
            (SettingWhy::NotAnOffset(v), Lang::Zh) => format!("「{v}」不是 +08:00 这样的时区偏移"),
            (SettingWhy::NotAnOffset(v), Lang::En) => format!("'{v}' is not an offset like +08:00"),
            (SettingWhy::OutOfRange { value, min, max, unit }, Lang::Zh) => {
                format!("「{value}」不是 {min}–{max} {}", unit.0)
            }
            (SettingWhy::OutOfRange { value, min, max, unit }, Lang::En) => {
                format!("'{value}' is not {min}–{max} {}", unit.1)
            }
            (SettingWhy::Unknown(keys), Lang::Zh) => format!("没有这个设置；可设置的有：{}", keys.join("、")),
            (SettingWhy::Unknown(keys), Lang::En) => format!("unknown setting; known: {}", keys.join(", ")),
            (SettingWhy::NotADate(v), Lang::Zh) => format!("「{v}」不是 2026-11-30 这样的日期"),
            (SettingWhy::NotADate(v), Lang::En) => format!("'{v}' is not a date such as 2026-11-30"),
            (SettingWhy::NotAHallCode(v), Lang::Zh) => {
                format!("「{v}」不是 12 位统计用区划代码（乡镇或村，如 430822101000）")
            }
            (SettingWhy::NotAHallCode(v), Lang::En) => {
                format!(
                    "'{v}' is not a 12-digit statistical division code of a township or village (e.g. 430822101000)"
                )
            }
            (SettingWhy::HallCodeSynced(v), Lang::Zh) => {
                format!("本大厅已用代码 {v} 向镇里同步过记录，不能再改（改了会把大厅的历史分成两半）")
            }
            (SettingWhy::HallCodeSynced(v), Lang::En) => {
                format!(
                    "this hall has synced its records to the town as {v}; the code cannot change (it would split the hall's history)"
                )
            }
            (SettingWhy::NotOneOf(v, allowed), Lang::Zh) => format!("「{v}」不可用；可用的值：{}", allowed.join("、")),
            (SettingWhy::NotOneOf(v, allowed), Lang::En) => {
                format!("'{v}' is not allowed; the values are: {}", allowed.join(", "))
            }
            (SettingWhy::NotACallText(v), Lang::Zh) => format!(
                "「{v}」不能作叫号语：须含 {{number}}（号码），可含 {{window}}（窗口）、{{name}}（遮挡的姓名），最多 60 个字"
            ),
            (SettingWhy::NotACallText(v), Lang::En) => format!(
                "'{v}' cannot be the call text: it must contain {{number}}, may contain {{window}} and {{name}} (masked), at most 60 characters"
            ),
            (SettingWhy::NotQuietHours(v), Lang::Zh) => {
                format!("「{v}」不是 12:00-14:00 这样的静音时段（留空：不静音）")
            }
            (SettingWhy::NotQuietHours(v), Lang::En) => {
                format!("'{v}' is not quiet hours such as 12:00-14:00 (empty: never quiet)")
            }
            (SettingWhy::NotAPrinterName(v), Lang::Zh) => {
                format!("「{v}」不是打印机名称（最多 127 个字符，不含控制字符，不以 - 开头；lpstat -p 可列出打印机）")
            }
            (SettingWhy::NotAPrinterName(v), Lang::En) => format!(
                "'{v}' is not a printer name (at most 127 characters, no control characters, not starting with -; lpstat -p lists the printers)"
            ),
        }
    }
}

fn period_en(from: time::Date, to: time::Date, too_long: bool) -> String {
    if !too_long {
        return format!("the period starts after it ends: {from} > {to}");
    }
    format!(
        "one report or export covers at most three years ({} days); split it, e.g. --from {from} --to {} first, then on from there",
        crate::report::MAX_PERIOD_DAYS,
        from + time::Duration::days(crate::report::MAX_PERIOD_DAYS - 1)
    )
}

impl Localized for DeskError {
    fn localized(&self, lang: Lang) -> String {
        use DeskError::*;
        match self {
            Store(e) => e.localized(lang),
            Transition(e) => e.localized(lang),
            Text(e) => e.localized(lang),
            Account(e) => e.localized(lang),
            Id(e) => e.localized(lang),
            ProxyId(e) => match lang {
                Lang::Zh => format!("代办人{}", e.localized(lang)),
                Lang::En => self.to_string(),
            },
            Phone(e) => e.localized(lang),
            Remote { message, .. } => message.clone(),
            _ if lang == Lang::En => self.to_string(),
            UnknownItem(s) => format!("没有事项「{s}」，请用 `yimen catalog list` 查看事项清单"),
            ItemGone(s) => format!("此办件的事项 {s} 已不在事项清单中"),
            UnknownCategory(s) => format!("没有业务类别「{s}」，请用字母（如 A）或名称（如 民政）"),
            NotFound(s) => format!("找不到办件 {s}"),
            BadRef(s) => format!("「{s}」不是办件：请填取号时给出的办件编号、今天的号码（如 A012）或 2026-11-29/A012"),
            NoOneWaiting(s) => format!("当前没有人在等候{s}"),
            NoClerk => "请用 --clerk 姓名 或环境变量 YIMEN_CLERK 说明是哪位工作人员在操作".into(),
            Clock(e) => format!("时间设置有误：{}", e.text(true)),
            Catalog(e) => format!("事项清单文件有误：{}", e.text(lang)),
            DemoRefused(p, n) => {
                format!("{p} 是大厅自己的数据库（{n} 条办件）；演示数据只能建在单独的文件里（请另指定 --db）")
            }
            NoSlip(n) => format!("{n} 未经受理，没有受理回执（受理后才有受理回执）"),
            NoSuchPaper(n, zh, _) => format!("{n} 没有可打印的{zh}"),
            Calendar(why) => format!("节假日文件有误：{}", why.localized(lang)),
            Setting(k, why) => format!("设置 {k} 有误：{}", why.text(lang)),
            Io(s) => s.clone(),
            Period(from, to, false) => format!("开始日期晚于结束日期：{from} > {to}"),
            Period(from, _, true) => format!(
                "一次最多统计或导出三年（{} 天）；请分段进行，例如先 --from {from} --to {}，再接着往后",
                crate::report::MAX_PERIOD_DAYS,
                *from + time::Duration::days(crate::report::MAX_PERIOD_DAYS - 1)
            ),
            ExistsNeedsForce(p) => format!(
                "{} 已存在；加 --force 才会替换（原文件保留在旁边，名为 {}.replaced-…）",
                p.display(),
                p.display()
            ),
            KeyReused => "此 Idempotency-Key 已用于另一个请求；新的请求请用新的 key".into(),
            Unreachable(url, why) => format!("连不上大厅服务器 {url}（{why}），请确认服务器在运行"),
            Device(why) => why.text(lang),
        }
    }
}
