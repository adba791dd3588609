import Testing
@testable import SmeltVulkan

@Suite struct FreeListTests {
    @Test func alignsAndKeepsPaddingFree() {
        var list = FreeList(capacity: 1024)
        #expect(list.allocate(size: 10, alignment: 1) == 0)
        #expect(list.allocate(size: 16, alignment: 64) == 64)
        // The 10..<64 gap stays free and serves a later small request.
        #expect(list.allocate(size: 20, alignment: 4) == 12)
        #expect(list.freeBytes == 1024 - 10 - 16 - 20)
        #expect(list.allocate(size: 2048, alignment: 1) == nil)
    }

    @Test func releaseCoalescesNeighbours() {
        var list = FreeList(capacity: 300)
        let a = list.allocate(size: 100, alignment: 1)!
        let b = list.allocate(size: 100, alignment: 1)!
        let c = list.allocate(size: 100, alignment: 1)!
        #expect(list.ranges.isEmpty)
        list.release(offset: a, size: 100)
        list.release(offset: c, size: 100)
        #expect(list.ranges.count == 2)
        list.release(offset: b, size: 100)
        #expect(list.isUnused)
        #expect(list.allocate(size: 300, alignment: 1) == 0)
    }
}
