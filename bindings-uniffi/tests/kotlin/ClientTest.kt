// End-to-end tests of the Kotlin API against the emulator over loopback
// HTTP with the reference JdkHttpTransport: token, list, create, delete,
// seed, claim, rotate and rotate-at-login, concurrent rotations of one
// compare-and-swap store, errors crossing as the right exceptions,
// cancellation mid-rotation, and canary redaction.
package com.mapsindoors.auth.test

import com.mapsindoors.auth.AuthClient
import com.mapsindoors.auth.AuthException
import com.mapsindoors.auth.ClientConfig
import com.mapsindoors.auth.ClientSecret
import com.mapsindoors.auth.HttpRequest
import com.mapsindoors.auth.HttpResponse
import com.mapsindoors.auth.HttpTransport
import com.mapsindoors.auth.SecretStore
import com.mapsindoors.auth.SeedOptions
import com.mapsindoors.auth.StoreRecord
import com.mapsindoors.auth.TransportException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Before
import org.junit.Test

class ClientTest {
    private val canary = "CANARY-5b7e0d1f-must-not-leak"
    private val transport = JdkHttpTransport()

    private fun config(retries: Int = 3, propagationWaitMs: Long = 30_000) =
        ClientConfig(authUrl = Emulator.url, customerId = Emulator.CUSTOMER, retries = retries, propagationWaitMs = propagationWaitMs, description = "kotlin")

    private fun client(secret: String = Emulator.clientSecret, store: SecretStore? = null, t: HttpTransport = transport, cfg: ClientConfig = config()) =
        AuthClient.withClientSecret(cfg, Emulator.CLIENT, ClientSecret(secret), t, store)

    private inline fun <reified E : Throwable> assertThrows(block: () -> Unit): E {
        try {
            block()
        } catch (e: Throwable) {
            if (e is E) return e
            throw AssertionError("expected ${E::class.simpleName}, got $e", e)
        }
        fail("expected ${E::class.simpleName}, nothing thrown")
        throw IllegalStateException()
    }

    /** The secret works at the token endpoint. */
    private suspend fun works(secret: String): Boolean = try {
        client(secret).token(); true
    } catch (e: AuthException.CheckCredentials) {
        false
    }

    @Before
    fun reset() {
        Emulator.reset()
        Emulator.propagation(0)
        Emulator.admin("DELETE", "/_emulator/faults")
    }

    @Test
    fun tokenListCreateDelete() = runBlocking {
        val c = client()
        val t1 = c.token()
        assertEquals("Bearer", t1.tokenType())
        assertTrue(t1.expose().isNotEmpty())
        assertEquals("cached", t1.expose(), c.token().expose())

        val before = c.listSecrets().map { it.id }.toSet()
        assertEquals(Emulator.secretIds(), before)
        val created = c.createSecret("kotlin test")
        assertEquals("kotlin test", created.description())
        assertEquals(96, created.secret().expose().length)
        assertTrue(created.createdAtMs() > 1_700_000_000_000)
        assertEquals(before + created.id(), c.listSecrets().map { it.id }.toSet())
        assertTrue("the created secret logs in", works(created.secret().expose()))

        c.deleteSecret(created.id())
        assertEquals(before, c.listSecrets().map { it.id }.toSet())
        assertFalse(works(created.secret().expose()))
        val e = assertThrows<AuthException.NotFound> { runBlocking { c.deleteSecret(created.id()) } }
        assertEquals("not_found", e.code)
        assertEquals(404, e.status)
    }

