package io.github.sglangpreflight.bench;

import io.github.sglangpreflight.sglang.args.LaunchCommand;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * SGLang's argparse rules applied to a command line: every flag of every known SGLang flag table
 * snapshot, aliases, values, the environment prefix and the version caveats.
 *
 * <p>Run: {@code tools/bench.sh FlagParserBenchmark} (see docs/performance.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class FlagParserBenchmark {

  /** A short and a long command line. */
  public enum Command {
    SHORT(
        List.of(
            "python3",
            "-m",
            "sglang.launch_server",
            "--model-path",
            "meta-llama/Llama-3.1-8B-Instruct")),
    LONG(
        List.of(
            "env",
            "CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7",
            "SGL_ENABLE_JIT_DEEPGEMM=1",
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
            "--trust-remote-code",
            "--mem-fraction-static=0.85",
            "--context-length",
            "32768",
            "--chunked-prefill-size",
            "8192",
            "--max-running-requests",
            "256",
            "--cuda-graph-max-bs",
            "128",
            "--kv-cache-dtype",
            "fp8_e5m2",
            "--host",
            "0.0.0.0",
            "--port",
            "30000",
            "--api-key",
            "secret",
            "--log-level",
            "info"));

    final List<String> argv;

    Command(List<String> argv) {
      this.argv = argv;
    }
  }

  @Param({"SHORT", "LONG"})
  public Command command;

  @Benchmark
  public LaunchCommand parse() {
    return LaunchCommand.parse(command.argv, Map.of());
  }
}
