//! The store: one redb file holding tickets, their events and the indexes the screens and
//! reports read. Only this module touches redb. One user action is one write transaction.

pub mod chain;
mod error;
pub mod guard;
pub mod journal;
pub mod keys;
mod migrations;
pub mod tables;

use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::time::{Duration, Instant};

use redb::{
    ConcurrencyMode, Database, DatabaseError, Durability, ReadableDatabase, ReadableTable, ReadableTableMetadata,
    TableHandle,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use time::Date;

pub use error::{StoreError, server_note};
use keys::*;
use tables::*;

use yimen_domain::account::User;
use yimen_domain::catalog::Catalog;
use yimen_domain::queue::{MAX_SEQ, QueueNumber};
use yimen_domain::ticket::{Event, Ticket, TicketId};

/// The ticket id under which the hall's own events (sign-ins, accounts) are kept.
pub const SYSTEM: TicketId = 0;

/// redb's cache defaults to 1 GiB; an old office PC has far less to spare.
const CACHE_BYTES: usize = 32 * 1024 * 1024;

/// A prefix search looks at most at this many distinct tokens (names, initials …) under the
/// prefix; a one-letter query over years of history is cut there rather than reading them all.
pub const SEARCH_TOKEN_CAP: usize = 200;

pub struct Store {
    /// The file's size when it was opened (before redb reserved room in it).
    size_at_rest: u64,
    /// The open file: read-only until the first write asks for more (see `begin_write`).
    db: RwLock<Handle>,
    path: PathBuf,
    /// Set once redb panicked on this file: its locks may be poisoned, so the handle is not
    /// touched again (every later call says the file is damaged) and is dropped quietly.
    poisoned: std::sync::atomic::AtomicBool,
}

/// How the file is open. Reads never need write access, so a command that only reads (and
/// the checks of a backup or a foreign file) never changes a byte of it and works on a
/// read-only (0444) file; the first write reopens it for writing.
enum Handle {
    ReadOnly(redb::ReadOnlyDatabase),
    ReadWrite(Database),
    /// Between closing the read-only handle and opening the writable one.
    Closed,
}

fn encode<T: Serialize>(v: &T) -> Result<Vec<u8>, StoreError> {
    rmp_serde::to_vec_named(v).map_err(|e| StoreError::Corrupt(format!("encode: {e}")))
}

fn decode<T: DeserializeOwned>(bytes: &[u8], what: &dyn Fn() -> String) -> Result<T, StoreError> {
    rmp_serde::from_slice(bytes).map_err(|e| StoreError::Corrupt(format!("{}: {e}", what())))
}

/// How long to wait for a file another yimen command holds: `YIMEN_LOCK_WAIT_MS`, default 2 s.
fn lock_wait() -> Duration {
    let ms = std::env::var("YIMEN_LOCK_WAIT_MS").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(2000u64);
    Duration::from_millis(ms.min(60_000))
}

fn is_lock_error(e: &DatabaseError) -> bool {
    match e {
        DatabaseError::DatabaseAlreadyOpen | DatabaseError::LockProtocolMismatch => true,
        DatabaseError::Storage(redb::StorageError::Io(io)) => io.kind() == std::io::ErrorKind::WouldBlock,
        _ => false,
    }
}

/// Whether the file starts with redb's magic number: a file that does and still cannot be
/// opened is a damaged yimen database, not somebody else's file.
fn looks_like_redb(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 9];
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)).is_ok()
        && head == [b'r', b'e', b'd', b'b', 0x1A, 0x0A, 0xA9, 0x0D, 0x0A]
}

/// Opens `path` with `open`, waiting a little (`YIMEN_LOCK_WAIT_MS`, 2 s) while another program
/// holds it in a way this open cannot share (an upgrade or a restore under way, an earlier
/// yimen), and says what went wrong in the store's words.
fn open_with<D>(path: &Path, open: impl Fn() -> Result<D, DatabaseError>, write: bool) -> Result<D, StoreError> {
    let deadline = Instant::now() + lock_wait();
    loop {
        match guard::catch(&open).map_err(|p| p.error(path))? {
            Ok(db) => return Ok(db),
            Err(e) if is_lock_error(&e) => {
                if Instant::now() >= deadline {
                    return Err(StoreError::locked(path));
                }
                std::thread::sleep(Duration::from_millis(25));
            }
            Err(DatabaseError::Storage(redb::StorageError::Io(io)))
                if io.kind() == std::io::ErrorKind::PermissionDenied =>
            {
                return Err(StoreError::Permission { path: path.to_path_buf(), write });
            }
            Err(DatabaseError::RepairAborted) => return Err(StoreError::NeedsRepair),
            Err(other) => {
                let detail = other.to_string().replace('\n', " ");
                return Err(if looks_like_redb(path) {
                    StoreError::damaged(path, &detail)
                } else {
                    StoreError::NotOurs { path: path.to_path_buf(), detail }
                });
            }
        }
    }
}

