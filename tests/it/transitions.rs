//! The state machine: every allowed and forbidden transition, and a property test of random
//! command sequences against a small independent model.

use proptest::prelude::*;
use time::macros::date;
use time::{Date, Duration, PrimitiveDateTime, Time};

use yimen::domain::calendar::Calendar;
use yimen::domain::catalog::Catalog;
use yimen::domain::citizen::Citizen;
use yimen::domain::id_number::IdNumber;
use yimen::domain::lang::{Lang, Localized};
use yimen::domain::queue::QueueNumber;
use yimen::domain::ticket::{
    Action, Command, Context, CorrectField, Corrected, RatingSource, Status, SuspendReason, Ticket, TransitionError,
    mask_correction_note,
};

fn ctx(cal: &Calendar, day: Date) -> Context<'_> {
    Context {
        at: PrimitiveDateTime::new(day, Time::from_hms(2, 0, 0).unwrap()).assume_utc(),
        today: day,
        clerk: "李娟".into(),
        window: Some("1".into()),
        calendar: cal,
        clock_override: false,
    }
}

fn applicant() -> Citizen {
    Citizen {
        name: Some("张三".into()),
        id_number: Some(IdNumber::parse("430822195602294056", date!(2026 - 11 - 30)).unwrap()),
        ..Default::default()
    }
}

fn command<'a>(action: Action, catalog: &'a Catalog, item: &str) -> Command<'a> {
    let item = catalog.item(item).unwrap();
    match action {
        Action::Take
        | Action::SignInFailed
        | Action::Lockout
        | Action::Account
        | Action::Reveal
        | Action::CalendarImport => {
            unreachable!("not a ticket transition")
        }
        Action::Call => Command::Call { window: "1".into() },
        Action::Recall => Command::Recall,
        Action::NoShow => Command::NoShow,
        Action::Requeue => Command::Requeue,
        Action::Accept => Command::Accept {
            item,
            citizen: applicant(),
            proxy: None,
            deferred: item.materials.iter().filter(|m| m.may_defer).map(|m| m.name.clone()).collect(),
            make_good_days: 5,
        },
        Action::Suspend => {
            Command::Suspend { reason: SuspendReason::Materials, missing: vec!["户口簿".into()], note: None }
        }
        Action::Resume => Command::Resume,
        Action::Transfer => Command::Transfer { to: "县民政局".into(), days: None },
        Action::Complete => Command::Complete { note: None },
        Action::Reject => Command::Reject { reason: "不符合条件".into() },
        Action::Withdraw => Command::Withdraw { reason: "本人撤回".into() },
        Action::Terminate => Command::Terminate { note: None },
        Action::Supply => Command::Supply { material: "照片".into() },
        Action::Rate => {
            Command::Rate { score: 2, comment: None, follow_up_days: 5, source: RatingSource::Keyed, reasons: vec![] }
        }
        Action::Reopen => Command::Reopen { reason: "群众补充材料".into() },
        Action::Notice => Command::Notice { missing: vec!["户口簿".into()] },
        Action::FollowUp => {
            Command::FollowUp { step: yimen::domain::ticket::FollowUp::Callback, note: "已回访".into() }
        }
        Action::Reassign => Command::Reassign { to: "向红".into() },
        Action::Correct => Command::Correct { to: Corrected::Name(Some("张叁".into())), reason: "错字".into() },
    }
}

const ACTIONS: [Action; 19] = [
    Action::Correct,
    Action::FollowUp,
    Action::Reassign,
    Action::Notice,
    Action::Call,
    Action::Recall,
    Action::NoShow,
    Action::Requeue,
    Action::Accept,
    Action::Suspend,
    Action::Resume,
    Action::Transfer,
    Action::Complete,
    Action::Reject,
    Action::Withdraw,
    Action::Terminate,
    Action::Supply,
    Action::Rate,
    Action::Reopen,
];

/// Drives a fresh ticket of `item` along `path` and returns it.
fn ticket_via(cal: &Calendar, catalog: &Catalog, item: &str, path: &[Action]) -> Ticket {
    let day = date!(2026 - 11 - 30);
    let c = ctx(cal, day);
    let it = catalog.item(item).unwrap();
    let (mut t, _) =
        Ticket::take(1, QueueNumber { letter: 'A', seq: 12 }, it, None, Citizen::default(), None, None, &c);
    for a in path {
        t = t.apply(command(*a, catalog, item), &c).unwrap_or_else(|e| panic!("{a:?}: {e}")).0;
    }
    t
}

