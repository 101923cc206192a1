//! A file system that forgets, at a power cut, every byte written since its file was last
//! synced — the semantics of LazyFS, the research tool for exactly this — so a test can prove
//! that what yimen acknowledged was really on disk, which a SIGKILL (the page cache survives
//! it) cannot. In memory, over FUSE (fuser, no libfuse needed), with direct I/O so the kernel
//! caches nothing the cut should take away.
//!
//! Per file it keeps the bytes as written and the bytes as last synced (`fsync`/`fdatasync`);
//! a cut puts every file back to its synced bytes, size included. Names (create, rename, link,
//! unlink, mkdir) are kept at once, as a journaling file system commits its metadata; the
//! file's contents, which is where the durability of a database lives, are what a cut takes.

use std::collections::{BTreeMap, HashMap};
use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use fuser::{
    Errno, FileAttr, FileHandle, FileType, Filesystem, FopenFlags, Generation, INodeNo, LockOwner, OpenFlags,
    RenameFlags, ReplyAttr, ReplyCreate, ReplyData, ReplyDirectory, ReplyEmpty, ReplyEntry, ReplyOpen, ReplyWrite,
    Request, TimeOrNow, WriteFlags,
};

const ROOT: u64 = 1;
const TTL: Duration = Duration::ZERO;

enum Kind {
    File { written: Vec<u8>, synced: Vec<u8> },
    Dir { entries: BTreeMap<OsString, u64> },
}

struct Node {
    kind: Kind,
    perm: u16,
    nlink: u32,
    mtime: SystemTime,
}

/// The file system's state, shared by every mount of it (a remount after a cut sees it).
#[derive(Default)]
pub struct State {
    nodes: HashMap<u64, Node>,
    next: u64,
    /// Syncs seen, for the test to know the cuts fell between them.
    pub syncs: u64,
}

impl State {
    pub fn new() -> Arc<Mutex<State>> {
        let mut nodes = HashMap::new();
        nodes.insert(
            ROOT,
            Node { kind: Kind::Dir { entries: BTreeMap::new() }, perm: 0o755, nlink: 2, mtime: SystemTime::now() },
        );
        Arc::new(Mutex::new(State { nodes, next: ROOT + 1, syncs: 0 }))
    }

    /// The power cut: every file back to what was last synced.
    pub fn cut_power(&mut self) {
        for n in self.nodes.values_mut() {
            if let Kind::File { written, synced } = &mut n.kind {
                *written = synced.clone();
            }
        }
    }

    fn attr(&self, ino: u64) -> Option<FileAttr> {
        let n = self.nodes.get(&ino)?;
        let (kind, size) = match &n.kind {
            Kind::File { written, .. } => (FileType::RegularFile, written.len() as u64),
            Kind::Dir { .. } => (FileType::Directory, 0),
        };
        Some(FileAttr {
            ino: INodeNo(ino),
            size,
            blocks: size.div_ceil(512),
            atime: n.mtime,
            mtime: n.mtime,
            ctime: n.mtime,
            crtime: n.mtime,
            kind,
            perm: n.perm,
            nlink: n.nlink,
            uid: 0,
            gid: 0,
            rdev: 0,
            blksize: 4096,
            flags: 0,
        })
    }

    fn entries(&mut self, dir: u64) -> Option<&mut BTreeMap<OsString, u64>> {
        match &mut self.nodes.get_mut(&dir)?.kind {
            Kind::Dir { entries } => Some(entries),
            Kind::File { .. } => None,
        }
    }

    fn add(&mut self, parent: u64, name: &OsStr, kind: Kind, perm: u16) -> Result<FileAttr, Errno> {
        if self.entries(parent).ok_or(Errno::ENOTDIR)?.contains_key(name) {
            return Err(Errno::EEXIST);
        }
        let ino = self.next;
        self.next += 1;
        let nlink = if matches!(kind, Kind::Dir { .. }) { 2 } else { 1 };
        self.nodes.insert(ino, Node { kind, perm, nlink, mtime: SystemTime::now() });
        self.entries(parent).ok_or(Errno::ENOTDIR)?.insert(name.to_os_string(), ino);
        self.attr(ino).ok_or(Errno::EIO)
    }

    fn file(&mut self, ino: u64) -> Result<&mut Vec<u8>, Errno> {
        match &mut self.nodes.get_mut(&ino).ok_or(Errno::ENOENT)?.kind {
            Kind::File { written, .. } => Ok(written),
            Kind::Dir { .. } => Err(Errno::EISDIR),
        }
    }
}

pub struct LazyFs(pub Arc<Mutex<State>>);

impl LazyFs {
    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.0.lock().unwrap())
    }
}

/// Answers a request that returns nothing but whether it worked.
fn answer(reply: ReplyEmpty, r: Result<(), Errno>) {
    match r {
        Ok(()) => reply.ok(),
        Err(e) => reply.error(e),
    }
}

