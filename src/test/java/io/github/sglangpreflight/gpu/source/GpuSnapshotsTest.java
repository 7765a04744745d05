package io.github.sglangpreflight.gpu.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.gpu.ComputeCapability;
import io.github.sglangpreflight.gpu.Gpu;
import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.GpuInventorySource;
import io.github.sglangpreflight.gpu.GpuMemory;
import io.github.sglangpreflight.gpu.GpuProcess;
import io.github.sglangpreflight.gpu.MigDevice;
import io.github.sglangpreflight.gpu.MigMode;
import io.github.sglangpreflight.gpu.UnreadableGpu;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class GpuSnapshotsTest {

  private static final String ORIGIN = "snapshot file /tmp/gpus.json";
  private static final String FIX =
      "; fix the file or capture a fresh one with 'sglang-preflight gpus --json'";

  /** A host with a process, a v1 GPU, a GPU in MIG mode and a GPU NVML could not read. */
  static GpuInventory handBuilt() {
    Gpu h200 =
        new Gpu(
            0,
            "GPU-e21e2fac-e4df-5175-08a3-6914844c6d02",
            "00000000:00:06.0",
            "NVIDIA H200",
            Optional.of(new ComputeCapability(9, 0)),
            Optional.of(MigMode.DISABLED),
            GpuMemory.v2(150754820096L, 644939776L, 149458911232L, 650969088L),
            List.of(
                new GpuProcess(4242, OptionalLong.of(641728512L), Optional.of("python3")),
                new GpuProcess(77, OptionalLong.empty(), Optional.empty())),
            List.of());
    Gpu legacy =
        new Gpu(
            1,
            "GPU-0b1dc080-7bca-53d2-d51c-d900a43b0120",
            "00000000:00:07.0",
            "Tesla V100-SXM2-32GB",
            Optional.empty(),
            Optional.empty(),
            GpuMemory.v1(34089730048L, 33589559296L, 500170752L),
            List.of(),
            List.of());
    Gpu mig =
        new Gpu(
            2,
            "GPU-31515c3d-1414-7c2c-004a-f86a898946ac",
            "00000000:68:00.0",
            "NVIDIA A100-SXM4-80GB",
            Optional.of(new ComputeCapability(8, 0)),
            Optional.of(new MigMode(true, true)),
            GpuMemory.v2(85899345920L, 799277056L, 84000000000L, 1100068864L),
            List.of(),
            List.of(
                new MigDevice(
                    0,
                    "MIG-4b5e3f0a-8d1c-5a7e-9b2f-1c3d5e7f9a0b",
                    "NVIDIA A100-SXM4-80GB MIG 3g.40gb",
                    GpuMemory.v2(42144366592L, 0L, 42144366592L, 0L)),
                new MigDevice(
                    1,
                    "MIG-6c7d8e9f-0a1b-5c2d-8e3f-4a5b6c7d8e9f",
                    "NVIDIA A100-SXM4-80GB MIG 3g.40gb",
                    GpuMemory.v1(42144366592L, 41000000000L, 1144366592L))));
    return new GpuInventory(
        "nvml",
        Optional.of("580.159.04"),
        Optional.of("13.580.159.04"),
        OptionalInt.of(13000),
        List.of(h200, legacy, mig),
        List.of(
            new UnreadableGpu(
                3,
                "nvmlDeviceGetHandleByIndex_v2(3) returned NVML_ERROR_NO_PERMISSION:"
                    + " Insufficient Permissions")),
        List.of("Process names are advisory: NVML reports host PIDs."));
  }

  @Test
  void toJsonThenParse_handBuiltInventory_equalInventory() {
    GpuInventory inventory = handBuilt();

    GpuInventory back = GpuSnapshots.parse(GpuSnapshots.toJson(inventory), ORIGIN);

    assertEquals(inventory, back);
  }

  @Test
  void toJsonThenParse_emptyOptionalsEverywhere_equalInventory() {
    GpuInventory inventory =
        new GpuInventory(
            "nvml",
            Optional.empty(),
            Optional.empty(),
            OptionalInt.empty(),
            List.of(),
            List.of(),
            List.of());

    assertEquals(inventory, GpuSnapshots.parse(GpuSnapshots.toJson(inventory), ORIGIN));
  }

  static Stream<GpuPresets.Preset> presets() {
    return GpuPresets.all().stream();
  }

  @ParameterizedTest
  @MethodSource("presets")
  void toJsonThenParse_everyPreset_equalInventory(GpuPresets.Preset preset) {
    GpuInventory inventory = GpuPresets.build(preset, 8);

    assertEquals(inventory, GpuSnapshots.parse(GpuSnapshots.toJson(inventory), ORIGIN));
  }

  @Test
  void toJson_anyInventory_keysInSchemaOrderAndNullsWritten() throws IOException {
    Map<String, Object> root = JSON.std.mapFrom(GpuSnapshots.toJson(handBuilt()));

    assertEquals(
        List.of(
            "schema",
            "source",
            "driverVersion",
            "nvmlVersion",
            "cudaDriverVersion",
            "gpus",
            "unreadable",
            "notes"),
        List.copyOf(root.keySet()));
    assertEquals(GpuSnapshots.SCHEMA, root.get("schema"));
    @SuppressWarnings("unchecked")
    Map<String, Object> v1Gpu = (Map<String, Object>) ((List<?>) root.get("gpus")).get(1);
    assertEquals(
        List.of(
            "index",
            "uuid",
            "pciBusId",
            "name",
            "computeCapability",
            "migMode",
            "memory",
            "processes",
            "migDevices"),
        List.copyOf(v1Gpu.keySet()));
    assertTrue(v1Gpu.containsKey("computeCapability") && v1Gpu.get("computeCapability") == null);
    assertTrue(v1Gpu.containsKey("migMode") && v1Gpu.get("migMode") == null);
    @SuppressWarnings("unchecked")
    Map<String, Object> memory = (Map<String, Object>) v1Gpu.get("memory");
    assertEquals(
        List.of("totalBytes", "reservedBytes", "freeBytes", "usedBytes", "version"),
        List.copyOf(memory.keySet()));
    assertTrue(memory.containsKey("reservedBytes") && memory.get("reservedBytes") == null);
    assertEquals("v1", memory.get("version"));
  }

  @Test
  void parse_docsExample_twoH200sAsMeasured() throws IOException {
    Path doc = Path.of(System.getProperty("project.basedir", "."), "docs", "gpu-snapshot.md");
    String text = Files.readString(doc);
    int start = text.indexOf("```json\n") + "```json\n".length();
    String json = text.substring(start, text.indexOf("```", start));

    GpuInventory inventory = GpuSnapshots.parse(json, "docs/gpu-snapshot.md");

    assertEquals(2, inventory.gpus().size());
    assertEquals(
        GpuPresets.inventory("H200").gpus().get(0).memory(), inventory.gpus().get(0).memory());
    assertEquals(json.strip(), GpuSnapshots.toJson(inventory));
  }

  @Test
  void toJson_sameInventoryTwice_sameText() {
    assertEquals(GpuSnapshots.toJson(handBuilt()), GpuSnapshots.toJson(handBuilt()));
  }

  @Test
  void read_fileWrittenByToJson_equalInventory(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("gpus.json");
    Files.writeString(file, GpuSnapshots.toJson(handBuilt()) + "\n", StandardCharsets.UTF_8);

    assertEquals(handBuilt(), GpuSnapshots.read(file));
  }

  @Test
  void read_missingFile_namesFileAndFix(@TempDir Path dir) {
    Path file = dir.resolve("nope.json");

    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> GpuSnapshots.read(file));

    assertEquals("snapshot file " + file, e.input());
    assertEquals(
        "snapshot file "
            + file
            + " does not exist; check the path or capture one with 'sglang-preflight gpus --json'",
        e.getMessage());
  }

  @Test
  void read_directory_saysItIsADirectory(@TempDir Path dir) {
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> GpuSnapshots.read(dir));

    assertEquals(
        "snapshot file "
            + dir
            + " is a directory, not a file; pass the JSON file that 'sglang-preflight gpus --json'"
            + " wrote",
        e.getMessage());
  }

  @Test
  void read_notUtf8_saysSo(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("gpus.json");
    Files.write(file, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});

    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> GpuSnapshots.read(file));

    assertEquals(
        "snapshot file " + file + " is not UTF-8 text, so it is not a GPU snapshot" + FIX,
        e.getMessage());
  }

  @Test
  void read_unreadableFile_saysPermissionDenied(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("gpus.json");
    Files.writeString(file, "{}");
    assertTrue(file.toFile().setReadable(false));
    org.junit.jupiter.api.Assumptions.assumeFalse(
        Files.isReadable(file), "running as root: the file stays readable");

    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> GpuSnapshots.read(file));

    assertEquals(
        "snapshot file "
            + file
            + " cannot be read (permission denied); check its permissions or capture a fresh one"
            + " with 'sglang-preflight gpus --json'",
        e.getMessage());
  }

  @Test
  void parse_notJson_namesLineAndColumn() {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class, () -> GpuSnapshots.parse("{\n  \"schema\": ]\n}", ORIGIN));

    assertEquals(ORIGIN, e.input());
    assertEquals(
        ORIGIN
            + " is not valid JSON at line 2, column 13: Unexpected character (']' (code 93)):"
            + " expected a valid value (JSON String, Number, Array, Object or token 'null',"
            + " 'true' or 'false')"
            + FIX,
        e.getMessage());
  }

  @Test
  void parse_contentAfterTheObject_rejected() {
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> GpuSnapshots.parse("{}\n[1]", ORIGIN));

    assertEquals(
        ORIGIN
            + " is not valid JSON at line 2, column 1: more content follows the snapshot object"
            + FIX,
        e.getMessage());
  }

  @Test
  void parse_duplicateJsonKey_rejectedWithLocation() {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> GpuSnapshots.parse("{\"schema\": \"a\",\n \"schema\": \"b\"}", ORIGIN));

    assertEquals(
        ORIGIN + " is not valid JSON at line 2, column 12: Duplicate key (key 'schema')" + FIX,
        e.getMessage());
  }

  @Test
  void parse_blankText_saysEmpty() {
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> GpuSnapshots.parse(" \n", ORIGIN));

    assertEquals(ORIGIN + " is empty; a GPU snapshot is a JSON object" + FIX, e.getMessage());
  }

  @Test
  void parse_topLevelArray_rejected() {
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> GpuSnapshots.parse("[]", ORIGIN));

    assertEquals(
        ORIGIN
            + ": the top level must be a JSON object starting with \"schema\":"
            + " \"sglang-preflight/gpu-inventory/v1\", was an array"
            + FIX,
        e.getMessage());
  }

  @Test
  void parse_missingSchema_saysWhatItShouldBe() {
    assertMessage(
        json -> json.remove("schema"),
        "schema",
        "schema is missing; a GPU snapshot starts with \"schema\":"
            + " \"sglang-preflight/gpu-inventory/v1\"");
  }

  @Test
  void parse_wrongSchema_showsValue() {
    assertMessage(
        json -> json.put("schema", "nvidia-smi"),
        "schema",
        "schema must be \"sglang-preflight/gpu-inventory/v1\", was \"nvidia-smi\"");
  }

  @Test
  void parse_newerSchemaVersion_saysVersionUnreadable() {
    assertMessage(
        json -> json.put("schema", "sglang-preflight/gpu-inventory/v2"),
        "schema",
        "schema \"sglang-preflight/gpu-inventory/v2\" is a version this sglang-preflight cannot"
            + " read; it reads \"sglang-preflight/gpu-inventory/v1\"");
  }

  @Test
  void parse_missingRequiredField_namesPath() {
    assertMessage(
        json -> memory(json, 1).remove("freeBytes"),
        "gpus[1].memory.freeBytes",
        "gpus[1].memory.freeBytes is missing");
  }

  @Test
  void parse_missingOptionalKey_stillRequired() {
    assertMessage(json -> json.remove("nvmlVersion"), "nvmlVersion", "nvmlVersion is missing");
  }

  @Test
  void parse_wrongType_showsValue() {
    assertMessage(
        json -> gpu(json, 0).put("index", "0"),
        "gpus[0].index",
        "gpus[0].index must be a whole number, was \"0\"");
  }

  @Test
  void parse_fraction_rejected() {
    assertMessage(
        json -> memory(json, 0).put("usedBytes", new java.math.BigDecimal("1.5")),
        "gpus[0].memory.usedBytes",
        "gpus[0].memory.usedBytes must be a whole number, was 1.5");
  }

  @Test
  void parse_numberTooLarge_rejected() {
    assertMessage(
        json -> memory(json, 0).put("totalBytes", new java.math.BigInteger("99999999999999999999")),
        "gpus[0].memory.totalBytes",
        "gpus[0].memory.totalBytes is too large, was 99999999999999999999");
  }

  @Test
  void parse_negativeFreeBytes_taskExampleMessage() {
    assertMessage(
        json -> memory(json, 1).put("freeBytes", -5),
        "gpus[1].memory.freeBytes",
        "gpus[1].memory.freeBytes must not be negative, was -5");
  }

  @Test
  void parse_freeAboveTotal_rejected() {
    assertMessage(
        json -> memory(json, 0).put("freeBytes", 150754820097L),
        "gpus[0].memory.freeBytes",
        "gpus[0].memory.freeBytes must not exceed totalBytes 150754820096, was 150754820097");
  }

  @Test
  void parse_v2PartsAboveTotal_rejected() {
    assertMessage(
        json -> memory(json, 0).put("freeBytes", 150109880320L),
        "gpus[0].memory",
        "gpus[0].memory reservedBytes + freeBytes + usedBytes must not exceed totalBytes"
            + " 150754820096, was 151405789184 (644939776 + 150109880320 + 650969088)");
  }

  @Test
  void parse_v1PartsAboveTotal_rejected() {
    assertMessage(
        json -> memory(json, 1).put("usedBytes", 600000000L),
        "gpus[1].memory",
        "gpus[1].memory freeBytes + usedBytes must not exceed totalBytes 34089730048, was"
            + " 34189559296 (33589559296 + 600000000)");
  }

  @Test
  void parse_v1WithReservedBytes_rejected() {
    assertMessage(
        json -> memory(json, 1).put("reservedBytes", 500000000L),
        "gpus[1].memory.reservedBytes",
        "gpus[1].memory.reservedBytes must be null with version \"v1\" (v1 counts the reservation"
            + " in usedBytes), was 500000000");
  }

  @Test
  void parse_v2WithoutReservedBytes_rejected() {
    assertMessage(
        json -> memory(json, 0).put("reservedBytes", null),
        "gpus[0].memory.reservedBytes",
        "gpus[0].memory.reservedBytes is required with version \"v2\" (use version \"v1\" when"
            + " the reservation is unknown), was null");
  }

  @Test
  void parse_unknownMemoryVersion_rejected() {
    assertMessage(
        json -> memory(json, 0).put("version", "v3"),
        "gpus[0].memory.version",
        "gpus[0].memory.version must be \"v2\" or \"v1\", was \"v3\"");
  }

  @Test
  void parse_migDeviceMemoryNegative_pathIncludesMigDevice() {
    assertMessage(
        json -> {
          @SuppressWarnings("unchecked")
          Map<String, Object> d =
              (Map<String, Object>) ((List<?>) gpu(json, 2).get("migDevices")).get(0);
          @SuppressWarnings("unchecked")
          Map<String, Object> m = (Map<String, Object>) d.get("memory");
          m.put("usedBytes", -1);
        },
        "gpus[2].migDevices[0].memory.usedBytes",
        "gpus[2].migDevices[0].memory.usedBytes must not be negative, was -1");
  }

  @Test
  void parse_duplicateGpuIndex_namesBothPlaces() {
    assertMessage(
        json -> gpu(json, 1).put("index", 0),
        "gpus[1].index",
        "gpus[1].index 0 repeats gpus[0].index; every GPU needs its own NVML index");
  }

  @Test
  void parse_duplicateUuidDifferentCase_rejected() {
    assertMessage(
        json -> gpu(json, 1).put("uuid", "GPU-E21E2FAC-E4DF-5175-08A3-6914844C6D02"),
        "gpus[1].uuid",
        "gpus[1].uuid \"GPU-E21E2FAC-E4DF-5175-08A3-6914844C6D02\" repeats gpus[0].uuid; every"
            + " device needs its own UUID");
  }

  @Test
  void parse_unreadableIndexOfReadableGpu_rejected() {
    assertMessage(
        json -> {
          @SuppressWarnings("unchecked")
          Map<String, Object> u = (Map<String, Object>) ((List<?>) json.get("unreadable")).get(0);
          u.put("index", 2);
        },
        "unreadable[0].index",
        "unreadable[0].index 2 repeats gpus[2].index; every GPU needs its own NVML index");
  }

  @Test
  void parse_unknownField_listsKnownFields() {
    assertMessage(
        json -> memory(json, 0).put("freebytes", 1),
        "gpus[0].memory.freebytes",
        "gpus[0].memory.freebytes is not a field of gpus[0].memory (known: totalBytes,"
            + " reservedBytes, freeBytes, usedBytes, version)");
  }

  @Test
  void parse_badComputeCapability_rejected() {
    assertMessage(
        json -> gpu(json, 0).put("computeCapability", "sm_90"),
        "gpus[0].computeCapability",
        "gpus[0].computeCapability must look like \"9.0\" or be null, was \"sm_90\"");
  }

  @Test
  void parse_uuidWithoutPrefix_rejected() {
    assertMessage(
        json -> gpu(json, 0).put("uuid", "e21e2fac-e4df-5175-08a3-6914844c6d02"),
        "gpus[0].uuid",
        "gpus[0].uuid must be the UUID NVML reports, starting with \"GPU-\", was"
            + " \"e21e2fac-e4df-5175-08a3-6914844c6d02\"");
  }

  @Test
  void parse_migModeNotBoolean_rejected() {
    assertMessage(
        json -> {
          @SuppressWarnings("unchecked")
          Map<String, Object> mode = (Map<String, Object>) gpu(json, 0).get("migMode");
          mode.put("current", 0);
        },
        "gpus[0].migMode.current",
        "gpus[0].migMode.current must be true or false, was 0");
  }

  @Test
  void parse_processPidZero_rejected() {
    assertMessage(
        json -> {
          @SuppressWarnings("unchecked")
          Map<String, Object> p =
              (Map<String, Object>) ((List<?>) gpu(json, 0).get("processes")).get(0);
          p.put("pid", 0);
        },
        "gpus[0].processes[0].pid",
        "gpus[0].processes[0].pid must be a positive process id, was 0");
  }

  @Test
  void parse_cudaDriverVersionZero_rejected() {
    assertMessage(
        json -> json.put("cudaDriverVersion", 0),
        "cudaDriverVersion",
        "cudaDriverVersion must be a positive CUDA version number such as 13000 (for 13.0) or"
            + " null, was 0");
  }

  @Test
  void parse_noteNotString_rejected() {
    assertMessage(
        json -> json.put("notes", new ArrayList<>(List.of(1))),
        "notes[0]",
        "notes[0] must be a string, was 1");
  }

  @Test
  void parse_gpusNotArray_rejected() {
    assertMessage(
        json -> json.put("gpus", new LinkedHashMap<>()),
        "gpus",
        "gpus must be an array, was an object");
  }

  @Test
  void snapshotSource_read_marksSourceAndKeepsGpus(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("gpus.json");
    Files.writeString(file, GpuSnapshots.toJson(handBuilt()));
    GpuInventorySource source = GpuSnapshots.snapshotSource(file);

    GpuInventory inventory = source.read();

    assertEquals("snapshot:" + file, inventory.source());
    assertEquals("snapshot file " + file, source.describe());
    assertEquals(handBuilt().gpus(), inventory.gpus());
    assertEquals(handBuilt().unreadable(), inventory.unreadable());
    assertEquals(
        "Replayed from snapshot file "
            + file
            + " (captured from nvml); the GPUs may have changed since.",
        inventory.notes().get(inventory.notes().size() - 1));
  }

  @Test
  void snapshotSource_missingFile_failsOnRead(@TempDir Path dir) {
    GpuInventorySource source = GpuSnapshots.snapshotSource(dir.resolve("gone.json"));

    assertThrows(InvalidInputException.class, source::read);
  }

  @Test
  void presetSource_valid_describesAndReadsPreset() {
    GpuInventorySource source = GpuSnapshots.presetSource("2xL4");

    assertEquals("GPU preset 2xL4", source.describe());
    assertEquals(2, source.read().gpus().size());
    assertEquals("NVIDIA L4", source.read().gpus().get(1).name());
  }

  @Test
  void presetSource_unknown_failsAtOnce() {
    assertThrows(InvalidInputException.class, () -> GpuSnapshots.presetSource("8xH300"));
  }

  /** Mutates the hand-built snapshot's JSON tree, parses it and checks the one-sentence message. */
  private static void assertMessage(
      Consumer<Map<String, Object>> mutation, String fieldPath, String problem) {
    Map<String, Object> json;
    try {
      json = JSON.std.mapFrom(GpuSnapshots.toJson(handBuilt()));
      mutation.accept(json);
      String text = JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES).asString(json);
      InvalidInputException e =
          assertThrows(InvalidInputException.class, () -> GpuSnapshots.parse(text, ORIGIN));
      assertEquals(ORIGIN + " field " + fieldPath, e.input());
      assertEquals(ORIGIN + ": " + problem + FIX, e.getMessage());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> gpu(Map<String, Object> json, int i) {
    return (Map<String, Object>) ((List<?>) json.get("gpus")).get(i);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> memory(Map<String, Object> json, int i) {
    return (Map<String, Object>) gpu(json, i).get("memory");
  }
}
