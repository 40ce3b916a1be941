import Foundation
import NeuralNet
import Testing
import TestSupport
@testable import Checkpoint
#if canImport(Glibc)
import Glibc
#endif

/// Fault injection against the crash-safe writer behind `heft convert` and `saveWeights`
/// (docs/reliability.md §2): SIGKILL at any point of a save, a file-size limit that makes the
/// write fail midway, and targets that cannot be written.
@Suite(.serialized) struct CrashSafetyTests {
    /// How many saves are killed.
    static let trials = 120
    /// After this many killed saves, a complete save checks that no temporary file survived.
    static let trialsBetweenCompleteSaves = 20

    @Test func sigkillAtAnyPointLeavesTheCompleteOldOrTheCompleteNewFile() throws {
        try withTemporaryDirectory { dir in
            let scenario = try ReplacementScenario(directory: dir)
            var tally = KillTally(measuredDurations: scenario.measuredDurations)
            for (index, delay) in killDelays(count: Self.trials, over: scenario.saveDuration).enumerated() {
                if index > 0 && index % Self.trialsBetweenCompleteSaves == 0 { try scenario.expectCompleteSaveLeavesNoTemporary() }
                let trial = try scenario.killedSave(after: delay)
                tally.add(trial)
                guard case .other(let what) = trial.content else { continue }
                let command = "heft convert \(scenario.newSource) \(scenario.target)"
                Issue.record("trial \(index): `\(command)` killed after \(milliseconds(trial.killedAfter)) (\(trial.termination)): the target is \(what)")
            }
            try scenario.expectCompleteSaveLeavesNoTemporary()
            print(tally.report(referencesAreByteIdentical: scenario.referencesAreByteIdentical))
        }
    }

    @Test func aFileSizeLimitIsAClearErrorAndKeepsTheOldFile() throws {
        try withTemporaryDirectory { dir in
            let target = try makeOutputDirectory(in: dir) + "/w.h5"
            let newSource = "\(dir)/new.h5"
            try saveModel(target, widths: [16, 16], values: constantWeights(widths: [16, 16], from: 1))
            try saveModel(newSource, widths: [1024, 1536, 1024], values: constantWeights(widths: [1024, 1536, 1024], from: 5))
            // 4096 blocks are 2 MiB in dash's 512-byte blocks and 4 MiB in bash's 1 KiB blocks: above
            // the old file and below the new one either way.
            let limitBlocks = 4096
            try #require(try fileSize(target) < 2 << 20 && fileSize(newSource) > 8 << 20)
            let oldBytes = try contents(target)
            let script = "trap '' XFSZ; ulimit -f \(limitBlocks) && exec \"$0\" \"$@\""
            let run = try SpawnedGroup(["/bin/sh", "-c", script, heftBinary.path, "convert", newSource, target], logsIn: dir).finish()
            expectFileError(run, target: target, saying: String(cString: strerror(EFBIG)))
            #expect(try contents(target) == oldBytes, "the old file is intact")
            #expect(try temporaries(nextTo: target) == [])
            print("CrashSafety: file-size limit of \(limitBlocks) blocks: exit \(run.code), stderr: \(run.stderr)", terminator: "")
        }
    }

    @Test(.enabled(if: try privateMountsWork(), "needs `unshare -rm` (user and mount namespaces) and tmpfs mounts in them"))
    func aFullFilesystemIsAClearErrorAndKeepsTheOldFile() throws {
        try withTemporaryDirectory { dir in
            let out = try makeOutputDirectory(in: dir), snapshot = "\(dir)/snapshot"
            let oldFile = "\(dir)/old.h5", newSource = "\(dir)/new.h5"
            try saveModel(oldFile, widths: [16, 16], values: constantWeights(widths: [16, 16], from: 1))
            try saveModel(newSource, widths: [256, 512, 256], values: constantWeights(widths: [256, 512, 256], from: 5))
            try #require(try fileSize(oldFile) < 64 << 10 && fileSize(newSource) > 512 << 10)
            // In a private mount namespace: a 256 KiB tmpfs over `out` holding the old file, the save,
            // then a copy of what the tmpfs holds (dot files included) to `snapshot`; the mount
            // disappears with the namespace.
            let script = #"mount -t tmpfs -o size=256k heft-full "$1" && cp "$2" "$1/w.h5" && "$0" convert "$3" "$1/w.h5"; "#
                + #"code=$?; cp -a "$1" "$4" && exit $code"#
            let arguments = ["/usr/bin/unshare", "-rm", "/bin/sh", "-c", script, heftBinary.path, out, oldFile, newSource, snapshot]
            let run = try SpawnedGroup(arguments, logsIn: dir).finish()
            expectFileError(run, target: "\(out)/w.h5", saying: String(cString: strerror(ENOSPC)))
            #expect(try contents("\(snapshot)/w.h5") == contents(oldFile), "the old file is intact")
            #expect(try temporaries(nextTo: "\(snapshot)/w.h5") == [])
            print("CrashSafety: full 256 KiB tmpfs: exit \(run.code), stderr: \(run.stderr)", terminator: "")
        }
    }

