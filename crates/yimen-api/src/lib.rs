//! The one client type the command line and the interface work through: a hall's desk, either
//! the database file on this PC (`Local`) or a hall server over the network (`Remote`, with
//! `--server URL`). Both answer the same questions with the same errors, so every command and
//! screen behaves the same either way.

pub mod remote;

use std::path::{Path, PathBuf};

use time::Date;

pub use remote::Remote;

use yimen_app::Verdict;
use yimen_app::report::export::Row;
use yimen_app::report::{DailyReport, RangeReport};
use yimen_app::{Act, Acting, Actor, Desk, DeskError, HallContext, Hint, TakeRequest};
use yimen_domain::Lang;
use yimen_domain::account::{Role, User};
use yimen_domain::board::Board;
use yimen_domain::ticket::{Event, Status, Ticket};

/// Everything a window does with the hall's records.
pub trait Client: HallContext + Send {
    /// Whether clerks sign in with PINs (otherwise: setup mode).
    fn has_accounts(&self) -> bool;
    /// Where this PC keeps what it writes for itself: slips, saved reports, the log.
    fn home(&self) -> PathBuf;
    /// What the log names as the database: the file, or the server's address.
    fn describe(&self) -> String;

    fn sign_in(&mut self, name: &str, secret: &str) -> Result<Role, DeskError>;
    fn sign_out(&mut self);
    /// Names the clerk without a PIN (setup mode only).
    fn set_clerk(&mut self, clerk: Option<&str>) -> Result<(), DeskError>;
    /// The active accounts' names and roles, for the sign-in screen.
    fn roster(&mut self) -> Result<Vec<(String, Role)>, DeskError>;

    fn take(&mut self, req: &TakeRequest) -> Result<(Ticket, Vec<Hint>), DeskError>;
    /// Calls the next waiting ticket of `categories` (all when empty) to `window`.
    fn call(&mut self, window: &str, categories: &[String]) -> Result<Ticket, DeskError>;
    fn perform(&mut self, r: &str, act: &Act) -> Result<(Ticket, Vec<Hint>), DeskError>;

    fn show(&mut self, r: &str) -> Result<(Ticket, Vec<Event>), DeskError>;
    /// One ticket with ID numbers and phones whole; audited (see `Desk::reveal`).
    fn reveal(&mut self, r: &str) -> Result<(Ticket, Vec<Event>), DeskError>;
    /// `yimen check` (supervisor).
    fn check(&mut self) -> Result<yimen_app::CheckReport, DeskError>;
    /// The signed-in account's role.
    fn role(&self) -> Option<yimen_domain::account::Role>;
    fn list_day(&mut self, date: Date, status: Option<Status>) -> Result<Vec<Ticket>, DeskError>;
    /// Today's tickets, for screens that refresh every second; a remote client asks only
    /// whether anything changed and reuses what it has when nothing did.
    fn today(&mut self) -> Result<Vec<Ticket>, DeskError> {
        let today = self.clock().today();
        self.list_day(today, None)
    }
    /// Waiting tickets in call order.
    fn queue(&mut self) -> Result<Vec<Ticket>, DeskError>;
    /// Today's display board: calls and waiting counts, no names; needs no sign-in.
    fn board(&mut self) -> Result<Board, DeskError>;
    fn open_cases(&mut self, limit: usize) -> Result<Vec<Ticket>, DeskError>;
    fn search(&mut self, query: &str, limit: usize) -> Result<Vec<Ticket>, DeskError>;

    fn daily_report(&mut self, date: Date, lang: Lang) -> Result<DailyReport, DeskError>;
    fn range_report(&mut self, from: Date, to: Date, lang: Lang) -> Result<RangeReport, DeskError>;
    fn export_rows(&mut self, from: Date, to: Date, full_ids: bool) -> Result<Vec<Row>, DeskError>;

    fn users(&mut self) -> Result<Vec<User>, DeskError>;
    fn add_user(&mut self, name: &str, role: Role, secret: &str) -> Result<(), DeskError>;
    fn set_secret(&mut self, name: &str, secret: &str) -> Result<(), DeskError>;
    fn disable_user(&mut self, name: &str) -> Result<(), DeskError>;
    fn unlock_user(&mut self, name: &str) -> Result<(), DeskError>;

