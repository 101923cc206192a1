//! `cargo bench`: yimen against the obvious alternative — the same schema and indexes in
//! SQLite (WAL, synchronous=FULL) — on every operation a clerk or supervisor does, at two
//! history sizes built by the deterministic demo generator.
//!
//! By default the sizes are 10 thousand and 100 thousand tickets (a few minutes);
//! `YIMEN_BENCH_FULL=1` runs 10 thousand and 1 million (about half an hour on two cores).
//! `YIMEN_BENCH_SCALES=10000,50000` picks any sizes. The table is printed and written to
//! `target/yimen-bench.md`; docs/performance.md quotes a full run.
//!
//! Each figure is measured on both sides in the same run, on the same disk, and given as a
//! ratio (ours ÷ SQLite: below 1 means yimen is faster). Latencies are p50 / p99 over
//! repeated runs of the operation.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod load;
mod sqlite;
mod town;

use std::fmt::Write as _;
use std::io::{Read, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use time::{Date, OffsetDateTime};

use yimen::app::{AcceptRequest, CitizenInput, Desk, DeskError, TakeRequest};
use yimen::client::{Client, Local};
use yimen::clock::{Clock, DEFAULT_OFFSET};
use yimen::domain::Lang;
use yimen::domain::calendar::Calendar;
use yimen::domain::catalog::Catalog;
use yimen::report::{self, RangeReport};
use yimen::tui::app::{App, Msg, Setup};
use yimen::tui::screens;
use yimen::tui::worker::{self, Job, Reply};

use sqlite::SqliteHall;

/// The benchmark's "now": a Friday morning, so today has a live queue.
const NOW: &str = "2026-11-27T10:30:00+08:00";
/// The demo's supervisor and admin: (name, password), from `yimen::demo::ACCOUNTS`.
const SUPERVISOR: (&str, &str) = account(3);
const ADMIN: (&str, &str) = account(4);

const fn account(i: usize) -> (&'static str, &'static str) {
    let (name, _, pin) = yimen::demo::ACCOUNTS[i];
    (name, pin)
}
/// Repetitions of each timed write (take, call, accept, complete).
const WRITES: usize = 200;
/// Repetitions of each timed read.
const READS: usize = 30;
const CHILD_ENV: &str = "YIMEN_BENCH_CHILD";

fn main() {
    if let Ok(mode) = std::env::var(CHILD_ENV) {
        std::process::exit(if mode == "rss" { rss_child() } else { child(&mode) });
    }
    if std::env::var("YIMEN_BENCH_SQLITE_DAILY").is_ok() {
        std::process::exit(child("sqlite-daily"));
    }
    // Single-threaded here: nothing else reads the environment yet.
    unsafe { std::env::set_var("YIMEN_NOW", NOW) };
    let scales = scales();
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("yimen-bench");
    let mut runs = Vec::new();
    for &n in &scales {
        let dir = root.join(n.to_string());
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scale directory");
        eprintln!("== {} tickets ==", label(n));
        runs.push(run_scale(n, &dir));
        if std::env::var("YIMEN_BENCH_KEEP").is_err() {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    let mut table = render(&scales, &runs);
    if let Some(shape) = town::shape() {
        eprintln!("== the town's PostgreSQL ==");
        table.push('\n');
        table.push_str(&town::run(&root.join("town"), shape));
    }
    let secs = load::seconds();
    if secs > 0 {
        eprintln!("== the hall server under load ({secs} s) ==");
        table.push('\n');
        table.push_str(&load_run(&root, secs));
    }
    println!("{table}");
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("..").join("yimen-bench.md");
    if std::fs::write(&out, &table).is_ok() {
        eprintln!("written to {}", out.display());
    }
}

/// 20 windows against `yimen serve` on a fresh 10k history, then the same work on the file.
fn load_run(root: &Path, secs: u64) -> String {
    let dir = root.join("load");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("load directory");
    let db = dir.join("hall.redb");
    yimen::demo::build(&db, &yimen::demo::Options { days: 25, per_day: 400, seed: 2026 }).expect("demo");
    {
        // The demo's live queue is called away first: every call below calls a benchmark ticket.
        let mut desk = open_ours(&db);
        while let Reply::Done(Ok(_)) = desk.job(Job::Call { window: "9".into(), categories: vec![] }) {}
    }
    // A busy day (a quarter of a second between a window's requests), then flat out.
    let (busy, busy_rounds, busy_ran) = load::server(&db, secs, Duration::from_millis(250));
    let flat_secs = (secs / 6).max(5);
    let (flat, flat_rounds, flat_ran) = load::server(&db, flat_secs, Duration::ZERO);
    let local = load::local(&db, 300);
    let read_secs = (secs / 6).max(5);
    let (alone, during, writes) = load::reads_during_writes(&db, read_secs);
    if std::env::var("YIMEN_BENCH_KEEP").is_err() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let mut out = load::render("The hall server on a busy day", &busy, &local, busy_rounds, busy_ran);
    out.push('\n');
    out.push_str(&load::render("The hall server flat out (no pause)", &flat, &local, flat_rounds, flat_ran));
    out.push('\n');
    out.push_str(&load::render_reads(&alone, &during, writes, read_secs));
    out
}

fn scales() -> Vec<u64> {
    if let Ok(s) = std::env::var("YIMEN_BENCH_SCALES") {
        let v: Vec<u64> = s.split(',').filter_map(|x| x.trim().parse().ok()).filter(|&n| n >= 1000).collect();
        if !v.is_empty() {
            return v;
        }
        eprintln!("YIMEN_BENCH_SCALES={s}: expected sizes of at least 1000, such as 10000,100000");
    }
    if std::env::var("YIMEN_BENCH_FULL").is_ok_and(|v| v == "1") {
        vec![10_000, 1_000_000]
    } else {
        vec![10_000, 100_000]
    }
}

fn label(n: u64) -> String {
    if n >= 1_000_000 && n.is_multiple_of(1_000_000) {
        format!("{}M", n / 1_000_000)
    } else if n >= 1000 && n.is_multiple_of(1000) {
        format!("{}k", n / 1000)
    } else {
        n.to_string()
    }
}

// ---- figures --------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum Unit {
    /// A latency: p50 and p99, in seconds.
    Latency {
        p50: f64,
        p99: f64,
    },
    Bytes(f64),
    /// Bytes per ticket.
    PerTicket(f64),
}

impl Unit {
    fn value(self) -> f64 {
        match self {
            Unit::Latency { p50, .. } => p50,
            Unit::Bytes(b) | Unit::PerTicket(b) => b,
        }
    }
    fn p99(self) -> f64 {
        match self {
            Unit::Latency { p99, .. } => p99,
            other => other.value(),
        }
    }
    fn show(self) -> String {
        match self {
            Unit::Latency { p50, p99 } => format!("{} / {}", secs(p50), secs(p99)),
            Unit::Bytes(b) => format!("{:.1} MiB", b / 1024.0 / 1024.0),
            Unit::PerTicket(b) => format!("{b:.0} B"),
        }
    }
}

fn secs(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 0.001 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{:.1} µs", s * 1e6)
    }
}

#[derive(Debug, Clone)]
struct Figure {
    op: String,
    ours: Unit,
    sqlite: Option<Unit>,
}

#[derive(Default)]
struct Run {
    tickets: u64,
    figures: Vec<Figure>,
    notes: Vec<String>,
}

impl Run {
    fn add(&mut self, op: &str, ours: Unit, sqlite: Option<Unit>) {
        eprintln!("  {op}: ours {}  sqlite {}", ours.show(), sqlite.map(|u| u.show()).unwrap_or_else(|| "-".into()));
        self.figures.push(Figure { op: op.to_string(), ours, sqlite });
    }
}

fn latency(mut v: Vec<Duration>) -> Unit {
    v.sort_unstable();
    let at = |q: f64| {
        let i = ((v.len() as f64 - 1.0) * q).round() as usize;
        v.get(i).map(Duration::as_secs_f64).unwrap_or(0.0)
    };
    Unit::Latency { p50: at(0.50), p99: at(0.99) }
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed())
}

