//! The ticket: one record that follows a citizen from the queue number through the case
//! (受理 → 办结) to the rating. Every change is a transition that returns the new ticket and
//! the event that records it, or a typed error that says why not. Nothing is overwritten in
//! place by a front end; the store keeps every event.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use super::calendar::{Calendar, Deadline, Light};
use super::catalog::{Kind, ServiceItem};
use super::citizen::{Citizen, Proxy};
use super::lang::{Lang, Localized};
use super::queue::{Priority, QueueNumber};

pub type TicketId = u64;

/// A ticket's state; see the table in docs/architecture.md (from domain.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Waiting,
    Called,
    NoShow,
    Accepted,
    Suspended,
    Transferred,
    Completed,
    Rejected,
    Withdrawn,
    Terminated,
    /// 已告知未受理: the visit ended with the one-time notice of missing materials. The
    /// citizen did not withdraw; the hall could not accept yet. (Visits closed this way
    /// before this state existed stay `Withdrawn` with their `notice` list.)
    Notified,
}

impl Status {
    pub const ALL: [Status; 11] = [
        Status::Waiting,
        Status::Called,
        Status::NoShow,
        Status::Accepted,
        Status::Suspended,
        Status::Transferred,
        Status::Completed,
        Status::Rejected,
        Status::Withdrawn,
        Status::Terminated,
        Status::Notified,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Status::Waiting => "waiting",
            Status::Called => "called",
            Status::NoShow => "no_show",
            Status::Accepted => "accepted",
            Status::Suspended => "suspended",
            Status::Transferred => "transferred",
            Status::Completed => "completed",
            Status::Rejected => "rejected",
            Status::Withdrawn => "withdrawn",
            Status::Terminated => "terminated",
            Status::Notified => "notified",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Status::Waiting => lang.pick("待叫号", "waiting"),
            Status::Called => lang.pick("已叫号", "called"),
            Status::NoShow => lang.pick("过号", "no-show"),
            Status::Accepted => lang.pick("办理中", "accepted"),
            Status::Suspended => lang.pick("挂起", "suspended"),
            Status::Transferred => lang.pick("已转办", "transferred"),
            Status::Completed => lang.pick("已办结", "completed"),
            Status::Rejected => lang.pick("不予受理", "rejected"),
            Status::Withdrawn => lang.pick("已撤回", "withdrawn"),
            Status::Terminated => lang.pick("已终止", "terminated"),
            Status::Notified => lang.pick("已告知未受理", "notified, not accepted"),
        }
    }

    /// An accepted case not yet closed: it has a deadline to watch.
    pub fn is_open_case(self) -> bool {
        matches!(self, Status::Accepted | Status::Suspended | Status::Transferred)
    }

    /// No further transition is possible (except a supervisor's reopen of a completed case).
    pub fn is_closed(self) -> bool {
        matches!(self, Status::Completed | Status::Rejected | Status::Withdrawn | Status::Terminated | Status::Notified)
    }
}

/// What a clerk did; every event names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Take,
    Call,
    Recall,
    NoShow,
    Requeue,
    Accept,
    Suspend,
    Resume,
    Transfer,
    Complete,
    Reject,
    Withdraw,
    Terminate,
    Supply,
    Rate,
    Reopen,
    /// 一次性告知: key materials are missing; the citizen gets the complete list in writing
    /// and the visit ends without acceptance (closed as `Notified`, with the list as reason).
    Notice,
    /// The hall's own events (ticket id 0; their `from`/`to` carry no meaning): a wrong PIN,
    /// a lockout, an account created or changed.
    SignInFailed,
    Lockout,
    Account,
    /// Full ID numbers shown outside the case detail (an export that asked for them).
    Reveal,
    /// A step of the supervisor's 差评 follow-up.
    FollowUp,
    /// A supervisor hands a case to another clerk.
    Reassign,
    /// The hall's own event: a year of holidays imported (`yimen calendar import`).
    CalendarImport,
    /// 更正: a mistyped name, ID number, phone, village or proxy detail is put right, with
    /// the value before and after and the reason in the event.
    Correct,
}

impl Action {
    pub fn code(self) -> &'static str {
        match self {
            Action::Take => "take",
            Action::Call => "call",
            Action::Recall => "recall",
            Action::NoShow => "noshow",
            Action::Requeue => "requeue",
            Action::Accept => "accept",
            Action::Suspend => "suspend",
            Action::Resume => "resume",
            Action::Transfer => "transfer",
            Action::Complete => "complete",
            Action::Reject => "reject",
            Action::Withdraw => "withdraw",
            Action::Terminate => "terminate",
            Action::Supply => "supply",
            Action::Rate => "rate",
            Action::Reopen => "reopen",
            Action::Notice => "notice",
            Action::SignInFailed => "sign_in_failed",
            Action::Lockout => "lockout",
            Action::Account => "account",
            Action::Reveal => "reveal",
            Action::FollowUp => "follow_up",
            Action::Reassign => "reassign",
            Action::Correct => "correct",
            Action::CalendarImport => "calendar",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Action::Take => lang.pick("取号", "take a number"),
            Action::Call => lang.pick("叫号", "call"),
            Action::Recall => lang.pick("重呼", "recall"),
            Action::NoShow => lang.pick("过号", "mark no-show"),
            Action::Requeue => lang.pick("重新排队", "requeue"),
            Action::Accept => lang.pick("受理", "accept"),
            Action::Suspend => lang.pick("挂起", "suspend"),
            Action::Resume => lang.pick("恢复办理", "resume"),
            Action::Transfer => lang.pick("转办", "transfer"),
            Action::Complete => lang.pick("办结", "complete"),
            Action::Reject => lang.pick("不予受理", "reject"),
            Action::Withdraw => lang.pick("撤回", "withdraw"),
            Action::Terminate => lang.pick("终止", "terminate"),
            Action::Supply => lang.pick("补齐容缺材料", "supply a deferred material"),
            Action::Rate => lang.pick("评价", "rate"),
            Action::Reopen => lang.pick("重新办理", "reopen"),
            Action::Notice => lang.pick("一次性告知", "one-time notice"),
            Action::SignInFailed => lang.pick("登录失败", "failed sign-in"),
            Action::Lockout => lang.pick("账号锁定", "lockout"),
            Action::Account => lang.pick("账号变更", "account change"),
            Action::Reveal => lang.pick("查看完整身份证号", "full ID numbers shown"),
            Action::FollowUp => lang.pick("差评回访", "follow-up"),
            Action::Reassign => lang.pick("改派", "reassign"),
            Action::Correct => lang.pick("更正", "correct"),
            Action::CalendarImport => lang.pick("导入节假日安排", "holidays imported"),
        }
    }

    /// The actions a ticket in `status` allows (the domain table). Some also have conditions
    /// checked by the transition itself (e.g. completing from Called needs an on-the-spot item).
    pub fn allowed_from(status: Status) -> &'static [Action] {
        use Action::*;
        match status {
            // A typo is put right in any state, a closed case's included: the record stays
            // honest, and the correction is an event like any other.
            Status::Waiting => &[Call, Withdraw, Correct],
            Status::Called => &[Recall, NoShow, Accept, Complete, Reject, Withdraw, Notice, Reassign, Correct],
            Status::NoShow => &[Requeue, Withdraw, Correct],
            Status::Accepted => {
                &[Suspend, Transfer, Complete, Reject, Withdraw, Terminate, Supply, Reassign, FollowUp, Correct]
            }
            Status::Suspended => &[Resume, Withdraw, Terminate, Supply, Reassign, Correct],
            Status::Transferred => &[Complete, Reject, Supply, Reassign, Correct],
            Status::Completed => &[Rate, Reopen, FollowUp, Correct],
            Status::Rejected | Status::Withdrawn | Status::Terminated | Status::Notified => &[Correct],
        }
    }
}

