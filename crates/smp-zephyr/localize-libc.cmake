# SPDX-License-Identifier: Apache-2.0
#
# cmake -DOBJCOPY=<objcopy> -DTARGET_DIR=<cargo target dir> -P localize-libc.cmake
#
# Makes the C library's function names (memcpy, memmove, memset, memcmp,
# bcmp, strlen) local in the Rust library cargo built, so the image links
# the C library's copies only (see rustapp/CMakeLists.txt, src/aeabi_mem.c).
# Idempotent: runs after every cargo invocation, which may leave the library
# as it was.
file(GLOB libraries ${TARGET_DIR}/*/release/librustapp.a ${TARGET_DIR}/*/debug/librustapp.a)
foreach(library IN LISTS libraries)
  execute_process(
    COMMAND ${OBJCOPY}
      --localize-symbol=memcpy --localize-symbol=memmove --localize-symbol=memset
      --localize-symbol=memcmp --localize-symbol=bcmp --localize-symbol=strlen
      ${library}
    RESULT_VARIABLE rc
  )
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "objcopy failed on ${library}")
  endif()
endforeach()
