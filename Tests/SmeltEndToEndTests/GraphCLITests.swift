import Foundation
import Testing

@Suite struct GraphCLITests {
    let tiny = repoPath("configs/models/tiny-llama.yaml")

    @Test func printsCanonicalTextThatRoundTrips() throws {
        let first = try smelt(["graph", repoPath("Graphs/llama.graph"), "--config", tiny])
        #expect(first.status == 0)
        #expect(first.stdout == (try String(contentsOfFile: repoPath("Graphs/llama.graph"), encoding: .utf8)))
        let path = try temporaryFile(first.stdout, name: "printed.graph")
        let second = try smelt(["graph", path, "--config", tiny])
        #expect(second.status == 0)
        #expect(second.stdout == first.stdout)
    }

    /// Gemma-3's config leaves the vocabulary size and other keys to the
    /// GGUF: `smelt graph --config` reads them from its metadata, so the
    /// graph instantiates (18 layers of 4 query heads over a 262144-token
    /// vocabulary, as the GGUF states).
    @Test func configKeysComeFromTheCheckpoint() throws {
        _ = try gemmaModelPath()
        let result = try smelt(["graph", repoPath("Graphs/gemma3.graph"), "--config",
                                repoPath("configs/models/gemma3-270m.yaml"), "--flat"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("262144"))
        #expect(result.stdout.contains("%attn.17 = attention") && !result.stdout.contains("%attn.18 "))
    }

    @Test func misspeltOpGivesFileLineColumn() throws {
        let text = try String(contentsOfFile: repoPath("Graphs/llama.graph"), encoding: .utf8)
            .replacingOccurrences(of: "%act = silu %gate", with: "%act = slu %gate")
        let path = try temporaryFile(text, name: "bad.graph")
        let result = try smelt(["graph", path, "--config", tiny])
        #expect(result.status == 1)
        let line = text.components(separatedBy: "\n").firstIndex { $0.contains("slu %gate") }! + 1
        #expect(result.stderr == "error: \(path):\(line):12: unknown op 'slu' (did you mean 'silu'?)\n")
        #expect(result.stdout.isEmpty)
    }

    @Test func shapeMismatchGivesFileLineColumn() throws {
        let text = try String(contentsOfFile: repoPath("Graphs/llama.graph"), encoding: .utf8)
            .replacingOccurrences(of: "%o = linear %attn_flat, %wo", with: "%o = linear %attn_flat, %wq")
            .replacingOccurrences(of: "shape = [config.n_heads * config.head_dim, config.d_model]",
                                  with: "shape = [config.n_heads * config.head_dim, config.d_model + 1]")
        let path = try temporaryFile(text, name: "shape.graph")
        let result = try smelt(["graph", path, "--config", tiny])
        #expect(result.status == 1)
        let line = text.components(separatedBy: "\n").firstIndex { $0.contains("%q = linear %n, %wq") }! + 1
        #expect(result.stderr == "error: \(path):\(line):10: linear: weight input size vs last dimension of x: 65 does not match 64\n")
    }

    @Test func missingFileAndBadFlagsAreOneLineErrors() throws {
        let missing = try smelt(["graph", "/nonexistent.graph"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "error: /nonexistent.graph: cannot read the graph file (no such file?)\n")
        let badConfig = try smelt(["graph", repoPath("Graphs/llama.graph"), "--config", "/nonexistent.yaml"])
        #expect(badConfig.status == 1)
        #expect(badConfig.stderr.split(separator: "\n").count == 1)
    }
}

@Suite struct RunCLITests {
    let tiny = repoPath("configs/models/tiny-llama.yaml")

    @Test func greedyRunPrintsNTokenIdsTheSameEveryTime() throws {
        let args = ["run", tiny, "--backend", "reference", "--prompt-ids", "1,2,3", "-n", "8"]
        let first = try smelt(args), second = try smelt(args)
        #expect(first.status == 0)
        let ids = first.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",")
        #expect(ids.count == 8)
        #expect(ids.allSatisfy { Int($0).map { (0..<256).contains($0) } == true })
        #expect(first.stdout == second.stdout)
    }

    /// `--backend vulkan` on a config compiles it in memory with the
    /// default pipeline unless --pipeline names another; greedy tokens do not
    /// depend on it.
    @Test func vulkanRunOfAConfigTakesAPipeline() throws {
        let args = ["run", tiny, "--backend", "vulkan", "--prompt-ids", "1,2,3", "-n", "6"]
        let fused = try smelt(args), perOp = try smelt(args + ["--pipeline", "none"])
        let reference = try smelt(["run", tiny, "--prompt-ids", "1,2,3", "-n", "6"])
        #expect(fused.status == 0 && perOp.status == 0 && reference.status == 0)
        #expect(fused.stdout == reference.stdout && perOp.stdout == reference.stdout)
        let bad = try smelt(args + ["--pipeline", "nope"])
        #expect(bad.status == 1 && bad.stderr.hasPrefix("error: unknown pipeline 'nope'"))
    }

    /// `smelt bench` on Vulkan: the warm-up generation records nothing new
    /// (the three lists are recorded once), the report counts the measured
    /// generation only, and a negative --warmup is refused.
    @Test func benchWarmsUpWithoutRecording() throws {
        let args = ["bench", tiny, "--backend", "vulkan", "--prompt-tokens", "5", "--gen-tokens", "4", "--json"]
        for warmup in ["0", "2"] {
            let result = try smelt(args + ["--warmup", warmup])
            #expect(result.status == 0, "\(result.stderr)")
            let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            #expect(report?["promptTokens"] as? Int == 5 && report?["generatedTokens"] as? Int == 4)
            #expect(report?["commandBufferRecordings"] as? Int == 3, "warm-up \(warmup)")
        }
        let bad = try smelt(args + ["--warmup=-1"])
        #expect(bad.status == 1 && bad.stderr.contains("--warmup must be ≥ 0, got -1"))
    }

    /// `smelt bench --compare`: both pipelines in one process, ratios to
    /// the first (exactly 1 for itself), the fused one with fewer
    /// dispatches; bad uses are one-line errors.
    @Test func benchComparesPipelinesInOneProcess() throws {
        let args = ["bench", tiny, "--compare", "none,default", "--prompt-tokens", "6", "--gen-tokens", "10",
                    "--block-tokens", "4", "--json"]
        let result = try smelt(args)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("bench: compiling tiny-llama with pipeline 'default'"))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["promptTokens"] as? Int == 6 && report["generatedTokens"] as? Int == 10)
        let entries = try #require(report["entries"] as? [[String: Any]])
        #expect(entries.map { $0["pipeline"] as? String } == ["none", "default"])
        #expect(entries[0]["decodeRatio"] as? Double == 1 && entries[0]["prefillRatio"] as? Double == 1)
        let dispatches = entries.compactMap { $0["dispatchesPerToken"] as? Int }
        #expect(dispatches.count == 2 && dispatches[1] < dispatches[0])
        #expect(entries.allSatisfy { ($0["decodeTokensPerSecond"] as? Double ?? 0) > 0 })
        for (bad, message) in [
            (["--compare", "none"], "two or more distinct pipeline names"),
            (["--compare", "none,none"], "two or more distinct pipeline names"),
            (["--compare", "none,default", "--pipeline", "none"], "--compare names the pipelines; drop --pipeline"),
            (["--compare", "none,default", "--temperature", "0.5"], "--compare decodes greedily"),
            (["--compare", "none,nope"], "unknown pipeline 'nope'"),
        ] {
            let failed = try smelt(["bench", tiny] + bad)
            #expect(failed.status != 0 && failed.stderr.contains(message), "\(bad): \(failed.stderr)")
        }
    }

    /// `--kv-cache` on an in-memory Vulkan compile: a q8_0 cache (9/32 of
    /// the f32 bytes) lowers the peak device memory `smelt bench` reports;
    /// where no compile happens it is an error.
    @Test func kvCacheFlagReachesTheInMemoryCompile() throws {
        let gemma = repoPath("configs/models/tiny-gemma.yaml")
        func peak(_ cache: String) throws -> Int? {
            let result = try smelt(["bench", gemma, "--backend", "vulkan", "--kv-cache", cache, "--prompt-tokens", "4",
                                    "--gen-tokens", "4", "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            return report?["peakDeviceMemoryBytes"] as? Int
        }
        let f32 = try #require(try peak("f32")), q8 = try #require(try peak("q8_0"))
        // 3 layers × K and V × 96 positions × 2 heads × 64: 4 bytes each at
        // f32, 1 + 4/32 at q8_0.
        let elements = 3 * 2 * 96 * 2 * 64
        #expect(f32 - q8 == elements * 4 - elements * 9 / 8)
        for (args, message) in [
            (["--kv-cache", "q8_0"], "--kv-cache applies to a config or GGUF run with --backend vulkan"),
            (["--backend", "vulkan", "--kv-cache", "q4"], "--kv-cache 'q4': choose f32, f16 or q8_0"),
        ] {
            let result = try smelt(["run", gemma, "--prompt-ids", "1,2", "-n", "2"] + args)
            #expect(result.status != 0 && result.stderr.contains(message), "\(args): \(result.stderr)")
        }
    }

    @Test func seededSamplingIsReproducible() throws {
        let args = ["run", tiny, "--prompt-ids", "4,5", "-n", "6", "--temperature", "0.9", "--top-k", "20", "--seed", "11"]
        let first = try smelt(args), second = try smelt(args)
        #expect(first.status == 0)
        #expect(first.stdout == second.stdout)
    }

    @Test func badInputIsAOneLineError() throws {
        for (args, message) in [
            (["--prompt-ids", "1,x"], "error: --prompt-ids: item 2 'x' is not a token id (a non-negative integer)\n"),
            (["--prompt-ids", "1,999"], "error: token id 999 is outside the vocabulary (0 ..< 256)\n"),
            (["--prompt-ids", "1", "--temperature=-1"], "error: --temperature must be >= 0, got -1.0\n"),
            (["--prompt-ids", "1", "--pipeline", "none"], "error: --pipeline applies to a config or GGUF run with "
                + "--backend vulkan (the reference backend runs the graph as written)\n"),
            (["--prompt-ids", Array(repeating: "1", count: 130).joined(separator: ",")],
             "error: the prompt (130 tokens) plus 32 generated tokens exceed the context length of 128 (shorten the prompt, generate fewer tokens, or raise context_length)\n"),
        ] {
            let result = try smelt(["run", tiny] + args)
            #expect(result.status == 1)
            #expect(result.stderr == message)
        }
        let usage = try smelt(["run", tiny, "--prompt-ids", "1", "--bogus"])
        #expect(usage.status == 1)
        #expect(usage.stderr == "error: Unknown option '--bogus' (see 'smelt help')\n")
        let missing = try smelt(["run", "/nonexistent.yaml", "--prompt-ids", "1"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "error: /nonexistent.yaml: cannot read the model config (no such file?)\n")
    }
}

@Suite struct BadModelCLITests {
    @Test func truncatedGGUFIsAOneLineError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("smelt-\(UUID().uuidString).gguf").path
        // A GGUF v3 header that promises 5 tensors and 0 metadata keys, then ends.
        var bytes = Array("GGUF".utf8) + [3, 0, 0, 0]
        bytes += [5, 0, 0, 0, 0, 0, 0, 0] + [0, 0, 0, 0, 0, 0, 0, 0]
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let result = try smelt(["run", path, "--prompt", "hi"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: gguf: \(path): "))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func missingModelIsAOneLineError() throws {
        let result = try smelt(["run", "/nonexistent/model.gguf", "--prompt", "hi"])
        #expect(result.status == 1)
        #expect(result.stderr == "error: model file /nonexistent/model.gguf not found\n")
    }

    @Test func unknownDeviceIsAOneLineError() throws {
        let result = try smelt(["run", repoPath("configs/models/tiny-llama.yaml"), "--backend", "vulkan",
                                "--device", "99", "--prompt-ids", "1", "-n", "2"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: no Vulkan device 99; found "))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func corruptArtifactIsAOneLineError() throws {
        let path = try temporaryFile("not an artifact", name: "bad.smelt")
        let result = try smelt(["run", path, "--prompt", "hi"])
        #expect(result.status == 1)
        #expect(result.stderr == "error: \(path): not a Smelt artifact (bad magic)\n")
    }
}
