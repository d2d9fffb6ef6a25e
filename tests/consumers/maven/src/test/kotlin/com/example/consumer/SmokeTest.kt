// Smoke test of the installed artifact, seen from an app's project: the
// client gets a token, lists the secrets and rotates against the emulator;
// the native library came out of the JAR; the bindings' own test classes
// are not on this project's class path.
package com.example.consumer

import com.mapsindoors.auth.AuthClient
import com.mapsindoors.auth.AuthException
import com.mapsindoors.auth.ClientConfig
import com.mapsindoors.auth.ClientSecret
import com.mapsindoors.auth.SeedOptions
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test

class SmokeTest {
    private val config = ClientConfig(authUrl = Emulator.url, customerId = Emulator.CUSTOMER)

    private fun client(secret: String, store: MemoryStore? = null) =
        AuthClient.withClientSecret(config, Emulator.CLIENT, ClientSecret(secret), HttpClientTransport(), store)

    @Test
    fun tokenListAndRotate() = runBlocking {
        val store = MemoryStore()
        val client = client(Emulator.clientSecret, store)
        val token = client.token()
        assertEquals("Bearer", token.tokenType())
        assertFalse("redacted", token.toString().contains(token.expose()))
        val before = client.listSecrets().map { it.id }
        assertEquals(1, before.size)

        client.seed(SeedOptions(claim = true))
        val report = client.rotate()
        assertTrue(report.rotated)
        assertEquals(before, report.deleted)
        val record = store.record() ?: error("the store is empty after a rotation")
        assertEquals(report.newId, record.currentSecretId())
        assertNotEquals(Emulator.clientSecret, record.currentSecret().expose())
        assertEquals(listOf(report.newId), client.listSecrets().map { it.id })
        try {
            client(Emulator.clientSecret).token()
            fail("the replaced secret still logs in")
        } catch (e: AuthException.CheckCredentials) {
            assertEquals("invalid_client", e.oauthCode)
        }
        assertTrue(client(record.currentSecret().expose()).token().expose().isNotEmpty())
    }

    @Test
    fun nativeLibraryComesFromTheArtifact() {
        val jar = AuthClient::class.java.protectionDomain.codeSource.location.path
        assertTrue(jar, jar.endsWith("/com/mapsindoors/mapsindoors-auth/0.1.0/mapsindoors-auth-0.1.0.jar"))
        val so = AuthClient::class.java.classLoader.getResource("linux-x86-64/libmapsindoors_auth_uniffi.so")
        assertEquals("jar", so?.protocol)
        try {
            Class.forName("com.mapsindoors.auth.test.JdkHttpTransport")
            fail("the bindings' test classes are visible to a consumer")
        } catch (_: ClassNotFoundException) {
        }
    }
}
