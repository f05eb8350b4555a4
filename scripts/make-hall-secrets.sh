#!/usr/bin/env bash
# Makes the hall's two secrets, each once (a second run keeps what is there):
#   sudo scripts/make-hall-secrets.sh
# Writes into ${QMS_SECRETS_DIR:-/etc/qms/secrets}, 0600 and owned by ${QMS_USER:-qms}:
#   data.key  the data key sealing phone numbers in the controller's store (QMS_DATA_KEY); only the
#             controller box needs it. Lose it and the stored phone numbers are lost: keep a copy offline,
#             apart from the database backups. Rotate it with `main.py controller rotate-key`.
#   id-salt   the salt of ID number hashes (QMS_ID_SALT_FILE, the bridge's id_salt_file): copy the same
#             file to every kiosk and bridge box of the hall, never a new one (hashes would stop matching).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${QMS_SECRETS_DIR:-/etc/qms/secrets}
python=${QMS_PYTHON:-.venv/bin/python}
mkdir -p "$dir"
chmod 750 "$dir"
umask 077
"$python" - "$dir" <<'PY'
import os, sys
from contract.privacy import make_salt
from controller.datakey import DataKey
directory = sys.argv[1]
key = os.path.join(directory, "data.key")
print(f"{key}: made" if not os.path.exists(key) and DataKey.make(key) else f"{key}: kept")
salt = os.path.join(directory, "id-salt")
print(f"{salt}: {'made' if make_salt(salt) else 'kept'}")
PY
for file in "$dir/data.key" "$dir/id-salt"; do
    chown "${QMS_USER:-qms}" "$file" 2>/dev/null || true
done
