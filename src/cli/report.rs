//! `yimen report daily|range` (and the town's, `yimen town report daily|range`): a report
//! computed by the client (on the file, by the server, or from the town's database) and given
//! as text, Markdown, CSV, JSON, print-ready PDF or an Excel workbook; `--print` sends the PDF
//! to the hall's printer.

use std::path::PathBuf;

use super::args::{Period, ReportCmd, ReportFormat, ReportOut};
use super::{Ctx, Failure, check_period, emit, paper, parse_day};
use yimen_api::Client;
use yimen_app::report::Header;
use yimen_present::render::{self, Section};

/// A report ready to go out: its title and period as printed, the name its file is saved
/// under when no `--out` is given, its header, its sections and its JSON.
pub(super) struct Outgoing<'a> {
    pub title: &'a str,
    pub when: &'a str,
    pub header: &'a Header,
    pub sections: &'a [Section],
    pub json: Result<String, String>,
    /// Who signs the paper, when not the hall's supervisor (the town's report).
    pub signature: Option<&'a str>,
}

/// Writes a report in the format asked for (`--format`, else `--out`'s extension), and prints
/// it when asked. `fallback` is where a PDF or workbook goes without `--out` on a terminal
/// (its argument the extension); `settings` holds the printer.
///
/// # Errors
/// A format that contradicts the file's extension, `--excel` with another format than CSV, a
/// file that cannot be written, a printer that did not take the job.
pub(super) fn deliver(
    c: &mut Ctx<'_>,
    settings: &yimen_app::Settings,
    out: &ReportOut,
    report: Outgoing<'_>,
    fallback: &dyn Fn(&str) -> PathBuf,
) -> Result<(), Failure> {
    let lang = c.lang;
    let Outgoing { title, when, header, sections, json, signature } = report;
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
    // One document for the PDF and its title in the print queue.
    let mut doc = render::report_doc(title, when, header, sections, lang);
    if let Some(who) = signature {
        for b in &mut doc.closing {
            if let yimen_present::paper::Block::Signature(line) = b {
                *line = who.to_string();
            }
        }
    }
    let pdf = || yimen_present::pdf::pdf(&doc);
    let bytes = match format {
        ReportFormat::Text => yimen_present::paper::text(&doc, render::PAGE).into_bytes(),
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
                settings,
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
            let book = yimen_present::xlsx::report(title, when, header, sections, lang).map_err(Failure::Message)?;
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
            paper::save_and_print(&mut quiet, settings, &pdf, &fallback("pdf"), true, false, &doc.title)?;
        } else {
            paper::save_and_print(c, settings, &pdf, &fallback("pdf"), true, false, &doc.title)?;
        }
    }
    Ok(())
}

/// The period `--from/--to`, `--week` or `--month` names, `today` being the hall's (or the
/// town's) today.
///
/// # Errors
/// A day that does not parse; a period that ends before it starts or is too long.
pub(super) fn period(
    p: &Period,
    today: time::Date,
    lang: yimen_domain::Lang,
) -> Result<(time::Date, time::Date), Failure> {
    let (from, to) = if let Some(w) = &p.week {
        // `--week` alone: the last full week, what a supervisor means on a Monday morning
        // (this week is mostly still to come).
        let d = match w.as_str() {
            "last" => today.checked_sub(time::Duration::days(7)).unwrap_or(today),
            "today" | "this" => today,
            _ => parse_day(w, lang)?,
        };
        // Checked: a week at the very end (or start) of the calendar is cut there.
        let back = time::Duration::days(i64::from(d.weekday().number_days_from_monday()));
        let monday = d.checked_sub(back).unwrap_or(time::Date::MIN);
        (monday, monday.checked_add(time::Duration::days(6)).unwrap_or(time::Date::MAX))
    } else if let Some(m) = &p.month {
        let first =
            if m == "this" { today.replace_day(1).unwrap_or(today) } else { parse_day(&format!("{m}-01"), lang)? };
        let next = if first.month() == time::Month::December {
            time::Date::from_calendar_date(first.year() + 1, time::Month::January, 1)
        } else {
            time::Date::from_calendar_date(first.year(), first.month().next(), 1)
        };
        // December of the calendar's last year ends on its last day.
        (first, next.ok().and_then(|n| n.previous_day()).unwrap_or(time::Date::MAX))
    } else {
        let to = match &p.to {
            Some(d) => parse_day(d, lang)?,
            None => today,
        };
        (parse_day(p.from.as_deref().unwrap_or_default(), lang)?, to)
    };
    check_period(from, to, lang)?;
    Ok((from, to))
}

pub(super) fn report(c: &mut Ctx<'_>, desk: &mut dyn Client, cmd: ReportCmd) -> Result<(), Failure> {
    let lang = c.lang;
    let today = desk.clock().today();
    // Named with the moment of printing too: a signed paper always has its own file.
    let stamp = desk.clock().show(desk.clock().now(), yimen_domain::clock::Shown::FileStamp);
    // Each report: its title, period as printed, file name, header, sections and JSON.
    let (out, title, when, name, header, sections, json) = match cmd {
        ReportCmd::Daily { date, out } => {
            let day = match date {
                Some(d) => parse_day(&d, lang)?,
                None => today,
            };
            let r = desk.daily_report(day, lang).map_err(|e| c.fail(e))?;
            let name = format!("daily-{}-printed-{stamp}", r.date);
            let title = lang.pick("便民服务日报", "Daily summary");
            (out, title, r.date.clone(), name, r.header.clone(), render::daily_sections(&r, lang), render::json(&r))
        }
        ReportCmd::Range { period: p, out } => {
            let (from, to) = period(&p, today, lang)?;
            let r = desk.range_report(from, to, lang).map_err(|e| c.fail(e))?;
            let name = format!("range-{from}-{to}-printed-{stamp}");
            let title = lang.pick("便民服务周期报告", "Period report");
            (
                out,
                title,
                format!("{from} ~ {to}"),
                name,
                r.header.clone(),
                render::range_sections(&r, lang),
                render::json(&r),
            )
        }
    };
    let report = Outgoing { title, when: &when, header: &header, sections: &sections, json, signature: None };
    let fallback = |ext: &str| paper::beside_database(desk, "reports", &format!("{name}.{ext}"));
    deliver(c, desk.settings(), &out, report, &fallback)
}
