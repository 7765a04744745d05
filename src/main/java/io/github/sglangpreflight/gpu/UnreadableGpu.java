package io.github.sglangpreflight.gpu;

import java.util.Objects;

/**
 * A GPU NVML counts but could not be read (for example {@code NVML_ERROR_NO_PERMISSION} on its
 * handle). Kept in the inventory so that a launch needing it is refused with the reason instead of
 * silently seeing fewer GPUs.
 *
 * @param index the NVML index
 * @param reason the whole sentence: function, return code name and NVML's text
 */
public record UnreadableGpu(int index, String reason) {
  public UnreadableGpu {
    if (index < 0) {
      throw new IllegalArgumentException("GPU index must not be negative, was " + index);
    }
    Objects.requireNonNull(reason, "reason");
  }
}
