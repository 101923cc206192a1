//! The hall's public side over HTTP: the board, kiosk and pad pages (embedded in the binary,
//! no CDN), the board's event stream, device pairing, the kiosk's take and the pad's rating.
//! A device proves itself with the token it got for its pairing code, kept in an HttpOnly,
//! SameSite=Strict cookie (an `EventSource` cannot send a header, and a page script never sees
//! the token). Every answer carries strict content-security headers (see `secure_headers`).

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use futures_util::stream::{self, Stream};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, Hall, Shared, lang_of};
use yimen_app::DeskError;
use yimen_domain::device::{Device, DeviceKind};
use yimen_domain::queue::Priority;
use yimen_domain::ticket::BadReason;

/// The cookie a paired device keeps its token in.
pub const DEVICE_COOKIE: &str = "yimen_device";
/// Pairing tries one address may make a minute.
const PAIR_TRIES_PER_MINUTE: usize = 10;
/// How often the board's stream is sent again without a change (the clock, quiet hours).
const BOARD_REFRESH: Duration = Duration::from_secs(30);
/// How often a pad's stream looks again without a change (a prompt's minutes running out).
const PAD_REFRESH: Duration = Duration::from_secs(5);

/// The content-security policy of every answer: nothing but this server's own scripts, styles
/// and connections; no frames, no plugins, no inline script.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; font-src 'self'; media-src 'self'; base-uri 'none'; form-action 'none'; \
    frame-ancestors 'none'";

/// Adds the security headers to every answer of the server (pages and API alike).
pub(super) async fn secure_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// A count of recent hits per key, for the pairing and kiosk limits.
#[derive(Default)]
pub(super) struct Limits {
    pairing: HashMap<IpAddr, VecDeque<Instant>>,
    kiosk: HashMap<u32, VecDeque<Instant>>,
}

/// Whether one more hit fits `max` a minute; records it when it does.
fn allow<K: std::hash::Hash + Eq>(hits: &mut HashMap<K, VecDeque<Instant>>, key: K, max: usize) -> bool {
    let now = Instant::now();
    hits.retain(|_, v| v.back().is_some_and(|t| now.duration_since(*t) < Duration::from_secs(60)));
    let v = hits.entry(key).or_default();
    while v.front().is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(60)) {
        v.pop_front();
    }
    if v.len() >= max {
        return false;
    }
    v.push_back(now);
    true
}

/// The embedded pages and assets: (path, content type, body).
const ASSETS: &[(&str, &str, &str)] = &[
    ("public.css", "text/css; charset=utf-8", include_str!("../assets/public.css")),
    ("common.js", "text/javascript; charset=utf-8", include_str!("../assets/common.js")),
    ("board.js", "text/javascript; charset=utf-8", include_str!("../assets/board.js")),
    ("kiosk.js", "text/javascript; charset=utf-8", include_str!("../assets/kiosk.js")),
    ("pad.js", "text/javascript; charset=utf-8", include_str!("../assets/pad.js")),
];

fn html(body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

pub(super) async fn board_page() -> Response {
    html(include_str!("../assets/board.html"))
}

pub(super) async fn kiosk_page() -> Response {
    html(include_str!("../assets/kiosk.html"))
}

pub(super) async fn pad_page() -> Response {
    html(include_str!("../assets/pad.html"))
}

pub(super) async fn asset(State(h): Shared, headers: HeaderMap, Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, kind, body)) => ([(header::CONTENT_TYPE, *kind)], *body).into_response(),
        None => {
            let lang = lang_of(&headers, h.lang);
            ApiError::new(StatusCode::NOT_FOUND, "not_found", lang.pick("没有这个文件", "no such file")).into_response()
        }
    }
}

