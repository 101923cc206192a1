//! The papers handed to the citizen: the queue ticket (排队号票) when a number is taken, the
//! receipt (受理回执) on acceptance, the one-time notice (一次性告知单) listing every missing
//! material, the notice to supply materials (补正告知书) for a case suspended until they
//! come, and the notice of acceptance with materials to bring later (容缺受理通知书), which
//! carries the citizen's commitment and the make-good dates. Each is one [`Doc`], rendered as
//! text (40 cells, for a receipt printer or a file) or as PDF (A4 or a receipt roll). Each
//! states the moment of the act it records (the acceptance, the notice, the suspension), never
//! the moment of printing.

use time::OffsetDateTime;
use yimen_api::Client;
use yimen_app::DeskError;
use yimen_domain::Lang;
use yimen_domain::clock::Shown;
use yimen_domain::ticket::{Status, SuspendReason, Ticket};

use crate::paper::{Block, Doc, Paper, Rule};

/// The kinds of slip, as named in file names, `--kind` and `--json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 受理回执
    Receipt,
    /// 一次性告知单
    Notice,
    /// 补正告知书 (materials to supply while the case is suspended)
    SupplyNotice,
    /// 容缺受理通知书 (accepted with materials to bring later, and the citizen's commitment)
    DeferralNotice,
    /// The queue ticket (排队号票) handed out when a number is taken
    QueueTicket,
}

impl Kind {
    pub const ALL: [Kind; 5] =
        [Kind::Receipt, Kind::Notice, Kind::SupplyNotice, Kind::DeferralNotice, Kind::QueueTicket];

    /// The kind's name in slip file names and on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Receipt => "receipt",
            Kind::Notice => "notice",
            Kind::SupplyNotice => "supply_notice",
            Kind::DeferralNotice => "deferral_notice",
            Kind::QueueTicket => "queue_ticket",
        }
    }

    /// The paper it is printed on unless asked otherwise: the queue ticket on the 80 mm roll
    /// of the kiosk or the window's receipt printer, the notices on A4 (they are signed and
    /// stamped, and kept by the citizen).
    pub fn default_paper(self) -> Paper {
        match self {
            Kind::QueueTicket => Paper::Roll80,
            _ => Paper::A4,
        }
    }
}

/// The title, the ticket, the item (in the slip's language), who applied and who for, and
/// the moment of the act.
fn header(desk: &dyn Client, title: &str, t: &Ticket, at: OffsetDateTime, lang: Lang) -> Vec<Block> {
    // The name the ticket was taken with; in English the catalog's English name.
    let item = desk.catalog().item_label(&t.item, &t.item_name, lang);
    // The citizen's own paper: the name in full (masking is for screens others can see).
    let mut v = vec![
        Block::Center(desk.settings().hall.clone()),
        Block::Title(title.to_string()),
        Block::Rule(Rule::Light),
        Block::Line(format!("{}{}  #{}", lang.pick("号码：", "Number: "), t.number, t.id)),
        Block::Line(format!("{}{item}", lang.pick("事项：", "Item: "))),
        Block::Line(format!("{}{}", lang.pick("申请人：", "Applicant: "), t.citizen.name.as_deref().unwrap_or(""))),
    ];
    if let Some(p) = &t.proxy {
        v.push(Block::Line(format!("{}{}", lang.pick("代办人：", "Proxy: "), p.name)));
    }
    v.push(Block::Line(format!("{}{}", lang.pick("时间：", "Time: "), desk.clock().show(at, Shown::DayMinute))));
    v
}

fn footer(desk: &dyn Client, t: &Ticket, lang: Lang) -> Vec<Block> {
    let mut v = vec![Block::Rule(Rule::Light)];
    if let Some(p) = &desk.settings().hall_phone {
        v.push(Block::Line(format!("{}{p}", lang.pick("咨询电话：", "Hall phone: "))));
    }
    if let Some(c) = &t.clerk {
        v.push(Block::Line(format!("{}{c}", lang.pick("经办人：", "Clerk: "))));
    }
    v
}

