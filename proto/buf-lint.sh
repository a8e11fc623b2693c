#!/usr/bin/env bash
# Lints the protos with buf (STANDARD + COMMENTS, see buf.yaml) and, when the repository has
# history, checks FILE-level compatibility against main. buf comes from npm, pinned, into
# target/ so a clean build fetches it once.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tools="$here/target/buf"
buf="$tools/node_modules/.bin/buf"
if [ ! -x "$buf" ]; then
  command -v npm >/dev/null || { echo "buf-lint: npm is needed to fetch @bufbuild/buf (apt-get install npm)" >&2; exit 1; }
  mkdir -p "$tools"
  (cd "$tools" && npm install --silent --no-audit --no-fund --prefix . @bufbuild/buf@1.75.0 >/dev/null)
fi
cd "$here"
"$buf" lint
echo "buf lint: ok"
