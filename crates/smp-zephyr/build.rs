//! Build script of the Zephyr platform library (smp-zephyr). Runs only inside a Zephyr
//! build (zephyr-lang-rust passes DOTCONFIG, INCLUDE_DIRS, INCLUDE_DEFINES,
//! BUILD_DIR, ... in the environment):
//! - Kconfig booleans become `cfg(CONFIG_...)` flags;
//! - the kernel version and BUILD_VERSION (from the generated version.h) become
//!   compile-time environment variables for os info;
//! - bindgen over `smp-sys.h` (sockets, reboot, thread list, Bluetooth
//!   connections and GATT, the C shim's functions, fs, settings, shell, flash
//!   map, hwinfo) with the include dirs and defines of the Zephyr build, the
//!   static inline functions wrapped into `<BUILD_DIR>/rust/smp-sys-wrapper.c`,
//!   which CMake compiles.

use std::collections::HashSet;
use std::env;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    zephyr_build::export_kconfig_bool_options();
    let dotconfig = env::var("DOTCONFIG").expect("DOTCONFIG (set by the Zephyr build)");
    let options =
        zephyr_build::extract_kconfig_bool_options(&dotconfig).expect("cannot read .config");
    // zephyr-build's own rerun line is misspelt (`cargo-rerun-if-changed`), so
    // without this a changed .config in a reused build dir would not reach
    // the cfg flags. (zephyr::kconfig has the same problem, hence config.rs.)
    println!("cargo:rerun-if-changed={dotconfig}");
    config_mod(&dotconfig);
    version_env();
    board_env(&dotconfig, &options);
    if options.contains("CONFIG_RUST_SMP_GRP_OS_INFO_BUILD_DATE_TIME") {
        build_time_env();
    }
    bindings(&options);
}

/// CONFIG_ARCH, the processor name and CONFIG_BOARD[@CONFIG_BOARD_REVISION],
/// as Zephyr's os_mgmt reports them for os info `m`, `p` and `i`.
fn board_env(dotconfig: &str, options: &HashSet<String>) {
    let text = fs::read_to_string(dotconfig).unwrap_or_default();
    let string = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix("=\""))
            .map(|v| v.trim_end_matches('"').to_string())
            .unwrap_or_default()
    };
    let arch = string("CONFIG_ARCH");
    let board = string("CONFIG_BOARD");
    let revision = string("CONFIG_BOARD_REVISION");
    let platform = if revision.is_empty() {
        board
    } else {
        format!("{board}@{revision}")
    };
    println!("cargo:rustc-env=RUST_SMP_ARCH={arch}");
    println!("cargo:rustc-env=RUST_SMP_HARDWARE_PLATFORM={platform}");
    println!("cargo:rustc-env=RUST_SMP_PROCESSOR={}", processor(options));
    // os info's node name with Bluetooth (what bt_get_name() returns without
    // CONFIG_BT_DEVICE_NAME_DYNAMIC).
    println!(
        "cargo:rustc-env=RUST_SMP_BT_DEVICE_NAME={}",
        string("CONFIG_BT_DEVICE_NAME")
    );
}

/// The processor name of Zephyr's os_mgmt_processor.h for the CPUs Rust on
/// Zephyr supports (Cortex-M, RISC-V, x86); "unknown" elsewhere, as there
/// (native_sim included).
fn processor(options: &HashSet<String>) -> &'static str {
    let has = |name: &str| options.contains(name);
    let cortex_m = [
        ("CONFIG_CPU_CORTEX_M0", "cortex-m0"),
        ("CONFIG_CPU_CORTEX_M0PLUS", "cortex-m0plus"),
        ("CONFIG_CPU_CORTEX_M1", "cortex-m1"),
        ("CONFIG_CPU_CORTEX_M3", "cortex-m3"),
        ("CONFIG_CPU_CORTEX_M4", "cortex-m4"),
        ("CONFIG_CPU_CORTEX_M7", "cortex-m7"),
        ("CONFIG_CPU_CORTEX_M23", "cortex-m23"),
    ];
    if has("CONFIG_ARM") {
        if let Some((_, name)) = cortex_m.iter().find(|(option, _)| has(option)) {
            return name;
        }
        if has("CONFIG_CPU_CORTEX_M33") {
            return if has("CONFIG_ARMV8_M_DSP") {
                "cortex-m33"
            } else {
                "cortex-m33+nodsp"
            };
        }
        return "unknown";
    }
    if has("CONFIG_RISCV") {
        return "riscv";
    }
    if has("CONFIG_X86") {
        return if has("CONFIG_X86_64") {
            "x86_64"
        } else {
            "x86"
        };
    }
    "unknown"
}

