//! The `#[lua(...)]` helper attribute: its syntax (`key` flags and
//! `key = "string"` values, comma-separated, over one or more attributes;
//! a bare `#[lua]` has no keys, as in mlua),
//! the keys each kind of item accepts, and the syntactic mistakes (unknown,
//! duplicate, missing or unexpected values, misplaced attributes). What
//! the keys mean together is checked by `valid`.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, ExprLit, Lit, LitStr, Token};

use crate::errors::Errors;

/// A key `#[lua(...)]` accepts, and whether it takes a value.
pub struct Key(&'static str, Takes);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Takes {
    Nothing,
    Value,
    /// A flag or a value (`meta` and `meta = "add"`).
    Either,
}

/// The keys of `#[lua(...)]` on the type that derives `LuaUserdata`.
pub const TYPE_KEYS: &[Key] = &[Key("name", Takes::Value)];

/// The keys of `#[lua(...)]` on a field.
pub const FIELD_KEYS: &[Key] =
    &[Key("get", Takes::Nothing), Key("set", Takes::Nothing), Key("skip", Takes::Nothing), Key("name", Takes::Value)];

/// The keys of `#[lua(...)]` on a function of a `#[luna::methods]` block:
/// luna's, and mlua's (`getter`/`setter` for `get`/`set`, `meta` as a flag
/// with the event in `name` or the function's name, `field` for a
/// constant computed at registration, `infallible`, which changes nothing:
/// a `Result` return is recognised by its type).
pub const METHOD_KEYS: &[Key] = &[
    Key("skip", Takes::Nothing),
    Key("name", Takes::Value),
    Key("meta", Takes::Either),
    Key("get", Takes::Nothing),
    Key("set", Takes::Nothing),
    Key("getter", Takes::Nothing),
    Key("setter", Takes::Nothing),
    Key("field", Takes::Nothing),
    Key("infallible", Takes::Nothing),
];

/// The keys of `#[lua(...)]` on an associated constant of a
/// `#[luna::methods]` block (a field, or with `meta` a meta field).
pub const CONST_KEYS: &[Key] = &[Key("skip", Takes::Nothing), Key("name", Takes::Value), Key("meta", Takes::Nothing)];

/// The keys found in an item's `#[lua(...)]` attributes, each once.
#[derive(Default)]
pub struct Options {
    flags: Vec<(&'static str, Span)>,
    values: Vec<(&'static str, LitStr)>,
}

impl Options {
    /// Reads every `#[lua(...)]` among `attrs`, reporting what `keys` does
    /// not allow; the keys that are well formed are kept.
    pub fn parse(attrs: &[Attribute], keys: &[Key], errors: &mut Errors) -> Options {
        let mut opts = Options::default();
        for attr in attrs.iter().filter(|a| is_lua(a)) {
            if matches!(attr.meta, syn::Meta::Path(_)) {
                continue;
            }
            match attr.parse_args_with(Punctuated::<Entry, Token![,]>::parse_terminated) {
                Ok(entries) => entries.into_iter().for_each(|entry| opts.add(entry, keys, errors)),
                Err(e) => errors.push_error(e),
            }
        }
        opts
    }

    /// Where the flag `key` was given.
    pub fn flag(&self, key: &str) -> Option<Span> {
        self.flags.iter().find(|(k, _)| *k == key).map(|(_, s)| *s)
    }

    /// The value given to `key`.
    pub fn value(&self, key: &str) -> Option<&LitStr> {
        self.values.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    fn add(&mut self, entry: Entry, keys: &[Key], errors: &mut Errors) {
        let name = entry.key.to_string();
        let Some(&Key(key, takes)) = keys.iter().find(|k| k.0 == name) else {
            let known: Vec<String> = keys.iter().map(|k| format!("`{}`", k.0)).collect();
            let msg = format!("unknown key `{name}` (expected one of {})", known.join(", "));
            return errors.push(entry.key.span(), msg);
        };
        if self.flag(key).is_some() || self.value(key).is_some() {
            return errors.push(entry.key.span(), format!("duplicate key `{key}`"));
        }
        match (takes, entry.value) {
            (Takes::Nothing | Takes::Either, None) => self.flags.push((key, entry.key.span())),
            (Takes::Nothing, Some(v)) => errors.push_spanned(v, format!("`{key}` takes no value")),
            (Takes::Value, None) => errors.push(entry.key.span(), format!("`{key}` needs a value: {key} = \"...\"")),
            (Takes::Value | Takes::Either, Some(Expr::Lit(ExprLit { lit: Lit::Str(s), .. }))) => {
                self.values.push((key, s))
            }
            (Takes::Value | Takes::Either, Some(v)) => {
                errors.push_spanned(v, format!("`{key}` takes a string literal: {key} = \"...\""))
            }
        }
    }
}

/// Whether `attr` is a `#[lua(...)]` attribute.
pub fn is_lua(attr: &Attribute) -> bool {
    attr.path().is_ident("lua")
}

/// Reports every `#[lua(...)]` among `attrs`, which sit where they mean
/// nothing, with `why`.
pub fn reject(attrs: &[Attribute], why: &str, errors: &mut Errors) {
    for attr in attrs.iter().filter(|a| is_lua(a)) {
        errors.push_spanned(attr, why);
    }
}

/// Removes the `#[lua(...)]` attributes, which only the macros read.
pub fn strip(attrs: &mut Vec<Attribute>) {
    attrs.retain(|a| !is_lua(a));
}

/// One `key` or `key = value` inside `#[lua(...)]`. Any expression is read
/// as the value, so that a value of the wrong kind is reported as such.
struct Entry {
    key: syn::Ident,
    value: Option<Expr>,
}

impl Parse for Entry {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let key: syn::Ident = input.parse()?;
        let value = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Some(input.parse::<Expr>()?)
        } else {
            None
        };
        Ok(Entry { key, value })
    }
}
