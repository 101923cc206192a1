//! Every migration of the data version, as a named function of one write transaction each,
//! in the order they run: a file of version `v` runs `STEPS[v - 1..]` when it is opened.

use super::*;

/// One named step from a data version to the next, in one durable transaction.
type Migration = fn(&mut WriteTx<'_>) -> Result<(), StoreError>;

/// Schema 1 → 2: builds the activity index (`activity-1`) from every stored event, dating each
/// event in the hall's configured UTC offset, and the follow-up index (`followup-1`) of bad
/// ratings from the tickets.
fn migrate_1_to_2(tx: &mut WriteTx<'_>) -> Result<(), StoreError> {
    let offset = tx
        .meta("utc_offset")?
        .and_then(|b| yimen_domain::clock::parse_offset(&String::from_utf8_lossy(&b)))
        .unwrap_or(yimen_domain::clock::DEFAULT_OFFSET);
    let mut entries = Vec::new();
    // The hall's own events (ticket 0: sign-ins, accounts) are not ticket activity.
    for row in tx.events.range((SYSTEM + 1, 0u32)..)? {
        let (k, v) = row?;
        let (ticket, seq) = k.value();
        let e: Event = decode(v.value(), &|| format!("event {seq} of ticket {ticket}"))?;
        entries.push((julian(yimen_domain::clock::in_offset(e.at, offset).date()), ticket));
    }
    for key in entries {
        tx.activity.insert(key, ())?;
    }
    let mut followups = Vec::new();
    for row in tx.tickets.iter()? {
        let (k, v) = row?;
        let id = k.value();
        let t: Ticket = decode(v.value(), &|| format!("ticket {id}"))?;
        followups.extend(followup_key(&t));
    }
    for key in followups {
        tx.followup.insert(key, ())?;
    }
    tx.meta.insert("schema", 2u32.to_be_bytes().as_slice())?;
    Ok(())
}

/// Schema 2 → 3: links every stored event into the audit chain, oldest first (by time, then
/// ticket and sequence).
fn migrate_2_to_3(tx: &mut WriteTx<'_>) -> Result<(), StoreError> {
    // Only the order is kept in memory (a million tickets have millions of events); each event
    // is read again, linked and written back one at a time.
    let mut order: Vec<(i128, u64, u32)> = Vec::new();
    for row in tx.events.iter()? {
        let (k, v) = row?;
        let (ticket, seq) = k.value();
        let e: Event = decode(v.value(), &|| format!("event {seq} of ticket {ticket}"))?;
        order.push((e.at.unix_timestamp_nanos(), ticket, seq));
    }
    order.sort_unstable();
    let mut head = chain::GENESIS.to_string();
    for (i, &(_, ticket, seq)) in order.iter().enumerate() {
        let mut e: Event = match tx.events.get((ticket, seq))? {
            Some(v) => decode(v.value(), &|| format!("event {seq} of ticket {ticket}"))?,
            None => return Err(StoreError::Corrupt(format!("event {seq} of ticket {ticket} vanished"))),
        };
        head = chain::link(&mut e, &head);
        tx.chain.insert(i as u64, (ticket, seq))?;
        tx.events.insert((ticket, seq), encode(&e)?.as_slice())?;
    }
    tx.meta.insert(CHAIN_HEAD, head.as_bytes())?;
    tx.meta.insert(CHAIN_LEN, (order.len() as u64).to_be_bytes().as_slice())?;
    tx.meta.insert("schema", 3u32.to_be_bytes().as_slice())?;
    Ok(())
}

/// Schema 3 → 4: adds the accounts table (created empty on open); only the version changes.
fn migrate_3_to_4(tx: &mut WriteTx<'_>) -> Result<(), StoreError> {
    tx.meta.insert("schema", 4u32.to_be_bytes().as_slice())?;
    Ok(())
}

/// Schema 4 → 5: adds the day-totals cache (created empty on open); only the version changes.
fn migrate_4_to_5(tx: &mut WriteTx<'_>) -> Result<(), StoreError> {
    tx.meta.insert("schema", 5u32.to_be_bytes().as_slice())?;
    Ok(())
}

/// Schema 5 → 6: adds the idempotency keys of the hall server (created empty on open); only the
/// version changes.
fn migrate_5_to_6(tx: &mut WriteTx<'_>) -> Result<(), StoreError> {
    tx.meta.insert("schema", 6u32.to_be_bytes().as_slice())?;
    Ok(())
}

/// Schema 6 → 7: idempotency keys are bound to their request (`idem-2`; the old unbound keys
/// are dropped: a retry comes within minutes), and events carry the hash of the ticket record
/// after them (new events only; older ones hash as before).
fn migrate_6_to_7(tx: &mut WriteTx<'_>) -> Result<(), StoreError> {
    tx.drop_table(IDEM_V1)?;
    tx.meta.insert("schema", 7u32.to_be_bytes().as_slice())?;
    Ok(())
}

/// Schema 7 → 8: the search index gains every pinyin reading of a name or village (not only
/// the first eight spellings of its initials) and the full pinyin (`f:zhangguiying`). Every
/// ticket's tokens are written again; those already there stay (they are a subset). The
/// cached day totals are dropped (the one-time notice is counted anew).
fn migrate_7_to_8(tx: &mut WriteTx<'_>) -> Result<(), StoreError> {
    // One pass: each ticket is decoded as it is read and its tokens written at once (the two
    // tables are distinct, so nothing of a million tickets is held in memory).
    for row in tx.tickets.iter()? {
        let (k, v) = row?;
        let id = k.value();
        let t: Ticket = decode(v.value(), &|| format!("ticket {id}"))?;
        for tok in crate::keys::search_tokens(&t) {
            tx.search.insert((tok.as_str(), id), ())?;
        }
    }
    // A visit closed with the one-time notice now counts as a notice only (state `notified`):
    // the days cached before count it as a withdrawal too.
    tx.clear_day_totals()?;
    tx.meta.insert("schema", 8u32.to_be_bytes().as_slice())?;
    Ok(())
}

/// The steps from data version 1 to the current one, in order.
pub(crate) const STEPS: [Migration; 7] =
    [migrate_1_to_2, migrate_2_to_3, migrate_3_to_4, migrate_4_to_5, migrate_5_to_6, migrate_6_to_7, migrate_7_to_8];

// One step per version: a file of version v runs STEPS[v - 1..] and lands on SCHEMA_VERSION.
const _: () = assert!(STEPS.len() as u32 + 1 == crate::tables::SCHEMA_VERSION);
