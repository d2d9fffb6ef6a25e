// Running rotation in production, end to end against the emulator over
// loopback HTTP: rotate(maxAge) (not due: no request, nothing created; due:
// rotated), status(probe, maxAge) (ok, warning when due, critical once the
// secret was deleted out of band) and the EventListener (every step of a
// rotation, purposes in order, durations, never a secret), also read as a
// Kotlin Flow through a Channel.
package com.mapsindoors.auth.test

import com.mapsindoors.auth.AuthClient
import com.mapsindoors.auth.AuthEvent
import com.mapsindoors.auth.AuthException
import com.mapsindoors.auth.ClientConfig
import com.mapsindoors.auth.ClientSecret
import com.mapsindoors.auth.EventListener
import com.mapsindoors.auth.HttpRequest
import com.mapsindoors.auth.HttpResponse
import com.mapsindoors.auth.HttpTransport
import com.mapsindoors.auth.Progress
import com.mapsindoors.auth.ProgressStep
import com.mapsindoors.auth.SeedOptions
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.consumeAsFlow
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Before
import org.junit.Test
import java.time.Duration
import java.time.Instant
import java.util.Collections
import java.util.concurrent.atomic.AtomicInteger

class OperationsTest {
    private val canary = "CANARY-9c41e2aa-must-not-leak"
    private val transport = JdkHttpTransport()

    /** The emulator's demo secret was created on 2024-05-27. */
    private val demoCreated = Instant.parse("2024-05-27T13:46:31.843Z")

    /** Counts the requests sent through it. */
    private class Counting(private val inner: HttpTransport) : HttpTransport {
        val sent = AtomicInteger()
        override suspend fun send(request: HttpRequest): HttpResponse {
            sent.incrementAndGet()
            return inner.send(request)
        }
    }

    /** Collects events and progress steps. */
    private class Recorder : EventListener, Progress {
        val events: MutableList<AuthEvent> = Collections.synchronizedList(mutableListOf())
        val steps: MutableList<ProgressStep> = Collections.synchronizedList(mutableListOf())
        override fun onEvent(event: AuthEvent) { events += event }
        override fun onStep(step: ProgressStep) { steps += step }
    }

    /** The README's async iterator: events as a Flow, through an unlimited Channel. */
    private class ChannelEvents : EventListener {
        val channel = Channel<AuthEvent>(Channel.UNLIMITED)
        override fun onEvent(event: AuthEvent) { channel.trySend(event) }
    }

    private fun config(retries: Int = 3) =
        ClientConfig(authUrl = Emulator.url, customerId = Emulator.CUSTOMER, retries = retries, description = "kotlin ops")

    private fun demoSecretId(): String = Emulator.secretIds().single()

    @Before
    fun reset() {
        Emulator.reset()
        Emulator.propagation(0)
        Emulator.admin("DELETE", "/_emulator/faults")
    }

    /** A claimed store seeded with the demo secret, and a client of it over `t`. */
    private suspend fun seeded(t: HttpTransport = transport, events: EventListener? = null, progress: Progress? = null): Pair<AuthClient, MemoryStore> {
        val store = MemoryStore()
        val c = AuthClient.withClientSecret(config(), Emulator.CLIENT, ClientSecret(Emulator.clientSecret), t, store, progress = progress, events = events)
        c.seed(SeedOptions(claim = true))
        return c to store
    }

    @Test
    fun aRotationNotDueSendsNothingAndCreatesNothing() = runBlocking {
        val counting = Counting(transport)
        val (c, store) = seeded(counting)
        val before = Emulator.secretIds()
        val generation = store.record()!!.generation()
        counting.sent.set(0)

        val maxAge = Duration.ofDays(3650)
        val r = c.rotate(maxAge = maxAge)
        assertFalse(r.rotated)
        assertEquals("not_due", r.decision)
        assertEquals(0, counting.sent.get())
        assertEquals(0, r.roundTrips)
        assertEquals(demoCreated.plus(maxAge), r.dueAt)
        assertEquals(demoCreated.plus(maxAge).toEpochMilli(), r.dueAtMs)
        assertNull(r.newId)
        assertEquals("nothing created", before, Emulator.secretIds())
        assertEquals("nothing saved", generation, store.record()!!.generation())
        // Rotate at login, only when due: the same decision, then the cached token.
        val login = c.loginAndRotate(maxAge = maxAge)
        assertEquals("not_due", login.report.decision)
        assertTrue(login.token.expose().isNotEmpty())
        assertEquals(before, Emulator.secretIds())
    }

