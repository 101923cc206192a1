//! Accounts through the real binary: PINs checked on every command, roles enforced with a
//! message naming the role needed, lockout after five wrong PINs (audited), an admin unlocks,
//! and only Argon2id hashes are stored.

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};

use crate::common::Hall;

const NOW: &str = "2026-11-30T09:00:00+08:00";

fn hall_with_clerk() -> Hall {
    let hall = Hall::new();
    hall.cmd(NOW).arg("init").assert().success();
    hall.cmd(NOW).env("YIMEN_NEW_PIN", "246810").args(["user", "add", "张三", "--role", "clerk"]).assert().success();
    hall
}

fn as_zhang(hall: &Hall, pin: &str) -> assert_cmd::Command {
    let mut c = hall.cmd(NOW);
    c.env("YIMEN_CLERK", "张三").env("YIMEN_PIN", pin);
    c
}

fn one_line_error(out: &std::process::Output) -> String {
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    let err = String::from_utf8(out.stderr.clone()).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    err
}

#[test]
fn roles_are_enforced_and_say_what_they_need() {
    let hall = hall_with_clerk();
    as_zhang(&hall, "246810").args(["take", "SB03"]).assert().success();
    as_zhang(&hall, "246810").args(["call", "--window", "1"]).assert().success();
    for (args, role) in [
        (vec!["report", "daily"], "supervisor"),
        (vec!["export"], "supervisor"),
        (vec!["audit", "verify"], "supervisor"),
        (vec!["reopen", "B001", "--reason", "x"], "supervisor"),
        (vec!["config", "set", "hall", "别处"], "admin"),
        (vec!["backup"], "admin"),
        (vec!["user", "disable", "李娟"], "admin"),
    ] {
        let out = as_zhang(&hall, "246810").arg("--lang").arg("en").args(&args).output().unwrap();
        let err = one_line_error(&out);
        assert!(err.contains(role), "{args:?}: {err}");
    }
    // A clerk may change their own PIN, and a supervisor needs a longer one.
    as_zhang(&hall, "246810").env("YIMEN_NEW_PIN", "135790").args(["user", "passwd", "张三"]).assert().success();
    as_zhang(&hall, "135790").args(["list"]).assert().success();
    let out = hall
        .cmd(NOW)
        .env("YIMEN_NEW_PIN", "123456")
        .args(["user", "add", "王主任", "--role", "supervisor"])
        .output()
        .unwrap();
    assert!(one_line_error(&out).contains("10"));
    // The last admin stays.
    let out = hall.cmd(NOW).args(["user", "disable", "李娟"]).output().unwrap();
    assert!(one_line_error(&out).contains("管理员"));
    // Without a name or a PIN nothing happens.
    let out = hall.cmd(NOW).env_remove("YIMEN_CLERK").args(["list"]).output().unwrap();
    assert!(one_line_error(&out).contains("--clerk"));
    let out = hall.cmd(NOW).env_remove("YIMEN_PIN").args(["list"]).output().unwrap();
    assert!(one_line_error(&out).contains("PIN"));
    // --pin-stdin reads the first line.
    let mut c = hall.cmd(NOW);
    c.env_remove("YIMEN_PIN").args(["--pin-stdin", "list"]).write_stdin(format!("{}\n", crate::common::TEST_PASSWORD));
    c.assert().success();
}

