//! Proof against power loss, not only kills: the hall's file lives on a file system that
//! forgets everything not yet synced when the power is cut (`lazyfs`). Two hundred times a
//! writer takes numbers as fast as it can (printing each ticket only once yimen acknowledged
//! it) or an admin restores a backup, and the power is cut at a random moment; the file system
//! is remounted and checked: every acknowledged ticket is there as it was acknowledged, the
//! audit chain verifies, the file opens without a repair error, and a restore left either the
//! old file or the backup, whole — the backup for certain once the restore said it was done.
//!
//! The file system keeps names (create, rename, link) at once, as a journaling file system
//! commits its metadata; it cuts only file contents. So this proves that what yimen acknowledged
//! was synced into the file, not that a rename was made durable by syncing its folder (restore
//! does sync the folder; a file system that loses unsynced renames is not modelled here).
//!
//! Proven once: with `Durability::None` in `Store::write` (and redb's exclusive mode, which
//! allows it) this test fails in its first round ("acknowledged ticket 1 lost"); a SIGKILL
//! alone (crash.rs) did not catch that. `YIMEN_FUZZ_SEED=n` explores other moments.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use yimen::client::Client;

use crate::common::TEST_PASSWORD;
use crate::lazyfs;
use yimen::app::Desk;
use yimen::domain::ticket::Ticket;
use yimen_store::chain::Verdict;

const NOW: &str = "2026-11-30T09:00:00+08:00";
const ROUNDS: usize = 200;

fn yimen(db: &Path) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("yimen"));
    c.env_clear()
        .env("YIMEN_DB", db)
        .env("YIMEN_NOW", NOW)
        .env("YIMEN_CLERK", "李娟")
        .env("YIMEN_PIN", TEST_PASSWORD)
        .env("YIMEN_LOCK_WAIT_MS", "5000")
        .env("HOME", db.parent().unwrap_or(Path::new(".")));
    c
}

/// Every ticket of the day in the file, opened as the next program after the cut would.
fn tickets(db: &Path, round: usize) -> BTreeMap<u64, Ticket> {
    let mut desk = yimen::client::Local::new(
        Desk::open(db).unwrap_or_else(|e| panic!("round {round}: the file does not open after the cut: {e}")),
    );
    desk.sign_in("李娟", TEST_PASSWORD).unwrap();
    match desk.verify_chain().unwrap() {
        Verdict::Intact { .. } => {}
        other => panic!("round {round}: the audit chain does not hold after the cut: {other:?}"),
    }
    desk.list_day(time::macros::date!(2026 - 11 - 30), None).unwrap().into_iter().map(|t| (t.id, t)).collect()
}

/// A writer taking numbers; its acknowledged tickets come through the channel.
fn writer(db: &Path) -> (Child, mpsc::Receiver<Ticket>) {
    let mut child = yimen(db).arg("_crash-writer").stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let out = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if let Some(t) = line.strip_prefix("ACK ").and_then(|j| serde_json::from_str::<Ticket>(j).ok())
                && tx.send(t).is_err()
            {
                break;
            }
        }
    });
    (child, rx)
}

fn fuse_here() -> bool {
    Path::new("/dev/fuse").exists()
        && Command::new("fusermount3").arg("--version").output().is_ok_and(|o| o.status.success())
}

#[test]
fn every_acknowledged_action_survives_two_hundred_power_cuts() {
    if !fuse_here() {
        return crate::common::skip("FUSE (/dev/fuse and fusermount3: apt-get install fuse3)");
    }
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("disk");
    std::fs::create_dir(&mnt).unwrap();
    let state = lazyfs::State::new();
    let Some(mut session) = lazyfs::mount(&state, &mnt) else {
        return crate::common::skip("a FUSE mount (fusermount3 refused it)");
    };
    let db: PathBuf = mnt.join("hall.redb");
    let backup = mnt.join("b.redb");
    assert!(yimen(&db).arg("init").status().unwrap().success());
    let mut seed: u64 = std::env::var("YIMEN_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(2026);
    let mut next = |below: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % below
    };
    let mut have: BTreeMap<u64, Ticket> = BTreeMap::new();
    let mut backed_up: Option<BTreeMap<u64, Ticket>> = None;
    let (mut acked_total, mut restores_done, mut restores_cut) = (0, 0, 0);
    for round in 0..ROUNDS {
        let restore = round % 10 == 9 && backed_up.is_some();
        let mut finished = false;
        let mut acked = Vec::new();
        if restore {
            let mut child = yimen(&db)
                .args(["restore", backup.to_str().unwrap(), "--force"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(Duration::from_millis(next(150)));
            finished = matches!(child.try_wait().unwrap(), Some(s) if s.success());
            let _ = child.kill();
            let _ = child.wait();
        } else {
            let (mut child, rx) = writer(&db);
            // The cut falls within the stream of writes: after the first acknowledgement.
            if let Ok(t) = rx.recv_timeout(Duration::from_secs(20)) {
                acked.push(t);
            }
            std::thread::sleep(Duration::from_millis(next(60)));
            let _ = child.kill();
            let _ = child.wait();
            acked.extend(rx.try_iter());
            assert!(!acked.is_empty(), "round {round}: the writer acknowledged nothing");
        }
        // The power cut: everything not synced is gone; then the disk comes back.
        drop(session);
        state.lock().unwrap().cut_power();
        session = lazyfs::mount(&state, &mnt).expect("the disk mounts again");
        let now = tickets(&db, round);
        if restore {
            let old = &have;
            let new = backed_up.as_ref().unwrap();
            assert!(now == *old || now == *new, "round {round}: a restore cut half-way left neither file");
            if finished {
                assert!(now == *new, "round {round}: the restore said it was done, and the backup is not in place");
                restores_done += 1;
            } else {
                restores_cut += 1;
            }
        } else {
            for t in have.values().chain(&acked) {
                let found =
                    now.get(&t.id).unwrap_or_else(|| panic!("round {round}: acknowledged ticket {} lost", t.id));
                assert_eq!(found, t, "round {round}: ticket {} changed", t.id);
            }
            acked_total += acked.len();
        }
        have = now;
        if round == 20 {
            assert!(yimen(&db).args(["backup", backup.to_str().unwrap()]).status().unwrap().success());
            backed_up = Some(have.clone());
        }
    }
    eprintln!(
        "{ROUNDS} power cuts: {acked_total} acknowledged takes kept, {restores_done} restores done and {restores_cut} cut half-way, {} syncs",
        state.lock().unwrap().syncs
    );
    assert!(acked_total > ROUNDS, "the writers got work done: {acked_total}");
    assert!(restores_done + restores_cut >= 15, "restores were cut too");
}
