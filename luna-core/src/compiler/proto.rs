//! What the compiler produces: a tree of function prototypes in plain Rust
//! data, independent of the GC heap.
//!
//! The runtime turns a `FunctionProto` into its garbage-collected `Proto`
//! when a chunk is loaded (interning the string constants); the binary chunk
//! format (`string.dump`) is written from and read back into the runtime
//! form. Keeping the compiler's output free of heap references lets the front
//! end be tested, and run, without a Lua state.

use crate::vm::opcodes::Instruction;

/// A constant of a function's constant table.
#[derive(Clone, Debug, PartialEq)]
pub enum Constant {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A string constant (Lua strings are byte strings).
    Str(Box<[u8]>),
}

/// How a local variable (and so an upvalue capturing it) was declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum VarKind {
    /// A regular local.
    #[default]
    Regular,
    /// `<const>` (one that is not a compile-time constant).
    Const,
    /// `<close>`.
    ToClose,
    /// A compile-time constant: it occupies no register.
    CompileTimeConst,
}

/// Description of one upvalue of a function.
#[derive(Clone, Debug, PartialEq)]
pub struct UpvalDesc {
    /// The name, for debug information (`None` when stripped).
    pub name: Option<Box<[u8]>>,
    /// Whether the upvalue captures a register of the enclosing function
    /// (`true`) or one of the enclosing function's upvalues (`false`).
    pub in_stack: bool,
    /// The register or upvalue index in the enclosing function.
    pub index: u8,
    /// The kind of the captured variable.
    pub kind: VarKind,
}

/// Debug information of one local variable: its name and the range of
/// instructions where it is active (`start_pc` inclusive, `end_pc`
/// exclusive), as PUC's `LocVar`.
#[derive(Clone, Debug, PartialEq)]
pub struct LocVarInfo {
    pub name: Box<[u8]>,
    pub start_pc: u32,
    pub end_pc: u32,
}

/// A compiled function.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct FunctionProto {
    /// The chunk name as given to `load` (e.g. `"=stdin"`, `"@file.lua"`,
    /// or the source text itself); shared by every function of a chunk.
    pub source: std::rc::Rc<[u8]>,
    /// Line where the function definition starts (0 for the main chunk).
    pub line_defined: u32,
    /// Line where the function definition ends (0 for the main chunk).
    pub last_line_defined: u32,
    /// Number of fixed parameters.
    pub num_params: u8,
    /// Whether the function is vararg (the main chunk always is).
    pub is_vararg: bool,
    /// Number of registers the function needs.
    pub max_stack_size: u8,
    /// The bytecode.
    pub code: Vec<Instruction>,
    /// The source line of each instruction (same length as `code`).
    pub line_info: Vec<u32>,
    /// The instructions whose line a binary chunk records as an absolute
    /// entry, where PUC's code generator puts them (ascending).
    pub abs_line_pcs: Vec<u32>,
    /// The constant table.
    pub constants: Vec<Constant>,
    /// Upvalue descriptions.
    pub upvalues: Vec<UpvalDesc>,
    /// Nested functions, indexed by `CLOSURE`'s Bx.
    pub protos: Vec<FunctionProto>,
    /// Local variables, in order of declaration.
    pub loc_vars: Vec<LocVarInfo>,
}

/// A syntax error from the lexer or the parser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// The complete message as PUC formats it, for example
    /// `[string "x = "]:1: unexpected symbol near <eof>`.
    pub message: Vec<u8>,
    /// Whether the error was found at the end of the input (the message
    /// ends with `near <eof>`): a REPL reads more lines in that case.
    pub incomplete: bool,
    /// Whether compiling stopped because memory ran out (a token longer
    /// than the allocator would give): the load fails with "not enough
    /// memory", as PUC's does when its token buffer cannot grow.
    pub out_of_memory: bool,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.message))
    }
}

impl std::error::Error for SyntaxError {}
