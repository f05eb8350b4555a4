#!/usr/bin/env bash
# Gives a kiosk the printer and ID card reader it uses on a firmware bridge, in the hall's ACL: only
# that kiosk may send print jobs to that printer and hear its results, only it hears that reader's
# card reads (the bridge owns its device topics; the controller owns the tree). Run again to change a
# kiosk's devices; with no devices, the kiosk gets none. The kiosk runs with the same names:
# --printer bridge:BRIDGE/PRINTER, --id-reader BRIDGE/READER (docs/kiosk.md).
#   sudo scripts/pair-kiosk.sh kiosk-K1 --printer bridge-floor1/printer-k1 --id-reader bridge-floor1/idreader-k1
set -euo pipefail
usage="usage: pair-kiosk.sh KIOSK-ID [--printer BRIDGE/PRINTER]... [--id-reader BRIDGE/READER]..."
kiosk=${1:?$usage}
shift
segment='[A-Za-z0-9_-]{1,64}'
[[ $kiosk =~ ^$segment$ ]] || { echo "bad device id: $kiosk" >&2; exit 1; }
acl=${QMS_ACL_FILE:-/etc/qms/mosquitto.acl}
[ -f "$acl" ] || { echo "no ACL file $acl (copy config/mosquitto/hall.acl there first)" >&2; exit 1; }
lines=()
while [ $# -gt 0 ]; do
    option=$1 device=${2:-}
    [[ $device =~ ^bridge-[A-Za-z0-9_-]{1,57}/$segment$ ]] || { echo "bad device for $option: '$device' (BRIDGE/DEVICE, e.g. bridge-floor1/printer-k1)" >&2; exit 1; }
    case $option in
        --printer) lines+=("topic write qms/+/device/$device/print" "topic read qms/+/device/$device/result") ;;
        --id-reader) lines+=("topic read qms/+/device/$device/card") ;;
        *) echo "$usage" >&2; exit 1 ;;
    esac
    shift 2
done
begin="# kiosk $kiosk: its devices on a bridge (scripts/pair-kiosk.sh)"
end="# end of kiosk $kiosk"
tmp=$(mktemp "$acl.XXXXXX")
# the kiosk's old block goes; every other line stays as it was
awk -v begin="$begin" -v end="$end" '$0 == begin {skip = 1} !skip {print} $0 == end {skip = 0}' "$acl" > "$tmp"
if [ ${#lines[@]} -gt 0 ]; then
    { echo "$begin"; echo "user $kiosk"; printf '%s\n' "${lines[@]}"; echo "$end"; } >> "$tmp"
fi
chmod --reference="$acl" "$tmp"
chown --reference="$acl" "$tmp" 2>/dev/null || true
mv "$tmp" "$acl"
echo "$kiosk: ${#lines[@]} ACL lines in $acl"
echo "reload the broker to apply: systemctl reload qms-broker"
