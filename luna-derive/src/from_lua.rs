//! `#[derive(FromLua)]`: converting a userdata back into a copy of the
//! Rust value it holds, for `Clone` types (mlua's derive of the same
//! name). The generated impl borrows the userdata as the type and clones
//! the value; any other Lua value is a conversion error naming the type.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{parse_quote, DeriveInput};

/// The `FromLua` impl of `input`, generics and where clause kept, with
/// `Self: 'static + Clone` added (a userdata holds `'static` values).
pub fn derive(input: &DeriveInput) -> TokenStream {
    let ident = &input.ident;
    let ident_str = ident.to_string();
    let mut generics = input.generics.clone();
    generics.make_where_clause().predicates.push(parse_quote!(Self: 'static + ::core::clone::Clone));
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics ::luna::FromLua for #ident #ty_generics #where_clause {
            #[inline]
            fn from_lua(value: ::luna::LuaValue, _: &::luna::Lua) -> ::luna::LuaResult<Self> {
                match value {
                    ::luna::LuaValue::UserData(ud) => {
                        ::core::result::Result::Ok(::core::clone::Clone::clone(&*ud.borrow::<Self>()?))
                    }
                    _ => ::core::result::Result::Err(::luna::LuaError::FromLuaConversionError {
                        from: value.type_name(),
                        to: ::std::string::ToString::to_string(#ident_str),
                        message: ::core::option::Option::None,
                    }),
                }
            }
        }
    }
}