    @Test(.enabled(if: canRunUnprivileged, "needs a non-root user, or setpriv to become one"))
    func anUnwritableDirectoryIsAClearErrorAndKeepsTheOldFile() throws {
        try withTemporaryDirectory { dir in
            let directory = try makeOutputDirectory(in: dir)
            let target = "\(directory)/w.h5", newSource = "\(dir)/new.h5"
            try saveModel(target, widths: [4, 4], values: constantWeights(widths: [4, 4], from: 1))
            try saveModel(newSource, widths: [4, 4], values: constantWeights(widths: [4, 4], from: 5))
            let oldBytes = try contents(target)
            try #require(chmod(directory, 0o555) == 0)
            defer { chmod(directory, 0o755) }
            let run = try SpawnedGroup(unprivileged([heftBinary.path, "convert", newSource, target]), logsIn: dir).finish()
            expectFileError(run, target: target, saying: "cannot write to the directory \(directory): \(String(cString: strerror(EACCES)))")
            #expect(try contents(target) == oldBytes, "the old file is intact")
            #expect(try temporaries(nextTo: target) == [])
        }
    }

    @Test func aDirectoryAsTargetIsAClearErrorAndIsLeftAlone() throws {
        try withTemporaryDirectory { dir in
            let target = try makeOutputDirectory(in: dir)
            let newSource = "\(dir)/new.h5"
            try saveModel(newSource, widths: [4, 4], values: constantWeights(widths: [4, 4], from: 5))
            try #require(FileManager.default.createFile(atPath: "\(target)/keep", contents: Data([1, 2, 3])))
            let run = try heft("convert", newSource, target)
            expectFileError(run, target: target, saying: "is a directory")
            #expect(try FileManager.default.contentsOfDirectory(atPath: target) == ["keep"])
            #expect(try temporaries(nextTo: target) == [])
        }
    }
}

// MARK: - The kill scenario

/// An old checkpoint at ``target`` and the source of a new one with other values (same layout and
/// size, ~24 MiB so that a save takes long enough to be killed in every phase), written by the
/// real `heft convert`.
private struct ReplacementScenario {
    /// The file being replaced, alone in its directory (apart from temporaries).
    let target: String
    /// The input of every `heft convert … target`.
    let newSource: String
    /// The complete old file at ``target``.
    let oldBytes: Data
    /// The weights of a complete new file.
    let newWeights: [NamedWeight]
    /// The size of a complete new file.
    let newSize: Int
    /// The wall times of five complete `heft convert newSource target`, from spawn to exit.
    let measuredDurations: [Duration]
    /// Their median.
    var saveDuration: Duration { median(measuredDurations) }
    /// Whether two complete new files are byte for byte the same (HDF5 stores object modification
    /// times, so they are not when the saves fall in different seconds; weights are compared then).
    let referencesAreByteIdentical: Bool
    private let logs: String

    static let widths = [1024, 2048, 2048]

    init(directory: String) throws {
        logs = directory
        target = try makeOutputDirectory(in: directory) + "/target.h5"
        let oldSource = "\(directory)/old-source.h5"
        newSource = "\(directory)/new-source.h5"
        try saveModel(oldSource, widths: Self.widths, values: constantWeights(widths: Self.widths, from: 1))
        try saveModel(newSource, widths: Self.widths, values: constantWeights(widths: Self.widths, from: 5))
        try #require(try heft("convert", oldSource, target).code == 0)
        oldBytes = try contents(target)

        // Complete saves to the target itself, as in the trials, each followed by putting the old file back.
        var durations: [Duration] = []
        var references: [Data] = []
        var weights: [NamedWeight] = []
        for _ in 0..<5 {
            let save = try SpawnedGroup([heftBinary.path, "convert", newSource, target], logsIn: directory)
            try #require(try save.wait() == .exited(0))
            durations.append(save.started.duration(to: .now))
            references.append(try contents(target))
            weights = try namedWeights(target)
            try oldBytes.write(to: URL(fileURLWithPath: target))
        }
        measuredDurations = durations
        referencesAreByteIdentical = references.allSatisfy { $0 == references[0] }
        newSize = references[0].count
        newWeights = weights
        try #require(newWeights != namedWeights(oldSource) && newSize == oldBytes.count)
    }

