//! The worker thread: it owns the desk (and so the database) and runs every read and write
//! the interface asks for, so a slow disk never freezes typing. Requests go in over one
//! channel and replies come back over another.

use std::sync::mpsc::Receiver;
use std::thread::JoinHandle;

use crate::app::{AcceptRequest, Desk, DeskError, TakeRequest};
use crate::domain::Lang;
use crate::domain::lang::Localized;
use crate::domain::ticket::{Event, SuspendReason, Ticket};

#[derive(Debug, Clone)]
pub enum Job {
    /// Today's tickets, and the open cases too when the open-cases screen needs them.
    Refresh {
        open_cases: bool,
    },
    Take(TakeRequest),
    Call {
        window: String,
        categories: Vec<String>,
    },
    /// A walk-in registered at the window: take, call to this window, accept.
    WalkIn {
        take: TakeRequest,
        window: String,
        accept: AcceptRequest,
    },
    Recall(u64),
    NoShow(u64),
    Requeue(u64),
    Accept(u64, AcceptRequest),
    Notice(u64, Vec<String>),
    WalkInNotice {
        take: TakeRequest,
        window: String,
        missing: Vec<String>,
    },
    Suspend(u64, SuspendReason, Vec<String>),
    Resume(u64),
    Transfer(u64, String),
    Complete(u64),
    Reject(u64, String),
    Withdraw(u64, String),
    Terminate(u64),
    Rate(u64, u8),
    Show(u64),
    Search(String),
    /// Sign a clerk in with a PIN (the sign-in screen).
    SignIn {
        name: String,
        pin: String,
    },
    /// Forget who was signed in (the lock key).
    SignOut,
    /// The daily report of a day.
    Daily(time::Date),
    /// Save a day's printable report; the reply carries the path.
    SaveReport(time::Date),
    /// Save the ticket's slip (receipt, or the one-time notice); the reply carries the path.
    Slip(u64),
}

#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Every ticket taken today.
    pub today: Vec<Ticket>,
    /// Open cases by deadline, when they were asked for.
    pub open: Option<Vec<Ticket>>,
}

#[derive(Debug)]
pub enum Reply {
    /// A fresh view of today and the open cases, or why it could not be read.
    Snapshot(Result<Snapshot, String>),
    /// An action finished: the ticket as it is now, or why not (in the user's language).
    Done(Result<Ticket, String>),
    Detail(Result<(Ticket, Vec<Event>), String>),
    Search(Result<Vec<Ticket>, String>),
    Slip(Result<String, String>),
    Daily(Box<Result<crate::report::DailyReport, String>>),
    SignedIn(Result<String, String>),
    ReportSaved(Result<String, String>),
}

/// Open cases read for the open-cases screen.
pub const OPEN_LIMIT: usize = 2000;

/// Starts the worker; each reply is handed to `deliver`, which returns false once nobody
/// listens any more.
pub fn spawn(
    desk: Desk,
    lang: Lang,
    jobs: Receiver<Job>,
    deliver: impl Fn(Reply) -> bool + Send + 'static,
) -> JoinHandle<Desk> {
    std::thread::spawn(move || {
        let mut desk = desk;
        for job in jobs {
            let reply = run(&mut desk, lang, job);
            if let Reply::Done(Err(e)) | Reply::SignedIn(Err(e)) = &reply
                && !e.is_empty()
            {
                crate::log::write(
                    desk.path(),
                    desk.clock(),
                    &format!("tui {}: refused: {e}", desk.clerk().unwrap_or("-")),
                );
            }
            if !deliver(reply) {
                break;
            }
        }
        desk
    })
}

fn msg(e: DeskError, lang: Lang) -> String {
    e.localized(lang)
}

/// Runs one job against the desk. Public so tests can run the interface synchronously.
pub fn run(desk: &mut Desk, lang: Lang, job: Job) -> Reply {
    let done = |r: Result<Ticket, DeskError>| Reply::Done(r.map_err(|e| msg(e, lang)));
    let id = |n: u64| n.to_string();
    match job {
        Job::Refresh { open_cases } => Reply::Snapshot(
            (|| {
                let today = desk.list_day(desk.clock().today(), None)?;
                let open = if open_cases { Some(desk.open_cases(OPEN_LIMIT)?) } else { None };
                Ok(Snapshot { today, open })
            })()
            .map_err(|e| msg(e, lang)),
        ),
        Job::Take(req) => done(desk.take(&req).map(|(t, _)| t)),
        Job::Call { window, categories } => done(desk.call(&window, &categories)),
        Job::WalkIn { take, window, accept } => done((|| {
            let (t, _) = desk.take(&take)?;
            desk.call_ticket(&id(t.id), &window)?;
            desk.accept(&id(t.id), &accept).map(|(t, _)| t)
        })()),
        Job::WalkInNotice { take, window, missing } => done((|| {
            let (t, _) = desk.take(&take)?;
            desk.call_ticket(&id(t.id), &window)?;
            desk.notice(&id(t.id), &missing)
        })()),
        Job::Recall(n) => done(desk.recall(&id(n))),
        Job::NoShow(n) => done(desk.noshow(&id(n))),
        Job::Requeue(n) => done(desk.requeue(&id(n))),
        Job::Accept(n, req) => done(desk.accept(&id(n), &req).map(|(t, _)| t)),
        Job::Notice(n, missing) => done(desk.notice(&id(n), &missing)),
        Job::Suspend(n, reason, missing) => done(desk.suspend(&id(n), reason, &missing, None)),
        Job::Resume(n) => done(desk.resume(&id(n))),
        Job::Transfer(n, to) => done(desk.transfer(&id(n), &to, None)),
        Job::Complete(n) => done(desk.complete(&id(n), None)),
        Job::Reject(n, r) => done(desk.reject(&id(n), &r)),
        Job::Withdraw(n, r) => done(desk.withdraw(&id(n), &r)),
        Job::Terminate(n) => done(desk.terminate(&id(n), None)),
        Job::Rate(n, s) => done(desk.rate(&id(n), s, None)),
        Job::Show(n) => Reply::Detail(desk.show(&id(n)).map_err(|e| msg(e, lang))),
        Job::Search(q) => Reply::Search(desk.search(&q, 100).map_err(|e| msg(e, lang))),
        Job::Daily(d) => Reply::Daily(Box::new(crate::report::daily(desk, d, lang).map_err(|e| msg(e, lang)))),
        Job::SaveReport(d) => Reply::ReportSaved((|| {
            let r = crate::report::daily(desk, d, lang).map_err(|e| msg(e, lang))?;
            let sections = crate::report::render::daily_sections(&r, lang);
            let text = crate::report::render::text(
                lang.pick("便民服务日报", "Daily summary"),
                &r.date,
                &r.header,
                &sections,
                lang,
            );
            let dir = desk.path().parent().map(|p| p.join("reports")).unwrap_or_else(|| "reports".into());
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            let path = dir.join(format!("daily-{d}.txt"));
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(path.display().to_string())
        })()),
        Job::SignIn { name, pin } => Reply::SignedIn(desk.sign_in(&name, &pin).map(|_| name).map_err(|e| msg(e, lang))),
        Job::SignOut => {
            desk.sign_out();
            Reply::SignedIn(Err(String::new()))
        }
        Job::Slip(n) => Reply::Slip((|| {
            let (t, _) = desk.show(&id(n)).map_err(|e| msg(e, lang))?;
            let (text, kind) = crate::slip::for_ticket(desk, &t, lang);
            crate::slip::save(desk, &t, kind, &text).map(|p| p.display().to_string()).map_err(|e| e.to_string())
        })()),
    }
}
