//! The write-ahead journal in front of redb, for long-running writers (the interface, the
//! benchmark). redb makes a commit durable by rewriting every touched page elsewhere and
//! syncing them all; that costs about twice an fsync even for one row. With the journal, an
//! action's changes are committed to redb without a sync and its write set — every put and
//! delete, as bytes — is appended here and synced first: one small sequential write. Every
//! `CHECKPOINT_EVERY` actions (and when the process closes) redb is made durable and the
//! journal starts over. After a crash, opening the database replays the records redb had not
//! made durable yet.
//!
//! File: a header (magic and the database's id), then records: body length (u32 LE), the
//! first 8 bytes of the body's SHA-256, and the body: sequence number (u64 LE), then the ops.
//! The space is preallocated with zeros, so a sync writes data, not file metadata. A record is
//! valid only whole and with a matching checksum; the first invalid one ends the journal.
//! Each redb commit stores the sequence number it reached (`meta-1` `journal_seq`), so replay
//! applies exactly the records after the durable state, in order, or refuses a journal that
//! does not follow it.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

const MAGIC: &[u8; 8] = b"YIMENJ01";
/// Magic and the 16-byte database id.
pub const HEADER: u64 = 24;
/// Space preallocated at a time.
const CHUNK: u64 = 256 * 1024;
/// Journaled actions between two durable checkpoints.
pub const CHECKPOINT_EVERY: u32 = 128;
/// A write set larger than this is committed durably without the journal.
pub const MAX_RECORD: usize = 192 * 1024;

pub const OP_PUT: u8 = 0;
pub const OP_DEL: u8 = 1;
pub const OP_CLEAR: u8 = 2;

/// The path of a database's journal: `<file>.journal`.
pub fn path_of(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(".journal");
    PathBuf::from(s)
}

/// A write set being recorded: ops on tables named by their journal id (`tables::for_every_table`).
#[derive(Debug, Default)]
pub struct WriteSet {
    pub bytes: Vec<u8>,
    pub ops: u32,
}

impl WriteSet {
    pub fn push(&mut self, table: u8, op: u8, key: &[u8], value: &[u8]) {
        self.bytes.push(table);
        self.bytes.push(op);
        self.bytes.extend_from_slice(&(key.len() as u32).to_le_bytes());
        self.bytes.extend_from_slice(key);
        self.bytes.extend_from_slice(&(value.len() as u32).to_le_bytes());
        self.bytes.extend_from_slice(value);
        self.ops += 1;
    }
}

/// One op read back from a record.
#[derive(Debug, PartialEq, Eq)]
pub struct Op<'a> {
    pub table: u8,
    pub op: u8,
    pub key: &'a [u8],
    pub value: &'a [u8],
}

/// A record read back: its sequence number and its ops' bytes.
#[derive(Debug)]
pub struct Record {
    pub seq: u64,
    pub ops: Vec<u8>,
}

impl Record {
    /// The ops of the record; `None` if the bytes do not parse (a damaged journal).
    pub fn ops(&self) -> Option<Vec<Op<'_>>> {
        let mut out = Vec::new();
        let mut b = self.ops.as_slice();
        fn take<'a>(b: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
            if b.len() < n {
                return None;
            }
            let (head, rest) = b.split_at(n);
            *b = rest;
            Some(head)
        }
        fn len(b: &mut &[u8]) -> Option<usize> {
            Some(u32::from_le_bytes(take(b, 4)?.try_into().ok()?) as usize)
        }
        while !b.is_empty() {
            let tag = take(&mut b, 2)?;
            let n = len(&mut b)?;
            let key = take(&mut b, n)?;
            let n = len(&mut b)?;
            let value = take(&mut b, n)?;
            out.push(Op { table: tag[0], op: tag[1], key, value });
        }
        Some(out)
    }
}

/// One positioned write (no separate seek where the platform has one).
fn write_at(f: &mut File, buf: &[u8], at: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::write_all_at(f, buf, at)
    }
    #[cfg(not(unix))]
    {
        f.seek(SeekFrom::Start(at))?;
        f.write_all(buf)
    }
}

fn checksum(body: &[u8]) -> [u8; 8] {
    let d = Sha256::digest(body);
    let mut out = [0u8; 8];
    out.copy_from_slice(&d[..8]);
    out
}

