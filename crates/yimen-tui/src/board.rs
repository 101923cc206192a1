//! `yimen board`: the display board (叫号屏) on a screen facing the hall. The newest call in
//! big letters ("请 A012 号到 3 号窗口"), the latest calls, and how many wait per category —
//! numbers and windows only, never a name. It reads the local file or the hall server alike,
//! needs no sign-in, and changes within a second of a call (at once through a server).

use std::io;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use ratatui::Frame;
use ratatui::crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers};
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Color, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use time::OffsetDateTime;
use tui_big_text::{BigText, PixelSize};

use super::i18n::T;
use super::screens::{titled, width};
use yimen_api::Client;
use yimen_app::DeskError;
use yimen_domain::Lang;
use yimen_domain::board::{Board, Call};
use yimen_domain::clock::Shown;
use yimen_domain::lang::Localized;

/// What the board shows at one moment.
pub struct View {
    pub hall: String,
    /// Now, in the hall's time.
    pub now: OffsetDateTime,
    pub board: Result<Board, String>,
    pub lang: Lang,
    pub ascii: bool,
}

enum Msg {
    Quit,
    Redraw,
    Changed,
}

/// Shows the board until `q`, `Esc` or `Ctrl-C`. `connect` opens the hall's records; a board
/// started before its server (a screen that boots first) says so and keeps trying.
pub fn run(mut connect: impl FnMut() -> Result<Box<dyn Client>, DeskError>, lang: Lang, ascii: bool) -> io::Result<()> {
    let (tx, rx) = mpsc::channel::<Msg>();
    super::forward_events(tx.clone(), |ev| match ev {
        Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => {
            let ctrl_c = k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c');
            (ctrl_c || matches!(k.code, KeyCode::Char('q') | KeyCode::Esc)).then_some(Msg::Quit)
        }
        Ok(Event::Resize(..)) => Some(Msg::Redraw),
        Ok(_) => None,
        Err(_) => Some(Msg::Quit),
    });
    let fallback = yimen_domain::clock::Clock::from_env(yimen_domain::clock::DEFAULT_OFFSET)
        .unwrap_or_else(|_| yimen_domain::clock::Clock::new(yimen_domain::clock::DEFAULT_OFFSET, None));
    let mut client: Option<Box<dyn Client>> = None;
    let mut view =
        View { hall: String::new(), now: fallback.local(fallback.now()), board: Ok(Board::default()), lang, ascii };
    // Opens the records if need be, then reads the board.
    let mut refresh = |client: &mut Option<Box<dyn Client>>, view: &mut View| {
        if client.is_none() {
            match connect() {
                Ok(c) => {
                    view.hall = c.settings().hall.clone();
                    if let Some(watch) = c.watch() {
                        let tx = tx.clone();
                        watch.spawn(move || tx.send(Msg::Changed).is_ok());
                    }
                    *client = Some(c);
                }
                Err(e) => {
                    view.board = Err(e.localized(lang));
                    return;
                }
            }
        }
        if let Some(c) = client.as_mut() {
            view.board = c.board().map_err(|e| e.localized(lang));
        }
    };
    refresh(&mut client, &mut view);
    let mut terminal = ratatui::try_init()?;
    // A panic the store guard turns into an error must not restore (tear down) the screen.
    yimen_app::wrap_hook();
    let result = (|| -> io::Result<()> {
        loop {
            let clock = client.as_ref().map(|c| *c.clock()).unwrap_or(fallback);
            view.now = clock.local(clock.now());
            terminal.draw(|f| {
                render(&view, f);
                if ascii {
                    super::screens::narrow_ambiguous(f.buffer_mut());
                }
            })?;
            match rx.recv_timeout(Duration::from_secs(1)) {
                Ok(Msg::Quit) | Err(RecvTimeoutError::Disconnected) => return Ok(()),
                Ok(Msg::Redraw) => {}
                Ok(Msg::Changed) | Err(RecvTimeoutError::Timeout) => refresh(&mut client, &mut view),
            }
        }
    })();
    ratatui::restore();
    result
}

