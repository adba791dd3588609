import SmeltIR

/// `mul(act(linear(x, Wg)), linear(x, Wu))` → one `gated_matvec` kernel:
/// each invocation reads row r of the gate and of the up matrix, applies
/// GELU-tanh or SiLU to the first and multiplies. Gate and up must share
/// their input and weight format, and fit one weight binding together
/// (they are stored as one matrix).
public struct FuseGatedFFN: FusionPattern {
    public let name = "fuse-gated-ffn"
    public let summary = "fuses gate and up projections, activation and product into one kernel"
    public let kernel = "gated_matvec"

    public init() {}

    public func match(at position: Int, in index: GraphIndex, context: PassContext) -> FusionMatch? {
        let mul = index[position]
        guard mul.kind == "mul", mul.operands.count == 2 else { return nil }
        for (actValue, upValue) in [(mul.operands[0], mul.operands[1]), (mul.operands[1], mul.operands[0])] {
            guard let act = index.producer(of: actValue), ["gelu_tanh", "silu"].contains(index[act].kind),
                  let gate = index.producer(of: index[act].operands[0], kind: "linear"),
                  let up = index.producer(of: upValue, kind: "linear") else { continue }
            let (g, u) = (index[gate], index[up])
            let members: Set = [gate, up, act, position]
            guard g.operands.count == 2, u.operands.count == 2 else {
                return .decline("a projection with a bias has no fused kernel")
            }
            guard g.operands[0] == u.operands[0] else {
                return .decline("gate reads \(index.describe(g.operands[0])), up \(index.describe(u.operands[0])): "
                    + "one kernel reads one input")
            }
            let (wg, wu) = (g.operands[1], u.operands[1])
            guard let fg = index.weightFormat(wg), fg == index.weightFormat(wu) else {
                return .decline("gate is \(index.weightFormat(wg)?.rawValue ?? "?"), up "
                    + "\(index.weightFormat(wu)?.rawValue ?? "?"): one kernel decodes one weight format")
            }
            guard index.graph.type(of: wg) == index.graph.type(of: wu) else {
                return .decline("gate and up matrices differ in shape")
            }
            for value in [g.result, u.result, index[act].result] where !index.onlyRead(value, by: members) {
                return .decline("\(index.describe(value)) is read outside the fusion")
            }
            let bytes = 2 * (index.weightBytes(wg) ?? 0)
            let limit = context.profile.maxTexelBufferElements * 16
            guard bytes <= limit else {
                return .decline("gate and up take \(bytes) bytes together; a \(context.profile.name) weight "
                    + "binding holds \(limit)")
            }
            return .fuse([gate, up, act, position], reason: "gate and up rows read by one invocation, "
                + "\(index[act].kind) and product before the store: 4 dispatches → 1")
        }
        return nil
    }
}
