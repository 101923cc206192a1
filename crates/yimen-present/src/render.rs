//! Rendering of computed reports: text for the printer (80 display columns, a Chinese
//! character counting two), Markdown, CSV (one table per section) and JSON.

use serde::Serialize;

use crate::paper::{self, Block, Doc, Paper, Rule};
use yimen_app::report::{CaseRow, DailyReport, Figures, Minutes, RangeReport, Totals};
use yimen_domain::Lang;
use yimen_domain::text::escape_for_output;

pub const PAGE: usize = 80;

/// One section of a report as a table: a title, a header row and rows of cells.
pub struct Section {
    pub title: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Drawn as a column chart in a spreadsheet: the first column's labels against each
    /// numeric column (the report screen's charts: by category, arrivals by hour).
    pub chart: bool,
}

fn s(x: impl ToString) -> String {
    x.to_string()
}

fn minutes(m: &Minutes) -> [String; 3] {
    let f = |x: Option<f64>| x.map(|v| format!("{v:.1}")).unwrap_or_else(|| "-".into());
    [f(m.mean), f(m.median), f(m.p90)]
}

fn totals_rows(t: &Totals, lang: Lang) -> Vec<Vec<String>> {
    let l = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    vec![
        vec![l("取号", "taken"), s(t.taken)],
        vec![l("已叫号", "called"), s(t.called)],
        vec![l("已服务", "served"), s(t.served)],
        vec![l("过号", "no-show"), s(t.no_show)],
        vec![l("下班时仍在等候", "still waiting at close"), s(t.waiting_at_close)],
        vec![l("受理", "accepted"), s(t.accepted)],
        vec![l("  其中容缺受理", "  of which with materials later"), s(t.deferred)],
        vec![l("办结", "completed"), s(t.completed)],
        vec![l("  即办件", "  on the spot"), s(t.completed_on_the_spot)],
        vec![l("  承诺件", "  promised"), s(t.completed_promised)],
        vec![l("不予受理", "rejected"), s(t.rejected)],
        vec![l("撤回", "withdrawn"), s(t.withdrawn)],
        vec![l("一次性告知（已告知未受理）", "one-time notices (not accepted)"), s(t.notices)],
        vec![l("终止", "terminated"), s(t.terminated)],
        vec![l("转办", "transferred"), s(t.transferred)],
        vec![l("挂起（仍在挂起）", "suspended (still)"), s(t.suspended)],
        vec![l("评价", "rated"), s(t.rated)],
    ]
}

fn case_rows(rows: &[CaseRow], lang: Lang) -> (Vec<String>, Vec<Vec<String>>) {
    let head: Vec<String> = match lang {
        Lang::Zh => ["号码", "日期", "事项", "经办人", "期限", "剩余工作日/状态"],
        Lang::En => ["number", "date", "item", "clerk", "due", "days left/status"],
    }
    .iter()
    .map(s)
    .collect();
    let rows = rows
        .iter()
        .map(|r| {
            let item = match &r.material {
                Some(m) => format!("{}（{m}）", r.item),
                None => r.item.clone(),
            };
            vec![
                r.number.clone(),
                r.date.clone(),
                item,
                r.clerk.clone().unwrap_or_default(),
                r.deadline.clone().unwrap_or_default(),
                r.working_days_left.map(s).unwrap_or_else(|| status_label(&r.status, lang)),
            ]
        })
        .collect();
    (head, rows)
}

fn status_label(code: &str, lang: Lang) -> String {
    yimen_domain::ticket::Status::ALL
        .iter()
        .find(|s| s.code() == code)
        .map(|s| s.label(lang).to_string())
        .unwrap_or_else(|| code.to_string())
}