    @Test
    fun aRotationDueRotates() = runBlocking {
        val (c, store) = seeded()
        val oldId = demoSecretId()
        val maxAge = Duration.ofDays(30)
        val r = c.rotate(maxAge)
        assertTrue(r.rotated)
        assertEquals("due", r.decision)
        assertEquals(oldId, r.oldId)
        assertEquals(listOf(oldId), r.deleted)
        assertEquals(setOf(r.newId), Emulator.secretIds())
        assertEquals(r.newId, store.record()!!.currentSecretId())
        // The new secret is due 30 days after its creation, a moment ago.
        val dueAt = r.dueAt
        assertNotNull(dueAt)
        val fromNow = Duration.between(Instant.now(), dueAt!!)
        assertTrue("due in about 30 days: $dueAt", fromNow <= maxAge && fromNow > maxAge.minusMinutes(5))
        // And so the next run is not due.
        val again = c.rotate(maxAge)
        assertEquals("not_due", again.decision)
        assertEquals(r.dueAtMs, again.dueAtMs)
        // Without a maxAge every run rotates.
        assertEquals("always", c.rotate().decision)
    }

    @Test
    fun aBadMaxAgeIsInvalidInputBeforeAnyRequest() = runBlocking {
        val counting = Counting(transport)
        val (c, _) = seeded(counting)
        counting.sent.set(0)
        for (bad in listOf(Duration.ZERO, Duration.ofDays(3700))) {
            try {
                c.rotate(bad)
                fail("maxAge $bad accepted")
            } catch (e: AuthException.InvalidInput) {
                assertTrue(e.detail, e.detail.contains("max_age"))
            }
            try {
                c.status(maxAge = bad)
                fail("status maxAge $bad accepted")
            } catch (e: AuthException.InvalidInput) {
                assertEquals("invalid_input", e.code())
            }
        }
        assertEquals(0, counting.sent.get())
    }

    @Test
    fun statusWithProbeSaysOk() = runBlocking {
        val (c, _) = seeded()
        val id = demoSecretId()
        val quiet = c.status()
        assertEquals("ok", quiet.health)
        assertEquals(0, quiet.exitCode)
        assertTrue(quiet.findings.isEmpty())
        assertNull("no probe, no check", quiet.check)
        assertEquals(1L, quiet.generation)
        assertEquals(id, quiet.currentId)
        assertTrue(quiet.currentOwned)
        assertEquals(Emulator.CLIENT, quiet.clientId)
        assertEquals(Emulator.CUSTOMER, quiet.customerId)
        assertNull(quiet.unfinished)
        assertNull(quiet.dueAt)
        assertFalse(quiet.due)
        val age = Duration.between(demoCreated, Instant.now())
        assertTrue("age ${quiet.age}", quiet.age!!.minus(age).abs() < Duration.ofMinutes(1))

        val probed = c.status(probe = true, maxAge = Duration.ofDays(3650))
        assertEquals("ok", probed.health)
        val check = probed.check!!
        assertTrue(check.accepted)
        assertEquals(1, check.secretCount)
        assertNull(check.refusal)
        assertEquals(demoCreated.plus(Duration.ofDays(3650)), probed.dueAt)

        // Due with a shorter maxAge: a warning, exit code 1.
        val due = c.status(maxAge = Duration.ofDays(30))
        assertEquals("warning", due.health)
        assertEquals(1, due.exitCode)
        assertTrue(due.due)
        assertEquals(listOf("the secret is due for rotation"), due.findings)
        // A data class whose toString holds no secret.
        assertFalse(probed.toString().contains(Emulator.clientSecret))
    }

    @Test
    fun statusAfterTheSecretIsDeletedOutOfBandIsCritical() = runBlocking {
        val (c, _) = seeded()
        val id = demoSecretId()
        // An administrator deletes the store's secret elsewhere.
        AuthClient.withPassword(config(), "admin@example.com", "demo-password", transport, null).deleteSecret(id)
        val s = c.status(probe = true)
        assertEquals("critical", s.health)
        assertEquals(2, s.exitCode)
        val check = s.check!!
        assertFalse(check.accepted)
        assertEquals("invalid_client", check.refusalKind)
        assertNull(check.secretCount)
        assertTrue(s.findings.toString(), s.findings.single().startsWith("the server refuses the current secret"))
        assertFalse(s.toString().contains(Emulator.clientSecret))
        // Without a probe the store alone looks fine.
        assertEquals("ok", c.status().health)
    }

