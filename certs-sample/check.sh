#!/usr/bin/env bash
# check.sh: verifies the committed SAMPLE PKI in the folder of this script with openssl.
#
# Good certificates must verify against their root and intermediate with -x509_strict and CRL
# checks on the whole chain; the bad ones must fail for exactly their one defect (expired,
# revoked, untrusted root, 1024-bit key); keys must be the expected type and size and match their
# certificates; CRLs must be signed by their CA and current; CURVE key pairs must be 40 Z85
# characters each and the public key must be the one the secret key yields. Every certificate's
# subject must carry the SAMPLE marker.
#
# Prints one line per check and, last, "N passed, M failed". Exits 0 only when nothing failed.
# Needs: openssl (3.x), a C compiler and libzmq (Debian: libzmq3-dev) for curve_keygen.c.
# The good certificates expire ten years after they were made (see README.md); from that date on
# this check fails until the PKI is regenerated with make-pki.sh --force.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here" || exit 1

tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT

passed=0
failed=0
detail=""

# check DESCRIPTION COMMAND...: one check; the command may set `detail` to explain a failure.
check() {
  local description=$1
  shift
  detail=""
  if "$@"; then
    passed=$((passed + 1))
    printf 'ok   %s\n' "$description"
  else
    failed=$((failed + 1))
    printf 'FAIL %s\n' "$description"
    if [[ -n $detail ]]; then printf '%s\n' "$detail" | sed 's/^/     /'; fi
  fi
}

crls=(crl/root-rsa.crl.pem crl/intermediate-rsa.crl.pem crl/root-ec.crl.pem
  crl/intermediate-ec.crl.pem)
all_crl_args=()
for crl in "${crls[@]}"; do all_crl_args+=(-CRLfile "$crl"); done

# hierarchy_of FILE: rsa or ec, from the file name (<identity>-rsa.crt.pem, <identity>-ec...).
hierarchy_of() {
  case "$1" in
    *-ec.crt.pem | *-ec.key.pem | *-ec.crl.pem) echo ec ;;
    *) echo rsa ;;
  esac
}

# identity_of FILE: the identity a certificate's file name gives.
identity_of() {
  local name
  name=$(basename "$1" .crt.pem)
  name=${name%-rsa1024}
  name=${name%-rsa}
  name=${name%-ec}
  name=${name%-expired}
  name=${name%-revoked}
  echo "$name"
}

# verify_chain CERT HIERARCHY [EXTRA OPTIONS...]: openssl verify against one root + intermediate
# with strict X.509 rules and the CRLs of both CAs; prints openssl's output, returns its status.
verify_chain() {
  local cert=$1 h=$2
  shift 2
  openssl verify -x509_strict -crl_check_all "$@" \
    -CAfile "trust/root-$h.crt.pem" -untrusted "trust/intermediate-$h.crt.pem" \
    -CRLfile "crl/root-$h.crl.pem" -CRLfile "crl/intermediate-$h.crl.pem" "$cert" 2>&1
}

