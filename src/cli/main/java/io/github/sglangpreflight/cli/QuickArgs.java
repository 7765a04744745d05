package io.github.sglangpreflight.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;

/**
 * The start-up fast path of the command line: reads the options of {@code check}, {@code exec} and
 * {@code gpus} into the same {@link Commands} objects that picocli fills, without loading picocli.
 * Picocli builds its model from annotations through reflection and dynamic proxies, and its classes
 * (class-file version 49) cannot be kept in a class-data-sharing archive or an AOT cache, so
 * loading it costs tens of milliseconds of every run.
 *
 * <p>Only plain command lines are read here: the command name first, then options this table knows,
 * each given once ({@code --gpus} may repeat), a value after its option ({@code --width 120} or
 * {@code --width=120}) that is neither empty nor starts with {@code -}. Anything else (help,
 * version, an unknown or repeated option, a missing value, a positional argument, {@code
 * calibration}) returns {@code null}, and {@link PicocliArgs} reads the whole line, so that help
 * and every complaint stay picocli's. {@code QuickArgsTest} checks the table against picocli's
 * model and the results against picocli's on a corpus of command lines.
 */
final class QuickArgs {
  private QuickArgs() {}

  /** What an option takes. */
  enum Kind {
    /** a switch without a value */
    FLAG,
    /** one value */
    VALUE,
    /** a value, repeatable */
    LIST
  }

  /**
   * The options of {@code command} with what they take: the fast path's table, the same as the
   * {@code @Option} fields of {@link Commands} (pinned by {@code QuickArgsTest}); {@code null} for
   * a command this path does not read.
   */
  static Kind kind(String command, String option) {
    boolean guard = command.equals("check") || command.equals("exec");
    boolean gpus = command.equals("gpus");
    if (!guard && !gpus) {
      return null;
    }
    return switch (option) {
      case "--debug", "--quiet" -> Kind.FLAG;
      case "--width", "--simulate" -> Kind.VALUE;
      case "--gpus" -> Kind.LIST;
      case "--json" -> command.equals("exec") ? null : Kind.FLAG;
      case "--policy",
          "--sglang-version",
          "--min-kv-tokens",
          "--safety-margin",
          "--model-config",
          "--report-file",
          "--calibration-dir" ->
          guard ? Kind.VALUE : null;
      case "--no-calibration", "--allow-unreadable-gpus", "--ascii", "--verbose" ->
          guard ? Kind.FLAG : null;
      case "--retry-on-oom" -> command.equals("exec") ? Kind.VALUE : null;
      case "--fallback-preset" -> gpus ? Kind.VALUE : null;
      default -> null;
    };
  }

  /**
   * The options before {@code --}, read; {@code null} where picocli must read them.
   *
   * @param options the command line up to (not including) the first {@code --}
   */
  static Commands.Common parse(String[] options) {
    if (options.length == 0) {
      return null;
    }
    String command = options[0];
    Commands.Common target =
        switch (command) {
          case "check" -> new Commands.Check();
          case "exec" -> new Commands.Exec();
          case "gpus" -> new Commands.Gpus();
          default -> null;
        };
    if (target == null) {
      return null;
    }
    Set<String> seen = new HashSet<>();
    for (int i = 1; i < options.length; i++) {
      String arg = options[i];
      String name = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 2) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      Kind kind = kind(command, name);
      if (kind == null) {
        return null;
      }
      if (kind != Kind.LIST && !seen.add(name)) {
        return null;
      }
      if (kind == Kind.FLAG) {
        if (value != null) {
          return null;
        }
        setFlag(target, name);
        continue;
      }
      if (value == null) {
        if (i + 1 >= options.length) {
          return null;
        }
        value = options[++i];
      }
      if (value.isEmpty() || value.startsWith("-")) {
        return null;
      }
      setValue(target, name, value);
    }
    return target;
  }

  private static void setFlag(Commands.Common c, String name) {
    switch (name) {
      case "--debug" -> c.debug = true;
      case "--quiet" -> c.quiet = true;
      case "--json" -> {
        if (c instanceof Commands.Check check) {
          check.json = true;
        } else {
          ((Commands.Gpus) c).json = true;
        }
      }
      case "--no-calibration" -> ((Commands.Guard) c).noCalibration = true;
      case "--allow-unreadable-gpus" -> ((Commands.Guard) c).allowUnreadableGpus = true;
      case "--ascii" -> ((Commands.Guard) c).ascii = true;
      case "--verbose" -> ((Commands.Guard) c).verbose = true;
      default -> throw new IllegalStateException("no flag " + name);
    }
  }

  private static void setValue(Commands.Common c, String name, String value) {
    switch (name) {
      case "--width" -> c.width = value;
      case "--simulate" -> ((Commands.GpuSource) c).simulate = value;
      case "--gpus" -> {
        Commands.GpuSource g = (Commands.GpuSource) c;
        if (g.gpus == null) {
          g.gpus = new ArrayList<>();
        }
        g.gpus.add(value);
      }
      case "--policy" -> ((Commands.Guard) c).policy = value;
      case "--sglang-version" -> ((Commands.Guard) c).sglangVersion = value;
      case "--min-kv-tokens" -> ((Commands.Guard) c).minKvTokens = value;
      case "--safety-margin" -> ((Commands.Guard) c).safetyMargin = value;
      case "--model-config" -> ((Commands.Guard) c).modelConfig = value;
      case "--report-file" -> ((Commands.Guard) c).reportFile = value;
      case "--calibration-dir" -> ((Commands.Guard) c).calibrationDir = value;
      case "--retry-on-oom" -> ((Commands.Exec) c).retryOnOom = value;
      case "--fallback-preset" -> ((Commands.Gpus) c).fallbackPreset = value;
      default -> throw new IllegalStateException("no option " + name);
    }
  }
}
