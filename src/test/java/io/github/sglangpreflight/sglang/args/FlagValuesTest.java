package io.github.sglangpreflight.sglang.args;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FlagValuesTest {

  @ParameterizedTest
  @CsvSource({"8,8", "' 8 ',8", "+8,8", "-3,-3", "1_000,1000", "007,7"})
  void pythonInt_acceptedForms_parse(String text, long expected) {
    assertEquals(Optional.of(BigInteger.valueOf(expected)), FlagValues.pythonInt(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abc", "0x8", "8.0", "1__0", "_1", "1_", "8k", "1e3"})
  void pythonInt_rejectedForms_areEmpty(String text) {
    assertEquals(Optional.empty(), FlagValues.pythonInt(text));
  }

  @ParameterizedTest
  @CsvSource({
    "0.85,0.85",
    ".5,0.5",
    "5.,5.0",
    "1e-3,0.001",
    "-0.5,-0.5",
    "' 0.7 ',0.7",
    "1_0.5,10.5",
    "+1E2,100.0"
  })
  void pythonFloat_acceptedForms_parse(String text, double expected) {
    assertEquals(Optional.of(expected), FlagValues.pythonFloat(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"nan", "NaN", "inf", "-Infinity", "+INF"})
  void pythonFloat_specialValues_parse(String text) {
    double v = FlagValues.pythonFloat(text).orElseThrow();
    assertTrue(Double.isNaN(v) || Double.isInfinite(v));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".", "abc", "0x1p3", "1.5f", "1.5d", "1e", "e3", "infinit"})
  void pythonFloat_rejectedForms_areEmpty(String text) {
    assertEquals(Optional.empty(), FlagValues.pythonFloat(text));
  }

  @ParameterizedTest
  @CsvSource({
    "128k,128000",
    "25.6k,25600",
    "1M,1000000",
    "32Ki,32768",
    "1Mi,1048576",
    "4096,4096",
    "1.0005k,1000"
  })
  void humanReadableInt_acceptedForms_parse(String text, long expected) {
    assertEquals(Optional.of(BigInteger.valueOf(expected)), FlagValues.humanReadableInt(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.5Ki", "32K", "1 k", "k", "abc"})
  void humanReadableInt_rejectedForms_areEmpty(String text) {
    assertEquals(Optional.empty(), FlagValues.humanReadableInt(text));
  }

  @ParameterizedTest
  @CsvSource({"0.85,0.85", "0.8,0.8", "0.9128,0.913", "0.9125,0.913", "0.1,0.1", "0.70001,0.7"})
  void formatFraction_threeDecimalsAtMost(double value, String expected) {
    assertEquals(expected, FlagValues.formatFraction(value));
  }
}
