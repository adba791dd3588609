import Testing
import SmeltIR

/// Bad graph text gets `file:line:col: message`, pointing at the culprit.
@Suite struct DiagnosticTests {
    func check(_ body: String, _ expected: String, _ environment: EvalEnvironment = .empty) {
        let text = "graph g {\n  %t = input : i32[T]\n  %e = weight {name = \"e\", shape = [16, 8]}\n\(body)\n}\n"
        #expect(errorText { _ = try instantiate(text, environment, file: "bad.graph") } == expected)
    }

    @Test func misspeltOp() {
        check("  %x = embeding %e, %t\n  output %x",
              "bad.graph:4:8: unknown op 'embeding' (did you mean 'embedding'?)")
    }

    @Test func shapeMismatch() {
        check("  %x = embedding %e, %t\n  %w = weight {name = \"w\", shape = [4, 9]}\n  %y = linear %x, %w\n  output %y",
              "bad.graph:6:8: linear: weight input size vs last dimension of x: 9 does not match 8")
    }

    @Test func undefinedValue() {
        check("  %x = embedding %e, %tokens\n  output %x",
              "bad.graph:4:22: use of undefined value '%tokens'")
    }

    @Test func undefinedValueWithNearName() {
        check("  %x = embedding %e, %tt\n  output %x",
              "bad.graph:4:22: use of undefined value '%tt' (did you mean '%t'?)")
    }

    @Test func redefinition() {
        check("  %x = embedding %e, %t\n  %x = scale %x {factor = 2}\n  output %x",
              "bad.graph:5:8: '%x' is already defined (values are SSA: give each result a new name)")
    }

    @Test func missingAttribute() {
        check("  %x = embedding %e, %t\n  %y = scale %x\n  output %y", "bad.graph:5:8: scale: missing attribute 'factor'")
    }

    @Test func misspeltAttribute() {
        check("  %x = embedding %e, %t\n  %y = scale %x {factr = 2}\n  output %y",
              "bad.graph:5:8: scale: unknown attribute 'factr' (did you mean 'factor'?)")
    }

    @Test func attributeOfWrongKind() {
        check("  %x = embedding %e, %t\n  %y = scale %x {factor = \"two\"}\n  output %y",
              "bad.graph:5:8: scale: attribute 'factor' must be a number, got \"two\"")
    }

    @Test func wrongOperandCount() {
        check("  %x = embedding %e\n  output %x",
              "bad.graph:4:8: embedding: takes 2 operands (table, ids), got 1")
    }

    @Test func badReshape() {
        check("  %x = embedding %e, %t\n  %y = reshape %x {shape = [T, 3, 3]}\n  output %y",
              "bad.graph:5:8: reshape: cannot reshape f32[T, 8] to [T, 3, 3]: element counts differ")
    }

    @Test func wrongDtype() {
        check("  %x = embedding %e, %e\n  output %x", "bad.graph:4:8: embedding: 'ids' ?[16, 8] must be i32")
    }

    @Test func writtenTypeMismatch() {
        check("  %x = embedding %e, %t : f32[T, 9]\n  output %x",
              "bad.graph:4:27: embedding: written type f32[T, 9] does not match the inferred f32[T, 8]")
    }

    @Test func gqaHeadsMustDivide() {
        let body = """
          %x = embedding %e, %t
          %q = reshape %x {shape = [T, 2, 4]}
          %w = weight {name = "w", shape = [12, 8]}
          %k0 = linear %x, %w
          %k = reshape %k0 {shape = [T, 3, 4]}
          %kc, %vc = kv_write %k, %k, %t {layer = 0}
          %a = attention %q, %kc, %vc, %t {scale = 0.5}
          output %a
        """
        check(body, "bad.graph:10:8: attention: 2 query heads are not a multiple of 3 kv heads")
    }

    @Test func missingOutput() {
        #expect(errorText { _ = try instantiate("graph g {\n  %t = input : i32[T]\n}\n", file: "b.graph") }
                == "b.graph:1:1: graph 'g' has no 'output' statement")
    }

    @Test func lexerAndParserPositions() {
        func parseError(_ text: String) -> String? { errorText { _ = try GraphParser.parse(text, file: "p.graph") } }
        #expect(parseError("graph g {\n  %x = scale %y {factor = 2\n}\n")
                == "p.graph:2:28: expected ',' between attributes, found end of line")
        #expect(parseError("graph g {\n  %x = scale %y {factor = \"abc}\n}\n")
                == "p.graph:2:27: unterminated string literal (strings end with '\"' on the same line)")
        #expect(parseError("graph g {\n  %x = scale %y $\n}\n") == "p.graph:2:17: unexpected character '$'")
        #expect(parseError("grph g {\n}\n") == "p.graph:1:1: expected 'graph NAME {', found 'grph'")
        #expect(parseError("graph g {\n  x = scale %y\n") == "p.graph:2:3: expected a statement ('%name = op ...', 'output', or 'yield'), found 'x'")
        #expect(parseError("graph g {\n  %x = scale %y {factor = 2}\n") == "p.graph:3:1: expected '}' to close the block, found end of file")
        #expect(parseError("graph g {\n  yield %x\n}\n") == "p.graph:2:3: 'yield' is only allowed at the end of a repeat or fused body")
    }

    @Test func unknownFunction() {
        check("  %x = embedding %e, %t\n  %y = scale %x {factor = sqr(2)}\n  output %y",
              "bad.graph:5:18: unknown function 'sqr' (did you mean 'sqrt'?)")
    }
}