fn figure_sections(f: &Figures, lang: Lang) -> Vec<Section> {
    let l = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let mut v = vec![Section {
        chart: false,
        title: l("总量", "Totals"),
        head: vec![l("项目", "figure"), l("数量", "count")],
        rows: totals_rows(&f.totals, lang),
    }];
    v.push(Section {
        chart: true,
        title: l("分类别", "By category"),
        head: vec![l("类别", "category"), l("取号", "taken"), l("受理", "accepted"), l("办结", "completed")],
        rows: f.by_category.iter().map(|c| vec![c.name.clone(), s(c.taken), s(c.accepted), s(c.completed)]).collect(),
    });
    v.push(Section {
        chart: false,
        title: l("分事项", "By item"),
        head: vec![l("事项", "item"), l("取号", "taken"), l("受理", "accepted"), l("办结", "completed")],
        rows: f
            .by_item
            .iter()
            .map(|i| vec![format!("{} {}", i.item, i.name), s(i.taken), s(i.accepted), s(i.completed)])
            .collect(),
    });
    v.push(Section {
        chart: false,
        title: l("分窗口", "By window"),
        head: vec![l("窗口", "window"), l("叫号", "called"), l("服务", "served")],
        rows: f.by_window.iter().map(|w| vec![w.window.clone(), s(w.called), s(w.served)]).collect(),
    });
    // Arrivals by hour, from the first hour anyone came to the last (the report screen's chart).
    let busy: Vec<usize> = (0..f.arrivals_by_hour.len()).filter(|h| f.arrivals_by_hour[*h] > 0).collect();
    if let (Some(first), Some(last)) = (busy.first(), busy.last()) {
        v.push(Section {
            chart: true,
            title: l("分时段取号", "Arrivals by hour"),
            head: vec![l("时段", "hour"), l("取号", "taken")],
            rows: (*first..=*last)
                .map(|h| vec![format!("{h:02}:00-{:02}:00", h + 1), s(f.arrivals_by_hour[h])])
                .collect(),
        });
    }
    v.push(Section {
        chart: false,
        title: l("分工作人员", "By clerk"),
        head: vec![
            l("工作人员", "clerk"),
            l("受理", "accepted"),
            l("办结", "completed"),
            l("不予受理", "rejected"),
            l("评价器评价", "rated on pad"),
            l("窗口录入评价", "keyed by clerk"),
        ],
        rows: f
            .by_clerk
            .iter()
            .map(|c| {
                vec![c.clerk.clone(), s(c.accepted), s(c.completed), s(c.rejected), s(c.rated_pad), s(c.rated_keyed)]
            })
            .collect(),
    });
    let [wm, wmed, w90] = minutes(&f.wait_minutes);
    let [sm, smed, s90] = minutes(&f.service_minutes);
    v.push(Section {
        chart: false,
        title: l("时长（分钟）", "Minutes"),
        head: vec![l("", ""), l("平均", "mean"), l("中位数", "median"), l("90%", "p90"), l("件数", "count")],
        rows: vec![
            vec![l("等候（取号到叫号）", "waiting (taken to call)"), wm, wmed, w90, s(f.wait_minutes.count)],
            vec![
                l("办理（叫号到受理/结束）", "service (call to accepted/closed)"),
                sm,
                smed,
                s90,
                s(f.service_minutes.count),
            ],
        ],
    });
    let rate = f.satisfaction_rate.map(|r| format!("{:.1}%", r * 100.0)).unwrap_or_else(|| "-".into());
    let mut ratings: Vec<Vec<String>> = (1..=5u8)
        .rev()
        .map(|k| {
            vec![
                format!("{k} {}", yimen_domain::ticket::Rating::level_label(k, lang)),
                s(f.ratings.get(&k.to_string()).copied().unwrap_or(0)),
            ]
        })
        .collect();
    ratings.push(vec![l("满意率（3-5 分）", "satisfaction (3-5)"), rate]);
    v.push(Section {
        chart: false,
        title: l("好差评", "Ratings"),
        head: vec![l("等级", "level"), l("数量", "count")],
        rows: ratings,
    });
    v.push(Section {
        chart: false,
        title: l("群众来自", "Where citizens came from"),
        head: vec![l("村（社区）", "village"), l("取号", "taken")],
        rows: f.by_village.iter().map(|r| vec![r.village.clone(), s(r.taken)]).collect(),
    });
    v
}

