/// A structural defect of a map: a broken name or reference that no view of the map can be
/// trusted with. `ResolvedMap` finds them, `Router` refuses a map that has any, and `socmap
/// check` reports them under their check ids.
public struct MapProblem: Hashable, Sendable, CustomStringConvertible {
    /// What is broken; the raw value is the check id the problem is reported under.
    public enum Kind: String, CaseIterable, Sendable {
        /// Two siblings share a name, so region paths are ambiguous.
        case duplicateName = "duplicate-name"
        /// `seen-by` names an initiator the map does not declare.
        case unknownInitiator = "unknown-initiator"
        /// A `when` condition names an undeclared switch or a value the switch cannot take.
        case unknownSwitch = "unknown-switch"
        /// An alias names no region, a name that is not unique, or an offset past 2^64.
        case aliasTarget = "alias-target"
        /// An alias reaches itself through its target's subtree.
        case aliasCycle = "alias-cycle"
        /// A domain entry names no host region, a slice outside it, or an undeclared initiator.
        case domainEntry = "domain-entry"
    }

    /// What is broken.
    public let kind: Kind
    /// One line saying what and why.
    public let message: String
    /// The region concerned, if any.
    public let region: RegionID?
    /// The region path or `domain D / entry E` concerned.
    public let path: String?
    /// Where the culprit was written.
    public let location: SourceLocation?

    /// Creates a problem.
    public init(_ kind: Kind, _ message: String, region: RegionID? = nil, path: String? = nil, location: SourceLocation? = nil) {
        self.kind = kind
        self.message = message
        self.region = region
        self.path = path
        self.location = location
    }

    /// The problem as an error diagnostic with its check id.
    public var diagnostic: Diagnostic { Diagnostic(.error, kind.rawValue, message, at: location, path: path) }

    /// The compiler-style line.
    public var description: String { diagnostic.description }
}

/// Why a router could not be built: the request names something the map does not have, or
/// the map's structure cannot be routed.
public enum RouterError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The initiator is not declared by the map.
    case unknownInitiator(String, known: [String], map: String)
    /// No switch has this name.
    case unknownSwitch(String, known: [String])
    /// The switch cannot take this value.
    case unknownSwitchValue(switch: String, value: String, allowed: [String])
    /// The map declares no domain of this name.
    case unknownDomain(String, known: [String], map: String)
    /// The map has structural problems (broken names or references).
    case unroutableMap([MapProblem])
    /// Some entries of the domain cannot be resolved against the host map.
    case unresolvableDomain(String, [MapProblem])

    /// One line, or one line per problem.
    public var description: String {
        switch self {
        case .unknownInitiator(let name, let known, let map):
            return "unknown initiator '\(name)'" + suggestion(for: name, among: known, none: "\(map) declares no initiators")
        case .unknownSwitch(let name, let known):
            return "unknown switch '\(name)'" + didYouMeanSuffix(name, among: known)
                + (known.isEmpty ? " (the map declares no switches)" : " (known: \(known.joined(separator: ", ")))")
        case .unknownSwitchValue(let name, let value, let allowed):
            return "switch '\(name)' cannot be '\(value)'" + didYouMeanSuffix(value, among: allowed)
                + " (values: \(allowed.joined(separator: ", ")))"
        case .unknownDomain(let name, let known, let map):
            return "unknown domain '\(name)'" + suggestion(for: name, among: known, none: "\(map) declares no domains")
        case .unroutableMap(let problems):
            return problems.map(\.description).joined(separator: "\n")
        case .unresolvableDomain(let name, let problems):
            return "domain \(name): " + problems.map(\.message).joined(separator: "; ")
        }
    }

    /// The problems as diagnostics, for the structural cases; empty otherwise.
    public var diagnostics: [Diagnostic] {
        switch self {
        case .unroutableMap(let problems), .unresolvableDomain(_, let problems): return problems.map(\.diagnostic)
        default: return []
        }
    }
}
