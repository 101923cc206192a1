//! `yimen serve`: the hall server. One process owns the database and serves the application
//! layer as HTTP/JSON to every window of the hall (docs/api.md). Sessions come from signing in
//! with a clerk's PIN; each request acts as its session's clerk with the role the account has
//! now, through the same `Desk` methods the command line and the interface call. Actions carry
//! an idempotency key, stored with the action, so a retried request never acts twice. A change
//! counter, with long polling, tells every window when the queue moved.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::act::{Acted, Wire, WireError};
use crate::app::{Act, Desk, DeskError, SavedSession, TakeRequest};
use crate::domain::Lang;
use crate::domain::account::AccountError;
use crate::domain::lang::Localized;
use crate::domain::ticket::Ticket;

/// Largest request body accepted (a take with every field and a long note is a few KiB).
pub const BODY_LIMIT: usize = 64 * 1024;
/// Largest catalog file accepted by `POST /api/catalog`.
pub const CATALOG_LIMIT: usize = 1024 * 1024;
/// The most sign-ins kept at once (a hall has a few dozen windows and scripts).
const MAX_SESSIONS: usize = 500;
/// The longest a `/api/changes` request waits for a change.
const LONG_POLL: Duration = Duration::from_secs(20);

pub struct Options {
    pub listen: SocketAddr,
    /// How long a sign-in lasts.
    pub session: Duration,
    /// The language of messages when a request does not ask for one.
    pub lang: Lang,
}

struct Session {
    clerk: String,
    expires: Instant,
    /// The same end in Unix seconds, for the copy kept in the database.
    until: u64,
}

/// Sessions are kept by the SHA-256 of their token, in memory and in the database.
fn token_hash(token: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Saves the live sessions, so a restarted server keeps every window signed in.
fn persist(desk: &Desk, sessions: &HashMap<String, Session>) -> Result<(), DeskError> {
    let now = Instant::now();
    let saved: Vec<SavedSession> = sessions
        .iter()
        .filter(|(_, s)| s.expires > now)
        .map(|(k, s)| SavedSession { token_hash: k.clone(), clerk: s.clerk.clone(), expires: s.until })
        .collect();
    desk.save_sessions(&saved)
}

struct Hall {
    desk: Mutex<Desk>,
    sessions: Mutex<HashMap<String, Session>>,
    changes: tokio::sync::watch::Sender<u64>,
    session: Duration,
    lang: Lang,
    /// The hall's name (health answers without taking the database lock).
    hall: Mutex<String>,
    /// Where the log goes (the database's folder) and its clock.
    home: std::path::PathBuf,
    clock: crate::clock::Clock,
}

/// A refusal as the API sends it: an HTTP status, a stable code and a one-line message in the
/// request's language.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({ "error": self.message, "code": self.code }))).into_response()
    }
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into() }
    }

    fn desk(e: DeskError, lang: Lang) -> ApiError {
        use crate::store::StoreError;
        let (status, code) = match &e {
            DeskError::Account(AccountError::NeedsRole(..)) => (StatusCode::FORBIDDEN, "forbidden"),
            DeskError::Account(AccountError::BadCredentials | AccountError::NotSignedIn) => {
                (StatusCode::UNAUTHORIZED, "unauthorized")
            }
            DeskError::Account(AccountError::Locked(..) | AccountError::Disabled(..)) => {
                (StatusCode::FORBIDDEN, "locked")
            }
            DeskError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            DeskError::Store(StoreError::Io(_) | StoreError::Corrupt(_) | StoreError::Locked { .. }) => {
                (StatusCode::SERVICE_UNAVAILABLE, "storage")
            }
            _ => (StatusCode::UNPROCESSABLE_ENTITY, "refused"),
        };
        ApiError::new(status, code, e.localized(lang))
    }
}

/// The language a request asks for (`Accept-Language: en…`), else the server's.
fn lang_of(headers: &HeaderMap, default: Lang) -> Lang {
    match headers.get("accept-language").and_then(|v| v.to_str().ok()) {
        Some(v) if v.trim_start().starts_with("en") => Lang::En,
        Some(v) if v.trim_start().starts_with("zh") => Lang::Zh,
        _ => default,
    }
}

/// The caller of a request: the session's clerk and the request's language and idempotency key.
struct Caller {
    clerk: String,
    lang: Lang,
    key: Option<String>,
}

