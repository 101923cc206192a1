//! Signing in and managing accounts. Checked here, in the application layer, so the command
//! line, the interface and a future server enforce the same rules.
//!
//! A database without any account (made before accounts existed, or by a test) runs in setup
//! mode: the named clerk acts without a PIN until the first admin is added.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use super::{Acting, Actor, Desk, DeskError, input};
use yimen_domain::account::{AccountError, Role, User, check_secret};
use yimen_domain::text::Field;
use yimen_domain::ticket::{Action, Event, Status};
use yimen_store::{SYSTEM, WriteTx};

fn hash(secret: &str) -> Result<String, DeskError> {
    Argon2::default()
        .hash_password(secret.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| DeskError::Io(format!("hashing: {e}")))
}

/// Whether `secret` matches a stored Argon2id hash (PHC string).
pub fn verify_secret(secret: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| Argon2::default().verify_password(secret.as_bytes(), &h).is_ok())
}

/// The meta key of the hall server's saved sign-ins.
const SESSIONS_META: &str = "server_sessions";

/// A hall-server sign-in: the SHA-256 of its token (the token itself is never stored), the
/// clerk, and when it ends in Unix seconds (real elapsed time, not the hall clock: `YIMEN_NOW`
/// must not make a sign-in last forever).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SavedSession {
    pub token_hash: String,
    pub clerk: String,
    pub expires: u64,
    /// The account's credential stamp at sign-in (see `Desk::credential_stamp`): a PIN change
    /// ends the session. Sessions saved without one are not restored.
    #[serde(default)]
    pub stamp: String,
}

impl Desk {
    /// True once any account exists: from then on every action needs a signed-in clerk.
    pub fn has_accounts(&self) -> bool {
        self.accounts
    }

    /// Whether the file has accounts: as this desk found it, or, when it found none, as the file
    /// is now (another program may have made the first admin since).
    pub(crate) fn accounts_now(&self) -> Result<bool, DeskError> {
        if self.accounts {
            return Ok(true);
        }
        Ok(!self.store.read(|rx| rx.users())?.is_empty())
    }

    /// Signs a clerk in. A wrong PIN is an event in the audit chain and counts in the account's
    /// record, but never locks the account: a lock anyone can trigger by typing wrong PINs
    /// would lock the hall out (even its only admin). The hall server slows guessing down
    /// instead, per account and per address (docs/security.md).
    ///
    /// Returns who acts from now on: the account's name as stored and its role.
    ///
    /// # Errors
    /// `BadCredentials` (unknown name or wrong PIN), `Disabled`.
    pub fn sign_in(&self, name: &str, secret: &str) -> Result<Actor, DeskError> {
        let name = input::short(Field::Clerk, name).map_err(|_| AccountError::BadCredentials)?;
        // The PIN is checked on a read: a right PIN for a command that only reads leaves the
        // file exactly as it was. Only a failure (an audit event) or a reset is written.
        let user = self.store.read(|rx| rx.user(&name))?;
        let right = user.as_ref().is_some_and(|u| !u.disabled && verify_secret(secret, &u.hash));
        if let Some(u) = user.as_ref().filter(|u| u.disabled) {
            return Err(AccountError::Disabled(u.name.clone()).into());
        }
        if right && user.as_ref().is_some_and(|u| u.failures == 0 && u.locked_until.is_none()) {
            let role = user.as_ref().map(|u| u.role).ok_or(AccountError::BadCredentials)?;
            return Ok(Actor { clerk: Some(name), role: Some(role), request_key: None });
        }
        let outcome = self.store.write(|tx| {
            let Some(mut u) = tx.user(&name)? else {
                system_event(tx, &name, Action::SignInFailed, None, &self.context_at(&name))?;
                return Ok::<_, DeskError>(Err(AccountError::BadCredentials));
            };
            if right {
                u.failures = 0;
                u.locked_until = None;
                tx.put_user(&u)?;
                return Ok(Ok(u.role));
            }
            u.failures = u.failures.saturating_add(1);
            let ctx = self.context_at(&name);
            system_event(tx, &name, Action::SignInFailed, Some(format!("{} in a row", u.failures)), &ctx)?;
            tx.put_user(&u)?;
            Ok(Err(AccountError::BadCredentials))
        })?;
        let role = outcome?;
        Ok(Actor { clerk: Some(name), role: Some(role), request_key: None })
    }