/// Runs `f` on a fork of the desk, off the async threads; for the public side, which acts for
/// no account.
async fn blocking<T: Send + 'static>(
    h: &Arc<Hall>,
    lang: yimen_domain::Lang,
    f: impl FnOnce(&yimen_app::Desk) -> Result<T, DeskError> + Send + 'static,
) -> Result<T, ApiError> {
    let hall = h.clone();
    tokio::task::spawn_blocking(move || f(&hall.fork()))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?
        .map_err(|e| ApiError::desk(e, lang))
}

pub(super) async fn board(State(h): Shared, headers: HeaderMap) -> Result<Response, ApiError> {
    let lang = lang_of(&headers, h.lang);
    let json = h.board_json(lang).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], json.as_str().to_string()).into_response())
}

/// The board as last worked out: at which change count, when, and its JSON.
pub(super) type BoardCache = tokio::sync::Mutex<Option<(u64, Instant, Arc<String>)>>;

/// Board streams open at once, at most: a hall has a few screens; more is someone on the
/// hall's network holding connections open.
pub const BOARD_STREAMS: usize = 64;

impl Hall {
    /// The board's JSON, worked out once per change of the hall (and at most every few seconds
    /// for the clock) for every stream and request together.
    async fn board_json(self: &Arc<Self>, lang: yimen_domain::Lang) -> Result<Arc<String>, ApiError> {
        let mut cache = self.board_cache.lock().await;
        let n = *self.changes.borrow();
        if let Some((at, when, json)) = cache.as_ref()
            && *at == n
            && when.elapsed() < Duration::from_secs(5)
        {
            return Ok(json.clone());
        }
        let b = blocking(self, lang, |d| d.public_board()).await?;
        let json = Arc::new(serde_json::to_string(&b).unwrap_or_default());
        *cache = Some((n, Instant::now(), json.clone()));
        Ok(json)
    }
}

/// Counts a board stream while it is open.
struct StreamSlot(Arc<std::sync::atomic::AtomicUsize>);

impl Drop for StreamSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// The board's stream: a `board` event at once, then on every change of the hall (and every
/// [`BOARD_REFRESH`] for the clock). A browser's `EventSource` reconnects by itself after a
/// restart (`retry` is 1 s). At most [`BOARD_STREAMS`] at once (503 beyond).
pub(super) async fn board_events(
    State(h): Shared,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let open = h.board_streams.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let slot = StreamSlot(h.board_streams.clone());
    if open >= BOARD_STREAMS {
        let lang = lang_of(&headers, h.lang);
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "throttled",
            lang.pick("叫号屏连接太多，请稍后再试", "too many board connections; try again later"),
        ));
    }
    let rx = h.changes.subscribe();
    let s = stream::unfold((h, rx, true, slot), |(h, mut rx, first, slot)| async move {
        if !first {
            let _ = tokio::time::timeout(BOARD_REFRESH, rx.changed()).await;
        }
        let n = *rx.borrow_and_update();
        let event = match h.board_json(h.lang).await {
            Ok(json) => {
                Event::default().event("board").id(n.to_string()).retry(Duration::from_secs(1)).data(json.as_str())
            }
            Err(e) => Event::default().event("trouble").data(e.message),
        };
        Some((Ok(event), (h, rx, false, slot)))
    });
    Ok(Sse::new(s).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// The device token in the request's cookie.
fn token_of(headers: &HeaderMap) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|c| {
        let (k, v) = c.trim().split_once('=')?;
        (k == DEVICE_COOKIE && !v.is_empty() && v.len() <= 128).then(|| v.to_string())
    })
}

impl Hall {
    /// The paired device of the request, of `kind` (any kind with `None`).
    pub(super) async fn device_of(
        self: &Arc<Self>,
        headers: &HeaderMap,
        kind: Option<DeviceKind>,
    ) -> Result<Device, ApiError> {
        let lang = lang_of(headers, self.lang);
        let token = token_of(headers)
            .ok_or_else(|| ApiError::desk(DeskError::Device(yimen_app::DeviceWhy::NotPaired), lang))?;
        let d = blocking(self, lang, move |desk| desk.device(&token)).await?;
        match kind {
            Some(k) if k != d.kind => {
                Err(ApiError::desk(DeskError::Device(yimen_app::DeviceWhy::WrongKind(d.kind)), lang))
            }
            _ => Ok(d),
        }
    }
}

