//! The wide code generator's spike (issue 16): straight-line float64 programs of jitex's
//! typed IR emitted as AVX-512 loops with iced-x86's code assembler, timed against the
//! Cranelift kernel of the same program through the same [`KernelFn`] ABI, one thread.
//!
//! ```text
//! cargo run --release --example wide_spike -- 10000
//! ```
//!
//! Each line gives both loops in ns per element (best of 200 batches of 50 calls), their
//! ratio, and both compile times (the wide one includes mapping its code executable). Every
//! result is first checked bit for bit against the Cranelift kernel, with tails of every
//! length and nothing written past the end. Inputs start 8 bytes past a cache line
//! (`ALIGN=1`: on one) so that each 64-byte load splits, the worst case.
//!
//! What the spike covers, on purpose only this: contiguous float64 inputs and one output;
//! constants (broadcast into registers before the loop); `+ - * /`, `>` and `<` (into mask
//! registers) and `where`. Registers are allocated by a linear scan over the program, one
//! copy of each value per unrolled vector, with no spills (up to 32 zmm and 6 masks).

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
mod spike {
    use iced_x86::code_asm::*;
    use jitex::codegen::{self, Access, CodegenOptions, KernelFn, Layout};
    use jitex::ir::{BinaryOp, InputDecl, Inst, Op, Program};
    use jitex::{DType, Scalar};
    use std::time::Instant;

    const ZMM: [AsmRegisterZmm; 32] = [
        zmm0, zmm1, zmm2, zmm3, zmm4, zmm5, zmm6, zmm7, zmm8, zmm9, zmm10, zmm11, zmm12, zmm13,
        zmm14, zmm15, zmm16, zmm17, zmm18, zmm19, zmm20, zmm21, zmm22, zmm23, zmm24, zmm25, zmm26,
        zmm27, zmm28, zmm29, zmm30, zmm31,
    ];
    /// Mask registers for comparisons; k1 holds the tail's live lanes.
    const MASKS: [AsmRegisterK; 6] = [k2, k3, k4, k5, k6, k7];
    /// Input pointers (SysV: the ABI's arguments arrive in rdi, rsi, rdx, rcx, r8; once
    /// read, rdx and r8 are free). rax is the byte offset, rdi the count left, rcx the
    /// output pointer, rsi a scratch register after the pointers are loaded.
    const PTR: [AsmRegister64; 5] = [r9, r10, r11, r8, rdx];

    /// Where a value lives.
    #[derive(Clone, Copy)]
    enum Loc {
        Z(usize),
        K(usize),
    }

    impl Loc {
        fn z(self) -> AsmRegisterZmm {
            match self {
                Loc::Z(r) => ZMM[r],
                Loc::K(_) => panic!("a mask where a vector was expected"),
            }
        }

        fn k(self) -> usize {
            match self {
                Loc::K(r) => r,
                Loc::Z(_) => panic!("a vector where a mask was expected"),
            }
        }
    }

    /// `z` merge-masked by `MASKS[m]`.
    fn masked(z: AsmRegisterZmm, m: usize) -> AsmRegisterZmm {
        match m {
            0 => z.k2(),
            1 => z.k3(),
            2 => z.k4(),
            3 => z.k5(),
            4 => z.k6(),
            _ => z.k7(),
        }
    }

    /// Executable code holding one kernel; unmapped on drop.
    struct Wide {
        mem: *mut u8,
        len: usize,
        func: KernelFn,
    }

    impl Drop for Wide {
        fn drop(&mut self) {
            // SAFETY: `mem` is the mapping of `len` bytes made in `compile_wide`, and the
            // only pointer into it (`func`) goes with `self`.
            unsafe { libc::munmap(self.mem.cast(), self.len) };
        }
    }

    /// The operands of `op`.
    fn operands(op: &Op) -> Vec<u32> {
        match op {
            Op::Binary(_, x, y) => vec![*x, *y],
            Op::Select(c, x, y) => vec![*c, *x, *y],
            Op::Unary(_, x) | Op::Cast(x) => vec![*x],
            _ => Vec::new(),
        }
    }

    /// Each value's last reader (outputs live to the end).
    fn last_uses(p: &Program) -> Vec<usize> {
        let mut last = vec![0; p.insts.len()];
        for (i, inst) in p.insts.iter().enumerate() {
            for v in operands(&inst.op) {
                last[v as usize] = i;
            }
        }
        for &o in &p.outputs {
            last[o as usize] = usize::MAX;
        }
        last
    }

