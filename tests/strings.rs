//! String conformance: NumPy 2's answers (`tests/data/strings/cases.txt`, made by
//! `generate.py` there) for the six comparisons and `contains` on S and U arrays of several
//! widths, checked end to end through the JIT and the interpreter backend, on contiguous,
//! strided, reversed and broadcast inputs, and with the right side as a literal.

use jitex::{Arg, ArrayView, Backend, DType, EvalOptions, Expr};
use std::collections::BTreeMap;

/// One table row.
struct Row {
    a: Vec<u32>,
    b: Vec<u32>,
    want: bool,
}

/// Rows grouped by (kind, op, width of a, width of b).
type Groups = BTreeMap<(char, String, u32, u32), Vec<Row>>;

fn decode(kind: char, s: &str) -> Vec<u32> {
    if s == "-" {
        return Vec::new();
    }
    if kind == 'S' {
        (0..s.len() / 2)
            .map(|i| u32::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
            .collect()
    } else {
        s.split('.')
            .map(|c| u32::from_str_radix(c, 16).unwrap())
            .collect()
    }
}

fn groups() -> Groups {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/strings/cases.txt");
    let text = std::fs::read_to_string(path).unwrap();
    let mut g = Groups::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split(' ').collect();
        let kind = f[0].chars().next().unwrap();
        g.entry((
            kind,
            f[1].to_string(),
            f[2].parse().unwrap(),
            f[3].parse().unwrap(),
        ))
        .or_default()
        .push(Row {
            a: decode(kind, f[4]),
            b: decode(kind, f[5]),
            want: f[6] == "1",
        });
    }
    g
}

fn dtype(kind: char, width: u32) -> DType {
    if kind == 'S' {
        DType::Bytes(width)
    } else {
        DType::Str(width)
    }
}

/// The stored bytes of one element: code units NUL-padded to `width`.
fn element(kind: char, width: u32, units: &[u32]) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..width as usize {
        let u = units.get(i).copied().unwrap_or(0);
        if kind == 'S' {
            out.push(u as u8);
        } else {
            out.extend(u.to_ne_bytes());
        }
    }
    out
}

/// The elements `values` laid out `step` elements apart (reversed for a negative step),
/// and the byte offset of logical element 0.
fn layout(kind: char, width: u32, values: &[&[u32]], step: isize) -> (Vec<u8>, usize) {
    let size = dtype(kind, width).size();
    let gap = step.unsigned_abs();
    let mut buf = vec![0u8; values.len() * gap * size + 1];
    let n = values.len();
    for (i, v) in values.iter().enumerate() {
        let slot = if step > 0 { i * gap } else { (n - 1 - i) * gap };
        buf[slot * size..slot * size + size].copy_from_slice(&element(kind, width, v));
    }
    let first = if step > 0 || n == 0 {
        0
    } else {
        (n - 1) * gap * size
    };
    (buf, first)
}

fn view<'a>(buf: &'a [u8], first: usize, dt: DType, n: usize, step: isize) -> ArrayView<'a> {
    let stride = step * dt.size() as isize;
    // SAFETY: element i lies at `first + i*stride` inside `buf`, which outlives the view.
    unsafe { ArrayView::from_raw_parts(buf.as_ptr().add(first), dt, &[n], &[stride]) }
}

fn source(op: &str, rhs: &str) -> String {
    let sym = match op {
        "lt" => "<",
        "le" => "<=",
        "eq" => "==",
        "ne" => "!=",
        "ge" => ">=",
        "gt" => ">",
        _ => return format!("contains(a, {rhs})"),
    };
    format!("a {sym} {rhs}")
}

fn run(src: &str, inputs: &[(&str, Arg)], backend: Backend) -> Vec<bool> {
    let e = Expr::compile(src).unwrap_or_else(|e| panic!("{}", e.render(src)));
    let opts = EvalOptions {
        backend,
        threads: Some(1),
        ..Default::default()
    };
    let r = e
        .eval_with(inputs, &opts)
        .unwrap_or_else(|e| panic!("{src}: {}", e.render(src)));
    r.to_vec::<bool>()
}

const BACKENDS: [Backend; 2] = [Backend::Jit, Backend::Interp];

#[test]
fn array_pairs_match_numpy_on_every_layout() {
    let mut checked = 0;
    for ((kind, op, wa, wb), rows) in groups() {
        let n = rows.len();
        let a: Vec<&[u32]> = rows.iter().map(|r| r.a.as_slice()).collect();
        let b: Vec<&[u32]> = rows.iter().map(|r| r.b.as_slice()).collect();
        let want: Vec<bool> = rows.iter().map(|r| r.want).collect();
        let src = source(&op, "b");
        for (sa, sb) in [(1, 1), (2, 3), (-1, 1), (1, -2)] {
            let (ba, fa) = layout(kind, wa, &a, sa);
            let (bb, fb) = layout(kind, wb, &b, sb);
            for backend in BACKENDS {
                let inputs = [
                    ("a", Arg::Array(view(&ba, fa, dtype(kind, wa), n, sa))),
                    ("b", Arg::Array(view(&bb, fb, dtype(kind, wb), n, sb))),
                ];
                let got = run(&src, &inputs, backend);
                for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                    assert_eq!(
                        g, w,
                        "{src} {kind}{wa} vs {kind}{wb}, steps {sa},{sb}, {backend:?}: \
                         {:?} vs {:?}",
                        a[i], b[i]
                    );
                }
                checked += got.len();
            }
        }
    }
    assert!(checked > 50_000, "only {checked} results checked");
}