/// The domain table from domain.md, written out independently of `Action::allowed_from`.
fn table(status: Status) -> Vec<Status> {
    use Status::*;
    match status {
        Waiting => vec![Called, Withdrawn],
        Called => vec![Accepted, NoShow, Rejected, Withdrawn, Completed, Notified],
        NoShow => vec![Waiting, Withdrawn],
        Accepted => vec![Suspended, Transferred, Completed, Rejected, Withdrawn, Terminated],
        Suspended => vec![Accepted, Withdrawn, Terminated],
        Transferred => vec![Completed, Rejected],
        Completed => vec![Accepted],
        Rejected | Withdrawn | Terminated | Notified => vec![],
    }
}

#[test]
fn every_transition_of_the_domain_table_and_no_other() {
    let cal = Calendar::builtin();
    let catalog = Catalog::builtin();
    use Action::*;
    // A path into each state, with an on-the-spot item (SB03) where that matters.
    let paths: Vec<(Status, &str, Vec<Action>)> = vec![
        (Status::Waiting, "MZ01", vec![]),
        (Status::Called, "SB03", vec![Call]),
        (Status::Called, "MZ01", vec![Call, Recall]),
        (Status::NoShow, "MZ01", vec![Call, Recall, NoShow]),
        (Status::Accepted, "MZ01", vec![Call, Accept]),
        (Status::Suspended, "MZ01", vec![Call, Accept, Suspend]),
        (Status::Transferred, "MZ01", vec![Call, Accept, Transfer]),
        (Status::Completed, "MZ01", vec![Call, Accept, Complete]),
        (Status::Rejected, "MZ01", vec![Call, Reject]),
        (Status::Withdrawn, "MZ01", vec![Withdraw]),
    ];
    let mut reached = std::collections::BTreeSet::new();
    for (status, item, path) in &paths {
        let t = ticket_via(&cal, &catalog, item, path);
        assert_eq!(t.status, *status);
        let c = ctx(&cal, date!(2026 - 11 - 30));
        for a in ACTIONS {
            let result = t.apply(command(a, &catalog, item), &c);
            match result {
                Ok((next, event)) => {
                    assert!(
                        next.status == t.status || table(t.status).contains(&next.status),
                        "{status:?} --{a:?}--> {:?} is not in the table",
                        next.status
                    );
                    assert_eq!((event.from, event.to, event.action), (Some(t.status), next.status, a));
                    assert_eq!(event.seq, t.events);
                    assert_eq!(next.events, t.events + 1);
                    reached.insert((t.status, next.status));
                }
                Err(e) => {
                    // A refusal names the ticket or the missing fact, in both languages.
                    assert!(!e.to_string().is_empty() && !e.localized(Lang::Zh).is_empty());
                    assert!(!e.localized(Lang::Zh).contains('\n'));
                }
            }
        }
    }
    // Every edge of the table is reachable (Terminated needs time to pass: tested below).
    for (from, _, _) in &paths {
        for to in table(*from) {
            if to == Status::Terminated {
                continue;
            }
            assert!(reached.contains(&(*from, to)), "{from:?} → {to:?} never happened");
        }
    }
}

#[test]
fn the_refusals_say_why() {
    let cal = Calendar::builtin();
    let catalog = Catalog::builtin();
    let c = ctx(&cal, date!(2026 - 11 - 30));
    let called = ticket_via(&cal, &catalog, "MZ01", &[Action::Call]);
    let e = called.apply(Command::Complete { note: None }, &c).unwrap_err();
    assert_eq!(e, TransitionError::NeverAccepted { number: called.number });
    assert_eq!(e.to_string().split(" (").next().unwrap(), "A012 was never accepted, so it cannot be completed");
    assert!(e.localized(Lang::Zh).starts_with("A012 尚未受理，不能办结"));
    let waiting = ticket_via(&cal, &catalog, "MZ01", &[]);
    assert!(matches!(waiting.apply(Command::Complete { note: None }, &c), Err(TransitionError::NeverAccepted { .. })));
    assert!(matches!(called.apply(Command::NoShow, &c), Err(TransitionError::NotRecalled { .. })));
    let mut t = called.clone();
    for _ in 0..3 {
        t = t.apply(Command::Recall, &c).unwrap().0;
    }
    assert!(matches!(t.apply(Command::Recall, &c), Err(TransitionError::TooManyRecalls { .. })));
    let done = ticket_via(&cal, &catalog, "SB03", &[Action::Call, Action::Complete]);
    let rated = done
        .apply(
            Command::Rate { score: 5, comment: None, follow_up_days: 5, source: RatingSource::Keyed, reasons: vec![] },
            &c,
        )
        .unwrap()
        .0;
    assert!(matches!(
        rated.apply(
            Command::Rate { score: 4, comment: None, follow_up_days: 5, source: RatingSource::Keyed, reasons: vec![] },
            &c
        ),
        Err(TransitionError::AlreadyRated { .. })
    ));
    assert!(matches!(
        done.apply(
            Command::Rate { score: 0, comment: None, follow_up_days: 5, source: RatingSource::Keyed, reasons: vec![] },
            &c
        ),
        Err(TransitionError::Score(0))
    ));
    // A refusal offers only what can succeed: no second rating, no follow-up of a good one.
    let e = rated.apply(Command::Withdraw { reason: "x".into() }, &c).unwrap_err();
    let zh = e.localized(Lang::Zh);
    assert!(zh.contains("重新办理") && !zh.contains("评价") && !zh.contains("差评回访"), "{zh}");
    assert!(e.to_string().contains("now possible: reopen"), "{e}");
    let closed = ticket_via(&cal, &catalog, "MZ01", &[Action::Withdraw]);
    let e = closed.apply(Command::Call { window: "1".into() }, &c).unwrap_err();
    assert!(e.localized(Lang::Zh).contains("已撤回"), "{}", e.localized(Lang::Zh));
    // Deferring a key material is refused.
    let item = catalog.item("SB04").unwrap();
    let called = ticket_via(&cal, &catalog, "SB04", &[Action::Call]);
    let cmd =
        Command::Accept {
            item, citizen: applicant(), proxy: None, deferred: vec!["身份证".into()], make_good_days: 5
        };
    assert!(matches!(called.apply(cmd, &c), Err(TransitionError::NotDeferrable { .. })));
}