    @Test
    fun passwordLoginAndForbiddenCustomer() = runBlocking {
        val user = AuthClient.withPassword(config(), "admin@example.com", "demo-password", transport, null)
        assertEquals(Emulator.secretIds(), user.listSecrets().map { it.id }.toSet())
        // Signed in as a user, a create names the client the secret is for.
        val made = user.createSecret("for the client", clientId = Emulator.CLIENT)
        assertEquals(Emulator.CLIENT, user.listSecrets().single { it.id == made.id() }.clientId)
        assertTrue("the new secret logs in as the client", works(made.secret().expose()))
        user.deleteSecret(made.id())
        val other = AuthClient.withPassword(config().copy(customerId = "other-customer"), "admin@example.com", "demo-password", transport, null)
        val e = assertThrows<AuthException.NotPermitted> { runBlocking { other.listSecrets() } }
        assertEquals("forbidden", e.code)
        val bad = AuthClient.withPassword(config(), "admin@example.com", canary, transport, null)
        val b = assertThrows<AuthException.CheckCredentials> { runBlocking { bad.token() } }
        assertEquals("invalid_grant", b.oauthCode)
        assertFalse(b.message!!.contains(canary))
    }

    @Test
    fun tokenIsFetchedOnceForConcurrentCallers() = runBlocking {
        val c = client()
        Emulator.admin("DELETE", "/_emulator/log")
        Emulator.fault("{\"route\":\"token\",\"action\":{\"delay_ms\":300}}")
        val tokens = (1..8).map { async { c.token().expose() } }.awaitAll()
        assertEquals(1, tokens.toSet().size)
        assertEquals(1, Emulator.log().count { it["route"] == "token" })
    }

    /** N concurrent listSecrets() on a cold client: the core's single flight makes one login serve them all. */
    @Test
    fun concurrentColdListSecretsMakeOneLogin() = runBlocking(Dispatchers.Default) {
        val c = client()
        Emulator.admin("DELETE", "/_emulator/log")
        Emulator.fault("{\"route\":\"token\",\"action\":{\"delay_ms\":300}}")
        val lists = (1..8).map { async { c.listSecrets().map { it.id }.toSet() } }.awaitAll()
        assertTrue(lists.all { it == Emulator.secretIds() })
        assertEquals("one login for 8 cold calls: ${Emulator.log()}", 1, logins().size)
    }

    /** POSTs to the token endpoint in the emulator's log (logins). */
    private fun logins(): List<Map<String, Any?>> =
        Emulator.log().filter { it["method"] == "POST" && (it["path"] as String).endsWith("/connect/token") }

    /**
     * A token the server revoked is refused with ASP.NET's 401 (the
     * `WWW-Authenticate: Bearer error="invalid_token"` header, and with
     * `json_body` also an `{"error":"invalid_token"}` body): listSecrets()
     * still succeeds after exactly one new login, and the client caches the
     * new token, never the revoked one.
     */
    @Test
    fun aRevokedTokenCostsExactlyOneNewLoginInBoth401Shapes() = runBlocking {
        try {
            for (jsonBody in listOf(false, true)) {
                val shape = "json_body=$jsonBody"
                Emulator.admin("POST", "/_emulator/bearer-errors", "{\"json_body\":$jsonBody}")
                Emulator.admin("DELETE", "/_emulator/log")
                val c = client()
                val revoked = c.token().expose()
                assertEquals("$shape: login 1", 1, logins().size)
                Emulator.admin("POST", "/_emulator/revoke-tokens")
                Emulator.admin("DELETE", "/_emulator/log")

                assertEquals(shape, Emulator.secretIds(), c.listSecrets().map { it.id }.toSet())
                val log = Emulator.log()
                assertEquals("$shape: exactly one new login: $log", 1, logins().size)
                val lists = log.filter { it["route"] == "list" }
                assertEquals("$shape: the revoked token refused once, then accepted: $log", listOf(401L, 200L), lists.map { (it["status"] as Number).toLong() })

                val after = c.token().expose()
                assertNotEquals("$shape: the revoked token is not cached", revoked, after)
                assertEquals("$shape: no further login", 1, logins().size)
                assertEquals("$shape: the new token is cached", after, c.token().expose())
                assertEquals(shape, Emulator.secretIds(), c.listSecrets().map { it.id }.toSet())
                assertEquals("$shape: still one login", 1, logins().size)
            }
        } finally {
            Emulator.admin("POST", "/_emulator/bearer-errors", "{\"json_body\":false}")
        }
    }

