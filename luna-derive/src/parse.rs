//! Reading the macros' inputs into the model the other passes share: the
//! type that derives `LuaUserdata` with its fields and their options, and
//! a `#[luna::methods]` block with its exposed functions, each classified
//! by receiver, parameters and return type. Parsing reports what cannot
//! be read (attribute syntax, `#[lua(...)]` where it means nothing) and
//! records everything else as found, unsupported shapes included; `valid`
//! judges them.

use proc_macro2::{Span, TokenStream};
use syn::{
    Attribute, Data, DeriveInput, FnArg, Generics, Ident, ImplItem, ImplItemFn, ItemImpl, LitStr, Member, ReturnType,
    Type,
};

use crate::attr::{self, Options};
use crate::errors::Errors;

/// A type with `#[derive(LuaUserdata)]`.
pub struct Userdata<'a> {
    pub ident: &'a Ident,
    pub generics: &'a Generics,
    /// `#[lua(name = "...")]` on the type: its `__name`.
    pub name: Option<LitStr>,
    /// The fields of a struct or union, in order (none for an enum).
    pub fields: Vec<Field<'a>>,
}

/// A field of the deriving struct or union, with its `#[lua(...)]` keys.
pub struct Field<'a> {
    pub field: &'a syn::Field,
    /// `self.x` or `self.0`.
    pub member: Member,
    /// Whether the field is a union's (reading it is `unsafe`).
    pub in_union: bool,
    pub get: Option<Span>,
    pub set: Option<Span>,
    pub skip: Option<Span>,
    pub name: Option<LitStr>,
}

impl Field<'_> {
    /// The name Lua sees: the given one, else the Rust one.
    pub fn lua_name(&self) -> Option<String> {
        match (&self.name, &self.member) {
            (Some(name), _) => Some(name.value()),
            (None, Member::Named(ident)) => Some(ident.to_string()),
            (None, Member::Unnamed(_)) => None,
        }
    }

    /// Whether the field is exposed without a `get` or `set` key: as
    /// mlua's derive does, every field Lua can name (a struct's named
    /// field, or a tuple field given a `name`) is readable and writable
    /// unless `skip`ped. A union's fields are not (reading one is
    /// `unsafe`).
    pub fn implicit(&self) -> bool {
        self.skip.is_none()
            && self.get.is_none()
            && self.set.is_none()
            && !self.in_union
            && (self.field.ident.is_some() || self.name.is_some())
    }

    /// Whether Lua can read the field.
    pub fn getter(&self) -> bool {
        self.skip.is_none() && (self.get.is_some() || self.implicit())
    }

    /// Whether Lua can write the field.
    pub fn setter(&self) -> bool {
        self.skip.is_none() && (self.set.is_some() || self.implicit())
    }

    /// Whether Lua can read or write the field.
    pub fn exposed(&self) -> bool {
        self.getter() || self.setter()
    }
}

/// Reads a `#[derive(LuaUserdata)]` input.
pub fn userdata<'a>(input: &'a DeriveInput, errors: &mut Errors) -> Userdata<'a> {
    let type_opts = Options::parse(&input.attrs, attr::TYPE_KEYS, errors);
    let mut fields = Vec::new();
    match &input.data {
        Data::Struct(s) => {
            fields.extend(s.fields.iter().enumerate().map(|(i, f)| field(i, f, false, errors)));
        }
        Data::Union(u) => {
            fields.extend(u.fields.named.iter().enumerate().map(|(i, f)| field(i, f, true, errors)));
        }
        Data::Enum(e) => {
            let why = "#[lua(...)] cannot go on an enum variant or its fields: only the fields of a struct are \
                       exposed (write a getter in a #[luna::methods] block)";
            for variant in &e.variants {
                attr::reject(&variant.attrs, why, errors);
                variant.fields.iter().for_each(|f| attr::reject(&f.attrs, why, errors));
            }
        }
    }
    Userdata { ident: &input.ident, generics: &input.generics, name: type_opts.value("name").cloned(), fields }
}

fn field<'a>(index: usize, field: &'a syn::Field, in_union: bool, errors: &mut Errors) -> Field<'a> {
    let opts = Options::parse(&field.attrs, attr::FIELD_KEYS, errors);
    let member = match &field.ident {
        Some(ident) => Member::Named(ident.clone()),
        None => Member::Unnamed(index.into()),
    };
    Field {
        field,
        member,
        in_union,
        get: opts.flag("get"),
        set: opts.flag("set"),
        skip: opts.flag("skip"),
        name: opts.value("name").cloned(),
    }
}

