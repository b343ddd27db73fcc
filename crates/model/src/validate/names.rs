//! Names: duplicates, undefined references and the "did you mean" that
//! goes with them.

use super::quantity::V;
use crate::diag::Diagnostic;
use crate::network::Node;
use std::collections::HashMap;

/// The path of the `name` field of the value at `path` (the file's root
/// value when `path` is empty).
pub(super) fn name_path(path: &str) -> String {
    if path.is_empty() {
        "name".to_string()
    } else {
        format!("{path}.name")
    }
}

/// Names → first index, reporting duplicates.
pub(super) fn index_names<'a>(
    v: &mut V,
    kind: &str,
    items: impl Iterator<Item = (&'a str, usize, String)>,
    taken: &mut HashMap<&'a str, (String, usize, String)>,
) -> HashMap<&'a str, usize> {
    let mut map = HashMap::new();
    for (i, (name, file, path)) in items.enumerate() {
        if let Some((other_kind, ofile, opath)) = taken.get(name) {
            v.err(
                Diagnostic::error(
                    "duplicate-name",
                    format!("{kind} `{name}` is defined more than once"),
                )
                .at(file, name_path(&path), "defined again here")
                .also(
                    *ofile,
                    name_path(opath),
                    format!("first defined here (as a {other_kind})"),
                )
                .help("names must be unique; rename one of them"),
            );
            continue;
        }
        taken.insert(name, (kind.to_string(), file, path));
        map.insert(name, i);
    }
    map
}

pub(super) fn all_names(nodes: &[Node]) -> Vec<String> {
    nodes.iter().map(|n| n.name.clone()).collect()
}

/// "did you mean" by edit distance, for undefined names.
pub(crate) fn closest<'a>(name: &str, candidates: &'a [String]) -> Option<&'a str> {
    fn dist(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for i in 1..=a.len() {
            let mut cur = vec![i; b.len() + 1];
            for j in 1..=b.len() {
                let c = usize::from(a[i - 1] != b[j - 1]);
                cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + c);
            }
            prev = cur;
        }
        prev[b.len()]
    }
    // Bounded work: the edit distance is at least the difference in length,
    // so a candidate whose length is too far off is skipped without the
    // quadratic search, and names longer than `LONGEST` get no suggestion.
    const LONGEST: usize = 256;
    let len = name.chars().count();
    if len > LONGEST {
        return None;
    }
    candidates
        .iter()
        .filter(|c| {
            let cl = c.chars().count();
            cl <= LONGEST && len.abs_diff(cl) <= 2.max(c.len() / 3)
        })
        .map(|c| (dist(name, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .fold(
            None,
            |best: Option<(usize, Option<&str>)>, (d, c)| match best {
                Some((b, _)) if d > b => best,
                // a tie: no single suggestion
                Some((b, _)) if d == b => Some((b, None)),
                _ => Some((d, Some(c.as_str()))),
            },
        )
        .and_then(|(_, c)| c)
}

pub(super) fn undefined(
    file: usize,
    path: String,
    kind: &str,
    name: &str,
    owner: &str,
    mut candidates: Vec<String>,
) -> Diagnostic {
    candidates.sort();
    candidates.dedup();
    let d = Diagnostic::error(
        "undefined-reference",
        format!("{owner} refers to {kind} `{name}`, which is not defined"),
    )
    .at(file, path, format!("no {kind} of this name"));
    match closest(name, &candidates) {
        Some(c) => d.help(format!("did you mean `{c}`?")),
        None if candidates.is_empty() => d.help(format!("no {kind} is defined")),
        None => {
            let list: Vec<&String> = candidates.iter().collect();
            let shown: Vec<String> = list.iter().take(8).map(|s| format!("`{s}`")).collect();
            d.help(format!(
                "defined: {}{}",
                shown.join(", "),
                if list.len() > 8 { ", …" } else { "" }
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn closest_suggests_one_name_or_none() {
        let names: Vec<String> = ["m1", "m2", "sensor", "logger"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(closest("sensr", &names), Some("sensor"));
        assert_eq!(closest("loger", &names), Some("logger"));
        // `m3` is as close to `m1` as to `m2`: no single suggestion
        assert_eq!(closest("m3", &names), None);
        assert_eq!(closest("display", &names), None);
    }
}
