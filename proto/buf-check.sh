#!/usr/bin/env bash
# Lints the protos with buf (STANDARD + COMMENTS, see buf.yaml) and checks FILE-level
# compatibility (buf breaking) against an earlier state of the contract:
#   - SCREENMESH_BUF_AGAINST=<git ref> when set;
#   - on a branch, the commit where it left main (git merge-base HEAD main), so main moving on
#     does not fail a branch that did not touch the protos;
#   - on main itself, the commit before HEAD, so a breaking change fails the build that lands it.
# Without git history (a source tarball, a shallow clone that lacks the commit) the check is
# skipped with a line that says so. buf comes from npm, pinned, into target/ so a clean build
# fetches it once.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tools="$here/target/buf"
buf="$tools/node_modules/.bin/buf"
if [ ! -x "$buf" ]; then
  command -v npm >/dev/null || { echo "buf-check: npm is needed to fetch @bufbuild/buf (apt-get install npm)" >&2; exit 1; }
  mkdir -p "$tools"
  (cd "$tools" && npm install --silent --no-audit --no-fund --prefix . @bufbuild/buf@1.75.0 >/dev/null)
fi
cd "$here"
"$buf" lint
echo "buf lint: ok"

skip() { echo "buf breaking: skipped, $1"; exit 0; }
command -v git >/dev/null || skip "git is not installed"
root="$(git -C "$here" rev-parse --show-toplevel 2>/dev/null)" || skip "not a git checkout"
git -C "$root" rev-parse -q --verify HEAD >/dev/null || skip "no commits yet"
against="${SCREENMESH_BUF_AGAINST:-}"
if [ -z "$against" ]; then
  main=""
  for ref in main origin/main; do
    if git -C "$root" rev-parse -q --verify "$ref^{commit}" >/dev/null; then main="$ref"; break; fi
  done
  [ -n "$main" ] || skip "no main branch in this clone"
  against="$(git -C "$root" merge-base HEAD "$main" 2>/dev/null)" || skip "no common history with $main (shallow clone?)"
  if [ "$against" = "$(git -C "$root" rev-parse HEAD)" ]; then
    against="$(git -C "$root" rev-parse -q --verify 'HEAD^1^{commit}' 2>/dev/null)" \
      || skip "HEAD is main's first commit (or its parent is not fetched)"
  fi
fi
git -C "$root" cat-file -e "$against:proto/buf.yaml" 2>/dev/null || skip "$against has no proto/buf.yaml"
# The earlier contract is read from git (not from a checkout) so no working tree is touched.
base="$here/target/buf-against"
rm -rf "$base"
mkdir -p "$base"
git -C "$root" archive "$against" proto | tar -x -C "$base"
"$buf" breaking --against "$base/proto"
echo "buf breaking (FILE) against $(git -C "$root" rev-parse --short "$against"): ok"
