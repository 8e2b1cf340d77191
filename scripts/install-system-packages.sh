#!/usr/bin/env bash
# Debian packages the project needs beyond pip, installing only what is missing.
#   lesson: what one offline lesson needs (venv support, espeak-ng, fonts, WordNet);
#   test:   lesson's, plus the local stand-ins the tests and `vividly dev` start
#           (PostgreSQL 15, Java and Google's Pub/Sub emulator), and LibreOffice Impress and
#           poppler, which open the decks a lesson writes the way a teacher's office suite would.
# A package this machine's apt sources do not carry is reported in one line, not a failed install.
set -euo pipefail
target="${1:-test}"
case "$target" in lesson | test) ;; *)
  echo "usage: $0 lesson|test" >&2
  exit 2
  ;;
esac

need=()
python3 -c "import ensurepip" 2>/dev/null || need+=(python3-venv)
command -v espeak-ng >/dev/null || need+=(espeak-ng)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
[ -f /usr/share/wordnet/index.noun ] || need+=(wordnet-base)
emulator_missing=false
if [ "$target" = test ]; then
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql-15)
  command -v java >/dev/null || need+=(default-jre-headless)
  command -v soffice >/dev/null || need+=(libreoffice-impress)
  command -v pdftoppm >/dev/null || need+=(poppler-utils)
  # The browser tests: headless Chromium (driven by playwright with executable_path, since `playwright
  # install` downloads its own build) and npm for scorm-again, the LMS the SCORM package is run against.
  command -v chromium >/dev/null || need+=(chromium)
  command -v npm >/dev/null || need+=(npm)
  gcloud_bin="$(command -v gcloud 2>/dev/null || true)"
  if [ -n "${PUBSUB_EMULATOR_BIN:-}" ] && [ -x "$PUBSUB_EMULATOR_BIN" ]; then
    :
  elif [ -x /usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator ]; then
    :
  elif [ -n "$gcloud_bin" ] && [ -x "$(dirname "$(readlink -f "$gcloud_bin")")/../platform/pubsub-emulator/bin/cloud-pubsub-emulator" ]; then
    :
  else
    emulator_missing=true
  fi
fi
[ ${#need[@]} -eq 0 ] && [ "$emulator_missing" = false ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq

# Not `apt-cache policy | grep -q`: under pipefail, grep -q closing the pipe early makes apt-cache die of
# SIGPIPE (exit 141) and a package that is there reads as missing.
has_candidate() {
  local policy
  policy="$(apt-cache policy "$1" 2>/dev/null)"
  [[ "$policy" =~ Candidate:\ [^\(] ]]
}

if [ "$emulator_missing" = true ]; then
  if has_candidate google-cloud-cli-pubsub-emulator; then
    need+=(google-cloud-cli-pubsub-emulator)
  elif [ -n "${gcloud_bin:-}" ]; then
    echo "install-system-packages: installing the Pub/Sub emulator with gcloud components" >&2
    gcloud components install pubsub-emulator --quiet >/dev/null || echo "install-system-packages: 'gcloud components install pubsub-emulator' failed; the Pub/Sub tests will be skipped (failed under CI=true)" >&2
  else
    echo "install-system-packages: no Pub/Sub emulator here and no Google Cloud SDK apt repository: add it (https://cloud.google.com/sdk/docs/install#deb) and run 'make test' again, or set PUBSUB_EMULATOR_BIN; the Pub/Sub tests are skipped meanwhile (failed under CI=true)" >&2
  fi
fi

installable=()
for package in "${need[@]}"; do
  if has_candidate "$package"; then
    installable+=("$package")
  else
    echo "install-system-packages: '$package' is not in this machine's apt sources; install it another way" >&2
  fi
done
[ ${#installable[@]} -eq 0 ] && exit 0
$sudo apt-get install -y -qq --no-install-recommends "${installable[@]}" >/dev/null
