import Foundation

/// A rehearsal's report as one self-contained HTML page: the checks, a
/// histogram of the answers' latencies and a timeline of the units
/// remaining, drawn in inline SVG (no script, no external asset).
enum RehearsalHTML {
    static func page(_ report: RehearsalReport, latenciesMs: [Double], timeline: [RemainingTimeline.Sample]) -> String {
        let checks = report.checks.map { check in
            "<tr class=\"\(check.passed ? "pass" : "fail")\"><td>\(check.passed ? "PASS" : "FAIL")</td><td>\(escape(check.name))</td><td>\(escape(check.detail))</td></tr>"
        }.joined(separator: "\n")
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>Rehearsal of drop \(report.dropIndex): \(report.passed ? "PASS" : "FAIL")</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
            table { border-collapse: collapse; } td { padding: 2px 10px; }
            tr.pass td:first-child { color: #1a7f37; font-weight: bold; } tr.fail td:first-child { color: #cf222e; font-weight: bold; }
            svg { background: #fafafa; border: 1px solid #ddd; } text { font-size: 11px; fill: #444; }
            </style></head><body>
            <h1>Rehearsal of drop \(report.dropIndex): \(report.passed ? "PASS" : "FAIL")</h1>
            <p>Campaign \(escape(report.campaignId)) (\(escape(report.productName))): \(report.customersConnected) customers × \(report.pressesPerCustomer) presses for \(report.unitsOnOffer) units; \(report.holdsGranted) holds granted, \(report.paid.card + report.paid.pix) paid (card \(report.paid.card), Pix \(report.paid.pix)), \(report.leftToExpire) left to expire. SOLD_OUT share \(String(format: "%.1f%%", report.soldOutShare * 100)).</p>
            <h2>Checks</h2>
            <table>
            \(checks)
            </table>
            <h2>Latency of the answers</h2>
            <p>p50 \(String(format: "%.1f", report.latencyMs.p50)) ms, p90 \(String(format: "%.1f", report.latencyMs.p90)) ms, p99 \(String(format: "%.1f", report.latencyMs.p99)) ms, max \(String(format: "%.1f", report.latencyMs.max)) ms.</p>
            \(histogram(latenciesMs))
            <h2>Units remaining</h2>
            \(timelineChart(timeline, unitsOnOffer: report.unitsOnOffer))
            </body></html>

            """
    }

    private static let width = 720.0
    private static let height = 240.0
    private static let margin = 40.0

    /// Answers per latency bucket: 40 buckets from 0 to the slowest answer.
    static func histogram(_ latenciesMs: [Double]) -> String {
        guard let slowest = latenciesMs.max(), slowest > 0 else { return "<p>No answers.</p>" }
        let bucketCount = 40
        var counts = [Int](repeating: 0, count: bucketCount)
        for latency in latenciesMs {
            counts[min(bucketCount - 1, Int(latency / slowest * Double(bucketCount)))] += 1
        }
        let tallest = Double(counts.max() ?? 1)
        let plotWidth = width - 2 * margin
        let plotHeight = height - 2 * margin
        let barWidth = plotWidth / Double(bucketCount)
        var svg = svgOpen
        for (index, count) in counts.enumerated() where count > 0 {
            let barHeight = Double(count) / tallest * plotHeight
            svg +=
                "<rect x=\"\(f(margin + Double(index) * barWidth))\" y=\"\(f(height - margin - barHeight))\" width=\"\(f(barWidth - 1))\" height=\"\(f(barHeight))\" fill=\"#4078c0\"><title>\(count) answers</title></rect>\n"
        }
        svg += axes(xLabel: "latency (ms), 0 to \(f(slowest))", yLabel: "answers (most: \(Int(tallest)))")
        return svg + "</svg>"
    }

    /// The pool over time, from the samples of ``RemainingTimeline``, with
    /// the units on offer marked at the opening: a drop can sell out between
    /// two samples.
    static func timelineChart(_ samples: [RemainingTimeline.Sample], unitsOnOffer: Int) -> String {
        guard let first = samples.first, let last = samples.last, last.ms > first.ms else { return "<p>Not enough samples.</p>" }
        let most = Double(max(samples.map(\.remaining).max() ?? 1, unitsOnOffer, 1))
        let span = Double(last.ms - first.ms)
        let plotWidth = width - 2 * margin
        let plotHeight = height - 2 * margin
        func x(_ ms: Int) -> Double { margin + Double(ms - first.ms) / span * plotWidth }
        func y(_ remaining: Int) -> Double { height - margin - Double(remaining) / most * plotHeight }
        let points = samples.map { "\(f(x($0.ms))),\(f(y($0.remaining)))" }.joined(separator: " ")
        var svg = svgOpen
        svg += "<polyline points=\"\(points)\" fill=\"none\" stroke=\"#cf222e\" stroke-width=\"2\"/>\n"
        if first.ms <= 0, last.ms >= 0 {
            svg += "<line x1=\"\(f(x(0)))\" y1=\"\(f(margin))\" x2=\"\(f(x(0)))\" y2=\"\(f(height - margin))\" stroke=\"#999\" stroke-dasharray=\"4\"/>"
            svg += "<text x=\"\(f(x(0) + 4))\" y=\"\(f(height - margin - 6))\">drop opens</text>\n"
            svg += "<circle cx=\"\(f(x(0)))\" cy=\"\(f(y(unitsOnOffer)))\" r=\"4\" fill=\"#cf222e\"/>"
            svg += "<text x=\"\(f(x(0) + 8))\" y=\"\(f(y(unitsOnOffer) + 4))\">\(unitsOnOffer) on offer</text>\n"
        }
        svg += axes(
            xLabel: "seconds from the drop's opening, \(f(Double(first.ms) / 1000)) to \(f(Double(last.ms) / 1000))",
            yLabel: "units remaining (most: \(Int(most)))")
        return svg + "</svg>"
    }

    private static var svgOpen: String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\">\n"
    }

    private static func axes(xLabel: String, yLabel: String) -> String {
        """
        <line x1="\(f(margin))" y1="\(f(height - margin))" x2="\(f(width - margin))" y2="\(f(height - margin))" stroke="#444"/>
        <line x1="\(f(margin))" y1="\(f(margin))" x2="\(f(margin))" y2="\(f(height - margin))" stroke="#444"/>
        <text x="\(f(margin))" y="\(f(height - margin / 3))">\(escape(xLabel))</text>
        <text x="\(f(margin))" y="\(f(margin - 10))">\(escape(yLabel))</text>

        """
    }

    private static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    /// `text` safe inside HTML text and attribute values.
    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
