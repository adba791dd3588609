import Testing
@testable import SmeltCodegen

@Suite struct TemplateExpanderTests {
    @Test func substitutesEveryOccurrence() throws {
        let out = try TemplateExpander.expand(
            "a {{X}} b\n{{Y_2}}{{X}}", templateName: "t", values: ["X": "1", "Y_2": "two"])
        #expect(out == "a 1 b\ntwo1")
    }

    @Test func valuesAreNotExpandedAgain() throws {
        let out = try TemplateExpander.expand("<{{X}}>", templateName: "t", values: ["X": "{{Y}}"])
        #expect(out == "<{{Y}}>")
    }

    @Test func unknownPlaceholderNamesLineAndColumn() {
        #expect(throws: CodegenError.unknownPlaceholder(template: "k.comp.in", line: 3, column: 5, name: "NOPE")) {
            try TemplateExpander.expand("one\ntwo\nfoo {{NOPE}}", templateName: "k.comp.in", values: [:])
        }
    }

    @Test func unusedValueIsAnError() {
        #expect(throws: CodegenError.unusedPlaceholders(template: "t", names: ["B", "C"])) {
            try TemplateExpander.expand("{{A}}", templateName: "t", values: ["A": "", "C": "", "B": ""])
        }
    }

    @Test func malformedPlaceholders() throws {
        let unclosed = #expect(throws: CodegenError.self) {
            try TemplateExpander.expand("x\n  {{A", templateName: "t", values: ["A": ""])
        }
        #expect(unclosed?.description == "t:2:3: '{{' without a closing '}}' on the same line")
        let lowercase = #expect(throws: CodegenError.self) {
            try TemplateExpander.expand("{{a}}", templateName: "t", values: [:])
        }
        #expect(lowercase?.description == "t:1:1: placeholder '{{a}}' is not an upper-case identifier")
    }
}
