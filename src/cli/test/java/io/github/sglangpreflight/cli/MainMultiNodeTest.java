package io.github.sglangpreflight.cli;

import static io.github.sglangpreflight.cli.CliRun.args;
import static io.github.sglangpreflight.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import io.github.sglangpreflight.gpu.source.GpuSnapshots;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code check --gpus node-0.json --gpus node-1.json} of a launch over two nodes of 4 x H100. */
class MainMultiNodeTest {
  @TempDir Path tmp;

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
          "--dist-init-addr",
          "10.0.0.1:5000",
          "--mem-fraction-static",
          "0.88");

  /** node-0.json idle, node-1.json with 6 GiB used on GPU 3, in {@code dir}. */
  static Path snapshots(Path dir) throws Exception {
    return snapshots(dir, 6);
  }

  /** node-0.json idle, node-1.json with {@code usedGib} used on GPU 3, in {@code dir}. */
  @SuppressWarnings("unchecked")
  static Path snapshots(Path dir, long usedGib) throws Exception {
    Files.createDirectories(dir);
    String idle = GpuSnapshots.toJson(GpuSnapshots.presetSource("4xH100").read());
    Files.writeString(dir.resolve("node-0.json"), idle);
    Map<String, Object> json = JSON.std.mapFrom(idle);
    Map<String, Object> memory =
        (Map<String, Object>) ((List<Map<String, Object>>) json.get("gpus")).get(3).get("memory");
    memory.put("usedBytes", usedGib << 30);
    memory.put("freeBytes", ((Number) memory.get("freeBytes")).longValue() - (usedGib << 30));
    Files.writeString(dir.resolve("node-1.json"), JSON.std.asString(json));
    return dir;
  }

  static List<String> guard(String... gpus) {
    List<String> o =
        new java.util.ArrayList<>(List.of("--sglang-version", "0.5.1", "--no-calibration"));
    for (String g : gpus) {
      o.add("--gpus");
      o.add(g);
    }
    return o;
  }

  @Test
  void twoSnapshots_theBusyGpuOnNode1Binds_andEveryNodeGetsItsCommand() throws Exception {
    Path dir = snapshots(tmp.resolve("nodes"));
    String n0 = dir.resolve("node-0.json").toString();
    String n1 = dir.resolve("node-1.json").toString();

    CliRun r = run(Map.of(), args("check", guard(n0, n1), LAUNCH));

    assertEquals(ExitCodes.ACCEPT, r.exitCode(), r.toString());
    assertTrue(
        r.out()
            .startsWith(
                "sglang-preflight: ACCEPT across 2 nodes  --mem-fraction-static 0.880\n"
                    + "  node 1 of 2, GPU 3 (NVIDIA H100 80GB HBM3) binds: ACCEPT:"
                    + " --mem-fraction-static 0.880 leaves "),
        r.out());
    assertTrue(r.out().contains("\n  node 1: " + n1 + ": ACCEPT, max safe "), r.out());
    assertTrue(r.out().contains("  (binds)\n"), r.out());
    String cmd = String.join(" ", LAUNCH);
    assertTrue(
        r.out()
            .endsWith(
                "Commands per node (--node-rank filled in)\n  node 0: "
                    + cmd
                    + " --node-rank 0\n  node 1: "
                    + cmd
                    + " --node-rank 1\n"),
        r.out());

    CliRun fromDir = run(Map.of(), args("check", guard(dir.toString()), LAUNCH));
    assertEquals(
        r.out().replace(n0, "X").replace(n1, "Y"), fromDir.out().replace(n0, "X").replace(n1, "Y"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void json_namesTheBindingNodeAndGpu_andHoldsEveryNodesReport() throws Exception {
    Path dir = snapshots(tmp.resolve("nodes"));
    Path report = tmp.resolve("report.json");
    List<String> o = guard(dir.toString());
    o.addAll(List.of("--json", "--report-file", report.toString()));

    CliRun r = run(Map.of(), args("check", o, LAUNCH));

    assertEquals(ExitCodes.ACCEPT, r.exitCode(), r.toString());
    Map<String, Object> json = JSON.std.mapFrom(r.out());
    assertEquals(json, JSON.std.mapFrom(Files.readString(report)));
    assertEquals("sglang-preflight/multi-node/v1", json.get("schema"));
    assertEquals(1, json.get("bindingNode"));
    assertEquals(3, json.get("bindingGpu"));
    assertEquals(0.88, json.get("memFractionStatic"));
    List<Object> nodes = (List<Object>) json.get("nodes");
    assertEquals(2, nodes.size());
    assertEquals(
        "sglang-preflight/report/v1",
        ((Map<String, Object>) ((Map<String, Object>) nodes.get(1)).get("report")).get("schema"));
  }

  @Test
  void severalSnapshotsWhereOneMachineIsRead_isBadInput() throws Exception {
    Path dir = snapshots(tmp.resolve("nodes"));

    CliRun gpus = run(Map.of(), "gpus", "--gpus", dir.toString());
    assertEquals(ExitCodes.BAD_INPUT, gpus.exitCode());
    assertTrue(
        gpus.err()
            .startsWith(
                "sglang-preflight gpus: --gpus names 2 snapshots; gpus reads one machine: give one"
                    + " snapshot (several are for 'check' of a launch over --nnodes N)\n"),
        gpus.err());

    CliRun exec = run(Map.of(), args("exec", guard(dir.toString()), LAUNCH));
    assertEquals(ExitCodes.BAD_INPUT, exec.exitCode());
    assertTrue(exec.err().startsWith("sglang-preflight exec: exec runs the launch of one node"));

    List<String> oneNode = new java.util.ArrayList<>(LAUNCH);
    oneNode.set(LAUNCH.indexOf("--nnodes") + 1, "1");
    CliRun mismatch = run(Map.of(), args("check", guard(dir.toString()), oneNode));
    assertEquals(ExitCodes.BAD_INPUT, mismatch.exitCode());
    assertTrue(
        mismatch.err().contains("2 GPU snapshots were given for a launch of --nnodes 1"),
        mismatch.err());
  }
}
