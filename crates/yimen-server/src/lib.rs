//! `yimen serve`: the hall server. It serves the application layer as HTTP/JSON to every window
//! of the hall (docs/api.md), sharing the database file with the other yimen programs on its PC
//! (redb's multi-process mode); each request runs on its own fork of the desk, with no lock
//! across requests. Sessions come from signing in
//! with a clerk's PIN; each request acts as its session's clerk with the role the account has
//! now, through the same `Desk` methods the command line and the interface call. Actions carry
//! an idempotency key, stored with the action, so a retried request never acts twice. A change
//! counter, with long polling, tells every window when the queue moved.

mod admin;
mod public;
mod sessions;
mod throttle;
mod tickets;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use sessions::{Session, token_hash, unix_now};
use yimen_app::{Acting, Desk, DeskError};
use yimen_domain::Lang;
use yimen_domain::account::AccountError;
use yimen_domain::lang::Localized;

/// Largest request body accepted (a take with every field and a long note is a few KiB).
pub const BODY_LIMIT: usize = 64 * 1024;
/// Largest catalog file accepted by `POST /api/catalog`.
pub const CATALOG_LIMIT: usize = 1024 * 1024;
/// The longest a `/api/changes` request waits for a change.
const LONG_POLL: Duration = Duration::from_secs(20);

pub struct Options {
    pub listen: SocketAddr,
    /// How long a sign-in lasts.
    pub session: Duration,
    /// The language of messages when a request does not ask for one.
    pub lang: Lang,
}

struct Hall {
    /// The desk every request forks (see `run`): held only while forking, or while a request
    /// that changed the hall's configuration hands it over.
    desk: RwLock<Desk>,
    /// Sign-in tries are judged one at a time (see `sessions::sign_in`).
    judging: Mutex<()>,
    /// Wrong PINs, per account and per address (docs/security.md).
    throttle: Mutex<throttle::Throttle>,
    sessions: Mutex<HashMap<String, Session>>,
    changes: tokio::sync::watch::Sender<u64>,
    /// Pairing tries per address and numbers per kiosk, in the last minute.
    limits: Mutex<public::Limits>,
    /// The board as last worked out, shared by every board stream.
    board_cache: public::BoardCache,
    /// True once the server is stopping: the event streams end, so the stop does not wait for
    /// the screens in the hall to hang up.
    closing: tokio::sync::watch::Sender<bool>,
    session: Duration,
    lang: Lang,
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
        let code = e.code();
        let status = StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
        ApiError::new(status, code.as_str(), e.localized(lang))
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

/// The caller of a request: the session's clerk, the request's language and idempotency key,
/// and what the request asks (set by a writing handler: the key is bound to it).
struct Caller {
    clerk: String,
    stamp: String,
    /// The role of this session's account at sign-in (the desk checks the role as it is now).
    role: yimen_domain::account::Role,
    lang: Lang,
    key: Option<String>,
    request: String,
}

impl Caller {
    /// Binds the idempotency key to this request: `what` (the endpoint and action) and its
    /// body as JSON.
    fn binds(mut self, what: &str, body: &impl serde::Serialize) -> Caller {
        self.request = format!("{what}\n{}", serde_json::to_string(body).unwrap_or_default());
        self
    }

