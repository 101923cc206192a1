//! Windows working through the hall server (`--server URL`): the same commands, messages and
//! exit codes as on the file, and the interface live across windows and across a restart.

use std::time::{Duration, Instant};

use crate::common::Hall;
use crate::pty::Pty;
use crate::server::{NOW, Server};

/// A hall file with an admin (李娟) and a clerk (王芳).
fn hall_with_clerk() -> Hall {
    let hall = Hall::new();
    hall.cmd(NOW).args(["init", "--hall", "青龙镇便民服务中心"]).assert().success();
    hall.cmd(NOW).env("YIMEN_NEW_PIN", "246810").args(["user", "add", "王芳", "--role", "clerk"]).assert().success();
    hall
}

/// Extra environment of one command.
type Env<'a> = &'a [(&'a str, &'a str)];

/// Exit code, standard output and standard error of one command.
fn outcome(mut cmd: assert_cmd::Command) -> (i32, String, String) {
    let out = cmd.output().expect("run yimen");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_command_answers_the_same_through_the_server_as_on_the_file() {
    let local = hall_with_clerk();
    let served = hall_with_clerk();
    let server = Server::start(&served, "127.0.0.1:0", &[]);
    let remote = |args: &[&str], env: Env| {
        let mut c = served.cmd(NOW);
        c.env_remove("YIMEN_DB").env("YIMEN_SERVER", &server.url).args(args);
        for (k, v) in env {
            c.env(k, v);
        }
        outcome(c)
    };
    let on_file = |args: &[&str], env: Env| {
        let mut c = local.cmd(NOW);
        c.args(args);
        for (k, v) in env {
            c.env(k, v);
        }
        outcome(c)
    };
    let clerk: Env = &[("YIMEN_CLERK", "王芳"), ("YIMEN_PIN", "246810")];
    let wrong_pin: Env = &[("YIMEN_CLERK", "王芳"), ("YIMEN_PIN", "000000")];
    let admin: Env = &[];
    let script: Vec<(&[&str], Env)> = vec![
        (&["take", "MZ01", "--name", "张三", "--id-number", "11010519491231002X"], clerk),
        (&["take", "SB03", "--name", "李四"], clerk),
        (&["take", "XX99"], clerk),
        (&["take", "MZ01", "--id-number", "110105194912310021"], clerk),
        (&["queue"], clerk),
        (&["--json", "queue"], clerk),
        (&["call", "--window", "2"], clerk),
        (&["call", "--window", "3", "--categories", "Z"], clerk),
        (&["recall", "A001"], clerk),
        (&["accept", "A001", "--phone", "13800138000", "--defer", "户口簿"], clerk),
        (&["accept", "A001", "--phone", "13800138000"], clerk),
        (&["supply", "A001", "--material", "户口簿"], clerk),
        (&["suspend", "A001", "--reason", "notice", "--note", "村务公示"], clerk),
        (&["resume", "A001"], clerk),
        (&["transfer", "A001", "--to", "县民政局", "--days", "10"], clerk),
        (&["complete", "A001", "--note", "已批准"], clerk),
        (&["rate", "A001", "--score", "2", "--comment", "等太久"], clerk),
        (&["followup", "A001", "--step", "callback", "--note", "已电话回访"], clerk),
        (&["followup", "A001", "--step", "callback", "--note", "已电话回访"], admin),
        (&["noshow", "B001"], clerk),
        (&["reject", "B001", "--reason", ""], clerk),
        (&["withdraw", "B001", "--reason", "本人撤回"], clerk),
        (&["correct", "A001", "--field", "phone", "--to", "13900139000", "--reason", "录错"], clerk),
        (&["correct", "A001", "--field", "phone", "--to", "13900139000", "--reason", "再次"], clerk),
        (&["correct", "A001", "--field", "proxy-phone", "--to", "13900139000", "--reason", "无代办人"], clerk),
        (&["correct", "B001", "--field", "id-number", "--to", "110105194912310021", "--reason", "x"], clerk),
        (&["show", "A001"], clerk),
        (&["--json", "show", "A001"], clerk),
        (&["show", "2026-11-30/B001"], clerk),
        (&["show", "Z999"], clerk),
        (&["slip", "A001"], clerk),
        (&["list"], clerk),
        (&["list", "--open"], clerk),
        (&["list", "--date", "2026-11-29"], clerk),
        (&["search", "张三"], clerk),
        (&["--lang", "en", "search", "zhang"], clerk),
        (&["report", "daily"], clerk),
        (&["report", "daily"], admin),
        (&["report", "daily", "--format", "json"], admin),
        (&["report", "range", "--week"], admin),
        (&["export"], admin),
        (&["export", "--full-ids"], clerk),
        (&["user", "list"], clerk),
        (&["user", "list"], admin),
        (&["audit", "verify"], admin),
        (&["config", "show"], admin),
        (&["config", "set", "follow_up_days", "9"], clerk),
        (&["config", "set", "follow_up_days", "9"], admin),
        (&["catalog", "show", "MZ01"], clerk),
        (&["calendar", "show", "2027"], clerk),
        (&["--json", "calendar", "show", "2026"], clerk),
        (&["--json", "board"], &[]),
        (&["queue"], wrong_pin),
        (&["--lang", "en", "queue"], wrong_pin),
    ];
    let mut refused = Vec::new();
    for (args, env) in script {
        let here = on_file(args, env);
        let there = remote(args, env);
        assert_eq!(here, there, "`yimen {}` differs on the file (left) and through the server (right)", args.join(" "));
        if here.0 != 0 {
            refused.push(args.join(" "));
        }
    }
    // The script's refusals are the ones it means: each says why in one line, on both.
    assert_eq!(
        refused,
        [
            "take XX99",
            "take MZ01 --id-number 110105194912310021",
            "call --window 3 --categories Z",
            "accept A001 --phone 13800138000 --defer 户口簿",
            "supply A001 --material 户口簿",
            "followup A001 --step callback --note 已电话回访",
            "noshow B001",
            "reject B001 --reason ",
            "correct A001 --field phone --to 13900139000 --reason 再次",
            "correct A001 --field proxy-phone --to 13900139000 --reason 无代办人",
            "correct B001 --field id-number --to 110105194912310021 --reason x",
            "show Z999",
            "report daily",
            "export --full-ids",
            "user list",
            "config set follow_up_days 9",
            "queue",
            "--lang en queue",
        ]
    );
    // The served hall got its records through the API.
    let (code, out, _) = remote(&["--json", "list"], admin);
    assert_eq!(code, 0);
    assert!(out.contains("\"number\":\"A001\"") && out.contains("\"status\":\"withdrawn\""), "{out}");
}

#[test]
fn commands_on_the_file_itself_are_refused_through_a_server_and_a_dead_server_is_one_line() {
    let hall = hall_with_clerk();
    let server = Server::start(&hall, "127.0.0.1:0", &[]);
    for args in [&["init"][..], &["restore", "x.redb"], &["demo", "--no-tui"]] {
        let out = hall.cmd(NOW).env("YIMEN_SERVER", &server.url).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("请在服务器电脑上运行"), "{args:?}: {err}");
    }
    // On the server PC, a command on the file itself works beside the server (one hall, one PC:
    // the board, a report and the server share the file).
    let out = hall.cmd(NOW).arg("queue").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    // Compacting runs on the server (admin only); the windows wait meanwhile.
    let through = |c: &mut assert_cmd::Command| {
        c.env_remove("YIMEN_DB").env("YIMEN_SERVER", &server.url);
    };
    let mut c = hall.cmd(NOW);
    through(&mut c);
    c.env("YIMEN_CLERK", "王芳").env("YIMEN_PIN", "246810").arg("compact").assert().failure().code(1);
    let mut c = hall.cmd(NOW);
    through(&mut c);
    c.arg("compact").assert().success().stdout(predicates::str::contains("已整理数据库文件"));
    let mut c = hall.cmd(NOW);
    through(&mut c);
    c.args(["take", "SB03"]).assert().success();
    // A county's catalog larger than any other request still goes through the server.
    let mut big = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/catalog.toml")).unwrap();
    for i in 0..600 {
        big.push_str(&format!(
            "\n[[item]]\ncode = \"QX{i:03}\"\nname = \"县级事项第{i}项\"\nname_en = \"County item {i}\"\ncategory = \"qita\"\nkind = \"即办\"\ndays = 0\nmaterials = [{{ name = \"身份证\" }}]\n"
        ));
    }
    assert!(big.len() > 64 * 1024);
    let file = hall.dir.path().join("county.toml");
    std::fs::write(&file, &big).unwrap();
    let mut c = hall.cmd(NOW);
    through(&mut c);
    c.args(["catalog", "import"]).arg(&file).assert().success().stdout(predicates::str::contains("个事项"));
    let mut c = hall.cmd(NOW);
    through(&mut c);
    c.args(["catalog", "show", "QX599"]).assert().success().stdout(predicates::str::contains("县级事项第599项"));
    // Nothing listens on this port: a clear line, exit 1, no panic.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out = hall.cmd(NOW).env("YIMEN_SERVER", format!("127.0.0.1:{port}")).arg("queue").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("连不上大厅服务器") && err.lines().count() == 1, "{err}");
    let out = hall.cmd(NOW).env("YIMEN_SERVER", "https://example.invalid").arg("queue").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("http://"));
}

