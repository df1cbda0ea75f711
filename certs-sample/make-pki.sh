#!/usr/bin/env bash
# make-pki.sh [--force]
#
# Makes the SAMPLE PKI of the gateway in the folder of this script: two CA hierarchies (RSA-2048
# and ECDSA P-256, each root -> intermediate), the gateway's, partners' and agencies' signing
# certificates, the deliberately bad certificates the tests need (expired, revoked, RSA-1024,
# issued by a rogue root), current CRLs for every CA, a trust bundle, and ZeroMQ CURVE key pairs.
# SAMPLE keys for tests and the demo only: NEVER use them in production.
#
# Without --force it refuses to overwrite an existing PKI; with --force it deletes what it made
# before (only the generated files and folders listed in `generated` below) and makes a new one.
# Needs: openssl (3.x), a C compiler and libzmq (Debian: libzmq3-dev) for curve_keygen.c.
set -euo pipefail

usage() {
  echo "usage: $0 [--force]" >&2
  echo "  makes the SAMPLE PKI in $(dirname "$0"); --force regenerates an existing one" >&2
}

force=0
case "$#:${1:-}" in
  0:) ;;
  1:--force) force=1 ;;
  1:-h | 1:--help) usage; exit 0 ;;
  *) usage; exit 1 ;;
esac

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"

generated=(ca trust crl gateway partners agencies invalid rogue curve trust-bundle.pem INVENTORY.tsv)
existing=()
for path in "${generated[@]}"; do
  if [[ -e $path ]]; then existing+=("$path"); fi
done
if ((${#existing[@]} > 0)); then
  if ((force == 0)); then
    echo "make-pki.sh: refusing to overwrite the existing PKI in $here (${existing[*]});" >&2
    echo "make-pki.sh: run with --force to delete it and make a new one" >&2
    exit 1
  fi
  rm -rf -- "${generated[@]}"
fi

tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT

cnf=$here/openssl.cnf
# openssl.cnf reads these; each must be set whenever it is loaded (see its header).
export SWG_CA_DIR=$tmp/no-ca SWG_CA_CERT=$tmp/no-ca.pem SWG_CA_NAME=none
export SWG_NEW_CERTS=$tmp/newcerts SWG_IDENTITY=none
mkdir -p "$SWG_NEW_CERTS"

# Validity. CAs start in 2020 so that the expired certificate lies inside its issuer's validity.
readonly kRootStart=20200101000000Z kRootEnd=20451231235959Z
readonly kIntermediateStart=20200101000000Z kIntermediateEnd=20401231235959Z
readonly kEndEntityDays=3650
readonly kExpiredStart=20210101000000Z kExpiredEnd=20220101000000Z

readonly kPkiDn="/C=VN/O=National Single Window (SAMPLE)/OU=NSW Test PKI"

log() { printf 'make-pki.sh: %s\n' "$*"; }

# new_key TYPE FILE: an unencrypted PKCS#8 private key; TYPE is rsa (2048), rsa1024 or ec (P-256).
new_key() {
  case "$1" in
    rsa) openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$2" ;;
    rsa1024) openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$2" ;;
    ec)
      openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
        -pkeyopt ec_param_enc:named_curve -out "$2"
      ;;
    *) echo "make-pki.sh: unknown key type $1" >&2; return 1 ;;
  esac
}

# init_ca NAME FIRST_SERIAL: the `openssl ca` database of one CA in ca/NAME.
init_ca() {
  mkdir -p "ca/$1"
  : >"ca/$1/index.txt"
  echo "unique_subject = no" >"ca/$1/index.txt.attr"
  echo "$2" >"ca/$1/serial"
  echo "01" >"ca/$1/crlnumber"
}

# use_ca NAME CERT: point openssl.cnf at the CA that signs next.
use_ca() {
  export SWG_CA_NAME=$1 SWG_CA_DIR=$here/ca/$1 SWG_CA_CERT=$here/$2
}

