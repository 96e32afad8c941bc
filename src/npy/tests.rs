//! Tests for the `.npy` reader/writer against fixtures written by NumPy
//! (`tests/data/npy/generate.py`) and against hand-made malformed files.

use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/npy/",
            $name
        ))
    };
}

/// The elements of `arr` as `f64`s, decoded per dtype (native-endian, C order).
fn values(arr: &NpyArray) -> Vec<f64> {
    use crate::types::Scalar;
    arr.as_bytes()
        .chunks_exact(arr.dtype().size())
        .map(|b| match Scalar::read(arr.dtype(), b).cast(DType::F64) {
            Scalar::F64(v) => v,
            other => unreachable!("cast to f64 gave {other:?}"),
        })
        .collect()
}

fn arange(n: usize) -> Vec<f64> {
    (0..n).map(|i| i as f64).collect()
}

#[test]
fn reads_c_order_little_endian() {
    let a = decode(fixture!("f8_c_2x3.npy")).unwrap();
    assert_eq!(a.dtype(), DType::F64);
    assert_eq!(a.shape(), &[2, 3]);
    assert_eq!(values(&a), arange(6));
}

#[test]
fn reads_big_endian_fortran_order_into_native_c_order() {
    let a = decode(fixture!("i4_be_fortran_2x3x4.npy")).unwrap();
    assert_eq!((a.dtype(), a.shape()), (DType::I32, &[2usize, 3, 4][..]));
    // The file holds arange(24).reshape(2,3,4) in Fortran order; C order gives arange back.
    assert_eq!(values(&a), arange(24));
    let f = decode(fixture!("f8_fortran_3x2.npy")).unwrap();
    assert_eq!(values(&f), arange(6));
}

#[test]
fn reads_versions_two_and_three_and_small_dtypes() {
    let a = decode(fixture!("f4_v2_4.npy")).unwrap();
    assert_eq!((a.dtype(), values(&a)), (DType::F32, arange(4)));
    let b = decode(fixture!("i8_v3_3.npy")).unwrap();
    assert_eq!((b.dtype(), values(&b)), (DType::I64, arange(3)));
    let c = decode(fixture!("u2_be_5.npy")).unwrap();
    assert_eq!((c.dtype(), values(&c)), (DType::U16, arange(5)));
    let d = decode(fixture!("b1_4.npy")).unwrap();
    assert_eq!(
        (d.dtype(), values(&d)),
        (DType::Bool, vec![1.0, 0.0, 0.0, 1.0])
    );
}

#[test]
fn reads_zero_d_and_empty_arrays() {
    let s = decode(fixture!("u1_0d.npy")).unwrap();
    assert_eq!((s.shape(), s.len(), values(&s)), (&[][..], 1, vec![7.0]));
    let e = decode(fixture!("i2_empty_0x3.npy")).unwrap();
    assert_eq!(
        (e.dtype(), e.shape(), e.is_empty()),
        (DType::I16, &[0usize, 3][..], true)
    );
}

#[test]
fn refuses_unsupported_dtypes_with_io_errors() {
    for bytes in [&fixture!("f2_2.npy")[..], &fixture!("structured_2.npy")[..]] {
        let err = decode(bytes).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Io);
        assert!(
            err.message.contains("unsupported .npy dtype"),
            "{}",
            err.message
        );
    }
}

/// The elements of a complex array as `(re, im)` pairs of `f64`.
fn complex_values(arr: &NpyArray) -> Vec<(f64, f64)> {
    use crate::types::Scalar;
    arr.as_bytes()
        .chunks_exact(arr.dtype().size())
        .map(|b| match Scalar::read(arr.dtype(), b) {
            Scalar::C64(z) => (z.re as f64, z.im as f64),
            Scalar::C128(z) => (z.re, z.im),
            other => unreachable!("not complex: {other:?}"),
        })
        .collect()
}

