package io.github.sglangpreflight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.GpuInventorySource;
import io.github.sglangpreflight.gpu.Interconnect;
import io.github.sglangpreflight.gpu.source.GpuPresets;
import io.github.sglangpreflight.gpu.source.GpuSnapshots;
import io.github.sglangpreflight.report.PreflightReport;
import io.github.sglangpreflight.report.ReportFormat;
import io.github.sglangpreflight.term.TermId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 10's checks through the facade: presets carry their interconnect, SGLang's custom
 * all-reduce is counted only where SGLang turns it on (custom_all_reduce.py L83-141 @263bc85d),
 * NCCL figures measured over NVLink say they are borrowed on PCIe, and a 24 GB PCIe card, a 2 x
 * H100 70B launch at 0.9 and every release 0.5.7 - 0.5.21 answer from their own rules.
 */
class InterconnectAndReleasesTest {
  static final String LLAMA8 = "meta-llama/Llama-3.1-8B-Instruct";
  static final String LLAMA70 = "meta-llama/Llama-3.1-70B-Instruct";

  static PreflightReport check(String preset, String version, String model, String... extra) {
    List<String> argv =
        new ArrayList<>(List.of("python3", "-m", "sglang.launch_server", "--model-path", model));
    argv.addAll(List.of(extra));
    return Preflight.newBuilder()
        .gpuSource(GpuSnapshots.presetSource(preset))
        .sglangVersion(version)
        .build()
        .check(argv, Map.of());
  }

  static Optional<PreflightReport.Item> item(PreflightReport r, TermId id) {
    PreflightReport.Estimate e = r.estimate().orElseThrow();
    return Stream.of(e.overheads(), e.prePool(), e.items())
        .flatMap(List::stream)
        .filter(i -> i.id() == id)
        .findFirst();
  }

  @Test
  void presets_carryTheirInterconnect() {
    assertEquals(Interconnect.Kind.NVLINK, GpuPresets.find("H200").orElseThrow().interconnect());
    assertEquals(Interconnect.Kind.PCIE, GpuPresets.find("L4").orElseThrow().interconnect());
    assertEquals(
        Interconnect.Kind.NVLINK_PAIRS, GpuPresets.find("H100-NVL").orElseThrow().interconnect());
    for (GpuPresets.Preset p : GpuPresets.all()) {
      assertFalse(p.interconnectSource().isBlank(), p.key());
      assertTrue(p.interconnect() != Interconnect.Kind.UNKNOWN, p.key());
    }
    Interconnect link = GpuPresets.inventory("2xL40S").gpus().getFirst().interconnect();
    assertEquals(Interconnect.Kind.PCIE, link.kind());
    assertTrue(link.source().startsWith("preset L40S: "), link.source());
  }

  @Test
  void customAllReduce_onlyWhereSglangEnablesIt() {
    // NVLink: any supported world size
    assertTrue(
        item(check("4xH100", "main", LLAMA70, "--tp", "4"), TermId.CUSTOM_ALL_REDUCE).isPresent());
    // PCIe: two GPUs yes, four no ("not supported on more than two PCIe-only GPUs")
    assertTrue(
        item(check("2xL40S", "main", LLAMA8, "--tp", "2"), TermId.CUSTOM_ALL_REDUCE).isPresent());
    assertFalse(
        item(check("4xL40S", "main", LLAMA8, "--tp", "4"), TermId.CUSTOM_ALL_REDUCE).isPresent());
    // H100 NVL bridges pairs only: off at tp 4
    assertFalse(
        item(check("4xH100-NVL", "main", LLAMA8, "--tp", "4"), TermId.CUSTOM_ALL_REDUCE)
            .isPresent());
  }

  @Test
  void ncclFigures_measuredOverNvlink_sayTheyAreBorrowedOnPcie() {
    String nvlink =
        item(check("2xH100", "main", LLAMA8, "--tp", "2"), TermId.NCCL_TP_GROUP)
            .orElseThrow()
            .source();
    String pcie =
        item(check("2xL40S", "main", LLAMA8, "--tp", "2"), TermId.NCCL_TP_GROUP)
            .orElseThrow()
            .source();
    assertFalse(nvlink.contains("borrowed"), nvlink);
    assertTrue(
        pcie.endsWith(
            "; borrowed: measured over H200 NVLink/NVSwitch, no pcie measurement (an upper bound:"
                + " NCCL opens fewer channels and no NVLS buffers there)"),
        pcie);
  }

  @Test
  void theReport_namesWhereTheInterconnectCameFrom() {
    PreflightReport r = check("2xH100", "main", LLAMA8, "--tp", "2");
    assertEquals("nvlink", r.gpus().getFirst().interconnect());
    assertTrue(
        r.gpus().getFirst().interconnectSource().startsWith("preset H100: "),
        r.gpus().getFirst().interconnectSource());
    assertTrue(
        ReportFormat.toJson(r).contains("\"interconnect\" : {\n      \"kind\" : \"nvlink\""),
        ReportFormat.toJson(r));
    assertTrue(
        r.notes().stream().noneMatch(n -> n.contains("interconnect unknown")),
        r.notes().toString());
  }

