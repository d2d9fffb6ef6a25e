// The reference HttpTransport for Swift, on URLSession (Foundation on Apple
// platforms, FoundationNetworking on Linux). Sends the request exactly as
// given and returns every status as a response; throws TransportError only
// when no response arrived. The policy every transport applies (issue 11):
// - one whole-request deadline, request.timeoutMs(), covering connect,
//   headers and body together (a server dripping a byte at a time cannot
//   hold the call past it): TransportError.Timeout;
// - never follows a redirect (the 3xx goes back to the core, which refuses it);
// - reads at most maxBodyBytes + 1 bytes of body (the core refuses a body over
//   the cap), then cancels the exchange. URLSession may inflate a gzip body
//   itself; the cap counts the inflated bytes, so a bomb stops at the cap.
// Cancelling the calling Task cancels the exchange.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An `HttpTransport` on `URLSession`, with its own session (no cookies, no
/// cache, no stored credentials) and a delegate that refuses redirects.
public final class URLSessionTransport: HttpTransport, @unchecked Sendable {
    /// The core's body cap (`MAX_BODY_BYTES`, 1 MiB): one byte more is read,
    /// so the core sees it was exceeded.
    public static let maxBodyBytes = 1 << 20

    // Headers URLSession sets itself.
    private static let restricted: Set<String> = ["connection", "content-length", "expect", "host", "upgrade"]

    private let session: URLSession
    private let router: ExchangeRouter

    /// A transport with its own `URLSession` made from `configuration`.
    public init(configuration: URLSessionConfiguration = URLSessionTransport.defaultConfiguration()) {
        let router = ExchangeRouter()
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        self.router = router
        self.session = URLSession(configuration: configuration, delegate: router, delegateQueue: queue)
    }

    deinit {
        session.invalidateAndCancel()
    }

    /// An ephemeral configuration that stores nothing: no cookies, no cache,
    /// no credentials.
    public static func defaultConfiguration() -> URLSessionConfiguration {
        let c = URLSessionConfiguration.ephemeral
        c.httpCookieStorage = nil
        c.httpShouldSetCookies = false
        c.urlCache = nil
        #if !canImport(FoundationNetworking)
        c.urlCredentialStorage = nil
        #endif
        c.requestCachePolicy = .reloadIgnoringLocalCacheData
        return c
    }

    public func send(request: HttpRequest) async throws -> HttpResponse {
        let timeoutMs = max(request.timeoutMs(), 1)
        guard let url = URL(string: request.url()) else {
            throw TransportError.Other(detail: "not a URL")
        }
        var r = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: Double(timeoutMs) / 1000)
        r.httpMethod = request.method()
        for h in request.headers() where !URLSessionTransport.restricted.contains(h.name.lowercased()) {
            r.addValue(h.value, forHTTPHeaderField: h.name)
        }
        let body = request.body()
        if !body.isEmpty {
            r.httpBody = body
        }
        let port = url.port.map { String($0) } ?? "default"
        let host = (url.host ?? "?") + ":" + port
        let task = session.dataTask(with: r)
        let exchange = Exchange(task: task, host: host)
        router.add(exchange)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HttpResponse, Error>) in
                exchange.wait(continuation)
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(timeoutMs))) {
                    exchange.finish(.failure(TransportError.Timeout(detail: "no complete response within \(timeoutMs) ms")))
                }
                task.resume()
            }
        } onCancel: {
            exchange.finish(.failure(CancellationError()))
        }
    }
}

/// One request in flight: the body read so far and the one outcome. The
/// first `finish` wins; it resumes the caller and cancels the task.
final class Exchange: @unchecked Sendable {
    let task: URLSessionDataTask
    let host: String
    private let lock = NSLock()
    private var body = Data()
    private var continuation: CheckedContinuation<HttpResponse, Error>?
    private var outcome: Result<HttpResponse, Error>?
    private var done = false

    init(task: URLSessionDataTask, host: String) {
        self.task = task
        self.host = host
    }

    /// Hands in the caller's continuation (resumed at once if already finished).
    func wait(_ c: CheckedContinuation<HttpResponse, Error>) {
        lock.lock()
        if let outcome = outcome {
            self.outcome = nil
            lock.unlock()
            c.resume(with: outcome)
            return
        }
        continuation = c
        lock.unlock()
    }

    /// Body bytes arrived. Past the cap, the response ends here.
    func append(_ data: Data, response: URLResponse?) {
        lock.lock()
        if done {
            lock.unlock()
            return
        }
        body.append(data)
        let over = body.count > URLSessionTransport.maxBodyBytes
        let capped = body.prefix(URLSessionTransport.maxBodyBytes + 1)
        lock.unlock()
        if over {
            finish(Exchange.response(response, body: Data(capped), host: host))
        }
    }

    /// The task completed: the response with its body, or the error.
    func complete(error: Error?, response: URLResponse?) {
        if let error = error {
            finish(.failure(Exchange.transportError(error, host: host)))
            return
        }
        lock.lock()
        let data = body
        lock.unlock()
        finish(Exchange.response(response, body: data, host: host))
    }

    /// Ends the exchange with `result` unless it has ended already.
    func finish(_ result: Result<HttpResponse, Error>) {
        lock.lock()
        if done {
            lock.unlock()
            return
        }
        done = true
        let c = continuation
        continuation = nil
        if c == nil {
            outcome = result
        }
        lock.unlock()
        // Closing the exchange early (over the cap, a timeout, a cancel) drops the connection.
        task.cancel()
        c?.resume(with: result)
    }

    static func response(_ response: URLResponse?, body: Data, host: String) -> Result<HttpResponse, Error> {
        guard let http = response as? HTTPURLResponse else {
            return .failure(TransportError.Interrupted(detail: "no HTTP response from \(host)"))
        }
        var headers: [HttpHeader] = []
        for (name, value) in http.allHeaderFields {
            let n = (name.base as? String) ?? "\(name)"
            let v = (value as? String) ?? "\(value)"
            headers.append(HttpHeader(name: n, value: v))
        }
        return .success(HttpResponse(status: Int32(http.statusCode), headers: headers, body: body))
    }

    /// The TransportError for a URLSession failure: connect, timeout, or
    /// interrupted (the connection broke after the request may have gone).
    static func transportError(_ error: Error, host: String) -> Error {
        guard let e = error as? URLError else {
            return TransportError.Interrupted(detail: "\(type(of: error))")
        }
        switch e.code {
        case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet,
             .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected:
            return TransportError.Connect(detail: "connection failed (URLError \(e.code.rawValue)): \(host)")
        case .timedOut:
            return TransportError.Timeout(detail: "no answer in time (URLError \(e.code.rawValue))")
        default:
            return TransportError.Interrupted(detail: "URLError \(e.code.rawValue)")
        }
    }
}

/// The session's delegate: routes each task's events to its Exchange and
/// refuses every redirect (the 3xx itself becomes the response).
final class ExchangeRouter: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var exchanges: [Int: Exchange] = [:]

    func add(_ exchange: Exchange) {
        lock.lock()
        exchanges[exchange.task.taskIdentifier] = exchange
        lock.unlock()
    }

    private func find(_ task: URLSessionTask, remove: Bool = false) -> Exchange? {
        lock.lock()
        defer { lock.unlock() }
        return remove ? exchanges.removeValue(forKey: task.taskIdentifier) : exchanges[task.taskIdentifier]
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        find(dataTask)?.append(data, response: dataTask.response)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        find(task, remove: true)?.complete(error: error, response: task.response)
    }

    func urlSession(
        _ session: URLSession,
        task: URLSessionTask,
        willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest,
        completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
