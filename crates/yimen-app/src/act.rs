//! One action on one ticket as a value: what the command line, the interface and the hall
//! server ask the desk to do, and how it travels over the API (`POST /api/tickets/{ref}/{name}`
//! with a body holding the fields it needs — docs/api.md).

use serde::{Deserialize, Serialize};

use super::{AcceptRequest, Desk, DeskError, Hint};
use yimen_domain::ticket::{FollowUp, SuspendReason, Ticket};

#[derive(Debug, Clone, PartialEq)]
pub enum Act {
    /// Call this waiting ticket to a window (a walk-in registered at the window).
    Call {
        window: String,
    },
    Recall,
    NoShow,
    Requeue,
    Accept(AcceptRequest),
    Notice {
        missing: Vec<String>,
    },
    Suspend {
        reason: SuspendReason,
        missing: Vec<String>,
        note: Option<String>,
    },
    Resume,
    Transfer {
        to: String,
        days: Option<u32>,
    },
    Complete {
        note: Option<String>,
    },
    Reject {
        reason: String,
    },
    Withdraw {
        reason: String,
    },
    Terminate {
        note: Option<String>,
    },
    Supply {
        material: String,
    },
    Rate {
        score: u8,
        comment: Option<String>,
    },
    FollowUp {
        step: FollowUp,
        note: String,
    },
    Reassign {
        to: String,
    },
    Reopen {
        reason: String,
    },
}

/// The body of an action on the wire; each action reads the fields it needs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Wire {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub material: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<FollowUp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspend: Option<SuspendReason>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accept: Option<AcceptRequest>,
}

/// What the API answers to a take or an action: the ticket as it is now, and its hints.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Acted {
    #[serde(flatten)]
    pub ticket: Ticket,
    #[serde(default)]
    pub hints: Vec<Hint>,
}

/// Why a wire body is not an action: no such action, or a field it needs is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireError {
    NoSuchAction(String),
    Missing(&'static str),
}

impl Act {
    /// The action's name in the API's path.
    pub fn name(&self) -> &'static str {
        match self {
            Act::Call { .. } => "call",
            Act::Recall => "recall",
            Act::NoShow => "noshow",
            Act::Requeue => "requeue",
            Act::Accept(_) => "accept",
            Act::Notice { .. } => "notice",
            Act::Suspend { .. } => "suspend",
            Act::Resume => "resume",
            Act::Transfer { .. } => "transfer",
            Act::Complete { .. } => "complete",
            Act::Reject { .. } => "reject",
            Act::Withdraw { .. } => "withdraw",
            Act::Terminate { .. } => "terminate",
            Act::Supply { .. } => "supply",
            Act::Rate { .. } => "rate",
            Act::FollowUp { .. } => "followup",
            Act::Reassign { .. } => "reassign",
            Act::Reopen { .. } => "reopen",
        }
    }

    /// The body sent with the action; `Act::from_wire(a.name(), a.to_wire())` gives `a` back.
    pub fn to_wire(&self) -> Wire {
        let w = Wire::default();
        match self.clone() {
            Act::Call { window } => Wire { window: Some(window), ..w },
            Act::Recall | Act::NoShow | Act::Requeue | Act::Resume => w,
            Act::Accept(req) => Wire { accept: Some(req), ..w },
            Act::Notice { missing } => Wire { missing, ..w },
            Act::Suspend { reason, missing, note } => Wire { suspend: Some(reason), missing, note, ..w },
            Act::Transfer { to, days } => Wire { to: Some(to), days, ..w },
            Act::Complete { note } | Act::Terminate { note } => Wire { note, ..w },
            Act::Reject { reason } | Act::Withdraw { reason } | Act::Reopen { reason } => {
                Wire { reason: Some(reason), ..w }
            }
            Act::Supply { material } => Wire { material: Some(material), ..w },
            Act::Rate { score, comment } => Wire { score: Some(score), comment, ..w },
            Act::FollowUp { step, note } => Wire { step: Some(step), note: Some(note), ..w },
            Act::Reassign { to } => Wire { to: Some(to), ..w },
        }
    }

    /// The action named `name` with the fields of `w`.
    pub fn from_wire(name: &str, w: Wire) -> Result<Act, WireError> {
        fn need<T>(v: Option<T>, field: &'static str) -> Result<T, WireError> {
            v.ok_or(WireError::Missing(field))
        }
        Ok(match name {
            "call" => Act::Call { window: need(w.window, "window")? },
            "recall" => Act::Recall,
            "noshow" => Act::NoShow,
            "requeue" => Act::Requeue,
            "accept" => Act::Accept(w.accept.unwrap_or_default()),
            "notice" => Act::Notice { missing: w.missing },
            "suspend" => Act::Suspend { reason: need(w.suspend, "suspend")?, missing: w.missing, note: w.note },
            "resume" => Act::Resume,
            "transfer" => Act::Transfer { to: need(w.to, "to")?, days: w.days },
            "complete" => Act::Complete { note: w.note },
            "reject" => Act::Reject { reason: need(w.reason, "reason")? },
            "withdraw" => Act::Withdraw { reason: need(w.reason, "reason")? },
            "terminate" => Act::Terminate { note: w.note },
            "supply" => Act::Supply { material: need(w.material, "material")? },
            "rate" => Act::Rate { score: need(w.score, "score")?, comment: w.comment },
            "followup" => Act::FollowUp { step: need(w.step, "step")?, note: need(w.note, "note")? },
            "reassign" => Act::Reassign { to: need(w.to, "to")? },
            "reopen" => Act::Reopen { reason: need(w.reason, "reason")? },
            other => return Err(WireError::NoSuchAction(other.chars().take(40).collect())),
        })
    }
}

