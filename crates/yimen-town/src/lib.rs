//! Fifteen halls, one town: each hall's audit chain and ticket records pushed, store and
//! forward, into the town's PostgreSQL.
//!
//! - The hall keeps an outbox position in its own file (`yimen_app::TOWN_SYNCED`: the next
//!   chain position to send). A link down for a week resumes where it stopped.
//! - Each batch is one PostgreSQL transaction; the key of an event is (hall code, chain
//!   position), so a retried batch (the link cut after the town committed, before the hall
//!   wrote its position) inserts nothing twice.
//! - Order is the hall's chain order. The town checks continuity as it receives: every new
//!   event must follow the last one it holds (`prev` = its hash) and hash to what it says; an
//!   event it already holds must be the same. A gap or a mismatch is written to `town.flags`,
//!   never hidden, and nothing after it is taken until the hall is looked at.
//! - The ticket records sent are masked (names 张*英, ID numbers, phones), as on screens
//!   others can see, and so is every number in their free text and in the events' notes (a
//!   更正's note holds the number before and after); an event goes without the hash of its
//!   ticket's record, and its chain hashes are sealed with the hall's own secret (HMAC), so the
//!   masked digits cannot be guessed back against them.
//! - The schema is created and upgraded by numbered migrations (`migrations/`); a town
//!   database of a newer schema than this program knows is refused, not written to.

use postgres::{Client, NoTls};
use time::OffsetDateTime;

use yimen_app::{Desk, TOWN_SYNCED};
use yimen_domain::Lang;
use yimen_domain::ticket::{Event, Ticket};
use yimen_store::chain;

/// The schema's migrations, in order: (version, SQL).
const MIGRATIONS: [(i32, &str); 7] = [
    (1, include_str!("../migrations/0001_town.sql")),
    (2, include_str!("../migrations/0002_hall_setup.sql")),
    (3, include_str!("../migrations/0003_day_totals.sql")),
    (4, include_str!("../migrations/0004_follow_ups.sql")),
    (5, include_str!("../migrations/0005_hall_catalog.sql")),
    (6, include_str!("../migrations/0006_flag_resolution.sql")),
    (7, include_str!("../migrations/0007_events_by_time_ticket.sql")),
];

pub mod report;

/// The flags that stop a hall's sync where they are found (the others are reported and the
/// sync goes on).
const STOPS: [&str; 3] = ["gap", "mismatch", "broken"];

/// Events per batch (one transaction each).
pub const BATCH: usize = 500;

/// Why a sync or a town command could not go on, in one line.
#[derive(Debug)]
pub enum TownError {
    /// The URL is not a PostgreSQL connection string.
    BadUrl(String),
    /// The URL asks for TLS (`sslmode=require`) and the town's certificate cannot be trusted,
    /// or the CA file named by `PGSSLROOTCERT` cannot be read (why, in the user's words).
    Tls(TlsWhy),
    /// The server could not be reached, or refused the sign-in (the server's words).
    Connect(String),
    /// As `Connect`, for a town command (which has no hall waiting to resume).
    Unreachable(String),
    /// The town's schema is newer than this program (its version, ours).
    NewerSchema(i32, i32),
    /// The hall has no `hall_code` yet.
    NoHallCode,
    /// A database error during the sync (the server's words); the outbox keeps its place.
    Database(String),
    /// The hall's own file.
    Hall(String),
    /// The town holds another hall's records under this code.
    CodeTaken(String),
    /// The town's database has no yimen tables yet (no hall has synced).
    NoSchema,
    /// The town has no hall of this code.
    NoSuchHall(String),
    /// The town's schema is older than this program and this account cannot upgrade it (its
    /// version, ours).
    OlderSchema(i32, i32),
    /// The hall has no open flag of this number (its code, the number).
    NoSuchFlag(String, i64),
    /// `accept` of a hall the town has no open flag about its history for.
    NothingToAccept(String),
}

impl TownError {
    /// One line in `lang`. Never contains the password.
    pub fn text(&self, lang: Lang) -> String {
        match (self, lang) {
            (TownError::BadUrl(why), Lang::Zh) => format!("镇数据库地址有误（应为 postgres://用户@主机/库名）：{why}"),
            (TownError::BadUrl(why), Lang::En) => {
                format!("the town database URL is wrong (expected postgres://user@host/db): {why}")
            }
            (TownError::Tls(why), Lang::Zh) => format!(
                "镇数据库的加密连接（sslmode=require）建立不了：{}{}",
                why.text(lang),
                if why.wants_ca() {
                    "（县里自签的证书请把其 CA 证书文件路径设为 PGSSLROOTCERT）"
                } else {
                    ""
                }
            ),
            (TownError::Tls(why), Lang::En) => format!(
                "the encrypted link to the town database (sslmode=require) failed: {}{}",
                why.text(lang),
                if why.wants_ca() {
                    " (for the county's own CA, set PGSSLROOTCERT to its certificate file)"
                } else {
                    ""
                }
            ),
            (TownError::Connect(why), Lang::Zh) => {
                format!("连不上镇数据库：{}（大厅照常办理，下次同步从上次停下的地方继续）", connect_zh(why))
            }
            (TownError::Unreachable(why), Lang::Zh) => format!("连不上镇数据库：{}", connect_zh(why)),
            (TownError::Unreachable(why), Lang::En) => format!("cannot reach the town database: {why}"),
            (TownError::Connect(why), Lang::En) => {
                format!(
                    "cannot reach the town database: {why} (the hall works on; the next sync resumes where this one stopped)"
                )
            }
            (TownError::NewerSchema(theirs, ours), Lang::Zh) => {
                format!("镇数据库的结构是第 {theirs} 版，本程序只认识到第 {ours} 版：请先升级一门，不会写入")
            }
            (TownError::NewerSchema(theirs, ours), Lang::En) => format!(
                "the town database's schema is version {theirs}, this program knows up to {ours}: update yimen first; nothing was written"
            ),
            (TownError::NoHallCode, Lang::Zh) => {
                "本大厅还没有区划代码：请管理员运行 yimen config set hall_code 12位统计用区划代码".into()
            }
            (TownError::NoHallCode, Lang::En) => {
                "this hall has no code yet: an admin runs yimen config set hall_code <12-digit division code>".into()
            }
            (TownError::Database(why), Lang::Zh) => {
                format!("同步中断：{why}（已送达的批次都已保存，下次从中断处继续）")
            }
            (TownError::Database(why), Lang::En) => {
                format!("the sync stopped: {why} (every batch delivered is kept; the next sync resumes there)")
            }
            (TownError::Hall(why), _) => why.clone(),
            (TownError::CodeTaken(code), Lang::Zh) => format!(
                "镇里已有另一个大厅用代码 {code} 同步（镇里第 0 条记录不是本大厅的）：请核对本大厅的 hall_code，什么都没有写入"
            ),
            (TownError::CodeTaken(code), Lang::En) => format!(
                "another hall has synced under the code {code} (the town's first record is not this hall's): check this hall's hall_code; nothing was written"
            ),
            (TownError::NoSchema, Lang::Zh) => "镇数据库里还没有一门的表：还没有大厅同步过".into(),
            (TownError::NoSchema, Lang::En) => "the town database has no yimen tables yet: no hall has synced".into(),
            (TownError::OlderSchema(theirs, ours), Lang::Zh) => format!(
                "镇数据库的结构是第 {theirs} 版，本程序要第 {ours} 版：用同步账号让任一大厅同步一次（或用同步账号运行本命令）即可升级"
            ),
            (TownError::OlderSchema(theirs, ours), Lang::En) => format!(
                "the town database's schema is version {theirs}, this program needs {ours}: one sync by any hall (or this command with the sync account) upgrades it"
            ),
            (TownError::NoSuchHall(code), Lang::Zh) => format!("镇里没有代码为 {code} 的大厅"),
            (TownError::NothingToAccept(code), Lang::Zh) => format!(
                "镇里对大厅 {code} 的历史没有未处理的问题标记，不需要接受：只有标出缺失、不一致、断开或代码冲突的大厅才能这样处理"
            ),
            (TownError::NothingToAccept(code), Lang::En) => format!(
                "the town has no open flag about hall {code}'s history: only a hall flagged for a gap, a mismatch, a broken link or a taken code is accepted so"
            ),
            (TownError::NoSuchHall(code), Lang::En) => format!("the town has no hall with the code {code}"),
            (TownError::NoSuchFlag(code, id), Lang::Zh) => {
                format!("大厅 {code} 没有第 {id} 号未处理的标记（yimen town flags {code} 可查）")
            }
            (TownError::NoSuchFlag(code, id), Lang::En) => {
                format!("hall {code} has no open flag {id} (yimen town flags {code} lists them)")
            }
        }
    }
}