#[test]
fn reads_complex_in_either_byte_order_and_layout() {
    let a = decode(fixture!("c16_2.npy")).unwrap();
    assert_eq!((a.dtype(), a.shape()), (DType::C128, &[2usize][..]));
    assert_eq!(complex_values(&a), vec![(1.0, 2.0), (-3.5, -0.0)]);
    // Big-endian complex64 in Fortran order: each part is swapped on its own.
    let b = decode(fixture!("c8_be_fortran_2x2.npy")).unwrap();
    assert_eq!((b.dtype(), b.shape()), (DType::C64, &[2usize, 2][..]));
    let v = complex_values(&b);
    assert_eq!(v[..2], [(1.0, 2.0), (f64::INFINITY, -1.0)]);
    assert_eq!(v[3], (3.0, -4.0));
    assert!(v[2].0 == 0.0 && v[2].0.is_sign_negative() && v[2].1 == 0.5);
}

#[test]
fn writer_matches_numpy_save_byte_for_byte() {
    let c = decode(fixture!("np_save_c8_3.npy")).unwrap();
    let ours = encode(c.dtype(), c.shape(), c.as_bytes()).unwrap();
    assert_eq!(&ours[..], &fixture!("np_save_c8_3.npy")[..]);
    let a = decode(fixture!("np_save_f8_2x3.npy")).unwrap();
    let ours = encode(a.dtype(), a.shape(), a.as_bytes()).unwrap();
    assert_eq!(&ours[..], &fixture!("np_save_f8_2x3.npy")[..]);
    let b = decode(fixture!("np_save_b1_3.npy")).unwrap();
    let ours = encode(b.dtype(), b.shape(), b.as_bytes()).unwrap();
    assert_eq!(&ours[..], &fixture!("np_save_b1_3.npy")[..]);
}

#[test]
fn round_trips_every_dtype_and_odd_shapes() {
    for dtype in DType::ALL.into_iter().chain(DType::COMPLEX) {
        for shape in [vec![], vec![0], vec![5], vec![2, 3], vec![1, 2, 1, 3]] {
            let n: usize = shape.iter().product::<usize>() * dtype.size();
            // Bytes 0/1 only for bool, which must hold 0 or 1.
            let data: Vec<u8> = (0..n)
                .map(|i| {
                    if dtype == DType::Bool {
                        (i % 2) as u8
                    } else {
                        (i * 37 % 251) as u8
                    }
                })
                .collect();
            let file = encode(dtype, &shape, &data).unwrap();
            assert_eq!(
                file.iter()
                    .position(|&c| c == b'\n')
                    .map(|p| (p + 1) % ALIGN),
                Some(0)
            );
            let back = decode(&file).unwrap();
            assert_eq!(
                (back.dtype(), back.shape(), back.as_bytes()),
                (dtype, &shape[..], &data[..])
            );
        }
    }
}

#[test]
fn bool_bytes_other_than_one_read_as_true() {
    let mut file = encode(DType::Bool, &[3], &[0, 1, 0]).unwrap();
    let n = file.len();
    file[n - 3] = 7;
    assert_eq!(decode(&file).unwrap().as_bytes(), &[1, 1, 0]);
}

#[test]
fn encode_rejects_wrong_data_length() {
    let err = encode(DType::F64, &[2], &[0; 15]).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Io);
    assert!(NpyArray::new(DType::I16, &[3], &[0; 6]).is_ok());
    assert!(NpyArray::new(DType::I16, &[3], &[0; 5]).is_err());
}

/// A version-1 file with the given header dictionary text and data.
fn with_header(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut f = MAGIC.to_vec();
    f.extend_from_slice(&[1, 0]);
    f.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    f.extend_from_slice(dict.as_bytes());
    f.extend_from_slice(data);
    f
}

#[test]
fn accepts_header_variants_numpy_accepts() {
    let cases = [
        "{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }\n",
        "{\"shape\": (2,), \"descr\": \"<i2\", \"fortran_order\": True}",
        "{'descr':'i2','fortran_order':False,'shape':(2L,)}",
    ];
    for dict in cases {
        let a = decode(&with_header(dict, &[1, 0, 2, 0])).unwrap();
        assert_eq!(values(&a), vec![1.0, 2.0], "{dict}");
    }
}

