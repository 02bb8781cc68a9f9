#!/usr/bin/env bash
# A stand-in for a CI system's OIDC issuer, so you can try Ferry on a laptop.
#
#   demo-token.sh issuer   prints an issuer definition for POST /admin/v1/issuers
#   demo-token.sh token    prints a freshly signed RS256 ID token (valid for 5 minutes)
#
# Needs bash, openssl, sed and coreutils (base64, tr, cut, date). The RSA-2048 key is generated once
# into $FERRY_DEMO_DIR (default: $TMPDIR/ferry-demo) and reused, so the token always matches the
# issuer you registered. Delete that directory to start over with a new key.
#
# Environment:
#   FERRY_URL       Ferry's URL; the token's aud and the issuer's acceptedAudiences (default http://localhost:8080)
#   FERRY_DEMO_DIR  where the key lives (default $TMPDIR/ferry-demo, or /tmp/ferry-demo)
#   DEMO_REF        the token's ref claim (default refs/heads/main)
#   DEMO_SUB        the token's sub claim (default repo:acme/app:ref:$DEMO_REF; GitHub's immutable form
#                   is repo:acme@4242/app@123456:ref:$DEMO_REF)
#
# This key signs demo tokens only. Never register the demo issuer on a Ferry that matters.
set -euo pipefail

FERRY_URL="${FERRY_URL:-http://localhost:8080}"
DEMO_DIR="${FERRY_DEMO_DIR:-${TMPDIR:-/tmp}/ferry-demo}"
DEMO_REF="${DEMO_REF:-refs/heads/main}"
DEMO_SUB="${DEMO_SUB:-repo:acme/app:ref:$DEMO_REF}"
ISSUER_URL="https://demo.invalid"
KEY="$DEMO_DIR/issuer-key.pem"

die() { echo "demo-token.sh: $*" >&2; exit 1; }

command -v openssl >/dev/null || die "openssl is required"

# base64url without padding (RFC 7515 §2), from stdin.
b64url() { base64 | tr -d '\n=' | tr '+/' '-_'; }

# Hex digits (even count) on stdin to raw bytes on stdout, with bash's printf only.
hex_to_bytes() {
  local hex
  hex="$(tr -d ' \n:')"
  # shellcheck disable=SC2059
  printf "$(printf '%s' "$hex" | sed 's/../\\x&/g')"
}

ensure_key() {
  if [[ ! -s "$KEY" ]]; then
    mkdir -p "$DEMO_DIR"
    chmod 700 "$DEMO_DIR"
    (umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$KEY" 2>/dev/null) \
      || die "could not generate an RSA key into $KEY"
    echo "demo-token.sh: generated a new RSA-2048 key in $KEY" >&2
  fi
}

# The modulus as hex without leading zero bytes (a JWK's n has none: RFC 7518 §6.3.1.1).
modulus_hex() {
  local hex
  hex="$(openssl rsa -in "$KEY" -noout -modulus 2>/dev/null | sed 's/^Modulus=//')"
  while [[ "$hex" == 00* ]]; do hex="${hex#00}"; done
  printf '%s' "$hex"
}

exponent_hex() {
  local dec hex
  dec="$(openssl rsa -in "$KEY" -noout -text 2>/dev/null | sed -n 's/^publicExponent: \([0-9]*\).*/\1/p')"
  [[ -n "$dec" ]] || die "cannot read the public exponent of $KEY"
  hex="$(printf '%x' "$dec")"
  (( ${#hex} % 2 == 0 )) || hex="0$hex"
  printf '%s' "$hex"
}

# A stable key id: the first 16 hex digits of the SHA-256 of the public key (DER).
key_id() {
  openssl pkey -in "$KEY" -pubout -outform DER 2>/dev/null | openssl dgst -sha256 | sed 's/^.*= *//' | cut -c1-16
}

print_issuer() {
  local n e kid
  n="$(modulus_hex | hex_to_bytes | b64url)"
  e="$(exponent_hex | hex_to_bytes | b64url)"
  kid="$(key_id)"
  cat <<EOF
{
  "name": "demo",
  "type": "oidc",
  "issuerUrl": "$ISSUER_URL",
  "jwks": {
    "keys": [
      {"kty": "RSA", "n": "$n", "e": "$e", "kid": "$kid", "use": "sig", "alg": "RS256"}
    ]
  },
  "acceptedAudiences": ["$FERRY_URL"],
  "claimMappings": {"repository": "repository", "ref": "ref"}
}
EOF
}

print_token() {
  local kid now header payload signing_input signature
  kid="$(key_id)"
  now="$(date +%s)"
  header="{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"$kid\"}"
  payload="$(printf '{"iss":"%s","sub":"%s","aud":"%s","iat":%d,"nbf":%d,"exp":%d,"jti":"%s",%s}' \
    "$ISSUER_URL" "$DEMO_SUB" "$FERRY_URL" "$now" "$now" "$((now + 300))" "$(openssl rand -hex 16)" \
    "\"repository\":\"acme/app\",\"repository_id\":\"123456\",\"repository_owner\":\"acme\",\"repository_owner_id\":\"4242\",\"ref\":\"$DEMO_REF\",\"event_name\":\"push\"")"
  signing_input="$(printf '%s' "$header" | b64url).$(printf '%s' "$payload" | b64url)"
  signature="$(printf '%s' "$signing_input" | openssl dgst -sha256 -sign "$KEY" | b64url)"
  printf '%s.%s\n' "$signing_input" "$signature"
}

case "${1:-}" in
  issuer) ensure_key; print_issuer ;;
  token)  ensure_key; print_token ;;
  *) echo "usage: $0 issuer|token" >&2; exit 2 ;;
esac
