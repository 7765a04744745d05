package io.github.sglangpreflight.errors;

/**
 * The GPUs could not be read at all: no NVIDIA driver, NVML missing or refusing, a driver/library
 * mismatch. Distinct from a rejection: nothing is known about the memory. The CLI maps it to exit
 * code 1.
 */
public class GpuQueryException extends PreflightException {
  public GpuQueryException(String message) {
    super(message);
  }

  public GpuQueryException(String message, Throwable cause) {
    super(message, cause);
  }
}
