// Reads an AuthError through its methods (no switch over variants), names
// its variant, and pins which variant each of the core's error codes
// becomes (the Swift twin of tests/kotlin/Errors.kt).
import MapsIndoorsAuth

struct ErrorInfo: Equatable, CustomStringConvertible {
    let variant: String
    let code: String
    let status: Int32?
    let oauthCode: String?
    let retryAfter: Int64?
    let stage: String?
    let transportKind: String?
    let detail: String

    var description: String {
        "\(variant)(code: \(code), status: \(status.map { String($0) } ?? "nil"), oauthCode: \(oauthCode ?? "nil"), "
            + "retryAfter: \(retryAfter.map { String($0) } ?? "nil"), stage: \(stage ?? "nil"), "
            + "transportKind: \(transportKind ?? "nil"), detail: \(detail))"
    }
}

/// The variant's name, as Kotlin's `this::class.simpleName` gives it.
func variantName(_ e: AuthError) -> String {
    switch e {
    case .CheckCredentials: return "CheckCredentials"
    case .NotPermitted: return "NotPermitted"
    case .NotFound: return "NotFound"
    case .Retry: return "Retry"
    case .Network: return "Network"
    case .ServerRejected: return "ServerRejected"
    case .InvalidInput: return "InvalidInput"
    case .BadRequest: return "BadRequest"
    case .StoreFailed: return "StoreFailed"
    case .RotationIncompleteRunAgain: return "RotationIncompleteRunAgain"
    case .ConflictRunAgain: return "ConflictRunAgain"
    }
}

extension AuthError {
    var info: ErrorInfo {
        ErrorInfo(
            variant: variantName(self), code: code(), status: status(), oauthCode: oauthCode(),
            retryAfter: retryAfter(), stage: stage(), transportKind: transportKind(), detail: detail()
        )
    }
}

/// The variant each code becomes (store: StoreFailed, or ConflictRunAgain
/// for a compare-and-swap conflict), in the order of `errorCodes()`.
let variantOfCode: [(code: String, variants: Set<String>)] = [
    ("invalid_client", ["CheckCredentials"]),
    ("invalid_grant", ["CheckCredentials"]),
    ("oauth_error", ["ServerRejected"]),
    ("unauthorized", ["ServerRejected"]),
    ("forbidden", ["NotPermitted"]),
    ("not_found", ["NotFound"]),
    ("rate_limited", ["Retry"]),
    ("bad_request", ["BadRequest"]),
    ("server_error", ["Retry"]),
    ("unexpected_response", ["ServerRejected"]),
    ("invalid_input", ["InvalidInput"]),
    ("transport", ["Network"]),
    ("store", ["StoreFailed", "ConflictRunAgain"]),
    ("rotation_incomplete", ["RotationIncompleteRunAgain"]),
]

/// The variants a code may become (empty for an unknown code).
func variants(of code: String) -> Set<String> {
    variantOfCode.first { $0.code == code }?.variants ?? []
}
