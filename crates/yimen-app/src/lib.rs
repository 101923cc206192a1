//! The application layer: one method per user action. The CLI, the TUI and later the hall
//! server all call these; each checks its input, applies a domain transition and writes the
//! ticket, its event and its index entries in one durable transaction.

mod accounts;
pub mod act;
pub mod authority;
pub mod demo;
mod error;
pub mod input;
pub mod log;
pub mod public;
pub mod report;
mod settings;

use std::collections::BTreeMap;
use std::path::Path;

use time::Date;

pub use accounts::{SavedSession, verify_secret};
pub use act::Act;
pub use error::{DeskError, DeviceWhy, ErrorCode, SettingWhy};
pub use input::{CitizenInput, ProxyInput};
pub use settings::{Settings, hall_code, printer_name};

/// The meta key holding how far the hall's audit chain has been sent to the town (the next
/// chain position to send, decimal; absent or "0": never synced).
pub const TOWN_SYNCED: &str = "town_synced";
// What the floors above need of the store, so that none of them depends on it: errors the desk
// passes up, the audit chain's verdict, the panic guard and the server's note beside the file.
pub use yimen_store::chain::Verdict;
pub use yimen_store::guard::wrap_hook;
pub use yimen_store::{StoreError, server_note};

use yimen_domain::calendar::Calendar;
use yimen_domain::catalog::{BUILTIN_CATALOG, Catalog, ServiceItem};
use yimen_domain::clock::Clock;
use yimen_domain::queue::{Priority, QueueNumber};
use yimen_domain::text::Field;
use yimen_domain::ticket::{Command, Context, Event, Status, Ticket, TicketId};
use yimen_store::{Store, Tables, TicketLookup};

/// Who is acting when the action is not tied to a signed-in clerk (a citizen taking a number
/// at reception without a clerk named).
pub const RECEPTION: &str = "前台";

/// The front desk: the store, the clock, the calendar, the catalog and the settings. It holds
/// no one's sign-in: every action names who acts, as an [`Actor`] passed with the call
/// (`desk.acting(&who).take(…)`), so one desk serves many windows at once (`Desk` is `Sync`;
/// the hall server shares one across its requests).
pub struct Desk {
    /// Shared with the desk's forks (see `fork`).
    store: std::sync::Arc<Store>,
    clock: Clock,
    calendar: Calendar,
    catalog: Catalog,
    settings: Settings,
    /// Whether any account exists (otherwise: setup mode).
    accounts: bool,
    /// The configuration generation the catalog, settings and account flag were read at.
    config_gen: u64,
}

/// Who acts in one call: the signed-in (or, in setup mode, named) clerk with the role they
/// signed in with, and the request's idempotency key. A value the caller keeps and passes
/// with each call; the desk never holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    /// The clerk's name as stored (signed in, or named in setup mode); `None`: no one.
    pub clerk: Option<String>,
    /// The role at sign-in (when accounts exist). Checks that guard a change read the
    /// account as it is now (`Acting::require`); this one decides what a view masks.
    pub role: Option<yimen_domain::account::Role>,
    /// The idempotency key of the request being served (the hall server) and the fingerprint
    /// of that request (account, action, body): an action whose key was seen before with the
    /// same fingerprint returns the ticket it acted on then and does nothing again; with
    /// another fingerprint it is refused.
    pub request_key: Option<(String, String)>,
}

/// The desk acting for one [`Actor`]: every action and every view that depends on who asks.
/// Made by [`Desk::acting`] for one call (or a few); it derefs to the desk for the rest.
pub struct Acting<'a> {
    desk: &'a Desk,
    who: &'a Actor,
}

impl std::ops::Deref for Acting<'_> {
    type Target = Desk;
    fn deref(&self) -> &Desk {
        self.desk
    }
}

impl HallContext for Acting<'_> {
    fn clock(&self) -> &Clock {
        self.desk.clock()
    }
    fn calendar(&self) -> &Calendar {
        self.desk.calendar()
    }
    fn catalog(&self) -> &Catalog {
        self.desk.catalog()
    }
    fn settings(&self) -> &Settings {
        self.desk.settings()
    }
    fn clerk(&self) -> Option<&str> {
        self.who.clerk.as_deref()
    }
}

/// What every reader of a hall's records knows: its clock, calendar, catalog and settings, and
/// who is acting. The desk, a window working through the server and the benchmark's SQLite
/// baseline each have it; the reports' `Source` and the windows' `Client` build on it.
pub trait HallContext {
    fn clock(&self) -> &Clock;
    fn calendar(&self) -> &Calendar;
    fn catalog(&self) -> &Catalog;
    fn settings(&self) -> &Settings;
    /// The signed-in (or, in setup mode, named) clerk.
    fn clerk(&self) -> Option<&str>;
}

/// Open cases read for the open-cases screen and the server's `/api/open` default.
pub const OPEN_LIMIT: usize = 2000;

/// What `yimen check` found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CheckReport {
    /// redb's check of every page (false: it found and repaired damage to its allocator state).
    pub pages_intact: bool,
    /// The audit chain and the ticket records it anchors.
    pub verdict: yimen_store::chain::Verdict,
}

/// A hint shown beside a successful action; it never blocks.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "hint", rename_all = "snake_case")]
pub enum Hint {
    /// Priority was set because the applicant is 80 or older.
    ElderlyPriority { age: u32 },
    /// The item is meant for applicants of at least `min_age`.
    BelowMinAge { item: String, min_age: u32, age: u32 },
}

/// What `take` needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct TakeRequest {
    pub item: String,
    pub priority: Option<Priority>,
    pub citizen: CitizenInput,
    pub proxy: ProxyInput,
    pub note: Option<String>,
    /// Taken at a paired kiosk: a priority in it is the citizen's own claim, shown as 待核验
    /// until a clerk accepts the case. Never read from the wire.
    #[serde(skip)]
    pub at_kiosk: bool,
}

/// What `accept` needs beyond the ticket.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AcceptRequest {
    /// The item, when it is corrected at intake (a code of the catalog); `None` keeps the
    /// ticket's.
    pub item: Option<String>,
    pub citizen: CitizenInput,
    pub proxy: ProxyInput,
    /// Materials accepted as missing (容缺), by name.
    pub deferred: Vec<String>,
}

/// A way to name a ticket: its id, today's queue number, or a number on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketRef {
    Id(TicketId),
    Number(Option<Date>, QueueNumber),
}

impl TicketRef {
    /// `123`, `A012` (today) or `2026-11-29/A012` (also `20261129-A012`).
    pub fn parse(s: &str) -> Option<TicketRef> {
        let s = s.trim();
        if !s.is_empty() && s.len() <= 19 && s.chars().all(|c| c.is_ascii_digit()) {
            return s.parse().ok().filter(|&id| id > 0).map(TicketRef::Id);
        }
        if let Some(n) = QueueNumber::parse(s) {
            return Some(TicketRef::Number(None, n));
        }
        let (d, n) = s.split_once(['/', ' ']).or_else(|| s.rsplit_once('-'))?;
        let date = yimen_domain::calendar::parse_date(d).or_else(|| {
            let fmt = time::macros::format_description!("[year][month][day]");
            Date::parse(d.trim(), fmt).ok()
        })?;
        Some(TicketRef::Number(Some(date), QueueNumber::parse(n)?))
    }
}

