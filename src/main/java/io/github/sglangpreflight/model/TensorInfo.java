package io.github.sglangpreflight.model;

import java.util.List;
import java.util.Objects;

/**
 * One checkpoint tensor: its name as the checkpoint spells it, its stored dtype and shape, and its
 * stored bytes (what the tensor occupies in the safetensors file, not what SGLang keeps on a GPU).
 *
 * @param name e.g. {@code model.layers.0.self_attn.q_proj.weight}
 * @param dtype the stored element type
 * @param shape the dimensions, outermost first (a linear weight is {@code [out, in]})
 * @param bytes {@code numel × dtype bytes}
 */
public record TensorInfo(String name, WeightDtype dtype, List<Long> shape, long bytes) {

  public TensorInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dtype, "dtype");
    shape = List.copyOf(shape);
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("tensor " + name + " has a negative dimension " + d);
      }
    }
    long expected = Math.multiplyExact(numel(shape), (long) dtype.bytes());
    if (bytes != expected) {
      throw new IllegalArgumentException(
          "tensor "
              + name
              + " of "
              + dtype.safetensorsName()
              + " "
              + shape
              + " holds "
              + expected
              + " bytes, was given "
              + bytes);
    }
  }

  /** A tensor whose bytes follow from its dtype and shape. */
  public static TensorInfo of(String name, WeightDtype dtype, long... dims) {
    List<Long> shape = new java.util.ArrayList<>(dims.length);
    for (long d : dims) {
      shape.add(d);
    }
    return new TensorInfo(
        name, dtype, shape, Math.multiplyExact(numel(shape), (long) dtype.bytes()));
  }

  /** The number of elements. */
  public long numel() {
    return numel(shape);
  }

  /** The size of dimension {@code i}. */
  public long dim(int i) {
    return shape.get(i);
  }

  static long numel(List<Long> shape) {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }
}