    /// Starts `heft convert newSource target`, kills its process group with SIGKILL `delay` after
    /// the spawn, reaps it, and classifies what the target holds. The old file is put back afterwards.
    func killedSave(after delay: Duration) throws -> KillTrial {
        let save = try SpawnedGroup([heftBinary.path, "convert", newSource, target], logsIn: logs)
        sleep(until: save.started + delay)
        let killedAfter = save.started.duration(to: .now)
        try save.killGroup()
        let termination = try save.wait()
        let ownTemporary = ".\(SafeFileReplacement.split(target).name)\(SafeFileReplacement.marker)\(save.leader)-"
        let trial = KillTrial(killedAfter: killedAfter, termination: termination, content: try content(of: target),
                              leftTemporary: try temporaries(nextTo: target).contains { $0.hasPrefix(ownTemporary) })
        if trial.content != .old { try oldBytes.write(to: URL(fileURLWithPath: target)) }
        return trial
    }

    /// Saves to the target without interruption, expects the complete new file and no temporary
    /// file next to it (the save removes those of killed processes), and puts the old file back.
    func expectCompleteSaveLeavesNoTemporary() throws {
        let run = try heft("convert", newSource, target)
        #expect(run.code == 0, "\(run.stderr)")
        #expect(try content(of: target) == .new)
        #expect(try temporaries(nextTo: target) == [], "a temporary file survived a complete save")
        try oldBytes.write(to: URL(fileURLWithPath: target))
    }

    /// Whether `path` holds the complete old file, a complete new one, or anything else.
    func content(of path: String) throws -> FileContent {
        let bytes = try contents(path)
        if bytes == oldBytes { return .old }
        guard bytes.count == newSize else { return .other("\(bytes.count) bytes: neither file (old and new have \(newSize))") }
        do {
            let weights = try namedWeights(path)
            return weights == newWeights ? .new : .other("a loadable file whose weights are neither the old nor the new ones")
        } catch {
            return .other("not loadable: \(error)")
        }
    }
}

/// What a target holds after a killed save.
private enum FileContent: Equatable {
    case old, new
    case other(String)
}

/// One killed save.
private struct KillTrial {
    /// When SIGKILL was sent, after the spawn.
    let killedAfter: Duration
    let termination: Ending
    let content: FileContent
    /// Whether the killed process left its temporary file next to the target.
    let leftTemporary: Bool
}

/// Counts of outcomes, overall and by kill point (tenths of the save duration).
private struct KillTally {
    /// The wall times of complete saves; kill points are reported relative to their median.
    let measuredDurations: [Duration]
    private var trials: [KillTrial] = []

    init(measuredDurations: [Duration]) {
        self.measuredDurations = measuredDurations
    }

    mutating func add(_ trial: KillTrial) {
        trials.append(trial)
    }

    /// A human-readable summary for the test log.
    func report(referencesAreByteIdentical: Bool) -> String {
        let saveDuration = median(measuredDurations)
        var lines = ["CrashSafety: \(trials.count) SIGKILL trials over a \(milliseconds(saveDuration)) save (spawn to exit; "
                     + "median of \(measuredDurations.map(milliseconds).joined(separator: ", "))); "
                     + "complete new files byte-identical: \(referencesAreByteIdentical)",
                     "  total: \(summary(trials))"]
        let tenths = Dictionary(grouping: trials) { min(9, Int(10 * ($0.killedAfter / saveDuration))) }
        for (tenth, group) in tenths.sorted(by: { $0.key < $1.key }) {
            lines.append("  kill at \(tenth * 10)–\(tenth * 10 + 10)%: \(summary(group))")
        }
        let kills = trials.map(\.killedAfter)
        lines.append("  earliest kill \(milliseconds(kills.min() ?? .zero)), latest \(milliseconds(kills.max() ?? .zero))")
        return lines.joined(separator: "\n")
    }