    /// `lanes` interleaved copies of the loop body, vector `l` at byte offset rax + 64·l;
    /// `masked` loads and stores only k1's lanes. Constants are in `consts`' registers,
    /// the rest allocated from `first_free` up.
    fn body(
        a: &mut CodeAssembler,
        p: &Program,
        consts: &[Option<usize>],
        first_free: usize,
        lanes: usize,
        masked_tail: bool,
    ) -> Result<(), IcedError> {
        let last = last_uses(p);
        let mut free_z: Vec<usize> = (first_free..32).rev().collect();
        let mut free_k: Vec<usize> = (0..MASKS.len()).rev().collect();
        let mut loc: Vec<Vec<Loc>> = vec![Vec::new(); p.insts.len()];
        for (i, inst) in p.insts.iter().enumerate() {
            if let Some(c) = consts[i] {
                loc[i] = vec![Loc::Z(c); lanes];
                continue;
            }
            let ops = operands(&inst.op);
            for l in 0..lanes {
                let src: Vec<Loc> = ops.iter().map(|&v| loc[v as usize][l]).collect();
                // Operands read for the last time free their registers first: a
                // three-operand instruction reads its sources before it writes.
                for &v in &ops {
                    if last[v as usize] == i && consts[v as usize].is_none() {
                        match loc[v as usize][l] {
                            Loc::Z(r) if !free_z.contains(&r) => free_z.push(r),
                            Loc::K(r) if !free_k.contains(&r) => free_k.push(r),
                            _ => {}
                        }
                    }
                }
                let dst = if inst.dtype == DType::Bool {
                    Loc::K(free_k.pop().expect("more live masks than mask registers"))
                } else {
                    Loc::Z(free_z.pop().expect("more live vectors than registers"))
                };
                match &inst.op {
                    Op::Input(j) => {
                        let m = zmmword_ptr(PTR[*j] + rax + (l * 64) as i32);
                        if masked_tail {
                            a.vmovupd(dst.z().k1().z(), m)?
                        } else {
                            a.vmovupd(dst.z(), m)?
                        }
                    }
                    Op::Binary(op, _, _) => {
                        let (x, y) = (src[0].z(), src[1].z());
                        let mask = || MASKS[dst.k()];
                        match op {
                            BinaryOp::Add => a.vaddpd(dst.z(), x, y)?,
                            BinaryOp::Sub => a.vsubpd(dst.z(), x, y)?,
                            BinaryOp::Mul => a.vmulpd(dst.z(), x, y)?,
                            BinaryOp::Div => a.vdivpd(dst.z(), x, y)?,
                            // GT_OQ and LT_OQ: false with a NaN, as NumPy's.
                            BinaryOp::Gt => a.vcmppd(mask(), x, y, 0x1e)?,
                            BinaryOp::Lt => a.vcmppd(mask(), x, y, 0x11)?,
                            other => panic!("the spike has no {other:?}"),
                        }
                    }
                    // where(c, t, e): e, with t's lanes where c is set.
                    Op::Select(..) => {
                        a.vblendmpd(masked(dst.z(), src[0].k()), src[2].z(), src[1].z())?
                    }
                    other => panic!("the spike has no {other:?}"),
                }
                loc[i].push(dst);
            }
        }
        for (l, r) in loc[p.outputs[0] as usize].iter().enumerate() {
            let m = zmmword_ptr(rcx + rax + (l * 64) as i32);
            let r = r.z();
            if masked_tail {
                a.vmovupd(m.k1(), r)?
            } else {
                a.vmovupd(m, r)?
            }
        }
        Ok(())
    }

