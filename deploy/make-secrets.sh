#!/usr/bin/env bash
# Makes the Secrets screenmesh expects, for clusters without cert-manager: a private mesh CA,
# one server certificate for the four Services, one client certificate for mutual TLS between
# them, and the front door's bearer token. Prints the Secrets as YAML (pipe to kubectl apply -f -)
# and keeps the CA and token in DIR so that callers can trust the front door.
#   deploy/make-secrets.sh [NAMESPACE] [DIR] | kubectl apply -f -
set -euo pipefail
NS="${1:-screenmesh}"
DIR="${2:-.screenmesh/k8s-$NS}"
command -v openssl >/dev/null || { echo "make-secrets: openssl is needed" >&2; exit 1; }
command -v kubectl >/dev/null || { echo "make-secrets: kubectl is needed" >&2; exit 1; }
mkdir -p "$DIR"
cd "$DIR"
umask 077
if [ ! -f ca.crt ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=screenmesh mesh CA ($NS)" -keyout ca.key -out ca.crt 2>/dev/null
fi
sans=""
for s in text-screening image-screening audio-screening fusion-checker; do
  sans="$sans,DNS:$s,DNS:$s.$NS.svc,DNS:$s.$NS.svc.cluster.local"
done
for who in server client; do
  # openssl 3 writes PKCS#8 keys, the only form the services' grpc-java channels read.
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=screenmesh-$who" \
    -keyout "$who.key" -out "$who.csr" 2>/dev/null
  if [ "$who" = server ]; then
    printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "${sans#,}" > "$who.ext"
  else
    printf 'extendedKeyUsage=clientAuth\n' > "$who.ext"
  fi
  openssl x509 -req -in "$who.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 90 \
    -extfile "$who.ext" -out "$who.crt" 2>/dev/null
  rm -f "$who.csr" "$who.ext"
done
[ -f token ] || openssl rand -hex 24 > token
for who in server client; do
  kubectl create secret generic "screenmesh-$who-tls" -n "$NS" --dry-run=client -o yaml \
    --from-file=tls.crt="$who.crt" --from-file=tls.key="$who.key" --from-file=ca.crt=ca.crt
  echo "---"
done
kubectl create secret generic screenmesh-front-door-token -n "$NS" --dry-run=client -o yaml --from-file=token=token
echo "make-secrets: CA and token kept in $DIR (ca.crt, token)" >&2