impl Desk {
    /// Creates the database (or opens an existing one) and seeds the catalog and settings.
    /// Returns the desk and whether the file was new.
    pub fn init(path: &Path, hall: Option<&str>, clock_offset: Option<&str>) -> Result<(Desk, bool), DeskError> {
        let store = Store::open(path, true)?;
        let hall = hall.map(|h| input::short(Field::Hall, h)).transpose()?;
        let offset = clock_offset
            .map(|o| {
                yimen_domain::clock::parse_offset(o).ok_or_else(|| {
                    DeskError::Setting("utc_offset".into(), error::SettingWhy::NotAnOffset(o.to_string()))
                })
            })
            .transpose()?;
        let fresh = store.write(|tx| {
            let fresh = tx.catalog()?.is_none();
            if fresh {
                tx.set_catalog(&Catalog::builtin(), BUILTIN_CATALOG)?;
            }
            let mut s = Settings::load_w(tx)?;
            if let Some(h) = &hall {
                s.hall = h.clone();
            }
            if let Some(o) = offset {
                s.utc_offset = o;
            }
            if fresh || hall.is_some() || offset.is_some() {
                s.save(tx)?;
            }
            Ok::<bool, DeskError>(fresh)
        })?;
        Ok((Desk::from_store(store)?, fresh))
    }

    /// Opens an existing database, read-only until the first write (see
    /// `Store::open_read_only`): a command that only reads never changes the file.
    ///
    /// # Errors
    /// The store's: `Missing`, `Locked`, `Permission`, `NotOurs`, `Damaged`, `NewerSchema`.
    pub fn open(path: &Path) -> Result<Desk, DeskError> {
        Desk::from_store(Store::open_read_only(path)?)
    }

    fn from_store(store: Store) -> Result<Desk, DeskError> {
        let Configuration { catalog, settings, accounts, generation: config_gen, calendar: config_calendar } =
            store.read(Configuration::read).map_err(|e| match e {
                // The hall's own records do not read: the file is damaged, and the message names
                // the newest backup and how to put it back.
                DeskError::Store(StoreError::Corrupt(what)) => StoreError::damaged(store.path(), &what).into(),
                other => other,
            })?;
        let clock = Clock::from_env(settings.utc_offset).map_err(DeskError::Clock)?;
        Ok(Desk {
            store: std::sync::Arc::new(store),
            clock,
            calendar: config_calendar,
            catalog,
            settings,
            accounts,
            config_gen,
        })
    }

    /// Whether another program (or another request) changed the hall's catalog, settings or
    /// accounts since this desk read them.
    ///
    /// # Errors
    /// The store's.
    pub fn configuration_changed(&self) -> Result<bool, DeskError> {
        Ok(self.store.read(|rx| rx.configuration_generation())? != self.config_gen)
    }

    /// Reads the hall's catalog, settings and accounts flag again (after
    /// `configuration_changed`, or after this desk changed them).
    ///
    /// # Errors
    /// The store's; a clock override that no longer parses.
    pub fn reload_configuration(&mut self) -> Result<(), DeskError> {
        let Configuration { catalog, settings, accounts, generation: config_gen, calendar } =
            self.store.read(Configuration::read)?;
        self.calendar = calendar;
        let offset_changed = settings.utc_offset != self.settings.utc_offset;
        self.catalog = catalog;
        self.settings = settings;
        self.config_gen = config_gen;
        self.accounts = accounts;
        if offset_changed {
            self.clock = Clock::from_env(self.settings.utc_offset).map_err(DeskError::Clock)?;
        }
        Ok(())
    }

    /// A second desk on the same open file, with the same clock, calendar, catalog and
    /// settings (a window's worker keeps its own, and reloads it on its own).
    pub fn fork(&self) -> Desk {
        Desk {
            store: self.store.clone(),
            clock: self.clock,
            calendar: self.calendar.clone(),
            catalog: self.catalog.clone(),
            settings: self.settings.clone(),
            accounts: self.accounts,
            config_gen: self.config_gen,
        }
    }

    /// The imported holiday years as stored, year → the file they came from.
    ///
    /// # Errors
    /// The store's.
    pub fn imported_calendar(&self) -> Result<BTreeMap<i32, String>, DeskError> {
        Ok(imported_calendar_sources(self.store.read(|rx| rx.meta(CALENDAR_META))?.as_deref()))
    }

    /// The desk acting for `who` (see [`Actor`]).
    pub fn acting<'a>(&'a self, who: &'a Actor) -> Acting<'a> {
        Acting { desk: self, who }
    }

    /// Names the clerk whose actions follow, without a PIN: only in setup mode (no accounts);
    /// otherwise clerks `sign_in`.
    ///
    /// # Errors
    /// `NotSignedIn` once accounts exist; a name that does not pass the clerk-name check.
    pub fn setup_actor(&self, clerk: Option<&str>) -> Result<Actor, DeskError> {
        if self.accounts_now()? && clerk.is_some_and(|c| !c.trim().is_empty()) {
            return Err(yimen_domain::account::AccountError::NotSignedIn.into());
        }
        let clerk = clerk.filter(|c| !c.trim().is_empty()).map(|c| input::short(Field::Clerk, c)).transpose()?;
        Ok(Actor { clerk, ..Actor::default() })
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Replaces the clock (tests and the demo generator).
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn path(&self) -> &Path {
        self.store.path()
    }

    /// The store underneath, for whole-file work (the demo, the benchmark's import).
    pub fn store(&self) -> &Store {
        &self.store
    }

    fn context(&self, clerk: &str, window: Option<String>) -> Context<'_> {
        let at = self.clock.now();
        Context {
            at,
            today: self.clock.date_of(at),
            clerk: clerk.to_string(),
            window,
            calendar: &self.calendar,
            clock_override: self.clock.is_override(),
        }
    }

    fn item(&self, key: &str) -> Result<&ServiceItem, DeskError> {
        self.catalog.item(key).ok_or_else(|| DeskError::UnknownItem(key.trim().chars().take(40).collect()))
    }

    fn hints(&self, item: &ServiceItem, t: &Ticket, today: Date, at_take: bool) -> Vec<Hint> {
        let mut out = Vec::new();
        if let Some(age) = t.citizen.id_number.as_ref().and_then(|id| id.age_on(today)) {
            if at_take && age >= 80 && t.priority == Some(Priority::Elderly) {
                out.push(Hint::ElderlyPriority { age });
            }
            if let Some(min_age) = item.min_age.filter(|&m| age < m) {
                out.push(Hint::BelowMinAge { item: item.name.clone(), min_age, age });
            }
        }
        out
    }

    // ---- actions -------------------------------------------------------------------------

    /// Forgets the idempotency keys older than `days` days (the hall server, as it starts).
    pub fn prune_idempotency_keys(&self, days: u32) -> Result<u64, DeskError> {
        let before = self.clock.today() - time::Duration::days(i64::from(days));
        Ok(self.store.prune_idempotency(before)?)
    }