/// Zephyr integer options the application sizes things by, besides its own.
const ZEPHYR_INT_OPTIONS: &[&str] = &["CONFIG_SHELL_CMD_BUFF_SIZE"];

/// Zephyr integer options the application reads that a build may not define,
/// with the value their absence means.
const ZEPHYR_INT_DEFAULTS: &[(&str, i64)] = &[("CONFIG_UPDATEABLE_IMAGE_NUMBER", 1)];

/// `OUT_DIR/config.rs`: the integer and string options of this application
/// (CONFIG_RUST_SMP_*) and ZEPHYR_INT_OPTIONS, rebuilt whenever .config
/// changes.
fn config_mod(dotconfig: &str) {
    let text = fs::read_to_string(dotconfig).expect("cannot read .config");
    let mut out = String::new();
    for (name, default) in ZEPHYR_INT_DEFAULTS {
        let value = text
            .lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix('=')?.parse().ok())
            .unwrap_or(*default);
        out.push_str(&format!("pub const {name}: i64 = {value};\n"));
    }
    for line in text.lines() {
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        let ours = name.starts_with("CONFIG_RUST_SMP_") || ZEPHYR_INT_OPTIONS.contains(&name);
        if !ours {
            continue;
        }
        if value.parse::<i64>().is_ok() {
            out.push_str(&format!("pub const {name}: i64 = {value};\n"));
        } else if value.starts_with('"') {
            // Kconfig writes strings with C escapes (\" and \\), which Rust
            // string literals share.
            out.push_str(&format!("pub const {name}: &str = {value};\n"));
        }
    }
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    fs::write(out_dir.join("config.rs"), out).expect("cannot write config.rs");
}

/// The build time (UTC) as C's `__TIMESTAMP__` prints one
/// (`Www Mmm dd hh:mm:ss yyyy`, the day padded with a space), which is what
/// Zephyr's os_mgmt reports for os info `b`.
fn build_time_env() {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Days to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let stamp = format!(
        "{} {} {:2} {:02}:{:02}:{:02} {}",
        WEEKDAYS[days.rem_euclid(7) as usize],
        MONTHS[(month - 1) as usize],
        day,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        year
    );
    println!("cargo:rustc-env=RUST_SMP_BUILD_DATE_TIME={stamp}");
}

/// KERNEL_VERSION_STRING and BUILD_VERSION from the generated version.h.
fn version_env() {
    let generated = env::var("BINARY_DIR_INCLUDE_GENERATED").expect("BINARY_DIR_INCLUDE_GENERATED");
    let path = Path::new(&generated).join("version.h");
    println!("cargo:rerun-if-changed={}", path.display());
    let text = fs::read_to_string(&path).unwrap_or_default();
    let define = |name: &str| {
        text.lines().find_map(|line| {
            let mut words = line.split_whitespace();
            (words.next() == Some("#define") && words.next() == Some(name))
                .then(|| words.next())
                .flatten()
                .map(|v| v.trim_matches('"').to_string())
        })
    };
    let kernel = define("KERNEL_VERSION_STRING").unwrap_or_else(|| "unknown".into());
    let build = define("BUILD_VERSION").unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=RUST_SMP_KERNEL_VERSION={kernel}");
    println!("cargo:rustc-env=RUST_SMP_BUILD_VERSION={build}");
}