impl Store {
    /// Opens the database at `path` for reading and writing; with `create`, makes a new one
    /// if there is none.
    ///
    /// # Errors
    /// `Missing`, `Locked`, `Permission`, `NotOurs`, `Damaged`, `NewerSchema`.
    pub fn open(path: &Path, create: bool) -> Result<Store, StoreError> {
        let exists = path.exists();
        if !exists && !create {
            return Err(StoreError::Missing { path: path.to_path_buf() });
        }
        if create
            && !exists
            && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::io_on(dir, true, &e))?;
        }
        // redb reserves room in the file while it is open; this is the size at rest.
        let size_at_rest = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        Store::precheck_journal(path, size_at_rest)?;
        if exists && Store::needs_upgrade(path, size_at_rest)? {
            Store::upgrade_alone(path, size_at_rest)?;
        }
        let store = Store::with(path, size_at_rest, Handle::ReadWrite(Store::open_rw(path)?));
        store.prepare(create)?;
        Ok(store)
    }

    /// Whether the file needs work no two programs may do at once: an earlier version's journal
    /// to replay, an older data version to migrate, or a repair after a crash.
    fn needs_upgrade(path: &Path, size_at_rest: u64) -> Result<bool, StoreError> {
        if journal::is_present(&journal::path_of(path)) {
            return Ok(true);
        }
        let db = match Store::open_ro(path) {
            Ok(db) => db,
            Err(StoreError::NeedsRepair) => return Ok(true),
            Err(e) => return Err(e),
        };
        let store = Store::read_only(path, size_at_rest, db);
        Ok(matches!(store.check_version()?, Some(v) if v < SCHEMA_VERSION))
    }

    /// Replays an earlier version's journal, repairs and migrates the file with every other
    /// program kept out (redb's exclusive mode), so two programs started together after an
    /// upgrade never both replay or migrate. A program that finds the work done meanwhile does
    /// nothing.
    fn upgrade_alone(path: &Path, size_at_rest: u64) -> Result<(), StoreError> {
        let builder = Store::builder(ConcurrencyMode::ExclusiveWriter);
        let store = Store::with(path, size_at_rest, Handle::ReadWrite(open_with(path, || builder.open(path), true)?));
        // A journal left by an earlier version holds acknowledged actions of the data version
        // the file has now: they go in before any migration.
        let version = store.check_version()?;
        store.recover(version)?;
        store.prepare(false)
    }

    /// Opens an existing database without write access: nothing about the file changes until
    /// the first write, which reopens it for writing. A file that needs work before it can be
    /// read (a journal to replay, an older data version to migrate, an unclean shutdown to
    /// repair) is opened for writing at once.
    ///
    /// # Errors
    /// As [`Store::open`].
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing { path: path.to_path_buf() });
        }
        let size_at_rest = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if journal::is_present(&journal::path_of(path)) {
            // A journal to replay needs the file open for writing (see `precheck_journal`).
            return Store::open(path, false);
        }
        let db = match Store::open_ro(path) {
            Ok(db) => db,
            // redb repairs a file left by a crash only when it may write it.
            Err(StoreError::NeedsRepair) => return Store::open(path, false),
            Err(e) => return Err(e),
        };
        let store = Store::read_only(path, size_at_rest, db);
        match store.check_version()? {
            Some(v) if v == SCHEMA_VERSION => Ok(store),
            Some(_) => {
                drop(store);
                Store::open(path, false)
            }
            None => Err(StoreError::Missing { path: path.to_path_buf() }),
        }
    }

    /// Runs `f` inside the panic guard (see `guard`); after a panic in redb the handle is
    /// never used again.
    fn guarded<T, E: From<StoreError>>(&self, f: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
        use std::sync::atomic::Ordering;
        if self.poisoned.load(Ordering::SeqCst) {
            return Err(StoreError::damaged(&self.path, "an earlier step found it damaged").into());
        }
        match guard::catch(f) {
            Ok(out) => out,
            Err(panic) => {
                if panic.in_redb() {
                    self.poisoned.store(true, Ordering::SeqCst);
                }
                Err(panic.error(&self.path).into())
            }
        }
    }

    /// Refuses a journal an earlier version left beside the file that is not the file's own or
    /// is damaged, before anything opens the file for writing (which may change its bytes).
    fn precheck_journal(path: &Path, size_at_rest: u64) -> Result<(), StoreError> {
        if !journal::is_present(&journal::path_of(path)) || !path.exists() {
            return Ok(());
        }
        match Store::open_ro(path) {
            Ok(db) => Store::read_only(path, size_at_rest, db).check_journal_is_ours(),
            // A file left by a crash needs redb's repair before it can be read, and the repair
            // writes anyway; the journal is checked right after it (`recover`).
            Err(StoreError::NeedsRepair) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// A store on `handle`.
    fn with(path: &Path, size_at_rest: u64, handle: Handle) -> Store {
        Store { db: RwLock::new(handle), path: path.to_path_buf(), size_at_rest, poisoned: Default::default() }
    }

    /// A store on a read-only handle.
    fn read_only(path: &Path, size_at_rest: u64, db: redb::ReadOnlyDatabase) -> Store {
        Store::with(path, size_at_rest, Handle::ReadOnly(db))
    }

    /// redb's settings for every handle: a small cache, and the multi-process mode in which
    /// several yimen programs on one PC (the interface, `yimen board`, a report, the hall
    /// server) share the file; redb lets one write transaction run at a time across them.
    fn builder(mode: ConcurrencyMode) -> redb::Builder {
        let mut builder = Database::builder();
        builder.set_cache_size(CACHE_BYTES).set_concurrency_mode(mode);
        builder
    }

    fn open_rw(path: &Path) -> Result<Database, StoreError> {
        let builder = Store::builder(ConcurrencyMode::MultiWriter);
        open_with(path, || if path.exists() { builder.open(path) } else { builder.create(path) }, true)
    }

    fn open_ro(path: &Path) -> Result<redb::ReadOnlyDatabase, StoreError> {
        let builder = Store::builder(ConcurrencyMode::MultiWriter);
        open_with(path, || builder.open_read_only(path), false)
    }

    /// Keeps every other program off the database at `path` while the returned file lives:
    /// an exclusive lock on the file, which every redb handle (reading or writing, in any mode)
    /// holds shared. For what replaces or rewrites the whole file (restore, compact): a window,
    /// a board or a backup still on the old file would go on with it. Changes no byte.
    ///
    /// # Errors
    /// `Locked` (naming the hall server when it is the one) while any other program has the
    /// file open; `Missing`; `Permission`.
    pub fn hold_alone(path: &Path) -> Result<std::fs::File, StoreError> {
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::Missing { path: path.to_path_buf() });
            }
            Err(e) => return Err(StoreError::io_on(path, false, &e)),
        };
        let deadline = Instant::now() + lock_wait();
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(file),
                Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(25));
                }
                Err(std::fs::TryLockError::WouldBlock) => return Err(StoreError::locked(path)),
                Err(std::fs::TryLockError::Error(e)) => return Err(StoreError::io_on(path, false, &e)),
            }
        }
    }

    /// Opens a file only to check it (a backup before a restore, a file named on the command
    /// line): never for writing, so its bytes stay as they are whatever the verdict.
    ///
    /// # Errors
    /// As [`Store::open`]; a file that would need repair or migration is refused as damaged
    /// or old rather than changed.
    pub fn open_for_check(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing { path: path.to_path_buf() });
        }
        let size_at_rest = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let db = match Store::open_ro(path) {
            Err(StoreError::NeedsRepair) => {
                return Err(StoreError::damaged(path, "it was not closed cleanly and needs a repair"));
            }
            other => other?,
        };
        let store = Store::read_only(path, size_at_rest, db);
        match store.check_version()? {
            Some(v) if v == SCHEMA_VERSION => Ok(store),
            Some(v) => Err(StoreError::OlderSchema { path: path.to_path_buf(), found: v, supported: SCHEMA_VERSION }),
            None => Err(StoreError::NotOurs { path: path.to_path_buf(), detail: "it has no data version".into() }),
        }
    }

    /// A read transaction on whichever handle is open.
    fn begin_read(&self) -> Result<redb::ReadTransaction, StoreError> {
        let g = self.db.read().unwrap_or_else(|p| p.into_inner());
        match &*g {
            Handle::ReadOnly(d) => Ok(d.begin_read()?),
            Handle::ReadWrite(d) => Ok(d.begin_read()?),
            Handle::Closed => Err(StoreError::Io("the database is closed".into())),
        }
    }

    /// A write transaction: reopens a read-only handle for writing first.
    fn begin_write(&self) -> Result<redb::WriteTransaction, StoreError> {
        {
            let g = self.db.read().unwrap_or_else(|p| p.into_inner());
            if let Handle::ReadWrite(d) = &*g {
                return Ok(d.begin_write()?);
            }
        }
        let mut g = self.db.write().unwrap_or_else(|p| p.into_inner());
        if let Handle::ReadOnly(ro) = &*g {
            // A file whose tables do not read as ours is refused before anything writes to it.
            check_tables(&self.path, &ro.begin_read()?)?;
        }
        if !matches!(&*g, Handle::ReadWrite(_)) {
            // The shared lock of the read-only handle must go before the writable one locks.
            *g = Handle::Closed;
            *g = match Store::open_rw(&self.path) {
                Ok(db) => Handle::ReadWrite(db),
                Err(e) => {
                    if let Ok(ro) = Store::open_ro(&self.path) {
                        *g = Handle::ReadOnly(ro);
                    }
                    return Err(e);
                }
            };
        }
        match &*g {
            Handle::ReadWrite(d) => Ok(d.begin_write()?),
            _ => Err(StoreError::Io("the database is closed".into())),
        }
    }

    /// The data version of the file, checking that every table is one of ours.
    fn check_version(&self) -> Result<Option<u32>, StoreError> {
        // redb's multi-process mode reads the file's header when it is first read, not when it
        // is opened: a short or garbled file shows here.
        let as_damage = |e: StoreError| match e {
            StoreError::Io(detail) if looks_like_redb(&self.path) => StoreError::damaged(&self.path, &detail),
            StoreError::Io(detail) => StoreError::NotOurs { path: self.path.clone(), detail },
            other => other,
        };
        self.guarded(|| {
            let txn = self.begin_read()?;
            let foreign = txn.list_tables()?.map(|t| t.name().to_string()).find(|n| !is_our_table(n));
            if let Some(name) = foreign {
                return Err(StoreError::NotOurs {
                    path: self.path.clone(),
                    detail: format!("it has a table '{name}'"),
                });
            }
            let version = match txn.open_table(META) {
                Ok(meta) => match meta.get("schema")? {
                    Some(v) => {
                        let b = v.value();
                        let arr: [u8; 4] = b.try_into().map_err(|_| StoreError::Corrupt("schema version".into()))?;
                        Some(u32::from_be_bytes(arr))
                    }
                    None => None,
                },
                Err(redb::TableError::TableDoesNotExist(_)) => None,
                Err(e) => return Err(e.into()),
            };
            if let Some(v) = version.filter(|&v| v > SCHEMA_VERSION) {
                return Err(StoreError::NewerSchema { path: self.path.clone(), found: v, supported: SCHEMA_VERSION });
            }
            Ok(version)
        })
        .map_err(as_damage)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Creates every table on a new file, checks the data version of an old one (migrating
    /// it), and refuses a redb file that belongs to some other program.
    fn prepare(&self, create: bool) -> Result<(), StoreError> {
        match self.check_version()? {
            // Every older data version runs the steps from its own on (STEPS[v - 1] takes v to
            // v + 1): the list of steps, not this match, says how far a file goes.
            Some(v) if (1..SCHEMA_VERSION).contains(&v) => {
                let steps = migrations::STEPS;
                for step in steps.iter().skip(v as usize - 1) {
                    self.write(step)?;
                }
                Ok(())
            }
            Some(_) => Ok(()),
            None if !create => Err(StoreError::Missing { path: self.path.clone() }),
            None => self.write(|tx| {
                tx.meta.insert("schema", SCHEMA_VERSION.to_be_bytes().as_slice())?;
                Ok::<(), StoreError>(())
            }),
        }
    }

    /// Runs `f` in one durable write transaction: everything `f` wrote is committed and on disk
    /// when this returns `Ok` (redb's `Durability::Immediate`: synced before the commit
    /// returns), and nothing is when `f` or the commit fails.
    ///
    /// # Errors
    /// What `f` returns; a `StoreError` when the transaction cannot begin or commit.
    pub fn write<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut WriteTx<'_>) -> Result<T, E>) -> Result<T, E> {
        self.guarded(|| {
            let mut txn = self.begin_write()?;
            txn.set_durability(Durability::Immediate).map_err(StoreError::from)?;
            let out = {
                let mut tx = WriteTx::open(&txn)?;
                f(&mut tx)?
            };
            txn.commit().map_err(StoreError::from)?;
            Ok(out)
        })
    }

    /// The database's id and the last journal record its durable state holds (`meta-1`
    /// `store_id`, `journal_seq`), for a journal an earlier version left beside it.
    fn journal_position(&self) -> Result<(Option<[u8; 16]>, u64), StoreError> {
        self.read(|rx| {
            let seq = rx.meta(JOURNAL_SEQ)?.and_then(|b| b.try_into().ok()).map(u64::from_be_bytes).unwrap_or(0);
            Ok::<_, StoreError>((rx.meta(STORE_ID)?.and_then(|b| b.try_into().ok()), seq))
        })
    }

    /// Reads the journal an earlier version left beside the file, refusing one that is not
    /// this file's or that is damaged in the middle.
    fn read_journal(&self) -> Result<Option<(u64, Vec<journal::Record>)>, StoreError> {
        let path = journal::path_of(&self.path);
        if !journal::is_present(&path) {
            return Ok(None);
        }
        journal::readable(&path).map_err(|e| StoreError::io_on(&path, false, &e))?;
        let foreign = || StoreError::ForeignJournal { path: path.clone() };
        let (id, durable) = self.journal_position()?;
        let id = id.ok_or_else(foreign)?;
        match journal::read(&path, &id, durable) {
            Ok(records) => Ok(Some((durable, records.unwrap_or_default()))),
            Err(journal::ReadError::Foreign) => Err(foreign()),
            Err(journal::ReadError::Damaged { at, lost }) => Err(StoreError::JournalDamaged {
                path: path.clone(),
                detail: format!("the record at byte {at} is damaged and record {lost} after it is whole"),
            }),
            Err(journal::ReadError::Io(e)) => Err(StoreError::Io(format!("{}: {e}", path.display()))),
        }
    }

    /// Refuses a journal beside the file that is not its own or is damaged, without writing.
    fn check_journal_is_ours(&self) -> Result<(), StoreError> {
        self.read_journal().map(|_| ())
    }

    /// Replays the journal an earlier version left beside the file (see `journal`): the records
    /// after the durable state, each op checked against its table's types, in one durable
    /// transaction; then the journal is removed. A journal that cannot be replayed whole is
    /// refused and left as it is, and so is the file.
    fn recover(&self, version: Option<u32>) -> Result<(), StoreError> {
        let Some((durable, records)) = self.read_journal()? else { return Ok(()) };
        let path = journal::path_of(&self.path);
        let todo =
            journal::to_replay(records, durable).map_err(|_| StoreError::ForeignJournal { path: path.clone() })?;
        if let Some(last) = todo.last().map(|r| r.seq) {
            let version = version.unwrap_or(SCHEMA_VERSION);
            let damaged = |detail: String| StoreError::JournalDamaged { path: path.clone(), detail };
            self.guarded(|| {
                let mut txn = self.begin_write()?;
                txn.set_durability(Durability::Immediate)?;
                for r in &todo {
                    let ops = r.ops().ok_or_else(|| damaged(format!("record {} does not parse", r.seq)))?;
                    for op in &ops {
                        replay_op(&txn, version, op).map_err(|e| damaged(format!("record {}: {e}", r.seq)))?;
                    }
                }
                txn.open_table(META)?.insert(JOURNAL_SEQ, last.to_be_bytes().as_slice())?;
                txn.commit()?;
                Ok::<(), StoreError>(())
            })?;
        }
        std::fs::remove_file(&path).map_err(|e| StoreError::Io(format!("{}: {e}", path.display())))
    }

    /// Runs `f` on one consistent snapshot.
    pub fn read<T, E: From<StoreError>>(&self, f: impl FnOnce(&ReadTx) -> Result<T, E>) -> Result<T, E> {
        self.guarded(|| {
            let tx = ReadTx::open(self.begin_read()?);
            f(&tx)
        })
    }

    /// Writes a consistent copy of the whole database to `dest` (a new file) from one read
    /// snapshot, then opens the copy and checks it: its data version, its audit chain and its
    /// number of tickets. Returns that number.
    pub fn backup_to(&self, dest: &Path) -> Result<u64, StoreError> {
        self.backup_with_progress(dest, &|_, _| {})
    }

    /// [`Store::backup_to`], telling `progress` how many rows of how many are copied.
    ///
    /// # Errors
    /// As [`Store::backup_to`].
    pub fn backup_with_progress(&self, dest: &Path, progress: &dyn Fn(u64, u64)) -> Result<u64, StoreError> {
        if dest.exists() {
            return Err(StoreError::Exists { path: dest.to_path_buf() });
        }
        if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Io(format!("{}: {e}", dir.display())))?;
        }
        // A name of its own: two backups at once (the daily one and an admin's) never meet.
        let partial = PathBuf::from(format!("{}.{}.partial", dest.display(), std::process::id()));
        // A backup killed half-way left a partial file; it is never a backup.
        remove_stale_partials(dest.parent());
        let made = self.guarded(|| self.copy_to(&partial, progress));
        let expected = match made {
            Ok(n) => n,
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
        };
        std::fs::rename(&partial, dest).map_err(|e| StoreError::io_on(dest, true, &e))?;
        let check = Store::check_file(dest)?;
        if check != expected {
            return Err(StoreError::Corrupt(format!("the backup holds {check} tickets, not {expected}")));
        }
        Ok(check)
    }

    /// Copies every table into a new file at `partial` from one read snapshot, durably.
    /// Returns the number of tickets copied.
    fn copy_to(&self, partial: &Path, progress: &dyn Fn(u64, u64)) -> Result<u64, StoreError> {
        let expected = {
            let rx = self.begin_read()?;
            let db = Database::builder()
                .set_cache_size(CACHE_BYTES)
                .create(partial)
                .map_err(|e| StoreError::Io(format!("{}: {e}", partial.display())))?;
            let total = count_every_row(&rx)?;
            let mut copy = BackupCopy { db, wx: None, pending: 0, rows: 0, total, progress };
            copy_every_table(&rx, &mut copy)?;
            copy.commit()?;
            match rx.open_table(TICKETS) {
                Ok(t) => t.len()?,
                Err(_) => 0,
            }
        };
        std::fs::File::open(partial).and_then(|f| f.sync_all()).map_err(|e| StoreError::io_on(partial, true, &e))?;
        Ok(expected)
    }

    /// Opens a file, checks its data version and audit chain, and returns its ticket count.
    pub fn check_file(path: &Path) -> Result<u64, StoreError> {
        let store = Store::open_for_check(path)?;
        store.read(|rx| match rx.verify_chain()? {
            chain::Verdict::Intact { .. } => rx.ticket_count(),
            chain::Verdict::Altered { tickets, .. } => Err(StoreError::Corrupt(format!(
                "{}: {} ticket records differ from their audit chain",
                path.display(),
                tickets.len()
            ))),
            chain::Verdict::Broken { position, .. } => Err(StoreError::Corrupt(format!(
                "{}: the audit chain breaks at event {}",
                path.display(),
                position + 1
            ))),
        })
    }

    /// Rewrites the file to drop free pages (after a large demo build).
    pub fn compact(&self) -> Result<bool, StoreError> {
        let done = self.guarded(|| {
            drop(self.begin_write()?);
            match &mut *self.db.write().unwrap_or_else(|p| p.into_inner()) {
                Handle::ReadWrite(db) => match db.compact() {
                    Ok(done) => Ok::<bool, StoreError>(done),
                    // Another program is reading or writing at this moment.
                    Err(redb::CompactionError::TransactionInProgress) => Err(StoreError::Busy),
                    Err(e) => Err(e.into()),
                },
                _ => Ok(false),
            }
        })?;
        Ok(done)
    }

    /// Runs redb's own integrity check (every page's checksum) over a copy of the file taken
    /// beside it: the check repairs and commits what it checks, and the hall's file itself must
    /// not change, whatever the verdict. Needs free space for one copy for the check's length;
    /// the copy is removed afterwards.
    ///
    /// # Errors
    /// `Damaged` when redb finds the file damaged; `Busy` when other windows are writing.
    pub fn check_integrity(&self) -> Result<bool, StoreError> {
        let copy = PathBuf::from(format!("{}.checking-{}", self.path.display(), std::process::id()));
        remove_stale_checks(&self.path);
        let result = self.guarded(|| {
            // One consistent moment of the file, though other programs may be writing it
            // (redb's multi-process mode). Open for writing (the server), a write transaction
            // held while copying keeps every program's writes out. Read-only (`yimen check`),
            // the copy is taken without writing a byte and counts only if the file's header —
            // where every commit lands last — is the same after it as before; a few tries, then
            // the writes are held out as above.
            let writable = matches!(&*self.db.read().unwrap_or_else(|p| p.into_inner()), Handle::ReadWrite(_));
            let mut copied = false;
            if !writable {
                for _ in 0..5 {
                    let before = file_head(&self.path)?;
                    std::fs::copy(&self.path, &copy).map_err(|e| StoreError::io_on(&copy, true, &e))?;
                    if file_head(&self.path)? == before {
                        copied = true;
                        break;
                    }
                }
            }
            if !copied {
                let held = match self.begin_write() {
                    Ok(txn) => Some(txn),
                    Err(StoreError::Permission { .. }) => None,
                    Err(e) => return Err(e),
                };
                std::fs::copy(&self.path, &copy).map_err(|e| StoreError::io_on(&copy, true, &e))?;
                if let Some(txn) = held {
                    txn.abort().map_err(StoreError::from)?;
                }
            }
            let mut db = Database::builder().set_cache_size(CACHE_BYTES).open(&copy).map_err(|e| match e {
                DatabaseError::Storage(redb::StorageError::Corrupted(why)) => StoreError::damaged(&self.path, &why),
                // The copy's own trouble (a full disk while it is repaired …), not the file's.
                other => StoreError::Io(format!("{}: {}", copy.display(), other.to_string().replace('\n', " "))),
            })?;
            db.check_integrity().map_err(|e| match e {
                DatabaseError::Storage(redb::StorageError::Corrupted(why)) => StoreError::damaged(&self.path, &why),
                DatabaseError::TransactionInProgress => StoreError::Busy,
                other => StoreError::Io(other.to_string().replace('\n', " ")),
            })
        });
        let _ = std::fs::remove_file(&copy);
        result
    }

    /// Drops the idempotency keys recorded before `day` (a retry comes within minutes, not
    /// days). Returns how many were dropped.
    pub fn prune_idempotency(&self, day: Date) -> Result<u64, StoreError> {
        let before = julian(day);
        self.write(|tx| {
            let n = tx.idem.len()?;
            tx.idem.retain(|_, v| rmp_serde::from_slice::<IdemRecord>(v).is_ok_and(|r| r.day >= before))?;
            Ok::<u64, StoreError>(n - tx.idem.len()?)
        })
    }

    /// The file's size when it was opened.
    pub fn size_at_rest(&self) -> u64 {
        self.size_at_rest
    }
}

