//! The top-level modules of `src/` (`src/<name>.rs` or `src/<name>/`) are layered: no
//! chain of `crate::` paths leads from a module back to itself. A cycle ties its modules
//! into one unit that can only be read, tested and changed together.
//!
//! This reads the source text, not the compiler's view: every `crate::<module>` path in
//! non-test code (`use crate::{a, b::c}` groups too, comments and string literals left
//! out) is an edge from the module of its file to `<module>`. Test code is not counted:
//! files named `tests.rs`, `snapshots.rs` or `*_tests.rs`, and each item under a
//! `#[cfg(test)]` attribute.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// Where one module names another: the file (relative to the package) and the 1-based
/// line of the first such path in it.
type Place = (String, usize);

/// Module -> the modules it names, each with the first place it does.
type Graph = BTreeMap<String, BTreeMap<String, Place>>;

/// Edges (`from`, `to`) left out of the check, each for a reason that has an end: the
/// test fails once the edge is gone, so that its entry goes too.
const KNOWN: &[(&str, &str)] = &[];

#[test]
fn no_cycle_joins_the_top_level_modules_of_src() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut graph = graph(root);
    for (from, to) in KNOWN {
        let removed = graph.get_mut(*from).and_then(|edges| edges.remove(*to));
        assert!(
            removed.is_some(),
            "{from} no longer names {to}: remove the entry from KNOWN"
        );
    }
    assert!(
        graph.len() > 10,
        "too few modules found under src/: {graph:?}"
    );
    let cycles = cycles(&graph);
    assert!(
        cycles.is_empty(),
        "import cycles between the top-level modules of src/ (each `a -> b (file:line)` is a \
         `crate::b` path in module a):\n{}",
        cycles.join("\n")
    );
}

/// README's "Layout" section names every source file of `src/` (a `.rs` or `.py` file by
/// its stem, a `mod.rs` or `__init__.py` by its folder): a file added without a word on
/// where it fits fails here.
#[test]
fn the_readme_layout_names_every_source_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = fs::read_to_string(root.join("README.md")).expect("README.md");
    let start = readme.find("\n## Layout\n").expect("a Layout section");
    let section = &readme[start..];
    let section = &section[..section[1..]
        .find("\n## ")
        .map_or(section.len(), |end| end + 1)];
    let mut files = Vec::new();
    source_files(&root.join("src"), &mut files);
    let mut unnamed: Vec<String> = Vec::new();
    for file in &files {
        let stem = file.file_stem().unwrap().to_string_lossy();
        let name = if stem == "mod" || stem == "__init__" {
            file.parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
        } else {
            stem
        };
        let named = section.match_indices(name.as_ref()).any(|(at, _)| {
            let before = section[..at].chars().next_back();
            let after = section[at + name.len()..].chars().next();
            let boundary = |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            boundary(before) && boundary(after)
        });
        if !named {
            unnamed.push(file.strip_prefix(root).unwrap().display().to_string());
        }
    }
    assert!(files.len() > 100, "too few source files found: {files:?}");
    assert!(
        unnamed.is_empty(),
        "README.md's Layout section does not name: {unnamed:?}"
    );
}

/// The `.rs` and `.py` files under `dir`, but not the worker's own tests, test-only
/// Rust files and snapshots.
fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir)
        .expect("reading a source directory")
        .flatten()
    {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let extension = path.extension().and_then(|extension| extension.to_str());
        if path.is_dir() {
            if name != "snapshots" && name != "tests" && name != "__pycache__" {
                source_files(&path, out);
            }
        } else if (extension == Some("rs") && !is_test_file(&path)) || extension == Some("py") {
            out.push(path);
        }
    }
}

#[test]
fn the_scan_sees_groups_and_skips_comments_strings_and_test_items() {
    let text = r#"
//! Docs naming crate::docs_only.
use crate::{alpha, beta::{x, y}, gamma::z as w};
use crate::delta::Thing;
fn f() { let s = "crate::in_string"; let c = '{'; crate::epsilon::call(); }
/* crate::in_block */
#[cfg(test)]
mod test {
    use crate::only_in_tests;
    fn g() { let brace = "}"; }
}
fn after() -> crate::zeta::Z { todo!() }
#[cfg(test)]
use crate::test_import;
"#;
    let named: Vec<String> = crate_paths(text)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        named,
        ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
    );
}

