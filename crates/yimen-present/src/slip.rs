//! Text slips handed to the citizen: the receipt (受理回执) on acceptance, the one-time notice
//! (一次性告知单) listing every missing material, and the notice to supply materials
//! (补正告知书) for a case suspended until they come. Plain text, 40 cells wide, for a receipt
//! printer or a file. Each states the moment of the act it records (the acceptance, the notice,
//! the suspension), never the moment of printing.

use unicode_width::UnicodeWidthStr;

use time::OffsetDateTime;
use yimen_api::Client;
use yimen_app::DeskError;
use yimen_domain::Lang;
use yimen_domain::clock::Shown;
use yimen_domain::text::escape_for_output;
use yimen_domain::ticket::{Status, SuspendReason, Ticket};

const WIDTH: usize = 40;

fn center(s: &str) -> String {
    let w = UnicodeWidthStr::width(s);
    format!("{}{s}", " ".repeat(WIDTH.saturating_sub(w) / 2))
}

fn rule() -> String {
    "-".repeat(WIDTH)
}

/// The kinds of slip, as named in file names and `--json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 受理回执
    Receipt,
    /// 一次性告知单
    Notice,
    /// 补正告知书 (materials to supply while the case is suspended)
    SupplyNotice,
}

impl Kind {
    /// The kind's name in slip file names.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Receipt => "receipt",
            Kind::Notice => "notice",
            Kind::SupplyNotice => "supply_notice",
        }
    }
}

/// The title, the ticket, the item (in the slip's language), who applied and who for, and
/// the moment of the act.
fn header(desk: &dyn Client, title: &str, t: &Ticket, at: OffsetDateTime, lang: Lang) -> Vec<String> {
    // The name the ticket was taken with; in English the catalog's English name.
    let item = desk.catalog().item_label(&t.item, &t.item_name, lang);
    // The citizen's own paper: the name in full (masking is for screens others can see).
    let mut v = vec![
        center(&desk.settings().hall),
        center(title),
        rule(),
        format!("{}{}  #{}", lang.pick("号码：", "Number: "), t.number, t.id),
        format!("{}{item}", lang.pick("事项：", "Item: ")),
        format!("{}{}", lang.pick("申请人：", "Applicant: "), t.citizen.name.as_deref().unwrap_or("")),
    ];
    if let Some(p) = &t.proxy {
        v.push(format!("{}{}", lang.pick("代办人：", "Proxy: "), p.name));
    }
    v.push(format!("{}{}", lang.pick("时间：", "Time: "), desk.clock().show(at, Shown::DayMinute)));
    v
}

fn footer(desk: &dyn Client, t: &Ticket, lang: Lang) -> Vec<String> {
    let mut v = vec![rule()];
    if let Some(p) = &desk.settings().hall_phone {
        v.push(format!("{}{p}", lang.pick("咨询电话：", "Hall phone: ")));
    }
    if let Some(c) = &t.clerk {
        v.push(format!("{}{c}", lang.pick("经办人：", "Clerk: ")));
    }
    v.push(String::new());
    v
}

