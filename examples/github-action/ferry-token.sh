#!/bin/sh
# Exchanges this CI job's OIDC ID token at Ferry (POST /token, RFC 8693 token exchange) for a
# short-lived access token.
#
# This file is the script of the GitHub Action in this folder (action.yml) and, inlined verbatim as
# a function body, of the GitLab CI/CD component in examples/gitlab-component; Ferry's tests run both
# and keep the copies equal. POSIX sh plus curl and jq (and openssl with FERRY_DPOP): it runs in
# bash 3.2 (macOS), Git Bash (Windows), bash, dash and busybox sh.
#
# Inputs, as environment variables:
#   FERRY_URL                Ferry's URL, its issuer (/token is appended). Required.
#   FERRY_AUDIENCE           the target, sent as `audience` (RFC 8693 section 2.1), or
#   FERRY_RESOURCE           the target, sent as `resource` (RFC 8707): exactly one of the two.
#   FERRY_SCOPE              space-separated scopes to ask for; empty: every scope the rules grant.
#   FERRY_ID_TOKEN_AUDIENCE  the audience of the ID token; empty: FERRY_URL.
#   FERRY_EXPORT_ENV         true (default) or false: export the token as an environment variable.
#   FERRY_ENV_NAME           that variable's name (default FERRY_ACCESS_TOKEN).
#   FERRY_RETRIES            retries of an answer 429, 502, 503 or 504 (default 3, at most 10).
#   FERRY_TIMEOUT            seconds each HTTP request may take (default 30).
#   FERRY_DPOP               true or false (default): ask for a DPoP-bound token (RFC 9449), below.
#   FERRY_ID_TOKEN           (not on GitHub) the ID token, e.g. from GitLab's id_tokens:.
#   FERRY_DOTENV             (not on GitHub) also write the results to this dotenv file.
#
# On GitHub Actions (GITHUB_ACTIONS=true) the ID token is requested from the runner
# (ACTIONS_ID_TOKEN_REQUEST_URL, which needs `permissions: id-token: write`), both tokens are masked
# with ::add-mask:: before anything could print them, the results go to $GITHUB_OUTPUT
# (access-token, expires-in, scope, exchange-id) and the token to $GITHUB_ENV, and a failure is an
# error annotation. Elsewhere the results are printed on standard output as shell assignments, for
#   eval "$(sh ferry-token.sh)"
# which sets $FERRY_ENV_NAME, ${FERRY_ENV_NAME}_EXPIRES_IN and ${FERRY_ENV_NAME}_SCOPE.
# Messages go to standard error. Exit status: 0 issued, 1 refused or failed, 2 wrong input.
#
# Neither token is ever printed, put on a command line (where other processes could read it) or
# written to a file, except $GITHUB_OUTPUT, $GITHUB_ENV and FERRY_DOTENV when asked for.
#
# With FERRY_DPOP=true the step creates a P-256 key pair in a directory of its own under $RUNNER_TEMP
# (elsewhere $TMPDIR or /tmp), private key in key.pem with mode 600, never printed, and beside it the
# command ferry-dpop-proof, which makes the DPoP proofs (RFC 9449 section 4) signed with that key. It
# sends one with the exchange, and once more with Ferry's nonce if Ferry asks for one (section 8). It
# fails unless Ferry answers token_type DPoP, and then puts ferry-dpop-proof on the PATH of the later
# steps (GitHub: $GITHUB_PATH; elsewhere a PATH assignment for eval) and adds the results token-type,
# dpop-key-file and dpop-jkt (elsewhere ${FERRY_ENV_NAME}_TYPE, _DPOP_KEY_FILE and _DPOP_JKT). The
# directory holds the SHA-256 of the access token too, for the proofs' ath; it is removed if the step fails.

# Whoever runs this (GitLab runs job scripts with -e and pipefail) gets explicit error handling.
set +e
# shellcheck disable=SC3040 # pipefail is not POSIX: switched off only where the shell has it
if (set +o pipefail) 2>/dev/null; then set +o pipefail; fi
set -u

ferry_github=false
if [ "${GITHUB_ACTIONS:-}" = true ]; then ferry_github=true; fi
ferry_gitlab=false
if [ "${GITLAB_CI:-}" = true ]; then ferry_gitlab=true; fi
ferry_headers=
ferry_id_token=
ferry_claims=
ferry_dpop_dir=
ferry_dpop_htu=
ferry_dpop_nonce=

# ---- messages ---------------------------------------------------------------------------------

ferry_exit() {
    if [ -n "$ferry_headers" ]; then rm -f "$ferry_headers"; fi
    if [ "$1" != 0 ] && [ -n "$ferry_dpop_dir" ]; then rm -rf "$ferry_dpop_dir"; fi
    exit "$1"
}

ferry_info() {
    printf '%s\n' "$*" >&2
}

ferry_warning() {
    if [ "$ferry_github" = true ]; then
        printf '::warning title=Ferry token exchange::%s\n' "$(printf '%s' "$*" | ferry_escape)"
    else
        printf 'WARNING: %s\n' "$*" >&2
    fi
}

# Workflow command data: % and line breaks percent-encoded, control characters dropped.
ferry_escape() {
    tr -d '\000-\011\013-\037\177' | sed 's/%/%25/g' | awk '{ printf "%s%s", (NR > 1 ? "%0A" : ""), $0 }'
}

# A workflow command property (the title): also : and , percent-encoded.
ferry_escape_property() {
    printf '%s' "$1" | ferry_escape | sed -e 's/:/%3A/g' -e 's/,/%2C/g'
}