# make_root NAME KEYTYPE SUBJECT CERT FIRST_SERIAL: a self-signed root CA.
make_root() {
  local name=$1 type=$2 subject=$3 cert=$4
  init_ca "$name" "$5"
  new_key "$type" "ca/$name/ca.key.pem"
  openssl req -new -config "$cnf" -key "ca/$name/ca.key.pem" -subj "$subject" -out "$tmp/$name.csr"
  use_ca "$name" "$cert"
  openssl ca -batch -config "$cnf" -selfsign -notext -in "$tmp/$name.csr" -out "$cert" \
    -extensions v3_root -startdate "$kRootStart" -enddate "$kRootEnd" 2>"$tmp/ca.log" ||
    { cat "$tmp/ca.log" >&2; return 1; }
  log "root CA $name: $cert"
}

# issue ISSUER ISSUER_CERT EXTENSIONS KEYTYPE KEY CERT SUBJECT IDENTITY [START END]
#   a new key and a certificate for it, signed by ISSUER with `openssl ca`; the validity is
#   kEndEntityDays from now unless START and END are given.
issue() {
  local issuer=$1 issuer_cert=$2 extensions=$3 type=$4 key=$5 cert=$6 subject=$7 identity=$8
  local validity=(-days "$kEndEntityDays")
  if (($# == 10)); then validity=(-startdate "$9" -enddate "${10}"); fi
  mkdir -p "$(dirname "$key")" "$(dirname "$cert")"
  new_key "$type" "$key"
  openssl req -new -config "$cnf" -key "$key" -subj "$subject" -out "$tmp/request.csr"
  use_ca "$issuer" "$issuer_cert"
  SWG_IDENTITY=$identity openssl ca -batch -config "$cnf" -notext -in "$tmp/request.csr" \
    -out "$cert" -extensions "$extensions" "${validity[@]}" 2>"$tmp/ca.log" ||
    { cat "$tmp/ca.log" >&2; return 1; }
  log "issued $cert ($subject)"
}

# ---------------------------------------------------------------------------------------------
# CA hierarchies.
mkdir -p trust crl
make_root root-rsa rsa "$kPkiDn/CN=NSW Sample Root CA RSA" trust/root-rsa.crt.pem 1000
make_root root-ec ec "$kPkiDn/CN=NSW Sample Root CA EC" trust/root-ec.crt.pem 3000

# intermediate_ca NAME KEYTYPE SUBJECT ROOT FIRST_SERIAL
intermediate_ca() {
  init_ca "$1" "$5"
  new_key "$2" "ca/$1/ca.key.pem"
  openssl req -new -config "$cnf" -key "ca/$1/ca.key.pem" -subj "$3" -out "$tmp/$1.csr"
  use_ca "$4" "trust/$4.crt.pem"
  openssl ca -batch -config "$cnf" -notext -in "$tmp/$1.csr" -out "trust/$1.crt.pem" \
    -extensions v3_intermediate -startdate "$kIntermediateStart" -enddate "$kIntermediateEnd" \
    2>"$tmp/ca.log" || { cat "$tmp/ca.log" >&2; return 1; }
  log "intermediate CA $1: trust/$1.crt.pem"
}
intermediate_ca intermediate-rsa rsa "$kPkiDn/CN=NSW Sample Issuing CA RSA" root-rsa 2000
intermediate_ca intermediate-ec ec "$kPkiDn/CN=NSW Sample Issuing CA EC" root-ec 4000

cat trust/root-rsa.crt.pem trust/intermediate-rsa.crt.pem \
  trust/root-ec.crt.pem trust/intermediate-ec.crt.pem >trust-bundle.pem

# ---------------------------------------------------------------------------------------------
# Signing certificates: IDENTITY|C|O (without the SAMPLE marker)|OU, one line each.
gateway_parties=(
  "VN.NSW.GATEWAY|VN|National Single Window|NSW Gateway Receipt Signing"
)
partner_parties=(
  "VN.MOF.CUSTOMS|VN|Ministry of Finance|General Department of Vietnam Customs"
  "VN.MOIT.COO|VN|Ministry of Industry and Trade|Import-Export Department"
  "VN.MARD.PPD|VN|Ministry of Agriculture and Rural Development|Plant Protection Department"
  "VN.MOH.DAV|VN|Ministry of Health|Drug Administration of Vietnam"
  "TH.ASW.GATEWAY|TH|Thai Customs Department|Thailand National Single Window"
  "SG.ASW.GATEWAY|SG|Singapore Customs|TradeNet National Single Window"
  "ID.ASW.GATEWAY|ID|Lembaga National Single Window|Indonesia National Single Window"
  "MY.ASW.GATEWAY|MY|Royal Malaysian Customs Department|Malaysia National Single Window"
)
agency_parties=(
  "VN.MARD.PQ|VN|Ministry of Agriculture and Rural Development|Plant Quarantine Division"
  "VN.MOH.VFA|VN|Ministry of Health|Vietnam Food Administration"
  "VN.MOH.DAV.LICENSING|VN|Ministry of Health|Drug Administration of Vietnam Licensing"
  "VN.MOF.CUSTOMS.CLEARANCE|VN|Ministry of Finance|Customs Clearance System"
)

# subject_of "IDENTITY|C|O|OU": the subject; the identity is the CN.
subject_of() {
  local identity country org unit
  IFS='|' read -r identity country org unit <<<"$1"
  printf '/C=%s/O=%s (SAMPLE)/OU=%s/CN=%s' "$country" "$org" "$unit" "$identity"
}
identity_of() { printf '%s' "${1%%|*}"; }

# signers FOLDER PARTY...: an RSA and an EC certificate for every party, under FOLDER.
signers() {
  local folder=$1 party identity subject
  shift
  for party in "$@"; do
    identity=$(identity_of "$party")
    subject=$(subject_of "$party")
    issue intermediate-rsa trust/intermediate-rsa.crt.pem v3_signer rsa \
      "$folder/$identity-rsa.key.pem" "$folder/$identity-rsa.crt.pem" "$subject" "$identity"
    issue intermediate-ec trust/intermediate-ec.crt.pem v3_signer ec \
      "$folder/$identity-ec.key.pem" "$folder/$identity-ec.crt.pem" "$subject" "$identity"
  done
}
signers gateway "${gateway_parties[@]}"
signers partners "${partner_parties[@]}"
signers agencies "${agency_parties[@]}"

# ---------------------------------------------------------------------------------------------
# Bad certificates, each for a real partner identity so that only the one defect differs.
subject_for() {
  local party
  for party in "${partner_parties[@]}"; do
    if [[ $(identity_of "$party") == "$1" ]]; then subject_of "$party"; return 0; fi
  done
  echo "make-pki.sh: no partner $1" >&2
  return 1
}

# An old certificate of VN.MOIT.COO whose validity lies entirely in the past.
issue intermediate-rsa trust/intermediate-rsa.crt.pem v3_signer rsa \
  invalid/VN.MOIT.COO-expired-rsa.key.pem invalid/VN.MOIT.COO-expired-rsa.crt.pem \
  "$(subject_for VN.MOIT.COO)" VN.MOIT.COO "$kExpiredStart" "$kExpiredEnd"

# A certificate of VN.MOF.CUSTOMS revoked for key compromise.
issue intermediate-rsa trust/intermediate-rsa.crt.pem v3_signer rsa \
  invalid/VN.MOF.CUSTOMS-revoked-rsa.key.pem invalid/VN.MOF.CUSTOMS-revoked-rsa.crt.pem \
  "$(subject_for VN.MOF.CUSTOMS)" VN.MOF.CUSTOMS
use_ca intermediate-rsa trust/intermediate-rsa.crt.pem
openssl ca -batch -config "$cnf" -revoke invalid/VN.MOF.CUSTOMS-revoked-rsa.crt.pem \
  -crl_reason keyCompromise 2>"$tmp/ca.log" || { cat "$tmp/ca.log" >&2; exit 1; }
log "revoked invalid/VN.MOF.CUSTOMS-revoked-rsa.crt.pem (keyCompromise)"

# A valid chain, but an RSA key of 1024 bits: below the gateway's minimum of 2048.
issue intermediate-rsa trust/intermediate-rsa.crt.pem v3_signer rsa1024 \
  invalid/SG.ASW.GATEWAY-rsa1024.key.pem invalid/SG.ASW.GATEWAY-rsa1024.crt.pem \
  "$(subject_for SG.ASW.GATEWAY)" SG.ASW.GATEWAY

# A root nobody trusts, and a certificate from it with the subject of the real TH.ASW.GATEWAY.
mkdir -p rogue
make_root root-rogue rsa "/C=VN/O=Unknown Certification Authority (SAMPLE)/CN=Rogue Sample Root CA" \
  rogue/root-rogue.crt.pem 5000
issue root-rogue rogue/root-rogue.crt.pem v3_signer rsa \
  rogue/TH.ASW.GATEWAY-rsa.key.pem rogue/TH.ASW.GATEWAY-rsa.crt.pem \
  "$(subject_for TH.ASW.GATEWAY)" TH.ASW.GATEWAY

# ---------------------------------------------------------------------------------------------
# CRLs: one current CRL from every CA (the rogue root's beside its certificate).
gen_crl() {
  use_ca "$1" "$2"
  openssl ca -batch -config "$cnf" -gencrl -crlexts crl_ext -out "$3" 2>"$tmp/ca.log" ||
    { cat "$tmp/ca.log" >&2; return 1; }
  log "CRL of $1: $3"
}
gen_crl root-rsa trust/root-rsa.crt.pem crl/root-rsa.crl.pem
gen_crl intermediate-rsa trust/intermediate-rsa.crt.pem crl/intermediate-rsa.crl.pem
gen_crl root-ec trust/root-ec.crt.pem crl/root-ec.crl.pem
gen_crl intermediate-ec trust/intermediate-ec.crt.pem crl/intermediate-ec.crl.pem
gen_crl root-rogue rogue/root-rogue.crt.pem rogue/root-rogue.crl.pem

# `openssl ca` leaves backups of its database files behind; they are not part of the PKI.
rm -f ca/*/*.old

# ---------------------------------------------------------------------------------------------
# ZeroMQ CURVE key pairs for the gateway, every partner and every agency.
cc -std=c11 -O2 -Wall -Wextra -o "$tmp/curve_keygen" "$here/curve_keygen.c" -lzmq
mkdir -p curve
for party in "${gateway_parties[@]}" "${partner_parties[@]}" "${agency_parties[@]}"; do
  identity=$(identity_of "$party")
  {
    echo "# ZeroMQ CURVE key pair of $identity: SAMPLE key for tests and the demo, NEVER production"
    "$tmp/curve_keygen"
  } >"curve/$identity.key"
  sed -n 's/^public = "\(.*\)"$/\1/p' "curve/$identity.key" >"curve/$identity.pub"
  log "CURVE key pair curve/$identity.key, public key curve/$identity.pub"
done

# ---------------------------------------------------------------------------------------------
# INVENTORY.tsv: every certificate with its subject, serial, validity and fingerprint.
{
  printf 'file\tkey\tserial\tnot_before\tnot_after\tsha256_fingerprint\tsubject\tissuer\n'
  while IFS= read -r cert; do
    text=$(openssl x509 -in "$cert" -noout -text)
    if grep -q 'Public Key Algorithm: id-ecPublicKey' <<<"$text"; then
      key="EC-$(sed -n 's/^ *NIST CURVE: *//p' <<<"$text")"
    else
      key="RSA-$(sed -n 's/^ *Public-Key: (\([0-9]*\) bit)/\1/p' <<<"$text")"
    fi
    serial=$(openssl x509 -in "$cert" -noout -serial)
    start=$(openssl x509 -in "$cert" -noout -startdate -dateopt iso_8601)
    end=$(openssl x509 -in "$cert" -noout -enddate -dateopt iso_8601)
    fingerprint=$(openssl x509 -in "$cert" -noout -fingerprint -sha256)
    subject=$(openssl x509 -in "$cert" -noout -subject -nameopt RFC2253)
    issuer=$(openssl x509 -in "$cert" -noout -issuer -nameopt RFC2253)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${cert#./}" "$key" "${serial#serial=}" \
      "${start#notBefore=}" "${end#notAfter=}" "${fingerprint#*=}" "${subject#subject=}" \
      "${issuer#issuer=}"
  done < <(find . -name '*.crt.pem' | LC_ALL=C sort)
} >INVENTORY.tsv

# ---------------------------------------------------------------------------------------------
# README.md: rewrite its validity section (between the validity:begin and validity:end markers).
utc() { date -u -d "$1" '+%Y-%m-%d %H:%M:%S'; }
cert_date() { utc "$(openssl x509 -in "$1" -noout "-$2" | sed 's/^[^=]*=//')"; }
crl_date() { utc "$(openssl crl -in "$1" -noout "-$2" | sed 's/^[^=]*=//')"; }
earliest_start="" earliest_end=""
for cert in gateway/*.crt.pem partners/*.crt.pem agencies/*.crt.pem; do
  start=$(cert_date "$cert" startdate)
  end=$(cert_date "$cert" enddate)
  if [[ -z $earliest_start || $start < $earliest_start ]]; then earliest_start=$start; fi
  if [[ -z $earliest_end || $end < $earliest_end ]]; then earliest_end=$end; fi
done
expired=invalid/VN.MOIT.COO-expired-rsa.crt.pem
cat >"$tmp/validity.md" <<EOF
| Certificates | Not before (UTC) | Not after (UTC) |
|---|---|---|
| Root CAs \`root-rsa\`, \`root-ec\` (and \`root-rogue\`) | $(cert_date trust/root-rsa.crt.pem startdate) | $(cert_date trust/root-rsa.crt.pem enddate) |
| Intermediate CAs \`intermediate-rsa\`, \`intermediate-ec\` | $(cert_date trust/intermediate-rsa.crt.pem startdate) | $(cert_date trust/intermediate-rsa.crt.pem enddate) |
| Gateway, partner and agency certificates (and the revoked, RSA-1024 and rogue ones) | $earliest_start | $earliest_end |
| Expired certificate \`$expired\` | $(cert_date "$expired" startdate) | $(cert_date "$expired" enddate) |
| CRLs (lastUpdate / nextUpdate) | $(crl_date crl/intermediate-rsa.crl.pem lastupdate) | $(crl_date crl/intermediate-rsa.crl.pem nextupdate) |

Good certificates expire on **${earliest_end%% *}**: from that day \`check.sh\` (ctest \`pki_sample_check\`)
and every test that verifies these certificates fail until the PKI is regenerated.
EOF
if grep -q '^<!-- validity:begin' README.md 2>/dev/null &&
  grep -q '^<!-- validity:end -->$' README.md; then
  awk -v block="$tmp/validity.md" '
    /^<!-- validity:begin/ { print; while ((getline line < block) > 0) print line; skipping = 1; next }
    /^<!-- validity:end -->$/ { skipping = 0 }
    !skipping { print }' README.md >"$tmp/README.md"
  cat "$tmp/README.md" >README.md
  log "README.md: validity section rewritten (good certificates expire ${earliest_end%% *})"
else
  echo "make-pki.sh: README.md has no validity section to rewrite; check.sh will fail" >&2
fi

# ---------------------------------------------------------------------------------------------
# The repository rejects a few marker words in any committed file, case-insensitively. Random
# base64 and Z85 text contains one of them now and then; when it does, start again with new keys.
# (The words are split in two here so that this file does not contain them.)
markers="to""do|fix""me|st""ub|place""holder"
if hits=$(grep -rliE "$markers" "${generated[@]}" | tr '\n' ' '); then
  attempt=${SWG_PKI_ATTEMPT:-1}
  if ((attempt >= 5)); then
    echo "make-pki.sh: still marker words in $hits after $attempt attempts" >&2
    exit 1
  fi
  log "marker word by chance in $hits; making everything again (attempt $((attempt + 1)))"
  rm -rf -- "$tmp"
  SWG_PKI_ATTEMPT=$((attempt + 1)) exec bash "$here/make-pki.sh" --force
fi

log "done; check it with: bash $here/check.sh"
