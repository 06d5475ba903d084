//! Shared set-up for the fuzz targets: one scanner (built-in catalog, one thread, small
//! limits so a fuzzer's bomb ends fast) and the invariants every decoder must keep.

use std::cell::RefCell;
use std::io::Cursor;
use std::sync::OnceLock;

use s3pii::decode::{Input, Limits};
use s3pii::object::ObjectInfo;
use s3pii::report::StatusCode;
use s3pii::scan::{ScanConfig, Scanner};
use s3pii::{DetectorSet, Matcher};

fn scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(|| {
        // libfuzzer-sys aborts on any panic, even one s3pii catches by design: the
        // decoders built on third-party parsers (Parquet, Avro) turn a parser's panic into
        // a MALFORMED_FILE result. A panic that escapes s3pii still reaches the fuzz
        // target's own catch, which aborts.
        std::panic::set_hook(Box::new(|_| {}));
        let set = DetectorSet::builtin().expect("built-in catalog loads");
        let limits = Limits {
            max_extracted: 64 << 20,
            max_member_bytes: 16 << 20,
            ratio_floor: 1 << 20,
            max_buffered: 1 << 20,
            max_replay: 1 << 16,
            max_record_bytes: 1 << 20,
            ..Limits::default()
        };
        let config = ScanConfig {
            jobs: 1,
            chunk_len: 4096,
            limits,
            ..ScanConfig::default()
        };
        Scanner::new(set, None, config).expect("scanner starts")
    })
}

thread_local! {
    /// One matcher per thread: building one (a regex cache per detector) costs more than
    /// a small scan.
    static MATCHER: RefCell<Matcher> = RefCell::new(Matcher::new(scanner().detectors()));
}

/// Scans `data` as an object named `name`, as a stream and seekable, and checks the
/// invariants: one result for the object first, members after it, complete results with
/// a reason never, non-complete results always with one.
pub fn scan(name: &str, data: &[u8]) {
    let scanner = scanner();
    let info = ObjectInfo {
        bucket: "fuzz".into(),
        key: name.into(),
        size: data.len() as u64,
        last_modified: None,
        storage_class: None,
        ..ObjectInfo::default()
    };
    MATCHER.with_borrow_mut(|matcher| scan_with(scanner, &info, data, matcher));
}

fn scan_with(scanner: &Scanner, info: &ObjectInfo, data: &[u8], matcher: &mut Matcher) {
    for seekable in [false, true] {
        let reports = if seekable {
            let input = Input::Seekable(Box::new(Cursor::new(data.to_vec())), data.len() as u64);
            scanner.scan_input(input, info, Some(data.len() as u64), matcher)
        } else {
            let mut stream = Cursor::new(data);
            scanner.scan_input(Input::Stream(&mut stream), info, None, matcher)
        };
        assert!(!reports.is_empty());
        assert!(reports[0].embedded.is_none());
        assert!(reports[1..].iter().all(|r| r.embedded.is_some()));
        for r in &reports {
            assert_eq!(r.status.code == StatusCode::Complete, r.status.reason.is_none());
            for d in &r.detections {
                assert!(d.count as usize >= d.locations.len());
            }
        }
    }
}

/// Scans `data` with the matcher alone and checks every match is in bounds, non-empty and
/// in order.
pub fn engine(data: &[u8]) {
    let found = MATCHER.with_borrow_mut(|m| m.scan(data));
    let mut last = (0, 0);
    for m in &found {
        assert!(m.start < m.end && m.end <= data.len());
        assert!((m.start, m.end) >= last);
        last = (m.start, m.end);
    }
}
