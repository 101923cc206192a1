//! The hall's public side: what the display board shows and says, what a paired kiosk may do
//! (take a number) and what a paired pad may do (rate a visit its window has just completed).
//! Nothing here carries a citizen's personal data except, where the hall chooses it, the masked
//! name the board calls (张*英). Devices are kept as one JSON list in the meta table (a hall has
//! a few dozen at most); the pairing code and the token are kept only as SHA-256.

use serde::Serialize;
use sha2::Digest;
use time::{Duration, OffsetDateTime};

use super::accounts::system_event;
use super::error::DeviceWhy;
use super::{Acting, Desk, DeskError, TakeRequest, input, take_in};
use yimen_domain::account::Role;
use yimen_domain::board::{Call, Waiting};
use yimen_domain::catalog::Kind;
use yimen_domain::device::{self, Device, DeviceKind};
use yimen_domain::queue::Priority;
use yimen_domain::text::Field;
use yimen_domain::ticket::{Action, BadReason, Command, RatingSource, Status, Ticket, TicketId};
use yimen_store::ReadTx;

/// The meta key of the hall's devices (a JSON list of [`Device`]).
const DEVICES_META: &str = "devices";

/// How long after a visit is completed its window's pad may rate it, in minutes.
pub const PAD_RATE_MINUTES: i64 = 10;

/// The longest a visit lasts from its call to its completion, in hours, for the pad to ask
/// about it.
pub const VISIT_HOURS: i64 = 4;

/// Numbers one kiosk may take in a minute: a busy hall's kiosk gives one every 10–20 s at the
/// morning peak; more is a child or a script at the screen.
pub const KIOSK_PER_MINUTE: usize = 12;

fn sha(s: &str) -> String {
    yimen_domain::token::hex(&sha2::Sha256::digest(s.as_bytes()))
}

/// The devices as stored. A list that does not read is an error, never an empty list: the
/// next pairing would write over it, revocations included.
fn read_devices(raw: Option<Vec<u8>>) -> Result<Vec<Device>, yimen_store::StoreError> {
    match raw {
        None => Ok(Vec::new()),
        Some(b) => serde_json::from_slice(&b)
            .map_err(|e| yimen_store::StoreError::Corrupt(format!("the devices list (meta '{DEVICES_META}'): {e}"))),
    }
}

fn devices_in(rx: &ReadTx) -> Result<Vec<Device>, yimen_store::StoreError> {
    read_devices(rx.meta(DEVICES_META)?)
}

fn save_devices(tx: &mut yimen_store::WriteTx<'_>, devices: &[Device]) -> Result<(), DeskError> {
    let bytes = serde_json::to_vec(devices).map_err(|e| DeskError::Io(e.to_string()))?;
    Ok(tx.set_meta(DEVICES_META, &bytes)?)
}

/// What the display board shows and says now.
#[derive(Debug, Clone, Serialize)]
pub struct PublicBoard {
    /// The hall's name.
    pub hall: String,
    /// The hall's time now (RFC 3339), for the board's clock.
    #[serde(with = "time::serde::rfc3339")]
    pub now: OffsetDateTime,
    /// The latest calls, newest first (numbers and windows; a masked name only where the hall
    /// calls by name).
    pub calls: Vec<Call>,
    /// What the board says for each of `calls`, in the same order.
    pub say: Vec<String>,
    /// Each call's window as the board shows it ("3号窗口"), in the same order.
    pub window_labels: Vec<String>,
    /// The waiting per category, with its estimate.
    pub waiting: Vec<Waiting>,
    pub voice: Voice,
}

/// How the board speaks a call.
#[derive(Debug, Clone, Serialize)]
pub struct Voice {
    /// The sentence of the newest call, filled in ("请A012号到3号窗口办理"); `None` before the
    /// first call of the day.
    pub text: Option<String>,
    /// How many times each call and recall is spoken.
    pub repeat: u32,
    /// Quiet now (the hall's quiet hours): the board shows but does not speak.
    pub quiet: bool,
    /// The language the browser's speech synthesis is asked for.
    pub lang: &'static str,
}

