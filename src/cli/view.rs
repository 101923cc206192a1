//! How tickets look on the command line: aligned text for people (widths measured in terminal
//! cells, a Chinese character counting two) and JSON for scripts. Everything stored is passed
//! through `escape_for_output`, since stdout does not filter hidden characters.

use serde_json::{Value, json};
use time::OffsetDateTime;

use yimen_api::Client;
use yimen_app::Hint;
use yimen_domain::Lang;
use yimen_domain::mask;
use yimen_domain::text::escape_for_output;
use yimen_domain::ticket::{Event, Status, Ticket};

/// Clean one-line text for the terminal.
pub fn clean(s: &str) -> String {
    escape_for_output(s, false)
}

pub use yimen_present::{fit, pad, width};

/// Prints rows as columns separated by two spaces, each column as wide as its widest cell.
pub fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> =
        (0..cols).map(|i| rows.iter().filter_map(|r| r.get(i)).map(|c| width(c)).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for r in rows {
        let line: Vec<String> = r.iter().enumerate().map(|(i, c)| pad(c, widths[i])).collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

pub fn local(desk: &dyn Client, t: OffsetDateTime) -> String {
    yimen_domain::clock::rfc3339_local(desk.clock(), t)
}

/// "2026-11-29 09:05:03" in the hall's time, for people.
pub fn stamp(desk: &dyn Client, t: OffsetDateTime) -> String {
    stamp_at(desk.clock(), t)
}

pub use yimen_present::stamp_at;

fn hhmm(desk: &dyn Client, t: OffsetDateTime) -> String {
    desk.clock().show(t, yimen_domain::clock::Shown::Minute)
}

/// Deadline text: "2026-12-30（剩 20 个工作日，绿灯）" plus the calendar note when estimated.
pub fn deadline_text(desk: &dyn Client, t: &Ticket, lang: Lang) -> Option<String> {
    let d = t.deadline?;
    let today = desk.clock().today();
    let mut s = d.date.to_string();
    if let Some((light, left)) = t.light(desk.calendar(), today) {
        let detail = match (light, lang) {
            (yimen_domain::Light::Paused, _) => light.label(lang).to_string(),
            (_, Lang::Zh) if left < 0 => format!("超期 {} 个工作日，{}", -left, light.label(lang)),
            (_, Lang::Zh) => format!("剩 {left} 个工作日，{}", light.label(lang)),
            (_, Lang::En) if left < 0 => {
                format!("{} working days overdue, {}", -left, light.label(lang))
            }
            (_, Lang::En) => format!("{left} working days left, {}", light.label(lang)),
        };
        s = format!("{s}（{detail}）");
    }
    if t.status.is_open_case() && t.deadline_estimated(desk.calendar()) {
        let from = t.accepted_on.unwrap_or(t.date);
        if let Some(note) = desk.calendar().estimate_note(from, d.date, lang) {
            s = format!("{s} [!] {note}");
        }
    }
    Some(s)
}

pub fn name_of(t: &Ticket, masked: bool) -> String {
    match &t.citizen.name {
        Some(n) if masked => clean(&mask::name(n)),
        Some(n) => clean(n),
        None => String::new(),
    }
}

/// The JSON form of a ticket. `full` shows whole ID numbers and phones (the case detail);
/// otherwise they are masked.
pub fn ticket_json(desk: &dyn Client, t: &Ticket, full: bool) -> Value {
    let catalog = desk.catalog();
    let today = desk.clock().today();
    let light = t.light(desk.calendar(), today);
    let c = &t.citizen;
    let id_number = c.id_number.as_ref().map(|i| if full { i.to_string() } else { mask::id_number(i.as_str()) });
    let phone = c.phone.as_ref().map(|p| if full { p.to_string() } else { mask::phone(p.as_str()) });
    let name = c.name.as_ref().map(|n| if full { n.clone() } else { mask::name(n) });
    let ts = |o: Option<OffsetDateTime>| o.map(|t| local(desk, t));
    let rating = t.rating.as_ref().map(|r| json!({
            "score": (!r.is_withheld()).then_some(r.score), "withheld": r.is_withheld(), "at": local(desk, r.at),
            "follow_up_due": r.follow_up_due.map(|d| d.to_string()),
            "follow_up": r.follow_up.iter().map(|s| json!({"step": s.step, "at": local(desk, s.at), "clerk": s.clerk})).collect::<Vec<_>>(),
            "comment": if full { r.comment.clone() } else { None },
            // Who pressed it, and a 差评's reasons: the supervisor's, never a clerk's view.
            "source": (!r.is_withheld()).then_some(r.source),
            "reasons": if r.is_withheld() { Vec::new() } else { r.reasons.clone() },
        }));
    json!({
        "id": t.id,
        "number": t.number.to_string(),
        "date": t.date.to_string(),
        "status": t.status.code(),
        "item": t.item,
        "item_name": t.item_name,
        "category": t.category,
        "category_name": catalog.category(&t.category).map(|c| c.name.clone()),
        "kind": t.kind.code(),
        "priority": t.priority,
        "priority_unverified": t.priority_unverified,
        "window": t.window,
        "clerk": t.clerk,
        "taken_at": local(desk, t.taken_at),
        "called_at": ts(t.called_at),
        "accepted_at": ts(t.accepted_at),
        "transferred_at": ts(t.transferred_at),
        "completed_at": ts(t.completed_at),
        "closed_at": ts(t.closed_at),
        "deadline": t.deadline.map(|d| d.date.to_string()),
        "deadline_estimated": t.deadline.map(|_| t.deadline_estimated(desk.calendar())),
        "light": light.map(|l| l.0),
        "working_days_left": light.map(|l| l.1),
        "recalls": t.recalls,
        "citizen": {
            "name": name,
            "id_number": id_number,
            "phone": phone,
            "village": c.village,
            "age": c.id_number.as_ref().map(|i| i.age_on(today)),
            "sex": c.id_number.as_ref().and_then(|i| i.sex()).map(|s| s.label(Lang::En)),
        },
        "proxy": t.proxy.as_ref().map(|p| json!({
            "name": if full { p.name.clone() } else { mask::name(&p.name) },
            "phone": p.phone.as_ref().map(|x| if full { x.to_string() } else { mask::phone(x.as_str()) }),
        })),
        "note": t.note,
        "suspension": t.suspension.as_ref().map(|s| json!({
            "reason": s.reason, "missing": s.missing, "since": local(desk, s.since),
        })),
        "deferred": t.deferred.iter().map(|d| json!({
            "material": d.material, "due": d.due.to_string(), "supplied_at": ts(d.supplied_at),
        })).collect::<Vec<_>>(),
        "transferred_to": t.transferred_to,
        "close_reason": t.close_reason,
        "rating": rating,
    })
}

pub fn event_json(desk: &dyn Client, e: &Event) -> Value {
    json!({
        "seq": e.seq,
        "at": local(desk, e.at),
        "clock_override": e.clock_override,
        "clerk": e.clerk,
        "window": e.window,
        "action": e.action.code(),
        "from": e.from.map(Status::code),
        "to": e.to.code(),
        "note": e.note,
    })
}

pub fn hint_text(h: &Hint, lang: Lang) -> String {
    match (h, lang) {
        (Hint::ElderlyPriority { age }, Lang::Zh) => {
            format!("提示：申请人 {age} 岁，已设为优先（80岁以上）")
        }
        (Hint::ElderlyPriority { age }, Lang::En) => {
            format!("note: the applicant is {age}; priority set (80+)")
        }
        (Hint::BelowMinAge { item, min_age, age }, Lang::Zh) => {
            format!("提示：「{}」要求年满 {min_age} 岁，申请人 {age} 岁，可能不符合条件", clean(item))
        }
        (Hint::BelowMinAge { item, min_age, age }, Lang::En) => {
            format!("note: {} is for applicants aged {min_age}+; the applicant is {age}", clean(item))
        }
    }
}

/// One line saying what a ticket is now, after an action.
pub fn outcome_line(desk: &dyn Client, t: &Ticket, lang: Lang) -> String {
    let mut s = format!("{}（#{}）{}：{}", t.number, t.id, clean(&t.item_name), t.status.label(lang));
    if lang == Lang::En {
        s = format!("{} (#{}) {}: {}", t.number, t.id, clean(&t.item_name), t.status.label(lang));
    }
    let sep = lang.pick("；", "; ");
    match t.status {
        Status::Called => {
            if let Some(w) = &t.window {
                // "3 号窗口"; a window named otherwise as the board says it ("综合窗口").
                let to = if w.chars().all(|c| c.is_ascii_digit()) {
                    format!("{} 号窗口", clean(w))
                } else {
                    clean(&yimen_app::public::window_label(w))
                };
                s = match lang {
                    Lang::Zh => format!("请 {} 号到 {to}办理（{}）", t.number, clean(&t.item_name)),
                    Lang::En => format!("{} please go to window {} ({})", t.number, clean(w), clean(&t.item_name)),
                };
                if let (Some(p), true) = (t.priority, t.priority_unverified) {
                    s.push_str(&format!(
                        "{sep}{}{}{}",
                        lang.pick("优先（", "priority ("),
                        p.label(lang),
                        lang.pick(
                            "）为取号机自选，待核验：受理前请查验证件",
                            ") chosen at the kiosk, unverified: check the proof before accepting"
                        )
                    ));
                }
                if t.recalls > 0 {
                    s.push_str(&format!("{sep}{} {}/3", lang.pick("重呼", "recall"), t.recalls));
                }
            }
        }
        Status::Accepted | Status::Transferred | Status::Suspended => {
            if let Some(d) = deadline_text(desk, t, lang) {
                s.push_str(&format!("{sep}{}{d}", lang.pick("承诺办结：", "due ")));
            }
            for d in t.owed() {
                s.push_str(&format!(
                    "{sep}{}{}{}{}",
                    lang.pick("容缺材料「", "deferred "),
                    clean(&d.material),
                    lang.pick("」须在 ", " due "),
                    d.due
                ));
                if lang == Lang::Zh {
                    s.push_str(" 前补齐");
                }
            }
        }
        Status::Completed => {
            if let Some(r) = &t.rating {
                s.push_str(&format!("{sep}{}{}", lang.pick("评价：", "rating: "), r.text(lang)));
                if let Some(d) = r.follow_up_due {
                    s.push_str(&format!("{sep}{}{d}", lang.pick("差评回访期限：", "bad rating: follow up by ")));
                }
            }
        }
        _ => {}
    }
    s
}

/// A row of the list and search tables.
pub fn list_row(desk: &dyn Client, t: &Ticket, lang: Lang) -> Vec<String> {
    let light = t
        .light(desk.calendar(), desk.clock().today())
        .map(|(l, left)| match l {
            yimen_domain::Light::Paused => format!("{} {left}", l.label(lang)),
            _ => format!("{} {left}", l.label(lang)),
        })
        .unwrap_or_default();
    vec![
        t.number.to_string(),
        format!("#{}", t.id),
        t.date.to_string(),
        hhmm(desk, t.taken_at),
        t.status.label(lang).to_string(),
        match (t.priority, t.priority_unverified) {
            (Some(_), true) => lang.pick("优先待核验", "priority (unverified)").to_string(),
            (Some(_), false) => lang.pick("优先", "priority").to_string(),
            (None, _) => String::new(),
        },
        fit(&clean(&t.item_name), 24),
        name_of(t, true),
        t.citizen.id_number.as_ref().map(|i| mask::id_number(i.as_str())).unwrap_or_default(),
        // "~" marks an estimated deadline, as on the open-cases screen.
        t.deadline
            .map(|d| format!("{}{}", if t.deadline_estimated(desk.calendar()) { "~" } else { "" }, d.date))
            .unwrap_or_default(),
        light,
    ]
}

pub fn list_header(lang: Lang) -> Vec<String> {
    let h: [&str; 11] = match lang {
        Lang::Zh => ["号码", "编号", "日期", "取号", "状态", "优先", "事项", "姓名", "身份证号", "办结期限", "灯"],
        Lang::En => ["number", "id", "date", "taken", "status", "prio", "item", "name", "ID number", "due", "light"],
    };
    h.iter().map(|s| s.to_string()).collect()
}

/// The full case detail, for `show`.
pub fn detail(desk: &dyn Client, t: &Ticket, events: &[Event], lang: Lang) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row = |k: &str, v: String| {
        if !v.is_empty() {
            rows.push(vec![k.to_string(), v]);
        }
    };
    let today = desk.clock().today();
    row(lang.pick("号码", "number"), format!("{}（#{}，{}）", t.number, t.id, t.date));
    let cat = desk.catalog().category(&t.category).map(|c| c.display_name(lang).to_string()).unwrap_or_default();
    row(
        lang.pick("事项", "item"),
        format!("{} {}（{}，{}）", t.item, clean(&t.item_name), clean(&cat), t.kind.label(lang)),
    );
    row(lang.pick("状态", "status"), t.status.label(lang).to_string());
    if let Some(p) = t.priority {
        let unverified = if t.priority_unverified {
            lang.pick(
                "（取号机自选，待核验：受理前请查验证件）",
                " (chosen at the kiosk, unverified: check the proof before accepting)",
            )
        } else {
            ""
        };
        row(lang.pick("优先", "priority"), format!("{}{unverified}", p.label(lang)));
    }
    row(lang.pick("申请人", "applicant"), name_of(t, false));
    if let Some(id) = &t.citizen.id_number {
        let about = match (id.sex(), id.age_on(today)) {
            (Some(sex), Some(age)) => format!("（{}，{age} {}）", sex.label(lang), lang.pick("岁", "years")),
            _ => lang
                .pick("（已遮挡，查看完整号码：yimen show --reveal）", " (masked; see it whole: yimen show --reveal)")
                .to_string(),
        };
        row(lang.pick("身份证号", "ID number"), format!("{id}{about}"));
    }
    row(lang.pick("电话", "phone"), t.citizen.phone.as_ref().map(|p| p.to_string()).unwrap_or_default());
    row(lang.pick("村（社区）", "village"), t.citizen.village.as_deref().map(clean).unwrap_or_default());
    if let Some(p) = &t.proxy {
        let phone = p.phone.as_ref().map(|x| format!(" {x}")).unwrap_or_default();
        row(lang.pick("代办人", "proxy"), format!("{}{phone}", clean(&p.name)));
    }
    row(lang.pick("窗口", "window"), t.window.as_deref().map(clean).unwrap_or_default());
    row(lang.pick("经办人", "clerk"), t.clerk.as_deref().map(clean).unwrap_or_default());
    row(lang.pick("办结期限", "due"), deadline_text(desk, t, lang).unwrap_or_default());
    if let Some(s) = &t.suspension {
        let missing =
            if s.missing.is_empty() { String::new() } else { format!("：{}", clean(&s.missing.join("、"))) };
        row(lang.pick("挂起原因", "suspended for"), format!("{}{missing}", s.reason.label(lang)));
    }
    for d in &t.deferred {
        let state = match d.supplied_at {
            Some(at) => format!("{} {}", lang.pick("已补齐", "supplied"), stamp(desk, at)),
            None => format!("{} {}", lang.pick("须补齐于", "due"), d.due),
        };
        row(lang.pick("容缺材料", "deferred"), format!("{}（{state}）", clean(&d.material)));
    }
    row(lang.pick("转办至", "sent to"), t.transferred_to.as_deref().map(clean).unwrap_or_default());
    row(
        lang.pick("结束原因", "closing reason"),
        t.close_reason.as_deref().map(|s| escape_for_output(s, false)).unwrap_or_default(),
    );
    if let Some(r) = &t.rating {
        let mut s = r.text(lang);
        if let Some(d) = r.follow_up_due {
            s.push_str(&format!("（{}{d}）", lang.pick("差评回访期限 ", "follow up by ")));
        }
        row(lang.pick("评价", "rating"), s);
    }
    row(lang.pick("备注", "note"), t.note.as_deref().map(|n| escape_for_output(n, false)).unwrap_or_default());
    let mut out = table(&rows);
    out.push_str(&format!("\n{}\n", lang.pick("办理过程：", "History:")));
    let mut ev_rows = Vec::new();
    for e in events {
        let from = e.from.map(|s| format!("{} -> ", s.label(lang))).unwrap_or_default();
        let mut who = clean(&e.clerk);
        if let Some(w) = &e.window {
            who.push_str(&format!(" @{}", clean(w)));
        }
        let when = if e.clock_override { format!("{} *", stamp(desk, e.at)) } else { stamp(desk, e.at) };
        ev_rows.push(vec![
            when,
            who,
            e.action.label(lang).to_string(),
            format!("{from}{}", e.to.label(lang)),
            e.note_in(lang).as_deref().map(clean).unwrap_or_default(),
        ]);
    }
    out.push_str(&table(&ev_rows));
    if events.iter().any(|e| e.clock_override) {
        out.push_str(lang.pick("* 时间由 YIMEN_NOW 指定\n", "* time set by YIMEN_NOW\n"));
    }
    out
}
