package io.github.sglangpreflight.sglang.args;

import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.sglang.args.LaunchCommand.Launcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Splits a launch command line into the launcher (an optional {@code env NAME=VALUE …} prefix and
 * the program that starts SGLang) and the server arguments.
 *
 * <p>Entry points that parse SGLang's server arguments: {@code python -m sglang.launch_server}
 * (every snapshot; running the file {@code sglang/launch_server.py} is the same) and {@code sglang
 * serve} (main only, {@code python/sglang/cli/main.py} and {@code cli/serve.py} @8761b971; added
 * 2025-11-06 by PR #12484). {@code sglang serve} also takes the model as its first argument when
 * that does not start with {@code -}, and removes {@code --model-type VALUE} before parsing.
 */
record LaunchPrefix(
    Launcher launcher,
    int serverArgsStart,
    Map<String, Optional<String>> envChanges,
    boolean ignoreEnvironment,
    Optional<Integer> positionalModelIndex,
    List<Integer> serveOnlyIndices,
    Optional<String> modelType) {

  LaunchPrefix {
    envChanges = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(envChanges));
    serveOnlyIndices = List.copyOf(serveOnlyIndices);
  }

  private static final Pattern ENV_NAME = Pattern.compile("[^=]+");
  private static final String PY_SINGLE_FLAGS = "bBdEiIOPqsSuvx";

  /**
   * Whether {@code base} is {@code python}, {@code python3}, {@code python3.11} and the like:
   * {@code python} then optionally digit groups separated by single dots (a linear scan, no regex).
   */
  static boolean isPythonName(String base) {
    if (!base.startsWith("python")) {
      return false;
    }
    int i = "python".length();
    if (i == base.length()) {
      return true;
    }
    boolean digitSeen = false;
    for (; i < base.length(); i++) {
      char c = base.charAt(i);
      if (c >= '0' && c <= '9') {
        digitSeen = true;
      } else if (c == '.' && digitSeen) {
        digitSeen = false;
      } else {
        return false;
      }
    }
    return digitSeen;
  }

  static LaunchPrefix of(List<String> argv) {
    if (argv.isEmpty()) {
      throw new InvalidInputException(
          "launch command",
          "The launch command is empty: give the SGLang command line, e.g. python3 -m"
              + " sglang.launch_server --model-path <model>");
    }
    int i = 0;
    Map<String, Optional<String>> env = new LinkedHashMap<>();
    boolean ignore = false;
    while (i < argv.size() && basename(argv.get(i)).equals("env")) {
      i++;
      boolean optionsDone = false;
      while (i < argv.size()) {
        String t = argv.get(i);
        if (!optionsDone && (t.equals("-i") || t.equals("--ignore-environment") || t.equals("-"))) {
          ignore = true;
          env.clear();
          i++;
        } else if (!optionsDone && (t.equals("-u") || t.equals("--unset"))) {
          if (i + 1 >= argv.size()) {
            throw new InvalidInputException(
                "env " + t, "env " + t + " needs the name of a variable to unset after it");
          }
          env.put(argv.get(i + 1), Optional.empty());
          i += 2;
        } else if (!optionsDone && t.startsWith("--unset=")) {
          env.put(t.substring("--unset=".length()), Optional.empty());
          i++;
        } else if (!optionsDone && t.startsWith("-u") && t.length() > 2) {
          env.put(t.substring(2), Optional.empty());
          i++;
        } else if (!optionsDone && t.equals("--")) {
          optionsDone = true;
          i++;
        } else if (!optionsDone && t.startsWith("-")) {
          throw new InvalidInputException(
              "env " + t,
              "env option "
                  + t
                  + " is not supported: preflight reads env with NAME=VALUE assignments, -i and"
                  + " -u NAME only; set the environment another way or drop the option");
        } else if (t.indexOf('=') > 0
            && ENV_NAME.matcher(t.substring(0, t.indexOf('='))).matches()) {
          int eq = t.indexOf('=');
          env.put(t.substring(0, eq), Optional.of(t.substring(eq + 1)));
          optionsDone = true;
          i++;
        } else {
          break;
        }
      }
    }
    if (i >= argv.size()) {
      throw new InvalidInputException(
          "env",
          "env sets variables but names no command after them: add the SGLang command, e.g. env"
              + " SGL_ENABLE_JIT_DEEPGEMM=1 python3 -m sglang.launch_server --model-path <model>");
    }
    String program = argv.get(i);
    String base = basename(program);
    if (program.startsWith("-")) {
      return new LaunchPrefix(
          Launcher.SERVER_ARGS_ONLY, i, env, ignore, Optional.empty(), List.of(), Optional.empty());
    }
    if (isPythonName(base)) {
      return python(argv, i, env, ignore);
    }
    if (base.equals("sglang")) {
      return serve(argv, i, env, ignore);
    }
    throw new InvalidInputException(
        program,
        program
            + " is not an SGLang launcher preflight can read: give python3 -m"
            + " sglang.launch_server …, sglang serve …, or only the server arguments (--model-path"
            + " …), optionally after env NAME=VALUE …");
  }

  private static LaunchPrefix python(
      List<String> argv, int i, Map<String, Optional<String>> env, boolean ignore) {
    String python = argv.get(i);
    int j = i + 1;
    while (j < argv.size()) {
      String t = argv.get(j);
      if (t.equals("-m")) {
        if (j + 1 >= argv.size()) {
          throw new InvalidInputException(
              python + " -m",
              python
                  + " -m names no module: SGLang's server starts with "
                  + python
                  + " -m sglang.launch_server --model-path <model>");
        }
        return module(argv, j + 2, argv.get(j + 1), python, env, ignore);
      }
      if (t.startsWith("-m")) {
        return module(argv, j + 1, t.substring(2), python, env, ignore);
      }
      if (t.equals("-W") || t.equals("-X") || t.equals("--check-hash-based-pycs")) {
        j += 2;
        continue;
      }
      if (t.startsWith("-W") || t.startsWith("-X")) {
        j++;
        continue;
      }
      if (t.length() > 1 && t.charAt(0) == '-' && t.charAt(1) != '-' && singleFlags(t)) {
        j++;
        continue;
      }
      if (!t.startsWith("-")
          && (t.endsWith("/sglang/launch_server.py") || t.equals("sglang/launch_server.py"))) {
        return new LaunchPrefix(
            Launcher.PYTHON_MODULE,
            j + 1,
            env,
            ignore,
            Optional.empty(),
            List.of(),
            Optional.empty());
      }
      throw new InvalidInputException(
          python + " " + t,
          python
              + " "
              + t
              + " does not start SGLang's server: preflight reads "
              + python
              + " -m sglang.launch_server (Python options such as -u or -X before -m are fine)");
    }
    throw new InvalidInputException(
        python,
        python
            + " has no -m sglang.launch_server: SGLang's server starts with "
            + python
            + " -m sglang.launch_server --model-path <model>");
  }

  private static boolean singleFlags(String t) {
    for (int c = 1; c < t.length(); c++) {
      if (PY_SINGLE_FLAGS.indexOf(t.charAt(c)) < 0) {
        return false;
      }
    }
    return true;
  }

  private static LaunchPrefix module(
      List<String> argv,
      int start,
      String module,
      String python,
      Map<String, Optional<String>> env,
      boolean ignore) {
    if (!module.equals("sglang.launch_server")) {
      throw new InvalidInputException(
          python + " -m " + module,
          python
              + " -m "
              + module
              + " is not SGLang's server launcher: preflight reads -m sglang.launch_server and"
              + " sglang serve");
    }
    return new LaunchPrefix(
        Launcher.PYTHON_MODULE, start, env, ignore, Optional.empty(), List.of(), Optional.empty());
  }

  private static LaunchPrefix serve(
      List<String> argv, int i, Map<String, Optional<String>> env, boolean ignore) {
    String sglang = argv.get(i);
    if (i + 1 >= argv.size() || !argv.get(i + 1).equals("serve")) {
      String got = i + 1 >= argv.size() ? "nothing" : argv.get(i + 1);
      throw new InvalidInputException(
          sglang,
          sglang
              + " is followed by "
              + got
              + ": the server starts with "
              + sglang
              + " serve --model-path <model>");
    }
    int start = i + 2;
    List<Integer> serveOnly = new ArrayList<>();
    Optional<String> modelType = Optional.empty();
    // cli/serve.py _extract_model_type_override: exact "--model-type V" or "--model-type=V"
    for (int k = start; k < argv.size(); k++) {
      String t = argv.get(k);
      if (t.equals("--model-type")) {
        if (k + 1 >= argv.size()) {
          throw new InvalidInputException(
              "--model-type",
              "--model-type needs a value (auto, llm or diffusion) but it is the last argument;"
                  + " sglang serve stops with \"--model-type requires a value\"");
        }
        modelType = Optional.of(argv.get(k + 1));
        serveOnly.add(k);
        serveOnly.add(k + 1);
        k++;
      } else if (t.startsWith("--model-type=")) {
        modelType = Optional.of(t.substring("--model-type=".length()));
        serveOnly.add(k);
      }
    }
    if (modelType.isPresent()) {
      String m = modelType.get();
      if (m.equals("diffusion")) {
        throw new InvalidInputException(
            "--model-type",
            "--model-type diffusion starts SGLang's diffusion server, whose memory preflight does"
                + " not model; use --model-type llm or auto for a language-model server");
      }
      if (!m.equals("auto") && !m.equals("llm")) {
        throw new InvalidInputException(
            "--model-type",
            "--model-type "
                + m
                + " is not a value sglang serve accepts: it takes auto, llm or diffusion and stops"
                + " with \"invalid --model-type\"");
      }
    }
    Optional<Integer> positional = Optional.empty();
    for (int k = start; k < argv.size(); k++) {
      if (serveOnly.contains(k)) {
        continue;
      }
      if (!argv.get(k).startsWith("-")) {
        positional = Optional.of(k);
      }
      break;
    }
    return new LaunchPrefix(
        Launcher.SGLANG_SERVE, start, env, ignore, positional, List.copyOf(serveOnly), modelType);
  }

  private static String basename(String path) {
    int slash = path.lastIndexOf('/');
    return slash >= 0 ? path.substring(slash + 1) : path;
  }
}
