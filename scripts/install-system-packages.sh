#!/usr/bin/env bash
# Debian packages the project needs beyond pip: speech (espeak-ng), fonts, and the local stand-ins the
# tests and `vividly dev` start (PostgreSQL 15, Java + Google's Pub/Sub emulator). Installs only what is missing.
set -euo pipefail
need=()
command -v espeak-ng >/dev/null || need+=(espeak-ng)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql-15)
command -v java >/dev/null || need+=(default-jre-headless)
[ -f /usr/share/wordnet/index.noun ] || need+=(wordnet-base)
emulator=/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator
if [ ! -x "$emulator" ] && ! ls "$(dirname "$(readlink -f "$(command -v gcloud 2>/dev/null || echo /nonexistent)")")"/../platform/pubsub-emulator/bin/cloud-pubsub-emulator >/dev/null 2>&1; then
  need+=(google-cloud-cli-pubsub-emulator)
fi
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${need[@]}" >/dev/null
