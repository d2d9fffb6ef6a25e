// Starts one mapsindoors-auth-emulator per test run on port 0 (binary from
// MIA_EMULATOR_BIN) and talks to its admin routes; the Swift twin of
// tests/kotlin/Emulator.kt. Without MIA_EMULATOR_BIN the emulator tests
// are skipped (scripts/test-swift.sh always sets it).
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

struct EmulatorError: Error, CustomStringConvertible {
    let description: String
}

final class Emulator: @unchecked Sendable {
    static let customer = "demo-customer"
    static let client = "demo-client"

    let url: String
    let clientSecret: String
    private let process: Process

    private static let started: Result<Emulator, Error>? = {
        guard let bin = ProcessInfo.processInfo.environment["MIA_EMULATOR_BIN"], !bin.isEmpty else { return nil }
        return Result { try Emulator(bin: bin) }
    }()

    /// The running emulator; skips the test when MIA_EMULATOR_BIN is not set.
    static func shared() throws -> Emulator {
        guard let started = started else {
            throw XCTSkip("set MIA_EMULATOR_BIN to run the emulator tests")
        }
        return try started.get()
    }

    private init(bin: String) throws {
        guard FileManager.default.isExecutableFile(atPath: bin) else {
            throw EmulatorError(description: "no emulator at \(bin)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        p.arguments = ["--port", "0"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        process = p
        // Read the banner: "listening on URL", then the demo client's secret.
        let reader = out.fileHandleForReading
        var buffer = ""
        var url: String?
        var secret: String?
        while secret == nil {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            buffer += String(decoding: chunk, as: UTF8.self)
            for line in buffer.split(separator: "\n").map(String.init) {
                if url == nil, line.hasPrefix("listening on ") {
                    url = String(line.dropFirst("listening on ".count)).trimmingCharacters(in: .whitespaces)
                }
                let words = line.split(separator: " ").map(String.init)
                if let i = words.firstIndex(of: "client_id"), i + 3 < words.count,
                   words[i + 1] == Emulator.client, words[i + 2] == "client_secret" {
                    secret = words[i + 3]
                }
            }
        }
        guard let u = url, let s = secret else {
            p.terminate()
            throw EmulatorError(description: "unexpected emulator banner: \(buffer)")
        }
        self.url = u
        self.clientSecret = s
        // Keep draining its output; stop it when the test process exits.
        DispatchQueue.global().async {
            while !reader.availableData.isEmpty {}
        }
        Emulator.running = p
        atexit {
            Emulator.running?.terminate()
        }
    }

    private static var running: Process?

    /// Sends an admin request; returns the body, or throws on a non-2xx status.
    @discardableResult
    func admin(_ method: String, _ path: String, _ body: String? = nil) async throws -> String {
        guard let u = URL(string: url + path) else { throw EmulatorError(description: "bad path \(path)") }
        var r = URLRequest(url: u)
        r.httpMethod = method
        r.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let body = body {
            r.httpBody = Data(body.utf8)
        }
        let request = r
        let (status, text): (Int, String) = try await withCheckedThrowingContinuation { c in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error = error {
                    c.resume(throwing: error)
                    return
                }
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                c.resume(returning: (status, String(decoding: data ?? Data(), as: UTF8.self)))
            }.resume()
        }
        guard (200...299).contains(status) else {
            throw EmulatorError(description: "\(method) \(path): \(status) \(text)")
        }
        return text
    }

    func reset() async throws { try await admin("POST", "/_emulator/reset") }

    func fault(_ json: String) async throws { try await admin("POST", "/_emulator/faults", json) }

    func propagation(_ ms: Int) async throws { try await admin("POST", "/_emulator/propagation", "{\"ms\":\(ms)}") }

    /// Ids of the demo customer's secrets, as the emulator holds them.
    func secretIds() async throws -> Set<String> {
        let list = try JSON.parse(try await admin("GET", "/_emulator/secrets?customerId=\(Emulator.customer)"))
        return Set(list.arr.compactMap { $0["id"]?.str })
    }

    /// The emulator's request log.
    func log() async throws -> [JSON] {
        try JSON.parse(try await admin("GET", "/_emulator/log")).arr
    }
}
