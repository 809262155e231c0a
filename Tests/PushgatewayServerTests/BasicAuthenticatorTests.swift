import Foundation
import Testing

@testable import PushgatewayServer

struct BasicAuthenticatorTests {
    /// exporter-toolkit's bcrypt hash of "fakepassword", as htpasswd writes it.
    static let hash = "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi"

    static func basic(_ credentials: String) -> String {
        "Basic " + Data(credentials.utf8).base64EncodedString()
    }

    @Test func remembersOnlyCredentialsThatVerified() async {
        let authenticator = BasicAuthenticator(users: ["alice": Self.hash])
        let right = Self.basic("alice:fakepassword")
        let wrong = Self.basic("alice:nope")
        #expect(!authenticator.remembers(authorization: right))

        #expect(await authenticator.check(authorization: wrong) == .denied)
        #expect(!authenticator.remembers(authorization: wrong))

        #expect(await authenticator.check(authorization: right) == .allowed)
        // The next request of a keep-alive scraper pays no bcrypt.
        #expect(authenticator.remembers(authorization: right))
        #expect(await authenticator.check(authorization: right) == .allowed)
        #expect(!authenticator.remembers(authorization: wrong))
    }

}
