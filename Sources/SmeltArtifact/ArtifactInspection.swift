import Foundation
import SmeltIR

/// What `smelt inspect` prints about an artifact: header, sections with
/// checksum status, the model, kernels, the decode step and the buffers.
/// A damaged file still gets its header and section table shown, with the
/// damage named, before the error.
public struct ArtifactInspection {
    /// The report text, one item per line.
    public var text: String
    /// The first problem found (a checksum mismatch or an undecodable
    /// section), or nil when the artifact would load.
    public var problem: SmeltError?

    /// Inspects an opened file; `verifyChecksums: false` skips hashing
    /// (statuses then read "not checked").
    public init(_ file: ArtifactFile, verifyChecksums: Bool = true, showFusionPlan: Bool = false) {
        var lines: [String] = []
        let layout = file.layout
        lines.append("\(file.name): Smelt artifact, format version \(layout.formatVersion), \(grouped(layout.fileBytes)) bytes")
        lines.append("header: \(layout.tableEndOffset) bytes, \(layout.sections.count) sections, checksums: XXH64 over \(humanBytes(layout.checksumChunkBytes)) chunks")
        lines.append(columns(["section", "offset", "bytes", "align", "checksum", "status"], widths: [-10, 12, 14, 6, -17, 0]))
        var problem: SmeltError?
        for s in layout.sections {
            var status = "not checked"
            if verifyChecksums {
                let ok = file.checksumMatches(s)
                status = ok ? "ok" : "MISMATCH"
                if !ok, problem == nil {
                    problem = SmeltError("\(file.name): section '\(s.name)' checksum mismatch (file corrupted?)")
                }
            }
            if !SectionName.required.contains(s.name) { status += " (unknown section, ignored)" }
            lines.append(columns([s.name, "\(s.offset)", grouped(s.length), "\(s.alignment)",
                                  SectionChecksum.hex(s.checksum), status], widths: [-10, 12, 14, 6, -17, 0]))
        }
        if problem == nil {
            do {
                let artifact = try Artifact(file: file, verifyChecksums: false)
                lines += Self.describe(artifact, showFusionPlan: showFusionPlan)
            } catch let error as SmeltError {
                problem = error
            } catch {
                problem = SmeltError("\(file.name): \(error)")
            }
        }
        text = lines.joined(separator: "\n") + "\n"
        self.problem = problem
    }

    static func describe(_ artifact: Artifact, showFusionPlan: Bool) -> [String] {
        let m = artifact.manifest
        let plan = artifact.plan
        let t = artifact.tokenizer
        var lines: [String] = []
        lines.append("model: \(m.modelName)" + (m.architecture.map { " (\($0))" } ?? "")
            + ", vocabulary \(grouped(plan.vocabularySize)), context \(grouped(plan.contextLength)) tokens, prefill chunk \(plan.prefillChunk)")
        if !m.hyperparameters.isEmpty {
            lines.append("config: " + m.hyperparameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                .joined(separator: " "))
        }
        lines.append("compiled: pipeline '\(m.pipeline)', device profile '\(m.deviceProfile)', graph \(m.graphHash), by \(m.producer)")
        for (key, value) in m.notes.sorted(by: { $0.key < $1.key }) { lines.append("note: \(key): \(value)") }
        let spirvBytes = artifact.file.layout.section(named: SectionName.spirv)?.length ?? 0
        lines.append("kernels: \(plan.kernels.count) (\(grouped(spirvBytes)) bytes of SPIR-V)")
        lines.append("decode step: " + commandSummary(plan.decode))
        lines.append("prefill chunk: " + commandSummary(plan.prefill))
        if let score = plan.score { lines.append("score chunk: " + commandSummary(score)) }
        lines.append("buffers by role:")
        for role in roleOrder {
            let buffers = plan.buffers.filter { $0.role == role }
            guard !buffers.isEmpty else { continue }
            let bytes = buffers.reduce(0) { $0 + $1.byteSize }
            lines.append(columns(["  " + role.rawValue, "\(buffers.count)", grouped(bytes) + " bytes", "(\(humanBytes(bytes)))"],
                                 widths: [-12, 6, 22, 0]))
        }
        let packings = Dictionary(grouping: plan.buffers.filter { $0.role == .weight }, by: { $0.packing ?? "?" })
        if !packings.isEmpty {
            lines.append("weight packings: " + packings.sorted { $0.key < $1.key }
                .map { "\($0.key) ×\($0.value.count) (\(humanBytes($0.value.reduce(0) { $0 + $1.byteSize })))" }
                .joined(separator: ", "))
        }
        lines.append("tokenizer: \(t.model), \(grouped(t.tokens.count)) tokens, bos \(t.bosID), eos \(t.eosID), add BOS \(t.addBOS), space prefix \(t.addSpacePrefix), chat template \(t.chatTemplate == nil ? "none" : "stored")")
        if showFusionPlan, m.fusionPlan.isEmpty {
            lines.append("fusion plan: (none recorded)")
        } else if showFusionPlan {
            lines.append("fusion plan:")
            lines += m.fusionPlan.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
        }
        return lines
    }

    private static let roleOrder: [PlannedBuffer.Role] = [.weight, .activation, .kvCache, .control, .tokens, .logits, .scoreLogits, .counters, .output]

    private static func commandSummary(_ commands: [PlanCommand]) -> String {
        var dispatches = 0, barriers = 0, bytes = 0
        for command in commands {
            switch command {
            case .dispatch(let d):
                dispatches += 1
                bytes += d.bytesMoved
            case .barrier:
                barriers += 1
            }
        }
        return "\(plural(dispatches, "dispatch", "dispatches")), \(plural(barriers, "barrier", "barriers")), \(humanBytes(bytes)) moved"
    }
}

private func plural(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }

/// 1234567 → "1,234,567".
func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (n < 0 ? "-" : "") + out
}

/// Bytes in the largest binary unit that keeps the number ≥ 1.
func humanBytes(_ n: Int) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(n)
    var unit = 0
    while value >= 1024, unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    return unit == 0 ? "\(n) B" : String(format: "%.1f", value) + " " + units[unit]
}

/// Pads each field to its width: negative widths left-align, 0 leaves it.
private func columns(_ fields: [String], widths: [Int]) -> String {
    zip(fields, widths).map { field, width in
        let pad = String(repeating: " ", count: max(0, abs(width) - field.count))
        return width < 0 ? field + pad : pad + field
    }.joined(separator: " ").trimmingTrailingSpaces()
}

private extension String {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
