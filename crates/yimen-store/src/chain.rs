//! The audit chain: every event carries the hash of the event before it, across the whole
//! hall, so the history is one chain. Changing, removing or inserting any stored event breaks
//! the chain from that point; the head hash printed on the signed daily report anchors it
//! outside the file.

use sha2::{Digest, Sha256};

use yimen_domain::ticket::Event;

/// The `prev` of the very first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn field(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

fn opt(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => {
            out.push(1);
            field(out, s.as_bytes());
        }
        None => out.push(0),
    }
}

/// The canonical encoding of an event: every field in a fixed order, each length-prefixed,
/// independent of how records are stored. `hash` itself is left out; `prev` is in.
pub fn canonical(e: &Event) -> Vec<u8> {
    let mut out = Vec::with_capacity(160);
    out.extend_from_slice(b"yimen-event-v1");
    field(&mut out, e.prev.as_bytes());
    out.extend_from_slice(&e.ticket.to_be_bytes());
    out.extend_from_slice(&e.seq.to_be_bytes());
    out.extend_from_slice(&e.at.unix_timestamp_nanos().to_be_bytes());
    out.push(u8::from(e.clock_override));
    field(&mut out, e.clerk.as_bytes());
    opt(&mut out, e.window.as_deref());
    field(&mut out, e.action.code().as_bytes());
    opt(&mut out, e.from.map(|s| s.code()));
    field(&mut out, e.to.code().as_bytes());
    opt(&mut out, e.note.as_deref());
    // Added in data version 7; events before it hash exactly as they did.
    if let Some(state) = &e.state {
        out.extend_from_slice(b"state");
        field(&mut out, state.as_bytes());
    }
    out
}

/// The hash a ticket's stored record is anchored by (SHA-256 of its bytes, hex).
pub fn state_of(record: &[u8]) -> String {
    yimen_domain::token::hex(&Sha256::digest(record))
}

pub fn hash_of(e: &Event) -> String {
    yimen_domain::token::hex(&Sha256::digest(canonical(e)))
}

/// Links `e` to the chain whose head is `prev`, returning the new head.
pub fn link(e: &mut Event, prev: &str) -> String {
    e.prev = prev.to_string();
    e.hash = hash_of(e);
    e.hash.clone()
}

/// The result of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    Intact {
        events: u64,
        head: String,
        /// Tickets whose newest event is from before data version 7 and so carries no hash of
        /// the record (their events are covered; their stored record is not).
        #[serde(default)]
        uncovered: u64,
    },
    /// The chain holds, but stored ticket records differ from what their newest event says
    /// they were (edited in the file): each ticket id with what is wrong.
    Altered { events: u64, head: String, tickets: Vec<(u64, String)> },
    /// The first event whose link does not hold: its place in the chain, ticket and time.
    Broken { position: u64, ticket: u64, seq: u32, at: Option<time::OffsetDateTime>, why: String },
}

#[cfg(test)]
mod tests {
    use super::*;
    use yimen_domain::ticket::{Action, Status};

    fn event(note: &str) -> Event {
        Event {
            ticket: 1,
            seq: 0,
            at: time::macros::datetime!(2026-11-30 01:00 UTC),
            clock_override: false,
            clerk: "李娟".into(),
            window: Some("1".into()),
            action: Action::Take,
            from: None,
            to: Status::Waiting,
            note: Some(note.into()),
            prev: String::new(),
            hash: String::new(),
            state: None,
        }
    }

    #[test]
    fn every_field_is_covered_and_links_chain() {
        let mut a = event("x");
        let h1 = link(&mut a, GENESIS);
        assert_eq!(h1.len(), 64);
        assert_eq!(hash_of(&a), h1, "stable");
        let mut b = event("y");
        assert_ne!(link(&mut b, GENESIS), h1, "the note is covered");
        let mut c = event("x");
        assert_ne!(link(&mut c, &h1), h1, "the previous hash is covered");
        let mut d = event("x");
        d.clerk = "王芳".into();
        assert_ne!(link(&mut d, GENESIS), h1, "the clerk is covered");
        // Length prefixes keep field boundaries: ("ab", "c") differs from ("a", "bc").
        let mut e1 = event("c");
        e1.clerk = "ab".into();
        let mut e2 = event("bc");
        e2.clerk = "a".into();
        assert_ne!(link(&mut e1, GENESIS), link(&mut e2, GENESIS));
    }
}
