package io.github.sglangpreflight.launch.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PosixSignalsTest {

  @Test
  void isForeground_foregroundGroupOfItsTerminal_isTrue() {
    // pid (comm) state ppid pgrp session tty_nr tpgid ...
    assertTrue(PosixSignals.isForeground("4242 (java) S 4200 4242 4200 34816 4242 4194560 0 0"));
  }

  @Test
  void isForeground_backgroundGroup_isFalse() {
    assertFalse(PosixSignals.isForeground("4242 (java) S 4200 4242 4200 34816 4300 4194560 0 0"));
  }

  @Test
  void isForeground_noControllingTerminal_isFalse() {
    assertFalse(PosixSignals.isForeground("4242 (java) S 1 4242 4242 0 -1 4194560 0 0"));
  }

  @Test
  void isForeground_commandWithSpacesAndParentheses_readsFieldsAfterTheLastParenthesis() {
    assertTrue(PosixSignals.isForeground("7 (my (odd) prog) R 1 7 7 34817 7 0"));
  }

  @Test
  void isForeground_notAStatLine_throws() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PosixSignals.isForeground("hello"));
    assertEquals("not a /proc/<pid>/stat line: hello", e.getMessage());
  }
}
