//! Which programs the wide generator takes, and where their values and pointers go.

use crate::codegen::{Access, Layout};
use crate::ir::{BinaryOp, Op, Program, UnaryOp};
use crate::types::{DType, Scalar};

/// The most pointers the loop keeps in registers: the ABI's argument registers that are
/// free once the pointer arrays have been read (see `emit`).
pub(super) const MAX_POINTERS: usize = 6;

/// The instruction set a wide kernel is emitted for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Isa {
    /// AVX-512F, AVX-512BW and BMI2: 64-byte zmm vectors, `bool` values in mask registers
    /// (`emit`).
    Avx512,
    /// AVX2 and FMA without AVX-512: 32-byte ymm vectors, `bool` values as lanes of
    /// all-ones or zero bits in ymm registers (`avx2`), or as bytes of 0 or 1 in a program
    /// of `bool` values only.
    Avx2,
}

impl Isa {
    /// The host's, if it has either.
    pub fn host() -> Option<Isa> {
        use std::arch::is_x86_feature_detected as has;
        if has!("avx512f") && has!("avx512bw") && has!("bmi2") {
            Some(Isa::Avx512)
        } else if has!("avx2") && has!("fma") {
            Some(Isa::Avx2)
        } else {
            None
        }
    }

    /// Vector registers.
    pub fn vectors(self) -> usize {
        match self {
            Isa::Avx512 => 32,
            Isa::Avx2 => 16,
        }
    }
}

/// The element type a covered program's loop walks: its one float dtype (`bool` values
/// being masks of its lanes), or `bool` for a program of `bool` values only (64 lanes of
/// bytes a vector).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Elem {
    F64,
    F32,
    Bool,
    /// `complex128`: four a vector, each as its real and imaginary `float64` lanes.
    C128,
}

impl Elem {
    /// The dtype.
    pub fn dtype(self) -> DType {
        match self {
            Elem::F64 => DType::F64,
            Elem::F32 => DType::F32,
            Elem::Bool => DType::Bool,
            Elem::C128 => DType::C128,
        }
    }

    /// Bytes an element.
    pub fn size(self) -> usize {
        match self {
            Elem::F64 => 8,
            Elem::F32 => 4,
            Elem::Bool => 1,
            Elem::C128 => 16,
        }
    }

    /// Elements per 64-byte vector.
    pub fn lanes(self) -> usize {
        64 / self.size()
    }

    /// Whether the vectors' lanes are `float64`s (`complex128`'s parts included).
    pub fn f64_lanes(self) -> bool {
        matches!(self, Elem::F64 | Elem::C128)
    }
}

/// A value computed once, before the loop, into a register of its own.
#[derive(Clone, Copy, Debug)]
pub(super) enum Hoist {
    /// A constant's bits (in the low 32 for `float32`).
    Const(u64),
    /// A `complex128` constant's real and imaginary bits, in every pair of lanes.
    Pair(u64, u64),
    /// A broadcast input's one element.
    Broadcast(usize),
    /// The sign bit of every lane (for `neg` and `abs`).
    SignBit,
    /// The integer 1 in every lane (a `bool` output's `true`, narrowed to bytes).
    One,
    /// A register of no value: scratch for narrowing a `bool` output.
    Scratch,
}

/// How the wide generator lays out a program it covers.
pub(super) struct Plan {
    /// The instruction set.
    pub isa: Isa,
    /// The element type of the loop.
    pub elem: Elem,
    /// A register of all-ones bits: for [`Elem::Bool`] what input bytes are tested
    /// against (`vptestmb`), for [`Isa::Avx2`] what `~` flips a lane mask with.
    pub all_ones: Option<usize>,
    /// For [`Isa::Avx2`]'s [`Elem::Bool`] programs, the register of `0x01` bytes: input
    /// bytes are clamped to it (`vpminub`, so that any nonzero byte is `true`) and `~`
    /// flips it.
    pub byte_ones: Option<usize>,
    /// For [`Isa::Avx2`]'s float programs, the register of the tail's lane mask
    /// (`vmaskmovpd`).
    pub tail: Option<usize>,
    /// The hoisted values in register order: hoist `r` lives in vector register `r` (zmm or
    /// ymm).
    pub hoists: Vec<Hoist>,
    /// Per instruction, its hoisted register (constants and broadcast inputs).
    pub hoisted: Vec<Option<usize>>,
    /// Per program input, its pointer slot when it streams (`None`: broadcast or unread).
    pub input_slot: Vec<Option<usize>>,
    /// Per program output, its pointer slot.
    pub output_slot: Vec<usize>,
    /// The sign-bit register, when the program negates or takes an absolute value.
    pub sign: Option<usize>,
    /// Per program output, whether it is `bool` (stored as bytes, its pointer advanced by
    /// the loop instead of indexed by rax).
    pub bool_output: Vec<bool>,
    /// For [`Isa::Avx512`], the registers of [`Hoist::One`] and [`Hoist::Scratch`] a
    /// `bool` output is narrowed through.
    pub one: Option<(usize, usize)>,
    /// Two [`Hoist::Scratch`] registers for `complex128` products.
    pub product: Option<(usize, usize)>,
    /// Per instruction, the one-vector math function it calls (its address; see
    /// `emit::call`), for [`Isa::Avx512`]'s `float64` loops.
    pub calls: Vec<Option<usize>>,
}

