package io.github.sglangpreflight;

import io.github.sglangpreflight.budget.BudgetItem;
import io.github.sglangpreflight.budget.BudgetModel;
import io.github.sglangpreflight.budget.MemoryBudget;
import io.github.sglangpreflight.calibration.Calibration;
import io.github.sglangpreflight.calibration.CalibrationKey;
import io.github.sglangpreflight.calibration.CalibrationStore;
import io.github.sglangpreflight.decider.BudgetPoint;
import io.github.sglangpreflight.decider.Decider;
import io.github.sglangpreflight.decider.KvMinimum;
import io.github.sglangpreflight.decider.Reason;
import io.github.sglangpreflight.decider.ReasonFields;
import io.github.sglangpreflight.decider.ReasonText;
import io.github.sglangpreflight.decider.RequestedFraction;
import io.github.sglangpreflight.decider.TermBytes;
import io.github.sglangpreflight.decider.Verdict;
import io.github.sglangpreflight.decision.Decision;
import io.github.sglangpreflight.decision.Policy;
import io.github.sglangpreflight.errors.GpuQueryException;
import io.github.sglangpreflight.errors.InternalFailureException;
import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.errors.PreflightException;
import io.github.sglangpreflight.gpu.Gpu;
import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.GpuInventorySource;
import io.github.sglangpreflight.gpu.GpuProcess;
import io.github.sglangpreflight.gpu.Interconnect;
import io.github.sglangpreflight.gpu.nvml.NvmlGpuInventorySource;
import io.github.sglangpreflight.gpu.source.GpuSnapshots;
import io.github.sglangpreflight.gpu.visible.CudaVisibleDevices;
import io.github.sglangpreflight.gpu.visible.VisibleDevices;
import io.github.sglangpreflight.model.ModelDescription;
import io.github.sglangpreflight.model.Parallelism;
import io.github.sglangpreflight.model.source.ModelCatalog;
import io.github.sglangpreflight.model.source.ModelResolver;
import io.github.sglangpreflight.plan.LaunchPlan;
import io.github.sglangpreflight.report.PreflightReport;
import io.github.sglangpreflight.report.PreflightReport.FractionSource;
import io.github.sglangpreflight.sglang.args.LaunchCommand;
import io.github.sglangpreflight.sglang.version.SglangInstallation;
import io.github.sglangpreflight.sglang.version.SglangVersion;
import io.github.sglangpreflight.units.Units;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guard: reads the GPUs, predicts what an SGLang launch needs, and accepts, adjusts or rejects
 * its {@code --mem-fraction-static} before any GPU memory is allocated.
 *
 * {@snippet :
 * Preflight preflight = Preflight.newBuilder().build();          // NVML, adjust policy
 * List<String> argv = preflight.apply(List.of(
 *     "python3", "-m", "sglang.launch_server", "--model-path", "Qwen/Qwen3-8B"));
 * new ProcessBuilder(argv).inheritIO().start();                  // the possibly rewritten command
 * }
 *
 * <p>Immutable and thread-safe: one instance can check many launches. The library logs through
 * SLF4J (one INFO line per check, a WARN per adjustment) and never prints.
 */
public final class Preflight {
  private static final Logger LOG = LoggerFactory.getLogger(Preflight.class);

  /** The default safety margin: 1 GiB left free on every GPU after everything. */
  public static final long DEFAULT_SAFETY_MARGIN_BYTES = 1L << 30;

  private final GpuInventorySource gpuSource;
  private final Policy policy;
  private final long safetyMarginBytes;
  private final OptionalLong minKvTokens;
  private final Optional<SglangVersion> sglangVersion;
  private final Optional<Path> modelConfig;
  private final OnUnreadableGpus onUnreadableGpus;
  private final Optional<ModelResolver> modelResolver;
  private final Path userHome;
  private final Optional<CalibrationStore> calibration;
  private final OptionalLong peerMinPreLoadFreeBytes;

  private Preflight(Builder b) {
    this.gpuSource = b.gpuSource != null ? b.gpuSource : NvmlGpuInventorySource.create();
    this.policy = b.policy != null ? b.policy : Policy.ADJUST;
    this.safetyMarginBytes =
        b.safetyMarginBytes >= 0 ? b.safetyMarginBytes : DEFAULT_SAFETY_MARGIN_BYTES;
    this.minKvTokens = b.minKvTokens;
    this.sglangVersion = Optional.ofNullable(b.sglangVersion);
    this.modelConfig = Optional.ofNullable(b.modelConfig);
    this.onUnreadableGpus = b.onUnreadableGpus != null ? b.onUnreadableGpus : OnUnreadableGpus.FAIL;
    this.modelResolver = Optional.ofNullable(b.modelResolver);
    this.userHome = Path.of(System.getProperty("user.home"));
    this.calibration = Optional.ofNullable(b.calibration);
    this.peerMinPreLoadFreeBytes = b.peerMinPreLoadFreeBytes;
  }

