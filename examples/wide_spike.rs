//! The wide code generator against Cranelift on the same optimised programs (issue 16's
//! spike, now through `codegen::compile`): each program compiled by both generators for
//! contiguous operands, results checked bit for bit, then timed through the same
//! [`KernelFn`] ABI on one thread.
//!
//! ```text
//! cargo run --release --example wide_spike -- 10000
//! ```
//!
//! Each line gives both loops in ns per element (best of 200 batches of 50 calls), their
//! ratio, and both compile times. Inputs start 8 bytes past a cache line (`ALIGN=1`: on
//! one) so that each 64-byte load splits, the worst case. The wide kernels are AVX-512 ones,
//! or AVX2 ones on a host with AVX2 only; on a host without AVX2 both kernels are
//! Cranelift's, and the example says so.

mod spike {
    use jitex::codegen::{self, Access, Codegen, CodegenOptions, KernelFn, Layout};
    use jitex::ir::{BinaryOp, InputDecl, Inst, Op, Program};
    use jitex::{DType, Scalar};
    use std::time::Instant;

    /// A float64 program of `insts` over `inputs`, returning its last value.
    fn program(inputs: &[&str], insts: Vec<(Op, DType)>) -> Program {
        let n = insts.len() as u32;
        Program {
            inputs: inputs
                .iter()
                .map(|s| InputDecl {
                    name: s.to_string(),
                    dtype: DType::F64,
                })
                .collect(),
            insts: insts
                .into_iter()
                .map(|(op, dtype)| Inst { op, dtype })
                .collect(),
            outputs: vec![n - 1],
        }
    }

    /// Runs `f` over `n` elements of `ins` into `out`.
    fn call(f: KernelFn, n: usize, ins: &[*const u8], out: *mut u8) {
        let strides = [8isize; 8];
        // SAFETY: every input holds at least `n` float64s and `out` room for `n`; the
        // kernel was compiled for contiguous inputs and output.
        unsafe {
            f(
                n,
                ins.as_ptr(),
                strides.as_ptr(),
                [out].as_ptr(),
                strides.as_ptr(),
            )
        };
    }

    /// Best ns per element of `f` over `n` elements.
    fn time(f: KernelFn, n: usize, ins: &[*const u8], out: *mut u8) -> f64 {
        let mut best = f64::MAX;
        for _ in 0..200 {
            let t = Instant::now();
            for _ in 0..50 {
                call(f, n, ins, out);
            }
            best = best.min(t.elapsed().as_secs_f64() / 50.0);
        }
        best / n as f64 * 1e9
    }

