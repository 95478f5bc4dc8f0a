#!/usr/bin/env bash
# Installs the pinned local-infrastructure binaries into <repo>/.tools/bin:
#   nats-server  (NATS with JetStream)
#   stripe-mock  (Stripe API double that speaks HTTP)
#   docstore     (the embedded Mongo-protocol store, built from tools/docstore)
#   ferretdb     (only when asked: `install.sh ferretdb`, for the store comparison benchmark)
#
# Each binary has a <name>.version stamp beside it. When every stamp matches its pin the script
# only reads three small files and exits, so `npm test` and `npm start` can run it every time.
# Builds go through Go's build cache, so a rebuild after a pin change is quick.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="$REPO/.tools/bin"
FERRET_SRC="$REPO/tools/ferretdb"
DOCSTORE_SRC="$REPO/tools/docstore"

NATS_VERSION="v2.12.15"
STRIPE_MOCK_VERSION="v0.203.0"

# The stores are built from source in this repository, so their "version" is a hash of that
# source: editing a .go file or bumping the module pins rebuilds them.
source_pin() {
  local sum
  sum="$(cat "$1"/go.mod "$1"/go.sum "$1"/*.go | sha256)"
  echo "src-${sum:0:16}"
}

# macOS ships shasum, not sha256sum.
sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi
}

pin_for() {
  case "$1" in
    nats-server) echo "$NATS_VERSION" ;;
    stripe-mock) echo "$STRIPE_MOCK_VERSION" ;;
    docstore) source_pin "$DOCSTORE_SRC" ;;
    ferretdb) source_pin "$FERRET_SRC" ;;
  esac
}

is_current() {
  local name="$1" pin="$2" stamp="$BIN/$1.version"
  [[ -x "$BIN/$name" && ! -L "$BIN/$name" && -f "$stamp" && "$(<"$stamp")" == "$pin" ]]
}

build() {
  local name="$1"
  case "$name" in
    nats-server) GOBIN="$BIN" go install "github.com/nats-io/nats-server/v2@$NATS_VERSION" ;;
    stripe-mock) GOBIN="$BIN" go install "github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION" ;;
    docstore) (cd "$DOCSTORE_SRC" && go build -trimpath -o "$BIN/docstore" .) ;;
    ferretdb) (cd "$FERRET_SRC" && go build -o "$BIN/ferretdb" .) ;;
  esac
}

# Debian's nats-server package is an older release, so it is only a stand-in when the pinned build
# fails (for example with no route to the Go module proxy). No stamp is written: the next run
# tries the pinned build again.
nats_fallback() {
  local system
  system="$(command -v nats-server || true)"
  [[ -n "$system" ]] || return 1
  ln -sf "$system" "$BIN/nats-server"
  echo "nats-server: WARNING pinned build failed, using $system ($("$system" --version 2>&1 | head -n1))" >&2
}

# Written for bash 3.2 too (macOS /bin/bash): no associative arrays.
# Arguments name extra tools to install beside the default ones (e.g. ferretdb).
main() {
  local tools=(nats-server stripe-mock docstore "$@")
  local pending=() pending_pins=()
  local name pin i
  for name in "${tools[@]}"; do
    pin="$(pin_for "$name")"
    if is_current "$name" "$pin"; then
      echo "$name: up to date ($pin)"
    else
      pending+=("$name")
      pending_pins+=("$pin")
    fi
  done
  ((${#pending[@]} > 0)) || return 0

  if ! command -v go >/dev/null 2>&1; then
    echo "install.sh: 'go' is not on PATH; install Go >= 1.25 (https://go.dev/dl/) to build: ${pending[*]}" >&2
    return 1
  fi

  mkdir -p "$BIN"
  local logs
  logs="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand now: logs is local
  trap "rm -rf '$logs'" EXIT

  local pids=()
  for i in "${!pending[@]}"; do
    name="${pending[$i]}"
    rm -f "$BIN/$name.version"
    # A fallback symlink must go first, or the build could write through it into /usr/bin.
    if [[ -L "$BIN/$name" ]]; then rm -f "$BIN/$name"; fi
    echo "$name: building ${pending_pins[$i]}..."
    build "$name" >"$logs/$name.log" 2>&1 &
    pids+=($!)
  done

  local failed=0
  for i in "${!pending[@]}"; do
    name="${pending[$i]}"
    pin="${pending_pins[$i]}"
    if wait "${pids[$i]}"; then
      echo "$pin" >"$BIN/$name.version"
      echo "$name: installed $pin"
    elif [[ "$name" == nats-server ]] && nats_fallback; then
      sed 's/^/  /' "$logs/$name.log" >&2
    else
      echo "$name: build FAILED:" >&2
      sed 's/^/  /' "$logs/$name.log" >&2
      failed=1
    fi
  done
  return "$failed"
}

# The dashboard's browser test (tests/e2e) drives Debian's Chromium at /usr/bin/chromium through
# playwright-core, which cannot download a browser of its own here. Installed with apt when missing
# and we are root; otherwise skipped with a message (the browser test then says what is missing).
ensure_chromium() {
  [[ -x /usr/bin/chromium ]] && return 0
  if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "chromium: /usr/bin/chromium missing; skipped (needs root and apt-get: apt-get install -y chromium)" >&2
    return 0
  fi
  echo "chromium: installing with apt-get..."
  local apt=(apt-get -y -q -o DPkg::Lock::Timeout=300)
  if DEBIAN_FRONTEND=noninteractive "${apt[@]}" install chromium >/dev/null ||
    { "${apt[@]}" update >/dev/null && DEBIAN_FRONTEND=noninteractive "${apt[@]}" install chromium >/dev/null; }; then
    echo "chromium: installed ($(/usr/bin/chromium --version 2>/dev/null || echo '?'))"
  else
    echo "chromium: apt-get install FAILED; the dashboard's browser test will fail" >&2
  fi
}

ensure_chromium
main "$@"
