# shellcheck shell=bash
# Docker Engine for the tests that run the podman-built image on Docker (scripts/docker-test). Source it after
# scripts/lib/podman.sh; it changes nothing until a function is called.
#
#   source scripts/lib/docker.sh
#   docker_ready || exit 0        # installs docker.io and docker-compose, starts dockerd in the background when
#                                 # no daemon answers; prints SKIPPED: … and returns 1 when the engine cannot
#                                 # start; under CI=true it prints FAIL: … and exits 1 instead (no skipping in CI)
#   docker_load IMAGE             # podman save IMAGE | docker load (nothing can be pulled here)
#   docker_stop_started           # stops the dockerd that docker_ready started, if it did (call at exit)
#
# The client is Debian's /usr/bin/docker (20.10, the daemon's own version): a newer client earlier on PATH
# (/usr/local/bin/docker 28 on this machine kind) is not used. docker-compose is Debian's 1.29 (Python).

DOCKER_BIN="${DOCKER_BIN:-/usr/bin/docker}"
DOCKERD_BIN="${DOCKERD_BIN:-/usr/sbin/dockerd}"
DOCKER_SOCKET=/var/run/docker.sock
DOCKERD_LOG="${DOCKERD_LOG:-/tmp/dstack-dockerd.log}"
DOCKERD_PID=""

docker() { command "$DOCKER_BIN" "$@"; }

_docker_install() {
    local need=() pkg
    for pkg in docker.io docker-compose; do
        [ "$(dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null)" = "install ok installed" ] || need+=("$pkg")
    done
    ((${#need[@]})) || return 0
    echo "docker: installing ${need[*]}"
    _podman_sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive _podman_sudo apt-get install -y -qq "${need[@]}" >/dev/null
}

_docker_answers() { timeout 10 "$DOCKER_BIN" info --format '{{.ServerVersion}}' >/dev/null 2>&1; }

# _docker_start ARGS…: starts dockerd with ARGS, waits up to 60 s for the socket and an answer.
_docker_start() {
    echo "docker: starting $DOCKERD_BIN $* (log: $DOCKERD_LOG)"
    setsid "$DOCKERD_BIN" "$@" >>"$DOCKERD_LOG" 2>&1 </dev/null &
    DOCKERD_PID=$!
    local i outcome="did not answer within 60 s"
    for ((i = 0; i < 120; i++)); do
        if [ -S "$DOCKER_SOCKET" ] && _docker_answers; then return 0; fi
        kill -0 "$DOCKERD_PID" 2>/dev/null || { outcome="exited"; break; }
        sleep 0.5
    done
    echo "docker: $DOCKERD_BIN $* $outcome; its log ends:" >&2
    tail -n 5 "$DOCKERD_LOG" >&2
    docker_stop_started
    return 1
}

# _docker_cannot REASON: SKIPPED (return 1, the caller exits 0) or, under CI=true, FAIL (exit 1).
_docker_cannot() {
    if [ "${CI:-}" = true ]; then
        echo "FAIL: Docker Engine cannot run here, and CI=true does not skip: $*" >&2
        exit 1
    fi
    echo "SKIPPED: Docker Engine cannot run here: $*"
    return 1
}

docker_ready() {
    _docker_install || { _docker_cannot "apt-get could not install docker.io docker-compose"; return; }
    [ -x "$DOCKER_BIN" ] || { _docker_cannot "no $DOCKER_BIN"; return; }
    if _docker_answers; then
        echo "docker: using the Docker Engine already running ($(docker info --format '{{.ServerVersion}}, {{.Driver}}'))"
    else
        # overlay2 with Docker's own iptables rules works on this VM kind; the fallbacks are for kernels without
        # overlayfs or nf_tables (vfs copies each layer, slower but anywhere; no iptables: published ports go
        # through docker-proxy alone, which is all these tests use).
        : >"$DOCKERD_LOG"
        _docker_start --storage-driver overlay2 ||
            _docker_start --storage-driver vfs ||
            _docker_start --storage-driver vfs --iptables=false --ip-masq=false ||
            { _docker_cannot "dockerd did not start (log: $DOCKERD_LOG)"; return; }
        echo "docker: Docker Engine $(docker info --format '{{.ServerVersion}}, storage {{.Driver}}') started, pid $DOCKERD_PID"
    fi
    local out
    if ! out=$(docker-compose version --short 2>&1); then
        _docker_cannot "docker-compose does not run: $out"
        return
    fi
}

# Stops only the dockerd started by docker_ready (by its pid), waiting up to 20 s.
docker_stop_started() {
    [ -n "$DOCKERD_PID" ] || return 0
    kill -TERM "$DOCKERD_PID" 2>/dev/null || true
    local i
    for ((i = 0; i < 40; i++)); do
        kill -0 "$DOCKERD_PID" 2>/dev/null || { DOCKERD_PID=""; return 0; }
        sleep 0.5
    done
    echo "docker: dockerd (pid $DOCKERD_PID) still running 20 s after SIGTERM; killing it" >&2
    kill -KILL "$DOCKERD_PID" 2>/dev/null || true
    DOCKERD_PID=""
}

# docker_load IMAGE: copies a podman image into Docker under the same name, unless Docker has that image id.
docker_load() {
    local image="$1" id
    id=$(command podman image inspect --format '{{.Id}}' "$image") || return 1
    [ "$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null)" = "sha256:$id" ] && return 0
    command podman save --format docker-archive "$image" | docker load >/dev/null
}
