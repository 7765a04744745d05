package io.github.sglangpreflight;

import io.github.sglangpreflight.decision.Decision;
import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.gpu.GpuInventorySource;
import io.github.sglangpreflight.report.PreflightReport;
import io.github.sglangpreflight.sglang.args.LaunchCommand;
import io.github.sglangpreflight.units.Units;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * A launch across nodes ({@code --nnodes N}) checked against one GPU reading per node: node rank
 * {@code r} is checked with {@code --node-rank r} on its own GPUs, and with the smallest T of every
 * node's GPUs, since SGLang takes T and the free memory after the weights as the minimum over all
 * ranks. The launch's decision is the worst node's, with one {@code --mem-fraction-static} for
 * every node, and the node and GPU that bind are named.
 *
 * <p>Each node is checked twice: once to read its T, once with the other nodes' minimum.
 */
public final class MultiNodeCheck {
  private MultiNodeCheck() {}

  /** One node's report. */
  public record NodeReport(int nodeRank, PreflightReport report) {
    public NodeReport {
      Objects.requireNonNull(report, "report");
    }
  }

  /**
   * The launch's result.
   *
   * @param nodes every node's report, by node rank
   * @param decision REJECT when a node rejects or no one fraction fits every node; ADJUST when the
   *     fraction changes; else ACCEPT
   * @param bindingNode the node rank whose GPU leaves the least room (the one that rejects)
   * @param bindingGpu the CUDA ordinal of that GPU on that node
   * @param memFractionStatic the fraction every node runs with; empty on REJECT
   * @param commands per node rank, the command to run there ({@code --node-rank} filled in)
   * @param headline one sentence: which node and GPU bind, and that node's headline
   */
  public record Result(
      List<NodeReport> nodes,
      Decision decision,
      int bindingNode,
      int bindingGpu,
      OptionalDouble memFractionStatic,
      List<List<String>> commands,
      String headline) {
    public Result {
      nodes = List.copyOf(nodes);
      Objects.requireNonNull(decision, "decision");
      Objects.requireNonNull(memFractionStatic, "memFractionStatic");
      commands = commands.stream().map(List::copyOf).toList();
      Objects.requireNonNull(headline, "headline");
    }

    /** The report of the binding node. */
    public PreflightReport binding() {
      return nodes.get(bindingNode).report();
    }
  }

  /**
   * Checks {@code sglangCommand} on every node.
   *
   * @param guard a fresh builder with every setting but the GPU source, once per node and pass
   * @param nodes the GPU readings of node rank 0, 1, ...
   * @throws InvalidInputException when the number of readings is not the command's {@code --nnodes}
   */
  public static Result check(
      Supplier<Preflight.Builder> guard,
      List<GpuInventorySource> nodes,
      List<String> sglangCommand,
      Map<String, String> environment) {
    LaunchCommand launch = LaunchCommand.parse(sglangCommand, environment);
    int nnodes = launch.serverArgs().parallelism().nnodes();
    if (nodes.size() != nnodes) {
      throw new InvalidInputException(
          "--gpus",
          nodes.size()
              + " GPU snapshots were given for a launch of --nnodes "
              + nnodes
              + "; give one snapshot per node ('sglang-preflight gpus --json' on each), in node"
              + " rank order, and --nnodes "
              + nodes.size()
              + " in the command");
    }
    List<List<String>> argv = new ArrayList<>();
    for (int r = 0; r < nnodes; r++) {
      argv.add(launch.withNodeRank(r));
    }
    List<PreflightReport> first = checkAll(guard, nodes, argv, environment, OptionalLong.empty());
    OptionalLong tMin =
        first.stream()
            .filter(r -> r.estimate().isPresent())
            .flatMap(r -> r.gpus().stream())
            .mapToLong(PreflightReport.GpuReport::preLoadFreeBytes)
            .min();
    List<PreflightReport> reports =
        tMin.isPresent() ? checkAll(guard, nodes, argv, environment, tMin) : first;
    List<NodeReport> out = new ArrayList<>();
    for (int r = 0; r < nnodes; r++) {
      out.add(new NodeReport(r, reports.get(r)));
    }
    return combine(out, argv, environment);
  }

