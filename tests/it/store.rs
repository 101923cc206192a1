//! The store and application layer on real redb files in a temporary directory.

use redb::{Database, TableDefinition};
use yimen::client::{Client, Local};

use crate::common::{Hall, TEST_PASSWORD, clock};
use yimen::app::{AcceptRequest, Act, CitizenInput, Desk, DeskError, TakeRequest};
use yimen::domain::queue::Priority;
use yimen::domain::ticket::Status;
use yimen_store::{Store, StoreError};

const MON: &str = "2026-11-30T09:00:00+08:00";
const TUE: &str = "2026-12-01T09:00:00+08:00";

fn take(desk: &mut Local, item: &str, priority: Option<Priority>) -> yimen::domain::Ticket {
    let req = TakeRequest { item: item.into(), priority, ..Default::default() };
    desk.take(&req).expect("take").0
}

#[test]
fn numbers_restart_daily_and_never_repeat() {
    let hall = Hall::new();
    let mut desk = hall.desk("李娟", MON);
    let nums: Vec<String> =
        ["MZ01", "MZ03", "SB03", "MZ05", "YB01"].iter().map(|i| take(&mut desk, i, None).number.to_string()).collect();
    assert_eq!(nums, ["A001", "A002", "B001", "A003", "C001"]);
    desk.set_clock(clock(TUE));
    assert_eq!(take(&mut desk, "MZ01", None).number.to_string(), "A001");
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
    take(&mut desk, "MZ01", None); // A001
    desk.set_clock(clock("2026-11-30T09:01:00+08:00"));
    take(&mut desk, "SB03", None); // B001
    desk.set_clock(clock("2026-11-30T09:02:00+08:00"));
    take(&mut desk, "MZ03", Some(Priority::Disability)); // A002
    desk.set_clock(clock("2026-11-30T09:03:00+08:00"));
    take(&mut desk, "MZ04", None); // A003
    desk.set_clock(clock("2026-11-30T09:04:00+08:00"));
    take(&mut desk, "SB01", Some(Priority::Military)); // B002

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
    let mut desk = hall.desk("李娟", MON);
    take(&mut desk, "SB03", None);
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
    let first = take(&mut desk, "SB03", None);
    desk.set_clock(clock("2026-11-30T09:05:00+08:00"));
    let second = take(&mut desk, "SB03", None);
    desk.call("1", &[]).unwrap();
    desk.perform("B001", &Act::Recall).unwrap();
    desk.perform("B001", &Act::NoShow).unwrap();
    desk.set_clock(clock("2026-11-30T09:10:00+08:00"));
    desk.perform("B001", &Act::Requeue).unwrap();
    assert_eq!(desk.call("1", &[]).unwrap().id, second.id);
    assert_eq!(desk.call("1", &[]).unwrap().id, first.id);
}

#[test]
fn everything_survives_reopening_the_file() {
    let hall = Hall::new();
    let (before, events_before) = {
        let mut desk = hall.desk("李娟", MON);
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
        desk.perform("B001", &Act::Accept(accept.clone())).unwrap();
        desk.show("B001").unwrap()
    };
    let mut desk = hall.desk("李娟", MON);
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
    let mut desk = hall.desk("李娟", MON);
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
    assert_eq!(take(&mut desk, "MZ01", None).number.to_string(), "A001");
    // Accepting a 低保 case without the applicant's ID number is refused; the ticket is unchanged.
    desk.call("1", &[]).unwrap();
    let before = desk.show("A001").unwrap();
    let req = AcceptRequest {
        citizen: CitizenInput { name: Some("张三".into()), ..Default::default() },
        ..Default::default()
    };
    assert!(desk.perform("A001", &Act::Accept(req.clone())).is_err());
    assert_eq!(desk.show("A001").unwrap(), before);
}

