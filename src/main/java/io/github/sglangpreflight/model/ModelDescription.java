package io.github.sglangpreflight.model;

import java.util.List;
import java.util.Objects;

/**
 * Everything the memory model knows about one {@code --model-path}: the architecture facts and the
 * inventory of checkpoint tensors, with where they came from.
 *
 * @param id the model as the user named it ({@code --model-path}, or a catalog id)
 * @param origin where the facts came from
 * @param location the directory, snapshot or file read, or the catalog resource
 * @param spec the architecture facts
 * @param tensors every checkpoint tensor, in checkpoint order (shard by shard for measured ones;
 *     held as {@link #tensorClasses()}, so the experts of a layer that differ only by their index
 *     are listed together, in index order, where the first of them was)
 * @param tensorSource whether {@link #tensors} were read from safetensors headers or synthesized
 *     from the config
 * @param notes facts a person should know about the description (an alias, completed catalog
 *     fields, shards that could not be measured), one sentence each
 */
public record ModelDescription(
    String id,
    Origin origin,
    String location,
    ModelSpec spec,
    List<TensorInfo> tensors,
    TensorSource tensorSource,
    List<String> notes) {

  /** Where a description's facts came from. */
  public enum Origin {
    /** A local directory given as {@code --model-path}. */
    LOCAL_DIR("local-dir"),
    /** A Hugging Face id found in the local Hugging Face cache. */
    HF_CACHE("hf-cache"),
    /** A Hugging Face id known to the built-in catalog (nothing on disk). */
    CATALOG("catalog"),
    /** An explicit config file ({@code --model-config}). */
    CONFIG_FILE("config-file");

    private final String label;

    Origin(String label) {
      this.label = label;
    }

    /**
     * The label reports use: {@code local-dir}, {@code hf-cache}, {@code catalog}, {@code
     * config-file}.
     */
    public String label() {
      return label;
    }
  }

  /** How the tensor inventory was obtained. */
  public enum TensorSource {
    /** Read from the safetensors headers: exact dtypes and shapes. */
    MEASURED,
    /** Built from the config with the checkpoint's naming ({@link TensorInventory}). */
    SYNTHESIZED
  }

  public ModelDescription {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(tensorSource, "tensorSource");
    tensors = TensorClassList.of(tensors);
    notes = List.copyOf(notes);
  }

  /**
   * The tensors as classes: the routed experts of one layer that differ only by their index are one
   * class ({@link TensorClass}), every other tensor a class of one; in the order of {@link
   * #tensors()}.
   */
  public List<TensorClass> tensorClasses() {
    return ((TensorClassList) tensors).classes();
  }

  /** The stored bytes of all tensors (for a measured checkpoint: the files minus their headers). */
  public long tensorBytes() {
    return ((TensorClassList) tensors).bytes();
  }
}
