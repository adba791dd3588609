import Foundation

/// Tokens of the graph language.
enum TokenKind: Equatable, Sendable {
    case identifier(String)      // layer, config, linear, T
    case value(String)           // %name
    case integer(Int)
    case float(Double)
    case string(String)
    case comment(String)         // a full-line `// ...` comment, text after the slashes
    case punct(String)           // { } ( ) [ ] , = : . ..< + - * / % ? == != < <= > >= && || !
    case newline
    case end
}

struct Token: Sendable {
    var kind: TokenKind
    var location: SourceLocation
    /// Whether a blank line came before this token.
    var afterBlankLine = false
}

/// Splits graph text into tokens. Newlines are tokens because statements end
/// at the end of a line; comments are tokens so the printer can keep them.
struct Lexer {
    private let bytes: [UInt8]
    private let file: String
    private var index = 0
    private var line = 1
    private var lineStart = 0

    init(text: String, file: String) {
        self.bytes = Array(text.utf8)
        self.file = file
    }

    static func tokenize(_ text: String, file: String) throws -> [Token] {
        var lexer = Lexer(text: text, file: file)
        var tokens: [Token] = []
        var newlinesInARow = 0
        while true {
            var token = try lexer.next()
            if token.kind == .newline {
                newlinesInARow += 1
                if tokens.last?.kind == .newline { continue }
            } else {
                token.afterBlankLine = newlinesInARow >= 2
                newlinesInARow = 0
            }
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private var location: SourceLocation {
        SourceLocation(file: file, line: line, column: index - lineStart + 1)
    }

    private func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    private mutating func next() throws -> Token {
        while let c = peek(), c == 0x20 || c == 0x09 || c == 0x0D { index += 1 }
        let start = location
        guard let c = peek() else { return Token(kind: .end, location: start) }
        if c == 0x0A {
            index += 1
            line += 1
            lineStart = index
            return Token(kind: .newline, location: start)
        }
        if c == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "/") {
            let begin = index + 2
            while let d = peek(), d != 0x0A { index += 1 }
            let text = String(decoding: bytes[begin..<index], as: UTF8.self)
            return Token(kind: .comment(text), location: start)
        }
        if isIdentifierStart(c) {
            return Token(kind: .identifier(readIdentifier()), location: start)
        }
        if c == UInt8(ascii: "%") , let d = peek(1), isIdentifierStart(d) || isDigit(d) {
            index += 1
            return Token(kind: .value(readIdentifier(allowDots: true)), location: start)
        }
        if isDigit(c) { return try readNumber(start) }
        if c == UInt8(ascii: "\"") { return try readString(start) }
        for p in ["..<", "==", "!=", "<=", ">=", "&&", "||"] where matches(p) {
            index += p.utf8.count
            return Token(kind: .punct(p), location: start)
        }
        if "{}()[],=:.+-*/%?<>!".utf8.contains(c) {
            index += 1
            return Token(kind: .punct(String(UnicodeScalar(c))), location: start)
        }
        throw SmeltError("unexpected character '\(String(UnicodeScalar(c)))'", at: start)
    }

    private func matches(_ text: String) -> Bool {
        for (offset, byte) in text.utf8.enumerated() where peek(offset) != byte { return false }
        return true
    }

    private func isIdentifierStart(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "_")
    }

    private func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    private mutating func readIdentifier(allowDots: Bool = false) -> String {
        let begin = index
        while let c = peek(), isIdentifierStart(c) || isDigit(c) || (allowDots && c == UInt8(ascii: ".") && peek(1).map { isIdentifierStart($0) || isDigit($0) } == true) {
            index += 1
        }
        return String(decoding: bytes[begin..<index], as: UTF8.self)
    }

    private mutating func readNumber(_ start: SourceLocation) throws -> Token {
        let begin = index
        var isFloat = false
        while let c = peek(), isDigit(c) || c == UInt8(ascii: "_") { index += 1 }
        // A '.' followed by a digit continues the number; '..<' does not.
        if peek() == UInt8(ascii: "."), let d = peek(1), isDigit(d) {
            isFloat = true
            index += 1
            while let c = peek(), isDigit(c) { index += 1 }
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            var offset = 1
            if let s = peek(1), s == UInt8(ascii: "-") || s == UInt8(ascii: "+") { offset = 2 }
            if let d = peek(offset), isDigit(d) {
                isFloat = true
                index += offset
                while let c = peek(), isDigit(c) { index += 1 }
            }
        }
        let text = String(decoding: bytes[begin..<index], as: UTF8.self).replacingOccurrences(of: "_", with: "")
        if isFloat, let value = Double(text) { return Token(kind: .float(value), location: start) }
        if !isFloat, let value = Int(text) { return Token(kind: .integer(value), location: start) }
        throw SmeltError("malformed number '\(text)'", at: start)
    }

    private mutating func readString(_ start: SourceLocation) throws -> Token {
        index += 1
        var scalars: [UInt8] = []
        while let c = peek() {
            if c == 0x0A { break }
            index += 1
            if c == UInt8(ascii: "\"") {
                return Token(kind: .string(String(decoding: scalars, as: UTF8.self)), location: start)
            }
            if c == UInt8(ascii: "\\"), let escaped = peek() {
                index += 1
                scalars.append(escaped == UInt8(ascii: "n") ? 0x0A : escaped)
            } else {
                scalars.append(c)
            }
        }
        throw SmeltError("unterminated string literal", at: start, hint: "strings end with '\"' on the same line")
    }
}
