package io.github.sglangpreflight.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line's shape for picocli: one class per command, options as plain fields. Values stay
 * strings here and are checked in {@link Main}, so that every bad value gets one sentence in this
 * project's words rather than a parser's.
 */
final class Commands {
  private Commands() {}

  /** The launch of sglang#5811 (DeepSeek-V3 on 8 x H200 with DP attention), as help shows it. */
  static final String SEED_EXAMPLE_1 = "  SGL_ENABLE_JIT_DEEPGEMM=1 sglang-preflight check \\";

  static final String SEED_EXAMPLE_2 = "    --simulate 8xH200 --sglang-version 0.4.5.post3 -- \\";
  static final String SEED_EXAMPLE_3 =
      "    python3 -m sglang.launch_server --model-path deepseek-ai/DeepSeek-V3 \\";
  static final String SEED_EXAMPLE_4 =
      "    --tp 8 --enable-dp-attention --dp-size 8 --trust-remote-code";

  @Command(
      name = "sglang-preflight",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      usageHelpWidth = 100,
      description = {
        "Checks an SGLang launch against the GPUs before any GPU memory is allocated: reads every"
            + " GPU through NVML, predicts what SGLang will need, and accepts, lowers (or raises)"
            + " --mem-fraction-static, or rejects the launch with the reason and the remedies.",
      },
      synopsisSubcommandLabel = "(check | exec | gpus)",
      commandListHeading = "%nCommands:%n",
      footerHeading = "%nExamples:%n",
      footer = {
        "  # the DeepSeek-V3 launch of sglang#5811, on the built-in 8 x H200 description",
        SEED_EXAMPLE_1,
        SEED_EXAMPLE_2,
        SEED_EXAMPLE_3,
        SEED_EXAMPLE_4,
        "",
        "  # guard a real launch: runs it with a safe --mem-fraction-static, or refuses (exit 4)",
        "  sglang-preflight exec -- python3 -m sglang.launch_server --model-path Qwen/Qwen3-8B",
        "",
        "  # save this machine's GPUs, and check against them elsewhere",
        "  sglang-preflight gpus --json > gpus.json",
        "  sglang-preflight check --gpus gpus.json -- python3 -m sglang.launch_server ...",
        "",
        "Run 'sglang-preflight COMMAND --help' for a command's options. The JSON report is"
            + " described in docs/report-schema.md, the snapshot format in docs/gpu-snapshot.md.",
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:ACCEPT (check), or the child's own exit code (exec)",
        "1:the GPUs cannot be read (no driver, NVML error); --allow-unreadable-gpus opts out",
        "2:bad input: options, the SGLang command, the model, a snapshot file, a preset",
        "3:ADJUST (check): run with the rewritten --mem-fraction-static shown",
        "4:REJECT: the launch would fail; exec did not start it",
        "70:unexpected internal error (re-run with --debug and report it)",
        "127:exec could not start the command (not found or not executable)",
      })
  static final class Top {}

  /** Options every command has: logging and the stack-trace switch. */
  abstract static class Common {
    @Option(
        names = {"-h", "--help"},
        order = 50,
        usageHelp = true,
        description = "Show this help and exit.")
    boolean help;

    @Option(
        names = {"-V", "--version"},
        order = 51,
        versionHelp = true,
        description = "Print the version and exit.")
    boolean version;

    @Option(
        names = "--debug",
        order = 41,
        description = "Log DEBUG details (every budget term in bytes) and print stack traces.")
    boolean debug;

    @Option(
        names = "--quiet",
        order = 40,
        description = "Log warnings only; check prints only the verdict and its reasons.")
    boolean quiet;

    @Option(
        names = "--width",
        order = 33,
        paramLabel = "N",
        description = "Line width of the text output (at least 60; default: $COLUMNS, else 100).")
    String width;
  }

