package io.github.sglangpreflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.jr.ob.JSON;
import io.github.sglangpreflight.OnUnreadableGpus;
import io.github.sglangpreflight.Preflight;
import io.github.sglangpreflight.decision.Policy;
import io.github.sglangpreflight.decision.ReasonId;
import io.github.sglangpreflight.gpu.ComputeCapability;
import io.github.sglangpreflight.gpu.Gpu;
import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.GpuInventorySource;
import io.github.sglangpreflight.gpu.GpuMemory;
import io.github.sglangpreflight.gpu.GpuProcess;
import io.github.sglangpreflight.gpu.source.GpuSnapshots;
import io.github.sglangpreflight.report.PreflightReport;
import io.github.sglangpreflight.report.ReportFormat;
import io.github.sglangpreflight.term.TermId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/report-schema.md and docs/report-schema.json against what {@link ReportFormat} writes: every
 * key written is documented and declared in the JSON Schema with its type, every declared key is
 * written, and the example still has the shape of a fresh report. A small validator for the subset
 * of JSON Schema the file uses (type, const, enum, required, properties, items, $ref, anyOf,
 * minimum, minItems), strict about undeclared keys.
 */
class ReportSchemaDocTest {
  private static final Path DOCS = Path.of(System.getProperty("project.basedir", "."), "docs");
  private static final List<String> LLAMA_8B =
      List.of(
          "python3",
          "-m",
          "sglang.launch_server",
          "--model-path",
          "meta-llama/Llama-3.1-8B-Instruct");

  /** Reports that between them set every key, null and non-null. */
  private static List<Map<String, Object>> reports() throws IOException {
    List<PreflightReport> reports = new ArrayList<>();
    reports.add(MainTest.library("8xH200", "0.4.5.post3", CliRun.SEED_COMMAND));
    reports.add(
        MainTest.library(
            "8xH100",
            "0.5.1",
            List.of(
                "python3",
                "-m",
                "sglang.launch_server",
                "--model-path",
                "deepseek-ai/DeepSeek-V2.5",
                "--tp",
                "8",
                "--enable-dp-attention",
                "--dp-size",
                "8")));
    List<String> twoGpus = new ArrayList<>(LLAMA_8B);
    twoGpus.addAll(List.of("--tp", "2"));
    reports.add(MainTest.library("1xH100", "0.5.1", twoGpus));
    List<String> withFlag = new ArrayList<>(LLAMA_8B);
    withFlag.addAll(List.of("--mem-fraction-static", "0.8"));
    for (List<String> command : List.of(LLAMA_8B, withFlag)) {
      reports.add(
          Preflight.newBuilder()
              .gpuSource(CliRun.unreadableNvml())
              .sglangVersion("0.5.1")
              .onUnreadableGpus(OnUnreadableGpus.LAUNCH_UNCHECKED)
              .build()
              .check(command, Map.of()));
    }
    reports.add(
        Preflight.newBuilder()
            .gpuSource(GpuInventorySource.fixed(busyV1Host()))
            .sglangVersion("0.5.1")
            .build()
            .check(LLAMA_8B, Map.of()));
    // one report per kind of reason, so that every reasonDetails key is written
    List<String> low = new ArrayList<>(CliRun.SEED_COMMAND);
    low.addAll(List.of("--mem-fraction-static", "0.70"));
    // pool-too-small and kv-never-fits from --min-kv-tokens (one full request; SGLang's floor is
    // the default since issue 10)
    reports.add(
        Preflight.newBuilder()
            .gpuSource(GpuSnapshots.presetSource("8xH200"))
            .sglangVersion("0.4.5.post3")
            .minKvTokens(163_840)
            .build()
            .check(low, CliRun.SEED_ENV));
    reports.add(
        Preflight.newBuilder()
            .gpuSource(GpuSnapshots.presetSource("8xH200"))
            .sglangVersion("0.4.5.post3")
            .policy(Policy.REJECT)
            .build()
            .check(CliRun.SEED_COMMAND, CliRun.SEED_ENV));
    List<String> llama70b =
        List.of(
            "python3",
            "-m",
            "sglang.launch_server",
            "--model-path",
            "meta-llama/Llama-3.1-70B-Instruct");
    reports.add(MainTest.library("8xH200", "0.4.5.post3", llama70b));
    List<String> longContext = new ArrayList<>(llama70b);
    longContext.addAll(List.of("--tp", "4", "--context-length", "1000000"));
    reports.add(
        Preflight.newBuilder()
            .gpuSource(GpuSnapshots.presetSource("8xH200"))
            .sglangVersion("0.4.5.post3")
            .minKvTokens(1_000_000)
            .build()
            .check(longContext, CliRun.SEED_ENV));
    reports.add(MainTest.library("1xL4", "0.5.1", llama70b));
    // kv-never-fits at SGLang's floor: --max-total-tokens below one page leaves no token
    reports.add(
        MainTest.library(
            "1xL4",
            "0.5.21",
            List.of(
                "python3",
                "-m",
                "sglang.launch_server",
                "--model-path",
                "meta-llama/Llama-3.1-8B-Instruct",
                "--page-size",
                "64",
                "--max-total-tokens",
                "32")));
    reports.add(
        MainTest.library(
            "8xH200",
            "0.4.5.post3",
            List.of(
                "python3",
                "-m",
                "sglang.launch_server",
                "--model-path",
                "meta-llama/Llama-3.1-8B-Instruct",
                "--some-unknown-flag-xyz",
                "3")));
    Set<String> ids = new TreeSet<>();
    for (PreflightReport r : reports) {
      r.reasonDetails().forEach(x -> ids.add(x.id().id()));
    }
    Set<String> all = new TreeSet<>();
    for (ReasonId id : ReasonId.values()) {
      all.add(id.id());
    }
    assertEquals(all, ids, "the reports cover every kind of reason");
    List<Map<String, Object>> maps = new ArrayList<>();
    for (PreflightReport r : reports) {
      maps.add(JSON.std.mapFrom(ReportFormat.toJson(r)));
    }
    return maps;
  }