pub fn daily_sections(r: &DailyReport, lang: Lang) -> Vec<Section> {
    let l = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let mut v = figure_sections(&r.figures, lang);
    // A past day's report: the lists are the cases as they stand at printing.
    let as_of = |title: String| match &r.lists_as_of {
        Some(at) => format!("{title}{}{at}{}", l("（按 ", " (as of "), l(" 的情况）", ")")),
        None => title,
    };
    for (title, rows) in [
        (l("超期在办件", "Overdue open cases"), &r.overdue),
        (l("一个工作日内到期", "Due within one working day"), &r.due_soon),
        (l("明日须补齐容缺材料", "Deferred materials due next working day"), &r.make_good_tomorrow),
    ] {
        let (head, rows) = case_rows(rows, lang);
        v.push(Section { chart: false, title: as_of(title), head, rows });
    }
    v.push(Section {
        chart: false,
        title: as_of(l("未办结的差评回访", "Bad ratings awaiting follow-up")),
        head: vec![
            l("号码", "number"),
            l("日期", "date"),
            l("事项", "item"),
            l("评分", "score"),
            l("经办人", "clerk"),
            l("回访期限", "follow up by"),
        ],
        rows: r
            .open_bad_ratings
            .iter()
            .map(|b| {
                vec![
                    b.number.clone(),
                    b.date.clone(),
                    b.item.clone(),
                    s(b.score),
                    b.clerk.clone().unwrap_or_default(),
                    b.follow_up_due.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    });
    v.push(Section {
        chart: false,
        title: l("本年累计", "Year to date"),
        head: vec![l("项目", "figure"), l("数量", "count")],
        rows: totals_rows(&r.year_to_date, lang),
    });
    v
}

/// A period's days as a section titled `title`: taken, served, accepted, completed each day (a
/// hall's period report, and the town's).
pub fn days_section(title: String, days: &[yimen_app::report::DayRow], lang: Lang) -> Section {
    let l = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    Section {
        chart: false,
        title,
        head: vec![
            l("日期", "date"),
            l("取号", "taken"),
            l("服务", "served"),
            l("受理", "accepted"),
            l("办结", "completed"),
        ],
        rows: days
            .iter()
            .map(|d| vec![d.date.clone(), s(d.taken), s(d.served), s(d.accepted), s(d.completed)])
            .collect(),
    }
}

pub fn range_sections(r: &RangeReport, lang: Lang) -> Vec<Section> {
    let l = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let mut v = figure_sections(&r.figures, lang);
    v.push(days_section(l("逐日趋势", "Day by day"), &r.days, lang));
    let (head, rows) = case_rows(&r.requests, lang);
    v.push(Section {
        chart: false,
        title: format!(
            "{}：{} {}，{} {}",
            l("诉求/纠纷", "Requests and disputes"),
            l("新登记", "opened"),
            r.requests_opened,
            l("结束", "closed"),
            r.requests_closed
        ),
        head,
        rows,
    });
    v
}

/// The report as a document: the hall and the title, who printed it and when, the calendar's
/// warning, every section as a table, then (kept together on the last page) the audit anchor
/// — the chain's length and head, the records' digest — and the supervisor's signature line.
pub fn report_doc(
    title: &str,
    when: &str,
    header: &yimen_app::report::Header,
    sections: &[Section],
    lang: Lang,
) -> Doc {
    let printed = format!(
        "{}{}  {}{}",
        lang.pick("打印时间：", "Printed: "),
        header.printed_at,
        lang.pick("打印人：", "by: "),
        header.printed_by.as_deref().unwrap_or("-")
    );
    let mut body =
        vec![Block::Center(header.hall.clone()), Block::Title(format!("{title}  {when}")), Block::Line(printed)];
    if let Some(n) = &header.calendar_note {
        body.push(Block::Line(format!("[!] {n}")));
    }
    body.push(Block::Rule(Rule::Heavy));
    for sec in sections {
        body.push(Block::Heading(sec.title.clone()));
        body.push(Block::Table {
            head: sec.head.clone(),
            rows: sec.rows.clone(),
            empty: lang.pick("（无）", "(none)").into(),
        });
    }
    let closing = vec![
        Block::Gap,
        Block::Rule(Rule::Heavy),
        Block::Line(format!("{}{}", lang.pick("审计链：事件数 ", "Audit chain: events "), header.chain_events)),
        Block::Line(format!("  {}", header.chain_head)),
        Block::Line(format!("{}{}", lang.pick("数据摘要：", "Records digest: "), header.sources)),
        Block::Gap,
        Block::Signature(
            lang.pick(
                "大厅负责人（签字）：____________________    日期：______________",
                "Supervisor (signature): ____________________    Date: ______________",
            )
            .into(),
        ),
    ];
    Doc {
        paper: Paper::A4,
        title: format!("{} {title} {when}", header.hall),
        running_head: Some(format!("{}  {title}  {when}", header.hall)),
        body,
        closing,
        lang,
    }
}

/// The printable page as text, 80 columns: [`report_doc`] through [`paper::text`].
pub fn text(title: &str, when: &str, header: &yimen_app::report::Header, sections: &[Section], lang: Lang) -> String {
    paper::text(&report_doc(title, when, header, sections, lang), PAGE)
}

/// Text made literal in Markdown (CommonMark backslash escapes): no emphasis, link, code, table
/// cell break or HTML tag can come from a name or a note.
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '#' | '!') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

pub fn markdown(
    title: &str,
    when: &str,
    header: &yimen_app::report::Header,
    sections: &[Section],
    lang: Lang,
) -> String {
    let cell = |c: &str| md_escape(&escape_for_output(c, false));
    let mut out = format!("# {} {title} {when}\n\n", cell(&header.hall));
    out.push_str(&format!(
        "{}{} · {}{}\n",
        lang.pick("打印时间：", "Printed: "),
        header.printed_at,
        lang.pick("打印人：", "by: "),
        header.printed_by.as_deref().map(cell).unwrap_or_else(|| "-".into())
    ));
    if let Some(n) = &header.calendar_note {
        out.push_str(&format!("\n> {n}\n"));
    }
    out.push_str(&format!(
        "\n{}{} `{}` · {}`{}`\n",
        lang.pick("审计链：事件数 ", "Audit chain: events "),
        header.chain_events,
        header.chain_head,
        lang.pick("数据摘要：", "records digest: "),
        header.sources
    ));
    for sec in sections {
        out.push_str(&format!("\n## {}\n\n", cell(&sec.title)));
        if sec.rows.is_empty() {
            out.push_str(lang.pick("（无）\n", "(none)\n"));
            continue;
        }
        out.push_str(&format!("| {} |\n", sec.head.iter().map(|h| cell(h)).collect::<Vec<_>>().join(" | ")));
        out.push_str(&format!("|{}\n", "---|".repeat(sec.head.len())));
        for r in &sec.rows {
            out.push_str(&format!("| {} |\n", r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")));
        }
    }
    out
}

/// A cell made safe for a spreadsheet: hidden characters made visible, and a leading
/// `= + - @` (or tab / carriage return) escaped so it is not read as a formula.
pub fn csv_cell(c: &str) -> String {
    let c = escape_for_output(c, false);
    if c.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{c}") } else { c }
}

pub fn csv(sections: &[Section], excel: bool) -> Result<Vec<u8>, String> {
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    for sec in sections {
        w.write_record([csv_cell(&sec.title)]).map_err(|e| e.to_string())?;
        w.write_record(sec.head.iter().map(|h| csv_cell(h))).map_err(|e| e.to_string())?;
        for r in &sec.rows {
            w.write_record(r.iter().map(|c| csv_cell(c))).map_err(|e| e.to_string())?;
        }
        w.write_record([""]).map_err(|e| e.to_string())?;
    }
    let body = w.into_inner().map_err(|e| e.to_string())?;
    Ok(with_bom(body, excel))
}

/// CSV for Excel on Chinese Windows starts with a UTF-8 byte-order mark.
pub fn with_bom(body: Vec<u8>, excel: bool) -> Vec<u8> {
    if excel { [b"\xEF\xBB\xBF".as_slice(), &body].concat() } else { body }
}

pub fn json<T: Serialize>(r: &T) -> Result<String, String> {
    serde_json::to_string_pretty(r).map_err(|e| e.to_string())
}

#[cfg(test)]
mod markdown_tests {
    #[test]
    fn markdown_keeps_names_and_notes_literal() {
        let header = yimen_app::report::Header {
            hall: "<script>x</script>".into(),
            printed_at: "2026-11-30 09:00".into(),
            printed_by: None,
            calendar_note: None,
            chain_head: "h".into(),
            chain_events: 1,
            sources: "s".into(),
        };
        let sec = super::Section {
            title: "**t**".into(),
            head: vec!["a".into()],
            rows: vec![vec!["[x](http://e) | _y_ `z`".into()]],
            chart: false,
        };
        let md = super::markdown("T", "d", &header, &[sec], yimen_domain::Lang::Zh);
        assert!(md.contains(r"\<script\>x\</script\>"), "{md}");
        assert!(md.contains(r"\*\*t\*\*") && md.contains(r"\[x\](http://e) \| \_y\_ \`z\`"), "{md}");
        assert!(!md.contains("<script>"), "{md}");
    }
}
