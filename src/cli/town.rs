//! `yimen town …`: the town's database only, no hall file — its halls, their flags and the
//! town's reports. A town report is every hall's own report (computed from the town's copy of
//! its records with the hall's own definitions), put side by side and summed.

use super::args::{self, TownReportCmd};
use super::report::{Outgoing, deliver, period};
use super::view::{self, clean};
use super::{Ctx, Failure, flag_kind, parse_day};
use yimen_app::report::Header;
use yimen_domain::Lang;
use yimen_domain::clock::{Clock, DEFAULT_OFFSET, Shown};
use yimen_present::render::{self, Section};
use yimen_town::report::{HallMeta, TownAnchor, TownDaily, TownRange};

pub(super) fn town(c: &mut Ctx<'_>, cmd: args::TownCmd) -> Result<(), Failure> {
    let lang = c.lang;
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let fail = |e: yimen_town::TownError| Failure::Message(e.text(lang));
    // The town's clock: the default offset (+08:00), `YIMEN_NOW` in tests.
    let clock = Clock::from_env(DEFAULT_OFFSET).map_err(|e| Failure::Message(e.text(lang == Lang::Zh)))?;
    match cmd {
        args::TownCmd::Halls { town } => {
            let mut town = yimen_town::Town::open(&town).map_err(fail)?;
            let halls = town.halls(clock.now()).map_err(fail)?;
            if c.json {
                writeln!(c.out, "{}", serde_json::to_string(&halls)?)?;
                return Ok(());
            }
            let rows: Vec<Vec<String>> = halls
                .iter()
                .map(|h| {
                    let lag = match h.lag_seconds {
                        None => t("从未同步", "never"),
                        Some(s) if s > 86_400 => format!("{}{}", s / 3600, t(" 小时 ！超过一天", " h ! over a day")),
                        Some(s) if s >= 3600 => format!("{}{}", s / 3600, t(" 小时", " h")),
                        Some(s) => format!("{}{}", s / 60, t(" 分钟", " min")),
                    };
                    vec![h.code.clone(), clean(&h.name), h.events.to_string(), lag, h.flags.to_string()]
                })
                .collect();
            let head = vec![
                t("代码", "code"),
                t("大厅", "hall"),
                t("事件", "events"),
                t("距上次同步", "since last sync"),
                t("标记", "flags"),
            ];
            write!(c.out, "{}", view::table(&[vec![head], rows].concat()))?;
        }
        args::TownCmd::Report(TownReportCmd::Daily { date, town, out }) => {
            let day = match date {
                Some(d) => parse_day(&d, lang)?,
                None => clock.today(),
            };
            within_database_years(day, day, lang)?;
            let mut town = yimen_town::Town::open(&town).map_err(fail)?;
            let r = town.daily(day, clock.now(), lang).map_err(fail)?;
            let sections = daily_sections(&r, lang);
            let header = header(&r.anchor, &clock, lang);
            let name = format!("town-daily-{}-printed-{}", r.date, clock.show(clock.now(), Shown::FileStamp));
            let title = lang.pick("镇便民服务日报", "Town daily summary");
            town_paper(c, &out, (title, &r.date, &name), &header, &sections, render::json(&r))?;
        }
        args::TownCmd::Report(TownReportCmd::Range { period: p, town, out }) => {
            let (from, to) = period(&p, clock.today(), lang)?;
            within_database_years(from, to, lang)?;
            let mut town = yimen_town::Town::open(&town).map_err(fail)?;
            let r = town.range(from, to, clock.now(), lang).map_err(fail)?;
            let sections = range_sections(&r, lang);
            let header = header(&r.anchor, &clock, lang);
            let when = format!("{from} ~ {to}");
            let name = format!("town-range-{from}-{to}-printed-{}", clock.show(clock.now(), Shown::FileStamp));
            let title = lang.pick("镇便民服务周期报告", "Town period report");
            town_paper(c, &out, (title, &when, &name), &header, &sections, render::json(&r))?;
        }
        args::TownCmd::Resolve { hall_code, id, note, town } => {
            let hall_code = a_code(&hall_code, lang)?;
            let note = a_note(&note, lang)?;
            let mut town = yimen_town::Town::open(&town).map_err(fail)?;
            town.resolve(&hall_code, id, &note, clock.now()).map_err(fail)?;
            writeln!(
                c.out,
                "{}{id}{}",
                t("已处理标记 ", "flag "),
                t("（说明已保存）", " resolved (the note is kept)")
            )?;
        }
        args::TownCmd::Accept { hall_code, note, town } => {
            let hall_code = a_code(&hall_code, lang)?;
            let note = a_note(&note, lang)?;
            let mut town = yimen_town::Town::open(&town).map_err(fail)?;
            let moved = town.accept_history(&hall_code, &note, clock.now()).map_err(fail)?;
            writeln!(
                c.out,
                "{}{moved}{}",
                t("镇里原有的该大厅事件 ", "the town's "),
                t(
                    " 条已移到 town.superseded_events；大厅下次同步时重新送来全部历史",
                    " events of the hall are set aside in town.superseded_events; the hall sends its whole history again at its next sync"
                )
            )?;
        }
        args::TownCmd::Flags { hall_code, all, town } => {
            let hall_code = a_code(&hall_code, lang)?;
            let mut town = yimen_town::Town::open(&town).map_err(fail)?;
            let flags = town.flags(&hall_code, all).map_err(fail)?;
            // A code the town knows nothing of is not "no flags" (a hall refused for a taken
            // code has flags though it is not a hall of the town).
            if flags.is_empty() && !town.halls(clock.now()).map_err(fail)?.iter().any(|h| h.code == hall_code) {
                return Err(fail(yimen_town::TownError::NoSuchHall(hall_code)));
            }
            if c.json {
                writeln!(c.out, "{}", serde_json::to_string(&flags)?)?;
                return Ok(());
            }
            if flags.is_empty() {
                writeln!(c.out, "{}", t("没有标记", "no flags"))?;
            }
            for f in flags {
                let at = f.position.map(|p| format!(" @{p}")).unwrap_or_default();
                let id = f.id.map(|i| format!("#{i}  ")).unwrap_or_default();
                let done = match &f.resolution {
                    Some(r) => format!("{}{}", t("  —— 已处理：", "  — resolved: "), clean(r)),
                    None => String::new(),
                };
                writeln!(c.out, "{id}{}{at}  {}{done}", flag_kind(&f.kind, lang), clean(&f.detail))?;
            }
        }
    }
    Ok(())
}

