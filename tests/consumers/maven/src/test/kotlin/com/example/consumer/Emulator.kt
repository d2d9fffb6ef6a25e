// Starts one mapsindoors-auth-emulator (MIA_EMULATOR_BIN) on port 0 for the
// test run and reads its URL and the demo client's secret from its banner.
package com.example.consumer

import java.io.BufferedReader
import java.io.InputStreamReader

object Emulator {
    const val CUSTOMER = "demo-customer"
    const val CLIENT = "demo-client"
    val url: String
    val clientSecret: String

    init {
        val bin = System.getenv("MIA_EMULATOR_BIN") ?: error("set MIA_EMULATOR_BIN")
        val process = ProcessBuilder(bin, "--port", "0").redirectError(ProcessBuilder.Redirect.INHERIT).start()
        Runtime.getRuntime().addShutdownHook(Thread { process.destroy() })
        val out = BufferedReader(InputStreamReader(process.inputStream))
        val first = out.readLine() ?: error("the emulator printed nothing")
        require(first.startsWith("listening on ")) { "unexpected first line: $first" }
        url = first.removePrefix("listening on ").trim()
        val banner = Regex("client_id $CLIENT\\s+client_secret (\\S+)")
        clientSecret = generateSequence { out.readLine() }.firstNotNullOfOrNull { banner.find(it)?.groupValues?.get(1) }
            ?: error("no $CLIENT secret in the banner")
        Thread { out.readLines() }.apply { isDaemon = true }.start()
    }
}
