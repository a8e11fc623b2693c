#!/usr/bin/env bash
# Makes the Secrets screenmesh expects, for clusters without cert-manager: a private mesh CA,
# one server certificate for the four Services, a client certificate per mesh identity
# (fusion-checker, image-screening, audio-screening; URI SAN spiffe://screenmesh/<service>, which
# the modality services check), the key that verifies development JWTs (screenmesh-jwt-keys; use
# your identity provider's JWKS in production) and a JWT for the batch Job (scope screen:batch).
# Prints the Secrets as YAML (pipe to kubectl apply -f -) and keeps the CA and the JWT signing
# key in DIR, so that callers can trust the front door and deploy/mint-token.sh DIR can mint
# tokens (issuer and audience "screenmesh", as base/kustomization.yaml's screenmesh-auth says).
#   deploy/make-secrets.sh [NAMESPACE] [DIR] | kubectl apply -f -
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
NS="${1:-screenmesh}"
DIR="${2:-.screenmesh/k8s-$NS}"
command -v kubectl >/dev/null || { echo "make-secrets: kubectl is needed" >&2; exit 1; }
sans=""
for s in text-screening image-screening audio-screening fusion-checker; do
  sans="$sans,DNS:$s,DNS:$s.$NS.svc,DNS:$s.$NS.svc.cluster.local"
done
"$HERE/mesh-tls.sh" "$DIR" 90 "${sans#,}"
cd "$DIR"
kubectl create secret generic screenmesh-server-tls -n "$NS" --dry-run=client -o yaml \
  --from-file=tls.crt=server.crt --from-file=tls.key=server.key --from-file=ca.crt=ca.crt
for who in fusion-checker image-screening audio-screening; do
  echo "---"
  kubectl create secret generic "screenmesh-$who-client-tls" -n "$NS" --dry-run=client -o yaml \
    --from-file=tls.crt="$who.crt" --from-file=tls.key="$who.key" --from-file=ca.crt=ca.crt
done
echo "---"
kubectl create secret generic screenmesh-jwt-keys -n "$NS" --dry-run=client -o yaml --from-file=keys=jwt.pub
echo "---"
"$HERE/mint-token.sh" . "screen:batch" $((90 * 86400)) batch-job screenmesh screenmesh > batch.jwt
kubectl create secret generic screenmesh-batch-token -n "$NS" --dry-run=client -o yaml --from-file=token=batch.jwt
echo "make-secrets: CA and JWT signing key kept in $DIR (ca.crt, jwt.key: deploy/mint-token.sh $DIR SCOPES TTL SUB screenmesh screenmesh)" >&2
