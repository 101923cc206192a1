//! Who may do what: one table of every command of the command line and every endpoint of the
//! hall server, with the least role each needs. The command line checks a command against it
//! before running it, the server checks every request's route against it before its handler
//! runs, and the desk's own methods check the finer rules (a clerk may change only their own
//! PIN, a follow-up needs a supervisor …). A command or a route without a row is refused, and
//! a test walks the whole command list and route list, so nothing new slips in unguarded.
//!
//! Source of the roles: docs/security.md (clerk, supervisor, admin as in domain.md's hall
//! roles); the local-admin rule keeps whole-file operations on the PC that holds the file.

use yimen_domain::account::Role;

/// What a command or an endpoint needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Need {
    /// Nothing: what a screen in the hall or a window before sign-in may read (never a name).
    Anyone,
    /// A signed-in account with at least this role.
    Role(Role),
    /// An admin signed in on the database file itself (not through the server): operations
    /// that replace or create the whole file.
    LocalAdmin,
    /// A paired device of this kind (its token in the `yimen_device` cookie); no account.
    Device(yimen_domain::device::DeviceKind),
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// The command's path as typed, e.g. `user add`.
    pub command: &'static str,
    pub need: Need,
}

/// One endpoint of the hall server.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub method: &'static str,
    /// axum's route pattern, e.g. `/api/tickets/{ticket}`.
    pub path: &'static str,
    pub need: Need,
}

const CLERK: Need = Need::Role(Role::Clerk);
const SUPERVISOR: Need = Need::Role(Role::Supervisor);
const ADMIN: Need = Need::Role(Role::Admin);

/// Every command of the command line. `init` on a file that does not exist yet needs nothing
/// (it creates the first admin in the same step); on an existing file it is `LocalAdmin`.
pub const COMMANDS: &[Rule] = &[
    Rule { command: "init", need: Need::LocalAdmin },
    Rule { command: "take", need: CLERK },
    Rule { command: "call", need: CLERK },
    Rule { command: "recall", need: CLERK },
    Rule { command: "noshow", need: CLERK },
    Rule { command: "requeue", need: CLERK },
    Rule { command: "accept", need: CLERK },
    Rule { command: "suspend", need: CLERK },
    Rule { command: "resume", need: CLERK },
    Rule { command: "transfer", need: CLERK },
    Rule { command: "complete", need: CLERK },
    Rule { command: "reject", need: CLERK },
    Rule { command: "withdraw", need: CLERK },
    Rule { command: "terminate", need: CLERK },
    Rule { command: "supply", need: CLERK },
    Rule { command: "rate", need: CLERK },
    Rule { command: "reopen", need: SUPERVISOR },
    Rule { command: "followup", need: SUPERVISOR },
    Rule { command: "reassign", need: SUPERVISOR },
    Rule { command: "correct", need: CLERK },
    Rule { command: "notice", need: CLERK },
    Rule { command: "slip", need: CLERK },
    Rule { command: "show", need: CLERK },
    Rule { command: "list", need: CLERK },
    Rule { command: "queue", need: CLERK },
    Rule { command: "search", need: CLERK },
    Rule { command: "report daily", need: SUPERVISOR },
    Rule { command: "report range", need: SUPERVISOR },
    Rule { command: "export", need: SUPERVISOR },
    Rule { command: "catalog list", need: CLERK },
    Rule { command: "catalog show", need: CLERK },
    Rule { command: "catalog import", need: ADMIN },
    Rule { command: "config show", need: CLERK },
    Rule { command: "calendar show", need: CLERK },
    Rule { command: "calendar import", need: ADMIN },
    Rule { command: "config set", need: ADMIN },
    Rule { command: "user add", need: ADMIN },
    Rule { command: "user list", need: SUPERVISOR },
    // A clerk may change their own PIN; another's needs an admin (checked by the desk).
    Rule { command: "user passwd", need: CLERK },
    Rule { command: "user disable", need: ADMIN },
    Rule { command: "user unlock", need: ADMIN },
    // Pairing writes the hall's file; the desk checks the role again.
    Rule { command: "device pair", need: ADMIN },
    Rule { command: "device list", need: SUPERVISOR },
    Rule { command: "device revoke", need: ADMIN },
    Rule { command: "audit verify", need: SUPERVISOR },
    Rule { command: "check", need: SUPERVISOR },
    Rule { command: "backup", need: ADMIN },
    Rule { command: "compact", need: ADMIN },
    Rule { command: "board", need: Need::Anyone },
    // Started unattended at boot (a scheduled task, a service): it needs the file, not a PIN,
    // and serves only what each request's sign-in allows.
    Rule { command: "serve", need: Need::Anyone },
    Rule { command: "restore", need: Need::LocalAdmin },
    // Sends the whole audit chain out of the hall: an admin, on the file itself.
    Rule { command: "sync", need: Need::LocalAdmin },
    // Reads only the town's database, whose own sign-in (the URL's user) is the authority.
    Rule { command: "town halls", need: Need::Anyone },
    Rule { command: "town flags", need: Need::Anyone },
    Rule { command: "town resolve", need: Need::Anyone },
    Rule { command: "town accept", need: Need::Anyone },
    Rule { command: "town report daily", need: Need::Anyone },
    Rule { command: "town report range", need: Need::Anyone },
    Rule { command: "_crash-writer", need: CLERK },
    // The demo builds only into its own new file, never the hall's (checked by `demo`).
    Rule { command: "demo", need: Need::Anyone },
    // No command: the terminal interface, which opens on its sign-in screen.
    Rule { command: "", need: Need::Anyone },
];