/// A hall's code as typed: 12 digits of a township or village (so it is safe to show).
fn a_code(code: &str, lang: Lang) -> Result<String, Failure> {
    yimen_app::hall_code(code).map_err(|why| Failure::Message(why.text(lang)))
}

/// A town report out in the format asked for, signed for the town; `(title, when, name)`: its
/// title and period as printed, and the file name it is saved under without `--out`.
fn town_paper(
    c: &mut Ctx<'_>,
    out: &args::ReportOut,
    (title, when, name): (&str, &str, &str),
    header: &Header,
    sections: &[Section],
    json: Result<String, String>,
) -> Result<(), Failure> {
    let signature = c.lang.pick(
        "镇负责人（签字）：____________________    日期：______________",
        "For the town (signature): ____________________    Date: ______________",
    );
    let report = Outgoing { title, when, header, sections, json, signature: Some(signature) };
    // The town's PC has no hall settings: the printer comes from `YIMEN_PRINTER`.
    deliver(c, &yimen_app::Settings::default(), out, report, &|ext| reports_dir(name, ext))
}

/// A resolution's note as typed: not empty, one line, at most 500 characters.
fn a_note(note: &str, lang: Lang) -> Result<String, Failure> {
    let n = note.trim();
    if n.is_empty() || n.chars().count() > 500 || n.chars().any(char::is_control) {
        return Err(Failure::Message(
            lang.pick(
                "--note 要写明查明的情况和处理决定（一行，最多 500 字）",
                "--note says what was found and decided (one line, at most 500 characters)",
            )
            .into(),
        ));
    }
    Ok(n.to_string())
}