/// Why an encrypted link could not be made.
#[derive(Debug)]
pub enum TlsWhy {
    /// The server's certificate does not chain to a trusted CA.
    UnknownIssuer,
    /// The certificate does not name the URL's host.
    WrongName,
    /// The certificate has expired or is not valid yet.
    Expired,
    /// The CA file `PGSSLROOTCERT` names cannot be read or holds no certificate (the path and
    /// why).
    CaFile(String, String),
    /// The CA file `PGSSLROOTCERT` names holds no certificate (the path).
    CaEmpty(String),
    /// The computer has no root certificates and no `PGSSLROOTCERT` is set.
    NoRoots,
    /// The server does not speak TLS (its `ssl` is off, or the URL names a Unix socket).
    ServerNoTls,
    /// Anything else, in the TLS library's words.
    Other(String),
}

impl TlsWhy {
    fn text(&self, lang: Lang) -> String {
        match (self, lang) {
            (TlsWhy::UnknownIssuer, _) => lang
                .pick("服务器的证书不是受信任的机构签发的", "the server's certificate is not from a trusted CA")
                .into(),
            (TlsWhy::WrongName, _) => lang
                .pick("服务器证书上的名字与地址中的主机名不符", "the server's certificate does not name the URL's host")
                .into(),
            (TlsWhy::Expired, _) => lang
                .pick("服务器的证书已过期或尚未生效", "the server's certificate has expired or is not valid yet")
                .into(),
            (TlsWhy::CaFile(path, why), Lang::Zh) => format!("读不了 PGSSLROOTCERT 指定的 CA 证书文件 {path}：{why}"),
            (TlsWhy::CaFile(path, why), Lang::En) => {
                format!("the CA file PGSSLROOTCERT names, {path}, cannot be read: {why}")
            }
            (TlsWhy::CaEmpty(path), Lang::Zh) => format!("PGSSLROOTCERT 指定的文件 {path} 里没有证书"),
            (TlsWhy::CaEmpty(path), Lang::En) => format!("the file PGSSLROOTCERT names, {path}, holds no certificate"),
            (TlsWhy::ServerNoTls, _) => lang
                .pick(
                    "服务器不提供 TLS（其 ssl 设置为 off，或地址是本机套接字）",
                    "the server does not offer TLS (its ssl is off, or the URL is a local socket)",
                )
                .into(),
            (TlsWhy::NoRoots, _) => lang.pick("本机没有根证书", "this computer has no root certificates").into(),
            (TlsWhy::Other(why), _) => why.clone(),
        }
    }

    /// Whether naming the county's CA (`PGSSLROOTCERT`) is the likely cure.
    fn wants_ca(&self) -> bool {
        matches!(self, TlsWhy::UnknownIssuer | TlsWhy::NoRoots)
    }

    /// The reason in an error's chain of sources, when one of them is the TLS library's.
    fn of(e: &postgres::Error) -> Option<TlsWhy> {
        use rustls::CertificateError as C;
        let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
        if said(e).contains("does not support TLS") {
            return Some(TlsWhy::ServerNoTls);
        }
        let mut tls_seen = e.to_string().contains("TLS");
        while let Some(s) = source {
            if let Some(r) = s.downcast_ref::<rustls::Error>() {
                return Some(match r {
                    rustls::Error::InvalidCertificate(C::UnknownIssuer | C::BadSignature) => TlsWhy::UnknownIssuer,
                    rustls::Error::InvalidCertificate(C::NotValidForName | C::NotValidForNameContext { .. }) => {
                        TlsWhy::WrongName
                    }
                    rustls::Error::InvalidCertificate(
                        C::Expired | C::ExpiredContext { .. } | C::NotValidYet | C::NotValidYetContext { .. },
                    ) => TlsWhy::Expired,
                    other => TlsWhy::Other(other.to_string()),
                });
            }
            if let Some(io) = s.downcast_ref::<std::io::Error>()
                && let Some(r) = io.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>())
            {
                source = Some(r);
                continue;
            }
            tls_seen |= s.to_string().contains("TLS");
            source = s.source();
        }
        tls_seen.then(|| TlsWhy::Other(said(e)))
    }
}

/// The server's words for an error, on one line, without the connection string.
pub(crate) fn said(e: &postgres::Error) -> String {
    let s = match e.as_db_error() {
        Some(db) => db.message().to_string(),
        None => {
            // The driver's words, then their causes (the driver leaves them out of its own).
            let mut s = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(c) = source {
                let t = c.to_string();
                if !s.contains(&t) {
                    s.push_str(": ");
                    s.push_str(&t);
                }
                source = c.source();
            }
            s
        }
    };
    s.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("; ")
}

/// A connection failure's usual causes said in Chinese (the rest in the driver's words).
fn connect_zh(why: &str) -> String {
    let known = [
        ("Connection refused", "连接被拒绝（服务器没有运行，或主机、端口不对）"),
        ("failed to lookup address", "找不到这个主机名"),
        ("Name or service not known", "找不到这个主机名"),
        ("timed out", "连接超时（网络不通，或服务器没有响应）"),
        ("No such file or directory", "本机没有这个套接字（服务器没有运行，或路径、端口不对）"),
        ("no password given", "没有给出密码（请设置 PGPASSWORD，或写在地址里）"),
        ("host and hostaddr are missing", "地址里没有主机（应为 postgres://用户@主机/库名）"),
        ("password authentication failed", "密码不对，或没有这个用户"),
        ("does not exist", "没有这个用户或数据库"),
    ];
    match known.iter().find(|(en, _)| why.contains(en)) {
        Some((_, zh)) => format!("{zh}（{why}）"),
        None => why.to_string(),
    }
}

