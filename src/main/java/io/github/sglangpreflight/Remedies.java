package io.github.sglangpreflight;

import io.github.sglangpreflight.budget.BudgetItem;
import io.github.sglangpreflight.budget.BudgetModel;
import io.github.sglangpreflight.budget.MemoryBudget;
import io.github.sglangpreflight.decision.RemedyId;
import io.github.sglangpreflight.gpu.GpuProcess;
import io.github.sglangpreflight.gpu.visible.VisibleDevices;
import io.github.sglangpreflight.plan.LaunchPlan;
import io.github.sglangpreflight.report.PreflightReport;
import io.github.sglangpreflight.sglang.args.LaunchCommand;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * What would make a rejected launch fit: each candidate change is applied to the command and the
 * budget computed again, so every number is the model's, not a rule of thumb.
 */
final class Remedies {

  private Remedies() {}

  private record Candidate(
      RemedyId id, String change, List<String> arguments, List<String> argv, String cost) {}

  static List<PreflightReport.Remedy> find(
      LaunchCommand launch,
      BudgetModel budget,
      List<VisibleDevices.VisibleDevice> used,
      Function<List<String>, Optional<BudgetModel>> rebuild) {
    LaunchPlan plan = budget.plan();
    long before = requirement(budget);
    List<Candidate> candidates = new ArrayList<>();
    List<String> argv = launch.argv();

    if (plan.decodeGraphs() && !plan.decodeCaptureList().isEmpty()) {
      int max = plan.decodeCaptureList().getLast();
      for (int bs : new int[] {max / 2, max / 4, 32}) {
        if (bs >= 8 && bs < max) {
          candidates.add(
              new Candidate(
                  RemedyId.LOWER_CUDA_GRAPH_MAX_BS,
                  "--cuda-graph-max-bs " + bs,
                  List.of("--cuda-graph-max-bs", String.valueOf(bs)),
                  append(argv, "--cuda-graph-max-bs", String.valueOf(bs)),
                  "decode batches above "
                      + bs
                      + " run without CUDA graphs: slower decode at high concurrency"));
          break;
        }
      }
      candidates.add(
          new Candidate(
              RemedyId.DISABLE_CUDA_GRAPH,
              "--disable-cuda-graph",
              List.of("--disable-cuda-graph"),
              append(argv, "--disable-cuda-graph"),
              "no CUDA graphs: decode is several times slower at small batches"));
    }
    if (plan.kvCacheDtype().equals("auto")) {
      candidates.add(
          new Candidate(
              RemedyId.FP8_KV_CACHE,
              "--kv-cache-dtype fp8_e4m3",
              List.of("--kv-cache-dtype", "fp8_e4m3"),
              append(argv, "--kv-cache-dtype", "fp8_e4m3"),
              "fp8 KV cache: half the bytes per token, a small accuracy loss"));
    }
    if (plan.contextLength() > 8192) {
      int ctx = plan.contextLength() / 2;
      candidates.add(
          new Candidate(
              RemedyId.LOWER_CONTEXT_LENGTH,
              "--context-length " + ctx,
              List.of("--context-length", String.valueOf(ctx)),
              append(argv, "--context-length", String.valueOf(ctx)),
              "requests longer than " + ctx + " tokens are refused"));
    }
    if (plan.chunkedPrefillSize() > 2048) {
      int c = plan.chunkedPrefillSize() / 2;
      candidates.add(
          new Candidate(
              RemedyId.LOWER_CHUNKED_PREFILL,
              "--chunked-prefill-size " + c,
              List.of("--chunked-prefill-size", String.valueOf(c)),
              append(argv, "--chunked-prefill-size", String.valueOf(c)),
              "long prompts prefill in smaller chunks: slower time to first token"));
    }
    if (plan.maxRunningRequests().isEmpty() || plan.maxRunningRequests().getAsInt() > 256) {
      candidates.add(
          new Candidate(
              RemedyId.CAP_RUNNING_REQUESTS,
              "--max-running-requests 256",
              List.of("--max-running-requests", "256"),
              append(argv, "--max-running-requests", "256"),
              "at most 256 requests run at once (per DP rank)"));
    }
    if (plan.parallelism().dpAttention()) {
      List<String> without = removeDest(launch, "enable_dp_attention");
      without =
          removeDest(LaunchCommand.parse(without, launch.environment().variables()), "dp_size");
      candidates.add(
          new Candidate(
              RemedyId.DROP_DP_ATTENTION,
              "drop --enable-dp-attention and --dp-size",
              List.of(),
              without,
              "attention is sharded over TP instead of replicated: lower large-batch throughput"));
    }
    int tp = plan.parallelism().tpSize();
    if (used.size() >= 1) {
      int wanted = tp * 2;
      candidates.add(
          new Candidate(
              RemedyId.MORE_TP,
              "--tp-size " + wanted,
              List.of("--tp-size", String.valueOf(wanted)),
              append(argv, "--tp-size", String.valueOf(wanted)),
              "uses " + wanted + " GPUs per replica instead of " + tp));
    }
    boolean quantized = launch.serverArgs().quantization().isPresent();
    if (!quantized && plan.smVersion().orElse(0) >= 89) {
      candidates.add(
          new Candidate(
              RemedyId.FP8_WEIGHTS,
              "--quantization fp8",
              List.of("--quantization", "fp8"),
              append(argv, "--quantization", "fp8"),
              "fp8 weights: about half the weight memory, a small accuracy loss"));
    }

    List<PreflightReport.Remedy> out = new ArrayList<>();
    for (Candidate c : candidates) {
      Optional<BudgetModel> after = rebuild.apply(c.argv());
      if (after.isEmpty()) {
        continue;
      }
      BudgetModel m = after.get();
      OptionalDouble maxSafe = m.maxSafeFraction();
      OptionalDouble min = m.minFraction();
      boolean checksPass = m.checks().stream().noneMatch(BudgetModel.StartupCheck::fails);
      boolean fits =
          checksPass
              && maxSafe.isPresent()
              && min.isPresent()
              && min.getAsDouble() <= maxSafe.getAsDouble();
      long freed = before - requirement(m);
      if (freed <= 0 && !fits) {
        continue;
      }
      out.add(
          new PreflightReport.Remedy(
              c.id(), c.change(), c.arguments(), Math.max(0, freed), c.cost(), fits, maxSafe));
    }
    // memory other processes hold on the launch's GPUs
    for (VisibleDevices.VisibleDevice d : used) {
      for (GpuProcess p : d.gpu().processes()) {
        if (p.usedBytes().orElse(0) > (256L << 20)) {
          out.add(
              new PreflightReport.Remedy(
                  RemedyId.STOP_OTHER_PROCESS,
                  String.format(
                      Locale.ROOT,
                      "stop pid %d%s on GPU %d",
                      p.pid(),
                      p.name().map(n -> " (" + n + ")").orElse(""),
                      d.cudaOrdinal()),
                  List.of(),
                  p.usedBytes().getAsLong(),
                  "whatever that process serves stops",
                  false,
                  OptionalDouble.empty()));
        }
      }
    }
    out.sort(
        Comparator.comparing((PreflightReport.Remedy r) -> !r.sufficient())
            .thenComparing(
                Comparator.comparingLong(PreflightReport.Remedy::freesBytes).reversed()));
    return List.copyOf(out);
  }