# ferry_fail STATUS TITLE LINE...: one error annotation on GitHub, ERROR lines elsewhere; then exit.
ferry_fail() {
    ferry_status_code=$1
    ferry_title=$2
    shift 2
    if [ "$ferry_github" = true ]; then
        printf '::error title=%s::%s\n' "$(ferry_escape_property "$ferry_title")" "$(printf '%s\n' "$@" | ferry_escape)"
    else
        if [ "$ferry_gitlab" = true ]; then
            printf '\033[31;1mERROR: %s\033[0m\n' "$ferry_title" >&2
        else
            printf 'ERROR: %s\n' "$ferry_title" >&2
        fi
        printf '%s\n' "$@" | tr -d '\000-\011\013-\037\177' | sed 's/^/  /' >&2
    fi
    ferry_exit "$ferry_status_code"
}

ferry_usage() {
    ferry_fail 2 "Ferry token exchange: wrong input" "$@"
}

# ---- input ------------------------------------------------------------------------------------

ferry_url=${FERRY_URL:-}
case $ferry_url in
    '') ferry_usage "ferry-url (FERRY_URL) is required: Ferry's URL, e.g. https://ferry.example.com" ;;
    *[[:space:]]*) ferry_usage "ferry-url '$ferry_url' contains white space" ;;
    http://* | https://*) ;;
    *) ferry_usage "ferry-url '$ferry_url' must start with https:// (or http://)" ;;
esac
while :; do
    case $ferry_url in
        */) ferry_url=${ferry_url%/} ;;
        *) break ;;
    esac
done

ferry_target=
if [ -n "${FERRY_AUDIENCE:-}" ] && [ -n "${FERRY_RESOURCE:-}" ]; then
    ferry_usage "give the target as audience or as resource, not both"
elif [ -n "${FERRY_AUDIENCE:-}" ]; then
    ferry_target_parameter=audience
    ferry_target=$FERRY_AUDIENCE
elif [ -n "${FERRY_RESOURCE:-}" ]; then
    ferry_target_parameter=resource
    ferry_target=$FERRY_RESOURCE
else
    ferry_usage "the target is missing: set audience (or resource) to the API the token is for, e.g. https://api.example.com"
fi

ferry_scope=${FERRY_SCOPE:-}
ferry_id_token_audience=${FERRY_ID_TOKEN_AUDIENCE:-}
if [ -z "$ferry_id_token_audience" ]; then ferry_id_token_audience=${FERRY_URL}; fi

case ${FERRY_EXPORT_ENV:-true} in
    [Tt][Rr][Uu][Ee]) ferry_export=true ;;
    [Ff][Aa][Ll][Ss][Ee]) ferry_export=false ;;
    *) ferry_usage "export-env must be true or false, not '${FERRY_EXPORT_ENV:-}'" ;;
esac
ferry_env_name=${FERRY_ENV_NAME:-FERRY_ACCESS_TOKEN}
case $ferry_env_name in
    [0-9]* | *[!A-Za-z0-9_]*) ferry_usage "env-name '$ferry_env_name' is not a variable name (letters, digits, _)" ;;
esac
case ${FERRY_DPOP:-false} in
    [Tt][Rr][Uu][Ee]) ferry_dpop=true ;;
    [Ff][Aa][Ll][Ss][Ee]) ferry_dpop=false ;;
    *) ferry_usage "dpop must be true or false, not '${FERRY_DPOP:-}'" ;;
esac
if [ "$ferry_dpop" = true ] && [ -n "${FERRY_DOTENV:-}" ]; then
    ferry_usage "dpop and dotenv do not go together: a DPoP-bound token is of no use to a later job without its key, and the key never leaves this job"
fi

# ferry_number NAME VALUE MIN MAX: VALUE if it is a whole number in [MIN, MAX]
ferry_number() {
    case $2 in
        '' | *[!0-9]* | ?????*) ferry_usage "$1 must be a whole number from $3 to $4, not '$2'" ;;
    esac
    if [ "$2" -lt "$3" ] || [ "$2" -gt "$4" ]; then
        ferry_usage "$1 must be a whole number from $3 to $4, not '$2'"
    fi
}
ferry_retries=${FERRY_RETRIES:-3}
ferry_number retries "$ferry_retries" 0 10
ferry_timeout=${FERRY_TIMEOUT:-30}
ferry_number timeout "$ferry_timeout" 1 600
ferry_connect_timeout=10
if [ "$ferry_timeout" -lt 10 ]; then ferry_connect_timeout=$ferry_timeout; fi

for ferry_tool in curl jq; do
    if ! command -v "$ferry_tool" >/dev/null 2>&1; then
        ferry_fail 1 "Ferry token exchange: $ferry_tool is missing" \
            "This step needs curl and jq; install $ferry_tool in the job's image (Alpine: apk add --no-cache curl jq)."
    fi
done
if [ "$ferry_dpop" = true ] && ! command -v openssl >/dev/null 2>&1; then
    ferry_fail 1 "Ferry token exchange: openssl is missing" \
        "With dpop, this step needs openssl to create the key and sign the proofs; install it in the job's image (Alpine: apk add --no-cache openssl)."
fi

case $ferry_url in
    http://127.0.0.1[:/]* | http://127.0.0.1 | http://localhost[:/]* | http://localhost | http://\[::1\]*) ;;
    http://*) ferry_warning "ferry-url uses http://: the ID token and the access token cross the network unencrypted" ;;
esac

ferry_headers=$(mktemp "${TMPDIR:-/tmp}/ferry-token.XXXXXX") ||
    ferry_fail 1 "Ferry token exchange: no temporary file" "mktemp failed in ${TMPDIR:-/tmp}"

# ---- HTTP -------------------------------------------------------------------------------------

