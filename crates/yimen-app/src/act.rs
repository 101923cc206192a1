//! One action on one ticket as a value: what the command line, the interface and the hall
//! server ask the desk to do. The same value is the API's body (`POST
//! /api/tickets/{ref}/{action}`, docs/api.md): serde reads and writes it, tagged by its
//! `action` name, so there is no second spelling of the actions for the wire.
//!
//! Adding an action is one variant here (its fields as the clerk gives them), its arm in
//! [`Acting::perform`](crate::Acting::perform) (the input checks that turn it into the domain's `Command`), and the
//! domain's transition rule for it.

use serde::{Deserialize, Serialize};

use super::{AcceptRequest, Acting, Desk, DeskError, Hint};
use crate::input;
use yimen_domain::account::{AccountError, Role};
use yimen_domain::text::Field;
use yimen_domain::ticket::{
    Action, BadReason, Command, CorrectField, Corrected, FollowUp, RatingSource, SuspendReason, Ticket, TransitionError,
};

/// An action a clerk (or a supervisor) takes on one ticket. On the wire: a JSON object with
/// `"action": "<name>"` and the variant's fields (`{"action": "reject", "reason": "…"}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Act {
    /// Call this waiting ticket to a window (a walk-in registered at the window).
    Call { window: String },
    /// Call the same number again (at most `MAX_RECALLS` times).
    Recall,
    /// 过号: the citizen did not come after the recalls.
    #[serde(rename = "noshow")]
    NoShow,
    /// A no-show who came back later goes back into the queue.
    Requeue,
    /// 受理 (容缺受理 when materials are deferred).
    Accept(AcceptRequest),
    /// 一次性告知: the complete list of missing materials in writing; the visit ends.
    Notice {
        #[serde(default)]
        missing: Vec<String>,
    },
    /// 中止: the clock stops (补正 materials, a public notice, an expert assessment).
    Suspend {
        reason: SuspendReason,
        #[serde(default)]
        missing: Vec<String>,
        #[serde(default)]
        note: Option<String>,
    },
    /// 恢复办理: the suspended case's clock runs again.
    Resume,
    /// 转办 to a department, with its own time limit in working days (1–365).
    Transfer {
        to: String,
        #[serde(default)]
        days: Option<u32>,
    },
    /// 办结, with an optional note such as "已发放".
    Complete {
        #[serde(default)]
        note: Option<String>,
    },
    /// 不予受理/不予许可, with the reason the citizen is told.
    Reject { reason: String },
    /// 撤回 at the citizen's request.
    Withdraw { reason: String },
    /// 终止.
    Terminate {
        #[serde(default)]
        note: Option<String>,
    },
    /// The citizen brings a deferred (容缺) material.
    Supply { material: String },
    /// 好差评: 1 (非常不满意) … 5 (非常满意).
    Rate {
        score: u8,
        #[serde(default)]
        comment: Option<String>,
        /// For a 差评: the reasons the citizen gave (ignored for 3–5).
        #[serde(default)]
        reasons: Vec<BadReason>,
    },
    /// A step of the supervisor's 差评 follow-up (回访 → 核实 → 整改 → 反馈).
    FollowUp { step: FollowUp, note: String },
    /// A supervisor hands the case to another clerk.
    Reassign { to: String },
    /// A supervisor reopens a closed case.
    Reopen { reason: String },
    /// 更正: puts one field of the citizen's or the proxy's details right (an empty `to`
    /// empties it), with the reason; the event keeps the value before and after.
    Correct { field: CorrectField, to: String, reason: String },
}

/// What the API answers to a take or an action: the ticket as it is now, and its hints.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Acted {
    #[serde(flatten)]
    pub ticket: Ticket,
    #[serde(default)]
    pub hints: Vec<Hint>,
}

/// Why a body is not the action its path names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// The path names no action (at most 40 characters of it).
    NoSuchAction(String),
    /// What is wrong with the body, in serde's words.
    Body(String),
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyError::NoSuchAction(a) => write!(f, "no such action: {a}"),
            BodyError::Body(why) => f.write_str(why),
        }
    }
}