/// Direct I/O: every read and write comes here, none is answered from the kernel's cache.
fn direct() -> FopenFlags {
    FopenFlags::FOPEN_DIRECT_IO
}

impl Filesystem for LazyFs {
    fn lookup(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        let found = self.with(|s| s.entries(parent.0).and_then(|e| e.get(name).copied()).and_then(|ino| s.attr(ino)));
        match found {
            Some(a) => reply.entry(&TTL, &a, Generation(0)),
            None => reply.error(Errno::ENOENT),
        }
    }

    fn getattr(&self, _req: &Request, ino: INodeNo, _fh: Option<FileHandle>, reply: ReplyAttr) {
        match self.with(|s| s.attr(ino.0)) {
            Some(a) => reply.attr(&TTL, &a),
            None => reply.error(Errno::ENOENT),
        }
    }

    fn setattr(
        &self,
        _req: &Request,
        ino: INodeNo,
        mode: Option<u32>,
        _uid: Option<u32>,
        _gid: Option<u32>,
        size: Option<u64>,
        _atime: Option<TimeOrNow>,
        _mtime: Option<TimeOrNow>,
        _ctime: Option<SystemTime>,
        _fh: Option<FileHandle>,
        _crtime: Option<SystemTime>,
        _chgtime: Option<SystemTime>,
        _bkuptime: Option<SystemTime>,
        _flags: Option<fuser::BsdFileFlags>,
        reply: ReplyAttr,
    ) {
        let r = self.with(|s| {
            if let Some(size) = size {
                s.file(ino.0)?.resize(size as usize, 0);
            }
            if let Some(mode) = mode
                && let Some(n) = s.nodes.get_mut(&ino.0)
            {
                n.perm = (mode & 0o7777) as u16;
            }
            s.attr(ino.0).ok_or(Errno::ENOENT)
        });
        match r {
            Ok(a) => reply.attr(&TTL, &a),
            Err(e) => reply.error(e),
        }
    }

    fn mkdir(&self, _req: &Request, parent: INodeNo, name: &OsStr, mode: u32, _umask: u32, reply: ReplyEntry) {
        match self.with(|s| s.add(parent.0, name, Kind::Dir { entries: BTreeMap::new() }, (mode & 0o7777) as u16)) {
            Ok(a) => reply.entry(&TTL, &a, Generation(0)),
            Err(e) => reply.error(e),
        }
    }

    fn create(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        _umask: u32,
        flags: i32,
        reply: ReplyCreate,
    ) {
        let r = self.with(|s| {
            let existing = s.entries(parent.0).and_then(|e| e.get(name).copied());
            match existing {
                Some(_) if flags & libc::O_EXCL != 0 => Err(Errno::EEXIST),
                Some(ino) => {
                    if flags & libc::O_TRUNC != 0 {
                        s.file(ino)?.clear();
                    }
                    s.attr(ino).ok_or(Errno::ENOENT)
                }
                None => {
                    let file = Kind::File { written: Vec::new(), synced: Vec::new() };
                    s.add(parent.0, name, file, (mode & 0o7777) as u16)
                }
            }
        });
        match r {
            Ok(a) => reply.created(&TTL, &a, Generation(0), FileHandle(0), direct()),
            Err(e) => reply.error(e),
        }
    }

    fn open(&self, _req: &Request, ino: INodeNo, flags: OpenFlags, reply: ReplyOpen) {
        let r = self.with(|s| {
            let f = s.file(ino.0)?;
            if flags.0 & libc::O_TRUNC != 0 {
                f.clear();
            }
            Ok::<(), Errno>(())
        });
        match r {
            Ok(()) => reply.opened(FileHandle(0), direct()),
            Err(e) => reply.error(e),
        }
    }

    fn read(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        size: u32,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyData,
    ) {
        let r = self.with(|s| {
            let f = s.file(ino.0)?;
            let from = (offset as usize).min(f.len());
            let to = (from + size as usize).min(f.len());
            Ok::<Vec<u8>, Errno>(f[from..to].to_vec())
        });
        match r {
            Ok(d) => reply.data(&d),
            Err(e) => reply.error(e),
        }
    }

    fn write(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        data: &[u8],
        _write_flags: WriteFlags,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyWrite,
    ) {
        let r = self.with(|s| {
            let f = s.file(ino.0)?;
            let end = offset as usize + data.len();
            if f.len() < end {
                f.resize(end, 0);
            }
            f[offset as usize..end].copy_from_slice(data);
            Ok::<(), Errno>(())
        });
        match r {
            Ok(()) => reply.written(data.len() as u32),
            Err(e) => reply.error(e),
        }
    }

    fn fallocate(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        length: u64,
        mode: i32,
        reply: ReplyEmpty,
    ) {
        let r = self.with(|s| {
            let f = s.file(ino.0)?;
            let end = (offset + length) as usize;
            if mode == 0 && f.len() < end {
                f.resize(end, 0);
            }
            Ok::<(), Errno>(())
        });
        answer(reply, r);
    }

