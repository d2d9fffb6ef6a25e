// The reference HttpTransport for the JVM, on java.net.http.HttpClient.
// Sends the request exactly as given, follows no redirects, returns every
// status as a response and throws TransportException only when no response
// arrived. Cancelling the calling coroutine cancels the HTTP exchange.
package com.mapsindoors.auth.test

import com.mapsindoors.auth.HttpHeader
import com.mapsindoors.auth.HttpRequest
import com.mapsindoors.auth.HttpResponse
import com.mapsindoors.auth.HttpTransport
import com.mapsindoors.auth.TransportException
import kotlinx.coroutines.future.await
import java.io.IOException
import java.net.ConnectException
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpConnectTimeoutException
import java.net.http.HttpTimeoutException
import java.time.Duration
import java.net.http.HttpRequest as JdkRequest
import java.net.http.HttpResponse as JdkResponse

class JdkHttpTransport(
    private val client: HttpClient = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(10))
        .build(),
    private val timeout: Duration = Duration.ofSeconds(30),
) : HttpTransport {
    // Headers HttpClient sets itself and refuses to be given.
    private val restricted = setOf("connection", "content-length", "expect", "host", "upgrade")

    override suspend fun send(request: HttpRequest): HttpResponse {
        val body = request.body()
        val publisher = if (body.isEmpty()) JdkRequest.BodyPublishers.noBody() else JdkRequest.BodyPublishers.ofByteArray(body)
        val builder = JdkRequest.newBuilder(URI.create(request.url()))
            .timeout(timeout)
            .method(request.method(), publisher)
        for (h in request.headers()) {
            if (h.name.lowercase() !in restricted) builder.header(h.name, h.value)
        }
        val response = try {
            client.sendAsync(builder.build(), JdkResponse.BodyHandlers.ofByteArray()).await()
        } catch (e: HttpConnectTimeoutException) {
            throw TransportException.Connect("connect timeout to ${request.url()}")
        } catch (e: HttpTimeoutException) {
            throw TransportException.Timeout("no answer in $timeout")
        } catch (e: ConnectException) {
            throw TransportException.Connect("connection refused: ${request.url()}")
        } catch (e: IOException) {
            throw TransportException.Interrupted(e.javaClass.simpleName)
        }
        val headers = response.headers().map().flatMap { (name, values) -> values.map { HttpHeader(name, it) } }
        return HttpResponse(response.statusCode(), headers, response.body())
    }
}