    @Test
    fun retriesTransientFailures() = runBlocking {
        Emulator.fault("{\"route\":\"token\",\"action\":{\"status\":{\"code\":503}},\"count\":2}")
        assertTrue(client().token().expose().isNotEmpty())
        Emulator.fault("{\"route\":\"list\",\"action\":{\"status\":{\"code\":429,\"retry_after\":\"7\"}}}")
        val e = assertThrows<AuthException.Retry> { runBlocking { client(cfg = config(retries = 0)).listSecrets() } }
        assertEquals("rate_limited", e.code)
        assertEquals(7L, e.retryAfter)
    }

    @Test
    fun rotateReplacesTheSecret() = runBlocking {
        val store = MemoryStore()
        val c = client(store = store)
        // This test's secret is its own (no other installation has it): claim it.
        val seeded = c.seed(SeedOptions(claim = true))
        assertEquals(1L, seeded.generation())
        assertTrue(seeded.currentSecretOwned())
        val report = c.rotate()
        assertTrue(report.rotated)
        val record = store.record()!!
        val current = record.currentSecret().expose()
        assertNotEquals(Emulator.clientSecret, current)
        assertEquals(report.newId, record.currentSecretId())
        assertFalse("old secret deleted", works(Emulator.clientSecret))
        assertTrue("new secret works", works(current))
        assertEquals("no orphans", setOf(record.currentSecretId()), Emulator.secretIds())
        assertFalse(record.hasUnfinishedRotation())
        // The client switched to the new secret.
        assertEquals(setOf(record.currentSecretId()), c.listSecrets().map { it.id }.toSet())

        val again = c.rotate()
        assertTrue(again.rotated)
        assertEquals(listOf(report.newId), again.deleted)
        assertEquals(setOf(again.newId), Emulator.secretIds())
    }

    @Test
    fun loginAndRotateEveryLogin() = runBlocking {
        val store = MemoryStore()
        var secretBefore = Emulator.clientSecret
        repeat(3) {
            // A fresh app start: the client is built from what the store holds.
            val c = store.record()?.let { client(it.currentSecret().expose(), store) }
                ?: client(store = store).also { it.seed(SeedOptions(claim = true)) }
            val login = c.loginAndRotate()
            assertTrue(login.report.rotated)
            assertTrue(login.token.expose().isNotEmpty())
            assertFalse(login.toString().contains(login.token.expose()))
            val now = store.record()!!.currentSecret().expose()
            assertFalse(works(secretBefore))
            assertTrue(works(now))
            assertEquals(1, Emulator.secretIds().size)
            secretBefore = now
        }
    }

    @Test
    fun transportFailuresCrossAsNetwork() = runBlocking {
        val refused = AuthClient.withClientSecret(ClientConfig(authUrl = "http://127.0.0.1:1", retries = 0), "c", ClientSecret(canary), transport, null)
        val e = assertThrows<AuthException.Network> { runBlocking { refused.token() } }
        assertEquals("transport", e.code)
        assertTrue(e.detail, e.detail.contains("connect"))
        assertFalse(e.message!!.contains(canary))

        val timeout = object : HttpTransport {
            override suspend fun send(request: HttpRequest): HttpResponse = throw TransportException.Timeout("gave up after 1 s")
        }
        val t = assertThrows<AuthException.Network> { runBlocking { client(t = timeout, cfg = config(retries = 0)).token() } }
        assertTrue(t.detail, t.detail.contains("timeout: gave up after 1 s"))

        val plain = object : HttpTransport {
            override suspend fun send(request: HttpRequest): HttpResponse = throw IllegalStateException("bug in the app")
        }
        val p = assertThrows<AuthException.Network> { runBlocking { client(t = plain, cfg = config(retries = 0)).token() } }
        assertEquals("transport", p.code)

        // A connection dropped by the server is retried for idempotent requests.
        Emulator.fault("{\"route\":\"list\",\"action\":\"drop_before\"}")
        assertEquals(Emulator.secretIds(), client().listSecrets().map { it.id }.toSet())
    }

