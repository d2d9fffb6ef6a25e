// Running rotation in production, end to end against the emulator over
// loopback HTTP: rotate(maxAge:) (not due: no request, nothing created; due:
// rotated), status(probe:maxAge:) (ok, warning when due, critical once the
// secret was deleted out of band) and the EventListener (every step of a
// rotation, purposes in order, durations, never a secret), also read as an
// AsyncStream. The Swift twin of tests/kotlin/OperationsTest.kt.
import Foundation
import MapsIndoorsAuth
import XCTest

/// Counts the requests sent through it.
final class CountingTransport: HttpTransport, @unchecked Sendable {
    private let inner: HttpTransport
    private let count = Locked(0)

    init(_ inner: HttpTransport) {
        self.inner = inner
    }

    var sent: Int {
        get { count.get() }
        set { count.set(newValue) }
    }

    func send(request: HttpRequest) async throws -> HttpResponse {
        count.update { (n: inout Int) -> Void in n += 1 }
        return try await inner.send(request: request)
    }
}

/// Collects events and progress steps.
final class Recorder: EventListener, MapsIndoorsAuth.Progress, @unchecked Sendable {
    private let told = Locked([AuthEvent]())
    private let heard = Locked([ProgressStep]())

    var events: [AuthEvent] { told.get() }
    var steps: [ProgressStep] { heard.get() }

    func clear() {
        told.set([])
        heard.set([])
    }

    func onEvent(event: AuthEvent) {
        told.update { (list: inout [AuthEvent]) -> Void in list.append(event) }
    }

    func onStep(step: ProgressStep) {
        heard.update { (list: inout [ProgressStep]) -> Void in list.append(step) }
    }
}

/// The README's async iterator: events as an AsyncStream.
final class StreamEvents: EventListener, @unchecked Sendable {
    let stream: AsyncStream<AuthEvent>
    private let continuation: AsyncStream<AuthEvent>.Continuation

    init() {
        let pair = AsyncStream.makeStream(of: AuthEvent.self)
        stream = pair.stream
        continuation = pair.continuation
    }

    func onEvent(event: AuthEvent) {
        continuation.yield(event)
    }

    func finish() {
        continuation.finish()
    }
}

final class OperationsTests: XCTestCase {
    private let canary = "CANARY-9c41e2aa-must-not-leak"
    private let transport = URLSessionTransport()
    /// The emulator's demo secret was created on 2024-05-27T13:46:31.843Z.
    private let demoCreatedMs: Int64 = 1_716_817_591_843
    private let day: TimeInterval = 86_400

    private func fresh() async throws -> Emulator {
        let e = try Emulator.shared()
        try await e.reset()
        try await e.propagation(0)
        try await e.admin("DELETE", "/_emulator/faults")
        return e
    }

    private func config(_ e: Emulator, retries: Int32 = 3) -> ClientConfig {
        ClientConfig(authUrl: e.url, customerId: Emulator.customer, retries: retries, description: "swift ops")
    }

    private func demoSecretId(_ e: Emulator) async throws -> String {
        let held = try await e.secretIds()
        XCTAssertEqual(1, held.count)
        return held.first ?? ""
    }

    /// A claimed store seeded with the demo secret, and a client of it over `t`.
    private func seeded(
        _ e: Emulator, transport t: HttpTransport? = nil, events: EventListener? = nil,
        progress: MapsIndoorsAuth.Progress? = nil
    ) async throws -> (AuthClient, MemoryStore) {
        let store = MemoryStore()
        let c = try AuthClient.withClientSecret(
            config: config(e), clientId: Emulator.client, secret: ClientSecret(value: e.clientSecret),
            transport: t ?? transport, store: store, progress: progress, events: events
        )
        _ = try await c.seed(options: SeedOptions(claim: true))
        return (c, store)
    }

    /// Unix ms of a Date (rounded: a Date is a Double).
    private func ms(_ d: Date?) -> Int64? {
        d.map { (x: Date) -> Int64 in Int64((x.timeIntervalSince1970 * 1000).rounded()) }
    }