/// A slip's document on `paper`, titled for the PDF's properties.
fn slip_doc(title: &str, t: &Ticket, paper: Paper, body: Vec<Block>, closing: Vec<Block>, lang: Lang) -> Doc {
    Doc { paper, title: format!("{title} {}", t.number), running_head: None, body, closing, lang }
}

/// The slip as text for a receipt printer or a file: 40 cells wide (32 on a 58 mm roll).
pub fn text(doc: &Doc) -> String {
    crate::paper::text(doc, doc.paper.text_cells().min(40))
}

/// The name of a material in the slip's language.
fn material(desk: &dyn Client, t: &Ticket, name: &str, lang: Lang) -> String {
    desk.catalog().material_label(&t.item, name, lang)
}

/// 受理回执: the acceptance's moment, the materials received, the promised date, the
/// deferred materials with their make-good dates, the proxy and the hall's phone.
///
/// # Errors
/// `NoSlip` for a ticket never accepted.
pub fn receipt(desk: &dyn Client, t: &Ticket, paper: Paper, lang: Lang) -> Result<Doc, DeskError> {
    let Some(accepted_at) = t.accepted_at else { return Err(DeskError::NoSlip(t.number.to_string())) };
    let title = lang.pick("受理回执", "Receipt of acceptance");
    let mut lines = header(desk, title, t, accepted_at, lang);
    // What was received: the key materials (an acceptance needs them all) and the deferrable
    // ones not accepted as missing. Optional materials are not listed: the ticket does not
    // record whether they came.
    if let Some(item) = desk.catalog().item(&t.item) {
        let received: Vec<String> = item
            .materials
            .iter()
            .filter(|m| m.key || m.may_defer)
            .filter(|m| !t.deferred.iter().any(|d| d.material == m.name))
            .map(|m| m.display_name(lang).to_string())
            .collect();
        if !received.is_empty() {
            lines.push(Block::Line(format!(
                "{}{}",
                lang.pick("已收材料：", "Received: "),
                received.join(lang.pick("、", ", "))
            )));
        }
    }
    // A case closed without completion (不予受理/批准, 撤回, 终止) promises nothing any more: the
    // receipt says how it ended instead.
    if t.status.is_closed() && t.status != Status::Completed {
        lines.push(Block::Line(format!("{}{}", lang.pick("办理结果：", "Outcome: "), t.status.label(lang))));
        if let Some(why) = &t.close_reason {
            lines.push(Block::Line(format!("{}{why}", lang.pick("原因：", "Reason: "))));
        }
        return Ok(slip_doc(title, t, paper, lines, footer(desk, t, lang), lang));
    }
    lines.extend(promised(desk, t, lang));
    lines.extend(owed(desk, t, lang));
    Ok(slip_doc(title, t, paper, lines, footer(desk, t, lang), lang))
}

/// The promised date, with the calendar's warning when it is an estimate.
fn promised(desk: &dyn Client, t: &Ticket, lang: Lang) -> Vec<Block> {
    let mut v = Vec::new();
    if let Some(d) = t.deadline {
        v.push(Block::Line(format!("{}{}", lang.pick("承诺办结日期：", "Promised by: "), d.date)));
        if t.deadline_estimated(desk.calendar())
            && let Some(n) = desk.calendar().estimate_note(t.accepted_on.unwrap_or(t.date), d.date, lang)
        {
            v.push(Block::Line(format!("  ({n})")));
        }
    }
    v
}

/// Each deferred material still owed, with its make-good date.
fn owed(desk: &dyn Client, t: &Ticket, lang: Lang) -> Vec<Block> {
    let mut v = Vec::new();
    for d in t.owed() {
        v.push(Block::Line(format!(
            "{}{}{}{}{}",
            lang.pick("容缺材料：", "Bring later: "),
            material(desk, t, &d.material, lang),
            lang.pick("，请于 ", ", by "),
            d.due,
            lang.pick(" 前补交，逾期未补交的将终止办理", " (the case ends if it is not brought by then)")
        )));
    }
    v
}

