// Every flow vector (tests/flows/*.json, format in its README) replayed
// through the public Swift AuthClient and its real drive loop, with a
// scripted HttpTransport, SecretStore and Platform (clock, sleep,
// randomness), compared step by step. The persist and sleep reasons come
// from the Progress listener, which reports each step as the core names it;
// the EventListener must then report every step of the transcript, in order,
// with its purpose or reason and no secret. The Swift twin of tests/kotlin/FlowsTest.kt.
import Foundation
import MapsIndoorsAuth
import XCTest

final class FlowsTests: XCTestCase {
    /// The transcript's events, consumed in order by every hook (from any thread).
    final class Script: HttpTransport, SecretStore, Platform, MapsIndoorsAuth.Progress, EventListener, @unchecked Sendable {
        // Recursive: `next` is called with the lock held, as Kotlin's synchronized nests.
        private let lock = NSRecursiveLock()
        private var events: [JSON]
        private var random: [String]
        private var _store: JSON
        private var _now: Int64
        private var _building = false
        private var _mismatch: String?
        private var persistReason: String?
        private var sleepReason: String?
        private var _told: [AuthEvent] = []
        /// What the EventListener must be told: each transcript event's kind and purpose or reason.
        let expectedEvents: [String]

        init(_ vector: JSON) {
            events = vector["events"]?.arr ?? []
            expectedEvents = (vector["events"]?.arr ?? []).map { (e: JSON) -> String in FlowsTests.describe(e) }
            random = (vector["random"]?.arr ?? []).map { $0.str ?? "" }
            _store = vector["store"] ?? .null
            _now = vector["start_ms"]?.int ?? 0
        }

        private func locked<R>(_ body: () throws -> R) rethrows -> R {
            lock.lock()
            defer { lock.unlock() }
            return try body()
        }

        var store: JSON { locked { _store } }
        var mismatch: String? { locked { _mismatch } }
        var remaining: Int { locked { events.count } }
        var told: [AuthEvent] { locked { _told } }
        /// fromStore's own load is no step: the client is built from the record.
        var building: Bool {
            get { locked { _building } }
            set { locked { _building = newValue } }
        }

        func advance(_ ms: Int64) {
            locked { () -> Void in _now += ms }
        }

        /// Records the first mismatch; returns it as an error to throw.
        private func fail(_ message: String) -> CaseFailure {
            locked { () -> Void in
                if _mismatch == nil {
                    _mismatch = message
                }
            }
            return CaseFailure(message)
        }

        private func next(_ key: String, _ asked: JSON) throws -> JSON {
            try locked { () throws -> JSON in
                guard !events.isEmpty else {
                    throw fail("asked \(key) \(asked), but the transcript has ended")
                }
                let event = events.removeFirst()
                guard event.has(key), event[key] == asked else {
                    throw fail("\(key):\n  expected \(event)\n  asked    \(asked)")
                }
                return event
            }
        }

        func onEvent(event: AuthEvent) {
            locked { () -> Void in _told.append(event) }
        }

        func onStep(step: ProgressStep) {
            locked { () -> Void in
                switch step {
                case .persist(let reason, _): persistReason = reason
                case .sleep(let reason, _): sleepReason = reason
                default: break
                }
            }
        }

        func send(request: HttpRequest) async throws -> HttpResponse {
            let asked = JSON.object([
                "purpose": .string(request.purpose()),
                "method": .string(request.method()),
                "url": .string(request.url()),
                "headers": .array(request.headers().map { (h: HttpHeader) -> JSON in .array([.string(h.name), .string(h.value)]) }),
                "body": .string(String(decoding: request.body(), as: UTF8.self)),
            ])
            let event = try next("send", asked)
            // Another writer saved this while the request was out.
            if event.has("store_now") {
                locked { _store = event["store_now"] ?? .null }
            }
            if let f = event["fail"], !f.obj.isEmpty {
                let message = f["message"]?.str ?? ""
                switch f["kind"]?.str ?? "" {
                case "connect": throw TransportError.Connect(detail: message)
                case "timeout": throw TransportError.Timeout(detail: message)
                case "interrupted": throw TransportError.Interrupted(detail: message)
                default: throw TransportError.Other(detail: message)
                }
            }
            let r = event["respond"] ?? .null
            let headers = (r["headers"]?.arr ?? []).map { (h: JSON) -> HttpHeader in
                HttpHeader(name: h.arr.first?.str ?? "", value: h.arr.dropFirst().first?.str ?? "")
            }
            return HttpResponse(status: Int32(r["status"]?.int ?? 0), headers: headers, body: Data((r["body"]?.str ?? "").utf8))
        }