/// A `#[luna::methods]` block.
pub struct Methods<'a> {
    pub args: Args,
    pub block: &'a ItemImpl,
    pub self_ty: &'a Type,
    /// The functions of the block, each exposed unless `#[lua(skip)]`.
    pub fns: Vec<Method<'a>>,
    /// The associated constants (the same rule).
    pub consts: Vec<Const<'a>>,
}

/// An associated constant of a `#[luna::methods]` block: a field of the
/// class table (and of every userdata), or with `meta` a meta field.
pub struct Const<'a> {
    pub ident: &'a Ident,
    pub name: Option<LitStr>,
    pub meta: Option<Span>,
    pub skip: Option<Span>,
}

impl Const<'_> {
    /// The name Lua sees.
    pub fn lua_name(&self) -> String {
        self.name.as_ref().map_or_else(|| self.ident.to_string(), LitStr::value)
    }
}

/// What the attribute was given between its parentheses.
pub enum Args {
    None,
    /// `derived`, which an earlier form of the attribute took.
    Derived(Ident),
    Other(TokenStream),
}

/// A `pub fn` of a `#[luna::methods]` block.
pub struct Method<'a> {
    pub func: &'a ImplItemFn,
    pub receiver: Receiver<'a>,
    /// Whether the first parameter after the receiver is `&Lua`.
    pub takes_state: bool,
    /// The parameters Lua passes, after the receiver and the state.
    pub params: Vec<Param<'a>>,
    pub returns: Returns<'a>,
    pub skip: Option<Span>,
    pub name: Option<LitStr>,
    /// `meta = "add"`.
    pub meta: Option<LitStr>,
    /// `meta` as a flag (mlua's form): the event is `name`, else the
    /// function's name.
    pub meta_flag: Option<Span>,
    /// `field`: a constant computed at registration.
    pub field: Option<Span>,
    /// `get` or `getter`.
    pub get: Option<Span>,
    /// `set` or `setter`.
    pub set: Option<Span>,
}