/// Every endpoint of the hall server, each declared once: the server's router, the remote
/// client and the authority check all name these constants.
pub mod route {
    use super::{ADMIN, CLERK, Need, Route, SUPERVISOR};

    /// Whether the server is up, and its hall and version.
    pub const HEALTH: Route = Route { method: "GET", path: "/api/health", need: Need::Anyone };
    /// A clerk signs in with a PIN; the answer carries the session token.
    pub const SIGN_IN: Route = Route { method: "POST", path: "/api/sign-in", need: Need::Anyone };
    /// Ends this session.
    pub const SIGN_OUT: Route = Route { method: "POST", path: "/api/sign-out", need: CLERK };
    /// A number only: how often the hall changed, for a long poll.
    pub const CHANGES: Route = Route { method: "GET", path: "/api/changes", need: Need::Anyone };
    /// What a window needs before sign-in: settings, catalog, account names and roles.
    pub const SETUP: Route = Route { method: "GET", path: "/api/setup", need: Need::Anyone };
    /// The display board (never a name).
    pub const BOARD: Route = Route { method: "GET", path: "/api/board", need: Need::Anyone };
    /// Today's tickets for the queue screen.
    pub const QUEUE: Route = Route { method: "GET", path: "/api/queue", need: CLERK };
    /// Open cases by deadline.
    pub const OPEN: Route = Route { method: "GET", path: "/api/open", need: CLERK };
    /// Tickets by number, name, ID number, phone, village or pinyin.
    pub const SEARCH: Route = Route { method: "GET", path: "/api/search", need: CLERK };
    /// 取号.
    pub const TAKE: Route = Route { method: "POST", path: "/api/take", need: CLERK };
    /// 叫号: the next waiting ticket to a window.
    pub const CALL: Route = Route { method: "POST", path: "/api/call", need: CLERK };
    /// One ticket with its history (masked by role).
    pub const TICKET: Route = Route { method: "GET", path: "/api/tickets/{ticket}", need: CLERK };
    /// One ticket with its numbers whole (on the audit chain).
    pub const REVEAL: Route = Route { method: "GET", path: "/api/reveal/{ticket}", need: CLERK };
    /// Every action on a ticket (`Act`); reopen, follow-up and reassign need a supervisor (`Act::needs`, checked by the desk).
    pub const ACT: Route = Route { method: "POST", path: "/api/tickets/{ticket}/{action}", need: CLERK };
    /// A day's tickets.
    pub const DAY: Route = Route { method: "GET", path: "/api/day", need: CLERK };
    /// The waiting queue in call order.
    pub const WAITING: Route = Route { method: "GET", path: "/api/waiting", need: CLERK };
    /// The daily report.
    pub const REPORT_DAILY: Route = Route { method: "GET", path: "/api/report/daily", need: SUPERVISOR };
    /// A period report.
    pub const REPORT_RANGE: Route = Route { method: "GET", path: "/api/report/range", need: SUPERVISOR };
    /// Export rows of a period.
    pub const EXPORT: Route = Route { method: "GET", path: "/api/export", need: SUPERVISOR };
    /// Every account.
    pub const USERS: Route = Route { method: "GET", path: "/api/users", need: SUPERVISOR };
    /// A clerk may change their own PIN (`pin`); everything else needs an admin (the desk).
    pub const USER_CHANGE: Route = Route { method: "POST", path: "/api/users/{what}", need: CLERK };
    /// Changes a setting.
    pub const CONFIG: Route = Route { method: "POST", path: "/api/config", need: ADMIN };
    /// Replaces the catalog.
    pub const CATALOG: Route = Route { method: "POST", path: "/api/catalog", need: ADMIN };
    /// `yimen calendar import`: a year's holidays (the State Council's notice).
    pub const CALENDAR: Route = Route { method: "POST", path: "/api/calendar", need: ADMIN };
    /// A checked backup of the database.
    pub const BACKUP: Route = Route { method: "POST", path: "/api/backup", need: ADMIN };
    /// Walks the audit chain.
    pub const AUDIT: Route = Route { method: "GET", path: "/api/audit", need: SUPERVISOR };
    /// Checks the whole file.
    pub const CHECK: Route = Route { method: "GET", path: "/api/check", need: SUPERVISOR };
    /// Gives rewritten pages back to the disk.
    pub const COMPACT: Route = Route { method: "POST", path: "/api/compact", need: ADMIN };