// ---- the two halls --------------------------------------------------------------------------

/// What the benchmark asks of either side: the interface's jobs and the range report.
trait Hall {
    fn job(&mut self, job: Job) -> Reply;
    fn range(&self, from: Date, to: Date) -> Result<RangeReport, DeskError>;
}

impl Hall for Local {
    fn job(&mut self, job: Job) -> Reply {
        worker::run(self, Lang::Zh, job)
    }
    fn range(&self, from: Date, to: Date) -> Result<RangeReport, DeskError> {
        report::range(&self.acting(), from, to, Lang::Zh)
    }
}

impl Hall for SqliteHall {
    fn job(&mut self, job: Job) -> Reply {
        SqliteHall::job(self, job)
    }
    fn range(&self, from: Date, to: Date) -> Result<RangeReport, DeskError> {
        report::range(self, from, to, Lang::Zh)
    }
}

fn clock() -> Clock {
    Clock::from_env(DEFAULT_OFFSET).expect("YIMEN_NOW is set by the benchmark")
}

/// The desk as the interface runs it: signed in.
fn open_ours(path: &Path) -> Local {
    let mut desk = Local::new(Desk::open(path).expect("open the yimen database"));
    desk.sign_in(SUPERVISOR.0, SUPERVISOR.1).expect("sign in");
    desk
}

fn open_sqlite(path: &Path) -> SqliteHall {
    SqliteHall::open(path, clock(), SUPERVISOR.0).expect("open the SQLite baseline")
}