/// A field of a ticket's personal data that a 更正 (correction) may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrectField {
    /// The applicant's name.
    Name,
    /// The applicant's resident ID number.
    IdNumber,
    /// The applicant's phone.
    Phone,
    /// The applicant's village or community.
    Village,
    /// The proxy's (代办人) name; emptied, the proxy is removed.
    ProxyName,
    /// The proxy's phone.
    ProxyPhone,
    /// The proxy's resident ID number.
    ProxyIdNumber,
}

impl CorrectField {
    /// Every field, in the order the correction popup lists them.
    pub const ALL: [CorrectField; 7] = [
        CorrectField::Name,
        CorrectField::IdNumber,
        CorrectField::Phone,
        CorrectField::Village,
        CorrectField::ProxyName,
        CorrectField::ProxyPhone,
        CorrectField::ProxyIdNumber,
    ];

    /// The field's name in `lang` (also the note's label, in Chinese).
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            CorrectField::Name => lang.pick("申请人姓名", "applicant's name"),
            CorrectField::IdNumber => lang.pick("身份证号码", "ID number"),
            CorrectField::Phone => lang.pick("联系电话", "phone"),
            CorrectField::Village => lang.pick("村（社区）", "village"),
            CorrectField::ProxyName => lang.pick("代办人姓名", "proxy's name"),
            CorrectField::ProxyPhone => lang.pick("代办人电话", "proxy's phone"),
            CorrectField::ProxyIdNumber => lang.pick("代办人身份证号码", "proxy's ID number"),
        }
    }

    /// The field's name in the API and the command line (`id_number`).
    pub fn code(self) -> &'static str {
        match self {
            CorrectField::Name => "name",
            CorrectField::IdNumber => "id_number",
            CorrectField::Phone => "phone",
            CorrectField::Village => "village",
            CorrectField::ProxyName => "proxy_name",
            CorrectField::ProxyPhone => "proxy_phone",
            CorrectField::ProxyIdNumber => "proxy_id_number",
        }
    }

    /// Whether the field holds a number masked for clerks (ID numbers and phones).
    pub fn is_personal_number(self) -> bool {
        matches!(
            self,
            CorrectField::IdNumber | CorrectField::Phone | CorrectField::ProxyPhone | CorrectField::ProxyIdNumber
        )
    }

    /// The field's value on `t` as text (`None`: empty).
    pub fn value_on(self, t: &Ticket) -> Option<String> {
        let c = &t.citizen;
        let p = t.proxy.as_ref();
        match self {
            CorrectField::Name => c.name.clone(),
            CorrectField::IdNumber => c.id_number.as_ref().map(ToString::to_string),
            CorrectField::Phone => c.phone.as_ref().map(|x| x.as_str().to_string()),
            CorrectField::Village => c.village.clone(),
            CorrectField::ProxyName => p.map(|p| p.name.clone()),
            CorrectField::ProxyPhone => p.and_then(|p| p.phone.as_ref()).map(|x| x.as_str().to_string()),
            CorrectField::ProxyIdNumber => p.and_then(|p| p.id_number.as_ref()).map(ToString::to_string),
        }
    }
}

/// The corrected value of one field, already checked by the application layer (`None`:
/// the field is emptied; an empty proxy name removes the proxy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Corrected {
    /// One variant per `CorrectField`, holding the checked new value.
    Name(Option<String>),
    IdNumber(Option<super::id_number::IdNumber>),
    Phone(Option<super::phone::Phone>),
    Village(Option<String>),
    ProxyName(Option<String>),
    ProxyPhone(Option<super::phone::Phone>),
    ProxyIdNumber(Option<super::id_number::IdNumber>),
}

impl Corrected {
    /// The field the value is for.
    pub fn field(&self) -> CorrectField {
        match self {
            Corrected::Name(_) => CorrectField::Name,
            Corrected::IdNumber(_) => CorrectField::IdNumber,
            Corrected::Phone(_) => CorrectField::Phone,
            Corrected::Village(_) => CorrectField::Village,
            Corrected::ProxyName(_) => CorrectField::ProxyName,
            Corrected::ProxyPhone(_) => CorrectField::ProxyPhone,
            Corrected::ProxyIdNumber(_) => CorrectField::ProxyIdNumber,
        }
    }
}

/// The note of a correction event: `字段：旧值 → 新值；理由` (an empty value is `（空）`).
fn correction_note(field: CorrectField, before: Option<&str>, after: Option<&str>, reason: &str) -> String {
    CorrectionNote { field, before, after, reason }.with_values(str::to_string)
}

const EMPTY_VALUE: &str = "（空）";

/// A correction event's note read back (the shape `字段：旧值 → 新值；理由` it is written in):
/// the field, the values before and after (`None`: empty), the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CorrectionNote<'a> {
    pub field: CorrectField,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
    pub reason: &'a str,
}