/// A town report's days lie in the years a hall's records can hold and PostgreSQL's times
/// reach alike.
fn within_database_years(from: time::Date, to: time::Date, lang: Lang) -> Result<(), Failure> {
    for d in [from, to] {
        if !(2000..=2099).contains(&d.year()) {
            return Err(Failure::Message(format!(
                "{d}{}",
                lang.pick("：镇里的报告只统计 2000–2099 年的日子", ": the town's reports cover the years 2000–2099")
            )));
        }
    }
    Ok(())
}

/// Where a town report's PDF or workbook goes without `--out` on a terminal: `town-reports/`
/// in the current folder (the town's PC has no hall file to put it beside).
fn reports_dir(name: &str, ext: &str) -> std::path::PathBuf {
    std::path::PathBuf::from("town-reports").join(format!("{name}.{ext}"))
}

/// The header a town report is printed under: the town's halls instead of one hall, and as
/// its anchor the digests over every hall's chain head and records (`TownAnchor`).
fn header(a: &TownAnchor, clock: &Clock, lang: Lang) -> Header {
    Header {
        hall: format!(
            "{}{}{}",
            lang.pick("全镇 ", "The town's "),
            a.halls,
            lang.pick(" 个便民服务大厅", " service halls")
        ),
        printed_at: clock.show(clock.now(), Shown::DaySecond),
        printed_by: None,
        calendar_note: None,
        chain_head: a.heads.clone(),
        chain_events: a.events,
        sources: a.sources.clone(),
    }
}

/// A hall's name with what to know before trusting its figures: silent for over a day, or
/// flagged by the town.
fn hall_name(h: &HallMeta, lang: Lang) -> String {
    let mut s = clean(&h.name);
    if h.stale {
        s.push_str(lang.pick(" ！超一天未同步", " ! not synced for over a day"));
    }
    if h.flags > 0 {
        s.push_str(&format!("{}{}{}", lang.pick(" ！有 ", " ! "), h.flags, lang.pick(" 个问题标记", " flags")));
    }
    s
}

/// The share of ratings 3–5 (基本满意 and better) among ratings keyed "1" to "5", as a hall's
/// report counts it; `None` without ratings.
fn satisfaction(ratings: &std::collections::BTreeMap<String, u32>) -> Option<f64> {
    let all: u32 = ratings.values().sum();
    let good: u32 = ratings.iter().filter(|(k, _)| matches!(k.as_str(), "3" | "4" | "5")).map(|(_, n)| n).sum();
    (all > 0).then(|| f64::from(good) / f64::from(all))
}

/// A hall's line of work: its name (with its marks), code, and the numbers taken, served,
/// accepted and completed.
fn work_row(h: &HallMeta, f: &yimen_app::report::Totals, lang: Lang) -> Vec<String> {
    vec![
        hall_name(h, lang),
        h.code.clone(),
        f.taken.to_string(),
        f.served.to_string(),
        f.accepted.to_string(),
        f.completed.to_string(),
    ]
}

fn percent(rate: Option<f64>) -> String {
    rate.map(|r| format!("{:.1}%", r * 100.0)).unwrap_or_else(|| "-".into())
}

/// The sums by category, by item and by village, as three sections.
fn by_category_and_item(
    by_category: &std::collections::BTreeMap<String, [u32; 3]>,
    by_item: &std::collections::BTreeMap<String, [u32; 3]>,
    by_village: &std::collections::BTreeMap<String, u32>,
    lang: Lang,
) -> Vec<Section> {
    let l = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let rows = |m: &std::collections::BTreeMap<String, [u32; 3]>| {
        m.iter().map(|(k, [a, b, d])| vec![clean(k), a.to_string(), b.to_string(), d.to_string()]).collect()
    };
    vec![
        Section {
            chart: true,
            title: l("全镇分类别", "The town by category"),
            head: vec![l("类别", "category"), l("取号", "taken"), l("受理", "accepted"), l("办结", "completed")],
            rows: rows(by_category),
        },
        Section {
            chart: false,
            title: l("全镇分事项", "The town by item"),
            head: vec![l("事项", "item"), l("取号", "taken"), l("受理", "accepted"), l("办结", "completed")],
            rows: rows(by_item),
        },
        Section {
            chart: false,
            title: l("全镇分村（社区）", "The town by village or community"),
            head: vec![l("村（社区）", "village or community"), l("取号", "taken")],
            rows: by_village.iter().map(|(v, n)| vec![clean(v), n.to_string()]).collect(),
        },
    ]
}