    /**
     * A transport that ignores request.timeoutMs() cannot hold a call: the
     * binding races it against its own deadline (timeoutMs + 250 ms grace),
     * ends the call with a `timeout` transport error, and cancels the
     * transport's coroutine (uniffi cancels a dropped foreign future's job).
     */
    @Test
    fun aTransportThatNeverAnswersIsCutOffAtTheDeadline() = runBlocking {
        val cfg = config(retries = 2).copy(timeoutMs = 300)
        val cancelled = java.util.concurrent.CountDownLatch(1)
        val calls = java.util.concurrent.atomic.AtomicInteger()
        val never = object : HttpTransport {
            override suspend fun send(request: HttpRequest): HttpResponse {
                calls.incrementAndGet()
                try {
                    awaitCancellation()
                } finally {
                    cancelled.countDown()
                }
            }
        }
        var start = System.nanoTime()
        val e = assertThrows<AuthException.Network> { runBlocking { client(t = never, cfg = cfg).token() } }
        var took = (System.nanoTime() - start) / 1_000_000
        assertEquals("transport", e.code)
        assertEquals("timeout", e.transportKind)
        assertTrue(e.detail, e.detail.contains("cancelled"))
        assertTrue("ended at the deadline: $took ms", took in 300..1_300)
        assertEquals("a timeout is never retried", 1, calls.get())
        assertTrue("the transport's coroutine was cancelled", cancelled.await(2, java.util.concurrent.TimeUnit.SECONDS))

        // One that blocks its thread (it cannot even be cancelled) is cut off too.
        val blocking = object : HttpTransport {
            override suspend fun send(request: HttpRequest): HttpResponse {
                Thread.sleep(3_000)
                throw TransportException.Other("too late")
            }
        }
        start = System.nanoTime()
        val b = assertThrows<AuthException.Network> { runBlocking { client(t = blocking, cfg = cfg).listSecrets() } }
        took = (System.nanoTime() - start) / 1_000_000
        assertEquals("timeout", b.transportKind)
        assertTrue("ended at the deadline: $took ms", took in 300..1_300)
    }

    @Test
    fun storeFailuresCrossAsStoreFailed() = runBlocking {
        val store = MemoryStore()
        store.failLoad = true
        val e = assertThrows<AuthException.StoreFailed> { runBlocking { client(store = store).rotate() } }
        assertEquals("store", e.code)
        assertTrue(e.detail, e.detail.contains("keystore unavailable"))
        store.failLoad = false

        // An empty store gives the same store error in every binding.
        val empty = assertThrows<AuthException.StoreFailed> {
            runBlocking { AuthClient.fromStore(transport, MemoryStore(), 3, 30000L, 30000L, null, null, null) }
        }
        assertEquals("store", empty.code)
        assertTrue(empty.detail, empty.detail.contains("the store is empty"))

        val noStore = assertThrows<AuthException.InvalidInput> { runBlocking { client().rotate() } }
        assertEquals("invalid_input", noStore.code)

        // Saving the new secret fails: the rotation stops safely, the old secret still works.
        client(store = store).seed(SeedOptions(claim = true))
        store.failSaveAtGeneration = 3L
        val r = assertThrows<AuthException> { runBlocking { client(store = store).rotate() } }
        val info = r.info()
        assertTrue(info.toString(), info.variant == "RotationIncompleteRunAgain" || info.variant == "StoreFailed")
        assertTrue(info.detail, info.detail.contains("disk full"))
        assertTrue(works(store.record()!!.currentSecret().expose()))
        store.failSaveAtGeneration = null
        val report = client(store.record()!!.currentSecret().expose(), store).rotate()
        assertTrue(report.rotated)
        assertFalse("the claimed old secret was deleted", works(Emulator.clientSecret))
        assertTrue(works(store.record()!!.currentSecret().expose()))
        // The failed run's secret (never saved as pending) was swept: its rotation was recorded.
        assertEquals(1, report.swept.size)
        assertEquals(setOf(store.record()!!.currentSecretId()), Emulator.secretIds())

        // A plain exception from the store also arrives as StoreFailed.
        store.throwPlainOnSave = true
        val plain = assertThrows<AuthException> { runBlocking { client(store.record()!!.currentSecret().expose(), store).rotate() } }
        assertTrue(plain.info().toString(), plain.info().code in setOf("store", "rotation_incomplete"))
    }

