// The shared hostile-server corpus (tests/hostile/cases.json) through the
// public Swift API, against the emulator's hostile mode over loopback, with
// the reference URLSessionTransport, following tests/hostile/README.md:
// every case ends in the expected AuthError (code, status, transport kind,
// OAuth code, message parts) within its time, never shows the secret it
// sent, sends nothing to the second origin, and leaves the customer's
// secrets and the store in a state the next run recovers from.
// Prints `hostile: N passed, F failed (swift)` and the slowest case.
// The Swift twin of tests/kotlin/HostileCorpusTest.kt.
import Foundation
import MapsIndoorsAuth
import XCTest

final class HostileCorpusTests: XCTestCase {
    private let transport = URLSessionTransport()

    private func client(_ e: Emulator, _ cfg: ClientConfig, _ secret: String, _ store: SecretStore? = nil) throws -> AuthClient {
        try AuthClient.withClientSecret(
            config: cfg, clientId: Emulator.client, secret: ClientSecret(value: secret), transport: transport, store: store
        )
    }

    func testEveryHostileCase() async throws {
        let e = try Emulator.shared()
        let corpus = try JSON.read(URL(fileURLWithPath: dataDir("MIA_HOSTILE_DIR", "tests/hostile")).appendingPathComponent("cases.json").path)
        let settings = corpus["settings"] ?? .null
        let timeoutMs = settings["timeout_ms"]?.int ?? 1_000
        let cfg = ClientConfig(
            authUrl: e.url, customerId: Emulator.customer, retries: Int32(settings["retries"]?.int ?? 0), timeoutMs: timeoutMs
        )
        let cases = corpus["cases"]?.arr ?? []
        var failures: [String] = []
        var slowest: Int64 = 0
        var slowestCase = ""
        for testCase in cases {
            let name = testCase["name"]?.str ?? "?"
            do {
                let took = try await runCase(e, corpus, cfg, testCase)
                if took > slowest {
                    slowest = took
                    slowestCase = name
                }
            } catch {
                failures.append("\(name): \(type(of: error)): \(error)")
            }
            _ = try? await e.admin("DELETE", "/_emulator/faults")
        }
        print("hostile: slowest \(slowest) ms (\(slowestCase), deadline \(timeoutMs) ms)")
        print("hostile: \(cases.count - failures.count) passed, \(failures.count) failed (swift)")
        XCTAssertTrue(failures.isEmpty, "hostile failures:\n" + failures.joined(separator: "\n"))
        XCTAssertGreaterThanOrEqual(cases.count, 30, "the corpus has cases")
    }