#[test]
fn malformed_files_give_io_errors_not_panics() {
    let good = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
    let bad: Vec<Vec<u8>> = vec![
        vec![],
        b"\x93NUMPY".to_vec(),
        b"PK\x03\x04 not npy at all".to_vec(),
        {
            let mut f = with_header(good, &[0; 16]);
            f[6] = 9; // unknown version
            f
        },
        {
            let mut f = with_header(good, &[0; 16]);
            f[8] = 0xff; // header length past the end
            f[9] = 0xff;
            f
        },
        with_header(good, &[0; 15]), // truncated data
        with_header("{'descr': '<f8', 'fortran_order': False}", &[]),
        with_header(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}",
            &[],
        ),
        with_header(
            "{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}",
            &[0; 8],
        ),
        with_header(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}",
            &[0; 8],
        ),
        with_header(
            "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}",
            &[0; 8],
        ),
        with_header(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} junk",
            &[0; 8],
        ),
        with_header(
            "{'descr': '<f8, 'fortran_order': False, 'shape': (1,)}",
            &[0; 8],
        ),
        with_header(
            "{'descr': '<U0', 'fortran_order': False, 'shape': (1,)}",
            &[0; 12],
        ),
        with_header(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,)}",
            &[],
        ),
        with_header(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296)}",
            &[],
        ),
        with_header(
            "{'descr': '<f8', 'fortran_order': False, 'shape': ((((1,)}",
            &[0; 8],
        ),
        with_header("\u{e9}\u{ff}", &[]),
    ];
    for (i, file) in bad.iter().enumerate() {
        let err = decode(file).expect_err(&format!("case {i} should fail"));
        assert_eq!(err.kind, ErrorKind::Io, "case {i}");
    }
}

#[test]
fn reading_a_missing_file_names_it() {
    let err = read("/nonexistent/dir/x.npy").unwrap_err();
    assert_eq!(err.kind, ErrorKind::Io);
    assert!(
        err.message.contains("/nonexistent/dir/x.npy"),
        "{}",
        err.message
    );
}

#[test]
fn write_then_read_through_the_filesystem() {
    let dir = std::env::temp_dir().join(format!("jitex-npy-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("a.npy");
    let data: Vec<u8> = (0..6u32).flat_map(|v| v.to_ne_bytes()).collect();
    write(&path, DType::U32, &[3, 2], &data).unwrap();
    let back = read(&path).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!((back.shape(), values(&back)), (&[3usize, 2][..], arange(6)));
}

#[test]
fn shape_strings_look_like_python_tuples() {
    assert_eq!(shape_str(&[]), "()");
    assert_eq!(shape_str(&[3]), "(3,)");
    assert_eq!(shape_str(&[2, 3]), "(2, 3)");
}

/// The code points of element `i` of a `U` array, trailing NULs dropped.
fn code_points(arr: &NpyArray, i: usize) -> Vec<u32> {
    let size = arr.dtype().size();
    let mut cps: Vec<u32> = arr.as_bytes()[i * size..(i + 1) * size]
        .chunks_exact(4)
        .map(|c| u32::from_ne_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    while cps.last() == Some(&0) {
        cps.pop();
    }
    cps
}

#[test]
fn reads_and_writes_byte_and_unicode_strings() {
    let s = decode(fixture!("S5_names.npy")).unwrap();
    assert_eq!(s.dtype(), DType::Bytes(5));
    assert_eq!(s.shape(), &[4]);
    assert_eq!(s.as_bytes(), b"alicebob\0\0\xffx\0y\0\0\0\0\0\0");
    let ours = encode(s.dtype(), s.shape(), s.as_bytes()).unwrap();
    assert_eq!(&ours[..], &fixture!("S5_names.npy")[..]);

    let u = decode(fixture!("U3_le.npy")).unwrap();
    assert_eq!(u.dtype(), DType::Str(3));
    let want: [&[u32]; 4] = [&[0x61, 0x62], &[0xe9], &[0x1F600, 0x7a, 0x7a], &[]];
    for (i, w) in want.iter().enumerate() {
        assert_eq!(code_points(&u, i), *w, "element {i}");
    }
    let ours = encode(u.dtype(), u.shape(), u.as_bytes()).unwrap();
    assert_eq!(&ours[..], &fixture!("U3_le.npy")[..]);

    // Big-endian, Fortran order: swapped per code point, transposed to C order.
    let b = decode(fixture!("U2_be_fortran_2x2.npy")).unwrap();
    assert_eq!((b.dtype(), b.shape()), (DType::Str(2), &[2usize, 2][..]));
    let want: [&[u32]; 4] = [&[0x61], &[0x62, 0x63], &[0x100], &[]];
    for (i, w) in want.iter().enumerate() {
        assert_eq!(code_points(&b, i), *w, "element {i}");
    }
}
