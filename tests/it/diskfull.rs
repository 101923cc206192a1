//! A full disk: the action fails with a clear one-line message, nothing partial is stored, and
//! once space returns everything acknowledged is there. Runs on a small tmpfs, which needs
//! root (as in CI on these machines); elsewhere it says so and does nothing.

use std::process::Command;

use crate::common::Hall;

const NOW: &str = "2026-11-30T09:00:00+08:00";

struct Mount(std::path::PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_refuses_cleanly_and_loses_nothing() {
    let hall = Hall::new();
    let dir = hall.dir.path().join("small");
    std::fs::create_dir_all(&dir).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=3m", "tmpfs"])
        .arg(&dir)
        .output()
        .is_ok_and(|o| o.status.success());
    if !mounted {
        crate::common::skip("root to mount a small tmpfs");
        return;
    }
    let _guard = Mount(dir.clone());
    let db = dir.join("hall.redb");
    let cmd = || {
        let mut c = hall.cmd(NOW);
        c.env("YIMEN_DB", &db);
        c
    };
    cmd().arg("init").assert().success();
    // Space that can be given back later.
    let filler = dir.join("filler");
    std::fs::write(&filler, vec![0u8; 512 * 1024]).unwrap();
    let note = "材料说明".repeat(400);
    let mut acked = 0;
    let mut failure = None;
    for _ in 0..5000 {
        let out = cmd().args(["take", "MZ01", "--name", "张三", "--note", &note]).output().unwrap();
        if out.status.success() {
            acked += 1;
        } else {
            failure = Some(out);
            break;
        }
    }
    let out = failure.expect("the small disk filled up");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("数据库读写失败") || err.contains("No space") || err.contains("28"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(acked > 5, "{acked}");
    // Space returns; a restart finds everything acknowledged and nothing half-written.
    std::fs::remove_file(&filler).unwrap();
    let out = cmd().args(["--json", "list"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), acked, "exactly the acknowledged tickets");
    let last = list.as_array().unwrap().last().unwrap()["number"].as_str().unwrap().to_string();
    assert_eq!(last, format!("A{acked:03}"), "no number burnt or skipped");
    cmd().args(["audit", "verify"]).assert().success();
    cmd().args(["take", "MZ01"]).assert().success();
}
