//! Clerk accounts and roles. A clerk works the front desk; a supervisor also runs reports,
//! reopens cases and sees full ID numbers; an admin also manages accounts, the catalog, the
//! settings and backups. Only Argon2id hashes of PINs and passwords are ever stored.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::lang::{Lang, Localized};
use super::text::is_forbidden;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Clerk,
    Supervisor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Clerk, Role::Supervisor, Role::Admin];

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Role::Clerk => lang.pick("窗口工作人员", "clerk"),
            Role::Supervisor => lang.pick("大厅负责人", "supervisor"),
            Role::Admin => lang.pick("管理员", "admin"),
        }
    }

    /// Shortest secret for the role: a clerk may use a 6-digit PIN; supervisors and admins
    /// need a longer password.
    pub fn min_secret(self) -> usize {
        match self {
            Role::Clerk => 6,
            Role::Supervisor | Role::Admin => 10,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub name: String,
    pub role: Role,
    /// The Argon2id hash in PHC string form.
    pub hash: String,
    #[serde(default)]
    pub disabled: bool,
    /// Wrong PINs in a row.
    #[serde(default)]
    pub failures: u32,
    #[serde(default, with = "crate::wire_time::moment_opt")]
    pub locked_until: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("no such clerk or wrong PIN")]
    BadCredentials,
    #[error("{0} is locked after too many wrong PINs until {1}; an admin can unlock it")]
    Locked(String, String),
    #[error("{0} is disabled")]
    Disabled(String),
    #[error("this needs the {role} role; {1} is a {has}", role = .0.label(Lang::En), has = .2.label(Lang::En))]
    NeedsRole(Role, String, Role),
    #[error("a {role} needs a PIN or password of at least {1} characters", role = .0.label(Lang::En))]
    WeakSecret(Role, usize),
    #[error("a PIN or password may not contain control characters")]
    BadSecret,
    #[error("there is already a clerk called {0}")]
    Exists(String),
    #[error("there is no clerk called {0}")]
    Unknown(String),
    #[error("sign in first: name the clerk (--clerk) and give the PIN (YIMEN_PIN, --pin-stdin or at the prompt)")]
    NotSignedIn,
    #[error("the last active admin cannot be disabled or demoted")]
    LastAdmin,
    #[error("the sign-in of {0} has ended (the PIN was changed); sign in again")]
    SessionEnded(String),
    #[error("too many wrong PINs; try again in {0} s")]
    Throttled(u64),
}

impl Localized for AccountError {
    fn localized(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            AccountError::BadCredentials => "工作人员不存在或 PIN 错误".into(),
            AccountError::Locked(n, until) => format!("{n} 因多次输错 PIN 已锁定至 {until}，可请管理员解锁"),
            AccountError::Disabled(n) => format!("{n} 的账号已停用"),
            AccountError::NeedsRole(r, n, has) => {
                format!("此操作需要「{}」权限；{n} 是「{}」", r.label(lang), has.label(lang))
            }
            AccountError::WeakSecret(r, n) => format!("{}的 PIN/密码至少 {n} 位", r.label(lang)),
            AccountError::BadSecret => "PIN/密码不能包含控制字符".into(),
            AccountError::Exists(n) => format!("已有名为 {n} 的工作人员"),
            AccountError::Unknown(n) => format!("没有名为 {n} 的工作人员"),
            AccountError::NotSignedIn => {
                "请先登录：用 --clerk 指明工作人员，并提供 PIN（环境变量 YIMEN_PIN、--pin-stdin 或按提示输入）".into()
            }
            AccountError::LastAdmin => "不能停用或降级最后一个管理员".into(),
            AccountError::SessionEnded(n) => format!("{n} 的登录已结束（PIN 已更改），请重新登录"),
            AccountError::Throttled(s) => format!("PIN 错误次数过多，请 {s} 秒后再试"),
        }
    }
}

/// Checks a new PIN or password against the role's rules.
pub fn check_secret(role: Role, secret: &str) -> Result<(), AccountError> {
    if secret.chars().any(|c| is_forbidden(c, false)) {
        return Err(AccountError::BadSecret);
    }
    if secret.chars().count() < role.min_secret() {
        return Err(AccountError::WeakSecret(role, role.min_secret()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_rules_follow_the_role() {
        assert!(check_secret(Role::Clerk, "123456").is_ok());
        assert!(check_secret(Role::Clerk, "12345").is_err());
        assert!(check_secret(Role::Supervisor, "123456").is_err());
        assert!(check_secret(Role::Admin, "a-long-password").is_ok());
        assert!(check_secret(Role::Clerk, "123\u{7}456").is_err());
        assert!(Role::Admin > Role::Supervisor && Role::Supervisor > Role::Clerk);
    }
}