/// The hall's time now, RFC 3339 with the hall's offset (for a page's clock).
fn hall_now(d: &yimen_app::Desk) -> String {
    let now = d.clock().local(d.clock().now());
    now.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// What a page learns of its device: never the token.
fn device_json(d: &Device) -> Value {
    json!({
        "id": d.id,
        "kind": d.kind.code(),
        "name": d.name,
        "window": d.window,
        "window_label": d.window.as_deref().map(yimen_app::public::window_label),
    })
}

#[derive(Deserialize)]
pub(super) struct PairBody {
    code: String,
}

pub(super) async fn pair(
    State(h): Shared,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(b): Json<PairBody>,
) -> Result<Response, ApiError> {
    let lang = lang_of(&headers, h.lang);
    let ok = {
        let mut limits = h.limits.lock().unwrap_or_else(|p| p.into_inner());
        allow(&mut limits.pairing, addr.ip(), PAIR_TRIES_PER_MINUTE)
    };
    if !ok {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            lang.pick("配对尝试太频繁，请一分钟后再试", "too many pairing tries; wait a minute"),
        ));
    }
    let (d, token) = blocking(&h, lang, move |desk| desk.claim_device(&b.code)).await?;
    h.log(&format!("device paired: {} (#{}) from {}", d.actor(), d.id, addr.ip()));
    let cookie = format!("{DEVICE_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=315360000");
    let mut resp = Json(device_json(&d)).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}

pub(super) async fn whoami(State(h): Shared, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let d = h.device_of(&headers, None).await?;
    let lang = lang_of(&headers, h.lang);
    let (hall, now) = blocking(&h, lang, |desk| Ok((desk.settings().hall.clone(), hall_now(desk)))).await?;
    Ok(Json(json!({ "device": device_json(&d), "hall": hall, "now": now })))
}

pub(super) async fn kiosk_menu(
    State(h): Shared,
    Extension(_kiosk): Extension<Device>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let lang = lang_of(&headers, h.lang);
    let (hall, now, menu) =
        blocking(&h, lang, |d| Ok((d.settings().hall.clone(), hall_now(d), d.kiosk_menu()?))).await?;
    let priorities: Vec<Value> = Priority::ALL
        .iter()
        .map(|p| json!({ "code": p, "name": p.label(yimen_domain::Lang::Zh), "name_en": p.label(yimen_domain::Lang::En) }))
        .collect();
    Ok(Json(json!({ "hall": hall, "now": now, "categories": menu, "priorities": priorities })))
}

#[derive(Deserialize)]
pub(super) struct KioskTake {
    item: String,
    #[serde(default)]
    priority: Option<Priority>,
}

pub(super) async fn kiosk_take(
    State(h): Shared,
    Extension(kiosk): Extension<Device>,
    headers: HeaderMap,
    Json(b): Json<KioskTake>,
) -> Result<Json<yimen_app::public::KioskTicket>, ApiError> {
    let lang = lang_of(&headers, h.lang);
    let ok = {
        let mut limits = h.limits.lock().unwrap_or_else(|p| p.into_inner());
        allow(&mut limits.kiosk, kiosk.id, yimen_app::public::KIOSK_PER_MINUTE)
    };
    if !ok {
        return Err(ApiError::desk(DeskError::Device(yimen_app::DeviceWhy::TooFast), lang));
    }
    let t = blocking(&h, lang, move |d| {
        let (ticket, mut view) = d.take_at_kiosk(&kiosk, &b.item, b.priority)?;
        if d.settings().kiosk_prints_at_server {
            view.printed = Some(print_queue_ticket(d, &ticket, view.ahead));
        }
        Ok(view)
    })
    .await?;
    h.changes.send_modify(|n| *n += 1);
    Ok(Json(t))
}

