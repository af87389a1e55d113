//! The emulated MCUboot against the real one (a smp-sim built with the
//! `real-mcuboot` feature): the same requests to two devices, one per
//! bootloader, must leave byte-identical slots and get the same image state
//! answers after every step. Where they differ, MCUboot is right.

#[cfg(not(feature = "real-mcuboot"))]
#[test]
fn skipped_without_the_real_mcuboot() {
    eprintln!(
        "skipped: smp-sim built without the real-mcuboot feature \
         (set MCUBOOT_DIR and use --features real-mcuboot; docs/real-mcuboot.md)"
    );
}

// The emulation is of swap using move: another mode of the real build has
// nothing to be compared with.
#[cfg(all(feature = "real-mcuboot", not(mcuboot_mode = "swap-move")))]
#[test]
#[ignore = "the emulation is of swap using move, this MCUboot build is of another mode"]
fn compared_only_with_swap_using_move() {}

#[cfg(all(feature = "real-mcuboot", mcuboot_mode = "swap-move"))]
mod differential {
    use std::io::{BufRead, BufReader};
    use std::path::Path;
    use std::process::{Child, Command, Stdio};
    use std::time::Duration;

    use mcumgr_toolkit::commands::image::ImageState;
    use mcumgr_toolkit::MCUmgrClient;
    use nix::sys::signal::{self, Signal};
    use nix::unistd::Pid;
    use sha2::{Digest, Sha256};
    use tempfile::TempDir;

    /// slot0_partition and slot1_partition, together (crates/smp-sim/src/hw/flash.rs).
    const SLOTS: std::ops::Range<usize> = 0xC000..0xF8000;

    /// One virtual device with the bootloader it was started with.
    struct Device {
        bootloader: &'static str,
        state: TempDir,
        child: Child,
        client: MCUmgrClient,
    }

    impl Device {
        fn start(bootloader: &'static str) -> Device {
            let state = tempfile::tempdir().unwrap();
            let (child, client) = spawn(state.path(), bootloader);
            Device {
                bootloader,
                state,
                child,
                client,
            }
        }

        fn reset(&self) {
            self.client.os_system_reset(false, None).expect("reset");
            std::thread::sleep(Duration::from_millis(600));
            self.client
                .os_echo("back")
                .expect("device back after reset");
        }

        fn log(&self) -> String {
            std::fs::read_to_string(self.state.path().join("log")).unwrap()
        }

        fn slots(&self) -> Vec<u8> {
            let flash = std::fs::read(self.state.path().join("flash.bin")).unwrap();
            flash[SLOTS].to_vec()
        }
    }

    impl Drop for Device {
        fn drop(&mut self) {
            if let Ok(None) = self.child.try_wait() {
                let _ = signal::kill(Pid::from_raw(self.child.id() as i32), Signal::SIGTERM);
                let _ = self.child.wait();
            }
        }
    }

