//! Procedural macros for luna (re-exported by the `luna` crate), split as
//! pyo3's `#[pyclass]` and `#[pymethods]`: `#[derive(LuaUserdata)]` makes a
//! type a userdata (it always implements `LuaUserdata`, exposing its
//! named fields as mlua's derive does), and `#[luna::methods]` on an
//! `impl` block of the type exposes its functions and constants to the
//! derive's impl (it never
//! implements the trait; on a type that does not derive it, it is a
//! compile error).
//!
//! This file holds the entry points only. `attr` reads the `#[lua(...)]`
//! helper attribute, `parse` reads the inputs into a model, `valid`
//! checks the model, `expand` generates the code (and says how the two
//! macros meet), and `errors` collects every mistake so that all of them
//! are reported at once, each at the tokens it concerns.

mod attr;
mod chunk;
mod errors;
mod expand;
mod from_lua;
mod parse;
mod valid;

use proc_macro::TokenStream;
use syn::parse_macro_input;

/// `#[derive(LuaUserdata)]`: implements `luna::LuaUserdata` for a struct,
/// enum or union without generic parameters.
///
/// As mlua's derive, every named field of a struct is exposed, readable
/// and writable, unless it has `#[lua(skip)]`; `#[lua(get)]` or
/// `#[lua(set)]` alone limits the access (`#[lua(get, set)]` and a bare
/// `#[lua]` change nothing), and `#[lua(name = "...")]` renames it. A
/// tuple struct's fields are exposed once they have a name; a union's
/// fields never (reading one is `unsafe`). Getters clone the field and
/// convert it with `IntoLua`; setters convert with `FromLua`, so a field
/// whose type does not convert needs `#[lua(skip)]`. `#[lua(name =
/// "...")]` on the type sets its `__name` (the Rust name by default). The
/// methods, metamethods and constructors come from a `#[luna::methods]`
/// block of the type, if there is one.
#[proc_macro_derive(LuaUserdata, attributes(lua))]
pub fn derive_lua_userdata(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input).into()
}

/// `#[luna::methods]`: exposes the functions of an inherent `impl` block of
/// a type that has `#[derive(LuaUserdata)]`, `pub` or not, unless they
/// have `#[lua(skip)]` (mlua's rule). A type may have several blocks (up
/// to 8). The attribute takes no arguments.
///
/// The receiver decides the registration: `&self` is a method, `&mut
/// self` a mutable method, `self` a method consuming the value (later
/// uses of the userdata fail), none a function of the class table (a
/// constructor: `Vec3.new(1, 2, 3)`). A leading `&Lua` parameter receives
/// the state; `&T`/`&mut T` parameters borrow userdata, `&str`/`&[u8]`
/// borrow strings, each also as `Option<...>` (nil gives `None`); other
/// parameters convert with `FromLua`. `Result` returns raise their errors.
/// On a function: `#[lua(skip)]`, `#[lua(name = "...")]`, `#[lua(meta =
/// "add")]` (any metamethod but `__gc`, with or without the `__`), or
/// mlua's `#[lua(meta)]` with the event in `name` or the function's name
/// (`fn __tostring`), `#[lua(get)]`/`#[lua(set)]` or mlua's
/// `getter`/`setter` (a field getter or setter; a setter named `set_x`
/// sets `x`), `#[lua(field)]` (a function without arguments whose result
/// is a constant field, a meta field with `meta`), and `infallible`,
/// which changes nothing (a `Result` return is recognised by its type).
/// Associated constants are fields too (`name`, `skip`; `meta` for a meta
/// field).
#[proc_macro_attribute]
pub fn methods(args: TokenStream, input: TokenStream) -> TokenStream {
    let item = parse_macro_input!(input as syn::Item);
    let line = proc_macro::Span::call_site().line();
    expand::methods(args.into(), item, line).into()
}

/// `#[derive(FromLua)]`: converts a userdata holding the type back into a
/// copy of its value (the type must be `Clone`), so that functions and
/// methods can take it by value. Generic types and where clauses are
/// kept; the impl adds `Self: 'static + Clone`.
#[proc_macro_derive(FromLua)]
pub fn derive_from_lua(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as syn::DeriveInput);
    from_lua::derive(&input).into()
}

/// `chunk! { ... }`: Lua code written inline, as mlua's macro, for
/// `Lua::load`. `$name` captures the Rust variable `name` (converted with
/// `IntoLua` when the chunk is loaded); the chunk sees it as a variable of
/// its environment, whose other names are the globals. Lines are kept, so
/// messages give the line within the chunk. Rust reads the tokens first:
/// strings are double-quoted, `--` comments run to the end of the line,
/// and `//` is a Rust comment (see the module `chunk`).
#[proc_macro]
pub fn chunk(input: TokenStream) -> TokenStream {
    chunk::expand(input).into()
}
