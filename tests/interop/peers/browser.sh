#!/bin/sh
# A "browser" for $BROWSER (xdg-open runs `$BROWSER <url>`): hands the URL to open-url.mjs,
# which signs in on the development authorization server and delivers the redirect to the
# client's loopback callback. INTEROP_NODE picks the node binary (default: node on PATH).
exec "${INTEROP_NODE:-node}" "$(dirname "$0")/open-url.mjs" "$@"
