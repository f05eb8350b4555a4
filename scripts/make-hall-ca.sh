#!/usr/bin/env bash
# Makes the hall's own certificate authority and the broker's server certificate, for TLS on 8883.
#   sudo scripts/make-hall-ca.sh controller.hall.lan 10.0.0.2      # every name and address devices dial
# Writes into ${QMS_TLS_DIR:-/etc/qms/tls}:
#   hall-ca.crt  the hall CA: copy it to every device box (QMS_TLS_CA / --tls-ca); not secret
#   hall-ca.key  the CA's key: 0600 root; whoever holds it can impersonate the broker (keep a copy offline)
#   broker.crt   the broker's certificate, signed by the hall CA, naming the hosts given
#   broker.key   its key: 0640 root:mosquitto (Mosquitto drops to that user)
# A second run keeps the CA (devices go on trusting it) and issues a new broker certificate, e.g. for a
# new address; delete hall-ca.* first to start a new CA (then every device needs the new hall-ca.crt).
# Devices log in with username and password as before: no device certificates.
set -euo pipefail
dir=${QMS_TLS_DIR:-/etc/qms/tls}
ca_days=${QMS_CA_DAYS:-3650}
cert_days=${QMS_CERT_DAYS:-1095}
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    names=("$(hostname)" "$(hostname -f 2>/dev/null || hostname)" localhost 127.0.0.1)
fi
san=""
declare -A seen=()
for name in "${names[@]}"; do
    [[ -n ${seen[$name]:-} ]] && continue
    seen[$name]=1
    if [[ $name =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ || $name == *:* ]]; then
        san+="${san:+,}IP:$name"
    elif [[ $name =~ ^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$ ]]; then
        san+="${san:+,}DNS:$name"
    else
        echo "not a host name or address: $name" >&2
        exit 1
    fi
done
mkdir -p "$dir"
chmod 755 "$dir"
umask 077
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -f "$dir/hall-ca.key" ] || [ ! -f "$dir/hall-ca.crt" ]; then
    openssl ecparam -name prime256v1 -genkey -noout -out "$dir/hall-ca.key"
    cat > "$work/ca.ext" <<EOF
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF
    openssl req -new -sha256 -key "$dir/hall-ca.key" -subj "/CN=QMS hall CA $(hostname)" -out "$work/ca.csr"
    openssl x509 -req -sha256 -in "$work/ca.csr" -signkey "$dir/hall-ca.key" -days "$ca_days" \
        -extfile "$work/ca.ext" -out "$dir/hall-ca.crt" 2>/dev/null
    echo "made a new hall CA: $dir/hall-ca.crt"
fi

openssl ecparam -name prime256v1 -genkey -noout -out "$work/broker.key"
openssl req -new -sha256 -key "$work/broker.key" -subj "/CN=${names[0]}" -out "$work/broker.csr"
cat > "$work/broker.ext" <<EOF
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = $san
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
openssl x509 -req -sha256 -in "$work/broker.csr" -CA "$dir/hall-ca.crt" -CAkey "$dir/hall-ca.key" \
    -CAcreateserial -CAserial "$work/ca.srl" -days "$cert_days" -extfile "$work/broker.ext" \
    -out "$work/broker.crt" 2>/dev/null
install -m 0644 "$work/broker.crt" "$dir/broker.crt"
install -m 0640 "$work/broker.key" "$dir/broker.key"
chmod 0644 "$dir/hall-ca.crt"
chmod 0600 "$dir/hall-ca.key"
chown root:mosquitto "$dir/broker.key" 2>/dev/null || true
echo "broker certificate for $san: $dir/broker.crt (valid $cert_days days)"
echo "give every device box $dir/hall-ca.crt (QMS_TLS_CA), then: systemctl restart qms-broker"