#[test]
fn wrong_pins_never_lock_an_account_and_are_all_in_the_audit_chain() {
    let hall = hall_with_clerk();
    // Anyone can type wrong PINs for a name they read on the sign-in list: that must never
    // lock the clerk (or the only admin) out. Ten in a row, then the right PIN works.
    for i in 1..=10 {
        let out = as_zhang(&hall, "000000").arg("list").output().unwrap();
        assert!(one_line_error(&out).contains("PIN 错误"), "attempt {i}");
    }
    as_zhang(&hall, "246810").arg("list").assert().success();
    for _ in 0..10 {
        hall.cmd(NOW).env("YIMEN_PIN", "wrong-admin-pass").arg("list").assert().failure();
    }
    hall.cmd(NOW).arg("list").assert().success();
    // Every failure is in the audit chain, and it verifies.
    let out = hall.cmd(NOW).args(["--json", "audit", "verify"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // first admin + add 张三 + 20 failures
    assert_eq!(v["events"], 22);
    // An unknown clerk is refused the same way, without saying which part was wrong.
    let out = hall.cmd(NOW).env("YIMEN_CLERK", "无此人").arg("list").output().unwrap();
    assert!(one_line_error(&out).contains("不存在或 PIN 错误"));
}

#[test]
fn only_argon2id_hashes_are_stored() {
    let hall = hall_with_clerk();
    let db = Database::open(&hall.db).unwrap();
    let users: TableDefinition<&str, &[u8]> = TableDefinition::new("users-1");
    let tx = db.begin_read().unwrap();
    let t = tx.open_table(users).unwrap();
    let mut n = 0;
    for row in t.iter().unwrap() {
        let (_, v) = row.unwrap();
        let bytes = v.value();
        let text = String::from_utf8_lossy(bytes);
        assert!(text.contains("$argon2id$"), "{text}");
        assert!(!text.contains("246810") && !text.contains(crate::common::TEST_PASSWORD));
        n += 1;
    }
    assert_eq!(n, 2);
}

#[test]
fn commands_are_logged_to_a_file_beside_the_database_without_citizens_data() {
    let hall = hall_with_clerk();
    as_zhang(&hall, "246810")
        .args(["take", "SB03", "--name", "王五", "--id-number", "430822195602294056"])
        .assert()
        .success();
    as_zhang(&hall, "000000").args(["list"]).assert().code(1);
    // A name typed with a line break cannot write a line of its own into the log.
    hall.cmd(NOW)
        .env("YIMEN_CLERK", "赵六\nFORGED 2026-11-30 09:00:00  INFO cli take clerk=李娟: ok")
        .arg("list")
        .assert()
        .code(1);
    let text = crate::common::log_text(hall.dir.path());
    assert!(!text.lines().any(|l| l.starts_with("FORGED")), "{text}");
    assert!(text.contains("FORGED"), "the line is there, its break shown: {text}");
    assert!(text.contains("take clerk=张三: ok"), "{text}");
    assert!(text.contains("list clerk=张三: refused"), "{text}");
    assert!(!text.contains("王五") && !text.contains("430822195602294056"), "{text}");
}

#[test]
fn a_bad_rating_is_followed_up_in_order_and_leaves_the_open_list() {
    let hall = hall_with_clerk();
    as_zhang(&hall, "246810").args(["take", "SB03"]).assert().success();
    as_zhang(&hall, "246810").args(["call", "--window", "1"]).assert().success();
    as_zhang(&hall, "246810").args(["complete", "B001"]).assert().success();
    as_zhang(&hall, "246810").args(["rate", "B001", "--score", "1"]).assert().success();
    let open = |hall: &Hall| {
        let out = hall.cmd(NOW).args(["--json", "report", "daily"]).output().unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["open_bad_ratings"].as_array().unwrap().len()
    };
    assert_eq!(open(&hall), 1);
    let out =
        as_zhang(&hall, "246810").args(["followup", "B001", "--step", "callback", "--note", "x"]).output().unwrap();
    assert!(one_line_error(&out).contains("大厅负责人"), "a clerk may not");
    let out = hall.cmd(NOW).args(["followup", "B001", "--step", "fix", "--note", "整改"]).output().unwrap();
    assert!(one_line_error(&out).contains("回访"), "in order");
    for (step, note) in
        [("callback", "已电话回访"), ("verify", "情况属实"), ("fix", "增设叫号屏"), ("report", "已告知群众")]
    {
        hall.cmd(NOW).args(["followup", "B001", "--step", step, "--note", note]).assert().success();
    }
    assert_eq!(open(&hall), 0, "反馈 closes it");
    let out = hall.cmd(NOW).args(["followup", "B001", "--step", "report", "--note", "again"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    hall.cmd(NOW).args(["audit", "verify"]).assert().success();
}

#[test]
fn a_supervisor_reassigns_a_case_to_an_existing_clerk() {
    let hall = hall_with_clerk();
    hall.cmd(NOW).args(["take", "MZ03", "--name", "王五", "--id-number", "430822195602294056"]).assert().success();
    hall.cmd(NOW).args(["call", "--window", "1"]).assert().success();
    hall.cmd(NOW).args(["accept", "A001"]).assert().success();
    let out = as_zhang(&hall, "246810").args(["reassign", "A001", "--to", "张三"]).output().unwrap();
    one_line_error(&out);
    let out = hall.cmd(NOW).args(["reassign", "A001", "--to", "无此人"]).output().unwrap();
    assert!(one_line_error(&out).contains("无此人"));
    let out = hall.cmd(NOW).args(["--json", "reassign", "A001", "--to", "张三"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["clerk"], "张三");
}

#[test]
fn full_id_numbers_in_an_export_need_a_supervisor_and_are_audited() {
    let hall = hall_with_clerk();
    hall.cmd(NOW).args(["take", "MZ03", "--name", "王五", "--id-number", "430822195602294056"]).assert().success();
    let masked = hall.cmd(NOW).args(["export"]).output().unwrap();
    let text = String::from_utf8(masked.stdout).unwrap();
    assert!(text.contains("430822********4056") && !text.contains("430822195602294056"), "{text}");
    let out = as_zhang(&hall, "246810").args(["export", "--full-ids"]).output().unwrap();
    one_line_error(&out);
    let before = hall.cmd(NOW).args(["--json", "audit", "verify"]).output().unwrap();
    let n = |o: &std::process::Output| {
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()["events"].as_u64().unwrap()
    };
    let full = hall.cmd(NOW).args(["export", "--full-ids"]).output().unwrap();
    assert!(String::from_utf8(full.stdout).unwrap().contains("430822195602294056"));
    let after = hall.cmd(NOW).args(["--json", "audit", "verify"]).output().unwrap();
    assert_eq!(n(&after), n(&before) + 1, "the reveal is an event");
}

#[test]
fn a_clerk_sees_that_a_visit_was_rated_but_not_how_and_a_supervisor_sees_it_whole() {
    let hall = hall_with_clerk();
    as_zhang(&hall, "246810").args(["take", "SB03"]).assert().success();
    as_zhang(&hall, "246810").args(["call", "--window", "1"]).assert().success();
    as_zhang(&hall, "246810").args(["complete", "B001"]).assert().success();
    as_zhang(&hall, "246810").args(["rate", "B001", "--score", "1", "--comment", "态度差"]).assert().success();
    let show = |c: &mut assert_cmd::Command| -> serde_json::Value {
        let out = c.args(["--json", "show", "B001"]).output().unwrap();
        serde_json::from_slice(&out.stdout).expect("json")
    };
    let seen = show(&mut as_zhang(&hall, "246810"));
    assert_eq!(seen["rating"]["withheld"], true, "{seen}");
    assert!(seen["rating"]["score"].is_null() && seen["rating"]["follow_up_due"].is_null(), "{seen}");
    let rate = seen["events"].as_array().unwrap().iter().find(|e| e["action"] == "rate").expect("the rate event");
    assert!(rate["note"].is_null(), "the score is not in the event either: {rate}");
    let text = as_zhang(&hall, "246810").args(["show", "B001"]).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("仅大厅负责人可见") && !text.contains("非常不满意"), "{text}");
    let found = as_zhang(&hall, "246810").args(["--json", "list"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&found.stdout).contains("\"score\":1"));
    // The admin (李娟) sees the rating whole.
    let whole = show(&mut hall.cmd(NOW));
    assert_eq!(whole["rating"]["score"], 1, "{whole}");
    assert_eq!(whole["rating"]["withheld"], false);
    assert!(whole["rating"]["follow_up_due"].is_string());
}
