//! The interface's state and its one `update` function: keys, pastes, clock ticks and the
//! worker's replies come in as messages; jobs for the worker go out. Nothing here draws.

mod intake;
mod modal;
mod reply;

use std::sync::mpsc::Sender;
use yimen_app::Act;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use time::OffsetDateTime;
use tui_input::{Input, InputRequest};

use super::form::{FieldId, IntakeForm, sanitize};
use super::i18n::T;
use super::keymap::{self, Screen, UiAction};
use super::worker::{Job, Reply, Snapshot};
use yimen_domain::Lang;
use yimen_domain::calendar::Calendar;
use yimen_domain::catalog::{Catalog, ServiceItem};
use yimen_domain::clock::Clock;
use yimen_domain::id_number::IdNumber;
use yimen_domain::pinyin;
use yimen_domain::ticket::{Action, Event, Status, SuspendReason, Ticket};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickKind {
    /// Pick the item for the intake form.
    IntakeItem,
    /// Pick the item a walk-in takes a number for.
    TakeItem,
    Village,
    /// The clerk a supervisor hands a case to.
    Clerk,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    Search,
    Reject,
    Withdraw,
    Transfer,
    Missing,
    Supply,
    FollowUp,
    Reopen,
}

#[derive(Debug, Clone)]
pub enum Modal {
    /// The key help, scrolled down by this many lines.
    Help(u16),
    ConfirmDiscard,
    Picker {
        kind: PickKind,
        filter: Input,
        sel: usize,
    },
    Prompt {
        kind: PromptKind,
        input: Input,
    },
    SuspendReason,
    /// The citizen's rating: a digit chooses, Enter records (a stray key records nothing).
    Score(Option<u8>),
    /// An action that cannot be undone, shown with the ticket it acts on before it is done;
    /// `note` is the optional note it carries (a completion's "已发放").
    Confirm {
        act: Act,
        note: Option<Input>,
    },
    /// A walk-in's number: the item chosen, then priority and an optional ID number.
    Take {
        item: String,
        /// Index into `TAKE_PRIORITIES`.
        priority: usize,
        id_number: Input,
        error: Option<String>,
    },
    /// 更正: which field, its right value, and why.
    Correct {
        field: usize,
        value: Input,
        reason: Input,
        /// 0 the field list, 1 the value, 2 the reason.
        focus: u8,
        error: Option<String>,
    },
    Materials {
        key: Vec<String>,
        later: Vec<String>,
    },
}

#[derive(Debug, Clone, Default)]
pub struct OpenFilter {
    pub category: Option<String>,
    pub status: Option<Status>,
    pub clerk: Option<String>,
    /// Only the cases past their deadline (红灯).
    pub overdue: bool,
    /// Only the cases of the signed-in clerk.
    pub mine: bool,
}

impl OpenFilter {
    /// Whether any filter narrows the list (Esc clears them).
    pub fn is_set(&self) -> bool {
        self.category.is_some() || self.status.is_some() || self.clerk.is_some() || self.overdue || self.mine
    }
}

/// How long a revealed case shows its numbers whole, in seconds.
pub const REVEAL_SECONDS: u64 = 30;

/// Rows a page key moves by.
pub const PAGE: usize = 10;

pub enum Msg {
    Key(KeyEvent),
    /// The terminal's size in columns and rows (at start and on every resize).
    Resize(u16, u16),
    Paste(String),
    Tick,
    /// Another window changed the hall's records (heard from the server).
    Changed,
    Reply(Box<Reply>),
}

pub struct App {
    /// Who, where and with what the interface runs; fixed for the session.
    pub cfg: Setup,
    pub now: OffsetDateTime,
    pub screen: Screen,
    pub snapshot: Snapshot,
    pub queue_sel: usize,
    pub open_sel: usize,
    pub form: IntakeForm,
    pub detail: Option<(Ticket, Vec<Event>)>,
    pub modal: Option<Modal>,
    pub status: Option<(String, bool)>,
    pub filter: OpenFilter,
    pub search: Option<(String, Vec<Ticket>)>,
    /// The day the report screen shows, and its report once computed.
    pub report_day: time::Date,
    pub report: Option<yimen_app::report::DailyReport>,
    pub pending: usize,
    pub quit: bool,
    /// Slips saved during the session, printed when the interface closes.
    pub slips: Vec<String>,
    /// After an action on the detail screen, show that ticket again.
    follow: Option<u64>,
    /// A notice was sent; its slip is saved once it is done.
    notice_slip: bool,
    /// The form was sent to be registered; its reply clears it (or shows why not).
    registering: bool,
    /// A refresh is on its way; a slow disk does not pile up more behind it.
    refreshing: bool,
    /// The hall server is not answering (a window working through one).
    pub offline: bool,
    /// A change was heard while a refresh was on its way: refresh once more after it.
    stale: bool,
    /// Whether a clerk is signed in; if not, only the sign-in screen shows.
    pub signed_in: bool,
    pub signin: SignIn,
    /// The case whose ID numbers and phones show whole, until when (after `v`, audited);
    /// otherwise the case screen masks them, for whoever signed in: the next citizen in line
    /// can see the screen.
    pub revealed: Option<(u64, std::time::Instant)>,
    /// The popup a step was sent from, opened again with what was typed if the step is refused.
    pub retry_modal: Option<Modal>,
    /// The terminal is smaller than the interface needs: only the size message shows, and no
    /// key acts on what cannot be seen (Ctrl-C still quits).
    pub too_small: bool,
    jobs: Sender<Job>,
}

