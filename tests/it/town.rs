//! The town's PostgreSQL, for real: each test starts a throwaway cluster (`initdb` into a
//! temporary folder, a Unix socket there, stopped at the end) and runs the real binary's
//! `sync` and `town` against it. No mock of PostgreSQL.

use std::path::Path;

use serde_json::Value;

use crate::common::{Hall, skip};
use crate::pg::{Cluster, PASSWORD};

const NOW: &str = "2026-11-30T17:30:00+08:00";

fn cluster() -> Option<Cluster> {
    let c = Cluster::start();
    if c.is_none() {
        skip("PostgreSQL's server programs (Debian postgresql: initdb, pg_ctl)");
    }
    c
}

/// A demo hall of `days` working days, named and coded.
fn demo_hall(seed: u32, days: u32, code: &str) -> Hall {
    let hall = Hall::new();
    hall.cmd(NOW)
        .args(["demo", "--days", &days.to_string(), "--per-day", "20", "--seed", &seed.to_string(), "--no-tui"])
        .assert()
        .success();
    admin(&hall, NOW).args(["config", "set", "hall_code", code]).assert().success();
    admin(&hall, NOW).args(["config", "set", "hall", &format!("第{seed}便民服务站")]).assert().success();
    hall
}

fn admin(hall: &Hall, now: &str) -> assert_cmd::Command {
    let mut c = hall.cmd(now);
    c.env("YIMEN_CLERK", "管理员").env("YIMEN_PIN", "admin-demo-26").env("PGPASSWORD", PASSWORD);
    c
}

fn clerk(hall: &Hall, now: &str) -> assert_cmd::Command {
    let mut c = hall.cmd(now);
    c.env("YIMEN_CLERK", "李娟").env("YIMEN_PIN", "111111");
    c
}

fn sync(hall: &Hall, now: &str, url: &str) -> std::process::Output {
    admin(hall, now).args(["--json", "sync", "--to", url]).output().unwrap()
}

/// The hall's own tickets, per day, from its own export.
fn hall_tickets(hall: &Hall) -> Vec<Value> {
    hall_tickets_at(hall, NOW)
}

