//! The terminal interface clerks live in: queue, intake, case detail and open cases.
//!
//! Shape: one `App` (state), `Msg` in, `update` the only place that changes state, `screens`
//! draw it. Database work runs on a worker thread; key events are read on another; the main
//! loop waits on one channel with the clock tick as its timeout, so it redraws on events and
//! once a second, never in a busy loop.

pub mod app;
pub mod board;
pub mod form;
pub mod i18n;
pub mod keymap;
pub mod screens;
pub mod worker;

use std::io;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use ratatui::crossterm::event::{self, DisableBracketedPaste, EnableBracketedPaste, Event};
use ratatui::crossterm::execute;

use app::{App, Msg, Setup};
use yimen_api::Client;
use yimen_domain::Lang;

pub struct Options {
    pub lang: Lang,
    pub ascii: bool,
    pub clerk: String,
    pub window: String,
    pub categories: Vec<String>,
    /// A line shown when the interface opens (the demo's accounts).
    pub notice: Option<String>,
}

const TICK: Duration = Duration::from_secs(1);

/// Reads the terminal's events on their own thread and sends what `map` makes of each, until
/// the receiver is gone or the terminal fails (after `map` has seen the failure).
fn forward_events<M: Send + 'static>(
    tx: mpsc::Sender<M>,
    map: impl Fn(io::Result<Event>) -> Option<M> + Send + 'static,
) {
    std::thread::spawn(move || {
        loop {
            let ev = event::read();
            let failed = ev.is_err();
            if let Some(m) = map(ev)
                && tx.send(m).is_err()
            {
                break;
            }
            if failed {
                break;
            }
        }
    });
}

/// Runs the interface until the clerk quits; returns the slips saved during the session.
pub fn run(mut desk: Box<dyn Client>, opts: Options) -> io::Result<Vec<String>> {
    let setup = Setup {
        lang: opts.lang,
        ascii: opts.ascii,
        clerk: opts.clerk,
        window: opts.window,
        categories: opts.categories,
        hall: desk.settings().hall.clone(),
        catalog: desk.catalog().clone(),
        calendar: desk.calendar().clone(),
        clock: *desk.clock(),
        users: desk.roster().map_err(|e| io::Error::other(yimen_domain::lang::Localized::localized(&e, opts.lang)))?,
        signed_in: desk.clerk().is_some(),
        notice: opts.notice,
    };
    let (msg_tx, msg_rx) = mpsc::channel::<Msg>();
    let (job_tx, job_rx) = mpsc::channel();
    let reply_tx = msg_tx.clone();
    if let Some(watch) = desk.watch() {
        // Another window's take, call or completion shows here as soon as the server has it.
        let tx = msg_tx.clone();
        watch.spawn(move || tx.send(Msg::Changed).is_ok());
    }
    let worker = worker::spawn(desk, opts.lang, job_rx, move |r| reply_tx.send(Msg::Reply(Box::new(r))).is_ok());

    // ratatui::init enters raw mode and the alternate screen, and installs a panic hook that
    // restores the terminal before the panic message is printed.
    let mut terminal = ratatui::try_init()?;
    // A panic the store guard turns into an error must not restore (tear down) the screen.
    yimen_app::wrap_hook();
    let _ = execute!(io::stdout(), EnableBracketedPaste);
    forward_events(msg_tx, |ev| match ev {
        Ok(Event::Key(k)) => Some(Msg::Key(k)),
        Ok(Event::Paste(s)) => Some(Msg::Paste(s)),
        Ok(Event::Resize(w, h)) => Some(Msg::Resize(w, h)),
        _ => None,
    });

    let mut app = App::new(setup, job_tx);
    if let Ok(size) = terminal.size() {
        app.update(Msg::Resize(size.width, size.height));
    }
    let result = (|| -> io::Result<()> {
        let mut next_tick = Instant::now() + TICK;
        loop {
            terminal.draw(|f| {
                screens::render(&app, f);
                if app.cfg.ascii {
                    screens::narrow_ambiguous(f.buffer_mut());
                }
            })?;
            let wait = next_tick.saturating_duration_since(Instant::now());
            match msg_rx.recv_timeout(wait) {
                Ok(m) => app.update(m),
                Err(RecvTimeoutError::Timeout) => {
                    app.update(Msg::Tick);
                    next_tick = Instant::now() + TICK;
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
            // Coalesce whatever else arrived before drawing again.
            while let Ok(m) = msg_rx.try_recv() {
                app.update(m);
            }
            if app.quit {
                break;
            }
        }
        Ok(())
    })();
    let _ = execute!(io::stdout(), DisableBracketedPaste);
    ratatui::restore();
    let slips = std::mem::take(&mut app.slips);
    drop(app); // closes the job channel, so the worker finishes
    let _ = worker.join();
    result.map(|_| slips)
}
