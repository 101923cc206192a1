//! The store and application layer on real redb files in a temporary directory.

use redb::{Database, TableDefinition};

use crate::common::{Hall, TEST_PASSWORD, clock};
use yimen::app::{AcceptRequest, CitizenInput, Desk, DeskError, TakeRequest};
use yimen::domain::queue::Priority;
use yimen::domain::ticket::Status;
use yimen_store::{Store, StoreError};

const MON: &str = "2026-11-30T09:00:00+08:00";
const TUE: &str = "2026-12-01T09:00:00+08:00";

fn take(desk: &Desk, item: &str, priority: Option<Priority>) -> yimen::domain::Ticket {
    let req = TakeRequest { item: item.into(), priority, ..Default::default() };
    desk.take(&req).expect("take").0
}

#[test]
fn numbers_restart_daily_and_never_repeat() {
    let hall = Hall::new();
    let mut desk = hall.desk("李娟", MON);
    let nums: Vec<String> =
        ["MZ01", "MZ03", "SB03", "MZ05", "YB01"].iter().map(|i| take(&desk, i, None).number.to_string()).collect();
    assert_eq!(nums, ["A001", "A002", "B001", "A003", "C001"]);
    desk.set_clock(clock(TUE));
    assert_eq!(take(&desk, "MZ01", None).number.to_string(), "A001");
    // Both A001s exist, each on its own day.
    let mon = desk.show("2026-11-30/A001").expect("monday A001").0;
    let tue = desk.show("A001").expect("today's A001").0;
    assert_ne!(mon.id, tue.id);
    assert_eq!((mon.date.to_string(), tue.date.to_string()), ("2026-11-30".into(), "2026-12-01".into()));
    // Ids keep growing across days.
    assert_eq!(tue.id, 6);
}

#[test]
fn priority_first_then_oldest_and_only_the_windows_categories() {
    let hall = Hall::new();
    let mut desk = hall.desk("李娟", "2026-11-30T09:00:00+08:00");
    take(&desk, "MZ01", None); // A001
    desk.set_clock(clock("2026-11-30T09:01:00+08:00"));
    take(&desk, "SB03", None); // B001
    desk.set_clock(clock("2026-11-30T09:02:00+08:00"));
    take(&desk, "MZ03", Some(Priority::Disability)); // A002
    desk.set_clock(clock("2026-11-30T09:03:00+08:00"));
    take(&desk, "MZ04", None); // A003
    desk.set_clock(clock("2026-11-30T09:04:00+08:00"));
    take(&desk, "SB01", Some(Priority::Military)); // B002

    let b = desk.call("2", &["B".into()]).unwrap();
    assert_eq!(b.number.to_string(), "B002", "priority within the window's categories");
    let order: Vec<String> = (0..3).map(|_| desk.call("1", &["民政".into()]).unwrap().number.to_string()).collect();
    assert_eq!(order, ["A002", "A001", "A003"]);
    assert!(matches!(desk.call("1", &["A".into()]), Err(DeskError::NoOneWaiting(_))));
    assert_eq!(desk.call("3", &[]).unwrap().number.to_string(), "B001");
    assert!(matches!(desk.call("3", &[]), Err(DeskError::NoOneWaiting(_))));
    assert!(matches!(desk.call("3", &["Z".into()]), Err(DeskError::UnknownCategory(_))));
}

#[test]
fn an_eighty_year_old_is_called_first_automatically() {
    let hall = Hall::new();
    let desk = hall.desk("李娟", MON);
    take(&desk, "SB03", None);
    let req = TakeRequest {
        item: "SB03".into(),
        citizen: CitizenInput { id_number: Some("430822194503153325".into()), ..Default::default() },
        ..Default::default()
    };
    let (t, hints) = desk.take(&req).unwrap();
    assert_eq!(t.priority, Some(Priority::Elderly));
    assert!(!hints.is_empty());
    assert_eq!(desk.call("1", &[]).unwrap().id, t.id);
}

