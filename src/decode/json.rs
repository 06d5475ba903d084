//! JSON and JSON Lines: every string and integer is scanned on its own and reported as a
//! Macie `record` (`recordIndex` 0 for JSON, the 0-based line for JSON Lines) with the
//! JSONPath of the value (`$.a.b[2]['key with space']`). Every path element name counts
//! as a keyword for the values under it; an object key is scanned too, and a hit in a key
//! is reported without a path, as Macie does.
//!
//! Documents are streamed through `serde_json` with a visitor that never builds a tree, so
//! a multi-GB top-level array costs one element of memory. Nesting deeper than
//! `max_json_depth` (256) skips the file with `JSON_NESTING_LEVEL_OVER_LIMIT`.
//!
//! A document up to `max_replay` bytes (16 MiB) is parsed from memory; one that does not
//! parse is then scanned as plain text (`lineRanges`). A larger document is streamed; if it
//! does not parse, it keeps the records of its valid prefix, scans the rest as text and is
//! `PARTIAL` / `MALFORMED_FILE`. A
//! JSON Lines line that does not parse is scanned as a line of text.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use super::text::{self, Batch, Values};
use super::walk::{Counted, Outcome, Walker};
use crate::location::Location;
use crate::matcher::Matcher;
use crate::report::{reason, DetectionCollector};
use crate::{ContextKeywords, DetectorSet};

const JSON_MIME: &str = "application/json";
const JSONL_MIME: &str = "application/jsonl";

/// Macie's limits on `jsonPath`: element names and whole paths.
const MAX_ELEMENT: usize = 240;
const MAX_PATH: usize = 250;

/// One step of a JSON path.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    Key(String),
    Index(u64),
}

/// Renders a path in Macie's notation, with its truncation rules: element names over
/// 240 characters keep their end behind `...`; a path over 250 characters loses elements
/// from the front and starts with `$..`.
pub(crate) fn render_path(steps: &[Step]) -> String {
    let parts: Vec<String> = steps.iter().map(render_step).collect();
    let total: usize = 1 + parts.iter().map(|p| p.chars().count()).sum::<usize>();
    if total <= MAX_PATH {
        return std::iter::once("$".to_string()).chain(parts).collect();
    }
    let mut kept = 0usize;
    let mut from = parts.len();
    while from > 0 {
        let n = parts[from - 1].chars().count();
        if 3 + kept + n > MAX_PATH {
            break;
        }
        kept += n;
        from -= 1;
    }
    let mut out = String::from("$..");
    for (i, p) in parts[from..].iter().enumerate() {
        out.push_str(if i == 0 {
            p.strip_prefix('.').unwrap_or(p)
        } else {
            p
        });
    }
    out
}

fn render_step(step: &Step) -> String {
    match step {
        Step::Index(i) => format!("[{i}]"),
        Step::Key(k) => {
            let chars = k.chars().count();
            let name: String = if chars > MAX_ELEMENT {
                let tail: String = k.chars().skip(chars - (MAX_ELEMENT - 3)).collect();
                format!("...{tail}")
            } else {
                k.clone()
            };
            let plain = !k.is_empty()
                && chars <= MAX_ELEMENT
                && k.chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if plain {
                format!(".{name}")
            } else {
                format!("['{}']", name.replace('\\', "\\\\").replace('\'', "\\'"))
            }
        }
    }
}

/// Walk state for one JSON value tree.
struct State<'s, 'm> {
    set: &'s DetectorSet,
    values: Values<'s>,
    matcher: &'m mut Matcher,
    out: &'m mut DetectionCollector,
    record: u64,
    path: Vec<Step>,
    /// Context keywords of the path so far, one entry per step.
    contexts: Vec<ContextKeywords>,
    cache: HashMap<String, ContextKeywords>,
    max_depth: usize,
    too_deep: bool,
    /// Walk without scanning (validation).
    dry: bool,
    /// Values and keys without context keywords, scanned many at a time; the tag is the
    /// record and the path (`None` for a key).
    batch: Batch<(u64, Option<String>)>,
    itoa: itoa::Buffer,
}

impl State<'_, '_> {
    fn context(&self) -> Option<&ContextKeywords> {
        self.contexts.last()
    }

