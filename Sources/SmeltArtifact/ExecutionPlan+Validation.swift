import SmeltIR

extension ExecutionPlan {
    /// The SPIR-V magic number, the first word of every module.
    public static let spirvMagic: UInt32 = 0x0723_0203

    /// Checks every index and range the runtime will follow, so a bad plan
    /// is refused with a message instead of crashing the runtime: kernel and
    /// buffer ids, bindings inside their buffers, weights inside the weights
    /// blob of `weightsBytes`, push constants inside the declared range.
    /// Returns the first problem found.
    public func validationProblem(weightsBytes: Int, checkSPIRV: Bool = true) -> String? {
        for (i, kernel) in kernels.enumerated() {
            if checkSPIRV, kernel.spirv.first != Self.spirvMagic {
                return "kernel \(i) '\(kernel.name)': not SPIR-V (the first word is not 0x07230203)"
            }
            if kernel.bindingCount < 0 || kernel.pushConstantBytes < 0 || kernel.pushConstantBytes % 4 != 0 {
                return "kernel \(i) '\(kernel.name)': \(kernel.bindingCount) bindings and \(kernel.pushConstantBytes) push-constant bytes"
            }
            if let bad = (kernel.texelBindings + kernel.uniformBindings)
                .first(where: { !(0 ..< kernel.bindingCount).contains($0) }) {
                return "kernel \(i) '\(kernel.name)': binding \(bad) is not one of its \(kernel.bindingCount) bindings"
            }
        }
        for (i, buffer) in buffers.enumerated() {
            guard buffer.byteSize >= 0 else { return "buffer \(i) '\(buffer.name)': negative size \(buffer.byteSize)" }
            guard buffer.role == .weight else { continue }
            guard let offset = buffer.weightOffset else { return "weight buffer \(i) '\(buffer.name)' has no weightOffset" }
            let (end, overflow) = offset.addingReportingOverflow(buffer.byteSize)
            if offset < 0 || overflow || end > weightsBytes {
                return "weight buffer \(i) '\(buffer.name)': bytes \(offset)..<\(offset &+ buffer.byteSize) are outside the \(weightsBytes)-byte weights section"
            }
        }
        for (field, id) in [("controlBuffer", controlBuffer), ("tokensBuffer", tokensBuffer),
                            ("logitsBuffer", logitsBuffer), ("outputBuffer", outputBuffer)]
            where !buffers.indices.contains(id) {
            return "\(field) is buffer \(id), but the plan has \(buffers.count) buffers"
        }
        if (score == nil) != (scoreLogitsBuffer == nil) {
            return "the score list and scoreLogitsBuffer must be present together"
        }
        if let tail = prefillTail, !(0 ... prefill.count).contains(tail) {
            return "prefillTail is \(tail), outside the prefill list's \(prefill.count) commands"
        }
        if let id = scoreLogitsBuffer, !buffers.indices.contains(id) {
            return "scoreLogitsBuffer is buffer \(id), but the plan has \(buffers.count) buffers"
        }
        for (listName, list) in [("decode", decode), ("prefill", prefill), ("score", score ?? [])] {
            for (c, command) in list.enumerated() {
                guard case .dispatch(let d) = command else { continue }
                if let problem = problem(in: d) { return "\(listName) command \(c) ('\(d.label)'): \(problem)" }
                if listName == "decode", d.firstToken != nil {
                    return "decode command \(c) ('\(d.label)'): firstToken belongs to prefill and score dispatches"
                }
            }
        }
        return nil
    }

    private func problem(in d: PlannedDispatch) -> String? {
        guard kernels.indices.contains(d.kernel) else { return "kernel \(d.kernel) of \(kernels.count)" }
        let kernel = kernels[d.kernel]
        guard d.bindings.count == kernel.bindingCount else {
            return "\(d.bindings.count) bindings, kernel '\(kernel.name)' has \(kernel.bindingCount)"
        }
        guard d.pushConstants.count * 4 <= kernel.pushConstantBytes else {
            return "\(d.pushConstants.count * 4) push-constant bytes, kernel '\(kernel.name)' declares \(kernel.pushConstantBytes)"
        }
        guard d.groups.count <= 3, d.groups.allSatisfy({ $0 >= 0 }) else { return "workgroup counts \(d.groups)" }
        if let first = d.firstToken, first < 0 { return "firstToken \(first) is negative" }
        for (b, slice) in d.bindings.enumerated() {
            guard buffers.indices.contains(slice.buffer) else {
                return "binding \(b) names buffer \(slice.buffer), the plan has \(buffers.count)"
            }
            let buffer = buffers[slice.buffer]
            let (end, overflow) = slice.offset.addingReportingOverflow(slice.size)
            if slice.offset < 0 || slice.size < 0 || overflow || end > buffer.byteSize {
                return "binding \(b): bytes \(slice.offset)..<\(slice.offset &+ slice.size) of the \(buffer.byteSize)-byte buffer '\(buffer.name)'"
            }
        }
        return nil
    }
}
