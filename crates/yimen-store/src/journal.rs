//! The write-ahead journal of earlier versions, read once on upgrade. Versions up to data
//! version 7 could put a journal (`<file>.journal`) in front of redb: each action was one synced
//! append there, and redb was made durable only every 128 actions and on close. A file such a
//! version left after a crash has its last acknowledged actions only in the journal; opening it
//! replays them (see `Store::open`), validated, into one durable transaction, then removes the
//! journal. Nothing writes journals any more: every action is a durable redb commit.
//!
//! File: a header (magic and the database's 16-byte id, `meta-1` `store_id`), then records:
//! body length (u32 LE), the first 8 bytes of the body's SHA-256, and the body: sequence number
//! (u64 LE), then the ops. Each op: table id (u8, `tables::for_every_table`), op (put / delete /
//! clear), key length (u32 LE), key, value length (u32 LE), value. The space was preallocated,
//! and after each durable checkpoint the writer started over at the header, so records of
//! earlier rounds (lower sequence numbers) may follow the live ones. Each redb commit stored the
//! sequence number it reached (`meta-1` `journal_seq`).
//!
//! What is replayed: the whole, valid records after the durable state, in sequence. A record
//! that fails its checksum ends the journal only if nothing after it continues the sequence (a
//! write torn by the crash); a valid record further on with a higher number means the journal is
//! damaged in the middle, and it is refused, whole, with nothing changed: replaying around the
//! hole would silently drop acknowledged actions.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

const MAGIC: &[u8; 8] = b"YIMENJ01";
/// Magic and the 16-byte database id.
pub const HEADER: usize = 24;
/// The largest record body a writer produced (a bigger write set was committed without it).
const MAX_BODY: usize = 192 * 1024 + 8;

pub const OP_PUT: u8 = 0;
pub const OP_DEL: u8 = 1;
pub const OP_CLEAR: u8 = 2;

/// The path of a database's journal: `<file>.journal`.
pub fn path_of(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(".journal");
    PathBuf::from(s)
}

/// Whether anything is at the journal's path: a file, but also a link that leads nowhere or in
/// a loop, a folder, a pipe — each must be looked at, not taken for "no journal".
pub fn is_present(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Whether the journal can be read as a file (a folder, a pipe, a broken link, a file this
/// account may not read cannot).
///
/// # Errors
/// Why it cannot.
pub fn readable(path: &Path) -> std::io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "it is not a file"));
    }
    File::open(path).map(|_| ())
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
    /// The ops of the record; `None` if the bytes do not parse.
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

fn checksum(body: &[u8]) -> [u8; 8] {
    let d = Sha256::digest(body);
    let mut out = [0u8; 8];
    out.copy_from_slice(&d[..8]);
    out
}

/// Why a journal cannot be replayed.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadError {
    /// Not a journal, or one of another database, or one that does not follow the file's
    /// durable state.
    Foreign,
    /// A record in the middle fails its checksum while a later one continues the sequence:
    /// `at` is the byte offset of the bad record, `lost` the sequence number found after it.
    Damaged {
        at: usize,
        lost: u64,
    },
    Io(String),
}

/// The valid record starting at `at` of `all`, if there is one: its sequence number, body and
/// length on disk.
fn record_at(all: &[u8], at: usize) -> Option<(u64, &[u8], usize)> {
    let head = all.get(at..at + 12)?;
    let len = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
    if !(8..=MAX_BODY).contains(&len) {
        return None;
    }
    let body = all.get(at + 12..at + 12 + len)?;
    if checksum(body) != head[4..12] {
        return None;
    }
    let seq = u64::from_le_bytes(body[..8].try_into().ok()?);
    Some((seq, body, 12 + len))
}

/// Reads the journal at `path` written for database `id`, whose durable state reached record
/// `durable`: every whole, valid record from the start, in file order. `None` when there is no
/// journal.
///
/// # Errors
/// `Foreign` for another file's journal; `Damaged` when a bad record is followed by one that
/// continues the sequence (see the module's doc); `Io` when it cannot be read.
pub fn read(path: &Path, id: &[u8; 16], durable: u64) -> Result<Option<Vec<Record>>, ReadError> {
    let mut f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ReadError::Io(e.to_string())),
    };
    let mut all = Vec::new();
    f.read_to_end(&mut all).map_err(|e| ReadError::Io(e.to_string()))?;
    if all.len() < HEADER {
        // A crash while the header was written: nothing was ever appended.
        return Ok(Some(Vec::new()));
    }
    if &all[..8] != MAGIC || all[8..HEADER] != id[..] {
        return Err(ReadError::Foreign);
    }
    let mut out = Vec::new();
    let mut at = HEADER;
    while let Some((seq, body, n)) = record_at(&all, at) {
        out.push(Record { seq, ops: body[8..].to_vec() });
        at += n;
    }
    // Past the last readable record: only a torn write, zeros or older rounds may follow.
    let newest = out.iter().map(|r| r.seq).max().unwrap_or(0).max(durable);
    let later = (at + 1..all.len().saturating_sub(12 + 8)).find_map(|p| record_at(&all, p).filter(|r| r.0 > newest));
    if let Some((lost, _, _)) = later {
        return Err(ReadError::Damaged { at, lost });
    }
    Ok(Some(out))
}

/// The records to replay on top of a durable state that reached `durable`: those after it, which
/// must follow it without a gap. Records at or below it are already in redb (a crash between a
/// checkpoint and the journal starting over); a record that does not follow ends the journal
/// (what is left of the records before the last checkpoint).
///
/// # Errors
/// `Foreign` when the first record to replay does not follow the durable state.
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

