//! 受理登记: the intake form. The field at fault is marked and its message is said whole on
//! the form's message rows; the cursor sits at the caret.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Color, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{block, fit, input_line, width};
use crate::app::App;
use crate::form::FieldId;
use crate::i18n::T;
use yimen_domain::id_number::Sex;

const LABEL: u16 = 12;

fn label(app: &App, f: FieldId) -> &'static str {
    app.t(match f {
        FieldId::Item => T::Item,
        FieldId::Name => T::Name,
        FieldId::IdNumber => T::IdNumber,
        FieldId::Phone => T::Phone,
        FieldId::Village => T::Village,
        FieldId::Proxy => T::Proxy,
        FieldId::ProxyPhone => T::ProxyPhone,
        FieldId::ProxyId => T::ProxyId,
        FieldId::Note => T::Note,
        FieldId::Materials => T::Materials,
    })
}

pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let form = &app.form;
    let title = match &form.number {
        Some(n) => format!("{}  {n}", app.t(T::TabIntake)),
        None => format!("{}（{}）", app.t(T::TabIntake), app.cfg.lang.pick("现场登记", "walk-in")),
    };
    let b = block(app, &title);
    let inner = b.inner(area);
    f.render_widget(b, area);
    let [form_area, message] = Layout::vertical([Constraint::Min(10), Constraint::Length(2)]).areas(inner);
    let [fields, side] = Layout::horizontal([Constraint::Min(44), Constraint::Length(30)]).areas(form_area);
    let rows = Layout::vertical([
        Constraint::Length(1), // item
        Constraint::Length(1), // name
        Constraint::Length(1), // id
        Constraint::Length(1), // id feedback
        Constraint::Length(1), // phone
        Constraint::Length(1), // village
        Constraint::Length(1), // proxy
        Constraint::Length(1), // proxy phone
        Constraint::Length(1), // proxy ID number
        Constraint::Min(2),    // note
    ])
    .split(fields);
    let focus = form.focus();
    let order = [
        (FieldId::Item, rows[0]),
        (FieldId::Name, rows[1]),
        (FieldId::IdNumber, rows[2]),
        (FieldId::Phone, rows[4]),
        (FieldId::Village, rows[5]),
        (FieldId::Proxy, rows[6]),
        (FieldId::ProxyPhone, rows[7]),
        (FieldId::ProxyId, rows[8]),
        (FieldId::Note, rows[9]),
    ];
    for (fid, r) in order {
        let [l, v] = Layout::horizontal([Constraint::Length(LABEL), Constraint::Min(10)]).areas(r);
        // The field at fault: its label in red with a mark; its message below the form.
        let faulty = form.error(fid).is_some();
        let style = match (faulty, focus == fid) {
            (true, _) => Style::new().bold().fg(Color::Red),
            (false, true) => Style::new().bold().fg(Color::Cyan),
            _ => Style::new(),
        };
        let text = if faulty { format!("!{}", label(app, fid)) } else { label(app, fid).to_string() };
        f.render_widget(Paragraph::new(Span::styled(fit(&text, LABEL as usize - 1), style)), l);
        let value_area = v;
        match fid {
            FieldId::Item => {
                let text = match app.form_item() {
                    Some(i) => format!(
                        "{} {}{}",
                        i.code,
                        i.display_name(app.cfg.lang),
                        crate::i18n::paren(app.cfg.lang, i.kind.label(app.cfg.lang))
                    ),
                    None => app.cfg.lang.pick("（按 Enter 选择）", "(press Enter to pick)").to_string(),
                };
                // One cell kept free before the materials column.
                f.render_widget(Paragraph::new(fit(&text, (value_area.width as usize).saturating_sub(1))), value_area);
            }
            FieldId::Note => render_note(app, f, value_area, focus == fid),
            _ => {
                if let Some(input) = form.input(fid) {
                    input_line(f, Rect { height: 1, ..value_area }, input, focus == fid);
                }
            }
        }
    }
    // Every message whole, wrapped on the form's two message rows.
    if let Some((fid, e)) = form.errors.first() {
        let said = format!("{}{}{e}", label(app, *fid), app.cfg.lang.pick("：", ": "));
        f.render_widget(
            Paragraph::new(Line::styled(said, Style::new().fg(Color::Red).bold()))
                .wrap(ratatui::widgets::Wrap { trim: true }),
            message,
        );
    }
    // What the ID number says, as it is typed.
    let feedback = match app.id_feedback() {
        Some(Ok(id)) if !id.is_masked() => {
            let today = app.cfg.clock.date_of(app.now);
            let age = id.age_on(today).unwrap_or_default();
            let sex = if id.sex() == Some(Sex::Female) { app.t(T::Female) } else { app.t(T::Male) };
            let born = id.birth_date().map(|d| d.to_string()).unwrap_or_default();
            let mut s = format!("{} {born}  {age}{}  {sex}", app.t(T::Born), app.t(T::Age));
            let mut style = Style::new().fg(Color::Green);
            if age >= 80 {
                s.push_str(&format!("  {}", app.t(T::Elderly)));
            }
            if let Some(min) = app.form_item().and_then(|i| i.min_age).filter(|m| age < *m) {
                s.push_str(&format!(
                    "  {}{}",
                    app.t(T::EligibilityLow),
                    crate::i18n::paren(app.cfg.lang, &format!("{min}+"))
                ));
                style = Style::new().fg(Color::Yellow);
            }
            Line::styled(s, style)
        }
        Some(Err(e)) => Line::styled(e, Style::new().fg(Color::Red)),
        Some(Ok(_)) | None => Line::raw(""),
    };
    let [_, fb] = Layout::horizontal([Constraint::Length(LABEL), Constraint::Min(10)]).areas(rows[3]);
    f.render_widget(Paragraph::new(feedback), fb);

    // Materials checklist.
    let mut lines = vec![Line::styled(
        app.t(T::Materials),
        if focus == FieldId::Materials { Style::new().bold().fg(Color::Cyan) } else { Style::new().bold() },
    )];
    if let Some(item) = app.form_item() {
        for (i, m) in item.materials.iter().enumerate() {
            let tick = if form.checked.get(i).copied().unwrap_or(false) { "[x]" } else { "[ ]" };
            let kind = match (m.key, m.may_defer) {
                (true, _) => app.t(T::KeyMaterial),
                (false, true) => app.t(T::MayDefer),
                (false, false) => app.t(T::Optional),
            };
            let text = fit(
                &format!("{tick} {}{}", m.display_name(app.cfg.lang), crate::i18n::paren(app.cfg.lang, kind)),
                side.width as usize,
            );
            let style = if focus == FieldId::Materials && i == form.material_sel {
                Style::new().reversed()
            } else {
                Style::new()
            };
            lines.push(Line::styled(text, style));
        }
    }
    f.render_widget(Paragraph::new(lines), side);
}

fn render_note(app: &App, f: &mut Frame, area: Rect, focused: bool) {
    let note = &app.form.note;
    let h = area.height.max(1) as usize;
    let row = note.row.min(note.lines.len().saturating_sub(1));
    let first = row.saturating_sub(h - 1);
    let lines: Vec<Line> = note
        .lines
        .iter()
        .skip(first)
        .take(h)
        .map(|l| {
            Line::styled(fit(l, area.width as usize), if focused { Style::new().underlined() } else { Style::new() })
        })
        .collect();
    let shown = if lines.is_empty() { vec![Line::raw("").underlined()] } else { lines };
    f.render_widget(Paragraph::new(shown), area);
    if focused {
        let line = note.lines.get(row).map(String::as_str).unwrap_or("");
        let before: String = line.chars().take(note.col).collect();
        let x = (width(&before) as u16).min(area.width.saturating_sub(1));
        f.set_cursor_position(Position { x: area.x + x, y: area.y + (row - first) as u16 });
    }
}
