//! Memoised CEL outcomes: a rule evaluated once per distinct input, not once per account.
//!
//! A CEL expression is a pure function of what it reads. `policy`, `organisation`, `as_of` and
//! the functions are fixed for the whole audit, so what can differ between two accounts is the
//! account fields the check's expressions select (found by walking their syntax trees) and the
//! `requires` paths its evidence quotes. Two accounts that agree on all of them get the same
//! outcome. Most accounts of an organisation share their 2FA method, verification state and
//! flags, and evaluating CEL was most of the engine's time.
//!
//! The key is the JSON text of each path's value, so it is exact, never a hash: a hit returns
//! what evaluating would have returned. A check whose expressions use `account` as a whole is
//! not memoised, and a check whose inputs turn out to be all different (an e-mail address, a
//! handle) stops being looked up after a short trial. Each worker thread has its own memo.

use std::collections::HashMap;

use serde_json::Value;

use crate::model::results::{Evidence, Status};

/// Entries kept per check and worker: bounds memory on inventories with no repetition.
const MAX_ENTRIES: usize = 2048;

/// Lookups after which a check that rarely hits is no longer looked up.
const TRIAL_LOOKUPS: u32 = 256;

/// What is remembered for one input of one check.
#[derive(Clone)]
pub enum Cached {
    /// A declarative rule's whole outcome (applicability included).
    Outcome {
        status: Status,
        message: String,
        evidence: Evidence,
    },
    /// A native check's `applies_when`: applicable, not, or why it could not be evaluated.
    Applies(Result<bool, String>),
}

#[derive(Default)]
struct Slot {
    entries: HashMap<Box<[u8]>, Cached>,
    lookups: u32,
    hits: u32,
    off: bool,
}

/// One worker's memo, with a slot per account-scoped check.
pub struct Memo {
    slots: Vec<Slot>,
    key: Vec<u8>,
}

impl Memo {
    /// A memo for `checks` account checks; a check looked up without paths is not memoised.
    pub fn new(checks: usize) -> Self {
        Memo {
            slots: (0..checks).map(|_| Slot::default()).collect(),
            key: Vec::with_capacity(256),
        }
    }

    /// What check `slot` gave for an account that reads the same as `view` on `paths`, if it was
    /// seen; `None` also when the check is not memoised. Builds the key for [`Memo::remember`].
    pub fn recall(
        &mut self,
        slot: usize,
        paths: Option<&[String]>,
        view: &Value,
    ) -> Option<Cached> {
        let s = self.slots.get_mut(slot)?;
        let paths = paths?;
        if s.off {
            return None;
        }
        write_key(&mut self.key, view, paths);
        s.lookups += 1;
        let hit = s.entries.get(self.key.as_slice()).cloned();
        if hit.is_some() {
            s.hits += 1;
        } else if s.lookups >= TRIAL_LOOKUPS && s.hits * 8 < s.lookups {
            // Under one hit in eight: the inputs are (nearly) unique per account.
            s.off = true;
            s.entries = HashMap::new();
        }
        hit
    }

    /// Remembers `value()` under the key the last [`Memo::recall`] of `slot` built (which
    /// missed); `value` is not called when nothing would be kept.
    pub fn remember(
        &mut self,
        slot: usize,
        paths: Option<&[String]>,
        value: impl FnOnce() -> Cached,
    ) {
        let Some(s) = self.slots.get_mut(slot) else {
            return;
        };
        if paths.is_none() || s.off || s.entries.len() >= MAX_ENTRIES {
            return;
        }
        s.entries.insert(self.key.as_slice().into(), value());
    }
}

/// The key: for each path, whether it resolved and how deep, then the JSON text of the value
/// found (or of the last value on the way, when the path stops early: a null, a missing key and
/// an empty map behave differently in CEL, and the text tells them apart).
fn write_key(key: &mut Vec<u8>, view: &Value, paths: &[String]) {
    key.clear();
    for path in paths {
        let mut cur = view;
        let mut depth = 0u8;
        let mut complete = true;
        for part in path.split('.') {
            match cur.as_object().and_then(|m| m.get(part)) {
                Some(v) => {
                    cur = v;
                    depth = depth.saturating_add(1);
                }
                None => {
                    complete = false;
                    break;
                }
            }
        }
        key.push(if complete { 1 } else { 2 });
        key.push(depth);
        // Writing a `Value` to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *key, cur);
        // JSON text never holds a raw 0 byte (control characters are escaped).
        key.push(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(view: &Value, paths: &[&str]) -> Vec<u8> {
        let paths: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
        let mut k = Vec::new();
        write_key(&mut k, view, &paths);
        k
    }

    #[test]
    fn keys_tell_apart_what_cel_tells_apart() {
        let p = ["security.two_factor"];
        let present = key(&json!({"security": {"two_factor": "sms"}}), &p);
        let other = key(&json!({"security": {"two_factor": "none"}}), &p);
        let null = key(&json!({"security": {"two_factor": null}}), &p);
        let missing = key(&json!({"security": {}}), &p);
        let parent_null = key(&json!({"security": null}), &p);
        let no_parent = key(&json!({}), &p);
        let all = [&present, &other, &null, &missing, &parent_null, &no_parent];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a, b);
            }
        }
        // Fields the rule does not read do not matter.
        assert_eq!(
            present,
            key(
                &json!({"security": {"two_factor": "sms", "login_email": "a@b"}, "id": "x"}),
                &p
            )
        );
    }

    #[test]
    fn a_value_cannot_pass_for_two() {
        // "a" then "b" must not read like one path whose text happens to contain both.
        let two = key(&json!({"x": "a", "y": "b"}), &["x", "y"]);
        let one = key(&json!({"x": "a\u{0}\u{1}\u{1}\"b", "y": null}), &["x", "y"]);
        assert_ne!(two, one);
    }

    #[test]
    fn unique_inputs_switch_the_memo_off() {
        let paths = vec!["id".to_string()];
        let mut memo = Memo::new(1);
        let cached = Cached::Applies(Ok(true));
        for i in 0..TRIAL_LOOKUPS + 1 {
            let view = json!({ "id": format!("acc{i}") });
            assert!(memo.recall(0, Some(&paths), &view).is_none());
            memo.remember(0, Some(&paths), || cached.clone());
        }
        assert!(memo.slots[0].off);
        assert!(memo.slots[0].entries.is_empty());
    }

    #[test]
    fn repeated_inputs_hit() {
        let paths = vec!["security.two_factor".to_string()];
        let mut memo = Memo::new(1);
        let view = json!({"security": {"two_factor": "sms", "login_email": "a@b"}});
        assert!(memo.recall(0, Some(&paths), &view).is_none());
        memo.remember(0, Some(&paths), || Cached::Applies(Ok(false)));
        let again = json!({"security": {"two_factor": "sms", "login_email": "c@d"}});
        assert!(matches!(
            memo.recall(0, Some(&paths), &again),
            Some(Cached::Applies(Ok(false)))
        ));
        assert!(memo.recall(0, None, &again).is_none());
    }
}
