//! The real binary end to end: the clerk's script, refusals that change nothing, exit codes,
//! JSON output and help.

use clap::CommandFactory;
use predicates::prelude::*;
use serde_json::Value;

use crate::common::Hall;

const NOW: &str = "2026-11-30T09:00:00+08:00";

fn json(hall: &Hall, args: &[&str]) -> Value {
    let out = hall.cmd(NOW).arg("--json").args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// Runs a command that must be refused: exit 1, one line on stderr, and nothing changed.
fn refused(hall: &Hall, args: &[&str]) -> String {
    let before = snapshot(hall);
    let out = hall.cmd(NOW).args(args).output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{args:?} should be refused; stderr: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: one line, got: {err}");
    assert!(err.starts_with("yimen: "), "{err}");
    assert_eq!(snapshot(hall), before, "{args:?} changed the database");
    err
}

/// Everything in the database that a command could change: every ticket with its history.
fn snapshot(hall: &Hall) -> String {
    let list = json(hall, &["list", "--date", "2026-11-30"]);
    let mut all = String::new();
    for t in list.as_array().unwrap() {
        let id = t["id"].to_string();
        all.push_str(&json(hall, &["show", &id]).to_string());
    }
    all
}

#[test]
fn the_clerks_script_works_end_to_end() {
    let hall = Hall::new();
    hall.cmd(NOW)
        .args(["init", "--hall", "利福塔镇便民服务中心"])
        .assert()
        .success()
        .stdout(predicate::str::contains("利福塔镇"));
    let t = json(
        &hall,
        &[
            "take",
            "MZ01",
            "--name",
            "张三",
            "--id-number",
            "430822195602294056",
            "--phone",
            "13812341234",
            "--village",
            "青龙村",
        ],
    );
    assert_eq!(
        (t["number"].as_str(), t["status"].as_str(), t["id"].as_u64()),
        (Some("A001"), Some("waiting"), Some(1))
    );
    hall.cmd(NOW).args(["take", "SB03"]).assert().success().stdout(predicate::str::contains("B001"));
    let c = json(&hall, &["call", "--window", "3", "--categories", "A"]);
    assert_eq!(
        (c["number"].as_str(), c["status"].as_str(), c["window"].as_str()),
        (Some("A001"), Some("called"), Some("3"))
    );
    let a = json(&hall, &["accept", "A001"]);
    assert_eq!(a["status"], "accepted");
    assert_eq!(a["deadline"], "2027-01-05", "25 working days from Monday 30 Nov; 2027 estimated: 元旦 off");
    assert_eq!(a["deadline_estimated"], true);
    assert_eq!(a["light"], "green");
    let s = json(&hall, &["suspend", "A001", "--reason", "materials", "--missing", "户口簿"]);
    assert_eq!((s["status"].as_str(), s["light"].as_str()), (Some("suspended"), Some("paused")));
    assert_eq!(json(&hall, &["resume", "1"])["status"], "accepted");
    let done = json(&hall, &["complete", "A001", "--note", "已发放"]);
    assert_eq!(done["status"], "completed");
    assert!(done["completed_at"].as_str().unwrap().starts_with("2026-11-30T09:00:00"));
    let r = json(&hall, &["rate", "A001", "--score", "2", "--comment", "等太久"]);
    assert_eq!(r["rating"]["score"], 2);
    assert_eq!(r["rating"]["follow_up_due"], "2026-12-07");
    // Lists mask personal data; the case detail shows it.
    let list = json(&hall, &["list"]);
    assert_eq!(list[0]["citizen"]["id_number"], "430822********4056");
    assert_eq!(list[0]["citizen"]["phone"], "138****1234");
    assert_eq!(list[0]["citizen"]["name"], "张*");
    let shown = json(&hall, &["show", "A001"]);
    assert_eq!(shown["citizen"]["id_number"], "430822195602294056");
    let actions: Vec<&str> =
        shown["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["take", "call", "accept", "suspend", "resume", "complete", "rate"]);
    assert!(shown["events"].as_array().unwrap().iter().all(|e| e["clock_override"] == true && e["clerk"] == "李娟"));
    // Found again by name, pinyin, phone tail and number.
    for q in ["张三", "zs", "1234", "qlc", "A001"] {
        let found = json(&hall, &["search", q]);
        assert!(found.as_array().unwrap().iter().any(|t| t["id"] == 1), "search {q}");
    }
    // Human output in both languages.
    hall.cmd(NOW).args(["show", "A001"]).assert().success().stdout(predicate::str::contains("办理过程"));
    hall.cmd(NOW).args(["--lang", "en", "show", "A001"]).assert().success().stdout(predicate::str::contains("History"));
    hall.cmd(NOW).args(["list", "--open"]).assert().success();
}

#[test]
fn bad_input_and_forbidden_steps_are_refused_and_change_nothing() {
    let hall = Hall::new();
    hall.cmd(NOW).arg("init").assert().success();
    hall.cmd(NOW).args(["take", "MZ01"]).assert().success();
    hall.cmd(NOW).args(["take", "SB04"]).assert().success();
    let cases: &[(&[&str], &str)] = &[
        (&["complete", "A001"], "尚未受理"),
        (&["accept", "A001"], "「待叫号」"),
        (&["take", "NOPE"], "没有事项"),
        (&["take", "MZ01", "--id-number", "430822195602294057"], "校验不通过"),
        (&["take", "MZ01", "--id-number", "430822195702294051"], "出生日期"),
        (&["take", "MZ01", "--id-number", "430822202712014051"], "出生日期"),
        (&["take", "MZ01", "--phone", "12345"], "电话"),
        (&["take", "MZ01", "--name", "张\u{202E}三"], "不可见字符"),
        (&["take", "MZ01", "--name", "张\u{200B}三"], "不可见字符"),
        (&["take", "MZ01", "--name", "Robert'); DROP TABLE--"], "姓名"),
        (&["take", "MZ01", "--note", &"长".repeat(2001)], "太长"),
        (&["show", "A999"], "找不到"),
        (&["show", "../../etc/passwd"], "不是办件"),
        (&["resume", "A001"], "不能恢复办理"),
        (&["noshow", "B001"], "不能过号"),
        (&["rate", "A001", "--score", "5"], "不能评价"),
        (&["withdraw", "A001", "--reason", " "], "原因不能为空"),
        (&["list", "--date", "2026-13-01"], "YYYY-MM-DD"),
    ];
    for (args, needle) in cases {
        let err = refused(&hall, args);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    // Steps after a call.
    hall.cmd(NOW).args(["call", "--window", "1", "--categories", "B"]).assert().success();
    for (args, needle) in [
        (&["noshow", "B001"][..], "重呼"),
        (&["accept", "B001", "--defer", "照片"][..], "姓名"),
        (
            &["accept", "B001", "--name", "李四", "--id-number", "430822195602294056", "--defer", "身份证"][..],
            "不能容缺",
        ),
        (
            &["accept", "B001", "--name", "李四", "--id-number", "430822195602294056", "--defer", "户口本"][..],
            "没有「户口本」",
        ),
        (&["suspend", "B001", "--reason", "notice"][..], "不能挂起"),
    ] {
        let err = refused(&hall, args);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    hall.cmd(NOW)
        .args(["accept", "B001", "--name", "李四", "--id-number", "430822195602294056", "--defer", "照片"])
        .assert()
        .success()
        .stdout(predicate::str::contains("2026-12-07"));
    let err = refused(&hall, &["complete", "B001"]);
    assert!(err.contains("照片"), "{err}");
    let err = refused(&hall, &["suspend", "B001", "--reason", "materials"]);
    assert!(err.contains("--missing"), "{err}");
    // In English too.
    let err = refused(&hall, &["--lang", "en", "complete", "A001"]);
    assert!(err.contains("A001 was never accepted, so it cannot be completed"), "{err}");
    // No clerk named: refused for a clerk's action.
    let out = hall.cmd(NOW).env_remove("YIMEN_CLERK").args(["call", "--window", "1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--clerk"));
    // A malformed YIMEN_NOW is an error, not silently the system clock.
    let out = hall.cmd("yesterday").args(["list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("YIMEN_NOW"));
}

#[test]
fn call_on_an_empty_queue_says_so() {
    let hall = Hall::new();
    hall.cmd(NOW).arg("init").assert().success();
    hall.cmd(NOW).args(["call", "--window", "1"]).assert().code(1).stderr(predicate::str::contains("没有人在等候"));
    hall.cmd(NOW)
        .args(["--lang", "en", "call", "--window", "1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no one is waiting"));
}

#[test]
fn usage_errors_exit_2_and_a_missing_database_exits_1() {
    let hall = Hall::new();
    hall.cmd(NOW).args(["take"]).assert().code(2);
    hall.cmd(NOW).args(["rate", "1", "--score", "6"]).assert().code(2);
    hall.cmd(NOW).args(["frobnicate"]).assert().code(2);
    hall.cmd(NOW).args(["list"]).assert().code(1).stderr(predicate::str::contains("yimen init"));
    assert!(!hall.db.exists(), "reading must not create the database");
}

#[test]
fn a_command_line_that_does_not_parse_is_one_line_in_the_users_language() {
    let hall = Hall::new();
    let long = "x".repeat(5000);
    for (args, zh, en) in [
        (vec!["take"], "缺少必需的参数：<ITEM>", "missing required arguments: <ITEM>"),
        (vec!["tak"], "没有这个命令：tak（是不是 take？）", "no such command: tak (did you mean take?)"),
        (vec!["list", "--statu", "open"], "不认识的参数：--statu（是不是 --status？）", "unknown argument --statu"),
        (vec!["report", "daily", "--format", "md"], "（可用：text、markdown", "(allowed: text, markdown"),
        (vec!["report", "range", "--from", "2026-11-01", "--week"], "不能与", "cannot be used with"),
        (
            vec!["town", "resolve", "430822101000", "abc", "--note", "x", "--town", "y"],
            "的值「abc」不对",
            "'abc' is not a value",
        ),
        (vec!["frobnicate", long.as_str()], "没有这个命令：", "no such command: "),
    ] {
        for (lang, says) in [("zh", zh), ("en", en)] {
            let out = hall.cmd(NOW).args(["--lang", lang]).args(&args).output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}");
            assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
            assert!(err.contains(says), "{args:?} {lang}: {err}");
            assert!(err.len() < 400, "what was typed is shown back cut: {err}");
        }
    }
    // Help is still help.
    hall.cmd(NOW).args(["take", "--help"]).assert().code(0).stdout(predicate::str::contains("ITEM"));
}

#[test]
fn help_everywhere() {
    yimen::cli::Cli::command().debug_assert();
    let hall = Hall::new();
    hall.cmd(NOW).arg("--help").assert().success().stdout(predicate::str::contains("take"));
    for sub in yimen::cli::Cli::command().get_subcommands() {
        hall.cmd(NOW).args([sub.get_name(), "--help"]).assert().success();
    }
    // The help speaks the interface's language: Chinese by default, English when asked.
    let zh = String::from_utf8(hall.cmd(NOW).args(["take", "--help"]).output().unwrap().stdout).unwrap();
    for want in ["为某个事项取号", "用法：", "选项", "申请人居民身份证号码", "显示帮助"] {
        assert!(zh.contains(want), "{want}:\n{zh}");
    }
    assert!(!zh.contains("Take a queue number") && !zh.contains("Print help"), "{zh}");
    let en =
        String::from_utf8(hall.cmd(NOW).args(["--lang", "en", "take", "--help"]).output().unwrap().stdout).unwrap();
    assert!(en.contains("Take a queue number") && en.contains("Usage:") && !en.contains("用法"), "{en}");
    let env_en = hall.cmd(NOW).env("YIMEN_LANG", "en").args(["calendar", "--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&env_en.stdout).contains("The holiday calendar"));
}

#[test]
fn catalog_import_replaces_or_names_the_bad_line() {
    let hall = Hall::new();
    hall.cmd(NOW).arg("init").assert().success();
    let good = hall.dir.path().join("good.toml");
    std::fs::write(
        &good,
        "[[category]]\ncode = \"x\"\nname = \"综合\"\nletter = \"F\"\n\n[[item]]\ncode = \"F01\"\nname = \"开具证明\"\ncategory = \"x\"\nkind = \"即办\"\ndays = 0\n",
    )
    .unwrap();
    let bad = hall.dir.path().join("bad.toml");
    std::fs::write(&bad, "[[category]]\ncode = \"x\"\nname = \"综合\"\nletter = \"FF\"\n").unwrap();
    let err = refused(&hall, &["catalog", "import", bad.to_str().unwrap()]);
    assert!(err.contains("第 4 行"), "{err}");
    hall.cmd(NOW).args(["catalog", "show", "MZ01"]).assert().success().stdout(predicate::str::contains("授权核查书"));
    hall.cmd(NOW).args(["catalog", "import", good.to_str().unwrap()]).assert().success();
    hall.cmd(NOW).args(["catalog", "list"]).assert().success().stdout(predicate::str::contains("开具证明"));
    hall.cmd(NOW).args(["take", "F01"]).assert().success().stdout(predicate::str::contains("F001"));
    hall.cmd(NOW).args(["take", "MZ01"]).assert().code(1);
}

#[test]
fn the_demo_builds_its_own_file_and_refuses_a_real_one() {
    let hall = Hall::new();
    hall.cmd(NOW).arg("init").assert().success();
    // A new hall's file (its admin, no tickets yet) is not a demo either.
    let out = hall.cmd(NOW).args(["demo", "--days", "2", "--per-day", "20", "--no-tui"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("大厅自己的数据库"));
    hall.cmd(NOW).arg("list").assert().success();
    hall.cmd(NOW).args(["take", "MZ01"]).assert().success();
    let out = hall.cmd(NOW).args(["demo", "--days", "2", "--per-day", "20", "--no-tui"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("大厅自己的数据库"));
    assert_eq!(json(&hall, &["list"]).as_array().unwrap().len(), 1, "the real file is untouched");

    let demo = hall.dir.path().join("demo.redb");
    let build = |seed: &str| {
        let mut c = hall.cmd(NOW);
        c.env("YIMEN_DB", &demo).env("YIMEN_PIN", "111111").args([
            "--json",
            "demo",
            "--days",
            "5",
            "--per-day",
            "40",
            "--seed",
            seed,
        ]);
        let v: Value = serde_json::from_slice(&c.output().unwrap().stdout).unwrap();
        let mut l = hall.cmd(NOW);
        let list = l
            .env("YIMEN_DB", &demo)
            .env("YIMEN_PIN", "111111")
            .args(["--json", "list", "--date", "2026-11-27"])
            .output()
            .unwrap();
        (v["tickets"].as_u64().unwrap(), String::from_utf8(list.stdout).unwrap())
    };
    let (n1, day1) = build("7");
    let (n2, day2) = build("7");
    assert!(n1 > 100, "{n1}");
    assert_eq!((n1, &day1), (n2, &day2), "the same seed gives the same town");
    let (_, other) = build("8");
    assert_ne!(day1, other);
    let tickets: Value = serde_json::from_str(&day1).unwrap();
    assert!(
        tickets
            .as_array()
            .unwrap()
            .iter()
            .any(|t| { t["citizen"]["id_number"].as_str().is_some_and(|s| s.starts_with("430822")) })
    );
}

#[test]
fn escape_laden_text_never_reaches_any_output_raw() {
    let hall = Hall::new();
    hall.cmd(NOW).arg("init").assert().success();
    hall.cmd(NOW).args(["take", "SB03"]).assert().success();
    let nasty = ["\u{1b}[2J", "\u{1b}]52;c;aGk=\u{7}", "\u{7}", "a\rb", "\u{202E}evil", "zero\u{200B}width"];
    let before = snapshot(&hall);
    for bad in nasty {
        for args in [
            vec!["take", "SB03", "--name", bad],
            vec!["take", "SB03", "--village", bad],
            vec!["take", "SB03", "--note", bad],
            vec!["take", "SB03", "--phone", bad],
            vec!["take", bad],
            vec!["show", bad],
            vec!["search", bad],
            vec!["call", "--window", bad],
            vec!["withdraw", "B001", "--reason", bad],
            vec!["list", "--date", bad],
        ] {
            let out = hall.cmd(NOW).args(&args).output().unwrap();
            for stream in [&out.stdout, &out.stderr] {
                let s = String::from_utf8_lossy(stream);
                for raw in ['\u{1b}', '\u{7}', '\r', '\u{202E}', '\u{200B}'] {
                    assert!(!s.contains(raw), "{args:?} printed {raw:?}: {s:?}");
                }
            }
        }
    }
    assert_eq!(snapshot(&hall), before, "nothing hidden was stored");
}