fn done(r: Reply) -> yimen::domain::ticket::Ticket {
    match r {
        Reply::Done(Ok(t)) => t,
        Reply::Done(Err(e)) => panic!("action refused: {e}"),
        other => panic!("unexpected reply {other:?}"),
    }
}

/// The i-th citizen of the benchmark's own takes: a 低保 application (a promised case).
fn take_request(i: usize) -> TakeRequest {
    let id = load::id_number(i, i);
    TakeRequest {
        item: "MZ01".into(),
        priority: None,
        citizen: CitizenInput {
            name: Some(format!("测试{}", ["甲", "乙", "丙", "丁"][i % 4])),
            id_number: Some(id),
            phone: Some(format!("139{:08}", i)),
            village: Some("利福塔社区".into()),
        },
        proxy: Default::default(),
        at_kiosk: false,
        note: None,
    }
}

/// Writes: take, call, accept and complete, each `WRITES` times, durable.
fn writes(run: &mut Run, ours: &mut Local, base: &mut SqliteHall, dir: &Path, n: u64) {
    let fsync = fsync_floor(dir);
    let mut sides: [(&mut dyn Hall, Vec<Vec<Duration>>); 2] = [(ours, Vec::new()), (base, Vec::new())];
    for (hall, out) in sides.iter_mut() {
        // Clear the demo's live queue first, so every call below calls one of ours.
        while let Reply::Done(Ok(_)) = hall.job(Job::Call { window: "9".into(), categories: vec![] }) {}
        let mut take = Vec::new();
        for i in 0..WRITES {
            let (r, d) = time(|| hall.job(Job::Take(take_request(i))));
            done(r);
            take.push(d);
        }
        let (mut call, mut ids) = (Vec::new(), Vec::new());
        for _ in 0..WRITES {
            let (r, d) = time(|| hall.job(Job::Call { window: "1".into(), categories: vec![] }));
            ids.push(done(r).id);
            call.push(d);
        }
        let mut accept = Vec::new();
        for &id in &ids {
            let (r, d) = time(|| hall.job(Job::Act(id, yimen::app::Act::Accept(AcceptRequest::default()))));
            done(r);
            accept.push(d);
        }
        let mut complete = Vec::new();
        for &id in &ids {
            let (r, d) = time(|| hall.job(Job::Act(id, yimen::app::Act::Complete { note: None })));
            done(r);
            complete.push(d);
        }
        *out = vec![take, call, accept, complete];
    }
    let [(_, o), (_, s)] = sides;
    run.add("fsync of 4 KiB on the same disk (the floor)", fsync, None);
    let (redb_one, sqlite_one) = commit_floors(dir, n, redb::ConcurrencyMode::MultiWriter);
    run.add(
        "one durable commit of one 100-byte row, table of the same size (redb multi-process mode, SQLite)",
        redb_one,
        Some(sqlite_one),
    );
    let (exclusive_one, _) = commit_floors(dir, n, redb::ConcurrencyMode::ExclusiveWriter);
    run.add("the same commit in redb's exclusive mode (for comparison)", exclusive_one, None);
    let take = latency(o[0].clone());
    run.notes.push(format!(
        "durable take ÷ redb's own durable commit of one row (same mode, same scale): p50 {:.2}x, p99 {:.2}x",
        take.value() / redb_one.value(),
        take.p99() / redb_one.p99()
    ));
    for (i, name) in
        ["durable take (number + ticket + event + indexes)", "call next", "accept", "complete"].iter().enumerate()
    {
        run.add(name, latency(o[i].clone()), Some(latency(s[i].clone())));
    }
}

/// The physical floor of a durable commit: overwrite 4 KiB and fdatasync, `WRITES` times.
fn fsync_floor(dir: &Path) -> Unit {
    let path = dir.join("fsync.probe");
    let mut f = std::fs::File::create(&path).expect("probe file");
    let block = [0x5au8; 4096];
    let mut v = Vec::new();
    for _ in 0..WRITES {
        let (_, d) = time(|| {
            use std::io::Seek;
            let _ = f.seek(std::io::SeekFrom::Start(0));
            f.write_all(&block).and_then(|_| f.sync_data()).expect("fsync probe");
        });
        v.push(d);
    }
    let _ = std::fs::remove_file(&path);
    latency(v)
}