impl<'a> CorrectionNote<'a> {
    /// `None` for a note not in a correction's shape.
    pub fn parse(note: &'a str) -> Option<CorrectionNote<'a>> {
        let (label, rest) = note.split_once('：')?;
        let field = CorrectField::ALL.into_iter().find(|f| f.label(Lang::Zh) == label)?;
        let (values, reason) = rest.split_once('；').unwrap_or((rest, ""));
        let (before, after) = values.split_once(" → ")?;
        let value = |v: &'a str| (v != EMPTY_VALUE).then_some(v);
        Some(CorrectionNote { field, before: value(before), after: value(after), reason })
    }

    /// The note with each value as `show` gives it (masked, say); an empty one stays `（空）`.
    pub fn with_values(&self, show: impl Fn(&str) -> String) -> String {
        let v = |x: Option<&str>| x.map(&show).unwrap_or_else(|| EMPTY_VALUE.to_string());
        format!("{}：{} → {}；{}", self.field.label(Lang::Zh), v(self.before), v(self.after), self.reason)
    }
}

/// A correction event's note as a clerk may see it: an ID number's or a phone's values
/// before and after masked like everywhere else (docs/security.md); other notes unchanged.
pub fn mask_correction_note(note: &str) -> String {
    match CorrectionNote::parse(note) {
        Some(c) if c.field.is_personal_number() => c.with_values(|v| {
            if matches!(c.field, CorrectField::IdNumber | CorrectField::ProxyIdNumber) {
                super::mask::id_number(v)
            } else {
                super::mask::phone(v)
            }
        }),
        _ => note.to_string(),
    }
}

/// Why a case is suspended; the clock pauses while it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuspendReason {
    /// 待补正: waiting for materials.
    Materials,
    /// 公示中: the village public notice (at least 7 days).
    Notice,
    /// 鉴定评审: an assessment or review.
    Assessment,
}

impl SuspendReason {
    pub const ALL: [SuspendReason; 3] = [SuspendReason::Materials, SuspendReason::Notice, SuspendReason::Assessment];

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            SuspendReason::Materials => lang.pick("待补正", "waiting for materials"),
            SuspendReason::Notice => lang.pick("公示中", "public notice"),
            SuspendReason::Assessment => lang.pick("鉴定评审", "assessment"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspension {
    pub reason: SuspendReason,
    #[serde(default)]
    pub missing: Vec<String>,
    #[serde(with = "crate::wire_time::moment")]
    pub since: OffsetDateTime,
    #[serde(with = "crate::wire_time::day")]
    pub since_date: Date,
}

/// A material accepted as missing (容缺) with the date it must be brought by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deferred {
    pub material: String,
    #[serde(with = "crate::wire_time::day")]
    pub due: Date,
    #[serde(default, with = "crate::wire_time::moment_opt")]
    pub supplied_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    /// 1 非常不满意 … 5 非常满意.
    pub score: u8,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(with = "crate::wire_time::moment")]
    pub at: OffsetDateTime,
    /// For 差评 (1–2): the date the supervisor's follow-up must be done by.
    #[serde(default, with = "crate::wire_time::day_opt")]
    pub follow_up_due: Option<Date>,
    /// The follow-up steps done so far, in order.
    #[serde(default)]
    pub follow_up: Vec<FollowUpStep>,
    /// Who pressed it: the citizen on the window's pad, or the clerk keying it in for them.
    /// Absent in records made before pads existed, which were all keyed.
    #[serde(default, skip_serializing_if = "RatingSource::is_keyed")]
    pub source: RatingSource,
    /// For a 差评: the reasons the citizen chose (GB/T 39734-2020's categories).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<BadReason>,
}

/// Who pressed a rating (domain.md, "Who presses the rating"): the citizen on the 评价器 at the
/// window, or the clerk, keying in what the citizen said where the window has no pad. A 好差评
/// audit asks for the share of keyed ratings per clerk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingSource {
    /// Keyed in by the clerk (the CLI's `rate`, the interface's rating keys).
    #[default]
    Keyed,
    /// Pressed by the citizen on the window's paired pad.
    Pad,
}

impl RatingSource {
    pub fn is_keyed(&self) -> bool {
        *self == RatingSource::Keyed
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            RatingSource::Keyed => lang.pick("窗口录入", "keyed by clerk"),
            RatingSource::Pad => lang.pick("评价器", "rating pad"),
        }
    }
}

/// Why a citizen gave a 差评: the categories of the 好差评 standard's appendix (GB/T
/// 39734-2020 政务服务评价工作指南; domain.md, "Reasons for a 差评").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BadReason {
    /// 服务态度.
    Attitude,
    /// 办事效率.
    Efficiency,
    /// 办事流程、材料要求.
    Process,
    /// 政策解释.
    Policy,
    /// 服务环境、设施.
    Environment,
    /// 其他.
    Other,
}

impl BadReason {
    pub const ALL: [BadReason; 6] = [
        BadReason::Attitude,
        BadReason::Efficiency,
        BadReason::Process,
        BadReason::Policy,
        BadReason::Environment,
        BadReason::Other,
    ];

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            BadReason::Attitude => lang.pick("服务态度", "attitude"),
            BadReason::Efficiency => lang.pick("办事效率", "efficiency"),
            BadReason::Process => lang.pick("办事流程、材料要求", "process and materials"),
            BadReason::Policy => lang.pick("政策解释", "policy explanation"),
            BadReason::Environment => lang.pick("服务环境、设施", "environment and facilities"),
            BadReason::Other => lang.pick("其他", "other"),
        }
    }
}

/// The supervisor's follow-up of a 差评: 回访 (call back) → 核实 (verify) → 整改 (fix) →
/// 反馈 (report back), in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUp {
    Callback,
    Verify,
    Fix,
    Report,
}

