//! A window working through the hall server (`--server URL`): the same questions as the local
//! desk, asked over HTTP/JSON (docs/api.md).
//!
//! Every write carries an idempotency key. When the server does not answer, the request is
//! tried again a few times with the same key. The interface names each clerk's request
//! (`set_request_key`) and keeps that name while the same request is sent again (the clerk
//! pressing Enter again on the same form once the server is back), so a write the server did
//! receive before the line dropped is never done twice — a walk-in's take, call and accept
//! included.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use time::Date;

use super::Client;
use yimen_app::ErrorCode;
use yimen_app::Verdict;
use yimen_app::act::Acted;
use yimen_app::authority::{encode, route};
use yimen_app::report::export::Row;
use yimen_app::report::{DailyReport, RangeReport};
use yimen_app::{Act, DeskError, HallContext, Hint, Settings, TakeRequest};
use yimen_domain::Lang;
use yimen_domain::account::{Role, User};
use yimen_domain::board::Board;
use yimen_domain::calendar::Calendar;
use yimen_domain::catalog::Catalog;
use yimen_domain::clock::Clock;
use yimen_domain::ticket::{Event, Status, Ticket};

/// Pauses before the second and third try of a request the server did not answer.
const RETRY_PAUSES: [Duration; 2] = [Duration::from_millis(300), Duration::from_millis(1200)];

/// What `GET /api/setup` tells a window before anyone signs in.
#[derive(Debug, Deserialize)]
pub struct Setup {
    /// The server's yimen version: a window speaks only to its own version (the wire changes
    /// between versions; docs/api.md).
    #[serde(default)]
    pub version: String,
    pub settings: Vec<(String, String)>,
    pub catalog: Catalog,
    pub accounts: Vec<(String, Role)>,
    /// The imported holiday years, year → the file they came from.
    #[serde(default)]
    pub calendar: std::collections::BTreeMap<i32, String>,
}

pub struct Remote {
    /// When the hall's configuration (settings, catalog, holidays) was last read.
    configured_at: std::time::Instant,
    base: String,
    agent: ureq::Agent,
    lang: Lang,
    token: Option<String>,
    clerk: Option<String>,
    /// The signed-in account's role.
    role: Option<Role>,
    clock: Clock,
    calendar: Calendar,
    catalog: Catalog,
    settings: Settings,
    roster: Vec<(String, Role)>,
    home: PathBuf,
    /// Today's tickets as last fetched, with the change counter they were read at.
    today: Option<(u64, Date, Vec<Ticket>)>,
    /// The clerk's request the next writes belong to, and how many of its steps were sent.
    request: Option<(String, u32)>,
    /// The last request went unanswered: until one is answered, each is tried once, so a
    /// window waiting for its server stays quick to answer the clerk.
    away: bool,
}

fn fresh_key() -> Result<String, DeskError> {
    yimen_domain::token::random_hex::<16>().map_err(|e| DeskError::Io(e.to_string()))
}

/// Waits for the hall's records to change (a long poll on the change counter); one per
/// interface, on its own thread.
pub struct Watch {
    agent: ureq::Agent,
    base: String,
}

impl Watch {
    /// The change counter once it moves past `since` (or at once without one); None when the
    /// server does not answer (after a pause, so a caller may simply loop).
    pub fn next(&self, since: Option<u64>) -> Option<u64> {
        let url = match since {
            Some(n) => format!("{}/api/changes?since={n}", self.base),
            None => format!("{}/api/changes", self.base),
        };
        let answer = self.agent.get(&url).call().ok().and_then(|mut r| r.body_mut().read_json::<Changes>().ok());
        if answer.is_none() {
            std::thread::sleep(Duration::from_millis(500));
        }
        answer.map(|c| c.changes)
    }

    /// Waits on its own thread and calls `changed` each time the hall's records change, until
    /// `changed` returns false.
    pub fn spawn(self, changed: impl Fn() -> bool + Send + 'static) {
        std::thread::spawn(move || {
            let mut seen = None;
            loop {
                if let Some(n) = self.next(seen) {
                    if seen.is_some_and(|s| s != n) && !changed() {
                        break;
                    }
                    seen = Some(n);
                }
            }
        });
    }
}

