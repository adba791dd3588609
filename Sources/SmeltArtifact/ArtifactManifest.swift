import Foundation
import SmeltIR

/// What an artifact says about itself: the model, and how it was compiled.
/// Stored as JSON in the `manifest` section next to the execution plan.
///
/// Unknown JSON keys are ignored when reading, so a later writer of the same
/// format version may add fields without breaking this reader.
public struct ArtifactManifest: Codable, Sendable, Equatable {
    public var modelName: String
    /// `general.architecture` or the config's family name (e.g. "gemma3").
    public var architecture: String?
    /// The resolved `config.KEY` values the graph was compiled with.
    public var hyperparameters: [String: ConfigValue]
    public var contextLength: Int
    /// A hash of the graph text the plan was compiled from (see `contentHash`).
    public var graphHash: String
    public var pipeline: String
    public var deviceProfile: String
    /// `smelt plan`'s text: what was fused and why the rest was not.
    public var fusionPlan: String
    /// Who wrote the file, e.g. "smelt 0.1".
    public var producer: String
    /// Anything else worth keeping (source checkpoint name, quantization notes).
    public var notes: [String: String]
    /// The compiler's decisions (`smelt plan X.smelt`); absent in artifacts
    /// written before plans were stored.
    public var plan: PlanReport?

    public init(modelName: String, architecture: String? = nil, hyperparameters: [String: ConfigValue] = [:],
                contextLength: Int, graphHash: String, pipeline: String, deviceProfile: String, fusionPlan: String,
                producer: String = "smelt", notes: [String: String] = [:], plan: PlanReport? = nil) {
        self.plan = plan
        self.modelName = modelName
        self.architecture = architecture
        self.hyperparameters = hyperparameters
        self.contextLength = contextLength
        self.graphHash = graphHash
        self.pipeline = pipeline
        self.deviceProfile = deviceProfile
        self.fusionPlan = fusionPlan
        self.producer = producer
        self.notes = notes
    }

    /// "xxh64:" and the hex XXH64 of `text`'s UTF-8, for `graphHash`.
    public static func contentHash(_ text: String) -> String {
        "xxh64:" + SectionChecksum.hex(XXHash64.hash(Array(text.utf8)))
    }
}

/// A scalar config value as JSON stores it.
///
/// JSON does not keep `1e6` and `1000000` apart, so a whole-valued double
/// reads back as `.int`; equality compares numbers by value for that reason.
public enum ConfigValue: Codable, Sendable, Equatable, CustomStringConvertible {
    case int(Int), double(Double), bool(Bool), string(String)

    public static func == (a: ConfigValue, b: ConfigValue) -> Bool {
        switch (a, b) {
        case let (.int(x), .int(y)): x == y
        case let (.double(x), .double(y)): x == y
        case let (.int(x), .double(y)), let (.double(y), .int(x)): Double(x) == y
        case let (.bool(x), .bool(y)): x == y
        case let (.string(x), .string(y)): x == y
        default: false
        }
    }

    /// The value as a number, if it is one.
    public var doubleValue: Double? {
        switch self {
        case .int(let v): Double(v)
        case .double(let v): v
        default: nil
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Bool.self) { self = .bool(v) }
        else if let v = try? c.decode(Int.self) { self = .int(v) }
        else if let v = try? c.decode(Double.self) { self = .double(v) }
        else { self = .string(try c.decode(String.self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .int(let v): try c.encode(v)
        case .double(let v): try c.encode(v)
        case .bool(let v): try c.encode(v)
        case .string(let v): try c.encode(v)
        }
    }

    public var description: String {
        switch self {
        case .int(let v): "\(v)"
        case .double(let v): "\(v)"
        case .bool(let v): "\(v)"
        case .string(let v): v
        }
    }
}

extension ArtifactManifest {
    /// Every key of `hyperparameters` that has a value, resolved as the graph
    /// sees it (`head_dim` derived, soft-caps 0 when off).
    public static func configValues(_ hyperparameters: Hyperparameters) -> [String: ConfigValue] {
        var values: [String: ConfigValue] = [:]
        for key in Hyperparameters.keys {
            switch hyperparameters.value(forKey: key) {
            case .int(let v)?: values[key] = .int(v)
            case .float(let v)?: values[key] = .double(v)
            case .bool(let v)?: values[key] = .bool(v)
            case .string(let v)?, .symbol(let v)?: values[key] = .string(v)
            default: break
            }
        }
        return values
    }

    /// The stored values as `Hyperparameters` again.
    public func decodedHyperparameters() throws -> Hyperparameters {
        do {
            return try JSONDecoder().decode(Hyperparameters.self, from: JSONEncoder().encode(hyperparameters))
        } catch {
            throw SmeltError("manifest: hyperparameters do not decode: \(error)")
        }
    }
}