/// The engines' own floor: a durable commit that writes one 100-byte row into a table of `n`
/// rows (the scale's number of tickets), `WRITES` times, in redb (in `mode`) and in SQLite
/// (WAL, synchronous=FULL).
fn commit_floors(dir: &Path, n: u64, mode: redb::ConcurrencyMode) -> (Unit, Unit) {
    let (rp, sp) = (dir.join("floor.redb"), dir.join("floor.db"));
    let def = redb::TableDefinition::<u64, &[u8]>::new("rows");
    let db = redb::Database::builder().set_concurrency_mode(mode).create(&rp).expect("floor redb");
    let tx = db.begin_write().expect("begin");
    {
        let mut t = tx.open_table(def).expect("table");
        for k in 0..n {
            t.insert(k * 16, [7u8; 100].as_slice()).expect("fill");
        }
    }
    tx.commit().expect("commit");
    let mut rv = Vec::new();
    for i in 0..WRITES as u64 {
        let (_, d) = time(|| {
            let mut tx = db.begin_write().expect("begin");
            tx.set_durability(redb::Durability::Immediate).expect("durability");
            tx.open_table(def).expect("table").insert(i * 7919 % 1_600_000 + 1, [1u8; 100].as_slice()).expect("insert");
            tx.commit().expect("commit");
        });
        rv.push(d);
    }
    drop(db);
    let mut c = sqlite::connect(&sp).expect("floor sqlite");
    c.execute_batch("CREATE TABLE rows(k INTEGER PRIMARY KEY, v BLOB NOT NULL)").expect("table");
    let tx = c.transaction().expect("begin");
    for k in 0..n as i64 {
        tx.execute("INSERT INTO rows VALUES (?1, ?2)", rusqlite::params![k * 16, [7u8; 100].as_slice()]).expect("fill");
    }
    tx.commit().expect("commit");
    let mut sv = Vec::new();
    for i in 0..WRITES as i64 {
        let (_, d) = time(|| {
            c.execute(
                "INSERT OR REPLACE INTO rows VALUES (?1, ?2)",
                rusqlite::params![i * 7919 % 1_600_000 + 1, [1u8; 100].as_slice()],
            )
            .expect("insert");
        });
        sv.push(d);
    }
    drop(c);
    for p in [rp, sp] {
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", p.display()));
        }
    }
    (latency(rv), latency(sv))
}

fn reports(run: &mut Run, ours: &mut Local, base: &mut SqliteHall) {
    let day = report_day();
    let (from, to) = (day - time::Duration::days(29), day);
    let mut figs: Vec<[Unit; 2]> = vec![[Unit::Bytes(0.0); 2]; 4];
    let mut sides: [&mut dyn Hall; 2] = [ours, base];
    for (s, hall) in sides.iter_mut().enumerate() {
        let daily = |h: &mut dyn Hall| match h.job(Job::Daily(day)) {
            Reply::Daily(r) => {
                let r = (*r).expect("daily report");
                assert!(r.figures.totals.taken > 0, "the report day has tickets");
                r.figures.totals.taken
            }
            other => panic!("unexpected reply {other:?}"),
        };
        let (_, first) = time(|| daily(&mut **hall));
        let mut again = Vec::new();
        for _ in 0..READS / 3 {
            again.push(time(|| daily(&mut **hall)).1);
        }
        let (r, rfirst) = time(|| hall.range(from, to).expect("range report"));
        assert!(r.figures.totals.taken > 0, "the report month has tickets");
        let mut ragain = Vec::new();
        for _ in 0..READS / 3 {
            ragain.push(time(|| hall.range(from, to).expect("range report")).1);
        }
        figs[0][s] = latency(vec![first]);
        figs[1][s] = latency(again);
        figs[2][s] = latency(vec![rfirst]);
        figs[3][s] = latency(ragain);
    }
    let names = [
        "daily report, first run (fills the year-to-date day cache)",
        "daily report, again",
        "30-day range report, first run",
        "30-day range report, again",
    ];
    for (name, [o, s]) in names.iter().zip(figs) {
        run.add(name, o, Some(s));
    }
    run.notes.push(format!("report day {day}, range {from} … {to}"));
    paper(run, ours, day);
}

/// The daily report as each paper (computed, then rendered): text, PDF and xlsx, each the
/// median of several runs; the PDF's and the workbook's time as a ratio to the text's,
/// measured in the same run (the paper issue's target: within 2×).
fn paper(run: &mut Run, ours: &mut Local, day: Date) {
    use yimen::present::{pdf, render, xlsx};
    let title = "便民服务日报";
    let mut median = |render_as: &dyn Fn(&report::DailyReport) -> usize| {
        let mut v: Vec<Duration> = (0..7)
            .map(|_| {
                time(|| {
                    let r = ours.daily_report(day, Lang::Zh).expect("daily report");
                    assert!(render_as(&r) > 0, "a paper with something on it");
                })
                .1
            })
            .collect();
        v.sort_unstable();
        v[v.len() / 2].as_secs_f64()
    };
    let text =
        median(&|r| render::text(title, &r.date, &r.header, &render::daily_sections(r, Lang::Zh), Lang::Zh).len());
    let as_pdf = median(&|r| {
        let doc = render::report_doc(title, &r.date, &r.header, &render::daily_sections(r, Lang::Zh), Lang::Zh);
        pdf::pdf(&doc).expect("pdf").len()
    });
    let as_xlsx = median(&|r| {
        xlsx::report(title, &r.date, &r.header, &render::daily_sections(r, Lang::Zh), Lang::Zh).expect("xlsx").len()
    });
    let ms = |s: f64| format!("{:.1} ms", s * 1000.0);
    run.notes.push(format!(
        "daily report as paper (computed and rendered, median of 7): text {}, PDF {} ({:.2}× text), xlsx {} ({:.2}× text)",
        ms(text),
        ms(as_pdf),
        as_pdf / text,
        ms(as_xlsx),
        as_xlsx / text
    ));
    eprintln!("  {}", run.notes.last().map(String::as_str).unwrap_or(""));
}