/// The open journal of a writer.
pub struct Journal {
    path: PathBuf,
    id: [u8; 16],
    file: Option<File>,
    /// Where the next record goes.
    end: u64,
    /// Bytes preallocated.
    capacity: u64,
    /// Records since the last checkpoint.
    pub pending: u32,
}

impl Journal {
    pub fn new(db: &Path, id: [u8; 16]) -> Journal {
        Journal { path: path_of(db), id, file: None, end: HEADER, capacity: 0, pending: 0 }
    }

    /// Whether a record of `len` ops bytes fits before a checkpoint is due.
    pub fn fits(&self, len: usize) -> bool {
        self.pending < CHECKPOINT_EVERY && len <= MAX_RECORD
    }

    fn open(&mut self) -> std::io::Result<()> {
        if self.file.is_none() {
            let mut f = OpenOptions::new().read(true).write(true).create(true).truncate(true).open(&self.path)?;
            let mut head = MAGIC.to_vec();
            head.extend_from_slice(&self.id);
            f.write_all(&head)?;
            f.sync_all()?;
            // The new name must survive a crash too.
            if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty())
                && let Ok(d) = File::open(dir)
            {
                let _ = d.sync_all();
            }
            self.file = Some(f);
            self.end = HEADER;
            self.capacity = HEADER;
        }
        Ok(())
    }

    /// Appends a record and syncs it. On failure the record is wiped again (best effort), so
    /// a refused action is not replayed later.
    pub fn append(&mut self, seq: u64, ops: &[u8]) -> std::io::Result<()> {
        let mut body = Vec::with_capacity(8 + ops.len());
        body.extend_from_slice(&seq.to_le_bytes());
        body.extend_from_slice(ops);
        let mut rec = Vec::with_capacity(12 + body.len());
        rec.extend_from_slice(&(body.len() as u32).to_le_bytes());
        rec.extend_from_slice(&checksum(&body));
        rec.extend_from_slice(&body);
        self.open()?;
        let at = self.end;
        let need = at + rec.len() as u64 + 12;
        let capacity = self.capacity;
        let f = self.file.as_mut().ok_or_else(|| std::io::Error::other("journal not open"))?;
        let result = (|| {
            if need > capacity {
                // Zeros, written for real: later syncs then carry data only.
                let grow = (need - capacity).div_ceil(CHUNK) * CHUNK;
                f.seek(SeekFrom::Start(capacity))?;
                f.write_all(&vec![0u8; grow as usize])?;
            }
            write_at(f, &rec, at)?;
            f.sync_data()
        })();
        match result {
            Ok(()) => {
                if need > capacity {
                    self.capacity = capacity + (need - capacity).div_ceil(CHUNK) * CHUNK;
                }
                self.end = at + rec.len() as u64;
                self.pending += 1;
                Ok(())
            }
            Err(e) => {
                self.wipe_from(at);
                Err(e)
            }
        }
    }

    /// Undoes the last record (its action could not be committed to redb after all).
    pub fn undo_last(&mut self, at: u64) {
        self.wipe_from(at);
        self.end = at;
        self.pending = self.pending.saturating_sub(1);
    }

    /// Where the next record will go (to undo it later).
    pub fn end(&self) -> u64 {
        self.end
    }

    fn wipe_from(&mut self, at: u64) {
        if let Some(f) = self.file.as_mut() {
            let _ = write_at(f, &[0u8; 12], at).and_then(|_| f.sync_data());
        }
    }

    /// redb is durable up to the last record: start the journal over.
    pub fn checkpointed(&mut self) {
        self.end = HEADER;
        self.pending = 0;
    }

    /// Closes and deletes the journal (everything in it is durable in redb).
    pub fn remove(&mut self) -> std::io::Result<()> {
        self.file = None;
        match std::fs::remove_file(&self.path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// Why a journal cannot be replayed.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadError {
    /// Not a journal, or one of another database.
    Foreign,
    Io(String),
}

/// Reads every whole, valid record of the journal at `path` written for database `id`, in
/// file order, stopping at the first invalid one. `None` when there is no journal.
pub fn read(path: &Path, id: &[u8; 16]) -> Result<Option<Vec<Record>>, ReadError> {
    let mut f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ReadError::Io(e.to_string())),
    };
    let mut all = Vec::new();
    f.read_to_end(&mut all).map_err(|e| ReadError::Io(e.to_string()))?;
    if all.len() < HEADER as usize {
        // A crash while the header was written: nothing was ever appended.
        return Ok(Some(Vec::new()));
    }
    if &all[..8] != MAGIC || all[8..24] != id[..] {
        return Err(ReadError::Foreign);
    }
    let mut out = Vec::new();
    let mut at = HEADER as usize;
    while at + 12 <= all.len() {
        let len = u32::from_le_bytes([all[at], all[at + 1], all[at + 2], all[at + 3]]) as usize;
        let Some(body) = all.get(at + 12..at + 12 + len) else { break };
        if len < 8 || checksum(body) != all[at + 4..at + 12] {
            break;
        }
        let seq = u64::from_le_bytes(body[..8].try_into().map_err(|_| ReadError::Io("record".into()))?);
        out.push(Record { seq, ops: body[8..].to_vec() });
        at += 12 + len;
    }
    Ok(Some(out))
}