/// "3" → "3号窗口"; a window named otherwise ("综合窗口", "B") keeps its name, with 窗口 added
/// when it has none.
pub fn window_label(window: &str) -> String {
    let w = window.trim();
    if !w.is_empty() && w.chars().all(|c| c.is_ascii_digit()) {
        format!("{w}号窗口")
    } else if w.ends_with("窗口") || w.ends_with('窗') {
        w.to_string()
    } else {
        format!("{w}窗口")
    }
}

/// A window as typed for a pad: "3", "03", "3号", "3号窗口" are all window 3 as the clerks'
/// calls name it ("3"); other names are kept as typed.
pub fn window_name(typed: &str) -> String {
    let t = typed.trim();
    let digits = t.trim_end_matches("窗口").trim_end_matches('窗').trim_end_matches('号').trim();
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        let n = digits.trim_start_matches('0');
        if n.is_empty() { "0".to_string() } else { n.to_string() }
    } else {
        t.to_string()
    }
}

/// The call's sentence in the hall's call text.
pub fn call_sentence(text: &str, call: &Call) -> String {
    text.replace("{number}", &call.number)
        .replace("{window}", &window_label(&call.window))
        .replace("{name}", call.name.as_deref().unwrap_or(""))
}

/// A category and its items as the kiosk shows them.
#[derive(Debug, Clone, Serialize)]
pub struct KioskCategory {
    /// The category's code in the catalog.
    pub code: String,
    pub letter: char,
    pub name: String,
    pub name_en: String,
    /// How many wait in this category now.
    pub waiting: usize,
    /// Minutes per person ahead, from the day's recent calls (`board::minutes_per_person`).
    pub minutes_per_person: u32,
    /// The estimated wait of the next number taken, in minutes.
    pub minutes: u32,
    pub items: Vec<KioskItem>,
}

/// An item as the kiosk offers it.
#[derive(Debug, Clone, Serialize)]
pub struct KioskItem {
    pub code: String,
    pub name: String,
    pub name_en: String,
    /// Pinyin initials of the name ("dbsq" for 低保申请), for the staff's search.
    pub initials: String,
    /// The promised working days (承诺件); 0 for an on-the-spot item (即办件).
    pub days: u32,
    pub materials: Vec<KioskMaterial>,
}

/// A material as the kiosk's ticket lists it.
#[derive(Debug, Clone, Serialize)]
pub struct KioskMaterial {
    pub name: String,
    pub name_en: String,
    /// A key material: without it the case cannot be accepted.
    pub key: bool,
    /// May be brought later (容缺).
    pub may_defer: bool,
}

impl From<&yimen_domain::catalog::Material> for KioskMaterial {
    fn from(m: &yimen_domain::catalog::Material) -> KioskMaterial {
        KioskMaterial { name: m.name.clone(), name_en: m.name_en.clone(), key: m.key, may_defer: m.may_defer }
    }
}

/// The queue ticket a kiosk gives: the number, its item, who is ahead and what to bring.
/// Nothing about the citizen.
#[derive(Debug, Clone, Serialize)]
pub struct KioskTicket {
    pub hall: String,
    pub number: String,
    pub item: String,
    pub item_name: String,
    pub category_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub taken_at: OffsetDateTime,
    /// Waiting before this number in its queue.
    pub ahead: usize,
    /// The estimated wait in minutes (`ahead` × the category's minutes per person).
    pub minutes: u32,
    /// The priority the citizen chose, to be checked at the desk.
    pub priority: Option<Priority>,
    pub materials: Vec<KioskMaterial>,
    pub hall_phone: Option<String>,
    /// Who prints the queue ticket: `browser` (the kiosk's page) or `server` (the hall's
    /// receipt printer, `kiosk_print = server`).
    pub print: &'static str,
    /// What the receipt printer answered when the server printed it: the job, or why not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub printed: Option<Result<String, String>>,
}

/// What a pad asks the citizen to rate: the visit just completed at its window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PadPrompt {
    pub ticket: TicketId,
    pub number: String,
    pub item_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub completed_at: OffsetDateTime,
}

