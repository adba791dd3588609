import SmeltArtifact

extension PlannedKernel {
    /// The plan's record of `spec` compiled to `spirv`: its bindings by
    /// kind, push-constant size, specialization values and workgroup size.
    public init(spec: KernelSpec, spirv: [UInt32]) {
        func bindings(_ kind: KernelSpec.Binding.Kind) -> [Int] {
            spec.bindings.filter { $0.kind == kind }.map(\.binding)
        }
        self.init(name: spec.name, spirv: spirv, bindingCount: spec.bindings.count,
                  texelBindings: bindings(.texel), uniformBindings: bindings(.uniform),
                  pushConstantBytes: spec.pushConstantBytes, specialization: spec.specializationValues,
                  workgroupSize: [spec.workgroupSize.x, spec.workgroupSize.y, spec.workgroupSize.z])
    }
}
