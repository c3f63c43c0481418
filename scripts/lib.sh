# shellcheck shell=bash
# Shared shell helpers for scripts/demo, scripts/test and .ci/run. Source it; do not run it.
#
#   ROOT          the repository root (set by the sourcing script or found here)
#   ensure_debs   install the Debian packages that are missing (apt-get update at most once)
#   ensure_venv   .venv with `pip install -e '.[dev]'`, redone only when pyproject.toml changed
#   free_port     print a free TCP port on 127.0.0.1
#   section       print a section header

ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
VENV="$ROOT/.venv"
VENV_PY="$VENV/bin/python"
DEPS_STAMP="$ROOT/var/.deps-installed"

section() {
  printf '\n\033[1;34m==> %s\033[0m\n' "$*"
}

note() {
  printf '    %s\n' "$*"
}

die() {
  printf '\033[1;31merror:\033[0m %s\n' "$*" >&2
  exit 1
}

# Run as root, through sudo when we are not root.
as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -n "$@"
  else
    die "需要 root 权限来运行: $* (not root and no sudo)"
  fi
}

_APT_UPDATED="${_APT_UPDATED:-}"

# ensure_debs PKG... — install only the packages dpkg does not report as installed.
ensure_debs() {
  local missing=() pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || die "缺少 Debian 软件包 ${missing[*]}，且本机没有 apt-get"
  section "安装 Debian 软件包 / installing Debian packages: ${missing[*]}"
  if [ -z "$_APT_UPDATED" ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    _APT_UPDATED=1
    export _APT_UPDATED
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
}

# The interpreter the venv is made from: python3.11 when present, else python3.
_base_python() {
  local py
  for py in python3.11 python3; do
    if command -v "$py" >/dev/null 2>&1 \
      && "$py" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      command -v "$py"
      return 0
    fi
  done
  return 1
}

_deps_fingerprint() {
  # pyproject.toml plus the venv's interpreter: a new venv or a changed dependency list reinstalls.
  { cat "$ROOT/pyproject.toml"; "$VENV_PY" -c 'import sys; print(sys.executable, sys.version)'; } \
    | sha256sum | cut -d' ' -f1
}

ensure_venv() {
  local base
  if [ ! -x "$VENV_PY" ] || ! "$VENV_PY" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
    base="$(_base_python)" || die "找不到 Python 3.11 (python3.11 / python3)。Debian 12: apt-get install python3 python3-venv"
    section "创建虚拟环境 / creating .venv with $base"
    rm -rf "$VENV"
    "$base" -m venv "$VENV" || die "python -m venv 失败: 在 Debian 上需要 python3-venv"
    rm -f "$DEPS_STAMP"
  fi
  mkdir -p "$ROOT/var"
  if [ ! -f "$DEPS_STAMP" ] || [ "$(cat "$DEPS_STAMP")" != "$(_deps_fingerprint)" ]; then
    section "安装 Python 依赖 / pip install -e '.[dev]'"
    (cd "$ROOT" && "$VENV_PY" -m pip install --disable-pip-version-check --progress-bar off -q -e '.[dev]') \
      || die "pip install 失败"
    _deps_fingerprint >"$DEPS_STAMP"
  else
    note "Python 依赖未变 (pyproject.toml unchanged): 跳过 pip install"
  fi
}

free_port() {
  "${VENV_PY:-python3}" - <<'PY'
import socket

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
PY
}

# Debian packages WeasyPrint needs to render Chinese PDFs.
# shellcheck disable=SC2034  # used by the scripts that source this file
WEASYPRINT_DEBS=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-cjk)
