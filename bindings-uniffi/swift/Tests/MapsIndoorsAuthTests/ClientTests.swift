// End-to-end tests of the Swift API against the emulator over loopback HTTP
// with the reference URLSessionTransport: token, list, create, delete,
// seed, claim, rotate and rotate-at-login, concurrent rotations of one
// compare-and-swap store, errors crossing as the right AuthError, a
// transport that never answers, and canary redaction. The Swift twin of
// tests/kotlin/ClientTest.kt, with one difference: uniffi 0.32's Swift
// futures cannot be cancelled (cancelling the Task does not stop the Rust
// call), so Kotlin's two "cancelled mid-rotation" tests become "a DELETE
// that never answers" (cut off by the binding's deadline) and "a new secret
// that does not propagate in time", each followed by the recovery run.
import Foundation
import MapsIndoorsAuth
import XCTest

/// An HttpTransport made of a closure.
final class FnTransport: HttpTransport, @unchecked Sendable {
    private let fn: (HttpRequest) async throws -> HttpResponse

    init(_ fn: @escaping (HttpRequest) async throws -> HttpResponse) {
        self.fn = fn
    }

    func send(request: HttpRequest) async throws -> HttpResponse {
        try await fn(request)
    }
}

struct AppBug: Error {}

final class ClientTests: XCTestCase {
    private let canary = "CANARY-5b7e0d1f-must-not-leak"
    private let transport = URLSessionTransport()

    /// The emulator, reset: no faults, no propagation delay.
    private func fresh() async throws -> Emulator {
        let e = try Emulator.shared()
        try await e.reset()
        try await e.propagation(0)
        try await e.admin("DELETE", "/_emulator/faults")
        return e
    }

    private func config(
        _ e: Emulator, retries: Int32 = 3, propagationWaitMs: Int64 = 30_000, timeoutMs: Int64 = 30_000
    ) -> ClientConfig {
        ClientConfig(
            authUrl: e.url, customerId: Emulator.customer, retries: retries, propagationWaitMs: propagationWaitMs,
            timeoutMs: timeoutMs, description: "swift"
        )
    }

    private func client(
        _ e: Emulator, secret: String? = nil, store: SecretStore? = nil, transport t: HttpTransport? = nil,
        config cfg: ClientConfig? = nil
    ) throws -> AuthClient {
        try AuthClient.withClientSecret(
            config: cfg ?? config(e), clientId: Emulator.client, secret: ClientSecret(value: secret ?? e.clientSecret),
            transport: t ?? transport, store: store
        )
    }

    /// The secret works at the token endpoint.
    private func works(_ e: Emulator, _ secret: String) async throws -> Bool {
        do {
            _ = try await client(e, secret: secret).token()
            return true
        } catch AuthError.CheckCredentials {
            return false
        }
    }

    private func ids(_ c: AuthClient) async throws -> Set<String> {
        let list = try await c.listSecrets()
        return Set(list.map { $0.id })
    }

    /// POSTs to the token endpoint in the emulator's log (logins).
    private func logins(_ e: Emulator) async throws -> [JSON] {
        let log = try await e.log()
        return log.filter { $0["method"]?.str == "POST" && ($0["path"]?.str ?? "").hasSuffix("/connect/token") }
    }

    /// The one secret the emulator's demo client starts with.
    private func demoSecretId(_ e: Emulator) async throws -> String {
        let held = try await e.secretIds()
        XCTAssertEqual(1, held.count)
        return held.first ?? ""
    }

    func testTokenListCreateDelete() async throws {
        let e = try await fresh()
        let c = try client(e)
        let t1 = try await c.token()
        XCTAssertEqual("Bearer", t1.tokenType())
        XCTAssertFalse(t1.expose().isEmpty)
        let t2 = try await c.token()
        XCTAssertEqual(t1.expose(), t2.expose(), "cached")

        let before = try await ids(c)
        let held = try await e.secretIds()
        XCTAssertEqual(held, before)
        let created = try await c.createSecret(description: "swift test")
        XCTAssertEqual("swift test", created.secretDescription())
        XCTAssertEqual(96, created.secret().expose().count)
        XCTAssertGreaterThan(created.createdAtMs(), 1_700_000_000_000)
        let after = try await ids(c)
        XCTAssertEqual(before.union([created.id()]), after)
        let createdWorks = try await works(e, created.secret().expose())
        XCTAssertTrue(createdWorks, "the created secret logs in")

        try await c.deleteSecret(id: created.id())
        let afterDelete = try await ids(c)
        XCTAssertEqual(before, afterDelete)
        let deletedWorks = try await works(e, created.secret().expose())
        XCTAssertFalse(deletedWorks)
        guard let nf = await authError("NotFound", { try await c.deleteSecret(id: created.id()) }) else { return }
        XCTAssertEqual("not_found", nf.code())
        XCTAssertEqual(404, nf.status())
    }

