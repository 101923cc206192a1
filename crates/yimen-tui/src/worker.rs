//! The worker thread: it owns the desk (and so the database) and runs every read and write
//! the interface asks for, so a slow disk never freezes typing. Requests go in over one
//! channel and replies come back over another.

use std::sync::mpsc::Receiver;
use std::thread::JoinHandle;

use yimen_api::Client;
use yimen_app::{AcceptRequest, Act, DeskError, TakeRequest};
use yimen_domain::Lang;
use yimen_domain::lang::Localized;
use yimen_domain::ticket::{Event, Ticket};

#[derive(Debug, Clone, PartialEq)]
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
    /// A walk-in whose visit ends with a one-time notice: take, call to this window, notice.
    WalkInNotice {
        take: TakeRequest,
        window: String,
        missing: Vec<String>,
    },
    /// A step on a ticket: the one vocabulary of actions (`yimen_app::Act`), as the command line
    /// and the hall server send it.
    Act(u64, Act),
    Show(u64),
    /// The case with whole ID numbers and phones (recorded in the audit chain).
    Reveal(u64),
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
    /// The hall's name, catalog and holiday calendar, when another program changed them since
    /// the last look.
    pub changed: Option<(String, yimen_domain::catalog::Catalog, yimen_domain::calendar::Calendar)>,
}

/// A paper saved (as text, for the record, and as PDF) and, where a printer is set, sent to it.
#[derive(Debug)]
pub struct Paper {
    /// The text rendering's file.
    pub path: String,
    /// The PDF's file.
    pub pdf: String,
    /// `None`: no printer set. Else the line saying where it went, or the one line saying why
    /// it did not print (the files are kept either way).
    pub printed: Option<Result<String, String>>,
    /// How many papers were saved (a deferred acceptance: the receipt and the 容缺受理通知书).
    pub count: usize,
}

/// Saves a paper as text at `text_path` and as PDF beside it, and sends the PDF to the
/// hall's printer (the roll printer for a roll) when one is set.
fn keep_and_print(
    desk: &dyn Client,
    doc: &yimen_present::paper::Doc,
    text: &str,
    text_path: std::path::PathBuf,
    lang: Lang,
) -> Result<Paper, String> {
    let write = |path: &std::path::Path, bytes: &[u8]| -> Result<(), String> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
    };
    write(&text_path, text.as_bytes())?;
    let pdf_path = text_path.with_extension("pdf");
    write(&pdf_path, &yimen_present::pdf::pdf(doc)?)?;
    let printed = yimen_present::print::printer_for(desk.settings(), doc.paper.is_roll()).map(|p| {
        yimen_present::print::print(&pdf_path, &p.name, &doc.title)
            .map(|job| yimen_present::print::sent_line(&p, &job, lang))
            .map_err(|e| e.text(lang))
    });
    Ok(Paper { path: text_path.display().to_string(), pdf: pdf_path.display().to_string(), printed, count: 1 })
}

#[derive(Debug)]
pub enum Reply {
    /// A fresh view of today and the open cases, or why it could not be read.
    Snapshot(Result<Snapshot, String>),
    /// An action finished: the ticket as it is now, or why not (in the user's language).
    Done(Result<Ticket, String>),
    Detail(Result<(Ticket, Vec<Event>), String>),
    /// The case with its numbers whole, after a reveal (on the audit chain).
    Revealed(Result<(Ticket, Vec<Event>), String>),
    Search(Result<Vec<Ticket>, String>),
    Slip(Result<Paper, String>),
    Daily(Box<Result<yimen_app::report::DailyReport, String>>),
    SignedIn(Result<String, String>),
    ReportSaved(Result<Paper, String>),
    /// The hall server stopped answering (false) or answers again (true).
    Connection(bool),
    /// The server ended the clerk's sign-in (it expired): sign in again.
    SignInEnded,
}

