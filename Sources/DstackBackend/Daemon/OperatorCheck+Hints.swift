#if canImport(Glibc)
import Glibc
#endif

/// One hint per failure class: what the operator most likely has to do, given what actually went wrong.
///
/// The classes come from the typed errors (`HTTPClientError.Kind`, `DstackError`, `KeystoreError.Code`,
/// `RegistryError.Kind`), not from guessing at message text, except TLS's "wrong version number", which
/// only libcurl's words tell apart (https spoken to a plain-http server).
extension OperatorCheck {
    /// The likely fix for a key that could not be loaded.
    static func keyHint(_ error: KeystoreError) -> String {
        switch error.code {
        case .keyFileMissing:
            "start the daemon once, or run `dstack-backend pubkey`, to create it (if this node had a key, restore it from your backup instead)"
        case .permissionDenied:
            "the key exists but this user cannot read it: run check as the daemon's user (`sudo -u <user> dstack-backend check`, or `docker compose exec dstack-backend dstack-backend check`); do not replace the key"
        case .danglingLink:
            "mount the volume that holds the link's target, or restore the key file there from your backup; the daemon will not replace the link with a new key, and deleting the link to make one would make a new node"
        case .isDirectory, .notRegularFile, .dataDirectoryNotDirectory:
            "fix DATA_DIR or the volume mount so that DATA_DIR/key is the key file itself"
        case .readFailed:
            "the disk or the volume mount failed the read: check `dmesg` and the mount, then run check again"
        case .emptyFile, .wrongLength, .notHex, .badChecksum, .invalidNsec, .publicKeyInsteadOfSecretKey, .zeroKey,
            .keyOutOfRange, .tooLarge:
            "restore the key file from your backup; do not delete it: the node's registration is tied to it"
        case .cannotCreateDirectory, .cannotWriteKey, .randomUnavailable, .readBackMismatch:
            "read the message above: the data directory or the system refused"
        }
    }

    /// The likely fix for a VMM that did not answer `ListGpus`.
    static func dstackHint(_ error: DstackError, endpoint: DstackEndpoint) -> String {
        switch error {
        case .transport(let transport):
            return transportHint(transport, endpoint: endpoint)
        case .unauthorized(let tokenSent):
            return tokenSent
                ? "the VMM refused DSTACK_TOKEN: copy the token from the VMM's auth configuration again (no quotes, no spaces)"
                : "the VMM requires a token: set DSTACK_TOKEN"
        case .notTheVMM:
            return "something answers at \(endpoint) but it is not the dstack VMM: check the port (and path) in DSTACK_URL"
        case .status(let code, _):
            if code == 400 {
                return "the VMM is reachable and refused ListGpus (its message is above); a VMM before v0.4.2 has no ListGpus: upgrade it"
            }
            return "the VMM is reachable but failing (HTTP \(code)): read its message above and the VMM's own log"
        case .invalidAnswer:
            return "the answer is not the VMM's ListGpus JSON: check that DSTACK_URL points at the dstack VMM, not a proxy or another service"
        }
    }

