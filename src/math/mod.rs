//! Math kernels (stub).