  private static List<PreflightReport> checkAll(
      Supplier<Preflight.Builder> guard,
      List<GpuInventorySource> nodes,
      List<List<String>> argv,
      Map<String, String> environment,
      OptionalLong peerMin) {
    List<PreflightReport> reports = new ArrayList<>();
    for (int r = 0; r < nodes.size(); r++) {
      Preflight.Builder b = guard.get().gpuSource(nodes.get(r));
      peerMin.ifPresent(b::peerMinPreLoadFreeBytes);
      reports.add(b.build().check(argv.get(r), environment));
    }
    return reports;
  }

  private static Result combine(
      List<NodeReport> nodes, List<List<String>> argv, Map<String, String> environment) {
    // the binding node: a rejecting one first, then the smallest safe window, then the least room
    Comparator<NodeReport> tightest =
        Comparator.<NodeReport>comparingInt(n -> n.report().decision() == Decision.REJECT ? 0 : 1)
            .thenComparingDouble(n -> n.report().maxSafeFraction().orElse(-1))
            .thenComparingLong(
                n -> n.report().estimate().map(e -> e.headroomBytes()).orElse(Long.MIN_VALUE))
            .thenComparingInt(NodeReport::nodeRank);
    NodeReport binding = nodes.stream().min(tightest).orElseThrow();
    PreflightReport b = binding.report();
    int gpu =
        b.estimate()
            .map(PreflightReport.Estimate::worstGpu)
            .orElse(b.gpus().isEmpty() ? -1 : b.gpus().getFirst().index());
    String where =
        "node "
            + binding.nodeRank()
            + " of "
            + nodes.size()
            + (gpu < 0 ? "" : ", GPU " + gpu + gpuName(b, gpu))
            + " binds: ";
    if (b.decision() == Decision.REJECT) {
      return new Result(
          nodes,
          Decision.REJECT,
          binding.nodeRank(),
          gpu,
          OptionalDouble.empty(),
          argv,
          where + b.headline());
    }
    // one fraction for every node: the smallest any node runs with
    NodeReport lowest =
        nodes.stream().min(Comparator.comparingDouble(n -> effective(n.report()))).orElseThrow();
    double f = effective(lowest.report());
    for (NodeReport n : nodes) {
      OptionalDouble min = n.report().minFraction();
      if (min.isPresent() && min.getAsDouble() > f + 1e-9) {
        return new Result(
            nodes,
            Decision.REJECT,
            n.nodeRank(),
            gpu,
            OptionalDouble.empty(),
            argv,
            "no one --mem-fraction-static fits every node: node "
                + lowest.nodeRank()
                + " needs at most "
                + Units.fraction(f)
                + ", node "
                + n.nodeRank()
                + " at least "
                + Units.fraction(min.getAsDouble()));
      }
    }
    boolean changed = nodes.stream().anyMatch(n -> n.report().decision() == Decision.ADJUST);
    OptionalDouble flag =
        LaunchCommand.parse(lowest.report().command(), environment)
            .serverArgs()
            .memFractionStatic();
    List<List<String>> commands = new ArrayList<>();
    for (List<String> a : argv) {
      commands.add(
          flag.isPresent()
              ? LaunchCommand.parse(a, environment).withMemFractionStatic(flag.getAsDouble())
              : a);
    }
    return new Result(
        nodes,
        changed ? Decision.ADJUST : Decision.ACCEPT,
        binding.nodeRank(),
        gpu,
        OptionalDouble.of(f),
        commands,
        where + b.headline());
  }

  private static double effective(PreflightReport r) {
    return r.recommendedFraction().orElse(r.requestedFraction());
  }

  private static String gpuName(PreflightReport r, int gpu) {
    return r.gpus().stream()
        .filter(g -> g.index() == gpu)
        .findFirst()
        .map(g -> " (" + g.name() + ")")
        .orElse("");
  }
}
