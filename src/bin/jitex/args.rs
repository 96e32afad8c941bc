//! Command-line parsing for the `jitex` binary (hand-written: three subcommands do not
//! justify a parser dependency, and this keeps every error message ours).

use jitex::{DType, Scalar};
use std::fmt;
use std::path::PathBuf;

/// The usage text printed by `jitex --help` and after usage errors.
pub const USAGE: &str = "\
usage:
  jitex eval EXPR [NAME=VALUE ...] [-o OUT.npy] [--threads N]
  jitex eval PROGRAM [NAME=VALUE ...] --outputs X,Y [-o X.npy -o Y.npy]
  jitex explain EXPR [NAME=DTYPE ...]
  jitex bench [--quick] [--threads N] [--language]

VALUE is a .npy file, or a scalar: an integer literal is int64, a float literal
float64, True/False bool, and DTYPE:VALUE picks the dtype (int32:7, f4:0.5,
c16:1+2j).
Inputs the expression does not use are ignored. Write ./NAME for a file whose
name looks like a number.
DTYPE is a dtype as NumPy spells it: a name (bool, int8..int64, uint8..uint64,
float32, float64, complex64, complex128) or a code whose number counts bytes
(?/b1, i1 i2 i4 i8, u1 u2 u4 u8, f4 f8, c8 c16; so i8 is int64), or a string
dtype S<n>/U<n> (explain only).

EXPR may be a program of `;`-separated statements (`t = a*b; t + sin(t)`); its
result is the last statement. --outputs names the assigned values to return,
each computed in the same pass; give one -o per output, or none to print them.";

/// What the user asked for.
#[derive(Debug, PartialEq)]
pub enum Command {
    /// Evaluate an expression on `.npy` files and scalars.
    Eval {
        /// The expression source.
        expr: String,
        /// Named inputs, in command-line order.
        inputs: Vec<(String, Input)>,
        /// Where to write the results (none: print them; else one per output).
        output: Vec<PathBuf>,
        /// The named outputs (`--outputs x,y`); `None`: the program's last value.
        outputs: Option<Vec<String>>,
        /// Thread count for this evaluation.
        threads: Option<usize>,
    },
    /// Show every compilation stage for the given input dtypes.
    Explain {
        /// The expression source.
        expr: String,
        /// Named input dtypes.
        inputs: Vec<(String, DType)>,
    },
    /// Run the built-in benchmark suite.
    Bench {
        /// Small sizes and few repetitions (CI smoke run).
        quick: bool,
        /// Thread count for the "all threads" columns.
        threads: Option<usize>,
        /// The language-feature suite (reductions, outputs, complex, strings) instead.
        language: bool,
    },
    /// Print the usage text.
    Help,
}

/// One `NAME=VALUE` input of `jitex eval`.
#[derive(Debug, PartialEq)]
pub enum Input {
    /// A `.npy` file to load.
    File(PathBuf),
    /// A scalar given on the command line.
    Scalar(Scalar),
}