    func testPasswordLoginAndForbiddenCustomer() async throws {
        let e = try await fresh()
        let user = try AuthClient.withPassword(
            config: config(e), username: "admin@example.com", password: "demo-password", transport: transport, store: nil
        )
        let held = try await e.secretIds()
        let listed = try await ids(user)
        XCTAssertEqual(held, listed)
        // Signed in as a user, a create names the client the secret is for.
        let made = try await user.createSecret(description: "for the client", clientId: Emulator.client)
        let infos = try await user.listSecrets()
        XCTAssertEqual(Emulator.client, infos.first { $0.id == made.id() }?.clientId)
        let madeWorks = try await works(e, made.secret().expose())
        XCTAssertTrue(madeWorks, "the new secret logs in as the client")
        try await user.deleteSecret(id: made.id())

        var otherConfig = config(e)
        otherConfig.customerId = "other-customer"
        let other = try AuthClient.withPassword(
            config: otherConfig, username: "admin@example.com", password: "demo-password", transport: transport, store: nil
        )
        guard let f = await authError("NotPermitted", { try await other.listSecrets() }) else { return }
        XCTAssertEqual("forbidden", f.code())
        let bad = try AuthClient.withPassword(
            config: config(e), username: "admin@example.com", password: canary, transport: transport, store: nil
        )
        guard let b = await authError("CheckCredentials", { try await bad.token() }) else { return }
        XCTAssertEqual("invalid_grant", b.oauthCode())
        XCTAssertFalse(shown(b).contains(canary))
        XCTAssertFalse(b.localizedDescription.contains(canary))
    }

    func testTokenIsFetchedOnceForConcurrentCallers() async throws {
        let e = try await fresh()
        let c = try client(e)
        try await e.admin("DELETE", "/_emulator/log")
        try await e.fault("{\"route\":\"token\",\"action\":{\"delay_ms\":300}}")
        let tokens = try await withThrowingTaskGroup(of: String.self, returning: Set<String>.self) { group in
            for _ in 0..<8 {
                group.addTask { try await c.token().expose() }
            }
            var seen = Set<String>()
            for try await t in group {
                seen.insert(t)
            }
            return seen
        }
        XCTAssertEqual(1, tokens.count)
        let log = try await e.log()
        XCTAssertEqual(1, log.filter { $0["route"]?.str == "token" }.count)
    }

