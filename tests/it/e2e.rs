//! End to end in a real pseudo-terminal: the real binary, keys typed as a clerk types them
//! (Chinese through the terminal), then the database checked through the CLI.

use crate::common::Hall;
use crate::pty::Pty;

const NOW: &str = "2026-11-30T09:30:00+08:00";

#[test]
fn a_clerk_registers_and_completes_a_case_in_the_real_terminal() {
    let hall = Hall::new();
    hall.cmd(NOW).arg("init").assert().success();
    hall.cmd(NOW).args(["take", "MZ03"]).assert().success();
    // A file where the backups folder should be: the daily backup fails, the hall still opens.
    std::fs::write(hall.dir.path().join("backups"), "not a folder").unwrap();
    let bin = assert_cmd::cargo::cargo_bin("yimen");
    let db = hall.db.display().to_string();
    let env = [
        ("YIMEN_DB", db.as_str()),
        ("YIMEN_NOW", NOW),
        ("YIMEN_CLERK", "李娟"),
        ("YIMEN_PIN", crate::common::TEST_PASSWORD),
    ];
    let mut term = Pty::spawn(&bin, &["--window", "2"], &env, 110, 32);
    term.wait_for("叫下一位");
    term.wait_for("今日自动备份失败");
    term.keys(&["c"]);
    term.wait_for("请 A001 号到 2 号窗口");
    term.keys(&["i"]);
    term.wait_for("受理登记  A001");
    term.type_text("张三");
    term.keys(&["Tab"]);
    term.type_text("430822195602294056");
    term.wait_for("1956-02-29");
    for _ in 0..7 {
        term.keys(&["Tab"]);
    }
    term.keys(&["Space", "Space", "Space"]);
    term.wait_for("[x] 困难情况证明");
    term.keys(&["C-s"]);
    term.wait_for("状态：办理中");
    term.keys(&["d"]);
    term.wait_for("办结 A001");
    term.type_text("已发放");
    term.keys(&["Enter"]);
    term.wait_for("状态：已办结");
    // While the interface still runs, another program on the same PC reads the file and sees
    // the step: each one is durable in the file when the screen shows it.
    let out = hall.cmd(NOW).args(["--json", "show", "A001"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let t: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(t["status"], "completed", "seen beside the open interface");
    term.keys(&["q"]);
    assert_eq!(term.wait_exit(), 0);

    let out = hall.cmd(NOW).args(["--json", "show", "A001"]).output().unwrap();
    let t: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(t["status"], "completed");
    assert_eq!(t["citizen"]["name"], "张三");
    assert_eq!(t["window"], "2");
    let actions: Vec<&str> = t["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["take", "call", "accept", "complete"]);
    assert_eq!(t["events"][3]["note"], "已发放", "the completion's note was typed in the confirmation");
}

#[test]
fn long_commands_show_their_progress_on_a_terminal_and_nothing_in_a_pipe() {
    let hall = Hall::new();
    let bin = assert_cmd::cargo::cargo_bin("yimen");
    let db = hall.db.display().to_string();
    let home = hall.dir.path().display().to_string();
    let args = ["demo", "--no-tui", "--days", "150", "--per-day", "60"];
    let mut term =
        Pty::spawn(&bin, &args, &[("YIMEN_DB", db.as_str()), ("HOME", home.as_str()), ("YIMEN_NOW", NOW)], 100, 30);
    let screen = term.wait_for("正在生成演示数据");
    assert!(screen.contains('/'), "a count of days:\n{screen}");
    assert_eq!(term.wait_exit(), 0);
    // Through a pipe: the same command's output and nothing of a bar.
    std::fs::remove_file(&hall.db).unwrap();
    let out = hall.cmd(NOW).args(["demo", "--no-tui", "--days", "3"]).output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("正在生成") && !err.contains('\r'), "{err}");
}
