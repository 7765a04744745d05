package io.github.sglangpreflight.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import io.github.sglangpreflight.report.PreflightReport;
import io.github.sglangpreflight.report.ReportFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What {@code exec} adds to its report file once the child has run: the {@code exec} object
 * (docs/report-schema.md, additive to {@code sglang-preflight/report/v1}) with the exit code and
 * every attempt, so that a container's termination message says how the launch ended.
 */
final class ExecOutcome {
  /** The most relaunches {@code --retry-on-oom} accepts. */
  static final int MAX_RETRIES = 10;

  private static final JSON JSON_WRITER =
      JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT, JSON.Feature.WRITE_NULL_PROPERTIES);

  private ExecOutcome() {}

  /** {@code --retry-on-oom}'s value: a whole number from 0 to {@link #MAX_RETRIES}. */
  static int retries(String text) {
    if (text == null) {
      return 0;
    }
    int n;
    try {
      n = Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw new UsageException(
          "--retry-on-oom '"
              + text
              + "' is not a whole number; give how many times to relaunch, e.g. --retry-on-oom 2");
    }
    if (n < 0 || n > MAX_RETRIES) {
      throw new UsageException(
          "--retry-on-oom "
              + n
              + " is outside 0-"
              + MAX_RETRIES
              + "; give how many times to relaunch, e.g. --retry-on-oom 2");
    }
    return n;
  }

  /**
   * The report with the {@code exec} object.
   *
   * @param exitCode the child's, empty while an attempt is still to come
   * @param error why the command could not run (exit 127), when it could not
   */
  static String json(
      PreflightReport report,
      OptionalInt exitCode,
      int retryOnOom,
      List<OomRetry.Attempt> attempts,
      Optional<String> error) {
    Map<String, Object> m = new LinkedHashMap<>(ReportFormat.toMap(report));
    Map<String, Object> exec = new LinkedHashMap<>();
    exec.put("exitCode", exitCode.isPresent() ? exitCode.getAsInt() : null);
    exec.put("retryOnOom", retryOnOom);
    exec.put("attempts", attempts.stream().map(OomRetry.Attempt::toMap).toList());
    exec.put("error", error.orElse(null));
    m.put("exec", exec);
    try {
      return JSON_WRITER.asString(m);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report as JSON", e);
    }
  }
}