impl Desk {
    /// Does `act` to the ticket `r` names; the hints are those of an acceptance.
    pub fn perform(&self, r: &str, act: &Act) -> Result<(Ticket, Vec<Hint>), DeskError> {
        let plain = |t: Result<Ticket, DeskError>| t.map(|t| (t, Vec::new()));
        match act {
            Act::Call { window } => plain(self.call_ticket(r, window)),
            Act::Recall => plain(self.recall(r)),
            Act::NoShow => plain(self.noshow(r)),
            Act::Requeue => plain(self.requeue(r)),
            Act::Accept(req) => self.accept(r, req),
            Act::Notice { missing } => plain(self.notice(r, missing)),
            Act::Suspend { reason, missing, note } => plain(self.suspend(r, *reason, missing, note.as_deref())),
            Act::Resume => plain(self.resume(r)),
            Act::Transfer { to, days } => plain(self.transfer(r, to, *days)),
            Act::Complete { note } => plain(self.complete(r, note.as_deref())),
            Act::Reject { reason } => plain(self.reject(r, reason)),
            Act::Withdraw { reason } => plain(self.withdraw(r, reason)),
            Act::Terminate { note } => plain(self.terminate(r, note.as_deref())),
            Act::Supply { material } => plain(self.supply(r, material)),
            Act::Rate { score, comment } => plain(self.rate(r, *score, comment.as_deref())),
            Act::FollowUp { step, note } => plain(self.follow_up(r, *step, note)),
            Act::Reassign { to } => plain(self.reassign(r, to)),
            Act::Reopen { reason } => plain(self.reopen(r, reason)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_survives_the_wire() {
        let all = [
            Act::Call { window: "1号窗口".into() },
            Act::Recall,
            Act::NoShow,
            Act::Requeue,
            Act::Accept(AcceptRequest { deferred: vec!["户口簿".into()], ..Default::default() }),
            Act::Notice { missing: vec!["身份证".into()] },
            Act::Suspend {
                reason: SuspendReason::Materials, missing: vec!["证明".into()], note: Some("补正".into())
            },
            Act::Resume,
            Act::Transfer { to: "县民政局".into(), days: Some(5) },
            Act::Complete { note: None },
            Act::Reject { reason: "不符合条件".into() },
            Act::Withdraw { reason: "本人撤回".into() },
            Act::Terminate { note: Some("死亡".into()) },
            Act::Supply { material: "户口簿".into() },
            Act::Rate { score: 2, comment: Some("慢".into()) },
            Act::FollowUp { step: FollowUp::Callback, note: "已回访".into() },
            Act::Reassign { to: "王芳".into() },
            Act::Reopen { reason: "复核".into() },
        ];
        for a in all {
            let json = serde_json::to_string(&a.to_wire()).expect("a wire body serializes");
            let back: Wire = serde_json::from_str(&json).expect("and parses");
            assert_eq!(Act::from_wire(a.name(), back), Ok(a.clone()), "{json}");
        }
        assert_eq!(Act::from_wire("explode", Wire::default()), Err(WireError::NoSuchAction("explode".into())));
        assert_eq!(Act::from_wire("reject", Wire::default()), Err(WireError::Missing("reason")));
    }
}
