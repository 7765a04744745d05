package io.github.sglangpreflight.launch;

import io.github.sglangpreflight.units.Units;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Predicted against measured memory terms of a start-up, from {@link
 * StartupObservation#compare(List)}: as records ({@link #rows()}), as text for logs and the CLI
 * ({@link #toText()}) and as a JSON-ready tree ({@link #toJsonValue()}).
 */
public record MemoryComparison(List<Row> rows) {

  /**
   * One term on one rank. Values are bytes, or tokens for {@link MemoryTerm#KV_TOKENS}.
   *
   * @param predicted empty when no prediction was given for the term
   * @param difference actual minus predicted
   * @param differencePercent the difference in percent of the prediction; empty when the prediction
   *     is 0 or absent
   */
  public record Row(
      Rank rank,
      MemoryTerm term,
      OptionalLong predicted,
      long actual,
      OptionalLong difference,
      OptionalDouble differencePercent) {
    public Row {
      Objects.requireNonNull(rank, "rank");
      Objects.requireNonNull(term, "term");
      Objects.requireNonNull(predicted, "predicted");
      Objects.requireNonNull(difference, "difference");
      Objects.requireNonNull(differencePercent, "differencePercent");
    }
  }

  private static final String[] HEADER = {"rank", "term", "predicted", "actual", "difference"};

  public MemoryComparison {
    rows = List.copyOf(rows);
  }

  /**
   * A table with one line per row, columns aligned, GiB with two decimals, e.g.
   *
   * <pre>
   * rank  term       predicted     actual  difference
   * TP0   weights    15.00 GiB  15.11 GiB  +0.11 GiB (+0.7%)
   * TP0   KV tokens     440000     442750  +2750 (+0.6%)
   * </pre>
   *
   * A missing value prints as {@code -}; no rows print as {@code no memory term observed}.
   */
  public String toText() {
    if (rows.isEmpty()) {
      return "no memory term observed";
    }
    List<String[]> cells = new ArrayList<>();
    cells.add(HEADER);
    for (Row row : rows) {
      cells.add(
          new String[] {
            row.rank().toString(),
            row.term().label(),
            row.predicted().isPresent() ? value(row.term(), row.predicted().getAsLong()) : "-",
            value(row.term(), row.actual()),
            difference(row)
          });
    }
    int[] width = new int[HEADER.length];
    for (String[] line : cells) {
      for (int i = 0; i < line.length; i++) {
        width[i] = Math.max(width[i], line[i].length());
      }
    }
    StringBuilder text = new StringBuilder();
    for (String[] line : cells) {
      if (!text.isEmpty()) {
        text.append('\n');
      }
      text.append(pad(line[0], width[0], false)).append("  ");
      text.append(pad(line[1], width[1], false)).append("  ");
      text.append(pad(line[2], width[2], true)).append("  ");
      text.append(pad(line[3], width[3], true)).append("  ");
      text.append(line[4]);
    }
    return text.toString();
  }

  /**
   * The rows as lists and maps of strings and numbers for a JSON writer: {@code rank} (absent for
   * lines without a rank prefix), {@code term} (the {@link MemoryTerm} name), {@code unit} ({@code
   * bytes} or {@code tokens}), {@code actual}, and {@code predicted}, {@code difference}, {@code
   * differencePercent} when known.
   */
  public List<Map<String, Object>> toJsonValue() {
    List<Map<String, Object>> list = new ArrayList<>(rows.size());
    for (Row row : rows) {
      Map<String, Object> map = new LinkedHashMap<>();
      if (row.rank().isLabeled()) {
        map.put("rank", row.rank().label());
      }
      map.put("term", row.term().name());
      map.put("unit", row.term().unit().name().toLowerCase(Locale.ROOT));
      row.predicted().ifPresent(p -> map.put("predicted", p));
      map.put("actual", row.actual());
      row.difference().ifPresent(d -> map.put("difference", d));
      row.differencePercent().ifPresent(p -> map.put("differencePercent", p));
      list.add(map);
    }
    return list;
  }

  @Override
  public String toString() {
    return toText();
  }

  private static String value(MemoryTerm term, long value) {
    return term.unit() == MemoryTerm.Unit.TOKENS ? Long.toString(value) : Units.gib(value);
  }

  private static String difference(Row row) {
    if (row.difference().isEmpty()) {
      return "-";
    }
    long d = row.difference().getAsLong();
    String amount =
        row.term().unit() == MemoryTerm.Unit.TOKENS
            ? String.format(Locale.ROOT, "%+d", d)
            : Units.signedGib(d);
    return row.differencePercent().isPresent()
        ? amount + String.format(Locale.ROOT, " (%+.1f%%)", row.differencePercent().getAsDouble())
        : amount;
  }

  private static String pad(String s, int width, boolean right) {
    String fill = " ".repeat(width - s.length());
    return right ? fill + s : s + fill;
  }
}