/// How a function takes `self`.
pub enum Receiver<'a> {
    /// No receiver: a function of the class table (`Type.name(...)`).
    None,
    /// `&self`.
    Ref,
    /// `&mut self`.
    RefMut,
    /// `self` or `mut self`.
    ByValue(&'a syn::Receiver),
    /// `self: Box<Self>` and the like.
    Typed(&'a syn::Receiver),
}

/// A parameter Lua passes, by what it is converted from.
pub enum Param<'a> {
    /// Any `FromLua` type, by value.
    Value(&'a Type),
    /// `&str`, read in place.
    Str,
    /// `&[u8]`, read in place.
    Bytes,
    /// `&T`: a shared borrow of a userdata.
    Userdata(&'a Type),
    /// `&mut T`: an exclusive borrow of a userdata.
    UserdataMut(&'a Type),
    /// `Option<&str>`.
    OptStr,
    /// `Option<&[u8]>`.
    OptBytes,
    /// `Option<&T>`: a shared borrow of a userdata, or nil.
    OptUserdata(&'a Type),
    /// `Option<&mut T>`: an exclusive borrow of a userdata, or nil.
    OptUserdataMut(&'a Type),
    /// A type no conversion produces.
    Unsupported(&'a Type, UnsupportedParam),
}

/// Why a parameter type is not supported.
#[derive(Clone, Copy)]
pub enum UnsupportedParam {
    /// `&'static T`.
    StaticRef,
    /// `&[T]` other than `&[u8]`.
    Slice,
    /// `&mut str`, `&mut [T]`.
    MutString,
    /// `impl Trait`.
    ImplTrait,
    /// `&Lua` after another parameter.
    LateState,
    /// `&mut Lua`.
    MutState,
}

/// What a function returns.
pub enum Returns<'a> {
    /// `()` or any `IntoLuaMulti` value.
    Value,
    /// A `Result`, whose error is raised in Lua.
    Result,
    /// A borrowed value (other than `&'static`), which cannot outlive the call.
    Borrowed(&'a Type),
    /// `impl Trait`.
    ImplTrait(&'a Type),
}

/// What a function of the block is for, from its keys.
pub enum Role<'a> {
    /// A method (with a receiver) or a class-table function.
    Plain,
    /// A metamethod: `meta = "..."`.
    Meta(&'a LitStr),
    /// A metamethod: the `meta` flag, its event from `name` or the
    /// function's name (`__tostring`).
    MetaFlag,
    /// A constant field computed at registration (`field`), a meta field
    /// with `meta`.
    Field,
    /// A field getter.
    Getter,
    /// A field setter.
    Setter,
}

impl Method<'_> {
    /// The function's Rust name.
    pub fn ident(&self) -> &Ident {
        &self.func.sig.ident
    }

    /// What the function is registered as (`valid` rejects conflicting keys).
    pub fn role(&self) -> Role<'_> {
        if self.field.is_some() {
            return Role::Field;
        }
        match (&self.meta, self.get, self.set) {
            (_, Some(_), _) => Role::Getter,
            (_, None, Some(_)) => Role::Setter,
            (Some(meta), None, None) => Role::Meta(meta),
            (None, None, None) if self.meta_flag.is_some() => Role::MetaFlag,
            (None, None, None) => Role::Plain,
        }
    }

    /// The metatable key of a `meta` flag: `name`, else the function's
    /// name when it starts with `__`.
    pub fn meta_flag_key(&self) -> Option<String> {
        if let Some(name) = &self.name {
            return Some(name.value());
        }
        let ident = self.ident().to_string();
        ident.starts_with("__").then_some(ident)
    }

    /// The name Lua sees: the given one, else the Rust one; a setter
    /// named `set_x` sets the field `x`.
    pub fn lua_name(&self) -> String {
        if let Some(name) = &self.name {
            return name.value();
        }
        let ident = self.ident().to_string();
        match self.role() {
            Role::Setter => ident.strip_prefix("set_").unwrap_or(&ident).to_string(),
            _ => ident,
        }
    }

    /// The span of the function's signature (its name), where errors
    /// about the whole function point.
    pub fn span(&self) -> Span {
        self.ident().span()
    }
}

/// Reads a `#[luna::methods]` block and the attribute's arguments.
pub fn methods<'a>(args: TokenStream, block: &'a ItemImpl, errors: &mut Errors) -> Methods<'a> {
    let args = match syn::parse2::<Option<Ident>>(args.clone()) {
        Ok(None) => Args::None,
        Ok(Some(ident)) if ident == "derived" => Args::Derived(ident),
        _ => Args::Other(args),
    };
    attr::reject(
        &block.attrs,
        "#[lua(...)] cannot go on the impl block: the type's options go on the type that derives LuaUserdata, \
         a function's on the function",
        errors,
    );
    let mut fns = Vec::new();
    let mut consts = Vec::new();
    for item in &block.items {
        match item {
            // Every function and associated constant of the block is
            // exposed, `pub` or not, as mlua's `userdata_impl` does;
            // `#[lua(skip)]` keeps one out.
            ImplItem::Fn(func) => fns.push(method(func, errors)),
            ImplItem::Const(c) => {
                let opts = Options::parse(&c.attrs, attr::CONST_KEYS, errors);
                consts.push(Const {
                    ident: &c.ident,
                    name: opts.value("name").cloned(),
                    meta: opts.flag("meta"),
                    skip: opts.flag("skip"),
                });
            }
            other => attr::reject(
                item_attrs(other),
                "#[lua(...)] cannot go here: only the functions of a #[luna::methods] block are exposed",
                errors,
            ),
        }
    }
    Methods { args, block, self_ty: &block.self_ty, fns, consts }
}

fn method<'a>(func: &'a ImplItemFn, errors: &mut Errors) -> Method<'a> {
    let opts = Options::parse(&func.attrs, attr::METHOD_KEYS, errors);
    let mut receiver = Receiver::None;
    let mut takes_state = false;
    let mut params = Vec::new();
    for input in &func.sig.inputs {
        match input {
            FnArg::Receiver(r) => receiver = self_kind(r),
            FnArg::Typed(pt) => {
                attr::reject(&pt.attrs, "#[lua(...)] cannot go on a parameter", errors);
                match state_ref(&pt.ty) {
                    Some(false) if params.is_empty() && !takes_state => takes_state = true,
                    Some(false) => params.push(Param::Unsupported(&pt.ty, UnsupportedParam::LateState)),
                    Some(true) => params.push(Param::Unsupported(&pt.ty, UnsupportedParam::MutState)),
                    None => params.push(param(&pt.ty)),
                }
            }
        }
    }
    Method {
        func,
        receiver,
        takes_state,
        params,
        returns: returns(&func.sig.output),
        skip: opts.flag("skip"),
        name: opts.value("name").cloned(),
        meta: opts.value("meta").cloned(),
        meta_flag: opts.flag("meta"),
        field: opts.flag("field"),
        get: opts.flag("get").or(opts.flag("getter")),
        set: opts.flag("set").or(opts.flag("setter")),
    }
}

fn item_attrs(item: &ImplItem) -> &[Attribute] {
    match item {
        ImplItem::Const(c) => &c.attrs,
        ImplItem::Fn(f) => &f.attrs,
        ImplItem::Type(t) => &t.attrs,
        ImplItem::Macro(m) => &m.attrs,
        _ => &[],
    }
}

fn self_kind(r: &syn::Receiver) -> Receiver<'_> {
    match (&r.colon_token, &r.reference, &r.mutability) {
        (Some(_), ..) => match &*r.ty {
            // `self: &Self` and `self: &mut Self` are the short forms spelled out.
            Type::Reference(t) if is_self(&t.elem) && t.mutability.is_none() => Receiver::Ref,
            Type::Reference(t) if is_self(&t.elem) => Receiver::RefMut,
            _ => Receiver::Typed(r),
        },
        (None, None, _) => Receiver::ByValue(r),
        (None, Some(_), None) => Receiver::Ref,
        (None, Some(_), Some(_)) => Receiver::RefMut,
    }
}