/// Waits until the screen shows `text`; returns how long that took.
fn time_until(term: &Pty, text: &str, limit: Duration) -> Duration {
    let start = Instant::now();
    loop {
        if term.screen().contains(text) {
            return start.elapsed();
        }
        assert!(start.elapsed() < limit, "waited {limit:?} for {text:?}; the screen is:\n{}", term.screen());
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_window_on_the_server_sees_other_windows_at_once_and_rides_out_a_restart() {
    let hall = hall_with_clerk();
    let mut server = Server::start(&hall, "127.0.0.1:0", &[]);
    let url = server.url.clone();
    let addr = url.trim_start_matches("http://").to_string();
    let bin = assert_cmd::cargo::cargo_bin("yimen");
    let home = hall.dir.path().display().to_string();
    let env = [
        ("YIMEN_SERVER", url.as_str()),
        ("HOME", home.as_str()),
        ("YIMEN_NOW", NOW),
        ("YIMEN_CLERK", "王芳"),
        ("YIMEN_PIN", "246810"),
    ];
    let mut term = Pty::spawn(&bin, &["--window", "2"], &env, 110, 32);
    term.wait_for("叫下一位");
    // The hall's display board on another screen, through the same server, signed in as no one.
    let mut board = Pty::spawn(
        &bin,
        &["board"],
        &[("YIMEN_SERVER", url.as_str()), ("HOME", home.as_str()), ("YIMEN_NOW", NOW)],
        100,
        30,
    );
    board.wait_for("请取号，等候叫号");

    // Another window (the reception desk, through the command line) takes and calls numbers:
    // this window's queue shows each within a second.
    let other = |args: &[&str]| {
        hall.cmd(NOW).env_remove("YIMEN_DB").env("YIMEN_SERVER", &url).args(args).assert().success();
    };
    other(&["take", "SB03", "--name", "赵六"]);
    let seen = time_until(&term, "B001", Duration::from_secs(5));
    assert!(seen < Duration::from_secs(1), "another window's take showed after {seen:?}");
    other(&["call", "--window", "5"]);
    let called = Instant::now();
    let seen = time_until(&term, "已叫号", Duration::from_secs(5));
    assert!(seen < Duration::from_secs(1), "another window's call showed after {seen:?}");
    time_until(&board, "请 B001 号到 5 号窗口", Duration::from_secs(5));
    let shown = called.elapsed();
    assert!(shown < Duration::from_secs(1), "the board showed the call after {shown:?}");
    assert!(!board.screen().contains("赵六"), "never a name on the board:\n{}", board.screen());
    board.keys(&["q"]);
    assert_eq!(board.wait_exit(), 0);

    // The clerk starts a walk-in registration; the server dies mid-way.
    term.keys(&["i"]);
    term.wait_for("受理登记（现场登记）");
    term.type_text("SQ01");
    term.wait_for("群众诉求");
    term.keys(&["Enter"]);
    term.wait_for("SQ01");
    server.kill();
    term.type_text("孙七");
    term.keys(&["C-s"]);
    term.wait_for("正在重新连接");
    assert!(term.screen().contains("孙七"), "the form keeps what was typed:\n{}", term.screen());

    // The server comes back on the same address; the window carries on signed in.
    let _server = Server::start(&hall, &addr, &[]);
    term.wait_for("已重新连接");
    assert!(term.screen().contains("孙七"), "the form still holds what was typed:\n{}", term.screen());
    term.keys(&["C-s"]);
    term.wait_for("状态：");
    let out = hall
        .cmd(NOW)
        .env_remove("YIMEN_DB")
        .env("YIMEN_SERVER", &url)
        .args(["--json", "search", "孙七"])
        .output()
        .unwrap();
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(found.as_array().map(Vec::len), Some(1), "one ticket for one registration: {found}");
    term.keys(&["q"]);
    assert_eq!(term.wait_exit(), 0);
}

/// Reads one HTTP message (headers, then a body of Content-Length bytes); None at the end.
fn read_message(r: &mut impl std::io::BufRead) -> Option<Vec<u8>> {
    let mut msg = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        msg.extend_from_slice(line.as_bytes());
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().ok()?;
        }
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    r.read_exact(&mut body).ok()?;
    msg.extend_from_slice(&body);
    Some(msg)
}

/// A proxy in front of the server that lets the server act on the first `lose` takes but loses
/// their answers (the line drops after the server committed): what a retry must survive.
fn lossy_proxy(upstream: String, lose: usize) -> String {
    use std::io::{BufReader, Write};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let left = Arc::new(AtomicUsize::new(lose));
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let (left, upstream) = (left.clone(), upstream.clone());
            std::thread::spawn(move || {
                let Ok(server) = std::net::TcpStream::connect(&upstream) else { return };
                let (mut to_client, mut to_server) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                let (mut from_client, mut from_server) = (BufReader::new(client), BufReader::new(server));
                while let Some(req) = read_message(&mut from_client) {
                    let take = req.starts_with(b"POST /api/take");
                    if to_server.write_all(&req).is_err() {
                        return;
                    }
                    let Some(resp) = read_message(&mut from_server) else { return };
                    if take && left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok() {
                        // The server has done it; the window never hears.
                        let _ = to_client.shutdown(std::net::Shutdown::Both);
                        return;
                    }
                    if to_client.write_all(&resp).is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

#[test]
fn a_take_whose_answers_are_lost_is_sent_again_and_made_once() {
    use yimen::client::{Client, Remote};
    use yimen::tui::worker::{self, Job, Reply};
    let hall = hall_with_clerk();
    let server = Server::start(&hall, "127.0.0.1:0", &[]);
    // Every try of the first take reaches the server and loses its answer; the window gives up
    // for now ("reconnecting"), and the clerk presses Enter again once the line is back.
    let url = lossy_proxy(server.url.trim_start_matches("http://").to_string(), 3);
    let mut remote = Remote::connect(&url, yimen::domain::Lang::Zh, hall.dir.path().to_path_buf()).unwrap();
    remote.sign_in("王芳", "246810").unwrap();
    let (jobs, job_rx) = std::sync::mpsc::channel();
    let (reply_tx, replies) = std::sync::mpsc::channel();
    let worker = worker::spawn(Box::new(remote), yimen::domain::Lang::Zh, job_rx, move |r| reply_tx.send(r).is_ok());
    let next = || replies.recv_timeout(Duration::from_secs(30)).expect("a reply");
    let take = Job::Take(yimen::app::TakeRequest { item: "SB03".into(), ..Default::default() });

    jobs.send(take.clone()).unwrap();
    assert!(matches!(next(), Reply::Connection(false)), "the window hears the server is away");
    match next() {
        Reply::Done(Err(e)) => assert!(e.contains("连不上大厅服务器"), "{e}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    jobs.send(take.clone()).unwrap();
    assert!(matches!(next(), Reply::Connection(true)));
    let first = match next() {
        Reply::Done(Ok(t)) => t,
        other => panic!("expected the ticket, got {other:?}"),
    };
    assert_eq!(first.number.to_string(), "B001", "the server's first take, answered now");
    // A new take is a new request: it gets a number of its own.
    jobs.send(take).unwrap();
    match next() {
        Reply::Done(Ok(t)) => assert_eq!(t.number.to_string(), "B002"),
        other => panic!("expected the ticket, got {other:?}"),
    }
    drop(jobs);
    let _ = worker.join();
    // The server holds the file; read through it.
    let out = hall
        .cmd(NOW)
        .env_remove("YIMEN_DB")
        .env("YIMEN_SERVER", &server.url)
        .args(["--json", "list"])
        .output()
        .unwrap();
    let through: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(through.as_array().map(Vec::len), Some(2), "two takes, two tickets: {through}");
}

#[test]
fn an_expired_sign_in_sends_the_window_back_to_its_sign_in_screen() {
    use yimen::client::{Client, Remote};
    use yimen::tui::worker::{self, Job, Reply};
    let hall = hall_with_clerk();
    let server = Server::start(&hall, "127.0.0.1:0", &["--session-secs", "1"]);
    let mut remote = Remote::connect(&server.url, yimen::domain::Lang::Zh, hall.dir.path().to_path_buf()).unwrap();
    remote.sign_in("王芳", "246810").unwrap();
    let (jobs, job_rx) = std::sync::mpsc::channel();
    let (reply_tx, replies) = std::sync::mpsc::channel();
    let worker = worker::spawn(Box::new(remote), yimen::domain::Lang::Zh, job_rx, move |r| reply_tx.send(r).is_ok());
    let next = || replies.recv_timeout(Duration::from_secs(30)).expect("a reply");
    jobs.send(Job::Refresh { open_cases: false }).unwrap();
    assert!(matches!(next(), Reply::Snapshot(Ok(_))));
    std::thread::sleep(Duration::from_millis(1500));
    let take = Job::Take(yimen::app::TakeRequest { item: "SB03".into(), ..Default::default() });
    jobs.send(take.clone()).unwrap();
    assert!(matches!(next(), Reply::SignInEnded), "the window goes back to its sign-in screen");
    match next() {
        Reply::Done(Err(e)) => assert!(e.contains("重新登录"), "{e}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    jobs.send(Job::SignIn { name: "王芳".into(), pin: "246810".into() }).unwrap();
    assert!(matches!(next(), Reply::SignedIn(Ok(_))));
    jobs.send(take).unwrap();
    assert!(matches!(next(), Reply::Done(Ok(_))), "signed in again, the same form goes through");
    drop(jobs);
    let _ = worker.join();
}

#[test]
fn the_server_logs_sign_ins_with_where_from_and_health_names_the_hall_as_it_is_now() {
    let hall = hall_with_clerk();
    let server = Server::start(&hall, "127.0.0.1:0", &[]);
    let through = || {
        let mut c = hall.cmd(NOW);
        c.env_remove("YIMEN_DB").env("YIMEN_SERVER", &server.url);
        c
    };
    through().env("YIMEN_CLERK", "王芳").env("YIMEN_PIN", "000000").arg("queue").assert().code(1);
    through().env("YIMEN_CLERK", "王芳").env("YIMEN_PIN", "246810").arg("queue").assert().success();
    through().args(["config", "set", "hall", "凤栖镇便民服务中心"]).assert().success();
    through().env("YIMEN_CLERK", "王芳").env("YIMEN_PIN", "246810").args(["show", "Z999"]).assert().code(1);
    let log = crate::common::log_text(hall.dir.path());
    // A request's lines name its route and its clerk (the request's span).
    assert!(
        log.lines().any(|l| l.contains("request{route=/api/tickets/{ticket} clerk=王芳}") && l.contains("refused")),
        "{log}"
    );
    assert!(log.contains("server sign-in 王芳 from 127.0.0.1: refused"), "{log}");
    assert!(log.contains("server sign-in 王芳 from 127.0.0.1: ok"), "{log}");
    assert!(!log.contains("246810"), "never a PIN in the log");
    let health: serde_json::Value =
        ureq::get(format!("{}/api/health", server.url)).call().unwrap().body_mut().read_json().unwrap();
    assert_eq!(health["hall"], "凤栖镇便民服务中心");
}

#[test]
fn a_board_started_before_its_server_waits_for_it() {
    let hall = hall_with_clerk();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let bin = assert_cmd::cargo::cargo_bin("yimen");
    let (server_url, home) = (format!("http://{addr}"), hall.dir.path().display().to_string());
    let mut board = Pty::spawn(
        &bin,
        &["board"],
        &[("YIMEN_SERVER", server_url.as_str()), ("HOME", home.as_str()), ("YIMEN_NOW", NOW)],
        100,
        30,
    );
    board.wait_for("连不上大厅服务器");
    assert!(board.screen().contains("正在重新连接"), "{}", board.screen());
    let _server = Server::start(&hall, &addr, &[]);
    board.wait_for("青龙镇便民服务中心");
    board.wait_for("请取号，等候叫号");
    board.keys(&["q"]);
    assert_eq!(board.wait_exit(), 0);
}

/// The same refusal has the same kind whether the desk refused it on this PC or the hall
/// server refused it for a window: the `{code, message}` answer comes back as the kind it was
/// sent as. And the wire speaks RFC 3339: times as `2026-11-30T09:00:00+08:00`, dates as
/// `2026-11-30`, never the storage's tuples.
#[test]
fn a_refusal_keeps_its_kind_across_the_wire_and_times_travel_as_rfc_3339() {
    use yimen::app::{Act, DeskError, ErrorCode};
    use yimen::client::{Client, Remote};
    use yimen::domain::account::Role;
    let hall = hall_with_clerk();
    hall.cmd(NOW).args(["take", "SB03"]).assert().success();
    let server = Server::start(&hall, "127.0.0.1:0", &[]);
    let mut remote = Remote::connect(&server.url, yimen::domain::Lang::Zh, hall.dir.path().to_path_buf()).unwrap();
    // The local desk, opened beside the server, as the other side of each comparison.
    let mut local = yimen::client::Local::new(yimen::app::Desk::open(&hall.db).unwrap());
    // The same "now" as the server's: after 16:00 UTC the real day at +08:00 is tomorrow's.
    local.set_clock(crate::common::clock(NOW));
    fn kind<T: std::fmt::Debug>(r: Result<T, DeskError>) -> ErrorCode {
        r.expect_err("a refusal").code()
    }
    assert_eq!(kind(remote.sign_in("王芳", "000000")), ErrorCode::Unauthorized);
    assert_eq!(kind(local.sign_in("王芳", "000000")), ErrorCode::Unauthorized);
    remote.sign_in("王芳", "246810").unwrap();
    local.sign_in("王芳", "246810").unwrap();
    let cases: Vec<(&str, ErrorCode, ErrorCode, ErrorCode)> = vec![
        ("show", kind(Client::show(&mut remote, "Z999")), kind(Client::show(&mut local, "Z999")), ErrorCode::NotFound),
        (
            "complete a waiting ticket",
            kind(remote.perform("B001", &Act::Complete { note: None })),
            kind(Client::perform(&mut local, "B001", &Act::Complete { note: None })),
            ErrorCode::Refused,
        ),
        (
            "a clerk adds a user",
            kind(remote.add_user("赵六", Role::Clerk, "135790")),
            kind(Client::add_user(&mut local, "赵六", Role::Clerk, "135790")),
            ErrorCode::Forbidden,
        ),
    ];
    for (what, over_the_wire, here, want) in cases {
        assert_eq!((over_the_wire, here), (want, want), "{what}");
    }
    assert_eq!(ErrorCode::ALL.into_iter().map(|c| ErrorCode::parse(c.as_str())).collect::<Vec<_>>(), ErrorCode::ALL);

    // The wire's own words for time.
    let http = crate::server::Client::sign_in(&server.url, "王芳", "246810");
    let (status, t) = http.get("/api/tickets/B001");
    assert_eq!(status, 200, "{t}");
    let ticket = &t["ticket"];
    assert_eq!(ticket["date"], "2026-11-30", "{t}");
    let taken = ticket["taken_at"].as_str().unwrap_or_else(|| panic!("a string: {t}"));
    assert!(time::OffsetDateTime::parse(taken, &time::format_description::well_known::Rfc3339).is_ok(), "{taken}");
    assert!(t["events"][0]["at"].is_string(), "{t}");
}