/// The priorities the take popup offers, "none" first.
pub const TAKE_PRIORITIES: [Option<yimen_domain::queue::Priority>; 5] = [
    None,
    Some(yimen_domain::queue::Priority::Elderly),
    Some(yimen_domain::queue::Priority::Disability),
    Some(yimen_domain::queue::Priority::Pregnant),
    Some(yimen_domain::queue::Priority::Military),
];

/// The settings the interface starts with.
pub struct Setup {
    pub lang: Lang,
    pub ascii: bool,
    pub clerk: String,
    pub window: String,
    pub categories: Vec<String>,
    pub hall: String,
    pub catalog: Catalog,
    pub calendar: Calendar,
    pub clock: Clock,
    /// The hall's active accounts (empty in setup mode, where no sign-in is asked).
    pub users: Vec<(String, yimen_domain::account::Role)>,
    /// Signed in already (by the command line, or in setup mode).
    pub signed_in: bool,
    /// A line to show at the start (the demo's accounts and PINs).
    pub notice: Option<String>,
}

/// The sign-in screen: pick the clerk, type the PIN, choose the window.
#[derive(Debug, Clone, Default)]
pub struct SignIn {
    pub sel: usize,
    /// Whether the clerk was chosen (by ↑↓, or named when the interface started or locked):
    /// a PIN is never tried against a clerk nobody chose.
    pub chosen: bool,
    pub pin: Input,
    pub window: Input,
    /// 0 the clerk list, 1 the PIN, 2 the window.
    pub focus: u8,
}

impl App {
    pub fn new(setup: Setup, jobs: Sender<Job>) -> App {
        let now = setup.clock.now();
        let report_day = setup.clock.date_of(now);
        let signed_in = setup.signed_in || setup.users.is_empty();
        let named = setup.users.iter().position(|(n, _)| *n == setup.clerk);
        let signin = SignIn {
            sel: named.unwrap_or(0),
            chosen: named.is_some(),
            window: Input::new(setup.window.clone()),
            // A named clerk types the PIN at once; otherwise the list comes first.
            focus: if named.is_some() { 1 } else { 0 },
            ..Default::default()
        };
        // The demo's accounts: in full under the sign-in box; once signed in, one line, so the
        // footer's keys stay in sight.
        let status = if signed_in {
            setup.notice.as_deref().and_then(|n| n.lines().next()).map(|n| (n.to_string(), false))
        } else {
            None
        };
        let mut app = App {
            cfg: setup,
            now,
            screen: Screen::Queue,
            snapshot: Snapshot { today: Vec::new(), open: None, changed: None },
            queue_sel: 0,
            open_sel: 0,
            form: IntakeForm::default(),
            detail: None,
            modal: None,
            status,
            filter: OpenFilter::default(),
            search: None,
            report_day,
            report: None,
            pending: 0,
            quit: false,
            slips: Vec::new(),
            follow: None,
            notice_slip: false,
            registering: false,
            refreshing: false,
            offline: false,
            stale: false,
            signed_in,
            signin,
            too_small: false,
            revealed: None,
            retry_modal: None,
            jobs,
        };
        app.refresh();
        app
    }

    /// Asks for today's tickets again (and the open cases, on the open-cases screen), unless a
    /// refresh is already on its way.
    fn refresh(&mut self) {
        // Behind the sign-in screen nothing is shown, and a server answers no one signed out.
        if !self.signed_in {
            return;
        }
        if !self.refreshing {
            self.refreshing = true;
            self.send_quiet(Job::Refresh { open_cases: self.screen == Screen::Open });
        }
    }

    /// Moves to a screen; the open-cases screen reads its rows as it opens.
    fn show_screen(&mut self, s: Screen) {
        // A message belongs to the screen it was said on.
        if s != self.screen {
            self.status = None;
        }
        self.screen = s;
        match s {
            Screen::Report if self.may_read_reports() => self.send_quiet(Job::Daily(self.report_day)),
            Screen::Open => {
                self.refreshing = true;
                self.send_quiet(Job::Refresh { open_cases: true });
            }
            _ => {}
        }
    }

