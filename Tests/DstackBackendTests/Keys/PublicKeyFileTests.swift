import Foundation
import Testing
@testable import DstackBackend
import DstackTestSupport

/// `key.pub` beside the key: written on every start as dephy-io's loader does, never at the key's expense.
@Suite struct PublicKeyFileTests {
    @Test func writesKeyPubBesideANewKeyWithMode0644() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let key = try Keystore.loadOrCreate(dataDirectory: directory.path, logger: .silent)
        #expect(directory.entries() == ["key", "key.pub"])
        #expect(directory.contents(of: "key.pub") == Array(key.publicKeyHex.utf8))
        #expect(TemporaryDirectory.mode(of: directory.path + "/key.pub") == 0o644)
        #expect(TemporaryDirectory.mode(of: directory.path + "/key") == 0o600)
        #expect(Keystore.publicKeyPath(dataDirectory: directory.path) == directory.path + "/key.pub")
    }

    /// A stale, wrong or over-restricted key.pub is replaced on the next start; the key file is not touched.
    @Test func rewritesAWrongKeyPubAndNeverTouchesTheKey() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(Array((NIP19Vector.nsecHex + "\n").utf8), to: "key", mode: 0o600)
        try directory.write(Array("stale".utf8), to: "key.pub", mode: 0o600)
        var before = stat()
        stat(directory.path + "/key", &before)

        let key = try Keystore.loadOrCreate(dataDirectory: directory.path, logger: .silent)
        #expect(directory.contents(of: "key.pub") == Array(NIP19Vector.npubHex.utf8))
        #expect(key.publicKeyHex == NIP19Vector.npubHex)
        #expect(TemporaryDirectory.mode(of: directory.path + "/key.pub") == 0o644)
        var after = stat()
        stat(directory.path + "/key", &after)
        #expect(after.st_ino == before.st_ino)
        #expect(after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec)
        #expect(directory.contents(of: "key") == Array((NIP19Vector.nsecHex + "\n").utf8))
        #expect(directory.entries() == ["key", "key.pub"])
    }

    /// A key.pub that cannot be replaced (here a directory in its place) is a warning with the path: the daemon
    /// still starts with its key, and no temporary file is left behind.
    @Test func anUnwritableKeyPubIsAWarningNotAFailure() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(
            atPath: directory.path + "/key.pub/inside", withIntermediateDirectories: true)
        let sink = CollectingSink()
        let key = try Keystore.loadOrCreate(dataDirectory: directory.path, logger: Logger(level: .debug, sink: sink))
        #expect(key.publicKeyHex.utf8.count == 64)
        let warning = try #require(sink.records(withMessage: "Could not write the public key file; the node key is unaffected").first)
        #expect(warning.level == .warn)
        #expect(warning.field("path") == directory.path + "/key.pub")
        #expect(warning.field("reason")?.contains("rename") == true)
        #expect(directory.entries() == ["key", "key.pub"])
    }

    @Test func aRefusedKeyWritesNoKeyPub() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(Array("not a key".utf8), to: "key")
        #expect(throws: KeystoreError.self) { _ = try Keystore.loadOrCreate(dataDirectory: directory.path, logger: .silent) }
        #expect(directory.entries() == ["key"])
    }

    /// `check` loads without writing anything.
    @Test func loadWritesNoKeyPub() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(Array(NIP19Vector.nsecHex.utf8), to: "key")
        _ = try Keystore.load(dataDirectory: directory.path, logger: .silent)
        #expect(directory.entries() == ["key"])
    }

    @Test func thePubkeyCommandWritesItToo() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let printed = try Keystore.pubkeyCommandOutput(dataDirectory: directory.path, npub: false, logger: .silent)
        #expect(directory.contents(of: "key.pub") == Array(printed.utf8))
    }
}