    private func summary(_ trials: [KillTrial]) -> String {
        let old = trials.filter { $0.content == .old }.count, new = trials.filter { $0.content == .new }.count
        let finished = trials.filter { $0.termination == .exited(0) }.count
        return "\(trials.count) kills: \(old) old, \(new) new, \(trials.count - old - new) other; "
            + "\(trials.filter(\.leftTemporary).count) left a temporary, \(finished) had already finished"
    }
}

/// `count` kill delays spread uniformly over `[0, duration)`: one at a random point of each of
/// `count` equal slices, in random order (so the periodic complete saves see every phase).
private func killDelays(count: Int, over duration: Duration) -> [Duration] {
    (0..<count).map { slice in duration * ((Double(slice) + Double.random(in: 0..<1)) / Double(count)) }.shuffled()
}

// MARK: - Files

/// A weight of a file: its name and values.
private struct NamedWeight: Equatable {
    let name: String
    let value: Tensor
}

/// Every weight of the file at `path`, in file order.
private func namedWeights(_ path: String) throws -> [NamedWeight] {
    let file = try WeightFile(path: path)
    return try file.weights.map { NamedWeight(name: file.identity(of: $0), value: try file.read($0)) }
}

/// Creates `directory/out` for a target, so that listing it shows only the target and temporaries.
private func makeOutputDirectory(in directory: String) throws -> String {
    try FileManager.default.createDirectory(atPath: "\(directory)/out", withIntermediateDirectories: false)
    return "\(directory)/out"
}

/// The names of Heft's temporary files (`.<name>.heft-tmp-<pid>-<random>`) in the target's directory.
private func temporaries(nextTo target: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: SafeFileReplacement.split(target).directory)
        .filter { $0.contains(SafeFileReplacement.marker) }
}

/// The bytes of the file at `path`.
private func contents(_ path: String) throws -> Data {
    try Data(contentsOf: URL(fileURLWithPath: path))
}

/// The size in bytes of the file at `path`.
private func fileSize(_ path: String) throws -> Int {
    try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
}

/// Expects `run` to be the file-problem failure: exit code 2 and exactly one stderr line,
/// `heft: error: <target>: …`, that contains `reason`.
private func expectFileError(_ run: HeftRun, target: String, saying reason: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let isOneLine = run.stderr.hasSuffix("\n") && !run.stderr.dropLast().contains("\n")
    #expect(run.code == 2, "exit code; stderr: \(run.stderr)", sourceLocation: sourceLocation)
    #expect(isOneLine, "one stderr line: \(run.stderr)", sourceLocation: sourceLocation)
    #expect(run.stderr.hasPrefix("heft: error: \(target): ") && run.stderr.contains(reason),
            "stderr names \(target) and says '\(reason)': \(run.stderr)", sourceLocation: sourceLocation)
}

/// The middle one of `durations` (the upper middle one of an even count).
private func median(_ durations: [Duration]) -> Duration {
    durations.sorted()[durations.count / 2]
}

/// `duration` in whole milliseconds, for messages.
private func milliseconds(_ duration: Duration) -> String {
    "\(Int((duration / .milliseconds(1)).rounded())) ms"
}

// MARK: - Processes

/// Whether a process can run without root's permission overrides: this one is not root, or
/// `setpriv` can make the child `nobody`.
private let canRunUnprivileged = geteuid() != 0 || FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")

/// `arguments`, run as `nobody` through `setpriv` when this process is root (root ignores permissions).
private func unprivileged(_ arguments: [String]) -> [String] {
    geteuid() != 0 ? arguments : ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + arguments
}

/// Whether `unshare -rm` can give a child its own user and mount namespaces in which it may mount
/// a tmpfs (unprivileged user namespaces, or root with CAP_SYS_ADMIN).
private func privateMountsWork() throws -> Bool {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else { return false }
    return try withTemporaryDirectory { dir in
        let probe = ["/usr/bin/unshare", "-rm", "/bin/sh", "-c", #"mount -t tmpfs -o size=64k heft-probe "$0""#, dir]
        return try SpawnedGroup(probe, logsIn: dir).wait() == .exited(0)
    }
}

/// Blocks the calling thread until `deadline`; `nanosleep` keeps kill points precise to well under
/// a millisecond, which a task sleep on the shared executor does not.
private func sleep(until deadline: ContinuousClock.Instant) {
    let remaining = ContinuousClock.now.duration(to: deadline)
    guard remaining > .zero else { return }
    let (seconds, attoseconds) = remaining.components
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000)), left = timespec()
    while nanosleep(&request, &left) != 0 && errno == EINTR { request = left }
}
