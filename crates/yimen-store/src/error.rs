//! What can go wrong with the database file, said in one line.

use std::path::{Path, PathBuf};

use yimen_domain::lang::{Lang, Localized};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "{path} is open in another yimen program, and this needs the file to itself; close the other programs first (if it is the hall server at {server}, stop it for this)",
        server = server.as_deref().unwrap_or("http://SERVER-PC:PORT")
    )]
    Locked { path: PathBuf, server: Option<String> },
    #[error(
        "{path} was written by a newer yimen (data version {found}; this program reads up to {supported}); update yimen"
    )]
    NewerSchema { path: PathBuf, found: u32, supported: u32 },
    #[error(
        "{path} was written by an older yimen (data version {found}; this program writes {supported}); it is upgraded when restored or opened for work"
    )]
    OlderSchema { path: PathBuf, found: u32, supported: u32 },
    /// The file was not closed cleanly and redb must repair it, which needs write access.
    #[error("the database was not closed cleanly and must be repaired by opening it for writing")]
    NeedsRepair,
    #[error("there is no yimen database at {path}; create one with `yimen init`")]
    Missing { path: PathBuf },
    #[error("{path} is not a yimen database ({detail}); nothing was changed")]
    NotOurs { path: PathBuf, detail: String },
    /// Found damaged. A read changes nothing; damage that shows only once a write has begun may
    /// leave the file changed, so the message does not promise otherwise — the backup is the way
    /// back either way.
    #[error("{path} is damaged ({detail}). {hint}", hint = restore_hint(path, backup.as_deref(), Lang::En))]
    Damaged { path: PathBuf, detail: String, backup: Option<PathBuf> },
    #[error("{path} cannot be {what}: permission denied (ask whoever looks after this PC to give yimen access)", what = if *.write { "written" } else { "read" })]
    Permission { path: PathBuf, write: bool },
    #[error(
        "the database holds a damaged record ({0}); nothing was changed — a backup can be put back with `yimen restore FILE`"
    )]
    Corrupt(String),
    #[error("the journal {path} does not belong to this database file; move it away to open the file as it is")]
    ForeignJournal { path: PathBuf },
    /// The journal an earlier version left beside the file cannot be replayed whole; the file
    /// and the journal are left as they are.
    #[error(
        "the journal {path} left by an earlier yimen is damaged ({detail}); nothing was changed. Keep both files and have them looked at; moving the journal away opens the file without the actions only it holds"
    )]
    JournalDamaged { path: PathBuf, detail: String },
    /// A fault in yimen itself (a panic outside redb): nothing was changed; the line is for
    /// whoever maintains the program.
    #[error("internal error in yimen ({0}); nothing was changed — please report this line")]
    Internal(String),
    #[error("the database is in use by other windows right now; run this when the hall is closed")]
    Busy,
    #[error("{path} already exists; nothing was written (give another name)")]
    Exists { path: PathBuf },
    #[error("the database could not be read or written: {0}")]
    Io(String),
    #[error("the queue for {letter} on {date} has run out of numbers ({max})")]
    NumbersExhausted { letter: char, date: String, max: u32 },
}

