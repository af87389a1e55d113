# SPDX-License-Identifier: Apache-2.0
#
# The Zephyr platform library's build glue. An application's Rust directory
# (the one with its Cargo.toml, package `rustapp`, depending on smp-zephyr)
# calls, after find_package(Zephyr):
#
#   include(<repository>/crates/smp-zephyr/smp-zephyr.cmake)
#   smp_zephyr_application()
#
# which runs zephyr-lang-rust's rust_cargo_application() and adds what the
# library needs around it: its devicetree augments, the C it is built with
# (c/*.c: what only C macros express), the wrappers bindgen writes for the
# static inline functions it binds, and one set of memory functions.

set(SMP_ZEPHYR_DIR ${CMAKE_CURRENT_LIST_DIR})

function(smp_zephyr_application)
  # The library's devicetree augments (see dt-rust.yaml) after
  # zephyr-lang-rust's own, in one generated file: DT_AUGMENTS can name
  # several files, but the space between them reaches cargo's environment
  # escaped. (zephyr-lang-rust sets DT_AUGMENTS to its own file at every
  # configure, before this runs.)
  set(augments ${CMAKE_CURRENT_BINARY_DIR}/dt-rust.yaml)
  file(READ ${DT_AUGMENTS} RUST_SMP_AUGMENTS_BASE)
  file(READ ${SMP_ZEPHYR_DIR}/dt-rust.yaml RUST_SMP_AUGMENTS_APP)
  file(CONFIGURE OUTPUT ${augments}
    CONTENT "${RUST_SMP_AUGMENTS_BASE}\n${RUST_SMP_AUGMENTS_APP}" @ONLY)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
    ${DT_AUGMENTS} ${SMP_ZEPHYR_DIR}/dt-rust.yaml)
  set(DT_AUGMENTS ${augments} CACHE INTERNAL "")

  rust_cargo_application()

  # One set of memory functions in the image, the C library's (see
  # c/aeabi_mem.c): the Rust library's compiler_builtins defines memcpy,
  # memmove, memset, memcmp, bcmp and strlen too, and as it is linked before
  # the C library, its copies would serve all of Zephyr. Made local to their
  # objects here, after every cargo run, they only resolve calls inside the
  # Rust library's own objects, which the linker then drops as unused.
  if(CONFIG_ARM)
    add_custom_command(TARGET librustapp POST_BUILD
      COMMAND ${CMAKE_COMMAND} -DOBJCOPY=${CMAKE_OBJCOPY}
        -DTARGET_DIR=${CMAKE_CURRENT_BINARY_DIR}/rust/target
        -P ${SMP_ZEPHYR_DIR}/localize-libc.cmake
      COMMENT "Rust library: the C library's functions left to the C library"
    )
    target_sources(app PRIVATE ${SMP_ZEPHYR_DIR}/c/aeabi_mem.c)
  endif()

  # build.rs generates C wrappers for the static inline functions it binds
  # (zsock_*, k_*, ...): compile them into the app. The file is written by
  # cargo, which the librustapp target runs; this target only tells the
  # generator who makes it.
  set(wrapper ${CMAKE_CURRENT_BINARY_DIR}/rust/smp-sys-wrapper.c)
  add_custom_target(rust_smp_sys_wrapper
    BYPRODUCTS ${wrapper}
    COMMAND ${CMAKE_COMMAND} -E true
  )
  add_dependencies(rust_smp_sys_wrapper librustapp)
  add_dependencies(app rust_smp_sys_wrapper)
  target_sources(app PRIVATE ${wrapper})

  # What only C macros express: the semaphore that wakes the SMP thread, the
  # SMP GATT service and advertising data (Bluetooth transport), the shell
  # command registration (shell group), the DTLS socket options and
  # credentials (UDP over DTLS).
  target_sources(app PRIVATE ${SMP_ZEPHYR_DIR}/c/wake.c)
  target_sources_ifdef(CONFIG_RUST_SMP_TRANSPORT_BT app PRIVATE ${SMP_ZEPHYR_DIR}/c/ble_gatt.c)
  if(CONFIG_RUST_SMP_GRP_SHELL OR CONFIG_RUST_SMP_TRANSPORT_SHELL)
    target_sources(app PRIVATE ${SMP_ZEPHYR_DIR}/c/shell.c)
  endif()
  target_sources_ifdef(CONFIG_RUST_SMP_TRANSPORT_SHELL app PRIVATE ${SMP_ZEPHYR_DIR}/c/smp_shell.c)
  target_sources_ifdef(CONFIG_RUST_SMP_TRANSPORT_UDP_DTLS app PRIVATE ${SMP_ZEPHYR_DIR}/c/udp_dtls.c)
endfunction()
