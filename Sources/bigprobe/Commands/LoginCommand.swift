import ArgumentParser
import BigRPC
import BigRPCCodec

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

    static let method = "bigshop.auth.v1.AuthService/Login"

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
        // The request and response types come from the server's reflection,
        // like every call's: bigprobe links no shop code.
        let session = try await connection.withTransport(to: endpoint) { transport in
            let target = try await ServerSchema.method(named: Self.method, over: transport)
            guard let emailField = target.input.field(named: "email"), let passwordField = target.input.field(named: "password") else {
                throw ProbeError("\(Self.method) takes no email and password")
            }
            var request = DynamicMessage(descriptor: target.input)
            request[emailField] = .single(.string(email))
            request[passwordField] = .single(.string(password))
            let call = RawCall(transport: transport, method: target.method, metadata: [:], options: CallOptions(timeout: .seconds(30)))
            var response: DynamicMessage?
            let (status, trailers) = try await call.run(requests: [try request.serializedBytes()]) { bytes in
                response = try DynamicCodec.decode(bytes, as: target.output)
            }
            guard status.code == .ok, let response else {
                throw RPCError(status.code, status.message, metadata: trailers)
            }
            return response
        }
        guard case .single(.string(let token))? = Self.value(session, "token") else {
            throw ProbeError("\(Self.method) answered with no token")
        }
        let store = TokenStore()
        try store.save(token, for: endpoint)
        var signedInAs = email
        var role = "no role"
        if case .single(.message(let user))? = Self.value(session, "user") {
            if case .single(.string(let name))? = Self.value(user, "email") { signedInAs = name }
            if case .single(.enumValue(let number))? = Self.value(user, "role"),
                let name = user.descriptor.field(named: "role")?.enumType?.name(of: number)
            {
                role = (name.hasPrefix("ROLE_") ? name.dropFirst(5) : Substring(name)).lowercased()
            }
        }
        Terminal.write("Signed in to \(endpoint) as \(signedInAs) (\(role)); token saved in \(store.file.path)\n")
        return 0
    }

    /// The content of `message`'s field `name`, nil when unset or undeclared.
    private static func value(_ message: DynamicMessage, _ name: String) -> DynamicField? {
        message.descriptor.field(named: name).flatMap { message[$0] }
    }
}
