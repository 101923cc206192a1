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
    /// Event streams open now, per address (a board) or per device (a pad).
    streams: HashMap<String, usize>,
}

/// Board streams one address may hold open: a PC drives a screen or two.
const BOARD_STREAMS_PER_ADDRESS: usize = 8;
/// Prompt streams one pad may hold open: its page, and a reload not yet noticed as gone.
const PAD_STREAMS_PER_DEVICE: usize = 3;

/// One open event stream counted against its key's limit; counted off when the stream ends.
struct StreamSlot {
    hall: Arc<Hall>,
    key: String,
}

impl StreamSlot {
    /// A slot for one more stream of `key`, if fewer than `max` are open.
    fn take(hall: &Arc<Hall>, key: String, max: usize) -> Option<StreamSlot> {
        let taken = hall.within_limits(|l| {
            let open = l.streams.entry(key.clone()).or_default();
            *open < max && {
                *open += 1;
                true
            }
        });
        taken.then(|| StreamSlot { hall: hall.clone(), key })
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        self.hall.within_limits(|l| {
            if let Some(open) = l.streams.get_mut(&self.key) {
                *open = open.saturating_sub(1);
                if *open == 0 {
                    l.streams.remove(&self.key);
                }
            }
            true
        });
    }
}

/// The refusal of one stream too many.
fn too_many_streams(lang: yimen_domain::Lang) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "throttled",
        lang.pick("连接太多，请稍后再试", "too many connections; try again later"),
    )
}