#[test]
fn a_correction_changes_one_field_in_any_state_and_keeps_before_and_after() {
    let cal = Calendar::builtin();
    let catalog = Catalog::builtin();
    let c = ctx(&cal, date!(2026 - 11 - 30));
    let accepted = ticket_via(&cal, &catalog, "MZ01", &[Action::Call, Action::Accept]);
    let right = IdNumber::parse("430822194503153325", date!(2026 - 11 - 30)).unwrap();
    let cmd = Command::Correct { to: Corrected::IdNumber(Some(right.clone())), reason: "录错".into() };
    let (t, e) = accepted.apply(cmd, &c).unwrap();
    assert_eq!(t.citizen.id_number, Some(right));
    assert_eq!((e.action, e.from, e.to), (Action::Correct, Some(Status::Accepted), Status::Accepted));
    let note = e.note.clone().unwrap();
    assert_eq!(note, "身份证号码：430822195602294056 → 430822194503153325；录错");
    // A clerk sees the numbers masked; a name's correction stays as it is.
    assert_eq!(mask_correction_note(&note), "身份证号码：430822********4056 → 430822********3325；录错");
    let renamed = "申请人姓名：张三 → 张叁；错字";
    assert_eq!(mask_correction_note(renamed), renamed);
    // The same value again is not a correction; a proxy's phone needs a proxy; an accepted
    // case keeps its applicant's name.
    let again = Command::Correct { to: Corrected::Name(Some("张三".into())), reason: "x".into() };
    assert!(matches!(accepted.apply(again, &c), Err(TransitionError::Unchanged { field: CorrectField::Name, .. })));
    let phone = yimen::domain::phone::Phone::parse("13812341234").unwrap();
    let cmd = Command::Correct { to: Corrected::ProxyPhone(Some(phone.clone())), reason: "x".into() };
    assert!(matches!(accepted.apply(cmd, &c), Err(TransitionError::NoProxy { .. })));
    let cmd = Command::Correct { to: Corrected::Name(None), reason: "x".into() };
    assert!(accepted.apply(cmd, &c).is_err());
    // A closed case is corrected too, and a proxy is added by naming one.
    let closed = ticket_via(&cal, &catalog, "MZ01", &[Action::Call, Action::Reject]);
    let with_proxy = closed
        .apply(Command::Correct { to: Corrected::ProxyName(Some("李四".into())), reason: "补登".into() }, &c)
        .unwrap()
        .0;
    assert_eq!(with_proxy.status, Status::Rejected);
    let cmd = Command::Correct { to: Corrected::ProxyPhone(Some(phone)), reason: "补登".into() };
    let (t, e) = with_proxy.apply(cmd, &c).unwrap();
    assert_eq!(t.proxy.unwrap().phone.unwrap().as_str(), "13812341234");
    assert_eq!(mask_correction_note(&e.note.clone().unwrap()), "代办人电话：（空） → 138****1234；补登");
    // In English the program's own words are English; what the clerk typed stays as typed.
    assert_eq!(e.note_in(Lang::En).as_deref(), Some("proxy's phone: (empty) → 13812341234; 补登"));
    let notified = ticket_via(&cal, &catalog, "MZ01", &[Action::Call]);
    let (_, e) = notified.apply(Command::Notice { missing: vec!["户口簿".into(), "申请书".into()] }, &c).unwrap();
    assert_eq!(e.note_in(Lang::En).as_deref(), Some("one-time notice: missing 户口簿, 申请书"));
    assert_eq!(e.note_in(Lang::Zh).as_deref(), Some("一次性告知：缺 户口簿、申请书"));
}

