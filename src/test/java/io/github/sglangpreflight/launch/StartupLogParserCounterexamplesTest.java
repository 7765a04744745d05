package io.github.sglangpreflight.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The fuzz tests' shrunk counterexamples for the start-up log parser, kept as regular tests. */
class StartupLogParserCounterexamplesTest {
  @Test
  void aFigureOf2To63Bytes_reportsNothingInsteadOfOverflowing() {
    // 8589934592 GB = 2^63 bytes: ArithmeticException (Overflow) before
    assertEquals(
        Optional.empty(), StartupLogParser.parse("Load weight begin. avail mem=8589934592 GB"));
  }

  @Test
  void aRealFigure_stillParses() {
    assertTrue(StartupLogParser.parse("Load weight begin. avail mem=78.50 GB").isPresent());
  }

  @Test
  void aVeryLongPrefixOfRanks_isCutAndParsedWithoutOverflowingTheStack() {
    String line =
        "[2025-01-01 10:00:00" + " TP1".repeat(4000) + "] Load weight begin. avail mem=1 GB";
    StartupLogParser.parse(line);
    String words = "a-b ".repeat(5000) + "Capture cuda graph failed: CUDA out of memory.";
    StartupLogParser.parse(words);
  }
}
