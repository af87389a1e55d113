/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The Arm EABI memory helpers that Rust code calls (LLVM emits
 * __aeabi_memcpy & co. for copies and fills), forwarded to the C library's
 * memcpy/memmove/memset. Without these, the Rust library's own
 * compiler_builtins copies are linked (about 3 KB on thumbv7em, with their
 * word-at-a-time memmove), and, since the Rust library comes first on the
 * link line, they also take the place of the C library's memcpy & co. for
 * all of Zephyr. rustapp/CMakeLists.txt hides those C-named ones in the Rust
 * library, so one implementation (the C library's, size-optimised) serves
 * the whole image.
 */

#include <stddef.h>
#include <string.h>

void __aeabi_memcpy(void *dest, const void *src, size_t n) { memcpy(dest, src, n); }
void __aeabi_memcpy4(void *dest, const void *src, size_t n) { memcpy(dest, src, n); }
void __aeabi_memcpy8(void *dest, const void *src, size_t n) { memcpy(dest, src, n); }
void __aeabi_memmove(void *dest, const void *src, size_t n) { memmove(dest, src, n); }
void __aeabi_memmove4(void *dest, const void *src, size_t n) { memmove(dest, src, n); }
void __aeabi_memmove8(void *dest, const void *src, size_t n) { memmove(dest, src, n); }
/* The EABI's fill helpers take the length before the value. */
void __aeabi_memset(void *dest, size_t n, int c) { memset(dest, c, n); }
void __aeabi_memset4(void *dest, size_t n, int c) { memset(dest, c, n); }
void __aeabi_memset8(void *dest, size_t n, int c) { memset(dest, c, n); }
void __aeabi_memclr(void *dest, size_t n) { memset(dest, 0, n); }
void __aeabi_memclr4(void *dest, size_t n) { memset(dest, 0, n); }
void __aeabi_memclr8(void *dest, size_t n) { memset(dest, 0, n); }
