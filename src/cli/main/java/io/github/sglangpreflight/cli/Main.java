package io.github.sglangpreflight.cli;

import io.github.sglangpreflight.LaunchCommands;
import io.github.sglangpreflight.MultiNodeCheck;
import io.github.sglangpreflight.OnUnreadableGpus;
import io.github.sglangpreflight.Preflight;
import io.github.sglangpreflight.calibration.CalibrationStore;
import io.github.sglangpreflight.decision.Decision;
import io.github.sglangpreflight.decision.Policy;
import io.github.sglangpreflight.errors.GpuQueryException;
import io.github.sglangpreflight.errors.InternalFailureException;
import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.GpuInventorySource;
import io.github.sglangpreflight.gpu.nvml.NvmlGpuInventorySource;
import io.github.sglangpreflight.gpu.source.GpuSnapshots;
import io.github.sglangpreflight.launch.process.ChildProcess;
import io.github.sglangpreflight.report.PreflightReport;
import io.github.sglangpreflight.report.ReportFormat;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code sglang-preflight} command line: {@code check}, {@code exec} and {@code gpus} over the
 * {@link Preflight} facade. It only translates (arguments to builder calls, reports and exceptions
 * to text and exit codes); the library decides. The only class of the project that prints.
 *
 * <p>Logging (slf4j-simple, stderr, no thread names) is configured here before the first logger is
 * created: INFO, DEBUG with {@code --debug}, WARN with {@code --quiet}. Where the printed output
 * already carries a sentence the library logs (the decision in check's table, NVML's notes in the
 * tables), that logger is switched off so that nothing is said twice; {@code --debug} turns every
 * logger on.
 */
public final class Main {
  static final String NAME = "sglang-preflight";
  static final String CHECK_FIX =
      "sglang-preflight check [options] -- python3 -m sglang.launch_server ...";

  private static final int MIN_WIDTH = 60;
  private static final int MAX_WIDTH = 1000;
  private static final int DEFAULT_WIDTH = 100;
  private static final long MAX_SAFETY_MARGIN_BYTES = 64L << 30;

  private final PrintWriter out;
  private final PrintWriter err;
  private final Context context;
  private String command = "";
  private boolean debug;
  private List<String> options = List.of();
  private List<String> sglangCommand;
  private Commands.Guard guard;

  private Main(PrintWriter out, PrintWriter err, Context context) {
    this.out = Objects.requireNonNull(out, "out");
    this.err = Objects.requireNonNull(err, "err");
    this.context = Objects.requireNonNull(context, "context");
  }