impl Localized for StoreError {
    fn localized(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            StoreError::Locked { path, server } => {
                format!(
                    "数据库 {} 正被另一个一门程序使用，而这一步需要独占数据库：请先退出其他程序（如果是大厅服务 {} 在运行，请先停止它）",
                    path.display(),
                    server.as_deref().unwrap_or("http://服务器电脑:端口")
                )
            }
            StoreError::NewerSchema { path, found, supported } => format!(
                "数据库 {} 由更新版本的一门写入（数据版本 {found}，本程序最高支持 {supported}），请升级一门",
                path.display()
            ),
            StoreError::OlderSchema { path, found, supported } => format!(
                "{} 由旧版本的一门写入（数据版本 {found}，本程序为 {supported}），恢复或打开办理时会自动升级",
                path.display()
            ),
            StoreError::NeedsRepair => "数据库上次未正常关闭，需要以可写方式打开进行修复".to_string(),
            StoreError::Missing { path } => format!("{} 处没有一门数据库，请先运行 `yimen init` 创建", path.display()),
            StoreError::NotOurs { path, detail } => {
                format!("{} 不是一门数据库（{detail}），未做任何修改", path.display())
            }
            StoreError::Damaged { path, detail, backup } => {
                format!("数据库 {} 已损坏（{detail}）。{}", path.display(), restore_hint(path, backup.as_deref(), lang))
            }
            StoreError::Permission { path, write } => format!(
                "没有权限{} {}，请让负责这台电脑的人给一门开放权限",
                if *write { "写入" } else { "读取" },
                path.display()
            ),
            StoreError::Corrupt(what) => format!("数据库中有损坏的记录（{what}），未做任何修改"),
            StoreError::ForeignJournal { path } => {
                format!("日志文件 {} 不属于这个数据库文件；把它移到别处后即可按原样打开数据库", path.display())
            }
            StoreError::JournalDamaged { path, detail } => format!(
                "旧版一门留下的日志文件 {} 已损坏（{detail}），未做任何修改。请保留这两个文件并交维护人员查看；把日志文件移走后数据库可以打开，但只记在日志里的办理步骤将不会出现",
                path.display()
            ),
            StoreError::Internal(e) => format!("一门程序内部错误（{e}），未做任何修改；请把这一行报告给维护人员"),
            StoreError::Busy => "其他窗口正在使用数据库，请在大厅下班后再运行".into(),
            StoreError::Exists { path } => format!("{} 已存在，未写入任何内容（请换一个文件名）", path.display()),
            StoreError::Io(e) => format!("数据库读写失败：{e}"),
            StoreError::NumbersExhausted { letter, date, max } => {
                format!("{date} 的 {letter} 类号码已用完（最多 {max} 个）")
            }
        }
    }
}

/// How to put the newest backup back (or that there is none beside the file).
fn restore_hint(db: &Path, backup: Option<&Path>, lang: Lang) -> String {
    match backup {
        Some(b) => {
            lang.pick("可放回最新的备份：", "Put the newest backup back: ").to_string()
                + &format!("yimen --db {} restore {} --force", db.display(), b.display())
        }
        None => lang
            .pick(
                "旁边没有备份文件夹，请找到最近的备份后运行 yimen restore 备份文件 --force",
                "No backups folder beside it: find the latest backup and run yimen restore FILE --force",
            )
            .to_string(),
    }
}

impl StoreError {
    /// A damaged file, naming the newest backup beside it.
    pub fn damaged(path: &Path, detail: &str) -> StoreError {
        let detail: String = detail.replace('\n', " ").chars().take(120).collect();
        StoreError::Damaged { path: path.to_path_buf(), detail, backup: super::guard::newest_backup(path) }
    }

    /// The database is held by another program; names the hall server's address when the
    /// server said where it listens (the file `<db>.server` it keeps while serving).
    pub fn locked(path: &Path) -> StoreError {
        let server = std::fs::read_to_string(server_note(path))
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| s.starts_with("http://") && s.len() < 100 && !s.chars().any(char::is_control));
        StoreError::Locked { path: path.to_path_buf(), server }
    }

    /// An I/O error on `path`, said as a permission problem when it is one.
    pub fn io_on(path: &Path, write: bool, e: &std::io::Error) -> StoreError {
        if e.kind() == std::io::ErrorKind::PermissionDenied {
            StoreError::Permission { path: path.to_path_buf(), write }
        } else {
            StoreError::Io(format!("{}: {e}", path.display()))
        }
    }
}

/// Where the hall server notes its address while it serves the database at `db`.
pub fn server_note(db: &Path) -> PathBuf {
    PathBuf::from(format!("{}.server", db.display()))
}

/// redb errors that are not about a specific file state become `Io`, with their one-line text.
macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError::Io(e.to_string().replace('\n', " "))
            }
        }
    )*};
}
from_redb!(
    redb::StorageError,
    redb::TableError,
    redb::TransactionError,
    redb::CommitError,
    redb::SetDurabilityError,
    redb::CompactionError
);