    /// The fingerprint the key is stored with: account, action and body.
    fn fingerprint(&self) -> String {
        use sha2::Digest;
        yimen_domain::token::hex(&sha2::Sha256::digest(format!("{}\n{}", self.clerk, self.request).as_bytes()))
    }
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
        let (clerk, stamp, role) =
            sessions.get(&token_hash(token)).map(|s| (s.clerk.clone(), s.stamp.clone(), s.role)).ok_or_else(|| {
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
        Ok(Caller { clerk, stamp, role, lang, key, request: String::new() })
    }

    /// A desk of its own for one request, on the shared file, with the hall's configuration as
    /// it is now (another request or another program on the file may have changed it).
    fn fork(&self) -> Desk {
        let stale = self.desk.read().unwrap_or_else(|p| p.into_inner()).configuration_changed().unwrap_or(false);
        if stale {
            let mut desk = self.desk.write().unwrap_or_else(|p| p.into_inner());
            if desk.configuration_changed().unwrap_or(false)
                && let Err(e) = desk.reload_configuration()
            {
                tracing::warn!("reading the hall's configuration again: {e}");
            }
        }
        self.desk.read().unwrap_or_else(|p| p.into_inner()).fork()
    }

    /// Runs `f` on a fork of the desk, acting as the caller, off the async threads. No lock is held
    /// while it runs: reads run side by side on redb snapshots, and redb lets one write
    /// transaction commit at a time. A write bumps the change counter, and one that changed the
    /// hall's configuration (catalog, settings) hands it to the desk later requests fork.
    async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        caller: Caller,
        writes: bool,
        f: impl FnOnce(&Acting<'_>) -> Result<T, DeskError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let hall = self.clone();
        let lang = caller.lang;
        let clerk = caller.clerk.clone();
        let span = tracing::Span::current();
        let out = tokio::task::spawn_blocking(move || {
            let _in_request = span.enter();
            let fingerprint = caller.fingerprint();
            // The caller's account as it is now, and the request's key: passed with the call,
            // never left on a desk another request could use.
            let desk = hall.fork();
            let mut who = desk.assume(&caller.clerk, &caller.stamp)?;
            who.request_key = caller.key.clone().map(|k| (k, fingerprint));
            f(&desk.acting(&who))
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
        tracing::info!("{line}");
    }
}

type Shared = State<Arc<Hall>>;

async fn health(State(h): Shared) -> Json<Value> {
    let hall = h.fork().settings().hall.clone();
    Json(json!({ "ok": true, "hall": hall, "version": env!("CARGO_PKG_VERSION") }))
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

/// Checks every request against the table of routes (`app::authority::ROUTES`) before its
/// handler runs: a route without a row is refused, and a route that needs a role needs a
/// live session of an account that has it.
async fn authorize(State(h): Shared, req: Request, next: Next) -> Response {
    use yimen_app::authority::{Need, allows, need_of_route};
    let lang = lang_of(req.headers(), h.lang);
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let Some(path) = req.extensions().get::<axum::extract::MatchedPath>().map(|p| p.as_str().to_string()) else {
        // No route matched: the router answers 404 itself.
        return next.run(req).await;
    };
    match need_of_route(req.method().as_str(), &path) {
        None => ApiError::new(StatusCode::FORBIDDEN, "forbidden", t("此接口未开放", "this endpoint is not open"))
            .into_response(),
        Some(Need::Anyone) => next.run(req).await,
        Some(Need::Device(kind)) => match h.device_of(req.headers(), Some(kind)).await {
            Ok(device) => {
                let span = tracing::info_span!("request", route = %path, device = %device.actor());
                let mut req = req;
                req.extensions_mut().insert(device);
                tracing::Instrument::instrument(next.run(req), span).await
            }
            Err(e) => e.into_response(),
        },
        Some(need) => {
            let caller = match h.caller(req.headers()) {
                Ok(c) => c,
                Err(e) => return e.into_response(),
            };
            // Everything the request logs, here and in the desk, names the route and the clerk.
            let span = tracing::info_span!("request", route = %path, clerk = %caller.clerk);
            // Whole-file operations (local admin) are never served over the network.
            if !allows(need, Some(caller.role), false) {
                let e = match need {
                    Need::Role(r) => AccountError::NeedsRole(r, caller.clerk, caller.role),
                    _ => AccountError::NotSignedIn,
                };
                return ApiError::desk(e.into(), lang).into_response();
            }
            tracing::Instrument::instrument(next.run(req), span).await
        }
    }
}

fn router(hall: Arc<Hall>) -> axum::Router {
    let errors = middleware::from_fn_with_state(hall.clone(), json_errors);
    use yimen_app::authority::route;
    let authority = middleware::from_fn_with_state(hall.clone(), authorize);
    axum::Router::new()
        .route(route::HEALTH.path, get(health))
        .route(route::SIGN_IN.path, post(sessions::sign_in))
        .route(route::SIGN_OUT.path, post(sessions::sign_out))
        .route(route::CHANGES.path, get(tickets::changes))
        .route(route::QUEUE.path, get(tickets::queue))
        .route(route::OPEN.path, get(tickets::open_cases))
        .route(route::SEARCH.path, get(tickets::search))
        .route(route::TAKE.path, post(tickets::take))
        .route(route::CALL.path, post(tickets::call))
        .route(route::TICKET.path, get(tickets::show))
        .route(route::REVEAL.path, get(tickets::reveal))
        .route(route::CHECK.path, get(admin::check))
        .route(route::ACT.path, post(tickets::act))
        .route(route::REPORT_DAILY.path, get(tickets::daily))
        .route(route::REPORT_RANGE.path, get(tickets::range))
        .route(route::EXPORT.path, get(tickets::export))
        .route(route::SETUP.path, get(tickets::setup))
        .route(route::BOARD.path, get(tickets::board))
        .route(route::DAY.path, get(tickets::day))
        .route(route::WAITING.path, get(tickets::waiting))
        .route(route::USERS.path, get(admin::users))
        .route(route::USER_CHANGE.path, post(admin::user_change))
        .route(route::CONFIG.path, post(admin::config))
        // A county's whole catalog may be larger than any other request.
        .route(route::CATALOG.path, post(admin::catalog).layer(DefaultBodyLimit::max(CATALOG_LIMIT)))
        .route(route::CALENDAR.path, post(admin::calendar))
        .route(route::BACKUP.path, post(admin::backup))
        .route(route::AUDIT.path, get(admin::audit))
        .route(route::COMPACT.path, post(admin::compact))
        .route(route::BOARD_PAGE.path, get(public::board_page))
        .route(route::KIOSK_PAGE.path, get(public::kiosk_page))
        .route(route::PAD_PAGE.path, get(public::pad_page))
        .route(route::ASSET.path, get(public::asset))
        .route(route::PUBLIC_BOARD.path, get(public::board))
        .route(route::PUBLIC_EVENTS.path, get(public::board_events))
        .route(route::DEVICE_PAIR.path, post(public::pair))
        .route(route::DEVICE_SELF.path, get(public::whoami))
        .route(route::KIOSK_MENU.path, get(public::kiosk_menu))
        .route(route::KIOSK_TAKE.path, post(public::kiosk_take))
        .route(route::PAD_EVENTS.path, get(public::pad_events))
        .route(route::PAD_RATE.path, post(public::pad_rate))
        .route_layer(authority)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(errors)
        .layer(middleware::from_fn(public::secure_headers))
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
        .filter(|s| s.expires > wall && !s.stamp.is_empty())
        .filter_map(|s| {
            let left = Duration::from_secs(s.expires - wall);
            // A PIN changed or an account disabled while the server was down ends its sessions.
            let role = desk.assume(&s.clerk, &s.stamp).ok()?.role?;
            Some((
                s.token_hash,
                Session { clerk: s.clerk, role, stamp: s.stamp, expires: now + left, until: s.expires },
            ))
        })
        .collect();
    let db_path = desk.path().to_path_buf();
    let hall = Arc::new(Hall {
        desk: RwLock::new(desk),
        judging: Mutex::new(()),
        throttle: Mutex::new(throttle::Throttle::default()),
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
        limits: Mutex::new(public::Limits::default()),
        board_cache: tokio::sync::Mutex::new(None),
        closing: tokio::sync::watch::channel(false).0,
        session: opts.session,
        lang: opts.lang,
    });
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(opts.listen).await?;
        let addr = listener.local_addr()?;
        // Tells a command that finds the file held where to work instead (StoreError::Locked).
        let note = yimen_app::server_note(&db_path);
        let _ = std::fs::write(&note, format!("http://{addr}\n"));
        let _note = RemoveOnDrop(note);
        ready(addr);
        tokio::spawn(daily_backups(hall.clone()));
        tokio::spawn(watch_the_file(hall.clone()));
        let closing = hall.closing.clone();
        let app = router(hall).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                shutdown().await;
                closing.send_replace(true);
            })
            .await
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
            // The copy reads one snapshot; the windows' requests go on meanwhile.
            let desk = h.fork();
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

/// How often the server looks whether another program on the file (the clerk's interface on
/// this PC, a command) changed the hall, so the board and the pads hear it too.
const FILE_WATCH: Duration = Duration::from_millis(250);

/// Bumps the change counter when the audit chain grew by another program's hand: every change
/// of the hall's records is an event of the chain.
async fn watch_the_file(hall: Arc<Hall>) {
    let mut every = tokio::time::interval(FILE_WATCH);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut seen: Option<(String, u64)> = None;
    loop {
        every.tick().await;
        let h = hall.clone();
        let looked = tokio::task::spawn_blocking(move || {
            // A setting changed by another program (the board's voice): heard now, not at the
            // board's next refresh.
            let reconfigured =
                h.desk.read().unwrap_or_else(|p| p.into_inner()).configuration_changed().unwrap_or(false);
            h.fork().chain_state().map(|chain| (chain, reconfigured))
        })
        .await;
        let Ok(Ok((now, reconfigured))) = looked else {
            continue;
        };
        if reconfigured || seen.as_ref().is_some_and(|s| *s != now) {
            hall.changes.send_modify(|n| *n += 1);
        }
        seen = Some(now);
    }
}

/// Deletes a file when dropped (the server's address note, when the server stops).
struct RemoveOnDrop(std::path::PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
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