  /** One H100 read through NVML v1 (no reservation) with a process on it. */
  private static GpuInventory busyV1Host() {
    return new GpuInventory(
        "nvml",
        Optional.of("470.256.02"),
        Optional.empty(),
        OptionalInt.empty(),
        List.of(
            new Gpu(
                0,
                "GPU-0b1dc080-7bca-53d2-d51c-d900a43b0120",
                "00000000:18:00.0",
                "NVIDIA H100 80GB HBM3",
                Optional.of(new ComputeCapability(9, 0)),
                Optional.empty(),
                GpuMemory.v1(85520809984L, 83000000000L, 2520809984L),
                List.of(
                    new GpuProcess(4242, OptionalLong.of(2000000000L), Optional.of("python3")),
                    new GpuProcess(77, OptionalLong.empty(), Optional.empty())),
                List.of())),
        List.of(),
        List.of());
  }

  // ------------------------------------------------------------------------------------ tests

  @Test
  void jsonSchema_declaresExactlyTheKeysWrittenWithTheirTypes() throws IOException {
    Map<String, Object> schema =
        JSON.std.mapFrom(Files.readString(DOCS.resolve("report-schema.json")));
    Set<String> seen = new TreeSet<>();
    for (Map<String, Object> report : reports()) {
      validate(schema, schema, report, "$", seen);
    }
    Set<String> declared = new TreeSet<>();
    declared(schema, schema, "$", declared);
    assertEquals(
        declared, seen, "every declared key is written by one of the reports, and only those");
  }

  @Test
  void markdown_documentsEveryKeyWritten() throws IOException {
    String doc = Files.readString(DOCS.resolve("report-schema.md"));
    Set<String> missing = new TreeSet<>();
    for (Map<String, Object> report : reports()) {
      keys(report, missing, doc);
    }
    assertEquals(Set.of(), missing, "keys written but not documented in report-schema.md");
  }

