//! The audit page's chain check. Verifying the whole chain costs time in proportion to its
//! length, so the verified prefix is remembered: each view checks that the last verified entry
//! is unchanged and verifies only the entries added since. The whole chain is verified again
//! when the page asks for it, when the last whole check is older than [`FULL_EVERY_SECONDS`],
//! and whenever the incremental check finds a break (to report the first broken position).
//! Because the longest verified chain is remembered, entries removed from the end (which a
//! hash chain by itself cannot reveal) are reported too while the server runs.

use jiff::Timestamp;
use mamori_audit::{Break, Verifier};
use mamori_store::StoreError;
use mamori_store::app::AppDb;

/// The longest time between two verifications of the whole chain.
pub const FULL_EVERY_SECONDS: i64 = 600;

/// Entries read per query while verifying.
const CHUNK: u32 = 2000;

/// What is remembered between views.
#[derive(Debug, Default)]
pub struct ChainMemo {
    verifier: Verifier,
    full_at: Option<Timestamp>,
    broken: Option<Break>,
}

/// What the audit page shows.
#[derive(Debug, Clone)]
pub struct ChainStatus {
    /// Entries verified (the whole chain when intact).
    pub total: u64,
    pub broken: Option<Break>,
    /// When the whole chain was last verified from the first entry.
    pub full_at: Timestamp,
}

/// Verifies what is needed and returns the chain's status.
pub async fn check(
    db: &AppDb,
    memo: &tokio::sync::Mutex<ChainMemo>,
    now: Timestamp,
    force_full: bool,
) -> Result<ChainStatus, StoreError> {
    let mut m = memo.lock().await;
    let stale = m
        .full_at
        .is_none_or(|t| now.as_second() - t.as_second() >= FULL_EVERY_SECONDS);
    if force_full || stale || m.broken.is_some() || !incremental(db, &mut m).await? {
        full(db, &mut m, now).await?;
    }
    Ok(ChainStatus {
        total: m.verifier.count(),
        broken: m.broken.clone(),
        full_at: m.full_at.unwrap_or(now),
    })
}

/// Verifies from the first entry.
async fn full(db: &AppDb, m: &mut ChainMemo, now: Timestamp) -> Result<(), StoreError> {
    let mut v = Verifier::new();
    let mut broken = None;
    for e in db.audit_all().await? {
        if let Err(b) = v.push(&e) {
            broken = Some(b);
            break;
        }
    }
    // A chain that verifies but is shorter than one verified before has lost its end: a hash
    // chain alone cannot show that, the memory of the earlier check can.
    let before = m.verifier.count();
    if broken.is_none() && v.count() < before {
        broken = Some(Break {
            position: v.count() + 1,
            seq: None,
            reason: format!(
                "the chain ends after entry {} but {before} entries verified before \
                 (entries removed from the end)",
                v.count()
            ),
        });
    }
    if broken.is_none() || v.count() >= before {
        m.verifier = v;
    }
    m.broken = broken;
    m.full_at = Some(now);
    Ok(())
}

/// Checks that the last verified entry is unchanged, then verifies the newer ones. `false`
/// when something does not verify.
async fn incremental(db: &AppDb, m: &mut ChainMemo) -> Result<bool, StoreError> {
    let mut v = m.verifier.clone();
    if v.count() > 0 && db.audit_hash(v.count()).await?.as_deref() != Some(v.last_hash()) {
        return Ok(false);
    }
    loop {
        let chunk = db.audit_after(v.count(), CHUNK).await?;
        for e in &chunk {
            if v.push(e).is_err() {
                return Ok(false);
            }
        }
        if chunk.len() < CHUNK as usize {
            break;
        }
    }
    m.verifier = v;
    Ok(true)
}
