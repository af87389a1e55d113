//! With the `real-mcuboot` feature: builds MCUboot's bootutil for the host
//! (swap using move, SHA-256 validation with tinycrypt) together with the C
//! glue in `mcuboot-glue/`. MCUboot's sources come from `MCUBOOT_DIR`, or
//! from the Zephyr workspace `ZEPHYR_BASE` belongs to
//! (`$ZEPHYR_BASE/../bootloader/mcuboot`); nothing of MCUboot is in this
//! repository. Without the feature this does nothing.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=MCUBOOT_DIR");
    println!("cargo:rerun-if-env-changed=ZEPHYR_BASE");
    println!("cargo:rerun-if-env-changed=SMP_SIM_MCUBOOT_MODE");
    println!(
        "cargo:rustc-check-cfg=cfg(mcuboot_mode, values(\"swap-move\", \"swap-offset\", \"overwrite-only\"))"
    );
    #[cfg(feature = "real-mcuboot")]
    real_mcuboot::build();
}

#[cfg(feature = "real-mcuboot")]
mod real_mcuboot {
    use std::env;
    use std::path::{Path, PathBuf};

    /// The upgrade modes the build offers (`SMP_SIM_MCUBOOT_MODE`, default
    /// the first: sysbuild's default for both boards), with the define
    /// that selects each in bootutil.
    const MODES: &[(&str, &str)] = &[
        ("swap-move", "MCUBOOT_SWAP_USING_MOVE"),
        ("swap-offset", "MCUBOOT_SWAP_USING_OFFSET"),
        ("overwrite-only", "MCUBOOT_OVERWRITE_ONLY"),
    ];

    /// bootutil's sources a single-image, unsigned build needs (MCUboot's
    /// own sim/mcuboot-sys/build.rs builds the same set; each swap source
    /// compiles to nothing outside its mode).
    const BOOTUTIL: &[&str] = &[
        "boot/bootutil/src/loader.c",
        "boot/bootutil/src/swap_misc.c",
        "boot/bootutil/src/swap_move.c",
        "boot/bootutil/src/swap_offset.c",
        // Overwrite-only reads headers and checks slots with its code.
        "boot/bootutil/src/swap_scratch.c",
        "boot/bootutil/src/bootutil_misc.c",
        "boot/bootutil/src/bootutil_public.c",
        "boot/bootutil/src/image_validate.c",
        "boot/bootutil/src/tlv.c",
        "boot/bootutil/src/caps.c",
        "boot/bootutil/src/fault_injection_hardening.c",
    ];

    /// The SHA-256 MCUboot uses with `MCUBOOT_USE_TINYCRYPT`.
    const TINYCRYPT: &[&str] = &[
        "ext/tinycrypt/lib/source/sha256.c",
        "ext/tinycrypt/lib/source/utils.c",
    ];

    fn mcuboot_dir() -> PathBuf {
        let dir = env::var_os("MCUBOOT_DIR").map(PathBuf::from).or_else(|| {
            env::var_os("ZEPHYR_BASE").map(|base| PathBuf::from(base).join("../bootloader/mcuboot"))
        });
        match dir {
            Some(dir) if dir.join("boot/bootutil/src/loader.c").is_file() => dir,
            Some(dir) => panic!(
                "real-mcuboot: {} is not an MCUboot tree (no boot/bootutil/src/loader.c)",
                dir.display()
            ),
            None => panic!(
                "real-mcuboot: set MCUBOOT_DIR to an MCUboot checkout \
                 (or ZEPHYR_BASE to a west workspace that has bootloader/mcuboot)"
            ),
        }
    }

    fn mode() -> (&'static str, &'static str) {
        let asked = env::var("SMP_SIM_MCUBOOT_MODE").unwrap_or_default();
        if asked.is_empty() {
            return MODES[0];
        }
        *MODES
            .iter()
            .find(|(name, _)| *name == asked)
            .unwrap_or_else(|| {
                let names: Vec<_> = MODES.iter().map(|(name, _)| *name).collect();
                panic!(
                    "real-mcuboot: SMP_SIM_MCUBOOT_MODE={asked} is none of {}",
                    names.join(", ")
                )
            })
    }

    pub fn build() {
        let mcuboot = mcuboot_dir();
        let (mode, define) = mode();
        println!("cargo:rustc-env=SMP_SIM_MCUBOOT_MODE={mode}");
        println!("cargo:rustc-cfg=mcuboot_mode=\"{mode}\"");
        let glue = Path::new(env!("CARGO_MANIFEST_DIR")).join("mcuboot-glue");
        let mut build = cc::Build::new();
        build
            .include(&glue)
            .include(mcuboot.join("boot/bootutil/include"))
            .include(mcuboot.join("boot/bootutil/src"))
            .include(mcuboot.join("ext/tinycrypt/lib/include"))
            .file(glue.join("glue.c"))
            .define(define, "1")
            .flag("-std=gnu99")
            .warnings(false);
        for source in BOOTUTIL.iter().chain(TINYCRYPT) {
            let path = mcuboot.join(source);
            // Older MCUboot has no swap using offset.
            if source.ends_with("swap_offset.c") && mode != "swap-offset" && !path.is_file() {
                continue;
            }
            assert!(
                path.is_file(),
                "real-mcuboot: {} is missing",
                path.display()
            );
            build.file(&path);
            println!("cargo:rerun-if-changed={}", path.display());
        }
        for header in [
            "mcuboot_config/mcuboot_config.h",
            "flash_map_backend/flash_map_backend.h",
            "glue.c",
        ] {
            println!("cargo:rerun-if-changed={}", glue.join(header).display());
        }
        build.compile("mcuboot");
        // The glue learns from MCUboot's own swap_read_status whether a boot
        // resumes a swap (overwrite-only has no swap to resume).
        if mode != "overwrite-only" {
            println!("cargo:rustc-link-arg=-Wl,--wrap=swap_read_status");
        }
    }
}
