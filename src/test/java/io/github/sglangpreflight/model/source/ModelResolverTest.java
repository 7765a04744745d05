package io.github.sglangpreflight.model.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.model.ModelDescription;
import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.model.Parallelism;
import io.github.sglangpreflight.model.TensorInfo;
import io.github.sglangpreflight.model.TensorInventory;
import io.github.sglangpreflight.model.WeightPlacement;
import io.github.sglangpreflight.model.WeightPlacementOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelResolverTest {
  @TempDir Path tmp;

  private ModelResolver resolver(Map<String, String> env) {
    return new ModelResolver(env, tmp.resolve("home"), ModelCatalog.builtIn());
  }

  /** A model directory: the resource config plus its synthesized tensors in two shards. */
  private Path modelDir(String resource, boolean withIndex) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(resource));
    String config = resourceText("/model/" + resource + "/config.json");
    Files.writeString(dir.resolve("config.json"), config);
    ModelSpec spec =
        ModelSpec.fromConfig(
            JsonFiles.parseObject(config, "test config", "fix the test"), "test config");
    List<TensorInfo> tensors = TensorInventory.synthesize(spec, "test config");
    int half = tensors.size() / 2;
    SafetensorsFiles.write(
        dir.resolve("model-00001-of-00002.safetensors"), tensors.subList(0, half));
    SafetensorsFiles.write(
        dir.resolve("model-00002-of-00002.safetensors"), tensors.subList(half, tensors.size()));
    if (withIndex) {
      StringBuilder map = new StringBuilder();
      for (int i = 0; i < tensors.size(); i++) {
        map.append(i == 0 ? "" : ",")
            .append('"')
            .append(tensors.get(i).name())
            .append("\":\"model-0000")
            .append(i < half ? 1 : 2)
            .append("-of-00002.safetensors\"");
      }
      Files.writeString(
          dir.resolve("model.safetensors.index.json"),
          "{\"metadata\":{\"total_size\":0},\"weight_map\":{" + map + "}}");
    }
    return dir;
  }

  @Test
  void resolve_localDirectory_measuresTheSafetensorsHeaders() throws IOException {
    Path dir = modelDir("tiny-qwen3", true);

    ModelDescription d = resolver(Map.of()).resolve(dir.toString());

    assertEquals(ModelDescription.Origin.LOCAL_DIR, d.origin());
    assertEquals(ModelDescription.TensorSource.MEASURED, d.tensorSource());
    assertEquals(dir.toString(), d.location());
    assertEquals(
        TensorInventory.synthesize(d.spec(), "x").stream().mapToLong(TensorInfo::bytes).sum(),
        d.tensorBytes());
  }

  @Test
  void resolve_architectureWithoutLayout_measuresTheHeadersInsteadOfRefusing() throws IOException {
    Path dir = modelDir("tiny-qwen3", true);
    // an architecture no layout of this build knows, its tensors on disk
    String config =
        Files.readString(dir.resolve("config.json"))
            .replace("Qwen3ForCausalLM", "FutureNetForCausalLM")
            .replace("\"qwen3\"", "\"future_net\"");
    Files.writeString(dir.resolve("config.json"), config);

    ModelDescription d = resolver(Map.of()).resolve(dir.toString());

    assertEquals("FutureNetForCausalLM", d.spec().architecture());
    assertEquals(ModelDescription.TensorSource.MEASURED, d.tensorSource());
    assertTrue(d.tensorBytes() > 0);
  }

  @Test
  void resolve_measuredFp8DeepSeek_placesLikeTheSynthesizedOne() throws IOException {
    Path dir = modelDir("tiny-deepseek-v3", false);
    ModelDescription measured = resolver(Map.of()).resolve(dir.toString());
    ModelDescription synthesized =
        new ModelDescription(
            "x",
            ModelDescription.Origin.CONFIG_FILE,
            "x",
            measured.spec(),
            TensorInventory.synthesize(measured.spec(), "x"),
            ModelDescription.TensorSource.SYNTHESIZED,
            List.of());
    Parallelism tp2 = new Parallelism(2, 1, 1, 1, false, 1);

    assertEquals(
        WeightPlacement.perGpu(synthesized, tp2, WeightPlacementOptions.newestMain()),
        WeightPlacement.perGpu(measured, tp2, WeightPlacementOptions.newestMain()));
  }

  @Test
  void resolve_huggingFaceIdInTheCache_readsTheSnapshotRefsMainNames() throws IOException {
    Path hub = tmp.resolve("hub");
    Path repo = hub.resolve("models--acme--tiny-qwen3");
    Path other = Files.createDirectories(repo.resolve("snapshots").resolve("1111"));
    Files.writeString(other.resolve("config.json"), "{ broken");
    Path src = modelDir("tiny-qwen3", false);
    Path snap = Files.createDirectories(repo.resolve("snapshots").resolve("abcd"));
    for (String f :
        List.of(
            "config.json",
            "model-00001-of-00002.safetensors",
            "model-00002-of-00002.safetensors")) {
      Files.copy(src.resolve(f), snap.resolve(f));
    }
    Files.createDirectories(repo.resolve("refs"));
    Files.writeString(repo.resolve("refs").resolve("main"), "abcd\n");

    ModelDescription d =
        resolver(Map.of("HF_HUB_CACHE", hub.toString())).resolve("acme/tiny-qwen3");

    assertEquals(ModelDescription.Origin.HF_CACHE, d.origin());
    assertEquals(snap.toString(), d.location());
    assertEquals(ModelDescription.TensorSource.MEASURED, d.tensorSource());
  }

  @Test
  void resolve_hfHomeWithoutRefsMain_usesTheOnlySnapshotAndSaysSo() throws IOException {
    Path home = tmp.resolve("hfhome");
    Path snap =
        Files.createDirectories(
            home.resolve("hub").resolve("models--acme--tiny").resolve("snapshots").resolve("ff00"));
    Files.writeString(snap.resolve("config.json"), resourceText("/model/tiny-qwen3/config.json"));

    ModelDescription d = resolver(Map.of("HF_HOME", home.toString())).resolve("acme/tiny");

    assertEquals(ModelDescription.Origin.HF_CACHE, d.origin());
    assertEquals(ModelDescription.TensorSource.SYNTHESIZED, d.tensorSource());
    assertEquals(
        List.of(
            "the cache has no refs/main; used its only snapshot ff00",
            snap + " has no *.safetensors: the weights are synthesized from config.json"),
        d.notes());
  }

  @Test
  void resolve_noCacheVariables_looksInTheHomeCacheAlsoForIdsWithoutOrganisation()
      throws IOException {
    Path snap =
        Files.createDirectories(
            tmp.resolve("home/.cache/huggingface/hub/models--tiny/snapshots/0a1b"));
    Files.writeString(snap.resolve("config.json"), resourceText("/model/tiny-qwen3/config.json"));

    ModelDescription d = resolver(Map.of()).resolve("tiny");

    assertEquals(ModelDescription.Origin.HF_CACHE, d.origin());
    assertEquals(snap.toString(), d.location());
  }

  @Test
  void resolve_idNotOnDisk_comesFromTheCatalog() {
    ModelDescription d = resolver(Map.of("HF_HUB_CACHE", tmp.toString())).resolve("Qwen/Qwen3-8B");

    assertEquals(ModelDescription.Origin.CATALOG, d.origin());
    assertEquals(ModelDescription.TensorSource.SYNTHESIZED, d.tensorSource());
    assertEquals("Qwen/Qwen3-8B", d.id());
  }

  @Test
  void resolve_explicitConfigFile_winsOverTheDirectory() throws IOException {
    Path dir = modelDir("tiny-qwen3", false);
    Path config = tmp.resolve("other.json");
    Files.writeString(config, resourceText("/model/tiny-deepseek-v3/config.json"));

    ModelDescription d = resolver(Map.of()).resolve(dir.toString(), Optional.of(config));

    assertEquals(ModelDescription.Origin.CONFIG_FILE, d.origin());
    assertEquals("DeepseekV3ForCausalLM", d.spec().architecture());
    assertEquals(dir.toString(), d.id());
  }

  @Test
  void resolve_sameConfigFile_isReadOnceUntilItChanges() throws IOException {
    Path config = tmp.resolve("config.json");
    String text = resourceText("/model/tiny-qwen3/config.json");
    Files.writeString(config, text);

    ModelDescription first = resolver(Map.of()).resolve("m", Optional.of(config));
    ModelDescription again = resolver(Map.of()).resolve("m", Optional.of(config));
    Files.writeString(config, text.replace("\"num_hidden_layers\": 4", "\"num_hidden_layers\": 6"));
    Files.setLastModifiedTime(
        config,
        java.nio.file.attribute.FileTime.fromMillis(
            Files.getLastModifiedTime(config).toMillis() + 2000));
    ModelDescription changed = resolver(Map.of()).resolve("m", Optional.of(config));

    assertTrue(first == again, "the unchanged file is read again");
    assertEquals(4, first.spec().numHiddenLayers());
    assertEquals(6, changed.spec().numHiddenLayers());
  }

  @Test
  void resolve_pathThatDoesNotExist_namesItAndTheFix() {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class, () -> resolver(Map.of()).resolve("/no/such/model"));

    assertEquals("--model-path", e.input());
    assertEquals(
        "--model-path /no/such/model does not exist and is not a Hugging Face id; check the path"
            + " (it is resolved against "
            + Path.of("").toAbsolutePath()
            + ")",
        e.getMessage());
  }

  @Test
  void resolve_directoryWithoutConfig_saysWhereToPoint() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("empty"));

    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> resolver(Map.of()).resolve(dir.toString()));

    assertEquals(
        "--model-path "
            + dir
            + " has no config.json; point --model-path at the model directory (the one with"
            + " config.json) or pass --model-config PATH",
        e.getMessage());
  }

  @Test
  void resolve_fileInsteadOfDirectory_suggestsModelConfig() throws IOException {
    Path file = Files.writeString(tmp.resolve("config.json"), "{}");

    InvalidInputException e =
        assertThrows(
            InvalidInputException.class, () -> resolver(Map.of()).resolve(file.toString()));

    assertEquals(
        "--model-path "
            + file
            + " is a file, not a model directory; point it at the directory that holds"
            + " config.json, or pass the file as --model-config",
        e.getMessage());
  }

  @Test
  void resolve_configNotJson_givesLineAndColumn() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("bad"));
    Files.writeString(dir.resolve("config.json"), "{\n  \"hidden_size\": 64,\n  oops\n}");

    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> resolver(Map.of()).resolve(dir.toString()));

    assertEquals(
        "config.json at "
            + dir
            + " is not valid JSON at line 3, column 3 (Unexpected character ('o' (code 111)): was"
            + " expecting double-quote to start field name); fix the file or download the model"
            + " again",
        e.getMessage());
  }

  @Test
  void resolve_configMissingLayers_namesTheFieldAndWhyItIsNeeded() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("nolayers"));
    Files.writeString(
        dir.resolve("config.json"),
        "{\"architectures\":[\"LlamaForCausalLM\"],\"hidden_size\":64,"
            + "\"num_attention_heads\":4,\"vocab_size\":100}");

    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> resolver(Map.of()).resolve(dir.toString()));

    assertEquals(
        "config.json at "
            + dir
            + ": num_hidden_layers is missing; it is required to size the KV cache; add it to the"
            + " file or pass --model-config with a complete config.json",
        e.getMessage());
  }

  @Test
  void resolve_indexListingAMissingShard_saysFinishTheDownload() throws IOException {
    Path dir = modelDir("tiny-qwen3", true);
    Files.delete(dir.resolve("model-00002-of-00002.safetensors"));

    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> resolver(Map.of()).resolve(dir.toString()));

    assertEquals(
        "model.safetensors.index.json at "
            + dir
            + " lists the shard model-00002-of-00002.safetensors, which is missing; finish the"
            + " download (or remove the index if the checkpoint is a single file)",
        e.getMessage());
  }

  @Test
  void resolve_truncatedShard_isReportedWithTheFile() throws IOException {
    Path dir = modelDir("tiny-qwen3", false);
    Path shard = dir.resolve("model-00002-of-00002.safetensors");
    long size = Files.size(shard);
    try (var ch =
        java.nio.channels.FileChannel.open(shard, java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(size - 1000);
    }

    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> resolver(Map.of()).resolve(dir.toString()));

    assertTrue(
        e.getMessage().startsWith("safetensors file " + shard + " is truncated: tensor "),
        e.getMessage());
  }

  @Test
  void resolve_unknownId_listsCloseCatalogNames() {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> resolver(Map.of("HF_HUB_CACHE", tmp.toString())).resolve("Qwen/Qwen3-9B"));

    assertEquals(
        "--model-path Qwen/Qwen3-9B is neither a local directory, nor in the Hugging Face cache ("
            + tmp
            + "), nor in the built-in catalog (close catalog names: Qwen/Qwen3-4B, Qwen/Qwen3-8B,"
            + " Qwen/Qwen3-14B); download the model, point --model-path at its directory, or pass"
            + " --model-config with its config.json",
        e.getMessage());
  }

  private static String resourceText(String name) throws IOException {
    try (InputStream in = ModelResolverTest.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
