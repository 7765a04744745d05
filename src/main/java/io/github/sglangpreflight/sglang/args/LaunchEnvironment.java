package io.github.sglangpreflight.sglang.args;

import io.github.sglangpreflight.sglang.args.SglangFlags.Snapshot;
import java.math.BigInteger;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The environment an SGLang launch starts with, and the switches in it that change start-up memory,
 * read the way SGLang reads them.
 *
 * <p>Two generations of SGLang read these variables differently:
 *
 * <ul>
 *   <li>Up to v0.5.1 ({@link Snapshot#V0_4_5_POST3} to {@link Snapshot#V0_5_1}) SGLang reads the
 *       {@code SGL_} spellings through {@code get_bool_env_var}: a set value is true only when it
 *       is {@code true} or {@code 1} (any case); anything else, the empty string included, is false
 *       ({@code python/sglang/srt/utils.py} L84-98 @v0.4.5.post3). The {@code SGLANG_} spellings
 *       are not read.
 *   <li>On main ({@link Snapshot#MAIN}) SGLang reads the {@code SGLANG_} spellings through {@code
 *       sglang.srt.environ}: a boolean is true for {@code true 1 yes y}, false for {@code false 0
 *       no n} (any case), and any other value falls back to the default with a warning ({@code
 *       environ.py} L134-142 @8761b971). At import every {@code SGL_X} is copied over {@code
 *       SGLANG_X}, so the old spelling wins when both are set ({@code environ.py} L1484-1527).
 * </ul>
 *
 * <p>Values read by this class: {@link #jitDeepGemm}, {@link #jitDeepGemmPrecompile}, {@link
 * #jitDeepGemmFastWarmup}, {@link #jitDeepGemmCompileWorkers}, {@link
 * #tpMemoryImbalanceCheckEnabled}, {@link #symmMemPreallocGb}, {@link #postCaptureKvSizing}, {@link
 * #cudaVisibleDevices}, {@link #cudaDeviceOrder}, {@link #pytorchCudaAllocConf}; anything else
 * through {@link #get}. {@link #MEMORY_RELEVANT} lists every variable known to change start-up
 * memory.
 *
 * @param variables every variable of the launch's environment (the given map with the {@code env}
 *     prefix's assignments applied)
 */
public record LaunchEnvironment(Map<String, String> variables) {

  /** A boolean environment switch as SGLang reads it: not set (default applies), true or false. */
  public enum Switch {
    UNSET,
    TRUE,
    FALSE;

    /** The switch's value, or {@code defaultValue} when it is unset. */
    public boolean orElse(boolean defaultValue) {
      return this == UNSET ? defaultValue : this == TRUE;
    }
  }

  /**
   * Every variable SGLang (v0.4.5.post3 to main) or the CUDA stack reads that changes start-up GPU
   * memory, old and new spellings.
   */
  public static final List<String> MEMORY_RELEVANT =
      List.of(
          "SGL_ENABLE_JIT_DEEPGEMM",
          "SGLANG_ENABLE_JIT_DEEPGEMM",
          "SGL_JIT_DEEPGEMM_PRECOMPILE",
          "SGLANG_JIT_DEEPGEMM_PRECOMPILE",
          "SGLANG_JIT_DEEPGEMM_FAST_WARMUP",
          "SGL_JIT_DEEPGEMM_COMPILE_WORKERS",
          "SGLANG_JIT_DEEPGEMM_COMPILE_WORKERS",
          "SGLANG_DEEPGEMM_MASKED_MEMORY_BUDGET_FRACTION",
          "SGL_DISABLE_TP_MEMORY_INBALANCE_CHECK",
          "SGLANG_ENABLE_TP_MEMORY_INBALANCE_CHECK",
          "SGLANG_SYMM_MEM_PREALLOC_GB_SIZE",
          "SGLANG_ENABLE_POST_CAPTURE_KV_SIZING",
          "SGLANG_MEMORY_SAVER_CUDA_GRAPH",
          "SGLANG_MM_FEATURE_CACHE_MB",
          "SGLANG_VLM_CACHE_SIZE_MB",
          "SGLANG_CI_SMALL_KV_SIZE",
          "CUDA_VISIBLE_DEVICES",
          "CUDA_DEVICE_ORDER",
          "PYTORCH_CUDA_ALLOC_CONF",
          "NCCL_CUMEM_ENABLE",
          "NCCL_NVLS_ENABLE");

  /**
   * Old spelling (read up to v0.5.1) to new spelling (read on main) of the memory-relevant
   * switches. Main copies every {@code SGL_X} to {@code SGLANG_X} at import; the imbalance check is
   * the exception in meaning: the old name disabled the check, the new one enables it, and main
   * copies the value across unchanged.
   */
  public static final Map<String, String> NEW_SPELLINGS =
      Map.of(
          "SGL_ENABLE_JIT_DEEPGEMM", "SGLANG_ENABLE_JIT_DEEPGEMM",
          "SGL_JIT_DEEPGEMM_PRECOMPILE", "SGLANG_JIT_DEEPGEMM_PRECOMPILE",
          "SGL_JIT_DEEPGEMM_COMPILE_WORKERS", "SGLANG_JIT_DEEPGEMM_COMPILE_WORKERS",
          "SGL_DG_CACHE_DIR", "SGLANG_DG_CACHE_DIR",
          "SGL_DISABLE_TP_MEMORY_INBALANCE_CHECK", "SGLANG_ENABLE_TP_MEMORY_INBALANCE_CHECK");

  public LaunchEnvironment {
    Objects.requireNonNull(variables, "variables");
    TreeMap<String, String> copy = new TreeMap<>();
    variables.forEach(
        (k, v) ->
            copy.put(Objects.requireNonNull(k, "variable name"), Objects.requireNonNull(v, k)));
    variables = Collections.unmodifiableMap(copy);
  }

  /** The value of {@code name}; empty when it is not set (set to the empty string is present). */
  public Optional<String> get(String name) {
    return Optional.ofNullable(variables.get(Objects.requireNonNull(name, "name")));
  }

  /**
   * JIT DeepGEMM: {@code SGL_ENABLE_JIT_DEEPGEMM} up to v0.5.1 (default false in v0.4.5.post3, true
   * from v0.4.6: {@code layers/quantization/deep_gemm.py} L28 @v0.4.5.post3), {@code
   * SGLANG_ENABLE_JIT_DEEPGEMM} on main (default true: {@code environ.py} L766). SGLang also
   * requires an sm90+ GPU and the deep_gemm package; that is the profile's part.
   */
  public Switch jitDeepGemm(Snapshot snapshot) {
    return bool(snapshot, "SGL_ENABLE_JIT_DEEPGEMM", "SGLANG_ENABLE_JIT_DEEPGEMM");
  }

  /**
   * DeepGEMM kernel pre-compilation: {@code SGL_JIT_DEEPGEMM_PRECOMPILE} up to v0.5.1, {@code
   * SGLANG_JIT_DEEPGEMM_PRECOMPILE} on main; default true in both.
   */
  public Switch jitDeepGemmPrecompile(Snapshot snapshot) {
    return bool(snapshot, "SGL_JIT_DEEPGEMM_PRECOMPILE", "SGLANG_JIT_DEEPGEMM_PRECOMPILE");
  }

  /**
   * {@code SGLANG_JIT_DEEPGEMM_FAST_WARMUP} (main only; default false): the warm-up samples about
   * 3072 sizes instead of all 16384. Always {@link Switch#UNSET} for older snapshots, which do not
   * read it.
   */
  public Switch jitDeepGemmFastWarmup(Snapshot snapshot) {
    if (snapshot != Snapshot.MAIN) {
      return Switch.UNSET;
    }
    return bool(snapshot, "SGL_JIT_DEEPGEMM_FAST_WARMUP", "SGLANG_JIT_DEEPGEMM_FAST_WARMUP");
  }

  /**
   * DeepGEMM compile workers: {@code SGL_JIT_DEEPGEMM_COMPILE_WORKERS} up to v0.5.1 ({@code
   * get_int_env_var}: blank or non-integer means default), {@code
   * SGLANG_JIT_DEEPGEMM_COMPILE_WORKERS} on main; default 4. Empty when unset or unreadable.
   */
  public OptionalInt jitDeepGemmCompileWorkers(Snapshot snapshot) {
    Optional<String> raw =
        effective(
            snapshot, "SGL_JIT_DEEPGEMM_COMPILE_WORKERS", "SGLANG_JIT_DEEPGEMM_COMPILE_WORKERS");
    if (raw.isEmpty() || raw.get().isBlank()) {
      return OptionalInt.empty();
    }
    return FlagValues.pythonInt(raw.get())
        .filter(v -> v.bitLength() < 32)
        .map(v -> OptionalInt.of(v.intValue()))
        .orElse(OptionalInt.empty());
  }

  /**
   * Whether SGLang's start-up check "The memory capacity is unbalanced" stops the launch (true) or
   * only warns (false).
   *
   * <p>Up to v0.5.1 it stops unless {@code SGL_DISABLE_TP_MEMORY_INBALANCE_CHECK} is true ({@code
   * model_executor/model_runner.py} L389-401 @v0.4.5.post3). On main it stops unless {@code
   * SGLANG_ENABLE_TP_MEMORY_INBALANCE_CHECK} is false ({@code distributed/bootstrap.py}
   * L268-279 @8761b971). Main copies the old variable's value into the new one unchanged ({@code
   * environ.py} L1489-1492), so {@code SGL_DISABLE_TP_MEMORY_INBALANCE_CHECK=1} keeps the check ON
   * there and {@code =0} turns it off: the old switch reads inverted on main.
   */
  public boolean tpMemoryImbalanceCheckEnabled(Snapshot snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    if (snapshot != Snapshot.MAIN) {
      return !legacyBool(get("SGL_DISABLE_TP_MEMORY_INBALANCE_CHECK")).orElse(false);
    }
    Optional<String> raw = get("SGL_DISABLE_TP_MEMORY_INBALANCE_CHECK");
    if (raw.isEmpty()) {
      raw = get("SGLANG_ENABLE_TP_MEMORY_INBALANCE_CHECK");
    }
    return environBool(raw).orElse(true);
  }

  /**
   * {@code SGLANG_SYMM_MEM_PREALLOC_GB_SIZE} (main only): GiB of symmetric memory pre-allocated per
   * GPU when symmetric memory is on. Empty when unset, not an integer, or not positive (SGLang's
   * default -1 means no pre-allocation); {@code --enable-symm-mem} makes main set 4 when it is
   * unset ({@code server_args.py} L4907-4912 @8761b971), which is the profile's part.
   */
  public OptionalInt symmMemPreallocGb(Snapshot snapshot) {
    if (Objects.requireNonNull(snapshot, "snapshot") != Snapshot.MAIN) {
      return OptionalInt.empty();
    }
    Optional<String> raw =
        effective(snapshot, "SGL_SYMM_MEM_PREALLOC_GB_SIZE", "SGLANG_SYMM_MEM_PREALLOC_GB_SIZE");
    return raw.flatMap(FlagValues::pythonInt)
        .filter(v -> v.signum() > 0 && v.bitLength() < 32)
        .map(BigInteger::intValue)
        .map(OptionalInt::of)
        .orElse(OptionalInt.empty());
  }

  /**
   * {@code SGLANG_ENABLE_POST_CAPTURE_KV_SIZING} (main only, default false, PR #30157): size the KV
   * pool after CUDA-graph capture. {@link Switch#UNSET} for older snapshots.
   */
  public Switch postCaptureKvSizing(Snapshot snapshot) {
    if (Objects.requireNonNull(snapshot, "snapshot") != Snapshot.MAIN) {
      return Switch.UNSET;
    }
    return bool(
        snapshot, "SGL_ENABLE_POST_CAPTURE_KV_SIZING", "SGLANG_ENABLE_POST_CAPTURE_KV_SIZING");
  }

  /**
   * {@code CUDA_VISIBLE_DEVICES} exactly as set: empty when unset, {@code Optional.of("")} when set
   * to the empty string (which hides every GPU).
   */
  public Optional<String> cudaVisibleDevices() {
    return get("CUDA_VISIBLE_DEVICES");
  }

  /** {@code CUDA_DEVICE_ORDER} as set ({@code PCI_BUS_ID} or {@code FASTEST_FIRST}). */
  public Optional<String> cudaDeviceOrder() {
    return get("CUDA_DEVICE_ORDER");
  }

  /** {@code PYTORCH_CUDA_ALLOC_CONF} as set (e.g. {@code expandable_segments:True}). */
  public Optional<String> pytorchCudaAllocConf() {
    return get("PYTORCH_CUDA_ALLOC_CONF");
  }

  /**
   * The variables with the values of secret-looking names ({@code HF_TOKEN}, {@code
   * AWS_SECRET_ACCESS_KEY}, {@code *_API_KEY}, {@code *_PASSWORD}, …) replaced by {@code ***}.
   */
  public Map<String, String> maskedForLog() {
    TreeMap<String, String> masked = new TreeMap<>();
    variables.forEach(
        (k, v) -> masked.put(k, LaunchSecrets.isSecretVariable(k) ? LaunchSecrets.MASK : v));
    return Collections.unmodifiableMap(masked);
  }

  @Override
  public String toString() {
    return "LaunchEnvironment" + maskedForLog();
  }

  private Switch bool(Snapshot snapshot, String legacyName, String newName) {
    Objects.requireNonNull(snapshot, "snapshot");
    if (snapshot != Snapshot.MAIN) {
      return legacyBool(get(legacyName));
    }
    return environBool(effective(snapshot, legacyName, newName));
  }

  private Optional<String> effective(Snapshot snapshot, String legacyName, String newName) {
    Objects.requireNonNull(snapshot, "snapshot");
    if (snapshot != Snapshot.MAIN) {
      return get(legacyName);
    }
    Optional<String> legacy = get(legacyName);
    return legacy.isPresent() ? legacy : get(newName);
  }

  /** get_bool_env_var: true/1 are true, every other set value is false. */
  static Switch legacyBool(Optional<String> raw) {
    if (raw.isEmpty()) {
      return Switch.UNSET;
    }
    String v = raw.get().toLowerCase(Locale.ROOT);
    return v.equals("true") || v.equals("1") ? Switch.TRUE : Switch.FALSE;
  }

  /** sglang.srt.environ EnvBool: true/1/yes/y, false/0/no/n; anything else means the default. */
  static Switch environBool(Optional<String> raw) {
    if (raw.isEmpty()) {
      return Switch.UNSET;
    }
    return switch (raw.get().toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "y" -> Switch.TRUE;
      case "false", "0", "no", "n" -> Switch.FALSE;
      default -> Switch.UNSET;
    };
  }
}
