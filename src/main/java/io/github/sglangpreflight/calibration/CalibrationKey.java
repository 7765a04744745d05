package io.github.sglangpreflight.calibration;

import io.github.sglangpreflight.model.Parallelism;
import java.util.Objects;
import java.util.Optional;

/**
 * What a calibration is valid for: an observation applies to a later check only when all five match
 * exactly.
 *
 * @param gpuModel the GPU's name as NVML reports it, e.g. {@code NVIDIA H100 80GB HBM3}
 * @param driverVersion the driver, e.g. {@code 580.159.04}; {@code unknown} when not read
 * @param sglangVersion the SGLang version modelled, e.g. {@code 0.5.1}
 * @param model the model id, e.g. {@code meta-llama/Llama-3.1-8B-Instruct}
 * @param parallelism the layout and the settings the measured terms depend on, e.g. {@code
 *     tp1-pp1-dp1-ep1-nnodes1} or {@code tp1-pp1-dp1-ep1-nnodes1/ctx131072-graphs:bs256}
 */
public record CalibrationKey(
    String gpuModel, String driverVersion, String sglangVersion, String model, String parallelism) {
  public CalibrationKey {
    Objects.requireNonNull(gpuModel, "gpuModel");
    Objects.requireNonNull(driverVersion, "driverVersion");
    Objects.requireNonNull(sglangVersion, "sglangVersion");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(parallelism, "parallelism");
  }

  /**
   * The key of a launch, built the same way by the check that looks it up and by {@code exec} that
   * records it.
   *
   * @param gpuModel the NVML name of the launch's first GPU
   * @param driverVersion the driver, when read ({@code unknown} otherwise)
   * @param model the {@code --model-path} value
   * @param settings the launch's settings that the measured terms depend on (context length, graph
   *     sizes, quantization, ...), so that a record applies only to the same settings
   */
  public static CalibrationKey of(
      String gpuModel,
      Optional<String> driverVersion,
      String sglangVersion,
      String model,
      Parallelism parallelism,
      String settings) {
    return new CalibrationKey(
        gpuModel,
        driverVersion.filter(d -> !d.isBlank()).orElse("unknown"),
        sglangVersion,
        model,
        layout(parallelism) + (settings.isEmpty() ? "" : "/" + settings));
  }

  /** The layout part of a key, e.g. {@code tp2-pp1-dp1-ep1-nnodes1} ({@code -dpattn} with DP). */
  public static String layout(Parallelism p) {
    return "tp"
        + p.tpSize()
        + "-pp"
        + p.ppSize()
        + "-dp"
        + p.dpSize()
        + (p.dpAttention() ? "-dpattn" : "")
        + "-ep"
        + p.epSize()
        + "-nnodes"
        + p.nnodes();
  }

  /** The key in one line for lists and logs. */
  public String describe() {
    return gpuModel
        + ", driver "
        + driverVersion
        + ", SGLang "
        + sglangVersion
        + ", "
        + model
        + ", "
        + parallelism;
  }
}
