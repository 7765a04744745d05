package io.github.sglangpreflight.model;

import java.util.Objects;

/**
 * Checkpoint tensors that differ only by their expert index: the routed experts of one MoE layer
 * hold the same projection with the same dtype and shape once per expert ({@code
 * model.layers.3.mlp.experts.0.gate_proj.weight} … {@code experts.255.gate_proj.weight}). The
 * placement treats them as one class with a multiplicity instead of one name per expert; a tensor
 * without an expert index is a class of one. Which names carry an expert index is the placement's
 * rule ({@link WeightPlacement}: a decoder layer's {@code experts.N.gate_proj}, {@code up_proj},
 * {@code down_proj}, {@code w1}-{@code w3}, {@code gate_up_proj}).
 *
 * @param first the member with the lowest expert index (the tensor itself for a class of one)
 * @param count how many members: {@code first}'s name with the expert index {@code i}, {@code i +
 *     1}, …, {@code i + count − 1}, the same dtype and shape
 */
public record TensorClass(TensorInfo first, int count) {

  public TensorClass {
    Objects.requireNonNull(first, "first");
    if (count < 1) {
      throw new IllegalArgumentException(
          "a tensor class has at least one member, " + first.name() + " was given " + count);
    }
    if (count > 1 && expertIndexSpan(first.name()) == null) {
      throw new IllegalArgumentException(
          "tensor " + first.name() + " has no expert index, so it cannot stand for " + count);
    }
  }

  /** A class of one tensor. */
  public static TensorClass of(TensorInfo tensor) {
    return new TensorClass(tensor, 1);
  }

  /** The stored bytes of all members. */
  public long bytes() {
    return Math.multiplyExact(first.bytes(), (long) count);
  }

  /** The expert index of {@link #first}; -1 for a tensor without one. */
  public int firstExpert() {
    int[] span = expertIndexSpan(first.name());
    return span == null ? -1 : Integer.parseInt(first.name(), span[0], span[1], 10);
  }

  /** Member {@code k} (0 = {@link #first}). */
  public TensorInfo member(int k) {
    Objects.checkIndex(k, count);
    if (k == 0) {
      return first;
    }
    String name = first.name();
    int[] span = expertIndexSpan(name);
    int index = Integer.parseInt(name, span[0], span[1], 10) + k;
    return new TensorInfo(
        name.substring(0, span[0]) + index + name.substring(span[1]),
        first.dtype(),
        first.shape(),
        first.bytes());
  }

  private static int[] expertIndexSpan(String name) {
    return WeightPlacement.expertIndexSpan(name);
  }
}
