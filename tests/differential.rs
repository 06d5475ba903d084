//! Differential test: every validator that python-stdnum also implements must agree with
//! it on stdnum-validated seeds and on ≥ 100,000 generated candidates per validator —
//! random values of the right shape, every completion of their check characters (so about
//! one in ten is valid by construction), and mutations of valid ones (one character
//! changed, two swapped, one inserted or deleted). Zero disagreements allowed.
//!
//! Needs the oracle venv: `bash .ci/setup-oracle` (or `S3PII_ORACLE_PYTHON`).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use s3pii::Validator;

use crate::corpus;
use corpus::Rng;

const PER_VALIDATOR: usize = 100_000;
const DIGITS: &str = "0123456789";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALNUM: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

fn pick(rng: &mut Rng, set: &str) -> char {
    let b = set.as_bytes();
    char::from(b[rng.below(b.len() as u64) as usize])
}

fn run(rng: &mut Rng, set: &str, n: usize) -> String {
    (0..n).map(|_| pick(rng, set)).collect()
}

/// A plausible date as (yy, mm, dd) strings; sometimes out of range.
fn date(rng: &mut Rng) -> (u32, u32, u32) {
    let y = 1900 + rng.below(126) as u32;
    let m = if rng.below(20) == 0 {
        13
    } else {
        1 + rng.below(12) as u32
    };
    let d = if rng.below(20) == 0 {
        31
    } else {
        1 + rng.below(28) as u32
    };
    (y, m, d)
}

