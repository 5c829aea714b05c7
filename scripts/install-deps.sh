#!/usr/bin/env bash
# Installs what building and testing need on a fresh Debian machine (root).
# Safe to run twice: it only installs what is missing.
set -euo pipefail
packages=(build-essential cmake ninja-build ccache libeigen3-dev nlohmann-json3-dev xtl-dev libgtest-dev
          emscripten chromium python3-torch python3-numpy libclang-rt-14-dev clang-format)
# Node.js and npm may come from Debian or be on the machine already (a
# nodejs build that bundles npm conflicts with Debian's npm package), so they
# are looked for as commands, not as packages.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