  /** A builder with the defaults: NVML, adjust policy, 1 GiB margin, newest or detected SGLang. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /**
   * Checks a launch with this process's environment.
   *
   * @param sglangCommand {@code python3 -m sglang.launch_server ...}, {@code sglang serve ...} or
   *     bare server arguments, optionally after {@code env NAME=VALUE}
   * @throws InvalidInputException for a bad command, model or option (exit code 2 in the CLI)
   * @throws GpuQueryException when the GPUs cannot be read and the policy fails closed
   */
  public PreflightReport check(List<String> sglangCommand) {
    return check(sglangCommand, System.getenv());
  }

  /**
   * Checks a launch that will run with {@code environment} (the child's environment: {@code
   * CUDA_VISIBLE_DEVICES}, the JIT DeepGEMM switches and the like are read from it).
   *
   * @throws InvalidInputException for a bad command, model or option
   * @throws GpuQueryException when the GPUs cannot be read and the policy fails closed
   * @throws InternalFailureException for any other failure (a bug), with the original as cause: no
   *     other RuntimeException or Error leaves this method
   */
  public PreflightReport check(List<String> sglangCommand, Map<String, String> environment) {
    Objects.requireNonNull(sglangCommand, "sglangCommand");
    Objects.requireNonNull(environment, "environment");
    try {
      PreflightReport report = new Check(sglangCommand, environment).run();
      logDecision(report);
      return report;
    } catch (PreflightException e) {
      throw e;
    } catch (RuntimeException | Error e) {
      throw new InternalFailureException(e);
    }
  }

  /**
   * Checks a launch and returns the command to run: unchanged on ACCEPT, with {@code
   * --mem-fraction-static} rewritten (or added) on ADJUST, every other argument untouched.
   *
   * @throws PreflightRejectedException on REJECT (never under {@link Policy#WARN})
   * @throws InvalidInputException for a bad command, model or option
   * @throws GpuQueryException when the GPUs cannot be read and the policy fails closed
   * @throws InternalFailureException for any other failure (a bug), with the original as cause
   */
  public List<String> apply(List<String> sglangCommand) {
    return apply(sglangCommand, System.getenv());
  }

  /** {@link #apply(List)} for a launch that will run with {@code environment}. */
  public List<String> apply(List<String> sglangCommand, Map<String, String> environment) {
    PreflightReport report = check(sglangCommand, environment);
    if (report.decision() == Decision.REJECT && policy != Policy.WARN) {
      throw new PreflightRejectedException(report);
    }
    return report.command();
  }

  private void logDecision(PreflightReport r) {
    String fraction =
        String.format(
            Locale.ROOT,
            "--mem-fraction-static %s (%s)%s",
            Units.fraction(r.requestedFraction()),
            r.requestedFractionSource().label(),
            r.recommendedFraction().isPresent()
                    && Math.abs(r.recommendedFraction().getAsDouble() - r.requestedFraction())
                        > 1e-9
                ? " -> " + Units.fraction(r.recommendedFraction().getAsDouble())
                : "");
    String gpus =
        r.gpus().isEmpty()
            ? "no GPU"
            : "GPU "
                + String.join(",", r.gpus().stream().map(g -> String.valueOf(g.index())).toList());
    LOG.info(
        "preflight {}: {} on {} (SGLang {}, {})",
        r.decision(),
        fraction,
        gpus,
        r.sglang().version(),
        r.gpuSource());
    if (r.decision() != Decision.ACCEPT) {
      LOG.warn("{}", r.headline());
    }
    if (LOG.isDebugEnabled()) {
      r.estimate()
          .ifPresent(
              e -> {
                for (PreflightReport.Item i : e.items()) {
                  LOG.debug("reserve term {}: {} bytes = {}", i.name(), i.bytes(), i.basis());
                }
              });
      for (PreflightReport.GpuReport g : r.gpus()) {
        LOG.debug(
            "GPU {} ({}) - total {} reserved {} free {} used {} bytes",
            g.index(),
            g.uuid(),
            g.totalBytes(),
            g.reservedBytes(),
            g.freeBytes(),
            g.usedBytes());
      }
    }
  }

  // ---------------------------------------------------------------------------------------- check

  /** One check: the state of a single evaluation. */
  private final class Check {
    private final List<String> argv;
    private final Map<String, String> env;
    private final List<String> notes = new ArrayList<>();
    private final List<Reason.VersionRefuses> refusals = new ArrayList<>();
    private final List<Reason.VersionRefuses> structural = new ArrayList<>();
    private LaunchCommand launch;
    private VisibleDevices visible;
    private SglangVersion version;
    private String versionSource;
    private Optional<CalibrationKey> calibrationKey = Optional.empty();

    Check(List<String> argv, Map<String, String> env) {
      this.argv = List.copyOf(argv);
      this.env = Map.copyOf(env);
    }

