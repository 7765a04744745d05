package io.github.sglangpreflight.model.source;

import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.model.TensorInfo;
import io.github.sglangpreflight.model.WeightDtype;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the header of a safetensors file, never its tensor data: the first 8 bytes are the header
 * length N (unsigned little-endian), the next N bytes a JSON object mapping each tensor name to
 * {@code dtype}, {@code shape} and {@code data_offsets [begin, end)} relative to the end of the
 * header (the safetensors format). Every tensor's byte range is checked against its dtype × shape
 * and against the file size, so a truncated download is caught here.
 */
final class SafetensorsHeader {
  /** The format's own bound on the header (safetensors refuses larger ones). */
  static final long MAX_HEADER_BYTES = 100L * 1000 * 1000;

  /** The most dimensions a tensor may declare (real checkpoints use at most 5). */
  static final int MAX_RANK = 16;

  private SafetensorsHeader() {}

  /** The tensors of one file, in header order. */
  static List<TensorInfo> read(Path file) {
    String what = "safetensors file " + file;
    String fix = "download the file again";
    long size;
    byte[] header;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      size = ch.size();
      if (size < 8) {
        throw new InvalidInputException(
            what, what + " is " + size + " bytes, shorter than the 8-byte header length; " + fix);
      }
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, len, 0);
      long n = len.flip().getLong();
      if (n < 0 || n > MAX_HEADER_BYTES) {
        throw new InvalidInputException(
            what,
            String.format(
                Locale.ROOT,
                "%s declares a header of %s bytes, beyond the format's %,d-byte limit; the file is"
                    + " not safetensors or is damaged; %s",
                what,
                Long.toUnsignedString(n),
                MAX_HEADER_BYTES,
                fix));
      }
      if (8 + n > size) {
        throw new InvalidInputException(
            what,
            String.format(
                Locale.ROOT,
                "%s is truncated: its header length %,d is beyond the file size %,d; %s",
                what,
                n,
                size,
                fix));
      }
      ByteBuffer buf = ByteBuffer.allocate((int) n);
      readFully(ch, buf, 8);
      header = buf.array();
    } catch (IOException e) {
      throw new InvalidInputException(
          what,
          what + " cannot be read (" + e.getMessage() + "); check the path and permissions",
          e);
    }
    return parse(header, size, what);
  }

  /**
   * The tensors of a header already read: {@code header} is the JSON after the 8-byte length,
   * {@code fileSize} the size of the whole file, {@code what} how messages name the file.
   */
  static List<TensorInfo> parse(byte[] header, long fileSize, String what) {
    String fix = "download the file again";
    long size = fileSize;
    Map<String, Object> json =
        JsonFiles.parseObject(
            new String(header, StandardCharsets.UTF_8), "the header of " + what, fix);
    long dataStart = 8 + header.length;
    List<TensorInfo> out = new ArrayList<>();
    for (Map.Entry<String, Object> e : json.entrySet()) {
      String name = e.getKey();
      if (name.equals("__metadata__")) {
        continue;
      }
      if (!(e.getValue() instanceof Map<?, ?> entry)) {
        throw bad(what, name, "is not a JSON object", fix);
      }
      Object dtypeValue = entry.get("dtype");
      if (!(dtypeValue instanceof String dtypeName)) {
        throw bad(what, name, "has no dtype", fix);
      }
      WeightDtype dtype =
          WeightDtype.fromSafetensors(dtypeName)
              .orElseThrow(
                  () ->
                      new InvalidInputException(
                          what,
                          what
                              + ": tensor "
                              + name
                              + " has dtype "
                              + dtypeName
                              + ", which this build cannot size (it knows "
                              + knownDtypes()
                              + "); pass --model-config with the config.json so the weights are"
                              + " synthesized instead"));
      List<Long> shape = longs(entry.get("shape"), what, name, "shape", fix);
      if (shape.size() > MAX_RANK) {
        throw bad(
            what, name, "has a shape of " + shape.size() + " dimensions, above " + MAX_RANK, fix);
      }
      List<Long> offsets = longs(entry.get("data_offsets"), what, name, "data_offsets", fix);
      if (offsets.size() != 2 || offsets.get(0) > offsets.get(1)) {
        throw bad(what, name, "has data_offsets " + offsets + ", not [begin, end]", fix);
      }
      long numel;
      long expected;
      try {
        numel = 1;
        for (long d : shape) {
          numel = Math.multiplyExact(numel, d);
        }
        expected = Math.multiplyExact(numel, (long) dtype.bytes());
      } catch (ArithmeticException overflow) {
        throw bad(what, name, "has a shape " + shape + " too large to be real", fix);
      }
      long span = offsets.get(1) - offsets.get(0);
      if (span != expected) {
        throw new InvalidInputException(
            what,
            String.format(
                Locale.ROOT,
                "%s: tensor %s declares %s %s (%,d bytes) but its data_offsets %s span %,d bytes;"
                    + " the file is damaged; %s",
                what,
                name,
                dtype.safetensorsName(),
                shape,
                expected,
                offsets,
                span,
                fix));
      }
      if (offsets.get(1) > size - dataStart) {
        throw new InvalidInputException(
            what,
            String.format(
                Locale.ROOT,
                "%s is truncated: tensor %s ends at byte %,d but the file has %,d bytes; %s",
                what,
                name,
                dataStart + offsets.get(1),
                size,
                fix));
      }
      out.add(new TensorInfo(name, dtype, shape, expected));
    }
    return out;
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int r = ch.read(buf, pos);
      if (r < 0) {
        throw new IOException("unexpected end of file at byte " + pos);
      }
      pos += r;
    }
  }

  private static List<Long> longs(
      Object value, String what, String tensor, String key, String fix) {
    if (!(value instanceof List<?> list)) {
      throw bad(what, tensor, "has no " + key + " list", fix);
    }
    List<Long> out = new ArrayList<>(list.size());
    for (Object o : list) {
      if (!(o instanceof Number n)
          || n instanceof Double
          || n instanceof Float
          || n instanceof java.math.BigDecimal
          || n instanceof java.math.BigInteger b && b.bitLength() > 63
          || n.longValue() < 0) {
        throw bad(what, tensor, "has " + key + " " + list + ", not whole numbers", fix);
      }
      out.add(n.longValue());
    }
    return out;
  }

  private static InvalidInputException bad(String what, String tensor, String problem, String fix) {
    return new InvalidInputException(
        what, what + ": tensor " + tensor + " " + problem + " in the header; " + fix);
  }

  private static String knownDtypes() {
    return String.join(
        ", ", Arrays.stream(WeightDtype.values()).map(WeightDtype::safetensorsName).toList());
  }
}
