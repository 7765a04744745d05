package io.github.sglangpreflight.bench;

import io.github.sglangpreflight.Preflight;
import io.github.sglangpreflight.gpu.source.GpuSnapshots;
import io.github.sglangpreflight.report.PreflightReport;
import io.github.sglangpreflight.report.ReportFormat;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Rendering the seed case's report (DeepSeek-V3 DP8 on 8×H200) as the text table and as JSON.
 *
 * <p>Run: {@code tools/bench.sh ReportRenderBenchmark} (see docs/performance.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ReportRenderBenchmark {

  private PreflightReport report;

  @Setup(Level.Trial)
  public void seedReport() {
    report =
        Preflight.newBuilder()
            .gpuSource(GpuSnapshots.presetSource("8xH200"))
            .sglangVersion("0.4.5.post3")
            .build()
            .check(
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
  }

  @Benchmark
  public String text() {
    return ReportFormat.toText(report, ReportFormat.TextStyle.standard());
  }

  @Benchmark
  public String json() {
    return ReportFormat.toJson(report);
  }
}
