#!/usr/bin/env bash
# Makes the Secrets screenmesh expects, for clusters without cert-manager: a private mesh CA,
# one server certificate for the four Services, one client certificate for mutual TLS between
# them, and the front door's bearer token. Prints the Secrets as YAML (pipe to kubectl apply -f -)
# and keeps the CA and token in DIR so that callers can trust the front door.
#   deploy/make-secrets.sh [NAMESPACE] [DIR] | kubectl apply -f -
set -euo pipefail
NS="${1:-screenmesh}"
DIR="${2:-.screenmesh/k8s-$NS}"
command -v kubectl >/dev/null || { echo "make-secrets: kubectl is needed" >&2; exit 1; }
sans=""
for s in text-screening image-screening audio-screening fusion-checker; do
  sans="$sans,DNS:$s,DNS:$s.$NS.svc,DNS:$s.$NS.svc.cluster.local"
done
"$(dirname "$0")/mesh-tls.sh" "$DIR" 90 "${sans#,}"
cd "$DIR"
for who in server client; do
  kubectl create secret generic "screenmesh-$who-tls" -n "$NS" --dry-run=client -o yaml \
    --from-file=tls.crt="$who.crt" --from-file=tls.key="$who.key" --from-file=ca.crt=ca.crt
  echo "---"
done
kubectl create secret generic screenmesh-front-door-token -n "$NS" --dry-run=client -o yaml --from-file=token=token
echo "make-secrets: CA and token kept in $DIR (ca.crt, token)" >&2