# The value of response header $1 of the last answer, without surrounding white space.
ferry_header() {
    tr -d '\r' <"$ferry_headers" | awk -v name="$1" '
        /^HTTP\// { value = "" }
        { i = index($0, ":") }
        i > 0 && tolower(substr($0, 1, i - 1)) == tolower(name) {
            value = substr($0, i + 1); sub(/^[ \t]+/, "", value); sub(/[ \t]+$/, "", value)
        }
        END { printf "%s", value }'
}

# jq filter $1 over the last answer's body; nothing when the body is not JSON.
ferry_json() {
    printf '%s' "$ferry_body" | jq -j "$1" 2>/dev/null | tr -d '\r'
}

# ferry_http WHAT STDIN CURL_ARGUMENT...: one HTTP request, STDIN on curl's standard input (so no
# secret is on its command line), retried on 429, 502, 503 and 504 up to FERRY_RETRIES times after
# Retry-After seconds (RFC 9110 section 10.2.3; 5 when absent or a date; at most 60). Sets
# ferry_status (000 when curl failed, with ferry_curl_exit), ferry_body and ferry_attempt. While
# ferry_dpop_htu is set, each attempt writes a fresh DPoP proof for it first (ferry_dpop_prove).
ferry_http() {
    ferry_what=$1
    ferry_stdin=$2
    shift 2
    ferry_attempt=0
    while :; do
        ferry_attempt=$((ferry_attempt + 1))
        : >"$ferry_headers"
        if [ -n "$ferry_dpop_htu" ]; then ferry_dpop_prove; fi
        ferry_body=$(printf '%s' "$ferry_stdin" | curl -sS -A ferry-token.sh \
            --connect-timeout "$ferry_connect_timeout" --max-time "$ferry_timeout" \
            -D "$ferry_headers" "$@")
        ferry_curl_exit=$?
        if [ "$ferry_curl_exit" -ne 0 ]; then
            ferry_status=000
            return
        fi
        ferry_status=$(tr -d '\r' <"$ferry_headers" | sed -n 's/^HTTP\/[0-9.]* \([0-9][0-9][0-9]\).*/\1/p' | tail -n 1)
        case $ferry_status in
            429 | 502 | 503 | 504) ;;
            *) return ;;
        esac
        if [ "$ferry_attempt" -gt "$ferry_retries" ]; then return; fi
        ferry_wait=$(ferry_header Retry-After)
        case $ferry_wait in
            '' | *[!0-9]*) ferry_wait=5 ;;
            ???*) ferry_wait=60 ;;
        esac
        if [ "$ferry_wait" -gt 60 ]; then ferry_wait=60; fi
        ferry_said=$(ferry_json 'if type == "object" and (.error | type) == "string"
            then " (\(.error)\(if (.error_description | type) == "string" then ": \(.error_description)" else "" end))"
            else "" end')
        ferry_info "$ferry_what answered HTTP $ferry_status$ferry_said; retrying in $ferry_wait s ($((ferry_retries - ferry_attempt + 1)) retries left)"
        sleep "$ferry_wait"
    done
}

# Why curl could not complete the request to $1.
ferry_unreachable() {
    case $ferry_curl_exit in
        6) ferry_reason="could not resolve the host name of $1" ;;
        7) ferry_reason="could not connect to $1 (nothing listens there, or a firewall is in the way)" ;;
        28) ferry_reason="no complete answer from $1 within $ferry_timeout s (timeout)" ;;
        35 | 51 | 53 | 54 | 58 | 59 | 60 | 66 | 77 | 80 | 82 | 83 | 90 | 91)
            ferry_reason="TLS failed with $1 (curl exit code $ferry_curl_exit): for a private certificate authority set CURL_CA_BUNDLE" ;;
        52 | 56) ferry_reason="the connection to $1 broke before an answer (curl exit code $ferry_curl_exit)" ;;
        *) ferry_reason="curl failed on $1 with exit code $ferry_curl_exit" ;;
    esac
}

# The first 200 characters of a body that is not an OAuth answer, unless it contains the ID token.
ferry_excerpt() {
    if [ -z "$ferry_body" ]; then
        printf '(empty body)'
        return
    fi
    case $ferry_body in
        *"$ferry_id_token"*) printf '(body withheld: it contains the ID token)' ;;
        *) printf '%s' "$ferry_body" | tr '\n\r\t' '   ' | cut -c 1-200 ;;
    esac
}

# Claim $1 of the ID token (arrays comma-separated), for hints; the claims are not secret.
ferry_claim() {
    if [ -z "$ferry_claims" ]; then
        ferry_claims=$(printf '%s' "$ferry_id_token" | jq -R -c 'split(".")[1] | gsub("-"; "+") | gsub("_"; "/")
            | . as $p | $p + ("==="[0:((4 - ($p | length) % 4) % 4)]) | @base64d | fromjson' 2>/dev/null | tr -d '\r')
        if [ -z "$ferry_claims" ]; then ferry_claims='{}'; fi
    fi
    printf '%s' "$ferry_claims" | jq -j --arg name "$1" '.[$name] // "?" | if type == "array" then join(", ") else tostring end' 2>/dev/null | tr -d '\r'
}

# ---- DPoP (RFC 9449) --------------------------------------------------------------------------

# $1 as one shell word in single quotes.
ferry_quote() {
    printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# The key pair and ferry-dpop-proof, in a new directory only this user can read (mktemp -d: mode 700).
ferry_dpop_create() {
    ferry_dpop_parent=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
    if command -v cygpath >/dev/null 2>&1; then ferry_dpop_parent=$(cygpath -u "$ferry_dpop_parent"); fi
    ferry_dpop_dir=$(mktemp -d "$ferry_dpop_parent/ferry-dpop.XXXXXX") ||
        ferry_fail 1 "Ferry token exchange: no directory for the DPoP key" "mktemp -d failed in $ferry_dpop_parent"
    ferry_dpop_helper=$ferry_dpop_dir/bin/ferry-dpop-proof
    # umask 077: key.pem is mode 600 from the moment it exists.
    if ! (umask 077 && mkdir "$ferry_dpop_dir/bin" &&
        openssl ecparam -name prime256v1 -genkey -noout -out "$ferry_dpop_dir/key.pem" 2>/dev/null &&
        chmod 600 "$ferry_dpop_dir/key.pem" && ferry_dpop_write_helper >"$ferry_dpop_helper" &&
        chmod 700 "$ferry_dpop_helper"); then
        ferry_fail 1 "Ferry token exchange: no DPoP key" "openssl could not create a P-256 key in $ferry_dpop_dir."
    fi
    ferry_dpop_jkt=$("$ferry_dpop_helper" --jkt)
    ferry_dpop_status=$?
    case $ferry_dpop_status:$ferry_dpop_jkt in
        0:???????????????????????????????????????????) ;;
        126:*) ferry_fail 1 "Ferry token exchange: cannot run ferry-dpop-proof" \
            "$ferry_dpop_helper is not executable: is $ferry_dpop_parent mounted noexec? Set TMPDIR to a directory that is not." ;;
        *) ferry_fail 1 "Ferry token exchange: no DPoP key" "ferry-dpop-proof could not read the key it was written for (see above)." ;;
    esac
}