/// A malformed command line; the message says what is wrong.
#[derive(Debug, PartialEq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn usage(msg: impl Into<String>) -> UsageError {
    UsageError(msg.into())
}

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Command, UsageError> {
    let Some((sub, rest)) = args.split_first() else {
        return Err(usage("no command given"));
    };
    match sub.as_str() {
        "-h" | "--help" | "help" => return Ok(Command::Help),
        "eval" | "explain" | "bench" => {}
        other => return Err(usage(format!("unknown command `{other}`"))),
    }
    let opts = split_options(rest)?;
    if opts.help {
        return Ok(Command::Help);
    }
    match sub.as_str() {
        "eval" => {
            if opts.quick || opts.language {
                return Err(usage(
                    "`--quick` and `--language` are only for `jitex bench`",
                ));
            }
            let (expr, pairs) = expr_and_pairs(&opts.positional)?;
            let mut inputs = Vec::with_capacity(pairs.len());
            for (name, value) in pairs {
                inputs.push((name, parse_input(&value)?));
            }
            let wanted = opts.outputs.as_ref().map_or(1, Vec::len);
            if !opts.output.is_empty() && opts.output.len() != wanted {
                return Err(usage(match &opts.outputs {
                    None => "`-o` given twice (name several outputs with `--outputs`)".to_string(),
                    Some(o) => format!("{} `-o` files for {} outputs", opts.output.len(), o.len()),
                }));
            }
            Ok(Command::Eval {
                expr,
                inputs,
                output: opts.output,
                outputs: opts.outputs,
                threads: opts.threads,
            })
        }
        "explain" => {
            if opts.quick
                || opts.language
                || !opts.output.is_empty()
                || opts.threads.is_some()
                || opts.outputs.is_some()
            {
                return Err(usage("`jitex explain` takes no options"));
            }
            let (expr, pairs) = expr_and_pairs(&opts.positional)?;
            let mut inputs = Vec::with_capacity(pairs.len());
            for (name, value) in pairs {
                let dtype =
                    dtype_arg(&value).map_err(|e| usage(format!("{} (input `{name}`)", e.0)))?;
                inputs.push((name, dtype));
            }
            Ok(Command::Explain { expr, inputs })
        }
        _ => {
            if let Some(extra) = opts.positional.first() {
                return Err(usage(format!("unexpected argument `{extra}`")));
            }
            if !opts.output.is_empty() || opts.outputs.is_some() {
                return Err(usage("`-o` and `--outputs` are only for `jitex eval`"));
            }
            Ok(Command::Bench {
                quick: opts.quick,
                threads: opts.threads,
                language: opts.language,
            })
        }
    }
}

/// The options of any subcommand, and what is left.
#[derive(Default)]
struct Options {
    positional: Vec<String>,
    output: Vec<PathBuf>,
    outputs: Option<Vec<String>>,
    threads: Option<usize>,
    quick: bool,
    language: bool,
    help: bool,
}

/// Separates options from positional arguments. Only the known flags are options, so an
/// expression such as `-a*b` is positional; after `--` everything is.
fn split_options(args: &[String]) -> Result<Options, UsageError> {
    let mut o = Options::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = |what: &str| -> Result<String, UsageError> {
            match &inline {
                Some(v) => Ok(v.clone()),
                None => it
                    .next()
                    .cloned()
                    .ok_or_else(|| usage(format!("`{flag}` needs {what}"))),
            }
        };
        match flag {
            "--" => {
                o.positional.extend(it.by_ref().cloned());
                break;
            }
            "-o" | "--output" => o.output.push(PathBuf::from(value("a file name")?)),
            "--outputs" => {
                let v = value("a comma-separated list of names")?;
                let names: Vec<String> = v.split(',').map(|s| s.trim().to_string()).collect();
                if let Some(bad) = names.iter().find(|n| !is_identifier(n)) {
                    return Err(usage(format!("`--outputs {v}`: `{bad}` is not a name")));
                }
                if o.outputs.replace(names).is_some() {
                    return Err(usage("`--outputs` given twice"));
                }
            }
            "--threads" | "-j" => {
                let v = value("a number")?;
                let n = v.parse::<usize>().ok().filter(|&n| n >= 1).ok_or_else(|| {
                    usage(format!("`--threads {v}`: expected a whole number >= 1"))
                })?;
                o.threads = Some(n);
            }
            "--quick" if inline.is_none() => o.quick = true,
            "--language" if inline.is_none() => o.language = true,
            "-h" | "--help" if inline.is_none() => o.help = true,
            f if f.starts_with("--") => return Err(usage(format!("unknown option `{arg}`"))),
            _ => o.positional.push(arg.clone()),
        }
    }
    Ok(o)
}

/// Splits `EXPR NAME=VALUE...`, checking names.
fn expr_and_pairs(positional: &[String]) -> Result<(String, Vec<(String, String)>), UsageError> {
    let Some((expr, rest)) = positional.split_first() else {
        return Err(usage("missing the expression"));
    };
    let mut pairs: Vec<(String, String)> = Vec::with_capacity(rest.len());
    for arg in rest {
        let Some((name, value)) = arg.split_once('=') else {
            return Err(usage(format!("`{arg}`: inputs are written NAME=VALUE")));
        };
        if !is_identifier(name) {
            return Err(usage(format!("`{name}` is not a valid input name")));
        }
        if pairs.iter().any(|(n, _)| n == name) {
            return Err(usage(format!("input `{name}` given twice")));
        }
        pairs.push((name.to_owned(), value.to_owned()));
    }
    Ok((expr.clone(), pairs))
}

