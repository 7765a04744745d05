package io.github.sglangpreflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The start-up fast path reads what picocli reads: its table is picocli's model of {@link
 * Commands}, and on every plain command line it fills the same fields with the same values; on
 * anything unusual it steps aside.
 */
class QuickArgsTest {
  private static CommandLine picocli() {
    return new PicocliArgs(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()))
        .commandLine();
  }

  @Test
  void theTableIsPicocliModelOfEveryCommandItReads() {
    for (String command : List.of("check", "exec", "gpus")) {
      CommandLine sub = picocli().getSubcommands().get(command);
      List<String> names = new ArrayList<>();
      for (OptionSpec o : sub.getCommandSpec().options()) {
        for (String name : o.names()) {
          names.add(name);
          QuickArgs.Kind expected =
              o.usageHelp() || o.versionHelp()
                  ? null
                  : o.arity().max() == 0
                      ? QuickArgs.Kind.FLAG
                      : o.isMultiValue() ? QuickArgs.Kind.LIST : QuickArgs.Kind.VALUE;
          assertEquals(expected, QuickArgs.kind(command, name), command + " " + name);
        }
      }
      for (String other :
          List.of("--json", "--retry-on-oom", "--fallback-preset", "--policy", "--ascii", "--x")) {
        if (!names.contains(other)) {
          assertNull(QuickArgs.kind(command, other), command + " has no " + other);
        }
      }
    }
    assertNull(QuickArgs.kind("calibration", "--calibration-dir"));
  }

  private static final List<List<String>> PLAIN =
      List.of(
          List.of("check"),
          List.of("check", "--simulate", "8xH200", "--sglang-version", "0.4.5.post3"),
          List.of("check", "--simulate=8xH200", "--json", "--width", "120", "--quiet"),
          List.of(
              "check",
              "--gpus",
              "a.json",
              "--gpus=b.json",
              "--policy",
              "reject",
              "--min-kv-tokens",
              "32768",
              "--safety-margin",
              "1.5 GiB",
              "--model-config",
              "/m/config.json",
              "--report-file",
              "/tmp/r.json",
              "--calibration-dir",
              "/tmp/c",
              "--allow-unreadable-gpus",
              "--ascii",
              "--debug"),
          List.of("check", "--no-calibration", "--width=abc"),
          List.of("exec", "--retry-on-oom", "2", "--simulate", "1xH100", "--no-calibration"),
          List.of("exec", "--report-file=/dev/termination-log", "--policy=warn"),
          List.of("gpus"),
          List.of("gpus", "--json", "--fallback-preset", "8xH200", "--width", "80"),
          List.of("gpus", "--simulate", "2xL4", "--quiet"));

  private static final List<List<String>> UNUSUAL =
      List.of(
          List.of(),
          List.of("--help"),
          List.of("-V"),
          List.of("check", "--help"),
          List.of("check", "-h"),
          List.of("exec", "--version"),
          List.of("check", "--simulate"),
          List.of("check", "--simulate", "--json"),
          List.of("check", "--simulate="),
          List.of("check", "--simulate", "8xH200", "--simulate", "1xH200"),
          List.of("check", "--json", "--json"),
          List.of("check", "--json=true"),
          List.of("check", "--jsn"),
          List.of("check", "python3"),
          List.of("exec", "--json"),
          List.of("gpus", "--policy", "adjust"),
          List.of("check", "--safety-margin", "-1GiB"),
          List.of("calibration", "list"),
          List.of("chek", "--simulate", "8xH200"),
          List.of("--debug", "check"));

  @Test
  void plainLinesGiveWhatPicocliGives() throws Exception {
    for (List<String> line : PLAIN) {
      String[] args = line.toArray(String[]::new);
      Commands.Common quick = QuickArgs.parse(args);
      assertNotNull(quick, "the fast path reads " + line);
      Commands.Common slow =
          new PicocliArgs(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()))
              .parse(args, true);
      assertEquals(slow.getClass(), quick.getClass(), line.toString());
      assertEquals(fields(slow), fields(quick), line.toString());
    }
  }

  @Test
  void unusualLinesAreLeftToPicocli() {
    for (List<String> line : UNUSUAL) {
      assertNull(QuickArgs.parse(line.toArray(String[]::new)), line.toString());
    }
  }

  /** Every option field of {@code c} with its value, by class and name. */
  private static Map<String, Object> fields(Commands.Common c) throws IllegalAccessException {
    Map<String, Object> values = new TreeMap<>();
    for (Class<?> k = c.getClass(); k != Object.class; k = k.getSuperclass()) {
      for (Field f : k.getDeclaredFields()) {
        if (java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
          continue;
        }
        f.setAccessible(true);
        Object v = f.get(c);
        values.put(
            k.getSimpleName() + "." + f.getName(), v instanceof List<?> l ? List.copyOf(l) : v);
      }
    }
    return values;
  }
}