    /** Delegates to the JDK transport but hangs forever on requests that match. */
    private class HangingTransport(private val hangOn: (HttpRequest) -> Boolean) : HttpTransport {
        private val inner = JdkHttpTransport()
        @Volatile var hung = false
        override suspend fun send(request: HttpRequest): HttpResponse {
            if (hangOn(request)) {
                hung = true
                awaitCancellation()
            }
            return inner.send(request)
        }
    }

    @Test
    fun cancelledDuringDeleteThenRecovered() = runBlocking {
        val store = MemoryStore()
        client(store = store).seed(SeedOptions(claim = true))
        val hanging = HangingTransport { it.method() == "DELETE" }
        val c = client(store = store, t = hanging)
        assertThrows<TimeoutCancellationException> { runBlocking { withTimeout(5_000) { c.rotate() } } }
        assertTrue("cancelled while deleting", hanging.hung)
        val record = store.record()!!
        assertTrue(record.hasUnfinishedRotation())
        assertTrue("the stored secret works", works(record.currentSecret().expose()))

        val report = client(record.currentSecret().expose(), store).rotate()
        assertTrue(report.resumed)
        val after = store.record()!!
        assertFalse(after.hasUnfinishedRotation())
        assertTrue(works(after.currentSecret().expose()))
        assertFalse(works(Emulator.clientSecret))
        assertEquals("no secret lost, no orphans", setOf(after.currentSecretId()), Emulator.secretIds())
    }

    @Test
    fun cancelledDuringVerifyThenRecovered() = runBlocking {
        val store = MemoryStore()
        client(store = store).seed(SeedOptions(claim = true))
        Emulator.propagation(60_000)
        val c = client(store = store)
        assertThrows<TimeoutCancellationException> { runBlocking { withTimeout(2_000) { c.rotate() } } }
        val record = store.record()!!
        assertTrue("a pending secret was saved", record.hasUnfinishedRotation())
        assertTrue(works(record.currentSecret().expose()))
        assertEquals(2, Emulator.secretIds().size)

        Emulator.propagation(0)
        val report = client(record.currentSecret().expose(), store).rotate()
        assertTrue(report.resumed)
        val after = store.record()!!
        assertFalse(after.hasUnfinishedRotation())
        assertTrue(works(after.currentSecret().expose()))
        assertEquals("no secret lost, no orphans", setOf(after.currentSecretId()), Emulator.secretIds())
    }

    @Test
    fun canaryNeverPrinted() = runBlocking {
        val secret = ClientSecret(canary)
        assertEquals(canary, secret.expose())
        val seen = mutableListOf<String>()
        val spy = object : HttpTransport {
            override suspend fun send(request: HttpRequest): HttpResponse {
                seen += request.toString()
                return transport.send(request)
            }
        }
        val c = AuthClient.withClientSecret(config(retries = 0), Emulator.CLIENT, secret, spy, null)
        val e = assertThrows<AuthException.CheckCredentials> { runBlocking { c.token() } }
        assertEquals("invalid_client", e.oauthCode)
        val record = StoreRecord.create(Emulator.url, Emulator.CUSTOMER, Emulator.CLIENT, secret, "id-1")
        assertTrue(record.toStorageString().contains(canary))
        val printed = listOf(secret.toString(), c.toString(), e.toString(), e.message ?: "", e.detail, record.toString(), seen.joinToString()) +
            listOf(StoreRecord.fromStorageString(record.toStorageString()).toString())
        for (text in printed) assertFalse("leaked: $text", text.contains(canary))
        assertTrue(seen.isNotEmpty())

        val created = client().createSecret("canary")
        val value = created.secret().expose()
        assertFalse(created.toString().contains(value))
        assertFalse(created.secret().toString().contains(value))
        val token = client().token()
        assertFalse(token.toString().contains(token.expose()))

        val corrupt = assertThrows<AuthException.StoreFailed> { StoreRecord.fromStorageString(record.toStorageString().replace("\"version\": 2", "\"version\": 9")) }
        assertFalse(corrupt.message!!.contains(canary))
    }

