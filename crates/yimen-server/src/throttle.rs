//! Slowing down PIN guessing without locking anyone out. A hard lock after five wrong PINs
//! lets anyone who knows the names (the sign-in list shows them) lock every account, the only
//! admin's included. Instead each wrong PIN makes the next try from that address, and (from
//! other PCs) for that account, wait a little longer: nothing for the first few, then 1, 2, 4 …
//! seconds up to a cap. A right PIN clears both. Sign-ins from the server PC itself (loopback)
//! are never held back by what other PCs did to the account, so an admin sitting at the server
//! can always sign in and unlock (docs/security.md).

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Wrong PINs allowed before any wait.
const FREE_TRIES: u32 = 3;
/// The longest wait an address earns, in seconds.
const ADDRESS_CAP_SECS: u64 = 300;
/// The longest wait an account earns, in seconds (kept short: anyone can earn it for an account).
const ACCOUNT_CAP_SECS: u64 = 30;
/// Strikes older than this are forgotten (a clerk who mistyped in the morning starts afresh).
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);
/// Most entries kept of each kind; past it the stalest go first.
const MAX_ENTRIES: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Strikes {
    wrong: u32,
    wait_until: Instant,
    last: Instant,
}

/// Wrong PINs per address and per account, in the server's memory.
#[derive(Debug, Default)]
pub struct Throttle {
    addresses: HashMap<IpAddr, Strikes>,
    accounts: HashMap<String, Strikes>,
}

/// The address strikes are counted under: every loopback address (127.0.0.0/8, ::1, and IPv4
/// mapped into IPv6) is the one server PC; an IPv4 address mapped into IPv6 (a dual-stack
/// listener) is that IPv4 address.
fn source(ip: IpAddr) -> IpAddr {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    };
    if ip.is_loopback() { IpAddr::V4(std::net::Ipv4Addr::LOCALHOST) } else { ip }
}

/// The longest wait the server PC itself earns, in seconds: whoever sits there (the admin,
/// after a script kept a stale PIN) waits at most this long, and guessing from there is still
/// held to a couple of tries a minute.
const LOOPBACK_CAP_SECS: u64 = 30;

/// The wait after `wrong` wrong PINs in a row: 0 for the free tries, then doubling to `cap`.
fn wait_after(wrong: u32, cap: u64) -> Duration {
    if wrong < FREE_TRIES {
        return Duration::ZERO;
    }
    let exp = (wrong - FREE_TRIES).min(20);
    Duration::from_secs((1u64 << exp).min(cap))
}

/// The strikes still remembered at `now`.
fn live(s: Option<&Strikes>, now: Instant) -> Option<Strikes> {
    s.copied().filter(|s| now.saturating_duration_since(s.last) < FORGET_AFTER)
}

fn left(s: Option<Strikes>, now: Instant) -> u64 {
    s.map(|s| s.wait_until.saturating_duration_since(now))
        .map(|d| d.as_secs() + u64::from(d.subsec_nanos() > 0))
        .unwrap_or(0)
}

fn bump(s: Option<Strikes>, cap: u64, now: Instant) -> Strikes {
    let wrong = s.map_or(0, |s| s.wrong).saturating_add(1);
    Strikes { wrong, wait_until: now + wait_after(wrong, cap), last: now }
}

/// Keeps a map under `MAX_ENTRIES`: forgotten entries go, then the stalest half.
fn trim<K: std::hash::Hash + Eq + Clone>(map: &mut HashMap<K, Strikes>, now: Instant) {
    if map.len() <= MAX_ENTRIES {
        return;
    }
    map.retain(|_, s| now.saturating_duration_since(s.last) < FORGET_AFTER);
    if map.len() > MAX_ENTRIES / 2 {
        let mut by_age: Vec<(Instant, K)> = map.iter().map(|(k, s)| (s.last, k.clone())).collect();
        by_age.sort_by_key(|(last, _)| *last);
        for (_, k) in by_age.into_iter().take(map.len() - MAX_ENTRIES / 2) {
            map.remove(&k);
        }
    }
}

impl Throttle {
    /// Seconds `from` must still wait before trying `account` again (0: go ahead).
    pub fn wait(&self, from: IpAddr, account: &str, now: Instant) -> u64 {
        let from = source(from);
        let by_address = left(live(self.addresses.get(&from), now), now);
        let by_account = if from.is_loopback() { 0 } else { left(live(self.accounts.get(account), now), now) };
        by_address.max(by_account)
    }

    /// Records a wrong PIN for `account` from `from`.
    pub fn failed(&mut self, from: IpAddr, account: &str, now: Instant) {
        let from = source(from);
        let cap = if from.is_loopback() { LOOPBACK_CAP_SECS } else { ADDRESS_CAP_SECS };
        let a = bump(live(self.addresses.get(&from), now), cap, now);
        self.addresses.insert(from, a);
        if !from.is_loopback() {
            let u = bump(live(self.accounts.get(account), now), ACCOUNT_CAP_SECS, now);
            self.accounts.insert(account.to_string(), u);
        }
        trim(&mut self.addresses, now);
        trim(&mut self.accounts, now);
    }