/// `[A-Za-z_][A-Za-z0-9_]*`, the names the expression language has.
fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The NumPy spelling of a dtype whose bit count `name` gives (`f64`, `i32`), if it is one.
/// NumPy's codes count bytes, so these are refused with a hint rather than guessed.
fn numpy_spelling(name: &str) -> Option<&'static str> {
    Some(match name {
        "i16" => "int16 or i2",
        "i32" => "int32 or i4",
        "i64" => "int64 or i8",
        "u16" => "uint16 or u2",
        "u32" => "uint32 or u4",
        "u64" => "uint64 or u8",
        "f32" => "float32 or f4",
        "f64" => "float64 or f8",
        "c64" => "complex64 or c8",
        "c128" => "complex128 or c16",
        _ => return None,
    })
}

/// Reads a dtype argument ([`DType::from_name`]: NumPy's names and codes).
pub fn dtype_arg(name: &str) -> Result<DType, UsageError> {
    DType::from_name(name).ok_or_else(|| match numpy_spelling(name) {
        Some(numpy) => usage(format!(
            "`{name}` is not a NumPy dtype (its codes count bytes): write {numpy}"
        )),
        None => usage(format!("`{name}` is not a dtype")),
    })
}

/// Reads a `NAME=VALUE` value: a scalar if it looks like one, else a file path.
pub fn parse_input(value: &str) -> Result<Input, UsageError> {
    if let Some((prefix, rest)) = value.split_once(':') {
        if let Some(dtype) = DType::from_name(prefix) {
            return parse_typed(dtype, rest).map(Input::Scalar);
        }
        // `f64:1.5` is a mistyped dtype, not a file name.
        if numpy_spelling(prefix).is_some() {
            return Err(dtype_arg(prefix).unwrap_err());
        }
    }
    match value {
        "True" | "true" => return Ok(Input::Scalar(Scalar::Bool(true))),
        "False" | "false" => return Ok(Input::Scalar(Scalar::Bool(false))),
        _ => {}
    }
    if looks_like_integer(value) {
        return value
            .parse::<i64>()
            .map(|v| Input::Scalar(Scalar::I64(v)))
            .map_err(|_| {
                usage(format!(
                    "`{value}` does not fit in int64; write uint64:{value} or a float"
                ))
            });
    }
    if looks_like_number(value) {
        if let Ok(v) = value.parse::<f64>() {
            return Ok(Input::Scalar(Scalar::F64(v)));
        }
    }
    if value.is_empty() {
        return Err(usage("empty input value"));
    }
    Ok(Input::File(PathBuf::from(value)))
}

/// An optionally signed run of decimal digits.
fn looks_like_integer(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit())
}

/// Starts like a number (digit, sign or point) or is `inf`/`nan`, so that file names such
/// as `e.npy` are never mistaken for numbers.
fn looks_like_number(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let lower = body.to_ascii_lowercase();
    body.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        || matches!(lower.as_str(), "inf" | "infinity" | "nan")
}