# ---------------------------------------------------------------------------------------------
# Inventory: the folders hold what the README lists, so that no check below passes on nothing.
# count_is N FILE...: exactly N files were given (the callers pass globs, with nullglob set).
count_is() {
  local expected=$1
  shift
  detail="found $#, expected $expected"
  (($# == expected))
}
shopt -s nullglob
good_certs=(gateway/*.crt.pem partners/*.crt.pem agencies/*.crt.pem)
check "2 gateway certificates" count_is 2 gateway/*.crt.pem
check "16 partner certificates (8 partners, RSA and EC)" count_is 16 partners/*.crt.pem
check "8 agency certificates (4 agencies, RSA and EC)" count_is 8 agencies/*.crt.pem
check "4 CA certificates in trust/" count_is 4 trust/*.crt.pem
check "4 CRLs in crl/" count_is 4 crl/*.crl.pem
check "13 CURVE key pairs" count_is 13 curve/*.key
check "trust-bundle.pem is the 4 CA certificates" \
  cmp -s trust-bundle.pem <(cat trust/root-rsa.crt.pem trust/intermediate-rsa.crt.pem \
    trust/root-ec.crt.pem trust/intermediate-ec.crt.pem)

# ---------------------------------------------------------------------------------------------
# CA certificates.
ca_extensions_ok() {
  local ext
  ext=$(openssl x509 -in "$1" -noout -ext basicConstraints,keyUsage 2>&1)
  detail=$ext
  grep -q 'Basic Constraints: critical' <<<"$ext" &&
    grep -Eq "^ *CA:TRUE, pathlen:$2\$" <<<"$ext" &&
    grep -q 'Key Usage: critical' <<<"$ext" &&
    grep -Eq '^ *Certificate Sign, CRL Sign$' <<<"$ext"
}
for name in root-rsa root-ec; do
  check "$name: CA:TRUE pathlen:1 (critical), keyCertSign+cRLSign (critical)" \
    ca_extensions_ok "trust/$name.crt.pem" 1
done
for name in intermediate-rsa intermediate-ec; do
  check "$name: CA:TRUE pathlen:0 (critical), keyCertSign+cRLSign (critical)" \
    ca_extensions_ok "trust/$name.crt.pem" 0
done
check "root-rogue: CA:TRUE pathlen:1 (critical), keyCertSign+cRLSign (critical)" \
  ca_extensions_ok rogue/root-rogue.crt.pem 1

ca_verifies() {
  detail=$(verify_chain "$1" "$2")
  [[ $detail == "$1: OK" ]]
}
for h in rsa ec; do
  check "intermediate-$h verifies against root-$h (strict, CRL checked)" \
    ca_verifies "trust/intermediate-$h.crt.pem" "$h"
done

# ---------------------------------------------------------------------------------------------
# CRLs: signed by their CA, current, and listing exactly what was revoked.
crl_ok() {
  local crl=$1 ca=$2 next
  detail=$(openssl crl -in "$crl" -CAfile "$ca" -noout 2>&1)
  [[ $detail == "verify OK" ]] || return 1
  next=$(openssl crl -in "$crl" -noout -nextupdate | sed 's/^nextUpdate=//')
  detail="nextUpdate $next"
  (($(date -u -d "$next" +%s) > $(date -u +%s)))
}
revoked_serials() {
  openssl crl -in "$1" -noout -text | sed -n 's/^ *Serial Number: *//p' | tr '\n' ' '
}
crl_lists() {
  local listed
  listed=$(revoked_serials "$1")
  detail="lists: '${listed}', expected: '$2'"
  [[ $listed == "$2" ]]
}
for name in root-rsa intermediate-rsa root-ec intermediate-ec; do
  check "crl/$name.crl.pem is signed by $name and current" \
    crl_ok "crl/$name.crl.pem" "trust/$name.crt.pem"
done
check "rogue/root-rogue.crl.pem is signed by root-rogue and current" \
  crl_ok rogue/root-rogue.crl.pem rogue/root-rogue.crt.pem
revoked_serial=$(openssl x509 -in invalid/VN.MOF.CUSTOMS-revoked-rsa.crt.pem -noout -serial)
revoked_serial=${revoked_serial#serial=}
check "crl/intermediate-rsa.crl.pem lists only the revoked certificate ($revoked_serial)" \
  crl_lists crl/intermediate-rsa.crl.pem "$revoked_serial "
for name in root-rsa root-ec intermediate-ec; do
  check "crl/$name.crl.pem lists nothing" crl_lists "crl/$name.crl.pem" ""
done
reason_is_key_compromise() {
  detail=$(openssl crl -in crl/intermediate-rsa.crl.pem -noout -text)
  grep -A4 "Serial Number: $revoked_serial\$" <<<"$detail" | grep -q 'Key Compromise'
}
check "revocation reason of $revoked_serial is keyCompromise" reason_is_key_compromise

# ---------------------------------------------------------------------------------------------
# Good end-entity certificates.
good_verifies() {
  local cert=$1
  detail=$(verify_chain "$cert" "$(hierarchy_of "$cert")" -purpose smimesign)
  [[ $detail == "$cert: OK" ]]
}
bundle_verifies() {
  detail=$(openssl verify -x509_strict -crl_check_all -CAfile trust-bundle.pem \
    "${all_crl_args[@]}" "$1" 2>&1)
  [[ $detail == "$1: OK" ]]
}
signer_extensions_ok() {
  local ext
  ext=$(openssl x509 -in "$1" -noout \
    -ext basicConstraints,keyUsage,extendedKeyUsage,subjectKeyIdentifier,authorityKeyIdentifier \
    2>&1)
  detail=$ext
  grep -Eq '^ *CA:FALSE$' <<<"$ext" &&
    grep -q 'Key Usage: critical' <<<"$ext" &&
    grep -Eq '^ *Digital Signature, Non Repudiation$' <<<"$ext" &&
    grep -Eq '^ *E-mail Protection, 1\.3\.6\.1\.5\.5\.7\.3\.36$' <<<"$ext" &&
    grep -q 'Subject Key Identifier' <<<"$ext" &&
    grep -q 'Authority Key Identifier' <<<"$ext"
}
bound_to_identity() {
  local cert=$1 identity cn san
  identity=$(identity_of "$cert")
  cn=$(openssl x509 -in "$cert" -noout -subject -nameopt RFC2253,sep_multiline |
    sed -n 's/^ *CN=//p')
  san=$(openssl x509 -in "$cert" -noout -ext subjectAltName 2>/dev/null | sed -n 's/^ *URI://p')
  detail="CN '$cn', subjectAltName URI '$san', expected identity '$identity'"
  [[ $cn == "$identity" && $san == "urn:swg:identity:$identity" ]]
}
for cert in "${good_certs[@]}"; do
  check "$cert verifies against root-$(hierarchy_of "$cert") + intermediate (strict, CRLs)" \
    good_verifies "$cert"
  check "$cert verifies against trust-bundle.pem with all CRLs" bundle_verifies "$cert"
  check "$cert: CA:FALSE, digitalSignature+nonRepudiation, EKU, SKI, AKI" \
    signer_extensions_ok "$cert"
  check "$cert: CN and subjectAltName name identity $(identity_of "$cert")" \
    bound_to_identity "$cert"
done

# ---------------------------------------------------------------------------------------------
# Bad certificates: each fails for its own defect, and only for it.
# fails_with EXPECTED_ERROR_LINE COMMAND...: the command fails with exactly that one error.
fails_with() {
  local expected=$1 output errors
  shift
  output=$("$@" 2>&1) && { detail="verified, expected: $expected"; return 1; }
  errors=$(grep -E '^error [0-9]+ at [0-9]+ depth lookup:' <<<"$output")
  detail=$output
  [[ $errors == "$expected" ]]
}
# verifies CERT COMMAND...: the command, an openssl verify of CERT, says only "CERT: OK".
verifies() {
  local cert=$1
  shift
  detail=$("$@" 2>&1)
  [[ $detail == "$cert: OK" ]]
}

expired=invalid/VN.MOIT.COO-expired-rsa.crt.pem
check "$expired fails as expired (error 10)" \
  fails_with "error 10 at 0 depth lookup: certificate has expired" verify_chain "$expired" rsa
check "$expired verifies when time is not checked (expiry is its only defect)" \
  verifies "$expired" verify_chain "$expired" rsa -no_check_time
not_after_in_past() {
  detail=$(openssl x509 -in "$expired" -noout -startdate -enddate)
  ! openssl x509 -in "$expired" -noout -checkend 0 >/dev/null
}
check "$expired: notAfter is in the past" not_after_in_past
check "$expired: CN and subjectAltName name identity VN.MOIT.COO" bound_to_identity "$expired"

revoked=invalid/VN.MOF.CUSTOMS-revoked-rsa.crt.pem
check "$revoked fails as revoked (error 23)" \
  fails_with "error 23 at 0 depth lookup: certificate revoked" verify_chain "$revoked" rsa
check "$revoked fails as revoked against trust-bundle.pem with all CRLs" \
  fails_with "error 23 at 0 depth lookup: certificate revoked" \
  openssl verify -x509_strict -crl_check_all -CAfile trust-bundle.pem "${all_crl_args[@]}" \
  "$revoked"
revoked_without_crl() {
  detail=$(openssl verify -x509_strict -CAfile trust/root-rsa.crt.pem \
    -untrusted trust/intermediate-rsa.crt.pem "$revoked" 2>&1)
  [[ $detail == "$revoked: OK" ]]
}
check "$revoked verifies without CRLs (revocation is its only defect)" revoked_without_crl
check "$revoked: CN and subjectAltName name identity VN.MOF.CUSTOMS" \
  bound_to_identity "$revoked"

rogue=rogue/TH.ASW.GATEWAY-rsa.crt.pem
check "$rogue fails against trust-bundle.pem (error 20, untrusted issuer)" \
  fails_with "error 20 at 0 depth lookup: unable to get local issuer certificate" \
  openssl verify -x509_strict -crl_check_all -CAfile trust-bundle.pem "${all_crl_args[@]}" \
  "$rogue"
check "$rogue verifies against its own rogue root (untrusted root is its only defect)" \
  verifies "$rogue" openssl verify -x509_strict -crl_check_all -CAfile rogue/root-rogue.crt.pem \
  -CRLfile rogue/root-rogue.crl.pem "$rogue"
same_subject() {
  local a b
  a=$(openssl x509 -in "$1" -noout -subject -nameopt RFC2253)
  b=$(openssl x509 -in "$2" -noout -subject -nameopt RFC2253)
  detail="$a / $b"
  [[ $a == "$b" ]]
}
check "$rogue has the subject of partners/TH.ASW.GATEWAY-rsa.crt.pem" \
  same_subject "$rogue" partners/TH.ASW.GATEWAY-rsa.crt.pem
check "$expired has the subject of partners/VN.MOIT.COO-rsa.crt.pem" \
  same_subject "$expired" partners/VN.MOIT.COO-rsa.crt.pem
check "$revoked has the subject of partners/VN.MOF.CUSTOMS-rsa.crt.pem" \
  same_subject "$revoked" partners/VN.MOF.CUSTOMS-rsa.crt.pem

weak=invalid/SG.ASW.GATEWAY-rsa1024.crt.pem
check "$weak verifies at the default security level (key size is its only defect)" \
  verifies "$weak" verify_chain "$weak" rsa
check "$weak fails at security level 2 (error 66, key too weak)" \
  fails_with "error 66 at 0 depth lookup: EE certificate key too weak" \
  verify_chain "$weak" rsa -auth_level 2

# ---------------------------------------------------------------------------------------------
# Keys: type and size, and every key belongs to its certificate.
rsa_bits_are() {
  detail=$(openssl pkey -in "$1" -noout -text 2>&1 | head -1)
  grep -Eq "^Private-Key: \($2 bit, 2 primes\)\$" <<<"$detail"
}
cert_rsa_bits_are() {
  detail=$(openssl x509 -in "$1" -noout -text 2>&1 | grep -E 'Public Key Algorithm|Public-Key')
  grep -q 'rsaEncryption' <<<"$detail" && grep -Eq "Public-Key: \($2 bit\)" <<<"$detail"
}
is_p256() {
  local text
  if [[ $1 == *.crt.pem ]]; then
    text=$(openssl x509 -in "$1" -noout -text 2>&1)
  else
    text=$(openssl pkey -in "$1" -noout -text 2>&1)
  fi
  detail=$(grep -E 'ASN1 OID|NIST CURVE|Private-Key|Public-Key' <<<"$text")
  grep -Eq '^ *ASN1 OID: prime256v1$' <<<"$text" && grep -Eq '^ *NIST CURVE: P-256$' <<<"$text"
}
key_matches() {
  local key_pub cert_pub
  key_pub=$(openssl pkey -in "$1" -pubout 2>&1)
  cert_pub=$(openssl x509 -in "$2" -noout -pubkey 2>&1)
  detail="key: ${key_pub:0:80}... certificate: ${cert_pub:0:80}..."
  [[ -n $key_pub && $key_pub == "$cert_pub" ]]
}

check "$weak: the certificate's RSA key is 1024 bits" cert_rsa_bits_are "$weak" 1024
check "${weak%.crt.pem}.key.pem is a 1024-bit RSA key" rsa_bits_are "${weak%.crt.pem}.key.pem" 1024
rsa2048_pair() { rsa_bits_are "$1" 2048 && cert_rsa_bits_are "$2" 2048; }
p256_pair() { is_p256 "$1" && is_p256 "$2"; }
for cert in "${good_certs[@]}" "$expired" "$revoked" "$rogue"; do
  key=${cert%.crt.pem}.key.pem
  if [[ $(hierarchy_of "$cert") == ec ]]; then
    check "$key and its certificate are EC prime256v1" p256_pair "$key" "$cert"
  else
    check "$key and its certificate are RSA-2048" rsa2048_pair "$key" "$cert"
  fi
done
for key in gateway/*.key.pem partners/*.key.pem agencies/*.key.pem invalid/*.key.pem \
  rogue/*.key.pem; do
  check "$key belongs to ${key%.key.pem}.crt.pem" key_matches "$key" "${key%.key.pem}.crt.pem"
done
for name in root-rsa intermediate-rsa root-ec intermediate-ec; do
  check "ca/$name/ca.key.pem belongs to trust/$name.crt.pem" \
    key_matches "ca/$name/ca.key.pem" "trust/$name.crt.pem"
done
check "ca/root-rogue/ca.key.pem belongs to rogue/root-rogue.crt.pem" \
  key_matches ca/root-rogue/ca.key.pem rogue/root-rogue.crt.pem
for name in root-rsa intermediate-rsa; do
  check "ca/$name/ca.key.pem and trust/$name.crt.pem are RSA-2048" \
    rsa2048_pair "ca/$name/ca.key.pem" "trust/$name.crt.pem"
done
for name in root-ec intermediate-ec; do
  check "ca/$name/ca.key.pem and trust/$name.crt.pem are EC prime256v1" \
    p256_pair "ca/$name/ca.key.pem" "trust/$name.crt.pem"
done

# ---------------------------------------------------------------------------------------------
# SAMPLE marker in every certificate's subject.
subject_says_sample() {
  detail=$(openssl x509 -in "$1" -noout -subject -nameopt RFC2253 2>&1)
  grep -Eq '(^|,)O=[^,]*\(SAMPLE\)' <<<"$detail"
}
all_certs=()
while IFS= read -r cert; do all_certs+=("$cert"); done < <(find . -name '*.crt.pem' | sort)
check "35 certificates in all (5 CAs, 26 signers, 4 bad ones)" count_is 35 "${all_certs[@]}"
for cert in "${all_certs[@]}"; do
  check "${cert#./}: subject O= says (SAMPLE)" subject_says_sample "$cert"
done

# ---------------------------------------------------------------------------------------------
# ZeroMQ CURVE key pairs.
keygen=$tmp/curve_keygen
build_keygen() {
  detail=$(cc -std=c11 -O2 -Wall -Wextra -o "$keygen" curve_keygen.c -lzmq 2>&1)
}
check "curve_keygen.c builds with libzmq" build_keygen

z85_key='^[][0-9a-zA-Z.:+=^!/*?&<>(){}@%$#-]{40}$'
curve_pair_ok() {
  local file=$1 public secret derived pub_file
  public=$(sed -n 's/^public = "\(.*\)"$/\1/p' "$file")
  secret=$(sed -n 's/^secret = "\(.*\)"$/\1/p' "$file")
  detail="public '$public', secret '$secret'"
  [[ $public =~ $z85_key && $secret =~ $z85_key ]] || return 1
  # Exactly one key line of each kind, and nothing else but comments.
  [[ $(grep -cvE '^(#.*|public = ".*"|secret = ".*")$' "$file") == 0 ]] || return 1
  [[ $(grep -c '^public = ' "$file") == 1 && $(grep -c '^secret = ' "$file") == 1 ]] || return 1
  derived=$("$keygen" public <<<"$secret" 2>&1)
  detail="public '$public', public derived from the secret '$derived'"
  [[ $derived == "$public" ]] || return 1
  pub_file=$(<"${file%.key}.pub")
  detail="public '$public', ${file%.key}.pub '$pub_file'"
  [[ $pub_file == "$public" && $(wc -l <"${file%.key}.pub") == 1 ]]
}
for file in curve/*.key; do
  check "$file: 40-character Z85 keys, public derived from secret, matches .pub" \
    curve_pair_ok "$file"
done
curve_keys_distinct() {
  local dup
  dup=$(cat curve/*.pub | sort | uniq -d)
  detail="repeated: $dup"
  [[ -z $dup ]]
}
check "CURVE public keys are all different" curve_keys_distinct
curve_for_every_signer() {
  local cert identity missing=""
  for cert in "${good_certs[@]}"; do
    identity=$(identity_of "$cert")
    [[ -f curve/$identity.key && -f curve/$identity.pub ]] || missing+=" $identity"
  done
  detail="missing:$missing"
  [[ -z $missing ]]
}
check "a CURVE key pair for the gateway, every partner and every agency" curve_for_every_signer

# ---------------------------------------------------------------------------------------------
first_expiry() {
  local cert end earliest="" earliest_s=""
  for cert in "${good_certs[@]}"; do
    end=$(openssl x509 -in "$cert" -noout -enddate | sed 's/^notAfter=//')
    if [[ -z $earliest_s ]] || (($(date -u -d "$end" +%s) < earliest_s)); then
      earliest=$end
      earliest_s=$(date -u -d "$end" +%s)
    fi
  done
  echo "$earliest"
}
expiry=$(first_expiry)
readme_states_expiry() {
  local stated actual
  stated=$(sed -n 's/^Good certificates expire on \*\*\([0-9-]*\)\*\*.*/\1/p' README.md)
  actual=$(date -u -d "$expiry" +%F)
  detail="README.md says '$stated', the first good certificate expires $actual"
  [[ $stated == "$actual" ]]
}
check "README.md states when the good certificates expire" readme_states_expiry
printf 'note: the good certificates are valid until %s; regenerate before then\n' "$expiry"
printf '%d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