    PreflightReport run() {
      launch = LaunchCommand.parse(argv, env);
      LOG.debug("checking {}", String.join(" ", launch.maskedForLog()));
      resolveVersion();
      GpuInventory inventory;
      try {
        inventory = gpuSource.read();
      } catch (GpuQueryException e) {
        if (onUnreadableGpus == OnUnreadableGpus.FAIL) {
          throw e;
        }
        return unchecked(e);
      }
      notes.addAll(inventory.notes());
      Map<String, String> launchEnv = launch.environment().variables();
      ModelResolver resolver =
          modelResolver.orElseGet(
              () -> new ModelResolver(launchEnv, userHome, ModelCatalog.builtIn()));
      ModelDescription model = resolver.resolve(launch.serverArgs().modelPath(), modelConfig);
      Optional<ModelDescription> draft = Optional.empty();
      if (launch.serverArgs().speculativeDraftModelPath().isPresent()) {
        try {
          draft =
              Optional.of(resolver.resolve(launch.serverArgs().speculativeDraftModelPath().get()));
        } catch (InvalidInputException e) {
          notes.add(
              "the draft model "
                  + launch.serverArgs().speculativeDraftModelPath().get()
                  + " is not described ("
                  + e.getMessage()
                  + "): its weights and KV cache are not counted");
        }
      }
      launch
          .versionCaveats(
              io.github.sglangpreflight.sglang.version.SglangFacts.of(version).flagSnapshot())
          .forEach(
              c ->
                  refusals.add(
                      new Reason.VersionRefuses(version.toString(), c.input(), c.message())));
      io.github.sglangpreflight.plan.SglangModelChecks.check(
              io.github.sglangpreflight.sglang.version.SglangFacts.of(version).flagSnapshot(),
              launch,
              model.spec())
          .forEach(
              r ->
                  structural.add(
                      new Reason.VersionRefuses(
                          version.toString(), r.input(), r.message() + " [" + r.source() + "]")));
      if (!structural.isEmpty()) {
        // the model cannot be laid out the way the launch asks: SGLang stops before any budget
        List<Reason.VersionRefuses> all = new ArrayList<>(structural);
        all.addAll(refusals);
        return rejectedWithoutBudget(inventory, List.of(), model, Decider.refused(all));
      }

      visible = CudaVisibleDevices.fromEnvironment(inventory, launchEnv);
      visible.problemMessages().forEach(notes::add);
      Parallelism par = launch.serverArgs().parallelism();
      int needed = par.gpusPerNode();
      int base = launch.serverArgs().baseGpuId().orElse(0);
      int step = launch.serverArgs().gpuIdStep().orElse(1);
      List<BudgetModel.GpuSlot> slots = new ArrayList<>();
      List<VisibleDevices.VisibleDevice> used = new ArrayList<>();
      List<Integer> missing = new ArrayList<>();
      for (int k = 0; k < needed; k++) {
        int ordinal = base + k * step;
        Optional<VisibleDevices.VisibleDevice> d =
            visible.devices().stream().filter(v -> v.cudaOrdinal() == ordinal).findFirst();
        if (d.isEmpty()) {
          missing.add(ordinal);
          continue;
        }
        used.add(d.get());
        slots.add(
            new BudgetModel.GpuSlot(
                ordinal,
                d.get().uuid(),
                d.get().name(),
                d.get().gpu().computeCapability(),
                d.get().memory(),
                d.get().gpu().interconnect()));
      }
      if (!missing.isEmpty()) {
        Reason.GpusMissing why =
            new Reason.GpusMissing(
                needed,
                par.tpSize(),
                par.ppSize(),
                par.dpSize(),
                par.dpAttention(),
                base,
                step,
                missing,
                visible.cudaDeviceCount(),
                visible.problems().isEmpty()
                    ? Optional.empty()
                    : Optional.of(visible.problemMessages().getFirst()));
        return rejectedWithoutBudget(inventory, used, model, Decider.gpusMissing(why, refusals));
      }
      otherProcesses(used);
      unknownInterconnect(used, par);

      calibrationKey =
          Optional.of(
              CalibrationKey.of(
                  slots.getFirst().name(),
                  inventory.driverVersion(),
                  version.toString(),
                  launch.serverArgs().modelPath(),
                  par,
                  calibrationSettings(model, inventory, slots.getFirst())));
      Optional<Calibration.Correction> correction =
          calibration.flatMap(c -> Calibration.lookup(c.read(), calibrationKey.get()));
      BudgetModel budget =
          BudgetModel.of(
              new BudgetModel.Request(
                  version,
                  launch,
                  model,
                  draft,
                  slots,
                  inventory.minTotalMib(),
                  safetyMarginBytes,
                  minKvTokens,
                  correction,
                  peerMinPreLoadFreeBytes));
      notes.addAll(budget.notes());
      return decide(used, model, budget);
    }

