#!/usr/bin/env bash
# Fetches the web tier's vendored JavaScript from npm into web/static/vendor/ (no build step: the
# files are committed as npm ships them). Run again only to upgrade; bump the versions here.
set -euo pipefail
cd "$(dirname "$0")/.."

HTMX=2.0.11       # htmx.org: declarative HTML over HTTP
HTMX_SSE=2.2.4    # htmx-ext-sse: htmx's Server-Sent Events extension

out=web/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "htmx.org@$HTMX" "htmx-ext-sse@$HTMX_SSE" >/dev/null)
tar -xzf "$work/htmx.org-$HTMX.tgz" -C "$work" package/dist/htmx.min.js package/LICENSE
cp "$work/package/dist/htmx.min.js" "$out/htmx.min.js"
cp "$work/package/LICENSE" "$out/LICENSE.htmx"
rm -rf "$work/package"
tar -xzf "$work/htmx-ext-sse-$HTMX_SSE.tgz" -C "$work" package/dist/sse.min.js package/LICENSE
cp "$work/package/dist/sse.min.js" "$out/htmx-ext-sse.min.js"
cp "$work/package/LICENSE" "$out/LICENSE.htmx-ext-sse"
{
  echo "htmx.org $HTMX          htmx.min.js          (BSD Zero Clause, LICENSE.htmx)"
  echo "htmx-ext-sse $HTMX_SSE   htmx-ext-sse.min.js  (BSD Zero Clause, LICENSE.htmx-ext-sse)"
  echo "fetched by scripts/fetch-web-vendor.sh (npm pack); sha256:"
  (cd "$out" && sha256sum htmx.min.js htmx-ext-sse.min.js)
} > "$out/VERSIONS"
