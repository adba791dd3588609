/// A concrete attribute value on an op of an instantiated graph.
public enum AttrValue: Sendable, Hashable, CustomStringConvertible {
    case int(Int)
    case float(Double)
    case bool(Bool)
    case string(String)
    /// A bare name: a dtype (`q8_0`), a symbolic dimension (`T`), an enum case.
    case symbol(String)
    case list([AttrValue])

    public var intValue: Int? {
        if case .int(let v) = self { return v }
        return nil
    }

    /// Integers widen to floats; nothing else converts.
    public var doubleValue: Double? {
        switch self {
        case .int(let v): Double(v)
        case .float(let v): v
        default: nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let v) = self { return v }
        return nil
    }

    public var stringValue: String? {
        if case .string(let v) = self { return v }
        return nil
    }

    public var symbolValue: String? {
        if case .symbol(let v) = self { return v }
        return nil
    }

    public var listValue: [AttrValue]? {
        if case .list(let v) = self { return v }
        return nil
    }

    /// What kind of value this is, for error messages.
    public var kindName: String {
        switch self {
        case .int: "integer"
        case .float: "float"
        case .bool: "bool"
        case .string: "string"
        case .symbol: "name"
        case .list: "list"
        }
    }

    /// The value as graph text.
    public var description: String {
        switch self {
        case .int(let v): String(v)
        case .float(let v): formatFloat(v)
        case .bool(let v): v ? "true" : "false"
        case .string(let v): quoteString(v)
        case .symbol(let v): v
        case .list(let v): "[" + v.map(\.description).joined(separator: ", ") + "]"
        }
    }
}

/// Prints a float so that it reads back as a float and as the same value.
func formatFloat(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 {
        let integer = Int(value)
        // Large round powers of ten read better in exponent form (1e6, 1e-5).
        if integer != 0, integer % 1000 == 0 {
            var mantissa = integer, exponent = 0
            while mantissa % 10 == 0 { mantissa /= 10; exponent += 1 }
            return "\(mantissa)e\(exponent)"
        }
        return "\(integer).0"
    }
    let text = "\(value)"
    // Swift prints 1e-05 as "1e-05"; normalise the exponent.
    if let e = text.firstIndex(of: "e") {
        let mantissa = text[..<e]
        var exponent = String(text[text.index(after: e)...])
        let negative = exponent.hasPrefix("-")
        exponent = String(exponent.drop(while: { $0 == "-" || $0 == "+" || $0 == "0" }))
        return "\(mantissa)e\(negative ? "-" : "")\(exponent)"
    }
    return text
}

func quoteString(_ value: String) -> String {
    var out = "\""
    for c in value {
        switch c {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        default: out.append(c)
        }
    }
    return out + "\""
}