/// Why a connection failed; the driver's "invalid configuration" for a missing password made
/// plain.
fn connect_error(config: &postgres::Config, e: &postgres::Error) -> TownError {
    let why = said(e);
    if config.get_password().is_none() && why.contains("password missing") {
        TownError::Connect("no password given (set PGPASSWORD, or put it in the URL)".into())
    } else {
        TownError::Connect(why)
    }
}

/// A connection to `url`, the password from `PGPASSWORD` when the URL has none, ten seconds
/// to connect.
fn client(url: &str) -> Result<Client, TownError> {
    let mut config: postgres::Config = url.parse().map_err(|e: postgres::Error| TownError::BadUrl(said(&e)))?;
    if config.get_password().is_none()
        && let Ok(p) = std::env::var("PGPASSWORD")
    {
        config.password(p);
    }
    config.connect_timeout(std::time::Duration::from_secs(10));
    if config.get_ssl_mode() != postgres::config::SslMode::Require {
        // Without `sslmode=require` the link is plain, as inside the county's network or a VPN
        // (docs/deployment.md); a server's TLS is never half-trusted.
        return config.connect(NoTls).map_err(|e| connect_error(&config, &e));
    }
    // A local socket has no name to check a certificate against, and nothing to protect.
    if config.get_hosts().iter().any(|h| !matches!(h, postgres::config::Host::Tcp(_))) {
        return Err(TownError::Tls(TlsWhy::ServerNoTls));
    }
    let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls_config()?);
    config.connect(tls).map_err(|e| match TlsWhy::of(&e) {
        Some(why) => TownError::Tls(why),
        None => connect_error(&config, &e),
    })
}

/// What `sslmode=require` trusts: the CA certificates in the PEM file `PGSSLROOTCERT` names
/// (libpq's variable; a county's own CA), else the system's root certificates. The server's
/// certificate must chain to one of them and name the host of the URL (RFC 6125 via rustls and
/// webpki); rustls speaks TLS 1.2 and 1.3 only.
fn tls_config() -> Result<rustls::ClientConfig, TownError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    match std::env::var_os("PGSSLROOTCERT") {
        Some(path) => {
            let shown = std::path::Path::new(&path).display().to_string();
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&path)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|e| TownError::Tls(TlsWhy::CaFile(shown.clone(), e.to_string())))?;
            let (added, _) = roots.add_parsable_certificates(certs);
            if added == 0 {
                return Err(TownError::Tls(TlsWhy::CaEmpty(shown)));
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(found.certs);
            if roots.is_empty() {
                return Err(TownError::Tls(TlsWhy::NoRoots));
            }
        }
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TownError::Tls(TlsWhy::Other(e.to_string())))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

/// A connection to the town's database, its schema brought up to date.
pub struct Town {
    client: Client,
}

impl Town {
    /// Connects to `url` (`postgres://user[:password]@host[:port]/db`, or `host=/run/postgresql`
    /// style) and brings the schema up to date. A password may come from `PGPASSWORD` instead of
    /// the URL.
    ///
    /// # Errors
    /// A bad URL, a TLS link that cannot be trusted, the server unreachable or refusing, a newer
    /// schema.
    pub fn connect(url: &str) -> Result<Town, TownError> {
        let mut town = Town { client: client(url)? };
        town.migrate()?;
        Ok(town)
    }

    /// Connects to read only: the schema must be there and no newer than this program; nothing
    /// is created (a read-only account reads the town's reports).
    ///
    /// # Errors
    /// As [`Town::connect`], and `NoSchema` before any hall has synced.
    pub fn open(url: &str) -> Result<Town, TownError> {
        let client = client(url).map_err(|e| match e {
            TownError::Connect(why) => TownError::Unreachable(why),
            other => other,
        })?;
        let mut town = Town { client };
        let there: bool = town
            .client
            .query_one("SELECT to_regclass('town.schema_version') IS NOT NULL", &[])
            .map_err(|e| TownError::Database(said(&e)))?
            .get(0);
        if !there {
            return Err(TownError::NoSchema);
        }
        let v = town.schema_version()?;
        if v > Self::schema_known() {
            return Err(TownError::NewerSchema(v, Self::schema_known()));
        }
        if v < Self::schema_known() {
            // Brought up to date when the account may (the sync account owns the schema); a
            // read-only account is told what to do instead of meeting a missing column.
            town.migrate().map_err(|_| TownError::OlderSchema(v, Self::schema_known()))?;
        }
        Ok(town)
    }

    /// The newest schema version this program knows.
    pub fn schema_known() -> i32 {
        MIGRATIONS.last().map(|(v, _)| *v).unwrap_or(0)
    }