impl FollowUp {
    pub const ORDER: [FollowUp; 4] = [FollowUp::Callback, FollowUp::Verify, FollowUp::Fix, FollowUp::Report];

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            FollowUp::Callback => lang.pick("回访", "call back"),
            FollowUp::Verify => lang.pick("核实", "verify"),
            FollowUp::Fix => lang.pick("整改", "fix"),
            FollowUp::Report => lang.pick("反馈", "report back"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpStep {
    pub step: FollowUp,
    #[serde(with = "crate::wire_time::moment")]
    pub at: OffsetDateTime,
    pub clerk: String,
    pub note: String,
}

impl Rating {
    /// The score a clerk is shown in place of the real one: who rated what is confidential,
    /// and a clerk sees ratings only in aggregate (supervisors see them whole).
    pub const WITHHELD: u8 = 0;

    pub fn is_bad(&self) -> bool {
        (1..=2).contains(&self.score)
    }

    /// Keeps only that the visit was rated, and when.
    pub fn withhold(&mut self) {
        self.score = Rating::WITHHELD;
        self.comment = None;
        self.follow_up_due = None;
        self.follow_up.clear();
        self.reasons.clear();
        // Keyed or pressed is the supervisor's figure per clerk; a clerk's view of one visit
        // does not need it.
        self.source = RatingSource::Keyed;
    }

    pub fn is_withheld(&self) -> bool {
        self.score == Rating::WITHHELD
    }

    /// "2 不满意", or that it is withheld.
    pub fn text(&self, lang: Lang) -> String {
        if self.is_withheld() {
            lang.pick("已评价（评价内容仅大厅负责人可见）", "rated (shown to supervisors only)").to_string()
        } else {
            format!("{} {}", self.score, Rating::level_label(self.score, lang))
        }
    }

    /// A 差评 whose follow-up has not reached 反馈 yet.
    pub fn awaits_follow_up(&self) -> bool {
        self.is_bad() && !self.follow_up.iter().any(|s| s.step == FollowUp::Report)
    }

    pub fn level_label(score: u8, lang: Lang) -> &'static str {
        match score {
            5 => lang.pick("非常满意", "very satisfied"),
            4 => lang.pick("满意", "satisfied"),
            3 => lang.pick("基本满意", "fairly satisfied"),
            2 => lang.pick("不满意", "dissatisfied"),
            _ => lang.pick("非常不满意", "very dissatisfied"),
        }
    }
}

/// One record per visit and case. Fields added later must carry `#[serde(default)]` so old
/// records still read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: TicketId,
    pub number: QueueNumber,
    /// The hall's local date the number was taken on; the day the ticket counts on.
    #[serde(with = "crate::wire_time::day")]
    pub date: Date,
    pub item: String,
    pub item_name: String,
    pub category: String,
    pub kind: Kind,
    /// Promised working days, copied from the catalog when the number was taken.
    pub days: u32,
    #[serde(default)]
    pub priority: Option<Priority>,
    /// The priority was chosen by the citizen at the kiosk and no clerk has seen the proof yet
    /// (待核验). Accepting the case (受理) at the desk confirms it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub priority_unverified: bool,
    pub status: Status,
    #[serde(default)]
    pub citizen: Citizen,
    #[serde(default)]
    pub proxy: Option<Proxy>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub window: Option<String>,
    /// The clerk who called, accepted or last handled the case.
    #[serde(default)]
    pub clerk: Option<String>,
    #[serde(with = "crate::wire_time::moment")]
    pub taken_at: OffsetDateTime,
    /// Where it stands in the queue: taken, or requeued, at this time.
    #[serde(with = "crate::wire_time::moment")]
    pub queued_at: OffsetDateTime,
    #[serde(default, with = "crate::wire_time::moment_opt")]
    pub called_at: Option<OffsetDateTime>,
    #[serde(default)]
    pub recalls: u8,
    /// The latest call or recall (`called_at` keeps the first): what the display board orders
    /// its calls by, so a recall, or a no-show called again, is the newest call. Absent in
    /// records made before the board needed it.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::wire_time::moment_opt")]
    pub last_called_at: Option<OffsetDateTime>,
    #[serde(default, with = "crate::wire_time::moment_opt")]
    pub accepted_at: Option<OffsetDateTime>,
    #[serde(default, with = "crate::wire_time::day_opt")]
    pub accepted_on: Option<Date>,
    #[serde(default)]
    pub deadline: Option<Deadline>,
    /// Working days the clock stood still during past suspensions.
    #[serde(default)]
    pub paused_days: u32,
    #[serde(default)]
    pub suspension: Option<Suspension>,
    #[serde(default)]
    pub deferred: Vec<Deferred>,
    #[serde(default)]
    pub transferred_to: Option<String>,
    #[serde(default, with = "crate::wire_time::moment_opt")]
    pub transferred_at: Option<OffsetDateTime>,
    #[serde(default, with = "crate::wire_time::moment_opt")]
    pub completed_at: Option<OffsetDateTime>,
    /// When it reached a closed state (completed, rejected, withdrawn, terminated).
    #[serde(default, with = "crate::wire_time::moment_opt")]
    pub closed_at: Option<OffsetDateTime>,
    #[serde(default)]
    pub close_reason: Option<String>,
    /// The materials listed on the one-time notice, when the visit ended with one.
    #[serde(default)]
    pub notice: Vec<String>,
    #[serde(default)]
    pub rating: Option<Rating>,
    /// How many events the ticket has; the next event's sequence number.
    pub events: u32,
}

/// Who acts, when, where, and the facts a transition needs from outside the ticket.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub at: OffsetDateTime,
    /// The hall's local date at `at`.
    pub today: Date,
    pub clerk: String,
    pub window: Option<String>,
    pub calendar: &'a Calendar,
    /// True when "now" came from `YIMEN_NOW`; recorded in the event.
    pub clock_override: bool,
}

/// The record of one transition. Events are appended, never changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub ticket: TicketId,
    pub seq: u32,
    #[serde(with = "crate::wire_time::moment")]
    pub at: OffsetDateTime,
    #[serde(default)]
    pub clock_override: bool,
    pub clerk: String,
    #[serde(default)]
    pub window: Option<String>,
    pub action: Action,
    #[serde(default)]
    pub from: Option<Status>,
    pub to: Status,
    #[serde(default)]
    pub note: Option<String>,
    /// The hash of the event before this one in the hall's audit chain (hex; set by the store).
    #[serde(default)]
    pub prev: String,
    /// SHA-256 over `prev` and this event's canonical encoding (hex; set by the store).
    #[serde(default)]
    pub hash: String,
    /// SHA-256 of the ticket's stored record as it stands after this event (hex; set by the
    /// store from data version 7 on; `None` on older events and on the hall's own events). It
    /// is inside the hashed encoding, so the chain covers what reports read, not only what
    /// happened (`audit verify` compares it with the stored record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

impl Event {
    /// Event `seq` of `ticket`, made now by the clerk and at the window of `ctx`; not yet
    /// sealed: the store fills `prev`, `hash` and `state` when it appends it to the chain.
    pub fn unsealed(
        ctx: &Context<'_>,
        ticket: TicketId,
        seq: u32,
        action: Action,
        from: Option<Status>,
        to: Status,
        note: Option<String>,
    ) -> Event {
        Event {
            ticket,
            seq,
            at: ctx.at,
            clock_override: ctx.clock_override,
            clerk: ctx.clerk.clone(),
            window: ctx.window.clone(),
            action,
            from,
            to,
            note,
            prev: String::new(),
            hash: String::new(),
            state: None,
        }
    }