    /// Acts as `name`, who signed in elsewhere (a hall-server session): the account must still
    /// exist and be enabled, and its role as it is now applies.
    ///
    /// `stamp` is the account's credential stamp when the session began: once the PIN has
    /// changed since, the session is over.
    ///
    /// # Errors
    /// `SessionEnded`, `Disabled`, `NotSignedIn` (no such account); the store's.
    pub fn assume(&self, name: &str, stamp: &str) -> Result<Actor, DeskError> {
        let user = self.store.read(|rx| rx.user(name))?;
        match user {
            Some(u) if !u.disabled && credential_stamp(&u.hash) != stamp => {
                Err(AccountError::SessionEnded(u.name).into())
            }
            Some(u) if !u.disabled => Ok(Actor { clerk: Some(u.name), role: Some(u.role), request_key: None }),
            Some(u) => Err(AccountError::Disabled(u.name).into()),
            None => Err(AccountError::NotSignedIn.into()),
        }
    }

    /// The credential stamp of the account `name` (see `assume`); `None` when there is none.
    ///
    /// # Errors
    /// The store's.
    pub fn credential_stamp(&self, name: &str) -> Result<Option<String>, DeskError> {
        Ok(self.store.read(|rx| rx.user(name))?.map(|u| credential_stamp(&u.hash)))
    }

    /// The hall server's sign-ins, kept so a restarted server does not sign every window out.
    pub fn saved_sessions(&self) -> Result<Vec<SavedSession>, DeskError> {
        let raw = self.store.read(|rx| rx.meta(SESSIONS_META))?;
        // A damaged list only means windows sign in again.
        Ok(raw.and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default())
    }

    pub fn save_sessions(&self, sessions: &[SavedSession]) -> Result<(), DeskError> {
        let bytes = serde_json::to_vec(sessions).map_err(|e| DeskError::Io(e.to_string()))?;
        Ok(self.store.write(|tx| tx.set_meta(SESSIONS_META, &bytes))?)
    }

    /// The active accounts' names and roles: the sign-in screen's list.
    pub fn roster(&self) -> Result<Vec<(String, Role)>, DeskError> {
        Ok(self.users()?.into_iter().filter(|u| !u.disabled).map(|u| (u.name, u.role)).collect())
    }

    pub fn users(&self) -> Result<Vec<User>, DeskError> {
        Ok(self.store.read(|rx| rx.users())?)
    }

    /// Records in the audit chain that `actor` saw citizens' data whole: `what` names the
    /// tickets or the export, never the numbers themselves.
    pub(super) fn record_reveal_by(&self, actor: &str, what: String) -> Result<(), DeskError> {
        self.store.write(|tx| system_event(tx, actor, Action::Reveal, Some(what), &self.context_at(actor)))
    }

    fn context_at(&self, clerk: &str) -> yimen_domain::ticket::Context<'_> {
        self.context(clerk, None)
    }
}

/// A short digest of an account's PIN hash: it changes whenever the PIN does, and says nothing
/// about the PIN itself.
fn credential_stamp(hash: &str) -> String {
    use sha2::Digest;
    yimen_domain::token::hex(&sha2::Sha256::digest(hash.as_bytes()))[..16].to_string()
}

/// Appends one of the hall's own events (ticket id 0) to the chain.
pub(crate) fn system_event(
    tx: &mut WriteTx<'_>,
    clerk: &str,
    action: Action,
    note: Option<String>,
    ctx: &yimen_domain::ticket::Context<'_>,
) -> Result<(), DeskError> {
    // The hall's own events name `clerk` (who acted, or whose sign-in failed) and no window.
    let seq = tx.next_system_seq()?;
    let e = Event {
        clerk: clerk.to_string(),
        window: None,
        ..Event::unsealed(ctx, SYSTEM, seq, action, None, Status::Waiting, note)
    };
    tx.append_event(&e, ctx.today)?;
    Ok(())
}