    /// Applies the migrations not yet applied, each in its own transaction, under an advisory
    /// lock so two halls connecting at once do not both create the schema.
    fn migrate(&mut self) -> Result<(), TownError> {
        let db = |e: postgres::Error| TownError::Database(said(&e));
        let mut tx = self.client.transaction().map_err(db)?;
        // 0x79696d656e = "yimen".
        tx.execute("SELECT pg_advisory_xact_lock(521157617006)", &[]).map_err(db)?;
        tx.batch_execute(
            "CREATE SCHEMA IF NOT EXISTS town;
             CREATE TABLE IF NOT EXISTS town.schema_version (
                 version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
        )
        .map_err(db)?;
        let have: i32 =
            tx.query_one("SELECT coalesce(max(version), 0) FROM town.schema_version", &[]).map_err(db)?.get(0);
        if have > Self::schema_known() {
            return Err(TownError::NewerSchema(have, Self::schema_known()));
        }
        for (v, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > have) {
            tx.batch_execute(sql).map_err(db)?;
            tx.execute("INSERT INTO town.schema_version (version) VALUES ($1)", &[v]).map_err(db)?;
        }
        tx.commit().map_err(db)
    }

    /// The schema version the town's database is at.
    ///
    /// # Errors
    /// The database's.
    pub fn schema_version(&mut self) -> Result<i32, TownError> {
        self.client
            .query_one("SELECT coalesce(max(version), 0) FROM town.schema_version", &[])
            .map(|r| r.get(0))
            .map_err(|e| TownError::Database(said(&e)))
    }

    /// Every hall the town has heard from: its code, name, events received, last sync, its
    /// lag (`now` minus the last sync) and its open flags.
    ///
    /// # Errors
    /// The database's.
    pub fn halls(&mut self, now: OffsetDateTime) -> Result<Vec<HallRow>, TownError> {
        let rows = self
            .client
            .query(
                "SELECT h.hall_code, h.name, h.next_position, h.last_sync,
                        (SELECT count(*) FROM town.flags f WHERE f.hall_code = h.hall_code AND f.resolved_at IS NULL)
                 FROM town.halls h ORDER BY h.hall_code",
                &[],
            )
            .map_err(|e| TownError::Database(said(&e)))?;
        Ok(rows
            .iter()
            .map(|r| {
                let last: Option<OffsetDateTime> = r.get(3);
                HallRow {
                    code: r.get(0),
                    name: r.get(1),
                    events: r.get::<_, i64>(2).max(0) as u64,
                    last_sync: last,
                    lag_seconds: last.map(|l| (now - l).whole_seconds()),
                    flags: r.get::<_, i64>(4).max(0) as u64,
                }
            })
            .collect())
    }

    /// The flags the town holds for a hall (newest first): what kind, where, why; with `all`,
    /// the resolved ones too, with their resolution.
    ///
    /// # Errors
    /// The database's.
    pub fn flags(&mut self, hall_code: &str, all: bool) -> Result<Vec<Flag>, TownError> {
        let rows = self
            .client
            .query(
                "SELECT kind, position, ticket_id, detail, id, resolution FROM town.flags
                 WHERE hall_code = $1 AND ($2 OR resolved_at IS NULL) ORDER BY id DESC",
                &[&hall_code, &all],
            )
            .map_err(|e| TownError::Database(said(&e)))?;
        Ok(rows
            .iter()
            .map(|r| Flag {
                kind: r.get(0),
                position: r.get::<_, Option<i64>>(1).map(|p| p.max(0) as u64),
                ticket: r.get::<_, Option<i64>>(2).map(|p| p.max(0) as u64),
                detail: r.get(3),
                id: Some(r.get::<_, i64>(4).max(0) as u64),
                resolution: r.get(5),
            })
            .collect())
    }

    /// Marks flag `id` of `hall_code` resolved at `now`, with what was found and decided.
    ///
    /// # Errors
    /// `NoSuchFlag` when the hall has no open flag of that number; the database's.
    pub fn resolve(&mut self, hall_code: &str, id: u64, note: &str, now: OffsetDateTime) -> Result<(), TownError> {
        let id = i64::try_from(id).unwrap_or(i64::MAX);
        let n = self
            .client
            .execute(
                "UPDATE town.flags SET resolved_at = $3, resolution = $4
                 WHERE hall_code = $1 AND id = $2 AND resolved_at IS NULL",
                &[&hall_code, &id, &now, &note],
            )
            .map_err(|e| TownError::Database(said(&e)))?;
        if n == 0 {
            return Err(TownError::NoSuchFlag(hall_code.to_string(), id));
        }
        Ok(())
    }

    /// Accepts a hall's history as it now stands, when it no longer extends what the town holds
    /// (a hall restored from a backup older than its last sync, or one that lost its sealing
    /// secret and is refused as "another hall"): in one transaction the town's events of the
    /// hall are set aside in `town.superseded_events` (with `now` and `note`, never deleted),
    /// its records, cached days and the hall itself are removed, and its open chain flags are
    /// resolved with `note`. The hall's next sync sends its whole history again. Returns the
    /// events set aside.
    ///
    /// # Errors
    /// `NoSuchHall`; the database's (then nothing changed).
    pub fn accept_history(&mut self, hall_code: &str, note: &str, now: OffsetDateTime) -> Result<u64, TownError> {
        let db = |e: postgres::Error| TownError::Database(said(&e));
        let mut tx = self.client.transaction().map_err(db)?;
        let known = tx
            .query_opt("SELECT 1 FROM town.halls WHERE hall_code = $1 FOR UPDATE", &[&hall_code])
            .map_err(db)?
            .is_some();
        if !known {
            return Err(TownError::NoSuchHall(hall_code.to_string()));
        }
        // Only a hall the town has flagged for its history: a healthy hall's copy is never
        // set aside by a slip of the keyboard.
        let flagged: i64 = tx
            .query_one(
                "SELECT count(*) FROM town.flags WHERE hall_code = $1 AND resolved_at IS NULL
                   AND kind IN ('gap', 'mismatch', 'broken', 'code_taken')",
                &[&hall_code],
            )
            .map_err(db)?
            .get(0);
        if flagged == 0 {
            return Err(TownError::NothingToAccept(hall_code.to_string()));
        }
        let moved = tx
            .execute(
                "INSERT INTO town.superseded_events
                 SELECT hall_code, position, ticket_id, seq, at, clerk, action, to_status, prev, hash, state, body, $2, $3
                 FROM town.events WHERE hall_code = $1",
                &[&hall_code, &now, &note],
            )
            .map_err(db)?;
        for table in ["events", "tickets", "day_totals"] {
            tx.execute(&format!("DELETE FROM town.{table} WHERE hall_code = $1"), &[&hall_code]).map_err(db)?;
        }
        // Still listed, as waiting for its history (never synced since, so marked stale); its
        // next sync starts the chain again from the hall's own first event.
        tx.execute(
            "UPDATE town.halls SET next_position = 0, head = '', last_sync = NULL WHERE hall_code = $1",
            &[&hall_code],
        )
        .map_err(db)?;
        tx.execute(
            "UPDATE town.flags SET resolved_at = $2, resolution = $3
             WHERE hall_code = $1 AND resolved_at IS NULL AND kind IN ('gap', 'mismatch', 'broken', 'code_taken')",
            &[&hall_code, &now, &note],
        )
        .map_err(db)?;
        tx.commit().map_err(db)?;
        Ok(moved)
    }
}

/// One hall as the town sees it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HallRow {
    pub code: String,
    pub name: String,
    /// Events received (the hall's chain positions 0 … events − 1).
    pub events: u64,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_sync: Option<OffsetDateTime>,
    /// Seconds since the last sync; `None`: never.
    pub lag_seconds: Option<i64>,
    /// Flags raised for the hall (chain gaps or mismatches, records changed outside yimen).
    pub flags: u64,
}

/// A problem the town found in a hall's record.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Flag {
    /// `gap`, `mismatch`, `broken` or `record_changed`.
    pub kind: String,
    pub position: Option<u64>,
    pub ticket: Option<u64>,
    pub detail: String,
    /// The flag's number in the town (`yimen town resolve CODE ID`); `None` for one just found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// What was found and decided, once resolved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
}

impl Flag {
    /// A flag just found (the town numbers it when it is raised).
    fn found(kind: &str, position: Option<u64>, ticket: Option<u64>, detail: String) -> Flag {
        Flag { kind: kind.into(), position, ticket, detail, id: None, resolution: None }
    }
}

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct SyncReport {
    /// Events sent in this run (received before by the town: not counted).
    pub events: u64,
    pub tickets: u64,
    pub batches: u64,
    /// The next chain position to send, after this run.
    pub position: u64,
    /// Flags found in this run (raised once in the town, reported on every run while they
    /// stand).
    pub flags: Vec<Flag>,
    /// The sync stopped at a gap, a mismatch or a broken link: nothing after it is taken until
    /// the hall is looked at.
    pub stopped: bool,
}

