//! `yimen catalog list|show|import`: the service catalog; `yimen calendar show|import`: the
//! holiday calendar.

use super::args::{CalendarCmd, CatalogCmd};
use super::view::{self, clean};
use super::{Ctx, Failure};
use yimen_api::Client;
use yimen_app::DeskError;
use yimen_domain::Lang;
use yimen_domain::lang::Localized;

pub(super) fn catalog(c: &mut Ctx<'_>, desk: &mut dyn Client, cmd: CatalogCmd) -> Result<(), Failure> {
    let lang = c.lang;
    match cmd {
        CatalogCmd::List => {
            let cat = desk.catalog();
            if c.json {
                writeln!(c.out, "{}", serde_json::to_string(cat)?)?;
                return Ok(());
            }
            let head: [&str; 6] = match lang {
                Lang::Zh => ["代码", "类别", "事项", "类型", "承诺时限", "年龄"],
                Lang::En => ["code", "category", "item", "kind", "days", "min age"],
            };
            let mut rows = vec![head.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
            for i in &cat.items {
                let cg =
                    cat.category_of(i).map(|g| format!("{} {}", g.letter, g.display_name(lang))).unwrap_or_default();
                rows.push(vec![
                    i.code.clone(),
                    clean(&cg),
                    clean(i.display_name(lang)),
                    i.kind.label(lang).to_string(),
                    if i.days == 0 {
                        "-".into()
                    } else {
                        format!("{} {}", i.days, lang.pick("个工作日", "working days"))
                    },
                    i.min_age.map(|a| format!("{a}+")).unwrap_or_default(),
                ]);
            }
            write!(c.out, "{}", view::table(&rows))?;
        }
        CatalogCmd::Show { code } => {
            let item = desk.catalog().item(&code).ok_or_else(|| c.fail(DeskError::UnknownItem(code.clone())))?;
            if c.json {
                writeln!(c.out, "{}", serde_json::to_string(item)?)?;
                return Ok(());
            }
            writeln!(c.out, "{} {}（{}）", item.code, clean(&item.name), clean(&item.name_en))?;
            writeln!(c.out, "{}{}", lang.pick("类型：", "kind: "), item.kind.label(lang))?;
            if item.days > 0 {
                writeln!(c.out, "{}{}", lang.pick("承诺时限（工作日）：", "promised working days: "), item.days)?;
            }
            if let Some(a) = item.min_age {
                writeln!(c.out, "{}{a}", lang.pick("申请人年龄不低于：", "minimum age: "))?;
            }
            writeln!(c.out, "{}", lang.pick("材料：", "materials:"))?;
            for m in &item.materials {
                let flag = match (m.key, m.may_defer) {
                    (true, _) => lang.pick("必备", "key"),
                    (false, true) => lang.pick("可容缺", "may be brought later"),
                    (false, false) => lang.pick("可选", "optional"),
                };
                writeln!(c.out, "  - {}（{flag}）", clean(&m.name))?;
            }
        }
        CatalogCmd::Import { file } => {
            let src = read_utf8(&file, lang, ("事项清单", "the catalog"))?;
            desk.import_catalog(&src).map_err(|e| Failure::Message(e.localized(lang)))?;
            let cat = desk.catalog();
            writeln!(
                c.out,
                "{}{} {}，{} {}",
                lang.pick("已导入事项清单：", "catalog imported: "),
                cat.categories.len(),
                lang.pick("个类别", "categories"),
                cat.items.len(),
                lang.pick("个事项", "items")
            )?;
        }
    }
    Ok(())
}

/// A file's text, or one line saying why not: unreadable, or not UTF-8 (with the line of the
/// first byte that is not).
fn read_utf8(file: &std::path::Path, lang: Lang, what: (&str, &str)) -> Result<String, Failure> {
    let bytes = std::fs::read(file)
        .map_err(|e| Failure::Message(format!("{}{}: {e}", lang.pick("无法读取 ", "cannot read "), file.display())))?;
    String::from_utf8(bytes).map_err(|e| {
        let good = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..good].iter().filter(|&&b| b == b'\n').count() + 1;
        Failure::Message(match lang {
            Lang::Zh => format!("{}：第 {line} 行不是 UTF-8 文本（请用 UTF-8 保存{}）", file.display(), what.0),
            Lang::En => format!("{}: line {line} is not UTF-8 text (save {} as UTF-8)", file.display(), what.1),
        })
    })
}

