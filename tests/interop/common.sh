# Shared by the interop scripts (sourced, not run): the repository root, a step printer,
# the two real clients installed when missing (OmegaT 3.6 from Debian, translate-toolkit
# from PyPI), a debug build of concord, and a scratch folder removed on exit.
#
#   source "$(dirname "$0")/common.sh"
#   interop_setup translate.storage.tmx   # the translate-toolkit module the script needs
#
# Sets: root, t0, t_tools (when the tools were ready), concord (the binary), work.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
t0=$(date +%s)
say() { printf '== %s\n' "$*"; }
sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

interop_setup() {
    local module=$1
    if [ ! -f /usr/share/omegat/OmegaT.jar ]; then
        say "installing OmegaT (Debian package omegat)"
        sudo_if_needed apt-get update -qq
        DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq omegat >/dev/null
    fi
    if ! python3 -c "import $module" 2>/dev/null; then
        say "installing translate-toolkit (PyPI)"
        python3 -m pip install -q translate-toolkit
    fi
    t_tools=$(date +%s)
    (cd "$root" && cargo build --quiet --bin concord)
    concord="$root/target/debug/concord"
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
}
