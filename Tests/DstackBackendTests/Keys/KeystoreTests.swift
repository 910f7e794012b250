import Foundation
import Synchronization
import Testing
@testable import DstackBackend
import DstackTestSupport

@Suite struct KeystoreTests {
    static let order = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"

    @Test func createsAKeyThenLoadsTheSameOne() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let sink = CollectingSink()
        let logger = Logger(level: .debug, sink: sink)
        let created = try Keystore.loadOrCreate(dataDirectory: directory.path, logger: logger)
        let loaded = try Keystore.loadOrCreate(dataDirectory: directory.path, logger: logger)
        let checked = try Keystore.load(dataDirectory: directory.path, logger: logger)
        #expect(created.publicKey == loaded.publicKey)
        #expect(created.publicKey == checked.publicKey)
        #expect(directory.entries() == ["key", "key.pub"])

        let generated = sink.records(withMessage: "Generated a new node key")
        #expect(generated.count == 1)
        #expect(generated.first?.field("pubkey") == created.publicKey.hex)
        #expect(generated.first?.field("key.path") == directory.path + "/key")
        #expect(sink.records(withMessage: "Loaded the node key").count == 2)

        // The secret appears in no log line.
        let secret = String(decoding: directory.contents(of: "key") ?? [], as: UTF8.self)
        for record in sink.records {
            #expect(!record.formatted(.text).contains(secret))
        }
    }

    @Test func writesSixtyFourLowerCaseHexWithoutNewlineMode0600() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try Keystore.loadOrCreate(dataDirectory: directory.path, logger: .silent)
        let text = String(decoding: directory.contents(of: "key") ?? [], as: UTF8.self)
        #expect(text.wholeMatch(of: /[0-9a-f]{64}/) != nil, "key file is not 64 lower-case hex")
        #expect(TemporaryDirectory.mode(of: directory.path + "/key") == 0o600)
    }

    @Test func createsMissingDataDirectoriesWithMode0700() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.path + "/a/b/data"
        _ = try Keystore.loadOrCreate(dataDirectory: data, logger: .silent)
        for path in [directory.path + "/a", directory.path + "/a/b", data] {
            #expect(TemporaryDirectory.mode(of: path) == 0o700, "\(path)")
        }
        #expect(TemporaryDirectory.mode(of: data + "/key") == 0o600)
    }

    @Test func leavesAnExistingDataDirectoryModeAlone() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        chmod(directory.path, 0o755)
        _ = try Keystore.loadOrCreate(dataDirectory: directory.path, logger: .silent)
        #expect(TemporaryDirectory.mode(of: directory.path) == 0o755)
    }

    /// Files people may write by hand: all load to the NIP-19 test key and stay exactly as they were.
    @Test(arguments: [
        NIP19Vector.nsecHex,
        "  " + NIP19Vector.nsecHex + "\n",
        "\r\n\t" + NIP19Vector.nsecHex.uppercased() + "\r\n",
        NIP19Vector.nsec,
        NIP19Vector.nsec + "\n",
        NIP19Vector.nsec.uppercased(),
    ])
    func acceptsToleratedFormsWithoutRewritingThem(contents: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(Array(contents.utf8), to: "key")
        let key = try Keystore.loadOrCreate(dataDirectory: directory.path, logger: .silent)
        let expected = try NodeKey(secretKey: SecretKey(bytes: Hex.decode(NIP19Vector.nsecHex)!))
        #expect(key.publicKey == expected.publicKey)
        #expect(directory.contents(of: "key") == Array(contents.utf8))
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        let name: String
        let contents: [UInt8]
        let code: KeystoreError.Code
        /// Text the message must contain.
        let mentions: String
        var testDescription: String { name }
    }

    static let refusals: [Refusal] = {
        var badChecksum = Array(NIP19Vector.nsec.utf8)
        badChecksum[badChecksum.count - 1] = UInt8(ascii: "q")
        var mixedCase = Array(NIP19Vector.nsec.utf8)
        mixedCase[10] = UInt8(ascii: "L")
        return [
            Refusal(name: "empty", contents: [], code: .emptyFile, mentions: "is empty"),
            Refusal(name: "whitespace only", contents: Array(" \n\t\n".utf8), code: .emptyFile, mentions: "is empty"),
            Refusal(
                name: "63 hex digits", contents: Array(NIP19Vector.nsecHex.dropLast().utf8), code: .wrongLength,
                mentions: "63 characters"),
            Refusal(
                name: "65 hex digits", contents: Array((NIP19Vector.nsecHex + "a").utf8), code: .wrongLength,
                mentions: "65 characters"),
            Refusal(
                name: "a non-hex character", contents: Array(("\n" + NIP19Vector.nsecHex.dropLast(2) + "zz").utf8), code: .notHex,
                mentions: "at byte 64"),
            Refusal(
                name: "0x prefix", contents: Array(("0x" + NIP19Vector.nsecHex).utf8), code: .notHex, mentions: "at byte 2"),
            Refusal(name: "bad nsec checksum", contents: badChecksum, code: .badChecksum, mentions: "checksum"),
            Refusal(name: "mixed-case nsec", contents: mixedCase, code: .invalidNsec, mentions: "upper- and lower-case"),
            Refusal(
                name: "an npub", contents: Array(NIP19Vector.npub.utf8), code: .publicKeyInsteadOfSecretKey,
                mentions: "public key"),
            Refusal(
                name: "zero", contents: Array(String(repeating: "0", count: 64).utf8), code: .zeroKey,
                mentions: "zero"),
            Refusal(name: "the curve order", contents: Array(order.utf8), code: .keyOutOfRange, mentions: "curve order"),
            Refusal(
                name: "all ff", contents: Array(String(repeating: "f", count: 64).utf8), code: .keyOutOfRange,
                mentions: "curve order"),
            Refusal(
                name: "too large", contents: [UInt8](repeating: UInt8(ascii: "a"), count: 5000), code: .tooLarge,
                mentions: "5000 bytes"),
        ]
    }()

    @Test(arguments: refusals)
    func refusesABadKeyFileAndLeavesItUnchanged(refusal: Refusal) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(refusal.contents, to: "key", mode: 0o640)
        let path = directory.path + "/key"
        for create in [true, false] {
            let error = #expect(throws: KeystoreError.self) {
                _ = create
                    ? try Keystore.loadOrCreate(dataDirectory: directory.path, logger: .silent)
                    : try Keystore.load(dataDirectory: directory.path, logger: .silent)
            }
            #expect(error?.code == refusal.code)
            #expect(error?.path == path)
            #expect(error?.message.contains(path) == true)
            #expect(error?.message.contains(refusal.mentions) == true, "\(error?.message ?? "")")
            #expect(error?.message.contains(NIP19Vector.nsecHex.prefix(8)) == false)
            #expect(directory.contents(of: "key") == refusal.contents)
            #expect(TemporaryDirectory.mode(of: path) == 0o640)
            #expect(directory.entries() == ["key"])
        }
    }

    @Test func refusesADirectoryAtTheKeyPath() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.path + "/key/inner", withIntermediateDirectories: true)
        let error = #expect(throws: KeystoreError.self) {
            _ = try Keystore.loadOrCreate(dataDirectory: directory.path, logger: .silent)
        }
        #expect(error?.code == .isDirectory)
        #expect(error?.message.contains(directory.path + "/key") == true)
        #expect((try? FileManager.default.contentsOfDirectory(atPath: directory.path + "/key")) == ["inner"])
    }

    /// Root reads every mode-000 file, so "cannot read" is exercised with a FIFO (opening one for reading
    /// would block forever without O_NONBLOCK); the EACCES wording is checked on the error itself.
    @Test func refusesAFIFOAtTheKeyPathWithoutBlocking() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(mkfifo(directory.path + "/key", 0o600) == 0)
        let error = #expect(throws: KeystoreError.self) {
            _ = try Keystore.loadOrCreate(dataDirectory: directory.path, logger: .silent)
        }
        #expect(error?.code == .notRegularFile)
        #expect(directory.entries() == ["key"])
    }

    @Test func permissionDeniedNamesTheFileAndTheFix() {
        let error = KeystoreError.permissionDenied(path: "/app/data/key", SystemError(call: "open", errno: EACCES))
        #expect(error.code == .permissionDenied)
        #expect(error.message.contains("/app/data/key"))
        #expect(error.message.contains("Permission denied"))
        #expect(error.message.contains("chown"))
    }

    @Test func warnsAboutAGroupOrWorldReadableKeyWithTheFix() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(Array(NIP19Vector.nsecHex.utf8), to: "key", mode: 0o644)
        let sink = CollectingSink()
        _ = try Keystore.load(dataDirectory: directory.path, logger: Logger(level: .info, sink: sink))
        let warnings = sink.records.filter { $0.level == .warn }
        #expect(warnings.count == 1)
        #expect(warnings.first?.field("fix") == "chmod 600 \(directory.path)/key")
        #expect(warnings.first?.field("key.mode") == "0644")
        #expect(TemporaryDirectory.mode(of: directory.path + "/key") == 0o644)

        let quiet = CollectingSink()
        chmod(directory.path + "/key", 0o600)
        _ = try Keystore.load(dataDirectory: directory.path, logger: Logger(level: .info, sink: quiet))
        #expect(quiet.records.filter { $0.level == .warn }.isEmpty)
    }

    @Test func loadNeverCreates() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.path + "/missing"
        let error = #expect(throws: KeystoreError.self) { _ = try Keystore.load(dataDirectory: data, logger: .silent) }
        #expect(error?.code == .keyFileMissing)
        #expect(error?.message.contains(data + "/key") == true)
        #expect(directory.entries() == [])
    }

    /// sysfs refuses new files even to root: a stand-in for a read-only volume.
    @Test func anUnwritableDataDirectoryGivesAClearErrorAndLeavesNoFile() throws {
        let data = "/sys/kernel"
        let before = try FileManager.default.contentsOfDirectory(atPath: data).sorted()
        let error = #expect(throws: KeystoreError.self) {
            _ = try Keystore.loadOrCreate(dataDirectory: data, logger: .silent)
        }
        #expect(error?.code == .cannotWriteKey)
        #expect(error?.message.contains(data) == true)
        #expect(error?.message.contains("no key file was created") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: data).sorted() == before)
    }

    @Test func aDataDirectoryThroughARegularFileIsRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(Array("not a directory".utf8), to: "file")
        for data in [directory.path + "/file", directory.path + "/file/data"] {
            let error = #expect(throws: KeystoreError.self) {
                _ = try Keystore.loadOrCreate(dataDirectory: data, logger: .silent)
            }
            #expect(error?.code == .dataDirectoryNotDirectory)
            #expect(error?.message.contains("DATA_DIR") == true)
        }
        #expect(directory.entries() == ["file"])
        #expect(directory.contents(of: "file") == Array("not a directory".utf8))
    }

    /// Threads racing on fresh directories end with one key file that every racer returned.
    @Test func concurrentCreatorsAgreeOnOneKey() throws {
        for _ in 0..<20 {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let results = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 8) { _ in
                let text: String
                do {
                    text = try Keystore.loadOrCreate(dataDirectory: directory.path + "/data", logger: .silent)
                        .publicKey.hex
                } catch {
                    text = "error: \(error)"
                }
                results.withLock { $0.append(text) }
            }
            let keys = results.withLock { $0 }
            #expect(keys.count == 8)
            #expect(Set(keys).count == 1, "\(Set(keys))")
            #expect((try? FileManager.default.contentsOfDirectory(atPath: directory.path + "/data"))?.sorted() == ["key", "key.pub"])
            let onDisk = try Keystore.load(dataDirectory: directory.path + "/data", logger: .silent)
            #expect(keys.first == onDisk.publicKey.hex)
        }
    }

    @Test func pubkeyCommandPrintsHexOrNpub() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(Array(NIP19Vector.nsec.utf8), to: "key")
        let key = try NodeKey(secretKey: SecretKey(bytes: Hex.decode(NIP19Vector.nsecHex)!))
        #expect(
            try Keystore.pubkeyCommandOutput(dataDirectory: directory.path, npub: false, logger: .silent)
                == key.publicKeyHex)
        #expect(
            try Keystore.pubkeyCommandOutput(dataDirectory: directory.path, npub: true, logger: .silent) == key.npub)
        // The NIP-19 test pair's secret and public key belong together.
        #expect(key.publicKeyHex == NIP19Vector.npubHex)
        #expect(key.npub == NIP19Vector.npub)
        #expect(directory.contents(of: "key") == Array(NIP19Vector.nsec.utf8))
    }
}

