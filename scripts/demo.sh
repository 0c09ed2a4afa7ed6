#!/usr/bin/env bash
# The main job, end to end: start a triglot server on a free loopback port, align the bundled sample readout
# (Chinese and English versions, then all three compared), print the pairs side by side, stop the server.
set -euo pipefail
cd "$(dirname "$0")/.."
sample=examples/2020-03-09-china-iraq
port=$(python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export TRIGLOT_SERVER="127.0.0.1:$port"

server_log=$(mktemp -t triglot-demo-server.XXXXXX)  # the per-call log, kept off the terminal
echo "server log: $server_log"
triglot serve --listen "$TRIGLOT_SERVER" 2>"$server_log" &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do  # wait until the server answers (health SERVING)
  triglot languages >/dev/null 2>&1 && break
  sleep 0.2
done

echo "== $sample: zh.txt ↔ en.txt"
triglot align "$sample/zh.txt" "$sample/en.txt"
echo
echo "== $sample: zh.txt, en.txt and ar.txt compared (pivot zh): rows side by side, then the findings"
triglot compare "$sample/zh.txt" "$sample/en.txt" "$sample/ar.txt"
