package io.github.sglangpreflight.model.source;

import com.fasterxml.jackson.jr.ob.JSON;
import io.github.sglangpreflight.model.TensorInfo;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes safetensors files for tests: a real header, zero (sparse) tensor data. */
final class SafetensorsFiles {
  private SafetensorsFiles() {}

  /** A well-formed file holding {@code tensors} back to back. */
  static void write(Path file, List<TensorInfo> tensors) throws IOException {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("__metadata__", Map.of("format", "pt"));
    long offset = 0;
    for (TensorInfo t : tensors) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("dtype", t.dtype().safetensorsName());
      e.put("shape", t.shape());
      e.put("data_offsets", List.of(offset, offset + t.bytes()));
      header.put(t.name(), e);
      offset += t.bytes();
    }
    writeRaw(file, JSON.std.asString(header).getBytes(StandardCharsets.UTF_8), offset);
  }

  /** A file with this header text and {@code dataBytes} of zero data after it. */
  static void writeRaw(Path file, byte[] header, long dataBytes) throws IOException {
    writeRaw(file, header.length, header, dataBytes);
  }

  /** A file whose length field says {@code declaredHeaderLength}, whatever the header holds. */
  static void writeRaw(Path file, long declaredHeaderLength, byte[] header, long dataBytes)
      throws IOException {
    Files.deleteIfExists(file);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      len.putLong(declaredHeaderLength);
      f.write(len.array());
      f.write(header);
      f.setLength(8 + header.length + dataBytes);
    }
  }
}
