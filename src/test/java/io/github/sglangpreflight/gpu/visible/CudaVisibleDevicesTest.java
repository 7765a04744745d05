package io.github.sglangpreflight.gpu.visible;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.gpu.ComputeCapability;
import io.github.sglangpreflight.gpu.Gpu;
import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.GpuMemory;
import io.github.sglangpreflight.gpu.MigDevice;
import io.github.sglangpreflight.gpu.MigMode;
import io.github.sglangpreflight.gpu.UnreadableGpu;
import io.github.sglangpreflight.gpu.visible.VisibleDevices.DeviceOrder;
import io.github.sglangpreflight.gpu.visible.VisibleDevices.Kind;
import io.github.sglangpreflight.gpu.visible.VisibleDevices.Problem;
import io.github.sglangpreflight.gpu.visible.VisibleDevices.VisibleDevice;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CudaVisibleDevicesTest {

  private static final long H200_TOTAL = 150754820096L;
  private static final long H200_RESERVED = 644939776L;

  /** PCI bus of NVML GPU i: shuffled, so that NVML index i is not CUDA ordinal i. */
  private static final int[] SHUFFLED_BUSES = {0xBA, 0x18, 0xDB, 0x3A, 0x9A, 0x2A, 0xAB, 0x5D};

  private static String uuid(int i) {
    return String.format("GPU-%x0000000-1111-2222-3333-444444444444", i + 1);
  }

  private static Gpu h200(int index, String uuid, String pci) {
    return new Gpu(
        index,
        uuid,
        pci,
        "NVIDIA H200",
        Optional.of(new ComputeCapability(9, 0)),
        Optional.of(MigMode.DISABLED),
        GpuMemory.v2(H200_TOTAL, H200_RESERVED, H200_TOTAL - H200_RESERVED, 0),
        List.of(),
        List.of());
  }

  private static GpuInventory inventory(List<Gpu> gpus, List<UnreadableGpu> unreadable) {
    return new GpuInventory(
        "test",
        Optional.of("580.159.04"),
        Optional.of("13.580.159.04"),
        OptionalInt.of(13000),
        gpus,
        unreadable,
        List.of());
  }

  /** 8×H200 whose NVML order differs from PCI order. */
  private static GpuInventory shuffled() {
    List<Gpu> gpus = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      gpus.add(h200(i, uuid(i), String.format("00000000:%02X:00.0", SHUFFLED_BUSES[i])));
    }
    return inventory(gpus, List.of());
  }

  /** NVML GPU indices of the visible devices, in CUDA ordinal order. */
  private static List<Integer> nvmlIndices(VisibleDevices v) {
    return v.devices().stream().map(d -> d.gpu().index()).toList();
  }

  private static VisibleDevices resolve(GpuInventory inventory, String cvd) {
    return CudaVisibleDevices.resolve(inventory, Optional.ofNullable(cvd), Optional.empty());
  }

  @Test
  void resolve_unset_everyGpuInPciOrder() {
    VisibleDevices v = resolve(shuffled(), null);

    assertEquals(List.of(1, 5, 3, 7, 4, 6, 0, 2), nvmlIndices(v));
    assertEquals(
        List.of(0, 1, 2, 3, 4, 5, 6, 7),
        v.devices().stream().map(VisibleDevice::cudaOrdinal).toList());
    assertEquals(8, v.cudaDeviceCount());
    assertTrue(v.isClean());
  }

  @Test
  void resolve_ordinalZero_isLowestPciBusNotNvmlIndexZero() {
    VisibleDevices v = resolve(shuffled(), "0");

    assertEquals(List.of(1), nvmlIndices(v));
    assertEquals("00000000:18:00.0", v.devices().get(0).gpu().pciBusId());
  }

  @Test
  void resolve_ordinals_keepListOrder() {
    VisibleDevices v = resolve(shuffled(), "7,0,3");

    assertEquals(List.of(2, 1, 7), nvmlIndices(v));
    assertEquals(List.of(0, 1, 2), v.devices().stream().map(VisibleDevice::cudaOrdinal).toList());
  }

  @Test
  void resolve_uuids_mapByUuidWhateverTheNvmlIndex() {
    VisibleDevices v = resolve(shuffled(), uuid(6) + "," + uuid(0));

    assertEquals(List.of(6, 0), nvmlIndices(v));
    assertTrue(v.isClean());
  }

  @Test
  void resolve_emptyValue_noDeviceAndSentence() {
    VisibleDevices v = resolve(shuffled(), "");

    assertEquals(List.of(), v.devices());
    assertEquals(0, v.cudaDeviceCount());
    assertEquals(
        List.of(
            "CUDA_VISIBLE_DEVICES is set but empty, so CUDA sees no device and SGLang would see 0"
                + " GPUs; unset it to use every GPU, or list the GPUs SGLang should use"),
        v.problemMessages());
    assertEquals(Kind.EMPTY_VALUE, v.problems().get(0).kind());
  }

  @Test
  void resolve_unknownUuidAtPosition3_keepsEarlierEntriesAndListsUuids() {
    GpuInventory two =
        inventory(
            List.of(h200(0, uuid(0), "00000000:18:00.0"), h200(1, uuid(1), "00000000:2A:00.0")),
            List.of());

    VisibleDevices v = resolve(two, uuid(1) + "," + uuid(0) + ",GPU-deadbeef," + uuid(0));

    assertEquals(List.of(1, 0), nvmlIndices(v));
    Problem p = v.problems().get(0);
    assertEquals(Kind.UNKNOWN_UUID, p.kind());
    assertEquals(OptionalInt.of(3), p.position());
    assertEquals(Optional.of("GPU-deadbeef"), p.entry());
    assertEquals(
        "CUDA_VISIBLE_DEVICES entry 'GPU-deadbeef' (position 3) matches no GPU on this host"
            + " (UUIDs: "
            + uuid(0)
            + ", "
            + uuid(1)
            + "); CUDA ignores it and every entry after it, so SGLang would see 2 GPUs",
        p.message());
  }

  @Test
  void resolve_ordinalPastLastDevice_stopsThere() {
    VisibleDevices v = resolve(shuffled(), "0,8,1");

    assertEquals(List.of(1), nvmlIndices(v));
    assertEquals(
        List.of(
            "CUDA_VISIBLE_DEVICES entry '8' (position 2) is not a device ordinal on this host,"
                + " which has 8 CUDA devices (ordinals 0 to 7); CUDA ignores it and every entry"
                + " after it, so SGLang would see 1 GPU"),
        v.problemMessages());
  }

  @Test
  void resolve_negativeOrdinal_endsTheList() {
    VisibleDevices v = resolve(shuffled(), "0,2,-1,1");

    assertEquals(List.of(1, 3), nvmlIndices(v));
    assertEquals(
        List.of(
            "CUDA_VISIBLE_DEVICES entry '-1' (position 3) is negative, which CUDA reads as the end"
                + " of the list; CUDA ignores it and every entry after it, so SGLang would see 2"
                + " GPUs"),
        v.problemMessages());
  }

  @Test
  void resolve_firstEntryInvalid_noDevice() {
    VisibleDevices v = resolve(shuffled(), "all");

    assertEquals(0, v.cudaDeviceCount());
    assertEquals(
        List.of(
            "CUDA_VISIBLE_DEVICES entry 'all' (position 1) is neither a device ordinal nor a"
                + " GPU-/MIG- UUID; CUDA ignores it and every entry after it, so SGLang would see 0"
                + " GPUs"),
        v.problemMessages());
  }

  @Test
  void resolve_emptyEntryInTheMiddle_stopsThere() {
    VisibleDevices v = resolve(shuffled(), "0,,1");

    assertEquals(List.of(1), nvmlIndices(v));
    assertEquals(
        "CUDA_VISIBLE_DEVICES entry '' (position 2) is empty; CUDA ignores it and every entry"
            + " after it, so SGLang would see 1 GPU",
        v.problemMessages().get(0));
  }

  @Test
  void resolve_whitespaceAroundOrdinals_accepted() {
    VisibleDevices v = resolve(shuffled(), " 1 ,\t0 ");

    assertEquals(List.of(5, 1), nvmlIndices(v));
    assertTrue(v.isClean());
  }

  @Test
  void resolve_duplicateOrdinal_noDeviceAtAll() {
    VisibleDevices v = resolve(shuffled(), "0,1,00");

    assertEquals(List.of(), v.devices());
    assertEquals(0, v.cudaDeviceCount());
    assertEquals(
        List.of(
            "CUDA_VISIBLE_DEVICES names GPU 1 ("
                + uuid(1)
                + ") twice, as '0' (position 1) and '00' (position 3); CUDA then fails to"
                + " initialise (cudaErrorInvalidDevice, 'invalid device ordinal'), so SGLang would"
                + " see 0 GPUs; list each device once"),
        v.problemMessages());
  }

  @Test
  void resolve_duplicateUuidViaPrefix_noDevice() {
    VisibleDevices v = resolve(shuffled(), "GPU-3,GPU-30000000-1111");

    assertEquals(0, v.cudaDeviceCount());
    assertEquals(Kind.DUPLICATE_DEVICE, v.problems().get(0).kind());
  }

  @Test
  void resolve_duplicateAfterInvalidEntry_ignoredLikeCuda() {
    VisibleDevices v = resolve(shuffled(), "0,-1,0");

    assertEquals(List.of(1), nvmlIndices(v));
    assertEquals(Kind.ORDINAL_OUT_OF_RANGE, v.problems().get(0).kind());
  }

  @Test
  void resolve_invalidEntryThenDuplicate_countSaysZero() {
    VisibleDevices v = resolve(shuffled(), "0,0,x");

    assertEquals(
        List.of(
            "CUDA_VISIBLE_DEVICES entry 'x' (position 3) is neither a device ordinal nor a GPU-/MIG-"
                + " UUID; CUDA ignores it and every entry after it, so SGLang would see 0 GPUs",
            "CUDA_VISIBLE_DEVICES names GPU 1 ("
                + uuid(1)
                + ") twice, as '0' (position 1) and '0' (position 2); CUDA then fails to initialise"
                + " (cudaErrorInvalidDevice, 'invalid device ordinal'), so SGLang would see 0 GPUs;"
                + " list each device once"),
        v.problemMessages());
  }

  @Test
  void resolve_uuidPrefixWithoutDashesAndUppercase_matches() {
    VisibleDevices v =
        resolve(shuffled(), "GPU-400000001111,MIG-50000000-1111-2222-3333-444444444444 ");

    assertEquals(List.of(3, 4), nvmlIndices(v));
    assertTrue(v.isClean());
  }

  @Test
  void resolve_ambiguousPrefix_stopsAndNamesCandidates() {
    GpuInventory twins =
        inventory(
            List.of(
                h200(0, "GPU-ab000000-1111-2222-3333-444444444444", "00000000:18:00.0"),
                h200(1, "GPU-ab100000-1111-2222-3333-444444444444", "00000000:2A:00.0")),
            List.of());

    VisibleDevices v = resolve(twins, "GPU-ab");

    assertEquals(
        List.of(
            "CUDA_VISIBLE_DEVICES entry 'GPU-ab' (position 1) matches 2 devices (GPU 0"
                + " (GPU-ab000000-1111-2222-3333-444444444444), GPU 1"
                + " (GPU-ab100000-1111-2222-3333-444444444444)), and CUDA needs a UUID prefix that"
                + " names exactly one; CUDA ignores it and every entry after it, so SGLang would see"
                + " 0 GPUs"),
        v.problemMessages());
  }

  @Test
  void resolve_uuidAfterOrdinal_mixedFormsStop() {
    VisibleDevices v = resolve(shuffled(), "0," + uuid(3));

    assertEquals(List.of(1), nvmlIndices(v));
    assertEquals(
        "CUDA_VISIBLE_DEVICES entry '"
            + uuid(3)
            + "' (position 2) is a UUID, but the list starts with an ordinal and CUDA does not mix"
            + " ordinals and UUIDs; CUDA ignores it and every entry after it, so SGLang would see 1"
            + " GPU",
        v.problemMessages().get(0));
  }

  @Test
  void resolve_ordinalAfterUuid_mixedFormsStop() {
    VisibleDevices v = resolve(shuffled(), uuid(3) + ",0");

    assertEquals(List.of(3), nvmlIndices(v));
    assertEquals(Kind.MIXED_FORMS, v.problems().get(0).kind());
  }

  @Test
  void resolve_leadingWhitespaceBeforeUuid_stops() {
    VisibleDevices v = resolve(shuffled(), uuid(3) + ", " + uuid(4));

    assertEquals(List.of(3), nvmlIndices(v));
    assertEquals(
        "CUDA_VISIBLE_DEVICES entry ' "
            + uuid(4)
            + "' (position 2) starts with whitespace, which CUDA does not skip before a UUID; CUDA"
            + " ignores it and every entry after it, so SGLang would see 1 GPU",
        v.problemMessages().get(0));
  }

  @Test
  void resolve_leadingWhitespaceBeforeFirstUuid_noDevice() {
    VisibleDevices v = resolve(shuffled(), " " + uuid(4));

    assertEquals(
        List.of(
            "CUDA_VISIBLE_DEVICES entry ' "
                + uuid(4)
                + "' (position 1) starts with whitespace, which CUDA does not skip before a UUID;"
                + " CUDA ignores it and every entry after it, so SGLang would see 0 GPUs"),
        v.problemMessages());
  }

  @Test
  void resolve_blankEntryAfterUuid_stops() {
    VisibleDevices v = resolve(shuffled(), uuid(4) + ", ," + uuid(5));

    assertEquals(List.of(4), nvmlIndices(v));
    assertEquals(
        "CUDA_VISIBLE_DEVICES entry ' ' (position 2) is blank; CUDA ignores it and every entry"
            + " after it, so SGLang would see 1 GPU",
        v.problemMessages().get(0));
  }

  @Test
  void resolve_firstEntryInvalidOnMixedHost_noOrderNote() {
    VisibleDevices v = resolve(mixed(), "none");

    assertEquals(1, v.problems().size());
    assertEquals(Kind.INVALID_ENTRY, v.problems().get(0).kind());
  }

  @Test
  void resolve_lowercasePrefix_saysCaseSensitive() {
    VisibleDevices v = resolve(shuffled(), "gpu-40000000");

    assertEquals(
        List.of(
            "CUDA_VISIBLE_DEVICES entry 'gpu-40000000' (position 1) starts with 'gpu-', but CUDA's"
                + " GPU- and MIG- prefixes are case-sensitive (write 'GPU-40000000'); CUDA ignores"
                + " it and every entry after it, so SGLang would see 0 GPUs"),
        v.problemMessages());
  }

  @Test
  void resolve_trailingJunkAfterDigits_readAsOrdinalWithWarning() {
    VisibleDevices v = resolve(shuffled(), "1gpu2,0");

    assertEquals(List.of(5, 1), nvmlIndices(v));
    assertEquals(
        List.of(
            "CUDA_VISIBLE_DEVICES entry '1gpu2' (position 1) is read as ordinal 1: CUDA ignores"
                + " everything after the leading digits"),
        v.problemMessages());
    assertEquals(Kind.LENIENT_NUMBER, v.problems().get(0).kind());
  }

  @Test
  void resolve_ordinalBeyond32Bits_wrapsLikeCuda() {
    VisibleDevices v = resolve(shuffled(), "4294967297");

    assertEquals(List.of(5), nvmlIndices(v));
    assertEquals(
        List.of(
            "CUDA_VISIBLE_DEVICES entry '4294967297' (position 1) is read as ordinal 1: CUDA keeps"
                + " only the low 32 bits of the number"),
        v.problemMessages());
  }

  @Test
  void resolve_uuidWithoutPrefixStartingWithDigit_readAsOrdinal() {
    GpuInventory host = inventory(MEASURED_HOSTS.get("h200x2-a"), List.of());

    VisibleDevices v = resolve(host, "0b1dc080-7bca-53d2-d51c-d900a43b0120");

    assertEquals(List.of(0), nvmlIndices(v));
    assertEquals(
        List.of(
            "CUDA_VISIBLE_DEVICES entry '0b1dc080-7bca-53d2-d51c-d900a43b0120' (position 1) looks"
                + " like a GPU UUID without the GPU- prefix; CUDA reads only its leading digits, as"
                + " ordinal 0 (write 'GPU-0b1dc080-7bca-53d2-d51c-d900a43b0120' to name that GPU)"),
        v.problemMessages());
  }

  @Test
  void resolve_uuidWithoutPrefixStartingWithLetter_stopsWithHint() {
    GpuInventory one =
        inventory(
            List.of(h200(0, "GPU-e21e2fac-e4df-5175-08a3-6914844c6d02", "00000000:06:00.0")),
            List.of());

    VisibleDevices v = resolve(one, "e21e2fac-e4df-5175-08a3-6914844c6d02");

    assertEquals(
        List.of(
            "CUDA_VISIBLE_DEVICES entry 'e21e2fac-e4df-5175-08a3-6914844c6d02' (position 1) looks"
                + " like a GPU UUID without the GPU- prefix, which CUDA does not accept (write"
                + " 'GPU-e21e2fac-e4df-5175-08a3-6914844c6d02'); CUDA ignores it and every entry"
                + " after it, so SGLang would see 0 GPUs"),
        v.problemMessages());
  }

  @Test
  void resolve_invalidDeviceOrder_cudaFailsToInitialise() {
    VisibleDevices v =
        CudaVisibleDevices.resolve(shuffled(), Optional.of("0"), Optional.of("pci_bus_id"));

    assertEquals(0, v.cudaDeviceCount());
    assertEquals(
        List.of(
            "CUDA_DEVICE_ORDER is 'pci_bus_id'; CUDA accepts only FASTEST_FIRST or PCI_BUS_ID,"
                + " spelled exactly, and with any other value it fails to initialise"
                + " (cudaErrorInvalidDevice), so SGLang would see 0 GPUs; fix or unset"
                + " CUDA_DEVICE_ORDER"),
        v.problemMessages());
  }

  @Test
  void resolve_emptyDeviceOrder_cudaFailsToInitialise() {
    VisibleDevices v = CudaVisibleDevices.resolve(shuffled(), Optional.empty(), Optional.of(""));

    assertEquals(0, v.cudaDeviceCount());
    assertEquals(
        List.of(
            "CUDA_DEVICE_ORDER is set but empty; CUDA accepts only FASTEST_FIRST or PCI_BUS_ID,"
                + " spelled exactly, and with any other value it fails to initialise"
                + " (cudaErrorInvalidDevice), so SGLang would see 0 GPUs; fix or unset"
                + " CUDA_DEVICE_ORDER"),
        v.problemMessages());
  }

  /** 2×L40S on low PCI buses and 2×H100 on high ones. */
  private static GpuInventory mixed() {
    Gpu l40s0 =
        gpu(
            0,
            "GPU-c0000000-0000-0000-0000-000000000000",
            "00000000:18:00.0",
            "NVIDIA L40S",
            8,
            9,
            46068);
    Gpu l40s1 =
        gpu(
            1,
            "GPU-c1000000-0000-0000-0000-000000000000",
            "00000000:2A:00.0",
            "NVIDIA L40S",
            8,
            9,
            46068);
    Gpu h100a =
        gpu(
            2,
            "GPU-d0000000-0000-0000-0000-000000000000",
            "00000000:9A:00.0",
            "NVIDIA H100 80GB HBM3",
            9,
            0,
            81559);
    Gpu h100b =
        gpu(
            3,
            "GPU-d1000000-0000-0000-0000-000000000000",
            "00000000:AB:00.0",
            "NVIDIA H100 80GB HBM3",
            9,
            0,
            81559);
    return inventory(List.of(l40s0, l40s1, h100a, h100b), List.of());
  }

  private static Gpu gpu(
      int index, String uuid, String pci, String name, int major, int minor, long mib) {
    long total = mib << 20;
    return new Gpu(
        index,
        uuid,
        pci,
        name,
        Optional.of(new ComputeCapability(major, minor)),
        Optional.empty(),
        GpuMemory.v2(total, 500L << 20, total - (500L << 20), 0),
        List.of(),
        List.of());
  }

  @Test
  void resolve_mixedGpusFastestFirst_higherComputeCapabilityFirstWithNote() {
    VisibleDevices v = resolve(mixed(), "0,1");

    assertEquals(List.of(2, 3), nvmlIndices(v));
    assertEquals(DeviceOrder.FASTEST_FIRST, v.order());
    assertEquals(
        List.of(
            "This host mixes GPU models and CUDA_DEVICE_ORDER is FASTEST_FIRST (the default);"
                + " preflight numbers the GPUs by compute capability, then PCI bus id, which"
                + " approximates CUDA's own heuristic; set CUDA_DEVICE_ORDER=PCI_BUS_ID to make the"
                + " CUDA ordinals certain"),
        v.problemMessages());
  }

  @Test
  void resolve_mixedGpusPciBusId_pciOrderWithoutNote() {
    VisibleDevices v =
        CudaVisibleDevices.resolve(mixed(), Optional.of("0,1"), Optional.of("PCI_BUS_ID"));

    assertEquals(List.of(0, 1), nvmlIndices(v));
    assertTrue(v.isClean());
  }

  @Test
  void resolve_mixedGpusByUuid_noOrderNote() {
    VisibleDevices v = resolve(mixed(), "GPU-c1,GPU-d0");

    assertEquals(List.of(1, 2), nvmlIndices(v));
    assertTrue(v.isClean());
  }

  /** GPU 0: A100 in MIG mode with two MIG devices; GPU 1: a plain A100. */
  private static GpuInventory mig() {
    GpuMemory slice = GpuMemory.v2(42144366592L, 0, 42144366592L, 0);
    Gpu migGpu =
        new Gpu(
            0,
            "GPU-a1000000-0000-0000-0000-000000000000",
            "00000000:18:00.0",
            "NVIDIA A100-SXM4-80GB",
            Optional.of(new ComputeCapability(8, 0)),
            Optional.of(new MigMode(true, true)),
            GpuMemory.v2(85899345920L, 799277056L, 85100068864L, 0),
            List.of(),
            List.of(
                new MigDevice(
                    0,
                    "MIG-f0000000-0000-0000-0000-000000000000",
                    "NVIDIA A100-SXM4-80GB MIG 3g.40gb",
                    slice),
                new MigDevice(
                    1,
                    "MIG-f1000000-0000-0000-0000-000000000000",
                    "NVIDIA A100-SXM4-80GB MIG 3g.40gb",
                    slice)));
    Gpu plain =
        new Gpu(
            1,
            "GPU-a2000000-0000-0000-0000-000000000000",
            "00000000:2A:00.0",
            "NVIDIA A100-SXM4-80GB",
            Optional.of(new ComputeCapability(8, 0)),
            Optional.of(MigMode.DISABLED),
            GpuMemory.v2(85899345920L, 799277056L, 85100068864L, 0),
            List.of(),
            List.of());
    return inventory(List.of(migGpu, plain), List.of());
  }

  @Test
  void resolve_migUuid_mapsToMigDeviceAndBudgetsItsMemory() {
    VisibleDevices v = resolve(mig(), "MIG-f1000000-0000-0000-0000-000000000000");

    VisibleDevice d = v.devices().get(0);
    assertEquals(0, d.gpu().index());
    assertEquals(1, d.migDevice().orElseThrow().index());
    assertEquals(42144366592L, d.memory().totalBytes());
    assertEquals("MIG-f1000000-0000-0000-0000-000000000000", d.uuid());
    assertEquals("NVIDIA A100-SXM4-80GB MIG 3g.40gb", d.name());
    assertTrue(v.isClean());
  }

  @Test
  void resolve_migModeGpuByOrdinal_expandsToItsMigDevicesWithProblem() {
    VisibleDevices v = resolve(mig(), "0,1");

    assertEquals(3, v.cudaDeviceCount());
    assertEquals(
        List.of(Optional.of(0), Optional.of(1), Optional.<Integer>empty()),
        v.devices().stream().map(d -> d.migDevice().map(MigDevice::index)).toList());
    assertEquals(85899345920L, v.devices().get(2).memory().totalBytes());
    assertEquals(
        List.of(
            "CUDA_VISIBLE_DEVICES entry '0' (position 1) names GPU 0"
                + " (GPU-a1000000-0000-0000-0000-000000000000), which is in MIG mode, so CUDA"
                + " enumerates its MIG devices instead of the whole GPU; preflight assumes all 2 of"
                + " them are visible, which is approximate; name the MIG device SGLang should use"
                + " by its MIG- UUID from 'nvidia-smi -L'"),
        v.problemMessages());
  }

  @Test
  void resolve_legacyMigFormWithSeveralMigDevices_countedButNotBudgeted() {
    VisibleDevices v =
        resolve(mig(), "MIG-GPU-a1000000-0000-0000-0000-000000000000/1/0,MIG-f0000000");

    assertEquals(2, v.cudaDeviceCount());
    assertEquals(1, v.devices().size());
    assertEquals(1, v.devices().get(0).cudaOrdinal());
    assertEquals(Kind.UNRESOLVED_MIG_DEVICE, v.problems().get(0).kind());
    assertEquals(
        "CUDA_VISIBLE_DEVICES entry 'MIG-GPU-a1000000-0000-0000-0000-000000000000/1/0' (position"
            + " 1) uses the legacy MIG-GPU-<uuid>/<gi>/<ci> form; the inventory has no GPU- and"
            + " compute-instance ids, so preflight cannot tell which of the 2 MIG devices of GPU 0"
            + " (GPU-a1000000-0000-0000-0000-000000000000) it names and cannot budget on it; name"
            + " it by its MIG- UUID from 'nvidia-smi -L'",
        v.problemMessages().get(0));
  }

  @Test
  void resolve_legacyMigFormOnGpuWithoutMig_stopsLikeCuda() {
    VisibleDevices v = resolve(mig(), "MIG-GPU-a2000000-0000-0000-0000-000000000000/0/0");

    assertEquals(0, v.cudaDeviceCount());
    assertEquals(
        List.of(
            "CUDA_VISIBLE_DEVICES entry 'MIG-GPU-a2000000-0000-0000-0000-000000000000/0/0'"
                + " (position 1) names GPU 1 (GPU-a2000000-0000-0000-0000-000000000000) in the"
                + " legacy MIG form, but MIG is off on that GPU; CUDA ignores it and every entry"
                + " after it, so SGLang would see 0 GPUs"),
        v.problemMessages());
  }

  @Test
  void resolve_legacyMigFormWithOneMigDevice_resolvesToIt() {
    GpuInventory base = mig();
    Gpu g = base.gpus().get(0);
    Gpu oneSlice =
        new Gpu(
            g.index(),
            g.uuid(),
            g.pciBusId(),
            g.name(),
            g.computeCapability(),
            g.migMode(),
            g.memory(),
            g.processes(),
            List.of(g.migDevices().get(0)));
    GpuInventory inv = inventory(List.of(oneSlice, base.gpus().get(1)), List.of());

    VisibleDevices v = resolve(inv, "MIG-GPU-a1000000-0000-0000-0000-000000000000/1/0");

    assertEquals("MIG-f0000000-0000-0000-0000-000000000000", v.devices().get(0).uuid());
    assertTrue(v.isClean());
  }

  /** 3 readable H200s at NVML 0, 1, 3 and NVML GPU 2 unreadable. */
  private static GpuInventory withUnreadable() {
    return inventory(
        List.of(
            h200(0, uuid(0), "00000000:18:00.0"),
            h200(1, uuid(1), "00000000:2A:00.0"),
            h200(3, uuid(3), "00000000:5D:00.0")),
        List.of(
            new UnreadableGpu(
                2, "nvmlDeviceGetHandleByIndex_v2 returned NVML_ERROR_NO_PERMISSION")));
  }

  @Test
  void resolve_ordinalOfUnreadableGpu_problemWithNvmlReasonAndGap() {
    VisibleDevices v = resolve(withUnreadable(), "3,2,0");

    assertEquals(3, v.cudaDeviceCount());
    assertEquals(List.of(3, 0), nvmlIndices(v));
    assertEquals(List.of(0, 2), v.devices().stream().map(VisibleDevice::cudaOrdinal).toList());
    assertEquals(
        List.of(
            "NVML could not read GPU 2, so its place in CUDA's device order is unknown; preflight"
                + " assumes it keeps its NVML position, and the CUDA ordinals of the listed entries"
                + " may differ",
            "CUDA_VISIBLE_DEVICES entry '2' (position 2) is CUDA device 1: NVML could not read GPU"
                + " 2 (nvmlDeviceGetHandleByIndex_v2 returned NVML_ERROR_NO_PERMISSION); SGLang"
                + " would use it as cuda:1, but preflight cannot see its memory"),
        v.problemMessages());
  }

  @Test
  void resolve_unsetWithUnreadableGpu_countsItAndSaysWhy() {
    VisibleDevices v = resolve(withUnreadable(), null);

    assertEquals(4, v.cudaDeviceCount());
    assertEquals(List.of(0, 1, 3), nvmlIndices(v));
    assertEquals(List.of(0, 1, 3), v.devices().stream().map(VisibleDevice::cudaOrdinal).toList());
    assertEquals(
        "NVML could not read GPU 2 (nvmlDeviceGetHandleByIndex_v2 returned"
            + " NVML_ERROR_NO_PERMISSION); SGLang would use it as cuda:2, but preflight cannot see"
            + " its memory",
        v.problemMessages().get(1));
  }

  @Test
  void resolve_unknownUuidWithUnreadableGpu_mentionsTheReason() {
    VisibleDevices v = resolve(withUnreadable(), "GPU-deadbeef");

    assertEquals(
        List.of(
            "CUDA_VISIBLE_DEVICES entry 'GPU-deadbeef' (position 1) matches no GPU on this host"
                + " (UUIDs: "
                + uuid(0)
                + ", "
                + uuid(1)
                + ", "
                + uuid(3)
                + "); NVML could not read GPU 2 (nvmlDeviceGetHandleByIndex_v2 returned"
                + " NVML_ERROR_NO_PERMISSION), so the entry may name that GPU; CUDA ignores it and"
                + " every entry after it, so SGLang would see 0 GPUs"),
        v.problemMessages());
  }

  @Test
  void fromEnvironment_readsBothVariables() {
    VisibleDevices v =
        CudaVisibleDevices.fromEnvironment(
            mixed(),
            Map.of("CUDA_VISIBLE_DEVICES", "0", "CUDA_DEVICE_ORDER", "PCI_BUS_ID", "PATH", "/bin"));

    assertEquals(List.of(0), nvmlIndices(v));
    assertEquals(DeviceOrder.PCI_BUS_ID, v.order());
    assertEquals(Optional.of("0"), v.cudaVisibleDevices());
  }

  @Test
  void fromEnvironment_neitherVariable_everyGpu() {
    VisibleDevices v = CudaVisibleDevices.fromEnvironment(shuffled(), Map.of());

    assertEquals(8, v.devices().size());
    assertEquals(Optional.empty(), v.cudaVisibleDevices());
  }

  // ---- replay of the measurements on two 2xH200 hosts ----

  private static final Map<String, List<Gpu>> MEASURED_HOSTS =
      Map.of(
          "h200x2-a",
          List.of(
              h200(0, "GPU-e21e2fac-e4df-5175-08a3-6914844c6d02", "00000000:00:06.0"),
              h200(1, "GPU-0b1dc080-7bca-53d2-d51c-d900a43b0120", "00000000:00:07.0")),
          "h200x2-b",
          List.of(
              h200(0, "GPU-7a67204c-9311-c550-a7b3-7694187ce8b2", "00000000:00:06.0"),
              h200(1, "GPU-dc34eb23-426a-80ad-db2e-0a0e783ce2c0", "00000000:00:07.0")));

  static Stream<Arguments> measured() throws IOException {
    List<Arguments> rows = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                Objects.requireNonNull(
                    CudaVisibleDevicesTest.class.getResourceAsStream(
                        "cuda-visible-devices-h200x2.tsv")),
                StandardCharsets.UTF_8))) {
      String line;
      boolean header = true;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("#")) {
          continue;
        }
        if (header) {
          header = false;
          continue;
        }
        String[] f = line.split("\t", -1);
        rows.add(Arguments.of(f[0], unquote(f[1]), unquote(f[2]), f[3], Integer.parseInt(f[4])));
      }
    }
    return rows.stream();
  }

  private static String unquote(String field) {
    if (field.equals("(unset)")) {
      return null;
    }
    String body = field.substring(1, field.length() - 1);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c == '\\') {
        char next = body.charAt(++i);
        b.append(next == 't' ? '\t' : next);
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  @ParameterizedTest(name = "{0} CUDA_VISIBLE_DEVICES={1} CUDA_DEVICE_ORDER={2} -> {3}")
  @MethodSource("measured")
  void resolve_measuredOnH200Hosts_sameDevicesAsCuda(
      String host, String cvd, String order, String visible, int cuInit) {
    GpuInventory inventory = inventory(MEASURED_HOSTS.get(host), List.of());

    VisibleDevices v =
        CudaVisibleDevices.resolve(inventory, Optional.ofNullable(cvd), Optional.ofNullable(order));

    List<Integer> expected =
        visible.equals("none")
            ? List.of()
            : Arrays.stream(visible.split(",")).map(Integer::valueOf).toList();
    assertEquals(expected, nvmlIndices(v));
    assertEquals(expected.size(), v.cudaDeviceCount());
    boolean initFails =
        v.problems().stream()
            .anyMatch(
                p -> p.kind() == Kind.DUPLICATE_DEVICE || p.kind() == Kind.INVALID_DEVICE_ORDER);
    assertEquals(cuInit == 101, initFails);
  }
}