#[test]
fn deferred_materials_block_completion_and_end_the_case_when_late() {
    let cal = Calendar::builtin();
    let catalog = Catalog::builtin();
    let t = ticket_via(&cal, &catalog, "SB04", &[Action::Call, Action::Accept]);
    let due = t.owed().next().unwrap().due;
    assert_eq!(due, date!(2026 - 12 - 07), "5 working days after Monday 30 Nov");
    let c = ctx(&cal, date!(2026 - 12 - 02));
    assert!(matches!(t.apply(Command::Complete { note: None }, &c), Err(TransitionError::StillOwed { .. })));
    assert!(matches!(t.apply(Command::Terminate { note: None }, &c), Err(TransitionError::NothingOverdue { .. })));
    let late = ctx(&cal, date!(2026 - 12 - 08));
    let (ended, ev) = t.apply(Command::Terminate { note: None }, &late).unwrap();
    assert_eq!((ended.status, ev.to), (Status::Terminated, Status::Terminated));
    let supplied = t.apply(Command::Supply { material: "照片".into() }, &c).unwrap().0;
    assert_eq!(supplied.apply(Command::Complete { note: None }, &c).unwrap().0.status, Status::Completed);
}

#[test]
fn suspension_pauses_the_deadline() {
    let cal = Calendar::builtin();
    let catalog = Catalog::builtin();
    // MZ03: 15 working days from Monday 30 Nov → Monday 21 Dec.
    let t = ticket_via(&cal, &catalog, "MZ03", &[Action::Call, Action::Accept]);
    assert_eq!(t.deadline.unwrap().date, date!(2026 - 12 - 21));
    let s = t.apply(command(Action::Suspend, &catalog, "MZ03"), &ctx(&cal, date!(2026 - 12 - 01))).unwrap().0;
    // Resumed on Monday 7 Dec: Wed 2 … Mon 7 are four working days that do not count.
    let r = s.apply(Command::Resume, &ctx(&cal, date!(2026 - 12 - 07))).unwrap().0;
    assert_eq!(r.paused_days, 4);
    assert_eq!(r.deadline.unwrap().date, date!(2026 - 12 - 25));
}

#[derive(Debug, Clone, Copy)]
struct Step {
    action: usize,
    days_later: i64,
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        (0..ACTIONS.len(), 0i64..4).prop_map(|(action, days_later)| Step { action, days_later }),
        0..40,
    )
}

/// The model: what should happen, from the domain table and its conditions only.
#[derive(Debug, Clone)]
struct Model {
    status: Status,
    recalls: u8,
    owed_due: Option<Date>,
    rated: bool,
    followed_up: bool,
    on_the_spot: bool,
    /// The name reads 张叁 (the correction's value) until an acceptance names 张三 again.
    corrected: bool,
}

impl Model {
    fn expect(&self, a: Action, today: Date, cal: &Calendar) -> Option<Status> {
        use Status::*;
        let s = self.status;
        match a {
            Action::Call if s == Waiting => Some(Called),
            Action::Recall if s == Called && self.recalls < 3 => Some(Called),
            Action::NoShow if s == Called && self.recalls >= 1 => Some(NoShow),
            Action::Requeue if s == NoShow => Some(Waiting),
            Action::Accept if s == Called => Some(Accepted),
            Action::Suspend if s == Accepted => Some(Suspended),
            Action::Resume if s == Suspended => Some(Accepted),
            Action::Transfer if s == Accepted => Some(Transferred),
            Action::Complete if s == Called && self.on_the_spot => Some(Completed),
            Action::Complete if matches!(s, Accepted | Transferred) && self.owed_due.is_none() => Some(Completed),
            Action::Reject if matches!(s, Called | Accepted | Transferred) => Some(Rejected),
            Action::Withdraw if matches!(s, Waiting | Called | NoShow | Accepted | Suspended) => Some(Withdrawn),
            Action::Terminate if matches!(s, Accepted | Suspended) && self.owed_due.is_some_and(|d| d < today) => {
                Some(Terminated)
            }
            Action::Supply if matches!(s, Accepted | Suspended | Transferred) && self.owed_due.is_some() => Some(s),
            Action::Rate if s == Completed && !self.rated => Some(Completed),
            Action::Reopen if s == Completed => Some(Accepted),
            Action::Notice if s == Called => Some(Notified),
            Action::Reassign if matches!(s, Called | Accepted | Suspended | Transferred) => Some(s),
            // The command is always the first step (回访): allowed once, after the 差评.
            Action::FollowUp if matches!(s, Completed | Accepted) && self.rated && !self.followed_up => Some(s),
            // In any state, unless the name is already the corrected one.
            Action::Correct if !self.corrected => Some(s),
            _ => {
                let _ = cal;
                None
            }
        }
    }