# ferry-dpop-proof: its directory, then its text. A change here is a change to the command that later
# steps run; it is POSIX sh like this script.
ferry_dpop_write_helper() {
    printf '#!/bin/sh\nferry_dpop_dir=%s\n' "$(ferry_quote "$ferry_dpop_dir")"
    cat <<'FERRY_DPOP_PROOF'
# ferry-dpop-proof: DPoP proofs (RFC 9449) signed with the key of this CI job's Ferry token. Written
# by Ferry's token exchange step (ferry-token.sh) when dpop is true, beside the key it created.
#
#   ferry-dpop-proof METHOD URL [NONCE]  prints a DPoP proof (RFC 9449 section 4.2) for the request
#                                        METHOD URL: htm METHOD, htu URL without its query and
#                                        fragment, a fresh jti and iat, ath of the access token Ferry
#                                        issued for this key, and nonce NONCE unless it is empty
#   ferry-dpop-proof --jkt               prints the key's JWK SHA-256 thumbprint (RFC 7638), the
#                                        cnf.jkt of that token
#
# For example: curl -H "Authorization: DPoP $FERRY_ACCESS_TOKEN" \
#                   -H "DPoP: $(ferry-dpop-proof GET https://api.example.com/x)" https://api.example.com/x
# Needs openssl, jq, od and awk. Exit status: 0 printed, 1 failed, 2 wrong arguments. It never
# prints the private key.
set -u
LC_ALL=C
export LC_ALL
ferry_dpop_key=$ferry_dpop_dir/key.pem

ferry_dpop_fail() {
    printf 'ferry-dpop-proof: %s\n' "$*" >&2
    exit 1
}

ferry_dpop_usage() {
    printf 'ferry-dpop-proof: %s\n' "$*" 'usage: ferry-dpop-proof METHOD URL [NONCE], or ferry-dpop-proof --jkt' >&2
    exit 2
}

# The hex digits of the bytes on standard input.
ferry_dpop_hex() {
    od -A n -v -t x1 | tr -cd '0-9a-f'
}

# The bytes whose hex digits are $1, base64url-encoded without padding (RFC 7515 section 2).
ferry_dpop_base64url() {
    awk -v hex="$1" 'BEGIN {
        digits = "0123456789abcdef"
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        for (i = 1; i <= length(hex); i += 6) {
            chunk = substr(hex, i, 6)
            value = 0
            for (j = 1; j <= 6; j++) {
                value = value * 16 + (j <= length(chunk) ? index(digits, substr(chunk, j, 1)) - 1 : 0)
            }
            out = out substr(alphabet, int(value / 262144) + 1, 1) substr(alphabet, int(value / 4096) % 64 + 1, 1)
            if (length(chunk) > 2) out = out substr(alphabet, int(value / 64) % 64 + 1, 1)
            if (length(chunk) > 4) out = out substr(alphabet, value % 64 + 1, 1)
        }
        printf "%s", out
    }'
}

# base64url of the text $1.
ferry_dpop_encode() {
    ferry_dpop_base64url "$(printf '%s' "$1" | ferry_dpop_hex)"
}

# ES256 as JOSE writes it (RFC 7518 section 3.4): r and s as 32 bytes each, from the DER that openssl
# writes (RFC 3279 section 2.2.3: SEQUENCE { INTEGER r, INTEGER s }). A DER INTEGER has no leading zero
# bytes, except one before a first byte of 0x80 or more, so r and s are 1 to 33 bytes long there: that
# zero goes, and zeros are put back in front up to 32 bytes. Hex digits in, hex digits out.
ferry_dpop_jose_signature() {
    awk -v der="$1" '
        function byte(i) {
            return (index(digits, substr(der, i, 1)) - 1) * 16 + index(digits, substr(der, i + 1, 1)) - 1
        }
        function der_integer(   length_, value) {
            if (substr(der, at, 2) != "02") exit 1
            length_ = byte(at + 2)
            value = substr(der, at + 4, 2 * length_)
            at += 4 + 2 * length_
            if (length_ < 1 || length(value) != 2 * length_) exit 1
            while (length(value) > 64 && substr(value, 1, 2) == "00") value = substr(value, 3)
            if (length(value) > 64) exit 1
            while (length(value) < 64) value = "00" value
            return value
        }
        BEGIN {
            digits = "0123456789abcdef"
            if (substr(der, 1, 2) != "30" || byte(3) != length(der) / 2 - 2) exit 1
            at = 5
            r = der_integer()
            s = der_integer()
            if (at != length(der) + 1) exit 1
            printf "%s%s", r, s
        }'
}

