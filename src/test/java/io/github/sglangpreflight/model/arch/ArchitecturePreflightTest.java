package io.github.sglangpreflight.model.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.Preflight;
import io.github.sglangpreflight.decision.Decision;
import io.github.sglangpreflight.gpu.source.GpuSnapshots;
import io.github.sglangpreflight.model.source.ModelCatalog;
import io.github.sglangpreflight.report.PreflightReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A check of each listed architecture on a plausible GPU set decides (never exit 2), and the
 * weights per GPU are the checkpoint's bytes divided by the sharding within 3 % (the rest being
 * replicated norms, routers, vision towers and vocabulary padding).
 */
class ArchitecturePreflightTest {

  @ParameterizedTest(name = "{0} on {1} tp {2}")
  @CsvSource({
    "openai/gpt-oss-20b, 1xH100, 1",
    "openai/gpt-oss-120b, 1xH200, 1",
    "openai/gpt-oss-120b, 2xH100, 2",
    "Qwen/Qwen3-Next-80B-A3B-Thinking, 2xH200, 2",
    "Qwen/Qwen3.5-397B-A17B, 8xH200, 8",
    "Qwen/Qwen3.5-27B, 2xH100, 2",
    "deepseek-ai/DeepSeek-V3.2, 8xH200, 8",
    "DeepSeek-V3.2-Exp, 8xH200, 8",
    "zai-org/GLM-4.5-Air, 4xH200, 4",
    "zai-org/GLM-4.6, 8xH200, 8",
    "zai-org/GLM-5, 8xH200, 8",
    "MiniMaxAI/MiniMax-M2.5, 4xH200, 4",
    "moonshotai/Kimi-K2-Instruct, 8xH200, 8",
    "moonshotai/Kimi-K2.5, 8xH200, 8",
    "google/gemma-3-27b-it, 2xH100, 2",
    "Qwen/Qwen3-VL-8B-Instruct, 1xH100, 1",
    "Qwen/Qwen3-VL-235B-A22B-Instruct, 8xH200, 8",
    "meta-llama/Llama-4-Scout-17B-16E-Instruct, 4xH200, 4",
    "meta-llama/Llama-4-Maverick-17B-128E-Instruct, 8xH200, 8",
    "Qwen/Qwen3-32B, 2xH100, 2",
    "Qwen/Qwen3-235B-A22B-GPTQ-Int4, 2xH200, 2",
    "nvidia/Qwen3-235B-A22B-NVFP4, 2xH200, 2",
    "Qwen/Qwen3-32B-AWQ, 1xH100, 1"
  })
  void checkDecidesWithWeightsPerGpuNearCheckpointOverSharding(
      String model, String preset, int tp) {
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
    PreflightReport r =
        Preflight.newBuilder()
            .gpuSource(GpuSnapshots.presetSource(preset))
            .sglangVersion("main")
            .build()
            .check(argv, Map.of());
    assertTrue(
        Set.of(Decision.ACCEPT, Decision.ADJUST, Decision.REJECT).contains(r.decision()),
        r.headline());
    PreflightReport.Estimate e = r.estimate().orElseThrow(() -> new AssertionError(r.headline()));
    long checkpoint = ModelCatalog.builtIn().describe(model).orElseThrow().tensorBytes();
    double expected = checkpoint / (double) tp;
    double tolerance = 0.03;
    assertEquals(
        1.0,
        e.weightsBytesPerGpu() / expected,
        tolerance,
        model
            + ": "
            + e.weightsBytesPerGpu()
            + " per GPU vs "
            + (long) expected
            + "; "
            + r.decision()
            + " "
            + r.headline());
    assertTrue(e.kvBytesPerToken() > 0, model);
    System.out.printf(
        "%s | %s tp%d | %s | %s | weights/GPU %,d (ckpt/tp %,d, %.3f) | KV %,d B/token%n",
        model,
        preset,
        tp,
        r.decision(),
        r.headline(),
        e.weightsBytesPerGpu(),
        (long) expected,
        e.weightsBytesPerGpu() / expected,
        e.kvBytesPerToken());
  }
}
