//! pow pass (stub).