    /** The one secret the emulator's demo client starts with. */
    private fun demoSecretId(): String = Emulator.secretIds().single()

    @Test
    fun emptyStoreIsSeededAndTheHandedInSecretKeptUnlessClaimed() = runBlocking {
        val originalId = demoSecretId()
        val store = MemoryStore()
        val c = client(store = store)
        // rotate() on an empty store seeds it first (login, list, save generation 1).
        val first = c.rotate()
        assertTrue(first.rotated)
        assertTrue("the handed-in secret is kept: other installations may use it", works(Emulator.clientSecret))
        val kept = first.kept.single()
        assertEquals(originalId, kept.id)
        assertNotNull(kept.createdAt)
        assertTrue(kept.reason, kept.reason.isNotEmpty())
        assertTrue(kept.advice, kept.advice.contains(originalId))
        assertEquals(listOf(kept), store.record()!!.keptSecrets())
        assertTrue(store.record()!!.currentSecretOwned())

        // The next rotation deletes its own secret and still keeps the handed-in one.
        val second = c.rotate()
        assertEquals(listOf(first.newId), second.deleted)
        assertEquals(originalId, second.kept.single().id)
        assertTrue(works(Emulator.clientSecret))

        // Claimed, it is deleted by the next rotation.
        val claimed = c.claim(originalId)
        assertEquals(store.record()!!.generation(), claimed.generation())
        assertTrue(claimed.keptSecrets().isEmpty())
        assertEquals("delete_old", claimed.unfinishedStage())
        val third = c.rotate()
        assertEquals(listOf(originalId), third.deleted)
        assertTrue(third.kept.isEmpty())
        assertFalse(works(Emulator.clientSecret))
        val after = store.record()!!
        assertTrue(works(after.currentSecret().expose()))
        assertNull(after.unfinishedStage())
        assertEquals(setOf(after.currentSecretId()), Emulator.secretIds())

        // Only a kept (or the current) secret can be claimed.
        val e = assertThrows<AuthException.InvalidInput> { runBlocking { c.claim("no-such-secret") } }
        assertEquals("invalid_input", e.code)
    }

    @Test
    fun seedOptionsNameOrClaimTheSecret() = runBlocking {
        val originalId = demoSecretId()
        // Unclaimed by default; a second seed leaves the store unchanged.
        val store = MemoryStore()
        val seeded = client(store = store).seed(SeedOptions())
        assertEquals(1L, seeded.generation())
        assertEquals(originalId, seeded.currentSecretId())
        assertFalse(seeded.currentSecretOwned())
        val again = client(store = store).seed(SeedOptions(claim = true))
        assertFalse("an existing record is not re-seeded", again.currentSecretOwned())
        assertEquals(1, store.saves.get())

        // A named id must be one of the client's secrets; naming it claims it.
        val bad = assertThrows<AuthException.InvalidInput> { runBlocking { client(store = MemoryStore()).seed(SeedOptions(secretId = "nope")) } }
        assertTrue(bad.detail, bad.detail.contains("secret_id"))
        val named = client(store = MemoryStore()).seed(SeedOptions(secretId = originalId))
        assertTrue(named.currentSecretOwned())

        // With several secrets and no id, the secret is unidentified: the
        // candidates are recorded and a rotation keeps it, naming them.
        val other = client().createSecret("another installation")
        val multi = MemoryStore()
        assertThrows<AuthException.InvalidInput> { runBlocking { client(store = multi).seed(SeedOptions(claim = true)) } }
        assertNull(multi.record())
        val report = client(store = multi).rotate()
        val kept = report.kept.single()
        assertNull(kept.id)
        assertEquals(setOf(originalId, other.id()), kept.candidates.map { it.id }.toSet())
        assertTrue(kept.advice, kept.advice.contains(other.id()))
        assertTrue(works(Emulator.clientSecret))
        assertTrue(works(other.secret().expose()))
    }

