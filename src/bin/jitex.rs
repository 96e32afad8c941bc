//! `jitex`: evaluate expressions on `.npy` files, show how they compile, and benchmark.
//!
//! ```text
//! jitex eval "2*a + 3*sin(b)**2" a=a.npy b=b.npy -o out.npy
//! jitex explain "2*a + b" a=float64 b=i4
//! jitex bench [--quick]
//! ```
//!
//! Every failure prints a message (with carets under the offending part of the
//! expression) to stderr and exits with status 1; nothing the user types makes it panic.

// A crate root's modules resolve beside it (src/bin/), so point them into src/bin/jitex/.
#[path = "jitex/args.rs"]
mod args;
#[path = "jitex/bench.rs"]
mod bench;
#[path = "jitex/bench_lang.rs"]
mod bench_lang;
#[path = "jitex/handloops.rs"]
mod handloops;
#[path = "jitex/print.rs"]
mod print;
#[path = "jitex/repr.rs"]
mod repr;
#[path = "jitex/stream.rs"]
mod stream;

use args::{Command, Input, USAGE};
use jitex::npy::{self, NpyArray};
use jitex::{Arg, Backend, EvalOptions, Expr};
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let argv: Vec<String> = match std::env::args_os()
        .skip(1)
        .map(|a| a.into_string())
        .collect()
    {
        Ok(v) => v,
        Err(bad) => {
            eprintln!("error: argument {bad:?} is not valid UTF-8");
            return ExitCode::FAILURE;
        }
    };
    let cmd = match args::parse(&argv) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    // A panic would be a jitex bug; report it as one error line instead of a backtrace dump.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("error: internal error (please report this jitex bug): {info}");
    }));
    match std::panic::catch_unwind(|| run(cmd)) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(msg)) => {
            eprintln!("{msg}");
            ExitCode::FAILURE
        }
        Err(_) => ExitCode::FAILURE,
    }
}

/// Runs one command; `Err` holds the rendered message for stderr.
fn run(cmd: Command) -> Result<(), String> {
    match cmd {
        Command::Help => emit(&format!("{USAGE}\n")),
        Command::Eval {
            expr,
            inputs,
            output,
            outputs,
            threads,
        } => {
            let render = |e: jitex::Error| e.render(&expr);
            let compiled = match &outputs {
                None => Expr::compile(&expr),
                Some(o) => {
                    Expr::compile_outputs(&expr, &o.iter().map(String::as_str).collect::<Vec<_>>())
                }
            }
            .map_err(render)?;
            // Load every file first: the arrays must outlive the views passed to eval.
            let mut files: Vec<(String, NpyArray)> = Vec::new();
            let mut scalars: Vec<(String, jitex::Scalar)> = Vec::new();
            for (name, input) in inputs {
                match input {
                    Input::File(path) => files.push((name, npy::read(&path).map_err(render)?)),
                    Input::Scalar(s) => scalars.push((name, s)),
                }
            }
            let mut named: Vec<(&str, Arg)> = files
                .iter()
                .map(|(n, a)| (n.as_str(), Arg::Array(a.view())))
                .collect();
            named.extend(scalars.iter().map(|(n, s)| (n.as_str(), Arg::Scalar(*s))));
            let opts = EvalOptions {
                backend: Backend::Jit,
                threads,
                ..Default::default()
            };
            let results = compiled.eval_all_with(&named, &opts).map_err(render)?;
            if !output.is_empty() {
                for (path, r) in output.iter().zip(&results) {
                    npy::write(path, r.dtype(), r.shape(), r.as_bytes()).map_err(render)?;
                }
                return Ok(());
            }
            let mut text = String::new();
            for (i, r) in results.iter().enumerate() {
                if let Some(o) = &outputs {
                    text.push_str(&format!("{}: ", o[i]));
                }
                text.push_str(&format!(
                    "shape {}, dtype {}\n{}\n",
                    npy::shape_str(r.shape()),
                    r.dtype(),
                    print::format_array(r.dtype(), r.shape(), r.as_bytes())
                ));
            }
            emit(&text)
        }
        Command::Explain { expr, inputs } => {
            let render = |e: jitex::Error| e.render(&expr);
            let compiled = Expr::compile(&expr).map_err(render)?;
            let named: Vec<(&str, jitex::DType)> =
                inputs.iter().map(|(n, d)| (n.as_str(), *d)).collect();
            let ex = compiled.explain(&named).map_err(render)?;
            emit(&format!(
                "== AST ==\n{}\n\n== typed IR ==\n{}\n\n== optimised IR ==\n{}\n\n== Cranelift IR ==\n{}\n\n== machine code: {} bytes ==\n",
                ex.ast.trim_end(),
                ex.ir.trim_end(),
                ex.optimized.trim_end(),
                ex.clif.trim_end(),
                ex.code_size
            ))
        }
        Command::Bench {
            quick,
            threads,
            language: false,
        } => bench::run(quick, threads),
        Command::Bench {
            quick,
            threads,
            language: true,
        } => bench_lang::run(quick, threads),
    }
}

/// Writes to stdout; a closed pipe (`jitex eval ... | head`) ends quietly instead of panicking.
fn emit(text: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("error: cannot write to stdout: {e}")),
    }
}
