// Every flow vector (tests/flows/*.json, format in its README) replayed
// through the public Kotlin AuthClient and its real drive loop, with a
// scripted HttpTransport, SecretStore and Platform (clock, sleep,
// randomness), compared step by step. The persist and sleep reasons come
// from the Progress listener, which reports each step as the core names it;
// the EventListener must then report every step of the transcript, in order,
// with its purpose or reason and no secret.
package com.mapsindoors.auth.test

import com.mapsindoors.auth.AuthClient
import com.mapsindoors.auth.AuthEvent
import com.mapsindoors.auth.AuthException
import com.mapsindoors.auth.ClientConfig
import com.mapsindoors.auth.ClientSecret
import com.mapsindoors.auth.EventListener
import com.mapsindoors.auth.HttpHeader
import com.mapsindoors.auth.HttpRequest
import com.mapsindoors.auth.HttpResponse
import com.mapsindoors.auth.HttpTransport
import com.mapsindoors.auth.Platform
import com.mapsindoors.auth.Progress
import com.mapsindoors.auth.ProgressStep
import com.mapsindoors.auth.SecretStore
import com.mapsindoors.auth.SeedOptions
import com.mapsindoors.auth.StoreException
import com.mapsindoors.auth.StoreRecord
import com.mapsindoors.auth.TransportException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.Assert.assertTrue
import org.junit.Test
import java.io.File
import java.time.Duration

class FlowsTest {
    class Mismatch(message: String) : Exception(message)

    /** The transcript's events, consumed in order by every hook (from any thread). */
    class Script(vector: Map<String, Any?>) : HttpTransport, SecretStore, Platform, Progress, EventListener {
        private val events = ArrayDeque(vector["events"].arr().map { it.obj() })
        /** What the EventListener must be told: each transcript event's kind and purpose or reason. */
        val expectedEvents: List<String> = vector["events"].arr().map { e -> describe(e.obj()) }
        val told = java.util.Collections.synchronizedList(mutableListOf<AuthEvent>())
        private val random = ArrayDeque(vector["random"].arr().map { it as String })
        private val lock = Any()
        @Volatile var store: Any? = vector["store"]
        @Volatile var now: Long = vector["start_ms"] as Long
        /** fromStore's own load is no step: the client is built from the record. */
        @Volatile var building = false
        @Volatile var mismatch: String? = null
        @Volatile private var persistReason: String? = null
        @Volatile private var sleepReason: String? = null

        val remaining: Int get() = synchronized(lock) { events.size }

        private fun fail(message: String): Mismatch {
            if (mismatch == null) mismatch = message
            return Mismatch(message)
        }

        private fun next(key: String, asked: Any?): Map<String, Any?> = synchronized(lock) {
            val event = events.removeFirstOrNull() ?: throw fail("asked $key $asked, but the transcript has ended")
            if (!event.containsKey(key) || event[key] != asked) throw fail("$key:\n  expected $event\n  asked    $asked")
            event
        }

        override fun onEvent(event: AuthEvent) {
            told += event
        }

        override fun onStep(step: ProgressStep) {
            when (step) {
                is ProgressStep.Persist -> persistReason = step.reason
                is ProgressStep.Sleep -> sleepReason = step.reason
                else -> {}
            }
        }

        override suspend fun send(request: HttpRequest): HttpResponse {
            val asked = mapOf(
                "purpose" to request.purpose(),
                "method" to request.method(),
                "url" to request.url(),
                "headers" to request.headers().map { listOf(it.name, it.value) },
                "body" to String(request.body(), Charsets.UTF_8),
            )
            val event = next("send", asked)
            // Another writer saved this while the request was out.
            if (event.containsKey("store_now")) synchronized(lock) { store = event["store_now"] }
            event["fail"]?.obj()?.let { f ->
                val message = f["message"] as String
                throw when (f["kind"]) {
                    "connect" -> TransportException.Connect(message)
                    "timeout" -> TransportException.Timeout(message)
                    "interrupted" -> TransportException.Interrupted(message)
                    else -> TransportException.Other(message)
                }
            }
            val r = event["respond"].obj()
            val headers = r["headers"].arr().map { val h = it.arr(); HttpHeader(h[0] as String, h[1] as String) }
            return HttpResponse((r["status"] as Long).toInt(), headers, (r["body"] as String).toByteArray())
        }

        override suspend fun load(): StoreRecord? {
            val record = synchronized(lock) {
                if (!building) next("load", store)
                store
            }
            return record?.let { StoreRecord.fromStorageString(it.toJson()) }
        }