#[test]
fn a_requeued_no_show_goes_behind_those_already_waiting() {
    let hall = Hall::new();
    let mut desk = hall.desk("李娟", "2026-11-30T09:00:00+08:00");
    let first = take(&desk, "SB03", None);
    desk.set_clock(clock("2026-11-30T09:05:00+08:00"));
    let second = take(&desk, "SB03", None);
    desk.call("1", &[]).unwrap();
    desk.recall("B001").unwrap();
    desk.noshow("B001").unwrap();
    desk.set_clock(clock("2026-11-30T09:10:00+08:00"));
    desk.requeue("B001").unwrap();
    assert_eq!(desk.call("1", &[]).unwrap().id, second.id);
    assert_eq!(desk.call("1", &[]).unwrap().id, first.id);
}

#[test]
fn everything_survives_reopening_the_file() {
    let hall = Hall::new();
    let (before, events_before) = {
        let desk = hall.desk("李娟", MON);
        let req = TakeRequest {
            item: "SB04".into(),
            citizen: CitizenInput {
                name: Some("阿依古丽·买买提".into()),
                id_number: Some("430822195602294056".into()),
                phone: Some("0744-6221234".into()),
                village: Some("青龙村".into()),
            },
            note: Some("第一行\n第二行".into()),
            ..Default::default()
        };
        desk.take(&req).unwrap();
        desk.call("3", &[]).unwrap();
        let accept = AcceptRequest { deferred: vec!["照片".into()], ..Default::default() };
        desk.accept("B001", &accept).unwrap();
        desk.show("B001").unwrap()
    };
    let desk = hall.desk("李娟", MON);
    let (after, events_after) = desk.show("B001").unwrap();
    assert_eq!(before, after);
    assert_eq!(events_before, events_after);
    assert_eq!(after.status, Status::Accepted);
    assert_eq!(after.citizen.name.as_deref(), Some("阿依古丽·买买提"));
    assert_eq!(after.owed().count(), 1);
    assert_eq!(events_after.iter().map(|e| e.seq).collect::<Vec<_>>(), [0, 1, 2]);
    // Found again by every kind of search.
    for q in ["阿依", "4056", "430822195602294056", "6221234", "1234", "qlc", "青龙", "B001"] {
        let found = desk.search(q, 10).unwrap();
        assert!(found.iter().any(|t| t.id == after.id), "search {q}");
    }
    assert!(desk.search("王五", 10).unwrap().is_empty());
    assert_eq!(desk.open_cases(10).unwrap().len(), 1);
}

#[test]
fn a_refused_action_writes_nothing_and_burns_no_number() {
    let hall = Hall::new();
    let desk = hall.desk("李娟", MON);
    let bad = TakeRequest {
        item: "MZ01".into(),
        citizen: CitizenInput { id_number: Some("430822194503153324".into()), ..Default::default() },
        ..Default::default()
    };
    assert!(matches!(desk.take(&bad), Err(DeskError::Id(_))));
    assert!(matches!(
        desk.take(&TakeRequest { item: "XX99".into(), ..Default::default() }),
        Err(DeskError::UnknownItem(_))
    ));
    assert_eq!(desk.ticket_count().unwrap(), 0);
    assert_eq!(take(&desk, "MZ01", None).number.to_string(), "A001");
    // Accepting a 低保 case without the applicant's ID number is refused; the ticket is unchanged.
    desk.call("1", &[]).unwrap();
    let before = desk.show("A001").unwrap();
    let req = AcceptRequest {
        citizen: CitizenInput { name: Some("张三".into()), ..Default::default() },
        ..Default::default()
    };
    assert!(desk.accept("A001", &req).is_err());
    assert_eq!(desk.show("A001").unwrap(), before);
}

