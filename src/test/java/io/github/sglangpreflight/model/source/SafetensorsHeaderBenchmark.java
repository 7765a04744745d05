package io.github.sglangpreflight.model.source;

import io.github.sglangpreflight.model.TensorInfo;
import io.github.sglangpreflight.model.WeightDtype;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reading one safetensors header: a shard with the 291 tensors of a Llama-3.1-8B checkpoint (sparse
 * file: the header is real, the data is a hole), from the page cache.
 *
 * <p>Run: {@code tools/bench.sh SafetensorsHeaderBenchmark} (see docs/performance.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SafetensorsHeaderBenchmark {

  private Path dir;
  private Path shard;

  @Setup(Level.Trial)
  public void writeShard() throws IOException {
    dir = Files.createTempDirectory("safetensors-bench");
    shard = dir.resolve("model-00001-of-00001.safetensors");
    List<TensorInfo> tensors = new ArrayList<>();
    tensors.add(TensorInfo.of("model.embed_tokens.weight", WeightDtype.BF16, 128256, 4096));
    for (int l = 0; l < 32; l++) {
      String p = "model.layers." + l + ".";
      tensors.add(TensorInfo.of(p + "input_layernorm.weight", WeightDtype.BF16, 4096));
      tensors.add(TensorInfo.of(p + "post_attention_layernorm.weight", WeightDtype.BF16, 4096));
      tensors.add(TensorInfo.of(p + "self_attn.q_proj.weight", WeightDtype.BF16, 4096, 4096));
      tensors.add(TensorInfo.of(p + "self_attn.k_proj.weight", WeightDtype.BF16, 1024, 4096));
      tensors.add(TensorInfo.of(p + "self_attn.v_proj.weight", WeightDtype.BF16, 1024, 4096));
      tensors.add(TensorInfo.of(p + "self_attn.o_proj.weight", WeightDtype.BF16, 4096, 4096));
      tensors.add(TensorInfo.of(p + "mlp.gate_proj.weight", WeightDtype.BF16, 14336, 4096));
      tensors.add(TensorInfo.of(p + "mlp.up_proj.weight", WeightDtype.BF16, 14336, 4096));
      tensors.add(TensorInfo.of(p + "mlp.down_proj.weight", WeightDtype.BF16, 4096, 14336));
    }
    tensors.add(TensorInfo.of("model.norm.weight", WeightDtype.BF16, 4096));
    tensors.add(TensorInfo.of("lm_head.weight", WeightDtype.BF16, 128256, 4096));
    SafetensorsFiles.write(shard, tensors);
  }

  @TearDown(Level.Trial)
  public void delete() throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Benchmark
  public List<TensorInfo> readHeader() {
    return SafetensorsHeader.read(shard);
  }
}
