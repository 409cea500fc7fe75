#!/usr/bin/env bash
# Builds the base image the local images are published on: a minimal root file system made from Debian's
# packages (base-files, libc, libstdc++, libgcc, OpenSSL, zlib, CA certificates, time zones), the
# non-root user Microsoft's .NET images use (app, uid 1654) and Debian's nobody (65534, the user the agent
# runs scripts as on pod targets), then pushes it to a registry as REGISTRY/ops-base:TAG. The tag is a hash
# of the package versions and of this script, so an up-to-date base is reused.
# Needs root: the files keep their owners (root, and the app user's home).
# usage: images/base.sh REGISTRY        prints the image reference on its last line
set -euo pipefail
registry=${1:?usage: images/base.sh REGISTRY}
packages=(base-files libc6 libstdc++6 libgcc-s1 libssl3 zlib1g ca-certificates tzdata netbase)
for tool in umoci skopeo apt-get dpkg-deb; do
  command -v "$tool" >/dev/null || { echo "images/base.sh needs $tool: apt-get install -y umoci skopeo" >&2; exit 2; }
done

work=$(mktemp -d /tmp/ops-images-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
# As root, apt would hand the download to its sandbox user, who cannot write into this directory.
(cd "$work" && apt-get download -o APT::Sandbox::User=root "${packages[@]}" >/dev/null)
tag=$( (ls "$work"/*.deb | xargs -n1 basename | sort; cat "$0") | sha256sum | cut -c1-16)
image="$registry/ops-base:$tag"
if skopeo inspect --tls-verify=false "docker://$image" >/dev/null 2>&1; then
  echo "base image up to date" >&2
  echo "$image"
  exit 0
fi

rootfs="$work/rootfs"
mkdir -p "$rootfs"
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$rootfs"; done
# What the packages' maintainer scripts would have made.
cat /dev/null "$rootfs"/usr/share/ca-certificates/mozilla/*.crt > "$rootfs/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\napp:x:1654:1654:app:/home/app:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\napp:x:1654:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
mkdir -p "$rootfs/home/app" "$rootfs/root" "$rootfs/tmp" "$rootfs/app"
chown 1654:1654 "$rootfs/home/app"
chmod 1777 "$rootfs/tmp"
rm -rf "$rootfs/usr/share/doc" "$rootfs/usr/share/man" "$rootfs/usr/share/locale"

layout="$work/layout"
umoci init --layout "$layout"
umoci new --image "$layout:$tag"
umoci unpack --image "$layout:$tag" "$work/bundle" >/dev/null
cp -a "$rootfs/." "$work/bundle/rootfs/"
umoci repack --image "$layout:$tag" "$work/bundle"
umoci config --image "$layout:$tag" --os linux --architecture amd64 --config.env "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --config.label "org.opencontainers.image.description=Ops base: Debian packages ${packages[*]}"
skopeo copy --dest-tls-verify=false "oci:$layout:$tag" "docker://$image" >&2
echo "$image"
