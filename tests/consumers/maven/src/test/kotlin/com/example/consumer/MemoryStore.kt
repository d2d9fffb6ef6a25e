// The app's SecretStore: the record's storage string in memory, saved by
// compare-and-swap on its generation (a mismatch is StoreException.Conflict).
package com.example.consumer

import com.mapsindoors.auth.SecretStore
import com.mapsindoors.auth.StoreException
import com.mapsindoors.auth.StoreRecord

class MemoryStore : SecretStore {
    private var text: String? = null

    @Synchronized fun record(): StoreRecord? = text?.let { StoreRecord.fromStorageString(it) }

    override suspend fun load(): StoreRecord? = record()

    override suspend fun save(record: StoreRecord, expectedGeneration: Long) = synchronized(this) {
        val stored = record()?.generation() ?: 0L
        if (stored != expectedGeneration) throw StoreException.Conflict("stored generation $stored, expected $expectedGeneration")
        text = record.toStorageString()
    }
}