impl Drop for Store {
    /// Quietly, like every touch of redb: a damaged file may make redb panic even while its
    /// handle is dropped.
    fn drop(&mut self) {
        let handle = std::mem::replace(self.db.get_mut().unwrap_or_else(|p| p.into_inner()), Handle::Closed);
        let _ = guard::catch(move || drop(handle));
    }
}

/// The first 8 KiB of the file at `path`: redb's header, which every commit rewrites last.
fn file_head(path: &Path) -> Result<Vec<u8>, StoreError> {
    use std::io::Read;
    let mut head = Vec::with_capacity(8192);
    std::fs::File::open(path)
        .and_then(|f| f.take(8192).read_to_end(&mut head))
        .map_err(|e| StoreError::io_on(path, false, &e))?;
    Ok(head)
}

/// Opens one table with its definition (see `check_tables`).
fn check_table<K: redb::Key + 'static, V: redb::Value + 'static>(
    path: &Path,
    txn: &redb::ReadTransaction,
    def: redb::TableDefinition<K, V>,
) -> Result<(), StoreError> {
    match txn.open_table(def) {
        Ok(_) | Err(redb::TableError::TableDoesNotExist(_)) => Ok(()),
        Err(e) => Err(StoreError::damaged(path, &e.to_string())),
    }
}