#[test]
fn a_back_edge_is_reported_as_a_cycle() {
    let place = || ("src/x.rs".to_owned(), 1);
    let mut graph = Graph::new();
    for (from, to) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")] {
        graph
            .entry(from.to_owned())
            .or_default()
            .insert(to.to_owned(), place());
    }
    graph.entry("d".to_owned()).or_default();
    let cycles = cycles(&graph);
    assert_eq!(cycles.len(), 1, "{cycles:?}");
    assert!(
        cycles[0].starts_with("a -> b (src/x.rs:1) -> c (src/x.rs:1) -> a (src/x.rs:1)"),
        "{cycles:?}"
    );
}

/// The module graph of `root/src`.
fn graph(root: &Path) -> Graph {
    let src = root.join("src");
    let modules: BTreeSet<String> = fs::read_dir(&src)
        .expect("reading src/")
        .map(|entry| entry.expect("reading src/").path())
        .filter_map(|path| {
            let name = path.file_stem()?.to_str()?.to_owned();
            let module = path.is_dir() || path.extension().is_some_and(|ext| ext == "rs");
            (module && name != "lib" && name != "main").then_some(name)
        })
        .collect();
    let mut graph = Graph::new();
    for module in &modules {
        let edges = graph.entry(module.clone()).or_default();
        let file = src.join(format!("{module}.rs"));
        let files = if file.is_file() {
            vec![file]
        } else {
            rust_files(&src.join(module))
        };
        for file in files.iter().filter(|file| !is_test_file(file)) {
            let text = fs::read_to_string(file).expect("reading a source file");
            let shown = file
                .strip_prefix(root)
                .expect("a file under the package")
                .display()
                .to_string();
            for (named, line) in crate_paths(&text) {
                if &named != module && modules.contains(&named) {
                    edges.entry(named).or_insert_with(|| (shown.clone(), line));
                }
            }
        }
    }
    graph
}

/// Every `.rs` file under `dir`, in a stable order.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .expect("reading a source directory")
        .map(|entry| entry.expect("reading a source directory").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files
}

/// Whether the whole file is test code, by its name.
fn is_test_file(path: &Path) -> bool {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    name == "tests.rs" || name == "snapshots.rs" || name.ends_with("_tests.rs")
}

/// The first segment of each `crate::` path in the non-test code of `text`, with its
/// 1-based line, in order.
fn crate_paths(text: &str) -> Vec<(String, usize)> {
    let code = without_test_items(&blanked(text));
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find("crate::").map(|at| at + from) {
        from = at + "crate::".len();
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `git_chimp::`, `my_crate::`
        }
        let rest = &code[from..];
        let names = if let Some(group) = rest.trim_start().strip_prefix('{') {
            group_heads(group)
        } else {
            vec![identifier(rest)]
        };
        for name in names.into_iter().filter(|name| !name.is_empty()) {
            found.push((name, line_of(at)));
        }
    }
    found
}

/// The identifier at the start of `text` (after blanks).
fn identifier(text: &str) -> String {
    text.trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The first segment of each item of a `use` group, `text` starting just inside its `{`.
fn group_heads(text: &str) -> Vec<String> {
    let mut heads = vec![identifier(text)];
    let mut depth = 0_usize;
    for (at, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => heads.push(identifier(&text[at + 1..])),
            _ => {}
        }
    }
    heads
}

