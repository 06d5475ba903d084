//! Apache Avro object container files: records are read one at a time (`apache-avro`),
//! every string, byte, enum and integer value is scanned with the names of its path as
//! context keywords, and reported as a Macie `record` (0-based record index, JSONPath of
//! the field as for JSON). A single value (or array/map length) over 16 MiB ends the file
//! with `UNABLE_TO_PARSE_FILE` (see [`MAX_ALLOCATION`]).

use std::collections::HashMap;
use std::io::Read;

use apache_avro::types::Value;

use super::json::{render_path, Step};
use super::text::{Batch, Values};
use super::walk::{Counted, Outcome, Walker};
use crate::location::Location;
use crate::matcher::Matcher;
use crate::report::{reason, DetectionCollector};
use crate::{ContextKeywords, DetectorSet};

const MIME: &str = "application/avro";

/// The largest single allocation `apache-avro` may make while decoding (its limit is
/// process-wide and set once). It bounds a string or bytes value, and the element count an
/// array or map header may announce: the crate reserves that many elements up front, so a
/// hostile header could otherwise ask for tens of GB and abort the process.
const MAX_ALLOCATION: usize = 16 << 20;

/// Walk state for one record.
struct Record<'a, 's, 'm> {
    set: &'a DetectorSet,
    values: &'a mut Values<'s>,
    /// Values without path keywords, scanned many at a time (tag: record, path).
    batch: &'a mut Batch<(u64, String)>,
    matcher: &'m mut Matcher,
    out: &'m mut DetectionCollector,
    index: u64,
    path: Vec<Step>,
    contexts: Vec<ContextKeywords>,
    cache: &'a mut HashMap<String, ContextKeywords>,
    itoa: itoa::Buffer,
}

impl Record<'_, '_, '_> {
    fn scan(&mut self, bytes: &[u8]) {
        let index = self.index;
        if self.contexts.last().is_some_and(|c| !c.is_empty()) {
            // A path with keywords: scanned on its own, after what is gathered (order).
            self.flush();
            let path = &self.path;
            self.values
                .scan(bytes, self.contexts.last(), self.matcher, self.out, || {
                    Location::Record {
                        record_index: index,
                        json_path: Some(render_path(path)),
                    }
                });
            return;
        }
        if self.batch.push(bytes, (index, render_path(&self.path))) {
            self.flush();
        }
    }

    fn flush(&mut self) {
        flush(self.batch, &self.values.opts, self.matcher, self.out);
    }

    fn push(&mut self, step: Step) {
        let parent = self.contexts.last().cloned().unwrap_or_default();
        let ctx = match &step {
            Step::Index(_) => parent,
            Step::Key(k) => {
                let own = self
                    .cache
                    .entry(k.clone())
                    .or_insert_with(|| self.set.context_keywords([k.as_bytes()]));
                parent.union(own)
            }
        };
        self.path.push(step);
        self.contexts.push(ctx);
    }

    fn pop(&mut self) {
        self.path.pop();
        self.contexts.pop();
    }

    fn walk(&mut self, v: &Value) {
        match v {
            Value::String(s) | Value::Enum(_, s) => self.scan(s.as_bytes()),
            Value::Bytes(b) | Value::Fixed(_, b) => self.scan(b),
            Value::Int(i) => {
                let mut buf = std::mem::take(&mut self.itoa);
                self.scan(buf.format(*i).as_bytes());
                self.itoa = buf;
            }
            Value::Long(i) => {
                let mut buf = std::mem::take(&mut self.itoa);
                self.scan(buf.format(*i).as_bytes());
                self.itoa = buf;
            }
            Value::Union(_, inner) => self.walk(inner),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.push(Step::Index(i as u64));
                    self.walk(item);
                    self.pop();
                }
            }
            Value::Map(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                for k in keys {
                    self.push(Step::Key(k.clone()));
                    if let Some(item) = map.get(k) {
                        self.walk(item);
                    }
                    self.pop();
                }
            }
            Value::Record(fields) => {
                for (name, item) in fields {
                    self.push(Step::Key(name.clone()));
                    self.walk(item);
                    self.pop();
                }
            }
            _ => {}
        }
    }
}

/// Scans the gathered values.
fn flush(
    batch: &mut Batch<(u64, String)>,
    opts: &super::text::TextScan<'_>,
    matcher: &mut Matcher,
    out: &mut DetectionCollector,
) {
    batch.scan(opts, None, matcher, out, |(record, path)| {
        Location::Record {
            record_index: *record,
            json_path: Some(path.clone()),
        }
    });
}

/// Scans an Avro object container file.
pub fn scan(
    w: &mut Walker<'_>,
    stream: &mut dyn Read,
    matcher: &mut Matcher,
    out: &mut DetectionCollector,
) -> Outcome {
    let mut counted = Counted {
        inner: stream,
        n: 0,
    };
    apache_avro::util::max_allocation_bytes(MAX_ALLOCATION);
    let reader = match apache_avro::Reader::new(&mut counted) {
        Ok(r) => r,
        // The parser's message can quote the data it failed on: it is not kept.
        Err(_) => {
            return Outcome::skipped(
                MIME,
                reason::MALFORMED_FILE,
                "not an Avro object container file",
            )
        }
    };
    let mut values = Values::new(w.settings.text);
    let mut batch = Batch::default();
    let mut cache = HashMap::new();
    let set = w.settings.text.set;
    let mut failure = None;
    for (index, value) in reader.enumerate() {
        let value = match value {
            Ok(v) => v,
            // The parser's message can quote decoded values: it is not kept.
            Err(_) => {
                failure = Some(format!("Avro unreadable at record {index}"));
                break;
            }
        };
        if cache.len() > 10_000 {
            cache.clear();
        }
        let mut rec = Record {
            set,
            values: &mut values,
            batch: &mut batch,
            matcher,
            out,
            index: index as u64,
            path: Vec::new(),
            contexts: Vec::new(),
            cache: &mut cache,
            itoa: itoa::Buffer::new(),
        };
        rec.walk(&value);
    }
    flush(&mut batch, &values.opts, matcher, out);
    match failure {
        None => Outcome::complete(MIME, counted.n),
        Some(msg) => {
            if let Some(why) = w.budget.tripped() {
                return Outcome::partial(MIME, why, counted.n, msg);
            }
            Outcome::partial(MIME, reason::UNABLE_TO_PARSE_FILE, counted.n, msg)
        }
    }
}
