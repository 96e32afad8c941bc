//! A small, safe reader and writer for NumPy's `.npy` files (format versions 1.0, 2.0, 3.0).
//!
//! Reading accepts every numeric dtype jitex supports (`bool`, `int8`…`uint64`, `float32`,
//! `float64`, `complex64`, `complex128`) in little, big or native byte order and in C or
//! Fortran order; the result is always native-endian and C-contiguous, ready to hand to
//! [`crate::Expr`]. Writing always produces little-endian, C-order files in the oldest
//! version that fits the header, as `numpy.save` does. Everything else (structured,
//! `float16`, object dtypes) is refused with an [`ErrorKind::Io`] error — never a panic.
//!
//! ```
//! use jitex::{npy, DType};
//! let bytes = npy::encode(DType::I32, &[2], &[1, 0, 0, 0, 2, 0, 0, 0])?;
//! let arr = npy::decode(&bytes)?;
//! assert_eq!((arr.dtype(), arr.shape()), (DType::I32, &[2usize][..]));
//! # Ok::<(), jitex::Error>(())
//! ```

use crate::error::{Error, ErrorKind, Result};
use crate::runtime::ArrayView;
use crate::types::DType;
use std::path::Path;

/// The six magic bytes every `.npy` file starts with.
const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// Headers are padded so the data starts on this boundary (NumPy ≥ 1.16 uses 64).
const ALIGN: usize = 64;

/// A decoded `.npy` array: dtype, shape and native-endian, C-order element bytes.
///
/// The bytes live in 8-byte-aligned storage, so [`NpyArray::view`] hands the kernels
/// naturally aligned elements of every dtype.
#[derive(Clone, Debug, PartialEq)]
pub struct NpyArray {
    dtype: DType,
    shape: Vec<usize>,
    /// Backing store; only the first `len_bytes` bytes are meaningful.
    words: Vec<u64>,
    len_bytes: usize,
}

impl NpyArray {
    /// An array of `dtype` and `shape` holding a copy of `data` (native-endian, C order).
    ///
    /// Fails when `data` does not hold exactly `shape.product() * dtype.size()` bytes.
    pub fn new(dtype: DType, shape: &[usize], data: &[u8]) -> Result<NpyArray> {
        let need = byte_len(dtype, shape)?;
        if data.len() != need {
            return Err(io(format!(
                "{} bytes do not make a {} array of shape {}",
                data.len(),
                dtype,
                shape_str(shape)
            )));
        }
        let mut words = vec![0u64; need.div_ceil(8)];
        as_bytes_mut(&mut words)[..need].copy_from_slice(data);
        Ok(NpyArray {
            dtype,
            shape: shape.to_vec(),
            words,
            len_bytes: need,
        })
    }

    /// The element dtype.
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// The shape (empty for a 0-d array).
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The number of elements (1 for a 0-d array).
    pub fn len(&self) -> usize {
        self.len_bytes / self.dtype.size()
    }

    /// `true` when the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len_bytes == 0
    }

    /// The elements' bytes, native-endian, C order.
    pub fn as_bytes(&self) -> &[u8] {
        &as_bytes(&self.words)[..self.len_bytes]
    }

    /// A read-only, C-contiguous view for use as an [`crate::Arg`].
    pub fn view(&self) -> ArrayView<'_> {
        let strides = c_strides(&self.shape, self.dtype.size());
        // SAFETY: `words` holds `product(shape) * size` initialised bytes, aligned to 8,
        // and C-order strides keep every element inside them; the view borrows `self`.
        unsafe {
            ArrayView::from_raw_parts(
                self.words.as_ptr().cast(),
                self.dtype,
                &self.shape,
                &strides,
            )
        }
    }
}

/// Reads and decodes the `.npy` file at `path`.
pub fn read(path: impl AsRef<Path>) -> Result<NpyArray> {
    let path = path.as_ref();
    let bytes =
        std::fs::read(path).map_err(|e| io(format!("cannot read `{}`: {e}", path.display())))?;
    decode(&bytes).map_err(|e| io(format!("`{}`: {}", path.display(), e.message)))
}

/// Encodes an array and writes it to `path` (see [`encode`]).
pub fn write(path: impl AsRef<Path>, dtype: DType, shape: &[usize], data: &[u8]) -> Result<()> {
    let path = path.as_ref();
    let bytes = encode(dtype, shape, data)?;
    std::fs::write(path, bytes).map_err(|e| io(format!("cannot write `{}`: {e}", path.display())))
}

