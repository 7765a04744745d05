package io.github.sglangpreflight.model.arch;

import io.github.sglangpreflight.Preflight;
import io.github.sglangpreflight.gpu.source.GpuSnapshots;
import io.github.sglangpreflight.report.PreflightReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The architectures issue 9 lists, each with a plausible simulated GPU set: one list for
 * ArchitecturePreflightTest (each decides, weights within 3 %) and ArchitecturesDocTest (the table
 * of docs/architectures.md), checked the same way under SGLang main.
 */
public final class ArchitectureCases {
  private ArchitectureCases() {}

  /**
   * One check.
   *
   * @param model a catalog id (or alias)
   * @param preset a simulated GPU set, e.g. {@code 2xH100}
   * @param tp the tensor-parallel size
   * @param extra more SGLang flags
   */
  public record Case(String model, String preset, int tp, List<String> extra) {
    public Case {
      extra = List.copyOf(extra);
    }

    Case(String model, String preset, int tp) {
      this(model, preset, tp, List.of());
    }

    /** The SGLang command of this check. */
    public List<String> argv() {
      List<String> argv =
          new ArrayList<>(
              List.of(
                  "python3",
                  "-m",
                  "sglang.launch_server",
                  "--model-path",
                  model,
                  "--tp",
                  String.valueOf(tp),
                  "--trust-remote-code"));
      argv.addAll(extra);
      return argv;
    }

    /** The check under SGLang main on the simulated GPUs. */
    public PreflightReport check() {
      return Preflight.newBuilder()
          .gpuSource(GpuSnapshots.presetSource(preset))
          .sglangVersion("main")
          .build()
          .check(argv(), Map.of());
    }

    @Override
    public String toString() {
      return model + " on " + preset + " tp " + tp + (extra.isEmpty() ? "" : " " + extra);
    }
  }

  public static final List<Case> ALL =
      List.of(
          new Case("openai/gpt-oss-20b", "1xH100", 1),
          new Case("openai/gpt-oss-120b", "1xH200", 1),
          new Case("openai/gpt-oss-120b", "2xH100", 2),
          new Case("Qwen/Qwen3-Next-80B-A3B-Thinking", "2xH200", 2),
          new Case("Qwen/Qwen3.5-397B-A17B", "8xH200", 8),
          new Case("Qwen/Qwen3.5-27B", "2xH100", 2),
          new Case("deepseek-ai/DeepSeek-V3.2", "8xH200", 8),
          new Case("DeepSeek-V3.2-Exp", "8xH200", 8),
          new Case("zai-org/GLM-4.5-Air", "4xH200", 4),
          new Case("zai-org/GLM-4.6", "8xH200", 8),
          new Case("zai-org/GLM-5", "8xH200", 8),
          new Case("MiniMaxAI/MiniMax-M2.5", "4xH200", 4),
          new Case("moonshotai/Kimi-K2-Instruct", "8xH200", 8),
          new Case("moonshotai/Kimi-K2.5", "8xH200", 8),
          new Case("google/gemma-3-27b-it", "2xH100", 2),
          new Case("Qwen/Qwen3-VL-8B-Instruct", "1xH100", 1),
          new Case("Qwen/Qwen3-VL-235B-A22B-Instruct", "8xH200", 8),
          new Case("meta-llama/Llama-4-Scout-17B-16E-Instruct", "4xH200", 4),
          new Case(
              "meta-llama/Llama-4-Scout-17B-16E-Instruct",
              "4xH200",
              4,
              List.of("--context-length", "131072")),
          new Case("meta-llama/Llama-4-Maverick-17B-128E-Instruct", "8xH200", 8),
          new Case("Qwen/Qwen3-32B", "2xH100", 2),
          new Case("Qwen/Qwen3-235B-A22B", "8xH200", 8),
          new Case("Qwen/Qwen3-235B-A22B-GPTQ-Int4", "2xH200", 2),
          new Case("nvidia/Qwen3-235B-A22B-NVFP4", "2xH200", 2),
          new Case("Qwen/Qwen3-32B-AWQ", "1xH100", 1));
}