    fn flush(&self, _req: &Request, _ino: INodeNo, _fh: FileHandle, _lock_owner: LockOwner, reply: ReplyEmpty) {
        reply.ok();
    }

    fn fsync(&self, _req: &Request, ino: INodeNo, _fh: FileHandle, _datasync: bool, reply: ReplyEmpty) {
        self.with(|s| {
            s.syncs += 1;
            if let Some(Node { kind: Kind::File { written, synced }, .. }) = s.nodes.get_mut(&ino.0) {
                *synced = written.clone();
            }
        });
        reply.ok();
    }

    fn fsyncdir(&self, _req: &Request, _ino: INodeNo, _fh: FileHandle, _datasync: bool, reply: ReplyEmpty) {
        reply.ok();
    }

    fn readdir(&self, _req: &Request, ino: INodeNo, _fh: FileHandle, offset: u64, mut reply: ReplyDirectory) {
        let list: Option<Vec<(u64, FileType, OsString)>> = self.with(|s| {
            let entries: Vec<(OsString, u64)> = s.entries(ino.0)?.iter().map(|(n, i)| (n.clone(), *i)).collect();
            let mut out = vec![(ino.0, FileType::Directory, ".".into()), (ROOT, FileType::Directory, "..".into())];
            for (name, i) in entries {
                let kind = s.attr(i).map(|a| a.kind).unwrap_or(FileType::RegularFile);
                out.push((i, kind, name));
            }
            Some(out)
        });
        let Some(list) = list else { return reply.error(Errno::ENOTDIR) };
        for (i, (ino, kind, name)) in list.into_iter().enumerate().skip(offset as usize) {
            if reply.add(INodeNo(ino), i as u64 + 1, kind, name) {
                break;
            }
        }
        reply.ok();
    }

    fn unlink(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        let r = self.with(|s| {
            let ino = s.entries(parent.0).ok_or(Errno::ENOTDIR)?.remove(name).ok_or(Errno::ENOENT)?;
            if let Some(n) = s.nodes.get_mut(&ino) {
                n.nlink = n.nlink.saturating_sub(1);
            }
            Ok::<(), Errno>(())
        });
        answer(reply, r);
    }

    fn rmdir(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        let r = self.with(|s| {
            let ino = s.entries(parent.0).and_then(|e| e.get(name).copied()).ok_or(Errno::ENOENT)?;
            if !s.entries(ino).ok_or(Errno::ENOTDIR)?.is_empty() {
                return Err(Errno::ENOTEMPTY);
            }
            s.entries(parent.0).ok_or(Errno::ENOTDIR)?.remove(name);
            Ok(())
        });
        answer(reply, r);
    }

    fn rename(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        newparent: INodeNo,
        newname: &OsStr,
        _flags: RenameFlags,
        reply: ReplyEmpty,
    ) {
        let r = self.with(|s| {
            let ino = s.entries(parent.0).ok_or(Errno::ENOTDIR)?.remove(name).ok_or(Errno::ENOENT)?;
            if let Some(old) = s.entries(newparent.0).ok_or(Errno::ENOTDIR)?.insert(newname.to_os_string(), ino)
                && let Some(n) = s.nodes.get_mut(&old)
            {
                n.nlink = n.nlink.saturating_sub(1);
            }
            Ok::<(), Errno>(())
        });
        answer(reply, r);
    }

    fn link(&self, _req: &Request, ino: INodeNo, newparent: INodeNo, newname: &OsStr, reply: ReplyEntry) {
        let r = self.with(|s| {
            let entries = s.entries(newparent.0).ok_or(Errno::ENOTDIR)?;
            if entries.contains_key(newname) {
                return Err(Errno::EEXIST);
            }
            entries.insert(newname.to_os_string(), ino.0);
            let n = s.nodes.get_mut(&ino.0).ok_or(Errno::ENOENT)?;
            n.nlink += 1;
            s.attr(ino.0).ok_or(Errno::ENOENT)
        });
        match r {
            Ok(a) => reply.entry(&TTL, &a, Generation(0)),
            Err(e) => reply.error(e),
        }
    }
}

/// The file system mounted at `at`, for as long as the session lives; `None` (after saying
/// why) where FUSE cannot be used here.
pub fn mount(state: &Arc<Mutex<State>>, at: &Path) -> Option<fuser::BackgroundSession> {
    let mut config = fuser::Config::default();
    config.mount_options = vec![fuser::MountOption::FSName("yimen-lazyfs".into())];
    config.n_threads = Some(4);
    match fuser::spawn_mount(LazyFs(state.clone()), at, &config) {
        Ok(s) => Some(s),
        Err(e) => {
            eprintln!("FUSE mount failed: {e}");
            None
        }
    }
}