/// Removes the copies a `check` killed half-way left beside the database at `db`
/// (`<db>.checking-<pid>`), once they are an hour old.
fn remove_stale_checks(db: &Path) {
    let (Some(dir), Some(name)) = (db.parent(), db.file_name()) else { return };
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    let prefix = format!("{}.checking-", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.filter_map(Result::ok) {
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|a| a > Duration::from_secs(3600));
        if old && e.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Removes from `dir` the partial files of backups killed half-way: ours only (`….redb.<pid>
/// .partial`, or the older `….partial` of a yimen backup name) and only once they are an hour
/// old, so a backup still being written is never touched.
fn remove_stale_partials(dir: Option<&Path>) {
    let Some(entries) = dir.and_then(|d| std::fs::read_dir(d).ok()) else { return };
    let hour = Duration::from_secs(3600);
    for e in entries.filter_map(Result::ok) {
        let name = e.file_name().to_string_lossy().into_owned();
        let ours = name.ends_with(".partial")
            && (name.contains(".redb.") || name.starts_with("yimen-") || name.starts_with("auto-"));
        let old = e.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).is_some_and(|a| a > hour);
        if ours && old {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// What an idempotency key recorded (`idem-2`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IdemRecord {
    pub ticket: TicketId,
    /// Julian day of the action.
    pub day: i32,
    /// SHA-256 (hex) of the request: account, action and body.
    pub fingerprint: String,
}

/// `meta-1` keys an earlier version's journal is matched with: the database's id, and the last
/// journal record its durable state holds.
const STORE_ID: &str = "store_id";
/// `meta-1` key of the configuration's generation (see `WriteTx::bump_configuration`).
const CONFIG_GENERATION: &str = "config_gen";
const JOURNAL_SEQ: &str = "journal_seq";

macro_rules! write_tx {
    ($($field:ident / $read:ident: $def:ident = $j:ident => $k:ty, $v:ty;)*) => {
        /// A write transaction with every table open.
        pub struct WriteTx<'t> {
            txn: &'t redb::WriteTransaction,
            $(pub(crate) $field: redb::Table<'t, $k, $v>,)*
            /// The hall's UTC offset, to date a ticket's steps for the day-totals cache.
            offset: time::UtcOffset,
        }

        impl<'t> WriteTx<'t> {
            /// Opens every table, then reads the offset from `meta`.
            fn open(txn: &'t redb::WriteTransaction) -> Result<WriteTx<'t>, StoreError> {
                let mut tx = WriteTx {
                    txn,
                    offset: yimen_domain::clock::DEFAULT_OFFSET,
                    $($field: txn.open_table($def)?,)*
                };
                if let Some(o) =
                    tx.meta.get("utc_offset")?.and_then(|v| yimen_domain::clock::parse_offset(&String::from_utf8_lossy(v.value())))
                {
                    tx.offset = o;
                }
                Ok(tx)
            }
        }

        /// Applies one op of an earlier version's journal to its table, opened by its
        /// definition (a file of data version 6 kept `idem-1` under the id `idem-2` has now).
        fn replay_op(txn: &redb::WriteTransaction, version: u32, op: &journal::Op<'_>) -> Result<(), StoreError> {
            if op.table == J_IDEM && version < 7 {
                return apply(&mut txn.open_table(IDEM_V1)?, op);
            }
            match op.table {
                $($j => apply(&mut txn.open_table($def)?, op),)*
                other => Err(StoreError::Corrupt(format!("table id {other}"))),
            }
        }

        /// How many rows the tables of a read snapshot hold together.
        fn count_every_row(rx: &redb::ReadTransaction) -> Result<u64, StoreError> {
            let mut n = 0;
            $(n += match rx.open_table($def) {
                Ok(t) => t.len()?,
                Err(redb::TableError::TableDoesNotExist(_)) => 0,
                Err(e) => return Err(e.into()),
            };)*
            Ok(n)
        }

        /// Copies every table from a read snapshot into another file (see `COPY_CHUNK`).
        fn copy_every_table(rx: &redb::ReadTransaction, copy: &mut BackupCopy<'_>) -> Result<(), StoreError> {
            $(copy_table(rx, copy, $def)?;)*
            Ok(())
        }

        /// Opens every table of ours that the file has, with its definition: a table whose
        /// stored key or value type is not ours means a damaged (or foreign) file.
        fn check_tables(path: &Path, txn: &redb::ReadTransaction) -> Result<(), StoreError> {
            $(check_table(path, txn, $def)?;)*
            Ok(())
        }

        /// Whether a table of that name belongs to this data version (or an older one).
        fn is_our_table(name: &str) -> bool {
            [$($def.name(),)*].contains(&name) || LEGACY_TABLES.contains(&name)
        }
    };
}
for_every_table!(write_tx);

/// A read snapshot. Each table is opened the first time a read needs it; tables that do not
/// exist yet (a brand-new file) read as empty.
/// A table of a read snapshot, opened on first use (`None`: it does not exist yet).
type Lazy<K, V> = OnceCell<Option<redb::ReadOnlyTable<K, V>>>;

/// What a lazily opened table gives: the table, or `None` when it does not exist yet.
type Opened<'a, K, V> = Result<Option<&'a redb::ReadOnlyTable<K, V>>, StoreError>;

macro_rules! read_tx {
    ($($field:ident / $read:ident: $def:ident = $j:ident => $k:ty, $v:ty;)*) => {
        pub struct ReadTx {
            txn: redb::ReadTransaction,
            $($field: Lazy<$k, $v>,)*
        }

        #[allow(dead_code)] // every table has its accessor; not every one is read yet
        impl ReadTx {
            fn open(txn: redb::ReadTransaction) -> ReadTx {
                ReadTx { txn, $($field: OnceCell::new(),)* }
            }

            $(
                fn $read(&self) -> Opened<'_, $k, $v> {
                    lazy(&self.txn, &self.$field, $def)
                }
            )*
        }
    };
}
for_every_table!(read_tx);

impl WriteTx<'_> {
    pub fn meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.meta.get(key)?.map(|v| v.value().to_vec()))
    }

    /// What an earlier request with this idempotency key did.
    pub fn idempotent(&self, key: &str) -> Result<Option<IdemRecord>, StoreError> {
        self.idem.get(key)?.map(|v| decode(v.value(), &|| "idempotency key".into())).transpose()
    }

    /// Records that the request with this idempotency key and `fingerprint` acted on `id` on
    /// `day`.
    pub fn set_idempotent(&mut self, key: &str, id: TicketId, day: Date, fingerprint: &str) -> Result<(), StoreError> {
        let rec = IdemRecord { ticket: id, day: julian(day), fingerprint: fingerprint.to_string() };
        put(&mut self.idem, &key, &encode(&rec)?.as_slice())
    }

    pub fn set_meta(&mut self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        put(&mut self.meta, &key, &value)
    }

    pub fn catalog(&self) -> Result<Option<Catalog>, StoreError> {
        match self.catalog.get("current")? {
            Some(v) => Ok(Some(decode(v.value(), &|| "catalog".into())?)),
            None => Ok(None),
        }
    }

    pub fn set_catalog(&mut self, catalog: &Catalog, source: &str) -> Result<(), StoreError> {
        put(&mut self.catalog, &"current", &encode(catalog)?.as_slice())?;
        put(&mut self.catalog, &"source", &source.as_bytes())?;
        self.bump_configuration()
    }

    /// Marks a change of the hall's configuration (catalog, settings, accounts) in this
    /// transaction: every program holding the file open sees the generation move and reads the
    /// configuration again (`ReadTx::configuration_generation`).
    ///
    /// # Errors
    /// The store's.
    pub fn bump_configuration(&mut self) -> Result<(), StoreError> {
        let now = self.meta(CONFIG_GENERATION)?.and_then(|b| b.try_into().ok()).map(u64::from_be_bytes).unwrap_or(0);
        self.set_meta(CONFIG_GENERATION, &(now + 1).to_be_bytes())
    }

    /// The next ticket id: one more than the largest ever stored.
    pub fn next_ticket_id(&self) -> Result<TicketId, StoreError> {
        Ok(self.tickets.last()?.map(|(k, _)| k.value() + 1).unwrap_or(1))
    }

    /// Hands out the next queue number of `letter` on `day`. Part of the caller's transaction,
    /// so a failed action never burns or repeats a number.
    pub fn allocate_number(&mut self, day: Date, letter: char) -> Result<QueueNumber, StoreError> {
        let key = (julian(day), letter_byte(letter));
        let last = self.counters.get(key)?.map(|v| v.value()).unwrap_or(0);
        if last >= MAX_SEQ {
            return Err(StoreError::NumbersExhausted { letter, date: day.to_string(), max: MAX_SEQ });
        }
        put(&mut self.counters, &key, &(last + 1))?;
        Ok(QueueNumber { letter, seq: last + 1 })
    }

    pub fn ticket(&self, id: TicketId) -> Result<Option<Ticket>, StoreError> {
        read_ticket(&self.tickets, id)
    }

    /// Writes a new ticket and every index entry it belongs in.
    pub fn insert_ticket(&mut self, t: &Ticket) -> Result<(), StoreError> {
        let n = t.number;
        let nkey = (julian(t.date), letter_byte(n.letter), n.seq);
        if self.numbers.get(nkey)?.is_some() {
            return Err(StoreError::Corrupt(format!("number {n} on {} is already taken", t.date)));
        }
        put(&mut self.numbers, &nkey, &t.id)?;
        put(&mut self.day, &(julian(t.date), t.id), &())?;
        self.update_ticket(None, t)
    }

    /// Writes a changed ticket and moves its index entries from `old` to `new`.
    pub fn update_ticket(&mut self, old: Option<&Ticket>, new: &Ticket) -> Result<(), StoreError> {
        put(&mut self.tickets, &new.id, &encode(new)?.as_slice())?;
        let r = reindex(old, new, self.offset);
        for d in r.stale_days {
            del(&mut self.daytotals, &d)?;
        }
        if let Some(k) = r.waiting_out {
            del(&mut self.waiting, &k)?;
        }
        if let Some(k) = r.open_out {
            del(&mut self.open, &k)?;
        }
        if let Some((k, letter)) = r.waiting_in {
            put(&mut self.waiting, &k, &letter)?;
        }
        if let Some(k) = r.open_in {
            put(&mut self.open, &k, &())?;
        }
        if let Some(k) = r.followup_out {
            del(&mut self.followup, &k)?;
        }
        if let Some(k) = r.followup_in {
            put(&mut self.followup, &k, &())?;
        }
        for tok in &r.tokens_out {
            del(&mut self.search, &(tok.as_str(), new.id))?;
        }
        for tok in &r.tokens_in {
            put(&mut self.search, &(tok.as_str(), new.id), &())?;
        }
        Ok(())
    }

    /// Stores a finished day's totals (opaque bytes owned by the report module).
    pub fn put_day_totals(&mut self, day: Date, bytes: &[u8]) -> Result<(), StoreError> {
        put(&mut self.daytotals, &julian(day), &bytes)
    }

    /// Forgets every cached day (after the hall's UTC offset changes).
    pub fn clear_day_totals(&mut self) -> Result<(), StoreError> {
        self.daytotals.retain(|_, _| false)?;
        Ok(())
    }

    /// Appends an event; `day` is its date in the hall's time (for the activity index).
    pub fn append_event(&mut self, e: &Event, day: Date) -> Result<(), StoreError> {
        if e.ticket != SYSTEM {
            put(&mut self.activity, &(julian(day), e.ticket), &())?;
        }
        let mut e = e.clone();
        if e.ticket != SYSTEM {
            // The ticket is written before its event in the same transaction.
            let record = self.tickets.get(e.ticket)?.map(|v| chain::state_of(v.value()));
            e.state = Some(record.ok_or_else(|| StoreError::Corrupt(format!("ticket {} missing", e.ticket)))?);
        }
        let (head, len) = self.chain_state()?;
        let new_head = chain::link(&mut e, &head);
        put(&mut self.chain, &len, &(e.ticket, e.seq))?;
        put(&mut self.meta, &CHAIN_HEAD, &new_head.as_bytes())?;
        put(&mut self.meta, &CHAIN_LEN, &(len + 1).to_be_bytes().as_slice())?;
        let e = &e;
        let key = (e.ticket, e.seq);
        if self.events.get(key)?.is_some() {
            return Err(StoreError::Corrupt(format!("event {} of ticket {} already exists", e.seq, e.ticket)));
        }
        put(&mut self.events, &key, &encode(e)?.as_slice())
    }

    pub fn find_number(&self, day: Date, n: QueueNumber) -> Result<Option<TicketId>, StoreError> {
        Ok(self.numbers.get((julian(day), letter_byte(n.letter), n.seq))?.map(|v| v.value()))
    }

    /// The next sequence number of the hall's own events (ticket id 0).
    pub fn next_system_seq(&self) -> Result<u32, StoreError> {
        Ok(self
            .events
            .range((SYSTEM, 0u32)..=(SYSTEM, u32::MAX))?
            .next_back()
            .transpose()?
            .map(|(k, _)| k.value().1 + 1)
            .unwrap_or(0))
    }

    pub fn user(&self, name: &str) -> Result<Option<User>, StoreError> {
        match self.users.get(name)? {
            Some(v) => Ok(Some(decode_user(name, v.value())?)),
            None => Ok(None),
        }
    }

    pub fn put_user(&mut self, u: &User) -> Result<(), StoreError> {
        put(&mut self.users, &u.name.as_str(), &encode(u)?.as_slice())?;
        self.bump_configuration()
    }

    pub fn users(&self) -> Result<Vec<User>, StoreError> {
        read_users(&self.users)
    }

    /// The audit chain's head hash and length.
    fn chain_state(&self) -> Result<(String, u64), StoreError> {
        chain_state_of(self.meta(CHAIN_HEAD)?, self.meta(CHAIN_LEN)?)
    }

    /// The first waiting ticket of `day` in call order whose letter is in `letters` (all when
    /// empty): priority first, then the longest in the queue.
    pub fn next_waiting(&self, day: Date, letters: &[char]) -> Result<Option<TicketId>, StoreError> {
        let d = julian(day);
        for row in self.waiting.range((d, 0u8, i64::MIN, 0u64)..=(d, u8::MAX, i64::MAX, u64::MAX))? {
            let (k, v) = row?;
            let letter = v.value() as char;
            if letters.is_empty() || letters.contains(&letter) {
                return Ok(Some(k.value().3));
            }
        }
        Ok(None)
    }
}

