package io.github.sglangpreflight.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import io.github.sglangpreflight.MultiNodeCheck;
import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.gpu.GpuInventorySource;
import io.github.sglangpreflight.gpu.source.GpuSnapshots;
import io.github.sglangpreflight.report.ReportFormat;
import io.github.sglangpreflight.sglang.args.LaunchCommand;
import io.github.sglangpreflight.units.Units;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code check} over several nodes: the snapshots {@code --gpus} names (repeated, or a directory of
 * them), and the result of {@link MultiNodeCheck} as text and JSON.
 */
final class MultiNodeText {
  /** The schema id of the multi-node JSON. */
  static final String SCHEMA = "sglang-preflight/multi-node/v1";

  private static final JSON JSON_WRITER =
      JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT, JSON.Feature.WRITE_NULL_PROPERTIES);

  private MultiNodeText() {}

  /**
   * The snapshot files of {@code --gpus}: each given file, and a directory's {@code *.json} files
   * in name order (node rank 0 first).
   */
  static List<Path> snapshotFiles(List<Path> given) {
    List<Path> files = new ArrayList<>();
    for (Path p : given) {
      if (!Files.isDirectory(p)) {
        files.add(p);
        continue;
      }
      try (Stream<Path> s = Files.list(p)) {
        List<Path> json =
            s.filter(f -> f.getFileName().toString().endsWith(".json") && Files.isRegularFile(f))
                .sorted()
                .toList();
        if (json.isEmpty()) {
          throw new InvalidInputException(
              "--gpus",
              "--gpus "
                  + p
                  + " is a directory without snapshots (*.json); save one per node there with"
                  + " 'sglang-preflight gpus --json > node-0.json'");
        }
        files.addAll(json);
      } catch (IOException e) {
        throw new InvalidInputException(
            "--gpus", "--gpus " + p + " cannot be listed (" + e.getMessage() + ")", e);
      }
    }
    return List.copyOf(files);
  }

  /** One GPU source per file. */
  static List<GpuInventorySource> sources(List<Path> files) {
    return files.stream().map(GpuSnapshots::snapshotSource).toList();
  }

  /** The text: the launch's line, the binding node's report, then the command of every node. */
  static String text(MultiNodeCheck.Result r, List<Path> files, ReportFormat.TextStyle style) {
    StringBuilder b = new StringBuilder();
    b.append("sglang-preflight: ")
        .append(r.decision())
        .append(" across ")
        .append(r.nodes().size())
        .append(" nodes")
        .append(
            r.memFractionStatic().isPresent()
                ? "  --mem-fraction-static " + Units.fraction(r.memFractionStatic().getAsDouble())
                : "")
        .append('\n');
    b.append("  ").append(r.headline()).append("\n\n");
    b.append("Nodes\n");
    for (MultiNodeCheck.NodeReport n : r.nodes()) {
      b.append("  node ")
          .append(n.nodeRank())
          .append(": ")
          .append(files.get(n.nodeRank()))
          .append(": ")
          .append(n.report().decision())
          .append(
              n.report().maxSafeFraction().isPresent()
                  ? ", max safe " + Units.fraction(n.report().maxSafeFraction().getAsDouble())
                  : "")
          .append(n.nodeRank() == r.bindingNode() ? "  (binds)" : "")
          .append('\n');
    }
    b.append("\nThe binding node ").append(r.bindingNode()).append(":\n");
    b.append(ReportFormat.toText(r.binding(), style));
    b.append("\nCommands per node (").append("--node-rank filled in)\n");
    for (int i = 0; i < r.commands().size(); i++) {
      b.append("  node ")
          .append(i)
          .append(": ")
          .append(String.join(" ", LaunchCommand.maskArguments(r.commands().get(i))))
          .append('\n');
    }
    return b.toString();
  }

  /** The JSON: the launch's decision, the binding node and GPU, the commands, every report. */
  static String json(MultiNodeCheck.Result r, List<Path> files) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("schema", SCHEMA);
    m.put("decision", r.decision().name());
    m.put("headline", r.headline());
    m.put("bindingNode", r.bindingNode());
    m.put("bindingGpu", r.bindingGpu());
    m.put(
        "memFractionStatic",
        r.memFractionStatic().isPresent() ? r.memFractionStatic().getAsDouble() : null);
    m.put("commands", r.commands().stream().map(LaunchCommand::maskArguments).toList());
    List<Object> nodes = new ArrayList<>();
    for (MultiNodeCheck.NodeReport n : r.nodes()) {
      Map<String, Object> node = new LinkedHashMap<>();
      node.put("nodeRank", n.nodeRank());
      node.put("snapshot", files.get(n.nodeRank()).toString());
      try {
        node.put("report", JSON.std.mapFrom(ReportFormat.toJson(n.report())));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      nodes.add(node);
    }
    m.put("nodes", nodes);
    try {
      return JSON_WRITER.asString(m);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the multi-node report as JSON", e);
    }
  }
}
