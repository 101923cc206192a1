//! Drawing: the frame (header, tabs, status, footer), each screen, and the modals. Everything
//! here reads `App` and writes to the frame; nothing changes state.

mod case_detail;
mod intake;
mod open_cases;
mod queue;
mod report;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::symbols::border;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use super::app::{App, Modal, PickKind, PromptKind};
use super::i18n::T;
use super::keymap::{self, Screen};
use yimen_domain::calendar::Light;
use yimen_domain::mask;
use yimen_domain::ticket::Ticket;

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// Borders drawn with plain ASCII, for old consoles that draw box characters two cells wide.
const ASCII: border::Set = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

pub fn block<'a>(app: &App, title: &'a str) -> Block<'a> {
    titled(title, app.cfg.ascii)
}

/// A bordered box with a bold title; plain ASCII lines for old consoles.
pub fn titled(title: &str, ascii: bool) -> Block<'_> {
    let b = Block::default().borders(Borders::ALL).title(Span::styled(title, Style::new().bold()));
    if ascii { b.border_set(ASCII) } else { b }
}

pub fn light_style(l: Light) -> Style {
    match l {
        Light::Green => Style::new().fg(Color::Green),
        Light::Yellow => Style::new().fg(Color::Yellow),
        Light::Red => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        Light::Paused => Style::new().fg(Color::Gray),
    }
}

/// "● 绿 12" style text for a ticket's light, or empty.
pub fn light_text(app: &App, t: &Ticket) -> (String, Style) {
    let today = app.cfg.clock.date_of(app.now);
    match t.light(&app.cfg.calendar, today) {
        Some((l, left)) => {
            // Said in words, short enough for a column: 绿灯 剩12 (12 working days left),
            // 红灯 超3 (3 working days overdue).
            let name = match l {
                Light::Green => app.cfg.lang.pick("绿灯", "green"),
                Light::Yellow => app.cfg.lang.pick("黄灯", "yellow"),
                Light::Red => app.cfg.lang.pick("红灯", "red"),
                Light::Paused => return (l.label(app.cfg.lang).to_string(), light_style(l)),
            };
            let days = match (left < 0, app.cfg.lang) {
                (true, yimen_domain::Lang::Zh) => format!("超{}", -left),
                (false, yimen_domain::Lang::Zh) => format!("剩{left}"),
                (true, yimen_domain::Lang::En) => format!("{} over", -left),
                (false, yimen_domain::Lang::En) => format!("{left} left"),
            };
            // English says the days only (the colour and the legend say the light): the column
            // must fit 80 columns.
            match app.cfg.lang {
                yimen_domain::Lang::Zh => (format!("{name} {days}"), light_style(l)),
                yimen_domain::Lang::En => (days, light_style(l)),
            }
        }
        None => (String::new(), Style::new()),
    }
}

pub fn masked_name(t: &Ticket) -> String {
    t.citizen.name.as_deref().map(mask::name).unwrap_or_default()
}

/// Cuts text to `w` cells.
pub fn fit(s: &str, w: usize) -> String {
    yimen_present::fit(s, w)
}

pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

pub fn render(app: &App, f: &mut Frame) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let size = format!("{}x{}", area.width, area.height);
        let msg = format!(
            "{}{}\n{}",
            app.t(T::TooSmall),
            crate::i18n::paren(app.cfg.lang, &size),
            app.t(T::WindowTooSmallHint)
        );
        f.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
        return;
    }
    let [header, tabs, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(5),
        Constraint::Length(1),
        Constraint::Length(2),
    ])
    .areas(area);
    render_header(app, f, header);
    if !app.signed_in {
        render_sign_in(app, f, body);
        // The demo's accounts are under the box already; other messages (a wrong PIN) show here.
        if let Some((msg, is_err)) = app.status.as_ref().filter(|(m, _)| app.cfg.notice.as_ref() != Some(m)) {
            let style = if *is_err { Style::new().fg(Color::Red).bold() } else { Style::new().fg(Color::Cyan) };
            f.render_widget(Paragraph::new(msg.clone()).style(style).wrap(Wrap { trim: false }), footer);
        }
        f.render_widget(Paragraph::new(app.t(T::SignInHint)), status);
        return;
    }
    render_tabs(app, f, tabs);
    match app.screen {
        Screen::Queue => queue::render(app, f, body),
        Screen::Intake => intake::render(app, f, body),
        Screen::Detail => case_detail::render(app, f, body),
        Screen::Open => open_cases::render(app, f, body),
        Screen::Report => report::render(app, f, body),
    }
    match &app.status {
        // A message too long for its row (the demo's accounts) borrows the footer's rows.
        Some((msg, is_err)) => {
            let style = if *is_err { Style::new().fg(Color::Red).bold() } else { Style::new().fg(Color::Cyan) };
            if msg.contains('\n') || width(msg) > status.width as usize {
                let both = Rect { height: status.height + footer.height, ..status };
                f.render_widget(Paragraph::new(msg.clone()).style(style).wrap(Wrap { trim: false }), both);
            } else {
                f.render_widget(Paragraph::new(Line::styled(msg.clone(), style)), status);
                render_footer(app, f, footer);
            }
        }
        None => render_footer(app, f, footer),
    }
    if let Some(m) = &app.modal {
        render_modal(app, f, m, area);
    }
}