fn announce(c: &Call, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("请 {} 号到 {} 号窗口", c.number, c.window),
        Lang::En => format!("Number {}, please go to window {}", c.number, c.window),
    }
}

/// Draws the board; public so tests can draw it on a test backend.
pub fn render(view: &View, f: &mut Frame) {
    let lang = view.lang;
    let area = f.area();
    let [head, body, foot] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1), Constraint::Length(1)]).areas(area);
    let clock = Shown::DaySecond.write(view.now);
    let pad = (area.width as usize).saturating_sub(width(&view.hall) + width(&clock) + 2);
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(format!(" {}", view.hall), Style::new().bold()),
            Span::raw(" ".repeat(pad)),
            Span::raw(clock),
        ])),
        head,
    );
    f.render_widget(Paragraph::new(Span::styled(format!(" {}", T::BoardQuit.get(lang)), Style::new().dim())), foot);
    let board = match &view.board {
        Ok(b) => b,
        Err(e) => {
            let text = format!("{}\n{e}", T::ServerLost.get(lang));
            f.render_widget(Paragraph::new(text).red().wrap(Wrap { trim: true }).block(titled("", view.ascii)), body);
            return;
        }
    };
    // The headline takes what the screen can give: big letters when there is room.
    let big = body.height >= 16 && body.width >= 40;
    let headline_h = if big { 7 } else { 3 };
    let [top, lists] = Layout::vertical([Constraint::Length(headline_h), Constraint::Min(0)]).areas(body);
    let headline = titled(T::BoardNow.get(lang), view.ascii);
    let inner = headline.inner(top);
    f.render_widget(headline, top);
    match board.headline() {
        Some(c) => {
            let style = if c.calling { Style::new().fg(Color::Yellow).bold() } else { Style::new().bold() };
            if big {
                let [digits, words] = Layout::vertical([Constraint::Length(4), Constraint::Min(1)]).areas(inner);
                let text = format!("{} -> {}", c.number, c.window);
                // Half-height glyphs are 8 cells wide, quadrant ones 4: the larger that fits.
                let size = if text.chars().count() * 8 <= inner.width as usize {
                    PixelSize::HalfHeight
                } else {
                    PixelSize::Quadrant
                };
                let big_text =
                    BigText::builder().pixel_size(size).style(style).lines(vec![text.into()]).centered().build();
                f.render_widget(big_text, digits);
                f.render_widget(Paragraph::new(Span::styled(announce(c, lang), style)).centered(), words);
            } else {
                f.render_widget(Paragraph::new(Span::styled(announce(c, lang), style)).centered(), inner);
            }
        }
        None => f.render_widget(Paragraph::new(T::BoardIdle.get(lang)).centered(), inner),
    }
    if lists.height < 3 {
        return;
    }
    let [recent, waiting] = Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(lists);
    let rows: Vec<Line> = board
        .calls
        .iter()
        .map(|c| {
            let again =
                if c.recalls > 0 { format!("  {}{}", T::BoardRecall.get(lang), c.recalls) } else { String::new() };
            let t = yimen_domain::clock::in_offset(c.at, view.now.offset());
            let line = match lang {
                Lang::Zh => format!(" {:<5} → {} 号窗口  {}{again}", c.number, c.window, Shown::Minute.write(t)),
                Lang::En => format!(" {:<5} → window {}  {}{again}", c.number, c.window, Shown::Minute.write(t)),
            };
            if c.calling { Line::styled(line, Style::new().fg(Color::Yellow)) } else { Line::raw(line) }
        })
        .collect();
    f.render_widget(Paragraph::new(rows).block(titled(T::BoardRecent.get(lang), view.ascii)), recent);
    let rows: Vec<Line> = board
        .waiting
        .iter()
        .map(|w| {
            let name = lang.pick(&w.name, &w.name_en);
            Line::raw(match lang {
                Lang::Zh => format!(" {} {name}  {} 人", w.letter, w.count),
                Lang::En => format!(" {} {name}  {}", w.letter, w.count),
            })
        })
        .collect();
    f.render_widget(Paragraph::new(rows).block(titled(T::BoardWaiting.get(lang), view.ascii)), waiting);
}
