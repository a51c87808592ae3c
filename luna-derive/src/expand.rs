//! Code generation, and the order of the passes: each macro parses its
//! input (`parse`), validates it (`valid`), and then either generates its
//! code or, when anything was reported, a stub that keeps the user's item
//! compiling so that only the reported errors show.
//!
//! The two macros meet through inherent functions. Each `#[luna::methods]`
//! block of a type defines `__luna_add_methods_N` and `__luna_add_fields_N`
//! on it, N a slot of its own (up to `SLOTS` blocks per type); the
//! `LuaUserdata` impl that `#[derive(LuaUserdata)]` writes calls every
//! slot through `Self::`, with `luna::__private::NoMethods` in scope. Rust
//! resolves inherent functions before trait functions, so the derive's
//! impl picks up the blocks there are and the do-nothing defaults of
//! `NoMethods` for the other slots, without either macro seeing the
//! other. A block's slot is the number of blocks of the same type name the
//! compiler expanded before it (a block expanded again keeps its slot),
//! so the blocks of one type get distinct slots. The attribute never implements `LuaUserdata`; it asserts that
//! the type does, so a block on a type without the derive is an error at
//! the block even when the type is never registered.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, Ident, ImplItem, ItemImpl, Type};

use crate::attr;
use crate::errors::Errors;
use crate::parse::{self, Field, Method, Methods, Param, Receiver, Returns, Role, Userdata};
use crate::valid;

/// `#[derive(LuaUserdata)]`: the `LuaUserdata` impl, or a stub and the errors.
pub fn derive(input: &DeriveInput) -> TokenStream {
    let mut errors = Errors::default();
    let ud = parse::userdata(input, &mut errors);
    valid::userdata(&ud, &mut errors);
    if !errors.is_empty() {
        let stub = userdata_stub(&ud);
        let errors = errors.into_compile_errors();
        return quote!(#stub #errors);
    }
    userdata_impl(&ud)
}

/// `#[luna::methods]`: the assertion that the type is a userdata, the
/// block (without its `#[lua(...)]` attributes) and its registration
/// hooks; with errors, the assertion, the block and the errors.
pub fn methods(args: TokenStream, item: syn::Item, line: usize) -> TokenStream {
    let syn::Item::Impl(block) = item else {
        let e =
            syn::Error::new(Span::call_site(), "#[luna::methods] goes on an inherent impl block (`impl Type { ... }`)")
                .to_compile_error();
        return quote!(#item #e);
    };
    let mut errors = Errors::default();
    let model = parse::methods(args, &block, &mut errors);
    valid::methods(&model, &mut errors);
    // The assertion comes first: when the type is not a userdata, its
    // error is the first the compiler reports, before any the hooks cause.
    let check = userdata_check(&block);
    let clean = without_lua_attrs(&block);
    if !errors.is_empty() {
        let errors = errors.into_compile_errors();
        return quote!(#check #clean #errors);
    }
    let hooks = hooks(&model, line);
    quote!(#check #clean #hooks)
}

/// A name the generated code binds (`fields`, `__this`, ...). It is
/// mixed-site, so the user's tokens, wherever they come from (a
/// `macro_rules!` included), never see or shadow it.
fn local(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
}

/// How many `#[luna::methods]` blocks a type can have.
const SLOTS: usize = 8;

/// The slot of the block of type `ty` at `line` (see the module docs).
fn slot(ty: String, line: usize) -> usize {
    use std::collections::HashMap;
    use std::sync::Mutex;
    /// The slot of each block seen (by type and line), and the next slot
    /// of each type.
    type Seen = (HashMap<(String, usize), usize>, HashMap<String, usize>);
    static SEEN: Mutex<Option<Seen>> = Mutex::new(None);
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    let (slots, next) = seen.get_or_insert_with(Default::default);
    if let Some(&n) = slots.get(&(ty.clone(), line)) {
        return n;
    }
    let counter = next.entry(ty.clone()).or_insert(0);
    let n = *counter % SLOTS;
    *counter += 1;
    slots.insert((ty, line), n);
    n
}

fn hook_names(slot: usize) -> (Ident, Ident) {
    (format_ident!("__luna_add_methods_{}", slot), format_ident!("__luna_add_fields_{}", slot))
}

fn userdata_impl(ud: &Userdata) -> TokenStream {
    let ident = ud.ident;
    let lua_name = ud.name.as_ref().map_or_else(|| ident.to_string(), syn::LitStr::value);
    let fields = local("fields");
    let methods = local("methods");
    let (method_hooks, field_hooks): (Vec<Ident>, Vec<Ident>) = (0..SLOTS).map(hook_names).unzip();
    let registrations = ud.fields.iter().filter(|f| f.exposed()).map(|f| field_registration(f, &fields));
    quote! {
        #[automatically_derived]
        impl ::luna::LuaUserdata for #ident {
            fn add_fields<__F: ::luna::LuaUserdataFields<Self>>(#fields: &mut __F) {
                #[allow(unused_imports)]
                use ::luna::__private::NoMethods as _;
                #fields.add_meta_field(::luna::LuaMetaMethod::Name, #lua_name);
                #(#registrations)*
                #( <Self>::#field_hooks(#fields); )*
            }

            fn add_methods<__M: ::luna::LuaUserdataMethods<Self>>(#methods: &mut __M) {
                #[allow(unused_imports)]
                use ::luna::__private::NoMethods as _;
                #( <Self>::#method_hooks(#methods); )*
            }
        }
    }
}

/// The getter and setter of an exposed field. Getters clone the field and
/// convert it with `IntoLua`; setters convert with `FromLua`. A missing
/// `Clone`, `IntoLua` or `FromLua` is reported at the field's type.
fn field_registration(field: &Field, fields: &Ident) -> TokenStream {
    let name = field.lua_name().unwrap_or_default();
    let member = &field.member;
    let ty = &field.field.ty;
    let this = local("this");
    let value = local("value");
    let mut out = TokenStream::new();
    if field.getter() {
        out.extend(quote_spanned! {ty.span()=>
            #fields.add_field_method_get(#name, |_, #this: &Self| {
                ::core::result::Result::Ok(<#ty as ::core::clone::Clone>::clone(&#this.#member))
            });
        });
    }
    if field.setter() {
        out.extend(quote_spanned! {ty.span()=>
            #fields.add_field_method_set(#name, |_, #this: &mut Self, #value: #ty| {
                #this.#member = #value;
                ::core::result::Result::Ok(())
            });
        });
    }
    out
}

