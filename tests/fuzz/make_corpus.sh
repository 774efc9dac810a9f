#!/usr/bin/env bash
# Writes the generated seeds of tests/fuzz/corpus/ (files named gen-*): a
# throwaway PKI made with the openssl command line, as PEM, DER and PKCS#12
# files, CRLs, and the inputs of the validate harness built from them. The
# other seeds are hand-written files beside them. The certificates are valid
# for 100 years from the day this runs, so the harnesses' fixed "now"
# (2027-01-15) falls inside them.
#
#   tests/fuzz/make_corpus.sh        (re)writes every gen-* seed
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
corpus=$here/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

sep=$'\n%%\n'
days=36500

# ---- the PKI: root -> intermediate -> leaf (EC), plus an RSA leaf
cat >ca.ext <<'EOF'
[fuzz_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[fuzz_leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:www.example.test, DNS:*.mail.example.test, IP:127.0.0.1
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://crl.example.test/intermediate.crl
EOF
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days $days \
  -subj "/CN=Fuzz Root" -keyout root.key -out root.pem -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=Fuzz Intermediate" \
  -keyout int.key -out int.csr 2>/dev/null
openssl x509 -req -in int.csr -CA root.pem -CAkey root.key -CAcreateserial -days $days \
  -extfile ca.ext -extensions fuzz_ca -out int.pem 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/O=Fuzz/CN=www.example.test" \
  -keyout leaf.key -out leaf.csr 2>/dev/null
openssl x509 -req -in leaf.csr -CA int.pem -CAkey int.key -CAcreateserial -days $days \
  -extfile ca.ext -extensions fuzz_leaf -out leaf.pem 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -subj "/CN=www.example.test" -keyout rsa.key -out rsa.csr 2>/dev/null
openssl x509 -req -in rsa.csr -CA int.pem -CAkey int.key -CAcreateserial -days $days \
  -extfile ca.ext -extensions fuzz_leaf -out rsa.pem 2>/dev/null
openssl x509 -in leaf.pem -outform DER -out leaf.der
openssl pkey -in leaf.key -outform DER -out leaf.key.der
openssl ec -in leaf.key -out leaf.traditional.key 2>/dev/null
openssl pkcs8 -topk8 -in leaf.key -passout pass:sesame -v2 aes-256-cbc -out leaf.encrypted.key
openssl ec -in leaf.key -aes256 -passout pass:sesame -out leaf.legacy-encrypted.key 2>/dev/null
openssl pkey -in leaf.key -pubout -out leaf.pub
cat int.pem root.pem >chain.pem
cat leaf.pem int.pem >fullchain.pem

# ---- a CRL from the intermediate, revoking the RSA leaf (keyCompromise)
mkdir -p ca/newcerts
: >ca/index.txt
echo 01 >ca/crlnumber
cat >ca.cnf <<EOF
[ca]
default_ca = fuzz
[fuzz]
dir = $work/ca
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
crlnumber = \$dir/crlnumber
certificate = $work/int.pem
private_key = $work/int.key
default_md = sha256
default_crl_days = 30
EOF
openssl ca -config ca.cnf -revoke rsa.pem -crl_reason keyCompromise 2>/dev/null
openssl ca -config ca.cnf -gencrl -out int.crl 2>/dev/null
openssl crl -in int.crl -outform DER -out int.crl.der
: >ca/index.txt
openssl ca -config ca.cnf -gencrl -out empty.crl 2>/dev/null
rsa_serial=$(openssl x509 -in rsa.pem -noout -serial | cut -d= -f2)

# ---- PKCS#12: modern, legacy (RC2/3DES), without a MAC, without a key
openssl pkcs12 -export -in leaf.pem -inkey leaf.key -certfile chain.pem -passout pass:test -out modern.p12
openssl pkcs12 -export -legacy -in leaf.pem -inkey leaf.key -certfile chain.pem -passout pass:test \
  -out legacy.p12 2>/dev/null || true
openssl pkcs12 -export -in leaf.pem -inkey leaf.key -passout pass: -nomac -out nomac.p12
openssl pkcs12 -export -in leaf.pem -nokeys -certfile chain.pem -passout pass:test -out nokey.p12

# seed HARNESS NAME PART...: a seed of parts joined by the separator; a
# part is a file, or ":TEXT" for the text itself.
seed() {
  local out=$corpus/$1/gen-$2 first=1 p
  shift 2
  mkdir -p "${out%/*}"
  : >"$out"
  for p in "$@"; do
    [ $first -eq 1 ] || printf '%s' "$sep" >>"$out"
    first=0
    if [[ $p == :* ]]; then printf '%s' "${p#:}" >>"$out"; else cat "$p" >>"$out"; fi
  done
}

rm -f "$corpus"/*/gen-*
cat leaf.key fullchain.pem >key-and-fullchain.pem
cat fullchain.pem leaf.key >fullchain-and-key.pem
{ printf '\xef\xbb\xbf'; sed 's/$/\r/' leaf.pem; } >crlf-bom.pem

# pem: [passphrase %% ] file
for f in leaf.pem key-and-fullchain.pem rsa.pem chain.pem leaf.der leaf.key.der rsa.key leaf.traditional.key \
  leaf.pub leaf.csr crlf-bom.pem; do
  seed pem "$f" "$f"
done
seed pem encrypted.key :sesame leaf.encrypted.key
seed pem legacy-encrypted.key :sesame leaf.legacy-encrypted.key

# pkcs12: [password %% ] file
seed pkcs12 modern.p12 :test modern.p12
[ ! -s legacy.p12 ] || seed pkcs12 legacy.p12 :test legacy.p12
seed pkcs12 nomac.p12 nomac.p12
seed pkcs12 nokey.p12 :test nokey.p12

# crl: crl %% serial %% leaf %% chain
seed crl pem.crl int.crl ":$rsa_serial" rsa.pem chain.pem
seed crl der.crl int.crl.der ":$rsa_serial" rsa.pem chain.pem
seed crl empty.crl empty.crl :01 leaf.pem chain.pem

# validate: options %% cert %% key %% chain %% ca file %% passphrase
seed validate pem-set :www.example.test leaf.pem leaf.key int.pem root.pem :
seed validate rsa-set ":127.0.0.1 a.mail.example.test" rsa.pem rsa.key chain.pem root.pem :
seed validate mismatched-key :www.example.test leaf.pem rsa.key chain.pem : :
seed validate all-in-one : fullchain-and-key.pem : : root.pem :
seed validate encrypted-key :www.example.test leaf.pem leaf.encrypted.key int.pem root.pem :sesame
seed validate wrong-name :mail.example.test leaf.pem leaf.key chain.pem : :
seed validate p12 ":p12 www.example.test" modern.p12 : : root.pem :test

echo "make_corpus: wrote $(find "$corpus" -name 'gen-*' | wc -l) generated seeds"
