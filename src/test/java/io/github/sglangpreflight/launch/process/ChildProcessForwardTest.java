package io.github.sglangpreflight.launch.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** {@link ChildProcess.Builder#forwardOutput}: output copied verbatim, lines handed over. */
class ChildProcessForwardTest {
  @Test
  void copiesBothStreamsVerbatim_andSplitsLinesOnLfCrAndCrLf() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> outLines = new CopyOnWriteArrayList<>();
    List<String> errLines = new CopyOnWriteArrayList<>();

    ChildProcess child =
        ChildProcess.builder(
                List.of(
                    "sh",
                    "-c",
                    "printf '10%%\\r50%%\\r100%%\\r\\nnext line\\nüñí tail';"
                        + " printf 'e1\\ne2\\n' >&2; exit 3"))
            .forwardOutput(
                out,
                err,
                (stream, line) ->
                    (stream == ChildProcess.Output.STDOUT ? outLines : errLines).add(line))
            .start();

    assertEquals(3, child.waitFor());
    assertEquals("10%\r50%\r100%\r\nnext line\nüñí tail", out.toString());
    assertEquals("e1\ne2\n", err.toString());
    assertEquals(List.of("10%", "50%", "100%", "next line", "üñí tail"), outLines);
    assertEquals(List.of("e1", "e2"), errLines);
  }
}
