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
/// Most entries kept of each kind; the oldest go first.
const MAX_ENTRIES: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Strikes {
    wrong: u32,
    wait_until: Instant,
}

/// Wrong PINs per address and per account, in the server's memory.
#[derive(Debug, Default)]
pub struct Throttle {
    addresses: HashMap<IpAddr, Strikes>,
    accounts: HashMap<String, Strikes>,
}

/// The wait after `wrong` wrong PINs in a row: 0 for the free tries, then doubling to `cap`.
fn wait_after(wrong: u32, cap: u64) -> Duration {
    if wrong < FREE_TRIES {
        return Duration::ZERO;
    }
    let exp = (wrong - FREE_TRIES).min(20);
    Duration::from_secs((1u64 << exp).min(cap))
}

fn left(s: Option<&Strikes>, now: Instant) -> u64 {
    s.map(|s| s.wait_until.saturating_duration_since(now))
        .map(|d| d.as_secs() + u64::from(d.subsec_nanos() > 0))
        .unwrap_or(0)
}

impl Throttle {
    /// Seconds `from` must still wait before trying `account` again (0: go ahead).
    pub fn wait(&self, from: IpAddr, account: &str, now: Instant) -> u64 {
        let by_address = left(self.addresses.get(&from), now);
        let by_account = if from.is_loopback() { 0 } else { left(self.accounts.get(account), now) };
        by_address.max(by_account)
    }

    /// Records a wrong PIN for `account` from `from`.
    pub fn failed(&mut self, from: IpAddr, account: &str, now: Instant) {
        let bump = |s: Option<Strikes>, cap| {
            let wrong = s.map_or(0, |s| s.wrong) + 1;
            Strikes { wrong, wait_until: now + wait_after(wrong, cap) }
        };
        let a = bump(self.addresses.get(&from).copied(), ADDRESS_CAP_SECS);
        self.addresses.insert(from, a);
        if !from.is_loopback() {
            let u = bump(self.accounts.get(account).copied(), ACCOUNT_CAP_SECS);
            self.accounts.insert(account.to_string(), u);
        }
        self.trim();
    }

    /// A right PIN: clears the address's and the account's strikes.
    pub fn succeeded(&mut self, from: IpAddr, account: &str) {
        self.addresses.remove(&from);
        self.accounts.remove(account);
    }

    fn trim(&mut self) {
        if self.addresses.len() > MAX_ENTRIES {
            self.addresses.retain(|_, s| s.wrong >= FREE_TRIES);
        }
        if self.accounts.len() > MAX_ENTRIES {
            self.accounts.retain(|_, s| s.wrong >= FREE_TRIES);
        }
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
        t.succeeded(other, "王芳");
        assert_eq!(t.wait(other, "王芳", now), 0);
        assert_eq!(t.wait(lan, "王芳", now), ADDRESS_CAP_SECS, "the guessing address still waits");
    }
}