#[test]
fn programs_share_the_file_and_only_a_whole_file_replacement_needs_it_alone() {
    let hall = Hall::new();
    let mut desk = hall.desk("李娟", MON);
    let first = take(&mut desk, "MZ01", None);
    // A second opener in this process and another program both read and write beside it.
    let second = Store::open(&hall.db, false).expect("a second opener shares the file");
    drop(second);
    let out = hall.cmd(MON).args(["take", "SB03"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = hall.cmd(MON).arg("list").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("B001"), "the other program's take is listed");
    assert_eq!(desk.list_day(time::macros::date!(2026 - 11 - 30), None).unwrap().len(), 2, "and seen here");
    assert_eq!(desk.show(&first.id.to_string()).unwrap().0, first);
    // What replaces the whole file waits for everyone else to close it, and says so.
    match Store::hold_alone(&hall.db) {
        Err(StoreError::Locked { path, .. }) => assert_eq!(path, hall.db),
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("an exclusive open beside an open desk must fail"),
    }
    let backup = hall.dir.path().join("b.redb");
    hall.cmd(MON).args(["backup", backup.to_str().unwrap()]).assert().success();
    let out = hall.cmd(MON).args(["restore", backup.to_str().unwrap(), "--force"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(&hall.db.display().to_string()), "{err}");
    drop(desk);
    // A program that only reads (a display board, a report) holds the file too: a restore
    // under it would leave it showing the replaced file; so would compaction's rewrite.
    let board = yimen::client::Local::new(Desk::open(&hall.db).unwrap());
    for args in [&["restore", backup.to_str().unwrap(), "--force"][..], &["compact"]] {
        let out = hall.cmd(MON).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(&hall.db.display().to_string()) && err.lines().count() == 1, "{args:?}: {err}");
    }
    drop(board);
    hall.cmd(MON).args(["restore", backup.to_str().unwrap(), "--force"]).assert().success();
    hall.cmd(MON).arg("compact").assert().success();
}

#[test]
fn a_change_another_program_makes_to_accounts_or_settings_holds_in_an_open_desk() {
    let hall = Hall::new();
    let mut admin = hall.desk("李娟", MON);
    admin.add_user("张三", yimen::domain::account::Role::Supervisor, "246810-abcd").unwrap();
    // A window open all day, as the interface keeps its desk.
    let mut window = yimen::client::Local::new(Desk::open(&hall.db).unwrap());
    window.sign_in("张三", "246810-abcd").unwrap();
    window.set_clock(clock(MON));
    assert!(window.open_cases(10).is_ok());
    // The admin, in another program, lowers the account, then disables it.
    hall.cmd(MON).env("YIMEN_NEW_PIN", "x").args(["config", "set", "hall", "凤栖镇便民服务中心"]).assert().success();
    assert!(window.configuration_changed().unwrap());
    window.reload_configuration().unwrap();
    assert_eq!(window.settings().hall, "凤栖镇便民服务中心", "the other program's setting is read again");
    admin.disable_user("张三").unwrap();
    let refused = window.take(&TakeRequest { item: "MZ01".into(), ..Default::default() }).unwrap_err();
    assert!(matches!(refused, DeskError::Account(yimen::domain::account::AccountError::Disabled(_))), "{refused}");
    // A setting changed through one desk keeps what another program changed a moment before.
    hall.cmd(MON).args(["config", "set", "hall_phone", "0744-6221234"]).assert().success();
    admin.set_setting("follow_up_days", "5").unwrap();
    assert_eq!(admin.settings().hall_phone.as_deref(), Some("0744-6221234"));
    assert_eq!(admin.settings().hall, "凤栖镇便民服务中心");

    // A file without accounts opened in setup mode: once another program makes the first
    // admin, the open desk acts for no one.
    let bare = Hall::new();
    drop(Store::open(&bare.db, true).unwrap());
    let mut setup = yimen::client::Local::new(Desk::open(&bare.db).unwrap());
    setup.set_clerk(Some("路人")).unwrap();
    let mut first = yimen::client::Local::new(Desk::open(&bare.db).unwrap());
    first.add_user("李娟", yimen::domain::account::Role::Admin, TEST_PASSWORD).unwrap();
    let refused = setup.take(&TakeRequest { item: "MZ01".into(), ..Default::default() }).unwrap_err();
    assert!(matches!(refused, DeskError::Account(_)), "{refused}");
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
    let mut desk = hall.desk("李娟", MON);
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
        let mut desk = hall.desk("李娟", MON);
        take(&mut desk, "MZ01", None);
        take(&mut desk, "SB03", None);
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
    let active = desk.acting().active_on(time::macros::date!(2026 - 11 - 30)).unwrap();
    assert_eq!(active.len(), 2);
    assert!(desk.acting().active_on(time::macros::date!(2026 - 12 - 01)).unwrap().is_empty());
}

/// The file and journal the version with the write-ahead journal left when it was killed
/// (SIGKILL) while taking numbers, copied into `dir`; and the tickets it had acknowledged: id,
/// number, status (`tests/fixtures/journal-v7`, made with that version's `_crash-writer`).
fn journal_fixture(dir: &std::path::Path) -> (std::path::PathBuf, Vec<(u64, String, String)>) {
    let from = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/journal-v7");
    let db = dir.join("hall.redb");
    std::fs::copy(from.join("hall.redb"), &db).unwrap();
    std::fs::copy(from.join("hall.redb.journal"), yimen_store::journal::path_of(&db)).unwrap();
    let acked = std::fs::read_to_string(from.join("acked.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            (f[0].parse().unwrap(), f[1].to_string(), f[2].to_string())
        })
        .collect();
    (db, acked)
}

#[test]
fn a_journal_left_by_the_earlier_version_is_replayed_once_and_nothing_acknowledged_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let (db, acked) = journal_fixture(dir.path());
    // Without its journal the file lacks the last acknowledged tickets: the test has teeth.
    {
        let bare = dir.path().join("bare.redb");
        std::fs::copy(&db, &bare).unwrap();
        let n = Desk::open(&bare).unwrap().ticket_count().unwrap();
        assert!(n < acked.len() as u64, "the fixture has tickets only in its journal ({n} of {})", acked.len());
    }
    // A command that only reads is enough to bring them in.
    let mut desk = yimen::client::Local::new(Desk::open(&db).unwrap());
    assert!(!yimen_store::journal::path_of(&db).exists(), "replayed, then removed");
    desk.sign_in("李娟", TEST_PASSWORD).unwrap();
    desk.set_clock(clock(MON));
    for (id, number, status) in &acked {
        let (t, _) = desk.show(&id.to_string()).unwrap_or_else(|e| panic!("acknowledged ticket {id} lost: {e}"));
        assert_eq!(&t.number.to_string(), number, "ticket {id}");
        assert_eq!(&format!("{:?}", t.status).to_lowercase(), status, "ticket {id}");
    }
    // The writer may have committed one more ticket than it lived to acknowledge.
    let n = desk.ticket_count().unwrap();
    assert!((acked.len() as u64..=acked.len() as u64 + 1).contains(&n), "{n} tickets for {} acknowledged", acked.len());
    assert!(matches!(desk.verify_chain().unwrap(), yimen_store::chain::Verdict::Intact { .. }));
    // Numbering goes on after the replayed tickets.
    let next = take(&mut desk, "MZ01", None);
    assert!(next.id > n, "ids go on after the replayed tickets");
    let taken_a = desk
        .list_day(time::macros::date!(2026 - 11 - 30), None)
        .unwrap()
        .iter()
        .filter(|t| t.number.letter == 'A')
        .count();
    assert_eq!(next.number.to_string(), format!("A{taken_a:03}"), "so do the numbers");
    drop(desk);
    let again = yimen::client::Local::new(Desk::open(&db).unwrap());
    assert_eq!(again.ticket_count().unwrap(), n + 1);
}