    /**
     * The settings the calibrated terms depend on beyond the layout: the weights on the dtype and
     * quantization, the capture on the graph sizes, backend, context and speculative decoding.
     */
    private String calibrationSettings(
        ModelDescription model, GpuInventory inventory, BudgetModel.GpuSlot first) {
      io.github.sglangpreflight.plan.LaunchPlan p =
          io.github.sglangpreflight.plan.LaunchPlan.of(
              io.github.sglangpreflight.sglang.version.SglangFacts.of(version),
              launch,
              model.spec(),
              inventory.minTotalMib(),
              first.computeCapability());
      var a = launch.serverArgs();
      return "ctx"
          + p.contextLength()
          + "-kv:"
          + p.kvCacheDtype()
          + "-attn:"
          + p.attentionBackend()
          + "-graphs:"
          + (p.decodeGraphs() && !p.decodeCaptureList().isEmpty()
              ? "bs" + java.util.Collections.max(p.decodeCaptureList())
              : "off")
          + (p.prefillGraphs() ? "+prefill" : "")
          + "-run:"
          + (p.maxRunningRequests().isPresent() ? p.maxRunningRequests().getAsInt() : "auto")
          + "-q:"
          + a.quantization().orElse("none")
          + "-dtype:"
          + a.dtype().orElse("auto")
          + (p.speculative().isPresent() ? "-spec" : "")
          + (p.lora().isPresent() ? "-lora" : "")
          + (p.torchCompile() ? "-compile" : "");
    }

    private void resolveVersion() {
      if (sglangVersion.isPresent()) {
        version = sglangVersion.get();
        versionSource = "flag";
        return;
      }
      Optional<SglangInstallation> installed =
          SglangInstallation.detect(
              launch.launcherPrefix(), launch.environment().variables(), userHome);
      if (installed.isPresent()) {
        version = installed.get().version();
        versionSource = "detected:" + installed.get().location();
        return;
      }
      version = SglangVersion.MAIN;
      versionSource = "newest";
      notes.add(
          "no installed SGLang found and no --sglang-version given: modelling the newest SGLang"
              + " (main); give the version for exact defaults");
    }

    private void unknownInterconnect(List<VisibleDevices.VisibleDevice> used, Parallelism par) {
      unknownInterconnectNote(used, par)
          .ifPresent(
              n -> {
                LOG.warn("{}", n);
                notes.add(n);
              });
    }

    private void otherProcesses(List<VisibleDevices.VisibleDevice> used) {
      for (VisibleDevices.VisibleDevice d : used) {
        long usedBytes = d.memory().usedBytes();
        if (d.memory().reservedBytes().isPresent() && usedBytes > 0) {
          StringBuilder who = new StringBuilder();
          for (GpuProcess p : d.gpu().processes()) {
            if (!who.isEmpty()) {
              who.append(", ");
            }
            who.append("pid ").append(p.pid());
            p.name().ifPresent(n -> who.append(" (").append(n).append(')'));
            p.usedBytes().ifPresent(b -> who.append(' ').append(Units.gib(b)));
          }
          notes.add(
              String.format(
                  Locale.ROOT,
                  "GPU %d (%s) already has %s in use%s; SGLang can only budget on the %s still free",
                  d.cudaOrdinal(),
                  d.name(),
                  Units.gib(usedBytes),
                  who.isEmpty() ? "" : " by " + who,
                  Units.gib(d.memory().freeBytes())));
        }
      }
    }

