//! 办件详情: everything about one ticket, its timeline, and only the actions its state allows.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{block, light_text};
use crate::app::App;
use crate::i18n::T;
use crate::keymap::{BINDINGS, Screen, UiAction};

pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let shown = app.detail_as_shown();
    let Some((t, events)) = &shown else {
        f.render_widget(Paragraph::new(app.t(T::NoTicket)).block(block(app, app.t(T::TabDetail))), area);
        return;
    };
    let lang = app.cfg.lang;
    let [top, bottom] = Layout::vertical([Constraint::Length(10), Constraint::Min(4)]).areas(area);
    let [info, actions] = Layout::horizontal([Constraint::Min(40), Constraint::Length(26)]).areas(top);
    let today = app.cfg.clock.date_of(app.now);
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!("{}  #{}  ", t.number, t.id), Style::new().bold()),
            Span::raw(format!("{}  {}", super::item_label(app, t), t.kind.label(lang))),
        ]),
        Line::raw(format!("{}{}", super::label(app, T::Status), t.status.label(lang))),
    ];
    let c = &t.citizen;
    let mut who = format!("{}{}", super::label(app, T::Applicant), c.name.clone().unwrap_or_default());
    // The age is read from the number as stored (the screen masks the number, not the age).
    let stored_id = app.detail.as_ref().and_then(|(t, _)| t.citizen.id_number.clone());
    if let Some(id) = &c.id_number {
        match stored_id.as_ref().unwrap_or(id).age_on(today) {
            Some(age) => who.push_str(&format!("  {id}  {age}{}", lang.pick("岁", " years"))),
            None => who.push_str(&format!("  {id}")),
        }
    }
    lines.push(Line::raw(who));
    let mut contact = String::new();
    if let Some(p) = &c.phone {
        contact.push_str(&format!("{}{p}  ", super::label(app, T::Phone)));
    }
    if let Some(v) = &c.village {
        contact.push_str(&format!("{}{v}", super::label(app, T::Village)));
    }
    lines.push(Line::raw(contact));
    if let Some(p) = &t.proxy {
        lines.push(Line::raw(format!("{}{}", super::label(app, T::Proxy), p.name)));
    }
    if let Some(d) = t.deadline {
        let (light, style) = light_text(app, t);
        let mut spans =
            vec![Span::raw(format!("{}{}  ", super::label(app, T::Due), d.date)), Span::styled(light, style)];
        if t.deadline_estimated(&app.cfg.calendar) {
            spans.push(Span::raw(format!("  ({})", app.t(T::CalendarGuess))));
        }
        lines.push(Line::from(spans));
    }
    for d in &t.deferred {
        let state = if d.supplied_at.is_some() { lang.pick("已补齐", "supplied") } else { "" };
        lines.push(Line::raw(format!(
            "{}{}  {}  {state}",
            super::label(app, T::Deferred),
            super::material_label(app, t, &d.material),
            d.due
        )));
    }
    if let Some(r) = &t.rating {
        lines.push(Line::raw(r.text(lang)));
    }
    if let Some(reason) = &t.close_reason {
        lines.push(Line::raw(reason.clone()));
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }).block(block(app, app.t(T::TabDetail))), info);

    // Only what this state allows.
    let acts: Vec<Line> = BINDINGS
        .iter()
        .filter(|b| b.screen == Some(Screen::Detail) && b.action != UiAction::Back && app.action_available(b.action))
        .map(|b| {
            Line::from(vec![
                Span::styled(format!(" {} ", b.key.label()), Style::new().reversed()),
                Span::raw(format!(" {}", b.describe(lang))),
            ])
        })
        .collect();
    // More actions than rows: two columns, so none is hidden.
    let b = block(app, app.t(T::ActionsHere));
    let inner = b.inner(actions);
    f.render_widget(b, actions);
    if acts.len() > inner.height as usize {
        let [l, r] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(inner);
        // Each label cut with ".." to its column, never mid-word silently.
        let col = l.width as usize;
        let acts: Vec<Line> = acts
            .into_iter()
            .map(|line| {
                let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
                Line::raw(super::fit(&text, col))
            })
            .collect();
        let half = acts.len().div_ceil(2);
        let (left, right) = acts.split_at(half);
        f.render_widget(Paragraph::new(left.to_vec()), l);
        f.render_widget(Paragraph::new(right.to_vec()), r);
    } else {
        f.render_widget(Paragraph::new(acts), inner);
    }

    let history: Vec<Line> = events
        .iter()
        .rev()
        .map(|e| {
            let at = app.cfg.clock.show(e.at, yimen_domain::clock::Shown::DayMinute);
            let from = e.from.map(|s| format!("{} -> ", s.label(lang))).unwrap_or_default();
            Line::raw(format!(
                "{at}  {}  {}  {from}{}  {}",
                e.clerk,
                e.action.label(lang),
                e.to.label(lang),
                e.note_in(lang).unwrap_or_default()
            ))
        })
        .collect();
    f.render_widget(
        Paragraph::new(history).wrap(Wrap { trim: false }).block(block(app, app.t(T::History))).dim(),
        bottom,
    );
}