# The public key as a JWK with only its required members, in the order RFC 7638 hashes them. Its x and
# y come from the key's SubjectPublicKeyInfo (RFC 5480): a fixed prefix for P-256, then the
# uncompressed point 04 || x || y, 32 bytes each.
ferry_dpop_jwk() {
    ferry_dpop_spki=$(openssl ec -in "$ferry_dpop_key" -pubout -outform DER 2>/dev/null | ferry_dpop_hex)
    ferry_dpop_point=${ferry_dpop_spki#3059301306072a8648ce3d020106082a8648ce3d03010703420004}
    if [ "$ferry_dpop_point" = "$ferry_dpop_spki" ] || [ ${#ferry_dpop_point} -ne 128 ]; then
        ferry_dpop_fail "cannot read the P-256 public key of $ferry_dpop_key with openssl"
    fi
    printf '{"crv":"P-256","kty":"EC","x":"%s","y":"%s"}' \
        "$(ferry_dpop_base64url "$(printf '%s' "$ferry_dpop_point" | cut -c 1-64)")" \
        "$(ferry_dpop_base64url "$(printf '%s' "$ferry_dpop_point" | cut -c 65-128)")"
}

if [ $# -eq 1 ] && [ "$1" = --jkt ]; then
    ferry_dpop_jwk=$(ferry_dpop_jwk) || exit 1
    ferry_dpop_base64url "$(printf '%s' "$ferry_dpop_jwk" | openssl dgst -sha256 -binary | ferry_dpop_hex)"
    echo
    exit 0
fi

if [ $# -lt 2 ] || [ $# -gt 3 ]; then ferry_dpop_usage "wrong number of arguments"; fi
ferry_dpop_method=$1
ferry_dpop_nonce=${3-}
case $ferry_dpop_method in
    '' | *[!A-Za-z0-9_-]*) ferry_dpop_usage "'$ferry_dpop_method' is not an HTTP method, e.g. GET or POST" ;;
esac
case $2 in
    *[!!-~]*) ferry_dpop_usage "the URL contains white space or characters that are not ASCII" ;;
    http://* | https://*) ;;
    *) ferry_dpop_usage "the URL '$2' must start with https:// (or http://)" ;;
esac
ferry_dpop_htu=${2%%#*}
ferry_dpop_htu=${ferry_dpop_htu%%\?*}
case $ferry_dpop_nonce in
    *[!!-~]* | *[\"\\]*) ferry_dpop_usage "the nonce holds characters RFC 9449 section 8 does not allow" ;;
esac

ferry_dpop_jti=$(openssl rand -hex 16 2>/dev/null)
ferry_dpop_iat=$(date +%s)
case $ferry_dpop_jti in
    '' | *[!0-9a-f]*) ferry_dpop_fail "openssl rand gave no random jti" ;;
esac
case $ferry_dpop_iat in
    '' | *[!0-9]*) ferry_dpop_fail "date +%s gave no time" ;;
esac
ferry_dpop_ath=
if [ -s "$ferry_dpop_dir/access-token.sha256" ]; then
    ferry_dpop_ath=$(ferry_dpop_base64url "$(tr -cd '0-9a-f' <"$ferry_dpop_dir/access-token.sha256")")
fi

ferry_dpop_jwk=$(ferry_dpop_jwk) || exit 1
ferry_dpop_claims=$(jq -n -c -j --arg jti "$ferry_dpop_jti" --arg htm "$ferry_dpop_method" \
    --arg htu "$ferry_dpop_htu" --argjson iat "$ferry_dpop_iat" --arg nonce "$ferry_dpop_nonce" \
    --arg ath "$ferry_dpop_ath" '{jti: $jti, htm: $htm, htu: $htu, iat: $iat}
        + (if $nonce == "" then {} else {nonce: $nonce} end)
        + (if $ath == "" then {} else {ath: $ath} end)' | tr -d '\r')
case $ferry_dpop_claims in
    '{'*'}') ;;
    *) ferry_dpop_fail "jq could not write the proof's claims" ;;
esac
ferry_dpop_input=$(ferry_dpop_encode "{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":$ferry_dpop_jwk}").$(ferry_dpop_encode "$ferry_dpop_claims")
ferry_dpop_signature=$(ferry_dpop_jose_signature "$(printf '%s' "$ferry_dpop_input" |
    openssl dgst -sha256 -sign "$ferry_dpop_key" 2>/dev/null | ferry_dpop_hex)") ||
    ferry_dpop_fail "openssl could not sign the proof with $ferry_dpop_key"
printf '%s.%s\n' "$ferry_dpop_input" "$(ferry_dpop_base64url "$ferry_dpop_signature")"
FERRY_DPOP_PROOF
}

# A fresh proof for the exchange (with Ferry's nonce once it asked for one) in the header file curl sends.
ferry_dpop_prove() {
    if ! ferry_dpop_proof=$("$ferry_dpop_helper" POST "$ferry_dpop_htu" "$ferry_dpop_nonce"); then
        ferry_fail 1 "Ferry token exchange: no DPoP proof" "ferry-dpop-proof failed (its message is above)."
    fi
    printf 'DPoP: %s\n' "$ferry_dpop_proof" >"$ferry_dpop_dir/proof"
}