    /// Runs one case; returns its time in ms, or throws what is wrong.
    private func runCase(_ e: Emulator, _ corpus: JSON, _ cfg: ClientConfig, _ testCase: JSON) async throws -> Int64 {
        let secret = e.clientSecret
        // 1. A fresh emulator state; no propagation delay; bearer errors without a body.
        try await e.reset()
        try await e.propagation(0)
        try await e.admin("POST", "/_emulator/bearer-errors", "{\"json_body\":false}")
        let before = try await e.secretIds()
        // 2. rotate: a store seeded with the banner secret, claimed.
        let call = testCase["call"]?.str ?? ""
        var store: MemoryStore?
        if call == "rotate" {
            let s = MemoryStore()
            _ = try await client(e, cfg, secret, s).seed(options: SeedOptions(claim: true))
            store = s
        }
        // 3. The case's faults, in order.
        for fault in testCase["faults"]?.arr ?? [] {
            try await e.fault(fault.description)
        }
        // 4. The call, timed (a call into Rust cannot be cancelled: past the
        //    limit it is abandoned and the case fails as hung).
        let c = try client(e, cfg, secret, store)
        let maxMs = testCase["max_ms"]?.int ?? 1_500
        let limit = Int(maxMs * 4 + 5_000)
        let description = corpus["description"]?.str
        let deleteId = corpus["delete_id"]?.str ?? ""
        let start = DispatchTime.now()
        let outcome: Result<String, Error>
        do {
            outcome = .success(try await withDeadline(ms: limit) { () async throws -> String in
                switch call {
                case "token": return shown(try await c.token())
                case "list": return shown(try await c.listSecrets())
                case "create": return shown(try await c.createSecret(description: description))
                case "delete":
                    try await c.deleteSecret(id: deleteId)
                    return "deleted"
                case "rotate": return shown(try await c.rotate())
                default: throw CaseFailure("unknown call \(call)")
                }
            })
        } catch let hung as DeadlineExceeded {
            throw CaseFailure("no outcome within \(hung.ms) ms: hung")
        } catch {
            outcome = .failure(error)
        }
        let took = millis(since: start)
        // 5. The outcome, the time, the secret never shown, nothing elsewhere.
        // The secret first: the checks below quote the error's text.
        if case .failure(let error) = outcome {
            let detail = (error as? AuthError)?.detail() ?? ""
            for text in [error.localizedDescription, shown(error), detail] {
                try check(!text.contains(secret), "the secret reached the error's text")
            }
        }
        let got: String
        switch outcome {
        case .success:
            got = "ok"
        case .failure(let error):
            if let i = (error as? AuthError)?.info {
                got = [i.code, i.status.map { String($0) }, i.transportKind].compactMap { $0 }.joined(separator: "/")
            } else {
                got = "\(type(of: error))"
            }
        }
        print("hostile case \(testCase["name"]?.str ?? "?"): \(got) in \(took) ms")
        try checkOutcome(testCase, outcome)
        try check(took <= maxMs, "took \(took) ms > \(maxMs) ms")
        let hits = try JSON.parse(try await e.admin("GET", "/_emulator/elsewhere")).arr
        try check(hits.isEmpty, "reached the second origin: \(hits)")
        // 6. Recovery.
        try await e.admin("DELETE", "/_emulator/faults")
        if let store = store {
            let again = try await AuthClient.fromStore(
                transport: transport, store: store, retries: 3, propagationWaitMs: 30_000, timeoutMs: 30_000,
                description: nil, progress: nil, platform: nil
            )
            // It succeeds (a run that only finishes the last one's delete rotates nothing new).
            do {
                _ = try await again.rotate()
            } catch let err as AuthError {
                throw CaseFailure("the next rotation failed: \(err.info)")
            }
            guard let record = store.record() else { throw CaseFailure("the store is empty") }
            do {
                _ = try await client(e, cfg, record.currentSecret().expose()).token()
            } catch let err as AuthError {
                throw CaseFailure("the store's secret does not log in: \(err.info)")
            }
            let held = try await e.secretIds()
            try check(
                held == Set([record.currentSecretId() ?? "?"]),
                "the server holds \(held), the store \(record.currentSecretId() ?? "nil"): a secret was orphaned or a delete counted as done"
            )
        } else {
            let after = try await e.secretIds()
            try check(after == before, "the server's secrets changed: \(before) -> \(after)")
        }
        return took
    }

    /// The outcome matches `expect`: success, or an AuthError with the kind,
    /// status, transport kind, OAuth code and message parts.
    private func checkOutcome(_ testCase: JSON, _ outcome: Result<String, Error>) throws {
        let expect = testCase["expect"] ?? .null
        if expect["ok"]?.bool == true {
            if case .failure(let error) = outcome {
                throw CaseFailure("expected success, got \((error as? AuthError)?.info.description ?? "\(error)")")
            }
            return
        }
        let want = expect["error"] ?? .null
        guard case .failure(let error) = outcome else {
            throw CaseFailure("succeeded against a hostile server: \(outcome)")
        }
        guard let e = error as? AuthError else {
            throw CaseFailure("not an AuthError: \(error)")
        }
        let info = e.info
        let kinds = (want["kind"]?.arr ?? []).compactMap { $0.str }
        try check(kinds.contains(info.code), "kind \(info.code), want one of \(kinds): \(info)")
        try check(variants(of: info.code).contains(info.variant), "the variant of \(info.code): \(info.variant)")
        if want.has("status") {
            try check(info.status.map { Int64($0) } == want["status"]?.int, "status \(info.status.map { String($0) } ?? "nil"), want \(want["status"] ?? .null): \(info)")
        }
        if want.has("transport_kind") {
            try check(info.transportKind == want["transport_kind"]?.str, "transport kind \(info.transportKind ?? "nil"), want \(want["transport_kind"] ?? .null): \(info)")
        }
        if want.has("oauth_code") {
            try check(info.oauthCode == want["oauth_code"]?.str, "oauth code \(info.oauthCode ?? "nil"), want \(want["oauth_code"] ?? .null): \(info)")
        }
        // Kotlin reads `message`; here the LocalizedError text (which holds the detail).
        let message = e.errorDescription ?? shown(e)
        for part in (want["message_has"]?.arr ?? []).compactMap({ $0.str }) {
            try check(message.contains(part), "message lacks `\(part)`: \(message)")
        }
        for part in (want["message_lacks"]?.arr ?? []).compactMap({ $0.str }) {
            try check(!message.contains(part) && !shown(e).contains(part), "message holds `\(part)`: \(message)")
        }
    }
}