/// A slip listing materials: its title, the moment of the act, an opening line, the numbered
/// materials and a closing line (the 一次性告知单 and the 补正告知书 are both this).
#[allow(clippy::too_many_arguments)]
fn material_list(
    desk: &dyn Client,
    t: &Ticket,
    title: (&str, &str),
    at: OffsetDateTime,
    opening: (&str, &str),
    missing: &[String],
    closing: (&str, &str),
    paper: Paper,
    lang: Lang,
) -> Doc {
    let title = lang.pick(title.0, title.1);
    let mut lines = header(desk, title, t, at, lang);
    lines.push(Block::Line(lang.pick(opening.0, opening.1).to_string()));
    for (i, m) in missing.iter().enumerate() {
        lines.push(Block::Line(format!("  {}. {}", i + 1, material(desk, t, m, lang))));
    }
    lines.push(Block::Line(lang.pick(closing.0, closing.1).to_string()));
    slip_doc(title, t, paper, lines, footer(desk, t, lang), lang)
}

/// 一次性告知单: the complete list of what is missing, given once and in writing.
pub fn notice(desk: &dyn Client, t: &Ticket, missing: &[String], paper: Paper, lang: Lang) -> Doc {
    material_list(
        desk,
        t,
        ("一次性告知单", "One-time notice of missing materials"),
        t.closed_at.unwrap_or_else(|| desk.clock().now()),
        ("您申请的事项尚缺以下材料：", "The application still needs:"),
        missing,
        (
            "以上为全部所缺材料，备齐后即可办理，不会再要求其他材料。",
            "This is the complete list; nothing else will be asked for.",
        ),
        paper,
        lang,
    )
}

/// 补正告知书: the case is accepted but suspended until the listed materials are supplied;
/// the time limit stands still meanwhile.
pub fn supply_notice(
    desk: &dyn Client,
    t: &Ticket,
    missing: &[String],
    since: OffsetDateTime,
    paper: Paper,
    lang: Lang,
) -> Doc {
    material_list(
        desk,
        t,
        ("补正告知书", "Notice to supply materials"),
        since,
        ("您的申请已受理，请补正以下材料：", "Your application is accepted; please supply:"),
        missing,
        (
            "补正期间办理时限暂停计算，材料补齐后恢复办理。",
            "The time limit is paused until the materials come; the case then resumes.",
        ),
        paper,
        lang,
    )
}

/// 容缺受理通知书: the case is accepted with non-key materials to bring later (容缺受理); lists
/// each with its make-good date, the promised date, and the citizen's written commitment to
/// bring them in time or see the case ended, with lines for the applicant's signature and the
/// date. Every deferred material is listed, a supplied one marked with the day it came.
///
/// # Errors
/// `NoSlip` for a ticket not accepted with deferred materials.
pub fn deferral_notice(desk: &dyn Client, t: &Ticket, paper: Paper, lang: Lang) -> Result<Doc, DeskError> {
    let (Some(accepted_at), false) = (t.accepted_at, t.deferred.is_empty()) else {
        return Err(DeskError::NoSuchPaper(
            t.number.to_string(),
            "容缺受理通知书",
            "notice of acceptance with materials to follow",
        ));
    };
    let title = lang.pick("容缺受理通知书", "Notice of acceptance with materials to follow");
    let mut lines = header(desk, title, t, accepted_at, lang);
    lines.push(Block::Line(
        lang.pick(
            "您申请的事项主要材料齐全，经审查予以容缺受理。以下材料请在规定日期前补交：",
            "The key materials are complete and the case is accepted; please bring these by the dates given:",
        )
        .into(),
    ));
    for (i, d) in t.deferred.iter().enumerate() {
        let state = match d.supplied_at {
            Some(at) => format!(
                "{}{}",
                lang.pick("（已于 ", " (brought "),
                desk.clock().show(at, Shown::DayMinute) + lang.pick(" 补交）", ")")
            ),
            None => String::new(),
        };
        lines.push(Block::Line(format!(
            "  {}. {}{}{}{state}",
            i + 1,
            material(desk, t, &d.material, lang),
            lang.pick("  补交期限：", "  by "),
            d.due
        )));
    }
    lines.extend(promised(desk, t, lang));
    lines.push(Block::Gap);
    lines.push(Block::Line(
        lang.pick(
            "申请人承诺：本人所提交材料真实有效，并将在上述期限内补齐容缺材料；逾期未补齐的，同意终止办理，由此产生的后果由本人承担。",
            "The applicant's commitment: the materials given are true, and the deferred materials will be brought by the dates above; if they are not, the case is ended and the applicant bears the consequences.",
        )
        .into(),
    ));
    let mut closing = vec![Block::Signature(
        lang.pick(
            "申请人（签字）：________________    日期：____________",
            "Applicant (signature): ______________    Date: __________",
        )
        .into(),
    )];
    closing.extend(footer(desk, t, lang));
    Ok(slip_doc(title, t, paper, lines, closing, lang))
}