    private PreflightReport decide(
        List<VisibleDevices.VisibleDevice> used, ModelDescription model, BudgetModel budget) {
      LaunchPlan plan = budget.plan();
      double requested = plan.requestedFraction();
      OptionalDouble maxSafe = budget.maxSafeFraction();
      OptionalDouble min = budget.minFraction();
      MemoryBudget atRequested = budget.at(clamp(requested));
      Optional<MemoryBudget> atMaxSafe = at(budget, maxSafe);
      Optional<MemoryBudget> atMin = at(budget, min);
      budget.checks().stream()
          .filter(BudgetModel.StartupCheck::warns)
          .forEach(c -> notes.add(c.message()));
      Verdict verdict =
          Decider.decide(
              new Decider.Input(
                  new RequestedFraction(
                      requested,
                      plan.userFraction(),
                      plan.userFractionFactor(),
                      version.toString()),
                  maxSafe,
                  min,
                  point(atRequested),
                  atMaxSafe.map(Preflight::point),
                  atMin.map(Preflight::point),
                  point(budget.at(0.999)),
                  new KvMinimum(
                      budget.minKvTokens(),
                      minKvTokens.isPresent()
                          ? KvMinimum.Source.FLAG
                          : KvMinimum.Source.SGLANG_FLOOR),
                  budget.checks().stream()
                      .filter(BudgetModel.StartupCheck::fails)
                      .map(c -> new Decider.StartupFailure(c.name(), c.message()))
                      .toList(),
                  refusals,
                  policy));
      List<String> command = argv;
      if (verdict.rewritesCommand()) {
        double recommended = verdict.recommendedFraction().getAsDouble();
        double flag = plan.flagValueFor(recommended);
        if (plan.userFractionFactor() != 1.0) {
          notes.add(
              String.format(
                  Locale.ROOT,
                  "SGLang %s multiplies --mem-fraction-static by %.1f for a multimodal model: the"
                      + " command gets %s so that SGLang runs at %s",
                  version,
                  plan.userFractionFactor(),
                  Units.fraction(flag),
                  Units.fraction(recommended)));
        }
        command = launch.withMemFractionStatic(flag);
      }
      if (minKvTokens.isEmpty() && verdict.recommendedFraction().isPresent()) {
        // SGLang starts with a pool below one full-context request: say so, with the remedies
        double f = verdict.recommendedFraction().getAsDouble();
        long tokens =
            atMaxSafe
                .filter(b -> b.fraction() == f)
                .or(() -> atMin.filter(b -> b.fraction() == f))
                .orElseGet(() -> budget.at(clamp(f)))
                .kvTokens();
        budget
            .fullContextNote(tokens)
            .ifPresent(
                n -> {
                  LOG.warn("{}", n);
                  notes.add(n);
                });
      }
      List<PreflightReport.Remedy> remedies =
          verdict.wantsRemedies()
              ? Remedies.find(launch, budget, used, newArgv -> rebuild(newArgv, budget, model))
              : List.of();
      verdict = verdict.withRemedies(remedies.stream().map(PreflightReport.Remedy::id).toList());
      Optional<PreflightReport.Estimate> adjusted = Optional.empty();
      if (verdict.recommendedFraction().isPresent()
          && Math.abs(verdict.recommendedFraction().getAsDouble() - requested) > 1e-9) {
        double f = verdict.recommendedFraction().getAsDouble();
        MemoryBudget atRecommended =
            atMaxSafe
                .filter(b -> b.fraction() == f)
                .or(() -> atMin.filter(b -> b.fraction() == f))
                .orElseGet(() -> budget.at(f));
        adjusted = Optional.of(estimate(atRecommended));
      }
      return report(
          verdict,
          policy,
          inputs(
              requested,
              plan.fractionFromFlag() ? FractionSource.FLAG : FractionSource.SGLANG_DEFAULT,
              sglangInfo(budget),
              Optional.of(modelInfo(model)),
              gpuReports(used, atRequested)),
          new PreflightReport.Estimates(maxSafe, min, Optional.of(estimate(atRequested)), adjusted),
          remedies,
          command,
          notes);
    }

    private PreflightReport.Inputs inputs(
        double requested,
        FractionSource source,
        PreflightReport.Sglang sglang,
        Optional<PreflightReport.Model> model,
        List<PreflightReport.GpuReport> gpus) {
      return new PreflightReport.Inputs(
          requested, source, sglang, model, gpuSource.describe(), gpus, argv, calibrationKey);
    }

    private Optional<BudgetModel> rebuild(
        List<String> newArgv, BudgetModel original, ModelDescription model) {
      try {
        LaunchCommand changed = LaunchCommand.parse(newArgv, env);
        Parallelism par = changed.serverArgs().parallelism();
        int base = changed.serverArgs().baseGpuId().orElse(0);
        int step = changed.serverArgs().gpuIdStep().orElse(1);
        List<BudgetModel.GpuSlot> slots = new ArrayList<>();
        for (int k = 0; k < par.gpusPerNode(); k++) {
          int ordinal = base + k * step;
          Optional<VisibleDevices.VisibleDevice> d =
              visible.devices().stream().filter(v -> v.cudaOrdinal() == ordinal).findFirst();
          if (d.isEmpty()) {
            return Optional.empty();
          }
          slots.add(
              new BudgetModel.GpuSlot(
                  ordinal,
                  d.get().uuid(),
                  d.get().name(),
                  d.get().gpu().computeCapability(),
                  d.get().memory(),
                  d.get().gpu().interconnect()));
        }
        BudgetModel.Request r = original.request();
        return Optional.of(
            BudgetModel.of(
                new BudgetModel.Request(
                    r.version(),
                    changed,
                    model,
                    r.draftModel(),
                    slots,
                    r.hostMinTotalMib(),
                    r.safetyMarginBytes(),
                    r.minKvTokens(),
                    r.calibration(),
                    r.peerMinPreLoadFreeBytes())));
      } catch (RuntimeException e) {
        LOG.debug("remedy {} not evaluated: {}", newArgv, e.toString());
        return Optional.empty();
      }
    }