/// Decodes the contents of a `.npy` file.
pub fn decode(bytes: &[u8]) -> Result<NpyArray> {
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err(io("not a .npy file (bad magic string)"));
    }
    let (major, minor) = (bytes[6], bytes[7]);
    let (header_len, start) = match major {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10usize),
        2 | 3 => {
            let b = bytes
                .get(8..12)
                .ok_or_else(|| io("truncated .npy header"))?;
            (u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize, 12)
        }
        _ => {
            return Err(io(format!(
                "unsupported .npy format version {major}.{minor}"
            )))
        }
    };
    let data_start = start
        .checked_add(header_len)
        .filter(|&end| end <= bytes.len())
        .ok_or_else(|| io("truncated .npy header"))?;
    let header = parse_header(&bytes[start..data_start])?;
    let size = header.dtype.size();
    let n_bytes = byte_len(header.dtype, &header.shape)?;
    let raw = bytes
        .get(data_start..)
        .filter(|d| d.len() >= n_bytes)
        .ok_or_else(|| {
            io(format!(
                "truncated .npy data: shape {} of {} needs {n_bytes} bytes, the file has {}",
                shape_str(&header.shape),
                header.dtype,
                bytes.len() - data_start
            ))
        })?;
    let raw = &raw[..n_bytes];

    let mut words = vec![0u64; n_bytes.div_ceil(8)];
    let out = &mut as_bytes_mut(&mut words)[..n_bytes];
    if header.fortran_order && header.shape.len() > 1 {
        fortran_to_c(raw, out, &header.shape, size);
    } else {
        out.copy_from_slice(raw);
    }
    if header.swap {
        for el in out.chunks_exact_mut(unit_size(header.dtype)) {
            el.reverse();
        }
    }
    if header.dtype == DType::Bool {
        // jitex's `bool` is exactly 0 or 1; NumPy reads any nonzero byte as True.
        for b in out.iter_mut() {
            *b = (*b != 0) as u8;
        }
    }
    Ok(NpyArray {
        dtype: header.dtype,
        shape: header.shape,
        words,
        len_bytes: n_bytes,
    })
}

/// Encodes an array (native-endian, C-order `data`) as a little-endian, C-order `.npy` file.
///
/// Uses format 1.0 when the header fits its 16-bit length, else 2.0.
pub fn encode(dtype: DType, shape: &[usize], data: &[u8]) -> Result<Vec<u8>> {
    let n_bytes = byte_len(dtype, shape)?;
    if data.len() != n_bytes {
        return Err(io(format!(
            "{} bytes do not make a {} array of shape {}",
            data.len(),
            dtype,
            shape_str(shape)
        )));
    }
    let dict = format!(
        "{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}",
        descr(dtype),
        shape_str(shape)
    );
    // Pad with spaces and end with a newline so the data starts on an ALIGN boundary.
    let (version, prefix) = if dict.len() + 1 + 10 <= u16::MAX as usize {
        (1u8, 10)
    } else {
        (2u8, 12)
    };
    let total = (prefix + dict.len() + 1).next_multiple_of(ALIGN);
    let header_len = total - prefix;
    let mut out = Vec::with_capacity(total + n_bytes);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[version, 0]);
    if version == 1 {
        out.extend_from_slice(&(header_len as u16).to_le_bytes());
    } else {
        out.extend_from_slice(&(header_len as u32).to_le_bytes());
    }
    out.extend_from_slice(dict.as_bytes());
    out.resize(total - 1, b' ');
    out.push(b'\n');
    let body = out.len();
    out.extend_from_slice(data);
    if cfg!(target_endian = "big") {
        for el in out[body..].chunks_exact_mut(unit_size(dtype)) {
            el.reverse();
        }
    }
    Ok(out)
}

/// The NumPy type string jitex writes for `dtype` (`'<f8'`, `'|b1'`, `'<c16'`).
fn descr(dtype: DType) -> String {
    match dtype {
        // A width, not a byte size; `U` code points are native-endian like everything else.
        DType::Bytes(n) => return format!("|S{n}"),
        DType::Str(n) => return format!("<U{n}"),
        _ => {}
    }
    let (c, order) = match dtype {
        DType::Bool => ('b', '|'),
        DType::I8 => ('i', '|'),
        DType::U8 => ('u', '|'),
        d if d.is_signed_int() => ('i', '<'),
        d if d.is_unsigned_int() => ('u', '<'),
        d if d.is_complex() => ('c', '<'),
        _ => ('f', '<'),
    };
    format!("{order}{c}{}", dtype.size())
}

/// The bytes of one code unit, the span a byte swap reverses: 4 for `U` code points, 1 for
/// `S` bytes, the element size otherwise.
fn unit_size(dtype: DType) -> usize {
    match dtype {
        DType::Bytes(_) => 1,
        DType::Str(_) => 4,
        // A complex element is two floats, each byte-swapped in place.
        d => d.real_part().size(),
    }
}