/// Search queries drawn from one ticket in the middle of the history (the same on both sides).
fn searches(run: &mut Run, ours: &mut Local, base: &mut SqliteHall) {
    let mid = (run.tickets / 2).max(1);
    let (t, _) = ours.show(&mid.to_string()).expect("a ticket in the middle of the history");
    let c = &t.citizen;
    let name = c.name.clone().unwrap_or_default();
    let initials = yimen::domain::pinyin::initials(&name).into_iter().next().unwrap_or_default();
    let queries = [
        ("search by queue number (day/number)", format!("{}/{}", t.date, t.number)),
        ("search by ID number", c.id_number.as_ref().map(|i| i.as_str().to_string()).unwrap_or_default()),
        ("search by phone", c.phone.as_ref().map(|p| p.digits()).unwrap_or_default()),
        ("search by name", name.clone()),
        ("search by pinyin initials", initials),
    ];
    for (label, q) in queries {
        assert!(!q.is_empty(), "{label}: the sample ticket lacks the field");
        let mut per = Vec::new();
        for hall in [&mut *ours as &mut dyn Hall, &mut *base as &mut dyn Hall] {
            let mut v = Vec::new();
            let mut found = 0;
            for _ in 0..READS {
                let (r, d) = time(|| hall.job(Job::Search(q.clone())));
                match r {
                    Reply::Search(Ok(ts)) => found = ts.len(),
                    other => panic!("search {q}: {other:?}"),
                }
                v.push(d);
            }
            assert!(found > 0, "{label}: {q} finds nothing");
            per.push((latency(v), found));
        }
        assert_eq!(per[0].1, per[1].1, "{label}: both sides find the same number of tickets");
        run.add(label, per[0].0, Some(per[1].0));
        run.notes.push(format!("{label}: \"{q}\" finds {} tickets", per[0].1));
    }
}

// ---- the interface --------------------------------------------------------------------------

struct Screen {
    app: App,
    jobs: Receiver<Job>,
    term: Terminal<TestBackend>,
}

impl Screen {
    fn new(hall: &mut dyn Hall) -> Screen {
        let (tx, jobs) = mpsc::channel();
        let setup = Setup {
            lang: Lang::Zh,
            ascii: false,
            clerk: SUPERVISOR.0.into(),
            window: "1".into(),
            categories: vec![],
            hall: "利福塔镇便民服务中心".into(),
            catalog: Catalog::builtin(),
            calendar: Calendar::builtin(),
            clock: clock(),
            users: vec![],
            signed_in: true,
            notice: None,
        };
        let app = App::new(setup, tx);
        let term = Terminal::new(TestBackend::new(120, 40)).expect("test terminal");
        let mut s = Screen { app, jobs, term };
        s.pump(hall);
        s.draw();
        s
    }

    /// Runs every job the interface asked for and hands it the replies (what the worker
    /// thread does), until it asks for nothing more.
    fn pump(&mut self, hall: &mut dyn Hall) {
        while let Ok(job) = self.jobs.try_recv() {
            let r = hall.job(job);
            self.app.update(Msg::Reply(Box::new(r)));
        }
    }

    fn draw(&mut self) {
        let app = &self.app;
        self.term.draw(|f| screens::render(app, f)).expect("draw");
    }

