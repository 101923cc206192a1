//! The one client type the command line and the interface work through: a hall's desk, either
//! the database file on this PC (`Desk`) or a hall server over the network (`Remote`, with
//! `--server URL`). Both answer the same questions with the same errors, so every command and
//! screen behaves the same either way.

pub mod remote;

use std::path::{Path, PathBuf};

use time::Date;

pub use remote::Remote;

use yimen_app::Verdict;
use yimen_app::report::export::Row;
use yimen_app::report::{DailyReport, RangeReport};
use yimen_app::{Act, Desk, DeskError, HallContext, Hint, TakeRequest};
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

impl Client for Desk {
    fn has_accounts(&self) -> bool {
        Desk::has_accounts(self)
    }
    fn home(&self) -> PathBuf {
        self.path().parent().map(Path::to_path_buf).unwrap_or_default()
    }
    fn describe(&self) -> String {
        self.path().display().to_string()
    }
    fn sign_in(&mut self, name: &str, secret: &str) -> Result<Role, DeskError> {
        Desk::sign_in(self, name, secret)
    }
    fn sign_out(&mut self) {
        Desk::sign_out(self)
    }
    fn set_clerk(&mut self, clerk: Option<&str>) -> Result<(), DeskError> {
        Desk::set_clerk(self, clerk)
    }
    fn roster(&mut self) -> Result<Vec<(String, Role)>, DeskError> {
        Desk::roster(self)
    }
    fn take(&mut self, req: &TakeRequest) -> Result<(Ticket, Vec<Hint>), DeskError> {
        Desk::take(self, req)
    }
    fn call(&mut self, window: &str, categories: &[String]) -> Result<Ticket, DeskError> {
        Desk::call(self, window, categories)
    }
    fn perform(&mut self, r: &str, act: &Act) -> Result<(Ticket, Vec<Hint>), DeskError> {
        Desk::perform(self, r, act)
    }
    fn show(&mut self, r: &str) -> Result<(Ticket, Vec<Event>), DeskError> {
        Desk::show(self, r)
    }
    fn reveal(&mut self, r: &str) -> Result<(Ticket, Vec<Event>), DeskError> {
        Desk::reveal(self, r)
    }
    fn check(&mut self) -> Result<yimen_app::CheckReport, DeskError> {
        Desk::check(self)
    }
    fn role(&self) -> Option<yimen_domain::account::Role> {
        Desk::role(self)
    }
    fn list_day(&mut self, date: Date, status: Option<Status>) -> Result<Vec<Ticket>, DeskError> {
        Desk::list_day(self, date, status)
    }
    fn queue(&mut self) -> Result<Vec<Ticket>, DeskError> {
        Desk::queue(self)
    }
    fn board(&mut self) -> Result<Board, DeskError> {
        Desk::board(self)
    }
    fn open_cases(&mut self, limit: usize) -> Result<Vec<Ticket>, DeskError> {
        Desk::open_cases(self, limit)
    }
    fn search(&mut self, query: &str, limit: usize) -> Result<Vec<Ticket>, DeskError> {
        Desk::search(self, query, limit)
    }
    fn daily_report(&mut self, date: Date, lang: Lang) -> Result<DailyReport, DeskError> {
        yimen_app::report::daily(self, date, lang)
    }
    fn range_report(&mut self, from: Date, to: Date, lang: Lang) -> Result<RangeReport, DeskError> {
        yimen_app::report::range(self, from, to, lang)
    }
    fn export_rows(&mut self, from: Date, to: Date, full_ids: bool) -> Result<Vec<Row>, DeskError> {
        yimen_app::report::export::rows(self, from, to, full_ids)
    }
    fn users(&mut self) -> Result<Vec<User>, DeskError> {
        self.require_supervisor()?;
        Desk::users(self)
    }
    fn add_user(&mut self, name: &str, role: Role, secret: &str) -> Result<(), DeskError> {
        Desk::add_user(self, name, role, secret)
    }
    fn set_secret(&mut self, name: &str, secret: &str) -> Result<(), DeskError> {
        Desk::set_secret(self, name, secret)
    }
    fn disable_user(&mut self, name: &str) -> Result<(), DeskError> {
        Desk::disable_user(self, name)
    }
    fn unlock_user(&mut self, name: &str) -> Result<(), DeskError> {
        Desk::unlock_user(self, name)
    }
    fn set_setting(&mut self, key: &str, value: &str) -> Result<(), DeskError> {
        Desk::set_setting(self, key, value).map(|_| ())
    }
    fn import_catalog(&mut self, src: &str) -> Result<(), DeskError> {
        Desk::import_catalog(self, src).map(|_| ())
    }
    fn refresh_configuration(&mut self) -> Result<bool, DeskError> {
        let changed = self.configuration_changed()?;
        if changed {
            self.reload_configuration()?;
        }
        Ok(changed)
    }
    fn backup_with_progress(
        &mut self,
        dest: Option<&Path>,
        progress: &dyn Fn(u64, u64),
    ) -> Result<(PathBuf, u64), DeskError> {
        Desk::backup_with_progress(self, dest, progress)
    }
    fn verify_chain(&mut self) -> Result<Verdict, DeskError> {
        Desk::verify_chain(self)
    }
    fn compact(&mut self) -> Result<(u64, u64), DeskError> {
        Desk::compact(self)
    }
    fn daily_backup(&mut self) -> Result<Option<PathBuf>, DeskError> {
        Desk::daily_backup(self)
    }
}
