package io.github.sglangpreflight.calibration;

import com.fasterxml.jackson.jr.ob.JSON;
import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.term.TermId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local calibration store: one file of JSON lines, {@value #FILE_NAME}, in a directory ({@code
 * $XDG_STATE_HOME/sglang-preflight/}, {@code ~/.local/state/sglang-preflight/} when that is unset).
 * Each line is one {@link CalibrationRecord} with the schema id {@value #SCHEMA}.
 *
 * <p>Safe for concurrent launches on one host: an append takes an exclusive {@link FileLock} on the
 * file (and, within one JVM, a monitor, since file locks are held per process) and writes its whole
 * line to a file opened for appending, so two lines never interleave; a read takes a shared lock. A
 * line that cannot be read (cut by a crash, edited by hand, a newer schema) is skipped with a WARN
 * naming {@code file:line}; the others still count. Thread-safe.
 */
public final class CalibrationStore {
  /** The schema id of every line. */
  public static final String SCHEMA = "sglang-preflight/calibration/v1";

  /** The file inside the directory. */
  public static final String FILE_NAME = "calibration.jsonl";

  private static final Logger LOG = LoggerFactory.getLogger(CalibrationStore.class);
  private static final JSON JSON_IO = JSON.std;

  /** File locks are held per JVM: two threads of one JVM must not both ask for one. */
  private static final Object JVM_LOCK = new Object();

  private final Path directory;

  private CalibrationStore(Path directory) {
    this.directory = directory;
  }

  /** The store in {@code directory} (created on the first append). */
  public static CalibrationStore in(Path directory) {
    return new CalibrationStore(Objects.requireNonNull(directory, "directory"));
  }

  /**
   * The default directory: {@code $XDG_STATE_HOME/sglang-preflight}, or {@code
   * HOME/.local/state/sglang-preflight} when {@code XDG_STATE_HOME} is unset or not absolute (as
   * the XDG base-directory specification says).
   */
  public static Path defaultDirectory(Map<String, String> environment, Path home) {
    String xdg = environment.get("XDG_STATE_HOME");
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "sglang-preflight");
    }
    return home.resolve(".local/state/sglang-preflight");
  }

  public Path directory() {
    return directory;
  }

  public Path file() {
    return directory.resolve(FILE_NAME);
  }

  /**
   * Appends one record as one line.
   *
   * @throws InvalidInputException when the directory or the file cannot be written
   */
  public void append(CalibrationRecord record) {
    byte[] line = (toJson(record) + "\n").getBytes(StandardCharsets.UTF_8);
    synchronized (JVM_LOCK) {
      appendLocked(line);
    }
  }

  private void appendLocked(byte[] line) {
    try {
      Files.createDirectories(directory);
      try (FileChannel ch =
              FileChannel.open(
                  file(),
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE,
                  StandardOpenOption.APPEND);
          FileLock lock = ch.lock()) {
        ByteBuffer buf = ByteBuffer.wrap(line);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(false);
      }
    } catch (IOException e) {
      throw unwritable(e);
    }
  }

  /** Every readable record, in file order; an absent file is an empty store. */
  public List<CalibrationRecord> read() {
    synchronized (JVM_LOCK) {
      return readLocked();
    }
  }

  private List<CalibrationRecord> readLocked() {
    if (!Files.exists(file())) {
      return List.of();
    }
    byte[] bytes;
    try (FileChannel ch = FileChannel.open(file(), StandardOpenOption.READ);
        FileLock lock = ch.lock(0, Long.MAX_VALUE, true)) {
      ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(ch.size()));
      while (buf.hasRemaining() && ch.read(buf) >= 0) {
        // fill
      }
      bytes = buf.array();
    } catch (IOException e) {
      throw new InvalidInputException(
          "calibration store",
          "the calibration store "
              + file()
              + " cannot be read ("
              + e.getMessage()
              + "); check its permissions or move it with --calibration-dir",
          e);
    }
    List<CalibrationRecord> records = new ArrayList<>();
    String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty()) {
        continue;
      }
      try {
        records.add(fromJson(line));
      } catch (IllegalArgumentException | IOException | DateTimeParseException e) {
        LOG.warn(
            "{}:{}: skipping a calibration line that cannot be read ({})",
            file(),
            i + 1,
            e.getMessage());
      }
    }
    return List.copyOf(records);
  }

  /**
   * Removes every record.
   *
   * @return how many records there were
   */
  public int clear() {
    synchronized (JVM_LOCK) {
      return clearLocked();
    }
  }

  private int clearLocked() {
    int n = readLocked().size();
    try {
      if (Files.exists(file())) {
        try (FileChannel ch = FileChannel.open(file(), StandardOpenOption.WRITE);
            FileLock lock = ch.lock()) {
          ch.truncate(0);
        }
      }
    } catch (IOException e) {
      throw unwritable(e);
    }
    return n;
  }

  private InvalidInputException unwritable(IOException e) {
    return new InvalidInputException(
        "--calibration-dir",
        "the calibration store "
            + file()
            + " cannot be written ("
            + e.getMessage()
            + "); give a writable directory with --calibration-dir");
  }

  static String toJson(CalibrationRecord r) {
    Map<String, Object> key = new LinkedHashMap<>();
    key.put("gpuModel", r.key().gpuModel());
    key.put("driverVersion", r.key().driverVersion());
    key.put("sglangVersion", r.key().sglangVersion());
    key.put("model", r.key().model());
    key.put("parallelism", r.key().parallelism());
    Map<String, Object> terms = new LinkedHashMap<>();
    // in TermId order (an EnumMap cannot copy an empty map that is not one)
    r.termBytes().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> terms.put(e.getKey().id(), e.getValue()));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("schema", SCHEMA);
    m.put("observedAt", r.observedAt().toString());
    m.put("key", key);
    m.put("termBytes", terms);
    m.put(
        "preLoadFreeBytes",
        r.preLoadFreeBytes().isPresent() ? r.preLoadFreeBytes().getAsLong() : null);
    m.put(
        "torchDistributedBytes",
        r.torchDistributedBytes().isPresent() ? r.torchDistributedBytes().getAsLong() : null);
    if (r.preLoadOverheadBytes().isPresent()) {
      m.put("preLoadOverheadBytes", r.preLoadOverheadBytes().getAsLong());
    }
    try {
      return JSON_IO.asString(m);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static CalibrationRecord fromJson(String line) throws IOException {
    Map<String, Object> m = JSON_IO.mapFrom(line);
    if (!SCHEMA.equals(m.get("schema"))) {
      throw new IllegalArgumentException("schema is " + m.get("schema") + ", not " + SCHEMA);
    }
    if (!(m.get("key") instanceof Map<?, ?> k) || !(m.get("termBytes") instanceof Map<?, ?> t)) {
      throw new IllegalArgumentException("key and termBytes must be objects");
    }
    CalibrationKey key =
        new CalibrationKey(
            text(k, "gpuModel"),
            text(k, "driverVersion"),
            text(k, "sglangVersion"),
            text(k, "model"),
            text(k, "parallelism"));
    Map<TermId, Long> terms = new EnumMap<>(TermId.class);
    for (Map.Entry<?, ?> e : t.entrySet()) {
      TermId id =
          TermId.byId(String.valueOf(e.getKey()))
              .orElseThrow(() -> new IllegalArgumentException("unknown term " + e.getKey()));
      OptionalLong b = bytes(e.getValue(), "termBytes." + id.id());
      if (b.isEmpty()) {
        throw new IllegalArgumentException("termBytes." + id.id() + " must not be null");
      }
      terms.put(id, b.getAsLong());
    }
    return new CalibrationRecord(
        key,
        Instant.parse(String.valueOf(m.get("observedAt"))),
        terms,
        bytes(m.get("preLoadFreeBytes"), "preLoadFreeBytes"),
        bytes(m.get("torchDistributedBytes"), "torchDistributedBytes"),
        bytes(m.get("preLoadOverheadBytes"), "preLoadOverheadBytes"));
  }

  private static String text(Map<?, ?> m, String name) {
    if (!(m.get(name) instanceof String s)) {
      throw new IllegalArgumentException("key." + name + " must be a string");
    }
    return s;
  }

  private static OptionalLong bytes(Object value, String name) {
    if (value == null) {
      return OptionalLong.empty();
    }
    if (value instanceof Integer || value instanceof Long) {
      long b = ((Number) value).longValue();
      if (b >= 0) {
        return OptionalLong.of(b);
      }
    }
    throw new IllegalArgumentException(name + " must be a whole number of bytes, was " + value);
  }
}
