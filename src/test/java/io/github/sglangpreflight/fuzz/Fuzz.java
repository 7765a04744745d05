package io.github.sglangpreflight.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.github.sglangpreflight.errors.InvalidInputException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Generators of structured-but-wrong inputs shared by the property-based fuzz tests, and the one
 * assertion they all make: a parser returns a value or throws {@link InvalidInputException} that
 * names its input, never anything else.
 */
public final class Fuzz {
  private Fuzz() {}

  /** Runs {@code parse}; an exception other than InvalidInputException fails the property. */
  public static <T> void onlyInvalidInput(java.util.function.Supplier<T> parse) {
    try {
      parse.get();
    } catch (InvalidInputException e) {
      assertNotNull(e.input(), "the refusal names no input: " + e.getMessage());
      assertFalse(e.input().isBlank(), "the refusal names a blank input: " + e.getMessage());
      assertNotNull(e.getMessage());
      assertFalse(e.getMessage().isBlank(), "empty message for " + e.input());
    }
  }

  /** Numbers as text, as a user or a broken tool writes them. */
  public static Arbitrary<String> numberTexts() {
    return Arbitraries.oneOf(
        Arbitraries.integers().map(String::valueOf),
        Arbitraries.longs().map(String::valueOf),
        Arbitraries.integers().between(-3, 70000).map(String::valueOf),
        Arbitraries.doubles().map(String::valueOf),
        Arbitraries.of(
            "0",
            "-0",
            "+1",
            "1_000",
            "1__0",
            "_1",
            "1_",
            "0x10",
            "1e9",
            "1E-3",
            ".5",
            "5.",
            ".",
            "inf",
            "-Infinity",
            "nan",
            "NaN",
            "1.5f",
            "0b1",
            "١٢",
            " 8 ",
            "",
            "-",
            "+",
            "e5",
            "9223372036854775808",
            "2147483648",
            "-2147483649",
            "128k",
            "32Ki",
            "1.5Mi",
            "25.6k",
            "1G",
            "0.85",
            "1.0",
            "0.0",
            "-0.1",
            "1e400"),
        Arbitraries.integers().between(1, 6000).map(n -> "9".repeat(n)),
        Arbitraries.integers().between(1, 3000).map(n -> "1_".repeat(n) + "1"),
        Arbitraries.integers().between(1, 3000).map(n -> "0." + "5".repeat(n) + "e" + n));
  }

  /** JSON leaf values that are wrong somewhere: zero, negative, huge, the wrong type. */
  public static Arbitrary<Object> jsonValues() {
    return Arbitraries.oneOf(
        Arbitraries.integers().between(-2, 3).map(i -> (Object) i),
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.of(
            Double.NaN,
            Double.POSITIVE_INFINITY,
            -1.5,
            0.5,
            1e300,
            new BigInteger("123456789012345678901234567890"),
            new BigDecimal("1e-400"),
            "",
            "32",
            "bfloat16",
            "float8_e4m3fn",
            true,
            false),
        Arbitraries.just((Object) new ArrayList<>()),
        Arbitraries.integers().between(-5, 300).list().ofMaxSize(6).map(l -> (Object) l),
        Arbitraries.just((Object) new LinkedHashMap<>()),
        Arbitraries.strings().ofMaxLength(40).map(s -> (Object) s));
  }

  /** One change to a JSON tree: the {@code leaf}-th leaf (mod the count) becomes {@code value}. */
  public record Mutation(int leaf, boolean remove, Object value) {}

  public static Arbitrary<Mutation> mutations() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 10_000),
            Arbitraries.of(false, false, false, true),
            jsonValues())
        .as(Mutation::new);
  }

  /** A deep copy of {@code tree} with the mutations applied in order. */
  public static Object mutate(Object tree, List<Mutation> mutations) {
    Object copy = deepCopy(tree);
    for (Mutation m : mutations) {
      List<Object[]> leaves = new ArrayList<>();
      collect(copy, leaves);
      if (leaves.isEmpty()) {
        continue;
      }
      Object[] at = leaves.get(m.leaf() % leaves.size());
      if (at[0] instanceof Map<?, ?> map) {
        @SuppressWarnings("unchecked")
        Map<Object, Object> mm = (Map<Object, Object>) map;
        if (m.remove()) {
          mm.remove(at[1]);
        } else {
          mm.put(at[1], m.value());
        }
      } else if (at[0] instanceof List<?> list) {
        @SuppressWarnings("unchecked")
        List<Object> ll = (List<Object>) list;
        int i = (Integer) at[1];
        if (m.remove()) {
          ll.remove(i);
        } else {
          ll.set(i, m.value());
        }
      }
    }
    return copy;
  }

  /** Every (container, key) pair of the tree, containers' own slots included, depth first. */
  private static void collect(Object node, List<Object[]> out) {
    if (node instanceof Map<?, ?> map) {
      for (Object k : new ArrayList<>(map.keySet())) {
        out.add(new Object[] {map, k});
        collect(map.get(k), out);
      }
    } else if (node instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        out.add(new Object[] {list, i});
        collect(list.get(i), out);
      }
    }
  }

  public static Object deepCopy(Object node) {
    if (node instanceof Map<?, ?> map) {
      Map<Object, Object> m = new LinkedHashMap<>();
      map.forEach((k, v) -> m.put(k, deepCopy(v)));
      return m;
    }
    if (node instanceof List<?> list) {
      List<Object> l = new ArrayList<>();
      list.forEach(v -> l.add(deepCopy(v)));
      return l;
    }
    return node;
  }
}
