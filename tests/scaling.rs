//! 1 vs N threads, whole vs chunked at arbitrary offsets: identical matches.

use s3pii::{scan_parallel, DetectorSet, Matcher};

use crate::corpus;

fn mixed() -> Vec<u8> {
    let mut hay = corpus::dense(1 << 20);
    hay.extend(corpus::prose(1 << 19));
    hay.extend(corpus::logs(1 << 19));
    hay.extend(corpus::dense(1 << 19));
    hay
}

#[test]
fn threads_and_chunk_seams_do_not_change_matches() {
    let set = DetectorSet::builtin().unwrap();
    let hay = mixed();
    let whole = Matcher::new(&set).scan(&hay);
    assert!(
        whole.len() > 20_000,
        "the corpus is full of matches: {}",
        whole.len()
    );
    let mut rng = corpus::Rng::new(7);
    for threads in [1, 2, 4] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        // Odd chunk lengths put seams at arbitrary byte offsets, inside matches too.
        for chunk in [4093, 65_536 + rng.below(9973) as usize, 1 << 20] {
            let got = scan_parallel(&set, &pool, &hay, chunk);
            assert_eq!(got.len(), whole.len(), "threads {threads}, chunk {chunk}");
            assert!(
                got == whole,
                "threads {threads}, chunk {chunk}: matches differ"
            );
        }
    }
}
