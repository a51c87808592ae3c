//! Validation of the parsed model: which keys go together, which types,
//! receivers, parameters and return types the generated code supports,
//! which metamethod names exist, and that no two items claim one Lua
//! name. Every mistake is reported at the tokens it concerns; nothing
//! here stops at the first. `expand` runs only on a model that passed.

use std::collections::HashMap;

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{LitStr, Type};

use crate::errors::Errors;
use crate::parse::{Args, Field, Method, Methods, Param, Receiver, Returns, Role, UnsupportedParam, Userdata};

/// The metamethods a function can be registered as (`meta = "add"` or
/// `meta = "__add"`): every event of the Lua 5.4 reference manual that
/// takes a function, except `__gc` (the Rust value's drop is the
/// finalizer).
const METAMETHODS: &[&str] = &[
    "add", "sub", "mul", "div", "mod", "pow", "unm", "idiv", "band", "bor", "bxor", "bnot", "shl", "shr", "concat",
    "len", "eq", "lt", "le", "call", "index", "newindex", "tostring", "close", "pairs",
];

/// Checks a `#[derive(LuaUserdata)]` input.
pub fn userdata(ud: &Userdata, errors: &mut Errors) {
    if !ud.generics.params.is_empty() {
        errors.push_spanned(ud.generics, "generic types are not supported by #[derive(LuaUserdata)]");
    }
    if let Some(name) = &ud.name {
        non_empty(name, errors);
    }
    for field in &ud.fields {
        field_keys(field, errors);
    }
    let mut getters = Names::default();
    let mut setters = Names::default();
    for field in ud.fields.iter().filter(|f| f.exposed()) {
        let (Some(name), Some(span)) = (field.lua_name(), field_span(field)) else { continue };
        let what = format!("field `{}`", field_label(field));
        if field.getter() {
            getters.claim(&name, what.clone(), span, "field", errors);
        }
        if field.setter() {
            setters.claim(&name, what, span, "field", errors);
        }
    }
}

fn field_keys(field: &Field, errors: &mut Errors) {
    if let Some(skip) = field.skip {
        if field.get.is_some() || field.set.is_some() || field.name.is_some() {
            errors.push(skip, "`skip` cannot be combined with other keys");
        }
        return;
    }
    let key = field.get.or(field.set);
    if field.in_union {
        // A union's fields are hidden unless asked for, which cannot be.
        if let Some(span) = key.or_else(|| field.name.as_ref().map(LitStr::span)) {
            errors.push(
                span,
                "a union field cannot be exposed: reading it is `unsafe` (write a getter in a #[luna::methods] block)",
            );
        }
        return;
    }
    if !field.exposed() {
        // A tuple field without keys.
        return;
    }
    match (&field.name, key) {
        (Some(name), _) => non_empty(name, errors),
        (None, Some(key)) if field.field.ident.is_none() => {
            errors.push(key, "a tuple field needs a Lua name to be exposed: #[lua(get, name = \"...\")]")
        }
        (None, _) => {}
    }
    if let Some(msg) = unsupported_field_type(&field.field.ty) {
        if field.implicit() {
            let hint = "a field without keys is exposed: mark it #[lua(skip)] to hide it";
            errors.push_spanned(&field.field.ty, format!("{msg}; {hint}"));
        } else {
            errors.push_spanned(&field.field.ty, msg);
        }
    }
}

/// Why a field of type `ty` cannot be exposed, if it cannot.
fn unsupported_field_type(ty: &Type) -> Option<&'static str> {
    match ty {
        Type::Reference(_) => Some("unsupported field type: a reference cannot be exposed to Lua (use an owned type)"),
        Type::Ptr(_) => Some("unsupported field type: raw pointers cannot be exposed to Lua"),
        Type::ImplTrait(_) | Type::TraitObject(_) => {
            Some("unsupported field type: trait objects cannot be exposed to Lua")
        }
        Type::BareFn(_) => Some("unsupported field type: function pointers cannot be exposed to Lua"),
        _ => None,
    }
}

/// Where a duplicate field name is reported: the given name, else the field.
fn field_span(field: &Field) -> Option<Span> {
    match (&field.name, &field.field.ident) {
        (Some(name), _) => Some(name.span()),
        (None, Some(ident)) => Some(ident.span()),
        (None, None) => None,
    }
}

fn field_label(field: &Field) -> String {
    match &field.field.ident {
        Some(ident) => ident.to_string(),
        None => quote::ToTokens::to_token_stream(&field.member).to_string(),
    }
}

