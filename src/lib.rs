//! The workspace package: it owns the integration tests in `tests/` and
//! the embedding examples in `examples/`; it has no code of its own.
