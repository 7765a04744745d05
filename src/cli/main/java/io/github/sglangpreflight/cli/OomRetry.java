package io.github.sglangpreflight.cli;

import io.github.sglangpreflight.LaunchCommands;
import io.github.sglangpreflight.Preflight;
import io.github.sglangpreflight.launch.RetryPlanner;
import io.github.sglangpreflight.launch.StartupObservation;
import io.github.sglangpreflight.launch.StartupStage;
import io.github.sglangpreflight.launch.process.ChildProcess;
import io.github.sglangpreflight.report.PreflightReport;
import io.github.sglangpreflight.units.Units;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * {@code exec --retry-on-oom N}: runs the checked command and, when SGLang fails at start-up for
 * memory, runs it again (at most N times) with the {@code --mem-fraction-static} that {@link
 * RetryPlanner} derives from what the failed attempt's log measured.
 *
 * <p>Each attempt's stdout and stderr are copied through as they come (the child sees pipes, not
 * the terminal, and gets {@code PYTHONUNBUFFERED=1} unless the variable is set), its stdin is this
 * process's, SIGINT/SIGTERM are forwarded, and the exit code is the last attempt's. An attempt that
 * printed a fatal start-up failure and does not exit within {@link #EXIT_AFTER_FAILURE} is stopped
 * (SIGTERM, then SIGKILL); no attempt outlives this process.
 */
final class OomRetry {
  /** How long SGLang gets to exit by itself after printing a fatal start-up failure. */
  static final Duration EXIT_AFTER_FAILURE = Duration.ofSeconds(10);

  private static final double LOWEST_FLOOR = 0.01;
  private static final double HIGHEST_CEILING = 0.99;

  private final PrintWriter out;
  private final PrintWriter err;
  private final Map<String, String> environment;
  private final Logger log;
  private final Consumer<StartupObservation> observed;
  private final List<Attempt> done = new ArrayList<>();

  /** One attempt, for the log and the report file. */
  record Attempt(
      int number,
      OptionalDouble memFractionStatic,
      int exitCode,
      Optional<String> failure,
      Optional<String> next) {
    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("attempt", number);
      m.put(
          "memFractionStatic",
          memFractionStatic.isPresent() ? memFractionStatic.getAsDouble() : null);
      m.put("exitCode", exitCode);
      m.put("failure", failure.orElse(null));
      m.put("plan", next.orElse(null));
      return m;
    }
  }

  OomRetry(PrintWriter out, PrintWriter err, Map<String, String> environment, Logger log) {
    this(out, err, environment, log, seen -> {});
  }

  /**
   * @param observed receives each attempt's start-up observation when the attempt has ended
   */
  OomRetry(
      PrintWriter out,
      PrintWriter err,
      Map<String, String> environment,
      Logger log,
      Consumer<StartupObservation> observed) {
    this.out = out;
    this.err = err;
    this.environment = environment;
    this.log = log;
    this.observed = observed;
  }

  /**
   * Runs {@code argv} at most {@code retries + 1} times.
   *
   * @param attempts receives the attempts so far after each one ends
   * @return the last attempt's exit code
   * @throws IOException when the program cannot be started
   */
  int run(PreflightReport report, List<String> argv, int retries, Consumer<List<Attempt>> attempts)
      throws IOException {
    OptionalDouble first = fraction(report, argv, environment);
    if (first.isEmpty()) {
      log.warn(
          "--retry-on-oom {}: the fraction SGLang runs with is unknown (the launch went unchecked"
              + " and the command has no --mem-fraction-static), so a failed start is not retried",
          retries);
      retries = 0;
    }
    double factor = factor(report, environment);
    RetryPlanner.Limits limits = limits(report);
    List<RetryPlanner.FailedAttempt> failed = new ArrayList<>();
    done.clear();
    List<String> command = argv;
    double fraction = first.orElse(0);
    String why = "the checked command";
    int total = retries + 1;
    for (int n = 1; ; n++) {
      if (total > 1) {
        log.info(
            "attempt {} of {}: --mem-fraction-static {} ({})",
            n,
            total,
            first.isPresent() ? Units.fraction(fraction) : "as given",
            why);
      }
      Run run = attempt(command);
      StartupObservation seen = run.observation();
      observed.accept(seen);
      Optional<StartupObservation.ObservedFailure> fatal =
          seen.firstFatalFailure().filter(f -> f.stage().compareTo(StartupStage.READY) < 0);
      boolean retryable =
          run.exitCode() != 0 && fatal.isPresent() && !(run.signalled() && !run.stoppedByUs());
      if (!retryable || n == total) {
        done.add(
            new Attempt(
                n,
                known(first, fraction),
                run.exitCode(),
                fatal.map(OomRetry::kind),
                Optional.empty()));
        attempts.accept(List.copyOf(done));
        if (retryable && total > 1) {
          log.error(
              "SGLang still failed at start-up after {} attempt{}; giving up (exit code {})",
              n,
              n == 1 ? "" : "s",
              run.exitCode());
        }
        return run.exitCode();
      }
      failed.add(new RetryPlanner.FailedAttempt(fraction, seen));
      RetryPlanner.Plan plan = RetryPlanner.next(failed, limits);
      done.add(
          new Attempt(
              n,
              known(first, fraction),
              run.exitCode(),
              fatal.map(OomRetry::kind),
              Optional.of(plan.reason())));
      attempts.accept(List.copyOf(done));
      switch (plan) {
        case RetryPlanner.Stop s -> {
          log.error("not retrying: {}", s.reason());
          return run.exitCode();
        }
        case RetryPlanner.Relaunch r -> {
          log.warn("retrying: {}", r.reason());
          fraction = r.memFractionStatic();
          double flag = Math.min(0.999, Math.round(fraction / factor * 1000) / 1000.0);
          command = LaunchCommands.withMemFractionStatic(command, environment, flag);
          why = "after attempt " + n + " failed for memory";
        }
      }
    }
  }

  /** The attempts of the last {@link #run}, in order. */
  List<Attempt> attempts() {
    return List.copyOf(done);
  }

  /** The one attempt of an exec without retries, for the report file. */
  static Attempt attempt(
      PreflightReport report, List<String> argv, Map<String, String> environment, int exitCode) {
    OptionalDouble f = fraction(report, argv, environment);
    return new Attempt(1, f, exitCode, Optional.empty(), Optional.empty());
  }

  private static OptionalDouble known(OptionalDouble first, double fraction) {
    return first.isPresent() ? OptionalDouble.of(fraction) : OptionalDouble.empty();
  }

  private static String kind(StartupObservation.ObservedFailure f) {
    return f.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  private record Run(
      int exitCode, StartupObservation observation, boolean stoppedByUs, boolean signalled) {}

  private Run attempt(List<String> command) throws IOException {
    AtomicReference<StartupObservation> observation =
        new AtomicReference<>(StartupObservation.empty());
    CompletableFuture<Void> fatal = new CompletableFuture<>();
    ChildProcess.Builder b =
        ChildProcess.builder(command)
            .name("sglang")
            .environment(environment)
            .forwardOutput(
                out,
                err,
                (stream, line) -> {
                  StartupObservation next = observation.updateAndGet(o -> o.withLogLine(line));
                  if (next.firstFatalFailure().isPresent() && !next.ready()) {
                    fatal.complete(null);
                  }
                });
    if (!environment.containsKey("PYTHONUNBUFFERED")) {
      // stdout is a pipe now: without this Python buffers it and its lines arrive late
      b.environment("PYTHONUNBUFFERED", "1");
    }
    out.flush();
    err.flush();
    ChildProcess child = b.start();
    boolean stopped = false;
    int code;
    try {
      CompletableFuture<Integer> exit = child.onExit();
      CompletableFuture.anyOf(exit, fatal).get();
      if (!exit.isDone()) {
        try {
          exit.get(EXIT_AFTER_FAILURE.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException x) {
          log.warn(
              "SGLang printed a start-up failure and is still running after {} s; stopping it",
              EXIT_AFTER_FAILURE.toSeconds());
          stopped = true;
          child.stop();
        }
      }
      code = child.waitFor();
    } catch (InterruptedException x) {
      Thread.currentThread().interrupt();
      code = child.stop();
      return new Run(code, observation.get(), true, false);
    } catch (ExecutionException x) {
      throw new IllegalStateException("waiting for " + child + " failed", x.getCause());
    }
    out.flush();
    err.flush();
    boolean signalled = !stopped && (code == 128 + 2 || code == 128 + 15);
    return new Run(code, observation.get(), stopped, signalled);
  }

  /** The fraction SGLang runs {@code argv} with: the flag (times the factor), else the report's. */
  private static OptionalDouble fraction(
      PreflightReport report, List<String> argv, Map<String, String> environment) {
    OptionalDouble flag = LaunchCommands.memFractionStatic(argv, environment);
    if (flag.isPresent()) {
      return OptionalDouble.of(flag.getAsDouble() * factor(report, environment));
    }
    return report.checked()
        ? OptionalDouble.of(report.requestedFraction())
        : OptionalDouble.empty();
  }

  /** SGLang's factor on the flag (0.9 for multimodal models on some versions), else 1. */
  private static double factor(PreflightReport report, Map<String, String> environment) {
    OptionalDouble given = LaunchCommands.memFractionStatic(report.originalCommand(), environment);
    if (report.checked() && given.isPresent() && given.getAsDouble() > 0) {
      double f = report.requestedFraction() / given.getAsDouble();
      return f > 0.5 && f <= 1.0 ? f : 1.0;
    }
    return 1.0;
  }

  private static RetryPlanner.Limits limits(PreflightReport report) {
    double floor = Math.max(LOWEST_FLOOR, report.minFraction().orElse(LOWEST_FLOOR));
    double ceiling = Math.min(HIGHEST_CEILING, report.maxSafeFraction().orElse(HIGHEST_CEILING));
    Optional<PreflightReport.Estimate> e = report.estimate();
    long margin =
        e.map(PreflightReport.Estimate::safetyMarginBytes)
            .orElse(Preflight.DEFAULT_SAFETY_MARGIN_BYTES);
    OptionalLong t = e.map(x -> OptionalLong.of(x.preLoadFreeBytes())).orElse(OptionalLong.empty());
    OptionalLong minKv = OptionalLong.empty();
    if (e.isPresent() && report.minFraction().isPresent()) {
      long kv =
          (long) (report.minFraction().getAsDouble() * e.get().preLoadFreeBytes())
              - e.get().weightsBytesPerGpu();
      if (kv > 0) {
        minKv = OptionalLong.of(kv);
      }
    }
    return new RetryPlanner.Limits(Math.min(floor, ceiling), ceiling, margin, t, minKv);
  }
}
