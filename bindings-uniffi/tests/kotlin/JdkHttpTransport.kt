// The reference HttpTransport for the JVM, on java.net.http.HttpClient.
// Sends the request exactly as given and returns every status as a response;
// throws TransportException only when no response arrived. The policy every
// transport applies (issue 11):
// - one whole-request deadline, request.timeoutMs(), covering connect,
//   headers and body together (a server dripping a byte at a time cannot
//   hold the call past it): TransportException.Timeout;
// - never follows a redirect (the 3xx goes back to the core, which refuses it);
// - never decompresses (no Accept-Encoding is sent, HttpClient inflates nothing);
// - reads the body as a stream, at most MAX_BODY_BYTES + 1 bytes (the core
//   refuses a body over the cap), then closes it.
// Cancelling the calling coroutine cancels the HTTP exchange.
package com.mapsindoors.auth.test

import com.mapsindoors.auth.HttpHeader
import com.mapsindoors.auth.HttpRequest
import com.mapsindoors.auth.HttpResponse
import com.mapsindoors.auth.HttpTransport
import com.mapsindoors.auth.TransportException
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.future.await
import kotlinx.coroutines.withTimeout
import java.io.ByteArrayOutputStream
import java.io.IOException
import java.io.InputStream
import java.net.ConnectException
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpConnectTimeoutException
import java.net.http.HttpTimeoutException
import java.time.Duration
import java.util.concurrent.CompletableFuture
import java.net.http.HttpRequest as JdkRequest
import java.net.http.HttpResponse as JdkResponse

class JdkHttpTransport(
    private val client: HttpClient = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(10))
        .build(),
) : HttpTransport {
    companion object {
        /** The core's body cap (`MAX_BODY_BYTES`, 1 MiB): one byte more is read, so the core sees it was exceeded. */
        const val MAX_BODY_BYTES = 1 shl 20
    }

    // Headers HttpClient sets itself and refuses to be given.
    private val restricted = setOf("connection", "content-length", "expect", "host", "upgrade")

    override suspend fun send(request: HttpRequest): HttpResponse {
        val timeoutMs = request.timeoutMs().coerceAtLeast(1)
        val body = request.body()
        val publisher = if (body.isEmpty()) JdkRequest.BodyPublishers.noBody() else JdkRequest.BodyPublishers.ofByteArray(body)
        val builder = JdkRequest.newBuilder(URI.create(request.url()))
            // HttpClient's own timeout covers only the wait for the headers; the
            // withTimeout below is the whole-request deadline.
            .timeout(Duration.ofMillis(timeoutMs))
            .method(request.method(), publisher)
        for (h in request.headers()) {
            if (h.name.lowercase() !in restricted) builder.header(h.name, h.value)
        }
        val jdkRequest = builder.build()
        var stream: InputStream? = null
        try {
            return withTimeout(timeoutMs) {
                val response = client.sendAsync(jdkRequest, JdkResponse.BodyHandlers.ofInputStream()).await()
                stream = response.body()
                val bytes = readCapped(response.body())
                val headers = response.headers().map().flatMap { (name, values) -> values.map { HttpHeader(name, it) } }
                HttpResponse(response.statusCode(), headers, bytes)
            }
        } catch (e: TimeoutCancellationException) {
            throw TransportException.Timeout("no complete response within $timeoutMs ms")
        } catch (e: HttpConnectTimeoutException) {
            throw TransportException.Connect("connect timeout to ${hostOf(request)}")
        } catch (e: HttpTimeoutException) {
            throw TransportException.Timeout("no answer within $timeoutMs ms")
        } catch (e: ConnectException) {
            throw TransportException.Connect("connection refused: ${hostOf(request)}")
        } catch (e: IOException) {
            throw TransportException.Interrupted(e.javaClass.simpleName)
        } finally {
            // Closing the stream early (over the cap, a timeout, a cancel) drops the connection.
            try { stream?.close() } catch (_: IOException) {}
        }
    }

    /**
     * At most MAX_BODY_BYTES + 1 bytes of the body, read on a thread of its
     * own. On a timeout or cancel the stream is closed and that thread
     * interrupted (JDK 17's stream retries a bare interrupt, and only a
     * closed stream makes it give up), and the caller stops waiting at once.
     */
    private suspend fun readCapped(input: InputStream): ByteArray {
        val result = CompletableFuture<ByteArray>()
        val reader = Thread({
            try {
                val out = ByteArrayOutputStream()
                val buf = ByteArray(16 * 1024)
                val limit = MAX_BODY_BYTES + 1
                while (out.size() < limit) {
                    val n = input.read(buf, 0, minOf(buf.size, limit - out.size()))
                    if (n < 0) break
                    out.write(buf, 0, n)
                }
                result.complete(out.toByteArray())
            } catch (e: Throwable) {
                result.completeExceptionally(e)
            }
        }, "jdk-transport-body").apply { isDaemon = true }
        reader.start()
        try {
            return result.await()
        } catch (e: CancellationException) {
            try { input.close() } catch (_: IOException) {}
            reader.interrupt()
            throw e
        }
    }

    private fun hostOf(request: HttpRequest): String = URI.create(request.url()).let { "${it.host}:${it.port}" }
}