    // ---- queries -------------------------------------------------------------------------

    /// The automatic backup taken at the first start of each day: `backups/auto-<time>.redb`
    /// beside the database, keeping the newest `backup_keep`. Returns the new file, or `None`
    /// when today's backup exists already (or this is a demo database).
    pub fn daily_backup(&self) -> Result<Option<std::path::PathBuf>, DeskError> {
        let today = self.clock.today().to_string();
        let last = self.store.read(|rx| rx.meta("last_backup"))?.map(|b| String::from_utf8_lossy(&b).into_owned());
        if self.settings.demo || last.as_deref() == Some(today.as_str()) {
            return Ok(None);
        }
        let dir = self.path().parent().map(|p| p.join("backups")).unwrap_or_else(|| "backups".into());
        let path = dir.join(format!("auto-{}.redb", stamp(&self.clock)));
        self.store.backup_to(&path)?;
        self.store.write(|tx| tx.set_meta("last_backup", today.as_bytes()))?;
        let mut autos: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| DeskError::Io(format!("{}: {e}", dir.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("auto-")))
            .collect();
        autos.sort();
        let excess = autos.len().saturating_sub(self.settings.backup_keep as usize);
        for old in &autos[..excess] {
            let _ = std::fs::remove_file(old);
        }
        Ok(Some(path))
    }

    /// The audit chain's head hash and its number of events.
    pub fn chain_state(&self) -> Result<(String, u64), DeskError> {
        Ok(self.store.read(|rx| rx.chain_state())?)
    }

    /// A finished day's cached report totals (bytes owned by the report module).
    /// The cached totals of the days in `[from, to]` that have them (one read).
    pub fn cached_day_totals(&self, from: Date, to: Date) -> Result<Vec<(Date, Vec<u8>)>, DeskError> {
        let rows = self.store.read(|rx| rx.day_totals(from, to))?;
        Ok(rows.into_iter().filter_map(|(d, b)| Some((Date::from_julian_day(d).ok()?, b))).collect())
    }

    /// Caches finished days' report totals, in one transaction.
    pub fn cache_day_totals(&self, days: &[(Date, Vec<u8>)]) -> Result<(), DeskError> {
        self.store.write(|tx| {
            for (d, bytes) in days {
                tx.put_day_totals(*d, bytes)?;
            }
            Ok(())
        })
    }

    /// Today's display board (no names; anyone may read it).
    pub fn board(&self) -> Result<yimen_domain::board::Board, DeskError> {
        let today = self.store.read(|rx| rx.day(self.clock.today()))?;
        Ok(yimen_domain::board::Board::of(&today, &self.catalog))
    }

    /// How many tickets the file holds.
    ///
    /// # Errors
    /// The store's.
    pub fn ticket_count(&self) -> Result<u64, DeskError> {
        Ok(self.store.read(|rx| rx.ticket_count())?)
    }
}

impl<'a> Acting<'a> {
    /// Gives the space of rewritten pages back to the file system (admin). Returns the file's
    /// size when it was opened and after compacting.
    ///
    /// Compaction rewrites the whole file: run it with the hall closed (the CLI refuses while
    /// another program has the file open, see `Store::hold_alone`).
    pub fn compact(&self) -> Result<(u64, u64), DeskError> {
        self.require_admin()?;
        self.store.compact()?;
        let after = std::fs::metadata(self.store.path()).map(|m| m.len()).unwrap_or(0);
        Ok((self.store.size_at_rest(), after))
    }

    /// Supervisor actions; in setup mode anyone may.
    pub fn require_supervisor(&self) -> Result<(), DeskError> {
        if self.accounts_now()? { self.require(yimen_domain::account::Role::Supervisor) } else { Ok(()) }
    }

    /// Admin-only actions; in setup mode anyone may (there is no one to ask yet).
    fn require_admin(&self) -> Result<(), DeskError> {
        if self.accounts_now()? { self.require(yimen_domain::account::Role::Admin) } else { Ok(()) }
    }

    /// The clerk doing a front-desk action: signed in with at least the clerk role.
    fn acting_clerk(&self) -> Result<&str, DeskError> {
        self.require(yimen_domain::account::Role::Clerk)?;
        self.who.clerk.as_deref().ok_or(DeskError::NoClerk)
    }

    /// 取号: a citizen takes a number for an item.
    pub fn take(&self, req: &TakeRequest) -> Result<(Ticket, Vec<Hint>), DeskError> {
        let clerk =
            if self.accounts_now()? { self.acting_clerk()? } else { self.who.clerk.as_deref().unwrap_or(RECEPTION) };
        let ctx = self.context(clerk, None);
        let ticket = self.write_ticket(|tx| take_in(tx, &self.catalog, &ctx, req))?;
        let item = self.item(&ticket.item)?;
        let hints = self.hints(item, &ticket, ctx.today, true);
        Ok((self.as_seen(ticket), hints))
    }

    /// 叫号: the window calls the next waiting ticket of its categories (priority first, then
    /// the longest waiting).
    pub fn call(&self, window: &str, categories: &[String]) -> Result<Ticket, DeskError> {
        let window = input::short(Field::Window, window)?;
        let mut letters = Vec::new();
        for c in categories.iter().flat_map(|c| c.split([',', '，'])).filter(|c| !c.trim().is_empty()) {
            let cat = self.catalog.find_category(c).ok_or_else(|| DeskError::UnknownCategory(c.trim().to_string()))?;
            letters.push(cat.letter);
        }
        let ctx = self.context(self.acting_clerk()?, Some(window.clone()));
        self.write_ticket(|tx| call_in(tx, &ctx, &window, &letters)).map(|t| self.as_seen(t))
    }

    /// One write transaction of an action on a ticket, honouring the idempotency key: a key seen
    /// before with the same request gives back that ticket as it is now; with another request
    /// it is refused; a new one is recorded with the action.
    fn write_ticket(
        &self,
        f: impl FnOnce(&mut yimen_store::WriteTx<'_>) -> Result<Ticket, DeskError>,
    ) -> Result<Ticket, DeskError> {
        self.store.write(|tx| {
            if let Some((key, fingerprint)) = &self.who.request_key
                && let Some(seen) = tx.idempotent(key)?
            {
                if &seen.fingerprint != fingerprint {
                    return Err(DeskError::KeyReused);
                }
                return tx.ticket(seen.ticket)?.ok_or_else(|| DeskError::NotFound(seen.ticket.to_string()));
            }
            let t = f(tx)?;
            if let Some((key, fingerprint)) = &self.who.request_key {
                tx.set_idempotent(key, t.id, self.clock.today(), fingerprint)?;
            }
            Ok(t)
        })
    }

    /// An action on a ticket; the result as the acting clerk may see it.
    fn act<'c>(
        &'c self,
        r: &str,
        window: Option<String>,
        build: impl FnOnce(&Ticket) -> Result<Command<'c>, DeskError>,
    ) -> Result<Ticket, DeskError> {
        self.act_raw(r, window, build).map(|t| self.as_seen(t))
    }

