//! Does a `#[luna::methods]` block's type also have `#[derive(LuaUserdata)]`?
//!
//! Both macros can stand alone, and both then implement `LuaUserdata`;
//! used together, exactly one of them must, or the two impls conflict. Two
//! macros expanded on different items cannot see each other, and the
//! trait system cannot choose between two impls, so the attribute looks
//! at the source file it is expanded in: if the struct of the same name,
//! in the same scope as the `impl` block, carries the derive, the derive
//! implements the trait (calling the block's hooks) and the attribute
//! only adds the hooks. Otherwise the attribute implements the trait.
//!
//! The scope is found by matching the `impl` block (its self type and the
//! names of its functions) among the file's items; if it is not found
//! (for example when the block comes from a `macro_rules!`), any struct of
//! that name in the file counts. A struct defined in another file is not
//! seen: `#[luna::methods(derived)]` says the derive is there. Doctests
//! are compiled from doc comments, so their code blocks are searched too.

use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::visit::Visit;
use syn::{Attribute, ImplItem, Item, ItemImpl, Stmt, Token, Type};

/// Whether the struct `impl_block` is for derives `LuaUserdata` in the
/// file being compiled; `false` when the file cannot be read.
pub fn derived_in_same_file(impl_block: &ItemImpl) -> bool {
    let Some(name) = type_name(&impl_block.self_ty) else { return false };
    let Some(path) = proc_macro::Span::call_site().local_file() else { return false };
    let Ok(text) = std::fs::read_to_string(path) else { return false };
    let Ok(file) = syn::parse_file(&text) else { return false };
    let mut finder = Finder {
        self_ty: impl_block.self_ty.to_token_stream().to_string(),
        fns: fn_names(impl_block),
        name: &name,
        in_scope: None,
        anywhere: false,
    };
    finder.visit_file(&file);
    if finder.in_scope.is_none() {
        // A doctest's spans point into the file whose comments hold it.
        for snippet in doc_code_blocks(&text) {
            if let Ok(block) = syn::parse_str::<syn::Block>(&format!("{{\n{snippet}\n}}")) {
                finder.visit_block(&block);
            }
        }
    }
    finder.in_scope.unwrap_or(finder.anywhere)
}

/// The code blocks of the `///` and `//!` comments of `text`, with
/// rustdoc's hidden-line markers (`# `) removed.
fn doc_code_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let Some(doc) = trimmed.strip_prefix("///").or_else(|| trimmed.strip_prefix("//!")) else {
            // A comment run ends; an unclosed block ends with it.
            current = None;
            continue;
        };
        let doc = doc.strip_prefix(' ').unwrap_or(doc);
        if doc.trim_start().starts_with("```") {
            match current.take() {
                Some(code) => blocks.push(code),
                None => current = Some(String::new()),
            }
        } else if let Some(code) = &mut current {
            let line = if doc == "#" { "" } else { doc.strip_prefix("# ").unwrap_or(doc) };
            code.push_str(line);
            code.push('\n');
        }
    }
    blocks
}

/// The struct name an `impl` block is for: the last segment of its path.
fn type_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn fn_names(block: &ItemImpl) -> Vec<String> {
    block
        .items
        .iter()
        .filter_map(|i| match i {
            ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// Whether `attrs` hold a `derive(...)` naming `LuaUserdata` (by any path).
fn has_derive(attrs: &[Attribute]) -> bool {
    attrs.iter().filter(|a| a.path().is_ident("derive")).any(|a| {
        a.parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated)
            .is_ok_and(|paths| paths.iter().any(|p| p.segments.last().is_some_and(|s| s.ident == "LuaUserdata")))
    })
}

/// Walks every scope (the file, inline modules, blocks) looking for the
/// one that holds the `impl` block.
struct Finder<'a> {
    self_ty: String,
    fns: Vec<String>,
    name: &'a str,
    /// Set once the block's scope is found: whether the struct there derives.
    in_scope: Option<bool>,
    /// Whether a deriving struct of that name is anywhere in the file.
    anywhere: bool,
}

impl Finder<'_> {
    fn scope<'i>(&mut self, items: impl Iterator<Item = &'i Item> + Clone) {
        if self.in_scope.is_some() {
            return;
        }
        let holds_block = items.clone().any(|item| match item {
            Item::Impl(block) => {
                block.trait_.is_none()
                    && block.self_ty.to_token_stream().to_string() == self.self_ty
                    && fn_names(block) == self.fns
            }
            _ => false,
        });
        if holds_block {
            self.in_scope = Some(items.into_iter().any(|item| self.is_deriving_struct(item)));
        }
    }

    fn is_deriving_struct(&self, item: &Item) -> bool {
        matches!(item, Item::Struct(s) if s.ident == self.name && has_derive(&s.attrs))
    }
}

impl<'ast> Visit<'ast> for Finder<'_> {
    fn visit_file(&mut self, file: &'ast syn::File) {
        self.scope(file.items.iter());
        syn::visit::visit_file(self, file);
    }

    fn visit_item(&mut self, item: &'ast Item) {
        if self.is_deriving_struct(item) {
            self.anywhere = true;
        }
        syn::visit::visit_item(self, item);
    }

    fn visit_item_mod(&mut self, module: &'ast syn::ItemMod) {
        if let Some((_, items)) = &module.content {
            self.scope(items.iter());
        }
        syn::visit::visit_item_mod(self, module);
    }

    fn visit_block(&mut self, block: &'ast syn::Block) {
        self.scope(block.stmts.iter().filter_map(|s| match s {
            Stmt::Item(item) => Some(item),
            _ => None,
        }));
        syn::visit::visit_block(self, block);
    }
}
