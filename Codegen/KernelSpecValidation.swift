extension KernelSpec {
    /// Checks that the spec can become a valid shader and pipeline layout:
    /// identifiers are GLSL identifiers, no two bindings share a slot, no two
    /// specialization constants share an id, no two names collide.
    public func validate() throws {
        func fail(_ why: String) -> CodegenError { .invalidSpec(kernel: name, why) }

        guard !name.isEmpty, name.unicodeScalars.allSatisfy({ Self.isIdentifierScalar($0) || $0 == "." || $0 == "-" })
        else { throw fail("the kernel name must be non-empty and use only letters, digits, '_', '.', '-'") }
        let size = workgroupSize
        guard size.x >= 1, size.y >= 1, size.z >= 1 else {
            throw fail("workgroup size \(size.x)×\(size.y)×\(size.z) has a dimension below 1")
        }

        var names = Set<String>()
        func claim(_ identifier: String, _ what: String) throws {
            guard Self.isIdentifier(identifier) else { throw fail("\(what) '\(identifier)' is not a GLSL identifier") }
            guard names.insert(identifier).inserted else { throw fail("the name '\(identifier)' is used twice") }
        }

        var slots = Set<[Int]>()
        for b in bindings {
            try claim(b.name, "binding name")
            // A uniform block may hold a fixed-size array: `vec4[1280]`.
            var elementType = Substring(b.elementType)
            if b.kind == .uniform, elementType.hasSuffix("]"), let open = elementType.firstIndex(of: "["),
               let count = Int(elementType[elementType.index(after: open) ..< elementType.index(before: elementType.endIndex)]),
               count > 0 {
                elementType = elementType[..<open]
            }
            guard Self.isIdentifier(String(elementType)) else {
                throw fail("binding '\(b.name)' has element type '\(b.elementType)', not a GLSL type name")
            }
            guard b.set >= 0, b.binding >= 0 else {
                throw fail("binding '\(b.name)' has negative set or binding (\(b.set), \(b.binding))")
            }
            guard slots.insert([b.set, b.binding]).inserted else {
                throw fail("binding '\(b.name)' reuses set \(b.set) binding \(b.binding)")
            }
        }

        var ids = Set<UInt32>()
        for constant in specializationConstants {
            try claim(constant.name, "specialization constant")
            guard ids.insert(constant.id).inserted else {
                throw fail("specialization constant '\(constant.name)' reuses constant_id \(constant.id)")
            }
        }
        for field in pushConstants {
            try claim(field.name, "push constant")
        }
    }

    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, !("0"..."9").contains(first), !s.hasPrefix("gl_") else {
            return false
        }
        return s.unicodeScalars.allSatisfy(isIdentifierScalar)
    }

    static func isIdentifierScalar(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_"
    }
}