impl Hall {
    fn caller(&self, headers: &HeaderMap) -> Result<Caller, ApiError> {
        let lang = lang_of(headers, self.lang);
        let t = |zh: &str, en: &str| lang.pick(zh, en).to_string();
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", t("请先登录", "sign in first")))?;
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        sessions.retain(|_, s| s.expires > now);
        let clerk = sessions.get(&token_hash(token)).map(|s| s.clerk.clone()).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                t("登录已过期，请重新登录", "session expired or unknown; sign in again"),
            )
        })?;
        let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(|k| k.trim().to_string());
        if let Some(k) = &key
            && (k.is_empty() || k.len() > 100 || k.chars().any(|c| c.is_control()))
        {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                t("Idempotency-Key 须为 1–100 个可见字符", "Idempotency-Key must be 1–100 visible characters"),
            ));
        }
        Ok(Caller { clerk, lang, key })
    }

    /// Runs `f` on the desk as the caller, off the async threads; a write bumps the change
    /// counter.
    async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        caller: Caller,
        writes: bool,
        f: impl FnOnce(&mut Desk) -> Result<T, DeskError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let hall = self.clone();
        let lang = caller.lang;
        let clerk = caller.clerk.clone();
        let out = tokio::task::spawn_blocking(move || {
            let mut desk = hall.desk.lock().unwrap_or_else(|p| p.into_inner());
            let r = desk.assume(&caller.clerk).and_then(|_| {
                desk.set_idempotency_key(caller.key.clone());
                let r = f(&mut desk);
                desk.set_idempotency_key(None);
                r
            });
            desk.sign_out();
            r
        })
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?;
        match out {
            Ok(v) => {
                if writes {
                    self.changes.send_modify(|n| *n += 1);
                }
                Ok(v)
            }
            Err(e) => {
                self.log(&format!("server {}: refused: {}", clerk, e.localized(self.lang)));
                Err(ApiError::desk(e, lang))
            }
        }
    }

    /// A line in the server's log beside the database (sign-ins and refusals; never a
    /// citizen's data beyond what a refusal quotes).
    fn log(&self, line: &str) {
        crate::log::write(&self.home, &self.clock, line);
    }
}

type Shared = State<Arc<Hall>>;

async fn health(State(h): Shared) -> Json<Value> {
    let hall = h.hall.lock().unwrap_or_else(|p| p.into_inner()).clone();
    Json(json!({ "ok": true, "hall": hall, "version": env!("CARGO_PKG_VERSION") }))
}

#[derive(Deserialize)]
struct SignIn {
    clerk: String,
    pin: String,
}