    private PreflightReport unchecked(GpuQueryException e) {
      OptionalDouble flag = launch.serverArgs().memFractionStatic();
      return report(
          Decider.unchecked(e.getMessage(), flag),
          policy,
          inputs(
              flag.orElse(0),
              flag.isPresent() ? FractionSource.FLAG : FractionSource.SGLANG_DEFAULT,
              new PreflightReport.Sglang(
                  version.toString(),
                  versionSource,
                  io.github.sglangpreflight.sglang.version.SglangProfile.of(version).toString(),
                  0,
                  "unknown: the GPU capacity could not be read",
                  "n/a"),
              Optional.empty(),
              List.of()),
          PreflightReport.Estimates.none(),
          List.of(),
          argv,
          notes);
    }

    private PreflightReport rejectedWithoutBudget(
        GpuInventory inventory,
        List<VisibleDevices.VisibleDevice> used,
        ModelDescription model,
        Verdict verdict) {
      io.github.sglangpreflight.sglang.version.SglangFacts facts =
          io.github.sglangpreflight.sglang.version.SglangFacts.of(version);
      LaunchPlan plan =
          LaunchPlan.of(
              facts,
              launch,
              model.spec(),
              inventory.minTotalMib(),
              inventory.gpus().isEmpty()
                  ? Optional.empty()
                  : inventory.gpus().getFirst().computeCapability());
      var d = plan.sglangDefaultFraction();
      return report(
          verdict,
          policy,
          inputs(
              plan.requestedFraction(),
              plan.fractionFromFlag() ? FractionSource.FLAG : FractionSource.SGLANG_DEFAULT,
              new PreflightReport.Sglang(
                  version.toString(),
                  versionSource,
                  facts.profile().toString(),
                  d.value(),
                  d.formula(),
                  d.source()),
              Optional.of(modelInfo(model)),
              used.stream().map(u -> gpuReport(u, Optional.empty())).toList()),
          PreflightReport.Estimates.none(),
          List.of(),
          argv,
          notes);
    }

    private PreflightReport.Sglang sglangInfo(BudgetModel budget) {
      var d = budget.plan().sglangDefaultFraction();
      return new PreflightReport.Sglang(
          version.toString(),
          versionSource,
          budget.plan().facts().profile().toString(),
          d.value(),
          d.formula(),
          d.source());
    }

    private List<PreflightReport.GpuReport> gpuReports(
        List<VisibleDevices.VisibleDevice> used, MemoryBudget budget) {
      Map<Integer, MemoryBudget.GpuBudget> byOrdinal = new HashMap<>();
      budget.gpus().forEach(g -> byOrdinal.put(g.cudaOrdinal(), g));
      return used.stream()
          .map(d -> gpuReport(d, Optional.ofNullable(byOrdinal.get(d.cudaOrdinal()))))
          .toList();
    }
  }

  /**
   * The note for GPUs of a multi-GPU launch whose interconnect is unknown: what the budget assumes
   * instead (custom_all_reduce.py's rule and the NCCL figures are the NVLink ones, the larger).
   */
  static Optional<String> unknownInterconnectNote(
      List<VisibleDevices.VisibleDevice> used, Parallelism par) {
    if (par.tpSize() * par.ppSize() <= 1) {
      return Optional.empty();
    }
    List<VisibleDevices.VisibleDevice> unknown =
        used.stream()
            .filter(d -> d.gpu().interconnect().kind() == Interconnect.Kind.UNKNOWN)
            .toList();
    if (unknown.isEmpty()) {
      return Optional.empty();
    }
    String ordinals =
        unknown.stream()
            .map(d -> String.valueOf(d.cudaOrdinal()))
            .collect(java.util.stream.Collectors.joining(","));
    return Optional.of(
        (unknown.size() == 1 ? "GPU " : "GPUs ")
            + ordinals
            + ": interconnect unknown ("
            + unknown.getFirst().gpu().interconnect().source()
            + "); the budget takes the cautious side, as over NVLink: SGLang's custom all-reduce"
            + " buffers are counted and the NCCL figures measured over H200 NVLink are used as"
            + " they are");
  }

  static PreflightReport.GpuReport gpuReport(
      VisibleDevices.VisibleDevice d, Optional<MemoryBudget.GpuBudget> b) {
    Gpu g = d.gpu();
    return new PreflightReport.GpuReport(
        d.cudaOrdinal(),
        g.index(),
        d.uuid(),
        d.name(),
        g.pciBusId(),
        d.memory().totalBytes(),
        d.memory().reservedBytes(),
        d.memory().freeBytes(),
        d.memory().usedBytes(),
        g.processes().stream()
            .map(p -> new PreflightReport.Process(p.pid(), p.usedBytes(), p.name()))
            .toList(),
        b.map(MemoryBudget.GpuBudget::preLoadFreeBytes).orElse(0L),
        b.map(MemoryBudget.GpuBudget::weightsBytes).orElse(0L),
        b.map(MemoryBudget.GpuBudget::kvPoolBytes).orElse(0L),
        b.map(MemoryBudget.GpuBudget::reserveNeededBytes).orElse(0L),
        b.map(MemoryBudget.GpuBudget::headroomBytes).orElse(0L),
        g.interconnect().kind().label(),
        g.interconnect().source());
  }

