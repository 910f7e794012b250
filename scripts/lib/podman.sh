# shellcheck shell=bash
# Shared podman setup for the tests that build and run the real image, compose stack and systemd hosts
# (scripts/image-test, scripts/fleet-test, scripts/systemd-test). Source it; it changes nothing until a
# function is called. Nothing can be pulled here, so every base image is made locally and kept in
# podman's store between runs (a machine that keeps its disk reuses them).
#
#   source scripts/lib/podman.sh
#   podman_ready || exit 0          # installs and configures podman; prints SKIPPED: … and returns 1
#                                   # when podman cannot start a trivial container at all (under CI=true
#                                   # it prints FAILED: … and exits 1 instead: CI never skips a stage)
#   podman_base_images              # debian:bookworm-slim, the swift:6.3-bookworm stand-in, the systemd host
#   podman build --format docker "${PODMAN_SWIFT_BUILD_VOLUMES[@]}" -t dstack-backend:test .
#   step "name" command args…       # runs a command and prints how long it took
#
# Images (all local, made once):
#   docker.io/library/debian:bookworm-slim  debootstrap --variant=minbase bookworm, imported
#   docker.io/library/swift:6.3-bookworm    bookworm-slim plus the packages Swift's official image has; the
#                                           toolchain (/opt/swift) and the mirrored packages
#                                           (/opt/swift-packages) are bind-mounted into build steps through
#                                           PODMAN_SWIFT_BUILD_VOLUMES instead of copied (3.3 GB)
#   localhost/dstack-test-systemd:bookworm  bookworm-slim plus systemd, python3 and the daemon's runtime
#                                           libraries: a "host" for the systemd unit and for Ansible
#
# Containers made by the tests talk over loopback-published ports, the host network, or podman's own
# networks (network namespaces made here), never to any other address.

PODMAN_DEBIAN_IMAGE="docker.io/library/debian:bookworm-slim"
PODMAN_SWIFT_IMAGE="docker.io/library/swift:6.3-bookworm"
PODMAN_SYSTEMD_IMAGE="localhost/dstack-test-systemd:bookworm"
PODMAN_DEBIAN_MIRROR="${PODMAN_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# Bump when a recipe below changes: images made by another recipe are made again.
PODMAN_RECIPE=2
PODMAN_SWIFT_BUILD_VOLUMES=(-v /opt/swift:/opt/swift:ro -v /opt/swift-packages:/opt/swift-packages:ro)

# step NAME COMMAND…: runs COMMAND, then prints "[time] NAME: S s"; returns COMMAND's status.
step() {
    local name="$1" start end status=0
    shift
    start=$(date +%s.%N)
    "$@" || status=$?
    end=$(date +%s.%N)
    awk -v n="$name" -v s="$start" -v e="$end" -v st="$status" \
        'BEGIN { printf "[time] %s: %.1f s%s\n", n, e - s, (st == 0 ? "" : " (failed, exit " st ")") }'
    return "$status"
}

# json_true FILTER TEXT: 0 iff TEXT is JSON for which the jq FILTER holds. Empty TEXT (a curl that got no answer) is
# false: Debian's jq 1.6 exits 0 for `jq -e` on empty input.
json_true() { [ -n "${2//[[:space:]]/}" ] && jq -e "$1" <<<"$2" >/dev/null 2>&1; }

_podman_sudo() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

