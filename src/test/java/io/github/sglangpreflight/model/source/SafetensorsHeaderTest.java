package io.github.sglangpreflight.model.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.model.TensorInfo;
import io.github.sglangpreflight.model.WeightDtype;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsHeaderTest {
  @TempDir Path dir;

  @Test
  void read_wellFormedFile_givesEveryTensorWithItsDtypeAndShape() throws IOException {
    Path f = dir.resolve("model.safetensors");
    List<TensorInfo> written =
        List.of(
            TensorInfo.of("model.embed_tokens.weight", WeightDtype.BF16, 1000, 64),
            TensorInfo.of("model.layers.0.mlp.down_proj.weight", WeightDtype.F8_E4M3, 64, 256),
            TensorInfo.of("model.layers.0.mlp.down_proj.weight_scale_inv", WeightDtype.F32, 1, 2));
    SafetensorsFiles.write(f, written);

    assertEquals(written, SafetensorsHeader.read(f));
  }

  @Test
  void read_headerLengthBeyondTheFile_saysTruncated() throws IOException {
    Path f = dir.resolve("a.safetensors");
    SafetensorsFiles.writeRaw(f, 5000, "{}".getBytes(StandardCharsets.UTF_8), 0);

    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> SafetensorsHeader.read(f));
    assertEquals(
        "safetensors file "
            + f
            + " is truncated: its header length 5,000 is beyond the file size 10; download the"
            + " file again",
        e.getMessage());
  }

  @Test
  void read_fileShorterThanTheLengthField_saysSo() throws IOException {
    Path f = dir.resolve("b.safetensors");
    Files.write(f, new byte[] {1, 2, 3});

    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> SafetensorsHeader.read(f));
    assertEquals(
        "safetensors file "
            + f
            + " is 3 bytes, shorter than the 8-byte header length; download the file again",
        e.getMessage());
  }

  @Test
  void read_headerNotJson_givesLineAndColumn() throws IOException {
    Path f = dir.resolve("c.safetensors");
    SafetensorsFiles.writeRaw(f, "{\"x\": }".getBytes(StandardCharsets.UTF_8), 0);

    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> SafetensorsHeader.read(f));
    assertEquals(
        "the header of safetensors file "
            + f
            + " is not valid JSON at line 1, column 7 (Unexpected character ('}' (code 125)):"
            + " expected a value); download the file again",
        e.getMessage());
  }

  @Test
  void read_byteRangeNotMatchingDtypeTimesShape_saysDamaged() throws IOException {
    Path f = dir.resolve("d.safetensors");
    String header = "{\"w\":{\"dtype\":\"BF16\",\"shape\":[4,4],\"data_offsets\":[0,16]}}";
    SafetensorsFiles.writeRaw(f, header.getBytes(StandardCharsets.UTF_8), 16);

    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> SafetensorsHeader.read(f));
    assertEquals(
        "safetensors file "
            + f
            + ": tensor w declares BF16 [4, 4] (32 bytes) but its data_offsets [0, 16] span 16"
            + " bytes; the file is damaged; download the file again",
        e.getMessage());
  }

  @Test
  void read_tensorDataBeyondTheFile_saysTruncated() throws IOException {
    Path f = dir.resolve("e.safetensors");
    String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[0,32]}}";
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    SafetensorsFiles.writeRaw(f, h, 20);

    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> SafetensorsHeader.read(f));
    assertEquals(
        "safetensors file "
            + f
            + " is truncated: tensor w ends at byte "
            + String.format("%,d", 8 + h.length + 32)
            + " but the file has "
            + String.format("%,d", 8 + h.length + 20)
            + " bytes; download the file again",
        e.getMessage());
  }

  @Test
  void read_unknownDtype_namesItAndTheKnownOnes() throws IOException {
    Path f = dir.resolve("g.safetensors");
    String header = "{\"w\":{\"dtype\":\"F4\",\"shape\":[2],\"data_offsets\":[0,1]}}";
    SafetensorsFiles.writeRaw(f, header.getBytes(StandardCharsets.UTF_8), 1);

    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> SafetensorsHeader.read(f));
    assertEquals(
        "safetensors file "
            + f
            + ": tensor w has dtype F4, which this build cannot size (it knows F64, F32, F16, BF16,"
            + " F8_E4M3, F8_E5M2, F8_E8M0, I64, I32, I16, I8, U64, U32, U16, U8, BOOL); pass"
            + " --model-config with the config.json so the weights are synthesized instead",
        e.getMessage());
  }
}