    /// A right PIN: the account's strikes are cleared. The address keeps its strikes (they
    /// fade after a quarter of an hour): a right PIN of one's own does not wash out wrong
    /// guesses at another account.
    pub fn succeeded(&mut self, account: &str) {
        self.accounts.remove(account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_per_address_and_account_and_loopback_is_not_held_by_others() {
        let mut t = Throttle::default();
        let now = Instant::now();
        let lan: IpAddr = "192.168.1.20".parse().unwrap();
        let other: IpAddr = "192.168.1.21".parse().unwrap();
        let local: IpAddr = "127.0.0.1".parse().unwrap();
        for _ in 0..FREE_TRIES - 1 {
            t.failed(lan, "王芳", now);
        }
        assert_eq!(t.wait(lan, "王芳", now), 0, "the first tries are free");
        t.failed(lan, "王芳", now);
        assert_eq!(t.wait(lan, "王芳", now), 1);
        t.failed(lan, "王芳", now);
        assert_eq!(t.wait(lan, "王芳", now), 2, "it doubles");
        assert_eq!(t.wait(other, "王芳", now), 2, "another PC waits for the account too");
        assert_eq!(t.wait(other, "李娟", now), 0, "but not for other accounts");
        assert_eq!(t.wait(local, "王芳", now), 0, "the server PC is never held back by others");
        for _ in 0..30 {
            t.failed(lan, "王芳", now);
        }
        assert_eq!(t.wait(lan, "王芳", now), ADDRESS_CAP_SECS);
        assert_eq!(t.wait(other, "王芳", now), ACCOUNT_CAP_SECS, "an account's wait stays short");
        t.succeeded("王芳");
        assert_eq!(t.wait(other, "王芳", now), 0);
        assert_eq!(t.wait(lan, "王芳", now), ADDRESS_CAP_SECS, "the guessing address still waits");
        // Strikes are forgotten after a while.
        assert_eq!(t.wait(lan, "王芳", now + FORGET_AFTER), 0);
    }

    #[test]
    fn a_right_pin_of_ones_own_does_not_wash_out_guesses_at_another_account() {
        let mut t = Throttle::default();
        let mut now = Instant::now();
        let lan: IpAddr = "192.168.1.20".parse().unwrap();
        // The server judges tries one at a time: each sees the strikes of those before it.
        let mut tries = 0;
        let mut waited = Duration::ZERO;
        for _ in 0..12 {
            let wait = Duration::from_secs(t.wait(lan, "管理员", now));
            now += wait;
            waited += wait;
            t.failed(lan, "管理员", now);
            tries += 1;
            // The guesser's own right PIN in between.
            t.succeeded("张三");
        }
        assert_eq!(tries, 12);
        assert!(waited >= Duration::from_secs(1 + 2 + 4 + 8 + 16 + 32 + 64 + 128), "{waited:?}");
    }

    #[test]
    fn every_loopback_address_is_the_one_server_pc_and_waits_at_most_a_little() {
        let mut t = Throttle::default();
        let now = Instant::now();
        for i in 0..4u8 {
            t.failed(IpAddr::from([127, 0, i, 1]), "张三", now);
        }
        assert!(t.wait("127.9.9.9".parse().unwrap(), "张三", now) > 0, "other 127.x addresses wait too");
        assert!(t.wait("::1".parse().unwrap(), "李娟", now) > 0);
        assert!(t.wait("::ffff:127.0.0.1".parse().unwrap(), "李娟", now) > 0);
        for _ in 0..30 {
            t.failed(IpAddr::from([127, 0, 0, 1]), "张三", now);
        }
        assert_eq!(t.wait("::1".parse().unwrap(), "李娟", now), LOOPBACK_CAP_SECS, "the server PC waits at most this");
        // A mapped address on a dual-stack listener is the same PC as its IPv4 form.
        assert_eq!(
            t.wait("::ffff:192.168.1.5".parse().unwrap(), "王五", now),
            t.wait("192.168.1.5".parse().unwrap(), "王五", now)
        );
    }

    #[test]
    fn random_names_and_addresses_never_grow_the_maps_without_end() {
        let mut t = Throttle::default();
        let now = Instant::now();
        for i in 0..(3 * MAX_ENTRIES as u32) {
            let ip = IpAddr::from([10, (i >> 16) as u8, (i >> 8) as u8, i as u8]);
            t.failed(ip, &format!("名{i}"), now);
        }
        assert!(t.addresses.len() <= MAX_ENTRIES && t.accounts.len() <= MAX_ENTRIES);
    }
}
