package io.github.sglangpreflight.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import io.github.sglangpreflight.LaunchCommands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code --report-file} of {@code check} and {@code exec}: written on every outcome, so that a
 * container's termination message always says what happened.
 *
 * <ul>
 *   <li>A decision (exit 0, 3, 4, and exec's own outcomes): the report, schema {@code
 *       sglang-preflight/report/v1}.
 *   <li>No decision (exit 1, 2, 70, 127 before a report exists): the error document {@link
 *       #ERROR_SCHEMA}, see docs/report-schema.md.
 * </ul>
 *
 * <p>Writes are atomic where the file system allows it: the text goes to a temporary file beside
 * the target, is forced to disk, then renamed over it, so that a reader sees the old document or
 * the new one, never half of one. A target that is not a regular file (a FIFO, {@code /dev/stdout})
 * is written in place, and so is one that cannot be renamed over: Kubernetes bind-mounts {@code
 * /dev/termination-log} into the container, and rename(2) onto a mount point fails with EBUSY.
 */
final class ReportFiles {
  /** The schema id of the document written when the check could not decide. */
  static final String ERROR_SCHEMA = "sglang-preflight/error/v1";

  private static final Logger LOG = LoggerFactory.getLogger(ReportFiles.class);
  private static final JSON JSON_WRITER =
      JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT, JSON.Feature.WRITE_NULL_PROPERTIES);

  private ReportFiles() {}

  /** What kind of failure an error document reports; the id is part of the schema. */
  enum ErrorKind {
    GPUS_UNREADABLE("gpus-unreadable"),
    BAD_INPUT("bad-input"),
    CANNOT_START("cannot-start"),
    INTERNAL_ERROR("internal-error");

    private final String id;

    ErrorKind(String id) {
      this.id = id;
    }

    String id() {
      return id;
    }
  }

  /**
   * The error document of a check that ended without a decision.
   *
   * @param command {@code check} or {@code exec}
   * @param input the input that was wrong ({@code --tp}, a snapshot file), when known
   * @param sglangCommand the SGLang command as given (masked here), when one was given
   */
  static String errorJson(
      String command,
      int exitCode,
      ErrorKind kind,
      String message,
      Optional<String> input,
      Optional<List<String>> sglangCommand) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("kind", kind.id());
    error.put("message", message);
    error.put("input", input.orElse(null));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("schema", ERROR_SCHEMA);
    m.put("command", command);
    m.put("exitCode", exitCode);
    m.put("error", error);
    m.put("sglangCommand", sglangCommand.map(LaunchCommands::maskArguments).orElse(null));
    m.put("preflightVersion", Main.version());
    try {
      return JSON_WRITER.asString(m);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the error document as JSON", e);
    }
  }

  /**
   * The value of {@code --report-file} in options picocli could not parse, so that a usage error
   * still reaches the file: the last {@code --report-file PATH} or {@code --report-file=PATH}.
   */
  static Optional<String> scanReportFile(List<String> options) {
    Optional<String> found = Optional.empty();
    for (int i = 0; i < options.size(); i++) {
      String a = options.get(i);
      if (a.equals("--report-file") && i + 1 < options.size()) {
        found = Optional.of(options.get(i + 1));
      } else if (a.startsWith("--report-file=")) {
        found = Optional.of(a.substring("--report-file=".length()));
      }
    }
    return found.filter(s -> !s.isBlank());
  }

  /**
   * Writes {@code text} and a newline to {@code file}, creating its parent directories: atomically
   * by rename where possible, else in place (see the class comment).
   *
   * @throws IOException when it cannot be written either way
   */
  static void write(Path file, String text) throws IOException {
    byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (Files.exists(file) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      writeInPlace(file, bytes);
      return;
    }
    Path tmp =
        (parent != null ? parent : Path.of("."))
            .resolve(
                "."
                    + file.getFileName()
                    + ".tmp-"
                    + ProcessHandle.current().pid()
                    + "-"
                    + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36));
    try {
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        LOG.debug("{} cannot be replaced atomically ({}); writing it in place", file, e.toString());
        writeInPlace(file, bytes);
      } catch (FileSystemException e) {
        // EBUSY: a bind-mounted file such as Kubernetes' /dev/termination-log
        if (!Files.exists(file)) {
          throw e;
        }
        LOG.debug("{} cannot be renamed over ({}); writing it in place", file, e.toString());
        writeInPlace(file, bytes);
      }
    } catch (IOException e) {
      // the temporary file's directory may be read-only while the target itself is writable
      if (Files.exists(tmp) || !Files.isWritable(file)) {
        throw e;
      }
      LOG.debug("no temporary file beside {} ({}); writing it in place", file, e.toString());
      writeInPlace(file, bytes);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void writeInPlace(Path file, byte[] bytes) throws IOException {
    Files.write(
        file,
        bytes,
        StandardOpenOption.CREATE,
        StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
  }
}