        override suspend fun save(record: StoreRecord, expectedGeneration: Long) {
            val saved = Json.parse(record.toStorageString())
            synchronized(lock) {
                val event = next("persist", mapOf("reason" to persistReason, "record" to saved))
                if (expectedGeneration != record.generation() - 1) {
                    throw fail("saved generation ${record.generation()} expecting $expectedGeneration")
                }
                if (event["result"] == "ok") {
                    store = saved
                    return
                }
                if (event.containsKey("store_now")) store = event["store_now"]
            }
            throw StoreException.Conflict("the store changed meanwhile")
        }

        override fun nowMs(): Long = now

        override suspend fun sleep(ms: Long) {
            synchronized(lock) {
                next("sleep", mapOf("ms" to ms, "reason" to sleepReason))
                now += ms
            }
        }

        override fun randomBytes(len: Int): ByteArray {
            val chunk = synchronized(lock) { random.removeFirstOrNull() } ?: throw fail("asked $len random bytes, the transcript has none left")
            if (chunk.length != 2 * len) throw fail("asked $len random bytes, the transcript has $chunk")
            return ByteArray(len) { chunk.substring(2 * it, 2 * it + 2).toInt(16).toByte() }
        }
    }

    companion object {
        /** `send login`, `load`, `persist pending`, `sleep backoff`: a transcript event in short. */
        fun describe(e: Map<String, Any?>): String = when {
            e.containsKey("send") -> "send ${e["send"].obj()["purpose"]}"
            e.containsKey("load") -> "load"
            e.containsKey("persist") -> "persist ${e["persist"].obj()["reason"]}"
            e.containsKey("sleep") -> "sleep ${e["sleep"].obj()["reason"]}"
            else -> "unknown $e"
        }

        /** The same of an AuthEvent. */
        fun describe(e: AuthEvent): String = listOfNotNull(e.event, e.purpose ?: e.reason).joinToString(" ")

        private val secretKeys = setOf("secret", "client_secret", "password", "access_token")

        /** The secrets and tokens a vector holds: values of those keys, in records and JSON bodies too. */
        fun secrets(v: Any?): List<String> = when (v) {
            is Map<*, *> -> v.entries.flatMap { (k, x) -> if (k in secretKeys && x is String) listOf(x) else secrets(x) }
            is List<*> -> v.flatMap { secrets(it) }
            is String -> if (v.startsWith("{")) runCatching { secrets(Json.parse(v)) }.getOrDefault(emptyList()) else emptyList()
            else -> emptyList()
        }
    }

    private fun flowFiles(): List<File> {
        val dir = File(System.getenv("MIA_FLOWS_DIR") ?: "tests/flows")
        return dir.listFiles { f -> f.name.endsWith(".json") }?.sortedBy { it.name } ?: emptyList()
    }

    private suspend fun build(vector: Map<String, Any?>, script: Script): AuthClient {
        val s = vector["session"].obj()
        val knobs = s["settings"].obj()
        val retries = (knobs["retries"] as Long).toInt()
        val wait = knobs["propagation_wait_ms"] as Long
        val timeout = knobs["timeout_ms"] as Long
        val description = knobs["description"] as String?
        if (s["from_store"] == true) {
            script.building = true
            try {
                return AuthClient.fromStore(script, script, retries, wait, timeout, description, script, script, script)
            } finally {
                script.building = false
            }
        }
        val config = ClientConfig(
            authUrl = s["base_url"] as String,
            customerId = s["customer_id"] as String?,
            retries = retries,
            propagationWaitMs = wait,
            timeoutMs = timeout,
            description = description,
        )
        val c = s["credentials"].obj()
        return if (c["grant"] == "client_credentials") {
            AuthClient.withClientSecret(config, c["client_id"] as String, ClientSecret(c["client_secret"] as String), script, script, script, script, script)
        } else {
            AuthClient.withPassword(config, c["username"] as String, c["password"] as String, script, script, script, script, script)
        }
    }