fn render_sign_in(app: &App, f: &mut Frame, area: Rect) {
    let s = &app.signin;
    let r = centered(area, 60, (app.cfg.users.len() as u16 + 8).min(area.height));
    let b = block(app, app.t(T::SignInTitle));
    let inner = b.inner(r);
    f.render_widget(b, r);
    let [list, pin, window] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(2), Constraint::Length(2)]).areas(inner);
    let rows: Vec<Line> = app
        .cfg
        .users
        .iter()
        .enumerate()
        .map(|(i, (name, role))| {
            // The chosen clerk is marked and highlighted whatever field has the focus; before
            // anyone is chosen, no one is.
            let chosen = s.chosen && i == s.sel;
            let text = format!(
                " {} {name}{}",
                if chosen { "▶" } else { " " },
                crate::i18n::paren(app.cfg.lang, role.label(app.cfg.lang))
            );
            let style = match (chosen, s.focus == 0) {
                (true, true) => Style::new().reversed().bold(),
                (true, false) => Style::new().reversed(),
                _ => Style::new(),
            };
            Line::styled(text, style)
        })
        .collect();
    f.render_widget(Paragraph::new(rows), list);
    let label = |text: &str, focused: bool| {
        Span::styled(format!("{text:<8}"), if focused { Style::new().bold().fg(Color::Cyan) } else { Style::new() })
    };
    let [pl, pv] =
        Layout::horizontal([Constraint::Length(12), Constraint::Min(8)]).areas(Rect { height: 1, y: pin.y + 1, ..pin });
    f.render_widget(Paragraph::new(label(app.t(T::Pin), s.focus == 1)), pl);
    // The PIN is never drawn: one star per character.
    let stars = "*".repeat(s.pin.value().chars().count());
    f.render_widget(Paragraph::new(stars.clone()), pv);
    let [wl, wv] = Layout::horizontal([Constraint::Length(12), Constraint::Min(8)]).areas(Rect {
        height: 1,
        y: window.y + 1,
        ..window
    });
    f.render_widget(Paragraph::new(label(app.t(T::Window), s.focus == 2)), wl);
    input_line(f, wv, &s.window, s.focus == 2);
    if s.focus == 1 {
        f.set_cursor_position(Position { x: pv.x + (stars.len() as u16).min(pv.width.saturating_sub(1)), y: pv.y });
    }
    if let Some(n) = &app.cfg.notice {
        let below = Rect { y: r.y + r.height, height: area.height.saturating_sub(r.y + r.height - area.y), ..area };
        f.render_widget(Paragraph::new(n.clone()).wrap(Wrap { trim: false }), below);
    }
}

fn render_header(app: &App, f: &mut Frame, area: Rect) {
    let clock = app.cfg.clock.show(app.now, yimen_domain::clock::Shown::DaySecond);
    let sep = app.cfg.lang.pick("：", ": ");
    let left = format!(
        " {}  {}{sep}{}  {}{sep}{}",
        app.cfg.hall,
        app.t(T::Clerk),
        app.cfg.clerk,
        app.t(T::Window),
        app.cfg.window
    );
    let pad = (area.width as usize).saturating_sub(width(&left) + width(&clock) + 1);
    let spans = vec![
        Span::styled(fit(&left, (area.width as usize).saturating_sub(width(&clock) + 1)), Style::new().bold()),
        Span::raw(" ".repeat(pad)),
        Span::raw(" "),
        Span::raw(clock),
    ];
    let line = Line::from(spans);
    f.render_widget(Paragraph::new(line).style(Style::new().reversed()), area);
}