  /** Two H100s whose interconnect NVML could not tell. */
  private static PreflightReport unknownLinks(String... extra) {
    Interconnect unknown =
        new Interconnect(
            Interconnect.Kind.UNKNOWN,
            OptionalInt.empty(),
            OptionalInt.of(5),
            OptionalInt.of(16),
            "NVML could not tell: nvmlDeviceGetP2PStatus answered NVML_ERROR_NOT_SUPPORTED (3) for"
                + " GPU 0 and GPU 1");
    GpuInventory preset = GpuPresets.inventory("4xH100");
    GpuInventory inv =
        new GpuInventory(
            "nvml",
            preset.driverVersion(),
            preset.nvmlVersion(),
            preset.cudaDriverVersion(),
            preset.gpus().stream().map(g -> g.withInterconnect(unknown)).toList(),
            List.of(),
            List.of());
    List<String> argv =
        new ArrayList<>(List.of("python3", "-m", "sglang.launch_server", "--model-path", LLAMA8));
    argv.addAll(List.of(extra));
    return Preflight.newBuilder()
        .gpuSource(GpuInventorySource.fixed(inv))
        .sglangVersion("main")
        .build()
        .check(argv, Map.of());
  }

  @Test
  void anUnknownInterconnect_takesTheNvLinkSide_andTheReportSaysSo() {
    PreflightReport r = unknownLinks("--tp", "4");

    assertEquals(
        List.of(
            "GPUs 0,1,2,3: interconnect unknown (NVML could not tell: nvmlDeviceGetP2PStatus"
                + " answered NVML_ERROR_NOT_SUPPORTED (3) for GPU 0 and GPU 1); the budget takes"
                + " the cautious side, as over NVLink: SGLang's custom all-reduce buffers are"
                + " counted and the NCCL figures measured over H200 NVLink are used as they are"),
        r.notes().stream().filter(n -> n.contains("interconnect unknown")).toList());
    assertEquals("unknown", r.gpus().getFirst().interconnect());
    // TP 4 over an unknown link: SGLang may turn the custom all-reduce on, so it is counted
    assertTrue(item(r, TermId.CUSTOM_ALL_REDUCE).isPresent());
    assertFalse(
        item(r, TermId.NCCL_TP_GROUP).orElseThrow().source().contains("borrowed"),
        item(r, TermId.NCCL_TP_GROUP).orElseThrow().source());
    // one GPU: nothing depends on the link, nothing to say
    assertTrue(unknownLinks().notes().stream().noneMatch(n -> n.contains("interconnect unknown")));
  }

  @Test
  void cudaContext_borrowedFromTheH200_saysSo() {
    String src = item(check("1xL4", "main", LLAMA8), TermId.CUDA_CONTEXT).orElseThrow().source();
    assertTrue(src.startsWith("estimate: assumed equal to the H200 measurement"), src);
  }

  @Test
  void a24GbPcieCard_isAnsweredBy0520Rules() {
    // RTX 4090 (24564 MiB): 0.5.20's tier, R = 512 + 1.5 x 4096 + 128 + 2 x 48 + 8 x 50 = 7280
    PreflightReport r = check("1xRTX4090", "0.5.21", LLAMA8);
    assertEquals(0.704, r.requestedFraction(), 0);
    PreflightReport.Estimate e = r.estimate().orElseThrow();
    assertEquals(10_322, e.kvTokens());
    // SGLang starts with it: the pool is above SGLang's floor, below one 131,072-token request
    assertTrue(e.kvTokens() > 0 && e.kvTokens() < 131_072);
    // one GPU: no NCCL communicator and no custom all-reduce
    assertTrue(item(r, TermId.NCCL_TP_GROUP).isEmpty());
    assertTrue(item(r, TermId.CUSTOM_ALL_REDUCE).isEmpty());
    // the same card on 0.5.19: chunk 2048 and max_bs 24 (0.5.19's own rules)
    PreflightReport old = check("1xRTX4090", "0.5.19", LLAMA8);
    assertEquals(0.833, old.requestedFraction(), 0);
  }

  @Test
  void twoH100_70bAt09_hasAPoolSglangStartsWith() {
    PreflightReport r =
        check("2xH100", "0.5.21", LLAMA70, "--tp", "2", "--mem-fraction-static", "0.9");
    PreflightReport.Estimate e = r.estimate().orElseThrow();
    // SGLang's floor is one page (1 token); this pool holds tens of thousands of tokens
    assertTrue(e.kvTokens() > 10_000, "" + e.kvTokens());
    assertTrue(e.kvTokens() < 131_072, "" + e.kvTokens());
    // NVLink: the custom all-reduce is on
    assertTrue(item(r, TermId.CUSTOM_ALL_REDUCE).isPresent());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "0.5.7", "0.5.8", "0.5.9", "0.5.10", "0.5.11", "0.5.12", "0.5.13", "0.5.14", "0.5.15",
        "0.5.16", "0.5.17", "0.5.18", "0.5.19", "0.5.20", "0.5.21"
      })
  void everyRelease_answersFromItsOwnProfile(String version) {
    PreflightReport r = check("1xL4", version, LLAMA8);
    assertEquals(version, r.sglang().version());
    // the default fraction comes from the release's own file: server_args.py up to 0.5.19,
    // arg_groups/memory_hook.py from 0.5.20
    boolean hook = version.equals("0.5.20") || version.equals("0.5.21");
    assertTrue(
        r.sglang().defaultFractionSource().startsWith(hook ? "memory_hook.py" : "server_args.py"),
        r.sglang().defaultFractionSource());
    assertEquals(hook ? 0.684 : 0.8, r.sglang().defaultFraction(), hook ? 0 : 0.04);
  }
}
