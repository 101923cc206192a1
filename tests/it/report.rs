//! Reports checked against an independent computation from `yimen export` rows (a different
//! code path over the same data), on a seeded demo history and on hand-built edge cases.

use std::collections::BTreeMap;
use yimen::client::Client;

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use unicode_width::UnicodeWidthStr;

use crate::common::{Hall, clock};
use yimen::app::{AcceptRequest, Act, CitizenInput, TakeRequest};

fn run_json(hall: &Hall, now: &str, args: &[&str]) -> Value {
    let out = as_supervisor(hall, now).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The demo's supervisor where the demo built the file; the test admin elsewhere.
fn as_supervisor(hall: &Hall, now: &str) -> assert_cmd::Command {
    let mut c = hall.cmd(now);
    if hall.dir.path().join("demo").exists() {
        c.env("YIMEN_CLERK", "王主任").env("YIMEN_PIN", "boss-demo-26");
    }
    c
}

fn export(hall: &Hall, now: &str, from: &str, to: &str) -> Vec<Value> {
    let out =
        as_supervisor(hall, now).args(["export", "--from", from, "--to", to, "--format", "jsonl"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn on(v: &Value, day: &str) -> bool {
    v.as_str().is_some_and(|s| s.len() >= 10 && &s[..10] == day)
}

fn minutes(a: &Value, b: &Value) -> f64 {
    let a = OffsetDateTime::parse(a.as_str().unwrap(), &Rfc3339).unwrap();
    let b = OffsetDateTime::parse(b.as_str().unwrap(), &Rfc3339).unwrap();
    (b - a).as_seconds_f64() / 60.0
}

fn stats(mut v: Vec<f64>) -> Value {
    if v.is_empty() {
        return serde_json::json!({"count": 0, "mean": null, "median": null, "p90": null});
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let r = |x: f64| (x * 10.0).round() / 10.0;
    let median = if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 };
    let p90 = v[((0.9 * n as f64).ceil() as usize).max(1) - 1];
    serde_json::json!({"count": n, "mean": r(v.iter().sum::<f64>() / n as f64), "median": r(median), "p90": r(p90)})
}

/// The daily figures of `day`, computed from export rows alone.
fn expected(rows: &[Value], day: &str) -> BTreeMap<&'static str, Value> {
    let taken: Vec<&Value> = rows.iter().filter(|r| r["date"] == day).collect();
    let count = |f: &dyn Fn(&Value) -> bool| Value::from(rows.iter().filter(|r| f(r)).count());
    let served = |r: &Value| {
        r["called_at"] != "" && (r["accepted_at"] != "" || r["status"] == "rejected" || r["notice"] == true)
    };
    let mut m = BTreeMap::new();
    m.insert("taken", Value::from(taken.len()));
    m.insert("called", Value::from(taken.iter().filter(|r| r["called_at"] != "").count()));
    m.insert("served", Value::from(taken.iter().filter(|r| served(r)).count()));
    m.insert("no_show", Value::from(taken.iter().filter(|r| r["status"] == "no_show").count()));
    m.insert("waiting_at_close", Value::from(taken.iter().filter(|r| r["status"] == "waiting").count()));
    m.insert("accepted", count(&|r| on(&r["accepted_at"], day)));
    m.insert("deferred", count(&|r| on(&r["accepted_at"], day) && r["deferred"].as_u64() > Some(0)));
    m.insert("completed", count(&|r| on(&r["completed_at"], day)));
    m.insert("completed_on_the_spot", count(&|r| on(&r["completed_at"], day) && r["kind"] == "on_the_spot"));
    for (key, status) in [("rejected", "rejected"), ("withdrawn", "withdrawn"), ("terminated", "terminated")] {
        m.insert(key, count(&|r| on(&r["closed_at"], day) && r["status"] == status));
    }
    m.insert("transferred", count(&|r| on(&r["transferred_at"], day)));
    m.insert("suspended", count(&|r| r["status"] == "suspended" && on(&r["suspended_at"], day)));
    let mut ratings = serde_json::Map::new();
    for s in 1..=5 {
        ratings.insert(s.to_string(), count(&|r| on(&r["rated_at"], day) && r["rating"] == s.to_string().as_str()));
    }
    m.insert("ratings", Value::Object(ratings));
    m.insert(
        "wait_minutes",
        stats(
            taken.iter().filter(|r| r["called_at"] != "").map(|r| minutes(&r["taken_at"], &r["called_at"])).collect(),
        ),
    );
    let mut by_village: BTreeMap<String, u64> = BTreeMap::new();
    for r in &taken {
        let v = r["village"].as_str().unwrap();
        *by_village.entry(if v.is_empty() { "未登记".into() } else { v.into() }).or_default() += 1;
    }
    m.insert("by_village", serde_json::to_value(by_village).unwrap());
    let mut by_cat: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for r in rows {
        let c = r["category"].as_str().unwrap().to_string();
        if r["date"] == day {
            by_cat.entry(c.clone()).or_default().0 += 1;
        }
        if on(&r["completed_at"], day) {
            by_cat.entry(c).or_default().1 += 1;
        }
    }
    m.insert("by_category", serde_json::to_value(by_cat).unwrap());
    m
}

fn compare(report: &Value, want: &BTreeMap<&'static str, Value>, day: &str) {
    for (k, v) in want {
        let got = match *k {
            "wait_minutes" => {
                let w = &report["wait_minutes"];
                serde_json::json!({"count": w["count"], "mean": w["mean"], "median": w["median"], "p90": w["p90"]})
            }
            "by_village" => {
                let m: BTreeMap<String, u64> = report["by_village"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| (r["village"].as_str().unwrap().to_string(), r["taken"].as_u64().unwrap()))
                    .collect();
                serde_json::to_value(m).unwrap()
            }
            "by_category" => {
                let m: BTreeMap<String, (u64, u64)> = report["by_category"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| {
                        (
                            r["category"].as_str().unwrap().to_string(),
                            (r["taken"].as_u64().unwrap(), r["completed"].as_u64().unwrap()),
                        )
                    })
                    .collect();
                serde_json::to_value(m).unwrap()
            }
            _ => report[*k].clone(),
        };
        assert_eq!(&got, v, "{day}: {k}");
    }
}

#[test]
fn every_daily_figure_agrees_with_the_export_on_a_demo_history() {
    let hall = Hall::new();
    let now = "2026-11-30T11:00:00+08:00";
    hall.cmd(now).args(["demo", "--days", "12", "--per-day", "60", "--seed", "11", "--no-tui"]).assert().success();
    std::fs::write(hall.dir.path().join("demo"), "").unwrap();
    let rows = export(&hall, now, "2026-11-01", "2026-11-30");
    assert!(rows.len() > 600, "{}", rows.len());
    for day in ["2026-11-13", "2026-11-20", "2026-11-26", "2026-11-27", "2026-11-30"] {
        let report = run_json(&hall, now, &["report", "daily", "--date", day, "--format", "json"]);
        assert_eq!(report["date"], day);
        compare(&report, &expected(&rows, day), day);
    }
    // The range report's totals agree with summing its own days, and with the export.
    let range =
        run_json(&hall, now, &["report", "range", "--from", "2026-11-23", "--to", "2026-11-27", "--format", "json"]);
    let days = range["days"].as_array().unwrap();
    assert_eq!(days.len(), 5);
    let sum = |k: &str| days.iter().map(|d| d[k].as_u64().unwrap()).sum::<u64>();
    for k in ["taken", "served", "accepted", "completed"] {
        assert_eq!(range[k].as_u64().unwrap(), sum(k), "{k}");
    }
    let taken = rows.iter().filter(|r| ("2026-11-23".."2026-11-28").contains(&r["date"].as_str().unwrap())).count();
    assert_eq!(range["taken"], taken);
    let requests = rows
        .iter()
        .filter(|r| r["category"] == "suqiu" && ("2026-11-23".."2026-11-28").contains(&r["date"].as_str().unwrap()))
        .count();
    assert_eq!(range["requests_opened"], requests);
    // The year to date holds at least the day.
    let d = run_json(&hall, now, &["report", "daily", "--date", "2026-11-27", "--format", "json"]);
    assert!(d["year_to_date"]["taken"].as_u64() >= d["taken"].as_u64());
    // A past day's handover lists say they are the cases as they stand at printing.
    assert_eq!(d["lists_as_of"], "2026-11-30 11:00");
    let text = as_supervisor(&hall, now).args(["report", "daily", "--date", "2026-11-27"]).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("超期在办件（按 2026-11-30 11:00 的情况）"), "{text}");
    let today = run_json(&hall, now, &["report", "daily", "--format", "json"]);
    assert!(today["lists_as_of"].is_null(), "today's report needs no such note");
    assert_eq!(d["year_to_date"]["taken"], rows.iter().filter(|r| r["date"].as_str().unwrap() <= "2026-11-27").count());
}

#[test]
fn edge_cases_count_on_the_right_day() {
    let hall = Hall::new();
    // A ticket taken just before midnight and called just after it.
    let mut desk = hall.desk("李娟", "2026-11-30T23:59:00+08:00");
    desk.take(&TakeRequest { item: "SB03".into(), ..Default::default() }).unwrap();
    // A case accepted on Monday and completed on Wednesday; a requeued no-show served after all.
    desk.set_clock(clock("2026-11-30T09:00:00+08:00"));
    desk.take(&TakeRequest { item: "MZ03".into(), ..Default::default() }).unwrap();
    desk.take(&TakeRequest { item: "SB03".into(), ..Default::default() }).unwrap();
    desk.call("1", &["A".into()]).unwrap();
    let who =
        CitizenInput {
            name: Some("张三".into()), id_number: Some("430822195602294056".into()), ..Default::default()
        };
    desk.perform("A001", &Act::Accept(AcceptRequest { citizen: who, ..Default::default() })).unwrap();
    desk.set_clock(clock("2026-11-30T09:10:00+08:00"));
    desk.call("2", &["B".into()]).unwrap();
    desk.perform("B002", &Act::Recall).unwrap();
    desk.perform("B002", &Act::NoShow).unwrap();
    desk.perform("B002", &Act::Requeue).unwrap();
    desk.set_clock(clock("2026-11-30T09:20:00+08:00"));
    desk.call("2", &["B".into()]).unwrap();
    desk.perform("B002", &Act::Complete { note: None }).unwrap();
    desk.set_clock(clock("2026-12-01T00:01:00+08:00"));
    // B001 from the night before is not in today's queue.
    assert!(desk.call("2", &[]).is_err());
    desk.set_clock(clock("2026-12-02T10:00:00+08:00"));
    desk.perform("2026-11-30/A001", &Act::Complete { note: None }).unwrap();
    drop(desk);

    let now = "2026-12-02T18:00:00+08:00";
    let rows = export(&hall, now, "2026-11-29", "2026-12-02");
    for day in ["2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02"] {
        let report = run_json(&hall, now, &["report", "daily", "--date", day, "--format", "json"]);
        compare(&report, &expected(&rows, day), day);
    }
    let mon = run_json(&hall, now, &["report", "daily", "--date", "2026-11-30", "--format", "json"]);
    assert_eq!(
        (mon["taken"].as_u64(), mon["accepted"].as_u64(), mon["completed"].as_u64()),
        (Some(3), Some(2), Some(1))
    );
    assert_eq!(mon["no_show"], 0, "the requeued no-show was served");
    assert_eq!(mon["waiting_at_close"], 1, "the 23:59 ticket was never called that day");
    let wed = run_json(&hall, now, &["report", "daily", "--date", "2026-12-02", "--format", "json"]);
    assert_eq!((wed["taken"].as_u64(), wed["completed"].as_u64()), (Some(0), Some(1)));
    // A day with nothing at all.
    let empty = run_json(&hall, now, &["report", "daily", "--date", "2026-11-29", "--format", "json"]);
    assert_eq!(empty["taken"], 0);
    assert_eq!(empty["wait_minutes"]["mean"], Value::Null);
    assert_eq!(empty["ratings"]["5"], 0);
}

#[test]
fn a_case_due_after_a_holiday_is_on_the_handover_list() {
    let hall = Hall::new();
    let mut desk = hall.desk("李娟", "2026-09-16T09:00:00+08:00");
    desk.take(&TakeRequest { item: "MZ03".into(), ..Default::default() }).unwrap();
    desk.call("1", &[]).unwrap();
    let who =
        CitizenInput {
            name: Some("张三".into()), id_number: Some("430822195602294056".into()), ..Default::default()
        };
    let t = desk.perform("A001", &Act::Accept(AcceptRequest { citizen: who, ..Default::default() })).unwrap().0;
    // 15 working days from Wed 16 Sep: ten in September (Sun 20 works; 25–27 off), then
    // 国庆 (Oct 1–7 off), Oct 8, 9, Sat 10 (works), 12 and 13.
    assert_eq!(t.deadline.unwrap().date.to_string(), "2026-10-13");
    drop(desk);
    let now = "2026-10-14T09:00:00+08:00";
    let r = run_json(&hall, now, &["report", "daily", "--date", "2026-10-02", "--format", "json"]);
    assert!(r["due_soon"].as_array().unwrap().is_empty() && r["overdue"].as_array().unwrap().is_empty(), "{r}");
    let r = run_json(&hall, now, &["report", "daily", "--date", "2026-10-12", "--format", "json"]);
    assert_eq!(r["due_soon"][0]["number"], "A001");
    assert_eq!(r["due_soon"][0]["working_days_left"], 1);
    let r = run_json(&hall, now, &["report", "daily", "--date", "2026-10-14", "--format", "json"]);
    assert_eq!(r["overdue"][0]["working_days_left"], -1);
}

#[test]
fn text_fits_80_columns_and_csv_is_safe_for_excel() {
    let hall = Hall::new();
    let now = "2026-11-30T09:00:00+08:00";
    hall.cmd(now).arg("init").assert().success();
    let catalog = hall.dir.path().join("long.toml");
    let long_item = "城乡居民基本养老保险待遇领取资格认证及待遇调整申请暨相关信息变更登记（含代办）";
    std::fs::write(
        &catalog,
        format!(
            "[[category]]\ncode = \"x\"\nname = \"社会保险综合业务\"\nletter = \"A\"\n\n[[item]]\ncode = \"X1\"\nname = \"{long_item}\"\ncategory = \"x\"\nkind = \"即办\"\ndays = 0\n"
        ),
    )
    .unwrap();
    hall.cmd(now).args(["catalog", "import", catalog.to_str().unwrap()]).assert().success();
    for village in ["=SUM(A1:A9)", "舒家坪村第十二村民小组金家台自然村官庄片区", "+86"] {
        hall.cmd(now).args(["take", "X1", "--village", village]).assert().success();
    }
    hall.cmd(now).args(["call", "--window", "1"]).assert().success();
    hall.cmd(now).args(["complete", "A001"]).assert().success();
    hall.cmd(now)
        .env("YIMEN_NEW_PIN", "a-supervisor-pass")
        .args(["user", "add", "阿依古丽·买买提", "--role", "supervisor"])
        .assert()
        .success();
    let out = hall
        .cmd(now)
        .env("YIMEN_PIN", "a-supervisor-pass")
        .args(["--clerk", "阿依古丽·买买提", "report", "daily"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("签字") && text.contains("阿依古丽·买买提") && text.contains("2026-11-30"), "{text}");
    for line in text.lines() {
        assert!(UnicodeWidthStr::width(line) <= 80, "{} cells: {line}", UnicodeWidthStr::width(line));
    }
    assert!(!text.contains('\u{1b}'), "no colour codes in a pipe");
    // The same in English and in Markdown: nothing lost.
    let out = hall.cmd(now).args(["--lang", "en", "report", "daily", "--format", "markdown"]).output().unwrap();
    assert!(String::from_utf8(out.stdout).unwrap().contains("## By item"));

    let out = hall.cmd(now).args(["export", "--excel"]).output().unwrap();
    let bytes = out.stdout;
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "BOM for Excel");
    let body = std::str::from_utf8(&bytes[3..]).expect("valid UTF-8");
    assert!(body.contains("'=SUM(A1:A9)") && body.contains("'+86"), "{body}");
    assert!(!body.contains(",=SUM"), "{body}");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    assert_eq!(reader.headers().unwrap().len(), 28);
    assert_eq!(reader.records().count(), 3);
    let out = hall.cmd(now).args(["export"]).output().unwrap();
    assert!(!out.stdout.starts_with(b"\xEF\xBB\xBF"), "no BOM unless asked");
    let out = hall.cmd(now).args(["report", "daily", "--format", "csv", "--excel"]).output().unwrap();
    assert!(out.stdout.starts_with(b"\xEF\xBB\xBF"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("'=SUM(A1:A9)"));
    // Bad dates are refused in one line.
    let out = hall.cmd(now).args(["report", "range", "--from", "2026-12-01", "--to", "2026-11-01"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
}

#[test]
fn cached_days_follow_later_changes() {
    let hall = Hall::new();
    let mon = "2026-11-30T09:00:00+08:00";
    let tue = "2026-12-01T09:00:00+08:00";
    hall.cmd(mon).arg("init").assert().success();
    hall.cmd(mon).args(["take", "SB03"]).assert().success();
    hall.cmd(mon).args(["take", "SB03"]).assert().success();
    hall.cmd(mon).args(["call", "--window", "1"]).assert().success();
    hall.cmd(mon).args(["complete", "B001"]).assert().success();
    let ytd = |key: &str| run_json(&hall, tue, &["report", "daily", "--format", "json"])["year_to_date"][key].clone();
    assert_eq!(ytd("completed"), 1);
    assert_eq!(ytd("waiting_at_close"), 1, "B002 never called");
    // Tuesday: the supervisor reopens Monday's case; Monday's cached totals must not stay.
    hall.cmd(tue).args(["reopen", "2026-11-30/B001", "--reason", "材料有误"]).assert().success();
    assert_eq!(ytd("completed"), 0);
    assert_eq!(ytd("accepted"), 1, "it was still accepted on Monday");
    // And the year to date agrees with the export, computed afresh.
    let rows = export(&hall, tue, "2026-11-01", "2026-12-01");
    let completed = rows.iter().filter(|r| r["completed_at"] != "").count();
    assert_eq!(ytd("completed"), completed);
}

/// The daily and the range report of a seeded demo history in every format people read, in
/// both languages, against reviewed snapshots (tests/it/snapshots): the layout of what a
/// supervisor signs changes only on purpose.
#[test]
fn snapshots_of_the_reports_people_read() {
    let hall = Hall::new();
    let now = "2026-11-30T18:00:00+08:00";
    hall.cmd(now).args(["demo", "--days", "6", "--per-day", "40", "--seed", "5", "--no-tui"]).assert().success();
    std::fs::write(hall.dir.path().join("demo"), "").unwrap();
    for lang in ["zh", "en"] {
        for format in ["text", "markdown", "csv"] {
            for (kind, args) in [
                ("daily", &["report", "daily", "--date", "2026-11-27"][..]),
                ("range", &["report", "range", "--from", "2026-11-23", "--to", "2026-11-30"][..]),
            ] {
                let out = as_supervisor(&hall, now)
                    .args(["--lang", lang])
                    .args(args)
                    .args(["--format", format])
                    .output()
                    .unwrap();
                assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
                insta::assert_snapshot!(
                    format!("report-{kind}-{format}-{lang}"),
                    String::from_utf8(out.stdout).unwrap()
                );
            }
        }
    }
}
