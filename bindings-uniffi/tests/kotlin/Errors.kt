// Reads the fields every AuthException variant carries, for assertions.
package com.mapsindoors.auth.test

import com.mapsindoors.auth.AuthException

data class ErrorInfo(
    val variant: String,
    val code: String,
    val status: Int?,
    val oauthCode: String?,
    val retryAfterSecs: Long?,
    val retryAfterAt: Long?,
    val detail: String,
)

fun AuthException.info(): ErrorInfo = when (this) {
    is AuthException.CheckCredentials -> ErrorInfo("CheckCredentials", code, status?.toInt(), oauthCode, retryAfterSecs?.toLong(), retryAfterAt?.toLong(), detail)
    is AuthException.NotPermitted -> ErrorInfo("NotPermitted", code, status?.toInt(), oauthCode, retryAfterSecs?.toLong(), retryAfterAt?.toLong(), detail)
    is AuthException.NotFound -> ErrorInfo("NotFound", code, status?.toInt(), oauthCode, retryAfterSecs?.toLong(), retryAfterAt?.toLong(), detail)
    is AuthException.Retry -> ErrorInfo("Retry", code, status?.toInt(), oauthCode, retryAfterSecs?.toLong(), retryAfterAt?.toLong(), detail)
    is AuthException.Network -> ErrorInfo("Network", code, status?.toInt(), oauthCode, retryAfterSecs?.toLong(), retryAfterAt?.toLong(), detail)
    is AuthException.ServerRejected -> ErrorInfo("ServerRejected", code, status?.toInt(), oauthCode, retryAfterSecs?.toLong(), retryAfterAt?.toLong(), detail)
    is AuthException.InvalidInput -> ErrorInfo("InvalidInput", code, status?.toInt(), oauthCode, retryAfterSecs?.toLong(), retryAfterAt?.toLong(), detail)
    is AuthException.StoreFailed -> ErrorInfo("StoreFailed", code, status?.toInt(), oauthCode, retryAfterSecs?.toLong(), retryAfterAt?.toLong(), detail)
    is AuthException.ConflictRunAgain -> ErrorInfo("ConflictRunAgain", code, status?.toInt(), oauthCode, retryAfterSecs?.toLong(), retryAfterAt?.toLong(), detail)
    is AuthException.RotationIncompleteRunAgain -> ErrorInfo("RotationIncompleteRunAgain", code, status?.toInt(), oauthCode, retryAfterSecs?.toLong(), retryAfterAt?.toLong(), detail)
}