    fn value(&mut self, bytes: &[u8]) {
        if self.dry || bytes.is_empty() {
            return;
        }
        let record = self.record;
        if self.contexts.last().is_some_and(|c| !c.is_empty()) {
            // A path with keywords: scanned on its own, after what is gathered (order).
            self.flush();
            let path = &self.path;
            let context = self.contexts.last();
            self.values
                .scan(bytes, context, self.matcher, self.out, || {
                    Location::Record {
                        record_index: record,
                        json_path: Some(render_path(path)),
                    }
                });
            return;
        }
        let tag = (record, Some(render_path(&self.path)));
        if self.batch.push(bytes, tag) {
            self.flush();
        }
    }

    fn key(&mut self, key: &str) {
        if self.dry {
            return;
        }
        if self.batch.push(key.as_bytes(), (self.record, None)) {
            self.flush();
        }
    }

    /// Scans what is gathered.
    fn flush(&mut self) {
        self.batch.scan(
            &self.values.opts,
            None,
            self.matcher,
            self.out,
            |(record, path)| Location::Record {
                record_index: *record,
                json_path: path.clone(),
            },
        );
    }

    fn push(&mut self, step: Step) {
        if self.dry {
            self.path.push(step);
            self.contexts.push(ContextKeywords::default());
            return;
        }
        let parent = self.context().cloned().unwrap_or_default();
        let ctx = match &step {
            Step::Index(_) => parent,
            Step::Key(k) => {
                if self.cache.len() > 10_000 {
                    self.cache.clear();
                }
                let own = match self.cache.get(k) {
                    Some(c) => c.clone(),
                    None => {
                        let c = self.set.context_keywords([k.as_bytes()]);
                        self.cache.insert(k.clone(), c.clone());
                        c
                    }
                };
                parent.union(&own)
            }
        };
        self.path.push(step);
        self.contexts.push(ctx);
    }

    fn pop(&mut self) {
        self.path.pop();
        self.contexts.pop();
    }

    fn enter<E: de::Error>(&mut self) -> Result<(), E> {
        if self.path.len() >= self.max_depth {
            self.too_deep = true;
            return Err(E::custom("JSON nesting over the limit"));
        }
        Ok(())
    }
}

/// The visitor: scans leaves, recurses into arrays and objects without keeping them.
struct Walk<'a, 's, 'm>(&'a mut State<'s, 'm>);

impl<'de> DeserializeSeed<'de> for Walk<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        let mut buf = std::mem::take(&mut self.0.itoa);
        self.0.value(buf.format(v).as_bytes());
        self.0.itoa = buf;
        Ok(())
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        let mut buf = std::mem::take(&mut self.0.itoa);
        self.0.value(buf.format(v).as_bytes());
        self.0.itoa = buf;
        Ok(())
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.0.value(v.as_bytes());
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.0.enter()?;
        let mut i = 0u64;
        loop {
            self.0.push(Step::Index(i));
            let more = seq.next_element_seed(Walk(self.0));
            self.0.pop();
            if more?.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.0.enter()?;
        while let Some(key) = map.next_key::<String>()? {
            self.0.key(&key);
            self.0.push(Step::Key(key));
            let r = map.next_value_seed(Walk(self.0));
            self.0.pop();
            r?;
        }
        Ok(())
    }
}

/// Walks one in-memory JSON value; whether it parsed.
fn walk_slice(st: &mut State<'_, '_>, body: &[u8]) -> bool {
    st.path.clear();
    st.contexts.clear();
    let mut de = serde_json::Deserializer::from_slice(body);
    de.disable_recursion_limit();
    Walk(st)
        .deserialize(&mut de)
        .and_then(|()| de.end())
        .is_ok()
}

fn state<'s, 'm>(
    w: &Walker<'s>,
    utf8: bool,
    matcher: &'m mut Matcher,
    out: &'m mut DetectionCollector,
) -> State<'s, 'm> {
    State {
        set: w.settings.text.set,
        values: Values::new(text::TextScan {
            utf8,
            ..w.settings.text
        }),
        matcher,
        out,
        record: 0,
        path: Vec::new(),
        contexts: Vec::new(),
        cache: HashMap::new(),
        max_depth: w.limits().max_json_depth,
        too_deep: false,
        dry: false,
        batch: Batch::default(),
        itoa: itoa::Buffer::new(),
    }
}