/// A random body of the validator's shape, and the alphabet of its final check characters
/// (`""` when the body is complete by itself).
fn body(v: Validator, rng: &mut Rng) -> (String, &'static str, usize) {
    match v {
        Validator::Luhn => {
            let n = 11 + rng.below(8) as usize;
            (run(rng, DIGITS, n), DIGITS, 1)
        }
        Validator::Iban => {
            let cc = [
                "DE", "GB", "FR", "NL", "ES", "IT", "BE", "CH", "PL", "SE", "MT", "QA", "KW", "LC",
                "SC", "BR", "NO",
            ][rng.below(17) as usize];
            let bban = match cc {
                "DE" => run(rng, DIGITS, 18),
                "GB" => format!("{}{}", run(rng, UPPER, 4), run(rng, DIGITS, 14)),
                "FR" => format!(
                    "{}{}{}",
                    run(rng, DIGITS, 10),
                    run(rng, ALNUM, 11),
                    run(rng, DIGITS, 2)
                ),
                "NL" => format!("{}{}", run(rng, UPPER, 4), run(rng, DIGITS, 10)),
                "ES" => run(rng, DIGITS, 20),
                "IT" => format!(
                    "{}{}{}",
                    run(rng, UPPER, 1),
                    run(rng, DIGITS, 10),
                    run(rng, ALNUM, 12)
                ),
                "BE" => run(rng, DIGITS, 12),
                "CH" => format!("{}{}", run(rng, DIGITS, 5), run(rng, ALNUM, 12)),
                "PL" => run(rng, DIGITS, 24),
                "SE" => run(rng, DIGITS, 20),
                "MT" => format!(
                    "{}{}{}",
                    run(rng, UPPER, 4),
                    run(rng, DIGITS, 5),
                    run(rng, ALNUM, 18)
                ),
                "QA" => format!("{}{}", run(rng, UPPER, 4), run(rng, ALNUM, 21)),
                "KW" => format!("{}{}", run(rng, UPPER, 4), run(rng, ALNUM, 22)),
                "LC" => format!("{}{}", run(rng, UPPER, 4), run(rng, ALNUM, 24)),
                "SC" => format!(
                    "{}{}{}",
                    run(rng, UPPER, 4),
                    run(rng, DIGITS, 20),
                    run(rng, UPPER, 3)
                ),
                "BR" => format!(
                    "{}{}{}",
                    run(rng, DIGITS, 23),
                    run(rng, UPPER, 1),
                    run(rng, ALNUM, 1)
                ),
                _ => run(rng, DIGITS, 11),
            };
            (format!("{cc}\u{1}{bban}"), DIGITS, 2)
        }
        Validator::UsSsn => (run(rng, DIGITS, 9), "", 0),
        Validator::UsItin => (
            format!("9{}{}", 60 + rng.below(40), run(rng, DIGITS, 5)),
            "",
            0,
        ),
        Validator::CaSin => (run(rng, DIGITS, 8), DIGITS, 1),
        Validator::FrNir => {
            let dept = match rng.below(6) {
                0 => "2A".to_string(),
                1 => "2B".to_string(),
                _ => run(rng, DIGITS, 2),
            };
            (
                format!("{}{}{}", run(rng, DIGITS, 5), dept, run(rng, DIGITS, 6)),
                DIGITS,
                2,
            )
        }
        Validator::FrSpi => (
            format!("{}{}", pick(rng, "01234"), run(rng, DIGITS, 9)),
            DIGITS,
            3,
        ),
        Validator::DeSteuerId => {
            // Ten digits with one repeated (the format rule), then the check digit.
            let mut d: Vec<u8> = (0..10).collect();
            for i in (1..10).rev() {
                d.swap(i, rng.below(i as u64 + 1) as usize);
            }
            let rep = d[0];
            d[1 + rng.below(9) as usize] = rep;
            (d.iter().map(|x| char::from(b'0' + x)).collect(), DIGITS, 1)
        }
        Validator::EsDni => (run(rng, DIGITS, 8), UPPER, 1),
        Validator::EsNie => (
            format!("{}{}", pick(rng, "XYZ"), run(rng, DIGITS, 7)),
            UPPER,
            1,
        ),
        Validator::EsNif => (
            format!(
                "{}{}",
                pick(rng, "0123456789XYZKLMABCDEFGHJNPQRSUVW"),
                run(rng, DIGITS, 7)
            ),
            ALNUM,
            1,
        ),
        Validator::ItCodiceFiscale => {
            let dl = |rng: &mut Rng| {
                if rng.below(8) == 0 {
                    pick(rng, "LMNPQRSTUV")
                } else {
                    pick(rng, DIGITS)
                }
            };
            let s = format!(
                "{}{}{}{}{}{}{}{}{}{}{}",
                run(rng, UPPER, 6),
                dl(rng),
                dl(rng),
                pick(rng, "ABCDEHLMPRST"),
                pick(rng, "0123457"),
                dl(rng),
                pick(rng, UPPER),
                dl(rng),
                dl(rng),
                dl(rng),
                ""
            );
            (s, UPPER, 1)
        }
        Validator::UkNhs => (run(rng, DIGITS, 9), DIGITS, 1),
        Validator::UkUtr => (run(rng, DIGITS, 10), "", 0),
        Validator::BrCpf => (run(rng, DIGITS, 9), DIGITS, 2),
        Validator::BrCnpj => {
            let head = if rng.below(4) == 0 {
                run(rng, ALNUM, 12)
            } else {
                run(rng, DIGITS, 12)
            };
            (head, DIGITS, 2)
        }
        Validator::InAadhaar => (run(rng, DIGITS, 11), DIGITS, 1),
        Validator::InPan => (
            format!(
                "{}{}{}{}",
                run(rng, UPPER, 3),
                pick(rng, "ABCFGHLJPTKZ"),
                pick(rng, UPPER),
                run(rng, DIGITS, 4)
            ),
            UPPER,
            1,
        ),
        Validator::AuTfn => {
            let n = 7 + rng.below(2) as usize;
            (run(rng, DIGITS, n), DIGITS, 1)
        }
        Validator::MxCurp => {
            let (y, m, d) = date(rng);
            let states = ["AS", "BC", "DF", "JC", "NL", "NE", "ZS", "XX"];
            let s = format!(
                "{}{:02}{:02}{:02}{}{}{}{}",
                run(rng, UPPER, 4),
                y % 100,
                m,
                d,
                pick(rng, "HMX"),
                states[rng.below(8) as usize],
                run(rng, UPPER, 3),
                if y < 2000 {
                    pick(rng, DIGITS)
                } else {
                    pick(rng, UPPER)
                }
            );
            (s, DIGITS, 1)
        }
        Validator::ClRut => {
            let n = 7 + rng.below(2) as usize;
            (run(rng, DIGITS, n), "0123456789K", 1)
        }
        Validator::NlBsn => (run(rng, DIGITS, 8), DIGITS, 1),
        Validator::PlPesel => {
            let (y, m, d) = date(rng);
            let mm = m + if y >= 2000 { 20 } else { 0 };
            (
                format!("{:02}{:02}{:02}{}", y % 100, mm, d, run(rng, DIGITS, 4)),
                DIGITS,
                1,
            )
        }
        Validator::SePersonnummer => {
            let (y, m, d) = date(rng);
            let yy = if rng.below(2) == 0 {
                format!("{y}")
            } else {
                format!("{:02}", y % 100)
            };
            (
                format!("{yy}{m:02}{d:02}{}", run(rng, DIGITS, 3)),
                DIGITS,
                1,
            )
        }
        Validator::BeNn => {
            let (y, m, d) = date(rng);
            (
                format!("{:02}{:02}{:02}{}", y % 100, m, d, run(rng, DIGITS, 3)),
                DIGITS,
                2,
            )
        }
        Validator::FiHetu => {
            let (y, m, d) = date(rng);
            let sign = if y >= 2000 {
                pick(rng, "ABCDEF")
            } else {
                pick(rng, "-YXWVU+")
            };
            (
                format!("{d:02}{m:02}{:02}{sign}{}", y % 100, run(rng, DIGITS, 3)),
                "0123456789ABCDEFHJKLMNPRSTUVWXY",
                1,
            )
        }
        Validator::DkCpr => {
            let (y, m, d) = date(rng);
            (
                format!("{d:02}{m:02}{:02}{}", y % 100, run(rng, DIGITS, 4)),
                "",
                0,
            )
        }
        Validator::NoFodselsnummer => {
            let (y, m, d) = date(rng);
            (
                format!("{d:02}{m:02}{:02}{}", y % 100, run(rng, DIGITS, 3)),
                DIGITS,
                2,
            )
        }
        Validator::PtNif => (
            format!("{}{}", pick(rng, "123456789"), run(rng, DIGITS, 7)),
            DIGITS,
            1,
        ),
        _ => (String::new(), "", 0),
    }
}