    /** A call's outcome as the transcripts write it. */
    private suspend fun invoke(client: AuthClient, call: Map<String, Any?>): Any? = try {
        mapOf("ok" to when (val name = call["call"]) {
            "token" -> client.token().let { mapOf("access_token" to it.expose(), "expires_in" to it.expiresIn()) }
            "list" -> client.listSecrets().map { it.id }
            "create" -> client.createSecret(call["description"] as String?).let { mapOf("id" to it.id(), "secret" to it.secret().expose()) }
            "delete" -> client.deleteSecret(call["id"] as String).let { null }
            "rotate" -> {
                // A vector's max_age_ms as the java.time.Duration an app passes.
                val maxAgeMs = call["max_age_ms"] as Long?
                client.rotate(maxAgeMs?.let { Duration.ofMillis(it) }).let { r ->
                    val out = mutableMapOf<String, Any?>(
                        "rotated" to r.rotated, "resumed" to r.resumed, "old_id" to r.oldId, "new_id" to r.newId,
                        "deleted" to r.deleted, "swept" to r.swept, "kept" to r.kept.map { it.id },
                        "round_trips" to r.roundTrips.toLong(), "persists" to r.persists.toLong(), "generation" to r.generation,
                    )
                    check(r.dueAt?.toEpochMilli() == r.dueAtMs) { "dueAt ${r.dueAt} is not dueAtMs ${r.dueAtMs}" }
                    if (maxAgeMs != null) {
                        out["decision"] = r.decision
                        out["due_at_ms"] = r.dueAtMs
                    } else {
                        check(r.decision in setOf("always", "unfinished")) { "a rotation without maxAge decided ${r.decision}" }
                    }
                    out
                }
            }
            "status" -> client.status(
                probe = call["probe"] as Boolean,
                maxAge = (call["max_age_ms"] as Long?)?.let { Duration.ofMillis(it) },
            ).let { s ->
                // The binding's own fields agree with each other and with the core's verdict.
                check(s.dueAt?.toEpochMilli() == s.dueAtMs && s.age?.toMillis() == s.ageMs) { "native dates differ: $s" }
                check(s.exitCode == mapOf("ok" to 0, "warning" to 1, "critical" to 2)[s.health]) { "exit code: $s" }
                check(s.findings.isEmpty() == (s.health == "ok")) { "findings: $s" }
                check(s.maxAgeMs == call["max_age_ms"]) { "maxAgeMs: $s" }
                mapOf(
                    "health" to s.health, "generation" to s.generation, "current_id" to s.currentId,
                    "age_ms" to s.ageMs, "due_at_ms" to s.dueAtMs, "due" to s.due, "unfinished" to s.unfinished,
                    "kept" to s.kept.map { it.id }, "last_rotation_ms" to s.lastRotationMs,
                    "check" to s.check?.let { c ->
                        mapOf("accepted" to c.accepted, "refusal_kind" to c.refusalKind, "secret_count" to c.secretCount?.toLong())
                    },
                )
            }
            "seed" -> client.seed(SeedOptions(secretId = call["secret_id"] as String?, claim = call["claim"] as Boolean)).let { mapOf("generation" to it.generation()) }
            "claim" -> client.claim(call["id"] as String).let { mapOf("generation" to it.generation()) }
            else -> error("unknown call $name")
        })
    } catch (e: AuthException) {
        val error = mutableMapOf<String, Any?>("kind" to e.code(), "status" to e.status()?.toLong(), "code" to e.oauthCode())
        if (e.code() == "rotation_incomplete") error["stage"] = e.stage()
        mapOf("error" to error)
    }

    private fun replay(vector: Map<String, Any?>) = runBlocking(Dispatchers.Default) {
        val script = Script(vector)
        withTimeout(30_000) {
            val client = build(vector, script)
            for (call in vector["calls"].arr().map { it.obj() }) {
                if (call["call"] == "advance") {
                    script.now += call["ms"] as Long
                    continue
                }
                val group = call["concurrent"]?.arr()?.map { it.obj() } ?: listOf(call)
                val results = group.map { async { invoke(client, it) } }.awaitAll()
                script.mismatch?.let { throw AssertionError(it) }
                for ((c, got) in group.zip(results)) {
                    val expect = c["expect"].obj()
                    if (expect.isNotEmpty() && expect != got) throw AssertionError("${c["call"]}: expected $expect, got $got")
                }
            }
        }
        script.mismatch?.let { throw AssertionError(it) }
        if (script.remaining != 0) throw AssertionError("${script.remaining} events never happened")
        if (script.store != vector["store_after"]) throw AssertionError("the store at the end differs: ${script.store.toJson()}")
        val told = synchronized(script.told) { script.told.toList() }
        val described = told.map { describe(it) }
        if (described != script.expectedEvents) throw AssertionError("events told:\n  ${described}\nthe transcript's:\n  ${script.expectedEvents}")
        if (told.any { it.durationMs < 0 }) throw AssertionError("a negative duration: $told")
        // No secret or token of the vector in any event.
        val secrets = secrets(vector).filter { it.length >= 4 }.toSet()
        if (secrets.isEmpty()) throw AssertionError("found no secret in the vector to look for")
        for (e in told) {
            val text = "$e"
            secrets.firstOrNull { text.contains(it) }?.let { throw AssertionError("an event holds a secret: $text") }
        }
    }

    @Test
    fun everyFlowVector() {
        val files = flowFiles()
        assertTrue("too few flow vectors: ${files.size}", files.size >= 10)
        val failures = mutableListOf<String>()
        for (file in files) {
            try {
                replay(Json.parse(file.readText()).obj())
            } catch (e: Throwable) {
                failures += "${file.name}: ${e.javaClass.simpleName}: ${e.message}"
            }
        }
        assertTrue("flow vector failures:\n" + failures.joinToString("\n"), failures.isEmpty())
        println("flow vectors: ${files.size} passed (kotlin)")
    }
}
