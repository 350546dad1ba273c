public import SoCMap

/// A rule with a stable id, a default severity and a one-line doc, as data (like dtc's
/// `checks.c` table). Profiles for SoC families add more checks to the same engine.
public struct Check: Sendable {
    /// Stable id, used in diagnostics and to switch the check on or off.
    public let id: String
    /// Default severity of its findings.
    public let severity: Severity
    /// One line saying what it finds.
    public let doc: String
    /// Checks that must pass first; a failed prerequisite is reported, not hidden.
    public let prerequisites: [Check]
    /// Produces the findings; the engine stamps `id` and `severity` on them.
    public let run: @Sendable (CheckContext) -> [Finding]

    /// Creates a check.
    public init(
        id: String, severity: Severity, doc: String, prerequisites: [Check] = [], run: @escaping @Sendable (CheckContext) -> [Finding]
    ) {
        self.id = id
        self.severity = severity
        self.doc = doc
        self.prerequisites = prerequisites
        self.run = run
    }
}

/// What a check function reports: a message about a region.
public struct Finding: Sendable {
    /// One line.
    public var message: String
    /// The region concerned, for its path and location.
    public var region: RegionID?
    /// An explicit location, when it is not the region's.
    public var location: SourceLocation?
    /// The view in which it holds, when that matters.
    public var view: String?
    /// An explicit path, when the culprit is no region (`domain domU1 / entry ram`).
    public var path: String?
    /// The severity this finding deserves when it differs from its check's (a device tree's
    /// harmless case of what is a defect in a hand-written map); `-W`/`-E` still override it.
    public var severity: Severity?
    /// The units a grouped finding names (all the regions claiming one range), for `--json`.
    public var group: [RegionID] = []
    /// The range a grouped finding is about.
    public var range: AddressRange?

    /// Creates a finding.
    public init(
        _ message: String, region: RegionID? = nil, location: SourceLocation? = nil, view: String? = nil, path: String? = nil,
        severity: Severity? = nil
    ) {
        self.message = message
        self.region = region
        self.location = location
        self.view = view
        self.path = path
        self.severity = severity
    }

    /// A finding about a group of units claiming one range (`nil`: no single range), located
    /// at `region` (the group's first unit by default).
    public init(_ message: String, group: [RegionID], range: AddressRange?, region: RegionID? = nil, severity: Severity? = nil) {
        self.init(message, region: region ?? group.first, severity: severity)
        self.group = group
        self.range = range
    }

    /// A structural problem of the map as a finding.
    public init(_ problem: MapProblem) {
        self.init(problem.message, region: problem.region, location: problem.location, path: problem.path)
    }
}
