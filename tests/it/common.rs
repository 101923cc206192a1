//! Helpers shared by the integration tests.

use std::path::PathBuf;

use assert_cmd::Command;
use tempfile::TempDir;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use yimen::app::Desk;
use yimen::client::{Client, Local};
use yimen::clock::{Clock, DEFAULT_OFFSET};
use yimen::domain::account::Role;

/// The password of the admin 李娟 that `init` creates in command-line tests.
pub const TEST_PASSWORD: &str = "yimen-test-pass";

/// A fresh database in its own temporary directory.
pub struct Hall {
    pub dir: TempDir,
    pub db: PathBuf,
}

impl Hall {
    pub fn new() -> Hall {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("hall.redb");
        Hall { dir, db }
    }

    /// A desk on this hall's file, created if needed (with the admin 李娟, as `init` makes
    /// it), acting as `clerk` at `now` (RFC 3339); a clerk not yet known is added as an admin
    /// with the test password.
    pub fn desk(&self, clerk: &str, now: &str) -> Local {
        let (desk, _) = Desk::init(&self.db, None, None).expect("init");
        let mut desk = Local::new(desk);
        if !desk.has_accounts() {
            desk.add_user("李娟", Role::Admin, TEST_PASSWORD).expect("first admin");
        }
        if !desk.desk.users().expect("users").iter().any(|u| u.name == clerk) {
            desk.sign_in("李娟", TEST_PASSWORD).expect("sign in");
            desk.add_user(clerk, Role::Admin, TEST_PASSWORD).expect("add clerk");
        }
        desk.sign_in(clerk, TEST_PASSWORD).expect("sign in");
        desk.set_clock(clock(now));
        desk
    }

    /// A new hall made at `now` by `init` (its first admin 李娟), with the clerk 张三 (PIN
    /// 246810) and the supervisor 王主任 (boss-pass-2026).
    pub fn with_staff(now: &str) -> Hall {
        let hall = Hall::new();
        hall.cmd(now).arg("init").assert().success();
        hall.cmd(now)
            .env("YIMEN_NEW_PIN", "246810")
            .args(["user", "add", "张三", "--role", "clerk"])
            .assert()
            .success();
        hall.cmd(now)
            .env("YIMEN_NEW_PIN", "boss-pass-2026")
            .args(["user", "add", "王主任", "--role", "supervisor"])
            .assert()
            .success();
        hall
    }

    /// The real binary, pointed at this hall's file, with a fixed clock and clerk.
    pub fn cmd(&self, now: &str) -> Command {
        let mut c = Command::cargo_bin("yimen").expect("binary");
        c.env("YIMEN_DB", &self.db)
            .env("YIMEN_NOW", now)
            .env("YIMEN_CLERK", "李娟")
            .env("YIMEN_LOCK_WAIT_MS", "100")
            // `init` makes 李娟 the first admin with this password; every command signs in.
            .env("YIMEN_PIN", TEST_PASSWORD)
            .env_remove("YIMEN_NEW_PIN")
            .env_remove("YIMEN_LANG")
            .env_remove("YIMEN_SERVER")
            // A window working through a server keeps its slips and log in the data folder of
            // HOME: the test's own folder, never the machine's.
            .env("HOME", self.dir.path())
            .env_remove("XDG_DATA_HOME");
        c
    }
}

pub fn clock(now: &str) -> Clock {
    Clock::new(DEFAULT_OFFSET, Some(OffsetDateTime::parse(now, &Rfc3339).expect("RFC 3339")))
}

/// Everything the hall's log files in `dir/logs` hold (one file per day), in file-name order.
pub fn log_text(dir: &std::path::Path) -> String {
    let mut files: Vec<_> =
        std::fs::read_dir(dir.join("logs")).expect("a logs folder").map(|e| e.unwrap().path()).collect();
    files.sort();
    files.iter().map(|f| std::fs::read_to_string(f).unwrap()).collect()
}

/// Tests that load the whole machine (a browser's sessions, a gigabyte's backup), hold a server
/// to a time, or share the machine's one print system take turns: on two cores, one would
/// otherwise make the other's clock lie.
pub fn machine_turn() -> std::sync::MutexGuard<'static, ()> {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    TURN.lock().unwrap_or_else(|p| p.into_inner())
}

/// Says that a test whose outside part is missing did not run. Under CI (`CI=true`) the
/// absence is a failure: there every outside part must be installed.
pub fn skip(what: &str) {
    assert!(std::env::var("CI").as_deref() != Ok("true"), "CI must run this test: needs {what}");
    eprintln!("SKIPPED: needs {what}");
}