#[test]
fn a_second_opener_gets_a_clear_error_naming_the_file() {
    let hall = Hall::new();
    let _desk = hall.desk("李娟", MON);
    match Store::open(&hall.db, false) {
        Err(StoreError::Locked { path, .. }) => assert_eq!(path, hall.db),
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a second open must fail"),
    }
    // And from another process, through the real binary.
    let out = hall.cmd(MON).arg("list").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(&hall.db.display().to_string()), "{err}");
}

#[test]
fn a_file_from_a_newer_yimen_is_refused() {
    let hall = Hall::new();
    drop(hall.desk("李娟", MON));
    {
        let db = Database::open(&hall.db).unwrap();
        let tx = db.begin_write().unwrap();
        {
            let meta: TableDefinition<&str, &[u8]> = TableDefinition::new("meta-1");
            let mut t = tx.open_table(meta).unwrap();
            t.insert("schema", 99u32.to_be_bytes().as_slice()).unwrap();
        }
        tx.commit().unwrap();
    }
    match Desk::open(&hall.db) {
        Err(DeskError::Store(StoreError::NewerSchema { found: 99, .. })) => {}
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a newer file must be refused"),
    }
    let out = hall.cmd(MON).arg("list").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("99"));
}

#[test]
fn a_file_that_is_not_a_database_is_refused() {
    let hall = Hall::new();
    std::fs::write(&hall.db, "这不是数据库 — just some text").unwrap();
    assert!(matches!(Desk::open(&hall.db), Err(DeskError::Store(StoreError::NotOurs { .. }))));
    let out = hall.cmd(MON).arg("list").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
}

#[test]
fn records_written_before_a_field_existed_still_read() {
    // A ticket as an older build would have written it: only the fields it knew.
    #[derive(serde::Serialize)]
    struct OldTicket {
        id: u64,
        number: yimen::domain::QueueNumber,
        date: time::Date,
        item: String,
        item_name: String,
        category: String,
        kind: yimen::domain::Kind,
        days: u32,
        status: Status,
        taken_at: time::OffsetDateTime,
        queued_at: time::OffsetDateTime,
        events: u32,
    }
    let hall = Hall::new();
    drop(hall.desk("李娟", MON));
    {
        let db = Database::open(&hall.db).unwrap();
        let tx = db.begin_write().unwrap();
        {
            let tickets: TableDefinition<u64, &[u8]> = TableDefinition::new("tickets-1");
            let mut t = tx.open_table(tickets).unwrap();
            let at = time::macros::datetime!(2026-11-30 01:00 UTC);
            let old = OldTicket {
                id: 7,
                number: yimen::domain::QueueNumber { letter: 'A', seq: 1 },
                date: time::macros::date!(2026 - 11 - 30),
                item: "MZ01".into(),
                item_name: "最低生活保障申请（低保）".into(),
                category: "minzheng".into(),
                kind: yimen::domain::Kind::Promised,
                days: 25,
                status: Status::Waiting,
                taken_at: at,
                queued_at: at,
                events: 1,
            };
            t.insert(7, rmp_serde::to_vec_named(&old).unwrap().as_slice()).unwrap();
        }
        tx.commit().unwrap();
    }
    let desk = hall.desk("李娟", MON);
    let (t, _) = desk.show("7").unwrap();
    assert_eq!(t.number.to_string(), "A001");
    assert!(t.citizen.is_empty() && t.rating.is_none() && t.recalls == 0);
}

#[test]
fn someone_elses_redb_file_is_left_alone() {
    let hall = Hall::new();
    {
        let db = Database::create(&hall.db).unwrap();
        let tx = db.begin_write().unwrap();
        {
            let other: TableDefinition<&str, u64> = TableDefinition::new("accounts");
            tx.open_table(other).unwrap().insert("x", 1).unwrap();
        }
        tx.commit().unwrap();
    }
    let len = std::fs::metadata(&hall.db).unwrap().len();
    assert!(matches!(Desk::init(&hall.db, None, None), Err(DeskError::Store(StoreError::NotOurs { .. }))));
    assert_eq!(std::fs::metadata(&hall.db).unwrap().len(), len);
}