    /// N concurrent listSecrets() on a cold client: the core's single flight
    /// makes one login serve them all.
    func testConcurrentColdListSecretsMakeOneLogin() async throws {
        let e = try await fresh()
        let c = try client(e)
        try await e.admin("DELETE", "/_emulator/log")
        try await e.fault("{\"route\":\"token\",\"action\":{\"delay_ms\":300}}")
        let lists = try await withThrowingTaskGroup(of: Set<String>.self, returning: [Set<String>].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let list = try await c.listSecrets()
                    return Set(list.map { $0.id })
                }
            }
            var all: [Set<String>] = []
            for try await l in group {
                all.append(l)
            }
            return all
        }
        let held = try await e.secretIds()
        XCTAssertEqual(8, lists.count)
        XCTAssertTrue(lists.allSatisfy { $0 == held })
        let made = try await logins(e)
        XCTAssertEqual(1, made.count, "one login for 8 cold calls: \(made)")
    }

    /// A token the server revoked is refused with ASP.NET's 401 (the
    /// `WWW-Authenticate: Bearer error="invalid_token"` header, and with
    /// `json_body` also an `{"error":"invalid_token"}` body): listSecrets()
    /// still succeeds after exactly one new login, and the client caches the
    /// new token, never the revoked one.
    func testARevokedTokenCostsExactlyOneNewLoginInBoth401Shapes() async throws {
        let e = try await fresh()
        do {
            for jsonBody in [false, true] {
                let shape = "json_body=\(jsonBody)"
                try await e.admin("POST", "/_emulator/bearer-errors", "{\"json_body\":\(jsonBody)}")
                try await e.admin("DELETE", "/_emulator/log")
                let c = try client(e)
                let revoked = try await c.token().expose()
                var count = try await logins(e).count
                XCTAssertEqual(1, count, "\(shape): login 1")
                try await e.admin("POST", "/_emulator/revoke-tokens")
                try await e.admin("DELETE", "/_emulator/log")

                let held = try await e.secretIds()
                let listed = try await ids(c)
                XCTAssertEqual(held, listed, shape)
                let log = try await e.log()
                count = try await logins(e).count
                XCTAssertEqual(1, count, "\(shape): exactly one new login: \(log)")
                let lists = log.filter { $0["route"]?.str == "list" }
                XCTAssertEqual([401, 200], lists.map { $0["status"]?.int ?? -1 }, "\(shape): the revoked token refused once, then accepted: \(log)")

                let after = try await c.token().expose()
                XCTAssertNotEqual(revoked, after, "\(shape): the revoked token is not cached")
                count = try await logins(e).count
                XCTAssertEqual(1, count, "\(shape): no further login")
                let again = try await c.token().expose()
                XCTAssertEqual(after, again, "\(shape): the new token is cached")
                let listedAgain = try await ids(c)
                XCTAssertEqual(held, listedAgain, shape)
                count = try await logins(e).count
                XCTAssertEqual(1, count, "\(shape): still one login")
            }
        } catch {
            try await e.admin("POST", "/_emulator/bearer-errors", "{\"json_body\":false}")
            throw error
        }
        try await e.admin("POST", "/_emulator/bearer-errors", "{\"json_body\":false}")
    }

    func testRetriesTransientFailures() async throws {
        let e = try await fresh()
        try await e.fault("{\"route\":\"token\",\"action\":{\"status\":{\"code\":503}},\"count\":2}")
        let token = try await client(e).token()
        XCTAssertFalse(token.expose().isEmpty)
        try await e.fault("{\"route\":\"list\",\"action\":{\"status\":{\"code\":429,\"retry_after\":\"7\"}}}")
        let once = try client(e, config: config(e, retries: 0))
        guard let r = await authError("Retry", { try await once.listSecrets() }) else { return }
        XCTAssertEqual("rate_limited", r.code())
        XCTAssertEqual(7, r.retryAfter())
    }

    func testRotateReplacesTheSecret() async throws {
        let e = try await fresh()
        let store = MemoryStore()
        let c = try client(e, store: store)
        // This test's secret is its own (no other installation has it): claim it.
        let seeded = try await c.seed(options: SeedOptions(claim: true))
        XCTAssertEqual(1, seeded.generation())
        XCTAssertTrue(seeded.currentSecretOwned())
        let report = try await c.rotate()
        XCTAssertTrue(report.rotated)
        let record = try XCTUnwrap(store.record())
        let current = record.currentSecret().expose()
        XCTAssertNotEqual(e.clientSecret, current)
        XCTAssertEqual(report.newId, record.currentSecretId())
        let oldWorks = try await works(e, e.clientSecret)
        XCTAssertFalse(oldWorks, "old secret deleted")
        let newWorks = try await works(e, current)
        XCTAssertTrue(newWorks, "new secret works")
        let held = try await e.secretIds()
        XCTAssertEqual(Set([record.currentSecretId() ?? "?"]), held, "no orphans")
        XCTAssertFalse(record.hasUnfinishedRotation())
        // The client switched to the new secret.
        let listed = try await ids(c)
        XCTAssertEqual(Set([record.currentSecretId() ?? "?"]), listed)

        let again = try await c.rotate()
        XCTAssertTrue(again.rotated)
        XCTAssertEqual([report.newId ?? "?"], again.deleted)
        let heldAfter = try await e.secretIds()
        XCTAssertEqual(Set([again.newId ?? "?"]), heldAfter)
    }

    func testLoginAndRotateEveryLogin() async throws {
        let e = try await fresh()
        let store = MemoryStore()
        var secretBefore = e.clientSecret
        for _ in 0..<3 {
            // A fresh app start: the client is built from what the store holds.
            let c: AuthClient
            if let record = store.record() {
                c = try client(e, secret: record.currentSecret().expose(), store: store)
            } else {
                c = try client(e, store: store)
                _ = try await c.seed(options: SeedOptions(claim: true))
            }
            let login = try await c.loginAndRotate()
            XCTAssertTrue(login.report.rotated)
            XCTAssertFalse(login.token.expose().isEmpty)
            XCTAssertFalse(shown(login).contains(login.token.expose()))
            let now = try XCTUnwrap(store.record()).currentSecret().expose()
            let beforeWorks = try await works(e, secretBefore)
            XCTAssertFalse(beforeWorks)
            let nowWorks = try await works(e, now)
            XCTAssertTrue(nowWorks)
            let held = try await e.secretIds()
            XCTAssertEqual(1, held.count)
            secretBefore = now
        }
    }

    func testTransportFailuresCrossAsNetwork() async throws {
        let e = try await fresh()
        let refused = try AuthClient.withClientSecret(
            config: ClientConfig(authUrl: "http://127.0.0.1:1", retries: 0), clientId: "c",
            secret: ClientSecret(value: canary), transport: transport, store: nil
        )
        guard let n = await authError("Network", { try await refused.token() }) else { return }
        XCTAssertEqual("transport", n.code())
        XCTAssertTrue(n.detail().contains("connect"), n.detail())
        XCTAssertFalse(shown(n).contains(canary))

        let timeout = FnTransport { _ in throw TransportError.Timeout(detail: "gave up after 1 s") }
        let timeoutClient = try client(e, transport: timeout, config: config(e, retries: 0))
        guard let t = await authError("Network", { try await timeoutClient.token() }) else { return }
        XCTAssertTrue(t.detail().contains("timeout: gave up after 1 s"), t.detail())

        let plain = FnTransport { _ in throw AppBug() }
        let plainClient = try client(e, transport: plain, config: config(e, retries: 0))
        guard let p = await authError("Network", { try await plainClient.token() }) else { return }
        XCTAssertEqual("transport", p.code())

        // A connection dropped by the server is retried for idempotent requests.
        try await e.fault("{\"route\":\"list\",\"action\":\"drop_before\"}")
        let listed = try await ids(client(e))
        let held = try await e.secretIds()
        XCTAssertEqual(held, listed)
    }

    /// A transport that ignores request.timeoutMs() cannot hold a call: the
    /// binding races it against its own deadline (timeoutMs + 250 ms grace),
    /// ends the call with a `timeout` transport error, and cancels the
    /// transport's Task (uniffi cancels a dropped foreign future's task).
    func testATransportThatNeverAnswersIsCutOffAtTheDeadline() async throws {
        let e = try await fresh()
        let cfg = config(e, retries: 2, timeoutMs: 300)
        let cancelled = Locked(false)
        let calls = Locked(0)
        let never = FnTransport { _ in
            calls.update { (n: inout Int) in n += 1 }
            do {
                try await Task.sleep(nanoseconds: 3_600_000_000_000)  // an hour: only a cancel ends it
            } catch {
                cancelled.set(true)
                throw error
            }
            throw TransportError.Other(detail: "woke up")
        }
        var start = DispatchTime.now()
        let neverClient = try client(e, transport: never, config: cfg)
        guard let n = await authError("Network", { try await neverClient.token() }) else { return }
        var took = millis(since: start)
        XCTAssertEqual("transport", n.code())
        XCTAssertEqual("timeout", n.transportKind())
        XCTAssertTrue(n.detail().contains("cancelled"), n.detail())
        XCTAssertTrue(took >= 300 && took <= 1_300, "ended at the deadline: \(took) ms")
        XCTAssertEqual(1, calls.get(), "a timeout is never retried")
        for _ in 0..<40 where !cancelled.get() {
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        XCTAssertTrue(cancelled.get(), "the transport's task was cancelled")

        // One that blocks its thread (it cannot even be cancelled) is cut off too.
        let blocking = FnTransport { _ in
            usleep(3_000_000)  // blocks the thread, as a synchronous HTTP client would
            throw TransportError.Other(detail: "too late")
        }
        start = DispatchTime.now()
        let blockingClient = try client(e, transport: blocking, config: cfg)
        guard let b = await authError("Network", { try await blockingClient.listSecrets() }) else { return }
        took = millis(since: start)
        XCTAssertEqual("timeout", b.transportKind())
        XCTAssertTrue(took >= 300 && took <= 1_300, "ended at the deadline: \(took) ms")
    }

    func testStoreFailuresCrossAsStoreFailed() async throws {
        let e = try await fresh()
        let store = MemoryStore()
        store.failLoad = true
        guard let s = await authError("StoreFailed", { try await self.client(e, store: store).rotate() }) else { return }
        XCTAssertEqual("store", s.code())
        XCTAssertTrue(s.detail().contains("keystore unavailable"), s.detail())
        store.failLoad = false

        // An empty store gives the same store error in every binding.
        let inner = transport
        guard let empty = await authError("StoreFailed", {
            try await AuthClient.fromStore(
                transport: inner, store: MemoryStore(), retries: 3, propagationWaitMs: 30_000, timeoutMs: 30_000,
                description: nil, progress: nil, platform: nil
            )
        }) else { return }
        XCTAssertEqual("store", empty.code())
        XCTAssertTrue(empty.detail().contains("the store is empty"), empty.detail())

        guard let noStore = await authError("InvalidInput", { try await self.client(e).rotate() }) else { return }
        XCTAssertEqual("invalid_input", noStore.code())

        // Saving the new secret fails: the rotation stops safely, the old secret still works.
        _ = try await client(e, store: store).seed(options: SeedOptions(claim: true))
        store.failSaveAtGeneration = 3
        guard let r = await authError(nil, { try await self.client(e, store: store).rotate() }) else { return }
        let info = r.info
        XCTAssertTrue(["RotationIncompleteRunAgain", "StoreFailed"].contains(info.variant), info.description)
        XCTAssertTrue(info.detail.contains("disk full"), info.detail)
        let stillWorks = try await works(e, try XCTUnwrap(store.record()).currentSecret().expose())
        XCTAssertTrue(stillWorks)
        store.failSaveAtGeneration = nil
        let report = try await client(e, secret: try XCTUnwrap(store.record()).currentSecret().expose(), store: store).rotate()
        XCTAssertTrue(report.rotated)
        let oldWorks = try await works(e, e.clientSecret)
        XCTAssertFalse(oldWorks, "the claimed old secret was deleted")
        let newWorks = try await works(e, try XCTUnwrap(store.record()).currentSecret().expose())
        XCTAssertTrue(newWorks)
        // The failed run's secret (never saved as pending) was swept: its rotation was recorded.
        XCTAssertEqual(1, report.swept.count)
        let held = try await e.secretIds()
        XCTAssertEqual(Set([store.record()?.currentSecretId() ?? "?"]), held)

        // A plain error from the store also arrives as StoreFailed.
        store.throwPlainOnSave = true
        let secret = try XCTUnwrap(store.record()).currentSecret().expose()
        guard let plain = await authError(nil, { try await self.client(e, secret: secret, store: store).rotate() }) else { return }
        XCTAssertTrue(["store", "rotation_incomplete"].contains(plain.code()), plain.info.description)
    }

    /// Delegates to the URLSession transport but never answers requests
    /// that match (until the binding's deadline cancels it).
    final class HangingTransport: HttpTransport, @unchecked Sendable {
        private let inner = URLSessionTransport()
        private let hangOn: (HttpRequest) -> Bool
        let hung = Locked(false)

        init(hangOn: @escaping (HttpRequest) -> Bool) {
            self.hangOn = hangOn
        }

        func send(request: HttpRequest) async throws -> HttpResponse {
            if hangOn(request) {
                hung.set(true)
                try await Task.sleep(nanoseconds: 3_600_000_000_000)
                throw TransportError.Other(detail: "woke up")
            }
            return try await inner.send(request: request)
        }
    }

    /// The DELETE of the old secret never answers: the binding cuts it off,
    /// the run stops with the store holding a working secret and the
    /// unfinished step, and the next run finishes it (Kotlin: cancelled
    /// during the delete).
    func testADeleteThatNeverAnswersThenRecovered() async throws {
        let e = try await fresh()
        let store = MemoryStore()
        _ = try await client(e, store: store).seed(options: SeedOptions(claim: true))
        let hanging = HangingTransport { $0.method() == "DELETE" }
        let c = try client(e, store: store, transport: hanging, config: config(e, timeoutMs: 1_000))
        guard let stopped = await authError(nil, { try await c.rotate() }) else { return }
        XCTAssertEqual("rotation_incomplete", stopped.code(), stopped.info.description)
        XCTAssertTrue(hanging.hung.get(), "the delete was sent")
        let record = try XCTUnwrap(store.record())
        XCTAssertTrue(record.hasUnfinishedRotation())
        let storedWorks = try await works(e, record.currentSecret().expose())
        XCTAssertTrue(storedWorks, "the stored secret works")

        let report = try await client(e, secret: record.currentSecret().expose(), store: store).rotate()
        XCTAssertTrue(report.resumed)
        let after = try XCTUnwrap(store.record())
        XCTAssertFalse(after.hasUnfinishedRotation())
        let afterWorks = try await works(e, after.currentSecret().expose())
        XCTAssertTrue(afterWorks)
        let oldWorks = try await works(e, e.clientSecret)
        XCTAssertFalse(oldWorks)
        let held = try await e.secretIds()
        XCTAssertEqual(Set([after.currentSecretId() ?? "?"]), held, "no secret lost, no orphans")
    }

    /// The new secret does not propagate within propagationWaitMs: the run
    /// stops with a pending secret saved, and the next run finishes it
    /// (Kotlin: cancelled while verifying).
    func testANewSecretThatDoesNotPropagateThenRecovered() async throws {
        let e = try await fresh()
        let store = MemoryStore()
        _ = try await client(e, store: store).seed(options: SeedOptions(claim: true))
        try await e.propagation(60_000)
        let c = try client(e, store: store, config: config(e, propagationWaitMs: 1_500))
        guard let stopped = await authError(nil, { try await c.rotate() }) else { return }
        XCTAssertEqual("rotation_incomplete", stopped.code(), stopped.info.description)
        let record = try XCTUnwrap(store.record())
        XCTAssertTrue(record.hasUnfinishedRotation(), "a pending secret was saved")
        let storedWorks = try await works(e, record.currentSecret().expose())
        XCTAssertTrue(storedWorks)
        let heldDuring = try await e.secretIds()
        XCTAssertEqual(2, heldDuring.count)

        try await e.propagation(0)
        let report = try await client(e, secret: record.currentSecret().expose(), store: store).rotate()
        XCTAssertTrue(report.resumed)
        let after = try XCTUnwrap(store.record())
        XCTAssertFalse(after.hasUnfinishedRotation())
        let afterWorks = try await works(e, after.currentSecret().expose())
        XCTAssertTrue(afterWorks)
        let held = try await e.secretIds()
        XCTAssertEqual(Set([after.currentSecretId() ?? "?"]), held, "no secret lost, no orphans")
    }

    func testCanaryNeverPrinted() async throws {
        let e = try await fresh()
        let secret = ClientSecret(value: canary)
        XCTAssertEqual(canary, secret.expose())
        let seen = Locked<[String]>([])
        let inner = transport
        let spy = FnTransport { request in
            seen.update { (list: inout [String]) in list.append(shown(request)) }
            return try await inner.send(request: request)
        }
        let c = try AuthClient.withClientSecret(
            config: config(e, retries: 0), clientId: Emulator.client, secret: secret, transport: spy, store: nil
        )
        guard let refused = await authError("CheckCredentials", { try await c.token() }) else { return }
        XCTAssertEqual("invalid_client", refused.oauthCode())
        let record = try StoreRecord.create(
            authUrl: e.url, customerId: Emulator.customer, clientId: Emulator.client, secret: secret, secretId: "id-1"
        )
        XCTAssertTrue(record.toStorageString().contains(canary))
        let reread = try StoreRecord.fromStorageString(text: record.toStorageString())
        let printed = [
            shown(secret), shown(c), shown(refused), refused.localizedDescription, refused.detail(), shown(record),
            seen.get().joined(separator: ", "), shown(reread),
        ]
        for text in printed {
            XCTAssertFalse(text.contains(canary), "leaked: \(text)")
        }
        XCTAssertFalse(seen.get().isEmpty)

        let created = try await client(e).createSecret(description: "canary")
        let value = created.secret().expose()
        XCTAssertFalse(shown(created).contains(value))
        XCTAssertFalse(shown(created.secret()).contains(value))
        let token = try await client(e).token()
        XCTAssertFalse(shown(token).contains(token.expose()))

        let corrupt = record.toStorageString().replacingOccurrences(of: "\"version\": 2", with: "\"version\": 9")
        guard let bad = await authError("StoreFailed", { try StoreRecord.fromStorageString(text: corrupt) }) else { return }
        XCTAssertFalse(shown(bad).contains(canary))
        XCTAssertFalse(bad.localizedDescription.contains(canary))
    }

    func testEmptyStoreIsSeededAndTheHandedInSecretKeptUnlessClaimed() async throws {
        let e = try await fresh()
        let originalId = try await demoSecretId(e)
        let store = MemoryStore()
        let c = try client(e, store: store)
        // rotate() on an empty store seeds it first (login, list, save generation 1).
        let first = try await c.rotate()
        XCTAssertTrue(first.rotated)
        let handedInWorks = try await works(e, e.clientSecret)
        XCTAssertTrue(handedInWorks, "the handed-in secret is kept: other installations may use it")
        XCTAssertEqual(1, first.kept.count)
        let kept = try XCTUnwrap(first.kept.first)
        XCTAssertEqual(originalId, kept.id)
        XCTAssertNotNil(kept.createdAt)
        XCTAssertFalse(kept.reason.isEmpty, kept.reason)
        XCTAssertTrue(kept.advice.contains(originalId), kept.advice)
        XCTAssertEqual([kept], store.record()?.keptSecrets())
        XCTAssertEqual(true, store.record()?.currentSecretOwned())

        // The next rotation deletes its own secret and still keeps the handed-in one.
        let second = try await c.rotate()
        XCTAssertEqual([first.newId ?? "?"], second.deleted)
        XCTAssertEqual([originalId], second.kept.map { $0.id ?? "?" })
        let stillWorks = try await works(e, e.clientSecret)
        XCTAssertTrue(stillWorks)

        // Claimed, it is deleted by the next rotation.
        let claimed = try await c.claim(id: originalId)
        XCTAssertEqual(store.record()?.generation(), claimed.generation())
        XCTAssertTrue(claimed.keptSecrets().isEmpty)
        XCTAssertEqual("delete_old", claimed.unfinishedStage())
        let third = try await c.rotate()
        XCTAssertEqual([originalId], third.deleted)
        XCTAssertTrue(third.kept.isEmpty)
        let goneWorks = try await works(e, e.clientSecret)
        XCTAssertFalse(goneWorks)
        let after = try XCTUnwrap(store.record())
        let afterWorks = try await works(e, after.currentSecret().expose())
        XCTAssertTrue(afterWorks)
        XCTAssertNil(after.unfinishedStage())
        let held = try await e.secretIds()
        XCTAssertEqual(Set([after.currentSecretId() ?? "?"]), held)

        // Only a kept (or the current) secret can be claimed.
        guard let bad = await authError("InvalidInput", { try await c.claim(id: "no-such-secret") }) else { return }
        XCTAssertEqual("invalid_input", bad.code())
    }

    func testSeedOptionsNameOrClaimTheSecret() async throws {
        let e = try await fresh()
        let originalId = try await demoSecretId(e)
        // Unclaimed by default; a second seed leaves the store unchanged.
        let store = MemoryStore()
        let seeded = try await client(e, store: store).seed(options: SeedOptions())
        XCTAssertEqual(1, seeded.generation())
        XCTAssertEqual(originalId, seeded.currentSecretId())
        XCTAssertFalse(seeded.currentSecretOwned())
        let again = try await client(e, store: store).seed(options: SeedOptions(claim: true))
        XCTAssertFalse(again.currentSecretOwned(), "an existing record is not re-seeded")
        XCTAssertEqual(1, store.saves)

        // A named id must be one of the client's secrets; naming it claims it.
        guard let bad = await authError("InvalidInput", {
            try await self.client(e, store: MemoryStore()).seed(options: SeedOptions(secretId: "nope"))
        }) else { return }
        XCTAssertTrue(bad.detail().contains("secret_id"), bad.detail())
        let named = try await client(e, store: MemoryStore()).seed(options: SeedOptions(secretId: originalId))
        XCTAssertTrue(named.currentSecretOwned())

        // With several secrets and no id, the secret is unidentified: the
        // candidates are recorded and a rotation keeps it, naming them.
        let other = try await client(e).createSecret(description: "another installation")
        let multi = MemoryStore()
        _ = await authError("InvalidInput", { try await self.client(e, store: multi).seed(options: SeedOptions(claim: true)) })
        XCTAssertNil(multi.record())
        let report = try await client(e, store: multi).rotate()
        XCTAssertEqual(1, report.kept.count)
        let kept = try XCTUnwrap(report.kept.first)
        XCTAssertNil(kept.id)
        XCTAssertEqual(Set([originalId, other.id()]), Set(kept.candidates.map { $0.id }))
        XCTAssertTrue(kept.advice.contains(other.id()), kept.advice)
        let originalWorks = try await works(e, e.clientSecret)
        XCTAssertTrue(originalWorks)
        let otherWorks = try await works(e, other.secret().expose())
        XCTAssertTrue(otherWorks)
    }

    func testOneClientRotatesOneAtATime() async throws {
        let e = try await fresh()
        let store = MemoryStore()
        let c = try client(e, store: store)
        _ = try await c.seed(options: SeedOptions(claim: true))
        let reports = try await withThrowingTaskGroup(of: RotationReport.self, returning: [RotationReport].self) { group in
            for _ in 0..<2 {
                group.addTask { try await c.rotate() }
            }
            var all: [RotationReport] = []
            for try await r in group {
                all.append(r)
            }
            return all
        }
        XCTAssertTrue(reports.allSatisfy { $0.rotated })
        XCTAssertEqual(0, store.conflicts, "the lock serialised them: no conflict")
        let newIds = Set(reports.compactMap { $0.newId })
        let last = try XCTUnwrap(store.record())
        XCTAssertTrue(newIds.contains(last.currentSecretId() ?? "?"))
        let lastWorks = try await works(e, last.currentSecret().expose())
        XCTAssertTrue(lastWorks)
        let held = try await e.secretIds()
        XCTAssertEqual(Set([last.currentSecretId() ?? "?"]), held)
    }

    func testTwoClientsRotatingOneStoreNeverDeleteThePromotedSecret() async throws {
        let e = try await fresh()
        let store = MemoryStore()
        _ = try await client(e, store: store).seed(options: SeedOptions(claim: true))
        // Jitter every save so the two runs interleave differently each round.
        store.beforeSave = { _ in try await Task.sleep(nanoseconds: UInt64.random(in: 0..<25) * 1_000_000) }
        var outcomes: [String] = []
        for round in 0..<6 {
            let current = try XCTUnwrap(store.record()).currentSecret().expose()
            // Two clients (no shared lock): only the store's compare-and-swap protects them.
            let clients = try (0..<2).map { _ in try client(e, secret: current, store: store) }
            let runs = try await withThrowingTaskGroup(of: String.self, returning: [String].self) { group in
                for c in clients {
                    group.addTask {
                        do {
                            _ = try await c.rotate()
                            return "ok"
                        } catch let error as AuthError {
                            switch variantName(error) {
                            case "ConflictRunAgain" where error.code() == "store": return "conflict"
                            case "RotationIncompleteRunAgain": return "incomplete"
                            default: throw error
                            }
                        }
                    }
                }
                var all: [String] = []
                for try await r in group {
                    all.append(r)
                }
                return all
            }
            outcomes += runs
            let record = try XCTUnwrap(store.record())
            let currentWorks = try await works(e, record.currentSecret().expose())
            XCTAssertTrue(currentWorks, "round \(round) (\(runs)): the store's current secret logs in")
            let held = try await e.secretIds()
            XCTAssertTrue(held.contains(record.currentSecretId() ?? "?"), "round \(round): the current secret exists")
        }
        XCTAssertTrue(outcomes.contains("ok"), "some run succeeded: \(outcomes)")
        let counts = Dictionary(grouping: outcomes, by: { $0 }).mapValues { $0.count }
        print("two clients, one CAS store, 6 rounds: \(counts), \(store.conflicts) CAS conflicts")
        // A clean run afterwards finishes whatever the races left.
        store.beforeSave = nil
        let record = try XCTUnwrap(store.record())
        _ = try await client(e, secret: record.currentSecret().expose(), store: store).rotate()
        let after = try XCTUnwrap(store.record())
        let afterWorks = try await works(e, after.currentSecret().expose())
        XCTAssertTrue(afterWorks)
        let held = try await e.secretIds()
        XCTAssertTrue(held.contains(after.currentSecretId() ?? "?"))
    }

    func testAConflictSurfacesAsConflictRunAgain() async throws {
        let e = try await fresh()
        let store = MemoryStore()
        _ = try await client(e, store: store).seed(options: SeedOptions(claim: true))
        let secret = try XCTUnwrap(store.record()).currentSecret().expose()
        let mine = try client(e, secret: secret, store: store)
        let theirs = Locked<String?>(nil)
        let theirClient = try client(e, secret: secret, store: store)
        // Between this run's load and its first save, another client rotates the store.
        store.beforeSave = { [weak store] _ in
            store?.beforeSave = nil
            let report = try await theirClient.rotate()
            theirs.set(report.newId)
        }
        guard let conflict = await authError("ConflictRunAgain", { try await mine.rotate() }) else { return }
        XCTAssertEqual("store", conflict.code())
        XCTAssertTrue(conflict.detail().contains("run again"), conflict.detail())
        let record = try XCTUnwrap(store.record())
        XCTAssertEqual(theirs.get(), record.currentSecretId(), "the other run's secret is current")
        let currentWorks = try await works(e, record.currentSecret().expose())
        XCTAssertTrue(currentWorks)
        let rerun = try await mine.rotate()
        XCTAssertTrue(rerun.rotated)
        let finalWorks = try await works(e, try XCTUnwrap(store.record()).currentSecret().expose())
        XCTAssertTrue(finalWorks)
    }
}