    func testARotationNotDueSendsNothingAndCreatesNothing() async throws {
        let e = try await fresh()
        let counting = CountingTransport(transport)
        let (c, store) = try await seeded(e, transport: counting)
        let before = try await e.secretIds()
        let generation = try XCTUnwrap(store.record()).generation()
        counting.sent = 0

        let maxAge = 3650 * day
        let r = try await c.rotate(maxAge: maxAge)
        XCTAssertFalse(r.rotated)
        XCTAssertEqual("not_due", r.decision)
        XCTAssertEqual(0, counting.sent)
        XCTAssertEqual(0, r.roundTrips)
        XCTAssertEqual(demoCreatedMs + 3650 * 86_400_000, r.dueAtMs)
        XCTAssertEqual(r.dueAtMs, ms(r.dueAt))
        XCTAssertNil(r.newId)
        let after = try await e.secretIds()
        XCTAssertEqual(before, after, "nothing created")
        let record = try XCTUnwrap(store.record())
        XCTAssertEqual(generation, record.generation(), "nothing saved")
        // Rotate at login, only when due: the same decision, then the cached token.
        let login = try await c.loginAndRotate(maxAge: maxAge)
        XCTAssertEqual("not_due", login.report.decision)
        XCTAssertFalse(login.token.expose().isEmpty)
        let afterLogin = try await e.secretIds()
        XCTAssertEqual(before, afterLogin)
    }

    func testARotationDueRotates() async throws {
        let e = try await fresh()
        let (c, store) = try await seeded(e)
        let oldId = try await demoSecretId(e)
        let maxAge = 30 * day
        let r = try await c.rotate(maxAge: maxAge)
        XCTAssertTrue(r.rotated)
        XCTAssertEqual("due", r.decision)
        XCTAssertEqual(oldId, r.oldId)
        XCTAssertEqual([oldId], r.deleted)
        let held = try await e.secretIds()
        XCTAssertEqual(Set([r.newId ?? ""]), held)
        let record = try XCTUnwrap(store.record())
        XCTAssertEqual(r.newId, record.currentSecretId())
        // The new secret is due 30 days after its creation, a moment ago.
        let dueAt = try XCTUnwrap(r.dueAt)
        let fromNow = dueAt.timeIntervalSince1970 - Date().timeIntervalSince1970
        XCTAssertTrue(fromNow <= maxAge && fromNow > maxAge - 300, "due in about 30 days: \(dueAt)")
        // And so the next run is not due.
        let again = try await c.rotate(maxAge: maxAge)
        XCTAssertEqual("not_due", again.decision)
        XCTAssertEqual(r.dueAtMs, again.dueAtMs)
        // Without a maxAge every run rotates.
        let always = try await c.rotate()
        XCTAssertEqual("always", always.decision)
    }

    func testABadMaxAgeIsInvalidInputBeforeAnyRequest() async throws {
        let e = try await fresh()
        let counting = CountingTransport(transport)
        let (c, _) = try await seeded(e, transport: counting)
        counting.sent = 0
        for bad in [0, 3700 * day] {
            guard let r = await authError("InvalidInput", { try await c.rotate(maxAge: bad) }) else { return }
            XCTAssertTrue(r.detail().contains("max_age"), r.detail())
            guard let s = await authError("InvalidInput", { try await c.status(maxAge: bad) }) else { return }
            XCTAssertEqual("invalid_input", s.code())
        }
        XCTAssertEqual(0, counting.sent)
    }