impl Remote {
    /// Connects to the server at `url` (`http://host:port`, or just `host:port`) and reads
    /// the hall's settings and catalog. `home` is where this PC keeps its slips and log.
    pub fn connect(url: &str, lang: Lang, home: PathBuf) -> Result<Remote, DeskError> {
        let url = url.trim().trim_end_matches('/');
        let base = if url.starts_with("https://") {
            return Err(DeskError::remote(lang.pick(
                "大厅服务只支持 http://（局域网内），请写成 http://主机:端口",
                "the hall server speaks http:// on the hall's network; give http://HOST:PORT",
            )));
        } else if url.starts_with("http://") {
            url.to_string()
        } else {
            format!("http://{url}")
        };
        if base.len() <= "http://".len() || base.contains(char::is_whitespace) {
            return Err(DeskError::remote(format!(
                "{}{}",
                lang.pick(
                    "服务器地址应如 http://192.168.1.10:7878：",
                    "a server address is like http://192.168.1.10:7878: "
                ),
                yimen_domain::text::escape_for_output(url, false)
            )));
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(3)))
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let mut remote = Remote {
            configured_at: std::time::Instant::now(),
            base,
            agent,
            lang,
            token: None,
            clerk: None,
            role: None,
            clock: Clock::new(yimen_domain::clock::DEFAULT_OFFSET, None),
            calendar: Calendar::builtin(),
            catalog: Catalog::builtin(),
            settings: Settings::default(),
            roster: Vec::new(),
            home,
            today: None,
            request: None,
            away: false,
        };
        remote.reload()?;
        Ok(remote)
    }

    /// Reads the hall's settings, catalog and accounts again.
    fn reload(&mut self) -> Result<(), DeskError> {
        let setup: Setup = self.send("GET", route::SETUP.path, None)?;
        if setup.version != env!("CARGO_PKG_VERSION") {
            let server = if setup.version.is_empty() { "?" } else { setup.version.as_str() };
            return Err(DeskError::remote(format!(
                "{}{server}{}{}{}",
                self.lang.pick("大厅服务器运行的是一门 ", "the hall server runs yimen "),
                self.lang.pick("，本窗口是 ", ", this window "),
                env!("CARGO_PKG_VERSION"),
                self.lang.pick("：请把两边升级到同一版本", ": update both to the same version"),
            )));
        }
        let mut settings = Settings::default();
        for (k, v) in &setup.settings {
            settings.set(k, v)?;
        }
        self.clock = Clock::from_env(settings.utc_offset).map_err(DeskError::Clock)?;
        self.settings = settings;
        self.catalog = setup.catalog;
        self.calendar = yimen_app::calendar_with(&setup.calendar);
        self.configured_at = std::time::Instant::now();
        self.roster = setup.accounts;
        Ok(())
    }

    fn unreachable(&self, e: &ureq::Error) -> DeskError {
        use std::io::ErrorKind as K;
        let t = |zh: &str, en: &str| self.lang.pick(zh, en).to_string();
        let why = match e {
            ureq::Error::Io(io) => match io.kind() {
                K::ConnectionRefused => t("连接被拒绝", "connection refused"),
                K::ConnectionReset | K::ConnectionAborted | K::UnexpectedEof | K::BrokenPipe => {
                    t("连接被中断", "the connection dropped")
                }
                K::HostUnreachable | K::NetworkUnreachable | K::NetworkDown => t("网络不通", "network unreachable"),
                K::TimedOut => t("超时", "timed out"),
                _ => io.to_string(),
            },
            ureq::Error::Timeout(_) => t("超时", "timed out"),
            ureq::Error::HostNotFound => t("找不到这个主机名", "no such host"),
            other => other.to_string(),
        };
        DeskError::Unreachable(self.base.clone(), why)
    }

    /// One request: a read when `body` is None and the method is GET, else a write with an
    /// idempotency key. Unanswered requests are tried three times in all.
    fn send<T: DeserializeOwned>(&mut self, method: &str, path: &str, body: Option<Value>) -> Result<T, DeskError> {
        let url = format!("{}{path}", self.base);
        let key = match (method, &mut self.request) {
            ("POST", Some((k, step))) => {
                *step += 1;
                Some(format!("{k}.{step}"))
            }
            ("POST", None) => Some(fresh_key()?),
            _ => None,
        };
        let lang = match self.lang {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        };
        // The headers every try sends: language, the session, the write's key.
        fn headers<B>(
            mut req: ureq::RequestBuilder<B>,
            lang: &str,
            auth: Option<&str>,
            key: Option<&str>,
        ) -> ureq::RequestBuilder<B> {
            req = req.header("accept-language", lang);
            if let Some(a) = auth {
                req = req.header("authorization", a);
            }
            if let Some(k) = key {
                req = req.header("idempotency-key", k);
            }
            req
        }
        let auth = self.token.as_ref().map(|t| format!("Bearer {t}"));
        let mut last: Option<ureq::Error> = None;
        let tries = if self.away { 1 } else { RETRY_PAUSES.len() + 1 };
        for attempt in 0..tries {
            if attempt > 0 {
                std::thread::sleep(RETRY_PAUSES[attempt - 1]);
            }
            let sent = if method == "POST" {
                headers(self.agent.post(&url), lang, auth.as_deref(), key.as_deref())
                    .send_json(body.clone().unwrap_or_else(|| json!({})))
            } else {
                headers(self.agent.get(&url), lang, auth.as_deref(), None).call()
            };
            match sent {
                Ok(mut resp) => {
                    let status = resp.status();
                    let v: Value = match resp.body_mut().read_json() {
                        Ok(v) => v,
                        // The line dropped while the answer came: as if it never came.
                        Err(e @ (ureq::Error::Io(_) | ureq::Error::Timeout(_))) => {
                            last = Some(e);
                            continue;
                        }
                        Err(_) => {
                            return Err(DeskError::remote(format!(
                                "{}{}（HTTP {status}）",
                                self.base,
                                self.lang
                                    .pick(" 的回答不是一门大厅服务的回答", " does not answer as a yimen hall server")
                            )));
                        }
                    };
                    self.away = false;
                    if !status.is_success() {
                        let msg = v["error"].as_str().map(str::to_string).unwrap_or_else(|| status.to_string());
                        if status == 401 && self.token.is_some() && path != route::SIGN_IN.path {
                            // The sign-in ended (expired, or signed out elsewhere): sign in again.
                            self.token = None;
                            self.clerk = None;
                        }
                        let code = ErrorCode::parse(v["code"].as_str().unwrap_or_default());
                        return Err(DeskError::Remote { code, message: msg });
                    }
                    return serde_json::from_value(v).map_err(|e| DeskError::remote(format!("{path}: {e}")));
                }
                Err(e) => last = Some(e),
            }
        }
        self.away = true;
        Err(match last {
            Some(e) => self.unreachable(&e),
            None => DeskError::Unreachable(self.base.clone(), String::new()),
        })
    }

    fn get<T: DeserializeOwned>(&mut self, path: &str) -> Result<T, DeskError> {
        self.send("GET", path, None)
    }

    fn post<T: DeserializeOwned>(&mut self, path: &str, body: Value) -> Result<T, DeskError> {
        self.send("POST", path, Some(body))
    }

    fn acted(&mut self, path: &str, body: Value) -> Result<(Ticket, Vec<Hint>), DeskError> {
        let a: Acted = self.post(path, body)?;
        Ok((a.ticket, a.hints))
    }

    fn encode_json(v: impl serde::Serialize) -> Result<Value, DeskError> {
        serde_json::to_value(v).map_err(|e| DeskError::Io(e.to_string()))
    }
}

