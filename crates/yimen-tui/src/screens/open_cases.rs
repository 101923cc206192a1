//! 在办件: every accepted, suspended or transferred case by deadline, with its light; filters
//! that say what they filter, and search results.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::{block, fit, item_label, light_text, masked_name};
use crate::app::App;
use crate::i18n::T;

pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let rows = app.open_rows();
    let lang = app.cfg.lang;
    let title = match &app.search {
        Some((q, _)) => match lang {
            yimen_domain::Lang::Zh => format!("{}{q}（{}）  Esc", super::label(app, T::Results), rows.len()),
            yimen_domain::Lang::En => format!("{}: {q} ({})  Esc", app.t(T::Results), rows.len()),
        },
        None => match lang {
            yimen_domain::Lang::Zh => format!("{}（{}）", app.t(T::OpenCases), rows.len()),
            yimen_domain::Lang::En => format!("{} ({})", app.t(T::OpenCases), rows.len()),
        },
    };
    let b = block(app, &title);
    let inner = b.inner(area);
    f.render_widget(b, area);
    let [filters, table, legend] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    // What the list is filtered by, each filter with its key.
    let all = app.t(T::All);
    let cat = app
        .filter
        .category
        .as_deref()
        .and_then(|c| app.cfg.catalog.category(c))
        .map(|c| c.display_name(lang).to_string())
        .unwrap_or_else(|| all.to_string());
    let sep = lang.pick("：", ": ");
    let mut said = format!(
        "f {}{sep}{cat}  s {}{sep}{}  k {}{sep}{}",
        app.t(T::Category),
        app.t(T::ColStatus),
        app.filter.status.map(|s| s.label(lang)).unwrap_or(all),
        app.t(T::ColClerk),
        app.filter.clerk.as_deref().unwrap_or(all),
    );
    if app.filter.overdue {
        said.push_str(&format!("  [x {}]", app.t(T::OverdueOnly)));
    }
    if app.filter.mine {
        said.push_str(&format!("  [m {}]", app.t(T::MineOnly)));
    }
    if app.search.is_some() {
        said = String::new();
    }
    f.render_widget(Paragraph::new(fit(&said, filters.width as usize)).dim(), filters);
    // A capped read says so, rather than passing a part for the whole.
    let capped = app.search.is_none() && app.snapshot.open.as_ref().is_some_and(|o| o.len() >= yimen_app::OPEN_LIMIT);
    let foot = if capped {
        app.t(T::FirstOf).replace("{n}", &yimen_app::OPEN_LIMIT.to_string())
    } else {
        app.t(T::LightLegend).to_string()
    };
    f.render_widget(Paragraph::new(Line::raw(fit(&foot, legend.width as usize))).dim(), legend);
    if rows.is_empty() {
        f.render_widget(Paragraph::new("—"), table);
        return;
    }
    let visible = table.height.saturating_sub(1) as usize;
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
                Cell::from(format!("{:02}-{:02}", t.date.month() as u8, t.date.day())),
                Cell::from(fit(&item_label(app, t), 20)),
                Cell::from(masked_name(t)),
                Cell::from(t.status.label(lang)),
                // "~" marks a deadline that is an estimate (its year's holidays not imported).
                Cell::from(
                    t.deadline
                        .map(|d| {
                            let mark = if t.deadline_estimated(&app.cfg.calendar) { "~" } else { "" };
                            format!("{mark}{}", d.date)
                        })
                        .unwrap_or_default(),
                ),
                Cell::from(light).style(style),
                Cell::from(fit(t.clerk.as_deref().unwrap_or_default(), 6)),
            ]);
            if i == app.open_sel { row.style(Style::new().reversed()) } else { row }
        })
        .collect();
    let header = Row::new(
        [T::ColNumber, T::ColTaken, T::ColItem, T::ColName, T::ColStatus, T::ColDue, T::ColLight, T::ColClerk]
            .map(|c| Cell::from(app.t(c))),
    )
    .bold();
    // English states are longer ("transferred"): the name column gives the room.
    let (name_w, status_w) = if lang == yimen_domain::Lang::Zh { (12, 8) } else { (12, 11) };
    let widths = [
        Constraint::Length(5),
        // The day taken as MM-DD: an open case is at most months old, and the room goes to the
        // item's name.
        Constraint::Length(5),
        Constraint::Min(10),
        Constraint::Length(name_w),
        Constraint::Length(status_w),
        Constraint::Length(11),
        // "绿灯 剩25" / "green 25 left"
        Constraint::Length(9),
        Constraint::Length(6),
    ];
    f.render_widget(Table::new(table_rows, widths).header(header), table);
}
