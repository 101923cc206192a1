//! The hall server on loopback: the real binary serving, real HTTP clients hitting it at once.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{Hall, TEST_PASSWORD};

pub const NOW: &str = "2026-11-30T09:00:00+08:00";

/// A running `yimen serve`; killed when dropped.
pub struct Server {
    child: Child,
    pub url: String,
}

impl Server {
    pub fn start(hall: &Hall, listen: &str, extra: &[&str]) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("yimen"))
            .env("YIMEN_DB", &hall.db)
            .env("YIMEN_NOW", NOW)
            .env_remove("YIMEN_LANG")
            // Serving the file is an admin's decision, made at the server PC.
            .env("YIMEN_CLERK", "李娟")
            .env("YIMEN_PIN", TEST_PASSWORD)
            .args(["serve", "--listen", listen])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the server");
        let mut line = String::new();
        let _ = BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line);
        let url = line.find("http://").map(|at| line[at..].split_whitespace().next().unwrap_or("").to_string());
        match url {
            Some(url) => Server { child, url },
            None => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the server did not say where it listens: {line:?}");
            }
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// A signed-in client.
pub struct Client {
    agent: ureq::Agent,
    url: String,
    pub token: String,
}

impl Client {
    pub fn sign_in(url: &str, clerk: &str, pin: &str) -> Client {
        let agent = agent();
        let (status, v) = post(&agent, &format!("{url}/api/sign-in"), None, None, json!({"clerk": clerk, "pin": pin}));
        assert_eq!(status, 200, "{v}");
        Client { agent, url: url.to_string(), token: v["token"].as_str().expect("token").to_string() }
    }

    pub fn post(&self, path: &str, key: Option<&str>, body: Value) -> Result<(u16, Value), ureq::Error> {
        let mut req =
            self.agent.post(format!("{}{path}", self.url)).header("authorization", format!("Bearer {}", self.token));
        if let Some(k) = key {
            req = req.header("idempotency-key", k);
        }
        let mut resp = req.send_json(&body)?;
        let status = resp.status().as_u16();
        Ok((status, resp.body_mut().read_json::<Value>().unwrap_or(Value::Null)))
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        let mut resp = self
            .agent
            .get(format!("{}{path}", self.url))
            .header("authorization", format!("Bearer {}", self.token))
            .call()
            .expect("request");
        let status = resp.status().as_u16();
        (status, resp.body_mut().read_json::<Value>().unwrap_or(Value::Null))
    }
}

pub fn post(agent: &ureq::Agent, url: &str, token: Option<&str>, key: Option<&str>, body: Value) -> (u16, Value) {
    let mut req = agent.post(url);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    let mut resp = req.send_json(&body).expect("request");
    let status = resp.status().as_u16();
    (status, resp.body_mut().read_json::<Value>().unwrap_or(Value::Null))
}

fn take_body(i: usize) -> Value {
    let item = ["MZ01", "SB03", "YB01"][i % 3];
    json!({"item": item, "citizen": {"name": "张三", "phone": format!("139{:08}", i)}})
}

