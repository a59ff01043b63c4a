//! 差分 semantics: applying the rows of one 差分 file to one corporation's stored history.
//!
//! Every row of the NTA data is a complete snapshot of a corporation at one point in time
//! (all 30 columns), so applying a difference never merges fields: a row either becomes a
//! new history entry, replaces the history (訂正), removes the corporation (削除), or is
//! already known. The rules, in the order [`apply`] checks them:
//!
//! 1. **訂正 (訂正区分 = 1).** For a correction the NTA re-sends *all* history rows of the
//!    corporation. If any incoming row is flagged 訂正, the whole stored history is replaced
//!    by the incoming rows, in file order and with their 最新履歴 flags as sent.
//! 2. **99 削除.** The designation was withdrawn (for example a duplicate): the corporation
//!    and its history are removed ([`Change::Deleted`]). Rows after the 99 row in the same
//!    file (not expected) would start a new history.
//! 3. **Idempotency.** A row whose content equals a stored row (every column except the
//!    一連番号 and the 最新履歴 flag, see [`Corporation::same_content`]) is skipped, so
//!    re-applying a 差分 file changes nothing ([`Change::Unchanged`]).
//! 4. **Every other 処理区分 (01 11 12 13 21 22 71 72 81).** The row is appended and, when it
//!    is flagged 最新 (1), every earlier row is flagged 過去 (0). A row flagged 過去 is
//!    inserted before the current latest row instead and flags nothing. The close fields and
//!    the successor are the row's own:
//!    - 21 登記記録の閉鎖等: 閉鎖等年月日 and 事由 (01 清算の結了等, 21 登記官による閉鎖,
//!      31 その他の清算の結了等) set;
//!    - 71 吸収合併: the absorbed corporation closes with 事由 11 合併による解散等 and the
//!      承継先法人番号 of the surviving corporation;
//!    - 81 商号の登記の抹消: the row carries the closing as sent;
//!    - 22 登記記録の復活等 and 72 吸収合併無効: the row comes with the close fields (and the
//!      successor) blank again, which reopens the corporation;
//!    - 01 新規 starts a history; 11/12/13 change the name or an address.
//!
//! The function is pure: the stored history is not modified, the result is returned.

use crate::record::{CorpNumber, Corporation, Process};

/// What applying a difference did to a corporation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Nothing changed (no rows, or every row already known).
    Unchanged,
    /// The corporation was not known and now is.
    Created,
    /// New rows were added; the 処理区分 of the last one.
    Updated(Process),
    /// The history was replaced by 訂正 rows.
    Corrected,
    /// The corporation was removed by a 99 削除 row.
    Deleted,
}

/// The result of [`apply`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    /// The new history, oldest first (empty when deleted).
    pub history: Vec<Corporation>,
    /// What happened.
    pub change: Change,
}

/// Applies the rows of one 差分 file for one corporation (`incoming`, in file order) to its
/// stored history (oldest first; empty if unknown). Rows for another number than the
/// first incoming row's are ignored. See the module docs for the rules.
pub fn apply(history: &[Corporation], incoming: &[Corporation]) -> Applied {
    let Some(first) = incoming.first() else {
        return Applied {
            history: history.to_vec(),
            change: Change::Unchanged,
        };
    };
    let number: CorpNumber = first.number;
    let rows: Vec<&Corporation> = incoming.iter().filter(|r| r.number == number).collect();

    // Rule 1: 訂正 replaces everything.
    if rows.iter().any(|r| r.is_correction()) {
        let new: Vec<Corporation> = rows
            .iter()
            .filter(|r| r.process != Process::Deleted)
            .map(|r| (*r).clone())
            .collect();
        let same = new.len() == history.len()
            && new
                .iter()
                .zip(history)
                .all(|(a, b)| a.same_content(b) && a.latest == b.latest);
        let change = if same {
            Change::Unchanged
        } else if new.is_empty() {
            Change::Deleted
        } else {
            Change::Corrected
        };
        return Applied {
            history: if same { history.to_vec() } else { new },
            change,
        };
    }

    let mut h: Vec<Corporation> = history.to_vec();
    let mut last_process = None;
    let mut deleted = false;
    for row in rows {
        if row.process == Process::Deleted {
            // Rule 2.
            if !h.is_empty() {
                h.clear();
                deleted = true;
                last_process = None;
            }
            continue;
        }
        // Rule 3.
        if h.iter().any(|r| r.same_content(row)) {
            continue;
        }
        // Rule 4.
        if row.latest == Some(false) {
            let at = h
                .iter()
                .rposition(Corporation::is_latest)
                .unwrap_or(h.len());
            h.insert(at, row.clone());
        } else {
            for r in &mut h {
                if r.latest == Some(true) {
                    r.latest = Some(false);
                }
            }
            h.push(row.clone());
        }
        last_process = Some(row.process);
    }
    let change = match (history.is_empty(), h.is_empty(), last_process) {
        (_, _, None) if deleted && h.is_empty() => Change::Deleted,
        (_, _, None) => Change::Unchanged,
        (true, false, Some(_)) => Change::Created,
        (false, false, Some(_)) if deleted => Change::Created,
        (_, _, Some(p)) => Change::Updated(p),
    };
    Applied { history: h, change }
}