async fn sign_in(
    State(h): Shared,
    ConnectInfo(from): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(b): Json<SignIn>,
) -> Result<Json<Value>, ApiError> {
    let lang = lang_of(&headers, h.lang);
    let mut raw = [0u8; 32];
    getrandom::fill(&mut raw)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?;
    let token: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    let expires_in = h.session.as_secs();
    let hall = h.clone();
    let (name, pin) = (b.clerk, b.pin);
    let who = crate::domain::text::escape_for_output(&name.chars().take(40).collect::<String>(), false);
    let hash = token_hash(&token);
    let role = tokio::task::spawn_blocking(move || {
        let mut desk = hall.desk.lock().unwrap_or_else(|p| p.into_inner());
        let r = desk.sign_in(&name, &pin).map(|role| (name, role));
        desk.sign_out();
        let (name, role) = r?;
        let mut sessions = hall.sessions.lock().unwrap_or_else(|p| p.into_inner());
        let session =
            Session { clerk: name.clone(), expires: Instant::now() + hall.session, until: unix_now() + expires_in };
        sessions.insert(hash, session);
        // A runaway script signing in over and over cannot grow the list without end: the
        // sign-ins closest to their end give way first.
        while sessions.len() > MAX_SESSIONS {
            let Some(oldest) = sessions.iter().min_by_key(|(_, s)| s.expires).map(|(k, _)| k.clone()) else { break };
            sessions.remove(&oldest);
        }
        persist(&desk, &sessions)?;
        Ok::<_, DeskError>((name, role))
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?
    .map_err(|e| {
        h.log(&format!("server sign-in {who} from {}: refused: {}", from.ip(), e.localized(h.lang)));
        ApiError::desk(e, lang)
    })?;
    h.log(&format!("server sign-in {who} from {}: ok", from.ip()));
    Ok(Json(json!({ "token": token, "clerk": role.0, "role": role.1, "expires_in": expires_in })))
}

async fn sign_out(State(h): Shared, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let lang = h.caller(&headers)?.lang;
    if let Some(t) = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "))
    {
        let (hall, hash) = (h.clone(), token_hash(t.trim()));
        tokio::task::spawn_blocking(move || {
            let desk = hall.desk.lock().unwrap_or_else(|p| p.into_inner());
            let mut sessions = hall.sessions.lock().unwrap_or_else(|p| p.into_inner());
            sessions.remove(&hash);
            persist(&desk, &sessions)
        })
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?
        .map_err(|e| ApiError::desk(e, lang))?;
    }
    Ok(Json(json!({ "ok": true })))
}

#[derive(Deserialize)]
struct Since {
    since: Option<u64>,
}

/// The change counter; with `since`, waits (up to 20 s) until it moves past it. It says only
/// that something changed, never what, so windows may wait on it before anyone signs in.
async fn changes(State(h): Shared, Query(q): Query<Since>) -> Result<Json<Value>, ApiError> {
    let mut rx = h.changes.subscribe();
    if let Some(since) = q.since {
        let _ = tokio::time::timeout(LONG_POLL, rx.wait_for(|n| *n > since)).await;
    }
    let n = *rx.borrow();
    Ok(Json(json!({ "changes": n })))
}

async fn queue(State(h): Shared, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let c = h.caller(&headers)?;
    let n = *h.changes.borrow();
    let (date, today) = h
        .run(c, false, |d| {
            let date = d.clock().today();
            d.list_day(date, None).map(|t| (date, t))
        })
        .await?;
    Ok(Json(json!({ "changes": n, "date": date, "today": today })))
}

#[derive(Deserialize)]
struct Limit {
    limit: Option<usize>,
}

async fn open_cases(
    State(h): Shared,
    headers: HeaderMap,
    Query(q): Query<Limit>,
) -> Result<Json<Vec<Ticket>>, ApiError> {
    let c = h.caller(&headers)?;
    let limit = q.limit.unwrap_or(crate::tui::worker::OPEN_LIMIT).min(10_000);
    Ok(Json(h.run(c, false, move |d| d.open_cases(limit)).await?))
}

#[derive(Deserialize)]
struct SearchQ {
    q: String,
    limit: Option<usize>,
}

async fn search(State(h): Shared, headers: HeaderMap, Query(q): Query<SearchQ>) -> Result<Json<Vec<Ticket>>, ApiError> {
    let c = h.caller(&headers)?;
    let limit = q.limit.unwrap_or(100).min(1000);
    Ok(Json(h.run(c, false, move |d| d.search(&q.q, limit)).await?))
}

async fn show(State(h): Shared, headers: HeaderMap, Path(r): Path<String>) -> Result<Json<Value>, ApiError> {
    let c = h.caller(&headers)?;
    let (t, events) = h.run(c, false, move |d| d.show(&r)).await?;
    Ok(Json(json!({ "ticket": t, "events": events })))
}

async fn take(State(h): Shared, headers: HeaderMap, Json(req): Json<TakeRequest>) -> Result<Json<Acted>, ApiError> {
    let c = h.caller(&headers)?;
    let (ticket, hints) = h.run(c, true, move |d| d.take(&req)).await?;
    Ok(Json(Acted { ticket, hints }))
}

#[derive(Deserialize)]
struct CallBody {
    window: String,
    #[serde(default)]
    categories: Vec<String>,
}

async fn call(State(h): Shared, headers: HeaderMap, Json(b): Json<CallBody>) -> Result<Json<Ticket>, ApiError> {
    let c = h.caller(&headers)?;
    Ok(Json(h.run(c, true, move |d| d.call(&b.window, &b.categories)).await?))
}

async fn act(
    State(h): Shared,
    headers: HeaderMap,
    Path((r, action)): Path<(String, String)>,
    body: Option<Json<Wire>>,
) -> Result<Json<Acted>, ApiError> {
    let c = h.caller(&headers)?;
    let lang = c.lang;
    let wire = body.map(|Json(b)| b).unwrap_or_default();
    let act = Act::from_wire(&action, wire).map_err(|e| match e {
        WireError::NoSuchAction(a) => ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{}{a}", lang.pick("没有这个操作：", "no such action: ")),
        ),
        WireError::Missing(f) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("{}{f}", lang.pick("缺少字段：", "missing field: ")),
        ),
    })?;
    let (ticket, hints) = h.run(c, true, move |d| d.perform(&r, &act)).await?;
    Ok(Json(Acted { ticket, hints }))
}

