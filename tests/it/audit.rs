//! The audit chain: intact after real work (and after migrating an old file), broken — with
//! the ticket and time named — when any stored event is changed or removed behind its back.

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};

use crate::common::Hall;
use yimen::domain::ticket::Event;

const NOW: &str = "2026-11-30T09:00:00+08:00";
const EVENTS: TableDefinition<(u64, u32), &[u8]> = TableDefinition::new("events-1");

fn history(hall: &Hall) {
    hall.cmd(NOW).arg("init").assert().success();
    for item in ["MZ03", "SB03", "SB03"] {
        hall.cmd(NOW).args(["take", item]).assert().success();
    }
    hall.cmd(NOW).args(["call", "--window", "1", "--categories", "B"]).assert().success();
    hall.cmd(NOW).args(["complete", "B001"]).assert().success();
    hall.cmd(NOW).args(["rate", "B001", "--score", "4"]).assert().success();
}

fn verify(hall: &Hall) -> (Option<i32>, String, String) {
    let out = hall.cmd(NOW).args(["audit", "verify"]).output().unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn rewrite(hall: &Hall, key: (u64, u32), change: impl FnOnce(&mut Event)) {
    let db = Database::open(&hall.db).unwrap();
    let tx = db.begin_write().unwrap();
    {
        let mut t = tx.open_table(EVENTS).unwrap();
        let mut e: Event = rmp_serde::from_slice(t.get(key).unwrap().unwrap().value()).unwrap();
        change(&mut e);
        t.insert(key, rmp_serde::to_vec_named(&e).unwrap().as_slice()).unwrap();
    }
    tx.commit().unwrap();
}

#[test]
fn the_chain_verifies_and_the_report_prints_its_head() {
    let hall = Hall::new();
    history(&hall);
    let (code, out, _) = verify(&hall);
    assert_eq!(code, Some(0));
    assert!(out.contains("审计链完整：7 条事件"), "the first admin, 3 takes, call, complete, rate: {out}");
    let head = out.trim().rsplit(' ').next().unwrap().to_string();
    assert_eq!(head.len(), 64);
    let report = hall.cmd(NOW).args(["report", "daily"]).output().unwrap();
    assert!(String::from_utf8(report.stdout).unwrap().contains(&head), "the signed page carries the head");
}

#[test]
fn a_quiet_edit_is_found_with_its_ticket_and_time() {
    let hall = Hall::new();
    history(&hall);
    // Someone changes a rating-day event's note directly in the file.
    rewrite(&hall, (2, 1), |e| e.note = Some("改过了".into()));
    let (code, _, err) = verify(&hall);
    assert_eq!(code, Some(1));
    assert!(err.contains("B001") && err.contains("2026-11-30") && err.contains("content changed"), "{err}");
    assert_eq!(err.lines().count(), 1);
}

#[test]
fn re_hashing_an_edit_still_breaks_the_next_link() {
    let hall = Hall::new();
    history(&hall);
    // A careful forger recomputes the edited event's hash; the next event no longer follows it.
    rewrite(&hall, (1, 0), |e| {
        e.clerk = "别人".into();
        e.hash = yimen_store::chain::hash_of(e);
    });
    let (code, _, err) = verify(&hall);
    assert_eq!(code, Some(1));
    assert!(err.contains("does not follow") || err.contains("head"), "{err}");
}

#[test]
fn a_removed_event_is_found() {
    let hall = Hall::new();
    history(&hall);
    let db = Database::open(&hall.db).unwrap();
    let tx = db.begin_write().unwrap();
    tx.open_table(EVENTS).unwrap().remove((2, 2)).unwrap();
    tx.commit().unwrap();
    drop(db);
    let (code, _, err) = verify(&hall);
    assert_eq!(code, Some(1));
    assert!(err.contains("event missing"), "{err}");
    // The database itself still opens; only the chain says what happened.
    let db = Database::open(&hall.db).unwrap();
    assert!(db.begin_read().unwrap().open_table(EVENTS).unwrap().get((2, 1)).unwrap().is_some());
}