impl Desk {
    /// The display board as the hall shows it now: the latest calls (with the masked name when
    /// the hall calls by name), the waiting per category with its estimate, and the voice.
    ///
    /// # Errors
    /// The store's.
    pub fn public_board(&self) -> Result<PublicBoard, DeskError> {
        let today = self.clock.today();
        let tickets = self.store.read(|rx| rx.day(today))?;
        let mut board = yimen_domain::board::Board::of(&tickets, &self.catalog);
        if self.settings.call_by_masked_name {
            for c in &mut board.calls {
                c.name = tickets
                    .iter()
                    .find(|t| t.number.to_string() == c.number)
                    .and_then(|t| t.citizen.name.as_deref())
                    .map(yimen_domain::mask::public_name);
            }
        }
        let now = self.clock.now();
        let local = self.clock.local(now);
        let s = &self.settings;
        let text = board.headline().map(|c| call_sentence(&s.call_text, c));
        Ok(PublicBoard {
            hall: s.hall.clone(),
            now: local,
            say: board.calls.iter().map(|c| call_sentence(&s.call_text, c)).collect(),
            window_labels: board.calls.iter().map(|c| window_label(&c.window)).collect(),
            calls: board.calls,
            waiting: board.waiting,
            voice: Voice {
                text,
                repeat: s.call_repeat,
                quiet: s.quiet_hours.is_some_and(|q| q.contains(local.time())),
                lang: "zh-CN",
            },
        })
    }

    /// The kiosk's menu: categories in catalog order, each with its items, their materials and
    /// the queue's length and pace now.
    ///
    /// # Errors
    /// The store's.
    pub fn kiosk_menu(&self) -> Result<Vec<KioskCategory>, DeskError> {
        let today = self.clock.today();
        let tickets = self.store.read(|rx| rx.day(today))?;
        let board = yimen_domain::board::Board::of(&tickets, &self.catalog);
        Ok(self
            .catalog
            .categories
            .iter()
            .map(|c| {
                let w = board.waiting.iter().find(|w| w.letter == c.letter);
                KioskCategory {
                    code: c.code.clone(),
                    letter: c.letter,
                    name: c.name.clone(),
                    name_en: c.name_en.clone(),
                    waiting: w.map_or(0, |w| w.count),
                    minutes_per_person: w
                        .map_or(yimen_domain::board::DEFAULT_MINUTES_PER_PERSON, |w| w.minutes_per_person),
                    minutes: w.map_or(0, |w| w.minutes),
                    items: self
                        .catalog
                        .items
                        .iter()
                        .filter(|i| i.category == c.code)
                        .map(|i| KioskItem {
                            code: i.code.clone(),
                            name: i.name.clone(),
                            name_en: i.name_en.clone(),
                            initials: yimen_domain::pinyin::initials(&i.name).concat(),
                            days: if i.kind == Kind::OnTheSpot { 0 } else { i.days },
                            materials: i.materials.iter().map(KioskMaterial::from).collect(),
                        })
                        .collect(),
                }
            })
            .collect())
    }

    /// The paired device whose token this is.
    ///
    /// # Errors
    /// `Device(NotPaired)` for a token the hall does not know, `Device(Revoked)`; the store's.
    pub fn device(&self, token: &str) -> Result<Device, DeskError> {
        let hash = sha(token.trim());
        let d = self
            .store
            .read(devices_in)?
            .into_iter()
            .find(|d| d.token_hash.as_deref() == Some(hash.as_str()))
            .ok_or(DeskError::Device(DeviceWhy::NotPaired))?;
        match d.revoked_at {
            Some(_) => Err(DeskError::Device(DeviceWhy::Revoked(d.name))),
            None => Ok(d),
        }
    }