    private static func transportHint(_ error: HTTPClientError, endpoint: DstackEndpoint) -> String {
        let (host, port) = hostAndPort(endpoint)
        // What the hints name: the socket path for a Unix socket (never a made-up localhost:80).
        let place = if case .unixSocket(let path) = endpoint { path } else { "\(host):\(port)" }
        switch error.kind {
        case .connectionRefused:
            if case .unixSocket(let path) = endpoint {
                return "nothing listens at \(path): is the VMM running, and is the socket there? In docker compose, mount the VMM's run directory (DSTACK_RUN_DIR) and name the socket file in DSTACK_BACKEND_DSTACK_URL"
            }
            if host == "localhost" || host.hasPrefix("127.") || host == "::1" {
                return "nothing listens on \(host):\(port): is the VMM running, and on this port? dstack's VMM listens on unix:./vmm.sock unless vmm.toml sets `address`: use its socket (DSTACK_URL=unix:/path/vmm.sock) or the TCP address it is configured with (`sudo ss -tlnp` shows it)"
            }
            return "nothing accepts on \(host):\(port) from here: a VMM configured for 127.0.0.1 cannot be reached from a container; make it listen on 0.0.0.0 (check with `sudo ss -tlnp | grep \(port)`) or use its Unix socket (unix:///opt/dstack/dstack-v05x/run/vmm.sock)"
        case .permissionDenied:
            return "a permission problem, not a missing VMM: apply the fix above (group write on \(place) for the daemon's gid, or DSTACK_BACKEND_USER=<owner uid>:<gid> in docker compose's .env); this check ran as uid \(geteuid()), so run it as the daemon's user (`docker compose exec dstack-backend dstack-backend check`, or `sudo -u dephy dstack-backend check`) to see what the daemon sees"
        case .tls:
            if error.detail.contains("wrong version number"), case .http = endpoint {
                return "DSTACK_URL says https but the VMM speaks plain http: use http://\(host):\(port)"
            }
            return "the TLS handshake with the VMM failed: check its certificate (name and CA) or use the scheme it serves"
        case .dns:
            return "the host name in DSTACK_URL does not resolve: check it; inside a container the host is host.docker.internal"
        case .timeout:
            return "\(place) did not answer within HTTP_CONNECT_TIMEOUT/HTTP_TIMEOUT: a firewall dropping packets, a wrong address, or a hung VMM"
        case .responseTooLarge:
            return "the answer is larger than any GPU list: DSTACK_URL points at something that is not the dstack VMM"
        case .invalidURL:
            return "fix DSTACK_URL: http(s)://host:port or unix:/path/vmm.sock"
        case .cancelled:
            return "check was interrupted"
        case .outOfDescriptors:
            return "this process has no free file descriptor, so the VMM was never asked: raise the open-files limit (`ulimit -n`, LimitNOFILE=)"
        case .transport:
            return "the connection to the VMM broke: read libcurl's words above; a proxy or a server that is not the VMM often causes this"
        }
    }

    /// Host and port of an http(s) endpoint; empty for a Unix socket, whose hints name its path instead.
    private static func hostAndPort(_ endpoint: DstackEndpoint) -> (String, String) {
        guard case .http(let url) = endpoint else { return ("", "") }
        return (url.host, String(url.port ?? (url.scheme == .https ? 443 : 80)))
    }

    /// The likely fix for a registry that did not answer `GET /permissions`.
    static func registryHint(_ error: RegistryError, url: HTTPURL) -> String {
        let where_ = "\(url.host):\(url.port ?? (url.scheme == .https ? 443 : 80))"
        switch error.kind {
        case .transport(let transport):
            switch transport.kind {
            case .connectionRefused:
                return "nothing listens on \(where_): check REGISTRY_URL's port and that the registry runs"
            case .dns:
                return "the host name in REGISTRY_URL does not resolve: check it and this host's DNS"
            case .timeout:
                return "\(where_) did not answer in time: a firewall or a hung registry; the daemon retries for REGISTRATION_TIMEOUT at start"
            case .tls:
                return transport.detail.contains("wrong version number")
                    ? "REGISTRY_URL says https but the registry speaks plain http: use http://"
                    : "the TLS handshake with the registry failed: check its certificate or the scheme in REGISTRY_URL"
            default:
                return "check REGISTRY_URL (scheme, host, port) and that this host can reach it"
            }
        case .status(let code, _, _):
            return "the registry is reachable but answered HTTP \(code): it is failing or overloaded; the daemon retries at start, tell the registry's operator if it lasts"
        case .invalidRequest:
            return "this is a bug in dstack-backend: report it with the message above"
        }
    }

    /// A non-2xx `/permissions` answer that is not the usual 404 "unknown worker": worth a warning.
    /// `signed`: the request carried a NIP-98 signature (REGISTRY_AUTH=nip98), so asking for one is no help.
    static func registryRefusalHint(_ reason: String, signed: Bool = false) -> String? {
        switch reason {
        case "HTTP 401", "HTTP 403":
            signed
                ? "the registry refused this node key's NIP-98 signature (REGISTRY_AUTH=nip98 is set): check this host's clock and that the registry accepts this key"
                : "the registry wants signed requests: set REGISTRY_AUTH=nip98 (or check REGISTRY_URL points at the registry)"
        case "HTTP 404":
            nil
        case _ where reason.hasPrefix("HTTP "):
            "an unexpected answer for an unregistered worker: check REGISTRY_URL points at the registry (not a proxy page)"
        default:
            nil
        }
    }
}