/// Every completion of `k` check characters from `alphabet` (k ≤ 3: capped at 100).
fn completions(body: &str, alphabet: &str, k: usize) -> Vec<String> {
    if k == 0 {
        return vec![body.to_string()];
    }
    let mut out = vec![String::new()];
    for _ in 0..k {
        out = out
            .iter()
            .flat_map(|p| alphabet.chars().map(move |c| format!("{p}{c}")))
            .collect();
    }
    out.truncate(100);
    match body.split_once('\u{1}') {
        // IBAN: the check digits sit after the country code.
        Some((cc, bban)) => out.into_iter().map(|c| format!("{cc}{c}{bban}")).collect(),
        None => out.into_iter().map(|c| format!("{body}{c}")).collect(),
    }
}

fn mutate(s: &str, rng: &mut Rng) -> String {
    let mut c: Vec<char> = s.chars().collect();
    if c.is_empty() {
        return s.to_string();
    }
    let i = rng.below(c.len() as u64) as usize;
    match rng.below(4) {
        0 => c[i] = pick(rng, if c[i].is_ascii_digit() { DIGITS } else { ALNUM }),
        1 if i + 1 < c.len() => c.swap(i, i + 1),
        2 => c.insert(i, pick(rng, DIGITS)),
        _ => {
            c.remove(i);
        }
    }
    c.into_iter().collect()
}