  @Test
  void markdownExample_hasTheShapeOfAFreshSeedReport() throws IOException {
    String doc = Files.readString(DOCS.resolve("report-schema.md"));
    int start = doc.indexOf("```json\n");
    int end = doc.indexOf("\n```", start + 8);
    assertTrue(start >= 0 && end > start, "report-schema.md has a ```json example");
    Map<String, Object> example = JSON.std.mapFrom(doc.substring(start + 8, end));
    Map<String, Object> fresh =
        JSON.std.mapFrom(
            ReportFormat.toJson(MainTest.library("8xH200", "0.4.5.post3", CliRun.SEED_COMMAND)));
    assertEquals(shape(fresh), shape(example), "regenerate the example with the command above it");
    assertEquals(fresh.get("decision"), example.get("decision"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void termIds_schemaEnumAndMarkdownTableListEveryTermId() throws IOException {
    Map<String, Object> schema =
        JSON.std.mapFrom(Files.readString(DOCS.resolve("report-schema.json")));
    Map<String, Object> item =
        (Map<String, Object>) ((Map<String, Object>) schema.get("$defs")).get("item");
    Map<String, Object> id =
        (Map<String, Object>) ((Map<String, Object>) item.get("properties")).get("id");
    List<String> ids = Arrays.stream(TermId.values()).map(TermId::id).toList();
    assertEquals(ids, id.get("enum"), "report-schema.json's item id enum, in TermId order");
    String doc = Files.readString(DOCS.resolve("report-schema.md"));
    for (TermId t : TermId.values()) {
      String row = "| `" + t.id() + "` | " + t.label() + " | " + t.phase() + " |";
      assertTrue(doc.contains(row), "report-schema.md lacks the row " + row);
    }
  }

  @Test
  void items_carryTheirTermsIdAndTheWeightPartsTheWeights() throws IOException {
    Map<String, Object> fresh =
        JSON.std.mapFrom(
            ReportFormat.toJson(MainTest.library("8xH200", "0.4.5.post3", CliRun.SEED_COMMAND)));
    @SuppressWarnings("unchecked")
    Map<String, Object> estimate = (Map<String, Object>) fresh.get("estimate");
    int seen = 0;
    for (String list : List.of("overheads", "prePool", "items", "weightParts")) {
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> items = (List<Map<String, Object>>) estimate.get(list);
      for (Map<String, Object> i : items) {
        TermId t = TermId.byId((String) i.get("id")).orElseThrow();
        if (list.equals("weightParts")) {
          assertEquals(TermId.WEIGHTS, t);
        } else {
          assertEquals(t.label(), i.get("name"));
        }
        seen++;
      }
    }
    assertTrue(seen > 20, "items seen: " + seen);
  }

  /**
   * Real multi-node documents (two nodes of 4 x H100, GPU 3 of node 1 busy: 6 GiB, it binds and the
   * launch is accepted; 30 GiB, unbalanced and rejected) against {@code #/$defs/multi-node}: the
   * required keys with their types, every key declared, every declared key written, and each node's
   * report a valid report.
   */
  @Test
  @SuppressWarnings("unchecked")
  void multiNodeReport_validatesAgainstTheMultiNodeSchema(@TempDir Path tmp) throws Exception {
    Map<String, Object> root =
        JSON.std.mapFrom(Files.readString(DOCS.resolve("report-schema.json")));
    Map<String, Object> multiNode =
        (Map<String, Object>) ((Map<String, Object>) root.get("$defs")).get("multi-node");
    Set<String> seen = new TreeSet<>();
    List<Map<String, Object>> documents = new ArrayList<>();
    for (long usedGib : new long[] {6, 30}) {
      Path dir = MainMultiNodeTest.snapshots(tmp.resolve("nodes-" + usedGib), usedGib);
      List<String> o = MainMultiNodeTest.guard(dir.toString());
      o.add("--json");
      CliRun r = CliRun.run(Map.of(), CliRun.args("check", o, MainMultiNodeTest.LAUNCH));
      Map<String, Object> doc = JSON.std.mapFrom(r.out());
      validate(root, multiNode, doc, "$", seen);
      documents.add(doc);
    }
    assertEquals(1, documents.get(0).get("bindingNode"));
    assertEquals(3, documents.get(0).get("bindingGpu"));
    assertEquals("ACCEPT", documents.get(0).get("decision"));
    assertEquals("REJECT", documents.get(1).get("decision"));
    assertEquals(null, documents.get(1).get("memFractionStatic"));
    Set<String> declared = new TreeSet<>();
    declared(root, multiNode, "$", declared);
    // each node's report is a report/v1: its own keys are compared by the tests above
    declared.removeIf(k -> k.startsWith("$.nodes[].report."));
    seen.removeIf(k -> k.startsWith("$.nodes[].report."));
    assertEquals(declared, seen, "every declared multi-node key is written, and only those");
    String doc = Files.readString(DOCS.resolve("report-schema.md"));
    Set<String> missing = new TreeSet<>();
    documents.forEach(d -> keys(d, missing, doc));
    assertEquals(Set.of(), missing, "multi-node keys written but not in report-schema.md");
  }

  // ------------------------------------------------------------------------------------ helpers

  private static void keys(Object node, Set<String> missing, String doc) {
    if (node instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        // documented by name, or at its path (`nodes[].nodeRank`)
        if (!doc.contains("`" + e.getKey() + "`") && !doc.contains("." + e.getKey() + "` |")) {
          missing.add((String) e.getKey());
        }
        keys(e.getValue(), missing, doc);
      }
    } else if (node instanceof List<?> l) {
      l.forEach(x -> keys(x, missing, doc));
    }
  }

  /** Every key path with the JSON types found there, array elements merged. */
  private static Map<String, Set<String>> shape(Object root) {
    Map<String, Set<String>> out = new TreeMap<>();
    shape(root, "$", out);
    return out;
  }

  private static void shape(Object node, String path, Map<String, Set<String>> out) {
    out.computeIfAbsent(path, k -> new TreeSet<>()).add(jsonType(node));
    if (node instanceof Map<?, ?> m) {
      m.forEach((k, v) -> shape(v, path + "." + k, out));
    } else if (node instanceof List<?> l) {
      l.forEach(x -> shape(x, path + "[]", out));
    }
  }

  private static String jsonType(Object v) {
    return switch (v) {
      case null -> "null";
      case Map<?, ?> m -> "object";
      case List<?> l -> "array";
      case String s -> "string";
      case Boolean b -> "boolean";
      case Integer i -> "integer";
      case Long l -> "integer";
      case java.math.BigInteger b -> "integer";
      case Number n -> "number";
      default -> v.getClass().getSimpleName();
    };
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> resolve(Map<String, Object> root, Map<String, Object> s) {
    Object ref = s.get("$ref");
    if (ref == null) {
      return s;
    }
    if (ref.equals("#")) {
      return root;
    }
    String name = ((String) ref).substring("#/$defs/".length());
    return (Map<String, Object>) ((Map<String, Object>) root.get("$defs")).get(name);
  }

  @SuppressWarnings("unchecked")
  private static void validate(
      Map<String, Object> root,
      Map<String, Object> schema,
      Object value,
      String path,
      Set<String> seen) {
    Map<String, Object> s = resolve(root, schema);
    if (s.containsKey("anyOf")) {
      List<String> failures = new ArrayList<>();
      for (Object alternative : (List<Object>) s.get("anyOf")) {
        try {
          validate(root, (Map<String, Object>) alternative, value, path, seen);
          return;
        } catch (AssertionError e) {
          failures.add(e.getMessage());
        }
      }
      fail(path + " matches no alternative: " + failures);
    }
    if (s.containsKey("const")) {
      assertEquals(s.get("const"), value, path);
    }
    if (s.containsKey("enum")) {
      assertTrue(((List<Object>) s.get("enum")).contains(value), path + " = " + value);
    }
    if (s.containsKey("type")) {
      Object t = s.get("type");
      List<Object> types = t instanceof List<?> l ? (List<Object>) l : List.of(t);
      String actual = jsonType(value);
      boolean ok = types.contains(actual) || (actual.equals("integer") && types.contains("number"));
      assertTrue(ok, path + " is " + actual + ", the schema says " + types);
    }
    if (value instanceof Number n && s.containsKey("minimum")) {
      assertTrue(n.doubleValue() >= ((Number) s.get("minimum")).doubleValue(), path + " = " + n);
    }
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> properties = (Map<String, Object>) s.getOrDefault("properties", Map.of());
      for (Object required : (List<Object>) s.getOrDefault("required", List.of())) {
        assertTrue(m.containsKey(required), path + " lacks " + required);
      }
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String child = path + "." + e.getKey();
        assertTrue(properties.containsKey(e.getKey()), child + " is written but not declared");
        seen.add(child);
        validate(root, (Map<String, Object>) properties.get(e.getKey()), e.getValue(), child, seen);
      }
    }
    if (value instanceof List<?> l) {
      if (s.containsKey("minItems")) {
        assertTrue(l.size() >= ((Number) s.get("minItems")).intValue(), path + " has " + l.size());
      }
      if (s.containsKey("items")) {
        for (Object x : l) {
          validate(root, (Map<String, Object>) s.get("items"), x, path + "[]", seen);
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static void declared(
      Map<String, Object> root, Map<String, Object> schema, String path, Set<String> out) {
    Map<String, Object> s = resolve(root, schema);
    for (Object alternative : (List<Object>) s.getOrDefault("anyOf", List.of())) {
      declared(root, (Map<String, Object>) alternative, path, out);
    }
    Map<String, Object> properties = (Map<String, Object>) s.getOrDefault("properties", Map.of());
    for (Map.Entry<String, Object> e : properties.entrySet()) {
      out.add(path + "." + e.getKey());
      declared(root, (Map<String, Object>) e.getValue(), path + "." + e.getKey(), out);
    }
    if (s.containsKey("items")) {
      declared(root, (Map<String, Object>) s.get("items"), path + "[]", out);
    }
  }
}
