/// How serious a finding is.
public enum Severity: String, Sendable, Hashable, Comparable, CaseIterable {
    /// Informational.
    case note
    /// Suspicious but legal; `check` still exits 0.
    case warning
    /// Wrong; `check` exits 1 (input errors: 2).
    case error

    private var rank: Int {
        switch self {
        case .note: return 0
        case .warning: return 1
        case .error: return 2
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// One finding about a map, printed compiler-style:
/// `maps/board.yaml:12:9: error: /amba/uart1: [0xe000_1000, 0xe000_1fff] overlaps ... [sibling-overlap]`.
public struct Diagnostic: Hashable, Sendable, Error, CustomStringConvertible {
    /// How serious.
    public var severity: Severity
    /// The stable id of the check or input rule.
    public var checkID: String
    /// What is wrong, in one line.
    public var message: String
    /// Where in the map file (or device tree) the culprit was written.
    public var location: SourceLocation?
    /// The region path (or device-tree node path) concerned.
    public var path: String?
    /// The view in which the finding holds (`initiator cpu, ocm0=low`), when it depends on one.
    public var view: String?
    /// Every region a grouped finding names (all the units claiming one range), by path.
    public var group: [String] = []
    /// The range a grouped finding is about.
    public var range: AddressRange?

    /// Creates a diagnostic.
    public init(
        _ severity: Severity, _ checkID: String, _ message: String, at location: SourceLocation? = nil, path: String? = nil,
        view: String? = nil
    ) {
        self.severity = severity
        self.checkID = checkID
        self.message = message
        self.location = location
        self.path = path
        self.view = view
    }

    /// The one-line compiler-style form.
    public var description: String {
        var text = ""
        if let location { text += "\(location): " }
        text += "\(severity.rawValue): "
        if let path { text += "\(path): " }
        text += message
        if let view { text += " (\(view))" }
        return text + " [\(checkID)]"
    }
}

/// A map could not be read: one or more input diagnostics (exit status 2).
public struct MapInputError: Error, Sendable, CustomStringConvertible {
    /// The problems found, in file order.
    public var diagnostics: [Diagnostic]

    /// Creates an error from its diagnostics.
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }

    /// One line per diagnostic.
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// The tail of an "unknown NAME" message: a did-you-mean when one candidate is close, else
/// the list of known names, or `none` when there are no candidates at all.
public func suggestion(for word: String, among known: [String], none: String) -> String {
    if known.isEmpty { return "; \(none)" }
    let guess = didYouMeanSuffix(word, among: known)
    return guess.isEmpty ? " (known: \(known.joined(separator: ", ")))" : guess
}

/// `; did you mean 'NAME'?` when one of `candidates` is close to `word`, else nothing: the
/// tail every "unknown ..." message in socmap ends with.
public func didYouMeanSuffix(_ word: String, among candidates: some Sequence<String>) -> String {
    didYouMean(word, among: candidates).map { "; did you mean '\($0)'?" } ?? ""
}

/// The closest candidate to `word` by edit distance, if close enough to be a likely typo.
public func didYouMean(_ word: String, among candidates: some Sequence<String>) -> String? {
    var best: (String, Int)?
    for c in candidates {
        let d = editDistance(word.lowercased(), c.lowercased())
        if d <= max(2, word.count / 3), best == nil || d < best!.1 { best = (c, d) }
    }
    return best?.0
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = Array(repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
