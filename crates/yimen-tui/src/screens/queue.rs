//! 排队叫号: the waiting queue in call order, who is being served at each window, today's counts.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::{block, fit, masked_name};
use crate::app::App;
use crate::i18n::T;
use yimen_domain::ticket::Status;

pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let [left, right] = Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(area);
    let rows = app.queue_rows();
    let mut table_rows = Vec::new();
    for (i, t) in rows.iter().enumerate() {
        let waited = (app.now - t.queued_at).whole_minutes().max(0);
        let prio = match (t.priority, t.priority_unverified) {
            (Some(_), true) => app.t(T::PriorityUnverified),
            (Some(_), false) => app.t(T::Priority),
            (None, _) => "",
        };
        let state = if t.status == Status::NoShow { app.t(T::NoShows) } else { "" };
        let row = Row::new(vec![
            Cell::from(t.number.to_string()),
            Cell::from(fit(&super::item_label(app, t), 18)),
            Cell::from(prio),
            Cell::from(format!("{waited}{}", app.t(T::Minutes))),
            Cell::from(masked_name(t)),
            Cell::from(state),
        ]);
        table_rows.push(if i == app.queue_sel { row.style(Style::new().reversed()) } else { row });
    }
    let waiting = rows.iter().filter(|t| t.status == Status::Waiting).count();
    let title = format!("{}{}", app.t(T::Waiting), crate::i18n::paren(app.cfg.lang, &waiting.to_string()));
    if table_rows.is_empty() {
        f.render_widget(Paragraph::new(app.t(T::NoOneWaiting)).block(block(app, &title)), left);
    } else {
        let widths = [
            Constraint::Length(5),
            Constraint::Min(10),
            // 优先 / 待核验 (a priority chosen at the kiosk, not yet checked).
            Constraint::Length(6),
            Constraint::Length(7),
            Constraint::Length(8),
            Constraint::Length(4),
        ];
        let header = Row::new(
            [T::ColNumber, T::ColItem, T::Priority, T::ColWaited, T::ColName, T::ColState]
                .map(|c| Cell::from(app.t(c))),
        )
        .bold();
        // The selected row stays in sight however long the queue.
        let visible = left.height.saturating_sub(3) as usize;
        let first = app.queue_sel.saturating_sub(visible.saturating_sub(1));
        let table_rows: Vec<Row> = table_rows.into_iter().skip(first).collect();
        f.render_widget(Table::new(table_rows, widths).header(header).block(block(app, &title)), left);
    }

    let [serving, counts] = Layout::vertical([Constraint::Min(5), Constraint::Length(5)]).areas(right);
    let mut lines: Vec<Line> = Vec::new();
    match app.current() {
        Some(t) => {
            lines.push(Line::styled(
                format!("> {}  {}", t.number, fit(&super::item_label(app, t), 24)),
                Style::new().bold(),
            ));
            lines.push(Line::raw(format!("  {} {}/3", app.cfg.lang.pick("重呼", "recalls"), t.recalls)));
        }
        None => lines.push(Line::raw(app.t(T::NoCurrent)).dim()),
    }
    for t in app.serving().into_iter().filter(|t| t.window.as_deref() != Some(app.cfg.window.as_str())) {
        let w = t.window.clone().unwrap_or_default();
        lines.push(Line::raw(format!(
            "{} {w}{}{}  {}",
            app.t(T::Window),
            app.cfg.lang.pick("：", ": "),
            t.number,
            fit(&super::item_label(app, t), 20)
        )));
    }
    f.render_widget(
        Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: true }).block(block(app, app.t(T::Serving))),
        serving,
    );

    let today = &app.snapshot.today;
    let count = |s: &[Status]| today.iter().filter(|t| s.contains(&t.status)).count();
    let text = vec![
        Line::raw(format!(
            "{} {}   {} {}   {} {}",
            app.t(T::Taken),
            today.len(),
            app.t(T::Waiting),
            count(&[Status::Waiting]),
            app.t(T::Called),
            count(&[Status::Called])
        )),
        Line::raw(format!(
            "{} {}   {} {}   {} {}",
            app.t(T::Accepted),
            count(&[Status::Accepted, Status::Suspended, Status::Transferred]),
            app.t(T::Completed),
            count(&[Status::Completed]),
            app.t(T::NoShows),
            count(&[Status::NoShow])
        )),
    ];
    f.render_widget(Paragraph::new(text).block(block(app, app.t(T::Today))), counts);
}
