import Foundation
import CVulkan

/// Reads a fixed-size C `char[N]` field (imported as a tuple) as a String.
func string<T>(fromCArray tuple: T) -> String {
    withUnsafeBytes(of: tuple) { raw in
        let bytes = raw.prefix(while: { $0 != 0 })
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Reads a fixed-size C array field of `Element` (imported as a tuple).
func array<T, Element>(fromCArray tuple: T, count: Int, of _: Element.Type) -> [Element] {
    withUnsafeBytes(of: tuple) { raw in
        precondition(raw.count >= count * MemoryLayout<Element>.stride, "C array shorter than its count")
        return (0..<count).map { raw.load(fromByteOffset: $0 * MemoryLayout<Element>.stride, as: Element.self) }
    }
}

/// Owns the C memory behind one Vulkan call's create-info structs (nested
/// structs, pNext chains, string arrays) and frees it all in `release()`.
///
/// Use as `let arena = CArena(); defer { arena.release() }`: the `defer`
/// keeps the arena alive until the call that reads the pointers is done.
final class CArena {
    private var cleanups: [() -> Void] = []

    /// A pointer to a copy of `value`.
    func pointer<T>(to value: T) -> UnsafeMutablePointer<T> {
        let p = UnsafeMutablePointer<T>.allocate(capacity: 1)
        p.initialize(to: value)
        cleanups.append { p.deinitialize(count: 1); p.deallocate() }
        return p
    }

    /// A pointer to a copy of `values`; nil when empty, as Vulkan expects.
    func array<T>(_ values: [T]) -> UnsafeMutablePointer<T>? {
        guard !values.isEmpty else { return nil }
        let p = UnsafeMutablePointer<T>.allocate(capacity: values.count)
        p.initialize(from: values, count: values.count)
        cleanups.append { p.deinitialize(count: values.count); p.deallocate() }
        return p
    }

    /// A NUL-terminated copy of `string`.
    func cString(_ string: String) -> UnsafePointer<CChar> {
        let p = strdup(string)!
        cleanups.append { free(p) }
        return UnsafePointer(p)
    }

    /// A C array of C strings (`const char* const*`); nil when empty.
    func cStrings(_ strings: [String]) -> UnsafePointer<UnsafePointer<CChar>?>? {
        array(strings.map { Optional(cString($0)) }).map { UnsafePointer($0) }
    }

    func release() {
        cleanups.forEach { $0() }
        cleanups.removeAll()
    }

    deinit { release() }
}

/// Calls a Vulkan "enumerate" function twice, first for the count and then
/// for the elements, retrying while the set changes (`VK_INCOMPLETE`).
func enumerate<Element>(
    _ call: String, zero: Element,
    _ fill: (UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<Element>?) -> VkResult
) throws -> [Element] {
    while true {
        var count: UInt32 = 0
        try check(fill(&count, nil), call)
        var items = [Element](repeating: zero, count: Int(count))
        let result = items.withUnsafeMutableBufferPointer { fill(&count, $0.baseAddress) }
        if result == VK_INCOMPLETE { continue }
        try check(result, call)
        return Array(items.prefix(Int(count)))
    }
}

/// Same as `enumerate` for the "get" functions that return no result.
func getArray<Element>(zero: Element, _ fill: (UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<Element>?) -> Void) -> [Element] {
    var count: UInt32 = 0
    fill(&count, nil)
    var items = [Element](repeating: zero, count: Int(count))
    items.withUnsafeMutableBufferPointer { fill(&count, $0.baseAddress) }
    return Array(items.prefix(Int(count)))
}

/// Packs a version the way `VK_MAKE_API_VERSION` does (variant 0).
func makeAPIVersion(_ major: UInt32, _ minor: UInt32, _ patch: UInt32 = 0) -> UInt32 {
    (major << 22) | (minor << 12) | patch
}

let vkTrue = VkBool32(1)
let vkFalse = VkBool32(0)
let vkWholeSize = UInt64.max
