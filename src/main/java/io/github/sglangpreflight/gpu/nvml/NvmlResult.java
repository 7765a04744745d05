package io.github.sglangpreflight.gpu.nvml;

import java.util.Objects;

/**
 * What one NVML call answered: its return code and, on success, the value it wrote.
 *
 * @param returnCode the {@code nvmlReturn_t} value
 * @param value the value on success; null otherwise (this type never leaves the package)
 */
record NvmlResult<T>(int returnCode, T value) {

  NvmlResult {
    if (returnCode == NvmlReturn.SUCCESS.code()) {
      Objects.requireNonNull(value, "value");
    } else if (value != null) {
      throw new IllegalArgumentException(
          "a failed call carries no value, was " + value + " with return code " + returnCode);
    }
  }

  static <T> NvmlResult<T> ok(T value) {
    return new NvmlResult<>(NvmlReturn.SUCCESS.code(), value);
  }

  static <T> NvmlResult<T> failed(int returnCode) {
    if (returnCode == NvmlReturn.SUCCESS.code()) {
      throw new IllegalArgumentException("a failed call needs a return code other than 0");
    }
    return new NvmlResult<>(returnCode, null);
  }

  static <T> NvmlResult<T> failed(NvmlReturn returnCode) {
    return failed(returnCode.code());
  }

  boolean isSuccess() {
    return returnCode == NvmlReturn.SUCCESS.code();
  }
}