#[test]
fn twenty_windows_take_two_thousand_numbers_none_twice_none_lost() {
    let hall = Hall::new();
    hall.cmd(NOW).arg("init").assert().success();
    let server = Server::start(&hall, "127.0.0.1:0", &[]);
    let start = Arc::new(Barrier::new(20));
    let workers: Vec<_> = (0..20)
        .map(|w| {
            let url = server.url.clone();
            let start = start.clone();
            std::thread::spawn(move || {
                let c = Client::sign_in(&url, "李娟", TEST_PASSWORD);
                start.wait();
                (0..100)
                    .map(|i| {
                        let (status, t) = c.post("/api/take", Some(&format!("w{w}-{i}")), take_body(i)).expect("take");
                        assert_eq!(status, 200, "{t}");
                        (t["id"].as_u64().expect("id"), format!("{}{}", t["number"]["letter"], t["number"]["seq"]))
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let got: Vec<(u64, String)> = workers.into_iter().flat_map(|w| w.join().expect("worker")).collect();
    assert_eq!(got.len(), 2000);
    let ids: HashSet<u64> = got.iter().map(|g| g.0).collect();
    let numbers: HashSet<&String> = got.iter().map(|g| &g.1).collect();
    assert_eq!(ids.len(), 2000, "every take made its own ticket");
    assert_eq!(numbers.len(), 2000, "no number given twice");
    let c = Client::sign_in(&server.url, "李娟", TEST_PASSWORD);
    let (_, q) = c.get("/api/queue");
    assert_eq!(q["today"].as_array().expect("today").len(), 2000, "none lost");
}

#[test]
fn two_windows_calling_at_once_never_call_the_same_ticket() {
    let hall = Hall::new();
    hall.cmd(NOW).arg("init").assert().success();
    let server = Server::start(&hall, "127.0.0.1:0", &[]);
    let c = Client::sign_in(&server.url, "李娟", TEST_PASSWORD);
    for i in 0..60 {
        assert_eq!(c.post("/api/take", None, take_body(i)).expect("take").0, 200);
    }
    let start = Arc::new(Barrier::new(2));
    let windows: Vec<_> = ["1", "2"]
        .into_iter()
        .map(|w| {
            let url = server.url.clone();
            let start = start.clone();
            std::thread::spawn(move || {
                let c = Client::sign_in(&url, "李娟", TEST_PASSWORD);
                let mut called = Vec::new();
                for _ in 0..30 {
                    start.wait();
                    let (status, t) = c.post("/api/call", None, json!({"window": w})).expect("call");
                    assert_eq!(status, 200, "{t}");
                    assert_eq!(t["window"], w);
                    called.push(t["id"].as_u64().expect("id"));
                }
                called
            })
        })
        .collect();
    let all: Vec<u64> = windows.into_iter().flat_map(|w| w.join().expect("window")).collect();
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 60, "never the same ticket twice: {all:?}");
    let (status, e) = c.post("/api/call", None, json!({"window": "1"})).expect("call");
    assert_eq!((status, e["code"].as_str()), (422, Some("refused")), "{e}");
}

#[test]
fn refusals_are_clear_json_one_liners() {
    let hall = Hall::new();
    hall.cmd(NOW).arg("init").assert().success();
    hall.cmd(NOW).env("YIMEN_NEW_PIN", "246810").args(["user", "add", "张三", "--role", "clerk"]).assert().success();
    let server = Server::start(&hall, "127.0.0.1:0", &["--session-secs", "2"]);
    let a = agent();
    let url = &server.url;
    // The health check needs no sign-in; everything else does.
    let mut resp = a.get(format!("{url}/api/health")).call().expect("health");
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.body_mut().read_json::<Value>().expect("json")["ok"], true);
    let (status, e) = post(&a, &format!("{url}/api/take"), None, None, take_body(0));
    assert_eq!((status, e["code"].as_str()), (401, Some("unauthorized")), "{e}");
    let (status, e) = post(&a, &format!("{url}/api/take"), Some("not-a-token"), None, take_body(0));
    assert_eq!(status, 401, "{e}");
    // A wrong PIN, in the language asked for.
    let mut resp = a
        .post(format!("{url}/api/sign-in"))
        .header("accept-language", "en")
        .send_json(json!({"clerk": "张三", "pin": "000000"}))
        .expect("sign-in");
    assert_eq!(resp.status().as_u16(), 401);
    let e: Value = resp.body_mut().read_json().expect("json");
    assert_eq!(e["error"], "no such clerk or wrong PIN");
    // A clerk may not print the daily report.
    let clerk = Client::sign_in(url, "张三", "246810");
    let (status, e) = clerk.get("/api/report/daily");
    assert_eq!((status, e["code"].as_str()), (403, Some("forbidden")), "{e}");
    // Too big a body.
    let huge = json!({"item": "MZ01", "note": "字".repeat(40_000)});
    let (status, e) = clerk.post("/api/take", None, huge).expect("post");
    assert_eq!((status, e["code"].as_str()), (413, Some("too_large")), "{e}");
    // Bad input keeps its one-line message.
    let (status, e) = clerk.post("/api/take", None, json!({"item": "XX99"})).expect("post");
    assert_eq!(status, 422);
    assert!(e["error"].as_str().expect("message").contains("XX99"), "{e}");
    // An expired session.
    std::thread::sleep(Duration::from_millis(2200));
    let (status, e) = clerk.get("/api/queue");
    assert_eq!((status, e["code"].as_str()), (401, Some("unauthorized")), "{e}");
}

#[test]
fn wrong_pins_slow_guessing_down_but_never_lock_the_account() {
    let hall = Hall::new();
    hall.cmd(NOW).arg("init").assert().success();
    hall.cmd(NOW).env("YIMEN_NEW_PIN", "246810").args(["user", "add", "张三", "--role", "clerk"]).assert().success();
    let server = Server::start(&hall, "127.0.0.1:0", &[]);
    let sign_in = |clerk: &str, pin: &str| {
        post(&agent(), &format!("{}/api/sign-in", server.url), None, None, json!({"clerk": clerk, "pin": pin}))
    };
    for i in 1..=3 {
        let (status, e) = sign_in("张三", "111111");
        assert_eq!(status, 401, "attempt {i}: {e}");
    }
    // The next try from this address must wait a moment (and says how long) …
    let (status, e) = sign_in("张三", "246810");
    assert_eq!((status, e["code"].as_str()), (429, Some("throttled")), "{e}");
    assert!(e["error"].as_str().unwrap_or_default().contains("秒后再试"), "{e}");
    // … and no more: the account is never locked, the right PIN works once the wait is over.
    std::thread::sleep(Duration::from_millis(1100));
    let (status, e) = sign_in("张三", "246810");
    assert_eq!(status, 200, "{e}");
    // Nor is the admin locked out by anyone: after the address's short wait, the admin signs in.
    std::thread::sleep(Duration::from_millis(2100));
    let (status, e) = sign_in("李娟", TEST_PASSWORD);
    assert_eq!(status, 200, "{e}");
}

#[test]
fn a_killed_server_keeps_every_acknowledged_write_and_retries_do_not_duplicate() {
    let hall = Hall::new();
    hall.cmd(NOW).arg("init").assert().success();
    let mut server = Server::start(&hall, "127.0.0.1:0", &[]);
    let url = server.url.clone();
    let listen = url.trim_start_matches("http://").to_string();
    // One window takes numbers without pause; the server is killed under it.
    let writer = std::thread::spawn(move || {
        let c = Client::sign_in(&url, "李娟", TEST_PASSWORD);
        let mut acked = Vec::new();
        for i in 0..10_000 {
            match c.post("/api/take", Some(&format!("t{i}")), take_body(i)) {
                Ok((200, t)) => acked.push((i, t["id"].as_u64().expect("id"))),
                _ => return (acked, i),
            }
        }
        (acked, 10_000)
    });
    std::thread::sleep(Duration::from_millis(700));
    server.kill();
    let (acked, failed_at) = writer.join().expect("writer");
    assert!(acked.len() > 10, "the writer got going: {}", acked.len());
    // Back on the same address; the client retries the request that failed, then the last
    // acknowledged one again (a retry after a lost answer), with the same keys.
    let server = Server::start(&hall, &listen, &[]);
    let c = Client::sign_in(&server.url, "李娟", TEST_PASSWORD);
    let (status, retried) = c.post("/api/take", Some(&format!("t{failed_at}")), take_body(failed_at)).expect("retry");
    assert_eq!(status, 200, "{retried}");
    let (last_i, last_id) = *acked.last().expect("acked");
    let (status, again) = c.post("/api/take", Some(&format!("t{last_i}")), take_body(last_i)).expect("retry");
    assert_eq!((status, again["id"].as_u64()), (200, Some(last_id)), "a retried take returns the same ticket");
    let (_, q) = c.get("/api/queue");
    let today = q["today"].as_array().expect("today");
    let ids: HashSet<u64> = today.iter().filter_map(|t| t["id"].as_u64()).collect();
    for (_, id) in &acked {
        assert!(ids.contains(id), "acknowledged ticket {id} lost");
    }
    // Everything acknowledged, plus at most the one in flight and its retry, which are one.
    assert!(today.len() == acked.len() + 1, "{} tickets for {} acknowledged and 1 retried", today.len(), acked.len());
    let numbers: HashSet<String> =
        today.iter().map(|t| format!("{}{}", t["number"]["letter"], t["number"]["seq"])).collect();
    assert_eq!(numbers.len(), today.len(), "no number twice");
}

/// The hall's file made large (1 GiB of ballast rows in its settings table, which every backup
/// copies), written straight with redb as a year of history would have grown it.
fn ballast(db: &std::path::Path, mib: usize) {
    let d = redb::Database::open(db).unwrap();
    let row = vec![0x5au8; 1 << 20];
    for chunk in 0..mib.div_ceil(64) {
        let tx = d.begin_write().unwrap();
        {
            let mut meta = tx.open_table(redb::TableDefinition::<&str, &[u8]>::new("meta-1")).unwrap();
            for i in chunk * 64..((chunk + 1) * 64).min(mib) {
                meta.insert(format!("ballast-{i:05}").as_str(), row.as_slice()).unwrap();
            }
        }
        tx.commit().unwrap();
    }
}

#[test]
fn takes_answer_at_once_while_a_backup_of_a_one_gigabyte_file_runs() {
    let _turn = super::common::machine_turn();
    let hall = Hall::new();
    hall.cmd(NOW).arg("init").assert().success();
    hall.cmd(NOW).env("YIMEN_NEW_PIN", "246810").args(["user", "add", "张三", "--role", "clerk"]).assert().success();
    ballast(&hall.db, 1024);
    assert!(std::fs::metadata(&hall.db).unwrap().len() >= 1 << 30, "the file is 1 GiB");
    let server = Server::start(&hall, "127.0.0.1:0", &[]);
    let admin = Client::sign_in(&server.url, "李娟", TEST_PASSWORD);
    let clerk = Client::sign_in(&server.url, "张三", "246810");
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let backup = {
        let done = done.clone();
        std::thread::spawn(move || {
            let began = std::time::Instant::now();
            let r = admin.post("/api/backup", None, json!({}));
            done.store(true, std::sync::atomic::Ordering::SeqCst);
            (r.map(|(status, v)| (status, v.to_string())).unwrap(), began.elapsed())
        })
    };
    let mut waits = Vec::new();
    while !done.load(std::sync::atomic::Ordering::SeqCst) {
        let t = std::time::Instant::now();
        let (status, v) = clerk.post("/api/take", None, json!({ "item": "SB03" })).unwrap();
        waits.push(t.elapsed());
        assert_eq!(status, 200, "{v}");
    }
    let ((status, answer), took) = backup.join().unwrap();
    assert_eq!(status, 200, "{answer}");
    assert!(waits.len() >= 20, "the backup ran long enough to matter: {} takes in {took:?}", waits.len());
    waits.sort();
    let p99 = waits[(waits.len() * 99).div_ceil(100) - 1];
    assert!(
        p99 < Duration::from_millis(200),
        "p99 of {} takes during the backup: {p99:?}; slowest {:?}; median {:?}",
        waits.len(),
        &waits[waits.len() - 8..],
        waits[waits.len() / 2]
    );
    let _ = std::fs::remove_file(serde_json::from_str::<Value>(&answer).unwrap()["path"].as_str().unwrap_or(""));
}