impl Job {
    /// Whether the job writes (and so may need to be sent again without acting twice).
    fn writes(&self) -> bool {
        !matches!(
            self,
            Job::Refresh { .. }
                | Job::Show(_)
                | Job::Search(_)
                | Job::SignIn { .. }
                | Job::SignOut
                | Job::Daily(_)
                | Job::SaveReport(_)
                | Job::Slip(_)
        )
    }
}

/// Open cases read for the open-cases screen.
pub use yimen_app::OPEN_LIMIT;

/// Starts the worker; each reply is handed to `deliver`, which returns false once nobody
/// listens any more.
pub fn spawn(
    desk: Box<dyn Client>,
    lang: Lang,
    jobs: Receiver<Job>,
    deliver: impl Fn(Reply) -> bool + Send + 'static,
) -> JoinHandle<Box<dyn Client>> {
    std::thread::spawn(move || {
        let mut desk = desk;
        // The last write the server did not answer, with its key: sent again, it keeps the key.
        let mut unanswered: Option<(Job, String)> = None;
        let mut online = true;
        for job in jobs {
            let key = job.writes().then(|| match &unanswered {
                Some((j, k)) if *j == job => k.clone(),
                _ => request_key(),
            });
            desk.set_request_key(key.clone());
            let sent = key.map(|k| (job.clone(), k));
            let was_signed_in = desk.clerk().is_some() && job != Job::SignOut;
            let (reply, offline) = run_checked(desk.as_mut(), lang, job);
            if was_signed_in && desk.clerk().is_none() && !deliver(Reply::SignInEnded) {
                break;
            }
            desk.set_request_key(None);
            unanswered = if offline { sent } else { None };
            if online == offline {
                online = !offline;
                if !deliver(Reply::Connection(online)) {
                    break;
                }
            }
            if let Reply::Done(Err(e)) | Reply::SignedIn(Err(e)) = &reply
                && !e.is_empty()
            {
                tracing::warn!(clerk = desk.clerk().unwrap_or("-"), "tui: refused: {e}");
            }
            if !deliver(reply) {
                break;
            }
        }
        desk
    })
}

/// A fresh name for a clerk's request.
fn request_key() -> String {
    // Without the OS's randomness, the time still tells requests apart.
    yimen_domain::token::random_hex::<12>().unwrap_or_else(|_| {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        yimen_domain::token::hex(&t.as_nanos().to_le_bytes()[..12])
    })
}

/// Runs one job against the desk. Public so tests can run the interface synchronously.
pub fn run(desk: &mut dyn Client, lang: Lang, job: Job) -> Reply {
    run_checked(desk, lang, job).0
}

/// Runs one job; also says whether it failed because the hall server could not be reached.
fn run_checked(desk: &mut dyn Client, lang: Lang, job: Job) -> (Reply, bool) {
    let offline = std::cell::Cell::new(false);
    let msg = |e: DeskError, lang: Lang| {
        offline.set(offline.get() || e.is_unreachable());
        e.localized(lang)
    };
    let reply = run_job(desk, lang, job, &msg);
    (reply, offline.get())
}

