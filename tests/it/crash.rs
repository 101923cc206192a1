//! The crash test: a child process takes numbers as fast as it can and prints each ticket only
//! after its write is acknowledged; we kill it with SIGKILL at random moments, many times, and
//! check that every acknowledged ticket is there and identical, numbers are unique per day, and
//! the audit chain verifies.
//!
//! Each action is one durable redb commit, as in the interface and the server. A SIGKILL keeps
//! the page cache, so this proves the commit protocol, not the disk: `powercut.rs` cuts the
//! power under the file system.
//!
//! Proven once: with `Durability::None` in `Store::write` this test failed (acknowledged tickets
//! were missing after the kill, because redb rolls back to the last durable commit on reopen).

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;
use yimen::client::Client;

use crate::common::Hall;
use yimen::domain::ticket::Ticket;
use yimen_store::chain::Verdict;

const NOW: &str = "2026-11-30T09:00:00+08:00";

#[test]
fn acknowledged_writes_survive_sigkill() {
    let hall = Hall::new();
    hall.cmd(NOW).arg("init").assert().success();
    let bin = assert_cmd::cargo::cargo_bin("yimen");
    let mut acked: BTreeMap<u64, Ticket> = BTreeMap::new();
    // A small deterministic generator is enough to vary the moments.
    let mut seed: u64 =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(7);
    let rounds = 12;
    for round in 0..rounds {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let wait = 40 + (seed >> 33) % 260;
        let mut child = Command::new(&bin)
            .env("YIMEN_DB", &hall.db)
            .env("YIMEN_NOW", NOW)
            .env("YIMEN_CLERK", "李娟")
            .env("YIMEN_PIN", crate::common::TEST_PASSWORD)
            .env("YIMEN_LOCK_WAIT_MS", "5000")
            .arg("_crash-writer")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter_map(|l| l.strip_prefix("ACK ").and_then(|j| serde_json::from_str::<Ticket>(j).ok()))
                .collect::<Vec<Ticket>>()
        });
        std::thread::sleep(Duration::from_millis(wait));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let got = reader.join().unwrap();
        eprintln!("round {round}: killed after {wait} ms, {} acknowledged", got.len());
        for t in got {
            acked.insert(t.id, t);
        }
    }
    assert!(acked.len() > 20, "the writer got some work done: {}", acked.len());
    let mut desk = hall.desk("李娟", NOW);
    for (id, want) in &acked {
        let (have, _) = desk.show(&id.to_string()).unwrap_or_else(|e| panic!("acknowledged ticket {id} lost: {e}"));
        assert_eq!(&have, want, "ticket {id} changed");
    }
    let all = desk.list_day(time::macros::date!(2026 - 11 - 30), None).unwrap();
    let mut numbers = HashSet::new();
    for t in &all {
        assert!(numbers.insert(t.number), "number {} given twice", t.number);
    }
    assert!(matches!(desk.verify_chain().unwrap(), Verdict::Intact { .. }));
}
