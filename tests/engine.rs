//! Matcher semantics on small inline detector sets.

use s3pii::detector::{parse_detector_file, CustomIdentifierSpec, Selection};
use s3pii::{AllowList, DetectorSet, Matcher, ScanOptions, Trigger};

const DETECTORS: &str = r#"
[[detector]]
id = "SSN"
name = "ssn"
category = "PERSONAL_INFORMATION"
regex = '\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b'
keywords = ["ssn", "social security"]
keyword_required = true
severity = ["HIGH", "HIGH", "HIGH"]

[[detector]]
id = "CARD"
name = "card"
category = "FINANCIAL_INFORMATION"
regex = '\b4[0-9]{3}(?:[ -]?[0-9]{4}){3}\b'
keywords = ["card"]
keyword_required = true
validator = "luhn"
ignore_words = ["4111111111111111"]
severity = ["HIGH", "HIGH", "HIGH"]

[[detector]]
id = "CARD_NK"
name = "card no keyword"
category = "FINANCIAL_INFORMATION"
regex = '\b4[0-9]{3}(?:[ -]?[0-9]{4}){3}\b'
validator = "luhn"
ignore_words = ["4111111111111111"]
fallback_for = "CARD"
severity = ["HIGH", "HIGH", "HIGH"]

[[detector]]
id = "EMAIL"
name = "email"
category = "PERSONAL_INFORMATION"
regex = '\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}\b'
severity = ["LOW", "MEDIUM", "HIGH"]

[[detector]]
id = "AKID"
name = "access key id"
category = "CREDENTIALS"
regex = '\bAKIA[0-9A-Z]{16}\b'
severity = ["HIGH", "HIGH", "HIGH"]

[[detector]]
id = "DE_IBAN"
name = "de iban"
category = "FINANCIAL_INFORMATION"
regex = '\bDE[0-9]{2}(?:[ -]?[0-9]{4}){4}[ -]?[0-9]{2}\b'
severity = ["HIGH", "HIGH", "HIGH"]

[[detector]]
id = "SECRET"
name = "secret"
category = "CREDENTIALS"
regex = '\b[A-Za-z/+]{20}\b'
keywords = ["secret key"]
keyword_required = true
severity = ["HIGH", "HIGH", "HIGH"]
"#;

fn set() -> DetectorSet {
    DetectorSet::build(
        parse_detector_file("engine.toml", DETECTORS).unwrap(),
        Vec::new(),
    )
    .unwrap()
}