// Journal ids of the tables: stable, they are written in journal files.
const J_META: u8 = 0;
const J_TICKETS: u8 = 1;
const J_EVENTS: u8 = 2;
const J_DAY: u8 = 3;
const J_ACTIVITY: u8 = 4;
const J_FOLLOWUP: u8 = 5;
const J_CHAIN: u8 = 6;
const J_USERS: u8 = 7;
const J_DAYTOTALS: u8 = 8;
const J_OPEN: u8 = 9;
const J_WAITING: u8 = 10;
const J_COUNTERS: u8 = 11;
const J_NUMBERS: u8 = 12;
const J_CATALOG: u8 = 13;
const J_SEARCH: u8 = 14;
const J_IDEM: u8 = 15;

/// Inserts into a table of the transaction.
fn put<K: redb::Key + 'static, V: redb::Value + 'static>(
    table: &mut redb::Table<'_, K, V>,
    key: &K::SelfType<'_>,
    value: &V::SelfType<'_>,
) -> Result<(), StoreError> {
    table.insert(key, value)?;
    Ok(())
}

/// Removes from a table of the transaction.
fn del<K: redb::Key + 'static, V: redb::Value + 'static>(
    table: &mut redb::Table<'_, K, V>,
    key: &K::SelfType<'_>,
) -> Result<(), StoreError> {
    table.remove(key)?;
    Ok(())
}

