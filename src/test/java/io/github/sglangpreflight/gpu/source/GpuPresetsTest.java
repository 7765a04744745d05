package io.github.sglangpreflight.gpu.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.gpu.ComputeCapability;
import io.github.sglangpreflight.gpu.Gpu;
import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.GpuMemory;
import io.github.sglangpreflight.gpu.MigMode;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class GpuPresetsTest {

  private static final Pattern UUID =
      Pattern.compile("GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final Pattern PCI = Pattern.compile("[0-9A-F]{8}:[0-9A-F]{2}:00\\.0");

  static Stream<GpuPresets.Preset> presets() {
    return GpuPresets.all().stream();
  }

  @Test
  void inventory_h200_isTheMeasuredH200() {
    GpuInventory inventory = GpuPresets.inventory("H200");

    Gpu gpu = inventory.gpus().get(0);
    assertEquals("NVIDIA H200", gpu.name());
    assertEquals(GpuMemory.v2(150754820096L, 644939776L, 150109880320L, 0L), gpu.memory());
    assertEquals(143771L, gpu.memory().totalMib());
    assertEquals(Optional.of(new ComputeCapability(9, 0)), gpu.computeCapability());
    assertEquals(Optional.of(MigMode.DISABLED), gpu.migMode());
    assertEquals(Optional.of("580.159.04"), inventory.driverVersion());
    assertEquals(Optional.of("13.580.159.04"), inventory.nvmlVersion());
    assertEquals(13000, inventory.cudaDriverVersion().getAsInt());
    assertEquals("preset:1xH200", inventory.source());
  }

  @Test
  void inventory_h200_notesClaimNoEstimate() {
    List<String> notes = GpuPresets.inventory("H200").notes();

    assertEquals(
        List.of(
            "Preset 1xH200: 1 idle NVIDIA H200 GPU described from public data, not read from this"
                + " host; UUIDs and PCI bus ids are synthetic."),
        notes);
  }

  @Test
  void inventory_l40s_notesSayReservationIsAnEstimate() {
    List<String> notes = GpuPresets.inventory("2xL40S").notes();

    assertEquals(
        "Preset L40S: the driver reservation of 502202368 bytes (478.94 MiB) is an estimate, so"
            + " free memory is too; the reservation depends on the driver version.",
        notes.get(1));
  }

  @ParameterizedTest
  @MethodSource("presets")
  void inventory_everyPreset_idleGpusAsNvmlReportsThem(GpuPresets.Preset preset) {
    GpuInventory inventory = GpuPresets.inventory("8x" + preset.key());

    assertEquals(8, inventory.gpus().size());
    Set<String> uuids = new HashSet<>();
    Set<String> buses = new HashSet<>();
    for (int i = 0; i < 8; i++) {
      Gpu gpu = inventory.gpus().get(i);
      assertEquals(i, gpu.index());
      assertEquals(preset.name(), gpu.name());
      assertTrue(UUID.matcher(gpu.uuid()).matches(), gpu.uuid());
      assertTrue(PCI.matcher(gpu.pciBusId()).matches(), gpu.pciBusId());
      uuids.add(gpu.uuid());
      buses.add(gpu.pciBusId());
      GpuMemory m = gpu.memory();
      assertEquals(GpuMemory.Version.V2, m.version());
      assertEquals(preset.totalMib(), m.totalMib());
      assertEquals(preset.totalMib() << 20, m.totalBytes());
      assertEquals(preset.reservedBytes(), m.reservedBytes().getAsLong());
      assertEquals(m.totalBytes() - preset.reservedBytes(), m.freeBytes());
      assertEquals(0L, m.usedBytes());
      assertEquals(preset.migSupported(), gpu.migMode().isPresent());
      assertFalse(gpu.migEnabled());
      assertTrue(gpu.processes().isEmpty());
    }
    assertEquals(8, uuids.size());
    assertEquals(8, buses.size());
    assertTrue(inventory.unreadable().isEmpty());
  }

  @ParameterizedTest
  @MethodSource("presets")
  void inventory_everyPreset_roundTripsThroughSnapshotJson(GpuPresets.Preset preset) {
    GpuInventory inventory = GpuPresets.inventory("3x" + preset.key());

    assertEquals(
        inventory, GpuSnapshots.parse(GpuSnapshots.toJson(inventory), "preset " + preset.key()));
  }

  @ParameterizedTest
  @MethodSource("presets")
  void all_everyPreset_citesASourceForEveryNumber(GpuPresets.Preset preset) {
    if (preset.totalStatus() != GpuPresets.Status.MEASURED) {
      assertEquals(GpuPresets.Status.PUBLIC, preset.totalStatus(), preset.key());
    }
    if (preset.reservedStatus() != GpuPresets.Status.MEASURED) {
      assertTrue(preset.reservedStatus().isEstimate(), preset.key());
    }
    assertFalse(preset.totalSource().isBlank(), preset.key());
    assertFalse(preset.reservedSource().isBlank(), preset.key());
  }

  @ParameterizedTest
  @MethodSource("presets")
  void inventory_everyEstimatedPreset_notesNameTheEstimate(GpuPresets.Preset preset) {
    List<String> notes = GpuPresets.inventory(preset.key()).notes();

    boolean noted =
        notes.stream()
            .anyMatch(n -> n.startsWith("Preset " + preset.key() + ": the driver reservation"));
    assertEquals(preset.reservedStatus().isEstimate(), noted, preset.key());
  }

  @Test
  void all_requiredModels_present() {
    for (String name :
        List.of("H200", "H100", "H20", "A100-80GB", "A100-40GB", "L40S", "L4", "RTX4090", "B200")) {
      assertTrue(GpuPresets.find(name).isPresent(), name);
    }
  }

  @ParameterizedTest
  @CsvSource({
    "NVIDIA H100 80GB HBM3, 81559, 9.0, true",
    "NVIDIA A100-SXM4-80GB, 81920, 8.0, true",
    "NVIDIA A100-SXM4-40GB, 40960, 8.0, true",
    "NVIDIA L40S, 46068, 8.9, false",
    "NVIDIA L4, 23034, 8.9, false",
    "NVIDIA GeForce RTX 4090, 24564, 8.9, false",
    "NVIDIA H20, 97871, 9.0, true",
    "NVIDIA B200, 183359, 10.0, true",
  })
  void all_publicTotals_asNvidiaSmiPrintsThem(String name, long totalMib, String cc, boolean mig) {
    GpuPresets.Preset preset =
        GpuPresets.all().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();

    assertEquals(totalMib, preset.totalMib());
    assertEquals(ComputeCapability.parse(cc), preset.computeCapability());
    assertEquals(mig, preset.migSupported());
  }

  @ParameterizedTest
  @CsvSource({
    "8xH200, 8, NVIDIA H200",
    "8XH200, 8, NVIDIA H200",
    "' 2 x a100-80gb ', 2, NVIDIA A100-SXM4-80GB",
    "2xA100_SXM4_80GB, 2, NVIDIA A100-SXM4-80GB",
    "h100-sxm, 1, NVIDIA H100 80GB HBM3",
    "4090, 1, NVIDIA GeForce RTX 4090",
    "2x4090, 2, NVIDIA GeForce RTX 4090",
    "64xB200, 64, NVIDIA B200",
    "01xL4, 1, NVIDIA L4",
  })
  void inventory_acceptedSpellings_countAndModel(String spec, int count, String name) {
    GpuInventory inventory = GpuPresets.inventory(spec);

    assertEquals(count, inventory.gpus().size());
    assertEquals(name, inventory.gpus().get(0).name());
  }

  @Test
  void inventory_sameSpecTwice_sameUuidsAndBusIds() {
    assertEquals(GpuPresets.inventory("8xH200"), GpuPresets.inventory("8xh200"));
  }

  @Test
  void inventory_differentModels_differentUuids() {
    assertFalse(
        GpuPresets.inventory("H200")
            .gpus()
            .get(0)
            .uuid()
            .equals(GpuPresets.inventory("H100").gpus().get(0).uuid()));
  }

  @Test
  void inventory_nineGpus_ninthStartsNextPciDomain() {
    GpuInventory inventory = GpuPresets.inventory("9xH200");

    assertEquals("00000000:18:00.0", inventory.gpus().get(0).pciBusId());
    assertEquals("00000001:18:00.0", inventory.gpus().get(8).pciBusId());
  }

  @Test
  void inventory_unknownModel_listsKnownModels() {
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> GpuPresets.inventory("8xH300"));

    assertEquals("GPU preset", e.input());
    assertEquals(
        "GPU preset '8xH300' names no known GPU model ('H300'); known models: "
            + GpuPresets.knownNames()
            + "; write NAME or NxNAME, e.g. 8xH200",
        e.getMessage());
    assertTrue(GpuPresets.knownNames().startsWith("H200 (H200-SXM, H200-141GB), H100 ("));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0xH200", "65xH200", "100000000000xH200"})
  void inventory_countOutOfRange_saysTheRange(String spec) {
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> GpuPresets.inventory(spec));

    assertEquals(
        "GPU preset '"
            + spec
            + "' asks for "
            + spec.substring(0, spec.indexOf('x'))
            + " GPUs; a preset holds 1 to 64 GPUs",
        e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "8xH200,2xL4", "8*H200", "-H200"})
  void inventory_malformed_saysTheForm(String spec) {
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> GpuPresets.inventory(spec));

    assertEquals(
        "GPU preset '"
            + spec
            + "' is not of the form NAME or NxNAME (e.g. H200, 8xH200); known models: "
            + GpuPresets.knownNames(),
        e.getMessage());
  }

  @Test
  void build_countZero_rejected() {
    GpuPresets.Preset h200 = GpuPresets.find("H200").orElseThrow();

    assertThrows(IllegalArgumentException.class, () -> GpuPresets.build(h200, 0));
  }
}