  /**
   * The memory the launch needs on its worst GPU beyond T: pre-pool allocations, the minimum KV
   * cache and the reserve terms, at the fraction that just holds the minimum KV.
   */
  static long requirement(BudgetModel m) {
    double f = m.minFraction().orElse(0.999);
    MemoryBudget b = m.at(f);
    long worst = 0;
    for (MemoryBudget.GpuBudget g : b.gpus()) {
      long need =
          g.prePoolBytes()
              + m.minKvTokens() * b.kvBytesPerToken()
              + g.reserveNeededBytes()
              + g.overheadItems().stream().mapToLong(BudgetItem::bytes).sum();
      worst = Math.max(worst, need);
    }
    return worst;
  }

  private static List<String> append(List<String> argv, String... extra) {
    List<String> out = new ArrayList<>(argv);
    out.addAll(List.of(extra));
    return out;
  }

  private static List<String> removeDest(LaunchCommand launch, String dest) {
    List<String> argv = new ArrayList<>(launch.argv());
    List<Integer> drop = new ArrayList<>();
    for (LaunchCommand.Option o : launch.options()) {
      if (o.dests().contains(dest)) {
        drop.add(o.argvIndex());
        if (!o.inlineValue()) {
          for (int i = 1; i <= o.values().size(); i++) {
            drop.add(o.argvIndex() + i);
          }
        }
      }
    }
    drop.sort(Comparator.reverseOrder());
    for (int i : drop) {
      argv.remove(i);
    }
    return argv;
  }
}