impl Plan {
    /// Whether the loop calls math functions (then it runs one vector an iteration, in a
    /// stack frame that saves what each call clobbers).
    pub fn has_calls(&self) -> bool {
        self.calls.iter().any(Option::is_some)
    }

    /// The bits a hoisted value of `h`'s kind puts in every lane (as qwords, or as dwords
    /// for `float32`), or `None` for one read or put together otherwise.
    pub fn lane_bits(&self, h: Hoist) -> Option<u64> {
        let f64s = self.elem.f64_lanes();
        Some(match h {
            Hoist::Const(bits) => bits,
            Hoist::SignBit if f64s => 1 << 63,
            Hoist::SignBit => 1 << 31,
            Hoist::One if self.elem == Elem::Bool => 0x0101_0101_0101_0101,
            Hoist::One => 1,
            Hoist::Scratch | Hoist::Pair(..) | Hoist::Broadcast(_) => return None,
        })
    }
}

/// The comparison predicate of `op` for `vcmppd`: ordered and false with a NaN operand,
/// except `!=`, which NaN makes true (NumPy's semantics).
pub(super) fn predicate(op: BinaryOp) -> Option<i32> {
    Some(match op {
        BinaryOp::Eq => 0x00, // EQ_OQ
        BinaryOp::Ne => 0x04, // NEQ_UQ
        BinaryOp::Lt => 0x11, // LT_OQ
        BinaryOp::Le => 0x12, // LE_OQ
        BinaryOp::Gt => 0x1e, // GT_OQ
        BinaryOp::Ge => 0x1d, // GE_OQ
        _ => return None,
    })
}

