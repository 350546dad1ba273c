/// A boolean condition on switch values: `ocm0 == low && scu-filter-start != 1M`.
///
/// Grammar (whitespace between tokens is free):
/// ```
/// expr    := and ('||' and)*
/// and     := unary ('&&' unary)*
/// unary   := '!' unary | '(' expr ')' | NAME ('==' | '!=') VALUE
/// NAME, VALUE := [A-Za-z0-9_.+-]+
/// ```
public indirect enum Condition: Hashable, Sendable {
    /// `switch == value`
    case equals(String, String)
    /// `switch != value`
    case notEquals(String, String)
    /// Both hold.
    case and(Condition, Condition)
    /// Either holds.
    case or(Condition, Condition)
    /// Negation.
    case not(Condition)

    /// Evaluates the condition for one switch setting.
    public func evaluate(_ setting: SwitchSetting) -> Bool {
        switch self {
        case .equals(let name, let value): return setting[name] == value
        case .notEquals(let name, let value): return setting[name] != value
        case .and(let a, let b): return a.evaluate(setting) && b.evaluate(setting)
        case .or(let a, let b): return a.evaluate(setting) || b.evaluate(setting)
        case .not(let a): return !a.evaluate(setting)
        }
    }

    /// Every `(switch, value)` pair the condition mentions, in order of appearance.
    public var comparisons: [(name: String, value: String)] {
        switch self {
        case .equals(let n, let v), .notEquals(let n, let v): return [(n, v)]
        case .and(let a, let b), .or(let a, let b): return a.comparisons + b.comparisons
        case .not(let a): return a.comparisons
        }
    }

    /// Parses the textual form, or throws a `ConditionSyntaxError` naming the column.
    public init(parsing text: String) throws(ConditionSyntaxError) {
        var parser = ConditionParser(text: text)
        self = try parser.parseAll()
    }
}

extension Condition: CustomStringConvertible {
    /// The canonical text, with parentheses only where precedence needs them.
    public var description: String { render(parentPrecedence: 0) }

    private var precedence: Int {
        switch self {
        case .or: return 1
        case .and: return 2
        case .not: return 3
        case .equals, .notEquals: return 4
        }
    }

    private func render(parentPrecedence: Int) -> String {
        let text: String
        switch self {
        case .equals(let n, let v): text = "\(n) == \(v)"
        case .notEquals(let n, let v): text = "\(n) != \(v)"
        case .and(let a, let b): text = "\(a.render(parentPrecedence: 2)) && \(b.render(parentPrecedence: 2))"
        case .or(let a, let b): text = "\(a.render(parentPrecedence: 1)) || \(b.render(parentPrecedence: 1))"
        case .not(let a): text = "!\(a.render(parentPrecedence: 5))"
        }
        return precedence < parentPrecedence ? "(\(text))" : text
    }
}

/// A syntax error in a `when` condition.
public struct ConditionSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    /// 0-based character offset into the condition text.
    public var offset: Int
    /// What was expected.
    public var message: String
    /// `column N: message`
    public var description: String { message }
}

private struct ConditionParser {
    let chars: [Character]
    var index = 0

    init(text: String) { chars = Array(text) }

    static func isWordCharacter(_ c: Character) -> Bool {
        c.isLetter || c.isNumber || c == "_" || c == "." || c == "+" || c == "-"
    }

    mutating func skipSpace() {
        while index < chars.count, chars[index].isWhitespace { index += 1 }
    }

    mutating func take(_ token: String) -> Bool {
        skipSpace()
        let t = Array(token)
        guard index + t.count <= chars.count, Array(chars[index..<index + t.count]) == t else { return false }
        index += t.count
        return true
    }

    func fail(_ message: String) -> ConditionSyntaxError {
        ConditionSyntaxError(offset: index, message: message)
    }

    mutating func word(_ what: String) throws(ConditionSyntaxError) -> String {
        skipSpace()
        let start = index
        while index < chars.count, Self.isWordCharacter(chars[index]) { index += 1 }
        guard index > start else {
            throw fail(index < chars.count ? "expected \(what), found '\(chars[index])'" : "expected \(what) at end of condition")
        }
        return String(chars[start..<index])
    }

    mutating func parseAll() throws(ConditionSyntaxError) -> Condition {
        let result = try parseOr()
        skipSpace()
        guard index == chars.count else { throw fail("expected '&&', '||' or end of condition, found '\(chars[index])'") }
        return result
    }

    mutating func parseOr() throws(ConditionSyntaxError) -> Condition {
        var left = try parseAnd()
        while take("||") { left = .or(left, try parseAnd()) }
        return left
    }

    mutating func parseAnd() throws(ConditionSyntaxError) -> Condition {
        var left = try parseUnary()
        while take("&&") { left = .and(left, try parseUnary()) }
        return left
    }

    mutating func parseUnary() throws(ConditionSyntaxError) -> Condition {
        if take("!") {
            if take("=") { throw fail("expected a switch name before '!='") }
            return .not(try parseUnary())
        }
        if take("(") {
            let inner = try parseOr()
            guard take(")") else { throw fail("expected ')'") }
            return inner
        }
        let name = try word("a switch name")
        if take("==") { return .equals(name, try word("a switch value")) }
        if take("!=") { return .notEquals(name, try word("a switch value")) }
        throw fail("expected '==' or '!=' after switch '\(name)'")
    }
}
