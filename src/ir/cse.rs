//! cse pass (stub).
