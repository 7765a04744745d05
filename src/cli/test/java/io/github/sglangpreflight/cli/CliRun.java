package io.github.sglangpreflight.cli;

import io.github.sglangpreflight.errors.GpuQueryException;
import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.GpuInventorySource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

/** Runs the CLI in-process with a chosen environment and NVML, capturing stdout and stderr. */
record CliRun(int exitCode, String out, String err) {

  /** The launch environment of the seed case: JIT DeepGEMM on. */
  static final Map<String, String> SEED_ENV = Map.of("SGL_ENABLE_JIT_DEEPGEMM", "1");

  /** The seed case: DeepSeek-V3 with DP attention on 8 H200s (sglang#5811). */
  static final List<String> SEED_COMMAND =
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
          "--trust-remote-code");

  /** The sentence the test NVML fails with. */
  static final String NO_NVML = "NVML not available: this test has no GPU";

  /** An NVML that cannot be read, as on a machine without the driver. */
  static GpuInventorySource unreadableNvml() {
    return new GpuInventorySource() {
      @Override
      public GpuInventory read() {
        throw new GpuQueryException(NO_NVML);
      }

      @Override
      public String describe() {
        return "NVML (test)";
      }
    };
  }

  static CliRun run(String... args) {
    return run(SEED_ENV, args);
  }

  static CliRun run(Map<String, String> env, String... args) {
    return run(new Main.Context(env, CliRun::unreadableNvml), args);
  }

  static CliRun run(Main.Context context, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), context, args);
    return new CliRun(code, out.toString(), err.toString());
  }

  /** {@code subcommand}, {@code options}, then {@code --}, then {@code command}. */
  static String[] args(String subcommand, List<String> options, List<String> command) {
    List<String> all = new java.util.ArrayList<>();
    all.add(subcommand);
    all.addAll(options);
    all.add("--");
    all.addAll(command);
    return all.toArray(String[]::new);
  }

  @Override
  public String toString() {
    return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
  }
}