    fn spawn(state: &Path, bootloader: &str) -> (Child, MCUmgrClient) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_smp-sim"))
            .arg("--state")
            .arg(state)
            .args(["--udp", "127.0.0.1:0", "--bootloader", bootloader])
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(state.join("log")).expect("log file"))
            .spawn()
            .expect("start smp-sim");
        let stdout = child.stdout.take().expect("stdout");
        let mut udp = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("read smp-sim output");
            if let Some(addr) = line.strip_prefix("udp: ") {
                udp = Some(addr.to_owned());
            }
            if line.starts_with("serial: ") {
                break;
            }
        }
        let udp = udp.expect("smp-sim prints its UDP address");
        let client = MCUmgrClient::new_from_udp(udp.as_str(), Duration::from_secs(2)).unwrap();
        client.set_retries(3);
        (child, client)
    }

    /// The emulated and the real MCUboot, side by side.
    struct Pair([Device; 2]);

    impl Pair {
        fn start() -> Pair {
            Pair([Device::start("emulated"), Device::start("mcuboot")])
        }

        /// Runs `step` on both, then checks they agree.
        fn step(&self, what: &str, step: impl Fn(&Device)) {
            for device in &self.0 {
                step(device);
            }
            self.assert_same(what);
        }

        fn assert_same(&self, after: &str) {
            let [emulated, real] = &self.0;
            let states = |d: &Device| format!("{:?}", d.client.image_get_state().unwrap());
            assert_eq!(
                states(emulated),
                states(real),
                "image state after {after}: {} vs {}",
                emulated.bootloader,
                real.bootloader
            );
            let (a, b) = (emulated.slots(), real.slots());
            if let Some(at) = a.iter().zip(&b).position(|(x, y)| x != y) {
                let offset = SLOTS.start + at;
                panic!(
                    "slots differ after {after}: first at flash offset {offset:#x} \
                     (emulated {:#04x}, mcuboot {:#04x})",
                    a[at], b[at]
                );
            }
        }
    }

    /// An unsigned image: 0x200-byte header, body, SHA-256 TLV.
    fn image(major: u8, body_len: u32) -> Vec<u8> {
        let mut image = vec![0u8; 0x200];
        image[..4].copy_from_slice(&0x96f3_b83du32.to_le_bytes());
        image[8..10].copy_from_slice(&0x200u16.to_le_bytes());
        image[12..16].copy_from_slice(&body_len.to_le_bytes());
        image[20] = major;
        image.extend((0..body_len).map(|i| (i * 7 + u32::from(major)) as u8));
        let hash = Sha256::digest(&image);
        image.extend_from_slice(&0x6907u16.to_le_bytes());
        image.extend_from_slice(&40u16.to_le_bytes());
        image.extend_from_slice(&0x10u16.to_le_bytes());
        image.extend_from_slice(&32u16.to_le_bytes());
        image.extend_from_slice(&hash);
        image
    }

    fn upload(device: &Device, image: &[u8]) {
        device
            .client
            .image_upload(image, None, None, false, None)
            .expect("upload");
    }

    fn slot1_hash(device: &Device) -> Vec<u8> {
        let states: Vec<ImageState> = device.client.image_get_state().unwrap();
        states
            .into_iter()
            .find(|s| s.slot == 1)
            .and_then(|s| s.hash)
            .expect("slot 1 holds an image")
    }

    fn mark(device: &Device, confirm: bool) {
        let hash = slot1_hash(device);
        device
            .client
            .image_set_state(Some(&hash), confirm)
            .expect("mark slot 1");
    }

    #[test]
    fn first_boot() {
        Pair::start().assert_same("the first boot");
    }

    #[test]
    fn the_real_one_is_mcuboots_boot_go() {
        let pair = Pair::start();
        let [emulated, real] = &pair.0;
        assert!(
            real.log().contains("mcuboot: booting slot 0"),
            "{}",
            real.log()
        );
        assert!(!emulated.log().contains("mcuboot:"), "{}", emulated.log());
    }

    #[test]
    fn test_then_revert() {
        let pair = Pair::start();
        pair.step("upload", |d| upload(d, &image(2, 20_000)));
        pair.step("test mark", |d| mark(d, false));
        pair.step("the test swap", Device::reset);
        pair.step("the revert", Device::reset);
        pair.step("a boot with nothing to do", Device::reset);
    }

    #[test]
    fn test_then_confirm() {
        let pair = Pair::start();
        pair.step("upload", |d| upload(d, &image(2, 20_000)));
        pair.step("test mark", |d| mark(d, false));
        pair.step("the test swap", Device::reset);
        pair.step("confirm", |d| {
            d.client.image_set_state(None, true).map(drop).unwrap()
        });
        pair.step("the boot after confirm", Device::reset);
    }

    #[test]
    fn permanent() {
        let pair = Pair::start();
        pair.step("upload", |d| upload(d, &image(3, 9_000)));
        pair.step("confirm mark", |d| mark(d, true));
        pair.step("the permanent swap", Device::reset);
        pair.step("the next boot", Device::reset);
    }

    #[test]
    fn a_second_update_after_a_confirmed_one() {
        let pair = Pair::start();
        pair.step("upload 2", |d| upload(d, &image(2, 20_000)));
        pair.step("test mark 2", |d| mark(d, false));
        pair.step("the test swap to 2", Device::reset);
        pair.step("confirm 2", |d| {
            d.client.image_set_state(None, true).map(drop).unwrap()
        });
        pair.step("erase slot 1", |d| d.client.image_erase(Some(1)).unwrap());
        pair.step("upload 3", |d| upload(d, &image(3, 50_000)));
        pair.step("test mark 3", |d| mark(d, false));
        pair.step("the test swap to 3", Device::reset);
        pair.step("the revert to 2", Device::reset);
    }

    #[test]
    fn a_corrupted_image_is_refused() {
        let mut bad = image(2, 20_000);
        bad[0x300] ^= 0xFF;
        let pair = Pair::start();
        pair.step("upload", |d| upload(d, &bad));
        pair.step("test mark", |d| mark(d, false));
        pair.step("the refused swap", Device::reset);
    }

    #[test]
    fn an_erased_upload_is_never_booted() {
        let pair = Pair::start();
        pair.step("upload", |d| upload(d, &image(2, 20_000)));
        pair.step("erase", |d| d.client.image_erase(Some(1)).unwrap());
        pair.step("the boot", Device::reset);
    }
}