/// Parses `text` as a value of `dtype`, refusing out-of-range or fractional integers.
pub fn parse_typed(dtype: DType, text: &str) -> Result<Scalar, UsageError> {
    let bad = || usage(format!("`{text}` is not a valid {dtype} value"));
    if dtype == DType::Bool {
        return match text {
            "True" | "true" | "1" => Ok(Scalar::Bool(true)),
            "False" | "false" | "0" => Ok(Scalar::Bool(false)),
            _ => Err(bad()),
        };
    }
    if dtype.is_complex() {
        let (re, im) = complex_parts(text).ok_or_else(bad)?;
        let part = |t: &str| match parse_typed(dtype.real_part(), t) {
            Ok(Scalar::F32(v)) => Ok(v as f64),
            Ok(Scalar::F64(v)) => Ok(v),
            _ => Err(bad()),
        };
        let (re, im) = (part(re)?, part(im)?);
        return Ok(match dtype {
            DType::C64 => Scalar::C64(jitex::types::Complex32::new(re as f32, im as f32)),
            _ => Scalar::C128(jitex::types::Complex64::new(re, im)),
        });
    }
    if dtype.is_float() {
        if !looks_like_number(text) {
            return Err(bad());
        }
        // Parse at the target precision so `f4:0.1` rounds once, like numpy.float32("0.1").
        return match dtype {
            DType::F32 => text.parse::<f32>().map(Scalar::F32).map_err(|_| bad()),
            _ => text.parse::<f64>().map(Scalar::F64).map_err(|_| bad()),
        };
    }
    if !looks_like_integer(text) {
        return Err(bad());
    }
    let v: i128 = text.parse().map_err(|_| bad())?;
    let (lo, hi): (i128, i128) = match dtype {
        DType::I8 => (i8::MIN.into(), i8::MAX.into()),
        DType::I16 => (i16::MIN.into(), i16::MAX.into()),
        DType::I32 => (i32::MIN.into(), i32::MAX.into()),
        DType::I64 => (i64::MIN.into(), i64::MAX.into()),
        DType::U8 => (0, u8::MAX.into()),
        DType::U16 => (0, u16::MAX.into()),
        DType::U32 => (0, u32::MAX.into()),
        _ => (0, u64::MAX.into()),
    };
    if v < lo || v > hi {
        return Err(usage(format!("{text} is out of range for {dtype}")));
    }
    // In range, so the wrapping cast from i64 bits is exact.
    Ok(Scalar::I64(v as i64).cast(dtype))
}