# After an HTTP 200: the token must be bound to the key (token_type DPoP, RFC 9449 section 5). A bearer
# token is not handed on. The token's SHA-256 goes beside the key, for the ath of later proofs.
ferry_dpop_bound() {
    ferry_token_type=$(ferry_json 'if type == "object" then .token_type // empty | strings else empty end')
    case $ferry_token_type in
        [Dd][Pp][Oo][Pp]) ;;
        *) ferry_fail 1 "Ferry did not issue a DPoP-bound token" \
            "dpop is true, but Ferry answered token_type '${ferry_token_type:-(none)}' (HTTP 200 from $ferry_url/token, exchange_id ${ferry_exchange_id:-(none)}): the token is not bound to this job's key, so whoever holds it could use it. The step does not hand it on." \
            "Hint: this Ferry does not support DPoP (RFC 9449), or a proxy in front of it drops the DPoP header. Upgrade Ferry, or set dpop to false for a bearer token." ;;
    esac
    ferry_dpop_hash=$(printf '%s' "$ferry_access_token" | openssl dgst -sha256 -binary | od -A n -v -t x1 | tr -cd '0-9a-f')
    if [ ${#ferry_dpop_hash} -ne 64 ] ||
        ! (umask 077 && printf '%s\n' "$ferry_dpop_hash" >"$ferry_dpop_dir/access-token.sha256"); then
        ferry_fail 1 "Ferry token exchange: no hash of the token" "openssl dgst failed, or $ferry_dpop_dir cannot be written."
    fi
    rm -f "$ferry_dpop_dir/proof"
}

if [ "$ferry_dpop" = true ]; then ferry_dpop_create; fi

# ---- the ID token -----------------------------------------------------------------------------

if [ "$ferry_github" = true ]; then
    ferry_permission_hint="Hint: the job needs permission to request an OIDC ID token: add 'permissions: id-token: write' to the workflow or to the job. Workflows run for pull requests from forks never get one."
    if [ -z "${ACTIONS_ID_TOKEN_REQUEST_URL:-}" ] || [ -z "${ACTIONS_ID_TOKEN_REQUEST_TOKEN:-}" ]; then
        ferry_fail 1 "No OIDC ID token for this job" \
            "ACTIONS_ID_TOKEN_REQUEST_URL is not set, so GitHub gives this job no ID token to exchange at Ferry." \
            "$ferry_permission_hint"
    fi
    # The bearer token goes through curl's standard input (-H @-), not its command line.
    ferry_http "GitHub's OIDC token endpoint" "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" \
        -H @- -G --data-urlencode "audience=$ferry_id_token_audience" "$ACTIONS_ID_TOKEN_REQUEST_URL"
    if [ "$ferry_status" = 000 ]; then
        ferry_unreachable "GitHub's OIDC token endpoint"
        ferry_fail 1 "No OIDC ID token for this job" "$ferry_reason"
    fi
    ferry_id_token=$(ferry_json 'if type == "object" then .value // empty | strings else empty end')
    if [ "$ferry_status" != 200 ] || [ -z "$ferry_id_token" ]; then
        ferry_said=$(ferry_json 'if type == "object" then .message // empty | strings else empty end')
        ferry_fail 1 "No OIDC ID token for this job" \
            "GitHub's OIDC token endpoint answered HTTP $ferry_status without a token${ferry_said:+: $ferry_said}" \
            "$ferry_permission_hint"
    fi
    printf '::add-mask::%s\n' "$ferry_id_token"
else
    ferry_id_token=${FERRY_ID_TOKEN:-}
    if [ -z "$ferry_id_token" ]; then
        if [ "$ferry_gitlab" = true ]; then
            ferry_fail 1 "No ID token for this job" \
                "FERRY_ID_TOKEN is empty: GitLab gives a job an ID token only when the job declares it under id_tokens:." \
                "Hint: let the job extend .ferry-token (it declares id_tokens: FERRY_ID_TOKEN with the audience), or declare it yourself."
        fi
        ferry_fail 1 "No ID token" "Set FERRY_ID_TOKEN to this job's OIDC ID token."
    fi
fi
case $ferry_id_token in
    *[!A-Za-z0-9._-]* | *.*.*.* | .* | *..* | *.) ferry_id_token_shape=bad ;;
    *.*.*) ferry_id_token_shape=jwt ;;
    *) ferry_id_token_shape=bad ;;
esac
if [ "$ferry_id_token_shape" != jwt ]; then
    ferry_fail 1 "The ID token is not a JWT" "Expected three base64url parts separated by dots."
fi

# ---- the exchange -----------------------------------------------------------------------------

set -- --data-urlencode "$ferry_target_parameter=$ferry_target"
if [ -n "$ferry_scope" ]; then set -- "$@" --data-urlencode "scope=$ferry_scope"; fi
if [ "$ferry_dpop" = true ]; then
    set -- "$@" -H @"$ferry_dpop_dir/proof"
    ferry_dpop_htu=$ferry_url/token
fi
ferry_exchange() {
    ferry_http Ferry "$ferry_id_token" -H 'Expect:' \
        --data-urlencode grant_type=urn:ietf:params:oauth:grant-type:token-exchange \
        --data-urlencode subject_token_type=urn:ietf:params:oauth:token-type:id_token \
        --data-urlencode subject_token@- \
        "$@" "$ferry_url/token"
}
ferry_exchange "$@"
# RFC 9449 section 8: Ferry wants its nonce in the proof. Once more, with a new proof that has it.
if [ "$ferry_dpop" = true ] && [ "$ferry_status" = 400 ] &&
    [ "$(ferry_json 'if type == "object" then .error // empty | strings else empty end')" = use_dpop_nonce ]; then
    ferry_dpop_nonce=$(ferry_header DPoP-Nonce)
    if [ -n "$ferry_dpop_nonce" ]; then
        ferry_info "Ferry asked for a DPoP nonce; sending the exchange again with a proof that has it."
        ferry_exchange "$@"
    fi
fi

