package io.github.sglangpreflight.budget;

import io.github.sglangpreflight.calibration.Calibration;
import io.github.sglangpreflight.gpu.ComputeCapability;
import io.github.sglangpreflight.gpu.GpuMemory;
import io.github.sglangpreflight.gpu.Interconnect;
import io.github.sglangpreflight.model.KvCacheLayout;
import io.github.sglangpreflight.model.KvCacheOptions;
import io.github.sglangpreflight.model.KvPoolLayout;
import io.github.sglangpreflight.model.ModelDescription;
import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.model.Parallelism;
import io.github.sglangpreflight.model.Quantization;
import io.github.sglangpreflight.model.WeightDtype;
import io.github.sglangpreflight.model.WeightPlacement;
import io.github.sglangpreflight.model.WeightPlacementOptions;
import io.github.sglangpreflight.model.WeightsPerGpu;
import io.github.sglangpreflight.plan.LaunchPlan;
import io.github.sglangpreflight.plan.SglangDefaults;
import io.github.sglangpreflight.sglang.args.LaunchCommand;
import io.github.sglangpreflight.sglang.args.ServerArgs;
import io.github.sglangpreflight.sglang.version.SglangFacts;
import io.github.sglangpreflight.sglang.version.SglangVersion;
import io.github.sglangpreflight.units.Units;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The memory model of one SGLang launch on this node: T (what SGLang measures before weights), the
 * weights, the KV pool at any {@code --mem-fraction-static}, and every term that must fit outside
 * the pool. Pure: it reads nothing; the caller supplies the GPU readings and the model.
 *
 * <p>From the model: {@link #at(double)} evaluates one fraction; {@link #maxSafeFraction()} is the
 * largest fraction that leaves every GPU at least the safety margin; {@link #minFraction()} the
 * smallest that holds the weights plus the minimum KV cache. Immutable and thread-safe.
 */
public final class BudgetModel {

  /**
   * One GPU the launch uses on this node, in local-rank order.
   *
   * @param cudaOrdinal the CUDA ordinal SGLang sees
   * @param uuid the GPU's UUID
   * @param name the NVML name (selects the per-GPU-model constants)
   * @param computeCapability if known
   * @param memory the NVML reading now
   * @param interconnect how the GPU reaches its peers (NVML or the preset), unknown where not read
   */
  public record GpuSlot(
      int cudaOrdinal,
      String uuid,
      String name,
      Optional<ComputeCapability> computeCapability,
      GpuMemory memory,
      Interconnect interconnect) {
    public GpuSlot {
      Objects.requireNonNull(uuid, "uuid");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(computeCapability, "computeCapability");
      Objects.requireNonNull(memory, "memory");
      Objects.requireNonNull(interconnect, "interconnect");
    }

    /** A GPU whose interconnect was not read. */
    public GpuSlot(
        int cudaOrdinal,
        String uuid,
        String name,
        Optional<ComputeCapability> computeCapability,
        GpuMemory memory) {
      this(cudaOrdinal, uuid, name, computeCapability, memory, Interconnect.unknown());
    }
  }

  /**
   * What the model needs.
   *
   * @param version the SGLang version
   * @param launch the parsed command
   * @param model the model
   * @param draftModel the speculative draft model, when the launch names one and it is described
   * @param gpus this node's GPUs of the launch, local rank 0 first
   * @param hostMinTotalMib G: the smallest {@code memory.total} MiB over every GPU of the host
   * @param safetyMarginBytes free memory each GPU must keep after everything
   * @param minKvTokens the smallest KV pool that counts as workable; empty: SGLang's own floor (one
   *     page)
   * @param calibration what earlier launches of this key measured; the terms it covers take the
   *     measured bytes ({@link ObservedItems})
   * @param peerMinPreLoadFreeBytes on a multi-node launch, the smallest T of the launch's GPUs on
   *     the other nodes: SGLang takes T and the free memory after the weights as the minimum over
   *     every rank of the launch, so a lower T there lowers them here
   */
  public record Request(
      SglangVersion version,
      LaunchCommand launch,
      ModelDescription model,
      Optional<ModelDescription> draftModel,
      List<GpuSlot> gpus,
      OptionalLong hostMinTotalMib,
      long safetyMarginBytes,
      OptionalLong minKvTokens,
      Optional<Calibration.Correction> calibration,
      OptionalLong peerMinPreLoadFreeBytes) {
    /** A request without calibration. */
    public Request(
        SglangVersion version,
        LaunchCommand launch,
        ModelDescription model,
        Optional<ModelDescription> draftModel,
        List<GpuSlot> gpus,
        OptionalLong hostMinTotalMib,
        long safetyMarginBytes,
        OptionalLong minKvTokens) {
      this(
          version,
          launch,
          model,
          draftModel,
          gpus,
          hostMinTotalMib,
          safetyMarginBytes,
          minKvTokens,
          Optional.empty(),
          OptionalLong.empty());
    }

    /** A request without other nodes. */
    public Request(
        SglangVersion version,
        LaunchCommand launch,
        ModelDescription model,
        Optional<ModelDescription> draftModel,
        List<GpuSlot> gpus,
        OptionalLong hostMinTotalMib,
        long safetyMarginBytes,
        OptionalLong minKvTokens,
        Optional<Calibration.Correction> calibration) {
      this(
          version,
          launch,
          model,
          draftModel,
          gpus,
          hostMinTotalMib,
          safetyMarginBytes,
          minKvTokens,
          calibration,
          OptionalLong.empty());
    }

    public Request {
      Objects.requireNonNull(calibration, "calibration");
      Objects.requireNonNull(peerMinPreLoadFreeBytes, "peerMinPreLoadFreeBytes");
      Objects.requireNonNull(version, "version");
      Objects.requireNonNull(launch, "launch");
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(draftModel, "draftModel");
      gpus = List.copyOf(gpus);
      Objects.requireNonNull(hostMinTotalMib, "hostMinTotalMib");
      Objects.requireNonNull(minKvTokens, "minKvTokens");
      if (gpus.isEmpty()) {
        throw new IllegalArgumentException("the launch needs at least one GPU");
      }
      if (safetyMarginBytes < 0) {
        throw new IllegalArgumentException(
            "safetyMarginBytes must not be negative, was " + safetyMarginBytes);
      }
    }
  }

  /** A start-up check SGLang itself makes, predicted. */
  public record StartupCheck(String name, boolean fails, boolean warns, String message) {}

  private record Slot(
      GpuSlot gpu,
      int localRank,
      int group,
      int ppRank,
      boolean firstOnNode,
      List<BudgetItem> overheads,
      long preLoadFree,
      List<BudgetItem> prePool,
      long afterLoad) {}

  private final Request request;
  private final LaunchPlan plan;
  private final ModelSpec spec;
  private final WeightsPerGpu weights;
  private final KvCacheLayout kv;
  private final TermContext.Launch launch;

  /**
   * The token buffers of a one-cell-per-token pool made of several (MLA latent + DSA indexer), for
   * the report; empty where the cell is one buffer or the buffers do not add up to the cell.
   */
  private final Optional<KvPoolLayout> poolsView;

  private final List<Slot> slots;
  private final List<String> notes;

  // what does not depend on the fraction, computed once
  /** Per group: {T, A}, the minimum over its GPUs. */
  private final Map<Integer, long[]> groupTa;

  private final long tMin;
  private final long aMin;
  private final List<BudgetItem> heavyWeightParts;
  private final SglangFacts.FractionRule fractionRule;
  private final SglangFacts.RequestRowsRule requestRowsRule;

  /** The decode capture list per request-row count. */
  private final Map<Integer, List<Integer>> captureLists = new ConcurrentHashMap<>();

  /** The reserve of every GPU state evaluated so far: the fraction search meets each many times. */
  private final Map<ReserveKey, Reserve> reserves = new ConcurrentHashMap<>();

  /** The same states' peaks alone, as the fraction search computes them (no items). */
  private final Map<ReserveKey, Long> reservePeaks = new ConcurrentHashMap<>();

  private BudgetModel(Request request) {
    this.request = request;
    SglangFacts facts = SglangFacts.of(request.version());
    this.spec = request.model().spec();
    Optional<ComputeCapability> cc = request.gpus().getFirst().computeCapability();
    this.plan = LaunchPlan.of(facts, request.launch(), spec, request.hostMinTotalMib(), cc);
    Parallelism par = plan.parallelism();
    ServerArgs a = request.launch().serverArgs();
    WeightPlacementOptions wopts =
        facts
            .weightPlacement()
            .withDtype(a.dtype().flatMap(WeightDtype::fromTorchName))
            .withOnlineFp8(
                a.quantization().filter(q -> q.equalsIgnoreCase("fp8")).isPresent()
                    && !spec.quantization().map(Quantization::isFp8).orElse(false))
            .withDpLmHead(a.enableDpLmHead())
            .withMoeDenseTpSize(a.moeDenseTpSize());
    if (wopts.sharedExpertFusion() == WeightPlacementOptions.SharedExpertFusion.REPLICA_PER_TP_RANK
        && (plan.deepEp() || cc.map(c -> c.smVersion() < 90).orElse(false))) {
      wopts = wopts.withSharedExpertFusion(WeightPlacementOptions.SharedExpertFusion.NONE);
    }
    this.weights = placement(request.model(), par, wopts);
    KvCacheOptions kopts =
        facts
            .kvCacheOptions()
            .withKvCacheDtype(plan.kvCacheDtype())
            .withDtype(a.dtype().flatMap(WeightDtype::fromTorchName));
    this.kv = KvCacheLayout.of(spec, par, kopts);
    // SGLang's own pool split applies on one pipeline stage without speculative decoding and
    // without fp4 KV; elsewhere every layer counts as a full-attention cell (an upper bound)
    Optional<KvPoolLayout> split =
        par.ppSize() == 1 && plan.speculative().isEmpty() && !kopts.fp4()
            ? Optional.of(KvPoolLayout.of(spec, par, kopts))
            : Optional.empty();
    this.launch =
        new TermContext.Launch(
            plan,
            request.model(),
            request.draftModel(),
            weights,
            kv,
            split.flatMap(layout -> poolSizing(layout, par, a)));
    this.poolsView = split.filter(layout -> launch.pools().isEmpty() && sumsToCell(layout, kv));
    List<String> n = new ArrayList<>(plan.notes());
    n.addAll(request.model().notes());
    request.calibration().ifPresent(c -> n.addAll(ObservedItems.notes(c, plan.decodeGraphs())));
    this.slots = buildSlots(n);
    this.notes = List.copyOf(n);
    Map<Integer, long[]> ta = new LinkedHashMap<>();
    for (Slot s : slots) {
      ta.merge(
          s.group(),
          new long[] {s.preLoadFree(), s.afterLoad()},
          (x, y) -> new long[] {Math.min(x[0], y[0]), Math.min(x[1], y[1])});
    }
    ta.replaceAll((g, x) -> withPeers(x[0], x[1]));
    this.groupTa = ta;
    long[] all =
        withPeers(
            slots.stream().mapToLong(Slot::preLoadFree).min().orElseThrow(),
            slots.stream().mapToLong(Slot::afterLoad).min().orElseThrow());
    this.tMin = all[0];
    this.aMin = all[1];
    this.heavyWeightParts = List.copyOf(WeightsTerm.parts(weights.worstRank()));
    this.fractionRule = facts.fractionRule();
    this.requestRowsRule = facts.requestRowsRule();
  }

  /**
   * The pools SGLang sizes other than one cell per token: hybrid SWA (where this version splits the
   * pool) or a linear-attention state pool.
   */
  private static Optional<TermContext.PoolSizing> poolSizing(
      KvPoolLayout layout, Parallelism par, ServerArgs a) {
    if (!layout.hybridSwa() && layout.stateBytesPerRequest() == 0) {
      return Optional.empty();
    }
    OptionalInt cap =
        a.maxMambaCacheSize().isPresent()
            ? OptionalInt.of(a.maxMambaCacheSize().getAsInt() / Math.max(1, par.attnDpSize()))
            : OptionalInt.empty();
    KvPoolLayout.Sizing sizing =
        new KvPoolLayout.Sizing(
            a.swaFullTokensRatio().orElse(KvPoolLayout.DEFAULT_SWA_FULL_TOKENS_RATIO),
            KvPoolLayout.DEFAULT_MAMBA_FULL_MEMORY_RATIO,
            cap);
    return Optional.of(new TermContext.PoolSizing(layout, sizing));
  }

  /**
   * Whether a one-cell-per-token pool is made of several token buffers (MLA latent + DSA indexer)
   * that add up to the cell, so that the report can show them apart.
   */
  private static boolean sumsToCell(KvPoolLayout layout, KvCacheLayout kv) {
    long sum = layout.pools().stream().mapToLong(KvPoolLayout.Pool::bytesPerUnit).sum();
    return layout.pools().size() > 1 && sum == kv.bytesPerToken();
  }

  /** The pools of the tightest GPU for {@code tokens} full-attention tokens. */
  private List<MemoryBudget.PoolShare> poolShares(long tokens) {
    long t = Math.max(0, tokens);
    if (launch.pools().isPresent()) {
      TermContext.PoolSizing p = launch.pools().get();
      return p.layout().pools().stream()
          .map(
              pool ->
                  share(pool, t > 0 ? p.layout().units(pool, t, p.sizing(), plan.pageSize()) : 0))
          .toList();
    }
    if (poolsView.isPresent()) {
      // MLA + DSA indexer: one cell per token, shown as the two buffers SGLang allocates
      return poolsView.get().pools().stream().map(pool -> share(pool, t)).toList();
    }
    return List.of(
        new MemoryBudget.PoolShare(
            "kv_cell",
            kv.stages().getFirst().layers(),
            kv.bytesPerToken(),
            "token",
            t,
            kv.formula(),
            kv.source()));
  }

  private static MemoryBudget.PoolShare share(KvPoolLayout.Pool pool, long units) {
    return new MemoryBudget.PoolShare(
        pool.kind().name().toLowerCase(Locale.ROOT),
        pool.layers(),
        pool.bytesPerUnit(),
        pool.perRequest() ? "request" : "token",
        units,
        pool.formula(),
        pool.source());
  }

  /** The pools SGLang sizes apart from one cell per token, when it does. */
  public Optional<KvPoolLayout> kvPools() {
    return launch.pools().map(TermContext.PoolSizing::layout);
  }

  /** Placements of recent (model, layout) pairs: remedies rebuild the budget many times. */
  private static final Map<PlacementKey, WeightsPerGpu> PLACEMENTS =
      java.util.Collections.synchronizedMap(
          new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<PlacementKey, WeightsPerGpu> eldest) {
              return size() > 16;
            }
          });

  /** A model by identity (descriptions hold whole tensor lists), a layout and its options. */
  private record PlacementKey(
      IdentityOf model, Parallelism parallelism, WeightPlacementOptions options) {}

  private record IdentityOf(ModelDescription model) {
    @Override
    public boolean equals(Object o) {
      return o instanceof IdentityOf other
          && (other.model == model
              || other.model.tensors() == model.tensors()
                  && other.model.id().equals(model.id())
                  && other.model.spec().equals(model.spec()));
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(model.tensors());
    }
  }

  private static WeightsPerGpu placement(
      ModelDescription model, Parallelism par, WeightPlacementOptions options) {
    PlacementKey key = new PlacementKey(new IdentityOf(model), par, options);
    WeightsPerGpu cached = PLACEMENTS.get(key);
    if (cached != null) {
      return cached;
    }
    WeightsPerGpu w = WeightPlacement.perGpu(model, par, options);
    PLACEMENTS.put(key, w);
    return w;
  }

  /**
   * Builds the model.
   *
   * @throws io.github.sglangpreflight.errors.InvalidInputException when the model cannot be laid
   *     out the way the launch asks (SGLang would refuse too)
   */
  public static BudgetModel of(Request request) {
    return new BudgetModel(Objects.requireNonNull(request, "request"));
  }

  public LaunchPlan plan() {
    return plan;
  }

  /** What the model was built from. */
  public Request request() {
    return request;
  }

  public WeightsPerGpu weights() {
    return weights;
  }

  public KvCacheLayout kvLayout() {
    return kv;
  }

  /** Sentences about defaults, assumptions and the model description. */
  public List<String> notes() {
    return notes;
  }

  // ------------------------------------------------------------------ slots: T and A per GPU

  private List<Slot> buildSlots(List<String> notesOut) {
    Parallelism par = plan.parallelism();
    SglangFacts facts = plan.facts();
    // without DP attention each of the dp replicas is its own group (its own T and pool)
    int replicaSize =
        par.dpAttention() ? par.gpusPerNode() : Math.max(1, par.gpusPerNode() / par.dpSize());
    int ppPerNode =
        par.nnodes() <= par.ppSize() && par.ppSize() % par.nnodes() == 0
            ? par.ppSize() / par.nnodes()
            : 1;
    int firstStage =
        par.nnodes() <= par.ppSize()
            ? (plan.nodeRank() * ppPerNode) % par.ppSize()
            : plan.nodeRank() / Math.max(1, par.nnodes() / par.ppSize());
    int tpPerNodeStage = Math.max(1, replicaSize / ppPerNode);
    boolean warmupRankExists = facts.deepGemmFirstRankUsesBaseGpuId() || plan.baseGpuId() == 0;
    if (!warmupRankExists && plan.jitDeepGemm() && facts.deepGemmWarmupAllocates()) {
      notesOut.add(
          "with --base-gpu-id "
              + plan.baseGpuId()
              + " SGLang "
              + facts.version()
              + " warms DeepGEMM up on no GPU (it looks for GPU 0): kernels compile while serving");
    }
    List<Slot> out = new ArrayList<>();
    for (int k = 0; k < request.gpus().size(); k++) {
      GpuSlot g = request.gpus().get(k);
      int group = k / replicaSize;
      int inReplica = k % replicaSize;
      int pp = Math.min(par.ppSize() - 1, firstStage + inReplica / tpPerNodeStage);
      List<BudgetItem> overheads = overheads(g);
      long t = g.memory().freeBytes() - sum(overheads);
      List<BudgetItem> prePool = prePool(pp, notesOut, k == 0);
      long a = t - sum(prePool);
      out.add(new Slot(g, k, group, pp, k == 0 && warmupRankExists, overheads, t, prePool, a));
    }
    return List.copyOf(out);
  }

  private List<BudgetItem> overheads(GpuSlot g) {
    return ObservedItems.correctBeforeT(
        BudgetTerms.items(BudgetTerms.BEFORE_T, new TermContext.BeforeT(launch, g)),
        request.calibration());
  }

  private List<BudgetItem> prePool(int ppRank, List<String> notesOut, boolean first) {
    // a term's note about an assumption is said once, for the first GPU
    List<String> notes = first ? notesOut : new ArrayList<>();
    return ObservedItems.correct(
        BudgetTerms.items(
            BudgetTerms.STATIC_POOL, new TermContext.StaticPool(launch, ppRank, notes)),
        request.calibration());
  }

  // ------------------------------------------------------------------ evaluation at a fraction

  /** The budget at {@code fraction}. */
  public MemoryBudget at(double fraction) {
    if (!(fraction > 0 && fraction < 1)) {
      throw new IllegalArgumentException("fraction must be in (0, 1), was " + fraction);
    }
    Pool pools = pool(fraction);
    List<MemoryBudget.GpuBudget> gpus = new ArrayList<>();
    MemoryBudget.GpuBudget worst = null;
    long minTokens = Long.MAX_VALUE;
    List<Integer> capture = List.of();
    for (Slot s : slots) {
      SlotAt e = evaluate(s, pools, true);
      minTokens = Math.min(minTokens, e.tokens());
      capture = e.capture();
      MemoryBudget.GpuBudget gb =
          new MemoryBudget.GpuBudget(
              s.gpu().cudaOrdinal(),
              s.gpu().uuid(),
              s.gpu().name(),
              s.ppRank(),
              s.gpu().memory().freeBytes(),
              s.overheads(),
              s.preLoadFree(),
              s.prePool(),
              e.poolBytes(),
              e.reserve().items(),
              e.neededBytes(),
              e.headroomBytes());
      gpus.add(gb);
      if (worst == null || gb.headroomBytes() < worst.headroomBytes()) {
        worst = gb;
      }
    }
    WeightsPerGpu.RankWeights heavy = weights.worstRank();
    long maxPool = gpus.stream().mapToLong(MemoryBudget.GpuBudget::kvPoolBytes).max().orElse(0);
    long weightsPerGpu =
        request.calibration().isEmpty()
            ? heavy.bytes()
            : gpus.stream().mapToLong(MemoryBudget.GpuBudget::weightsBytes).max().orElse(0);
    return new MemoryBudget(
        fraction,
        tMin,
        aMin,
        weightsPerGpu,
        heavyWeightParts,
        kv.bytesPerToken(),
        minTokens,
        maxPool,
        (long) (tMin * (1 - fraction)),
        worst.reserveNeededBytes(),
        request.safetyMarginBytes(),
        worst,
        gpus,
        capture,
        poolShares(minTokens));
  }

  /**
   * T and the free memory after the weights as SGLang's all-reduce sees them with the other nodes:
   * a lower T there takes the same weights from less (exact when every rank holds the same weights,
   * as with tensor parallelism across nodes).
   */
  private long[] withPeers(long t, long a) {
    if (request.peerMinPreLoadFreeBytes().isEmpty()) {
      return new long[] {t, a};
    }
    long peer = request.peerMinPreLoadFreeBytes().getAsLong();
    return peer >= t ? new long[] {t, a} : new long[] {peer, a - (t - peer)};
  }

  /**
   * One GPU at one fraction.
   *
   * @param reserve its reserve items, when asked for (null in the fraction search)
   */
  private record SlotAt(
      long tokens,
      long poolBytes,
      Reserve reserve,
      long neededBytes,
      List<Integer> capture,
      long headroomBytes) {}

  /** What the reserve of one GPU depends on; identical GPUs share it. */
  private record ReserveKey(
      long tokens,
      long allocTokens,
      int rows,
      int running,
      long poolBytes,
      int ppRank,
      boolean firstOnNode,
      long afterLoad) {}

  private SlotAt evaluate(Slot s, Pool pools, boolean withItems) {
    long tokens = pools.tokens().get(s.group())[s.ppRank()];
    long allocTokens = tokens + KvPoolTerm.speculativeExtraTokens(plan, tokens);
    long pool = KvPoolTerm.bytes(launch, s.ppRank(), tokens, allocTokens);
    int rows = requestRows(pools.profiled().get(s.group())[s.ppRank()]);
    int running = maxRunningPerRank(tokens, rows);
    List<Integer> list = captureList(rows);
    ReserveKey key =
        new ReserveKey(
            tokens, allocTokens, rows, running, pool, s.ppRank(), s.firstOnNode(), s.afterLoad());
    Reserve reserve = null;
    long needed;
    if (withItems) {
      reserve =
          reserves.computeIfAbsent(key, k -> reserve(s, allocTokens, rows, running, list, pool));
      needed = reserve.neededBytes();
    } else {
      Reserve known = reserves.get(key);
      needed =
          known != null
              ? known.neededBytes()
              : reservePeaks.computeIfAbsent(
                  key, k -> reservePeak(s, allocTokens, rows, running, list, pool));
    }
    return new SlotAt(tokens, pool, reserve, needed, list, s.afterLoad() - pool - needed);
  }

  private List<Integer> captureList(int rows) {
    if (!plan.decodeGraphs()) {
      return List.of();
    }
    return captureLists.computeIfAbsent(
        rows, r -> SglangDefaults.filterByRequestRows(plan.facts(), plan.decodeCaptureList(), r));
  }

  /** KV tokens per group and stage at one fraction: what SGLang profiles and what it allocates. */
  private record Pool(Map<Integer, long[]> tokens, Map<Integer, long[]> profiled, long minTokens) {}

  private Pool pool(double fraction) {
    Parallelism par = plan.parallelism();
    // per group: T = min T_i, A = min A_i (groupTa, the other nodes' T included)
    Map<Integer, long[]> groupTokens = new LinkedHashMap<>();
    // the profiled count before --max-total-tokens and page rounding: it sizes the request table
    // (model_runner.py L741-752 @v0.4.5.post3)
    Map<Integer, long[]> groupProfiled = new LinkedHashMap<>();
    long overall = Long.MAX_VALUE;
    for (var e : groupTa.entrySet()) {
      long t = e.getValue()[0];
      long a = e.getValue()[1];
      double rest = a - t * (1 - fraction);
      long[] tokensPerStage = new long[par.ppSize()];
      long[] profiledPerStage = new long[par.ppSize()];
      long min = Long.MAX_VALUE;
      for (int st = 0; st < par.ppSize(); st++) {
        long profiled = KvPoolTerm.profiledTokens(launch, st, rest);
        profiledPerStage[st] = profiled;
        long tok = KvPoolTerm.poolTokens(plan, profiled);
        tokensPerStage[st] = tok;
        min = Math.min(min, tok);
      }
      if (fractionRule == SglangFacts.FractionRule.P4_MAIN) {
        java.util.Arrays.fill(tokensPerStage, min);
      }
      groupTokens.put(e.getKey(), tokensPerStage);
      groupProfiled.put(e.getKey(), profiledPerStage);
    }
    for (Slot s : slots) {
      overall = Math.min(overall, groupTokens.get(s.group())[s.ppRank()]);
    }
    return new Pool(groupTokens, groupProfiled, overall);
  }

  /**
   * What one GPU needs outside the pool: its terms in allocation order and their peak. The peak
   * rule: the pool buffers come first; a warm-up that the version frees before what follows ({@code
   * deepGemmWarmupFreesPerShape}) counts as the larger of itself and what follows, else everything
   * adds up.
   */
  private record Reserve(List<BudgetItem> items, long neededBytes) {}

  private Reserve reserve(
      Slot s, long allocTokens, int rows, int running, List<Integer> capture, long pool) {
    TermContext.Reserve base =
        new TermContext.Reserve(
            launch, s.ppRank(), allocTokens, rows, running, capture, s.firstOnNode(), 0);
    List<BudgetItem> buffers = BudgetTerms.items(BudgetTerms.POOL_BUFFERS, base);
    long before = sum(buffers);
    TermContext.Reserve c =
        base.withPreWarmupAvailableBytes(Math.max(0, s.afterLoad() - pool - before));
    List<BudgetItem> warmup = BudgetTerms.items(List.of(BudgetTerms.WARMUP), c);
    List<BudgetItem> after =
        ObservedItems.correct(
            BudgetTerms.items(BudgetTerms.AFTER_WARMUP, c), request.calibration());
    long needed = peak(before, sum(warmup), sum(after));
    List<BudgetItem> items = new ArrayList<>(buffers);
    items.addAll(warmup);
    items.addAll(after);
    return new Reserve(List.copyOf(items), needed);
  }

  /** {@link #reserve}'s peak from the terms' bytes alone. */
  private long reservePeak(
      Slot s, long allocTokens, int rows, int running, List<Integer> capture, long pool) {
    TermContext.Reserve base =
        new TermContext.Reserve(
            launch, s.ppRank(), allocTokens, rows, running, capture, s.firstOnNode(), 0);
    long before = BudgetTerms.bytes(BudgetTerms.POOL_BUFFERS, base);
    TermContext.Reserve c =
        base.withPreWarmupAvailableBytes(Math.max(0, s.afterLoad() - pool - before));
    long after =
        request.calibration().isEmpty()
            ? BudgetTerms.bytes(BudgetTerms.AFTER_WARMUP, c)
            : sum(
                ObservedItems.correct(
                    BudgetTerms.items(BudgetTerms.AFTER_WARMUP, c), request.calibration()));
    return peak(before, BudgetTerms.WARMUP.bytes(c), after);
  }

  /** The peak rule of {@link Reserve} over the three groups' bytes. */
  private long peak(long before, long warm, long rest) {
    return plan.facts().deepGemmWarmupFreesPerShape()
        ? before + Math.max(warm, rest)
        : before + warm + rest;
  }

  private int requestRows(long tokens) {
    int ctx = plan.contextLength();
    long clamp = Math.max(2048, Math.min(4096, (long) (tokens / (double) ctx * 512)));
    OptionalInt n = plan.maxRunningRequests();
    int attnDp = plan.parallelism().attnDpSize();
    return switch (requestRowsRule) {
      case PLUS_ONE -> (int) (n.isPresent() ? n.getAsInt() : clamp) + 1;
      case EXACT -> (int) (n.isPresent() ? n.getAsInt() : clamp);
      case CAPPED ->
          (int)
              (n.isPresent()
                  ? Math.min(n.getAsInt() / attnDp, clamp)
                  : Math.min(clamp, tokens / 2));
      case MAIN ->
          (int)
              (n.isPresent()
                  ? Math.min(n.getAsInt() / attnDp, tokens / 2)
                  : Math.min(clamp, tokens / 2));
    };
  }

  private int maxRunningPerRank(long tokens, int rows) {
    if (fractionRule == SglangFacts.FractionRule.P4_MAIN) {
      return rows;
    }
    OptionalInt n = plan.maxRunningRequests();
    long v =
        n.isPresent()
            ? n.getAsInt() / (plan.parallelism().dpAttention() ? plan.parallelism().dpSize() : 1)
            : tokens / 2;
    return (int) Math.max(0, Math.min(v, rows));
  }

  // ------------------------------------------------------------------ the fraction window

  /**
   * The largest fraction (to 3 decimals, rounded down) at which every GPU keeps the safety margin
   * after everything; empty when none does.
   */
  public OptionalDouble maxSafeFraction() {
    double lo = 0.001;
    double hi = 0.999;
    if (!headroomOk(lo)) {
      return OptionalDouble.empty();
    }
    if (headroomOk(hi)) {
      return OptionalDouble.of(hi);
    }
    for (int i = 0; i < 40; i++) {
      double mid = (lo + hi) / 2;
      if (headroomOk(mid)) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    double f = Math.floor(lo * 1000 + 1e-9) / 1000;
    while (f > 0.001 && !headroomOk(f)) {
      f -= 0.001;
    }
    return f > 0 ? OptionalDouble.of(round3(f)) : OptionalDouble.empty();
  }

  /** Whether every GPU keeps the margin at {@code f}: numbers only, no budget items. */
  private boolean headroomOk(double f) {
    Pool pools = pool(f);
    for (Slot s : slots) {
      if (evaluate(s, pools, false).headroomBytes() < request.safetyMarginBytes()) {
        return false;
      }
    }
    return true;
  }

  /**
   * SGLang's own floor: the smallest pool it starts with. It stops only when the pool holds no
   * token ("Not enough memory", model_runner.py L795-798 @v0.4.5.post3; the ValueError naming the
   * minimum fraction on main) and otherwise clamps the longest request to the pool (the scheduler's
   * max_req_input_len is min(context_len - 1, max_total_num_tokens - 1)); pools are cut to whole
   * pages, so one page. The guard's default minimum (issue 10); {@link #fullContextNote(long)} is
   * the warning between the floor and one full request.
   */
  public long sglangFloorKvTokens() {
    return Math.max(1, plan.pageSize());
  }

  /**
   * The warning for a pool that starts but cannot hold one request of the full context length: the
   * tokens it holds and the remedies; empty when it holds one (or does not start, or {@code
   * --min-kv-tokens} asked for more and the guard already enforces it).
   *
   * @param kvTokens the pool's tokens on the tightest GPU
   */
  public Optional<String> fullContextNote(long kvTokens) {
    long context = plan.contextLength();
    if (kvTokens < sglangFloorKvTokens() || kvTokens >= context) {
      return Optional.empty();
    }
    return Optional.of(
        String.format(
            Locale.ROOT,
            "the KV pool holds %,d tokens, less than one request of the full context length"
                + " (%,d): SGLang starts and refuses longer requests; pass --context-length %d"
                + " (or less) to say so, or --max-total-tokens to fix the pool, or --min-kv-tokens"
                + " %d to require a full-length request",
            kvTokens,
            context,
            kvTokens,
            context));
  }

  /**
   * The KV tokens the guard requires: {@code --min-kv-tokens}, else SGLang's own floor ({@link
   * #sglangFloorKvTokens()}: one page).
   */
  public long minKvTokens() {
    return request.minKvTokens().orElse(sglangFloorKvTokens());
  }

  /**
   * The smallest fraction (to 3 decimals, rounded up) whose KV pool holds {@link #minKvTokens()}
   * tokens on every GPU; empty when even 0.999 does not.
   */
  public OptionalDouble minFraction() {
    long want = Math.max(1, minKvTokens());
    if (plan.maxTotalTokens().isPresent() && plan.maxTotalTokens().getAsInt() < want) {
      return OptionalDouble.empty();
    }
    double lo = 0.001;
    double hi = 0.999;
    if (pool(hi).minTokens() < want) {
      return OptionalDouble.empty();
    }
    if (pool(lo).minTokens() >= want) {
      return OptionalDouble.of(lo);
    }
    for (int i = 0; i < 40; i++) {
      double mid = (lo + hi) / 2;
      if (pool(mid).minTokens() >= want) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    double f = Math.ceil(hi * 1000 - 1e-9) / 1000;
    while (f < 0.999 && pool(f).minTokens() < want) {
      f += 0.001;
    }
    return OptionalDouble.of(round3(Math.min(f, 0.999)));
  }

  /** SGLang's own start-up checks that do not depend on the fraction. */
  public List<StartupCheck> checks() {
    List<StartupCheck> out = new ArrayList<>();
    Parallelism par = plan.parallelism();
    for (Slot s : slots) {
      if (s.afterLoad() <= 0) {
        out.add(
            new StartupCheck(
                "weights-fit",
                true,
                false,
                String.format(
                    Locale.ROOT,
                    "GPU %d (%s): the weights and pre-pool allocations need %s but only %s is free"
                        + " before loading",
                    s.gpu().cudaOrdinal(),
                    s.gpu().name(),
                    Units.gib(sum(s.prePool())),
                    Units.gib(s.preLoadFree()))));
      }
    }
    if (par.tpSize() * par.ppSize() > 1) {
      long tMin = withPeers(slots.stream().mapToLong(Slot::preLoadFree).min().orElseThrow(), 0)[0];
      for (Slot s : slots) {
        long local = s.preLoadFree();
        if (tMin < 0.9 * local) {
          boolean stops = plan.imbalanceCheckEnabled();
          out.add(
              new StartupCheck(
                  "memory-balance",
                  stops,
                  !stops,
                  String.format(
                      Locale.ROOT,
                      "GPU %d (%s) has %s free before loading but the emptiest GPU of the launch has"
                          + " %s, below 90%% of it: SGLang %s %s \"The memory capacity is"
                          + " unbalanced\"",
                      s.gpu().cudaOrdinal(),
                      s.gpu().name(),
                      Units.gib(local),
                      Units.gib(tMin),
                      plan.facts().version(),
                      stops ? "stops with" : "warns")));
          break;
        }
      }
    }
    return out;
  }

  private static long sum(List<BudgetItem> items) {
    long s = 0;
    for (BudgetItem i : items) {
      s += i.bytes();
    }
    return s;
  }

  private static double round3(double f) {
    return Math.rint(f * 1000) / 1000;
  }
}