  public static void main(String[] args) {
    System.exit(
        run(
            new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8)),
            new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8)),
            args));
  }

  /**
   * Runs one command line with this process's environment and NVML.
   *
   * @return the exit code (see {@link ExitCodes}; {@code exec} returns the child's)
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return run(out, err, Context.system(), args);
  }

  /**
   * {@link #run(PrintWriter, PrintWriter, String...)} with another environment or NVML: for tests.
   */
  static int run(PrintWriter out, PrintWriter err, Context context, String... args) {
    return new Main(out, err, context).execute(args);
  }

  /**
   * What the process sees: the environment the launch is checked against (and the child of {@code
   * exec} runs with), and where NVML readings come from.
   */
  record Context(Map<String, String> environment, Supplier<GpuInventorySource> nvml) {
    Context {
      environment = Map.copyOf(environment);
      Objects.requireNonNull(nvml, "nvml");
    }

    static Context system() {
      return new Context(System.getenv(), NvmlGpuInventorySource::create);
    }
  }

  // ------------------------------------------------------------------------------------ dispatch

  private int execute(String... args) {
    try {
      int separator = Arrays.asList(args).indexOf("--");
      String[] options = separator < 0 ? args : Arrays.copyOf(args, separator);
      List<String> sglang =
          separator < 0 ? null : List.of(Arrays.copyOfRange(args, separator + 1, args.length));
      this.options = List.of(options);
      this.sglangCommand = sglang;
      Commands.Common common = QuickArgs.parse(options);
      if (common != null) {
        command = options[0];
      } else {
        // help, version, a complaint or unusual syntax: picocli reads the whole line
        PicocliArgs picocli = new PicocliArgs(out, err);
        try {
          common = picocli.parse(options, sglang != null);
        } finally {
          command = picocli.command();
        }
        if (common == null) {
          return ExitCodes.ACCEPT;
        }
      }
      if (common.debug && common.quiet) {
        throw new UsageException("--debug and --quiet contradict each other; give one of them");
      }
      debug = common.debug;
      if (common instanceof Commands.Guard g) {
        guard = g;
      }
      // instanceof rather than a pattern switch: its bootstrap spins a class at every start
      if (common instanceof Commands.Check c) {
        return check(c, requireSglangCommand(sglang));
      }
      if (common instanceof Commands.Exec e) {
        return exec(e, requireSglangCommand(sglang));
      }
      if (common instanceof Commands.Gpus g) {
        if (sglang != null) {
          throw new UsageException(
              "there is no SGLang command to give here; drop -- and what follows it (check and"
                  + " exec take one)");
        }
        return gpus(g);
      }
      if (common instanceof Calibrations.Options o) {
        if (sglang != null) {
          throw new UsageException(
              "there is no SGLang command to give here; drop -- and what follows it");
        }
        Logging.configure(o, List.of());
        return Calibrations.run(o, context.environment(), out);
      }
      throw new IllegalStateException("no handler for " + command);
    } catch (UsageException e) {
      fail(e, e.getMessage());
      err.println(
          "Run '" + NAME + (command.isEmpty() ? "" : " " + command) + " --help' for the options.");
      reportFailure(ExitCodes.BAD_INPUT, ReportFiles.ErrorKind.BAD_INPUT, e, Optional.empty());
      return ExitCodes.BAD_INPUT;
    } catch (InternalFailureException e) {
      reportFailure(
          ExitCodes.INTERNAL_ERROR,
          ReportFiles.ErrorKind.INTERNAL_ERROR,
          e.getCause(),
          Optional.empty());
      return internalError(e.getCause(), e);
    } catch (InvalidInputException e) {
      fail(e, e.getMessage());
      reportFailure(
          ExitCodes.BAD_INPUT, ReportFiles.ErrorKind.BAD_INPUT, e, Optional.of(e.input()));
      return ExitCodes.BAD_INPUT;
    } catch (GpuQueryException e) {
      fail(e, e.getMessage());
      reportFailure(
          ExitCodes.GPUS_UNREADABLE, ReportFiles.ErrorKind.GPUS_UNREADABLE, e, Optional.empty());
      if (command.equals("check") || command.equals("exec")) {
        err.println(
            "To check against a described machine instead, add --simulate (e.g. --simulate 8xH200)"
                + " or --gpus SNAPSHOT.json; to launch unchecked, --allow-unreadable-gpus.");
      } else if (command.equals("gpus")) {
        err.println("To see a described machine instead, add --fallback-preset (e.g. 8xH200).");
      }
      return ExitCodes.GPUS_UNREADABLE;
    } catch (RuntimeException | Error e) {
      reportFailure(
          ExitCodes.INTERNAL_ERROR, ReportFiles.ErrorKind.INTERNAL_ERROR, e, Optional.empty());
      return internalError(e, e);
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** One sentence naming {@code failure}; the stack trace of {@code trace} only with --debug. */
  private int internalError(Throwable failure, Throwable trace) {
    err.println(
        prefix()
            + "unexpected error ("
            + failure
            + "); this is a bug in sglang-preflight: re-run with --debug and report it with the"
            + " output");
    if (debug) {
      trace.printStackTrace(err);
    }
    return ExitCodes.INTERNAL_ERROR;
  }

  private void fail(Throwable e, String sentence) {
    err.println(prefix() + sentence);
    if (debug) {
      e.printStackTrace(err);
    }
  }

  private String prefix() {
    return NAME + (command.isEmpty() ? "" : " " + command) + ": ";
  }

  /** The jar's Implementation-Version, or "(development build)" when run from classes. */
  static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v != null ? v : "(development build)";
  }

  static String example(String option) {
    return switch (option) {
      case "--simulate", "--fallback-preset" -> option + " 8xH200";
      case "--gpus" -> "--gpus gpus.json";
      case "--policy" -> "--policy adjust";
      case "--sglang-version" -> "--sglang-version 0.4.5.post3";
      case "--min-kv-tokens" -> "--min-kv-tokens 32768";
      case "--safety-margin" -> "--safety-margin 1GiB";
      case "--model-config" -> "--model-config /models/x/config.json";
      case "--report-file" -> "--report-file /dev/termination-log";
      case "--width" -> "--width 120";
      default -> option + " VALUE";
    };
  }

  private List<String> requireSglangCommand(List<String> sglang) {
    if (sglang == null) {
      throw new UsageException(
          "the SGLang command is missing: give it after --, e.g. "
              + CHECK_FIX.replace(" check ", " " + command + " "));
    }
    if (sglang.isEmpty()) {
      throw new UsageException(
          "nothing follows --; give the SGLang command after it: "
              + CHECK_FIX.replace(" check ", " " + command + " "));
    }
    return sglang;
  }

  // ------------------------------------------------------------------------------------ commands

  private int check(Commands.Check c, List<String> sglang) {
    Logging.configure(c, c.json ? List.of() : Logging.REPORTED_IN_TABLES);
    int width = width(c.width);
    List<Path> nodes = snapshotFiles(c);
    if (nodes.size() > 1) {
      return checkNodes(c, sglang, nodes, width);
    }
    Preflight preflight = preflight(c);
    // ReportFormat masks the commands' secrets itself
    PreflightReport report = preflight.check(sglang, context.environment());
    writeReportFile(c, report);
    if (c.json) {
      out.println(ReportFormat.toJson(report));
    } else {
      String text =
          ReportFormat.toText(report, new ReportFormat.TextStyle(width, !c.ascii, c.verbose));
      if (c.quiet) {
        int end = text.indexOf("\n\n");
        text = end < 0 ? text : text.substring(0, end + 1);
      }
      out.print(text);
    }
    return switch (report.decision()) {
      case ACCEPT -> ExitCodes.ACCEPT;
      case ADJUST -> ExitCodes.ADJUST;
      case REJECT -> ExitCodes.REJECT;
    };
  }

  /** check over several nodes: one snapshot per node (see {@link MultiNodeCheck}). */
  private int checkNodes(Commands.Check c, List<String> sglang, List<Path> files, int width) {
    MultiNodeCheck.Result r =
        MultiNodeCheck.check(
            () -> builder(c), MultiNodeText.sources(files), sglang, context.environment());
    String json = MultiNodeText.json(r, files);
    if (c.reportFile != null) {
      writeReportText(path("--report-file", c.reportFile), json);
    }
    out.print(
        c.json
            ? json + "\n"
            : MultiNodeText.text(r, files, new ReportFormat.TextStyle(width, !c.ascii, c.verbose)));
    return switch (r.decision()) {
      case ACCEPT -> ExitCodes.ACCEPT;
      case ADJUST -> ExitCodes.ADJUST;
      case REJECT -> ExitCodes.REJECT;
    };
  }

  private int exec(Commands.Exec e, List<String> sglang) {
    Logging.configure(e, Logging.REPORTED_BY_EXEC);
    if (snapshotFiles(e).size() > 1) {
      throw new UsageException(
          "exec runs the launch of one node: check every node with 'check --gpus' per node, then"
              + " run exec on each node with its own GPUs and its --node-rank");
    }
    int width = width(e.width);
    if (LaunchCommands.isServerArgsOnly(sglang, context.environment())) {
      throw new UsageException(
          "only server arguments were given, and they cannot be run: give the whole SGLang command,"
              + " e.g. "
              + NAME
              + " exec [options] -- python3 -m sglang.launch_server "
              + String.join(" ", sglang.subList(0, Math.min(2, sglang.size())))
              + " ...");
    }
    int retries = ExecOutcome.retries(e.retryOnOom);
    Preflight preflight = preflight(e);
    PreflightReport report = preflight.check(sglang, context.environment());
    writeReportFile(e, report);
    Logger log = LoggerFactory.getLogger(NAME);
    List<String> argv;
    if (report.policy() == Policy.WARN) {
      if (report.decision() != Decision.ACCEPT || !report.checked()) {
        log.warn("{}", report.headline());
      }
      log.warn("--policy warn: running the command as given");
      argv = report.originalCommand();
    } else if (report.decision() == Decision.REJECT) {
      err.print(
          ReportFormat.toText(report, new ReportFormat.TextStyle(width, !e.ascii, e.verbose)));
      err.println();
      err.println(prefix() + "REJECT: the command was not started (exit code 4)");
      return ExitCodes.REJECT;
    } else {
      if (report.decision() == Decision.ACCEPT && report.checked()) {
        log.info("{}", report.headline());
      } else {
        log.warn("{}", report.headline());
      }
      argv = report.command();
    }
    out.flush();
    err.flush();
    if (retries > 0) {
      return execWithRetries(e, report, argv, retries);
    }
    Optional<CalibrationStore> store = calibration(e);
    Calibrations.Watch watch = new Calibrations.Watch();
    ChildProcess child;
    try {
      ChildProcess.Builder b =
          ChildProcess.builder(argv).name("sglang").environment(context.environment());
      if (store.isPresent()) {
        // read the start-up log on its way through, to record what it measured
        b.forwardOutput(out, err, watch);
        if (!context.environment().containsKey("PYTHONUNBUFFERED")) {
          b.environment("PYTHONUNBUFFERED", "1");
        }
      } else {
        b.inheritIo();
      }
      child = b.start();
    } catch (IOException x) {
      err.println(
          prefix()
              + x.getMessage()
              + "; check that the program exists and is executable (without a slash it is looked"
              + " up on the PATH)");
      if (debug) {
        x.printStackTrace(err);
      }
      writeExecOutcome(
          e, report, OptionalInt.of(ExitCodes.CANNOT_START), 0, List.of(), x.getMessage());
      return ExitCodes.CANNOT_START;
    }
    // the check is done: give its heap back before waiting as long as SGLang runs (with the
    // launcher's small heap and the serial GC, the waiting JVM stays under 64 MiB resident)
    System.gc();
    int code;
    try {
      code = child.waitFor();
    } catch (InterruptedException x) {
      Thread.currentThread().interrupt();
      code = child.stop();
    }
    out.flush();
    err.flush();
    store.ifPresent(
        s -> Calibrations.record(s, report, watch.observation(), Instant.now(), live(e), log));
    writeExecOutcome(
        e,
        report,
        OptionalInt.of(code),
        0,
        List.of(OomRetry.attempt(report, argv, context.environment(), code)),
        null);
    return code;
  }

  /** exec with {@code --retry-on-oom N}: see {@link OomRetry}. */
  private int execWithRetries(
      Commands.Exec e, PreflightReport report, List<String> argv, int retries) {
    Logger log = LoggerFactory.getLogger(NAME);
    Optional<CalibrationStore> store = calibration(e);
    OomRetry retry =
        new OomRetry(
            out,
            err,
            context.environment(),
            log,
            seen ->
                store.ifPresent(
                    s -> Calibrations.record(s, report, seen, Instant.now(), live(e), log)));
    try {
      int code =
          retry.run(
              report,
              argv,
              retries,
              attempts ->
                  writeExecOutcome(e, report, OptionalInt.empty(), retries, attempts, null));
      writeExecOutcome(e, report, OptionalInt.of(code), retries, retry.attempts(), null);
      return code;
    } catch (IOException x) {
      err.println(
          prefix()
              + x.getMessage()
              + "; check that the program exists and is executable (without a slash it is looked"
              + " up on the PATH)");
      writeExecOutcome(
          e,
          report,
          OptionalInt.of(ExitCodes.CANNOT_START),
          retries,
          retry.attempts(),
          x.getMessage());
      return ExitCodes.CANNOT_START;
    }
  }

  /** Rewrites exec's report file with the outcome; no exit code while an attempt is to come. */
  private void writeExecOutcome(
      Commands.Exec e,
      PreflightReport report,
      OptionalInt exitCode,
      int retries,
      List<OomRetry.Attempt> attempts,
      String error) {
    if (e.reportFile == null) {
      return;
    }
    try {
      writeReportText(
          path("--report-file", e.reportFile),
          ExecOutcome.json(report, exitCode, retries, attempts, Optional.ofNullable(error)));
    } catch (InvalidInputException x) {
      // the child has run: say so, but keep its exit code
      err.println(prefix() + x.getMessage());
    }
  }

  private int gpus(Commands.Gpus g) {
    Logging.configure(g, g.json ? List.of() : Logging.REPORTED_IN_TABLES);
    int width = width(g.width);
    GpuInventorySource fallback = null;
    if (g.fallbackPreset != null) {
      if (g.simulate != null || g.gpus != null) {
        throw new UsageException(
            "--fallback-preset only applies when NVML is read; drop it, or drop "
                + (g.simulate != null ? "--simulate" : "--gpus"));
      }
      fallback = GpuSnapshots.presetSource(g.fallbackPreset);
    }
    GpuInventorySource source = source(g);
    GpuInventory inventory;
    String from;
    try {
      inventory = source.read();
      from = source.describe();
    } catch (GpuQueryException x) {
      if (fallback == null) {
        throw x;
      }
      err.println(
          prefix()
              + "the GPUs cannot be read ("
              + stripPeriod(x.getMessage())
              + "), so the built-in preset "
              + g.fallbackPreset
              + " is shown instead of this machine's GPUs");
      err.flush();
      if (debug) {
        x.printStackTrace(err);
      }
      inventory = fallback.read();
      from = fallback.describe();
    }
    if (g.json) {
      out.println(GpuSnapshots.toJson(inventory));
    } else {
      out.print(GpuText.render(inventory, from, width));
    }
    return ExitCodes.ACCEPT;
  }

  // ------------------------------------------------------------------------------------ options

  private Preflight preflight(Commands.Guard g) {
    Preflight.Builder b = builder(g);
    b.gpuSource(source(g));
    return b.build();
  }

  /** Whether the GPUs are read live (NVML), not from a preset or a snapshot. */
  private static boolean live(Commands.GpuSource g) {
    return g.simulate == null && g.gpus == null;
  }

  /** The snapshot files of --gpus (a directory's too); empty without --gpus. */
  private List<Path> snapshotFiles(Commands.GpuSource g) {
    if (g.gpus == null) {
      return List.of();
    }
    return MultiNodeText.snapshotFiles(g.gpus.stream().map(f -> path("--gpus", f)).toList());
  }

  /** A builder with every option of {@code g} but the GPU source. */
  private Preflight.Builder builder(Commands.Guard g) {
    Policy policy = policy(g.policy);
    Preflight.Builder b = Preflight.newBuilder().policy(policy);
    if (g.safetyMargin != null) {
      long bytes = ByteSizes.parse("--safety-margin", g.safetyMargin);
      if (bytes > MAX_SAFETY_MARGIN_BYTES) {
        throw new UsageException(
            String.format(
                Locale.ROOT,
                "--safety-margin '%s' is %s, above the 64.00 GiB preflight accepts; give a smaller"
                    + " size, e.g. --safety-margin 2GiB",
                g.safetyMargin,
                GpuText.gib(bytes)));
      }
      b.safetyMarginBytes(bytes);
    }
    if (g.minKvTokens != null) {
      b.minKvTokens(minKvTokens(g.minKvTokens));
    }
    if (g.modelConfig != null) {
      b.modelConfig(path("--model-config", g.modelConfig));
    }
    if (g.allowUnreadableGpus) {
      b.onUnreadableGpus(OnUnreadableGpus.LAUNCH_UNCHECKED);
    }
    if (g.reportFile != null) {
      path("--report-file", g.reportFile);
    }
    if (g.sglangVersion != null) {
      b.sglangVersion(g.sglangVersion);
    }
    calibration(g).ifPresent(b::calibration);
    return b;
  }

  private Optional<CalibrationStore> calibration(Commands.Guard g) {
    return Calibrations.store(g.calibrationDir, g.noCalibration, context.environment());
  }

  private GpuInventorySource source(Commands.GpuSource g) {
    if (g.simulate != null && g.gpus != null) {
      throw new UsageException(
          "--simulate and --gpus both say where the GPU readings come from; give one of them");
    }
    if (g.simulate != null) {
      return GpuSnapshots.presetSource(g.simulate);
    }
    if (g.gpus != null) {
      List<Path> files = snapshotFiles(g);
      if (files.size() != 1) {
        throw new UsageException(
            "--gpus names "
                + files.size()
                + " snapshots; "
                + command
                + " reads one machine: give one snapshot (several are for 'check' of a launch"
                + " over --nnodes N)");
      }
      return GpuSnapshots.snapshotSource(files.getFirst());
    }
    return context.nvml().get();
  }

  private static Policy policy(String text) {
    if (text == null) {
      return Policy.ADJUST;
    }
    return switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "adjust" -> Policy.ADJUST;
      case "reject" -> Policy.REJECT;
      case "warn" -> Policy.WARN;
      default ->
          throw new UsageException(
              "--policy '" + text + "' is not a policy; give adjust, reject or warn");
    };
  }

  private static long minKvTokens(String text) {
    long tokens;
    try {
      tokens = Long.parseLong(text.strip().replace("_", ""));
    } catch (NumberFormatException e) {
      throw new UsageException(
          "--min-kv-tokens '"
              + text
              + "' is not a whole number; give the smallest KV cache in tokens, e.g."
              + " --min-kv-tokens 32768");
    }
    if (tokens < 1) {
      throw new UsageException(
          "--min-kv-tokens "
              + text
              + " is below 1; give at least one token, e.g. --min-kv-tokens 32768");
    }
    return tokens;
  }

  private int width(String text) {
    if (text == null) {
      String columns = context.environment().get("COLUMNS");
      if (columns != null && columns.strip().matches("[0-9]{2,4}")) {
        int c = Integer.parseInt(columns.strip());
        if (c >= MIN_WIDTH && c <= MAX_WIDTH) {
          return c;
        }
      }
      return DEFAULT_WIDTH;
    }
    int width;
    try {
      width = Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw new UsageException(
          "--width '" + text + "' is not a whole number; give e.g. --width 120");
    }
    if (width < MIN_WIDTH || width > MAX_WIDTH) {
      throw new UsageException(
          String.format(
              Locale.ROOT,
              "--width %d is outside %d-%d; the report needs at least %d columns, e.g. --width 120",
              width,
              MIN_WIDTH,
              MAX_WIDTH,
              MIN_WIDTH));
    }
    return width;
  }

  private static Path path(String option, String text) {
    if (text.isBlank()) {
      throw new UsageException(option + " is empty; give a path, e.g. " + example(option));
    }
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      throw new UsageException(
          option + " '" + text + "' is not a valid path (" + e.getReason() + ")");
    }
  }

  // ------------------------------------------------------------------------------------ output

  private void writeReportFile(Commands.Guard g, PreflightReport report) {
    if (g.reportFile == null) {
      return;
    }
    writeReportText(path("--report-file", g.reportFile), ReportFormat.toJson(report));
  }

  private static void writeReportText(Path file, String json) {
    try {
      ReportFiles.write(file, json);
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      throw new InvalidInputException(
          "--report-file",
          "--report-file "
              + file
              + " cannot be written ("
              + describe(e)
              + "); give a writable path or drop --report-file",
          e);
    }
  }

  /**
   * Writes the error document to {@code --report-file} when check or exec ends without a decision
   * (exit 1, 2, 70), so that the file explains every outcome. A failure to write it is said on
   * stderr and changes nothing else.
   */
  private void reportFailure(
      int exitCode, ReportFiles.ErrorKind kind, Throwable e, Optional<String> input) {
    if (!command.equals("check") && !command.equals("exec")) {
      return;
    }
    if (input.filter("--report-file"::equals).isPresent()) {
      return;
    }
    Optional<String> file =
        guard != null
            ? Optional.ofNullable(guard.reportFile).filter(f -> !f.isBlank())
            : ReportFiles.scanReportFile(options);
    if (file.isEmpty()) {
      return;
    }
    try {
      Path target = Path.of(file.get());
      String message = e.getMessage() != null ? e.getMessage() : e.toString();
      writeReportText(
          target,
          ReportFiles.errorJson(
              command, exitCode, kind, message, input, Optional.ofNullable(sglangCommand)));
    } catch (InvalidInputException | InvalidPathException x) {
      err.println(prefix() + x.getMessage());
    }
  }

  private static String describe(Exception e) {
    String type = e.getClass().getSimpleName();
    String message = e.getMessage();
    return switch (type) {
      case "AccessDeniedException" -> "permission denied: " + message;
      case "NoSuchFileException" -> "no such file or directory: " + message;
      case "FileAlreadyExistsException" -> "a file is in the way: " + message;
      case "FileSystemException" -> message;
      default -> message == null ? type : type + ": " + message;
    };
  }

  private static String stripPeriod(String s) {
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
