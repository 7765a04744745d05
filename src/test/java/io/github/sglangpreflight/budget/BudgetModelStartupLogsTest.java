package io.github.sglangpreflight.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.sglangpreflight.testing.Evidence;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays public SGLang start-up logs through {@link BudgetModel}: {@code
 * evidence/sglang-startup-logs.tsv} (copied unchanged from the project data, one URL per row) with
 * the launch each row describes in {@code evidence/startup-log-replays.tsv}. Every row is replayed
 * or skipped with its reason (a skipped row shows as an aborted test named after it).
 *
 * <p>Checks, each where the row's figures allow:
 *
 * <ul>
 *   <li><b>tokens</b>: the GPU's free memory is set so that the model's T equals the logged (or
 *       derived) avail-before-load; A is then T minus the model's own weights; the budget's KV
 *       tokens at the row's fraction must be within ±3 % of the logged count;
 *   <li><b>t</b>: the model's T on an idle GPU of that model, against the logged avail before load:
 *       at most 0.3 GiB above it (an optimistic T would oversize the pool) and at most 1 GiB below
 *       it (older stacks had smaller contexts and NCCL buffers: a conservative error);
 *   <li><b>reqtable</b>: load end → pool end minus the KV size (the request table and the free
 *       list): at least the model's terms (−0.015 for the logs' rounding), at most them plus 2 MiB
 *       per K/V buffer (PyTorch rounds each per-layer buffer up to 2 MiB, not modelled);
 *   <li><b>gap</b>: pool end → capture begin (cuBLAS and the attention backend's workspace) within
 *       ±15 %;
 *   <li><b>graph</b>: the CUDA-graph term against the logged capture mem usage within ±15 %.
 * </ul>
 */
class BudgetModelStartupLogsTest {
  private static final double GIB = 1L << 30;
  private static final long MIB = 1L << 20;

  private record Replay(
      String key,
      boolean replay,
      String version,
      String gpu,
      String catalogModel,
      List<String> args,
      String before,
      String mfs,
      Set<String> checks,
      String captureBegin,
      String note) {}

  // ------------------------------------------------------------------ the table

  @Test
  void table_everyLogRowHasAReplayOrASkipReason() throws IOException {
    Map<String, Replay> replays = replays();
    List<String> missing = new ArrayList<>();
    for (Map<String, String> row : rows("/evidence/sglang-startup-logs.tsv")) {
      if (!replays.containsKey(key(row))) {
        missing.add(key(row));
      }
    }
    assertEquals(List.of(), missing, "rows without a line in startup-log-replays.tsv");
    // rows of one thread with the same model share a line (before/after a fix, two fractions)
    assertEquals(
        rows("/evidence/sglang-startup-logs.tsv").stream()
            .map(BudgetModelStartupLogsTest::key)
            .distinct()
            .count(),
        replays.size(),
        "stale lines");
    for (Replay r : replays.values()) {
      assertTrue(!r.note().isBlank(), "a line needs its reason or note: " + r.key());
    }
  }

  @TestFactory
  Stream<DynamicTest> logRows_replayedThroughTheBudgetModel() throws IOException {
    Map<String, Replay> replays = replays();
    List<DynamicTest> tests = new ArrayList<>();
    int replayed = 0;
    for (Map<String, String> row : rows("/evidence/sglang-startup-logs.tsv")) {
      Replay r = replays.get(key(row));
      if (r == null) {
        continue;
      }
      if (!r.replay()) {
        tests.add(
            DynamicTest.dynamicTest(
                "SKIP " + key(row) + ": " + r.note(), () -> Assumptions.abort(r.note())));
        continue;
      }
      replayed++;
      Replay resolved = withFraction(r, row);
      tests.add(
          DynamicTest.dynamicTest(
              key(row) + " [" + String.join(",", r.checks()) + "]", () -> replay(row, resolved)));
    }
    assertTrue(replayed >= 8, "replayed rows: " + replayed);
    return tests.stream();
  }

  private static void replay(Map<String, String> row, Replay r) {
    StringBuilder out = new StringBuilder(key(row));
    BudgetModel idle = model(r, OptionalLong.empty());
    double beforeGib = r.before().isEmpty() ? Double.NaN : before(row, r.before());
    BudgetModel m =
        Double.isNaN(beforeGib) ? idle : model(r, OptionalLong.of(freeForT(idle, beforeGib)));
    double f = m.plan().requestedFraction();
    MemoryBudget b = m.at(f);
    out.append(
        String.format(
            Locale.ROOT,
            "%n  SGLang %s, fraction %.4f (%s), T %.2f GiB, A %.2f GiB, cell %d B",
            r.version(),
            f,
            m.plan().fractionFromFlag() ? "flag" : "SGLang's default",
            b.preLoadFreeBytes() / GIB,
            b.availableAfterLoadBytes() / GIB,
            b.kvBytesPerToken()));
    if (!row.get("avail_after_load_gb").isEmpty()) {
      out.append(
          String.format(
              Locale.ROOT, " (logged A %.2f GiB)", number(row.get("avail_after_load_gb"))));
    }
    for (String check : r.checks()) {
      switch (check) {
        case "tokens" -> {
          long logged = (long) number(row.get("kv_tokens"));
          double err = b.kvTokens() / (double) logged - 1;
          out.append(
              String.format(
                  Locale.ROOT,
                  "%n  tokens: predicted %,d vs logged %,d: %+.2f %%",
                  b.kvTokens(),
                  logged,
                  100 * err));
          assertTrue(Math.abs(err) <= 0.03, out.toString());
        }
        case "t" -> {
          double predicted = idle.at(0.5).preLoadFreeBytes() / GIB;
          double diff = predicted - beforeGib;
          out.append(
              String.format(
                  Locale.ROOT,
                  "%n  T on an idle %s: predicted %.2f GiB vs logged %.2f: %+.2f GiB",
                  r.gpu(),
                  predicted,
                  beforeGib,
                  diff));
          assertTrue(diff <= 0.3 && diff >= -1.0, out.toString());
        }
        case "reqtable" -> {
          double logged =
              number(row.get("avail_after_load_gb"))
                  - number(row.get("kv_size_gb"))
                  - number(row.get("avail_after_pool_gb"));
          long terms =
              BudgetModelTest.item(b.reserveItems(), "request-to-token table").bytes()
                  + BudgetModelTest.item(b.reserveItems(), "KV free list").bytes();
          int buffers = (m.kvLayout().mla() ? 1 : 2) * m.weights().worstRank().layers();
          double low = terms / GIB - 0.015;
          double high = (terms + 2 * MIB * buffers) / GIB + 0.015;
          out.append(
              String.format(
                  Locale.ROOT,
                  "%n  load end -> pool end beyond KV: logged %.2f GiB vs request table + free"
                      + " list %.3f GiB (+ up to %.3f GiB of 2 MiB rounding over %d buffers)",
                  logged,
                  terms / GIB,
                  2.0 * buffers / 1024,
                  buffers));
          assertTrue(logged >= low && logged <= high, out.toString());
        }
        case "gap" -> {
          double logged =
              number(row.get("avail_after_pool_gb")) - Double.parseDouble(r.captureBegin());
          long predicted =
              BudgetModelTest.item(b.reserveItems(), "attention backend workspace").bytes()
                  + BudgetModelTest.item(b.reserveItems(), "cuBLAS workspace").bytes();
          double err = predicted / GIB / logged - 1;
          out.append(
              String.format(
                  Locale.ROOT,
                  "%n  pool end -> capture begin: predicted %.2f GiB (%s workspace + cuBLAS) vs"
                      + " logged %.2f: %+.1f %%",
                  predicted / GIB,
                  m.plan().attentionBackend(),
                  logged,
                  100 * err));
          assertTrue(Math.abs(err) <= 0.15, out.toString());
        }
        case "graph" -> {
          double logged = number(row.get("cuda_graph_mem_gb"));
          double predicted = graphTerm(b) / GIB;
          double err = predicted / logged - 1;
          out.append(
              String.format(
                  Locale.ROOT,
                  "%n  CUDA graphs (%d sizes up to %d, %s): predicted %.2f GiB vs logged %.2f:"
                      + " %+.1f %%",
                  b.decodeCaptureList().size(),
                  b.decodeCaptureList().getLast(),
                  m.plan().attentionBackend(),
                  predicted,
                  logged,
                  100 * err));
          assertTrue(Math.abs(err) <= 0.15, out.toString());
        }
        default -> fail("unknown check " + check + " for " + r.key());
      }
    }
    System.out.println(out);
  }

  // ------------------------------------------------------------------ graph calibration

  @TestFactory
  Stream<DynamicTest> graphCalibration_withinFifteenPercent() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Map<String, String> row : rows("/evidence/graph-calibration.tsv")) {
      tests.add(
          DynamicTest.dynamicTest(
              row.get("url") + " | " + row.get("case"),
              () -> {
                Replay r =
                    new Replay(
                        row.get("case"),
                        true,
                        row.get("sglang_version"),
                        row.get("gpu"),
                        row.get("model"),
                        args(row.get("args")),
                        "",
                        "default",
                        Set.of("graph"),
                        "",
                        row.get("note"));
                double predicted = graphTerm(model(r, OptionalLong.empty()));
                String what = "the CUDA-graph term";
                if (!row.get("baseline_args").isEmpty()) {
                  Replay base =
                      new Replay(
                          r.key(),
                          true,
                          r.version(),
                          r.gpu(),
                          r.catalogModel(),
                          args(row.get("baseline_args")),
                          "",
                          "default",
                          r.checks(),
                          "",
                          r.note());
                  predicted -= graphTerm(model(base, OptionalLong.empty()));
                  what = "the CUDA-graph term minus the term with " + row.get("baseline_args");
                }
                double logged = Double.parseDouble(row.get("logged_gib"));
                double err = predicted / GIB / logged - 1;
                String msg =
                    String.format(
                        Locale.ROOT,
                        "%s | %s: %s predicted %.2f GiB vs logged %.2f: %+.1f %%",
                        row.get("url"),
                        row.get("case"),
                        what,
                        predicted / GIB,
                        logged,
                        100 * err);
                System.out.println(msg);
                assertTrue(Math.abs(err) <= 0.15, msg);
              }));
    }
    assertEquals(2, tests.size());
    return tests.stream();
  }

  private static long graphTerm(BudgetModel m) {
    return graphTerm(m.at(m.plan().requestedFraction()));
  }

  private static long graphTerm(MemoryBudget b) {
    return b.reserveItems().stream()
        .filter(i -> i.name().equals("CUDA-graph capture"))
        .mapToLong(BudgetItem::bytes)
        .sum();
  }

  // ------------------------------------------------------------------ launches

  private static BudgetModel model(Replay r, OptionalLong freeBytes) {
    return Evidence.model(r.version(), r.gpu(), r.catalogModel(), r.args(), freeBytes);
  }

  /** The free memory that makes the model's T equal {@code beforeGib}. */
  private static long freeForT(BudgetModel idle, double beforeGib) {
    return Evidence.freeForT(idle, beforeGib);
  }

  private static double before(Map<String, String> row, String spec) {
    if (spec.equals("column")) {
      return number(row.get("avail_before_load_gb"));
    }
    return Arrays.stream(spec.split("\\+")).mapToDouble(Double::parseDouble).sum();
  }

  // ------------------------------------------------------------------ files

  private static Map<String, Replay> replays() throws IOException {
    Map<String, Replay> out = new LinkedHashMap<>();
    for (Map<String, String> l : rows("/evidence/startup-log-replays.tsv")) {
      String key = key(l);
      List<String> args = args(l.get("args"));
      String mfs = l.get("mem_fraction_static");
      Replay r =
          new Replay(
              key,
              l.get("action").equals("replay"),
              l.get("sglang_version"),
              l.get("gpu"),
              l.get("catalog_model"),
              args,
              l.get("avail_before_load_gib"),
              mfs,
              l.get("checks").isEmpty()
                  ? Set.of()
                  : new java.util.LinkedHashSet<>(List.of(l.get("checks").split(","))),
              l.get("capture_begin_avail_gib"),
              l.get("note"));
      if (out.put(key, r) != null) {
        fail("duplicate line " + key);
      }
    }
    return out;
  }

  /** The line's launch with its fraction: the log row's column, a number, or SGLang's default. */
  private static Replay withFraction(Replay r, Map<String, String> row) {
    List<String> args = new ArrayList<>(r.args());
    switch (r.mfs()) {
      case "default" -> {}
      case "column" -> {
        // a row that shows no fraction ran with SGLang's default
        if (Evidence.hasNumber(row.get("mem_fraction_static"))) {
          args.addAll(
              List.of(
                  "--mem-fraction-static", String.valueOf(number(row.get("mem_fraction_static")))));
        }
      }
      default -> args.addAll(List.of("--mem-fraction-static", r.mfs()));
    }
    return new Replay(
        r.key(),
        r.replay(),
        r.version(),
        r.gpu(),
        r.catalogModel(),
        args,
        r.before(),
        r.mfs(),
        r.checks(),
        r.captureBegin(),
        r.note());
  }

  private static List<String> args(String text) {
    return text.isBlank() ? List.of() : List.of(text.trim().split(" +"));
  }

  private static String key(Map<String, String> row) {
    return row.get("url") + " | " + row.get("model") + " | " + row.get("dtype_or_quant");
  }

  private static double number(String cell) {
    return Evidence.number(cell);
  }

  private static List<Map<String, String>> rows(String resource) throws IOException {
    return Evidence.rows(resource);
  }
}
