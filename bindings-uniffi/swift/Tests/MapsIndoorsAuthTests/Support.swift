// Helpers the tests share: awaiting an error, a deadline on a call (uniffi's
// Swift futures cannot be cancelled, so a stuck call is abandoned, not
// cancelled), the test-data folders, and a lock-guarded box.
import Foundation
import MapsIndoorsAuth
import XCTest

/// A value guarded by a lock, usable from any thread (never across a suspension).
final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T

    init(_ value: T) {
        self.value = value
    }

    func get() -> T {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    func set(_ v: T) {
        lock.lock()
        value = v
        lock.unlock()
    }

    @discardableResult
    func update<R>(_ body: (inout T) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

struct DeadlineExceeded: Error, CustomStringConvertible {
    let ms: Int
    var description: String { "no outcome within \(ms) ms" }
}

/// Runs `body` in a task of its own and waits at most `ms` for it; past
/// that the task is cancelled (a hint only: a call into Rust runs on) and
/// DeadlineExceeded is thrown.
func withDeadline<T>(ms: Int, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let claimed = Locked(false)
    return try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, Error>) in
        let task = Task {
            do {
                let v = try await body()
                if claimed.update({ (x: inout Bool) -> Bool in let first = !x; x = true; return first }) {
                    c.resume(returning: v)
                }
            } catch {
                if claimed.update({ (x: inout Bool) -> Bool in let first = !x; x = true; return first }) {
                    c.resume(throwing: error)
                }
            }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(ms)) {
            if claimed.update({ (x: inout Bool) -> Bool in let first = !x; x = true; return first }) {
                task.cancel()
                c.resume(throwing: DeadlineExceeded(ms: ms))
            }
        }
    }
}

/// The error `body` throws, or a test failure if it returns.
func thrown<T>(
    _ body: () async throws -> T, file: StaticString = #filePath, line: UInt = #line
) async -> Error? {
    do {
        let v = try await body()
        XCTFail("expected an error, got \(v)", file: file, line: line)
        return nil
    } catch {
        return error
    }
}

/// The AuthError `body` throws (of `variant`, if given), or a test failure.
func authError<T>(
    _ variant: String? = nil, _ body: () async throws -> T, file: StaticString = #filePath, line: UInt = #line
) async -> AuthError? {
    guard let error = await thrown(body, file: file, line: line) else { return nil }
    guard let e = error as? AuthError else {
        XCTFail("expected an AuthError, got \(error)", file: file, line: line)
        return nil
    }
    if let variant = variant, variantName(e) != variant {
        XCTFail("expected \(variant), got \(e.info)", file: file, line: line)
        return nil
    }
    return e
}

/// The folder named by `env` (set by scripts/test-swift.sh), or `fallback`
/// under the repository root (five folders above this file).
func dataDir(_ env: String, _ fallback: String) -> String {
    if let dir = ProcessInfo.processInfo.environment[env], !dir.isEmpty {
        return dir
    }
    let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    return root.appendingPathComponent(fallback).path
}

/// The `*.json` files of `dir`, sorted by name.
func jsonFiles(in dir: String) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
    return names.filter { $0.hasSuffix(".json") }.sorted().map { URL(fileURLWithPath: dir).appendingPathComponent($0).path }
}

/// Milliseconds since `start` (a monotonic clock).
func millis(since start: DispatchTime) -> Int64 {
    Int64((DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1_000_000)
}

/// What `text` holds of a value (`String(describing:)`), for leak checks.
func shown(_ value: Any) -> String {
    String(describing: value)
}