    fn key(&mut self, code: KeyCode) {
        self.app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    /// The frame's text without blanks (a wide character's second cell is one).
    fn text(&self) -> String {
        self.term.backend().buffer().content().iter().map(|c| c.symbol()).filter(|s| !s.trim().is_empty()).collect()
    }
}

/// Open the database and draw the first queue screen: open, read today's queue and the open
/// cases, draw. Returns the time and the frame's text.
fn first_frame(ours: bool, path: &Path) -> (Duration, String) {
    // The hall is closed after the clock stops: closing is not part of showing the screen.
    let t = Instant::now();
    let (d, s) = if ours {
        let mut desk = Local::new(Desk::open(path).expect("open"));
        let s = Screen::new(&mut desk);
        (t.elapsed(), s)
    } else {
        let mut h = open_sqlite(path);
        let s = Screen::new(&mut h);
        (t.elapsed(), s)
    };
    assert!(!s.app.snapshot.today.is_empty(), "the first frame shows today's queue");
    (d, s.text())
}

fn frames(run: &mut Run, paths: [&Path; 2], dir: &Path) {
    // Clean open, warm page cache.
    let mut per = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        let _ = first_frame(i == 0, path);
        let mut v = Vec::new();
        for _ in 0..10 {
            let (d, text) = first_frame(i == 0, path);
            assert!(
                text.contains("利福塔"),
                "the first frame is drawn: {}",
                text.chars().take(400).collect::<String>()
            );
            v.push(d);
        }
        per.push(latency(v));
    }
    run.add("open + first queue frame (clean, warm cache)", per[0], Some(per[1]));
    // Clean open with the page cache dropped (as after a reboot), where the system allows it.
    if drop_caches() {
        let mut per = Vec::new();
        for (i, path) in paths.iter().enumerate() {
            let mut v = Vec::new();
            for _ in 0..3 {
                drop_caches();
                v.push(first_frame(i == 0, path).0);
            }
            per.push(latency(v));
        }
        run.add("open + first queue frame (clean, cold cache)", per[0], Some(per[1]));
    } else {
        run.notes.push("cold-cache open not measured: /proc/sys/vm/drop_caches is not writable".into());
    }
    // After an unclean shutdown: the file as a killed process leaves it (copied while open,
    // after a committed write), then opened.
    let mut per = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        let mut v = Vec::new();
        for k in 0..3 {
            let crashed = dir.join(format!("crashed-{i}-{k}.db"));
            if i == 0 {
                let mut d = open_ours(path);
                done(d.job(Job::Take(take_request(10_000 + k))));
                // The file as a killed interface leaves it.
                std::fs::copy(path, &crashed).expect("copy the open file");
            } else {
                let mut h = open_sqlite(path);
                done(h.job(Job::Take(take_request(10_000 + k))));
                for ext in ["", "-wal", "-shm"] {
                    let from = PathBuf::from(format!("{}{ext}", path.display()));
                    if from.exists() {
                        std::fs::copy(&from, format!("{}{ext}", crashed.display())).expect("copy the open file");
                    }
                }
            }
            // What a killed process wrote is on disk already; the copy's own write-back is not
            // part of opening it.
            for ext in ["", "-wal", "-shm"] {
                if let Ok(f) = std::fs::File::open(format!("{}{ext}", crashed.display())) {
                    f.sync_all().expect("sync the copy");
                }
            }
            let (d, text) = first_frame(i == 0, &crashed);
            assert!(text.contains("利福塔"), "the first frame after a crash is drawn");
            v.push(d);
            for ext in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{ext}", crashed.display()));
            }
        }
        per.push(latency(v));
    }
    run.add("open + first queue frame after an unclean shutdown", per[0], Some(per[1]));
}

fn drop_caches() -> bool {
    // SAFETY: sync(2) has no preconditions.
    unsafe { libc::sync() };
    std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok()
}

/// One key to one frame on each screen, `READS` times: the interface thread's own cost (the
/// frame drawn right after the key), and the cost with the data the key asked for (the
/// worker's job run and the frame drawn again).
fn keys(run: &mut Run, ours: &mut Local, base: &mut SqliteHall) {
    type Step = fn(&mut Screen);
    // (what, the key that opens the screen, one step on it)
    let cases: [(&str, char, Step); 5] = [
        ("queue: move down", '1', |s| s.key(KeyCode::Down)),
        ("intake: type a character", '2', |s| {
            s.key(KeyCode::Char('x'));
            s.key(KeyCode::Backspace);
        }),
        ("case detail: open the selected ticket", '1', |s| {
            s.key(KeyCode::Esc);
            s.key(KeyCode::Char('1'));
            s.key(KeyCode::Enter);
        }),
        ("open cases: move down", '4', |s| s.key(KeyCode::Down)),
        ("daily report: previous day", '5', |s| {
            s.key(KeyCode::Left);
            s.key(KeyCode::Right);
        }),
    ];
    for (name, enter, step) in cases {
        let mut ui = Vec::new();
        let mut full = Vec::new();
        for hall in [&mut *ours as &mut dyn Hall, &mut *base as &mut dyn Hall] {
            let mut s = Screen::new(hall);
            s.key(KeyCode::Char(enter));
            s.pump(hall);
            s.draw();
            let (mut a, mut b) = (Vec::new(), Vec::new());
            for _ in 0..READS {
                let t = Instant::now();
                step(&mut s);
                s.draw();
                a.push(t.elapsed());
                s.pump(hall);
                s.draw();
                b.push(t.elapsed());
            }
            ui.push(latency(a));
            full.push(latency(b));
        }
        run.add(&format!("key → frame, {name}"), ui[0], Some(ui[1]));
        run.add(&format!("key → frame with its data, {name}"), full[0], Some(full[1]));
    }
}

// ---- sizes and memory -----------------------------------------------------------------------

fn file_bytes(path: &Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|ext| std::fs::metadata(format!("{}{ext}", path.display())).ok())
        .map(|m| m.len())
        .sum()
}

