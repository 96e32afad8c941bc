//! Leaf sums ([`compile_leaf_sums`]) against the documented pairwise leaf order, summed
//! here over the interpreter's elements, for every input layout, both float dtypes,
//! leaves of every length up to 128 and special values (NaN, ±inf, ±0, subnormals).

use super::{layouts, offset, pool, reduced_programs, unreduced_programs, value, Streams};
use crate::codegen::{compile_leaf_sums, Access, Codegen, CodegenOptions, Layout};
use crate::ir::Program;
use crate::testkit::same_bits as same;
use crate::types::{DType, Scalar};

/// The leaf order of `runtime::reduce` over `xs` (`1 <= len <= 128`), in `dt`'s arithmetic.
fn leaf(xs: &[Scalar], dt: DType) -> Scalar {
    let add = |a: Scalar, b: Scalar| match (a, b) {
        (Scalar::F32(x), Scalar::F32(y)) => Scalar::F32(x + y),
        (Scalar::F64(x), Scalar::F64(y)) => Scalar::F64(x + y),
        _ => unreachable!("{dt} is a float dtype"),
    };
    let n = xs.len();
    if n < 8 {
        return xs[1..].iter().fold(xs[0], |s, &x| add(s, x));
    }
    let full = n - n % 8;
    let mut r: Vec<Scalar> = xs[..8].to_vec();
    for i in (8..full).step_by(8) {
        for j in 0..8 {
            r[j] = add(r[j], xs[i + j]);
        }
    }
    let s = add(
        add(add(r[0], r[1]), add(r[2], r[3])),
        add(add(r[4], r[5]), add(r[6], r[7])),
    );
    xs[full..].iter().fold(s, |s, &x| add(s, x))
}

/// Leaves `(lo, n)` over `0..total`: every length 1..=128 once, at odd offsets, so that
/// each starts at another lane and alignment.
fn leaves() -> (Vec<[usize; 2]>, usize) {
    let mut v = Vec::new();
    let mut lo = 3;
    for n in 1..=128 {
        v.push([lo, n]);
        lo += n + n % 3;
    }
    // Runs of equal, adjacent leaves, as a tree's are.
    for n in [8, 64, 100, 128] {
        for _ in 0..3 {
            v.push([lo, n]);
            lo += n;
        }
    }
    (v, lo)
}

/// Checks `program`'s leaf sums under every input layout, from both code generators,
/// against [`leaf`].
fn check(program: &Program) {
    let dt = program.insts[program.outputs[0] as usize].dtype;
    let in_dts: Vec<DType> = program.inputs.iter().map(|i| i.dtype).collect();
    let (leaves, total) = leaves();
    let generators = [Codegen::Wide, Codegen::Cranelift];
    for ((accs, step, _, _), codegen) in layouts(in_dts.len(), 1)
        .into_iter()
        .flat_map(|l| generators.map(|g| (l.clone(), g)))
    {
        let layout = Layout {
            inputs: accs.clone(),
            outputs: vec![Access::Contiguous],
        };
        let opts = CodegenOptions {
            codegen,
            ..CodegenOptions::default()
        };
        let sums = compile_leaf_sums(program, &layout, &opts)
            .unwrap_or_else(|e| panic!("compile failed: {e}\n{program}"))
            .unwrap_or_else(|| panic!("a qualifying program\n{program}"));
        let pools: Vec<Vec<Scalar>> = in_dts.iter().map(|&dt| pool(dt)).collect();
        let at = |k| offset(total, k);
        let ins = Streams::new(&in_dts, (&accs, step), total, at, |k, i| {
            value(&pools[k], k, i * 5 + 1)
        });
        let mut out = vec![0u8; leaves.len() * dt.size()];
        // SAFETY: every leaf lies within `0..total`, which each input covers at its stride
        // (or one element, broadcast or at stride 0); `out` has a sum per leaf.
        unsafe {
            (sums.func())(
                leaves.len(),
                leaves.as_ptr() as *const usize,
                ins.ptrs.as_ptr(),
                ins.strides.as_ptr(),
                out.as_mut_ptr(),
            )
        };
        let mut vals = Vec::new();
        for (j, &[lo, n]) in leaves.iter().enumerate() {
            let xs: Vec<Scalar> = (lo..lo + n)
                .map(|i| ins.output(program, i, &mut vals))
                .collect();
            let want = leaf(&xs, dt);
            let got = Scalar::read(dt, &out[j * dt.size()..]);
            assert!(
                same(got, want),
                "leaf ({lo}, {n}) layout={accs:?} step={step} {codegen:?}: got {got:?}, want {want:?}\n{program}"
            );
        }
    }
}

#[test]
fn every_reduced_program() {
    for p in reduced_programs() {
        check(&p);
    }
}

#[test]
fn only_float_sums_of_one_vector_dtype_qualify() {
    for (p, layout) in unreduced_programs() {
        let sums = compile_leaf_sums(&p, &layout, &CodegenOptions::default());
        assert!(sums.unwrap().is_none(), "{p}");
    }
}
