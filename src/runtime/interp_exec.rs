//! The reference backend's driver: the same broadcasting and chunking as the kernels, but
//! every element goes through the interpreter as [`Scalar`]s.

use super::exec::{for_each_piece, Iteration, Operands, CHUNK};
use crate::ir::Program;
use crate::types::{DType, Scalar};

/// Computes every element of every output of `it` bound to `ops`: `f(input elements, input bytes,
/// results, string bytes)` fills `results` with one value per numeric output and `string
/// bytes` with the elements of the string outputs, each of its dtype's size, in output
/// order. The outputs are written as `out_dtypes`. Each element's inputs are all read (a
/// string output's bytes copied) before its outputs are written, so an output may be an
/// input's very same elements.
///
/// # Safety
/// Every address the bound iteration reaches must be valid: inputs readable as their
/// `in_dtypes`, output `k` writable as `out_dtypes[k]`.
pub(crate) unsafe fn run_elementwise_multi<F>(
    it: &Iteration,
    ops: Operands,
    in_dtypes: &[DType],
    out_dtypes: &[DType],
    threads: usize,
    f: F,
) where
    F: Fn(&[Scalar], &[&[u8]], &mut Vec<Scalar>, &mut Vec<u8>) + Sync,
{
    for_each_piece(
        it,
        ops,
        threads,
        CHUNK,
        |ptrs, strides, outs, out_strides, len| {
            let mut args: Vec<Scalar> = Vec::with_capacity(ptrs.len());
            let mut raw: Vec<&[u8]> = Vec::with_capacity(ptrs.len());
            let mut results: Vec<Scalar> = Vec::with_capacity(outs.len());
            let mut str_bytes: Vec<u8> = Vec::new();
            for i in 0..len as isize {
                args.clear();
                raw.clear();
                for ((&p, &s), &d) in ptrs.iter().zip(strides).zip(in_dtypes) {
                    // SAFETY: the caller guarantees element `i` of every operand is readable.
                    let bytes =
                        unsafe { std::slice::from_raw_parts(p.wrapping_offset(i * s), d.size()) };
                    args.push(Scalar::read(d, bytes));
                    raw.push(bytes);
                }
                str_bytes.clear();
                f(&args, &raw, &mut results, &mut str_bytes);
                let mut next_str = 0;
                for (k, (&o, &d)) in outs.iter().zip(out_dtypes).enumerate() {
                    // SAFETY: the caller guarantees element `i` of every output is writable.
                    let dst = unsafe {
                        std::slice::from_raw_parts_mut(
                            o.wrapping_offset(i * out_strides[k]),
                            d.size(),
                        )
                    };
                    if d.is_string() {
                        // Missing bytes (a malformed program) write NULs.
                        let src = str_bytes.get(next_str..).unwrap_or(&[]);
                        let n = src.len().min(dst.len());
                        dst[..n].copy_from_slice(&src[..n]);
                        dst[n..].fill(0);
                        next_str += d.size();
                        continue;
                    }
                    // A missing result writes zero; the cast guards the write's size against a
                    // mistyped one.
                    let r = results
                        .get(k)
                        .map_or(Scalar::from_bits(d, 0), |r| r.cast(d));
                    r.write(dst);
                }
            }
        },
    );
}

