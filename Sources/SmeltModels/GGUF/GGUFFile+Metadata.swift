/// Typed metadata accessors. Each throws a `GGUFError` naming the key when
/// it is missing or holds another type, so callers need no casts.
extension GGUFFile {
    /// Whether the file has metadata `key`.
    public func contains(_ key: String) -> Bool { metadata[key] != nil }

    /// The raw value of `key`, or nil.
    public func value(_ key: String) -> GGUFValue? { metadata[key] }

    /// A string value.
    public func string(_ key: String) throws -> String {
        let v = try require(key)
        guard case .string(let s) = v else { throw mistyped(key, v, expected: "string") }
        return s
    }

    /// Any integer value that fits in `Int`.
    public func int(_ key: String) throws -> Int {
        let v = try require(key)
        guard let i = v.intValue else { throw mistyped(key, v, expected: "an integer") }
        return i
    }

    /// A float32 or float64 value (integers are accepted and converted).
    public func float(_ key: String) throws -> Float {
        Float(try double(key))
    }

    /// A float64 or float32 value (integers are accepted and converted).
    public func double(_ key: String) throws -> Double {
        let v = try require(key)
        guard let d = v.doubleValue else { throw mistyped(key, v, expected: "a number") }
        return d
    }

    /// A bool value.
    public func bool(_ key: String) throws -> Bool {
        let v = try require(key)
        guard case .bool(let b) = v else { throw mistyped(key, v, expected: "bool") }
        return b
    }

    /// An array value of any element type.
    public func array(_ key: String) throws -> GGUFArray {
        let v = try require(key)
        guard case .array(let a) = v else { throw mistyped(key, v, expected: "an array") }
        return a
    }

    /// An array of strings (e.g. `tokenizer.ggml.tokens`).
    public func stringArray(_ key: String) throws -> [String] {
        let a = try array(key)
        guard case .string(let s) = a else { throw mistyped(key, .array(a), expected: "array of string") }
        return s
    }

    /// An array of float32 or float64 values, as `Float`s.
    public func floatArray(_ key: String) throws -> [Float] {
        let a = try array(key)
        guard let f = a.floatValues else { throw mistyped(key, .array(a), expected: "array of float") }
        return f
    }

    /// An array of integers of any width, as `Int`s.
    public func intArray(_ key: String) throws -> [Int] {
        let a = try array(key)
        guard let i = a.intValues else { throw mistyped(key, .array(a), expected: "array of integer") }
        return i
    }

    private func require(_ key: String) throws -> GGUFValue {
        guard let v = metadata[key] else { throw error("metadata key '\(key)' is missing") }
        return v
    }

    private func mistyped(_ key: String, _ v: GGUFValue, expected: String) -> GGUFError {
        error("metadata key '\(key)' is \(v.typeDescription), expected \(expected)")
    }
}