fn render_tabs(app: &App, f: &mut Frame, area: Rect) {
    let mut spans = Vec::new();
    let mut used = 0;
    for (i, s) in Screen::ALL.iter().enumerate() {
        let label = format!(" {} {} ", i + 1, app.t(s.title()));
        used += width(&label) + 1;
        let style = if *s == app.screen { Style::new().reversed().bold() } else { Style::new() };
        spans.push(Span::styled(label, style));
        spans.push(Span::raw(" "));
    }
    // From November on, a missing arrangement for next year is said where every clerk sees
    // it (every promised case accepted now runs into it), right of the tabs.
    let today = app.cfg.clock.date_of(app.now);
    let next_year = today.year() + 1;
    let missing = today.month() as u8 >= 11
        && time::Date::from_calendar_date(next_year, time::Month::January, 1)
            .is_ok_and(|d| !app.cfg.calendar.covers(d));
    if missing {
        let warn = app.t(T::NextYearMissing).replace("{y}", &next_year.to_string());
        let room = (area.width as usize).saturating_sub(used);
        let warn = fit(&warn, room);
        spans.push(Span::raw(" ".repeat(room.saturating_sub(width(&warn)))));
        spans.push(Span::styled(warn, Style::new().fg(Color::Red).bold()));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_footer(app: &App, f: &mut Frame, area: Rect) {
    let mut spans: Vec<Span> = Vec::new();
    // While a popup is open, only its keys work: the footer says those, not the screen's.
    if let Some(m) = &app.modal {
        let keys = match m {
            Modal::Help(_) => app.t(T::KeysTitle),
            Modal::ConfirmDiscard => app.t(T::DiscardForm),
            Modal::Picker { .. } => app.t(T::PickerKeys),
            Modal::Prompt { .. } | Modal::Confirm { .. } => app.t(T::ConfirmKeys),
            Modal::SuspendReason | Modal::Materials { .. } => app.t(T::ChoiceKeys),
            Modal::Score(_) => app.t(T::ScoreKeys),
            Modal::Take { .. } => app.t(T::TakeKeys),
            Modal::Correct { .. } => app.t(T::CorrectKeys),
        };
        f.render_widget(Paragraph::new(keys).wrap(Wrap { trim: false }), area);
        return;
    }
    // While a text field has the focus, plain letters type into it, so their keys are not offered.
    let typing = app.screen == Screen::Intake && app.form.focus().is_text();
    let available =
        |b: &keymap::Binding| app.action_available(b.action) && !(typing && matches!(b.key, keymap::Key::Char(_)));
    for (key, desc) in keymap::footer(app.screen, app.cfg.lang, available) {
        spans.push(Span::styled(format!(" {key} "), Style::new().reversed()));
        spans.push(Span::raw(format!(" {desc} ")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)).wrap(Wrap { trim: false }), area);
}

/// A material of the ticket's item in the interface's language.
pub fn material_label(app: &App, t: &Ticket, name: &str) -> String {
    app.cfg.catalog.material_label(&t.item, name, app.cfg.lang)
}

/// A label followed by the language's colon: "状态：" or "Status: ".
pub fn label(app: &App, t: T) -> String {
    format!("{}{}", app.t(t), app.cfg.lang.pick("：", ": "))
}

/// A ticket's item in the interface's language: the name it was taken with, or in English the
/// catalog's English name when the item is still in the catalog.
pub fn item_label(app: &App, t: &Ticket) -> String {
    app.cfg.catalog.item_label(&t.item, &t.item_name, app.cfg.lang)
}

/// For a console that draws East Asian Ambiguous characters two cells wide (a Chinese Windows
/// console, `--ascii`): every such character left in the frame is drawn as a one-cell ASCII
/// look-alike, so nothing after it shifts. `阿依古丽·买买提` shows as `阿依古丽.买买提`, `→` as
/// `>`, a box line as `|` or `-`. Ambiguous means unicode-width's CJK width differs from its
/// normal one (UAX #11).
pub fn narrow_ambiguous(buf: &mut ratatui::buffer::Buffer) {
    use unicode_width::UnicodeWidthStr;
    let area = buf.area;
    for y in area.y..area.y.saturating_add(area.height) {
        for x in area.x..area.x.saturating_add(area.width) {
            let Some(cell) = buf.cell_mut(Position { x, y }) else { continue };
            let sym = cell.symbol();
            if sym.is_empty() || sym.width() == sym.width_cjk() {
                continue;
            }
            let plain = ascii_look_alike(sym);
            cell.set_symbol(plain);
        }
    }
}

/// A one-cell ASCII character that reads like `s` (an ambiguous-width character).
fn ascii_look_alike(s: &str) -> &'static str {
    match s.chars().next().unwrap_or(' ') {
        '·' | '•' | '∙' | '・' => ".",
        '→' | '▶' | '►' | '›' | '»' => ">",
        '←' | '◀' | '‹' | '«' => "<",
        '…' | '⋯' => ".",
        '“' | '”' | '″' => "\"",
        '‘' | '’' | '′' => "'",
        '—' | '–' | '─' | '━' | '═' | '―' => "-",
        '│' | '┃' | '║' | '¦' => "|",
        '┌' | '┐' | '└' | '┘' | '├' | '┤' | '┬' | '┴' | '┼' | '╭' | '╮' | '╯' | '╰' => "+",
        '×' => "x",
        '÷' => "/",
        '°' => "o",
        '±' => "+",
        '§' => "S",
        '█' | '▇' | '▆' | '▅' | '▄' | '▃' | '▂' | '▁' | '■' => "#",
        '○' | '●' | '◎' => "o",
        '※' => "*",
        _ => "?",
    }
}

/// Clears the popup's area, and the half of any wide character (Chinese text) the popup's left
/// border would cut: the terminal would draw that character over the border.
fn clear(f: &mut Frame, r: Rect) {
    f.render_widget(Clear, r);
    if r.x == 0 {
        return;
    }
    let buf = f.buffer_mut();
    for y in r.y..r.y.saturating_add(r.height) {
        if let Some(cell) = buf.cell_mut(Position { x: r.x - 1, y })
            && unicode_width::UnicodeWidthStr::width(cell.symbol()) > 1
        {
            cell.set_symbol(" ");
        }
    }
}

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

/// Draws an input line and puts the terminal's cursor at its caret (for the IME window).
pub fn input_line(f: &mut Frame, area: Rect, input: &tui_input::Input, focused: bool) {
    let w = area.width.max(1) as usize;
    let scroll = input.visual_scroll(w.saturating_sub(1));
    let visible: String = {
        let mut used = 0;
        let mut out = String::new();
        let mut skipped = 0;
        for c in input.value().chars() {
            let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if skipped < scroll {
                skipped += cw;
                continue;
            }
            if used + cw > w {
                break;
            }
            used += cw;
            out.push(c);
        }
        out
    };
    let style = if focused { Style::new().underlined() } else { Style::new() };
    f.render_widget(Paragraph::new(Span::styled(visible, style)), area);
    if focused {
        let x = (input.visual_cursor().saturating_sub(scroll)).min(w.saturating_sub(1)) as u16;
        f.set_cursor_position(Position { x: area.x + x, y: area.y });
    }
}

fn render_modal(app: &App, f: &mut Frame, m: &Modal, area: Rect) {
    match m {
        Modal::Help(scroll) => {
            let r = centered(area, 70, area.height.saturating_sub(2));
            clear(f, r);
            let mut lines = Vec::new();
            let mut last: Option<Option<Screen>> = None;
            for b in keymap::BINDINGS.iter().filter(|b| app.role_allows(b.action)) {
                if last != Some(b.screen) {
                    let title = match b.screen {
                        Some(s) => app.t(s.title()),
                        None => app.cfg.lang.pick("所有屏幕", "Everywhere"),
                    };
                    lines.push(Line::styled(title, Style::new().bold()));
                    last = Some(b.screen);
                }
                lines.push(Line::raw(format!("  {:<10} {}", b.key.label(), b.describe(app.cfg.lang))));
            }
            let title = format!("{}  Up/Down", app.t(T::KeysTitle));
            f.render_widget(Paragraph::new(lines).scroll((*scroll, 0)).block(block(app, &title)), r);
        }
        Modal::ConfirmDiscard => {
            let r = centered(area, 44, 5);
            clear(f, r);
            let text = format!("{}\n{}   {}", app.t(T::DiscardForm), app.t(T::Yes), app.t(T::No));
            f.render_widget(Paragraph::new(text).block(block(app, app.t(T::Confirm))), r);
        }
        Modal::Picker { kind, filter, sel } => {
            let r = centered(area, 60, area.height.saturating_sub(4).min(18));
            clear(f, r);
            let title = match kind {
                PickKind::Village => app.t(T::PickVillage),
                PickKind::Clerk => app.t(T::PickClerk),
                _ => app.t(T::PickItem),
            };
            let b = block(app, title);
            let inner = b.inner(r);
            f.render_widget(b, r);
            let [hint, line, list] =
                Layout::vertical([Constraint::Length(1), Constraint::Length(1), Constraint::Min(1)]).areas(inner);
            f.render_widget(Paragraph::new(app.t(T::TypeToFilter)).dim(), hint);
            let options = app.picker_options(*kind, filter.value());
            let rows: Vec<Line> = options
                .iter()
                .enumerate()
                .skip(sel.saturating_sub(list.height.saturating_sub(1) as usize))
                .take(list.height as usize)
                .map(|(i, (_, label))| {
                    let s = fit(label, list.width as usize);
                    if i == *sel { Line::styled(s, Style::new().reversed()) } else { Line::raw(s) }
                })
                .collect();
            f.render_widget(Paragraph::new(rows), list);
            input_line(f, line, filter, true);
        }
        Modal::Prompt { kind, input } => {
            let r = centered(area, 64, 4);
            clear(f, r);
            let title = match kind {
                PromptKind::Search => app.t(T::SearchPrompt).to_string(),
                PromptKind::Reject | PromptKind::Withdraw | PromptKind::Reopen => app.t(T::ReasonPrompt).to_string(),
                PromptKind::Transfer => app.t(T::DeptPrompt).to_string(),
                PromptKind::Missing => app.t(T::MissingPrompt).to_string(),
                PromptKind::Supply => app.t(T::MaterialPrompt).to_string(),
                PromptKind::FollowUp => match app.next_follow_up() {
                    Some(step) => format!("{}{}", label(app, T::FollowUpPrompt), step.label(app.cfg.lang)),
                    None => app.t(T::FollowUpPrompt).to_string(),
                },
            };
            let b = block(app, &title);
            let inner = b.inner(r);
            f.render_widget(b, r);
            input_line(f, Rect { height: 1, ..inner }, input, true);
        }
        Modal::SuspendReason => {
            let r = centered(area, 76, 4);
            clear(f, r);
            let text = app.t(T::SuspendReasonPrompt);
            f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }).block(block(app, app.t(T::Confirm))), r);
        }
        Modal::Score(chosen) => {
            let r = centered(area, 76, 5);
            clear(f, r);
            let levels: Vec<Span> = (1..=5u8)
                .flat_map(|n| {
                    let label = format!(" {n} {} ", yimen_domain::ticket::Rating::level_label(n, app.cfg.lang));
                    let style = if *chosen == Some(n) { Style::new().reversed().bold() } else { Style::new() };
                    [Span::styled(label, style), Span::raw(" ")]
                })
                .collect();
            let lines = vec![Line::raw(app.t(T::ScorePrompt)), Line::from(levels)];
            f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }).block(block(app, app.t(T::Confirm))), r);
        }
        Modal::Confirm { act, note } => {
            let r = centered(area, 64, if note.is_some() { 6 } else { 4 });
            clear(f, r);
            let what = match &app.detail {
                Some((t, _)) => {
                    format!(
                        "{} {}{}{}",
                        act.action().label(app.cfg.lang),
                        t.number,
                        crate::i18n::paren(app.cfg.lang, &item_label(app, t)),
                        app.cfg.lang.pick("？", "?")
                    )
                }
                None => format!("{}？", act.action().label(app.cfg.lang)),
            };
            let b = block(app, app.t(T::Confirm));
            let inner = b.inner(r);
            f.render_widget(b, r);
            let [q, label, input] =
                Layout::vertical([Constraint::Length(1), Constraint::Length(1), Constraint::Length(1)]).areas(inner);
            f.render_widget(Paragraph::new(Line::styled(fit(&what, q.width as usize), Style::new().bold())), q);
            if let Some(n) = note {
                // The example fits a completion ("已发放"); other steps just say the note is optional.
                let prompt =
                    if matches!(act, yimen_app::Act::Complete { .. }) { T::NotePrompt } else { T::NoteOptional };
                f.render_widget(Paragraph::new(fit(app.t(prompt), label.width as usize)), label);
                input_line(f, input, n, true);
            }
        }
        Modal::Take { item, priority, id_number, error } => {
            let r = centered(area, 70, 8);
            clear(f, r);
            let b = block(app, app.t(T::TakeTitle));
            let inner = b.inner(r);
            f.render_widget(b, r);
            let [what, prio, label, input, err] = Layout::vertical([Constraint::Length(1); 5]).areas(inner);
            let name = app.cfg.catalog.item(item).map(|i| i.display_name(app.cfg.lang).to_string()).unwrap_or_default();
            f.render_widget(
                Paragraph::new(Line::styled(fit(&format!("{item} {name}"), what.width as usize), Style::new().bold())),
                what,
            );
            let choices: Vec<Span> = crate::app::TAKE_PRIORITIES
                .iter()
                .enumerate()
                .flat_map(|(i, p)| {
                    let label = p.map_or(app.t(T::PriorityNone), |p| p.label(app.cfg.lang));
                    let style = if i == *priority { Style::new().reversed().bold() } else { Style::new() };
                    [Span::styled(format!(" {label} "), style), Span::raw(" ")]
                })
                .collect();
            f.render_widget(Paragraph::new(Line::from(choices)), prio);
            f.render_widget(Paragraph::new(fit(app.t(T::IdOptional), label.width as usize)), label);
            input_line(f, input, id_number, true);
            if let Some(e) = error {
                f.render_widget(
                    Paragraph::new(Line::styled(fit(e, err.width as usize), Style::new().fg(Color::Red).bold())),
                    err,
                );
            }
        }
        Modal::Correct { field, value, reason, focus, error } => {
            let fields = yimen_domain::ticket::CorrectField::ALL;
            // The values as the case screen shows them: masked unless revealed a moment ago.
            let shown = app.detail_as_shown();
            let r = centered(area, 70, fields.len() as u16 + 10);
            clear(f, r);
            let title = match &app.detail {
                Some((t, _)) => format!("{} {}", app.t(T::CorrectTitle), t.number),
                None => app.t(T::CorrectTitle).to_string(),
            };
            let b = block(app, &title);
            let inner = b.inner(r);
            f.render_widget(b, r);
            let [which, list, vl, vi, rl, ri, err] = Layout::vertical([
                Constraint::Length(1),
                Constraint::Length(fields.len() as u16),
                Constraint::Length(1),
                Constraint::Length(1),
                Constraint::Length(1),
                Constraint::Length(1),
                Constraint::Length(2),
            ])
            .areas(inner);
            let rows: Vec<Line> = fields
                .iter()
                .enumerate()
                .map(|(i, fd)| {
                    let now = shown.as_ref().and_then(|(t, _)| fd.value_on(t)).unwrap_or_default();
                    let text = fit(
                        &format!(
                            " {} {}{}{now}",
                            if i == *field { "▶" } else { " " },
                            fd.label(app.cfg.lang),
                            app.cfg.lang.pick("：", ": ")
                        ),
                        list.width as usize,
                    );
                    let style = match (i == *field, *focus == 0) {
                        (true, true) => Style::new().reversed(),
                        (true, false) => Style::new().bold(),
                        _ => Style::new(),
                    };
                    Line::styled(text, style)
                })
                .collect();
            f.render_widget(Paragraph::new(rows), list);
            let on_list = if *focus == 0 { Style::new().bold().fg(Color::Cyan) } else { Style::new() };
            f.render_widget(Paragraph::new(Line::styled(app.t(T::CorrectField), on_list)), which);
            let label = |t: &str, on: bool| {
                Paragraph::new(Line::styled(
                    t.to_string(),
                    if on { Style::new().bold().fg(Color::Cyan) } else { Style::new() },
                ))
            };
            f.render_widget(label(app.t(T::CorrectValue), *focus == 1), vl);
            input_line(f, vi, value, *focus == 1);
            f.render_widget(label(app.t(T::ReasonPrompt), *focus == 2), rl);
            input_line(f, ri, reason, *focus == 2);
            if let Some(e) = error {
                // The whole message, on two rows if it needs them.
                f.render_widget(
                    Paragraph::new(Line::styled(e.clone(), Style::new().fg(Color::Red).bold()))
                        .wrap(Wrap { trim: true }),
                    err,
                );
            }
        }
        Modal::Materials { key, later } => {
            let r = centered(area, 76, 8);
            clear(f, r);
            let mut lines = vec![];
            if !key.is_empty() {
                lines.push(Line::raw(format!("{}{}", label(app, T::KeyMissing), key.join("、"))));
            }
            if !later.is_empty() {
                lines.push(Line::raw(format!("{}{}", label(app, T::MayDefer), later.join("、"))));
            }
            lines.push(Line::raw(""));
            lines.push(Line::raw(if key.is_empty() { app.t(T::NoticeOrDefer) } else { app.t(T::NoticeOnly) }));
            f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }).block(block(app, app.t(T::Materials))), r);
        }
    }
}