/// The plan for `program` over `layout` in `isa`, or `None` where the generator does not
/// cover it. With `calls`, a `float64` program on [`Isa::Avx512`] may call the vector math
/// functions that have a one-vector entry (`math::vector::one_vector_f64`), provided it
/// also computes something else: a lone call runs faster as its block kernel.
pub(super) fn plan(program: &Program, layout: &Layout, isa: Isa, calls: bool) -> Option<Plan> {
    let float = match program.insts.iter().find(|i| i.dtype != DType::Bool) {
        None => Elem::Bool,
        Some(i) if i.dtype == DType::F64 => Elem::F64,
        Some(i) if i.dtype == DType::F32 => Elem::F32,
        Some(i) if i.dtype == DType::C128 => Elem::C128,
        _ => return None,
    };
    let complex = float == Elem::C128;
    // Float arithmetic, comparisons, `where` and constants need a float loop.
    let floats = float != Elem::Bool;
    let dt = float.dtype();
    let float_at = |v: u32| program.insts.get(v as usize).map(|i| i.dtype) == Some(dt);
    let bool_at = |v: u32| program.insts.get(v as usize).map(|i| i.dtype) == Some(DType::Bool);
    let mut hoists = Vec::new();
    let mut hoisted = vec![None; program.insts.len()];
    let mut input_slot = vec![None; program.inputs.len()];
    let mut pointers = 0;
    let mut sign = None;
    let mut product = None;
    let mut called = vec![None; program.insts.len()];
    let callable = calls && isa == Isa::Avx512 && float == Elem::F64;
    for (i, inst) in program.insts.iter().enumerate() {
        called[i] = match inst.op {
            Op::Unary(op, x) if callable && float_at(x) && inst.dtype == dt => {
                crate::math::vector::one_vector_f64(op)
            }
            _ => None,
        };
        let covered = match &inst.op {
            _ if called[i].is_some() => true,
            Op::Input(j) => {
                let j = *j;
                if program.inputs.get(j)?.dtype != dt || inst.dtype != dt {
                    return None;
                }
                match layout.inputs.get(j)? {
                    Access::Contiguous => {
                        if input_slot[j].is_none() {
                            input_slot[j] = Some(pointers);
                            pointers += 1;
                        }
                    }
                    Access::Broadcast if floats => {
                        hoisted[i] = Some(hoists.len());
                        hoists.push(Hoist::Broadcast(j));
                    }
                    Access::Broadcast | Access::Strided => return None,
                }
                true
            }
            Op::Const(c) if floats && inst.dtype == dt => {
                let hoist = match (c, float) {
                    (Scalar::F64(x), Elem::F64) => Hoist::Const(x.to_bits()),
                    (Scalar::F32(x), Elem::F32) => Hoist::Const(u64::from(x.to_bits())),
                    (Scalar::C128(z), Elem::C128) => Hoist::Pair(z.re.to_bits(), z.im.to_bits()),
                    _ => return None,
                };
                hoisted[i] = Some(hoists.len());
                hoists.push(hoist);
                true
            }
            // Logic on masks.
            Op::Binary(BinaryOp::And | BinaryOp::Or | BinaryOp::Xor, x, y)
                if inst.dtype == DType::Bool =>
            {
                bool_at(*x) && bool_at(*y)
            }
            Op::Unary(UnaryOp::Not, x) if inst.dtype == DType::Bool => bool_at(*x),
            Op::Binary(op, x, y) => {
                let arith = matches!(
                    op,
                    BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div
                );
                let operands = floats && float_at(*x) && float_at(*y);
                if complex {
                    // `complex128`: `+ - *` (a product needs two scratch registers).
                    let ok = operands
                        && inst.dtype == dt
                        && matches!(op, BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul);
                    if ok && *op == BinaryOp::Mul && product.is_none() {
                        hoists.push(Hoist::Scratch);
                        hoists.push(Hoist::Scratch);
                        product = Some((hoists.len() - 2, hoists.len() - 1));
                    }
                    ok
                } else {
                    operands
                        && ((arith && inst.dtype == dt)
                            || (predicate(*op).is_some() && inst.dtype == DType::Bool))
                }
            }
            Op::Unary(op, x) => {
                // `abs` and `sqrt` of a complex number are not lane by lane.
                let taken = match op {
                    UnaryOp::Neg => true,
                    UnaryOp::Abs | UnaryOp::Sqrt => !complex,
                    _ => false,
                };
                if taken && *op != UnaryOp::Sqrt && sign.is_none() {
                    sign = Some(hoists.len());
                    hoists.push(Hoist::SignBit);
                }
                taken && floats && float_at(*x) && inst.dtype == dt
            }
            Op::Select(..) if complex => false,
            Op::Select(c, t, e) => {
                let cond = program.insts.get(*c as usize).map(|i| i.dtype) == Some(DType::Bool);
                floats && cond && float_at(*t) && float_at(*e) && inst.dtype == dt
            }
            _ => false,
        };
        if !covered {
            return None;
        }
    }
    // `bool` values live in mask registers: read by `where` and mask logic, or stored as
    // an output.
    if !program.outputs.iter().all(|&o| float_at(o) || bool_at(o)) {
        return None;
    }
    // A `complex128` constant is put together in an xmm register, which only EVEX encodes
    // beyond the sixteenth: such programs are left to Cranelift.
    let high_pair = hoists
        .iter()
        .enumerate()
        .any(|(r, h)| r >= 16 && matches!(h, Hoist::Pair(..)));
    if high_pair {
        return None;
    }
    // Something besides calls, inputs and constants.
    let computes =
        program.insts.iter().enumerate().any(|(i, inst)| {
            called[i].is_none() && !matches!(inst.op, Op::Input(_) | Op::Const(_))
        });
    if called.iter().any(Option::is_some) && !computes {
        return None;
    }
    let bool_output: Vec<bool> = program.outputs.iter().map(|&o| bool_at(o)).collect();
    let one = (isa == Isa::Avx512 && bool_output.contains(&true)).then(|| {
        hoists.push(Hoist::One);
        hoists.push(Hoist::Scratch);
        (hoists.len() - 2, hoists.len() - 1)
    });
    if layout.outputs.len() != program.outputs.len()
        || layout.outputs.iter().any(|&a| a != Access::Contiguous)
    {
        return None;
    }
    let output_slot: Vec<usize> = (pointers..pointers + program.outputs.len()).collect();
    if pointers + output_slot.len() > MAX_POINTERS {
        return None;
    }
    let not = program
        .insts
        .iter()
        .any(|i| matches!(i.op, Op::Unary(UnaryOp::Not, _)));
    let avx2 = isa == Isa::Avx2;
    let all_ones = if avx2 { floats && not } else { !floats }.then(|| {
        hoists.push(Hoist::Const(u64::MAX));
        hoists.len() - 1
    });
    let byte_ones = (avx2 && !floats).then(|| {
        hoists.push(Hoist::One);
        hoists.len() - 1
    });
    let tail = (avx2 && floats).then(|| {
        hoists.push(Hoist::Scratch);
        hoists.len() - 1
    });
    Some(Plan {
        isa,
        elem: float,
        all_ones,
        byte_ones,
        tail,
        hoists,
        hoisted,
        input_slot,
        output_slot,
        sign,
        bool_output,
        one,
        product,
        calls: called,
    })
}
