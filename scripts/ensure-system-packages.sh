#!/usr/bin/env bash
# The test suite needs four Debian packages: postgresql (server binaries for the PostgreSQL
# run), chromium (for the end-to-end tests), redis-server and haproxy (the shared state and
# the several-node tests: a Redis server and a load balancer on loopback). Install what is missing when root;
# otherwise say what to install and fail.
set -euo pipefail

missing=()
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && [ -z "${PG_BINDIR:-}" ] \
    && ! command -v initdb >/dev/null 2>&1; then
    missing+=(postgresql)
fi
if [ ! -x /usr/bin/chromium ]; then
    missing+=(chromium)
fi
if ! command -v redis-server >/dev/null 2>&1 && [ ! -x /usr/bin/redis-server ]; then
    missing+=(redis-server)
fi
if ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ]; then
    missing+=(haproxy)
fi
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "Kluis's tests need the Debian packages: ${missing[*]}; install them with:" \
        "sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi
echo "==> Installing system packages for the tests: ${missing[*]} (a minute or two)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
