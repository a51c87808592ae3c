//! Procedural macros for luna (re-exported by the `luna` crate):
//! `#[derive(LuaUserdata)]` on a struct exposes its fields, and
//! `#[luna::methods]` on an `impl` block exposes its `pub fn`s.
//!
//! Each works alone and the two combine. With the derive, the derive
//! implements `LuaUserdata`, and its hooks call `Self::__luna_add_methods`
//! and `Self::__luna_add_fields`: the attribute defines those as inherent
//! functions, which Rust resolves before the do-nothing trait functions of
//! the same names that `luna::__private` provides for every type. Without
//! the derive, the attribute implements `LuaUserdata` itself; it tells the
//! two cases apart by reading the struct in its source file (`pairing`).
//!
//! Errors are collected, not stopped at: every unknown or duplicate key,
//! unsupported item and misplaced attribute is reported at once, each at
//! the tokens it concerns.

mod pairing;

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{format_ident, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{
    parse_macro_input, Attribute, Data, DeriveInput, Fields, FnArg, ImplItem, ItemImpl, LitStr, ReturnType, Token,
    Type, Visibility,
};

/// Collects errors so all of them are reported together.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, span: Span, msg: impl std::fmt::Display) {
        let e = syn::Error::new(span, msg);
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }

    fn finish(self) -> Result<(), syn::Error> {
        match self.0 {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// One `key` or `key = "value"` inside `#[lua(...)]`.
struct Item {
    key: syn::Ident,
    value: Option<LitStr>,
}

impl Parse for Item {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let key: syn::Ident = input.parse()?;
        let value = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Some(input.parse::<LitStr>()?)
        } else {
            None
        };
        Ok(Item { key, value })
    }
}

/// The `#[lua(...)]` options of an item: the keys found, checked against
/// `allowed` (keys that take a value end with `=`).
#[derive(Default)]
struct Options {
    flags: Vec<(String, Span)>,
    values: Vec<(String, LitStr)>,
}

impl Options {
    fn parse(attrs: &[Attribute], allowed: &[&str], errors: &mut Errors) -> Options {
        let mut opts = Options::default();
        for attr in attrs.iter().filter(|a| a.path().is_ident("lua")) {
            let items = match attr.parse_args_with(Punctuated::<Item, Token![,]>::parse_terminated) {
                Ok(items) => items,
                Err(e) => {
                    errors.push(e.span(), e);
                    continue;
                }
            };
            for item in items {
                let key = item.key.to_string();
                let wants_value = allowed.contains(&format!("{key}=").as_str());
                let is_flag = allowed.contains(&key.as_str());
                let seen = opts.flags.iter().any(|(k, _)| *k == key) || opts.values.iter().any(|(k, _)| *k == key);
                if seen {
                    errors.push(item.key.span(), format!("duplicate key `{key}`"));
                    continue;
                }
                match (item.value, wants_value, is_flag) {
                    (Some(v), true, _) => opts.values.push((key, v)),
                    (None, _, true) => opts.flags.push((key, item.key.span())),
                    (Some(v), false, true) => errors.push(v.span(), format!("`{key}` takes no value")),
                    (None, true, false) => {
                        errors.push(item.key.span(), format!("`{key}` needs a value: {key} = \"...\""))
                    }
                    _ => {
                        let known: Vec<String> =
                            allowed.iter().map(|k| format!("`{}`", k.trim_end_matches('='))).collect();
                        errors.push(
                            item.key.span(),
                            format!("unknown key `{key}` (expected one of {})", known.join(", ")),
                        );
                    }
                }
            }
        }
        opts
    }

    fn flag(&self, key: &str) -> Option<Span> {
        self.flags.iter().find(|(k, _)| k == key).map(|(_, s)| *s)
    }

