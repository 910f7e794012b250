import Foundation
import Testing
@testable import DstackBackend
import DstackTestSupport

/// Issue 13: `.key.tmp.*` files holding an orphaned secret key were left behind by a crash during key
/// creation. Stale ones of our exact pattern are removed at start; nothing else is ever touched.
@Suite struct StaleKeyTemporariesTests {
    /// A pid no process has (above any pid_max).
    static let deadPID: pid_t = 999_999_999
    static let secretHex = "67dea2ed018072d675f5415ecfaed7d2597555e202d85b3d65ea4e58d2d92ffa"
    static let suffix = "0123456789abcdef"

    func place(_ name: String, in directory: TemporaryDirectory, ageSeconds: Double) throws {
        try directory.write(Array(Self.secretHex.utf8), to: name)
        let when = Date().addingTimeInterval(-ageSeconds)
        try FileManager.default.setAttributes([.modificationDate: when], ofItemAtPath: directory.path + "/" + name)
    }

    @Test func recognisesOnlyTheExactPattern() {
        #expect(StaleKeyTemporaries.creator(ofName: ".key.tmp.1234.\(Self.suffix)") == 1234)
        #expect(StaleKeyTemporaries.creator(ofName: ".key.tmp.1234.") == 1234)
        for name in [
            ".key.tmp.1234", ".key.tmp..\(Self.suffix)", ".key.tmp.12a4.\(Self.suffix)", ".key.tmp.1234.0123456789ABCDEF",
            ".key.tmp.1234.0123456789abcde", ".key.tmp.1234.\(Self.suffix).bak", "key.tmp.1234.\(Self.suffix)",
            ".key.tmp.-1.\(Self.suffix)", ".key.tmp.0.\(Self.suffix)", "key", ".key.tmp.99999999999.\(Self.suffix)",
        ] {
            #expect(StaleKeyTemporaries.creator(ofName: name) == nil, "\(name)")
        }
    }

    @Test func recognisesTheTemporaryNameKeyCreationUses() {
        let path = KeyFileSystem.temporaryPath(for: "/data/key", in: "/data")
        #expect(path.hasPrefix("/data/.key.tmp."))
        let name = String(path.dropFirst("/data/".count))
        #expect(StaleKeyTemporaries.creator(ofName: name) == getpid())
        // key.pub's temporaries are not key temporaries.
        let publicName = String(KeyFileSystem.temporaryPath(for: "/data/key.pub", in: "/data").dropFirst("/data/".count))
        #expect(publicName.hasPrefix(".key.pub.tmp."))
        #expect(StaleKeyTemporaries.creator(ofName: publicName) == nil)
    }

    @Test func removesStaleOnesAtStartAndLeavesEverythingElse() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let alive = getppid()
        let orphan = ".key.tmp.\(Self.deadPID).\(Self.suffix)"
        let old = ".key.tmp.\(alive).fedcba9876543210"
        let fresh = ".key.tmp.\(alive).00112233445566ff"
        let justOrphaned = ".key.tmp.\(Self.deadPID).aaaaaaaaaaaaaaaa"
        try place(orphan, in: directory, ageSeconds: 10)
        try place(old, in: directory, ageSeconds: 600)
        try place(fresh, in: directory, ageSeconds: 0)
        try place(justOrphaned, in: directory, ageSeconds: 0)
        let others = [".key.tmp.\(Self.deadPID)", ".key.tmp.\(Self.deadPID).\(Self.suffix).bak", "notes.txt", "key.pub"]
        for name in others { try place(name, in: directory, ageSeconds: 600) }
        // Not regular files, though named like ours: a directory and a symbolic link.
        let directoryLike = ".key.tmp.\(Self.deadPID).bbbbbbbbbbbbbbbb"
        try FileManager.default.createDirectory(atPath: directory.path + "/" + directoryLike, withIntermediateDirectories: false)
        let linkLike = ".key.tmp.\(Self.deadPID).cccccccccccccccc"
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/" + linkLike, withDestinationPath: "notes.txt")

        let sink = CollectingSink()
        _ = try Keystore.loadOrCreate(dataDirectory: directory.path, logger: Logger(level: .debug, sink: sink))

        let left = Set(directory.entries())
        #expect(!left.contains(orphan))
        #expect(!left.contains(old))
        #expect(left.isSuperset(of: [fresh, justOrphaned, directoryLike, linkLike, "key"] + others))
        let removals = sink.records(withMessage: "Removed a stale temporary key file left by an interrupted key creation")
        #expect(Set(removals.compactMap { $0.field("path") }) == [directory.path + "/" + orphan, directory.path + "/" + old])
        #expect(removals.first { $0.field("path")?.hasSuffix(old) == true }?.field("creator.running") == "true")
        #expect(removals.first { $0.field("path")?.hasSuffix(orphan) == true }?.field("creator.running") == "false")
        for record in sink.records {
            #expect(!record.formatted(.text).contains(Self.secretHex))
            #expect(!record.formatted(.json).contains(Self.secretHex))
        }
    }

    @Test func aFileNamedWithOurOwnPIDIsFromAnEarlierLife() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let mine = ".key.tmp.\(getpid()).\(Self.suffix)"
        try place(mine, in: directory, ageSeconds: 5)
        StaleKeyTemporaries.remove(in: directory.path, logger: .silent)
        #expect(!directory.entries().contains(mine))
    }

    @Test func checkNeverRemovesAnything() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let orphan = ".key.tmp.\(Self.deadPID).\(Self.suffix)"
        try place(orphan, in: directory, ageSeconds: 600)
        _ = try? Keystore.load(dataDirectory: directory.path, logger: .silent)
        #expect(directory.entries().contains(orphan))
    }
}
