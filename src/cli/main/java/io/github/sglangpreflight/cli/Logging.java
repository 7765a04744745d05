package io.github.sglangpreflight.cli;

import java.util.List;

/**
 * Configures slf4j-simple through its system properties. It reads them when a logger is created, so
 * this runs before the first logger of the run. The line format (stderr, level and name only:
 * {@code INFO ChildProcess - sglang - started pid 4242: ...}) is in the jar's {@code
 * simplelogger.properties}; this sets what changes per run: the level and the silenced loggers.
 */
final class Logging {
  private static final String PREFIX = "org.slf4j.simpleLogger.";

  /**
   * Loggers whose sentences the text tables of {@code check} and {@code gpus} already print: the
   * decision and its headline ({@code Preflight}), and NVML's degraded paths, which are the
   * inventory's notes ({@code NvmlInventoryReader}).
   */
  static final List<String> REPORTED_IN_TABLES =
      List.of(
          "io.github.sglangpreflight.Preflight",
          "io.github.sglangpreflight.gpu.nvml.NvmlInventoryReader");

  /** {@code exec} logs the headline itself, once, at the level the decision deserves. */
  static final List<String> REPORTED_BY_EXEC = List.of("io.github.sglangpreflight.Preflight");

  private static final List<String> MANAGED = REPORTED_IN_TABLES;

  private Logging() {}

  /**
   * @param options {@code --debug} (DEBUG, nothing silenced) or {@code --quiet} (WARN)
   * @param silenced loggers switched off unless {@code --debug}
   */
  static void configure(Commands.Common options, List<String> silenced) {
    System.setProperty(
        PREFIX + "defaultLogLevel", options.debug ? "debug" : options.quiet ? "warn" : "info");
    for (String logger : MANAGED) {
      if (!options.debug && silenced.contains(logger)) {
        System.setProperty(PREFIX + "log." + logger, "off");
      } else {
        System.clearProperty(PREFIX + "log." + logger);
      }
    }
  }
}