    @Test
    fun statusOfAnEmptyStoreIsAStoreError() = runBlocking {
        val c = AuthClient.withClientSecret(config(), Emulator.CLIENT, ClientSecret(Emulator.clientSecret), transport, MemoryStore())
        try {
            c.status()
            fail("an empty store has a status")
        } catch (e: AuthException.StoreFailed) {
            assertEquals("store", e.code())
        }
        val none = AuthClient.withClientSecret(config(), Emulator.CLIENT, ClientSecret(Emulator.clientSecret), transport, null)
        try {
            none.status()
            fail("no store has a status")
        } catch (e: AuthException.InvalidInput) {
            assertTrue(e.detail, e.detail.contains("store"))
        }
    }

    @Test
    fun eventsArriveForEveryStepOfARotation() = runBlocking {
        val recorder = Recorder()
        val (c, store) = seeded(events = recorder, progress = recorder)
        recorder.events.clear()
        recorder.steps.clear()
        val r = c.rotate()
        assertTrue(r.rotated)
        val events = recorder.events.toList()
        val steps = recorder.steps.toList()
        // One event after each step the progress listener heard of, same kinds and purposes in order.
        fun ProgressStep.short() = when (this) {
            is ProgressStep.Send -> "send $purpose"
            is ProgressStep.Load -> "load"
            is ProgressStep.Persist -> "persist $reason"
            is ProgressStep.Sleep -> "sleep $reason"
        }
        assertEquals(steps.map { it.short() }, events.map { listOfNotNull(it.event, it.purpose ?: it.reason).joinToString(" ") })
        val purposes = events.filter { it.event == "send" }.map { it.purpose }
        assertEquals(r.roundTrips, purposes.size)
        assertTrue("create, verify, delete_old in order: $purposes",
            purposes.indexOf("create") in 0 until purposes.indexOf("verify") && purposes.indexOf("verify") < purposes.indexOf("delete_old"))
        assertEquals(r.persists, events.count { it.event == "persist" })
        for (e in events) {
            assertTrue("$e", e.durationMs >= 0)
            assertEquals("$e", "ok", e.outcome)
            if (e.event == "send") assertTrue("$e", e.status in 200..299)
            assertEquals(e.event, Json.parse(e.json).obj()["event"])
        }
        // Saves carry their generation, one after another.
        val generations = events.filter { it.event == "persist" }.map { it.generation!! }
        assertEquals((2L..r.generation).toList(), generations)
        // Never a secret: not the old one, the new one, or a token.
        val secrets = listOf(Emulator.clientSecret, store.record()!!.currentSecret().expose(), c.token().expose())
        for (e in events) for (s in secrets) {
            assertFalse("an event holds a secret: $e", e.toString().contains(s) || e.json.contains(s))
        }
    }

    @Test
    fun aRefusedCanarySecretsEventsHoldNoSecret() = runBlocking {
        val recorder = Recorder()
        val c = AuthClient.withClientSecret(config(retries = 0), Emulator.CLIENT, ClientSecret(canary), transport, null, events = recorder)
        try {
            c.token()
            fail("a canary secret logged in")
        } catch (e: AuthException.CheckCredentials) {
            assertEquals("invalid_client", e.oauthCode())
        }
        val e = recorder.events.single()
        assertEquals("send", e.event)
        assertEquals("login", e.purpose)
        assertEquals("http_error", e.outcome)
        assertTrue("$e", e.status in 400..401)
        assertFalse(e.toString().contains(canary))
        assertFalse(e.json.contains(canary))
    }

    @Test
    fun eventsAsAFlow() = runBlocking {
        val listener = ChannelEvents()
        val (c, _) = seeded(events = listener)
        c.rotate(Duration.ofDays(30))
        listener.channel.close()
        val events = listener.channel.consumeAsFlow().toList()
        assertTrue(events.any { it.event == "send" && it.purpose == "create" })
        assertTrue(events.all { it.durationMs >= 0 })
    }
}