/// Prints the kiosk's queue ticket (the paper issue's 80 mm 排队号票) on the hall's receipt
/// printer; the PDF is kept in the slips folder beside the database whatever the printer says.
/// The job's name, or why it did not print, in Chinese (the kiosk's language).
fn print_queue_ticket(
    d: &yimen_app::Desk,
    ticket: &yimen_domain::ticket::Ticket,
    ahead: usize,
) -> Result<String, String> {
    use yimen_present::{paper::Paper, pdf, print, slip};
    let zh = yimen_domain::Lang::Zh;
    let local = yimen_api::Local::new(d.fork());
    let doc = slip::queue_ticket(&local, ticket, Some(ahead), Paper::Roll80, zh);
    let bytes = pdf::pdf(&doc)?;
    let path = slip::save(&local, ticket, slip::Kind::QueueTicket, "pdf", &bytes).map_err(|e| e.to_string())?;
    let printer = print::printer_for(d.settings(), true).ok_or_else(|| print::PrintError::NoPrinter.text(zh))?;
    print::print(&path, &printer.name, &doc.title).map_err(|e| e.text(zh))
}

/// A pad's stream: a `prompt` event with the visit to rate (or `null`) at once and whenever it
/// changes; a `revoked` event, and the end, when the pad is revoked.
pub(super) async fn pad_events(
    State(h): Shared,
    Extension(pad): Extension<Device>,
    headers: HeaderMap,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = h.changes.subscribe();
    let token = token_of(&headers).unwrap_or_default();
    let start = PadStream { h, rx, pad, token, last: None, done: false };
    let s = stream::unfold(start, |mut st| async move {
        loop {
            if st.done {
                return None;
            }
            if st.last.is_some() {
                let _ = tokio::time::timeout(PAD_REFRESH, st.rx.changed()).await;
                st.rx.borrow_and_update();
            }
            let (p, t) = (st.pad.clone(), st.token.clone());
            // Revoked while connected: the stream says so and ends. Any other trouble (the file
            // busy a moment) is said, and looked at again shortly.
            let asked = blocking(&st.h, st.h.lang, move |d| Ok((d.device(&t).is_ok(), d.pad_prompt(&p).ok()))).await;
            let prompt = match asked {
                Ok((false, _)) => {
                    st.done = true;
                    return Some((Ok(Event::default().event("revoked").data("{}")), st));
                }
                Ok((true, Some(prompt))) => prompt,
                Ok((true, None)) | Err(_) => {
                    st.last = Some(String::new());
                    return Some((Ok(Event::default().event("trouble").data("{}")), st));
                }
            };
            let data = serde_json::to_string(&prompt).unwrap_or_else(|_| "null".into());
            if st.last.as_deref() != Some(data.as_str()) {
                let e = Event::default().event("prompt").retry(Duration::from_secs(1)).data(data.clone());
                st.last = Some(data);
                return Some((Ok(e), st));
            }
        }
    });
    Sse::new(s).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// Where a pad's stream stands: what it last sent, and whether it has ended.
struct PadStream {
    h: Arc<Hall>,
    rx: tokio::sync::watch::Receiver<u64>,
    pad: Device,
    token: String,
    last: Option<String>,
    done: bool,
}

#[derive(Deserialize)]
pub(super) struct PadRate {
    ticket: u64,
    score: u8,
    #[serde(default)]
    reasons: Vec<BadReason>,
    #[serde(default)]
    comment: Option<String>,
}

pub(super) async fn pad_rate(
    State(h): Shared,
    Extension(pad): Extension<Device>,
    headers: HeaderMap,
    Json(b): Json<PadRate>,
) -> Result<Json<Value>, ApiError> {
    let lang = lang_of(&headers, h.lang);
    blocking(&h, lang, move |d| d.rate_at_pad(&pad, b.ticket, b.score, b.reasons, b.comment.as_deref())).await?;
    h.changes.send_modify(|n| *n += 1);
    Ok(Json(json!({ "ok": true })))
}
