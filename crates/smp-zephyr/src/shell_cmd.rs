//! `echo`, the one shell command this library adds, for the shell group and
//! for a person at the shell beside the shell transport (registered in
//! `c/shell.c`: only a C macro can put it in the shell's command table).

use core::ffi::{c_char, c_int, CStr};

use crate::sys::raw;

/// `echo [text...]`: prints its arguments separated by spaces, and a new
/// line. Registered by `c/shell.c`.
#[no_mangle]
extern "C" fn rust_smp_shell_echo(
    sh: *const raw::shell,
    argc: usize,
    argv: *mut *mut c_char,
) -> c_int {
    for i in 1..argc {
        // SAFETY: the shell passes argc valid NUL-terminated arguments.
        let arg = unsafe { CStr::from_ptr(*argv.add(i)) };
        let sep: &CStr = if i + 1 < argc { c" " } else { c"" };
        // SAFETY: `sh` is the shell running this command; the format takes
        // two strings, and two NUL-terminated strings follow it.
        unsafe { raw::shell_fprintf_normal(sh, c"%s%s".as_ptr(), arg.as_ptr(), sep.as_ptr()) };
    }
    // SAFETY: as above, a format without arguments.
    unsafe { raw::shell_fprintf_normal(sh, c"\n".as_ptr()) };
    0
}