impl Acting<'_> {
    /// Refuses unless the acting clerk has at least `role` (in setup mode: unless a clerk is
    /// named at all).
    ///
    /// The account is read as it is now, not as it was at sign-in: another program on the file
    /// (an admin's `yimen user disable`) may have disabled or lowered it since, and a file that
    /// had no accounts when this desk opened may have its first admin now.
    ///
    /// # Errors
    /// `NoClerk`, `NotSignedIn`, `Disabled`, `NeedsRole`; the store's.
    pub fn require(&self, role: Role) -> Result<(), DeskError> {
        if !self.accounts_now()? {
            return self.who.clerk.as_deref().map(|_| ()).ok_or(DeskError::NoClerk);
        }
        // Accounts exist: only someone who signed in acts (a name from setup mode is not a
        // sign-in).
        if self.who.role.is_none() {
            return Err(AccountError::NotSignedIn.into());
        }
        let Some(name) = self.who.clerk.as_deref() else { return Err(AccountError::NotSignedIn.into()) };
        match self.store.read(|rx| rx.user(name))? {
            Some(u) if u.disabled => Err(AccountError::Disabled(u.name).into()),
            Some(u) if u.role >= role => Ok(()),
            Some(u) => Err(AccountError::NeedsRole(role, u.name, u.role).into()),
            None => Err(AccountError::NotSignedIn.into()),
        }
    }

    /// Adds an account. Needs an admin — except the very first account, which must be an admin.
    pub fn add_user(&self, name: &str, role: Role, secret: &str) -> Result<(), DeskError> {
        let name = input::short(Field::Clerk, name)?;
        // An account's name starts with a letter: a lone mark or a dot would look blank on the
        // sign-in list.
        if let Some(first) = name.chars().next().filter(|c| !yimen_domain::text::is_letter(*c)) {
            return Err(yimen_domain::text::TextError::NotAName { field: Field::Clerk, ch: first }.into());
        }
        if self.accounts_now()? {
            self.require(Role::Admin)?;
        } else if role != Role::Admin {
            return Err(AccountError::NeedsRole(Role::Admin, name, role).into());
        }
        check_secret(role, secret)?;
        let hash = hash(secret)?;
        let actor = self.who.clerk.clone().unwrap_or_else(|| name.clone());
        self.desk.store.write(|tx| {
            if tx.user(&name)?.is_some() {
                return Err(DeskError::from(AccountError::Exists(name.clone())));
            }
            tx.put_user(&User { name: name.clone(), role, hash, disabled: false, failures: 0, locked_until: None })?;
            system_event(tx, &actor, Action::Account, Some(format!("add {name} {role:?}")), &self.context_at(&actor))
        })?;
        Ok(())
    }

    /// Changes an account; an admin may change any, a clerk only their own secret.
    fn change_user(
        &self,
        name: &str,
        what: &str,
        f: impl FnOnce(&mut User) -> Result<(), DeskError>,
    ) -> Result<(), DeskError> {
        let actor = self.who.clerk.clone().ok_or(AccountError::NotSignedIn)?;
        let own_secret = what == "passwd" && actor == name.trim();
        if !own_secret {
            self.require(Role::Admin)?;
        } else {
            self.require(Role::Clerk)?;
        }
        self.store.write(|tx| {
            let mut u = tx.user(name.trim())?.ok_or_else(|| AccountError::Unknown(name.trim().into()))?;
            f(&mut u)?;
            if u.disabled || u.role != Role::Admin {
                let admins =
                    tx.users()?.iter().filter(|o| o.name != u.name && o.role == Role::Admin && !o.disabled).count();
                if admins == 0 {
                    return Err(AccountError::LastAdmin.into());
                }
            }
            tx.put_user(&u)?;
            system_event(tx, &actor, Action::Account, Some(format!("{what} {}", u.name)), &self.context_at(&actor))
        })
    }

    pub fn set_secret(&self, name: &str, secret: &str) -> Result<(), DeskError> {
        let hash_for = |role: Role| -> Result<String, DeskError> {
            check_secret(role, secret)?;
            hash(secret)
        };
        self.change_user(name, "passwd", |u| {
            u.hash = hash_for(u.role)?;
            u.failures = 0;
            u.locked_until = None;
            Ok(())
        })
    }

    pub fn disable_user(&self, name: &str) -> Result<(), DeskError> {
        self.change_user(name, "disable", |u| {
            u.disabled = true;
            Ok(())
        })
    }

    pub fn unlock_user(&self, name: &str) -> Result<(), DeskError> {
        self.change_user(name, "unlock", |u| {
            u.disabled = false;
            u.failures = 0;
            u.locked_until = None;
            Ok(())
        })
    }

    /// Records that a supervisor revealed full ID numbers (an audit event). In setup mode the
    /// named clerk is recorded.
    pub fn record_reveal(&self, what: &str) -> Result<(), DeskError> {
        if self.accounts_now()? {
            self.require(Role::Supervisor)?;
        }
        let actor = self.who.clerk.clone().ok_or(DeskError::NoClerk)?;
        self.record_reveal_by(&actor, what.to_string())
    }
}