    fn after(&mut self, a: Action, to: Status, today: Date, cal: &Calendar) {
        match a {
            Action::Recall => self.recalls += 1,
            Action::Call | Action::Requeue => self.recalls = 0,
            Action::Accept if !self.on_the_spot => self.owed_due = Some(cal.add_working_days(today, 5).date),
            Action::Supply => self.owed_due = None,
            Action::Rate => self.rated = true,
            Action::FollowUp => self.followed_up = true,
            Action::Correct => self.corrected = true,
            _ => {}
        }
        if a == Action::Accept {
            self.corrected = false;
        }
        self.status = to;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_sequences_follow_the_model(on_the_spot in any::<bool>(), steps in steps()) {
        let cal = Calendar::builtin();
        let catalog = Catalog::builtin();
        // SB04 (promised, with a deferrable photo) or SB03 (on the spot, nothing deferrable).
        let item = if on_the_spot { "SB03" } else { "SB04" };
        let mut day = date!(2026 - 11 - 30);
        let mut t = ticket_via(&cal, &catalog, item, &[]);
        let mut model =
            Model {
            status: Status::Waiting,
            recalls: 0,
            owed_due: None,
            rated: false,
            followed_up: false,
            on_the_spot,
            corrected: false,
        };
        let mut seq = t.events;
        for s in steps {
            day += Duration::days(s.days_later);
            let a = ACTIONS[s.action];
            let expected = model.expect(a, day, &cal);
            let got = t.apply(command(a, &catalog, item), &ctx(&cal, day));
            match (expected, got) {
                (Some(to), Ok((next, ev))) => {
                    prop_assert_eq!(next.status, to, "{:?} from {:?}", a, model.status);
                    prop_assert_eq!(ev.seq, seq);
                    prop_assert_eq!(ev.from, Some(model.status));
                    seq += 1;
                    model.after(a, to, day, &cal);
                    t = next;
                }
                (None, Err(_)) => {}
                (e, g) => prop_assert!(false, "{:?} from {:?}: model {:?}, got {:?}", a, model.status, e, g.map(|x| x.0.status)),
            }
            prop_assert_eq!(t.events, seq);
        }
    }
}

proptest! {
    /// Whatever is stored, output escaping leaves no hidden or control character.
    #[test]
    fn escaped_output_has_no_hidden_characters(s in "\\PC*|[\\x00-\\x1f\\u{202a}-\\u{202e}\\u{2066}-\\u{2069}\\u{200b}-\\u{200f}a-z张]*") {
        let out = yimen::domain::text::escape_for_output(&s, false);
        prop_assert!(!out.chars().any(|c| yimen::domain::text::is_forbidden(c, false)));
    }

    /// Masking keeps the region, the last four and the length, and hides the middle.
    #[test]
    fn masked_id_numbers_keep_only_region_and_tail(d in "[0-9]{17}[0-9X]") {
        let m = yimen::domain::mask::id_number(&d);
        prop_assert_eq!(m.chars().count(), 18);
        prop_assert_eq!(&m[..6], &d[..6]);
        prop_assert_eq!(&m[14..], &d[14..]);
        prop_assert_eq!(&m[6..14], "********");
    }

    /// Any change to an event's note changes its hash.
    #[test]
    fn the_chain_hash_covers_the_note(a in "\\PC{0,40}", b in "\\PC{0,40}") {
        prop_assume!(a != b);
        let ev = |note: &str| yimen::domain::ticket::Event {
            ticket: 1, seq: 0, at: time::macros::datetime!(2026-11-30 01:00 UTC), clock_override: false,
            clerk: "李娟".into(), window: None, action: Action::Take, from: None, to: Status::Waiting, state: None,
            note: Some(note.to_string()), prev: yimen_store::chain::GENESIS.into(), hash: String::new(),
        };
        prop_assert_ne!(yimen_store::chain::hash_of(&ev(&a)), yimen_store::chain::hash_of(&ev(&b)));
    }
}
