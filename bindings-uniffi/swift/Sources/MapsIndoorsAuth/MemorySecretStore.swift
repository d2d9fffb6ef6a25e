// A SecretStore kept in memory, as the storage string (so every save goes
// through toStorageString/fromStorageString). A compare-and-swap under a
// lock, as the SecretStore contract asks; nothing survives the process.
// For tests and examples; an app keeps its record in the Keychain (README.md).
import Foundation

/// An in-memory `SecretStore`: `save` writes only if the stored generation
/// is `expectedGeneration` (0: empty), else throws `StoreError.Conflict`.
public final class MemorySecretStore: SecretStore, @unchecked Sendable {
    private let lock = NSLock()
    private var text: String?

    /// An empty store, or one holding `initial`.
    public init(initial: StoreRecord? = nil) {
        text = initial?.toStorageString()
    }

    /// The stored record, read without the async call.
    public func record() throws -> StoreRecord? {
        lock.lock()
        let t = text
        lock.unlock()
        guard let t = t else { return nil }
        return try StoreRecord.fromStorageString(text: t)
    }

    public func load() async throws -> StoreRecord? {
        try record()
    }

    public func save(record: StoreRecord, expectedGeneration: Int64) async throws {
        try compareAndSwap(record, expectedGeneration)
    }

    // Synchronous, so the lock is never held across a suspension point.
    private func compareAndSwap(_ record: StoreRecord, _ expectedGeneration: Int64) throws {
        lock.lock()
        defer { lock.unlock() }
        let stored = try text.map { try StoreRecord.fromStorageString(text: $0).generation() } ?? 0
        guard stored == expectedGeneration else {
            throw StoreError.Conflict(detail: "stored generation \(stored), expected \(expectedGeneration)")
        }
        text = record.toStorageString()
    }
}