fn found(set: &DetectorSet, hay: &str) -> Vec<(String, String)> {
    let mut m = Matcher::new(set);
    m.scan(hay.as_bytes())
        .into_iter()
        .map(|x| {
            (
                set.get(x.detector).unwrap().id.clone(),
                hay[x.start..x.end].to_string(),
            )
        })
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn triggers_are_derived_from_the_regex() {
    let s = set();
    let t = |id: &str| s.get(s.find(id).unwrap()).unwrap().trigger.clone();
    assert_eq!(t("SSN"), Trigger::Digits(9));
    assert_eq!(t("CARD"), Trigger::Digits(16));
    assert_eq!(t("EMAIL"), Trigger::Byte(b'@'));
    assert_eq!(t("AKID"), Trigger::Literal(vec![b"akia".to_vec()]));
    assert_eq!(t("DE_IBAN"), Trigger::Pair(vec![*b"DE"]));
    assert_eq!(t("SECRET"), Trigger::Keyword);
}

#[test]
fn keyword_must_be_within_distance_on_either_side() {
    let s = set();
    assert_eq!(
        found(&s, "SSN: 123-45-6789"),
        pairs(&[("SSN", "123-45-6789")])
    );
    assert_eq!(
        found(&s, "123-45-6789 is her social security number"),
        pairs(&[("SSN", "123-45-6789")])
    );
    assert_eq!(
        found(&s, "Social_Security 123-45-6789"),
        pairs(&[("SSN", "123-45-6789")])
    );
    assert_eq!(
        found(&s, "SOCIAL-SECURITY: 123-45-6789"),
        pairs(&[("SSN", "123-45-6789")])
    );
    // 31 characters between keyword and value: too far.
    let far = format!("ssn{}123-45-6789", " ".repeat(31));
    assert!(found(&s, &far).is_empty());
    let near = format!("ssn{}123-45-6789", " ".repeat(30));
    assert_eq!(found(&s, &near).len(), 1);
    // No keyword, or a keyword inside another word.
    assert!(found(&s, "ref 123-45-6789").is_empty());
    assert!(found(&s, "classn 123-45-6789").is_empty());
}

#[test]
fn back_to_back_matches_in_one_digit_cluster_are_all_found() {
    let s = set();
    // One cluster (gaps of one byte): every match, each starting right after the last
    // ends, whether the cluster's runs are searched one by one (cards: a run each) or as
    // one window (many runs).
    assert_eq!(
        found(&s, "card 4539578763621486 4012888888881881"),
        pairs(&[("CARD", "4539578763621486"), ("CARD", "4012888888881881")])
    );
    assert_eq!(
        found(&s, "ssn 123-45-6789 234-56-7890,345-67-8901"),
        pairs(&[
            ("SSN", "123-45-6789"),
            ("SSN", "234-56-7890"),
            ("SSN", "345-67-8901"),
        ])
    );
    // A run inside a match starts no match of its own (a whole-text regex resumes after
    // the match too); the search goes on after it.
    assert_eq!(
        found(&s, "card 4539 5787 6362 1486 4012 8888 8888 1881"),
        pairs(&[
            ("CARD", "4539 5787 6362 1486"),
            ("CARD", "4012 8888 8888 1881")
        ])
    );
}

#[test]
fn checksum_ignore_words_and_fallback() {
    let s = set();
    assert_eq!(
        found(&s, "card 4539 1488 0343 6467"),
        pairs(&[("CARD", "4539 1488 0343 6467")])
    );
    assert_eq!(
        found(&s, "paid with 4539148803436467."),
        pairs(&[("CARD_NK", "4539148803436467")])
    );
    assert!(found(&s, "card 4539 1488 0343 6468").is_empty(), "bad Luhn");
    assert!(
        found(&s, "card 4111 1111 1111 1111").is_empty(),
        "ignored test number"
    );
}

#[test]
fn excluding_the_stronger_detector_leaves_its_fallback_standing_alone() {
    // The shipped card fallback names CREDIT_CARD_NUMBER: without it in the selection the
    // fallback reports the number (it used to fail to build, naming `fallback_for`).
    let select = |exclude: &[&str]| {
        let exclude: Vec<String> = exclude.iter().map(|s| s.to_string()).collect();
        DetectorSet::select(&Selection::Default, &[], &exclude, Vec::new()).unwrap()
    };
    let text = "card 4539 1488 0343 6467";
    let card = pairs(&[("CREDIT_CARD_NUMBER", "4539 1488 0343 6467")]);
    assert_eq!(found(&select(&[]), text), card);
    let fallback = pairs(&[("CREDIT_CARD_NUMBER_(NO_KEYWORD)", "4539 1488 0343 6467")]);
    assert_eq!(found(&select(&["CREDIT_CARD_NUMBER"]), text), fallback);
}

#[test]
fn literal_byte_pair_and_keyword_triggers_find_their_matches() {
    let s = set();
    assert_eq!(
        found(
            &s,
            "key=AKIAIOSFODNN7EXAMPLE mail bob.smith@mail.example.co.uk"
        ),
        pairs(&[
            ("AKID", "AKIAIOSFODNN7EXAMPLE"),
            ("EMAIL", "bob.smith@mail.example.co.uk")
        ])
    );
    assert_eq!(
        found(&s, "IBAN DE89 3704 0044 0532 0130 00"),
        pairs(&[("DE_IBAN", "DE89 3704 0044 0532 0130 00")])
    );
    assert_eq!(
        found(&s, "ref 12 DE89370400440532013000"),
        pairs(&[("DE_IBAN", "DE89370400440532013000")])
    );
    assert_eq!(
        found(&s, "Secret-Key = abcdefghijABCDEFGHIJ"),
        pairs(&[("SECRET", "abcdefghijABCDEFGHIJ")])
    );
    assert!(found(&s, "secretkeys abcdefghijABCDEFGHIJ").is_empty());
}

#[test]
fn structured_context_counts_as_keyword() {
    let s = set();
    let ctx = s.context_keywords([&b"customer_ssn"[..]]);
    assert!(ctx.contains(s.find("SSN").unwrap()));
    assert!(!ctx.contains(s.find("CARD").unwrap()));
    let mut m = Matcher::new(&s);
    let mut out = Vec::new();
    m.scan_into(
        b"123-45-6789",
        ScanOptions {
            context: Some(&ctx),
            ..Default::default()
        },
        &mut out,
    );
    assert_eq!(out.len(), 1);
    assert!(m.scan(b"123-45-6789").is_empty());
}

#[test]
fn structured_context_finds_keyword_triggered_detectors() {
    // SECRET has no digits or literal to anchor on: only its keyword finds it in text.
    let s = set();
    let secret = s.find("SECRET").unwrap();
    let ctx = s.context_keywords([&b"Secret Key"[..]]);
    assert!(ctx.contains(secret));
    let hay = b"abcdefghijABCDEFGHIJ\n\n\n\nklmnopqrstKLMNOPQRST";
    let mut m = Matcher::new(&s);
    assert!(m.scan(hay).is_empty());
    let mut out = Vec::new();
    m.scan_into(
        hay,
        ScanOptions {
            context: Some(&ctx),
            ..Default::default()
        },
        &mut out,
    );
    let spans: Vec<(usize, usize)> = out
        .iter()
        .filter(|x| x.detector == secret)
        .map(|x| (x.start, x.end))
        .collect();
    assert_eq!(spans, vec![(0, 20), (24, 44)]);
}

#[test]
fn allow_list_drops_whole_matches_only() {
    let s = set();
    let mut allow = AllowList::new();
    allow.add_words("allow", "Bob@Example.com").unwrap();
    let mut m = Matcher::new(&s);
    let mut out = Vec::new();
    let hay = b"bob@example.com and bob@example.comx.org";
    m.scan_into(
        hay,
        ScanOptions {
            allow: Some(&allow),
            ..Default::default()
        },
        &mut out,
    );
    assert_eq!(out.len(), 1);
    assert_eq!(&hay[out[0].start..out[0].end], b"bob@example.comx.org");
}

#[test]
fn custom_identifiers_need_a_preceding_keyword() {
    let custom: Vec<CustomIdentifierSpec> = s3pii::detector::custom_specs_from_json(
        "c.json",
        r#"{"name":"employee id","regex":"EMP-[0-9]{6}","keywords":["employee"],"maximumMatchDistance":20,"ignoreWords":["EMP-000000"]}"#,
    )
    .unwrap();
    let s = DetectorSet::build(Vec::new(), custom).unwrap();
    assert_eq!(found(&s, "employee: EMP-123456").len(), 1);
    assert!(
        found(&s, "EMP-123456 employee").is_empty(),
        "keyword must precede"
    );
    assert!(found(&s, "employee: EMP-000000").is_empty(), "ignore word");
    assert!(
        found(&s, "employee ......................... EMP-123456").is_empty(),
        "too far"
    );
}

/// A regex match turned down by a check (here an ignore word) still ends the search there,
/// as a search of the whole text goes on after it: no match starts inside it, whether
/// the detector's runs are searched one by one or by their listed lengths.
#[test]
fn no_match_starts_inside_a_turned_down_one() {
    // Runs of up to 70 digits after the first (too long to list run lengths for), and
    // of exactly three.
    for regex in [
        r"\\b[0-9]{3}(?:-[0-9]{3,70}){0,2}\\b",
        r"\\b[0-9]{3}(?:-[0-9]{3}){0,2}\\b",
    ] {
        let set = |ignore: &str| {
            let json = format!(r#"{{"name":"code","regex":"{regex}","ignoreWords":[{ignore}]}}"#);
            let custom = s3pii::detector::custom_specs_from_json("c.json", &json).unwrap();
            DetectorSet::build(Vec::new(), custom).unwrap()
        };
        let hay = "x 111-222-333 y";
        let all: Vec<String> = found(&set(""), hay).into_iter().map(|m| m.1).collect();
        assert_eq!(all, ["111-222-333"], "{regex}");
        assert_eq!(
            found(&set(r#""111-222-333""#), hay),
            Vec::<(String, String)>::new(),
            "{regex}"
        );
    }
}

#[test]
fn chunked_scans_equal_whole_scans() {
    let s = set();
    let mut text = String::new();
    for i in 0..400 {
        text.push_str(&format!(
            "row {i}: ssn 123-45-{:04} card 4539 1488 0343 6467 mail u{i}@example.org DE89 3704 0044 0532 0130 00 AKIAIOSFODNN7EXAMPLE\n",
            1000 + i
        ));
    }
    let hay = text.as_bytes();
    let mut m = Matcher::new(&s);
    let whole = m.scan(hay);
    assert!(whole.len() > 1500);
    let overlap = s.overlap();
    for chunk in [97usize, 1000, 4096, 33_333] {
        let mut got = Vec::new();
        let mut start = 0;
        while start < hay.len() {
            let end = (start + chunk).min(hay.len());
            let lo = start.saturating_sub(overlap);
            let hi = (end + overlap).min(hay.len());
            let mut part = Vec::new();
            m.scan_into(
                &hay[lo..hi],
                ScanOptions {
                    own: Some(start - lo..end - lo),
                    ..Default::default()
                },
                &mut part,
            );
            got.extend(part.into_iter().map(|x| s3pii::Match {
                start: x.start + lo,
                end: x.end + lo,
                ..x
            }));
            start = end;
        }
        assert_eq!(got, whole, "chunk size {chunk}");
    }
}

#[test]
fn bad_detectors_fail_with_the_field_named() {
    let bad = |regex: &str| {
        let text = format!("[[detector]]\nid='X'\nname='x'\ncategory='CREDENTIALS'\nregex='{regex}'\nseverity=['LOW','LOW','LOW']\n");
        DetectorSet::build(parse_detector_file("bad.toml", &text).unwrap(), Vec::new())
            .unwrap_err()
            .to_string()
    };
    assert!(bad("a+").contains("maximum match length"));
    assert!(bad("(a)").contains("capturing group"));
    assert!(bad("a{0,3}").contains("empty"));
    assert!(bad("[").contains("does not compile"));
    assert!(bad("a{2000}").contains("limit"));
}

/// Numbers of at most four digits are checked by the branches of each regex that can hold
/// them: a date's day and year are short numbers apart (found from the day, whose branch
/// starts at a digit), `1/2/80` is one, and a month-first date joins day and year into a
/// longer number, checked as such.
#[test]
fn short_numbers_are_checked_by_each_branch_that_can_hold_them() {
    let set = DetectorSet::builtin().unwrap();
    // Filler between the values keeps each number's checks apart from its neighbours'.
    let filler = " while the river runs past the old mill and the quiet village sleeps ";
    let dates = |text: &str| -> Vec<String> {
        let hay = format!("{filler}{text}{filler}");
        found(&set, &hay)
            .into_iter()
            .filter(|(id, _)| id == "DATE_OF_BIRTH")
            .map(|(_, v)| v)
            .collect()
    };
    for (text, date) in [
        ("dob 5 May 80", "5 May 80"),
        ("dob: 1/2/80", "1/2/80"),
        ("bday 3rd Sept 1974", "3rd Sept 1974"),
        ("date of birth 12-jan-1990", "12-jan-1990"),
        ("dob May 5, 1980", "May 5, 1980"),
        ("birthday was on the 9 june 1961 I think", "9 june 1961"),
    ] {
        assert_eq!(dates(text), [date], "{text}");
        let bare = text
            .replace("dob", "the")
            .replace("bday", "the")
            .replace("birth", "x");
        assert!(dates(&bare).is_empty(), "{bare}");
    }
    for text in ["dob 12 may", "dob 7 mayo 80", "dob 1/2", "dob 32 May 80"] {
        assert!(dates(text).is_empty(), "{text}");
    }
}

/// The matcher's shortcuts (trigger windows cut to the detector's bytes, clusters split at
/// runs too long for a detector, keyword regions, long text in blocks) must not change
/// what is found. On text
/// made of every catalog example and negative in random order and with random separators,
/// it finds exactly the validated matches of each regex run over the whole text.
#[test]
fn shortcuts_find_what_whole_text_regexes_find() {
    use std::collections::BTreeSet;
    let set = DetectorSet::builtin().unwrap();
    let texts = catalog_texts(&set);
    let regexes: Vec<regex::bytes::Regex> = set
        .detectors()
        .iter()
        .map(|d| {
            regex::bytes::RegexBuilder::new(&d.regex_source)
                .unicode(false)
                .build()
                .unwrap()
        })
        .collect();
    // The long filler sets examples apart, so each number's keyword search and checks
    // run on their own rather than inside a neighbour's.
    let seps = [
        "\n",
        " ",
        ", ",
        " | ",
        "; ",
        "\t",
        " and ",
        ",",
        "-",
        "/",
        "\n\n",
        " while the river runs past the old mill and the quiet village sleeps under the hills ",
    ];
    let mut next = below(0x9E37_79B9_7F4A_7C15);
    let mut matcher = Matcher::new(&set);
    let mut compared = 0;
    // Rounds of about 24 KB, then rounds past 256 KiB: the matcher scans those in blocks,
    // whose seams then fall at other places in the text each round. In odd rounds every
    // separator is the long filler: numbers are then too far apart for the keyword search
    // to cover the whole text, and it searches each number's keyword region instead.
    for round in 0..12 {
        let mut hay = String::new();
        let len = if round >= 4 { 300_000 } else { 1 };
        while hay.len() < len {
            for _ in 0..texts.len() {
                hay.push_str(texts[next(texts.len())]);
                let sep = if round % 2 == 1 {
                    seps.len() - 1
                } else {
                    next(seps.len())
                };
                hay.push_str(seps[sep]);
            }
        }
        let hay = hay.as_bytes();
        let ours: BTreeSet<(usize, usize, String)> = matcher
            .scan(hay)
            .into_iter()
            .map(|m| (m.start, m.end, set.get(m.detector).unwrap().id.clone()))
            .collect();
        let mut naive = BTreeSet::new();
        for (i, d) in set.detectors().iter().enumerate() {
            let id = s3pii::DetectorId(i as u16);
            for m in regexes[i].find_iter(hay) {
                if s3pii::verify_match(&set, hay, id, m.start(), m.end()) {
                    naive.insert((m.start(), m.end(), d.id.clone()));
                }
            }
        }
        // A fallback detector yields to its stronger detector on the same span.
        let strong: Vec<(usize, usize, String)> = naive
            .iter()
            .filter_map(|(s, e, id)| {
                let d = set.get(set.find(id)?)?;
                let fallback = d.spec.as_ref()?.fallback_for.clone()?;
                naive
                    .contains(&(*s, *e, fallback))
                    .then(|| (*s, *e, id.clone()))
            })
            .collect();
        strong.iter().for_each(|m| {
            naive.remove(m);
        });
        let missed: Vec<_> = naive.difference(&ours).collect();
        let extra: Vec<_> = ours.difference(&naive).collect();
        let show = |v: &[&(usize, usize, String)]| {
            v.iter()
                .take(5)
                .map(|(s, e, id)| format!("{id} {:?}", String::from_utf8_lossy(&hay[*s..*e])))
                .collect::<Vec<_>>()
        };
        assert!(
            missed.is_empty() && extra.is_empty(),
            "missed {:?}, extra {:?}",
            show(&missed),
            show(&extra)
        );
        compared += naive.len();
    }
    assert!(compared > 1000, "only {compared} matches compared");
}

/// Values joined by `SEGMENT_GAP` newlines and scanned with their spans as segments (how
/// CSV cells and Parquet values are scanned) give each value exactly the matches it has
/// when scanned alone.
#[test]
fn segments_scan_each_value_as_if_alone() {
    let set = DetectorSet::builtin().unwrap();
    let texts = catalog_texts(&set);
    let mut next = below(0x2545_F491_4F6C_DD1D);
    let mut matcher = Matcher::new(&set);
    let mut compared = 0;
    for _ in 0..6 {
        // Values of one to three texts; some end or start with digits or a keyword so
        // that a neighbour could complete a match if values were not kept apart.
        let values: Vec<String> = (0..texts.len())
            .map(|_| {
                let parts = 1 + next(3);
                let mut v = (0..parts)
                    .map(|_| texts[next(texts.len())])
                    .collect::<Vec<_>>()
                    .join(" ");
                match next(4) {
                    0 => v.push_str(" 4111"),
                    1 => v.insert_str(0, "1111 1111 "),
                    2 => v.push_str(" ssn"),
                    _ => {}
                }
                v
            })
            .collect();
        let mut hay = Vec::new();
        let mut spans = Vec::new();
        for v in &values {
            if !hay.is_empty() {
                hay.extend(std::iter::repeat_n(b'\n', s3pii::SEGMENT_GAP));
            }
            spans.push(hay.len()..hay.len() + v.len());
            hay.extend_from_slice(v.as_bytes());
        }
        let mut joined = Vec::new();
        let opts = s3pii::ScanOptions {
            segments: Some(&spans),
            ..Default::default()
        };
        matcher.scan_into(&hay, opts, &mut joined);
        let mut alone = Vec::new();
        for (v, span) in values.iter().zip(&spans) {
            for m in matcher.scan(v.as_bytes()) {
                alone.push((m.start + span.start, m.end + span.start, m.detector));
            }
        }
        let joined: Vec<_> = joined
            .iter()
            .map(|m| (m.start, m.end, m.detector))
            .collect();
        let show = |v: &[(usize, usize, s3pii::DetectorId)]| {
            v.iter()
                .take(5)
                .map(|&(s, e, id)| {
                    let name = &set.get(id).unwrap().id;
                    format!("{name} {:?}", String::from_utf8_lossy(&hay[s..e]))
                })
                .collect::<Vec<_>>()
        };
        let missed: Vec<_> = alone
            .iter()
            .filter(|m| !joined.contains(m))
            .copied()
            .collect();
        let extra: Vec<_> = joined
            .iter()
            .filter(|m| !alone.contains(m))
            .copied()
            .collect();
        assert!(
            missed.is_empty() && extra.is_empty(),
            "missed {:?}, extra {:?}",
            show(&missed),
            show(&extra)
        );
        compared += alone.len();
    }
    assert!(compared > 1000, "only {compared} matches compared");
}

/// Every catalog example and negative text.
fn catalog_texts(set: &DetectorSet) -> Vec<&str> {
    set.detectors()
        .iter()
        .filter_map(|d| d.spec.as_ref())
        .flat_map(|s| {
            s.examples
                .iter()
                .map(|e| e.text.as_str())
                .chain(s.negatives.iter().map(|n| n.text.as_str()))
        })
        .collect()
}

/// A seeded xorshift: `next(n)` is a number below `n`.
fn below(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    }
}