    func testStatusWithProbeSaysOk() async throws {
        let e = try await fresh()
        let (c, _) = try await seeded(e)
        let id = try await demoSecretId(e)
        let quiet = try await c.status()
        XCTAssertEqual("ok", quiet.health)
        XCTAssertEqual(0, quiet.exitCode)
        XCTAssertTrue(quiet.findings.isEmpty)
        XCTAssertNil(quiet.check, "no probe, no check")
        XCTAssertEqual(1, quiet.generation)
        XCTAssertEqual(id, quiet.currentId)
        XCTAssertTrue(quiet.currentOwned)
        XCTAssertEqual(Emulator.client, quiet.clientId)
        XCTAssertEqual(Emulator.customer, quiet.customerId)
        XCTAssertNil(quiet.unfinished)
        XCTAssertNil(quiet.dueAt)
        XCTAssertFalse(quiet.due)
        let age = Date().timeIntervalSince1970 - TimeInterval(demoCreatedMs) / 1000
        let quietAge = try XCTUnwrap(quiet.age)
        XCTAssertLessThan(abs(quietAge - age), 60, "age \(quietAge)")

        let probed = try await c.status(probe: true, maxAge: 3650 * day)
        XCTAssertEqual("ok", probed.health)
        let check = try XCTUnwrap(probed.check)
        XCTAssertTrue(check.accepted)
        XCTAssertEqual(1, check.secretCount)
        XCTAssertNil(check.refusal)
        XCTAssertEqual(demoCreatedMs + 3650 * 86_400_000, probed.dueAtMs)

        // Due with a shorter maxAge: a warning, exit code 1.
        let due = try await c.status(maxAge: 30 * day)
        XCTAssertEqual("warning", due.health)
        XCTAssertEqual(1, due.exitCode)
        XCTAssertTrue(due.due)
        XCTAssertEqual(["the secret is due for rotation"], due.findings)
        // A struct whose description holds no secret.
        XCTAssertFalse(shown(probed).contains(e.clientSecret))
    }

    func testStatusAfterTheSecretIsDeletedOutOfBandIsCritical() async throws {
        let e = try await fresh()
        let (c, _) = try await seeded(e)
        let id = try await demoSecretId(e)
        // An administrator deletes the store's secret elsewhere.
        let admin = try AuthClient.withPassword(
            config: config(e), username: "admin@example.com", password: "demo-password", transport: transport, store: nil
        )
        try await admin.deleteSecret(id: id)
        let s = try await c.status(probe: true)
        XCTAssertEqual("critical", s.health)
        XCTAssertEqual(2, s.exitCode)
        let check = try XCTUnwrap(s.check)
        XCTAssertFalse(check.accepted)
        XCTAssertEqual("invalid_client", check.refusalKind)
        XCTAssertNil(check.secretCount)
        XCTAssertEqual(1, s.findings.count)
        XCTAssertTrue((s.findings.first ?? "").hasPrefix("the server refuses the current secret"), "\(s.findings)")
        XCTAssertFalse(shown(s).contains(e.clientSecret))
        // Without a probe the store alone looks fine.
        let quiet = try await c.status()
        XCTAssertEqual("ok", quiet.health)
    }

    func testStatusOfAnEmptyStoreIsAStoreError() async throws {
        let e = try await fresh()
        let c = try AuthClient.withClientSecret(
            config: config(e), clientId: Emulator.client, secret: ClientSecret(value: e.clientSecret),
            transport: transport, store: MemoryStore()
        )
        guard let empty = await authError("StoreFailed", { try await c.status() }) else { return }
        XCTAssertEqual("store", empty.code())
        let none = try AuthClient.withClientSecret(
            config: config(e), clientId: Emulator.client, secret: ClientSecret(value: e.clientSecret),
            transport: transport, store: nil
        )
        guard let missing = await authError("InvalidInput", { try await none.status() }) else { return }
        XCTAssertTrue(missing.detail().contains("store"), missing.detail())
    }

    private static func short(_ step: ProgressStep) -> String {
        switch step {
        case .send(let purpose, _, _): return "send \(purpose)"
        case .load: return "load"
        case .persist(let reason, _): return "persist \(reason)"
        case .sleep(let reason, _): return "sleep \(reason)"
        }
    }

