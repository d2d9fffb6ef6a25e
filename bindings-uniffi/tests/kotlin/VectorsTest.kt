// Runs every conformance vector (tests/vectors/*.json) through the public
// Kotlin API with a recording transport: the exact request sent, the value
// or AuthException returned, and that no listed string leaks into messages.
package com.mapsindoors.auth.test

import com.mapsindoors.auth.AuthClient
import com.mapsindoors.auth.AuthException
import com.mapsindoors.auth.ClientConfig
import com.mapsindoors.auth.ClientSecret
import com.mapsindoors.auth.HttpHeader
import com.mapsindoors.auth.HttpRequest
import com.mapsindoors.auth.HttpResponse
import com.mapsindoors.auth.HttpTransport
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import java.io.File

class VectorsTest {
    data class Sent(val method: String, val url: String, val headers: List<List<String>>, val body: String)

    class RecordingTransport(private val case: Map<String, Any?>) : HttpTransport {
        val sent = mutableListOf<Sent>()

        override suspend fun send(request: HttpRequest): HttpResponse {
            sent += Sent(request.method(), request.url(), request.headers().map { listOf(it.name, it.value) }, String(request.body(), Charsets.UTF_8))
            val token = case["access_token"] as String?
            if (token != null && request.url().substringBefore('?').endsWith("/connect/token")) {
                return HttpResponse(200, listOf(HttpHeader("Content-Type", "application/json")), "{\"access_token\":\"$token\",\"token_type\":\"Bearer\",\"expires_in\":3600}".toByteArray())
            }
            val r = case["response"]?.obj() ?: return defaultResponse(case["operation"] as String)
            val body = r["body_repeat"]?.obj()?.let { (it["text"] as String).repeat((it["times"] as Long).toInt()) } ?: (r["body"] as String? ?: "")
            val headers = (r["headers"]?.arr() ?: emptyList()).map { val p = it.arr(); HttpHeader(p[0] as String, p[1] as String) }
            return HttpResponse((r["status"] as Long).toInt(), headers, body.toByteArray())
        }

        private fun defaultResponse(op: String): HttpResponse {
            val json = listOf(HttpHeader("Content-Type", "application/json; charset=UTF-8"))
            return when (op) {
                "token" -> HttpResponse(200, json, "{\"access_token\":\"tok-default\",\"token_type\":\"Bearer\",\"expires_in\":3600}".toByteArray())
                "list" -> HttpResponse(200, json, "[]".toByteArray())
                "create" -> HttpResponse(200, json, "{\"id\":\"new-1\",\"description\":null,\"createdAt\":\"2024-05-27T14:26:36.9981013Z\",\"secret\":\"fresh-secret\"}".toByteArray())
                else -> HttpResponse(200, emptyList(), ByteArray(0))
            }
        }
    }

    private fun vectorFiles(): List<File> {
        val dir = File(System.getenv("MIA_VECTORS_DIR") ?: "tests/vectors")
        val files = dir.listFiles { f -> f.name.endsWith(".json") }?.sortedBy { it.name } ?: emptyList()
        assertTrue("no vector files in $dir", files.isNotEmpty())
        return files
    }

    @Test
    fun everyVector() {
        var count = 0
        val failures = mutableListOf<String>()
        for (file in vectorFiles()) {
            for (case in Json.parse(file.readText()).obj()["cases"].arr().map { it.obj() }) {
                count++
                try {
                    runCase(case)
                } catch (e: Throwable) {
                    failures += "${file.name} / ${case["name"]}: ${e.javaClass.simpleName}: ${e.message}"
                }
            }
        }
        println("vectors: $count cases, ${failures.size} failed")
        assertTrue("vector failures:\n" + failures.joinToString("\n"), failures.isEmpty())
        assertTrue(count >= 20)
    }

    /** Every code of the core's ErrorKind::ALL (exported as errorCodes()) has its variant: a new kind fails here until placed. */
    @Test
    fun everyErrorCodeHasAVariant() {
        assertEquals(VARIANT_OF_CODE.keys.toList(), com.mapsindoors.auth.errorCodes())
    }