/// SHA-256 (hex, first 16 digits) of a ticket's record as the hall holds it: which state of a
/// changed record a flag was about.
fn record_digest(t: &Ticket) -> String {
    use sha2::Digest;
    let bytes = serde_json::to_vec(t).unwrap_or_default();
    yimen_domain::token::hex(&sha2::Sha256::digest(&bytes))[..16].to_string()
}

/// How far the hall has sent its chain.
fn outbox(desk: &Desk) -> Result<u64, TownError> {
    let raw = desk.store().read(|rx| rx.meta(TOWN_SYNCED)).map_err(|e| TownError::Hall(e.to_string()))?;
    Ok(raw.and_then(|b| String::from_utf8_lossy(&b).trim().parse().ok()).unwrap_or(0))
}

/// Whether a string is a day, a moment or a hash (kept as they are; nothing personal).
fn is_time_or_hash(s: &str) -> bool {
    use time::format_description::well_known::{Iso8601, Rfc3339};
    (s.len() == 10 && time::Date::parse(s, &Iso8601::DATE).is_ok())
        || time::OffsetDateTime::parse(s, &Rfc3339).is_ok()
        || (s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Masks every run of six or more digits in every string of `v` but days, moments and
/// hashes, at any depth: a note, a reason, a village, a material, a department, a 更正's note
/// (which holds the number before and after) or a name typed at a failed sign-in never carries
/// a personal number to the town.
fn mask_strings(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) if !is_time_or_hash(s) => *s = yimen_app::log::mask_digit_runs(s),
        serde_json::Value::Object(m) => m.values_mut().for_each(mask_strings),
        serde_json::Value::Array(a) => a.iter_mut().for_each(mask_strings),
        _ => {}
    }
}

/// The hall's secret for sealing its chain's hashes before they leave (`town_key` in the hall's
/// file, 32 random bytes, made on the first sync).
fn town_key(desk: &Desk) -> Result<Vec<u8>, TownError> {
    let hall_err = |e: yimen_store::StoreError| TownError::Hall(e.to_string());
    if let Some(k) = desk.store().read(|rx| rx.meta(TOWN_KEY)).map_err(hall_err)? {
        return Ok(k);
    }
    let key = yimen_domain::token::random_hex::<32>().map_err(|e| TownError::Hall(e.to_string()))?.into_bytes();
    desk.store()
        .write(|tx| {
            // Another sync may have made it a moment ago: keep the first.
            match tx.meta(TOWN_KEY)? {
                Some(k) => Ok(k),
                None => tx.set_meta(TOWN_KEY, &key).map(|()| key.clone()),
            }
        })
        .map_err(hall_err)
}

/// The meta key of the hall's sealing secret.
const TOWN_KEY: &str = "town_key";

/// A chain hash as the town keeps it: HMAC-SHA-256 under the hall's secret (hex). The town can
/// still follow the links and see a changed event, but cannot test guesses of masked digits
/// against an event's hash (the hash covers the unmasked record and notes).
fn seal(key: &[u8], hash: &str) -> String {
    use hmac::{Hmac, Mac};
    match <Hmac<sha2::Sha256> as Mac>::new_from_slice(key) {
        Ok(mut m) => {
            m.update(hash.as_bytes());
            yimen_domain::token::hex(&m.finalize().into_bytes())
        }
        // HMAC takes a key of any length; kept as an error-free path rather than a panic.
        Err(_) => String::new(),
    }
}

/// An event as the town keeps it: numbers in its note masked, and without the hash of the
/// ticket's record (`state`), which would let anyone holding the masked record guess the
/// masked digits back. The town checks the chain's links (`prev` → `hash`); the content of
/// each event is checked by the hall itself before it is sent.
///
/// With `full` (the hall's `town_personal_data = full`), notes go as they are.
fn masked_event(e: &Event, full: bool, names: &[String]) -> serde_json::Value {
    let mut v = serde_json::to_value(e).unwrap_or_default();
    if let Some(m) = v.as_object_mut() {
        // The sealed hashes are the event's columns.
        for k in ["state", "prev", "hash"] {
            m.remove(k);
        }
    }
    if full {
        return v;
    }
    // An event's note is free text (a reason, a comment, what was said), except a 更正's,
    // which says which field changed: its values are masked.
    match (e.action, e.note.as_deref()) {
        (yimen_domain::ticket::Action::Correct, Some(note)) => v["note"] = correction_note_for_town(note).into(),
        _ => withhold(&mut v["note"]),
    }
    mask_names(&mut v, names);
    mask_strings(&mut v);
    v
}

/// The names a ticket holds and held (the applicant's, the proxy's, and those a 更正 replaced,
/// read from its events' notes), for masking them wherever they appear in its free text: a
/// reason, a comment, a follow-up's note, a note typed before the name was corrected.
fn names_of(t: &Ticket, events: &[Event]) -> Vec<String> {
    use yimen_domain::ticket::CorrectField;
    let mut v: Vec<String> = t.citizen.name.iter().cloned().collect();
    if let Some(p) = &t.proxy {
        v.push(p.name.clone());
    }
    let notes = events.iter().filter(|e| e.action == yimen_domain::ticket::Action::Correct);
    for c in notes.filter_map(|e| e.note.as_deref().and_then(yimen_domain::ticket::CorrectionNote::parse)) {
        if matches!(c.field, CorrectField::Name | CorrectField::ProxyName) {
            for name in [c.before, c.after].into_iter().flatten() {
                if !v.iter().any(|x| x == name) {
                    v.push(name.to_string());
                }
            }
        }
    }
    // A one-character name would mask that character in every word.
    v.retain(|n| n.chars().count() >= 2);
    v
}

/// Replaces each of `names` in every string of `v`, at any depth, with its masked form (张*英).
fn mask_names(v: &mut serde_json::Value, names: &[String]) {
    match v {
        serde_json::Value::String(s) => {
            for n in names {
                if s.contains(n.as_str()) {
                    *s = s.replace(n.as_str(), &yimen_domain::mask::name(n));
                }
            }
        }
        serde_json::Value::Object(m) => m.values_mut().for_each(|x| mask_names(x, names)),
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| mask_names(x, names)),
        _ => {}
    }
}

/// A 更正's note (`字段：旧值 → 新值；理由`) as the town keeps it: a name before and after
/// masked as names are (张*英); numbers are masked with every string's.
fn correction_note_for_town(note: &str) -> String {
    use yimen_domain::ticket::{CorrectField, CorrectionNote};
    match CorrectionNote::parse(note) {
        Some(c) if matches!(c.field, CorrectField::Name | CorrectField::ProxyName) => {
            c.with_values(yimen_domain::mask::name)
        }
        Some(_) => note.to_string(),
        // Not the shape a correction writes: free text, not sent.
        None => WITHHELD.to_string(),
    }
}

