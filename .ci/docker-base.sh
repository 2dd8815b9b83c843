#!/usr/bin/env bash
# Makes the local stand-in for the product Dockerfile's base image (python:3.14.0-slim-trixie), because
# Docker Hub cannot be reached here: a minimal Debian with its Python 3 and venv, nothing else, trimmed like
# the official slim image. The Action parses a repository's code with its own interpreter's grammar, so the
# image carries the newest stable CPython Debian ships: testing (forky) has 3.14; if testing cannot be
# bootstrapped that day, stable (trixie, 3.13) stands in rather than failing the run. The host's CA bundle
# goes in, since registry traffic passes a proxy whose CA only the host trusts. Usage: .ci/docker-base.sh TAG
set -euo pipefail
tag=${1:-prodgate-local-base:py3}
if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "base image $tag already present"
  exit 0
fi
rootfs=$(mktemp -d /tmp/prodgate-rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
bootstrap() { # suite [script]
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    "$1" "$rootfs" http://deb.debian.org/debian ${2:+"$2"} >"$rootfs.log" 2>&1
}
# forky is testing: bookworm's debootstrap has no script named for it, sid's fits
if ! bootstrap forky /usr/share/debootstrap/scripts/sid; then
  echo "debootstrap forky failed (tail of its log below); trying trixie" >&2
  tail -5 "$rootfs.log" >&2
  rm -rf "$rootfs" && mkdir "$rootfs"
  bootstrap trixie || { tail -20 "$rootfs.log"; exit 1; }
fi
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/*
cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
tar -C "$rootfs" -c . | docker import \
  --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
  --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
  --change 'CMD ["python3"]' - "$tag" >/dev/null
echo "made base image $tag ($(chroot "$rootfs" python3 --version 2>/dev/null || echo python3))"
