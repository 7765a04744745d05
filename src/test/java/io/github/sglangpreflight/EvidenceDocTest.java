package io.github.sglangpreflight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.sglangpreflight.budget.BudgetModel;
import io.github.sglangpreflight.budget.MemoryBudget;
import io.github.sglangpreflight.decision.Decision;
import io.github.sglangpreflight.gpu.GpuInventorySource;
import io.github.sglangpreflight.model.source.ModelCatalog;
import io.github.sglangpreflight.model.source.ModelResolver;
import io.github.sglangpreflight.report.PreflightReport;
import io.github.sglangpreflight.sglang.args.LaunchCommand;
import io.github.sglangpreflight.testing.Evidence;
import io.github.sglangpreflight.units.Units;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Generates docs/evidence.md: every row of the evidence tables replayed, with the error of T, of
 * the weights (what loading takes: T minus A) and of the KV token count where the row logs them,
 * the verdict {@link Preflight#check} gives the launch, the distribution of the errors and the
 * verdicts that contradict the outcome. The document must equal the generated one: the test fails
 * when it is stale. Targets are reported, not asserted (the per-check tests assert their own
 * tolerances); a row outside a target names its cause from the side table.
 */
class EvidenceDocTest {
  private static final double GIB = 1L << 30;
  private static final String REGENERATE =
      "bin/mvn-jdk -B -o test -pl src/library -Dtest=EvidenceDocTest -Devidence.regenerate=true";
  private static final double T_TARGET = 1.5;
  private static final double WEIGHTS_TARGET = 3.0;
  private static final double KV_TARGET = 5.0;

  /** What a launch's outcome says about the verdict. */
  private enum Outcome {
    /** It started: a REJECT or an ADJUST to a lower fraction contradicts it. */
    WORKS,
    /** Out of memory, or refused by SGLang: an ACCEPT contradicts it. */
    FAILS,
    /** The outcome does not say whether memory was the cause (or the log ends before it). */
    UNCLEAR
  }

  private record Row(
      String source,
      String what,
      Optional<String> skipped,
      OptionalDouble tError,
      OptionalDouble weightsError,
      OptionalDouble kvError,
      String figures,
      String verdict,
      Outcome outcome,
      boolean contradicts,
      String headline,
      String note) {}

  private final List<Row> startup = new ArrayList<>();
  private final List<Row> oom = new ArrayList<>();
  private final List<Row> cases = new ArrayList<>();

  @Test
  void evidenceDoc_isCurrent() throws IOException, URISyntaxException {
    startupLogs();
    oomReports();
    publicCases();
    String md = document();

    Path base = Path.of(System.getProperty("project.basedir", "."));
    Files.createDirectories(base.resolve("target"));
    Files.writeString(base.resolve("target/evidence.md"), md);
    Path committed = base.resolve("docs/evidence.md");
    if (Boolean.getBoolean("evidence.regenerate")) {
      Files.writeString(committed, md);
    }
    String expected = Files.exists(committed) ? Files.readString(committed) : "";
    if (!expected.equals(md)) {
      fail(
          "docs/evidence.md differs from target/evidence.md (diff them); if the new numbers are"
              + " right, regenerate with: "
              + REGENERATE);
    }
    // the targets on verdicts: no known-working launch rejected or lowered, no failing one accepted
    List<String> contradicted =
        java.util.stream.Stream.of(startup, oom, cases)
            .flatMap(List::stream)
            .filter(Row::contradicts)
            .map(r -> r.source() + " (" + r.what() + "): " + r.headline())
            .toList();
    assertEquals(List.of(), contradicted, "verdicts that contradict the outcome");
    // every row of the three tables is in the document, replayed or with its reason
    assertEquals(
        Evidence.rows("/evidence/sglang-startup-logs.tsv").size()
            + Evidence.rows("/evidence/oom-replays.tsv").size()
            + Evidence.rows("/evidence/public-cases.tsv").size(),
        startup.size() + oom.size() + cases.size());
  }

  // ------------------------------------------------------------------ start-up logs

  private void startupLogs() throws IOException {
    Map<String, Map<String, String>> replays = new LinkedHashMap<>();
    for (Map<String, String> l : Evidence.rows("/evidence/startup-log-replays.tsv")) {
      replays.put(key(l), l);
    }
    for (Map<String, String> row : Evidence.rows("/evidence/sglang-startup-logs.tsv")) {
      Map<String, String> r = replays.get(key(row));
      String what = row.get("model") + " " + row.get("dtype_or_quant");
      if (r == null || !r.get("action").equals("replay")) {
        startup.add(skipped(row.get("url"), what, r == null ? "no replay line" : r.get("note")));
        continue;
      }
      startup.add(startupRow(row, r));
    }
  }

  private Row startupRow(Map<String, String> row, Map<String, String> r) {
    String version = r.get("sglang_version");
    String gpu = r.get("gpu");
    String model = r.get("catalog_model");
    List<String> args = new ArrayList<>(Evidence.args(r.get("args")));
    switch (r.get("mem_fraction_static")) {
      case "default" -> {}
      case "column" -> {
        if (Evidence.hasNumber(row.get("mem_fraction_static"))) {
          args.addAll(
              List.of(
                  "--mem-fraction-static",
                  String.valueOf(Evidence.number(row.get("mem_fraction_static")))));
        }
      }
      default -> args.addAll(List.of("--mem-fraction-static", r.get("mem_fraction_static")));
    }
    BudgetModel idle = Evidence.model(version, gpu, model, args, OptionalLong.empty());
    String beforeSpec = r.get("avail_before_load_gib");
    OptionalDouble before = OptionalDouble.empty();
    if (beforeSpec.equals("column")) {
      before = OptionalDouble.of(Evidence.number(row.get("avail_before_load_gb")));
    } else if (!beforeSpec.isEmpty()) {
      before = OptionalDouble.of(Evidence.sum(beforeSpec));
    }
    OptionalLong free =
        before.isPresent()
            ? OptionalLong.of(Evidence.freeForT(idle, before.getAsDouble()))
            : OptionalLong.empty();
    BudgetModel pinned = Evidence.model(version, gpu, model, args, free);
    MemoryBudget b = pinned.at(pinned.plan().requestedFraction());
    double idleT = idle.at(0.5).preLoadFreeBytes() / GIB;
    List<String> figures = new ArrayList<>();

    // T: an idle GPU of that model against the logged avail before load (preset GPUs only: the
    // idle memory of a GPU without a preset is not known)
    OptionalDouble tError = OptionalDouble.empty();
    if (before.isPresent() && Evidence.gpu(gpu).preset()) {
      tError = OptionalDouble.of(pct(idleT, before.getAsDouble()));
      figures.add(String.format(Locale.ROOT, "T %.2f vs %.2f", idleT, before.getAsDouble()));
    }
    // weights: what loading takes (T - A) against before - after
    OptionalDouble weightsError = OptionalDouble.empty();
    if (before.isPresent() && Evidence.hasNumber(row.get("avail_after_load_gb"))) {
      double logged = before.getAsDouble() - Evidence.number(row.get("avail_after_load_gb"));
      double predicted = (b.preLoadFreeBytes() - b.availableAfterLoadBytes()) / GIB;
      weightsError = OptionalDouble.of(pct(predicted, logged));
      figures.add(String.format(Locale.ROOT, "W %.2f vs %.2f", predicted, logged));
    }
    // KV tokens at the row's fraction, T as logged (or an idle GPU's where not logged)
    OptionalDouble kvError = OptionalDouble.empty();
    if (Evidence.hasNumber(row.get("kv_tokens"))) {
      double logged = Evidence.number(row.get("kv_tokens"));
      kvError = OptionalDouble.of(pct(b.kvTokens(), logged));
      figures.add(
          String.format(
              Locale.ROOT,
              "KV %,d vs %,d%s, cell %,d B",
              b.kvTokens(),
              (long) logged,
              before.isPresent() ? "" : " (T idle)",
              b.kvBytesPerToken()));
    }
    Outcome outcome =
        switch (row.get("outcome")) {
          case "ok" -> Outcome.WORKS;
          case "not_enough_memory", "oom_at_graph", "oom_unknown_stage" -> Outcome.FAILS;
          default -> Outcome.UNCLEAR;
        };
    int gpus =
        LaunchCommand.parse(Evidence.command(model, args), Map.of())
            .serverArgs()
            .parallelism()
            .gpusPerNode();
    PreflightReport report =
        preflight(version, Evidence.inventory(gpu, gpus, free))
            .check(Evidence.command(model, args), Map.of());
    return new Row(
        row.get("url"),
        row.get("model") + " " + row.get("dtype_or_quant") + ", " + row.get("outcome"),
        Optional.empty(),
        tError,
        weightsError,
        kvError,
        String.join("; ", figures),
        verdict(report),
        outcome,
        contradicts(report, outcome),
        report.headline(),
        r.get("miss_cause").isBlank() ? r.get("note") : r.get("miss_cause"));
  }

  // ------------------------------------------------------------------ OOM reports

  private void oomReports() throws IOException, URISyntaxException {
    for (Map<String, String> l : Evidence.rows("/evidence/oom-replays.tsv")) {
      String what = l.get("case").isBlank() ? "(report)" : l.get("case");
      if (!l.get("action").equals("replay")) {
        oom.add(skipped(l.get("issue_url"), what, l.get("note")));
        continue;
      }
      Map<String, String> env = new LinkedHashMap<>();
      if (!l.get("env").isBlank()) {
        for (String kv : l.get("env").split(";")) {
          int eq = kv.indexOf('=');
          env.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
      }
      PreflightReport report =
          preflight(l.get("sglang_version"), PreflightOomCasesTest.gpus(l.get("gpus")))
              .check(Evidence.args(l.get("command")), env);
      Outcome outcome =
          switch (l.get("expect")) {
            case "SAFE", "FITS", "NOT_REFUSED_UNBALANCED" -> Outcome.WORKS;
            default -> Outcome.FAILS;
          };
      boolean contradicts =
          switch (l.get("expect")) {
            case "REFUSED_UNBALANCED", "REJECT_NO_FRACTION" -> report.decision() != Decision.REJECT;
            case "SAFE" -> report.decision() != Decision.ACCEPT;
            case "NOT_REFUSED_UNBALANCED" ->
                report.reasons().stream().anyMatch(x -> x.contains("unbalanced"));
            default -> contradicts(report, outcome);
          };
      oom.add(
          new Row(
              l.get("issue_url"),
              what + " (" + l.get("expect") + ")",
              Optional.empty(),
              OptionalDouble.empty(),
              OptionalDouble.empty(),
              OptionalDouble.empty(),
              "",
              verdict(report),
              outcome,
              contradicts,
              report.headline(),
              l.get("note")));
    }
  }

  // ------------------------------------------------------------------ public cases

  private void publicCases() throws IOException {
    for (Map<String, String> l : Evidence.rows("/evidence/public-cases.tsv")) {
      if (!l.get("action").equals("replay")) {
        cases.add(skipped(l.get("url"), l.get("case"), l.get("note")));
        continue;
      }
      String version = l.get("sglang_version");
      List<String> args = Evidence.args(l.get("args"));
      BudgetModel idle =
          Evidence.model(version, l.get("gpu"), l.get("catalog_model"), args, OptionalLong.empty());
      MemoryBudget b = idle.at(idle.plan().requestedFraction());
      OptionalDouble weightsError = OptionalDouble.empty();
      String figures = "";
      if (!l.get("logged_weights_gib").isBlank()) {
        double logged = Double.parseDouble(l.get("logged_weights_gib"));
        double predicted = idle.weights().worstRank().bytes() / GIB;
        weightsError = OptionalDouble.of(pct(predicted, logged));
        figures = String.format(Locale.ROOT, "W %.2f vs %.1f (weights only)", predicted, logged);
      }
      Outcome outcome = l.get("expect").equals("WORKS") ? Outcome.WORKS : Outcome.FAILS;
      PreflightReport report =
          preflight(
                  version,
                  Evidence.inventory(
                      l.get("gpu"), Integer.parseInt(l.get("count")), OptionalLong.empty()))
              .check(Evidence.command(l.get("catalog_model"), args), Map.of());
      cases.add(
          new Row(
              l.get("url"),
              l.get("case"),
              Optional.empty(),
              OptionalDouble.empty(),
              weightsError,
              OptionalDouble.empty(),
              figures + (figures.isEmpty() ? "" : "; ") + kvFigure(b),
              verdict(report),
              outcome,
              contradicts(report, outcome),
              report.headline(),
              l.get("note")));
    }
  }

  private static String kvFigure(MemoryBudget b) {
    return String.format(Locale.ROOT, "KV %,d predicted", b.kvTokens());
  }

  // ------------------------------------------------------------------ verdicts

  private static Preflight preflight(String version, GpuInventorySource gpus) {
    return Preflight.newBuilder()
        .gpuSource(gpus)
        .sglangVersion(version)
        .modelResolver(
            new ModelResolver(Map.of(), Path.of("/nonexistent-home"), ModelCatalog.builtIn()))
        .build();
  }

  private static String verdict(PreflightReport r) {
    StringBuilder b =
        new StringBuilder(r.decision().name())
            .append(String.format(Locale.ROOT, " at %.3f", r.requestedFraction()));
    if (r.decision() == Decision.ADJUST && r.recommendedFraction().isPresent()) {
      b.append(" → ").append(Units.fraction(r.recommendedFraction().getAsDouble()));
    }
    return b.toString();
  }

  /** A working launch rejected or lowered, or a failing one accepted. */
  private static boolean contradicts(PreflightReport r, Outcome outcome) {
    return switch (outcome) {
      case WORKS ->
          r.decision() == Decision.REJECT
              || (r.decision() == Decision.ADJUST
                  && r.recommendedFraction().isPresent()
                  && r.recommendedFraction().getAsDouble() < r.requestedFraction());
      case FAILS -> r.decision() == Decision.ACCEPT;
      case UNCLEAR -> false;
    };
  }

  // ------------------------------------------------------------------ the document

  private String document() {
    StringBuilder md = new StringBuilder();
    md.append("# Evidence replays\n\n")
        .append("Generated by `EvidenceDocTest` (src/test/java/io/github/sglangpreflight); the")
        .append(" test fails when this file differs from what it generates. Regenerate:\n`")
        .append(REGENERATE)
        .append("`.\n\n")
        .append("Every row of the evidence tables in `src/test/resources/evidence` (each row cites")
        .append(" its public source; README.md there says\nwhere the tables come from): the")
        .append(" start-up logs (`sglang-startup-logs.tsv` with `startup-log-replays.tsv`), the")
        .append(" out-of-memory\nreports (`oom-cases.tsv` with `oom-replays.tsv`) and further")
        .append(" public cases (`public-cases.tsv`).\n\n")
        .append("- **T**: the budget's T on an idle GPU of that model against the logged free")
        .append(" memory at \"Load weight begin\" (GPUs with a preset only).\n")
        .append("- **weights**: what loading takes (T minus A, the free memory after the weights")
        .append(
            " and the other pre-pool allocations),\n  with T set to the logged one, against the")
        .append(" logged before minus after; for a public case, the weights per rank against the")
        .append(" stated figure.\n")
        .append("- **KV tokens**: the pool's token count at the row's fraction with T set to the")
        .append(" logged one (an idle GPU's where the log has none).\n")
        .append("- **verdict**: what `Preflight.check` says about the launch on GPUs with that T")
        .append(" (an idle GPU where none is logged). A working\n  launch is contradicted by a")
        .append(" REJECT or an ADJUST to a lower fraction, a failing one by an ACCEPT.\n")
        .append("- Errors are (predicted − logged) / logged. Targets: T within ")
        .append(fmt(T_TARGET))
        .append(" %, weights within ")
        .append(fmt(WEIGHTS_TARGET))
        .append(" %, KV tokens within ")
        .append(fmt(KV_TARGET))
        .append(" %.\n\n");

    List<Row> all = new ArrayList<>(startup);
    all.addAll(oom);
    all.addAll(cases);
    md.append("## Summary\n\n")
        .append("| quantity | rows | median abs error | p90 | max | within target |\n")
        .append("|---|---|---|---|---|---|\n");
    summary(md, "T", all.stream().map(Row::tError).toList(), T_TARGET);
    summary(md, "weights", all.stream().map(Row::weightsError).toList(), WEIGHTS_TARGET);
    summary(md, "KV tokens", all.stream().map(Row::kvError).toList(), KV_TARGET);
    long works =
        all.stream().filter(r -> r.skipped().isEmpty() && r.outcome() == Outcome.WORKS).count();
    long worksContradicted =
        all.stream()
            .filter(r -> r.skipped().isEmpty() && r.outcome() == Outcome.WORKS && r.contradicts())
            .count();
    long fails =
        all.stream().filter(r -> r.skipped().isEmpty() && r.outcome() == Outcome.FAILS).count();
    long failsContradicted =
        all.stream()
            .filter(r -> r.skipped().isEmpty() && r.outcome() == Outcome.FAILS && r.contradicts())
            .count();
    long unclear =
        all.stream().filter(r -> r.skipped().isEmpty() && r.outcome() == Outcome.UNCLEAR).count();
    long skippedRows = all.stream().filter(r -> r.skipped().isPresent()).count();
    md.append('\n')
        .append(
            String.format(
                Locale.ROOT,
                "Verdicts: %d known-working launches, %d rejected or lowered; %d known-failing"
                    + " launches (out of memory or refused), %d accepted; %d launches whose"
                    + " outcome does not show memory as the cause; %d rows skipped, each with its"
                    + " reason.%n%n",
                works,
                worksContradicted,
                fails,
                failsContradicted,
                unclear,
                skippedRows));

    section(md, "Start-up logs", startup, true);
    section(md, "Out-of-memory reports", oom, false);
    section(md, "Public cases", cases, true);

    md.append("## Rows outside a target, and why\n\n");
    boolean any = false;
    for (Row r : all) {
      List<String> misses = new ArrayList<>();
      miss(misses, "T", r.tError(), T_TARGET);
      miss(misses, "weights", r.weightsError(), WEIGHTS_TARGET);
      miss(misses, "KV tokens", r.kvError(), KV_TARGET);
      if (r.contradicts()) {
        misses.add("the verdict contradicts the outcome (" + r.headline() + ")");
      }
      if (!misses.isEmpty()) {
        any = true;
        md.append("- ")
            .append(r.source())
            .append(" (")
            .append(r.what())
            .append("): ")
            .append(String.join(", ", misses))
            .append(". ")
            .append(r.note())
            .append('\n');
      }
    }
    if (!any) {
      md.append("None.\n");
    }
    return md.toString();
  }

  private static void section(StringBuilder md, String title, List<Row> rows, boolean errors) {
    md.append("## ").append(title).append("\n\n");
    if (errors) {
      md.append("| source | row | T | weights | KV tokens | figures (GiB, tokens) | verdict |")
          .append(" outcome |\n|---|---|---|---|---|---|---|---|\n");
    } else {
      md.append("| source | case | verdict | outcome |\n|---|---|---|---|\n");
    }
    for (Row r : rows) {
      md.append("| ").append(link(r.source())).append(" | ").append(cell(r.what())).append(" | ");
      if (r.skipped().isPresent()) {
        md.append(errors ? " | | | | " : "").append("skipped: ").append(cell(r.skipped().get()));
        md.append(" | |\n");
        continue;
      }
      if (errors) {
        md.append(err(r.tError()))
            .append(" | ")
            .append(err(r.weightsError()))
            .append(" | ")
            .append(err(r.kvError()))
            .append(" | ")
            .append(cell(r.figures()))
            .append(" | ");
      }
      md.append(r.verdict())
          .append(" | ")
          .append(r.outcome().name().toLowerCase(Locale.ROOT))
          .append(r.contradicts() ? " **contradicted**" : "")
          .append(" |\n");
    }
    md.append('\n');
  }

  private static void summary(
      StringBuilder md, String name, List<OptionalDouble> errors, double target) {
    List<Double> abs =
        errors.stream()
            .filter(OptionalDouble::isPresent)
            .map(e -> Math.abs(e.getAsDouble()))
            .sorted()
            .toList();
    if (abs.isEmpty()) {
      md.append("| ").append(name).append(" | 0 | | | | |\n");
      return;
    }
    long within = abs.stream().filter(e -> e <= target).count();
    md.append(
        String.format(
            Locale.ROOT,
            "| %s | %d | %.2f %% | %.2f %% | %.2f %% | %d of %d (±%s %%) |%n",
            name,
            abs.size(),
            quantile(abs, 0.5),
            quantile(abs, 0.9),
            abs.getLast(),
            within,
            abs.size(),
            fmt(target)));
  }

  /** Nearest rank: the smallest value with at least {@code q} of the values at or below it. */
  private static double quantile(List<Double> sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  private static void miss(List<String> out, String name, OptionalDouble e, double target) {
    if (e.isPresent() && Math.abs(e.getAsDouble()) > target) {
      out.add(
          String.format(
              Locale.ROOT, "%s %+.2f %% (target ±%s %%)", name, e.getAsDouble(), fmt(target)));
    }
  }

  private static Row skipped(String source, String what, String reason) {
    return new Row(
        source,
        what,
        Optional.of(reason),
        OptionalDouble.empty(),
        OptionalDouble.empty(),
        OptionalDouble.empty(),
        "",
        "",
        Outcome.UNCLEAR,
        false,
        "",
        reason);
  }

  private static double pct(double predicted, double logged) {
    return 100 * (predicted / logged - 1);
  }

  private static String err(OptionalDouble e) {
    return e.isPresent() ? String.format(Locale.ROOT, "%+.2f %%", e.getAsDouble()) : "";
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  private static String link(String url) {
    String label =
        url.replaceFirst("^https://github.com/", "")
            .replace("/issues/", "#")
            .replace("/pull/", " PR ")
            .replaceFirst("^https://", "");
    return "[" + label + "](" + url + ")";
  }

  private static String cell(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }

  private static String key(Map<String, String> row) {
    return row.get("url") + " | " + row.get("model") + " | " + row.get("dtype_or_quant");
  }
}
