//! Derive macros for luna.
