//! Reference evaluator (stub).
use crate::ir::Program;
use crate::types::Scalar;

/// Evaluates `program` on one element of each input (stub until the interpreter lands).
pub fn eval_element(program: &Program, inputs: &[Scalar]) -> Scalar {
    let _ = (program, inputs);
    todo!("interp::eval_element")
}
