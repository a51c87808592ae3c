use luna_core::load::LoadMode;
use luna_core::stdlib::Libs;
use luna_core::{State, Status, Value};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut st = State::new();
    st.open_libs(Libs::ALL).unwrap();
    let (src, name) = if args.len() > 2 && args[1] == "-e" {
        (args[2].as_bytes().to_vec(), b"=(command line)".to_vec())
    } else {
        (std::fs::read(&args[1]).unwrap(), format!("@{}", args[1]).into_bytes())
    };
    let f = match st.load(&src, &name, LoadMode::Both, None) {
        Ok(f) => f,
        Err(t) => {
            eprintln!("luna: {:?}", t.value);
            std::process::exit(1);
        }
    };
    let base = st.top();
    st.push(f);
    let status = st.pcall_raw(base, -1, 0);
    if status != Status::Ok {
        let e = st.stack_get(st.top() - 1);
        match e {
            Value::Str(s) => eprintln!("luna: {}", s.to_str_lossy()),
            other => eprintln!("luna: {:?}", other),
        }
        std::process::exit(1);
    }
}
