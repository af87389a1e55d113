//! The Zephyr application: the platform layer that runs `smp-server` on Zephyr.
//!
//! Everything here is Zephyr-only and compiled only for bare-metal targets
//! (`target_os = "none"`), so that on the host the workspace builds and tests
//! without a Zephyr tree.
#![cfg_attr(target_os = "none", no_std)]
