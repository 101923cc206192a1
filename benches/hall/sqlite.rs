//! The baseline: yimen's own schema and indexes in SQLite (rusqlite, bundled SQLite, WAL,
//! synchronous=FULL), driven by the same application code. Every table of `store::tables`
//! has its SQLite twin with the same key; the write path implements `store::Tables`, so a
//! take, a call or a completion runs `app::take_in` / `call_in` / `apply_in` exactly as it
//! does against redb, and the reports run `report::daily` / `range` through `report::Source`.
//! Only the storage differs.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use time::{Date, UtcOffset};

use yimen::app::{self, AcceptRequest, DeskError, HallContext, SearchPlan, Settings, TakeRequest, TicketRef};
use yimen::clock::Clock;
use yimen::domain::calendar::Calendar;
use yimen::domain::catalog::Catalog;
use yimen::domain::queue::{MAX_SEQ, QueueNumber};
use yimen::domain::ticket::{Command, Context, Event, Ticket, TicketId};
use yimen::report::{self, Source};
use yimen::tui::worker::{Job, OPEN_LIMIT, Reply, Snapshot};
use yimen_store::keys::{julian, letter_byte, reindex};
use yimen_store::{SEARCH_TOKEN_CAP, StoreError, Tables, TicketLookup, chain};

