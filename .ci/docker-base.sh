#!/usr/bin/env bash
# Makes the local stand-in for the product Dockerfile's base image (python:3.11-slim-bookworm), because
# Docker Hub cannot be reached here: a minimal Debian bookworm with Python 3.11 and venv, nothing else,
# trimmed like the official slim image. The host's CA bundle goes in, since registry traffic passes a
# proxy whose CA only the host trusts. Usage: .ci/docker-base.sh TAG
set -euo pipefail
tag=${1:-prodgate-local-base:bookworm}
if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "base image $tag already present"
  exit 0
fi
rootfs=$(mktemp -d /tmp/prodgate-rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
  bookworm "$rootfs" http://deb.debian.org/debian >"$rootfs.log" 2>&1 || { tail -20 "$rootfs.log"; exit 1; }
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/*
cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
tar -C "$rootfs" -c . | docker import \
  --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
  --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
  --change 'CMD ["python3"]' - "$tag" >/dev/null
echo "made base image $tag"