#[test]
fn commands_run_at_the_same_moment_wait_their_turn() {
    let hall = Hall::new();
    drop(hall.desk("李娟", MON));
    let children: Vec<_> = (0..8)
        .map(|_| {
            let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("yimen"));
            c.env("YIMEN_DB", &hall.db).env("YIMEN_NOW", MON).env("YIMEN_LOCK_WAIT_MS", "10000");
            c.env("YIMEN_CLERK", "李娟").env("YIMEN_PIN", TEST_PASSWORD);
            c.args(["--json", "take", "SB03"]).stdout(std::process::Stdio::piped());
            c.spawn().unwrap()
        })
        .collect();
    let mut numbers: Vec<String> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert!(out.status.success());
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            v["number"].as_str().unwrap().to_string()
        })
        .collect();
    numbers.sort();
    assert_eq!(numbers, (1..=8).map(|i| format!("B{i:03}")).collect::<Vec<_>>());
}

#[test]
fn a_schema_1_file_is_migrated_and_gains_the_activity_index() {
    let hall = Hall::new();
    {
        let desk = hall.desk("李娟", MON);
        take(&desk, "MZ01", None);
        take(&desk, "SB03", None);
        desk.call("1", &[]).unwrap();
    }
    // Make it look as schema 1 left it: no activity index.
    {
        let db = Database::open(&hall.db).unwrap();
        let tx = db.begin_write().unwrap();
        let activity: TableDefinition<(i32, u64), ()> = TableDefinition::new("activity-1");
        assert!(tx.delete_table(activity).unwrap());
        let meta: TableDefinition<&str, &[u8]> = TableDefinition::new("meta-1");
        tx.open_table(meta).unwrap().insert("schema", 1u32.to_be_bytes().as_slice()).unwrap();
        tx.commit().unwrap();
    }
    let desk = hall.desk("李娟", MON);
    let active = desk.active_on(time::macros::date!(2026 - 11 - 30)).unwrap();
    assert_eq!(active.len(), 2);
    assert!(desk.active_on(time::macros::date!(2026 - 12 - 01)).unwrap().is_empty());
}

/// A copy of a file and its journal taken while the interface has them open: what a power cut
/// or a killed process leaves.
fn crash_copy(db: &std::path::Path, to: &std::path::Path) {
    std::fs::copy(db, to).unwrap();
    let j = yimen_store::journal::path_of(db);
    assert!(j.exists(), "the journal is there while writes are pending");
    std::fs::copy(&j, yimen_store::journal::path_of(to)).unwrap();
}

#[test]
fn journaled_writes_survive_a_crash_and_a_clean_close_leaves_no_journal() {
    let hall = Hall::new();
    let desk = hall.desk("李娟", MON);
    desk.enable_journal().unwrap();
    let a = take(&desk, "MZ01", None);
    let b = take(&desk, "SB03", None);
    desk.call("1", &[]).unwrap();
    let crashed = hall.dir.path().join("crashed.redb");
    crash_copy(&hall.db, &crashed);
    // Past a checkpoint too: more writes than one journal holds between two.
    for _ in 0..yimen_store::journal::CHECKPOINT_EVERY + 5 {
        take(&desk, "YB01", None);
    }
    let later = hall.dir.path().join("later.redb");
    crash_copy(&hall.db, &later);
    drop(desk);
    assert!(!yimen_store::journal::path_of(&hall.db).exists(), "a clean close folds the journal in");

    let mut back = Desk::open(&crashed).unwrap();
    back.sign_in("李娟", TEST_PASSWORD).unwrap();
    back.set_clock(clock(MON));
    assert!(!yimen_store::journal::path_of(&crashed).exists(), "replayed, then removed");
    assert_eq!(back.show(&a.id.to_string()).unwrap().0.status, Status::Called);
    assert_eq!(back.show(&b.id.to_string()).unwrap().0, b);
    assert!(matches!(back.verify_chain().unwrap(), yimen_store::chain::Verdict::Intact { .. }));
    // Numbering goes on after the replayed tickets.
    assert_eq!(take(&back, "MZ01", None).number.to_string(), "A002");

    let mut back = Desk::open(&later).unwrap();
    back.sign_in("李娟", TEST_PASSWORD).unwrap();
    assert_eq!(back.ticket_count().unwrap(), 2 + u64::from(yimen_store::journal::CHECKPOINT_EVERY) + 5);
    assert!(matches!(back.verify_chain().unwrap(), yimen_store::chain::Verdict::Intact { .. }));
}