    /// The event's note in `lang`. The note is stored as written (Chinese for what the
    /// program itself writes: 容缺, 一次性告知, a suspension's reason, a correction's field);
    /// in English those parts are said in English and what a clerk typed is kept as typed.
    pub fn note_in(&self, lang: Lang) -> Option<String> {
        let note = self.note.clone()?;
        if lang == Lang::Zh {
            return Some(note);
        }
        let mut s = note;
        let mut swap = |zh: &str, en: &str| s = s.replace(zh, en);
        match self.action {
            Action::Accept => {
                swap("事项：", "item: ");
                swap("容缺：", "deferred: ");
                swap("，补齐期限 ", ", bring by ");
            }
            Action::Suspend => {
                for r in SuspendReason::ALL {
                    swap(r.label(Lang::Zh), r.label(Lang::En));
                }
            }
            Action::Resume => {
                swap("暂停 ", "paused ");
                swap(" 个工作日", " working days");
            }
            Action::Transfer => {
                swap("（", " (");
                swap("）", " working days)");
            }
            Action::Terminate => swap("容缺材料逾期未补齐：", "deferred materials overdue: "),
            Action::Notice => swap("一次性告知：缺 ", "one-time notice: missing "),
            Action::FollowUp => {
                for f in FollowUp::ORDER {
                    swap(&format!("{}：", f.label(Lang::Zh)), &format!("{}: ", f.label(Lang::En)));
                }
            }
            Action::Correct => {
                // The longest label first: 代办人身份证号码 before 身份证号码.
                let mut fields = CorrectField::ALL;
                fields.sort_by_key(|f| std::cmp::Reverse(f.label(Lang::Zh).chars().count()));
                for f in fields {
                    swap(&format!("{}：", f.label(Lang::Zh)), &format!("{}: ", f.label(Lang::En)));
                }
                swap(EMPTY_VALUE, "(empty)");
            }
            _ => {}
        }
        swap("；", "; ");
        swap("、", ", ");
        swap("：", ": ");
        Some(s)
    }
}

/// A request to change a ticket. Text in it is already validated by the application layer.
#[derive(Debug, Clone)]
pub enum Command<'a> {
    Call { window: String },
    Recall,
    NoShow,
    Requeue,
    Accept { item: &'a ServiceItem, citizen: Citizen, proxy: Option<Proxy>, deferred: Vec<String>, make_good_days: u32 },
    Suspend { reason: SuspendReason, missing: Vec<String>, note: Option<String> },
    Resume,
    Transfer { to: String, days: Option<u32> },
    Complete { note: Option<String> },
    Reject { reason: String },
    Withdraw { reason: String },
    Terminate { note: Option<String> },
    Supply { material: String },
    Rate { score: u8, comment: Option<String>, follow_up_days: u32, source: RatingSource, reasons: Vec<BadReason> },
    Reopen { reason: String },
    Notice { missing: Vec<String> },
    FollowUp { step: FollowUp, note: String },
    Reassign { to: String },
    Correct { to: Corrected, reason: String },
}

impl Command<'_> {
    pub fn action(&self) -> Action {
        match self {
            Command::Call { .. } => Action::Call,
            Command::Recall => Action::Recall,
            Command::NoShow => Action::NoShow,
            Command::Requeue => Action::Requeue,
            Command::Accept { .. } => Action::Accept,
            Command::Suspend { .. } => Action::Suspend,
            Command::Resume => Action::Resume,
            Command::Transfer { .. } => Action::Transfer,
            Command::Complete { .. } => Action::Complete,
            Command::Reject { .. } => Action::Reject,
            Command::Withdraw { .. } => Action::Withdraw,
            Command::Terminate { .. } => Action::Terminate,
            Command::Supply { .. } => Action::Supply,
            Command::Rate { .. } => Action::Rate,
            Command::Reopen { .. } => Action::Reopen,
            Command::Notice { .. } => Action::Notice,
            Command::FollowUp { .. } => Action::FollowUp,
            Command::Reassign { .. } => Action::Reassign,
            Command::Correct { .. } => Action::Correct,
        }
    }
}

/// Most recalls before a no-show must be decided.
pub const MAX_RECALLS: u8 = 3;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("{number} is {status}, so it cannot {action} ({now})", status = .status.label(Lang::En), action = .action.label(Lang::En), now = allowed_en(.allowed))]
    NotAllowed { number: QueueNumber, action: Action, status: Status, allowed: Vec<Action> },
    #[error(
        "{number} was never accepted, so it cannot be completed (only on-the-spot items complete straight from a call)"
    )]
    NeverAccepted { number: QueueNumber },
    #[error("{number} has not been recalled yet; recall it at least once before marking a no-show")]
    NotRecalled { number: QueueNumber },
    #[error("{number} has been recalled {MAX_RECALLS} times already; mark it a no-show")]
    TooManyRecalls { number: QueueNumber },
    #[error("{number} has already been rated (one rating per visit)")]
    AlreadyRated { number: QueueNumber },
    #[error("a rating is a whole number from 1 to 5, not {0}")]
    Score(u8),
    #[error("the applicant's {0} is needed to accept this item")]
    MissingApplicant(ApplicantField),
    #[error("{item} has no material called {material}")]
    UnknownMaterial { item: String, material: String },
    #[error("{material} is a key material and cannot be deferred; give the one-time notice instead")]
    NotDeferrable { material: String },
    #[error("{number} owes no deferred material called {material}")]
    NotOwed { number: QueueNumber, material: String },
    #[error("{number} still owes deferred materials ({materials}); they must be supplied before it is completed")]
    StillOwed { number: QueueNumber, materials: String },
    #[error("{number} can be terminated only when a deferred (容缺) material is past its make-good date")]
    NothingOverdue { number: QueueNumber },
    #[error("a suspension for materials must list what is missing (--missing)")]
    NothingMissing,
    #[error("{number} has no bad rating awaiting follow-up")]
    NoFollowUp { number: QueueNumber },
    #[error("the follow-up of {number} goes call back, verify, fix, report back; next is {next}")]
    FollowUpOrder { number: QueueNumber, next: &'static str },
    #[error("{number} has no proxy; give the proxy's name first")]
    NoProxy { number: QueueNumber },
    #[error("the proxy of {number} still has a phone or ID number on record; clear those first")]
    ProxyDetailsFirst { number: QueueNumber },
    #[error("the {} of {number} is already that; nothing to correct", .field.label(Lang::En))]
    Unchanged { number: QueueNumber, field: CorrectField },
}

fn allowed_en(allowed: &[Action]) -> String {
    if allowed.is_empty() {
        "it is closed".into()
    } else {
        format!("now possible: {}", allowed.iter().map(|a| a.label(Lang::En)).collect::<Vec<_>>().join(", "))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicantField {
    Name,
    IdNumber,
}

impl std::fmt::Display for ApplicantField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ApplicantField::Name => "name",
            ApplicantField::IdNumber => "ID number",
        })
    }
}

