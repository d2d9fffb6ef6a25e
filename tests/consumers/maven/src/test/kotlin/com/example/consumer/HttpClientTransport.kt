// The app's HttpTransport on java.net.http.HttpClient: no redirects, the
// request's own deadline, and at most 1 MiB + 1 byte of body read (the core
// refuses a larger one). No response at all is a TransportException.
package com.example.consumer

import com.mapsindoors.auth.HttpHeader
import com.mapsindoors.auth.HttpRequest
import com.mapsindoors.auth.HttpResponse
import com.mapsindoors.auth.HttpTransport
import com.mapsindoors.auth.TransportException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.future.await
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import java.io.IOException
import java.net.ConnectException
import java.net.URI
import java.net.http.HttpClient
import java.time.Duration
import java.net.http.HttpRequest as JdkRequest
import java.net.http.HttpResponse as JdkResponse

class HttpClientTransport : HttpTransport {
    private val client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build()
    private val restricted = setOf("connection", "content-length", "expect", "host", "upgrade")

    override suspend fun send(request: HttpRequest): HttpResponse {
        val timeoutMs = request.timeoutMs().coerceAtLeast(1)
        val body = request.body()
        val builder = JdkRequest.newBuilder(URI.create(request.url())).timeout(Duration.ofMillis(timeoutMs))
            .method(request.method(), if (body.isEmpty()) JdkRequest.BodyPublishers.noBody() else JdkRequest.BodyPublishers.ofByteArray(body))
        request.headers().filter { it.name.lowercase() !in restricted }.forEach { builder.header(it.name, it.value) }
        try {
            return withTimeout(timeoutMs) {
                val response = client.sendAsync(builder.build(), JdkResponse.BodyHandlers.ofInputStream()).await()
                val bytes = withContext(Dispatchers.IO) { response.body().use { it.readNBytes((1 shl 20) + 1) } }
                val headers = response.headers().map().flatMap { (name, values) -> values.map { HttpHeader(name, it) } }
                HttpResponse(response.statusCode(), headers, bytes)
            }
        } catch (e: TimeoutCancellationException) {
            throw TransportException.Timeout("no complete response within $timeoutMs ms")
        } catch (e: ConnectException) {
            throw TransportException.Connect("connection refused")
        } catch (e: IOException) {
            throw TransportException.Interrupted(e.javaClass.simpleName)
        }
    }
}