  /** Where GPU readings come from. */
  abstract static class GpuSource extends Common {
    @Option(
        names = "--simulate",
        order = 10,
        paramLabel = "NxPRESET",
        description =
            "Use a built-in GPU description instead of NVML, e.g. 8xH200, 1xH100, 2xL4"
                + " (GPU models: see docs/gpu-snapshot.md).")
    String simulate;

    @Option(
        names = "--gpus",
        order = 11,
        paramLabel = "SNAPSHOT.json",
        description =
            "Replay the GPUs saved with 'sglang-preflight gpus --json' instead of reading NVML."
                + " For a launch over several nodes (check with --nnodes N), give one snapshot per"
                + " node, in node-rank order: repeat --gpus, or name a directory of *.json files.")
    java.util.List<String> gpus;
  }

  /** The options of the two commands that check a launch. */
  abstract static class Guard extends GpuSource {
    @Option(
        names = "--policy",
        order = 20,
        paramLabel = "adjust|reject|warn",
        description = {
          "adjust (default): rewrite an unsafe --mem-fraction-static, reject when none works;",
          "reject: never rewrite, anything but ACCEPT is a rejection;",
          "warn: report, never block on the decision (exec runs the command as given)."
        })
    String policy;

    @Option(
        names = "--sglang-version",
        order = 21,
        paramLabel = "V",
        description =
            "The SGLang version to model, e.g. 0.4.5.post3, 0.5.1 or main (default: the installed"
                + " one when found, else main).")
    String sglangVersion;

    @Option(
        names = "--min-kv-tokens",
        order = 22,
        paramLabel = "N",
        description =
            "The smallest KV cache (tokens) the launch must get (default: SGLang's own floor, one"
                + " page; a pool below one request of the full context length is a warning).")
    String minKvTokens;

    @Option(
        names = "--safety-margin",
        order = 23,
        paramLabel = "SIZE",
        description =
            "Memory every GPU keeps free after everything, e.g. 1GiB, 512MiB, '1.5 GiB', 2G or"
                + " bytes (default: 1GiB).")
    String safetyMargin;

    @Option(
        names = "--model-config",
        order = 24,
        paramLabel = "PATH",
        description = "A config.json that wins over the model path's.")
    String modelConfig;

    @Option(
        names = "--report-file",
        order = 30,
        paramLabel = "PATH",
        description =
            "Also write the JSON report there (parent directories are created), such as a"
                + " container's termination-message file.")
    String reportFile;

    @Option(
        names = "--calibration-dir",
        order = 27,
        paramLabel = "DIR",
        description = {
          Calibrations.DIR_HELP,
          "exec records each launch's measured terms there; a check of the same launch (GPU"
              + " model, driver, SGLang, model, layout) uses them."
        })
    String calibrationDir;

    @Option(
        names = "--no-calibration",
        order = 28,
        description =
            "Neither use nor record observed terms (exec then shares the terminal with SGLang).")
    boolean noCalibration;

    @Option(
        names = "--allow-unreadable-gpus",
        order = 25,
        description =
            "When the GPUs cannot be read, let the launch go unchecked (the report says so)"
                + " instead of failing with exit code 1.")
    boolean allowUnreadableGpus;

    @Option(
        names = "--verbose",
        order = 34,
        description =
            "Show every budget term with its formula and source, and the budget at the requested"
                + " --mem-fraction-static in full beside the recommended one.")
    boolean verbose;

    @Option(
        names = "--ascii",
        order = 32,
        description = "Draw the per-GPU bars with ASCII characters only.")
    boolean ascii;
  }

