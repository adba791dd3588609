/// A position in a source file, 1-based.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// A location for ops that a pass created rather than a file.
    public static let synthesized = SourceLocation(file: "<synthesized>", line: 0, column: 0)

    public var description: String { "\(file):\(line):\(column)" }
}

/// An error a person caused (bad graph text, bad config, bad flags): it says
/// where, what, and when it can, how to fix it.
public struct SmeltError: Error, Sendable, CustomStringConvertible {
    public var location: SourceLocation?
    public var message: String
    public var hint: String?

    public init(_ message: String, at location: SourceLocation? = nil, hint: String? = nil) {
        self.location = location
        self.message = message
        self.hint = hint
    }

    public var description: String {
        var text = location.map { "\($0): \(message)" } ?? message
        if let hint { text += " (\(hint))" }
        return text
    }
}

/// Suggests the closest candidate to a misspelt name, for "did you mean" hints.
public func closestMatch(to name: String, in candidates: some Sequence<String>) -> String? {
    var best: (String, Int)?
    // Sorted, so ties resolve the same way on every run.
    for candidate in candidates.sorted() {
        let distance = editDistance(name, candidate)
        if distance <= max(2, name.count / 3), distance < (best?.1 ?? .max) {
            best = (candidate, distance)
        }
    }
    // A shortened name (`subgroup` for `subgroup_size`) is close too.
    if best == nil, name.count >= 3 {
        return candidates.sorted().first { $0.hasPrefix(name) || name.hasPrefix($0) && $0.count >= 3 }
    }
    return best?.0
}

/// A "did you mean" hint, or nil when nothing is close.
public func didYouMean(_ name: String, in candidates: some Sequence<String>) -> String? {
    closestMatch(to: name, in: candidates).map { "did you mean '\($0)'?" }
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
            current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
