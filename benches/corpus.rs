//! Deterministic corpora for the engine bench and the scaling test: clean prose, clean
//! application logs, and PII-dense CSV-like text. Same seed, same bytes, on every machine.

#![allow(dead_code)]

/// xorshift64*: small, fast, deterministic.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545F4914F6CDD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    pub fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

const WORDS: &[&str] = &[
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "it",
    "as",
    "was",
    "with",
    "be",
    "by",
    "on",
    "not",
    "he",
    "this",
    "are",
    "or",
    "his",
    "from",
    "at",
    "which",
    "but",
    "have",
    "an",
    "had",
    "they",
    "you",
    "were",
    "their",
    "one",
    "all",
    "we",
    "can",
    "her",
    "has",
    "there",
    "been",
    "if",
    "more",
    "when",
    "will",
    "would",
    "who",
    "so",
    "no",
    "she",
    "other",
    "its",
    "may",
    "these",
    "what",
    "them",
    "than",
    "some",
    "him",
    "time",
    "into",
    "only",
    "do",
    "could",
    "new",
    "about",
    "two",
    "first",
    "then",
    "also",
    "after",
    "any",
    "like",
    "should",
    "people",
    "such",
    "very",
    "most",
    "where",
    "made",
    "many",
    "over",
    "through",
    "before",
    "between",
    "those",
    "each",
    "our",
    "however",
    "world",
    "under",
    "country",
    "government",
    "water",
    "house",
    "river",
    "morning",
    "evening",
    "letter",
    "garden",
    "window",
    "station",
    "village",
    "market",
    "history",
    "question",
    "answer",
    "position",
    "contact",
    "social",
    "card",
    "number",
    "account",
    "phone",
    "family",
    "report",
    "meeting",
    "travel",
    "journey",
    "passage",
    "mountain",
    "winter",
    "summer",
    "ancient",
    "quiet",
    "remarkable",
    "certainly",
    "although",
    "towards",
    "against",
    "without",
    "nothing",
    "everything",
    "something",
    "perhaps",
    "always",
    "never",
    "often",
    "company",
    "service",
    "system",
    "public",
    "private",
    "national",
    "general",
    "medical",
    "credit",
    "insurance",
    "security",
    "license",
    "birth",
    "date",
    "name",
    "address",
];

/// Clean English-like prose: sentences and paragraphs, an occasional small number.
pub fn prose(len: usize) -> Vec<u8> {
    let mut r = Rng::new(0x5EED_0001);
    let mut out = String::with_capacity(len + 256);
    let mut sentence = 0;
    while out.len() < len {
        let words = 8 + r.below(18) as usize;
        for w in 0..words {
            let word = if r.below(70) == 0 {
                match r.below(3) {
                    0 => (1800 + r.below(225)).to_string(),
                    1 => r.below(100).to_string(),
                    _ => format!("{}.{}", r.below(10), r.below(10)),
                }
            } else {
                r.pick(WORDS).to_string()
            };
            if w == 0 {
                let mut c = word.chars();
                if let Some(f) = c.next() {
                    out.extend(f.to_uppercase());
                    out.push_str(c.as_str());
                }
            } else {
                out.push_str(&word);
            }
            out.push(if w + 1 == words {
                '.'
            } else if r.below(12) == 0 {
                ','
            } else {
                ' '
            });
            if w + 1 != words && out.ends_with(',') {
                out.push(' ');
            }
        }
        sentence += 1;
        out.push(if sentence % 6 == 0 { '\n' } else { ' ' });
    }
    out.truncate(len);
    out.into_bytes()
}

fn hex(r: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b"0123456789abcdef"[r.below(16) as usize]))
        .collect()
}

/// Clean application logs: timestamps, levels, paths, UUIDs, IPs, hex ids, latencies.
pub fn logs(len: usize) -> Vec<u8> {
    let mut r = Rng::new(0x5EED_0002);
    let mut out = String::with_capacity(len + 512);
    let levels = ["INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"];
    let paths = [
        "/api/v1/orders",
        "/api/v1/users",
        "/healthz",
        "/api/v2/search",
        "/static/app.js",
        "/api/v1/invoices",
    ];
    let methods = ["GET", "GET", "POST", "PUT", "DELETE"];
    let msgs = [
        "request completed",
        "cache miss",
        "retrying upstream call",
        "connection reset by peer",
        "slow query",
        "token refreshed",
    ];
    while out.len() < len {
        out.push_str(&format!(
            "2024-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z {:<5} [worker-{}] {} {}/{} status={} latency_ms={} request_id={}-{}-{}-{}-{} client_ip=10.{}.{}.{} trace={} msg=\"{}\"\n",
            1 + r.below(12), 1 + r.below(28), r.below(24), r.below(60), r.below(60), r.below(1000),
            r.pick(&levels), r.below(16), r.pick(&methods), r.pick(&paths), r.below(100_000),
            [200, 200, 200, 201, 304, 404, 500][r.below(7) as usize], r.below(2000),
            hex(&mut r, 8), hex(&mut r, 4), hex(&mut r, 4), hex(&mut r, 4), hex(&mut r, 12),
            r.below(256), r.below(256), r.below(256), hex(&mut r, 16), r.pick(&msgs),
        ));
    }
    out.truncate(len);
    out.into_bytes()
}

fn luhn_complete(body: &str) -> String {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

fn german_iban(r: &mut Rng) -> String {
    let bban = r.digits(18);
    // mod-97 over BBAN + "DE00" with letters as numbers (D=13, E=14).
    let rearranged = format!("{bban}131400");
    let rem = rearranged
        .bytes()
        .fold(0u32, |acc, b| (acc * 10 + u32::from(b - b'0')) % 97);
    format!("DE{:02}{bban}", 98 - rem)
}

const FIRST: &[&str] = &[
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "Anna", "Luis",
];
const LAST: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Muller",
    "Rossi",
];

/// PII-dense CSV-like text: every row has an e-mail, a phone number, a valid German IBAN,
/// a Luhn-valid card number, an SSN-shaped number and a short note.
pub fn dense(len: usize) -> Vec<u8> {
    let mut r = Rng::new(0x5EED_0003);
    let mut out = String::from("id,name,email,phone,iban,card,ssn,note\n");
    let mut id = 0;
    while out.len() < len {
        id += 1;
        let (f, l) = (r.pick(FIRST), r.pick(LAST));
        let note: Vec<&str> = (0..8 + r.below(16)).map(|_| r.pick(WORDS)).collect();
        out.push_str(&format!(
            "{id},{f} {l},{}.{}{}@example.com,+1 ({}) {}-{},{},{},ssn {}-{}-{},{}\n",
            f.to_lowercase(),
            l.to_lowercase(),
            r.below(100),
            200 + r.below(800),
            200 + r.below(800),
            r.digits(4),
            german_iban(&mut r),
            luhn_complete(&format!("4{}", r.digits(14))),
            100 + r.below(560),
            10 + r.below(89),
            1000 + r.below(9000),
            note.join(" "),
        ));
    }
    out.truncate(len);
    out.into_bytes()
}