/// Values stdnum itself accepts (checked when this test was written).
fn seeds(v: Validator) -> &'static [&'static str] {
    match v {
        Validator::Luhn => &["4539148803436467", "4111111111111111", "5555555555554444"],
        Validator::Iban => &[
            "DE89370400440532013000",
            "GB82WEST12345698765432",
            "NL91ABNA0417164300",
        ],
        Validator::UsSsn => &["536221234"],
        Validator::UsItin => &["912711234"],
        Validator::CaSin => &["130692544", "193456787"],
        Validator::FrNir => &["295109912611193"],
        Validator::FrSpi => &["3023217600053"],
        Validator::DeSteuerId => &["36574261809"],
        Validator::EsDni => &["54362315K"],
        Validator::EsNie => &["X2482300W"],
        Validator::EsNif => &["B58378431", "M1234567L"],
        Validator::ItCodiceFiscale => &["RCCMNL83S18D969H"],
        Validator::UkNhs => &["9434765919"],
        Validator::UkUtr => &["1955839661"],
        Validator::BrCpf => &["39053344705"],
        Validator::BrCnpj => &["16727230000197"],
        Validator::InAadhaar => &["234123412346"],
        Validator::InPan => &["ACUPA7085R"],
        Validator::AuTfn => &["123456782"],
        Validator::MxCurp => &["BOXW310820HNERXN09"],
        Validator::ClRut => &["760864285", "125319092"],
        Validator::NlBsn => &["111222333"],
        Validator::PlPesel => &["44051401359"],
        Validator::SePersonnummer => &["8803200016"],
        Validator::BeNn => &["85073003328"],
        Validator::FiHetu => &["131052-308T"],
        Validator::DkCpr => &["2110625629"],
        Validator::NoFodselsnummer => &["15108695088"],
        Validator::PtNif => &["501964843"],
        _ => &[],
    }
}

fn candidates(v: Validator) -> Vec<String> {
    let mut rng = Rng::new(0xD1FF + v as u64);
    let mut out: Vec<String> = seeds(v).iter().map(|s| s.to_string()).collect();
    let mut valid: Vec<String> = out.clone();
    while out.len() < PER_VALIDATOR * 7 / 10 {
        let (b, alphabet, k) = body(v, &mut rng);
        for c in completions(&b, alphabet, k) {
            if v.is_valid(c.as_bytes()) && valid.len() < 5000 {
                valid.push(c.clone());
            }
            out.push(c);
        }
    }
    while out.len() < PER_VALIDATOR {
        let from = if valid.is_empty() {
            out[rng.below(out.len() as u64) as usize].clone()
        } else {
            valid[rng.below(valid.len() as u64) as usize].clone()
        };
        out.push(mutate(&from, &mut rng));
    }
    out
}

fn python() -> PathBuf {
    std::env::var_os("S3PII_ORACLE_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python"))
}

#[test]
fn validators_agree_with_python_stdnum() {
    let py = python();
    assert!(
        py.exists(),
        "{} missing: run `bash .ci/setup-oracle`",
        py.display()
    );
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/stdnum_oracle.py");
    let mut input = String::new();
    let mut rows: Vec<(Validator, String)> = Vec::new();
    for &v in Validator::ALL {
        let Some(module) = v.stdnum_module() else {
            continue;
        };
        for c in candidates(v) {
            input.push_str(module);
            input.push('\t');
            input.push_str(&c);
            input.push('\n');
            rows.push((v, c));
        }
    }
    let mut child = Command::new(py)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success(), "oracle failed");
    let answers: Vec<bool> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l == "1")
        .collect();
    assert_eq!(answers.len(), rows.len());
    let mut problems = Vec::new();
    for &v in Validator::ALL {
        if v.stdnum_module().is_none() {
            continue;
        }
        let (mut yes, mut no) = (0, 0);
        for ((rv, c), &oracle) in rows.iter().zip(&answers).filter(|((rv, _), _)| *rv == v) {
            let ours = rv.is_valid(c.as_bytes());
            // s3pii's one deliberate extra rule: `luhn` is for payment cards, 12–19 digits.
            let oracle = oracle && (v != Validator::Luhn || (12..=19).contains(&c.len()));
            if ours != oracle && problems.len() < 40 {
                problems.push(format!("{}: {c:?} s3pii={ours} stdnum={oracle}", v.name()));
            }
            if oracle {
                yes += 1;
            } else {
                no += 1;
            }
        }
        assert!(
            yes >= 1000 && no >= 1000,
            "{}: only {yes} valid / {no} invalid candidates",
            v.name()
        );
    }
    assert!(
        problems.is_empty(),
        "disagreements:\n{}",
        problems.join("\n")
    );
}
