//! `parse_json_object`: arbitrary bytes, generated JSON with duplicate member names at random
//! depths (some spelled with `\u` escapes), and deep nesting.

use std::fmt::Write as _;

use mcp_auth::metadata::{JsonObjectError, parse_json_object};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Map, Value};

use super::{CASES, config};

/// A JSON tree that may hold duplicate member names; each name has an escape mask (bit `i`:
/// write character `i` as `\uXXXX`).
#[derive(Debug, Clone)]
enum Json {
    Null,
    Bool(bool),
    Num(i64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, u16, Json)>),
}

impl Json {
    fn write(&self, out: &mut String) {
        match self {
            Self::Null => out.push_str("null"),
            Self::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Self::Num(n) => write!(out, "{n}").unwrap(),
            Self::Str(s) => out.push_str(&serde_json::to_string(s).unwrap()),
            Self::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Self::Obj(members) => {
                out.push('{');
                for (i, (name, mask, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push('"');
                    for (j, c) in name.chars().enumerate() {
                        match c {
                            _ if mask & (1 << (j % 16)) != 0 => {
                                write!(out, "\\u{:04x}", u32::from(c)).unwrap();
                            }
                            '"' | '\\' => {
                                out.push('\\');
                                out.push(c);
                            }
                            _ => out.push(c),
                        }
                    }
                    out.push_str("\": ");
                    value.write(out);
                }
                out.push('}');
            }
        }
    }

    fn text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    /// Names that occur twice in one object, anywhere in the tree.
    fn duplicates(&self, found: &mut Vec<String>) {
        match self {
            Self::Arr(items) => items.iter().for_each(|i| i.duplicates(found)),
            Self::Obj(members) => {
                for (i, (name, _, value)) in members.iter().enumerate() {
                    if members[..i].iter().any(|(n, _, _)| n == name) {
                        found.push(name.clone());
                    }
                    value.duplicates(found);
                }
            }
            _ => {}
        }
    }

    /// Follows `path` down through containers and adds a second member named like an
    /// existing one (or a pair of equal new names) to the deepest object reached.
    fn inject(&mut self, path: &[Index], name: &str, mask: u16) -> bool {
        let (first, rest) = path
            .split_first()
            .map_or((None, &[][..]), |(f, r)| (Some(f), r));
        let child = match self {
            Self::Arr(items) if !items.is_empty() => first.map(|i| i.index(items.len())),
            Self::Obj(members) if !members.is_empty() => first.map(|i| i.index(members.len())),
            _ => None,
        };
        let done = match (child, &mut *self) {
            (Some(c), Self::Arr(items)) => items[c].inject(rest, name, mask),
            (Some(c), Self::Obj(members)) => members[c].2.inject(rest, name, mask),
            _ => false,
        };
        if done {
            return true;
        }
        let Self::Obj(members) = self else {
            return false;
        };
        let existing = first.and_then(|i| {
            let (name, _, _) = members.get(i.index(members.len().max(1)))?;
            Some(name.clone())
        });
        let dup = existing.unwrap_or_else(|| name.to_owned());
        if members.iter().all(|(n, _, _)| *n != dup) {
            members.push((dup.clone(), 0, Json::Null));
        }
        members.push((dup, mask, Json::Bool(true)));
        true
    }
}

fn json_tree() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::Num),
        "[a-c\u{e9}\"]{0,3}".prop_map(Json::Str),
    ];
    let tree = leaf.prop_recursive(5, 48, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Arr),
            prop::collection::vec(("[ab\u{e9}\"\\\\]{0,2}", any::<u16>(), inner), 0..4)
                .prop_map(Json::Obj),
        ]
    });
    // The top is always an object.
    prop::collection::vec(("[ab\u{e9}\"\\\\]{0,2}", any::<u16>(), tree), 0..4).prop_map(Json::Obj)
}

fn serde_object(bytes: &[u8]) -> Option<Map<String, Value>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    serde_json::from_slice(bytes).ok()
}

/// A duplicate error names one of `dups` (Debug-quoted, then serde_json's position).
fn names_a_duplicate(error: &JsonObjectError, dups: &[String]) -> bool {
    match error {
        JsonObjectError::DuplicateMember(text) => dups
            .iter()
            .any(|n| text.starts_with(&format!("{n:?} at line"))),
        _ => false,
    }
}

proptest! {
    #![proptest_config(config(CASES))]

    /// Arbitrary bytes: no panic; whatever is accepted is what serde_json reads too.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(map) = parse_json_object(&bytes) {
            prop_assert_eq!(Some(map), serde_object(&bytes));
        }
    }

    /// Generated JSON text, then bytes flipped, inserted or deleted: no panic, no disagreement
    /// with serde_json on what is accepted.
    #[test]
    fn mutated_json_never_panics(
        tree in json_tree(),
        edits in prop::collection::vec((any::<Index>(), any::<u8>(), 0u8..3), 1..4),
    ) {
        let mut bytes = tree.text().into_bytes();
        for (at, byte, op) in edits {
            let at = at.index(bytes.len() + 1);
            match op {
                0 if at < bytes.len() => bytes[at] ^= byte.max(1),
                1 => bytes.insert(at, byte),
                _ if at < bytes.len() => {
                    bytes.remove(at);
                }
                _ => bytes.push(byte),
            }
        }
        if let Ok(map) = parse_json_object(&bytes) {
            prop_assert_eq!(Some(map), serde_object(&bytes));
        }
    }

    /// Generated objects: refused exactly when some object repeats a name (escaped spellings
    /// included), and then the error names a repeated name.
    #[test]
    fn duplicates_refused_iff_present(tree in json_tree()) {
        let text = tree.text();
        let mut dups = Vec::new();
        tree.duplicates(&mut dups);
        match parse_json_object(text.as_bytes()) {
            Ok(map) => {
                prop_assert!(dups.is_empty(), "accepted with duplicates {dups:?}: {text}");
                prop_assert_eq!(Some(map), serde_object(text.as_bytes()));
            }
            Err(e) => prop_assert!(names_a_duplicate(&e, &dups), "{e:?} for {text}"),
        }
    }

    /// A duplicate planted at a random depth is always refused.
    #[test]
    fn planted_duplicate_is_refused(
        tree in json_tree(),
        path in prop::collection::vec(any::<Index>(), 0..6),
        name in "[a-z\u{e9}]{0,3}",
        mask in any::<u16>(),
    ) {
        let mut tree = tree;
        prop_assert!(tree.inject(&path, &name, mask));
        let text = tree.text();
        let mut dups = Vec::new();
        tree.duplicates(&mut dups);
        let result = parse_json_object(text.as_bytes());
        prop_assert!(
            result.as_ref().is_err_and(|e| names_a_duplicate(e, &dups)),
            "{result:?} for {text}"
        );
    }

    /// Deep nesting never overflows the stack; very deep input is refused as syntax.
    #[test]
    fn deep_nesting_is_bounded(depth in 0usize..2_000, objects in any::<bool>()) {
        let (open, close) = if objects { ("{\"a\":", "}") } else { ("[", "]") };
        let text = format!("{{\"x\":{}1{}}}", open.repeat(depth), close.repeat(depth));
        let result = parse_json_object(text.as_bytes());
        if depth < 100 {
            prop_assert!(result.is_ok(), "{result:?} at depth {depth}");
        } else if depth > 200 {
            prop_assert!(matches!(result, Err(JsonObjectError::Syntax(_))), "{result:?}");
        }
    }
}
