import HTTPTypes

/// What the web configuration adds in front of every route: the configured headers and basic auth.
struct WebLayer: Sendable {
    /// `rate_limit`; nil when its interval is zero.
    let limiter: RateLimiter?
    /// `basic_auth_users`' checker; nil without users.
    let authenticator: BasicAuthenticator?
    /// `http_server_config.headers`, set on every answer that does not carry the header already.
    let headers: [HTTPField]

    /// The layer for `configuration`; nil when it has no users, headers or rate limit.
    init?(_ configuration: WebConfiguration) {
        let limit = configuration.rateLimit
        self.limiter =
            limit.interval.nanoseconds == 0
            ? nil : RateLimiter(interval: .nanoseconds(limit.interval.nanoseconds), burst: limit.burst)
        let users = configuration.basicAuthUsers
        self.authenticator = users.isEmpty ? nil : BasicAuthenticator(users: users)
        // The names passed the allowed-name check, so they are valid field names.
        self.headers = configuration.httpServer.headers.compactMap { header in
            HTTPField.Name(header.name).map { HTTPField(name: $0, value: header.value) }
        }
        if self.limiter == nil && self.authenticator == nil && self.headers.isEmpty {
            return nil
        }
    }
}
