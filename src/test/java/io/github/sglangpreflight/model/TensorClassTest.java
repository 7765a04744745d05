package io.github.sglangpreflight.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.sglangpreflight.model.source.ModelCatalog;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class TensorClassTest {

  private static TensorInfo bf16(String name, long... dims) {
    return TensorInfo.of(name, WeightDtype.BF16, dims);
  }

  private static ModelDescription measured(List<TensorInfo> tensors) {
    ModelDescription text = ModelCatalog.builtIn().describe("Qwen/Qwen3-30B-A3B").orElseThrow();
    return new ModelDescription(
        "m",
        ModelDescription.Origin.LOCAL_DIR,
        "/m",
        text.spec(),
        tensors,
        ModelDescription.TensorSource.MEASURED,
        List.of());
  }

  @Test
  void member_replacesTheExpertIndex() {
    TensorClass c = new TensorClass(bf16("model.layers.3.mlp.experts.0.up_proj.weight", 8, 4), 256);

    assertEquals("model.layers.3.mlp.experts.255.up_proj.weight", c.member(255).name());
    assertEquals(List.of(8L, 4L), c.member(255).shape());
    assertEquals(0, c.firstExpert());
    assertEquals(256L * 8 * 4 * 2, c.bytes());
    assertThrows(IndexOutOfBoundsException.class, () -> c.member(256));
  }

  @Test
  void constructor_refusesAMultiplicityWithoutAnExpertIndex() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new TensorClass(bf16("model.layers.3.mlp.gate.weight", 8, 4), 2));

    assertEquals(
        "tensor model.layers.3.mlp.gate.weight has no expert index, so it cannot stand for 2",
        e.getMessage());
  }

  @Test
  void synthesizedDeepSeekV3_holdsOneClassPerExpertProjection() {
    ModelDescription d = ModelCatalog.builtIn().describe("deepseek-ai/DeepSeek-V3").orElseThrow();

    // 58 MoE layers + the MTP layer, 3 projections, weight and block scale: 256 experts each
    long expertClasses = d.tensorClasses().stream().filter(c -> c.count() == 256).count();
    assertEquals(59L * 3 * 2, expertClasses);
    assertEquals(d.tensors().size(), d.tensorClasses().stream().mapToInt(TensorClass::count).sum());
    assertEquals(d.tensors().stream().mapToLong(TensorInfo::bytes).sum(), d.tensorBytes());
  }

  @Test
  void measuredTensors_inNameOrder_groupLikeTheSynthesizedOnes() {
    ModelDescription synthesized =
        ModelCatalog.builtIn().describe("Qwen/Qwen3-30B-A3B").orElseThrow();
    List<TensorInfo> sorted = new ArrayList<>(synthesized.tensors());
    // a checkpoint's header order: experts 0, 1, 10, 100, ... by name
    sorted.sort(Comparator.comparing(TensorInfo::name));

    ModelDescription read = measured(sorted);

    assertEquals(
        synthesized.tensorClasses().stream().filter(c -> c.count() > 1).count(),
        read.tensorClasses().stream().filter(c -> c.count() > 1).count());
    assertEquals(synthesized.tensorBytes(), read.tensorBytes());
    Parallelism ep = new Parallelism(4, 1, 1, 4, false, 1);
    WeightsPerGpu.RankWeights a =
        WeightPlacement.perGpu(synthesized, ep, WeightPlacementOptions.newestMain()).worstRank();
    WeightsPerGpu.RankWeights b =
        WeightPlacement.perGpu(read, ep, WeightPlacementOptions.newestMain()).worstRank();
    assertEquals(a.bytes(), b.bytes());
    // the kinds of a part are listed in checkpoint order, so only the bytes compare
    for (WeightsPerGpu.WeightPart part : a.parts()) {
      assertEquals(part.bytes(), b.part(part.name()).orElseThrow().bytes(), part.name());
    }
  }

  @Test
  void measuredTensors_gapsAndOtherShapesSplitTheClass() {
    String p = "model.layers.0.mlp.experts.";
    List<TensorInfo> tensors =
        List.of(
            bf16(p + "0.down_proj.weight", 4, 8),
            bf16("model.layers.0.mlp.gate.weight", 8, 4),
            bf16(p + "1.down_proj.weight", 4, 8),
            bf16(p + "3.down_proj.weight", 4, 8),
            bf16(p + "2.down_proj.weight", 4, 6),
            bf16(p + "2.up_proj.weight", 4, 8));

    ModelDescription d = measured(tensors);

    assertEquals(
        List.of(
            new TensorClass(tensors.get(0), 2),
            TensorClass.of(tensors.get(1)),
            TensorClass.of(tensors.get(3)),
            TensorClass.of(tensors.get(4)),
            TensorClass.of(tensors.get(5))),
        d.tensorClasses());
    // every tensor is still listed, a class's members together
    assertEquals(
        List.of(
            tensors.get(0),
            tensors.get(2),
            tensors.get(1),
            tensors.get(3),
            tensors.get(4),
            tensors.get(5)),
        d.tensors());
  }

  @Test
  void expertIndexSpan_onlyInADecoderLayersExpertProjection() {
    assertEquals(
        List.of(27, 28),
        toList(WeightPlacement.expertIndexSpan("model.layers.3.mlp.experts.7.w1.weight")));
    assertEquals(null, WeightPlacement.expertIndexSpan("experts.7.w1.weight"));
    assertEquals(null, WeightPlacement.expertIndexSpan("model.layers.3.mlp.experts.gate_up_proj"));
    assertEquals(null, WeightPlacement.expertIndexSpan("visual.layers.3.mlp.experts.7.w1.weight"));
  }

  private static List<Integer> toList(int[] span) {
    return List.of(span[0], span[1]);
  }
}