    /// `p` as an AVX-512 loop of `unroll` vectors an iteration, then one vector an
    /// iteration, then a masked tail.
    fn compile_wide(p: &Program, unroll: usize) -> Result<Wide, IcedError> {
        let mut a = CodeAssembler::new(64)?;
        for (j, &ptr) in PTR.iter().enumerate().take(p.inputs.len()) {
            a.mov(ptr, qword_ptr(rsi + (j * 8) as i32))?;
        }
        a.mov(rcx, qword_ptr(rcx))?;
        let mut consts = vec![None; p.insts.len()];
        let mut next = 0;
        for (i, inst) in p.insts.iter().enumerate() {
            if let Op::Const(Scalar::F64(c)) = inst.op {
                a.mov(rsi, c.to_bits())?;
                a.vpbroadcastq(ZMM[next], rsi)?;
                consts[i] = Some(next);
                next += 1;
            }
        }
        a.xor(eax, eax)?;
        let mut wide_loop = a.create_label();
        let mut one_check = a.create_label();
        let mut one_loop = a.create_label();
        let mut tail = a.create_label();
        let mut done = a.create_label();
        let step = (8 * unroll) as i32;
        a.cmp(rdi, step)?;
        a.jb(one_check)?;
        a.set_label(&mut wide_loop)?;
        body(&mut a, p, &consts, next, unroll, false)?;
        a.add(rax, step * 8)?;
        a.sub(rdi, step)?;
        a.cmp(rdi, step)?;
        a.jae(wide_loop)?;
        a.set_label(&mut one_check)?;
        a.cmp(rdi, 8)?;
        a.jb(tail)?;
        a.set_label(&mut one_loop)?;
        body(&mut a, p, &consts, next, 1, false)?;
        a.add(rax, 64)?;
        a.sub(rdi, 8)?;
        a.cmp(rdi, 8)?;
        a.jae(one_loop)?;
        a.set_label(&mut tail)?;
        a.test(rdi, rdi)?;
        a.jz(done)?;
        a.mov(esi, -1i32)?;
        a.bzhi(esi, esi, edi)?;
        a.kmovw(k1, esi)?;
        body(&mut a, p, &consts, next, 1, true)?;
        a.set_label(&mut done)?;
        a.vzeroupper()?;
        a.ret()?;
        // Only relative branches: the code runs wherever it is copied.
        let code = a.assemble(0)?;
        let len = code.len().div_ceil(4096) * 4096;
        // SAFETY: a fresh private anonymous mapping of `len` bytes, checked below, written
        // only here and then made read-and-execute.
        unsafe {
            let mem = libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            );
            assert!(mem != libc::MAP_FAILED, "mmap failed");
            let mem = mem.cast::<u8>();
            std::ptr::copy_nonoverlapping(code.as_ptr(), mem, code.len());
            assert_eq!(
                libc::mprotect(mem.cast(), len, libc::PROT_READ | libc::PROT_EXEC),
                0
            );
            Ok(Wide {
                mem,
                len,
                func: std::mem::transmute::<*mut u8, KernelFn>(mem),
            })
        }
    }

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
        if !(is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("bmi2")) {
            println!("the spike needs AVX-512F and BMI2");
            return;
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
            let opts = CodegenOptions::default();
            let mut cranelift_us = f64::MAX;
            for _ in 0..5 {
                let t = Instant::now();
                let k = codegen::compile(p, &layout, &opts).expect("cranelift");
                cranelift_us = cranelift_us.min(t.elapsed().as_secs_f64() * 1e6);
                drop(k);
            }
            let mut wide_us = f64::MAX;
            for _ in 0..200 {
                let t = Instant::now();
                let w = compile_wide(p, 4).expect("wide");
                wide_us = wide_us.min(t.elapsed().as_secs_f64() * 1e6);
                drop(w);
            }
            let k = codegen::compile(p, &layout, &opts).expect("cranelift");
            let ins: Vec<*const u8> = inputs[..p.inputs.len()]
                .iter()
                .map(|v| v.as_ptr().cast())
                .collect();
            let mut buf1 = vec![0.0f64; n + 16];
            let mut buf2 = vec![0.0f64; n + 16];
            let (s1, s2) = (start(buf1.as_ptr()), start(buf2.as_ptr()));
            let (o1, o2) = (&mut buf1[s1..s1 + n], &mut buf2[s2..s2 + n]);
            for unroll in [1, 2, 4] {
                let w = compile_wide(p, unroll).expect("wide");
                for m in [n, n.saturating_sub(3), 17, 5, 0] {
                    o1.fill(0.0);
                    o2.fill(7.0);
                    call(k.func(), m, &ins, o1.as_mut_ptr().cast());
                    call(w.func, m, &ins, o2.as_mut_ptr().cast());
                    let same = o1[..m]
                        .iter()
                        .zip(&o2[..m])
                        .all(|(x, y)| x.to_bits() == y.to_bits());
                    assert!(
                        same,
                        "{name}, unroll {unroll}, {m} elements: results differ"
                    );
                    assert!(
                        o2[m..].iter().all(|&x| x == 7.0),
                        "{name}: wrote past the end"
                    );
                }
                let t_cranelift = time(k.func(), n, &ins, o1.as_mut_ptr().cast());
                let t_wide = time(w.func, n, &ins, o2.as_mut_ptr().cast());
                println!(
                    "{name:36} N={n} unroll {unroll}: Cranelift {t_cranelift:.3}, wide \
                     {t_wide:.3} ns/el ({:.2}x); compile Cranelift {cranelift_us:.0} us, \
                     wide {wide_us:.1} us",
                    t_cranelift / t_wide
                );
            }
        }
    }
}

fn main() {
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    spike::main();
    #[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
    println!("the spike is for x86-64 Linux");
}
