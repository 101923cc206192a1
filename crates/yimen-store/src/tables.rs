//! The redb tables. Every name carries a version; a change of key or value layout gets a new
//! name and a named migration. Values are MessagePack with field names (rmp-serde
//! `to_vec_named`), so a record written before a field was added still reads.

use redb::TableDefinition;

/// `meta-1`: setting name → bytes. Holds `schema` (u32, big-endian), the hall's settings
/// (`hall`, `utc_offset`, `follow_up_days`, `hall_phone`) and `demo` ("1" in a demo file).
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta-1");

/// `tickets-1`: ticket id → the ticket (MessagePack). Ids grow from 1 and are never reused.
pub const TICKETS: TableDefinition<u64, &[u8]> = TableDefinition::new("tickets-1");

/// `events-1`: (ticket id, sequence from 0) → the event (MessagePack). Append-only. Ticket id
/// 0 holds the hall's own events (sign-in failures, lockouts, account changes).
pub const EVENTS: TableDefinition<(u64, u32), &[u8]> = TableDefinition::new("events-1");

/// `day-1`: (Julian day the number was taken, ticket id) → (). Every ticket of a day.
pub const DAY: TableDefinition<(i32, u64), ()> = TableDefinition::new("day-1");

/// `open-1`: (Julian day of the deadline, or i32::MAX when none, ticket id) → ().
/// Every accepted, suspended or transferred case, in deadline order.
pub const OPEN: TableDefinition<(i32, u64), ()> = TableDefinition::new("open-1");

/// `waiting-1`: (Julian day, rank 0 = priority / 1 = normal, queued-at in Unix microseconds,
/// ticket id) → category letter. Every waiting ticket, in call order.
pub const WAITING: TableDefinition<(i32, u8, i64, u64), u8> = TableDefinition::new("waiting-1");

/// `activity-1`: (Julian day in the hall's time, ticket id) → (). Every ticket with an event
/// on that day: what a daily report reads besides the tickets taken that day. (Schema 2.)
pub const ACTIVITY: TableDefinition<(i32, u64), ()> = TableDefinition::new("activity-1");

/// `followup-1`: (Julian day the follow-up is due, ticket id) → (). Every bad rating (1–2)
/// awaiting the supervisor's 回访 → 核实 → 整改 → 反馈. (Schema 2.)
pub const FOLLOWUP: TableDefinition<(i32, u64), ()> = TableDefinition::new("followup-1");

/// `chain-1`: position in the hall's audit chain (from 0) → (ticket id, event sequence). The
/// order in which events were linked; `meta-1` keeps `chain_head` and `chain_len`. (Schema 3.)
pub const CHAIN: TableDefinition<u64, (u64, u32)> = TableDefinition::new("chain-1");

/// `users-1`: clerk name → the account (MessagePack): role, Argon2id hash, lockout state.
/// (Schema 4.)
pub const USERS: TableDefinition<&str, &[u8]> = TableDefinition::new("users-1");

/// `daytotals-1`: Julian day → that finished day's report totals (MessagePack), a cache: every
/// write to a ticket removes the entries of the days it counts on. (Schema 5.)
pub const DAYTOTALS: TableDefinition<i32, &[u8]> = TableDefinition::new("daytotals-1");

/// `counters-1`: (Julian day, category letter) → the last sequence number handed out.
pub const COUNTERS: TableDefinition<(i32, u8), u32> = TableDefinition::new("counters-1");

/// `numbers-1`: (Julian day, category letter, sequence) → ticket id. Resolves "A012".
pub const NUMBERS: TableDefinition<(i32, u8, u32), u64> = TableDefinition::new("numbers-1");

/// `catalog-1`: "current" → the catalog (MessagePack); "source" → the TOML it came from.
pub const CATALOG: TableDefinition<&str, &[u8]> = TableDefinition::new("catalog-1");

/// `search-1`: (token, ticket id) → (). Tokens are `n:` name, `y:` pinyin of name or village
/// in initials (`y:zgy`, every reading) and `f:` in full pinyin (`f:zhangguiying`), `i:` ID number, `i4:` its last four, `p:` phone digits, `p4:` the last four,
/// `v:` village. Searched by prefix.
pub const SEARCH: TableDefinition<(&str, u64), ()> = TableDefinition::new("search-1");

/// `idem-1`: the idempotency keys of data version 6 (key → ticket, day), bound to nothing;
/// dropped by the migration to 7.
pub const IDEM_V1: TableDefinition<&str, (u64, i32)> = TableDefinition::new("idem-1");

/// `idem-2`: idempotency key of an action sent to the hall server → an `IdemRecord` (the
/// ticket it acted on, the Julian day it did, and the fingerprint of the request: account,
/// action and body). A retried request with the same fingerprint gets that ticket back
/// instead of acting twice; another request under the same key is refused. Keys older than a
/// week are dropped when the server starts. (Schema 7.)
pub const IDEM: TableDefinition<&str, &[u8]> = TableDefinition::new("idem-2");

/// Every table of this data version, declared once: its field in the transaction handles and
/// the read snapshot's accessor,
/// its definition above, its journal id (stable: written in journal files) and its key and
/// value types. The write handle, backup's copy list, the check of a file's tables, the
/// foreign-table check and the journal's replay are all derived from this one list
/// (`for_every_table!(some_macro)` calls `some_macro!` with it).
macro_rules! for_every_table {
    ($then:ident) => {
        $then! {
            meta / meta_table: META = J_META => &'static str, &'static [u8];
            tickets / tickets_table: TICKETS = J_TICKETS => u64, &'static [u8];
            events / events_table: EVENTS = J_EVENTS => (u64, u32), &'static [u8];
            day / day_table: DAY = J_DAY => (i32, u64), ();
            activity / activity_table: ACTIVITY = J_ACTIVITY => (i32, u64), ();
            followup / followup_table: FOLLOWUP = J_FOLLOWUP => (i32, u64), ();
            chain / chain_table: CHAIN = J_CHAIN => u64, (u64, u32);
            users / users_table: USERS = J_USERS => &'static str, &'static [u8];
            daytotals / daytotals_table: DAYTOTALS = J_DAYTOTALS => i32, &'static [u8];
            open / open_table: OPEN = J_OPEN => (i32, u64), ();
            waiting / waiting_table: WAITING = J_WAITING => (i32, u8, i64, u64), u8;
            counters / counters_table: COUNTERS = J_COUNTERS => (i32, u8), u32;
            numbers / numbers_table: NUMBERS = J_NUMBERS => (i32, u8, u32), u64;
            catalog / catalog_table: CATALOG = J_CATALOG => &'static str, &'static [u8];
            search / search_table: SEARCH = J_SEARCH => (&'static str, u64), ();
            idem / idem_table: IDEM = J_IDEM => &'static str, &'static [u8];
        }
    };
}
pub(crate) use for_every_table;

/// Tables of older data versions a file may still hold until it is migrated.
pub const LEGACY_TABLES: [&str; 1] = ["idem-1"];

/// The data version this build writes and reads.
pub const SCHEMA_VERSION: u32 = 8;