  static PreflightReport.Estimate estimate(MemoryBudget b) {
    List<PreflightReport.Item> items =
        b.reserveItems().stream()
            .sorted(Comparator.comparingLong(BudgetItem::bytes).reversed())
            .map(Preflight::item)
            .toList();
    return new PreflightReport.Estimate(
        b.fraction(),
        b.preLoadFreeBytes(),
        b.availableAfterLoadBytes(),
        b.weightsBytesPerGpu(),
        b.weightParts().stream().map(Preflight::item).toList(),
        b.kvBytesPerToken(),
        b.kvTokens(),
        b.kvPoolBytes(),
        b.sglangReserveBytes(),
        b.reserveNeededBytes(),
        b.safetyMarginBytes(),
        b.worstGpu().headroomBytes(),
        b.worstGpu().cudaOrdinal(),
        b.worstGpu().overheadItems().stream().map(Preflight::item).toList(),
        b.worstGpu().prePoolItems().stream().map(Preflight::item).toList(),
        items,
        b.decodeCaptureList(),
        b.gpus().stream()
            .map(
                g ->
                    new PreflightReport.GpuShare(
                        g.cudaOrdinal(),
                        g.preLoadFreeBytes(),
                        g.prePoolBytes(),
                        g.kvPoolBytes(),
                        g.reserveNeededBytes(),
                        g.headroomBytes()))
            .toList(),
        b.kvPools().stream()
            .map(
                p ->
                    new PreflightReport.KvPool(
                        p.kind(),
                        p.layers(),
                        p.bytesPerUnit(),
                        p.unit(),
                        p.units(),
                        p.formula(),
                        p.source()))
            .toList());
  }

  static PreflightReport.Item item(BudgetItem i) {
    return new PreflightReport.Item(i.id(), i.name(), i.bytes(), i.formula(), i.source());
  }

  static PreflightReport.Model modelInfo(ModelDescription m) {
    return new PreflightReport.Model(
        m.id(),
        m.origin().label(),
        m.location(),
        m.spec().architecture(),
        m.tensorSource() == ModelDescription.TensorSource.MEASURED);
  }

  private static Optional<MemoryBudget> at(BudgetModel budget, OptionalDouble fraction) {
    return fraction.isPresent() ? Optional.of(budget.at(fraction.getAsDouble())) : Optional.empty();
  }

  /** The budget at one fraction as the numbers the decider reads. */
  static BudgetPoint point(MemoryBudget b) {
    return new BudgetPoint(
        b.fraction(),
        b.sglangReserveBytes(),
        b.reserveNeededBytes(),
        b.safetyMarginBytes(),
        b.kvTokens(),
        b.weightsBytesPerGpu(),
        b.worstGpu().cudaOrdinal(),
        b.worstGpu().name(),
        b.reserveItems().stream()
            .sorted(Comparator.comparingLong(BudgetItem::bytes).reversed())
            .limit(2)
            .map(i -> new TermBytes(i.id(), i.bytes()))
            .toList());
  }

  private static double clamp(double f) {
    return Math.min(0.999, Math.max(0.001, f));
  }

  /** The report of {@code verdict}: its sentences and its structured reasons, rendered once. */
  private static PreflightReport report(
      Verdict verdict,
      Policy policy,
      PreflightReport.Inputs inputs,
      PreflightReport.Estimates estimates,
      List<PreflightReport.Remedy> remedies,
      List<String> command,
      List<String> notes) {
    return new PreflightReport(
        verdict.decision(),
        verdict.recommendedFraction(),
        ReasonText.render(verdict),
        ReasonFields.details(verdict),
        policy,
        inputs,
        estimates,
        remedies,
        command,
        notes);
  }

  /**
   * Builds {@link Preflight} instances. Every setter may be called once; {@link #build()} leaves
   * the builder unchanged, so one builder can make several guards.
   */
  public static final class Builder {
    private GpuInventorySource gpuSource;
    private Policy policy;
    private long safetyMarginBytes = -1;
    private OptionalLong minKvTokens = OptionalLong.empty();
    private SglangVersion sglangVersion;
    private Path modelConfig;
    private OnUnreadableGpus onUnreadableGpus;
    private ModelResolver modelResolver;
    private CalibrationStore calibration;
    private OptionalLong peerMinPreLoadFreeBytes = OptionalLong.empty();

    private Builder() {}

    /**
     * Where GPU readings come from. Default: NVML through java.lang.foreign.
     *
     * @throws IllegalStateException if already set
     */
    public Builder gpuSource(GpuInventorySource source) {
      requireUnset(gpuSource, "gpuSource");
      this.gpuSource = Objects.requireNonNull(source, "source");
      return this;
    }