/// `yimen calendar show [YEAR]` and `yimen calendar import FILE`.
pub(super) fn calendar(c: &mut Ctx<'_>, desk: &mut dyn Client, cmd: CalendarCmd) -> Result<(), Failure> {
    use yimen_domain::calendar::YearSource;
    let lang = c.lang;
    match cmd {
        CalendarCmd::Show { year } => {
            let year = year.unwrap_or_else(|| desk.clock().today().year());
            if !(2000..=2099).contains(&year) {
                return Err(Failure::Message(
                    lang.pick("年份只能是 2000 到 2099", "the year is 2000 to 2099").to_string(),
                ));
            }
            let (source, y) = desk.calendar().year(year);
            // Consecutive days of one holiday read as one range.
            let mut days: Vec<(String, time::Date, time::Date)> = Vec::new();
            let mut all: Vec<(time::Date, String)> = Vec::new();
            for (name, from, to) in &y.holidays {
                let mut d = *from;
                while d <= *to {
                    all.push((d, name.clone()));
                    d = match d.next_day() {
                        Some(n) => n,
                        None => break,
                    };
                }
            }
            all.sort();
            for (d, name) in all {
                match days.last_mut() {
                    Some((n, _, to)) if *n == name && to.next_day() == Some(d) => *to = d,
                    _ => days.push((name, d, d)),
                }
            }
            let estimated = source == YearSource::Estimated;
            if c.json {
                let holidays: Vec<serde_json::Value> = days
                    .iter()
                    .map(|(n, a, b)| {
                        serde_json::json!({
                            "name": n,
                            "name_en": yimen_domain::calendar::holiday_label(n, Lang::En),
                            "from": a.to_string(),
                            "to": b.to_string(),
                        })
                    })
                    .collect();
                let workdays: Vec<String> = y.workdays.iter().map(ToString::to_string).collect();
                let v = serde_json::json!({
                    "year": year,
                    "source": if estimated { "estimated" } else { "official" },
                    "notice": y.source,
                    "holidays": holidays,
                    "workdays": workdays,
                });
                writeln!(c.out, "{v}")?;
                return Ok(());
            }
            let head = match (estimated, lang) {
                (true, Lang::Zh) => format!(
                    "{year} 年放假安排（预估：仅法定节假日，不含调休；国务院通知发布后请用 yimen calendar import 导入）"
                ),
                (true, Lang::En) => format!(
                    "{year} holidays (estimated: statutory days only, no make-up days; import the State Council's notice with yimen calendar import)"
                ),
                (false, Lang::Zh) => format!("{year} 年放假安排（{}）", y.source.as_deref().unwrap_or("已导入")),
                (false, Lang::En) => format!("{year} holidays ({})", y.source.as_deref().unwrap_or("official")),
            };
            writeln!(c.out, "{}", clean(&head))?;
            for (name, from, to) in &days {
                let span =
                    if from == to { from.to_string() } else { format!("{from}{}{to}", lang.pick(" 至 ", " to ")) };
                let name = yimen_domain::calendar::holiday_label(name, lang);
                writeln!(c.out, "  {}  {span}", view::pad(&clean(name), if lang == Lang::Zh { 8 } else { 20 }))?;
            }
            let workdays: Vec<String> = y.workdays.iter().map(ToString::to_string).collect();
            writeln!(
                c.out,
                "{}{}",
                lang.pick("调休上班：", "make-up working days: "),
                if workdays.is_empty() { "—".to_string() } else { workdays.join(lang.pick("、", ", ")) }
            )?;
        }
        CalendarCmd::Import { file } => {
            let src = read_utf8(&file, lang, ("节假日文件", "the holidays file"))?;
            let years = desk.import_calendar(&src).map_err(|e| Failure::Message(e.localized(lang)))?;
            let list: Vec<String> = years.iter().map(ToString::to_string).collect();
            writeln!(c.out, "{}{}", lang.pick("已导入放假安排：", "holidays imported: "), list.join(", "))?;
        }
    }
    Ok(())
}
