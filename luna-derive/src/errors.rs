//! The error collector every pass of both macros reports into. A mistake
//! does not stop the pass that finds it: each one becomes a `syn::Error`
//! at the tokens it concerns, and all of them come out together as
//! `compile_error!` invocations next to the stub the macro emits instead
//! of its real output (`expand`).

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;

/// The mistakes found so far in one macro input.
#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    /// Reports `msg` at `span` (one token).
    pub fn push(&mut self, span: Span, msg: impl std::fmt::Display) {
        self.push_error(syn::Error::new(span, msg));
    }

    /// Reports `msg` over all of `tokens` (from the first to the last).
    pub fn push_spanned(&mut self, tokens: impl ToTokens, msg: impl std::fmt::Display) {
        self.push_error(syn::Error::new_spanned(tokens, msg));
    }

    /// Reports an error built elsewhere (a parse error of an attribute).
    pub fn push_error(&mut self, e: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }

    /// Whether nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// How many errors were reported.
    pub fn count(&self) -> usize {
        self.0.as_ref().map_or(0, |e| e.into_iter().count())
    }

    /// The reported errors as `compile_error!` invocations (nothing when
    /// there are none).
    pub fn into_compile_errors(self) -> TokenStream {
        self.0.map(|e| e.to_compile_error()).unwrap_or_default()
    }
}