/// Applies one op of an earlier version's journal to its table, after checking that its bytes
/// are a key and a value of the table's types (redb's decoders panic on anything else).
fn apply<K: redb::Key + 'static, V: redb::Value + 'static>(
    table: &mut redb::Table<'_, K, V>,
    op: &journal::Op<'_>,
) -> Result<(), StoreError> {
    let bad = |what: &str| StoreError::Corrupt(format!("a {what} that is not a {}", K::type_name().name()));
    match op.op {
        journal::OP_PUT => {
            if !journal::decodes_as::<K>(op.key) {
                return Err(bad("key"));
            }
            if !journal::decodes_as::<V>(op.value) {
                return Err(StoreError::Corrupt(format!("a value that is not a {}", V::type_name().name())));
            }
            table.insert(K::from_bytes(op.key), V::from_bytes(op.value))?;
        }
        journal::OP_DEL => {
            if !journal::decodes_as::<K>(op.key) {
                return Err(bad("key"));
            }
            table.remove(K::from_bytes(op.key))?;
        }
        journal::OP_CLEAR => {
            table.retain(|_, _| false)?;
        }
        other => return Err(StoreError::Corrupt(format!("op {other}"))),
    }
    Ok(())
}

impl WriteTx<'_> {
    /// Deletes a table of an older data version (migrations).
    fn drop_table<K: redb::Key + 'static, V: redb::Value + 'static>(
        &mut self,
        def: redb::TableDefinition<K, V>,
    ) -> Result<(), StoreError> {
        self.txn.delete_table(def)?;
        Ok(())
    }
}

/// A backup's copy is committed, durably, every this many bytes: a window's own commit then
/// never waits for more than this much of the copy to reach the disk (a file system's sync
/// takes along what other files left unwritten), however large the hall's file is.
const COPY_CHUNK: usize = 8 << 20;

/// The copy a backup writes: the new file and its open write transaction.
struct BackupCopy<'p> {
    db: Database,
    wx: Option<redb::WriteTransaction>,
    /// Bytes written since the last commit.
    pending: usize,
    /// Rows copied, of `total`, told to `progress` at each commit.
    rows: u64,
    total: u64,
    progress: &'p dyn Fn(u64, u64),
}

impl BackupCopy<'_> {
    fn tx(&mut self) -> Result<&redb::WriteTransaction, StoreError> {
        if self.wx.is_none() {
            let mut wx = self.db.begin_write()?;
            wx.set_durability(Durability::Immediate)?;
            self.wx = Some(wx);
        }
        self.wx.as_ref().ok_or_else(|| StoreError::Internal("no write transaction".into()))
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        if let Some(wx) = self.wx.take() {
            wx.commit()?;
        }
        self.pending = 0;
        (self.progress)(self.rows, self.total);
        Ok(())
    }
}

fn copy_table<K: redb::Key + 'static, V: redb::Value + 'static>(
    rx: &redb::ReadTransaction,
    copy: &mut BackupCopy<'_>,
    def: redb::TableDefinition<K, V>,
) -> Result<(), StoreError> {
    let src = match rx.open_table(def) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let mut rows = src.iter()?;
    loop {
        let mut pending = copy.pending;
        let mut copied = copy.rows;
        let mut full = false;
        {
            let mut dst = copy.tx()?.open_table(def)?;
            for row in rows.by_ref() {
                let (k, v) = row?;
                pending += K::as_bytes(&k.value()).as_ref().len() + V::as_bytes(&v.value()).as_ref().len();
                dst.insert(k.value(), v.value())?;
                copied += 1;
                if pending >= COPY_CHUNK {
                    full = true;
                    break;
                }
            }
        }
        copy.pending = pending;
        copy.rows = copied;
        if !full {
            return Ok(());
        }
        copy.commit()?;
    }
}

const CHAIN_HEAD: &str = "chain_head";
const CHAIN_LEN: &str = "chain_len";

fn chain_state_of(head: Option<Vec<u8>>, len: Option<Vec<u8>>) -> Result<(String, u64), StoreError> {
    let head = head.map(|h| String::from_utf8_lossy(&h).into_owned()).unwrap_or_else(|| chain::GENESIS.to_string());
    let len = match len {
        Some(b) => u64::from_be_bytes(b.as_slice().try_into().map_err(|_| StoreError::Corrupt("chain length".into()))?),
        None => 0,
    };
    Ok((head, len))
}