/// Every line once more, whatever it quotes: a stored control character never reaches paper.
fn finish(lines: Vec<String>) -> String {
    lines.iter().map(|l| escape_for_output(l, false)).collect::<Vec<_>>().join("\n")
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
pub fn receipt(desk: &dyn Client, t: &Ticket, lang: Lang) -> Result<String, DeskError> {
    let Some(accepted_at) = t.accepted_at else { return Err(DeskError::NoSlip(t.number.to_string())) };
    let mut lines = header(desk, lang.pick("受理回执", "Receipt of acceptance"), t, accepted_at, lang);
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
            lines.push(format!("{}{}", lang.pick("已收材料：", "Received: "), received.join(lang.pick("、", ", "))));
        }
    }
    // A case closed without completion (不予受理/批准, 撤回, 终止) promises nothing any more: the
    // receipt says how it ended instead.
    if t.status.is_closed() && t.status != Status::Completed {
        lines.push(format!("{}{}", lang.pick("办理结果：", "Outcome: "), t.status.label(lang)));
        if let Some(why) = &t.close_reason {
            lines.push(format!("{}{why}", lang.pick("原因：", "Reason: ")));
        }
        lines.extend(footer(desk, t, lang));
        return Ok(finish(lines));
    }
    if let Some(d) = t.deadline {
        lines.push(format!("{}{}", lang.pick("承诺办结日期：", "Promised by: "), d.date));
        if t.deadline_estimated(desk.calendar())
            && let Some(n) = desk.calendar().estimate_note(t.accepted_on.unwrap_or(t.date), d.date, lang)
        {
            lines.push(format!("  ({n})"));
        }
    }
    for d in t.owed() {
        lines.push(format!(
            "{}{}{}{}",
            lang.pick("容缺材料：", "Bring later: "),
            material(desk, t, &d.material, lang),
            lang.pick("，请于 ", ", by "),
            d.due
        ));
        lines.push(
            lang.pick("  前补交，逾期未补交的将终止办理", "  (the case ends if it is not brought by then)").into(),
        );
    }
    lines.extend(footer(desk, t, lang));
    Ok(finish(lines))
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
    lang: Lang,
) -> String {
    let mut lines = header(desk, lang.pick(title.0, title.1), t, at, lang);
    lines.push(lang.pick(opening.0, opening.1).to_string());
    for (i, m) in missing.iter().enumerate() {
        lines.push(format!("  {}. {}", i + 1, material(desk, t, m, lang)));
    }
    lines.push(lang.pick(closing.0, closing.1).to_string());
    lines.extend(footer(desk, t, lang));
    finish(lines)
}

/// 一次性告知单: the complete list of what is missing, given once and in writing.
pub fn notice(desk: &dyn Client, t: &Ticket, missing: &[String], lang: Lang) -> String {
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
        lang,
    )
}

/// 补正告知书: the case is accepted but suspended until the listed materials are supplied;
/// the time limit stands still meanwhile.
pub fn supply_notice(desk: &dyn Client, t: &Ticket, missing: &[String], since: OffsetDateTime, lang: Lang) -> String {
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
        lang,
    )
}

/// The slip a ticket calls for, and its kind: the notice for a visit that ended with one, the
/// 补正告知书 for a case suspended for materials, else the receipt.
///
/// # Errors
/// `NoSlip` for a ticket never accepted and not closed with a notice.
pub fn for_ticket(desk: &dyn Client, t: &Ticket, lang: Lang) -> Result<(String, Kind), DeskError> {
    if !t.notice.is_empty() {
        return Ok((notice(desk, t, &t.notice, lang), Kind::Notice));
    }
    if t.status == Status::Suspended
        && let Some(s) = t.suspension.as_ref().filter(|s| s.reason == SuspendReason::Materials)
    {
        return Ok((supply_notice(desk, t, &s.missing, s.since, lang), Kind::SupplyNotice));
    }
    Ok((receipt(desk, t, lang)?, Kind::Receipt))
}

/// Where slips are saved: a `slips` folder beside the database (through a server: in this
/// PC's data folder), one file per ticket and kind, named after the database too, so two
/// databases in one folder (a hall's and its demo) never write the same file.
pub fn slip_path(desk: &dyn Client, t: &Ticket, kind: Kind) -> std::path::PathBuf {
    let dir = desk.home().join("slips");
    let described = desk.describe();
    let db = std::path::Path::new(&described)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty() && !described.contains("://"))
        .unwrap_or_else(|| "server".into());
    dir.join(format!("{db}-{}-{}-{}-{}.txt", t.date, t.number, t.id, kind.code()))
}

/// Writes a slip to its file and returns the path.
///
/// # Errors
/// The file system's.
pub fn save(desk: &dyn Client, t: &Ticket, kind: Kind, text: &str) -> std::io::Result<std::path::PathBuf> {
    let path = slip_path(desk, t, kind);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&path, text)?;
    Ok(path)
}
