//! Helpers shared by the criterion benchmarks.

/// Deterministic inputs in [0, 1) without a random-number dependency.
pub fn column(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}

/// The JIT backend on `threads` threads, everything else at its default.
// Not every benchmark that includes this module uses it.
#[allow(dead_code)]
pub fn jit_on(threads: usize) -> jitex::EvalOptions {
    jitex::EvalOptions {
        backend: jitex::Backend::Jit,
        threads: Some(threads),
        ..Default::default()
    }
}