/// The town's daily report as sections: the halls side by side with the town's sums, the
/// sums by category and item, and the cases the town should act on — overdue, due within a
/// working day, bad ratings awaiting follow-up — each with its hall.
fn daily_sections(r: &TownDaily, lang: Lang) -> Vec<Section> {
    let l = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    // Two tables of the halls, so each fits an A4 page and 80 columns: the day's work, then
    // the cases and ratings in hand.
    let mut work: Vec<Vec<String>> = Vec::new();
    let mut in_hand: Vec<Vec<String>> = Vec::new();
    for h in &r.halls {
        let f = &h.report.figures.totals;
        let mut row = work_row(&h.hall, f, lang);
        row.push(h.report.year_to_date.accepted.to_string());
        work.push(row);
        in_hand.push(vec![
            clean(&h.hall.name),
            h.open.to_string(),
            h.report.overdue.len().to_string(),
            h.report.due_soon.len().to_string(),
            f.rated.to_string(),
            percent(h.report.figures.satisfaction_rate),
            h.report.open_bad_ratings.len().to_string(),
        ]);
    }
    let f = &r.totals;
    work.push(vec![
        l("合计", "total"),
        String::new(),
        f.taken.to_string(),
        f.served.to_string(),
        f.accepted.to_string(),
        f.completed.to_string(),
        r.year_to_date.accepted.to_string(),
    ]);
    let mut ratings = std::collections::BTreeMap::<String, u32>::new();
    for h in &r.halls {
        for (k, n) in &h.report.figures.ratings {
            *ratings.entry(k.clone()).or_default() += n;
        }
    }
    in_hand.push(vec![
        l("合计", "total"),
        r.open.to_string(),
        r.overdue.to_string(),
        r.due_soon.to_string(),
        r.ratings.to_string(),
        percent(satisfaction(&ratings)),
        r.follow_ups_open.to_string(),
    ]);
    let mut v = vec![
        Section {
            chart: false,
            title: format!(
                "{}{}{}",
                l("各大厅办件（本年一门式受理办件合计 ", "Each hall's work (one-window cases accepted this year: "),
                r.year_to_date.accepted,
                l(" 件）", ")")
            ),
            head: vec![
                l("大厅", "hall"),
                l("代码", "code"),
                l("取号", "taken"),
                l("服务", "served"),
                l("受理", "accepted"),
                l("办结", "completed"),
                l("本年受理", "this year"),
            ],
            rows: work,
        },
        Section {
            chart: false,
            title: l("各大厅在办与评价", "Each hall's cases in hand and ratings"),
            head: vec![
                l("大厅", "hall"),
                l("在办", "open"),
                l("超期", "overdue"),
                l("将到期", "due soon"),
                l("评价", "rated"),
                l("满意率", "satisfied"),
                l("待回访", "follow-ups"),
            ],
            rows: in_hand,
        },
    ];
    v.extend(by_category_and_item(&r.by_category, &r.by_item, &r.by_village, lang));
    let cases = |pick: &dyn Fn(&yimen_app::report::DailyReport) -> &Vec<yimen_app::report::CaseRow>| {
        r.halls
            .iter()
            .flat_map(|h| {
                pick(&h.report).iter().map(|c| {
                    vec![
                        h.hall.code.clone(),
                        c.number.clone(),
                        c.date.clone(),
                        clean(&c.item),
                        c.deadline.clone().unwrap_or_default(),
                        c.working_days_left.map(|d| d.to_string()).unwrap_or_default(),
                    ]
                })
            })
            .collect::<Vec<_>>()
    };
    let case_head = vec![
        l("大厅代码", "hall code"),
        l("号码", "number"),
        l("日期", "date"),
        l("事项", "item"),
        l("承诺期限", "deadline"),
        l("剩余工作日", "days left"),
    ];
    v.push(Section {
        chart: false,
        title: l("超期件", "Overdue cases"),
        head: case_head.clone(),
        rows: cases(&|d| &d.overdue),
    });
    v.push(Section {
        chart: false,
        title: l("一个工作日内到期", "Due within a working day"),
        head: case_head,
        rows: cases(&|d| &d.due_soon),
    });
    v.push(Section {
        chart: false,
        title: l("待回访的差评", "Bad ratings awaiting follow-up"),
        head: vec![
            l("大厅代码", "hall code"),
            l("号码", "number"),
            l("日期", "date"),
            l("事项", "item"),
            l("评分", "score"),
            l("回访期限", "follow up by"),
        ],
        rows: r
            .halls
            .iter()
            .flat_map(|h| {
                h.report.open_bad_ratings.iter().map(|b| {
                    vec![
                        h.hall.code.clone(),
                        b.number.clone(),
                        b.date.clone(),
                        clean(&b.item),
                        b.score.to_string(),
                        b.follow_up_due.clone().unwrap_or_default(),
                    ]
                })
            })
            .collect(),
    });
    v
}

