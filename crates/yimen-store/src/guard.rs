//! The store's boundary against damaged files: redb may panic (an `unreachable!` in its B-tree
//! code, a debug assertion) on bytes it did not write. Every open and every transaction runs
//! inside [`catch`], which turns such a panic into [`StoreError::Damaged`] without printing
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
    /// Where the last quiet panic happened (`file:line`), to tell redb's from our own.
    static WHERE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

static HOOK: Once = Once::new();

/// Installs (once) a panic hook that is silent inside guarded sections and otherwise defers to
/// the hook that was there before (the default one).
fn install_hook() {
    HOOK.call_once(wrap_hook);
}

/// Wraps the panic hook in place now with the quiet-inside-guarded-sections check. A front end
/// that installs its own hook (the interface restores the terminal in one) calls this after,
/// so a panic the store guard catches never tears the screen down.
pub fn wrap_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if QUIET.with(Cell::get) == 0 {
            previous(info);
        } else {
            let at = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
            WHERE.with(|w| *w.borrow_mut() = at);
        }
    }));
}

/// A panic caught at the store's boundary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panic {
    /// The panic's message.
    pub detail: String,
    /// Where it happened (`file:line`).
    pub at: String,
}

impl Panic {
    /// Whether redb panicked (its code met bytes it did not write): its handle is then suspect,
    /// since its own locks may be poisoned.
    pub fn in_redb(&self) -> bool {
        self.at.contains("redb")
    }

    /// The error to say: [`StoreError::Damaged`] for the file at `path` when the panic is
    /// redb's, else [`StoreError::Internal`] — a fault of ours is never blamed on the file.
    pub fn error(&self, path: &Path) -> StoreError {
        if self.in_redb() {
            StoreError::damaged(path, &self.detail)
        } else {
            StoreError::Internal(format!("{}: {}", self.at, self.detail.chars().take(120).collect::<String>()))
        }
    }
}

/// Runs `f` with the panic hook quiet, catching a panic inside it. A panic inside a write
/// transaction drops it, so nothing of it is committed.
///
/// # Errors
/// The [`Panic`], when `f` panicked.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, Panic> {
    install_hook();
    QUIET.with(|q| q.set(q.get() + 1));
    let out = std::panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(q.get().saturating_sub(1)));
    out.map_err(|panic| Panic {
        detail: panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "internal inconsistency".into()),
        at: WHERE.with(|w| std::mem::take(&mut *w.borrow_mut())),
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
