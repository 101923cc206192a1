//! `yimen report daily|range`: a report computed by the client (on the file or by the server)
//! and given as text, Markdown, CSV, JSON, print-ready PDF or an Excel workbook; `--print`
//! sends the PDF to the hall's printer.

use super::args::{ReportCmd, ReportFormat, ReportOut};
use super::{Ctx, Failure, check_period, emit, paper, parse_day};
use yimen_api::Client;

pub(super) fn report(c: &mut Ctx<'_>, desk: &mut dyn Client, cmd: ReportCmd) -> Result<(), Failure> {
    use yimen_app::report;
    use yimen_present::render;
    let lang = c.lang;
    let today = desk.clock().today();
    // `name` names the file a PDF or workbook is saved in when no --out is given.
    #[allow(clippy::too_many_arguments)]
    let write = |c: &mut Ctx<'_>,
                 desk: &dyn Client,
                 out: &ReportOut,
                 title: &str,
                 when: &str,
                 name: &str,
                 header: &report::Header,
                 sections: &[render::Section],
                 json: Result<String, String>|
     -> Result<(), Failure> {
        let format = if c.json {
            ReportFormat::Json
        } else {
            let table = [
                ("pdf", ReportFormat::Pdf),
                ("xlsx", ReportFormat::Xlsx),
                ("csv", ReportFormat::Csv),
                ("md", ReportFormat::Markdown),
                ("json", ReportFormat::Json),
                ("txt", ReportFormat::Text),
            ];
            let default = if out.excel { ReportFormat::Csv } else { ReportFormat::Text };
            paper::format_for(out.format, out.out.as_deref(), &table, default, lang)?
        };
        if out.excel && format != ReportFormat::Csv {
            return Err(Failure::Message(
                lang.pick(
                    "--excel 只用于 CSV（Excel 文件请用 --format xlsx）",
                    "--excel is for CSV only (for an Excel file use --format xlsx)",
                )
                .into(),
            ));
        }
        let fallback = |ext: &str| paper::beside_database(desk, "reports", &format!("{name}.{ext}"));
        // One document for the PDF and its title in the print queue.
        let doc = render::report_doc(title, when, header, sections, lang);
        let pdf = || yimen_present::pdf::pdf(&doc);
        let bytes = match format {
            ReportFormat::Text => render::text(title, when, header, sections, lang).into_bytes(),
            ReportFormat::Markdown => render::markdown(title, when, header, sections, lang).into_bytes(),
            ReportFormat::Csv => render::csv(sections, out.excel).map_err(Failure::Message)?,
            ReportFormat::Json => {
                let mut s = json.map_err(Failure::Message)?;
                s.push('\n');
                s.into_bytes()
            }
            ReportFormat::Pdf if out.print => {
                let path = out.out.clone().unwrap_or_else(|| fallback("pdf"));
                return paper::save_and_print(
                    c,
                    desk,
                    &pdf().map_err(Failure::Message)?,
                    &path,
                    true,
                    false,
                    &doc.title,
                );
            }
            ReportFormat::Pdf => {
                return paper::emit_binary(c, &pdf().map_err(Failure::Message)?, out.out.as_deref(), fallback("pdf"));
            }
            ReportFormat::Xlsx => {
                let book =
                    yimen_present::xlsx::report(title, when, header, sections, lang).map_err(Failure::Message)?;
                paper::emit_binary(c, &book, out.out.as_deref(), fallback("xlsx"))?;
                Vec::new()
            }
        };
        if format != ReportFormat::Xlsx {
            emit(c, &bytes, out.out.as_deref())?;
        }
        // Printing is always of the PDF, whatever else was asked for.
        if out.print {
            let pdf = pdf().map_err(Failure::Message)?;
            if c.json {
                // The JSON is the output: the printer's answer is not added to it.
                let mut sink = std::io::sink();
                let mut quiet = Ctx { lang, json: true, out: &mut sink };
                paper::save_and_print(&mut quiet, desk, &pdf, &fallback("pdf"), true, false, &doc.title)?;
            } else {
                paper::save_and_print(c, desk, &pdf, &fallback("pdf"), true, false, &doc.title)?;
            }
        }
        Ok(())
    };
    match cmd {
        ReportCmd::Daily { date, out } => {
            let day = match date {
                Some(d) => parse_day(&d, lang)?,
                None => today,
            };
            let r = desk.daily_report(day, lang).map_err(|e| c.fail(e))?;
            let sections = render::daily_sections(&r, lang);
            // Named with the moment of printing too: a signed paper always has its own file.
            let stamp = desk.clock().show(desk.clock().now(), yimen_domain::clock::Shown::FileStamp);
            write(
                c,
                desk,
                &out,
                lang.pick("便民服务日报", "Daily summary"),
                &r.date,
                &format!("daily-{}-printed-{stamp}", r.date),
                &r.header,
                &sections,
                render::json(&r),
            )
        }
        ReportCmd::Range { from, to, week, month, out } => {
            let (from, to) = if let Some(w) = week {
                // `--week` alone: the last full week, what a supervisor means on a Monday
                // morning (this week is mostly still to come).
                let d = match w.as_str() {
                    "last" => today.checked_sub(time::Duration::days(7)).unwrap_or(today),
                    "today" | "this" => today,
                    _ => parse_day(&w, lang)?,
                };
                // Checked: a week at the very end (or start) of the calendar is cut there.
                let back = time::Duration::days(i64::from(d.weekday().number_days_from_monday()));
                let monday = d.checked_sub(back).unwrap_or(time::Date::MIN);
                (monday, monday.checked_add(time::Duration::days(6)).unwrap_or(time::Date::MAX))
            } else if let Some(m) = month {
                let first = if m == "this" {
                    today.replace_day(1).unwrap_or(today)
                } else {
                    parse_day(&format!("{m}-01"), lang)?
                };
                let next = if first.month() == time::Month::December {
                    time::Date::from_calendar_date(first.year() + 1, time::Month::January, 1)
                } else {
                    time::Date::from_calendar_date(first.year(), first.month().next(), 1)
                };
                // December of the calendar's last year ends on its last day.
                (first, next.ok().and_then(|n| n.previous_day()).unwrap_or(time::Date::MAX))
            } else {
                let to = match to {
                    Some(d) => parse_day(&d, lang)?,
                    None => today,
                };
                (parse_day(from.as_deref().unwrap_or_default(), lang)?, to)
            };
            check_period(from, to, lang)?;
            let r = desk.range_report(from, to, lang).map_err(|e| c.fail(e))?;
            let sections = render::range_sections(&r, lang);
            let when = format!("{from} ~ {to}");
            write(
                c,
                desk,
                &out,
                lang.pick("便民服务周期报告", "Period report"),
                &when,
                &format!(
                    "range-{from}-{to}-printed-{}",
                    desk.clock().show(desk.clock().now(), yimen_domain::clock::Shown::FileStamp)
                ),
                &r.header,
                &sections,
                render::json(&r),
            )
        }
    }
}
