#!/usr/bin/env bash
# Adds (or resets) a device's MQTT login: username = device id, a fresh random
# password written to /etc/qms/secrets/<device>.password for that device's unit.
#   sudo scripts/add-device.sh window-3
set -euo pipefail
device=${1:?usage: add-device.sh DEVICE-ID   (controller, kiosk-K1, window-3, bridge-b1, admin-ops ...)}
[[ $device =~ ^[A-Za-z0-9_-]{1,64}$ ]] || { echo "bad device id: $device" >&2; exit 1; }
passwd_file=${QMS_PASSWD_FILE:-/etc/qms/mosquitto.passwd}
secrets=${QMS_SECRETS_DIR:-/etc/qms/secrets}
mkdir -p "$secrets"
chmod 750 "$secrets"
password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
[ -f "$passwd_file" ] || { touch "$passwd_file"; }
mosquitto_passwd -b "$passwd_file" "$device" "$password"
chown root:mosquitto "$passwd_file" 2>/dev/null || true
chmod 640 "$passwd_file"
umask 077
printf '%s\n' "$password" > "$secrets/$device.password"
chown "${QMS_USER:-qms}" "$secrets/$device.password" 2>/dev/null || true
echo "added $device; its password is in $secrets/$device.password"
echo "reload the broker to apply: systemctl reload qms-broker"
