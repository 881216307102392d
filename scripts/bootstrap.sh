#!/usr/bin/env bash
# Installs what `make demo` or `make test` needs on a fresh Debian 12 machine and skips whatever is already there:
# system packages (apt), uv (pip), and the Python environment in .venv (`uv sync --frozen`, dev group included).
#
#   scripts/bootstrap.sh demo   # WeasyPrint's libraries and CJK fonts
#   scripts/bootstrap.sh test   # the above + PostgreSQL, Redis and Chromium for the test suite
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

mode=${1:-demo}
# WeasyPrint renders certificates with Pango/HarfBuzz; Noto CJK covers Simplified Chinese in PDFs and pages.
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-noto-color-emoji)
case "$mode" in
    demo) ;;
    test) packages+=(postgresql redis-server chromium) ;;
    *) echo "usage: $0 demo|test" >&2; exit 2 ;;
esac

if [ -t 1 ]; then
    say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
else
    say() { printf '==> %s\n' "$*"; }
fi

install_system_packages() {
    if ! command -v dpkg-query >/dev/null; then
        say "not a Debian system: make sure these are installed yourself: ${packages[*]}"
        return
    fi
    local missing=() pkg
    for pkg in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        say "system packages: all present"
        return
    fi
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null; then
            sudo=(sudo)
        else
            echo "missing system packages (${missing[*]}) and not root: run as root or install them first" >&2
            exit 1
        fi
    fi
    say "installing system packages: ${missing[*]}"
    # The lock timeout waits for another apt/dpkg run to finish instead of failing straight away.
    "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -q
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get -o DPkg::Lock::Timeout=600 install -y -q "${missing[@]}"
}

uv_command() {
    if command -v uv >/dev/null; then
        echo uv
    elif python3 -m uv --version >/dev/null 2>&1; then
        echo "python3 -m uv"
    else
        return 1
    fi
}

install_uv() {
    if uv_command >/dev/null; then
        return
    fi
    say "installing uv (python3 -m pip install uv)"
    if ! python3 -m pip --version >/dev/null 2>&1; then
        # Debian's python3 has neither pip nor ensurepip: those come as python3-pip.
        python3 -m ensurepip --upgrade >/dev/null 2>&1 || {
            packages=(python3-pip)
            install_system_packages
        }
    fi
    # A Debian-managed python3 refuses plain pip installs (PEP 668); --user with the override is then the way.
    python3 -m pip install -q uv ||
        python3 -m pip install -q --user --break-system-packages uv
    uv_command >/dev/null || { echo "uv was installed but can't be run" >&2; exit 1; }
}

install_system_packages
install_uv
say "python environment: uv sync --frozen"
# Never let uv fetch an interpreter from the internet: use the machine's Python 3.11.
UV_PYTHON_DOWNLOADS=never $(uv_command) sync --frozen --quiet