fn sizes(run: &mut Run, stage: &str, paths: [&Path; 2]) {
    let n = run.tickets as f64;
    let (o, s) = (file_bytes(paths[0]) as f64, file_bytes(paths[1]) as f64);
    run.add(&format!("file size, {stage}"), Unit::Bytes(o), Some(Unit::Bytes(s)));
    run.add(&format!("bytes per ticket, {stage}"), Unit::PerTicket(o / n), Some(Unit::PerTicket(s / n)));
}

/// Peak resident memory (bytes) of a command and its output. The command runs under a small
/// wrapper process (this benchmark re-run as `rss`), because Linux counts the memory of the
/// process that spawned a child into the child's peak: the wrapper is small, the benchmark is not.
fn peak_rss(cmd: &mut Command) -> (u64, String) {
    let out = cmd.output().expect("run the wrapper");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "measured command failed: {}", String::from_utf8_lossy(&out.stderr));
    let (text, rss) = stdout.rsplit_once(RSS_MARK).expect("the wrapper reports the peak");
    (rss.trim().parse().expect("peak in bytes"), text.to_string())
}

const RSS_MARK: &str = "\nYIMEN_BENCH_MAXRSS=";

/// The wrapper's command line: `program args…` run under the `rss` child mode.
fn measured(program: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(std::env::current_exe().expect("own path"));
    c.env(CHILD_ENV, "rss").arg(program).args(args);
    c
}

/// The `rss` child mode: runs the rest of the command line, passes its output on, and
/// appends the child's peak resident memory from wait4's rusage.
#[allow(clippy::zombie_processes, reason = "the child is reaped by wait4, which also gives its rusage")]
fn rss_child() -> i32 {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((program, rest)) = args.split_first() else {
        eprintln!("rss: no command");
        return 2;
    };
    let mut child = match Command::new(program).args(rest).env_remove(CHILD_ENV).stdout(Stdio::piped()).spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("rss: {program}: {e}");
            return 2;
        }
    };
    let mut out = String::new();
    if let Some(mut o) = child.stdout.take() {
        let _ = o.read_to_string(&mut out);
    }
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if r != pid || !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        eprintln!("rss: {program} failed");
        return 1;
    }
    print!("{out}{RSS_MARK}{}", usage.ru_maxrss as u64 * 1024);
    0
}

fn memory(run: &mut Run, paths: [&Path; 2], day: Date) {
    let yimen = Path::new(env!("CARGO_BIN_EXE_yimen"));
    let date = day.to_string();
    let signed = |c: &mut Command| {
        c.env("YIMEN_DB", paths[0]).env("YIMEN_CLERK", SUPERVISOR.0).env("YIMEN_PIN", SUPERVISOR.1);
    };
    let mut c = measured(yimen, &["report", "daily", "--date", &date]);
    signed(&mut c);
    let ours = peak_rss(&mut c);
    let own = std::env::current_exe().expect("own path");
    let mut c = measured(&own, &[]);
    c.env("YIMEN_BENCH_SQLITE_DAILY", "1").env("YIMEN_BENCH_DB", paths[1]).env("YIMEN_BENCH_DAY", &date);
    let base = peak_rss(&mut c);
    assert!(ours.1.contains("便民服务日报") && base.1.contains("便民服务日报"), "both print the report");
    run.add(
        "peak memory: a process opens the database and prints a daily report",
        Unit::Bytes(ours.0 as f64),
        Some(Unit::Bytes(base.0 as f64)),
    );
    let mut c = measured(yimen, &["show", "1"]);
    signed(&mut c);
    let floor = peak_rss(&mut c);
    run.add("peak memory: the same program showing one ticket (its floor)", Unit::Bytes(floor.0 as f64), None);
}

/// The benchmark re-runs itself for the baseline's memory figure, so that figure is a fresh
/// process's, like yimen's.
fn child(mode: &str) -> i32 {
    match mode {
        "sqlite-daily" => {
            let (Ok(db), Ok(day)) = (std::env::var("YIMEN_BENCH_DB"), std::env::var("YIMEN_BENCH_DAY")) else {
                eprintln!("YIMEN_BENCH_DB and YIMEN_BENCH_DAY are needed");
                return 2;
            };
            let Some(day) = yimen::domain::calendar::parse_date(&day) else {
                eprintln!("bad day {day}");
                return 2;
            };
            let hall = open_sqlite(Path::new(&db));
            if !hall.sign_in(SUPERVISOR.0, SUPERVISOR.1) {
                eprintln!("sign-in refused");
                return 1;
            }
            match report::daily(&hall, day, Lang::Zh) {
                Ok(r) => {
                    let sections = yimen::present::render::daily_sections(&r, Lang::Zh);
                    print!("{}", yimen::present::render::text("便民服务日报", &r.date, &r.header, &sections, Lang::Zh));
                    0
                }
                Err(e) => {
                    eprintln!("{e}");
                    1
                }
            }
        }
        other => {
            eprintln!("unknown child mode {other}");
            2
        }
    }
}

