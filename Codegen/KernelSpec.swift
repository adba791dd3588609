/// One compute kernel described as data: which GLSL template it comes from
/// and everything the Vulkan runtime needs to build its pipeline.
///
/// The same spec drives both sides: `KernelGenerator` writes the GLSL
/// declarations (bindings, specialization constants, push constants,
/// workgroup size) from it, and the runtime builds the descriptor set layout,
/// push-constant range and specialization data from it, so the shader and the
/// pipeline layout cannot disagree.
public struct KernelSpec: Hashable, Codable, Sendable {
    /// A unique, human-readable name (`matvec_q8_0_640x2048`); used in
    /// diagnostics and as the shader's file name.
    public var name: String
    /// Name of the GLSL template in a `KernelTemplateLibrary`.
    public var template: String
    public var workgroupSize: WorkgroupSize
    /// Descriptor bindings, in the order the runtime binds them.
    public var bindings: [Binding]
    /// Values fixed when the pipeline is created (shapes, unroll counts); the
    /// SPIR-V stays the same for every value.
    public var specializationConstants: [SpecializationConstant]
    /// Per-dispatch scalars, laid out consecutively, 4 bytes each.
    public var pushConstants: [PushConstant]
    /// Extra template text substitutions (`{{NAME}}` → value).
    public var parameters: [String: String]

    public init(
        name: String,
        template: String,
        workgroupSize: WorkgroupSize,
        bindings: [Binding] = [],
        specializationConstants: [SpecializationConstant] = [],
        pushConstants: [PushConstant] = [],
        parameters: [String: String] = [:]
    ) {
        self.name = name
        self.template = template
        self.workgroupSize = workgroupSize
        self.bindings = bindings
        self.specializationConstants = specializationConstants
        self.pushConstants = pushConstants
        self.parameters = parameters
    }

    /// Size of the push-constant block in bytes.
    public var pushConstantBytes: Int { pushConstants.count * ScalarType.byteSize }

    /// Push-constant bytes for the given field values, in declaration order.
    /// Throws if a field is missing, unknown or of the wrong type.
    public func encodePushConstants(_ values: [String: ScalarValue]) throws -> [UInt8] {
        if let unknown = values.keys.sorted().first(where: { key in !pushConstants.contains { $0.name == key } }) {
            throw CodegenError.invalidSpec(kernel: name, "no push constant named '\(unknown)'")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(pushConstantBytes)
        for field in pushConstants {
            guard let value = values[field.name] else {
                throw CodegenError.invalidSpec(kernel: name, "push constant '\(field.name)' has no value")
            }
            guard value.type == field.type else {
                throw CodegenError.invalidSpec(
                    kernel: name, "push constant '\(field.name)' is \(field.type), got a \(value.type) value")
            }
            withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }
}

extension KernelSpec {
    /// `layout(local_size_x = x, local_size_y = y, local_size_z = z)`.
    public struct WorkgroupSize: Hashable, Codable, Sendable {
        public var x: Int
        public var y: Int
        public var z: Int

        public init(_ x: Int, _ y: Int = 1, _ z: Int = 1) {
            self.x = x
            self.y = y
            self.z = z
        }

        /// Invocations per workgroup.
        public var invocations: Int { x * y * z }
    }

    /// Specialization constant id → its 32-bit value, as a pipeline takes them.
    public var specializationValues: [UInt32: UInt32] {
        Dictionary(uniqueKeysWithValues: specializationConstants.map { ($0.id, $0.value.bitPattern) })
    }

    /// One descriptor binding. `name` is the GLSL array (storage) or block
    /// member (uniform) the template reads.
    public struct Binding: Hashable, Codable, Sendable {
        /// Storage buffers are runtime-sized arrays; uniform buffers hold one
        /// value of `elementType` (a struct the template defines, usually);
        /// texel buffers are `utextureBuffer`s of uvec4 texels read with
        /// `texelFetch` (the fast way to read per-lane addresses on CPU
        /// devices, see PERF_NOTES; `elementType` is ignored).
        public enum Kind: String, Hashable, Codable, Sendable { case storage, uniform, texel }
        /// How the shader uses a storage buffer; uniform buffers are read-only.
        /// `coherent`: read and written, with writes of other workgroups made
        /// visible by `memoryBarrierBuffer()` (a last-workgroup epilogue
        /// reads what the others stored).
        public enum Access: String, Hashable, Codable, Sendable { case readOnly, writeOnly, readWrite, coherent }

        public var name: String
        public var set: Int
        public var binding: Int
        public var kind: Kind
        public var access: Access
        /// GLSL element type (`float`, `vec4`, `uint`, a template struct).
        public var elementType: String

        public init(name: String, set: Int = 0, binding: Int, kind: Kind = .storage,
                    access: Access, elementType: String) {
            self.name = name
            self.set = set
            self.binding = binding
            self.kind = kind
            self.access = kind == .storage ? access : .readOnly
            self.elementType = elementType
        }

        /// Whether the shader never writes through this binding.
        public var isReadOnly: Bool { access == .readOnly }
    }

    /// `layout(constant_id = id) const TYPE name`, set to `value` when the
    /// pipeline is created.
    public struct SpecializationConstant: Hashable, Codable, Sendable {
        public var id: UInt32
        public var name: String
        public var value: ScalarValue

        public init(id: UInt32, name: String, value: ScalarValue) {
            self.id = id
            self.name = name
            self.value = value
        }
    }

    /// One 4-byte scalar field of the push-constant block.
    public struct PushConstant: Hashable, Codable, Sendable {
        public var name: String
        public var type: ScalarType

        public init(name: String, type: ScalarType) {
            self.name = name
            self.type = type
        }
    }
}

/// GLSL scalar types usable as specialization or push constants; each is
/// 4 bytes in SPIR-V (a GLSL `bool` is a 32-bit value there too).
public enum ScalarType: String, Hashable, Codable, Sendable {
    case uint, int, float, bool

    /// Bytes per value in specialization data and push constants.
    public static let byteSize = 4
}

/// A value of a `ScalarType`.
public enum ScalarValue: Hashable, Codable, Sendable {
    case uint(UInt32)
    case int(Int32)
    case float(Float)
    case bool(Bool)

    public var type: ScalarType {
        switch self {
        case .uint: .uint
        case .int: .int
        case .float: .float
        case .bool: .bool
        }
    }

    /// The 32-bit word the value occupies in specialization data and push
    /// constants.
    public var bitPattern: UInt32 {
        switch self {
        case .uint(let v): v
        case .int(let v): UInt32(bitPattern: v)
        case .float(let v): v.bitPattern
        case .bool(let v): v ? 1 : 0
        }
    }
}
