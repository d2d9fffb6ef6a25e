// A minimal JSON value, reader and writer for the test sources (the Swift
// twin of tests/kotlin/Json.kt): numbers stay Int64 or Double, so `true`
// and `1` never compare equal (JSONSerialization's NSNumber would blur them).
import Foundation

enum JSON: Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    /// Parses `text`, which must hold one JSON value.
    static func parse(_ text: String) throws -> JSON {
        var p = JSONParser(bytes: Array(text.utf8))
        let v = try p.value()
        p.skipWhitespace()
        guard p.i == p.bytes.count else { throw ParseError(description: "trailing characters at \(p.i)") }
        return v
    }

    /// Reads and parses the file at `path`.
    static func read(_ path: String) throws -> JSON {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try parse(String(decoding: data, as: UTF8.self))
    }

    /// The member `key` of an object (nil if absent or not an object).
    subscript(key: String) -> JSON? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// Whether an object has the member `key` (even if it is null).
    func has(_ key: String) -> Bool {
        if case .object(let o) = self { return o[key] != nil }
        return false
    }

    var str: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var int: Int64? {
        if case .int(let n) = self { return n }
        return nil
    }

    var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    var arr: [JSON] {
        if case .array(let a) = self { return a }
        return []
    }

    var obj: [String: JSON] {
        if case .object(let o) = self { return o }
        return [:]
    }

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// Compact JSON, object keys sorted.
    var description: String {
        var out = ""
        write(into: &out)
        return out
    }

    private func write(into out: inout String) {
        switch self {
        case .null:
            out += "null"
        case .bool(let b):
            out += b ? "true" : "false"
        case .int(let n):
            out += String(n)
        case .double(let d):
            if d.rounded() == d && abs(d) < 1e15 {
                out += String(Int64(d))
            } else {
                out += "\(d)"
            }
        case .string(let s):
            JSON.writeString(s, into: &out)
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                v.write(into: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            for (i, k) in o.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                JSON.writeString(k, into: &out)
                out += ":"
                o[k]?.write(into: &out)
            }
            out += "}"
        }
    }

    private static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}

/// Shorthands to build JSON values in the tests.
extension JSON {
    static func of(_ s: String?) -> JSON { s.map { .string($0) } ?? .null }
    static func of(_ n: Int64?) -> JSON { n.map { .int($0) } ?? .null }
    static func of(_ n: Int32?) -> JSON { n.map { .int(Int64($0)) } ?? .null }
    static func of(_ strings: [String]) -> JSON { .array(strings.map { .string($0) }) }
}

private struct JSONParser {
    let bytes: [UInt8]
    var i = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func skipWhitespace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 {
            i += 1
        }
    }

    private func fail(_ what: String) -> JSON.ParseError {
        JSON.ParseError(description: "\(what) at \(i)")
    }

    mutating func value() throws -> JSON {
        skipWhitespace()
        guard i < bytes.count else { throw fail("unexpected end") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return try number()
        }
    }

    private mutating func literal(_ word: String, _ v: JSON) throws -> JSON {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else { throw fail("bad literal") }
        i += w.count
        return v
    }

    private mutating func expect(_ c: Character) throws {
        skipWhitespace()
        guard i < bytes.count, let a = c.asciiValue, bytes[i] == a else { throw fail("expected \(c)") }
        i += 1
    }

    private mutating func peek() -> UInt8? {
        skipWhitespace()
        return i < bytes.count ? bytes[i] : nil
    }

    private mutating func object() throws -> JSON {
        try expect("{")
        var o: [String: JSON] = [:]
        if peek() == UInt8(ascii: "}") {
            i += 1
            return .object(o)
        }
        while true {
            skipWhitespace()
            let k = try string()
            try expect(":")
            o[k] = try value()
            switch peek() {
            case UInt8(ascii: ","): i += 1
            case UInt8(ascii: "}"): i += 1; return .object(o)
            default: throw fail("expected , or }")
            }
        }
    }

    private mutating func array() throws -> JSON {
        try expect("[")
        var a: [JSON] = []
        if peek() == UInt8(ascii: "]") {
            i += 1
            return .array(a)
        }
        while true {
            a.append(try value())
            switch peek() {
            case UInt8(ascii: ","): i += 1
            case UInt8(ascii: "]"): i += 1; return .array(a)
            default: throw fail("expected , or ]")
            }
        }
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count, let s = String(bytes: bytes[i..<(i + 4)], encoding: .ascii),
              let v = UInt32(s, radix: 16) else { throw fail("bad \\u escape") }
        i += 4
        return v
    }

    private mutating func string() throws -> String {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected string") }
        i += 1
        var out = [UInt8]()
        while true {
            guard i < bytes.count else { throw fail("unterminated string") }
            let c = bytes[i]
            i += 1
            if c == UInt8(ascii: "\"") { break }
            if c != UInt8(ascii: "\\") {
                out.append(c)
                continue
            }
            guard i < bytes.count else { throw fail("unterminated escape") }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var code = try hex4()
                // A surrogate pair names one scalar; a lone surrogate becomes U+FFFD.
                if code >= 0xD800 && code < 0xDC00, i + 1 < bytes.count,
                   bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                    let save = i
                    i += 2
                    let low = try hex4()
                    if low >= 0xDC00 && low < 0xE000 {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        i = save
                    }
                }
                let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                throw fail("bad escape")
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func number() throws -> JSON {
        let start = i
        while i < bytes.count {
            let c = bytes[i]
            let isDigit = c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")
            if isDigit || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
                || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                i += 1
            } else {
                break
            }
        }
        guard i > start, let t = String(bytes: bytes[start..<i], encoding: .ascii) else { throw fail("unexpected character") }
        if t.contains(".") || t.contains("e") || t.contains("E") {
            guard let d = Double(t) else { throw fail("bad number") }
            return .double(d)
        }
        guard let n = Int64(t) else { throw fail("bad number") }
        return .int(n)
    }
}