#[derive(Deserialize)]
struct DateQ {
    date: Option<String>,
}

async fn daily(State(h): Shared, headers: HeaderMap, Query(q): Query<DateQ>) -> Result<Json<Value>, ApiError> {
    let c = h.caller(&headers)?;
    let lang = c.lang;
    let r = h
        .run(c, false, move |d| {
            let date = date_or_today(d, q.date.as_deref())?;
            crate::report::daily(d, date, lang)
        })
        .await?;
    to_json(r)
}

/// What a window needs before anyone signs in: the hall's settings and catalog, and the
/// active accounts' names and roles for the sign-in screen (the same list the interface shows
/// on the PC that holds the file).
async fn setup(State(h): Shared) -> Result<Json<Value>, ApiError> {
    let hall = h.clone();
    let lang = h.lang;
    let v = tokio::task::spawn_blocking(move || {
        let desk = hall.desk.lock().unwrap_or_else(|p| p.into_inner());
        let accounts: Vec<_> = desk.users()?.into_iter().filter(|u| !u.disabled).map(|u| (u.name, u.role)).collect();
        Ok::<_, DeskError>(json!({
            "hall": desk.settings().hall,
            "settings": desk.settings().pairs(),
            "catalog": desk.catalog(),
            "accounts": accounts,
            "version": env!("CARGO_PKG_VERSION"),
        }))
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?
    .map_err(|e| ApiError::desk(e, lang))?;
    Ok(Json(v))
}

/// The display board: numbers, windows and counts, never a name — so no token is needed, and
/// a screen in the hall can show it without anyone signed in.
async fn board(State(h): Shared) -> Result<Json<crate::domain::board::Board>, ApiError> {
    let hall = h.clone();
    let lang = h.lang;
    let b = tokio::task::spawn_blocking(move || hall.desk.lock().unwrap_or_else(|p| p.into_inner()).board())
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?
        .map_err(|e| ApiError::desk(e, lang))?;
    Ok(Json(b))
}

fn bad_date(s: &str) -> DeskError {
    DeskError::Setting("date".into(), s.chars().take(20).collect())
}

fn date_or_today(d: &Desk, s: Option<&str>) -> Result<time::Date, DeskError> {
    match s {
        Some(s) => crate::domain::calendar::parse_date(s).ok_or_else(|| bad_date(s)),
        None => Ok(d.clock().today()),
    }
}

#[derive(Deserialize)]
struct DayQ {
    date: Option<String>,
    status: Option<crate::domain::ticket::Status>,
}

async fn day(State(h): Shared, headers: HeaderMap, Query(q): Query<DayQ>) -> Result<Json<Vec<Ticket>>, ApiError> {
    let c = h.caller(&headers)?;
    Ok(Json(h.run(c, false, move |d| d.list_day(date_or_today(d, q.date.as_deref())?, q.status)).await?))
}

async fn waiting(State(h): Shared, headers: HeaderMap) -> Result<Json<Vec<Ticket>>, ApiError> {
    let c = h.caller(&headers)?;
    Ok(Json(h.run(c, false, |d| d.queue()).await?))
}

#[derive(Deserialize)]
struct PeriodQ {
    from: String,
    to: String,
    #[serde(default)]
    full_ids: bool,
}

impl PeriodQ {
    fn dates(&self) -> Result<(time::Date, time::Date), DeskError> {
        let p = |s: &str| crate::domain::calendar::parse_date(s).ok_or_else(|| bad_date(s));
        Ok((p(&self.from)?, p(&self.to)?))
    }
}

fn to_json(v: impl serde::Serialize) -> Result<Json<Value>, ApiError> {
    serde_json::to_value(v)
        .map(Json)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))
}

async fn range(State(h): Shared, headers: HeaderMap, Query(q): Query<PeriodQ>) -> Result<Json<Value>, ApiError> {
    let c = h.caller(&headers)?;
    let lang = c.lang;
    let r = h
        .run(c, false, move |d| {
            let (from, to) = q.dates()?;
            crate::report::range(d, from, to, lang)
        })
        .await?;
    to_json(r)
}