/// Checks a `#[luna::methods]` block.
pub fn methods(block: &Methods, errors: &mut Errors) {
    match &block.args {
        Args::None => {}
        Args::Derived(ident) => errors.push(
            ident.span(),
            "`derived` is not needed: #[luna::methods] never implements `LuaUserdata` (the type's \
             #[derive(LuaUserdata)] does, and picks these methods up); remove the argument",
        ),
        Args::Other(tokens) => {
            errors.push_spanned(tokens, format!("unknown argument `{tokens}`: #[luna::methods] takes no arguments"))
        }
    }
    if let Some((_, path, _)) = &block.block.trait_ {
        errors.push_spanned(path, "#[luna::methods] goes on an inherent impl block, not a trait impl");
    }
    if !block.block.generics.params.is_empty() {
        errors.push_spanned(&block.block.generics, "generic types are not supported by #[luna::methods]");
    }
    let mut names = Names::default();
    let mut metas = Names::default();
    let mut getters = Names::default();
    let mut setters = Names::default();
    for method in &block.fns {
        if !method_is_valid(method, errors) {
            continue;
        }
        let what = format!("`fn {}`", method.ident());
        let span = method.name.as_ref().map_or_else(|| method.span(), LitStr::span);
        match method.role() {
            Role::Plain | Role::Field if method.meta_flag.is_none() => {
                names.claim(&method.lua_name(), what, span, "function", errors)
            }
            Role::Plain | Role::Field => {}
            Role::MetaFlag => {
                if let Some(key) = method.meta_flag_key() {
                    metas.claim(&key, what, span, "metamethod", errors);
                }
            }
            Role::Getter => getters.claim(&method.lua_name(), what, span, "getter", errors),
            Role::Setter => setters.claim(&method.lua_name(), what, span, "setter", errors),
            Role::Meta(meta) => {
                let event = meta.value();
                let event = event.strip_prefix("__").unwrap_or(&event);
                metas.claim(&format!("__{event}"), what, meta.span(), "metamethod", errors);
            }
        }
    }
}

/// Checks one function; `false` when it is skipped or has a mistake.
fn method_is_valid(method: &Method, errors: &mut Errors) -> bool {
    let before = errors.count();
    if let Some(skip) = method.skip {
        if method.name.is_some()
            || method.meta.is_some()
            || method.meta_flag.is_some()
            || method.field.is_some()
            || method.get.is_some()
            || method.set.is_some()
        {
            errors.push(skip, "`skip` cannot be combined with other keys");
        }
        return false;
    }
    signature(method, errors);
    keys(method, errors);
    errors.count() == before
}

/// What the generated call supports of the function's signature.
fn signature(method: &Method, errors: &mut Errors) {
    let sig = &method.func.sig;
    if !sig.generics.params.is_empty() {
        errors.push_spanned(&sig.generics, "generic methods are not supported by #[luna::methods] (use #[lua(skip)])");
    }
    if let Some(a) = &sig.asyncness {
        errors.push(a.span(), "async methods are not supported by #[luna::methods] (use #[lua(skip)])");
    }
    if let Some(u) = &sig.unsafety {
        errors.push(u.span(), "unsafe functions are not supported by #[luna::methods] (use #[lua(skip)])");
    }
    match &method.receiver {
        // A plain method may consume the value (mlua's `add_method_once`).
        Receiver::ByValue(_) if matches!(method.role(), Role::Plain) => {}
        Receiver::ByValue(r) => {
            errors.push_spanned(r, "`self` by value is only supported by plain methods: take `&self` or `&mut self`");
        }
        Receiver::Typed(r) => errors.push_spanned(
            r,
            "unsupported receiver: take `&self` or `&mut self` (the userdata owns the value; it lends it out)",
        ),
        Receiver::None | Receiver::Ref | Receiver::RefMut => {}
    }
    for param in &method.params {
        if let Param::Unsupported(ty, why) = param {
            errors.push_spanned(ty, unsupported_param(*why));
        }
    }
    match &method.returns {
        Returns::Borrowed(ty) => errors
            .push_spanned(ty, "unsupported return type: a reference cannot outlive the call (return an owned value)"),
        Returns::ImplTrait(ty) => errors.push_spanned(
            ty,
            "unsupported return type: `impl Trait` cannot be converted to Lua (return a concrete type)",
        ),
        Returns::Value | Returns::Result => {}
    }
}