#[test]
fn a_torn_journal_tail_is_ignored_and_a_foreign_journal_refused() {
    let hall = Hall::new();
    let desk = hall.desk("李娟", MON);
    desk.enable_journal().unwrap();
    take(&desk, "MZ01", None);
    let crashed = hall.dir.path().join("crashed.redb");
    crash_copy(&hall.db, &crashed);
    drop(desk);
    // Half a record at the end, as a cut-off write leaves it.
    let j = yimen_store::journal::path_of(&crashed);
    let mut bytes = std::fs::read(&j).unwrap();
    let end = bytes.iter().rposition(|b| *b != 0).unwrap() + 1;
    bytes.truncate(end);
    bytes.extend_from_slice(&[200, 0, 0, 0, 1, 2, 3]);
    std::fs::write(&j, &bytes).unwrap();
    let back = Desk::open(&crashed).unwrap();
    assert_eq!(back.ticket_count().unwrap(), 1);
    drop(back);

    // Another hall's journal beside this file: refused, naming the journal, nothing changed.
    let other = Hall::new();
    let od = other.desk("李娟", MON);
    od.enable_journal().unwrap();
    take(&od, "SB03", None);
    let stray = other.dir.path().join("stray.redb");
    crash_copy(&other.db, &stray);
    drop(od);
    std::fs::copy(yimen_store::journal::path_of(&stray), yimen_store::journal::path_of(&crashed)).unwrap();
    let err = match Desk::open(&crashed) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("a foreign journal was accepted"),
    };
    assert!(err.contains("journal") && err.contains("crashed.redb.journal"), "{err}");
    std::fs::remove_file(yimen_store::journal::path_of(&crashed)).unwrap();
    assert_eq!(Desk::open(&crashed).unwrap().ticket_count().unwrap(), 1);
}

#[test]
fn an_idempotency_key_acts_once_and_is_forgotten_after_a_week() {
    let hall = Hall::new();
    let mut desk = hall.desk("李娟", MON);
    let key = |fp: &str| Some(("window-2-17".to_string(), fp.to_string()));
    desk.set_idempotency_key(key("take MZ01"));
    let first = take(&desk, "MZ01", None);
    let again = take(&desk, "MZ01", None);
    assert_eq!(again.id, first.id, "a retried take gives back the same ticket");
    // The key is bound to its request: another request under it is refused and does nothing.
    desk.set_idempotency_key(key("call 1"));
    assert!(matches!(desk.call("1", &[]), Err(DeskError::KeyReused)));
    assert_eq!(desk.show(&first.id.to_string()).unwrap().0.status, Status::Waiting);
    desk.set_idempotency_key(None);
    assert_eq!(desk.ticket_count().unwrap(), 1);
    // Kept for a week, then dropped.
    desk.set_clock(clock("2026-12-04T09:00:00+08:00"));
    assert_eq!(desk.prune_idempotency_keys(7).unwrap(), 0);
    desk.set_clock(clock("2026-12-08T09:00:00+08:00"));
    assert_eq!(desk.prune_idempotency_keys(7).unwrap(), 1);
    desk.set_idempotency_key(key("take MZ01"));
    assert_ne!(take(&desk, "MZ01", None).id, first.id, "a forgotten key acts again");
}
