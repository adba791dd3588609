import ArgumentParser
import SmeltArtifact

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Describe a .smelt artifact and verify its checksums.",
        discussion: """
        Prints the header, each section with its size and checksum status, the \
        model, the kernels, the commands of a decode step and a prefill chunk, \
        and the buffers by role. A damaged file still shows its section table; \
        the command then fails with the first problem found.
        """
    )

    @Argument(help: "The .smelt file.") var file: String
    @Flag(name: .customLong("fusion-plan"), help: "Also print the fusion plan the compiler recorded.") var fusionPlan = false
    @Flag(name: .customLong("no-verify"), help: "Skip checksum verification.") var noVerify = false

    func run() throws {
        let inspection = ArtifactInspection(try ArtifactFile(path: file), verifyChecksums: !noVerify,
                                            showFusionPlan: fusionPlan)
        print(inspection.text, terminator: "")
        if let problem = inspection.problem { throw problem }
    }
}
