/// The type tag of a GGUF metadata value (`gguf_type`).
public enum GGUFValueType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5
    case float32 = 6, bool = 7, string = 8, array = 9
    case uint64 = 10, int64 = 11, float64 = 12

    public var description: String {
        switch self {
        case .uint8: "uint8"
        case .int8: "int8"
        case .uint16: "uint16"
        case .int16: "int16"
        case .uint32: "uint32"
        case .int32: "int32"
        case .float32: "float32"
        case .bool: "bool"
        case .string: "string"
        case .array: "array"
        case .uint64: "uint64"
        case .int64: "int64"
        case .float64: "float64"
        }
    }

    /// Fewest bytes one value of this type can occupy in a file. Counts read
    /// from the file are checked against this before anything is allocated,
    /// so a hostile count cannot make the reader allocate more than the file
    /// could hold.
    var minimumEncodedSize: Int {
        switch self {
        case .uint8, .int8, .bool: 1
        case .uint16, .int16: 2
        case .uint32, .int32, .float32: 4
        case .uint64, .int64, .float64: 8
        case .string: 8        // length prefix of an empty string
        case .array: 12        // element type + count of an empty array
        }
    }
}

/// One GGUF metadata value.
public enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16)
    case uint32(UInt32), int32(Int32), uint64(UInt64), int64(Int64)
    case float32(Float), float64(Double)
    case bool(Bool)
    case string(String)
    case array(GGUFArray)

    /// The value's type tag.
    public var type: GGUFValueType {
        switch self {
        case .uint8: .uint8
        case .int8: .int8
        case .uint16: .uint16
        case .int16: .int16
        case .uint32: .uint32
        case .int32: .int32
        case .uint64: .uint64
        case .int64: .int64
        case .float32: .float32
        case .float64: .float64
        case .bool: .bool
        case .string: .string
        case .array: .array
        }
    }

    /// The value as an `Int`, for any integer type whose value fits.
    public var intValue: Int? {
        switch self {
        case .uint8(let v): Int(v)
        case .int8(let v): Int(v)
        case .uint16(let v): Int(v)
        case .int16(let v): Int(v)
        case .uint32(let v): Int(v)
        case .int32(let v): Int(v)
        case .uint64(let v): Int(exactly: v)
        case .int64(let v): Int(v)
        default: nil
        }
    }

    /// The value as a `Double`, for float types and integer types.
    public var doubleValue: Double? {
        switch self {
        case .float32(let v): Double(v)
        case .float64(let v): v
        default: intValue.map(Double.init)
        }
    }

    /// A short description of the type, e.g. `array of string`, for errors.
    public var typeDescription: String {
        if case .array(let a) = self { return "array of \(a.elementType)" }
        return type.description
    }
}

/// A GGUF metadata array. Elements are stored in typed Swift arrays, so a
/// 262,144-entry vocabulary is a `[String]` and its scores a `[Float]`.
public enum GGUFArray: Sendable, Equatable {
    case uint8([UInt8]), int8([Int8]), uint16([UInt16]), int16([Int16])
    case uint32([UInt32]), int32([Int32]), uint64([UInt64]), int64([Int64])
    case float32([Float]), float64([Double])
    case bool([Bool])
    case string([String])
    /// An array of arrays (each may have its own element type).
    case array([GGUFArray])

    /// The element type tag.
    public var elementType: GGUFValueType {
        switch self {
        case .uint8: .uint8
        case .int8: .int8
        case .uint16: .uint16
        case .int16: .int16
        case .uint32: .uint32
        case .int32: .int32
        case .uint64: .uint64
        case .int64: .int64
        case .float32: .float32
        case .float64: .float64
        case .bool: .bool
        case .string: .string
        case .array: .array
        }
    }

    /// Number of elements.
    public var count: Int {
        switch self {
        case .uint8(let a): a.count
        case .int8(let a): a.count
        case .uint16(let a): a.count
        case .int16(let a): a.count
        case .uint32(let a): a.count
        case .int32(let a): a.count
        case .uint64(let a): a.count
        case .int64(let a): a.count
        case .float32(let a): a.count
        case .float64(let a): a.count
        case .bool(let a): a.count
        case .string(let a): a.count
        case .array(let a): a.count
        }
    }

    /// The elements as `Int`s, for integer arrays whose every value fits.
    public var intValues: [Int]? {
        switch self {
        case .uint8(let a): a.map { Int($0) }
        case .int8(let a): a.map { Int($0) }
        case .uint16(let a): a.map { Int($0) }
        case .int16(let a): a.map { Int($0) }
        case .uint32(let a): a.map { Int($0) }
        case .int32(let a): a.map { Int($0) }
        case .int64(let a): a.map { Int($0) }
        case .uint64(let a):
            a.allSatisfy { $0 <= UInt64(Int.max) } ? a.map { Int($0) } : nil
        default: nil
        }
    }

    /// The elements as `Float`s, for float32 and float64 arrays.
    public var floatValues: [Float]? {
        switch self {
        case .float32(let a): a
        case .float64(let a): a.map { Float($0) }
        default: nil
        }
    }
}