/// The schema: one table per redb table, same keys, same values (MessagePack blobs).
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tickets(id INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS events(ticket INTEGER NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL,
  PRIMARY KEY(ticket, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS day(day INTEGER NOT NULL, ticket INTEGER NOT NULL, PRIMARY KEY(day, ticket)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS activity(day INTEGER NOT NULL, ticket INTEGER NOT NULL, PRIMARY KEY(day, ticket)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS followup(due INTEGER NOT NULL, ticket INTEGER NOT NULL, PRIMARY KEY(due, ticket)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS chain(pos INTEGER PRIMARY KEY, ticket INTEGER NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS daytotals(day INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS open(due INTEGER NOT NULL, ticket INTEGER NOT NULL, PRIMARY KEY(due, ticket)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS waiting(day INTEGER NOT NULL, rank INTEGER NOT NULL, queued_at INTEGER NOT NULL,
  ticket INTEGER NOT NULL, letter INTEGER NOT NULL, PRIMARY KEY(day, rank, queued_at, ticket)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counters(day INTEGER NOT NULL, letter INTEGER NOT NULL, last INTEGER NOT NULL,
  PRIMARY KEY(day, letter)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS numbers(day INTEGER NOT NULL, letter INTEGER NOT NULL, seq INTEGER NOT NULL,
  ticket INTEGER NOT NULL, PRIMARY KEY(day, letter, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS search(token TEXT NOT NULL, ticket INTEGER NOT NULL, PRIMARY KEY(token, ticket)) WITHOUT ROWID;
";

fn err(e: rusqlite::Error) -> StoreError {
    StoreError::Io(e.to_string())
}

fn encode<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, StoreError> {
    rmp_serde::to_vec_named(v).map_err(|e| StoreError::Io(e.to_string()))
}

fn decode<T: serde::de::DeserializeOwned>(b: &[u8]) -> Result<T, StoreError> {
    rmp_serde::from_slice(b).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Opens a connection the way the baseline always runs: WAL, synchronous=FULL.
pub fn connect(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(err)?;
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0)).map_err(err)?;
    conn.pragma_update(None, "synchronous", "FULL").map_err(err)?;
    conn.execute_batch(SCHEMA).map_err(err)?;
    Ok(conn)
}

/// A write transaction of the baseline, seen through `store::Tables`.
pub struct SqTx<'c> {
    tx: &'c Transaction<'c>,
    offset: UtcOffset,
}

impl SqTx<'_> {
    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.tx
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")
            .map_err(err)?
            .query_row([key], |r| r.get(0))
            .optional()
            .map_err(err)
    }

    fn set_meta(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)")
            .map_err(err)?
            .execute(params![key, value])
            .map_err(err)?;
        Ok(())
    }

    fn exec(&self, sql: &str, p: impl rusqlite::Params) -> Result<(), StoreError> {
        self.tx.prepare_cached(sql).map_err(err)?.execute(p).map_err(err)?;
        Ok(())
    }
}

impl TicketLookup for SqTx<'_> {
    fn ticket(&self, id: TicketId) -> Result<Option<Ticket>, StoreError> {
        read_ticket(self.tx, id)
    }
    fn find_number(&self, day: Date, n: QueueNumber) -> Result<Option<TicketId>, StoreError> {
        find_number(self.tx, day, n)
    }
}

impl Tables for SqTx<'_> {
    fn allocate_number(&mut self, day: Date, letter: char) -> Result<QueueNumber, StoreError> {
        let last: u32 = self
            .tx
            .prepare_cached(
                "INSERT INTO counters(day, letter, last) VALUES (?1, ?2, 1)
                 ON CONFLICT(day, letter) DO UPDATE SET last = last + 1 RETURNING last",
            )
            .map_err(err)?
            .query_row(params![julian(day), letter_byte(letter)], |r| r.get(0))
            .map_err(err)?;
        if last > MAX_SEQ {
            return Err(StoreError::NumbersExhausted { letter, date: day.to_string(), max: MAX_SEQ });
        }
        Ok(QueueNumber { letter, seq: last })
    }

    fn next_ticket_id(&self) -> Result<TicketId, StoreError> {
        self.tx
            .prepare_cached("SELECT COALESCE(MAX(id), 0) + 1 FROM tickets")
            .map_err(err)?
            .query_row([], |r| r.get(0))
            .map_err(err)
    }

    fn insert_ticket(&mut self, t: &Ticket) -> Result<(), StoreError> {
        let n = t.number;
        self.exec(
            "INSERT INTO numbers(day, letter, seq, ticket) VALUES (?1, ?2, ?3, ?4)",
            params![julian(t.date), letter_byte(n.letter), n.seq, t.id],
        )?;
        self.exec("INSERT INTO day(day, ticket) VALUES (?1, ?2)", params![julian(t.date), t.id])?;
        self.update_ticket(None, t)
    }

    fn update_ticket(&mut self, old: Option<&Ticket>, new: &Ticket) -> Result<(), StoreError> {
        self.exec("INSERT OR REPLACE INTO tickets(id, data) VALUES (?1, ?2)", params![new.id, encode(new)?])?;
        let r = reindex(old, new, self.offset);
        for d in r.stale_days {
            self.exec("DELETE FROM daytotals WHERE day = ?1", [d])?;
        }
        if let Some((d, r, q, id)) = r.waiting_out {
            let sql = "DELETE FROM waiting WHERE day = ?1 AND rank = ?2 AND queued_at = ?3 AND ticket = ?4";
            self.exec(sql, params![d, r, q, id])?;
        }
        if let Some((d, id)) = r.open_out {
            self.exec("DELETE FROM open WHERE due = ?1 AND ticket = ?2", params![d, id])?;
        }
        if let Some(((d, r, q, id), letter)) = r.waiting_in {
            let sql = "INSERT INTO waiting(day, rank, queued_at, ticket, letter) VALUES (?1, ?2, ?3, ?4, ?5)";
            self.exec(sql, params![d, r, q, id, letter])?;
        }
        if let Some((d, id)) = r.open_in {
            self.exec("INSERT INTO open(due, ticket) VALUES (?1, ?2)", params![d, id])?;
        }
        if let Some((d, id)) = r.followup_out {
            self.exec("DELETE FROM followup WHERE due = ?1 AND ticket = ?2", params![d, id])?;
        }
        if let Some((d, id)) = r.followup_in {
            self.exec("INSERT INTO followup(due, ticket) VALUES (?1, ?2)", params![d, id])?;
        }
        for tok in &r.tokens_out {
            self.exec("DELETE FROM search WHERE token = ?1 AND ticket = ?2", params![tok, new.id])?;
        }
        for tok in &r.tokens_in {
            self.exec("INSERT INTO search(token, ticket) VALUES (?1, ?2)", params![tok, new.id])?;
        }
        Ok(())
    }

    fn append_event(&mut self, e: &Event, day: Date) -> Result<(), StoreError> {
        self.exec("INSERT OR IGNORE INTO activity(day, ticket) VALUES (?1, ?2)", params![julian(day), e.ticket])?;
        let mut e = e.clone();
        let head = self.meta("chain_head")?.map(|h| String::from_utf8_lossy(&h).into_owned());
        let head = head.unwrap_or_else(|| chain::GENESIS.to_string());
        let len = match self.meta("chain_len")? {
            Some(b) => u64::from_be_bytes(b.try_into().map_err(|_| StoreError::Corrupt("chain length".into()))?),
            None => 0,
        };
        let new_head = chain::link(&mut e, &head);
        self.exec("INSERT INTO chain(pos, ticket, seq) VALUES (?1, ?2, ?3)", params![len, e.ticket, e.seq])?;
        self.set_meta("chain_head", new_head.as_bytes())?;
        self.set_meta("chain_len", &(len + 1).to_be_bytes())?;
        self.exec("INSERT INTO events(ticket, seq, data) VALUES (?1, ?2, ?3)", params![e.ticket, e.seq, encode(&e)?])
    }

    fn next_waiting(&self, day: Date, letters: &[char]) -> Result<Option<TicketId>, StoreError> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT ticket, letter FROM waiting WHERE day = ?1 ORDER BY rank, queued_at, ticket")
            .map_err(err)?;
        let mut rows = stmt.query([julian(day)]).map_err(err)?;
        while let Some(r) = rows.next().map_err(err)? {
            let letter = r.get::<_, u8>(1).map_err(err)? as char;
            if letters.is_empty() || letters.contains(&letter) {
                return Ok(Some(r.get(0).map_err(err)?));
            }
        }
        Ok(None)
    }
}

fn context<'a>(clock: &Clock, calendar: &'a Calendar, clerk: &str, window: Option<String>) -> Context<'a> {
    let at = clock.now();
    Context {
        at,
        today: clock.date_of(at),
        clerk: clerk.to_string(),
        window,
        calendar,
        clock_override: clock.is_override(),
    }
}

/// One durable write transaction (BEGIN IMMEDIATE … COMMIT).
fn write<T>(
    conn: &mut Connection,
    offset: UtcOffset,
    f: impl FnOnce(&mut SqTx<'_>) -> Result<T, DeskError>,
) -> Result<T, DeskError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(err)?;
    let out = {
        let mut stx = SqTx { tx: &tx, offset };
        f(&mut stx)?
    };
    tx.commit().map_err(err)?;
    Ok(out)
}

fn read_ticket(c: &Connection, id: TicketId) -> Result<Option<Ticket>, StoreError> {
    let blob: Option<Vec<u8>> = c
        .prepare_cached("SELECT data FROM tickets WHERE id = ?1")
        .map_err(err)?
        .query_row([id], |r| r.get(0))
        .optional()
        .map_err(err)?;
    blob.map(|b| decode(&b)).transpose()
}

fn find_number(c: &Connection, day: Date, n: QueueNumber) -> Result<Option<TicketId>, StoreError> {
    c.prepare_cached("SELECT ticket FROM numbers WHERE day = ?1 AND letter = ?2 AND seq = ?3")
        .map_err(err)?
        .query_row(params![julian(day), letter_byte(n.letter), n.seq], |r| r.get(0))
        .optional()
        .map_err(err)
}

/// Tickets whose ids a query returns, in its order.
fn tickets_where(c: &Connection, sql: &str, p: impl rusqlite::Params) -> Result<Vec<Ticket>, StoreError> {
    let mut stmt = c.prepare_cached(sql).map_err(err)?;
    let mut rows = stmt.query(p).map_err(err)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(err)? {
        let b: Vec<u8> = r.get(0).map_err(err)?;
        out.push(decode(&b)?);
    }
    Ok(out)
}

/// The baseline hall: a connection plus what a desk keeps in memory.
pub struct SqliteHall {
    conn: Connection,
    catalog: Catalog,
    calendar: Calendar,
    clock: Clock,
    settings: Settings,
    clerk: String,
}

impl SqliteHall {
    pub fn open(path: &Path, clock: Clock, clerk: &str) -> Result<SqliteHall, StoreError> {
        let conn = connect(path)?;
        Ok(SqliteHall {
            conn,
            catalog: Catalog::builtin(),
            calendar: Calendar::builtin(),
            clock,
            settings: Settings::default(),
            clerk: clerk.to_string(),
        })
    }

    pub fn take(&mut self, req: &TakeRequest) -> Result<Ticket, DeskError> {
        let ctx = context(&self.clock, &self.calendar, &self.clerk, None);
        let catalog = &self.catalog;
        write(&mut self.conn, self.clock.offset(), |tx| app::take_in(tx, catalog, &ctx, req))
    }

    pub fn call(&mut self, window: &str) -> Result<Ticket, DeskError> {
        let ctx = context(&self.clock, &self.calendar, &self.clerk, Some(window.to_string()));
        write(&mut self.conn, self.clock.offset(), |tx| app::call_in(tx, &ctx, window, &[]))
    }

    fn act<F>(&mut self, id: TicketId, cmd: F) -> Result<Ticket, DeskError>
    where
        F: for<'c> FnOnce(&Ticket, &'c Catalog) -> Result<Command<'c>, DeskError>,
    {
        let SqliteHall { conn, catalog, calendar, clock, clerk, .. } = self;
        write(conn, clock.offset(), |tx| {
            let old = tx.ticket(id)?.ok_or_else(|| DeskError::NotFound(id.to_string()))?;
            let ctx = context(clock, calendar, clerk, old.window.clone());
            let cmd = cmd(&old, catalog)?;
            app::apply_in(tx, &old, cmd, &ctx)
        })
    }

    pub fn accept(&mut self, id: TicketId, req: &AcceptRequest) -> Result<Ticket, DeskError> {
        let today = self.clock.today();
        let citizen = req.citizen.check(today)?;
        let proxy = req.proxy.check(today)?;
        let deferred = req.deferred.clone();
        let make_good_days = self.catalog.make_good_days;
        self.act(id, move |old, catalog| {
            let item = catalog.item(&old.item).ok_or_else(|| DeskError::ItemGone(old.item.clone()))?;
            Ok(Command::Accept { item, citizen, proxy, deferred, make_good_days })
        })
    }

    pub fn complete(&mut self, id: TicketId) -> Result<Ticket, DeskError> {
        self.act(id, |_, _| Ok(Command::Complete { note: None }))
    }

    pub fn show(&self, id: TicketId) -> Result<(Ticket, Vec<Event>), DeskError> {
        let t = read_ticket(&self.conn, id)?.ok_or_else(|| DeskError::NotFound(id.to_string()))?;
        let mut stmt =
            self.conn.prepare_cached("SELECT data FROM events WHERE ticket = ?1 ORDER BY seq").map_err(err)?;
        let mut rows = stmt.query([id]).map_err(err)?;
        let mut events = Vec::new();
        while let Some(r) = rows.next().map_err(err)? {
            let b: Vec<u8> = r.get(0).map_err(err)?;
            events.push(decode(&b)?);
        }
        Ok((t, events))
    }

    pub fn list_day(&self, day: Date) -> Result<Vec<Ticket>, DeskError> {
        Ok(tickets_where(
            &self.conn,
            "SELECT t.data FROM day d JOIN tickets t ON t.id = d.ticket WHERE d.day = ?1 ORDER BY d.ticket",
            [julian(day)],
        )?)
    }

    /// The same lookup as `Desk::search`: the reference, then each index prefix.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Ticket>, DeskError> {
        let Some(plan) = SearchPlan::of(query) else { return Ok(Vec::new()) };
        let mut ids: Vec<TicketId> = Vec::new();
        if let Some(r) = plan.reference {
            let id = match r {
                TicketRef::Id(id) => read_ticket(&self.conn, id)?.map(|t| t.id),
                TicketRef::Number(day, n) => find_number(&self.conn, day.unwrap_or(self.clock.today()), n)?,
            };
            ids.extend(id);
        }
        // The store's skip scan, in SQL: each distinct token under the prefix, newest first.
        let mut next = self
            .conn
            .prepare_cached("SELECT token FROM search WHERE token >= ?1 ORDER BY token LIMIT 1")
            .map_err(err)?;
        let mut newest = self
            .conn
            .prepare_cached("SELECT ticket FROM search WHERE token = ?1 ORDER BY ticket DESC LIMIT ?2")
            .map_err(err)?;
        for p in &plan.prefixes {
            let mut found: Vec<TicketId> = Vec::new();
            let mut from = p.clone();
            for _ in 0..SEARCH_TOKEN_CAP {
                let token: Option<String> = next.query_row([&from], |r| r.get(0)).optional().map_err(err)?;
                let Some(token) = token.filter(|t| t.starts_with(p.as_str())) else { break };
                let rows = newest.query_map(params![token, limit as i64], |r| r.get(0)).map_err(err)?;
                for id in rows {
                    found.push(id.map_err(err)?);
                }
                from = format!("{token}\0");
            }
            found.sort_unstable_by(|a, b| b.cmp(a));
            found.dedup();
            found.truncate(limit);
            for id in found {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        ids.sort_unstable_by(|a, b| b.cmp(a));
        ids.truncate(limit);
        let mut out = Vec::new();
        for id in ids {
            out.extend(read_ticket(&self.conn, id)?);
        }
        Ok(out)
    }

    /// What the interface's worker does for a job, against the baseline.
    pub fn job(&mut self, job: Job) -> Reply {
        let s = |e: DeskError| e.to_string();
        match job {
            Job::Refresh { open_cases } => Reply::Snapshot(
                (|| {
                    let today = self.list_day(self.clock.today())?;
                    let open = if open_cases { Some(Source::open_cases(self, OPEN_LIMIT)?) } else { None };
                    Ok::<_, DeskError>(Snapshot { today, open, changed: None })
                })()
                .map_err(s),
            ),
            Job::Take(req) => Reply::Done(self.take(&req).map_err(s)),
            Job::Call { window, .. } => Reply::Done(self.call(&window).map_err(s)),
            Job::Act(id, yimen::app::Act::Accept(req)) => Reply::Done(self.accept(id, &req).map_err(s)),
            Job::Act(id, yimen::app::Act::Complete { .. }) => Reply::Done(self.complete(id).map_err(s)),
            Job::Show(id) => Reply::Detail(self.show(id).map_err(s)),
            Job::Search(q) => Reply::Search(self.search(&q, 100).map_err(s)),
            Job::Daily(d) => Reply::Daily(Box::new(report::daily(self, d, yimen::domain::Lang::Zh).map_err(s))),
            other => Reply::Done(Err(format!("the baseline does not run {other:?}"))),
        }
    }
}

impl SqliteHall {
    /// Checks a clerk's PIN against the stored Argon2id hash, as yimen's sign-in does.
    pub fn sign_in(&self, name: &str, pin: &str) -> bool {
        let hash: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [format!("user:{name}")], |r| r.get(0))
            .optional()
            .ok()
            .flatten();
        hash.is_some_and(|h| app::verify_secret(pin, &h))
    }
}

impl HallContext for SqliteHall {
    fn clock(&self) -> &Clock {
        &self.clock
    }
    fn catalog(&self) -> &Catalog {
        &self.catalog
    }
    fn calendar(&self) -> &Calendar {
        &self.calendar
    }
    fn settings(&self) -> &Settings {
        &self.settings
    }
    fn clerk(&self) -> Option<&str> {
        Some(&self.clerk)
    }
}

impl Source for SqliteHall {
    fn require_supervisor(&self) -> Result<(), DeskError> {
        Ok(())
    }
    fn active_on(&self, day: Date) -> Result<Vec<Ticket>, DeskError> {
        Ok(tickets_where(
            &self.conn,
            "SELECT t.data FROM activity a JOIN tickets t ON t.id = a.ticket WHERE a.day = ?1 ORDER BY a.ticket",
            [julian(day)],
        )?)
    }
    fn open_cases(&self, limit: usize) -> Result<Vec<Ticket>, DeskError> {
        Ok(tickets_where(
            &self.conn,
            "SELECT t.data FROM open o JOIN tickets t ON t.id = o.ticket ORDER BY o.due, o.ticket LIMIT ?1",
            [limit.min(i64::MAX as usize) as i64],
        )?)
    }
    fn followups(&self) -> Result<Vec<Ticket>, DeskError> {
        Ok(tickets_where(
            &self.conn,
            "SELECT t.data FROM followup f JOIN tickets t ON t.id = f.ticket ORDER BY f.due, f.ticket",
            [],
        )?)
    }
    fn cached_day_totals(&self, from: Date, to: Date) -> Result<Vec<(Date, Vec<u8>)>, DeskError> {
        let mut stmt =
            self.conn.prepare_cached("SELECT day, data FROM daytotals WHERE day BETWEEN ?1 AND ?2").map_err(err)?;
        let rows = stmt
            .query_map(params![julian(from), julian(to)], |r| Ok((r.get::<_, i32>(0)?, r.get::<_, Vec<u8>>(1)?)))
            .map_err(err)?;
        let mut out = Vec::new();
        for row in rows {
            let (d, b) = row.map_err(err)?;
            if let Ok(d) = Date::from_julian_day(d) {
                out.push((d, b));
            }
        }
        Ok(out)
    }
    fn cache_day_totals(&self, days: &[(Date, Vec<u8>)]) -> Result<(), DeskError> {
        let tx = self.conn.unchecked_transaction().map_err(err)?;
        for (d, b) in days {
            tx.prepare_cached("INSERT OR REPLACE INTO daytotals(day, data) VALUES (?1, ?2)")
                .map_err(err)?
                .execute(params![julian(*d), b])
                .map_err(err)?;
        }
        tx.commit().map_err(err)?;
        Ok(())
    }
    fn chain_state(&self) -> Result<(String, u64), DeskError> {
        let get = |k: &str| -> Result<Option<Vec<u8>>, StoreError> {
            self.conn
                .prepare_cached("SELECT value FROM meta WHERE key = ?1")
                .map_err(err)?
                .query_row([k], |r| r.get(0))
                .optional()
                .map_err(err)
        };
        let head = get("chain_head")?.map(|h| String::from_utf8_lossy(&h).into_owned()).unwrap_or_default();
        let len = get("chain_len")?.and_then(|b| b.try_into().ok()).map(u64::from_be_bytes).unwrap_or(0);
        Ok((head, len))
    }
}

/// Copies every ticket, event and index entry of a yimen database into a new baseline file,
/// in one transaction. The index rows come from the same key functions the store uses.
pub fn import(desk: &yimen::app::Desk, dest: &Path) -> Result<u64, DeskError> {
    let _ = std::fs::remove_file(dest);
    let mut conn = connect(dest)?;
    let offset = desk.clock().offset();
    let tx = conn.transaction().map_err(err)?;
    let mut order: Vec<(i128, u64, u32)> = Vec::new();
    let count = desk.store().read(|rx| {
        let n = rx.ticket_count()?;
        let ins = |sql: &str, p: &dyn Fn(&mut rusqlite::CachedStatement<'_>) -> rusqlite::Result<usize>| {
            tx.prepare_cached(sql).and_then(|mut s| p(&mut s)).map(|_| ()).map_err(err)
        };
        for id in 0..=n {
            if id > 0 {
                let Some(t) = rx.ticket(id)? else { continue };
                // The same rows a take writes: the ticket, its number, its day and its indexes.
                SqTx { tx: &tx, offset }.insert_ticket(&t)?;
                let (d, l, q) = (julian(t.date), letter_byte(t.number.letter), t.number.seq);
                let counter = "INSERT INTO counters(day, letter, last) VALUES (?1, ?2, ?3)
                     ON CONFLICT(day, letter) DO UPDATE SET last = MAX(last, excluded.last)";
                ins(counter, &|s| s.execute(params![d, l, q]))?;
            }
            for e in rx.events(id)? {
                if id > 0 {
                    let d = julian(e.at.to_offset(offset).date());
                    ins("INSERT OR IGNORE INTO activity(day, ticket) VALUES (?1, ?2)", &|s| s.execute(params![d, id]))?;
                }
                order.push((e.at.unix_timestamp_nanos(), e.ticket, e.seq));
                let blob = encode(&e)?;
                ins("INSERT INTO events(ticket, seq, data) VALUES (?1, ?2, ?3)", &|s| {
                    s.execute(params![e.ticket, e.seq, blob])
                })?;
            }
        }
        Ok::<u64, DeskError>(n)
    })?;
    order.sort_unstable();
    for (pos, (_, ticket, seq)) in order.iter().enumerate() {
        tx.prepare_cached("INSERT INTO chain(pos, ticket, seq) VALUES (?1, ?2, ?3)")
            .and_then(|mut s| s.execute(params![pos as i64, ticket, seq]))
            .map_err(err)?;
    }
    // The accounts' PIN hashes, so the baseline signs in as yimen does.
    for u in desk.users()? {
        tx.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)",
            params![format!("user:{}", u.name), u.hash],
        )
        .map_err(err)?;
    }
    let (head, len) = desk.chain_state()?;
    for (k, v) in [("chain_head", head.into_bytes()), ("chain_len", len.to_be_bytes().to_vec())] {
        tx.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)", params![k, v]).map_err(err)?;
    }
    tx.commit().map_err(err)?;
    checkpoint(&conn)?;
    Ok(count)
}

/// Moves the write-ahead log into the database file and empties it.
pub fn checkpoint(conn: &Connection) -> Result<(), StoreError> {
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).map_err(err)
}