/// A ticket as the town keeps it: personal data masked (`names`: those it holds and held, see
/// [`names_of`]); whole with `full` (the hall's `town_personal_data = full`).
fn masked(t: &Ticket, full: bool, names: &[String]) -> serde_json::Value {
    use yimen_domain::mask;
    let mut v = serde_json::to_value(t).unwrap_or_default();
    if full {
        return v;
    }
    let c = &t.citizen;
    v["citizen"]["name"] = c.name.as_deref().map(mask::name).into();
    v["citizen"]["id_number"] = c.id_number.as_ref().map(|i| mask::id_number(i.as_str())).into();
    v["citizen"]["phone"] = c.phone.as_ref().map(|p| mask::phone(p.as_str())).into();
    if let Some(p) = &t.proxy {
        v["proxy"]["name"] = mask::name(&p.name).into();
        v["proxy"]["id_number"] = p.id_number.as_ref().map(|i| mask::id_number(i.as_str())).into();
        v["proxy"]["phone"] = p.phone.as_ref().map(|p| mask::phone(p.as_str())).into();
    }
    // Free text is not sent: no rule can find every name typed into it, and no town figure
    // reads it (docs/security.md). That there was text is kept.
    withhold(&mut v["note"]);
    withhold(&mut v["close_reason"]);
    if let Some(r) = v.get_mut("rating").filter(|r| r.is_object()) {
        withhold(&mut r["comment"]);
        if let Some(steps) = r.get_mut("follow_up").and_then(|f| f.as_array_mut()) {
            steps.iter_mut().for_each(|s| withhold(&mut s["note"]));
        }
    }
    mask_names(&mut v, names);
    mask_strings(&mut v);
    v
}

/// What the town gets for a piece of free text in masked mode: that there was some.
const WITHHELD: &str = "〔略〕";

/// Replaces a free-text string (left as it is when absent or empty) with [`WITHHELD`].
fn withhold(v: &mut serde_json::Value) {
    if v.as_str().is_some_and(|s| !s.trim().is_empty()) {
        *v = WITHHELD.into();
    }
}