/// Parses a type string such as `'<f8'` into a dtype and whether its bytes need swapping.
fn parse_descr(s: &str) -> Result<(DType, bool)> {
    let unsupported = || {
        io(format!("unsupported .npy dtype '{s}' (jitex reads bool, int8..int64, uint8..uint64, float32, float64, complex64, complex128, S<n>, U<n>)"))
    };
    let (order, body) = match s.as_bytes().first() {
        Some(b'<' | b'>' | b'|' | b'=') => (s.as_bytes()[0], &s[1..]),
        _ => (b'=', s),
    };
    let dtype = match body {
        "?" | "b1" => DType::Bool,
        "i1" => DType::I8,
        "i2" => DType::I16,
        "i4" => DType::I32,
        "i8" => DType::I64,
        "u1" => DType::U8,
        "u2" => DType::U16,
        "u4" => DType::U32,
        "u8" => DType::U64,
        "f4" => DType::F32,
        "f8" => DType::F64,
        "c8" => DType::C64,
        "c16" => DType::C128,
        // `S5`, `U3`: fixed-width strings (`a` is NumPy's old name for `S`).
        b if b.starts_with(['S', 'U', 'a']) => {
            let width = &b[1..];
            let d = if b.starts_with('U') {
                DType::from_name(&format!("U{width}"))
            } else {
                DType::from_name(&format!("S{width}"))
            };
            d.ok_or_else(unsupported)?
        }
        _ => return Err(unsupported()),
    };
    let little = match order {
        b'<' => true,
        b'>' => false,
        _ => cfg!(target_endian = "little"),
    };
    // Bytes have no byte order; everything else is swapped per code unit (see `unit_size`).
    let swap = unit_size(dtype) > 1 && little != cfg!(target_endian = "little");
    Ok((dtype, swap))
}

/// What the header dictionary says.
struct Header {
    dtype: DType,
    swap: bool,
    fortran_order: bool,
    shape: Vec<usize>,
}

/// One value of the header dictionary (a Python literal).
#[derive(Debug, PartialEq)]
enum Literal {
    Str(String),
    Bool(bool),
    Tuple(Vec<usize>),
}

/// Parses the header, a Python dict literal with exactly the keys `descr`, `fortran_order`
/// and `shape`.
fn parse_header(bytes: &[u8]) -> Result<Header> {
    let text = std::str::from_utf8(bytes).map_err(|_| io("the .npy header is not valid text"))?;
    let mut p = LiteralParser {
        s: text.as_bytes(),
        pos: 0,
    };
    let (mut descr, mut fortran, mut shape) = (None, None, None);
    p.expect(b'{')?;
    loop {
        p.skip_ws();
        if p.eat(b'}') {
            break;
        }
        let key = match p.literal()? {
            Literal::Str(k) => k,
            _ => return Err(bad_header("a key is not a string")),
        };
        p.expect(b':')?;
        let value = p.literal()?;
        let slot = match key.as_str() {
            "descr" => &mut descr,
            "fortran_order" => &mut fortran,
            "shape" => &mut shape,
            _ => return Err(bad_header(&format!("unexpected key '{key}'"))),
        };
        if slot.replace(value).is_some() {
            return Err(bad_header(&format!("duplicate key '{key}'")));
        }
        p.skip_ws();
        if !p.eat(b',') {
            p.expect(b'}')?;
            break;
        }
    }
    p.skip_ws();
    if p.pos != p.s.len() {
        return Err(bad_header("text after the dictionary"));
    }
    let (dtype, swap) = match descr {
        Some(Literal::Str(s)) => parse_descr(&s)?,
        Some(_) => {
            return Err(io(
                "unsupported .npy dtype (structured or non-string descr)",
            ))
        }
        None => return Err(bad_header("missing 'descr'")),
    };
    let fortran_order = match fortran {
        Some(Literal::Bool(b)) => b,
        _ => return Err(bad_header("'fortran_order' must be True or False")),
    };
    let shape = match shape {
        Some(Literal::Tuple(t)) => t,
        _ => return Err(bad_header("'shape' must be a tuple of integers")),
    };
    Ok(Header {
        dtype,
        swap,
        fortran_order,
        shape,
    })
}