fn run_job(desk: &mut dyn Client, lang: Lang, job: Job, msg: &dyn Fn(DeskError, Lang) -> String) -> Reply {
    let done = |r: Result<Ticket, DeskError>| Reply::Done(r.map_err(|e| msg(e, lang)));
    let id = |n: u64| n.to_string();
    let mut act = |n: u64, a: Act| desk.perform(&id(n), &a).map(|(t, _)| t);
    match job {
        Job::Refresh { open_cases } => Reply::Snapshot(
            (|| {
                // Another program on the file (the CLI, a server on this PC) may have changed the
                // catalog, the settings or the accounts.
                let changed = desk
                    .refresh_configuration()?
                    .then(|| (desk.settings().hall.clone(), desk.catalog().clone(), desk.calendar().clone()));
                let today = desk.today()?;
                let open = if open_cases { Some(desk.open_cases(OPEN_LIMIT)?) } else { None };
                Ok(Snapshot { today, open, changed })
            })()
            .map_err(|e| msg(e, lang)),
        ),
        Job::Take(req) => done(desk.take(&req).map(|(t, _)| t)),
        Job::Call { window, categories } => done(desk.call(&window, &categories)),
        Job::WalkIn { take, window, accept } => done((|| {
            let (t, _) = desk.take(&take)?;
            desk.perform(&id(t.id), &Act::Call { window })?;
            desk.perform(&id(t.id), &Act::Accept(accept)).map(|(t, _)| t)
        })()),
        Job::WalkInNotice { take, window, missing } => done((|| {
            let (t, _) = desk.take(&take)?;
            desk.perform(&id(t.id), &Act::Call { window })?;
            desk.perform(&id(t.id), &Act::Notice { missing }).map(|(t, _)| t)
        })()),
        Job::Act(n, a) => done(act(n, a)),
        Job::Show(n) => Reply::Detail(desk.show(&id(n)).map_err(|e| msg(e, lang))),
        Job::Reveal(n) => Reply::Revealed(desk.reveal(&id(n)).map_err(|e| msg(e, lang))),
        Job::Search(q) => Reply::Search(desk.search(&q, 100).map_err(|e| msg(e, lang))),
        Job::Daily(d) => Reply::Daily(Box::new(desk.daily_report(d, lang).map_err(|e| msg(e, lang)))),
        Job::SaveReport(d) => Reply::ReportSaved((|| {
            let r = desk.daily_report(d, lang).map_err(|e| msg(e, lang))?;
            let sections = yimen_present::render::daily_sections(&r, lang);
            let doc = yimen_present::render::report_doc(
                lang.pick("便民服务日报", "Daily summary"),
                &r.date,
                &r.header,
                &sections,
                lang,
            );
            let text = yimen_present::paper::text(&doc, yimen_present::render::PAGE);
            // Named with the moment of printing too: a signed paper always has its own file.
            let stamp = desk.clock().show(desk.clock().now(), yimen_domain::clock::Shown::FileStamp);
            let path = yimen_present::beside_database(desk, "reports", &format!("daily-{d}-printed-{stamp}.txt"));
            keep_and_print(desk, &doc, &text, path, lang)
        })()),
        Job::SignIn { name, pin } => Reply::SignedIn(desk.sign_in(&name, &pin).map(|_| name).map_err(|e| msg(e, lang))),
        Job::SignOut => {
            desk.sign_out();
            Reply::SignedIn(Err(String::new()))
        }
        Job::Slip(n) => Reply::Slip((|| {
            let (t, _) = desk.show(&id(n)).map_err(|e| msg(e, lang))?;
            use yimen_present::slip::{self, Kind};
            // Every paper the ticket calls for (a deferred acceptance: the receipt and the
            // 容缺受理通知书); the reply names the first, and any printer trouble.
            let ahead = if slip::papers_for(&t).contains(&Kind::QueueTicket) {
                desk.queue().map_err(|e| msg(e, lang))?.iter().position(|q| q.id == t.id)
            } else {
                None
            };
            let mut first: Option<Paper> = None;
            for kind in slip::papers_for(&t) {
                let doc = slip::of_kind(desk, &t, kind, ahead, kind.default_paper(), lang).map_err(|e| msg(e, lang))?;
                let text = slip::text(&doc);
                let paper = keep_and_print(desk, &doc, &text, slip::slip_path(desk, &t, kind, "txt"), lang)?;
                match &mut first {
                    None => first = Some(paper),
                    // A later paper's printer trouble is not hidden behind the first's success.
                    Some(f) if matches!(paper.printed, Some(Err(_))) => {
                        f.count += 1;
                        f.printed = paper.printed;
                    }
                    Some(f) => f.count += 1,
                }
            }
            first.ok_or_else(|| msg(DeskError::NoSlip(t.number.to_string()), lang))
        })()),
    }
}