    use yimen_domain::device::DeviceKind::{Kiosk, Pad};
    /// The display board's page (叫号屏), for the hall's TV.
    pub const BOARD_PAGE: Route = Route { method: "GET", path: "/board", need: Need::Anyone };
    /// The self-service kiosk's page (取号机); it asks for its pairing code first.
    pub const KIOSK_PAGE: Route = Route { method: "GET", path: "/kiosk", need: Need::Anyone };
    /// The rating pad's page (评价器); it asks for its pairing code first.
    pub const PAD_PAGE: Route = Route { method: "GET", path: "/pad", need: Need::Anyone };
    /// The pages' scripts, styles and sounds, embedded in the program.
    pub const ASSET: Route = Route { method: "GET", path: "/assets/{file}", need: Need::Anyone };
    /// What the board shows and says now (numbers and windows; a masked name only where the
    /// hall calls by name).
    pub const PUBLIC_BOARD: Route = Route { method: "GET", path: "/api/public/board", need: Need::Anyone };
    /// The board as server-sent events: one `board` event at once and on every change.
    pub const PUBLIC_EVENTS: Route = Route { method: "GET", path: "/api/public/events", need: Need::Anyone };
    /// A device trades its one-time code for its token (set as a cookie).
    pub const DEVICE_PAIR: Route = Route { method: "POST", path: "/api/device/pair", need: Need::Anyone };
    /// The device this browser is paired as (its cookie), or 401.
    pub const DEVICE_SELF: Route = Route { method: "GET", path: "/api/device", need: Need::Anyone };
    /// The kiosk's categories and items with their materials and queues.
    pub const KIOSK_MENU: Route = Route { method: "GET", path: "/api/kiosk/menu", need: Need::Device(Kiosk) };
    /// 取号 at the kiosk.
    pub const KIOSK_TAKE: Route = Route { method: "POST", path: "/api/kiosk/take", need: Need::Device(Kiosk) };
    /// The pad's prompts as server-sent events: the visit to rate, or `null`.
    pub const PAD_EVENTS: Route = Route { method: "GET", path: "/api/pad/events", need: Need::Device(Pad) };
    /// The citizen's rating on the pad.
    pub const PAD_RATE: Route = Route { method: "POST", path: "/api/pad/rate", need: Need::Device(Pad) };
}