    pub fn t(&self, t: T) -> &'static str {
        t.get(self.cfg.lang)
    }

    fn send_quiet(&self, job: Job) {
        // The worker lives as long as the interface; a closed channel only happens at exit.
        let _ = self.jobs.send(job);
    }

    fn send(&mut self, job: Job) {
        self.pending += 1;
        self.status = Some((self.t(T::Saving).to_string(), false));
        self.send_quiet(job);
    }

    fn error(&mut self, s: impl Into<String>) {
        // Without the server, every refusal is the same one: say it plainly.
        let s = if self.offline { self.t(T::ServerLost).to_string() } else { s.into() };
        self.status = Some((s, true));
    }

    // ---- derived views -------------------------------------------------------------------

    /// Waiting tickets in call order, then today's no-shows.
    pub fn queue_rows(&self) -> Vec<&Ticket> {
        let mut waiting: Vec<&Ticket> = self.snapshot.today.iter().filter(|t| t.status == Status::Waiting).collect();
        waiting.sort_by_key(|t| t.queue_rank());
        waiting.extend(self.snapshot.today.iter().filter(|t| t.status == Status::NoShow));
        waiting
    }

    /// Tickets being served (called) at every window, latest first.
    pub fn serving(&self) -> Vec<&Ticket> {
        let mut v: Vec<&Ticket> = self.snapshot.today.iter().filter(|t| t.status == Status::Called).collect();
        v.sort_by_key(|t| std::cmp::Reverse(t.called_at));
        v
    }

    /// The ticket called to this window most recently and still being served.
    pub fn current(&self) -> Option<&Ticket> {
        self.serving().into_iter().find(|t| t.window.as_deref() == Some(self.cfg.window.as_str()))
    }

    /// Open cases after the filters (or the search results when a search is active).
    pub fn open_rows(&self) -> Vec<&Ticket> {
        if let Some((_, found)) = &self.search {
            return found.iter().collect();
        }
        self.snapshot
            .open
            .iter()
            .flatten()
            .filter(|t| self.filter.category.as_ref().is_none_or(|c| &t.category == c))
            .filter(|t| self.filter.status.is_none_or(|s| t.status == s))
            .filter(|t| self.filter.clerk.as_ref().is_none_or(|c| t.clerk.as_ref() == Some(c)))
            .filter(|t| !self.filter.mine || t.clerk.as_deref() == Some(self.cfg.clerk.as_str()))
            .filter(|t| {
                !self.filter.overdue
                    || t.light(&self.cfg.calendar, self.cfg.clock.date_of(self.now))
                        .is_some_and(|(l, _)| l == yimen_domain::calendar::Light::Red)
            })
            .collect()
    }

    pub fn form_item(&self) -> Option<&ServiceItem> {
        self.form.item.as_deref().and_then(|c| self.cfg.catalog.item(c))
    }

    /// What the ID number field says as it is typed: derived facts or the problem.
    pub fn id_feedback(&self) -> Option<Result<IdNumber, String>> {
        let v = self.form.id_number.value().trim();
        // Empty, or the masked number the server sent (left as it is: the stored one stays).
        if v.is_empty() || v.contains('*') {
            return None;
        }
        let len = v.chars().filter(|c| !c.is_whitespace()).count();
        if len < 15 || (len > 15 && len < 18) {
            return None;
        }
        Some(IdNumber::parse(v, self.cfg.clock.date_of(self.now)).map_err(|e| {
            use yimen_domain::lang::Localized;
            e.localized(self.cfg.lang)
        }))
    }

    /// Items or villages matching the picker's filter: by name, code or pinyin initials.
    pub fn picker_options(&self, kind: PickKind, filter: &str) -> Vec<(String, String)> {
        let q = filter.trim().to_lowercase();
        // By name, code, or pinyin: initials anywhere (`dbsq`), or a spelling's start in
        // initials or full pinyin (`zuidi`).
        let matches = |name: &str, code: &str| {
            q.is_empty()
                || name.to_lowercase().contains(&q)
                || code.to_lowercase().starts_with(&q)
                || pinyin::initials(name).iter().any(|p| p.contains(&q))
                || pinyin::matches(name, &q)
        };
        match kind {
            PickKind::Clerk => self
                .cfg
                .users
                .iter()
                .filter(|(n, _)| matches(n, ""))
                .map(|(n, r)| (n.clone(), format!("{n}{}", crate::i18n::paren(self.cfg.lang, r.label(self.cfg.lang)))))
                .collect(),
            PickKind::Village => {
                let mut v: Vec<(String, String)> = self
                    .cfg
                    .catalog
                    .villages
                    .iter()
                    .filter(|n| matches(n, ""))
                    .map(|n| (n.clone(), n.clone()))
                    .collect();
                if !q.is_empty() && !v.iter().any(|(n, _)| n == filter.trim()) {
                    let typed = sanitize(filter.trim(), false);
                    v.push((typed.clone(), typed));
                }
                v
            }
            _ => self
                .cfg
                .catalog
                .items
                .iter()
                .filter(|i| matches(&i.name, &i.code) || matches(&i.name_en, &i.code))
                .map(|i| (i.code.clone(), format!("{} {}", i.code, i.display_name(self.cfg.lang))))
                .collect(),
        }
    }

    // ---- update --------------------------------------------------------------------------

    pub fn update(&mut self, msg: Msg) {
        match msg {
            Msg::Key(k) => {
                // Windows sends key releases too; only presses (and repeats) act.
                if k.kind == KeyEventKind::Release {
                    return;
                }
                self.on_key(k);
            }
            Msg::Resize(w, h) => {
                self.too_small = w < crate::screens::MIN_WIDTH || h < crate::screens::MIN_HEIGHT;
            }
            Msg::Paste(s) if self.too_small => drop(s),
            Msg::Paste(s) => self.on_paste(&s),
            Msg::Changed if self.refreshing => self.stale = true,
            Msg::Changed => self.refresh(),
            Msg::Tick => {
                self.now = self.cfg.clock.now();
                self.refresh();
            }
            Msg::Reply(r) => self.on_reply(*r),
        }
    }

    fn on_paste(&mut self, s: &str) {
        match &mut self.modal {
            Some(Modal::Picker { filter: input, .. })
            | Some(Modal::Prompt { input, .. })
            | Some(Modal::Take { id_number: input, .. })
            | Some(Modal::Confirm { note: Some(input), .. })
            | Some(Modal::Correct { focus: 1, value: input, .. })
            | Some(Modal::Correct { focus: 2, reason: input, .. }) => {
                for c in sanitize(s, false).chars() {
                    input.handle(InputRequest::InsertChar(c));
                }
            }
            Some(_) => {}
            None if self.screen == Screen::Intake && self.form.focus().is_text() => self.form.type_text(s),
            None => {}
        }
    }

    fn on_signin_key(&mut self, k: KeyEvent) {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && matches!(k.code, KeyCode::Char('c')) {
            self.quit = true;
            return;
        }
        if self.too_small {
            return;
        }
        let s = &mut self.signin;
        match k.code {
            // Tab goes list → PIN → window, Shift-Tab back.
            KeyCode::Tab | KeyCode::BackTab => {
                s.focus = if k.code == KeyCode::Tab { (s.focus + 1) % 3 } else { (s.focus + 2) % 3 }
            }
            // ↑↓ choose the clerk from any field; a PIN typed for another clerk is dropped.
            KeyCode::Up | KeyCode::Down => {
                let last = self.cfg.users.len().saturating_sub(1);
                let sel = if !s.chosen {
                    s.sel
                } else if k.code == KeyCode::Up {
                    s.sel.saturating_sub(1)
                } else {
                    (s.sel + 1).min(last)
                };
                if sel != s.sel || !s.chosen {
                    s.pin = Input::default();
                }
                s.sel = sel;
                s.chosen = true;
                // A name is chosen now: the reminder to choose one has done its work.
                self.status = None;
            }
            KeyCode::Enter if !s.chosen => {
                s.focus = 0;
                self.status = Some((self.t(T::ChooseClerkFirst).to_string(), true));
            }
            KeyCode::Enter if s.focus == 0 => s.focus = 1,
            KeyCode::Enter if s.pin.value().is_empty() => {
                s.focus = 1;
                self.status = Some((self.t(T::TypePin).to_string(), true));
            }
            KeyCode::Enter => {
                if let Some((name, _)) = self.cfg.users.get(s.sel) {
                    let job = Job::SignIn { name: name.clone(), pin: s.pin.value().to_string() };
                    self.send_quiet(job);
                }
            }
            _ if s.focus == 1 => edit_input(&mut s.pin, k),
            // The window is a number: anything else is not typed (a PIN typed here by mistake
            // would show in clear).
            KeyCode::Char(c) if s.focus == 2 && !(c.is_ascii_digit() && s.window.value().chars().count() < 4) => {}
            _ if s.focus == 2 => edit_input(&mut s.window, k),
            // On the list, typing starts the PIN of the chosen clerk.
            KeyCode::Char(_) if s.focus == 0 && s.chosen => {
                s.focus = 1;
                edit_input(&mut s.pin, k);
            }
            _ => {}
        }
    }

    fn on_key(&mut self, k: KeyEvent) {
        if !self.signed_in {
            self.on_signin_key(k);
            return;
        }
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        if self.too_small {
            // Nothing the clerk cannot see acts; Ctrl-C still leaves.
            if ctrl && matches!(k.code, KeyCode::Char('c')) {
                self.quit = true;
            }
            return;
        }
        if let Some(modal) = self.modal.take() {
            self.on_modal_key(modal, k);
            return;
        }
        // Typing on a walk-in's item field starts the item picker with what was typed.
        if self.screen == Screen::Intake
            && self.form.focus() == FieldId::Item
            && !ctrl
            && let KeyCode::Char(c) = k.code
            && (c.is_alphanumeric() && !c.is_ascii_digit() || !c.is_ascii())
        {
            let mut filter = Input::default();
            filter.handle(InputRequest::InsertChar(c));
            self.modal = Some(Modal::Picker { kind: PickKind::IntakeItem, filter, sel: 0 });
            return;
        }
        if self.screen == Screen::Intake && self.form.focus().is_text() && !ctrl {
            let req = match k.code {
                KeyCode::Char(c) => {
                    self.form.type_text(&c.to_string());
                    return;
                }
                KeyCode::Backspace => Some(InputRequest::DeletePrevChar),
                KeyCode::Delete => Some(InputRequest::DeleteNextChar),
                KeyCode::Left => Some(InputRequest::GoToPrevChar),
                KeyCode::Right => Some(InputRequest::GoToNextChar),
                KeyCode::Home => Some(InputRequest::GoToStart),
                KeyCode::End => Some(InputRequest::GoToEnd),
                KeyCode::Enter if self.form.focus() == FieldId::Note => {
                    self.form.type_text("\n");
                    return;
                }
                _ => None,
            };
            if let Some(req) = req {
                self.form.edit(req);
                return;
            }
        }
        if let Some(action) = keymap::lookup(self.screen, &k) {
            self.on_action(action);
        }
    }

    /// Whether a key's action can do anything now (the case detail offers only what the
    /// ticket's state allows).
    pub fn action_available(&self, a: UiAction) -> bool {
        use UiAction as A;
        if !self.role_allows(a) {
            return false;
        }
        let state_action = match a {
            A::Accept => Action::Accept,
            A::Suspend => Action::Suspend,
            A::Resume => Action::Resume,
            A::Transfer => Action::Transfer,
            A::Complete => Action::Complete,
            A::Reject => Action::Reject,
            A::Withdraw => Action::Withdraw,
            A::Terminate => Action::Terminate,
            A::Rate => Action::Rate,
            A::Supply => Action::Supply,
            A::FollowUp | A::Reassign | A::Reopen if !self.is_supervisor() => return false,
            A::FollowUp => Action::FollowUp,
            A::Reassign => Action::Reassign,
            A::Reopen => Action::Reopen,
            A::Correct => Action::Correct,
            A::Print => return self.detail.is_some(),
            // Only when the case on screen has a number to show whole and it is not shown yet.
            A::Reveal => {
                return !self.is_revealed()
                    && self.detail.as_ref().is_some_and(|(t, _)| {
                        let c = &t.citizen;
                        c.id_number.is_some()
                            || c.phone.is_some()
                            || t.proxy.as_ref().is_some_and(|p| p.phone.is_some() || p.id_number.is_some())
                    });
            }
            A::Lock => return !self.cfg.users.is_empty(),
            A::Back if self.screen == Screen::Open => return self.search.is_some() || self.filter.is_set(),
            A::OpenMine => return self.current().is_some(),
            _ => return true,
        };
        self.allowed(state_action).is_some()
    }

    /// Whether the case on screen shows its numbers whole now.
    pub fn is_revealed(&self) -> bool {
        self.detail.as_ref().is_some_and(|(t, _)| self.is_revealed_case(t.id))
    }

    /// Whether case `id` was revealed with `v` less than [`REVEAL_SECONDS`] ago.
    pub(crate) fn is_revealed_case(&self, id: u64) -> bool {
        self.revealed.is_some_and(|(r, until)| r == id && std::time::Instant::now() < until)
    }

    /// The case as the screen shows it: ID numbers and phones masked (in the history's
    /// corrections too) unless revealed a moment ago.
    pub fn detail_as_shown(&self) -> Option<(Ticket, Vec<Event>)> {
        let (t, events) = self.detail.clone()?;
        if self.is_revealed() {
            return Some((t, events));
        }
        let mut t = t;
        t.mask_personal_data();
        let events = events
            .into_iter()
            .map(|mut e| {
                if e.action == Action::Correct {
                    e.note = e.note.as_deref().map(yimen_domain::ticket::mask_correction_note);
                }
                e
            })
            .collect();
        Some((t, events))
    }

    /// Whether the signed-in clerk may read the daily report (a supervisor's; anyone in setup
    /// mode): a clerk gets a plain sentence instead of waiting on a refusal.
    pub fn may_read_reports(&self) -> bool {
        self.is_supervisor()
    }

    /// Whether the signed-in account's role allows a key's action at all: the help and the
    /// footer show a clerk only the clerk's keys.
    pub fn role_allows(&self, a: UiAction) -> bool {
        use UiAction as A;
        match a {
            A::FollowUp | A::Reassign | A::Reopen => self.is_supervisor(),
            A::PrevDay | A::NextDay | A::SaveReport => self.may_read_reports(),
            _ => true,
        }
    }

    /// Whether the signed-in clerk may do a supervisor's steps (anyone, in setup mode).
    fn is_supervisor(&self) -> bool {
        self.cfg.users.is_empty()
            || self.cfg.users.iter().any(|(n, r)| *n == self.cfg.clerk && *r >= yimen_domain::account::Role::Supervisor)
    }

    /// The next step of the case's 差评 follow-up.
    pub fn next_follow_up(&self) -> Option<yimen_domain::ticket::FollowUp> {
        let (t, _) = self.detail.as_ref()?;
        let done = t.rating.as_ref()?.follow_up.len();
        yimen_domain::ticket::FollowUp::ORDER.get(done).copied()
    }

    fn selected_queue(&self) -> Option<&Ticket> {
        self.queue_rows().get(self.queue_sel).copied()
    }

    fn detail_id(&self) -> Option<u64> {
        self.detail.as_ref().map(|(t, _)| t.id)
    }

    fn allowed(&self, a: Action) -> Option<u64> {
        let (t, _) = self.detail.as_ref()?;
        t.available(self.cfg.clock.date_of(self.now)).contains(&a).then_some(t.id)
    }

    fn on_action(&mut self, action: UiAction) {
        use UiAction as A;
        match action {
            A::Quit => {
                if self.form.dirty {
                    self.modal = Some(Modal::ConfirmDiscard);
                } else {
                    self.quit = true;
                }
            }
            A::Help => self.modal = Some(Modal::Help(0)),
            A::Lock => {
                if !self.cfg.users.is_empty() {
                    // What was typed stays; only the clerk must sign in again.
                    self.signed_in = false;
                    self.modal = None;
                    // The clerk who locked is the one to sign in again (↑↓ choose another).
                    if let Some(i) = self.cfg.users.iter().position(|(n, _)| *n == self.cfg.clerk) {
                        self.signin.sel = i;
                        self.signin.chosen = true;
                        self.signin.focus = 1;
                    }
                    self.signin.pin = Input::default();
                    self.status = None;
                    // Numbers shown whole are for the clerk who asked, not whoever signs in next.
                    self.revealed = None;
                    self.send_quiet(Job::SignOut);
                }
            }
            A::NextScreen => {
                let i = Screen::ALL.iter().position(|s| *s == self.screen).unwrap_or(0);
                self.show_screen(Screen::ALL[(i + 1) % Screen::ALL.len()]);
            }
            A::Go(s) => {
                if s == Screen::Intake {
                    self.open_intake();
                }
                self.show_screen(s);
            }
            A::PrevDay | A::NextDay | A::SaveReport if !self.may_read_reports() => {}
            A::PrevDay | A::NextDay => {
                let d = if action == A::PrevDay { self.report_day.previous_day() } else { self.report_day.next_day() };
                if let Some(d) = d.filter(|d| *d <= self.cfg.clock.date_of(self.now)) {
                    self.report_day = d;
                    self.send_quiet(Job::Daily(d));
                }
            }
            A::SaveReport => self.send_quiet(Job::SaveReport(self.report_day)),
            // On the form, ↑↓ move between fields, and within the materials checklist from
            // one material to the next (leaving it only above its first).
            A::Up | A::Down if self.screen == Screen::Intake => {
                let n = self.form_item().map(|i| i.materials.len()).unwrap_or(0);
                let last_field = FieldId::ORDER.len() - 1;
                match (self.form.focus(), action) {
                    (FieldId::Materials, A::Down) => {
                        self.form.material_sel = (self.form.material_sel + 1).min(n.saturating_sub(1))
                    }
                    (FieldId::Materials, _) if self.form.material_sel > 0 => self.form.material_sel -= 1,
                    (_, A::Down) => self.form.focus = (self.form.focus + 1).min(last_field),
                    _ => self.form.focus = self.form.focus.saturating_sub(1),
                }
            }
            A::Up | A::Down | A::PageUp | A::PageDown | A::Home | A::End => {
                let (len, sel) = match self.screen {
                    Screen::Open => (self.open_rows().len(), self.open_sel),
                    _ => (self.queue_rows().len(), self.queue_sel),
                };
                let last = len.saturating_sub(1);
                let to = match action {
                    A::Up => sel.saturating_sub(1),
                    A::Down => (sel + 1).min(last),
                    A::PageUp => sel.saturating_sub(PAGE),
                    A::PageDown => (sel + PAGE).min(last),
                    A::Home => 0,
                    _ => last,
                };
                match self.screen {
                    Screen::Open => self.open_sel = to,
                    _ => self.queue_sel = to,
                }
            }
            A::OpenMine => match self.current().map(|t| t.id) {
                Some(id) => self.send_quiet(Job::Show(id)),
                None => self.error(self.t(T::NoCurrent)),
            },
            A::FilterOverdue => {
                self.filter.overdue = !self.filter.overdue;
                self.open_sel = 0;
            }
            A::FilterMine => {
                self.filter.mine = !self.filter.mine;
                self.open_sel = 0;
            }
            A::CallNext => {
                // A citizen still at this window would drop out of "正在办理" unseen.
                if let Some(t) = self.current() {
                    let msg = self.t(T::WindowBusy).replace("{n}", &t.number.to_string());
                    self.error(msg);
                    return;
                }
                let job = Job::Call { window: self.cfg.window.clone(), categories: self.cfg.categories.clone() };
                self.send(job);
            }
            A::Recall | A::NoShow => match self.current().map(|t| t.id) {
                Some(id) => self.send(Job::Act(id, if action == A::Recall { Act::Recall } else { Act::NoShow })),
                None => self.error(self.t(T::NoCurrent)),
            },
            A::Requeue => {
                if let Some(t) = self.selected_queue().filter(|t| t.status == Status::NoShow) {
                    let id = t.id;
                    self.send(Job::Act(id, Act::Requeue));
                }
            }
            A::TakeNumber => {
                self.modal = Some(Modal::Picker { kind: PickKind::TakeItem, filter: Input::default(), sel: 0 })
            }
            A::OpenSelected => {
                let id = match self.screen {
                    Screen::Open => self.open_rows().get(self.open_sel).map(|t| t.id),
                    _ => self.selected_queue().map(|t| t.id).or_else(|| self.current().map(|t| t.id)),
                };
                if let Some(id) = id {
                    self.send_quiet(Job::Show(id));
                }
            }
            A::Search => self.modal = Some(Modal::Prompt { kind: PromptKind::Search, input: Input::default() }),
            A::Register => {
                self.open_intake();
                self.screen = Screen::Intake;
            }
            A::NextField => self.form.focus = (self.form.focus + 1) % FieldId::ORDER.len(),
            A::PrevField => self.form.focus = (self.form.focus + FieldId::ORDER.len() - 1) % FieldId::ORDER.len(),
            A::Pick => match self.form.focus() {
                // A called ticket's item can be corrected here too (taken for the wrong one).
                FieldId::Item => {
                    self.modal = Some(Modal::Picker { kind: PickKind::IntakeItem, filter: Input::default(), sel: 0 })
                }
                FieldId::Village => {
                    let filter = Input::new(self.form.village.value().to_string());
                    self.modal = Some(Modal::Picker { kind: PickKind::Village, filter, sel: 0 })
                }
                FieldId::Materials => self.toggle_material(),
                _ => self.form.focus = (self.form.focus + 1) % FieldId::ORDER.len(),
            },
            A::Toggle => self.toggle_material(),
            A::Submit => self.submit(),
            A::Back => match self.screen {
                Screen::Intake if self.form.dirty => self.modal = Some(Modal::ConfirmDiscard),
                Screen::Intake => self.screen = Screen::Queue,
                // Esc brings back the whole list: first without the search, then without the
                // filters.
                Screen::Open if self.search.is_some() => {
                    self.search = None;
                    self.open_sel = 0;
                }
                Screen::Open if self.filter.is_set() => {
                    self.filter = OpenFilter::default();
                    self.open_sel = 0;
                }
                Screen::Open => {}
                _ => self.screen = Screen::Queue,
            },
            A::Accept => {
                if let Some((t, _)) = &self.detail
                    && t.status == Status::Called
                {
                    let t = t.clone();
                    self.load_form(&t);
                    self.screen = Screen::Intake;
                }
            }
            A::Suspend => {
                if self.allowed(Action::Suspend).is_some() {
                    self.modal = Some(Modal::SuspendReason);
                }
            }
            A::Resume => self.detail_job(Action::Resume, |id| Job::Act(id, Act::Resume)),
            A::Complete => self.confirm(Action::Complete, Act::Complete { note: None }, true),
            A::Terminate => self.confirm(Action::Terminate, Act::Terminate { note: None }, true),
            A::Correct => {
                if self.allowed(Action::Correct).is_some() {
                    self.modal = Some(self.correct_modal(0));
                }
            }
            A::Transfer => self.prompt_if(Action::Transfer, PromptKind::Transfer),
            A::Reject => self.prompt_if(Action::Reject, PromptKind::Reject),
            A::Withdraw => self.prompt_if(Action::Withdraw, PromptKind::Withdraw),
            A::Supply => {
                // The first material still owed is offered; the clerk may type another.
                let owed = self.detail.as_ref().and_then(|(t, _)| t.owed().next().map(|d| d.material.clone()));
                if self.allowed(Action::Supply).is_some() {
                    let input = Input::new(owed.unwrap_or_default());
                    self.modal = Some(Modal::Prompt { kind: PromptKind::Supply, input });
                }
            }
            A::FollowUp | A::Reassign | A::Reopen if !self.action_available(action) => {}
            A::FollowUp => self.prompt_if(Action::FollowUp, PromptKind::FollowUp),
            A::Reopen => self.prompt_if(Action::Reopen, PromptKind::Reopen),
            A::Reassign => {
                self.modal = Some(Modal::Picker { kind: PickKind::Clerk, filter: Input::default(), sel: 0 });
            }
            A::Rate => {
                if self.allowed(Action::Rate).is_some() {
                    self.modal = Some(Modal::Score(None));
                }
            }
            A::Print => {
                if let Some((t, _)) = &self.detail {
                    let id = t.id;
                    self.send_quiet(Job::Slip(id));
                }
            }
            A::Reveal => {
                if self.action_available(A::Reveal)
                    && let Some((t, _)) = &self.detail
                {
                    let id = t.id;
                    self.send_quiet(Job::Reveal(id));
                }
            }
            A::FilterCategory => {
                let codes: Vec<String> = self.cfg.catalog.categories.iter().map(|c| c.code.clone()).collect();
                self.filter.category = cycle(&codes, self.filter.category.as_ref());
                self.open_sel = 0;
            }
            A::FilterStatus => {
                let s = [Status::Accepted, Status::Suspended, Status::Transferred];
                self.filter.status = cycle(&s, self.filter.status.as_ref());
                self.open_sel = 0;
            }
            A::FilterClerk => {
                let mut clerks: Vec<String> =
                    self.snapshot.open.iter().flatten().filter_map(|t| t.clerk.clone()).collect();
                clerks.sort();
                clerks.dedup();
                self.filter.clerk = cycle(&clerks, self.filter.clerk.as_ref());
                self.open_sel = 0;
            }
        }
    }

    fn detail_job(&mut self, a: Action, job: impl FnOnce(u64) -> Job) {
        if let Some(id) = self.allowed(a) {
            self.send(job(id));
        }
    }

    /// Asks before an action that cannot be undone (with a note field when `with_note`).
    fn confirm(&mut self, a: Action, act: Act, with_note: bool) {
        if self.allowed(a).is_some() {
            self.modal = Some(Modal::Confirm { act, note: with_note.then(Input::default) });
        }
    }

    /// The correction popup on `field`, its value filled in when the clerk may see it whole.
    pub(super) fn correct_modal(&self, field: usize) -> Modal {
        // The value as the screen shows it: a masked number is not filled in (the clerk types
        // the right one; `v` first shows the stored one, on the record).
        let current = self
            .detail_as_shown()
            .and_then(|(t, _)| yimen_domain::ticket::CorrectField::ALL.get(field).and_then(|f| f.value_on(&t)))
            .filter(|v| !v.contains('*'))
            .unwrap_or_default();
        Modal::Correct { field, value: Input::new(current), reason: Input::default(), focus: 0, error: None }
    }

    fn prompt_if(&mut self, a: Action, kind: PromptKind) {
        if self.allowed(a).is_some() {
            self.modal = Some(Modal::Prompt { kind, input: Input::default() });
        }
    }
}

fn lang_msg(lang: Lang, zh: &str, en: &str) -> String {
    lang.pick(zh, en).to_string()
}

fn edit_input(input: &mut Input, k: KeyEvent) {
    let req = match k.code {
        KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
            if yimen_domain::text::is_forbidden(c, false) {
                return;
            }
            InputRequest::InsertChar(c)
        }
        KeyCode::Backspace => InputRequest::DeletePrevChar,
        KeyCode::Delete => InputRequest::DeleteNextChar,
        KeyCode::Left => InputRequest::GoToPrevChar,
        KeyCode::Right => InputRequest::GoToNextChar,
        KeyCode::Home => InputRequest::GoToStart,
        KeyCode::End => InputRequest::GoToEnd,
        _ => return,
    };
    input.handle(req);
}

/// The next value after `cur` in `options`, then back to none ("all").
fn cycle<T: Clone + PartialEq>(options: &[T], cur: Option<&T>) -> Option<T> {
    match cur.and_then(|c| options.iter().position(|o| o == c)) {
        None => options.first().cloned(),
        Some(i) => options.get(i + 1).cloned(),
    }
}
