package io.github.sglangpreflight.gpu.source;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.jr.ob.JSON;
import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.gpu.ComputeCapability;
import io.github.sglangpreflight.gpu.Gpu;
import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.GpuInventorySource;
import io.github.sglangpreflight.gpu.GpuMemory;
import io.github.sglangpreflight.gpu.GpuProcess;
import io.github.sglangpreflight.gpu.Interconnect;
import io.github.sglangpreflight.gpu.MigDevice;
import io.github.sglangpreflight.gpu.MigMode;
import io.github.sglangpreflight.gpu.UnreadableGpu;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GPU inventories as JSON snapshots, so that a real machine's inventory (saved with {@code
 * sglang-preflight gpus --json}) can be replayed where there is no GPU. The schema is documented in
 * {@code docs/gpu-snapshot.md}; {@link #SCHEMA} names its version.
 *
 * <p>{@link #toJson} and {@link #parse} are exact inverses: {@code parse(toJson(inv), o)} equals
 * {@code inv}. Bad input is reported as one {@link InvalidInputException} whose message names the
 * file, the field path, the value and the fix. Thread-safe and stateless.
 */
public final class GpuSnapshots {

  /** The schema id every snapshot starts with. */
  public static final String SCHEMA = "sglang-preflight/gpu-inventory/v1";

  private static final String SCHEMA_FAMILY = "sglang-preflight/gpu-inventory/";
  private static final String FIX =
      "fix the file or capture a fresh one with 'sglang-preflight gpus --json'";
  private static final Pattern COMPUTE_CAPABILITY = Pattern.compile("[1-9][0-9]{0,2}\\.[0-9]{1,3}");
  private static final Logger LOG = LoggerFactory.getLogger(GpuSnapshots.class);

  private static final JSON WRITER =
      JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT, JSON.Feature.WRITE_NULL_PROPERTIES);
  private static final JSON READER =
      JSON.std.with(
          JSON.Feature.FAIL_ON_DUPLICATE_MAP_KEYS, JSON.Feature.USE_BIG_DECIMAL_FOR_FLOATS);
  private static final JsonFactory FACTORY = new JsonFactory();

  private static final List<String> TOP_KEYS =
      List.of(
          "schema",
          "source",
          "driverVersion",
          "nvmlVersion",
          "cudaDriverVersion",
          "gpus",
          "unreadable",
          "notes");
  private static final List<String> GPU_KEYS =
      List.of(
          "index",
          "uuid",
          "pciBusId",
          "name",
          "computeCapability",
          "migMode",
          "memory",
          "processes",
          "migDevices",
          "interconnect");
  private static final List<String> INTERCONNECT_KEYS =
      List.of("kind", "activeNvLinks", "pcieGeneration", "pcieWidth", "source");
  private static final List<String> MIG_MODE_KEYS = List.of("current", "pending");
  private static final List<String> MEMORY_KEYS =
      List.of("totalBytes", "reservedBytes", "freeBytes", "usedBytes", "version");
  private static final List<String> PROCESS_KEYS = List.of("pid", "usedBytes", "name");
  private static final List<String> MIG_DEVICE_KEYS = List.of("index", "uuid", "name", "memory");
  private static final List<String> UNREADABLE_KEYS = List.of("index", "reason");

  private GpuSnapshots() {}

  /**
   * The snapshot JSON of {@code inventory}: pretty-printed, keys in schema order, optional values
   * as JSON {@code null}.
   */
  public static String toJson(GpuInventory inventory) {
    Objects.requireNonNull(inventory, "inventory");
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("schema", SCHEMA);
    root.put("source", inventory.source());
    root.put("driverVersion", inventory.driverVersion().orElse(null));
    root.put("nvmlVersion", inventory.nvmlVersion().orElse(null));
    root.put(
        "cudaDriverVersion",
        inventory.cudaDriverVersion().isPresent()
            ? inventory.cudaDriverVersion().getAsInt()
            : null);
    List<Object> gpus = new ArrayList<>();
    for (Gpu gpu : inventory.gpus()) {
      gpus.add(gpuJson(gpu));
    }
    root.put("gpus", gpus);
    List<Object> unreadable = new ArrayList<>();
    for (UnreadableGpu u : inventory.unreadable()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("index", u.index());
      m.put("reason", u.reason());
      unreadable.add(m);
    }
    root.put("unreadable", unreadable);
    root.put("notes", new ArrayList<>(inventory.notes()));
    try {
      return WRITER.asString(root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write GPU snapshot JSON", e);
    }
  }

  /**
   * Reads a snapshot.
   *
   * @param json the snapshot text
   * @param origin the input as messages name it, e.g. {@code snapshot file /tmp/gpus.json}
   * @return the inventory, with the {@code source} the snapshot records
   * @throws InvalidInputException when the text is not JSON or violates the schema; {@link
   *     InvalidInputException#input()} is {@code origin}, followed by {@code field <path>} when one
   *     field is at fault
   */
  public static GpuInventory parse(String json, String origin) {
    Objects.requireNonNull(json, "json");
    Objects.requireNonNull(origin, "origin");
    if (json.startsWith("\uFEFF")) {
      json = json.substring(1);
    }
    if (json.isBlank()) {
      throw new InvalidInputException(
          origin, origin + " is empty; a GPU snapshot is a JSON object; " + FIX);
    }
    Object tree;
    try (JsonParser parser = FACTORY.createParser(json)) {
      tree = READER.anyFrom(parser);
      if (parser.nextToken() != null) {
        JsonLocation at = parser.currentTokenLocation();
        throw new InvalidInputException(
            origin,
            String.format(
                Locale.ROOT,
                "%s is not valid JSON at line %d, column %d: more content follows the snapshot"
                    + " object; %s",
                origin,
                at.getLineNr(),
                at.getColumnNr(),
                FIX));
      }
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where =
          at == null
              ? ""
              : String.format(
                  Locale.ROOT, " at line %d, column %d", at.getLineNr(), at.getColumnNr());
      throw new InvalidInputException(
          origin,
          String.format(
              Locale.ROOT,
              "%s is not valid JSON%s: %s; %s",
              origin,
              where,
              firstLine(e.getOriginalMessage()),
              FIX),
          e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse an in-memory string", e);
    }
    return new Reader(origin).inventory(tree);
  }

  /**
   * Reads a snapshot file (UTF-8).
   *
   * @throws InvalidInputException when the file is missing, unreadable, not JSON or violates the
   *     schema
   */
  public static GpuInventory read(Path file) {
    Objects.requireNonNull(file, "file");
    String origin = "snapshot file " + file;
    String text;
    try {
      if (Files.isDirectory(file)) {
        throw new InvalidInputException(
            origin,
            origin
                + " is a directory, not a file; pass the JSON file that 'sglang-preflight gpus"
                + " --json' wrote");
      }
      byte[] bytes = Files.readAllBytes(file);
      text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (NoSuchFileException e) {
      throw new InvalidInputException(
          origin,
          origin
              + " does not exist; check the path or capture one with 'sglang-preflight gpus"
              + " --json'",
          e);
    } catch (AccessDeniedException e) {
      throw new InvalidInputException(
          origin,
          origin
              + " cannot be read (permission denied); check its permissions or capture a fresh"
              + " one with 'sglang-preflight gpus --json'",
          e);
    } catch (CharacterCodingException e) {
      throw new InvalidInputException(
          origin, origin + " is not UTF-8 text, so it is not a GPU snapshot; " + FIX, e);
    } catch (IOException e) {
      throw new InvalidInputException(
          origin,
          origin
              + " cannot be read ("
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage()
              + "); check the file or capture a fresh one with 'sglang-preflight gpus --json'",
          e);
    }
    return parse(text, origin);
  }

  /**
   * A source that reads {@code file} on every {@link GpuInventorySource#read()}. The inventory's
   * {@code source} becomes {@code snapshot:<file>} and a note says where the snapshot came from.
   * {@code read()} throws {@link InvalidInputException} (not {@code GpuQueryException}) for a bad
   * file.
   */
  public static GpuInventorySource snapshotSource(Path file) {
    Objects.requireNonNull(file, "file");
    return new GpuInventorySource() {
      @Override
      public GpuInventory read() {
        GpuInventory captured = GpuSnapshots.read(file);
        LOG.debug(
            "read {} GPUs ({} unreadable) from snapshot file {}",
            captured.gpus().size(),
            captured.unreadable().size(),
            file);
        List<String> notes = new ArrayList<>(captured.notes());
        notes.add(
            String.format(
                Locale.ROOT,
                "Replayed from snapshot file %s (captured from %s); the GPUs may have changed since.",
                file,
                captured.source()));
        return new GpuInventory(
            "snapshot:" + file,
            captured.driverVersion(),
            captured.nvmlVersion(),
            captured.cudaDriverVersion(),
            captured.gpus(),
            captured.unreadable(),
            notes);
      }

      @Override
      public String describe() {
        return "snapshot file " + file;
      }
    };
  }

  /**
   * A source of the built-in preset {@code spec} ({@code H200}, {@code 8xH200}; see {@link
   * GpuPresets}).
   *
   * @throws InvalidInputException at once when the spec is malformed or unknown
   */
  public static GpuInventorySource presetSource(String spec) {
    GpuInventory inventory = GpuPresets.inventory(spec);
    return new GpuInventorySource() {
      @Override
      public GpuInventory read() {
        return inventory;
      }

      @Override
      public String describe() {
        return "GPU preset " + inventory.source().substring("preset:".length());
      }
    };
  }

  private static Integer orNull(OptionalInt v) {
    return v.isPresent() ? v.getAsInt() : null;
  }

  private static Map<String, Object> gpuJson(Gpu gpu) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("index", gpu.index());
    m.put("uuid", gpu.uuid());
    m.put("pciBusId", gpu.pciBusId());
    m.put("name", gpu.name());
    m.put(
        "computeCapability", gpu.computeCapability().map(ComputeCapability::toString).orElse(null));
    m.put(
        "migMode",
        gpu.migMode()
            .map(
                mode -> {
                  Map<String, Object> mm = new LinkedHashMap<>();
                  mm.put("current", mode.currentEnabled());
                  mm.put("pending", mode.pendingEnabled());
                  return mm;
                })
            .orElse(null));
    m.put("memory", memoryJson(gpu.memory()));
    List<Object> processes = new ArrayList<>();
    for (GpuProcess p : gpu.processes()) {
      Map<String, Object> pm = new LinkedHashMap<>();
      pm.put("pid", p.pid());
      pm.put("usedBytes", p.usedBytes().isPresent() ? p.usedBytes().getAsLong() : null);
      pm.put("name", p.name().orElse(null));
      processes.add(pm);
    }
    m.put("processes", processes);
    List<Object> migDevices = new ArrayList<>();
    for (MigDevice d : gpu.migDevices()) {
      Map<String, Object> dm = new LinkedHashMap<>();
      dm.put("index", d.index());
      dm.put("uuid", d.uuid());
      dm.put("name", d.name());
      dm.put("memory", memoryJson(d.memory()));
      migDevices.add(dm);
    }
    m.put("migDevices", migDevices);
    if (!gpu.interconnect().equals(Interconnect.unknown())) {
      // written only when read (an unknown kind NVML gave a reason for is written with it), so
      // that snapshots of GPUs without it read and write back as before
      Interconnect link = gpu.interconnect();
      Map<String, Object> im = new LinkedHashMap<>();
      im.put("kind", link.kind().label());
      im.put("activeNvLinks", orNull(link.activeNvLinks()));
      im.put("pcieGeneration", orNull(link.pcieGeneration()));
      im.put("pcieWidth", orNull(link.pcieWidth()));
      im.put("source", link.source());
      m.put("interconnect", im);
    }
    return m;
  }

  private static Map<String, Object> memoryJson(GpuMemory memory) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("totalBytes", memory.totalBytes());
    m.put(
        "reservedBytes",
        memory.reservedBytes().isPresent() ? memory.reservedBytes().getAsLong() : null);
    m.put("freeBytes", memory.freeBytes());
    m.put("usedBytes", memory.usedBytes());
    m.put("version", memory.version() == GpuMemory.Version.V2 ? "v2" : "v1");
    return m;
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "unreadable content";
    }
    int nl = text.indexOf('\n');
    return nl < 0 ? text : text.substring(0, nl);
  }

  /** Walks the parsed tree with the path of every value, so that messages can name it. */
  private static final class Reader {
    private final String origin;

    Reader(String origin) {
      this.origin = origin;
    }

    GpuInventory inventory(Object tree) {
      if (!(tree instanceof Map<?, ?>)) {
        throw new InvalidInputException(
            origin,
            String.format(
                Locale.ROOT,
                "%s: the top level must be a JSON object starting with \"schema\": \"%s\", was %s;"
                    + " %s",
                origin,
                SCHEMA,
                describe(tree),
                FIX));
      }
      Map<String, Object> root = object(tree, "");
      schema(root);
      checkKeys(root, "", TOP_KEYS);
      String source = requiredString(root, "", "source");
      Optional<String> driverVersion = optionalString(root, "", "driverVersion");
      Optional<String> nvmlVersion = optionalString(root, "", "nvmlVersion");
      OptionalInt cudaDriverVersion = OptionalInt.empty();
      requireKey(root, "", "cudaDriverVersion");
      Object cuda = root.get("cudaDriverVersion");
      if (cuda != null) {
        long v = wholeNumber(cuda, "cudaDriverVersion");
        if (v < 1 || v > Integer.MAX_VALUE) {
          throw field(
              "cudaDriverVersion",
              "must be a positive CUDA version number such as 13000 (for 13.0) or null, was " + v);
        }
        cudaDriverVersion = OptionalInt.of((int) v);
      }

      List<Gpu> gpus = new ArrayList<>();
      Map<Long, String> indexOwners = new HashMap<>();
      Map<String, String> uuidOwners = new HashMap<>();
      List<Object> gpuList = requiredArray(root, "", "gpus");
      for (int i = 0; i < gpuList.size(); i++) {
        String path = "gpus[" + i + "]";
        Gpu gpu = gpu(gpuList.get(i), path);
        claim(indexOwners, (long) gpu.index(), path + ".index", "" + gpu.index(), "NVML index");
        claim(uuidOwners, canonicalUuid(gpu.uuid()), path + ".uuid", quote(gpu.uuid()), "UUID");
        for (int d = 0; d < gpu.migDevices().size(); d++) {
          MigDevice mig = gpu.migDevices().get(d);
          String mpath = path + ".migDevices[" + d + "].uuid";
          claim(uuidOwners, canonicalUuid(mig.uuid()), mpath, quote(mig.uuid()), "UUID");
        }
        gpus.add(gpu);
      }

      List<UnreadableGpu> unreadable = new ArrayList<>();
      List<Object> unreadableList = requiredArray(root, "", "unreadable");
      for (int i = 0; i < unreadableList.size(); i++) {
        String path = "unreadable[" + i + "]";
        Map<String, Object> u = object(unreadableList.get(i), path);
        checkKeys(u, path, UNREADABLE_KEYS);
        int index = index(u, path, "index");
        String reason = requiredString(u, path, "reason");
        claim(indexOwners, (long) index, path + ".index", "" + index, "NVML index");
        unreadable.add(new UnreadableGpu(index, reason));
      }

      List<String> notes = new ArrayList<>();
      List<Object> noteList = requiredArray(root, "", "notes");
      for (int i = 0; i < noteList.size(); i++) {
        Object note = noteList.get(i);
        if (!(note instanceof String s)) {
          throw field("notes[" + i + "]", "must be a string, was " + describe(note));
        }
        notes.add(s);
      }
      return new GpuInventory(
          source, driverVersion, nvmlVersion, cudaDriverVersion, gpus, unreadable, notes);
    }

    private void schema(Map<String, Object> root) {
      if (!root.containsKey("schema")) {
        throw field(
            "schema", "is missing; a GPU snapshot starts with \"schema\": " + quote(SCHEMA));
      }
      Object schema = root.get("schema");
      if (schema instanceof String s && s.equals(SCHEMA)) {
        return;
      }
      if (schema instanceof String s && s.startsWith(SCHEMA_FAMILY)) {
        throw field(
            "schema",
            String.format(
                Locale.ROOT,
                "%s is a version this sglang-preflight cannot read; it reads %s",
                quote(s),
                quote(SCHEMA)));
      }
      throw field("schema", "must be " + quote(SCHEMA) + ", was " + describe(schema));
    }

    private Gpu gpu(Object value, String path) {
      Map<String, Object> g = object(value, path);
      checkKeys(g, path, GPU_KEYS);
      int index = index(g, path, "index");
      String uuid = uuid(g, path, "uuid", "GPU-");
      String pciBusId = requiredString(g, path, "pciBusId");
      String name = requiredString(g, path, "name");
      Optional<ComputeCapability> cc = Optional.empty();
      Optional<String> ccText = optionalString(g, path, "computeCapability");
      if (ccText.isPresent()) {
        if (!COMPUTE_CAPABILITY.matcher(ccText.get()).matches()) {
          throw field(
              path + ".computeCapability",
              "must look like \"9.0\" or be null, was " + quote(ccText.get()));
        }
        cc = Optional.of(ComputeCapability.parse(ccText.get()));
      }
      Optional<MigMode> migMode = Optional.empty();
      requireKey(g, path, "migMode");
      Object mm = g.get("migMode");
      if (mm != null) {
        String mpath = path + ".migMode";
        Map<String, Object> m = object(mm, mpath);
        checkKeys(m, mpath, MIG_MODE_KEYS);
        migMode = Optional.of(new MigMode(bool(m, mpath, "current"), bool(m, mpath, "pending")));
      }
      GpuMemory memory = memory(g, path);
      List<GpuProcess> processes = new ArrayList<>();
      List<Object> processList = requiredArray(g, path, "processes");
      for (int i = 0; i < processList.size(); i++) {
        processes.add(process(processList.get(i), path + ".processes[" + i + "]"));
      }
      List<MigDevice> migDevices = new ArrayList<>();
      List<Object> migList = requiredArray(g, path, "migDevices");
      Map<Long, String> migIndexOwners = new HashMap<>();
      for (int i = 0; i < migList.size(); i++) {
        String dpath = path + ".migDevices[" + i + "]";
        Map<String, Object> d = object(migList.get(i), dpath);
        checkKeys(d, dpath, MIG_DEVICE_KEYS);
        int dindex = index(d, dpath, "index");
        claim(migIndexOwners, (long) dindex, dpath + ".index", "" + dindex, "MIG device index");
        String duuid = uuid(d, dpath, "uuid", "MIG-");
        String dname = requiredString(d, dpath, "name");
        migDevices.add(new MigDevice(dindex, duuid, dname, memory(d, dpath)));
      }
      Interconnect link = Interconnect.unknown();
      if (g.get("interconnect") != null) {
        link = interconnect(g.get("interconnect"), path + ".interconnect");
      }
      return new Gpu(index, uuid, pciBusId, name, cc, migMode, memory, processes, migDevices, link);
    }

    // optional since the interconnect was added: a snapshot without it reads as unknown
    private Interconnect interconnect(Object value, String path) {
      Map<String, Object> m = object(value, path);
      checkKeys(m, path, INTERCONNECT_KEYS);
      String kindText = requiredString(m, path, "kind");
      Interconnect.Kind kind;
      try {
        kind = Interconnect.Kind.ofLabel(kindText);
      } catch (IllegalArgumentException e) {
        throw field(
            path + ".kind",
            "must be nvlink, nvlink-pairs, pcie or unknown, was " + quote(kindText));
      }
      return new Interconnect(
          kind,
          smallInt(m, path, "activeNvLinks"),
          smallInt(m, path, "pcieGeneration"),
          smallInt(m, path, "pcieWidth"),
          optionalString(m, path, "source").orElse("snapshot"));
    }

    private OptionalInt smallInt(Map<String, Object> m, String path, String key) {
      Object v = m.get(key);
      if (v == null) {
        return OptionalInt.empty();
      }
      if (v instanceof Number n) {
        try {
          int i = new java.math.BigDecimal(n.toString()).intValueExact();
          if (i >= 0 && i <= 1024) {
            return OptionalInt.of(i);
          }
        } catch (ArithmeticException | NumberFormatException e) {
          // fall through to the error
        }
      }
      throw field(
          join(path, key), "must be a whole number from 0 to 1024 or null, was " + describe(v));
    }

    private GpuProcess process(Object value, String path) {
      Map<String, Object> p = object(value, path);
      checkKeys(p, path, PROCESS_KEYS);
      requireKey(p, path, "pid");
      long pid = wholeNumber(p.get("pid"), path + ".pid");
      if (pid <= 0) {
        throw field(path + ".pid", "must be a positive process id, was " + pid);
      }
      requireKey(p, path, "usedBytes");
      OptionalLong used = OptionalLong.empty();
      if (p.get("usedBytes") != null) {
        used = OptionalLong.of(bytes(p.get("usedBytes"), path + ".usedBytes"));
      }
      Optional<String> name = optionalString(p, path, "name");
      return new GpuProcess(pid, used, name);
    }

    private GpuMemory memory(Map<String, Object> parent, String parentPath) {
      String path = parentPath + ".memory";
      requireKey(parent, parentPath, "memory");
      Map<String, Object> m = object(parent.get("memory"), path);
      checkKeys(m, path, MEMORY_KEYS);
      String version = requiredString(m, path, "version");
      if (!version.equals("v2") && !version.equals("v1")) {
        throw field(path + ".version", "must be \"v2\" or \"v1\", was " + quote(version));
      }
      requireKey(m, path, "totalBytes");
      long total = bytes(m.get("totalBytes"), path + ".totalBytes");
      requireKey(m, path, "freeBytes");
      long free = bytes(m.get("freeBytes"), path + ".freeBytes");
      requireKey(m, path, "usedBytes");
      long used = bytes(m.get("usedBytes"), path + ".usedBytes");
      requireKey(m, path, "reservedBytes");
      Object reservedValue = m.get("reservedBytes");
      notAbove(free, total, path + ".freeBytes");
      notAbove(used, total, path + ".usedBytes");
      if (version.equals("v1")) {
        if (reservedValue != null) {
          throw field(
              path + ".reservedBytes",
              "must be null with version \"v1\" (v1 counts the reservation in usedBytes), was "
                  + describe(reservedValue));
        }
        if (free + used > total) {
          throw field(
              path,
              String.format(
                  Locale.ROOT,
                  "freeBytes + usedBytes must not exceed totalBytes %d, was %d (%d + %d)",
                  total,
                  free + used,
                  free,
                  used));
        }
        return GpuMemory.v1(total, free, used);
      }
      if (reservedValue == null) {
        throw field(
            path + ".reservedBytes",
            "is required with version \"v2\" (use version \"v1\" when the reservation is unknown),"
                + " was null");
      }
      long reserved = bytes(reservedValue, path + ".reservedBytes");
      notAbove(reserved, total, path + ".reservedBytes");
      if (reserved + free + used > total) {
        throw field(
            path,
            String.format(
                Locale.ROOT,
                "reservedBytes + freeBytes + usedBytes must not exceed totalBytes %d, was %d"
                    + " (%d + %d + %d)",
                total,
                reserved + free + used,
                reserved,
                free,
                used));
      }
      return GpuMemory.v2(total, reserved, free, used);
    }

    private void notAbove(long value, long total, String path) {
      if (value > total) {
        throw field(path, "must not exceed totalBytes " + total + ", was " + value);
      }
    }

    private String uuid(Map<String, Object> m, String path, String key, String prefix) {
      String uuid = requiredString(m, path, key);
      if (!uuid.startsWith(prefix) || uuid.length() == prefix.length()) {
        throw field(
            path + "." + key,
            "must be the UUID NVML reports, starting with "
                + quote(prefix)
                + ", was "
                + quote(uuid));
      }
      return uuid;
    }

    private int index(Map<String, Object> m, String path, String key) {
      requireKey(m, path, key);
      long v = wholeNumber(m.get(key), path + "." + key);
      if (v < 0) {
        throw field(path + "." + key, "must not be negative, was " + v);
      }
      if (v > Integer.MAX_VALUE) {
        throw field(path + "." + key, "is too large for an index, was " + v);
      }
      return (int) v;
    }

    private long bytes(Object value, String path) {
      long v = wholeNumber(value, path);
      if (v < 0) {
        throw field(path, "must not be negative, was " + v);
      }
      return v;
    }

    private long wholeNumber(Object value, String path) {
      if (value instanceof Integer i) {
        return i;
      }
      if (value instanceof Long l) {
        return l;
      }
      if (value instanceof BigInteger b) {
        throw field(path, "is too large, was " + b);
      }
      if (value instanceof BigDecimal d) {
        throw field(path, "must be a whole number, was " + d.toPlainString());
      }
      throw field(path, "must be a whole number, was " + describe(value));
    }

    private boolean bool(Map<String, Object> m, String path, String key) {
      requireKey(m, path, key);
      Object v = m.get(key);
      if (v instanceof Boolean b) {
        return b;
      }
      throw field(path + "." + key, "must be true or false, was " + describe(v));
    }

    private String requiredString(Map<String, Object> m, String path, String key) {
      requireKey(m, path, key);
      Object v = m.get(key);
      if (v instanceof String s && !s.isBlank()) {
        return s;
      }
      if (v instanceof String) {
        throw field(join(path, key), "must not be empty");
      }
      throw field(join(path, key), "must be a string, was " + describe(v));
    }

    private Optional<String> optionalString(Map<String, Object> m, String path, String key) {
      requireKey(m, path, key);
      Object v = m.get(key);
      if (v == null) {
        return Optional.empty();
      }
      if (v instanceof String s && !s.isBlank()) {
        return Optional.of(s);
      }
      if (v instanceof String) {
        throw field(join(path, key), "must not be empty (use null when unknown)");
      }
      throw field(join(path, key), "must be a string or null, was " + describe(v));
    }

    private List<Object> requiredArray(Map<String, Object> m, String path, String key) {
      requireKey(m, path, key);
      Object v = m.get(key);
      if (v instanceof List<?> list) {
        @SuppressWarnings("unchecked")
        List<Object> objects = (List<Object>) list;
        return objects;
      }
      throw field(join(path, key), "must be an array, was " + describe(v));
    }

    private Map<String, Object> object(Object value, String path) {
      if (value instanceof Map<?, ?> map) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) map;
        return m;
      }
      throw field(path, "must be an object, was " + describe(value));
    }

    private void requireKey(Map<String, Object> m, String path, String key) {
      if (!m.containsKey(key)) {
        throw field(join(path, key), "is missing");
      }
    }

    private void checkKeys(Map<String, Object> m, String path, List<String> known) {
      for (String key : m.keySet()) {
        if (!known.contains(key)) {
          throw field(
              join(path, key),
              String.format(
                  Locale.ROOT,
                  "is not a field of %s (known: %s)",
                  path.isEmpty() ? "a snapshot" : path,
                  String.join(", ", known)));
        }
      }
    }

    private void claim(Map<Long, String> owners, Long key, String path, String shown, String what) {
      String owner = owners.putIfAbsent(key, path);
      if (owner != null) {
        throw field(
            path,
            String.format(
                Locale.ROOT, "%s repeats %s; every GPU needs its own %s", shown, owner, what));
      }
    }

    private void claim(
        Map<String, String> owners, String key, String path, String shown, String what) {
      String owner = owners.putIfAbsent(key, path);
      if (owner != null) {
        throw field(
            path,
            String.format(
                Locale.ROOT, "%s repeats %s; every device needs its own %s", shown, owner, what));
      }
    }

    private InvalidInputException field(String path, String problem) {
      return new InvalidInputException(
          origin + " field " + path, origin + ": " + path + " " + problem + "; " + FIX);
    }
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private static String canonicalUuid(String uuid) {
    return uuid.toLowerCase(Locale.ROOT);
  }

  static String quote(String s) {
    String shown = s.length() > 80 ? s.substring(0, 77) + "..." : s;
    return "\"" + shown.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  static String describe(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String s) {
      return quote(s);
    }
    if (value instanceof Map<?, ?>) {
      return "an object";
    }
    if (value instanceof List<?>) {
      return "an array";
    }
    if (value instanceof BigDecimal d) {
      return d.toPlainString();
    }
    return String.valueOf(value);
  }
}