/// The town's period report as sections: the halls side by side with the town's sums, the
/// sums by category, item and day, and the ratings.
fn range_sections(r: &TownRange, lang: Lang) -> Vec<Section> {
    let l = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let mut work: Vec<Vec<String>> = Vec::new();
    let mut rated: Vec<Vec<String>> = Vec::new();
    for h in &r.halls {
        let f = &h.report.figures.totals;
        work.push(work_row(&h.hall, f, lang));
        rated.push(vec![
            clean(&h.hall.name),
            f.rated.to_string(),
            percent(h.report.figures.satisfaction_rate),
            h.report.requests_opened.to_string(),
            h.report.requests_closed.to_string(),
        ]);
    }
    let f = &r.totals;
    work.push(vec![
        l("合计", "total"),
        String::new(),
        f.taken.to_string(),
        f.served.to_string(),
        f.accepted.to_string(),
        f.completed.to_string(),
    ]);
    rated.push(vec![
        l("合计", "total"),
        f.rated.to_string(),
        percent(satisfaction(&r.ratings)),
        r.requests_opened.to_string(),
        r.requests_closed.to_string(),
    ]);
    let mut v = vec![
        Section {
            chart: false,
            title: l("各大厅办件", "Each hall's work"),
            head: vec![
                l("大厅", "hall"),
                l("代码", "code"),
                l("取号", "taken"),
                l("服务", "served"),
                l("受理", "accepted"),
                l("办结", "completed"),
            ],
            rows: work,
        },
        Section {
            chart: false,
            title: l("各大厅评价与诉求", "Each hall's ratings and requests"),
            head: vec![
                l("大厅", "hall"),
                l("评价", "rated"),
                l("满意率", "satisfied"),
                l("诉求新增", "requests in"),
                l("诉求办结", "closed"),
            ],
            rows: rated,
        },
    ];
    v.extend(by_category_and_item(&r.by_category, &r.by_item, &r.by_village, lang));
    v.push(render::days_section(l("全镇逐日", "The town day by day"), &r.days, lang));
    v.push(Section {
        chart: true,
        title: l("全镇好差评", "The town's ratings"),
        head: vec![l("评价", "rating"), l("次数", "count")],
        rows: (1..=5u8)
            .rev()
            .map(|s| {
                vec![
                    yimen_domain::ticket::Rating::level_label(s, lang).to_string(),
                    r.ratings.get(&s.to_string()).copied().unwrap_or(0).to_string(),
                ]
            })
            .collect(),
    });
    v
}
