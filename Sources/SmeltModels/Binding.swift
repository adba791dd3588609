import SmeltIR

/// Binds a graph to a checkpoint: every `weight` op must name a tensor the
/// store has, with the shape the graph expects; its stored dtype becomes the
/// op's `dtype` attribute. Errors name the weight and the graph line.
public func bindWeights(_ graph: Graph, to store: any WeightStore) throws -> Graph {
    var bound = graph
    let known = Set(store.tensorNames)
    for (index, op) in graph.ops.enumerated() where op.kind == "weight" {
        guard let name = op.attributes["name"]?.stringValue else { continue }
        guard known.contains(name) else {
            throw SmeltError("weight '\(name)' is not in the checkpoint", at: op.location,
                             hint: didYouMean(name, in: known) ?? "\(known.count) tensors are")
        }
        let tensor = try store.tensor(named: name)
        let expected = graph.type(of: op.result).dims.map(\.fixedValue)
        guard expected == tensor.shape.map(Optional.some) else {
            throw SmeltError("weight '\(name)': the checkpoint has shape \(tensor.shape), the graph expects \(graph.type(of: op.result).shapeText)",
                             at: op.location)
        }
        bound.ops[index].attributes["dtype"] = .symbol(tensor.dtype.rawValue)
        bound.values[op.result.index].type.dtype = tensor.dtype
    }
    try Verifier.verify(bound)
    return bound
}