/// Sends the hall's chain from its outbox position to the town, `BATCH` events per
/// transaction, then the records of the tickets those events touched; moves the outbox
/// after each batch the town committed. With `check_records`, the hall's whole file is checked
/// first (`audit verify`'s walk, which reads every event): a record changed outside yimen is
/// flagged to the town. `yimen sync` always checks; `serve --sync-to` checks once a day.
///
/// # Errors
/// No hall code; the town unreachable or failing mid-way (what was committed stays, the
/// outbox is where the town is); the hall's file.
pub fn sync(
    desk: &Desk,
    town: &mut Town,
    check_records: bool,
    progress: &dyn Fn(u64, u64),
) -> Result<SyncReport, TownError> {
    // Read afresh: a server's desk was forked when it started, and an admin may have set the
    // code since.
    let settings = desk.store().read(yimen_app::Settings::load_r).map_err(|e| TownError::Hall(e.to_string()))?;
    let code = settings.hall_code.clone().ok_or(TownError::NoHallCode)?;
    let db = |e: postgres::Error| TownError::Database(said(&e));
    let hall_err = |e: yimen_store::StoreError| TownError::Hall(e.to_string());
    let mut report = SyncReport::default();
    let (_, total) = desk.store().read(|rx| rx.chain_state()).map_err(hall_err)?;
    // The code must be this hall's: when the town holds events under it, its first event must
    // be this hall's first (two halls given one code by mistake never mix, and the wrong one
    // changes nothing, not even the name).
    let town_first: Option<String> = town
        .client
        .query_opt("SELECT hash FROM town.events WHERE hall_code = $1 AND position = 0", &[&code])
        .map_err(db)?
        .map(|r| r.get(0));
    let hall_first = desk.store().read(|rx| rx.chain_from(0, 1)).map_err(hall_err)?;
    let key = town_key(desk)?;
    if let (Some(theirs), Some((_, ours))) = (&town_first, hall_first.first())
        && *theirs != seal(&key, &ours.hash)
    {
        // The town is told (once): another hall given this code, or this hall restored without
        // its secret — `yimen town accept` settles the second.
        let f = Flag::found(
            "code_taken",
            Some(0),
            None,
            format!("a hall named {} whose history is not the one held tried to sync under this code", settings.hall),
        );
        raise(&mut town.client, &code, &f).map_err(db)?;
        return Err(TownError::CodeTaken(code));
    }
    // The hall is known to the town before its first event arrives, with what its reports
    // need: its offset, the holiday years it imported and its catalog.
    let calendar =
        serde_json::to_value(desk.imported_calendar().map_err(|e| TownError::Hall(e.to_string()))?).unwrap_or_default();
    let catalog = serde_json::to_value(desk.catalog()).unwrap_or_default();
    let offset = yimen_domain::clock::format_offset(settings.utc_offset);
    // Days are the hall's local days: a new offset makes every cached day stale, as at the hall.
    town.client
        .execute(
            "DELETE FROM town.day_totals WHERE hall_code = $1
               AND EXISTS (SELECT 1 FROM town.halls WHERE hall_code = $1 AND utc_offset <> $2)",
            &[&code, &offset],
        )
        .map_err(db)?;
    town.client
        .execute(
            "INSERT INTO town.halls (hall_code, name, utc_offset, head, calendar, catalog)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (hall_code) DO UPDATE SET name = excluded.name, utc_offset = excluded.utc_offset,
                                                   calendar = excluded.calendar, catalog = excluded.catalog,
                 head = CASE WHEN town.halls.next_position = 0 THEN excluded.head ELSE town.halls.head END",
            &[&code, &settings.hall, &offset, &seal(&key, chain::GENESIS), &calendar, &catalog],
        )
        .map_err(db)?;
    // Records changed outside yimen, found by the hall's own check, are the town's to know.
    let verdict = if check_records { Some(desk.store().read(|rx| rx.verify_chain()).map_err(hall_err)?) } else { None };
    let mut found: Vec<Flag> = Vec::new();
    match verdict {
        Some(yimen_store::chain::Verdict::Altered { tickets, .. }) => {
            for (id, why) in tickets {
                // The record as it now stands, by digest: a resolution settles this state of it,
                // and a later change is a new flag.
                let now_is = desk
                    .store()
                    .read(|rx| rx.tickets(&[id]))
                    .ok()
                    .and_then(|t| t.first().map(record_digest))
                    .unwrap_or_else(|| "missing".into());
                found.push(Flag::found(
                    "record_changed",
                    None,
                    Some(id),
                    format!("the hall's record of ticket {id}: {why} (as it stands: {now_is})"),
                ));
            }
        }
        Some(yimen_store::chain::Verdict::Broken { position, ticket, why, .. }) => {
            found.push(Flag::found("hall_broken", Some(position), Some(ticket), format!("the hall's own chain: {why}")))
        }
        _ => {}
    }
    // A changed record the town has looked at and resolved, still as it was then (its digest is
    // in the flag's detail), is not raised or reported again; changed once more, it is.
    let settled: Vec<String> = town
        .client
        .query(
            "SELECT detail FROM town.flags WHERE hall_code = $1 AND kind = 'record_changed' AND resolved_at IS NOT NULL",
            &[&code],
        )
        .map_err(db)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    found.retain(|f| f.kind != "record_changed" || !settled.contains(&f.detail));
    for f in &found {
        raise(&mut town.client, &code, f).map_err(db)?;
    }
    report.flags.extend(found);

    // The hall's clock (one injected clock; `YIMEN_NOW` in tests) dates the sync.
    let now = desk.clock().now();
    // From where the hall stopped, or from where the town is if it holds less (a new or
    // rebuilt town database): the town's key makes a resent event harmless.
    let town_next: i64 = town
        .client
        .query_one("SELECT next_position FROM town.halls WHERE hall_code = $1", &[&code])
        .map_err(db)?
        .get(0);
    let mut position = outbox(desk)?.min(town_next.max(0) as u64);
    let mut stuck = false;
    loop {
        let batch = desk.store().read(|rx| rx.chain_from(position, BATCH)).map_err(hall_err)?;
        let Some(&(last, _)) = batch.last() else { break };
        let mut tx = town.client.transaction().map_err(db)?;
        let (next, head): (i64, String) = {
            let r = tx
                .query_one("SELECT next_position, head FROM town.halls WHERE hall_code = $1 FOR UPDATE", &[&code])
                .map_err(db)?;
            (r.get(0), r.get(1))
        };
        let mut head = head;
        let mut expected = next.max(0) as u64;
        // How far the hall's chain is known to match the town's (the outbox never passes it).
        let mut confirmed = position;
        let mut sent = 0u64;
        let mut touched: Vec<u64> = Vec::new();
        let mut stop = false;
        // The first position past the town's own that it already holds (its tables were
        // changed): found once per batch, so the new events go in one statement.
        let taken: Option<i64> = tx
            .query_one(
                "SELECT min(position) FROM town.events WHERE hall_code = $1 AND position >= $2 AND position <= $3",
                &[&code, &i64::try_from(expected).unwrap_or(i64::MAX), &i64::try_from(last).unwrap_or(i64::MAX)],
            )
            .map_err(db)?
            .get(0);
        // The hashes the town holds of this batch's positions before its own (a retry after a
        // cut link resends them): read once, not one query an event.
        let held: std::collections::HashMap<i64, String> = tx
            .query(
                "SELECT position, hash FROM town.events WHERE hall_code = $1 AND position >= $2 AND position < $3",
                &[&code, &i64::try_from(position).unwrap_or(i64::MAX), &i64::try_from(expected).unwrap_or(i64::MAX)],
            )
            .map_err(db)?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        let mut new_events: Vec<(i64, &Event)> = Vec::new();
        // The first problem found stops the hall there.
        let mut problem: Option<Flag> = None;
        for (pos, e) in &batch {
            let p = i64::try_from(*pos).unwrap_or(i64::MAX);
            if *pos < expected {
                // Held already (a retry after a cut link): it must be the same event.
                let have = held.get(&p);
                if have.map(String::as_str) != Some(seal(&key, &e.hash).as_str()) {
                    // Missing where the town says it holds it, or another event there.
                    problem = Some(Flag::found(
                        if have.is_none() { "gap" } else { "mismatch" },
                        Some(*pos),
                        Some(e.ticket),
                        "the hall's event at this position is not the one the town holds (history rewritten or restored from an older backup)".into(),
                    ));
                    break;
                }
                confirmed = pos + 1;
                continue;
            }
            if *pos > expected {
                let detail = format!("positions {expected}…{} never arrived", pos - 1);
                problem = Some(Flag::found("gap", Some(expected), None, detail));
                break;
            }
            let follows = seal(&key, &e.prev) == head;
            if !follows || chain::hash_of(e) != e.hash {
                let detail =
                    if follows { "its content does not match its hash" } else { "does not follow the event before it" };
                problem = Some(Flag::found("broken", Some(*pos), Some(e.ticket), detail.into()));
                break;
            }
            if taken == Some(p) {
                // The town holds an event past its own position (its tables were changed).
                let detail = "the town already holds an event at this position".into();
                problem = Some(Flag::found("mismatch", Some(*pos), Some(e.ticket), detail));
                break;
            }
            new_events.push((p, e));
            head = seal(&key, &e.hash);
            expected = pos + 1;
            confirmed = pos + 1;
            sent += 1;
            if e.ticket != yimen_store::SYSTEM && !touched.contains(&e.ticket) {
                touched.push(e.ticket);
            }
        }
        if let Some(f) = problem {
            raise_tx(&mut tx, &code, &f).map_err(db)?;
            report.flags.push(f);
            stop = true;
        }
        // A record missing from the hall's file (removed outside yimen) is flagged, not a stall.
        let tickets = match desk.store().read(|rx| rx.tickets(&touched)) {
            Ok(t) => t,
            Err(yimen_store::StoreError::Corrupt(why)) => {
                let f = Flag::found("record_changed", None, None, why);
                // Nothing of this batch is kept; the flag is, in its own transaction, and the
                // hall is not "synced" (its outbox cannot pass this batch).
                tx.rollback().map_err(db)?;
                raise(&mut town.client, &code, &f).map_err(db)?;
                report.flags.push(f);
                stuck = true;
                break;
            }
            Err(e) => return Err(hall_err(e)),
        };
        // Each record's and event's text is masked of its ticket's names, past ones included.
        let names: std::collections::HashMap<u64, Vec<String>> = desk
            .store()
            .read(|rx| tickets.iter().map(|t| Ok((t.id, names_of(t, &rx.events(t.id)?)))).collect::<Result<_, _>>())
            .map_err(hall_err)?;
        let inserted = insert_events(&mut tx, &code, &new_events, &key, settings.town_full_data, &names).map_err(db)?;
        if inserted != new_events.len() as u64 {
            // The town's tables changed while this batch was checked: nothing of it is kept.
            tx.rollback().map_err(db)?;
            let f = Flag::found(
                "mismatch",
                Some(position),
                None,
                "the town's tables changed during the sync (an event arrived twice)".into(),
            );
            raise(&mut town.client, &code, &f).map_err(db)?;
            report.flags.push(f);
            break;
        }
        upsert_tickets(&mut tx, &code, &tickets, settings.town_full_data, &names).map_err(db)?;
        // The cached totals of the days these tickets count on are stale.
        if let Some(first) = tickets.iter().map(|t| t.date).min() {
            tx.execute("DELETE FROM town.day_totals WHERE hall_code = $1 AND day >= $2", &[&code, &first])
                .map_err(db)?;
        }
        let next = i64::try_from(expected).unwrap_or(i64::MAX);
        // A hall stopped on a flag is not "synced": its last sync stays, so it shows as stale.
        tx.execute(
            "UPDATE town.halls SET next_position = $2, head = $3,
                                   last_sync = CASE WHEN $5 THEN last_sync ELSE $4 END
             WHERE hall_code = $1",
            &[&code, &next, &head, &now, &stop],
        )
        .map_err(db)?;
        tx.commit().map_err(db)?;
        // The town holds and matches everything before `confirmed`: the outbox moves there.
        desk.store().write(|tx| tx.set_meta(TOWN_SYNCED, confirmed.to_string().as_bytes())).map_err(hall_err)?;
        let expected = confirmed;
        report.events += sent;
        report.tickets += tickets.len() as u64;
        report.batches += 1;
        position = expected;
        progress(position, total);
        if stop || last < position.saturating_sub(1) {
            break;
        }
    }
    // A sync with nothing new still says the hall is alive (unless it stopped on a flag, or a
    // batch could not be sent).
    if !stuck && !report.flags.iter().any(|f| STOPS.contains(&f.kind.as_str())) {
        town.client.execute("UPDATE town.halls SET last_sync = $2 WHERE hall_code = $1", &[&code, &now]).map_err(db)?;
    }
    report.stopped = stuck || report.flags.iter().any(|f| STOPS.contains(&f.kind.as_str()));
    report.position = position;
    Ok(report)
}