    fn set_setting(&mut self, key: &str, value: &str) -> Result<(), DeskError>;
    fn import_catalog(&mut self, src: &str) -> Result<(), DeskError>;
    /// Imports the holiday years of a holidays file (admin); returns the years.
    fn import_calendar(&mut self, src: &str) -> Result<Vec<i32>, DeskError>;
    /// A checked copy of the database; a server keeps it on the server.
    fn backup(&mut self, dest: Option<&Path>) -> Result<(PathBuf, u64), DeskError> {
        self.backup_with_progress(dest, &|_, _| {})
    }
    /// [`Client::backup`], telling `progress` how far the copy is (`(done, total)` rows; a
    /// server does not tell, so nothing is heard until it is done).
    fn backup_with_progress(
        &mut self,
        dest: Option<&Path>,
        progress: &dyn Fn(u64, u64),
    ) -> Result<(PathBuf, u64), DeskError>;
    fn verify_chain(&mut self) -> Result<Verdict, DeskError>;
    /// Gives rewritten pages' space back (admin): the file's size before and after.
    fn compact(&mut self) -> Result<(u64, u64), DeskError>;

    /// Names the writes that follow as one request of the clerk's, which may be sent again:
    /// through a server, its steps carry keys derived from `key`, so the same request sent
    /// again after a lost answer does nothing twice. `None` ends it.
    fn set_request_key(&mut self, _key: Option<String>) {}

    /// Reads the hall's catalog, settings and accounts again when another program changed them
    /// (a local file shared with the CLI or a server on the same PC; a server does this itself).
    ///
    /// # Errors
    /// The store's. Returns whether anything changed.
    fn refresh_configuration(&mut self) -> Result<bool, DeskError> {
        Ok(false)
    }

    /// A way to hear at once when another window changes something (through a server).
    fn watch(&self) -> Option<remote::Watch> {
        None
    }

    /// The first interface of the day takes a checked backup (a server takes its own).
    fn daily_backup(&mut self) -> Result<Option<PathBuf>, DeskError> {
        Ok(None)
    }
}

/// The database file on this PC as a client: the desk, and who is signed in at this window.
/// The desk holds no one's sign-in; this window's clerk is kept here and handed to the desk
/// with every call (`Desk::acting`).
pub struct Local {
    pub desk: Desk,
    pub actor: Actor,
}

impl Local {
    /// The file's desk with no one signed in yet.
    pub fn new(desk: Desk) -> Local {
        Local { desk, actor: Actor::default() }
    }

    /// The desk acting for this window's clerk.
    pub fn acting(&self) -> Acting<'_> {
        self.desk.acting(&self.actor)
    }

    /// Reads the configuration again after this window changed it.
    fn reload(&mut self) -> Result<(), DeskError> {
        self.desk.reload_configuration()
    }
}

impl std::ops::Deref for Local {
    type Target = Desk;
    fn deref(&self) -> &Desk {
        &self.desk
    }
}

impl std::ops::DerefMut for Local {
    fn deref_mut(&mut self) -> &mut Desk {
        &mut self.desk
    }
}

impl HallContext for Local {
    fn clock(&self) -> &yimen_domain::clock::Clock {
        self.desk.clock()
    }
    fn calendar(&self) -> &yimen_domain::calendar::Calendar {
        self.desk.calendar()
    }
    fn catalog(&self) -> &yimen_domain::catalog::Catalog {
        self.desk.catalog()
    }
    fn settings(&self) -> &yimen_app::Settings {
        self.desk.settings()
    }
    fn clerk(&self) -> Option<&str> {
        self.actor.clerk.as_deref()
    }
}

