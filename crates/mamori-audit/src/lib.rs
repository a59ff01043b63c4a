//! The audit trail: every change appends an entry whose hash covers the previous entry's hash,
//! so removing, reordering or editing any entry breaks the chain from that point on.
//!
//! Pure: storage (a JSON Lines file for the CLI, a table in the web application) is the
//! caller's; the clock is a parameter.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// 1-based position in the chain.
    pub seq: u64,
    /// RFC 3339 time of the change.
    pub time: String,
    pub actor: String,
    pub action: String,
    pub object: String,
    /// Before/after summary or other detail (never a full My Number).
    pub detail: String,
    /// The previous entry's hash (`GENESIS` for the first).
    pub prev: String,
    /// SHA-256 over all fields above.
    pub hash: String,
}

fn digest(
    seq: u64,
    time: &str,
    actor: &str,
    action: &str,
    object: &str,
    detail: &str,
    prev: &str,
) -> String {
    // Length-prefixed fields: no separator can be forged inside a field.
    let mut h = Sha256::new();
    for field in [
        seq.to_string().as_str(),
        time,
        actor,
        action,
        object,
        detail,
        prev,
    ] {
        h.update((field.len() as u64).to_le_bytes());
        h.update(field.as_bytes());
    }
    let out = h.finalize();
    out.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a new entry says; `seal` chains it after `previous`.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    pub time: &'a str,
    pub actor: &'a str,
    pub action: &'a str,
    pub object: &'a str,
    pub detail: &'a str,
}

/// Builds the entry that follows `previous` (or the first entry when `None`).
pub fn seal(previous: Option<&Entry>, e: NewEntry<'_>) -> Entry {
    let seq = previous.map_or(1, |p| p.seq + 1);
    let prev = previous.map_or(GENESIS.to_owned(), |p| p.hash.clone());
    Entry {
        seq,
        time: e.time.to_owned(),
        actor: e.actor.to_owned(),
        action: e.action.to_owned(),
        object: e.object.to_owned(),
        detail: e.detail.to_owned(),
        hash: digest(seq, e.time, e.actor, e.action, e.object, e.detail, &prev),
        prev,
    }
}

/// Where and why a chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Break {
    /// The position (1-based, in storage order) of the first entry that does not verify.
    pub position: u64,
    pub seq: Option<u64>,
    pub reason: String,
}

/// Verifies a chain in storage order. `Ok(n)`: all `n` entries verify.
pub fn verify<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Result<u64, Break> {
    let mut v = Verifier::new();
    for e in entries {
        v.push(e)?;
    }
    Ok(v.count())
}

/// Verifies a chain entry by entry, so a long chain can be read in pieces and a verified
/// prefix remembered: [`Verifier::resume`] continues after the last entry already checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifier {
    n: u64,
    prev_hash: String,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier::new()
    }
}

impl Verifier {
    /// Before the first entry.
    pub fn new() -> Verifier {
        Verifier {
            n: 0,
            prev_hash: GENESIS.to_owned(),
        }
    }

    /// After `count` verified entries, the last of which has hash `last_hash`.
    pub fn resume(count: u64, last_hash: &str) -> Verifier {
        Verifier {
            n: count,
            prev_hash: last_hash.to_owned(),
        }
    }

    /// Entries verified so far.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// The hash of the last verified entry (`GENESIS` before the first).
    pub fn last_hash(&self) -> &str {
        &self.prev_hash
    }

    /// Checks the next entry in storage order. After an error the verifier is unchanged.
    pub fn push(&mut self, e: &Entry) -> Result<(), Break> {
        let n = self.n + 1;
        let fail = |reason: String| Break {
            position: n,
            seq: Some(e.seq),
            reason,
        };
        if e.seq != n {
            return Err(fail(format!(
                "sequence number {} where {n} was expected (entry removed or reordered)",
                e.seq
            )));
        }
        if e.prev != self.prev_hash {
            return Err(fail(
                "does not link to the previous entry (entry removed, inserted or reordered)".into(),
            ));
        }
        let expect = digest(
            e.seq, &e.time, &e.actor, &e.action, &e.object, &e.detail, &e.prev,
        );
        if e.hash != expect {
            return Err(fail(
                "content does not match its hash (entry edited)".into(),
            ));
        }
        self.n = n;
        self.prev_hash.clone_from(&e.hash);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::new();
        for i in 0..n {
            let detail = format!("change {i}");
            let e = seal(
                out.last(),
                NewEntry {
                    time: "2026-11-23T10:00:00+09:00",
                    actor: "yamada",
                    action: "scan.quarantine",
                    object: "/share/a.xlsx",
                    detail: &detail,
                },
            );
            out.push(e);
        }
        out
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(5));
        assert_eq!(verify(&chain(0)), Ok(0));
    }

    #[test]
    fn edits_removals_and_reordering_are_detected_where_they_happen() {
        let mut c = chain(5);
        c[2].detail = "something else".into();
        let b = verify(&c).unwrap_err();
        assert_eq!(
            (b.position, b.reason.as_str()),
            (3, "content does not match its hash (entry edited)")
        );

        let mut c = chain(5);
        c.remove(1);
        assert_eq!(verify(&c).unwrap_err().position, 2);

        let mut c = chain(5);
        c.swap(3, 4);
        assert_eq!(verify(&c).unwrap_err().position, 4);

        // Re-sealing an edited entry still breaks the link of the next one.
        let mut c = chain(5);
        let edited = seal(
            Some(&c[1]),
            NewEntry {
                time: "t",
                actor: "x",
                action: "y",
                object: "z",
                detail: "forged",
            },
        );
        c[2] = edited;
        let b = verify(&c).unwrap_err();
        assert_eq!(b.position, 4);
    }

    #[test]
    fn a_resumed_verifier_continues_where_a_full_one_stopped() {
        let c = chain(6);
        let mut full = Verifier::new();
        for e in &c[..4] {
            full.push(e).unwrap();
        }
        let mut resumed = Verifier::resume(4, full.last_hash());
        for e in &c[4..] {
            resumed.push(e).unwrap();
        }
        assert_eq!(
            (resumed.count(), resumed.last_hash()),
            (6, c[5].hash.as_str())
        );
        // Resumed from a wrong hash, the next entry does not link; the verifier is unchanged.
        let mut wrong = Verifier::resume(4, &c[2].hash);
        let before = wrong.clone();
        assert_eq!(wrong.push(&c[4]).unwrap_err().position, 5);
        assert_eq!(wrong, before);
    }
}
