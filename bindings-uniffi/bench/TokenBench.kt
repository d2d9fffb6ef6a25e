// Token fetches from Kotlin on the JVM against the local emulator: this
// project's AuthClient (Rust core over uniffi + JNA; a fresh client per fetch,
// and a shared one) beside a raw java.net.http.HttpClient POST to
// /connect/token, so the FFI's cost is known. Also: raw sendAsync().await(),
// our client over a lean transport, and over canned answers (no network).
// Prints figures; not a test. scripts/bench-kotlin.sh builds it and starts
// the emulator with --token-lifetime 0, so a shared client fetches anew on
// every token() call (each contender checks that every token is a new one).
package com.mapsindoors.auth.bench

import com.mapsindoors.auth.AuthClient
import com.mapsindoors.auth.ClientConfig
import com.mapsindoors.auth.ClientSecret
import com.mapsindoors.auth.HttpHeader
import com.mapsindoors.auth.HttpRequest
import com.mapsindoors.auth.HttpResponse
import com.mapsindoors.auth.HttpTransport
import com.mapsindoors.auth.test.JdkHttpTransport
import com.sun.jna.Library
import com.sun.jna.Native
import kotlinx.coroutines.future.await
import kotlinx.coroutines.runBlocking
import java.lang.management.ManagementFactory
import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.time.Duration
import java.net.http.HttpRequest as JdkRequest
import java.net.http.HttpResponse as JdkResponse

private const val CLIENT_ID = "demo-client"
private const val CLOCK_PROCESS_CPUTIME_ID = 2

/** One way of getting a token; returns the access token's value. */
private class Contender(val name: String, val fetch: suspend () -> String)

/** Per-round samples of one contender. */
private class Samples {
    val rates = mutableListOf<Double>()
    val wallUs = mutableListOf<Double>()
    val cpuUs = mutableListOf<Double>()
}

/** clock_gettime from the C library, through JNA (already on the classpath for uniffi). */
@Suppress("FunctionName")
private interface LibC : Library {
    fun clock_gettime(clock: Int, timespec: LongArray): Int
}

/**
 * This process's CPU time in ns, all threads: clock_gettime(CLOCK_PROCESS_CPUTIME_ID)
 * (ns resolution), else the MXBean's (10 ms ticks on Linux JDK 17).
 */
private val processCpuNanos: () -> Long = run {
    val mx = ManagementFactory.getOperatingSystemMXBean() as com.sun.management.OperatingSystemMXBean
    val fromMx: () -> Long = { mx.processCpuTime }
    try {
        val libc = Native.load("c", LibC::class.java)
        val ts = LongArray(2)
        val fromLibc: () -> Long = {
            check(libc.clock_gettime(CLOCK_PROCESS_CPUTIME_ID, ts) == 0) { "clock_gettime failed" }
            ts[0] * 1_000_000_000L + ts[1]
        }
        fromLibc()
        fromLibc
    } catch (e: Throwable) { // UnsatisfiedLinkError too
        System.err.println("clock_gettime unavailable (${e.javaClass.simpleName}): CPU from the MXBean, 10 ms ticks")
        fromMx
    }
}

private fun median(xs: List<Double>): Double = xs.sorted().let { s ->
    if (s.size % 2 == 1) s[s.size / 2] else (s[s.size / 2 - 1] + s[s.size / 2]) / 2
}

private fun newJdkClient(): HttpClient = HttpClient.newBuilder()
    .followRedirects(HttpClient.Redirect.NEVER)
    .connectTimeout(Duration.ofSeconds(10))
    .build()

/** The access token of a token response, found without a JSON library (the raw baseline's parse). */
private fun accessTokenOf(json: String): String {
    val key = json.indexOf("\"access_token\"")
    check(key >= 0) { "no access_token in the response" }
    val open = json.indexOf('"', json.indexOf(':', key) + 1)
    val close = json.indexOf('"', open + 1)
    check(open > 0 && close > open) { "malformed access_token" }
    return json.substring(open + 1, close)
}

