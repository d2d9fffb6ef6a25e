// A SecretStore kept in memory as the storage string (so every save goes
// through toStorageString/fromStorageString), the Swift twin of
// tests/kotlin/MemoryStore.kt. Only compare-and-swap, no lock: save writes
// only if the stored generation is the expected one (0: empty), atomically
// with the check, else throws StoreError.Conflict. Switches make the next
// load or save fail, and a hook runs before each save (to let another
// writer in between a run's load and its save).
import Foundation
import MapsIndoorsAuth

struct DiskOnFire: Error {}

final class MemoryStore: SecretStore, @unchecked Sendable {
    private let lock = NSLock()
    private var text: String?
    private var _failLoad = false
    private var _failSaveAtGeneration: Int64?
    private var _throwPlainOnSave = false
    private var _beforeSave: ((StoreRecord) async throws -> Void)?
    private var _saves = 0
    private var _conflicts = 0

    init(initial: StoreRecord? = nil) {
        text = initial?.toStorageString()
    }

    private func locked<R>(_ body: () throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    var failLoad: Bool {
        get { locked { _failLoad } }
        set { locked { _failLoad = newValue } }
    }
    var failSaveAtGeneration: Int64? {
        get { locked { _failSaveAtGeneration } }
        set { locked { _failSaveAtGeneration = newValue } }
    }
    var throwPlainOnSave: Bool {
        get { locked { _throwPlainOnSave } }
        set { locked { _throwPlainOnSave = newValue } }
    }
    var beforeSave: ((StoreRecord) async throws -> Void)? {
        get { locked { _beforeSave } }
        set { locked { _beforeSave = newValue } }
    }
    var saves: Int { locked { _saves } }
    var conflicts: Int { locked { _conflicts } }

    /// The stored record (nil: empty).
    func record() -> StoreRecord? {
        guard let t = locked({ text }) else { return nil }
        return try? StoreRecord.fromStorageString(text: t)
    }

    func load() async throws -> StoreRecord? {
        if failLoad {
            throw StoreError.Io(detail: "keystore unavailable")
        }
        return record()
    }

    func save(record: StoreRecord, expectedGeneration: Int64) async throws {
        if let hook = beforeSave {
            try await hook(record)
        }
        if throwPlainOnSave {
            throw DiskOnFire()
        }
        if failSaveAtGeneration == record.generation() {
            throw StoreError.Io(detail: "disk full")
        }
        try compareAndSwap(record, expectedGeneration)
    }

    // Synchronous: the check and the write under one lock, never across a suspension.
    private func compareAndSwap(_ record: StoreRecord, _ expectedGeneration: Int64) throws {
        lock.lock()
        defer { lock.unlock() }
        let stored = text.flatMap { try? StoreRecord.fromStorageString(text: $0).generation() } ?? 0
        if stored != expectedGeneration {
            _conflicts += 1
            throw StoreError.Conflict(detail: "stored generation \(stored), expected \(expectedGeneration)")
        }
        text = record.toStorageString()
        _saves += 1
    }
}