/// Runs the reference interpreter over `it` bound to `ops`, writing every output of
/// `program`.
///
/// # Safety
/// As [`run_elementwise_multi`], with the program's input and output dtypes.
pub(crate) unsafe fn run_interp(it: &Iteration, ops: Operands, program: &Program, threads: usize) {
    let in_dtypes: Vec<DType> = program.inputs.iter().map(|i| i.dtype).collect();
    let out_dtypes: Vec<DType> = program
        .outputs
        .iter()
        .map(|&o| {
            program
                .insts
                .get(o as usize)
                .map_or(DType::F64, |i| i.dtype)
        })
        .collect();
    // SAFETY: forwarded from the caller.
    unsafe {
        run_elementwise_multi(
            it,
            ops,
            &in_dtypes,
            &out_dtypes,
            threads,
            |args, raw, out, str_bytes| {
                crate::interp::eval_element_multi(program, args, raw, out);
                for &o in &program.outputs {
                    crate::interp::write_str_output(program, o, raw, str_bytes);
                }
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::broadcast::{broadcast_strides, collapse};
    use super::*;

    #[test]
    fn mixed_dtypes_with_broadcast_and_threads() {
        // out[i, j] = (a[i] as f64) * b[j] with a: i32 column (n, 1), b: f32 row.
        let (rows, cols) = (400, 300);
        let a: Vec<i32> = (0..rows as i32).map(|i| i - 200).collect();
        let b: Vec<f32> = (0..cols).map(|j| j as f32 * 0.25).collect();
        let shape = [rows, cols];
        let sa = broadcast_strides(&[rows, 1], &[4, 4], &shape);
        let sb = broadcast_strides(&[cols], &[4], &shape);
        for threads in [1, 2, 4] {
            let mut out = vec![0f64; rows * cols];
            let c = collapse(
                &shape,
                &[sa.clone(), sb.clone(), vec![cols as isize * 8, 8]],
            );
            let it = Iteration::new(c, 1);
            let ops = Operands {
                ins: &[a.as_ptr() as *const u8, b.as_ptr() as *const u8],
                outs: &[out.as_mut_ptr() as *mut u8],
            };
            // SAFETY: the iteration addresses only elements of `a`, `b` and `out`.
            unsafe {
                run_elementwise_multi(
                    &it,
                    ops,
                    &[DType::I32, DType::F32],
                    &[DType::F64],
                    threads,
                    |args, _, out, _| {
                        out.clear();
                        out.push(match (args[0], args[1]) {
                            (Scalar::I32(x), Scalar::F32(y)) => Scalar::F64(x as f64 * y as f64),
                            other => panic!("unexpected operands {other:?}"),
                        });
                    },
                )
            };
            for i in 0..rows {
                for j in 0..cols {
                    assert_eq!(out[i * cols + j], a[i] as f64 * b[j] as f64);
                }
            }
        }
    }

    #[test]
    fn several_outputs_of_their_own_dtypes() {
        // out0 = a as f32 (strided), out1 = a > 0 (bool), from one pass over `a`.
        let n = 3 * 16 * 1024 + 5;
        let a: Vec<f64> = (0..n).map(|i| i as f64 - 100.0).collect();
        for threads in [1, 2, 4] {
            let mut o0 = vec![0f32; 2 * n];
            let mut o1 = vec![7u8; n];
            let c = collapse(&[n], &[vec![8], vec![8], vec![1]]);
            let it = Iteration::new(c, 2);
            let ops = Operands {
                ins: &[a.as_ptr() as *const u8],
                outs: &[o0.as_mut_ptr() as *mut u8, o1.as_mut_ptr()],
            };
            // SAFETY: n f64 in; n f32 every other slot of `o0`, n bools in `o1`.
            unsafe {
                run_elementwise_multi(
                    &it,
                    ops,
                    &[DType::F64],
                    &[DType::F32, DType::Bool],
                    threads,
                    |args, _raw, out, _| {
                        out.clear();
                        out.push(args[0].cast(DType::F32));
                        out.push(Scalar::Bool(matches!(args[0], Scalar::F64(x) if x > 0.0)));
                    },
                )
            };
            for i in 0..n {
                assert_eq!(o0[2 * i], a[i] as f32, "threads {threads} i {i}");
                assert_eq!(o0[2 * i + 1], 0.0);
                assert_eq!(o1[i], (a[i] > 0.0) as u8);
            }
        }
    }

    #[test]
    fn writes_bools_as_bytes() {
        let a = [1.0f64, -2.0, 3.0];
        let mut out = [7u8; 3];
        let c = collapse(&[3], &[vec![8], vec![1]]);
        let it = Iteration::new(c, 1);
        let ops = Operands {
            ins: &[a.as_ptr() as *const u8],
            outs: &[out.as_mut_ptr()],
        };
        // SAFETY: three f64 in, three bools out.
        unsafe {
            run_elementwise_multi(
                &it,
                ops,
                &[DType::F64],
                &[DType::Bool],
                1,
                |args, _, out, _| {
                    out.clear();
                    out.push(match args[0] {
                        Scalar::F64(x) => Scalar::Bool(x > 0.0),
                        _ => unreachable!(),
                    });
                },
            )
        };
        assert_eq!(out, [1, 0, 1]);
    }
}