/**
 * The thinnest transport: one sendAsync, the body read whole; no deadline,
 * no body cap. Beside JdkHttpTransport it shows what the FFI and the core
 * cost apart from the reference transport's policy.
 */
private class LeanTransport(private val http: HttpClient) : HttpTransport {
    private val restricted = setOf("connection", "content-length", "expect", "host", "upgrade")

    override suspend fun send(request: HttpRequest): HttpResponse {
        val body = request.body()
        val publisher = if (body.isEmpty()) JdkRequest.BodyPublishers.noBody() else JdkRequest.BodyPublishers.ofByteArray(body)
        val builder = JdkRequest.newBuilder(URI.create(request.url())).method(request.method(), publisher)
        for (h in request.headers()) if (h.name.lowercase() !in restricted) builder.header(h.name, h.value)
        val response = http.sendAsync(builder.build(), JdkResponse.BodyHandlers.ofByteArray()).await()
        val headers = response.headers().map().flatMap { (name, values) -> values.map { HttpHeader(name, it) } }
        return HttpResponse(response.statusCode(), headers, response.body())
    }
}

/**
 * No network at all: answers every request at once with a new token. What
 * remains is the cost of the FFI, the async hand-offs and the core alone.
 */
private class CannedTransport : HttpTransport {
    private val count = java.util.concurrent.atomic.AtomicLong()
    private val headers = listOf(HttpHeader("Content-Type", "application/json; charset=UTF-8"))

    override suspend fun send(request: HttpRequest): HttpResponse {
        val body = """{"access_token":"canned-${count.incrementAndGet()}","expires_in":0,"token_type":"Bearer","scope":"mapsindoors.auth"}"""
        return HttpResponse(200, headers, body.toByteArray())
    }
}

private fun contenders(url: String, secret: String): List<Contender> {
    val config = ClientConfig(authUrl = url)
    val tokenUrl = URI.create("$url/connect/token")
    val form = "grant_type=client_credentials&client_id=$CLIENT_ID&client_secret=" + URLEncoder.encode(secret, Charsets.UTF_8)
    val raw = newJdkClient()
    val rawRequest = JdkRequest.newBuilder(tokenUrl)
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .POST(JdkRequest.BodyPublishers.ofString(form))
        .build()
    val jdk = JdkHttpTransport(newJdkClient())
    val lean = LeanTransport(newJdkClient())
    val shared = AuthClient.withClientSecret(config, CLIENT_ID, ClientSecret(secret), jdk)
    val sharedLean = AuthClient.withClientSecret(config, CLIENT_ID, ClientSecret(secret), lean)
    val canned = AuthClient.withClientSecret(config, CLIENT_ID, ClientSecret(secret), CannedTransport())
    return listOf(
        Contender("raw HttpClient.send POST + indexOf parse (baseline)") {
            val response = raw.send(rawRequest, JdkResponse.BodyHandlers.ofString())
            check(response.statusCode() == 200) { "token endpoint answered ${response.statusCode()}" }
            accessTokenOf(response.body())
        },
        Contender("raw HttpClient.sendAsync().await() in a coroutine + indexOf parse") {
            val response = raw.sendAsync(rawRequest, JdkResponse.BodyHandlers.ofString()).await()
            check(response.statusCode() == 200) { "token endpoint answered ${response.statusCode()}" }
            accessTokenOf(response.body())
        },
        Contender("AuthClient, fresh client per fetch (JdkHttpTransport)") {
            ClientSecret(secret).use { s ->
                AuthClient.withClientSecret(config, CLIENT_ID, s, jdk).use { c -> c.token().use { it.expose() } }
            }
        },
        Contender("AuthClient, shared client (JdkHttpTransport)") { shared.token().use { it.expose() } },
        Contender("AuthClient, shared client (lean sendAsync transport)") { sharedLean.token().use { it.expose() } },
        Contender("AuthClient, shared client, canned answers, no network (FFI + core alone)") { canned.token().use { it.expose() } },
    )
}

