package io.github.sglangpreflight.report;

import com.fasterxml.jackson.jr.ob.JSON;
import io.github.sglangpreflight.decision.ReasonDetail;
import io.github.sglangpreflight.decision.RemedyId;
import io.github.sglangpreflight.units.Units;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Renders a {@link PreflightReport}: a table for people (per-GPU memory, the budget terms with
 * their formulas, the decision, remedies, and a stacked bar per GPU), or JSON with a stable,
 * documented schema (docs/report-schema.md). Pure: returns strings, prints nothing.
 */
public final class ReportFormat {
  private static final double GIB = 1L << 30;
  private static final JSON JSON_WRITER =
      JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT, JSON.Feature.WRITE_NULL_PROPERTIES);

  private ReportFormat() {}

  // ------------------------------------------------------------------------------------ JSON

  /** The report as pretty-printed JSON (schema {@value PreflightReport#SCHEMA}). */
  public static String toJson(PreflightReport r) {
    try {
      return JSON_WRITER.asString(toMap(r));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report as JSON", e);
    }
  }

  /** The report as the ordered map the JSON is written from. */
  public static Map<String, Object> toMap(PreflightReport report) {
    PreflightReport r = report.masked();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("schema", PreflightReport.SCHEMA);
    m.put("decision", r.decision().name());
    m.put("policy", r.policy().name().toLowerCase(Locale.ROOT));
    m.put("checked", r.checked());
    m.put(
        "requestedFraction",
        r.checked() || r.requestedFractionSource() == PreflightReport.FractionSource.FLAG
            ? r.requestedFraction()
            : null);
    m.put("requestedFractionSource", r.requestedFractionSource().label());
    m.put("recommendedFraction", num(r.recommendedFraction()));
    m.put("maxSafeFraction", num(r.maxSafeFraction()));
    m.put("minFraction", num(r.minFraction()));
    m.put("sglangVersion", r.sglang().version());
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("version", r.sglang().version());
    s.put("versionSource", r.sglang().versionSource());
    s.put("profile", r.sglang().profile());
    s.put("defaultFraction", r.checked() ? r.sglang().defaultFraction() : null);
    s.put("defaultFractionFormula", r.sglang().defaultFractionFormula());
    s.put("defaultFractionSource", r.sglang().defaultFractionSource());
    m.put("sglang", s);
    m.put(
        "model",
        r.model()
            .map(
                md -> {
                  Map<String, Object> x = new LinkedHashMap<>();
                  x.put("id", md.id());
                  x.put("origin", md.origin());
                  x.put("location", md.location());
                  x.put("architecture", md.architecture());
                  x.put("tensorsMeasured", md.tensorsMeasured());
                  return (Object) x;
                })
            .orElse(null));
    m.put("gpuSource", r.gpuSource());
    List<Object> gpus = new ArrayList<>();
    for (PreflightReport.GpuReport g : r.gpus()) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("index", g.index());
      x.put("nvmlIndex", g.nvmlIndex());
      x.put("uuid", g.uuid());
      x.put("name", g.name());
      x.put("pciBusId", g.pciBusId());
      x.put("totalBytes", g.totalBytes());
      x.put("reservedBytes", num(g.reservedBytes()));
      x.put("freeBytes", g.freeBytes());
      x.put("usedBytes", g.usedBytes());
      x.put("preLoadFreeBytes", g.preLoadFreeBytes());
      x.put("weightsBytes", g.weightsBytes());
      x.put("kvPoolBytes", g.kvPoolBytes());
      x.put("reserveNeededBytes", g.reserveNeededBytes());
      x.put("headroomBytes", g.headroomBytes());
      Map<String, Object> link = new LinkedHashMap<>();
      link.put("kind", g.interconnect());
      link.put("source", g.interconnectSource());
      x.put("interconnect", link);
      List<Object> procs = new ArrayList<>();
      for (PreflightReport.Process p : g.processes()) {
        Map<String, Object> y = new LinkedHashMap<>();
        y.put("pid", p.pid());
        y.put("usedBytes", num(p.usedBytes()));
        y.put("name", p.name().orElse(null));
        procs.add(y);
      }
      x.put("processes", procs);
      gpus.add(x);
    }
    m.put("gpus", gpus);
    m.put("estimate", r.estimate().map(ReportFormat::estimate).orElse(null));
    m.put("adjustedEstimate", r.adjustedEstimate().map(ReportFormat::estimate).orElse(null));
    m.put("reasons", r.reasons());
    m.put("reasonDetails", r.reasonDetails().stream().map(ReportFormat::reason).toList());
    List<Object> remedies = new ArrayList<>();
    for (PreflightReport.Remedy x : r.remedies()) {
      Map<String, Object> y = new LinkedHashMap<>();
      y.put("id", x.id().id());
      y.put("change", x.change());
      y.put("arguments", x.arguments());
      y.put("freesBytes", x.freesBytes());
      y.put("cost", x.cost());
      y.put("sufficient", x.sufficient());
      y.put("maxSafeFractionAfter", num(x.maxSafeFractionAfter()));
      remedies.add(y);
    }
    m.put("remedies", remedies);
    m.put("command", r.command());
    m.put("originalCommand", r.originalCommand());
    m.put("notes", r.notes());
    return m;
  }

  /** One structured reason: its id, then its values by name, then its remedies. */
  private static Map<String, Object> reason(ReasonDetail reason) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", reason.id().id());
    m.putAll(reason.fields());
    m.put("remedies", reason.remedies().stream().map(RemedyId::id).toList());
    return m;
  }

  private static Map<String, Object> estimate(PreflightReport.Estimate e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("fraction", e.fraction());
    m.put("preLoadFreeBytes", e.preLoadFreeBytes());
    m.put("availableAfterLoadBytes", e.availableAfterLoadBytes());
    m.put("weightsBytesPerGpu", e.weightsBytesPerGpu());
    m.put("weightParts", items(e.weightParts()));
    m.put("kvBytesPerToken", e.kvBytesPerToken());
    m.put("kvTokens", e.kvTokens());
    m.put("kvPoolBytes", e.kvPoolBytes());
    List<Object> pools = new ArrayList<>();
    for (PreflightReport.KvPool p : e.kvPools()) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("kind", p.kind());
      x.put("layers", p.layers());
      x.put("bytesPerUnit", p.bytesPerUnit());
      x.put("unit", p.unit());
      x.put("units", p.units());
      x.put("formula", p.formula());
      x.put("source", p.source());
      pools.add(x);
    }
    m.put("kvPools", pools);
    m.put("reserveBytes", e.reserveBytes());
    m.put("reserveNeededBytes", e.reserveNeededBytes());
    m.put("safetyMarginBytes", e.safetyMarginBytes());
    m.put("headroomBytes", e.headroomBytes());
    m.put("worstGpu", e.worstGpu());
    m.put("overheads", items(e.overheads()));
    m.put("prePool", items(e.prePool()));
    m.put("items", items(e.items()));
    m.put("decodeCaptureList", e.decodeCaptureList());
    List<Object> gpus = new ArrayList<>();
    for (PreflightReport.GpuShare g : e.gpus()) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("index", g.index());
      x.put("preLoadFreeBytes", g.preLoadFreeBytes());
      x.put("prePoolBytes", g.prePoolBytes());
      x.put("kvPoolBytes", g.kvPoolBytes());
      x.put("reserveNeededBytes", g.reserveNeededBytes());
      x.put("headroomBytes", g.headroomBytes());
      gpus.add(x);
    }
    m.put("gpus", gpus);
    return m;
  }

  private static List<Object> items(List<PreflightReport.Item> items) {
    List<Object> out = new ArrayList<>();
    for (PreflightReport.Item i : items) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", i.id().id());
      m.put("name", i.name());
      m.put("bytes", i.bytes());
      m.put("basis", i.basis());
      m.put("formula", i.formula());
      m.put("source", i.source());
      out.add(m);
    }
    return out;
  }

  private static Object num(OptionalDouble d) {
    return d.isPresent() ? (Object) d.getAsDouble() : null;
  }

  private static Object num(OptionalLong d) {
    return d.isPresent() ? (Object) d.getAsLong() : null;
  }

  // ------------------------------------------------------------------------------------ text

  /**
   * How the table is drawn.
   *
   * @param width the line width (bars and wrapped sentences fit it), at least 60
   * @param unicode block characters for the bars (else ASCII)
   * @param verbose the full report ({@code --verbose}): each term's formula and source under it,
   *     the budget at the requested fraction in full when another one is recommended, and the
   *     reasons as whole sentences (without: that budget in one line, the recommended one's terms
   *     without formulas, the reasons without what the first line says)
   */
  public record TextStyle(int width, boolean unicode, boolean verbose) {
    public TextStyle {
      if (width < 60) {
        throw new IllegalArgumentException("width must be at least 60, was " + width);
      }
    }

    /** 100 columns, Unicode bars, the full report. */
    public static TextStyle standard() {
      return new TextStyle(100, true, true);
    }
  }

  /** The report as a table for people. */
  public static String toText(PreflightReport report, TextStyle style) {
    PreflightReport r = report.masked();
    StringBuilder out = new StringBuilder();
    String arrow = style.unicode() ? "→" : "->";
    out.append("sglang-preflight: ").append(r.decision());
    if (r.checked()) {
      out.append("  --mem-fraction-static ").append(Units.fraction(r.requestedFraction()));
      boolean fromFlag = r.requestedFractionSource() == PreflightReport.FractionSource.FLAG;
      out.append(" (").append(fromFlag ? "flag" : "SGLang " + r.sglang().version() + " default");
      if (!fromFlag && r.requestedFraction() <= 0) {
        // SGLang's default formula leaves nothing for the static pool (e.g. tp x pp in the
        // hundreds)
        out.append(", not a usable fraction: SGLang would have no static pool");
      }
      out.append(')');
      if (r.recommendedFraction().isPresent()
          && Math.abs(r.recommendedFraction().getAsDouble() - r.requestedFraction()) > 1e-9) {
        out.append(' ')
            .append(arrow)
            .append(' ')
            .append(Units.fraction(r.recommendedFraction().getAsDouble()));
      }
    }
    out.append('\n');
    for (String reason : r.reasons()) {
      wrap(out, style.verbose() ? reason : withoutHeadline(r, reason), style.width(), "  ", "    ");
    }
    out.append('\n');

    // GPUs
    if (!r.gpus().isEmpty()) {
      out.append("GPUs (").append(r.gpuSource()).append(")\n");
      out.append(
          String.format(
              Locale.ROOT,
              "  %-4s %-24s %11s %10s %11s %11s %11s%n",
              "GPU",
              "name",
              "total",
              "reserved",
              "used",
              "free",
              "T"));
      for (PreflightReport.GpuReport g : r.gpus()) {
        out.append(
            String.format(
                Locale.ROOT,
                "  %-4d %-24s %11s %10s %11s %11s %11s%n",
                g.index(),
                clip(g.name(), 24),
                gib(g.totalBytes()),
                g.reservedBytes().isPresent() ? gib(g.reservedBytes().getAsLong()) : "n/a (v1)",
                gib(g.usedBytes()),
                gib(g.freeBytes()),
                g.preLoadFreeBytes() > 0 ? gib(g.preLoadFreeBytes()) : "-"));
      }
      out.append(
          "  used = memory other processes hold; T = free minus CUDA context and NCCL: what SGLang measures before weights\n");
      interconnects(out, r, style.width());
      out.append('\n');
    }
    r.model()
        .ifPresent(
            m ->
                out.append("Model: ")
                    .append(m.id())
                    .append(" (")
                    .append(m.architecture())
                    .append(", ")
                    .append(m.origin())
                    .append(
                        m.tensorsMeasured()
                            ? ", weights measured from safetensors headers"
                            : ", weights from the config")
                    .append(")\n"));
    out.append("SGLang: ")
        .append(r.sglang().version())
        .append(" [")
        .append(r.sglang().profile())
        .append(", ")
        .append(r.sglang().versionSource())
        .append("]; its default: ")
        .append(r.sglang().defaultFractionFormula())
        .append("\n\n");

    if (style.verbose() || r.adjustedEstimate().isEmpty()) {
      r.estimate()
          .ifPresent(
              e -> budget(out, e, style, "at the requested " + Units.fraction(e.fraction())));
    } else {
      // the short report gives the budget once, at the recommended fraction; the requested one
      // is the line that says why it was changed (every term of both: verbose)
      r.estimate().ifPresent(e -> requestedLine(out, e, style));
    }
    r.adjustedEstimate()
        .ifPresent(
            e -> budget(out, e, style, "at the recommended " + Units.fraction(e.fraction())));
    Optional<PreflightReport.Estimate> barsFrom = r.adjustedEstimate().or(r::estimate);
    if (barsFrom.isPresent() && !r.gpus().isEmpty()) {
      bars(out, r, barsFrom.get(), style);
    }
    if (!r.remedies().isEmpty()) {
      out.append("Remedies (best first)\n");
      for (PreflightReport.Remedy x : r.remedies()) {
        String line =
            String.format(
                Locale.ROOT,
                "%s %s: frees %s%s; cost: %s",
                x.sufficient() ? "[fits]" : "[helps]",
                x.change(),
                gib(x.freesBytes()),
                x.maxSafeFractionAfter().isPresent()
                    ? ", safe up to " + Units.fraction(x.maxSafeFractionAfter().getAsDouble())
                    : "",
                x.cost());
        wrap(out, line, style.width(), "  ", "    ");
      }
      out.append('\n');
    }
    if (!r.notes().isEmpty()) {
      out.append("Notes\n");
      for (String n : r.notes()) {
        wrap(out, "- " + n, style.width(), "  ", "    ");
      }
      out.append('\n');
    }
    out.append("Command")
        .append(r.command().equals(r.originalCommand()) ? "" : " (rewritten)")
        .append('\n');
    wrap(out, String.join(" ", r.command()), style.width(), "  ", "    ");
    return out.toString();
  }

  /**
   * {@code reason} without what the first line already says: "ADJUST: --mem-fraction-static 0.907
   * (SGLang 0.4.5.post3's default) leaves ..." becomes "0.907 leaves ..." (the short report; the
   * JSON and {@code verbose} keep the whole sentence).
   */
  private static String withoutHeadline(PreflightReport r, String reason) {
    if (!r.checked() || r.requestedFractionSource() == PreflightReport.FractionSource.FLAG) {
      return reason;
    }
    String fraction = Units.fraction(r.requestedFraction());
    String repeated =
        r.decision()
            + ": --mem-fraction-static "
            + fraction
            + " (SGLang "
            + r.sglang().version()
            + "'s default) ";
    return reason.startsWith(repeated)
        ? fraction + " " + reason.substring(repeated.length())
        : reason;
  }

  /** The requested fraction's budget in one sentence, above the recommended one's table. */
  private static void requestedLine(
      StringBuilder out, PreflightReport.Estimate e, TextStyle style) {
    String line =
        String.format(
            Locale.ROOT,
            "At the requested %s (GPU %d): %s outside the pool, %s needed there plus the %s"
                + " margin: headroom %s, %s",
            Units.fraction(e.fraction()),
            e.worstGpu(),
            gib(e.reserveBytes()),
            gib(e.reserveNeededBytes()),
            gib(e.safetyMarginBytes()),
            gib(e.headroomBytes()),
            e.headroomBytes() >= e.safetyMarginBytes()
                ? "ok"
                : "SHORT by " + gib(e.safetyMarginBytes() - e.headroomBytes()));
    wrap(out, line, style.width(), "", "  ");
    out.append('\n');
  }

  private static void budget(
      StringBuilder out, PreflightReport.Estimate e, TextStyle style, String title) {
    out.append("Budget ")
        .append(title)
        .append(" (GPU ")
        .append(e.worstGpu())
        .append(", the tightest)\n");
    row(
        out,
        "T: free before weights",
        e.preLoadFreeBytes(),
        sum(e.overheads()) > 0 ? "after " + names(e.overheads()) : "");
    row(
        out,
        "weights and pre-pool",
        e.preLoadFreeBytes() - e.availableAfterLoadBytes(),
        names(e.prePool()));
    row(
        out,
        "KV pool",
        e.kvPoolBytes(),
        String.format(Locale.ROOT, "%,d tokens x %,d B", e.kvTokens(), e.kvBytesPerToken()));
    if (e.kvPools().size() > 1) {
      for (PreflightReport.KvPool p : e.kvPools()) {
        out.append(
            String.format(
                Locale.ROOT,
                "    %-40s %,d %ss x %,d B%n",
                p.kind() + " pool (" + p.layers() + " layers)",
                p.units(),
                p.unit(),
                p.bytesPerUnit()));
      }
    }
    row(out, "outside the pool: T x (1 - f)", e.reserveBytes(), "");
    row(out, "needed there", e.reserveNeededBytes(), "");
    for (PreflightReport.Item i : e.items()) {
      if (i.bytes() == 0 && !i.name().startsWith("JIT")) {
        continue;
      }
      out.append(
          String.format(Locale.ROOT, "    %-40s %11s%n", clip(i.name(), 40), gib(i.bytes())));
      if (style.verbose()) {
        wrap(out, i.formula() + " [" + i.source() + "]", style.width(), "        ", "        ");
      }
    }
    row(out, "safety margin", e.safetyMarginBytes(), "");
    row(
        out,
        "headroom left",
        e.headroomBytes(),
        e.headroomBytes() >= e.safetyMarginBytes()
            ? "ok"
            : "SHORT by " + gib(e.safetyMarginBytes() - e.headroomBytes()));
    out.append('\n');
  }

  private static void row(StringBuilder out, String name, long bytes, String note) {
    out.append(
            String.format(Locale.ROOT, "  %-42s %11s  %s", name, gib(bytes), note).stripTrailing())
        .append('\n');
  }

  private static void bars(
      StringBuilder out, PreflightReport r, PreflightReport.Estimate e, TextStyle style) {
    char ctx = style.unicode() ? '·' : '.';
    char w = style.unicode() ? '█' : '#';
    char kv = style.unicode() ? '▓' : '=';
    char res = style.unicode() ? '▒' : '+';
    char free = style.unicode() ? '░' : '-';
    char other = style.unicode() ? '×' : 'x';
    out.append("Per GPU at ")
        .append(Units.fraction(e.fraction()))
        .append(
            String.format(
                Locale.ROOT,
                " (%c other processes+reserved %c context/NCCL %c weights %c KV pool %c reserve %c headroom)%n",
                other,
                ctx,
                w,
                kv,
                res,
                free));
    int barWidth = Math.max(20, style.width() - 24);
    for (PreflightReport.GpuReport g : r.gpus()) {
      Optional<PreflightReport.GpuShare> share =
          e.gpus().stream().filter(x -> x.index() == g.index()).findFirst();
      if (share.isEmpty()) {
        continue;
      }
      PreflightReport.GpuShare s = share.get();
      long total = g.totalBytes();
      long otherBytes = total - g.freeBytes();
      long ctxBytes = g.freeBytes() - s.preLoadFreeBytes();
      long head = Math.max(0, s.headroomBytes());
      long[] parts = {
        otherBytes, ctxBytes, s.prePoolBytes(), s.kvPoolBytes(), s.reserveNeededBytes(), head
      };
      char[] chars = {other, ctx, w, kv, res, free};
      StringBuilder bar = new StringBuilder();
      double scale = barWidth / (double) total;
      double acc = 0;
      int drawn = 0;
      for (int i = 0; i < parts.length; i++) {
        acc += Math.max(0, parts[i]) * scale;
        int upto = (int) Math.round(acc);
        for (; drawn < upto && drawn < barWidth; drawn++) {
          bar.append(chars[i]);
        }
      }
      while (bar.length() < barWidth) {
        bar.append(' ');
      }
      String over = s.headroomBytes() < 0 ? " OVER by " + gib(-s.headroomBytes()) : "";
      out.append(
          String.format(Locale.ROOT, "  GPU %-3d |%s| %s%s%n", g.index(), bar, gib(total), over));
    }
    out.append('\n');
  }

  /** One line per distinct interconnect: its kind, the GPUs, and where it comes from. */
  private static void interconnects(StringBuilder out, PreflightReport r, int width) {
    Map<String, List<Integer>> byLink = new LinkedHashMap<>();
    for (PreflightReport.GpuReport g : r.gpus()) {
      byLink
          .computeIfAbsent(g.interconnect() + "\n" + g.interconnectSource(), k -> new ArrayList<>())
          .add(g.index());
    }
    for (Map.Entry<String, List<Integer>> e : byLink.entrySet()) {
      String[] kindAndSource = e.getKey().split("\n", 2);
      List<String> ordinals = e.getValue().stream().map(String::valueOf).toList();
      wrap(
          out,
          "interconnect "
              + kindAndSource[0]
              + (ordinals.size() == 1 ? " (GPU " : " (GPUs ")
              + String.join(",", ordinals)
              + "): "
              + kindAndSource[1],
          width,
          "  ",
          "    ");
    }
  }

  private static long sum(List<PreflightReport.Item> items) {
    return items.stream().mapToLong(PreflightReport.Item::bytes).sum();
  }

  private static String names(List<PreflightReport.Item> items) {
    List<String> parts = new ArrayList<>();
    for (PreflightReport.Item i : items) {
      parts.add(i.name() + " " + gib(i.bytes()));
    }
    return String.join(", ", parts);
  }

  static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.2f GiB", bytes / GIB);
  }

  private static String clip(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "~";
  }

  static void wrap(StringBuilder out, String text, int width, String first, String rest) {
    String indent = first;
    StringBuilder line = new StringBuilder();
    for (String word : text.split(" ")) {
      if (line.length() > 0 && indent.length() + line.length() + 1 + word.length() > width) {
        out.append(indent).append(line).append('\n');
        line.setLength(0);
        indent = rest;
      }
      if (line.length() > 0) {
        line.append(' ');
      }
      line.append(word);
    }
    if (line.length() > 0) {
      out.append(indent).append(line).append('\n');
    }
  }
}
