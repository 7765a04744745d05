package io.github.sglangpreflight.sglang.args;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.errors.InvalidInputException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fuzz tests' shrunk counterexamples for the flag parser, kept as regular tests. */
class LaunchCommandCounterexamplesTest {
  private static final List<String> BASE =
      List.of(
          "python3",
          "-m",
          "sglang.launch_server",
          "--model-path",
          "meta-llama/Llama-3.1-8B-Instruct");

  private static List<String> with(String... more) {
    List<String> argv = new java.util.ArrayList<>(BASE);
    argv.addAll(List.of(more));
    return argv;
  }

  @Test
  void anEmptyStrayValue_isNamedAsQuotedEmptyString() {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> LaunchCommand.parse(with("--skip-tokenizer-init", ""), Map.of()));
    assertEquals("''", e.input());
    assertTrue(
        e.getMessage().startsWith("'' after --skip-tokenizer-init is not attached"),
        e.getMessage());
  }

  @Test
  void a3000DigitNumber_isRefusedNamingTheFlagWithoutOverflowingTheStack() {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> LaunchCommand.parse(with("--tp", "7".repeat(3000)), Map.of()));
    assertTrue(e.input().startsWith("--tp"), e.input());
  }

  @Test
  void pythonWithThousandsOfVersionDots_isScannedLinearly() {
    List<String> argv =
        List.of(
            "python3." + "1.".repeat(3000) + "1",
            "-m",
            "sglang.launch_server",
            "--model-path",
            "m");
    LaunchCommand.parse(argv, Map.of());
    assertTrue(LaunchPrefix.isPythonName("python3.11"));
    assertTrue(LaunchPrefix.isPythonName("python"));
    assertTrue(!LaunchPrefix.isPythonName("python3."));
    assertTrue(!LaunchPrefix.isPythonName("python3..1"));
    assertTrue(!LaunchPrefix.isPythonName("pythonw"));
  }

  @Test
  void pythonNumberGrammar_acceptsWhatPythonAccepts() {
    for (String ok :
        List.of("1", "+1", "-1_000", "0.5", ".5", "5.", "1e9", "1_0.2_5e-1_0", "inf", "-NaN")) {
      assertTrue(FlagValues.isPyFloat(ok), ok);
    }
    for (String bad :
        List.of("", ".", "1__0", "_1", "1_", "1e", "e5", "1.5f", "0x10", "--1", "1._5")) {
      assertTrue(!FlagValues.isPyFloat(bad), bad);
    }
    assertTrue(FlagValues.isPyInt("1_000"));
    assertTrue(!FlagValues.isPyInt("1.0"));
    assertTrue(FlagValues.pythonInt("9".repeat(FlagValues.MAX_NUMBER_CHARS + 1)).isEmpty());
  }
}