/** Runs `n` fetches, checking each token is new (a cached token would not be a fetch). */
private fun runBatch(c: Contender, n: Int): Unit = runBlocking {
    var last = ""
    repeat(n) {
        val token = c.fetch()
        check(token.isNotEmpty() && token != last) { "${c.name}: no new token (cached?)" }
        last = token
    }
}

private fun argOf(args: Array<String>, name: String, default: Int): Int {
    val i = args.indexOf(name)
    return if (i >= 0 && i + 1 < args.size) args[i + 1].toInt() else default
}

fun main(args: Array<String>) {
    val url = System.getenv("MIA_BENCH_URL") ?: error("set MIA_BENCH_URL (the emulator's URL)")
    val secret = System.getenv("MIA_BENCH_SECRET") ?: error("set MIA_BENCH_SECRET (demo-client's secret)")
    val n = argOf(args, "--n", 300)
    val rounds = argOf(args, "--rounds", 9)
    val warmup = argOf(args, "--warmup", 1000)
    // --only WORD: the baseline and the contenders whose name holds WORD (to profile one).
    val only = args.indexOf("--only").let { if (it >= 0) args.getOrNull(it + 1) else null }
    val all = contenders(url, secret).let { cs -> if (only == null) cs else cs.filterIndexed { i, c -> i == 0 || only in c.name } }

    // JIT warm-up: every contender `warmup` fetches, then passes of `n` each
    // until the JIT compiled for under 2 % of a pass's time (at most 90 s):
    // on a busy 2-core machine C2 lags far behind a fixed count.
    val jit = ManagementFactory.getCompilationMXBean()
    val warmStart = System.nanoTime()
    for (c in all) runBatch(c, warmup)
    var warmFetches = warmup
    var lastPassJitMs: Long
    var lastPassMs: Long
    do {
        val jit0 = jit.totalCompilationTime
        val t0 = System.nanoTime()
        for (c in all) runBatch(c, n)
        warmFetches += n
        lastPassMs = (System.nanoTime() - t0) / 1_000_000
        lastPassJitMs = jit.totalCompilationTime - jit0
    } while (lastPassJitMs * 50 > lastPassMs && System.nanoTime() - warmStart < 90_000_000_000L)
    val warmSeconds = (System.nanoTime() - warmStart) / 1e9
    val samples = all.associateWith { Samples() }
    for (round in 0 until rounds) {
        // Interleaved, and each round starts with another contender, so that
        // load drift on a shared machine hits all alike.
        for (i in all.indices) {
            val c = all[(round + i) % all.size]
            val cpu0 = processCpuNanos()
            val t0 = System.nanoTime()
            runBatch(c, n)
            val wall = (System.nanoTime() - t0).toDouble()
            val used = (processCpuNanos() - cpu0).toDouble()
            samples.getValue(c).apply {
                rates += n / (wall / 1e9)
                wallUs += wall / 1e3 / n
                cpuUs += used / 1e3 / n
            }
        }
    }

    val base = samples.getValue(all.first())
    val baseRate = median(base.rates)
    val baseCpu = median(base.cpuUs)
    println("kotlin token fetches: median of $rounds interleaved rounds x $n fetches;")
    println(String.format("warm-up: %d fetches each in %.0f s, JIT busy %d ms of the last %d ms pass", warmFetches, warmSeconds, lastPassJitMs, lastPassMs))
    println("JVM ${System.getProperty("java.vm.name")} ${System.getProperty("java.version")}, emulator at $url")
    println("CPU = this JVM process's CPU time (all threads: callers, HttpClient, JIT, GC) per fetch")
    println(String.format("  %10s %10s %12s %11s %11s  %s", "fetches/s", "us/fetch", "CPU us/fetch", "rate x raw", "CPU x raw", "contender"))
    for (c in all) {
        val s = samples.getValue(c)
        val rate = median(s.rates)
        val cpuUs = median(s.cpuUs)
        println(String.format("  %10.0f %10.1f %12.1f %11.2f %11.2f  %s", rate, median(s.wallUs), cpuUs, rate / baseRate, cpuUs / baseCpu, c.name))
    }
}