fn unsupported_param(why: UnsupportedParam) -> &'static str {
    match why {
        UnsupportedParam::StaticRef => "unsupported parameter type: `&'static` references cannot borrow from Lua",
        UnsupportedParam::Slice => "unsupported parameter type: only `&[u8]` slices are borrowed (take a `Vec<T>`)",
        UnsupportedParam::MutString => "unsupported parameter type: Lua strings cannot be borrowed mutably",
        UnsupportedParam::ImplTrait => {
            "unsupported parameter type: `impl Trait` parameters cannot be converted from Lua"
        }
        UnsupportedParam::LateState => "`&Lua` must be the first parameter after the receiver",
        UnsupportedParam::MutState => "the state is passed as `&Lua`, not `&mut Lua`",
    }
}

/// Which keys go together, and what getters and setters take.
fn keys(method: &Method, errors: &mut Errors) {
    if let Some(name) = &method.name {
        non_empty(name, errors);
    }
    if let Some(field) = method.field {
        if method.get.is_some() || method.set.is_some() || method.meta.is_some() {
            errors.push(field, "`field` cannot be combined with `get`, `set` or `meta = \"...\"`");
        } else if !matches!(method.receiver, Receiver::None) || !method.params.is_empty() || method.takes_state {
            errors.push(field, "a `field` function takes no receiver and no arguments");
        }
        return;
    }
    if let Some(flag) = method.meta_flag {
        if method.get.is_some() || method.set.is_some() {
            errors.push(flag, "`meta` cannot be combined with `get` or `set`");
            return;
        }
        match method.meta_flag_key() {
            Some(key) => metamethod_name(&key, flag, errors),
            None => errors.push(
                method.span(),
                format!(
                    "cannot tell the metamethod of `{}`: add `name = \"__...\"` or name the function `__...`",
                    method.ident()
                ),
            ),
        }
        return;
    }
    if let Some(meta) = &method.meta {
        if method.get.is_some() || method.set.is_some() {
            errors.push_spanned(meta, "`meta` cannot be combined with `get` or `set`");
            return;
        }
        if let Some(name) = &method.name {
            errors.push_spanned(name, "`name` cannot be combined with `meta`: a metamethod is known by its event");
        }
        metamethod(meta, errors);
    }
    let args = method.params.len();
    if let Some(get) = method.get {
        if method.set.is_some() {
            errors.push(get, "a function is either a getter (`get`) or a setter (`set`)");
        } else if !matches!(method.receiver, Receiver::Ref) || args != 0 {
            errors.push(get, "a getter takes `&self` (and optionally `&Lua`) only");
        }
    } else if let Some(set) = method.set {
        if !matches!(method.receiver, Receiver::RefMut) || args != 1 {
            errors.push(set, "a setter takes `&mut self` and one value (and optionally `&Lua`)");
        }
    }
}

fn metamethod(meta: &LitStr, errors: &mut Errors) {
    metamethod_name(&meta.value(), meta.span(), errors)
}

fn metamethod_name(value: &str, span: Span, errors: &mut Errors) {
    let event = value.strip_prefix("__").unwrap_or(value);
    if METAMETHODS.contains(&event) {
        return;
    }
    let msg = match event {
        "gc" => "`__gc` cannot be a method: dropping the Rust value is the finalizer (implement `Drop`)".to_string(),
        "name" => "`__name` is not a metamethod: name the type with #[lua(name = \"...\")] on the struct".to_string(),
        _ => {
            let known: Vec<String> = METAMETHODS.iter().map(|m| format!("`{m}`")).collect();
            format!("unknown metamethod `{value}` (expected one of {}, with or without `__`)", known.join(", "))
        }
    };
    errors.push(span, msg);
}

fn non_empty(name: &LitStr, errors: &mut Errors) {
    if name.value().is_empty() {
        errors.push_spanned(name, "the name cannot be empty");
    }
}

/// The Lua names of one namespace and the items that claimed them.
#[derive(Default)]
struct Names(HashMap<String, String>);

impl Names {
    /// Claims `name` for `what`; a second claim is reported at `span`.
    fn claim(&mut self, name: &str, what: String, span: Span, kind: &str, errors: &mut Errors) {
        match self.0.get(name) {
            Some(first) => errors.push(span, format!("duplicate Lua {kind} `{name}`: already registered by {first}")),
            None => {
                self.0.insert(name.to_string(), what);
            }
        }
    }
}
