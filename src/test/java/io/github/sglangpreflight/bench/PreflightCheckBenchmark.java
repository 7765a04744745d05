package io.github.sglangpreflight.bench;

import io.github.sglangpreflight.Preflight;
import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.GpuInventorySource;
import io.github.sglangpreflight.gpu.source.GpuSnapshots;
import io.github.sglangpreflight.report.PreflightReport;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A whole {@link Preflight#check} of three launches against a simulated inventory that is read once
 * (a service checking many candidate launches holds its inventory; NVML reads have their own
 * benchmark, {@link NvmlInventoryBenchmark}). Sample mode: the table gives p50 and p99. Targets
 * (issue 11): every case at most 1 ms p50 and 2 ms p99.
 *
 * <p>Run: {@code tools/bench.sh PreflightCheckBenchmark} (see docs/performance.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PreflightCheckBenchmark {

  /** The three launches of issue 11. */
  public enum Case {
    LLAMA_8B_TP1(
        "1xH200",
        "0.5.1",
        List.of(
            "python3",
            "-m",
            "sglang.launch_server",
            "--model-path",
            "meta-llama/Llama-3.1-8B-Instruct"),
        Map.of()),
    QWEN3_235B_TP8(
        "8xH200",
        "0.5.1",
        List.of(
            "python3",
            "-m",
            "sglang.launch_server",
            "--model-path",
            "Qwen/Qwen3-235B-A22B",
            "--tp",
            "8"),
        Map.of()),
    DEEPSEEK_V3_DP8(
        "8xH200",
        "0.4.5.post3",
        List.of(
            "python3",
            "-m",
            "sglang.launch_server",
            "--model-path",
            "deepseek-ai/DeepSeek-V3",
            "--tp",
            "8",
            "--enable-dp-attention",
            "--dp-size",
            "8",
            "--trust-remote-code"),
        Map.of("SGL_ENABLE_JIT_DEEPGEMM", "1"));

    final String preset;
    final String version;
    final List<String> argv;
    final Map<String, String> environment;

    Case(String preset, String version, List<String> argv, Map<String, String> environment) {
      this.preset = preset;
      this.version = version;
      this.argv = argv;
      this.environment = environment;
    }
  }

  @Param({"LLAMA_8B_TP1", "QWEN3_235B_TP8", "DEEPSEEK_V3_DP8"})
  public Case launch;

  private Preflight preflight;

  @Setup(Level.Trial)
  public void guard() {
    GpuInventory inventory = GpuSnapshots.presetSource(launch.preset).read();
    preflight =
        Preflight.newBuilder()
            .gpuSource(GpuInventorySource.fixed(inventory))
            .sglangVersion(launch.version)
            .build();
  }

  /** The whole check: parse, model, budget, window, remedies, report. */
  @Benchmark
  public PreflightReport check() {
    return preflight.check(launch.argv, launch.environment);
  }

  /** What {@code exec} does: the check and the rewritten command. */
  @Benchmark
  public List<String> apply() {
    return preflight.apply(launch.argv, launch.environment);
  }
}