    fn act_raw<'c>(
        &'c self,
        r: &str,
        window: Option<String>,
        build: impl FnOnce(&Ticket) -> Result<Command<'c>, DeskError>,
    ) -> Result<Ticket, DeskError> {
        let tref = TicketRef::parse(r).ok_or_else(|| DeskError::BadRef(r.chars().take(40).collect()))?;
        let clerk = self.acting_clerk()?;
        self.write_ticket(|tx| {
            let today = self.clock.today();
            let old = resolve_in(tx, tref, today)?.ok_or_else(|| DeskError::NotFound(r.trim().to_string()))?;
            let window = window.or_else(|| old.window.clone());
            let ctx = self.context(clerk, window);
            let cmd = build(&old)?;
            apply_in(tx, &old, cmd, &ctx)
        })
    }

    /// 受理 (or 容缺受理 when materials are deferred).
    fn accept(&self, r: &str, req: &AcceptRequest) -> Result<(Ticket, Vec<Hint>), DeskError> {
        let today = self.clock.today();
        let citizen = req.citizen.check(today)?;
        let proxy = req.proxy.check(today)?;
        let deferred: Vec<String> =
            req.deferred.iter().map(|m| input::short(Field::Material, m)).collect::<Result<_, _>>()?;
        let make_good_days = self.catalog.make_good_days;
        let t = self.act_raw(r, None, |old| {
            let item = match req.item.as_deref().map(str::trim).filter(|c| !c.is_empty() && *c != old.item) {
                Some(code) => self.item(code)?,
                None => self.catalog.item(&old.item).ok_or_else(|| DeskError::ItemGone(old.item.clone()))?,
            };
            Ok(Command::Accept { item, citizen, proxy, deferred, make_good_days })
        })?;
        let hints = match self.catalog.item(&t.item) {
            Some(item) => self.hints(item, &t, today, false),
            None => Vec::new(),
        };
        Ok((self.as_seen(t), hints))
    }

    /// Replaces the catalog with the TOML in `src` (admin) and returns it; tickets keep the
    /// item names they were taken with. The desk reads it at its next
    /// `reload_configuration` (as every other program on the file does).
    ///
    /// # Errors
    /// Not an admin; a catalog that does not read (`Catalog`); the store's.
    pub fn import_catalog(&self, src: &str) -> Result<Catalog, DeskError> {
        self.require_admin()?;
        let catalog = Catalog::from_toml(src).map_err(DeskError::Catalog)?;
        self.store.write(|tx| tx.set_catalog(&catalog, src))?;
        Ok(catalog)
    }

    /// Changes one setting (hall, utc_offset, follow_up_days, hall_phone; admin) and returns
    /// the settings as saved. The desk reads them at its next `reload_configuration`.
    ///
    /// # Errors
    /// Not an admin; an unknown key or a value out of range (`Setting`); the store's.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<Settings, DeskError> {
        self.require_admin()?;
        // Read, changed and saved in one transaction: another program's change a moment ago is
        // kept, not overwritten with what this desk read when it opened.
        self.store.write(|tx| {
            let mut s = Settings::load_w(tx)?;
            let before = s.utc_offset;
            let code_before = s.hall_code.clone();
            s.set(key, value)?;
            // A hall that has synced keeps its code: the town's records are keyed by it.
            if s.hall_code != code_before
                && let Some(code) = code_before
                && tx.meta(TOWN_SYNCED)?.is_some_and(|p| p != b"0")
            {
                return Err(DeskError::Setting(key.to_string(), SettingWhy::HallCodeSynced(code)));
            }
            s.save(tx)?;
            // Days are the hall's local days: new boundaries make every cached day stale.
            if s.utc_offset != before {
                tx.clear_day_totals()?;
            }
            Ok::<Settings, DeskError>(s)
        })
    }

    /// `yimen calendar import`: puts each year of a holidays file (data/holidays.toml's format,
    /// the State Council's notice for the year) in place of the built-in or estimated one, in
    /// one transaction, as an event on the audit chain (admin). Returns the years imported.
    ///
    /// # Errors
    /// Not an admin; a file that does not read or fails a check (`Calendar`, one line); the
    /// store's.
    pub fn import_calendar(&self, src: &str) -> Result<Vec<i32>, DeskError> {
        self.require_admin()?;
        let file = Calendar::from_toml(src).map_err(DeskError::Calendar)?;
        let years: Vec<i32> = file.official_years().iter().map(|y| y.year).collect();
        // In setup mode (no accounts) the import needs no named clerk, like the catalog's.
        let actor = self.who.clerk.clone().unwrap_or_else(|| RECEPTION.to_string());
        self.store.write(|tx| {
            let mut stored = imported_calendar_sources(tx.meta(CALENDAR_META)?.as_deref());
            for y in &years {
                stored.insert(*y, src.to_string());
            }
            let bytes = serde_json::to_vec(&stored).map_err(|e| DeskError::Io(e.to_string()))?;
            tx.set_meta(CALENDAR_META, &bytes)?;
            tx.bump_configuration()?;
            let list: Vec<String> = years.iter().map(i32::to_string).collect();
            // The file's digest goes on the chain with the years: what the hall counts with can
            // be checked against what was imported.
            let digest = {
                use sha2::Digest;
                yimen_domain::token::hex(&sha2::Sha256::digest(src.as_bytes()))
            };
            accounts::system_event(
                tx,
                &actor,
                yimen_domain::ticket::Action::CalendarImport,
                Some(format!("import {} sha256:{digest}", list.join(","))),
                &self.context(&actor, None),
            )
        })?;
        Ok(years)
    }

    /// Renames the hall or changes its UTC offset on an existing file (admin).
    ///
    /// # Errors
    /// Not an admin; a bad name or offset.
    pub fn update_identity(&self, hall: Option<&str>, clock_offset: Option<&str>) -> Result<(), DeskError> {
        self.require(yimen_domain::account::Role::Admin)?;
        // Both checked before either is saved: a bad offset does not leave the hall renamed.
        if let Some(o) = clock_offset
            && yimen_domain::clock::parse_offset(o).is_none()
        {
            return Err(DeskError::Setting("utc_offset".into(), error::SettingWhy::NotAnOffset(o.to_string())));
        }
        if let Some(h) = hall {
            self.set_setting("hall", h)?;
        }
        if let Some(o) = clock_offset {
            self.set_setting("utc_offset", o)?;
        }
        Ok(())
    }

    /// A ticket with its whole history, read from one snapshot.
    pub fn show(&self, r: &str) -> Result<(Ticket, Vec<Event>), DeskError> {
        let tref = TicketRef::parse(r).ok_or_else(|| DeskError::BadRef(r.chars().take(40).collect()))?;
        let today = self.clock.today();
        self.store.read(|rx| {
            let t =
                resolve_in(rx, tref, today)?.ok_or_else(|| DeskError::NotFound(r.trim().chars().take(40).collect()))?;
            let events = self.events_as_seen(rx.events(t.id)?);
            Ok((self.as_seen(t), events))
        })
    }

    /// One ticket with its ID numbers and phones in full, for the case in front of the clerk:
    /// one ticket at a time, and each reveal is an event in the audit chain (who, which
    /// ticket, when). Ratings stay withheld from clerks.
    ///
    /// # Errors
    /// `BadRef`, `NotFound`, not signed in.
    pub fn reveal(&self, r: &str) -> Result<(Ticket, Vec<Event>), DeskError> {
        let actor = self.acting_clerk()?.to_string();
        let tref = TicketRef::parse(r).ok_or_else(|| DeskError::BadRef(r.chars().take(40).collect()))?;
        let today = self.clock.today();
        let (mut t, events) = self.store.read(|rx| {
            let t =
                resolve_in(rx, tref, today)?.ok_or_else(|| DeskError::NotFound(r.trim().chars().take(40).collect()))?;
            let events = rx.events(t.id)?;
            Ok::<_, DeskError>((t, events))
        })?;
        self.record_reveal_by(&actor, format!("ticket {} ({} {})", t.id, t.date, t.number))?;
        if self.below_supervisor() {
            withhold_rating(&mut t);
        }
        Ok((t, self.events_as_seen(events)))
    }

    /// Whether the acting clerk sees ratings only in aggregate and citizens' ID numbers and
    /// phones masked (not a supervisor, accounts on).
    fn below_supervisor(&self) -> bool {
        match self.who.role {
            Some(r) => r < yimen_domain::account::Role::Supervisor,
            None => self.accounts,
        }
    }

    /// A ticket as the acting clerk may see it: a clerk does not see who rated what, nor
    /// citizens' whole ID numbers and phones (see `reveal`).
    fn as_seen(&self, mut t: Ticket) -> Ticket {
        if !self.below_supervisor() {
            return t;
        }
        withhold_rating(&mut t);
        t.mask_personal_data();
        t
    }

    fn all_as_seen(&self, v: Vec<Ticket>) -> Vec<Ticket> {
        if self.below_supervisor() { v.into_iter().map(|t| self.as_seen(t)).collect() } else { v }
    }

    /// A ticket's history as the acting clerk may see it. A clerk gets no follow-up events
    /// of a bad rating, no note of the rating event, and no hashes at all: a rating event's
    /// hash (or the next event's `prev`) would let five guesses recover the score.
    fn events_as_seen(&self, mut events: Vec<Event>) -> Vec<Event> {
        if !self.below_supervisor() {
            return events;
        }
        events.retain(|e| e.action != yimen_domain::ticket::Action::FollowUp);
        // Numbered as seen, so no gap tells where follow-up steps were left out.
        for (seq, e) in events.iter_mut().enumerate() {
            e.seq = u32::try_from(seq).unwrap_or(u32::MAX);
            if e.action == yimen_domain::ticket::Action::Rate {
                e.note = None;
                // Who recorded it (the pad, or a clerk keying it in) is the rating's source:
                // the supervisor's to see.
                e.clerk = String::new();
            }
            if e.action == yimen_domain::ticket::Action::Correct {
                e.note = e.note.as_deref().map(yimen_domain::ticket::mask_correction_note);
            }
            e.prev.clear();
            e.hash.clear();
            e.state = None;
        }
        events
    }

    /// The acting account's role (`None`: no one signed in, or setup mode).
    pub fn role(&self) -> Option<yimen_domain::account::Role> {
        self.who.role
    }

    /// Tickets taken on `date`, optionally only those in `status`.
    pub fn list_day(&self, date: Date, status: Option<Status>) -> Result<Vec<Ticket>, DeskError> {
        let mut v = self.store.read(|rx| rx.day(date))?;
        if let Some(s) = status {
            v.retain(|t| t.status == s);
        }
        Ok(self.all_as_seen(v))
    }

    /// Writes a checked copy of the database to `dest` (default: `backups/yimen-<time>.redb`
    /// beside the database). Returns where it went and how many tickets it holds.
    pub fn backup(&self, dest: Option<&Path>) -> Result<(std::path::PathBuf, u64), DeskError> {
        self.backup_with_progress(dest, &|_, _| {})
    }

    /// [`Desk::backup`], telling `progress` how many rows of how many are copied (for a
    /// progress bar; the desk draws nothing).
    ///
    /// # Errors
    /// As [`Desk::backup`].
    pub fn backup_with_progress(
        &self,
        dest: Option<&Path>,
        progress: &dyn Fn(u64, u64),
    ) -> Result<(std::path::PathBuf, u64), DeskError> {
        self.require_admin()?;
        let path = match dest {
            Some(p) => p.to_path_buf(),
            None => {
                // Two backups in one second (or of two databases in one folder) get two names.
                let dir = self.path().parent().map(|p| p.join("backups")).unwrap_or_else(|| "backups".into());
                let at = stamp(&self.clock);
                (1..)
                    .map(|n| dir.join(if n == 1 { format!("yimen-{at}.redb") } else { format!("yimen-{at}-{n}.redb") }))
                    .find(|p| !p.exists())
                    .unwrap_or_else(|| dir.join(format!("yimen-{at}.redb")))
            }
        };
        let n = self.store.backup_with_progress(&path, progress)?;
        Ok((path, n))
    }

    /// `yimen check`: redb's integrity check of the whole file, then the audit chain and every
    /// ticket record against the hash its newest event carries (supervisor).
    ///
    /// # Errors
    /// Not a supervisor; `Damaged`.
    pub fn check(&self) -> Result<CheckReport, DeskError> {
        self.require_supervisor()?;
        let pages_intact = self.store.check_integrity()?;
        let verdict = self.store.read(|rx| rx.verify_chain())?;
        Ok(CheckReport { pages_intact, verdict })
    }

    /// Walks the hall's whole audit chain.
    pub fn verify_chain(&self) -> Result<yimen_store::chain::Verdict, DeskError> {
        self.require_supervisor()?;
        Ok(self.store.read(|rx| rx.verify_chain())?)
    }

    /// Bad ratings awaiting the supervisor's follow-up, soonest first.
    pub fn followups(&self) -> Result<Vec<Ticket>, DeskError> {
        self.require_supervisor()?;
        Ok(self.store.read(|rx| rx.followups())?)
    }

    /// Every ticket with an event on `date`.
    pub fn active_on(&self, date: Date) -> Result<Vec<Ticket>, DeskError> {
        Ok(self.all_as_seen(self.store.read(|rx| rx.active_on(date))?))
    }

    /// Waiting tickets of today in call order.
    pub fn queue(&self) -> Result<Vec<Ticket>, DeskError> {
        Ok(self.all_as_seen(self.store.read(|rx| rx.waiting(self.clock.today()))?))
    }

    /// Open cases (accepted, suspended, transferred) by deadline, at most `limit`.
    pub fn open_cases(&self, limit: usize) -> Result<Vec<Ticket>, DeskError> {
        Ok(self.all_as_seen(self.store.read(|rx| rx.open_cases(limit))?))
    }

    /// Finds tickets by queue number, ID number (whole or last four), phone (whole or last
    /// four), name, village or pinyin initials. Newest first, at most `limit`.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Ticket>, DeskError> {
        let Some(mut plan) = SearchPlan::of(query) else {
            return Ok(Vec::new());
        };
        let masked = self.below_supervisor();
        if masked {
            plan = plan.whole_numbers_only();
        }
        let today = self.clock.today();
        let found = self.store.read(|rx| {
            let mut ids: Vec<TicketId> = Vec::new();
            if let Some(tref) = plan.reference
                && let Some(t) = resolve_in(rx, tref, today)?
            {
                ids.push(t.id);
            }
            for p in &plan.prefixes {
                for id in rx.search_prefix(p, limit)? {
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
            }
            ids.sort_unstable_by(|a, b| b.cmp(a));
            ids.truncate(limit);
            Ok::<_, DeskError>(rx.tickets(&ids)?)
        })?;
        // A hit on a whole ID number or phone confirms a guess at the digits the mask hides:
        // for a clerk each such search is on the record, like a reveal (who, which tickets —
        // never the number), so guessing through the search box leaves a trail.
        if masked && plan.prefixes.iter().any(|p| p.starts_with("i:") || p.starts_with("p:")) {
            let actor = self.acting_clerk()?.to_string();
            let which: Vec<String> = found.iter().map(|t| t.id.to_string()).collect();
            let note = if which.is_empty() {
                "search by a whole ID number or phone: no match".to_string()
            } else {
                format!("search by a whole ID number or phone: tickets {}", which.join(","))
            };
            self.record_reveal_by(&actor, note)?;
        }
        Ok(self.all_as_seen(found))
    }
}

