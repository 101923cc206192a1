//! The hall server under load: 20 windows on loopback against `yimen serve`, for a minute by
//! default (`YIMEN_BENCH_LOAD_SECS`, 0 skips it), each going round the day's work — take a
//! number, call it, accept, complete, look a citizen up — and refreshing its queue screen every
//! second as the interface does. The same operations, one window at a time, on the local file
//! are the baseline.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use yimen::app::{AcceptRequest, Act, CitizenInput, Desk, TakeRequest};

const WINDOWS: usize = 20;
/// The demo's three clerks: `yimen::demo::ACCOUNTS`.
const CLERKS: usize = 3;

fn clerk(i: usize) -> (&'static str, &'static str) {
    let (name, _, pin) = yimen::demo::ACCOUNTS[i % CLERKS];
    (name, pin)
}
/// The operations, in the order of a round.
pub const OPS: [&str; 6] = ["take", "call next", "accept", "complete", "search by phone", "queue refresh"];

pub fn seconds() -> u64 {
    std::env::var("YIMEN_BENCH_LOAD_SECS").ok().and_then(|s| s.trim().parse().ok()).unwrap_or(60)
}

/// A valid ID number of someone born in 1960: the month from `m`, the day and sequence from `i`.
pub fn id_number(m: usize, i: usize) -> String {
    let first17 = format!("4308221960{:02}{:02}{:03}", 1 + m % 12, 1 + i % 28, i % 1000);
    format!("{first17}{}", yimen::domain::id_number::check_char(first17.as_bytes()))
}

fn take_body(w: usize, i: usize) -> Value {
    json!({"item": "MZ01", "citizen": {"name": "测试甲", "id_number": id_number(w, i), "phone": format!("13{:02}{:07}", w, i)}})
}

struct Client {
    agent: ureq::Agent,
    url: String,
    token: String,
}

impl Client {
    fn send(&self, method: &str, path: &str, key: Option<String>, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.url);
        let auth = format!("Bearer {}", self.token);
        let resp = if method == "GET" {
            self.agent.get(&url).header("authorization", &auth).call()
        } else {
            let mut r = self.agent.post(&url).header("authorization", &auth);
            if let Some(k) = &key {
                r = r.header("idempotency-key", k);
            }
            r.send_json(body.unwrap_or(Value::Null))
        };
        let mut resp = resp.unwrap_or_else(|e| panic!("{path}: {e}"));
        let status = resp.status().as_u16();
        let v: Value = resp.body_mut().read_json().unwrap_or(Value::Null);
        assert_eq!(status, 200, "{path}: {v}");
        v
    }
}

/// Latencies per operation, p50 and p99 in seconds, and the number of each.
pub type Figures = BTreeMap<&'static str, (f64, f64, usize)>;

fn figures(samples: BTreeMap<&'static str, Vec<Duration>>) -> Figures {
    samples
        .into_iter()
        .map(|(k, mut v)| {
            v.sort_unstable();
            let at =
                |q: f64| v.get(((v.len() as f64 - 1.0) * q).round() as usize).map(Duration::as_secs_f64).unwrap_or(0.0);
            (k, (at(0.5), at(0.99), v.len()))
        })
        .collect()
}

/// Runs the load against a server on `db` for `secs`, each window pausing `pause` after each
/// operation; returns the figures, the rounds done and the seconds it ran.
/// `yimen serve` on `db`, on a free loopback port: the process and its address.
fn start_server(db: &Path) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_yimen"))
        .env("YIMEN_DB", db)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start yimen serve");
    let mut line = String::new();
    let _ = BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line);
    let Some(url) = line.find("http://").map(|at| line[at..].split_whitespace().next().unwrap_or("").to_string())
    else {
        let _ = child.kill();
        panic!("the server did not start: {line:?}");
    };
    (child, url)
}