impl Act {
    /// The kind of event the action records.
    pub fn action(&self) -> Action {
        match self {
            Act::Call { .. } => Action::Call,
            Act::Recall => Action::Recall,
            Act::NoShow => Action::NoShow,
            Act::Requeue => Action::Requeue,
            Act::Accept(_) => Action::Accept,
            Act::Notice { .. } => Action::Notice,
            Act::Suspend { .. } => Action::Suspend,
            Act::Resume => Action::Resume,
            Act::Transfer { .. } => Action::Transfer,
            Act::Complete { .. } => Action::Complete,
            Act::Reject { .. } => Action::Reject,
            Act::Withdraw { .. } => Action::Withdraw,
            Act::Terminate { .. } => Action::Terminate,
            Act::Supply { .. } => Action::Supply,
            Act::Rate { .. } => Action::Rate,
            Act::FollowUp { .. } => Action::FollowUp,
            Act::Reassign { .. } => Action::Reassign,
            Act::Reopen { .. } => Action::Reopen,
            Act::Correct { .. } => Action::Correct,
        }
    }

    /// The action's name: the `action` tag of its body and the last part of its API path.
    pub fn name(&self) -> &'static str {
        self.action().code()
    }

    /// The least role the action needs beyond a signed-in clerk (docs/security.md).
    pub fn needs(&self) -> Role {
        match self {
            Act::FollowUp { .. } | Act::Reassign { .. } | Act::Reopen { .. } => Role::Supervisor,
            _ => Role::Clerk,
        }
    }

    /// Reads the action named `name` (the API path's last part) from a JSON body holding its
    /// fields; the body's own `action`, when it has one, must be the same name.
    ///
    /// # Errors
    /// `NoSuchAction` for a name that is no action; otherwise `Body` with serde's message (a
    /// missing or mistyped field, an unknown field, a body that is not an object).
    pub fn from_json(name: &str, mut body: serde_json::Value) -> Result<Act, BodyError> {
        match &mut body {
            serde_json::Value::Object(fields) => {
                if let Some(given) = fields.get("action").and_then(|v| v.as_str())
                    && given != name
                {
                    return Err(BodyError::Body(format!("the body's action `{given}` is not the path's `{name}`")));
                }
                fields.insert("action".into(), serde_json::Value::String(name.into()));
            }
            serde_json::Value::Null => body = serde_json::json!({ "action": name }),
            _ => return Err(BodyError::Body("the body is not a JSON object".into())),
        }
        serde_json::from_value(body).map_err(|e| {
            let e = e.to_string();
            // serde names an unknown tag this way (serde's `Error::unknown_variant`); an unknown
            // value of a field (a suspension's `reason`) is a bad body, not a missing action.
            if e.starts_with(&format!("unknown variant `{name}`")) {
                BodyError::NoSuchAction(name.chars().take(40).collect())
            } else {
                BodyError::Body(e)
            }
        })
    }
}

