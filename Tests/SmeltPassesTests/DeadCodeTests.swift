import Testing
import SmeltIR
import SmeltPasses

@Suite struct DeadCodeTests {
    let input = """
    graph g {
      %tokens = input : i32[T]
      %positions = input : i32[T]
      %e = weight {name = "e", shape = [16, 8]}
      %unused_w = weight {name = "u", shape = [8]}
      %x = embedding %e, %tokens : f32[T, 8]
      %dead = scale %x {factor = 2.0} : f32[T, 8]
      %y = scale %x {factor = 3.0} : f32[T, 8]
      output %y
    }

    """

    @Test func removesWhatNoOutputNeeds() throws {
        let graph = try Graph.parse(input, file: "in.graph")
        let context = PassContext()
        let result = try PassManager(passes: [DeadCodeElimination()]).run(graph, context: context)
        #expect(result.text == """
        graph g {
          %tokens = input : i32[T]
          %positions = input : i32[T]
          %e = weight {name = "e", shape = [16, 8]}
          %x = embedding %e, %tokens : f32[T, 8]
          %y = scale %x {factor = 3.0} : f32[T, 8]
          output %y
        }

        """)
        #expect(context.statistics["dead-code"]?["ops removed"] == 2)
    }

    /// A pass that breaks the graph is named by the pass manager.
    @Test func invalidOutputNamesThePass() throws {
        struct Breaker: Pass {
            let name = "breaker"
            let summary = "drops the first op"
            func run(_ graph: Graph, _ context: PassContext) throws -> Graph {
                var g = graph
                g.ops.removeFirst()
                return g
            }
        }
        let graph = try Graph.parse(input, file: "in.graph")
        #expect(throws: SmeltError.self) { try PassManager(passes: [Breaker()]).run(graph) }
        do {
            _ = try PassManager(passes: [Breaker()]).run(graph)
        } catch {
            #expect("\(error)".hasPrefix("pass 'breaker' produced an invalid graph: "))
        }
    }
}