#[test]
fn a_journal_damaged_in_the_middle_or_not_its_own_is_refused_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = journal_fixture(dir.path());
    let journal = yimen_store::journal::path_of(&db);
    // One flipped bit in the first live record: the records after it are whole, so replaying
    // around it would drop acknowledged tickets.
    let mut bytes = std::fs::read(&journal).unwrap();
    bytes[yimen_store::journal::HEADER + 40] ^= 0x01;
    std::fs::write(&journal, &bytes).unwrap();
    let before = (std::fs::read(&db).unwrap(), std::fs::read(&journal).unwrap());
    let durable = {
        let bare = dir.path().join("bare.redb");
        std::fs::copy(&db, &bare).unwrap();
        Desk::open(&bare).unwrap().ticket_count().unwrap()
    };
    for _ in 0..2 {
        let err = match Desk::open(&db) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("a damaged journal was accepted"),
        };
        assert!(
            err.contains("hall.redb.journal") && err.contains("damaged") && err.contains("nothing was changed"),
            "{err}"
        );
        assert!(!err.contains('\n'), "one line: {err}");
    }
    // The journal is kept as it was; the file got no record of it (redb's own repair of the
    // killed process's file is all that touched it).
    assert_eq!(std::fs::read(&journal).unwrap(), before.1, "the journal is kept");
    std::fs::rename(&journal, dir.path().join("aside.journal")).unwrap();
    assert_eq!(Desk::open(&db).unwrap().ticket_count().unwrap(), durable, "nothing of it was replayed");
    std::fs::rename(dir.path().join("aside.journal"), &journal).unwrap();

    // Another file's journal: refused, naming the journal, nothing changed.
    std::fs::write(&journal, yimen_store::journal::writer::journal(&[9u8; 16], &[])).unwrap();
    let err = match Desk::open(&db) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("a foreign journal was accepted"),
    };
    assert!(err.contains("journal") && err.contains("hall.redb.journal"), "{err}");
    std::fs::remove_file(&journal).unwrap();
    assert!(Desk::open(&db).unwrap().ticket_count().unwrap() > 0, "without it the file opens as it is");
}