/// The queue ticket (排队号票) handed over when a number is taken: the hall, the number in
/// large type, the item, when it was taken, how many wait before it (`ahead`, at printing),
/// and the materials to have ready — the one-time notice before the citizen reaches the
/// window. Never a name, an ID number or a phone: the ticket is left on counters and floors.
pub fn queue_ticket(desk: &dyn Client, t: &Ticket, ahead: Option<usize>, paper: Paper, lang: Lang) -> Doc {
    let item = desk.catalog().item_label(&t.item, &t.item_name, lang);
    let mut body = vec![
        Block::Center(desk.settings().hall.clone()),
        Block::Title(lang.pick("排队号", "Queue number").into()),
        Block::Big(t.number.to_string()),
        Block::Center(item),
        Block::Rule(Rule::Light),
        Block::Line(format!(
            "{}{}",
            lang.pick("取号时间：", "Taken: "),
            desk.clock().show(t.taken_at, Shown::DayMinute)
        )),
    ];
    if let Some(p) = t.priority {
        body.push(Block::Line(format!("{}{}", lang.pick("优先：", "Priority: "), p.label(lang))));
    }
    if let Some(n) = ahead {
        body.push(Block::Line(format!(
            "{}{n}{}",
            lang.pick("前面还有 ", "Waiting before you: "),
            lang.pick(" 人", "")
        )));
    }
    if let Some(it) = desk.catalog().item(&t.item).filter(|i| !i.materials.is_empty()) {
        body.push(Block::Line(lang.pick("请备齐以下材料：", "Please have ready:").into()));
        for (i, m) in it.materials.iter().enumerate() {
            let mark = if m.key {
                ""
            } else if m.may_defer {
                lang.pick("（可容缺）", " (may follow later)")
            } else {
                lang.pick("（如有）", " (if any)")
            };
            body.push(Block::Line(format!("  {}. {}{mark}", i + 1, m.display_name(lang))));
        }
    }
    let mut closing = vec![Block::Rule(Rule::Light)];
    closing.push(Block::Line(
        lang.pick(
            "请留意叫号屏和语音提示，过号请到窗口咨询。",
            "Watch the board for your number; if you miss it, ask at a window.",
        )
        .into(),
    ));
    if let Some(p) = &desk.settings().hall_phone {
        closing.push(Block::Line(format!("{}{p}", lang.pick("咨询电话：", "Hall phone: "))));
    }
    Doc {
        paper,
        title: format!("{} {}", lang.pick("排队号", "Queue number"), t.number),
        running_head: None,
        body,
        closing,
        lang,
    }
}

