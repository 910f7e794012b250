# syntax=docker/dockerfile:1
# dstack-backend: build with the official Swift 6 image, run on bookworm-slim.

FROM swift:6.3-bookworm AS build
# The three C libraries the shims link against. Versions follow the Debian release the image is on;
# pinning them would break the build at each Debian security update.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libcurl4-openssl-dev libsecp256k1-dev libssl-dev ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Tests/ comes along because SwiftPM refuses a manifest whose declared targets have no folder.
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product dstack-backend \
    && install -D -m 0755 "$(swift build -c release --show-bin-path)/dstack-backend" /out/dstack-backend \
    && strip /out/dstack-backend

FROM debian:bookworm-slim
# Only the runtime halves of the three libraries (bookworm-slim's dpkg leaves out their docs); apt's lists and
# logs go in the same layer, so they never reach the image. CA certificates for an https registry: Debian's bundle, copied from the build stage
# below (the ca-certificates package would add the openssl program and 2.7 MB for the same file).
# uid:gid 1573:1573 is the uid dephy-io's images (dephy-worker) run as: the worker reads the 0600 key in the
# 0700 directory of the shared volume, and writes key.pub beside it, as the same user.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libcurl4 libsecp256k1-1 libssl3 \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/cache/debconf/*-old /var/log/apt /var/log/dpkg.log \
    && groupadd --system --gid 1573 dstack \
    && useradd --system --uid 1573 --gid dstack --home-dir /app --shell /usr/sbin/nologin dstack \
    && install -d -o dstack -g dstack -m 0755 /app \
    && install -d -o dstack -g dstack -m 0700 /app/data
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/dstack-backend /usr/local/bin/dstack-backend
WORKDIR /app
ENV DATA_DIR=/app/data \
    LISTEN_ADDR=0.0.0.0:8080
# The node key lives here (key, and key.pub for operators): keep it on a named volume and back it up.
VOLUME ["/app/data"]
USER 1573:1573
EXPOSE 8080
# Liveness: /health answers BackendInfo (200 Available or 503 Unavailable). The start period covers
# registration before the server starts (REGISTRATION_TIMEOUT, 2 minutes by default).
HEALTHCHECK --interval=10s --timeout=5s --start-period=150s --retries=3 \
    CMD ["dstack-backend", "healthcheck"]
ENTRYPOINT ["dstack-backend"]
