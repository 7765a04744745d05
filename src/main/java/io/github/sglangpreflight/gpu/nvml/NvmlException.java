package io.github.sglangpreflight.gpu.nvml;

import io.github.sglangpreflight.errors.GpuQueryException;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * An NVML call failed. The message names the function, the GPU (when the call was about one), the
 * return code with its C name and NVML's own text, e.g. {@code nvmlDeviceGetMemoryInfo_v2 failed
 * for GPU 0: NVML_ERROR_NO_PERMISSION (4): Insufficient Permissions}, followed by what to do where
 * the code has a known remedy.
 */
public final class NvmlException extends GpuQueryException {
  private final String function;
  private final OptionalInt gpuIndex;
  private final int returnCode;
  private final String returnCodeName;
  private final String nvmlText;

  /**
   * @param function the NVML function, e.g. {@code nvmlInitWithFlags}
   * @param target what the call was about, e.g. {@code GPU 0} or {@code GPU 0 MIG device 1}; empty
   *     for system-wide calls
   * @param gpuIndex the NVML index of the GPU, empty for system-wide calls
   * @param returnCode the {@code nvmlReturn_t} value
   * @param nvmlText {@code nvmlErrorString(returnCode)}
   * @param advice what to do, empty when there is nothing better than the code itself
   */
  NvmlException(
      String function,
      String target,
      OptionalInt gpuIndex,
      int returnCode,
      String nvmlText,
      String advice) {
    super(message(function, target, returnCode, nvmlText, advice));
    this.function = Objects.requireNonNull(function, "function");
    this.gpuIndex = Objects.requireNonNull(gpuIndex, "gpuIndex");
    this.returnCode = returnCode;
    this.returnCodeName = NvmlReturn.cNameOf(returnCode);
    this.nvmlText = Objects.requireNonNull(nvmlText, "nvmlText");
  }

  private static String message(
      String function, String target, int returnCode, String nvmlText, String advice) {
    StringBuilder b = new StringBuilder(function).append(" failed");
    if (!target.isEmpty()) {
      b.append(" for ").append(target);
    }
    b.append(": ").append(NvmlReturn.cNameOf(returnCode));
    b.append(" (").append(returnCode).append("): ").append(nvmlText);
    if (!advice.isEmpty()) {
      b.append("; ").append(advice);
    }
    return b.toString();
  }

  /** The NVML function that failed, e.g. {@code nvmlDeviceGetMemoryInfo_v2}. */
  public String function() {
    return function;
  }

  /** The NVML index of the GPU the call was about; empty for system-wide calls. */
  public OptionalInt gpuIndex() {
    return gpuIndex;
  }

  /** The {@code nvmlReturn_t} value, e.g. 4. */
  public int returnCode() {
    return returnCode;
  }

  /** The return code's C name, e.g. {@code NVML_ERROR_NO_PERMISSION}. */
  public String returnCodeName() {
    return returnCodeName;
  }

  /** NVML's text for the code ({@code nvmlErrorString}), e.g. {@code Insufficient Permissions}. */
  public String nvmlText() {
    return nvmlText;
  }
}