/// The papers a ticket calls for, the first being the one to give when only one is asked for:
/// the one-time notice for a visit that ended with one; the 补正告知书 for a case suspended for
/// materials; for a case accepted with deferred materials still owed, the receipt and the
/// 容缺受理通知书; for any other accepted case the receipt; for a number never accepted (still
/// waiting, called, or a no-show) its queue ticket.
pub fn papers_for(t: &Ticket) -> Vec<Kind> {
    if !t.notice.is_empty() {
        vec![Kind::Notice]
    } else if t.status == Status::Suspended
        && t.suspension.as_ref().is_some_and(|s| s.reason == SuspendReason::Materials)
    {
        vec![Kind::SupplyNotice]
    } else if t.accepted_at.is_none() && matches!(t.status, Status::Waiting | Status::Called | Status::NoShow) {
        vec![Kind::QueueTicket]
    } else if t.accepted_at.is_some() && !t.status.is_closed() && t.owed().next().is_some() {
        vec![Kind::Receipt, Kind::DeferralNotice]
    } else {
        vec![Kind::Receipt]
    }
}

/// The first paper a ticket calls for (see [`papers_for`]) on its default paper, and its kind;
/// `ahead` is the queue ticket's waiting count.
///
/// # Errors
/// `NoSlip` for a ticket never accepted whose visit ended without a notice (withdrawn).
pub fn for_ticket(desk: &dyn Client, t: &Ticket, ahead: Option<usize>, lang: Lang) -> Result<(Doc, Kind), DeskError> {
    let kind = papers_for(t).first().copied().unwrap_or(Kind::Receipt);
    Ok((of_kind(desk, t, kind, ahead, kind.default_paper(), lang)?, kind))
}

/// The slip of `kind` for a ticket, on `paper`; `ahead` is the queue ticket's waiting count.
///
/// # Errors
/// `NoSlip` when the ticket has no such paper: a receipt for a case never accepted, a notice
/// for a visit that got none, a 补正告知书 for a case not suspended for materials, a
/// 容缺受理通知书 for a case without deferred materials.
pub fn of_kind(
    desk: &dyn Client,
    t: &Ticket,
    kind: Kind,
    ahead: Option<usize>,
    paper: Paper,
    lang: Lang,
) -> Result<Doc, DeskError> {
    let none = |zh, en| DeskError::NoSuchPaper(t.number.to_string(), zh, en);
    match kind {
        Kind::Receipt => receipt(desk, t, paper, lang),
        Kind::Notice if !t.notice.is_empty() => Ok(notice(desk, t, &t.notice, paper, lang)),
        Kind::SupplyNotice => match t.suspension.as_ref().filter(|s| s.reason == SuspendReason::Materials) {
            Some(s) => Ok(supply_notice(desk, t, &s.missing, s.since, paper, lang)),
            None => Err(none("补正告知书", "notice to supply materials")),
        },
        Kind::DeferralNotice => deferral_notice(desk, t, paper, lang),
        Kind::QueueTicket => Ok(queue_ticket(desk, t, ahead, paper, lang)),
        Kind::Notice => Err(none("一次性告知单", "one-time notice")),
    }
}

/// Where slips are saved: a `slips` folder beside the database (through a server: in this
/// PC's data folder), one file per ticket and kind, named after the database too, so two
/// databases in one folder (a hall's and its demo) never write the same file. `ext` is `txt`
/// or `pdf`.
pub fn slip_path(desk: &dyn Client, t: &Ticket, kind: Kind, ext: &str) -> std::path::PathBuf {
    crate::beside_database(desk, "slips", &format!("{}-{}-{}-{}.{ext}", t.date, t.number, t.id, kind.code()))
}

/// Writes a slip to its file (`ext` `txt` or `pdf`) and returns the path.
///
/// # Errors
/// The file system's.
pub fn save(desk: &dyn Client, t: &Ticket, kind: Kind, ext: &str, bytes: &[u8]) -> std::io::Result<std::path::PathBuf> {
    let path = slip_path(desk, t, kind, ext);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&path, bytes)?;
    Ok(path)
}
