// Runs every conformance vector (tests/vectors/*.json) through the public
// Swift API with a recording transport: the exact request sent, the value
// or AuthError returned, and that no listed string leaks into what the
// objects and errors print. The Swift twin of tests/kotlin/VectorsTest.kt.
import Foundation
import MapsIndoorsAuth
import XCTest

struct CaseFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) {
        self.description = description
    }
}

/// Throws CaseFailure(message) unless `condition` holds.
func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition {
        throw CaseFailure(message())
    }
}

/// The URL without its query.
func pathOf(_ url: String) -> String {
    String(url.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
}

final class VectorsTests: XCTestCase {
    struct Sent: Equatable, CustomStringConvertible {
        let method: String
        let url: String
        let headers: [[String]]
        let body: String

        var description: String { "\(method) \(url) \(headers) \(body)" }
    }

    final class RecordingTransport: HttpTransport, @unchecked Sendable {
        let testCase: JSON
        let sent = Locked<[Sent]>([])

        init(_ testCase: JSON) {
            self.testCase = testCase
        }

        func send(request: HttpRequest) async throws -> HttpResponse {
            let s = Sent(
                method: request.method(), url: request.url(),
                headers: request.headers().map { [$0.name, $0.value] },
                body: String(decoding: request.body(), as: UTF8.self)
            )
            sent.update { (list: inout [Sent]) in list.append(s) }
            if let token = testCase["access_token"]?.str, pathOf(request.url()).hasSuffix("/connect/token") {
                let body = "{\"access_token\":\"\(token)\",\"token_type\":\"Bearer\",\"expires_in\":3600}"
                return HttpResponse(
                    status: 200, headers: [HttpHeader(name: "Content-Type", value: "application/json")], body: Data(body.utf8)
                )
            }
            guard let r = testCase["response"], !r.obj.isEmpty else {
                return defaultResponse(testCase["operation"]?.str ?? "")
            }
            var body = r["body"]?.str ?? ""
            if let repeated = r["body_repeat"], !repeated.obj.isEmpty {
                body = String(repeating: repeated["text"]?.str ?? "", count: Int(repeated["times"]?.int ?? 0))
            }
            let headers = (r["headers"]?.arr ?? []).map { (pair: JSON) -> HttpHeader in
                HttpHeader(name: pair.arr.first?.str ?? "", value: pair.arr.dropFirst().first?.str ?? "")
            }
            return HttpResponse(status: Int32(r["status"]?.int ?? 0), headers: headers, body: Data(body.utf8))
        }

        private func defaultResponse(_ op: String) -> HttpResponse {
            let json = [HttpHeader(name: "Content-Type", value: "application/json; charset=UTF-8")]
            switch op {
            case "token":
                let body = "{\"access_token\":\"tok-default\",\"token_type\":\"Bearer\",\"expires_in\":3600}"
                return HttpResponse(status: 200, headers: json, body: Data(body.utf8))
            case "list":
                return HttpResponse(status: 200, headers: json, body: Data("[]".utf8))
            case "create":
                let body = "{\"id\":\"new-1\",\"description\":null,\"createdAt\":\"2024-05-27T14:26:36.9981013Z\",\"secret\":\"fresh-secret\"}"
                return HttpResponse(status: 200, headers: json, body: Data(body.utf8))
            default:
                return HttpResponse(status: 200, headers: [], body: Data())
            }
        }
    }

    func testEveryVector() async throws {
        let files = jsonFiles(in: dataDir("MIA_VECTORS_DIR", "tests/vectors"))
        XCTAssertFalse(files.isEmpty, "no vector files")
        var count = 0
        var failures: [String] = []
        for file in files {
            for testCase in try JSON.read(file)["cases"]?.arr ?? [] {
                count += 1
                do {
                    try await runCase(testCase)
                } catch {
                    let name = URL(fileURLWithPath: file).lastPathComponent
                    failures.append("\(name) / \(testCase["name"]?.str ?? "?"): \(type(of: error)): \(error)")
                }
            }
        }
        print("vectors: \(count) cases, \(failures.count) failed")
        XCTAssertTrue(failures.isEmpty, "vector failures:\n" + failures.joined(separator: "\n"))
        XCTAssertGreaterThanOrEqual(count, 20)
    }

    /// Every code of the core's ErrorKind::ALL (exported as errorCodes()) has
    /// its variant: a new kind fails here until placed.
    func testEveryErrorCodeHasAVariant() {
        XCTAssertEqual(variantOfCode.map { $0.code }, errorCodes())
    }

    private func runCase(_ testCase: JSON) async throws {
        let op = testCase["operation"]?.str ?? ""
        let transport = RecordingTransport(testCase)
        let creds = testCase["credentials"] ?? .null
        let args = testCase["args"] ?? .null
        let config = ClientConfig(authUrl: testCase["base_url"]?.str ?? "", customerId: testCase["customer_id"]?.str, retries: 0)
        var rendered = ""
        var outcome: Result<JSON, Error>
        do {
            let client: AuthClient
            if creds["grant"]?.str == "password" {
                client = try AuthClient.withPassword(
                    config: config, username: creds["username"]?.str ?? "", password: creds["password"]?.str ?? "",
                    transport: transport, store: nil
                )
            } else {
                client = try AuthClient.withClientSecret(
                    config: config, clientId: creds["client_id"]?.str ?? "",
                    secret: ClientSecret(value: creds["client_secret"]?.str ?? ""), transport: transport, store: nil
                )
            }
            rendered += shown(client)
            switch op {
            case "token":
                let t = try await client.token()
                rendered += shown(t)
                outcome = .success(.object([
                    "access_token": .string(t.expose()), "token_type": .string(t.tokenType()),
                    "expires_in": JSON.of(t.expiresIn()), "scope": JSON.of(t.scope()),
                ]))
            case "list":
                let l = try await client.listSecrets()
                rendered += shown(l)
                outcome = .success(.array(l.map { (s: SecretInfo) -> JSON in
                    .object([
                        "id": .string(s.id), "description": JSON.of(s.description), "client_id": JSON.of(s.clientId),
                        "created_at_ms": .int(s.createdAtMs),
                    ])
                }))
            case "create":
                let c = try await client.createSecret(description: args["description"]?.str, clientId: args["client_id"]?.str)
                rendered += shown(c) + shown(c.secret())
                outcome = .success(.object([
                    "id": .string(c.id()), "description": JSON.of(c.secretDescription()),
                    "created_at_ms": .int(c.createdAtMs()), "secret": .string(c.secret().expose()),
                ]))
            case "delete":
                try await client.deleteSecret(id: args["id"]?.str ?? "")
                outcome = .success(.null)
            default:
                throw CaseFailure("unknown operation \(op)")
            }
        } catch let e as AuthError {
            outcome = .failure(e)
            rendered += e.localizedDescription + shown(e)
        }

        if let wantRequest = testCase["request"], !wantRequest.obj.isEmpty {
            let sent = transport.sent.get()
            let got = op == "token" ? sent.first : sent.first { !pathOf($0.url).hasSuffix("/connect/token") }
            let want = Sent(
                method: wantRequest["method"]?.str ?? "", url: wantRequest["url"]?.str ?? "",
                headers: (wantRequest["headers"]?.arr ?? []).map { (p: JSON) -> [String] in p.arr.compactMap { $0.str } },
                body: wantRequest["body"]?.str ?? ""
            )
            try check(got == want, "request: expected \(want), got \(got.map { $0.description } ?? "nothing")")
        }
        let expect = testCase["expect"] ?? .null
        if expect.has("ok") {
            let value = try outcome.get()
            try check(
                normalize(expect["ok"] ?? .null) == normalize(value),
                "value: expected \(expect["ok"] ?? .null), got \(value)"
            )
        }
        if let wantError = expect["error"], !wantError.obj.isEmpty {
            guard case .failure(let error) = outcome, let e = error as? AuthError else {
                throw CaseFailure("expected an error \(wantError["kind"] ?? .null), got \(outcome)")
            }
            let info = e.info
            try check(wantError["kind"]?.str == info.code, "kind: expected \(wantError["kind"] ?? .null), got \(info)")
            if wantError.has("status") {
                try check(wantError["status"]?.int == info.status.map { Int64($0) }, "status: expected \(wantError["status"] ?? .null), got \(info)")
            }
            if wantError.has("oauth_code") {
                try check(wantError["oauth_code"]?.str == info.oauthCode, "oauth_code: expected \(wantError["oauth_code"] ?? .null), got \(info)")
            }
            // retryAfter() is the wait in seconds: a Retry-After date becomes
            // the seconds left until it (0 once past).
            if wantError.has("retry_after_secs") || wantError.has("retry_after_at") {
                let now = Int64(Date().timeIntervalSince1970)
                let at = wantError["retry_after_at"]?.int
                let wantWait: Int64? = at.map { max(0, $0 - now) } ?? wantError["retry_after_secs"]?.int
                try check(wantWait == info.retryAfter, "retry_after: expected \(wantWait.map { String($0) } ?? "nil"), got \(info)")
            }
            try check(variants(of: info.code).contains(info.variant), "the variant of \(info.code): \(info.variant)")
            if info.code == "invalid_input" {
                try check(transport.sent.get().isEmpty, "invalid input must send nothing")
            }
        } else if case .failure(let error) = outcome {
            throw CaseFailure("unexpected error \((error as? AuthError)?.info.description ?? "\(error)")")
        }
        for s in testCase["must_not_contain"]?.arr ?? [] {
            let text = s.str ?? ""
            try check(!rendered.contains(text), "leaked `\(text)`")
        }
    }

    /// Numbers compare as integers when whole; objects and arrays element-wise.
    private func normalize(_ v: JSON) -> JSON {
        switch v {
        case .object(let o): return .object(o.mapValues { normalize($0) })
        case .array(let a): return .array(a.map { normalize($0) })
        case .double(let d): return d.rounded() == d ? .int(Int64(d)) : v
        default: return v
        }
    }
}