#[derive(Deserialize)]
struct SignedIn {
    token: String,
    clerk: String,
    role: Role,
}

#[derive(Deserialize)]
struct Today {
    changes: u64,
    date: Date,
    today: Vec<Ticket>,
}

#[derive(Deserialize)]
struct Changes {
    changes: u64,
}

#[derive(Deserialize)]
struct Shown {
    ticket: Ticket,
    events: Vec<Event>,
}

#[derive(Deserialize)]
struct Saved {
    path: PathBuf,
    tickets: u64,
}

impl HallContext for Remote {
    fn clock(&self) -> &Clock {
        &self.clock
    }
    fn calendar(&self) -> &Calendar {
        &self.calendar
    }
    fn catalog(&self) -> &Catalog {
        &self.catalog
    }
    fn settings(&self) -> &Settings {
        &self.settings
    }
    fn clerk(&self) -> Option<&str> {
        self.clerk.as_deref()
    }
}

/// How often a window through a server reads the hall's configuration again (another window
/// may have changed the catalog, a setting or the holidays).
const CONFIGURATION_EVERY: Duration = Duration::from_secs(60);

impl Client for Remote {
    fn refresh_configuration(&mut self) -> Result<bool, DeskError> {
        if self.configured_at.elapsed() < CONFIGURATION_EVERY || self.away {
            return Ok(false);
        }
        let settings = self.settings.pairs();
        let catalog = self.catalog.clone();
        let years: Vec<yimen_domain::calendar::Year> = self.calendar.official_years().into_iter().cloned().collect();
        self.reload()?;
        let now: Vec<yimen_domain::calendar::Year> = self.calendar.official_years().into_iter().cloned().collect();
        Ok(settings != self.settings.pairs() || catalog != self.catalog || years != now)
    }

