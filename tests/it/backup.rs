//! Backups and restores, and files that are damaged, truncated or not ours: a clear error
//! naming the file and pointing to `yimen restore`, never a panic, never overwritten.

use crate::common::Hall;
use yimen::client::Client;

const NOW: &str = "2026-11-30T09:00:00+08:00";

fn fill(hall: &Hall) {
    hall.cmd(NOW).arg("init").assert().success();
    for _ in 0..5 {
        hall.cmd(NOW).args(["take", "SB03", "--name", "张三"]).assert().success();
    }
    hall.cmd(NOW).args(["call", "--window", "1"]).assert().success();
}

fn count(hall: &Hall, db: &std::path::Path) -> usize {
    let out = hall.cmd(NOW).env("YIMEN_DB", db).args(["--json", "list"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap().as_array().unwrap().len()
}

#[test]
fn backup_and_restore_round_trip_keeping_the_replaced_file() {
    let hall = Hall::new();
    fill(&hall);
    let copy = hall.dir.path().join("b.redb");
    let out = hall.cmd(NOW).args(["backup", copy.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("5"), "{out:?}");
    // A second backup to the same name is refused, the first is untouched.
    hall.cmd(NOW).args(["backup", copy.to_str().unwrap()]).assert().code(1);
    // Later work, then a restore puts the backup back; the newer file is kept.
    hall.cmd(NOW).args(["take", "SB03"]).assert().success();
    assert_eq!(count(&hall, &hall.db), 6);
    let out = hall.cmd(NOW).args(["restore", copy.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "refused without --force");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(count(&hall, &hall.db), 6);
    let out = hall.cmd(NOW).args(["restore", copy.to_str().unwrap(), "--force"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(count(&hall, &hall.db), 5);
    let kept: Vec<_> = std::fs::read_dir(hall.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".replaced-"))
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(count(&hall, &kept[0].path()), 6, "the replaced database is kept whole");
    hall.cmd(NOW).args(["audit", "verify"]).assert().success();
    // Default place: backups/ beside the database.
    let out = hall.cmd(NOW).arg("backup").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("backups"), "{out:?}");
}

#[test]
fn damaged_truncated_and_foreign_files_give_one_line_and_are_left_alone() {
    let hall = Hall::new();
    fill(&hall);
    let good = std::fs::read(&hall.db).unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", good[..good.len() / 3].to_vec()),
        ("zeroed header", [vec![0u8; 4096], good[4096..].to_vec()].concat()),
        ("text", "这不是数据库".as_bytes().to_vec()),
        ("empty", Vec::new()),
    ];
    for (what, bytes) in cases {
        let path = hall.dir.path().join(format!("{}.redb", what.replace(' ', "-")));
        std::fs::write(&path, &bytes).unwrap();
        let out = hall.cmd(NOW).env("YIMEN_DB", &path).arg("list").output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{what}: {err}");
        assert_eq!(err.lines().count(), 1, "{what}: {err}");
        assert!(!err.contains("panicked"), "{what}: {err}");
        assert!(err.contains(path.to_str().unwrap()) || err.contains("yimen init"), "{what} names the file: {err}");
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{what}: the file is not changed");
        // Restoring such a file is refused: it is checked first.
        let out = hall.cmd(NOW).args(["restore", path.to_str().unwrap(), "--force"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{what}");
        assert_eq!(count(&hall, &hall.db), 5, "{what}: the hall's database is untouched");
    }
}

#[test]
fn one_automatic_backup_a_day_and_only_the_newest_kept() {
    let hall = Hall::new();
    fill(&hall);
    let mut desk = hall.desk("李娟", NOW);
    desk.set_setting("backup_keep", "2").unwrap();
    let first = desk.daily_backup().unwrap().expect("the first start of the day backs up");
    assert!(first.exists());
    assert!(desk.daily_backup().unwrap().is_none(), "once a day");
    for day in ["2026-12-01T08:00:00+08:00", "2026-12-02T08:00:00+08:00"] {
        desk.set_clock(crate::common::clock(day));
        assert!(desk.daily_backup().unwrap().is_some());
    }
    let dir = first.parent().unwrap();
    let autos = std::fs::read_dir(dir).unwrap().count();
    assert_eq!(autos, 2, "backup_keep = 2");
    assert!(!first.exists(), "the oldest went first");
}

#[test]
fn compact_gives_space_back_keeps_every_ticket_and_needs_the_admin() {
    let hall = Hall::new();
    fill(&hall);
    // Rewrites leave freed pages behind in a copy-on-write file.
    for _ in 0..40 {
        hall.cmd(NOW).args(["take", "SB03", "--name", "李四"]).assert().success();
    }
    let size = || std::fs::metadata(&hall.db).unwrap().len();
    let before = size();
    hall.cmd(NOW).env("YIMEN_NEW_PIN", "246810").args(["user", "add", "张三", "--role", "clerk"]).assert().success();
    let out = hall.cmd(NOW).env("YIMEN_CLERK", "张三").env("YIMEN_PIN", "246810").arg("compact").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "a clerk may not compact");
    let out = hall.cmd(NOW).arg("compact").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("MiB →"), "{out:?}");
    assert!(size() < before, "{} is not smaller than {before}", size());
    assert_eq!(count(&hall, &hall.db), 45);
    hall.cmd(NOW).args(["audit", "verify"]).assert().success();
}

#[test]
fn a_restore_onto_a_file_with_a_foreign_journal_says_so_and_replaces_nothing() {
    let hall = Hall::new();
    fill(&hall);
    let copy = hall.dir.path().join("b.redb");
    hall.cmd(NOW).args(["backup", copy.to_str().unwrap()]).assert().success();
    // A journal beside the hall's file that is not its own: no one can prove to be the admin of
    // a file that cannot be opened that way, so nothing is replaced, and the message says why.
    let journal = yimen_store::journal::path_of(&hall.db);
    std::fs::write(&journal, b"YIMENJ01 left by someone else").unwrap();
    let before = std::fs::read(&hall.db).unwrap();
    let out = hall.cmd(NOW).args(["restore", copy.to_str().unwrap(), "--force"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("不属于这个数据库"));
    assert!(std::fs::read(&hall.db).unwrap() == before, "the hall's file is untouched");
    // Moved away, the restore goes ahead.
    std::fs::rename(&journal, hall.dir.path().join("aside.journal")).unwrap();
    hall.cmd(NOW).args(["restore", copy.to_str().unwrap(), "--force"]).assert().success();
    assert_eq!(count(&hall, &hall.db), 5);
}

#[test]
fn two_backups_in_one_second_get_two_names_and_an_existing_name_is_refused_in_the_users_language() {
    let hall = Hall::new();
    fill(&hall);
    for _ in 0..2 {
        hall.cmd(NOW).arg("backup").assert().success();
    }
    let made: Vec<_> = std::fs::read_dir(hall.dir.path().join("backups")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(made.len(), 2, "{made:?}");
    let out = hall.cmd(NOW).args(["backup", made[0].to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("已存在") && !err.contains("already"), "{err}");
}