    private fun runCase(case: Map<String, Any?>) = runBlocking {
        val op = case["operation"] as String
        val transport = RecordingTransport(case)
        val creds = case["credentials"].obj()
        val args = case["args"]?.obj() ?: emptyMap()
        val config = ClientConfig(authUrl = case["base_url"] as String, customerId = case["customer_id"] as String?, retries = 0)
        var rendered = ""
        val outcome: Result<Any?> = runCatching {
            val client = if (creds["grant"] == "password") {
                AuthClient.withPassword(config, creds["username"] as String, creds["password"] as String, transport, null)
            } else {
                AuthClient.withClientSecret(config, creds["client_id"] as String, ClientSecret(creds["client_secret"] as String), transport, null)
            }
            rendered += client.toString()
            when (op) {
                "token" -> client.token().let { t ->
                    rendered += t.toString()
                    mapOf("access_token" to t.expose(), "token_type" to t.tokenType(), "expires_in" to t.expiresIn(), "scope" to t.scope())
                }
                "list" -> client.listSecrets().let { l ->
                    rendered += l.toString()
                    l.map { mapOf("id" to it.id, "description" to it.description, "client_id" to it.clientId, "created_at_ms" to it.createdAtMs) }
                }
                "create" -> client.createSecret(args["description"] as String?, args["client_id"] as String?).let { c ->
                    rendered += c.toString() + c.secret().toString()
                    mapOf("id" to c.id(), "description" to c.description(), "created_at_ms" to c.createdAtMs(), "secret" to c.secret().expose())
                }
                "delete" -> { client.deleteSecret(args["id"] as String); null }
                else -> error("unknown operation $op")
            }
        }
        val expect = case["expect"]?.obj()
        val error = outcome.exceptionOrNull()
        if (error != null && error !is AuthException) throw error
        if (error is AuthException) rendered += (error.message ?: "") + error.toString()

        val wantRequest = case["request"]?.obj()
        if (wantRequest != null) {
            val sent = if (op == "token") transport.sent.firstOrNull() else transport.sent.firstOrNull { !it.url.substringBefore('?').endsWith("/connect/token") }
            val want = Sent(wantRequest["method"] as String, wantRequest["url"] as String, wantRequest["headers"].arr().map { p -> p.arr().map { it as String } }, wantRequest["body"] as String)
            assertEquals("request", want, sent)
        }
        if (expect?.containsKey("ok") == true) {
            assertEquals("value", normalize(expect["ok"]), normalize(outcome.getOrThrow()))
        }
        val wantError = expect?.get("error")?.obj()
        if (wantError != null) {
            assertTrue("expected an error ${wantError["kind"]}, got ${outcome.getOrNull()}", error is AuthException)
            val info = (error as AuthException).info()
            assertEquals("kind", wantError["kind"], info.code)
            if (wantError.containsKey("status")) assertEquals("status", (wantError["status"] as Long?)?.toInt(), info.status)
            if (wantError.containsKey("oauth_code")) assertEquals("oauth_code", wantError["oauth_code"], info.oauthCode)
            // retryAfter() is the wait in seconds: a Retry-After date becomes the seconds left until it (0 once past).
            val at = wantError["retry_after_at"] as Long?
            val secs = wantError["retry_after_secs"] as Long?
            val wantWait = at?.let { maxOf(0L, it - System.currentTimeMillis() / 1000) } ?: secs
            if (wantError.containsKey("retry_after_secs") || wantError.containsKey("retry_after_at")) assertEquals("retry_after", wantWait, info.retryAfter)
            assertTrue("the variant of ${info.code}: ${info.variant}", info.variant in VARIANT_OF_CODE.getValue(info.code))
            if (info.code == "invalid_input") assertTrue("invalid input must send nothing", transport.sent.isEmpty())
        } else if (error != null) {
            throw AssertionError("unexpected error ${error.info()}")
        }
        for (s in (case["must_not_contain"]?.arr() ?: emptyList())) {
            assertFalse("leaked `$s`", rendered.contains(s as String))
        }
    }

    // Numbers compare as Long; maps and lists element-wise.
    private fun normalize(v: Any?): Any? = when (v) {
        is Map<*, *> -> v.mapValues { normalize(it.value) }
        is List<*> -> v.map { normalize(it) }
        is Int -> v.toLong()
        is Double -> if (v % 1.0 == 0.0) v.toLong() else v
        else -> v
    }
}