impl Hall {
    /// Runs `f` on the public side's limits, held for it alone; gives what `f` says (whether
    /// the request fits).
    fn within_limits(&self, f: impl FnOnce(&mut Limits) -> bool) -> bool {
        f(&mut self.limits.lock().unwrap_or_else(|p| p.into_inner()))
    }
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

/// A page of the public side: its title, its body's class (the style it takes), its script and
/// its content between the hall's bar and the reconnecting notice. All three pages are this one
/// frame; nothing in it comes from a request.
fn page(title: &str, class: &str, script: &str, main: &str) -> Response {
    let html = format!(
        r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="/assets/public.css">
<script src="/assets/common.js" defer></script>
<script src="/assets/{script}" defer></script>
</head>
<body class="{class}">
<header class="bar">
  <span id="hall" class="hall">便民服务大厅</span>
  <span id="clock" class="clock">--:--</span>
</header>
{main}
<div id="link" class="link" hidden>正在重新连接服务器…</div>
</body>
</html>
"#
    );
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

pub(super) async fn board_page() -> Response {
    page("叫号屏", "board", "board.js", include_str!("../assets/board.html"))
}

pub(super) async fn kiosk_page() -> Response {
    page("自助取号", "kiosk", "kiosk.js", r#"<main id="screen" class="kiosk-main"></main>"#)
}

pub(super) async fn pad_page() -> Response {
    page("服务评价", "pad", "pad.js", r#"<main id="screen" class="pad-main"></main>"#)
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

/// The board's stream: a `board` event at once, then on every change of the hall (and every
/// [`BOARD_REFRESH`] for the clock). A browser's `EventSource` reconnects by itself after a
/// restart (`retry` is 1 s). At most [`BOARD_STREAMS`] at once, and
/// [`BOARD_STREAMS_PER_ADDRESS`] from one address (503 beyond; the page then reads
/// `/api/public/board` until a stream is free).
pub(super) async fn board_events(
    State(h): Shared,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let lang = lang_of(&headers, h.lang);
    let mine = StreamSlot::take(&h, format!("board {}", addr.ip()), BOARD_STREAMS_PER_ADDRESS);
    let all = StreamSlot::take(&h, "board".into(), BOARD_STREAMS);
    let (Some(mine), Some(all)) = (mine, all) else {
        return Err(too_many_streams(lang));
    };
    let slot = (mine, all);
    let rx = h.changes.subscribe();
    let closing = h.closing.subscribe();
    let s = stream::unfold((h, rx, true, slot, closing), |(h, mut rx, first, slot, mut closing)| async move {
        if *closing.borrow() {
            return None;
        }
        if !first {
            tokio::select! {
                _ = tokio::time::timeout(BOARD_REFRESH, rx.changed()) => {}
                _ = closing.changed() => return None,
            }
        }
        let n = *rx.borrow_and_update();
        let event = match h.board_json(h.lang).await {
            Ok(json) => {
                Event::default().event("board").id(n.to_string()).retry(Duration::from_secs(1)).data(json.as_str())
            }
            Err(e) => Event::default().event("trouble").data(e.message),
        };
        Some((Ok(event), (h, rx, false, slot, closing)))
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
    /// The kind of device the page is for (`/kiosk`, `/pad`): a code of another kind is refused
    /// unspent.
    #[serde(default)]
    kind: Option<DeviceKind>,
}

pub(super) async fn pair(
    State(h): Shared,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(b): Json<PairBody>,
) -> Result<Response, ApiError> {
    let lang = lang_of(&headers, h.lang);
    if !h.within_limits(|l| allow(&mut l.pairing, addr.ip(), PAIR_TRIES_PER_MINUTE)) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            lang.pick("配对尝试太频繁，请一分钟后再试", "too many pairing tries; wait a minute"),
        ));
    }
    let (d, token) = blocking(&h, lang, move |desk| desk.claim_device(&b.code, b.kind)).await?;
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
    // Said to citizens as the groups they are in (the desk's short labels say why a ticket
    // goes first).
    let kiosk_label = |p: &Priority| match p {
        Priority::Elderly => "80岁以上老人",
        Priority::Disability => "残疾人",
        Priority::Pregnant => "孕妇",
        Priority::Military => "军人、退役军人",
    };
    let priorities: Vec<Value> = Priority::ALL
        .iter()
        .map(|p| json!({ "code": p, "name": kiosk_label(p), "name_en": p.label(yimen_domain::Lang::En) }))
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
    if !h.within_limits(|l| allow(&mut l.kiosk, kiosk.id, yimen_app::public::KIOSK_PER_MINUTE)) {
        return Err(ApiError::desk(DeskError::Device(yimen_app::DeviceWhy::TooFast), lang));
    }
    let t = blocking(&h, lang, move |d| {
        let (ticket, mut view) = d.take_at_kiosk(&kiosk, &b.item, b.priority)?;
        if d.settings().kiosk_prints_at_server {
            let printed = print_queue_ticket(d, &ticket, view.ahead);
            if let Err(why) = &printed {
                tracing::warn!("kiosk {}: the queue ticket {} did not print: {why}", kiosk.actor(), ticket.number);
            }
            view.printed = Some(printed);
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
    // A print system that hangs must not hold the citizen at the kiosk: the number is theirs
    // already; after a few seconds the kiosk says it did not print.
    let (tx, rx) = std::sync::mpsc::channel();
    let title = doc.title.clone();
    std::thread::spawn(move || {
        let _ = tx.send(print::print(&path, &printer.name, &title).map_err(|e| e.text(zh)));
    });
    rx.recv_timeout(PRINT_WAIT).unwrap_or_else(|_| Err("打印系统没有回应".into()))
}

/// How long a kiosk's take waits for the receipt printer's answer.
const PRINT_WAIT: Duration = Duration::from_secs(8);

/// A pad's stream: a `prompt` event with the visit to rate (or `null`) at once and whenever it
/// changes; a `revoked` event, and the end, when the pad is revoked.
pub(super) async fn pad_events(
    State(h): Shared,
    Extension(pad): Extension<Device>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let slot = StreamSlot::take(&h, format!("pad {}", pad.id), PAD_STREAMS_PER_DEVICE)
        .ok_or_else(|| too_many_streams(lang_of(&headers, h.lang)))?;
    let rx = h.changes.subscribe();
    let token = token_of(&headers).unwrap_or_default();
    let closing = h.closing.subscribe();
    let start = PadStream { h, rx, pad, token, last: None, done: false, closing, _slot: slot };
    let s = stream::unfold(start, |mut st| async move {
        loop {
            if st.done {
                return None;
            }
            if *st.closing.borrow() {
                return None;
            }
            if st.last.is_some() {
                tokio::select! {
                    _ = tokio::time::timeout(PAD_REFRESH, st.rx.changed()) => {}
                    _ = st.closing.changed() => return None,
                }
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
    Ok(Sse::new(s).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// Where a pad's stream stands: what it last sent, and whether it has ended.
struct PadStream {
    h: Arc<Hall>,
    rx: tokio::sync::watch::Receiver<u64>,
    pad: Device,
    token: String,
    last: Option<String>,
    done: bool,
    /// The server's stopping (see `Hall::closing`).
    closing: tokio::sync::watch::Receiver<bool>,
    _slot: StreamSlot,
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