/// Whether `bytes` decode as a value of redb type `T` without redb's decoder panicking: a fixed
/// width must match, text must be UTF-8, and a (text, u64) key must have its length prefix,
/// text and 8 bytes. Any other variable-width type is refused (none of our tables has one).
pub fn decodes_as<T: redb::Value>(bytes: &[u8]) -> bool {
    if let Some(w) = T::fixed_width() {
        return bytes.len() == w;
    }
    match T::type_name().name() {
        "&[u8]" => true,
        "&str" => std::str::from_utf8(bytes).is_ok(),
        "(&str,u64)" => {
            // redb's tuple layout: the varint length of the text, the text, then the u64.
            let (len, used) = match bytes.first() {
                Some(&b @ 0..=253) => (b as usize, 1),
                Some(254) if bytes.len() >= 3 => (u16::from_le_bytes([bytes[1], bytes[2]]) as usize, 3),
                Some(255) if bytes.len() >= 5 => {
                    (u32::from_le_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]) as usize, 5)
                }
                _ => return false,
            };
            bytes.len() == used + len + 8 && std::str::from_utf8(&bytes[used..used + len]).is_ok()
        }
        _ => false,
    }
}

/// Writes journals as the versions before this one did, for the tests of the upgrade.
pub mod writer {
    use super::{HEADER, MAGIC, checksum};

    /// A journal's bytes: the header, then one record per `(seq, ops)`.
    pub fn journal(id: &[u8; 16], records: &[(u64, Vec<u8>)]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(id);
        debug_assert_eq!(out.len(), HEADER);
        for (seq, ops) in records {
            let mut body = seq.to_le_bytes().to_vec();
            body.extend_from_slice(ops);
            out.extend_from_slice(&(body.len() as u32).to_le_bytes());
            out.extend_from_slice(&checksum(&body));
            out.extend_from_slice(&body);
        }
        out
    }

    /// One op's bytes.
    pub fn op(table: u8, op: u8, key: &[u8], value: &[u8]) -> Vec<u8> {
        let mut out = vec![table, op];
        out.extend_from_slice(&(key.len() as u32).to_le_bytes());
        out.extend_from_slice(key);
        out.extend_from_slice(&(value.len() as u32).to_le_bytes());
        out.extend_from_slice(value);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(seq: u64) -> Record {
        Record { seq, ops: Vec::new() }
    }

    #[test]
    fn ops_round_trip() {
        let bytes = [
            writer::op(3, OP_PUT, b"key", b"value"),
            writer::op(4, OP_DEL, b"k2", b""),
            writer::op(5, OP_CLEAR, b"", b""),
        ]
        .concat();
        let r = Record { seq: 1, ops: bytes };
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
    fn a_torn_tail_ends_the_journal_but_a_hole_in_the_middle_refuses_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.redb.journal");
        let id = [7u8; 16];
        let records: Vec<(u64, Vec<u8>)> =
            (1..=20u64).map(|s| (s, writer::op(1, OP_PUT, &s.to_be_bytes(), b"v"))).collect();
        let whole = writer::journal(&id, &records);
        std::fs::write(&path, &whole).unwrap();
        assert_eq!(read(&path, &id, 0).unwrap().unwrap().len(), 20);
        assert_eq!(read(&path, &[8u8; 16], 0).unwrap_err(), ReadError::Foreign);

        // The last record torn by the crash, then zeros: 19 records, no complaint.
        let mut torn = whole.clone();
        let last = torn.len() - 5;
        torn[last] ^= 0xff;
        torn.extend_from_slice(&[0u8; 4096]);
        std::fs::write(&path, &torn).unwrap();
        assert_eq!(read(&path, &id, 0).unwrap().unwrap().len(), 19);

        // One flipped byte in the 8th record: the 12 acknowledged records after it would be
        // lost, so the journal is refused whole.
        let size = (whole.len() - HEADER) / 20;
        let mut hole = whole.clone();
        hole[HEADER + 7 * size + 14] ^= 0x01;
        std::fs::write(&path, &hole).unwrap();
        assert!(matches!(read(&path, &id, 0), Err(ReadError::Damaged { lost: 9, .. })), "{:?}", read(&path, &id, 0));

        // Records of an earlier round after the live ones are not a hole.
        let mut rounds =
            writer::journal(&id, &records[..3].iter().map(|(s, o)| (s + 40, o.clone())).collect::<Vec<_>>());
        rounds.extend_from_slice(&[0u8; 12]);
        rounds.extend_from_slice(&whole[HEADER..]);
        std::fs::write(&path, &rounds).unwrap();
        assert_eq!(read(&path, &id, 40).unwrap().unwrap().len(), 3);
    }

    #[test]
    fn only_bytes_redb_can_decode_are_let_through() {
        assert!(decodes_as::<u64>(&[0; 8]));
        assert!(!decodes_as::<u64>(&[0; 7]));
        assert!(decodes_as::<(i32, u64)>(&[0; 12]));
        assert!(!decodes_as::<&str>(&[0xff, 0xfe]));
        assert!(decodes_as::<&str>("张三".as_bytes()));
        let key = <(&str, u64) as redb::Value>::as_bytes(&("y:zs", 7));
        assert!(decodes_as::<(&str, u64)>(&key));
        assert!(!decodes_as::<(&str, u64)>(&key[..key.len() - 1]));
        assert!(!decodes_as::<(&str, u64)>(&[200, 1, 2]));
        assert!(decodes_as::<()>(&[]));
        assert!(!decodes_as::<()>(&[1]));
    }
}
