package io.github.sglangpreflight.model;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The element type of a checkpoint tensor or of a tensor SGLang keeps on the GPU, with its size.
 *
 * <p>The safetensors names ({@code BF16}, {@code F8_E4M3}, ...) are the {@code dtype} strings of a
 * safetensors header; the torch names ({@code bfloat16}, ...) are what {@code config.json}'s {@code
 * torch_dtype} and SGLang's {@code --dtype} use.
 */
public enum WeightDtype {
  F64("F64", "float64", 8, true),
  F32("F32", "float32", 4, true),
  F16("F16", "float16", 2, true),
  BF16("BF16", "bfloat16", 2, true),
  F8_E4M3("F8_E4M3", "float8_e4m3fn", 1, false),
  F8_E5M2("F8_E5M2", "float8_e5m2", 1, false),
  F8_E8M0("F8_E8M0", "float8_e8m0fnu", 1, false),
  I64("I64", "int64", 8, false),
  I32("I32", "int32", 4, false),
  I16("I16", "int16", 2, false),
  I8("I8", "int8", 1, false),
  U64("U64", "uint64", 8, false),
  U32("U32", "uint32", 4, false),
  U16("U16", "uint16", 2, false),
  U8("U8", "uint8", 1, false),
  BOOL("BOOL", "bool", 1, false);

  private final String safetensorsName;
  private final String torchName;
  private final int bytes;
  private final boolean floatingPoint;

  WeightDtype(String safetensorsName, String torchName, int bytes, boolean floatingPoint) {
    this.safetensorsName = safetensorsName;
    this.torchName = torchName;
    this.bytes = bytes;
    this.floatingPoint = floatingPoint;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /** The name a safetensors header uses, e.g. {@code BF16}. */
  public String safetensorsName() {
    return safetensorsName;
  }

  /** The torch name, e.g. {@code bfloat16}. */
  public String torchName() {
    return torchName;
  }

  /**
   * Whether SGLang creates a parameter of this type in the model dtype ({@code --dtype}, else
   * {@code torch_dtype}): true for F64/F32/F16/BF16, whose values it casts on load; false for the
   * fp8 and integer types of quantized checkpoints, which it keeps as stored.
   */
  public boolean castToModelDtype() {
    return floatingPoint;
  }

  /** The dtype of a safetensors header's {@code dtype} string, if it is one this build knows. */
  public static Optional<WeightDtype> fromSafetensors(String name) {
    Objects.requireNonNull(name, "name");
    for (WeightDtype d : values()) {
      if (d.safetensorsName.equals(name)) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }

  /**
   * The dtype of a torch name as {@code config.json} ({@code torch_dtype}) or {@code --dtype}
   * writes it: {@code bfloat16}, {@code float16}/{@code half}, {@code float32}/{@code float}, with
   * or without a {@code torch.} prefix, case-insensitive.
   */
  public static Optional<WeightDtype> fromTorchName(String name) {
    Objects.requireNonNull(name, "name");
    String n = name.toLowerCase(Locale.ROOT).strip();
    if (n.startsWith("torch.")) {
      n = n.substring("torch.".length());
    }
    return switch (n) {
      case "bfloat16", "bf16" -> Optional.of(BF16);
      case "float16", "half", "fp16" -> Optional.of(F16);
      case "float32", "float", "fp32" -> Optional.of(F32);
      case "float64", "double" -> Optional.of(F64);
      default -> {
        for (WeightDtype d : values()) {
          if (d.torchName.equals(n)) {
            yield Optional.of(d);
          }
        }
        yield Optional.empty();
      }
    };
  }
}