// ---- one scale ------------------------------------------------------------------------------

fn run_scale(n: u64, dir: &Path) -> Run {
    let mut run = Run::default();
    let ours_path = dir.join("yimen.redb");
    let base_path = dir.join("sqlite.db");
    let per_day = 400u32;
    let days = (n / u64::from(per_day)).max(1) as u32;
    let (summary, built) = time(|| {
        yimen::demo::build(&ours_path, &yimen::demo::Options { days, per_day, seed: 2026 }).expect("demo build")
    });
    run.tickets = summary.tickets;
    let ours = open_ours(&ours_path);
    let (_, imported) = time(|| sqlite::import(&ours, &base_path).expect("import into SQLite"));
    // Sizes of closed files: redb reserves room in the file while it is open.
    drop(ours);
    run.notes.push(format!(
        "{} tickets over {} working days; demo built in {:.1} s, copied into SQLite in {:.1} s",
        summary.tickets,
        summary.days,
        built.as_secs_f64(),
        imported.as_secs_f64()
    ));
    let paths = [ours_path.as_path(), base_path.as_path()];
    sizes(&mut run, "as built", paths);
    let mut ours = open_ours(&ours_path);
    let mut base = open_sqlite(&base_path);
    writes(&mut run, &mut ours, &mut base, dir, n);
    reports(&mut run, &mut ours, &mut base);
    searches(&mut run, &mut ours, &mut base);
    keys(&mut run, &mut ours, &mut base);
    let day = report_day();
    drop(base);
    drop(ours);
    frames(&mut run, paths, dir);
    memory(&mut run, paths, day);
    {
        let c = sqlite::connect(&base_path).expect("reopen");
        sqlite::checkpoint(&c).expect("checkpoint");
    }
    sizes(&mut run, "after the benchmark's writes", paths);
    {
        let mut d = Local::new(Desk::open(&ours_path).expect("reopen"));
        d.sign_in(ADMIN.0, ADMIN.1).expect("sign in the admin");
        d.compact().expect("compact");
        let c = sqlite::connect(&base_path).expect("reopen");
        c.execute_batch("VACUUM").expect("vacuum");
        sqlite::checkpoint(&c).expect("checkpoint");
    }
    sizes(&mut run, "after compaction / VACUUM", paths);
    run
}

fn report_day() -> Date {
    let cal = Calendar::builtin();
    let mut d = clock().today().previous_day().expect("a day before");
    while !cal.is_working_day(d) {
        d = d.previous_day().expect("a day before");
    }
    d
}

// ---- the table ------------------------------------------------------------------------------

fn render(scales: &[u64], runs: &[Run]) -> String {
    let mut s = String::new();
    let now = OffsetDateTime::now_utc();
    let _ = writeln!(s, "yimen benchmark, {} UTC; {}", now.date(), machine());
    let _ = writeln!(s);
    let mut head = String::from("| operation |");
    let mut rule = String::from("|---|");
    for &n in scales {
        let l = label(n);
        let _ = write!(head, " yimen {l} | SQLite {l} | ratio |");
        rule.push_str("---:|---:|---:|");
    }
    if scales.len() >= 2 {
        let (a, b) = (label(scales[0]), label(scales[scales.len() - 1]));
        let _ = write!(head, " yimen {b}÷{a} | SQLite {b}÷{a} |");
        rule.push_str("---:|---:|");
    }
    let _ = writeln!(s, "{head}\n{rule}");
    let Some(first) = runs.first() else { return s };
    for (i, f) in first.figures.iter().enumerate() {
        let mut line = format!("| {} |", f.op);
        for r in runs {
            let Some(g) = r.figures.get(i) else { continue };
            let ratio = g.sqlite.map(|b| format!("{:.2}", g.ours.value() / b.value())).unwrap_or_else(|| "—".into());
            let _ =
                write!(line, " {} | {} | {} |", g.ours.show(), g.sqlite.map(|u| u.show()).unwrap_or("—".into()), ratio);
        }
        if runs.len() >= 2
            && let (Some(a), Some(b)) = (runs[0].figures.get(i), runs[runs.len() - 1].figures.get(i))
        {
            let scale = |x: Option<Unit>, y: Option<Unit>| match (x, y) {
                (Some(x), Some(y)) if x.value() > 0.0 => format!("{:.2}", y.value() / x.value()),
                _ => "—".into(),
            };
            let _ = write!(line, " {} | {} |", scale(Some(a.ours), Some(b.ours)), scale(a.sqlite, b.sqlite));
        }
        let _ = writeln!(s, "{line}");
    }
    let _ = writeln!(s);
    for (n, r) in scales.iter().zip(runs) {
        for note in &r.notes {
            let _ = writeln!(s, "- {}: {note}", label(*n));
        }
    }
    s
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    format!("{cpu}, {cores} cores, SQLite {}", rusqlite::version())
}
