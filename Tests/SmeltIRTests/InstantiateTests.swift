import Testing
import SmeltIR

@Suite struct InstantiateTests {
    let chain = """
    graph chain {
      %t = input : i32[T]
      %e = weight {name = "emb", shape = [config.vocab, config.d]}
      %x = embedding %e, %t
      %h = repeat layer in 0 ..< config.n carry %x_in = %x {
        %s = scale %x_in {factor = layer == 1 ? 2.0 : 0.5}
        %w = weight {name = "blk.{layer}.norm", shape = [config.d]}
        %n = rms_norm %s, %w {eps = 1e-6}
        yield %n
      }
      output %h
    }
    """

    @Test func repeatUnrollsWithPerLayerAttributes() throws {
        let graph = try instantiate(chain, env(["vocab": .int(10), "d": .int(4), "n": .int(3)]))
        let scales = graph.ops.filter { $0.kind == "scale" }
        #expect(scales.map { $0.attributes["factor"]?.doubleValue } == [0.5, 2.0, 0.5])
        let names = graph.weights.compactMap { $0.attributes["name"]?.stringValue }
        #expect(names == ["emb", "blk.0.norm", "blk.1.norm", "blk.2.norm"])
        // Each iteration's norm reads the previous iteration's result.
        let norms = graph.ops.filter { $0.kind == "rms_norm" }
        #expect(graph.name(of: norms[2].operands[0]) == "s.2")
        #expect(graph.name(of: graph.outputs[0]) == "n.2")
        #expect(graph.type(of: graph.outputs[0]) == TensorType(.f32, [.symbol("T"), .fixed(4)]))
    }

    @Test func zeroIterationsYieldTheInitialValue() throws {
        let graph = try instantiate(chain, env(["vocab": .int(10), "d": .int(4), "n": .int(0)]))
        #expect(graph.name(of: graph.outputs[0]) == "x")
    }

    @Test func expressionArithmetic() throws {
        let location = SourceLocation(file: "x", line: 1, column: 1)
        func eval(_ text: String) throws -> AttrValue {
            let source = try GraphParser.parse("graph g {\n  %y = scale %x {factor = \(text)}\n}\n", file: "g")
            guard case .op(let op) = source.body[0].kind else { return .bool(false) }
            var environment = env(["d": .int(640), "heads": .int(4), "globals": .list([.int(5), .int(11)])])
            environment.variables["layer"] = .int(11)
            return try op.attributes[0].value.evaluate(environment, at: location)
        }
        #expect(try eval("1 + 2 * 3") == .int(7))
        #expect(try eval("(1 + 2) * 3") == .int(9))
        #expect(try eval("10 - 4 - 3") == .int(3))
        #expect(try eval("config.d / config.heads") == .int(160))
        #expect(try eval("sqrt(config.d)").doubleValue == (640.0).squareRoot())
        #expect(try eval("layer in config.globals ? 1e6 : 1e4") == .float(1e6))
        #expect(try eval("(layer + 1) % 6 == 0") == .bool(true))
        #expect(try eval("-2 * 3") == .int(-6))
        #expect(try eval("1 / 2.0") == .float(0.5))
        #expect(try eval("layer > 3 && !(layer == 2)") == .bool(true))
    }

    @Test func unknownConfigKeySuggestsTheNearest() {
        let text = errorText { _ = try instantiate(chain, env(["vocab": .int(10), "dd": .int(4), "n": .int(1)])) }
        #expect(text == "t.graph:3:30: unknown config key 'd' (did you mean 'dd'?)")
    }

    /// A key the config schema knows but nobody set is not "unknown".
    @Test func unsetConfigKeyIsNotUnknown() {
        let environment = EvalEnvironment(config: { _ in nil }, configKeys: ["vocab"])
        let text = errorText { _ = try instantiate(chain, environment) }
        #expect(text == "t.graph:3:30: config key 'vocab' has no value "
            + "(the model config does not set it and no checkpoint supplied it)")
    }
}
