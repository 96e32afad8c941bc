//! Division by constants (`codegen::divconst`) against the interpreter: every dividend of
//! the 8- and 16-bit dtypes, and edge and random dividends of the 32- and 64-bit ones, by
//! divisors that take every path (0, ±1, powers of two, small odd and even, the extremes),
//! in the scalar loop (`x op c`) and lane by lane in the vector loop (`(x op c) ^ x`).

use super::B;
use crate::codegen::{compile, Access, CodegenOptions, Layout};
use crate::ir::{BinaryOp, Program};
use crate::testkit::Rng;
use crate::types::{DType, Scalar};

const OPS: [BinaryOp; 3] = [BinaryOp::FloorDiv, BinaryOp::Mod, BinaryOp::Fmod];

/// The divisors checked for `dt`: the given small ones, powers of two and their
/// negations, and the dtype's extremes and their neighbours (cast, so wrapped for
/// unsigned dtypes).
fn divisors(dt: DType) -> Vec<Scalar> {
    let bits = dt.bits();
    let mut v: Vec<i64> = vec![0, 1, -1, 2, -2, 3, -3, 5, 6, 7, -7, 9, 10, -10, 11, 12, 25];
    v.extend([100, 125, 641, 1000, -1000, 1 << 20, 12345, 1_000_000_007]);
    for k in 2..bits.min(63) {
        v.extend([1i64 << k, -(1i64 << k), (1i64 << k) - 1, (1i64 << k) + 1]);
    }
    v.extend([
        i64::MAX,
        i64::MIN,
        i64::MIN + 1,
        i64::MAX - 1,
        0x5555_5555_5555_5555,
    ]);
    let (min, max) = match dt {
        DType::I8 => (i8::MIN as i64, i8::MAX as i64),
        DType::I16 => (i16::MIN as i64, i16::MAX as i64),
        DType::I32 => (i32::MIN as i64, i32::MAX as i64),
        DType::U8 => (0, u8::MAX as i64),
        DType::U16 => (0, u16::MAX as i64),
        DType::U32 => (0, u32::MAX as i64),
        _ => (i64::MIN, i64::MAX),
    };
    v.extend([
        min,
        min + 1,
        max,
        max - 1,
        max / 2,
        max / 2 + 1,
        max / 3,
        max / 7,
    ]);
    let mut out: Vec<Scalar> = v.into_iter().map(|c| Scalar::I64(c).cast(dt)).collect();
    out.sort_by_key(|s| s.to_bits());
    out.dedup_by_key(|s| s.to_bits());
    out
}

/// Runs `program` (one input, one output of dtype `dt`) contiguously over `xs`.
fn run(program: &Program, dt: DType, xs: &[Scalar]) -> Vec<Scalar> {
    let layout = Layout {
        inputs: vec![Access::Contiguous],
        outputs: vec![Access::Contiguous],
    };
    let kernel = compile(program, &layout, &CodegenOptions::default())
        .unwrap_or_else(|e| panic!("compile failed: {e}\n{program}"));
    let size = dt.size();
    let mut input = vec![0u8; xs.len() * size];
    for (i, x) in xs.iter().enumerate() {
        x.write(&mut input[i * size..]);
    }
    let mut output = vec![0u8; xs.len() * size];
    let ptrs = [input.as_ptr()];
    let strides = [size as isize];
    let outs = [output.as_mut_ptr()];
    // SAFETY: the input and output hold xs.len() contiguous elements of `dt`, as the
    // layout says; the strides are ignored for contiguous operands.
    unsafe {
        (kernel.func())(
            xs.len(),
            ptrs.as_ptr(),
            strides.as_ptr(),
            outs.as_ptr(),
            strides.as_ptr(),
        );
    }
    (0..xs.len())
        .map(|i| Scalar::read(dt, &output[i * size..]))
        .collect()
}

/// Checks `x op c` against the interpreter, and `(x op c) ^ x` (the vector loop) against
/// the same values xored with `x`, for every op and divisor of `dt` on `xs`.
fn check_dividends(dt: DType, xs: &[Scalar]) {
    let program = |c: Scalar, op: BinaryOp, lanes: bool| {
        let mut b = B::default();
        let x = b.input(dt);
        let k = b.konst(c);
        let r = b.bin(op, x, k);
        let r = if lanes { b.bin(BinaryOp::Xor, r, x) } else { r };
        b.ret(r)
    };
    let mask = u128::MAX >> (128 - dt.bits());
    for c in divisors(dt) {
        for op in OPS {
            let plain = program(c, op, false);
            let want: Vec<u128> = xs
                .iter()
                .map(|&x| {
                    let mut out = Vec::new();
                    crate::interp::eval_element_multi(&plain, &[x], &[], &mut out);
                    out[0].to_bits()
                })
                .collect();
            for lanes in [false, true] {
                let got = run(&program(c, op, lanes), dt, xs);
                for ((x, g), &w) in xs.iter().zip(got).zip(&want) {
                    let w = if lanes { (w ^ x.to_bits()) & mask } else { w };
                    assert_eq!(
                        g.to_bits(),
                        w,
                        "{dt} {x:?} {op:?} {c:?} (vector: {lanes}): got {g:?}"
                    );
                }
            }
        }
    }
}

/// Every dividend of the 8- and 16-bit dtypes.
#[test]
fn every_narrow_dividend() {
    for dt in [DType::I8, DType::U8, DType::I16, DType::U16] {
        let xs: Vec<Scalar> = (0..1u128 << dt.bits())
            .map(|v| Scalar::from_bits(dt, v))
            .collect();
        check_dividends(dt, &xs);
    }
}

/// 32- and 64-bit dividends: the extremes, values near multiples of small divisors and
/// of powers of two, and random values of every magnitude.
#[test]
fn wide_dividends_at_edges_and_random() {
    let mut rng = Rng::new(11);
    for dt in [DType::I32, DType::U32, DType::I64, DType::U64] {
        let mut raw: Vec<i64> = vec![0, 1, -1, 2, -2, i64::MIN, i64::MAX, i64::MIN + 1];
        for k in 1..64 {
            let p = 1i64 << k;
            let n = p.wrapping_neg();
            raw.extend([
                p,
                p.wrapping_sub(1),
                p.wrapping_add(1),
                n,
                n + 1,
                n.wrapping_sub(1),
            ]);
        }
        for m in [3i64, 7, 10, 641, 1_000_000_007] {
            for q in [1i64, 2, 1000, 1 << 40] {
                let v = m.wrapping_mul(q);
                raw.extend([v, v - 1, v + 1, -v, 1 - v, -v - 1]);
            }
        }
        raw.extend((0..3000).map(|_| (rng.next_u64() >> (rng.next_u64() % 64)) as i64));
        raw.extend((0..3000).map(|_| rng.next_u64() as i64));
        let xs: Vec<Scalar> = raw.into_iter().map(|v| Scalar::I64(v).cast(dt)).collect();
        check_dividends(dt, &xs);
    }
}
