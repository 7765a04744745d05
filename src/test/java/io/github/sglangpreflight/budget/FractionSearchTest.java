package io.github.sglangpreflight.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fraction search reads the terms' bytes without their items ({@link BudgetTerm#bytes}); the
 * budget at the fraction it finds, built with items, must agree with it on both sides of the
 * boundary.
 */
class FractionSearchTest {

  static Stream<Arguments> launches() {
    return Stream.of(
        Arguments.of("0.4.5.post3", BudgetModelTest.DSV3, 8, BudgetModelTest.SEED),
        Arguments.of("main", BudgetModelTest.DSV3, 8, BudgetModelTest.SEED),
        Arguments.of("0.5.1", BudgetModelTest.LLAMA8, 1, List.of()),
        Arguments.of("0.4.9", "Qwen/Qwen3-235B-A22B", 8, List.of("--tp", "8")),
        Arguments.of("0.5.1", "Qwen/Qwen3-235B-A22B", 8, List.of("--tp", "8", "--ep-size", "8")),
        Arguments.of(
            "0.4.5.post3",
            "mistralai/Mixtral-8x7B-Instruct-v0.1",
            4,
            List.of("--tp", "2", "--dp-size", "2", "--cuda-graph-max-bs", "512")),
        Arguments.of(
            "main",
            "meta-llama/Llama-3.1-70B-Instruct",
            8,
            List.of("--tp", "4", "--pp-size", "2")));
  }

  @ParameterizedTest
  @MethodSource("launches")
  void maxSafeFraction_isWhereTheItemisedBudgetStopsKeepingTheMargin(
      String version, String model, int gpus, List<String> args) {
    BudgetModel b = BudgetModelTest.h200(version, model, gpus, args.toArray(String[]::new));

    OptionalDouble max = b.maxSafeFraction();

    assertTrue(max.isPresent(), "no safe fraction for " + model);
    double f = max.getAsDouble();
    assertTrue(keepsMargin(b, f), "the budget at " + f + " breaks the margin");
    if (f < 0.999) {
      assertTrue(!keepsMargin(b, f + 0.001), "the budget at " + (f + 0.001) + " keeps it");
    }
    // asked again, the memoized reserves give the same answer
    assertEquals(f, b.maxSafeFraction().getAsDouble());
  }

  private static boolean keepsMargin(BudgetModel b, double f) {
    MemoryBudget m = b.at(f);
    return m.gpus().stream().allMatch(g -> g.headroomBytes() >= m.safetyMarginBytes());
  }
}