    /// A device trades its one-time pairing code for its token (64 hex digits): the code is
    /// spent, and the device is recorded as paired in the audit chain. With `kind`, a code made
    /// for another kind of device is refused and stays unspent (a kiosk's code typed on a pad).
    ///
    /// # Errors
    /// `Device(BadCode)` for a code that is malformed, unknown, spent or expired;
    /// `Device(WrongKind)` for a code of another kind; the store's.
    pub fn claim_device(&self, code: &str, kind: Option<DeviceKind>) -> Result<(Device, String), DeskError> {
        let code = device::normalize_code(code).ok_or(DeskError::Device(DeviceWhy::BadCode))?;
        let hash = sha(&code);
        let token = yimen_domain::token::random_hex::<32>().map_err(|e| DeskError::Io(e.to_string()))?;
        let now = self.clock.now();
        self.store.write(|tx| {
            let mut devices = read_devices(tx.meta(DEVICES_META)?)?;
            let d = devices
                .iter_mut()
                .find(|d| d.code_hash.as_deref() == Some(hash.as_str()))
                .filter(|d| d.revoked_at.is_none() && now <= d.code_expires)
                .ok_or(DeskError::Device(DeviceWhy::BadCode))?;
            if kind.is_some_and(|k| k != d.kind) {
                return Err(DeskError::Device(DeviceWhy::WrongKind(d.kind)));
            }
            d.code_hash = None;
            d.token_hash = Some(sha(&token));
            d.paired_at = Some(now);
            let d = d.clone();
            save_devices(tx, &devices)?;
            let note = format!("设备已配对：{}（#{}）", d.actor(), d.id);
            system_event(tx, &d.actor(), Action::Account, Some(note), &self.context(&d.actor(), d.window.clone()))?;
            Ok((d, token))
        })
    }

    /// 取号 at a paired kiosk: a number for `item`, with the priority the citizen chose (shown
    /// to the clerk as 待核验 until the case is accepted). The event names the kiosk.
    ///
    /// Returns the ticket as stored (it holds no one's data) and the kiosk's view of it.
    ///
    /// # Errors
    /// `Device(WrongKind)` for a pad; `UnknownItem`; the store's.
    pub fn take_at_kiosk(
        &self,
        kiosk: &Device,
        item: &str,
        priority: Option<Priority>,
    ) -> Result<(Ticket, KioskTicket), DeskError> {
        if kiosk.kind != DeviceKind::Kiosk {
            return Err(DeskError::Device(DeviceWhy::WrongKind(kiosk.kind)));
        }
        let item = self.item(item)?.clone();
        let req = TakeRequest { item: item.code.clone(), priority, at_kiosk: true, ..Default::default() };
        let ctx = self.context(&kiosk.actor(), None);
        let (ticket, today) = self.store.write(|tx| {
            let t = take_in(tx, &self.catalog, &ctx, &req)?;
            Ok::<_, DeskError>((t, ctx.today))
        })?;
        let tickets = self.store.read(|rx| rx.day(today))?;
        let ahead = ahead_of(&tickets, &ticket);
        let per = yimen_domain::board::minutes_per_person(&tickets, &ticket.category);
        let view = KioskTicket {
            hall: self.settings.hall.clone(),
            number: ticket.number.to_string(),
            item: item.code.clone(),
            item_name: item.name.clone(),
            category_name: self.catalog.category(&item.category).map(|c| c.name.clone()).unwrap_or_default(),
            taken_at: self.clock.local(ticket.taken_at),
            ahead,
            minutes: yimen_domain::board::estimate(ahead, per),
            priority,
            materials: item.materials.iter().map(KioskMaterial::from).collect(),
            hall_phone: self.settings.hall_phone.clone(),
            print: if self.settings.kiosk_prints_at_server { "server" } else { "browser" },
            printed: None,
        };
        Ok((ticket, view))
    }

    /// The visit a pad should ask about now: the latest visit completed at its window in the
    /// last [`PAD_RATE_MINUTES`] and not rated yet.
    ///
    /// # Errors
    /// `Device(WrongKind)` for a kiosk; the store's.
    pub fn pad_prompt(&self, pad: &Device) -> Result<Option<PadPrompt>, DeskError> {
        let window = pad_window(pad)?;
        let now = self.clock.now();
        let today = self.clock.today();
        let tickets = self.store.read(|rx| rx.active_on(today))?;
        // Only the visit the window completed last: once it is rated (or its minutes are over),
        // an older one is not asked about; its citizen has left.
        Ok(latest_at(&tickets, window).filter(|t| rateable_at(t, window, now)).map(|t| PadPrompt {
            ticket: t.id,
            number: t.number.to_string(),
            item_name: t.item_name.clone(),
            completed_at: self.clock.local(t.completed_at.unwrap_or(now)),
        }))
    }

