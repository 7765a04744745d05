package io.github.sglangpreflight.sglang.args;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.model.Parallelism;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ServerArgsTest {

  private static ServerArgs args(String line) {
    return LaunchCommand.parse(List.of(line.split(" ")), Map.of()).serverArgs();
  }

  @Test
  void parallelism_defaults_isOneGpu() {
    assertEquals(Parallelism.single(), args("--model-path m").parallelism());
  }

  @Test
  void parallelism_enableEpMoe_setsEpToTp() {
    assertEquals(8, args("--model-path m --tp 8 --enable-ep-moe").parallelism().epSize());
  }

  @Test
  void parallelism_enableDeepepMoe_setsEpToTp() {
    assertEquals(
        8,
        args("--model-path m --tp 8 --enable-deepep-moe --deepep-mode normal")
            .parallelism()
            .epSize());
  }

  @Test
  void parallelism_a2aBackendOnMain_setsEpToTp() {
    ServerArgs a = args("--model-path m --tp 8 --ep-size 2 --moe-a2a-backend deepep");
    assertEquals(OptionalInt.of(2), a.epSize());
    assertEquals(8, a.parallelism().epSize());
    assertEquals(
        2, args("--model-path m --tp 8 --ep-size 2 --moe-a2a-backend none").parallelism().epSize());
  }

  @Test
  void parallelism_explicitEp_isKept() {
    Parallelism p = args("--model-path m --tp 8 --ep-size 4").parallelism();
    assertEquals(4, p.epSize());
    assertEquals(2, p.moeTpSize());
  }

  @Test
  void parallelism_dataParallelWithoutDpAttention_multipliesGpus() {
    Parallelism p = args("--model-path m --tp 2 --dp-size 4").parallelism();
    assertEquals(8, p.worldGpus());
    assertFalse(p.dpAttention());
  }

  @Test
  void parallelism_multiNodeDpAttention() {
    Parallelism p =
        args("--model-path m --tp 16 --dp-size 16 --enable-dp-attention --nnodes 2 --node-rank 0"
                + " --dist-init-addr 10.0.0.1:5000")
            .parallelism();
    assertEquals(new Parallelism(16, 1, 16, 1, true, 2), p);
    assertEquals(8, p.gpusPerNode());
  }

  @Test
  void chunkedPrefillDisabled_zeroOrNegative() {
    assertTrue(args("--model-path m --chunked-prefill-size -1").chunkedPrefillDisabled());
    assertTrue(args("--model-path m --chunked-prefill-size 0").chunkedPrefillDisabled());
    assertFalse(args("--model-path m --chunked-prefill-size 4096").chunkedPrefillDisabled());
    assertFalse(args("--model-path m").chunkedPrefillDisabled());
  }

  @Test
  void decodeCudaGraphDisabled_followsMainsPrecedence() {
    assertTrue(args("--model-path m --disable-cuda-graph").decodeCudaGraphDisabled());
    assertTrue(args("--model-path m --disable-decode-cuda-graph").decodeCudaGraphDisabled());
    assertFalse(args("--model-path m --disable-prefill-cuda-graph").decodeCudaGraphDisabled());
    assertFalse(
        args("--model-path m --disable-cuda-graph --cuda-graph-backend-decode full")
            .decodeCudaGraphDisabled());
    assertFalse(args("--model-path m").decodeCudaGraphDisabled());
  }

  @Test
  void deprecatedConstSwitch_storesItsValue() {
    assertEquals(
        Optional.of("disabled"),
        args("--model-path m --disable-piecewise-cuda-graph").cudaGraphBackendPrefill());
    assertEquals(
        Optional.of("breakable"),
        args("--model-path m --disable-piecewise-cuda-graph --enable-breakable-cuda-graph")
            .cudaGraphBackendPrefill());
  }

  @Test
  void memoryFlags_areTyped() {
    ServerArgs a =
        args(
            "--model-path deepseek-ai/DeepSeek-R1 --tokenizer-path t --revision main --tp 8"
                + " --mem-fraction-static 0.85 --chunked-prefill-size 4096 --max-prefill-tokens"
                + " 16384 --cuda-graph-max-bs 256 --max-running-requests 512 --max-total-tokens"
                + " 200000 --context-length 65536 --kv-cache-dtype fp8_e4m3 --quantization fp8"
                + " --dtype bfloat16 --page-size 64 --speculative-algorithm EAGLE"
                + " --speculative-draft-model-path lmsys/draft --speculative-num-steps 3"
                + " --speculative-eagle-topk 1 --speculative-num-draft-tokens 4"
                + " --enable-torch-compile --torch-compile-max-bs 16 --attention-backend fa3"
                + " --base-gpu-id 2 --gpu-id-step 1 --cpu-offload-gb 10 --disaggregation-mode"
                + " decode --load-format auto --json-model-override-args {\"a\":1}"
                + " --enable-symm-mem --enable-nccl-nvls --disable-radix-cache --is-embedding"
                + " --host 0.0.0.0 --max-lora-rank 64 --max-loras-per-batch 4 --enable-multimodal"
                + " --swa-full-tokens-ratio 0.5 --max-mamba-cache-size 512 --moe-dp-size 2");
    assertEquals(OptionalInt.of(256), a.cudaGraphMaxBs());
    assertEquals(OptionalInt.of(200000), a.maxTotalTokens());
    assertEquals(Optional.of("fp8_e4m3"), a.kvCacheDtype());
    assertEquals(Optional.of("EAGLE"), a.speculativeAlgorithm());
    assertEquals(Optional.of("lmsys/draft"), a.speculativeDraftModelPath());
    assertEquals(OptionalInt.of(4), a.speculativeNumDraftTokens());
    assertEquals(OptionalInt.of(16), a.torchCompileMaxBs());
    assertEquals(OptionalInt.of(2), a.baseGpuId());
    assertEquals(Optional.of("decode"), a.disaggregationMode());
    assertEquals(Optional.of("{\"a\":1}"), a.jsonModelOverrideArgs());
    assertTrue(a.enableSymmMem());
    assertTrue(a.enableNcclNvls());
    assertTrue(a.disableRadixCache());
    assertTrue(a.isEmbedding());
    assertTrue(a.speculative());
    assertEquals(OptionalInt.of(64), a.maxLoraRank());
    assertEquals(Optional.empty(), a.apiKey());
    assertTrue(a.enableMultimodal());
    assertEquals(java.util.OptionalDouble.of(0.5), a.swaFullTokensRatio());
    assertEquals(OptionalInt.of(512), a.maxMambaCacheSize());
    assertEquals(OptionalInt.of(2), a.moeDpSize());
  }
}
