//! End to end in a real pseudo-terminal (tmux): the real binary, keys typed as a clerk types
//! them (Chinese through the terminal), then the database checked through the CLI.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::Hall;

const NOW: &str = "2026-11-30T09:30:00+08:00";

pub struct Tmux {
    pub socket: String,
}

impl Tmux {
    /// A tmux server of its own (`name` and this process's id), or `None` when tmux is not
    /// installed — the test is then skipped, except under CI, where its absence fails.
    pub fn new(name: &str) -> Option<Tmux> {
        let present = Command::new("tmux").arg("-V").output().is_ok_and(|o| o.status.success());
        if !present {
            crate::common::skip("tmux (apt-get install tmux)");
            return None;
        }
        Some(Tmux { socket: format!("{name}-{}", std::process::id()) })
    }

    pub fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux is needed for the end-to-end test (apt-get install tmux)");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "e2e"])
    }

    pub fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(start.elapsed() < Duration::from_secs(20), "waited for {text:?}; the screen is:\n{s}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    pub fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", "e2e", "-l", text]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").arg("-L").arg(&self.socket).arg("kill-server").output();
    }
}

#[test]
fn a_clerk_registers_and_completes_a_case_in_the_real_terminal() {
    let hall = Hall::new();
    hall.cmd(NOW).arg("init").assert().success();
    hall.cmd(NOW).args(["take", "MZ03"]).assert().success();
    // A file where the backups folder should be: the daily backup fails, the hall still opens.
    std::fs::write(hall.dir.path().join("backups"), "not a folder").unwrap();
    let bin = assert_cmd::cargo::cargo_bin("yimen");
    let Some(tmux) = Tmux::new("yimen-e2e") else { return };
    let cmd = format!(
        "env YIMEN_DB='{}' YIMEN_NOW='{NOW}' YIMEN_CLERK=李娟 YIMEN_PIN='{}' LANG=C.UTF-8 '{}' --window 2; echo EXIT=$?; sleep 60",
        hall.db.display(),
        crate::common::TEST_PASSWORD,
        bin.display()
    );
    tmux.run(&["new-session", "-d", "-s", "e2e", "-x", "110", "-y", "32", &cmd]);
    tmux.wait_for("叫下一位");
    tmux.wait_for("今日自动备份失败");
    tmux.keys(&["c"]);
    tmux.wait_for("请 A001 号到 2 号窗口");
    tmux.keys(&["i"]);
    tmux.wait_for("受理登记  A001");
    tmux.type_text("张三");
    tmux.keys(&["Tab"]);
    tmux.type_text("430822195602294056");
    tmux.wait_for("1956-02-29");
    for _ in 0..6 {
        tmux.keys(&["Tab"]);
    }
    tmux.keys(&["Space", "Space", "Space"]);
    tmux.wait_for("[x] 困难情况证明");
    tmux.keys(&["C-s"]);
    tmux.wait_for("状态：办理中");
    tmux.keys(&["d"]);
    tmux.wait_for("状态：已办结");
    // While the interface still runs, another program on the same PC reads the file and sees
    // the step: each one is durable in the file when the screen shows it.
    let out = hall.cmd(NOW).args(["--json", "show", "A001"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let t: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(t["status"], "completed", "seen beside the open interface");
    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0");

    let out = hall.cmd(NOW).args(["--json", "show", "A001"]).output().unwrap();
    let t: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(t["status"], "completed");
    assert_eq!(t["citizen"]["name"], "张三");
    assert_eq!(t["window"], "2");
    let actions: Vec<&str> = t["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["take", "call", "accept", "complete"]);
}