/// A literal spelling `units` for `kind`, every unit escaped.
fn literal(kind: char, units: &[u32]) -> String {
    let body: String = units
        .iter()
        .map(|&u| {
            if kind == 'S' {
                format!("\\x{u:02x}")
            } else {
                format!("\\U{u:08x}")
            }
        })
        .collect();
    if kind == 'S' {
        format!("b'{body}'")
    } else {
        format!("'{body}'")
    }
}

#[test]
fn literal_right_sides_match_numpy_and_broadcast() {
    for ((kind, op, wa, _), rows) in groups() {
        // One expression per distinct right side, over every left side paired with it.
        let mut by_b: BTreeMap<&[u32], Vec<&Row>> = BTreeMap::new();
        for r in &rows {
            by_b.entry(r.b.as_slice()).or_default().push(r);
        }
        for (b, rs) in by_b {
            let src = source(&op, &literal(kind, b));
            let a: Vec<&[u32]> = rs.iter().map(|r| r.a.as_slice()).collect();
            let (ba, fa) = layout(kind, wa, &a, 2);
            for backend in BACKENDS {
                let v = view(&ba, fa, dtype(kind, wa), a.len(), 2);
                let got = run(&src, &[("a", Arg::Array(v))], backend);
                let want: Vec<bool> = rs.iter().map(|r| r.want).collect();
                assert_eq!(got, want, "{src} on {a:?}, {backend:?}");
            }
            // The same with `a` broadcast: one element against a 3-element numeric input.
            let one = element(kind, wa, a[0]);
            let av = ArrayView::from_bytes(&one, dtype(kind, wa), &[1]).unwrap();
            let z = [0i32; 3];
            let src = format!("({src}) & (z == 0)");
            for backend in BACKENDS {
                let got = run(
                    &src,
                    &[("a", Arg::Array(av.clone())), ("z", Arg::from(&z[..]))],
                    backend,
                );
                assert_eq!(got, vec![rs[0].want; 3], "{src} broadcast, {backend:?}");
            }
        }
    }
}

#[test]
fn two_d_broadcast_compares_every_pair() {
    // a: (3, 1) of S3, b: (4,) of S2; out[i][j] = a[i] < b[j].
    let a = b"abc\0\0\0b\0\0";
    let b = b"ababzz\0\0";
    let av = ArrayView::from_bytes(a, DType::Bytes(3), &[3, 1]).unwrap();
    let bv = ArrayView::from_bytes(b, DType::Bytes(2), &[4]).unwrap();
    let sa: [&[u8]; 3] = [b"abc", b"", b"b"];
    let sb: [&[u8]; 4] = [b"ab", b"ab", b"zz", b""];
    for backend in BACKENDS {
        let got = run(
            "a < b",
            &[("a", Arg::Array(av.clone())), ("b", Arg::Array(bv.clone()))],
            backend,
        );
        let want: Vec<bool> = sa
            .iter()
            .flat_map(|x| sb.iter().map(move |y| x < y))
            .collect();
        assert_eq!(got, want, "{backend:?}");
    }
}

#[test]
fn literal_only_comparisons_fold() {
    let e =
        Expr::compile("('abc' < 'abd') & contains(b'hello', b'ell') & ~('a' == 'a\\0b')").unwrap();
    let r = e.eval(&[]).unwrap();
    assert_eq!(r.to_vec::<bool>(), vec![true]);
}

#[test]
fn repeated_calls_take_the_fast_path_with_odd_itemsizes() {
    // S5 and U3 (12-byte) elements: the per-Expr fast path must bind them like any input.
    let e = Expr::compile("contains(s, b'ab') & (u != 'x')").unwrap();
    let cps = |s: &str| -> Vec<u8> {
        let mut v: Vec<u8> = s.chars().flat_map(|c| (c as u32).to_ne_bytes()).collect();
        v.resize(12, 0);
        v
    };
    for round in 0..3 {
        let s: Vec<u8> = if round % 2 == 0 {
            b"xxab\0abab\0zzzzz".to_vec()
        } else {
            b"zzzzzxxab\0ab\0\0\0".to_vec()
        };
        let u: Vec<u8> = [cps("x"), cps("y"), cps("")].concat();
        let sv = ArrayView::from_bytes(&s, DType::Bytes(5), &[3]).unwrap();
        let uv = ArrayView::from_bytes(&u, DType::Str(3), &[3]).unwrap();
        let r = e
            .eval(&[("s", Arg::Array(sv)), ("u", Arg::Array(uv))])
            .unwrap();
        let want = if round % 2 == 0 {
            [false, true, false]
        } else {
            [false, true, true]
        };
        assert_eq!(r.to_vec::<bool>(), want, "round {round}");
    }
}
