package io.github.sglangpreflight.model.source;

import io.github.sglangpreflight.model.ModelDescription;
import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.model.arch.ArchLayouts;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The built-in catalog: real {@code config.json} files of common models, copied with their
 * provenance ({@code _source}) into {@code io/github/sglangpreflight/model/catalog/}, for Hugging
 * Face ids that are not on disk. Nothing is downloaded.
 *
 * <p>Names match case-insensitively, with the organisation ({@code Qwen/Qwen3-8B}) or without it
 * ({@code qwen3-8b}) when only one entry has that name. Aliases serve other ids of the same
 * architecture (DeepSeek-R1 and DeepSeek-V3-0324 by DeepSeek-V3) and say so in the description's
 * notes. Entries whose copied config is partial are completed only with cited values, each listed
 * in the notes.
 */
public final class ModelCatalog {
  private static final String BASE = "/io/github/sglangpreflight/model/catalog/";
  private static final ModelCatalog BUILT_IN = load();

  private final List<Entry> entries;
  private final java.util.concurrent.ConcurrentMap<String, Built> built =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** An entry's parsed facts and synthesized tensors, built once. */
  private record Built(
      ModelSpec spec, List<io.github.sglangpreflight.model.TensorInfo> tensors, Object source) {}

  /**
   * One catalog entry.
   *
   * @param id the Hugging Face id
   * @param file the resource file holding the copied config
   * @param aliases other ids served by this entry, with the evidence
   * @param completions keys added to a partial config
   * @param completionNote why those values
   * @param descriptionNote a limit of the entry a person should know
   */
  public record Entry(
      String id,
      String file,
      List<Alias> aliases,
      Map<String, Object> completions,
      Optional<String> completionNote,
      Optional<String> descriptionNote) {
    public Entry {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(file, "file");
      aliases = List.copyOf(aliases);
      completions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(completions));
      Objects.requireNonNull(completionNote, "completionNote");
      Objects.requireNonNull(descriptionNote, "descriptionNote");
    }
  }

  /**
   * Another id an entry serves.
   *
   * @param id the alias id
   * @param note why it shares the entry's architecture
   */
  public record Alias(String id, String note) {}

  private ModelCatalog(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** The catalog shipped in this jar. */
  public static ModelCatalog builtIn() {
    return BUILT_IN;
  }

  /** Every entry, in catalog order. */
  public List<Entry> entries() {
    return entries;
  }

  /** Every id the catalog answers to (entries and aliases). */
  public List<String> names() {
    List<String> out = new ArrayList<>();
    for (Entry e : entries) {
      out.add(e.id());
      e.aliases().forEach(a -> out.add(a.id()));
    }
    return out;
  }

  /**
   * The description of {@code name}, if the catalog knows it.
   *
   * @param name a Hugging Face id, with or without the organisation, any case
   */
  public Optional<ModelDescription> describe(String name) {
    Objects.requireNonNull(name, "name");
    String wanted = name.strip().toLowerCase(Locale.ROOT);
    List<Match> matches = new ArrayList<>();
    for (Entry e : entries) {
      if (matches(e.id(), wanted)) {
        matches.add(new Match(e, Optional.empty(), e.id()));
      }
      for (Alias a : e.aliases()) {
        if (matches(a.id(), wanted)) {
          matches.add(new Match(e, Optional.of(a), a.id()));
        }
      }
    }
    if (matches.size() != 1) {
      return Optional.empty();
    }
    return Optional.of(toDescription(matches.get(0), name.strip()));
  }

  /** Up to three catalog ids close to {@code name}, closest first. */
  public List<String> closeTo(String name) {
    String wanted = bare(name.strip().toLowerCase(Locale.ROOT));
    record Scored(String id, int score) {}
    List<Scored> scored = new ArrayList<>();
    for (String id : names()) {
      String b = bare(id.toLowerCase(Locale.ROOT));
      int d = distance(wanted, b);
      boolean related = b.contains(wanted) || wanted.contains(b);
      if (related || d <= Math.max(3, b.length() / 3)) {
        scored.add(new Scored(id, related ? Math.min(d, 1) : d));
      }
    }
    scored.sort(Comparator.comparingInt(Scored::score).thenComparing(Scored::id));
    return scored.stream().limit(3).map(Scored::id).toList();
  }

  private record Match(Entry entry, Optional<Alias> alias, String matchedId) {}

  private ModelDescription toDescription(Match m, String requested) {
    Entry e = m.entry();
    Built b = built.computeIfAbsent(e.id(), id -> build(e));
    ModelSpec spec = b.spec();
    Object source = b.source();
    List<String> notes = new ArrayList<>();
    m.alias()
        .ifPresent(
            a -> notes.add(a.id() + " is served by the catalog entry " + e.id() + ": " + a.note()));
    e.completionNote().ifPresent(n -> notes.add("completed: " + n));
    e.descriptionNote().ifPresent(notes::add);
    if (source instanceof Map<?, ?> s && s.get("urls") instanceof List<?> urls && !urls.isEmpty()) {
      notes.add("config copied from " + urls.get(0));
    }
    return new ModelDescription(
        requested,
        ModelDescription.Origin.CATALOG,
        "catalog:" + e.file(),
        spec,
        b.tensors(),
        ModelDescription.TensorSource.SYNTHESIZED,
        notes);
  }

  private static Built build(Entry e) {
    String where = "catalog entry " + e.id();
    Map<String, Object> config = new LinkedHashMap<>(readResource(e.file()));
    Object source = config.remove("_source");
    for (Map.Entry<String, Object> c : e.completions().entrySet()) {
      int dot = c.getKey().indexOf('.');
      if (dot > 0 && config.get(c.getKey().substring(0, dot)) instanceof Map<?, ?> nested) {
        // "text_config.vocab_size": a key of a nested config object
        @SuppressWarnings("unchecked")
        Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) nested);
        copy.putIfAbsent(c.getKey().substring(dot + 1), c.getValue());
        config.put(c.getKey().substring(0, dot), copy);
      } else {
        config.putIfAbsent(c.getKey(), c.getValue());
      }
    }
    ModelSpec spec = ModelSpec.fromConfig(config, where);
    return new Built(spec, ArchLayouts.synthesize(spec, where), source);
  }

  /** The copied config of an entry, {@code _source} included. */
  public Map<String, Object> rawConfig(Entry entry) {
    return readResource(entry.file());
  }

  private static boolean matches(String id, String wanted) {
    String lower = id.toLowerCase(Locale.ROOT);
    if (lower.equals(wanted)) {
      return true;
    }
    return !wanted.contains("/") && bare(lower).equals(wanted);
  }

  private static String bare(String id) {
    int slash = id.indexOf('/');
    return slash < 0 ? id : id.substring(slash + 1);
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static Map<String, Object> readResource(String file) {
    try (InputStream in = ModelCatalog.class.getResourceAsStream(BASE + file)) {
      if (in == null) {
        throw new IllegalStateException("catalog resource " + BASE + file + " is missing");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return JsonFiles.parseObject(text, "catalog resource " + file, "rebuild the jar");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static ModelCatalog load() {
    Map<String, Object> index = readResource("catalog.json");
    List<Entry> entries = new ArrayList<>();
    for (Object o : (List<Object>) index.get("models")) {
      Map<String, Object> m = (Map<String, Object>) o;
      List<Alias> aliases = new ArrayList<>();
      for (Object a : (List<Object>) m.getOrDefault("aliases", List.of())) {
        Map<String, Object> am = (Map<String, Object>) a;
        aliases.add(new Alias((String) am.get("id"), (String) am.get("note")));
      }
      entries.add(
          new Entry(
              (String) m.get("id"),
              (String) m.get("file"),
              aliases,
              (Map<String, Object>) m.getOrDefault("completions", Map.of()),
              Optional.ofNullable((String) m.get("completion_note")),
              Optional.ofNullable((String) m.get("description_note"))));
    }
    return new ModelCatalog(entries);
  }
}
