// One call of kernel(xs: &[u64]): 256 fixed numbers below 2^30.
fn perforch_inputs() -> Vec<Vec<u64>> {
    let mut rng = perforch::Rng::new(1); // fixed seed: the same numbers on every run
    vec![rng.vec(256, |r| r.int(0, (1 << 30) - 1) as u64)]
}