impl Localized for TransitionError {
    fn localized(&self, lang: Lang) -> String {
        use TransitionError::*;
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            NotAllowed { number, action, status, allowed } => {
                let allowed: Vec<&str> = allowed.iter().map(|a| a.label(lang)).collect();
                let now = if allowed.is_empty() {
                    "已结束，不能再操作".to_string()
                } else {
                    format!("现在可以：{}", allowed.join("、"))
                };
                format!("{number} 当前为「{}」，不能{}（{now}）", status.label(lang), action.label(lang))
            }
            NeverAccepted { number } => {
                format!("{number} 尚未受理，不能办结（只有即办件可以叫号后直接办结）")
            }
            NotRecalled { number } => format!("{number} 还没有重呼过，请先重呼再标记过号"),
            TooManyRecalls { number } => format!("{number} 已重呼 {MAX_RECALLS} 次，请标记过号"),
            AlreadyRated { number } => format!("{number} 已经评价过（一次一评）"),
            Score(s) => format!("评价只能是 1 到 5 的整数，不能是 {s}"),
            MissingApplicant(ApplicantField::Name) => "受理前需要填写申请人姓名（--name）".into(),
            MissingApplicant(ApplicantField::IdNumber) => "受理此事项需要申请人身份证号码（--id-number）".into(),
            UnknownMaterial { item, material } => {
                format!("「{item}」的材料清单里没有「{material}」")
            }
            NotDeferrable { material } => {
                format!("「{material}」是必备材料，不能容缺；请出具一次性告知单")
            }
            NotOwed { number, material } => format!("{number} 没有待补齐的容缺材料「{material}」"),
            StillOwed { number, materials } => {
                format!("{number} 还有容缺材料未补齐（{materials}），补齐后才能办结")
            }
            NothingOverdue { number } => format!("{number} 没有超过补齐期限的容缺材料，不能终止"),
            NothingMissing => "因缺材料挂起时必须列出所缺材料（--missing）".into(),
            NoFollowUp { number } => format!("{number} 没有待回访的差评"),
            FollowUpOrder { number, next } => {
                format!("{number} 的差评回访按 回访、核实、整改、反馈 的顺序进行，下一步是「{next}」")
            }
            NoProxy { number } => format!("{number} 没有代办人，请先更正代办人姓名"),
            ProxyDetailsFirst { number } => format!("{number} 的代办人还有电话或证件号码，请先逐项清除"),
            Unchanged { number, field } => format!("{number} 的{}已经是这个值，无需更正", field.label(lang)),
        }
    }
}

impl Ticket {
    /// Where a waiting ticket stands in its queue, smallest first: priority (优先) before the
    /// rest, then by the time it was queued (taken or requeued), then by id. The one order the
    /// store's call index, the kiosk's "前面还有 N 人" and the interface's queue follow.
    pub fn queue_rank(&self) -> (u8, OffsetDateTime, TicketId) {
        (u8::from(self.priority.is_none()), self.queued_at, self.id)
    }

    /// Masks the citizen's and the proxy's ID numbers and phones (what a clerk sees outside a
    /// revealed case; see docs/security.md).
    pub fn mask_personal_data(&mut self) {
        self.citizen.id_number = self.citizen.id_number.as_ref().map(|i| i.masked());
        self.citizen.phone = self.citizen.phone.as_ref().map(|p| p.masked());
        if let Some(p) = &mut self.proxy {
            p.id_number = p.id_number.as_ref().map(|i| i.masked());
            p.phone = p.phone.as_ref().map(|x| x.masked());
        }
    }

    /// A new ticket for a citizen who takes a number. The number is allocated by the store.
    #[allow(clippy::too_many_arguments)]
    pub fn take(
        id: TicketId,
        number: QueueNumber,
        item: &ServiceItem,
        priority: Option<Priority>,
        citizen: Citizen,
        proxy: Option<Proxy>,
        note: Option<String>,
        ctx: &Context<'_>,
    ) -> (Ticket, Event) {
        let ticket = Ticket {
            id,
            number,
            date: ctx.today,
            item: item.code.clone(),
            item_name: item.name.clone(),
            category: item.category.clone(),
            kind: item.kind,
            days: item.days,
            priority,
            priority_unverified: false,
            status: Status::Waiting,
            citizen,
            proxy,
            note: note.clone(),
            window: None,
            clerk: None,
            taken_at: ctx.at,
            queued_at: ctx.at,
            called_at: None,
            recalls: 0,
            last_called_at: None,
            accepted_at: None,
            accepted_on: None,
            deadline: None,
            paused_days: 0,
            suspension: None,
            deferred: Vec::new(),
            transferred_to: None,
            transferred_at: None,
            completed_at: None,
            closed_at: None,
            close_reason: None,
            notice: Vec::new(),
            rating: None,
            events: 1,
        };
        let event = Event::unsealed(ctx, id, 0, Action::Take, None, Status::Waiting, note);
        (ticket, event)
    }

