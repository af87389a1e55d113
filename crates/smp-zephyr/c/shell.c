/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The shell command the application adds (for the shell group, src/shell.rs):
 * only SHELL_CMD_ARG_REGISTER can put a command in the shell's static
 * command table. The handler is Rust.
 */

#include <zephyr/shell/shell.h>

int rust_smp_shell_echo(const struct shell *sh, size_t argc, char **argv);

SHELL_CMD_ARG_REGISTER(echo, NULL, "Print the arguments, separated by spaces",
		       rust_smp_shell_echo, 1, SHELL_OPT_ARG_MAX);
