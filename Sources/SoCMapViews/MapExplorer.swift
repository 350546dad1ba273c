public import SoCMap

/// One self-contained HTML page for a map: the picture of its default view, a search box that
/// highlights units by name or path, and an address box that answers like `socmap decode` (its
/// first line) in any initiator's view under any switch setting `--all-switches` sweeps, from
/// tables built in advance. Nothing is fetched: it works from `file://` with no network.
/// `page.html#0x4120_0000` (optionally `#cpu@2/0x4120_0000`: initiator and setting index)
/// answers on load, which is how the tests drive it.
public enum MapExplorer {
    /// At most this many switch settings get tables (the sweep of a map with many switches).
    public static let settingLimit = 256

    /// The page.
    public static func html(_ resolved: ResolvedMap) throws(RouterError) -> String {
        let map = resolved.map
        let settings = Array(SwitchSetting.all(for: map).prefix(settingLimit))
        let initiators = map.initiators.isEmpty ? [nil] : map.initiators.map { Optional($0.name) }
        var views: [JSON] = []
        var defaultRouters: [Router] = []
        let defaults = SwitchSetting(defaultsOf: map)
        for (i, setting) in settings.enumerated() {
            for initiator in initiators {
                let router = try Router(resolved, initiator: initiator, setting: setting)
                if setting == defaults { defaultRouters.append(router) }
                // Per segment: base, last, how the rest is written (r region, R reserved, c ECAM,
                // w window), the text every address shares, the offset at the base, and the first
                // bus (ECAM) or the bus address at the base (window).
                let segments: [JSON] = router.segments.map { s in
                    let head = DecodeAnswer.targetHead(router, unit: s.unit, entry: s.entry, target: s.target)
                    let how: String
                    var extra: UInt64 = 0
                    switch s.target {
                    case .region: how = router[s.unit].kind == .reserved ? "R" : "r"
                    case .pcieConfig:
                        how = "c"
                        extra = UInt64(router[s.unit].region.pcie?.firstBus ?? 0)
                    case .pcieWindow:
                        how = "w"
                        extra = s.busAddressAtBase ?? 0
                    }
                    return .array([
                        .string(String(s.range.base, radix: 16)), .string(String(s.range.last, radix: 16)), .string(how), .string(head),
                        .string(String(s.offsetAtBase, radix: 16)), .string(String(extra, radix: 16)),
                    ])
                }
                views.append(
                    .object([
                        ("initiator", initiator.map(JSON.string) ?? .null), ("setting", .int(i)),
                        ("switches", .string(setting.description)), ("segments", .array(segments)),
                    ]))
            }
        }
        let diagram = MapDiagram.host(defaultRouters.isEmpty ? [] : defaultRouters, title: map.model ?? map.name).svg
        let svg = diagram.split(separator: "\n").dropFirst().joined(separator: "\n")  // no XML declaration inside HTML
        let defaultIndex = settings.firstIndex(of: defaults) ?? 0
        let data = JSON.object([("defaultSetting", .int(defaultIndex)), ("views", .array(views))]).compact
            .replacing("</", with: "<\\/")
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>\(MapDiagram.xml(map.model ?? map.name)) — socmap</title>
            <style>
            body { font-family: sans-serif; margin: 1em; }
            #tools { position: sticky; top: 0; background: #fff; padding: 0.5em 0; border-bottom: 1px solid #ccc; }
            input { font-family: monospace; width: 16em; }
            output { font-family: monospace; margin-left: 1em; }
            rect.hit { stroke: #d00; stroke-width: 3; }
            </style>
            </head>
            <body>
            <div id="tools">
            <label>Address <input id="address" placeholder="0x4120_0000"></label>
            <label>View <select id="view"></select></label>
            <output id="answer"></output><br>
            <label>Find <input id="find" placeholder="name or path"></label> <span id="found"></span>
            </div>
            \(svg)
            <script id="views" type="application/json">\(data)</script>
            <script>
            \(script)
            </script>
            </body>
            </html>

            """
    }

    /// The page's code: address parsing as socmap's (hex with `_`, decimal, K/M/G/T suffixes),
    /// binary search over a view's segments, and socmap's address format.
    static let script = #"""
        const data = JSON.parse(document.getElementById('views').textContent);
        const views = data.views;
        const select = document.getElementById('view');
        views.forEach((v, i) => {
          const o = document.createElement('option');
          o.value = i;
          o.textContent = (v.initiator || 'CPU') + (v.switches ? ' — ' + v.switches : '');
          select.appendChild(o);
        });
        select.value = views.findIndex(v => v.setting === data.defaultSetting);
        function parse(text) {
          const t = text.trim().replace(/_/g, '').toLowerCase();
          const m = /^(0x[0-9a-f]+|[0-9]+)([kmgt]?)$/.exec(t);
          if (!m) return null;
          const shift = {'': 0n, k: 10n, m: 20n, g: 30n, t: 40n}[m[2]];
          const v = BigInt(m[1]) << shift;
          return v < (1n << 64n) ? v : null;
        }
        function hex(v) {
          const digits = v.toString(16);
          const groups = [];
          for (let end = digits.length; end > 0; end -= 4) groups.unshift(digits.slice(Math.max(0, end - 4), end));
          return '0x' + groups.join('_');
        }
        function decode(view, a) {
          const s = view.segments;
          let lo = 0, hi = s.length - 1;
          while (lo <= hi) {
            const mid = (lo + hi) >> 1;
            const base = BigInt('0x' + s[mid][0]), last = BigInt('0x' + s[mid][1]);
            if (a < base) hi = mid - 1; else if (a > last) lo = mid + 1;
            else {
              const [, , how, head, off, extra] = s[mid];
              const offset = BigInt('0x' + off) + (a - base);
              if (how === 'R') return hex(a) + ': reserved: ' + head + ' offset ' + hex(offset) + ' (nothing may decode here)';
              if (how === 'c') {
                const bus = BigInt('0x' + extra) + (offset >> 20n);
                return hex(a) + ': ' + head + ': bus ' + bus + ', device ' + ((offset >> 15n) & 31n) + ', function ' + ((offset >> 12n) & 7n) + ', register ' + hex(offset & 0xfffn);
              }
              if (how === 'w') return hex(a) + ': ' + head + ', bus address ' + hex(BigInt('0x' + extra) + (a - base));
              return hex(a) + ': ' + head + ' offset ' + hex(offset);
            }
          }
          return hex(a) + ': unassigned';
        }
        function answer() {
          const a = parse(document.getElementById('address').value);
          document.getElementById('answer').textContent = a === null ? 'not an address' : decode(views[Number(select.value)], a);
        }
        document.getElementById('address').addEventListener('input', answer);
        select.addEventListener('change', answer);
        document.getElementById('find').addEventListener('input', e => {
          const q = e.target.value.trim().toLowerCase();
          let n = 0;
          document.querySelectorAll('rect').forEach(r => {
            const t = r.querySelector('title');
            const hit = q !== '' && t && t.textContent.toLowerCase().includes(q);
            r.classList.toggle('hit', hit);
            if (hit) n++;
          });
          document.getElementById('found').textContent = q ? n + ' found' : '';
        });
        // #ADDRESS or #INITIATOR@SETTING/ADDRESS answers on load.
        const hash = decodeURIComponent(location.hash.slice(1));
        if (hash) {
          const slash = hash.lastIndexOf('/');
          if (slash >= 0) {
            const [initiator, setting] = hash.slice(0, slash).split('@');
            const wanted = setting === undefined || setting === '' ? data.defaultSetting : Number(setting);
            const i = views.findIndex(v => (v.initiator || '') === initiator && v.setting === wanted);
            if (i >= 0) select.value = i;
          }
          document.getElementById('address').value = hash.slice(slash + 1);
          answer();
        }
        """#
}