/// Every endpoint of the hall server.
pub const ROUTES: &[Route] = &[
    route::HEALTH,
    route::SIGN_IN,
    route::SIGN_OUT,
    route::CHANGES,
    route::SETUP,
    route::BOARD,
    route::QUEUE,
    route::OPEN,
    route::SEARCH,
    route::TAKE,
    route::CALL,
    route::TICKET,
    route::REVEAL,
    route::ACT,
    route::DAY,
    route::WAITING,
    route::REPORT_DAILY,
    route::REPORT_RANGE,
    route::EXPORT,
    route::USERS,
    route::USER_CHANGE,
    route::CONFIG,
    route::CATALOG,
    route::CALENDAR,
    route::BACKUP,
    route::AUDIT,
    route::CHECK,
    route::COMPACT,
    route::BOARD_PAGE,
    route::KIOSK_PAGE,
    route::PAD_PAGE,
    route::ASSET,
    route::PUBLIC_BOARD,
    route::PUBLIC_EVENTS,
    route::DEVICE_PAIR,
    route::DEVICE_SELF,
    route::KIOSK_MENU,
    route::KIOSK_TAKE,
    route::PAD_EVENTS,
    route::PAD_RATE,
];

impl Route {
    /// The route's path with each `{…}` segment replaced, in order, by `params`
    /// percent-encoded (RFC 3986 unreserved characters kept): `route::ACT.at(&["A012",
    /// "complete"])` is `/api/tickets/A012/complete`. Missing params leave the segment empty.
    pub fn at(&self, params: &[&str]) -> String {
        let mut params = params.iter();
        let segments: Vec<String> = self
            .path
            .split('/')
            .map(|seg| match seg.starts_with('{') && seg.ends_with('}') {
                true => params.next().map(|p| encode(p)).unwrap_or_default(),
                false => seg.to_string(),
            })
            .collect();
        segments.join("/")
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters (for a path segment or a
/// query value).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// What the command at `path` (e.g. `user add`) needs; `None` for a command without a row,
/// which must then be refused.
pub fn need_of_command(path: &str) -> Option<Need> {
    COMMANDS.iter().find(|r| r.command == path).map(|r| r.need)
}

/// What the endpoint needs; `None` for a route without a row (refused).
pub fn need_of_route(method: &str, path: &str) -> Option<Need> {
    ROUTES.iter().find(|r| r.method.eq_ignore_ascii_case(method) && r.path == path).map(|r| r.need)
}

/// Whether someone signed in with `role` (or no one: `None`) on the file itself (`local`) or
/// through the server meets `need`.
pub fn allows(need: Need, role: Option<Role>, local: bool) -> bool {
    match need {
        Need::Anyone => true,
        Need::Role(r) => role.is_some_and(|has| has >= r),
        Need::LocalAdmin => local && role == Some(Role::Admin),
        // A device is not an account: no sign-in meets it (the server checks the device).
        Need::Device(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_and_local_admin_is_only_local() {
        assert!(allows(CLERK, Some(Role::Admin), false));
        assert!(!allows(SUPERVISOR, Some(Role::Clerk), true));
        assert!(!allows(CLERK, None, true));
        assert!(allows(Need::LocalAdmin, Some(Role::Admin), true));
        assert!(!allows(Need::LocalAdmin, Some(Role::Admin), false));
        assert!(!allows(Need::LocalAdmin, Some(Role::Supervisor), true));
        assert!(need_of_command("no such").is_none());
        assert!(need_of_route("GET", "/api/nothing").is_none());
    }

    #[test]
    fn a_route_fills_its_segments_encoded() {
        assert_eq!(route::ACT.at(&["2026-11-30/A012", "complete"]), "/api/tickets/2026-11-30%2FA012/complete");
        assert_eq!(route::TICKET.at(&["张 三"]), "/api/tickets/%E5%BC%A0%20%E4%B8%89");
        assert_eq!(route::QUEUE.at(&[]), "/api/queue");
        let mut paths: Vec<&str> = ROUTES.iter().map(|r| r.path).collect();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), ROUTES.len(), "a path declared twice");
    }
}