pub fn server(db: &Path, secs: u64, pause: Duration) -> (Figures, usize, f64) {
    let (mut child, url) = start_server(db);
    let start = Arc::new(Barrier::new(WINDOWS));
    let began = Instant::now();
    let windows: Vec<_> = (0..WINDOWS)
        .map(|w| {
            let url = url.clone();
            let start = start.clone();
            std::thread::spawn(move || {
                let c = window(&url, w);
                let mut samples: BTreeMap<&'static str, Vec<Duration>> = BTreeMap::new();
                let mut time = |op: &'static str, f: &mut dyn FnMut() -> Value| {
                    let t = Instant::now();
                    let v = f();
                    samples.entry(op).or_default().push(t.elapsed());
                    std::thread::sleep(pause);
                    v
                };
                start.wait();
                let deadline = Instant::now() + Duration::from_secs(secs);
                let (mut rounds, mut last_refresh) = (0usize, Instant::now());
                while Instant::now() < deadline {
                    let k = |what: &str| Some(format!("w{w}-{rounds}-{what}"));
                    time(OPS[0], &mut || c.send("POST", "/api/take", k("take"), Some(take_body(w, rounds))));
                    let called = time(OPS[1], &mut || {
                        c.send("POST", "/api/call", k("call"), Some(json!({"window": w.to_string()})))
                    });
                    let id = called["id"].as_u64().expect("called ticket");
                    time(OPS[2], &mut || {
                        c.send("POST", &format!("/api/tickets/{id}/accept"), k("accept"), Some(json!({})))
                    });
                    time(OPS[3], &mut || {
                        c.send("POST", &format!("/api/tickets/{id}/complete"), k("complete"), Some(json!({})))
                    });
                    time(OPS[4], &mut || c.send("GET", &format!("/api/search?q=13{w:02}{rounds:07}"), None, None));
                    if last_refresh.elapsed() >= Duration::from_secs(1) {
                        time(OPS[5], &mut || c.send("GET", "/api/queue", None, None));
                        last_refresh = Instant::now();
                    }
                    rounds += 1;
                }
                (samples, rounds)
            })
        })
        .collect();
    let mut all: BTreeMap<&'static str, Vec<Duration>> = BTreeMap::new();
    let mut rounds = 0;
    let mut failed = false;
    for w in windows {
        match w.join() {
            Ok((s, r)) => {
                rounds += r;
                for (k, v) in s {
                    all.entry(k).or_default().extend(v);
                }
            }
            Err(_) => failed = true,
        }
    }
    let ran = began.elapsed().as_secs_f64();
    // SIGTERM: the server stops the way a hall's PC shuts it down.
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let _ = child.wait();
    assert!(!failed, "a window failed (its message is above)");
    (figures(all), rounds, ran)
}

/// The same round on the local file, in this process, one window: the baseline.
pub fn local(db: &Path, rounds: usize) -> Figures {
    let hall = Desk::open(db).expect("open");
    let (name, pin) = clerk(0);
    let who = hall.sign_in(name, pin).expect("sign in");
    let desk = hall.acting(&who);
    let mut samples: BTreeMap<&'static str, Vec<Duration>> = BTreeMap::new();
    let mut time = |op: &'static str, f: &mut dyn FnMut()| {
        let t = Instant::now();
        f();
        samples.entry(op).or_default().push(t.elapsed());
    };
    for i in 0..rounds {
        let req = TakeRequest {
            item: "MZ01".into(),
            citizen: CitizenInput {
                name: Some("测试乙".into()),
                id_number: Some(id_number(99, i)),
                phone: Some(format!("1399{i:07}")),
                ..Default::default()
            },
            ..Default::default()
        };
        time(OPS[0], &mut || {
            desk.take(&req).expect("take");
        });
        let mut id = 0;
        time(OPS[1], &mut || id = desk.call("1", &[]).expect("call").id);
        let r = id.to_string();
        time(OPS[2], &mut || {
            desk.perform(&r, &Act::Accept(AcceptRequest::default())).expect("accept");
        });
        time(OPS[3], &mut || {
            desk.perform(&r, &Act::Complete { note: None }).expect("complete");
        });
        time(OPS[4], &mut || {
            desk.search(&format!("1399{i:07}"), 100).expect("search");
        });
        time(OPS[5], &mut || {
            desk.list_day(desk.clock().today(), None).expect("queue");
        });
    }
    figures(samples)
}

pub fn render(what: &str, server: &Figures, local: &Figures, rounds: usize, ran: f64) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{what}: {WINDOWS} windows on loopback for {ran:.0} s, {rounds} rounds ({:.0} writes a second); the local \
         file, one window at a time, is the baseline.\n",
        rounds as f64 * 4.0 / ran
    );
    let _ = writeln!(s, "| operation | server p50 / p99 | requests | local file p50 / p99 | server ÷ local (p50) |");
    let _ = writeln!(s, "|---|---:|---:|---:|---:|");
    let ms = |x: f64| format!("{:.2} ms", x * 1e3);
    for op in OPS {
        let (Some(a), Some(b)) = (server.get(op), local.get(op)) else { continue };
        let _ = writeln!(
            s,
            "| {op} | {} / {} | {} | {} / {} | {:.1} |",
            ms(a.0),
            ms(a.1),
            a.2,
            ms(b.0),
            ms(b.1),
            a.0 / b.0.max(1e-9)
        );
    }
    s
}

