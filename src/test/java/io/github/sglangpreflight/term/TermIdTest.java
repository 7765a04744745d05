package io.github.sglangpreflight.term;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The stable ids: part of the report schema, so the list is pinned. Adding a term appends an id;
 * renaming or removing one breaks {@code sglang-preflight/report/v1}.
 */
class TermIdTest {

  @Test
  void ids_arePinnedInOrder() {
    assertEquals(
        List.of(
            "cuda-context",
            "nccl-tp-group",
            "nccl-pp-group",
            "custom-all-reduce",
            "weights",
            "nccl-default-group",
            "lora-pool",
            "draft-weights",
            "multimodal-cache",
            "kv-pool",
            "request-table",
            "kv-free-list",
            "eager-input-buffers",
            "attention-workspace",
            "cublas-workspace",
            "deepgemm-warmup",
            "cuda-graph-decode",
            "cuda-graph-dp-attention",
            "cuda-graph-prefill",
            "prefill-activations",
            "decode-sampling",
            "nccl-lazy",
            "symmetric-memory",
            "deepep-buffers",
            "torch-compile",
            "draft-kv-cache",
            "draft-cuda-graphs",
            "mm-feature-pool"),
        Arrays.stream(TermId.values()).map(TermId::id).toList());
  }

  @Test
  void ids_areUniqueKebabCaseAndRoundTrip() {
    for (TermId t : TermId.values()) {
      assertEquals(Optional.of(t), TermId.byId(t.id()));
      assertEquals(true, t.id().matches("[a-z0-9]+(-[a-z0-9]+)*"), t.id());
    }
    assertEquals(
        TermId.values().length, Arrays.stream(TermId.values()).map(TermId::id).distinct().count());
    assertEquals(Optional.empty(), TermId.byId("CUDA-graph capture"));
  }

  @Test
  void labels_areTheNamesReportsShow() {
    assertEquals("CUDA-graph capture", TermId.CUDA_GRAPH_DECODE.label());
    assertEquals("JIT DeepGEMM warm-up", TermId.DEEPGEMM_WARMUP.label());
    assertEquals("model weights", TermId.WEIGHTS.label());
    assertEquals(
        TermId.values().length,
        Arrays.stream(TermId.values()).map(TermId::label).distinct().count());
  }
}