fn is_self(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none() && p.path.is_ident("Self"))
}

/// `Some(mutable)` when `ty` is a reference to `Lua` (or `luna::Lua`).
fn state_ref(ty: &Type) -> Option<bool> {
    match ty {
        Type::Reference(r) => match &*r.elem {
            Type::Path(p) if p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == "Lua") => {
                Some(r.mutability.is_some())
            }
            _ => None,
        },
        _ => None,
    }
}

/// The `T` of `Option<T>`.
fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    if seg.ident != "Option" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &seg.arguments else { return None };
    match args.args.first() {
        Some(syn::GenericArgument::Type(inner)) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}

/// Classifies a parameter by the conversion that produces it.
fn param(ty: &Type) -> Param<'_> {
    if let Some(inner @ Type::Reference(_)) = option_inner(ty) {
        return match param(inner) {
            Param::Str => Param::OptStr,
            Param::Bytes => Param::OptBytes,
            Param::Userdata(t) => Param::OptUserdata(t),
            Param::UserdataMut(t) => Param::OptUserdataMut(t),
            Param::Unsupported(_, why) => Param::Unsupported(ty, why),
            other => other,
        };
    }
    match ty {
        Type::Reference(r) if is_static(r) => Param::Unsupported(ty, UnsupportedParam::StaticRef),
        Type::Reference(r) => {
            let elem = &*r.elem;
            let is_str = matches!(elem, Type::Path(p) if p.path.is_ident("str"));
            let is_bytes = matches!(elem, Type::Slice(s) if matches!(&*s.elem, Type::Path(p) if p.path.is_ident("u8")));
            match (r.mutability.is_some(), elem) {
                (true, _) if is_str || matches!(elem, Type::Slice(_)) => {
                    Param::Unsupported(ty, UnsupportedParam::MutString)
                }
                (true, _) => Param::UserdataMut(elem),
                (false, _) if is_str => Param::Str,
                (false, _) if is_bytes => Param::Bytes,
                (false, Type::Slice(_)) => Param::Unsupported(ty, UnsupportedParam::Slice),
                (false, _) => Param::Userdata(elem),
            }
        }
        Type::ImplTrait(_) => Param::Unsupported(ty, UnsupportedParam::ImplTrait),
        _ => Param::Value(ty),
    }
}

/// Classifies a return type.
fn returns(output: &ReturnType) -> Returns<'_> {
    let ReturnType::Type(_, ty) = output else { return Returns::Value };
    match &**ty {
        Type::Reference(r) if !is_static(r) => Returns::Borrowed(ty),
        Type::ImplTrait(_) => Returns::ImplTrait(ty),
        Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Result" || s.ident == "LuaResult") => {
            Returns::Result
        }
        _ => Returns::Value,
    }
}

/// Whether a reference type is `&'static`.
fn is_static(r: &syn::TypeReference) -> bool {
    r.lifetime.as_ref().is_some_and(|l| l.ident == "static")
}