/// The writes the application layer makes inside one transaction. `WriteTx` is the store's;
/// the benchmark's SQLite baseline implements it too, so both run the very same actions.
pub trait Tables: TicketLookup {
    fn allocate_number(&mut self, day: Date, letter: char) -> Result<QueueNumber, StoreError>;
    fn next_ticket_id(&self) -> Result<TicketId, StoreError>;
    fn insert_ticket(&mut self, t: &Ticket) -> Result<(), StoreError>;
    fn update_ticket(&mut self, old: Option<&Ticket>, new: &Ticket) -> Result<(), StoreError>;
    fn append_event(&mut self, e: &Event, day: Date) -> Result<(), StoreError>;
    fn next_waiting(&self, day: Date, letters: &[char]) -> Result<Option<TicketId>, StoreError>;
}

impl Tables for WriteTx<'_> {
    fn allocate_number(&mut self, day: Date, letter: char) -> Result<QueueNumber, StoreError> {
        WriteTx::allocate_number(self, day, letter)
    }
    fn next_ticket_id(&self) -> Result<TicketId, StoreError> {
        WriteTx::next_ticket_id(self)
    }
    fn insert_ticket(&mut self, t: &Ticket) -> Result<(), StoreError> {
        WriteTx::insert_ticket(self, t)
    }
    fn update_ticket(&mut self, old: Option<&Ticket>, new: &Ticket) -> Result<(), StoreError> {
        WriteTx::update_ticket(self, old, new)
    }
    fn append_event(&mut self, e: &Event, day: Date) -> Result<(), StoreError> {
        WriteTx::append_event(self, e, day)
    }
    fn next_waiting(&self, day: Date, letters: &[char]) -> Result<Option<TicketId>, StoreError> {
        WriteTx::next_waiting(self, day, letters)
    }
}

/// Finding a ticket by id or by a day's queue number, in a read or a write transaction.
pub trait TicketLookup {
    fn ticket(&self, id: TicketId) -> Result<Option<Ticket>, StoreError>;
    fn find_number(&self, day: Date, n: QueueNumber) -> Result<Option<TicketId>, StoreError>;
}

impl TicketLookup for WriteTx<'_> {
    fn ticket(&self, id: TicketId) -> Result<Option<Ticket>, StoreError> {
        WriteTx::ticket(self, id)
    }
    fn find_number(&self, day: Date, n: QueueNumber) -> Result<Option<TicketId>, StoreError> {
        WriteTx::find_number(self, day, n)
    }
}

impl TicketLookup for ReadTx {
    fn ticket(&self, id: TicketId) -> Result<Option<Ticket>, StoreError> {
        ReadTx::ticket(self, id)
    }
    fn find_number(&self, day: Date, n: QueueNumber) -> Result<Option<TicketId>, StoreError> {
        ReadTx::find_number(self, day, n)
    }
}

fn decode_user(name: &str, bytes: &[u8]) -> Result<User, StoreError> {
    decode(bytes, &|| format!("account {name}"))
}

fn read_users(table: &impl ReadableTable<&'static str, &'static [u8]>) -> Result<Vec<User>, StoreError> {
    let mut out = Vec::new();
    for row in table.iter()? {
        let (k, v) = row?;
        out.push(decode_user(k.value(), v.value())?);
    }
    Ok(out)
}

fn read_ticket(table: &impl ReadableTable<u64, &'static [u8]>, id: TicketId) -> Result<Option<Ticket>, StoreError> {
    match table.get(id)? {
        Some(v) => Ok(Some(decode(v.value(), &|| format!("ticket {id}"))?)),
        None => Ok(None),
    }
}

/// Opens a table of a read transaction the first time it is asked for; a table that does not
/// exist yet (a brand-new file) reads as empty.
fn lazy<'c, K: redb::Key + 'static, V: redb::Value + 'static>(
    txn: &redb::ReadTransaction,
    cell: &'c Lazy<K, V>,
    def: redb::TableDefinition<K, V>,
) -> Opened<'c, K, V> {
    if let Some(t) = cell.get() {
        return Ok(t.as_ref());
    }
    let t = missing_ok(txn.open_table(def))?;
    Ok(cell.get_or_init(|| t).as_ref())
}

