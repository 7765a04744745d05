package io.github.sglangpreflight.model.source;

import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.model.ModelDescription;
import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.model.TensorInfo;
import io.github.sglangpreflight.model.arch.ArchLayouts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves a {@code --model-path} value to a {@link ModelDescription}, reading only metadata and
 * never downloading anything.
 *
 * <ol>
 *   <li>An explicit config file ({@code --model-config PATH}) wins: its facts, tensors synthesized.
 *   <li>A local directory: {@code config.json} and the safetensors headers of every shard (those
 *       {@code model.safetensors.index.json} lists, else every {@code *.safetensors}); only the
 *       8-byte header length and the JSON header of each file are read.
 *   <li>A Hugging Face id in the local cache ({@code $HF_HUB_CACHE}, {@code $HF_HOME/hub}, {@code
 *       ~/.cache/huggingface/hub}), the snapshot {@code refs/main} names: read like a directory.
 *   <li>A Hugging Face id the built-in {@link ModelCatalog} knows: its config, tensors synthesized.
 * </ol>
 *
 * <p>Like SGLang, a {@code --model-path} that exists on disk is a local path; anything else is a
 * Hugging Face id.
 */
public final class ModelResolver {
  private static final Logger LOG = LoggerFactory.getLogger(ModelResolver.class);
  private static final Pattern HF_ID = Pattern.compile("[A-Za-z0-9][\\w.-]*(/[\\w.-]+)?");

  private final HfCache cache;
  private final ModelCatalog catalog;

  /**
   * @param environment the process environment ({@code HF_HUB_CACHE}, {@code HF_HOME}, ...)
   * @param userHome the home directory ({@code ~})
   * @param catalog the catalog for ids not on disk
   */
  public ModelResolver(Map<String, String> environment, Path userHome, ModelCatalog catalog) {
    this.cache =
        new HfCache(
            Map.copyOf(Objects.requireNonNull(environment, "environment")),
            Objects.requireNonNull(userHome, "userHome"));
    this.catalog = Objects.requireNonNull(catalog, "catalog");
  }

  /** A resolver over this process's environment, home directory and the built-in catalog. */
  public static ModelResolver fromEnvironment() {
    return new ModelResolver(
        System.getenv(), Path.of(System.getProperty("user.home")), ModelCatalog.builtIn());
  }

  /**
   * Resolves {@code --model-path}.
   *
   * @throws InvalidInputException when the path, its config or a shard is unusable, or the id is
   *     neither on disk nor in the catalog
   */
  public ModelDescription resolve(String modelPath) {
    return resolve(modelPath, Optional.empty());
  }

  /**
   * Resolves {@code --model-path}, or takes the facts from {@code --model-config} when given.
   *
   * @param modelPath the {@code --model-path} value
   * @param modelConfig an explicit config.json that wins over the other sources
   * @throws InvalidInputException when an input is unusable (the message names it and the fix)
   */
  public ModelDescription resolve(String modelPath, Optional<Path> modelConfig) {
    Objects.requireNonNull(modelPath, "modelPath");
    Objects.requireNonNull(modelConfig, "modelConfig");
    if (modelConfig.isPresent()) {
      return fromConfigFile(modelPath, modelConfig.get());
    }
    String value = modelPath.strip();
    if (value.isEmpty()) {
      throw new InvalidInputException(
          "--model-path", "--model-path is empty; give a model directory or a Hugging Face id");
    }
    Path path = toPath(value);
    if (path != null && Files.exists(path)) {
      if (!Files.isDirectory(path)) {
        throw new InvalidInputException(
            "--model-path",
            "--model-path "
                + value
                + " is a file, not a model directory; point it at the directory that holds"
                + " config.json, or pass the file as --model-config");
      }
      return fromDirectory(value, path, ModelDescription.Origin.LOCAL_DIR, List.of());
    }
    if (!HF_ID.matcher(value).matches()) {
      throw new InvalidInputException(
          "--model-path",
          "--model-path "
              + value
              + " does not exist and is not a Hugging Face id; check the path (it is resolved"
              + " against "
              + Path.of("").toAbsolutePath()
              + ")");
    }
    Optional<HfCache.Snapshot> snapshot = cache.find(value);
    if (snapshot.isPresent() && Files.isRegularFile(snapshot.get().dir().resolve("config.json"))) {
      HfCache.Snapshot s = snapshot.get();
      LOG.debug("model {} found in the Hugging Face cache at {}", value, s.dir());
      List<String> notes = new ArrayList<>();
      s.note().ifPresent(notes::add);
      return fromDirectory(value, s.dir(), ModelDescription.Origin.HF_CACHE, notes);
    }
    Optional<ModelDescription> known = catalog.describe(value);
    if (known.isPresent()) {
      LOG.debug("model {} taken from the built-in catalog ({})", value, known.get().location());
      return known.get();
    }
    List<String> close = catalog.closeTo(value);
    String hub = cache.hubDir().toString();
    throw new InvalidInputException(
        "--model-path",
        "--model-path "
            + value
            + " is neither a local directory, nor in the Hugging Face cache ("
            + hub
            + "), nor in the built-in catalog"
            + (close.isEmpty() ? "" : " (close catalog names: " + String.join(", ", close) + ")")
            + "; download the model, point --model-path at its directory, or pass"
            + " --model-config with its config.json");
  }

  /** A config file as last read: the same path, size and modification time reuse it. */
  private record ConfigFileKey(String modelPath, Path file, long sizeBytes, long modifiedMillis) {}