fn bindings(options: &HashSet<String>) {
    let target = env::var("TARGET").expect("TARGET");
    let target = if target.starts_with("riscv32") {
        "riscv32-unknown-none-elf".to_string()
    } else if target.starts_with("riscv64") {
        "riscv64-unknown-none-elf".to_string()
    } else {
        target
    };
    let zephyr_base = env::var("ZEPHYR_BASE").expect("ZEPHYR_BASE");
    let header = Path::new("smp-sys.h")
        .canonicalize()
        .expect("crates/smp-zephyr/smp-sys.h");
    println!("cargo:rerun-if-changed={}", header.display());

    let mut builder = bindgen::Builder::default()
        .clang_arg("-DRUST_BINDGEN")
        .clang_arg(format!("-I{zephyr_base}/lib/libc/minimal/include"))
        .clang_arg(format!("--target={target}"))
        .header(header.to_string_lossy())
        .use_core()
        .derive_default(true)
        .layout_tests(false);
    for (prefix, var) in [("-I", "INCLUDE_DIRS"), ("-D", "INCLUDE_DEFINES")] {
        let value = env::var(var).unwrap_or_default();
        for entry in value.split([' ', ';']).filter(|e| !e.is_empty()) {
            builder = builder.clang_arg(format!("{prefix}{entry}"));
        }
    }

    builder = builder
        .allowlist_function("sys_reboot")
        .allowlist_var("SYS_REBOOT_.*")
        .allowlist_function("rust_smp_errno")
        .allowlist_function("rust_smp_wake_(give|take)")
        .allowlist_function("rust_smp_sleep_ms");
    if options.contains("CONFIG_PRINTK") {
        // src/log.rs
        builder = builder.allowlist_function("printk");
    }
    // Kernel functions (k_*) come from zephyr-lang-rust's zephyr-sys
    // (`zephyr::raw`): binding them here too would wrap them twice.
    if options.contains("CONFIG_NET_SOCKETS") {
        builder = builder
            .allowlist_function("zsock_(socket|close|bind|recvfrom|sendto|poll|setsockopt)")
            .allowlist_type("sockaddr_in6?")
            // SOCK_DGRAM and IPPROTO_UDP are enumerators of these.
            .allowlist_type("net_sock_type|net_ip_protocol")
            .prepend_enum_name(false)
            .allowlist_var("ZSOCK_(POLLIN|POLLERR|POLLHUP|POLLNVAL|MSG_DONTWAIT)")
            .allowlist_var("(AF_INET6?|EAGAIN|EINTR|IPV6_V6ONLY)");
    }
    if options.contains("CONFIG_RUST_SMP_TRANSPORT_UDP_DTLS") {
        builder = builder.allowlist_function("rust_smp_udp_dtls_socket");
    }

    if options.contains("CONFIG_RUST_SMP_GRP_IMG") {
        // flash_get_* come from zephyr-sys (drivers/flash.h); only the flash
        // map is bound here.
        builder = builder
            .allowlist_function("flash_area_(open|read|write|erase|erased_val)")
            .allowlist_function("rust_smp_(slot_partition_id|running_slot|image_count)");
    }

    if options.contains("CONFIG_RUST_SMP_GRP_MEMFAULT") {
        builder = builder.allowlist_function("hwinfo_get_device_id");
    }

    if options.contains("CONFIG_RUST_SMP_TRANSPORT_UART") {
        builder = builder
            .allowlist_function("rust_smp_uart")
            // What a UART that does not come up is reported with.
            .allowlist_var("ENODEV");
    }

    if options.contains("CONFIG_NET_HOSTNAME_ENABLE") {
        // os info's node name, as Zephyr's os_mgmt takes it.
        builder = builder.allowlist_function("net_hostname_get");
    }

    if options.contains("CONFIG_RUST_SMP_GRP_OS_RESET_BOOT_MODE") {
        // sys.rs: the boot mode a reset asked for.
        builder = builder.allowlist_function("bootmode_(set|check)");
    }

    if options.contains("CONFIG_RUST_SMP_GRP_OS_DATETIME_RTC") {
        builder = builder
            .allowlist_function("rust_smp_rtc")
            .allowlist_function("rtc_(get|set)_time")
            .allowlist_type("rtc_time")
            // What an RTC never set answers.
            .allowlist_var("ENODATA");
    }

    if options.contains("CONFIG_RUST_SMP_TRANSPORT_SHELL") {
        builder = builder
            .allowlist_function("rust_smp_shell_(ready|inner_read|lock|unlock|write)")
            // What a shell UART that does not come up is reported with.
            .allowlist_var("ENODEV");
    }

    if options.contains("CONFIG_RUST_SMP_TRANSPORT_BT") {
        builder = builder
            .allowlist_function("rust_smp_bt_(start|notify)")
            .allowlist_function("bt_conn_(ref|unref|le_param_update)")
            .allowlist_function("bt_gatt_get_mtu")
            .allowlist_var("CONFIG_BT_PERIPHERAL_PREF_.*")
            .allowlist_var("(ENOMEM|EALREADY)");
    }

    // errno values the fs, settings, shell and storage code use.
    builder = builder
        .allowlist_var("(ENOENT|ENOTDIR|EISDIR|EROFS|EINVAL|ENOMEM)")
        // Only ever passed by pointer: their layouts stay Zephyr's business.
        .opaque_type("(shell|fs_mount_t)");
    if options.contains("CONFIG_RUST_SMP_GRP_FS") {
        builder = builder
            .allowlist_function("fs_(file_t_init|open|close|read|write|seek|truncate|stat)")
            .allowlist_type("fs_dir_entry_type")
            .prepend_enum_name(false)
            .allowlist_var("FS_(O_READ|O_WRITE|O_CREATE|O_APPEND|SEEK_SET)");
    }
    if options.contains("CONFIG_RUST_SMP_GRP_SETTINGS") {
        builder = builder
            .allowlist_function("settings_(subsys_init|register|runtime_get|runtime_set)")
            .allowlist_function("settings_(get_val_len|delete|commit|load|save|save_subtree)")
            .allowlist_function("rust_smp_enotsup");
    }
    if options.contains("CONFIG_RUST_SMP_GRP_SHELL")
        || options.contains("CONFIG_RUST_SMP_TRANSPORT_SHELL")
    {
        builder = builder
            .allowlist_function("shell_backend_dummy_(get_ptr|clear_output|get_output)")
            .allowlist_function("shell_(execute_cmd|fprintf_normal|echo_set)");
    }
    if options.contains("CONFIG_RUST_SMP_GRP_ZBASIC") {
        builder = builder
            .allowlist_function("flash_area_(open|close|flatten|get_device)")
            .allowlist_function("rust_smp_storage_partition_id");
        if options.contains("CONFIG_FILE_SYSTEM_LITTLEFS") {
            builder = builder.allowlist_function("fs_(mount|unmount)|rust_smp_storage_fs");
        }
    }

    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    let build_dir = PathBuf::from(env::var("BUILD_DIR").expect("BUILD_DIR"));
    let wrapper = build_dir.join("rust").join("smp-sys-wrapper.c");
    let staged = out_dir.join("smp-sys-wrapper.c");
    let generated = builder
        .wrap_static_fns(true)
        .wrap_static_fns_path(&staged)
        .generate()
        .expect("bindgen over crates/smp-zephyr/smp-sys.h failed");
    generated
        .write_to_file(out_dir.join("smp_sys.rs"))
        .expect("cannot write smp_sys.rs");
    publish(&staged, &wrapper);
}

/// Copies the wrapper C file where CMake compiles it, only when it changed and
/// through a rename, so a concurrent compile never sees a half-written file
/// (cargo build and cargo clippy both run this script).
fn publish(staged: &Path, wrapper: &Path) {
    let new = fs::read(staged).unwrap_or_default();
    if fs::read(wrapper).ok().as_deref() == Some(&new[..]) {
        return;
    }
    let dir = wrapper.parent().expect("wrapper path has a directory");
    fs::create_dir_all(dir).expect("cannot create the wrapper directory");
    let tmp = dir.join(format!("smp-sys-wrapper.c.{}", std::process::id()));
    fs::write(&tmp, &new).expect("cannot write the wrapper");
    fs::rename(&tmp, wrapper).expect("cannot publish the wrapper");
}