        func load() async throws -> StoreRecord? {
            let record: JSON = try locked { () throws -> JSON in
                if !_building {
                    _ = try next("load", _store)
                }
                return _store
            }
            if record.isNull {
                return nil
            }
            return try StoreRecord.fromStorageString(text: record.description)
        }

        func save(record: StoreRecord, expectedGeneration: Int64) async throws {
            let saved = try JSON.parse(record.toStorageString())
            try persist(saved, generation: record.generation(), expectedGeneration: expectedGeneration)
        }

        private func persist(_ saved: JSON, generation: Int64, expectedGeneration: Int64) throws {
            try locked { () throws -> Void in
                let event = try next("persist", .object(["reason": JSON.of(persistReason), "record": saved]))
                if expectedGeneration != generation - 1 {
                    throw fail("saved generation \(generation) expecting \(expectedGeneration)")
                }
                if event["result"]?.str == "ok" {
                    _store = saved
                    return
                }
                if event.has("store_now") {
                    _store = event["store_now"] ?? .null
                }
                throw StoreError.Conflict(detail: "the store changed meanwhile")
            }
        }

        func nowMs() -> Int64 {
            locked { _now }
        }

        // Platform.sleep cannot throw: a mismatch is recorded and the replay fails on it.
        func sleep(ms: Int64) async {
            locked { () -> Void in
                if (try? next("sleep", .object(["ms": .int(ms), "reason": JSON.of(sleepReason)]))) != nil {
                    _now += ms
                }
            }
        }

        func randomBytes(len: Int32) -> Data {
            locked { () -> Data in
                guard !random.isEmpty else {
                    _ = fail("asked \(len) random bytes, the transcript has none left")
                    return Data(count: Int(len))
                }
                let chunk = Array(random.removeFirst().utf8)
                guard chunk.count == 2 * Int(len) else {
                    _ = fail("asked \(len) random bytes, the transcript has \(String(decoding: chunk, as: UTF8.self))")
                    return Data(count: Int(len))
                }
                var out = Data()
                for i in 0..<Int(len) {
                    let pair = String(decoding: chunk[(2 * i)..<(2 * i + 2)], as: UTF8.self)
                    out.append(UInt8(pair, radix: 16) ?? 0)
                }
                return out
            }
        }
    }

    /// `send login`, `load`, `persist pending`, `sleep backoff`: a transcript event in short.
    static func describe(_ e: JSON) -> String {
        if let send = e["send"] {
            return "send \(send["purpose"]?.str ?? "?")"
        }
        if e.has("load") {
            return "load"
        }
        if let persist = e["persist"] {
            return "persist \(persist["reason"]?.str ?? "?")"
        }
        if let sleep = e["sleep"] {
            return "sleep \(sleep["reason"]?.str ?? "?")"
        }
        return "unknown \(e)"
    }

    /// The same of an AuthEvent.
    static func describe(_ e: AuthEvent) -> String {
        [e.event, e.purpose ?? e.reason].compactMap { $0 }.joined(separator: " ")
    }

    private static let secretKeys: Set<String> = ["secret", "client_secret", "password", "access_token"]

    /// The secrets and tokens a vector holds: values of those keys, in records and JSON bodies too.
    static func secrets(_ v: JSON) -> [String] {
        switch v {
        case .object(let o):
            return o.flatMap { (entry: (key: String, value: JSON)) -> [String] in
                if secretKeys.contains(entry.key), let text = entry.value.str {
                    return [text]
                }
                return secrets(entry.value)
            }
        case .array(let a):
            return a.flatMap { (x: JSON) -> [String] in secrets(x) }
        case .string(let text):
            guard text.hasPrefix("{"), let parsed = try? JSON.parse(text) else { return [] }
            return secrets(parsed)
        default:
            return []
        }
    }

    /// A vector's `max_age_ms` as the TimeInterval an app passes.
    private static func maxAge(_ call: JSON) -> TimeInterval? {
        call["max_age_ms"]?.int.map { (ms: Int64) -> TimeInterval in TimeInterval(ms) / 1000 }
    }

    /// Unix ms of a Date (rounded: a Date is a Double).
    private static func ms(_ d: Date?) -> Int64? {
        d.map { (x: Date) -> Int64 in Int64((x.timeIntervalSince1970 * 1000).rounded()) }
    }

