import Foundation

/// A thread that runs submitted jobs in order, built on POSIX threads and condition variables
/// only: unlike libdispatch, it works in a process forked from one that has used threads (an
/// isolated worker, see ``Isolation``).
///
/// `@unchecked Sendable`: every mutable property is read and written only while holding
/// `condition`.
final class WorkerThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var closed = false
    private var finished = false

    init(name: String) {
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    /// Queues `job`; jobs run one at a time in submission order.
    func submit(_ job: @escaping () -> Void) {
        condition.withLock {
            precondition(!closed, "WorkerThread.submit after finish()")
            jobs.append(job)
            condition.broadcast()
        }
    }

    /// Waits until every queued job has run, then lets the thread end.
    func finish() {
        condition.withLock {
            closed = true
            condition.broadcast()
            while !finished { condition.wait() }
        }
    }

    private func run() {
        while let job = nextJob() { job() }
        condition.withLock {
            finished = true
            condition.broadcast()
        }
    }

    private func nextJob() -> (() -> Void)? {
        condition.withLock {
            while jobs.isEmpty && !closed { condition.wait() }
            return jobs.isEmpty ? nil : jobs.removeFirst()
        }
    }
}