if [ "$ferry_status" = 000 ]; then
    ferry_unreachable "$ferry_url/token"
    ferry_fail 1 "Ferry could not be reached" "$ferry_reason" \
        "Hint: check ferry-url ('$ferry_url'): Ferry's URL, as in its issuer setting, reachable from this runner."
fi

ferry_exchange_id=$(ferry_header Ferry-Exchange-Id)
if [ "$ferry_status" = 200 ]; then
    ferry_access_token=$(ferry_json 'if type == "object" then .access_token // empty | strings else empty end')
    if [ "$ferry_github" = true ] && [ -n "$ferry_access_token" ]; then
        printf '::add-mask::%s\n' "$ferry_access_token"
    fi
    case $ferry_access_token in
        '' | *[!A-Za-z0-9._~+/=-]*)
            ferry_fail 1 "Ferry answered without a usable access token" \
                "HTTP 200 from $ferry_url/token, but access_token is missing or not a token." ;;
    esac
    if [ "$ferry_dpop" = true ]; then ferry_dpop_bound; fi
    ferry_expires_in=$(ferry_json '.expires_in // empty | numbers | floor | tostring')
    ferry_granted=$(ferry_json '.scope // empty | strings')
    case $ferry_granted in
        *[!\ -~]*) ferry_fail 1 "Ferry answered with an unusable scope" "scope holds characters RFC 6749 section 3.3 does not allow." ;;
    esac

    if [ "$ferry_github" = true ]; then
        ferry_delimiter="ferry_token_$$_$(date +%s)"
        if [ -z "${GITHUB_OUTPUT:-}" ]; then
            ferry_fail 1 "Ferry token exchange: no GITHUB_OUTPUT" "This runner is too old for step outputs in files."
        fi
        {
            printf 'access-token<<%s\n%s\n%s\n' "$ferry_delimiter" "$ferry_access_token" "$ferry_delimiter"
            printf 'expires-in<<%s\n%s\n%s\n' "$ferry_delimiter" "$ferry_expires_in" "$ferry_delimiter"
            printf 'scope<<%s\n%s\n%s\n' "$ferry_delimiter" "$ferry_granted" "$ferry_delimiter"
            printf 'exchange-id<<%s\n%s\n%s\n' "$ferry_delimiter" "$ferry_exchange_id" "$ferry_delimiter"
            if [ "$ferry_dpop" = true ]; then
                printf 'token-type<<%s\nDPoP\n%s\n' "$ferry_delimiter" "$ferry_delimiter"
                printf 'dpop-key-file<<%s\n%s\n%s\n' "$ferry_delimiter" "$ferry_dpop_dir/key.pem" "$ferry_delimiter"
                printf 'dpop-jkt<<%s\n%s\n%s\n' "$ferry_delimiter" "$ferry_dpop_jkt" "$ferry_delimiter"
            fi
        } >>"$GITHUB_OUTPUT"
        ferry_where="step outputs access-token, expires-in, scope"
        if [ "$ferry_dpop" = true ]; then
            if [ -z "${GITHUB_PATH:-}" ]; then
                ferry_fail 1 "Ferry token exchange: no GITHUB_PATH" "This runner is too old for path files."
            fi
            ferry_dpop_bin=$ferry_dpop_dir/bin
            if command -v cygpath >/dev/null 2>&1; then ferry_dpop_bin=$(cygpath -w "$ferry_dpop_bin"); fi
            printf '%s\n' "$ferry_dpop_bin" >>"$GITHUB_PATH"
            ferry_where="$ferry_where, token-type, dpop-key-file, dpop-jkt; ferry-dpop-proof on the PATH of later steps"
        fi
        if [ "$ferry_export" = true ]; then
            if [ -z "${GITHUB_ENV:-}" ]; then
                ferry_fail 1 "Ferry token exchange: no GITHUB_ENV" "This runner is too old for environment files."
            fi
            printf '%s<<%s\n%s\n%s\n' "$ferry_env_name" "$ferry_delimiter" "$ferry_access_token" "$ferry_delimiter" >>"$GITHUB_ENV"
            ferry_where="$ferry_where; \$$ferry_env_name in later steps"
        fi
    else
        ferry_quoted_scope=$(printf '%s' "$ferry_granted" | sed "s/'/'\\\\''/g")
        ferry_prefix=
        if [ "$ferry_export" = true ]; then ferry_prefix='export '; fi
        printf "%s%s='%s'\n" "$ferry_prefix" "$ferry_env_name" "$ferry_access_token"
        printf "%s%s_EXPIRES_IN='%s'\n" "$ferry_prefix" "$ferry_env_name" "$ferry_expires_in"
        printf "%s%s_SCOPE='%s'\n" "$ferry_prefix" "$ferry_env_name" "$ferry_quoted_scope"
        ferry_where="\$$ferry_env_name, \$${ferry_env_name}_EXPIRES_IN, \$${ferry_env_name}_SCOPE"
        if [ "$ferry_dpop" = true ]; then
            printf "%s%s_TYPE='DPoP'\n" "$ferry_prefix" "$ferry_env_name"
            printf "%s%s_DPOP_KEY_FILE=%s\n" "$ferry_prefix" "$ferry_env_name" "$(ferry_quote "$ferry_dpop_dir/key.pem")"
            printf "%s%s_DPOP_JKT='%s'\n" "$ferry_prefix" "$ferry_env_name" "$ferry_dpop_jkt"
            printf 'PATH=%s:"$PATH"\n' "$(ferry_quote "$ferry_dpop_dir/bin")"
            ferry_where="$ferry_where, \$${ferry_env_name}_TYPE, \$${ferry_env_name}_DPOP_KEY_FILE, \$${ferry_env_name}_DPOP_JKT; ferry-dpop-proof on the PATH"
        fi
        if [ -n "${FERRY_DOTENV:-}" ]; then
            if ! (umask 077 && printf '%s=%s\n%s_EXPIRES_IN=%s\n%s_SCOPE=%s\n' \
                "$ferry_env_name" "$ferry_access_token" "$ferry_env_name" "$ferry_expires_in" \
                "$ferry_env_name" "$ferry_granted" >"$FERRY_DOTENV"); then
                ferry_fail 1 "Ferry token exchange: cannot write $FERRY_DOTENV" "The dotenv file could not be written."
            fi
            ferry_where="$ferry_where; dotenv file $FERRY_DOTENV"
        fi
    fi
    if [ "$ferry_dpop" = true ]; then
        ferry_info "Ferry issued a DPoP-bound access token for $ferry_target_parameter '$ferry_target': scope '$ferry_granted', expires in ${ferry_expires_in:-?} s (exchange_id ${ferry_exchange_id:-?}); key thumbprint (cnf.jkt) $ferry_dpop_jkt."
    else
        ferry_info "Ferry issued an access token for $ferry_target_parameter '$ferry_target': scope '$ferry_granted', expires in ${ferry_expires_in:-?} s (exchange_id ${ferry_exchange_id:-?})."
    fi
    ferry_info "It is in: $ferry_where."
    ferry_exit 0