  @Command(
      name = "check",
      sortOptions = false,
      usageHelpWidth = 100,
      customSynopsis = "sglang-preflight check [OPTIONS] -- SGLANG_COMMAND...",
      description = {
        "Prints the report for an SGLang launch: the GPUs, the memory budget term by term, the"
            + " decision and the remedies. Exit code 0 ACCEPT, 3 ADJUST, 4 REJECT.",
        "Everything after -- is the SGLang command, e.g. python3 -m sglang.launch_server ...,"
            + " sglang serve ..., or only its arguments, optionally after env NAME=VALUE ..."
      },
      footerHeading = "%nExamples:%n",
      footer = {
        "  # the DeepSeek-V3 launch of sglang#5811, on the built-in 8 x H200 description",
        SEED_EXAMPLE_1,
        SEED_EXAMPLE_2,
        SEED_EXAMPLE_3,
        SEED_EXAMPLE_4,
        "",
        "  # the JSON report of a launch on this machine's GPUs",
        "  sglang-preflight check --json -- \\",
        "    python3 -m sglang.launch_server --model-path meta-llama/Llama-3.1-8B-Instruct",
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:ACCEPT",
        "1:the GPUs cannot be read (no driver, NVML error)",
        "2:bad input",
        "3:ADJUST: run with the rewritten --mem-fraction-static shown",
        "4:REJECT",
        "70:unexpected internal error (re-run with --debug and report it)",
      })
  static final class Check extends Guard {
    @Option(
        names = "--json",
        order = 31,
        description =
            "Print only the JSON report on stdout (docs/report-schema.md); logs go to stderr.")
    boolean json;
  }

  @Command(
      name = "exec",
      sortOptions = false,
      usageHelpWidth = 100,
      customSynopsis = "sglang-preflight exec [OPTIONS] -- SGLANG_COMMAND...",
      description = {
        "Checks the launch, then runs it (with the rewritten --mem-fraction-static on ADJUST) as a"
            + " child process with this terminal's stdin, never through a shell (its stdout and"
            + " stderr are copied through so that the start-up log can be recorded; with"
            + " --no-calibration they are the terminal's too);"
            + " SIGINT and SIGTERM are passed on, and the child's exit code is returned. On REJECT"
            + " the report goes to stderr and the command is not started (exit code 4).",
      },
      footerHeading = "%nExamples:%n",
      footer = {
        "  sglang-preflight exec --report-file /dev/termination-log -- \\",
        "    python3 -m sglang.launch_server --model-path Qwen/Qwen3-8B --port 30000",
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "N:the child's exit code (128 + signal number when a signal ended it)",
        "1:the GPUs cannot be read (no driver, NVML error)",
        "2:bad input",
        "4:REJECT: the command was not started",
        "70:unexpected internal error (re-run with --debug and report it)",
        "127:the command could not be started (not found or not executable)",
      })
  static final class Exec extends Guard {
    @Option(
        names = "--retry-on-oom",
        order = 26,
        paramLabel = "N",
        description =
            "When SGLang fails at start-up for memory, run it again at most N times with the"
                + " --mem-fraction-static its log shows would fit (default 0: never). Its output"
                + " then passes through preflight.")
    String retryOnOom;
  }

  @Command(
      name = "gpus",
      sortOptions = false,
      usageHelpWidth = 100,
      description = {
        "Shows every GPU as NVML reads it: name, UUID, PCI bus id, compute capability, MIG,"
            + " memory (total, driver reservation, used, free) and processes, with the driver,"
            + " NVML and CUDA versions. --json prints the snapshot that --gpus replays.",
      },
      footerHeading = "%nExamples:%n",
      footer = {
        "  sglang-preflight gpus",
        "  sglang-preflight gpus --json > gpus.json",
        "  sglang-preflight gpus --fallback-preset 8xH200",
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:done",
        "1:the GPUs cannot be read (no driver, NVML error) and no --fallback-preset was given",
        "2:bad input",
        "70:unexpected internal error (re-run with --debug and report it)",
      })
  static final class Gpus extends GpuSource {
    @Option(
        names = "--json",
        order = 31,
        description = "Print the snapshot JSON (docs/gpu-snapshot.md) on stdout.")
    boolean json;

    @Option(
        names = "--fallback-preset",
        order = 12,
        paramLabel = "NxPRESET",
        description =
            "When NVML cannot be read, say why on stderr and show this built-in description"
                + " instead, e.g. 8xH200.")
    String fallbackPreset;
  }
}