    fn has_accounts(&self) -> bool {
        // The server refuses to run without accounts.
        true
    }
    fn home(&self) -> PathBuf {
        self.home.clone()
    }
    fn describe(&self) -> String {
        self.base.clone()
    }

    fn watch(&self) -> Option<Watch> {
        Some(Watch { agent: self.agent.clone(), base: self.base.clone() })
    }

    fn set_request_key(&mut self, key: Option<String>) {
        self.request = key.map(|k| (k, 0));
    }

    fn sign_in(&mut self, name: &str, secret: &str) -> Result<Role, DeskError> {
        let s: SignedIn = self.post(route::SIGN_IN.path, json!({ "clerk": name, "pin": secret }))?;
        self.token = Some(s.token);
        self.clerk = Some(s.clerk);
        self.role = Some(s.role);
        Ok(s.role)
    }
    fn sign_out(&mut self) {
        if self.token.is_some() {
            let _: Result<Value, _> = self.post(route::SIGN_OUT.path, json!({}));
        }
        self.token = None;
        self.clerk = None;
        self.role = None;
        self.today = None;
    }
    fn set_clerk(&mut self, _clerk: Option<&str>) -> Result<(), DeskError> {
        Err(yimen_domain::account::AccountError::NotSignedIn.into())
    }
    fn roster(&mut self) -> Result<Vec<(String, Role)>, DeskError> {
        Ok(self.roster.clone())
    }

    fn take(&mut self, req: &TakeRequest) -> Result<(Ticket, Vec<Hint>), DeskError> {
        let body = Self::encode_json(req)?;
        self.acted(route::TAKE.path, body)
    }
    fn call(&mut self, window: &str, categories: &[String]) -> Result<Ticket, DeskError> {
        self.post(route::CALL.path, json!({ "window": window, "categories": categories }))
    }
    fn perform(&mut self, r: &str, act: &Act) -> Result<(Ticket, Vec<Hint>), DeskError> {
        let body = Self::encode_json(act)?;
        self.acted(&route::ACT.at(&[r.trim(), act.name()]), body)
    }

    fn show(&mut self, r: &str) -> Result<(Ticket, Vec<Event>), DeskError> {
        let s: Shown = self.get(&route::TICKET.at(&[r.trim()]))?;
        Ok((s.ticket, s.events))
    }
    fn reveal(&mut self, r: &str) -> Result<(Ticket, Vec<Event>), DeskError> {
        let s: Shown = self.get(&route::REVEAL.at(&[r.trim()]))?;
        Ok((s.ticket, s.events))
    }
    fn check(&mut self) -> Result<yimen_app::CheckReport, DeskError> {
        self.get(route::CHECK.path)
    }
    fn role(&self) -> Option<yimen_domain::account::Role> {
        self.role
    }
    fn list_day(&mut self, date: Date, status: Option<Status>) -> Result<Vec<Ticket>, DeskError> {
        let status = match status {
            Some(s) => format!("&status={}", encode(Self::encode_json(s)?.as_str().unwrap_or_default())),
            None => String::new(),
        };
        self.get(&format!("{}?date={date}{status}", route::DAY.path))
    }
    fn today(&mut self) -> Result<Vec<Ticket>, DeskError> {
        let day = self.clock.today();
        if let Some((seen, date, tickets)) = &self.today {
            let (seen, date, tickets) = (*seen, *date, tickets.clone());
            let now: Changes = self.get(route::CHANGES.path)?;
            if now.changes == seen && date == day {
                return Ok(tickets);
            }
        }
        let t: Today = self.get(route::QUEUE.path)?;
        self.today = Some((t.changes, t.date, t.today.clone()));
        Ok(t.today)
    }
    fn queue(&mut self) -> Result<Vec<Ticket>, DeskError> {
        self.get(route::WAITING.path)
    }
    fn board(&mut self) -> Result<Board, DeskError> {
        self.get(route::BOARD.path)
    }
    fn open_cases(&mut self, limit: usize) -> Result<Vec<Ticket>, DeskError> {
        self.get(&format!("{}?limit={limit}", route::OPEN.path))
    }
    fn search(&mut self, query: &str, limit: usize) -> Result<Vec<Ticket>, DeskError> {
        self.get(&format!("{}?q={}&limit={limit}", route::SEARCH.path, encode(query)))
    }