/// Scans one JSON document.
pub fn scan_document(
    w: &mut Walker<'_>,
    stream: &mut dyn Read,
    utf8: bool,
    matcher: &mut Matcher,
    out: &mut DetectionCollector,
) -> Outcome {
    let mut found = w.collector();
    // Documents up to `max_replay` bytes are parsed from memory (fast, and a malformed one
    // is rescanned from the same bytes); larger ones are streamed.
    let cap = w.limits().max_replay;
    let mut head = Vec::new();
    if let Err(e) = (&mut *stream).take(cap as u64 + 1).read_to_end(&mut head) {
        return w.read_failure(&e, JSON_MIME, head.len() as u64);
    }
    if head.len() <= cap {
        let (valid, too_deep) = {
            let mut st = state(w, utf8, matcher, &mut found);
            let valid = walk_slice(&mut st, &head);
            st.flush();
            (valid, st.too_deep)
        };
        if too_deep {
            return too_deep_outcome(w);
        }
        let read = head.len() as u64;
        if valid {
            out.merge(&found.finish());
            return Outcome::complete(JSON_MIME, read);
        }
        let opts = text::TextScan {
            utf8,
            ..w.settings.text
        };
        return match text::scan_text(&head[..], opts, matcher, out) {
            Ok(n) => Outcome {
                error: Some("not valid JSON; scanned as text".into()),
                ..Outcome::complete(JSON_MIME, n)
            },
            Err(e) => w.read_failure(&e, JSON_MIME, read),
        };
    }
    // Too large to keep: streamed. If it turns out malformed, the records of its valid part
    // stand and the rest is scanned as text.
    let mut counted = Counted {
        inner: io::Cursor::new(head).chain(stream),
        n: 0,
    };
    let mut buffered = BufReader::with_capacity(64 << 10, &mut counted);
    let (result, too_deep) = {
        let mut st = state(w, utf8, matcher, &mut found);
        let mut de = serde_json::Deserializer::from_reader(&mut buffered);
        de.disable_recursion_limit();
        let r = Walk(&mut st).deserialize(&mut de).and_then(|()| de.end());
        st.flush();
        (r, st.too_deep)
    };
    let err = match result {
        Ok(()) => {
            out.merge(&found.finish());
            return Outcome::complete(JSON_MIME, buffered.get_ref().n);
        }
        Err(e) => e,
    };
    if too_deep {
        return too_deep_outcome(w);
    }
    out.merge(&found.finish());
    if err.is_io() {
        let read = buffered.get_ref().n;
        return w.read_failure(&io::Error::from(err), JSON_MIME, read);
    }
    let (line, column) = (err.line() as u64, err.column() as u64);
    let unread = buffered.buffer().to_vec();
    let counted = buffered.into_inner();
    let opts = text::TextScan {
        utf8,
        ..w.settings.text
    };
    let rest = io::Cursor::new(unread).chain(&mut *counted);
    let scanned = text::scan_text_from(rest, opts, matcher, out, (line, column.max(1)));
    let read = counted.n;
    match scanned {
        Ok(_) => Outcome::partial(
            JSON_MIME,
            reason::MALFORMED_FILE,
            read,
            format!(
                "not valid JSON from line {line}, column {column}; the rest was scanned as text"
            ),
        ),
        Err(e) => w.read_failure(&e, JSON_MIME, read),
    }
}

fn too_deep_outcome(w: &Walker<'_>) -> Outcome {
    Outcome::skipped(
        JSON_MIME,
        reason::JSON_NESTING_LEVEL_OVER_LIMIT,
        format!(
            "JSON nested deeper than {} levels",
            w.limits().max_json_depth
        ),
    )
}

