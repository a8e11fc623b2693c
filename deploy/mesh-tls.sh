#!/usr/bin/env bash
# Makes the mesh's TLS material in DIR: a private CA (ca.crt, ca.key), one server certificate
# for the services (server.crt, server.key) carrying the given subject alternative names, a
# client certificate per mesh identity for mutual TLS between them (fusion-checker.crt,
# image-screening.crt, audio-screening.crt: URI SAN spiffe://screenmesh/<service>, which the
# modality services check), one for callers outside the mesh (client.crt: the CLI, tests,
# tools; spiffe://screenmesh/cli, which no modality service admits), the key pair that signs
# development JWTs (jwt.key, jwt.pub; deploy/mint-token.sh), and a static bearer token for the
# front door (token, the development alternative to JWTs). Existing files are kept. Keys are
# PKCS#8 (openssl 3's default), the only form grpc-java reads.
#   deploy/mesh-tls.sh DIR DAYS SAN[,SAN...]     e.g. deploy/mesh-tls.sh .screenmesh/dev 30 DNS:localhost,IP:127.0.0.1
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 DIR DAYS SAN[,SAN...]" >&2; exit 2; }
dir=$1 days=$2 sans=$3
command -v openssl >/dev/null || { echo "mesh-tls: openssl is needed (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$dir"
cd "$dir"
umask 077
if [ ! -f ca.crt ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$((days * 10))" \
    -subj "/CN=screenmesh mesh CA" -keyout ca.key -out ca.crt 2>/dev/null
fi
for who in server client fusion-checker image-screening audio-screening; do
  [ -f "$who.crt" ] && continue
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=screenmesh-$who" \
    -keyout "$who.key" -out "$who.csr" 2>/dev/null
  if [ "$who" = server ]; then
    printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$sans" > "$who.ext"
  else
    id=$who; [ "$who" = client ] && id=cli
    printf 'subjectAltName=URI:spiffe://screenmesh/%s\nextendedKeyUsage=clientAuth\n' "$id" > "$who.ext"
  fi
  openssl x509 -req -in "$who.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days "$days" \
    -extfile "$who.ext" -out "$who.crt" 2>/dev/null
  rm -f "$who.csr" "$who.ext"
done
[ -f token ] || openssl rand -hex 24 > token
if [ ! -f jwt.key ]; then
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out jwt.key 2>/dev/null
  openssl pkey -in jwt.key -pubout -out jwt.pub 2>/dev/null
fi