fn missing_ok<T>(r: Result<T, redb::TableError>) -> Result<Option<T>, StoreError> {
    match r {
        Ok(t) => Ok(Some(t)),
        Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

impl ReadTx {
    /// How many times the hall's configuration (catalog, settings, accounts) has changed: a
    /// program that read it at another generation reads it again.
    ///
    /// # Errors
    /// The store's.
    pub fn configuration_generation(&self) -> Result<u64, StoreError> {
        Ok(self.meta(CONFIG_GENERATION)?.and_then(|b| b.try_into().ok()).map(u64::from_be_bytes).unwrap_or(0))
    }

    pub fn meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(t) = self.meta_table()? else { return Ok(None) };
        Ok(t.get(key)?.map(|v| v.value().to_vec()))
    }

    pub fn catalog(&self) -> Result<Option<Catalog>, StoreError> {
        let Some(t) = self.catalog_table()? else {
            return Ok(None);
        };
        match t.get("current")? {
            Some(v) => Ok(Some(decode(v.value(), &|| "catalog".into())?)),
            None => Ok(None),
        }
    }

    pub fn ticket(&self, id: TicketId) -> Result<Option<Ticket>, StoreError> {
        match self.tickets_table()? {
            Some(t) => read_ticket(t, id),
            None => Ok(None),
        }
    }

    pub fn ticket_count(&self) -> Result<u64, StoreError> {
        match self.tickets_table()? {
            Some(t) => Ok(t.len()?),
            None => Ok(0),
        }
    }

    /// The audit chain from position `from` (0 is the first event), at most `limit` events, in
    /// chain order, each with its position: what the town's sync sends, a batch at a time.
    ///
    /// # Errors
    /// The store's; `Corrupt` for a chain entry whose event is missing.
    pub fn chain_from(&self, from: u64, limit: usize) -> Result<Vec<(u64, Event)>, StoreError> {
        let (Some(order), Some(events)) = (self.chain_table()?, self.events_table()?) else { return Ok(Vec::new()) };
        let mut out = Vec::new();
        for row in order.range(from..)?.take(limit) {
            let (k, v) = row?;
            let (ticket, seq) = v.value();
            let Some(raw) = events.get((ticket, seq))? else {
                return Err(StoreError::Corrupt(format!("chain position {} names a missing event", k.value())));
            };
            out.push((k.value(), decode(raw.value(), &|| format!("event {seq} of ticket {ticket}"))?));
        }
        Ok(out)
    }

    /// A ticket's stored record as the database holds it (MessagePack), for comparing with the
    /// state hash its newest event carries (`chain::state_of`).
    ///
    /// # Errors
    /// The store's.
    pub fn ticket_record(&self, id: TicketId) -> Result<Option<Vec<u8>>, StoreError> {
        match self.tickets_table()? {
            Some(t) => Ok(t.get(id)?.map(|v| v.value().to_vec())),
            None => Ok(None),
        }
    }

    /// Every event of a ticket, oldest first.
    pub fn events(&self, id: TicketId) -> Result<Vec<Event>, StoreError> {
        let Some(t) = self.events_table()? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for row in t.range((id, 0u32)..=(id, u32::MAX))? {
            let (k, v) = row?;
            let seq = k.value().1;
            out.push(decode(v.value(), &|| format!("event {seq} of ticket {id}"))?);
        }
        Ok(out)
    }

    fn tickets_of(&self, ids: impl IntoIterator<Item = TicketId>) -> Result<Vec<Ticket>, StoreError> {
        let mut out = Vec::new();
        for id in ids {
            match self.ticket(id)? {
                Some(t) => out.push(t),
                None => {
                    return Err(StoreError::Corrupt(format!("an index names ticket {id}, which is missing")));
                }
            }
        }
        Ok(out)
    }

    /// Every ticket taken on `day`, in the order they were taken.
    pub fn day(&self, day: Date) -> Result<Vec<Ticket>, StoreError> {
        let Some(t) = self.day_table()? else {
            return Ok(Vec::new());
        };
        let d = julian(day);
        let mut ids = Vec::new();
        for row in t.range((d, 0u64)..=(d, u64::MAX))? {
            ids.push(row?.0.value().1);
        }
        self.tickets_of(ids)
    }

    /// The cached totals of the finished days in `[from, to]` that have them, by Julian day.
    pub fn day_totals(&self, from: Date, to: Date) -> Result<Vec<(i32, Vec<u8>)>, StoreError> {
        let Some(t) = self.daytotals_table()? else { return Ok(Vec::new()) };
        let mut out = Vec::new();
        for row in t.range(julian(from)..=julian(to))? {
            let (k, v) = row?;
            out.push((k.value(), v.value().to_vec()));
        }
        Ok(out)
    }

    /// Every ticket with an event on `day` (taken, called, accepted, completed, rated …).
    pub fn active_on(&self, day: Date) -> Result<Vec<Ticket>, StoreError> {
        let Some(t) = self.activity_table()? else { return Ok(Vec::new()) };
        let d = julian(day);
        let mut ids = Vec::new();
        for row in t.range((d, 0u64)..=(d, u64::MAX))? {
            ids.push(row?.0.value().1);
        }
        self.tickets_of(ids)
    }

    pub fn users(&self) -> Result<Vec<User>, StoreError> {
        match self.users_table()? {
            Some(t) => read_users(t),
            None => Ok(Vec::new()),
        }
    }

    pub fn user(&self, name: &str) -> Result<Option<User>, StoreError> {
        let Some(t) = self.users_table()? else { return Ok(None) };
        t.get(name)?.map(|v| decode_user(name, v.value())).transpose()
    }

    /// The audit chain's head hash and length.
    pub fn chain_state(&self) -> Result<(String, u64), StoreError> {
        chain_state_of(self.meta(CHAIN_HEAD)?, self.meta(CHAIN_LEN)?)
    }

    /// Walks the whole audit chain: each event's hash must match its content and the hash of
    /// the event before it, the chain must end at the recorded head, and every stored event
    /// must be in it.
    pub fn verify_chain(&self) -> Result<chain::Verdict, StoreError> {
        let (head, len) = self.chain_state()?;
        let mut prev = chain::GENESIS.to_string();
        let mut position = 0u64;
        let broken = |position, e: &Event, why: &str| chain::Verdict::Broken {
            position,
            ticket: e.ticket,
            seq: e.seq,
            at: Some(e.at),
            why: why.into(),
        };
        if let (Some(order), Some(events)) = (self.chain_table()?, self.events_table()?) {
            for row in order.iter()? {
                let (k, v) = row?;
                let (ticket, seq) = v.value();
                position = k.value();
                let Some(raw) = events.get((ticket, seq))? else {
                    return Ok(chain::Verdict::Broken { position, ticket, seq, at: None, why: "event missing".into() });
                };
                let e: Event = decode(raw.value(), &|| format!("event {seq} of ticket {ticket}"))?;
                if e.prev != prev {
                    return Ok(broken(position, &e, "does not follow the event before it"));
                }
                if chain::hash_of(&e) != e.hash {
                    return Ok(broken(position, &e, "content changed"));
                }
                prev = e.hash.clone();
                position += 1;
            }
        }
        let stored = match self.events_table()? {
            Some(t) => t.len()?,
            None => 0,
        };
        if position != len || prev != head || stored != len {
            let why = if stored != len { "events outside the chain" } else { "the recorded head does not match" };
            return Ok(chain::Verdict::Broken { position, ticket: 0, seq: 0, at: None, why: why.into() });
        }
        let (altered, uncovered) = self.verify_records()?;
        if !altered.is_empty() {
            return Ok(chain::Verdict::Altered { events: len, head, tickets: altered });
        }
        Ok(chain::Verdict::Intact { events: len, head, uncovered })
    }

    /// Compares every stored ticket record with the hash its newest event carries. Returns the
    /// tickets that differ (with why) and how many have no hash to compare with (their newest
    /// event is older than data version 7).
    fn verify_records(&self) -> Result<(Vec<(u64, String)>, u64), StoreError> {
        let (mut altered, mut uncovered, mut seen) = (Vec::new(), 0u64, 0u64);
        let Some(events) = self.events_table()? else { return Ok((altered, 0)) };
        let tickets = self.tickets_table()?;
        // Only each ticket's newest event is decoded (the chain walk decoded them all once).
        let mut check = |id: u64, raw: &[u8]| -> Result<(), StoreError> {
            seen += 1;
            let last: Event = decode(raw, &|| format!("the newest event of ticket {id}"))?;
            let record = match tickets {
                Some(t) => t.get(id)?.map(|v| chain::state_of(v.value())),
                None => None,
            };
            match (&last.state, record) {
                (_, None) => altered.push((id, "record missing".into())),
                (None, Some(_)) => uncovered += 1,
                (Some(want), Some(have)) if *want != have => altered.push((id, "record changed".into())),
                _ => {}
            }
            Ok(())
        };
        let mut current: Option<(u64, Vec<u8>)> = None;
        for row in events.range((SYSTEM + 1, 0u32)..)? {
            let (k, v) = row?;
            let ticket = k.value().0;
            if let Some((id, last)) = current.take_if(|(id, _)| *id != ticket) {
                check(id, &last)?;
            }
            current = Some((ticket, v.value().to_vec()));
        }
        if let Some((id, last)) = current {
            check(id, &last)?;
        }
        let stored = match tickets {
            Some(t) => t.len()?,
            None => 0,
        };
        if stored != seen {
            altered.push((0, format!("{} ticket records without events", stored.saturating_sub(seen))));
        }
        Ok((altered, uncovered))
    }

    /// Bad ratings awaiting follow-up, by follow-up date.
    pub fn followups(&self) -> Result<Vec<Ticket>, StoreError> {
        let Some(t) = self.followup_table()? else { return Ok(Vec::new()) };
        let mut ids = Vec::new();
        for row in t.iter()? {
            ids.push(row?.0.value().1);
        }
        self.tickets_of(ids)
    }

    /// Waiting tickets of `day` in call order.
    pub fn waiting(&self, day: Date) -> Result<Vec<Ticket>, StoreError> {
        let Some(t) = self.waiting_table()? else {
            return Ok(Vec::new());
        };
        let d = julian(day);
        let mut ids = Vec::new();
        for row in t.range((d, 0u8, i64::MIN, 0u64)..=(d, u8::MAX, i64::MAX, u64::MAX))? {
            ids.push(row?.0.value().3);
        }
        self.tickets_of(ids)
    }

    /// Open cases in deadline order (no deadline last), at most `limit`.
    pub fn open_cases(&self, limit: usize) -> Result<Vec<Ticket>, StoreError> {
        let Some(t) = self.open_table()? else {
            return Ok(Vec::new());
        };
        let mut ids = Vec::new();
        for row in t.iter()?.take(limit) {
            ids.push(row?.0.value().1);
        }
        self.tickets_of(ids)
    }

    pub fn find_number(&self, day: Date, n: QueueNumber) -> Result<Option<TicketId>, StoreError> {
        let Some(t) = self.numbers_table()? else {
            return Ok(None);
        };
        Ok(t.get((julian(day), letter_byte(n.letter), n.seq))?.map(|v| v.value()))
    }

    /// Ticket ids whose search token starts with `prefix` (e.g. `n:张`), newest first, at most
    /// `limit`. A skip scan: for each distinct token under the prefix (at most
    /// `SEARCH_TOKEN_CAP`), it seeks to the token's newest entry and reads back at most `limit`,
    /// so the cost depends on the answer's size, not on how many tickets the history holds.
    pub fn search_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<TicketId>, StoreError> {
        let Some(t) = self.search_table()? else {
            return Ok(Vec::new());
        };
        let mut ids = Vec::new();
        let mut from = prefix.to_string();
        for _ in 0..SEARCH_TOKEN_CAP {
            let token = match t.range((from.as_str(), 0u64)..)?.next() {
                Some(row) => row?.0.value().0.to_string(),
                None => break,
            };
            if !token.starts_with(prefix) {
                break;
            }
            for row in t.range((token.as_str(), 0u64)..=(token.as_str(), u64::MAX))?.rev().take(limit) {
                ids.push(row?.0.value().1);
            }
            // Tokens never hold NUL, so this is the first key after every entry of `token`.
            from = format!("{token}\0");
        }
        ids.sort_unstable_by(|a, b| b.cmp(a));
        ids.dedup();
        ids.truncate(limit);
        Ok(ids)
    }

    pub fn tickets(&self, ids: &[TicketId]) -> Result<Vec<Ticket>, StoreError> {
        self.tickets_of(ids.iter().copied())
    }
}