_podman_install() {
    local need=() pkg
    for pkg in podman buildah runc iptables debootstrap uidmap; do
        dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
    done
    ((${#need[@]})) || return 0
    echo "podman: installing ${need[*]}"
    _podman_sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive _podman_sudo apt-get install -y -qq "${need[@]}" >/dev/null
}

# This kind of VM needs runc (crun refuses the hybrid cgroup layout) and explicit ulimits (root lacks
# CAP_SYS_RESOURCE, so podman's default of raising nofile to 1048576 fails).
_podman_configure() {
    local hard conf=/etc/containers/containers.conf.d/50-dstack-test.conf want
    hard=$(ulimit -Hn)
    want=$(printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=32768:32768"]\n\n[engine]\nruntime = "runc"\n' \
        "$hard" "$hard")
    if [ "$(cat "$conf" 2>/dev/null)" != "$want" ]; then
        _podman_sudo mkdir -p "$(dirname "$conf")"
        printf '%s\n' "$want" | _podman_sudo tee "$conf" >/dev/null
    fi
}

# podman_ready: 0 when podman can start a container. When it cannot (or the Debian base image, needed to
# try, cannot be made): prints "SKIPPED: <reason>" and returns 1, or under CI=true prints "FAILED: <reason>"
# and exits the script with 1, so a CI machine without a working engine fails instead of passing.
podman_ready() {
    _podman_install
    _podman_configure
    local out
    if ! out=$(_podman_debian_image 2>&1); then
        _podman_cannot_run "podman could not make the local Debian base image: $(echo "$out" | tail -n 3 | tr '\n' ' ')"
        return 1
    fi
    if ! out=$(timeout 120 podman run --rm --network none "$PODMAN_DEBIAN_IMAGE" true 2>&1); then
        _podman_cannot_run "podman cannot start a container here: $(echo "$out" | tail -n 3 | tr '\n' ' ')"
        return 1
    fi
    return 0
}

# _podman_cannot_run REASON: the stage cannot run here; a skip for a developer, a failure under CI=true.
_podman_cannot_run() {
    if [ "${CI:-}" = "true" ]; then
        echo "FAILED: $1 (CI=true: a stage that cannot run fails; without CI=true it is skipped)"
        exit 1
    fi
    echo "SKIPPED: $1"
}

_podman_has_image() {
    [ "$(podman image inspect --format '{{index .Labels "dstack.test.recipe"}}' "$1" 2>/dev/null)" = "$PODMAN_RECIPE" ]
}

_podman_debian_image() {
    _podman_has_image "$PODMAN_DEBIAN_IMAGE" && return 0
    local root
    root=$(mktemp -d /tmp/dstack-debootstrap.XXXXXX)
    echo "podman: debootstrap bookworm (minbase) for $PODMAN_DEBIAN_IMAGE"
    if ! debootstrap --variant=minbase bookworm "$root" "$PODMAN_DEBIAN_MIRROR" >"$root.log" 2>&1; then
        tail -n 20 "$root.log" >&2
        rm -rf "$root" "$root.log"
        return 1
    fi
    # As the official slim image is made (debuerreotype's slimify): dpkg leaves out documentation, manual
    # pages and translations from now on, what debootstrap installed of them goes, and no apt caches or
    # lists stay in the layer.
    cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'SLIM'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/man/*
SLIM
    # …and apt keeps no downloaded packages, caches or translations (the official image's apt.conf.d).
    cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'CLEAN'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CLEAN
    echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/docker-no-languages"
    echo 'Acquire::GzipIndexes "true";' >"$root/etc/apt/apt.conf.d/docker-gzip-indexes"
    echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$root/etc/apt/apt.conf.d/docker-autoremove-suggests"
    find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
    find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
    rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/groff/* "$root"/usr/share/lintian/*
    rm -rf "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
        "$root"/var/log/*.log "$root"/var/log/apt/* "$root"/var/cache/debconf/*-old
    tar -C "$root" -c . | podman import --change 'CMD ["bash"]' \
        --change "LABEL dstack.test.recipe=$PODMAN_RECIPE" - "$PODMAN_DEBIAN_IMAGE" >/dev/null
    local status=$?
    rm -rf "$root" "$root.log"
    return $status
}

# _podman_build_stand_in IMAGE CONTAINERFILE-TEXT: builds IMAGE once from the given Containerfile.
_podman_build_stand_in() {
    local image="$1" text="$2" dir status=0
    _podman_has_image "$image" && return 0
    dir=$(mktemp -d /tmp/dstack-standin.XXXXXX)
    printf '%s\nLABEL dstack.test.recipe=%s\n' "$text" "$PODMAN_RECIPE" >"$dir/Containerfile"
    echo "podman: building $image"
    podman build --format docker -q -t "$image" -f "$dir/Containerfile" "$dir" >/dev/null || status=$?
    rm -rf "$dir"
    return $status
}

# The official swift:6.3-bookworm image: Swift's build dependencies on bookworm, the toolchain on PATH.
# Here the toolchain and the package mirror come from the host through PODMAN_SWIFT_BUILD_VOLUMES, and git
# reads github.com from the mirror as it does on the host.
_podman_swift_image() {
    _podman_build_stand_in "$PODMAN_SWIFT_IMAGE" "FROM $PODMAN_DEBIAN_IMAGE
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\
      binutils git gnupg2 unzip libc6-dev libcurl4-openssl-dev libedit2 libgcc-12-dev libncurses-dev libpython3-dev libsqlite3-0 \\
      libstdc++-12-dev libxml2-dev libz3-dev pkg-config tzdata zlib1g-dev ca-certificates \\
    && rm -rf /var/lib/apt/lists/* \\
    && git config --system url./opt/swift-packages/.insteadOf https://github.com/
ENV PATH=/opt/swift/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
}

# A GPU host stand-in: systemd as PID 1, python3 for Ansible, the daemon's runtime libraries (the same
# ones the image's runtime stage installs), curl to look at /health from inside.
_podman_systemd_image() {
    _podman_build_stand_in "$PODMAN_SYSTEMD_IMAGE" "FROM $PODMAN_DEBIAN_IMAGE
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\
      systemd systemd-sysv dbus python3 python3-apt libcurl4 libsecp256k1-1 libssl3 ca-certificates curl sudo \\
    && rm -rf /var/lib/apt/lists/* \\
    && systemctl mask systemd-logind.service getty.target console-getty.service systemd-udevd.service \\
         systemd-networkd-wait-online.service \\
    && systemctl set-default multi-user.target
STOPSIGNAL SIGRTMIN+3
CMD [\"/sbin/init\"]"
}

# podman_base_images [debian|swift|systemd…]: makes the named local images (all three by default).
podman_base_images() {
    local which=("$@")
    ((${#which[@]})) || which=(debian swift systemd)
    local name
    for name in "${which[@]}"; do
        case "$name" in
            debian) step "base image $PODMAN_DEBIAN_IMAGE" _podman_debian_image || return 1 ;;
            swift) _podman_debian_image && step "base image $PODMAN_SWIFT_IMAGE" _podman_swift_image || return 1 ;;
            systemd) _podman_debian_image && step "base image $PODMAN_SYSTEMD_IMAGE" _podman_systemd_image || return 1 ;;
            *) echo "podman_base_images: unknown image '$name' (debian, swift, systemd)" >&2; return 2 ;;
        esac
    done
}

# podman_build_backend IMAGE LOG: the real Dockerfile, built as an operator would (`podman build --format docker`
# keeps the HEALTHCHECK), bounded to 30 minutes, its output in LOG. Needs `podman_base_images debian swift`.
podman_build_backend() {
    local image="$1" log="$2"
    timeout 1800 podman build --format docker --pull=never "${PODMAN_SWIFT_BUILD_VOLUMES[@]}" -t "$image" . \
        >"$log" 2>&1 || { tail -n 40 "$log" >&2; echo "podman build of the Dockerfile failed (log: $log)" >&2; return 1; }
}

# The dephy-worker stand-in (scripts/lib/dephy-worker-standin), uid 1573; made again when its files change.
PODMAN_WORKER_STANDIN="localhost/dstack-test-dephy-worker:uid1573"
podman_worker_standin() {
    local dir=scripts/lib/dephy-worker-standin sha
    sha=$(cat "$dir"/* | sha256sum | cut -c1-16)
    [ "$(podman image inspect --format '{{index .Labels "standin.sha"}}' "$PODMAN_WORKER_STANDIN" 2>/dev/null)" = "$sha" ] &&
        return 0
    podman build --format docker --pull=never -q -t "$PODMAN_WORKER_STANDIN" --label "standin.sha=$sha" \
        -f "$dir/Containerfile" "$dir" >/dev/null
}

# podman_wait_systemd CONTAINER [SECONDS]: waits until systemd in CONTAINER has finished starting up.
podman_wait_systemd() {
    local name="$1" limit="${2:-60}" i state
    for ((i = 0; i < limit * 2; i++)); do
        state=$(podman exec "$name" systemctl is-system-running 2>/dev/null || true)
        case "$state" in
            running | degraded) return 0 ;;
        esac
        sleep 0.5
    done
    echo "podman_wait_systemd: systemd in $name did not finish starting within ${limit}s (state: ${state:-none})" >&2
    return 1
}