    /// Applies `cmd`, returning the changed ticket and its event, or why it is not allowed.
    /// `self` is never changed.
    pub fn apply(&self, cmd: Command<'_>, ctx: &Context<'_>) -> Result<(Ticket, Event), TransitionError> {
        let action = cmd.action();
        let number = self.number;
        if !Action::allowed_from(self.status).contains(&action) {
            if action == Action::Complete && self.status == Status::Waiting {
                return Err(TransitionError::NeverAccepted { number });
            }
            return Err(TransitionError::NotAllowed {
                number,
                action,
                status: self.status,
                allowed: self.available(ctx.today),
            });
        }
        let mut t = self.clone();
        let mut note: Option<String> = None;
        match cmd {
            Command::Call { window } => {
                t.status = Status::Called;
                t.window = Some(window);
                t.clerk = Some(ctx.clerk.clone());
                t.called_at.get_or_insert(ctx.at);
                t.last_called_at = Some(ctx.at);
                t.recalls = 0;
            }
            Command::Recall => {
                if t.recalls >= MAX_RECALLS {
                    return Err(TransitionError::TooManyRecalls { number });
                }
                t.recalls += 1;
                t.last_called_at = Some(ctx.at);
                note = Some(format!("{}/{MAX_RECALLS}", t.recalls));
            }
            Command::NoShow => {
                if t.recalls == 0 {
                    return Err(TransitionError::NotRecalled { number });
                }
                t.status = Status::NoShow;
            }
            Command::Requeue => {
                t.status = Status::Waiting;
                t.queued_at = ctx.at;
                t.window = None;
                t.recalls = 0;
            }
            Command::Accept { item, citizen, proxy, deferred, make_good_days } => {
                // The clerk checked the priority's proof at the desk before accepting.
                t.priority_unverified = false;
                // The item may be corrected at intake (the citizen took the wrong number's
                // item): the ticket takes the item's name, category, kind and time limit.
                let mut changed_item = None;
                if item.code != t.item {
                    changed_item = Some(format!("事项：{} → {}", t.item_name, item.name));
                    t.item = item.code.clone();
                    t.item_name = item.name.clone();
                    t.category = item.category.clone();
                    t.kind = item.kind;
                    t.days = item.days;
                }
                t.citizen.merge(citizen);
                if let Some(mut p) = proxy {
                    // The same proxy named again without a phone or ID keeps those on record
                    // (a window that saw them masked leaves them out).
                    if let Some(old) = t.proxy.as_ref().filter(|o| o.name == p.name) {
                        p.phone = p.phone.or_else(|| old.phone.clone());
                        p.id_number = p.id_number.or_else(|| old.id_number.clone());
                    }
                    t.proxy = Some(p);
                }
                if t.citizen.name.is_none() {
                    return Err(TransitionError::MissingApplicant(ApplicantField::Name));
                }
                if item.requires_id && t.citizen.id_number.is_none() {
                    return Err(TransitionError::MissingApplicant(ApplicantField::IdNumber));
                }
                let due = ctx.calendar.add_working_days(ctx.today, make_good_days).date;
                let mut owed: Vec<Deferred> = Vec::new();
                for m in deferred {
                    let material = item.material(&m).ok_or_else(|| TransitionError::UnknownMaterial {
                        item: item.name.clone(),
                        material: m.clone(),
                    })?;
                    if !material.may_defer {
                        return Err(TransitionError::NotDeferrable { material: material.name.clone() });
                    }
                    if !owed.iter().any(|d| d.material == material.name) {
                        owed.push(Deferred { material: material.name.clone(), due, supplied_at: None });
                    }
                }
                if !owed.is_empty() {
                    let names: Vec<&str> = owed.iter().map(|d| d.material.as_str()).collect();
                    note = Some(format!("容缺：{}，补齐期限 {due}", names.join("、")));
                }
                if let Some(c) = changed_item {
                    note = Some(match note {
                        Some(n) => format!("{c}；{n}"),
                        None => c,
                    });
                }
                t.deferred = owed;
                t.status = Status::Accepted;
                t.clerk = Some(ctx.clerk.clone());
                if let Some(w) = &ctx.window {
                    t.window = Some(w.clone());
                }
                t.accepted_at = Some(ctx.at);
                t.accepted_on = Some(ctx.today);
                t.deadline = Some(ctx.calendar.add_working_days(ctx.today, t.days));
            }
            Command::Suspend { reason, missing, note: n } => {
                if reason == SuspendReason::Materials && missing.is_empty() {
                    return Err(TransitionError::NothingMissing);
                }
                let mut parts = vec![reason.label(Lang::Zh).to_string()];
                if !missing.is_empty() {
                    parts.push(missing.join("、"));
                }
                if let Some(n) = n {
                    parts.push(n);
                }
                note = Some(parts.join("：")).filter(|s| !s.is_empty());
                t.status = Status::Suspended;
                t.suspension = Some(Suspension { reason, missing, since: ctx.at, since_date: ctx.today });
            }
            Command::Resume => {
                if let Some(s) = t.suspension.take() {
                    let paused = ctx.calendar.working_days_between(s.since_date, ctx.today);
                    t.paused_days += paused;
                    note = Some(format!("暂停 {paused} 个工作日"));
                }
                t.status = Status::Accepted;
                let start = t.accepted_on.unwrap_or(t.date);
                t.deadline = Some(ctx.calendar.add_working_days(start, t.days + t.paused_days));
            }
            Command::Transfer { to, days } => {
                note = Some(match days {
                    Some(d) => format!("{to}（{d}）"),
                    None => to.clone(),
                });
                if let Some(d) = days {
                    t.deadline = Some(ctx.calendar.add_working_days(ctx.today, d));
                }
                t.status = Status::Transferred;
                t.transferred_to = Some(to);
                t.transferred_at = Some(ctx.at);
            }
            Command::Complete { note: n } => {
                if self.status == Status::Called && self.kind != Kind::OnTheSpot {
                    return Err(TransitionError::NeverAccepted { number });
                }
                let owed: Vec<&str> =
                    t.deferred.iter().filter(|d| d.supplied_at.is_none()).map(|d| d.material.as_str()).collect();
                if !owed.is_empty() {
                    return Err(TransitionError::StillOwed { number, materials: owed.join(", ") });
                }
                if self.status == Status::Called {
                    // An on-the-spot item done in the same visit is accepted and completed at once.
                    t.accepted_at = Some(ctx.at);
                    t.accepted_on = Some(ctx.today);
                    t.deadline = Some(Deadline { date: ctx.today, estimated: false });
                }
                t.clerk = Some(ctx.clerk.clone());
                t.status = Status::Completed;
                t.completed_at = Some(ctx.at);
                t.closed_at = Some(ctx.at);
                t.suspension = None;
                note = n;
            }
            Command::Reject { reason } | Command::Withdraw { reason } => {
                t.status = if action == Action::Reject { Status::Rejected } else { Status::Withdrawn };
                t.closed_at = Some(ctx.at);
                t.close_reason = Some(reason.clone());
                t.suspension = None;
                note = Some(reason);
            }
            Command::Terminate { note: n } => {
                let overdue: Vec<&str> = t
                    .deferred
                    .iter()
                    .filter(|d| d.supplied_at.is_none() && d.due < ctx.today)
                    .map(|d| d.material.as_str())
                    .collect();
                if overdue.is_empty() {
                    return Err(TransitionError::NothingOverdue { number });
                }
                let reason = format!("容缺材料逾期未补齐：{}", overdue.join("、"));
                note = Some(match n {
                    Some(n) => format!("{reason}；{n}"),
                    None => reason.clone(),
                });
                t.status = Status::Terminated;
                t.closed_at = Some(ctx.at);
                t.close_reason = Some(reason);
                t.suspension = None;
            }
            Command::Supply { material } => {
                let d = t
                    .deferred
                    .iter_mut()
                    .find(|d| d.material == material && d.supplied_at.is_none())
                    .ok_or_else(|| TransitionError::NotOwed { number, material: material.clone() })?;
                d.supplied_at = Some(ctx.at);
                note = Some(material);
            }
            Command::Rate { score, comment, follow_up_days, source, mut reasons } => {
                if !(1..=5).contains(&score) {
                    return Err(TransitionError::Score(score));
                }
                if t.rating.is_some() {
                    return Err(TransitionError::AlreadyRated { number });
                }
                let follow_up_due = (score <= 2).then(|| ctx.calendar.add_working_days(ctx.today, follow_up_days).date);
                // The event does not carry the score's author beyond the clerk who recorded it;
                // the comment stays in the ticket only.
                note = Some(score.to_string());
                // Reasons belong to a 差评 only; each counts once.
                if score > 2 {
                    reasons.clear();
                }
                reasons.sort_unstable();
                reasons.dedup();
                t.rating =
                    Some(Rating { score, comment, at: ctx.at, follow_up_due, follow_up: Vec::new(), source, reasons });
            }
            Command::Notice { missing } => {
                if missing.is_empty() {
                    return Err(TransitionError::NothingMissing);
                }
                let reason = format!("一次性告知：缺 {}", missing.join("、"));
                t.status = Status::Notified;
                t.closed_at = Some(ctx.at);
                t.close_reason = Some(reason.clone());
                t.clerk = Some(ctx.clerk.clone());
                t.notice = missing;
                note = Some(reason);
            }
            Command::FollowUp { step, note: n } => {
                let rating =
                    t.rating.as_mut().filter(|r| r.awaits_follow_up()).ok_or(TransitionError::NoFollowUp { number })?;
                let next = FollowUp::ORDER[rating.follow_up.len().min(3)];
                if step != next {
                    return Err(TransitionError::FollowUpOrder { number, next: next.label(Lang::Zh) });
                }
                rating.follow_up.push(FollowUpStep { step, at: ctx.at, clerk: ctx.clerk.clone(), note: n.clone() });
                note = Some(format!("{}：{n}", step.label(Lang::Zh)));
            }
            Command::Reassign { to } => {
                note = Some(format!("{} -> {to}", t.clerk.clone().unwrap_or_default()));
                t.clerk = Some(to);
            }
            Command::Correct { to, reason } => {
                let field = to.field();
                let before = field.value_on(&t);
                match to {
                    Corrected::Name(v) => t.citizen.name = v,
                    Corrected::IdNumber(v) => t.citizen.id_number = v,
                    Corrected::Phone(v) => t.citizen.phone = v,
                    Corrected::Village(v) => t.citizen.village = v,
                    // A proxy with a phone or ID number on record is cleared field by field
                    // (each an event with its value before); the name goes last.
                    Corrected::ProxyName(None)
                        if t.proxy.as_ref().is_some_and(|p| p.phone.is_some() || p.id_number.is_some()) =>
                    {
                        return Err(TransitionError::ProxyDetailsFirst { number });
                    }
                    Corrected::ProxyName(None) => t.proxy = None,
                    Corrected::ProxyName(Some(name)) => match &mut t.proxy {
                        Some(p) => p.name = name,
                        None => t.proxy = Some(Proxy { name, phone: None, id_number: None }),
                    },
                    Corrected::ProxyPhone(v) => match &mut t.proxy {
                        Some(p) => p.phone = v,
                        None => return Err(TransitionError::NoProxy { number }),
                    },
                    Corrected::ProxyIdNumber(v) => match &mut t.proxy {
                        Some(p) => p.id_number = v,
                        None => return Err(TransitionError::NoProxy { number }),
                    },
                }
                if t.accepted_at.is_some() && t.citizen.name.is_none() {
                    // An accepted case always names its applicant.
                    return Err(TransitionError::MissingApplicant(ApplicantField::Name));
                }
                // A number still in the queue follows its applicant's age: 80 or older from the
                // corrected ID number is served first, and a priority that came only from the
                // wrong number's age goes (a priority given for another reason stays).
                if field == CorrectField::IdNumber && matches!(t.status, Status::Waiting | Status::NoShow) {
                    let elderly =
                        t.citizen.id_number.as_ref().and_then(|i| i.age_on(ctx.today)).is_some_and(|a| a >= 80);
                    match (t.priority, elderly) {
                        (None, true) => t.priority = Some(Priority::Elderly),
                        (Some(Priority::Elderly), false) => t.priority = None,
                        _ => {}
                    }
                }
                let after = field.value_on(&t);
                if before == after {
                    return Err(TransitionError::Unchanged { number, field });
                }
                note = Some(correction_note(field, before.as_deref(), after.as_deref(), &reason));
            }
            Command::Reopen { reason } => {
                t.status = Status::Accepted;
                t.completed_at = None;
                t.closed_at = None;
                note = Some(reason);
            }
        }
        let event = Event::unsealed(ctx, t.id, t.events, action, Some(self.status), t.status, note);
        t.events += 1;
        Ok((t, event))
    }

