package io.github.sglangpreflight;

import io.github.sglangpreflight.errors.GpuQueryException;

/**
 * What {@code check} and {@code apply} do when the GPUs cannot be read at all (no driver, NVML
 * error).
 */
public enum OnUnreadableGpus {
  /** Fail closed: throw {@link GpuQueryException}. The default. */
  FAIL,
  /** Let the launch go unchecked: the report says so and the command is not rewritten. */
  LAUNCH_UNCHECKED
}