/// How a search query is looked up: a ticket reference (id or queue number) if it reads as
/// one, and the search-index prefixes (see `store::tables::SEARCH`) it may match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPlan {
    pub reference: Option<TicketRef>,
    pub prefixes: Vec<String>,
}

impl SearchPlan {
    /// The plan for what a clerk typed; `None` when nothing searchable is left.
    pub fn of(query: &str) -> Option<SearchPlan> {
        let q: String = query.trim().chars().filter(|c| !yimen_domain::text::is_forbidden(*c, false)).collect();
        if q.is_empty() {
            return None;
        }
        let lower = q.to_lowercase();
        let digits: String = q.chars().filter(|c| c.is_ascii_digit()).collect();
        let mut prefixes: Vec<String> = Vec::new();
        if digits.len() == q.chars().filter(|c| !matches!(c, ' ' | '-')).count() && !digits.is_empty() {
            if digits.len() == 4 {
                prefixes.push(format!("i4:{digits}"));
                prefixes.push(format!("p4:{digits}"));
            }
            if digits.len() >= 6 {
                prefixes.push(format!("i:{digits}"));
                prefixes.push(format!("p:{digits}"));
            }
        } else if q.len() >= 15 && q.to_uppercase().ends_with('X') {
            prefixes.push(format!("i:{}", q.to_uppercase()));
        } else {
            prefixes.push(format!("n:{lower}"));
            prefixes.push(format!("v:{q}"));
            // Pinyin: initials (`zgy`) and full spellings (`zhangguiying`) live under their own
            // prefixes, so a short query's initials are not crowded out by full spellings.
            if lower.chars().all(|c| c.is_ascii_lowercase()) {
                prefixes.push(format!("y:{lower}"));
                prefixes.push(format!("f:{lower}"));
            }
        }
        Some(SearchPlan { reference: TicketRef::parse(&q), prefixes })
    }