impl Client for Local {
    fn has_accounts(&self) -> bool {
        self.desk.has_accounts()
    }
    fn home(&self) -> PathBuf {
        self.desk.path().parent().map(Path::to_path_buf).unwrap_or_default()
    }
    fn describe(&self) -> String {
        self.desk.path().display().to_string()
    }
    fn sign_in(&mut self, name: &str, secret: &str) -> Result<Role, DeskError> {
        let who = self.desk.sign_in(name, secret)?;
        let role = who.role.ok_or(yimen_domain::account::AccountError::BadCredentials)?;
        self.actor = who;
        Ok(role)
    }
    fn sign_out(&mut self) {
        // In setup mode the named clerk stays: there is no sign-in to end.
        if self.desk.has_accounts() {
            self.actor = Actor::default();
        }
    }
    fn set_clerk(&mut self, clerk: Option<&str>) -> Result<(), DeskError> {
        self.actor = self.desk.setup_actor(clerk)?;
        Ok(())
    }
    fn roster(&mut self) -> Result<Vec<(String, Role)>, DeskError> {
        self.desk.roster()
    }
    fn take(&mut self, req: &TakeRequest) -> Result<(Ticket, Vec<Hint>), DeskError> {
        self.acting().take(req)
    }
    fn call(&mut self, window: &str, categories: &[String]) -> Result<Ticket, DeskError> {
        self.acting().call(window, categories)
    }
    fn perform(&mut self, r: &str, act: &Act) -> Result<(Ticket, Vec<Hint>), DeskError> {
        self.acting().perform(r, act)
    }
    fn show(&mut self, r: &str) -> Result<(Ticket, Vec<Event>), DeskError> {
        self.acting().show(r)
    }
    fn reveal(&mut self, r: &str) -> Result<(Ticket, Vec<Event>), DeskError> {
        self.acting().reveal(r)
    }
    fn check(&mut self) -> Result<yimen_app::CheckReport, DeskError> {
        self.acting().check()
    }
    fn role(&self) -> Option<yimen_domain::account::Role> {
        self.acting().role()
    }
    fn list_day(&mut self, date: Date, status: Option<Status>) -> Result<Vec<Ticket>, DeskError> {
        self.acting().list_day(date, status)
    }
    fn queue(&mut self) -> Result<Vec<Ticket>, DeskError> {
        self.acting().queue()
    }
    fn board(&mut self) -> Result<Board, DeskError> {
        self.desk.board()
    }
    fn open_cases(&mut self, limit: usize) -> Result<Vec<Ticket>, DeskError> {
        self.acting().open_cases(limit)
    }
    fn search(&mut self, query: &str, limit: usize) -> Result<Vec<Ticket>, DeskError> {
        self.acting().search(query, limit)
    }
    fn daily_report(&mut self, date: Date, lang: Lang) -> Result<DailyReport, DeskError> {
        yimen_app::report::daily(&self.acting(), date, lang)
    }
    fn range_report(&mut self, from: Date, to: Date, lang: Lang) -> Result<RangeReport, DeskError> {
        yimen_app::report::range(&self.acting(), from, to, lang)
    }
    fn export_rows(&mut self, from: Date, to: Date, full_ids: bool) -> Result<Vec<Row>, DeskError> {
        yimen_app::report::export::rows(&self.acting(), from, to, full_ids)
    }
    fn users(&mut self) -> Result<Vec<User>, DeskError> {
        self.acting().require_supervisor()?;
        self.desk.users()
    }
    fn add_user(&mut self, name: &str, role: Role, secret: &str) -> Result<(), DeskError> {
        self.acting().add_user(name, role, secret)?;
        self.reload()
    }
    fn set_secret(&mut self, name: &str, secret: &str) -> Result<(), DeskError> {
        self.acting().set_secret(name, secret)
    }
    fn disable_user(&mut self, name: &str) -> Result<(), DeskError> {
        self.acting().disable_user(name)
    }
    fn unlock_user(&mut self, name: &str) -> Result<(), DeskError> {
        self.acting().unlock_user(name)
    }
    fn set_setting(&mut self, key: &str, value: &str) -> Result<(), DeskError> {
        self.acting().set_setting(key, value)?;
        self.reload()
    }
    fn import_catalog(&mut self, src: &str) -> Result<(), DeskError> {
        self.acting().import_catalog(src)?;
        self.reload()
    }
    fn import_calendar(&mut self, src: &str) -> Result<Vec<i32>, DeskError> {
        let years = self.acting().import_calendar(src)?;
        self.reload()?;
        Ok(years)
    }
    fn refresh_configuration(&mut self) -> Result<bool, DeskError> {
        let changed = self.desk.configuration_changed()?;
        if changed {
            self.reload()?;
            // The role a view masks by follows the account as it is now. A clerk named in
            // setup mode (no PIN) does not become the account of the same name once accounts
            // exist: they must sign in.
            if self.desk.has_accounts() {
                match (self.actor.clerk.clone(), self.actor.role) {
                    (Some(name), Some(_)) => {
                        self.actor.role =
                            self.desk.users()?.into_iter().find(|u| u.name == name && !u.disabled).map(|u| u.role);
                    }
                    _ => self.actor = Actor::default(),
                }
            }
        }
        Ok(changed)
    }
    fn backup_with_progress(
        &mut self,
        dest: Option<&Path>,
        progress: &dyn Fn(u64, u64),
    ) -> Result<(PathBuf, u64), DeskError> {
        self.acting().backup_with_progress(dest, progress)
    }
    fn verify_chain(&mut self) -> Result<Verdict, DeskError> {
        self.acting().verify_chain()
    }
    fn compact(&mut self) -> Result<(u64, u64), DeskError> {
        self.acting().compact()
    }
    fn daily_backup(&mut self) -> Result<Option<PathBuf>, DeskError> {
        self.desk.daily_backup()
    }
}
