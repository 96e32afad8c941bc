//! Reference evaluator (stub).
