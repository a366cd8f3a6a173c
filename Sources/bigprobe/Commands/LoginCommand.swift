import ArgumentParser
import BigRPC
import BigShopAuthAPI

/// `bigprobe login HOST:PORT --email E`.
struct LoginCommand: ProbeCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Sign in and save the session token for later calls to the same server.",
        discussion: """
            The password is read from a prompt without echo, or from the first line of \
            standard input when it is not a terminal. The token is saved in \
            $XDG_CONFIG_HOME/bigprobe/tokens.json (~/.config/bigprobe/ by default), \
            mode 0600, and sent by 'call' and 'bench' to the same HOST:PORT. Neither \
            the password nor the token is ever printed.
            """
    )

    @Argument(help: ArgumentHelp("The server.", valueName: "host:port"))
    var endpoint: Endpoint

    @Option(help: "The account's email.")
    var email: String

    @OptionGroup var connection: ConnectionOptions

    func execute() async throws -> Int32 {
        if !connection.tls, !endpoint.isLoopback {
            Terminal.writeError("bigprobe: warning: without --tls the password crosses the network in plain text\n")
        }
        let password = try PasswordReader.read(prompt: "Password for \(email): ")
        let request = Bigshop_Auth_V1_LoginRequest(email: email, password: password)
        let session = try await connection.withTransport(to: endpoint) { transport in
            let auth = Bigshop_Auth_V1_AuthService.Client(wrapping: RPCClient(transport: transport))
            return try await auth.login(request, options: CallOptions(timeout: .seconds(30)))
        }
        let store = TokenStore()
        try store.save(session.token, for: endpoint)
        let role = switch session.user?.role {
        case .admin?: "admin"
        case .customer?: "customer"
        case .unspecified?, .unrecognized?, nil: "no role"
        }
        Terminal.write("Signed in to \(endpoint) as \(session.user?.email ?? email) (\(role)); token saved in \(store.file.path)\n")
        return 0
    }
}