#[test]
fn journal_ops_that_redb_could_not_decode_are_refused_not_panicked_on() {
    use yimen_store::journal::{OP_PUT, writer};
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = journal_fixture(dir.path());
    // The journal's id and position, read from the file as the replay does.
    let id: [u8; 16] = std::fs::read(yimen_store::journal::path_of(&db)).unwrap()[8..24].try_into().unwrap();
    let durable = {
        let d = Database::open(&db).unwrap();
        let rx = redb::ReadableDatabase::begin_read(&d).unwrap();
        let meta = rx.open_table(TableDefinition::<&str, &[u8]>::new("meta-1")).unwrap();
        u64::from_be_bytes(meta.get("journal_seq").unwrap().unwrap().value().try_into().unwrap())
    };
    // A well-formed record (right checksum, right sequence) whose ticket key is 3 bytes, not 8;
    // then one whose search key is not UTF-8.
    for op in
        [writer::op(1, OP_PUT, &[1, 2, 3], b"x"), writer::op(14, OP_PUT, &[2, 0xff, 0xfe, 0, 0, 0, 0, 0, 0, 0, 1], &[])]
    {
        std::fs::write(yimen_store::journal::path_of(&db), writer::journal(&id, &[(durable + 1, op)])).unwrap();
        let err = match Desk::open(&db) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("an undecodable op was replayed"),
        };
        assert!(err.contains("damaged") && err.contains("record"), "{err}");
    }
}

#[test]
fn an_idempotency_key_acts_once_and_is_forgotten_after_a_week() {
    let hall = Hall::new();
    let mut desk = hall.desk("李娟", MON);
    let key = |fp: &str| Some(("window-2-17".to_string(), fp.to_string()));
    desk.actor.request_key = key("take MZ01");
    let first = take(&mut desk, "MZ01", None);
    let again = take(&mut desk, "MZ01", None);
    assert_eq!(again.id, first.id, "a retried take gives back the same ticket");
    // The key is bound to its request: another request under it is refused and does nothing.
    desk.actor.request_key = key("call 1");
    assert!(matches!(desk.call("1", &[]), Err(DeskError::KeyReused)));
    assert_eq!(desk.show(&first.id.to_string()).unwrap().0.status, Status::Waiting);
    desk.actor.request_key = None;
    assert_eq!(desk.ticket_count().unwrap(), 1);
    // Kept for a week, then dropped.
    desk.set_clock(clock("2026-12-04T09:00:00+08:00"));
    assert_eq!(desk.prune_idempotency_keys(7).unwrap(), 0);
    desk.set_clock(clock("2026-12-08T09:00:00+08:00"));
    assert_eq!(desk.prune_idempotency_keys(7).unwrap(), 1);
    desk.actor.request_key = key("take MZ01");
    assert_ne!(take(&mut desk, "MZ01", None).id, first.id, "a forgotten key acts again");
}

/// A file the previous version left at data version 7 is taken to the current one on open:
/// its older tickets are found by full pinyin, its backup checks, and it opens again at once.
#[test]
fn a_version_7_file_is_upgraded_on_open_and_backs_up() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = journal_fixture(dir.path());
    std::fs::remove_file(yimen_store::journal::path_of(&db)).unwrap();
    let version = |db: &std::path::Path| {
        let d = Database::open(db).unwrap();
        let rx = redb::ReadableDatabase::begin_read(&d).unwrap();
        let meta: TableDefinition<&str, &[u8]> = TableDefinition::new("meta-1");
        let t = rx.open_table(meta).unwrap();
        let v = t.get("schema").unwrap().unwrap();
        u32::from_be_bytes(v.value().try_into().unwrap())
    };
    assert_eq!(version(&db), 7, "the fixture is a version 7 file");
    let mut desk = yimen::client::Local::new(Desk::open(&db).unwrap());
    desk.sign_in("李娟", TEST_PASSWORD).unwrap();
    desk.set_clock(clock(MON));
    // The crash writer's citizens are all 张三: full pinyin finds them only after schema 8.
    assert!(!desk.search("zhangsan", 10).unwrap().is_empty(), "older tickets have their full-pinyin tokens");
    let (copy, n) = desk.backup(Some(&dir.path().join("b.redb"))).unwrap();
    assert!(n > 0 && copy.exists());
    drop(desk);
    assert_eq!(version(&db), 8, "now at the current data version");
}
