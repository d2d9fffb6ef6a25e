// A SecretStore kept in memory as the storage string (so every save goes
// through toStorageString/fromStorageString). Only compare-and-swap, no lock:
// save writes only if the stored generation is the expected one (0: empty),
// atomically with the check, else throws StoreException.Conflict. Switches
// make the next load or save fail, and a hook runs before each save (to let
// another writer in between a run's load and its save).
package com.mapsindoors.auth.test

import com.mapsindoors.auth.SecretStore
import com.mapsindoors.auth.StoreException
import com.mapsindoors.auth.StoreRecord

class MemoryStore(initial: StoreRecord? = null) : SecretStore {
    @Volatile var text: String? = initial?.toStorageString()
    @Volatile var failLoad = false
    @Volatile var failSaveAtGeneration: Long? = null
    @Volatile var throwPlainOnSave = false
    @Volatile var beforeSave: (suspend (StoreRecord) -> Unit)? = null
    val saves = java.util.concurrent.atomic.AtomicInteger()
    val conflicts = java.util.concurrent.atomic.AtomicInteger()
    private val cas = Any()

    fun record(): StoreRecord? = text?.let { StoreRecord.fromStorageString(it) }

    override suspend fun load(): StoreRecord? {
        if (failLoad) throw StoreException.Io("keystore unavailable")
        return record()
    }

    override suspend fun save(record: StoreRecord, expectedGeneration: Long) {
        beforeSave?.invoke(record)
        if (throwPlainOnSave) throw IllegalStateException("disk on fire")
        if (failSaveAtGeneration == record.generation()) throw StoreException.Io("disk full")
        synchronized(cas) {
            val stored = record()?.generation() ?: 0L
            if (stored != expectedGeneration) {
                conflicts.incrementAndGet()
                throw StoreException.Conflict("stored generation $stored, expected $expectedGeneration")
            }
            text = record.toStorageString()
        }
        saves.incrementAndGet()
    }
}
