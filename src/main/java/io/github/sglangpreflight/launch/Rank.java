package io.github.sglangpreflight.launch;

import java.util.Comparator;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SGLang worker a log line comes from, as its prefix names it: {@code [2025-04-21 10:00:00 DP0
 * TP0]} is {@code DP0 TP0}. SGLang has printed the ids in different orders ({@code TP0 PP1} in
 * 2025, {@code PP1 TP2} on 2026 main) and adds others ({@code ATTN_CP0}, {@code MOE_DP0}); the
 * label keeps every id as printed, the four common ones are also parsed.
 *
 * <p>Lines without ids carry {@link #UNLABELED}: the main process, and since 2025-04-30 the
 * scheduler of a single-GPU launch (SGLang adds {@code TP<n>} only when {@code --tp-size > 1}).
 *
 * @param label the ids as printed, separated by one space; empty for {@link #UNLABELED}
 * @param dp {@code DP<n>} when printed
 * @param pp {@code PP<n>} when printed
 * @param tp {@code TP<n>} when printed
 * @param ep {@code EP<n>} when printed
 */
public record Rank(String label, OptionalInt dp, OptionalInt pp, OptionalInt tp, OptionalInt ep)
    implements Comparable<Rank> {

  /** Lines whose prefix names no worker. */
  public static final Rank UNLABELED =
      new Rank(
          "", OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty());

  private static final Pattern ID = Pattern.compile("([A-Z][A-Z_]*?)(\\d+)");
  private static final Comparator<OptionalInt> BY_ID =
      Comparator.comparingInt(id -> id.isPresent() ? id.getAsInt() : -1);
  private static final Comparator<Rank> ORDER =
      Comparator.comparing(Rank::dp, BY_ID)
          .thenComparing(Rank::pp, BY_ID)
          .thenComparing(Rank::tp, BY_ID)
          .thenComparing(Rank::ep, BY_ID)
          .thenComparing(Rank::label);

  public Rank {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(dp, "dp");
    Objects.requireNonNull(pp, "pp");
    Objects.requireNonNull(tp, "tp");
    Objects.requireNonNull(ep, "ep");
  }

  /**
   * Parses the ids of a prefix, e.g. {@code "DP0 TP3"} or {@code "PP1 TP2 EP2"}.
   *
   * @throws IllegalArgumentException when a space-separated part is not an upper-case name followed
   *     by digits
   */
  public static Rank parse(String ids) {
    String label = ids.strip().replaceAll("\\s+", " ");
    if (label.isEmpty()) {
      return UNLABELED;
    }
    OptionalInt dp = OptionalInt.empty();
    OptionalInt pp = OptionalInt.empty();
    OptionalInt tp = OptionalInt.empty();
    OptionalInt ep = OptionalInt.empty();
    for (String part : label.split(" ")) {
      Matcher m = ID.matcher(part);
      if (!m.matches()) {
        throw new IllegalArgumentException(
            "rank id must be an upper-case name followed by digits, like TP0, was '" + part + "'");
      }
      OptionalInt value = OptionalInt.of(Integer.parseInt(m.group(2)));
      switch (m.group(1)) {
        case "DP" -> dp = value;
        case "PP" -> pp = value;
        case "TP" -> tp = value;
        case "EP" -> ep = value;
        default -> {
          // ATTN_CP, MOE_DP and future ids stay in the label only
        }
      }
    }
    return new Rank(label, dp, pp, tp, ep);
  }

  /** Whether the line named a worker. */
  public boolean isLabeled() {
    return !label.isEmpty();
  }

  /** DP, then PP, TP, EP (absent ids first), then the label. */
  @Override
  public int compareTo(Rank other) {
    return ORDER.compare(this, other);
  }

  /** The label, or {@code -} for {@link #UNLABELED}. */
  @Override
  public String toString() {
    return label.isEmpty() ? "-" : label;
  }
}
