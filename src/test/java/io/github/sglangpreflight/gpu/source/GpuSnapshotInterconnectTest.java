package io.github.sglangpreflight.gpu.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.gpu.Gpu;
import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.Interconnect;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The optional {@code interconnect} object of a snapshot's GPU (docs/gpu-snapshot.md). */
class GpuSnapshotInterconnectTest {

  @Test
  void aPresetsInterconnect_roundTrips() {
    GpuInventory inv = GpuPresets.inventory("2xL4");
    String json = GpuSnapshots.toJson(inv);

    assertTrue(json.contains("\"interconnect\""), json);
    GpuInventory back = GpuSnapshots.parse(json, "test");
    assertEquals(inv.gpus().getFirst().interconnect(), back.gpus().getFirst().interconnect());
    assertEquals(Interconnect.Kind.PCIE, back.gpus().getFirst().interconnect().kind());
  }

  @Test
  void nvmlCounts_roundTrip() {
    Gpu g =
        GpuPresets.inventory("1xH200")
            .gpus()
            .getFirst()
            .withInterconnect(
                new Interconnect(
                    Interconnect.Kind.NVLINK,
                    OptionalInt.of(18),
                    OptionalInt.of(5),
                    OptionalInt.of(16),
                    "NVML: nvmlDeviceGetP2PStatus reports NVLink to all 7 other GPUs;"
                        + " nvmlDeviceGetNvLinkState: 18 of 18 links active"));
    GpuInventory inv = GpuPresets.inventory("1xH200");
    GpuInventory one =
        new GpuInventory(
            inv.source(),
            inv.driverVersion(),
            inv.nvmlVersion(),
            inv.cudaDriverVersion(),
            java.util.List.of(g),
            inv.unreadable(),
            inv.notes());

    Interconnect back =
        GpuSnapshots.parse(GpuSnapshots.toJson(one), "test").gpus().getFirst().interconnect();
    assertEquals(Interconnect.Kind.NVLINK, back.kind());
    assertEquals(OptionalInt.of(18), back.activeNvLinks());
    assertEquals(OptionalInt.of(5), back.pcieGeneration());
    assertEquals(OptionalInt.of(16), back.pcieWidth());
  }

  @Test
  void anUnknownKindNvmlGaveAReasonFor_roundTripsWithTheReason() {
    Interconnect unknown =
        new Interconnect(
            Interconnect.Kind.UNKNOWN,
            OptionalInt.empty(),
            OptionalInt.of(4),
            OptionalInt.of(16),
            "NVML could not tell: nvmlDeviceGetP2PStatus answered NVML_ERROR_NOT_SUPPORTED (3) for"
                + " GPU 0 and GPU 1");
    GpuInventory inv = GpuPresets.inventory("1xL4");
    GpuInventory one =
        new GpuInventory(
            inv.source(),
            inv.driverVersion(),
            inv.nvmlVersion(),
            inv.cudaDriverVersion(),
            java.util.List.of(inv.gpus().getFirst().withInterconnect(unknown)),
            inv.unreadable(),
            inv.notes());

    String json = GpuSnapshots.toJson(one);

    assertTrue(json.contains("\"kind\" : \"unknown\""), json);
    assertEquals(unknown, GpuSnapshots.parse(json, "test").gpus().getFirst().interconnect());
  }

  @Test
  void anOldSnapshotWithoutIt_readsAsUnknown_andWritesAsBefore() {
    String json = GpuSnapshots.toJson(GpuPresets.inventory("1xH200"));
    String old = json.replaceAll(",\\s*\"interconnect\"\\s*:\\s*\\{[^}]*\\}", "");
    assertFalse(old.contains("interconnect"), old);

    GpuInventory inv = GpuSnapshots.parse(old, "old");
    assertEquals(Interconnect.Kind.UNKNOWN, inv.gpus().getFirst().interconnect().kind());
    assertEquals(old, GpuSnapshots.toJson(inv));
  }

  @Test
  void aBadKind_isAnErrorNamingTheField() {
    String json = GpuSnapshots.toJson(GpuPresets.inventory("1xL4")).replace("\"pcie\"", "\"usb\"");
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> GpuSnapshots.parse(json, "bad"));
    assertTrue(
        e.getMessage().contains("gpus[0].interconnect.kind")
            && e.getMessage()
                .contains("must be nvlink, nvlink-pairs, pcie or unknown, was \"usb\""),
        e.getMessage());
  }
}