/// `text` with every comment and the inside of every string and character literal
/// replaced by spaces (newlines kept, so offsets keep their lines).
fn blanked(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0_usize;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
        } else if c == 'r'
            && matches!(next, Some('"' | '#'))
            && !chars[..i]
                .last()
                .is_some_and(|c| c.is_alphanumeric() || *c == '_')
        {
            // A raw string: r"..." or r#"..."#.
            let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
            if chars.get(i + 1 + hashes) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let close: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let start = i + 2 + hashes;
            let body: String = chars[start..].iter().collect();
            let end = body
                .find(&close)
                .map_or(chars.len(), |at| start + body[..at].chars().count());
            out.extend(chars[i..start].iter());
            for &c in &chars[start..end] {
                blank(&mut out, c);
            }
            i = end;
        } else if c == '"' {
            out.push('"');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
                if i < chars.len() {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
            if i < chars.len() {
                out.push('"');
                i += 1;
            }
        } else if c == '\'' && (next == Some('\\') || chars.get(i + 2) == Some(&'\'')) {
            // A character literal (not a lifetime).
            out.push('\'');
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < chars.len() {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
            if i < chars.len() {
                out.push('\'');
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// `code` (already [`blanked`]) with each item under a `#[cfg(test)]` attribute blanked:
/// from the attribute to the `;` or the closing `}` that ends the item.
fn without_test_items(code: &str) -> String {
    const ATTRIBUTE: &str = "#[cfg(test)]";
    let mut out = code.to_owned();
    let mut from = 0;
    while let Some(start) = out[from..].find(ATTRIBUTE).map(|at| at + from) {
        let mut depth = 0_usize;
        let mut end = out.len();
        for (at, c) in out[start + ATTRIBUTE.len()..].char_indices() {
            let at = at + start + ATTRIBUTE.len();
            match c {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = at + 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    end = at + 1;
                    break;
                }
                _ => {}
            }
        }
        let blanked: String = out[start..end]
            .chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' })
            .collect();
        out.replace_range(start..end, &blanked);
        from = start + blanked.len();
    }
    out
}

/// Each cycle of `graph`, one line per strongly connected set of modules: a shortest
/// cycle through its first module, every edge with the place that makes it, then the
/// set's other members.
fn cycles(graph: &Graph) -> Vec<String> {
    let mut shown = Vec::new();
    let mut seen = BTreeSet::new();
    for module in graph.keys() {
        if seen.contains(module) {
            continue;
        }
        let component: BTreeSet<&String> = graph
            .keys()
            .filter(|other| reaches(graph, module, other) && reaches(graph, other, module))
            .collect();
        seen.extend(component.iter().map(|name| (*name).clone()));
        let Some(path) = shortest_cycle(graph, module) else {
            continue;
        };
        let mut line = module.clone();
        for pair in path.windows(2) {
            let (file, at) = &graph[&pair[0]][&pair[1]];
            write!(line, " -> {} ({file}:{at})", pair[1]).expect("writing to a String");
        }
        let others: Vec<&str> = component
            .iter()
            .filter(|name| !path.contains(name))
            .map(|name| name.as_str())
            .collect();
        if !others.is_empty() {
            write!(line, "; also in this knot: {}", others.join(", "))
                .expect("writing to a String");
        }
        shown.push(line);
    }
    shown
}

/// Whether a path of one or more edges leads from `from` to `to`, or `from == to`.
fn reaches(graph: &Graph, from: &str, to: &str) -> bool {
    from == to || shortest_path(graph, from, to).is_some()
}

/// The modules of a shortest cycle from `module` back to it (both ends included).
fn shortest_cycle(graph: &Graph, module: &str) -> Option<Vec<String>> {
    graph[module]
        .keys()
        .filter_map(|next| {
            let mut path = shortest_path(graph, next, module)?;
            path.insert(0, module.to_owned());
            Some(path)
        })
        .min_by_key(Vec::len)
}

/// A shortest path from `from` to `to` (both included), by breadth-first search.
fn shortest_path(graph: &Graph, from: &str, to: &str) -> Option<Vec<String>> {
    let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = VecDeque::from([from]);
    while let Some(module) = queue.pop_front() {
        if module == to {
            let mut path = vec![to.to_owned()];
            let mut at = to;
            while at != from {
                at = came_from[at];
                path.push(at.to_owned());
            }
            path.reverse();
            return Some(path);
        }
        for next in graph.get(module).into_iter().flat_map(BTreeMap::keys) {
            if next != from && !came_from.contains_key(next.as_str()) {
                came_from.insert(next, module);
                queue.push_back(next);
            }
        }
    }
    None
}
