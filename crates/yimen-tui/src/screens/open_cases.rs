//! 在办件: every accepted, suspended or transferred case by deadline, with its light; filters
//! and search results.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::{block, fit, light_text, masked_name};
use crate::app::App;
use crate::i18n::T;

pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let rows = app.open_rows();
    let title = match &app.search {
        Some((q, _)) => format!("{}：{q}（{}）  Esc", app.t(T::Results), rows.len()),
        None => {
            let all = app.t(T::All);
            let cat = app
                .filter
                .category
                .as_deref()
                .and_then(|c| app.cfg.catalog.category(c))
                .map(|c| c.display_name(app.cfg.lang).to_string());
            format!(
                "{}（{}）  {}：{} / {} / {}",
                app.t(T::OpenCases),
                rows.len(),
                app.t(T::Filter),
                cat.unwrap_or_else(|| all.to_string()),
                app.filter.status.map(|s| s.label(app.cfg.lang)).unwrap_or(all),
                app.filter.clerk.as_deref().unwrap_or(all)
            )
        }
    };
    if rows.is_empty() {
        f.render_widget(Paragraph::new("—").block(block(app, &title)), area);
        return;
    }
    let visible = area.height.saturating_sub(2) as usize;
    let first = app.open_sel.saturating_sub(visible.saturating_sub(1));
    let table_rows: Vec<Row> = rows
        .iter()
        .enumerate()
        .skip(first)
        .take(visible)
        .map(|(i, t)| {
            let (light, style) = light_text(app, t);
            let row = Row::new(vec![
                Cell::from(t.number.to_string()),
                Cell::from(t.date.to_string()),
                Cell::from(fit(&t.item_name, 20)),
                Cell::from(masked_name(t)),
                Cell::from(t.status.label(app.cfg.lang)),
                Cell::from(t.deadline.map(|d| d.date.to_string()).unwrap_or_default()),
                Cell::from(light).style(style),
                Cell::from(fit(t.clerk.as_deref().unwrap_or_default(), 6)),
            ]);
            if i == app.open_sel { row.style(Style::new().reversed()) } else { row }
        })
        .collect();
    let widths = [
        Constraint::Length(5),
        Constraint::Length(10),
        Constraint::Min(10),
        Constraint::Length(12),
        Constraint::Length(8),
        Constraint::Length(10),
        Constraint::Length(10),
        Constraint::Length(6),
    ];
    f.render_widget(Table::new(table_rows, widths).block(block(app, &title)), area);
}
