package org.beamarchiver.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How a fixture's options and a command's extra options combine (no server needed). */
class AssessmentFixtureTest {
  static final List<String> BASE = List.of("--tableSpec=s.yaml", "--cassandraPort=9042", "--period=ALL", "--batchIds=a");

  @Test
  void anExtraOptionReplacesTheFixturesOfTheSameNameAndOthersAreAdded() {
    assertEquals(
        List.of("--tableSpec=s.yaml", "--cassandraPort=9042", "--batchIds=a", "--period=LAST_WEEK", "--dryRun=true"),
        AssessmentFixture.merge(BASE, List.of("--period=LAST_WEEK", "--dryRun=true")));
  }

  @Test
  void aRepeatedExtraOptionStaysRepeatedAndReplacesTheFixturesOnce() {
    assertEquals(
        List.of("--tableSpec=s.yaml", "--cassandraPort=9042", "--period=ALL", "--batchIds=b", "--batchIds=c"),
        AssessmentFixture.merge(BASE, List.of("--batchIds=b", "--batchIds=c")));
  }

  @Test
  void noExtraGivesTheFixturesOptionsInANewList() {
    List<String> out = AssessmentFixture.merge(BASE, List.of());
    assertEquals(BASE, out);
    out.add("--changed=true");
    assertEquals(4, BASE.size());
  }
}