/// Signs window `w` in at the server at `url`.
fn window(url: &str, w: usize) -> Client {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let (clerk, pin) = clerk(w);
    let mut resp =
        agent.post(format!("{url}/api/sign-in")).send_json(json!({"clerk": clerk, "pin": pin})).expect("sign in");
    let v: Value = resp.body_mut().read_json().expect("sign-in answer");
    Client { agent, url: url.to_string(), token: v["token"].as_str().expect("token").to_string() }
}

/// Reads (the queue screen, one ticket, a search) by 10 windows for `secs`, first alone, then
/// while 10 other windows write flat out (take, call, accept, complete): the figures of the
/// reads in each phase, and the writes done in the second.
pub fn reads_during_writes(db: &Path, secs: u64) -> (Figures, Figures, usize) {
    let (mut child, url) = start_server(db);
    let readers = |secs: u64| -> Vec<std::thread::JoinHandle<BTreeMap<&'static str, Vec<Duration>>>> {
        (0..10)
            .map(|w| {
                let url = url.clone();
                std::thread::spawn(move || {
                    let c = window(&url, w);
                    let mut samples: BTreeMap<&'static str, Vec<Duration>> = BTreeMap::new();
                    let deadline = Instant::now() + Duration::from_secs(secs);
                    let mut i = 0usize;
                    while Instant::now() < deadline {
                        for (op, path) in [
                            ("queue refresh", "/api/queue".to_string()),
                            ("show a ticket", format!("/api/tickets/{}", 1 + (i * 7919) % 5000)),
                            ("search by name", "/api/search?q=zs".to_string()),
                        ] {
                            let t = Instant::now();
                            let _ = c
                                .agent
                                .get(format!("{}{path}", c.url))
                                .header("authorization", format!("Bearer {}", c.token))
                                .call();
                            samples.entry(op).or_default().push(t.elapsed());
                        }
                        i += 1;
                    }
                    samples
                })
            })
            .collect()
    };
    let collect = |hs: Vec<std::thread::JoinHandle<BTreeMap<&'static str, Vec<Duration>>>>| {
        let mut all: BTreeMap<&'static str, Vec<Duration>> = BTreeMap::new();
        for h in hs {
            for (k, v) in h.join().expect("a reading window") {
                all.entry(k).or_default().extend(v);
            }
        }
        figures(all)
    };
    let alone = collect(readers(secs));
    let writers: Vec<_> = (10..20)
        .map(|w| {
            let url = url.clone();
            std::thread::spawn(move || {
                let c = window(&url, w);
                let deadline = Instant::now() + Duration::from_secs(secs);
                let mut n = 0usize;
                while Instant::now() < deadline {
                    let k = |what: &str| Some(format!("rw{w}-{n}-{what}"));
                    c.send("POST", "/api/take", k("take"), Some(take_body(w, n)));
                    let called = c.send("POST", "/api/call", k("call"), Some(json!({"window": w.to_string()})));
                    let id = called["id"].as_u64().expect("called ticket");
                    c.send("POST", &format!("/api/tickets/{id}/accept"), k("accept"), Some(json!({})));
                    c.send("POST", &format!("/api/tickets/{id}/complete"), k("complete"), Some(json!({})));
                    n += 4;
                }
                n
            })
        })
        .collect();
    let during = collect(readers(secs));
    let writes = writers.into_iter().map(|h| h.join().expect("a writing window")).sum();
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let _ = child.wait();
    (alone, during, writes)
}

pub fn render_reads(alone: &Figures, during: &Figures, writes: usize, secs: u64) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Reads while writes run: 10 windows reading for {secs} s alone, then again while 10 other windows write flat \
         out ({:.0} writes a second).\n",
        writes as f64 / secs as f64
    );
    let _ = writeln!(s, "| read | alone p50 / p99 | during writes p50 / p99 | during ÷ alone (p50, p99) |");
    let _ = writeln!(s, "|---|---:|---:|---:|");
    let ms = |x: f64| format!("{:.2} ms", x * 1e3);
    for (op, a) in alone {
        let Some(b) = during.get(op) else { continue };
        let _ = writeln!(
            s,
            "| {op} | {} / {} | {} / {} | {:.2}, {:.2} |",
            ms(a.0),
            ms(a.1),
            ms(b.0),
            ms(b.1),
            b.0 / a.0.max(1e-9),
            b.1 / a.1.max(1e-9)
        );
    }
    s
}