    /// The light and working days left on `today`; `None` for a ticket that is not an open case.
    /// A suspended case's clock stands still: its days left are those it had when suspended.
    /// Every screen, list, report and export reads the light here, so they agree.
    pub fn light(&self, calendar: &Calendar, today: Date) -> Option<(Light, i64)> {
        if !self.status.is_open_case() {
            return None;
        }
        let due = self.deadline?.date;
        if self.status == Status::Suspended {
            let since = self.suspension.as_ref().map(|s| s.since_date).unwrap_or(today);
            return Some((Light::Paused, calendar.light(due, since).1));
        }
        Some(calendar.light(due, today))
    }

    /// Whether the deadline is an estimate: it was computed with a year whose holidays were not
    /// imported (a deadline is not recomputed when the year comes later), or, for an open case,
    /// a day it counts lies in such a year as the calendar is now.
    pub fn deadline_estimated(&self, calendar: &Calendar) -> bool {
        match (self.deadline, self.status.is_open_case()) {
            (None, _) => false,
            (Some(d), true) => d.estimated || calendar.range_estimated(self.accepted_on.unwrap_or(self.date), d.date),
            (Some(d), false) => d.estimated,
        }
    }

    /// The actions that can succeed now: the state's actions, less those whose condition does
    /// not hold (no second rating, no follow-up without a 差评, no no-show before a recall …).
    pub fn available(&self, today: Date) -> Vec<Action> {
        Action::allowed_from(self.status)
            .iter()
            .copied()
            .filter(|a| match a {
                Action::Recall => self.recalls < MAX_RECALLS,
                Action::NoShow => self.recalls > 0,
                Action::Complete => {
                    (self.status != Status::Called || self.kind == Kind::OnTheSpot) && self.owed().next().is_none()
                }
                Action::Supply => self.owed().next().is_some(),
                Action::Terminate => self.owed().any(|d| d.due < today),
                Action::Rate => self.rating.is_none(),
                Action::FollowUp => self.rating.as_ref().is_some_and(Rating::awaits_follow_up),
                _ => true,
            })
            .collect()
    }

    /// Deferred materials still owed.
    pub fn owed(&self) -> impl Iterator<Item = &Deferred> {
        self.deferred.iter().filter(|d| d.supplied_at.is_none())
    }
}
