package io.github.sglangpreflight.launch;

import io.github.sglangpreflight.launch.process.ChildProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The usage examples of the README and of the report, compiled with the tests so that they stay
 * correct. Not run: they need SGLang and a GPU.
 */
final class LaunchSnippets {
  private static final Logger LOG = LoggerFactory.getLogger(LaunchSnippets.class);

  private LaunchSnippets() {}

  /** A Java service wrapping SGLang. */
  static void service(List<String> checkedArgv, long predictedWeightsBytes, long predictedKvBytes)
      throws IOException, InterruptedException {
    SglangServer server =
        SglangServer.builder(checkedArgv) // e.g. the argv the guard accepted or rewrote
            .environment("CUDA_VISIBLE_DEVICES", "0")
            .startupTimeout(Duration.ofMinutes(20))
            .build();
    try (RunningSglangServer sglang = server.start()) {
      sglang.awaitHealthy(); // SglangStartupException: SGLang failed, exited or timed out
      MemoryComparison table =
          sglang
              .observation()
              .compare(
                  List.of(
                      new PredictedTerm(MemoryTerm.WEIGHTS, predictedWeightsBytes),
                      new PredictedTerm(MemoryTerm.KV_POOL, predictedKvBytes)));
      LOG.info("SGLang memory, predicted vs actual\n{}", table.toText());
      // ... serve requests on server.port() ...
    } // close(): SIGTERM, SIGKILL after the grace period, descendants included
  }

  /** The CLI's exec: run the checked command in the foreground and return its exit code. */
  static int exec(List<String> checkedArgv, Map<String, String> environment)
      throws IOException, InterruptedException {
    return ChildProcess.builder(checkedArgv).environment(environment).inheritIo().start().waitFor();
  }
}