    fn value(&self, key: &str) -> Option<&LitStr> {
        self.values.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// `#[derive(LuaUserdata)]`: implements `luna::LuaUserdata` for a struct
/// with named fields. Fields are exposed with `#[lua(get)]`, `#[lua(set)]`,
/// `#[lua(get, set)]`, renamed with `#[lua(name = "...")]` and hidden with
/// `#[lua(skip)]`; `#[lua(name = "...")]` on the struct sets `__name`.
/// Getters clone the field and convert it with `IntoLua`; setters convert
/// with `FromLua`. Methods come from a `#[luna::methods]` block, if any.
#[proc_macro_derive(LuaUserdata, attributes(lua))]
pub fn derive_lua_userdata(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match derive(&input) {
        Ok(ts) => ts.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn derive(input: &DeriveInput) -> syn::Result<TokenStream2> {
    let mut errors = Errors::default();
    let ident = &input.ident;
    if !input.generics.params.is_empty() {
        errors.push(input.generics.span(), "generic types are not supported by #[derive(LuaUserdata)]");
    }
    let type_opts = Options::parse(&input.attrs, &["name="], &mut errors);
    let lua_name = type_opts.value("name").map(LitStr::value).unwrap_or_else(|| ident.to_string());

    let mut registrations = Vec::new();
    match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => {
                for field in &named.named {
                    let opts = Options::parse(&field.attrs, &["get", "set", "skip", "name="], &mut errors);
                    let Some(fident) = &field.ident else { continue };
                    if let Some(span) = opts.flag("skip") {
                        if opts.flag("get").is_some() || opts.flag("set").is_some() || opts.value("name").is_some() {
                            errors.push(span, "`skip` cannot be combined with other keys");
                        }
                        continue;
                    }
                    let (get, set) = (opts.flag("get").is_some(), opts.flag("set").is_some());
                    if !get && !set {
                        if let Some(v) = opts.value("name") {
                            errors.push(v.span(), "`name` needs `get` or `set` to expose the field");
                        }
                        continue;
                    }
                    if let Some(msg) = unsupported_field_type(&field.ty) {
                        errors.push(field.ty.span(), msg);
                        continue;
                    }
                    let name = opts.value("name").map(LitStr::value).unwrap_or_else(|| fident.to_string());
                    let ty = &field.ty;
                    let span = field.span();
                    if get {
                        registrations.push(quote_spanned! {span=>
                            fields.add_field_method_get(#name, |_, this: &Self| {
                                ::core::result::Result::Ok(::core::clone::Clone::clone(&this.#fident))
                            });
                        });
                    }
                    if set {
                        registrations.push(quote_spanned! {span=>
                            fields.add_field_method_set(#name, |_, this: &mut Self, value: #ty| {
                                this.#fident = value;
                                ::core::result::Result::Ok(())
                            });
                        });
                    }
                }
            }
            _ => errors.push(ident.span(), "#[derive(LuaUserdata)] needs a struct with named fields"),
        },
        Data::Enum(e) => {
            errors.push(e.enum_token.span(), "#[derive(LuaUserdata)] supports structs with named fields, not enums")
        }
        Data::Union(u) => {
            errors.push(u.union_token.span(), "#[derive(LuaUserdata)] supports structs with named fields, not unions")
        }
    }
    errors.finish()?;
    Ok(quote! {
        impl ::luna::LuaUserdata for #ident {
            fn add_fields<F: ::luna::LuaUserdataFields<Self>>(fields: &mut F) {
                #[allow(unused_imports)]
                use ::luna::__private::NoMethods as _;
                fields.add_meta_field(::luna::LuaMetaMethod::Name, #lua_name);
                #(#registrations)*
                <#ident>::__luna_add_fields(fields);
            }

            fn add_methods<M: ::luna::LuaUserdataMethods<Self>>(methods: &mut M) {
                #[allow(unused_imports)]
                use ::luna::__private::NoMethods as _;
                <#ident>::__luna_add_methods(methods);
            }
        }
    })
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

/// `#[luna::methods]`: exposes every `pub fn` of an inherent `impl` block.
/// The receiver decides the registration: `&self` is a method, `&mut self`
/// a mutable method, none a function of the class table (a constructor:
/// `Vec3.new(1, 2, 3)`). A leading `&Lua` parameter receives the state;
/// `&T`/`&mut T` parameters borrow userdata, `&str`/`&[u8]` borrow
/// strings. `Result` returns raise their errors. On a function:
/// `#[lua(skip)]`, `#[lua(name = "...")]`, `#[lua(meta = "add")]` (any
/// metamethod), `#[lua(get)]`/`#[lua(set)]` (field getter and setter; a
/// setter named `set_x` sets `x`).
///
/// A type with this attribute and no `#[derive(LuaUserdata)]` gets its
/// `LuaUserdata` impl from here. When the struct derives `LuaUserdata` in
/// another file than this block, say so with `#[luna::methods(derived)]`.
#[proc_macro_attribute]
pub fn methods(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut item = parse_macro_input!(input as ItemImpl);
    let args = TokenStream2::from(args);
    match methods_impl(args, &mut item) {
        Ok(ts) => ts.into(),
        Err(e) => {
            // Keep the impl block (stripped of our attributes) so the
            // errors are only ours.
            let e = e.to_compile_error();
            quote!(#item #e).into()
        }
    }
}

/// How a method's function is registered.
enum Kind {
    Method,
    MethodMut,
    Function,
}

fn methods_impl(args: TokenStream2, item: &mut ItemImpl) -> syn::Result<TokenStream2> {
    let mut errors = Errors::default();
    // `derived`: the struct derives `LuaUserdata` in another file.
    let derived_elsewhere = match syn::parse2::<Option<syn::Ident>>(args.clone()) {
        Ok(None) => false,
        Ok(Some(id)) if id == "derived" => true,
        _ => {
            let msg = format!(
                "unknown argument `{args}` (#[luna::methods] takes none, or `derived` when the struct derives \
                 LuaUserdata in another file)"
            );
            errors.push(args.span(), msg);
            false
        }
    };
    if let Some((_, path, _)) = &item.trait_ {
        errors.push(path.span(), "#[luna::methods] goes on an inherent impl block, not a trait impl");
    }
    if !item.generics.params.is_empty() {
        errors.push(item.generics.span(), "generic types are not supported by #[luna::methods]");
    }
    let self_ty = item.self_ty.clone();
    let mut method_regs = Vec::new();
    let mut field_regs = Vec::new();
    for impl_item in item.items.iter_mut() {
        let ImplItem::Fn(f) = impl_item else { continue };
        let opts = Options::parse(&f.attrs, &["skip", "name=", "meta=", "get", "set"], &mut errors);
        f.attrs.retain(|a| !a.path().is_ident("lua"));
        if opts.flag("skip").is_some() || !matches!(f.vis, Visibility::Public(_)) {
            continue;
        }
        let sig = &f.sig;
        if !sig.generics.params.is_empty() {
            errors
                .push(sig.generics.span(), "generic methods are not supported by #[luna::methods] (use #[lua(skip)])");
            continue;
        }
        if let Some(a) = &sig.asyncness {
            errors.push(a.span(), "async methods are not supported by #[luna::methods] (use #[lua(skip)])");
            continue;
        }
        let fname = &sig.ident;
        let kind = match sig.inputs.first() {
            Some(FnArg::Receiver(r)) => {
                if r.reference.is_none() {
                    errors.push(r.span(), "`self` by value is not supported: take `&self` or `&mut self`");
                    continue;
                }
                if r.mutability.is_some() {
                    Kind::MethodMut
                } else {
                    Kind::Method
                }
            }
            _ => Kind::Function,
        };
        // Parameters after the receiver: the state, then Lua arguments.
        let mut arg_types = Vec::new();
        let mut arg_names = Vec::new();
        let mut call_args = Vec::new();
        for (i, input) in sig.inputs.iter().enumerate() {
            let FnArg::Typed(pt) = input else { continue };
            let name = format_ident!("__arg{}", i);
            if call_args.is_empty() && arg_types.is_empty() && is_lua_ref(&pt.ty) {
                call_args.push(quote!(__lua));
                continue;
            }
            match param(&pt.ty) {
                Ok((ty, pass, mutable)) => {
                    arg_types.push(ty);
                    call_args.push(pass(&name));
                    arg_names.push(if mutable { quote!(mut #name) } else { quote!(#name) });
                }
                Err(msg) => errors.push(pt.ty.span(), msg),
            }
        }
        let is_result = returns_result(&sig.output);
        let call = match kind {
            Kind::Method | Kind::MethodMut => quote!(<#self_ty>::#fname(__this, #(#call_args),*)),
            Kind::Function => quote!(<#self_ty>::#fname(#(#call_args),*)),
        };
        let body = if is_result {
            quote! {
                match #call {
                    ::core::result::Result::Ok(v) => ::core::result::Result::Ok(v),
                    ::core::result::Result::Err(e) => ::core::result::Result::Err(
                        (&&::luna::__private::ErrorOf::new(e)).take_lua_error()
                    ),
                }
            }
        } else {
            quote!(::core::result::Result::Ok(#call))
        };
        let span = f.span();
        let lua_name = opts.value("name").map(LitStr::value).unwrap_or_else(|| fname.to_string());
        let args_pat = quote!((#(#arg_names,)*): (#(#arg_types,)*));
        let prelude = quote! {
            #[allow(unused_imports)]
            use ::luna::__private::{IntoLuaErrorGeneric as _, IntoLuaErrorSame as _};
        };
        let get = opts.flag("get");
        let set = opts.flag("set");
        let meta = opts.value("meta");
        if let (Some(meta), true) = (meta, get.is_some() || set.is_some()) {
            errors.push(meta.span(), "`meta` cannot be combined with `get` or `set`");
            continue;
        }
        if let Some(span_get) = get {
            if set.is_some() {
                errors.push(span_get, "a function is either a getter (`get`) or a setter (`set`)");
                continue;
            }
            if !matches!(kind, Kind::Method) || !arg_types.is_empty() {
                errors.push(span_get, "a getter takes `&self` (and optionally `&Lua`) only");
                continue;
            }
            field_regs.push(quote_spanned! {span=>
                fields.add_field_method_get(#lua_name, |__lua: &::luna::Lua, __this: &#self_ty| { #prelude let _ = __lua; #body });
            });
        } else if let Some(span_set) = set {
            if !matches!(kind, Kind::MethodMut) || arg_types.len() != 1 {
                errors.push(span_set, "a setter takes `&mut self` and one value (and optionally `&Lua`)");
                continue;
            }
            let field = opts
                .value("name")
                .map(LitStr::value)
                .unwrap_or_else(|| fname.to_string().strip_prefix("set_").unwrap_or(&fname.to_string()).to_string());
            let (name0, ty0) = (&arg_names[0], &arg_types[0]);
            field_regs.push(quote_spanned! {span=>
                fields.add_field_method_set(#field, |__lua: &::luna::Lua, __this: &mut #self_ty, #name0: #ty0| {
                    #prelude
                    let _ = __lua;
                    let __r: ::luna::LuaResult<_> = #body;
                    __r.map(|_| ())
                });
            });
        } else {
            // A method or function, under its name or as a metamethod.
            let (reg, key) = match (&kind, meta) {
                (Kind::Method, None) => (quote!(add_method), quote!(#lua_name)),
                (Kind::MethodMut, None) => (quote!(add_method_mut), quote!(#lua_name)),
                (Kind::Function, None) => (quote!(add_function), quote!(#lua_name)),
                (Kind::Method, Some(m)) => (quote!(add_meta_method), quote!(#m)),
                (Kind::MethodMut, Some(m)) => (quote!(add_meta_method_mut), quote!(#m)),
                (Kind::Function, Some(m)) => (quote!(add_meta_function), quote!(#m)),
            };
            let this = receiver_pat(&kind, &self_ty);
            method_regs.push(quote_spanned! {span=>
                methods.#reg(#key, |__lua: &::luna::Lua, #this #args_pat| { #prelude let _ = __lua; #body });
            });
        }
    }
    errors.finish()?;
    // Without the derive on the struct, this block implements the trait.
    let trait_impl = (!derived_elsewhere && !pairing::derived_in_same_file(item)).then(|| {
        quote! {
            impl ::luna::LuaUserdata for #self_ty {
                fn add_fields<F: ::luna::LuaUserdataFields<Self>>(fields: &mut F) {
                    <#self_ty>::__luna_add_fields(fields);
                }

                fn add_methods<M: ::luna::LuaUserdataMethods<Self>>(methods: &mut M) {
                    <#self_ty>::__luna_add_methods(methods);
                }
            }
        }
    });
    Ok(quote! {
        #item
        #trait_impl

        impl #self_ty {
            #[doc(hidden)]
            #[allow(non_snake_case, clippy::all)]
            pub fn __luna_add_methods<M: ::luna::LuaUserdataMethods<Self>>(methods: &mut M) {
                #(#method_regs)*
            }

            #[doc(hidden)]
            #[allow(non_snake_case, clippy::all)]
            pub fn __luna_add_fields<F: ::luna::LuaUserdataFields<Self>>(fields: &mut F) {
                #(#field_regs)*
            }
        }
    })
}

/// The closure parameter for the receiver.
fn receiver_pat(kind: &Kind, self_ty: &Type) -> TokenStream2 {
    match kind {
        Kind::Method => quote!(__this: &#self_ty,),
        Kind::MethodMut => quote!(__this: &mut #self_ty,),
        Kind::Function => quote!(),
    }
}

/// Whether `ty` is `&Lua` (or `&luna::Lua`).
fn is_lua_ref(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) if r.mutability.is_none() => match &*r.elem {
            Type::Path(p) => p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == "Lua"),
            _ => false,
        },
        _ => false,
    }
}

/// A closure's argument expression for the named parameter.
type Pass = Box<dyn Fn(&syn::Ident) -> TokenStream2>;

/// The type a parameter is converted from, how it is passed on (borrowed
/// userdata and strings through guards, the rest by value), and whether
/// the guard binding must be `mut` (a `&mut` borrow of it).
fn param(ty: &Type) -> Result<(TokenStream2, Pass, bool), &'static str> {
    match ty {
        Type::Reference(r) => {
            if r.lifetime.as_ref().is_some_and(|l| l.ident == "static") {
                return Err("unsupported parameter type: `&'static` references cannot borrow from Lua");
            }
            let elem = &*r.elem;
            if r.mutability.is_none() {
                if let Type::Path(p) = elem {
                    if p.path.is_ident("str") {
                        return Ok((quote!(::luna::LuaBorrowedStr), Box::new(|n| quote!(&*#n)), false));
                    }
                }
                if let Type::Slice(s) = elem {
                    if let Type::Path(p) = &*s.elem {
                        if p.path.is_ident("u8") {
                            return Ok((quote!(::luna::LuaBorrowedBytes), Box::new(|n| quote!(&*#n)), false));
                        }
                    }
                    return Err("unsupported parameter type: only `&[u8]` slices are borrowed (take a `Vec<T>`)");
                }
                Ok((quote!(::luna::LuaUserdataRef<#elem>), Box::new(|n| quote!(&*#n)), false))
            } else {
                if matches!(elem, Type::Slice(_)) || matches!(elem, Type::Path(p) if p.path.is_ident("str")) {
                    return Err("unsupported parameter type: Lua strings cannot be borrowed mutably");
                }
                Ok((quote!(::luna::LuaUserdataRefMut<#elem>), Box::new(|n| quote!(&mut *#n)), true))
            }
        }
        Type::ImplTrait(_) => Err("unsupported parameter type: `impl Trait` parameters cannot be converted from Lua"),
        _ => Ok((quote!(#ty), Box::new(|n| quote!(#n)), false)),
    }
}

/// Whether the return type is a `Result` (its error is raised in Lua).
fn returns_result(output: &ReturnType) -> bool {
    match output {
        ReturnType::Type(_, ty) => match &**ty {
            Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "Result" || s.ident == "LuaResult"),
            _ => false,
        },
        ReturnType::Default => false,
    }
}
