// Reads an AuthException through its base type (no `when` over variants),
// and pins which variant each of the core's error codes becomes.
package com.mapsindoors.auth.test

import com.mapsindoors.auth.AuthException

data class ErrorInfo(
    val variant: String,
    val code: String,
    val status: Int?,
    val oauthCode: String?,
    val retryAfter: Long?,
    val stage: String?,
    val transportKind: String?,
    val detail: String,
)

fun AuthException.info(): ErrorInfo =
    ErrorInfo(this::class.simpleName ?: "?", code(), status(), oauthCode(), retryAfter(), stage(), transportKind(), detail())

/** The variant each code becomes (store: StoreFailed, or ConflictRunAgain for a compare-and-swap conflict). */
val VARIANT_OF_CODE = mapOf(
    "invalid_client" to setOf("CheckCredentials"),
    "invalid_grant" to setOf("CheckCredentials"),
    "oauth_error" to setOf("ServerRejected"),
    "unauthorized" to setOf("ServerRejected"),
    "forbidden" to setOf("NotPermitted"),
    "not_found" to setOf("NotFound"),
    "rate_limited" to setOf("Retry"),
    "bad_request" to setOf("BadRequest"),
    "server_error" to setOf("Retry"),
    "unexpected_response" to setOf("ServerRejected"),
    "invalid_input" to setOf("InvalidInput"),
    "transport" to setOf("Network"),
    "store" to setOf("StoreFailed", "ConflictRunAgain"),
    "rotation_incomplete" to setOf("RotationIncompleteRunAgain"),
)
