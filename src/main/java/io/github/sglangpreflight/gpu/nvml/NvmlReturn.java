package io.github.sglangpreflight.gpu.nvml;

import java.util.Locale;
import java.util.Optional;

/**
 * NVML's return codes ({@code nvmlReturn_t}) with their C names. The table works without the
 * library (the Mockito tests and the "NVML not available" path need it); once NVML is loaded,
 * {@code nvmlErrorString} supplies the driver's own text and {@link #description()} is only the
 * fallback.
 */
enum NvmlReturn {
  SUCCESS(0, "the call succeeded"),
  ERROR_UNINITIALIZED(1, "NVML is not initialised"),
  ERROR_INVALID_ARGUMENT(2, "an argument is invalid"),
  ERROR_NOT_SUPPORTED(3, "the device does not support this query"),
  ERROR_NO_PERMISSION(4, "the caller lacks the permission"),
  ERROR_ALREADY_INITIALIZED(5, "NVML is already initialised"),
  ERROR_NOT_FOUND(6, "the object was not found"),
  ERROR_INSUFFICIENT_SIZE(7, "the buffer is too small"),
  ERROR_INSUFFICIENT_POWER(8, "the device's external power cables are not connected"),
  ERROR_DRIVER_NOT_LOADED(9, "the NVIDIA kernel driver is not loaded"),
  ERROR_TIMEOUT(10, "the call timed out"),
  ERROR_IRQ_ISSUE(11, "the kernel detected an interrupt problem with a GPU"),
  ERROR_LIBRARY_NOT_FOUND(12, "a shared library could not be found"),
  ERROR_FUNCTION_NOT_FOUND(13, "this driver does not implement the function"),
  ERROR_CORRUPTED_INFOROM(14, "the GPU's infoROM is corrupted"),
  ERROR_GPU_IS_LOST(15, "the GPU has fallen off the bus or is otherwise inaccessible"),
  ERROR_RESET_REQUIRED(16, "the GPU needs a reset"),
  ERROR_OPERATING_SYSTEM(17, "the operating system blocked the call"),
  ERROR_LIB_RM_VERSION_MISMATCH(18, "the NVML library and the kernel module versions differ"),
  ERROR_IN_USE(19, "the GPU is in use"),
  ERROR_MEMORY(20, "NVML ran out of memory"),
  ERROR_NO_DATA(21, "there is no data"),
  ERROR_VGPU_ECC_NOT_SUPPORTED(22, "ECC is not supported on this vGPU"),
  ERROR_INSUFFICIENT_RESOURCES(23, "resources are insufficient"),
  ERROR_FREQ_NOT_SUPPORTED(24, "the frequency is not supported"),
  ERROR_ARGUMENT_VERSION_MISMATCH(25, "the struct version is not supported"),
  ERROR_DEPRECATED(26, "the function is deprecated"),
  ERROR_NOT_READY(27, "the system is not ready"),
  ERROR_GPU_NOT_FOUND(28, "no GPU was found"),
  ERROR_INVALID_STATE(29, "the resource is in an invalid state"),
  ERROR_RESET_TYPE_NOT_SUPPORTED(30, "this reset type is not supported"),
  ERROR_UNKNOWN(999, "an unknown error");

  private final int code;
  private final String description;

  NvmlReturn(int code, String description) {
    this.code = code;
    this.description = description;
  }

  /** The numeric {@code nvmlReturn_t} value. */
  int code() {
    return code;
  }

  /** The C name, e.g. {@code NVML_ERROR_NO_PERMISSION}. */
  String cName() {
    return "NVML_" + name();
  }

  /** A short description for when the library cannot supply its own text. */
  String description() {
    return description;
  }

  /** The code's enum constant; empty for a value this table does not know (a newer driver). */
  static Optional<NvmlReturn> of(int code) {
    for (NvmlReturn r : values()) {
      if (r.code == code) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** The C name of any code, {@code NVML_ERROR_UNRECOGNISED_1234} for an unknown value. */
  static String cNameOf(int code) {
    return of(code).map(NvmlReturn::cName).orElse("NVML_ERROR_UNRECOGNISED_" + code);
  }

  /** The built-in description of any code. */
  static String describe(int code) {
    return of(code)
        .map(NvmlReturn::description)
        .orElse(String.format(Locale.ROOT, "return code %d is not in this program's table", code));
  }

  /** True when {@code code} is this constant's value. */
  boolean is(int code) {
    return this.code == code;
  }
}
