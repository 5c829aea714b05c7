#!/usr/bin/env bash
# Installs what is missing, builds everything and serves the playground on
# http://localhost:8000 (PORT and HOST override; HOST=0.0.0.0 to reach it from
# other machines). Safe to run again. Ctrl-C stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ]; then
  bash scripts/install-deps.sh
else
  echo "serve: not root, so not installing system packages (run scripts/install-deps.sh as root if the build fails)"
fi
bash scripts/build-site.sh
site_dir="${LSRL_SITE_DIR:-build/site}"
port="${PORT:-8000}"
host="${HOST:-127.0.0.1}"
echo "serve: http://localhost:${port}/ (serving $site_dir on ${host}:${port})"
exec python3 - "$host" "$port" "$site_dir" <<'PY'
import functools, http.server, sys

host, port, root = sys.argv[1], int(sys.argv[2]), sys.argv[3]

class Handler(http.server.SimpleHTTPRequestHandler):
    # Browsers compile .wasm while it streams in only with this type, and load
    # ES modules only with a JavaScript type.
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".mjs": "text/javascript",
                      ".js": "text/javascript", ".json": "application/json",
                      ".css": "text/css", ".svg": "image/svg+xml", ".html": "text/html; charset=utf-8"}

    def end_headers(self):
        # Always revalidate, so a rebuild shows up on reload.
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, fmt, *args):
        pass

server = http.server.ThreadingHTTPServer((host, port), functools.partial(Handler, directory=root))
try:
    server.serve_forever()
except KeyboardInterrupt:
    pass
PY
