# Sourced by the tests/zephyr/run-* scripts (bash, set -euo pipefail): the
# steps they share. Expects $repo (the repository root) to be set.

step() { printf '\n==> %s\n' "$*"; }

# Skip (exit 0) without a Zephyr tree: the host test suite needs none.
# $1: the script's name, for the messages.
require_zephyr() {
    if [ -z "${ZEPHYR_BASE:-}" ] || [ ! -d "${ZEPHYR_BASE}" ]; then
        echo "$1: ZEPHYR_BASE is not set (or not a directory): no Zephyr tree, nothing to test; skipped."
        exit 0
    fi
    if ! command -v west >/dev/null 2>&1; then
        echo "$1: ZEPHYR_BASE is set but west is not on PATH" >&2
        exit 1
    fi
    export ZEPHYR_TOOLCHAIN_VARIANT="${ZEPHYR_TOOLCHAIN_VARIANT:-host}"
    unset CROSS_COMPILE
}

# Sets $python: $PYTHON, or the repository's .venv with the clients
# (tests/e2e/requirements.txt), made and filled if missing, as scripts/test does.
clients_python() {
    python="${PYTHON:-}"
    if [ -n "$python" ]; then
        return
    fi
    local venv="$repo/.venv"
    if [ ! -x "$venv/bin/python" ]; then
        step "python3 -m venv .venv"
        python3 -m venv "$venv"
    fi
    python="$venv/bin/python"
    step "pip install -r tests/e2e/requirements.txt"
    "$python" -m pip install --quiet --disable-pip-version-check -r "$repo/tests/e2e/requirements.txt"
}

# A UDP port free on every address (Zephyr on native_sim binds 0.0.0.0:PORT
# through the host's sockets; 1337 is often taken by other simulators).
free_udp_port() {
    "$python" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 0))
print(s.getsockname()[1])
'
}

# Starts a native_sim zephyr.exe of the application (or a sample on
# smp-zephyr) in WORKDIR, its log in LOG, and waits until it says it is ready
# and, with PTY_LINK, until uart_1's pseudo-terminal is linked there (remade at
# every start, os reset included: native_sim reboots by re-executing itself).
# Sets $pid. Exits the script with the log if the device exits or is not ready
# within 10 s.
#   start_zephyr EXE LOG WORKDIR [PTY_LINK]
start_zephyr() {
    local exe="$1" log="$2" workdir="$3" pty_link="${4:-}" ready="rust_smp: ready"
    local args=()
    if [ -n "$pty_link" ]; then
        rm -f "$pty_link"
        args=(--uart_1_attach_uart_cmd="ln -sfn %s $pty_link")
    fi
    (cd "$workdir" && exec "$exe" "${args[@]}") >"$log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do
        if grep -q "$ready" "$log" && { [ -z "$pty_link" ] || [ -e "$pty_link" ]; }; then
            return
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "$exe exited early:" >&2
            cat "$log" >&2
            exit 1
        fi
        sleep 0.1
    done
    echo "$exe was not ready within 10 s (PTY link: ${pty_link:-none}):" >&2
    cat "$log" >&2
    exit 1
}

stop_zephyr() {
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