/// The records to replay on top of a durable state that reached `durable`: those after it, which
/// must follow it without a gap. Records at or below it are already in redb (a crash between a
/// checkpoint and the journal starting over); a record that does not follow ends the journal
/// (what is left of the records before the last checkpoint).
pub fn to_replay(records: Vec<Record>, durable: u64) -> Result<Vec<Record>, ReadError> {
    let mut out: Vec<Record> = Vec::new();
    for r in records {
        let next = out.last().map(|l| l.seq + 1).unwrap_or(durable + 1);
        if r.seq == next {
            out.push(r);
        } else if out.is_empty() && r.seq <= durable {
            continue;
        } else if out.is_empty() {
            // The journal starts after a gap: it does not belong to this state of the file.
            return Err(ReadError::Foreign);
        } else {
            break;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(seq: u64) -> Record {
        Record { seq, ops: Vec::new() }
    }

    #[test]
    fn ops_round_trip() {
        let mut w = WriteSet::default();
        w.push(3, OP_PUT, b"key", b"value");
        w.push(4, OP_DEL, b"k2", b"");
        w.push(5, OP_CLEAR, b"", b"");
        let r = Record { seq: 1, ops: w.bytes };
        let ops = r.ops().unwrap();
        assert_eq!(ops.len(), 3);
        assert_eq!(ops[0], Op { table: 3, op: OP_PUT, key: b"key", value: b"value" });
        assert_eq!(ops[2].op, OP_CLEAR);
        assert!(Record { seq: 1, ops: vec![1, 0, 9, 0, 0, 0] }.ops().is_none(), "a cut op is refused");
    }

    #[test]
    fn replay_takes_what_follows_the_durable_state() {
        let seqs = |v: Vec<Record>| v.into_iter().map(|r| r.seq).collect::<Vec<_>>();
        assert_eq!(seqs(to_replay(vec![rec(5), rec(6), rec(7)], 4).unwrap()), [5, 6, 7]);
        assert_eq!(seqs(to_replay(vec![rec(3), rec(4), rec(5)], 4).unwrap()), [5]);
        // Leftovers of the journal before the last checkpoint end it.
        assert_eq!(seqs(to_replay(vec![rec(5), rec(2), rec(3)], 4).unwrap()), [5]);
        assert_eq!(seqs(to_replay(vec![], 4).unwrap()), Vec::<u64>::new());
        assert_eq!(to_replay(vec![rec(9)], 4).unwrap_err(), ReadError::Foreign);
    }

    #[test]
    fn a_torn_or_damaged_record_ends_the_journal() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.redb");
        let id = [7u8; 16];
        let mut j = Journal::new(&db, id);
        j.append(1, b"\x00\x00\x01\x00\x00\x00k\x01\x00\x00\x00v").unwrap();
        j.append(2, b"").unwrap();
        let at = j.end();
        j.append(3, b"").unwrap();
        assert_eq!(read(&path_of(&db), &id).unwrap().unwrap().len(), 3);
        j.undo_last(at);
        assert_eq!(read(&path_of(&db), &id).unwrap().unwrap().len(), 2);
        // Flip a byte of the second record's body.
        let mut bytes = std::fs::read(path_of(&db)).unwrap();
        let second = HEADER as usize + 32 + 12;
        bytes[second] ^= 0xff;
        std::fs::write(path_of(&db), &bytes).unwrap();
        let back = read(&path_of(&db), &id).unwrap().unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].ops().unwrap()[0].key, b"k");
        assert_eq!(read(&path_of(&db), &[8u8; 16]).unwrap_err(), ReadError::Foreign);
        j.remove().unwrap();
        assert!(read(&path_of(&db), &id).unwrap().is_none());
    }
}
