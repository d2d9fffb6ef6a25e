// The shared hostile-server corpus (tests/hostile/cases.json) through the
// public Kotlin API, against the emulator's hostile mode over loopback, with
// the reference JdkHttpTransport, following tests/hostile/README.md: every
// case ends in the expected AuthException (code, status, transport kind,
// OAuth code, message parts) within its time, never shows the secret it
// sent, sends nothing to the second origin, and leaves the customer's
// secrets and the store in a state the next run recovers from.
// Prints `hostile: N passed, F failed (kotlin)` and the slowest case.
package com.mapsindoors.auth.test

import com.mapsindoors.auth.AuthClient
import com.mapsindoors.auth.AuthException
import com.mapsindoors.auth.ClientConfig
import com.mapsindoors.auth.ClientSecret
import com.mapsindoors.auth.SecretStore
import com.mapsindoors.auth.SeedOptions
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeoutOrNull
import org.junit.Assert.assertTrue
import org.junit.Test
import java.io.File

class HostileCorpusTest {
    private val transport = JdkHttpTransport()

    private fun corpus(): Map<String, Any?> {
        val dir = File(System.getenv("MIA_HOSTILE_DIR") ?: "tests/hostile")
        return Json.parse(File(dir, "cases.json").readText()).obj()
    }

    private fun client(cfg: ClientConfig, secret: String, store: SecretStore? = null) =
        AuthClient.withClientSecret(cfg, Emulator.CLIENT, ClientSecret(secret), transport, store)

    /** What reached the second origin (`GET /_emulator/elsewhere`). */
    private fun elsewhere(): List<Any?> = Json.parse(Emulator.admin("GET", "/_emulator/elsewhere")).arr()

    @Test
    fun everyHostileCase() {
        val corpus = corpus()
        val settings = corpus["settings"].obj()
        val timeoutMs = settings["timeout_ms"] as Long
        val cfg = ClientConfig(
            authUrl = Emulator.url,
            customerId = Emulator.CUSTOMER,
            retries = (settings["retries"] as Long).toInt(),
            timeoutMs = timeoutMs,
        )
        val cases = corpus["cases"].arr().map { it.obj() }
        val failures = mutableListOf<String>()
        var slowest = 0L
        var slowestCase = ""
        for (case in cases) {
            val name = case["name"] as String
            try {
                val took = runCase(corpus, cfg, case)
                if (took > slowest) {
                    slowest = took
                    slowestCase = name
                }
            } catch (e: Throwable) {
                failures += "$name: ${e.javaClass.simpleName}: ${e.message}"
            } finally {
                Emulator.admin("DELETE", "/_emulator/faults")
            }
        }
        println("hostile: slowest $slowest ms ($slowestCase, deadline $timeoutMs ms)")
        println("hostile: ${cases.size - failures.size} passed, ${failures.size} failed (kotlin)")
        assertTrue("hostile failures:\n" + failures.joinToString("\n"), failures.isEmpty())
        assertTrue("the corpus has cases", cases.size >= 30)
    }