    @Test
    fun oneClientRotatesOneAtATime() = runBlocking(Dispatchers.Default) {
        val store = MemoryStore()
        val c = client(store = store)
        c.seed(SeedOptions(claim = true))
        val reports = (1..2).map { async { c.rotate() } }.awaitAll()
        assertTrue(reports.all { it.rotated })
        assertEquals("the lock serialised them: no conflict", 0, store.conflicts.get())
        val newIds = reports.map { it.newId }.toSet()
        val last = store.record()!!
        assertTrue(last.currentSecretId() in newIds)
        assertTrue(works(last.currentSecret().expose()))
        assertEquals(setOf(last.currentSecretId()), Emulator.secretIds())
    }

    @Test
    fun twoClientsRotatingOneStoreNeverDeleteThePromotedSecret() = runBlocking(Dispatchers.Default) {
        val store = MemoryStore()
        client(store = store).seed(SeedOptions(claim = true))
        // Jitter every save so the two runs interleave differently each round.
        store.beforeSave = { delay(kotlin.random.Random.nextLong(0, 25)) }
        val outcomes = mutableListOf<String>()
        repeat(6) { round ->
            val current = store.record()!!.currentSecret().expose()
            // Two clients (no shared lock): only the store's compare-and-swap protects them.
            val runs = (1..2).map { client(current, store) }.map { c ->
                async {
                    try {
                        c.rotate(); "ok"
                    } catch (e: AuthException.ConflictRunAgain) {
                        assertEquals("store", e.code)
                        "conflict"
                    } catch (e: AuthException.RotationIncompleteRunAgain) {
                        "incomplete"
                    }
                }
            }.awaitAll()
            outcomes += runs
            val record = store.record()!!
            assertTrue("round $round ($runs): the store's current secret logs in", works(record.currentSecret().expose()))
            assertTrue("round $round: the current secret exists", record.currentSecretId() in Emulator.secretIds())
        }
        assertTrue("some run succeeded: $outcomes", "ok" in outcomes)
        println("two clients, one CAS store, 6 rounds: ${outcomes.groupingBy { it }.eachCount()}, ${store.conflicts.get()} CAS conflicts")
        // A clean run afterwards finishes whatever the races left.
        store.beforeSave = null
        val record = store.record()!!
        client(record.currentSecret().expose(), store).rotate()
        val after = store.record()!!
        assertTrue(works(after.currentSecret().expose()))
        assertTrue(after.currentSecretId() in Emulator.secretIds())
    }

    @Test
    fun aConflictSurfacesAsConflictRunAgain() = runBlocking {
        val store = MemoryStore()
        client(store = store).seed(SeedOptions(claim = true))
        val secret = store.record()!!.currentSecret().expose()
        val mine = client(secret, store)
        var theirs: String? = null
        // Between this run's load and its first save, another client rotates the store.
        store.beforeSave = { _ ->
            store.beforeSave = null
            theirs = client(secret, store).rotate().newId
        }
        val e = assertThrows<AuthException.ConflictRunAgain> { runBlocking { mine.rotate() } }
        assertEquals("store", e.code)
        assertTrue(e.detail, e.detail.contains("run again"))
        val record = store.record()!!
        assertEquals("the other run's secret is current", theirs, record.currentSecretId())
        assertTrue(works(record.currentSecret().expose()))
        assertTrue(mine.rotate().rotated)
        assertTrue(works(store.record()!!.currentSecret().expose()))
    }
}
