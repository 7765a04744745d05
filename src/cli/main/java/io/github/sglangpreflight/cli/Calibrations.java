package io.github.sglangpreflight.cli;

import io.github.sglangpreflight.calibration.Calibration;
import io.github.sglangpreflight.calibration.CalibrationKey;
import io.github.sglangpreflight.calibration.CalibrationRecord;
import io.github.sglangpreflight.calibration.CalibrationStore;
import io.github.sglangpreflight.calibration.observed.ObservedTerms;
import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.launch.StartupObservation;
import io.github.sglangpreflight.launch.process.ChildProcess;
import io.github.sglangpreflight.report.PreflightReport;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The calibration store on the command line: which store {@code check} and {@code exec} use ({@code
 * --calibration-dir}, {@code --no-calibration}), what {@code exec} records after a launch, and the
 * {@code calibration list|clear} command.
 */
final class Calibrations {
  private Calibrations() {}

  /** The {@code calibration} command. */
  @Command(
      name = "calibration",
      sortOptions = false,
      usageHelpWidth = 100,
      customSynopsis = "sglang-preflight calibration [OPTIONS] (list | clear)",
      description = {
        "Shows or empties the calibration store: the terms that 'exec' measured in earlier"
            + " launches (weights, CUDA-graph capture, KV pool, T), per GPU model, driver, SGLang"
            + " version, model and layout. A later check of the same launch uses the measured"
            + " weights and CUDA-graph capture instead of the prediction, and says so.",
      },
      footerHeading = "%nExamples:%n",
      footer = {
        "  sglang-preflight calibration list",
        "  sglang-preflight calibration clear --calibration-dir /var/lib/sglang-preflight",
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:done",
        "2:bad input (an unknown action, a directory that cannot be used)",
        "70:unexpected internal error (re-run with --debug and report it)",
      })
  static final class Options extends Commands.Common {
    @Parameters(index = "0", paramLabel = "list|clear", description = "What to do.")
    String action;

    @Option(names = "--calibration-dir", order = 27, paramLabel = "DIR", description = DIR_HELP)
    String calibrationDir;
  }

  static final String DIR_HELP =
      "The calibration store's directory (default: $XDG_STATE_HOME/sglang-preflight, else"
          + " ~/.local/state/sglang-preflight).";

  /**
   * The store {@code check} and {@code exec} use: {@code --calibration-dir}, else the default
   * directory of {@code environment}; empty with {@code --no-calibration}, or when neither {@code
   * XDG_STATE_HOME} nor {@code HOME} says where the default is.
   */
  static Optional<CalibrationStore> store(
      String calibrationDir, boolean none, Map<String, String> environment) {
    if (none) {
      if (calibrationDir != null) {
        throw new UsageException(
            "--calibration-dir and --no-calibration contradict each other; give one of them");
      }
      return Optional.empty();
    }
    if (calibrationDir != null) {
      return Optional.of(CalibrationStore.in(directory(calibrationDir)));
    }
    String home = environment.get("HOME");
    String xdg = environment.get("XDG_STATE_HOME");
    boolean xdgUsable = xdg != null && !xdg.isBlank() && isAbsolute(xdg);
    if (!xdgUsable && (home == null || home.isBlank() || !isAbsolute(home))) {
      return Optional.empty();
    }
    Path dir =
        CalibrationStore.defaultDirectory(environment, xdgUsable ? Path.of("/") : Path.of(home));
    return Optional.of(CalibrationStore.in(dir));
  }

  private static boolean isAbsolute(String path) {
    try {
      return Path.of(path).isAbsolute();
    } catch (InvalidPathException e) {
      return false;
    }
  }

