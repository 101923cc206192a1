//! What can go wrong with the database file, said in one line.

use std::path::PathBuf;

use crate::domain::lang::{Lang, Localized};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "{path} is open in another yimen program; close it there first (or use that window); if it is the hall server, work through it: yimen --server http://127.0.0.1:7878"
    )]
    Locked { path: PathBuf },
    #[error(
        "{path} was written by a newer yimen (data version {found}; this program reads up to {supported}); update yimen"
    )]
    NewerSchema { path: PathBuf, found: u32, supported: u32 },
    #[error("there is no yimen database at {path}; create one with `yimen init`")]
    Missing { path: PathBuf },
    #[error(
        "{path} is not a yimen database or is damaged ({detail}); nothing was changed — a backup can be put back with `yimen restore FILE`"
    )]
    NotOurs { path: PathBuf, detail: String },
    #[error(
        "the database holds a damaged record ({0}); nothing was changed — a backup can be put back with `yimen restore FILE`"
    )]
    Corrupt(String),
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
            StoreError::Locked { path } => {
                format!(
                    "数据库 {} 正被另一个一门程序使用，请先在那边退出（或到那台电脑上操作）；如果是大厅服务在运行，请通过它操作：yimen --server http://127.0.0.1:7878",
                    path.display()
                )
            }
            StoreError::NewerSchema { path, found, supported } => format!(
                "数据库 {} 由更新版本的一门写入（数据版本 {found}，本程序最高支持 {supported}），请升级一门",
                path.display()
            ),
            StoreError::Missing { path } => format!("{} 处没有一门数据库，请先运行 `yimen init` 创建", path.display()),
            StoreError::NotOurs { path, detail } => {
                format!("{} 不是一门数据库（{detail}）", path.display())
            }
            StoreError::Corrupt(what) => format!("数据库中有损坏的记录（{what}），未做任何修改"),
            StoreError::Io(e) => format!("数据库读写失败：{e}"),
            StoreError::NumbersExhausted { letter, date, max } => {
                format!("{date} 的 {letter} 类号码已用完（最多 {max} 个）")
            }
        }
    }
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
