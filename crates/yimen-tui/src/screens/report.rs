//! 日报: the day's summary for the supervisor — totals, a bar per category, arrivals by hour.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols;
use ratatui::text::Line;
use ratatui::widgets::{Bar, BarChart, BarGroup, Paragraph, Sparkline};

use super::block;
use crate::app::App;
use crate::i18n::T;

/// Bars drawn with '#', for consoles that draw block characters two cells wide.
const ASCII_BARS: symbols::bar::Set = symbols::bar::Set {
    full: "#",
    seven_eighths: "#",
    three_quarters: "#",
    five_eighths: "#",
    half: "#",
    three_eighths: ".",
    one_quarter: ".",
    one_eighth: ".",
    empty: " ",
};

pub fn render(app: &App, f: &mut Frame, area: Rect) {
    // A day without work says so: 休息日 and, when it is one, the holiday's name.
    let off = if app.cfg.calendar.is_working_day(app.report_day) {
        String::new()
    } else {
        let name = app
            .cfg
            .calendar
            .holiday_name(app.report_day)
            .map(|n| format!(" {}", yimen_domain::calendar::holiday_label(n, app.cfg.lang)))
            .unwrap_or_default();
        format!("  {}{name}", app.t(T::RestDay))
    };
    let title = format!("{}  {}{off}", app.t(T::TabReport), app.report_day);
    if !app.may_read_reports() {
        f.render_widget(Paragraph::new(app.t(T::ReportNeedsSupervisor)).block(block(app, &title)), area);
        return;
    }
    let Some(r) = app.report.as_ref().filter(|r| r.date == app.report_day.to_string()) else {
        f.render_widget(Paragraph::new(app.t(T::Loading)).block(block(app, &title)), area);
        return;
    };
    let lang = app.cfg.lang;
    let t = &r.figures.totals;
    let [left, right] = Layout::horizontal([Constraint::Length(34), Constraint::Min(30)]).areas(area);
    let l = |zh: &str, en: &str, n: u32| Line::raw(format!("{}{n}", lang.pick(zh, en)));
    let pct = r.figures.satisfaction_rate.map(|x| format!("{:.1}%", x * 100.0)).unwrap_or_else(|| "-".into());
    let wait = r.figures.wait_minutes.mean.map(|m| format!("{m:.1}")).unwrap_or_else(|| "-".into());
    let lines = vec![
        l("取号 ", "taken ", t.taken),
        l("已服务 ", "served ", t.served),
        l("过号 ", "no-show ", t.no_show),
        l("仍在等候 ", "still waiting ", t.waiting_at_close),
        l("受理 ", "accepted ", t.accepted),
        l("办结 ", "completed ", t.completed),
        l("不予受理 ", "rejected ", t.rejected),
        l("撤回 ", "withdrawn ", t.withdrawn),
        l("转办 ", "transferred ", t.transferred),
        Line::raw(format!("{}{wait}", lang.pick("平均等候（分钟） ", "mean wait (min) "))),
        Line::raw(format!("{}{pct}", lang.pick("满意率 ", "satisfaction "))),
        Line::raw(format!(
            "{}{}  {}{}",
            lang.pick("超期 ", "overdue "),
            r.overdue.len(),
            lang.pick("差评待回访 ", "bad ratings open "),
            r.open_bad_ratings.len()
        )),
    ];
    f.render_widget(Paragraph::new(lines).block(block(app, &title)), left);

    let [bars, spark] = Layout::vertical([Constraint::Min(6), Constraint::Length(7)]).areas(right);
    let data: Vec<Bar> = r
        .figures
        .by_category
        .iter()
        .map(|c| {
            Bar::default()
                .value(u64::from(c.taken))
                .label(Line::raw(
                    app.cfg
                        .catalog
                        .category(&c.category)
                        .map(|x| x.display_name(app.cfg.lang).to_string())
                        .unwrap_or_else(|| c.name.clone()),
                ))
                .style(Style::new().fg(Color::Cyan))
        })
        .collect();
    let mut chart = BarChart::default()
        .block(block(app, app.t(T::ByCategory)))
        .data(BarGroup::default().bars(&data))
        .bar_width(6)
        .bar_gap(2);
    if app.cfg.ascii {
        chart = chart.bar_set(ASCII_BARS);
    }
    f.render_widget(chart, bars);
    // Office hours 7:00–18:59.
    let hours: Vec<u64> = r.figures.arrivals_by_hour[7..19].iter().map(|&n| u64::from(n)).collect();
    let label = format!("{}  7:00-19:00", app.t(T::ArrivalsByHour));
    // One bar per hour, each labelled with its hour under it.
    let b = block(app, &label);
    let inner = b.inner(spark);
    f.render_widget(b, spark);
    let [chart_area, axis] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let bars_per_hour = (chart_area.width as usize / hours.len()).clamp(1, 4);
    let data: Vec<u64> = hours.iter().flat_map(|&n| std::iter::repeat_n(n, bars_per_hour)).collect();
    let mut line = Sparkline::default().data(&data).style(Style::new().fg(Color::Green));
    if app.cfg.ascii {
        line = line.bar_set(ASCII_BARS);
    }
    f.render_widget(line, chart_area);
    let labels: String = (7..19)
        .map(|h: u32| {
            let s = h.to_string();
            format!("{s:<width$}", width = bars_per_hour)
        })
        .map(|s| s.chars().take(bars_per_hour).collect::<String>())
        .collect();
    f.render_widget(Paragraph::new(labels), axis);
}
