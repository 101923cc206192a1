//! The store's boundary against damaged files: redb may panic (an `unreachable!` in its B-tree
//! code, a debug assertion) on bytes it did not write. Every open and every transaction runs
//! inside [`guarded`], which turns such a panic into [`StoreError::Damaged`] without printing
//! a backtrace, so a damaged file is one line naming the file and the backup to put back.

use std::cell::Cell;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Once;

use super::StoreError;

thread_local! {
    /// How many guarded sections this thread is inside: a panic there is reported as an
    /// error, so the panic hook stays quiet.
    static QUIET: Cell<u32> = const { Cell::new(0) };
}

static HOOK: Once = Once::new();

/// Installs (once) a panic hook that is silent inside guarded sections and otherwise defers to
/// the hook that was there before (the default one, or the interface's terminal restorer).
fn install_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.with(Cell::get) == 0 {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, turning a panic inside it into [`StoreError::Damaged`] for the file at `path`.
///
/// # Errors
/// Whatever `f` returns, or `Damaged` when it panicked.
pub fn guarded<T, E: From<StoreError>>(path: &Path, f: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
    install_hook();
    QUIET.with(|q| q.set(q.get() + 1));
    let out = std::panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(q.get().saturating_sub(1)));
    out.unwrap_or_else(|panic| {
        let detail = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "internal inconsistency".into());
        Err(StoreError::damaged(path, &detail).into())
    })
}

/// The newest backup of the database at `db`: the newest `*.redb` in the `backups` folder
/// beside it, by modification time.
pub fn newest_backup(db: &Path) -> Option<PathBuf> {
    let dir = db.parent().map(|p| p.join("backups")).unwrap_or_else(|| "backups".into());
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "redb"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .max()
        .map(|(_, p)| p)
}