/// The hall's own tickets up to the day of `now`.
fn hall_tickets_at(hall: &Hall, now: &str) -> Vec<Value> {
    let out = hall
        .cmd(now)
        .env("YIMEN_CLERK", "王主任")
        .env("YIMEN_PIN", "boss-demo-26")
        .args(["export", "--from", "2025-01-01", "--format", "jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn chain_len(hall: &Hall) -> u64 {
    let out = hall
        .cmd(NOW)
        .env("YIMEN_CLERK", "王主任")
        .env("YIMEN_PIN", "boss-demo-26")
        .args(["--json", "audit", "verify"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["events"].as_u64().unwrap()
}

/// Every event of a hall is in the town once, positions 0 … n − 1, linked hash to hash.
fn assert_whole_chain(pg: &Cluster, code: &str, n: u64) {
    let row = pg.one(&format!(
        "SELECT count(*), count(DISTINCT position), coalesce(min(position), -1), coalesce(max(position), -1) FROM town.events WHERE hall_code = '{code}'"
    ));
    assert_eq!(row, format!("{n}|{n}|0|{}", n as i64 - 1), "hall {code}: events held");
    let unlinked = pg.one(&format!(
        "SELECT count(*) FROM town.events e JOIN town.events p ON p.hall_code = e.hall_code AND p.position = e.position - 1
         WHERE e.hall_code = '{code}' AND e.prev <> p.hash"
    ));
    assert_eq!(unlinked, "0", "hall {code}: every event follows the one before");
}

#[test]
fn fifteen_halls_meet_in_one_postgresql_and_every_figure_is_the_halls_own() {
    let Some(pg) = cluster() else { return };
    let url = pg.url();
    let halls: Vec<(String, Hall)> = (0..15u32)
        .map(|i| {
            let code = format!("43082210{i:02}00");
            let hall = demo_hall(100 + i, 60, &code);
            (code, hall)
        })
        .collect();
    // All at once, as the halls' links come up.
    std::thread::scope(|s| {
        for (code, hall) in &halls {
            let url = url.clone();
            s.spawn(move || {
                let out = sync(hall, NOW, &url);
                assert!(out.status.success(), "hall {code}: {}", String::from_utf8_lossy(&out.stderr));
            });
        }
    });
    let mut total = 0usize;
    for (code, hall) in &halls {
        let mine = hall_tickets(hall);
        total += mine.len();
        assert_whole_chain(&pg, code, chain_len(hall));
        // Per day and status, the town's tickets are the hall's.
        let town: Vec<String> = pg.sql(&format!(
            "SELECT date, status, count(*) FROM town.tickets WHERE hall_code = '{code}' GROUP BY 1, 2 ORDER BY 1, 2"
        ));
        let mut want: std::collections::BTreeMap<(String, String), u32> = Default::default();
        for t in &mine {
            *want.entry((t["date"].as_str().unwrap().into(), t["status"].as_str().unwrap().into())).or_default() += 1;
        }
        let want: Vec<String> = want.iter().map(|((d, s), n)| format!("{d}|{s}|{n}")).collect();
        assert_eq!(town, want, "hall {code}: tickets by day and status");
        // Names, ID numbers and phones arrive masked.
        let leaked = pg.one(&format!(
            "SELECT count(*) FROM town.tickets WHERE hall_code = '{code}' AND (record->'citizen'->>'id_number' ~ '^[0-9]{{17}}[0-9X]$' OR record->'citizen'->>'phone' ~ '^[0-9]{{11}}$')"
        ));
        assert_eq!(leaked, "0", "hall {code}: personal data masked in the town copy");
    }
    assert_eq!(
        pg.one("SELECT count(*) FROM town.tickets"),
        total.to_string(),
        "the town's total is the sum of the halls'"
    );
    // The town's daily report: each hall's line is the hall's own daily report, and the
    // totals are their sums.
    let town: Value = serde_json::from_slice(
        &admin(&halls[0].1, NOW).args(["--json", "town", "report", "daily", "--town", &url]).output().unwrap().stdout,
    )
    .unwrap();
    let figures = ["taken", "called", "served", "no_show", "accepted", "completed", "rejected", "notices", "rated"];
    let mut sums = std::collections::BTreeMap::<&str, u64>::new();
    let (mut ytd, mut overdue) = (0u64, 0u64);
    let mut villages = std::collections::BTreeMap::<String, u64>::new();
    for (code, hall) in &halls {
        let own: Value = serde_json::from_slice(
            &hall
                .cmd(NOW)
                .env("YIMEN_CLERK", "王主任")
                .env("YIMEN_PIN", "boss-demo-26")
                .args(["report", "daily", "--json"])
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap();
        let line =
            town["halls"].as_array().unwrap().iter().find(|h| h["code"] == code.as_str()).expect("the hall's line");
        let theirs = &line["report"];
        for f in figures {
            assert_eq!(theirs[f], own[f], "hall {code}: {f}");
            *sums.entry(f).or_default() += own[f].as_u64().unwrap();
        }
        for list in
            ["overdue", "due_soon", "make_good_tomorrow", "open_bad_ratings", "year_to_date", "by_category", "by_item"]
        {
            assert_eq!(theirs[list], own[list], "hall {code}: {list}");
        }
        for v in own["by_village"].as_array().unwrap() {
            *villages.entry(v["village"].as_str().unwrap().to_string()).or_default() += v["taken"].as_u64().unwrap();
        }
        ytd += own["year_to_date"]["accepted"].as_u64().unwrap();
        overdue += own["overdue"].as_array().unwrap().len() as u64;
        assert_eq!(line["stale"], false);
    }
    for f in figures {
        assert_eq!(town["totals"][f].as_u64(), Some(sums[f]), "the town's {f} is the halls' sum");
    }
    assert_eq!(town["year_to_date"]["accepted"].as_u64(), Some(ytd));
    let town_villages: std::collections::BTreeMap<String, u64> =
        serde_json::from_value(town["by_village"].clone()).unwrap();
    assert!(!villages.is_empty());
    assert_eq!(town_villages, villages, "the town's villages are the halls' summed");
    assert_eq!(town["overdue"].as_u64(), Some(overdue));
    // The town's period report: each hall's line is the hall's own period report; the town's
    // totals, days and 诉求 counts are their sums.
    let period = ["--from", "2026-09-01", "--to", "2026-11-30"];
    let out = admin(&halls[0].1, NOW)
        .args(["--json", "town", "report", "range", "--town", &url])
        .args(period)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let town: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut sums = std::collections::BTreeMap::<&str, u64>::new();
    let mut days = std::collections::BTreeMap::<String, u64>::new();
    let mut requests = 0;
    for (code, hall) in &halls {
        let out = hall
            .cmd(NOW)
            .env("YIMEN_CLERK", "王主任")
            .env("YIMEN_PIN", "boss-demo-26")
            .args(["--json", "report", "range"])
            .args(period)
            .output()
            .unwrap();
        let own: Value = serde_json::from_slice(&out.stdout).unwrap();
        let line =
            town["halls"].as_array().unwrap().iter().find(|h| h["code"] == code.as_str()).expect("the hall's line");
        let theirs = &line["report"];
        for f in figures {
            assert_eq!(theirs[f], own[f], "hall {code}: {f} over the period");
            *sums.entry(f).or_default() += own[f].as_u64().unwrap();
        }
        for list in ["days", "by_category", "by_item", "by_clerk", "ratings", "requests", "requests_opened"] {
            assert_eq!(theirs[list], own[list], "hall {code}: {list} over the period");
        }
        for d in own["days"].as_array().unwrap() {
            *days.entry(d["date"].as_str().unwrap().into()).or_default() += d["taken"].as_u64().unwrap();
        }
        requests += own["requests_opened"].as_u64().unwrap();
    }
    for f in figures {
        assert_eq!(town["totals"][f].as_u64(), Some(sums[f]), "the town's {f} over the period is the halls' sum");
    }
    let town_days: std::collections::BTreeMap<String, u64> = town["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["date"].as_str().unwrap().to_string(), d["taken"].as_u64().unwrap()))
        .collect();
    assert_eq!(town_days, days, "the town's days are the halls' summed");
    assert_eq!(town["requests_opened"].as_u64(), Some(requests));
    let listed = admin(&halls[0].1, NOW).args(["--json", "town", "halls", "--town", &url]).output().unwrap();
    let listed: Vec<Value> = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed.len(), 15);
    assert!(listed.iter().all(|h| h["flags"] == 0 && h["lag_seconds"].as_i64().is_some_and(|l| l.abs() < 600)));
}

#[test]
fn a_cut_link_loses_nothing_and_doubles_nothing_and_a_week_offline_catches_up_in_order() {
    let Some(pg) = cluster() else { return };
    let url = pg.url();
    let code = "430822101000";
    let hall = demo_hall(7, 40, code);
    let n = chain_len(&hall);
    assert!(n > 2000, "enough history for several batches: {n}");
    // The server is stopped while the sync runs: it fails in one line, the hall's outbox is
    // where the town is.
    let cut = std::thread::scope(|s| {
        let h = s.spawn(|| sync(&hall, NOW, &url));
        // Stopped as soon as the first batches are in: mid-way through the history.
        for _ in 0..500 {
            if h.is_finished() || pg.try_count("SELECT count(*) FROM town.events") > 0 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        pg.pg_ctl("stop");
        h.join().unwrap()
    });
    pg.pg_ctl("start");
    if !cut.status.success() {
        let err = String::from_utf8_lossy(&cut.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains("同步中断") || err.contains("连不上"), "{err}");
    }
    let held: u64 = pg.one(&format!("SELECT count(*) FROM town.events WHERE hall_code = '{code}'")).parse().unwrap();
    eprintln!(
        "cut after {held} of {n} events (the sync {})",
        if cut.status.success() { "had finished" } else { "failed" }
    );
    assert!(held <= n);
    // The hall works on meanwhile.
    clerk(&hall, NOW).args(["take", "SB03"]).assert().success();
    let out = sync(&hall, NOW, &url);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_whole_chain(&pg, code, chain_len(&hall));
    // The same sync again sends nothing.
    let again: Value = serde_json::from_slice(&sync(&hall, NOW, &url).stdout).unwrap();
    assert_eq!(again["events"], 0);
    // The town committed but the hall never wrote down how far (a power cut between the two):
    // the batches are sent again and nothing is held twice.
    {
        let db = redb::Database::open(&hall.db).unwrap();
        let tx = db.begin_write().unwrap();
        tx.open_table(redb::TableDefinition::<&str, &[u8]>::new("meta-1"))
            .unwrap()
            .insert("town_synced", b"0".as_slice())
            .unwrap();
        tx.commit().unwrap();
    }
    let resent: Value = serde_json::from_slice(&sync(&hall, NOW, &url).stdout).unwrap();
    assert_eq!(resent["events"], 0, "everything was held already");
    assert_whole_chain(&pg, code, chain_len(&hall));
    // A week without a link: the hall keeps taking numbers, then catches up in order.
    let later = "2026-12-07T10:00:00+08:00";
    for item in ["SB03", "MZ03", "YB01"] {
        clerk(&hall, later).args(["take", item]).assert().success();
    }
    let out = sync(&hall, later, &url);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["events"], 3, "the week's three numbers");
    assert_whole_chain(&pg, code, chain_len(&hall));
    assert_eq!(pg.one(&format!("SELECT count(*) FROM town.flags WHERE hall_code = '{code}'")), "0");
    // The town caches each finished day's totals; a change to a past case reaches them.
    let town_ytd = |now: &str| -> Value {
        let out = admin(&hall, now).args(["--json", "town", "report", "daily", "--town", &url]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["halls"][0]["report"]["year_to_date"].clone()
    };
    let own_ytd = |now: &str| -> Value {
        let out = hall
            .cmd(now)
            .env("YIMEN_CLERK", "王主任")
            .env("YIMEN_PIN", "boss-demo-26")
            .args(["report", "daily", "--json"])
            .output()
            .unwrap();
        serde_json::from_slice::<Value>(&out.stdout).unwrap()["year_to_date"].clone()
    };
    assert_eq!(town_ytd(later), own_ytd(later));
    assert_ne!(pg.one("SELECT count(*) FROM town.day_totals"), "0", "finished days cached");
    let done =
        hall_tickets_at(&hall, later).into_iter().find(|t| t["status"] == "completed").expect("a completed case");
    let id = done["id"].to_string();
    let out = hall
        .cmd(later)
        .env("YIMEN_CLERK", "王主任")
        .env("YIMEN_PIN", "boss-demo-26")
        .args(["reopen", &id, "--reason", "群众反映未发放"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(sync(&hall, later, &url).status.success());
    assert_eq!(town_ytd(later), own_ytd(later), "the town's year to date follows the reopened case");
    assert_eq!(
        pg.one(&format!("SELECT count(*) FROM town.tickets WHERE hall_code = '{code}'")),
        hall_tickets_at(&hall, later).len().to_string()
    );
}

/// Changes a stored ticket record straight in the file: no event, no hash.
fn edit_ticket_in_file(db: &Path, id: u64) {
    edit_ticket_clerk(db, id, "别人");
}

/// Changes a ticket's clerk in the file itself, as a hand with a database tool would.
fn edit_ticket_clerk(db: &Path, id: u64, clerk: &str) {
    use redb::ReadableTable;
    let db = redb::Database::open(db).unwrap();
    let tx = db.begin_write().unwrap();
    {
        let mut t = tx.open_table(redb::TableDefinition::<u64, &[u8]>::new("tickets-1")).unwrap();
        let mut ticket: yimen::domain::ticket::Ticket =
            rmp_serde::from_slice(t.get(id).unwrap().unwrap().value()).unwrap();
        ticket.clerk = Some(clerk.into());
        t.insert(id, rmp_serde::to_vec_named(&ticket).unwrap().as_slice()).unwrap();
    }
    tx.commit().unwrap();
}

#[test]
fn a_record_edited_outside_yimen_is_flagged_by_the_town_and_bad_links_are_refused_in_one_line() {
    let Some(pg) = cluster() else { return };
    let url = pg.url();
    let code = "430822102000";
    let hall = demo_hall(9, 5, code);
    assert!(sync(&hall, NOW, &url).status.success());
    edit_ticket_in_file(&hall.db, 3);
    // The run fails in one line (a script notices), and says what the town flagged.
    let out = sync(&hall, NOW, &url);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.trim().lines().count() == 1 && err.contains("一门之外被改动"), "{err}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["flags"].as_array().unwrap().iter().any(|f| f["kind"] == "record_changed" && f["ticket"] == 3), "{v}");
    let flags = admin(&hall, NOW).args(["town", "flags", code, "--town", &url]).output().unwrap();
    assert!(String::from_utf8_lossy(&flags.stdout).contains("记录在一门之外被改动"));
    // Raised once, not on every sync.
    assert!(!sync(&hall, NOW, &url).status.success());
    assert_eq!(pg.one(&format!("SELECT count(*) FROM town.flags WHERE hall_code = '{code}'")), "1");
    // A code the town does not know is not "no flags".
    let out = admin(&hall, NOW).args(["town", "flags", "110101001001", "--town", &url]).output().unwrap();
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("没有代码为 110101001001 的大厅"));

    // The code is the hall's name in the town: fixed once synced.
    let out = admin(&hall, NOW).args(["config", "set", "hall_code", "430822109000"]).output().unwrap();
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("不能再改"));

    // Bad URL, a refused sign-in, a town of a newer schema: one line each; the hall works on
    // and its outbox keeps its place.
    let wrong_user = url.replace("town@", "nobody@");
    pg.sql("INSERT INTO town.schema_version (version) VALUES (99)");
    for (to, password, says) in [
        ("http://town.example/", PASSWORD, "地址有误"),
        (wrong_user.as_str(), PASSWORD, "连不上"),
        (url.as_str(), "wrong-guess-26", "连不上"),
        (url.as_str(), PASSWORD, "第 99 版"),
    ] {
        let out = admin(&hall, NOW).env("PGPASSWORD", password).args(["sync", "--to", to]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.trim().lines().count() == 1 && err.contains(says), "{to}: {err}");
        assert!(!err.contains(password), "the password is never shown: {err}");
    }
    assert!(!crate::common::log_text(hall.dir.path()).contains(PASSWORD), "nor written to the log");
    clerk(&hall, NOW).args(["take", "SB03"]).assert().success();
    pg.sql("DELETE FROM town.schema_version WHERE version = 99");
    let v: Value = serde_json::from_slice(&sync(&hall, NOW, &url).stdout).unwrap();
    assert_eq!(v["events"], 1, "only the one new event, after the refusals");

    // The town's tables changed under it: it says it holds three events fewer than it does.
    // The hall's next events meet rows already there: flagged at the first, none written.
    let before = pg.one(&format!("SELECT count(*) FROM town.events WHERE hall_code = '{code}'"));
    pg.sql(&format!(
        "UPDATE town.halls h SET next_position = next_position - 3,
           head = (SELECT hash FROM town.events e WHERE e.hall_code = h.hall_code AND e.position = h.next_position - 4)
         WHERE hall_code = '{code}'"
    ));
    clerk(&hall, NOW).args(["take", "SB03"]).assert().success();
    let out = sync(&hall, NOW, &url);
    assert!(!out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let held = before.parse::<u64>().unwrap() - 3;
    assert!(v["flags"].as_array().unwrap().iter().any(|f| f["kind"] == "mismatch" && f["position"] == held), "{v}");
    assert_eq!(
        pg.one(&format!("SELECT count(*) FROM town.events WHERE hall_code = '{code}'")),
        before,
        "nothing written"
    );

    // The town looks: the changed record is resolved with what was found; it is not raised
    // again while the hall's record stays as it is, and its note is kept.
    let flags: Vec<Value> = serde_json::from_slice(
        &admin(&hall, NOW).args(["--json", "town", "flags", code, "--town", &url]).output().unwrap().stdout,
    )
    .unwrap();
    let changed = flags.iter().find(|f| f["kind"] == "record_changed").expect("the flag")["id"].as_u64().unwrap();
    let resolve_flag = |id: u64, note: &str| {
        admin(&hall, NOW)
            .args(["town", "resolve", code, &id.to_string(), "--note", note, "--town", &url])
            .output()
            .unwrap()
    };
    let resolve = |note: &str| resolve_flag(changed, note);
    let out = resolve(" ");
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("--note"), "a resolution says why");
    assert!(resolve("核实：窗口改正了错字，经负责人签字").status.success());
    let out = resolve("again");
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("没有第"), "resolved once");
    let all = admin(&hall, NOW).args(["town", "flags", code, "--all", "--town", &url]).output().unwrap();
    assert!(String::from_utf8_lossy(&all.stdout).contains("已处理：核实：窗口改正了错字"), "the note is kept");

    // The same record changed once more: a new flag, the sync fails again.
    edit_ticket_clerk(&hall.db, 3, "又一个人");
    let out = sync(&hall, NOW, &url);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["flags"].as_array().unwrap().iter().any(|f| f["kind"] == "record_changed" && f["ticket"] == 3), "{v}");
    let open: Vec<Value> = serde_json::from_slice(
        &admin(&hall, NOW).args(["--json", "town", "flags", code, "--town", &url]).output().unwrap().stdout,
    )
    .unwrap();
    let again = open.iter().find(|f| f["kind"] == "record_changed").expect("raised again")["id"].as_u64().unwrap();
    assert_ne!(again, changed);
    assert!(resolve_flag(again, "核实：同一人再次修改，已处理").status.success());

    // The town accepts the hall's history as it stands: its copy is set aside, the hall sends
    // everything again, and the chain flags are resolved with the note.
    let held = pg.one(&format!("SELECT count(*) FROM town.events WHERE hall_code = '{code}'"));
    let out =
        admin(&hall, NOW).args(["town", "accept", code, "--note", "大厅自查后确认", "--town", &url]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(pg.one(&format!("SELECT count(*) FROM town.superseded_events WHERE hall_code = '{code}'")), held);
    let out = sync(&hall, NOW, &url);
    assert!(
        out.status.success(),
        "a resolved changed record no longer fails the sync: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let n: u64 = pg.one(&format!("SELECT next_position FROM town.halls WHERE hall_code = '{code}'")).parse().unwrap();
    assert_whole_chain(&pg, code, n);
    assert_eq!(n, before.parse::<u64>().unwrap() + 1, "the hall's whole chain, its last number included");
    assert_eq!(
        pg.one(&format!("SELECT count(*) FROM town.flags WHERE hall_code = '{code}' AND resolved_at IS NULL")),
        "0"
    );
}

#[test]
fn the_hall_server_syncs_by_itself_while_it_serves() {
    let Some(pg) = cluster() else { return };
    let url = pg.url();
    let code = "430822103000";
    let hall = demo_hall(11, 3, code);
    // The password in the URL this time (the server is started without PGPASSWORD).
    let with_password = url.replace("town@", &format!("town:{PASSWORD}@"));
    let server =
        crate::server::Server::start(&hall, "127.0.0.1:0", &["--sync-to", &with_password, "--sync-every", "1"]);
    let held = || pg.try_count(&format!("SELECT count(*) FROM town.events WHERE hall_code = '{code}'"));
    let wait_for = |n: u64| {
        for _ in 0..300 {
            if held() >= n {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        false
    };
    let n = chain_len(&hall);
    // `audit verify` read the file beside the server (multi-process mode).
    assert!(wait_for(n), "the history arrives by itself: {} of {n}", held());
    // A number taken through the server follows within a few seconds.
    let out = clerk(&hall, crate::server::NOW).args(["--server", &server.url, "take", "SB03"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(wait_for(n + 1), "the new number arrives: {}", held());
    drop(server);
    assert_whole_chain(&pg, code, n + 1);
}

#[test]
fn no_personal_number_reaches_the_town_and_a_code_is_one_halls_and_a_new_town_gets_everything() {
    let Some(pg) = cluster() else { return };
    let url = pg.url();
    let code = "430822104000";
    let hall = demo_hall(13, 3, code);
    // Numbers in free text and in a 更正's note (which holds the number before and after).
    let out = clerk(&hall, NOW)
        .args([
            "--json",
            "take",
            "SB03",
            "--name",
            "张三",
            "--id-number",
            "430822198503171230",
            "--phone",
            "13812345678",
        ])
        .args(["--note", "张三另一手机13912345678"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let id = serde_json::from_slice::<Value>(&out.stdout).unwrap()["id"].to_string();
    for (field, to) in [("id-number", "430822194001014560"), ("phone", "13698765432"), ("name", "张思远")] {
        let out = clerk(&hall, NOW)
            .args(["correct", &id, "--field", field, "--to", to, "--reason", "录入时输错"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert!(sync(&hall, NOW, &url).status.success());
    for n in ["430822198503171230", "430822194001014560", "13812345678", "13698765432", "13912345678"] {
        for (table, col) in [("tickets", "record"), ("events", "body")] {
            let found = pg.one(&format!("SELECT count(*) FROM town.{table} WHERE {col}::text LIKE '%{n}%'"));
            assert_eq!(found, "0", "{n} in town.{table}");
        }
    }
    // Free text is not sent at all (a note could hold anyone's name), only that there was some.
    assert_eq!(
        pg.one(&format!("SELECT record->>'note' FROM town.tickets WHERE hall_code = '{code}' AND ticket_id = {id}")),
        "〔略〕"
    );
    // Names too, in the record and in a 更正's note: masked as names are everywhere.
    for name in ["张三", "张思远"] {
        for (table, col) in [("tickets", "record"), ("events", "body")] {
            let found = pg.one(&format!("SELECT count(*) FROM town.{table} WHERE {col}::text LIKE '%{name}%'"));
            assert_eq!(found, "0", "{name} in town.{table}");
        }
    }
    assert_eq!(
        pg.one(&format!(
            "SELECT count(*) FROM town.events WHERE hall_code = '{code}' AND body->>'note' LIKE '%姓名：张* → 张*远；%'"
        )),
        "1",
        "the correction still says what changed, masked"
    );
    assert_eq!(
        pg.one("SELECT count(*) FROM town.events WHERE state IS NOT NULL OR body ? 'state'"),
        "0",
        "no record hash"
    );

    // Another hall given the same code by mistake: refused, nothing written, its code free.
    let other = demo_hall(14, 2, code);
    let out = sync(&other, NOW, &url);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("另一个大厅用代码"), "{err}");
    assert_eq!(pg.one(&format!("SELECT name FROM town.halls WHERE hall_code = '{code}'")), "第13便民服务站");
    // The town is told, on the code's hall; a healthy hall is never set aside by `accept`.
    let flags = admin(&hall, NOW).args(["town", "flags", code, "--town", &url]).output().unwrap();
    assert!(String::from_utf8_lossy(&flags.stdout).contains("另一份历史试图用这个代码同步"));
    let healthy = "430822105000";
    let out = admin(&hall, NOW).args(["town", "accept", healthy, "--note", "误操作", "--town", &url]).output().unwrap();
    assert!(!out.status.success(), "an unknown hall");
    admin(&other, NOW).args(["config", "set", "hall_code", "430822105000"]).assert().success();

    // A new town database: the hall sends everything again, though it had sent it elsewhere.
    assert!(pg.createdb("town2"));
    let url2 = format!("{url}2");
    let v: Value = serde_json::from_slice(&sync(&hall, NOW, &url2).stdout).unwrap();
    assert_eq!(v["events"].as_u64(), Some(chain_len(&hall)), "the whole chain to the new town");
}

#[test]
fn a_hall_that_allows_it_sends_whole_data_its_own_catalog_names_its_figures_and_town_reports_go_on_paper() {
    let Some(pg) = cluster() else { return };
    let url = pg.url();
    let (open, whole) = ("430822106000", "430822107000");
    let masked_hall = demo_hall(21, 2, open);
    let whole_hall = demo_hall(22, 2, whole);
    // The hall's rules allow the town to hold personal data whole: stated in its settings.
    admin(&whole_hall, NOW)
        .args(["config", "set", "town_personal_data", "whole"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("masked"))
        .stderr(predicates::str::contains("full"));
    admin(&whole_hall, NOW).args(["config", "set", "town_personal_data", "full"]).assert().success();
    // Its own catalog: a category and an item the built-in one lacks.
    let catalog = whole_hall.dir.path().join("own.toml");
    std::fs::write(
        &catalog,
        "[[category]]\ncode = \"nongji\"\nname = \"农机补贴\"\nletter = \"N\"\n\n\
         [[item]]\ncode = \"NJ01\"\nname = \"农机购置补贴申请\"\ncategory = \"nongji\"\nkind = \"即办\"\ndays = 0\nrequires_id = false\n",
    )
    .unwrap();
    admin(&whole_hall, NOW).args(["catalog", "import", catalog.to_str().unwrap()]).assert().success();
    for hall in [&masked_hall, &whole_hall] {
        let item = if std::ptr::eq(hall, &whole_hall) { "NJ01" } else { "SB03" };
        clerk(hall, NOW)
            .args(["take", item, "--name", "李四", "--id-number", "430822198503171230", "--phone", "13812345678"])
            .assert()
            .success();
        assert!(sync(hall, NOW, &url).status.success());
    }
    let held = |code: &str, n: &str| {
        pg.one(&format!("SELECT count(*) FROM town.tickets WHERE hall_code = '{code}' AND record::text LIKE '%{n}%'"))
    };
    for n in ["430822198503171230", "13812345678", "李四"] {
        assert_eq!(held(open, n), "0", "{n}: masked by default");
        assert_eq!(held(whole, n), "1", "{n}: whole where the hall allows it");
    }
    // The town names the hall's own category as the hall does.
    let out = admin(&whole_hall, NOW).args(["--json", "town", "report", "daily", "--town", &url]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["by_category"]["农机补贴"], serde_json::json!([1, 0, 0]), "{}", r["by_category"]);
    assert_eq!(r["by_item"]["NJ01 农机购置补贴申请"], serde_json::json!([1, 0, 0]));

    // On paper: the text report names both halls and the town's total; the PDF and the
    // workbook carry the same figures (read back by poppler and calamine).
    let text = admin(&whole_hall, NOW).args(["town", "report", "daily", "--town", &url]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("镇便民服务日报") && text.contains("第21便民服务站") && text.contains("第22便民服务站"),
        "{text}"
    );
    assert!(text.contains("全镇 2 个便民服务大厅") && text.contains("镇负责人（签字）"), "{text}");
    // A healthy hall of the town is not set aside by a slip of the keyboard.
    let out =
        admin(&whole_hall, NOW).args(["town", "accept", whole, "--note", "误操作", "--town", &url]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("没有未处理的问题标记"), "{err}");
    let taken = r["totals"]["taken"].as_u64().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("town.pdf");
    admin(&whole_hall, NOW)
        .args(["town", "report", "range", "--from", "2026-11-01", "--town", &url, "--out"])
        .arg(&pdf)
        .assert()
        .success();
    if crate::paper::has("pdftotext") {
        let words = crate::paper::pdftotext(&pdf, None);
        assert!(words.contains("镇便民服务周期报告") && words.contains("农机补贴"), "{words}");
        assert!(words.contains("第21便民服务站") && words.contains("第1页"), "{words}");
    } else {
        skip("poppler-utils (pdftotext)");
    }
    let book = dir.path().join("town.xlsx");
    admin(&whole_hall, NOW).args(["town", "report", "daily", "--town", &url, "--out"]).arg(&book).assert().success();
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&book).unwrap();
    let sheet = wb.worksheet_range_at(1).unwrap().unwrap();
    let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    let total = rows.iter().find(|r| r.first().is_some_and(|c| c == "合计")).expect("the total row");
    assert!(
        sheet.rows().any(|r| matches!(r.get(1), Some(calamine::Data::String(c)) if c == whole)),
        "the hall's code is a text cell, as typed"
    );
    assert_eq!(total[2], taken.to_string(), "{rows:?}");
    assert!(rows.iter().any(|r| r.get(1).is_some_and(|c| c == whole)), "the hall's code is text, whole: {rows:?}");
}

/// A certificate authority and a server certificate it signed for `names`, in PEM:
/// (CA certificate, server certificate, server key).
fn county_ca(names: &[&str]) -> (String, String, String) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name.push(rcgen::DnType::CommonName, "县政务网 CA");
    let ca = rcgen::CertifiedIssuer::self_signed(ca, ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let params = rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    let cert = params.signed_by(&key, &ca).unwrap();
    (ca.pem(), cert.pem(), key.serialize_pem())
}

#[test]
fn sslmode_require_speaks_tls_to_the_town_and_trusts_only_the_county_ca() {
    let (ca, cert, key) = county_ca(&["127.0.0.1"]);
    let Some(pg) = Cluster::start_tls(&cert, &key) else {
        skip("PostgreSQL's server programs (Debian postgresql: initdb, pg_ctl)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("county-ca.pem");
    std::fs::write(&ca_file, &ca).unwrap();
    let (stranger, _, _) = county_ca(&["127.0.0.1"]);
    let stranger_file = dir.path().join("other-ca.pem");
    std::fs::write(&stranger_file, &stranger).unwrap();
    let not_pem = dir.path().join("not-a-cert.pem");
    std::fs::write(&not_pem, "hello").unwrap();
    let code = "430822108000";
    let hall = demo_hall(31, 2, code);
    let url = pg.tls_url();
    let plain = url.replace("?sslmode=require", "");
    let by_name = url.replace("127.0.0.1", "localhost");
    // Refusals first: the outbox keeps its place through every one.
    for (to, root, says) in [
        (plain.as_str(), Some(&ca_file), "连不上"),
        (url.as_str(), None, "不是受信任的机构签发"),
        (url.as_str(), Some(&stranger_file), "不是受信任的机构签发"),
        (by_name.as_str(), Some(&ca_file), "与地址中的主机名不符"),
        (url.as_str(), Some(&not_pem), "PGSSLROOTCERT"),
    ] {
        let mut c = admin(&hall, NOW);
        c.env_remove("PGSSLROOTCERT");
        // The computer's roots are a stranger's: the same answer on every machine.
        c.env("SSL_CERT_FILE", &stranger_file).env_remove("SSL_CERT_DIR");
        if let Some(r) = root {
            c.env("PGSSLROOTCERT", r);
        }
        let out = c.args(["sync", "--to", to]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.trim().lines().count() == 1 && err.contains(says), "{to} {root:?}: {err}");
        assert!(!err.contains(PASSWORD), "{err}");
    }
    // The county's CA named: the whole chain goes over TLS (the server takes nothing else on
    // its network address).
    let out = admin(&hall, NOW).env("PGSSLROOTCERT", &ca_file).args(["--json", "sync", "--to", &url]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["events"].as_u64(), Some(chain_len(&hall)), "everything, from the start");
    assert_whole_chain(&pg, code, chain_len(&hall));
    let out = admin(&hall, NOW)
        .env("PGSSLROOTCERT", &ca_file)
        .args(["--json", "town", "report", "daily", "--town", &url])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
