//! fold pass (stub).