/// Scans JSON Lines: one value per line, `recordIndex` = 0-based line number.
pub fn scan_lines(
    w: &mut Walker<'_>,
    stream: &mut dyn Read,
    utf8: bool,
    matcher: &mut Matcher,
    out: &mut DetectionCollector,
) -> Outcome {
    let cap = w.limits().max_record_bytes;
    let opts = text::TextScan {
        utf8,
        ..w.settings.text
    };
    let max_depth = w.limits().max_json_depth;
    let mut reader = BufReader::with_capacity(64 << 10, stream);
    let mut line = Vec::new();
    let mut read = 0u64;
    let mut index = 0u64;
    let mut malformed = 0u64;
    let mut st = state(w, utf8, matcher, out);
    loop {
        line.clear();
        let n = match (&mut reader).take(cap + 1).read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                st.flush();
                return w.read_failure(&e, JSONL_MIME, read);
            }
        };
        read += n as u64;
        let complete = line.ends_with(b"\n") || (n as u64) <= cap;
        if !complete {
            // A runaway line: scan it as text, streamed to its end.
            let rest = UntilNewline {
                inner: &mut reader,
                done: false,
                read: 0,
            };
            let mut rest = rest;
            let whole = io::Cursor::new(&line[..]).chain(&mut rest);
            st.flush();
            if let Err(e) = text::scan_text_from(whole, opts, st.matcher, st.out, (index + 1, 1)) {
                return w.read_failure(&e, JSONL_MIME, read);
            }
            read += rest.read;
            malformed += 1;
            index += 1;
            continue;
        }
        let body = line.trim_ascii();
        if !body.is_empty() {
            // A dry walk first (the same depth limit, nothing scanned), so a malformed line
            // adds no records before it is rescanned as text.
            st.record = index;
            st.dry = true;
            let valid = walk_slice(&mut st, body);
            st.dry = false;
            if st.too_deep {
                st.out.clear();
                return Outcome::skipped(
                    JSONL_MIME,
                    reason::JSON_NESTING_LEVEL_OVER_LIMIT,
                    format!("line {} nested deeper than {max_depth} levels", index + 1),
                );
            }
            if valid {
                walk_slice(&mut st, body);
            } else {
                malformed += 1;
                st.flush();
                let _ = text::scan_text_from(&line[..], opts, st.matcher, st.out, (index + 1, 1));
            }
        }
        index += 1;
    }
    st.flush();
    let mut o = Outcome::complete(JSONL_MIME, read);
    if malformed > 0 {
        o.error = Some(format!(
            "{malformed} lines were not valid JSON and were scanned as text"
        ));
    }
    o
}

/// Reads a `BufRead` up to and including the next newline, then reports end of input.
struct UntilNewline<'r, R> {
    inner: &'r mut R,
    done: bool,
    read: u64,
}

impl<R: BufRead> Read for UntilNewline<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done {
            return Ok(0);
        }
        let avail = self.inner.fill_buf()?;
        if avail.is_empty() {
            self.done = true;
            return Ok(0);
        }
        let (take, ends) = match memchr::memchr(b'\n', avail) {
            Some(i) if i < buf.len() => (i + 1, true),
            _ => (avail.len().min(buf.len()), false),
        };
        buf[..take].copy_from_slice(&avail[..take]);
        self.inner.consume(take);
        self.done = ends;
        self.read += take as u64;
        Ok(take)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Step {
        Step::Key(k.into())
    }

    #[test]
    fn paths_in_macie_notation() {
        assert_eq!(render_path(&[]), "$");
        assert_eq!(render_path(&[key("CCN")]), "$.CCN");
        assert_eq!(
            render_path(&[Step::Index(0), key("Card Number")]),
            "$[0]['Card Number']"
        );
        assert_eq!(
            render_path(&[key("access"), key("key"), Step::Index(2)]),
            "$.access.key[2]"
        );
        assert_eq!(render_path(&[key("it's")]), "$['it\\'s']");
        let long = "k".repeat(300);
        let p = render_path(&[key(&long)]);
        assert!(p.starts_with("$['...kkk"), "{p}");
        assert_eq!(p.chars().count(), "$['']".len() + MAX_ELEMENT);
        let many: Vec<Step> = (0..40).map(|i| key(&format!("usssn{i}"))).collect();
        let p = render_path(&many);
        assert!(p.len() <= MAX_PATH, "{}", p.len());
        assert!(p.starts_with("$..usssn"), "{p}");
        assert!(p.ends_with(".usssn39"), "{p}");
    }
}