/// The impl a derive with errors emits instead of the real one, so that
/// uses of the type as a userdata raise no second error.
fn userdata_stub(ud: &Userdata) -> TokenStream {
    let ident = ud.ident;
    let (impl_generics, ty_generics, where_clause) = ud.generics.split_for_impl();
    let mut bounds = where_clause.map_or_else(|| quote!(where), |w| quote!(#w,));
    if !ud.generics.params.is_empty() {
        bounds.extend(quote!(Self: 'static));
    }
    quote! {
        impl #impl_generics ::luna::LuaUserdata for #ident #ty_generics #bounds {}
    }
}

/// The assertion that the block's type implements `LuaUserdata`, reported
/// at the type in `impl Type` (the trait's `on_unimplemented` message says
/// to derive it). Generic and trait impls are errors of their own and get
/// none.
fn userdata_check(block: &ItemImpl) -> TokenStream {
    if block.trait_.is_some() || !block.generics.params.is_empty() {
        return TokenStream::new();
    }
    let self_ty = &block.self_ty;
    quote_spanned! {self_ty.span()=>
        const _: () = {
            fn luna_methods_need_derive_lua_userdata<T: ::luna::LuaUserdata>() {}
            let _ = luna_methods_need_derive_lua_userdata::<#self_ty>;
        };
    }
}

/// The block as the compiler sees it: without the `#[lua(...)]` attributes.
fn without_lua_attrs(block: &ItemImpl) -> ItemImpl {
    let mut block = block.clone();
    attr::strip(&mut block.attrs);
    for item in &mut block.items {
        match item {
            ImplItem::Fn(f) => {
                attr::strip(&mut f.attrs);
                for input in &mut f.sig.inputs {
                    if let syn::FnArg::Typed(pt) = input {
                        attr::strip(&mut pt.attrs);
                    }
                }
            }
            ImplItem::Const(c) => attr::strip(&mut c.attrs),
            ImplItem::Type(t) => attr::strip(&mut t.attrs),
            ImplItem::Macro(m) => attr::strip(&mut m.attrs),
            _ => {}
        }
    }
    block
}

/// The inherent hooks the derive's impl calls, in the block's slot.
fn hooks(block: &Methods, line: usize) -> TokenStream {
    let self_ty = block.self_ty;
    let (add_methods, add_fields) = hook_names(slot(quote!(#self_ty).to_string(), line));
    let fields = local("fields");
    let methods = local("methods");
    let mut method_regs = Vec::new();
    let mut field_regs = Vec::new();
    for method in block.fns.iter().filter(|m| m.skip.is_none()) {
        match method.role() {
            Role::Getter | Role::Setter | Role::Field => field_regs.push(registration(method, self_ty, &fields)),
            Role::Plain | Role::Meta(_) | Role::MetaFlag => method_regs.push(registration(method, self_ty, &methods)),
        }
    }
    for c in block.consts.iter().filter(|c| c.skip.is_none()) {
        let (name, ident) = (c.lua_name(), c.ident);
        let add = if c.meta.is_some() { format_ident!("add_meta_field") } else { format_ident!("add_field") };
        field_regs.push(quote_spanned! {ident.span()=>
            #fields.#add(#name, <#self_ty>::#ident);
        });
    }
    quote! {
        impl #self_ty {
            #[doc(hidden)]
            #[allow(non_snake_case, clippy::all)]
            pub fn #add_methods<__M: ::luna::LuaUserdataMethods<Self>>(#methods: &mut __M) {
                #(#method_regs)*
            }

            #[doc(hidden)]
            #[allow(non_snake_case, clippy::all)]
            pub fn #add_fields<__F: ::luna::LuaUserdataFields<Self>>(#fields: &mut __F) {
                #(#field_regs)*
            }
        }
    }
}

/// The registration of one function: a closure that converts the Lua
/// arguments, calls the function and converts its result, passed to the
/// registrar method its role and receiver select.
fn registration(method: &Method, self_ty: &Type, registrar: &Ident) -> TokenStream {
    let lua = local("__lua");
    let this = local("__this");
    let args = CallArgs::of(method, &lua, &this);
    let body = call(method, self_ty, &args.call);
    let span = method.span();
    let lua_param = quote!(#lua: &::luna::Lua);
    let (pats, types) = (&args.pats, &args.types);
    match method.role() {
        Role::Field => {
            let name = method.lua_name();
            let fname = method.ident();
            let add =
                if method.meta_flag.is_some() { format_ident!("add_meta_field") } else { format_ident!("add_field") };
            quote_spanned! {span=>
                #registrar.#add(#name, <#self_ty>::#fname());
            }
        }
        Role::Getter => {
            let name = method.lua_name();
            quote_spanned! {span=>
                #registrar.add_field_method_get(#name, |#lua_param, #this: &Self| { #body });
            }
        }
        Role::Setter => {
            let name = method.lua_name();
            let (pat, ty) = (&pats[0], &types[0]);
            quote_spanned! {span=>
                #registrar.add_field_method_set(#name, |#lua_param, #this: &mut Self, #pat: #ty| {
                    let __r: ::luna::LuaResult<_> = { #body };
                    __r.map(|_| ())
                });
            }
        }
        role => {
            let key = match role {
                Role::Meta(meta) => quote!(#meta),
                Role::MetaFlag => {
                    let key = method.meta_flag_key().unwrap_or_default();
                    quote!(#key)
                }
                _ => {
                    let name = method.lua_name();
                    quote!(#name)
                }
            };
            let is_meta = matches!(role, Role::Meta(_) | Role::MetaFlag);
            let (add, this_param) = match (&method.receiver, is_meta) {
                (Receiver::Ref, false) => (format_ident!("add_method"), quote!(#this: &Self,)),
                (Receiver::RefMut, false) => (format_ident!("add_method_mut"), quote!(#this: &mut Self,)),
                (Receiver::ByValue(_), false) => (format_ident!("add_method_once"), quote!(#this: Self,)),
                (_, false) => (format_ident!("add_function"), quote!()),
                (Receiver::Ref, true) => (format_ident!("add_meta_method"), quote!(#this: &Self,)),
                (Receiver::RefMut, true) => (format_ident!("add_meta_method_mut"), quote!(#this: &mut Self,)),
                (_, true) => (format_ident!("add_meta_function"), quote!()),
            };
            quote_spanned! {span=>
                #registrar.#add(#key, |#lua_param, #this_param (#(#pats,)*): (#(#types,)*)| { #body });
            }
        }
    }
}

/// How the Lua arguments reach the function: the closure's parameter
/// patterns and types, and the arguments of the call (receiver and state
/// included). Borrowed userdata and strings arrive as guards and are
/// passed on as references into them.
struct CallArgs {
    pats: Vec<TokenStream>,
    types: Vec<TokenStream>,
    call: Vec<TokenStream>,
}

impl CallArgs {
    fn of(method: &Method, lua: &Ident, this: &Ident) -> CallArgs {
        let mut args = CallArgs { pats: Vec::new(), types: Vec::new(), call: Vec::new() };
        if !matches!(method.receiver, Receiver::None) {
            args.call.push(quote!(#this));
        }
        if method.takes_state {
            args.call.push(quote!(#lua));
        }
        for (i, param) in method.params.iter().enumerate() {
            let arg = local(&format!("__arg{i}"));
            let (ty, pass, pat) = match param {
                Param::Value(ty) => (quote!(#ty), quote!(#arg), quote!(#arg)),
                Param::Str => (quote!(::luna::LuaBorrowedStr), quote!(&*#arg), quote!(#arg)),
                Param::Bytes => (quote!(::luna::LuaBorrowedBytes), quote!(&*#arg), quote!(#arg)),
                Param::Userdata(ty) => (quote!(::luna::LuaUserdataRef<#ty>), quote!(&*#arg), quote!(#arg)),
                Param::UserdataMut(ty) => {
                    (quote!(::luna::LuaUserdataRefMut<#ty>), quote!(&mut *#arg), quote!(mut #arg))
                }
                Param::OptStr => {
                    (quote!(::core::option::Option<::luna::LuaBorrowedStr>), quote!(#arg.as_deref()), quote!(#arg))
                }
                Param::OptBytes => {
                    (quote!(::core::option::Option<::luna::LuaBorrowedBytes>), quote!(#arg.as_deref()), quote!(#arg))
                }
                Param::OptUserdata(ty) => {
                    (quote!(::core::option::Option<::luna::LuaUserdataRef<#ty>>), quote!(#arg.as_deref()), quote!(#arg))
                }
                Param::OptUserdataMut(ty) => (
                    quote!(::core::option::Option<::luna::LuaUserdataRefMut<#ty>>),
                    quote!(#arg.as_deref_mut()),
                    quote!(mut #arg),
                ),
                Param::Unsupported(..) => unreachable!("`valid` rejects unsupported parameters"),
            };
            args.types.push(ty);
            args.call.push(pass);
            args.pats.push(pat);
        }
        args
    }
}

/// The call of the function, as the closure's `LuaResult`: a `Result`'s
/// error becomes a `LuaError` (itself when it is one, else an external
/// error, chosen by autoref in `luna::__private`).
fn call(method: &Method, self_ty: &Type, args: &[TokenStream]) -> TokenStream {
    let fname = method.ident();
    let call = quote!(<#self_ty>::#fname(#(#args),*));
    match method.returns {
        Returns::Result => quote! {
            #[allow(unused_imports)]
            use ::luna::__private::{IntoLuaErrorGeneric as _, IntoLuaErrorSame as _};
            match #call {
                ::core::result::Result::Ok(v) => ::core::result::Result::Ok(v),
                ::core::result::Result::Err(e) => ::core::result::Result::Err(
                    (&&::luna::__private::ErrorOf::new(e)).take_lua_error()
                ),
            }
        },
        _ => quote!(::core::result::Result::Ok(#call)),
    }
}