/// A recursive-descent reader for the few Python literals a header holds. It never
/// recurses (tuples hold integers only), so no input can overflow the stack.
struct LiteralParser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl LiteralParser<'_> {
    fn skip_ws(&mut self) {
        while self
            .s
            .get(self.pos)
            .is_some_and(|c| c.is_ascii_whitespace())
        {
            self.pos += 1;
        }
    }

    /// Consumes `c` (after whitespace) if it is next.
    fn eat(&mut self, c: u8) -> bool {
        self.skip_ws();
        if self.s.get(self.pos) == Some(&c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: u8) -> Result<()> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(bad_header(&format!(
                "expected '{}' at byte {}",
                c as char, self.pos
            )))
        }
    }

    fn literal(&mut self) -> Result<Literal> {
        self.skip_ws();
        match self.s.get(self.pos) {
            Some(&q @ (b'\'' | b'"')) => {
                let start = self.pos + 1;
                let len = self.s[start..]
                    .iter()
                    .position(|&c| c == q || c == b'\\')
                    .ok_or_else(|| bad_header("unterminated string"))?;
                if self.s[start + len] == b'\\' {
                    return Err(bad_header("escapes in strings are not supported"));
                }
                self.pos = start + len + 1;
                Ok(Literal::Str(
                    String::from_utf8_lossy(&self.s[start..start + len]).into_owned(),
                ))
            }
            Some(b'(') => {
                self.pos += 1;
                let mut dims = Vec::new();
                loop {
                    if self.eat(b')') {
                        break;
                    }
                    dims.push(self.integer()?);
                    if !self.eat(b',') {
                        self.expect(b')')?;
                        break;
                    }
                }
                Ok(Literal::Tuple(dims))
            }
            Some(b'[') => Err(io("unsupported .npy dtype (structured arrays)")),
            _ => {
                let word = self.word();
                match word {
                    "True" => Ok(Literal::Bool(true)),
                    "False" => Ok(Literal::Bool(false)),
                    _ => Err(bad_header(&format!("unexpected `{word}`"))),
                }
            }
        }
    }

    /// An identifier-like run of bytes.
    fn word(&mut self) -> &str {
        let start = self.pos;
        while self
            .s
            .get(self.pos)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            self.pos += 1;
        }
        std::str::from_utf8(&self.s[start..self.pos]).unwrap_or("")
    }

    /// A non-negative dimension; Python 2's `L` suffix is accepted.
    fn integer(&mut self) -> Result<usize> {
        self.skip_ws();
        let word = self.word().to_owned();
        let digits = word.strip_suffix('L').unwrap_or(&word);
        if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
            return Err(bad_header(&format!("`{word}` is not a dimension")));
        }
        digits
            .parse()
            .map_err(|_| io(format!("dimension {digits} is too large")))
    }
}

/// Reorders Fortran-order `src` into C-order `dst` (both `shape`, elements of `size` bytes).
fn fortran_to_c(src: &[u8], dst: &mut [u8], shape: &[usize], size: usize) {
    // Element strides of the Fortran layout: the first index varies fastest.
    let mut f_strides = Vec::with_capacity(shape.len());
    let mut acc = 1usize;
    for &d in shape {
        f_strides.push(acc);
        acc *= d;
    }
    let mut index = vec![0usize; shape.len()];
    let mut src_el = 0usize;
    for out in dst.chunks_exact_mut(size) {
        out.copy_from_slice(&src[src_el * size..][..size]);
        // Advance the C-order multi-index (last index fastest), tracking the Fortran offset.
        for k in (0..shape.len()).rev() {
            index[k] += 1;
            src_el += f_strides[k];
            if index[k] < shape[k] {
                break;
            }
            src_el -= f_strides[k] * shape[k];
            index[k] = 0;
        }
    }
}

/// Byte strides of a C-contiguous array.
fn c_strides(shape: &[usize], size: usize) -> Vec<isize> {
    let mut strides = vec![0isize; shape.len()];
    let mut acc = size as isize;
    for (s, &d) in strides.iter_mut().zip(shape).rev() {
        *s = acc;
        acc = acc.saturating_mul(d as isize);
    }
    strides
}

/// `product(shape) * dtype.size()`, refusing sizes that overflow or exceed `isize::MAX`.
fn byte_len(dtype: DType, shape: &[usize]) -> Result<usize> {
    shape
        .iter()
        .try_fold(dtype.size(), |acc, &d| acc.checked_mul(d))
        .filter(|&n| n <= isize::MAX as usize)
        .ok_or_else(|| io(format!("array of shape {} is too large", shape_str(shape))))
}

/// A shape as Python writes a tuple: `()`, `(3,)`, `(2, 3)`.
pub fn shape_str(shape: &[usize]) -> String {
    match shape {
        [] => "()".to_owned(),
        [d] => format!("({d},)"),
        _ => {
            let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
            format!("({})", dims.join(", "))
        }
    }
}

fn as_bytes(words: &[u64]) -> &[u8] {
    // SAFETY: any initialised u64 memory is valid as bytes; the length is exact.
    unsafe { std::slice::from_raw_parts(words.as_ptr().cast(), words.len() * 8) }
}

fn as_bytes_mut(words: &mut [u64]) -> &mut [u8] {
    // SAFETY: as above, and every byte pattern is a valid u64, so writes cannot break it.
    unsafe { std::slice::from_raw_parts_mut(words.as_mut_ptr().cast(), words.len() * 8) }
}

fn io(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Io, message)
}

fn bad_header(what: &str) -> Error {
    io(format!("malformed .npy header: {what}"))
}

#[cfg(test)]
mod tests;