  private static Path directory(String text) {
    Path dir;
    try {
      dir = Path.of(text.strip());
    } catch (InvalidPathException e) {
      throw new UsageException(
          "--calibration-dir '"
              + text
              + "' is not a path ("
              + e.getReason()
              + "); give a directory");
    }
    if (text.isBlank()) {
      throw new UsageException("--calibration-dir is empty; give a directory, e.g. ~/.cache/x");
    }
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new UsageException(
          "--calibration-dir '" + text + "' is a file, not a directory; give a directory");
    }
    return dir;
  }

  /**
   * A line consumer that reads SGLang's start-up log as it passes: what {@code exec} records after
   * the launch.
   */
  static final class Watch implements ChildProcess.LineConsumer {
    private final AtomicReference<StartupObservation> seen =
        new AtomicReference<>(StartupObservation.empty());

    @Override
    public void accept(ChildProcess.Output output, String line) {
      seen.updateAndGet(o -> o.withLogLine(line));
    }

    StartupObservation observation() {
      return seen.get();
    }
  }

  /**
   * Appends what one launch measured under the check's key. Never fails the launch: a store that
   * cannot be written is a WARN, the child's exit code stands.
   *
   * @param liveReadings whether the check read the GPUs live (NVML, not a preset or snapshot): only
   *     then is the free memory it read compared with SGLang's T
   */
  static void record(
      CalibrationStore store,
      PreflightReport report,
      StartupObservation observation,
      Instant at,
      boolean liveReadings,
      Logger log) {
    Optional<CalibrationKey> key = report.inputs().calibrationKey();
    if (key.isEmpty()) {
      log.debug("not recording a calibration: the launch went unchecked");
      return;
    }
    OptionalLong minFree =
        liveReadings
            ? report.gpus().stream().mapToLong(PreflightReport.GpuReport::freeBytes).min()
            : OptionalLong.empty();
    CalibrationRecord r = ObservedTerms.record(key.get(), observation, at, minFree);
    if (r.isEmpty()) {
      log.debug("not recording a calibration: SGLang's log measured nothing");
      return;
    }
    try {
      store.append(r);
      log.info(
          "recorded the terms this launch measured ({}) in {}",
          String.join(", ", measured(r)),
          store.file());
    } catch (InvalidInputException e) {
      log.warn("{}", e.getMessage());
    } catch (RuntimeException e) {
      // SGLang has run: a failure to record must not change its exit code
      log.warn("the launch's measured terms were not recorded: {}", e.toString());
    }
  }

  private static List<String> measured(CalibrationRecord r) {
    List<String> out = new ArrayList<>();
    r.termBytes().keySet().stream().sorted().forEach(t -> out.add(t.label()));
    if (r.preLoadFreeBytes().isPresent()) {
      out.add("T");
    }
    if (r.torchDistributedBytes().isPresent()) {
      out.add("torch distributed");
    }
    if (r.preLoadOverheadBytes().isPresent()) {
      out.add("what the GPUs lose before T");
    }
    return out;
  }

  /** {@code calibration list|clear}. */
  static int run(Options o, Map<String, String> environment, PrintWriter out) {
    String action = o.action.strip().toLowerCase(Locale.ROOT);
    if (!action.equals("list") && !action.equals("clear")) {
      throw new UsageException(
          "unknown action '"
              + o.action
              + "': give list or clear, e.g. sglang-preflight calibration"
              + " list");
    }
    CalibrationStore store =
        store(o.calibrationDir, false, environment)
            .orElseThrow(
                () ->
                    new UsageException(
                        "neither XDG_STATE_HOME nor HOME is set, so the calibration store has no"
                            + " default directory; give one with --calibration-dir DIR"));
    if (action.equals("clear")) {
      int n = store.clear();
      out.println(
          "removed "
              + n
              + (n == 1 ? " calibration record" : " calibration records")
              + " from "
              + store.file());
      return ExitCodes.ACCEPT;
    }
    List<CalibrationRecord> records = store.read();
    if (records.isEmpty()) {
      out.println("no calibration recorded in " + store.file());
      return ExitCodes.ACCEPT;
    }
    out.println(
        store.file() + ": " + records.size() + (records.size() == 1 ? " record" : " records"));
    Map<CalibrationKey, Boolean> keys = new LinkedHashMap<>();
    records.forEach(r -> keys.put(r.key(), true));
    for (CalibrationKey key : keys.keySet()) {
      Calibration.Correction c = Calibration.lookup(records, key).orElse(null);
      out.println();
      out.println(key.describe());
      if (c == null) {
        out.println("  (nothing measured)");
        continue;
      }
      String from = " (";
      for (String note : c.notes()) {
        int cut = note.lastIndexOf(from);
        out.println("  " + (cut < 0 ? note : note.substring(0, cut)));
      }
      out.println(
          "  "
              + c.launches()
              + (c.launches() == 1 ? " launch" : " launches")
              + "; a check applies the model weights and the CUDA-graph capture");
    }
    return ExitCodes.ACCEPT;
  }
}
