//! Text slips handed to the citizen: the receipt (受理回执) on acceptance and the one-time
//! notice (一次性告知单) listing every missing material. Plain text, 40 cells wide, for a
//! receipt printer or a file.

use unicode_width::UnicodeWidthStr;

use yimen_api::Client;
use yimen_domain::Lang;
use yimen_domain::text::escape_for_output;
use yimen_domain::ticket::Ticket;

const WIDTH: usize = 40;

fn center(s: &str) -> String {
    let w = UnicodeWidthStr::width(s);
    format!("{}{s}", " ".repeat(WIDTH.saturating_sub(w) / 2))
}

fn rule() -> String {
    "-".repeat(WIDTH)
}

fn header(desk: &dyn Client, title: &str, t: &Ticket, lang: Lang) -> Vec<String> {
    let now = desk.clock().local(desk.clock().now());
    vec![
        center(&escape_for_output(&desk.settings().hall, false)),
        center(title),
        rule(),
        format!("{}{}  #{}", lang.pick("号码：", "Number: "), t.number, t.id),
        format!("{}{}", lang.pick("事项：", "Item: "), escape_for_output(&t.item_name, false)),
        format!(
            "{}{}",
            lang.pick("申请人：", "Applicant: "),
            escape_for_output(&t.citizen.name.as_deref().map(yimen_domain::mask::name).unwrap_or_default(), false)
        ),
        format!("{}{} {:02}:{:02}", lang.pick("时间：", "Time: "), now.date(), now.hour(), now.minute()),
    ]
}

fn footer(desk: &dyn Client, t: &Ticket, lang: Lang) -> Vec<String> {
    let mut v = vec![rule()];
    if let Some(p) = &desk.settings().hall_phone {
        v.push(format!("{}{p}", lang.pick("咨询电话：", "Hall phone: ")));
    }
    if let Some(c) = &t.clerk {
        v.push(format!("{}{}", lang.pick("经办人：", "Clerk: "), escape_for_output(c, false)));
    }
    v.push(String::new());
    v
}

/// 受理回执: ticket id, item, promised date, deferred materials and the hall's phone.
pub fn receipt(desk: &dyn Client, t: &Ticket, lang: Lang) -> String {
    let mut lines = header(desk, lang.pick("受理回执", "Receipt of acceptance"), t, lang);
    if let Some(d) = t.deadline {
        lines.push(format!("{}{}", lang.pick("承诺办结日期：", "Promised by: "), d.date));
        if d.estimated
            && let Some(n) = desk.calendar().estimate_note(t.accepted_on.unwrap_or(t.date), d.date, lang)
        {
            lines.push(format!("  ({n})"));
        }
    }
    for d in t.owed() {
        lines.push(format!(
            "{}{}{}{}",
            lang.pick("容缺材料：", "Bring later: "),
            escape_for_output(&d.material, false),
            lang.pick("，请于 ", ", by "),
            d.due
        ));
        if lang == Lang::Zh {
            lines.push("  前补交，逾期未补交的将终止办理".into());
        }
    }
    lines.extend(footer(desk, t, lang));
    // Every line once more, whatever it quotes: a stored control character never reaches paper.
    lines.iter().map(|l| escape_for_output(l, false)).collect::<Vec<_>>().join("\n")
}

/// 一次性告知单: the complete list of what is missing, given once and in writing.
pub fn notice(desk: &dyn Client, t: &Ticket, missing: &[String], lang: Lang) -> String {
    let mut lines = header(desk, lang.pick("一次性告知单", "One-time notice of missing materials"), t, lang);
    lines.push(lang.pick("您申请的事项尚缺以下材料：", "The application still needs:").to_string());
    for (i, m) in missing.iter().enumerate() {
        lines.push(format!("  {}. {}", i + 1, escape_for_output(m, false)));
    }
    lines.push(
        lang.pick(
            "以上为全部所缺材料，备齐后即可办理，不会再要求其他材料。",
            "This is the complete list; nothing else will be asked for.",
        )
        .to_string(),
    );
    lines.extend(footer(desk, t, lang));
    // Every line once more, whatever it quotes: a stored control character never reaches paper.
    lines.iter().map(|l| escape_for_output(l, false)).collect::<Vec<_>>().join("\n")
}

/// The slip a ticket calls for: the notice for a visit that ended with one, else the receipt.
/// Returns the text and its kind ("notice" or "receipt").
pub fn for_ticket(desk: &dyn Client, t: &Ticket, lang: Lang) -> (String, &'static str) {
    if t.notice.is_empty() { (receipt(desk, t, lang), "receipt") } else { (notice(desk, t, &t.notice, lang), "notice") }
}

/// Where slips are saved: a `slips` folder beside the database (through a server: in this
/// PC's data folder).
pub fn slip_path(desk: &dyn Client, t: &Ticket, kind: &str) -> std::path::PathBuf {
    let dir = desk.home().join("slips");
    dir.join(format!("{}-{}-{}-{kind}.txt", t.date, t.number, t.id))
}

/// Writes a slip to its file and returns the path.
pub fn save(desk: &dyn Client, t: &Ticket, kind: &str, text: &str) -> std::io::Result<std::path::PathBuf> {
    let path = slip_path(desk, t, kind);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&path, text)?;
    Ok(path)
}