    /// The citizen's rating pressed on the pad of the window that completed the visit, recorded
    /// as a pad rating (see [`RatingSource`]); the event names the pad.
    ///
    /// # Errors
    /// `Device(WrongKind)`, `Device(NotRateable)` for a visit not completed at the pad's window in
    /// the last [`PAD_RATE_MINUTES`] or rated already; `Transition(Score)` outside 1–5; a comment
    /// that is too long; the store's.
    pub fn rate_at_pad(
        &self,
        pad: &Device,
        ticket: TicketId,
        score: u8,
        reasons: Vec<BadReason>,
        comment: Option<&str>,
    ) -> Result<(), DeskError> {
        let window = pad_window(pad)?.to_string();
        // What a touch keyboard types (emoji with their joiners …) is tidied, not refused.
        let typed = comment.map(yimen_domain::text::tidy_typed);
        let comment = input::optional_note(Field::Comment, typed.as_deref())?;
        if (1..=2).contains(&score) && reasons.is_empty() {
            return Err(DeskError::Device(DeviceWhy::NeedsReason));
        }
        // The window's latest visit only, the one its pad asks about.
        let today = self.clock.today();
        let latest = self.store.read(|rx| rx.active_on(today))?;
        if latest_at(&latest, &window).map(|t| t.id) != Some(ticket) {
            return Err(DeskError::Device(DeviceWhy::NotRateable));
        }
        let ctx = self.context(&pad.actor(), Some(window.clone()));
        let follow_up_days = self.settings.follow_up_days;
        self.store.write(|tx| {
            let old = tx.ticket(ticket)?.ok_or(DeskError::Device(DeviceWhy::NotRateable))?;
            if !rateable_at(&old, &window, ctx.at) {
                return Err(DeskError::Device(DeviceWhy::NotRateable));
            }
            let cmd = Command::Rate { score, comment, follow_up_days, source: RatingSource::Pad, reasons };
            super::apply_in(tx, &old, cmd, &ctx)?;
            Ok(())
        })
    }
}

fn pad_window(pad: &Device) -> Result<&str, DeskError> {
    match (&pad.kind, pad.window.as_deref()) {
        (DeviceKind::Pad, Some(w)) => Ok(w),
        (DeviceKind::Pad, None) => Err(DeskError::Device(DeviceWhy::PadNeedsWindow)),
        (DeviceKind::Kiosk, _) => Err(DeskError::Device(DeviceWhy::WrongKind(DeviceKind::Kiosk))),
    }
}

/// Completed at `window` within the last [`PAD_RATE_MINUTES`] (by the hall's clock), not rated.
fn rateable_at(t: &Ticket, window: &str, now: OffsetDateTime) -> bool {
    t.status == Status::Completed
        && t.rating.is_none()
        && t.window.as_deref() == Some(window)
        && t.completed_at.is_some_and(|c| c <= now && now - c <= Duration::minutes(PAD_RATE_MINUTES))
}

/// The visit `window` completed last among `tickets`, unless the window has called someone
/// since: then the next citizen sits at the pad, and must not rate the last one's visit.
fn latest_at<'t>(tickets: &'t [Ticket], window: &str) -> Option<&'t Ticket> {
    let at_window = |t: &&Ticket| t.window.as_deref() == Some(window);
    // A visit: completed within the hours of its latest call at the window (a case finished in
    // the back office days after its visit is nobody's to rate at the pad).
    let visit = |t: &&Ticket| match (t.last_called_at.or(t.called_at), t.completed_at) {
        (Some(called), Some(done)) => done - called <= Duration::hours(VISIT_HOURS),
        _ => false,
    };
    let done = tickets
        .iter()
        .filter(at_window)
        .filter(|t| t.status == Status::Completed)
        .max_by_key(|t| (t.completed_at, t.id))
        .filter(visit)?;
    let called_since = tickets
        .iter()
        .filter(at_window)
        .any(|t| t.id != done.id && t.last_called_at.or(t.called_at) > done.completed_at);
    (!called_since).then_some(done)
}