impl Acting<'_> {
    /// Does `act` to the ticket `r` names (an id, today's queue number or `date/number`); the
    /// hints are those of an acceptance. The one entry for every action, from the command
    /// line, the interface and the server alike.
    ///
    /// # Errors
    /// A reference that does not read or names no ticket; the acting account's role; an input
    /// that does not pass its check (`Input`, `Setting`); a transition the ticket's state
    /// does not allow; the store's.
    pub fn perform(&self, r: &str, act: &Act) -> Result<(Ticket, Vec<Hint>), DeskError> {
        if act.needs() > Role::Clerk {
            self.require(act.needs())?;
        }
        let materials = |names: &[String]| -> Result<Vec<String>, DeskError> {
            names.iter().map(|m| input::short(Field::Material, m)).collect()
        };
        let mut window = None;
        let cmd = match act {
            Act::Accept(req) => return self.accept(r, req),
            Act::Call { window: w } => {
                let w = input::short(Field::Window, w)?;
                window = Some(w.clone());
                Command::Call { window: w }
            }
            Act::Recall => Command::Recall,
            Act::NoShow => Command::NoShow,
            Act::Requeue => Command::Requeue,
            Act::Notice { missing } => Command::Notice { missing: materials(missing)? },
            Act::Suspend { reason, missing, note } => Command::Suspend {
                reason: *reason,
                missing: materials(missing)?,
                note: input::optional_note(Field::Note, note.as_deref())?,
            },
            Act::Resume => Command::Resume,
            Act::Transfer { to, days } => {
                if let Some(d) = days.filter(|&d| d == 0 || d > 365) {
                    let why = crate::error::SettingWhy::OutOfRange {
                        value: d.to_string(),
                        min: 1,
                        max: 365,
                        unit: ("个工作日", "working days"),
                    };
                    return Err(DeskError::Setting("--days".into(), why));
                }
                Command::Transfer { to: input::short(Field::Department, to)?, days: *days }
            }
            Act::Complete { note } => Command::Complete { note: input::optional_note(Field::Note, note.as_deref())? },
            Act::Reject { reason } => Command::Reject { reason: input::required_note(Field::Reason, reason)? },
            Act::Withdraw { reason } => Command::Withdraw { reason: input::required_note(Field::Reason, reason)? },
            Act::Terminate { note } => Command::Terminate { note: input::optional_note(Field::Note, note.as_deref())? },
            Act::Supply { material } => Command::Supply { material: input::short(Field::Material, material)? },
            // A rating through the clerk's own sign-in is keyed, whoever's finger pressed it;
            // a pad's goes through `Desk::rate_at_pad`.
            Act::Rate { score, comment, reasons } => Command::Rate {
                score: *score,
                comment: input::optional_note(Field::Comment, comment.as_deref())?,
                follow_up_days: self.settings().follow_up_days,
                source: RatingSource::Keyed,
                reasons: reasons.clone(),
            },
            Act::FollowUp { step, note } => {
                Command::FollowUp { step: *step, note: input::required_note(Field::Note, note)? }
            }
            Act::Reassign { to } => {
                let to = input::short(Field::Clerk, to)?;
                if self.accounts_now()? && !self.users()?.iter().any(|u| u.name == to && !u.disabled) {
                    return Err(AccountError::Unknown(to).into());
                }
                Command::Reassign { to }
            }
            Act::Reopen { reason } => Command::Reopen { reason: input::required_note(Field::Reason, reason)? },
            Act::Correct { field, to, reason } => Command::Correct {
                to: self.corrected(*field, to)?,
                reason: input::required_note(Field::Reason, reason)?,
            },
        };
        // An accepted case of an item that needs the ID number keeps one: a correction does not
        // clear it (as an acceptance would not have been made without it).
        let clears_id = matches!(&cmd, Command::Correct { to: Corrected::IdNumber(None), .. });
        let catalog = self.catalog();
        let done = self.act(r, window, |old| {
            if clears_id && old.accepted_at.is_some() && catalog.item(&old.item).is_none_or(|i| i.requires_id) {
                return Err(TransitionError::MissingApplicant(yimen_domain::ticket::ApplicantField::IdNumber).into());
            }
            Ok(cmd)
        });
        // "Already that value" confirms a guess at a masked number: for a clerk it goes on the
        // record like a reveal (who, which ticket — never the number).
        if let (Err(DeskError::Transition(TransitionError::Unchanged { field, .. })), Act::Correct { .. }) =
            (&done, act)
            && field.is_personal_number()
            && self.below_supervisor()
        {
            let clerk = self.who.clerk.clone().unwrap_or_default();
            self.record_reveal_by(
                &clerk,
                format!("correction of ticket {r}: {} matched the stored value", field.code()),
            )?;
        }
        done.map(|t| (t, Vec::new()))
    }
}

