// Each case is one call of missing_ids(expected: &[u32], scanned: &[u32]).
fn perforch_inputs() -> Vec<(Vec<u32>, Vec<u32>)> {
    let mut rng = perforch::Rng::new(42); // fixed seed: the same inputs on every run
    let expected: Vec<u32> = (0..4_000).collect();
    let mut scanned = rng.vec(3_000, |r| r.int(0, 4_999) as u32);
    rng.shuffle(&mut scanned);
    vec![
        (vec![], vec![]),
        (vec![1, 2, 3, 2], vec![2]),
        (vec![7, 8], vec![]),
        (expected, scanned),
    ]
}
