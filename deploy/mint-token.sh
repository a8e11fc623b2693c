#!/usr/bin/env bash
# Mints a development JWT for the front door, signed RS256 by the key that deploy/mesh-tls.sh
# makes (DIR/jwt.key; the front door verifies it with DIR/jwt.pub), and prints it.
#   deploy/mint-token.sh DIR SCOPES [TTL_SECONDS] [SUBJECT] [ISSUER] [AUDIENCE]
#   e.g. deploy/mint-token.sh .screenmesh/dev "screen screen:batch" 3600 demo
# SCOPES is space-separated: screen (unary calls), screen:batch (streams), policy:<name> (a
# policy that fails open). Production tokens come from the organisation's identity provider.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 DIR SCOPES [TTL_SECONDS] [SUBJECT] [ISSUER] [AUDIENCE]" >&2; exit 2; }
dir=$1 scopes=$2 ttl=${3:-3600} sub=${4:-developer} iss=${5:-screenmesh-dev} aud=${6:-screenmesh}
[ -f "$dir/jwt.key" ] || { echo "mint-token: $dir/jwt.key not found (deploy/mesh-tls.sh makes it)" >&2; exit 1; }
case "$ttl" in ''|*[!0-9]*) echo "mint-token: TTL_SECONDS must be a whole number" >&2; exit 2 ;; esac
json_string() { # the argument as a JSON string (quotes and backslashes escaped; no control characters)
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  case "$s" in *[[:cntrl:]]*) echo "mint-token: control characters are not allowed" >&2; exit 2 ;; esac
  printf '"%s"' "$s"
}
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
header='{"alg":"RS256","typ":"JWT"}'
payload="{\"iss\":$(json_string "$iss"),\"aud\":$(json_string "$aud"),\"sub\":$(json_string "$sub"),\"scope\":$(json_string "$scopes"),\"iat\":$now,\"exp\":$((now + ttl)),\"jti\":\"$(openssl rand -hex 12)\"}"
signing_input="$(printf '%s' "$header" | b64url).$(printf '%s' "$payload" | b64url)"
signature=$(printf '%s' "$signing_input" | openssl dgst -sha256 -sign "$dir/jwt.key" -binary | b64url)
printf '%s.%s\n' "$signing_input" "$signature"