/// How many wait before `t` in its category's queue (`Ticket::queue_rank`).
fn ahead_of(today: &[Ticket], t: &Ticket) -> usize {
    today
        .iter()
        .filter(|x| x.status == Status::Waiting && x.category == t.category && x.queue_rank() < t.queue_rank())
        .count()
}

impl Acting<'_> {
    /// Makes a device to pair (admin): its record, and the one-time code (10 letters, valid
    /// [`device::PAIRING_MINUTES`]) to type on it once. A pad needs the window it faces.
    ///
    /// # Errors
    /// `NeedsRole` below admin; `Device(PadNeedsWindow | KioskHasNoWindow)`; a name or window
    /// that is too long; the store's.
    pub fn pair_device(
        &self,
        kind: DeviceKind,
        window: Option<&str>,
        name: Option<&str>,
    ) -> Result<(Device, String), DeskError> {
        self.require(Role::Admin)?;
        let window = match (kind, window.map(str::trim).filter(|w| !w.is_empty())) {
            (DeviceKind::Pad, None) => return Err(DeskError::Device(DeviceWhy::PadNeedsWindow)),
            (DeviceKind::Kiosk, Some(_)) => return Err(DeskError::Device(DeviceWhy::KioskHasNoWindow)),
            (_, w) => w.map(|w| input::short(Field::Window, &window_name(w))).transpose()?,
        };
        let code = pairing_code()?;
        let now = self.clock().now();
        let admin = self.who.clerk.clone().unwrap_or_default();
        let ctx = self.context(&admin, None);
        self.store.write(|tx| {
            let mut devices = read_devices(tx.meta(DEVICES_META)?)?;
            let id = devices.iter().map(|d| d.id).max().unwrap_or(0) + 1;
            let name = match name.map(str::trim).filter(|n| !n.is_empty()) {
                Some(n) => input::short(Field::Device, n)?,
                None => match &window {
                    Some(w) => format!("{}{}", window_label(w), kind.label(yimen_domain::Lang::Zh)),
                    None => format!("{}{id}", kind.label(yimen_domain::Lang::Zh)),
                },
            };
            let d = Device {
                id,
                kind,
                window: window.clone(),
                name,
                created_at: now,
                code_hash: Some(sha(&code)),
                code_expires: now + Duration::minutes(device::PAIRING_MINUTES),
                token_hash: None,
                paired_at: None,
                revoked_at: None,
            };
            devices.push(d.clone());
            save_devices(tx, &devices)?;
            let note = format!("设备待配对：{}（#{id}）", d.actor());
            system_event(tx, &admin, Action::Account, Some(note), &ctx)?;
            Ok((d, code))
        })
    }

    /// The hall's devices, paired or not (supervisor).
    ///
    /// # Errors
    /// `NeedsRole` below supervisor; the store's.
    pub fn devices(&self) -> Result<Vec<Device>, DeskError> {
        self.require(Role::Supervisor)?;
        Ok(self.store.read(devices_in)?)
    }

    /// Revokes device `id` (admin): its token stops working at once; the record stays.
    ///
    /// # Errors
    /// `NeedsRole` below admin; `Device(NoSuchDevice)`; the store's.
    pub fn revoke_device(&self, id: u32) -> Result<Device, DeskError> {
        self.require(Role::Admin)?;
        let now = self.clock().now();
        let admin = self.who.clerk.clone().unwrap_or_default();
        let ctx = self.context(&admin, None);
        self.store.write(|tx| {
            let mut devices = read_devices(tx.meta(DEVICES_META)?)?;
            let d = devices.iter_mut().find(|d| d.id == id).ok_or(DeskError::Device(DeviceWhy::NoSuchDevice(id)))?;
            if d.revoked_at.is_some() {
                // Revoked already: nothing changes, nothing to record.
                return Ok(d.clone());
            }
            d.revoked_at = Some(now);
            d.code_hash = None;
            let d = d.clone();
            save_devices(tx, &devices)?;
            system_event(tx, &admin, Action::Account, Some(format!("设备已停用：{}（#{id}）", d.actor())), &ctx)?;
            Ok(d)
        })
    }
}