    fn daily_report(&mut self, date: Date, _lang: Lang) -> Result<DailyReport, DeskError> {
        self.get(&format!("{}?date={date}", route::REPORT_DAILY.path))
    }
    fn range_report(&mut self, from: Date, to: Date, _lang: Lang) -> Result<RangeReport, DeskError> {
        self.get(&format!("{}?from={from}&to={to}", route::REPORT_RANGE.path))
    }
    fn export_rows(&mut self, from: Date, to: Date, full_ids: bool) -> Result<Vec<Row>, DeskError> {
        self.get(&format!("{}?from={from}&to={to}&full_ids={full_ids}", route::EXPORT.path))
    }

    fn users(&mut self) -> Result<Vec<User>, DeskError> {
        self.get(route::USERS.path)
    }
    fn add_user(&mut self, name: &str, role: Role, secret: &str) -> Result<(), DeskError> {
        let _: Value =
            self.post(&route::USER_CHANGE.at(&["add"]), json!({ "name": name, "role": role, "pin": secret }))?;
        Ok(())
    }
    fn set_secret(&mut self, name: &str, secret: &str) -> Result<(), DeskError> {
        let _: Value = self.post(&route::USER_CHANGE.at(&["pin"]), json!({ "name": name, "pin": secret }))?;
        Ok(())
    }
    fn disable_user(&mut self, name: &str) -> Result<(), DeskError> {
        let _: Value = self.post(&route::USER_CHANGE.at(&["disable"]), json!({ "name": name }))?;
        Ok(())
    }
    fn unlock_user(&mut self, name: &str) -> Result<(), DeskError> {
        let _: Value = self.post(&route::USER_CHANGE.at(&["unlock"]), json!({ "name": name }))?;
        Ok(())
    }

    fn set_setting(&mut self, key: &str, value: &str) -> Result<(), DeskError> {
        let _: Value = self.post(route::CONFIG.path, json!({ "key": key, "value": value }))?;
        self.reload()
    }
    fn import_catalog(&mut self, src: &str) -> Result<(), DeskError> {
        let _: Value = self.post(route::CATALOG.path, json!({ "toml": src }))?;
        self.reload()
    }
    fn import_calendar(&mut self, src: &str) -> Result<Vec<i32>, DeskError> {
        let years: Vec<i32> = self.post(route::CALENDAR.path, json!({ "toml": src }))?;
        self.reload()?;
        Ok(years)
    }
    fn backup_with_progress(
        &mut self,
        dest: Option<&Path>,
        _progress: &dyn Fn(u64, u64),
    ) -> Result<(PathBuf, u64), DeskError> {
        if dest.is_some() {
            return Err(DeskError::remote(self.lang.pick(
                "通过服务器备份时，备份保存在服务器的 backups 文件夹；请不要指定文件",
                "through the server, backups are kept in the server's backups folder; give no file",
            )));
        }
        let s: Saved = self.post(route::BACKUP.path, json!({}))?;
        Ok((s.path, s.tickets))
    }
    fn verify_chain(&mut self) -> Result<Verdict, DeskError> {
        self.get(route::AUDIT.path)
    }
    fn compact(&mut self) -> Result<(u64, u64), DeskError> {
        self.post(route::COMPACT.path, json!({}))
    }
}