    /** Runs one case; returns its time in ms, or throws what is wrong. */
    private fun runCase(corpus: Map<String, Any?>, cfg: ClientConfig, case: Map<String, Any?>): Long = runBlocking {
        val secret = Emulator.clientSecret
        // 1. A fresh emulator state; no propagation delay; bearer errors without a body.
        Emulator.reset()
        Emulator.propagation(0)
        Emulator.admin("POST", "/_emulator/bearer-errors", "{\"json_body\":false}")
        val before = Emulator.secretIds()
        // 2. rotate: a store seeded with the banner secret, claimed.
        val call = case["call"] as String
        val store = if (call == "rotate") MemoryStore().also { client(cfg, secret, it).seed(SeedOptions(claim = true)) } else null
        // 3. The case's faults, in order.
        for (fault in case["faults"].arr()) Emulator.fault(fault.toJson())
        // 4. The call, timed.
        val c = client(cfg, secret, store)
        val maxMs = (case["max_ms"] as Long?) ?: 1500L
        val start = System.nanoTime()
        val outcome: Result<Any?>? = withTimeoutOrNull(maxMs * 4 + 5_000) {
            runCatching {
                when (call) {
                    "token" -> c.token()
                    "list" -> c.listSecrets()
                    "create" -> c.createSecret(corpus["description"] as String)
                    "delete" -> c.deleteSecret(corpus["delete_id"] as String)
                    "rotate" -> c.rotate()
                    else -> error("unknown call $call")
                }
            }
        }
        val took = (System.nanoTime() - start) / 1_000_000
        check(outcome != null) { "no outcome within ${maxMs * 4 + 5_000} ms: hung" }
        // 5. The outcome, the time, the secret never shown, nothing elsewhere.
        val error = outcome.exceptionOrNull()
        // The secret first: the checks below quote the error's text.
        if (error != null) {
            for (text in listOf(error.message ?: "", error.toString(), (error as? AuthException)?.detail() ?: "")) {
                check(!text.contains(secret)) { "the secret reached the error's text" }
            }
        }
        val got = (error as? AuthException)?.info()?.let { i -> listOfNotNull(i.code, i.status, i.transportKind).joinToString("/") }
            ?: error?.javaClass?.simpleName ?: "ok"
        println("hostile case ${case["name"]}: $got in $took ms")
        checkOutcome(case, outcome)
        check(took <= maxMs) { "took $took ms > $maxMs ms" }
        val hits = elsewhere()
        check(hits.isEmpty()) { "reached the second origin: $hits" }
        // 6. Recovery.
        Emulator.admin("DELETE", "/_emulator/faults")
        if (store != null) {
            val again = AuthClient.fromStore(transport, store, 3, 30_000L, 30_000L, null, null, null)
            // It succeeds (a run that only finishes the last one's delete rotates nothing new).
            try {
                again.rotate()
            } catch (e: AuthException) {
                throw AssertionError("the next rotation failed: ${e.info()}")
            }
            val record = store.record() ?: error("the store is empty")
            try {
                client(cfg, record.currentSecret().expose()).token()
            } catch (e: AuthException) {
                throw AssertionError("the store's secret does not log in: ${e.info()}")
            }
            val held = Emulator.secretIds()
            check(held == setOf(record.currentSecretId())) {
                "the server holds $held, the store ${record.currentSecretId()}: a secret was orphaned or a delete counted as done"
            }
        } else {
            val after = Emulator.secretIds()
            check(after == before) { "the server's secrets changed: $before -> $after" }
        }
        took
    }

    /** The outcome matches `expect`: success, or an AuthException with the kind, status, transport kind, OAuth code and message parts. */
    private fun checkOutcome(case: Map<String, Any?>, outcome: Result<Any?>) {
        val expect = case["expect"].obj()
        val error = outcome.exceptionOrNull()
        if (expect["ok"] == true) {
            if (error != null) throw AssertionError("expected success, got ${(error as? AuthException)?.info() ?: error}")
            return
        }
        val want = expect["error"].obj()
        check(error != null) { "succeeded against a hostile server: ${outcome.getOrNull()}" }
        if (error !is AuthException) throw AssertionError("not an AuthException: $error", error)
        val info = error.info()
        val kinds = want["kind"].arr()
        check(info.code in kinds) { "kind ${info.code}, want one of $kinds: $info" }
        check(info.variant in VARIANT_OF_CODE.getValue(info.code)) { "the variant of ${info.code}: ${info.variant}" }
        if (want.containsKey("status")) {
            check(info.status == (want["status"] as Long).toInt()) { "status ${info.status}, want ${want["status"]}: $info" }
        }
        if (want.containsKey("transport_kind")) {
            check(info.transportKind == want["transport_kind"]) { "transport kind ${info.transportKind}, want ${want["transport_kind"]}: $info" }
        }
        if (want.containsKey("oauth_code")) {
            check(info.oauthCode == want["oauth_code"]) { "oauth code ${info.oauthCode}, want ${want["oauth_code"]}: $info" }
        }
        val message = error.message ?: ""
        for (part in (want["message_has"]?.arr() ?: emptyList())) {
            check(message.contains(part as String)) { "message lacks `$part`: $message" }
        }
        for (part in (want["message_lacks"]?.arr() ?: emptyList())) {
            check(!message.contains(part as String) && !error.toString().contains(part)) { "message holds `$part`: $message" }
        }
    }
}
