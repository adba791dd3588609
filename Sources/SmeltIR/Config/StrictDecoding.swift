import Foundation
import Yams

/// A coding key for any string, used to list the keys a mapping really has.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Throws when a mapping has a key the type does not know, naming it and the
/// closest known key: a typo in a config must not be silently ignored.
func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(in decoder: any Decoder, known: Keys.Type) throws {
    let container = try decoder.container(keyedBy: AnyCodingKey.self)
    let names = Keys.allCases.map(\.stringValue)
    for key in container.allKeys where !names.contains(key.stringValue) {
        let hint = didYouMean(key.stringValue, in: names) ?? "known keys: \(names.joined(separator: ", "))"
        throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath + [key],
                                                debugDescription: "unknown key '\(key.stringValue)' (\(hint))"))
    }
}

/// Decodes YAML text into `T`, turning decoding errors into one-line
/// messages that name the file and the key path.
public func decodeYAML<T: Decodable>(_ type: T.Type, from text: String, file: String) throws -> T {
    do {
        return try YAMLDecoder().decode(T.self, from: text)
    } catch let error as DecodingError {
        throw SmeltError(describe(error, file: file))
    } catch let error as YamlError {
        throw SmeltError("\(file): invalid YAML: \(String(describing: error).split(separator: "\n").first ?? "")")
    } catch {
        throw SmeltError("\(file): \(error)")
    }
}

private func describe(_ error: DecodingError, file: String) -> String {
    func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
    switch error {
    case .dataCorrupted(let context):
        let where_ = context.codingPath.isEmpty ? "" : " at '\(path(context.codingPath))'"
        return "\(file)\(where_): \(context.debugDescription)"
    case .keyNotFound(let key, let context):
        let parent = context.codingPath.isEmpty ? "" : " in '\(path(context.codingPath))'"
        return "\(file): missing key '\(key.stringValue)'\(parent)"
    case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
        return "\(file): '\(path(context.codingPath))' must be \(describeType(type))"
    @unknown default:
        return "\(file): \(error)"
    }
}

private func describeType(_ type: Any.Type) -> String {
    switch type {
    case is Int.Type: "an integer"
    case is Double.Type, is Float.Type: "a number"
    case is Bool.Type: "true or false"
    case is String.Type: "a string"
    default: "\(type)"
    }
}