    private static func build(_ vector: JSON, _ script: Script) async throws -> AuthClient {
        let s = vector["session"] ?? .null
        let knobs = s["settings"] ?? .null
        let retries = Int32(knobs["retries"]?.int ?? 0)
        let wait = knobs["propagation_wait_ms"]?.int ?? 0
        let timeout = knobs["timeout_ms"]?.int ?? 0
        let description = knobs["description"]?.str
        if s["from_store"]?.bool == true {
            script.building = true
            defer { script.building = false }
            return try await AuthClient.fromStore(
                transport: script, store: script, retries: retries, propagationWaitMs: wait, timeoutMs: timeout,
                description: description, progress: script, platform: script, events: script
            )
        }
        let config = ClientConfig(
            authUrl: s["base_url"]?.str ?? "", customerId: s["customer_id"]?.str, retries: retries,
            propagationWaitMs: wait, timeoutMs: timeout, description: description
        )
        let c = s["credentials"] ?? .null
        if c["grant"]?.str == "client_credentials" {
            return try AuthClient.withClientSecret(
                config: config, clientId: c["client_id"]?.str ?? "", secret: ClientSecret(value: c["client_secret"]?.str ?? ""),
                transport: script, store: script, progress: script, platform: script, events: script
            )
        }
        return try AuthClient.withPassword(
            config: config, username: c["username"]?.str ?? "", password: c["password"]?.str ?? "",
            transport: script, store: script, progress: script, platform: script, events: script
        )
    }

    /// A call's outcome as the transcripts write it.
    private static func invoke(_ client: AuthClient, _ call: JSON) async throws -> JSON {
        do {
            let value: JSON
            switch call["call"]?.str ?? "" {
            case "token":
                let t = try await client.token()
                value = .object(["access_token": .string(t.expose()), "expires_in": JSON.of(t.expiresIn())])
            case "list":
                let ids = try await client.listSecrets().map { $0.id }
                value = JSON.of(ids)
            case "create":
                let c = try await client.createSecret(description: call["description"]?.str)
                value = .object(["id": .string(c.id()), "secret": .string(c.secret().expose())])
            case "delete":
                try await client.deleteSecret(id: call["id"]?.str ?? "")
                value = .null
            case "rotate":
                let maxAge = FlowsTests.maxAge(call)
                let r = try await client.rotate(maxAge: maxAge)
                var out: [String: JSON] = [
                    "rotated": .bool(r.rotated), "resumed": .bool(r.resumed), "old_id": JSON.of(r.oldId),
                    "new_id": JSON.of(r.newId), "deleted": JSON.of(r.deleted), "swept": JSON.of(r.swept),
                    "kept": .array(r.kept.map { (k: KeptSecret) -> JSON in JSON.of(k.id) }),
                    "round_trips": .int(Int64(r.roundTrips)), "persists": .int(Int64(r.persists)),
                    "generation": .int(r.generation),
                ]
                guard FlowsTests.ms(r.dueAt) == r.dueAtMs else {
                    throw CaseFailure("dueAt \(String(describing: r.dueAt)) is not dueAtMs \(String(describing: r.dueAtMs))")
                }
                if maxAge != nil {
                    out["decision"] = .string(r.decision)
                    out["due_at_ms"] = JSON.of(r.dueAtMs)
                } else if r.decision != "always" && r.decision != "unfinished" {
                    throw CaseFailure("a rotation without maxAge decided \(r.decision)")
                }
                value = .object(out)
            case "status":
                let s = try await client.status(probe: call["probe"]?.bool ?? false, maxAge: FlowsTests.maxAge(call))
                // The binding's own fields agree with each other and with the core's verdict.
                let codes: [String: Int32] = ["ok": 0, "warning": 1, "critical": 2]
                let ageMs: Int64? = s.age.map { (a: TimeInterval) -> Int64 in Int64((a * 1000).rounded()) }
                guard FlowsTests.ms(s.dueAt) == s.dueAtMs, ageMs == s.ageMs, codes[s.health] == s.exitCode,
                      s.findings.isEmpty == (s.health == "ok"), s.maxAgeMs == call["max_age_ms"]?.int
                else {
                    throw CaseFailure("inconsistent status: \(s)")
                }
                let check: JSON = s.check.map { (c: StatusCheck) -> JSON in
                    .object([
                        "accepted": .bool(c.accepted), "refusal_kind": JSON.of(c.refusalKind),
                        "secret_count": JSON.of(c.secretCount),
                    ])
                } ?? .null
                value = .object([
                    "health": .string(s.health), "generation": .int(s.generation), "current_id": JSON.of(s.currentId),
                    "age_ms": JSON.of(s.ageMs), "due_at_ms": JSON.of(s.dueAtMs), "due": .bool(s.due),
                    "unfinished": JSON.of(s.unfinished), "kept": .array(s.kept.map { (k: KeptSecret) -> JSON in JSON.of(k.id) }),
                    "last_rotation_ms": JSON.of(s.lastRotationMs), "check": check,
                ])
            case "seed":
                let options = SeedOptions(secretId: call["secret_id"]?.str, claim: call["claim"]?.bool ?? false)
                let record = try await client.seed(options: options)
                value = .object(["generation": .int(record.generation())])
            case "claim":
                let record = try await client.claim(id: call["id"]?.str ?? "")
                value = .object(["generation": .int(record.generation())])
            case let name:
                throw CaseFailure("unknown call \(name)")
            }
            return .object(["ok": value])
        } catch let e as AuthError {
            var error: [String: JSON] = ["kind": .string(e.code()), "status": JSON.of(e.status()), "code": JSON.of(e.oauthCode())]
            if e.code() == "rotation_incomplete" {
                error["stage"] = JSON.of(e.stage())
            }
            return .object(["error": .object(error)])
        }
    }