    /// The plan for someone who sees ID numbers and phones masked: a part of a number longer
    /// than the last four is looked up only as a whole number (15 or 18 characters of an ID
    /// number, 11 or more digits of a phone). Otherwise a clerk could recover the masked
    /// digits one prefix at a time (`4308221…`, `4308222…`), unaudited.
    pub fn whole_numbers_only(mut self) -> SearchPlan {
        self.prefixes.retain(|p| match p.split_once(':') {
            Some(("i", n)) => matches!(n.chars().count(), 15 | 18),
            Some(("p", n)) => n.chars().count() >= 11,
            _ => true,
        });
        self
    }
}

/// Keeps only that a ticket was rated: no score, comment or follow-up, and an event count that
/// leaves the follow-up steps out (their number would tell that the rating was bad).
fn withhold_rating(t: &mut Ticket) {
    if let Some(r) = &mut t.rating {
        t.events = t.events.saturating_sub(u32::try_from(r.follow_up.len()).unwrap_or(u32::MAX));
        r.withhold();
    }
}

/// The hall's configuration as a desk keeps it: catalog, settings, whether accounts exist, and
/// the generation it was read at (see `ReadTx::configuration_generation`).
struct Configuration {
    catalog: Catalog,
    settings: Settings,
    accounts: bool,
    generation: u64,
    calendar: Calendar,
}

/// The meta key of the imported holiday years: a JSON map from the year to the file it came
/// from (`yimen calendar import`).
const CALENDAR_META: &str = "calendar";

/// The imported years as stored, year → the TOML they came from. A damaged entry only means
/// that year is estimated again.
pub fn imported_calendar_sources(raw: Option<&[u8]>) -> BTreeMap<i32, String> {
    raw.and_then(|b| serde_json::from_slice(b).ok()).unwrap_or_default()
}

/// The built-in calendar with the imported years put in place (each source read for its own
/// year only).
pub fn calendar_with(imported: &BTreeMap<i32, String>) -> Calendar {
    let mut cal = Calendar::builtin();
    for (year, src) in imported {
        // A stored import that no longer parses is left out (it was checked when imported);
        // a file without its year merges nothing.
        if let Ok(file) = Calendar::from_toml(src) {
            cal = cal.merged(&file.only_year(*year));
        }
    }
    cal
}

impl Configuration {
    fn read(rx: &yimen_store::ReadTx) -> Result<Configuration, DeskError> {
        Ok(Configuration {
            calendar: calendar_with(&imported_calendar_sources(rx.meta(CALENDAR_META)?.as_deref())),
            catalog: rx.catalog()?.unwrap_or_else(Catalog::builtin),
            settings: Settings::load_r(rx)?,
            accounts: !rx.users()?.is_empty(),
            generation: rx.configuration_generation()?,
        })
    }
}

/// Refuses unless no other program has the database at `path` open (see `Store::hold_alone`):
/// for the commands that rewrite the whole file.
///
/// # Errors
/// `Locked` naming the file (and the hall server when it holds it).
pub fn require_file_to_itself(path: &Path) -> Result<(), DeskError> {
    drop(Store::hold_alone(path)?);
    Ok(())
}

/// "20261130-091500" in the hall's time, for file names.
fn stamp(clock: &Clock) -> String {
    clock.show(clock.now(), yimen_domain::clock::Shown::FileStamp)
}