  /** Descriptions of recently read config files (immutable values, shared by every resolver). */
  private static final Map<ConfigFileKey, ModelDescription> CONFIG_FILES =
      java.util.Collections.synchronizedMap(
          new java.util.LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ConfigFileKey, ModelDescription> e) {
              return size() > 16;
            }
          });

  private ModelDescription fromConfigFile(String modelPath, Path file) {
    String where = "--model-config " + file;
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException(
          "--model-config",
          where
              + (Files.isDirectory(file) ? " is a directory" : " does not exist")
              + "; give the path of a config.json file");
    }
    ConfigFileKey key = null;
    try {
      key =
          new ConfigFileKey(
              modelPath,
              file.toAbsolutePath(),
              Files.size(file),
              Files.getLastModifiedTime(file).toMillis());
    } catch (IOException e) {
      // unreadable attributes: read the file below, which names the problem
    }
    ModelDescription known = key == null ? null : CONFIG_FILES.get(key);
    if (known != null) {
      return known;
    }
    ModelDescription read = readConfigFile(modelPath, file, where);
    if (key != null) {
      CONFIG_FILES.put(key, read);
    }
    return read;
  }

  private static ModelDescription readConfigFile(String modelPath, Path file, String where) {
    Map<String, Object> config =
        JsonFiles.readObject(file, where, "fix the file or give another --model-config");
    ModelSpec spec = ModelSpec.fromConfig(config, where);
    List<TensorInfo> tensors = ArchLayouts.synthesize(spec, where);
    return new ModelDescription(
        modelPath,
        ModelDescription.Origin.CONFIG_FILE,
        file.toString(),
        spec,
        tensors,
        ModelDescription.TensorSource.SYNTHESIZED,
        List.of("weights synthesized from --model-config; --model-path is not read"));
  }

  private ModelDescription fromDirectory(
      String id, Path dir, ModelDescription.Origin origin, List<String> earlierNotes) {
    Path configFile = dir.resolve("config.json");
    String where = "config.json at " + dir;
    if (!Files.isRegularFile(configFile)) {
      throw new InvalidInputException(
          "--model-path",
          "--model-path "
              + dir
              + " has no config.json; point --model-path at the model directory (the one with"
              + " config.json) or pass --model-config PATH");
    }
    Map<String, Object> config =
        JsonFiles.readObject(configFile, where, "fix the file or download the model again");
    ModelSpec spec = ModelSpec.fromConfig(config, where);
    List<String> notes = new ArrayList<>(earlierNotes);
    List<Path> shards = shards(dir);
    if (shards.isEmpty()) {
      boolean pytorch = hasFileEnding(dir, ".bin") || hasFileEnding(dir, ".pt");
      notes.add(
          dir
              + " has no *.safetensors"
              + (pytorch ? " (only PyTorch .bin/.pt files, whose headers are not read)" : "")
              + ": the weights are synthesized from config.json");
      return new ModelDescription(
          id,
          origin,
          dir.toString(),
          spec,
          ArchLayouts.synthesize(spec, where),
          ModelDescription.TensorSource.SYNTHESIZED,
          notes);
    }
    List<TensorInfo> tensors = new ArrayList<>();
    for (Path shard : shards) {
      List<TensorInfo> t = SafetensorsHeader.read(shard);
      LOG.debug("read {} tensor headers from {}", t.size(), shard);
      tensors.addAll(t);
    }
    return new ModelDescription(
        id, origin, dir.toString(), spec, tensors, ModelDescription.TensorSource.MEASURED, notes);
  }

  /** The shard files: those the index lists, in order, else every *.safetensors. */
  private static List<Path> shards(Path dir) {
    Path index = dir.resolve("model.safetensors.index.json");
    if (Files.isRegularFile(index)) {
      String what = "model.safetensors.index.json at " + dir;
      Map<String, Object> json = JsonFiles.readObject(index, what, "download the model again");
      if (!(json.get("weight_map") instanceof Map<?, ?> map)) {
        throw new InvalidInputException(
            what, what + " has no weight_map object; download the model again");
      }
      Set<String> files = new LinkedHashSet<>();
      for (Object f : map.values()) {
        if (!(f instanceof String s)) {
          throw new InvalidInputException(
              what,
              what + " maps a tensor to " + f + ", not a file name; download the model again");
        }
        files.add(s);
      }
      List<Path> out = new ArrayList<>();
      for (String f : files) {
        Path p = dir.resolve(f);
        if (!Files.isRegularFile(p)) {
          throw new InvalidInputException(
              what,
              what
                  + " lists the shard "
                  + f
                  + ", which is missing; finish the download (or remove the index if the"
                  + " checkpoint is a single file)");
        }
        out.add(p);
      }
      return out;
    }
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(p -> p.getFileName().toString().endsWith(".safetensors"))
          .filter(Files::isRegularFile)
          .sorted()
          .forEach(out::add);
    } catch (IOException e) {
      throw new InvalidInputException(
          "--model-path",
          "--model-path " + dir + " cannot be listed (" + e.getMessage() + "); check permissions",
          e);
    }
    List<Path> hf =
        out.stream().filter(p -> !p.getFileName().toString().startsWith("consolidated")).toList();
    return hf.isEmpty() ? out : hf;
  }

  private static boolean hasFileEnding(Path dir, String ending) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.anyMatch(p -> p.getFileName().toString().endsWith(ending));
    } catch (IOException e) {
      return false;
    }
  }

  private static Path toPath(String value) {
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      return null;
    }
  }
}