extension KeystoreTests {
    /// `data/key` linking to a file that is not there (an unmounted volume) is not "no key": the daemon and
    /// `check` say it is a dangling link, print the target, and neither creates a key through it nor touches it.
    @Test func aDanglingKeyLinkIsNamedWithItsTargetAndNeverReplaced() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/key"
        let target = directory.path + "/volume/key"
        #expect(symlink(target, path) == 0)
        let expected =
            "Error: key file \(path) is a symbolic link to \(target), which does not exist (an unmounted volume or a "
            + "moved file?). The link was left unchanged and the daemon will not create a key in its place: mount "
            + "the volume or restore the key file at the link's target, then restart. Do not delete the link to "
            + "get going: a new key makes a new node, and the registration and rewards stay with the old key"
        let created = #expect(throws: KeystoreError.self) {
            try Keystore.loadOrCreate(dataDirectory: directory.path, logger: .silent)
        }
        #expect(created?.code == .danglingLink)
        #expect(created?.message == expected)
        let loaded = #expect(throws: KeystoreError.self) { try Keystore.load(dataDirectory: directory.path, logger: .silent) }
        #expect(loaded?.code == .danglingLink)
        #expect(loaded?.message == expected)
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(path, &buffer, buffer.count - 1)
        #expect(count > 0 && String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) == target, "the link is unchanged")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/volume"), "nothing was created behind it")
        #expect(directory.entries() == ["key"])

        let relative = try TemporaryDirectory()
        defer { relative.remove() }
        #expect(symlink("../gone/key", relative.path + "/key") == 0)
        let error = #expect(throws: KeystoreError.self) { try Keystore.load(dataDirectory: relative.path, logger: .silent) }
        #expect(error?.message.hasPrefix(
            "Error: key file \(relative.path)/key is a symbolic link to ../gone/key (\(relative.path)/../gone/key), which does not exist") == true,
            "\(String(describing: error))")
    }
}
