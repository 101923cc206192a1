//! The town's PostgreSQL (`YIMEN_BENCH_TOWN=1`): fifteen demo halls synced into a throwaway
//! cluster, then the town's daily report, at one history and at ten times it. Figures: sync
//! throughput (events a second into PostgreSQL) and the town report's time, first run (which
//! fills the town's cache of finished days) and again (median of 5); the ratio of the longer
//! history's time to the shorter's is the "flat as history grows" check (≤ 2×).

use std::path::Path;
use std::time::{Duration, Instant};

use yimen::client::{Client, Local};
use yimen::domain::Lang;

#[path = "../../tests/it/pg.rs"]
mod pg;

/// Halls, working days of the short history, numbers a working day.
pub fn shape() -> Option<(u32, u32, u32)> {
    match std::env::var("YIMEN_BENCH_TOWN").ok()?.as_str() {
        // The shape: fifteen halls of 400 a working day, a year (250 working days, 1.5 M
        // tickets) against a tenth of it.
        "full" => Some((15, 25, 400)),
        "1" => Some((15, 25, 40)),
        _ => None,
    }
}

struct Figures {
    tickets: u64,
    events: u64,
    sync: Duration,
    first: Duration,
    again: Duration,
}

fn one_history(root: &Path, halls: u32, days: u32, per_day: u32) -> Figures {
    let cluster = pg::Cluster::start().expect("PostgreSQL's server programs (Debian postgresql)");
    // SAFETY: the benchmark sets its environment before any thread of its own reads it.
    unsafe { std::env::set_var("PGPASSWORD", pg::PASSWORD) };
    let url = cluster.url();
    let mut desks = Vec::new();
    let mut tickets = 0;
    for h in 0..halls {
        let db = root.join(format!("town-{days}-{h}.redb"));
        let _ = std::fs::remove_file(&db);
        let opts = yimen::demo::Options { days, per_day, seed: 500 + u64::from(h) };
        yimen::demo::build(&db, &opts).expect("demo");
        let mut desk = Local::new(yimen::app::Desk::open(&db).expect("open"));
        desk.sign_in("管理员", "admin-demo-26").expect("the demo's admin");
        desk.set_setting("hall_code", &format!("4308221{h:02}000")).expect("code");
        tickets += desk.desk.ticket_count().expect("count");
        desks.push(desk);
    }
    let t = Instant::now();
    let mut events = 0;
    for desk in &desks {
        let mut town = yimen::town::Town::connect(&url).expect("town");
        events += yimen::town::sync(&desk.desk, &mut town, false, &|_, _| {}).expect("sync").events;
    }
    let sync = t.elapsed();
    let mut town = yimen::town::Town::open(&url).expect("town");
    let day = desks[0].clock().today();
    let now = desks[0].clock().now();
    let t = Instant::now();
    let r = town.daily(day, now, Lang::Zh).expect("town report");
    let first = t.elapsed();
    assert_eq!(r.halls.len(), halls as usize);
    let mut again: Vec<Duration> = (0..5)
        .map(|_| {
            let t = Instant::now();
            town.daily(day, now, Lang::Zh).expect("town report");
            t.elapsed()
        })
        .collect();
    again.sort_unstable();
    for h in 0..halls {
        let _ = std::fs::remove_file(root.join(format!("town-{days}-{h}.redb")));
    }
    Figures { tickets, events, sync, first, again: again[again.len() / 2] }
}

/// The section of the benchmark's table.
pub fn run(root: &Path, (halls, days, per_day): (u32, u32, u32)) -> String {
    std::fs::create_dir_all(root).expect("town directory");
    let short = one_history(root, halls, days, per_day);
    let long = one_history(root, halls, days * 10, per_day);
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    let rate = |f: &Figures| format!("{:.0}", f.events as f64 / f.sync.as_secs_f64().max(1e-9));
    let mut out = format!(
        "The town's PostgreSQL: {halls} halls, {per_day} numbers a working day, {days} and {} working days of history\n\n",
        days * 10
    );
    out.push_str(
        "| history | tickets | events synced | sync, events/s | town daily report, first run | again (median of 5) |\n",
    );
    out.push_str("|---|---:|---:|---:|---:|---:|\n");
    for (label, f) in [(days, &short), (days * 10, &long)] {
        out.push_str(&format!(
            "| {label} days | {} | {} | {} | {} | {} |\n",
            f.tickets,
            f.events,
            rate(f),
            ms(f.first),
            ms(f.again)
        ));
    }
    out.push_str(&format!(
        "\n10× the history: the town report again {:.2}× the time (target ≤ 2×), first run {:.2}×.\n",
        long.again.as_secs_f64() / short.again.as_secs_f64().max(1e-9),
        long.first.as_secs_f64() / short.first.as_secs_f64().max(1e-9)
    ));
    out
}
