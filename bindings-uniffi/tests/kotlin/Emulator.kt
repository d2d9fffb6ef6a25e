// Starts one mapsindoors-auth-emulator per test run on port 0 (binary from
// MIA_EMULATOR_BIN) and talks to its admin routes.
package com.mapsindoors.auth.test

import java.io.BufferedReader
import java.io.InputStreamReader
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.nio.file.Path

object Emulator {
    val url: String
    val clientSecret: String
    private val process: Process
    private val http = HttpClient.newHttpClient()

    init {
        val bin = System.getenv("MIA_EMULATOR_BIN") ?: error("set MIA_EMULATOR_BIN")
        require(Files.isExecutable(Path.of(bin))) { "no emulator at $bin" }
        process = ProcessBuilder(bin, "--port", "0").redirectError(ProcessBuilder.Redirect.INHERIT).start()
        val out = BufferedReader(InputStreamReader(process.inputStream))
        val first = out.readLine() ?: error("emulator printed nothing")
        require(first.startsWith("listening on ")) { "unexpected first line: $first" }
        url = first.removePrefix("listening on ").trim()
        var secret: String? = null
        while (secret == null) {
            val line = out.readLine() ?: break
            val m = Regex("client_id demo-client\\s+client_secret (\\S+)").find(line)
            if (m != null) secret = m.groupValues[1]
        }
        clientSecret = secret ?: error("no demo client secret in the banner")
        Thread { out.readLines() }.apply { isDaemon = true }.start()
        Runtime.getRuntime().addShutdownHook(Thread { process.destroy() })
    }

    const val CUSTOMER = "demo-customer"
    const val CLIENT = "demo-client"

    fun admin(method: String, path: String, body: String? = null): String {
        val pub = if (body == null) HttpRequest.BodyPublishers.noBody() else HttpRequest.BodyPublishers.ofString(body)
        val req = HttpRequest.newBuilder(URI.create(url + path)).method(method, pub).header("Content-Type", "application/json").build()
        val res = http.send(req, HttpResponse.BodyHandlers.ofString())
        check(res.statusCode() in 200..299) { "$method $path: ${res.statusCode()} ${res.body()}" }
        return res.body()
    }

    fun reset() { admin("POST", "/_emulator/reset") }

    fun fault(json: String) { admin("POST", "/_emulator/faults", json) }

    fun propagation(ms: Long) { admin("POST", "/_emulator/propagation", "{\"ms\":$ms}") }

    /** Ids of the demo customer's secrets, as the emulator holds them. */
    fun secretIds(): Set<String> =
        Json.parse(admin("GET", "/_emulator/secrets?customerId=$CUSTOMER")).arr().map { it.obj()["id"] as String }.toSet()

    fun log(): List<Map<String, Any?>> = Json.parse(admin("GET", "/_emulator/log")).arr().map { it.obj() }
}