    pub fn main() {
        #[cfg(target_arch = "x86_64")]
        let wide_runs = is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma");
        #[cfg(not(target_arch = "x86_64"))]
        let wide_runs = false;
        if !(wide_runs && cfg!(target_os = "linux")) {
            println!("no AVX2 and FMA here: both columns are Cranelift's kernels");
        }
        use BinaryOp::*;
        let f = DType::F64;
        let c = |x: f64| (Op::Const(Scalar::F64(x)), f);
        // jitex's optimised IR for each (`jitex explain`).
        let poly = program(
            &["a"],
            vec![
                (Op::Input(0), f),
                (Op::Binary(Mul, 0, 0), f),
                (Op::Binary(Mul, 0, 1), f),
                c(0.25),
                (Op::Binary(Mul, 3, 2), f),
                c(2.0),
                c(0.75),
                (Op::Binary(Mul, 6, 1), f),
                (Op::Binary(Add, 4, 7), f),
                c(1.5),
                (Op::Binary(Mul, 9, 0), f),
                (Op::Binary(Sub, 8, 10), f),
                (Op::Binary(Sub, 11, 5), f),
            ],
        );
        let select = program(
            &["a", "b", "c"],
            vec![
                (Op::Input(0), f),
                (Op::Input(1), f),
                (Op::Binary(Gt, 0, 1), DType::Bool),
                (Op::Select(2, 0, 1), f),
                (Op::Input(2), f),
                (Op::Binary(Mul, 3, 4), f),
            ],
        );
        let n = std::env::args()
            .nth(1)
            .map(|s| s.parse::<f64>().expect("N") as usize)
            .unwrap_or(10_000);
        let aligned = std::env::var_os("ALIGN").is_some();
        // The index of the first element at the wanted offset from a cache line.
        let start = |p: *const f64| {
            let to_line = (64 - p as usize % 64) % 64 / 8;
            if aligned {
                to_line
            } else {
                (to_line + 1) % 8
            }
        };
        let data = |seed: usize| -> Vec<f64> {
            (0..n + 24)
                .map(|i| ((i * 7919 + seed * 104_729) % 10_007) as f64 / 5000.0 - 1.0)
                .collect()
        };
        let (xa, xb, xc) = (data(1), data(2), data(3));
        let inputs = [
            &xa[start(xa.as_ptr())..],
            &xb[start(xb.as_ptr())..],
            &xc[start(xc.as_ptr())..],
        ];
        let rows = [
            ("0.25*a**3 + 0.75*a**2 - 1.5*a - 2", &poly),
            ("where(a > b, a, b) * c", &select),
        ];
        for (name, p) in rows {
            let layout = Layout {
                inputs: vec![Access::Contiguous; p.inputs.len()],
                outputs: vec![Access::Contiguous],
            };
            let with = |codegen| CodegenOptions {
                codegen,
                ..CodegenOptions::default()
            };
            // Best compile time of `reps` compilations.
            let compile_us = |codegen, reps| {
                let mut best = f64::MAX;
                for _ in 0..reps {
                    let t = Instant::now();
                    let k = codegen::compile(p, &layout, &with(codegen)).expect("compiles");
                    best = best.min(t.elapsed().as_secs_f64() * 1e6);
                    drop(k);
                }
                best
            };
            let cranelift_us = compile_us(Codegen::Cranelift, 5);
            let wide_us = compile_us(Codegen::Wide, 50);
            let k = codegen::compile(p, &layout, &with(Codegen::Cranelift)).expect("compiles");
            let w = codegen::compile(p, &layout, &with(Codegen::Wide)).expect("compiles");
            let ins: Vec<*const u8> = inputs[..p.inputs.len()]
                .iter()
                .map(|v| v.as_ptr().cast())
                .collect();
            let mut buf1 = vec![0.0f64; n + 16];
            let mut buf2 = vec![0.0f64; n + 16];
            let (s1, s2) = (start(buf1.as_ptr()), start(buf2.as_ptr()));
            let (o1, o2) = (&mut buf1[s1..s1 + n], &mut buf2[s2..s2 + n]);
            for m in [n, n.saturating_sub(3), 17, 5, 0] {
                o1.fill(0.0);
                o2.fill(7.0);
                call(k.func(), m, &ins, o1.as_mut_ptr().cast());
                call(w.func(), m, &ins, o2.as_mut_ptr().cast());
                let same = o1[..m]
                    .iter()
                    .zip(&o2[..m])
                    .all(|(x, y)| x.to_bits() == y.to_bits());
                assert!(same, "{name}, {m} elements: results differ");
                assert!(
                    o2[m..].iter().all(|&x| x == 7.0),
                    "{name}: wrote past the end"
                );
            }
            let t_cranelift = time(k.func(), n, &ins, o1.as_mut_ptr().cast());
            let t_wide = time(w.func(), n, &ins, o2.as_mut_ptr().cast());
            println!(
                "{name:36} N={n}: Cranelift {t_cranelift:.3}, wide {t_wide:.3} ns/el \
                 ({:.2}x); compile Cranelift {cranelift_us:.0} us, wide {wide_us:.1} us",
                t_cranelift / t_wide
            );
        }
    }
}

fn main() {
    spike::main();
}