impl Desk {
    /// The new value of a corrected field, checked exactly as the intake form checks it.
    fn corrected(&self, field: CorrectField, to: &str) -> Result<Corrected, DeskError> {
        use crate::{CitizenInput, ProxyInput};
        let today = self.clock().today();
        let given = Some(to.to_string());
        let citizen = |c: CitizenInput| c.check(today);
        // A proxy's phone or ID number is checked beside a stand-in name (the proxy's own name
        // is not being changed).
        let proxy = |p: ProxyInput| p.check(today);
        Ok(match field {
            CorrectField::Name => Corrected::Name(citizen(CitizenInput { name: given, ..Default::default() })?.name),
            CorrectField::IdNumber => {
                Corrected::IdNumber(citizen(CitizenInput { id_number: given, ..Default::default() })?.id_number)
            }
            CorrectField::Phone => {
                Corrected::Phone(citizen(CitizenInput { phone: given, ..Default::default() })?.phone)
            }
            CorrectField::Village => {
                Corrected::Village(citizen(CitizenInput { village: given, ..Default::default() })?.village)
            }
            CorrectField::ProxyName => {
                Corrected::ProxyName(ProxyInput { name: given, ..Default::default() }.check(today)?.map(|p| p.name))
            }
            CorrectField::ProxyPhone => Corrected::ProxyPhone(
                proxy(ProxyInput { name: Some("代办人".into()), phone: given, ..Default::default() })?
                    .and_then(|p| p.phone),
            ),
            CorrectField::ProxyIdNumber => Corrected::ProxyIdNumber(
                proxy(ProxyInput { name: Some("代办人".into()), id_number: given, ..Default::default() })?
                    .and_then(|p| p.id_number),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_action() -> Vec<Act> {
        vec![
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
            Act::Rate { score: 2, comment: Some("慢".into()), reasons: vec![BadReason::Efficiency] },
            Act::FollowUp { step: FollowUp::Callback, note: "已回访".into() },
            Act::Reassign { to: "王芳".into() },
            Act::Reopen { reason: "复核".into() },
            Act::Correct {
                field: CorrectField::IdNumber, to: "430822194503153325".into(), reason: "录错一位".into()
            },
        ]
    }

    #[test]
    fn every_action_survives_the_wire_under_its_event_name() {
        for a in every_action() {
            let json = serde_json::to_value(&a).expect("an action serializes");
            assert_eq!(json["action"], a.action().code(), "{json}");
            assert_eq!(Act::from_json(a.name(), json.clone()), Ok(a.clone()), "{json}");
            // The path names the action; a body without the tag is read the same.
            let mut untagged = json.clone();
            untagged.as_object_mut().expect("an object").remove("action");
            assert_eq!(Act::from_json(a.name(), untagged), Ok(a.clone()), "{json}");
        }
    }

    #[test]
    fn a_body_that_is_not_the_action_is_refused_with_what_is_wrong() {
        let said = |r: Result<Act, BodyError>| r.expect_err("refused").to_string();
        let no_reason = said(Act::from_json("reject", serde_json::Value::Null));
        assert!(no_reason.contains("reason"), "{no_reason}");
        assert_eq!(Act::from_json("explode", serde_json::json!({})), Err(BodyError::NoSuchAction("explode".into())));
        // `take` is an event but not an action on a ticket.
        assert_eq!(Act::from_json("take", serde_json::json!({})), Err(BodyError::NoSuchAction("take".into())));
        let stray = said(Act::from_json("complete", serde_json::json!({"note": "好", "score": 5})));
        assert!(stray.contains("score"), "{stray}");
        let other = said(Act::from_json("complete", serde_json::json!({"action": "reject", "reason": "x"})));
        assert!(other.contains("reject"), "{other}");
        assert_eq!(Act::from_json("resume", serde_json::Value::Null), Ok(Act::Resume));
        // A bad value of a field is a bad body, not a missing action; an acceptance's body is
        // its fields, and a stray wrapper is refused rather than accepting with nothing.
        assert!(matches!(Act::from_json("suspend", serde_json::json!({"reason": "foo"})), Err(BodyError::Body(_))));
        let wrapped = Act::from_json("accept", serde_json::json!({"accept": {"deferred": ["照片"]}}));
        assert!(matches!(wrapped, Err(BodyError::Body(_))), "{wrapped:?}");
        assert!(Act::from_json("resume", serde_json::json!([1])).is_err());
    }
}