fi

# ---- a refusal --------------------------------------------------------------------------------

ferry_error=$(ferry_json 'if type == "object" then .error // empty | strings else empty end')
if [ -z "$ferry_error" ]; then
    ferry_hint="Hint: is ferry-url ('$ferry_url') Ferry's URL? A proxy or load balancer in front of Ferry may have answered."
    case $ferry_status in
        404 | 405) ferry_hint="Hint: ferry-url ('$ferry_url') is Ferry's base URL (its issuer), without /token." ;;
    esac
    ferry_fail 1 "Ferry token exchange failed" \
        "$ferry_url/token answered HTTP $ferry_status$(if [ "$ferry_attempt" -gt 1 ]; then printf ' after %s attempts' "$ferry_attempt"; fi), not an OAuth 2.0 answer: $(ferry_excerpt)" \
        "$ferry_hint"
fi
ferry_description=$(ferry_json 'if type == "object" then .error_description // empty | strings else empty end')
ferry_exchange_id_body=$(ferry_json 'if type == "object" then .exchange_id // empty | strings else empty end')
if [ -n "$ferry_exchange_id_body" ]; then ferry_exchange_id=$ferry_exchange_id_body; fi

ferry_lookup="An operator finds the full reason in Ferry's audit log: GET /admin/v1/audit/${ferry_exchange_id:-<exchange_id>} (operator guide, 'Why was this CI run refused?')."
case $ferry_error in
    invalid_request)
        ferry_audience_hint="The ID token's audience '$(ferry_claim aud)' is not among the acceptedAudiences of its issuer at Ferry: set id-token-audience to one of them, or have an operator add it."
        ferry_issuer_hint="The ID token's issuer '$(ferry_claim iss)' is not registered at Ferry, or is disabled."
        ferry_rule_hint="No trust rule admits this job (sub '$(ferry_claim sub)'), or a deny rule refuses it."
        # The likeliest cause first: the one Ferry's description names, if it names one.
        case $ferry_description in
            *[Rr]ule*) set -- "$ferry_rule_hint" "$ferry_audience_hint" "$ferry_issuer_hint" ;;
            *[Ii]ssuer*' not '*) set -- "$ferry_issuer_hint" "$ferry_audience_hint" "$ferry_rule_hint" ;;
            *) set -- "$ferry_audience_hint" "$ferry_issuer_hint" "$ferry_rule_hint" ;;
        esac
        set -- "Hint: the usual causes, likeliest first:" "1. $1" "2. $2" "3. $3" "$ferry_lookup"
        ;;
    invalid_target)
        set -- "Hint: no trust rule that admits this job grants the target '$ferry_target'. It must equal one of the rule's targets exactly (scheme, host, port, path, trailing slash)." \
            "$ferry_lookup"
        ;;
    invalid_scope)
        set -- "Hint: the rules that admit this job do not grant scope '$ferry_scope' for '$ferry_target'. Ask only for granted scopes, or leave scope empty to get every granted one." \
            "$ferry_lookup"
        ;;
    temporarily_unavailable)
        set -- "Hint: Ferry is rate limiting this job or cannot reach its database or the issuer's keys; gave up after $ferry_attempt attempts. Run the job again later, or raise retries."
        ;;
    server_error)
        set -- "Hint: Ferry failed; its operators find the cause in its log by the exchange_id."
        ;;
    invalid_dpop_proof)
        set -- "Hint: Ferry refused the step's DPoP proof (RFC 9449 section 4.3). Its htu is '$ferry_url/token' and Ferry compares it with the URL it is reached at, so ferry-url must be Ferry's issuer URL exactly; its iat is this runner's clock, which must be right within seconds." \
            "$ferry_lookup"
        ;;
    use_dpop_nonce)
        if [ -n "$ferry_dpop_nonce" ]; then
            set -- "Hint: Ferry asked for a DPoP nonce again after the step sent the one it had asked for; it may be behind replicas that do not share nonces. Run the job again; if it recurs, tell Ferry's operators."
        else
            set -- "Hint: Ferry asked for a DPoP nonce without a DPoP-Nonce header to take it from (RFC 9449 section 8); a proxy in front of Ferry may drop that header."
        fi
        ;;
    *)
        set -- "$ferry_lookup"
        ;;
esac
ferry_fail 1 "Ferry refused the token exchange" \
    "error: $ferry_error" \
    "error_description: ${ferry_description:-(none)}" \
    "exchange_id: ${ferry_exchange_id:-(none)}" \
    "(HTTP $ferry_status from $ferry_url/token)" \
    "$@"