    /**
     * GPU readings from a snapshot file that {@code sglang-preflight gpus --json} wrote
     * (docs/gpu-snapshot.md), re-read on every check; a bad file is an {@link
     * InvalidInputException} at check time that names the file and the field.
     *
     * @throws IllegalStateException if a GPU source is already set
     */
    public Builder gpuSnapshot(Path snapshotFile) {
      return gpuSource(GpuSnapshots.snapshotSource(Objects.requireNonNull(snapshotFile, "file")));
    }

    /**
     * Simulated GPUs of a built-in preset: {@code "H200"}, {@code "8xH200"}, {@code "2xH100"} (the
     * GPU models and where their figures come from: docs/gpu-snapshot.md), as the CLI's {@code
     * --simulate} does.
     *
     * @throws InvalidInputException at once when the spec is malformed or names no preset
     * @throws IllegalStateException if a GPU source is already set
     */
    public Builder simulatedGpus(String presetSpec) {
      return gpuSource(GpuSnapshots.presetSource(Objects.requireNonNull(presetSpec, "spec")));
    }

    /** The policy. Default: {@link Policy#ADJUST}. */
    public Builder policy(Policy policy) {
      requireUnset(this.policy, "policy");
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Memory every GPU must keep free after everything the launch allocates. Default 1 GiB.
     *
     * @throws IllegalArgumentException if negative or above 64 GiB
     */
    public Builder safetyMarginBytes(long bytes) {
      if (safetyMarginBytes >= 0) {
        throw new IllegalStateException(
            "safetyMarginBytes was already set to " + safetyMarginBytes);
      }
      if (bytes < 0 || bytes > (64L << 30)) {
        throw new IllegalArgumentException(
            "safetyMarginBytes must be between 0 and 64 GiB, was " + bytes);
      }
      this.safetyMarginBytes = bytes;
      return this;
    }

    /**
     * The smallest KV pool (tokens) the launch must get. Default: one request of the full context
     * length.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder minKvTokens(long tokens) {
      if (minKvTokens.isPresent()) {
        throw new IllegalStateException(
            "minKvTokens was already set to " + minKvTokens.getAsLong());
      }
      if (tokens < 1) {
        throw new IllegalArgumentException("minKvTokens must be at least 1, was " + tokens);
      }
      this.minKvTokens = OptionalLong.of(tokens);
      return this;
    }

    /**
     * The SGLang version to model. Default: the installed one when it can be found without running
     * Python, else the newest (main).
     *
     * @throws InvalidInputException if the text is not a version
     */
    public Builder sglangVersion(String version) {
      requireUnset(sglangVersion, "sglangVersion");
      this.sglangVersion = SglangVersion.parse(Objects.requireNonNull(version, "version"));
      return this;
    }

    /** An explicit config.json that wins over the model path's. */
    public Builder modelConfig(Path configJson) {
      requireUnset(modelConfig, "modelConfig");
      this.modelConfig = Objects.requireNonNull(configJson, "configJson");
      return this;
    }

    /** What to do when the GPUs cannot be read. Default: {@link OnUnreadableGpus#FAIL}. */
    public Builder onUnreadableGpus(OnUnreadableGpus what) {
      requireUnset(onUnreadableGpus, "onUnreadableGpus");
      this.onUnreadableGpus = Objects.requireNonNull(what, "what");
      return this;
    }

    /** How model paths are resolved. Default: the launch's environment, HF cache and catalog. */
    Builder modelResolver(ModelResolver resolver) {
      requireUnset(modelResolver, "modelResolver");
      this.modelResolver = Objects.requireNonNull(resolver, "resolver");
      return this;
    }

    /**
     * The calibration store whose observations of the same launch (GPU model, driver, SGLang,
     * model, layout) replace the terms they measured. Default: none, every term predicted.
     */
    public Builder calibration(CalibrationStore store) {
      requireUnset(calibration, "calibration");
      this.calibration = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * On a multi-node launch, the smallest T (free memory before the weights, less the CUDA context
     * and NCCL) of the launch's GPUs on the other nodes: SGLang sizes the pool from the minimum
     * over every rank. {@link MultiNodeCheck} sets it. Default: no other node.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder peerMinPreLoadFreeBytes(long bytes) {
      if (peerMinPreLoadFreeBytes.isPresent()) {
        throw new IllegalStateException(
            "peerMinPreLoadFreeBytes was already set to " + peerMinPreLoadFreeBytes.getAsLong());
      }
      if (bytes < 0) {
        throw new IllegalArgumentException(
            "peerMinPreLoadFreeBytes must not be negative, was " + bytes);
      }
      this.peerMinPreLoadFreeBytes = OptionalLong.of(bytes);
      return this;
    }

    /** A guard with these settings. */
    public Preflight build() {
      return new Preflight(this);
    }

    private static void requireUnset(Object value, String name) {
      if (value != null) {
        throw new IllegalStateException(name + " was already set to " + value);
      }
    }
  }
}