fn raise(client: &mut Client, code: &str, f: &Flag) -> Result<(), postgres::Error> {
    let mut tx = client.transaction()?;
    raise_tx(&mut tx, code, f)?;
    tx.commit()
}

/// Records a flag once: the same kind at the same place is not raised again on every sync.
fn raise_tx(tx: &mut postgres::Transaction<'_>, code: &str, f: &Flag) -> Result<(), postgres::Error> {
    let pos = f.position.map(|p| i64::try_from(p).unwrap_or(i64::MAX));
    let ticket = f.ticket.map(|p| i64::try_from(p).unwrap_or(i64::MAX));
    tx.execute(
        "INSERT INTO town.flags (hall_code, kind, position, ticket_id, detail)
         SELECT $1, $2, $3, $4, $5
         WHERE NOT EXISTS (SELECT 1 FROM town.flags WHERE hall_code = $1 AND kind = $2 AND resolved_at IS NULL
                           AND position IS NOT DISTINCT FROM $3 AND ticket_id IS NOT DISTINCT FROM $4)",
        &[&code, &f.kind, &pos, &ticket, &f.detail],
    )?;
    Ok(())
}

/// Inserts a batch's new events (their hashes sealed, their text masked) in one statement:
/// one row per element of the arrays, so a batch of 500 is one round trip, not 500.
fn insert_events(
    tx: &mut postgres::Transaction<'_>,
    code: &str,
    events: &[(i64, &Event)],
    key: &[u8],
    full: bool,
    names: &std::collections::HashMap<u64, Vec<String>>,
) -> Result<u64, postgres::Error> {
    if events.is_empty() {
        return Ok(0);
    }
    let mut cols = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut more = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (p, e) in events {
        cols.0.push(*p);
        cols.1.push(i64::try_from(e.ticket).unwrap_or(i64::MAX));
        cols.2.push(i64::from(e.seq));
        cols.3.push(e.at);
        cols.4.push(if full { e.clerk.clone() } else { yimen_app::log::mask_digit_runs(&e.clerk) });
        cols.5.push(e.action.code().to_string());
        more.0.push(e.to.code().to_string());
        more.1.push(seal(key, &e.prev));
        more.2.push(seal(key, &e.hash));
        more.3.push(masked_event(e, full, names.get(&e.ticket).map(Vec::as_slice).unwrap_or_default()));
    }
    tx.execute(
        "INSERT INTO town.events (hall_code, position, ticket_id, seq, at, clerk, action, to_status, prev, hash, body)
         SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::timestamptz[], $6::text[],
                                  $7::text[], $8::text[], $9::text[], $10::text[], $11::jsonb[])
         ON CONFLICT (hall_code, position) DO NOTHING",
        &[&code, &cols.0, &cols.1, &cols.2, &cols.3, &cols.4, &cols.5, &more.0, &more.1, &more.2, &more.3],
    )
}

/// Inserts or updates the records a batch touched (personal data masked unless `full`), in
/// one statement.
fn upsert_tickets(
    tx: &mut postgres::Transaction<'_>,
    code: &str,
    tickets: &[Ticket],
    full: bool,
    names: &std::collections::HashMap<u64, Vec<String>>,
) -> Result<(), postgres::Error> {
    if tickets.is_empty() {
        return Ok(());
    }
    // The columns beside the record, masked as the record's strings are.
    let plain = |s: &str| if full { s.to_string() } else { yimen_app::log::mask_digit_runs(s) };
    let mut a = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut b = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut c = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for t in tickets {
        // The village column is the record's, masked the same way.
        let record = masked(t, full, names.get(&t.id).map(Vec::as_slice).unwrap_or_default());
        a.0.push(i64::try_from(t.id).unwrap_or(i64::MAX));
        a.1.push(t.date);
        a.2.push(t.number.to_string());
        a.3.push(t.category.clone());
        a.4.push(t.item.clone());
        a.5.push(t.kind.code().to_string());
        b.0.push(t.status.code().to_string());
        b.1.push(t.clerk.as_deref().map(plain));
        b.2.push(record["citizen"]["village"].as_str().map(str::to_string));
        b.3.push(t.taken_at);
        b.4.push(t.accepted_at);
        b.5.push(t.completed_at);
        c.0.push(t.closed_at);
        c.1.push(t.deadline.map(|d| d.date));
        c.2.push(t.rating.as_ref().map(|r| i16::from(r.score)));
        c.3.push(record);
        // As the hall's follow-up index holds it (what the daily report lists).
        c.4.push(t.rating.as_ref().is_some_and(|r| r.awaits_follow_up() && r.follow_up_due.is_some()));
    }
    tx.execute(
        "INSERT INTO town.tickets (hall_code, ticket_id, date, number, category, item, kind, status, clerk, village,
                                   taken_at, accepted_at, completed_at, closed_at, deadline, rating, record,
                                   follow_up_open)
         SELECT $1, * FROM unnest($2::bigint[], $3::date[], $4::text[], $5::text[], $6::text[], $7::text[],
                                  $8::text[], $9::text[], $10::text[], $11::timestamptz[], $12::timestamptz[],
                                  $13::timestamptz[], $14::timestamptz[], $15::date[], $16::smallint[],
                                  $17::jsonb[], $18::boolean[])
         ON CONFLICT (hall_code, ticket_id) DO UPDATE SET
           status = excluded.status, clerk = excluded.clerk, village = excluded.village,
           accepted_at = excluded.accepted_at, completed_at = excluded.completed_at,
           closed_at = excluded.closed_at, deadline = excluded.deadline, rating = excluded.rating,
           record = excluded.record, follow_up_open = excluded.follow_up_open",
        &[&code, &a.0, &a.1, &a.2, &a.3, &a.4, &a.5, &b.0, &b.1, &b.2, &b.3, &b.4, &b.5, &c.0, &c.1, &c.2, &c.3, &c.4],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_migration_file_is_applied_in_order() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut files: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        files.sort();
        assert_eq!(files.len(), super::MIGRATIONS.len(), "{files:?}");
        for (i, (f, (v, _))) in files.iter().zip(super::MIGRATIONS).enumerate() {
            assert_eq!(usize::try_from(v).unwrap(), i + 1);
            assert!(f.starts_with(&format!("{v:04}_")), "{f} is migration {v}");
        }
    }
}