async fn export(State(h): Shared, headers: HeaderMap, Query(q): Query<PeriodQ>) -> Result<Json<Value>, ApiError> {
    let c = h.caller(&headers)?;
    // Full ID numbers are written to the audit chain: that is a write.
    let writes = q.full_ids;
    let rows = h
        .run(c, writes, move |d| {
            let (from, to) = q.dates()?;
            crate::report::export::rows(d, from, to, q.full_ids)
        })
        .await?;
    to_json(rows)
}

async fn users(State(h): Shared, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let c = h.caller(&headers)?;
    let mut users = h
        .run(c, false, |d| {
            d.require_supervisor()?;
            d.users()
        })
        .await?;
    // PIN hashes never leave the server.
    for u in &mut users {
        u.hash.clear();
    }
    to_json(users)
}

#[derive(Deserialize)]
struct UserBody {
    name: String,
    role: Option<crate::domain::account::Role>,
    pin: Option<String>,
}

async fn user_change(
    State(h): Shared,
    headers: HeaderMap,
    Path(what): Path<String>,
    Json(b): Json<UserBody>,
) -> Result<Json<Value>, ApiError> {
    let c = h.caller(&headers)?;
    let lang = c.lang;
    let missing = |f: &str| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("{}{f}", lang.pick("缺少字段：", "missing field: ")),
        )
    };
    match what.as_str() {
        "add" => {
            let role = b.role.ok_or_else(|| missing("role"))?;
            let pin = b.pin.ok_or_else(|| missing("pin"))?;
            h.run(c, true, move |d| d.add_user(&b.name, role, &pin)).await?
        }
        "pin" => {
            let pin = b.pin.ok_or_else(|| missing("pin"))?;
            h.run(c, true, move |d| d.set_secret(&b.name, &pin)).await?
        }
        "disable" => h.run(c, true, move |d| d.disable_user(&b.name)).await?,
        "unlock" => h.run(c, true, move |d| d.unlock_user(&b.name)).await?,
        other => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!(
                    "{}{}",
                    lang.pick("没有这个操作：", "no such action: "),
                    other.chars().take(40).collect::<String>()
                ),
            ));
        }
    }
    Ok(Json(json!({ "ok": true })))
}

#[derive(Deserialize)]
struct ConfigBody {
    key: String,
    value: String,
}

async fn config(State(h): Shared, headers: HeaderMap, Json(b): Json<ConfigBody>) -> Result<Json<Value>, ApiError> {
    let c = h.caller(&headers)?;
    let (pairs, name) =
        h.run(c, true, move |d| d.set_setting(&b.key, &b.value).map(|s| (s.pairs(), s.hall.clone()))).await?;
    *h.hall.lock().unwrap_or_else(|p| p.into_inner()) = name;
    to_json(pairs)
}

#[derive(Deserialize)]
struct CatalogBody {
    toml: String,
}

async fn catalog(State(h): Shared, headers: HeaderMap, Json(b): Json<CatalogBody>) -> Result<Json<Value>, ApiError> {
    let c = h.caller(&headers)?;
    let (categories, items) =
        h.run(c, true, move |d| d.import_catalog(&b.toml).map(|c| (c.categories.len(), c.items.len()))).await?;
    Ok(Json(json!({ "categories": categories, "items": items })))
}

async fn backup(State(h): Shared, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let c = h.caller(&headers)?;
    let (path, tickets) = h.run(c, false, |d| d.backup(None)).await?;
    Ok(Json(json!({ "path": path, "tickets": tickets })))
}

/// Compacts the file; every other window waits until it is done.
async fn compact(State(h): Shared, headers: HeaderMap) -> Result<Json<(u64, u64)>, ApiError> {
    let c = h.caller(&headers)?;
    Ok(Json(h.run(c, true, |d| d.compact()).await?))
}

async fn audit(State(h): Shared, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let c = h.caller(&headers)?;
    let v = h.run(c, false, |d| d.verify_chain()).await?;
    to_json(v)
}

