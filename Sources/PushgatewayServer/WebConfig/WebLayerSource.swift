import Logging
import PushgatewayCore
import Synchronization

/// `--web.config.file` for every request, as exporter-toolkit reads it: the file is read again whenever it
/// changed on disk (its inode, size or modification time), so new users, headers or rate limits apply without
/// a restart, and while it cannot be used every answer is a 500.
///
/// Upstream parses the file on every request; here a `stat` per request decides whether to. TLS settings are
/// still taken at start (the certificate, key and CA files themselves are re-read per connection).
final class WebLayerSource: Sendable {
    /// What a request gets: the layer to apply (nil: the file adds nothing), or the file's error.
    typealias Layer = Result<WebLayer?, WebConfigurationError>

    private struct State {
        var stamp: FileStamp?
        var layer: Layer
    }

    /// The file; nil for a configuration given in code (tests), which never changes.
    private let path: String?
    private let logger: Logger
    private let state: Mutex<State>

    /// Starts from `configuration`, loaded from `path` at start.
    init(path: String?, configuration: WebConfiguration, logger: Logger) {
        self.path = path
        self.logger = logger
        self.state = Mutex(State(stamp: path.flatMap(FileStamp.init(path:)), layer: .success(WebLayer(configuration))))
    }

    private func load(_ path: String) -> Layer {
        do throws(WebConfigurationError) {
            let layer = WebLayer(try WebConfiguration.load(path: path))
            self.logger.info("web configuration file reloaded", metadata: ["file": "\(path)"])
            return .success(layer)
        } catch {
            self.logger.error("web configuration file cannot be used", metadata: ["file": "\(path)", "err": "\(error.message)"])
            return .failure(error)
        }
    }

    /// The layer for the file as it is now.
    func current() -> Layer {
        guard let path = self.path else { return self.state.withLock { $0.layer } }
        let stamp = FileStamp(path: path)
        return self.state.withLock { state in
            // A file that cannot be stat'ed is read too, so its error is the one the read gives.
            guard stamp == nil || stamp != state.stamp else { return state.layer }
            state.stamp = stamp
            state.layer = self.load(path)
            return state.layer
        }
    }
}