/// Ten letters of [`device::CODE_ALPHABET`] from the operating system's randomness.
fn pairing_code() -> Result<String, DeskError> {
    let n = device::CODE_ALPHABET.len();
    // Bytes at or above the last whole multiple of 31 are drawn again, so every letter is
    // equally likely (about 49.5 bits in ten letters).
    let limit = 256 - 256 % n;
    let mut code = String::with_capacity(10);
    while code.len() < 10 {
        let mut raw = [0u8; 16];
        getrandom::fill(&mut raw).map_err(|e| DeskError::Io(e.to_string()))?;
        for b in raw.into_iter().map(usize::from).filter(|&b| b < limit) {
            if code.len() < 10 {
                code.push(char::from(device::CODE_ALPHABET[b % n]));
            }
        }
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{QuietHours, Settings};

    fn call(number: &str, window: &str, name: Option<&str>) -> Call {
        Call {
            number: number.into(),
            window: window.into(),
            at: OffsetDateTime::UNIX_EPOCH,
            calling: true,
            recalls: 0,
            name: name.map(str::to_string),
        }
    }

    #[test]
    fn a_call_is_said_in_the_halls_words_with_the_window_as_people_say_it() {
        assert_eq!(window_label("3"), "3号窗口");
        assert_eq!(window_label("综合窗口"), "综合窗口");
        assert_eq!(window_label("B"), "B窗口");
        for typed in ["3", "03", "3号", "3号窗口", " 3 号窗口"] {
            assert_eq!(window_name(typed), "3", "{typed}");
        }
        assert_eq!(window_name("综合窗口"), "综合窗口");
        let s = Settings::default();
        assert_eq!(call_sentence(&s.call_text, &call("A012", "3", None)), "请A012号到3号窗口办理");
        assert_eq!(
            call_sentence("请{number}号{name}到{window}办理", &call("B002", "2", Some("李*光"))),
            "请B002号李*光到2号窗口办理"
        );
    }

    #[test]
    fn the_boards_settings_are_checked_as_typed() {
        let mut s = Settings::default();
        assert!(s.set("board_call_text", "请{number}号到{window}").is_ok());
        for bad in ["请到窗口", "{window}", &"号".repeat(61)] {
            assert!(s.set("board_call_text", bad).is_err(), "{bad}");
        }
        assert!(s.set("board_call_text", "").is_ok(), "empty: back to the default");
        assert_eq!(s.call_text, crate::settings::DEFAULT_CALL_TEXT);
        assert!(s.set("board_call_repeat", "3").is_ok() && s.set("board_call_repeat", "4").is_err());
        assert!(s.set("board_call_name", "masked").is_ok() && s.call_by_masked_name);
        assert!(s.set("board_call_name", "full").is_err(), "never the whole name");
        assert!(s.set("board_quiet_hours", "12:00-25:00").is_err());
        assert!(s.set("board_quiet_hours", "12:00–14:00").is_ok());
        assert_eq!(s.quiet_hours.map(|q| q.text()).as_deref(), Some("12:00-14:00"));
    }

    #[test]
    fn quiet_hours_may_span_midnight() {
        let t = |h, m| time::Time::from_hms(h, m, 0).unwrap();
        let noon = QuietHours::parse("12:00-14:00").unwrap();
        assert!(noon.contains(t(12, 0)) && noon.contains(t(13, 59)) && !noon.contains(t(14, 0)));
        let night = QuietHours::parse("22:00-06:30").unwrap();
        assert!(night.contains(t(23, 0)) && night.contains(t(6, 0)) && !night.contains(t(12, 0)));
        assert!(QuietHours::parse("12:00-12:00").is_none() && QuietHours::parse("中午").is_none());
    }

    #[test]
    fn pairing_codes_are_ten_letters_of_the_alphabet_and_differ() {
        let (a, b) = (pairing_code().unwrap(), pairing_code().unwrap());
        assert_eq!(a.len(), 10);
        assert!(a.bytes().all(|c| device::CODE_ALPHABET.contains(&c)));
        assert_ne!(a, b);
        assert_eq!(device::normalize_code(&device::show_code(&a)), Some(a));
    }
}