    func testEventsArriveForEveryStepOfARotation() async throws {
        let e = try await fresh()
        let recorder = Recorder()
        let (c, store) = try await seeded(e, events: recorder, progress: recorder)
        recorder.clear()
        let r = try await c.rotate()
        XCTAssertTrue(r.rotated)
        let events = recorder.events
        // One event after each step the progress listener heard of, same kinds and purposes in order.
        XCTAssertEqual(
            recorder.steps.map { (s: ProgressStep) -> String in OperationsTests.short(s) },
            events.map { (x: AuthEvent) -> String in [x.event, x.purpose ?? x.reason].compactMap { $0 }.joined(separator: " ") }
        )
        let purposes = events.filter { (x: AuthEvent) -> Bool in x.event == "send" }.map { (x: AuthEvent) -> String in x.purpose ?? "" }
        XCTAssertEqual(Int(r.roundTrips), purposes.count)
        let create = purposes.firstIndex(of: "create") ?? -1
        let verify = purposes.firstIndex(of: "verify") ?? -1
        let deleteOld = purposes.firstIndex(of: "delete_old") ?? -1
        XCTAssertTrue(create >= 0 && create < verify && verify < deleteOld, "create, verify, delete_old in order: \(purposes)")
        XCTAssertEqual(Int(r.persists), events.filter { (x: AuthEvent) -> Bool in x.event == "persist" }.count)
        for x in events {
            XCTAssertGreaterThanOrEqual(x.durationMs, 0)
            XCTAssertEqual("ok", x.outcome)
            if x.event == "send" {
                XCTAssertTrue((200..<300).contains(x.status ?? 0), "\(x)")
            }
            let line = try JSON.parse(x.json)
            XCTAssertEqual(x.event, line["event"]?.str)
        }
        // Saves carry their generation, one after another.
        let generations = events.filter { (x: AuthEvent) -> Bool in x.event == "persist" }.map { (x: AuthEvent) -> Int64 in x.generation ?? -1 }
        XCTAssertEqual(Array(2...r.generation), generations)
        // Never a secret: not the old one, the new one, or a token.
        let token = try await c.token()
        let record = try XCTUnwrap(store.record())
        let secrets = [e.clientSecret, record.currentSecret().expose(), token.expose()]
        for x in events {
            for s in secrets {
                XCTAssertFalse(shown(x).contains(s) || x.json.contains(s), "an event holds a secret: \(x.event)")
            }
        }
    }

    func testARefusedCanarySecretsEventsHoldNoSecret() async throws {
        let e = try await fresh()
        let recorder = Recorder()
        let c = try AuthClient.withClientSecret(
            config: config(e, retries: 0), clientId: Emulator.client, secret: ClientSecret(value: canary),
            transport: transport, store: nil, events: recorder
        )
        guard let refused = await authError("CheckCredentials", { try await c.token() }) else { return }
        XCTAssertEqual("invalid_client", refused.oauthCode())
        XCTAssertEqual(1, recorder.events.count)
        let x = try XCTUnwrap(recorder.events.first)
        XCTAssertEqual("send", x.event)
        XCTAssertEqual("login", x.purpose)
        XCTAssertEqual("http_error", x.outcome)
        XCTAssertTrue((400...401).contains(x.status ?? 0), "\(x)")
        XCTAssertFalse(shown(x).contains(canary))
        XCTAssertFalse(x.json.contains(canary))
    }

    func testEventsAsAnAsyncStream() async throws {
        let e = try await fresh()
        let listener = StreamEvents()
        let (c, _) = try await seeded(e, events: listener)
        _ = try await c.rotate(maxAge: 30 * day)
        listener.finish()
        var events: [AuthEvent] = []
        for await x in listener.stream {
            events.append(x)
        }
        XCTAssertTrue(events.contains { (x: AuthEvent) -> Bool in x.event == "send" && x.purpose == "create" })
        XCTAssertTrue(events.allSatisfy { (x: AuthEvent) -> Bool in x.durationMs >= 0 })
    }
}