/// Splits Python's complex syntax (`1+2j`, `-2.5j`, `3`, `(1e3-4j)`) into real and
/// imaginary texts.
fn complex_parts(text: &str) -> Option<(&str, &str)> {
    let t = text
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .unwrap_or(text);
    let Some(body) = t.strip_suffix(['j', 'J']) else {
        return Some((t, "0"));
    };
    // The imaginary part starts at the last sign that is not an exponent's.
    let b = body.as_bytes();
    let split = (1..b.len())
        .rev()
        .find(|&i| matches!(b[i], b'+' | b'-') && !matches!(b[i - 1], b'e' | b'E'));
    Some(match split {
        Some(i) => (&body[..i], &body[i..]),
        None => ("0", body),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complex_scalars_use_python_syntax() {
        use jitex::types::Complex64;
        let c = |s| parse_typed(DType::C128, s).unwrap();
        assert_eq!(c("1+2j"), Scalar::C128(Complex64::new(1.0, 2.0)));
        assert_eq!(c("(1e3-4j)"), Scalar::C128(Complex64::new(1000.0, -4.0)));
        assert_eq!(c("-2.5j"), Scalar::C128(Complex64::new(0.0, -2.5)));
        assert_eq!(c("1e-3+1e+2j"), Scalar::C128(Complex64::new(1e-3, 100.0)));
        assert_eq!(c("3"), Scalar::C128(Complex64::new(3.0, 0.0)));
        assert!(parse_typed(DType::C64, "1+j").is_err());
        assert!(parse_typed(DType::C64, "abc").is_err());
    }

    fn args(s: &[&str]) -> Vec<String> {
        s.iter().map(|a| a.to_string()).collect()
    }

    #[test]
    fn eval_with_files_scalars_and_options() {
        let cmd = parse(&args(&[
            "eval",
            "2*a + b",
            "a=a.npy",
            "b=3.5",
            "c=int32:7",
            "d=4",
            "-o",
            "out.npy",
            "--threads=2",
        ]))
        .unwrap();
        assert_eq!(
            cmd,
            Command::Eval {
                expr: "2*a + b".into(),
                inputs: vec![
                    ("a".into(), Input::File("a.npy".into())),
                    ("b".into(), Input::Scalar(Scalar::F64(3.5))),
                    ("c".into(), Input::Scalar(Scalar::I32(7))),
                    ("d".into(), Input::Scalar(Scalar::I64(4))),
                ],
                output: vec!["out.npy".into()],
                outputs: None,
                threads: Some(2),
            }
        );
    }

    #[test]
    fn expressions_starting_with_minus_are_positional() {
        let Command::Eval { expr, .. } = parse(&args(&["eval", "-a*b", "a=1", "b=2"])).unwrap()
        else {
            panic!("not eval")
        };
        assert_eq!(expr, "-a*b");
        let Command::Eval { expr, .. } = parse(&args(&["eval", "--", "--a"])).unwrap() else {
            panic!("not eval")
        };
        assert_eq!(expr, "--a");
    }

    #[test]
    fn scalar_literals_follow_the_documented_rules() {
        let s = |v: &str| match parse_input(v).unwrap() {
            Input::Scalar(s) => Some(s),
            Input::File(_) => None,
        };
        assert_eq!(s("-12"), Some(Scalar::I64(-12)));
        assert_eq!(s("1e3"), Some(Scalar::F64(1000.0)));
        assert_eq!(s(".5"), Some(Scalar::F64(0.5)));
        assert_eq!(s("-inf"), Some(Scalar::F64(f64::NEG_INFINITY)));
        assert!(matches!(s("nan"), Some(Scalar::F64(v)) if v.is_nan()));
        assert_eq!(s("True"), Some(Scalar::Bool(true)));
        assert_eq!(s("u1:255"), Some(Scalar::U8(255)));
        // NumPy's codes count bytes.
        assert_eq!(s("i8:-5"), Some(Scalar::I64(-5)));
        assert_eq!(s("u8:7"), Some(Scalar::U64(7)));
        assert_eq!(s("f4:0.5"), Some(Scalar::F32(0.5)));
        assert_eq!(s("?:1"), Some(Scalar::Bool(true)));
        assert_eq!(s("bool:0"), Some(Scalar::Bool(false)));
        assert_eq!(s("float32:0.1"), Some(Scalar::F32(0.1)));
        assert_eq!(
            s("uint64:18446744073709551615"),
            Some(Scalar::U64(u64::MAX))
        );
        assert_eq!(s("int8:-128"), Some(Scalar::I8(-128)));
        // Not numbers: paths.
        assert_eq!(s("e.npy"), None);
        assert_eq!(s("./3"), None);
        assert_eq!(s("C:/data/a.npy"), None);
    }

    #[test]
    fn bad_scalars_are_usage_errors() {
        for v in [
            "int8:128",
            "u1:-1",
            "i1:128",
            "int32:7.5",
            "f8:abc",
            "f64:1.5",
            "bool:2",
            "99999999999999999999",
            "",
            "i4:",
        ] {
            assert!(parse_input(v).is_err(), "{v} should be refused");
        }
    }

    #[test]
    fn explain_takes_dtypes() {
        assert_eq!(
            parse(&args(&[
                "explain", "a+b+c+d", "a=f8", "b=int32", "c=i8", "d=U3"
            ]))
            .unwrap(),
            Command::Explain {
                expr: "a+b+c+d".into(),
                inputs: vec![
                    ("a".into(), DType::F64),
                    ("b".into(), DType::I32),
                    ("c".into(), DType::I64),
                    ("d".into(), DType::Str(3)),
                ]
            }
        );
        assert!(parse(&args(&["explain", "a", "a=float128"])).is_err());
        // Bit-count names are refused with NumPy's spelling.
        let err = parse(&args(&["explain", "a", "a=f64"])).unwrap_err();
        assert!(
            err.0.contains("float64 or f8") && err.0.contains("input `a`"),
            "{}",
            err.0
        );
    }

    #[test]
    fn bench_flags() {
        assert_eq!(
            parse(&args(&["bench", "--quick", "--threads", "4"])).unwrap(),
            Command::Bench {
                quick: true,
                threads: Some(4),
                language: false,
            }
        );
        assert_eq!(parse(&args(&["bench", "-h"])).unwrap(), Command::Help);
    }

    #[test]
    fn malformed_command_lines_are_refused() {
        let bad: &[&[&str]] = &[
            &[],
            &["frobnicate"],
            &["eval"],
            &["eval", "a", "a"],
            &["eval", "a", "1a=3"],
            &["eval", "a", "a=1", "a=2"],
            &["eval", "a", "-o"],
            &["eval", "a", "-o", "x", "-o", "y"],
            &["eval", "a", "--threads", "0"],
            &["eval", "a", "--threads", "-3"],
            &["eval", "a", "--threads", "many"],
            &["eval", "a", "--frob"],
            &["eval", "a", "--quick"],
            &["explain", "a", "--threads", "2"],
            &["bench", "extra"],
            &["bench", "-o", "x"],
        ];
        for line in bad {
            assert!(parse(&args(line)).is_err(), "{line:?} should be refused");
        }
    }
}
