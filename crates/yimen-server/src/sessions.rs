//! Sign-in, sign-out and the sessions they make: a random token whose SHA-256 is kept in
//! memory and in the database (so a restarted server keeps every window signed in).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Instant;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, Shared, lang_of};
use yimen_app::{Desk, DeskError, SavedSession};
use yimen_domain::account::AccountError;
use yimen_domain::lang::Localized;

/// The most sign-ins kept at once (a hall has a few dozen windows and scripts).
const MAX_SESSIONS: usize = 500;

pub(super) struct Session {
    pub(super) clerk: String,
    /// The account's role at sign-in (the route check; the desk checks the role as it is now).
    pub(super) role: yimen_domain::account::Role,
    /// The account's credential stamp at sign-in: a PIN change ends the session.
    pub(super) stamp: String,
    pub(super) expires: Instant,
    /// The same end in Unix seconds, for the copy kept in the database.
    pub(super) until: u64,
}

/// Sessions are kept by the SHA-256 of their token, in memory and in the database.
pub(super) fn token_hash(token: &str) -> String {
    use sha2::Digest;
    yimen_domain::token::hex(&sha2::Sha256::digest(token.as_bytes()))
}

pub(super) fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Saves the live sessions, so a restarted server keeps every window signed in.
pub(super) fn persist(desk: &Desk, sessions: &HashMap<String, Session>) -> Result<(), DeskError> {
    let now = Instant::now();
    let saved: Vec<SavedSession> = sessions
        .iter()
        .filter(|(_, s)| s.expires > now)
        .map(|(k, s)| SavedSession {
            token_hash: k.clone(),
            clerk: s.clerk.clone(),
            expires: s.until,
            stamp: s.stamp.clone(),
        })
        .collect();
    desk.save_sessions(&saved)
}

#[derive(Deserialize)]
pub(super) struct SignIn {
    clerk: String,
    pin: String,
}

pub(super) async fn sign_in(
    State(h): Shared,
    ConnectInfo(from): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(b): Json<SignIn>,
) -> Result<Json<Value>, ApiError> {
    let lang = lang_of(&headers, h.lang);
    let token = yimen_domain::token::random_hex::<32>()
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?;
    let expires_in = h.session.as_secs();
    let hall = h.clone();
    let (name, pin) = (b.clerk, b.pin);
    let who = yimen_domain::text::escape_for_output(&name.chars().take(40).collect::<String>(), false);
    let hash = token_hash(&token);
    let ip = from.ip();
    // A try already held back is refused at once, without waiting (it is looked at again under
    // the judging lock, where tries are judged one at a time).
    let early = h.throttle.lock().unwrap_or_else(|p| p.into_inner()).wait(ip, name_key(&name), Instant::now());
    if early > 0 {
        h.log(&format!("server sign-in {who} from {}: held back {early} s", from.ip()));
        return Err(ApiError::desk(AccountError::Throttled(early).into(), lang));
    }
    let role = tokio::task::spawn_blocking(move || {
        // PINs are judged one at a time, and the wait is looked at under the same lock: tries
        // sent all at once each see the strikes of those judged before them.
        let _judging = hall.judging.lock().unwrap_or_else(|p| p.into_inner());
        let desk = hall.fork();
        let wait = hall.throttle.lock().unwrap_or_else(|p| p.into_inner()).wait(ip, name_key(&name), Instant::now());
        if wait > 0 {
            return Err(DeskError::from(AccountError::Throttled(wait)));
        }
        // The name as the desk reads it (trimmed): the session's requests act as that account.
        let r = desk.sign_in(&name, &pin).and_then(|who| {
            let canonical = who.clerk.unwrap_or_default();
            let role = who.role.ok_or(AccountError::BadCredentials)?;
            Ok((role, desk.credential_stamp(&canonical)?.unwrap_or_default(), canonical))
        });
        let mut throttle = hall.throttle.lock().unwrap_or_else(|p| p.into_inner());
        match &r {
            Ok(_) => throttle.succeeded(name_key(&name)),
            Err(DeskError::Account(AccountError::BadCredentials)) => {
                throttle.failed(ip, name_key(&name), Instant::now())
            }
            Err(_) => {}
        }
        drop(throttle);
        let (role, stamp, name) = r?;
        let mut sessions = hall.sessions.lock().unwrap_or_else(|p| p.into_inner());
        let session = Session {
            clerk: name.clone(),
            role,
            stamp,
            expires: Instant::now() + hall.session,
            until: unix_now() + expires_in,
        };
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

/// The name a sign-in is counted under (as the desk reads it: trimmed, at most 40 chars).
fn name_key(name: &str) -> &str {
    let t = name.trim();
    match t.char_indices().nth(40) {
        Some((i, _)) => &t[..i],
        None => t,
    }
}

/// Ends every session of `clerk` (a PIN changed, an account disabled).
pub(super) fn end_sessions_of(
    desk: &Desk,
    sessions: &mut HashMap<String, Session>,
    clerk: &str,
) -> Result<(), DeskError> {
    sessions.retain(|_, s| s.clerk != clerk);
    persist(desk, sessions)
}

pub(super) async fn sign_out(State(h): Shared, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let lang = h.caller(&headers)?.lang;
    if let Some(t) = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "))
    {
        let (hall, hash) = (h.clone(), token_hash(t.trim()));
        tokio::task::spawn_blocking(move || {
            let desk = hall.fork();
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
