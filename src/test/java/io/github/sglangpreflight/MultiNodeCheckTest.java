package io.github.sglangpreflight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import io.github.sglangpreflight.decision.Decision;
import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.GpuInventorySource;
import io.github.sglangpreflight.gpu.source.GpuSnapshots;
import io.github.sglangpreflight.report.PreflightReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A launch over two nodes of 4 x H100, tensor parallel over all 8 GPUs. */
class MultiNodeCheckTest {

  static final List<String> LAUNCH =
      List.of(
          "python3",
          "-m",
          "sglang.launch_server",
          "--model-path",
          "meta-llama/Llama-3.1-8B-Instruct",
          "--tp",
          "8",
          "--nnodes",
          "2",
          "--node-rank",
          "0",
          "--dist-init-addr",
          "10.0.0.1:5000",
          "--mem-fraction-static",
          "0.85");

  private static Preflight.Builder guard() {
    return Preflight.newBuilder().sglangVersion("0.5.1");
  }

  /** 4 idle H100s, one of them with {@code usedGib} taken by another process. */
  @SuppressWarnings("unchecked")
  static GpuInventory node(String origin, int busyGpu, long usedGib) throws Exception {
    GpuInventory preset = GpuSnapshots.presetSource("4xH100").read();
    Map<String, Object> json = JSON.std.mapFrom(GpuSnapshots.toJson(preset));
    if (busyGpu >= 0) {
      Map<String, Object> gpu = ((List<Map<String, Object>>) json.get("gpus")).get(busyGpu);
      Map<String, Object> memory = (Map<String, Object>) gpu.get("memory");
      long used = usedGib << 30;
      memory.put("usedBytes", used);
      memory.put("freeBytes", ((Number) memory.get("freeBytes")).longValue() - used);
    }
    return GpuSnapshots.parse(JSON.std.asString(json), origin);
  }

  private static GpuInventorySource source(GpuInventory inventory, String name) {
    return new GpuInventorySource() {
      @Override
      public GpuInventory read() {
        return inventory;
      }

      @Override
      public String describe() {
        return name;
      }
    };
  }

  @Test
  void aBusyGpuOnNode1Binds_andTIsTheMinimumOverBothNodes() throws Exception {
    List<GpuInventorySource> nodes =
        List.of(
            source(node("node0.json", -1, 0), "node0.json"),
            source(node("node1.json", 3, 6), "node1.json"));

    MultiNodeCheck.Result r =
        MultiNodeCheck.check(MultiNodeCheckTest::guard, nodes, LAUNCH, Map.of());

    assertEquals(1, r.bindingNode());
    assertEquals(3, r.bindingGpu());
    assertTrue(
        r.headline().startsWith("node 1 of 2, GPU 3 (NVIDIA H100 80GB HBM3) binds: "),
        r.headline());
    assertEquals(r.binding().headline(), r.headline().substring(r.headline().indexOf(": ") + 2));
    // T is the smallest over both nodes: node 0 sizes its pool from node 1's busy GPU
    PreflightReport n0 = r.nodes().get(0).report();
    PreflightReport n1 = r.nodes().get(1).report();
    long busyT = n1.gpus().get(3).preLoadFreeBytes();
    assertTrue(busyT < n0.gpus().get(0).preLoadFreeBytes());
    assertEquals(busyT, n0.estimate().orElseThrow().preLoadFreeBytes());
    assertEquals(n1.estimate().orElseThrow().kvTokens(), n0.estimate().orElseThrow().kvTokens());
    PreflightReport alone = guard().gpuSource(nodes.get(0)).build().check(LAUNCH, Map.of());
    assertTrue(
        alone.estimate().orElseThrow().kvTokens() > n0.estimate().orElseThrow().kvTokens(),
        "node 0 alone would size a larger pool");
    // one command per node rank, the same fraction
    assertEquals(2, r.commands().size());
    for (int rank = 0; rank < 2; rank++) {
      List<String> c = r.commands().get(rank);
      int at = c.indexOf("--node-rank");
      assertEquals(String.valueOf(rank), c.get(at + 1), c.toString());
      int f = c.indexOf("--mem-fraction-static");
      assertEquals(
          r.commands().get(0).get(r.commands().get(0).indexOf("--mem-fraction-static") + 1),
          c.get(f + 1));
    }
  }

  @Test
  void aGpuMuchBusierOnNode1_isUnbalanced_andRejectsNamingIt() throws Exception {
    List<GpuInventorySource> nodes =
        List.of(
            source(node("node0.json", -1, 0), "node0.json"),
            source(node("node1.json", 2, 30), "node1.json"));

    MultiNodeCheck.Result r =
        MultiNodeCheck.check(MultiNodeCheckTest::guard, nodes, LAUNCH, Map.of());

    assertEquals(Decision.REJECT, r.decision(), r.headline());
    assertTrue(r.memFractionStatic().isEmpty());
    assertTrue(r.headline().contains("The memory capacity is unbalanced"), r.headline());
  }

  @Test
  void idleNodes_acceptWithTheGivenFractionOnEveryNode() throws Exception {
    List<GpuInventorySource> nodes =
        List.of(
            source(node("node0.json", -1, 0), "node0.json"),
            source(node("node1.json", -1, 0), "node1.json"));

    MultiNodeCheck.Result r =
        MultiNodeCheck.check(MultiNodeCheckTest::guard, nodes, LAUNCH, Map.of());

    assertEquals(Decision.ACCEPT, r.decision(), r.headline());
    assertEquals(0.85, r.memFractionStatic().getAsDouble(), 1e-12);
    List<String> node1 = new ArrayList<>(LAUNCH);
    node1.set(LAUNCH.indexOf("--node-rank") + 1, "1");
    assertEquals(List.of(LAUNCH, node1), r.commands());
  }

  @Test
  void anotherNumberOfSnapshotsThanNodes_isBadInputNamingTheFix() throws Exception {
    List<GpuInventorySource> one = List.of(source(node("node0.json", -1, 0), "node0.json"));

    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> MultiNodeCheck.check(MultiNodeCheckTest::guard, one, LAUNCH, Map.of()));

    assertEquals(
        "1 GPU snapshots were given for a launch of --nnodes 2; give one snapshot per node"
            + " ('sglang-preflight gpus --json' on each), in node rank order, and --nnodes 1 in the"
            + " command",
        e.getMessage());
  }
}