    private static func replay(_ vector: JSON) async throws {
        let script = Script(vector)
        try await withDeadline(ms: 30_000) { () async throws -> Void in
            let client = try await FlowsTests.build(vector, script)
            for call in vector["calls"]?.arr ?? [] {
                if call["call"]?.str == "advance" {
                    script.advance(call["ms"]?.int ?? 0)
                    continue
                }
                let group = call.has("concurrent") ? (call["concurrent"]?.arr ?? []) : [call]
                let results = try await withThrowingTaskGroup(of: (Int, JSON).self, returning: [JSON].self) { tasks in
                    for (i, c) in group.enumerated() {
                        tasks.addTask {
                            let got = try await FlowsTests.invoke(client, c)
                            return (i, got)
                        }
                    }
                    var out = [JSON](repeating: .null, count: group.count)
                    for try await (i, got) in tasks {
                        out[i] = got
                    }
                    return out
                }
                if let m = script.mismatch {
                    throw CaseFailure(m)
                }
                for (c, got) in zip(group, results) {
                    let expect = c["expect"] ?? .object([:])
                    if !expect.obj.isEmpty && expect != got {
                        throw CaseFailure("\(c["call"]?.str ?? "?"): expected \(expect), got \(got)")
                    }
                }
            }
        }
        if let m = script.mismatch {
            throw CaseFailure(m)
        }
        if script.remaining != 0 {
            throw CaseFailure("\(script.remaining) events never happened")
        }
        if script.store != (vector["store_after"] ?? .null) {
            throw CaseFailure("the store at the end differs: \(script.store)")
        }
        let told = script.told
        let described = told.map { (e: AuthEvent) -> String in FlowsTests.describe(e) }
        if described != script.expectedEvents {
            throw CaseFailure("events told:\n  \(described)\nthe transcript's:\n  \(script.expectedEvents)")
        }
        if told.contains(where: { (e: AuthEvent) -> Bool in e.durationMs < 0 }) {
            throw CaseFailure("a negative duration: \(told)")
        }
        // No secret or token of the vector in any event.
        let secrets = Set(FlowsTests.secrets(vector).filter { (x: String) -> Bool in x.count >= 4 })
        if secrets.isEmpty {
            throw CaseFailure("found no secret in the vector to look for")
        }
        for e in told {
            let text = shown(e)
            if let leaked = secrets.first(where: { (x: String) -> Bool in text.contains(x) || e.json.contains(x) }) {
                throw CaseFailure("an event holds a secret (\(leaked.count) chars): \(e.event)")
            }
        }
    }

    func testEveryFlowVector() async throws {
        let files = jsonFiles(in: dataDir("MIA_FLOWS_DIR", "tests/flows"))
        XCTAssertGreaterThanOrEqual(files.count, 10, "too few flow vectors: \(files.count)")
        var failures: [String] = []
        for file in files {
            do {
                try await FlowsTests.replay(try JSON.read(file))
            } catch {
                failures.append("\(URL(fileURLWithPath: file).lastPathComponent): \(type(of: error)): \(error)")
            }
        }
        XCTAssertTrue(failures.isEmpty, "flow vector failures:\n" + failures.joined(separator: "\n"))
        if failures.isEmpty {
            print("flow vectors: \(files.count) passed (swift)")
        }
    }
}
