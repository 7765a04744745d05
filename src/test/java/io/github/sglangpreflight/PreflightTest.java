package io.github.sglangpreflight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.decision.Decision;
import io.github.sglangpreflight.decision.Policy;
import io.github.sglangpreflight.errors.GpuQueryException;
import io.github.sglangpreflight.errors.InternalFailureException;
import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.GpuInventorySource;
import io.github.sglangpreflight.gpu.source.GpuSnapshots;
import io.github.sglangpreflight.report.PreflightReport;
import io.github.sglangpreflight.units.Units;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PreflightTest {

  private static final List<String> SEED =
      List.of(
          "python3",
          "-m",
          "sglang.launch_server",
          "--model-path",
          "deepseek-ai/DeepSeek-V3",
          "--tp",
          "8",
          "--enable-dp-attention",
          "--dp-size",
          "8",
          "--trust-remote-code");
  private static final Map<String, String> JIT = Map.of("SGL_ENABLE_JIT_DEEPGEMM", "1");

  private static Preflight.Builder seedGuard() {
    return Preflight.newBuilder()
        .gpuSource(GpuSnapshots.presetSource("8xH200"))
        .sglangVersion("0.4.5.post3");
  }

  private static List<String> with(List<String> argv, String... more) {
    List<String> out = new ArrayList<>(argv);
    out.addAll(List.of(more));
    return out;
  }

  @Test
  void check_seedCase_adjustsTheDefaultWithTheReason() {
    PreflightReport r = seedGuard().build().check(SEED, JIT);

    assertEquals(Decision.ADJUST, r.decision());
    assertEquals(PreflightReport.FractionSource.SGLANG_DEFAULT, r.requestedFractionSource());
    assertEquals((143771 - 13312) / 143771.0, r.requestedFraction(), 1e-12);
    double recommended = r.recommendedFraction().getAsDouble();
    assertEquals(r.maxSafeFraction().getAsDouble(), recommended);
    assertTrue(
        recommended < r.requestedFraction() && recommended >= 0.85, "recommended " + recommended);
    assertEquals(with(SEED, "--mem-fraction-static"), r.command().subList(0, SEED.size() + 1));
    assertEquals(recommended, Double.parseDouble(r.command().getLast()), 1e-12);
    PreflightReport.Estimate e = r.estimate().orElseThrow();
    String expected =
        String.format(
            java.util.Locale.ROOT,
            "ADJUST: --mem-fraction-static 0.907 (SGLang 0.4.5.post3's default) leaves %s outside"
                + " the static pool on GPU 0 (NVIDIA H200) but the launch needs %s there plus the"
                + " 1.00 GiB safety margin, most of it CUDA-graph capture under DP attention (6.00"
                + " GiB) and CUDA-graph capture (5.92 GiB); lowering it to %s keeps the margin"
                + " free and still holds %,d KV tokens",
            Units.gib(e.reserveBytes()),
            Units.gib(e.reserveNeededBytes()),
            Units.fraction(recommended),
            r.adjustedEstimate().orElseThrow().kvTokens());
    assertEquals(expected, r.headline());
  }

  @Test
  void check_seedCaseAt085_accepts() {
    PreflightReport r = seedGuard().build().check(with(SEED, "--mem-fraction-static", "0.85"), JIT);

    assertEquals(Decision.ACCEPT, r.decision());
    assertEquals(PreflightReport.FractionSource.FLAG, r.requestedFractionSource());
    assertEquals(SEED.size() + 2, r.command().size());
    assertEquals(r.originalCommand(), r.command());
    assertTrue(
        r.headline().startsWith("ACCEPT: --mem-fraction-static 0.850 leaves "), r.headline());
  }

  @Test
  void builder_simulatedGpusAndGpuSnapshot_readTheSameGpusAsTheirSources(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
    List<String> argv = with(SEED, "--mem-fraction-static", "0.85");
    PreflightReport viaSource = seedGuard().build().check(argv, JIT);
    PreflightReport viaPreset =
        Preflight.newBuilder()
            .simulatedGpus("8xH200")
            .sglangVersion("0.4.5.post3")
            .build()
            .check(argv, JIT);
    assertEquals(viaSource.decision(), viaPreset.decision());
    assertEquals(viaSource.gpuSource(), viaPreset.gpuSource());
    assertEquals(viaSource.estimate(), viaPreset.estimate());

    java.nio.file.Path file = dir.resolve("gpus.json");
    java.nio.file.Files.writeString(
        file, GpuSnapshots.toJson(GpuSnapshots.presetSource("8xH200").read()));
    PreflightReport viaSnapshot =
        Preflight.newBuilder()
            .gpuSnapshot(file)
            .sglangVersion("0.4.5.post3")
            .build()
            .check(argv, JIT);
    assertEquals(Decision.ACCEPT, viaSnapshot.decision());
    assertEquals("snapshot file " + file, viaSnapshot.gpuSource());
    assertEquals(viaSource.estimate(), viaSnapshot.estimate());

    InvalidInputException missing =
        assertThrows(
            InvalidInputException.class,
            () ->
                Preflight.newBuilder()
                    .gpuSnapshot(dir.resolve("absent.json"))
                    .sglangVersion("0.4.5.post3")
                    .build()
                    .check(argv, JIT));
    assertTrue(missing.getMessage().contains("absent.json"), missing.getMessage());
    assertThrows(
        InvalidInputException.class, () -> Preflight.newBuilder().simulatedGpus("8xB9000"));
    assertThrows(
        IllegalStateException.class,
        () -> Preflight.newBuilder().simulatedGpus("H200").gpuSnapshot(file));
  }

  @Test
  void check_fractionTooLowForTheMinimumKv_raisesIt() {
    // the minimum from --min-kv-tokens (one full request, the default before issue 10)
    PreflightReport r =
        seedGuard()
            .minKvTokens(163_840)
            .build()
            .check(with(SEED, "--mem-fraction-static", "0.70"), JIT);

    assertEquals(Decision.ADJUST, r.decision());
    assertEquals(r.minFraction().getAsDouble(), r.recommendedFraction().getAsDouble());
    assertTrue(r.recommendedFraction().getAsDouble() > 0.70);
    assertTrue(
        r.headline().startsWith("ADJUST: --mem-fraction-static 0.700 leaves "), r.headline());
    assertTrue(
        r.headline().contains("below the 163,840 the launch needs (--min-kv-tokens)"),
        r.headline());
    assertEquals("0.70", r.originalCommand().getLast());
    assertEquals(r.minFraction().getAsDouble(), Double.parseDouble(r.command().getLast()), 1e-12);
  }

  @Test
  void rejectPolicy_neverRewrites_andSaysWhatToRunWith() {
    PreflightReport r = seedGuard().policy(Policy.REJECT).build().check(SEED, JIT);

    assertEquals(Decision.REJECT, r.decision());
    assertTrue(r.recommendedFraction().isEmpty());
    assertEquals(SEED, r.command());
    assertTrue(
        r.headline()
            .startsWith("REJECT: --mem-fraction-static 0.907 (SGLang 0.4.5.post3's default)"),
        r.headline());
    assertTrue(
        r.headline()
            .endsWith(
                "; the reject policy forbids changing it: run with --mem-fraction-static "
                    + Units.fraction(r.maxSafeFraction().getAsDouble())),
        r.headline());
  }

  @Test
  void apply_adjust_returnsTheRewrittenCommand() {
    List<String> argv = seedGuard().build().apply(SEED, JIT);

    assertEquals(SEED, argv.subList(0, SEED.size()));
    assertEquals("--mem-fraction-static", argv.get(SEED.size()));
    assertNotEquals(SEED, argv);
  }

  @Test
  void apply_reject_throwsWithTheReport_butWarnPolicyReturnsTheOriginal() {
    List<String> v25 =
        List.of(
            "python3",
            "-m",
            "sglang.launch_server",
            "--model-path",
            "deepseek-ai/DeepSeek-V2.5",
            "--tp",
            "8",
            "--enable-dp-attention",
            "--dp-size",
            "8");
    Preflight.Builder h100 =
        Preflight.newBuilder()
            .gpuSource(GpuSnapshots.presetSource("8xH100"))
            .sglangVersion("0.4.5.post3");

    PreflightRejectedException e =
        assertThrows(PreflightRejectedException.class, () -> h100.build().apply(v25, Map.of()));
    assertEquals(Decision.REJECT, e.report().decision());
    assertEquals(e.report().headline(), e.getMessage());
    assertFalse(e.report().remedies().isEmpty());
    assertTrue(e.report().remedies().getFirst().sufficient(), e.report().remedies().toString());

    assertEquals(v25, h100.policy(Policy.WARN).build().apply(v25, Map.of()));
  }

  @Test
  void check_unreadableGpus_failsClosedByDefault_orLaunchesUncheckedWhenAllowed() {
    GpuInventorySource broken =
        new GpuInventorySource() {
          @Override
          public GpuInventory read() {
            throw new GpuQueryException("NVML not available: tried nothing; install the driver");
          }

          @Override
          public String describe() {
            return "broken";
          }
        };

    GpuQueryException e =
        assertThrows(
            GpuQueryException.class,
            () -> Preflight.newBuilder().gpuSource(broken).build().check(SEED, JIT));
    assertEquals("NVML not available: tried nothing; install the driver", e.getMessage());

    PreflightReport r =
        Preflight.newBuilder()
            .gpuSource(broken)
            .onUnreadableGpus(OnUnreadableGpus.LAUNCH_UNCHECKED)
            .build()
            .check(SEED, JIT);
    assertEquals(Decision.ACCEPT, r.decision());
    assertFalse(r.checked());
    assertEquals(SEED, r.command());
    assertEquals(
        "ACCEPT (unchecked): the GPUs cannot be read (NVML not available: tried nothing; install"
            + " the driver); the launch goes ahead unchecked because unreadable GPUs are allowed",
        r.headline());
  }

  @Test
  void check_unexpectedFailureOrError_becomesATypedFailureWithTheCause() {
    for (Throwable failure :
        List.of(new IllegalStateException("boom"), new StackOverflowError("deep"))) {
      GpuInventorySource broken =
          new GpuInventorySource() {
            @Override
            public GpuInventory read() {
              if (failure instanceof Error e) {
                throw e;
              }
              throw (RuntimeException) failure;
            }

            @Override
            public String describe() {
              return "broken";
            }
          };
      Preflight guard = Preflight.newBuilder().gpuSource(broken).sglangVersion("0.5.1").build();

      InternalFailureException e =
          assertThrows(InternalFailureException.class, () -> guard.check(SEED, JIT));
      assertEquals(failure, e.getCause());
      assertEquals(
          "unexpected error ("
              + failure
              + "); this is a bug in sglang-preflight: report it with the launch command",
          e.getMessage());
      assertThrows(InternalFailureException.class, () -> guard.apply(SEED, JIT));
    }
  }

  @Test
  void check_cudaVisibleDevicesHidesGpus_rejectsNamingThem() {
    PreflightReport r =
        Preflight.newBuilder()
            .gpuSource(GpuSnapshots.presetSource("4xH200"))
            .sglangVersion("main")
            .build()
            .check(
                List.of(
                    "python3",
                    "-m",
                    "sglang.launch_server",
                    "--model-path",
                    "Qwen/Qwen3-32B",
                    "--tp",
                    "4"),
                Map.of("CUDA_VISIBLE_DEVICES", "0,1"));

    assertEquals(Decision.REJECT, r.decision());
    assertEquals(
        "REJECT: the launch needs 4 GPUs on this node (tp 4 x pp 1) at CUDA ordinals 0-3, but"
            + " SGLang would see only 2 (ordinals [2, 3] are missing or unreadable); make"
            + " CUDA_VISIBLE_DEVICES list enough GPUs or lower --tp/--dp",
        r.headline());
    assertEquals(2, r.gpus().size());
    assertTrue(r.sglang().defaultFraction() > 0.8, "SGLang's default is still computed");
  }

  @Test
  void check_logsOneInfoLineAndAWarnPerAdjustment_withoutTheApiKey() {
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      seedGuard().build().check(with(SEED, "--api-key", "sk-123"), JIT);
    } finally {
      System.setErr(saved);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    List<String> lines = log.lines().filter(l -> l.contains("Preflight")).toList();
    assertEquals(2, lines.size(), log);
    assertTrue(lines.get(0).contains("INFO") && lines.get(0).contains("preflight ADJUST"), log);
    assertTrue(lines.get(1).contains("WARN") && lines.get(1).contains("ADJUST: "), log);
    assertFalse(log.contains("sk-123"), log);
  }

  @Test
  void builder_settingTwiceOrOutOfRange_failsWithTheValue() {
    Preflight.Builder b = Preflight.newBuilder().policy(Policy.WARN).safetyMarginBytes(0);

    assertEquals(
        "policy was already set to WARN",
        assertThrows(IllegalStateException.class, () -> b.policy(Policy.ADJUST)).getMessage());
    assertEquals(
        "safetyMarginBytes was already set to 0",
        assertThrows(IllegalStateException.class, () -> b.safetyMarginBytes(1)).getMessage());
    assertEquals(
        "safetyMarginBytes must be between 0 and 64 GiB, was -1",
        assertThrows(
                IllegalArgumentException.class, () -> Preflight.newBuilder().safetyMarginBytes(-1))
            .getMessage());
    assertEquals(
        "minKvTokens must be at least 1, was 0",
        assertThrows(IllegalArgumentException.class, () -> Preflight.newBuilder().minKvTokens(0))
            .getMessage());
    assertThrows(
        InvalidInputException.class, () -> Preflight.newBuilder().sglangVersion("latest!"));
    assertThrows(NullPointerException.class, () -> Preflight.newBuilder().gpuSource(null));
  }
}