/// Turns axum's own refusals (a body too large or not JSON, an unknown path) into the API's
/// JSON errors, in the request's language.
async fn json_errors(State(h): Shared, req: Request, next: Next) -> Response {
    let lang = lang_of(req.headers(), h.lang);
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if status.is_success() || is_json {
        return resp;
    }
    let t = |zh: String, en: String| if lang == Lang::En { en } else { zh };
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            ("too_large", t(format!("请求内容超过 {BODY_LIMIT} 字节"), format!("request body over {BODY_LIMIT} bytes")))
        }
        StatusCode::NOT_FOUND => {
            ("not_found", t("没有这个接口（见 docs/api.md）".into(), "no such endpoint (see docs/api.md)".into()))
        }
        StatusCode::METHOD_NOT_ALLOWED => {
            ("bad_request", t("此接口不接受这种请求方法".into(), "wrong method for this endpoint".into()))
        }
        s if s.is_client_error() => (
            "bad_request",
            t("请求内容不是此接口要求的 JSON".into(), "the request body is not the JSON this endpoint takes".into()),
        ),
        _ => ("internal", status.to_string()),
    };
    ApiError::new(status, code, message).into_response()
}

fn router(hall: Arc<Hall>) -> axum::Router {
    let errors = middleware::from_fn_with_state(hall.clone(), json_errors);
    axum::Router::new()
        .route("/api/health", get(health))
        .route("/api/sign-in", post(sign_in))
        .route("/api/sign-out", post(sign_out))
        .route("/api/changes", get(changes))
        .route("/api/queue", get(queue))
        .route("/api/open", get(open_cases))
        .route("/api/search", get(search))
        .route("/api/take", post(take))
        .route("/api/call", post(call))
        .route("/api/tickets/{ticket}", get(show))
        .route("/api/tickets/{ticket}/{action}", post(act))
        .route("/api/report/daily", get(daily))
        .route("/api/report/range", get(range))
        .route("/api/export", get(export))
        .route("/api/setup", get(setup))
        .route("/api/board", get(board))
        .route("/api/day", get(day))
        .route("/api/waiting", get(waiting))
        .route("/api/users", get(users))
        .route("/api/users/{what}", post(user_change))
        .route("/api/config", post(config))
        // A county's whole catalog may be larger than any other request.
        .route("/api/catalog", post(catalog).layer(DefaultBodyLimit::max(CATALOG_LIMIT)))
        .route("/api/backup", post(backup))
        .route("/api/audit", get(audit))
        .route("/api/compact", post(compact))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(errors)
        .with_state(hall)
}

/// Serves until Ctrl-C (or SIGTERM); `ready` hears the address once it listens.
pub fn run(desk: Desk, opts: Options, ready: impl FnOnce(SocketAddr)) -> std::io::Result<()> {
    // Sign-ins from before a restart carry on until they would have ended.
    let (now, wall) = (Instant::now(), unix_now());
    let sessions: HashMap<String, Session> = desk
        .saved_sessions()
        .map_err(|e| std::io::Error::other(e.to_string()))?
        .into_iter()
        .filter(|s| s.expires > wall)
        .map(|s| {
            let left = Duration::from_secs(s.expires - wall);
            (s.token_hash, Session { clerk: s.clerk, expires: now + left, until: s.expires })
        })
        .collect();
    let hall = Arc::new(Hall {
        hall: Mutex::new(desk.settings().hall.clone()),
        home: desk.path().parent().map(std::path::Path::to_path_buf).unwrap_or_default(),
        clock: *desk.clock(),
        desk: Mutex::new(desk),
        sessions: Mutex::new(sessions),
        // The counter starts from the clock, so it only ever grows, across restarts too: a
        // window waiting past the old count hears the restarted server at once.
        changes: tokio::sync::watch::channel(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0),
        )
        .0,
        session: opts.session,
        lang: opts.lang,
    });
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(opts.listen).await?;
        ready(listener.local_addr()?);
        tokio::spawn(daily_backups(hall.clone()));
        let app = router(hall).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, app).with_graceful_shutdown(shutdown()).await
    })
}

/// The server takes the hall's automatic daily backup (windows working through it take none):
/// at start, then on the first check of each new day.
async fn daily_backups(hall: Arc<Hall>) {
    let mut every = tokio::time::interval(Duration::from_secs(600));
    loop {
        every.tick().await;
        let h = hall.clone();
        let _ = tokio::task::spawn_blocking(move || {
            let desk = h.desk.lock().unwrap_or_else(|p| p.into_inner());
            match desk.daily_backup() {
                Ok(Some(path)) => h.log(&format!("daily backup: {}", path.display())),
                Ok(None) => {}
                Err(e) => {
                    let line = format!("daily backup failed: {}", e.localized(h.lang));
                    eprintln!("yimen: {line}");
                    h.log(&line);
                }
            }
        })
        .await;
    }
}

async fn shutdown() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
