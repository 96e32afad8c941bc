//! The configurations every case runs under, and the covering design that picks them.
//!
//! Seven dimensions: code generator (2) × math implementation (3) × threads (3) × store
//! mode (3) × typing (2) × calls (3) × destination (3), 972 combinations in all: too many
//! per case. The matrix
//! runs [`covering`] instead, a deterministic greedy covering array in which
//! * every pair of values of two dimensions appears in some configuration (strength 2),
//! * and every (calls, destination) pair appears with `MathImpl::Vector`, the math users
//!   get by default (a triple-wise check of the remembered-call path, which every math
//!   takes, on the default one).
//!
//! Every configuration is checked against the reference interpreter (`Backend::Interp`):
//! the backend is not a dimension but the property.

use jitex::{Codegen, MathImpl, Stores, Typing};

/// How often, and with which data, one `Expr` is called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Calls {
    /// One call on a fresh `Expr`: the general path.
    Once,
    /// Two calls with the same signature and the same data: the second is a remembered
    /// call.
    TwiceSameData,
    /// Two calls with the same signature, the second on new data.
    TwiceNewData,
}

/// Where results go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dest {
    /// New arrays: `eval_with` / `eval_all_with`.
    New,
    /// Given views, laid out contiguous, strided or reversed: `eval_into` / `eval_all_into`.
    Out,
    /// `eval_into` / `eval_all_into` with an output that is an input of its dtype and shape
    /// (in place); cases without such an input use [`Dest::Out`].
    InPlace,
}

/// One configuration of the JIT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// The code generator (the wide one covers only some kernels, and only on AVX-512
    /// hosts; elsewhere both configurations run Cranelift).
    pub codegen: Codegen,
    /// How transcendental functions are computed.
    pub math: MathImpl,
    /// Threads per call.
    pub threads: usize,
    /// How results reach memory.
    pub stores: Stores,
    /// The typing rules (`Expr::with_typing`).
    pub typing: Typing,
    /// First call, or first and remembered second call.
    pub calls: Calls,
    /// Where results go.
    pub dest: Dest,
}

pub const CODEGENS: [Codegen; 2] = [Codegen::Wide, Codegen::Cranelift];
pub const MATHS: [MathImpl; 3] = [MathImpl::Vector, MathImpl::Libm, MathImpl::LibmBlocks];
pub const THREADS: [usize; 3] = [1, 2, 4];
pub const STORES: [Stores; 3] = [Stores::Cached, Stores::Streaming, Stores::Auto];
pub const TYPINGS: [Typing; 2] = [Typing::NumPy, Typing::Numexpr];
pub const CALLS: [Calls; 3] = [Calls::Once, Calls::TwiceSameData, Calls::TwiceNewData];
pub const DESTS: [Dest; 3] = [Dest::New, Dest::Out, Dest::InPlace];

/// The value index of each dimension of `c`.
fn indices(c: &Config) -> [usize; 7] {
    let at = |i: Option<usize>| i.expect("every value is listed");
    [
        at(CODEGENS.iter().position(|&g| g == c.codegen)),
        at(MATHS.iter().position(|&m| m == c.math)),
        at(THREADS.iter().position(|&t| t == c.threads)),
        at(STORES.iter().position(|&s| s == c.stores)),
        at(TYPINGS.iter().position(|&t| t == c.typing)),
        at(CALLS.iter().position(|&k| k == c.calls)),
        at(DESTS.iter().position(|&d| d == c.dest)),
    ]
}

/// Every combination of the seven dimensions.
pub fn product() -> Vec<Config> {
    let mut all = Vec::new();
    for codegen in CODEGENS {
        for math in MATHS {
            for threads in THREADS {
                for stores in STORES {
                    for typing in TYPINGS {
                        for calls in CALLS {
                            for dest in DESTS {
                                all.push(Config {
                                    codegen,
                                    math,
                                    threads,
                                    stores,
                                    typing,
                                    calls,
                                    dest,
                                });
                            }
                        }
                    }
                }
            }
        }
    }
    all
}

/// The interactions `c` covers: each pair of dimension values (as `(dim, value, dim,
/// value)`), plus its (calls, destination) pair when its math is the default.
pub fn interactions(c: &Config) -> Vec<(usize, usize, usize, usize)> {
    let ix = indices(c);
    let mut out = Vec::new();
    for i in 0..7 {
        for j in i + 1..7 {
            out.push((i, ix[i], j, ix[j]));
        }
    }
    if c.math == MathImpl::Vector {
        // Dimension 7 stands for "calls × destination under the default math".
        out.push((7, ix[5], 7, ix[6]));
    }
    out
}

/// The covering design: greedily, the configuration of the product covering the most
/// interactions not yet covered (the first such in product order), until all are.
pub fn covering() -> Vec<Config> {
    let all = product();
    let mut todo: std::collections::HashSet<_> = all.iter().flat_map(interactions).collect();
    let mut chosen = Vec::new();
    while !todo.is_empty() {
        let best = all
            .iter()
            .max_by_key(|c| {
                // `max_by_key` keeps the last maximum: rank earlier configurations higher.
                let gain = interactions(c).iter().filter(|i| todo.contains(i)).count();
                (gain, std::cmp::Reverse(indices(c)))
            })
            .expect("the product is not empty");
        for i in interactions(best) {
            todo.remove(&i);
        }
        chosen.push(*best);
    }
    chosen
}
