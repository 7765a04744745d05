package io.github.sglangpreflight.gpu.visible;

import io.github.sglangpreflight.gpu.Gpu;
import io.github.sglangpreflight.gpu.GpuMemory;
import io.github.sglangpreflight.gpu.MigDevice;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The devices an SGLang process would see under a given {@code CUDA_VISIBLE_DEVICES} and {@code
 * CUDA_DEVICE_ORDER}, as {@link CudaVisibleDevices#resolve} works them out. Immutable.
 *
 * @param cudaVisibleDevices the variable's value; empty when it is unset (then every device is
 *     visible)
 * @param order the device order CUDA numbers devices in
 * @param cudaDeviceCount what {@code cudaGetDeviceCount} would report: the visible devices,
 *     counting those preflight cannot budget on (a GPU NVML could not read, a MIG device it cannot
 *     identify); 0 when CUDA would fail to initialise
 * @param devices the visible devices preflight can budget on, in CUDA ordinal order ({@code cuda:0}
 *     first); an ordinal is skipped where the device cannot be budgeted on
 * @param problems every entry CUDA ignores or reads differently than it looks, every device that
 *     cannot be budgeted on and every approximation, one sentence each; empty when all is clear
 */
public record VisibleDevices(
    Optional<String> cudaVisibleDevices,
    DeviceOrder order,
    int cudaDeviceCount,
    List<VisibleDevice> devices,
    List<Problem> problems) {

  public VisibleDevices {
    Objects.requireNonNull(cudaVisibleDevices, "cudaVisibleDevices");
    Objects.requireNonNull(order, "order");
    if (cudaDeviceCount < 0) {
      throw new IllegalArgumentException(
          "cudaDeviceCount must not be negative, was " + cudaDeviceCount);
    }
    devices = List.copyOf(devices);
    problems = List.copyOf(problems);
    if (devices.size() > cudaDeviceCount) {
      throw new IllegalArgumentException(
          "devices (" + devices.size() + ") cannot exceed cudaDeviceCount " + cudaDeviceCount);
    }
  }

  /** True when every device CUDA would enumerate can be budgeted on and no entry was ignored. */
  public boolean isClean() {
    return problems.isEmpty();
  }

  /** The problems' sentences, in order. */
  public List<String> problemMessages() {
    return problems.stream().map(Problem::message).toList();
  }

  /**
   * One device SGLang would see.
   *
   * @param cudaOrdinal its CUDA ordinal ({@code cuda:N} inside the SGLang process)
   * @param gpu the physical GPU
   * @param migDevice the MIG device when the ordinal is a MIG instance of {@code gpu}
   */
  public record VisibleDevice(int cudaOrdinal, Gpu gpu, Optional<MigDevice> migDevice) {
    public VisibleDevice {
      if (cudaOrdinal < 0) {
        throw new IllegalArgumentException("cudaOrdinal must not be negative, was " + cudaOrdinal);
      }
      Objects.requireNonNull(gpu, "gpu");
      Objects.requireNonNull(migDevice, "migDevice");
    }

    /** The memory to budget on: the MIG device's when there is one, else the whole GPU's. */
    public GpuMemory memory() {
      return migDevice.map(MigDevice::memory).orElse(gpu.memory());
    }

    /** The UUID CUDA reports for this device: the MIG device's or the GPU's. */
    public String uuid() {
      return migDevice.map(MigDevice::uuid).orElse(gpu.uuid());
    }

    /** The device name: the MIG device's or the GPU's. */
    public String name() {
      return migDevice.map(MigDevice::name).orElse(gpu.name());
    }
  }

  /**
   * A {@code CUDA_VISIBLE_DEVICES} entry or device that needs attention.
   *
   * @param kind what is wrong
   * @param position the 1-based position of the entry in the list, where one entry is at fault
   * @param entry the entry as written, where one entry is at fault
   * @param message the whole sentence for people
   */
  public record Problem(Kind kind, OptionalInt position, Optional<String> entry, String message) {
    public Problem {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(position, "position");
      Objects.requireNonNull(entry, "entry");
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * How CUDA numbers devices ({@code CUDA_DEVICE_ORDER}). FASTEST_FIRST is approximated: see {@link
   * CudaVisibleDevices}.
   */
  public enum DeviceOrder {
    /** The default: fastest device first (approximated). */
    FASTEST_FIRST,
    /** Ascending PCI bus id, the order nvidia-smi shows. */
    PCI_BUS_ID
  }

  /** Kinds of {@link Problem}. */
  public enum Kind {
    /** The variable is set but empty: CUDA sees no device. */
    EMPTY_VALUE,
    /** {@code CUDA_DEVICE_ORDER} has a value CUDA rejects: CUDA fails to initialise. */
    INVALID_DEVICE_ORDER,
    /**
     * An entry CUDA cannot read (not a number, empty, bad prefix): it and later entries are
     * ignored.
     */
    INVALID_ENTRY,
    /** An ordinal past the last device: it and later entries are ignored. */
    ORDINAL_OUT_OF_RANGE,
    /** A UUID (prefix) that matches no device: it and later entries are ignored. */
    UNKNOWN_UUID,
    /** A UUID prefix that matches several devices: it and later entries are ignored. */
    AMBIGUOUS_UUID,
    /** An ordinal after UUIDs or a UUID after ordinals: it and later entries are ignored. */
    MIXED_FORMS,
    /** A device listed twice: CUDA fails to initialise and sees no device. */
    DUPLICATE_DEVICE,
    /** An entry CUDA reads differently than it looks ({@code 1gpu2} is ordinal 1). */
    LENIENT_NUMBER,
    /** A visible GPU NVML could not read: SGLang would use it, preflight cannot budget on it. */
    UNREADABLE_GPU,
    /** A MIG device preflight cannot identify (legacy {@code MIG-GPU-<uuid>/<gi>/<ci>} form). */
    UNRESOLVED_MIG_DEVICE,
    /** A GPU in MIG mode named as a whole: CUDA enumerates its MIG devices instead. */
    MIG_MODE_GPU,
    /**
     * Mixed GPU models under FASTEST_FIRST, or unreadable GPUs: the CUDA ordinals are approximate.
     */
    APPROXIMATE_ORDER
  }
}
