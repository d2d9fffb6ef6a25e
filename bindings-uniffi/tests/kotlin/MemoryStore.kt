// A SecretStore kept in memory as the storage string (so every save goes
// through toStorageString/fromStorageString), refusing out-of-order
// generations, with switches to make the next load or save fail.
package com.mapsindoors.auth.test

import com.mapsindoors.auth.SecretStore
import com.mapsindoors.auth.StoreException
import com.mapsindoors.auth.StoreRecord

class MemoryStore(initial: StoreRecord? = null) : SecretStore {
    @Volatile var text: String? = initial?.toStorageString()
    @Volatile var failLoad = false
    @Volatile var failSaveAtGeneration: ULong? = null
    @Volatile var throwPlainOnSave = false
    val saves = java.util.concurrent.atomic.AtomicInteger()

    fun record(): StoreRecord? = text?.let { StoreRecord.fromStorageString(it) }

    override suspend fun load(): StoreRecord? {
        if (failLoad) throw StoreException.Io("keystore unavailable")
        return record()
    }

    override suspend fun save(record: StoreRecord) {
        if (throwPlainOnSave) throw IllegalStateException("disk on fire")
        if (failSaveAtGeneration == record.generation()) throw StoreException.Io("disk full")
        val stored = record()
        if (stored != null && stored.generation() + 1u != record.generation()) {
            throw StoreException.Conflict("stored generation ${stored.generation()}, got ${record.generation()}")
        }
        text = record.toStorageString()
        saves.incrementAndGet()
    }
}