/// Puts a backup back as the database at `target`, so that at every moment the database
/// file is either the old one or the new one, complete:
///
/// 1. the backup is copied (read, never opened for writing) to a temporary file beside the
///    database and synced; that copy is opened, upgraded if it is from an older yimen, and its
///    audit chain and records are checked;
/// 2. `authorize` signs an admin in: on the database being replaced (whose journal, if any, is
///    folded in first), or on the copy when there is no database or it cannot be read;
/// 3. the old file is kept under a name that never overwrites anything (a hard link
///    `<name>.replaced-<time>-<n>`, so no copy and no extra space), and the checked copy is
///    renamed over the database in one atomic step; the folder is synced.
///
/// A crash or a full disk at any step leaves the old database in place (and at most a
/// `.restoring-…` file, removed by the next restore). Returns the kept file and the ticket
/// count.
///
/// # Errors
/// `Missing` (no backup), `Io` (exists without `force`, disk full …), a damaged or foreign
/// backup, `Locked` (the database is in use), and whatever `authorize` refuses.
pub fn restore(
    target: &Path,
    backup: &Path,
    force: bool,
    progress: &dyn Fn(u64, u64),
    mut authorize: impl FnMut(&mut Desk) -> Result<(), DeskError>,
) -> Result<(Option<std::path::PathBuf>, u64), DeskError> {
    // Through a link, the file itself is what is replaced (and kept), not the link.
    let resolved = std::fs::canonicalize(target).ok().filter(|_| target.is_symlink());
    let target = resolved.as_deref().unwrap_or(target);
    if target.exists() && !force {
        return Err(DeskError::ExistsNeedsForce(target.to_path_buf()));
    }
    let clock = Clock::from_env(yimen_domain::clock::DEFAULT_OFFSET).map_err(DeskError::Clock)?;
    let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    remove_leftovers(target);
    // The admin of the file being replaced, when it can be read (read-only: a refused restore
    // changes nothing). An earlier version's journal beside it is replayed into it now, so
    // nothing acknowledged is left behind.
    let mut authorized = false;
    if target.exists() {
        // Said at once, before a PIN is asked or a byte copied: the file must be free.
        require_file_to_itself(target)?;
        match Desk::open(target) {
            Ok(mut desk) => {
                authorize(&mut desk)?;
                authorized = true;
            }
            // Damaged beyond reading, or not a yimen file at all: the backup's admin decides.
            Err(DeskError::Store(
                StoreError::Damaged { .. }
                | StoreError::NotOurs { .. }
                | StoreError::Corrupt(_)
                | StoreError::Missing { .. },
            )) => {}
            // Anything else (in use, a newer yimen, a journal that is not its own …) is said
            // as it is: no one can prove to be its admin, so nothing is replaced.
            Err(e) => return Err(e),
        }
    }
    if !backup.exists() {
        return Err(StoreError::Missing { path: backup.to_path_buf() }.into());
    }
    let temp = dir.join(format!(
        "{}.restoring-{}-{}",
        target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        std::process::id(),
        yimen_domain::token::random_hex::<4>().unwrap_or_default()
    ));
    let result = (|| {
        copy_synced(backup, &temp, progress)?;
        // What is wrong with the copy is said of the backup it came from (never of the
        // temporary file, and with no backup of some other file offered in its place).
        let of_backup = |e: DeskError| match e {
            DeskError::Store(StoreError::NotOurs { detail, .. }) => {
                StoreError::NotOurs { path: backup.to_path_buf(), detail }.into()
            }
            DeskError::Store(StoreError::Damaged { detail, .. } | StoreError::Corrupt(detail)) => {
                StoreError::Damaged { path: backup.to_path_buf(), detail, backup: None }.into()
            }
            DeskError::Store(StoreError::NewerSchema { found, supported, .. }) => {
                StoreError::NewerSchema { path: backup.to_path_buf(), found, supported }.into()
            }
            other => other,
        };
        let n = {
            let mut copy = Desk::open(&temp).map_err(of_backup)?;
            let n = match copy.store.read(|rx| rx.verify_chain()).map_err(|e| of_backup(e.into()))? {
                yimen_store::chain::Verdict::Intact { .. } => copy.ticket_count().map_err(of_backup)?,
                _ => {
                    return Err(DeskError::Store(StoreError::Corrupt(format!(
                        "{}: the audit chain or the records it anchors do not hold",
                        backup.display()
                    ))));
                }
            };
            if !authorized {
                authorize(&mut copy)?;
            }
            n
        };
        // Opening the copy may have upgraded it: sync what is there now.
        std::fs::File::open(&temp).and_then(|f| f.sync_all()).map_err(|e| io_at(&temp, &e))?;
        // From here until the new file is in place no other program may have the old one open:
        // a window still writing to it would lose its work. (A file that could not be read
        // above cannot be opened this way either; nothing can be working on it.)
        let held = Store::hold_alone(target)?;
        let kept = if target.exists() { Some(keep_aside(target, &clock)?) } else { None };
        // A journal still beside the old file (one that could not be replayed into it) goes
        // with it: it never belongs to the restored one.
        let journal = yimen_store::journal::path_of(target);
        if journal.exists() {
            let aside =
                kept.clone().unwrap_or_else(|| format!("{}.replaced-{}", target.display(), stamp(&clock)).into());
            std::fs::rename(&journal, yimen_store::journal::path_of(&aside)).map_err(|e| io_at(&journal, &e))?;
        }
        std::fs::rename(&temp, target).map_err(|e| io_at(target, &e))?;
        sync_dir(dir);
        drop(held);
        Ok((kept, n))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
        let _ = std::fs::remove_file(yimen_store::journal::path_of(&temp));
    }
    result
}

fn io_at(path: &Path, e: &std::io::Error) -> DeskError {
    StoreError::io_on(path, true, e).into()
}

/// Copies `from` to a new file `to` (never overwriting) and syncs it.
fn copy_synced(from: &Path, to: &Path, progress: &dyn Fn(u64, u64)) -> Result<(), DeskError> {
    use std::io::{Read, Write};
    let mut src = std::fs::File::open(from).map_err(|e| DeskError::from(StoreError::io_on(from, false, &e)))?;
    let total = src.metadata().map(|m| m.len()).unwrap_or(0);
    let mut dst = std::fs::OpenOptions::new().write(true).create_new(true).open(to).map_err(|e| io_at(to, &e))?;
    let mut buf = vec![0u8; 1 << 20];
    let mut done = 0u64;
    loop {
        let n = src.read(&mut buf).map_err(|e| DeskError::from(StoreError::io_on(from, false, &e)))?;
        if n == 0 {
            break;
        }
        dst.write_all(&buf[..n]).map_err(|e| io_at(to, &e))?;
        done += n as u64;
        progress(done, total);
    }
    dst.sync_all().map_err(|e| io_at(to, &e))
}

/// Keeps the database at `target` under `<name>.replaced-<time>-<n>`, a name no other file has:
/// a hard link where the file system has them (no copy, no space), else a synced copy.
fn keep_aside(target: &Path, clock: &Clock) -> Result<std::path::PathBuf, DeskError> {
    let base = format!("{}.replaced-{}", target.display(), stamp(clock));
    for n in 1..10_000u32 {
        let keep = std::path::PathBuf::from(format!("{base}-{n}"));
        match std::fs::hard_link(target, &keep) {
            Ok(()) => return Ok(keep),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            // No hard links here (FAT, some shares): a synced copy under a name of its own.
            Err(_) if keep.exists() => continue,
            Err(_) => match copy_synced(target, &keep, &|_, _| {}) {
                Ok(()) => return Ok(keep),
                Err(e) => {
                    // A copy cut short (a full disk) is not kept: it is not the old file.
                    let _ = std::fs::remove_file(&keep);
                    return Err(e);
                }
            },
        }
    }
    Err(DeskError::Io(format!("{base}-…: too many kept files")))
}

/// Makes a rename in `dir` durable (on systems where a folder can be synced).
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Removes what an interrupted restore or `init` of `target` left beside it.
fn remove_leftovers(target: &Path) {
    let (Some(dir), Some(name)) = (target.parent(), target.file_name()) else { return };
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    let name = name.to_string_lossy();
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.filter_map(Result::ok) {
        let f = e.file_name().to_string_lossy().into_owned();
        if f.starts_with(&format!("{name}.restoring-")) || f.starts_with(&format!("{name}.creating-")) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

impl Desk {
    /// Creates a new database at `path` with its first admin, in one step: the file is built
    /// beside it under a temporary name and appears at `path` only once the admin exists, so a
    /// refused `init` (a short password, a bad name) leaves nothing behind.
    ///
    /// # Errors
    /// `Io` when `path` exists; `Account`/`Text` for a refused name or password.
    pub fn create(
        path: &Path,
        hall: Option<&str>,
        clock_offset: Option<&str>,
        admin: &str,
        secret: &str,
    ) -> Result<Desk, DeskError> {
        use yimen_domain::account::Role;
        if path.exists() {
            return Err(StoreError::Exists { path: path.to_path_buf() }.into());
        }
        input::short(Field::Clerk, admin)?;
        yimen_domain::account::check_secret(Role::Admin, secret)?;
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| io_at(dir, &e))?;
        remove_leftovers(path);
        let temp = dir.join(format!(
            "{}.creating-{}",
            path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            std::process::id()
        ));
        let made = (|| {
            {
                let (desk, _) = Desk::init(&temp, hall, clock_offset)?;
                desk.acting(&Actor::default()).add_user(admin, Role::Admin, secret)?;
            }
            std::fs::File::open(&temp).and_then(|f| f.sync_all()).map_err(|e| io_at(&temp, &e))?;
            // A link never replaces a file that appeared at `path` meanwhile; where there are no
            // links, a rename (after one more look).
            match std::fs::hard_link(&temp, path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists || path.exists() => {
                    return Err(io_at(path, &e));
                }
                Err(_) => std::fs::rename(&temp, path).map_err(|e| io_at(path, &e))?,
            }
            sync_dir(dir);
            Ok::<(), DeskError>(())
        })();
        let _ = std::fs::remove_file(&temp);
        made?;
        Desk::open(path)
    }
}

/// The ticket a reference names, looked up in a read or a write transaction.
fn resolve_in(tx: &impl TicketLookup, r: TicketRef, today: Date) -> Result<Option<Ticket>, DeskError> {
    let id = match r {
        TicketRef::Id(id) => Some(id),
        TicketRef::Number(day, n) => tx.find_number(day.unwrap_or(today), n)?,
    };
    Ok(match id {
        Some(id) => tx.ticket(id)?,
        None => None,
    })
}

/// Takes a number inside an open transaction: validates, allocates the number, writes the
/// ticket, its first event and its index entries.
pub fn take_in<T: Tables>(
    tx: &mut T,
    catalog: &Catalog,
    ctx: &Context<'_>,
    req: &TakeRequest,
) -> Result<Ticket, DeskError> {
    let item =
        catalog.item(&req.item).ok_or_else(|| DeskError::UnknownItem(req.item.trim().chars().take(40).collect()))?;
    let category = catalog.category_of(item).ok_or_else(|| DeskError::UnknownCategory(item.category.clone()))?;
    let citizen = req.citizen.check(ctx.today)?;
    let proxy = req.proxy.check(ctx.today)?;
    let note = input::optional_note(Field::Note, req.note.as_deref())?;
    let elderly = citizen.id_number.as_ref().and_then(|id| id.age_on(ctx.today)).is_some_and(|age| age >= 80);
    let priority = req.priority.or(elderly.then_some(Priority::Elderly));
    let number = tx.allocate_number(ctx.today, category.letter)?;
    let id = tx.next_ticket_id()?;
    let (mut ticket, event) = Ticket::take(id, number, item, priority, citizen, proxy, note, ctx);
    ticket.priority_unverified = req.at_kiosk && req.priority.is_some();
    tx.insert_ticket(&ticket)?;
    tx.append_event(&event, ctx.today)?;
    Ok(ticket)
}

/// Applies a command inside an open transaction and writes the result.
pub fn apply_in<T: Tables>(tx: &mut T, old: &Ticket, cmd: Command<'_>, ctx: &Context<'_>) -> Result<Ticket, DeskError> {
    let (new, event) = old.apply(cmd, ctx)?;
    tx.update_ticket(Some(old), &new)?;
    tx.append_event(&event, ctx.today)?;
    Ok(new)
}

/// Calls the next waiting ticket of `letters` (all when empty) to `window`, inside an open
/// transaction.
pub fn call_in<T: Tables>(tx: &mut T, ctx: &Context<'_>, window: &str, letters: &[char]) -> Result<Ticket, DeskError> {
    let Some(id) = tx.next_waiting(ctx.today, letters)? else {
        let which = if letters.is_empty() {
            String::new()
        } else {
            format!(" ({})", letters.iter().map(|l| l.to_string()).collect::<Vec<_>>().join(","))
        };
        return Err(DeskError::NoOneWaiting(which));
    };
    let old = tx.ticket(id)?.ok_or_else(|| StoreError::Corrupt(format!("waiting ticket {id} missing")))?;
    apply_in(tx, &old, Command::Call { window: window.to_string() }, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One desk serves many windows at once: it can be shared across threads, and it holds no
    /// one's sign-in (an `Actor` goes with each call).
    #[test]
    fn a_desk_is_shared_and_the_actor_travels_with_the_call() {
        fn shared<T: Send + Sync>() {}
        shared::<Desk>();
        shared::<Actor>();
        let dir = tempfile::tempdir().expect("a temp dir");
        let (desk, _) = Desk::init(&dir.path().join("hall.redb"), None, None).expect("init");
        // Setup mode: two clerks act through the same desk, each named by their own value.
        let (a, b) = (desk.setup_actor(Some("甲")).expect("甲"), desk.setup_actor(Some("乙")).expect("乙"));
        let req = TakeRequest { item: "SB03".into(), ..Default::default() };
        std::thread::scope(|s| {
            for who in [&a, &b] {
                let desk = &desk;
                let req = &req;
                s.spawn(move || desk.acting(who).take(req).expect("take"));
            }
        });
        let today = desk.clock().today();
        let clerks: std::collections::BTreeSet<String> = desk
            .acting(&a)
            .list_day(today, None)
            .expect("list")
            .iter()
            .filter_map(|t| desk.acting(&a).show(&t.id.to_string()).ok())
            .map(|(_, events)| events[0].clerk.clone())
            .collect();
        assert_eq!(clerks, ["甲".to_string(), "乙".to_string()].into_iter().collect());
        // No one named: a front-desk action is refused, whoever acted a moment ago.
        assert!(matches!(desk.acting(&Actor::default()).call("1", &[]), Err(DeskError::NoClerk)));
    }
}
